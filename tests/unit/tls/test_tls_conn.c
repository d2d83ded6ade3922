// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for tls/tls_server.c + tls/tls_conn.c: real handshakes over socketpairs between a
 * non-blocking tls_conn (driven here with poll) and a blocking wolfSSL client in a thread, with
 * RSA and ECDSA certificates made by the openssl CLI in a temp dir. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <cmocka.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "config/config.h"
#include "core/compiler.h"
#include "tls/tls.h"

enum { POLL_MS = 5000, MAX_ROUNDS = 10000, BIG = TLS_RECORD_MAX, CSTP_FRAME = 8 + 1400 };

static char tmpdir[64];
static char rsa_crt[128], rsa_key[128], ec_crt[128], ec_key[128], junk[128];
static char rsa_sha1[41], ec_sha1[41];

/* ---- fixtures ---- */

[[gnu::format(printf, 1, 2)]] static int run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* "SHA1 Fingerprint=AB:CD:…" → "ABCD…". */
static int openssl_sha1(const char *crt, char out[41])
{
	char cmd[256], line[256];
	size_t n = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "openssl x509 -in %s -noout -fingerprint -sha1", crt);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (!fgets(line, sizeof(line), p)) {
		pclose(p);
		return -1;
	}
	pclose(p);
	for (const char *s = strchr(line, '='); s && *++s && n < 40;) {
		if (*s != ':' && *s != '\n')
			out[n++] = *s;
	}
	out[n] = '\0';
	return n == 40 ? 0 : -1;
}

static int group_setup(void **state)
{
	(void)state;
	signal(SIGPIPE, SIG_IGN);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/ocm-tls-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(rsa_crt, sizeof(rsa_crt), "%s/rsa.crt", tmpdir);
	snprintf(rsa_key, sizeof(rsa_key), "%s/rsa.key", tmpdir);
	snprintf(ec_crt, sizeof(ec_crt), "%s/ec.crt", tmpdir);
	snprintf(ec_key, sizeof(ec_key), "%s/ec.key", tmpdir);
	snprintf(junk, sizeof(junk), "%s/junk.pem", tmpdir);
	if (run("openssl req -x509 -newkey rsa:2048 -nodes -keyout %s -out %s -days 2 "
		"-subj /CN=vpn.example.com >/dev/null 2>&1",
		rsa_key, rsa_crt) != 0)
		return -1;
	if (run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		"-keyout %s -out %s -days 2 -subj /CN=vpn.example.com >/dev/null 2>&1",
		ec_key, ec_crt) != 0)
		return -1;
	if (run("printf 'not a certificate\\n' > %s", junk) != 0)
		return -1;
	if (openssl_sha1(rsa_crt, rsa_sha1) < 0 || openssl_sha1(ec_crt, ec_sha1) < 0)
		return -1;
	return tls_global_init();
}

static int group_teardown(void **state)
{
	(void)state;
	unlink(rsa_crt);
	unlink(rsa_key);
	unlink(ec_crt);
	unlink(ec_key);
	unlink(junk);
	rmdir(tmpdir);
	tls_global_fini();
	return 0;
}

static struct tls_server *server_make(const char *crt, const char *key, const char *prio)
{
	struct config cfg = {
		.server_cert = (char *)crt,
		.server_key = (char *)key,
		.tls_priorities = (char *)prio,
	};
	struct tls_server *srv = nullptr;

	assert_int_equal(tls_server_new(&cfg, &srv), 0);
	assert_non_null(srv);
	return srv;
}

/* ---- the client: blocking wolfSSL in a thread ---- */

enum client_script {
	CL_BASIC,	   /* read 1 / 16384 / 1408-byte records, write 1 + 16384, close_notify */
	CL_ABRUPT,	   /* read one record, then close the socket without close_notify */
	CL_SLOW_READER,	   /* wait, then read SLOW_RECORDS records of 16384 */
	CL_RENEGOTIATE,	   /* TLS 1.2 renegotiation attempt */
	CL_HANDSHAKE_ONLY, /* handshake, wait for the server to go away */
	CL_BURST,	   /* write BURST_RECORDS records of burst_len() back to back, close */
};

