// SPDX-License-Identifier: GPL-2.0-or-later
/* sentry/addr.c — struct sentry_addr: from sockaddrs, text, masking and containment. Pure. */
#include "sentry/sentry.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static unsigned addr_bits(uint8_t family)
{
	return family == AF_INET ? 32 : 128;
}

static void mask_bytes(uint8_t bytes[16], unsigned prefix_len)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned bit = i * 8;

		if (bit >= prefix_len)
			bytes[i] = 0;
		else if (prefix_len - bit < 8)
			bytes[i] &= (uint8_t)(0xff00u >> (prefix_len - bit));
	}
}

struct sentry_addr sentry_addr_masked(const struct sentry_addr *a, unsigned prefix_len)
{
	struct sentry_addr m = *a;

	if (prefix_len < m.prefix_len)
		m.prefix_len = (uint8_t)prefix_len;
	mask_bytes(m.bytes, m.prefix_len);
	return m;
}

bool sentry_addr_contains(const struct sentry_addr *p, const struct sentry_addr *a)
{
	struct sentry_addr m;

	if (p->family != a->family || a->prefix_len < p->prefix_len)
		return false;
	m = sentry_addr_masked(a, p->prefix_len);
	return memcmp(m.bytes, p->bytes, sizeof(m.bytes)) == 0;
}

int sentry_addr_from_sockaddr(const struct sockaddr *sa, socklen_t len, struct sentry_addr *out)
{
	static const uint8_t v4mapped[12] = {[10] = 0xff, [11] = 0xff};

	*out = (struct sentry_addr){};
	if (len < (socklen_t)sizeof(sa_family_t))
		return -EINVAL;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		if (len < (socklen_t)sizeof(*in))
			return -EINVAL;
		out->family = AF_INET;
		out->prefix_len = 32;
		memcpy(out->bytes, &in->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		const uint8_t *b = in6->sin6_addr.s6_addr;

		if (len < (socklen_t)sizeof(*in6))
			return -EINVAL;
		if (memcmp(b, v4mapped, sizeof(v4mapped)) == 0) {
			/* dual-stack socket: score the IPv4 client as IPv4 */
			out->family = AF_INET;
			out->prefix_len = 32;
			memcpy(out->bytes, b + 12, 4);
			return 0;
		}
		out->family = AF_INET6;
		out->prefix_len = 128;
		memcpy(out->bytes, b, 16);
		return 0;
	}
	return -EAFNOSUPPORT;
}

int sentry_addr_parse(const char *text, struct sentry_addr *out)
{
	char host[INET6_ADDRSTRLEN];
	const char *slash = strchr(text, '/');
	size_t hlen = slash ? (size_t)(slash - text) : strlen(text);
	unsigned long plen;

	*out = (struct sentry_addr){};
	if (hlen == 0 || hlen >= sizeof(host))
		return -EINVAL;
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	if (inet_pton(AF_INET, host, out->bytes) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, host, out->bytes) == 1)
		out->family = AF_INET6;
	else
		return -EINVAL;
	plen = addr_bits(out->family);
	if (slash) {
		const char *p = slash + 1;
		unsigned long v = 0;

		/* digits only: strtoul would accept " 8", "+8" and "-8" */
		if (*p == '\0' || strlen(p) > 3)
			goto bad;
		for (; *p; p++) {
			if (*p < '0' || *p > '9')
				goto bad;
			v = v * 10 + (unsigned long)(*p - '0');
		}
		if (v > plen)
			goto bad;
		plen = v;
	}
	out->prefix_len = (uint8_t)plen;
	mask_bytes(out->bytes, out->prefix_len);
	return 0;
bad:
	*out = (struct sentry_addr){};
	return -EINVAL;
}

void sentry_addr_format(const struct sentry_addr *a, char out[SENTRY_ADDR_STRLEN])
{
	char host[INET6_ADDRSTRLEN];
	int af = a->family == AF_INET ? AF_INET : AF_INET6;

	if ((a->family != AF_INET && a->family != AF_INET6) ||
	    !inet_ntop(af, a->bytes, host, sizeof(host))) {
		snprintf(out, SENTRY_ADDR_STRLEN, "(unknown)");
		return;
	}
	if (a->prefix_len == addr_bits(a->family))
		snprintf(out, SENTRY_ADDR_STRLEN, "%s", host);
	else
		snprintf(out, SENTRY_ADDR_STRLEN, "%s/%u", host, a->prefix_len);
}
