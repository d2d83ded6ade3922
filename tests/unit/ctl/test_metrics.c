// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/ctl/test_metrics.c — strict format check of the exposition text, the worker limit,
 * and the HTTP listener (GET /metrics, 404, 405, oversized head, bad listen addresses). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/compiler.h"
#include "core/loop.h"
#include "ctl/ctl_priv.h"
#include "sample_snapshot.h"

static bool valid_name(const char *s, size_t len)
{
	if (!len || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return false;
	return strncmp(s, "ocserv_modern_", 14) == 0;
}

/* Every line is HELP, TYPE or a sample of the family last TYPEd; counters end in _total. */
static void check_format(const char *text, size_t *n_samples)
{
	char family[128] = "", type[16] = "";
	const char *line = text;

	*n_samples = 0;
	while (*line) {
		const char *nl = strchr(line, '\n');
		char buf[512];
		size_t len;

		assert_non_null(nl); /* every line terminated */
		len = (size_t)(nl - line);
		assert_true(len < sizeof(buf));
		memcpy(buf, line, len);
		buf[len] = '\0';
		if (strncmp(buf, "# HELP ", 7) == 0) {
			assert_non_null(strchr(buf + 7, ' '));
		} else if (strncmp(buf, "# TYPE ", 7) == 0) {
			assert_int_equal(sscanf(buf + 7, "%127s %15s", family, type), 2);
			assert_true(valid_name(family, strlen(family)));
			assert_true(strcmp(type, "counter") == 0 || strcmp(type, "gauge") == 0 ||
				    strcmp(type, "histogram") == 0);
			if (strcmp(type, "counter") == 0)
				assert_true(strlen(family) > 6 &&
					    strcmp(family + strlen(family) - 6, "_total") == 0);
		} else {
			size_t nlen = strcspn(buf, "{ ");
			char *sp, *end;
			assert_true(valid_name(buf, nlen));
			assert_true(family[0] && strncmp(buf, family, strlen(family)) == 0);
			if (buf[nlen] == '{')
				assert_non_null(strstr(buf, "} "));
			sp = strrchr(buf, ' ');
			assert_non_null(sp);
			(void)strtod(sp + 1, &end);
			assert_true(end != sp + 1 && *end == '\0');
			(*n_samples)++;
		}
		line = nl + 1;
	}
}

static void test_render_format(void **state)
{
	static struct metrics_snapshot s;
	struct buf b;
	size_t n;

	(void)state;
	sample_fill(nullptr, &s);
	buf_init(&b, 1 << 20);
	assert_int_equal(metrics_render(&s, &b), 0);
	assert_int_equal(buf_append(&b, "", 1), 0);
	check_format((const char *)buf_head(&b), &n);
	assert_true(n > 30);
	assert_non_null(strstr((char *)buf_head(&b),
			       "ocserv_modern_handshake_duration_seconds_bucket{le=\"0.25\"} 5\n"));
	assert_non_null(
		strstr((char *)buf_head(&b), "ocserv_modern_handshake_duration_seconds_count 7\n"));
	assert_non_null(strstr((char *)buf_head(&b),
			       "ocserv_modern_worker_queue_drops_total{worker=\"1\"} 3\n"));
	assert_non_null(
		strstr((char *)buf_head(&b),
		       "ocserv_modern_dtls_datagrams_dropped_total{reason=\"socket_full\"} 8\n"));
	assert_non_null(
		strstr((char *)buf_head(&b),
		       "ocserv_modern_dtls_datagrams_dropped_total{reason=\"garbage\"} 0\n"));
	buf_fini(&b);
}

static size_t count_lines(const char *text, const char *prefix)
{
	size_t n = 0;

	for (const char *p = text; (p = strstr(p, prefix)); p++)
		n++;
	return n;
}

static void test_worker_limit(void **state)
{
	static const size_t cases[] = {0, METRICS_MAX_WORKERS, METRICS_MAX_WORKERS + 1};
	static struct metrics_snapshot s;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct buf b;
		memset(&s, 0, sizeof(s));
		s.n_workers = cases[i];
		buf_init(&b, 1 << 20);
		assert_int_equal(metrics_render(&s, &b), 0);
		assert_int_equal(buf_append(&b, "", 1), 0);
		size_t want = cases[i] > METRICS_MAX_WORKERS ? METRICS_MAX_WORKERS : cases[i];
		assert_int_equal(
			count_lines((char *)buf_head(&b), "\nocserv_modern_worker_connections{"),
			want);
		buf_fini(&b);
	}
}

