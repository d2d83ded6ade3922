// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for tunnel/user_agent.c: the §2.2 prefix table, case-insensitivity, order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tunnel/user_agent.h"

static const struct {
	const char *ua;
	enum ua_class want;
} ua_cases[] = {
	{"Open AnyConnect VPN Agent v9.01-3", UA_OPENCONNECT},
	{"Open AnyConnect VPN Agent v4.0", UA_OPENCONNECT},
	{"Open AnyConnect VPN Agent v3.99", UA_OPENCONNECT_V3},
	{"Open AnyConnect VPN Agent v2", UA_OPENCONNECT_V3},
	{"Open AnyConnect VPN Agent v10.0", UA_OPENCONNECT},
	{"Open AnyConnect VPN Agent v99999999999", UA_OPENCONNECT},
	{"Open AnyConnect VPN Agent", UA_OPENCONNECT},
	{"Open AnyConnect VPN Agent vX", UA_OPENCONNECT},
	{"open anyconnect vpn agent V3", UA_OPENCONNECT_V3},
	{"AnyConnect-compatible OpenConnect VPN Agent v9.12", UA_OPENCONNECT},
	{"OpenConnect VPN Agent (NetworkManager)", UA_OPENCONNECT},
	{"Cisco AnyConnect VPN Agent for Apple iPhone 4.10", UA_ANYCONNECT_IOS},
	{"cisco anyconnect vpn agent for apple", UA_ANYCONNECT_IOS},
	{"Cisco AnyConnect VPN Agent for Windows 5.1.2.42", UA_ANYCONNECT},
	{"AnyConnect Darwin_i386 4.10.07061", UA_ANYCONNECT},
	{"anyconnect", UA_ANYCONNECT},
	{"Clavister OneConnect VPN 1.0", UA_ONECONNECT},
	{"AnyLink Secure Client 0.9", UA_ANYLINK},
	{"Cisco SVC IPPhone Client v1.0", UA_CISCO_IPPHONE},
	{"Mozilla/5.0", UA_UNKNOWN},
	{"Any", UA_UNKNOWN},
	{"", UA_UNKNOWN},
	{" AnyConnect", UA_UNKNOWN},
};

static void test_ua_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(ua_cases) / sizeof(ua_cases[0]); i++) {
		enum ua_class got = ua_classify(ua_cases[i].ua);

		if (got != ua_cases[i].want)
			fail_msg("'%s': got %s want %s", ua_cases[i].ua, ua_class_name(got),
				 ua_class_name(ua_cases[i].want));
	}
	assert_int_equal(ua_classify(nullptr), UA_UNKNOWN);
}

static void test_ua_helpers(void **state)
{
	(void)state;
	assert_true(ua_is_anyconnect(UA_ANYCONNECT));
	assert_true(ua_is_anyconnect(UA_ANYCONNECT_IOS));
	assert_false(ua_is_anyconnect(UA_OPENCONNECT));
	assert_false(ua_is_anyconnect(UA_UNKNOWN));
	for (unsigned c = 0; c < UA__COUNT; c++)
		assert_non_null(ua_class_name((enum ua_class)c));
	assert_string_equal(ua_class_name(UA_OPENCONNECT_V3), "openconnect-v3");
	assert_string_equal(ua_class_name(UA__COUNT), "unknown");
	assert_string_equal(ua_class_name((enum ua_class)200), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ua_table),
		cmocka_unit_test(test_ua_helpers),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
