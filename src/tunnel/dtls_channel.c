// SPDX-License-Identifier: GPL-2.0-or-later
/* tunnel/dtls_channel.c — DTLS channels of a connection: each one a client address+port on its
 * worker's shared UDP socket (tunnel/udp_port.c hands its datagrams over), handshakes
 * (PSK-NEGOTIATE or legacy resumption, §5.3/§5.4), records in both directions, DPD echo over
 * DTLS (§5.6) and the TLS fallback rules (§5.8). */
#include "tunnel/dtls_channel.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/clock.h"
#include "core/compiler.h"
#include "core/log.h"
#include "net/net.h"
#include "tls/tls.h"
#include "tunnel/conn.h"
#include "tunnel/worker.h"

enum {
	DTLS_RECORD_MAX = 16384 + 64,
};

static void chan_release(struct loop_call *call)
{
	free(container_of(call, struct dtls_chan, free_call));
}

/* Datagrams from key reach ch from now on, on this worker and from the others. */
static void chan_link(struct worker *w, struct dtls_chan *ch, const struct dtls_peer_key *key)
{
	ch->local.key = *key;
	ch->global.node.key = *key;
	ch->global.owner = w->idx;
	dtls_peer_table_add(&w->peers, &ch->local);
	dtls_peer_index_add(&w->vpn->peers, &ch->global);
}

static void chan_unlink(struct worker *w, struct dtls_chan *ch)
{
	dtls_peer_table_del(&w->peers, &ch->local);
	dtls_peer_index_del(&w->vpn->peers, &ch->global);
}

/* Gone from the tables now; the memory after this round (the caller may still hold ch). */
static void chan_free(struct worker *w, struct dtls_chan *ch)
{
	if (!ch)
		return;
	chan_unlink(w, ch);
	loop_timer_cancel(w->loop, &ch->timer);
	dtls_conn_free(ch->dtls);
	ch->dtls = nullptr;
	loop_defer(w->loop, &ch->free_call, chan_release);
}

const char *dtls_chan_cipher(const struct conn *c)
{
	const struct dtls_chan *ch = c->dtls.active;

	return ch && ch->dtls ? dtls_conn_cipher(ch->dtls) : nullptr;
}

void dtls_chan_close_all(struct conn *c)
{
	chan_free(c->w, c->dtls.active);
	chan_free(c->w, c->dtls.pending);
	c->dtls.active = c->dtls.pending = nullptr;
	c->dtls.use_dtls = false;
	explicit_bzero(c->dtls.key, sizeof(c->dtls.key));
	c->dtls.mode = DTLS_MODE_NONE;
}

static void chan_mark_alive(struct conn *c)
{
	c->dtls.last_rx_ns = loop_now_ns(c->w->loop);
	c->dtls.dpd_sent_ns = 0;
	if (!c->dtls.use_dtls && c->dtls.active && c->dtls.fell_back)
		conn_log(c, LOG_INFO, "DTLS active again");
	c->dtls.use_dtls = c->dtls.active != nullptr;
	c->dtls.fell_back = false;
}

static bool chan_write(struct conn *c, struct dtls_chan *ch, enum cstp_type type,
		       const uint8_t *payload, size_t len)
{
	uint8_t *rec = c->w->dtls_buf;
	ssize_t n;

	if (len + 1 > DTLS_RECORD_MAX)
		return false;
	rec[0] = type;
	if (len)
		memcpy(rec + 1, payload, len);
	n = dtls_conn_write(ch->dtls, rec, len + 1);
	if (n == -EAGAIN)
		return true; /* a full socket drops the datagram, as the network would */
	return n > 0;
}

