// SPDX-License-Identifier: GPL-2.0-or-later
/* core/buf.h — growable byte buffer with a hard maximum. The buffer owns data;
 * buf_fini frees it. Reads consume from the front (off), writes append at len. */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct buf {
	uint8_t *data;
	size_t off; /* first unconsumed byte */
	size_t len; /* end of valid bytes */
	size_t cap;
	size_t max; /* hard limit on cap */
};

void buf_init(struct buf *b, size_t max);
void buf_fini(struct buf *b);

/* Ensure room for n more bytes at the end; -E2BIG past max, -ENOMEM. Compacts first. */
[[nodiscard]] int buf_reserve(struct buf *b, size_t n);
[[nodiscard]] int buf_append(struct buf *b, const void *data, size_t n);
void buf_consume(struct buf *b, size_t n);
/* Drop all contents; frees the storage when it grew beyond keep bytes. */
void buf_reset(struct buf *b, size_t keep);

static inline size_t buf_used(const struct buf *b)
{
	return b->len - b->off;
}

/* Never NULL, even before the first allocation (NULL + 0 is undefined behaviour). */
extern uint8_t buf__empty[1];

static inline uint8_t *buf_head(const struct buf *b)
{
	return b->data ? b->data + b->off : buf__empty;
}

static inline uint8_t *buf_tail(const struct buf *b)
{
	return b->data ? b->data + b->len : buf__empty;
}

static inline size_t buf_room(const struct buf *b)
{
	return b->cap - b->len;
}
