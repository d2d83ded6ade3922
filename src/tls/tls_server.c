// SPDX-License-Identifier: GPL-2.0-or-later
/* tls/tls_server.c — wolfSSL library setup and the per-vhost server context: certificate chain,
 * key, CA, protocol versions and ciphers from tls-priorities (priority.c), certificate hash.
 * Connections on a context are tls_conn.c's. */
#include "tls/tls.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/hash.h>

#include "config/config.h"
#include "core/log.h"
#include "tls/priority.h"
#include "tls/tls_internal.h"

int tls_global_init(void)
{
	if (wolfSSL_Init() != WOLFSSL_SUCCESS) {
		log_msg(LOG_ERR, "tls: wolfSSL_Init failed");
		return -ENOMEM;
	}
	return 0;
}

void tls_global_fini(void)
{
	wolfSSL_Cleanup();
}

const char *tls__strerror(int err, char *buf, size_t len)
{
	if (len == 0)
		return "";
	wolfSSL_ERR_error_string_n((unsigned long)err, buf, len);
	buf[len - 1] = '\0';
	return buf;
}

/* Why a wolfSSL load call failed: its code, or the one it queued (it often returns just 0). */
static const char *tls_load_reason(int ret, char *buf, size_t len)
{
	unsigned long queued = wolfSSL_ERR_get_error();

	wolfSSL_ERR_clear_error();
	if (ret >= 0 && queued == 0)
		return "unknown reason";
	return tls__strerror(ret < 0 ? ret : (int)queued, buf, len);
}

/* -ENOENT for a missing file, -EINVAL for any other reason it cannot be read; logged. */
static int tls_file_check(const char *what, const char *path)
{
	int err;

	if (!path || !*path) {
		log_msg(LOG_ERR, "tls: %s is not configured", what);
		return -EINVAL;
	}
	if (access(path, R_OK) == 0)
		return 0;
	err = errno;
	log_msg(LOG_ERR, "tls: %s '%s': %s", what, path, strerror(err));
	return err == ENOENT ? -ENOENT : -EINVAL;
}

static int tls_server_load_identity(struct tls_server *srv, const struct config *cfg)
{
	char reason[WOLFSSL_MAX_ERROR_SZ];
	int ret;

	wolfSSL_ERR_clear_error();
	ret = tls_file_check("server-cert", cfg->server_cert);
	if (ret < 0)
		return ret;
	ret = tls_file_check("server-key", cfg->server_key);
	if (ret < 0)
		return ret;
	ret = wolfSSL_CTX_use_certificate_chain_file(srv->ctx, cfg->server_cert);
	if (ret != WOLFSSL_SUCCESS) {
		log_msg(LOG_ERR, "tls: server-cert '%s': not a PEM certificate chain: %s",
			cfg->server_cert, tls_load_reason(ret, reason, sizeof(reason)));
		return -EINVAL;
	}
	ret = wolfSSL_CTX_use_PrivateKey_file(srv->ctx, cfg->server_key, WOLFSSL_FILETYPE_PEM);
	if (ret != WOLFSSL_SUCCESS) {
		log_msg(LOG_ERR, "tls: server-key '%s': not an unencrypted PEM RSA/ECDSA key: %s",
			cfg->server_key, tls_load_reason(ret, reason, sizeof(reason)));
		return -EINVAL;
	}
	if (wolfSSL_CTX_check_private_key(srv->ctx) != WOLFSSL_SUCCESS) {
		log_msg(LOG_ERR, "tls: server-key '%s' does not match server-cert '%s'",
			cfg->server_key, cfg->server_cert);
		return -EINVAL;
	}
	if (cfg->ca_cert) {
		ret = tls_file_check("ca-cert", cfg->ca_cert);
		if (ret < 0)
			return ret;
		ret = wolfSSL_CTX_load_verify_locations(srv->ctx, cfg->ca_cert, nullptr);
		if (ret != WOLFSSL_SUCCESS) {
			log_msg(LOG_ERR, "tls: ca-cert '%s': cannot load: %s", cfg->ca_cert,
				tls_load_reason(ret, reason, sizeof(reason)));
			return -EINVAL;
		}
	}
	return 0;
}

/* Fingerprint of the leaf certificate, as openconnect's --servercert sha1:… expects it. */
static int tls_server_hash_cert(struct tls_server *srv)
{
	static const char hex[] = "0123456789ABCDEF";
	uint8_t md[WC_SHA_DIGEST_SIZE];
	const uint8_t *der;
	WOLFSSL_X509 *x509;
	int der_len = 0;

	x509 = wolfSSL_CTX_get0_certificate(srv->ctx);
	if (!x509)
		return -EINVAL;
	der = wolfSSL_X509_get_der(x509, &der_len);
	if (!der || der_len <= 0 || wc_ShaHash(der, (word32)der_len, md) != 0)
		return -EINVAL;
	static_assert(sizeof(md) * 2 == TLS_SHA1_HEX_LEN);
	for (size_t i = 0; i < sizeof(md); i++) {
		srv->cert_sha1_hex[2 * i] = hex[md[i] >> 4];
		srv->cert_sha1_hex[2 * i + 1] = hex[md[i] & 0xf];
	}
	srv->cert_sha1_hex[TLS_SHA1_HEX_LEN] = '\0';
	return 0;
}

