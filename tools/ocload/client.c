// SPDX-License-Identifier: GPL-2.0-or-later
/* tools/ocload/client.c — one thread's emulated AnyConnect clients on a core/loop: TCP, TLS,
 * XML auth (§2), CONNECT (§3), CSTP (§4), DTLS-PSK (§5.4), inner pings, reconnect storm.
 * Every client is a small state machine driven by socket events and one timer. */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/internal.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/sha256.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/compiler.h"
#include "core/loop.h"
#include "ocload.h"

enum {
	HTTP_RX = 8192,
	TX_MAX = 4096,
	CSTP_HDR = 8,
	PKT_MAX = 28 + OCL_MAX_PAYLOAD,
	DTLS_RX = 2048,
	LATE_US = 1000000,
	EXPORT_LABEL_LEN = 24,
};

enum cstp_type : uint8_t {
	CSTP_DATA = 0x00,
	CSTP_DPD_REQ = 0x03,
	CSTP_DPD_RESP = 0x04,
	CSTP_DISCONNECT = 0x05,
	CSTP_KEEPALIVE = 0x07,
	CSTP_TERMINATE = 0x09,
};

enum cstate : uint8_t {
	C_IDLE,	  /* not started yet */
	C_TCP,	  /* non-blocking connect in progress */
	C_TLS,	  /* TLS handshake */
	C_HTTP,	  /* one request out, waiting for its response (see step) */
	C_UP,	  /* CSTP tunnel established (DTLS may be handshaking or up) */
	C_FAILED, /* gave up; counted in failed[] */
	C_DONE,	  /* closed at the end of the run */
};

enum hstep : uint8_t {
	H_INIT,
	H_REPLY,
	H_CONNECT,
};

struct client {
	struct ocl_thread *t;
	unsigned idx;
	enum cstate state;
	enum hstep step;
	bool reconnecting; /* storm: CONNECT with the cookie we already have */
	bool dtls_hs, dtls_up, counted;
	uint8_t auth_rounds; /* forms answered: ocserv asks username and password separately */
	int fd, ufd;
	struct loop_watch w, uw;
	struct timer timer;
	WOLFSSL *ssl, *dssl;
	char *rx;
	size_t rx_len, rx_cap;
	uint8_t *tx; /* a TLS write that returned WANT_WRITE: retried with the same bytes */
	size_t tx_len;
	uint64_t hs_start_ns, deadline_ns, dtls_retx_ns, next_ping_ns;
	uint16_t seq, dtls_port;
	uint8_t app_id_len;
	uint8_t app_id[OCL_APPID_MAX];
	uint8_t psk[OCL_PSK_LEN];
	struct in_addr addr, prev_addr, target;
	char cookie[OCL_COOKIE_MAX];
};

struct ocl_thread {
	const struct ocl_opts *o;
	struct ocl_stats *st;
	struct loop *loop;
	WOLFSSL_CTX *tls, *dtls;
	struct client *c;
	size_t n, next_start;
	unsigned first, step;
	uint64_t t0_ns, end_ns, storm_ns, alive;
	struct timer starter, stopper, stormer;
};

static void client_step(struct client *c);
static void client_rearm(struct client *c);

static void vlog(const struct client *c, const char *what, int err)
{
	if (c->t->o->verbose)
		fprintf(stderr, "ocload: client %u: %s%s%s\n", c->idx, what, err ? ": " : "",
			err ? strerror(-err) : "");
}

static uint64_t stage_deadline(const struct client *c)
{
	return clock_now_ns() + (uint64_t)c->t->o->timeout_s * NS_PER_SEC;
}

/* Releases sockets, TLS objects and buffers; keeps the cookie and address for a reconnect. */
static void client_close(struct client *c)
{
	struct loop *l = c->t->loop;

	if (c->fd >= 0) {
		loop_watch_del(l, &c->w);
		close(c->fd);
		c->fd = -1;
	}
	if (c->ufd >= 0) {
		loop_watch_del(l, &c->uw);
		close(c->ufd);
		c->ufd = -1;
	}
	wolfSSL_free(c->ssl);
	wolfSSL_free(c->dssl);
	c->ssl = c->dssl = nullptr;
	free(c->rx);
	free(c->tx);
	c->rx = nullptr;
	c->tx = nullptr;
	c->rx_len = c->rx_cap = c->tx_len = 0;
	c->dtls_hs = c->dtls_up = false;
	explicit_bzero(c->psk, sizeof(c->psk));
	loop_timer_cancel(l, &c->timer);
}

static void client_down(struct client *c)
{
	if (c->state == C_UP)
		c->t->alive--;
}

static void client_fail(struct client *c, enum ocl_stage stage, const char *why, int err)
{
	vlog(c, why, err);
	client_down(c);
	c->t->st->failed[stage]++;
	client_close(c);
	c->state = C_FAILED;
}

static enum ocl_stage client_stage(const struct client *c)
{
	switch (c->state) {
	case C_TCP:
		return STAGE_TCP;
	case C_TLS:
		return STAGE_TLS;
	case C_HTTP:
		return c->step == H_CONNECT ? STAGE_CONNECT : STAGE_AUTH;
	default:
		return STAGE_TUNNEL;
	}
}

