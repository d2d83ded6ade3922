// SPDX-License-Identifier: GPL-2.0-or-later
/* tls/dtls_legacy.c — the legacy DTLS method (reference/anyconnect-protocol.md §5.3): picking a
 * suite from the client's lists, and resuming a session that never existed from the client's
 * master secret. Reaches into wolfSSL 5.5.4's internal structs: see docs/DTLS.md. */
#include "tls/tls.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/internal.h>

#include "core/compiler.h"
#include "core/log.h"
#include "tls/tls_internal.h"

/* The layout this file writes into (docs/DTLS.md): fail the build on any other wolfSSL. */
static_assert(LIBWOLFSSL_VERSION_HEX == 0x05005004, "dtls_legacy.c needs wolfSSL 5.5.4");

static const char HDR_DTLS12[] = "X-DTLS12-CipherSuite";
static const char HDR_DTLS[] = "X-DTLS-CipherSuite";

enum { LEGACY_SESSION_TIMEOUT_S = 300 }; /* only has to outlive the handshake */

struct legacy_suite {
	const char *name;
	uint16_t id;
	uint8_t rank; /* lower is better: AES-256-GCM, AES-128-GCM, AES256-SHA, AES128-SHA */
};

/* X-DTLS12-CipherSuite names (Cisco's OpenSSL names), all DTLS 1.2. */
static const struct legacy_suite suites_dtls12[] = {
	{"AES256-GCM-SHA384", DTLS_SUITE_AES256_GCM, 0},
	{"ECDHE-RSA-AES256-GCM-SHA384", DTLS_SUITE_ECDHE_RSA_AES256_GCM, 0},
	{"ECDHE-ECDSA-AES256-GCM-SHA384", DTLS_SUITE_ECDHE_ECDSA_AES256_GCM, 0},
	{"AES128-GCM-SHA256", DTLS_SUITE_AES128_GCM, 1},
	{"ECDHE-RSA-AES128-GCM-SHA256", DTLS_SUITE_ECDHE_RSA_AES128_GCM, 1},
	{"ECDHE-ECDSA-AES128-GCM-SHA256", DTLS_SUITE_ECDHE_ECDSA_AES128_GCM, 1},
	{"AES256-SHA", DTLS_SUITE_AES256_SHA, 2},
	{"AES128-SHA", DTLS_SUITE_AES128_SHA, 3},
};

/* X-DTLS-CipherSuite: only openconnect's DTLS 1.2 pseudo-names. Its plain names (AES256-SHA, …)
 * mean DTLS 0.9 there, which wolfSSL does not implement. */
static const struct legacy_suite suites_dtls[] = {
	{"OC-DTLS1_2-AES256-GCM", DTLS_SUITE_AES256_GCM, 0},
	{"OC-DTLS1_2-AES128-GCM", DTLS_SUITE_AES128_GCM, 1},
};

/* Calls fn(item, item_len) for each ':'-separated item of list, blanks trimmed; stops when fn
 * returns true and returns true then. */
static bool list_each(const char *list, bool (*fn)(const char *item, size_t len, void *arg),
		      void *arg)
{
	const char *p = list;

	if (!list)
		return false;
	for (;;) {
		const char *end = strchr(p, ':');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *item = p;

		while (len && (*item == ' ' || *item == '\t')) {
			item++;
			len--;
		}
		while (len && (item[len - 1] == ' ' || item[len - 1] == '\t'))
			len--;
		if (len && fn(item, len, arg))
			return true;
		if (!end)
			return false;
		p = end + 1;
	}
}

static bool item_is(const char *item, size_t len, const char *name)
{
	return strlen(name) == len && memcmp(item, name, len) == 0;
}

static bool item_is_psk_negotiate(const char *item, size_t len, void *arg)
{
	(void)arg;
	return item_is(item, len, "PSK-NEGOTIATE");
}

bool dtls_psk_offered(const char *dtls_list, const char *dtls12_list)
{
	return list_each(dtls_list, item_is_psk_negotiate, nullptr) ||
	       list_each(dtls12_list, item_is_psk_negotiate, nullptr);
}

struct pick_state {
	const struct legacy_suite *table;
	size_t table_len;
	const struct legacy_suite *best;
};

static bool pick_item(const char *item, size_t len, void *arg)
{
	struct pick_state *st = arg;

	for (size_t i = 0; i < st->table_len; i++) {
		const struct legacy_suite *s = &st->table[i];

		if (item_is(item, len, s->name) && (!st->best || s->rank < st->best->rank))
			st->best = s;
	}
	return st->best && st->best->rank == 0; /* nothing can beat it */
}

static const struct legacy_suite *pick_from(const char *list, const struct legacy_suite *table,
					    size_t table_len)
{
	struct pick_state st = {.table = table, .table_len = table_len};

	list_each(list, pick_item, &st);
	return st.best;
}