enum { SLOW_RECORDS = 24, BURST_RECORDS = 150 };

/* Sizes that put record boundaries everywhere in the server's read-ahead chunks. */
static size_t burst_len(unsigned k)
{
	static const size_t lens[] = {1, 100, CSTP_FRAME, BIG, 7, 5000};

	return lens[k % (sizeof(lens) / sizeof(lens[0]))];
}

struct client {
	int fd;
	int version; /* 0 = any, else 0x0303 / 0x0304 */
	enum client_script script;
	bool connected;
	uint8_t psk[TLS_EXPORT_PSK_LEN];
	char cipher[64];
	char failure[160];
};

static uint8_t pattern(size_t i, unsigned k)
{
	return (uint8_t)(i * 7 + k);
}

static bool pattern_ok(const uint8_t *b, size_t len, unsigned k)
{
	for (size_t i = 0; i < len; i++) {
		if (b[i] != pattern(i, k))
			return false;
	}
	return true;
}

static void pattern_fill(uint8_t *b, size_t len, unsigned k)
{
	for (size_t i = 0; i < len; i++)
		b[i] = pattern(i, k);
}

[[gnu::format(printf, 2, 3)]] static void client_fail(struct client *cl, const char *fmt, ...)
{
	va_list ap;

	if (cl->failure[0])
		return;
	va_start(ap, fmt);
	vsnprintf(cl->failure, sizeof(cl->failure), fmt, ap);
	va_end(ap);
}

/* Every read must return exactly one whole record of the expected size. */
static void client_expect_record(struct client *cl, WOLFSSL *ssl, size_t len, unsigned k)
{
	static thread_local uint8_t buf[BIG + 4096];
	int n = wolfSSL_read(ssl, buf, sizeof(buf));

	if (n != (int)len)
		client_fail(cl, "read %d bytes, want one record of %zu", n, len);
	else if (!pattern_ok(buf, len, k))
		client_fail(cl, "record %u corrupted", k);
}

static void client_write(struct client *cl, WOLFSSL *ssl, size_t len, unsigned k)
{
	static thread_local uint8_t buf[BIG];

	pattern_fill(buf, len, k);
	if (wolfSSL_write(ssl, buf, (int)len) != (int)len)
		client_fail(cl, "write of %zu failed", len);
}

static WOLFSSL_METHOD *client_method(int version)
{
	if (version == 0x0303)
		return wolfTLSv1_2_client_method();
	if (version == 0x0304)
		return wolfTLSv1_3_client_method();
	return wolfSSLv23_client_method();
}

