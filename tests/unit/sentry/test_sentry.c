// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for sentry/sentry.c with a fake clock: ocserv score bans (limit and one past),
 * reset of scores, expiry, exemptions, static routes, dynamic rules, manual bans, IPv6 /64,
 * listings, rate-limit-ms and the ban hook. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/clock.h"
#include "core/compiler.h"
#include "sentry/sentry.h"

#define S(x) ((uint64_t)(x) * NS_PER_SEC)

struct hook_log {
	size_t n;
	enum sentry_ban_change what[32];
	char addr[32][SENTRY_ADDR_STRLEN];
	uint64_t expires_ns[32];
};

static void hook(void *ctx, enum sentry_ban_change what, const struct sentry_addr *a,
		 uint64_t expires_ns)
{
	struct hook_log *h = ctx;

	if (h->n == ARRAY_SIZE(h->what))
		return;
	h->what[h->n] = what;
	sentry_addr_format(a, h->addr[h->n]);
	h->expires_ns[h->n] = expires_ns;
	h->n++;
}

static struct sentry_opts ocserv_opts(void)
{
	struct sentry_opts o = {
		.max_ban_score = 80,
		.ban_reset_time_s = 1200,
		.min_reauth_time_s = 300,
		.points = {[SENTRY_EV_CONNECT] = 1,
			   [SENTRY_EV_AUTH_FAIL] = 10,
			   [SENTRY_EV_TLS_FAIL] = 1,
			   [SENTRY_EV_KKDCP] = 1},
		.max_sources = 64,
	};
	return o;
}

static struct sentry *engine(const struct sentry_opts *o, const char *rules_json)
{
	struct sentry_rules *r = nullptr;
	struct sentry *s;
	char err[SENTRY_ERR_LEN];

	if (rules_json)
		assert_int_equal(sentry_rules_parse("t", rules_json, strlen(rules_json), &r, err),
				 0);
	assert_int_equal(sentry_new(o, r, &s), 0);
	return s;
}

static struct sentry_addr A(const char *text) {
	struct sentry_addr a;

	assert_int_equal(sentry_addr_parse(text, &a), 0);
	return a;
}

static unsigned
score_of(struct sentry *s, const char *text, uint64_t now)
{
	struct sentry_addr a = A(text);
	struct sentry_ban_info *v;
	unsigned score = 0;
	size_t n;

	assert_int_equal(sentry_points_list(s, now, &v, &n), 0);
	for (size_t i = 0; i < n; i++) {
		if (sentry_addr_contains(&v[i].addr, &a))
			score = v[i].score;
	}
	free(v);
	return score;
}

enum step_kind { CONNECT, EVENT, EXPIRE };

struct step {
	uint64_t t_s;
	enum step_kind kind;
	enum sentry_event ev;
	unsigned times;
	enum sentry_verdict want; /* of the last repetition */
	unsigned score;		  /* after the step (points list) */
};

static void run_steps(const char *name, struct sentry *s, const char *addr, const struct step *st,
		      size_t n)
{
	struct sentry_addr a = A(addr);

	for (size_t i = 0; i < n; i++) {
		enum sentry_verdict v = SENTRY_ACCEPT;

		print_message("%s: step %zu at %llus\n", name, i, (unsigned long long)st[i].t_s);
		for (unsigned k = 0; k < (st[i].times ? st[i].times : 1); k++) {
			if (st[i].kind == CONNECT)
				v = sentry_check_connect(s, &a, SENTRY_PROTO_TCP, 40000,
							 S(st[i].t_s));
			else if (st[i].kind == EVENT)
				v = sentry_event(s, &a, st[i].ev, S(st[i].t_s));
			else
				sentry_expire(s, S(st[i].t_s));
		}
		if (st[i].kind != EXPIRE)
			assert_int_equal(v, st[i].want);
		assert_int_equal(score_of(s, addr, S(st[i].t_s)), st[i].score);
	}
}

