// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for tools/ocload/proto.c (HTTP heads, cookies, XML bits, hex, inner packets) and the
 * histogram in stats.c: table-driven, including each limit and one past it. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "core/compiler.h"
#include "ocload.h"

struct http_case {
	const char *name;
	const char *in;
	size_t max;
	ssize_t want; /* total length, or -errno */
	unsigned status;
};

#define OK_HEAD "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"

static const struct http_case http_cases[] = {
	{"complete", OK_HEAD "hello", 100, sizeof(OK_HEAD) - 1 + 5, 200},
	{"body pending", OK_HEAD "hel", 100, -EAGAIN, 0},
	{"head pending", "HTTP/1.1 200 OK\r\nContent-Le", 100, -EAGAIN, 0},
	{"exactly max", OK_HEAD "hello", sizeof(OK_HEAD) - 1 + 5, sizeof(OK_HEAD) - 1 + 5, 200},
	{"one past max", OK_HEAD "hello", sizeof(OK_HEAD) - 1 + 4, -E2BIG, 0},
	{"head never ends", "HTTP/1.1 200 OK\r\nX: yyyyyyyyyy", 20, -E2BIG, 0},
	{"no body", "HTTP/1.1 200 CONNECTED\r\nX-CSTP-MTU: 1400\r\n\r\nSTF", 100, 44, 200},
	{"401", "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n", 100, 48, 401},
	{"chunked refused", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 100, -EBADMSG,
	 0},
	{"bad status", "HTTP/1.1 2x0 OK\r\n\r\n", 100, -EBADMSG, 0},
	{"not http", "SSH-2.0-OpenSSH\r\n\r\n", 100, -EBADMSG, 0},
	{"negative length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 100, -EBADMSG, 0},
	{"garbage length", "HTTP/1.1 200 OK\r\nContent-Length: 5x\r\n\r\n", 100, -EBADMSG, 0},
	{"huge length", "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", 100,
	 -EBADMSG, 0},
	{"length over max", "HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n", 100, -E2BIG, 0},
};

static void test_http_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(http_cases); i++) {
		const struct http_case *c = &http_cases[i];
		struct ocl_http_resp r;
		ssize_t n;

		print_message("case %s\n", c->name);
		n = ocl_http_parse(c->in, strlen(c->in), c->max, &r);
		assert_int_equal(n, c->want);
		if (n > 0)
			assert_int_equal(r.status, c->status);
	}
}

static const char CONNECT_REPLY[] =
	"HTTP/1.1 200 CONNECTED\r\n"
	"X-CSTP-Address: 2001:db8::5\r\n"
	"X-CSTP-Address: 198.19.0.7\r\n"
	"x-dtls-app-id:   00ff  \r\n"
	"Set-Cookie: webvpnc=; expires=Thu, 01 Jan 1970 22:00:00 GMT\r\n"
	"Set-Cookie: webvpn=QUJD; Secure; HttpOnly\r\n"
	"Set-Cookie: webvpncontext=Y3R4\r\n"
	"\r\n";

