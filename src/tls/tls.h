// SPDX-License-Identifier: GPL-2.0-or-later
/* tls/tls.h — the TLS module: wolfSSL server contexts (one per vhost) and non-blocking TLS
 * connections carrying HTTP and CSTP, and DTLS (dtls.c, dtls_legacy.c; section below). */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>

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
/* The checks tls_server_new()/dtls_server_new() would make on cfg's tls-priorities, without
 * building anything (for -t, startup and reload, so errors get the key's file:line). Returns 0,
 * or -EINVAL with a one-line reason in why (always NUL-terminated). Pure; any thread. */
[[nodiscard]] int tls_config_check(const struct config *cfg, char *why, size_t len);
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
 * is refused with -EPROTO (TLS 1.2 rekey is a new tunnel, see tls_conn_key_update). */
[[nodiscard]] ssize_t tls_conn_read(struct tls_conn *c, void *buf, size_t len);
/* Send len bytes (1..TLS_RECORD_MAX) as exactly ONE TLS record (one CSTP frame per record).
 * Returns len, or -EAGAIN: the record is (partially) queued — call again later with the SAME
 * buf/len until it returns len; or -EPIPE (peer gone) / -EPROTO; -EINVAL for a bad len or a len
 * different from the pending one. */
[[nodiscard]] ssize_t tls_conn_write(struct tls_conn *c, const void *buf, size_t len);
bool tls_conn_wants_write(const struct tls_conn *c);
/* After the handshake, tls_conn_write() gathers records; this sends them (one send(2) for
 * many records). 0 = all sent; -EAGAIN = the rest waits for POLLOUT (tls_conn_wants_write);
 * -EPIPE = the peer is gone. Call it once per batch of writes. */
[[nodiscard]] int tls_conn_flush(struct tls_conn *c);	/* the last -EAGAIN waits for POLLOUT */
void tls_conn_shutdown(struct tls_conn *c);		/* best-effort close_notify, never blocks */
const char *tls_conn_version(const struct tls_conn *c); /* "TLSv1.3"; static storage */
const char *tls_conn_cipher(const struct tls_conn *c);	/* wolfSSL suite name; static storage */
bool tls_conn_is_tls13(const struct tls_conn *c);	/* after the handshake */
/* rekey-method = ssl on TLS 1.3 (anyconnect-protocol.md §6.6): send a KeyUpdate asking the
 * peer to update too; it goes out with the next tls_conn_flush(). Returns 0; -EAGAIN when a
 * record is still queued (try again later); -EINVAL before the handshake or below TLS 1.3;
 * -EPROTO after a failure (logged once). */
[[nodiscard]] int tls_conn_key_update(struct tls_conn *c);
/* For DTLS PSK-NEGOTIATE: 32 bytes from the TLS exporter "EXPORTER-openconnect-psk" (no context).
 * Returns 0, or -EINVAL before the handshake completed or after
 * tls_conn_release_handshake_data(). out is secret: wipe it after use. */
[[nodiscard]] int tls_conn_export_psk(struct tls_conn *c, uint8_t out[TLS_EXPORT_PSK_LEN]);
/* Wipe and free the handshake secrets kept for the exporter. Idempotent. */
void tls_conn_release_handshake_data(struct tls_conn *c);

/* ---- DTLS (dtls.c, dtls_legacy.c; reference/anyconnect-protocol.md §5, docs/DTLS.md) ---- */

/* The DTLS contexts of one vhost: PSK-NEGOTIATE (DTLS 1.2 PSK) and legacy resumption (no
 * certificate). Immutable after dtls_server_new(); any worker thread may make connections. */
struct dtls_server;
/* One DTLS 1.2 session on a CONNECTED, non-blocking UDP socket (fd borrowed). One thread. */
struct dtls_conn;

