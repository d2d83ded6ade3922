// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for sentry/rules.c: the seed rule file, every invalid key/value with its exact
 * error text, limits and one past them, static-route matching and deterministic mutations. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/compiler.h"
#include "sentry/sentry.h"

#define SEED   OCM_SOURCE_DIR "/tests/fuzz/corpus/sentry_rules/valid.json"
#define ROUTES OCM_SOURCE_DIR "/tests/fuzz/corpus/sentry_rules/routes.json"

/* Parse from an exact-size heap copy so ASan sees any read past the input. */
static int parse(const char *text, size_t len, struct sentry_rules **r, char err[SENTRY_ERR_LEN])
{
	char *copy = malloc(len ? len : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, text, len);
	ret = sentry_rules_parse("r.json", copy, len, r, err);
	free(copy);
	return ret;
}

static void test_seed_file(void **state)
{
	struct sentry_rules *r;
	char err[SENTRY_ERR_LEN];

	(void)state;
	assert_int_equal(sentry_rules_load(SEED, &r, err), 0);
	assert_int_equal(r->default_static, SENTRY_ACCEPT);
	assert_int_equal(r->default_dynamic, SENTRY_REJECT);
	assert_string_equal(r->default_event, "default-event");
	assert_int_equal(r->n_routes, 1);
	assert_int_equal(r->routes[0].prefix.family, AF_INET);
	assert_int_equal(r->routes[0].prefix.prefix_len, 0);
	assert_int_equal(r->routes[0].proto, SENTRY_PROTO_TCP);
	assert_int_equal(r->routes[0].port, 443);
	assert_int_equal(r->routes[0].action, SENTRY_ACCEPT);
	assert_true(r->conn_rate.enabled);
	assert_int_equal(r->conn_rate.window_s, 60);
	assert_int_equal(r->conn_rate.threshold, 100);
	assert_int_equal(r->conn_rate.penalty_s, 300);
	assert_int_equal(r->conn_rate.action, SENTRY_REJECT);
	assert_true(r->failed_auth.enabled);
	assert_int_equal(r->failed_auth.window_s, 300);
	assert_int_equal(r->failed_auth.threshold, 5);
	assert_int_equal(r->failed_auth.penalty_s, 900);
	sentry_rules_free(r);

	assert_int_equal(sentry_rules_load("/nonexistent/rules.json", &r, err), -ENOENT);
	assert_null(r);
	assert_string_equal(err, "/nonexistent/rules.json: No such file or directory");
	assert_int_equal(sentry_rules_load(OCM_SOURCE_DIR, &r, err), -EINVAL);
}

static void test_defaults(void **state)
{
	static const char text[] = "{\"config-version\": 2, \"dynamic-rules\": "
				   "{\"failed-auth-protection\": {\"max-attempts\": 3, "
				   "\"window\": 10, \"penalty-time\": 20}}}";
	struct sentry_rules *r;
	char err[SENTRY_ERR_LEN];

	(void)state;
	assert_int_equal(parse(text, strlen(text), &r, err), 0);
	assert_int_equal(r->default_static, SENTRY_ACCEPT);
	assert_int_equal(r->default_dynamic, SENTRY_REJECT);
	assert_string_equal(r->default_event, "default-event");
	assert_int_equal(r->n_routes, 0);
	assert_false(r->conn_rate.enabled);
	assert_true(r->failed_auth.enabled);
	assert_int_equal(r->failed_auth.action, SENTRY_REJECT); /* default-policy-dynamic */
	sentry_rules_free(r);
}

#define V2    "{\"config-version\":2,"
#define DP(x) V2 "\"default-policies\":{" x "}}"
#define RT(x) V2 "\"static-routes\":[{" x "}]}"
#define RT_OK "\"family\":\"inet\",\"remote-address\":\"198.18.0.0/15\",\"action\":\"accept\""
#define CR(x) V2 "\"dynamic-rules\":{\"max-connection-rate\":{" x "}}}"
#define CR_OK "\"interval\":60,\"threshold\":100,\"penalty-time\":300"
#define FA(x) V2 "\"dynamic-rules\":{\"failed-auth-protection\":{" x "}}}"
#define FA_OK "\"window\":60,\"max-attempts\":5,\"penalty-time\":300"

