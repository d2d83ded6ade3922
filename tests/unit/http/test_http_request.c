// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for http/http_request.c: a table of named requests (valid, each error class, limits
 * and one past them), byte-by-byte feeding, pipelining, Cookie lookup, deterministic mutations. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http/http.h"

#define S(lit) lit, sizeof(lit) - 1

static const char oc_init[] =
	"POST / HTTP/1.1\r\n"
	"Host: vpn.example.com\r\n"
	"User-Agent: Open AnyConnect VPN Agent v9.01\r\n"
	"Accept: */*\r\n"
	"Accept-Encoding: identity\r\n"
	"X-Transcend-Version: 1\r\n"
	"X-Aggregate-Auth: 1\r\n"
	"X-Support-HTTP-Auth: true\r\n"
	"Content-Type: application/x-www-form-urlencoded\r\n"
	"X-Pad: 0000000000000000\r\n"
	"Content-Length: 209\r\n"
	"\r\n"
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<config-auth client=\"vpn\" type=\"init\"><version who=\"vpn\">v9.01</version>"
	"<device-id>linux-64</device-id><group-access>https://vpn.example.com</group-access>"
	"</config-auth>\n";

static const struct http_limits small_hdr = {24, 64, 100}; /* "GET / HTTP/1.1\r\nA: b\r\n\r\n" */
static const struct http_limits small_hdr_m1 = {23, 64, 100};
static const struct http_limits two_headers = {1024, 2, 100};
static const struct http_limits body5 = {1024, 64, 5};

struct req_case {
	const char *name;
	const char *in;
	size_t in_len;
	const struct http_limits *lim; /* NULL: HTTP_LIMITS_DEFAULT */
	ssize_t want;		       /* > 0: bytes consumed; 0: all of in; < 0: -errno */
	enum http_method method;
	const char *path;
	size_t n_headers;
	size_t body_len;
	bool keep_alive;
};

#define OK(n, lit, m, p, nh, bl, ka)	   {n, S(lit), nullptr, 0, m, p, nh, bl, ka}
#define OKL(n, lit, lim, m, p, nh, bl, ka) {n, S(lit), lim, 0, m, p, nh, bl, ka}
#define ERR(n, lit, e)			   {n, S(lit), nullptr, e, 0, nullptr, 0, 0, false}
#define ERRL(n, lit, lim, e)		   {n, S(lit), lim, e, 0, nullptr, 0, 0, false}

