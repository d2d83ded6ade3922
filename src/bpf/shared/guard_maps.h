// SPDX-License-Identifier: GPL-2.0-or-later
/* bpf/shared/guard_maps.h — map ABI between xdp_guard.bpf.c and guard.c: ban tries, the
 * new-connection limiter and its config, per-CPU verdict counters. Enums are append-only. */
#pragma once

#include <linux/types.h>

enum {
	GUARD_BANS_MAX = 65536, /* entries per LPM trie (v4, v6) */
	GUARD_RATE_MAX = 65536, /* LRU limiter entries (sources) */
	GUARD_MAX_PORTS = 4,	/* per protocol */
	GUARD_V6_EXT_MAX = 4,	/* IPv6 extension headers walked before giving up */
	GUARD_VLAN_MAX = 2,	/* 802.1Q / 802.1ad tags skipped */
};

/* One slot per verdict; every packet bumps exactly one. Append only. */
enum guard_counter {
	GUARD_CNT_PASSED,	  /* ours, judged, passed */
	GUARD_CNT_DROPPED_BANNED, /* source in a ban trie, not expired */
	GUARD_CNT_DROPPED_RATE,	  /* over the per-source new-connection rate */
	GUARD_CNT_NOT_IP,	  /* not IPv4/IPv6: passed */
	GUARD_CNT_NOT_OURS,	  /* IP, but not TCP/UDP to our ports: passed */
	GUARD_CNT_MALFORMED,	  /* truncated or bad headers: passed (the stack drops them) */
	GUARD_CNT_FRAGMENT,	  /* non-first fragment (no ports to judge): passed */
	GUARD_CNT__COUNT,
};

/* LPM trie keys: prefix length first, address in network byte order. */
struct guard_ban_key4 {
	__u32 prefixlen;
	__u8 addr[4];
};
struct guard_ban_key6 {
	__u32 prefixlen;
	__u8 addr[16];
};
struct guard_ban {
	__u64 expires_ns; /* CLOCK_MONOTONIC, as bpf_ktime_get_ns(); 0 = never */
	__u32 reason;	  /* sentry's reason code, stored for inspection */
	__u32 pad;
};

/* guard_config[0]. Ports in host byte order, 0 = unused slot. rate_per_s 0 = limiter off. */
enum {
	GUARD_CFG_UDP_ALL = 1u << 0, /* limit every datagram, not only non-DTLS-data ones */
};
struct guard_config {
	__u16 tcp_ports[GUARD_MAX_PORTS];
	__u16 udp_ports[GUARD_MAX_PORTS];
	__u32 rate_per_s; /* sustained new connections per second per source */
	__u32 burst;	  /* back-to-back allowance, >= 1 when rate_per_s != 0 */
	__u32 flags;	  /* GUARD_CFG_* */
	__u32 pad;
};

/* Limiter key: v4 sources use addr[0..3] with the rest zero. */
struct guard_src {
	__u8 addr[16];
	__u32 family; /* 4 or 6 */
};
/* GCRA state: the theoretical arrival time of the next allowed packet. */
struct guard_bucket {
	__u64 tat_ns;
};

_Static_assert(sizeof(struct guard_ban_key4) == 8, "map ABI");
_Static_assert(sizeof(struct guard_ban_key6) == 20, "map ABI");
_Static_assert(sizeof(struct guard_ban) == 16, "map ABI");
_Static_assert(sizeof(struct guard_config) == 32, "map ABI");
_Static_assert(sizeof(struct guard_src) == 20, "map ABI");
_Static_assert(sizeof(struct guard_bucket) == 8, "map ABI");
