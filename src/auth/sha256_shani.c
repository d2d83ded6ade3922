// SPDX-License-Identifier: GPL-2.0-or-later
/* auth/sha256_shani.c — the SHA-256 block function on the x86 SHA extensions. Only called when
 * sha256.c has seen SHA, SSE4.1 and SSSE3 in CPUID; everything else about SHA-256 is there. */
#include "auth/sha256.h"

#include <stdlib.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#if defined(__x86_64__) || defined(__i386__)

/* SHA256RNDS2 works on the state split as ABEF and CDGH (A in the top lane, F and H in lane 0)
 * and does two rounds with the two message+constant words in lanes 0 and 1 of its third operand.
 * After two rounds the old ABEF is the new CDGH, so the two halves swap roles each time. */
__attribute__((target("sha,sse4.1,ssse3"))) void
auth__sha256_blocks_shani(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
	/* pshufb mask turning four big-endian words into native ones */
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i abcd = _mm_loadu_si128((const __m128i *)&h[0]); /* lanes A B C D */
	__m128i efgh = _mm_loadu_si128((const __m128i *)&h[4]); /* lanes E F G H */
	__m128i t, abef, cdgh;

	t = _mm_shuffle_epi32(abcd, 0xb1);     /* B A D C */
	efgh = _mm_shuffle_epi32(efgh, 0x1b);  /* H G F E */
	abef = _mm_alignr_epi8(t, efgh, 8);    /* F E B A */
	cdgh = _mm_blend_epi16(efgh, t, 0xf0); /* H G D C */

	for (; nblocks > 0; nblocks--, p += SHA256_BLOCK_LEN) {
		const __m128i abef0 = abef, cdgh0 = cdgh;
		__m128i w[4]; /* w[g % 4] = W[4g .. 4g+3], lane 0 first */

#pragma clang loop unroll(full)
		for (unsigned int g = 0; g < 16; g++) {
			__m128i wk;

			if (g < 4) {
				t = _mm_loadu_si128((const __m128i *)(p + 16 * g));
				w[g] = _mm_shuffle_epi8(t, bswap);
			} else {
				/* W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16], four at a
				 * time: msg1 adds σ0, alignr picks W[t-7..t-4], msg2 adds σ1 (the
				 * last two lanes from the first two it computes). */
				t = _mm_sha256msg1_epu32(w[g & 3], w[(g + 1) & 3]);
				t = _mm_add_epi32(
					t, _mm_alignr_epi8(w[(g + 3) & 3], w[(g + 2) & 3], 4));
				w[g & 3] = _mm_sha256msg2_epu32(t, w[(g + 3) & 3]);
			}
			wk = _mm_add_epi32(w[g & 3],
					   _mm_load_si128((const __m128i *)&auth__sha256_k[4 * g]));
			t = _mm_sha256rnds2_epu32(cdgh, abef, wk);
			cdgh = abef;
			abef = t;
			wk = _mm_shuffle_epi32(wk, 0x0e); /* lanes 2, 3 down to 0, 1 */
			t = _mm_sha256rnds2_epu32(cdgh, abef, wk);
			cdgh = abef;
			abef = t;
		}
		abef = _mm_add_epi32(abef, abef0);
		cdgh = _mm_add_epi32(cdgh, cdgh0);
	}
	t = _mm_shuffle_epi32(abef, 0x1b);				    /* A B E F */
	cdgh = _mm_shuffle_epi32(cdgh, 0xb1);				    /* G H C D */
	_mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(t, cdgh, 0xf0)); /* A B C D */
	_mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(cdgh, t, 8));    /* E F G H */
}

#else

/* Never selected: sha256_cpu_has_shani() is false off x86. */
void auth__sha256_blocks_shani(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
	(void)h;
	(void)p;
	(void)nblocks;
	abort();
}

#endif
