// SPDX-License-Identifier: GPL-2.0-or-later
/* tunnel/conn.c — a client connection's I/O and state machine: TLS handshake, reading into the
 * input buffer, writing queued bytes one TLS record at a time, deadlines, the CSTP tunnel
 * (frames in, packets out), and closing. HTTP request handling is in conn_http.c. */
#include "tunnel/conn.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/compiler.h"
#include "core/log.h"
#include "net/net.h"
#include "tls/tls.h"
#include "tunnel/cstp.h"
#include "tunnel/iroute.h"
#include "tunnel/worker.h"

enum {
	CONN_READ_CHUNK = 16384 + 64,
	CONN_NOTSENT_LOWAT = 128 * 1024,
	CONN_READ_BUDGET = 64, /* TLS records per readiness event: fairness between clients */
	CONN_REQUEST_S = 30,   /* a started HTTP request must be complete within this */
	CONN_HANDSHAKE_S = 30, /* TLS handshake deadline (slow clients, slowloris) */
};

const char *const conn_state_name[CONN__COUNT] = {
	[CONN_TLS_HANDSHAKE] = "tls-handshake",
	[CONN_HTTP] = "http",
	[CONN_AUTH_WAIT] = "auth-wait",
	[CONN_TUNNEL] = "tunnel",
	[CONN_CLOSING] = "closing",
};

/* Legal moves: [from][to]. */
static const bool conn_moves[CONN__COUNT][CONN__COUNT] = {
	[CONN_TLS_HANDSHAKE] = {[CONN_HTTP] = true, [CONN_CLOSING] = true},
	[CONN_HTTP] = {[CONN_AUTH_WAIT] = true, [CONN_TUNNEL] = true, [CONN_CLOSING] = true},
	[CONN_AUTH_WAIT] = {[CONN_HTTP] = true, [CONN_CLOSING] = true},
	[CONN_TUNNEL] = {[CONN_CLOSING] = true},
};

void conn_log(const struct conn *c, int level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!log_is_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->session)
		log_msg(level, "conn %s (session %llu, %s): %s", c->peer,
			(unsigned long long)c->session->id, c->session->username, msg);
	else
		log_msg(level, "conn %s: %s", c->peer, msg);
}

void conn__set_state(struct conn *c, enum conn_state next)
{
	enum conn_state prev = c->state;

	if (!conn_moves[prev][next]) {
		conn_log(c, LOG_ERR, "BUG: state %s -> %s refused", conn_state_name[prev],
			 conn_state_name[next]);
		if (prev == CONN_CLOSING)
			return;
		next = CONN_CLOSING;
	}
	c->state = next;
	conn_log(c, LOG_DEBUG, "state %s -> %s", conn_state_name[prev], conn_state_name[next]);
	conn__deadline_arm(c);
}

void conn__limits_init(struct conn *c)
{
	uint64_t now = loop_now_ns(c->w->loop);

	c->rx_limit = (struct rate_bucket){.rate = c->cfg->rx_data_per_sec, .last_ns = now};
	c->tx_limit = (struct rate_bucket){.rate = c->cfg->tx_data_per_sec, .last_ns = now};
	c->rx_limit.tokens = c->rx_limit.rate;
	c->tx_limit.tokens = c->tx_limit.rate;
}

/* A packet of len bytes fits the budget (one second's worth of burst), or is dropped — as a
 * congested link would; TCP inside the tunnel then settles at the configured rate. */
static bool rate_allows(struct rate_bucket *b, size_t len, uint64_t now)
{
	if (!b->rate)
		return true;
	if (now > b->last_ns) {
		uint64_t add = (now - b->last_ns) * b->rate / NS_PER_SEC;
		if (add) {
			b->tokens = b->tokens + add > b->rate ? b->rate : b->tokens + add;
			b->last_ns = now;
		}
	}
	if (b->tokens < len)
		return false;
	b->tokens -= len;
	return true;
}

