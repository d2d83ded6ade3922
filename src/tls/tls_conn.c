// SPDX-License-Identifier: GPL-2.0-or-later
/* tls/tls_conn.c — one server-side TLS connection over a borrowed non-blocking TCP fd:
 * handshake, record-exact writes (one CSTP frame = one record), reads, close_notify, and the
 * exporter secret for DTLS PSK-NEGOTIATE. wolfSSL codes end here as -errno, logged once. */
#include "tls/tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/error-ssl.h>

#include "core/log.h"
#include "tls/tls_internal.h"

/* anyconnect-protocol.md §1 / openconnect: the PSK for DTLS is this exporter, no context. */
static const char tls_psk_label[] = "EXPORTER-openconnect-psk";

struct tls_conn {
	WOLFSSL *ssl;	  /* owned */
	int fd;		  /* borrowed */
	bool established; /* wolfSSL_accept() succeeded */
	bool failed;	  /* a fatal error was reported (and logged): every call fails now */
	bool reneg_seen;  /* the client started a renegotiation (set by the info callback) */
	bool want_write;  /* the last -EAGAIN waits for POLLOUT */
	bool arrays_kept; /* handshake secrets kept for tls_conn_export_psk() */
	bool shutdown_sent;
	int io_errno;	      /* last hard socket error, for the log line */
	size_t write_pending; /* len of the record wolfSSL queued on WANT_WRITE; 0 = none */
	/* After the handshake, records are gathered here and sent by tls_conn_flush(): many
	 * records per send(2) instead of one system call each. */
	bool gather;   /* set once the handshake is done */
	uint8_t *obuf; /* TLS_OBUF_MAX bytes while it holds records, else freed (idle memory) */
	size_t olen;
	/* Read-ahead: wolfSSL asks for a record header, then its body; one recv(2) of up to
	 * TLS_IBUF_MAX serves many records. Allocated only while it holds bytes. */
	uint8_t *ibuf;
	size_t ioff, ilen;
};

/* About 16 KiB per send, room for one full-size record: measured in bench/, 64 KiB bursts
 * doubled the p99 latency under load and cost a fifth of the download rate (more reordering
 * and spurious retransmits on the way to the client). */
enum { TLS_OBUF_MAX = 16 * 1024 + 512, TLS_IBUF_MAX = 32 * 1024 };

/* "198.18.0.1:443" for log lines; "?" when the fd has no inet peer (socketpair). */
static const char *tls_conn_peer(const struct tls_conn *c, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[INET6_ADDRSTRLEN];
	const void *addr;
	uint16_t port;

	if (getpeername(c->fd, (struct sockaddr *)&ss, &sl) < 0)
		goto unknown;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)&ss;

		addr = &sin->sin_addr;
		port = ntohs(sin->sin_port);
	} else if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&ss;

		addr = &sin6->sin6_addr;
		port = ntohs(sin6->sin6_port);
	} else {
		goto unknown;
	}
	if (!inet_ntop(ss.ss_family, addr, host, sizeof(host)))
		goto unknown;
	snprintf(buf, len, ss.ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u", host, port);
	return buf;
unknown:
	snprintf(buf, len, "?");
	return buf;
}

/* Marks c failed and logs why, once, at LOG_INFO (a peer's failure is not our error). */
static void tls_conn_fail(struct tls_conn *c, const char *what, int err)
{
	char peer[INET6_ADDRSTRLEN + 8];
	char reason[WOLFSSL_MAX_ERROR_SZ];

	if (c->failed)
		return;
	c->failed = true;
	c->want_write = false;
	log_msg(LOG_INFO, "tls: peer=%s %s: %s (%d)%s%s", tls_conn_peer(c, peer, sizeof(peer)),
		what, tls__strerror(err, reason, sizeof(reason)), err, c->io_errno ? ": " : "",
		c->io_errno ? strerror(c->io_errno) : "");
}

/* errno → wolfSSL I/O codes; the errno is kept for the error we report. */
static int tls_conn_io_errno(struct tls_conn *c, int err, int would_block)
{
	switch (err) {
	case EAGAIN:
		return would_block;
	case EINTR:
		return WOLFSSL_CBIO_ERR_ISR;
	case ECONNRESET:
		c->io_errno = ECONNRESET;
		return WOLFSSL_CBIO_ERR_CONN_RST;
	case EPIPE:
		c->io_errno = EPIPE;
		return WOLFSSL_CBIO_ERR_CONN_CLOSE;
	default:
		c->io_errno = err;
		return WOLFSSL_CBIO_ERR_GENERAL;
	}
}

