// SPDX-License-Identifier: GPL-2.0-or-later
/* core/loop.c — epoll loop, binary min-heap of timers, deferred queue, eventfd mailbox. */
#include "core/loop.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"

enum { LOOP_MAX_EVENTS = 64, LOOP_HEAP_INIT = 64 };

struct loop {
	int epfd;
	struct loop_watch wake;
	_Atomic bool stopping;
	uint64_t now_ns;

	struct timer **heap;
	size_t heap_len, heap_cap;

	struct list_node deferred;

	pthread_mutex_t mbox_lock; /* guards mbox only: touched when posting, not per packet */
	struct list_node mbox;
};

static void heap_set(struct loop *l, size_t i, struct timer *t)
{
	l->heap[i] = t;
	t->heap_idx = i + 1;
}

static void heap_up(struct loop *l, size_t i)
{
	struct timer *t = l->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (l->heap[parent]->expires_ns <= t->expires_ns)
			break;
		heap_set(l, i, l->heap[parent]);
		i = parent;
	}
	heap_set(l, i, t);
}

static void heap_down(struct loop *l, size_t i)
{
	struct timer *t = l->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= l->heap_len)
			break;
		if (c + 1 < l->heap_len && l->heap[c + 1]->expires_ns < l->heap[c]->expires_ns)
			c++;
		if (t->expires_ns <= l->heap[c]->expires_ns)
			break;
		heap_set(l, i, l->heap[c]);
		i = c;
	}
	heap_set(l, i, t);
}

void loop_timer_cancel(struct loop *l, struct timer *t)
{
	size_t i;

	if (!t->heap_idx)
		return;
	i = t->heap_idx - 1;
	t->heap_idx = 0;
	l->heap_len--;
	if (i == l->heap_len)
		return;
	l->heap[i] = l->heap[l->heap_len];
	l->heap[i]->heap_idx = i + 1;
	heap_up(l, i);
	heap_down(l, l->heap[i]->heap_idx - 1);
}

void loop_timer_arm(struct loop *l, struct timer *t, uint64_t expires_ns)
{
	loop_timer_cancel(l, t);
	if (l->heap_len == l->heap_cap) {
		size_t cap = l->heap_cap ? l->heap_cap * 2 : LOOP_HEAP_INIT;
		struct timer **h = realloc(l->heap, cap * sizeof(*h));
		/* Timers are armed for sessions that already exist: failing here would leave a
		 * session without its deadlines, which is worse than stopping. */
		BUG_ON(!h);
		l->heap = h;
		l->heap_cap = cap;
	}
	t->expires_ns = expires_ns;
	heap_set(l, l->heap_len++, t);
	heap_up(l, l->heap_len - 1);
}

static void on_wake(struct loop_watch *w, uint32_t events)
{
	struct loop *l = container_of(w, struct loop, wake);
	struct list_node batch, *pos, *tmp;
	uint64_t v;

	(void)events;
	if (read(l->wake.fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_msg(LOG_WARNING, "loop: eventfd read: %m");
	list_init(&batch);
	pthread_mutex_lock(&l->mbox_lock);
	if (!list_is_empty(&l->mbox)) {
		batch.next = l->mbox.next;
		batch.prev = l->mbox.prev;
		batch.next->prev = &batch;
		batch.prev->next = &batch;
		list_init(&l->mbox);
	}
	pthread_mutex_unlock(&l->mbox_lock);
	list_for_each_safe (pos, tmp, &batch) {
		struct loop_call *c = list_entry(pos, struct loop_call, node);
		list_del(pos);
		c->fn(c);
	}
}

int loop_new(struct loop **out)
{
	struct loop *l;
	int ret;

	*out = nullptr;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	list_init(&l->deferred);
	list_init(&l->mbox);
	pthread_mutex_init(&l->mbox_lock, nullptr);
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		ret = -errno;
		goto err_free;
	}
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (efd < 0) {
		ret = -errno;
		goto err_ep;
	}
	ret = loop_watch_add(l, &l->wake, efd, EPOLLIN, on_wake);
	if (ret) {
		close(efd);
		goto err_ep;
	}
	l->now_ns = clock_now_ns();
	*out = l;
	return 0;
err_ep:
	close(l->epfd);
err_free:
	pthread_mutex_destroy(&l->mbox_lock);
	free(l);
	return ret;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	close(l->wake.fd);
	close(l->epfd);
	pthread_mutex_destroy(&l->mbox_lock);
	free(l->heap);
	free(l);
}

int loop_watch_add(struct loop *l, struct loop_watch *w, int fd, uint32_t events, loop_event_fn *fn)
{
	struct epoll_event ev = {.events = events, .data.ptr = w};

	w->fd = fd;
	w->events = events;
	w->on_event = fn;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	return 0;
}

int loop_watch_mod(struct loop *l, struct loop_watch *w, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = w};

	if (w->events == events)
		return 0;
	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, w->fd, &ev) < 0)
		return -errno;
	w->events = events;
	return 0;
}

