// SPDX-License-Identifier: GPL-2.0-or-later
/* auth/sha256.c — SHA-256 (FIPS 180-4): buffering, padding, the portable compression function and
 * the once-per-process choice of backend. The SHA-NI block function lives in sha256_shani.c. */
#include "auth/sha256.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "core/compiler.h"

/* FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64
 * primes. Aligned for the SHA-NI backend's 16-byte loads. */
alignas(16) const uint32_t auth__sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

/* FIPS 180-4 §5.3.3: the fractional parts of the square roots of the first 8 primes. */
static const uint32_t sha256_h0[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

/* The two pieces of process-wide state this file has (an exception to "no mutable globals"):
 * CPUID traps to the hypervisor in a VM, so it is asked once, and tests must be able to force the
 * portable backend on a machine that has SHA-NI. */
static pthread_once_t sha256_cpu_once = PTHREAD_ONCE_INIT;
static bool sha256_cpu_shani;		  /* written once, under sha256_cpu_once */
static atomic_bool sha256_force_portable; /* sha256_use_shani(false) */

static void sha256_cpu_detect(void)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned int a, b, c, d;
	bool sse41, ssse3, sha;

	if (!__get_cpuid(1, &a, &b, &c, &d))
		return;
	sse41 = c & (1u << 19);
	ssse3 = c & (1u << 9);
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return; /* leaf 7 not supported */
	sha = b & (1u << 29);
	sha256_cpu_shani = sha && sse41 && ssse3;
#endif
}

bool sha256_cpu_has_shani(void)
{
	pthread_once(&sha256_cpu_once, sha256_cpu_detect);
	return sha256_cpu_shani;
}

bool sha256_use_shani(bool on)
{
	atomic_store(&sha256_force_portable, !on);
	return on && sha256_cpu_has_shani();
}

static inline uint32_t ror32(uint32_t x, unsigned int n)
{
	return x >> n | x << (32 - n);
}

static inline uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* FIPS 180-4 §4.1.2 */
#define SHA256_BSIG0(x) (ror32(x, 2) ^ ror32(x, 13) ^ ror32(x, 22))
#define SHA256_BSIG1(x) (ror32(x, 6) ^ ror32(x, 11) ^ ror32(x, 25))
#define SHA256_SSIG0(x) (ror32(x, 7) ^ ror32(x, 18) ^ ((x) >> 3))
#define SHA256_SSIG1(x) (ror32(x, 17) ^ ror32(x, 19) ^ ((x) >> 10))

/* One round of §6.2.2 step 3 without moving the eight working variables: the caller rotates
 * their names instead, so only d and h are written. */
#define SHA256_ROUND(a, b, c, d, e, f, g, h, t)                                                    \
	do {                                                                                       \
		uint32_t t1 =                                                                      \
			h + SHA256_BSIG1(e) + ((e & f) ^ (~e & g)) + auth__sha256_k[t] + w[t];     \
		uint32_t t2 = SHA256_BSIG0(a) + ((a & b) ^ (a & c) ^ (b & c));                     \
		d += t1;                                                                           \
		h = t1 + t2;                                                                       \
	} while (0)

/* FIPS 180-4 §6.2.2: the whole message schedule first, then 64 rounds, eight per iteration. */
void auth__sha256_blocks_c(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
	uint32_t w[64];

	for (; nblocks > 0; nblocks--, p += SHA256_BLOCK_LEN) {
		uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
		uint32_t e = h[4], f = h[5], g = h[6], hh = h[7];

		for (unsigned int t = 0; t < 16; t++)
			w[t] = load_be32(p + 4 * t);
		for (unsigned int t = 16; t < 64; t++)
			w[t] = SHA256_SSIG1(w[t - 2]) + w[t - 7] + SHA256_SSIG0(w[t - 15]) +
			       w[t - 16];
		for (unsigned int t = 0; t < 64; t += 8) {
			SHA256_ROUND(a, b, c, d, e, f, g, hh, t);
			SHA256_ROUND(hh, a, b, c, d, e, f, g, t + 1);
			SHA256_ROUND(g, hh, a, b, c, d, e, f, t + 2);
			SHA256_ROUND(f, g, hh, a, b, c, d, e, t + 3);
			SHA256_ROUND(e, f, g, hh, a, b, c, d, t + 4);
			SHA256_ROUND(d, e, f, g, hh, a, b, c, t + 5);
			SHA256_ROUND(c, d, e, f, g, hh, a, b, t + 6);
			SHA256_ROUND(b, c, d, e, f, g, hh, a, t + 7);
		}
		h[0] += a;
		h[1] += b;
		h[2] += c;
		h[3] += d;
		h[4] += e;
		h[5] += f;
		h[6] += g;
		h[7] += hh;
	}
	explicit_bzero(w, sizeof(w));
}

void sha256_init(struct sha256 *ctx)
{
	bool shani = sha256_cpu_has_shani() &&
		     !atomic_load_explicit(&sha256_force_portable, memory_order_relaxed);

	*ctx = (struct sha256){};
	memcpy(ctx->h, sha256_h0, sizeof(ctx->h));
	ctx->blocks = shani ? auth__sha256_blocks_shani : auth__sha256_blocks_c;
}

void sha256_update(struct sha256 *ctx, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t n;

	if (len == 0)
		return;
	ctx->len += len;
	if (ctx->buf_len > 0) {
		n = SHA256_BLOCK_LEN - ctx->buf_len;
		if (n > len)
			n = len;
		memcpy(ctx->buf + ctx->buf_len, p, n);
		ctx->buf_len += n;
		p += n;
		len -= n;
		if (ctx->buf_len < SHA256_BLOCK_LEN)
			return;
		ctx->blocks(ctx->h, ctx->buf, 1);
		ctx->buf_len = 0;
	}
	n = len / SHA256_BLOCK_LEN;
	if (n > 0) {
		ctx->blocks(ctx->h, p, n);
		p += n * SHA256_BLOCK_LEN;
		len -= n * SHA256_BLOCK_LEN;
	}
	if (len > 0)
		memcpy(ctx->buf, p, len);
	ctx->buf_len = len;
}

/* FIPS 180-4 §5.1.1: 0x80, zeros up to 56 mod 64, the bit length as a 64-bit big-endian number. */
void sha256_final(struct sha256 *ctx, uint8_t out[SHA256_DIGEST_LEN])
{
	uint64_t bits = ctx->len * 8;
	size_t n = ctx->buf_len;

	ctx->buf[n++] = 0x80;
	if (n > SHA256_BLOCK_LEN - 8) {
		memset(ctx->buf + n, 0, SHA256_BLOCK_LEN - n);
		ctx->blocks(ctx->h, ctx->buf, 1);
		n = 0;
	}
	memset(ctx->buf + n, 0, SHA256_BLOCK_LEN - 8 - n);
	store_be32(ctx->buf + 56, (uint32_t)(bits >> 32));
	store_be32(ctx->buf + 60, (uint32_t)bits);
	ctx->blocks(ctx->h, ctx->buf, 1);
	for (unsigned int i = 0; i < 8; i++)
		store_be32(out + 4 * i, ctx->h[i]);
	explicit_bzero(ctx, sizeof(*ctx));
}
