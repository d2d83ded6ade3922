// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for tls/priority.c: GnuTLS priority strings → versions, cipher list, flags, errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "core/compiler.h"
#include "tls/priority.h"

enum { V12 = TLS_PRIO_TLS1_2, V13 = TLS_PRIO_TLS1_3 };

#define NORMAL_LIST                                                                                \
	"TLS13-AES256-GCM-SHA384:TLS13-CHACHA20-POLY1305-SHA256:TLS13-AES128-GCM-SHA256:"          \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES256-GCM-SHA384:"     \
	"AES256-GCM-SHA384:"                                                                       \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-CHACHA20-POLY1305:"     \
	"ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:DHE-RSA-AES256-SHA:AES256-SHA:"               \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-GCM-SHA256:"     \
	"AES128-GCM-SHA256:"                                                                       \
	"ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:DHE-RSA-AES128-SHA:AES128-SHA"

struct prio_case {
	const char *name;
	const char *in;
	int ret;
	int min, max;
	const char *list; /* exact cipher list, or nullptr */
	const char *has;  /* substring of the list, or nullptr */
	const char *lacks;
	bool precedence, no_tickets;
	const char *err; /* substring of the error message */
};

static const struct prio_case cases[] = {
	{.name = "ocserv default",
	 .in = TLS_PRIORITY_DEFAULT,
	 .ret = 0,
	 .min = V12,
	 .max = V13,
	 .list = NORMAL_LIST,
	 .precedence = true},
	{.name = "null is default",
	 .in = nullptr,
	 .ret = 0,
	 .min = V12,
	 .max = V13,
	 .list = NORMAL_LIST,
	 .precedence = true},
	{.name = "ocserv -tls1.0",
	 .in = "NORMAL:%SERVER_PRECEDENCE:%COMPAT:-VERS-TLS1.0",
	 .ret = 0,
	 .min = V12,
	 .max = V13,
	 .list = NORMAL_LIST,
	 .precedence = true},
	{.name = "plain NORMAL",
	 .in = "NORMAL",
	 .ret = 0,
	 .min = V12,
	 .max = V13,
	 .list = NORMAL_LIST},
	{.name = "case-insensitive",
	 .in = "normal:%server_precedence:-vers-tls1.3",
	 .ret = 0,
	 .min = V12,
	 .max = V12,
	 .lacks = "TLS13-",
	 .precedence = true},
	{.name = "no tls1.3",
	 .in = "NORMAL:-VERS-TLS1.3",
	 .ret = 0,
	 .min = V12,
	 .max = V12,
	 .lacks = "TLS13-"},
	{.name = "only tls1.2",
	 .in = "NORMAL:-VERS-ALL:+VERS-TLS1.2",
	 .ret = 0,
	 .min = V12,
	 .max = V12,
	 .lacks = "TLS13-"},
	{.name = "only tls1.3",
	 .in = "NORMAL:-VERS-ALL:+VERS-TLS1.3",
	 .ret = 0,
	 .min = V13,
	 .max = V13,
	 .list = "TLS13-AES256-GCM-SHA384:TLS13-CHACHA20-POLY1305-SHA256:TLS13-AES128-GCM-SHA256"},
	{.name = "no tls1.2",
	 .in = "NORMAL:-VERS-TLS1.2",
	 .ret = 0,
	 .min = V13,
	 .max = V13,
	 .lacks = "ECDHE"},
	{.name = "+tls1.3",
	 .in = "NORMAL:+VERS-TLS1.3",
	 .ret = 0,
	 .min = V12,
	 .max = V13,
	 .list = NORMAL_LIST},
	{.name = "vers-tls-all",
	 .in = "NORMAL:-VERS-TLS-ALL:+VERS-TLS-ALL",
	 .ret = 0,
	 .min = V12,
	 .max = V13,
	 .list = NORMAL_LIST},
	{.name = "SECURE256",
	 .in = "SECURE256:%SERVER_PRECEDENCE",
	 .ret = 0,
	 .min = V12,
	 .max = V13,
	 .list = "TLS13-AES256-GCM-SHA384:TLS13-CHACHA20-POLY1305-SHA256:ECDHE-ECDSA-AES256-GCM-"
		 "SHA384:"
		 "ECDHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES256-GCM-SHA384:AES256-GCM-SHA384:"
		 "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-CHACHA20-"
		 "POLY1305",
	 .precedence = true},
	{.name = "SECURE128",
	 .in = "SECURE128",
	 .ret = 0,
	 .min = V12,
	 .max = V13,
	 .list = NORMAL_LIST},
	{.name = "PERFORMANCE",
	 .in = "PERFORMANCE",
	 .ret = 0,
	 .min = V12,
	 .max = V13,
	 .has = "TLS13-AES128-GCM-SHA256:TLS13-AES256"},
	{.name = "PFS",
	 .in = "PFS",
	 .ret = 0,
	 .min = V12,
	 .max = V13,
	 .lacks = ":AES256-GCM-SHA384"},
	{.name = "SUITEB128",
	 .in = "SUITEB128",
	 .ret = 0,
	 .min = V12,
	 .max = V13,
	 .has = "ECDHE-ECDSA-AES128-GCM-SHA256",
	 .lacks = "ECDHE-RSA"},
	{.name = "only aes-256-gcm",
	 .in = "NORMAL:-CIPHER-ALL:+AES-256-GCM",
	 .ret = 0,
	 .min = V12,
	 .max = V13,
	 .list = "TLS13-AES256-GCM-SHA384:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-"
		 "SHA384:"
		 "DHE-RSA-AES256-GCM-SHA384:AES256-GCM-SHA384"},
	{.name = "-aes-128-cbc",
	 .in = "NORMAL:-AES-128-CBC",
	 .ret = 0,
	 .min = V12,
	 .max = V13,
	 .lacks = "AES128-SHA"},
	{.name = "-chacha20",
	 .in = "NORMAL:-CHACHA20-POLY1305",
	 .ret = 0,
	 .min = V12,
	 .max = V13,
	 .lacks = "CHACHA"},
	{.name = "!chacha20",
	 .in = "NORMAL:!CHACHA20-POLY1305",
	 .ret = 0,
	 .min = V12,
	 .max = V13,
	 .lacks = "CHACHA"},
	{.name = "no tickets",
	 .in = "NORMAL:%NO_TICKETS",
	 .ret = 0,
	 .min = V12,
	 .max = V13,
	 .list = NORMAL_LIST,
	 .no_tickets = true},
	{.name = "no tickets tls12",
	 .in = "NORMAL:%NO_TICKETS_TLS12",
	 .ret = 0,
	 .min = V12,
	 .max = V13,
	 .no_tickets = true},
	{.name = "-rsa kx",
	 .in = "NORMAL:-RSA",
	 .ret = 0,
	 .min = V12,
	 .max = V13,
	 .has = "ECDHE-RSA",
	 .lacks = ":AES256-GCM-SHA384"},
	{.name = "+sha256 +sha384",
	 .in = "NORMAL:+SHA256:+SHA384",
	 .ret = 0,
	 .min = V12,
	 .max = V13,
	 .has = "ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:DHE-RSA-AES256-SHA256"},
	{.name = "ignored tweaks",
	 .in = "NORMAL:+SIGN-RSA-SHA256:-GROUP-FFDHE2048:+CURVE-SECP256R1:-COMP-ALL:+CTYPE-X509",
	 .ret = 0,
	 .min = V12,
	 .max = V13,
	 .list = NORMAL_LIST},
	{.name = "dtls versions ignored",
	 .in = "NORMAL:-VERS-DTLS1.0:+VERS-DTLS1.2:-VERS-DTLS-ALL",
	 .ret = 0,
	 .min = V12,
	 .max = V13,
	 .list = NORMAL_LIST},
	{.name = "removing the never-enabled",
	 .in = "NORMAL:-3DES-CBC:-ARCFOUR-128:-MD5:-DHE-DSS:-VERS-SSL3.0",
	 .ret = 0,
	 .min = V12,
	 .max = V13,
	 .list = NORMAL_LIST},
	{.name = "harmless flags",
	 .in = "NORMAL:%COMPAT:%DUMBFW:%SAFE_RENEGOTIATION:%LATEST_RECORD_VERSION",
	 .ret = 0,
	 .min = V12,
	 .max = V13,
	 .list = NORMAL_LIST},
	{.name = "empty elements",
	 .in = "NORMAL::%COMPAT:",
	 .ret = 0,
	 .min = V12,
	 .max = V13,
	 .list = NORMAL_LIST},
	{.name = "built from NONE",
	 .in = "NONE:+VERS-TLS1.2:+AES-128-GCM:+AEAD:+ECDHE-RSA",
	 .ret = 0,
	 .min = V12,
	 .max = V12,
	 .list = "ECDHE-RSA-AES128-GCM-SHA256"},
	{.name = "+tls1.0", .in = "NORMAL:+VERS-TLS1.0", .ret = -EINVAL, .err = "below 1.2"},
	{.name = "+tls1.1", .in = "NORMAL:+VERS-TLS1.1", .ret = -EINVAL, .err = "'+VERS-TLS1.1'"},
	{.name = "+ssl3", .in = "NORMAL:+VERS-SSL3.0", .ret = -EINVAL, .err = "below 1.2"},
	{.name = "+3des", .in = "NORMAL:+3DES-CBC", .ret = -EINVAL, .err = "weak"},
	{.name = "+arcfour", .in = "NORMAL:+ARCFOUR-128", .ret = -EINVAL, .err = "weak"},
	{.name = "+md5", .in = "NORMAL:+MD5", .ret = -EINVAL, .err = "weak"},
	{.name = "+ccm", .in = "NORMAL:+AES-128-CCM", .ret = -EINVAL, .err = "not available"},
	{.name = "+psk", .in = "NORMAL:+PSK", .ret = -EINVAL, .err = "key exchange"},
	{.name = "unsafe reneg",
	 .in = "NORMAL:%UNSAFE_RENEGOTIATION",
	 .ret = -EINVAL,
	 .err = "renegotiation"},
	{.name = "disable safe reneg",
	 .in = "NORMAL:%DISABLE_SAFE_RENEGOTIATION",
	 .ret = -EINVAL,
	 .err = "renegotiation"},
	{.name = "no etm", .in = "NORMAL:%NO_ETM", .ret = -EINVAL, .err = "cannot be honoured"},
	{.name = "no extensions",
	 .in = "NORMAL:%NO_EXTENSIONS",
	 .ret = -EINVAL,
	 .err = "cannot be honoured"},
	{.name = "verify sha1",
	 .in = "NORMAL:%VERIFY_ALLOW_SIGN_WITH_SHA1",
	 .ret = -EINVAL,
	 .err = "verification"},
	{.name = "profile", .in = "NORMAL:%PROFILE_HIGH", .ret = -EINVAL, .err = "profiles"},
	{.name = "unknown flag",
	 .in = "NORMAL:%BOGUS",
	 .ret = -EINVAL,
	 .err = "unknown priority flag '%BOGUS'"},
	{.name = "unknown element",
	 .in = "NORMAL:+FOO",
	 .ret = -EINVAL,
	 .err = "unknown priority element '+FOO'"},
	{.name = "unknown keyword",
	 .in = "BOGUS:%COMPAT",
	 .ret = -EINVAL,
	 .err = "must start with a keyword"},
	{.name = "element first",
	 .in = "+VERS-TLS1.2",
	 .ret = -EINVAL,
	 .err = "must start with a keyword"},
	{.name = "system keyword", .in = "@SYSTEM", .ret = -EINVAL, .err = "system priority"},
	{.name = "empty", .in = "", .ret = -EINVAL, .err = "empty priority string"},
	{.name = "only colons", .in = ":::", .ret = -EINVAL, .err = "empty priority string"},
	{.name = "bare keyword later",
	 .in = "NORMAL:AES-128-GCM",
	 .ret = -EINVAL,
	 .err = "keyword only allowed first"},
	{.name = "bare +", .in = "NORMAL:+", .ret = -EINVAL, .err = "empty priority element"},
	{.name = "bare %", .in = "NORMAL:%", .ret = -EINVAL, .err = "empty priority flag"},
	{.name = "space",
	 .in = "NORMAL: -VERS-TLS1.3",
	 .ret = -EINVAL,
	 .err = "invalid character 0x20"},
	{.name = "tab", .in = "NORMAL\t", .ret = -EINVAL, .err = "invalid character 0x09"},
	{.name = "high byte",
	 .in = "NORMAL:-VERS-TLS1.\xb3",
	 .ret = -EINVAL,
	 .err = "invalid character 0xb3"},
	{.name = "no version", .in = "NORMAL:-VERS-ALL", .ret = -EINVAL, .err = "no TLS version"},
	{.name = "NONE alone", .in = "NONE", .ret = -EINVAL, .err = "no TLS version"},
	{.name = "no cipher",
	 .in = "NORMAL:-CIPHER-ALL",
	 .ret = -EINVAL,
	 .err = "TLS 1.3 is enabled but"},
	{.name = "no aead for 1.3",
	 .in = "NORMAL:-AEAD",
	 .ret = -EINVAL,
	 .err = "TLS 1.3 is enabled but"},
	{.name = "no kx for 1.2",
	 .in = "NORMAL:-VERS-TLS1.3:-KX-ALL",
	 .ret = -EINVAL,
	 .err = "TLS 1.2 is enabled but"},
	{.name = "NONE no kx",
	 .in = "NONE:+VERS-TLS1.2:+AES-128-GCM:+AEAD",
	 .ret = -EINVAL,
	 .err = "TLS 1.2 is enabled but"},
	{.name = "cbc only with 1.3",
	 .in = "NORMAL:-CIPHER-ALL:+AES-128-CBC",
	 .ret = -EINVAL,
	 .err = "TLS 1.3 is enabled but"},
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct prio_case *tc = &cases[i];
		struct tls_priority p;
		char err[256];
		int ret;

		memset(err, 'x', sizeof(err));
		ret = tls_priority_parse(tc->in, &p, err, sizeof(err));
		if (ret != tc->ret)
			fail_msg("case '%s': ret %d, want %d (err '%s')", tc->name, ret, tc->ret,
				 err);
		if (ret < 0) {
			if (!strstr(err, tc->err))
				fail_msg("case '%s': err '%s' lacks '%s'", tc->name, err, tc->err);
			assert_int_equal(p.min_version, 0);
			assert_string_equal(p.cipher_list, "");
			continue;
		}
		assert_string_equal(err, "");
		if (p.min_version != tc->min || p.max_version != tc->max)
			fail_msg("case '%s': versions %#x..%#x, want %#x..%#x", tc->name,
				 p.min_version, p.max_version, tc->min, tc->max);
		if (tc->list && strcmp(p.cipher_list, tc->list) != 0)
			fail_msg("case '%s': list\n  %s\nwant\n  %s", tc->name, p.cipher_list,
				 tc->list);
		if (tc->has && !strstr(p.cipher_list, tc->has))
			fail_msg("case '%s': list %s lacks %s", tc->name, p.cipher_list, tc->has);
		if (tc->lacks && strstr(p.cipher_list, tc->lacks))
			fail_msg("case '%s': list %s has %s", tc->name, p.cipher_list, tc->lacks);
		if (p.server_precedence != tc->precedence || p.no_tickets != tc->no_tickets)
			fail_msg("case '%s': flags precedence=%d no_tickets=%d", tc->name,
				 p.server_precedence, p.no_tickets);
	}
}

