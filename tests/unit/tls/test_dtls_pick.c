// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for the pure parts of tls/dtls_legacy.c: dtls_legacy_pick() and
 * dtls_psk_offered() on the header values real clients send (§3.2, §5.3, §5.4). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/compiler.h"
#include "tls/tls.h"

/* openconnect 9.01 (GnuTLS) and Cisco Secure Client header values. */
#define OC_DTLS                                                                                    \
	"PSK-NEGOTIATE:OC-DTLS1_2-AES256-GCM:OC-DTLS1_2-AES128-GCM:AES256-SHA:AES128-SHA:"         \
	"DES-CBC3-SHA"
#define OC_DTLS12 "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:AES256-GCM-SHA384"
#define CSC_DTLS12                                                                                 \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:AES256-GCM-SHA384:"             \
	"ECDHE-ECDSA-AES128-GCM-SHA256:AES128-GCM-SHA256:AES256-SHA:AES128-SHA"
#define CSC_DTLS "AES256-SHA:AES128-SHA:DES-CBC3-SHA"

struct pick_case {
	const char *name;
	const char *dtls12, *dtls;
	int ret;
	const char *header, *choice;
	uint16_t id;
};

static const struct pick_case pick_cases[] = {
	{"openconnect", OC_DTLS12, OC_DTLS, 0, "X-DTLS12-CipherSuite",
	 "ECDHE-RSA-AES256-GCM-SHA384", DTLS_SUITE_ECDHE_RSA_AES256_GCM},
	{"cisco secure client", CSC_DTLS12, CSC_DTLS, 0, "X-DTLS12-CipherSuite",
	 "ECDHE-ECDSA-AES256-GCM-SHA384", DTLS_SUITE_ECDHE_ECDSA_AES256_GCM},
	{"dtls12 list preferred over a better dtls list", "AES128-SHA", OC_DTLS, 0,
	 "X-DTLS12-CipherSuite", "AES128-SHA", DTLS_SUITE_AES128_SHA},
	{"aes-256-gcm beats aes-128-gcm offered first", "AES128-GCM-SHA256:AES256-GCM-SHA384",
	 nullptr, 0, "X-DTLS12-CipherSuite", "AES256-GCM-SHA384", DTLS_SUITE_AES256_GCM},
	{"gcm beats cbc", "AES256-SHA:AES128-GCM-SHA256", nullptr, 0, "X-DTLS12-CipherSuite",
	 "AES128-GCM-SHA256", DTLS_SUITE_AES128_GCM},
	{"aes256-sha beats aes128-sha", "AES128-SHA:AES256-SHA", nullptr, 0, "X-DTLS12-CipherSuite",
	 "AES256-SHA", DTLS_SUITE_AES256_SHA},
	{"only the dtls list", nullptr, OC_DTLS, 0, "X-DTLS-CipherSuite", "OC-DTLS1_2-AES256-GCM",
	 DTLS_SUITE_AES256_GCM},
	{"oc aes128 only", "", "OC-DTLS1_2-AES128-GCM", 0, "X-DTLS-CipherSuite",
	 "OC-DTLS1_2-AES128-GCM", DTLS_SUITE_AES128_GCM},
	{"blanks around items", " DES-CBC3-SHA : AES128-GCM-SHA256 ", nullptr, 0,
	 "X-DTLS12-CipherSuite", "AES128-GCM-SHA256", DTLS_SUITE_AES128_GCM},
	{"dtls 0.9 names only: none", nullptr, CSC_DTLS, -ENOENT, nullptr, nullptr, 0},
	{"3des only: none", "DES-CBC3-SHA", "DES-CBC3-SHA", -ENOENT, nullptr, nullptr, 0},
	{"psk-negotiate only: none", nullptr, "PSK-NEGOTIATE", -ENOENT, nullptr, nullptr, 0},
	{"chacha pseudo-suite: none", nullptr, "OC2-DTLS1_2-CHACHA20-POLY1305", -ENOENT, nullptr,
	 nullptr, 0},
	{"both null", nullptr, nullptr, -ENOENT, nullptr, nullptr, 0},
	{"empty items", ":::", ":", -ENOENT, nullptr, nullptr, 0},
	{"prefix is not a match", "AES256-GCM-SHA38", "OC-DTLS1_2-AES256-GCMX", -ENOENT, nullptr,
	 nullptr, 0},
	{"case matters", "aes256-gcm-sha384", nullptr, -ENOENT, nullptr, nullptr, 0},
	{"dtls12 names in the dtls list mean dtls 0.9", nullptr, "AES256-GCM-SHA384:AES256-SHA",
	 -ENOENT, nullptr, nullptr, 0},
};

static void test_pick(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(pick_cases); i++) {
		const struct pick_case *tc = &pick_cases[i];
		struct dtls_legacy_choice ch = {};

		print_message("case: %s\n", tc->name);
		assert_int_equal(dtls_legacy_pick(tc->dtls12, tc->dtls, &ch), tc->ret);
		if (tc->ret < 0) {
			assert_null(ch.name);
			continue;
		}
		assert_string_equal(ch.header, tc->header);
		assert_string_equal(ch.name, tc->choice);
		assert_int_equal(ch.suite_id, tc->id);
	}
}

struct psk_case {
	const char *name;
	const char *dtls, *dtls12;
	bool offered;
};

static const struct psk_case psk_cases[] = {
	{"openconnect", OC_DTLS, OC_DTLS12, true},
	{"cisco", CSC_DTLS, CSC_DTLS12, false},
	{"last item", "AES128-SHA:PSK-NEGOTIATE", nullptr, true},
	{"only item", "PSK-NEGOTIATE", nullptr, true},
	{"in the dtls12 list", nullptr, "AES128-SHA:PSK-NEGOTIATE", true},
	{"with blanks", " PSK-NEGOTIATE ", nullptr, true},
	{"prefix of an item", "PSK-NEGOTIATEX", nullptr, false},
	{"suffix of an item", "XPSK-NEGOTIATE", nullptr, false},
	{"lowercase", "psk-negotiate", nullptr, false},
	{"null lists", nullptr, nullptr, false},
	{"empty lists", "", "", false},
};

static void test_psk_offered(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(psk_cases); i++) {
		print_message("case: %s\n", psk_cases[i].name);
		assert_int_equal(dtls_psk_offered(psk_cases[i].dtls, psk_cases[i].dtls12),
				 psk_cases[i].offered);
	}
}

/* match-tls-dtls-ciphers: the TLS channel's cipher picks the one PSK suite. */
static void test_psk_suite_matching(void **state)
{
	static const struct {
		const char *tls, *psk;
	} cases[] = {
		{"TLS13-AES256-GCM-SHA384", "PSK-AES256-GCM-SHA384"},
		{"TLS13-AES128-GCM-SHA256", "PSK-AES128-GCM-SHA256"},
		{"TLS13-CHACHA20-POLY1305-SHA256", "PSK-CHACHA20-POLY1305"},
		{"ECDHE-ECDSA-AES256-GCM-SHA384", "PSK-AES256-GCM-SHA384"},
		{"ECDHE-RSA-AES128-GCM-SHA256", "PSK-AES128-GCM-SHA256"},
		{"ECDHE-RSA-AES256-SHA", nullptr}, /* CBC: no PSK-GCM suite matches */
		{"", nullptr},
		{nullptr, nullptr},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = dtls_psk_suite_matching(cases[i].tls);
		if (cases[i].psk)
			assert_string_equal(got, cases[i].psk);
		else
			assert_null(got);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pick),
		cmocka_unit_test(test_psk_offered),
		cmocka_unit_test(test_psk_suite_matching),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