static void test_score_ban(void **state)
{
	static const struct step steps[] = {
		{10, CONNECT, 0, 1, SENTRY_ACCEPT, 1},
		{11, EVENT, SENTRY_EV_AUTH_FAIL, 7, SENTRY_ACCEPT, 71},
		{12, EVENT, SENTRY_EV_TLS_FAIL, 8, SENTRY_ACCEPT, 79}, /* the limit - 1 */
		{13, EVENT, SENTRY_EV_KKDCP, 1, SENTRY_REJECT, 80},    /* reaches 80: banned */
		{14, CONNECT, 0, 1, SENTRY_REJECT, 80},		       /* no points while banned */
		{312, CONNECT, 0, 1, SENTRY_REJECT, 80},	       /* min-reauth-time: 300 s */
		{313, CONNECT, 0, 1, SENTRY_ACCEPT, 1},		       /* expired: clean slate */
	};
	struct hook_log h = {};
	struct sentry_opts o = ocserv_opts();
	struct sentry *s = engine(&o, nullptr);

	(void)state;
	sentry_set_ban_hook(s, hook, &h);
	run_steps("score", s, "198.18.0.1", steps, ARRAY_SIZE(steps));
	assert_int_equal(h.n, 2);
	assert_int_equal(h.what[0], SENTRY_BAN_ADDED);
	assert_string_equal(h.addr[0], "198.18.0.1");
	assert_int_equal(h.expires_ns[0], S(313));
	assert_int_equal(h.what[1], SENTRY_BAN_EXPIRED);
	sentry_free(s);
}

static void test_score_reset(void **state)
{
	static const struct step reset[] = {
		{0, EVENT, SENTRY_EV_AUTH_FAIL, 7, SENTRY_ACCEPT, 70},
		{1200, EVENT, SENTRY_EV_AUTH_FAIL, 1, SENTRY_ACCEPT, 10}, /* ban-reset-time */
	};
	static const struct step before[] = {
		{0, EVENT, SENTRY_EV_AUTH_FAIL, 7, SENTRY_ACCEPT, 70},
		{1199, EVENT, SENTRY_EV_AUTH_FAIL, 1, SENTRY_REJECT, 80}, /* one before it */
	};
	static const struct step reported_zero[] = {
		{0, EVENT, SENTRY_EV_AUTH_FAIL, 7, SENTRY_ACCEPT, 70},
		{1200, EXPIRE, 0, 1, SENTRY_ACCEPT, 0}, /* swept: forgotten */
	};
	struct sentry_opts o = ocserv_opts();
	struct sentry *s;

	(void)state;
	s = engine(&o, nullptr);
	run_steps("reset", s, "198.18.0.2", reset, ARRAY_SIZE(reset));
	sentry_free(s);
	s = engine(&o, nullptr);
	run_steps("before", s, "198.18.0.2", before, ARRAY_SIZE(before));
	sentry_free(s);
	s = engine(&o, nullptr);
	run_steps("sweep", s, "198.18.0.2", reported_zero, ARRAY_SIZE(reported_zero));
	sentry_free(s);
}

static void test_score_off(void **state)
{
	static const struct step steps[] = {
		{0, EVENT, SENTRY_EV_AUTH_FAIL, 100, SENTRY_ACCEPT, 0},
		{1, CONNECT, 0, 100, SENTRY_ACCEPT, 0},
	};
	struct sentry_opts o = ocserv_opts();
	struct sentry *s;

	(void)state;
	o.max_ban_score = 0; /* ocserv: 0 disables score bans */
	s = engine(&o, nullptr);
	run_steps("off", s, "198.18.0.3", steps, ARRAY_SIZE(steps));
	sentry_free(s);
}

