// SPDX-License-Identifier: GPL-2.0-or-later
/* tls/tls.h — the TLS module: wolfSSL server contexts (one per vhost) and non-blocking TLS
 * connections carrying HTTP and CSTP. DTLS (dtls.c, a later issue) will live beside it. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct config;

/* One per vhost: WOLFSSL_CTX with cert chain, key, CA, versions, ciphers. Immutable after
 * tls_server_new(); connections of any worker thread may share it. */
struct tls_server;
/* One TLS connection over a non-blocking TCP fd (fd borrowed: the caller closes it). Used by one
 * thread at a time. */
struct tls_conn;

enum {
	TLS_RECORD_MAX = 16384,	 /* largest plaintext tls_conn_write() sends as one record */
	TLS_EXPORT_PSK_LEN = 32, /* tls_conn_export_psk() output */
};

/* Call once at startup (wolfSSL_Init) / exit, with no other thread using the module. */
[[nodiscard]] int tls_global_init(void);
void tls_global_fini(void);

/* Load cfg->server_cert (PEM chain), cfg->server_key (PEM, RSA or ECDSA), cfg->ca_cert (optional),
 * map cfg->tls_priorities (nullptr = ocserv's default) to versions/ciphers. Logs the precise reason
 * and returns -ENOENT (a file is missing), -EINVAL (bad file, key mismatch, bad priority string)
 * or -ENOMEM; *out is nullptr then. On success *out owns a new server; free with
 * tls_server_free(), after every tls_conn made from it. cfg is only read during the call. */
[[nodiscard]] int tls_server_new(const struct config *cfg, struct tls_server **out);
void tls_server_free(struct tls_server *srv); /* nullptr ok */
/* SHA-1 of the server certificate DER, 40 uppercase hex chars (for webvpnc sh: / server-cert-hash).
 * Owned by srv. */
const char *tls_server_cert_sha1_hex(const struct tls_server *srv);

/* A server-side connection on fd (non-blocking, connected; borrowed). srv must outlive it.
 * Returns 0, -ENOMEM or -EINVAL. */
[[nodiscard]] int tls_conn_new(struct tls_server *srv, int fd, struct tls_conn **out);
void tls_conn_free(struct tls_conn *c); /* nullptr ok; does not close fd */
/* 0 = handshake complete; -EAGAIN = needs I/O (see tls_conn_wants_write); -EPROTO = failed
 * (logged once at LOG_INFO with the wolfSSL reason; also a peer closing mid-handshake). */
[[nodiscard]] int tls_conn_handshake(struct tls_conn *c);
/* After the handshake: > 0 bytes; 0 = peer closed (close_notify or EOF); -EAGAIN;
 * -ECONNRESET / -EPROTO on error (logged once at LOG_INFO). A client-initiated renegotiation
 * is refused with -EPROTO (TODO(#rekey): allow secure renegotiation for rekey-method ssl). */
[[nodiscard]] ssize_t tls_conn_read(struct tls_conn *c, void *buf, size_t len);
/* Send len bytes (1..TLS_RECORD_MAX) as exactly ONE TLS record (one CSTP frame per record).
 * Returns len, or -EAGAIN: the record is (partially) queued — call again later with the SAME
 * buf/len until it returns len; or -EPIPE (peer gone) / -EPROTO; -EINVAL for a bad len or a len
 * different from the pending one. */
[[nodiscard]] ssize_t tls_conn_write(struct tls_conn *c, const void *buf, size_t len);
bool tls_conn_wants_write(const struct tls_conn *c);	/* the last -EAGAIN waits for POLLOUT */
void tls_conn_shutdown(struct tls_conn *c);		/* best-effort close_notify, never blocks */
const char *tls_conn_version(const struct tls_conn *c); /* "TLSv1.3"; static storage */
const char *tls_conn_cipher(const struct tls_conn *c);	/* wolfSSL suite name; static storage */
/* For DTLS PSK-NEGOTIATE: 32 bytes from the TLS exporter "EXPORTER-openconnect-psk" (no context).
 * Returns 0, or -EINVAL before the handshake completed or after
 * tls_conn_release_handshake_data(). out is secret: wipe it after use. */
[[nodiscard]] int tls_conn_export_psk(struct tls_conn *c, uint8_t out[TLS_EXPORT_PSK_LEN]);
/* Wipe and free the handshake secrets kept for the exporter. Idempotent. */
void tls_conn_release_handshake_data(struct tls_conn *c);
