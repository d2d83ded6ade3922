// SPDX-License-Identifier: GPL-2.0-or-later
/* tunnel/cstp_headers.c — X-CSTP-* request parsing and the "200 CONNECTED" response head
 * (anyconnect-protocol.md §3.2–3.5). X-DTLS-* reply headers are left to the DTLS code, which
 * plugs into reply_dtls() below. */
#include "tunnel/cstp_headers.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "core/compiler.h"

/* ---- request ---------------------------------------------------------------------------- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int hex_val(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool iprefix(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* Decimal 1..max, surrounding blanks allowed; 0 for anything else. */
static unsigned parse_uint(const char *s, unsigned max)
{
	unsigned long v = 0;
	bool any = false;

	while (*s == ' ' || *s == '\t')
		s++;
	for (; is_digit(*s); s++) {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return 0;
		any = true;
	}
	while (*s == ' ' || *s == '\t')
		s++;
	if (!any || *s)
		return 0;
	return (unsigned)v;
}

/* "IPv6,IPv4" → families; §3.2. */
static void parse_address_type(const char *s, struct cstp_request *out)
{
	bool v4 = false, v6 = false;

	while (*s) {
		size_t n;

		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		n = strcspn(s, ", \t");
		if (n == 4 && strncasecmp(s, "IPv4", 4) == 0)
			v4 = true;
		else if (n == 4 && strncasecmp(s, "IPv6", 4) == 0)
			v6 = true;
		s += n;
	}
	if (!v4 && !v6) /* nothing we know: behave as if absent rather than send no address */
		v4 = v6 = true;
	out->want_v4 = v4;
	out->want_v6 = v6;
}

/* The label before the first '.', strictly: it reaches scripts and DDNS (§8.1). */
static void parse_hostname(const char *s, char out[CSTP_HOSTNAME_MAX + 1])
{
	size_t n = strcspn(s, ".");

	out[0] = '\0';
	if (n == 0 || n > CSTP_HOSTNAME_MAX || s[0] == '-' || s[n - 1] == '-')
		return;
	for (size_t i = 0; i < n; i++) {
		if (!is_alpha(s[i]) && !is_digit(s[i]) && s[i] != '-')
			return;
	}
	memcpy(out, s, n);
	out[n] = '\0';
}

static bool cipher_char_ok(char c)
{
	return is_alpha(c) || is_digit(c) || c == '-' || c == '_' || c == ':' || c == '.' ||
	       c == '+';
}

/* Colon-separated suite names; cut after the last whole name that fits. */
static void parse_ciphers(const char *s, char out[CSTP_CIPHERS_MAX + 1])
{
	size_t n = strlen(s);

	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (!cipher_char_ok(s[i]))
			return;
	}
	if (n > CSTP_CIPHERS_MAX) {
		n = CSTP_CIPHERS_MAX;
		if (s[n] != ':') {
			while (n > 0 && s[n - 1] != ':')
				n--;
		}
		while (n > 0 && s[n - 1] == ':')
			n--;
	}
	memcpy(out, s, n);
	out[n] = '\0';
}

