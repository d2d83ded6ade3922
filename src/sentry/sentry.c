// SPDX-License-Identifier: GPL-2.0-or-later
/* sentry/sentry.c — events in, decisions out: ocserv's ban scores (max-ban-score,
 * ban-reset-time, min-reauth-time, ban-points-*), the rule file's static routes and dynamic
 * rules, exemptions, manual bans and rate-limit-ms. The table itself is banlist.c's. */
#include "sentry/sentry_internal.h"

#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/compiler.h"
#include "core/log.h"

static const char *const event_names[SENTRY_EV__COUNT] = {
	[SENTRY_EV_CONNECT] = "connect",
	[SENTRY_EV_TLS_FAIL] = "tls-handshake-failed",
	[SENTRY_EV_HTTP_ERROR] = "http-error",
	[SENTRY_EV_AUTH_FAIL] = "auth-failed",
	[SENTRY_EV_AUTH_OK] = "auth-ok",
	[SENTRY_EV_UNKNOWN_COOKIE] = "unknown-cookie",
	[SENTRY_EV_DTLS_GARBAGE] = "dtls-garbage",
	[SENTRY_EV_RATE_EXCEEDED] = "connection-rate-exceeded",
	[SENTRY_EV_KKDCP] = "kkdcp",
};

const char *sentry_event_name(enum sentry_event ev)
{
	return ev < SENTRY_EV__COUNT ? event_names[ev] : "?";
}

void sentry_opts_from_config(struct sentry_opts *o, const struct config *cfg)
{
	unsigned conn = cfg->ban_points_connection;
	unsigned pass = cfg->ban_points_wrong_password;

	*o = (struct sentry_opts){
		.max_ban_score = cfg->max_ban_score,
		.ban_reset_time_s = cfg->ban_reset_time_s,
		.min_reauth_time_s = cfg->min_reauth_time_s,
		.rate_limit_ms = cfg->rate_limit_ms,
		.points =
			{
				[SENTRY_EV_CONNECT] = conn,
				[SENTRY_EV_TLS_FAIL] = conn,
				[SENTRY_EV_HTTP_ERROR] = conn,
				[SENTRY_EV_AUTH_FAIL] = pass,
				[SENTRY_EV_AUTH_OK] = 0,
				[SENTRY_EV_UNKNOWN_COOKIE] =
					pass, /* a guessed cookie is a guessed password */
				[SENTRY_EV_DTLS_GARBAGE] = 0, /* UDP sources are spoofable */
				[SENTRY_EV_RATE_EXCEEDED] = conn,
				[SENTRY_EV_KKDCP] = cfg->ban_points_kkdcp,
			},
		.max_sources = SENTRY_DEFAULT_MAX_SOURCES,
		.ipv6_prefix_len = 128,
	};
}

int sentry_new(const struct sentry_opts *o, struct sentry_rules *rules, struct sentry **out)
{
	static const char *const loopback[] = {"127.0.0.0/8", "::1/128"};
	struct sentry *s;
	int ret;

	*out = nullptr;
	if (o->ipv6_prefix_len != 0 && o->ipv6_prefix_len != 64 && o->ipv6_prefix_len != 128) {
		sentry_rules_free(rules);
		return -EINVAL;
	}
	if (o->max_sources > UINT32_MAX - 1) {
		sentry_rules_free(rules);
		return -EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		sentry_rules_free(rules);
		return -ENOMEM;
	}
	s->rules = rules;
	s->opts = *o;
	if (!s->opts.max_sources)
		s->opts.max_sources = SENTRY_DEFAULT_MAX_SOURCES;
	if (!s->opts.ipv6_prefix_len)
		s->opts.ipv6_prefix_len = 128;
	pthread_mutex_init(&s->lock, nullptr);
	pthread_mutex_init(&s->hook_lock, nullptr);
	ret = sentry__table_init(s);
	if (ret)
		goto out;
	for (size_t i = 0; i < ARRAY_SIZE(loopback); i++) {
		struct sentry_addr a;

		ret = sentry_addr_parse(loopback[i], &a);
		if (!ret)
			ret = sentry_exempt_add(s, &a);
		if (ret)
			goto out;
	}
	*out = s;
	s = nullptr;
out:
	sentry_free(s);
	return ret;
}

