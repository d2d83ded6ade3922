// SPDX-License-Identifier: GPL-2.0-or-later
/* net/tso.c — downlink side of the TUN offloads: a packet read from a TUN opened with
 * IFF_VNET_HDR is a virtio-net header plus an IP packet of up to 64 KiB (a TCP or UDP
 * "super-packet" the kernel did not segment) whose L4 checksum may be left partial. Split it
 * into the packets a client expects, each with complete headers and checksums. Segments are
 * built in place, front to back: the headers of segment i+1 overwrite the tail of segment i
 * once it was emitted. Pure: no I/O, fuzzed as is. */
#include "net/net.h"

#include <errno.h>
#include <linux/virtio_net.h>
#include <string.h>

#include "core/compiler.h"
#include "net/wire.h"

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5 /* Linux 6.2; Debian 12's headers are 6.1 */
#endif

enum {
	TSO_MAX_HDR = 256, /* IPv6 with extension headers + TCP with options, generously */
	TCP_FLAG_FIN = 0x01,
	TCP_FLAG_PSH = 0x08,
	TCP_FLAG_CWR = 0x80,
};

static_assert(sizeof(struct virtio_net_hdr) == TUN_VNET_HDR_LEN);

void csum_ipv4_header_set(uint8_t *ip)
{
	size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
	uint16_t c;

	ip[10] = ip[11] = 0;
	c = (uint16_t)~csum_fold(csum_add(0, ip, ihl));
	memcpy(ip + 10, &c, 2);
}

/* The L4 checksum of pkt[l4_off, len) stored at pkt[l4_off + csum_off], from scratch. */
static void l4_csum_set(uint8_t *pkt, size_t len, int family, size_t l4_off, size_t csum_off,
			uint8_t proto)
{
	const uint8_t *src = family == AF_INET6 ? pkt + 8 : pkt + 12;
	const uint8_t *dst = family == AF_INET6 ? pkt + 24 : pkt + 16;
	uint8_t *field = pkt + l4_off + csum_off;
	uint16_t c;

	field[0] = field[1] = 0;
	c = (uint16_t)~csum_fold(csum_add(csum_pseudo(family, src, dst, proto, len - l4_off),
					  pkt + l4_off, len - l4_off));
	if (proto == IPPROTO_UDP && c == 0)
		c = 0xffff; /* 0 means "no checksum" in UDP */
	memcpy(field, &c, 2);
}

/* The layout a GSO packet must have: IP version matching the GSO type, the L4 header where
 * the kernel says, lengths consistent with what was read. */
struct tso_layout {
	int family;
	size_t l4_off, hdr_len;
	uint8_t proto;
};

static int tso_layout_get(const struct virtio_net_hdr *vh, const uint8_t *pkt, size_t len,
			  struct tso_layout *out)
{
	uint8_t gso = vh->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
	size_t l4_off = vh->csum_start;

