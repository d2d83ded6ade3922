// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for core/loop.c: timer ordering, cancel, fd events, cross-thread post. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/clock.h"
#include "core/loop.h"

struct ctx {
	struct loop *l;
	struct timer t[5];
	int order[5];
	int fired;
	struct loop_watch w;
	int pipe_fds[2];
	struct loop_call call;
	bool posted;
};

static struct ctx *g; /* test-only: callbacks find their context */

static void on_timer(struct timer *t)
{
	g->order[g->fired++] = (int)(t - g->t);
	if (g->fired == 4)
		loop_stop(g->l);
}

static void test_timers_in_order(void **state)
{
	struct ctx c = {};
	uint64_t now = clock_now_ns();
	const int delays_ms[5] = {30, 10, 20, 5, 15};

	(void)state;
	g = &c;
	assert_int_equal(loop_new(&c.l), 0);
	for (int i = 0; i < 5; i++) {
		timer_init(&c.t[i], on_timer);
		loop_timer_arm(c.l, &c.t[i], now + (uint64_t)delays_ms[i] * NS_PER_MS);
	}
	loop_timer_cancel(c.l, &c.t[4]); /* 15 ms one never fires */
	assert_false(timer_is_armed(&c.t[4]));
	assert_int_equal(loop_run(c.l), 0);
	assert_int_equal(c.fired, 4);
	assert_int_equal(c.order[0], 3);
	assert_int_equal(c.order[1], 1);
	assert_int_equal(c.order[2], 2);
	assert_int_equal(c.order[3], 0);
	loop_free(c.l);
}

static void on_readable(struct loop_watch *w, uint32_t events)
{
	char ch;

	assert_true(events & EPOLLIN);
	assert_int_equal(read(w->fd, &ch, 1), 1);
	assert_int_equal(ch, 'x');
	loop_stop(g->l);
}

static void on_posted(struct loop_call *call)
{
	(void)call;
	g->posted = true;
	assert_int_equal(write(g->pipe_fds[1], "x", 1), 1);
}

static void *poster(void *arg)
{
	struct ctx *c = arg;

	loop_post(c->l, &c->call, on_posted);
	return nullptr;
}

static void test_post_and_fd(void **state)
{
	struct ctx c = {};
	pthread_t th;

	(void)state;
	g = &c;
	assert_int_equal(loop_new(&c.l), 0);
	assert_int_equal(pipe(c.pipe_fds), 0);
	assert_int_equal(loop_watch_add(c.l, &c.w, c.pipe_fds[0], EPOLLIN, on_readable), 0);
	assert_int_equal(pthread_create(&th, nullptr, poster, &c), 0);
	assert_int_equal(loop_run(c.l), 0);
	pthread_join(th, nullptr);
	assert_true(c.posted);
	loop_watch_del(c.l, &c.w);
	close(c.pipe_fds[0]);
	close(c.pipe_fds[1]);
	loop_free(c.l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timers_in_order),
		cmocka_unit_test(test_post_and_fd),
	};
	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
