// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for auth/auth_pool.c: requests submitted from a loop come back on that loop's thread
 * with the right verdicts and wiped passwords; bad requests; freeing with requests pending. */
#include <crypt.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "auth/auth.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/compiler.h"
#include "core/loop.h"

enum { NREQ = 24, DEADLINE_MS = 30000 };

struct fixture {
	char dir[64];
	char path[128];
	struct config cfg;
};

struct run {
	struct loop *l;
	struct auth_pool *pool;
	pthread_t loop_thread;
	struct auth_request req[NREQ];
	enum auth_verdict want[NREQ];
	const char *want_group[NREQ];
	unsigned done, expected;
	bool wrong_thread, not_wiped, timed_out;
	struct timer deadline;
	struct loop_call kick;
};

static struct run *g; /* test-only: callbacks find their context */

static void make_hash(const char *prefix, const char *pw, char out[CRYPT_OUTPUT_SIZE])
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd = calloc(1, sizeof(*cd));

	assert_non_null(cd);
	assert_non_null(crypt_gensalt_rn(prefix, 0, nullptr, 0, setting, sizeof(setting)));
	assert_non_null(crypt_rn(pw, setting, cd, sizeof(*cd)));
	snprintf(out, CRYPT_OUTPUT_SIZE, "%s", cd->output);
	free(cd);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char h1[CRYPT_OUTPUT_SIZE], h2[CRYPT_OUTPUT_SIZE];
	FILE *f;

	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/ocm-authpool-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->path, sizeof(fx->path), "%s/passwd", fx->dir);
	make_hash("$5$", "alice-pw", h1);
	make_hash("$y$", "bob-pw", h2);
	f = fopen(fx->path, "w");
	assert_non_null(f);
	fprintf(f, "alice:*:%s\nbob:staff:%s\n", h1, h2);
	assert_int_equal(fclose(f), 0);
	fx->cfg.auth = CFG_AUTH_PLAIN;
	fx->cfg.auth_passwd = fx->path;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	unlink(fx->path);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static bool all_zero(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i])
			return false;
	}
	return true;
}

static void on_done(struct auth_request *req)
{
	if (!pthread_equal(pthread_self(), g->loop_thread))
		g->wrong_thread = true;
	if (!all_zero(req->password, sizeof(req->password)))
		g->not_wiped = true;
	if (++g->done == g->expected)
		loop_stop(g->l);
}

static void on_deadline(struct timer *t)
{
	(void)t;
	g->timed_out = true;
	loop_stop(g->l);
}

static void run_begin(struct run *r)
{
	g = r;
	r->loop_thread = pthread_self();
	assert_int_equal(loop_new(&r->l), 0);
	timer_init(&r->deadline, on_deadline);
	loop_timer_arm(r->l, &r->deadline, clock_now_ns() + (uint64_t)DEADLINE_MS * NS_PER_MS);
}

static void run_end(struct run *r)
{
	assert_false(r->timed_out);
	assert_int_equal(r->done, r->expected);
	assert_false(r->wrong_thread);
	assert_false(r->not_wiped);
	loop_timer_cancel(r->l, &r->deadline);
	loop_free(r->l);
	g = nullptr;
}

static void req_fill(struct run *r, unsigned i, const char *user, const char *pw,
		     enum auth_verdict want, const char *want_group)
{
	struct auth_request *req = &r->req[i];

	*req = (struct auth_request){.reply_loop = r->l, .on_done = on_done};
	snprintf(req->username, sizeof(req->username), "%s", user);
	snprintf(req->password, sizeof(req->password), "%s", pw);
	r->want[i] = want;
	r->want_group[i] = want_group;
}

/* Runs on the loop: requests are submitted from the loop's own thread, as workers will. */
static void on_kick(struct loop_call *c)
{
	(void)c;
	for (unsigned i = 0; i < g->expected; i++)
		auth_pool_submit(g->pool, &g->req[i]);
}

