// SPDX-License-Identifier: GPL-2.0-or-later
/* tunnel/session.c — the cookie → session registry: login creates, CONNECT attaches (taking
 * over from a previous connection), disconnect detaches, the sweep frees what has expired.
 * One mutex; never taken on the data path. */
#include "tunnel/session.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/compiler.h"
#include "core/log.h"

enum { SESSION_HASH_BUCKETS = 4096 };

struct session_registry {
	struct ippool *pool;
	pthread_mutex_t lock;
	struct session *buckets[SESSION_HASH_BUCKETS];
	struct session *dtls_buckets[SESSION_HASH_BUCKETS];
	struct list_node user_buckets[SESSION_HASH_BUCKETS]; /* by username: session.unode */
	size_t count;
	size_t places; /* sessions with has_place: what max-clients limits */
	uint64_t next_id;
	struct session_stats stats;
};

/* Cookies are uniformly random: their first bytes are a fine bucket index. */
static size_t bucket_of(const struct cookie *c)
{
	return ((size_t)c->raw[0] | (size_t)c->raw[1] << 8) % SESSION_HASH_BUCKETS;
}

int session_registry_new(struct ippool *pool, struct session_registry **out)
{
	struct session_registry *r;

	*out = nullptr;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->pool = pool;
	r->next_id = 1;
	for (size_t i = 0; i < SESSION_HASH_BUCKETS; i++)
		list_init(&r->user_buckets[i]);
	pthread_mutex_init(&r->lock, nullptr);
	*out = r;
	return 0;
}

/* FNV-1a: usernames are not chosen to collide (they must log in first). */
static size_t user_bucket_of(const char *username)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)username; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h % SESSION_HASH_BUCKETS;
}

static size_t dtls_bucket_of(const uint8_t id[32])
{
	return ((size_t)id[0] | (size_t)id[1] << 8) % SESSION_HASH_BUCKETS;
}

/* Caller holds the lock. */
static void dtls_unlink(struct session_registry *r, struct session *s)
{
	if (!s->has_dtls_id)
		return;
	for (struct session **pp = &r->dtls_buckets[dtls_bucket_of(s->dtls_id)]; *pp;
	     pp = &(*pp)->dnext) {
		if (*pp == s) {
			*pp = s->dnext;
			break;
		}
	}
	s->has_dtls_id = false;
}

static void session_destroy(struct session_registry *r, struct session *s)
{
	ippool_lease_put(r->pool, &s->lease);
	config_put(s->cfg);
	explicit_bzero(&s->cookie, sizeof(s->cookie));
	free(s);
}

void session_registry_free(struct session_registry *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < SESSION_HASH_BUCKETS; i++) {
		struct session *s = r->buckets[i];
		while (s) {
			struct session *next = s->hnext;
			session_destroy(r, s);
			s = next;
		}
	}
	pthread_mutex_destroy(&r->lock);
	free(r);
}

/* Caller holds the lock. A session is usable while it is valid and not past its deadlines. */
static bool session_is_live(const struct session *s, uint64_t now_ns)
{
	if (s->invalid || session_is_expired(s, s->cfg, now_ns))
		return false;
	if (s->owner_worker >= 0)
		return true;
	return now_ns - s->detached_ns < (uint64_t)s->cfg->cookie_timeout_s * NS_PER_SEC;
}

/* Caller holds the lock. max-clients counts connected clients, as ocserv does: a session holds a
 * place while a connection carries its tunnel, and from login until its first CONNECT; not in the
 * reconnect window of a tunnel that went away, nor once it has ended. */
static bool session_wants_place(const struct session *s)
{
	return !s->invalid && (s->owner_worker >= 0 || !s->tunnel_seen);
}

/* Caller holds the lock; after every change of owner_worker, tunnel_seen or invalid. */
static void place_update(struct session_registry *r, struct session *s)
{
	bool want = session_wants_place(s);

	if (want == s->has_place)
		return;
	s->has_place = want;
	if (want)
		r->places++;
	else
		r->places--;
}

static struct session *find_locked(struct session_registry *r, const struct cookie *c)
{
	/* The walk compares every entry of the chain in constant time per entry. */
	struct session *found = nullptr;

