// SPDX-License-Identifier: GPL-2.0-or-later
/* ctl/ctl_vpn.c — occtl commands and Prometheus metrics from the live server: session views
 * from the registry, disconnects posted to the owning workers, bans from sentry. */
#include "ctl/ctl_vpn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "sentry/sentry.h"
#include "tunnel/session.h"
#include "tunnel/tunnel.h"

static int prefix_list_add(struct ctl_strlist *l, const struct cfg_prefixlist *p)
{
	for (size_t i = 0; i < p->len; i++) {
		char addr[INET6_ADDRSTRLEN], text[INET6_ADDRSTRLEN + 8];
		inet_ntop(p->items[i].family, &p->items[i].addr, addr, sizeof(addr));
		snprintf(text, sizeof(text), "%s/%u", addr, p->items[i].prefix_len);
		if (ctl_strlist_add(l, text))
			return -ENOMEM;
	}
	return 0;
}

/* iroutes as ocserv prints them: IPv4 as address/netmask, IPv6 as address/length. */
static int iroute_list_add(struct ctl_strlist *l, const struct cfg_prefixlist *p)
{
	for (size_t i = 0; i < p->len; i++) {
		const struct cfg_prefix *q = &p->items[i];
		char addr[INET6_ADDRSTRLEN], mask[INET_ADDRSTRLEN], text[INET6_ADDRSTRLEN + 20];

		inet_ntop(q->family, &q->addr, addr, sizeof(addr));
		if (q->family == AF_INET) {
			struct in_addr m = {
				htonl(q->prefix_len ? ~UINT32_C(0) << (32 - q->prefix_len) : 0)};

			inet_ntop(AF_INET, &m, mask, sizeof(mask));
			snprintf(text, sizeof(text), "%s/%s", addr, mask);
		} else {
			snprintf(text, sizeof(text), "%s/%u", addr, q->prefix_len);
		}
		if (ctl_strlist_add(l, text))
			return -ENOMEM;
	}
	return 0;
}

static int strlist_copy(struct ctl_strlist *l, const struct cfg_strlist *src)
{
	for (size_t i = 0; i < src->len; i++)
		if (ctl_strlist_add(l, src->items[i]))
			return -ENOMEM;
	return 0;
}

/* What occtl shows of one session: its own effective configuration (sv->cfg: the per-user and
 * per-group files over the config it logged in with), never the current global one. */
