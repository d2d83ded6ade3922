// SPDX-License-Identifier: GPL-2.0-or-later
/* tunnel/conn_http.c — the HTTP side of a connection (reference §2, §3): routes each request,
 * runs the aggregate-auth exchange through the auth pool, creates sessions, answers CONNECT
 * with the tunnel parameters, serves the fixed Cisco endpoints. One request at a time. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/clock.h"
#include "core/compiler.h"
#include "core/log.h"
#include "http/http.h"
#include "net/net.h"
#include "tls/tls.h"
#include "tunnel/conn.h"
#include "tunnel/cstp_headers.h"
#include "tunnel/mtu.h"
#include "tunnel/session.h"
#include "tunnel/user_agent.h"
#include "tunnel/iroute.h"
#include "tunnel/worker.h"

enum {
	HTTP_MAX_REQUESTS = 16, /* per TLS connection, as ocserv */
	AUTH_MAX_FAILURES = 3,	/* wrong passwords per connection before 401 + close */
	RESPONSE_BODY_MAX = 64 * 1024,
	CONNECT_HEADERS_MAX = 64,
};

static const char xml_type[] = "text/xml; charset=utf-8";
static const char login_message[] = "Please enter your username and password.";

static void respond(struct conn *c, int status, const char *reason, const char *ctype,
		    const struct http_header *hdrs, size_t n_hdrs, const void *body, size_t len,
		    bool close)
{
	struct http_response r = {
		.status = status,
		.reason = reason,
		.content_type = ctype,
		.headers = hdrs,
		.n_headers = n_hdrs,
		.body = body,
		.body_len = len,
		.close = close,
	};
	struct buf tmp;

	buf_init(&tmp, RESPONSE_BODY_MAX + 16384);
	if (http_response_write(&tmp, &r) || conn__queue_raw(c, buf_head(&tmp), buf_used(&tmp))) {
		buf_fini(&tmp);
		conn_close(c, "cannot queue the HTTP response");
		return;
	}
	buf_fini(&tmp);
	conn__flush(c);
	if (close && c->state != CONN_CLOSING) {
		/* Connection: close — the response is queued; closing now would lose it if the
		 * socket is full, so the flush above must have sent it. */
		conn_close(c, "request answered with Connection: close");
	}
}

static void respond_status(struct conn *c, int status, const char *reason, bool close)
{
	respond(c, status, reason, nullptr, nullptr, 0, nullptr, 0, close);
}

static const struct http_header transcend[] = {{"X-Transcend-Version", "1"}};

enum { FORM_GROUPS_MAX = 64 };

static void respond_form(struct conn *c, const char *error)
{
	const struct config *cfg = c->cfg;
	const char *groups[FORM_GROUPS_MAX], *labels[FORM_GROUPS_MAX];
	size_t n = 0;
	struct xml_auth_form f = {
		.message = login_message,
		.error = error,
		.banner = nullptr,
		.action = "/auth",
	};
	struct buf body;

	/* select-group: the group list of the form (§2.6); the default group first. Each option
	 * shows the group's [Label] and posts its name, as ocserv's. */
	if (cfg->default_select_group) {
		labels[n] = nullptr;
		groups[n++] = cfg->default_select_group;
	}
	for (size_t i = 0; i < cfg->select_groups_len && n < FORM_GROUPS_MAX; i++) {
		labels[n] = cfg->select_groups[i].label;
		groups[n++] = cfg->select_groups[i].name;
	}
	if (n) {
		f.groups = groups;
		f.group_labels = labels;
		f.n_groups = n;
		f.selected_group = groups[0];
	}
	buf_init(&body, RESPONSE_BODY_MAX);
	if (xml_auth_form_render(&body, &f)) {
		buf_fini(&body);
		conn_close(c, "cannot render the login form");
		return;
	}
	respond(c, 200, "OK", xml_type, transcend, ARRAY_SIZE(transcend), buf_head(&body),
		buf_used(&body), false);
	buf_fini(&body);
}

/* ---- login ---- */

static void on_auth_done(struct auth_request *req);

/* Whether group is one of the comma-separated groups of the password file entry. */
static bool group_is_member(const char *groups, const char *group)
{
	size_t len = strlen(group);

	for (const char *p = groups; *p;) {
		size_t n = strcspn(p, ",");
		if (n == len && !strncmp(p, group, len))
			return true;
		p += n;
		p += *p == ',';
	}
	return false;
}