static void *client_main(void *arg)
{
	struct client *cl = arg;
	struct timeval tv = {.tv_sec = 10};
	WOLFSSL_CTX *ctx = wolfSSL_CTX_new(client_method(cl->version));
	WOLFSSL *ssl = nullptr;
	uint8_t b;

	/* Bounded: a broken server makes the client fail, never hang. */
	setsockopt(cl->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(cl->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (!ctx) {
		client_fail(cl, "client ctx");
		goto out;
	}
	wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_NONE, nullptr);
	ssl = wolfSSL_new(ctx);
	if (!ssl || wolfSSL_set_fd(ssl, cl->fd) != WOLFSSL_SUCCESS) {
		client_fail(cl, "client ssl");
		goto out;
	}
	wolfSSL_KeepArrays(ssl); /* for the exporter */
	if (cl->script == CL_RENEGOTIATE)
		wolfSSL_UseSecureRenegotiation(ssl);
	if (wolfSSL_connect(ssl) != WOLFSSL_SUCCESS) {
		client_fail(cl, "connect failed: %d", wolfSSL_get_error(ssl, 0));
		goto out;
	}
	cl->connected = true;
	snprintf(cl->cipher, sizeof(cl->cipher), "%s", wolfSSL_get_cipher_name(ssl));
	if (wolfSSL_export_keying_material(ssl, cl->psk, sizeof(cl->psk),
					   "EXPORTER-openconnect-psk", 24, nullptr, 0,
					   0) != WOLFSSL_SUCCESS)
		client_fail(cl, "client export failed");

	switch (cl->script) {
	case CL_BASIC:
		client_expect_record(cl, ssl, 1, 1);
		client_expect_record(cl, ssl, BIG, 2);
		client_expect_record(cl, ssl, CSTP_FRAME, 3);
		client_write(cl, ssl, 1, 4);
		client_write(cl, ssl, BIG, 5);
		wolfSSL_shutdown(ssl); /* close_notify */
		break;
	case CL_ABRUPT:
		client_expect_record(cl, ssl, 1, 6);
		break;
	case CL_SLOW_READER:
		usleep(100 * 1000);
		for (unsigned k = 0; k < SLOW_RECORDS && !cl->failure[0]; k++)
			client_expect_record(cl, ssl, BIG, k);
		break;
	case CL_RENEGOTIATE:
		if (wolfSSL_Rehandshake(ssl) == WOLFSSL_SUCCESS)
			client_fail(cl, "renegotiation succeeded");
		break;
	case CL_HANDSHAKE_ONLY:
		while (wolfSSL_read(ssl, &b, 1) > 0)
			;
		break;
	case CL_BURST:
		for (unsigned k = 0; k < BURST_RECORDS && !cl->failure[0]; k++)
			client_write(cl, ssl, burst_len(k), k);
		wolfSSL_shutdown(ssl);
		break;
	}
out:
	wolfSSL_free(ssl);
	wolfSSL_CTX_free(ctx);
	close(cl->fd);
	return nullptr;
}

/* ---- the server side, non-blocking ---- */

struct pair {
	int fd; /* server end */
	pthread_t thread;
	struct client cl;
	struct tls_conn *c;
};

static void pair_start(struct pair *p, struct tls_server *srv, int version,
		       enum client_script script)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
	*p = (struct pair){.fd = sv[0], .cl = {.fd = sv[1], .version = version, .script = script}};
	assert_int_equal(tls_conn_new(srv, p->fd, &p->c), 0);
	assert_int_equal(pthread_create(&p->thread, nullptr, client_main, &p->cl), 0);
}

static void pair_finish(struct pair *p)
{
	tls_conn_free(p->c);
	close(p->fd); /* unblocks a client still waiting */
	pthread_join(p->thread, nullptr);
}

static int wait_io(struct pair *p)
{
	struct pollfd pfd = {.fd = p->fd, .events = tls_conn_wants_write(p->c) ? POLLOUT : POLLIN};
	int n = poll(&pfd, 1, POLL_MS);

	return n == 1 ? 0 : -ETIMEDOUT;
}

static int srv_handshake(struct pair *p)
{
	for (int i = 0; i < MAX_ROUNDS; i++) {
		int ret = tls_conn_handshake(p->c);

		if (ret != -EAGAIN)
			return ret;
		if (wait_io(p) < 0)
			return -ETIMEDOUT;
	}
	return -ETIMEDOUT;
}

/* Sends what tls_conn_write gathered: 0, or the error. */
static int srv_flush(struct pair *p)
{
	for (int i = 0; i < MAX_ROUNDS; i++) {
		int ret = tls_conn_flush(p->c);

		if (ret != -EAGAIN)
			return ret;
		assert_true(tls_conn_wants_write(p->c));
		if (wait_io(p) < 0)
			return -ETIMEDOUT;
	}
	return -ETIMEDOUT;
}

/* Returns what tls_conn_write finally said (after flushing the gathered records); *eagain
 * counts the -EAGAINs on the way. */
