// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/tools/dtls_legacy_client.c — an OpenSSL-based legacy DTLS client, as Cisco Secure Client
 * is: resumes a session built from a session id and master secret (§5.3) over DTLS 1.2, asserts
 * the resumption, sends a message and expects it echoed. Test-only; never linked into the server.
 * usage: dtls_legacy_client HOST PORT SESSION_ID_HEX MASTER_HEX CIPHER [--no-ems] [--dpd] [MESSAGE]
 * --dpd (against the real server): send the record 0x03 (DPD-REQ) + MESSAGE and expect a record
 * 0x04 (DPD-RESP) + MESSAGE byte for byte; other records (keepalives, data) are skipped.
 * exit 0 = resumed and echoed; 1 = usage; 2 = setup; 3 = handshake; 4 = not resumed; 5 = data. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

enum { SID_LEN = 32, MASTER_LEN = 48, IO_TIMEOUT_S = 5, MAX_SKIPPED = 32 };
enum { AC_DPD_REQ = 0x03, AC_DPD_RESP = 0x04 };

static int hex_decode(const char *hex, unsigned char *out, size_t len)
{
	if (strlen(hex) != 2 * len)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (unsigned char)v;
	}
	return 0;
}

static int fail(int code, const char *what)
{
	fprintf(stderr, "dtls_legacy_client: %s\n", what);
	ERR_print_errors_fp(stderr);
	return code;
}

