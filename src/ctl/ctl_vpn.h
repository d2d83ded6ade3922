// SPDX-License-Identifier: GPL-2.0-or-later
/* ctl/ctl_vpn.h — the control socket's operations on the running server: what occtl shows and
 * does, built from the session registry, the workers and sentry. Main-thread only. */
#pragma once

#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "ctl/ctl.h"

struct vpn;
struct sentry;

struct ctl_vpn {
	struct vpn *vpn;       /* borrowed */
	struct sentry *sentry; /* borrowed; nullptr = no bans */
	time_t up_since;
	const char *device;	     /* TUN name */
	unsigned auth_threads;	     /* the auth pool: what ocserv's sec-mod processes do */
	_Atomic uint64_t bans_added; /* counted by the sentry ban hook (any thread) */
	/* Provided by main.c: */
	int (*reload)(void *ctx, char *err, size_t err_len);
	int (*stop)(void *ctx);
	/* The eBPF part of a metrics snapshot (ctl does not see net/); nullptr = none. */
	void (*accel_fill)(void *ctx, struct metrics_snapshot *s);
	void *main_ctx;
};

/* The ops table to give ctl_server_new() with a struct ctl_vpn as its ctx. */
extern const struct ctl_ops ctl_vpn_ops;
/* Fill a metrics snapshot (metrics_fill_fn) from a struct ctl_vpn. */
void ctl_vpn_metrics_fill(void *ctx, struct metrics_snapshot *s);