/* restrict-user-to-routes: the destination must be inside one of the session's routes. */
static bool dst_in_routes(const struct config *cfg, const struct inner_pkt *ip)
{
	if (cfg->route_default || !cfg->routes.len)
		return true;
	for (size_t i = 0; i < cfg->routes.len; i++) {
		const struct cfg_prefix *p = &cfg->routes.items[i];
		const uint8_t *net = (const uint8_t *)&p->addr;
		unsigned bits = p->prefix_len, full = bits / 8, rest = bits % 8;
		if (p->family != ip->family)
			continue;
		if (memcmp(net, ip->dst, full))
			continue;
		if (rest && ((net[full] ^ ip->dst[full]) & (uint8_t)(0xff << (8 - rest))))
			continue;
		return true;
	}
	return false;
}

static void conn_free(struct loop_call *call)
{
	struct conn *c = container_of(call, struct conn, free_call);

	tls_conn_free(c->tls);
	close(c->fd);
	buf_fini(&c->in);
	buf_fini(&c->out);
	buf_fini(&c->pend.head);
	config_put(c->cfg);
	list_del(&c->node);
	c->w->n_conns--;
	atomic_fetch_sub_explicit(&c->w->stats.connections, 1, memory_order_relaxed);
	free(c);
}

static void conn_release_tunnel(struct conn *c, bool invalidate, const char *reason)
{
	struct worker *w = c->w;
	struct vpn *v = w->vpn;

	if (!c->session)
		return;
	if (w->slot_conn[c->slot] == c) {
		bool routed = session_iroutes(c->session)->len > 0;

		conn__disconnect_script(c); /* the tunnel really ends (not a takeover) */
		vpn_event_post(v, c->session, false, reason);
		w->slot_conn[c->slot] = nullptr;
		uint16_t mine = (uint16_t)(w->idx + 1);
		if (routed)
			pthread_mutex_lock(&v->route_lock); /* see take_slot() */
		/* Only the current owner clears: after a takeover the slot belongs elsewhere. */
		if (atomic_compare_exchange_strong(&v->slot_owner[c->slot], &mine, 0)) {
			if (routed)
				iroute_down(v, c->session, c->slot);
			net_accel_lease(v->accel, &c->session->lease, -1);
		}
		if (routed)
			pthread_mutex_unlock(&v->route_lock);
	}
	session_detach(v->sessions, c->session, c->gen, invalidate);
	c->session = nullptr;
}

static void conn_close_ex(struct conn *c, const char *reason, bool invalidate)
{
	struct worker *w = c->w;

	if (c->state == CONN_CLOSING)
		return;
	conn_log(c, LOG_INFO, "closed: %s", reason);
	conn__set_state(c, CONN_CLOSING);
	if (c->tls)
		tls_conn_shutdown(c->tls);
	if (c->dirty) {
		list_del(&c->dirty_node);
		c->dirty = false;
	}
	dtls_chan_close_all(c);
	conn_release_tunnel(c, invalidate, reason);
	loop_timer_cancel(w->loop, &c->timer);
	loop_watch_del(w->loop, &c->watch);
	if (c->auth) {
		c->free_after_auth = true; /* the auth pool still holds c->auth */
		return;
	}
	if (c->reread_queued)
		list_del(&c->reread_call.node); /* never run a read on a closed connection */
	loop_defer(w->loop, &c->free_call, conn_free);
}

void conn_close(struct conn *c, const char *reason)
{
	conn_close_ex(c, reason, false);
}

void conn__close_invalidate(struct conn *c, const char *reason)
{
	conn_close_ex(c, reason, true);
}

int conn__queue_raw(struct conn *c, const void *data, size_t len)
{
	int ret = buf_append(&c->out, data, len);

	if (!ret)
		c->out_raw += len;
	return ret;
}

static void conn_update_events(struct conn *c)
{
	uint32_t ev = EPOLLIN;

	if (c->state == CONN_CLOSING)
		return;
	if (buf_used(&c->out) || (c->tls && tls_conn_wants_write(c->tls)))
		ev |= EPOLLOUT;
	if (loop_watch_mod(c->w->loop, &c->watch, ev))
		conn_close(c, "epoll_ctl failed");
}

/* The next record to write: raw HTTP bytes first (any cut), then exactly one CSTP frame. */
static size_t next_record_len(const struct conn *c)
{
	const uint8_t *h = buf_head(&c->out);

	if (c->out_raw)
		return c->out_raw < 16384 ? c->out_raw : 16384;
	BUG_ON(buf_used(&c->out) < CSTP_HDR_LEN);
	return CSTP_HDR_LEN + ((size_t)h[4] << 8 | h[5]);
}

