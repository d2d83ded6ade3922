// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for http/form_auth.c: the legacy urlencoded login POST, strict percent-decoding,
 * field limits and deterministic mutations. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http/http.h"

struct form_case {
	const char *name;
	const char *body;
	int want;
	const char *username; /* NULL: has_username false */
	const char *password;
	const char *group;
};

#define BAD(n, b) {.name = n, .body = b, .want = -EBADMSG}

static const struct form_case cases[] = {
	{"openconnect", "username=alice&password=secret&group_list=eng", 0, "alice", "secret",
	 "eng"},
	{"order_free", "password=pw&username=bob", 0, "bob", "pw", ""},
	{"group_5f_lower", "group%5flist=ops", 0, nullptr, nullptr, "ops"},
	{"group_5F_upper", "group%5Flist=ops", 0, nullptr, nullptr, "ops"},
	{"plus_is_space", "username=a+b", 0, "a b", nullptr, ""},
	{"escapes", "password=%26%3D%2B%25%C3%A9", 0, nullptr, "&=+%\xc3\xa9", ""},
	{"raw_utf8", "username=caf\xc3\xa9", 0, "caf\xc3\xa9", nullptr, ""},
	{"empty_values", "username=&password=", 0, "", "", ""},
	{"empty_body", "", 0, nullptr, nullptr, ""},
	{"empty_pairs", "&&username=u&&", 0, "u", nullptr, ""},
	{"unknown_ignored", "Login=Login&hidden=%zz&username=u", 0, "u", nullptr, ""},
	{"secondary_password", "secondary_password=123456", 0, nullptr, "123456", ""},
	{"long_unknown_name",
	 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1&username="
	 "u",
	 0, "u", nullptr, ""},

	BAD("pct_truncated", "username=a%4"),
	BAD("pct_alone", "username=%"),
	BAD("pct_bad_hex", "username=%zz"),
	BAD("pct_nul", "username=a%00b"),
	BAD("pct_in_name_bad", "user%zzname=a"),
	BAD("raw_space", "username=a b"),
	BAD("raw_newline", "username=a\nb"),
	BAD("raw_del", "username=a\x7f"),
	BAD("no_equals", "username"),
	BAD("duplicate_username", "username=a&username=b"),
	BAD("password_and_secondary", "password=a&secondary_password=b"),
	BAD("duplicate_group_spelling", "group_list=a&group%5flist=b"),
};

static int parse_exact(const void *in, size_t len, struct xml_auth_msg *m)
{
	uint8_t *copy = malloc(len ? len : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, in, len);
	ret = form_auth_parse(copy, len, m);
	free(copy);
	return ret;
}

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct form_case *c = &cases[i];
		struct xml_auth_msg m;
		int ret = parse_exact(c->body, strlen(c->body), &m);

		if (ret != c->want)
			fail_msg("%s: got %d want %d", c->name, ret, c->want);
		if (ret < 0) {
			assert_int_equal(m.username[0] | m.password[0] | m.has_password, 0);
			continue;
		}
		assert_int_equal(m.type, XML_AUTH_REPLY);
		assert_int_equal(m.has_username, c->username != nullptr);
		assert_int_equal(m.has_password, c->password != nullptr);
		assert_string_equal(m.username, c->username ? c->username : "");
		assert_string_equal(m.password, c->password ? c->password : "");
		assert_string_equal(m.group_select, c->group);
		xml_auth_msg_wipe(&m);
	}
}

/* username holds 255 bytes (decoded), 256 are refused; an escape counts once. */
static void test_field_limits(void **state)
{
	char body[1024];
	struct xml_auth_msg m;

	(void)state;
	for (size_t n = 254; n <= 257; n++) {
		size_t o = (size_t)snprintf(body, sizeof(body), "username=");

		memset(body + o, 'u', n);
		assert_int_equal(parse_exact(body, o + n, &m), n < 256 ? 0 : -EBADMSG);
	}
	/* 254 + one %41 = 255 decoded bytes */
	size_t o = (size_t)snprintf(body, sizeof(body), "password=");
	memset(body + o, 'p', 254);
	memcpy(body + o + 254, "%41", 3);
	assert_int_equal(parse_exact(body, o + 257, &m), 0);
	assert_int_equal(strlen(m.password), 255);
	assert_int_equal(m.password[254], 'A');
	xml_auth_msg_wipe(&m);
}

static void test_input_size(void **state)
{
	size_t len = XML_AUTH_MAX_INPUT;
	char *body = malloc(len + 1);
	struct xml_auth_msg m;

	(void)state;
	assert_non_null(body);
	memset(body, '&', len + 1);
	memcpy(body, "username=u", 10);
	assert_int_equal(parse_exact(body, len, &m), 0);
	assert_string_equal(m.username, "u");
	assert_int_equal(parse_exact(body, len + 1, &m), -E2BIG);
	free(body);
}

static void test_mutations(void **state)
{
	static const char sample[] = "username=al%69ce&password=s%26cret+x&group%5flist=eng";
	size_t len = sizeof(sample) - 1;
	uint8_t buf[sizeof(sample)];
	struct xml_auth_msg m;

	(void)state;
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			int ret;

			memcpy(buf, sample, len);
			buf[i] ^= (uint8_t)(1u << bit);
			ret = parse_exact(buf, len, &m);
			if (ret != 0 && ret != -EBADMSG)
				fail_msg("flip %zu.%d: %d", i, bit, ret);
			assert_true(strnlen(m.username, sizeof(m.username)) < sizeof(m.username));
			assert_true(strnlen(m.password, sizeof(m.password)) < sizeof(m.password));
		}
	}
	for (size_t cut = 0; cut <= len; cut++) {
		int ret = parse_exact(sample, cut, &m);

		assert_true(ret == 0 || ret == -EBADMSG);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_field_limits),
		cmocka_unit_test(test_input_size),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