static void parse_master_secret(const char *s, struct cstp_request *out)
{
	out->has_master_secret = false;
	if (strlen(s) != 2 * CSTP_MASTER_SECRET_LEN)
		goto bad;
	for (size_t i = 0; i < CSTP_MASTER_SECRET_LEN; i++) {
		int hi = hex_val(s[2 * i]), lo = hex_val(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			goto bad;
		out->master_secret[i] = (uint8_t)(hi << 4 | lo);
	}
	out->has_master_secret = true;
	return;
bad:
	explicit_bzero(out->master_secret, sizeof(out->master_secret));
}

static bool is_mobile_platform(const char *s)
{
	return iprefix(s, "android") || iprefix(s, "apple-ios");
}

void cstp_request_parse(const struct cstp_hdr_kv *h, size_t n, struct cstp_request *out)
{
	bool mobile_platform = false, mobile_license = false;

	*out = (struct cstp_request){.want_v4 = true, .want_v6 = true};
	for (size_t i = 0; i < n; i++) {
		const char *name = h[i].name, *v = h[i].value;

		if (!name || !v)
			continue;
		if (!strcasecmp(name, "X-CSTP-Base-MTU"))
			out->base_mtu = parse_uint(v, UINT16_MAX);
		else if (!strcasecmp(name, "X-CSTP-MTU"))
			out->mtu = parse_uint(v, UINT16_MAX);
		else if (!strcasecmp(name, "X-CSTP-Address-Type"))
			parse_address_type(v, out);
		else if (!strcasecmp(name, "X-CSTP-Full-IPv6-Capability"))
			out->full_ipv6 = !strcasecmp(v, "true");
		else if (!strcasecmp(name, "X-CSTP-Hostname"))
			parse_hostname(v, out->hostname);
		else if (!strcasecmp(name, "X-AnyConnect-Identifier-Platform") ||
			 !strcasecmp(name, "X-AnyConnect-Identifier-DeviceType"))
			mobile_platform |= is_mobile_platform(v);
		else if (!strcasecmp(name, "X-CSTP-License"))
			mobile_license = !strcasecmp(v, "mobile");
		else if (!strcasecmp(name, "X-DTLS-CipherSuite"))
			parse_ciphers(v, out->dtls_ciphersuite);
		else if (!strcasecmp(name, "X-DTLS12-CipherSuite"))
			parse_ciphers(v, out->dtls12_ciphersuite);
		else if (!strcasecmp(name, "X-DTLS-Master-Secret"))
			parse_master_secret(v, out);
	}
	out->mobile = mobile_platform || mobile_license;
}

/* ---- reply ------------------------------------------------------------------------------ */

enum {
	/* "disabled" rekey as ocserv >= 1.5.1 says it: one year, not UINT_MAX (§6.6) */
	CSTP_REKEY_NEVER_S = 31536000,
};

/* A header value may hold printable text and tabs only: no CR/LF/NUL-smuggled lines. */
static bool value_ok(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return false;
	}
	return true;
}

