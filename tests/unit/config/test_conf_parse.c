// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for config/conf_parse.c: lines, comments, quotes, trimming, limits, file:line. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config/conf_priv.h"

struct rec {
	unsigned n;
	char lines[8][128]; /* "line|key|value" */
};

static int record(void *opaque, const char *key, const char *value, const struct cfg_pos *pos,
		  char err[CONFIG_ERR_LEN])
{
	struct rec *r = opaque;

	if (!strcmp(key, "fail")) {
		conf_err(err, pos, key, "refused by callback");
		return -EINVAL;
	}
	if (r->n < 8)
		snprintf(r->lines[r->n], sizeof(r->lines[0]), "%u|%s|%s", pos->line, key, value);
	r->n++;
	return 0;
}

struct lex_case {
	const char *name;
	const char *text;
	int ret;
	const char *err;    /* expected err when ret < 0 */
	unsigned n;	    /* expected callbacks */
	const char *first;  /* expected first record */
	const char *second; /* expected second record, or nullptr */
};

static const struct lex_case lex_cases[] = {
	{"empty", "", 0, nullptr, 0, nullptr, nullptr},
	{"comments and blanks", "# c\n\n   \t\n  # indented\n", 0, nullptr, 0, nullptr, nullptr},
	{"simple", "tcp-port = 443\n", 0, nullptr, 1, "1|tcp-port|443", nullptr},
	{"no spaces", "a=b", 0, nullptr, 1, "1|a|b", nullptr},
	{"trim", "  \tkey \t=\t value with space  \n", 0, nullptr, 1, "1|key|value with space",
	 nullptr},
	{"quotes stripped", "auth = \"plain[passwd=/x]\"\n", 0, nullptr, 1,
	 "1|auth|plain[passwd=/x]", nullptr},
	{"quoted empty", "banner = \"\"\n", 0, nullptr, 1, "1|banner|", nullptr},
	{"inner quote kept", "banner = a\"b\"\n", 0, nullptr, 1, "1|banner|a\"b\"", nullptr},
	{"equals in value", "k = a=b\n", 0, nullptr, 1, "1|k|a=b", nullptr},
	{"hash in value kept", "k = a # b\n", 0, nullptr, 1, "1|k|a # b", nullptr},
	{"crlf", "a = 1\r\nb = 2\r\n", 0, nullptr, 2, "1|a|1", "2|b|2"},
	{"last line without newline", "\n#x\na = 1\nb = 2", 0, nullptr, 2, "3|a|1", "4|b|2"},
	{"repeated keys", "r = 1\nr = 2\n", 0, nullptr, 2, "1|r|1", "2|r|2"},
	{"no equals", "\n\njust words\n", -EINVAL, "f:3: just words: expected \"key = value\"", 0,
	 nullptr, nullptr},
	{"empty key", " = 1\n", -EINVAL, "f:1: line: not a valid option name", 0, nullptr, nullptr},
	{"bad key chars", "a b = 1\n", -EINVAL, "f:1: a b: not a valid option name", 0, nullptr,
	 nullptr},
	{"missing value", "a = \n", -EINVAL, "f:1: a: missing value", 0, nullptr, nullptr},
	{"unterminated quote", "a = \"x\n", -EINVAL, "f:1: a: unterminated quote", 0, nullptr,
	 nullptr},
	{"lone quote", "a = \"\n", -EINVAL, "f:1: a: unterminated quote", 0, nullptr, nullptr},
	{"control char", "a = b\x01\n", -EINVAL, "f:1: line: contains a control character", 0,
	 nullptr, nullptr},
	{"vhost", "a = 1\n[vhost:www.example.com]\n", -EINVAL,
	 "f:2: [vhost:www.example.com]: virtual host sections are not supported yet", 1, "1|a|1",
	 nullptr},
	{"callback error stops", "a = 1\nfail = 1\nb = 2\n", -EINVAL,
	 "f:2: fail: refused by callback", 1, "1|a|1", nullptr},
};

static void test_lex_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(lex_cases) / sizeof(lex_cases[0]); i++) {
		const struct lex_case *c = &lex_cases[i];
		char err[CONFIG_ERR_LEN] = "";
		struct rec r = {};
		unsigned nlines = 0;
		int ret;

		print_message("case: %s\n", c->name);
		ret = conf_parse_buffer("f", c->text, strlen(c->text), record, &r, &nlines, err);
		assert_int_equal(ret, c->ret);
		if (c->ret < 0)
			assert_string_equal(err, c->err);
		assert_int_equal(r.n, c->n);
		if (c->first)
			assert_string_equal(r.lines[0], c->first);
		if (c->second)
			assert_string_equal(r.lines[1], c->second);
	}
}

static void test_nul_byte(void **state)
{
	static const char text[] = "a = 1\nb = x\0y\n";
	char err[CONFIG_ERR_LEN];
	struct rec r = {};

	(void)state;
	assert_int_equal(conf_parse_buffer("f", text, sizeof(text) - 1, record, &r, nullptr, err),
			 -EINVAL);
	assert_string_equal(err, "f:2: line: contains a NUL byte");
}

static void test_line_count(void **state)
{
	static const char text[] = "a = 1\n\n# x\n";
	char err[CONFIG_ERR_LEN];
	struct rec r = {};
	unsigned n = 0;

	(void)state;
	assert_int_equal(conf_parse_buffer("f", text, sizeof(text) - 1, record, &r, &n, err), 0);
	assert_int_equal(n, 3);
}

/* A line of exactly CONF_LINE_MAX bytes passes; one more is refused. */
static void test_line_limit(void **state)
{
	size_t len = CONF_LINE_MAX + 2;
	char *text = malloc(len + 1);
	char err[CONFIG_ERR_LEN];
	struct rec r = {};

	(void)state;
	assert_non_null(text);
	memset(text, 'x', len);
	memcpy(text, "k = ", 4);
	text[CONF_LINE_MAX] = '\n';
	assert_int_equal(conf_parse_buffer("f", text, CONF_LINE_MAX + 1, record, &r, nullptr, err),
			 0);
	assert_int_equal(r.n, 1);
	text[CONF_LINE_MAX] = 'x';
	text[CONF_LINE_MAX + 1] = '\n';
	assert_int_equal(conf_parse_buffer("f", text, CONF_LINE_MAX + 2, record, &r, nullptr, err),
			 -EINVAL);
	assert_string_equal(err, "f:1: line: longer than 4096 bytes");
	free(text);
}

static void test_file_limit(void **state)
{
	char *text = malloc(CONF_FILE_MAX + 1);
	char err[CONFIG_ERR_LEN];
	struct rec r = {};

	(void)state;
	assert_non_null(text);
	memset(text, '\n', CONF_FILE_MAX + 1);
	assert_int_equal(conf_parse_buffer("f", text, CONF_FILE_MAX, record, &r, nullptr, err), 0);
	assert_int_equal(conf_parse_buffer("f", text, CONF_FILE_MAX + 1, record, &r, nullptr, err),
			 -EINVAL);
	assert_string_equal(err, "f:0: file: larger than 1048576 bytes");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lex_table),  cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_line_count), cmocka_unit_test(test_line_limit),
		cmocka_unit_test(test_file_limit),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