static void tls_conn_ibuf_drop(struct tls_conn *c)
{
	free(c->ibuf);
	c->ibuf = nullptr;
	c->ioff = c->ilen = 0;
}

/* Serves up to sz bytes of the read-ahead buffer; frees it once empty (idle sessions hold
 * none). */
static int tls_conn_ibuf_take(struct tls_conn *c, char *buf, int sz)
{
	size_t take = c->ilen < (size_t)sz ? c->ilen : (size_t)sz;

	memcpy(buf, c->ibuf + c->ioff, take);
	c->ioff += take;
	c->ilen -= take;
	if (!c->ilen)
		tls_conn_ibuf_drop(c);
	return (int)take;
}

static int tls_conn_io_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct tls_conn *c = ctx;
	ssize_t n;

	(void)ssl;
	if (c->reneg_seen)
		return WOLFSSL_CBIO_ERR_GENERAL;
	if (c->ilen)
		return tls_conn_ibuf_take(c, buf, sz);
	if ((size_t)sz < TLS_IBUF_MAX && (c->ibuf || (c->ibuf = malloc(TLS_IBUF_MAX)))) {
		n = recv(c->fd, c->ibuf, TLS_IBUF_MAX, 0);
		if (n > 0) {
			c->ioff = 0;
			c->ilen = (size_t)n;
			return tls_conn_ibuf_take(c, buf, sz);
		}
	} else {
		n = recv(c->fd, buf, (size_t)sz, 0); /* a large read, or no memory for read-ahead */
		if (n > 0)
			return (int)n;
	}
	int err = errno;
	tls_conn_ibuf_drop(c);
	if (n == 0)
		return WOLFSSL_CBIO_ERR_CONN_CLOSE;
	return tls_conn_io_errno(c, err, WOLFSSL_CBIO_ERR_WANT_READ);
}

/* Send what is gathered: 0 when empty, -EAGAIN (the rest stays), -EPIPE/-EIO. */
static int tls_conn_obuf_send(struct tls_conn *c)
{
	size_t off = 0;
	int ret = 0;

	if (!c->olen)
		return 0;
	while (off < c->olen) {
		ssize_t n = send(c->fd, c->obuf + off, c->olen - off, MSG_NOSIGNAL);
		if (n < 0) {
			ret = errno == EAGAIN || errno == EWOULDBLOCK ? -EAGAIN
			      : errno == EINTR			      ? 0
								      : -EPIPE;
			if (ret == 0)
				continue;
			if (ret != -EAGAIN)
				c->io_errno = errno;
			break;
		}
		off += (size_t)n;
	}
	memmove(c->obuf, c->obuf + off, c->olen - off);
	c->olen -= off;
	return ret;
}

static int tls_conn_io_send(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct tls_conn *c = ctx;
	ssize_t n;

	(void)ssl;
	if (c->reneg_seen)
		return WOLFSSL_CBIO_ERR_GENERAL; /* never answer a renegotiation attempt */
	if (c->gather && !c->obuf)
		c->obuf = malloc(TLS_OBUF_MAX); /* on failure: send directly below */
	if (c->obuf) {
		/* Gather; when full, push what is gathered first. Order is kept: nothing is sent
		 * around the buffer while it holds bytes. */
		if (c->olen + (size_t)sz > TLS_OBUF_MAX) {
			int ret = tls_conn_obuf_send(c);
			if (ret == -EAGAIN && c->olen + (size_t)sz > TLS_OBUF_MAX)
				return WOLFSSL_CBIO_ERR_WANT_WRITE;
			if (ret && ret != -EAGAIN)
				return WOLFSSL_CBIO_ERR_CONN_CLOSE;
		}
		if (c->olen + (size_t)sz <= TLS_OBUF_MAX) {
			memcpy(c->obuf + c->olen, buf, (size_t)sz);
			c->olen += (size_t)sz;
			return sz;
		}
	}
	n = send(c->fd, buf, (size_t)sz, MSG_NOSIGNAL); /* a vanished peer: EPIPE, not SIGPIPE */
	if (n >= 0)
		return (int)n;
	return tls_conn_io_errno(c, errno, WOLFSSL_CBIO_ERR_WANT_WRITE);
}

