// SPDX-License-Identifier: GPL-2.0-or-later
/* bpf/shared/udp_steer_maps.h — map ABI between udp_steer.bpf.c and udp_steer.c: a DTLS
 * client's source address and port → the index of the worker whose socket must receive it. */
#pragma once

#include <linux/types.h>

enum {
	UDP_STEER_MAX =
		262144, /* peers (a DTLS session may briefly hold two during a rehandshake) */
	UDP_STEER_SOCKS = 256, /* workers */
};

struct udp_steer_key {
	__u16 family;  /* 4 or 6 */
	__u16 port;    /* network byte order */
	__u8 addr[16]; /* network byte order; IPv4 in the first 4 bytes, the rest 0 */
};

_Static_assert(sizeof(struct udp_steer_key) == 20, "map ABI");
