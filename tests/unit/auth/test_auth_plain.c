// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for auth/auth_plain.c: the line parser (table, limits, mutations) and verification
 * against password files made with crypt_rn and with the real ocpasswd. */
#include <crypt.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "auth/auth.h"
#include "core/compiler.h"

/* ---- line parser ---------------------------------------------------------------------------- */

struct parse_case {
	const char *name;
	const char *line; /* nullptr: built by the test from the lengths below */
	size_t ulen, glen, hlen;
	int ret;
	const char *user, *group, *hash;
};

static const struct parse_case parse_cases[] = {
	{.name = "plain",
	 .line = "alice:*:$5$abc$def\n",
	 .user = "alice",
	 .group = "*",
	 .hash = "$5$abc$def"},
	{.name = "crlf", .line = "alice:g:$5$x\r\n", .user = "alice", .group = "g", .hash = "$5$x"},
	{.name = "no newline", .line = "bob::$6$y", .user = "bob", .group = "", .hash = "$6$y"},
	{.name = "locked",
	 .line = "bob:staff:!$6$y\n",
	 .user = "bob",
	 .group = "staff",
	 .hash = "!$6$y"},
	{.name = "multi group", .line = "c:a,b:h\n", .user = "c", .group = "a,b", .hash = "h"},
	{.name = "empty", .line = "", .ret = -EINVAL},
	{.name = "newline only", .line = "\n", .ret = -EINVAL},
	{.name = "no colons", .line = "alice\n", .ret = -EINVAL},
	{.name = "one colon", .line = "alice:$5$x\n", .ret = -EINVAL},
	{.name = "empty user", .line = ":*:$5$x\n", .ret = -EINVAL},
	{.name = "empty hash", .line = "alice:*:\n", .ret = -EINVAL},
	{.name = "colon in hash", .line = "alice:*:$5$x:y\n", .ret = -EINVAL},
	{.name = "tab in user", .line = "al\tice:*:$5$x\n", .ret = -EINVAL},
	{.name = "ctl in hash", .line = "alice:*:$5\x01$x\n", .ret = -EINVAL},
	{.name = "del in group", .line = "alice:\x7f:$5$x\n", .ret = -EINVAL},
	{.name = "two newlines", .line = "alice:*:$5$x\n\n", .ret = -EINVAL},
	{.name = "user at limit", .ulen = AUTH_NAME_MAX - 1, .glen = 1, .hlen = 1},
	{.name = "user past limit", .ulen = AUTH_NAME_MAX, .glen = 1, .hlen = 1, .ret = -EINVAL},
	{.name = "group at limit", .ulen = 1, .glen = AUTH_GROUP_MAX - 1, .hlen = 1},
	{.name = "group past limit", .ulen = 1, .glen = AUTH_GROUP_MAX, .hlen = 1, .ret = -EINVAL},
	{.name = "hash at limit", .ulen = 1, .glen = 1, .hlen = AUTH_HASH_MAX - 1},
	{.name = "hash past limit", .ulen = 1, .glen = 1, .hlen = AUTH_HASH_MAX, .ret = -EINVAL},
};

static size_t build_line(char *buf, size_t cap, size_t ulen, size_t glen, size_t hlen)
{
	size_t n = 0;

	assert_true(ulen + glen + hlen + 4 <= cap);
	memset(buf + n, 'u', ulen);
	n += ulen;
	buf[n++] = ':';
	memset(buf + n, 'g', glen);
	n += glen;
	buf[n++] = ':';
	memset(buf + n, 'h', hlen);
	n += hlen;
	buf[n++] = '\n';
	buf[n] = '\0';
	return n;
}

static void test_line_parse_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(parse_cases); i++) {
		const struct parse_case *tc = &parse_cases[i];
		char buf[1024];
		struct auth_plain_line pl;
		size_t len;
		int ret;

		if (tc->line) {
			len = strlen(tc->line);
			memcpy(buf, tc->line, len + 1);
		} else {
			len = build_line(buf, sizeof(buf), tc->ulen, tc->glen, tc->hlen);
		}
		ret = auth_plain_line_parse(buf, len, &pl);
		if (ret != tc->ret)
			fail_msg("case '%s': ret %d, want %d", tc->name, ret, tc->ret);
		if (ret)
			continue;
		if (tc->line) {
			assert_string_equal(pl.user, tc->user);
			assert_string_equal(pl.group, tc->group);
			assert_string_equal(pl.hash, tc->hash);
		} else {
			assert_int_equal(strlen(pl.user), tc->ulen);
			assert_int_equal(strlen(pl.group), tc->glen);
			assert_int_equal(strlen(pl.hash), tc->hlen);
		}
	}
}

static void test_line_parse_embedded_nul(void **state)
{
	char buf[] = "alice:*:$5$x\0junk\n";
	struct auth_plain_line pl;

	(void)state;
	assert_int_equal(auth_plain_line_parse(buf, sizeof(buf) - 1, &pl), -EINVAL);
}

/* Every truncation and every single-bit flip of a valid line parses or fails cleanly, and a
 * successful parse only points inside the buffer. */