int sentry_new_from_config(const struct config *cfg, struct sentry **out, char err[SENTRY_ERR_LEN])
{
	struct sentry_rules *rules = nullptr;
	struct sentry_opts o;
	int ret;

	*out = nullptr;
	err[0] = '\0';
	if (cfg->enable_wolfsentry) {
		if (!cfg->wolfsentry_config) {
			snprintf(err, SENTRY_ERR_LEN,
				 "%s: enable-wolfsentry is set but wolfsentry-config is not",
				 cfg->path ? cfg->path : "config");
			return -EINVAL;
		}
		ret = sentry_rules_load(cfg->wolfsentry_config, &rules, err);
		if (ret)
			return ret;
	}
	sentry_opts_from_config(&o, cfg);
	ret = sentry_new(&o, rules, out); /* rules are its now, also on failure */
	if (ret)
		snprintf(err, SENTRY_ERR_LEN, "sentry: %s", strerror(-ret));
	return ret;
}

void sentry_free(struct sentry *s)
{
	if (!s)
		return;
	sentry__table_fini(s);
	sentry_rules_free(s->rules);
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->hook_lock);
	free(s);
}

int sentry_exempt_add(struct sentry *s, const struct sentry_addr *prefix)
{
	if (s->n_exempt == SENTRY_MAX_EXEMPT)
		return -ENOSPC;
	s->exempt[s->n_exempt++] = *prefix;
	return 0;
}

static unsigned mask_len(const uint8_t *m, size_t n)
{
	unsigned len = 0;

	for (size_t i = 0; i < n; i++)
		len += (unsigned)__builtin_popcount(m[i]);
	return len;
}

int sentry_exempt_add_local(struct sentry *s, const char *skip_ifname)
{
	struct ifaddrs *ifs, *it;
	int ret = 0;

	if (getifaddrs(&ifs) < 0)
		return -errno;
	for (it = ifs; it && !ret; it = it->ifa_next) {
		struct sentry_addr a;
		unsigned plen;

		if (!it->ifa_addr || !it->ifa_netmask ||
		    (skip_ifname && it->ifa_name && !strcmp(it->ifa_name, skip_ifname)))
			continue;
		if (it->ifa_addr->sa_family == AF_INET) {
			const struct sockaddr_in *m = (const void *)it->ifa_netmask;

			plen = mask_len((const uint8_t *)&m->sin_addr, 4);
			if (sentry_addr_from_sockaddr(it->ifa_addr, sizeof(struct sockaddr_in), &a))
				continue;
		} else if (it->ifa_addr->sa_family == AF_INET6) {
			const struct sockaddr_in6 *m = (const void *)it->ifa_netmask;

			plen = mask_len(m->sin6_addr.s6_addr, 16);
			if (sentry_addr_from_sockaddr(it->ifa_addr, sizeof(struct sockaddr_in6),
						      &a))
				continue;
		} else {
			continue;
		}
		a = sentry_addr_masked(&a, plen);
		if (!sentry_is_exempt(s, &a))
			ret = sentry_exempt_add(s, &a);
	}
	freeifaddrs(ifs);
	return ret;
}

bool sentry_is_exempt(const struct sentry *s, const struct sentry_addr *a)
{
	for (size_t i = 0; i < s->n_exempt; i++) {
		if (sentry_addr_contains(&s->exempt[i], a))
			return true;
	}
	return false;
}

void sentry_set_ban_hook(struct sentry *s, sentry_ban_hook_fn *fn, void *ctx)
{
	pthread_mutex_lock(&s->hook_lock);
	s->hook = fn;
	s->hook_ctx = ctx;
	pthread_mutex_unlock(&s->hook_lock);
}

void sentry_conn_limit_set(struct sentry *s, uint32_t rate_per_s, uint32_t burst)
{
	s->limit_rate_per_s = rate_per_s;
	s->limit_burst = burst ? burst : 1;
}

