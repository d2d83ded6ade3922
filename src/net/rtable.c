// SPDX-License-Identifier: GPL-2.0-or-later
/* net/rtable.c — tunnel addresses that slot arithmetic cannot find (fixed and per-user pool
 * leases, iroutes): prefix → slot, longest match. Writers (connect/disconnect) take a mutex;
 * the downlink reads lock-free under a sequence counter and only when the pool lookup missed. */
#include "net/net.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum { RT_READ_TRIES = 8, RT_KEY_V4 = 96 /* IPv4 lives in ::ffff:0:0/96 */ };

struct rt_entry {
	/* Written under the lock between two odd/even steps of seq; read relaxed. */
	_Atomic uint64_t hi, lo; /* the prefix, host bits clear */
	_Atomic uint32_t len;	 /* 0..128 in the mapped key space */
	_Atomic uint32_t slot;
};

struct rtable {
	pthread_mutex_t lock;
	_Atomic uint32_t seq; /* odd while a writer is changing entries */
	_Atomic uint32_t n;   /* entries in use, sorted by len, longest first */
	uint32_t max;	      /* immutable */
	struct rt_entry *e;   /* max entries, never reallocated */
};

struct rt_key {
	uint64_t hi, lo;
	unsigned len;
};

static uint64_t load_be64(const uint8_t *b)
{
	uint64_t v = 0;

	for (size_t i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

static void mask_key(struct rt_key *k)
{
	if (k->len <= 64) {
		k->hi &= k->len == 0 ? 0 : ~UINT64_C(0) << (64 - k->len);
		k->lo = 0;
	} else {
		k->lo &= ~UINT64_C(0) << (128 - k->len);
	}
}

/* An address (len 32/128 for a host) in the common key space; -EINVAL for a bad family or
 * length, and for IPv6 prefixes inside ::ffff:0:0/96 (they would alias IPv4 ones). */
static int key_make(int family, const void *addr, unsigned len, struct rt_key *k)
{
	const uint8_t *b = addr;

	if (family == AF_INET) {
		if (len > 32)
			return -EINVAL;
		k->hi = 0;
		k->lo = UINT64_C(0xffff) << 32 |
			((uint64_t)b[0] << 24 | (uint64_t)b[1] << 16 | (uint64_t)b[2] << 8 | b[3]);
		k->len = len + RT_KEY_V4;
	} else if (family == AF_INET6) {
		if (len > 128)
			return -EINVAL;
		k->hi = load_be64(b);
		k->lo = load_be64(b + 8);
		k->len = len;
		if (k->hi == 0 && k->lo >> 32 == 0xffff && len >= RT_KEY_V4)
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	mask_key(k);
	return 0;
}

/* Does prefix p (hi, lo, len) contain the key k (whose length is at least len)? */
static bool key_in(uint64_t hi, uint64_t lo, unsigned len, const struct rt_key *k)
{
	struct rt_key m = *k;

	m.len = len;
	mask_key(&m);
	return m.hi == hi && m.lo == lo;
}

int rtable_new(uint32_t max, struct rtable **out)
{
	struct rtable *t;

	*out = nullptr;
	if (max == 0)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->e = calloc(max, sizeof(*t->e));
	if (!t->e) {
		free(t);
		return -ENOMEM;
	}
	t->max = max;
	pthread_mutex_init(&t->lock, nullptr);
	*out = t;
	return 0;
}

void rtable_free(struct rtable *t)
{
	if (!t)
		return;
	pthread_mutex_destroy(&t->lock);
	free(t->e);
	free(t);
}

static void entry_copy_locked(struct rtable *t, uint32_t to, uint32_t from)
{
	struct rt_entry *d = &t->e[to], *s = &t->e[from];

	atomic_store_explicit(&d->hi, atomic_load_explicit(&s->hi, memory_order_relaxed),
			      memory_order_relaxed);
	atomic_store_explicit(&d->lo, atomic_load_explicit(&s->lo, memory_order_relaxed),
			      memory_order_relaxed);
	atomic_store_explicit(&d->len, atomic_load_explicit(&s->len, memory_order_relaxed),
			      memory_order_relaxed);
	atomic_store_explicit(&d->slot, atomic_load_explicit(&s->slot, memory_order_relaxed),
			      memory_order_relaxed);
}

static void write_begin_locked(struct rtable *t)
{
	uint32_t s = atomic_load_explicit(&t->seq, memory_order_relaxed);

	atomic_store_explicit(&t->seq, s + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
}

static void write_end_locked(struct rtable *t)
{
	uint32_t s = atomic_load_explicit(&t->seq, memory_order_relaxed);

	atomic_store_explicit(&t->seq, s + 1, memory_order_release);
}

/* Index of the entry equal to k, or -1. */
static int find_locked(const struct rtable *t, const struct rt_key *k)
{
	uint32_t n = atomic_load_explicit(&t->n, memory_order_relaxed);

	for (uint32_t i = 0; i < n; i++) {
		const struct rt_entry *e = &t->e[i];

		if (atomic_load_explicit(&e->len, memory_order_relaxed) == k->len &&
		    atomic_load_explicit(&e->hi, memory_order_relaxed) == k->hi &&
		    atomic_load_explicit(&e->lo, memory_order_relaxed) == k->lo)
			return (int)i;
	}
	return -1;
}

int rtable_add(struct rtable *t, int family, const void *addr, unsigned len, uint32_t slot)
{
	struct rt_key k;
	uint32_t n, at;
	int ret, i;

	if (slot == 0 || (ret = key_make(family, addr, len, &k)) < 0)
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	i = find_locked(t, &k);
	if (i >= 0) {
		ret = atomic_load_explicit(&t->e[i].slot, memory_order_relaxed) == slot ? 0
											: -EEXIST;
		goto out;
	}
	n = atomic_load_explicit(&t->n, memory_order_relaxed);
	if (n == t->max) {
		ret = -ENOSPC;
		goto out;
	}
	/* Longest first: the first match of a lookup is the longest one. */
	for (at = 0; at < n && atomic_load_explicit(&t->e[at].len, memory_order_relaxed) >= k.len;
	     at++)
		;
	write_begin_locked(t);
	for (uint32_t j = n; j > at; j--)
		entry_copy_locked(t, j, j - 1);
	atomic_store_explicit(&t->e[at].hi, k.hi, memory_order_relaxed);
	atomic_store_explicit(&t->e[at].lo, k.lo, memory_order_relaxed);
	atomic_store_explicit(&t->e[at].len, k.len, memory_order_relaxed);
	atomic_store_explicit(&t->e[at].slot, slot, memory_order_relaxed);
	atomic_store_explicit(&t->n, n + 1, memory_order_relaxed);
	write_end_locked(t);
	ret = 0;
out:
	pthread_mutex_unlock(&t->lock);
	return ret;
}

int rtable_del(struct rtable *t, int family, const void *addr, unsigned len, uint32_t slot)
{
	struct rt_key k;
	uint32_t n;
	int i, ret = -ENOENT;

	if (key_make(family, addr, len, &k) < 0)
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	i = find_locked(t, &k);
	if (i < 0 || atomic_load_explicit(&t->e[i].slot, memory_order_relaxed) != slot)
		goto out;
	n = atomic_load_explicit(&t->n, memory_order_relaxed);
	write_begin_locked(t);
	for (uint32_t j = (uint32_t)i; j + 1 < n; j++)
		entry_copy_locked(t, j, j + 1);
	atomic_store_explicit(&t->n, n - 1, memory_order_relaxed);
	write_end_locked(t);
	ret = 0;
out:
	pthread_mutex_unlock(&t->lock);
	return ret;
}

static uint32_t scan(const struct rtable *t, const struct rt_key *k, uint32_t n)
{
	for (uint32_t i = 0; i < n && i < t->max; i++) {
		const struct rt_entry *e = &t->e[i];
		unsigned len = atomic_load_explicit(&e->len, memory_order_relaxed);

		if (len <= k->len &&
		    key_in(atomic_load_explicit(&e->hi, memory_order_relaxed),
			   atomic_load_explicit(&e->lo, memory_order_relaxed), len, k))
			return atomic_load_explicit(&e->slot, memory_order_relaxed);
	}
	return 0;
}

uint32_t rtable_lookup(struct rtable *t, int family, const void *addr)
{
	struct rt_key k;
	uint32_t slot;

	if (atomic_load_explicit(&t->n, memory_order_relaxed) == 0)
		return 0; /* the common case: nothing but pool leases */
	if (key_make(family, addr, family == AF_INET ? 32 : 128, &k) < 0)
		return 0;
	for (int i = 0; i < RT_READ_TRIES; i++) {
		uint32_t s1 = atomic_load_explicit(&t->seq, memory_order_acquire);

		if (s1 & 1)
			continue;
		slot = scan(t, &k, atomic_load_explicit(&t->n, memory_order_relaxed));
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&t->seq, memory_order_relaxed) == s1)
			return slot;
	}
	/* Writers kept changing it: read under their lock (bounded, rare). */
	pthread_mutex_lock(&t->lock);
	slot = scan(t, &k, atomic_load_explicit(&t->n, memory_order_relaxed));
	pthread_mutex_unlock(&t->lock);
	return slot;
}

uint32_t rtable_overlap(struct rtable *t, int family, const void *addr, unsigned len)
{
	struct rt_key k;
	uint32_t slot = 0, n;

	if (key_make(family, addr, len, &k) < 0)
		return 0;
	pthread_mutex_lock(&t->lock);
	n = atomic_load_explicit(&t->n, memory_order_relaxed);
	for (uint32_t i = 0; i < n && !slot; i++) {
		const struct rt_entry *e = &t->e[i];
		struct rt_key ek = {atomic_load_explicit(&e->hi, memory_order_relaxed),
				    atomic_load_explicit(&e->lo, memory_order_relaxed),
				    atomic_load_explicit(&e->len, memory_order_relaxed)};
		bool hit = ek.len <= k.len ? key_in(ek.hi, ek.lo, ek.len, &k)
					   : key_in(k.hi, k.lo, k.len, &ek);

		if (hit)
			slot = atomic_load_explicit(&e->slot, memory_order_relaxed);
	}
	pthread_mutex_unlock(&t->lock);
	return slot;
}

size_t rtable_count(struct rtable *t)
{
	return atomic_load_explicit(&t->n, memory_order_relaxed);
}