[[gnu::format(printf, 2, 3)]] static int put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, ret;

	va_start(ap, fmt);
	n = vsnprintf(nullptr, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	ret = buf_reserve(b, (size_t)n + 1);
	if (ret)
		return ret;
	va_start(ap, fmt);
	vsnprintf((char *)buf_tail(b), (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n; /* the NUL stays outside the content */
	return 0;
}

/* name: value, for a value from config or client. */
static int put_str(struct buf *b, const char *name, const char *value)
{
	if (!value_ok(value))
		return -EINVAL;
	return put(b, "%s: %s\r\n", name, value);
}

static int put_uint_or_none(struct buf *b, const char *name, unsigned v)
{
	if (!v)
		return put(b, "%s: none\r\n", name);
	return put(b, "%s: %u\r\n", name, v);
}

static void ntop4(struct in_addr a, char s[INET_ADDRSTRLEN])
{
	inet_ntop(AF_INET, &a, s, INET_ADDRSTRLEN);
}

static void ntop6(const struct in6_addr *a, char s[INET6_ADDRSTRLEN])
{
	inet_ntop(AF_INET6, a, s, INET6_ADDRSTRLEN);
}

static struct in_addr mask4(unsigned prefix)
{
	return (struct in_addr){.s_addr = prefix ? htonl(UINT32_MAX << (32 - prefix)) : 0};
}

static struct in6_addr net6(const struct in6_addr *a, unsigned prefix)
{
	struct in6_addr n = *a;

	for (unsigned i = 0; i < 16; i++) {
		unsigned keep = prefix >= 8 * (i + 1) ? 8 : (prefix > 8 * i ? prefix - 8 * i : 0);

		n.s6_addr[i] &= (uint8_t)(0xff00u >> keep);
	}
	return n;
}

/* Which families the client actually gets (§3.2 X-CSTP-Address-Type). */
struct reply_plan {
	bool v4, v6, full_ipv6, full_tunnel, mobile;
};

static int reply_addresses(struct buf *b, const struct cstp_reply *r, const struct reply_plan *p)
{
	char a[INET6_ADDRSTRLEN], m[INET_ADDRSTRLEN];
	int ret;

	if (p->v4) {
		ntop4(r->v4, a);
		ntop4(r->v4_netmask, m);
		ret = put(b, "X-CSTP-Address: %s\r\nX-CSTP-Netmask: %s\r\n", a, m);
		if (ret)
			return ret;
	}
	if (p->v6) {
		ntop6(&r->v6, a);
		if (p->full_ipv6)
			return put(b, "X-CSTP-Address-IP6: %s/%u\r\n", a, r->v6_prefix);
		/* legacy form: a ':' in X-CSTP-Address means IPv6 to openconnect */
		return put(b, "X-CSTP-Address: %s\r\nX-CSTP-Netmask: %s/%u\r\n", a, a,
			   r->v6_prefix);
	}
	return 0;
}

static int reply_dns(struct buf *b, const struct cstp_reply *r, const struct reply_plan *p)
{
	const struct config *cfg = r->cfg;
	int ret;

	for (size_t i = 0; i < cfg->dns.len; i++) {
		const char *s = cfg->dns.items[i];
		char a[INET6_ADDRSTRLEN];
		struct in6_addr v6;
		struct in_addr v4;

		/* Printed from the parsed address, so nothing but an address reaches the wire. */
		if (inet_pton(AF_INET, s, &v4) == 1) {
			if (!p->v4)
				continue;
			ntop4(v4, a);
			ret = put(b, "X-CSTP-DNS: %s\r\n", a);
		} else if (inet_pton(AF_INET6, s, &v6) == 1) {
			if (!p->v6 || !p->full_ipv6)
				continue;
			ntop6(&v6, a);
			ret = put(b, "%s: %s\r\n",
				  r->anyconnect_ua ? "X-CSTP-DNS-IP6" : "X-CSTP-DNS", a);
		} else {
			ret = -EINVAL;
		}
		if (ret)
			return ret;
	}
	if (cfg->default_domain && cfg->default_domain[0]) {
		ret = put_str(b, "X-CSTP-Default-Domain", cfg->default_domain);
		if (ret)
			return ret;
	}
	for (size_t i = 0; i < cfg->split_dns.len; i++) {
		ret = put_str(b, "X-CSTP-Split-DNS", cfg->split_dns.items[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/* One route as net/dotted-mask (IPv4) or net/prefix (IPv6), host bits cleared. */
static int put_route(struct buf *b, const char *name4, const char *name6,
		     const struct cfg_prefix *rt, const struct reply_plan *p)
{
	char a[INET6_ADDRSTRLEN], m[INET_ADDRSTRLEN];

	if (rt->family == AF_INET) {
		struct in_addr mask, net;

		if (rt->prefix_len > 32)
			return -EINVAL;
		if (!p->v4)
			return 0;
		mask = mask4(rt->prefix_len);
		net.s_addr = rt->addr.v4.s_addr & mask.s_addr;
		ntop4(net, a);
		ntop4(mask, m);
		return put(b, "%s: %s/%s\r\n", name4, a, m);
	}
	if (rt->family == AF_INET6) {
		struct in6_addr net;

		if (rt->prefix_len > 128)
			return -EINVAL;
		/* Without Full-IPv6-Capability IPv6 routes are dropped, as ocserv does (§3.2). */
		if (!p->v6 || !p->full_ipv6)
			return 0;
		net = net6(&rt->addr.v6, rt->prefix_len);
		ntop6(&net, a);
		return put(b, "%s: %s/%u\r\n", name6, a, rt->prefix_len);
	}
	return -EINVAL;
}

static int reply_routes(struct buf *b, const struct cstp_reply *r, const struct reply_plan *p)
{
	const struct config *cfg = r->cfg;
	int ret;

	/* No includes at all means "everything through the tunnel". */
	for (size_t i = 0; !p->full_tunnel && i < cfg->routes.len; i++) {
		ret = put_route(b, "X-CSTP-Split-Include", "X-CSTP-Split-Include-IP6",
				&cfg->routes.items[i], p);
		if (ret)
			return ret;
	}
	for (size_t i = 0; i < cfg->no_routes.len; i++) {
		ret = put_route(b, "X-CSTP-Split-Exclude", "X-CSTP-Split-Exclude-IP6",
				&cfg->no_routes.items[i], p);
		if (ret)
			return ret;
	}
	return put(b, "X-CSTP-Tunnel-All-DNS: %s\r\n",
		   cfg->tunnel_all_dns || p->full_tunnel ? "true" : "false");
}

static int reply_timers(struct buf *b, const struct cstp_reply *r, const struct reply_plan *p)
{
	const struct config *cfg = r->cfg;
	unsigned dpd = cfg->dpd_s, idle = cfg->idle_timeout_s;
	unsigned rekey = cfg->rekey_time_s ? cfg->rekey_time_s : CSTP_REKEY_NEVER_S;
	int ret;

	if (p->mobile && cfg->mobile_dpd_s)
		dpd = cfg->mobile_dpd_s;
	if (p->mobile && cfg->mobile_idle_timeout_s)
		idle = cfg->mobile_idle_timeout_s;
	if (cfg->keepalive_s) {
		ret = put(b, "X-CSTP-Keepalive: %u\r\n", cfg->keepalive_s);
		if (ret)
			return ret;
	}
	if (dpd) {
		ret = put(b, "X-CSTP-DPD: %u\r\n", dpd);
		if (ret)
			return ret;
	}
	ret = put_uint_or_none(b, "X-CSTP-Idle-Timeout", idle);
	if (!ret)
		ret = put_uint_or_none(b, "X-CSTP-Session-Timeout", r->session_timeout_s);
	if (!ret)
		ret = put_uint_or_none(b, "X-CSTP-Session-Timeout-Remaining",
				       r->session_remaining_s);
	if (ret)
		return ret;
	/* Never "none": Secure Client 5.1 refuses the tunnel (§3.3). "ssl" on TLS 1.3: the server
	 * sends KeyUpdates itself and tells the client "one year", as ocserv >= 1.5.1 does
	 * (openconnect's own TLS 1.3 rekey is unreliable). On TLS 1.2 the TLS layer never
	 * renegotiates, so "ssl" falls back to "new-tunnel" — ocserv's rule for a peer it cannot
	 * renegotiate with — and the client reconnects with its cookie at rekey-time (§6.6). */
	if (r->rekey_in_place)
		rekey = CSTP_REKEY_NEVER_S;
	return put(b,
		   "X-CSTP-Disconnected-Timeout: none\r\n"
		   "X-CSTP-Keep: true\r\n"
		   "X-CSTP-TCP-Keepalive: true\r\n"
		   "X-CSTP-License: accept\r\n"
		   "X-CSTP-Smartcard-Removal-Disconnect: true\r\n"
		   "X-CSTP-Rekey-Time: %u\r\n"
		   "X-CSTP-Rekey-Method: %s\r\n"
		   "X-CSTP-Client-Bypass-Protocol: false\r\n",
		   rekey, r->rekey_in_place ? "ssl" : "new-tunnel");
}

/* X-DTLS-* (Port, App-ID/Session-ID, CipherSuite, DPD, Keepalive, Rekey, MTU) belong here, from
 * the DTLS issue: without them openconnect silently stays on TLS (§3.4 item 7). */
static int reply_dtls(struct buf *b, const struct cstp_reply *r)
{
	const struct cstp_dtls_reply *d = r->dtls;
	const struct config *cfg = r->cfg;
	unsigned dpd =
		r->req && r->req->mobile && cfg->mobile_dpd_s ? cfg->mobile_dpd_s : cfg->dpd_s;
	unsigned rekey = cfg->rekey_time_s ? cfg->rekey_time_s : CSTP_REKEY_NEVER_S;
	char hex[65];
	int ret;

	if (!d || d->mode == CSTP_DTLS_NONE)
		return 0;
	for (size_t i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02X", d->id[i]);
	if (d->mode == CSTP_DTLS_PSK) {
		ret = put(b, "X-DTLS-App-ID: %s\r\nX-DTLS-CipherSuite: PSK-NEGOTIATE\r\n", hex);
	} else {
		if (!d->cipher_header || !d->cipher_name || !value_ok(d->cipher_name))
			return -EINVAL;
		ret = put(b, "X-DTLS-Session-ID: %s\r\n%s: %s\r\nX-DTLS-MTU: %u\r\n", hex,
			  d->cipher_header, d->cipher_name, d->dtls_mtu);
	}
	if (!ret)
		ret = put(b, "X-DTLS-Port: %u\r\n", d->port);
	if (!ret && cfg->keepalive_s)
		ret = put(b, "X-DTLS-Keepalive: %u\r\n", cfg->keepalive_s);
	if (!ret && dpd)
		ret = put(b, "X-DTLS-DPD: %u\r\n", dpd);
	/* As on CSTP: a new CONNECT (new-tunnel) brings a new DTLS key (§5.7). */
	if (!ret)
		ret = put(b, "X-DTLS-Rekey-Time: %u\r\nX-DTLS-Rekey-Method: new-tunnel\r\n", rekey);
	explicit_bzero(hex, sizeof(hex));
	return ret;
}

static int reply_render(struct buf *b, const struct cstp_reply *r, const struct reply_plan *p)
{
	const struct config *cfg = r->cfg;
	const struct cstp_request *req = r->req;
	int ret;

	ret = put(b, "HTTP/1.1 200 CONNECTED\r\n"
		     "X-CSTP-Version: 1\r\n"
		     "X-CSTP-Protocol: Copyright (c) 2004 Cisco Systems, Inc.\r\n"
		     "X-CSTP-Server-Name: ocserv-modern\r\n");
	if (!ret && req && req->hostname[0])
		ret = put_str(b, "X-CSTP-Hostname", req->hostname);
	if (!ret)
		ret = reply_addresses(b, r, p);
	if (!ret)
		ret = reply_dns(b, r, p);
	if (!ret)
		ret = reply_routes(b, r, p);
	if (!ret)
		ret = reply_timers(b, r, p);
	if (!ret && cfg->banner && cfg->banner[0])
		ret = put_str(b, "X-CSTP-Banner", cfg->banner);
	if (!ret)
		ret = reply_dtls(b, r);
	if (!ret)
		ret = put(b, "X-CSTP-Base-MTU: %u\r\nX-CSTP-MTU: %u\r\n\r\n", r->base_mtu,
			  r->data_mtu);
	return ret;
}

int cstp_reply_render(struct buf *out, const struct cstp_reply *r)
{
	const struct cstp_request *req = r->req;
	struct reply_plan p;
	size_t start = buf_used(out);
	int ret;

	if (!r->cfg || !r->data_mtu || (r->has_v6 && r->v6_prefix > 128))
		return -EINVAL;
	p = (struct reply_plan){
		.v4 = r->has_v4 && (!req || req->want_v4),
		.v6 = r->has_v6 && (!req || req->want_v6),
		.full_ipv6 = req && req->full_ipv6,
		.full_tunnel = r->cfg->route_default || r->cfg->routes.len == 0,
		.mobile = req && req->mobile,
	};
	if (!p.v4 && !p.v6)
		return -EINVAL; /* openconnect needs at least one address (§3.4) */
	ret = reply_render(out, r, &p);
	if (ret)
		out->len = out->off + start; /* all or nothing (buf_reserve may have compacted) */
	return ret;
}