static void test_exempt(void **state)
{
	static const struct {
		const char *addr;
		bool exempt;
	} cases[] = {
		{"127.0.0.1", true},   {"127.255.0.9", true}, {"::1", true},
		{"198.18.7.1", true}, /* added below */
		{"198.18.8.1", false}, {"::2", false},	      {"2001:db8::1", false},
	};
	struct sentry_opts o = ocserv_opts();
	struct sentry *s = engine(&o, nullptr);
	struct sentry_addr p = A("198.18.7.0/24");

	(void)state;
	assert_int_equal(sentry_exempt_add(s, &p), 0);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sentry_addr a = A(cases[i].addr);
		enum sentry_verdict v = SENTRY_ACCEPT;

		print_message("case %s\n", cases[i].addr);
		assert_int_equal(sentry_is_exempt(s, &a), cases[i].exempt);
		for (int k = 0; k < 9; k++)
			v = sentry_event(s, &a, SENTRY_EV_AUTH_FAIL, S(1));
		assert_int_equal(v, cases[i].exempt ? SENTRY_ACCEPT : SENTRY_REJECT);
	}
	/* an operator's ban still applies to an exempt address */
	p = A("127.0.0.1");
	assert_int_equal(sentry_ban(s, &p, 60, S(2)), 0);
	assert_int_equal(sentry_check_connect(s, &p, SENTRY_PROTO_TCP, 1, S(3)), SENTRY_REJECT);
	assert_int_equal(sentry_exempt_add_local(s, nullptr), 0);
	sentry_free(s);
}

static void test_static_routes(void **state)
{
	static const char rules[] =
		"{\"config-version\":2,\"default-policies\":{\"default-policy-static\":\"reject\"},"
		"\"static-routes\":[{\"family\":\"inet\",\"remote-address\":\"198.18.0.0/16\","
		"\"action\":\"accept\"}]}";
	struct sentry_opts o = ocserv_opts();
	struct sentry *s = engine(&o, rules);
	struct sentry_addr in = A("198.18.9.9"), out = A("198.19.9.9");
	struct sentry_stats st;

	(void)state;
	assert_int_equal(sentry_check_connect(s, &in, SENTRY_PROTO_TCP, 1, S(1)), SENTRY_ACCEPT);
	assert_int_equal(sentry_check_connect(s, &out, SENTRY_PROTO_TCP, 1, S(1)), SENTRY_REJECT);
	sentry_stats_get(s, &st);
	assert_int_equal(st.rejected, 1);
	assert_int_equal(st.sources, 1); /* a static reject is policy: the source is not scored */
	assert_int_equal(st.bans, 0);
	sentry_free(s);
}

static void test_connection_rate(void **state)
{
	static const char reject[] =
		"{\"config-version\":2,\"dynamic-rules\":{\"max-connection-rate\":"
		"{\"interval\":60,\"threshold\":3,\"penalty-time\":100}}}";
	static const char accept[] =
		"{\"config-version\":2,\"dynamic-rules\":{\"max-connection-rate\":"
		"{\"interval\":60,\"threshold\":3,\"penalty-time\":100,\"action\":\"accept\"}}}";
	static const struct step over[] = {
		{0, CONNECT, 0, 3, SENTRY_ACCEPT, 0},	/* the threshold */
		{59, CONNECT, 0, 1, SENTRY_REJECT, 0},	/* one more inside the interval */
		{158, CONNECT, 0, 1, SENTRY_REJECT, 0}, /* penalty-time 100 s from 59 */
		{159, CONNECT, 0, 3, SENTRY_ACCEPT, 0},
	};
	static const struct step windows[] = {
		{0, CONNECT, 0, 3, SENTRY_ACCEPT, 0},
		{60, CONNECT, 0, 3, SENTRY_ACCEPT, 0}, /* a new interval */
		{119, CONNECT, 0, 1, SENTRY_REJECT, 0},
	};
	static const struct step logged[] = {
		{0, CONNECT, 0, 50, SENTRY_ACCEPT, 0},
	};
	struct sentry_opts o = ocserv_opts();
	struct sentry *s;

	(void)state;
	o.max_ban_score = 0;
	s = engine(&o, reject);
	run_steps("over", s, "198.18.1.1", over, ARRAY_SIZE(over));
	sentry_free(s);
	s = engine(&o, reject);
	run_steps("windows", s, "198.18.1.1", windows, ARRAY_SIZE(windows));
	sentry_free(s);
	s = engine(&o, accept);
	run_steps("accept", s, "198.18.1.1", logged, ARRAY_SIZE(logged));
	sentry_free(s);
}

