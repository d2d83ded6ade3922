// SPDX-License-Identifier: GPL-2.0-or-later
/* net/wire.h — big-endian field access for the packet rewriting in tso.c and gro.c (internal to
 * net/). The caller has checked the bounds. */
#pragma once

#include <stdint.h>

static inline uint16_t wire_be16_get(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void wire_be16_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint32_t wire_be32_get(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void wire_be32_put(uint8_t *p, uint32_t v)
{
	wire_be16_put(p, (uint16_t)(v >> 16));
	wire_be16_put(p + 2, (uint16_t)v);
}