/* select-group (§2.6): the user picked a group in the form. It must be one of the user's
 * groups (or the configured default group); the session then runs in that group. A user in
 * several groups who picked none runs in the first one, as ocserv. */
static void apply_group_choice(struct conn_auth *a, struct auth_request *req)
{
	const struct config *cfg = a->cfg;

	if (!a->group_select[0]) {
		req->group[strcspn(req->group, ",")] = '\0';
		return;
	}
	if (cfg->default_select_group && !strcmp(a->group_select, cfg->default_select_group)) {
		req->group[0] = '\0';
		return;
	}
	if (!group_is_member(req->group, a->group_select)) {
		log_msg(LOG_NOTICE, "login of %s refused: not a member of group %s", req->username,
			a->group_select);
		req->verdict = AUTH_DENIED;
		return;
	}
	snprintf(req->group, sizeof(req->group), "%s", a->group_select);
}

/* On the auth pool thread: the per-user and per-group files (config-per-user/-group), merged
 * over the global settings. A broken file refuses the login, as ocserv does. */
static void load_user_config(struct auth_request *req)
{
	struct conn_auth *a = container_of(req, struct conn_auth, req);
	const struct config *cfg = a->cfg;
	struct group_config *usr = nullptr, *grp = nullptr;
	char err[CONFIG_ERR_LEN];
	int ret = 0;

	apply_group_choice(a, req);
	if (req->verdict != AUTH_OK || (!cfg->config_per_user && !cfg->config_per_group))
		return;
	if (cfg->config_per_user)
		ret = group_config_load(cfg, GROUP_CONFIG_USER, req->username, &usr, err);
	if (!ret && cfg->config_per_group && req->group[0])
		ret = group_config_load(cfg, GROUP_CONFIG_GROUP, req->group, &grp, err);
	if (!ret)
		ret = session_config_build(cfg, grp, usr, &a->sconf);
	else
		log_msg(LOG_ERR, "login of %s refused: %s", req->username, err);
	group_config_free(usr);
	group_config_free(grp);
	if (ret)
		req->verdict = AUTH_ERROR;
}

static void login_start(struct conn *c, const struct xml_auth_msg *m)
{
	struct conn_auth *a;

	if (!m->has_username || !m->has_password || !m->username[0]) {
		respond_form(c, nullptr);
		return;
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		conn_close(c, "out of memory");
		return;
	}
	snprintf(a->req.username, sizeof(a->req.username), "%s", m->username);
	snprintf(a->req.password, sizeof(a->req.password), "%s", m->password);
	a->req.reply_loop = c->w->loop;
	a->req.on_done = on_auth_done;
	a->req.after_ok = load_user_config;
	a->c = c;
	a->cfg = c->cfg;
	snprintf(a->group_select, sizeof(a->group_select), "%s", m->group_select);
	c->auth = a;
	a->started_ns = loop_now_ns(c->w->loop);
	conn__set_state(c, CONN_AUTH_WAIT);
	auth_pool_submit(c->w->vpn->auth, &a->req);
}

/* occtl show status: how long the password check took (average and maximum). */
static void record_auth_time(struct conn *c, uint64_t started_ns)
{
	struct vpn_stats *st = &c->w->stats;
	uint64_t ms = (loop_now_ns(c->w->loop) - started_ns) / 1000000;
	uint64_t max = atomic_load_explicit(&st->auth_time_max_ms, memory_order_relaxed);

	atomic_fetch_add_explicit(&st->auth_checks, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&st->auth_time_sum_ms, ms, memory_order_relaxed);
	while (ms > max &&
	       !atomic_compare_exchange_weak_explicit(&st->auth_time_max_ms, &max, ms,
						      memory_order_relaxed, memory_order_relaxed))
		;
}

static const char *create_failure_text(enum session_create_result r)
{
	switch (r) {
	case SESSION_TOO_MANY_CLIENTS:
		return "Server is at its client limit.";
	case SESSION_TOO_MANY_SAME:
		return "Too many sessions for this user.";
	case SESSION_NO_ADDRESS:
		return "No address available.";
	case SESSION_ADDRESS_IN_USE:
		return "Your address is in use by another session.";
	case SESSION_ADDRESS_REFUSED:
		return "Your address settings cannot be applied.";
	default:
		return "Internal error.";
	}
}

static void login_succeeded(struct conn *c, const char *username, const char *group,
			    struct session_config *sconf)
{
	struct vpn *v = c->w->vpn;
	const struct config *scfg = config_get(c->cfg);
	char cookie[COOKIE_B64_LEN + 1];
	char set_cookie[128], set_webvpnc[192];
	struct session *s;
	struct buf body;
	enum session_create_result r;