static int user_fill(const struct ctl_vpn *cv, const struct session_view *sv, struct ctl_user *u)
{
	const struct config *cfg = sv->cfg;
	const struct session_config *sc = cfg->derived_sc;
	struct in_addr s4;
	struct in6_addr s6;
	unsigned plen;

	*u = (struct ctl_user){
		.id = (uint32_t)sv->id,
		.mtu = sv->mtu,
		.rx_bytes = sv->rx_bytes,
		.tx_bytes = sv->tx_bytes,
		.dpd_s = cfg->dpd_s,
		.keepalive_s = cfg->keepalive_s,
		.connected_at = sv->connected_wall ? sv->connected_wall : sv->created_wall,
		.restrict_to_routes = cfg->restrict_user_to_routes,
		.rx_per_sec = cfg->rx_data_per_sec,
		.tx_per_sec = cfg->tx_data_per_sec,
	};
	snprintf(u->username, sizeof(u->username), "%s", sv->username);
	snprintf(u->groupname, sizeof(u->groupname), "%s", sv->group[0] ? sv->group : "(none)");
	snprintf(u->state, sizeof(u->state), "%s", sv->attached ? "connected" : "disconnected");
	snprintf(u->vhost, sizeof(u->vhost), "default");
	snprintf(u->device, sizeof(u->device), "%s", cv->device ? cv->device : "");
	snprintf(u->remote_ip, sizeof(u->remote_ip), "%s", sv->remote_ip);
	snprintf(u->local_dev_ip, sizeof(u->local_dev_ip), "%s", sv->local_ip);
	snprintf(u->user_agent, sizeof(u->user_agent), "%s", sv->user_agent);
	snprintf(u->hostname, sizeof(u->hostname), "%s", sv->hostname);
	snprintf(u->session, sizeof(u->session), "%.6s", sv->sid);
	snprintf(u->full_session, sizeof(u->full_session), "%s", sv->sid);
	snprintf(u->tls_cipher, sizeof(u->tls_cipher), "%s", sv->tls_cipher);
	snprintf(u->dtls_cipher, sizeof(u->dtls_cipher), "%s", sv->dtls_cipher);
	if (sv->lease.has_v4) {
		inet_ntop(AF_INET, &sv->lease.v4, u->ipv4, sizeof(u->ipv4));
		if (ippool_server_v4(cv->vpn->pool, &s4, &plen))
			inet_ntop(AF_INET, &s4, u->ptp_ipv4, sizeof(u->ptp_ipv4));
	}
	if (sv->lease.has_v6) {
		inet_ntop(AF_INET6, &sv->lease.v6, u->ipv6, sizeof(u->ipv6));
		if (ippool_server_v6(cv->vpn->pool, &s6, &plen))
			inet_ntop(AF_INET6, &s6, u->ptp_ipv6, sizeof(u->ptp_ipv6));
	}
	if (strlist_copy(&u->dns, &cfg->dns) || strlist_copy(&u->domains, &cfg->split_dns))
		return -ENOMEM;
	/* An empty list is the default route: occtl prints "defaultroute", as ocserv's. */
	if (!cfg->route_default && prefix_list_add(&u->routes, &cfg->routes))
		return -ENOMEM;
	if (sc && iroute_list_add(&u->iroutes, &sc->iroutes))
		return -ENOMEM;
	return prefix_list_add(&u->no_routes, &cfg->no_routes);
}

static int op_list_users(void *ctx, struct ctl_user **arr, size_t *n)
{
	struct ctl_vpn *cv = ctx;
	struct session_view *views;
	ssize_t count = session_registry_list(cv->vpn->sessions, &views);
	struct ctl_user *users;
	size_t k = 0;

	*arr = nullptr;
	*n = 0;
	if (count < 0)
		return (int)count;
	users = calloc(count ? (size_t)count : 1, sizeof(*users));
	if (!users) {
		session_views_free(views, (size_t)count);
		return -ENOMEM;
	}
	for (ssize_t i = 0; i < count; i++) {
		if (!views[i].attached || views[i].invalid)
			continue; /* as ocserv: users are the connected tunnels */
		if (user_fill(cv, &views[i], &users[k])) {
			ctl_users_free(users, k + 1);
			session_views_free(views, (size_t)count);
			return -ENOMEM;
		}
		k++;
	}
	session_views_free(views, (size_t)count);
	*arr = users;
	*n = k;
	return 0;
}

static int kick_matching(struct ctl_vpn *cv, const struct session_match *m, bool terminate)
{
	struct session_kick *kicks;
	size_t n_kicks;
	ssize_t matched = session_registry_match(cv->vpn->sessions, m, terminate, &kicks, &n_kicks);

	if (matched < 0)
		return (int)matched;
	for (size_t i = 0; i < n_kicks; i++)
		(void)vpn_kick(cv->vpn, &kicks[i], terminate);
	free(kicks);
	/* disconnect counts the tunnels it closed; terminate every session it ended */
	return terminate ? (int)matched : (int)n_kicks;
}

static int op_disconnect_user(void *ctx, const char *name, bool terminate)
{
	return kick_matching(ctx, &(struct session_match){.username = name}, terminate);
}

static int op_disconnect_id(void *ctx, uint32_t id, bool terminate)
{
	return kick_matching(ctx, &(struct session_match){.id = id}, terminate);
}

static int op_terminate_session(void *ctx, const char *sid)
{
	return kick_matching(ctx, &(struct session_match){.sid = sid}, true);
}

