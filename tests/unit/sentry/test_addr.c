// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for sentry/addr.c: text parsing (prefix limits and one past them), formatting,
 * sockaddr conversion (v4-mapped IPv6 becomes IPv4) and prefix containment. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/compiler.h"
#include "sentry/sentry.h"

static void test_parse_table(void **state)
{
	static const struct {
		const char *name, *in;
		int ret;
		const char *formatted; /* canonical form after masking */
	} cases[] = {
		{"v4 host", "198.18.0.1", 0, "198.18.0.1"},
		{"v4 /32 is a host", "198.18.0.1/32", 0, "198.18.0.1"},
		{"v4 one past /32", "198.18.0.1/33", -EINVAL, nullptr},
		{"v4 prefix masked", "198.19.7.9/15", 0, "198.18.0.0/15"},
		{"v4 /0", "0.0.0.0/0", 0, "0.0.0.0/0"},
		{"v6 host", "2001:db8::1", 0, "2001:db8::1"},
		{"v6 /128", "2001:db8::1/128", 0, "2001:db8::1"},
		{"v6 one past /128", "2001:db8::1/129", -EINVAL, nullptr},
		{"v6 /64 masked", "2001:db8:1:2:3:4:5:6/64", 0, "2001:db8:1:2::/64"},
		{"v6 odd prefix", "2001:db8:ffff::/33", 0, "2001:db8:8000::/33"},
		{"empty", "", -EINVAL, nullptr},
		{"slash only", "/8", -EINVAL, nullptr},
		{"empty length", "198.18.0.0/", -EINVAL, nullptr},
		{"sign", "198.18.0.0/+8", -EINVAL, nullptr},
		{"space", "198.18.0.0/ 8", -EINVAL, nullptr},
		{"long length", "198.18.0.0/0008", -EINVAL, nullptr},
		{"garbage", "hello", -EINVAL, nullptr},
		{"v4 too many octets", "1.2.3.4.5", -EINVAL, nullptr},
		{"too long host", "2001:0db8:0000:0000:0000:0000:0000:0000:0001/64", -EINVAL,
		 nullptr},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sentry_addr a;
		char out[SENTRY_ADDR_STRLEN];
		int ret = sentry_addr_parse(cases[i].in, &a);

		print_message("case %s\n", cases[i].name);
		assert_int_equal(ret, cases[i].ret);
		if (ret)
			continue;
		sentry_addr_format(&a, out);
		assert_string_equal(out, cases[i].formatted);
	}
}

static void test_sockaddr(void **state)
{
	struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons(5)};
	struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};
	struct sockaddr sa_unix = {.sa_family = AF_UNIX};
	struct sentry_addr a;
	char out[SENTRY_ADDR_STRLEN];

	(void)state;
	assert_int_equal(inet_pton(AF_INET, "198.18.3.4", &in.sin_addr), 1);
	assert_int_equal(sentry_addr_from_sockaddr((struct sockaddr *)&in, sizeof(in), &a), 0);
	sentry_addr_format(&a, out);
	assert_string_equal(out, "198.18.3.4");
	assert_int_equal(a.prefix_len, 32);
	assert_int_equal(sentry_addr_from_sockaddr((struct sockaddr *)&in, sizeof(in) - 1, &a),
			 -EINVAL);

	assert_int_equal(inet_pton(AF_INET6, "::ffff:198.18.3.5", &in6.sin6_addr), 1);
	assert_int_equal(sentry_addr_from_sockaddr((struct sockaddr *)&in6, sizeof(in6), &a), 0);
	assert_int_equal(a.family, AF_INET);
	sentry_addr_format(&a, out);
	assert_string_equal(out, "198.18.3.5");

	assert_int_equal(inet_pton(AF_INET6, "2001:db8::7", &in6.sin6_addr), 1);
	assert_int_equal(sentry_addr_from_sockaddr((struct sockaddr *)&in6, sizeof(in6), &a), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(a.prefix_len, 128);
	sentry_addr_format(&a, out);
	assert_string_equal(out, "2001:db8::7");

	assert_int_equal(sentry_addr_from_sockaddr(&sa_unix, sizeof(sa_unix), &a), -EAFNOSUPPORT);
	assert_int_equal(sentry_addr_from_sockaddr(&sa_unix, 1, &a), -EINVAL);
}

static void test_contains(void **state)
{
	static const struct {
		const char *prefix, *addr;
		bool in;
	} cases[] = {
		{"198.18.0.0/15", "198.19.255.255", true},
		{"198.18.0.0/15", "198.20.0.0", false},
		{"198.18.0.0/15", "198.18.0.0/16", true},
		{"198.18.0.0/16", "198.18.0.0/15", false}, /* wider is not inside */
		{"0.0.0.0/0", "198.18.0.1", true},
		{"0.0.0.0/0", "2001:db8::1", false}, /* families never mix */
		{"2001:db8::/32", "2001:db8:ffff::1", true},
		{"2001:db8::/32", "2001:db9::1", false},
		{"2001:db8::1", "2001:db8::1", true},
		{"2001:db8::1", "2001:db8::2", false},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sentry_addr p, a;

		assert_int_equal(sentry_addr_parse(cases[i].prefix, &p), 0);
		assert_int_equal(sentry_addr_parse(cases[i].addr, &a), 0);
		print_message("case %s in %s\n", cases[i].addr, cases[i].prefix);
		assert_int_equal(sentry_addr_contains(&p, &a), cases[i].in);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_sockaddr),
		cmocka_unit_test(test_contains),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