enum {
	DTLS_PSK_LEN = 32,	     /* = TLS_EXPORT_PSK_LEN */
	DTLS_SESSION_ID_LEN = 32,    /* X-DTLS-Session-ID / X-DTLS-App-ID bytes */
	DTLS_MASTER_SECRET_LEN = 48, /* X-DTLS-Master-Secret bytes */
	DTLS_DATA_MTU_MIN = 256,     /* accepted range of data_mtu */
	DTLS_DATA_MTU_MAX = 9000,
	DTLS_DGRAM_MAX = 65535,		/* longest datagram dtls_conn_inject() takes */
	DTLS_SUITE_AES128_SHA = 0x002F, /* legacy suite ids (wire values) */
	DTLS_SUITE_AES256_SHA = 0x0035,
	DTLS_SUITE_AES128_GCM = 0x009C,
	DTLS_SUITE_AES256_GCM = 0x009D,
	DTLS_SUITE_ECDHE_ECDSA_AES128_GCM = 0xC02B,
	DTLS_SUITE_ECDHE_ECDSA_AES256_GCM = 0xC02C,
	DTLS_SUITE_ECDHE_RSA_AES128_GCM = 0xC02F,
	DTLS_SUITE_ECDHE_RSA_AES256_GCM = 0xC030,
};

/* Builds the contexts enabled by cfg->dtls_psk / cfg->dtls_legacy; the PSK suites are those of
 * PSK-AES256-GCM-SHA384, PSK-AES128-GCM-SHA256, PSK-CHACHA20-POLY1305 whose cipher
 * cfg->tls_priorities allows. Returns 0, -EINVAL (logged) or -ENOMEM; *out is nullptr on error.
 * cfg is only read during the call. Free after every dtls_conn made from it. */
[[nodiscard]] int dtls_server_new(const struct config *cfg, struct dtls_server **out);
void dtls_server_free(struct dtls_server *s); /* nullptr ok */

/* Legacy cipher choice (§5.3): the answer names the header to reply with and the suite. Both
 * strings are static storage. */
struct dtls_legacy_choice {
	const char *header; /* "X-DTLS12-CipherSuite" or "X-DTLS-CipherSuite" */
	const char *name;   /* one of the names the client offered, as spelled in our table */
	uint16_t suite_id;  /* DTLS_SUITE_* for dtls_conn_new_legacy() */
};
/* From the client's colon-separated lists (either may be nullptr) pick one suite wolfSSL can
 * resume over DTLS 1.2: the X-DTLS12 list first, AES-256-GCM > AES-128-GCM > AES256-SHA >
 * AES128-SHA, first offered among equals; never 3DES nor the DTLS 0.9 names of the
 * X-DTLS-CipherSuite list (only its OC-DTLS1_2-AES*-GCM names). Pure.
 * Returns 0, or -ENOENT: nothing usable (out untouched). */
[[nodiscard]] int dtls_legacy_pick(const char *dtls12_list, const char *dtls_list,
				   struct dtls_legacy_choice *out);
/* true when "PSK-NEGOTIATE" is a whole item of either list (nullptr = empty). Pure. */
bool dtls_psk_offered(const char *dtls_list, const char *dtls12_list);

/* Where a session's datagrams go: a non-blocking UDP socket (borrowed; one socket serves many
 * sessions) and the client's address, or peer_len 0 when fd is connected to it. A session
 * reads nothing itself: its caller demultiplexes and hands over each datagram (dtls_conn_feed).
 */
struct dtls_dest {
	int fd;
	struct sockaddr_storage peer;
	socklen_t peer_len;
};

/* A PSK-NEGOTIATE session (s must have dtls_psk on): psk = tls_conn_export_psk() (copied; wipe
 * yours), any PSK identity is accepted. dest is copied. first/first_len: the ClientHello
 * datagram, fed to wolfSSL by the first dtls_conn_handshake() (copied). data_mtu: the tunnel's
 * data MTU; a 1-byte type + data_mtu bytes fit one record.
 * Returns 0, -EINVAL (bad args, mode disabled), -ENOMEM. */
[[nodiscard]] int dtls_conn_new_psk(struct dtls_server *s, const struct dtls_dest *dest,
				    const uint8_t psk[DTLS_PSK_LEN], const uint8_t *first,
				    size_t first_len, unsigned data_mtu, struct dtls_conn **out);
/* A legacy session (s must have dtls_legacy on): the server resumes session_id with the client's
 * master_secret and suite_id (from dtls_legacy_pick()); a full handshake is refused. Secrets are
 * copied. Same first/data_mtu rules and returns as dtls_conn_new_psk(). */
