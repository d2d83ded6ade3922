// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/ctl/sample_snapshot.h — a filled metrics_snapshot for the metrics tests. */
#pragma once

#include "ctl/ctl.h"

static void sample_fill(void *ctx, struct metrics_snapshot *s)
{
	(void)ctx;
	s->start_time = 1700000000;
	s->sessions[METRICS_SESS_ACTIVE] = 12;
	s->sessions[METRICS_SESS_DETACHED] = 3;
	s->logins_ok = 40;
	s->logins_failed = 7;
	s->bytes[METRICS_RX][METRICS_DTLS] = 1000000;
	s->packets[METRICS_TX][METRICS_TLS] = 999;
	s->hs_bucket[0] = 1;
	s->hs_bucket[5] = 4;
	s->hs_overflow = 2;
	s->hs_sum_s = 31.25;
	s->dtls_fallbacks = 5;
	s->dtls_handovers = 6;
	s->udp_dropped[5] = 8;
	s->bans_active = 1;
	s->bans_total = 9;
	s->sentry_rejected = 6;
	s->sentry_rate_limited = 2;
	s->n_sentry_events = 2;
	s->sentry_events[0] = (struct metrics_event){.name = "auth-failed", .count = 7};
	s->sentry_events[1] = (struct metrics_event){.name = "dtls-garbage", .count = 11};
	s->ebpf_active = true;
	s->xdp_ifaces = 2;
	s->xdp_packets[1] = 23;
	s->tun_guard_packets[0] = 4;
	s->n_workers = 2;
	s->workers[1].connections = 8;
	s->workers[1].queue_drops = 3;
	(void)metrics_process_memory(&s->rss_bytes, &s->vsz_bytes);
}