static void test_http_headers(void **state)
{
	struct ocl_http_resp r;
	char v[16], small[4];

	(void)state;
	assert_int_equal(ocl_http_parse(CONNECT_REPLY, strlen(CONNECT_REPLY), 4096, &r),
			 (ssize_t)strlen(CONNECT_REPLY));
	assert_int_equal(ocl_http_header(&r, "X-CSTP-Address", 0, v, sizeof(v)), 0);
	assert_string_equal(v, "2001:db8::5");
	assert_int_equal(ocl_http_header(&r, "X-CSTP-Address", 1, v, sizeof(v)), 0);
	assert_string_equal(v, "198.19.0.7");
	assert_int_equal(ocl_http_header(&r, "X-CSTP-Address", 2, v, sizeof(v)), -ENOENT);
	assert_int_equal(ocl_http_header(&r, "X-DTLS-App-ID", 0, v, sizeof(v)), 0);
	assert_string_equal(v, "00ff");
	assert_int_equal(ocl_http_header(&r, "X-CSTP", 0, v, sizeof(v)), -ENOENT);
	/* "00ff" needs 5 bytes with the NUL: the limit and one below it */
	assert_int_equal(ocl_http_header(&r, "X-DTLS-App-ID", 0, v, 5), 0);
	assert_int_equal(ocl_http_header(&r, "X-DTLS-App-ID", 0, small, 4), -E2BIG);
	assert_int_equal(ocl_http_cookie(&r, "webvpn", v, sizeof(v)), 0);
	assert_string_equal(v, "QUJD");
	assert_int_equal(ocl_http_cookie(&r, "webvpncontext", v, sizeof(v)), 0);
	assert_string_equal(v, "Y3R4");
	assert_int_equal(ocl_http_cookie(&r, "webvpnc", v, sizeof(v)), -ENOENT); /* deleted */
	assert_int_equal(ocl_http_cookie(&r, "webvpn", small, sizeof(small)), -E2BIG);
}

static const char FORM[] =
	"<?xml version=\"1.0\"?><config-auth client=\"vpn\" type=\"auth-request\">"
	"<opaque is-for=\"sg\"><tunnel-group>g</tunnel-group></opaque>"
	"<auth id=\"main\"><form method=\"post\" action=\"/auth\">"
	"<input type=\"text\" name=\"username\"/></form></auth>"
	"<session-token>TOKEN</session-token><empty/></config-auth>";

static void test_xml(void **state)
{
	const char *p;
	size_t n;
	char v[8];

	(void)state;
	assert_int_equal(ocl_xml_attr(FORM, strlen(FORM), "form", "action", v, sizeof(v)), 0);
	assert_string_equal(v, "/auth");
	assert_int_equal(ocl_xml_attr(FORM, strlen(FORM), "auth", "id", v, sizeof(v)), 0);
	assert_string_equal(v, "main");
	assert_int_equal(ocl_xml_attr(FORM, strlen(FORM), "form", "nope", v, sizeof(v)), -ENOENT);
	assert_int_equal(ocl_xml_attr(FORM, strlen(FORM), "config-auth", "type", v, sizeof(v)),
			 -E2BIG);
	assert_int_equal(ocl_xml_element(FORM, strlen(FORM), "session-token", false, &p, &n), 0);
	assert_int_equal(n, 5);
	assert_memory_equal(p, "TOKEN", 5);
	assert_int_equal(ocl_xml_element(FORM, strlen(FORM), "opaque", true, &p, &n), 0);
	assert_memory_equal(p, "<opaque is-for=\"sg\">", 20);
	assert_memory_equal(p + n - 9, "</opaque>", 9);
	assert_int_equal(ocl_xml_element(FORM, strlen(FORM), "empty", false, &p, &n), 0);
	assert_int_equal(n, 0);
	/* "<auth" must not match "<authx"; a missing close tag is absent */
	assert_int_equal(ocl_xml_element(FORM, strlen(FORM), "sess", false, &p, &n), -ENOENT);
	assert_int_equal(ocl_xml_element("<a>open", 7, "a", false, &p, &n), -ENOENT);
	assert_int_equal(ocl_xml_element("<a", 2, "a", false, &p, &n), -ENOENT);
}

struct hex_case {
	const char *name;
	const char *in;
	size_t max;
	ssize_t want;
};

static const struct hex_case hex_cases[] = {
	{"two bytes", "0aFF", 32, 2},
	{"exactly max", "00112233", 4, 4},
	{"one past max", "0011223344", 4, -EINVAL},
	{"odd", "abc", 32, -EINVAL},
	{"empty", "", 32, -EINVAL},
	{"not hex", "zz", 32, -EINVAL},
};

