// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for tunnel/session.c: create, attach/takeover, detach, logout, limits, expiry. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/clock.h"
#include "tunnel/session.h"

struct fixture {
	struct config *cfg;
	struct ippool *pool;
	struct session_registry *reg;
};

static const char base_conf[] = "auth = \"plain[passwd=/dev/null]\"\n"
				"server-cert = /dev/null\n"
				"server-key = /dev/null\n"
				"ipv4-network = 198.18.100.0/29\n"
				"ipv6-network = 2001:db8:100::/64\n";

static struct fixture *setup_with(const char *extra)
{
	static struct fixture f;
	char text[1024], err[CONFIG_ERR_LEN];

	snprintf(text, sizeof(text), "%s%s", base_conf, extra);
	f = (struct fixture){};
	assert_int_equal(config_load_buffer("t.conf", text, strlen(text), &f.cfg, err), 0);
	assert_int_equal(ippool_new(f.cfg, &f.pool), 0);
	assert_int_equal(session_registry_new(f.pool, &f.reg), 0);
	return &f;
}

static void teardown(struct fixture *f)
{
	session_registry_free(f->reg);
	ippool_free(f->pool);
	config_free(f->cfg);
}

static void decode(const char *b64, struct cookie *c)
{
	assert_int_equal(cookie_decode(b64, strlen(b64), c), 0);
}

static void test_create_attach_detach(void **state)
{
	struct fixture *f = setup_with("cookie-timeout = 300\n");
	char b64[COOKIE_B64_LEN + 1];
	struct session *s, *s2;
	struct cookie ck, wrong = {};
	uint64_t gen, gen2;
	int prev;

	(void)state;
	assert_int_equal(session_create(f->reg, f->cfg, "alice", "eng", "198.18.0.2", b64, &s),
			 SESSION_CREATED);
	assert_int_equal(strlen(b64), COOKIE_B64_LEN);
	assert_true(s->lease.has_v4 && s->lease.has_v6);
	decode(b64, &ck);
	assert_int_equal(session_attach(f->reg, &wrong, "198.18.0.2", 0, &s2, &gen, &prev),
			 SESSION_UNKNOWN);
	assert_int_equal(session_attach(f->reg, &ck, "198.18.0.2", 0, &s2, &gen, &prev),
			 SESSION_ATTACHED);
	assert_ptr_equal(s, s2);
	assert_int_equal(prev, -1);
	/* A reconnect on worker 1 takes over from worker 0 and keeps the lease. */
	struct lease before = s->lease;
	assert_int_equal(session_attach(f->reg, &ck, "198.18.0.9", 1, &s2, &gen2, &prev),
			 SESSION_ATTACHED);
	assert_int_equal(prev, 0);
	assert_true(gen2 > gen);
	assert_memory_equal(&before, &s->lease, sizeof(before));
	/* The stale connection detaching changes nothing; the current one detaches. */
	session_detach(f->reg, s, gen, false);
	assert_int_equal(s->owner_worker, 1);
	session_detach(f->reg, s, gen2, false);
	assert_int_equal(s->owner_worker, -1);
	/* Still valid within cookie-timeout: not swept. */
	assert_int_equal(session_registry_sweep(f->reg, clock_now_ns()), 0);
	assert_int_equal(session_attach(f->reg, &ck, "198.18.0.2", 0, &s2, &gen, &prev),
			 SESSION_ATTACHED);
	session_detach(f->reg, s2, gen, true); /* user disconnect: cookie dies */
	assert_int_equal(session_attach(f->reg, &ck, "198.18.0.2", 0, &s2, &gen, &prev),
			 SESSION_UNKNOWN);
	assert_int_equal(session_registry_sweep(f->reg, clock_now_ns()), 1);
	assert_int_equal(session_registry_count(f->reg), 0);
	teardown(f);
}

static void test_limits(void **state)
{
	struct fixture *f = setup_with("max-clients = 3\nmax-same-clients = 2\n");
	char b64[COOKIE_B64_LEN + 1];

	(void)state;
	assert_int_equal(session_create(f->reg, f->cfg, "bob", "", "198.18.0.2", b64, nullptr),
			 SESSION_CREATED);
	assert_int_equal(session_create(f->reg, f->cfg, "bob", "", "198.18.0.2", b64, nullptr),
			 SESSION_CREATED);
	assert_int_equal(session_create(f->reg, f->cfg, "bob", "", "198.18.0.2", b64, nullptr),
			 SESSION_TOO_MANY_SAME);
	assert_int_equal(session_create(f->reg, f->cfg, "carol", "", "198.18.0.3", b64, nullptr),
			 SESSION_CREATED);
	assert_int_equal(session_create(f->reg, f->cfg, "dave", "", "198.18.0.4", b64, nullptr),
			 SESSION_TOO_MANY_CLIENTS);
	teardown(f);
}

