// SPDX-License-Identifier: GPL-2.0-or-later
/* core/buf.c — byte buffer growth and consumption. */
#include "core/buf.h"

#include <errno.h>
#include <stdckdint.h>
#include <stdlib.h>
#include <string.h>

uint8_t buf__empty[1];

void buf_init(struct buf *b, size_t max)
{
	*b = (struct buf){.max = max};
}

void buf_fini(struct buf *b)
{
	free(b->data);
	*b = (struct buf){.max = b->max};
}

int buf_reserve(struct buf *b, size_t n)
{
	size_t need, cap;
	uint8_t *p;

	if (b->off && b->cap - b->len < n) {
		memmove(b->data, b->data + b->off, b->len - b->off);
		b->len -= b->off;
		b->off = 0;
	}
	if (b->cap - b->len >= n)
		return 0;
	if (ckd_add(&need, b->len, n) || need > b->max)
		return -E2BIG;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > b->max / 2 ? b->max : cap * 2;
	if (cap > b->max)
		cap = b->max; /* a small max caps the first allocation too */
	p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int buf_append(struct buf *b, const void *data, size_t n)
{
	int ret = buf_reserve(b, n);

	if (ret)
		return ret;
	if (n)
		memcpy(b->data + b->len, data, n);
	b->len += n;
	return 0;
}

void buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len - b->off) {
		b->off = 0;
		b->len = 0;
		return;
	}
	b->off += n;
}

void buf_reset(struct buf *b, size_t keep)
{
	b->off = 0;
	b->len = 0;
	if (b->cap > keep) {
		free(b->data);
		b->data = nullptr;
		b->cap = 0;
	}
}