static int udp_connect(const char *host, const char *port)
{
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *ai;
	struct timeval tv = {.tv_sec = IO_TIMEOUT_S};
	int fd;

	if (getaddrinfo(host, port, &hints, &ai) != 0)
		return -1;
	fd = socket(ai->ai_family, SOCK_DGRAM, 0);
	if (fd >= 0 && (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

/* The session the server "cached": DTLS 1.2, the chosen suite, id and master secret, no EMS. */
static SSL_SESSION *legacy_session(SSL *ssl, const char *name, const unsigned char *sid,
				   const unsigned char *master)
{
	STACK_OF(SSL_CIPHER) *ciphers = SSL_get_ciphers(ssl);
	const SSL_CIPHER *cipher = NULL;
	SSL_SESSION *sess;

	for (int i = 0; ciphers && i < sk_SSL_CIPHER_num(ciphers); i++) {
		if (strcmp(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(ciphers, i)), name) == 0)
			cipher = sk_SSL_CIPHER_value(ciphers, i);
	}
	if (!cipher)
		return NULL;
	sess = SSL_SESSION_new();
	if (!sess)
		return NULL;
	if (!SSL_SESSION_set_protocol_version(sess, DTLS1_2_VERSION) ||
	    !SSL_SESSION_set_cipher(sess, cipher) || !SSL_SESSION_set1_id(sess, sid, SID_LEN) ||
	    !SSL_SESSION_set1_master_key(sess, master, MASTER_LEN) ||
	    !SSL_SESSION_set_time(sess, (long)time(NULL)) || !SSL_SESSION_set_timeout(sess, 300)) {
		SSL_SESSION_free(sess);
		return NULL;
	}
	return sess;
}

/* Sends DPD-REQ + msg, reads records until a DPD-RESP; it must echo msg byte for byte. */
static int dpd_echo(SSL *ssl, const char *msg)
{
	unsigned char out[1024], in[2048];
	size_t len = strlen(msg);
	int n;

	if (len + 1 > sizeof(out))
		return fail(1, "DPD payload too long");
	out[0] = AC_DPD_REQ;
	memcpy(out + 1, msg, len);
	if (SSL_write(ssl, out, (int)len + 1) != (int)len + 1)
		return fail(5, "DPD-REQ write failed");
	for (int i = 0; i < MAX_SKIPPED; i++) {
		n = SSL_read(ssl, in, sizeof(in));
		if (n <= 0)
			return fail(5, "no DPD-RESP (read failed or timed out)");
		if (in[0] != AC_DPD_RESP) {
			fprintf(stderr,
				"dtls_legacy_client: skipped a record of type 0x%02x, %d bytes\n",
				in[0], n);
			continue;
		}
		if ((size_t)n != len + 1 || memcmp(in + 1, msg, len) != 0) {
			fprintf(stderr, "dtls_legacy_client: DPD-RESP of %d bytes, expected %zu\n",
				n, len + 1);
			return fail(5, "DPD-RESP does not echo the DPD-REQ payload");
		}
		printf("resumed %s, DPD-RESP echoed %zu payload bytes\n", SSL_get_cipher_name(ssl),
		       len);
		return 0;
	}
	return fail(5, "no DPD-RESP among the first records");
}

int main(int argc, char **argv)
{
	unsigned char sid[SID_LEN], master[MASTER_LEN];
	const char *msg = "hello over legacy dtls";
	char buf[2048];
	bool no_ems = false, dpd = false;
	SSL_SESSION *sess = NULL;
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	BIO *bio;
	int fd = -1, ret, n;

	if (argc < 6 || hex_decode(argv[3], sid, SID_LEN) < 0 ||
	    hex_decode(argv[4], master, MASTER_LEN) < 0)
		return fail(1, "usage: HOST PORT SESSION_ID_HEX MASTER_HEX CIPHER [--no-ems] "
			       "[--dpd] [MSG]");
	for (int i = 6; i < argc; i++) {
		if (strcmp(argv[i], "--no-ems") == 0)
			no_ems = true;
		else if (strcmp(argv[i], "--dpd") == 0)
			dpd = true;
		else
			msg = argv[i];
	}
	ret = 2;
	fd = udp_connect(argv[1], argv[2]);
	if (fd < 0) {
		ret = fail(2, "cannot connect the UDP socket");
		goto out;
	}
	ctx = SSL_CTX_new(DTLS_client_method());
	if (!ctx || !SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION) ||
	    !SSL_CTX_set_cipher_list(ctx, argv[5])) {
		ret = fail(2, "cannot set up the context (unknown cipher?)");
		goto out;
	}
	SSL_CTX_set_security_level(ctx, 0);
	if (no_ems) /* what openconnect's OpenSSL build does */
		SSL_CTX_set_options(ctx, SSL_OP_NO_EXTENDED_MASTER_SECRET);
	ssl = SSL_new(ctx);
	bio = BIO_new_dgram(fd, BIO_NOCLOSE);
	if (!ssl || !bio) {
		ret = fail(2, "out of memory");
		goto out;
	}
	struct sockaddr_storage peer;
	socklen_t pl = sizeof(peer);

	if (getpeername(fd, (struct sockaddr *)&peer, &pl) < 0) {
		ret = fail(2, "getpeername");
		goto out;
	}
	BIO_ctrl(bio, BIO_CTRL_DGRAM_SET_CONNECTED, 0, &peer); /* a BIO_ADDR is a sockaddr union */
	SSL_set_bio(ssl, bio, bio);
	sess = legacy_session(ssl, argv[5], sid, master);
	if (!sess || !SSL_set_session(ssl, sess)) {
		ret = fail(2, "cannot build the legacy session");
		goto out;
	}
	if (SSL_connect(ssl) != 1) {
		ret = fail(3, "handshake failed");
		goto out;
	}
	if (!SSL_session_reused(ssl)) {
		ret = fail(4, "the server did a full handshake instead of resuming");
		goto out;
	}
	if (dpd) {
		ret = dpd_echo(ssl, msg);
		goto out;
	}
	if (SSL_write(ssl, msg, (int)strlen(msg)) != (int)strlen(msg)) {
		ret = fail(5, "write failed");
		goto out;
	}
	n = SSL_read(ssl, buf, sizeof(buf));
	if (n != (int)strlen(msg) || memcmp(buf, msg, (size_t)n) != 0) {
		ret = fail(5, "no echo");
		goto out;
	}
	printf("resumed %s, echo ok\n", SSL_get_cipher_name(ssl));
	ret = 0;
out:
	SSL_SESSION_free(sess);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	if (fd >= 0)
		close(fd);
	return ret;
}
