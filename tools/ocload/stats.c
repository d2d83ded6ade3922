// SPDX-License-Identifier: GPL-2.0-or-later
/* tools/ocload/stats.c — latency histograms, merging the threads' counters, and the final
 * report (human table or one JSON object on stdout). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocload.h"

enum { SUB_BITS = 3, SUB = 1 << SUB_BITS };

static const char *const stage_name[STAGE__COUNT] = {
	[STAGE_TCP] = "tcp",	     [STAGE_TLS] = "tls",   [STAGE_AUTH] = "auth",
	[STAGE_CONNECT] = "connect", [STAGE_DTLS] = "dtls", [STAGE_TUNNEL] = "tunnel",
};

/* Bucket: values < 8 map to themselves; above, (exponent, top 3 mantissa bits). */
static unsigned hist_bucket(uint64_t v)
{
	unsigned e, b;

	if (v < SUB)
		return (unsigned)v;
	e = 63u - (unsigned)__builtin_clzll(v); /* >= SUB_BITS */
	b = (e - SUB_BITS + 1) * SUB + (unsigned)((v >> (e - SUB_BITS)) & (SUB - 1));
	return b < OCL_HIST_BUCKETS ? b : OCL_HIST_BUCKETS - 1;
}

/* Upper bound of bucket b (inclusive). */
static uint64_t hist_upper(unsigned b)
{
	unsigned e, m;

	if (b < SUB)
		return b;
	e = b / SUB - 1 + SUB_BITS;
	m = b % SUB;
	if (e >= 63)
		return UINT64_MAX;
	return ((uint64_t)(SUB + m + 1) << (e - SUB_BITS)) - 1;
}

void ocl_hist_add(struct ocl_hist *h, uint64_t us)
{
	h->bucket[hist_bucket(us)]++;
	h->count++;
}

uint64_t ocl_hist_quantile(const struct ocl_hist *h, double q)
{
	uint64_t want, seen = 0;

	if (!h->count)
		return 0;
	want = (uint64_t)(q * (double)h->count);
	if (want >= h->count)
		want = h->count - 1;
	for (unsigned b = 0; b < OCL_HIST_BUCKETS; b++) {
		seen += h->bucket[b];
		if (seen > want)
			return hist_upper(b);
	}
	return hist_upper(OCL_HIST_BUCKETS - 1);
}

static void hist_merge(struct ocl_hist *into, const struct ocl_hist *from)
{
	into->count += from->count;
	for (unsigned b = 0; b < OCL_HIST_BUCKETS; b++)
		into->bucket[b] += from->bucket[b];
}

void ocl_stats_merge(struct ocl_stats *into, const struct ocl_stats *f)
{
	into->started += f->started;
	memcpy(into->done_ns + into->handshakes, f->done_ns, f->handshakes * sizeof(*f->done_ns));
	into->handshakes += f->handshakes;
	into->dtls_up += f->dtls_up;
	into->established_max += f->established_max;
	into->alive_end += f->alive_end;
	for (unsigned i = 0; i < STAGE__COUNT; i++)
		into->failed[i] += f->failed[i];
	into->storm_dropped += f->storm_dropped;
	into->storm_reconnected += f->storm_reconnected;
	into->storm_addr_changed += f->storm_addr_changed;
	into->pings_sent += f->pings_sent;
	into->pings_answered += f->pings_answered;
	into->pings_late += f->pings_late;
	into->tx_packets += f->tx_packets;
	into->tx_bytes += f->tx_bytes;
	into->rx_packets += f->rx_packets;
	into->rx_bytes += f->rx_bytes;
	into->dpd_answered += f->dpd_answered;
	if (f->first_start_ns &&
	    (!into->first_start_ns || f->first_start_ns < into->first_start_ns))
		into->first_start_ns = f->first_start_ns;
	hist_merge(&into->handshake_us, &f->handshake_us);
	hist_merge(&into->ping_us, &f->ping_us);
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Handshakes per second between the 10th and the 90th percentile of the sorted completion
 * times: the server's sustained rate, without the ramp-up and the stragglers (a lost DTLS flight
 * waits a 1 s retransmission) that decide the first-start-to-last-completion window. 0 when too
 * few. */
static double sustained_rate(const uint64_t *done, size_t n)
{
	size_t lo = n / 10, hi = n - 1 - n / 10;

	if (n < 20)
		return 0;
	if (done[hi] <= done[lo])
		return 0;
	return (double)(hi - lo) / ((double)(done[hi] - done[lo]) / 1e9);
}

static uint64_t failed_total(const struct ocl_stats *s)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < STAGE__COUNT; i++)
		n += s->failed[i];
	return n;
}