	if (sconf) {
		config_put(scfg);
		if (config_derive(c->cfg, sconf, &scfg)) {
			conn_close(c, "out of memory");
			return;
		}
	}
	r = session_create(v->sessions, scfg, username, group, c->peer_ip, cookie, &s);
	config_put(scfg); /* the session holds its own reference */
	if (r != SESSION_CREATED) {
		log_msg(LOG_NOTICE, "conn %s: login of %s refused: %s", c->peer, username,
			create_failure_text(r));
		respond_form(c, create_failure_text(r));
		return;
	}
	log_msg(LOG_INFO, "conn %s: user %s (group %s) logged in, session %llu", c->peer, username,
		group[0] ? group : "-", (unsigned long long)s->id);
	snprintf(set_cookie, sizeof(set_cookie), "webvpn=%s; Secure; HttpOnly", cookie);
	snprintf(set_webvpnc, sizeof(set_webvpnc), "webvpnc=bu:/&p:t&iu:1/&sh:%s; path=/; Secure",
		 tls_server_cert_sha1_hex(v->tls));
	const struct http_header hdrs[] = {
		{"X-Transcend-Version", "1"},
		{"Set-Cookie", set_cookie},
		{"Set-Cookie", set_webvpnc},
	};
	struct xml_auth_complete done = {
		.cookie = cookie,
		.banner = c->cfg->banner,
		.server_cert_sha1_hex = tls_server_cert_sha1_hex(v->tls),
	};
	buf_init(&body, RESPONSE_BODY_MAX);
	if (xml_auth_complete_render(&body, &done)) {
		conn_close(c, "cannot render the login result");
	} else {
		respond(c, 200, "OK", xml_type, hdrs, ARRAY_SIZE(hdrs), buf_head(&body),
			buf_used(&body), false);
	}
	buf_fini(&body);
	explicit_bzero(cookie, sizeof(cookie));
	explicit_bzero(set_cookie, sizeof(set_cookie));
}

static void on_auth_done(struct auth_request *req)
{
	struct conn_auth *a = container_of(req, struct conn_auth, req);
	struct conn *c = a->c;
	enum auth_verdict verdict = req->verdict;
	char username[AUTH_NAME_MAX], group[AUTH_GROUP_MAX];
	struct session_config *sconf = a->sconf;
	uint64_t started_ns = a->started_ns;

	snprintf(username, sizeof(username), "%s", req->username);
	snprintf(group, sizeof(group), "%s", req->group);
	a->sconf = nullptr;
	if (conn__auth_returned(c)) {
		session_config_free(sconf);
		return; /* the connection closed while the password was checked */
	}
	conn__set_state(c, CONN_HTTP);
	record_auth_time(c, started_ns);
	switch (verdict) {
	case AUTH_OK:
		atomic_fetch_add_explicit(&c->w->stats.logins_ok, 1, memory_order_relaxed);
		conn__sentry(c, SENTRY_EV_AUTH_OK);
		login_succeeded(c, username, group, sconf);
		sconf = nullptr; /* owned by the session's config now */
		break;
	case AUTH_DENIED:
		c->auth_failures++;
		atomic_fetch_add_explicit(&c->w->stats.logins_failed, 1, memory_order_relaxed);
		log_msg(LOG_NOTICE, "conn %s: login of %s failed: wrong username or password",
			c->peer, username);
		if (conn__sentry(c, SENTRY_EV_AUTH_FAIL)) {
			respond_status(c, 401, "Unauthorized", true);
			break;
		}
		if (c->auth_failures >= AUTH_MAX_FAILURES) {
			respond_status(c, 401, "Unauthorized", true);
			break;
		}
		/* As ocserv: the form again, with a message (§2.9). */
		respond_form(c, "Login failed.\nPlease enter your password.");
		break;
	case AUTH_ERROR:
		log_msg(LOG_ERR, "conn %s: login of %s could not be checked", c->peer, username);
		respond_form(c, "Login is not possible right now.");
		break;
	}
	session_config_free(sconf);
	if (c->state == CONN_HTTP && buf_used(&c->in))
		conn__http_refuse_pipelined(c); /* it arrived before this answer */
}