/* The input limit, and one past it. */
static void test_length_limit(void **state)
{
	char *s = malloc(TLS_PRIO_MAX_INPUT + 2);
	struct tls_priority p;
	char err[128];
	size_t n;

	(void)state;
	assert_non_null(s);
	n = (size_t)snprintf(s, TLS_PRIO_MAX_INPUT + 2, "NORMAL");
	while (n + 8 <= TLS_PRIO_MAX_INPUT)
		n += (size_t)snprintf(s + n, TLS_PRIO_MAX_INPUT + 2 - n, ":%%COMPAT");
	while (n < TLS_PRIO_MAX_INPUT)
		s[n++] = ':';
	s[n] = '\0';
	assert_int_equal(strlen(s), TLS_PRIO_MAX_INPUT);
	assert_int_equal(tls_priority_parse(s, &p, err, sizeof(err)), 0);
	s[n++] = ':';
	s[n] = '\0';
	assert_int_equal(tls_priority_parse(s, &p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "longer than 4096"));
	free(s);
}

/* Small or absent error buffers are never overrun and stay terminated. */
static void test_err_buffer(void **state)
{
	struct tls_priority p;
	char err[9];

	(void)state;
	memset(err, 'x', sizeof(err));
	assert_int_equal(tls_priority_parse("NORMAL:+FOO", &p, err, 8), -EINVAL);
	assert_int_equal(strlen(err), 7);
	assert_int_equal(err[8], 'x');
	assert_int_equal(tls_priority_parse("NORMAL:+FOO", &p, nullptr, 0), -EINVAL);
	assert_int_equal(tls_priority_parse("NORMAL", &p, nullptr, 0), 0);
}

