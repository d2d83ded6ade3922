// SPDX-License-Identifier: GPL-2.0-or-later
/* bpf/xdp_guard.bpf.c — XDP on the listening interface: drops banned sources and sources over
 * the new-connection rate, for TCP/UDP to our ports only; everything else passes. Every packet
 * bumps one per-CPU verdict counter. Maps: shared/guard_maps.h; user side: guard.c. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "bpf/shared/guard_maps.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, GUARD_BANS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct guard_ban_key4);
	__type(value, struct guard_ban);
} guard_bans4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, GUARD_BANS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct guard_ban_key6);
	__type(value, struct guard_ban);
} guard_bans6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct guard_config);
} guard_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, GUARD_RATE_MAX);
	__type(key, struct guard_src);
	__type(value, struct guard_bucket);
} guard_rate SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, GUARD_CNT__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} guard_counters SEC(".maps");

/* Not in the UAPI headers. */
struct vlan_tag {
	__be16 tci;
	__be16 proto;
};
struct v6_frag {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off;
	__be32 id;
};

enum {
	DTLS_CCS = 20, /* DTLS record content types */
	DTLS_HANDSHAKE = 22,
	DTLS_HS_CLIENT_HELLO = 1, /* handshake message type, at offset 13 of the record */
	DTLS_APP_DATA = 23,	  /* DTLS 1.2 record content type application_data */
	DTLS13_UNIFIED = 0x20,	  /* DTLS 1.3 unified header: 001xxxxx */
	NSEC_PER_SEC = 1000000000,
};

static __always_inline int verdict(__u32 counter, int action)
{
	__u64 *n = bpf_map_lookup_elem(&guard_counters, &counter);

	if (n)
		*n += 1; /* per-CPU slot: no atomics needed */
	return action;
}

static __always_inline bool port_in(const __u16 *ports, __u16 port)
{
#pragma unroll
	for (int i = 0; i < GUARD_MAX_PORTS; i++) {
		if (ports[i] && ports[i] == port)
			return true;
	}
	return false;
}

static __always_inline bool banned(const struct guard_ban *ban)
{
	return ban && (ban->expires_ns == 0 || ban->expires_ns > bpf_ktime_get_ns());
}

/* GCRA: a source may send `burst` back to back, then one per 1/rate s. Racy between CPUs for
 * the same source: at worst a few extra packets pass, which is fine for a limiter. */
static __always_inline bool over_rate(const struct guard_config *cfg, const struct guard_src *src)
{
	struct guard_bucket *b;
	__u64 now, t, tau, tat;

	if (!cfg->rate_per_s)
		return false;
	now = bpf_ktime_get_ns();
	t = NSEC_PER_SEC / cfg->rate_per_s;
	tau = cfg->burst > 1 ? t * (cfg->burst - 1) : 0;
	b = bpf_map_lookup_elem(&guard_rate, src);
	if (!b) {
		struct guard_bucket fresh = {.tat_ns = now + t};

		bpf_map_update_elem(&guard_rate, src, &fresh, BPF_ANY);
		return false;
	}
	tat = b->tat_ns > now ? b->tat_ns : now;
	if (tat - now > tau)
		return true;
	b->tat_ns = tat + t;
	return false;
}

/* Judges an L4 header at l4 for a packet from src; ban is the trie's answer for src. */
static __always_inline int judge_l4(const struct guard_config *cfg, const struct guard_src *src,
				    const struct guard_ban *ban, __u8 proto, void *l4,
				    void *data_end)
{
	bool fresh;

	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = l4;

		if ((void *)(th + 1) > data_end)
			return verdict(GUARD_CNT_MALFORMED, XDP_PASS);
		if (!port_in(cfg->tcp_ports, bpf_ntohs(th->dest)))
			return verdict(GUARD_CNT_NOT_OURS, XDP_PASS);
		fresh = th->syn && !th->ack;
	} else if (proto == IPPROTO_UDP) {
		struct udphdr *uh = l4;
		__u8 *first = (void *)(uh + 1);

		if ((void *)(uh + 1) > data_end)
			return verdict(GUARD_CNT_MALFORMED, XDP_PASS);
		if (!port_in(cfg->udp_ports, bpf_ntohs(uh->dest)))
			return verdict(GUARD_CNT_NOT_OURS, XDP_PASS);
		/* A new DTLS session is its ClientHello (twice, with the HelloVerifyRequest
		 * cookie); the rest of a handshake, alerts and data records of live sessions are
		 * not new connections. Anything that is no DTLS at all counts, so floods are
		 * limited. */
		fresh = true;
		if (!(cfg->flags & GUARD_CFG_UDP_ALL) && (void *)(first + 1) <= data_end) {
			__u8 type = *first;
			if (type == DTLS_APP_DATA || (type & 0xe0) == DTLS13_UNIFIED ||
			    type == DTLS_CCS || type == DTLS_CCS + 1)
				fresh = false;
			else if (type == DTLS_HANDSHAKE && (void *)(first + 14) <= data_end &&
				 first[13] != DTLS_HS_CLIENT_HELLO)
				fresh = false;
		}
	} else {
		return verdict(GUARD_CNT_NOT_OURS, XDP_PASS);
	}
	if (banned(ban))
		return verdict(GUARD_CNT_DROPPED_BANNED, XDP_DROP);
	if (fresh && over_rate(cfg, src))
		return verdict(GUARD_CNT_DROPPED_RATE, XDP_DROP);
	return verdict(GUARD_CNT_PASSED, XDP_PASS);
}

