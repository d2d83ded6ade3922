// SPDX-License-Identifier: GPL-2.0-or-later
/* net/csum.c — the Internet checksum (RFC 1071) for the TUN offloads: summed over native
 * 64-bit words (the one's-complement sum does not care about byte order as long as the result
 * is stored back the same way), folded to 16 bits at the end. */
#include "net/net.h"

#include <string.h>

static uint64_t add_carry(uint64_t sum, uint64_t v)
{
	sum += v;
	return sum + (sum < v);
}

uint64_t csum_add(uint64_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len >= 32) {
		uint64_t a, b, c, d;

		memcpy(&a, p, 8);
		memcpy(&b, p + 8, 8);
		memcpy(&c, p + 16, 8);
		memcpy(&d, p + 24, 8);
		sum = add_carry(add_carry(add_carry(add_carry(sum, a), b), c), d);
		p += 32;
		len -= 32;
	}
	while (len >= 8) {
		uint64_t a;

		memcpy(&a, p, 8);
		sum = add_carry(sum, a);
		p += 8;
		len -= 8;
	}
	if (len) {
		uint64_t a = 0;

		memcpy(&a, p, len); /* zero padding keeps every 16-bit lane aligned */
		sum = add_carry(sum, a);
	}
	return sum;
}

uint16_t csum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint64_t csum_pseudo(int family, const uint8_t *src, const uint8_t *dst, uint8_t proto,
		     size_t l4_len)
{
	size_t alen = family == AF_INET6 ? 16 : 4;
	uint8_t tail[8] = {
		(uint8_t)(l4_len >> 24),
		(uint8_t)(l4_len >> 16),
		(uint8_t)(l4_len >> 8),
		(uint8_t)l4_len,
		0,
		0,
		0,
		proto,
	};

	/* IPv4's 12-byte pseudo header sums to the same as IPv6's layout of the same fields. */
	return csum_add(csum_add(csum_add(0, src, alen), dst, alen), tail, sizeof(tail));
}
