// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz target for http_request_parse (and http_cookie_get on what it yields): every request in
 * the input is parsed in turn, with the default and with tiny limits; the incremental
 * http_request_parse_next, fed in two parts split where the first byte says, must agree. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run(const uint8_t *data, size_t size, const struct http_limits *lim)
{
	struct http_request req;
	ssize_t n;

	while ((n = http_request_parse(data, size, lim, &req)) > 0) {
		char cookie[COOKIE_B64_LEN + 1];
		const char *c;

		if ((size_t)n > size || req.body_len > (size_t)n ||
		    req.n_headers > lim->max_headers || req.body[req.body_len] != '\0' || !req.path)
			__builtin_trap(); /* claimed bytes it was not given */
		for (size_t i = 0; i < req.n_headers; i++) {
			if (strlen(req.headers[i].name) + strlen(req.headers[i].value) > (size_t)n)
				__builtin_trap();
		}
		c = http_request_header(&req, "cookie");
		if (c)
			(void)!http_cookie_get(c, "webvpn", cookie, sizeof(cookie));
		http_request_fini(&req);
		data += n;
		size -= (size_t)n;
	}
}

static void split(const uint8_t *data, size_t size, const struct http_limits *lim)
{
	struct http_request a, b;
	struct http_parser p = {};
	size_t k = size ? data[0] % (size + 1) : 0;
	ssize_t want = http_request_parse(data, size, lim, &a);
	ssize_t n = http_request_parse_next(&p, data, k, lim, &b);

	if (n == -EAGAIN) {
		http_request_fini(&b);
		n = http_request_parse_next(&p, data, size, lim, &b);
	} else {
		want = n; /* decided on the prefix: the one-shot parse of the prefix says the same
			   */
		http_request_fini(&a);
		if (http_request_parse(data, k, lim, &a) != n)
			__builtin_trap();
	}
	if (n != want || (n > 0 && (a.body_len != b.body_len || a.n_headers != b.n_headers ||
				    strcmp(a.path, b.path) != 0)))
		__builtin_trap(); /* incremental and one-shot disagree */
	http_request_fini(&a);
	http_request_fini(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct http_limits def = HTTP_LIMITS_DEFAULT;
	const struct http_limits tiny = {64, 3, 16};

	run(data, size, &def);
	run(data, size, &tiny);
	split(data, size, &def);
	split(data, size, &tiny);
	return 0; /* -EAGAIN, -EBADMSG, -E2BIG, -ENOTSUP are all correct outcomes */
}