static void test_failed_auth(void **state)
{
	static const char rules[] =
		"{\"config-version\":2,\"dynamic-rules\":{\"failed-auth-protection\":"
		"{\"max-attempts\":3,\"window\":10,\"penalty-time\":50}}}";
	static const struct step limit[] = {
		{0, EVENT, SENTRY_EV_AUTH_FAIL, 2, SENTRY_ACCEPT, 0}, /* one below */
		{9, EVENT, SENTRY_EV_AUTH_OK, 1, SENTRY_ACCEPT, 0},
		{9, EVENT, SENTRY_EV_AUTH_FAIL, 1, SENTRY_REJECT, 0}, /* max-attempts */
		{58, CONNECT, 0, 1, SENTRY_REJECT, 0},
		{59, CONNECT, 0, 1, SENTRY_ACCEPT, 0},
	};
	static const struct step window[] = {
		{0, EVENT, SENTRY_EV_AUTH_FAIL, 2, SENTRY_ACCEPT, 0},
		{10, EVENT, SENTRY_EV_AUTH_FAIL, 2, SENTRY_ACCEPT, 0}, /* window passed */
	};
	struct sentry_opts o = ocserv_opts();
	struct sentry *s;

	(void)state;
	o.max_ban_score = 0;
	s = engine(&o, rules);
	run_steps("limit", s, "2001:db8::7", limit, ARRAY_SIZE(limit));
	sentry_free(s);
	s = engine(&o, rules);
	run_steps("window", s, "2001:db8::7", window, ARRAY_SIZE(window));
	sentry_free(s);
}

static void test_manual(void **state)
{
	struct sentry_opts o = ocserv_opts();
	struct sentry *s = engine(&o, nullptr);
	struct hook_log h = {};
	struct sentry_addr host = A("198.18.2.2"), net = A("198.18.3.0/24"), in = A("198.18.3.77");
	struct sentry_addr out = A("198.18.4.1"), never = A("198.18.5.5");
	struct sentry_ban_info *v;
	size_t n;

	(void)state;
	sentry_set_ban_hook(s, hook, &h);
	assert_int_equal(sentry_ban(s, &host, 600, S(100)), 0);
	assert_int_equal(sentry_ban(s, &net, 0, S(100)), 0); /* forever */
	assert_true(sentry_is_banned(s, &host, S(699)));
	assert_true(sentry_is_banned(s, &in, S(1000000)));
	assert_int_equal(sentry_check_connect(s, &in, SENTRY_PROTO_UDP, 1, S(101)), SENTRY_REJECT);
	assert_int_equal(sentry_check_connect(s, &out, SENTRY_PROTO_TCP, 1, S(101)), SENTRY_ACCEPT);

	assert_int_equal(sentry_bans_list(s, S(200), &v, &n), 0);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++) {
		char txt[SENTRY_ADDR_STRLEN];

		sentry_addr_format(&v[i].addr, txt);
		assert_true(v[i].banned && v[i].manual);
		if (v[i].addr.prefix_len == 32) {
			assert_string_equal(txt, "198.18.2.2");
			assert_int_equal(v[i].remaining_s, 500);
			assert_int_equal(v[i].expires_ns, S(700));
		} else {
			assert_string_equal(txt, "198.18.3.0/24");
			assert_int_equal(v[i].expires_ns, 0);
		}
	}
	free(v);

	/* re-ban updates the expiry; unban lifts; a second unban finds nothing */
	assert_int_equal(sentry_ban(s, &net, 30, S(200)), 0);
	assert_int_equal(sentry_unban(s, &net, S(201)), 0);
	assert_int_equal(sentry_unban(s, &net, S(201)), -ENOENT);
	assert_int_equal(sentry_unban(s, &never, S(201)), -ENOENT);
	assert_false(sentry_is_banned(s, &in, S(202)));
	assert_int_equal(sentry_unban(s, &host, S(202)), 0);
	assert_false(sentry_is_banned(s, &host, S(203)));

	assert_int_equal(h.n, 5);
	assert_int_equal(h.what[0], SENTRY_BAN_ADDED);
	assert_string_equal(h.addr[0], "198.18.2.2");
	assert_int_equal(h.expires_ns[0], S(700));
	assert_int_equal(h.what[1], SENTRY_BAN_ADDED);
	assert_string_equal(h.addr[1], "198.18.3.0/24");
	assert_int_equal(h.expires_ns[1], 0);
	assert_int_equal(h.what[2], SENTRY_BAN_ADDED);
	assert_int_equal(h.expires_ns[2], S(230));
	assert_int_equal(h.what[3], SENTRY_BAN_REMOVED);
	assert_string_equal(h.addr[3], "198.18.3.0/24");
	assert_int_equal(h.what[4], SENTRY_BAN_REMOVED);
	assert_string_equal(h.addr[4], "198.18.2.2");

	host.family = 99;
	assert_int_equal(sentry_ban(s, &host, 1, S(1)), -EINVAL);
	sentry_free(s);
}

