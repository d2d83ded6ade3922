// SPDX-License-Identifier: GPL-2.0-or-later
/* tls/dtls.c — the DTLS contexts of a vhost (PSK-NEGOTIATE, legacy resumption) and one DTLS 1.2
 * session fed datagrams by its caller and sending over a borrowed UDP socket to the client's
 * address: handshake, one record per read or write. Legacy suite choice and session building are
 * dtls_legacy.c's; UDP demultiplexing and the DTLS state machine are tunnel/'s. wolfSSL codes end
 * here as -errno, logged once. */
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

#include "config/config.h"
#include "core/compiler.h"
#include "core/log.h"
#include "net/net.h"
#include "tls/priority.h"
#include "tls/tls_internal.h"

enum {
	/* Worst DTLS 1.2 record expansion of our suites as wolfSSL 5.5.4 budgets it: header 13 +
	 * a handshake header 12 it always counts + CBC IV 16 + HMAC-SHA1 20 + padding 16, rounded
	 * up (GCM needs 8 + 16, ChaCha20 16). The record payload is capped at data_mtu + 1. */
	DTLS_RECORD_OVERHEAD_MAX = 96,
	/* The context MTU sizes wolfSSL's receive buffer: the largest record a peer may send. */
	DTLS_CTX_MTU = DTLS_DATA_MTU_MAX + 1 + DTLS_RECORD_OVERHEAD_MAX,
	DTLS_DIRECT_AFTER_ERROR = 1024, /* records sent one by one after a failed batch */
};

/* PSK-NEGOTIATE suites (§5.4), server preference first; kept if tls-priorities allow the cipher. */
static const struct {
	const char *name;
	const char *cipher; /* as it appears in the TLS cipher list of priority.c */
} dtls_psk_suites[] = {
	{"PSK-AES256-GCM-SHA384", "AES256-GCM"},
	{"PSK-AES128-GCM-SHA256", "AES128-GCM"},
	{"PSK-CHACHA20-POLY1305", "CHACHA20-POLY1305"},
};

/* ---- the server contexts ---- */

static unsigned int dtls_on_psk(WOLFSSL *ssl, const char *identity, unsigned char *key,
				unsigned int max_key_len)
{
	struct dtls_conn *c = wolfSSL_GetIOReadCtx(ssl);

	/* openconnect sends the identity "psk"; the session was already matched by the
	 * ClientHello's session_id (§5.4), so any identity gets this session's key. */
	(void)identity;
	if (!c || c->mode != DTLS_MODE_PSK || max_key_len < DTLS_PSK_LEN)
		return 0;
	memcpy(key, c->psk, DTLS_PSK_LEN);
	return DTLS_PSK_LEN;
}

int dtls__psk_list(const struct tls_priority *prio, char *list, size_t len)
{
	size_t used = 0;

	list[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(dtls_psk_suites); i++) {
		int n;

		if (!strstr(prio->cipher_list, dtls_psk_suites[i].cipher))
			continue;
		n = snprintf(list + used, len - used, "%s%s", used ? ":" : "",
			     dtls_psk_suites[i].name);
		if (n < 0 || (size_t)n >= len - used)
			return -EINVAL;
		used += (size_t)n;
	}
	return used ? 0 : -ENOENT;
}

/* The PSK cipher list allowed by cfg->tls_priorities, into list. main.c has already checked
 * both steps with tls_config_check() (file:line errors); these logs are the fallback. */
static int dtls_psk_cipher_list(const struct config *cfg, char *list, size_t len)
{
	const char *s = cfg->tls_priorities ? cfg->tls_priorities : TLS_PRIORITY_DEFAULT;
	struct tls_priority prio;
	char err[256];
	int ret;

	if (tls_priority_parse(s, &prio, err, sizeof(err)) < 0) {
		log_msg(LOG_ERR, "dtls: tls-priorities '%s': %s", s, err);
		return -EINVAL;
	}
	ret = dtls__psk_list(&prio, list, len);
	if (ret == -ENOENT)
		log_msg(LOG_ERR, "dtls: tls-priorities '%s': %s", s, DTLS_NO_PSK_CIPHER);
	return ret ? -EINVAL : 0;
}

/* Common to both contexts: DTLS 1.2 only (§5.9), no client certificates, no internal session
 * cache (nothing secret outlives its connection; legacy lookups go to our callback). */
