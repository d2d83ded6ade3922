// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for auth/sha256crypt.c: the spec's "$5$" vectors, random cases against libcrypt's
 * crypt_rn with both SHA-256 backends, the setting parser's table and limits, and mutations of a
 * valid setting (whatever we accept, libcrypt must hash the same). */
#include "auth/sha256crypt.h"

#include <crypt.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "auth/sha256.h"
#include "core/compiler.h"

static const char b64_alphabet[] =
	"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static size_t backends(bool out[2])
{
	size_t n = 0;

	if (sha256_cpu_has_shani())
		out[n++] = true;
	else
		print_message("sha256crypt: no SHA-NI on this CPU, portable backend only\n");
	out[n++] = false;
	return n;
}

/* crypt_rn's answer, or nullptr when libcrypt refuses the setting. */
static const char *libcrypt(const char *pw, const char *setting, struct crypt_data *cd)
{
	const char *r = crypt_rn(pw, setting, cd, sizeof(*cd));

	return r && r[0] != '*' ? r : nullptr;
}

/* ---- the spec's test vectors ---------------------------------------------------------------- */

struct spec_case {
	const char *setting, *pw, *want;
	bool strict; /* false: salt over 16 or rounds under 1000, which we leave to libcrypt */
	bool libcrypt_refuses; /* libxcrypt refuses rounds under 1000, where the spec clamps */
	bool rounds_slow;      /* over 20000 rounds: SHA-NI only */
};

#define LONG_PW                                                                                    \
	"a very much longer text to encrypt.  This one even stretches over more"                   \
	"than one line."

/* "Unix crypt using SHA-256 and SHA-512", test vectors for SHA-256; the long-salt and low-rounds
 * ones are repeated with the salt cut to 16 and the rounds raised to 1000, as the spec does. */
static const struct spec_case spec_cases[] = {
	{.setting = "$5$saltstring",
	 .pw = "Hello world!",
	 .want = "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5",
	 .strict = true},
	{.setting = "$5$rounds=10000$saltstringsaltstring",
	 .pw = "Hello world!",
	 .want = "$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA"},
	{.setting = "$5$rounds=10000$saltstringsaltst",
	 .pw = "Hello world!",
	 .want = "$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA",
	 .strict = true},
	{.setting = "$5$rounds=5000$toolongsaltstring",
	 .pw = "This is just a test",
	 .want = "$5$rounds=5000$toolongsaltstrin$Un/5jzAHMgOGZ5.mWJpuVolil07guHPvOW8mGRcvxa5"},
	{.setting = "$5$rounds=5000$toolongsaltstrin",
	 .pw = "This is just a test",
	 .want = "$5$rounds=5000$toolongsaltstrin$Un/5jzAHMgOGZ5.mWJpuVolil07guHPvOW8mGRcvxa5",
	 .strict = true},
	{.setting = "$5$rounds=1400$anotherlongsaltstring",
	 .pw = LONG_PW,
	 .want = "$5$rounds=1400$anotherlongsalts$Rx.j8H.h8HjEDGomFU8bDkXm3XIUnzyxf12oP84Bnq1"},
	{.setting = "$5$rounds=1400$anotherlongsalts",
	 .pw = LONG_PW,
	 .want = "$5$rounds=1400$anotherlongsalts$Rx.j8H.h8HjEDGomFU8bDkXm3XIUnzyxf12oP84Bnq1",
	 .strict = true},
	{.setting = "$5$rounds=77777$short",
	 .pw = "we have a short salt string but not a short password",
	 .want = "$5$rounds=77777$short$JiO1O3ZpDAxGJeaDIuqCoEFysAe1mZNJRs3pw0KQRd/",
	 .strict = true,
	 .rounds_slow = true},
	{.setting = "$5$rounds=123456$asaltof16chars..",
	 .pw = "a short string",
	 .want = "$5$rounds=123456$asaltof16chars..$gP3VQ/6X7UUEW3HkBn2w1/Ptq2jxPyzV/cZKmF/wJvD",
	 .strict = true,
	 .rounds_slow = true},
	{.setting = "$5$rounds=10$roundstoolow",
	 .pw = "the minimum number is still observed",
	 .want = "$5$rounds=1000$roundstoolow$yfvwcWrQ8l/K0DAWyuPMDNHpIVlTQebY9l/gL972bIC",
	 .libcrypt_refuses = true},
	{.setting = "$5$rounds=1000$roundstoolow",
	 .pw = "the minimum number is still observed",
	 .want = "$5$rounds=1000$roundstoolow$yfvwcWrQ8l/K0DAWyuPMDNHpIVlTQebY9l/gL972bIC",
	 .strict = true},
};

