// SPDX-License-Identifier: GPL-2.0-or-later
/* config/conf_value.c — value parsers for config keys: numbers, booleans, addresses, prefixes,
 * DNS names. Pure functions; the caller adds file:line and the key to the reason they give. */
#include "config/conf_priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdckdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int conf_uint_parse(const char *s, unsigned min, unsigned max, unsigned *out, char *why,
		    size_t why_len)
{
	unsigned long long v = 0;
	const char *p = s;

	if (*p == '\0') {
		snprintf(why, why_len, "\"%.64s\" is not a number", s);
		return -EINVAL;
	}
	for (; *p; p++) {
		if (*p < '0' || *p > '9') {
			snprintf(why, why_len, "\"%.64s\" is not a number", s);
			return -EINVAL;
		}
		v = v * 10 + (unsigned)(*p - '0');
		if (v > max)
			break; /* keep v bounded: no overflow on long digit strings */
	}
	for (; *p; p++) {
		if (*p < '0' || *p > '9') {
			snprintf(why, why_len, "\"%.64s\" is not a number", s);
			return -EINVAL;
		}
	}
	if (v < min || v > max) {
		snprintf(why, why_len, "\"%.64s\" is out of range %u..%u", s, min, max);
		return -EINVAL;
	}
	*out = (unsigned)v;
	return 0;
}

int conf_bool_parse(const char *s, bool *out, char *why, size_t why_len)
{
	if (!strcasecmp(s, "true") || !strcasecmp(s, "yes")) {
		*out = true;
		return 0;
	}
	if (!strcasecmp(s, "false") || !strcasecmp(s, "no")) {
		*out = false;
		return 0;
	}
	snprintf(why, why_len, "\"%.64s\" is not a boolean (true or false)", s);
	return -EINVAL;
}

int conf_netmask4_parse(const char *s, unsigned *len, char *why, size_t why_len)
{
	struct in_addr a;
	uint32_t m;
	unsigned n = 0;

	if (inet_pton(AF_INET, s, &a) != 1) {
		snprintf(why, why_len, "\"%.64s\" is not an IPv4 netmask", s);
		return -EINVAL;
	}
	m = ntohl(a.s_addr);
	while (n < 32 && (m & (UINT32_C(1) << (31 - n))))
		n++;
	if (n < 32 && (m << n) != 0) {
		snprintf(why, why_len, "\"%.64s\" is not a contiguous netmask", s);
		return -EINVAL;
	}
	*len = n;
	return 0;
}

/* Zeroes the host bits of p into net; true if p had any set. */
static bool host_bits_set(const struct cfg_prefix *p, struct cfg_prefix *net)
{
	const uint8_t *src =
		p->family == AF_INET ? (const uint8_t *)&p->addr.v4 : (const uint8_t *)&p->addr.v6;
	uint8_t *dst = p->family == AF_INET ? (uint8_t *)&net->addr.v4 : (uint8_t *)&net->addr.v6;
	unsigned bytes = p->family == AF_INET ? 4 : 16;
	bool set = false;

	*net = *p;
	for (unsigned i = 0; i < bytes; i++) {
		unsigned keep = p->prefix_len > i * 8 ? p->prefix_len - i * 8 : 0;
		uint8_t mask = keep >= 8 ? 0xff : (uint8_t)(0xff00u >> keep);

		if (src[i] & ~mask)
			set = true;
		dst[i] = src[i] & mask;
	}
	return set;
}

void conf_prefix_format(const struct cfg_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(p->family, &p->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, p->prefix_len);
}

