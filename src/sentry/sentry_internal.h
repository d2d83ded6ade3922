// SPDX-License-Identifier: GPL-2.0-or-later
/* sentry/sentry_internal.h — the engine's state, shared by sentry.c (events, scores,
 * decisions) and banlist.c (source table, bans, expiry, hook notes). Internal to sentry/. */
#pragma once

#include <pthread.h>

#include "core/list.h"
#include "sentry/sentry.h"

enum { SENTRY_SRC_NONE = UINT32_MAX, SENTRY_NOTES_MAX = 8 };

/* One tracked source: a host, or an IPv6 /64 when opts.ipv6_prefix_len is 64. All members
 * are guarded by sentry.lock. */
struct sentry_source {
	struct sentry_addr key;
	uint32_t hnext; /* next index in the bucket chain */
	bool in_use;
	bool banned;
	bool manual;
	unsigned score;
	uint64_t reset_at_ns;	 /* the score restarts from 0 at or after this */
	uint64_t last_ns;	 /* last event: LRU order */
	uint64_t ban_expires_ns; /* when banned; 0 = never */
	uint64_t rate_start_ns;	 /* max-connection-rate window */
	uint32_t rate_count;
	uint32_t auth_count; /* failed-auth-protection window */
	uint64_t auth_start_ns;
	uint64_t limit_tat_ns; /* new-connection limiter (GCRA): next conforming arrival */
	bool limit_over;       /* the last connection was over it (logs once per episode) */
	struct list_node node; /* on lru (not banned), banned, or free_list */
};

struct sentry_pban {
	struct sentry_addr prefix;
	uint64_t expires_ns; /* 0 = never */
};

/* A ban change, queued under the lock and handed to the hook after it. */
struct sentry_note {
	enum sentry_ban_change what;
	struct sentry_addr addr;
	uint64_t expires_ns;
};

struct sentry_notes {
	struct sentry_note v[SENTRY_NOTES_MAX];
	size_t n;
};

struct sentry {
	pthread_mutex_t lock;	   /* the table: everything below but the immutable parts */
	pthread_mutex_t hook_lock; /* taken before lock is dropped: hook calls stay ordered */

	/* immutable after sentry_new() / setup */
	struct sentry_opts opts;
	struct sentry_rules *rules; /* owned; nullptr = none */
	struct sentry_addr exempt[SENTRY_MAX_EXEMPT];
	size_t n_exempt;
	sentry_ban_hook_fn *hook;
	void *hook_ctx;
	uint64_t seed;
	uint32_t limit_rate_per_s, limit_burst; /* sentry_conn_limit_set; 0 = off */

	/* guarded by lock */
	struct sentry_source *src; /* pool of opts.max_sources */
	uint32_t *buckets;	   /* head index per bucket */
	size_t n_buckets;	   /* power of two */
	struct list_node lru;	   /* not banned, oldest first */
	struct list_node banned;
	struct list_node free_list;
	size_t n_used, n_banned;
	struct sentry_pban pbans[SENTRY_MAX_PREFIX_BANS];
	size_t n_pbans;
	uint64_t next_accept_ns;
	uint64_t rejected, rate_limited, evicted, untracked;
	uint64_t events[SENTRY_EV__COUNT];
};

/* banlist.c; every _locked function needs s->lock held. */
[[nodiscard]] int sentry__table_init(struct sentry *s);
void sentry__table_fini(struct sentry *s);
struct sentry_addr sentry__key(const struct sentry *s, const struct sentry_addr *a);
unsigned sentry__key_len(const struct sentry *s, uint8_t family);
struct sentry_source *sentry__src_find_locked(struct sentry *s, const struct sentry_addr *key);
/* Find or create (evicting the least recently used unbanned source); nullptr when every
 * slot holds a ban. Marks it used at now_ns. */
struct sentry_source *sentry__src_get_locked(struct sentry *s, const struct sentry_addr *key,
					     uint64_t now_ns);
void sentry__ban_locked(struct sentry *s, struct sentry_source *src, uint64_t expires_ns,
			bool manual, struct sentry_notes *notes);
void sentry__unban_locked(struct sentry *s, struct sentry_source *src, enum sentry_ban_change why,
			  uint64_t now_ns, struct sentry_notes *notes);
/* Is a (a host) or its key banned at now_ns? Expired bans found on the way are lifted. */
bool sentry__is_banned_locked(struct sentry *s, const struct sentry_addr *a,
			      const struct sentry_addr *key, uint64_t now_ns,
			      struct sentry_notes *notes);
[[nodiscard]] int sentry__pban_set_locked(struct sentry *s, const struct sentry_addr *prefix,
					  uint64_t expires_ns, struct sentry_notes *notes);
[[nodiscard]] int sentry__pban_del_locked(struct sentry *s, const struct sentry_addr *prefix,
					  struct sentry_notes *notes);
void sentry__note(struct sentry_notes *notes, enum sentry_ban_change what,
		  const struct sentry_addr *addr, uint64_t expires_ns);
/* Drop s->lock, then run the hook over notes[0..n) in order. */
void sentry__unlock_notify(struct sentry *s, const struct sentry_note *notes, size_t n);
/* now + seconds in ns, saturating at UINT64_MAX. */
uint64_t sentry__deadline(uint64_t now_ns, uint64_t seconds);