static void test_prefix_ban_limit(void **state)
{
	struct sentry_opts o = ocserv_opts();
	struct sentry *s = engine(&o, nullptr);
	struct sentry_addr p = A("10.0.0.0/24");

	(void)state;
	for (unsigned i = 0; i < SENTRY_MAX_PREFIX_BANS; i++) {
		p.bytes[1] = (uint8_t)(i >> 8);
		p.bytes[2] = (uint8_t)i;
		assert_int_equal(sentry_ban(s, &p, 10, S(1)), 0);
	}
	p.bytes[0] = 11;
	assert_int_equal(sentry_ban(s, &p, 10, S(1)), -ENOSPC); /* one past the limit */
	sentry_expire(s, S(11));
	assert_int_equal(sentry_ban(s, &p, 10, S(11)), 0);
	sentry_free(s);
}

static void test_ipv6_prefix(void **state)
{
	struct sentry_opts o = ocserv_opts();
	struct sentry_addr a = A("2001:db8:1:2::a"), b = A("2001:db8:1:2::b"),
			   c = A("2001:db8:1:3::a");
	struct hook_log h = {};
	struct sentry *s;

	(void)state;
	/* /128: each host on its own */
	s = engine(&o, nullptr);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(sentry_event(s, &a, SENTRY_EV_AUTH_FAIL, S(1)), SENTRY_ACCEPT);
		assert_int_equal(sentry_event(s, &b, SENTRY_EV_AUTH_FAIL, S(1)), SENTRY_ACCEPT);
	}
	sentry_free(s);

	/* /64: both hosts feed one score, and the ban covers the /64 */
	o.ipv6_prefix_len = 64;
	s = engine(&o, nullptr);
	sentry_set_ban_hook(s, hook, &h);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(sentry_event(s, &a, SENTRY_EV_AUTH_FAIL, S(1)), SENTRY_ACCEPT);
		assert_int_equal(sentry_event(s, &b, SENTRY_EV_AUTH_FAIL, S(1)),
				 i == 3 ? SENTRY_REJECT : SENTRY_ACCEPT);
	}
	assert_int_equal(h.n, 1);
	assert_string_equal(h.addr[0], "2001:db8:1:2::/64");
	assert_true(sentry_is_banned(s, &a, S(2)));
	assert_false(sentry_is_banned(s, &c, S(2)));
	assert_int_equal(sentry_unban(s, &a, S(3)), 0); /* a host lifts its /64 */
	assert_false(sentry_is_banned(s, &b, S(3)));
	sentry_free(s);

	o.ipv6_prefix_len = 96;
	assert_int_equal(sentry_new(&o, nullptr, &s), -EINVAL);
	assert_null(s);
}

