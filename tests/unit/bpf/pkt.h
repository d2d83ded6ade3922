// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/bpf/pkt.h — crafted Ethernet frames for the eBPF tests (BPF_PROG_TEST_RUN and the
 * veth test): IPv4/IPv6, TCP/UDP/ICMP, VLAN tags, IPv4 options, IPv6 extension headers. */
#pragma once

#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bpf/libbpf_bpf.h"

enum { PKT_MAX = 512, PKT_TCP = 6, PKT_UDP = 17, PKT_ICMP = 1 };
enum { PKT_SYN = 0x02, PKT_ACK = 0x10 };

struct pkt_spec {
	int family;	       /* AF_INET or AF_INET6 */
	const char *src, *dst; /* addresses as text */
	uint8_t proto;	       /* PKT_TCP, PKT_UDP, … */
	uint16_t dport;	       /* host order */
	uint8_t tcp_flags;     /* PKT_SYN, … */
	bool payload;	       /* one payload byte, first */
	uint8_t first;
	unsigned ip_opts;	    /* IPv4 option bytes (multiple of 4, ≤ 40) */
	unsigned v6_ext;	    /* IPv6 destination-options headers before L4 */
	unsigned vlans;		    /* 802.1Q tags */
	bool later_fragment;	    /* IPv4/IPv6 non-first fragment */
	int ihl;		    /* IPv4: override the header length field (0 = correct) */
	size_t cut;		    /* drop this many bytes off the end */
	const uint8_t *dmac, *smac; /* NULL = zeros */
};

static inline void pkt_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint16_t pkt_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Writes the frame into out (PKT_MAX bytes); returns its length. */
static inline size_t pkt_build(const struct pkt_spec *s, uint8_t *out)
{
	uint8_t *p = out, *ip, *l4;
	size_t l4len, iplen;

	memset(out, 0, PKT_MAX);
	if (s->dmac)
		memcpy(p, s->dmac, 6);
	if (s->smac)
		memcpy(p + 6, s->smac, 6);
	p += 12;
	for (unsigned i = 0; i < s->vlans; i++) {
		pkt_put16(p, 0x8100);
		pkt_put16(p + 2, (uint16_t)(100 + i));
		p += 4;
	}
	pkt_put16(p, s->family == AF_INET ? 0x0800 : 0x86dd);
	p += 2;
	ip = p;
	if (s->family == AF_INET) {
		ip[0] = (uint8_t)(0x40 | (s->ihl ? s->ihl : (int)(5 + s->ip_opts / 4)));
		ip[8] = 64;
		ip[9] = s->proto;
		if (s->later_fragment)
			pkt_put16(ip + 6, 100);
		inet_pton(AF_INET, s->src, ip + 12);
		inet_pton(AF_INET, s->dst, ip + 16);
		memset(ip + 20, 1, s->ip_opts); /* NOPs */
		l4 = ip + 20 + s->ip_opts;
	} else {
		uint8_t *h = ip + 40, *next = ip + 6;

		ip[0] = 0x60;
		ip[7] = 64;
		inet_pton(AF_INET6, s->src, ip + 8);
		inet_pton(AF_INET6, s->dst, ip + 24);
		for (unsigned i = 0; i < s->v6_ext; i++) {
			*next = 60; /* destination options, 8 bytes of PadN */
			next = h;
			h[1] = 0;
			h[2] = 1;
			h[3] = 4;
			h += 8;
		}
		if (s->later_fragment) {
			*next = 44;
			next = h;
			pkt_put16(h + 2, 100 << 3);
			h += 8;
		}
		*next = s->proto;
		l4 = h;
	}
	if (s->proto == PKT_TCP) {
		pkt_put16(l4, 40000);
		pkt_put16(l4 + 2, s->dport);
		l4[12] = 5 << 4;
		l4[13] = s->tcp_flags;
		pkt_put16(l4 + 14, 65535);
		l4len = 20;
	} else if (s->proto == PKT_UDP) {
		pkt_put16(l4, 40000);
		pkt_put16(l4 + 2, s->dport);
		l4len = 8;
	} else {
		l4[0] = 8; /* ICMP echo */
		l4len = 8;
	}
	if (s->payload)
		l4[l4len++] = s->first;
	if (s->proto == PKT_UDP)
		pkt_put16(l4 + 4, (uint16_t)l4len);
	iplen = (size_t)(l4 + l4len - ip);
	if (s->family == AF_INET) {
		pkt_put16(ip + 2, (uint16_t)iplen);
		pkt_put16(ip + 10, pkt_csum(ip, (size_t)(l4 - ip)));
	} else {
		pkt_put16(ip + 4, (uint16_t)(iplen - 40));
	}
	return (size_t)(l4 + l4len - out) - s->cut;
}

/* Runs prog_fd once on the frame; returns the program's return value, or -1 when the run
 * itself failed. */
static inline int64_t pkt_run(int prog_fd, const uint8_t *frame, size_t len)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = (uint32_t)len,
		    .repeat = 1);

	if (bpf_prog_test_run_opts(prog_fd, &o) != 0)
		return -1;
	return o.retval;
}
