// SPDX-License-Identifier: GPL-2.0-or-later
/* auth/sha256.h — incremental SHA-256 (FIPS 180-4) for sha256crypt.c; internal to auth/ and its
 * tests. The block function (SHA-NI or portable C) is chosen once per process from CPUID. */
#pragma once

#include <stddef.h>
#include <stdint.h>

enum {
	SHA256_DIGEST_LEN = 32,
	SHA256_BLOCK_LEN = 64,
};

/* Compresses nblocks consecutive 64-byte blocks at p into the state h[8] (A..H). */
typedef void sha256_blocks_fn(uint32_t h[8], const uint8_t *p, size_t nblocks);

/* Caller's storage; any thread, one context per thread at a time. Holds message bytes: wipe it
 * (sha256_final does) before it goes out of scope. */
struct sha256 {
	uint32_t h[8];
	uint64_t len;		  /* message bytes hashed so far */
	sha256_blocks_fn *blocks; /* backend, fixed at sha256_init */
	uint8_t buf[SHA256_BLOCK_LEN];
	size_t buf_len; /* bytes in buf, < SHA256_BLOCK_LEN */
};

void sha256_init(struct sha256 *ctx);
void sha256_update(struct sha256 *ctx, const void *data, size_t len);
/* Writes the digest and wipes the context; sha256_init it again before reuse. */
void sha256_final(struct sha256 *ctx, uint8_t out[SHA256_DIGEST_LEN]);

/* Whether the CPU has SHA-NI, SSE4.1 and SSSE3 (CPUID, asked once per process). */
bool sha256_cpu_has_shani(void);
/* Selects the SHA-NI backend (if the CPU has it, on == true) or the portable one (on == false)
 * for contexts initialised afterwards; returns whether SHA-NI is now in use. For tests and
 * benchmarks: by default SHA-NI is used whenever the CPU has it. */
bool sha256_use_shani(bool on);

/* Round constants, and the two backends (folder-internal: call through sha256_update). */
extern const uint32_t auth__sha256_k[64];
void auth__sha256_blocks_c(uint32_t h[8], const uint8_t *p, size_t nblocks);
void auth__sha256_blocks_shani(uint32_t h[8], const uint8_t *p, size_t nblocks);