static const struct req_case cases[] = {
	OK("get_minimal", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", HTTP_GET, "/", 1, 0, true),
	OK("get_no_headers", "GET /x HTTP/1.1\r\n\r\n", HTTP_GET, "/x", 0, 0, true),
	{"post_openconnect_init", oc_init, sizeof(oc_init) - 1, nullptr, 0, HTTP_POST, "/", 10, 209,
	 true},
	OK("connect_tunnel",
	   "CONNECT /CSCOSSLC/tunnel HTTP/1.1\r\nHost: vpn.example.com\r\n"
	   "Cookie: webvpn=AAAA\r\nX-CSTP-Version: 1\r\nX-CSTP-MTU: 1399\r\n\r\n",
	   HTTP_CONNECT, "/CSCOSSLC/tunnel", 4, 0, true),
	OK("head", "HEAD /1/index.html HTTP/1.1\r\n\r\n", HTTP_HEAD, "/1/index.html", 0, 0, true),
	OK("other_method", "OPTIONS * HTTP/1.1\r\n\r\n", HTTP_OTHER, "*", 0, 0, true),
	OK("lowercase_method_is_other", "get / HTTP/1.1\r\n\r\n", HTTP_OTHER, "/", 0, 0, true),
	OK("http10_closes", "GET / HTTP/1.0\r\n\r\n", HTTP_GET, "/", 0, 0, false),
	OK("connection_close", "GET / HTTP/1.1\r\nConnection: keep-alive, close\r\n\r\n", HTTP_GET,
	   "/", 1, 0, false),
	OK("connection_close_any_case", "GET / HTTP/1.1\r\nconnection: CLOSE\r\n\r\n", HTTP_GET,
	   "/", 1, 0, false),
	OK("connection_keep_alive", "GET / HTTP/1.1\r\nConnection: Keep-Alive\r\n\r\n", HTTP_GET,
	   "/", 1, 0, true),
	OK("connection_closed_not_close", "GET / HTTP/1.1\r\nConnection: closed\r\n\r\n", HTTP_GET,
	   "/", 1, 0, true),
	OK("empty_value", "GET / HTTP/1.1\r\nX-Empty:\r\n\r\n", HTTP_GET, "/", 1, 0, true),
	OK("obs_text_value", "GET / HTTP/1.1\r\nX-A: caf\xc3\xa9\r\n\r\n", HTTP_GET, "/", 1, 0,
	   true),
	OK("content_length_zero", "POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", HTTP_POST, "/", 1,
	   0, true),
	OK("post_form", "POST /auth HTTP/1.1\r\nContent-Length: 5\r\n\r\na=b&c", HTTP_POST, "/auth",
	   1, 5, true),
	{"pipelined_second_left", S("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n"), nullptr, 19,
	 HTTP_GET, "/a", 0, 0, true},
	{"body_then_extra_left", S("POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nabGET"), nullptr,
	 40, HTTP_POST, "/", 1, 2, true},

	ERR("empty_input", "", -EAGAIN),
	ERR("request_line_only", "GET / HTTP/1.1\r\n", -EAGAIN),
	ERR("headers_incomplete", "GET / HTTP/1.1\r\nHost: a\r\n", -EAGAIN),
	ERR("trailing_cr", "GET / HTTP/1.1\r\nHost: a\r\n\r", -EAGAIN),
	ERR("body_incomplete", "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n12345", -EAGAIN),

	ERR("empty_request_line", "\r\nGET / HTTP/1.1\r\n\r\n", -EBADMSG),
	ERR("double_space", "GET  / HTTP/1.1\r\n\r\n", -EBADMSG),
	ERR("no_target", "GET HTTP/1.1\r\n\r\n", -EBADMSG),
	ERR("trailing_space", "GET / HTTP/1.1 \r\n\r\n", -EBADMSG),
	ERR("http09", "GET /\r\n\r\n", -EBADMSG),
	ERR("http2", "GET / HTTP/2.0\r\n\r\n", -EBADMSG),
	ERR("lowercase_version", "GET / http/1.1\r\n\r\n", -EBADMSG),
	ERR("version_suffix", "GET / HTTP/1.11\r\n\r\n", -EBADMSG),
	ERR("ctl_in_target", "GET /\x01 HTTP/1.1\r\n\r\n", -EBADMSG),
	ERR("bad_method_char", "G(T / HTTP/1.1\r\n\r\n", -EBADMSG),
	ERR("obs_fold", "GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n", -EBADMSG),
	ERR("space_before_colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", -EBADMSG),
	ERR("no_colon", "GET / HTTP/1.1\r\nHost a\r\n\r\n", -EBADMSG),
	ERR("empty_name", "GET / HTTP/1.1\r\n: a\r\n\r\n", -EBADMSG),
	ERR("bare_cr", "GET / HTTP/1.1\rHost: a\r\n\r\n", -EBADMSG),
	ERR("bare_cr_in_value", "GET / HTTP/1.1\r\nX-A: a\rb\r\n\r\n", -EBADMSG),
	ERR("bare_lf", "GET / HTTP/1.1\nHost: a\r\n\r\n", -EBADMSG),
	ERR("lf_only_end", "GET / HTTP/1.1\r\nHost: a\n\n", -EBADMSG),
	ERR("nul_in_line", "GET /\0 HTTP/1.1\r\n\r\n", -EBADMSG),
	ERR("nul_in_value", "GET / HTTP/1.1\r\nX-A: a\0b\r\n\r\n", -EBADMSG),
	ERR("ctl_in_value", "GET / HTTP/1.1\r\nX-A: a\x01z\r\n\r\n", -EBADMSG),
	ERR("del_in_value", "GET / HTTP/1.1\r\nX-A: a\x7fz\r\n\r\n", -EBADMSG),
	ERR("cl_negative", "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", -EBADMSG),
	ERR("cl_plus", "POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\nx", -EBADMSG),
	ERR("cl_list", "POST / HTTP/1.1\r\nContent-Length: 1, 1\r\n\r\nx", -EBADMSG),
	ERR("cl_empty", "POST / HTTP/1.1\r\nContent-Length:\r\n\r\n", -EBADMSG),
	ERR("cl_hex", "POST / HTTP/1.1\r\nContent-Length: 0x1\r\n\r\nx", -EBADMSG),
	ERR("cl_duplicate_same",
	    "POST / HTTP/1.1\r\nContent-Length: 1\r\ncontent-length: 1\r\n\r\nx", -EBADMSG),
	ERR("cl_conflicting", "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxy",
	    -EBADMSG),
	ERR("cl_overflow", "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
	    -EBADMSG),
	ERR("te_chunked", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	    -ENOTSUP),
	ERR("te_identity", "POST / HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n", -ENOTSUP),
	ERR("te_with_cl",
	    "POST / HTTP/1.1\r\nContent-Length: 5\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n",
	    -ENOTSUP),
	ERR("body_over_default", "POST / HTTP/1.1\r\nContent-Length: 262145\r\n\r\n", -E2BIG),

	OKL("header_block_at_limit", "GET / HTTP/1.1\r\nA: b\r\n\r\n", &small_hdr, HTTP_GET, "/", 1,
	    0, true),
	ERRL("header_block_one_past", "GET / HTTP/1.1\r\nA: b\r\n\r\n", &small_hdr_m1, -E2BIG),
	ERRL("header_block_past_incomplete", "GET / HTTP/1.1\r\nA: bbbbbbbbbbbbbbbb", &small_hdr,
	     -E2BIG),
	OKL("max_headers", "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n", &two_headers, HTTP_GET, "/", 2,
	    0, true),
	ERRL("max_headers_one_past", "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", &two_headers,
	     -E2BIG),
	ERRL("max_headers_past_incomplete", "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD",
	     &two_headers, -E2BIG),
	OKL("body_at_limit", "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n12345", &body5, HTTP_POST,
	    "/", 1, 5, true),
	ERRL("body_one_past", "POST / HTTP/1.1\r\nContent-Length: 6\r\n\r\n", &body5, -E2BIG),
};

/* Parse from an exact-size heap copy so ASan sees any read past the input. */
static ssize_t parse_exact(const void *in, size_t len, const struct http_limits *lim,
			   struct http_request *req)
{
	uint8_t *copy = malloc(len ? len : 1);
	ssize_t n;

	assert_non_null(copy);
	memcpy(copy, in, len);
	n = http_request_parse(copy, len, lim, req);
	free(copy);
	return n;
}

static void check_case(const struct req_case *c, const struct http_request *req, ssize_t n)
{
	ssize_t want = c->want ? c->want : (ssize_t)c->in_len;

	if (n != want)
		fail_msg("%s: got %zd want %zd", c->name, n, want);
	if (n < 0) {
		assert_null(req->storage);
		assert_null(req->body);
		return;
	}
	assert_int_equal(req->method, c->method);
	assert_string_equal(req->path, c->path);
	assert_int_equal(req->n_headers, c->n_headers);
	assert_int_equal(req->body_len, c->body_len);
	assert_non_null(req->body);
	assert_int_equal(req->body[req->body_len], 0);
	assert_int_equal(req->keep_alive, c->keep_alive);
}

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct req_case *c = &cases[i];
		const struct http_limits def = HTTP_LIMITS_DEFAULT;
		struct http_request req;
		ssize_t n = parse_exact(c->in, c->in_len, c->lim ? c->lim : &def, &req);

		check_case(c, &req, n);
		http_request_fini(&req);
		http_request_fini(&req); /* idempotent */
	}
}

