// SPDX-License-Identifier: GPL-2.0-or-later
/* tunnel/mtu.c — link/data MTU computation (anyconnect-protocol.md §3.6). Every input is clamped
 * into [floor, MTU_LINK_MAX] before any subtraction, so nothing can wrap (ocserv #717). */
#include "tunnel/mtu.h"

#include <errno.h>

enum {
	MTU_IPV4_UDP = 20 + 8,
	MTU_IPV6_UDP = 40 + 8,
};

/* Every link MTU we accept is >= MTU_LINK_FLOOR, so the subtraction below cannot wrap. */
static_assert(MTU_LINK_FLOOR - MTU_IPV6_UDP - MTU_DTLS_OVERHEAD_MAX >= MTU_DATA_MIN);

static unsigned min_u(unsigned a, unsigned b)
{
	return a < b ? a : b;
}

int mtu_compute(const struct mtu_input *in, struct mtu_result *out)
{
	unsigned link, proto, crypto, client_min;

	*out = (struct mtu_result){};
	link = in->cfg_mtu ? in->cfg_mtu : MTU_DEFAULT_LINK;
	if (link < MTU_LINK_FLOOR)
		return -EINVAL;
	link = min_u(link, MTU_LINK_MAX);

	crypto = in->dtls_overhead ? in->dtls_overhead : MTU_DTLS_OVERHEAD_DEFAULT;
	if (crypto > MTU_DTLS_OVERHEAD_MAX)
		return -EINVAL;
	proto = in->ipv6_transport ? MTU_IPV6_UDP : MTU_IPV4_UDP;
	client_min = in->have_ipv6_lease ? MTU_CLIENT_MIN_V6 : MTU_CLIENT_MIN_V4;

	/* The client's hints only ever lower the link MTU; absurd ones are ignored. */
	if (in->client_base_mtu >= client_min) {
		link = min_u(link, min_u(in->client_base_mtu, MTU_LINK_MAX));
	} else if (in->client_mtu > 0) {
		/* All three terms are <= MTU_LINK_MAX or MTU_DTLS_OVERHEAD_MAX: no overflow. */
		unsigned guess = min_u(in->client_mtu, MTU_LINK_MAX) + proto + crypto;

		if (guess >= client_min)
			link = min_u(link, guess);
	}
	if (in->tcp_pmtu >= MTU_LINK_FLOOR)
		link = min_u(link, in->tcp_pmtu);

	if (link < proto + crypto + MTU_DATA_MIN) /* unreachable by the static_assert; kept cheap */
		return -EINVAL;
	out->link_mtu = link;
	out->data_mtu = link - proto - crypto;
	out->ipv6_ok = in->have_ipv6_lease && out->data_mtu >= MTU_IPV6_MIN;
	return 0;
}
