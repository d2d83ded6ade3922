// SPDX-License-Identifier: GPL-2.0-or-later
/* sentry/banlist.c — the truth about bans: a fixed pool of tracked sources (hash + LRU, so a
 * flood of addresses cannot grow memory), source and prefix bans with expiry, and the hook
 * that mirrors ban changes (eBPF). Scores and decisions are sentry.c's. */
#include "sentry/sentry_internal.h"

#include <errno.h>
#include <stdckdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/hash.h"
#include "core/log.h"

uint64_t sentry__deadline(uint64_t now_ns, uint64_t seconds)
{
	uint64_t ns, t;

	if (ckd_mul(&ns, seconds, (uint64_t)NS_PER_SEC) || ckd_add(&t, now_ns, ns))
		return UINT64_MAX;
	return t;
}

unsigned sentry__key_len(const struct sentry *s, uint8_t family)
{
	return family == AF_INET ? 32 : s->opts.ipv6_prefix_len;
}

struct sentry_addr sentry__key(const struct sentry *s, const struct sentry_addr *a)
{
	return sentry_addr_masked(a, sentry__key_len(s, a->family));
}

/* Keyed with a random seed, so remote peers cannot aim their addresses at one bucket. */
static size_t key_hash(const struct sentry *s, const struct sentry_addr *k)
{
	return (size_t)hash_addr16(s->seed, (uint64_t)k->family << 8 | k->prefix_len, k->bytes) &
	       (s->n_buckets - 1);
}

static bool key_eq(const struct sentry_addr *a, const struct sentry_addr *b)
{
	return a->family == b->family && a->prefix_len == b->prefix_len &&
	       memcmp(a->bytes, b->bytes, sizeof(a->bytes)) == 0;
}

int sentry__table_init(struct sentry *s)
{
	size_t n = s->opts.max_sources;

	s->n_buckets = 1;
	while (s->n_buckets < n)
		s->n_buckets <<= 1;
	s->src = calloc(n, sizeof(*s->src));
	s->buckets = malloc(s->n_buckets * sizeof(*s->buckets));
	if (!s->src || !s->buckets)
		return -ENOMEM;
	for (size_t i = 0; i < s->n_buckets; i++)
		s->buckets[i] = SENTRY_SRC_NONE;
	list_init(&s->lru);
	list_init(&s->banned);
	list_init(&s->free_list);
	for (size_t i = 0; i < n; i++)
		list_add_tail(&s->free_list, &s->src[i].node);
	s->seed = hash_seed();
	return 0;
}

void sentry__table_fini(struct sentry *s)
{
	free(s->src);
	free(s->buckets);
}

struct sentry_source *sentry__src_find_locked(struct sentry *s, const struct sentry_addr *key)
{
	for (uint32_t i = s->buckets[key_hash(s, key)]; i != SENTRY_SRC_NONE; i = s->src[i].hnext) {
		if (key_eq(&s->src[i].key, key))
			return &s->src[i];
	}
	return nullptr;
}

static void src_release_locked(struct sentry *s, struct sentry_source *src)
{
	uint32_t idx = (uint32_t)(src - s->src);
	uint32_t *link = &s->buckets[key_hash(s, &src->key)];

	while (*link != idx) {
		BUG_ON(*link == SENTRY_SRC_NONE); /* a used source is always in its chain */
		link = &s->src[*link].hnext;
	}
	*link = src->hnext;
	list_del(&src->node);
	*src = (struct sentry_source){};
	list_add_tail(&s->free_list, &src->node);
	s->n_used--;
}

struct sentry_source *sentry__src_get_locked(struct sentry *s, const struct sentry_addr *key,
					     uint64_t now_ns)
{
	struct sentry_source *src = sentry__src_find_locked(s, key);
	size_t b;

	if (src) {
		if (!src->banned) {
			list_del(&src->node);
			list_add_tail(&s->lru, &src->node);
		}
		src->last_ns = now_ns;
		return src;
	}
	if (list_is_empty(&s->free_list)) {
		if (list_is_empty(&s->lru)) {
			s->untracked++;
			return nullptr; /* every slot is a ban: keep them all */
		}
		src_release_locked(s, list_entry(s->lru.next, struct sentry_source, node));
		s->evicted++;
	}
	src = list_entry(s->free_list.next, struct sentry_source, node);
	list_del(&src->node);
	*src = (struct sentry_source){.key = *key, .in_use = true, .last_ns = now_ns};
	b = key_hash(s, key);
	src->hnext = s->buckets[b];
	s->buckets[b] = (uint32_t)(src - s->src);
	list_add_tail(&s->lru, &src->node);
	s->n_used++;
	return src;
}

void sentry__note(struct sentry_notes *notes, enum sentry_ban_change what,
		  const struct sentry_addr *addr, uint64_t expires_ns)
{
	/* callers make at most SENTRY_NOTES_MAX changes per call */
	BUG_ON(notes->n >= SENTRY_NOTES_MAX);
	notes->v[notes->n++] = (struct sentry_note){what, *addr, expires_ns};
}

