// SPDX-License-Identifier: GPL-2.0-or-later
/* core/compiler.h — small attributes and helpers shared by every module. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define ARRAY_SIZE(a)			(sizeof(a) / sizeof((a)[0]))
#define likely(x)			__builtin_expect(!!(x), 1)
#define unlikely(x)			__builtin_expect(!!(x), 0)
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

/* BUG_ON: only where going on would corrupt memory, never on input. */
#define BUG_ON(cond)                                                                               \
	do {                                                                                       \
		if (unlikely(cond)) {                                                              \
			fprintf(stderr, "BUG at %s:%d: %s\n", __FILE__, __LINE__, #cond);          \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* Constant-time comparison: true when the len bytes at a and b are equal. */
static inline bool ct_memeq(const void *a, const void *b, size_t len)
{
	const volatile uint8_t *x = a;
	const volatile uint8_t *y = b;
	uint8_t diff = 0;

	for (size_t i = 0; i < len; i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}