	for (struct session *s = r->buckets[bucket_of(c)]; s; s = s->hnext)
		if (cookie_equal(&s->cookie, c))
			found = s;
	return found;
}

/* max-same-clients counts the user's sessions that hold a place (connected, or logged in and
 * not yet connected), as ocserv counts the user's client processes: a session waiting out its
 * reconnect window does not stop a new login. Caller holds the lock. */
static unsigned user_places_locked(struct session_registry *r, const char *username)
{
	struct list_node *head = &r->user_buckets[user_bucket_of(username)], *pos, *tmp;
	unsigned n = 0;

	list_for_each_safe (pos, tmp, head) {
		const struct session *s = list_entry(pos, struct session, unode);
		n += s->has_place && strcmp(s->username, username) == 0;
	}
	return n;
}

/* The lease as the session's merged per-user/per-group settings ask (main pool without them). */
static int lease_take(struct ippool *pool, const struct config *cfg, const char *username,
		      struct lease *out)
{
	const struct session_config *sc = cfg->derived_sc;
	struct lease_want w = {.v4 = cfg->have_ipv4, .v6 = cfg->have_ipv6};

	if (!sc)
		return ippool_lease_get_for(pool, username, &w, out);
	w.v4 = sc->have_ipv4;
	w.v6 = sc->have_ipv6;
	w.net4 = sc->have_ipv4 ? &sc->ipv4_network : nullptr;
	w.net6 = sc->have_ipv6 ? &sc->ipv6_network : nullptr;
	w.subnet6 = sc->ipv6_subnet_prefix;
	w.fixed4 = sc->have_explicit_ipv4 ? &sc->explicit_ipv4 : nullptr;
	w.fixed6 = sc->have_explicit_ipv6 ? &sc->explicit_ipv6 : nullptr;
	return ippool_lease_get_for(pool, username, &w, out);
}

enum session_create_result session_create(struct session_registry *r, const struct config *cfg,
					  const char *username, const char *group,
					  const char *client_ip,
					  char cookie_b64[COOKIE_B64_LEN + 1], struct session **out)
{
	enum session_create_result res = SESSION_FAILED;
	uint64_t now = clock_now_ns();
	struct session *s;
	int ret;

	if (out)
		*out = nullptr;
	s = calloc(1, sizeof(*s));
	if (!s)
		return SESSION_FAILED;
	if (cookie_mint(&s->cookie)) {
		free(s);
		return SESSION_FAILED;
	}
	snprintf(s->username, sizeof(s->username), "%s", username);
	snprintf(s->group, sizeof(s->group), "%s", group ? group : "");
	snprintf(s->auth_ip, sizeof(s->auth_ip), "%s", client_ip);
	s->created_ns = now;
	s->detached_ns = now;
	s->owner_worker = -1;
	s->created_wall = clock_wall_s();
	struct cookie tag; /* the sid is random on its own: nothing of the cookie shows */
	if (cookie_mint(&tag)) {
		explicit_bzero(&s->cookie, sizeof(s->cookie));
		free(s);
		return SESSION_FAILED;
	}
	for (size_t i = 0; i < 8; i++)
		snprintf(s->sid + 2 * i, 3, "%02x", tag.raw[i]);
	s->cfg = config_get(cfg);

	pthread_mutex_lock(&r->lock);
	if (cfg->max_clients && r->places >= cfg->max_clients) {
		res = SESSION_TOO_MANY_CLIENTS;
		goto out_unlock;
	}
	if (cfg->max_same_clients && user_places_locked(r, username) >= cfg->max_same_clients) {
		res = SESSION_TOO_MANY_SAME;
		goto out_unlock;
	}
	ret = lease_take(r->pool, cfg, username, &s->lease);
	if (ret) {
		res = ret == -ENOSPC	   ? SESSION_NO_ADDRESS
		      : ret == -EADDRINUSE ? SESSION_ADDRESS_IN_USE
		      : ret == -ENOMEM	   ? SESSION_FAILED
					   : SESSION_ADDRESS_REFUSED;
		log_msg(LOG_NOTICE, "session: no lease for %s: %s", username,
			ret == -EADDRINUSE	? "explicit address leased to another session"
			: ret == -EADDRNOTAVAIL ? "explicit address outside the pools it may use"
			: ret == -EINVAL	? "per-user pool or explicit-ipv6 prefix refused "
						  "(overlap, or prefix shorter than the subnet)"
			: ret == -EMLINK	? "too many per-user pools"
						: strerror(-ret));
		goto out_unlock;
	}
	s->id = r->next_id++;
	size_t b = bucket_of(&s->cookie);
	s->hnext = r->buckets[b];
	r->buckets[b] = s;
	list_add_tail(&r->user_buckets[user_bucket_of(s->username)], &s->unode);
	r->count++;
	place_update(r, s);
	cookie_encode(&s->cookie, cookie_b64);
	if (out)
		*out = s;
	s = nullptr;
	res = SESSION_CREATED;
out_unlock:
	pthread_mutex_unlock(&r->lock);
	if (s) {
		config_put(s->cfg);
		explicit_bzero(&s->cookie, sizeof(s->cookie));
		free(s);
	}
	return res;
}