static void test_rate_limit_ms(void **state)
{
	struct sentry_opts o = ocserv_opts();
	struct sentry *s;

	(void)state;
	o.rate_limit_ms = 100;
	s = engine(&o, nullptr);
	assert_int_equal(sentry_accept_delay_ns(s, S(1)), 0);
	assert_int_equal(sentry_accept_delay_ns(s, S(1) + 40 * NS_PER_MS), 60 * NS_PER_MS);
	assert_int_equal(sentry_accept_delay_ns(s, S(1) + 99 * NS_PER_MS), 1 * NS_PER_MS);
	assert_int_equal(sentry_accept_delay_ns(s, S(1) + 100 * NS_PER_MS), 0);
	assert_int_equal(sentry_accept_delay_ns(s, S(1) + 100 * NS_PER_MS), 100 * NS_PER_MS);
	sentry_free(s);
	o.rate_limit_ms = 0;
	s = engine(&o, nullptr);
	for (int i = 0; i < 10; i++)
		assert_int_equal(sentry_accept_delay_ns(s, S(1)), 0);
	sentry_free(s);
}

/* The user-space twin of xdp_guard's limiter: burst, then rate per second, per source. */
static void test_conn_limit(void **state)
{
	struct sentry_opts o = ocserv_opts();
	struct sentry_addr a = A("198.18.5.1"), b = A("198.18.5.2"), lo = A("127.0.0.1");
	struct sentry_stats st;
	struct sentry *s;

	(void)state;
	o.max_ban_score = 0;
	s = engine(&o, nullptr);
	for (int i = 0; i < 20; i++) /* off by default */
		assert_int_equal(sentry_check_connect(s, &a, SENTRY_PROTO_TCP, 1, S(1)),
				 SENTRY_ACCEPT);
	sentry_conn_limit_set(s, 10, 3); /* one per 100 ms, 3 back to back */
	for (int i = 0; i < 3; i++)
		assert_int_equal(sentry_check_connect(s, &b, SENTRY_PROTO_TCP, 1, S(2)),
				 SENTRY_ACCEPT);
	assert_int_equal(sentry_check_connect(s, &b, SENTRY_PROTO_UDP, 1, S(2)), SENTRY_REJECT);
	assert_int_equal(sentry_check_connect(s, &b, SENTRY_PROTO_TCP, 1, S(2) + 50 * NS_PER_MS),
			 SENTRY_REJECT);
	assert_int_equal(sentry_check_connect(s, &b, SENTRY_PROTO_TCP, 1, S(2) + 100 * NS_PER_MS),
			 SENTRY_ACCEPT);
	assert_int_equal(sentry_check_connect(s, &b, SENTRY_PROTO_TCP, 1, S(2) + 101 * NS_PER_MS),
			 SENTRY_REJECT);
	/* another source has its own budget; an exempt one has none */
	assert_int_equal(sentry_check_connect(s, &a, SENTRY_PROTO_TCP, 1, S(2)), SENTRY_ACCEPT);
	for (int i = 0; i < 20; i++)
		assert_int_equal(sentry_check_connect(s, &lo, SENTRY_PROTO_TCP, 1, S(2)),
				 SENTRY_ACCEPT);
	assert_false(sentry_is_banned(s, &b, S(3))); /* refused, not banned */
	sentry_stats_get(s, &st);
	assert_int_equal(st.rate_limited, 3);
	assert_int_equal(st.rejected, 3);
	assert_int_equal(st.events[SENTRY_EV_RATE_EXCEEDED], 3);
	assert_int_equal(st.events[SENTRY_EV_CONNECT], 20 + 4 + 1);
	sentry_free(s);

	/* with scores on, each refused connection costs ban-points-connection */
	o = ocserv_opts();
	o.max_ban_score = 5;
	o.points[SENTRY_EV_RATE_EXCEEDED] = 1;
	s = engine(&o, nullptr);
	sentry_conn_limit_set(s, 1, 1);
	assert_int_equal(sentry_check_connect(s, &a, SENTRY_PROTO_TCP, 1, S(1)), SENTRY_ACCEPT);
	for (int i = 0; i < 4; i++)
		assert_int_equal(sentry_check_connect(s, &a, SENTRY_PROTO_TCP, 1, S(1)),
				 SENTRY_REJECT);
	assert_true(sentry_is_banned(s, &a, S(1)));
	sentry_free(s);
}