int dtls_legacy_pick(const char *dtls12_list, const char *dtls_list, struct dtls_legacy_choice *out)
{
	const struct legacy_suite *s;

	s = pick_from(dtls12_list, suites_dtls12, ARRAY_SIZE(suites_dtls12));
	if (s) {
		*out = (struct dtls_legacy_choice){HDR_DTLS12, s->name, s->id};
		return 0;
	}
	s = pick_from(dtls_list, suites_dtls, ARRAY_SIZE(suites_dtls));
	if (s) {
		*out = (struct dtls_legacy_choice){HDR_DTLS, s->name, s->id};
		return 0;
	}
	return -ENOENT;
}

bool dtls__legacy_suite_known(uint16_t suite_id)
{
	for (size_t i = 0; i < ARRAY_SIZE(suites_dtls12); i++) {
		if (suites_dtls12[i].id == suite_id)
			return true;
	}
	return false;
}

/* wolfSSL's session lookup (called while it parses a ClientHello that carries a session id):
 * for our connection's X-DTLS-Session-ID, a session built from the client's master secret.
 * wolfSSL copies it and frees it (*copy = 0). */
static WOLFSSL_SESSION *dtls_legacy_on_lookup(WOLFSSL *ssl, const unsigned char *id, int len,
					      int *copy)
{
	struct dtls_conn *c = wolfSSL_GetIOReadCtx(ssl);
	WOLFSSL_SESSION *sess;

	*copy = 0;
	if (!c || c->mode != DTLS_MODE_LEGACY || len != DTLS_SESSION_ID_LEN ||
	    !ct_memeq(id, c->session_id, DTLS_SESSION_ID_LEN))
		return nullptr; /* unknown id: full handshake, which the cert callback refuses */
	sess = wolfSSL_SESSION_new();
	if (!sess)
		return nullptr;
	/* No public setter exists in 5.5.4 for the id or the master secret (SSL_SESSION_set1_id
	 * is a stub), so fill the struct (docs/DTLS.md). */
	sess->side = WOLFSSL_SERVER_END;
	sess->bornOn = (word32)time(nullptr);
	sess->timeout = LEGACY_SESSION_TIMEOUT_S;
	memcpy(sess->sessionID, c->session_id, DTLS_SESSION_ID_LEN);
	sess->sessionIDSz = DTLS_SESSION_ID_LEN;
	memcpy(sess->masterSecret, c->master_secret, DTLS_MASTER_SECRET_LEN);
	static_assert(sizeof(sess->masterSecret) == DTLS_MASTER_SECRET_LEN);
	sess->haveEMS = 0;
	sess->version.major = DTLS_MAJOR;
	sess->version.minor = DTLSv1_2_MINOR;
	sess->cipherSuite0 = (byte)(c->suite_id >> 8);
	sess->cipherSuite = (byte)(c->suite_id & 0xff);
	/* The session never had an Extended Master Secret. An OpenSSL-based client (Cisco Secure
	 * Client) offers EMS anyway, and wolfSSL would then fall back to a full handshake (RFC 7627
	 * §5.3): resume without EMS, and do not echo the extension in the ServerHello. */
	ssl->options.haveEMS = 0;
	return sess;
}

/* Never hands out a key. Installing it sets wolfSSL's havePSK, which gets wolfSSL_new() and
 * wolfSSL_accept() past their "server certificate required" checks on this certificate-less
 * context; the cipher list holds no PSK suite, so no PSK handshake can be negotiated anyway. */
static unsigned int dtls_legacy_on_psk(WOLFSSL *ssl, const char *identity, unsigned char *key,
				       unsigned int max_key_len)
{
	(void)ssl;
	(void)identity;
	(void)key;
	(void)max_key_len;
	return 0;
}

/* Reached only on the full-handshake path, never on resumption: refuse it (§5.3, a client must
 * not be talked into a handshake we cannot authenticate). */
static int dtls_legacy_on_cert_setup(WOLFSSL *ssl, void *arg)
{
	(void)ssl;
	(void)arg;
	return 0;
}

int dtls__legacy_ctx_setup(WOLFSSL_CTX *ctx)
{
	static const char ciphers[] =
		"AES256-GCM-SHA384:AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:"
		"ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
		"ECDHE-ECDSA-AES128-GCM-SHA256:AES256-SHA:AES128-SHA";

	/* Before the cipher list: it resets the suites. */
	wolfSSL_CTX_set_psk_server_callback(ctx, dtls_legacy_on_psk);
	if (wolfSSL_CTX_set_cipher_list(ctx, ciphers) != WOLFSSL_SUCCESS) {
		log_msg(LOG_ERR, "dtls: wolfSSL refused the legacy cipher list '%s'", ciphers);
		return -EINVAL;
	}
	/* Clients send an empty SessionTicket extension, which would otherwise turn the resumption
	 * into a full handshake (reference/wolfssl.md). */
	if (wolfSSL_CTX_NoTicketTLSv12(ctx) != WOLFSSL_SUCCESS) {
		log_msg(LOG_ERR, "dtls: cannot disable session tickets");
		return -EINVAL;
	}
	wolfSSL_CTX_sess_set_get_cb(ctx, dtls_legacy_on_lookup);
	wolfSSL_CTX_set_cert_cb(ctx, dtls_legacy_on_cert_setup, nullptr);
	return 0;
}