enum session_attach_result session_attach(struct session_registry *r, const struct cookie *c,
					  const char *client_ip, int worker, struct session **out,
					  uint64_t *gen, int *prev_worker)
{
	enum session_attach_result res = SESSION_UNKNOWN;
	uint64_t now = clock_now_ns();
	struct session *s;

	*out = nullptr;
	*prev_worker = -1;
	pthread_mutex_lock(&r->lock);
	s = find_locked(r, c);
	if (!s || !session_is_live(s, now))
		goto out_unlock;
	if (s->cfg->deny_roaming && strcmp(s->auth_ip, client_ip) != 0) {
		res = SESSION_ROAMING;
		goto out_unlock;
	}
	if (!s->has_place && s->cfg->max_clients && r->places >= s->cfg->max_clients) {
		res = SESSION_FULL;
		goto out_unlock;
	}
	if (!s->has_place && s->cfg->max_same_clients &&
	    user_places_locked(r, s->username) >= s->cfg->max_same_clients) {
		res = SESSION_USER_FULL;
		goto out_unlock;
	}
	*prev_worker = s->owner_worker;
	s->owner_worker = worker;
	s->generation++;
	s->tunnel_seen = true;
	place_update(r, s);
	s->refs++;
	*gen = s->generation;
	*out = s;
	res = SESSION_ATTACHED;
out_unlock:
	pthread_mutex_unlock(&r->lock);
	return res;
}

void session_detach(struct session_registry *r, struct session *s, uint64_t gen, bool invalidate)
{
	pthread_mutex_lock(&r->lock);
	BUG_ON(s->refs == 0);
	s->refs--;
	if (s->generation == gen) {
		s->owner_worker = -1;
		s->detached_ns = clock_now_ns();
		if (invalidate)
			s->invalid = true;
		place_update(r, s);
	}
	pthread_mutex_unlock(&r->lock);
}

int session_dtls_id_new(struct session_registry *r, struct session *s, uint8_t id[32])
{
	struct cookie rnd;
	int ret = cookie_mint(&rnd); /* 32 bytes from the CSPRNG */

	if (ret)
		return ret;
	memcpy(id, rnd.raw, 32);
	pthread_mutex_lock(&r->lock);
	dtls_unlink(r, s);
	memcpy(s->dtls_id, id, 32);
	s->has_dtls_id = true;
	size_t b = dtls_bucket_of(id);
	s->dnext = r->dtls_buckets[b];
	r->dtls_buckets[b] = s;
	pthread_mutex_unlock(&r->lock);
	return 0;
}

