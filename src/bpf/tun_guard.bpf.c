// SPDX-License-Identifier: GPL-2.0-or-later
/* bpf/tun_guard.bpf.c — TC ingress on the TUN (packets the server writes = client uplink):
 * drops inner packets whose source is not a leased tunnel address and counts bytes/packets per
 * lease. Mirrors the user-space check in net/inner.c. Maps: shared/tun_guard_maps.h. */
#include <linux/bpf.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "bpf/shared/tun_guard_maps.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TG_LEASES_MAX);
	__type(key, struct tg_key4);
	__type(value, struct tg_lease);
} tg_leases4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, TG_LEASES_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct tg_key6);
	__type(value, struct tg_lease);
} tg_leases6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TG_CNT__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} tg_counters SEC(".maps");

static __always_inline int verdict(__u32 counter, int action)
{
	__u64 *n = bpf_map_lookup_elem(&tg_counters, &counter);

	if (n)
		*n += 1;
	return action;
}

static __always_inline int account(struct tg_lease *l, __u64 len)
{
	if (!l)
		return verdict(TG_CNT_DROPPED_SPOOF, TC_ACT_SHOT);
	__sync_fetch_and_add(&l->bytes, len);
	__sync_fetch_and_add(&l->packets, 1);
	return verdict(TG_CNT_PASSED, TC_ACT_OK);
}

/* Headers are read relative to the network header: on a TUN there is no link header, in
 * BPF_PROG_TEST_RUN there is an Ethernet one; both set the network header. */
SEC("tc")
int tun_guard(struct __sk_buff *skb)
{
	__u8 first;

	if (bpf_skb_load_bytes_relative(skb, 0, &first, 1, BPF_HDR_START_NET))
		return verdict(TG_CNT_DROPPED_BAD, TC_ACT_SHOT);
	if (first >> 4 == 4) {
		struct tg_key4 key;
		struct iphdr ip;

		if (bpf_skb_load_bytes_relative(skb, 0, &ip, sizeof(ip), BPF_HDR_START_NET))
			return verdict(TG_CNT_DROPPED_BAD, TC_ACT_SHOT);
		__builtin_memcpy(key.addr, &ip.saddr, sizeof(key.addr));
		struct tg_lease *l = bpf_map_lookup_elem(&tg_leases4, &key);
		if (!l) {
			/* Networks behind a client (iroutes) sit in the IPv6 trie, v4-mapped. */
			struct tg_key6 k6 = {.prefixlen = 128, .addr = {[10] = 0xff, [11] = 0xff}};

			__builtin_memcpy(&k6.addr[12], &ip.saddr, 4);
			l = bpf_map_lookup_elem(&tg_leases6, &k6);
		}
		return account(l, bpf_ntohs(ip.tot_len));
	}
	if (first >> 4 == 6) {
		struct tg_key6 key = {.prefixlen = 128};
		struct ipv6hdr ip6;

		if (bpf_skb_load_bytes_relative(skb, 0, &ip6, sizeof(ip6), BPF_HDR_START_NET))
			return verdict(TG_CNT_DROPPED_BAD, TC_ACT_SHOT);
		__builtin_memcpy(key.addr, &ip6.saddr, sizeof(key.addr));
		return account(bpf_map_lookup_elem(&tg_leases6, &key),
			       sizeof(ip6) + bpf_ntohs(ip6.payload_len));
	}
	return verdict(TG_CNT_DROPPED_BAD, TC_ACT_SHOT);
}