static void test_render_too_small(void **state)
{
	static struct metrics_snapshot s;
	struct buf b;

	(void)state;
	buf_init(&b, 100);
	assert_int_equal(metrics_render(&s, &b), -E2BIG);
	buf_fini(&b);
}

struct menv {
	struct loop *l;
	struct metrics_server *ms;
	pthread_t thr;
};

static void *mthread(void *arg)
{
	(void)loop_run(((struct menv *)arg)->l);
	return nullptr;
}

/* One HTTP exchange; the whole response (connection closed by the server) into out. */
static void http(uint16_t port, const char *req, size_t req_len, char *out, size_t len)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	size_t n = 0;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	(void)send(fd, req, req_len, MSG_NOSIGNAL);
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t r;
		if (poll(&p, 1, 5000) <= 0 || n >= len - 1)
			break;
		r = read(fd, out + n, len - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	out[n] = '\0';
	close(fd);
}

static void test_http(void **state)
{
	static char out[1 << 18];
	char big[8192];
	struct menv e = {};
	uint16_t port;

	(void)state;
	assert_int_equal(loop_new(&e.l), 0);
	assert_int_equal(metrics_server_new(e.l, "127.0.0.1:0", sample_fill, nullptr, &e.ms), 0);
	port = metrics_server_port(e.ms);
	assert_true(port != 0);
	assert_int_equal(pthread_create(&e.thr, nullptr, mthread, &e), 0);

	static const char get[] = "GET /metrics HTTP/1.0\r\nHost: x\r\n\r\n";
	http(port, get, sizeof(get) - 1, out, sizeof(out));
	assert_true(strncmp(out, "HTTP/1.0 200 OK\r\n", 17) == 0);
	assert_non_null(strstr(out, "text/plain; version=0.0.4"));
	assert_non_null(strstr(out, "\r\n\r\n# HELP ocserv_modern_"));
	assert_non_null(strstr(out, "ocserv_modern_sessions{state=\"active\"} 12\n"));

	static const char other[] = "GET /admin HTTP/1.0\r\n\r\n";
	http(port, other, sizeof(other) - 1, out, sizeof(out));
	assert_true(strncmp(out, "HTTP/1.0 404", 12) == 0);
	static const char prefix[] = "GET /metricsX HTTP/1.0\r\n\r\n";
	http(port, prefix, sizeof(prefix) - 1, out, sizeof(out));
	assert_true(strncmp(out, "HTTP/1.0 404", 12) == 0);
	static const char post[] = "POST /metrics HTTP/1.0\r\n\r\n";
	http(port, post, sizeof(post) - 1, out, sizeof(out));
	assert_true(strncmp(out, "HTTP/1.0 405", 12) == 0);
	memset(big, 'a', sizeof(big)); /* a head past the limit, never terminated */
	http(port, big, sizeof(big), out, sizeof(out));
	assert_true(strncmp(out, "HTTP/1.0 431", 12) == 0);
	http(port, get, sizeof(get) - 1, out, sizeof(out)); /* still serving */
	assert_true(strncmp(out, "HTTP/1.0 200 OK\r\n", 17) == 0);

	loop_stop(e.l);
	pthread_join(e.thr, nullptr);
	metrics_server_free(e.ms);
	loop_run_pending(e.l);
	loop_free(e.l);
}

static void test_bad_listen(void **state)
{
	static const char *const bad[] = {
		"127.0.0.1",	"127.0.0.1:", "127.0.0.1:65536", "[::1:80",
		"localhost:80", ":80",	      "1.2.3.4:8x",	 "[]:80",
	};
	struct metrics_server *ms;
	struct loop *l;

	(void)state;
	assert_int_equal(loop_new(&l), 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (metrics_server_new(l, bad[i], sample_fill, nullptr, &ms) != -EINVAL)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_null(ms);
	}
	assert_int_equal(metrics_server_new(l, "[::1]:0", sample_fill, nullptr, &ms), 0);
	metrics_server_free(ms);
	loop_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_format),	 cmocka_unit_test(test_worker_limit),
		cmocka_unit_test(test_render_too_small), cmocka_unit_test(test_http),
		cmocka_unit_test(test_bad_listen),
	};
	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