/* Every suite name we can emit is one this wolfSSL build knows. */
static void test_names_known_to_wolfssl(void **state)
{
	static char all[16384];
	struct tls_priority p;
	char err[128];
	size_t count = 0;

	(void)state;
	assert_int_equal(wolfSSL_get_ciphers(all, sizeof(all)), WOLFSSL_SUCCESS);
	assert_int_equal(
		tls_priority_parse("NORMAL:+CIPHER-ALL:+MAC-ALL:+KX-ALL", &p, err, sizeof(err)), 0);
	for (char *save = nullptr, *name = strtok_r(p.cipher_list, ":", &save); name;
	     name = strtok_r(nullptr, ":", &save)) {
		char needle[64];
		char hay[sizeof(all) + 2];

		snprintf(needle, sizeof(needle), ":%s:", name);
		snprintf(hay, sizeof(hay), ":%s:", all);
		if (!strstr(hay, needle))
			fail_msg("suite %s unknown to wolfSSL", name);
		count++;
	}
	assert_int_equal(count, 3 + 27);
}

/* Deterministic mutations of a valid string: any outcome but a crash is fine, and a failure
 * leaves a terminated message and a zeroed result. */
static void test_mutations(void **state)
{
	const char *base = TLS_PRIORITY_DEFAULT ":+SHA256:%NO_TICKETS:-RSA";
	size_t len = strlen(base);
	char buf[256];

	(void)state;
	for (size_t cut = 0; cut <= len; cut++) {
		struct tls_priority p;
		char err[64];

		memcpy(buf, base, cut);
		buf[cut] = '\0';
		if (tls_priority_parse(buf, &p, err, sizeof(err)) < 0) {
			assert_true(strlen(err) < sizeof(err));
			assert_int_equal(p.max_version, 0);
		}
	}
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			struct tls_priority p;
			char err[64];

			memcpy(buf, base, len + 1);
			buf[i] = (char)(buf[i] ^ (1 << bit));
			if (buf[i] == '\0')
				continue;
			if (tls_priority_parse(buf, &p, err, sizeof(err)) < 0)
				assert_true(strlen(err) < sizeof(err));
			else
				assert_true(p.min_version <= p.max_version);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),	   cmocka_unit_test(test_length_limit),
		cmocka_unit_test(test_err_buffer), cmocka_unit_test(test_names_known_to_wolfssl),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
