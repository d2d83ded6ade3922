// SPDX-License-Identifier: GPL-2.0-or-later
/* net/gro.c — uplink side of the TUN offloads: consecutive TCP segments of one flow that
 * arrive in one worker round are merged into one super-packet and written to the TUN with a
 * GSO virtio-net header, so the kernel forwards one large packet instead of dozens (what GRO
 * does on a NIC). Merging follows the kernel's GRO rules: same addresses, ports, ack, window,
 * options and IP fields; in-order sequence numbers; every segment but the last exactly the
 * first's size; only ACK/PSH flags; a PSH ends the packet. Anything else is written as it
 * came, after whatever of its flow is pending, so a flow is never reordered. */
#include "net/net.h"

#include <errno.h>
#include <linux/virtio_net.h>
#include <stdlib.h>
#include <string.h>

#include "net/wire.h"

enum {
	GRO_FLOWS = 8,
	GRO_MAX_PKT = 65535, /* the IPv4 total length / IPv6 payload length limit */
	TCP_ACK = 0x10,
	TCP_PSH = 0x08,
};

struct gro_flow {
	uint8_t *buf; /* the merged packet; GRO_MAX_PKT bytes, allocated on first use */
	size_t len;   /* 0 = slot free */
	int family;
	size_t l4_off, hdr_len;
	size_t mss; /* payload of the first segment */
	uint32_t next_seq;
	unsigned segs;
	bool closed; /* a short segment or a PSH was merged: nothing may follow */
};

struct gro {
	gro_write_fn *write;
	void *ctx;
	struct gro_flow flows[GRO_FLOWS];
	unsigned next_victim; /* round-robin eviction when every slot is busy */
};

/* What a merge needs to know about one TCP segment. */
struct tcp_seg {
	int family;
	size_t l4_off, hdr_len, payload;
	uint32_t seq;
	uint8_t flags;
};

int gro_new(gro_write_fn *write, void *ctx, struct gro **out)
{
	struct gro *g;

	*out = nullptr;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->write = write;
	g->ctx = ctx;
	*out = g;
	return 0;
}

void gro_free(struct gro *g)
{
	if (!g)
		return;
	for (unsigned i = 0; i < GRO_FLOWS; i++)
		free(g->flows[i].buf);
	free(g);
}

/* A segment worth merging: plain IPv4 (no options, not a fragment) or IPv6 without extension
 * headers, TCP with payload and only ACK (+PSH). len is the IP length (inner_parse checked). */
static bool tcp_seg_parse(const uint8_t *pkt, size_t len, struct tcp_seg *s)
{
	if ((pkt[0] >> 4) == 4) {
		if (pkt[0] != 0x45 || pkt[9] != IPPROTO_TCP || (pkt[6] & 0x3f) || pkt[7])
			return false; /* options, or MF / fragment offset */
		s->family = AF_INET;
		s->l4_off = 20;
	} else {
		if (len < 40 || pkt[6] != IPPROTO_TCP)
			return false;
		s->family = AF_INET6;
		s->l4_off = 40;
	}
	if (len < s->l4_off + 20)
		return false;
	s->hdr_len = s->l4_off + (size_t)(pkt[s->l4_off + 12] >> 4) * 4;
	if (s->hdr_len < s->l4_off + 20 || s->hdr_len >= len)
		return false; /* bad offset, or no payload (pure ACKs are not merged) */
	s->flags = pkt[s->l4_off + 13];
	if ((s->flags & (uint8_t)~TCP_PSH) != TCP_ACK)
		return false;
	s->payload = len - s->hdr_len;
	s->seq = wire_be32_get(pkt + s->l4_off + 4);
	return true;
}

/* Same flow: addresses and ports. */
static bool same_flow(const struct gro_flow *f, const uint8_t *pkt, const struct tcp_seg *s)
{
	const uint8_t *head = f->buf;

	if (f->family != s->family)
		return false;
	if (s->family == AF_INET)
		return !memcmp(head + 12, pkt + 12, 8) && !memcmp(head + 20, pkt + 20, 4);
	return !memcmp(head + 8, pkt + 8, 32) && !memcmp(head + 40, pkt + 40, 4);
}

/* Mergeable behind f: IP fields that must agree (IPv4: TOS, DF, TTL; IPv6: class, flow label,
 * hop limit), ack + window + options identical, in order, sizes as GRO wants them. */
static bool can_merge(const struct gro_flow *f, const uint8_t *pkt, const struct tcp_seg *s)
{
	const uint8_t *head = f->buf;

	if (f->closed || s->hdr_len != f->hdr_len || s->seq != f->next_seq || s->payload > f->mss ||
	    f->len + s->payload > GRO_MAX_PKT)
		return false;
	if (s->family == AF_INET) {
		if (head[1] != pkt[1] || (head[6] & 0x40) != (pkt[6] & 0x40) || head[8] != pkt[8])
			return false;
	} else if (memcmp(head, pkt, 4) || head[7] != pkt[7]) {
		return false;
	}
	/* ack (8..11), data offset/reserved (12), window (14..15), options (20..): flags differ
	 * only in PSH, urgent pointer is zero without URG. */
	return !memcmp(head + s->l4_off + 8, pkt + s->l4_off + 8, 5) &&
	       !memcmp(head + s->l4_off + 14, pkt + s->l4_off + 14, 2) &&
	       !memcmp(head + s->l4_off + 20, pkt + s->l4_off + 20, s->hdr_len - s->l4_off - 20);
}