bool dtls_chan_send(struct conn *c, enum cstp_type type, const uint8_t *payload, size_t len)
{
	struct dtls_chan *ch = c->dtls.active;
	unsigned timeout_s = c->cfg->switch_to_tcp_timeout_s;

	if (!ch || !c->dtls.use_dtls)
		return false;
	/* §5.8 (b): UDP has been silent for switch-to-tcp-timeout while TLS kept talking. An idle
	 * but healthy channel (both silent) stays on DTLS. */
	if (timeout_s && c->last_rx_ns > c->dtls.last_rx_ns + (uint64_t)timeout_s * NS_PER_SEC) {
		c->dtls.use_dtls = false;
		c->dtls.fell_back = true;
		atomic_fetch_add_explicit(&c->w->stats.dtls_fallbacks, 1, memory_order_relaxed);
		conn_log(c, LOG_INFO, "no DTLS traffic for %u s: falling back to TLS", timeout_s);
		return false;
	}
	return chan_write(c, ch, type, payload, len);
}

void dtls_chan_on_cstp_data(struct conn *c)
{
	c->dtls.last_cstp_data_ns = loop_now_ns(c->w->loop);
	if (c->dtls.use_dtls) {
		/* The client sends over TLS only when it thinks DTLS is down (§5.8 (a)). */
		c->dtls.use_dtls = false;
		c->dtls.fell_back = true;
		atomic_fetch_add_explicit(&c->w->stats.dtls_fallbacks, 1, memory_order_relaxed);
		conn_log(c, LOG_INFO, "client switched to TLS: falling back to TLS");
	}
}

static void chan_on_record(struct conn *c, struct dtls_chan *ch, const uint8_t *rec, size_t len)
{
	if (!len)
		return;
	chan_mark_alive(c);
	switch (rec[0]) {
	case CSTP_DATA:
		conn__tunnel_data(c, rec + 1, len - 1, true);
		break;
	case CSTP_DPD_REQ:
		/* Byte-for-byte echo: the client probes the MTU with padded DPDs (§5.6). When the
		 * echo does not fit, a bare DPD-RESP still proves liveness. */
		if (!chan_write(c, ch, CSTP_DPD_RESP, rec + 1, len - 1))
			(void)chan_write(c, ch, CSTP_DPD_RESP, nullptr, 0);
		break;
	case CSTP_DPD_RESP:
	case CSTP_KEEPALIVE:
		break;
	case CSTP_DISCONNECT:
		conn__tunnel_disconnect(c, len > 1 ? rec[1] : 0);
		break;
	default:
		break; /* unknown types are ignored over DTLS (§4.2) */
	}
}

static void chan_promote(struct conn *c, struct dtls_chan *ch)
{
	if (c->dtls.pending == ch) {
		chan_free(c->w, c->dtls.active);
		c->dtls.active = ch;
		c->dtls.pending = nullptr;
	}
	conn_log(c, LOG_INFO, "DTLS established: %s", dtls_conn_cipher(ch->dtls));
	session_dtls_cipher_set(c->w->vpn->sessions, c->session, dtls_conn_cipher(ch->dtls));
	chan_mark_alive(c);
}

static void chan_drop(struct conn *c, struct dtls_chan *ch)
{
	if (c->dtls.pending == ch)
		c->dtls.pending = nullptr;
	if (c->dtls.active == ch) {
		c->dtls.active = nullptr;
		c->dtls.use_dtls = false;
	}
	chan_free(c->w, ch);
}

/* While the handshake runs, wolfSSL wants its retransmission timer; the handshake deadline
 * caps it. */
static void chan_arm_handshake_timer(struct conn *c, struct dtls_chan *ch)
{
	int ms = dtls_conn_timeout_ms(ch->dtls);
	uint64_t at = ch->deadline_ns;

	if (ms >= 0 && loop_now_ns(c->w->loop) + (uint64_t)ms * NS_PER_MS < at)
		at = loop_now_ns(c->w->loop) + (uint64_t)ms * NS_PER_MS;
	loop_timer_arm(c->w->loop, &ch->timer, at);
}