static int op_list_sessions(void *ctx, struct ctl_session **arr, size_t *n)
{
	struct ctl_vpn *cv = ctx;
	struct session_view *views;
	ssize_t count = session_registry_list(cv->vpn->sessions, &views);
	uint64_t now = clock_now_ns();
	time_t wall = clock_wall_s();
	struct ctl_session *out;

	*arr = nullptr;
	*n = 0;
	if (count < 0)
		return (int)count;
	out = calloc(count ? (size_t)count : 1, sizeof(*out));
	if (!out) {
		session_views_free(views, (size_t)count);
		return -ENOMEM;
	}
	for (ssize_t i = 0; i < count; i++) {
		const struct session_view *sv = &views[i];
		struct ctl_session *cs = &out[i];
		snprintf(cs->session, sizeof(cs->session), "%.6s", sv->sid);
		snprintf(cs->full_session, sizeof(cs->full_session), "%s", sv->sid);
		cs->created = sv->created_wall;
		cs->expires = sv->attached || sv->expires_ns <= now
				      ? 0
				      : wall + (time_t)((sv->expires_ns - now) / NS_PER_SEC);
		snprintf(cs->state, sizeof(cs->state), "%s",
			 sv->invalid	   ? "invalid"
			 : sv->attached	   ? "connected"
			 : sv->tunnel_seen ? "disconnected"
					   : "authenticated");
		cs->valid = !sv->invalid;
		cs->in_use = sv->attached;
		cs->activated = sv->tunnel_seen;
		cs->tls_auth_ok = true;
		snprintf(cs->username, sizeof(cs->username), "%s", sv->username);
		snprintf(cs->groupname, sizeof(cs->groupname), "%s",
			 sv->group[0] ? sv->group : "(none)");
		snprintf(cs->vhost, sizeof(cs->vhost), "default");
		snprintf(cs->user_agent, sizeof(cs->user_agent), "%s", sv->user_agent);
		snprintf(cs->remote_ip, sizeof(cs->remote_ip), "%s", sv->remote_ip);
	}
	session_views_free(views, (size_t)count);
	*arr = out;
	*n = (size_t)count;
	return 0;
}

static int op_status(void *ctx, struct ctl_status *st)
{
	struct ctl_vpn *cv = ctx;
	struct session_view *views;
	ssize_t count = session_registry_list(cv->vpn->sessions, &views);

	struct session_stats ended;
	uint64_t auth_checks = 0, auth_ms = 0;

	*st = (struct ctl_status){
		.pid = getpid(),
		/* No sec-mod processes here: the auth pool's threads, in this process, do their
		 * work (password checks, session cookies). */
		.secmod_pid = getpid(),
		.secmod_instances = cv->auth_threads,
		.up_since = cv->up_since,
		.last_reset = cv->up_since, /* stats are never reset: the period is the uptime */
	};
	if (count < 0)
		return (int)count;
	session_registry_stats(cv->vpn->sessions, &ended);
	for (ssize_t i = 0; i < count; i++) {
		if (views[i].attached)
			st->active_sessions++;
		st->rx_bytes += views[i].rx_bytes;
		st->tx_bytes += views[i].tx_bytes;
		if (views[i].mtu && (!st->min_mtu || views[i].mtu < st->min_mtu))
			st->min_mtu = views[i].mtu;
		if (views[i].mtu > st->max_mtu)
			st->max_mtu = views[i].mtu;
	}
	session_views_free(views, (size_t)count);
	/* As ocserv: "Total sessions" and "Sessions handled" count the sessions that ended; RX/TX
	 * add the bytes of the ended sessions to those of the live ones (a counter). */
	st->total_sessions = ended.ended;
	st->sessions_handled = ended.ended;
	st->timed_out = ended.timed_out;
	st->rx_bytes += ended.rx_bytes;
	st->tx_bytes += ended.tx_bytes;
	if (ended.ended) {
		st->avg_session_time_s = ended.time_sum_s / ended.ended;
		st->max_session_time_s = ended.time_max_s;
	}
	for (unsigned i = 0; i < cv->vpn->n_workers; i++) {
		const struct vpn_stats *ws = vpn_worker_stats(cv->vpn, i);
		uint64_t max_ms = atomic_load(&ws->auth_time_max_ms);
		st->total_auth_failures += atomic_load(&ws->logins_failed);
		auth_checks += atomic_load(&ws->auth_checks);
		auth_ms += atomic_load(&ws->auth_time_sum_ms);
		if (max_ms / 1000 > st->max_auth_time_s)
			st->max_auth_time_s = max_ms / 1000;
	}
	if (auth_checks)
		st->avg_auth_time_s = auth_ms / auth_checks / 1000;
	st->auth_failures = st->total_auth_failures;
	if (cv->sentry) {
		struct sentry_stats ss;
		sentry_stats_get(cv->sentry, &ss);
		st->banned_ips = ss.bans;
	}
	return 0;
}

