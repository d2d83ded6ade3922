// SPDX-License-Identifier: GPL-2.0-or-later
/* http/form_auth.c — the legacy (non-XML) login POST, application/x-www-form-urlencoded
 * "username=..&password=..&group_list=.." (reference §2.12). Strict percent-decoding; the
 * decoded names are matched, so "group%5flist" is group_list as ocserv accepts. */
#include "http/http.h"

#include <errno.h>
#include <string.h>

enum { FORM_NAME_MAX = 64 };

enum form_field : uint8_t { FF_USERNAME, FF_PASSWORD, FF_GROUP, FF__COUNT };

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode s[0..len) into out (cap bytes, NUL-terminated). -EBADMSG on a bad escape, %00, a raw
 * control byte or space, or when it does not fit. */
static int form_decode(const uint8_t *s, size_t len, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		uint8_t c = s[i];

		if (c == '%') {
			int hi, lo;

			if (len - i < 3)
				return -EBADMSG;
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return -EBADMSG;
			c = (uint8_t)(hi << 4 | lo);
			i += 2;
		} else if (c == '+') {
			c = ' ';
		} else if (c <= 0x20 || c == 0x7f) {
			return -EBADMSG;
		}
		if (o + 1 >= cap)
			return -EBADMSG;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

static int form_field_from(const char *name)
{
	if (strcmp(name, "username") == 0)
		return FF_USERNAME;
	if (strcmp(name, "password") == 0 || strcmp(name, "secondary_password") == 0)
		return FF_PASSWORD;
	if (strcmp(name, "group_list") == 0)
		return FF_GROUP;
	return -ENOENT;
}

static int form_pair(const uint8_t *p, size_t n, struct xml_auth_msg *out, unsigned *seen)
{
	char name[FORM_NAME_MAX];
	const uint8_t *eq = memchr(p, '=', n);
	size_t nlen;
	int f, ret;

	if (!eq)
		return -EBADMSG;
	nlen = (size_t)(eq - p);
	if (nlen >= sizeof(name))
		return 0; /* even fully %-encoded, none of our names is this long: unknown */
	ret = form_decode(p, nlen, name, sizeof(name));
	if (ret < 0)
		return ret;
	f = form_field_from(name);
	if (f < 0)
		return 0;
	if (*seen & (1u << f))
		return -EBADMSG;
	*seen |= 1u << f;
	p = eq + 1;
	n -= nlen + 1;
	switch (f) {
	case FF_USERNAME:
		out->has_username = true;
		return form_decode(p, n, out->username, sizeof(out->username));
	case FF_PASSWORD:
		out->has_password = true;
		return form_decode(p, n, out->password, sizeof(out->password));
	default:
		return form_decode(p, n, out->group_select, sizeof(out->group_select));
	}
}

int form_auth_parse(const uint8_t *body, size_t len, struct xml_auth_msg *out)
{
	unsigned seen = 0;
	size_t i = 0;
	int ret = 0;

	*out = (struct xml_auth_msg){.type = XML_AUTH_REPLY};
	if (len > XML_AUTH_MAX_INPUT)
		return -E2BIG;
	while (i < len && !ret) {
		const uint8_t *amp = memchr(body + i, '&', len - i);
		size_t n = amp ? (size_t)(amp - (body + i)) : len - i;

		if (n)
			ret = form_pair(body + i, n, out, &seen);
		i += n + 1;
	}
	if (ret < 0)
		xml_auth_msg_wipe(out);
	return ret;
}