static void test_pool_verdicts(void **state)
{
	struct fixture *fx = *state;
	struct run r = {};

	run_begin(&r);
	assert_int_equal(auth_pool_new(&fx->cfg, 4, &r.pool), 0);
	r.expected = NREQ;
	for (unsigned i = 0; i < NREQ; i++) {
		switch (i % 6) {
		case 0:
			req_fill(&r, i, "alice", "alice-pw", AUTH_OK, "");
			break;
		case 1:
			req_fill(&r, i, "alice", "bob-pw", AUTH_DENIED, "");
			break;
		case 2:
			req_fill(&r, i, "bob", "bob-pw", AUTH_OK, "staff");
			break;
		case 3:
			req_fill(&r, i, "nobody", "bob-pw", AUTH_DENIED, "");
			break;
		case 4:
			req_fill(&r, i, "bad:name", "bob-pw", AUTH_DENIED, "");
			break;
		default:
			/* password not NUL-terminated within its buffer */
			req_fill(&r, i, "alice", "", AUTH_DENIED, "");
			memset(r.req[i].password, 'a', sizeof(r.req[i].password));
			break;
		}
	}
	loop_defer(r.l, &r.kick, on_kick);
	assert_int_equal(loop_run(r.l), 0);
	for (unsigned i = 0; i < NREQ; i++) {
		if (r.req[i].verdict != r.want[i] || strcmp(r.req[i].group, r.want_group[i]) != 0)
			fail_msg("request %u (%s): verdict %d group '%s', want %d '%s'", i,
				 r.req[i].username, r.req[i].verdict, r.req[i].group, r.want[i],
				 r.want_group[i]);
	}
	auth_pool_free(r.pool);
	run_end(&r);
}

static void test_pool_missing_file(void **state)
{
	struct fixture *fx = *state;
	struct config cfg = fx->cfg;
	char path[160];
	struct run r = {};

	snprintf(path, sizeof(path), "%s/missing", fx->dir);
	cfg.auth_passwd = path;
	run_begin(&r);
	assert_int_equal(auth_pool_new(&cfg, 1, &r.pool), 0);
	r.expected = 2;
	req_fill(&r, 0, "alice", "alice-pw", AUTH_ERROR, "");
	req_fill(&r, 1, "bob", "x", AUTH_ERROR, "");
	loop_defer(r.l, &r.kick, on_kick);
	assert_int_equal(loop_run(r.l), 0);
	assert_int_equal(r.req[0].verdict, AUTH_ERROR);
	assert_int_equal(r.req[1].verdict, AUTH_ERROR);
	auth_pool_free(r.pool);
	run_end(&r);
}

/* Freed right after submitting: every request is still answered on the loop, those that were
 * not verified yet with AUTH_ERROR, and all passwords are wiped. */
static void test_pool_free_with_pending(void **state)
{
	struct fixture *fx = *state;
	struct run r = {};
	unsigned errors = 0;

	run_begin(&r);
	assert_int_equal(auth_pool_new(&fx->cfg, 1, &r.pool), 0);
	r.expected = NREQ;
	for (unsigned i = 0; i < NREQ; i++)
		req_fill(&r, i, "bob", "bob-pw", AUTH_OK, "staff");
	for (unsigned i = 0; i < NREQ; i++)
		auth_pool_submit(r.pool, &r.req[i]);
	auth_pool_free(r.pool);
	r.pool = nullptr;
	assert_int_equal(loop_run(r.l), 0);
	for (unsigned i = 0; i < NREQ; i++) {
		if (r.req[i].verdict == AUTH_ERROR) {
			errors++;
			assert_string_equal(r.req[i].group, "");
		} else {
			assert_int_equal(r.req[i].verdict, AUTH_OK);
			assert_string_equal(r.req[i].group, "staff");
		}
	}
	/* One thread verifies $y$ far slower than we queue: most were still pending. */
	assert_true(errors >= NREQ - 2);
	run_end(&r);
}

struct new_case {
	const char *name;
	enum cfg_auth_method method;
	bool passwd;
	unsigned threads;
	int ret;
};

static void test_pool_new_errors(void **state)
{
	struct fixture *fx = *state;
	static const struct new_case cases[] = {
		{"no method", CFG_AUTH_NONE, true, 1, -EINVAL},
		{"plain without file", CFG_AUTH_PLAIN, false, 1, -EINVAL},
		{"zero threads", CFG_AUTH_PLAIN, true, 0, -EINVAL},
		{"threads at limit", CFG_AUTH_PLAIN, true, AUTH_POOL_MAX_THREADS, 0},
		{"threads past limit", CFG_AUTH_PLAIN, true, AUTH_POOL_MAX_THREADS + 1, -EINVAL},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct new_case *tc = &cases[i];
		struct config cfg = {.auth = tc->method,
				     .auth_passwd = tc->passwd ? fx->path : nullptr};
		struct auth_pool *p = (struct auth_pool *)&cfg; /* must be overwritten */
		int ret = auth_pool_new(&cfg, tc->threads, &p);

		if (ret != tc->ret)
			fail_msg("case '%s': ret %d, want %d", tc->name, ret, tc->ret);
		if (ret)
			assert_null(p);
		else
			assert_non_null(p);
		auth_pool_free(p);
	}
	auth_pool_free(nullptr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool_verdicts),
		cmocka_unit_test(test_pool_missing_file),
		cmocka_unit_test(test_pool_free_with_pending),
		cmocka_unit_test(test_pool_new_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
