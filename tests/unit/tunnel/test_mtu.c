// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for tunnel/mtu.c: the worked numbers of anyconnect-protocol.md §3.6 and every
 * absurd client value clamped without underflow (ocserv #717). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <cmocka.h>

#include "tunnel/mtu.h"

struct mtu_case {
	const char *name;
	struct mtu_input in;
	int ret;
	unsigned link, data;
	bool ipv6_ok;
};

static const struct mtu_case mtu_cases[] = {
	/* 1500 - 28 (IPv4+UDP) - 38 (DTLS 1.2 AES-GCM + type byte) */
	{"defaults ipv4 aes-gcm", {}, 0, 1500, 1434, false},
	{"ipv6 transport", {.ipv6_transport = true}, 0, 1500, 1414, false},
	{"ipv6 lease ok", {.have_ipv6_lease = true}, 0, 1500, 1434, true},
	{"cbc-sha1 overhead", {.dtls_overhead = 13 + 16 + 20 + 16 + 1}, 0, 1500, 1406, false},
	{"cfg mtu 1400", {.cfg_mtu = 1400}, 0, 1400, 1334, false},
	{"client base lower", {.client_base_mtu = 1300}, 0, 1300, 1234, false},
	{"cfg lower than client", {.cfg_mtu = 1300, .client_base_mtu = 1500}, 0, 1300, 1234, false},
	{"base 0 = absent", {.client_base_mtu = 0}, 0, 1500, 1434, false},
	{"base 1 ignored", {.client_base_mtu = 1}, 0, 1500, 1434, false},
	{"base 100 ignored", {.client_base_mtu = 100}, 0, 1500, 1434, false},
	{"base 799 ignored", {.client_base_mtu = 799}, 0, 1500, 1434, false},
	{"base 800 accepted", {.client_base_mtu = 800}, 0, 800, 734, false},
	{"base 1279 ignored with v6 lease",
	 {.client_base_mtu = 1279, .have_ipv6_lease = true},
	 0,
	 1500,
	 1434,
	 true},
	{"base 1280 with v6 lease: no v6",
	 {.client_base_mtu = 1280, .have_ipv6_lease = true},
	 0,
	 1280,
	 1214,
	 false},
	{"base 65535 clamped", {.client_base_mtu = 65535}, 0, 1500, 1434, false},
	{"base UINT_MAX clamped", {.client_base_mtu = UINT_MAX}, 0, 1500, 1434, false},
	{"base huge, cfg huge",
	 {.cfg_mtu = UINT_MAX, .client_base_mtu = UINT_MAX},
	 0,
	 MTU_LINK_MAX,
	 MTU_LINK_MAX - 66,
	 false},
	{"client mtu only", {.client_mtu = 1390}, 0, 1456, 1390, false},
	{"client mtu 1 ignored", {.client_mtu = 1}, 0, 1500, 1434, false},
	{"client mtu UINT_MAX clamped", {.client_mtu = UINT_MAX}, 0, 1500, 1434, false},
	{"base wins over mtu", {.client_base_mtu = 1400, .client_mtu = 1000}, 0, 1400, 1334, false},
	{"tiny base falls back to mtu",
	 {.client_base_mtu = 5, .client_mtu = 1200},
	 0,
	 1266,
	 1200,
	 false},
	{"tcp pmtu lower", {.tcp_pmtu = 1400}, 0, 1400, 1334, false},
	{"tcp pmtu higher", {.tcp_pmtu = 9000}, 0, 1500, 1434, false},
	{"tcp pmtu absurd ignored", {.tcp_pmtu = 100}, 0, 1500, 1434, false},
	{"tcp pmtu floor", {.tcp_pmtu = MTU_LINK_FLOOR}, 0, 576, 510, false},
	{"cfg at floor", {.cfg_mtu = MTU_LINK_FLOOR}, 0, 576, 510, false},
	{"cfg below floor", {.cfg_mtu = MTU_LINK_FLOOR - 1}, -EINVAL, 0, 0, false},
	{"overhead at max", {.dtls_overhead = MTU_DTLS_OVERHEAD_MAX}, 0, 1500, 1216, false},
	{"overhead past max", {.dtls_overhead = MTU_DTLS_OVERHEAD_MAX + 1}, -EINVAL, 0, 0, false},
	/* the smallest data MTU possible: floor link, IPv6 transport, largest overhead */
	{"worst case",
	 {.cfg_mtu = MTU_LINK_FLOOR,
	  .ipv6_transport = true,
	  .dtls_overhead = MTU_DTLS_OVERHEAD_MAX},
	 0,
	 576,
	 576 - 48 - 256,
	 false},
};

static void test_mtu_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(mtu_cases) / sizeof(mtu_cases[0]); i++) {
		const struct mtu_case *c = &mtu_cases[i];
		struct mtu_result r = {1, 1, true};
		int ret = mtu_compute(&c->in, &r);

		if (ret != c->ret || r.link_mtu != c->link || r.data_mtu != c->data ||
		    r.ipv6_ok != c->ipv6_ok)
			fail_msg("case '%s': ret %d link %u data %u v6 %d", c->name, ret,
				 r.link_mtu, r.data_mtu, r.ipv6_ok);
	}
}

/* Whatever the client says, the result is sane: data never wraps and never grows the link. */
static void test_mtu_sweep(void **state)
{
	static const unsigned vals[] = {0,    1,     27,    28,	   66,	  67,	   100,
					575,  576,   799,   800,   1279,  1280,	   1500,
					9000, 16384, 16385, 65535, 65536, UINT_MAX};

	(void)state;
	for (size_t a = 0; a < sizeof(vals) / sizeof(vals[0]); a++) {
		for (size_t b = 0; b < sizeof(vals) / sizeof(vals[0]); b++) {
			for (int v6 = 0; v6 < 4; v6++) {
				struct mtu_input in = {.client_base_mtu = vals[a],
						       .client_mtu = vals[b],
						       .tcp_pmtu = vals[b],
						       .ipv6_transport = v6 & 1,
						       .have_ipv6_lease = v6 & 2};
				struct mtu_result r;

				assert_int_equal(mtu_compute(&in, &r), 0);
				assert_true(r.link_mtu <= 1500);
				assert_true(r.link_mtu >= MTU_LINK_FLOOR);
				assert_true(r.data_mtu >= MTU_DATA_MIN);
				assert_true(r.data_mtu < r.link_mtu);
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mtu_table),
		cmocka_unit_test(test_mtu_sweep),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