/* GCRA, as xdp_guard's over_rate(): burst back to back, then one per 1/rate s. */
static bool over_limit_locked(const struct sentry *s, struct sentry_source *src, uint64_t now_ns)
{
	uint64_t t, tau, tat;

	if (!s->limit_rate_per_s)
		return false;
	t = NS_PER_SEC / s->limit_rate_per_s;
	tau = t * (s->limit_burst - 1);
	tat = src->limit_tat_ns > now_ns ? src->limit_tat_ns : now_ns;
	if (tat - now_ns > tau)
		return true;
	src->limit_tat_ns = tat + t;
	return false;
}

static void log_ban(const struct sentry_source *src, const char *why, uint64_t seconds)
{
	char txt[SENTRY_ADDR_STRLEN];

	sentry_addr_format(&src->key, txt);
	log_msg(LOG_INFO, "sentry: banned %s for %llus: %s (score %u)", txt,
		(unsigned long long)seconds, why, src->score);
}

/* ocserv's score: points add up; ban-reset-time after the first point the score starts
 * over; reaching max-ban-score bans for min-reauth-time. */
static void add_points_locked(struct sentry *s, struct sentry_source *src, unsigned pts,
			      uint64_t now_ns, struct sentry_notes *notes)
{
	const struct sentry_opts *o = &s->opts;

	if (o->max_ban_score == 0 || pts == 0 || src->banned)
		return;
	if (now_ns >= src->reset_at_ns) {
		src->score = 0;
		src->reset_at_ns = sentry__deadline(now_ns, o->ban_reset_time_s);
	}
	src->score = pts > UINT32_MAX - src->score ? UINT32_MAX : src->score + pts;
	if (src->score >= o->max_ban_score) {
		sentry__ban_locked(s, src, sentry__deadline(now_ns, o->min_reauth_time_s), false,
				   notes);
		log_ban(src, "max-ban-score reached", o->min_reauth_time_s);
	}
}

/* A fixed window: count events; past the limit the rule's action applies. Returns true when
 * this event went over it. */
static bool window_hit(uint64_t *start_ns, uint32_t *count, const struct sentry_dyn_rule *r,
		       uint64_t limit, uint64_t now_ns)
{
	if (sentry__deadline(*start_ns, r->window_s) <= now_ns || *count == 0) {
		*start_ns = now_ns;
		*count = 0;
	}
	if (*count < UINT32_MAX)
		(*count)++;
	return *count == limit;
}

static void dyn_ban_locked(struct sentry *s, struct sentry_source *src,
			   const struct sentry_dyn_rule *r, const char *name, uint64_t now_ns,
			   struct sentry_notes *notes)
{
	char txt[SENTRY_ADDR_STRLEN];

	if (r->action == SENTRY_ACCEPT) {
		sentry_addr_format(&src->key, txt);
		log_msg(LOG_NOTICE, "sentry: %s exceeded %s (action accept: not banned)", txt,
			name);
		return;
	}
	sentry__ban_locked(s, src, sentry__deadline(now_ns, r->penalty_s), false, notes);
	log_ban(src, name, r->penalty_s);
}

enum sentry_verdict sentry_check_connect(struct sentry *s, const struct sentry_addr *a,
					 enum sentry_proto proto, uint16_t port, uint64_t now_ns)
{
	struct sentry_addr key = sentry__key(s, a);
	struct sentry_notes notes = {};
	struct sentry_source *src;
	enum sentry_verdict v = SENTRY_ACCEPT;

