// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for sentry/banlist.c: memory stays bounded under a million distinct sources
 * (LRU eviction spares bans), the expiry sweep, listings, and a threaded smoke test. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/clock.h"
#include "core/compiler.h"
#include "sentry/sentry.h"

#define S(x) ((uint64_t)(x) * NS_PER_SEC)

static struct sentry_opts opts(size_t max_sources)
{
	return (struct sentry_opts){
		.max_ban_score = 80,
		.ban_reset_time_s = 1200,
		.min_reauth_time_s = 300,
		.points = {[SENTRY_EV_CONNECT] = 1, [SENTRY_EV_AUTH_FAIL] = 10},
		.max_sources = max_sources,
	};
}

static struct sentry_addr v4(uint32_t host)
{
	struct sentry_addr a = {.family = AF_INET, .prefix_len = 32};

	a.bytes[0] = (uint8_t)(host >> 24);
	a.bytes[1] = (uint8_t)(host >> 16);
	a.bytes[2] = (uint8_t)(host >> 8);
	a.bytes[3] = (uint8_t)host;
	return a;
}

static void test_million_sources(void **state)
{
	enum { MAX = 4096, FLOOD = 1000000 };
	struct sentry_opts o = opts(MAX);
	struct sentry_addr banned = v4(0xc6120001); /* 198.18.0.1 */
	struct sentry_stats st;
	struct sentry *s;

	(void)state;
	assert_int_equal(sentry_new(&o, nullptr, &s), 0);
	assert_int_equal(sentry_ban(s, &banned, 0, S(1)), 0);
	for (uint32_t i = 0; i < FLOOD; i++) {
		struct sentry_addr a = v4(0x0a000000u + i); /* 10.0.0.0/8: spoofed flood */

		assert_int_equal(sentry_check_connect(s, &a, SENTRY_PROTO_TCP, 1, S(2)),
				 SENTRY_ACCEPT);
		sentry_stats_get(s, &st);
		if (st.sources > MAX)
			fail_msg("%zu sources tracked, limit %d", st.sources, MAX);
	}
	sentry_stats_get(s, &st);
	assert_int_equal(st.sources, MAX);
	assert_int_equal(st.evicted, FLOOD + 1 - MAX);
	/* the ban survived the flood */
	assert_int_equal(sentry_check_connect(s, &banned, SENTRY_PROTO_TCP, 1, S(3)),
			 SENTRY_REJECT);
	sentry_free(s);
}

static void test_table_of_bans(void **state)
{
	struct sentry_opts o = opts(3);
	struct sentry_stats st;
	struct sentry *s;

	(void)state;
	assert_int_equal(sentry_new(&o, nullptr, &s), 0);
	for (uint32_t i = 1; i <= 3; i++) {
		struct sentry_addr a = v4(0xc6120000 + i);

		assert_int_equal(sentry_ban(s, &a, 100, S(1)), 0);
	}
	/* the limit: a fourth source cannot be tracked, nor manually banned as a source */
	struct sentry_addr d = v4(0xc6120009);
	assert_int_equal(sentry_check_connect(s, &d, SENTRY_PROTO_TCP, 1, S(2)), SENTRY_ACCEPT);
	assert_int_equal(sentry_ban(s, &d, 100, S(2)), -ENOSPC);
	sentry_stats_get(s, &st);
	assert_int_equal(st.sources, 3);
	assert_int_equal(st.bans, 3);
	assert_int_equal(st.untracked, 2);
	/* bans expire: the sweep frees them and the slot is usable again */
	sentry_expire(s, S(101));
	sentry_stats_get(s, &st);
	assert_int_equal(st.bans, 0);
	assert_int_equal(sentry_ban(s, &d, 100, S(102)), 0);
	sentry_free(s);
}

static void test_sweep(void **state)
{
	struct sentry_opts o = opts(16);
	struct sentry_ban_info *v;
	struct sentry_stats st;
	struct sentry *s;
	size_t n;

	(void)state;
	assert_int_equal(sentry_new(&o, nullptr, &s), 0);
	for (uint32_t i = 0; i < 8; i++) {
		struct sentry_addr a = v4(0xc6120100 + i);

		/* i fails at time i: source 7 is banned (80 points) */
		for (uint32_t k = 0; k <= i; k++)
			(void)sentry_event(s, &a, SENTRY_EV_AUTH_FAIL, S(i));
	}
	assert_int_equal(sentry_points_list(s, S(8), &v, &n), 0);
	assert_int_equal(n, 8);
	free(v);
	assert_int_equal(sentry_bans_list(s, S(8), &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].score, 80);
	assert_int_equal(v[0].remaining_s, 299);
	assert_false(v[0].manual);
	free(v);

	sentry_expire(s, S(1203)); /* sources 0..3 idle for ban-reset-time; ban 7 expired */
	sentry_stats_get(s, &st);
	assert_int_equal(st.bans, 0);
	assert_int_equal(st.sources, 4);
	assert_int_equal(sentry_bans_list(s, S(1203), &v, &n), 0);
	assert_int_equal(n, 0);
	assert_null(v);
	sentry_expire(s, S(1208));
	sentry_stats_get(s, &st);
	assert_int_equal(st.sources, 0);
	sentry_free(s);
}

struct worker_arg {
	struct sentry *s;
	uint32_t base;
	atomic_uint *hooks;
};

static void count_hook(void *ctx, enum sentry_ban_change what, const struct sentry_addr *a,
		       uint64_t expires_ns)
{
	atomic_uint *n = ctx;

	(void)what;
	(void)a;
	(void)expires_ns;
	atomic_fetch_add(n, 1);
}

static void *worker(void *p)
{
	struct worker_arg *w = p;

	for (uint32_t i = 0; i < 20000; i++) {
		struct sentry_addr a = v4(w->base + (i % 512));
		uint64_t now = S(1) + i * (uint64_t)NS_PER_MS;

		(void)sentry_check_connect(w->s, &a, SENTRY_PROTO_TCP, 1, now);
		(void)sentry_event(w->s, &a, SENTRY_EV_AUTH_FAIL, now);
		if (i % 1000 == 0) {
			struct sentry_ban_info *v;
			size_t n;

			sentry_expire(w->s, now);
			if (sentry_bans_list(w->s, now, &v, &n) == 0)
				free(v);
		}
	}
	return nullptr;
}

static void test_threads(void **state)
{
	enum { THREADS = 4 };
	struct sentry_opts o = opts(1024);
	struct worker_arg args[THREADS];
	pthread_t t[THREADS];
	atomic_uint hooks = 0;
	struct sentry_stats st;
	struct sentry *s;

	(void)state;
	assert_int_equal(sentry_new(&o, nullptr, &s), 0);
	sentry_set_ban_hook(s, count_hook, &hooks);
	for (int i = 0; i < THREADS; i++) {
		/* two threads share each address range: contention on the same sources */
		args[i] = (struct worker_arg){s, 0xc6120000u + (uint32_t)(i / 2) * 4096, &hooks};
		assert_int_equal(pthread_create(&t[i], nullptr, worker, &args[i]), 0);
	}
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_join(t[i], nullptr), 0);
	sentry_stats_get(s, &st);
	assert_true(st.sources <= 1024);
	assert_true(st.bans > 0);
	assert_true(atomic_load(&hooks) >= st.bans);
	sentry_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_million_sources),
		cmocka_unit_test(test_table_of_bans),
		cmocka_unit_test(test_sweep),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