void sentry__ban_locked(struct sentry *s, struct sentry_source *src, uint64_t expires_ns,
			bool manual, struct sentry_notes *notes)
{
	if (src->banned) {
		/* an automatic ban never shortens a longer one; a manual ban sets it as asked */
		if (!manual && (src->ban_expires_ns == 0 || src->ban_expires_ns >= expires_ns))
			return;
	} else {
		list_del(&src->node);
		list_add_tail(&s->banned, &src->node);
		s->n_banned++;
	}
	src->banned = true;
	src->manual = manual;
	src->ban_expires_ns = expires_ns;
	sentry__note(notes, SENTRY_BAN_ADDED, &src->key, expires_ns);
}

void sentry__unban_locked(struct sentry *s, struct sentry_source *src, enum sentry_ban_change why,
			  uint64_t now_ns, struct sentry_notes *notes)
{
	if (src->banned) {
		list_del(&src->node);
		list_add_tail(&s->lru, &src->node);
		s->n_banned--;
		sentry__note(notes, why, &src->key, src->ban_expires_ns);
	}
	/* a lifted ban starts a clean slate: the score that caused it is spent */
	src->banned = false;
	src->manual = false;
	src->ban_expires_ns = 0;
	src->score = 0;
	src->reset_at_ns = now_ns;
	src->rate_count = 0;
	src->auth_count = 0;
}

static bool expired(uint64_t expires_ns, uint64_t now_ns)
{
	return expires_ns != 0 && expires_ns <= now_ns;
}

static void pban_remove_locked(struct sentry *s, size_t i)
{
	s->pbans[i] = s->pbans[--s->n_pbans];
}

bool sentry__is_banned_locked(struct sentry *s, const struct sentry_addr *a,
			      const struct sentry_addr *key, uint64_t now_ns,
			      struct sentry_notes *notes)
{
	struct sentry_source *src = sentry__src_find_locked(s, key);
	bool banned = false;

	if (src && src->banned) {
		if (expired(src->ban_expires_ns, now_ns))
			sentry__unban_locked(s, src, SENTRY_BAN_EXPIRED, now_ns, notes);
		else
			banned = true;
	}
	for (size_t i = 0; i < s->n_pbans && !banned; i++) {
		struct sentry_pban *p = &s->pbans[i];

		if (!sentry_addr_contains(&p->prefix, a))
			continue;
		if (!expired(p->expires_ns, now_ns)) {
			banned = true;
		} else if (notes->n + 3 < SENTRY_NOTES_MAX) { /* room left for the caller's bans */
			sentry__note(notes, SENTRY_BAN_EXPIRED, &p->prefix, p->expires_ns);
			pban_remove_locked(s, i);
			i--;
		}
	}
	return banned;
}

int sentry__pban_set_locked(struct sentry *s, const struct sentry_addr *prefix, uint64_t expires_ns,
			    struct sentry_notes *notes)
{
	size_t i;

	for (i = 0; i < s->n_pbans; i++) {
		if (key_eq(&s->pbans[i].prefix, prefix))
			break;
	}
	if (i == s->n_pbans) {
		if (s->n_pbans == SENTRY_MAX_PREFIX_BANS)
			return -ENOSPC;
		s->n_pbans++;
	}
	s->pbans[i] = (struct sentry_pban){*prefix, expires_ns};
	sentry__note(notes, SENTRY_BAN_ADDED, prefix, expires_ns);
	return 0;
}

int sentry__pban_del_locked(struct sentry *s, const struct sentry_addr *prefix,
			    struct sentry_notes *notes)
{
	for (size_t i = 0; i < s->n_pbans; i++) {
		if (key_eq(&s->pbans[i].prefix, prefix)) {
			sentry__note(notes, SENTRY_BAN_REMOVED, prefix, s->pbans[i].expires_ns);
			pban_remove_locked(s, i);
			return 0;
		}
	}
	return -ENOENT;
}

void sentry__unlock_notify(struct sentry *s, const struct sentry_note *notes, size_t n)
{
	if (n == 0 || !s->hook) {
		pthread_mutex_unlock(&s->lock);
		return;
	}
	pthread_mutex_lock(&s->hook_lock);
	pthread_mutex_unlock(&s->lock);
	for (size_t i = 0; i < n; i++)
		s->hook(s->hook_ctx, notes[i].what, &notes[i].addr, notes[i].expires_ns);
	pthread_mutex_unlock(&s->hook_lock);
}

