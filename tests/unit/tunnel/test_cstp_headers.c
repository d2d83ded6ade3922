// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for tunnel/cstp_headers.c: CONNECT request header parsing (bad values, hostname
 * validation, DTLS offer) and the "200 CONNECTED" head (exact spellings, full vs legacy IPv6,
 * default route vs split, CR/LF refused, identical output for the same lease). */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "tunnel/cstp_headers.h"

/* ---- request ---------------------------------------------------------------------------- */

static const char secret_hex[] = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"
				 "202122232425262728292a2b2c2d2e2f";

static void test_request_defaults(void **state)
{
	struct cstp_request r;

	(void)state;
	memset(&r, 0x5a, sizeof(r));
	cstp_request_parse(nullptr, 0, &r);
	assert_int_equal(r.base_mtu, 0);
	assert_int_equal(r.mtu, 0);
	assert_true(r.want_v4);
	assert_true(r.want_v6);
	assert_false(r.full_ipv6);
	assert_false(r.mobile);
	assert_false(r.has_master_secret);
	assert_string_equal(r.hostname, "");
	assert_string_equal(r.dtls_ciphersuite, "");
	assert_string_equal(r.dtls12_ciphersuite, "");
}

static void test_request_openconnect(void **state)
{
	const struct cstp_hdr_kv h[] = {
		{"Host", "vpn.example"},
		{"Cookie", "webvpn=abc"},
		{"X-CSTP-Version", "1"},
		{"X-CSTP-Hostname", "laptop.corp.example"},
		{"X-CSTP-Base-MTU", "1500"},
		{"X-CSTP-MTU", "1390"},
		{"X-CSTP-Address-Type", "IPv6,IPv4"},
		{"X-CSTP-Full-IPv6-Capability", "true"},
		{"X-DTLS-Master-Secret", secret_hex},
		{"X-DTLS-CipherSuite", "PSK-NEGOTIATE:OC-DTLS1_2-AES256-GCM:AES128-SHA"},
		{"x-dtls12-ciphersuite", "ECDHE-RSA-AES256-GCM-SHA384:AES128-GCM-SHA256"},
		{nullptr, "ignored"},
		{"X-CSTP-MTU", nullptr},
	};
	struct cstp_request r;

	(void)state;
	cstp_request_parse(h, sizeof(h) / sizeof(h[0]), &r);
	assert_int_equal(r.base_mtu, 1500);
	assert_int_equal(r.mtu, 1390);
	assert_true(r.want_v4);
	assert_true(r.want_v6);
	assert_true(r.full_ipv6);
	assert_false(r.mobile);
	assert_string_equal(r.hostname, "laptop");
	assert_string_equal(r.dtls_ciphersuite, "PSK-NEGOTIATE:OC-DTLS1_2-AES256-GCM:AES128-SHA");
	assert_string_equal(r.dtls12_ciphersuite, "ECDHE-RSA-AES256-GCM-SHA384:AES128-GCM-SHA256");
	assert_true(r.has_master_secret);
	for (unsigned i = 0; i < CSTP_MASTER_SECRET_LEN; i++)
		assert_int_equal(r.master_secret[i], i);
}

struct req_case {
	const char *name;
	struct cstp_hdr_kv h[3];
	unsigned base_mtu, mtu;
	bool want_v4, want_v6, full_ipv6, mobile, secret;
};