/* Hand the queued bytes to TLS as records; TLS gathers them until tls_conn_flush(). */
static void conn_write_records(struct conn *c)
{
	while (c->state != CONN_CLOSING && buf_used(&c->out)) {
		size_t n = next_record_len(c);
		ssize_t ret = tls_conn_write(c->tls, buf_head(&c->out), n);
		if (ret == -EAGAIN)
			break;
		if (ret < 0) {
			conn_close(c, "write failed");
			return;
		}
		buf_consume(&c->out, n);
		c->out_raw -= c->out_raw ? n : 0;
	}
}

void conn__flush(struct conn *c)
{
	conn_write_records(c);
	if (c->state == CONN_CLOSING)
		return;
	int ret = tls_conn_flush(c->tls);
	if (ret && ret != -EAGAIN) {
		conn_close(c, "write failed");
		return;
	}
	if (!buf_used(&c->out) && c->out.cap > 65536)
		buf_reset(&c->out, 0); /* an idle session gives its burst buffer back */
	conn_update_events(c);
}

void conn__flush_batched(struct conn *c)
{
	/* Downlink packets: records now, one send(2) for the whole batch at the end of the
	 * worker's round (worker_flush_dirty). */
	conn_write_records(c);
	if (c->state == CONN_CLOSING || c->dirty)
		return;
	c->dirty = true;
	list_add_tail(&c->w->dirty, &c->dirty_node);
}

static int conn_queue_frame(struct conn *c, enum cstp_type type, const void *payload, size_t len)
{
	uint8_t hdr[CSTP_HDR_LEN];
	int ret;

	if (len > CSTP_MAX_PAYLOAD)
		return -E2BIG;
	if (buf_used(&c->out) + CSTP_HDR_LEN + len > CONN_OUT_MAX)
		return -ENOBUFS;
	cstp_header_write(hdr, type, len);
	ret = buf_reserve(&c->out, CSTP_HDR_LEN + len);
	if (ret)
		return ret;
	memcpy(buf_tail(&c->out), hdr, CSTP_HDR_LEN);
	if (len)
		memcpy(buf_tail(&c->out) + CSTP_HDR_LEN, payload, len);
	c->out.len += CSTP_HDR_LEN + len;
	return 0;
}

void conn_send_packet(struct conn *c, const uint8_t *pkt, size_t len)
{
	if (c->state != CONN_TUNNEL)
		return;
	struct vpn_stats *st = &c->w->stats;

	if (!rate_allows(&c->tx_limit, len, loop_now_ns(c->w->loop))) {
		atomic_fetch_add_explicit(&st->drops, 1, memory_order_relaxed);
		return;
	}
	bool over_dtls = dtls_chan_send(c, CSTP_DATA, pkt, len);

	if (!over_dtls && conn_queue_frame(c, CSTP_DATA, pkt, len)) {
		atomic_fetch_add_explicit(&st->drops, 1, memory_order_relaxed);
		return;
	}
	atomic_fetch_add_explicit(&c->session->tx_bytes, len, memory_order_relaxed);
	atomic_fetch_add_explicit(&c->session->tx_pkts, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&st->bytes[VPN_TX][over_dtls], len, memory_order_relaxed);
	atomic_fetch_add_explicit(&st->packets[VPN_TX][over_dtls], 1, memory_order_relaxed);
	if (!over_dtls)
		conn__flush_batched(c);
}

void conn_kick(struct conn *c, const char *reason)
{
	if (c->state == CONN_TUNNEL) {
		/* An empty DISCONNECT makes the client quit instead of reconnecting (§4.5). */
		if (!conn_queue_frame(c, CSTP_DISCONNECT, nullptr, 0))
			conn__flush(c);
	}
	conn_close(c, reason);
}

/* ---- tunnel: frames from the client ---- */

bool conn__sentry(struct conn *c, enum sentry_event ev)
{
	struct sentry *s = c->w->vpn->sentry;

	if (!s || !c->peer_addr.family)
		return false;
	return sentry_event(s, &c->peer_addr, ev, loop_now_ns(c->w->loop)) == SENTRY_REJECT;
}