#define E63 "123456789012345678901234567890123456789012345678901234567890123"

static const struct {
	const char *name, *in;
	const char *err; /* nullptr: must parse */
} cases[] = {
	{"array", "[]", "r.json: the rule file must be a JSON object"},
	{"no version", "{}", "r.json: config-version: missing (must be 2)"},
	{"version 1", "{\"config-version\":1}", "r.json: config-version: must be 2"},
	{"version 3", "{\"config-version\":3}", "r.json: config-version: must be 2"},
	{"version string", "{\"config-version\":\"2\"}", "r.json: config-version: must be 2"},
	{"unknown top key", V2 "\"bogus\":1}", "r.json: bogus: unknown key"},
	{"duplicate key", V2 "\"config-version\":2}", "r.json: config-version: duplicate key"},
	{"invalid json", V2, "r.json: invalid JSON at line 1 (byte 20)"},
	{"invalid json line", "{\n\"config-version\":2,\n}",
	 "r.json: invalid JSON at line 3 (byte 23)"},
	{"trailing garbage", "{\"config-version\":2} x",
	 "r.json: invalid JSON at line 1 (byte 21)"},
	{"policies not object", V2 "\"default-policies\":[]}",
	 "r.json: default-policies: must be an object"},
	{"policies unknown", DP("\"x\":1"), "r.json: default-policies.x: unknown key"},
	{"policy static", DP("\"default-policy-static\":\"drop\""),
	 "r.json: default-policies.default-policy-static: must be \"accept\" or \"reject\""},
	{"policy dynamic", DP("\"default-policy-dynamic\":1"),
	 "r.json: default-policies.default-policy-dynamic: must be \"accept\" or \"reject\""},
	{"event empty", DP("\"default-event\":\"\""),
	 "r.json: default-policies.default-event: must be a string of 1 to 63 characters"},
	{"event 63", DP("\"default-event\":\"" E63 "\""), nullptr},
	{"event 64", DP("\"default-event\":\"" E63 "4\""),
	 "r.json: default-policies.default-event: must be a string of 1 to 63 characters"},
	{"routes not array", V2 "\"static-routes\":{}}", "r.json: static-routes: must be an array"},
	{"route not object", V2 "\"static-routes\":[1]}",
	 "r.json: static-routes[0]: must be an object"},
	{"route ok", RT(RT_OK), nullptr},
	{"route unknown", RT(RT_OK ",\"local-port\":1"),
	 "r.json: static-routes[0].local-port: unknown key"},
	{"route no family", RT("\"remote-address\":\"198.18.0.0/15\",\"action\":\"accept\""),
	 "r.json: static-routes[0].family: missing (\"inet\" or \"inet6\" is required)"},
	{"route family", RT("\"family\":\"ipx\",\"remote-address\":\"::/0\",\"action\":\"accept\""),
	 "r.json: static-routes[0].family: must be \"inet\" or \"inet6\""},
	{"route protocol", RT(RT_OK ",\"protocol\":\"icmp\""),
	 "r.json: static-routes[0].protocol: must be \"tcp\", \"udp\" or \"any\""},
	{"route no address", RT("\"family\":\"inet\",\"action\":\"accept\""),
	 "r.json: static-routes[0].remote-address: missing (an address or prefix is required)"},
	{"route bad address",
	 RT("\"family\":\"inet\",\"remote-address\":\"198.18.0.0/33\",\"action\":\"accept\""),
	 "r.json: static-routes[0].remote-address: must be an address or prefix such as "
	 "\"198.18.0.0/15\""},
	{"route address number",
	 RT("\"family\":\"inet\",\"remote-address\":1,\"action\":\"accept\""),
	 "r.json: static-routes[0].remote-address: must be an address or prefix such as "
	 "\"198.18.0.0/15\""},
	{"route family mismatch",
	 RT("\"family\":\"inet6\",\"remote-address\":\"198.18.0.0/15\",\"action\":\"accept\""),
	 "r.json: static-routes[0].remote-address: is not an inet6 address"},
	{"route port 0", RT(RT_OK ",\"remote-port\":0"),
	 "r.json: static-routes[0].remote-port: must be a positive integer"},
	{"route port 65535", RT(RT_OK ",\"remote-port\":65535"), nullptr},
	{"route port 65536", RT(RT_OK ",\"remote-port\":65536"),
	 "r.json: static-routes[0].remote-port: must be at most 65535"},
	{"route no action", RT("\"family\":\"inet\",\"remote-address\":\"198.18.0.0/15\""),
	 "r.json: static-routes[0].action: missing (\"accept\" or \"reject\" is required)"},
	{"route action", RT("\"family\":\"inet\",\"remote-address\":\"::/0\",\"action\":\"drop\""),
	 "r.json: static-routes[0].remote-address: is not an inet address"},
	{"second route", V2 "\"static-routes\":[{" RT_OK "},{" RT_OK ",\"action\":\"x\"}]}",
	 "r.json: static-routes[1].action: duplicate key"},
	{"dynamic not object", V2 "\"dynamic-rules\":[]}",
	 "r.json: dynamic-rules: must be an object"},
	{"dynamic unknown", V2 "\"dynamic-rules\":{\"dos\":{}}}",
	 "r.json: dynamic-rules.dos: unknown key"},
	{"rate not object", V2 "\"dynamic-rules\":{\"max-connection-rate\":5}}",
	 "r.json: dynamic-rules.max-connection-rate: must be an object"},
	{"rate ok", CR(CR_OK), nullptr},
	{"rate unknown", CR(CR_OK ",\"window\":1"),
	 "r.json: dynamic-rules.max-connection-rate.window: unknown key"},
	{"rate no interval", CR("\"threshold\":100,\"penalty-time\":300"),
	 "r.json: dynamic-rules.max-connection-rate.interval: missing (a positive integer is "
	 "required)"},
	{"rate interval 0", CR("\"interval\":0,\"threshold\":100,\"penalty-time\":300"),
	 "r.json: dynamic-rules.max-connection-rate.interval: must be a positive integer"},
	{"rate interval -1", CR("\"interval\":-1,\"threshold\":100,\"penalty-time\":300"),
	 "r.json: dynamic-rules.max-connection-rate.interval: must be a positive integer"},
	{"rate interval 1.5", CR("\"interval\":1.5,\"threshold\":100,\"penalty-time\":300"),
	 "r.json: dynamic-rules.max-connection-rate.interval: must be a positive integer"},
	{"rate interval string", CR("\"interval\":\"60\",\"threshold\":100,\"penalty-time\":300"),
	 "r.json: dynamic-rules.max-connection-rate.interval: must be a positive integer"},
	{"rate interval bool", CR("\"interval\":true,\"threshold\":100,\"penalty-time\":300"),
	 "r.json: dynamic-rules.max-connection-rate.interval: must be a positive integer"},
	{"rate interval 86400", CR("\"interval\":86400,\"threshold\":100,\"penalty-time\":300"),
	 nullptr},
	{"rate interval 86401", CR("\"interval\":86401,\"threshold\":100,\"penalty-time\":300"),
	 "r.json: dynamic-rules.max-connection-rate.interval: must be at most 86400"},
	{"rate interval huge", CR("\"interval\":1e400,\"threshold\":100,\"penalty-time\":300"),
	 "r.json: dynamic-rules.max-connection-rate.interval: must be a positive integer"},
	{"rate no threshold", CR("\"interval\":60,\"penalty-time\":300"),
	 "r.json: dynamic-rules.max-connection-rate.threshold: missing (a positive integer is "
	 "required)"},
	{"rate threshold 1000000", CR("\"interval\":60,\"threshold\":1000000,\"penalty-time\":1"),
	 nullptr},
	{"rate threshold 1000001", CR("\"interval\":60,\"threshold\":1000001,\"penalty-time\":1"),
	 "r.json: dynamic-rules.max-connection-rate.threshold: must be at most 1000000"},
	{"rate no penalty", CR("\"interval\":60,\"threshold\":100"),
	 "r.json: dynamic-rules.max-connection-rate.penalty-time: missing (a positive integer is "
	 "required)"},
	{"rate penalty 2592000", CR("\"interval\":1,\"threshold\":1,\"penalty-time\":2592000"),
	 nullptr},
	{"rate penalty 2592001", CR("\"interval\":1,\"threshold\":1,\"penalty-time\":2592001"),
	 "r.json: dynamic-rules.max-connection-rate.penalty-time: must be at most 2592000"},
	{"rate action", CR(CR_OK ",\"action\":\"ban\""),
	 "r.json: dynamic-rules.max-connection-rate.action: must be \"accept\" or \"reject\""},
	{"auth ok", FA(FA_OK ",\"action\":\"accept\""), nullptr},
	{"auth unknown", FA(FA_OK ",\"interval\":1"),
	 "r.json: dynamic-rules.failed-auth-protection.interval: unknown key"},
	{"auth attempts 0", FA("\"window\":60,\"max-attempts\":0,\"penalty-time\":300"),
	 "r.json: dynamic-rules.failed-auth-protection.max-attempts: must be a positive integer"},
	{"auth no window", FA("\"max-attempts\":5,\"penalty-time\":300"),
	 "r.json: dynamic-rules.failed-auth-protection.window: missing (a positive integer is "
	 "required)"},
	{"auth window 86401", FA("\"window\":86401,\"max-attempts\":5,\"penalty-time\":300"),
	 "r.json: dynamic-rules.failed-auth-protection.window: must be at most 86400"},
	{"auth penalty 0", FA("\"window\":1,\"max-attempts\":5,\"penalty-time\":0"),
	 "r.json: dynamic-rules.failed-auth-protection.penalty-time: must be a positive integer"},
};

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sentry_rules *r = (void *)1;
		char err[SENTRY_ERR_LEN];
		int ret = parse(cases[i].in, strlen(cases[i].in), &r, err);

		print_message("case %s: %s\n", cases[i].name, ret ? err : "ok");
		if (!cases[i].err) {
			assert_int_equal(ret, 0);
			assert_non_null(r);
			sentry_rules_free(r);
			continue;
		}
		assert_int_equal(ret, -EINVAL);
		assert_null(r);
		assert_string_equal(err, cases[i].err);
	}
}