[[nodiscard]] int dtls_conn_new_legacy(struct dtls_server *s, const struct dtls_dest *dest,
				       const uint8_t session_id[DTLS_SESSION_ID_LEN],
				       const uint8_t master_secret[DTLS_MASTER_SECRET_LEN],
				       uint16_t suite_id, const uint8_t *first, size_t first_len,
				       unsigned data_mtu, struct dtls_conn **out);
void dtls_conn_free(struct dtls_conn *c); /* nullptr ok; wipes secrets; does not close fd */
/* The client's NAT mapping moved: records go to peer from now on (copied). */
void dtls_conn_set_peer(struct dtls_conn *c, const struct sockaddr_storage *peer,
			socklen_t peer_len);
/* match-tls-dtls-ciphers: the PSK suite with the TLS channel's cipher (by its wolfSSL name, e.g.
 * "TLS13-AES256-GCM-SHA384" → "PSK-AES256-GCM-SHA384"), or nullptr when none matches. Pure. */
const char *dtls_psk_suite_matching(const char *tls_cipher);
/* Before the handshake: allow only this PSK suite. 0 or -EINVAL. */
[[nodiscard]] int dtls_conn_set_psk_suite(struct dtls_conn *c, const char *suite);
/* Runs the handshake on what was fed (the first datagram, then each dtls_conn_feed()): 0 = done
 * (legacy: only a resumed handshake counts); -EAGAIN = feed the next datagram or wait for
 * dtls_conn_timeout_ms(); -EPROTO = failed (logged once at LOG_INFO). */
[[nodiscard]] int dtls_conn_handshake(struct dtls_conn *c);
/* While the handshake runs: ms until dtls_conn_on_timeout() should be called (the
 * retransmission timer), -1 when none is armed. */
int dtls_conn_timeout_ms(const struct dtls_conn *c);
/* The retransmission timer fired: resend the last flight. 0, or -EPROTO (gave up; logged). */
[[nodiscard]] int dtls_conn_on_timeout(struct dtls_conn *c);
/* After the handshake, one record per call: > 0 bytes; -EAGAIN (nothing valid left: garbage,
 * replays and undecryptable datagrams are dropped silently inside); -EPROTO (alert, close_notify
 * or error; logged once); -EINVAL before the handshake. Give len > dtls_conn_max_payload(), or
 * a longer record's rest comes on the next call; with that, a record longer than the maximum
 * payload is dropped. */
[[nodiscard]] ssize_t dtls_conn_read(struct dtls_conn *c, void *buf, size_t len);
/* Send buf as one record: len; -EMSGSIZE if len > dtls_conn_max_payload() (or the kernel refused
 * the datagram as too big; nothing sent: resend over TLS); -EPROTO; -EINVAL before the handshake.
 * A datagram the socket cannot take now (EAGAIN/ENOBUFS) is dropped like any lost packet. */
[[nodiscard]] ssize_t dtls_conn_write(struct dtls_conn *c, const void *buf, size_t len);
const char *dtls_conn_cipher(const struct dtls_conn *c); /* wolfSSL suite name; static storage */
/* Largest payload one record carries: data_mtu + 1 (the type byte). */
size_t dtls_conn_max_payload(const struct dtls_conn *c);
/* Queue a datagram to be read next (e.g. one that came from a new client port); replaces one not
 * yet consumed. Copied; len 0 or > DTLS_DGRAM_MAX is ignored. */
void dtls_conn_inject(struct dtls_conn *c, const uint8_t *dgram, size_t len);
/* Records of the established connection go to tx (net/udp_tx.c: gathered, sent as UDP GSO)
 * instead of one send(2) each; tx must outlive c. Without: one send each. */
struct udp_tx;
void dtls_conn_set_tx(struct dtls_conn *c, struct udp_tx *tx);
/* The datagram (read by the caller, recvmmsg) that the next dtls_conn_handshake(), or the
 * following dtls_conn_read() calls record by record, consume; borrowed until the handshake call
 * returns or a read returns <= 0 (-EAGAIN: used up). */
void dtls_conn_feed(struct dtls_conn *c, const uint8_t *dgram, size_t len);