static __always_inline int judge_v4(const struct guard_config *cfg, void *pos, void *data_end)
{
	struct guard_ban_key4 key = {.prefixlen = 32};
	struct guard_src src = {.family = 4};
	struct iphdr *ip = pos;
	void *l4;

	if ((void *)(ip + 1) > data_end)
		return verdict(GUARD_CNT_MALFORMED, XDP_PASS);
	if (ip->ihl < 5)
		return verdict(GUARD_CNT_MALFORMED, XDP_PASS);
	l4 = pos + ip->ihl * 4; /* options are skipped, not parsed */
	if (ip->frag_off & bpf_htons(0x1fff))
		return verdict(GUARD_CNT_FRAGMENT, XDP_PASS);
	__builtin_memcpy(key.addr, &ip->saddr, sizeof(key.addr));
	__builtin_memcpy(src.addr, &ip->saddr, 4);
	return judge_l4(cfg, &src, bpf_map_lookup_elem(&guard_bans4, &key), ip->protocol, l4,
			data_end);
}

static __always_inline int judge_v6(const struct guard_config *cfg, void *pos, void *data_end)
{
	struct guard_ban_key6 key = {.prefixlen = 128};
	struct guard_src src = {.family = 6};
	struct ipv6hdr *ip6 = pos;
	__u8 next;

	if ((void *)(ip6 + 1) > data_end)
		return verdict(GUARD_CNT_MALFORMED, XDP_PASS);
	next = ip6->nexthdr;
	pos = ip6 + 1;
	/* A bounded walk over the extension headers that may precede TCP/UDP. */
#pragma unroll
	for (int i = 0; i < GUARD_V6_EXT_MAX; i++) {
		if (next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING || next == IPPROTO_DSTOPTS) {
			struct ipv6_opt_hdr *oh = pos;

			if ((void *)(oh + 1) > data_end)
				return verdict(GUARD_CNT_MALFORMED, XDP_PASS);
			next = oh->nexthdr;
			pos += (oh->hdrlen + 1) * 8;
		} else if (next == IPPROTO_FRAGMENT) {
			struct v6_frag *fh = pos;

			if ((void *)(fh + 1) > data_end)
				return verdict(GUARD_CNT_MALFORMED, XDP_PASS);
			if (fh->frag_off & bpf_htons(0xfff8))
				return verdict(GUARD_CNT_FRAGMENT, XDP_PASS);
			next = fh->nexthdr;
			pos = fh + 1;
		} else {
			break;
		}
	}
	__builtin_memcpy(key.addr, &ip6->saddr, sizeof(key.addr));
	__builtin_memcpy(src.addr, &ip6->saddr, sizeof(src.addr));
	/* More than GUARD_V6_EXT_MAX extension headers ends up here as "not ours". */
	return judge_l4(cfg, &src, bpf_map_lookup_elem(&guard_bans6, &key), next, pos, data_end);
}

SEC("xdp")
int xdp_guard(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *pos = (void *)(long)ctx->data;
	struct ethhdr *eth = pos;
	struct guard_config *cfg;
	__u32 zero = 0;
	__be16 proto;

	if ((void *)(eth + 1) > data_end)
		return verdict(GUARD_CNT_MALFORMED, XDP_PASS);
	proto = eth->h_proto;
	pos = eth + 1;
#pragma unroll
	for (int i = 0; i < GUARD_VLAN_MAX; i++) {
		struct vlan_tag *tag = pos;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(tag + 1) > data_end)
			return verdict(GUARD_CNT_MALFORMED, XDP_PASS);
		proto = tag->proto;
		pos = tag + 1;
	}
	cfg = bpf_map_lookup_elem(&guard_config, &zero);
	if (!cfg)
		return verdict(GUARD_CNT_NOT_OURS, XDP_PASS);
	if (proto == bpf_htons(ETH_P_IP))
		return judge_v4(cfg, pos, data_end);
	if (proto == bpf_htons(ETH_P_IPV6))
		return judge_v6(cfg, pos, data_end);
	return verdict(GUARD_CNT_NOT_IP, XDP_PASS);
}