	if (s->rules && sentry_rules_match(s->rules, a, proto, port) == SENTRY_REJECT) {
		pthread_mutex_lock(&s->lock);
		s->rejected++;
		pthread_mutex_unlock(&s->lock);
		return SENTRY_REJECT; /* policy, not misbehaviour: no points */
	}
	pthread_mutex_lock(&s->lock);
	if (sentry__is_banned_locked(s, a, &key, now_ns, &notes)) {
		v = SENTRY_REJECT;
		goto out;
	}
	if (sentry_is_exempt(s, a))
		goto out;
	src = sentry__src_get_locked(s, &key, now_ns);
	if (!src)
		goto out;
	if (over_limit_locked(s, src, now_ns)) {
		/* Refused, as xdp_guard would have dropped its SYN or handshake datagram. */
		s->rate_limited++;
		s->events[SENTRY_EV_RATE_EXCEEDED]++;
		if (!src->limit_over) {
			char txt[SENTRY_ADDR_STRLEN];

			sentry_addr_format(a, txt);
			log_msg(LOG_NOTICE,
				"sentry: %s over the new-connection limit (%u/s, burst %u): "
				"refusing",
				txt, s->limit_rate_per_s, s->limit_burst);
		}
		src->limit_over = true;
		add_points_locked(s, src, s->opts.points[SENTRY_EV_RATE_EXCEEDED], now_ns, &notes);
		v = SENTRY_REJECT;
		goto out;
	}
	src->limit_over = false;
	s->events[SENTRY_EV_CONNECT]++;
	add_points_locked(s, src, s->opts.points[SENTRY_EV_CONNECT], now_ns, &notes);
	if (s->rules && s->rules->conn_rate.enabled) {
		const struct sentry_dyn_rule *r = &s->rules->conn_rate;

		/* "more than threshold connections within interval" */
		if (window_hit(&src->rate_start_ns, &src->rate_count, r, (uint64_t)r->threshold + 1,
			       now_ns))
			dyn_ban_locked(s, src, r, "max-connection-rate", now_ns, &notes);
	}
	if (src->banned)
		v = SENTRY_REJECT;
out:
	if (v == SENTRY_REJECT) {
		char txt[SENTRY_ADDR_STRLEN];

		s->rejected++;
		if (log_is_enabled(LOG_DEBUG)) {
			sentry_addr_format(a, txt);
			log_msg(LOG_DEBUG, "sentry: rejected connection from %s", txt);
		}
	}
	sentry__unlock_notify(s, notes.v, notes.n);
	return v;
}

bool sentry_is_banned(struct sentry *s, const struct sentry_addr *a, uint64_t now_ns)
{
	struct sentry_addr key = sentry__key(s, a);
	struct sentry_notes notes = {};
	bool banned;

	pthread_mutex_lock(&s->lock);
	banned = sentry__is_banned_locked(s, a, &key, now_ns, &notes);
	sentry__unlock_notify(s, notes.v, notes.n);
	return banned;
}

enum sentry_verdict sentry_event(struct sentry *s, const struct sentry_addr *a,
				 enum sentry_event ev, uint64_t now_ns)
{
	struct sentry_addr key = sentry__key(s, a);
	struct sentry_notes notes = {};
	struct sentry_source *src;
	bool banned;

	if (ev >= SENTRY_EV__COUNT)
		return SENTRY_ACCEPT;
	if (log_is_enabled(LOG_DEBUG)) {
		char txt[SENTRY_ADDR_STRLEN];

		sentry_addr_format(a, txt);
		log_msg(LOG_DEBUG, "sentry: %s from %s", event_names[ev], txt);
	}
	pthread_mutex_lock(&s->lock);
	s->events[ev]++;
	banned = sentry__is_banned_locked(s, a, &key, now_ns, &notes);
	if (banned || sentry_is_exempt(s, a))
		goto out;
	if (s->opts.points[ev] == 0 && ev != SENTRY_EV_AUTH_FAIL)
		goto out; /* nothing to count: don't let it take a slot */
	src = sentry__src_get_locked(s, &key, now_ns);
	if (!src)
		goto out;
	add_points_locked(s, src, s->opts.points[ev], now_ns, &notes);
	if (ev == SENTRY_EV_AUTH_FAIL && s->rules && s->rules->failed_auth.enabled) {
		const struct sentry_dyn_rule *r = &s->rules->failed_auth;

		/* "max-attempts failures within window" */
		if (window_hit(&src->auth_start_ns, &src->auth_count, r, r->threshold, now_ns))
			dyn_ban_locked(s, src, r, "failed-auth-protection", now_ns, &notes);
	}
	banned = src->banned;
out:
	sentry__unlock_notify(s, notes.v, notes.n);
	return banned ? SENTRY_REJECT : SENTRY_ACCEPT;
}

