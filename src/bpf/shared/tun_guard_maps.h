// SPDX-License-Identifier: GPL-2.0-or-later
/* bpf/shared/tun_guard_maps.h — map ABI between tun_guard.bpf.c and tun_guard.c: leases by
 * tunnel address with per-lease counters, per-CPU verdict counters. Enums are append-only. */
#pragma once

#include <linux/types.h>

enum {
	TG_LEASES_MAX = 65536, /* entries per family */
};

enum tg_counter {
	TG_CNT_PASSED,	      /* source is a known lease */
	TG_CNT_DROPPED_SPOOF, /* source is not a known lease */
	TG_CNT_DROPPED_BAD,   /* not IPv4/IPv6 or truncated header */
	TG_CNT__COUNT,
};

/* IPv4 leases: hash on the address (network byte order). */
struct tg_key4 {
	__u8 addr[4];
};
/* IPv6 leases are prefixes (ipv6-subnet-prefix): LPM trie. */
struct tg_key6 {
	__u32 prefixlen;
	__u8 addr[16];
};
/* bytes/packets are added atomically by the program; user space only reads them. */
struct tg_lease {
	__u32 slot; /* the pool slot, for the reader's convenience */
	__u32 pad;
	__u64 bytes; /* inner IP packet lengths (header total length) */
	__u64 packets;
};

_Static_assert(sizeof(struct tg_key4) == 4, "map ABI");
_Static_assert(sizeof(struct tg_key6) == 20, "map ABI");
_Static_assert(sizeof(struct tg_lease) == 24, "map ABI");