static void test_spec_vectors(void **state)
{
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	bool be[2];
	size_t nbe = backends(be);

	(void)state;
	assert_non_null(cd);
	/* the reference itself: libcrypt agrees with the spec, except below 1000 rounds */
	for (size_t i = 0; i < ARRAY_SIZE(spec_cases); i++) {
		const struct spec_case *c = &spec_cases[i];
		const char *ref = libcrypt(c->pw, c->setting, cd);

		if (c->libcrypt_refuses) {
			assert_null(ref);
			continue;
		}
		assert_non_null(ref);
		assert_string_equal(ref, c->want);
	}
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	for (size_t b = 0; b < nbe; b++) {
		assert_int_equal(sha256_use_shani(be[b]), be[b]);
		for (size_t i = 0; i < ARRAY_SIZE(spec_cases); i++) {
			const struct spec_case *c = &spec_cases[i];
			char out[SHA256CRYPT_MAX];
			int ret;

			if (!be[b] && c->rounds_slow)
				continue; /* seconds under ASan; random cases cover this backend */
			ret = sha256crypt(c->pw, c->setting, out);
			if (!c->strict) {
				assert_int_equal(ret, -EINVAL);
				continue;
			}
			assert_int_equal(ret, 0);
			assert_string_equal(out, c->want);
		}
	}
	sha256_use_shani(true);
}

/* ---- random cases against libcrypt ---------------------------------------------------------- */

enum { PW_MAX = 300 };

static void test_random_vs_libcrypt(void **state)
{
	/* 0 = no "rounds=" (5000) */
	static const uint32_t rounds[] = {0, 1000, 1001, 4999, 5000, 5001, 12345};
	/* edges of SHA-256's blocks and of the 32-byte repetition, then random lengths */
	static const size_t edge_len[] = {0, 1, 31, 32, 33, 55, 56, 63, 64, 65, 255, 256, PW_MAX};
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	char pw[PW_MAX + 1], setting[64], trailing[SHA256CRYPT_MAX + 8];
	uint64_t seed = 42;
	bool be[2];
	size_t nbe = backends(be);

	(void)state;
	assert_non_null(cd);
	for (int iter = 0; iter < 60; iter++) {
		size_t plen, slen = 1 + rng_next(&seed) % SHA256CRYPT_SALT_MAX;
		uint32_t r = rounds[(size_t)iter % ARRAY_SIZE(rounds)];
		char want[SHA256CRYPT_MAX];
		const char *ref;
		int n;

		plen = (size_t)iter < ARRAY_SIZE(edge_len) ? edge_len[iter]
							   : rng_next(&seed) % (PW_MAX + 1);
		/* Seconds under ASan: the cost is rounds x length, and the rounds do not depend on
		 * the length, so long passwords get few (still with and without "rounds="). */
		if (plen > SHA256_BLOCK_LEN)
			r = r == 0 && iter % 2 ? 0 : 1000 + (r & 1);
		for (size_t i = 0; i < plen; i++)
			pw[i] = (char)(1 + rng_next(&seed) % 255);
		pw[plen] = '\0';
		n = r ? snprintf(setting, sizeof(setting), "$5$rounds=%u$", (unsigned int)r)
		      : snprintf(setting, sizeof(setting), "$5$");
		for (size_t i = 0; i < slen; i++)
			setting[n++] = b64_alphabet[rng_next(&seed) % 64];
		setting[n] = '\0';

		ref = libcrypt(pw, setting, cd);
		assert_non_null(ref);
		assert_true(strlen(ref) < sizeof(want));
		memcpy(want, ref, strlen(ref) + 1);
		for (size_t b = 0; b < nbe; b++) {
			char out[SHA256CRYPT_MAX];

			assert_int_equal(sha256_use_shani(be[b]), be[b]);
			assert_int_equal(sha256crypt(pw, setting, out), 0);
			if (strcmp(out, want) != 0)
				fail_msg("%s: plen %zu setting %s: got %s want %s",
					 be[b] ? "shani" : "portable", plen, setting, out, want);
		}
		/* The stored hash as the setting, and "$" plus junk after the salt, hash the same.
		 */
		if (iter % 4 == 0) {
			char out[SHA256CRYPT_MAX];

			sha256_use_shani(true);

			assert_int_equal(sha256crypt(pw, want, out), 0);
			assert_string_equal(out, want);
			snprintf(trailing, sizeof(trailing), "%s$x#~", setting);
			assert_int_equal(sha256crypt(pw, trailing, out), 0);
			assert_string_equal(out, want);
			/* libxcrypt refuses ':' and '*' anywhere in a setting: left to it. */
			snprintf(trailing, sizeof(trailing), "%s$x:*", setting);
			assert_int_equal(sha256crypt(pw, trailing, out), -EINVAL);
			assert_null(libcrypt(pw, trailing, cd));
		}
	}
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	sha256_use_shani(true);
}