/* Every reported event is counted, points or not (metrics). */
static void test_event_counts(void **state)
{
	struct sentry_opts o = ocserv_opts();
	struct sentry_addr a = A("198.18.5.1");
	struct sentry_stats st;
	struct sentry *s = engine(&o, nullptr);

	(void)state;
	for (int i = 0; i < 7; i++)
		assert_int_equal(sentry_event(s, &a, SENTRY_EV_DTLS_GARBAGE, S(1)), SENTRY_ACCEPT);
	assert_int_equal(sentry_event(s, &a, SENTRY_EV_AUTH_FAIL, S(1)), SENTRY_ACCEPT);
	sentry_stats_get(s, &st);
	assert_int_equal(st.events[SENTRY_EV_DTLS_GARBAGE], 7);
	assert_int_equal(st.events[SENTRY_EV_AUTH_FAIL], 1);
	assert_int_equal(st.sources, 1); /* 0-point garbage takes no slot */
	sentry_free(s);
}

static void test_from_config(void **state)
{
	struct config cfg = {
		.max_ban_score = 80,
		.ban_reset_time_s = 1200,
		.ban_points_wrong_password = 10,
		.ban_points_connection = 1,
		.ban_points_kkdcp = 2,
		.min_reauth_time_s = 300,
		.rate_limit_ms = 100,
	};
	char err[SENTRY_ERR_LEN];
	struct sentry_opts o;
	struct sentry *s;

	(void)state;
	sentry_opts_from_config(&o, &cfg);
	assert_int_equal(o.points[SENTRY_EV_AUTH_FAIL], 10);
	assert_int_equal(o.points[SENTRY_EV_UNKNOWN_COOKIE], 10);
	assert_int_equal(o.points[SENTRY_EV_CONNECT], 1);
	assert_int_equal(o.points[SENTRY_EV_KKDCP], 2);
	assert_int_equal(o.points[SENTRY_EV_DTLS_GARBAGE], 0);
	assert_int_equal(o.points[SENTRY_EV_AUTH_OK], 0);
	assert_int_equal(sentry_new_from_config(&cfg, &s, err), 0);
	sentry_free(s);

	cfg.enable_wolfsentry = true;
	assert_int_equal(sentry_new_from_config(&cfg, &s, err), -EINVAL);
	assert_string_equal(err, "config: enable-wolfsentry is set but wolfsentry-config is not");
	cfg.wolfsentry_config = OCM_SOURCE_DIR "/tests/fuzz/corpus/sentry_rules/valid.json";
	assert_int_equal(sentry_new_from_config(&cfg, &s, err), 0);
	sentry_free(s);
	cfg.wolfsentry_config = OCM_SOURCE_DIR "/tests/fuzz/corpus/sentry_rules/dup.json";
	assert_int_equal(sentry_new_from_config(&cfg, &s, err), -EINVAL);
	assert_null(s);
	assert_non_null(strstr(err, "dup.json: config-version: duplicate key"));
	assert_string_equal(sentry_event_name(SENTRY_EV_DTLS_GARBAGE), "dtls-garbage");
	assert_string_equal(sentry_event_name(SENTRY_EV__COUNT), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_score_ban),	 cmocka_unit_test(test_score_reset),
		cmocka_unit_test(test_score_off),	 cmocka_unit_test(test_exempt),
		cmocka_unit_test(test_static_routes),	 cmocka_unit_test(test_connection_rate),
		cmocka_unit_test(test_failed_auth),	 cmocka_unit_test(test_manual),
		cmocka_unit_test(test_prefix_ban_limit), cmocka_unit_test(test_ipv6_prefix),
		cmocka_unit_test(test_rate_limit_ms),	 cmocka_unit_test(test_from_config),
		cmocka_unit_test(test_conn_limit),	 cmocka_unit_test(test_event_counts),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