static void watch_want_write(struct client *c, bool on)
{
	uint32_t ev = EPOLLIN | (on ? EPOLLOUT : 0);

	if (c->fd >= 0 && c->w.events != ev && loop_watch_mod(c->t->loop, &c->w, ev))
		vlog(c, "epoll_ctl", -errno); /* the stage deadline ends a stuck client */
}

/* One whole TLS record. 0 when written, -EAGAIN when queued for EPOLLOUT, -EBUSY when an
 * earlier write is still queued (the caller drops or retries), -EPIPE on error. */
static int tls_send(struct client *c, const void *data, size_t len)
{
	int n, err;

	if (c->tx)
		return -EBUSY;
	n = wolfSSL_write(c->ssl, data, (int)len);
	if (n == (int)len)
		return 0;
	err = wolfSSL_get_error(c->ssl, n);
	if (err != WOLFSSL_ERROR_WANT_WRITE && err != WOLFSSL_ERROR_WANT_READ)
		return -EPIPE;
	c->tx = malloc(len);
	if (!c->tx)
		return -ENOMEM;
	memcpy(c->tx, data, len);
	c->tx_len = len;
	watch_want_write(c, true);
	return -EAGAIN;
}

/* Retries a queued write. 0 when nothing is left queued. */
static int tls_flush(struct client *c)
{
	int n, err;

	if (!c->tx)
		return 0;
	n = wolfSSL_write(c->ssl, c->tx, (int)c->tx_len);
	if (n == (int)c->tx_len) {
		free(c->tx);
		c->tx = nullptr;
		c->tx_len = 0;
		watch_want_write(c, false);
		return 0;
	}
	err = wolfSSL_get_error(c->ssl, n);
	if (err == WOLFSSL_ERROR_WANT_WRITE || err == WOLFSSL_ERROR_WANT_READ)
		return -EAGAIN;
	return -EPIPE;
}

/* ---- HTTP requests (§2.2, §2.4, §2.6, §3.1) ---- */

static const char UA[] = "Open AnyConnect VPN Agent v9.01-ocload";

static int http_post(struct client *c, const char *path, const char *body, const char *ctx_cookie)
{
	char req[TX_MAX];
	size_t blen = strlen(body);
	int n;

	n = snprintf(
		req, sizeof(req),
		"POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\n"
		"Accept-Encoding: identity\r\nX-Transcend-Version: 1\r\n"
		"X-Aggregate-Auth: 1\r\nX-Support-HTTP-Auth: true\r\n%s%s%s"
		"Content-Type: application/xml; charset=utf-8\r\nContent-Length: %zu\r\n\r\n%s",
		path, c->t->o->host, UA, ctx_cookie ? "Cookie: webvpncontext=" : "",
		ctx_cookie ? ctx_cookie : "", ctx_cookie ? "\r\n" : "", blen, body);
	if (n < 0 || (size_t)n >= sizeof(req))
		return -E2BIG;
	return tls_send(c, req, (size_t)n);
}