static const struct req_case req_cases[] = {
	{"mtu 65535 limit", {{"X-CSTP-MTU", "65535"}}, 0, 65535, 1, 1, 0, 0, 0},
	{"mtu 65536 past limit", {{"X-CSTP-MTU", "65536"}}, 0, 0, 1, 1, 0, 0, 0},
	{"mtu huge", {{"X-CSTP-MTU", "99999999999999999999999"}}, 0, 0, 1, 1, 0, 0, 0},
	{"mtu negative", {{"X-CSTP-MTU", "-1"}}, 0, 0, 1, 1, 0, 0, 0},
	{"mtu hex", {{"X-CSTP-MTU", "0x500"}}, 0, 0, 1, 1, 0, 0, 0},
	{"mtu empty", {{"X-CSTP-MTU", ""}}, 0, 0, 1, 1, 0, 0, 0},
	{"mtu trailing junk", {{"X-CSTP-MTU", "1400abc"}}, 0, 0, 1, 1, 0, 0, 0},
	{"mtu blanks", {{"x-cstp-mtu", " 1400 "}}, 0, 1400, 1, 1, 0, 0, 0},
	{"base mtu 1", {{"X-CSTP-BASE-MTU", "1"}}, 1, 0, 1, 1, 0, 0, 0},
	{"base mtu 0", {{"X-CSTP-Base-MTU", "0"}}, 0, 0, 1, 1, 0, 0, 0},
	{"last wins", {{"X-CSTP-MTU", "1400"}, {"X-CSTP-MTU", "junk"}}, 0, 0, 1, 1, 0, 0, 0},
	{"v4 only", {{"X-CSTP-Address-Type", "IPv4"}}, 0, 0, 1, 0, 0, 0, 0},
	{"v6 only lowercase", {{"X-CSTP-Address-Type", "ipv6"}}, 0, 0, 0, 1, 0, 0, 0},
	{"both spaced", {{"X-CSTP-Address-Type", " IPv4 , IPv6 "}}, 0, 0, 1, 1, 0, 0, 0},
	{"type garbage = both", {{"X-CSTP-Address-Type", "IPv4x,IPv66"}}, 0, 0, 1, 1, 0, 0, 0},
	{"full ipv6 false", {{"X-CSTP-Full-IPv6-Capability", "false"}}, 0, 0, 1, 1, 0, 0, 0},
	{"full ipv6 TRUE", {{"X-CSTP-Full-IPv6-Capability", "TRUE"}}, 0, 0, 1, 1, 1, 0, 0},
	{"android", {{"X-AnyConnect-Identifier-Platform", "android"}}, 0, 0, 1, 1, 0, 1, 0},
	{"ios devicetype",
	 {{"X-AnyConnect-Identifier-DeviceType", "apple-ios 17"}},
	 0,
	 0,
	 1,
	 1,
	 0,
	 1,
	 0},
	{"desktop platform",
	 {{"X-AnyConnect-Identifier-Platform", "linux-64"}},
	 0,
	 0,
	 1,
	 1,
	 0,
	 0,
	 0},
	{"license mobile", {{"X-CSTP-License", "mobile"}}, 0, 0, 1, 1, 0, 1, 0},
	{"license other", {{"X-CSTP-License", "desktop"}}, 0, 0, 1, 1, 0, 0, 0},
	{"secret empty", {{"X-DTLS-Master-Secret", ""}}, 0, 0, 1, 1, 0, 0, 0},
	{"secret not hex",
	 {{"X-DTLS-Master-Secret", "zz0102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1"
				   "E1F202122232425262728292a2b2c2d2e2f"}},
	 0,
	 0,
	 1,
	 1,
	 0,
	 0,
	 0},
	{"secret then bad secret",
	 {{"X-DTLS-Master-Secret", secret_hex}, {"X-DTLS-Master-Secret", "00"}},
	 0,
	 0,
	 1,
	 1,
	 0,
	 0,
	 0},
	{"secret ok", {{"X-DTLS-Master-Secret", secret_hex}}, 0, 0, 1, 1, 0, 0, 1},
};

static void test_request_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(req_cases) / sizeof(req_cases[0]); i++) {
		const struct req_case *c = &req_cases[i];
		struct cstp_request r;
		size_t n = 0;

		while (n < 3 && c->h[n].name)
			n++;
		cstp_request_parse(c->h, n, &r);
		if (r.base_mtu != c->base_mtu || r.mtu != c->mtu || r.want_v4 != c->want_v4 ||
		    r.want_v6 != c->want_v6 || r.full_ipv6 != c->full_ipv6 ||
		    r.mobile != c->mobile || r.has_master_secret != c->secret)
			fail_msg("case '%s'", c->name);
		if (!r.has_master_secret) {
			for (size_t k = 0; k < sizeof(r.master_secret); k++)
				assert_int_equal(r.master_secret[k], 0);
		}
	}
}