	if (!(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || !vh->gso_size || len < 20)
		return -EBADMSG;
	if (gso == VIRTIO_NET_HDR_GSO_TCPV4 || gso == VIRTIO_NET_HDR_GSO_UDP_L4) {
		out->family = (pkt[0] >> 4) == 4 ? AF_INET : AF_INET6;
	} else if (gso == VIRTIO_NET_HDR_GSO_TCPV6) {
		out->family = AF_INET6;
	} else {
		return -EBADMSG; /* UFO and anything newer: never requested */
	}
	if ((pkt[0] >> 4) != (out->family == AF_INET ? 4 : 6))
		return -EBADMSG;
	if (out->family == AF_INET ? l4_off != (size_t)(pkt[0] & 0x0f) * 4 || l4_off < 20
				   : l4_off < 40)
		return -EBADMSG;
	if (gso == VIRTIO_NET_HDR_GSO_UDP_L4) {
		out->proto = IPPROTO_UDP;
		out->hdr_len = l4_off + 8;
	} else {
		out->proto = IPPROTO_TCP;
		if (l4_off + 20 > len)
			return -EBADMSG;
		out->hdr_len = l4_off + (size_t)(pkt[l4_off + 12] >> 4) * 4;
		if (out->hdr_len < l4_off + 20)
			return -EBADMSG;
	}
	if (out->family == AF_INET && pkt[9] != out->proto)
		return -EBADMSG;
	if (out->hdr_len > len || out->hdr_len > TSO_MAX_HDR)
		return -EBADMSG;
	out->l4_off = l4_off;
	return 0;
}

/* Fix the headers of one segment in place: lengths, IPv4 id and header checksum, TCP sequence
 * and flags, the L4 checksum. */
static void tso_segment_fix(uint8_t *seg, size_t seg_len, const struct tso_layout *lo, unsigned i,
			    bool last, size_t mss, const uint8_t *first_hdr)
{
	uint8_t *l4 = seg + lo->l4_off;

	if (lo->family == AF_INET) {
		wire_be16_put(seg + 2, (uint16_t)seg_len);
		wire_be16_put(seg + 4, (uint16_t)(wire_be16_get(first_hdr + 4) + i));
		csum_ipv4_header_set(seg);
	} else {
		wire_be16_put(seg + 4, (uint16_t)(seg_len - 40));
	}
	if (lo->proto == IPPROTO_UDP) {
		wire_be16_put(l4 + 4, (uint16_t)(seg_len - lo->l4_off));
		l4_csum_set(seg, seg_len, lo->family, lo->l4_off, 6, IPPROTO_UDP);
		return;
	}
	wire_be32_put(l4 + 4, wire_be32_get(first_hdr + lo->l4_off + 4) + (uint32_t)(i * mss));
	uint8_t flags = first_hdr[lo->l4_off + 13];
	if (!last)
		flags &= (uint8_t)~(TCP_FLAG_FIN | TCP_FLAG_PSH);
	if (i)
		flags &= (uint8_t)~TCP_FLAG_CWR;
	l4[13] = flags;
	l4_csum_set(seg, seg_len, lo->family, lo->l4_off, 16, IPPROTO_TCP);
}

int tso_split(uint8_t *buf, size_t len, tso_emit_fn *emit, void *ctx)
{
	struct virtio_net_hdr vh;
	struct tso_layout lo;
	uint8_t hdr[TSO_MAX_HDR];
	uint8_t *pkt = buf + TUN_VNET_HDR_LEN;
	size_t payload, mss;
	unsigned nseg;

	if (len <= TUN_VNET_HDR_LEN)
		return -EBADMSG;
	memcpy(&vh, buf, sizeof(vh));
	len -= TUN_VNET_HDR_LEN;
	if (vh.gso_type == VIRTIO_NET_HDR_GSO_NONE) {
		if (vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
			/* The field holds the pseudo-header sum: summing from csum_start over it
			 * and the rest gives the full checksum. */
			size_t at = (size_t)vh.csum_start + vh.csum_offset;
			if (at + 2 > len)
				return -EBADMSG;
			uint16_t c = (uint16_t)~csum_fold(
				csum_add(0, pkt + vh.csum_start, len - vh.csum_start));
			if (c == 0 && vh.csum_offset == 6)
				c = 0xffff; /* UDP */
			memcpy(pkt + at, &c, 2);
		}
		emit(ctx, pkt, len);
		return 1;
	}
	if (tso_layout_get(&vh, pkt, len, &lo))
		return -EBADMSG;
	payload = len - lo.hdr_len;
	mss = vh.gso_size;
	nseg = payload ? (unsigned)((payload + mss - 1) / mss) : 1;
	memcpy(hdr, pkt, lo.hdr_len);
	for (unsigned i = 0; i < nseg; i++) {
		size_t off = (size_t)i * mss; /* of this segment's payload */
		size_t chunk = payload - off < mss ? payload - off : mss;
		uint8_t *seg = pkt + off; /* its headers end where its payload starts */

		if (i)
			memcpy(seg, hdr, lo.hdr_len);
		tso_segment_fix(seg, lo.hdr_len + chunk, &lo, i, i + 1 == nseg, mss, hdr);
		emit(ctx, seg, lo.hdr_len + chunk);
	}
	return (int)nseg;
}