static ssize_t srv_write(struct pair *p, const void *buf, size_t len, int *eagain)
{
	for (int i = 0; i < MAX_ROUNDS; i++) {
		ssize_t ret = tls_conn_write(p->c, buf, len);

		if (ret == (ssize_t)len) {
			int f = srv_flush(p);
			return f ? f : ret;
		}
		if (ret != -EAGAIN)
			return ret;
		if (eagain)
			(*eagain)++;
		assert_true(tls_conn_wants_write(p->c));
		if (wait_io(p) < 0)
			return -ETIMEDOUT;
	}
	return -ETIMEDOUT;
}

static ssize_t srv_read(struct pair *p, void *buf, size_t len)
{
	for (int i = 0; i < MAX_ROUNDS; i++) {
		ssize_t ret = tls_conn_read(p->c, buf, len);

		if (ret != -EAGAIN)
			return ret;
		if (wait_io(p) < 0)
			return -ETIMEDOUT;
	}
	return -ETIMEDOUT;
}

static void srv_write_record(struct pair *p, size_t len, unsigned k)
{
	static uint8_t buf[BIG];

	pattern_fill(buf, len, k);
	assert_int_equal(srv_write(p, buf, len, nullptr), (ssize_t)len);
}

static void srv_expect_record(struct pair *p, size_t len, unsigned k)
{
	static uint8_t buf[BIG + 4096];

	assert_int_equal(srv_read(p, buf, sizeof(buf)), (ssize_t)len);
	assert_true(pattern_ok(buf, len, k));
}

/* ---- tests ---- */

struct conn_case {
	const char *name;
	bool ecdsa;
	int version;
	const char *want_version;
};

static const struct conn_case conn_cases[] = {
	{"rsa tls1.2", false, 0x0303, "TLSv1.2"},
	{"rsa tls1.3", false, 0x0304, "TLSv1.3"},
	{"ecdsa tls1.2", true, 0x0303, "TLSv1.2"},
	{"ecdsa tls1.3", true, 0x0304, "TLSv1.3"},
};

static void test_handshake_io(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(conn_cases); i++) {
		const struct conn_case *tc = &conn_cases[i];
		struct tls_server *srv = tc->ecdsa ? server_make(ec_crt, ec_key, nullptr)
						   : server_make(rsa_crt, rsa_key, nullptr);
		uint8_t psk[TLS_EXPORT_PSK_LEN];
		struct pair p;

		print_message("case %s\n", tc->name);
		assert_string_equal(tls_server_cert_sha1_hex(srv), tc->ecdsa ? ec_sha1 : rsa_sha1);
		pair_start(&p, srv, tc->version, CL_BASIC);
		assert_int_equal(tls_conn_export_psk(p.c, psk), -EINVAL); /* not yet */
		assert_int_equal(tls_conn_key_update(p.c), -EINVAL);	  /* not yet */
		assert_int_equal(srv_handshake(&p), 0);
		assert_int_equal(tls_conn_handshake(p.c), 0); /* idempotent */
		assert_string_equal(tls_conn_version(p.c), tc->want_version);
		assert_non_null(strstr(tls_conn_cipher(p.c),
				       tc->ecdsa || tc->version == 0x0304 ? "GCM" : "RSA"));
		assert_int_equal(tls_conn_export_psk(p.c, psk), 0);
		/* rekey-method ssl: a KeyUpdate on TLS 1.3 (the records below use the new keys in
		 * both directions: the client answers with its own); nothing on TLS 1.2. */
		assert_int_equal(tls_conn_is_tls13(p.c), tc->version == 0x0304);
		assert_int_equal(tls_conn_key_update(p.c), tc->version == 0x0304 ? 0 : -EINVAL);

		srv_write_record(&p, 1, 1);
		srv_write_record(&p, BIG, 2);
		srv_write_record(&p, CSTP_FRAME, 3);
		assert_int_equal(tls_conn_write(p.c, psk, 0), -EINVAL);
		assert_int_equal(tls_conn_write(p.c, psk, BIG + 1), -EINVAL);
		srv_expect_record(&p, 1, 4);
		srv_expect_record(&p, BIG, 5);
		assert_int_equal(srv_read(&p, psk, sizeof(psk)), 0); /* close_notify */
		tls_conn_shutdown(p.c); /* peer gone: must neither block nor raise SIGPIPE */
		tls_conn_shutdown(p.c);
		pthread_join(p.thread, nullptr);
		if (p.cl.failure[0])
			fail_msg("case %s: client: %s", tc->name, p.cl.failure);

		assert_int_equal(tls_conn_export_psk(p.c, psk), 0);
		assert_memory_equal(psk, p.cl.psk, sizeof(psk));
		tls_conn_release_handshake_data(p.c);
		tls_conn_release_handshake_data(p.c);
		assert_int_equal(tls_conn_export_psk(p.c, psk), -EINVAL);

		tls_conn_free(p.c);
		close(p.fd);
		tls_server_free(srv);
	}
}

