// SPDX-License-Identifier: GPL-2.0-or-later
/* bpf/shared/steer_maps.h — map ABI between tun_steer.bpf.c and steer.c: tunnel destination
 * address → TUN queue index. */
#pragma once

#include <linux/types.h>

enum {
	STEER_MAX = 65536, /* entries per family */
};

struct steer_key4 {
	__u8 addr[4]; /* network byte order */
};
/* IPv6 clients own a prefix: LPM trie. */
struct steer_key6 {
	__u32 prefixlen;
	__u8 addr[16];
};
struct steer_queue {
	__u32 queue; /* TUN queue index; the kernel takes it modulo the queue count */
};

_Static_assert(sizeof(struct steer_key4) == 4, "map ABI");
_Static_assert(sizeof(struct steer_key6) == 20, "map ABI");
_Static_assert(sizeof(struct steer_queue) == 4, "map ABI");
