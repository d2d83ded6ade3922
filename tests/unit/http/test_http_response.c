// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for http/http_response.c: exact bytes, response-splitting refusal, buffer limits. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "http/http.h"

static void expect_bytes(const struct buf *b, const char *want)
{
	assert_int_equal(buf_used(b), strlen(want));
	assert_memory_equal(buf_head(b), want, strlen(want));
}

static void test_exact_output(void **state)
{
	const struct http_header hdrs[] = {
		{"Set-Cookie", "webvpn=abc; Secure; HttpOnly"},
		{"X-Transcend-Version", "1"},
	};
	struct buf b;

	(void)state;
	buf_init(&b, 4096);
	assert_int_equal(http_response_write(&b,
					     &(struct http_response){
						     .status = 200,
						     .reason = "OK",
						     .content_type = "text/xml; charset=utf-8",
						     .headers = hdrs,
						     .n_headers = 2,
						     .body = "<x/>",
						     .body_len = 4,
					     }),
			 0);
	expect_bytes(&b, "HTTP/1.1 200 OK\r\n"
			 "Content-Type: text/xml; charset=utf-8\r\n"
			 "Set-Cookie: webvpn=abc; Secure; HttpOnly\r\n"
			 "X-Transcend-Version: 1\r\n"
			 "Content-Length: 4\r\n"
			 "Connection: Keep-Alive\r\n"
			 "\r\n<x/>");
	buf_reset(&b, 0);
	assert_int_equal(http_response_write(&b,
					     &(struct http_response){
						     .status = 401,
						     .reason = "Cookie is not acceptable",
						     .close = true,
					     }),
			 0);
	expect_bytes(&b, "HTTP/1.1 401 Cookie is not acceptable\r\nContent-Length: 0\r\n"
			 "Connection: close\r\n\r\n");
	buf_fini(&b);
}

struct bad_case {
	const char *name;
	struct http_response r;
	struct http_header h;
};

static void test_refused(void **state)
{
	const struct bad_case cases[] = {
		{"status_low", {.status = 99, .reason = "x"}, {"A", "b"}},
		{"status_high", {.status = 1000, .reason = "x"}, {"A", "b"}},
		{"no_reason", {.status = 200}, {"A", "b"}},
		{"reason_crlf", {.status = 200, .reason = "OK\r\nX-Evil: 1"}, {"A", "b"}},
		{"ctype_lf", {.status = 200, .reason = "OK", .content_type = "a\nb"}, {"A", "b"}},
		{"value_cr", {.status = 200, .reason = "OK"}, {"X-Reason", "a\rb"}},
		{"value_lf", {.status = 200, .reason = "OK"}, {"X-Reason", "a\nSet-Cookie: x"}},
		{"value_ctl", {.status = 200, .reason = "OK"}, {"X-Reason", "a\x01"}},
		{"name_space", {.status = 200, .reason = "OK"}, {"X Reason", "a"}},
		{"name_colon", {.status = 200, .reason = "OK"}, {"X:", "a"}},
		{"name_empty", {.status = 200, .reason = "OK"}, {"", "a"}},
		{"name_null", {.status = 200, .reason = "OK"}, {nullptr, "a"}},
		{"body_null", {.status = 200, .reason = "OK", .body_len = 3}, {"A", "b"}},
	};
	struct buf b;

	(void)state;
	buf_init(&b, 4096);
	assert_int_equal(buf_append(&b, "keep", 4), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_response r = cases[i].r;

		r.headers = &cases[i].h;
		r.n_headers = 1;
		if (http_response_write(&b, &r) != -EINVAL)
			fail_msg("%s: not refused", cases[i].name);
		expect_bytes(&b, "keep");
	}
	buf_fini(&b);
}

static void test_limit(void **state)
{
	static uint8_t body[300]; /* > 256: core/buf's first allocation is 256 bytes */
	const struct http_response r = {
		.status = 200, .reason = "OK", .body = body, .body_len = sizeof(body)};
	struct buf b;
	size_t full;

	(void)state;
	buf_init(&b, 4096);
	assert_int_equal(http_response_write(&b, &r), 0);
	full = buf_used(&b);
	buf_fini(&b);

	buf_init(&b, full); /* exactly fits */
	assert_int_equal(http_response_write(&b, &r), 0);
	assert_int_equal(buf_used(&b), full);
	buf_fini(&b);

	buf_init(&b, full - 1); /* one byte short: nothing is left behind */
	assert_int_equal(http_response_write(&b, &r), -E2BIG);
	assert_int_equal(buf_used(&b), 0);
	buf_fini(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_output),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_limit),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
