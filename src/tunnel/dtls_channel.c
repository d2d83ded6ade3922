// SPDX-License-Identifier: GPL-2.0-or-later
/* tunnel/dtls_channel.c — DTLS channels of a connection: connected UDP sockets, handshakes
 * (PSK-NEGOTIATE or legacy resumption, §5.3/§5.4), records in both directions, DPD echo over
 * DTLS (§5.6) and the TLS fallback rules (§5.8). */
#include "tunnel/dtls_channel.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/compiler.h"
#include "core/log.h"
#include "net/net.h"
#include "tls/tls.h"
#include "tunnel/conn.h"
#include "tunnel/worker.h"

enum {
	DTLS_RECORD_MAX = 16384 + 64,
	DTLS_RX_BATCH = 16,  /* datagrams per recvmmsg */
	DTLS_RX_SLOT = 9216, /* > the largest record a client may send (data MTU 9000) */
	DTLS_RX_ROUNDS = 8,  /* recvmmsg calls per readiness event before others get a turn */
};

struct dtls_rx {
	struct mmsghdr msgs[DTLS_RX_BATCH];
	struct iovec iov[DTLS_RX_BATCH];
	uint8_t buf[DTLS_RX_BATCH][DTLS_RX_SLOT];
};

int dtls_rx_new(struct dtls_rx **out)
{
	struct dtls_rx *rx = malloc(sizeof(*rx));

	*out = rx;
	if (!rx)
		return -ENOMEM;
	/* recvmmsg only writes msg_len and msg_flags: the vectors are set up once. */
	for (int i = 0; i < DTLS_RX_BATCH; i++) {
		rx->iov[i] = (struct iovec){.iov_base = rx->buf[i], .iov_len = DTLS_RX_SLOT};
		rx->msgs[i] = (struct mmsghdr){
			.msg_hdr = {.msg_iov = &rx->iov[i], .msg_iovlen = 1},
		};
	}
	return 0;
}

void dtls_rx_free(struct dtls_rx *rx)
{
	free(rx);
}

static void chan_release(struct loop_call *call)
{
	free(container_of(call, struct dtls_chan, free_call));
}