bool session_dtls_lookup(struct session_registry *r, const uint8_t id[32], int *owner_worker,
			 uint32_t *slot)
{
	bool found = false;

	pthread_mutex_lock(&r->lock);
	for (struct session *s = r->dtls_buckets[dtls_bucket_of(id)]; s; s = s->dnext) {
		if (s->has_dtls_id && ct_memeq(s->dtls_id, id, 32) && s->owner_worker >= 0 &&
		    !s->invalid) {
			*owner_worker = s->owner_worker;
			*slot = s->lease.slot;
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&r->lock);
	return found;
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

void session_tunnel_info_set(struct session_registry *r, struct session *s,
			     const struct session_tunnel_info *ti)
{
	pthread_mutex_lock(&r->lock);
	snprintf(s->remote_ip, sizeof(s->remote_ip), "%s", or_empty(ti->remote_ip));
	snprintf(s->local_ip, sizeof(s->local_ip), "%s", or_empty(ti->local_ip));
	snprintf(s->user_agent, sizeof(s->user_agent), "%s", or_empty(ti->user_agent));
	snprintf(s->hostname, sizeof(s->hostname), "%s", or_empty(ti->hostname));
	snprintf(s->tls_cipher, sizeof(s->tls_cipher), "%s", or_empty(ti->tls_cipher));
	s->dtls_cipher[0] = '\0';
	s->mtu = ti->mtu;
	if (!s->connected_wall)
		s->connected_wall = clock_wall_s();
	pthread_mutex_unlock(&r->lock);
}

void session_dtls_cipher_set(struct session_registry *r, struct session *s, const char *cipher)
{
	pthread_mutex_lock(&r->lock);
	snprintf(s->dtls_cipher, sizeof(s->dtls_cipher), "%s", cipher ? cipher : "");
	pthread_mutex_unlock(&r->lock);
}

static void view_fill(const struct session *s, struct session_view *v)
{
	*v = (struct session_view){
		.cfg = config_get(s->cfg),
		.id = s->id,
		.attached = s->owner_worker >= 0,
		.invalid = s->invalid,
		.tunnel_seen = s->tunnel_seen,
		.owner_worker = s->owner_worker,
		.slot = s->lease.slot,
		.lease = s->lease,
		.created_wall = s->created_wall,
		.connected_wall = s->connected_wall,
		.mtu = s->mtu,
		.rx_bytes = atomic_load_explicit(&s->rx_bytes, memory_order_relaxed),
		.tx_bytes = atomic_load_explicit(&s->tx_bytes, memory_order_relaxed),
	};
	if (!v->attached)
		v->expires_ns = s->detached_ns + (uint64_t)s->cfg->cookie_timeout_s * NS_PER_SEC;
	memcpy(v->sid, s->sid, sizeof(v->sid));
	memcpy(v->username, s->username, sizeof(v->username));
	memcpy(v->group, s->group, sizeof(v->group));
	memcpy(v->remote_ip, s->remote_ip, sizeof(v->remote_ip));
	memcpy(v->local_ip, s->local_ip, sizeof(v->local_ip));
	memcpy(v->user_agent, s->user_agent, sizeof(v->user_agent));
	memcpy(v->hostname, s->hostname, sizeof(v->hostname));
	memcpy(v->tls_cipher, s->tls_cipher, sizeof(v->tls_cipher));
	memcpy(v->dtls_cipher, s->dtls_cipher, sizeof(v->dtls_cipher));
}

ssize_t session_registry_list(struct session_registry *r, struct session_view **out)
{
	struct session_view *arr;
	size_t n = 0;

	*out = nullptr;
	pthread_mutex_lock(&r->lock);
	arr = calloc(r->count ? r->count : 1, sizeof(*arr));
	if (!arr) {
		pthread_mutex_unlock(&r->lock);
		return -ENOMEM;
	}
	for (size_t i = 0; i < SESSION_HASH_BUCKETS; i++)
		for (struct session *s = r->buckets[i]; s; s = s->hnext)
			view_fill(s, &arr[n++]);
	pthread_mutex_unlock(&r->lock);
	*out = arr;
	return (ssize_t)n;
}

void session_views_free(struct session_view *views, size_t n)
{
	if (!views)
		return;
	for (size_t i = 0; i < n; i++)
		config_put(views[i].cfg);
	free(views);
}

static bool session_matches(const struct session *s, const struct session_match *m)
{
	if (m->username)
		return strcmp(s->username, m->username) == 0;
	if (m->id)
		return s->id == m->id;
	if (m->sid)
		return strncmp(s->sid, m->sid, sizeof(s->sid)) == 0 ||
		       (strlen(m->sid) >= 6 && strncmp(s->sid, m->sid, strlen(m->sid)) == 0);
	return false;
}

ssize_t session_registry_match(struct session_registry *r, const struct session_match *m,
			       bool terminate, struct session_kick **kicks, size_t *n_kicks)
{
	ssize_t matched = 0;

	*kicks = nullptr;
	*n_kicks = 0;
	pthread_mutex_lock(&r->lock);
	struct session_kick *k = calloc(r->count ? r->count : 1, sizeof(*k));
	if (!k) {
		pthread_mutex_unlock(&r->lock);
		return -ENOMEM;
	}
	for (size_t i = 0; i < SESSION_HASH_BUCKETS; i++) {
		for (struct session *s = r->buckets[i]; s; s = s->hnext) {
			if (s->invalid || !session_matches(s, m))
				continue;
			matched++;
			if (terminate) {
				s->invalid = true;
				place_update(r, s);
			}
			if (s->owner_worker >= 0)
				k[(*n_kicks)++] = (struct session_kick){s->owner_worker,
									s->lease.slot, s->id};
		}
	}
	pthread_mutex_unlock(&r->lock);
	*kicks = k;
	return matched;
}

size_t session_dtls_lookup_by_ip(struct session_registry *r, const char *client_ip,
				 struct session_dtls_candidate *out, size_t max)
{
	size_t found = 0;

	pthread_mutex_lock(&r->lock);
	for (size_t i = 0; i < SESSION_HASH_BUCKETS && found < max; i++) {
		for (struct session *s = r->buckets[i]; s && found < max; s = s->hnext) {
			if (!s->has_dtls_id || s->owner_worker < 0 || s->invalid ||
			    strcmp(s->remote_ip, client_ip) != 0)
				continue;
			out[found++] =
				(struct session_dtls_candidate){.owner_worker = s->owner_worker,
								.slot = s->lease.slot,
								.id = s->id};
		}
	}
	pthread_mutex_unlock(&r->lock);
	return found;
}

void session_invalidate(struct session_registry *r, struct session *s)
{
	pthread_mutex_lock(&r->lock);
	s->invalid = true;
	place_update(r, s);
	pthread_mutex_unlock(&r->lock);
}

bool session_logout(struct session_registry *r, const struct cookie *c)
{
	struct session *s;
	bool ended = false;

	pthread_mutex_lock(&r->lock);
	s = find_locked(r, c);
	if (s && !s->invalid) {
		s->invalid = true;
		place_update(r, s);
		ended = true;
	}
	pthread_mutex_unlock(&r->lock);
	return ended;
}

bool session_is_expired(const struct session *s, const struct config *cfg, uint64_t now_ns)
{
	return cfg->session_timeout_s &&
	       now_ns - s->created_ns >= (uint64_t)cfg->session_timeout_s * NS_PER_SEC;
}

size_t session_registry_sweep(struct session_registry *r, uint64_t now_ns)
{
	size_t freed = 0;

	pthread_mutex_lock(&r->lock);
	for (size_t i = 0; i < SESSION_HASH_BUCKETS; i++) {
		struct session **pp = &r->buckets[i];
		while (*pp) {
			struct session *s = *pp;
			/* An attached session is ended by its connection (which then detaches). */
			if (s->refs || s->owner_worker >= 0 || session_is_live(s, now_ns)) {
				pp = &s->hnext;
				continue;
			}
			*pp = s->hnext;
			dtls_unlink(r, s);
			list_del(&s->unode);
			r->count--;
			if (s->has_place)
				r->places--;
			uint64_t life_s = (now_ns - s->created_ns) / NS_PER_SEC;
			r->stats.ended++;
			r->stats.timed_out += session_is_expired(s, s->cfg, now_ns);
			r->stats.time_sum_s += life_s;
			r->stats.rx_bytes += atomic_load(&s->rx_bytes);
			r->stats.tx_bytes += atomic_load(&s->tx_bytes);
			if (life_s > r->stats.time_max_s)
				r->stats.time_max_s = life_s;
			log_msg(LOG_INFO, "session %llu (%s): freed, %s", (unsigned long long)s->id,
				s->username, s->invalid ? "ended" : "reconnect window closed");
			session_destroy(r, s);
			freed++;
		}
	}
	pthread_mutex_unlock(&r->lock);
	return freed;
}

void session_registry_stats(struct session_registry *r, struct session_stats *out)
{
	pthread_mutex_lock(&r->lock);
	*out = r->stats;
	pthread_mutex_unlock(&r->lock);
}

size_t session_registry_count(struct session_registry *r)
{
	size_t n;

	pthread_mutex_lock(&r->lock);
	n = r->count;
	pthread_mutex_unlock(&r->lock);
	return n;
}