/* Feeding a valid request one byte at a time gives -EAGAIN until it is whole, then the same. */
static void test_byte_by_byte(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct req_case *c = &cases[i];
		const struct http_limits def = HTTP_LIMITS_DEFAULT;
		const struct http_limits *lim = c->lim ? c->lim : &def;
		ssize_t want = c->want ? c->want : (ssize_t)c->in_len;
		struct http_request req;

		if (want <= 0)
			continue;
		for (size_t len = 0; len < (size_t)want; len++) {
			ssize_t n = parse_exact(c->in, len, lim, &req);

			if (n != -EAGAIN)
				fail_msg("%s: prefix %zu gave %zd", c->name, len, n);
		}
		check_case(c, &req, parse_exact(c->in, (size_t)want, lim, &req));
		http_request_fini(&req);
	}
}

/* The incremental parser on a buffer that grows from prefix len to len2 (an exact heap copy
 * each time, so ASan sees any read past the input). */
static ssize_t parse_next_exact(struct http_parser *p, const void *in, size_t len,
				const struct http_limits *lim, struct http_request *req)
{
	uint8_t *copy = malloc(len ? len : 1);
	ssize_t n;

	assert_non_null(copy);
	memcpy(copy, in, len);
	n = http_request_parse_next(p, copy, len, lim, req);
	free(copy);
	return n;
}

