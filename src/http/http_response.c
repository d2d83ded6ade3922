// SPDX-License-Identifier: GPL-2.0-or-later
/* http/http_response.c — serialise one HTTP/1.1 response with Content-Length (reference §2.1).
 * Everything is validated before the first byte is written, so a bad header never leaves a
 * half response in the output buffer. */
#include "http/http.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

enum { STATUS_LINE_MAX = 64 };

static bool is_token(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		uint8_t c = (uint8_t)*s;

		if (c <= 0x20 || c >= 0x7f || strchr("()<>@,;:\\\"/[]?={}", c))
			return false;
	}
	return true;
}

/* Field values and the reason phrase: no CR, LF or other controls (HTAB allowed). */
static bool is_field_value(const char *s)
{
	for (; *s; s++) {
		uint8_t c = (uint8_t)*s;

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return false;
	}
	return true;
}

static int validate(const struct http_response *r)
{
	if (r->status < 100 || r->status > 999 || !r->reason || !is_field_value(r->reason))
		return -EINVAL;
	if (r->content_type && !is_field_value(r->content_type))
		return -EINVAL;
	if (r->n_headers && !r->headers)
		return -EINVAL;
	for (size_t i = 0; i < r->n_headers; i++) {
		const struct http_header *h = &r->headers[i];

		if (!h->name || !h->value || !is_token(h->name) || !is_field_value(h->value))
			return -EINVAL;
	}
	if (r->body_len && !r->body)
		return -EINVAL;
	return 0;
}

static int put_str(struct buf *out, const char *s)
{
	return buf_append(out, s, strlen(s));
}

static int put_header(struct buf *out, const char *name, const char *value)
{
	int ret;

	ret = put_str(out, name);
	if (!ret)
		ret = buf_append(out, ": ", 2);
	if (!ret)
		ret = put_str(out, value);
	if (!ret)
		ret = buf_append(out, "\r\n", 2);
	return ret;
}

static int write_all(struct buf *out, const struct http_response *r)
{
	char line[STATUS_LINE_MAX];
	int ret;

	snprintf(line, sizeof(line), "HTTP/1.1 %d ", r->status);
	ret = put_str(out, line);
	if (!ret)
		ret = put_str(out, r->reason);
	if (!ret)
		ret = buf_append(out, "\r\n", 2);
	if (!ret && r->content_type)
		ret = put_header(out, "Content-Type", r->content_type);
	for (size_t i = 0; !ret && i < r->n_headers; i++)
		ret = put_header(out, r->headers[i].name, r->headers[i].value);
	if (!ret) {
		snprintf(line, sizeof(line), "%zu", r->body_len);
		ret = put_header(out, "Content-Length", line);
	}
	if (!ret)
		ret = put_header(out, "Connection", r->close ? "close" : "Keep-Alive");
	if (!ret)
		ret = buf_append(out, "\r\n", 2);
	if (!ret && r->body_len)
		ret = buf_append(out, r->body, r->body_len);
	return ret;
}

int http_response_write(struct buf *out, const struct http_response *resp)
{
	size_t used = buf_used(out);
	int ret;

	ret = validate(resp);
	if (ret < 0)
		return ret;
	ret = write_all(out, resp);
	if (ret < 0)
		out->len =
			out->off + used; /* roll back a partial response (compaction keeps used) */
	return ret;
}