static int bans_list(struct ctl_vpn *cv, bool banned_only, struct ctl_ban **arr, size_t *n)
{
	struct sentry_ban_info *info = nullptr;
	uint64_t now = clock_now_ns();
	time_t wall = clock_wall_s();
	size_t count = 0, k = 0;
	int ret;

	*arr = nullptr;
	*n = 0;
	if (!cv->sentry)
		return 0;
	ret = banned_only ? sentry_bans_list(cv->sentry, now, &info, &count)
			  : sentry_points_list(cv->sentry, now, &info, &count);
	if (ret)
		return ret;
	struct ctl_ban *out = calloc(count ? count : 1, sizeof(*out));
	if (!out) {
		free(info);
		return -ENOMEM;
	}
	for (size_t i = 0; i < count; i++) {
		char text[SENTRY_ADDR_STRLEN];
		sentry_addr_format(&info[i].addr, text);
		snprintf(out[k].ip, sizeof(out[k].ip), "%s", text);
		out[k].score = info[i].score;
		out[k].expires = info[i].banned && info[i].expires_ns
					 ? wall + (time_t)info[i].remaining_s
					 : 0;
		k++;
	}
	free(info);
	*arr = out;
	*n = k;
	return 0;
}

static int op_list_bans(void *ctx, struct ctl_ban **arr, size_t *n)
{
	return bans_list(ctx, true, arr, n);
}

static int op_list_ban_points(void *ctx, struct ctl_ban **arr, size_t *n)
{
	return bans_list(ctx, false, arr, n);
}

static int op_ban_ip(void *ctx, const char *text, uint32_t seconds)
{
	struct ctl_vpn *cv = ctx;
	struct sentry_addr a;

	if (!cv->sentry)
		return -EOPNOTSUPP;
	if (sentry_addr_parse(text, &a))
		return -EINVAL;
	return sentry_ban(cv->sentry, &a, seconds, clock_now_ns());
}

static int op_unban_ip(void *ctx, const char *text)
{
	struct ctl_vpn *cv = ctx;
	struct sentry_addr a;

	if (!cv->sentry)
		return -EOPNOTSUPP;
	if (sentry_addr_parse(text, &a))
		return -EINVAL;
	return sentry_unban(cv->sentry, &a, clock_now_ns());
}

static int op_reload(void *ctx, char *err, size_t err_len)
{
	struct ctl_vpn *cv = ctx;

	if (!cv->reload)
		return -EOPNOTSUPP;
	return cv->reload(cv->main_ctx, err, err_len);
}

static int op_stop(void *ctx)
{
	struct ctl_vpn *cv = ctx;

	return cv->stop ? cv->stop(cv->main_ctx) : -EOPNOTSUPP;
}

const struct ctl_ops ctl_vpn_ops = {
	.list_users = op_list_users,
	.disconnect_user = op_disconnect_user,
	.disconnect_id = op_disconnect_id,
	.list_sessions = op_list_sessions,
	.terminate_session = op_terminate_session,
	.status = op_status,
	.list_bans = op_list_bans,
	.list_ban_points = op_list_ban_points,
	.ban_ip = op_ban_ip,
	.unban_ip = op_unban_ip,
	.reload = op_reload,
	.stop = op_stop,
};