void tls__conn_on_info(const WOLFSSL *ssl, int where, int ret)
{
	/* wolfSSL_GetIOReadCtx() only reads, but is not declared const. */
	struct tls_conn *c = wolfSSL_GetIOReadCtx((WOLFSSL *)ssl);

	(void)ret;
	/* After the first handshake only a (TLS <= 1.2) renegotiation enters the accept loop. It
	 * fires on the ClientHello, before any answer: from now on the I/O callbacks refuse. */
	if (c && c->established &&
	    (where == SSL_CB_ACCEPT_LOOP || (where & SSL_CB_HANDSHAKE_START)))
		c->reneg_seen = true;
}

int tls_conn_new(struct tls_server *srv, int fd, struct tls_conn **out)
{
	struct tls_conn *c;
	int ret;

	*out = nullptr;
	if (fd < 0)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->fd = fd;
	c->ssl = wolfSSL_new(srv->ctx);
	if (!c->ssl) {
		ret = -ENOMEM;
		goto out;
	}
	/* Our own I/O callbacks: the context doubles as the way back from ssl to c (this wolfSSL
	 * has no ex_data), and send() gets MSG_NOSIGNAL. */
	wolfSSL_SSLSetIORecv(c->ssl, tls_conn_io_recv);
	wolfSSL_SSLSetIOSend(c->ssl, tls_conn_io_send);
	wolfSSL_SetIOReadCtx(c->ssl, c);
	wolfSSL_SetIOWriteCtx(c->ssl, c);
	/* Without this the exporter returns zeros (reference/wolfssl.md). */
	wolfSSL_KeepArrays(c->ssl);
	c->arrays_kept = true;
	*out = c;
	c = nullptr; /* owned by the caller */
	ret = 0;
out:
	tls_conn_free(c);
	return ret;
}

void tls_conn_free(struct tls_conn *c)
{
	if (!c)
		return;
	if (c->ssl) {
		tls_conn_release_handshake_data(c);
		wolfSSL_free(c->ssl);
	}
	free(c->obuf);
	free(c->ibuf);
	free(c);
}

/* Sorts a wolfSSL failure: true (with c->want_write set) when it only needs I/O. */
static bool tls_conn_would_block(struct tls_conn *c, int err)
{
	if (err == WOLFSSL_ERROR_WANT_READ) {
		c->want_write = false;
		return true;
	}
	if (err == WOLFSSL_ERROR_WANT_WRITE) {
		c->want_write = true;
		return true;
	}
	return false;
}

int tls_conn_handshake(struct tls_conn *c)
{
	int ret, err;

	if (c->failed)
		return -EPROTO;
	if (c->established)
		return 0;
	ret = wolfSSL_accept(c->ssl);
	if (ret == WOLFSSL_SUCCESS) {
		c->established = true;
		c->want_write = false;
		c->gather = true;
		return 0;
	}
	err = wolfSSL_get_error(c->ssl, ret);
	if (tls_conn_would_block(c, err))
		return -EAGAIN;
	tls_conn_fail(c, "handshake failed", err);
	return -EPROTO;
}