/* Write f out (as it came when it holds one segment) and free the slot. */
static void flow_flush(struct gro *g, struct gro_flow *f)
{
	uint8_t *pkt = f->buf;
	struct virtio_net_hdr vh = {};

	if (!f->len)
		return;
	if (f->segs > 1) {
		const uint8_t *src = f->family == AF_INET6 ? pkt + 8 : pkt + 12;
		const uint8_t *dst = f->family == AF_INET6 ? pkt + 24 : pkt + 16;
		uint16_t partial;

		if (f->family == AF_INET) {
			wire_be16_put(pkt + 2, (uint16_t)f->len);
			csum_ipv4_header_set(pkt);
		} else {
			wire_be16_put(pkt + 4, (uint16_t)(f->len - 40));
		}
		/* CHECKSUM_PARTIAL: the field holds the folded pseudo-header sum; the kernel
		 * completes it, or trusts it when it delivers the packet locally. */
		partial = csum_fold(
			csum_pseudo(f->family, src, dst, IPPROTO_TCP, f->len - f->l4_off));
		memcpy(pkt + f->l4_off + 16, &partial, 2);
		vh = (struct virtio_net_hdr){
			.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
			.gso_type = f->family == AF_INET ? VIRTIO_NET_HDR_GSO_TCPV4
							 : VIRTIO_NET_HDR_GSO_TCPV6,
			.hdr_len = (uint16_t)f->hdr_len,
			.gso_size = (uint16_t)f->mss,
			.csum_start = (uint16_t)f->l4_off,
			.csum_offset = 16,
		};
	}
	g->write(g->ctx, &vh, pkt, f->len);
	f->len = 0;
}

static void flow_start(struct gro_flow *f, const uint8_t *pkt, size_t len, const struct tcp_seg *s)
{
	memcpy(f->buf, pkt, len);
	f->len = len;
	f->family = s->family;
	f->l4_off = s->l4_off;
	f->hdr_len = s->hdr_len;
	f->mss = s->payload;
	f->next_seq = s->seq + (uint32_t)s->payload;
	f->segs = 1;
	f->closed = (s->flags & TCP_PSH) != 0;
}

static void flow_append(struct gro_flow *f, const uint8_t *pkt, const struct tcp_seg *s)
{
	memcpy(f->buf + f->len, pkt + s->hdr_len, s->payload);
	f->len += s->payload;
	f->next_seq += (uint32_t)s->payload;
	f->segs++;
	if (s->flags & TCP_PSH) {
		f->buf[f->l4_off + 13] |= TCP_PSH; /* the kernel puts it on the last segment */
		f->closed = true;
	}
	if (s->payload < f->mss)
		f->closed = true;
}

/* A free slot, allocating its buffer; when all are busy, the next in turn is written out. */
static struct gro_flow *flow_slot(struct gro *g)
{
	struct gro_flow *f = nullptr;

	for (unsigned i = 0; i < GRO_FLOWS && !f; i++)
		if (!g->flows[i].len)
			f = &g->flows[i];
	if (!f) {
		f = &g->flows[g->next_victim++ % GRO_FLOWS];
		flow_flush(g, f);
	}
	if (!f->buf)
		f->buf = malloc(GRO_MAX_PKT);
	return f;
}

void gro_add(struct gro *g, const uint8_t *pkt, size_t len)
{
	static const struct virtio_net_hdr none = {};
	struct gro_flow *f = nullptr;
	struct tcp_seg s;

	if (!tcp_seg_parse(pkt, len, &s)) {
		/* Not mergeable (a pure ACK, a FIN, ICMP...): whatever is pending goes first, so
		 * no flow is reordered. */
		gro_flush(g);
		g->write(g->ctx, &none, pkt, len);
		return;
	}
	for (unsigned i = 0; i < GRO_FLOWS && !f; i++)
		if (g->flows[i].len && same_flow(&g->flows[i], pkt, &s))
			f = &g->flows[i];
	if (f && can_merge(f, pkt, &s)) {
		flow_append(f, pkt, &s);
		return;
	}
	if (f)
		flow_flush(g, f);
	else
		f = flow_slot(g);
	if (!f || !f->buf) {
		g->write(g->ctx, &none, pkt, len); /* no memory for a slot: as it came */
		return;
	}
	flow_start(f, pkt, len, &s);
}

void gro_flush(struct gro *g)
{
	for (unsigned i = 0; i < GRO_FLOWS; i++)
		flow_flush(g, &g->flows[i]);
}