static void test_bytes(void **state)
{
	static const char v[] = "{\"config-version\":2}";
	struct sentry_rules *r;
	char err[SENTRY_ERR_LEN];
	char nul[sizeof(v)];
	char *big;

	(void)state;
	memcpy(nul, v, sizeof(v));
	nul[5] = '\0';
	assert_int_equal(parse(nul, sizeof(v) - 1, &r, err), -EINVAL);
	assert_string_equal(err, "r.json: contains a NUL byte");

	/* the size limit, padded with whitespace, and one past it */
	big = malloc(SENTRY_MAX_RULES_LEN + 1);
	assert_non_null(big);
	memset(big, ' ', SENTRY_MAX_RULES_LEN + 1);
	memcpy(big, v, strlen(v));
	assert_int_equal(sentry_rules_parse("r.json", big, SENTRY_MAX_RULES_LEN, &r, err), 0);
	sentry_rules_free(r);
	assert_int_equal(sentry_rules_parse("r.json", big, SENTRY_MAX_RULES_LEN + 1, &r, err),
			 -E2BIG);
	assert_null(r);
	assert_string_equal(err, "r.json: larger than 1048576 bytes");
	free(big);
}

static char *routes_json(size_t n)
{
	static const char head[] = "{\"config-version\":2,\"static-routes\":[";
	static const char one[] = "{\"family\":\"inet\",\"remote-address\":\"198.18.0.1\","
				  "\"action\":\"reject\"},";
	size_t len = sizeof(head) + n * (sizeof(one) - 1) + 4;
	char *t = malloc(len), *p = t;

	assert_non_null(t);
	memcpy(p, head, sizeof(head) - 1);
	p += sizeof(head) - 1;
	for (size_t i = 0; i < n; i++, p += sizeof(one) - 1)
		memcpy(p, one, sizeof(one) - 1);
	p[-1] = ']';
	p[0] = '}';
	p[1] = '\0';
	return t;
}

