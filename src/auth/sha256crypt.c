// SPDX-License-Identifier: GPL-2.0-or-later
/* auth/sha256crypt.c — SHA-crypt with SHA-256 ("$5$", Ulrich Drepper's "Unix crypt using SHA-256
 * and SHA-512" specification): setting parser, the digest sequence and crypt's base64. */
#include "auth/sha256crypt.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "auth/sha256.h"
#include "core/compiler.h"

static const char sha256crypt_b64[64] =
	"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* The spec's output permutation: each row is three bytes of the final digest taken as a 24-bit
 * number (first byte most significant), written as four characters, low 6 bits first. Bytes 31
 * and 30 follow as a 16-bit number in three characters (sha256crypt_encode). */
static const uint8_t sha256crypt_perm[10][3] = {
	{0, 10, 20}, {21, 1, 11}, {12, 22, 2}, {3, 13, 23}, {24, 4, 14},
	{15, 25, 5}, {6, 16, 26}, {27, 7, 17}, {18, 28, 8}, {9, 19, 29},
};

static bool sha256crypt_is_b64(char c)
{
	return c == '.' || c == '/' || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	       (c >= 'a' && c <= 'z');
}

/* libxcrypt refuses a setting with any of these anywhere in it (even after the salt): so do we. */
static bool sha256crypt_setting_char_ok(unsigned char c)
{
	return c > 0x20 && c < 0x7f && !strchr(":;*!\\", c);
}

int sha256crypt_setting_parse(const char *setting, struct sha256crypt_setting *st)
{
	static const char rounds_key[] = "rounds=";
	const char *s = setting;
	size_t n;

	*st = (struct sha256crypt_setting){.rounds = SHA256CRYPT_ROUNDS_DEFAULT};
	if (strncmp(s, "$5$", 3) != 0)
		return -EINVAL;
	for (const char *q = s; *q; q++)
		if (!sha256crypt_setting_char_ok((unsigned char)*q))
			return -EINVAL;
	s += 3;
	if (strncmp(s, rounds_key, sizeof(rounds_key) - 1) == 0) {
		uint32_t r = 0;

		s += sizeof(rounds_key) - 1;
		if (*s < '1' || *s > '9')
			return -EINVAL; /* empty, sign, space or leading zero */
		/* nine digits at most: SHA256CRYPT_ROUNDS_MAX has nine, so r cannot overflow */
		for (n = 0; s[n] >= '0' && s[n] <= '9'; n++) {
			if (n == 9)
				return -EINVAL;
			r = r * 10 + (uint32_t)(s[n] - '0');
		}
		if (s[n] != '$' || r < SHA256CRYPT_ROUNDS_MIN || r > SHA256CRYPT_ROUNDS_MAX)
			return -EINVAL;
		st->rounds = r;
		st->rounds_given = true;
		s += n + 1;
	}
	for (n = 0; s[n] != '\0' && s[n] != '$'; n++) {
		if (n == SHA256CRYPT_SALT_MAX || !sha256crypt_is_b64(s[n]))
			return -EINVAL; /* libcrypt truncates long salts: let it */
	}
	if (n == 0)
		return -EINVAL;
	st->salt = s;
	st->salt_len = n;
	return 0;
}

/* Adds len bytes of digest repeated (whole copies, then a prefix): the spec's "B for each block
 * of 32 bytes of the password" and its P sequence, without building the sequence. */
static void sha256crypt_add_repeated(struct sha256 *ctx, const uint8_t d[SHA256_DIGEST_LEN],
				     size_t len)
{
	for (; len >= SHA256_DIGEST_LEN; len -= SHA256_DIGEST_LEN)
		sha256_update(ctx, d, SHA256_DIGEST_LEN);
	sha256_update(ctx, d, len);
}

/* The hash part of the output: SHA256CRYPT_HASH_CHARS characters, not NUL-terminated. */
static void sha256crypt_encode(const uint8_t d[SHA256_DIGEST_LEN], char out[SHA256CRYPT_HASH_CHARS])
{
	uint32_t w;
	size_t o = 0;

	for (size_t i = 0; i < ARRAY_SIZE(sha256crypt_perm); i++) {
		w = (uint32_t)d[sha256crypt_perm[i][0]] << 16 |
		    (uint32_t)d[sha256crypt_perm[i][1]] << 8 | d[sha256crypt_perm[i][2]];
		for (int k = 0; k < 4; k++, w >>= 6)
			out[o++] = sha256crypt_b64[w & 0x3f];
	}
	w = (uint32_t)d[31] << 8 | d[30];
	for (int k = 0; k < 3; k++, w >>= 6)
		out[o++] = sha256crypt_b64[w & 0x3f];
	explicit_bzero(&w, sizeof(w));
}