/* ---- setting parser ------------------------------------------------------------------------- */

struct parse_case {
	const char *setting;
	int ret;
	const char *salt; /* on success */
	uint32_t rounds;
	bool rounds_given;
};

static const struct parse_case parse_cases[] = {
	{"$5$a", 0, "a", 5000, false},
	{"$5$a$", 0, "a", 5000, false},
	{"$5$./09AZaz$hash", 0, "./09AZaz", 5000, false},
	{"$5$0123456789abcdef", 0, "0123456789abcdef", 5000, false}, /* salt at limit */
	{"$5$0123456789abcdef$", 0, "0123456789abcdef", 5000, false},
	{"$5$rounds=1000$s", 0, "s", 1000, true}, /* rounds at lower limit */
	{"$5$rounds=5000$s$x", 0, "s", 5000, true},
	{"$5$rounds=999999999$s", 0, "s", 999999999, true},  /* rounds at upper limit */
	{"$5$rounds$", 0, "rounds", 5000, false},	     /* a salt, not a rounds field */
	{.setting = "$5$0123456789abcdefg", .ret = -EINVAL}, /* salt past limit */
	{.setting = "$5$0123456789abcdefg$", .ret = -EINVAL},
	{.setting = "", .ret = -EINVAL},
	{.setting = "$", .ret = -EINVAL},
	{.setting = "$5", .ret = -EINVAL},
	{.setting = "$5$", .ret = -EINVAL}, /* empty salt */
	{.setting = "$5$$", .ret = -EINVAL},
	{.setting = "$5$$hash", .ret = -EINVAL},
	{.setting = "$6$salt", .ret = -EINVAL},
	{.setting = "$1$salt", .ret = -EINVAL},
	{.setting = "5$salt", .ret = -EINVAL},
	{.setting = "$5salt", .ret = -EINVAL},
	{.setting = "$5$ab*c", .ret = -EINVAL}, /* salt characters */
	{.setting = "$5$ab:c", .ret = -EINVAL},
	{.setting = "$5$ab c", .ret = -EINVAL},
	{.setting = "$5$ab\nc", .ret = -EINVAL},
	{.setting = "$5$ab-c", .ret = -EINVAL},
	{.setting = "$5$ab\x80", .ret = -EINVAL},
	{.setting = "$5$rounds=999$s", .ret = -EINVAL}, /* rounds past lower limit */
	{.setting = "$5$rounds=0$s", .ret = -EINVAL},
	{.setting = "$5$rounds=01000$s", .ret = -EINVAL},
	{.setting = "$5$rounds=1000000000$s", .ret = -EINVAL}, /* rounds past upper limit */
	{.setting = "$5$rounds=9999999999$s", .ret = -EINVAL},
	{.setting = "$5$rounds=100000000000000000000000000000001000$s", .ret = -EINVAL},
	{.setting = "$5$rounds=$s", .ret = -EINVAL},
	{.setting = "$5$rounds=1000", .ret = -EINVAL},
	{.setting = "$5$rounds=1000s", .ret = -EINVAL},
	{.setting = "$5$rounds=+1000$s", .ret = -EINVAL},
	{.setting = "$5$rounds=-1000$s", .ret = -EINVAL},
	{.setting = "$5$rounds= 1000$s", .ret = -EINVAL},
	{.setting = "$5$rounds=1000 $s", .ret = -EINVAL},
	{.setting = "$5$rounds=0x400$s", .ret = -EINVAL},
	{.setting = "$5$rounds=1000$", .ret = -EINVAL}, /* rounds but empty salt */
	{.setting = "$5$rounds=1000$$", .ret = -EINVAL},
	{.setting = "$5$rounds=1000$rounds=1000$s", .ret = -EINVAL}, /* '=' in the salt */
};

