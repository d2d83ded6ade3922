// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for config/conf_value.c: numbers, booleans, prefixes, netmasks, names, host:port. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "config/conf_priv.h"

struct uint_case {
	const char *in;
	unsigned min, max;
	int ret;
	unsigned out;
	const char *why;
};

static const struct uint_case uint_cases[] = {
	{"0", 0, 10, 0, 0, nullptr},
	{"10", 0, 10, 0, 10, nullptr},				   /* the limit */
	{"11", 0, 10, -EINVAL, 0, "\"11\" is out of range 0..10"}, /* one past */
	{"0", 1, 10, -EINVAL, 0, "\"0\" is out of range 1..10"},
	{"007", 0, 10, 0, 7, nullptr},
	{"4294967295", 0, 4294967295u, 0, 4294967295u, nullptr},
	{"4294967296", 0, 4294967295u, -EINVAL, 0, "\"4294967296\" is out of range 0..4294967295"},
	{"99999999999999999999999999", 0, 5, -EINVAL, 0,
	 "\"99999999999999999999999999\" is out of range 0..5"},
	{"", 0, 5, -EINVAL, 0, "\"\" is not a number"},
	{"-1", 0, 5, -EINVAL, 0, "\"-1\" is not a number"},
	{"+1", 0, 5, -EINVAL, 0, "\"+1\" is not a number"},
	{"1 ", 0, 5, -EINVAL, 0, "\"1 \" is not a number"},
	{"0x10", 0, 50, -EINVAL, 0, "\"0x10\" is not a number"},
	{"99999999999x", 0, 5, -EINVAL, 0, "\"99999999999x\" is not a number"},
};

static void test_uint(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(uint_cases) / sizeof(uint_cases[0]); i++) {
		const struct uint_case *c = &uint_cases[i];
		char why[CONF_WHY_LEN] = "";
		unsigned v = 12345;

		print_message("case: \"%s\"\n", c->in);
		assert_int_equal(conf_uint_parse(c->in, c->min, c->max, &v, why, sizeof(why)),
				 c->ret);
		if (c->ret == 0)
			assert_int_equal(v, c->out);
		else
			assert_string_equal(why, c->why);
	}
}

static void test_bool(void **state)
{
	static const char *const yes[] = {"true", "TRUE", "yes", "Yes"};
	static const char *const no[] = {"false", "False", "no", "NO"};
	static const char *const bad[] = {"", "1", "0", "on", "truex", "t"};
	char why[CONF_WHY_LEN];
	bool v;

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(conf_bool_parse(yes[i], &v, why, sizeof(why)), 0);
		assert_true(v);
		assert_int_equal(conf_bool_parse(no[i], &v, why, sizeof(why)), 0);
		assert_false(v);
	}
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(conf_bool_parse(bad[i], &v, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "\"t\" is not a boolean (true or false)");
}

struct prefix_case {
	const char *in;
	int family; /* requested */
	int ret;
	const char *out; /* formatted, or the reason */
	bool has_len;
};

static const struct prefix_case prefix_cases[] = {
	{"10.0.0.0/8", 0, 0, "10.0.0.0/8", true},
	{"10.0.0.0/255.0.0.0", 0, 0, "10.0.0.0/8", true},
	{"192.168.0.0/255.255.0.0", AF_INET, 0, "192.168.0.0/16", true},
	{"0.0.0.0/0", 0, 0, "0.0.0.0/0", true},
	{"198.18.0.1", 0, 0, "198.18.0.1/32", false},
	{"198.18.0.1/32", 0, 0, "198.18.0.1/32", true},
	{"198.18.0.0/33", 0, -EINVAL, "\"198.18.0.0/33\": prefix length must be 0..32", false},
	{"198.18.0.0/", 0, -EINVAL, "\"198.18.0.0/\": prefix length must be 0..32", false},
	{"10.1.2.3/8", 0, -EINVAL, "\"10.1.2.3/8\" has host bits set (network is 10.0.0.0/8)",
	 false},
	{"10.0.0.0/255.0.255.0", 0, -EINVAL, "\"255.0.255.0\" is not a contiguous netmask", false},
	{"2001:db8::/32", 0, 0, "2001:db8::/32", true},
	{"2001:db8::/128", AF_INET6, 0, "2001:db8::/128", true},
	{"2001:db8::/129", 0, -EINVAL, "\"2001:db8::/129\": prefix length must be 0..128", false},
	{"2001:db8::1/64", 0, -EINVAL,
	 "\"2001:db8::1/64\" has host bits set (network is 2001:db8::/64)", false},
	{"2001:db8::/32", AF_INET, -EINVAL, "\"2001:db8::/32\" is not an IPv4 address or prefix",
	 false},
	{"10.0.0.0/8", AF_INET6, -EINVAL, "\"10.0.0.0/8\" is not an IPv6 address or prefix", false},
	{"/8", 0, -EINVAL, "\"/8\" is not an IP address or prefix", false},
	{"10.0.0/8", 0, -EINVAL, "\"10.0.0/8\" is not an IP address or prefix", false},
	{"example.com", 0, -EINVAL, "\"example.com\" is not an IP address or prefix", false},
};