static void chan_on_timer(struct timer *t)
{
	struct dtls_chan *ch = container_of(t, struct dtls_chan, timer);

	if (ch->established || !ch->dtls)
		return;
	if (loop_now_ns(ch->c->w->loop) >= ch->deadline_ns) {
		conn_log(ch->c, LOG_NOTICE, "DTLS handshake not complete after %d s: dropped",
			 DTLS_HANDSHAKE_DEADLINE_S);
		chan_drop(ch->c, ch);
		return;
	}
	if (dtls_conn_on_timeout(ch->dtls)) {
		conn_log(ch->c, LOG_NOTICE, "DTLS handshake timed out");
		chan_drop(ch->c, ch);
		return;
	}
	chan_arm_handshake_timer(ch->c, ch);
}

/* The records wolfSSL holds (of the datagram fed, or left behind the handshake's Finished). */
static void chan_read_records(struct conn *c, struct dtls_chan *ch)
{
	uint8_t *buf = c->w->dtls_buf;
	ssize_t n;

	while (c->state == CONN_TUNNEL && ch->dtls &&
	       (n = dtls_conn_read(ch->dtls, buf, DTLS_RECORD_MAX)) != -EAGAIN) {
		if (n < 0) {
			conn_log(c, LOG_INFO, "DTLS channel closed by the client");
			chan_drop(c, ch);
			return;
		}
		chan_on_record(c, ch, buf, (size_t)n);
	}
}

/* One handshake step on what was fed; the channel takes over once it completes. */
static void chan_handshake(struct conn *c, struct dtls_chan *ch)
{
	int ret = dtls_conn_handshake(ch->dtls);

	if (ret == -EAGAIN) {
		chan_arm_handshake_timer(c, ch);
		return;
	}
	if (ret) {
		conn_log(c, LOG_NOTICE, "DTLS handshake failed");
		chan_drop(c, ch);
		return;
	}
	loop_timer_cancel(c->w->loop, &ch->timer);
	ch->established = true;
	dtls_conn_set_tx(ch->dtls, c->w->udp_tx);
	chan_promote(c, ch);
	if (c->state == CONN_TUNNEL && ch->dtls)
		chan_read_records(c, ch); /* records may have come right behind the Finished */
}

void dtls_chan_input(struct dtls_chan *ch, const uint8_t *dgram, size_t len)
{
	struct conn *c = ch->c;

	if (!ch->dtls || c->state != CONN_TUNNEL)
		return; /* closed earlier in this round */
	dtls_conn_feed(ch->dtls, dgram, len);
	if (ch->established)
		chan_read_records(c, ch);
	else
		chan_handshake(c, ch);
}

void dtls_chan_on_hello(struct conn *c, const uint8_t *dgram, size_t len,
			const struct sockaddr_storage *peer, socklen_t peer_len,
			const struct dtls_peer_key *key)
{
	struct worker *w = c->w;
	struct dtls_chan *ch;
	int ret;

	if (c->state != CONN_TUNNEL || c->dtls.mode == DTLS_MODE_NONE)
		return;
	if (!dtls_hello_limit_take(&c->dtls.hellos, loop_now_ns(w->loop))) {
		worker_udp_drop(w, VPN_UDP_HELLO_LIMITED);
		if (!c->dtls.hello_limit_logged)
			conn_log(c, LOG_NOTICE, "DTLS: too many ClientHellos, dropping (max %d/s)",
				 DTLS_HELLO_PER_WINDOW);
		c->dtls.hello_limit_logged = true;
		return;
	}
	ch = calloc(1, sizeof(*ch));
	if (!ch)
		return;
	ch->c = c;
	ch->deadline_ns = loop_now_ns(w->loop) + (uint64_t)DTLS_HANDSHAKE_DEADLINE_S * NS_PER_SEC;
	timer_init(&ch->timer, chan_on_timer);
	struct dtls_dest dest = {.fd = w->udp_watch.fd, .peer_len = peer_len};
	memcpy(&dest.peer, peer, peer_len);
	if (c->dtls.mode == DTLS_MODE_PSK)
		ret = dtls_conn_new_psk(w->vpn->dtls, &dest, c->dtls.key, dgram, len, c->dtls.mtu,
					&ch->dtls);
	else
		ret = dtls_conn_new_legacy(w->vpn->dtls, &dest, c->session->dtls_id, c->dtls.key,
					   c->dtls.legacy_suite, dgram, len, c->dtls.mtu,
					   &ch->dtls);
	if (!ret && c->dtls.psk_suite)
		ret = dtls_conn_set_psk_suite(ch->dtls, c->dtls.psk_suite);
	if (ret) {
		conn_log(c, LOG_WARNING, "cannot start DTLS: %s", strerror(-ret));
		dtls_conn_free(ch->dtls);
		free(ch);
		return;
	}
	/* A second ClientHello replaces the live channel only once its handshake completes; from
	 * the live channel's port, it shadows it in the tables until then. */
	chan_free(w, c->dtls.pending);
	c->dtls.pending = ch;
	chan_link(w, ch, key);
	conn_log(c, LOG_INFO, "DTLS handshake started");
	chan_handshake(c, ch); /* on the ClientHello, queued inside */
}