static int dtls_ctx_new(WOLFSSL_CTX **out)
{
	WOLFSSL_CTX *ctx = wolfSSL_CTX_new(wolfDTLSv1_2_server_method());

	*out = ctx;
	if (!ctx)
		return -ENOMEM;
	wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_NONE, nullptr);
	wolfSSL_CTX_set_session_cache_mode(ctx, WOLFSSL_SESS_CACHE_NO_INTERNAL_STORE |
							WOLFSSL_SESS_CACHE_NO_INTERNAL_LOOKUP);
	if (wolfSSL_CTX_dtls_set_mtu(ctx, DTLS_CTX_MTU) != WOLFSSL_SUCCESS) {
		log_msg(LOG_ERR, "dtls: cannot set the context MTU %d", DTLS_CTX_MTU);
		return -EINVAL;
	}
	return 0;
}

int dtls_server_new(const struct config *cfg, struct dtls_server **out)
{
	char list[256];
	struct dtls_server *s;
	int ret;

	*out = nullptr;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	if (cfg->dtls_psk) {
		ret = dtls_psk_cipher_list(cfg, list, sizeof(list));
		if (ret < 0)
			goto out;
		ret = dtls_ctx_new(&s->psk_ctx);
		if (ret < 0)
			goto out;
		wolfSSL_CTX_set_psk_server_callback(s->psk_ctx, dtls_on_psk);
		if (wolfSSL_CTX_set_cipher_list(s->psk_ctx, list) != WOLFSSL_SUCCESS) {
			log_msg(LOG_ERR, "dtls: wolfSSL refused the PSK cipher list '%s'", list);
			ret = -EINVAL;
			goto out;
		}
		wolfSSL_CTX_set_options(s->psk_ctx, WOLFSSL_OP_CIPHER_SERVER_PREFERENCE);
	}
	if (cfg->dtls_legacy) {
		ret = dtls_ctx_new(&s->legacy_ctx);
		if (ret < 0)
			goto out;
		ret = dtls__legacy_ctx_setup(s->legacy_ctx);
		if (ret < 0)
			goto out;
	}
	*out = s;
	s = nullptr; /* owned by the caller */
	ret = 0;
out:
	dtls_server_free(s);
	return ret;
}

void dtls_server_free(struct dtls_server *s)
{
	if (!s)
		return;
	wolfSSL_CTX_free(s->psk_ctx);
	wolfSSL_CTX_free(s->legacy_ctx);
	free(s);
}

/* ---- I/O callbacks: the fed or pending datagram in, sendto() or the batch out ---- */

static void dtls_conn_drop_pending(struct dtls_conn *c)
{
	free(c->pending);
	c->pending = nullptr;
	c->pending_len = 0;
}

/* A datagram is read whole or cut, as recv() on a UDP socket would. */
static int dtls_dgram_copy(char *buf, int sz, const uint8_t *dgram, size_t len)
{
	size_t n = len < (size_t)sz ? len : (size_t)sz;

	memcpy(buf, dgram, n);
	return (int)n;
}

static int dtls_io_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct dtls_conn *c = ctx;

	(void)ssl;
	if (c->pending) {
		int got = dtls_dgram_copy(buf, sz, c->pending, c->pending_len);
		dtls_conn_drop_pending(c);
		return got;
	}
	if (c->feeding && c->fed) {
		int got = dtls_dgram_copy(buf, sz, c->fed, c->fed_len);
		c->fed = nullptr;
		return got;
	}
	return WOLFSSL_CBIO_ERR_WANT_READ;
}

static ssize_t dtls_send_one(const struct dtls_conn *c, const char *buf, size_t len)
{
	const struct dtls_dest *d = &c->dest;

	return sendto(d->fd, buf, len, MSG_NOSIGNAL,
		      d->peer_len ? (const struct sockaddr *)&d->peer : nullptr, d->peer_len);
}

static int dtls_io_send(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct dtls_conn *c = ctx;
	ssize_t n;

	(void)ssl;
	if (c->tx && c->established && !c->direct_left) {
		udp_tx_add(c->tx, c->dest.fd, (const struct sockaddr *)&c->dest.peer,
			   c->dest.peer_len, &c->tx_err, buf, (size_t)sz);
		return sz;
	}
	if (c->direct_left)
		c->direct_left--;
	n = dtls_send_one(c, buf, (size_t)sz);
	if (n >= 0)
		return sz; /* a datagram goes whole or not at all */
	if (errno == EMSGSIZE) {
		c->emsgsize = true; /* dtls_conn_write() reports it */
		return sz;
	}
	/* Dropped like a datagram lost on the way: DTLS and the tunnel cope with loss, a queued
	 * record would only be late. */
	if (sock_udp_send_lost(errno))
		return sz;
	c->io_errno = errno;
	return WOLFSSL_CBIO_ERR_GENERAL;
}