static void test_prefix(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(prefix_cases) / sizeof(prefix_cases[0]); i++) {
		const struct prefix_case *c = &prefix_cases[i];
		char why[CONF_WHY_LEN] = "", buf[64];
		struct cfg_prefix p;
		bool has_len = false;

		print_message("case: \"%s\"\n", c->in);
		assert_int_equal(
			conf_prefix_parse(c->in, c->family, &p, &has_len, why, sizeof(why)),
			c->ret);
		if (c->ret < 0) {
			assert_string_equal(why, c->out);
			continue;
		}
		conf_prefix_format(&p, buf, sizeof(buf));
		assert_string_equal(buf, c->out);
		assert_int_equal(has_len, c->has_len);
	}
}

static void test_netmask(void **state)
{
	char why[CONF_WHY_LEN];
	unsigned len;

	(void)state;
	assert_int_equal(conf_netmask4_parse("255.255.255.0", &len, why, sizeof(why)), 0);
	assert_int_equal(len, 24);
	assert_int_equal(conf_netmask4_parse("255.255.255.255", &len, why, sizeof(why)), 0);
	assert_int_equal(len, 32);
	assert_int_equal(conf_netmask4_parse("0.0.0.0", &len, why, sizeof(why)), 0);
	assert_int_equal(len, 0);
	assert_int_equal(conf_netmask4_parse("255.255.255.1", &len, why, sizeof(why)), -EINVAL);
	assert_int_equal(conf_netmask4_parse("0.255.255.255", &len, why, sizeof(why)), -EINVAL);
	assert_int_equal(conf_netmask4_parse("24", &len, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "\"24\" is not an IPv4 netmask");
}

static void test_names(void **state)
{
	char long_label[80], long_name[300];

	(void)state;
	assert_true(conf_dns_name_is_valid("example.com", false));
	assert_true(conf_dns_name_is_valid("example.com.", false));
	assert_true(conf_dns_name_is_valid("a-b.c0", false));
	assert_true(conf_dns_name_is_valid("_sip.example.com", true));
	assert_false(conf_dns_name_is_valid("_sip.example.com", false));
	assert_false(conf_dns_name_is_valid("", false));
	assert_false(conf_dns_name_is_valid(".", false));
	assert_false(conf_dns_name_is_valid("a..b", false));
	assert_false(conf_dns_name_is_valid("-a.b", false));
	assert_false(conf_dns_name_is_valid("a-.b", false));
	assert_false(conf_dns_name_is_valid("a b", false));
	memset(long_label, 'a', sizeof(long_label));
	long_label[63] = '\0'; /* the limit */
	assert_true(conf_dns_name_is_valid(long_label, false));
	long_label[63] = 'a';
	long_label[64] = '\0'; /* one past */
	assert_false(conf_dns_name_is_valid(long_label, false));
	for (size_t i = 0; i < sizeof(long_name); i++)
		long_name[i] = (i % 2) ? '.' : 'a';
	long_name[253] = '\0'; /* "a.a. … a": 253 bytes, the limit */
	assert_true(conf_dns_name_is_valid(long_name, false));
	long_name[253] = '.';
	long_name[254] = 'a';
	long_name[255] = '\0';
	assert_false(conf_dns_name_is_valid(long_name, false));
	assert_true(conf_ip_is_literal("198.18.0.1"));
	assert_true(conf_ip_is_literal("2001:db8::1"));
	assert_false(conf_ip_is_literal("198.18.0"));
	assert_false(conf_ip_is_literal("host"));
}

static void test_hostport(void **state)
{
	(void)state;
	assert_true(conf_hostport_is_valid("127.0.0.1:9100"));
	assert_true(conf_hostport_is_valid("localhost:1"));
	assert_true(conf_hostport_is_valid("[::1]:65535"));
	assert_false(conf_hostport_is_valid("[::1]:65536"));
	assert_false(conf_hostport_is_valid("::1:9100"));
	assert_false(conf_hostport_is_valid("127.0.0.1"));
	assert_false(conf_hostport_is_valid(":9100"));
	assert_false(conf_hostport_is_valid("127.0.0.1:0"));
	assert_false(conf_hostport_is_valid("[::1]9100"));
	assert_false(conf_hostport_is_valid("[]:1"));
	assert_false(conf_hostport_is_valid("bad host:1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uint),   cmocka_unit_test(test_bool),
		cmocka_unit_test(test_prefix), cmocka_unit_test(test_netmask),
		cmocka_unit_test(test_names),  cmocka_unit_test(test_hostport),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
