// SPDX-License-Identifier: GPL-2.0-or-later
/* core/clock.h — monotonic and wall time. */
#pragma once

#include <stdint.h>
#include <time.h>

enum { NS_PER_SEC = 1000000000, NS_PER_MS = 1000000 };

static inline uint64_t clock_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

static inline time_t clock_wall_s(void)
{
	return time(nullptr);
}