void loop_watch_del(struct loop *l, struct loop_watch *w)
{
	if (w->fd >= 0)
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, w->fd, nullptr);
	w->on_event = nullptr;
}

void loop_defer(struct loop *l, struct loop_call *c, loop_call_fn *fn)
{
	c->fn = fn;
	list_add_tail(&l->deferred, &c->node);
}

void loop_post(struct loop *l, struct loop_call *c, loop_call_fn *fn)
{
	uint64_t one = 1;

	c->fn = fn;
	pthread_mutex_lock(&l->mbox_lock);
	list_add_tail(&l->mbox, &c->node);
	pthread_mutex_unlock(&l->mbox_lock);
	if (write(l->wake.fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_msg(LOG_WARNING, "loop: eventfd write: %m");
}

void loop_stop(struct loop *l)
{
	uint64_t one = 1;

	l->stopping = true;
	if (write(l->wake.fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_msg(LOG_WARNING, "loop: eventfd write: %m");
}

uint64_t loop_now_ns(const struct loop *l)
{
	return l->now_ns;
}

static void run_deferred(struct loop *l)
{
	/* A deferred call may defer another: bounded by what is queued at entry. */
	struct list_node batch, *pos, *tmp;

	if (list_is_empty(&l->deferred))
		return;
	batch.next = l->deferred.next;
	batch.prev = l->deferred.prev;
	batch.next->prev = &batch;
	batch.prev->next = &batch;
	list_init(&l->deferred);
	list_for_each_safe (pos, tmp, &batch) {
		struct loop_call *c = list_entry(pos, struct loop_call, node);
		list_del(pos);
		c->fn(c);
	}
}

static void run_timers(struct loop *l)
{
	/* Timers that re-arm for "now" run on the next round, not in this loop. */
	size_t budget = l->heap_len;

	while (budget-- && l->heap_len && l->heap[0]->expires_ns <= l->now_ns) {
		struct timer *t = l->heap[0];
		loop_timer_cancel(l, t);
		t->fn(t);
	}
}

static int next_timeout_ms(struct loop *l)
{
	uint64_t delta;

	if (!list_is_empty(&l->deferred))
		return 0;
	if (!l->heap_len)
		return -1;
	if (l->heap[0]->expires_ns <= l->now_ns)
		return 0;
	delta = l->heap[0]->expires_ns - l->now_ns;
	return delta / NS_PER_MS > 60000 ? 60000 : (int)(delta / NS_PER_MS) + 1;
}

int loop_run(struct loop *l)
{
	struct epoll_event evs[LOOP_MAX_EVENTS];

	while (!l->stopping) {
		int n = epoll_wait(l->epfd, evs, LOOP_MAX_EVENTS, next_timeout_ms(l));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		l->now_ns = clock_now_ns();
		for (int i = 0; i < n; i++) {
			struct loop_watch *w = evs[i].data.ptr;
			if (w->on_event)
				w->on_event(w, evs[i].events);
		}
		run_deferred(l);
		run_timers(l);
		run_deferred(l);
	}
	return 0;
}

void loop_run_pending(struct loop *l)
{
	/* Bounded: each round either runs something or stops. */
	for (int round = 0; round < 16; round++) {
		bool had_mail;
		pthread_mutex_lock(&l->mbox_lock);
		had_mail = !list_is_empty(&l->mbox);
		pthread_mutex_unlock(&l->mbox_lock);
		if (!had_mail && list_is_empty(&l->deferred))
			return;
		on_wake(&l->wake, 0);
		run_deferred(l);
	}
}
