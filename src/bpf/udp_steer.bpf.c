// SPDX-License-Identifier: GPL-2.0-or-later
/* bpf/udp_steer.bpf.c — SO_ATTACH_REUSEPORT_EBPF program on the DTLS port's SO_REUSEPORT group:
 * a datagram from a known DTLS client goes to the socket of the worker that owns its session;
 * anything else (ClientHellos, strangers) to the kernel's usual hash pick. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "bpf/shared/udp_steer_maps.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY);
	__uint(max_entries, UDP_STEER_SOCKS);
	__type(key, __u32);
	__type(value, __u64);
} udp_socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, UDP_STEER_MAX);
	__type(key, struct udp_steer_key);
	__type(value, __u32);
} udp_peers SEC(".maps");

SEC("sk_reuseport")
int udp_steer(struct sk_reuseport_md *md)
{
	struct udp_steer_key key = {};
	__u32 udp_off, *worker;

	if (md->eth_protocol == bpf_htons(ETH_P_IP)) {
		struct iphdr ip;

		if (bpf_skb_load_bytes_relative(md, 0, &ip, sizeof(ip), BPF_HDR_START_NET))
			return SK_PASS;
		key.family = 4;
		__builtin_memcpy(key.addr, &ip.saddr, 4);
		udp_off = (__u32)ip.ihl * 4;
	} else if (md->eth_protocol == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr ip6;

		if (bpf_skb_load_bytes_relative(md, 0, &ip6, sizeof(ip6), BPF_HDR_START_NET))
			return SK_PASS;
		if (ip6.nexthdr != 17 /* IPPROTO_UDP: extension headers take the hash pick */)
			return SK_PASS;
		key.family = 6;
		__builtin_memcpy(key.addr, &ip6.saddr, 16);
		udp_off = sizeof(ip6);
	} else {
		return SK_PASS;
	}
	if (udp_off < 20 || udp_off > 60)
		return SK_PASS;
	if (bpf_skb_load_bytes_relative(md, udp_off, &key.port, sizeof(key.port),
					BPF_HDR_START_NET))
		return SK_PASS;
	worker = bpf_map_lookup_elem(&udp_peers, &key);
	if (worker)
		bpf_sk_select_reuseport(md, &udp_socks, worker, 0); /* on failure: the hash pick */
	return SK_PASS;
}
