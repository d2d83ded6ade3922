// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz target: input lines "Name: value" → cstp_request_parse() → cstp_reply_render() with a
 * fixed config. Whatever the client sends, the reply is one well-formed head: CRLF lines only,
 * the blank line last, and a hostname that is safe for scripts. */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/buf.h"
#include "tunnel/cstp_headers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { FUZZ_MAX_HDRS = 64 };

static void check_reply(const struct buf *out)
{
	const uint8_t *p = buf_head(out);
	size_t len = buf_used(out), blank = 0;

	if (len < 4 || memcmp(p + len - 4, "\r\n\r\n", 4) != 0)
		__builtin_trap();
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
			__builtin_trap(); /* a bare LF would split a header */
		if (p[i] == '\r' && (i + 1 == len || p[i + 1] != '\n'))
			__builtin_trap();
		if (p[i] == 0)
			__builtin_trap();
		if (i >= 3 && !memcmp(p + i - 3, "\r\n\r\n", 4))
			blank++;
	}
	if (blank != 1)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *dns[] = {"198.18.0.1", "2001:db8::53"};
	struct cfg_prefix routes[] = {
		{.family = AF_INET, .addr.v4.s_addr = htonl(0xc6120a00), .prefix_len = 24},
	};
	struct config cfg = {
		.dns = {dns, 2},
		.routes = {routes, 1},
		.keepalive_s = 20,
		.dpd_s = 90,
		.rekey_time_s = 172800,
	};
	struct cstp_hdr_kv h[FUZZ_MAX_HDRS];
	struct cstp_request req;
	struct cstp_reply r;
	struct buf out;
	size_t n = 0;
	char *text = malloc(size + 1), *line;
	int ret;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0'; /* an embedded NUL just ends the text early */
	line = text;
	while (line && n < FUZZ_MAX_HDRS) {
		char *next = strchr(line, '\n'), *colon;

		if (next)
			*next++ = '\0';
		colon = strchr(line, ':');
		if (colon) {
			*colon++ = '\0';
			if (*colon == ' ')
				colon++;
			h[n++] = (struct cstp_hdr_kv){line, colon};
		}
		line = next;
	}
	cstp_request_parse(h, n, &req);

	for (size_t i = 0; req.hostname[i]; i++) {
		char c = req.hostname[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      (c == '-' && i > 0 && req.hostname[i + 1])))
			__builtin_trap();
	}
	if (strlen(req.dtls_ciphersuite) > CSTP_CIPHERS_MAX ||
	    strlen(req.dtls12_ciphersuite) > CSTP_CIPHERS_MAX || req.base_mtu > 65535 ||
	    req.mtu > 65535 || (!req.want_v4 && !req.want_v6))
		__builtin_trap();

	r = (struct cstp_reply){.cfg = &cfg,
				.has_v4 = true,
				.has_v6 = true,
				.v6_prefix = 64,
				.req = &req,
				.base_mtu = 1500,
				.data_mtu = 1434};
	r.v4.s_addr = htonl(0xc6120005);
	r.v4_netmask.s_addr = htonl(0xffffff00);
	r.v6.s6_addr[0] = 0x20;
	r.v6.s6_addr[1] = 0x01;
	r.v6.s6_addr[2] = 0x0d;
	r.v6.s6_addr[3] = 0xb8;
	buf_init(&out, 16384);
	ret = cstp_reply_render(&out, &r);
	if (ret != 0)
		__builtin_trap(); /* the parser only lets through what the renderer accepts */
	check_reply(&out);
	buf_fini(&out);
	explicit_bzero(&req, sizeof(req));
	free(text);
	return 0;
}