static void test_route_limit(void **state)
{
	struct sentry_rules *r;
	char err[SENTRY_ERR_LEN];
	char *t;

	(void)state;
	t = routes_json(SENTRY_MAX_ROUTES);
	assert_int_equal(parse(t, strlen(t), &r, err), 0);
	assert_int_equal(r->n_routes, SENTRY_MAX_ROUTES);
	sentry_rules_free(r);
	free(t);
	t = routes_json(SENTRY_MAX_ROUTES + 1);
	assert_int_equal(parse(t, strlen(t), &r, err), -EINVAL);
	assert_string_equal(err, "r.json: static-routes: more than 4096 entries");
	free(t);
}

static void test_match_table(void **state)
{
	static const struct {
		const char *name, *addr;
		enum sentry_proto proto;
		uint16_t port;
		enum sentry_verdict want;
	} m[] = {
		{"v4 inside first route", "198.18.5.5", SENTRY_PROTO_TCP, 1000, SENTRY_ACCEPT},
		{"v4 udp too (protocol absent)", "198.18.5.5", SENTRY_PROTO_UDP, 1, SENTRY_ACCEPT},
		{"first match wins over later reject", "198.19.255.255", SENTRY_PROTO_TCP, 1,
		 SENTRY_ACCEPT},
		{"v4 outside: default reject", "198.20.0.1", SENTRY_PROTO_TCP, 443, SENTRY_REJECT},
		{"v6 udp port match", "2001:db8::5", SENTRY_PROTO_UDP, 4433, SENTRY_ACCEPT},
		{"v6 port one past", "2001:db8::5", SENTRY_PROTO_UDP, 4434, SENTRY_REJECT},
		{"v6 wrong protocol", "2001:db8::5", SENTRY_PROTO_TCP, 4433, SENTRY_REJECT},
		{"v6 outside prefix", "2001:db9::1", SENTRY_PROTO_UDP, 4433, SENTRY_REJECT},
	};
	struct sentry_rules *r;
	char err[SENTRY_ERR_LEN];

	(void)state;
	assert_int_equal(sentry_rules_load(ROUTES, &r, err), 0);
	for (size_t i = 0; i < ARRAY_SIZE(m); i++) {
		struct sentry_addr a;

		print_message("case %s\n", m[i].name);
		assert_int_equal(sentry_addr_parse(m[i].addr, &a), 0);
		assert_int_equal(sentry_rules_match(r, &a, m[i].proto, m[i].port), m[i].want);
	}
	sentry_rules_free(r);
}

/* Bit flips and truncations of the seed: each either parses or fails with an error line. */
static void test_mutations(void **state)
{
	char buf[4096], err[SENTRY_ERR_LEN];
	FILE *f = fopen(SEED, "rb");
	size_t len;

	(void)state;
	assert_non_null(f);
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_true(len > 0 && len < sizeof(buf));
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			struct sentry_rules *r;
			int ret;

			buf[i] ^= (char)(1 << bit);
			ret = parse(buf, len, &r, err);
			assert_true(ret == 0 || (ret == -EINVAL && err[0] != '\0'));
			sentry_rules_free(r);
			buf[i] ^= (char)(1 << bit);
		}
	}
	for (size_t cut = 0; cut < len; cut++) {
		struct sentry_rules *r;
		int ret = parse(buf, cut, &r, err);

		/* only whitespace may be cut off a valid file */
		assert_true(ret == -EINVAL || (ret == 0 && cut >= len - 1));
		sentry_rules_free(r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_file),   cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_cases),	    cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_route_limit), cmocka_unit_test(test_match_table),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