int conf_prefix_parse(const char *s, int family, struct cfg_prefix *out, bool *has_len, char *why,
		      size_t why_len)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	struct cfg_prefix p = {};
	struct cfg_prefix net;
	unsigned max;

	if (alen == 0 || alen >= sizeof(addr))
		goto bad;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if ((family == 0 || family == AF_INET) && inet_pton(AF_INET, addr, &p.addr.v4) == 1)
		p.family = AF_INET;
	else if ((family == 0 || family == AF_INET6) && inet_pton(AF_INET6, addr, &p.addr.v6) == 1)
		p.family = AF_INET6;
	else
		goto bad;
	max = p.family == AF_INET ? 32 : 128;
	*has_len = slash != nullptr;
	if (!slash) {
		p.prefix_len = max;
	} else if (p.family == AF_INET && strchr(slash + 1, '.')) {
		if (conf_netmask4_parse(slash + 1, &p.prefix_len, why, why_len) < 0)
			return -EINVAL;
	} else {
		char lwhy[CONF_WHY_LEN];

		if (conf_uint_parse(slash + 1, 0, max, &p.prefix_len, lwhy, sizeof(lwhy)) < 0) {
			snprintf(why, why_len, "\"%.64s\": prefix length must be 0..%u", s, max);
			return -EINVAL;
		}
	}
	if (host_bits_set(&p, &net)) {
		char fixed[INET6_ADDRSTRLEN + 8];

		conf_prefix_format(&net, fixed, sizeof(fixed));
		snprintf(why, why_len, "\"%.64s\" has host bits set (network is %s)", s, fixed);
		return -EINVAL;
	}
	*out = p;
	return 0;
bad:
	snprintf(why, why_len, "\"%.64s\" is not %s", s,
		 family == AF_INET    ? "an IPv4 address or prefix"
		 : family == AF_INET6 ? "an IPv6 address or prefix"
				      : "an IP address or prefix");
	return -EINVAL;
}

bool conf_ip_is_literal(const char *s)
{
	struct in6_addr a;

	return inet_pton(AF_INET, s, &a) == 1 || inet_pton(AF_INET6, s, &a) == 1;
}

bool conf_dns_name_is_valid(const char *s, bool underscore)
{
	size_t len = strlen(s), label = 0;

	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || (underscore && c == '_')))
			return false;
		if (c == '-' && label == 0)
			return false;
		if (++label > 63)
			return false;
	}
	return s[len - 1] != '-';
}

bool conf_hostport_is_valid(const char *s)
{
	char host[256];
	const char *colon;
	size_t hlen;
	unsigned port;
	char why[CONF_WHY_LEN];

	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		struct in6_addr a;

		if (!end || end[1] != ':')
			return false;
		hlen = (size_t)(end - s - 1);
		if (hlen == 0 || hlen >= sizeof(host))
			return false;
		memcpy(host, s + 1, hlen);
		host[hlen] = '\0';
		if (inet_pton(AF_INET6, host, &a) != 1)
			return false;
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return false;
		hlen = (size_t)(colon - s);
		if (hlen == 0 || hlen >= sizeof(host))
			return false;
		memcpy(host, s, hlen);
		host[hlen] = '\0';
		if (strchr(host, ':'))
			return false; /* IPv6 needs brackets */
		if (!conf_ip_is_literal(host) && !conf_dns_name_is_valid(host, false))
			return false;
	}
	return conf_uint_parse(colon + 1, 1, 65535, &port, why, sizeof(why)) == 0;
}

int conf_list_grow(void **items, size_t len, size_t size, char *why, size_t why_len)
{
	size_t bytes;
	void *n;

	if (len >= CONF_LIST_MAX) {
		snprintf(why, why_len, "too many entries (max %d)", CONF_LIST_MAX);
		return -EINVAL;
	}
	if (ckd_mul(&bytes, len + 1, size))
		return -ENOMEM;
	n = realloc(*items, bytes);
	if (!n)
		return -ENOMEM;
	*items = n;
	return 0;
}

int conf_strlist_add(struct cfg_strlist *l, const char *value, char *why, size_t why_len)
{
	char *copy;
	int ret;

	ret = conf_list_grow((void **)&l->items, l->len, sizeof(*l->items), why, why_len);
	if (ret < 0)
		return ret;
	copy = strdup(value);
	if (!copy)
		return -ENOMEM;
	l->items[l->len++] = copy;
	return 0;
}

int conf_store_str(void *field, const char *value)
{
	char *copy;

	if (!field)
		return 0;
	copy = strdup(value);
	if (!copy)
		return -ENOMEM;
	free(*(char **)field); /* a default such as device "vpns" */
	*(char **)field = copy;
	return 0;
}
