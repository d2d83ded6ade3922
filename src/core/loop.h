// SPDX-License-Identifier: GPL-2.0-or-later
/* core/loop.h — one epoll event loop per thread, with timers, deferred calls and a
 * cross-thread mailbox. Everything here is called from the loop's own thread, except
 * loop_post() and loop_stop(), which any thread may call. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>

#include "core/list.h"

struct loop;

struct loop_watch;
typedef void loop_event_fn(struct loop_watch *w, uint32_t events);

/* Caller-owned; embed it in the object that owns the fd. */
struct loop_watch {
	int fd;
	uint32_t events;
	loop_event_fn *on_event;
};

struct timer;
typedef void timer_fn(struct timer *t);

/* Caller-owned; embed it. A timer is armed at most once at a time. */
struct timer {
	uint64_t expires_ns; /* CLOCK_MONOTONIC */
	size_t heap_idx;     /* 0 = not armed, else index + 1 */
	timer_fn *fn;
};

struct loop_call;
typedef void loop_call_fn(struct loop_call *c);

/* A call queued with loop_post() or loop_defer(); caller-owned until it runs. */
struct loop_call {
	struct list_node node;
	loop_call_fn *fn;
};

[[nodiscard]] int loop_new(struct loop **out);
void loop_free(struct loop *l);

[[nodiscard]] int loop_watch_add(struct loop *l, struct loop_watch *w, int fd, uint32_t events,
				 loop_event_fn *fn);
[[nodiscard]] int loop_watch_mod(struct loop *l, struct loop_watch *w, uint32_t events);
void loop_watch_del(struct loop *l, struct loop_watch *w);

static inline void timer_init(struct timer *t, timer_fn *fn)
{
	*t = (struct timer){.fn = fn};
}
static inline bool timer_is_armed(const struct timer *t)
{
	return t->heap_idx != 0;
}
void loop_timer_arm(struct loop *l, struct timer *t, uint64_t expires_ns);
void loop_timer_cancel(struct loop *l, struct timer *t);

/* Run c->fn after the current batch of events, on this loop's thread. */
void loop_defer(struct loop *l, struct loop_call *c, loop_call_fn *fn);

/* Thread-safe: queue c to run on l's thread. */
void loop_post(struct loop *l, struct loop_call *c, loop_call_fn *fn);

/* Run until loop_stop(); returns 0 or -errno from epoll. */
[[nodiscard]] int loop_run(struct loop *l);
void loop_stop(struct loop *l);
/* After loop_run returned: run what is still queued (posted calls, deferred calls) without
 * waiting, so objects they own are released. */
void loop_run_pending(struct loop *l);
uint64_t loop_now_ns(const struct loop *l);