static const char XML_HEAD[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

static int send_init(struct client *c)
{
	char body[1024];

	snprintf(body, sizeof(body),
		 "%s<config-auth client=\"vpn\" type=\"init\" aggregate-auth-version=\"2\">"
		 "<version who=\"vpn\">v9.01-ocload</version><device-id>linux-64</device-id>"
		 "<group-access>https://%s</group-access></config-auth>",
		 XML_HEAD, c->t->o->host);
	c->step = H_INIT;
	c->auth_rounds = 0;
	return http_post(c, "/", body, nullptr);
}

/* Appends s to out with XML escaping. false when it does not fit. */
static bool xml_put(char *out, size_t max, size_t *pos, const char *s)
{
	for (; *s; s++) {
		const char *e = nullptr;
		size_t l;

		switch (*s) {
		case '<':
			e = "&lt;";
			break;
		case '>':
			e = "&gt;";
			break;
		case '&':
			e = "&amp;";
			break;
		case '"':
			e = "&quot;";
			break;
		default:
			break;
		}
		l = e ? strlen(e) : 1;
		if (*pos + l >= max)
			return false;
		memcpy(out + *pos, e ? e : s, l);
		*pos += l;
	}
	out[*pos] = '\0';
	return true;
}

static int send_auth_reply(struct client *c, const char *action, const char *opaque,
			   size_t opaque_len, const char *ctx_cookie)
{
	const struct ocl_user *u = &c->t->o->users[c->idx % c->t->o->n_users];
	char body[3072];
	size_t pos;
	int n;

	n = snprintf(body, sizeof(body),
		     "%s<config-auth client=\"vpn\" type=\"auth-reply\" "
		     "aggregate-auth-version=\"2\"><version who=\"vpn\">v9.01-ocload</version>"
		     "<device-id>linux-64</device-id>%.*s<auth><username>",
		     XML_HEAD, (int)opaque_len, opaque ? opaque : "");
	if (n < 0 || (size_t)n >= sizeof(body))
		return -E2BIG;
	pos = (size_t)n;
	if (!xml_put(body, sizeof(body), &pos, u->name))
		return -E2BIG;
	n = snprintf(body + pos, sizeof(body) - pos, "</username><password>");
	if (n < 0 || (size_t)n >= sizeof(body) - pos)
		return -E2BIG;
	pos += (size_t)n;
	if (!xml_put(body, sizeof(body), &pos, u->password))
		return -E2BIG;
	n = snprintf(body + pos, sizeof(body) - pos, "</password></auth></config-auth>");
	if (n < 0 || (size_t)n >= sizeof(body) - pos)
		return -E2BIG;
	c->step = H_REPLY;
	n = http_post(c, action, body, ctx_cookie);
	explicit_bzero(body, sizeof(body));
	return n;
}

static int send_connect(struct client *c)
{
	const struct ocl_opts *o = c->t->o;
	char req[TX_MAX], addr[INET_ADDRSTRLEN + 32] = "", secret[97];
	uint8_t rnd[48];
	int n;

	if (c->reconnecting && c->prev_addr.s_addr) {
		char a[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &c->prev_addr, a, sizeof(a));
		snprintf(addr, sizeof(addr), "X-CSTP-Address: %s\r\n", a);
	}
	if (o->dtls) {
		/* Sent by openconnect even with PSK-NEGOTIATE; the server ignores it then. */
		for (size_t i = 0; i < sizeof(rnd); i++)
			rnd[i] = (uint8_t)random();
		for (size_t i = 0; i < sizeof(rnd); i++)
			snprintf(secret + 2 * i, 3, "%02X", rnd[i]);
	}
	n = snprintf(
		req, sizeof(req),
		"CONNECT /CSCOSSLC/tunnel HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n"
		"Cookie: webvpn=%s\r\nX-CSTP-Version: 1\r\nX-CSTP-Hostname: ocload-%u\r\n"
		"X-CSTP-Base-MTU: 1500\r\nX-CSTP-MTU: 1390\r\nX-CSTP-Address-Type: IPv6,IPv4\r\n"
		"X-CSTP-Full-IPv6-Capability: true\r\n%s%s%s%s\r\n",
		o->host, UA, c->cookie, c->idx, addr, o->dtls ? "X-DTLS-Master-Secret: " : "",
		o->dtls ? secret : "",
		o->dtls ? "\r\nX-DTLS-CipherSuite: PSK-NEGOTIATE:OC-DTLS1_2-AES256-GCM:"
			  "OC-DTLS1_2-AES128-GCM\r\n"
			: "");
	explicit_bzero(secret, sizeof(secret));
	if (n < 0 || (size_t)n >= sizeof(req))
		return -E2BIG;
	c->step = H_CONNECT;
	n = tls_send(c, req, (size_t)n);
	explicit_bzero(req, sizeof(req));
	return n;
}

/* ---- handshake bookkeeping ---- */

/* A full handshake (TLS + auth + CONNECT [+ DTLS]) finished; counted once per client. */
static void handshake_done(struct client *c)
{
	struct ocl_stats *st = c->t->st;
	uint64_t now = clock_now_ns();

	if (c->counted)
		return;
	c->counted = true;
	st->done_ns[st->handshakes++] = now;
	ocl_hist_add(&st->handshake_us, (now - c->hs_start_ns) / 1000);
}

/* ---- DTLS (§5.4) ---- */

static unsigned psk_cb(WOLFSSL *ssl, const char *hint, char *identity, unsigned id_max,
		       unsigned char *key, unsigned key_max)
{
	struct client *c = wolfSSL_get_psk_callback_ctx(ssl);

	(void)hint;
	if (!c || id_max < 4 || key_max < OCL_PSK_LEN)
		return 0;
	memcpy(identity, "psk", 4);
	memcpy(key, c->psk, OCL_PSK_LEN);
	return OCL_PSK_LEN;
}

/* The ClientHello session_id must be the App-ID (§5.2): offer a "resumption" of a session
 * with that id; the server does a full PSK handshake. */
static int dtls_session_set(struct client *c)
{
	WOLFSSL_SESSION *s = wolfSSL_SESSION_new();
	int ret = 0;

	if (!s)
		return -ENOMEM;
	s->side = WOLFSSL_CLIENT_END;
	s->bornOn = (word32)time(nullptr);
	s->timeout = 300;
	memcpy(s->sessionID, c->app_id, c->app_id_len);
	s->sessionIDSz = c->app_id_len;
	for (size_t i = 0; i < SECRET_LEN; i++)
		s->masterSecret[i] = (byte)random(); /* never used: nothing is resumed */
	s->version.major = DTLS_MAJOR;
	s->version.minor = DTLSv1_2_MINOR;
	s->cipherSuite0 = 0x00;
	s->cipherSuite = 0xA8; /* PSK-AES128-GCM-SHA256 */
	if (wolfSSL_set_session(c->dssl, s) != WOLFSSL_SUCCESS)
		ret = -EPROTO;
	wolfSSL_SESSION_free(s);
	return ret;
}

static void dtls_fail(struct client *c, const char *why)
{
	vlog(c, why, 0);
	c->t->st->failed[STAGE_DTLS]++;
	if (c->ufd >= 0) {
		loop_watch_del(c->t->loop, &c->uw);
		close(c->ufd);
		c->ufd = -1;
	}
	wolfSSL_free(c->dssl);
	c->dssl = nullptr;
	c->dtls_hs = c->dtls_up = false;
	c->dtls_retx_ns = 0;
	c->counted = true; /* the session goes on over CSTP, but this was no full handshake */
}

static void dtls_handshake(struct client *c)
{
	int ret = wolfSSL_connect(c->dssl), err;

	if (ret == WOLFSSL_SUCCESS) {
		c->dtls_hs = false;
		c->dtls_up = true;
		c->dtls_retx_ns = 0;
		c->t->st->dtls_up++;
		handshake_done(c);
		return;
	}
	err = wolfSSL_get_error(c->dssl, ret);
	if (err != WOLFSSL_ERROR_WANT_READ && err != WOLFSSL_ERROR_WANT_WRITE) {
		if (c->t->o->verbose) {
			struct sockaddr_in me = {};
			socklen_t len = sizeof(me);
			(void)getsockname(c->ufd, (struct sockaddr *)&me, &len);
			fprintf(stderr, "ocload: client %u: UDP port %u: wolfSSL error %d\n",
				c->idx, ntohs(me.sin_port), err);
		}
		dtls_fail(c, "DTLS handshake failed");
		return;
	}
	c->dtls_retx_ns =
		clock_now_ns() + (uint64_t)wolfSSL_dtls_get_current_timeout(c->dssl) * NS_PER_SEC;
}

static void on_udp(struct loop_watch *w, uint32_t events);

static int dtls_start(struct client *c)
{
	struct sockaddr_in sa = c->t->o->server;
	int ret;

	sa.sin_port = htons(c->dtls_port);
	c->ufd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->ufd < 0)
		return -errno;
	if (connect(c->ufd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	c->dssl = wolfSSL_new(c->t->dtls);
	if (!c->dssl)
		return -ENOMEM;
	if (wolfSSL_set_fd(c->dssl, c->ufd) != WOLFSSL_SUCCESS)
		return -EBADF;
	if (wolfSSL_dtls_set_peer(c->dssl, &sa, sizeof(sa)) != WOLFSSL_SUCCESS)
		return -EADDRNOTAVAIL;
	if (wolfSSL_set_psk_callback_ctx(c->dssl, c) != WOLFSSL_SUCCESS)
		return -ENOSYS;
	wolfSSL_dtls_set_using_nonblock(c->dssl, 1);
	wolfSSL_dtls_set_mtu(c->dssl, 1500);
	ret = dtls_session_set(c);
	if (ret)
		return ret;
	ret = loop_watch_add(c->t->loop, &c->uw, c->ufd, EPOLLIN, on_udp);
	if (ret)
		return ret;
	c->dtls_hs = true;
	dtls_handshake(c);
	return 0;
}

/* ---- tunnel data ---- */

static void on_packet(struct client *c, const uint8_t *p, size_t len)
{
	struct ocl_stats *st = c->t->st;
	uint64_t stamp, now;
	uint16_t seq;

	st->rx_packets++;
	st->rx_bytes += len;
	if (ocl_pkt_echo_reply(p, len, c->addr, (uint16_t)c->idx, &seq, &stamp))
		return;
	now = clock_now_ns();
	if (stamp == 0 || stamp > now)
		return;
	st->pings_answered++;
	if ((now - stamp) / 1000 > LATE_US)
		st->pings_late++;
	ocl_hist_add(&st->ping_us, (now - stamp) / 1000);
}

/* Sends type + payload over DTLS when it is up, else over CSTP. */
static int tunnel_send(struct client *c, uint8_t type, const uint8_t *p, size_t len, bool dtls)
{
	uint8_t frame[CSTP_HDR + PKT_MAX + 8];
	int n;

	if (len > PKT_MAX)
		return -E2BIG;
	if (dtls && c->dtls_up) {
		frame[0] = type;
		memcpy(frame + 1, p, len);
		n = wolfSSL_write(c->dssl, frame, (int)len + 1);
		return n == (int)len + 1 ? 0 : -EAGAIN; /* datagrams: a failed write is a loss */
	}
	memcpy(frame, "STF\x01", 4);
	frame[4] = (uint8_t)(len >> 8);
	frame[5] = (uint8_t)len;
	frame[6] = type;
	frame[7] = 0;
	memcpy(frame + CSTP_HDR, p, len);
	n = tls_send(c, frame, CSTP_HDR + len);
	return n == -EAGAIN ? 0 : n;
}

/* One received frame (CSTP or DTLS). false when the tunnel must close. */
static bool on_frame(struct client *c, uint8_t type, const uint8_t *p, size_t len, bool dtls)
{
	switch (type) {
	case CSTP_DATA:
		on_packet(c, p, len);
		return true;
	case CSTP_DPD_REQ:
		if (tunnel_send(c, CSTP_DPD_RESP, p, len, dtls) == 0)
			c->t->st->dpd_answered++;
		return true;
	case CSTP_DISCONNECT:
	case CSTP_TERMINATE:
		return false;
	default:
		return true; /* DPD-RESP, KEEPALIVE, unknown: liveness only */
	}
}

static void on_udp(struct loop_watch *w, uint32_t events)
{
	struct client *c = container_of(w, struct client, uw);
	uint8_t buf[DTLS_RX];
	int n;

	(void)events;
	if (!c->dssl)
		return;
	if (c->dtls_hs) {
		dtls_handshake(c);
		if (!c->dtls_up) {
			client_rearm(c);
			return;
		}
		c->deadline_ns = 0;
	}
	for (int i = 0; i < 64; i++) {
		n = wolfSSL_read(c->dssl, buf, sizeof(buf));
		if (n <= 0) {
			int err = wolfSSL_get_error(c->dssl, n);

			if (err != WOLFSSL_ERROR_WANT_READ && err != WOLFSSL_ERROR_WANT_WRITE)
				dtls_fail(c, "DTLS read error");
			break;
		}
		if (!on_frame(c, buf[0], buf + 1, (size_t)n - 1, true)) {
			client_fail(c, STAGE_TUNNEL, "server ended the session (DTLS)", 0);
			return;
		}
	}
	client_rearm(c);
}

/* Parses CSTP frames from c->rx. false when the tunnel must close. */
static bool cstp_drain(struct client *c)
{
	size_t off = 0;

	while (c->rx_len - off >= CSTP_HDR) {
		const uint8_t *f = (const uint8_t *)c->rx + off;
		size_t plen = (size_t)f[4] << 8 | f[5];

		if (memcmp(f, "STF\x01", 4) != 0 || f[7] != 0 || plen > c->rx_cap - CSTP_HDR) {
			vlog(c, "bad CSTP frame", 0);
			return false;
		}
		if (c->rx_len - off < CSTP_HDR + plen)
			break;
		if (!on_frame(c, f[6], f + CSTP_HDR, plen, false)) {
			vlog(c, "server ended the session", 0);
			return false;
		}
		if (c->state != C_UP)
			return false;
		off += CSTP_HDR + plen;
	}
	memmove(c->rx, c->rx + off, c->rx_len - off);
	c->rx_len -= off;
	return true;
}

/* ---- HTTP responses ---- */

static void http_request_sent(struct client *c, int ret)
{
	if (ret && ret != -EAGAIN) {
		client_fail(c, client_stage(c), "sending request", ret);
		return;
	}
	c->deadline_ns = stage_deadline(c);
}

static int on_auth_form(struct client *c, const struct ocl_http_resp *r, const char *body,
			size_t blen)
{
	char action[256] = "/", ctx[160];
	const char *opaque = nullptr;
	size_t olen = 0;
	int ret;

	if (ocl_xml_attr(body, blen, "form", "action", action, sizeof(action)) || !action[0])
		snprintf(action, sizeof(action), "/");
	if (action[0] != '/')
		return -EPROTO; /* only same-server paths */
	if (ocl_xml_element(body, blen, "opaque", true, &opaque, &olen))
		opaque = nullptr;
	ret = ocl_http_cookie(r, "webvpncontext", ctx, sizeof(ctx));
	return send_auth_reply(c, action, opaque, olen, ret ? nullptr : ctx);
}

static int on_connect_reply(struct client *c, const struct ocl_http_resp *r)
{
	char v[128];
	ssize_t n;

	if (ocl_http_header(r, "X-CSTP-Address", 0, v, sizeof(v)) ||
	    !inet_pton(AF_INET, v, &c->addr))
		if (ocl_http_header(r, "X-CSTP-Address", 1, v, sizeof(v)) ||
		    !inet_pton(AF_INET, v, &c->addr))
			return -EPROTO; /* we only emulate IPv4 traffic */
	if (c->t->o->target.s_addr) {
		c->target = c->t->o->target;
	} else {
		struct in_addr mask = {};

		if (ocl_http_header(r, "X-CSTP-Netmask", 0, v, sizeof(v)) ||
		    !inet_pton(AF_INET, v, &mask))
			mask.s_addr = htonl(0xffffff00);
		c->target.s_addr = (c->addr.s_addr & mask.s_addr) | htonl(1);
	}
	if (ocl_http_header(r, "X-CSTP-MTU", 0, v, sizeof(v)) || strtoul(v, nullptr, 10) < 68)
		return -EPROTO;
	c->app_id_len = 0;
	c->dtls_port = 0;
	if (c->t->o->dtls && !ocl_http_header(r, "X-DTLS-App-ID", 0, v, sizeof(v))) {
		n = ocl_hex_decode(v, c->app_id, sizeof(c->app_id));
		if (n <= 0)
			return -EPROTO;
		c->app_id_len = (uint8_t)n;
		if (!ocl_http_header(r, "X-DTLS-Port", 0, v, sizeof(v)))
			c->dtls_port = (uint16_t)strtoul(v, nullptr, 10);
	}
	return 0;
}

static void tunnel_up(struct client *c)
{
	struct ocl_thread *t = c->t;
	const struct ocl_opts *o = t->o;
	int ret;

	c->state = C_UP;
	c->deadline_ns = 0;
	if (c->rx_len <= OCL_CSTP_RX) {
		char *small = realloc(c->rx, OCL_CSTP_RX);

		if (small) {
			c->rx = small;
			c->rx_cap = OCL_CSTP_RX;
		}
	}
	t->alive++;
	if (t->alive > t->st->established_max)
		t->st->established_max = t->alive;
	if (c->reconnecting) {
		t->st->storm_reconnected++;
		if (c->prev_addr.s_addr != c->addr.s_addr)
			t->st->storm_addr_changed++;
		c->reconnecting = false;
	}
	c->prev_addr = c->addr;
	if (o->ping_interval_ms)
		c->next_ping_ns =
			clock_now_ns() + (uint64_t)(random() % o->ping_interval_ms) * NS_PER_MS;
	if (o->dtls) {
		if (!c->app_id_len || !c->dtls_port) {
			dtls_fail(c, "no DTLS offered in the CONNECT reply");
			return;
		}
		ret = dtls_start(c);
		if (ret) {
			vlog(c, "DTLS start", ret);
			dtls_fail(c, "DTLS start failed");
			return;
		}
		c->deadline_ns = stage_deadline(c); /* DTLS handshake */
	} else {
		handshake_done(c);
	}
}

/* Handles one complete HTTP response of total bytes at the head of c->rx. */
static void on_http(struct client *c, const struct ocl_http_resp *r, size_t total)
{
	const char *body = c->rx + r->hdr_len;
	size_t blen = r->body_len;
	int ret = 0;

	switch (c->step) {
	case H_INIT:
		if (r->status != 200) {
			client_fail(c, STAGE_AUTH, "init refused", 0);
			return;
		}
		ret = on_auth_form(c, r, body, blen);
		break;
	case H_REPLY:
		if (r->status != 200) {
			client_fail(c, STAGE_AUTH, "credentials refused", 0);
			return;
		}
		if (ocl_http_cookie(r, "webvpn", c->cookie, sizeof(c->cookie))) {
			const char *tok;
			size_t tlen;
			bool no_token =
				ocl_xml_element(body, blen, "session-token", false, &tok, &tlen);

			if (no_token && memmem(body, blen, "auth-request", 12) &&
			    ++c->auth_rounds < 4) {
				/* Another form (ocserv: the password after the username). */
				ret = on_auth_form(c, r, body, blen);
				break;
			}
			if (no_token || tlen == 0 || tlen >= sizeof(c->cookie)) {
				client_fail(c, STAGE_AUTH, "no cookie in the reply", 0);
				return;
			}
			memcpy(c->cookie, tok, tlen);
			c->cookie[tlen] = '\0';
		}
		ret = send_connect(c);
		break;
	case H_CONNECT:
		if (r->status != 200) {
			client_fail(c, STAGE_CONNECT, "CONNECT refused", 0);
			return;
		}
		ret = on_connect_reply(c, r);
		if (ret) {
			client_fail(c, STAGE_CONNECT, "bad CONNECT reply", ret);
			return;
		}
		memmove(c->rx, c->rx + total, c->rx_len - total);
		c->rx_len -= total;
		tunnel_up(c);
		return;
	}
	memmove(c->rx, c->rx + total, c->rx_len - total);
	c->rx_len -= total;
	http_request_sent(c, ret);
}

/* ---- TLS ---- */

static bool pin_matches(struct client *c)
{
	WOLFSSL_X509 *x = wolfSSL_get_peer_certificate(c->ssl);
	uint8_t spki[2048], h[WC_SHA256_DIGEST_SIZE];
	int len = sizeof(spki);
	bool ok = false;

	if (!x)
		return false;
	if (wolfSSL_X509_get_pubkey_buffer(x, spki, &len) == WOLFSSL_SUCCESS &&
	    wc_Sha256Hash(spki, (word32)len, h) == 0)
		ok = ct_memeq(h, c->t->o->pin, sizeof(h));
	wolfSSL_X509_free(x);
	return ok;
}

static void tls_handshake(struct client *c)
{
	int ret = wolfSSL_connect(c->ssl), err;

	if (ret != WOLFSSL_SUCCESS) {
		err = wolfSSL_get_error(c->ssl, ret);
		if (err == WOLFSSL_ERROR_WANT_READ)
			watch_want_write(c, false);
		else if (err == WOLFSSL_ERROR_WANT_WRITE)
			watch_want_write(c, true);
		else
			client_fail(c, STAGE_TLS, "TLS handshake failed", -EPROTO);
		return;
	}
	watch_want_write(c, false);
	if (c->t->o->have_pin && !pin_matches(c)) {
		client_fail(c, STAGE_TLS, "server certificate does not match the pin", 0);
		return;
	}
	if (c->t->o->dtls && wolfSSL_export_keying_material(
				     c->ssl, c->psk, sizeof(c->psk), "EXPORTER-openconnect-psk",
				     EXPORT_LABEL_LEN, nullptr, 0, 0) != WOLFSSL_SUCCESS) {
		client_fail(c, STAGE_TLS, "TLS exporter failed", -EPROTO);
		return;
	}
	wolfSSL_FreeArrays(c->ssl);
	c->state = C_HTTP;
	http_request_sent(c, c->reconnecting ? send_connect(c) : send_init(c));
}

static void tls_read(struct client *c)
{
	struct ocl_http_resp r;
	ssize_t total;
	int n, err;

	while (c->state == C_HTTP || c->state == C_UP) {
		if (c->rx_len == c->rx_cap) {
			client_fail(c, client_stage(c), "receive buffer full", -E2BIG);
			return;
		}
		n = wolfSSL_read(c->ssl, c->rx + c->rx_len, (int)(c->rx_cap - c->rx_len));
		if (n <= 0) {
			err = wolfSSL_get_error(c->ssl, n);
			if (err == WOLFSSL_ERROR_WANT_READ || err == WOLFSSL_ERROR_WANT_WRITE)
				return;
			client_fail(c, client_stage(c), "connection closed by the server",
				    -ECONNRESET);
			return;
		}
		c->rx_len += (size_t)n;
		if (c->state == C_UP) {
			if (!cstp_drain(c)) {
				if (c->state == C_UP)
					client_fail(c, STAGE_TUNNEL, "tunnel closed", 0);
				return;
			}
			continue;
		}
		total = ocl_http_parse(c->rx, c->rx_len, c->rx_cap, &r);
		if (total == -EAGAIN)
			continue;
		if (total < 0) {
			client_fail(c, client_stage(c), "bad HTTP response", (int)total);
			return;
		}
		on_http(c, &r, (size_t)total);
		if (c->state == C_UP && c->rx_len && !cstp_drain(c)) {
			if (c->state == C_UP)
				client_fail(c, STAGE_TUNNEL, "tunnel closed", 0);
			return;
		}
	}
}

static void on_tcp(struct loop_watch *w, uint32_t events)
{
	struct client *c = container_of(w, struct client, w);

	if (c->fd < 0)
		return;
	if (c->state == C_TCP) {
		int err = 0;
		socklen_t l = sizeof(err);

		if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0 || err) {
			client_fail(c, STAGE_TCP, "connect", -(err ? err : errno));
			return;
		}
		c->state = C_TLS;
		c->deadline_ns = stage_deadline(c);
	}
	client_step(c);
	if (c->state != C_FAILED && c->state != C_DONE)
		client_rearm(c);
}

/* Makes as much progress as the socket allows. */
static void client_step(struct client *c)
{
	int ret;

	switch (c->state) {
	case C_TLS:
		tls_handshake(c);
		if (c->state != C_HTTP)
			return;
		[[fallthrough]];
	case C_HTTP:
	case C_UP:
		ret = tls_flush(c);
		if (ret && ret != -EAGAIN) {
			client_fail(c, client_stage(c), "write", ret);
			return;
		}
		tls_read(c);
		return;
	default:
		return;
	}
}

static int client_connect(struct client *c)
{
	struct ocl_thread *t = c->t;
	int ret;

	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	c->rx_cap = HTTP_RX;
	c->rx = malloc(c->rx_cap);
	c->ssl = wolfSSL_new(t->tls);
	if (!c->rx || !c->ssl)
		return -ENOMEM;
	if (wolfSSL_set_fd(c->ssl, c->fd) != WOLFSSL_SUCCESS)
		return -EPROTO;
	if (t->o->dtls)
		wolfSSL_KeepArrays(c->ssl); /* for the exporter (wolfssl.md) */
	ret = loop_watch_add(t->loop, &c->w, c->fd, EPOLLIN | EPOLLOUT, on_tcp);
	if (ret)
		return ret;
	c->state = C_TCP;
	c->hs_start_ns = clock_now_ns();
	c->deadline_ns = stage_deadline(c);
	c->counted = c->reconnecting; /* storm reconnects are not first handshakes */
	if (connect(c->fd, (const struct sockaddr *)&t->o->server, sizeof(t->o->server)) < 0 &&
	    errno != EINPROGRESS)
		return -errno;
	client_rearm(c);
	return 0;
}

static void client_start(struct client *c)
{
	int ret = client_connect(c);

	if (ret) {
		c->state = C_TCP;
		client_fail(c, STAGE_TCP, "socket setup", ret);
	}
}

/* ---- timers ---- */

static void client_send_ping(struct client *c)
{
	const struct ocl_opts *o = c->t->o;
	struct ocl_stats *st = c->t->st;
	uint8_t pkt[PKT_MAX];
	size_t len;

	len = ocl_pkt_build(pkt, o->traffic, c->addr, c->target, o->udp_port, (uint16_t)c->idx,
			    c->seq++, clock_now_ns(), o->payload);
	if (tunnel_send(c, CSTP_DATA, pkt, len, true))
		return; /* busy or lost: not counted as sent */
	st->tx_packets++;
	st->tx_bytes += len;
	if (o->traffic == TRAFFIC_ICMP)
		st->pings_sent++;
}

static void on_timer(struct timer *tm)
{
	struct client *c = container_of(tm, struct client, timer);
	uint64_t now = clock_now_ns();

	if (c->deadline_ns && now >= c->deadline_ns) {
		if (c->state == C_UP && c->dtls_hs)
			dtls_fail(c, "DTLS handshake timed out");
		else if (c->state != C_UP) {
			client_fail(c, client_stage(c), "timed out", -ETIMEDOUT);
			return;
		}
		c->deadline_ns = 0;
	}
	if (c->dtls_hs && c->dtls_retx_ns && now >= c->dtls_retx_ns) {
		if (wolfSSL_dtls_got_timeout(c->dssl) != WOLFSSL_SUCCESS)
			dtls_fail(c, "DTLS handshake: no answer");
		else
			c->dtls_retx_ns =
				now +
				(uint64_t)wolfSSL_dtls_get_current_timeout(c->dssl) * NS_PER_SEC;
	}
	if (c->state == C_UP && c->next_ping_ns && now >= c->next_ping_ns) {
		client_send_ping(c);
		c->next_ping_ns += (uint64_t)c->t->o->ping_interval_ms * NS_PER_MS;
		if (c->next_ping_ns < now)
			c->next_ping_ns = now + (uint64_t)c->t->o->ping_interval_ms * NS_PER_MS;
	}
	if (c->state == C_FAILED)
		return;
	client_rearm(c);
}

static void client_rearm(struct client *c)
{
	uint64_t next = UINT64_MAX;

	if (c->state == C_FAILED || c->state == C_DONE || c->state == C_IDLE)
		return;
	if (c->deadline_ns)
		next = c->deadline_ns;
	if (c->dtls_hs && c->dtls_retx_ns && c->dtls_retx_ns < next)
		next = c->dtls_retx_ns;
	if (c->state == C_UP && c->next_ping_ns && c->next_ping_ns < next)
		next = c->next_ping_ns;
	if (next == UINT64_MAX) {
		loop_timer_cancel(c->t->loop, &c->timer);
		return;
	}
	if (timer_is_armed(&c->timer)) {
		if (c->timer.expires_ns == next)
			return;
		loop_timer_cancel(c->t->loop, &c->timer);
	}
	loop_timer_arm(c->t->loop, &c->timer, next);
}

static uint64_t start_time(const struct ocl_thread *t, size_t i)
{
	double idx = (double)(t->first + i * t->step);

	return t->t0_ns + (uint64_t)(idx / t->o->rate * 1e9);
}

static void on_starter(struct timer *tm)
{
	struct ocl_thread *t = container_of(tm, struct ocl_thread, starter);
	uint64_t now = clock_now_ns();

	while (t->next_start < t->n && start_time(t, t->next_start) <= now) {
		struct client *c = &t->c[t->next_start++];

		if (!t->st->first_start_ns)
			t->st->first_start_ns = now;
		t->st->started++;
		client_start(c);
	}
	if (t->next_start < t->n)
		loop_timer_arm(t->loop, &t->starter, start_time(t, t->next_start));
}

static void on_storm(struct timer *tm)
{
	struct ocl_thread *t = container_of(tm, struct ocl_thread, stormer);

	for (size_t i = 0; i < t->n; i++) {
		struct client *c = &t->c[i];

		if (c->state != C_UP)
			continue;
		/* Drop without DISCONNECT, like a lost network, then come back with the cookie. */
		client_down(c);
		client_close(c);
		t->st->storm_dropped++;
		c->reconnecting = true;
		client_start(c);
	}
}

static void on_stop(struct timer *tm)
{
	struct ocl_thread *t = container_of(tm, struct ocl_thread, stopper);
	static const uint8_t bye[] = {0xb0, 'o', 'c', 'l', 'o', 'a', 'd'};

	for (size_t i = 0; i < t->n; i++) {
		struct client *c = &t->c[i];

		if (c->state == C_UP) {
			t->st->alive_end++;
			(void)tunnel_send(c, CSTP_DISCONNECT, bye, sizeof(bye), false);
			t->alive--;
		}
		client_close(c);
		c->state = C_DONE;
	}
	loop_stop(t->loop);
}

int ocl_thread_run(const struct ocl_opts *o, unsigned first, unsigned step, uint64_t t0_ns,
		   struct ocl_stats *st)
{
	struct ocl_thread t = {.o = o, .st = st, .first = first, .step = step, .t0_ns = t0_ns};
	int ret;

	t.n = first < o->clients ? (o->clients - first + step - 1) / step : 0;
	t.c = calloc(t.n ? t.n : 1, sizeof(*t.c));
	t.tls = wolfSSL_CTX_new(wolfSSLv23_client_method());
	t.dtls = wolfSSL_CTX_new(wolfDTLSv1_2_client_method());
	ret = loop_new(&t.loop);
	if (!t.c || !t.tls || !t.dtls || ret) {
		ret = ret ? ret : -ENOMEM;
		goto out;
	}
	wolfSSL_CTX_set_session_cache_mode(t.tls, WOLFSSL_SESS_CACHE_OFF);
	/* not on t.dtls: wolfSSL_set_session() refuses sessions when the cache is off */
	if (o->cafile) {
		if (wolfSSL_CTX_load_verify_locations(t.tls, o->cafile, nullptr) !=
		    WOLFSSL_SUCCESS) {
			fprintf(stderr, "ocload: cannot load CA file %s\n", o->cafile);
			ret = -EINVAL;
			goto out;
		}
		wolfSSL_CTX_set_verify(t.tls, WOLFSSL_VERIFY_PEER, nullptr);
	} else {
		wolfSSL_CTX_set_verify(t.tls, WOLFSSL_VERIFY_NONE, nullptr);
	}
	wolfSSL_CTX_set_verify(t.dtls, WOLFSSL_VERIFY_NONE, nullptr);
	if (wolfSSL_CTX_set_cipher_list(t.dtls, "PSK-AES128-GCM-SHA256:PSK-AES256-GCM-SHA384:"
						"PSK-CHACHA20-POLY1305") != WOLFSSL_SUCCESS) {
		ret = -EINVAL;
		goto out;
	}
	wolfSSL_CTX_set_psk_client_callback(t.dtls, psk_cb);
	for (size_t i = 0; i < t.n; i++) {
		struct client *c = &t.c[i];

		c->t = &t;
		c->idx = first + (unsigned)i * step;
		c->fd = c->ufd = -1;
		timer_init(&c->timer, on_timer);
	}
	t.end_ns = t0_ns + (uint64_t)o->duration_s * NS_PER_SEC;
	timer_init(&t.starter, on_starter);
	timer_init(&t.stopper, on_stop);
	timer_init(&t.stormer, on_storm);
	if (t.n)
		loop_timer_arm(t.loop, &t.starter, start_time(&t, 0));
	loop_timer_arm(t.loop, &t.stopper, t.end_ns);
	if (o->storm)
		loop_timer_arm(t.loop, &t.stormer, t0_ns + (uint64_t)o->storm_at_s * NS_PER_SEC);
	ret = loop_run(t.loop);
	loop_run_pending(t.loop);
out:
	if (t.c && t.loop)
		for (size_t i = 0; i < t.n; i++)
			client_close(&t.c[i]);
	free(t.c);
	loop_free(t.loop);
	wolfSSL_CTX_free(t.tls);
	wolfSSL_CTX_free(t.dtls);
	return ret;
}