int sha256crypt(const char *password, const char *setting, char out[SHA256CRYPT_MAX])
{
	struct sha256crypt_setting st;
	struct sha256 ctx, fresh;
	uint8_t a[SHA256_DIGEST_LEN], b[SHA256_DIGEST_LEN];
	uint8_t dp[SHA256_DIGEST_LEN], ds[SHA256_DIGEST_LEN];
	size_t plen = strlen(password);
	size_t o;
	int ret;

	ret = sha256crypt_setting_parse(setting, &st);
	if (ret)
		return ret;
	/* One backend for the whole computation, and no sha256_init per round. */
	sha256_init(&fresh);

	/* B = H(P S P) */
	ctx = fresh;
	sha256_update(&ctx, password, plen);
	sha256_update(&ctx, st.salt, st.salt_len);
	sha256_update(&ctx, password, plen);
	sha256_final(&ctx, b);

	/* A = H(P S, len(P) bytes of B repeated, then per bit of len(P) from the lowest: B if 1,
	 * P if 0) */
	ctx = fresh;
	sha256_update(&ctx, password, plen);
	sha256_update(&ctx, st.salt, st.salt_len);
	sha256crypt_add_repeated(&ctx, b, plen);
	for (size_t n = plen; n > 0; n >>= 1) {
		if (n & 1)
			sha256_update(&ctx, b, sizeof(b));
		else
			sha256_update(&ctx, password, plen);
	}
	sha256_final(&ctx, a);

	/* DP = H(P, len(P) times); the P sequence is len(P) bytes of DP repeated */
	ctx = fresh;
	for (size_t i = 0; i < plen; i++)
		sha256_update(&ctx, password, plen);
	sha256_final(&ctx, dp);

	/* DS = H(S, 16 + A[0] times); the S sequence is its first len(S) <= 16 bytes */
	ctx = fresh;
	for (unsigned int i = 0; i < 16u + a[0]; i++)
		sha256_update(&ctx, st.salt, st.salt_len);
	sha256_final(&ctx, ds);

	/* Each round: C = H(P or C, S unless i % 3 == 0, P unless i % 7 == 0, C or P), the first
	 * choice being P for odd i. C starts as A and is kept in a. */
	for (uint32_t i = 0; i < st.rounds; i++) {
		ctx = fresh;
		if (i & 1)
			sha256crypt_add_repeated(&ctx, dp, plen);
		else
			sha256_update(&ctx, a, sizeof(a));
		if (i % 3 != 0)
			sha256_update(&ctx, ds, st.salt_len);
		if (i % 7 != 0)
			sha256crypt_add_repeated(&ctx, dp, plen);
		if (i & 1)
			sha256_update(&ctx, a, sizeof(a));
		else
			sha256crypt_add_repeated(&ctx, dp, plen);
		sha256_final(&ctx, a);
	}

	/* "$5$" ["rounds=N$"] salt "$" hash: at most SHA256CRYPT_MAX bytes by construction */
	if (st.rounds_given)
		o = (size_t)snprintf(out, SHA256CRYPT_MAX, "$5$rounds=%u$",
				     (unsigned int)st.rounds);
	else
		o = (size_t)snprintf(out, SHA256CRYPT_MAX, "$5$");
	memcpy(out + o, st.salt, st.salt_len);
	o += st.salt_len;
	out[o++] = '$';
	sha256crypt_encode(a, out + o);
	o += SHA256CRYPT_HASH_CHARS;
	out[o] = '\0';

	explicit_bzero(a, sizeof(a));
	explicit_bzero(b, sizeof(b));
	explicit_bzero(dp, sizeof(dp));
	explicit_bzero(ds, sizeof(ds));
	explicit_bzero(&ctx, sizeof(ctx));
	explicit_bzero(&fresh, sizeof(fresh));
	return 0;
}
