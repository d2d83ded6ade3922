// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz harness for tools/ocload/proto.c: a server's HTTP response (head, cookies, the XML bits
 * auth uses) and, on the same bytes, the inner-packet echo-reply check. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ocload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data, *p;
	struct ocl_http_resp r;
	struct in_addr me = {.s_addr = 0};
	char v[64];
	uint64_t stamp;
	uint16_t seq;
	size_t n;
	ssize_t total;

	total = ocl_http_parse(buf, size, OCL_HTTP_MAX, &r);
	if (total > 0) {
		if ((size_t)total > size || r.hdr_len + r.body_len != (size_t)total)
			__builtin_trap(); /* claimed bytes it was not given */
		(void)ocl_http_header(&r, "X-CSTP-Address", 1, v, sizeof(v));
		(void)ocl_http_cookie(&r, "webvpn", v, sizeof(v));
		const char *body = buf + r.hdr_len;
		if (!ocl_xml_element(body, r.body_len, "opaque", true, &p, &n) &&
		    (p < body || p + n > body + r.body_len))
			__builtin_trap();
		(void)ocl_xml_attr(body, r.body_len, "form", "action", v, sizeof(v));
	}
	if (!ocl_xml_element(buf, size, "session-token", false, &p, &n) &&
	    (p < buf || p + n > buf + size))
		__builtin_trap();
	(void)ocl_pkt_echo_reply(data, size, me, 0, &seq, &stamp);
	if (size < 80) {
		char hex[81];

		memcpy(hex, data, size);
		hex[size] = '\0';
		uint8_t out[OCL_APPID_MAX];
		(void)ocl_hex_decode(hex, out, sizeof(out));
	}
	return 0;
}