/* ---- connections ---- */

static const char *dtls_conn_peer(const struct dtls_conn *c, char *buf, size_t len)
{
	struct sockaddr_storage ss = c->dest.peer;
	socklen_t sl = sizeof(ss);
	char host[INET6_ADDRSTRLEN];
	const void *addr = nullptr;
	unsigned port = 0;

	if (c->dest.peer_len || getpeername(c->dest.fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET) {
			addr = &((const struct sockaddr_in *)&ss)->sin_addr;
			port = ntohs(((const struct sockaddr_in *)&ss)->sin_port);
		} else if (ss.ss_family == AF_INET6) {
			addr = &((const struct sockaddr_in6 *)&ss)->sin6_addr;
			port = ntohs(((const struct sockaddr_in6 *)&ss)->sin6_port);
		}
	}
	if (!addr || !inet_ntop(ss.ss_family, addr, host, sizeof(host))) {
		snprintf(buf, len, "?");
		return buf;
	}
	snprintf(buf, len, ss.ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u", host, port);
	return buf;
}

/* Marks c failed and logs why, once, at LOG_INFO (a peer's failure is not our error). */
static void dtls_conn_fail(struct dtls_conn *c, const char *what, int err)
{
	char peer[INET6_ADDRSTRLEN + 8];
	char reason[WOLFSSL_MAX_ERROR_SZ];

	if (c->failed)
		return;
	c->failed = true;
	log_msg(LOG_INFO, "dtls: peer=%s %s: %s (%d)%s%s", dtls_conn_peer(c, peer, sizeof(peer)),
		what, err ? tls__strerror(err, reason, sizeof(reason)) : "-", err,
		c->io_errno ? ": " : "", c->io_errno ? strerror(c->io_errno) : "");
}

static bool dtls_would_block(int err)
{
	return err == WOLFSSL_ERROR_WANT_READ || err == WOLFSSL_ERROR_WANT_WRITE;
}

static int dtls_conn_new(struct dtls_server *s, enum dtls_mode mode, const struct dtls_dest *dest,
			 const uint8_t *first, size_t first_len, unsigned data_mtu,
			 struct dtls_conn **out)
{
	WOLFSSL_CTX *ctx = mode == DTLS_MODE_PSK ? s->psk_ctx : s->legacy_ctx;
	struct dtls_conn *c;
	int ret;

	*out = nullptr;
	if (!ctx || !dest || dest->fd < 0 || dest->peer_len > sizeof(dest->peer) ||
	    data_mtu < DTLS_DATA_MTU_MIN || data_mtu > DTLS_DATA_MTU_MAX ||
	    first_len > DTLS_DGRAM_MAX || (first_len && !first))
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->dest = *dest;
	c->mode = mode;
	c->max_payload = (size_t)data_mtu + 1; /* the type byte (§5.1) */
	if (first_len) {
		c->pending = malloc(first_len);
		if (!c->pending) {
			ret = -ENOMEM;
			goto out;
		}
		memcpy(c->pending, first, first_len);
		c->pending_len = first_len;
	}
	c->ssl = wolfSSL_new(ctx);
	if (!c->ssl) {
		ret = -ENOMEM;
		goto out;
	}
	/* Our callbacks: the context is also the way back from ssl to c (no ex_data here). */
	wolfSSL_SSLSetIORecv(c->ssl, dtls_io_recv);
	wolfSSL_SSLSetIOSend(c->ssl, dtls_io_send);
	wolfSSL_SetIOReadCtx(c->ssl, c);
	wolfSSL_SetIOWriteCtx(c->ssl, c);
	wolfSSL_dtls_set_using_nonblock(c->ssl, 1);
	/* A full tunnel packet + the type byte must fit one record (§5.3, openconnect's
	 * gnutls_dtls_set_data_mtu(mtu + 1)); checked again after the handshake. */
	if (wolfSSL_dtls_set_mtu(c->ssl,
				 (unsigned short)(c->max_payload + DTLS_RECORD_OVERHEAD_MAX)) !=
	    WOLFSSL_SUCCESS) {
		ret = -EINVAL;
		goto out;
	}
	*out = c;
	c = nullptr; /* owned by the caller */
	ret = 0;
out:
	dtls_conn_free(c);
	return ret;
}

int dtls_conn_new_psk(struct dtls_server *s, const struct dtls_dest *dest,
		      const uint8_t psk[DTLS_PSK_LEN], const uint8_t *first, size_t first_len,
		      unsigned data_mtu, struct dtls_conn **out)
{
	int ret = dtls_conn_new(s, DTLS_MODE_PSK, dest, first, first_len, data_mtu, out);

	if (ret == 0)
		memcpy((*out)->psk, psk, DTLS_PSK_LEN);
	return ret;
}

int dtls_conn_new_legacy(struct dtls_server *s, const struct dtls_dest *dest,
			 const uint8_t session_id[DTLS_SESSION_ID_LEN],
			 const uint8_t master_secret[DTLS_MASTER_SECRET_LEN], uint16_t suite_id,
			 const uint8_t *first, size_t first_len, unsigned data_mtu,
			 struct dtls_conn **out)
{
	int ret;

	*out = nullptr;
	if (!dtls__legacy_suite_known(suite_id))
		return -EINVAL;
	ret = dtls_conn_new(s, DTLS_MODE_LEGACY, dest, first, first_len, data_mtu, out);
	if (ret == 0) {
		memcpy((*out)->session_id, session_id, DTLS_SESSION_ID_LEN);
		memcpy((*out)->master_secret, master_secret, DTLS_MASTER_SECRET_LEN);
		(*out)->suite_id = suite_id;
	}
	return ret;
}

const char *dtls_psk_suite_matching(const char *tls_cipher)
{
	static const struct {
		const char *needle, *suite;
	} map[] = {
		{"AES256-GCM", "PSK-AES256-GCM-SHA384"}, {"AES_256_GCM", "PSK-AES256-GCM-SHA384"},
		{"AES128-GCM", "PSK-AES128-GCM-SHA256"}, {"AES_128_GCM", "PSK-AES128-GCM-SHA256"},
		{"CHACHA20", "PSK-CHACHA20-POLY1305"},
	};

	for (size_t i = 0; tls_cipher && i < ARRAY_SIZE(map); i++)
		if (strstr(tls_cipher, map[i].needle))
			return map[i].suite;
	return nullptr;
}

int dtls_conn_set_psk_suite(struct dtls_conn *c, const char *suite)
{
	if (!c || !suite || wolfSSL_set_cipher_list(c->ssl, suite) != WOLFSSL_SUCCESS)
		return -EINVAL;
	return 0;
}

void dtls_conn_free(struct dtls_conn *c)
{
	if (!c)
		return;
	udp_tx_forget(c->tx, &c->tx_err); /* what it gathered of ours goes out now */
	wolfSSL_free(c->ssl);
	dtls_conn_drop_pending(c);
	explicit_bzero(c->psk, sizeof(c->psk));
	explicit_bzero(c->master_secret, sizeof(c->master_secret));
	free(c);
}

int dtls_conn_handshake(struct dtls_conn *c)
{
	int ret, err, max_out;

	if (c->failed)
		return -EPROTO;
	if (c->established)
		return 0;
	ret = wolfSSL_accept(c->ssl);
	c->feeding = false; /* the fed datagram is used up (or was not needed) */
	c->fed = nullptr;
	if (ret != WOLFSSL_SUCCESS) {
		err = wolfSSL_get_error(c->ssl, ret);
		if (dtls_would_block(err))
			return -EAGAIN;
		dtls_conn_fail(c, "handshake failed", err);
		return -EPROTO;
	}
	/* openconnect refuses a full handshake here (possible hijack); so do we (§5.3). */
	if (c->mode == DTLS_MODE_LEGACY && wolfSSL_session_reused(c->ssl) != 1) {
		dtls_conn_fail(c, "legacy handshake was not a resumption", 0);
		return -EPROTO;
	}
	max_out = wolfSSL_GetMaxOutputSize(c->ssl);
	if (max_out > 0 && (size_t)max_out < c->max_payload) {
		log_msg(LOG_WARNING, "dtls: record payload limited to %d < %zu bytes", max_out,
			c->max_payload);
		c->max_payload = (size_t)max_out;
	}
	c->established = true;
	return 0;
}

int dtls_conn_timeout_ms(const struct dtls_conn *c)
{
	int s;

	if (c->established || c->failed)
		return -1;
	s = wolfSSL_dtls_get_current_timeout(c->ssl);
	return s > 0 ? s * 1000 : -1;
}

int dtls_conn_on_timeout(struct dtls_conn *c)
{
	int ret, err;

	if (c->failed)
		return -EPROTO;
	if (c->established)
		return 0;
	ret = wolfSSL_dtls_got_timeout(c->ssl);
	if (ret == WOLFSSL_SUCCESS)
		return 0;
	err = wolfSSL_get_error(c->ssl, ret);
	if (dtls_would_block(err))
		return 0;
	dtls_conn_fail(c, "handshake timed out", err);
	return -EPROTO;
}

ssize_t dtls_conn_read(struct dtls_conn *c, void *buf, size_t len)
{
	int n, err;

	if (c->failed)
		return -EPROTO;
	if (!c->established || len == 0)
		return -EINVAL;
	/* The read size sizes wolfSSL's receive buffer, which it zeroes and frees after every
	 * datagram: ask for no more than a record may carry (+1 to see a longer one). */
	int want = len < c->max_payload + 1 ? (int)len : (int)c->max_payload + 1;
	while ((n = wolfSSL_read(c->ssl, buf, want)) > 0) {
		if ((size_t)n <= c->max_payload || (size_t)want <= c->max_payload)
			return n;
		/* Longer than the negotiated MTU allows: dropped with its rest. */
		while (wolfSSL_pending(c->ssl) > 0 && wolfSSL_read(c->ssl, buf, want) > 0)
			;
	}
	c->feeding = false; /* the fed datagram is used up */
	c->fed = nullptr;
	err = wolfSSL_get_error(c->ssl, n);
	if (dtls_would_block(err))
		return -EAGAIN;
	if (err == WOLFSSL_ERROR_ZERO_RETURN) {
		dtls_conn_fail(c, "peer closed", err);
		return -EPROTO;
	}
	dtls_conn_fail(c, "read failed", err);
	return -EPROTO;
}

ssize_t dtls_conn_write(struct dtls_conn *c, const void *buf, size_t len)
{
	int n, err;

	if (c->failed)
		return -EPROTO;
	if (!c->established || len == 0)
		return -EINVAL;
	if (len > c->max_payload)
		return -EMSGSIZE;
	if (c->tx_err) {
		/* A batch failed (EMSGSIZE after a path MTU drop, say): send directly for a while,
		 * so a too-large record is refused here and its packet can take TLS. */
		c->tx_err = 0;
		c->direct_left = DTLS_DIRECT_AFTER_ERROR;
	}
	c->emsgsize = false;
	n = wolfSSL_write(c->ssl, buf, (int)len);
	if (n == (int)len)
		return c->emsgsize ? -EMSGSIZE : (ssize_t)len;
	err = wolfSSL_get_error(c->ssl, n);
	if (n < 0 && dtls_would_block(err))
		return -EAGAIN;
	dtls_conn_fail(c, "write failed", err);
	return -EPROTO;
}

const char *dtls_conn_cipher(const struct dtls_conn *c)
{
	const char *name = wolfSSL_get_cipher_name(c->ssl);

	return name ? name : "NONE";
}

size_t dtls_conn_max_payload(const struct dtls_conn *c)
{
	return c->max_payload;
}

void dtls_conn_inject(struct dtls_conn *c, const uint8_t *dgram, size_t len)
{
	uint8_t *copy;

	if (len == 0 || len > DTLS_DGRAM_MAX)
		return;
	copy = malloc(len);
	if (!copy)
		return; /* as if the datagram was lost */
	memcpy(copy, dgram, len);
	dtls_conn_drop_pending(c);
	c->pending = copy;
	c->pending_len = len;
}

void dtls_conn_set_peer(struct dtls_conn *c, const struct sockaddr_storage *peer,
			socklen_t peer_len)
{
	if (peer_len > sizeof(c->dest.peer))
		return;
	udp_tx_forget(c->tx, &c->tx_err); /* gathered for the old address */
	memcpy(&c->dest.peer, peer, peer_len);
	c->dest.peer_len = peer_len;
}

void dtls_conn_set_tx(struct dtls_conn *c, struct udp_tx *tx)
{
	c->tx = tx;
}

void dtls_conn_feed(struct dtls_conn *c, const uint8_t *dgram, size_t len)
{
	c->feeding = true;
	c->fed = dgram;
	c->fed_len = len;
}