uint64_t sentry_accept_delay_ns(struct sentry *s, uint64_t now_ns)
{
	uint64_t wait = 0;

	if (s->opts.rate_limit_ms == 0)
		return 0;
	pthread_mutex_lock(&s->lock);
	if (now_ns >= s->next_accept_ns)
		s->next_accept_ns = now_ns + (uint64_t)s->opts.rate_limit_ms * NS_PER_MS;
	else
		wait = s->next_accept_ns - now_ns;
	pthread_mutex_unlock(&s->lock);
	return wait;
}

static bool is_key_len(const struct sentry *s, const struct sentry_addr *p)
{
	return p->prefix_len == sentry__key_len(s, p->family);
}

static bool addr_valid(const struct sentry_addr *p)
{
	return (p->family == AF_INET && p->prefix_len <= 32) ||
	       (p->family == AF_INET6 && p->prefix_len <= 128);
}

int sentry_ban(struct sentry *s, const struct sentry_addr *prefix, unsigned seconds,
	       uint64_t now_ns)
{
	struct sentry_addr p;
	struct sentry_notes notes = {};
	uint64_t expires = seconds ? sentry__deadline(now_ns, seconds) : 0;
	char txt[SENTRY_ADDR_STRLEN];
	int ret = 0;

	if (!addr_valid(prefix))
		return -EINVAL;
	p = sentry_addr_masked(prefix, prefix->prefix_len);
	pthread_mutex_lock(&s->lock);
	if (is_key_len(s, &p)) {
		struct sentry_source *src = sentry__src_get_locked(s, &p, now_ns);

		if (src)
			sentry__ban_locked(s, src, expires, true, &notes);
		else
			ret = -ENOSPC;
	} else {
		ret = sentry__pban_set_locked(s, &p, expires, &notes);
	}
	sentry__unlock_notify(s, notes.v, notes.n);
	if (!ret) {
		sentry_addr_format(&p, txt);
		log_msg(LOG_NOTICE, "sentry: %s banned by the operator for %s%u%s", txt,
			seconds ? "" : "ever", seconds, seconds ? "s" : "");
	}
	return ret;
}

int sentry_unban(struct sentry *s, const struct sentry_addr *prefix, uint64_t now_ns)
{
	struct sentry_notes notes = {};
	struct sentry_source *src;
	struct sentry_addr p;
	int ret;

	if (!addr_valid(prefix))
		return -EINVAL;
	p = sentry_addr_masked(prefix, prefix->prefix_len);
	pthread_mutex_lock(&s->lock);
	ret = sentry__pban_del_locked(s, &p, &notes);
	if (ret == -ENOENT && p.prefix_len >= sentry__key_len(s, p.family)) {
		struct sentry_addr key = sentry__key(s, &p);

		src = sentry__src_find_locked(s, &key);
		if (src) {
			/* as ocserv: unbanning also forgets the score */
			sentry__unban_locked(s, src, SENTRY_BAN_REMOVED, now_ns, &notes);
			ret = 0;
		}
	}
	sentry__unlock_notify(s, notes.v, notes.n);
	return ret;
}

void sentry_stats_get(struct sentry *s, struct sentry_stats *st)
{
	pthread_mutex_lock(&s->lock);
	*st = (struct sentry_stats){
		.sources = s->n_used,
		.bans = s->n_banned + s->n_pbans,
		.rejected = s->rejected,
		.rate_limited = s->rate_limited,
		.evicted = s->evicted,
		.untracked = s->untracked,
	};
	static_assert(sizeof(st->events) == sizeof(s->events));
	memcpy(st->events, s->events, sizeof(st->events));
	pthread_mutex_unlock(&s->lock);
}