/* A full socket buffer: -EAGAIN with wants_write, then the same buf/len completes the record. */
static void test_write_backpressure(void **state)
{
	struct tls_server *srv = server_make(ec_crt, ec_key, nullptr);
	static uint8_t buf[BIG];
	int small = 4096, eagain = 0;
	struct pair p;

	(void)state;
	pair_start(&p, srv, 0, CL_SLOW_READER);
	assert_int_equal(setsockopt(p.fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
	assert_int_equal(srv_handshake(&p), 0);
	for (unsigned k = 0; k < SLOW_RECORDS; k++) {
		int rounds = 0;

		pattern_fill(buf, BIG, k);
		for (;;) {
			ssize_t ret = tls_conn_write(p.c, buf, BIG);

			if (ret == BIG)
				break;
			assert_int_equal(ret, -EAGAIN);
			assert_true(tls_conn_wants_write(p.c));
			if (++eagain ==
			    1) /* while a record is pending, another length is refused */
				assert_int_equal(tls_conn_write(p.c, buf, 100), -EINVAL);
			assert_int_equal(wait_io(&p), 0);
			assert_true(++rounds < MAX_ROUNDS);
		}
	}
	assert_int_equal(srv_flush(&p), 0); /* the last records were only gathered */
	pthread_join(p.thread, nullptr);
	if (p.cl.failure[0])
		fail_msg("client: %s", p.cl.failure);
	assert_true(eagain > 0);
	tls_conn_free(p.c);
	close(p.fd);
	tls_server_free(srv);
}

/* Many records arrive back to back (the server reads ahead up to 32 KiB per recv): each read
 * still returns exactly one record, in order, intact, and then the close_notify. */
static void test_read_burst(void **state)
{
	struct tls_server *srv = server_make(ec_crt, ec_key, nullptr);
	struct pair p;
	uint8_t b;

	(void)state;
	for (int version = 0x0303; version <= 0x0304; version++) {
		pair_start(&p, srv, version, CL_BURST);
		assert_int_equal(srv_handshake(&p), 0);
		for (unsigned k = 0; k < BURST_RECORDS; k++)
			srv_expect_record(&p, burst_len(k), k);
		assert_int_equal(srv_read(&p, &b, 1), 0); /* close_notify */
		pthread_join(p.thread, nullptr);
		assert_string_equal(p.cl.failure, "");
		tls_conn_free(p.c);
		close(p.fd);
	}
	tls_server_free(srv);
}

static void test_peer_abrupt_close(void **state)
{
	struct tls_server *srv = server_make(rsa_crt, rsa_key, nullptr);
	uint8_t buf[64];
	struct pair p;

	(void)state;
	pair_start(&p, srv, 0, CL_ABRUPT);
	assert_int_equal(srv_handshake(&p), 0);
	assert_string_equal(tls_conn_version(p.c), "TLSv1.3");
	srv_write_record(&p, 1, 6);
	pthread_join(p.thread, nullptr);
	assert_string_equal(p.cl.failure, "");
	assert_int_equal(srv_read(&p, buf, sizeof(buf)), 0);
	ssize_t w = tls_conn_write(p.c, buf, 10);
	assert_true(w == -EPIPE || w == 10); /* the first write may still fit the buffer */
	tls_conn_shutdown(p.c);
	tls_conn_free(p.c);
	close(p.fd);
	tls_server_free(srv);
}

struct garbage_case {
	const char *name;
	const char *bytes;
	size_t len;
};

static const struct garbage_case garbage_cases[] = {
	{"http", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27},
	{"record header then eof", "\x16\x03\x01\xff\xff", 5},
	{"bad client hello", "\x16\x03\x01\x00\x06\x01\x00\x00\x02\xff\xff", 11},
	{"alert", "\x15\x03\x03\x00\x02\x02\x28", 7},
	{"sslv2 hello", "\x80\x2e\x01\x00\x02\x00\x15\x00\x00\x00\x10", 11},
	{"nothing", "", 0},
};

static void test_garbage_client(void **state)
{
	struct tls_server *srv = server_make(rsa_crt, rsa_key, nullptr);

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(garbage_cases); i++) {
		const struct garbage_case *tc = &garbage_cases[i];
		struct tls_conn *c = nullptr;
		uint8_t buf[16];
		int sv[2];
		int ret = -EAGAIN;

		print_message("case %s\n", tc->name);
		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
		assert_int_equal(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
		assert_int_equal(tls_conn_new(srv, sv[0], &c), 0);
		assert_int_equal(write(sv[1], tc->bytes, tc->len), (ssize_t)tc->len);
		close(sv[1]);
		for (int r = 0; r < 100 && ret == -EAGAIN; r++)
			ret = tls_conn_handshake(c);
		assert_int_equal(ret, -EPROTO);
		assert_int_equal(tls_conn_handshake(c), -EPROTO);
		assert_int_equal(tls_conn_read(c, buf, sizeof(buf)), -EPROTO);
		assert_int_equal(tls_conn_export_psk(c, buf + 0 * sizeof(buf)), -EINVAL);
		tls_conn_shutdown(c);
		tls_conn_free(c);
		close(sv[0]);
	}
	tls_server_free(srv);
}

struct prio_conn_case {
	const char *name;
	const char *prio;
	int client_version;
	int want_ret;
	const char *want_version;
	const char *cipher_has;
};

static const struct prio_conn_case prio_conn_cases[] = {
	{"no tls1.3", "NORMAL:-VERS-TLS1.3", 0, 0, "TLSv1.2", "ECDHE"},
	{"chacha only tls1.2", "NORMAL:-CIPHER-ALL:+CHACHA20-POLY1305", 0x0303, 0, "TLSv1.2",
	 "CHACHA20"},
	{"chacha only tls1.3", "NORMAL:-CIPHER-ALL:+CHACHA20-POLY1305", 0, 0, "TLSv1.3",
	 "CHACHA20"},
	{"server precedence aes128", "PERFORMANCE:%SERVER_PRECEDENCE", 0, 0, "TLSv1.3",
	 "AES128-GCM"},
	{"tls1.3 only refuses 1.2", "NORMAL:-VERS-TLS1.2", 0x0303, -EPROTO, nullptr, nullptr},
	{"tls1.2 only refuses 1.3", "NORMAL:-VERS-TLS1.3", 0x0304, -EPROTO, nullptr, nullptr},
	{"no tickets", "NORMAL:%NO_TICKETS", 0, 0, "TLSv1.3", "GCM"},
};

static void test_priority_applied(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(prio_conn_cases); i++) {
		const struct prio_conn_case *tc = &prio_conn_cases[i];
		struct tls_server *srv = server_make(rsa_crt, rsa_key, tc->prio);
		struct pair p;

		print_message("case %s\n", tc->name);
		pair_start(&p, srv, tc->client_version, CL_HANDSHAKE_ONLY);
		assert_int_equal(srv_handshake(&p), tc->want_ret);
		if (tc->want_ret == 0) {
			assert_string_equal(tls_conn_version(p.c), tc->want_version);
			assert_non_null(strstr(tls_conn_cipher(p.c), tc->cipher_has));
		}
		tls_conn_shutdown(p.c);
		pair_finish(&p);
		if (tc->want_ret == 0 && p.cl.failure[0])
			fail_msg("case %s: client: %s", tc->name, p.cl.failure);
		if (tc->want_ret < 0)
			assert_false(p.cl.connected);
		tls_server_free(srv);
	}
}

static void test_renegotiation_refused(void **state)
{
	struct tls_server *srv = server_make(rsa_crt, rsa_key, nullptr);
	uint8_t buf[64];
	struct pair p;

	(void)state;
	pair_start(&p, srv, 0x0303, CL_RENEGOTIATE);
	assert_int_equal(srv_handshake(&p), 0);
	assert_int_equal(srv_read(&p, buf, sizeof(buf)), -EPROTO);
	assert_int_equal(tls_conn_write(p.c, buf, 10), -EPROTO);
	pair_finish(&p);
	assert_string_equal(p.cl.failure, "");
	tls_server_free(srv);
}

struct bad_server_case {
	const char *name;
	const char *crt, *key, *ca, *prio;
	int want;
};

static void test_bad_server_config(void **state)
{
	const struct bad_server_case cases[] = {
		{"missing cert", "/nonexistent/ocm.crt", rsa_key, nullptr, nullptr, -ENOENT},
		{"missing key", rsa_crt, "/nonexistent/ocm.key", nullptr, nullptr, -ENOENT},
		{"missing ca", rsa_crt, rsa_key, "/nonexistent/ca.crt", nullptr, -ENOENT},
		{"no cert configured", nullptr, rsa_key, nullptr, nullptr, -EINVAL},
		{"junk cert", junk, rsa_key, nullptr, nullptr, -EINVAL},
		{"junk key", rsa_crt, junk, nullptr, nullptr, -EINVAL},
		{"junk ca", rsa_crt, rsa_key, junk, nullptr, -EINVAL},
		{"key mismatch", rsa_crt, ec_key, nullptr, nullptr, -EINVAL},
		{"key as cert", rsa_key, rsa_key, nullptr, nullptr, -EINVAL},
		{"bad priority", rsa_crt, rsa_key, nullptr, "NORMAL:+VERS-TLS1.0", -EINVAL},
		{"ca ok", rsa_crt, rsa_key, ec_crt, nullptr, 0},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct bad_server_case *tc = &cases[i];
		struct config cfg = {
			.server_cert = (char *)tc->crt,
			.server_key = (char *)tc->key,
			.ca_cert = (char *)tc->ca,
			.tls_priorities = (char *)tc->prio,
		};
		struct tls_server *srv = (struct tls_server *)&cfg; /* must be overwritten */
		int ret = tls_server_new(&cfg, &srv);

		if (ret != tc->want)
			fail_msg("case %s: ret %d, want %d", tc->name, ret, tc->want);
		if (ret < 0)
			assert_null(srv);
		tls_server_free(srv);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake_io),
		cmocka_unit_test(test_write_backpressure),
		cmocka_unit_test(test_read_burst),
		cmocka_unit_test(test_peer_abrupt_close),
		cmocka_unit_test(test_garbage_client),
		cmocka_unit_test(test_priority_applied),
		cmocka_unit_test(test_renegotiation_refused),
		cmocka_unit_test(test_bad_server_config),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