/* max-clients counts connected clients (ocserv's semantics): a tunnel that went away frees its
 * place for the reconnect window, and must find a free one to come back; ended sessions that wait
 * for the sweep hold none. */
static void test_max_clients_places(void **state)
{
	struct fixture *f = setup_with("max-clients = 2\ncookie-timeout = 300\n");
	char b64a[COOKIE_B64_LEN + 1], b64b[COOKIE_B64_LEN + 1], b64[COOKIE_B64_LEN + 1];
	struct session *a, *b, *s;
	struct cookie cka, ckb;
	uint64_t gena, genb, gen;
	int prev;

	(void)state;
	assert_int_equal(session_create(f->reg, f->cfg, "a", "", "198.18.0.2", b64a, &a),
			 SESSION_CREATED);
	assert_int_equal(session_create(f->reg, f->cfg, "b", "", "198.18.0.3", b64b, &b),
			 SESSION_CREATED);
	/* Logged in, not yet connected: both places are taken. */
	assert_int_equal(session_create(f->reg, f->cfg, "c", "", "198.18.0.4", b64, nullptr),
			 SESSION_TOO_MANY_CLIENTS);
	decode(b64a, &cka);
	decode(b64b, &ckb);
	assert_int_equal(session_attach(f->reg, &cka, "198.18.0.2", 0, &s, &gena, &prev),
			 SESSION_ATTACHED);
	assert_int_equal(session_attach(f->reg, &ckb, "198.18.0.3", 0, &s, &genb, &prev),
			 SESSION_ATTACHED);
	/* A takeover by the same session's reconnect needs no second place. */
	assert_int_equal(session_attach(f->reg, &cka, "198.18.0.2", 1, &s, &gen, &prev),
			 SESSION_ATTACHED);
	session_detach(f->reg, a, gena, false);
	assert_int_equal(session_create(f->reg, f->cfg, "c", "", "198.18.0.4", b64, nullptr),
			 SESSION_TOO_MANY_CLIENTS);
	/* a's tunnel goes away: its place is free while its cookie stays valid. */
	session_detach(f->reg, a, gen, false);
	assert_int_equal(session_registry_count(f->reg), 2);
	assert_int_equal(session_create(f->reg, f->cfg, "c", "", "198.18.0.4", b64, nullptr),
			 SESSION_CREATED);
	assert_int_equal(session_attach(f->reg, &cka, "198.18.0.2", 0, &s, &gen, &prev),
			 SESSION_FULL);
	/* b logs out: ended, not yet swept, and its place is a's again. */
	session_detach(f->reg, b, genb, true);
	assert_int_equal(session_attach(f->reg, &cka, "198.18.0.2", 0, &s, &gen, &prev),
			 SESSION_ATTACHED);
	assert_int_equal(session_create(f->reg, f->cfg, "d", "", "198.18.0.5", b64, nullptr),
			 SESSION_TOO_MANY_CLIENTS);
	session_detach(f->reg, a, gen, true);
	assert_int_equal(session_registry_sweep(f->reg, clock_now_ns()), 2);
	assert_int_equal(session_create(f->reg, f->cfg, "d", "", "198.18.0.5", b64, nullptr),
			 SESSION_CREATED);
	teardown(f);
}

/* max-same-clients counts the user's sessions that hold a place, as ocserv counts the user's
 * client processes: one waiting out its reconnect window does not stop a new login, but must
 * find the user under the limit to come back. Other users are not counted. */
