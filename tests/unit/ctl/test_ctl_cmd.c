// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/ctl/test_ctl_cmd.c — request parser table (limits included) and dispatcher. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/compiler.h"
#include "ctl/ctl_priv.h"
#include "fake_ops.h"

struct parse_case {
	const char *name;
	const char *line;
	int want;
	enum ctl_cmd cmd;
};

static const struct parse_case parse_cases[] = {
	{"status", "{\"cmd\":\"show status\"}", 0, CTL_C_STATUS},
	{"with arg", "{\"cmd\":\"show user\",\"arg\":\"alice\"}", 0, CTL_C_SHOW_USER},
	{"trailing space and cr", "{\"cmd\":\"reload\"}  \r", 0, CTL_C_RELOAD},
	{"ban seconds", "{\"cmd\":\"ban ip\",\"arg\":\"198.18.0.1\",\"seconds\":60}", 0,
	 CTL_C_BAN_IP},
	{"unknown", "{\"cmd\":\"format disk\"}", -ENOENT, 0},
	{"missing arg", "{\"cmd\":\"show user\"}", -EINVAL, 0},
	{"empty arg", "{\"cmd\":\"show user\",\"arg\":\"\"}", -EINVAL, 0},
	{"not json", "{cmd", -EBADMSG, 0},
	{"empty", "", -EBADMSG, 0},
	{"array", "[\"show status\"]", -EBADMSG, 0},
	{"cmd not string", "{\"cmd\":1}", -EBADMSG, 0},
	{"arg not string", "{\"cmd\":\"show user\",\"arg\":[]}", -EBADMSG, 0},
	{"trailing garbage", "{\"cmd\":\"reload\"}x", -EBADMSG, 0},
	{"two objects", "{\"cmd\":\"reload\"}{}", -EBADMSG, 0},
	{"negative seconds", "{\"cmd\":\"ban ip\",\"arg\":\"1.2.3.4\",\"seconds\":-1}", -EBADMSG,
	 0},
	{"fractional seconds", "{\"cmd\":\"ban ip\",\"arg\":\"1.2.3.4\",\"seconds\":1.5}", -EBADMSG,
	 0},
	{"huge seconds", "{\"cmd\":\"ban ip\",\"arg\":\"1.2.3.4\",\"seconds\":1e20}", -EBADMSG, 0},
};

static void test_parse_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(parse_cases); i++) {
		const struct parse_case *c = &parse_cases[i];
		struct ctl_request req;
		int ret = ctl_request_parse(c->line, strlen(c->line), &req);
		if (ret != c->want)
			fail_msg("case \"%s\": got %d want %d", c->name, ret, c->want);
		if (ret == 0 && req.cmd != c->cmd)
			fail_msg("case \"%s\": cmd %d", c->name, req.cmd);
	}
}

static void test_parse_limits(void **state)
{
	char *line = malloc(CTL_MAX_REQUEST + 2);
	char arg[CTL_MAX_ARG + 2];
	char small[CTL_MAX_ARG + 64];
	struct ctl_request req;
	static const char head[] = "{\"cmd\":\"show status\"}";

	(void)state;
	assert_non_null(line);
	/* A request of exactly the limit (padded with spaces) and one byte past it. */
	memset(line, ' ', CTL_MAX_REQUEST + 1);
	memcpy(line, head, sizeof(head) - 1);
	assert_int_equal(ctl_request_parse(line, CTL_MAX_REQUEST, &req), 0);
	assert_int_equal(ctl_request_parse(line, CTL_MAX_REQUEST + 1, &req), -E2BIG);
	/* arg of exactly CTL_MAX_ARG bytes and one past. */
	memset(arg, 'a', sizeof(arg));
	arg[CTL_MAX_ARG] = '\0';
	snprintf(small, sizeof(small), "{\"cmd\":\"show user\",\"arg\":\"%s\"}", arg);
	assert_int_equal(ctl_request_parse(small, strlen(small), &req), 0);
	assert_int_equal(strlen(req.arg), CTL_MAX_ARG);
	arg[CTL_MAX_ARG] = 'a';
	arg[CTL_MAX_ARG + 1] = '\0';
	snprintf(small, sizeof(small), "{\"cmd\":\"show user\",\"arg\":\"%s\"}", arg);
	assert_int_equal(ctl_request_parse(small, strlen(small), &req), -E2BIG);
	/* An embedded NUL is refused, not truncated. */
	assert_int_equal(ctl_request_parse("{\"cmd\":\"reload\"}\0x", 18, &req), -EBADMSG);
	free(line);
}

static cJSON *run(struct fake *f, const char *line)
{
	struct ctl_request req;
	bool sub;

	assert_int_equal(ctl_request_parse(line, strlen(line), &req), 0);
	return ctl_dispatch(&fake_ops, f, &req, &sub);
}

static bool is_ok(const cJSON *r)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, CTL_K_OK));
}

static void test_dispatch(void **state)
{
	struct fake f = {};
	cJSON *r;

	(void)state;
	r = run(&f, "{\"cmd\":\"show user\",\"arg\":\"bob\"}");
	assert_true(is_ok(r));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r, CTL_K_DATA)), 1);
	cJSON_Delete(r);

	r = run(&f, "{\"cmd\":\"show id\",\"arg\":\"1001\"}");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r, CTL_K_DATA)), 1);
	cJSON_Delete(r);

	r = run(&f, "{\"cmd\":\"show id\",\"arg\":\"12x\"}");
	assert_false(is_ok(r));
	cJSON_Delete(r);

	r = run(&f, "{\"cmd\":\"show sessions\",\"arg\":\"valid\"}");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r, CTL_K_DATA)), 1);
	cJSON_Delete(r);
	r = run(&f, "{\"cmd\":\"show sessions\",\"arg\":\"all\"}");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r, CTL_K_DATA)), 2);
	cJSON_Delete(r);

	r = run(&f, "{\"cmd\":\"terminate user\",\"arg\":\"alice\"}");
	assert_true(is_ok(r));
	assert_true(f.last_terminate);
	cJSON_Delete(r);

	r = run(&f, "{\"cmd\":\"ban ip\",\"arg\":\"not-an-ip\"}");
	assert_false(is_ok(r));
	cJSON_Delete(r);
	r = run(&f, "{\"cmd\":\"ban ip\",\"arg\":\"2001:db8::7\",\"seconds\":120}");
	assert_true(is_ok(r));
	assert_int_equal(f.last_seconds, 120);
	cJSON_Delete(r);

	r = run(&f, "{\"cmd\":\"reload\"}");
	assert_false(is_ok(r));
	assert_string_equal(cJSON_GetObjectItem(r, CTL_K_ERROR)->valuestring,
			    "config.conf:3: bad value");
	cJSON_Delete(r);

	r = run(&f, "{\"cmd\":\"stop now\"}");
	assert_false(is_ok(r));
	assert_string_equal(cJSON_GetObjectItem(r, CTL_K_ERROR)->valuestring, "not supported");
	cJSON_Delete(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_dispatch),
	};
	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