static const struct {
	const char *in, *want;
} host_cases[] = {
	{"laptop", "laptop"},
	{"LAPTOP-1", "LAPTOP-1"},
	{"laptop.corp.example", "laptop"},
	{"a", "a"},
	{"123", "123"},
	{"", ""},
	{".corp", ""},
	{"-rf", ""},
	{"laptop-", ""},
	{"a_b", ""},
	{"a b", ""},
	{"lap;rm -rf", ""},
	{"lap$(id)", ""},
	{"lap\r\nX-Evil: 1", ""},
	{"l\xc3\xa4ptop", ""},
	{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},	  /* 63 */
	{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", ""}, /* 64 */
	{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example",
	 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
};

static void test_request_hostname(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(host_cases) / sizeof(host_cases[0]); i++) {
		struct cstp_hdr_kv h = {"X-CSTP-Hostname", host_cases[i].in};
		struct cstp_request r;

		cstp_request_parse(&h, 1, &r);
		if (strcmp(r.hostname, host_cases[i].want) != 0)
			fail_msg("hostname '%s': got '%s'", host_cases[i].in, r.hostname);
	}
}

static void test_request_ciphers(void **state)
{
	char longlist[600], want[CSTP_CIPHERS_MAX + 1];
	struct cstp_hdr_kv h[2] = {{"X-DTLS-CipherSuite", longlist},
				   {"X-DTLS12-CipherSuite", "AES128-SHA\r\nX: y"}};
	struct cstp_request r;
	size_t n = 0;

	(void)state;
	/* 40 names of 14 chars + ':' = 600 bytes; 17 whole names fit in 255 */
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(longlist + n, sizeof(longlist) - n, "%sSUITE-NAME-%03d",
				      i ? ":" : "", i);
	cstp_request_parse(h, 2, &r);
	memcpy(want, longlist, 17 * 15 - 1);
	want[17 * 15 - 1] = '\0';
	assert_string_equal(r.dtls_ciphersuite, want);
	assert_true(strlen(r.dtls_ciphersuite) <= CSTP_CIPHERS_MAX);
	assert_string_equal(r.dtls12_ciphersuite, "");

	/* exactly 255 kept whole, 256 with no ':' dropped entirely */
	memset(longlist, 'A', 256);
	longlist[255] = '\0';
	cstp_request_parse(h, 1, &r);
	assert_int_equal(strlen(r.dtls_ciphersuite), 255);
	longlist[255] = 'A';
	longlist[256] = '\0';
	cstp_request_parse(h, 1, &r);
	assert_string_equal(r.dtls_ciphersuite, "");
}

/* ---- reply ------------------------------------------------------------------------------ */

struct fixture {
	struct config cfg;
	char *dns[3], *split_dns[1];
	struct cfg_prefix routes[3], no_routes[2];
	struct cstp_request req;
	struct cstp_reply r;
	struct buf out;
	char text[8192];
};

static struct cfg_prefix pfx(int family, const char *addr, unsigned len)
{
	struct cfg_prefix p = {.family = family, .prefix_len = len};

	assert_int_equal(inet_pton(family, addr, &p.addr), 1);
	return p;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->dns[0] = "198.18.0.1";
	f->dns[1] = "2001:db8::53";
	f->dns[2] = "198.18.0.2";
	f->split_dns[0] = "corp.example";
	f->routes[0] = pfx(AF_INET, "198.18.10.77", 24); /* host bits cleared on the wire */
	f->routes[1] = pfx(AF_INET, "198.19.0.0", 16);
	f->routes[2] = pfx(AF_INET6, "2001:db8:10::1", 48);
	f->no_routes[0] = pfx(AF_INET, "198.18.99.0", 24);
	f->no_routes[1] = pfx(AF_INET6, "2001:db8:99::", 64);
	f->cfg = (struct config){
		.dns = {f->dns, 3},
		.split_dns = {f->split_dns, 1},
		.routes = {f->routes, 3},
		.no_routes = {f->no_routes, 2},
		.default_domain = "corp.example",
		.keepalive_s = 32400,
		.dpd_s = 90,
		.mobile_dpd_s = 1800,
		.mobile_idle_timeout_s = 2400,
		.rekey_time_s = 172800,
		.rekey_method = CFG_REKEY_NEW_TUNNEL,
		.banner = "Welcome to the test VPN",
	};
	f->req = (struct cstp_request){
		.want_v4 = true, .want_v6 = true, .full_ipv6 = true, .hostname = "laptop"};
	f->r = (struct cstp_reply){
		.cfg = &f->cfg,
		.has_v4 = true,
		.has_v6 = true,
		.v6_prefix = 64,
		.req = &f->req,
		.base_mtu = 1500,
		.data_mtu = 1434,
	};
	assert_int_equal(inet_pton(AF_INET, "198.18.0.5", &f->r.v4), 1);
	assert_int_equal(inet_pton(AF_INET, "255.255.255.0", &f->r.v4_netmask), 1);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:1::5", &f->r.v6), 1);
	buf_init(&f->out, 16384);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	buf_fini(&f->out);
	free(f);
	return 0;
}

/* Render into f->text (NUL-terminated). */
static int render(struct fixture *f)
{
	int ret;

	buf_reset(&f->out, 0);
	ret = cstp_reply_render(&f->out, &f->r);
	assert_true(buf_used(&f->out) < sizeof(f->text));
	if (buf_used(&f->out)) /* an empty buf may have no storage: no buf_head() then */
		memcpy(f->text, buf_head(&f->out), buf_used(&f->out));
	f->text[buf_used(&f->out)] = '\0';
	return ret;
}

static bool has_line(const struct fixture *f, const char *line)
{
	char needle[512];

	snprintf(needle, sizeof(needle), "\r\n%s\r\n", line);
	return strstr(f->text, needle) != nullptr;
}

static bool has_name(const struct fixture *f, const char *name)
{
	char needle[128];

	snprintf(needle, sizeof(needle), "\r\n%s: ", name);
	return strstr(f->text, needle) != nullptr;
}

#define assert_line(f, l)                                                                          \
	do {                                                                                       \
		if (!has_line(f, l))                                                               \
			fail_msg("missing line '%s' in:\n%s", l, (f)->text);                       \
	} while (0)
#define assert_no_name(f, n)                                                                       \
	do {                                                                                       \
		if (has_name(f, n))                                                                \
			fail_msg("unexpected header '%s' in:\n%s", n, (f)->text);                  \
	} while (0)

static void test_reply_full(void **state)
{
	static const char *const lines[] = {
		"X-CSTP-Version: 1",
		"X-CSTP-Protocol: Copyright (c) 2004 Cisco Systems, Inc.",
		"X-CSTP-Server-Name: ocserv-modern",
		"X-CSTP-Hostname: laptop",
		"X-CSTP-Address: 198.18.0.5",
		"X-CSTP-Netmask: 255.255.255.0",
		"X-CSTP-Address-IP6: 2001:db8:1::5/64",
		"X-CSTP-DNS: 198.18.0.1",
		"X-CSTP-DNS: 2001:db8::53",
		"X-CSTP-DNS: 198.18.0.2",
		"X-CSTP-Default-Domain: corp.example",
		"X-CSTP-Split-DNS: corp.example",
		"X-CSTP-Split-Include: 198.18.10.0/255.255.255.0",
		"X-CSTP-Split-Include: 198.19.0.0/255.255.0.0",
		"X-CSTP-Split-Include-IP6: 2001:db8:10::/48",
		"X-CSTP-Split-Exclude: 198.18.99.0/255.255.255.0",
		"X-CSTP-Split-Exclude-IP6: 2001:db8:99::/64",
		"X-CSTP-Tunnel-All-DNS: false",
		"X-CSTP-Keepalive: 32400",
		"X-CSTP-DPD: 90",
		"X-CSTP-Idle-Timeout: none",
		"X-CSTP-Session-Timeout: none",
		"X-CSTP-Session-Timeout-Remaining: none",
		"X-CSTP-Disconnected-Timeout: none",
		"X-CSTP-Keep: true",
		"X-CSTP-TCP-Keepalive: true",
		"X-CSTP-License: accept",
		"X-CSTP-Smartcard-Removal-Disconnect: true",
		"X-CSTP-Rekey-Time: 172800",
		"X-CSTP-Rekey-Method: new-tunnel",
		"X-CSTP-Client-Bypass-Protocol: false",
		"X-CSTP-Banner: Welcome to the test VPN",
		"X-CSTP-Base-MTU: 1500",
		"X-CSTP-MTU: 1434",
	};
	struct fixture *f = *state;
	size_t len;

	assert_int_equal(render(f), 0);
	assert_memory_equal(f->text, "HTTP/1.1 200 CONNECTED\r\n", 24);
	len = strlen(f->text);
	assert_true(len > 4);
	assert_string_equal(f->text + len - 4, "\r\n\r\n");
	assert_ptr_equal(strstr(f->text, "\r\n\r\n") + 4, f->text + len); /* one blank line, last */
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		assert_line(f, lines[i]);
	assert_no_name(f, "X-CSTP-DNS-IP6");
	assert_null(strstr(f->text, "X-DTLS"));
	/* every line is "Name: value" with a CRLF, no bare LF */
	for (const char *p = f->text; (p = strchr(p, '\n')); p++)
		assert_int_equal(p[-1], '\r');
}

static void test_reply_legacy_ipv6(void **state)
{
	struct fixture *f = *state;

	f->req.full_ipv6 = false;
	assert_int_equal(render(f), 0);
	assert_line(f, "X-CSTP-Address: 198.18.0.5");
	assert_line(f, "X-CSTP-Netmask: 255.255.255.0");
	assert_line(f, "X-CSTP-Address: 2001:db8:1::5");
	assert_line(f, "X-CSTP-Netmask: 2001:db8:1::5/64");
	assert_no_name(f, "X-CSTP-Address-IP6");
	assert_no_name(f, "X-CSTP-Split-Include-IP6");
	assert_no_name(f, "X-CSTP-Split-Exclude-IP6");
	assert_null(strstr(f->text, "2001:db8::53"));
	assert_line(f, "X-CSTP-Split-Include: 198.19.0.0/255.255.0.0");
}

static void test_reply_anyconnect_dns(void **state)
{
	struct fixture *f = *state;

	f->r.anyconnect_ua = true;
	assert_int_equal(render(f), 0);
	assert_line(f, "X-CSTP-DNS-IP6: 2001:db8::53");
	assert_line(f, "X-CSTP-DNS: 198.18.0.1");
	assert_false(has_line(f, "X-CSTP-DNS: 2001:db8::53"));
}

static void test_reply_default_route(void **state)
{
	struct fixture *f = *state;

	f->cfg.route_default = true;
	assert_int_equal(render(f), 0);
	assert_no_name(f, "X-CSTP-Split-Include");
	assert_no_name(f, "X-CSTP-Split-Include-IP6");
	assert_line(f, "X-CSTP-Split-Exclude: 198.18.99.0/255.255.255.0");
	assert_line(f, "X-CSTP-Tunnel-All-DNS: true");

	/* no routes configured at all is the default route too */
	f->cfg.route_default = false;
	f->cfg.routes.len = 0;
	assert_int_equal(render(f), 0);
	assert_no_name(f, "X-CSTP-Split-Include");
	assert_line(f, "X-CSTP-Tunnel-All-DNS: true");

	f->cfg.routes.len = 3;
	f->cfg.tunnel_all_dns = true;
	assert_int_equal(render(f), 0);
	assert_line(f, "X-CSTP-Tunnel-All-DNS: true");
	assert_line(f, "X-CSTP-Split-Include: 198.19.0.0/255.255.0.0");
}

static void test_reply_families(void **state)
{
	struct fixture *f = *state;

	f->req.want_v6 = false;
	assert_int_equal(render(f), 0);
	assert_line(f, "X-CSTP-Address: 198.18.0.5");
	assert_null(strstr(f->text, "2001:db8"));

	f->req.want_v6 = true;
	f->req.want_v4 = false;
	assert_int_equal(render(f), 0);
	assert_line(f, "X-CSTP-Address-IP6: 2001:db8:1::5/64");
	assert_no_name(f, "X-CSTP-Address");
	assert_no_name(f, "X-CSTP-Split-Include");
	assert_no_name(f, "X-CSTP-Split-Exclude");
	assert_null(strstr(f->text, "198.18."));

	/* lease without IPv6 */
	f->req.want_v4 = true;
	f->r.has_v6 = false;
	assert_int_equal(render(f), 0);
	assert_null(strstr(f->text, "2001:db8"));

	/* nothing to give */
	f->r.has_v4 = false;
	assert_int_equal(render(f), -EINVAL);
	assert_int_equal(buf_used(&f->out), 0);

	/* no request: both families, legacy IPv6 */
	f->r.has_v4 = f->r.has_v6 = true;
	f->r.req = nullptr;
	assert_int_equal(render(f), 0);
	assert_line(f, "X-CSTP-Netmask: 2001:db8:1::5/64");
	assert_no_name(f, "X-CSTP-Hostname");
}

static void test_reply_timers(void **state)
{
	struct fixture *f = *state;

	f->req.mobile = true;
	f->r.session_timeout_s = 86400;
	f->r.session_remaining_s = 3600;
	f->cfg.rekey_time_s = 0;
	f->cfg.rekey_method = CFG_REKEY_SSL;
	assert_int_equal(render(f), 0);
	assert_line(f, "X-CSTP-DPD: 1800");
	assert_line(f, "X-CSTP-Idle-Timeout: 2400");
	assert_line(f, "X-CSTP-Session-Timeout: 86400");
	assert_line(f, "X-CSTP-Session-Timeout-Remaining: 3600");
	assert_line(f, "X-CSTP-Rekey-Time: 31536000");
	assert_line(f, "X-CSTP-Rekey-Method: new-tunnel"); /* rekey-time 0: never "none" */
	assert_null(strstr(f->text, "Rekey-Method: none"));

	f->req.mobile = false;
	f->cfg.idle_timeout_s = 600;
	f->cfg.keepalive_s = 0;
	f->cfg.dpd_s = 0;
	assert_int_equal(render(f), 0);
	assert_line(f, "X-CSTP-Idle-Timeout: 600");
	assert_no_name(f, "X-CSTP-Keepalive");
	assert_no_name(f, "X-CSTP-DPD");
}

/* rekey-method: "ssl" only when the server rekeys in place (TLS 1.3 KeyUpdate), announced with
 * one year as ocserv >= 1.5.1; otherwise (TLS 1.2, new-tunnel) "new-tunnel" at rekey-time. */
static void test_reply_rekey(void **state)
{
	struct fixture *f = *state;

	f->cfg.rekey_time_s = 600;
	f->cfg.rekey_method = CFG_REKEY_SSL;
	f->r.rekey_in_place = true;
	assert_int_equal(render(f), 0);
	assert_line(f, "X-CSTP-Rekey-Time: 31536000");
	assert_line(f, "X-CSTP-Rekey-Method: ssl");

	f->r.rekey_in_place = false; /* TLS 1.2: no renegotiation, a new tunnel instead */
	assert_int_equal(render(f), 0);
	assert_line(f, "X-CSTP-Rekey-Time: 600");
	assert_line(f, "X-CSTP-Rekey-Method: new-tunnel");
	assert_null(strstr(f->text, "Rekey-Method: ssl"));
}

static void test_reply_same_lease_identical(void **state)
{
	struct fixture *f = *state;
	char first[8192];

	assert_int_equal(render(f), 0);
	memcpy(first, f->text, sizeof(first));
	assert_int_equal(render(f), 0);
	assert_string_equal(first, f->text);
}

/* Each injected value must be refused and leave the buffer as it was. */
static void test_reply_crlf_refused(void **state)
{
	struct fixture *f = *state;
	static const char *const evil[] = {"a\r\nX-Evil: 1", "a\nb", "a\rb", "a\001b", "a\x7f"};

	for (size_t i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
		char *saved_dd = f->cfg.default_domain, *saved_b = f->cfg.banner;
		char *saved_sd = f->split_dns[0], *saved_dns = f->dns[0];

		for (int which = 0; which < 4; which++) {
			f->cfg.default_domain = which == 0 ? (char *)evil[i] : saved_dd;
			f->cfg.banner = which == 1 ? (char *)evil[i] : saved_b;
			f->split_dns[0] = which == 2 ? (char *)evil[i] : saved_sd;
			f->dns[0] = which == 3 ? (char *)evil[i] : saved_dns;
			buf_reset(&f->out, 0);
			assert_int_equal(buf_append(&f->out, "keep", 4), 0);
			assert_int_equal(cstp_reply_render(&f->out, &f->r), -EINVAL);
			assert_int_equal(buf_used(&f->out), 4);
			assert_memory_equal(buf_head(&f->out), "keep", 4);
		}
		f->cfg.default_domain = saved_dd;
		f->cfg.banner = saved_b;
		f->split_dns[0] = saved_sd;
		f->dns[0] = saved_dns;
	}
	/* a tab is allowed in a banner */
	f->cfg.banner = "a\tb";
	assert_int_equal(render(f), 0);
	/* hostname filled in by hand, bypassing the parser */
	snprintf(f->req.hostname, sizeof(f->req.hostname), "x\r\nX-Evil: 1");
	assert_int_equal(render(f), -EINVAL);
}

static void test_reply_bad_values(void **state)
{
	struct fixture *f = *state;

	f->r.data_mtu = 0;
	assert_int_equal(render(f), -EINVAL);
	f->r.data_mtu = 1434;

	f->r.v6_prefix = 129;
	assert_int_equal(render(f), -EINVAL);
	f->r.v6_prefix = 128;
	assert_int_equal(render(f), 0);
	assert_line(f, "X-CSTP-Address-IP6: 2001:db8:1::5/128");

	f->routes[1].prefix_len = 33;
	assert_int_equal(render(f), -EINVAL);
	f->routes[1].prefix_len = 32;
	assert_int_equal(render(f), 0);
	assert_line(f, "X-CSTP-Split-Include: 198.19.0.0/255.255.255.255");
	f->routes[1].prefix_len = 0;
	assert_int_equal(render(f), 0);
	assert_line(f, "X-CSTP-Split-Include: 0.0.0.0/0.0.0.0");

	f->routes[2].prefix_len = 129;
	assert_int_equal(render(f), -EINVAL);
	f->routes[2].prefix_len = 20; /* 2001:0db8:: masked in the middle of a byte */
	assert_int_equal(render(f), 0);
	assert_line(f, "X-CSTP-Split-Include-IP6: 2001::/20");
	f->routes[2].prefix_len = 13;
	assert_int_equal(render(f), 0);
	assert_line(f, "X-CSTP-Split-Include-IP6: 2000::/13");

	f->routes[2].family = 12345;
	assert_int_equal(render(f), -EINVAL);
	f->routes[2].family = AF_INET6;

	f->dns[1] = "dns.example";
	assert_int_equal(render(f), -EINVAL);
	f->dns[1] = "2001:db8::53";

	f->r.cfg = nullptr;
	assert_int_equal(render(f), -EINVAL);
}

static void test_reply_too_big(void **state)
{
	struct fixture *f = *state;
	size_t full;

	assert_int_equal(render(f), 0);
	full = buf_used(&f->out);
	for (size_t max = full - 1; max + 40 > full; max--) {
		struct buf small;

		buf_init(&small, max);
		assert_int_equal(cstp_reply_render(&small, &f->r), -E2BIG);
		assert_int_equal(buf_used(&small), 0);
		buf_fini(&small);
	}
	/* +1: the renderer needs room for vsnprintf's NUL */
	struct buf exact;

	buf_init(&exact, full + 1);
	assert_int_equal(cstp_reply_render(&exact, &f->r), 0);
	assert_int_equal(buf_used(&exact), full);
	buf_fini(&exact);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_defaults),
		cmocka_unit_test(test_request_openconnect),
		cmocka_unit_test(test_request_table),
		cmocka_unit_test(test_request_hostname),
		cmocka_unit_test(test_request_ciphers),
		cmocka_unit_test_setup_teardown(test_reply_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_legacy_ipv6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_anyconnect_dns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_default_route, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_families, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_timers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_rekey, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_same_lease_identical, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_crlf_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_bad_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_too_big, setup, teardown),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
