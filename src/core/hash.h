// SPDX-License-Identifier: GPL-2.0-or-later
/* core/hash.h — keyed hashing for the address tables (sentry's sources and bans, the DTLS peer
 * tables): a random seed per table, so remote peers cannot aim their addresses at one bucket,
 * and a multiply-xorshift over a 16-byte address with a small tag (family, prefix, port). */
#pragma once

#include <stdint.h>
#include <string.h>
#include <sys/random.h>

#include "core/clock.h"

/* A random seed; before the kernel's entropy is ready, one from the clock (it still varies). */
static inline uint64_t hash_seed(void)
{
	uint64_t seed;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
		seed = clock_now_ns() * 0x9e3779b97f4a7c15ull;
	return seed;
}

/* All 64 bits depend on every input bit: mask the low ones for a power-of-two table. */
static inline uint64_t hash_addr16(uint64_t seed, uint64_t tag, const uint8_t bytes[16])
{
	uint64_t w[2], h = seed ^ tag;

	memcpy(w, bytes, sizeof(w));
	for (int i = 0; i < 2; i++) {
		h ^= w[i];
		h *= 0x9e3779b97f4a7c15ull;
		h ^= h >> 31;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}