void conn__tunnel_data(struct conn *c, const uint8_t *pkt, size_t len, bool over_dtls)
{
	struct worker *w = c->w;
	struct inner_pkt ip;

	if (inner_parse(pkt, len, &ip)) {
		w->bad_inner_drops++;
		return;
	}
	const struct cfg_prefixlist *ir = session_iroutes(c->session);
	if (!inner_src_is_lease(&ip, &c->session->lease) &&
	    !(ir->len && inner_src_in_prefixes(&ip, ir->items, ir->len))) {
		/* Clients' own router solicitations and MLD reports come from fe80::/10 or ::. */
		bool local = ip.family == AF_INET6 &&
			     ((ip.src[0] == 0xfe && (ip.src[1] & 0xc0) == 0x80) ||
			      IN6_IS_ADDR_UNSPECIFIED((const struct in6_addr *)ip.src));
		if (local)
			return;
		/* The first, then one in 1024: a spoofing client cannot flood the log. */
		if (!(atomic_fetch_add_explicit(&w->stats.spoofed, 1, memory_order_relaxed) & 1023))
			conn_log(c, LOG_NOTICE,
				 "dropped packet with a source address not its lease");
		return;
	}
	if (c->cfg->restrict_user_to_routes && !dst_in_routes(c->cfg, &ip)) {
		atomic_fetch_add_explicit(&w->stats.spoofed, 1, memory_order_relaxed);
		return;
	}
	if (!rate_allows(&c->rx_limit, len, loop_now_ns(w->loop))) {
		atomic_fetch_add_explicit(&w->stats.drops, 1, memory_order_relaxed);
		return;
	}
	atomic_fetch_add_explicit(&c->session->rx_bytes, len, memory_order_relaxed);
	atomic_fetch_add_explicit(&c->session->rx_pkts, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&w->stats.bytes[VPN_RX][over_dtls], len, memory_order_relaxed);
	atomic_fetch_add_explicit(&w->stats.packets[VPN_RX][over_dtls], 1, memory_order_relaxed);
	c->last_data_ns = loop_now_ns(w->loop);
	worker_tun_write(w, pkt, len);
}

void conn__tunnel_disconnect(struct conn *c, uint8_t reason)
{
	/* 0xb0: the user asked to disconnect — end the session (§4.5, §6.4). Anything else (0x91
	 * "reconnecting", empty) keeps the cookie for cookie-timeout. */
	if (reason == 0xb0) {
		conn_close_ex(c, "client disconnected (user request)", true);
		return;
	}
	conn_close(c, "client disconnected (temporary)");
}

static void tunnel_process(struct conn *c)
{
	struct cstp_frame f;
	ssize_t n;

	while (c->state == CONN_TUNNEL && (n = cstp_frame_parse(buf_head(&c->in), buf_used(&c->in),
								CSTP_MAX_PAYLOAD, &f)) > 0) {
		switch (f.type) {
		case CSTP_DATA:
			dtls_chan_on_cstp_data(c);
			conn__tunnel_data(c, f.payload, f.len, false);
			break;
		case CSTP_DPD_REQ:
			/* Echo byte for byte: clients probe the MTU with padded DPDs (§5.6). */
			if (!conn_queue_frame(c, CSTP_DPD_RESP, f.payload, f.len))
				conn__flush(c);
			break;
		case CSTP_DPD_RESP:
			c->dpd_sent_ns = 0;
			break;
		case CSTP_KEEPALIVE:
			break;
		case CSTP_DISCONNECT:
			conn__tunnel_disconnect(c, f.len ? f.payload[0] : 0);
			return;
		case CSTP_TERMINATE:
			conn_close(c, "client terminated");
			return;
		case CSTP_COMPRESSED:
			conn_close(c, "compressed frame, but no compression was negotiated");
			return;
		default:
			conn_log(c, LOG_DEBUG, "ignored CSTP frame of unknown type 0x%02x", f.type);
			break;
		}
		buf_consume(&c->in, (size_t)n);
	}
	if (c->state == CONN_TUNNEL && n == -EBADMSG)
		conn_close(c, "malformed CSTP frame");
}

bool conn__rekey_is_in_place(const struct conn *c)
{
	return c->cfg->rekey_method == CFG_REKEY_SSL && c->cfg->rekey_time_s &&
	       tls_conn_is_tls13(c->tls);
}