void sentry_expire(struct sentry *s, uint64_t now_ns)
{
	struct sentry_note *notes = nullptr;
	struct sentry_notes one = {};
	struct list_node *pos, *tmp;
	uint64_t keep_s = s->opts.ban_reset_time_s;
	size_t n = 0, cap;

	if (s->rules) {
		if (s->rules->conn_rate.window_s > keep_s)
			keep_s = s->rules->conn_rate.window_s;
		if (s->rules->failed_auth.window_s > keep_s)
			keep_s = s->rules->failed_auth.window_s;
	}
	pthread_mutex_lock(&s->lock);
	cap = s->n_banned + s->n_pbans;
	if (cap && s->hook) {
		notes = calloc(cap, sizeof(*notes));
		if (!notes)
			log_msg(LOG_WARNING, "sentry: out of memory: %zu ban expiries not mirrored",
				cap);
	}
	list_for_each_safe (pos, tmp, &s->banned) {
		struct sentry_source *src = list_entry(pos, struct sentry_source, node);

		if (!expired(src->ban_expires_ns, now_ns))
			continue;
		one.n = 0;
		sentry__unban_locked(s, src, SENTRY_BAN_EXPIRED, now_ns, &one);
		if (notes && n < cap)
			notes[n++] = one.v[0];
	}
	for (size_t i = 0; i < s->n_pbans; i++) {
		if (!expired(s->pbans[i].expires_ns, now_ns))
			continue;
		if (notes && n < cap)
			notes[n++] = (struct sentry_note){SENTRY_BAN_EXPIRED, s->pbans[i].prefix,
							  s->pbans[i].expires_ns};
		pban_remove_locked(s, i);
		i--;
	}
	/* oldest first: stop at the first source still inside its windows */
	list_for_each_safe (pos, tmp, &s->lru) {
		struct sentry_source *src = list_entry(pos, struct sentry_source, node);

		if (sentry__deadline(src->last_ns, keep_s) > now_ns)
			break;
		src_release_locked(s, src);
	}
	sentry__unlock_notify(s, notes, n);
	free(notes);
}

static uint64_t remaining_s(uint64_t expires_ns, uint64_t now_ns)
{
	if (expires_ns == 0 || expires_ns <= now_ns)
		return 0;
	return (expires_ns - now_ns + NS_PER_SEC - 1) / NS_PER_SEC;
}

static int list_grow(struct sentry_ban_info **v, size_t *cap, size_t need)
{
	struct sentry_ban_info *nv;

	if (need <= *cap)
		return 0;
	nv = reallocarray(*v, need, sizeof(**v));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = need;
	return 0;
}

static void info_of(const struct sentry_source *src, uint64_t now_ns, struct sentry_ban_info *o)
{
	*o = (struct sentry_ban_info){
		.addr = src->key,
		.score = now_ns >= src->reset_at_ns && !src->banned ? 0 : src->score,
		.banned = src->banned,
		.manual = src->manual,
		.expires_ns = src->banned ? src->ban_expires_ns : 0,
		.remaining_s = src->banned ? remaining_s(src->ban_expires_ns, now_ns) : 0,
	};
}

static int snapshot(struct sentry *s, uint64_t now_ns, bool points, struct sentry_ban_info **out,
		    size_t *n)
{
	struct sentry_ban_info *v = nullptr;
	struct list_node *pos, *tmp;
	size_t cap = 0, k = 0;
	int ret;

	*out = nullptr;
	*n = 0;
	pthread_mutex_lock(&s->lock);
	ret = list_grow(&v, &cap, points ? s->n_used : s->n_banned + s->n_pbans);
	if (ret)
		goto out;
	list_for_each_safe (pos, tmp, &s->banned) {
		struct sentry_source *src = list_entry(pos, struct sentry_source, node);

		if (expired(src->ban_expires_ns, now_ns) && !points)
			continue;
		info_of(src, now_ns, &v[k++]);
	}
	if (points) {
		list_for_each_safe (pos, tmp, &s->lru) {
			struct sentry_source *src = list_entry(pos, struct sentry_source, node);

			info_of(src, now_ns, &v[k]);
			if (v[k].score > 0)
				k++;
		}
	} else {
		for (size_t i = 0; i < s->n_pbans; i++) {
			const struct sentry_pban *p = &s->pbans[i];

			if (expired(p->expires_ns, now_ns))
				continue;
			v[k++] = (struct sentry_ban_info){
				.addr = p->prefix,
				.banned = true,
				.manual = true,
				.expires_ns = p->expires_ns,
				.remaining_s = remaining_s(p->expires_ns, now_ns),
			};
		}
	}
	if (k == 0) {
		free(v);
		v = nullptr;
	}
	*out = v;
	*n = k;
	v = nullptr;
out:
	pthread_mutex_unlock(&s->lock);
	free(v);
	return ret;
}

int sentry_bans_list(struct sentry *s, uint64_t now_ns, struct sentry_ban_info **out, size_t *n)
{
	return snapshot(s, now_ns, false, out, n);
}

int sentry_points_list(struct sentry *s, uint64_t now_ns, struct sentry_ban_info **out, size_t *n)
{
	return snapshot(s, now_ns, true, out, n);
}