void ctl_vpn_metrics_fill(void *ctx, struct metrics_snapshot *s)
{
	struct ctl_vpn *cv = ctx;
	struct session_view *views;
	ssize_t count = session_registry_list(cv->vpn->sessions, &views);

	static_assert(VPN_HS_BUCKETS == METRICS_HS_BUCKETS, "same histogram buckets");
	s->start_time = cv->up_since;
	for (ssize_t i = 0; i < count; i++) {
		const struct session_view *sv = &views[i];
		if (sv->invalid)
			continue;
		s->sessions[sv->attached      ? METRICS_SESS_ACTIVE
			    : sv->tunnel_seen ? METRICS_SESS_DETACHED
					      : METRICS_SESS_AUTHENTICATED]++;
	}
	if (count >= 0)
		session_views_free(views, (size_t)count);
	s->n_workers =
		cv->vpn->n_workers < METRICS_MAX_WORKERS ? cv->vpn->n_workers : METRICS_MAX_WORKERS;
	for (unsigned w = 0; w < s->n_workers; w++) {
		const struct vpn_stats *ws = vpn_worker_stats(cv->vpn, w);
		s->logins_ok += atomic_load_explicit(&ws->logins_ok, memory_order_relaxed);
		s->logins_failed += atomic_load_explicit(&ws->logins_failed, memory_order_relaxed);
		for (int d = 0; d < 2; d++) {
			for (int c = 0; c < 2; c++) {
				s->bytes[d][c] += atomic_load_explicit(&ws->bytes[d][c],
								       memory_order_relaxed);
				s->packets[d][c] += atomic_load_explicit(&ws->packets[d][c],
									 memory_order_relaxed);
			}
		}
		for (int b = 0; b < VPN_HS_BUCKETS; b++)
			s->hs_bucket[b] +=
				atomic_load_explicit(&ws->hs_bucket[b], memory_order_relaxed);
		s->hs_overflow += atomic_load_explicit(&ws->hs_overflow, memory_order_relaxed);
		s->hs_sum_s +=
			(double)atomic_load_explicit(&ws->hs_sum_us, memory_order_relaxed) / 1e6;
		s->dtls_fallbacks +=
			atomic_load_explicit(&ws->dtls_fallbacks, memory_order_relaxed);
		s->dtls_handovers +=
			atomic_load_explicit(&ws->dtls_handovers, memory_order_relaxed);
		static_assert(VPN_UDP__COUNT == METRICS_UDP_DROP__COUNT);
		for (int r = 0; r < VPN_UDP__COUNT; r++)
			s->udp_dropped[r] +=
				atomic_load_explicit(&ws->udp_dropped[r], memory_order_relaxed);
		s->spoofed_packets += atomic_load_explicit(&ws->spoofed, memory_order_relaxed);
		s->workers[w].connections =
			atomic_load_explicit(&ws->connections, memory_order_relaxed);
		s->workers[w].queue_drops = atomic_load_explicit(&ws->drops, memory_order_relaxed);
	}
	if (cv->sentry) {
		struct sentry_stats ss;
		sentry_stats_get(cv->sentry, &ss);
		s->bans_active = ss.bans;
		s->bans_total = atomic_load(&cv->bans_added);
		s->sentry_rejected = ss.rejected;
		s->sentry_rate_limited = ss.rate_limited;
		static_assert(SENTRY_EV__COUNT <= METRICS_SENTRY_EVENTS_MAX);
		for (unsigned e = 0; e < SENTRY_EV__COUNT; e++)
			s->sentry_events[s->n_sentry_events++] = (struct metrics_event){
				.name = sentry_event_name(e), .count = ss.events[e]};
	}
	if (cv->accel_fill)
		cv->accel_fill(cv->main_ctx, s);
	(void)metrics_process_memory(&s->rss_bytes, &s->vsz_bytes);
}