static void test_setting_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(parse_cases); i++) {
		const struct parse_case *c = &parse_cases[i];
		struct sha256crypt_setting st;
		char out[SHA256CRYPT_MAX];
		int ret = sha256crypt_setting_parse(c->setting, &st);

		if (ret != c->ret)
			fail_msg("case %zu \"%s\": ret %d want %d", i, c->setting, ret, c->ret);
		if (ret != 0) {
			/* sha256crypt fails without hashing and leaves out alone */
			memset(out, 'x', sizeof(out));
			assert_int_equal(sha256crypt("pw", c->setting, out), -EINVAL);
			for (size_t k = 0; k < sizeof(out); k++)
				assert_int_equal(out[k], 'x');
			continue;
		}
		assert_int_equal(st.salt_len, strlen(c->salt));
		assert_memory_equal(st.salt, c->salt, st.salt_len);
		assert_int_equal(st.rounds, c->rounds);
		assert_int_equal(st.rounds_given, c->rounds_given);
	}
}

/* Bit flips, byte substitutions and truncations of a valid setting: whenever sha256crypt accepts
 * one, libcrypt must produce the same string. libcrypt also refuses some characters after the
 * salt's '$' ('*', ':', ';', '!', '\\', whitespace) that we ignore; there the setting cut at the
 * end of the salt must give libcrypt's string. */
static void test_setting_mutations(void **state)
{
	static const char sample[] = "$5$rounds=1000$abcdefgh$junk";
	static const char subst[] = {'\0', '$', '0', '1', '9', 'z', '.', '=', '*', '\x80'};
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	char m[sizeof(sample)];
	unsigned int accepted = 0, tail_refused = 0, total = 0;

	(void)state;
	assert_non_null(cd);
	for (size_t pos = 0; pos < sizeof(sample) - 1; pos++) {
		for (size_t k = 0; k < 8 + ARRAY_SIZE(subst); k++) {
			char out[SHA256CRYPT_MAX];
			const char *ref;

			memcpy(m, sample, sizeof(sample));
			if (k < 8)
				m[pos] = (char)(m[pos] ^ (1u << k));
			else
				m[pos] = subst[k - 8]; /* '\0' truncates */
			total++;
			if (sha256crypt("password", m, out) != 0)
				continue;
			accepted++;
			ref = libcrypt("password", m, cd);
			if (!ref) {
				struct sha256crypt_setting st;

				assert_int_equal(sha256crypt_setting_parse(m, &st), 0);
				m[st.salt + st.salt_len - m] = '\0';
				ref = libcrypt("password", m, cd);
				tail_refused++;
			}
			if (!ref || strcmp(ref, out) != 0)
				fail_msg("mutant \"%s\": ours %s, libcrypt %s", m, out,
					 ref ? ref : "(refused)");
		}
	}
	print_message("mutations: %u of %u accepted, all equal to libcrypt (%u cut at the salt)\n",
		      accepted, total, tail_refused);
	assert_true(accepted > 0 && accepted < total);
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_vectors),
		cmocka_unit_test(test_random_vs_libcrypt),
		cmocka_unit_test(test_setting_table),
		cmocka_unit_test(test_setting_mutations),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