void dtls_chan_on_rebind(struct conn *c, const uint8_t *dgram, size_t len,
			 const struct sockaddr_storage *peer, socklen_t peer_len,
			 const struct dtls_peer_key *key)
{
	struct dtls_chan *ch = c->dtls.active;
	uint64_t now = loop_now_ns(c->w->loop);
	uint8_t *buf = c->w->dtls_buf;
	ssize_t n;

	if (!ch || !ch->established || c->state != CONN_TUNNEL)
		return;
	/* A real rebinding leaves the old port silent; a live channel is not moved. */
	if (now - c->dtls.last_rx_ns < NS_PER_SEC)
		return;
	if (c->dtls.rebind_ns && now - c->dtls.rebind_ns < DTLS_REBIND_MIN_S * (uint64_t)NS_PER_SEC)
		return; /* rate limit */
	/* Follow only a record that authenticates with this session's keys (and is no replay):
	 * the same source address alone proves nothing. */
	dtls_conn_inject(ch->dtls, dgram, len);
	n = dtls_conn_read(ch->dtls, buf, DTLS_RECORD_MAX);
	if (n <= 0)
		return;
	c->dtls.rebind_ns = now;
	chan_unlink(c->w, ch);
	chan_link(c->w, ch, key);
	dtls_conn_set_peer(ch->dtls, peer, peer_len);
	conn_log(c, LOG_INFO, "DTLS: client port changed (NAT rebinding): following it");
	chan_on_record(c, ch, buf, (size_t)n);
}

uint64_t dtls_chan_deadline(const struct conn *c)
{
	const struct config *cfg = c->cfg;
	unsigned dpd = c->mobile && cfg->mobile_dpd_s ? cfg->mobile_dpd_s : cfg->dpd_s;

	if (!c->dtls.use_dtls || !dpd)
		return 0;
	return c->dtls.last_rx_ns + (uint64_t)(c->dtls.dpd_sent_ns ? 3 : 2) * dpd * NS_PER_SEC;
}

uint64_t dtls_chan_on_timer(struct conn *c, uint64_t now)
{
	const struct config *cfg = c->cfg;
	unsigned dpd = c->mobile && cfg->mobile_dpd_s ? cfg->mobile_dpd_s : cfg->dpd_s;

	if (!c->dtls.use_dtls || !dpd)
		return 0;
	if (now >= c->dtls.last_rx_ns + 3ull * dpd * NS_PER_SEC) {
		/* DTLS DPD failed (§5.8 (c)): TLS carries everything until DTLS speaks again. */
		c->dtls.use_dtls = false;
		c->dtls.fell_back = true;
		atomic_fetch_add_explicit(&c->w->stats.dtls_fallbacks, 1, memory_order_relaxed);
		conn_log(c, LOG_INFO, "DTLS silent for 3×DPD: falling back to TLS");
		return 0;
	}
	if (!c->dtls.dpd_sent_ns && now >= c->dtls.last_rx_ns + 2ull * dpd * NS_PER_SEC) {
		c->dtls.dpd_sent_ns = now;
		(void)chan_write(c, c->dtls.active, CSTP_DPD_REQ, nullptr, 0);
	}
	return dtls_chan_deadline(c);
}
