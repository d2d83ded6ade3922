// SPDX-License-Identifier: GPL-2.0-or-later
/* tls/tls_internal.h — internal to tls/: the server context shared by tls_server.c and
 * tls_conn.c, and the DTLS server/connection of dtls.c + dtls_legacy.c. Includes wolfSSL, so it
 * never leaves this folder. */
#pragma once

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "tls/tls.h"

enum { TLS_SHA1_HEX_LEN = 40 };

struct tls_server {
	WOLFSSL_CTX *ctx; /* owned; immutable once tls_server_new() returns */
	char cert_sha1_hex[TLS_SHA1_HEX_LEN + 1];
};

/* wolfSSL info callback (set on every server ctx): spots client-initiated renegotiation. */
void tls__conn_on_info(const WOLFSSL *ssl, int where, int ret);

/* The reason for wolfSSL error code err, into buf (always NUL-terminated). */
const char *tls__strerror(int err, char *buf, size_t len);

/* ---- DTLS, shared by dtls.c and dtls_legacy.c ---- */

struct tls_priority;
#define DTLS_NO_PSK_CIPHER                                                                         \
	"leaves no DTLS PSK cipher (AES-256-GCM, AES-128-GCM, CHACHA20-POLY1305) for dtls-psk"
/* The PSK-NEGOTIATE suites prio allows, ':'-separated into list. Returns 0, -ENOENT (none),
 * -EINVAL (list too small). Pure. */
int dtls__psk_list(const struct tls_priority *prio, char *list, size_t len);

struct dtls_server {
	WOLFSSL_CTX *psk_ctx;	 /* owned; nullptr when dtls-psk is off */
	WOLFSSL_CTX *legacy_ctx; /* owned; nullptr when dtls-legacy is off */
};

enum dtls_mode : uint8_t { DTLS_MODE_PSK, DTLS_MODE_LEGACY };

struct dtls_conn {
	WOLFSSL *ssl;	       /* owned */
	struct dtls_dest dest; /* its fd is borrowed */
	enum dtls_mode mode;
	bool established; /* handshake done (and, legacy, resumed) */
	bool failed;	  /* a fatal error was logged: every call fails now */
	bool emsgsize;	  /* the kernel refused a datagram as too big during this write */
	int io_errno;	  /* last hard socket error, for the log line */
	size_t max_payload;
	uint8_t *pending; /* owned: a datagram to read first (the ClientHello, inject) */
	size_t pending_len;
	/* Borrowed: dtls_conn_feed()'s datagram. */
	const uint8_t *fed;
	size_t fed_len;
	bool feeding;
	struct udp_tx *tx; /* records of the established connection go out through it */
	int tx_err;	   /* a failed batch send of ours, reported by tx */
	/* After such a failure, records sent directly (their errors seen at once). */
	unsigned direct_left;
	uint8_t psk[DTLS_PSK_LEN];		       /* secret; PSK mode */
	uint8_t session_id[DTLS_SESSION_ID_LEN];       /* legacy mode */
	uint8_t master_secret[DTLS_MASTER_SECRET_LEN]; /* secret; legacy mode */
	uint16_t suite_id;			       /* legacy mode */
};

/* dtls_legacy.c: set up ctx for legacy resumption (session lookup callback, no tickets, no
 * internal cache, full handshakes refused). 0 or -EINVAL (logged). */
[[nodiscard]] int dtls__legacy_ctx_setup(WOLFSSL_CTX *ctx);
/* dtls_legacy.c: true for the DTLS_SUITE_* ids dtls__legacy_ctx_setup() can resume. */
bool dtls__legacy_suite_known(uint16_t suite_id);