void ocl_stats_print(const struct ocl_stats *s, const struct ocl_opts *o, double elapsed_s,
		     bool json)
{
	double hs_window = 0, hs_rate = 0, tx_mbit = 0, rx_mbit = 0;
	const struct ocl_hist *hh = &s->handshake_us, *ph = &s->ping_us;

	/* Sorted in place: the last is the window's end, the middle 80 % the sustained rate. */
	qsort(s->done_ns, s->handshakes, sizeof(*s->done_ns), u64_cmp);
	if (s->handshakes && s->done_ns[s->handshakes - 1] > s->first_start_ns)
		hs_window = (double)(s->done_ns[s->handshakes - 1] - s->first_start_ns) / 1e9;
	if (hs_window > 0)
		hs_rate = (double)s->handshakes / hs_window;
	double hs_sustained = sustained_rate(s->done_ns, s->handshakes);
	if (elapsed_s > 0) {
		tx_mbit = (double)s->tx_bytes * 8 / elapsed_s / 1e6;
		rx_mbit = (double)s->rx_bytes * 8 / elapsed_s / 1e6;
	}
	if (json) {
		printf("{\"clients\":%u,\"threads\":%u,\"dtls\":%s,\"duration_s\":%.3f,"
		       "\"started\":%lu,\"handshakes\":%lu,\"handshakes_per_s\":%.1f,"
		       "\"handshakes_per_s_sustained\":%.1f,"
		       "\"handshake_ms\":{\"p50\":%.2f,\"p90\":%.2f,\"p99\":%.2f},"
		       "\"dtls_up\":%lu,\"established_max\":%lu,\"alive_end\":%lu,\"failed\":{",
		       o->clients, o->threads, o->dtls ? "true" : "false", elapsed_s, s->started,
		       s->handshakes, hs_rate, hs_sustained,
		       (double)ocl_hist_quantile(hh, 0.5) / 1e3,
		       (double)ocl_hist_quantile(hh, 0.9) / 1e3,
		       (double)ocl_hist_quantile(hh, 0.99) / 1e3, s->dtls_up, s->established_max,
		       s->alive_end);
		for (unsigned i = 0; i < STAGE__COUNT; i++)
			printf("%s\"%s\":%lu", i ? "," : "", stage_name[i], s->failed[i]);
		printf("},\"failed_total\":%lu,\"storm\":{\"enabled\":%s,\"dropped\":%lu,"
		       "\"reconnected\":%lu,\"address_changed\":%lu},"
		       "\"pings\":{\"sent\":%lu,\"answered\":%lu,\"late\":%lu,"
		       "\"rtt_ms\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f}},"
		       "\"traffic\":{\"tx_packets\":%lu,\"tx_bytes\":%lu,\"rx_packets\":%lu,"
		       "\"rx_bytes\":%lu,\"tx_mbit_s\":%.3f,\"rx_mbit_s\":%.3f},"
		       "\"dpd_answered\":%lu}\n",
		       failed_total(s), o->storm ? "true" : "false", s->storm_dropped,
		       s->storm_reconnected, s->storm_addr_changed, s->pings_sent,
		       s->pings_answered, s->pings_late, (double)ocl_hist_quantile(ph, 0.5) / 1e3,
		       (double)ocl_hist_quantile(ph, 0.9) / 1e3,
		       (double)ocl_hist_quantile(ph, 0.99) / 1e3, s->tx_packets, s->tx_bytes,
		       s->rx_packets, s->rx_bytes, tx_mbit, rx_mbit, s->dpd_answered);
		return;
	}
	printf("ocload: %u clients, %u threads, DTLS %s, %.1f s\n", o->clients, o->threads,
	       o->dtls ? "on" : "off", elapsed_s);
	printf("  %-22s %lu of %lu started (%.1f/s over %.2f s; sustained %.1f/s, 10-90 %%)\n",
	       "full handshakes", s->handshakes, s->started, hs_rate, hs_window, hs_sustained);
	printf("  %-22s p50 %.1f  p90 %.1f  p99 %.1f ms\n", "handshake time",
	       (double)ocl_hist_quantile(hh, 0.5) / 1e3, (double)ocl_hist_quantile(hh, 0.9) / 1e3,
	       (double)ocl_hist_quantile(hh, 0.99) / 1e3);
	printf("  %-22s %lu DTLS up, %lu max established, %lu alive at end\n", "sessions",
	       s->dtls_up, s->established_max, s->alive_end);
	printf("  %-22s", "failures");
	for (unsigned i = 0; i < STAGE__COUNT; i++)
		printf(" %s %lu", stage_name[i], s->failed[i]);
	printf("  (total %lu)\n", failed_total(s));
	if (o->storm)
		printf("  %-22s %lu dropped, %lu reconnected, %lu got another address\n",
		       "reconnect storm", s->storm_dropped, s->storm_reconnected,
		       s->storm_addr_changed);
	printf("  %-22s %lu sent, %lu answered, %lu late; rtt p50 %.3f  p90 %.3f  p99 %.3f ms\n",
	       "pings", s->pings_sent, s->pings_answered, s->pings_late,
	       (double)ocl_hist_quantile(ph, 0.5) / 1e3, (double)ocl_hist_quantile(ph, 0.9) / 1e3,
	       (double)ocl_hist_quantile(ph, 0.99) / 1e3);
	printf("  %-22s tx %lu pkts %.3f Mbit/s, rx %lu pkts %.3f Mbit/s, %lu DPD answered\n",
	       "traffic", s->tx_packets, tx_mbit, s->rx_packets, rx_mbit, s->dpd_answered);
}
