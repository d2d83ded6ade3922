// SPDX-License-Identifier: GPL-2.0-or-later
/* core/rd.h — bounds-checked byte reader for wire parsers. Every getter returns false
 * (and reads nothing) when fewer bytes remain than asked for. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct rd {
	const uint8_t *p;
	size_t left;
};

static inline struct rd rd_make(const void *data, size_t len)
{
	return (struct rd){.p = data, .left = len};
}

static inline bool rd_u8(struct rd *r, uint8_t *out)
{
	if (r->left < 1)
		return false;
	*out = r->p[0];
	r->p++;
	r->left--;
	return true;
}

static inline bool rd_u16(struct rd *r, uint16_t *out)
{
	if (r->left < 2)
		return false;
	*out = (uint16_t)(r->p[0] << 8 | r->p[1]);
	r->p += 2;
	r->left -= 2;
	return true;
}

static inline bool rd_u24(struct rd *r, uint32_t *out)
{
	if (r->left < 3)
		return false;
	*out = (uint32_t)r->p[0] << 16 | (uint32_t)r->p[1] << 8 | r->p[2];
	r->p += 3;
	r->left -= 3;
	return true;
}

static inline bool rd_skip(struct rd *r, size_t n)
{
	if (r->left < n)
		return false;
	r->p += n;
	r->left -= n;
	return true;
}

/* Borrow n bytes in place: *out points into the reader's buffer. */
static inline bool rd_bytes(struct rd *r, size_t n, const uint8_t **out)
{
	if (r->left < n)
		return false;
	*out = r->p;
	r->p += n;
	r->left -= n;
	return true;
}