int tls_config_check(const struct config *cfg, char *why, size_t len)
{
	const char *s = cfg->tls_priorities ? cfg->tls_priorities : TLS_PRIORITY_DEFAULT;
	struct tls_priority prio;
	char list[256];

	if (len)
		why[0] = '\0';
	if (tls_priority_parse(s, &prio, why, len) < 0)
		return -EINVAL;
	if (cfg->udp_port && cfg->dtls_psk &&
	    dtls__psk_list(&prio, list, sizeof(list)) == -ENOENT) {
		snprintf(why, len, "%s", DTLS_NO_PSK_CIPHER);
		return -EINVAL;
	}
	return 0;
}

static int tls_server_apply_priority(struct tls_server *srv, const struct config *cfg)
{
	char err[256];
	struct tls_priority prio;
	const char *s = cfg->tls_priorities ? cfg->tls_priorities : TLS_PRIORITY_DEFAULT;

	if (tls_priority_parse(s, &prio, err, sizeof(err)) < 0) {
		log_msg(LOG_ERR, "tls: tls-priorities '%s': %s", s, err);
		return -EINVAL;
	}
	if (wolfSSL_CTX_set_min_proto_version(srv->ctx, prio.min_version) != WOLFSSL_SUCCESS ||
	    wolfSSL_CTX_set_max_proto_version(srv->ctx, prio.max_version) != WOLFSSL_SUCCESS) {
		log_msg(LOG_ERR, "tls: cannot set protocol versions 0x%04x..0x%04x",
			prio.min_version, prio.max_version);
		return -EINVAL;
	}
	/* After the key: wolfSSL derives the signature algorithms from key and list. */
	if (wolfSSL_CTX_set_cipher_list(srv->ctx, prio.cipher_list) != WOLFSSL_SUCCESS) {
		log_msg(LOG_ERR, "tls: tls-priorities '%s': wolfSSL refused cipher list '%s'", s,
			prio.cipher_list);
		return -EINVAL;
	}
	if (prio.server_precedence)
		wolfSSL_CTX_set_options(srv->ctx, WOLFSSL_OP_CIPHER_SERVER_PREFERENCE);
	if (prio.no_tickets) {
		/* Beware: the TLS 1.3 one returns 0 on success. */
		if (wolfSSL_CTX_NoTicketTLSv12(srv->ctx) != WOLFSSL_SUCCESS ||
		    (prio.max_version >= TLS_PRIO_TLS1_3 &&
		     wolfSSL_CTX_no_ticket_TLSv13(srv->ctx) != 0)) {
			log_msg(LOG_ERR, "tls: cannot disable session tickets");
			return -EINVAL;
		}
	}
	return 0;
}

int tls_server_new(const struct config *cfg, struct tls_server **out)
{
	struct tls_server *srv;
	int ret;

	*out = nullptr;
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -ENOMEM;
	srv->ctx = wolfSSL_CTX_new(wolfSSLv23_server_method());
	if (!srv->ctx) {
		ret = -ENOMEM;
		goto out;
	}
	/* Client certificates are a later issue (auth_cert.c): request-not-require goes here. */
	wolfSSL_CTX_set_verify(srv->ctx, WOLFSSL_VERIFY_NONE, nullptr);
	ret = tls_server_load_identity(srv, cfg);
	if (ret < 0)
		goto out;
	ret = tls_server_hash_cert(srv);
	if (ret < 0) {
		log_msg(LOG_ERR, "tls: server-cert '%s': cannot hash the certificate",
			cfg->server_cert);
		goto out;
	}
	ret = tls_server_apply_priority(srv, cfg);
	if (ret < 0)
		goto out;
	/* Refuses client-initiated renegotiation (tls_conn.c). */
	wolfSSL_CTX_set_info_callback(srv->ctx, tls__conn_on_info);
	*out = srv;
	srv = nullptr; /* owned by the caller */
	ret = 0;
out:
	tls_server_free(srv);
	return ret;
}

void tls_server_free(struct tls_server *srv)
{
	if (!srv)
		return;
	wolfSSL_CTX_free(srv->ctx);
	free(srv);
}

const char *tls_server_cert_sha1_hex(const struct tls_server *srv)
{
	return srv->cert_sha1_hex;
}