static void test_hex(void **state)
{
	uint8_t out[32];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(hex_cases); i++) {
		print_message("case %s\n", hex_cases[i].name);
		assert_int_equal(ocl_hex_decode(hex_cases[i].in, out, hex_cases[i].max),
				 hex_cases[i].want);
	}
	assert_int_equal(ocl_hex_decode("0aFF", out, 32), 2);
	assert_int_equal(out[0], 0x0a);
	assert_int_equal(out[1], 0xff);
}

/* Turns an echo request into the reply the kernel would send. */
static void make_reply(uint8_t *p, size_t len)
{
	uint8_t tmp[4];

	memcpy(tmp, p + 12, 4);
	memcpy(p + 12, p + 16, 4);
	memcpy(p + 16, tmp, 4);
	p[20] = 0; /* echo reply */
	p[22] = p[23] = 0;
	uint16_t c = ocl_inet_csum(p + 20, len - 20);
	p[22] = (uint8_t)(c >> 8);
	p[23] = (uint8_t)c;
}

static void test_packets(void **state)
{
	struct in_addr me, dst;
	uint8_t pkt[28 + OCL_MAX_PAYLOAD];
	uint64_t stamp;
	uint16_t seq;
	size_t len;

	(void)state;
	inet_pton(AF_INET, "198.19.0.7", &me);
	inet_pton(AF_INET, "198.19.0.1", &dst);
	for (size_t payload = 8; payload <= OCL_MAX_PAYLOAD; payload += OCL_MAX_PAYLOAD - 8) {
		len = ocl_pkt_build(pkt, TRAFFIC_ICMP, me, dst, 0, 42, 7, 0x1122334455667788,
				    payload);
		assert_int_equal(len, 28 + payload);
		assert_int_equal(ocl_inet_csum(pkt, 20), 0); /* IPv4 header checksum */
		assert_int_equal(ocl_inet_csum(pkt + 20, len - 20), 0);
		/* our own request is no reply */
		assert_int_equal(ocl_pkt_echo_reply(pkt, len, me, 42, &seq, &stamp), -EINVAL);
		make_reply(pkt, len);
		assert_int_equal(ocl_pkt_echo_reply(pkt, len, me, 42, &seq, &stamp), 0);
		assert_int_equal(seq, 7);
		assert_true(stamp == 0x1122334455667788);
		assert_int_equal(ocl_pkt_echo_reply(pkt, len, me, 43, &seq, &stamp), -EINVAL);
		assert_int_equal(ocl_pkt_echo_reply(pkt, len - 1, me, 42, &seq, &stamp), -EINVAL);
		pkt[len - 1] ^= 1; /* corrupt: checksum fails */
		assert_int_equal(ocl_pkt_echo_reply(pkt, len, me, 42, &seq, &stamp), -EINVAL);
	}
	len = ocl_pkt_build(pkt, TRAFFIC_UDP, me, dst, 9, 1, 1, 1, 100);
	assert_int_equal(len, 128);
	assert_int_equal(pkt[9], 17);
	assert_int_equal(pkt[22] << 8 | pkt[23], 9);
	assert_int_equal(ocl_pkt_echo_reply(pkt, 19, me, 1, &seq, &stamp), -EINVAL);
}

static void test_hist(void **state)
{
	static struct ocl_hist h;

	(void)state;
	assert_int_equal(ocl_hist_quantile(&h, 0.5), 0);
	for (uint64_t v = 1; v <= 1000; v++)
		ocl_hist_add(&h, v);
	/* buckets are at most 12.5 % wide */
	assert_in_range(ocl_hist_quantile(&h, 0.5), 500, 563);
	assert_in_range(ocl_hist_quantile(&h, 0.99), 990, 1114);
	assert_in_range(ocl_hist_quantile(&h, 1.0), 1000, 1114);
	ocl_hist_add(&h, UINT64_MAX); /* the last bucket takes anything */
	assert_true(ocl_hist_quantile(&h, 1.0) >= 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_parse), cmocka_unit_test(test_http_headers),
		cmocka_unit_test(test_xml),	   cmocka_unit_test(test_hex),
		cmocka_unit_test(test_packets),	   cmocka_unit_test(test_hist),
	};
	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
