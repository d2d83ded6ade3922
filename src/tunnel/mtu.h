// SPDX-License-Identifier: GPL-2.0-or-later
/* tunnel/mtu.h — link and data (tunnel) MTU maths for the CONNECT reply (anyconnect-protocol.md
 * §3.6). Pure: client values are range-checked before anything is subtracted (ocserv #717). */
#pragma once

#include <stdint.h>

enum {
	MTU_DEFAULT_LINK = 1500,
	MTU_LINK_FLOOR = 576,	  /* below this a configured/kernel link MTU is not believed */
	MTU_LINK_MAX = 16384,	  /* every value is clamped to this before use */
	MTU_CLIENT_MIN_V4 = 800,  /* smallest client hint accepted (ocserv MIN_MTU) … */
	MTU_CLIENT_MIN_V6 = 1280, /* … or this when the client gets an IPv6 lease */
	MTU_DATA_MIN = 256,	  /* smallest data MTU worth running a tunnel with */
	MTU_IPV6_MIN = 1280,	  /* IPv6 needs this inner MTU (RFC 8200) */
	MTU_DTLS_OVERHEAD_DEFAULT = 13 + 8 + 16 + 1, /* DTLS 1.2 AES-GCM record + CSTP type byte */
	MTU_DTLS_OVERHEAD_MAX = 256,
};

struct mtu_input {
	unsigned cfg_mtu;	  /* configured link MTU; 0 = MTU_DEFAULT_LINK */
	unsigned client_base_mtu; /* X-CSTP-Base-MTU, 0 = absent */
	unsigned client_mtu;	  /* X-CSTP-MTU, 0 = absent */
	unsigned tcp_pmtu;	  /* TCP_INFO pmtu of the control connection, 0 = unknown */
	bool ipv6_transport;	  /* client reached us over IPv6 */
	unsigned dtls_overhead;	  /* DTLS record overhead + 1 type byte; 0 = default (AES-GCM) */
	bool have_ipv6_lease;
};

struct mtu_result {
	unsigned link_mtu; /* X-CSTP-Base-MTU */
	unsigned data_mtu; /* X-CSTP-MTU (and X-DTLS-MTU); also the tun MTU for this client */
	bool ipv6_ok;	   /* have_ipv6_lease and data_mtu >= 1280: offer IPv6 */
};

/* link = min(cfg, client Base-MTU (or X-CSTP-MTU + overheads) when >= the client minimum,
 * tcp_pmtu when >= MTU_LINK_FLOOR), data = link - IP/UDP - DTLS overhead.
 * Returns 0 and fills *out (data_mtu >= MTU_DATA_MIN, < link_mtu <= MTU_LINK_MAX), or -EINVAL
 * (out zeroed) when the configured MTU is below MTU_LINK_FLOOR or the DTLS overhead is above
 * MTU_DTLS_OVERHEAD_MAX. */
[[nodiscard]] int mtu_compute(const struct mtu_input *in, struct mtu_result *out);
