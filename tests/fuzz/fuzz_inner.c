// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz target for net/inner.c: inner_parse on arbitrary bytes, then the anti-spoofing check
 * against a fixed dual-stack lease. Any claim past the input is a crash. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "net/net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t v4[4] = {198, 18, 0, 2};
	struct lease l = {
		.slot = 2,
		.has_v4 = true,
		.has_v6 = true,
		.v6 = {.s6_addr = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2}}, /* 2001:db8:1:2::/64 */
		.v6_prefix = 64,
	};
	struct inner_pkt p;
	size_t alen;

	memcpy(&l.v4, v4, sizeof(v4));

	if (inner_parse(data, size, &p) != 0)
		return 0;
	alen = p.family == AF_INET ? 4 : 16;
	if ((p.family != AF_INET && p.family != AF_INET6) || p.len != size || p.src < data ||
	    p.src + alen > data + size || p.dst < data || p.dst + alen > data + size)
		__builtin_trap();
	(void)inner_src_is_lease(&p, &l);
	return 0;
}
