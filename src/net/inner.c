// SPDX-License-Identifier: GPL-2.0-or-later
/* net/inner.c — sanity and anti-spoofing checks on IP packets coming out of the tunnel, before
 * they are written to the TUN. Pure functions over bytes; no
 * logging (they run per packet): the caller counts and logs drops. */
#include "net/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

enum {
	INNER_V4_MIN_HDR = 20,
	INNER_V6_HDR = 40,
};

static int inner_parse_v4(const uint8_t *pkt, size_t len, struct inner_pkt *out)
{
	size_t ihl_len, total;

	if (len < INNER_V4_MIN_HDR)
		return -EBADMSG;
	ihl_len = (size_t)(pkt[0] & 0x0f) * 4;
	total = (size_t)pkt[2] << 8 | pkt[3];
	if (ihl_len < INNER_V4_MIN_HDR || ihl_len > len || total != len)
		return -EBADMSG;
	*out = (struct inner_pkt){
		.family = AF_INET,
		.src = pkt + 12,
		.dst = pkt + 16,
		.len = len,
		.proto = pkt[9],
	};
	return 0;
}

static int inner_parse_v6(const uint8_t *pkt, size_t len, struct inner_pkt *out)
{
	size_t plen;

	if (len < INNER_V6_HDR)
		return -EBADMSG;
	plen = (size_t)pkt[4] << 8 | pkt[5];
	/* A jumbogram (payload length 0 with a payload) cannot fit a tunnel MTU: refused here. */
	if (plen + INNER_V6_HDR != len)
		return -EBADMSG;
	*out = (struct inner_pkt){
		.family = AF_INET6,
		.src = pkt + 8,
		.dst = pkt + 24,
		.len = len,
		.proto = pkt[6],
	};
	return 0;
}

int inner_parse(const uint8_t *pkt, size_t len, struct inner_pkt *out)
{
	*out = (struct inner_pkt){};
	if (len < 1)
		return -EBADMSG;
	switch (pkt[0] >> 4) {
	case 4:
		return inner_parse_v4(pkt, len, out);
	case 6:
		return inner_parse_v6(pkt, len, out);
	default:
		return -EBADMSG;
	}
}

/* True when the first prefix bits of a and b (16 bytes each) are equal. */
static bool prefix6_eq(const uint8_t *a, const uint8_t *b, unsigned prefix)
{
	unsigned whole = prefix / 8;
	unsigned rest = prefix % 8;
	uint8_t m;

	if (prefix > 128)
		return false;
	if (memcmp(a, b, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	m = (uint8_t)(0xff << (8 - rest));
	return (a[whole] & m) == (b[whole] & m);
}

bool inner_src_is_lease(const struct inner_pkt *p, const struct lease *l)
{
	if (l->slot == 0 || !p->src)
		return false;
	if (p->family == AF_INET)
		return l->has_v4 && memcmp(p->src, &l->v4, 4) == 0;
	if (p->family == AF_INET6)
		return l->has_v6 && prefix6_eq(p->src, l->v6.s6_addr, l->v6_prefix);
	return false;
}

bool inner_src_in_prefixes(const struct inner_pkt *p, const struct cfg_prefix *items, size_t n)
{
	for (size_t i = 0; p->src && i < n; i++) {
		const struct cfg_prefix *q = &items[i];

		if (q->family != p->family)
			continue;
		if (p->family == AF_INET) {
			uint32_t a, b,
				m = q->prefix_len == 0 ? 0 : ~UINT32_C(0) << (32 - q->prefix_len);

			memcpy(&a, p->src, 4);
			memcpy(&b, &q->addr.v4, 4);
			if (q->prefix_len <= 32 && ((ntohl(a) ^ ntohl(b)) & m) == 0)
				return true;
		} else if (prefix6_eq(p->src, q->addr.v6.s6_addr, q->prefix_len)) {
			return true;
		}
	}
	return false;
}