static void assert_same_request(const char *name, size_t split, const struct http_request *a,
				const struct http_request *b)
{
	if (a->method != b->method || a->n_headers != b->n_headers || a->body_len != b->body_len ||
	    a->keep_alive != b->keep_alive || strcmp(a->path, b->path) != 0 ||
	    memcmp(a->body, b->body, a->body_len) != 0)
		fail_msg("%s: split at %zu: request differs from the one-shot parse", name, split);
	for (size_t i = 0; i < a->n_headers; i++) {
		if (strcmp(a->headers[i].name, b->headers[i].name) != 0 ||
		    strcmp(a->headers[i].value, b->headers[i].value) != 0)
			fail_msg("%s: split at %zu: header %zu differs", name, split, i);
	}
}

/* Every split point of every table case (and of two pipelined requests): the first part, then
 * the whole, through one http_parser, gives exactly what the one-shot parse of the same bytes
 * gives; and the parser never claims to have scanned bytes it was not given. */
static void test_split_points(void **state)
{
	static const char two[] = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
				  "POST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyz";
	struct req_case extra = {.name = "pipelined_pair", .in = two, .in_len = sizeof(two) - 1};

	(void)state;
	for (size_t i = 0; i <= sizeof(cases) / sizeof(cases[0]); i++) {
		const struct req_case *c =
			i < sizeof(cases) / sizeof(cases[0]) ? &cases[i] : &extra;
		const struct http_limits def = HTTP_LIMITS_DEFAULT;
		const struct http_limits *lim = c->lim ? c->lim : &def;
		struct http_request whole, req;
		ssize_t want = parse_exact(c->in, c->in_len, lim, &whole);

		for (size_t k = 0; k <= c->in_len; k++) {
			struct http_parser p = {};
			ssize_t n1 = parse_next_exact(&p, c->in, k, lim, &req);
			ssize_t n1_ref;
			struct http_request ref;

			n1_ref = parse_exact(c->in, k, lim, &ref);
			if (n1 != n1_ref)
				fail_msg("%s: prefix %zu: %zd, one-shot %zd", c->name, k, n1,
					 n1_ref);
			if (n1 > 0)
				assert_same_request(c->name, k, &req, &ref);
			http_request_fini(&ref);
			http_request_fini(&req);
			if (n1 != -EAGAIN)
				continue;
			assert_true(p.scanned <= k);
			ssize_t n = parse_next_exact(&p, c->in, c->in_len, lim, &req);
			if (n != want)
				fail_msg("%s: split at %zu: %zd, one-shot %zd", c->name, k, n,
					 want);
			if (n > 0)
				assert_same_request(c->name, k, &req, &whole);
			http_request_fini(&req);
		}
		/* And one byte at a time through the same parser. */
		struct http_parser p = {};
		ssize_t n = -EAGAIN;
		size_t k;
		for (k = 1; k <= c->in_len && n == -EAGAIN; k++)
			n = parse_next_exact(&p, c->in, k, lim, &req);
		if (n != -EAGAIN) {
			struct http_request ref;
			ssize_t n_ref = parse_exact(c->in, k - 1, lim, &ref);

			if (n != n_ref)
				fail_msg("%s: 1-byte feed at %zu: %zd, one-shot %zd", c->name,
					 k - 1, n, n_ref);
			if (n > 0)
				assert_same_request(c->name, k - 1, &req, &ref);
			http_request_fini(&ref);
		}
		http_request_fini(&req);
		http_request_fini(&whole);
	}
}

