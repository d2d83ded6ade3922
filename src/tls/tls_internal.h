// SPDX-License-Identifier: GPL-2.0-or-later
/* tls/tls_internal.h — internal to tls/: the server context shared by tls_server.c and
 * tls_conn.c (and dtls.c later). Includes wolfSSL, so it never leaves this folder. */
#pragma once

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

enum { TLS_SHA1_HEX_LEN = 40 };

struct tls_server {
	WOLFSSL_CTX *ctx; /* owned; immutable once tls_server_new() returns */
	char cert_sha1_hex[TLS_SHA1_HEX_LEN + 1];
};

/* wolfSSL info callback (set on every server ctx): spots client-initiated renegotiation. */
void tls__conn_on_info(const WOLFSSL *ssl, int where, int ret);

/* The reason for wolfSSL error code err, into buf (always NUL-terminated). */
const char *tls__strerror(int err, char *buf, size_t len);