static void test_line_parse_mutations(void **state)
{
	static const char sample[] =
		"bob:staff:$5$hK/R0QvmMCBIqqSO$.RsccWY3pJWhopAyle1YIMDnusU2Zj\n";
	const size_t len = sizeof(sample) - 1;
	char buf[sizeof(sample)];
	struct auth_plain_line pl;

	(void)state;
	for (size_t cut = 0; cut <= len; cut++) {
		memcpy(buf, sample, cut);
		buf[cut] = '\0';
		int ret = auth_plain_line_parse(buf, cut, &pl);
		assert_true(ret == 0 || ret == -EINVAL);
	}
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			memcpy(buf, sample, sizeof(sample));
			buf[i] = (char)(buf[i] ^ (1 << bit));
			if (auth_plain_line_parse(buf, len, &pl) != 0)
				continue;
			assert_true(pl.user >= buf && pl.user < buf + len);
			assert_true(pl.group > pl.user && pl.group < buf + len);
			assert_true(pl.hash > pl.group && pl.hash < buf + len);
			assert_true(strlen(pl.user) > 0 && strlen(pl.hash) > 0);
		}
	}
}

/* ---- verification --------------------------------------------------------------------------- */

struct fixture {
	char dir[64];
	char path[128];
};

static void make_hash(const char *prefix, const char *pw, char out[CRYPT_OUTPUT_SIZE])
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd = calloc(1, sizeof(*cd));

	assert_non_null(cd);
	assert_non_null(crypt_gensalt_rn(prefix, 0, nullptr, 0, setting, sizeof(setting)));
	assert_non_null(crypt_rn(pw, setting, cd, sizeof(*cd)));
	assert_true(cd->output[0] != '*');
	snprintf(out, CRYPT_OUTPUT_SIZE, "%s", cd->output);
	free(cd);
}

static char long_user[AUTH_NAME_MAX + 1];     /* AUTH_NAME_MAX - 1 chars: the limit */
static char too_long_user[AUTH_NAME_MAX + 1]; /* AUTH_NAME_MAX chars: one past */

static int setup_file(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char h5[CRYPT_OUTPUT_SIZE], h6[CRYPT_OUTPUT_SIZE], hy[CRYPT_OUTPUT_SIZE];
	char h2b[CRYPT_OUTPUT_SIZE], hd[CRYPT_OUTPUT_SIZE], hg[CRYPT_OUTPUT_SIZE];
	char hl[CRYPT_OUTPUT_SIZE], ht[CRYPT_OUTPUT_SIZE];
	FILE *f;

	assert_non_null(fx);
	memset(long_user, 'L', AUTH_NAME_MAX - 1);
	memset(too_long_user, 'T', AUTH_NAME_MAX);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/ocm-auth-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->path, sizeof(fx->path), "%s/passwd", fx->dir);
	make_hash("$5$", "alice-pw", h5);
	make_hash("$6$", "bob-pw", h6);
	make_hash("$y$", "carol-pw", hy);
	make_hash("$2b$", "erin-pw", h2b);
	make_hash("$5$", "dave-pw", hd);
	make_hash("$5$", "gina-pw", hg);
	make_hash("$5$", "long-pw", hl);
	make_hash("$5$", "too-long-pw", ht);
	f = fopen(fx->path, "w");
	assert_non_null(f);
	fprintf(f, "alice:*:%s\n", h5);
	fprintf(f, "bob:staff:%s\n", h6);
	fprintf(f, "carol::%s\n", hy);
	fprintf(f, "erin:admins:%s\r\n", h2b);
	fprintf(f, "dave:staff:!%s\n", hd);
	fprintf(f, "nocolons\n\n:*:%s\nfrank:%s\nhal:*:\n", h5, h5);
	fprintf(f, "%s:g:%s\n", too_long_user, ht);
	fprintf(f, "%s:long:%s\n", long_user, hl);
	fprintf(f, "gina:g2:%s", hg); /* last line without newline */
	assert_int_equal(fclose(f), 0);
	*state = fx;
	return 0;
}