ssize_t tls_conn_read(struct tls_conn *c, void *buf, size_t len)
{
	int n, err;

	if (c->failed)
		return -EPROTO;
	if (!c->established || len == 0)
		return -EINVAL;
	n = wolfSSL_read(c->ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
	if (c->reneg_seen) {
		/* Never renegotiated: on TLS 1.2 every rekey is a new tunnel (cstp_headers.c). */
		tls_conn_fail(c, "client-initiated renegotiation refused", SECURE_RENEGOTIATION_E);
		return -EPROTO;
	}
	if (n > 0) {
		c->want_write = false;
		return n;
	}
	err = wolfSSL_get_error(c->ssl, n);
	if (tls_conn_would_block(c, err))
		return -EAGAIN;
	if (n == 0 || err == WOLFSSL_ERROR_ZERO_RETURN || err == SOCKET_PEER_CLOSED_E) {
		c->want_write = false;
		return 0; /* close_notify, EOF or reset: the peer is gone */
	}
	tls_conn_fail(c, "read failed", err);
	return err == SOCKET_ERROR_E ? -ECONNRESET : -EPROTO;
}

ssize_t tls_conn_write(struct tls_conn *c, const void *buf, size_t len)
{
	int n, err;

	if (len == 0 || len > TLS_RECORD_MAX)
		return -EINVAL;
	if (c->write_pending && c->write_pending != len)
		return -EINVAL; /* the queued record must be finished with the same data */
	if (c->failed)
		return -EPROTO;
	if (!c->established)
		return -EINVAL;
	/* Partial writes stay disabled (wolfSSL's default): a len <= 16384 write is one record,
	 * and after WANT_WRITE wolfSSL keeps the whole record and reports len once it is out. */
	n = wolfSSL_write(c->ssl, buf, (int)len);
	if (c->reneg_seen) {
		tls_conn_fail(c, "client-initiated renegotiation refused", SECURE_RENEGOTIATION_E);
		return -EPROTO;
	}
	if (n == (int)len) {
		c->write_pending = 0;
		c->want_write = false;
		return (ssize_t)len;
	}
	err = wolfSSL_get_error(c->ssl, n);
	if (n < 0 && tls_conn_would_block(c, err)) {
		c->write_pending = len;
		return -EAGAIN;
	}
	c->write_pending = 0;
	if (n == 0 || err == SOCKET_ERROR_E || err == SOCKET_PEER_CLOSED_E) {
		tls_conn_fail(c, "write failed: peer gone", err);
		return -EPIPE;
	}
	tls_conn_fail(c, "write failed", err);
	return -EPROTO;
}

bool tls_conn_wants_write(const struct tls_conn *c)
{
	return c->want_write || c->olen;
}

int tls_conn_flush(struct tls_conn *c)
{
	int ret;

	if (!c->olen)
		return 0;
	ret = tls_conn_obuf_send(c);
	if (ret && ret != -EAGAIN)
		tls_conn_fail(c, "write failed: peer gone", SOCKET_ERROR_E);
	if (!c->olen) {
		free(c->obuf); /* an idle session keeps no output buffer */
		c->obuf = nullptr;
	}
	return ret;
}

void tls_conn_shutdown(struct tls_conn *c)
{
	if (!c || c->shutdown_sent || !c->established || c->failed)
		return;
	c->shutdown_sent = true;
	/* Non-blocking fd: one attempt to send close_notify, whatever the outcome. */
	(void)wolfSSL_shutdown(c->ssl);
	(void)tls_conn_obuf_send(c);
}

const char *tls_conn_version(const struct tls_conn *c)
{
	return wolfSSL_get_version(c->ssl);
}

const char *tls_conn_cipher(const struct tls_conn *c)
{
	const char *name = wolfSSL_get_cipher_name(c->ssl);

	return name ? name : "NONE";
}

bool tls_conn_is_tls13(const struct tls_conn *c)
{
	return wolfSSL_version(c->ssl) == TLS1_3_VERSION;
}

int tls_conn_key_update(struct tls_conn *c)
{
	int ret;

	if (c->failed)
		return -EPROTO;
	if (!c->established || !tls_conn_is_tls13(c))
		return -EINVAL;
	/* Only with room in the gather buffer: the KeyUpdate record (< 64 bytes) is then never
	 * left half-queued inside wolfSSL behind or ahead of a pending CSTP record. */
	if (c->write_pending || c->want_write || c->olen + 256 > TLS_OBUF_MAX)
		return -EAGAIN;
	ret = wolfSSL_update_keys(c->ssl);
	if (ret == WOLFSSL_SUCCESS)
		return 0;
	if (ret == WOLFSSL_ERROR_WANT_WRITE) {
		c->want_write = true; /* queued inside wolfSSL: the next write sends it first */
		return 0;
	}
	tls_conn_fail(c, "key update failed", ret);
	return -EPROTO;
}

int tls_conn_export_psk(struct tls_conn *c, uint8_t out[TLS_EXPORT_PSK_LEN])
{
	if (!c->established || !c->arrays_kept || c->failed)
		return -EINVAL;
	if (wolfSSL_export_keying_material(c->ssl, out, TLS_EXPORT_PSK_LEN, tls_psk_label,
					   sizeof(tls_psk_label) - 1, nullptr, 0,
					   0) != WOLFSSL_SUCCESS) {
		explicit_bzero(out, TLS_EXPORT_PSK_LEN);
		return -EINVAL;
	}
	return 0;
}

void tls_conn_release_handshake_data(struct tls_conn *c)
{
	if (!c->arrays_kept)
		return;
	/* wolfSSL_FreeArrays() wipes them, but only once the handshake is done; before that,
	 * wolfSSL_free() does the same. */
	if (c->established) {
		wolfSSL_FreeArrays(c->ssl);
		c->arrays_kept = false;
	}
}