void conn__tunnel_start(struct conn *c)
{
	c->last_data_ns = loop_now_ns(c->w->loop);
	if (conn__rekey_is_in_place(c))
		c->rekey_ns = c->last_data_ns + (uint64_t)c->cfg->rekey_time_s * NS_PER_SEC;
	conn__set_state(c, CONN_TUNNEL);
	/* A client may send frames right behind its CONNECT. */
	tunnel_process(c);
}

/* ---- deadlines ---- */

static uint64_t min_deadline(uint64_t a, uint64_t b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

static uint64_t tunnel_deadline(const struct conn *c)
{
	const struct config *cfg = c->cfg;
	unsigned dpd = c->mobile ? cfg->mobile_dpd_s : cfg->dpd_s;
	unsigned idle = c->mobile ? cfg->mobile_idle_timeout_s : cfg->idle_timeout_s;
	uint64_t d = 0;

	if (dpd) /* 2×DPD of silence: probe; 3×DPD: dead (§4.4) */
		d = c->last_rx_ns + (uint64_t)(c->dpd_sent_ns ? 3 : 2) * dpd * NS_PER_SEC;
	if (idle)
		d = min_deadline(d, c->last_data_ns + (uint64_t)idle * NS_PER_SEC);
	if (cfg->session_timeout_s)
		d = min_deadline(d, c->session->created_ns +
					    (uint64_t)cfg->session_timeout_s * NS_PER_SEC);
	d = min_deadline(d, c->rekey_ns);
	return min_deadline(d, dtls_chan_deadline(c));
}

void conn__deadline_arm(struct conn *c)
{
	const struct config *cfg = c->cfg;
	uint64_t d = 0;

	switch (c->state) {
	case CONN_TLS_HANDSHAKE:
		d = c->accepted_ns + (uint64_t)CONN_HANDSHAKE_S * NS_PER_SEC;
		break;
	case CONN_HTTP:
	case CONN_AUTH_WAIT:
		d = c->accepted_ns + (uint64_t)cfg->auth_timeout_s * NS_PER_SEC;
		if (buf_used(&c->in)) /* a request is half-way: bounded however slowly it drips */
			d = min_deadline(d,
					 c->req_start_ns + (uint64_t)CONN_REQUEST_S * NS_PER_SEC);
		if (c->requests && !buf_used(&c->in)) /* keep-alive between requests */
			d = min_deadline(d, c->last_rx_ns +
						    (uint64_t)cfg->auth_timeout_s * NS_PER_SEC);
		break;
	case CONN_TUNNEL:
		d = tunnel_deadline(c);
		break;
	case CONN_CLOSING:
	case CONN__COUNT:
		return;
	}
	if (d)
		loop_timer_arm(c->w->loop, &c->timer, d);
	else
		loop_timer_cancel(c->w->loop, &c->timer);
}

/* rekey-method = ssl on TLS 1.3: a KeyUpdate every rekey-time; the client answers with its
 * own (anyconnect-protocol.md §6.6). A record still queued: try again in a second. */
static void tunnel_rekey(struct conn *c, uint64_t now)
{
	int ret = tls_conn_key_update(c->tls);

	if (ret == -EAGAIN) {
		c->rekey_ns = now + NS_PER_SEC;
		return;
	}
	if (ret) {
		conn_close(c, "rekey failed");
		return;
	}
	conn_log(c, LOG_INFO, "rekey: TLS 1.3 key update sent");
	c->rekey_ns = now + (uint64_t)c->cfg->rekey_time_s * NS_PER_SEC;
	conn__flush(c);
}

static void tunnel_on_timer(struct conn *c, uint64_t now)
{
	const struct config *cfg = c->cfg;
	unsigned dpd = c->mobile ? cfg->mobile_dpd_s : cfg->dpd_s;
	unsigned idle = c->mobile ? cfg->mobile_idle_timeout_s : cfg->idle_timeout_s;

	if (session_is_expired(c->session, cfg, now)) {
		/* TERMINATE: the client must not reconnect with this cookie (§6.3). */
		if (!conn_queue_frame(c, CSTP_TERMINATE, nullptr, 0))
			conn__flush(c);
		conn_close_ex(c, "session timeout", true);
		return;
	}
	if (idle && now >= c->last_data_ns + (uint64_t)idle * NS_PER_SEC) {
		conn_kick(c, "idle timeout");
		return;
	}
	if (dpd && now >= c->last_rx_ns + 3ull * dpd * NS_PER_SEC) {
		conn_close(c, "DPD timeout");
		return;
	}
	if (dpd && !c->dpd_sent_ns && now >= c->last_rx_ns + 2ull * dpd * NS_PER_SEC) {
		c->dpd_sent_ns = now;
		if (!conn_queue_frame(c, CSTP_DPD_REQ, nullptr, 0))
			conn__flush(c);
	}
	if (c->rekey_ns && now >= c->rekey_ns)
		tunnel_rekey(c, now);
	if (c->state != CONN_TUNNEL)
		return;
	(void)dtls_chan_on_timer(c, now);
	if (c->state == CONN_TUNNEL)
		conn__deadline_arm(c);
}

static void conn_on_timer(struct timer *t)
{
	struct conn *c = container_of(t, struct conn, timer);
	uint64_t now = loop_now_ns(c->w->loop);

	switch (c->state) {
	case CONN_TLS_HANDSHAKE:
		conn_close(c, "TLS handshake timeout");
		break;
	case CONN_HTTP:
	case CONN_AUTH_WAIT:
		conn_close(c, buf_used(&c->in) ? "HTTP request timeout" : "authentication timeout");
		break;
	case CONN_TUNNEL:
		tunnel_on_timer(c, now);
		break;
	case CONN_CLOSING:
	case CONN__COUNT:
		break;
	}
}

/* ---- reading ---- */

static void conn_dispatch_input(struct conn *c)
{
	switch (c->state) {
	case CONN_HTTP:
		conn__http_process(c);
		break;
	case CONN_TUNNEL:
		tunnel_process(c);
		break;
	default:
		break; /* AUTH_WAIT: requests wait in c->in until the verdict */
	}
}

static void conn_read(struct conn *c);

static void conn_on_reread(struct loop_call *call)
{
	struct conn *c = container_of(call, struct conn, reread_call);

	c->reread_queued = false;
	if (c->state != CONN_CLOSING) {
		conn_read(c);
		conn_update_events(c);
	}
}

static void conn_read(struct conn *c)
{
	int budget;

	for (budget = CONN_READ_BUDGET; budget > 0 && c->state != CONN_CLOSING; budget--) {
		if (c->state == CONN_TLS_HANDSHAKE) {
			int ret = tls_conn_handshake(c->tls);
			if (ret == -EAGAIN)
				return;
			if (ret) {
				conn__sentry(c, SENTRY_EV_TLS_FAIL);
				conn_close(c, "TLS handshake failed");
				return;
			}
			conn_log(c, LOG_DEBUG, "TLS established: %s, %s", tls_conn_version(c->tls),
				 tls_conn_cipher(c->tls));
			conn__set_state(c, CONN_HTTP);
			continue;
		}
		if (buf_reserve(&c->in, CONN_READ_CHUNK)) {
			/* The peer sent more than any legal request or frame: stop it here. */
			conn_close(c, "input buffer limit reached");
			return;
		}
		ssize_t n = tls_conn_read(c->tls, buf_tail(&c->in), buf_room(&c->in));
		if (n == -EAGAIN)
			return;
		if (n == 0) {
			conn_close(c, "peer closed the connection");
			return;
		}
		if (n < 0) {
			conn_close(c, "read failed");
			return;
		}
		if (!buf_used(&c->in))
			c->req_start_ns = loop_now_ns(c->w->loop);
		c->in.len += (size_t)n;
		c->last_rx_ns = loop_now_ns(c->w->loop);
		c->dpd_sent_ns = 0; /* any frame is liveness (§4.4) */
		conn_dispatch_input(c);
		if (c->state == CONN_HTTP)
			conn__deadline_arm(c);
	}
	/* Out of budget: wolfSSL may hold records the socket no longer signals; come back after
	 * the other ready connections had their turn. */
	if (!budget && c->state != CONN_CLOSING && !c->reread_queued) {
		c->reread_queued = true;
		loop_defer(c->w->loop, &c->reread_call, conn_on_reread);
	}
}

static void conn_on_event(struct loop_watch *watch, uint32_t events)
{
	struct conn *c = container_of(watch, struct conn, watch);

	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		conn_read(c);
	if (c->state != CONN_CLOSING && (events & EPOLLOUT)) {
		if (c->state == CONN_TLS_HANDSHAKE)
			conn_read(c);
		else
			conn__flush(c);
	}
	if (c->state == CONN_CLOSING)
		return;
	if (!buf_used(&c->in) && c->in.cap > 65536)
		buf_reset(&c->in, 0);
	conn_update_events(c);
}

void conn_accept(struct worker *w, int fd, const struct sockaddr_storage *peer)
{
	struct conn *c = calloc(1, sizeof(*c));
	int ret;

	if (!c) {
		close(fd);
		return;
	}
	c->w = w;
	c->fd = fd;
	/* Keep little unsent data in the kernel: a full TCP send buffer in front of a tunnel is
	 * pure queueing delay for every packet behind it (latency under load). */
	int lowat = CONN_NOTSENT_LOWAT, one = 1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat, sizeof(lowat));
	/* Records go out in gathered sends already; Nagle would hold each send's last partial
	 * segment for an ACK (halved the download rate in bench/). */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->cfg = vpn_config_acquire(w->vpn);
	c->accepted_ns = c->last_rx_ns = loop_now_ns(w->loop);
	buf_init(&c->in, CONN_IN_MAX);
	buf_init(&c->out, CONN_OUT_MAX + 16384);
	timer_init(&c->timer, conn_on_timer);
	if (peer->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)peer;
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], c->peer_ip,
				  sizeof(c->peer_ip));
		} else {
			inet_ntop(AF_INET6, &s6->sin6_addr, c->peer_ip, sizeof(c->peer_ip));
			c->peer_v6 = true;
		}
		c->peer_port = ntohs(s6->sin6_port);
		snprintf(c->peer, sizeof(c->peer), c->peer_v6 ? "[%s]:%u" : "%s:%u", c->peer_ip,
			 c->peer_port);
	} else {
		const struct sockaddr_in *s4 = (const void *)peer;
		inet_ntop(AF_INET, &s4->sin_addr, c->peer_ip, sizeof(c->peer_ip));
		c->peer_port = ntohs(s4->sin_port);
		snprintf(c->peer, sizeof(c->peer), "%s:%u", c->peer_ip, c->peer_port);
	}
	list_add_tail(&w->conns, &c->node);
	w->n_conns++;
	atomic_fetch_add_explicit(&w->stats.connections, 1, memory_order_relaxed);
	if (sentry_addr_from_sockaddr((const struct sockaddr *)peer, sizeof(*peer), &c->peer_addr))
		c->peer_addr.family = 0;
	if (w->vpn->sentry && c->peer_addr.family &&
	    sentry_check_connect(w->vpn->sentry, &c->peer_addr, SENTRY_PROTO_TCP, c->peer_port,
				 loop_now_ns(w->loop)) == SENTRY_REJECT) {
		/* Refused before any TLS work: the cheapest possible answer to a banned source. */
		c->watch.fd = -1;
		c->state = CONN_TLS_HANDSHAKE;
		conn_log(c, LOG_INFO, "refused: source is banned or not allowed");
		conn_close(c, "refused by sentry");
		return;
	}
	ret = tls_conn_new(w->vpn->tls, fd, &c->tls);
	if (!ret)
		ret = loop_watch_add(w->loop, &c->watch, fd, EPOLLIN, conn_on_event);
	if (ret) {
		c->watch.fd = -1;
		c->state = CONN_TLS_HANDSHAKE;
		conn_log(c, LOG_ERR, "cannot set up the connection: %s", strerror(-ret));
		conn_close(c, "setup failed");
		return;
	}
	c->state = CONN_TLS_HANDSHAKE;
	conn_log(c, LOG_DEBUG, "accepted");
	conn__deadline_arm(c);
}

bool conn__auth_returned(struct conn *c)
{
	explicit_bzero(c->auth, sizeof(*c->auth));
	free(c->auth);
	c->auth = nullptr;
	if (c->state != CONN_CLOSING)
		return false;
	loop_defer(c->w->loop, &c->free_call, conn_free);
	return true;
}
