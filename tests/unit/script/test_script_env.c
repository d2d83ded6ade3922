// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for script/script_env.c: names and values (bad bytes refused), the limits and one
 * past them, replacement, and ocserv's variable set from a script_info and session_config. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "script/script.h"

struct set_case {
	const char *what;
	const char *name;
	const char *value;
	int ret;
};

static const struct set_case set_cases[] = {
	{"plain", "USERNAME", "alice", 0},
	{"empty value", "GROUPNAME", "", 0},
	{"spaces and utf-8", "HOSTNAME", "my host \xc3\xa9", 0},
	{"newline", "HOSTNAME", "evil\nREASON=x", -EINVAL},
	{"carriage return", "HOSTNAME", "evil\r", -EINVAL},
	{"lowercase name", "user", "x", -EINVAL},
	{"empty name", "", "x", -EINVAL},
	{"name with =", "A=B", "x", -EINVAL},
	{"leading digit", "1A", "x", -EINVAL},
	{"name 32", "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", "x", 0},
	{"name 33", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456", "x", -EINVAL},
};

static void test_set(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(set_cases) / sizeof(set_cases[0]); i++) {
		const struct set_case *c = &set_cases[i];
		struct script_env e;

		script_env_init(&e);
		print_message("case: %s\n", c->what);
		assert_int_equal(script_env_set(&e, c->name, c->value), c->ret);
		if (c->ret == 0) {
			assert_string_equal(script_env_get(&e, c->name), c->value);
			assert_int_equal(e.len, 1);
		} else {
			assert_int_equal(e.len, 0);
			assert_null(e.vars[0]);
		}
		script_env_fini(&e);
	}
}

static void test_limits(void **state)
{
	char name[16], *big;
	struct script_env e;

	(void)state;
	script_env_init(&e);
	for (int i = 0; i < SCRIPT_ENV_MAX; i++) {
		snprintf(name, sizeof(name), "V%d", i);
		assert_int_equal(script_env_set(&e, name, "x"), 0);
	}
	assert_int_equal(script_env_set(&e, "ONE_MORE", "x"), -E2BIG);
	assert_int_equal(script_env_set(&e, "V3", "replaced"), 0); /* replacing is not adding */
	assert_string_equal(script_env_get(&e, "V3"), "replaced");
	assert_int_equal(e.len, SCRIPT_ENV_MAX);
	assert_null(e.vars[SCRIPT_ENV_MAX]);
	script_env_fini(&e);

	big = malloc(SCRIPT_ENV_VALUE_MAX + 2);
	assert_non_null(big);
	memset(big, 'a', SCRIPT_ENV_VALUE_MAX + 1);
	big[SCRIPT_ENV_VALUE_MAX + 1] = '\0';
	script_env_init(&e);
	assert_int_equal(script_env_set(&e, "BIG", big), -E2BIG); /* one past */
	big[SCRIPT_ENV_VALUE_MAX] = '\0';
	assert_int_equal(script_env_set(&e, "BIG", big), 0); /* the limit */
	/* The total: four values of the maximum do not fit in SCRIPT_ENV_TOTAL_MAX. */
	assert_int_equal(script_env_set(&e, "BIG2", big), 0);
	assert_int_equal(script_env_set(&e, "BIG3", big), 0);
	assert_int_equal(script_env_set(&e, "BIG4", big), -E2BIG);
	assert_int_equal(e.len, 3);
	script_env_fini(&e);
	free(big);
}

static void test_build(void **state)
{
	struct cfg_prefix routes[2] = {{.family = AF_INET, .prefix_len = 24},
				       {.family = AF_INET6, .prefix_len = 48}};
	struct cfg_prefix no_routes[1] = {{.family = AF_INET, .prefix_len = 25}};
	char *dns[] = {(char *)"198.18.0.53", (char *)"2001:db8::53"};
	struct session_config sc = {
		.routes = {routes, 2},
		.no_routes = {no_routes, 1},
		.dns = {dns, 2},
	};
	struct script_info info = {
		.reason = SCRIPT_DISCONNECT,
		.username = "alice",
		.groupname = "staff",
		.device = "vpns0",
		.ip_real = "198.18.1.9",
		.ip_remote = "198.18.0.2",
		.id = 42,
		.have_stats = true,
		.bytes_in = 1000,
		.bytes_out = 2000,
		.duration_s = 60,
	};
	struct script_env e;

	(void)state;
	inet_pton(AF_INET, "198.18.10.0", &routes[0].addr.v4);
	inet_pton(AF_INET6, "2001:db8:1::", &routes[1].addr.v6);
	inet_pton(AF_INET, "198.18.10.128", &no_routes[0].addr.v4);
	script_env_init(&e);
	assert_int_equal(script_env_build(&e, &info, &sc), 0);
	assert_string_equal(script_env_get(&e, "REASON"), "disconnect");
	assert_string_equal(script_env_get(&e, "USERNAME"), "alice");
	assert_string_equal(script_env_get(&e, "GROUPNAME"), "staff");
	assert_string_equal(script_env_get(&e, "DEVICE"), "vpns0");
	assert_string_equal(script_env_get(&e, "IP_REAL"), "198.18.1.9");
	assert_string_equal(script_env_get(&e, "ID"), "42");
	assert_string_equal(script_env_get(&e, "STATS_BYTES_IN"), "1000");
	assert_string_equal(script_env_get(&e, "STATS_BYTES_OUT"), "2000");
	assert_string_equal(script_env_get(&e, "STATS_DURATION"), "60");
	assert_null(script_env_get(&e, "IPV6_REMOTE"));
	assert_null(script_env_get(&e, "HOSTNAME"));
	assert_string_equal(script_env_get(&e, "OCSERV_ROUTES"), "198.18.10.0/24 2001:db8:1::/48");
	assert_string_equal(script_env_get(&e, "OCSERV_ROUTES4"), "198.18.10.0/24");
	assert_string_equal(script_env_get(&e, "OCSERV_ROUTES6"), "2001:db8:1::/48");
	assert_string_equal(script_env_get(&e, "OCSERV_NO_ROUTES"), "198.18.10.128/25");
	assert_string_equal(script_env_get(&e, "OCSERV_NO_ROUTES6"), "");
	assert_string_equal(script_env_get(&e, "OCSERV_DNS"), "198.18.0.53 2001:db8::53");
	assert_string_equal(script_env_get(&e, "OCSERV_DNS4"), "198.18.0.53");
	assert_string_equal(script_env_get(&e, "OCSERV_DNS6"), "2001:db8::53");
	script_env_fini(&e);

	/* A client-chosen hostname with a newline is refused, not passed on. */
	info.reason = SCRIPT_HOST_UPDATE;
	info.hostname = "laptop\nREASON=connect";
	script_env_init(&e);
	assert_int_equal(script_env_build(&e, &info, nullptr), -EINVAL);
	script_env_fini(&e);
	info.hostname = "laptop";
	script_env_init(&e);
	assert_int_equal(script_env_build(&e, &info, nullptr), 0);
	assert_string_equal(script_env_get(&e, "REASON"), "host-update");
	assert_string_equal(script_env_get(&e, "REMOTE_HOSTNAME"), "laptop");
	assert_null(script_env_get(&e, "OCSERV_ROUTES"));
	script_env_fini(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_build),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