static void test_headers(void **state)
{
	const struct http_limits lim = HTTP_LIMITS_DEFAULT;
	struct http_request req;

	(void)state;
	assert_int_equal(parse_exact(S(oc_init), &lim, &req), sizeof(oc_init) - 1);
	assert_string_equal(http_request_header(&req, "host"), "vpn.example.com");
	assert_string_equal(http_request_header(&req, "X-AGGREGATE-AUTH"), "1");
	assert_string_equal(http_request_header(&req, "user-agent"),
			    "Open AnyConnect VPN Agent v9.01");
	assert_null(http_request_header(&req, "Cookie"));
	assert_memory_equal(req.body, "<?xml", 5);
	http_request_fini(&req);

	assert_int_equal(
		parse_exact(S("GET / HTTP/1.1\r\nX-A: \t spaced out \t\r\nx-a: second\r\n\r\n"),
			    &lim, &req),
		sizeof("GET / HTTP/1.1\r\nX-A: \t spaced out \t\r\nx-a: second\r\n\r\n") - 1);
	assert_string_equal(http_request_header(&req, "x-A"), "spaced out"); /* first one */
	assert_string_equal(req.headers[1].name, "x-a");
	assert_string_equal(req.headers[1].value, "second");
	http_request_fini(&req);
}

struct cookie_case {
	const char *name;
	const char *header;
	const char *cookie;
	size_t out_len;
	int want;
	const char *value;
};

static const struct cookie_case cookie_cases[] = {
	{"single", "webvpn=XYZ", "webvpn", 64, 0, "XYZ"},
	{"second", "a=b; webvpn=XYZ", "webvpn", 64, 0, "XYZ"},
	{"first_wins", "webvpn=1; webvpn=2", "webvpn", 64, 0, "1"},
	{"spaces", "  a=b ;  webvpn = XYZ  ; c=d", "webvpn", 64, 0, "XYZ"},
	{"quoted", "webvpn=\"XYZ\"", "webvpn", 64, 0, "XYZ"},
	{"empty_value", "webvpn=", "webvpn", 64, 0, ""},
	{"base64_padding", "webvpn=ab+/cd==", "webvpn", 64, 0, "ab+/cd=="},
	{"prefix_name_not_match", "webvpnc=bu:/; webvpncontext=x", "webvpn", 64, -ENOENT, nullptr},
	{"case_sensitive", "WEBVPN=x", "webvpn", 64, -ENOENT, nullptr},
	{"no_equals", "webvpn; a=b", "webvpn", 64, -ENOENT, nullptr},
	{"empty_header", "", "webvpn", 64, -ENOENT, nullptr},
	{"only_semicolons", ";;;", "webvpn", 64, -ENOENT, nullptr},
	{"empty_name", "=x", "", 64, -ENOENT, nullptr},
	{"fits_exactly", "webvpn=1234", "webvpn", 5, 0, "1234"},
	{"one_past", "webvpn=12345", "webvpn", 5, -E2BIG, nullptr},
	{"zero_out", "webvpn=", "webvpn", 0, -E2BIG, nullptr},
};

static void test_cookie_get(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cookie_cases) / sizeof(cookie_cases[0]); i++) {
		const struct cookie_case *c = &cookie_cases[i];
		char out[64] = "untouched";
		int ret = http_cookie_get(c->header, c->cookie, out, c->out_len);

		if (ret != c->want)
			fail_msg("%s: got %d want %d", c->name, ret, c->want);
		if (c->value)
			assert_string_equal(out, c->value);
	}
}

static bool result_ok(ssize_t n, size_t len)
{
	return (n > 0 && (size_t)n <= len) || n == -EAGAIN || n == -EBADMSG || n == -E2BIG ||
	       n == -ENOTSUP;
}

/* Every single-bit flip and every truncation of a real request: a documented result, no crash. */
static void test_mutations(void **state)
{
	const struct http_limits lim = HTTP_LIMITS_DEFAULT;
	size_t len = sizeof(oc_init) - 1;
	uint8_t buf[sizeof(oc_init)];
	struct http_request req;

	(void)state;
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			ssize_t n;

			memcpy(buf, oc_init, len);
			buf[i] ^= (uint8_t)(1u << bit);
			n = parse_exact(buf, len, &lim, &req);
			if (!result_ok(n, len))
				fail_msg("flip %zu.%d: %zd", i, bit, n);
			if (n > 0) {
				assert_true((size_t)req.body_len <= len);
				assert_non_null(req.path);
			}
			http_request_fini(&req);
		}
	}
	for (size_t cut = 0; cut < len; cut++) {
		ssize_t n = parse_exact(oc_init, cut, &lim, &req);

		if (n != -EAGAIN)
			fail_msg("truncation %zu: %zd", cut, n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),	     cmocka_unit_test(test_byte_by_byte),
		cmocka_unit_test(test_split_points), cmocka_unit_test(test_headers),
		cmocka_unit_test(test_cookie_get),   cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
