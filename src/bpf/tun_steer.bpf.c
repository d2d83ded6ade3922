// SPDX-License-Identifier: GPL-2.0-or-later
/* bpf/tun_steer.bpf.c — TUNSETSTEERINGEBPF program: picks the TUN queue of the worker owning
 * the destination (the client's tunnel address). The kernel uses (u16)return % numqueues
 * (tun_ebpf_select_queue); unknown destinations get a hash of the address, non-IP queue 0. */
#include <linux/bpf.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>

#include "bpf/shared/steer_maps.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, STEER_MAX);
	__type(key, struct steer_key4);
	__type(value, struct steer_queue);
} steer_map4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, STEER_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct steer_key6);
	__type(value, struct steer_queue);
} steer_map6 SEC(".maps");

/* murmur3's finaliser over the xor of the address words; same address, same queue. */
static __always_inline __u32 mix(__u32 h)
{
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h & 0xffff;
}

SEC("socket")
int tun_steer(struct __sk_buff *skb)
{
	struct steer_queue *q;
	__u8 first;

	if (bpf_skb_load_bytes_relative(skb, 0, &first, 1, BPF_HDR_START_NET))
		return 0;
	if (first >> 4 == 4) {
		struct steer_key4 key;
		struct iphdr ip;
		__u32 d;

		if (bpf_skb_load_bytes_relative(skb, 0, &ip, sizeof(ip), BPF_HDR_START_NET))
			return 0;
		__builtin_memcpy(key.addr, &ip.daddr, sizeof(key.addr));
		q = bpf_map_lookup_elem(&steer_map4, &key);
		if (q)
			return q->queue;
		__builtin_memcpy(&d, &ip.daddr, sizeof(d));
		return mix(d);
	}
	if (first >> 4 == 6) {
		struct steer_key6 key = {.prefixlen = 128};
		struct ipv6hdr ip6;
		__u32 w[4];

		if (bpf_skb_load_bytes_relative(skb, 0, &ip6, sizeof(ip6), BPF_HDR_START_NET))
			return 0;
		__builtin_memcpy(key.addr, &ip6.daddr, sizeof(key.addr));
		q = bpf_map_lookup_elem(&steer_map6, &key);
		if (q)
			return q->queue;
		__builtin_memcpy(w, &ip6.daddr, sizeof(w));
		return mix(w[0] ^ w[1] ^ w[2] ^ w[3]);
	}
	return 0;
}
