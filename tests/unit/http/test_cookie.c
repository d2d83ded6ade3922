// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for http/cookie.c: minting, known base64 vectors, strict decoding (lengths 43/45,
 * alphabet, canonical padding), constant-time equality and deterministic mutations. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http/http.h"

static const char vec0[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";   /* bytes 0..31 */
static const char vec200[] = "yMnKy8zNzs/Q0dLT1NXW19jZ2tvc3d7f4OHi4+Tl5uc="; /* 200..231 */

/* Decode from an exact-size heap copy so ASan sees any read past the input. */
static int decode_exact(const char *s, size_t len, struct cookie *c)
{
	char *copy = malloc(len ? len : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, s, len);
	ret = cookie_decode(copy, len, c);
	free(copy);
	return ret;
}

static void test_vectors(void **state)
{
	struct cookie c, d;
	char enc[COOKIE_B64_LEN + 1];

	(void)state;
	for (int i = 0; i < COOKIE_RAW_LEN; i++)
		c.raw[i] = (uint8_t)i;
	cookie_encode(&c, enc);
	assert_string_equal(enc, vec0);
	assert_int_equal(decode_exact(vec0, strlen(vec0), &d), 0);
	assert_true(cookie_equal(&c, &d));

	for (int i = 0; i < COOKIE_RAW_LEN; i++)
		c.raw[i] = (uint8_t)(200 + i);
	cookie_encode(&c, enc);
	assert_string_equal(enc, vec200);
	assert_int_equal(decode_exact(vec200, strlen(vec200), &d), 0);
	assert_memory_equal(c.raw, d.raw, COOKIE_RAW_LEN);
}

static void test_mint_roundtrip(void **state)
{
	struct cookie a, b, back;
	char enc[COOKIE_B64_LEN + 1];

	(void)state;
	assert_int_equal(cookie_mint(&a), 0);
	assert_int_equal(cookie_mint(&b), 0);
	assert_false(cookie_equal(&a, &b));
	cookie_encode(&a, enc);
	assert_int_equal(strlen(enc), COOKIE_B64_LEN);
	assert_int_equal(enc[COOKIE_B64_LEN - 1], '=');
	assert_null(strpbrk(enc, "; \"\t"));
	assert_int_equal(decode_exact(enc, strlen(enc), &back), 0);
	assert_true(cookie_equal(&a, &back));
	/* every byte value and position survives */
	for (int v = 0; v < 256; v++) {
		memset(a.raw, 0, sizeof(a.raw));
		a.raw[v % COOKIE_RAW_LEN] = (uint8_t)v;
		cookie_encode(&a, enc);
		assert_int_equal(decode_exact(enc, strlen(enc), &back), 0);
		assert_true(cookie_equal(&a, &back));
	}
}

struct dec_case {
	const char *name;
	const char *s;
	int want;
};

static const struct dec_case dec_cases[] = {
	{"valid", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", 0},
	{"len_43", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", -EBADMSG},
	{"len_45", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8==", -EBADMSG},
	{"len_43_padded", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh=", -EBADMSG},
	{"len_0", "", -EBADMSG},
	{"len_88",
	 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
	 -EBADMSG},
	{"no_padding_char", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8A", -EBADMSG},
	{"two_padding", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==", -EBADMSG},
	{"pad_in_middle", "AAEC=wQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", -EBADMSG},
	{"urlsafe_minus", "-AECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", -EBADMSG},
	{"urlsafe_underscore", "_AECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", -EBADMSG},
	{"space", " AECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", -EBADMSG},
	{"high_byte",
	 "\xc3"
	 "AECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
	 -EBADMSG},
	{"non_canonical_tail", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9=", -EBADMSG},
	{"plus_slash", "++++////AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 0},
};

static void test_decode_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(dec_cases) / sizeof(dec_cases[0]); i++) {
		const struct dec_case *c = &dec_cases[i];
		struct cookie out;
		int ret = decode_exact(c->s, strlen(c->s), &out);

		if (ret != c->want)
			fail_msg("%s: got %d want %d", c->name, ret, c->want);
		if (ret < 0) {
			static const struct cookie zero = {};

			assert_memory_equal(out.raw, zero.raw, COOKIE_RAW_LEN);
		}
	}
}

static void test_alphabet(void **state)
{
	static const char alpha[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char s[COOKIE_B64_LEN + 1];
	struct cookie c;

	(void)state;
	for (int ch = 0; ch < 256; ch++) {
		memcpy(s, vec0, sizeof(s));
		s[0] = (char)ch;
		bool valid = ch != 0 && strchr(alpha, ch) != nullptr;

		assert_int_equal(decode_exact(s, COOKIE_B64_LEN, &c), valid ? 0 : -EBADMSG);
		if (valid)
			assert_int_equal(c.raw[0] >> 2, (int)(strchr(alpha, ch) - alpha));
	}
}

static void test_equal(void **state)
{
	struct cookie a = {}, b = {};

	(void)state;
	assert_true(cookie_equal(&a, &b));
	b.raw[COOKIE_RAW_LEN - 1] = 1;
	assert_false(cookie_equal(&a, &b));
	b = a;
	b.raw[0] = 0x80;
	assert_false(cookie_equal(&a, &b));
}

/* Bit flips of a valid encoding decode to 0 (and re-encode to the same text) or -EBADMSG. */
static void test_mutations(void **state)
{
	char s[COOKIE_B64_LEN + 1];
	char enc[COOKIE_B64_LEN + 1];
	struct cookie c;

	(void)state;
	for (size_t i = 0; i < COOKIE_B64_LEN; i++) {
		for (int bit = 0; bit < 8; bit++) {
			int ret;

			memcpy(s, vec200, sizeof(s));
			s[i] ^= (char)(1u << bit);
			ret = decode_exact(s, COOKIE_B64_LEN, &c);
			assert_true(ret == 0 || ret == -EBADMSG);
			if (ret == 0) {
				cookie_encode(&c, enc);
				assert_memory_equal(enc, s, COOKIE_B64_LEN);
			}
		}
	}
	for (size_t cut = 0; cut < COOKIE_B64_LEN; cut++)
		assert_int_equal(decode_exact(vec200, cut, &c), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),	     cmocka_unit_test(test_mint_roundtrip),
		cmocka_unit_test(test_decode_table), cmocka_unit_test(test_alphabet),
		cmocka_unit_test(test_equal),	     cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