static void test_max_same_places(void **state)
{
	struct fixture *f = setup_with("max-same-clients = 1\ncookie-timeout = 300\n");
	char b64a[COOKIE_B64_LEN + 1], b64b[COOKIE_B64_LEN + 1], b64[COOKIE_B64_LEN + 1];
	struct session *a, *b, *s;
	struct cookie cka, ckb;
	uint64_t gena, genb, gen;
	int prev;

	(void)state;
	assert_int_equal(session_create(f->reg, f->cfg, "eve", "", "198.18.0.2", b64a, &a),
			 SESSION_CREATED);
	/* Logged in, not yet connected: it counts. */
	assert_int_equal(session_create(f->reg, f->cfg, "eve", "", "198.18.0.2", b64, nullptr),
			 SESSION_TOO_MANY_SAME);
	assert_int_equal(session_create(f->reg, f->cfg, "frank", "", "198.18.0.3", b64, nullptr),
			 SESSION_CREATED);
	decode(b64a, &cka);
	assert_int_equal(session_attach(f->reg, &cka, "198.18.0.2", 0, &s, &gena, &prev),
			 SESSION_ATTACHED);
	/* The same session's reconnect takes over its own place. */
	assert_int_equal(session_attach(f->reg, &cka, "198.18.0.2", 1, &s, &gen, &prev),
			 SESSION_ATTACHED);
	session_detach(f->reg, a, gena, false);
	assert_int_equal(session_create(f->reg, f->cfg, "eve", "", "198.18.0.2", b64, nullptr),
			 SESSION_TOO_MANY_SAME);
	/* a's tunnel goes away: a new login of eve's is let in ... */
	session_detach(f->reg, a, gen, false);
	assert_int_equal(session_create(f->reg, f->cfg, "eve", "", "198.18.0.9", b64b, &b),
			 SESSION_CREATED);
	/* ... and a may not come back while b holds eve's place. */
	assert_int_equal(session_attach(f->reg, &cka, "198.18.0.2", 0, &s, &gen, &prev),
			 SESSION_USER_FULL);
	decode(b64b, &ckb);
	assert_int_equal(session_attach(f->reg, &ckb, "198.18.0.9", 0, &s, &genb, &prev),
			 SESSION_ATTACHED);
	session_detach(f->reg, b, genb, true); /* b logs out */
	assert_int_equal(session_attach(f->reg, &cka, "198.18.0.2", 0, &s, &gen, &prev),
			 SESSION_ATTACHED);
	session_detach(f->reg, a, gen, true);
	/* Swept sessions leave the user chain: eve may log in again. */
	assert_int_equal(session_registry_sweep(f->reg, clock_now_ns()), 2);
	assert_int_equal(session_create(f->reg, f->cfg, "eve", "", "198.18.0.2", b64, nullptr),
			 SESSION_CREATED);
	teardown(f);
}

static void test_pool_exhaustion(void **state)
{
	/* /29: slots 2..6 → 5 clients. */
	struct fixture *f = setup_with("");
	char b64[COOKIE_B64_LEN + 1], name[16];

	(void)state;
	for (int i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "u%d", i);
		assert_int_equal(
			session_create(f->reg, f->cfg, name, "", "198.18.0.2", b64, nullptr),
			SESSION_CREATED);
	}
	assert_int_equal(session_create(f->reg, f->cfg, "u5", "", "198.18.0.2", b64, nullptr),
			 SESSION_NO_ADDRESS);
	teardown(f);
}

static void test_roaming_and_logout(void **state)
{
	struct fixture *f = setup_with("deny-roaming = true\n");
	char b64[COOKIE_B64_LEN + 1];
	struct session *s;
	struct cookie ck;
	uint64_t gen;
	int prev;

	(void)state;
	assert_int_equal(session_create(f->reg, f->cfg, "erin", "", "198.18.0.2", b64, nullptr),
			 SESSION_CREATED);
	decode(b64, &ck);
	assert_int_equal(session_attach(f->reg, &ck, "198.18.0.3", 0, &s, &gen, &prev),
			 SESSION_ROAMING);
	assert_true(session_logout(f->reg, &ck));
	assert_false(session_logout(f->reg, &ck));
	assert_int_equal(session_attach(f->reg, &ck, "198.18.0.2", 0, &s, &gen, &prev),
			 SESSION_UNKNOWN);
	teardown(f);
}

static void test_expiry(void **state)
{
	struct fixture *f = setup_with("cookie-timeout = 1\nsession-timeout = 1\n");
	char b64[COOKIE_B64_LEN + 1];
	struct session *s;
	struct cookie ck;
	uint64_t gen;
	int prev;

	(void)state;
	assert_int_equal(session_create(f->reg, f->cfg, "frank", "", "198.18.0.2", b64, nullptr),
			 SESSION_CREATED);
	decode(b64, &ck);
	uint64_t later = clock_now_ns() + 2ull * NS_PER_SEC;
	assert_int_equal(session_registry_sweep(f->reg, clock_now_ns()), 0);
	assert_int_equal(session_registry_sweep(f->reg, later), 1);
	/* An attached session is not swept even past its timeouts: its connection ends it. */
	assert_int_equal(session_create(f->reg, f->cfg, "frank", "", "198.18.0.2", b64, nullptr),
			 SESSION_CREATED);
	decode(b64, &ck);
	assert_int_equal(session_attach(f->reg, &ck, "198.18.0.2", 0, &s, &gen, &prev),
			 SESSION_ATTACHED);
	assert_true(session_is_expired(s, f->cfg, later));
	assert_int_equal(session_registry_sweep(f->reg, later), 0);
	session_detach(f->reg, s, gen, false);
	assert_int_equal(session_registry_sweep(f->reg, later), 1);
	teardown(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_attach_detach),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_max_clients_places),
		cmocka_unit_test(test_max_same_places),
		cmocka_unit_test(test_pool_exhaustion),
		cmocka_unit_test(test_roaming_and_logout),
		cmocka_unit_test(test_expiry),
	};
	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