static int teardown_file(void **state)
{
	struct fixture *fx = *state;

	unlink(fx->path);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

struct verify_case {
	const char *name;
	const char *user, *password;
	enum auth_verdict verdict;
	const char *group;
};

static void test_verify_table(void **state)
{
	const struct fixture *fx = *state;
	const struct verify_case cases[] = {
		{"good password $5$, group *", "alice", "alice-pw", AUTH_OK, ""},
		{"wrong password", "alice", "alice-pW", AUTH_DENIED, ""},
		{"empty password", "alice", "", AUTH_DENIED, ""},
		{"good password $6$, group", "bob", "bob-pw", AUTH_OK, "staff"},
		{"wrong password $6$", "bob", "alice-pw", AUTH_DENIED, ""},
		{"good password $y$, empty group", "carol", "carol-pw", AUTH_OK, ""},
		{"wrong password $y$", "carol", "carol-p", AUTH_DENIED, ""},
		{"good password $2b$, crlf line", "erin", "erin-pw", AUTH_OK, "admins"},
		{"locked user, right password", "dave", "dave-pw", AUTH_DENIED, ""},
		{"unknown user", "zed", "alice-pw", AUTH_DENIED, ""},
		{"user only on malformed line", "frank", "alice-pw", AUTH_DENIED, ""},
		{"user with empty hash", "hal", "", AUTH_DENIED, ""},
		{"after malformed lines", "gina", "gina-pw", AUTH_OK, "g2"},
		{"username at limit", long_user, "long-pw", AUTH_OK, "long"},
		{"username past limit", too_long_user, "too-long-pw", AUTH_DENIED, ""},
		{"empty username", "", "x", AUTH_DENIED, ""},
		{"colon in username", "alice:*", "alice-pw", AUTH_DENIED, ""},
		{"control char in username", "ali\nce", "alice-pw", AUTH_DENIED, ""},
		{"case differs", "Alice", "alice-pw", AUTH_DENIED, ""},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct verify_case *tc = &cases[i];
		enum auth_verdict v = AUTH_ERROR;
		char group[AUTH_GROUP_MAX];
		int ret;

		memset(group, 'x', sizeof(group));
		ret = auth_plain_verify(fx->path, tc->user, tc->password, &v, group);
		if (ret != 0 || v != tc->verdict || strcmp(group, tc->group) != 0)
			fail_msg("case '%s': ret %d verdict %d group '%.20s', want verdict %d "
				 "group '%s'",
				 tc->name, ret, v, group, tc->verdict, tc->group);
	}
}

static void test_verify_missing_file(void **state)
{
	const struct fixture *fx = *state;
	char path[160];
	enum auth_verdict v = AUTH_OK;
	char group[AUTH_GROUP_MAX] = "x";

	snprintf(path, sizeof(path), "%s/nonexistent", fx->dir);
	assert_int_equal(auth_plain_verify(path, "alice", "alice-pw", &v, group), -ENOENT);
	assert_int_equal(v, AUTH_ERROR);
	assert_string_equal(group, "");
	/* A directory opens but cannot be read. */
	assert_true(auth_plain_verify(fx->dir, "alice", "alice-pw", &v, group) < 0);
	assert_int_equal(v, AUTH_ERROR);
}

static int ocpasswd_run(const char *file, const char *group, const char *user, const char *pw)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "printf '%%s\\n%%s\\n' '%s' '%s' | ocpasswd -c '%s' %s%s%s '%s' "
		 ">/dev/null 2>&1",
		 pw, pw, file, group ? "-g '" : "", group ? group : "", group ? "'" : "", user);
	return system(cmd);
}

/* Files written by Debian's ocpasswd work as they are; edits apply without reload. */
static void test_verify_real_ocpasswd(void **state)
{
	const struct fixture *fx = *state;
	char path[160];
	enum auth_verdict v;
	char group[AUTH_GROUP_MAX];

	if (system("command -v ocpasswd >/dev/null 2>&1") != 0) {
		print_message("ocpasswd not installed: skipping the real-ocpasswd case\n");
		skip();
	}
	snprintf(path, sizeof(path), "%s/ocpasswd", fx->dir);
	assert_int_equal(ocpasswd_run(path, nullptr, "alice", "s3cret pass"), 0);
	assert_int_equal(ocpasswd_run(path, "staff", "bob", "bob pw 2"), 0);

	assert_int_equal(auth_plain_verify(path, "alice", "s3cret pass", &v, group), 0);
	assert_int_equal(v, AUTH_OK);
	assert_string_equal(group, "");
	assert_int_equal(auth_plain_verify(path, "alice", "s3cret", &v, group), 0);
	assert_int_equal(v, AUTH_DENIED);
	assert_int_equal(auth_plain_verify(path, "bob", "bob pw 2", &v, group), 0);
	assert_int_equal(v, AUTH_OK);
	assert_string_equal(group, "staff");
	assert_int_equal(auth_plain_verify(path, "bob", "alice", &v, group), 0);
	assert_int_equal(v, AUTH_DENIED);

	/* ocpasswd -l locks, -u unlocks: seen at the next attempt. */
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "ocpasswd -c '%s' -l bob >/dev/null 2>&1", path);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(auth_plain_verify(path, "bob", "bob pw 2", &v, group), 0);
	assert_int_equal(v, AUTH_DENIED);
	snprintf(cmd, sizeof(cmd), "ocpasswd -c '%s' -u bob >/dev/null 2>&1", path);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(auth_plain_verify(path, "bob", "bob pw 2", &v, group), 0);
	assert_int_equal(v, AUTH_OK);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_parse_table),
		cmocka_unit_test(test_line_parse_embedded_nul),
		cmocka_unit_test(test_line_parse_mutations),
		cmocka_unit_test(test_verify_table),
		cmocka_unit_test(test_verify_missing_file),
		cmocka_unit_test(test_verify_real_ocpasswd),
	};

	return cmocka_run_group_tests(tests, setup_file, teardown_file);
}