/* Close now; the memory goes after this event batch (its watch may still be queued). */
static void chan_free(struct worker *w, struct dtls_chan *ch)
{
	if (!ch)
		return;
	loop_watch_del(w->loop, &ch->watch);
	loop_timer_cancel(w->loop, &ch->timer);
	dtls_conn_free(ch->dtls);
	ch->dtls = nullptr;
	close(ch->fd);
	ch->fd = -1;
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

/* The records of one datagram; false when the channel is gone. */
static bool chan_on_datagram(struct conn *c, struct dtls_chan *ch, const uint8_t *dgram, size_t len)
{
	uint8_t *buf = c->w->dtls_buf;
	ssize_t n;

	dtls_conn_feed(ch->dtls, dgram, len);
	while (c->state == CONN_TUNNEL && ch->dtls &&
	       (n = dtls_conn_read(ch->dtls, buf, DTLS_RECORD_MAX)) != -EAGAIN) {
		if (n < 0) {
			conn_log(c, LOG_INFO, "DTLS channel closed by the client");
			chan_drop(c, ch);
			return false;
		}
		chan_on_record(c, ch, buf, (size_t)n);
	}
	return c->state == CONN_TUNNEL && ch->dtls;
}

/* Established: datagrams in batches, until the socket is empty or the budget is spent. */
static void chan_read_batches(struct conn *c, struct dtls_chan *ch)
{
	struct dtls_rx *rx = c->w->dtls_rx;

	for (int round = 0; round < DTLS_RX_ROUNDS; round++) {
		int got = recvmmsg(ch->fd, rx->msgs, DTLS_RX_BATCH, MSG_DONTWAIT, nullptr);
		if (got < 0) {
			if (errno == EINTR || errno == ECONNREFUSED) /* ICMP for an earlier send */
				continue;
			if (errno != EAGAIN) {
				conn_log(c, LOG_INFO, "DTLS socket failed: %m");
				chan_drop(c, ch);
			}
			return;
		}
		for (int i = 0; i < got; i++) {
			const struct mmsghdr *m = &rx->msgs[i];
			if (!m->msg_len || (m->msg_hdr.msg_flags & MSG_TRUNC))
				continue; /* empty, or larger than any record a client may send */
			if (!chan_on_datagram(c, ch, rx->buf[i], m->msg_len))
				return;
		}
		if (got < DTLS_RX_BATCH)
			return;
	}
}

static void chan_on_event(struct loop_watch *watch, uint32_t events)
{
	struct dtls_chan *ch = container_of(watch, struct dtls_chan, watch);
	struct conn *c = ch->c;

	(void)events;
	if (!ch->dtls)
		return; /* closed earlier in this batch */
	if (ch->established) {
		chan_read_batches(c, ch);
		return;
	}
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
		chan_read_batches(c, ch); /* records may have come right behind the Finished */
}

void dtls_chan_on_hello(struct conn *c, const uint8_t *dgram, size_t len,
			const struct sockaddr_storage *peer, socklen_t peer_len)
{
	struct worker *w = c->w;
	struct dtls_chan *ch;
	int ret;

	if (c->state != CONN_TUNNEL || c->dtls.mode == DTLS_MODE_NONE)
		return;
	if (!dtls_hello_limit_take(&c->dtls.hellos, loop_now_ns(w->loop))) {
		w->udp_hello_limited++;
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
	ch->fd = -1;
	ch->deadline_ns = loop_now_ns(w->loop) + (uint64_t)DTLS_HANDSHAKE_DEADLINE_S * NS_PER_SEC;
	timer_init(&ch->timer, chan_on_timer);
	ret = sock_udp_connect(w->udp_local, w->udp_local_len, (const struct sockaddr *)peer,
			       peer_len, &ch->fd);
	if (ret) {
		conn_log(c, LOG_WARNING, "cannot open a UDP socket for DTLS: %s", strerror(-ret));
		free(ch);
		return;
	}
	if (c->dtls.mode == DTLS_MODE_PSK)
		ret = dtls_conn_new_psk(w->vpn->dtls, ch->fd, c->dtls.key, dgram, len, c->dtls.mtu,
					&ch->dtls);
	else
		ret = dtls_conn_new_legacy(w->vpn->dtls, ch->fd, c->session->dtls_id, c->dtls.key,
					   c->dtls.legacy_suite, dgram, len, c->dtls.mtu,
					   &ch->dtls);
	if (!ret && c->dtls.psk_suite)
		ret = dtls_conn_set_psk_suite(ch->dtls, c->dtls.psk_suite);
	if (!ret)
		ret = loop_watch_add(w->loop, &ch->watch, ch->fd, EPOLLIN, chan_on_event);
	if (ret) {
		conn_log(c, LOG_WARNING, "cannot start DTLS: %s", strerror(-ret));
		dtls_conn_free(ch->dtls);
		close(ch->fd);
		free(ch);
		return;
	}
	/* A second ClientHello replaces the live channel only once its handshake completes. */
	chan_free(w, c->dtls.pending);
	c->dtls.pending = ch;
	conn_log(c, LOG_INFO, "DTLS handshake started");
	chan_on_event(&ch->watch, EPOLLIN); /* the ClientHello is already queued inside */
}

void dtls_chan_on_rebind(struct conn *c, const uint8_t *dgram, size_t len,
			 const struct sockaddr_storage *peer, socklen_t peer_len)
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
	if (connect(ch->fd, (const struct sockaddr *)peer, peer_len) < 0) {
		conn_log(c, LOG_WARNING, "DTLS: cannot follow the client to its new port: %m");
		return;
	}
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
