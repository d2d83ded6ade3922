// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for auth/sha256.c and auth/sha256_shani.c: FIPS 180 vectors, random messages and
 * random split points against wolfSSL's SHA-256, both backends, and the CPUID decision. */
#include "auth/sha256.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/hash.h>

#include "core/compiler.h"

/* splitmix64: deterministic, so a failure reproduces */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_fill(uint64_t *s, uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)rng_next(s);
}

static void hex_decode(const char *hex, uint8_t out[SHA256_DIGEST_LEN])
{
	assert_int_equal(strlen(hex), 2 * SHA256_DIGEST_LEN);
	for (size_t i = 0; i < SHA256_DIGEST_LEN; i++) {
		unsigned int v;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

/* The backends to run: SHA-NI first when the CPU has it, then the portable one. */
static size_t backends(bool out[2])
{
	size_t n = 0;

	if (sha256_cpu_has_shani())
		out[n++] = true;
	else
		print_message("sha256: no SHA-NI on this CPU, portable backend only\n");
	out[n++] = false;
	return n;
}

static void select_backend(bool shani)
{
	struct sha256 ctx;

	assert_int_equal(sha256_use_shani(shani), shani);
	sha256_init(&ctx);
	assert_ptr_equal(ctx.blocks, shani ? auth__sha256_blocks_shani : auth__sha256_blocks_c);
}

static void oneshot(const void *p, size_t len, uint8_t out[SHA256_DIGEST_LEN])
{
	struct sha256 ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, p, len);
	sha256_final(&ctx, out);
}

static void reference(const uint8_t *p, size_t len, uint8_t out[SHA256_DIGEST_LEN])
{
	assert_int_equal(wc_Sha256Hash(p, (word32)len, out), 0);
}

static void test_cpu_detect(void **state)
{
	char line[4096];
	bool sha = false, sse41 = false, ssse3 = false;
	FILE *f;

	(void)state;
	f = fopen("/proc/cpuinfo", "re");
	if (!f)
		skip();
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5) != 0)
			continue;
		sha = strstr(line, " sha_ni") != nullptr;
		sse41 = strstr(line, " sse4_1") != nullptr;
		ssse3 = strstr(line, " ssse3") != nullptr;
		break;
	}
	fclose(f);
	assert_int_equal(sha256_cpu_has_shani(), sha && sse41 && ssse3);
	assert_false(sha256_use_shani(false));
	assert_int_equal(sha256_use_shani(true), sha256_cpu_has_shani());
}

struct vector {
	const char *name;
	const char *msg;
	size_t repeat; /* msg repeated this many times; 0 = once */
	const char *hex;
};

/* FIPS 180-2 appendix B and the empty message */
static const struct vector vectors[] = {
	{"empty", "", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	{"abc", "abc", 0, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	{"448 bits", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 0,
	 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
	{"million a", "a", 1000000,
	 "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
};

static void test_fips_vectors(void **state)
{
	bool be[2];
	size_t nbe = backends(be);

	(void)state;
	for (size_t b = 0; b < nbe; b++) {
		select_backend(be[b]);
		for (size_t i = 0; i < ARRAY_SIZE(vectors); i++) {
			const struct vector *v = &vectors[i];
			size_t mlen = strlen(v->msg);
			uint8_t want[SHA256_DIGEST_LEN], got[SHA256_DIGEST_LEN];
			struct sha256 ctx;

			print_message("%s: %s\n", be[b] ? "shani" : "portable", v->name);
			hex_decode(v->hex, want);
			if (v->repeat == 0) {
				oneshot(v->msg, mlen, got);
				assert_memory_equal(got, want, sizeof(want));
				continue;
			}
			/* msg per call, then all of it in one call */
			sha256_init(&ctx);
			for (size_t r = 0; r < v->repeat; r++)
				sha256_update(&ctx, v->msg, mlen);
			sha256_final(&ctx, got);
			assert_memory_equal(got, want, sizeof(want));

			char *big = malloc(mlen * v->repeat);

			assert_non_null(big);
			for (size_t r = 0; r < v->repeat; r++)
				memcpy(big + r * mlen, v->msg, mlen);
			oneshot(big, mlen * v->repeat, got);
			free(big);
			assert_memory_equal(got, want, sizeof(want));
		}
	}
	sha256_use_shani(true);
}

enum { MSG_MAX = 1000 };

static void test_random_lengths(void **state)
{
	uint8_t *msg = malloc(MSG_MAX);
	bool be[2];
	size_t nbe = backends(be);

	(void)state;
	assert_non_null(msg);
	for (size_t b = 0; b < nbe; b++) {
		uint64_t seed = 1;

		select_backend(be[b]);
		for (size_t len = 0; len <= MSG_MAX; len++) {
			uint8_t want[SHA256_DIGEST_LEN], got[SHA256_DIGEST_LEN];

			rng_fill(&seed, msg, len);
			reference(msg, len, want);
			oneshot(msg, len, got);
			if (memcmp(got, want, sizeof(want)) != 0)
				fail_msg("%s: length %zu differs", be[b] ? "shani" : "portable",
					 len);
		}
	}
	free(msg);
	sha256_use_shani(true);
}

static void test_random_splits(void **state)
{
	uint8_t *msg = malloc(MSG_MAX);
	bool be[2];
	size_t nbe = backends(be);

	(void)state;
	assert_non_null(msg);
	for (size_t b = 0; b < nbe; b++) {
		uint64_t seed = 2;

		select_backend(be[b]);
		for (int iter = 0; iter < 2000; iter++) {
			uint8_t want[SHA256_DIGEST_LEN], got[SHA256_DIGEST_LEN];
			size_t len = rng_next(&seed) % (MSG_MAX + 1);
			/* small chunks exercise the buffer, large ones the multi-block path */
			size_t max_chunk = iter % 2 ? 70 : 300;
			struct sha256 ctx;

			rng_fill(&seed, msg, len);
			reference(msg, len, want);
			sha256_init(&ctx);
			for (size_t off = 0; off < len;) {
				size_t n = rng_next(&seed) % (max_chunk + 1);

				if (n > len - off)
					n = len - off;
				sha256_update(&ctx, msg + off, n);
				off += n;
			}
			sha256_final(&ctx, got);
			if (memcmp(got, want, sizeof(want)) != 0)
				fail_msg("%s: iteration %d length %zu differs",
					 be[b] ? "shani" : "portable", iter, len);
		}
	}
	free(msg);
	sha256_use_shani(true);
}

/* The two block functions on the same random states and multi-block runs. */
static void test_blocks_agree(void **state)
{
	enum { NBLOCKS = 5 };
	uint8_t p[NBLOCKS * SHA256_BLOCK_LEN];
	uint64_t seed = 3;

	(void)state;
	if (!sha256_cpu_has_shani())
		skip();
	for (int iter = 0; iter < 500; iter++) {
		uint32_t h1[8], h2[8];
		size_t n = 1 + rng_next(&seed) % NBLOCKS;

		for (size_t i = 0; i < 8; i++)
			h1[i] = h2[i] = (uint32_t)rng_next(&seed);
		rng_fill(&seed, p, sizeof(p));
		auth__sha256_blocks_c(h1, p, n);
		auth__sha256_blocks_shani(h2, p, n);
		assert_memory_equal(h1, h2, sizeof(h1));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_detect),     cmocka_unit_test(test_fips_vectors),
		cmocka_unit_test(test_random_lengths), cmocka_unit_test(test_random_splits),
		cmocka_unit_test(test_blocks_agree),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
