// SPDX-License-Identifier: GPL-2.0-or-later
/* http/cookie.c — webvpn session cookies (reference §6.1, §8.1): 32 random bytes, standard
 * base64 with padding. Decoding accepts exactly 44 canonical characters and is branch-free on the
 * cookie's bytes; lookups of sessions by cookie belong to tunnel/session.c. */
#include "http/http.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "core/compiler.h"

static_assert(COOKIE_B64_LEN == (COOKIE_RAW_LEN + 2) / 3 * 4);
static_assert(COOKIE_RAW_LEN % 3 == 2); /* so the encoding ends in exactly one '=' */

enum { GETRANDOM_TRIES = 8 };

int cookie_mint(struct cookie *c)
{
	size_t got = 0;

	for (int tries = 0; got < sizeof(c->raw) && tries < GETRANDOM_TRIES; tries++) {
		ssize_t n = getrandom(c->raw + got, sizeof(c->raw) - got, 0);

		if (n < 0) {
			int err = -errno;

			if (err == -EINTR)
				continue;
			explicit_bzero(c, sizeof(*c));
			return err;
		}
		got += (size_t)n;
	}
	if (got < sizeof(c->raw)) {
		explicit_bzero(c, sizeof(*c));
		return -EAGAIN;
	}
	return 0;
}

/* 0..63 -> base64 character, without table lookups indexed by secret data. */
static char b64_char(unsigned v)
{
	unsigned c = v + 'A';

	c += ((25u - v) >> 8) & 6u;  /* v >= 26: 'a' is v + 71 */
	c -= ((51u - v) >> 8) & 75u; /* v >= 52: '0' is v - 4 */
	c -= ((61u - v) >> 8) & 15u; /* v >= 62: '+' is v - 19 */
	c += ((62u - v) >> 8) & 3u;  /* v == 63: '/' is v - 16 */
	return (char)c;
}

/* base64 character -> 0..63, or -1; branch-free. */
static int b64_val(uint8_t ch)
{
	int c = ch;
	int ret = -1;

	ret += (((64 - c) & (c - 91)) >> 8) & (c - 64);	 /* 'A'..'Z' -> 1..26 */
	ret += (((96 - c) & (c - 123)) >> 8) & (c - 70); /* 'a'..'z' -> 27..52 */
	ret += (((47 - c) & (c - 58)) >> 8) & (c + 5);	 /* '0'..'9' -> 53..62 */
	ret += (((42 - c) & (c - 44)) >> 8) & 63;	 /* '+' -> 63 */
	ret += (((46 - c) & (c - 48)) >> 8) & 64;	 /* '/' -> 64 */
	return ret;
}

void cookie_encode(const struct cookie *c, char out[COOKIE_B64_LEN + 1])
{
	const uint8_t *r = c->raw;
	size_t o = 0;
	size_t i = 0;

	for (; i + 3 <= COOKIE_RAW_LEN; i += 3) {
		uint32_t v = (uint32_t)r[i] << 16 | (uint32_t)r[i + 1] << 8 | r[i + 2];

		out[o++] = b64_char(v >> 18 & 63);
		out[o++] = b64_char(v >> 12 & 63);
		out[o++] = b64_char(v >> 6 & 63);
		out[o++] = b64_char(v & 63);
	}
	/* two bytes left */
	uint32_t v = (uint32_t)r[i] << 16 | (uint32_t)r[i + 1] << 8;

	out[o++] = b64_char(v >> 18 & 63);
	out[o++] = b64_char(v >> 12 & 63);
	out[o++] = b64_char(v >> 6 & 63);
	out[o++] = '=';
	out[o] = '\0';
}

int cookie_decode(const char *s, size_t len, struct cookie *out)
{
	uint8_t raw[COOKIE_RAW_LEN];
	int bad = 0;
	size_t o = 0;
	size_t i = 0;

	*out = (struct cookie){};
	/* Lengths first, before a single byte is decoded (ocserv #719). */
	if (len != COOKIE_B64_LEN || s[COOKIE_B64_LEN - 1] != '=')
		return -EBADMSG;
	for (; i + 4 < COOKIE_B64_LEN; i += 4) {
		int a = b64_val((uint8_t)s[i]), b = b64_val((uint8_t)s[i + 1]);
		int c = b64_val((uint8_t)s[i + 2]), d = b64_val((uint8_t)s[i + 3]);
		uint32_t v = (uint32_t)(a & 63) << 18 | (uint32_t)(b & 63) << 12 |
			     (uint32_t)(c & 63) << 6 | (uint32_t)(d & 63);

		bad |= a | b | c | d;
		raw[o++] = (uint8_t)(v >> 16);
		raw[o++] = (uint8_t)(v >> 8);
		raw[o++] = (uint8_t)v;
	}
	int a = b64_val((uint8_t)s[i]), b = b64_val((uint8_t)s[i + 1]);
	int c = b64_val((uint8_t)s[i + 2]);
	uint32_t v = (uint32_t)(a & 63) << 18 | (uint32_t)(b & 63) << 12 | (uint32_t)(c & 63) << 6;

	bad |= a | b | c;
	bad |= -(c & 3); /* canonical: the unused low bits of the last character are zero */
	raw[o++] = (uint8_t)(v >> 16);
	raw[o++] = (uint8_t)(v >> 8);
	BUG_ON(o != COOKIE_RAW_LEN);
	if (bad < 0) {
		explicit_bzero(raw, sizeof(raw));
		return -EBADMSG;
	}
	memcpy(out->raw, raw, sizeof(raw));
	explicit_bzero(raw, sizeof(raw));
	return 0;
}

bool cookie_equal(const struct cookie *a, const struct cookie *b)
{
	return ct_memeq(a->raw, b->raw, sizeof(a->raw));
}