static bool body_is_xml(const struct http_request *req)
{
	/* openconnect labels its XML posts application/x-www-form-urlencoded too: look at the
	 * body itself. A urlencoded form never starts with '<'. */
	for (size_t i = 0; i < req->body_len; i++) {
		uint8_t ch = req->body[i];
		if (ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n')
			return ch == '<';
	}
	return false;
}

static void handle_auth_post(struct conn *c, const struct http_request *req)
{
	struct xml_auth_msg m;
	int ret;

	if (!req->body_len) {
		respond_form(c, nullptr);
		return;
	}
	if (body_is_xml(req))
		ret = xml_auth_parse(req->body, req->body_len, &m);
	else
		ret = form_auth_parse(req->body, req->body_len, &m);
	if (ret) {
		log_msg(LOG_NOTICE, "conn %s: malformed authentication request (%s)", c->peer,
			strerror(-ret));
		respond_status(c, 400, "Bad Request", true);
		return;
	}
	switch (m.type) {
	case XML_AUTH_INIT:
		respond_form(c, nullptr);
		break;
	case XML_AUTH_REPLY:
		login_start(c, &m);
		break;
	case XML_AUTH_LOGOUT: {
		struct cookie ck;
		bool ended = !cookie_decode(m.session_token, strlen(m.session_token), &ck) &&
			     session_logout(c->w->vpn->sessions, &ck);
		explicit_bzero(&ck, sizeof(ck));
		log_msg(LOG_INFO, "conn %s: logout %s", c->peer,
			ended ? "ended a session" : "ignored");
		respond(c, 200, "OK", xml_type, transcend, ARRAY_SIZE(transcend), nullptr, 0,
			false);
		break;
	}
	}
	xml_auth_msg_wipe(&m);
}

/* ---- CONNECT /CSCOSSLC/tunnel (§3) ---- */

static int request_cookie(const struct http_request *req, struct cookie *out)
{
	const char *hdr = http_request_header(req, "Cookie");
	char text[COOKIE_B64_LEN + 8];
	int ret;

	if (!hdr)
		return -ENOENT;
	ret = http_cookie_get(hdr, "webvpn", text, sizeof(text));
	if (ret)
		return ret == -ENOENT ? -ENOENT : -EBADMSG;
	ret = cookie_decode(text, strlen(text), out);
	explicit_bzero(text, sizeof(text));
	return ret;
}

static void connect_fail(struct conn *c, int status, const char *reason, const char *why)
{
	const struct http_header hdr[] = {{"X-Reason", why}};

	log_msg(LOG_NOTICE, "conn %s: CONNECT refused: %s", c->peer, why);
	respond(c, status, reason, nullptr, hdr, 1, nullptr, 0, true);
}

/* 0, or the iroutes could not be applied (logged; nothing changed). */
static int take_slot(struct conn *c, struct session *s, int prev_worker)
{
	struct worker *w = c->w;
	struct vpn *v = w->vpn;
	struct conn *old = w->slot_conn[s->lease.slot];
	bool routed = session_iroutes(s)->len > 0;

	/* First: the stale connection of this worker releases the slot (and its iroutes) now. */
	if (old && old != c)
		conn_kick(old, "tunnel taken over by a reconnect");
	else if (prev_worker >= 0 && (unsigned)prev_worker != w->idx)
		worker_kick_slot(w, (unsigned)prev_worker, s->lease.slot, c->gen);
	if (routed) {
		/* Under route_lock with the slot_owner store: a concurrent release of the same
		 * slot either removes them before this or sees the new owner and keeps them. */
		pthread_mutex_lock(&v->route_lock);
		int ret = iroute_up(v, s, s->lease.slot);
		if (ret < 0) {
			pthread_mutex_unlock(&v->route_lock);
			return ret;
		}
	}
	w->slot_conn[s->lease.slot] = c;
	atomic_store(&v->slot_owner[s->lease.slot], (uint16_t)(w->idx + 1));
	if (routed)
		pthread_mutex_unlock(&v->route_lock);
	/* Downlink packets for this lease now go to this worker's TUN queue (eBPF steering). */
	net_accel_lease(v->accel, &s->lease, (int)(w->idx % tun_queue_count(v->tun)));
	return 0;
}

static int compute_mtu(const struct conn *c, const struct cstp_request *creq, const struct lease *l,
		       struct mtu_result *out)
{
	unsigned pmtu = 0;
	struct mtu_input in = {
		.cfg_mtu = c->cfg->mtu,
		.client_base_mtu = creq->base_mtu,
		.client_mtu = creq->mtu,
		.ipv6_transport = c->peer_v6,
		.have_ipv6_lease = l->has_v6,
	};

	if (!sock_tcp_pmtu(c->fd, &pmtu))
		in.tcp_pmtu = pmtu;
	return mtu_compute(&in, out);
}

/* Pick the DTLS method from the client's offer (§5.5) and key it; mode NONE = TLS only. */
static void dtls_offer(struct conn *c, const struct cstp_request *creq, struct cstp_dtls_reply *out)
{
	struct vpn *v = c->w->vpn;
	const struct config *cfg = c->cfg;
	struct dtls_legacy_choice pick;

	c->dtls.mtu = cfg->dtls_mtu && cfg->dtls_mtu < c->data_mtu ? cfg->dtls_mtu : c->data_mtu;
	*out = (struct cstp_dtls_reply){.port = cfg->udp_port, .dtls_mtu = c->dtls.mtu};
	if (!v->dtls || !cfg->udp_port)
		return;
	/* match-tls-dtls-ciphers: DTLS-PSK only with the TLS channel's own cipher. */
	c->dtls.psk_suite = cfg->match_tls_dtls_ciphers
				    ? dtls_psk_suite_matching(tls_conn_cipher(c->tls))
				    : nullptr;
	bool psk_ok = !cfg->match_tls_dtls_ciphers || c->dtls.psk_suite;
	if (cfg->dtls_psk && psk_ok &&
	    dtls_psk_offered(creq->dtls_ciphersuite, creq->dtls12_ciphersuite) &&
	    !tls_conn_export_psk(c->tls, c->dtls.key)) {
		c->dtls.mode = DTLS_MODE_PSK;
		out->mode = CSTP_DTLS_PSK;
	} else if (cfg->dtls_legacy && creq->has_master_secret &&
		   !dtls_legacy_pick(creq->dtls12_ciphersuite, creq->dtls_ciphersuite, &pick)) {
		static_assert(sizeof(c->dtls.key) == sizeof(creq->master_secret));
		memcpy(c->dtls.key, creq->master_secret, sizeof(c->dtls.key));
		c->dtls.mode = DTLS_MODE_LEGACY;
		c->dtls.legacy_suite = pick.suite_id;
		out->mode = CSTP_DTLS_LEGACY;
		out->cipher_header = pick.header;
		out->cipher_name = pick.name;
	}
	tls_conn_release_handshake_data(c->tls);
	if (out->mode == CSTP_DTLS_NONE)
		return;
	if (session_dtls_id_new(v->sessions, c->session, out->id)) {
		explicit_bzero(c->dtls.key, sizeof(c->dtls.key));
		c->dtls.mode = DTLS_MODE_NONE;
		out->mode = CSTP_DTLS_NONE;
	}
}

/* accept -> tunnel up, for the handshake latency histogram. */
static void record_handshake_time(struct conn *c)
{
	struct vpn_stats *st = &c->w->stats;
	uint64_t us = (loop_now_ns(c->w->loop) - c->accepted_ns) / 1000;
	size_t i = 0;

	while (i < VPN_HS_BUCKETS && (double)us / 1e6 > vpn_hs_bounds_s[i])
		i++;
	if (i < VPN_HS_BUCKETS)
		atomic_fetch_add_explicit(&st->hs_bucket[i], 1, memory_order_relaxed);
	else
		atomic_fetch_add_explicit(&st->hs_overflow, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&st->hs_sum_us, us, memory_order_relaxed);
}

static void handle_connect(struct conn *c, const struct http_request *req)
{
	struct vpn *v = c->w->vpn;
	struct cstp_hdr_kv kv[CONNECT_HEADERS_MAX];
	struct cstp_request creq;
	struct mtu_result mtu;
	struct session *s;
	struct cookie ck;
	uint64_t gen;
	int prev_worker, ret;
	size_t n = 0;

	ret = request_cookie(req, &ck);
	if (ret == -ENOENT) {
		connect_fail(c, 503, "Service Unavailable", "No cookie");
		return;
	}
	if (ret) {
		connect_fail(c, 401, "Cookie is not acceptable", "Malformed cookie");
		return;
	}
	for (size_t i = 0; i < req->n_headers && n < CONNECT_HEADERS_MAX; i++)
		kv[n++] = (struct cstp_hdr_kv){req->headers[i].name, req->headers[i].value};
	cstp_request_parse(kv, n, &creq);

	switch (session_attach(v->sessions, &ck, c->peer_ip, (int)c->w->idx, &s, &gen,
			       &prev_worker)) {
	case SESSION_ATTACHED:
		break;
	case SESSION_ROAMING:
		explicit_bzero(&ck, sizeof(ck));
		explicit_bzero(&creq, sizeof(creq));
		connect_fail(c, 401, "Cookie is not acceptable", "Roaming is not allowed");
		return;
	case SESSION_FULL:
		explicit_bzero(&ck, sizeof(ck));
		explicit_bzero(&creq, sizeof(creq));
		connect_fail(c, 503, "Service Unavailable", "Server is at its client limit");
		return;
	case SESSION_USER_FULL:
		/* The client logs in again and is told why (create_failure_text). */
		explicit_bzero(&ck, sizeof(ck));
		explicit_bzero(&creq, sizeof(creq));
		connect_fail(c, 401, "Cookie is not acceptable", "Too many sessions for this user");
		return;
	case SESSION_UNKNOWN:
	default:
		conn__sentry(c, SENTRY_EV_UNKNOWN_COOKIE);
		explicit_bzero(&ck, sizeof(ck));
		explicit_bzero(&creq, sizeof(creq));
		connect_fail(c, 401, "Cookie is not acceptable", "Unknown or expired cookie");
		return;
	}
	explicit_bzero(&ck, sizeof(ck));
	c->session = s;
	c->gen = gen;
	/* The tunnel runs on the configuration its session started with (reload, §issue 6). */
	config_put(c->cfg);
	c->cfg = config_get(s->cfg);
	if (c->cfg->hostname_override) /* a per-user "hostname" wins over the client's */
		snprintf(creq.hostname, sizeof(creq.hostname), "%s", c->cfg->hostname_override);
	conn__limits_init(c);
	c->slot = s->lease.slot;
	c->mobile = creq.mobile;

	if (compute_mtu(c, &creq, &s->lease, &mtu)) {
		explicit_bzero(&creq, sizeof(creq));
		connect_fail(c, 503, "Service Unavailable", "No usable MTU");
		return;
	}
	c->data_mtu = mtu.data_mtu;
	struct cstp_dtls_reply dtls_reply;
	dtls_offer(c, &creq, &dtls_reply);
	const struct config *cfg = c->cfg;
	uint64_t now = loop_now_ns(c->w->loop);
	unsigned remaining = 0;
	if (cfg->session_timeout_s) {
		uint64_t used_s = (now - s->created_ns) / NS_PER_SEC;
		remaining = used_s >= cfg->session_timeout_s
				    ? 1
				    : cfg->session_timeout_s - (unsigned)used_s;
	}
	enum ua_class ua = ua_classify(http_request_header(req, "User-Agent"));
	struct cstp_reply reply = {
		.cfg = cfg,
		.has_v4 = s->lease.has_v4 && creq.want_v4,
		.v4 = s->lease.v4,
		.v4_netmask = s->lease.v4_netmask,
		.has_v6 = s->lease.has_v6 && creq.want_v6 && mtu.ipv6_ok,
		.v6 = s->lease.v6,
		.v6_prefix = s->lease.v6_prefix,
		.req = &creq,
		.anyconnect_ua = ua_is_anyconnect(ua),
		.base_mtu = mtu.link_mtu,
		.data_mtu = mtu.data_mtu,
		.session_timeout_s = cfg->session_timeout_s,
		.session_remaining_s = remaining,
		.dtls = &dtls_reply,
		.rekey_in_place = conn__rekey_is_in_place(c),
	};
	struct connect_pending *p = &c->pend;
	buf_init(&p->head, RESPONSE_BODY_MAX);
	ret = cstp_reply_render(&p->head, &reply);
	p->prev_worker = prev_worker;
	p->data_mtu = mtu.data_mtu;
	p->has_v4 = reply.has_v4;
	p->has_v6 = reply.has_v6;
	snprintf(p->hostname, sizeof(p->hostname), "%s", creq.hostname);
	snprintf(p->user_agent, sizeof(p->user_agent), "%s",
		 http_request_header(req, "User-Agent") ? http_request_header(req, "User-Agent")
							: "");
	/* For the scripts' DEVICE_TYPE and DEVICE_PLATFORM, as ocserv reads them. */
	const char *hv = http_request_header(req, "X-AnyConnect-Identifier-DeviceType");
	snprintf(p->device_type, sizeof(p->device_type), "%s", hv ? hv : "");
	hv = http_request_header(req, "X-AnyConnect-Identifier-Platform");
	snprintf(p->device_platform, sizeof(p->device_platform), "%s", hv ? hv : "");
	explicit_bzero(&creq, sizeof(creq));
	explicit_bzero(&dtls_reply, sizeof(dtls_reply));
	if (ret) {
		conn_close(c, "cannot build the CONNECT reply");
		return;
	}
	if (conn__connect_script_start(c))
		return; /* conn__connect_finish() runs when the connect-script says yes */
	conn__connect_finish(c);
}

void conn__connect_refuse(struct conn *c, const char *why)
{
	buf_fini(&c->pend.head);
	session_invalidate(c->w->vpn->sessions, c->session);
	connect_fail(c, 401, "Unauthorized", why);
}

void conn__connect_finish(struct conn *c)
{
	struct connect_pending *p = &c->pend;
	struct session *s = c->session;
	struct vpn *v = c->w->vpn;
	int ret = conn__queue_raw(c, buf_head(&p->head), buf_used(&p->head));

	buf_fini(&p->head);
	if (ret) {
		conn_close(c, "cannot queue the CONNECT reply");
		return;
	}
	if (take_slot(c, s, p->prev_worker)) {
		conn_close(c, "its iroutes cannot be applied");
		return;
	}
	char local_ip[INET6_ADDRSTRLEN];
	conn__local_ip(c, local_ip, sizeof(local_ip));
	session_tunnel_info_set(v->sessions, s,
				&(struct session_tunnel_info){
					.remote_ip = c->peer_ip,
					.local_ip = local_ip,
					.user_agent = p->user_agent,
					.hostname = p->hostname,
					.tls_cipher = tls_conn_cipher(c->tls),
					.mtu = p->data_mtu,
				});
	char a4[INET_ADDRSTRLEN] = "-", a6[INET6_ADDRSTRLEN] = "-";
	if (p->has_v4)
		inet_ntop(AF_INET, &s->lease.v4, a4, sizeof(a4));
	if (p->has_v6)
		inet_ntop(AF_INET6, &s->lease.v6, a6, sizeof(a6));
	log_msg(LOG_INFO,
		"conn %s (session %llu, %s): tunnel up on worker %u, ipv4 %s, ipv6 %s, mtu %u, "
		"dtls %s",
		c->peer, (unsigned long long)s->id, s->username, c->w->idx, a4, a6, p->data_mtu,
		c->dtls.mode == DTLS_MODE_PSK	   ? "psk"
		: c->dtls.mode == DTLS_MODE_LEGACY ? "legacy"
						   : "off");
	record_handshake_time(c);
	vpn_event_post(v, s, true, nullptr);
	conn__flush(c);
	if (c->state == CONN_CLOSING)
		return;
	conn__tunnel_start(c);
	if (c->state != CONN_CLOSING && p->hostname[0])
		conn__host_update_script(c);
}

void conn__local_ip(const struct conn *c, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	const void *a = nullptr;
	int family = AF_INET;

	buf[0] = '\0';
	if (getsockname(c->fd, (struct sockaddr *)&ss, &sl))
		return;
	if (ss.ss_family == AF_INET6) {
		const struct in6_addr *a6 = &((const struct sockaddr_in6 *)&ss)->sin6_addr;
		if (IN6_IS_ADDR_V4MAPPED(a6)) {
			a = &a6->s6_addr[12];
		} else {
			a = a6;
			family = AF_INET6;
		}
	} else if (ss.ss_family == AF_INET) {
		a = &((const struct sockaddr_in *)&ss)->sin_addr;
	}
	if (a && !inet_ntop(family, a, buf, (socklen_t)len))
		buf[0] = '\0';
}

/* ---- fixed endpoints (§2.3): cheap constant answers, never files ---- */

struct fixed_answer {
	const char *path;
	const char *ctype;
	const char *body;
};

static const struct fixed_answer fixed_answers[] = {
	{"/VPNManifest.xml", xml_type, "<vpn rev=\"1.0\"></vpn>\n"},
	{"/1/VPNManifest.xml", xml_type, "<vpn rev=\"1.0\"></vpn>\n"},
	{"/1/binaries/update.txt", "text/plain", "0,0,0000\n"},
	{"/1/binaries/vpndownloader.sh", "application/x-shellscript", "#!/bin/sh\nexit 0\n"},
	{"/1/index.html", "text/html", "<html></html>\n"},
	{"/1/Linux", "text/html", "<html></html>\n"},
	{"/1/Linux_64", "text/html", "<html></html>\n"},
	{"/1/Windows", "text/html", "<html></html>\n"},
	{"/1/Windows_ARM64", "text/html", "<html></html>\n"},
	{"/1/Darwin_i386", "text/html", "<html></html>\n"},
	{"/+CSCOT+/translation-table", xml_type, "<vpn rev=\"1.0\"></vpn>\n"},
	{"/+CSCOT+/oem-customization", xml_type, "<vpn rev=\"1.0\"></vpn>\n"},
};

static bool path_is(const char *path, size_t len, const char *want)
{
	return strlen(want) == len && memcmp(path, want, len) == 0;
}

static void handle_get(struct conn *c, const struct http_request *req, size_t path_len)
{
	if (path_is(req->path, path_len, "/") || path_is(req->path, path_len, "/auth")) {
		respond_form(c, nullptr);
		return;
	}
	if (path_is(req->path, path_len, "/logout")) {
		struct cookie ck;
		if (!request_cookie(req, &ck) && session_logout(c->w->vpn->sessions, &ck))
			log_msg(LOG_INFO, "conn %s: logout ended a session", c->peer);
		explicit_bzero(&ck, sizeof(ck));
		respond(c, 200, "OK", "text/html", nullptr, 0, "<html></html>\n", 14, false);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(fixed_answers); i++) {
		const struct fixed_answer *a = &fixed_answers[i];
		if (path_is(req->path, path_len, a->path)) {
			respond(c, 200, "OK", a->ctype, nullptr, 0, a->body, strlen(a->body),
				false);
			return;
		}
	}
	respond_status(c, 404, "Not Found", false);
}

static void handle_request(struct conn *c, const struct http_request *req)
{
	size_t path_len = strcspn(req->path, "?");

	c->requests++;
	switch (req->method) {
	case HTTP_CONNECT:
		if (path_is(req->path, path_len, "/CSCOSSLC/tunnel") ||
		    path_is(req->path, path_len, "CSCOSSLC/tunnel"))
			handle_connect(c, req);
		else
			respond_status(c, 404, "Not Found", true);
		return;
	case HTTP_POST:
		handle_auth_post(c, req);
		return;
	case HTTP_GET:
	case HTTP_HEAD:
		handle_get(c, req, path_len);
		return;
	case HTTP_OTHER:
		respond_status(c, 405, "Method Not Allowed", true);
		return;
	}
}

void conn__http_process(struct conn *c)
{
	const struct http_limits lim = HTTP_LIMITS_DEFAULT;

	while (c->state == CONN_HTTP && buf_used(&c->in)) {
		struct http_request req;
		ssize_t n = http_request_parse_next(&c->http, buf_head(&c->in), buf_used(&c->in),
						    &lim, &req);
		if (n == -EAGAIN)
			return;
		if (n < 0) {
			log_msg(LOG_NOTICE, "conn %s: bad HTTP request: %s", c->peer,
				strerror((int)-n));
			conn__sentry(c, SENTRY_EV_HTTP_ERROR);
			respond_status(c, n == -E2BIG ? 413 : 400,
				       n == -E2BIG ? "Request Too Large" : "Bad Request", true);
			return;
		}
		if (c->requests >= HTTP_MAX_REQUESTS) {
			http_request_fini(&req);
			log_msg(LOG_NOTICE, "conn %s: more than %u HTTP requests on one connection",
				c->peer, (unsigned)HTTP_MAX_REQUESTS);
			respond_status(c, 429, "Too Many Requests", true);
			return;
		}
		buf_consume(&c->in, (size_t)n);
		/* Bytes already behind this request arrived before its answer: pipelined. Frames
		 * right behind a CONNECT are fine. */
		bool early = buf_used(&c->in) && req.method != HTTP_CONNECT;
		handle_request(c, &req);
		bool keep = req.keep_alive;
		http_request_fini(&req);
		if (!keep && c->state == CONN_HTTP) {
			conn_close(c, "client asked to close");
			return;
		}
		if (early && c->state == CONN_HTTP) {
			conn__http_refuse_pipelined(c);
			return;
		}
	}
}

/* Pipelining (§2.1): each request is answered in order; a request that arrived before the
 * answer to the one ahead of it was produced — in the same read, or while that one waited for
 * its auth verdict — gets 400 and the connection closes, whatever the timing of the reads
 * (ocserv #716: never answer a request in a context it was not sent in). openconnect and
 * Cisco clients wait for each answer, so they never see this. */
void conn__http_refuse_pipelined(struct conn *c)
{
	log_msg(LOG_NOTICE, "conn %s: pipelined HTTP request refused", c->peer);
	respond_status(c, 400, "Bad Request", true);
}
