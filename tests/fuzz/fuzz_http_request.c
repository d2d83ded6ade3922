// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz target for http_request_parse (and http_cookie_get on what it yields): every request in
 * the input is parsed in turn, with the default and with tiny limits. */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct http_limits def = HTTP_LIMITS_DEFAULT;
	const struct http_limits tiny = {64, 3, 16};

	run(data, size, &def);
	run(data, size, &tiny);
	return 0; /* -EAGAIN, -EBADMSG, -E2BIG, -ENOTSUP are all correct outcomes */
}
