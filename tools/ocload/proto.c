// SPDX-License-Identifier: GPL-2.0-or-later
/* tools/ocload/proto.c — the pure pieces of the client side of the protocol: HTTP response
 * heads, Set-Cookie, the few XML elements auth needs, hex, inner IPv4 ICMP/UDP packets.
 * No I/O and no state: fuzzed by tests/fuzz/fuzz_ocload_http.c. */
#include <errno.h>
#include <stdio.h>
#include <stdckdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ocload.h"

enum {
	IP4_HDR_LEN = 20,
	ICMP_HDR_LEN = 8,
	UDP_HDR_LEN = 8,
	STAMP_LEN = 8,
	HDR_NAME_MAX = 64,
};

/* memmem for a NUL-terminated needle. */
static const char *find(const char *hay, size_t len, const char *needle)
{
	return memmem(hay, len, needle, strlen(needle));
}

ssize_t ocl_http_parse(const char *buf, size_t len, size_t max, struct ocl_http_resp *r)
{
	const char *end, *p, *eol;
	char val[32], *vend;
	size_t total;
	unsigned long cl;

	*r = (struct ocl_http_resp){};
	end = find(buf, len, "\r\n\r\n");
	if (!end)
		return len >= max ? -E2BIG : -EAGAIN;
	r->hdr = buf;
	r->hdr_len = (size_t)(end - buf) + 4;
	/* "HTTP/1.x NNN " */
	if (r->hdr_len < 13 || memcmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ')
		return -EBADMSG;
	p = buf + 9;
	for (int i = 0; i < 3; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -EBADMSG;
		r->status = r->status * 10 + (unsigned)(p[i] - '0');
	}
	if (p[3] != ' ' && p[3] != '\r')
		return -EBADMSG;
	eol = find(buf, r->hdr_len, "\r\n");
	if (!eol)
		return -EBADMSG;
	if (ocl_http_header(r, "Transfer-Encoding", 0, val, sizeof(val)) != -ENOENT)
		return -EBADMSG; /* the server always sends Content-Length */
	switch (ocl_http_header(r, "Content-Length", 0, val, sizeof(val))) {
	case 0:
		errno = 0;
		cl = strtoul(val, &vend, 10);
		if (errno || vend == val || *vend || val[0] == '-')
			return -EBADMSG;
		if (cl > max)
			return -E2BIG;
		r->body_len = cl;
		break;
	case -ENOENT:
		break;
	default:
		return -EBADMSG;
	}
	if (ckd_add(&total, r->hdr_len, r->body_len) || total > max)
		return -E2BIG;
	if (len < total)
		return -EAGAIN;
	return (ssize_t)total;
}

int ocl_http_header(const struct ocl_http_resp *r, const char *name, unsigned n, char *out,
		    size_t out_len)
{
	size_t nlen = strlen(name);
	const char *p = r->hdr, *end = r->hdr + r->hdr_len;

	/* skip the status line */
	p = find(p, (size_t)(end - p), "\r\n");
	if (!p)
		return -ENOENT;
	p += 2;
	while (p < end) {
		const char *eol = find(p, (size_t)(end - p), "\r\n");
		const char *v;
		size_t vlen;

		if (!eol || eol == p)
			break;
		if ((size_t)(eol - p) > nlen && p[nlen] == ':' && !strncasecmp(p, name, nlen) &&
		    n-- == 0) {
			v = p + nlen + 1;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			vlen = (size_t)(eol - v);
			while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
				vlen--;
			if (vlen >= out_len)
				return -E2BIG;
			memcpy(out, v, vlen);
			out[vlen] = '\0';
			return 0;
		}
		p = eol + 2;
	}
	return -ENOENT;
}

int ocl_http_cookie(const struct ocl_http_resp *r, const char *name, char *out, size_t out_len)
{
	char line[1024];
	size_t nlen = strlen(name);
	int ret;

	for (unsigned i = 0;; i++) {
		ret = ocl_http_header(r, "Set-Cookie", i, line, sizeof(line));
		if (ret == -E2BIG)
			continue;
		if (ret)
			return ret;
		if (strncmp(line, name, nlen) != 0 || line[nlen] != '=')
			continue;
		const char *v = line + nlen + 1;
		size_t vlen = strcspn(v, ";");

		if (vlen == 0)
			continue; /* a deletion (webvpnc=; expires=…) */
		if (vlen >= out_len)
			return -E2BIG;
		memcpy(out, v, vlen);
		out[vlen] = '\0';
		return 0;
	}
}

/* The first "<tag" followed by '>', ' ' or '/' in xml; *gt points at its closing '>'. */
static const char *xml_start_tag(const char *xml, size_t len, const char *tag, const char **gt)
{
	char open[HDR_NAME_MAX + 2];
	const char *p = xml, *end = xml + len;
	size_t olen;

	olen = (size_t)snprintf(open, sizeof(open), "<%s", tag);
	if (olen >= sizeof(open))
		return nullptr;
	while (p < end && (p = find(p, (size_t)(end - p), open))) {
		const char *q = p + olen;

		if (q < end && (*q == '>' || *q == ' ' || *q == '/' || *q == '\t')) {
			*gt = memchr(q, '>', (size_t)(end - q));
			return *gt ? p : nullptr;
		}
		p = q;
	}
	return nullptr;
}

int ocl_xml_element(const char *xml, size_t len, const char *tag, bool whole, const char **out,
		    size_t *out_len)
{
	char close[HDR_NAME_MAX + 4];
	const char *start, *gt, *c, *end = xml + len;

	start = xml_start_tag(xml, len, tag, &gt);
	if (!start)
		return -ENOENT;
	if ((size_t)snprintf(close, sizeof(close), "</%s>", tag) >= sizeof(close))
		return -ENOENT;
	if (gt[-1] == '/') { /* <tag/> */
		*out = whole ? start : gt + 1;
		*out_len = whole ? (size_t)(gt + 1 - start) : 0;
		return 0;
	}
	c = find(gt + 1, (size_t)(end - gt - 1), close);
	if (!c)
		return -ENOENT;
	*out = whole ? start : gt + 1;
	*out_len = whole ? (size_t)(c + strlen(close) - start) : (size_t)(c - gt - 1);
	return 0;
}

int ocl_xml_attr(const char *xml, size_t len, const char *tag, const char *attr, char *out,
		 size_t out_len)
{
	char pat[HDR_NAME_MAX + 4];
	const char *start, *gt, *a, *v, *q;
	size_t vlen;

	start = xml_start_tag(xml, len, tag, &gt);
	if (!start)
		return -ENOENT;
	if ((size_t)snprintf(pat, sizeof(pat), " %s=\"", attr) >= sizeof(pat))
		return -ENOENT;
	a = find(start, (size_t)(gt - start), pat);
	if (!a)
		return -ENOENT;
	v = a + strlen(pat);
	q = memchr(v, '"', (size_t)(gt - v));
	if (!q)
		return -ENOENT;
	vlen = (size_t)(q - v);
	if (vlen >= out_len)
		return -E2BIG;
	memcpy(out, v, vlen);
	out[vlen] = '\0';
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

ssize_t ocl_hex_decode(const char *hex, uint8_t *out, size_t max)
{
	size_t n = strlen(hex);

	if (n == 0 || n % 2 || n / 2 > max)
		return -EINVAL;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (ssize_t)(n / 2);
}

uint16_t ocl_inet_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

size_t ocl_pkt_build(uint8_t *out, enum ocl_traffic t, struct in_addr src, struct in_addr dst,
		     uint16_t port, uint16_t ident, uint16_t seq, uint64_t stamp_ns, size_t payload)
{
	size_t l4 = (t == TRAFFIC_ICMP ? ICMP_HDR_LEN : UDP_HDR_LEN) + payload;
	size_t total = IP4_HDR_LEN + l4;
	uint8_t *ip = out, *h = out + IP4_HDR_LEN, *data = h + (l4 - payload);

	memset(out, 0, total);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)total);
	put16(ip + 4, seq);
	ip[6] = 0x40; /* DF */
	ip[8] = 64;
	ip[9] = t == TRAFFIC_ICMP ? 1 : 17;
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	put16(ip + 10, ocl_inet_csum(ip, IP4_HDR_LEN));
	for (size_t i = 0; i < payload; i++)
		data[i] = (uint8_t)(i < STAMP_LEN ? stamp_ns >> (8 * i) : 0x5a);
	if (t == TRAFFIC_ICMP) {
		h[0] = 8; /* echo request */
		put16(h + 4, ident);
		put16(h + 6, seq);
		put16(h + 2, ocl_inet_csum(h, l4));
	} else {
		put16(h, (uint16_t)(40000 + ident % 20000));
		put16(h + 2, port);
		put16(h + 4, (uint16_t)l4);
		/* checksum 0: none (allowed for UDP over IPv4) */
	}
	return total;
}

int ocl_pkt_echo_reply(const uint8_t *pkt, size_t len, struct in_addr me, uint16_t ident,
		       uint16_t *seq, uint64_t *stamp_ns)
{
	size_t ihl, tot;
	const uint8_t *h;

	if (len < IP4_HDR_LEN || pkt[0] >> 4 != 4)
		return -EINVAL;
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	tot = get16(pkt + 2);
	if (ihl < IP4_HDR_LEN || tot > len || tot < ihl + ICMP_HDR_LEN || pkt[9] != 1 ||
	    memcmp(pkt + 16, &me, 4) != 0)
		return -EINVAL;
	h = pkt + ihl;
	if (h[0] != 0 || h[1] != 0 || get16(h + 4) != ident)
		return -EINVAL;
	if (ocl_inet_csum(h, tot - ihl) != 0)
		return -EINVAL;
	*seq = get16(h + 6);
	*stamp_ns = 0;
	if (tot - ihl >= ICMP_HDR_LEN + STAMP_LEN)
		for (size_t i = 0; i < STAMP_LEN; i++)
			*stamp_ns |= (uint64_t)h[ICMP_HDR_LEN + i] << (8 * i);
	return 0;
}
