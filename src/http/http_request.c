// SPDX-License-Identifier: GPL-2.0-or-later
/* http/http_request.c — parse one HTTP/1.x request (request line, headers, Content-Length body)
 * from a byte buffer, strictly (reference §2.1, §8.1: no chunked bodies, no pipelining surprises),
 * plus header and Cookie lookups. Pure: fuzzed as is (tests/fuzz/fuzz_http_request.c). */
#include "http/http.h"

#include <errno.h>
#include <stdckdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/compiler.h"
#include "core/log.h"

enum { CL_MAX_DIGITS = 18 }; /* 10^18 fits in size_t; larger is refused, not wrapped */

/* RFC 9110 tchar: the characters allowed in a method or a header name. */
static bool is_tchar(uint8_t c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* Find the end of the header block ("\r\n\r\n"), validating line endings and NULs on the way,
 * resuming at p->scanned: every byte is examined once however the input is split. Returns the
 * block length (> 0), -EAGAIN, -EBADMSG or -E2BIG; p->n_lines counts CRLFs. */
static ssize_t header_block_end(struct http_parser *p, const uint8_t *data, size_t len,
				const struct http_limits *lim)
{
	size_t scan = len < lim->max_header_bytes ? len : lim->max_header_bytes;
	size_t i;

	for (i = p->scanned; i < scan; i++) {
		uint8_t c = data[i];

		if (c == 0)
			return -EBADMSG;
		if (c == '\r') {
			if (i + 1 >= len)
				break; /* is it followed by LF? Look again with more input */
			if (data[i + 1] != '\n')
				return -EBADMSG; /* bare CR */
			continue;
		}
		if (c != '\n')
			continue;
		if (i == 0 || data[i - 1] != '\r')
			return -EBADMSG; /* bare LF */
		if (i >= 3 && data[i - 2] == '\n')
			return (ssize_t)(i + 1);
		/* request line + max_headers header lines + the empty line */
		if (++p->n_lines > lim->max_headers + 1)
			return -E2BIG;
	}
	p->scanned = i;
	if (len >= lim->max_header_bytes)
		return -E2BIG; /* no end within the limit: never buffer more */
	return -EAGAIN;
}

static enum http_method method_from(const char *m)
{
	static const struct {
		const char *name;
		enum http_method method;
	} methods[] = {
		{"GET", HTTP_GET},
		{"POST", HTTP_POST},
		{"CONNECT", HTTP_CONNECT},
		{"HEAD", HTTP_HEAD},
	};

	for (size_t i = 0; i < ARRAY_SIZE(methods); i++) {
		if (strcmp(m, methods[i].name) == 0)
			return methods[i].method;
	}
	return HTTP_OTHER;
}

/* "METHOD SP target SP HTTP/1.x", NUL-terminated in place (the CR already replaced). */
static int parse_request_line(char *line, struct http_request *req, bool *http10)
{
	char *p = line;
	char *target;
	char *version;

	while (is_tchar((uint8_t)*p))
		p++;
	if (p == line || *p != ' ')
		return -EBADMSG;
	*p++ = '\0';
	target = p;
	while ((uint8_t)*p > 0x20 && (uint8_t)*p < 0x7f)
		p++;
	if (p == target || *p != ' ')
		return -EBADMSG;
	*p++ = '\0';
	version = p;
	if (strncmp(version, "HTTP/1.", 7) != 0 || version[7] < '0' || version[7] > '9' ||
	    version[8] != '\0')
		return -EBADMSG;
	req->method = method_from(line);
	req->path = target;
	*http10 = version[7] == '0';
	return 0;
}

/* "name: OWS value OWS", NUL-terminated in place. */
static int parse_header_line(char *line, struct http_header *h)
{
	char *p = line;
	char *end;

	while (is_tchar((uint8_t)*p))
		p++;
	if (p == line || *p != ':')
		return -EBADMSG; /* also obs-fold (leading SP/HTAB) and space before the colon */
	*p++ = '\0';
	while (is_ows(*p))
		p++;
	end = p + strlen(p);
	while (end > p && is_ows(end[-1]))
		end--;
	*end = '\0';
	for (const char *q = p; q < end; q++) {
		uint8_t c = (uint8_t)*q;

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return -EBADMSG;
	}
	h->name = line;
	h->value = p;
	return 0;
}

static int parse_content_length(const char *v, size_t *out)
{
	size_t n = 0;
	size_t digits = 0;

	for (; *v; v++, digits++) {
		if (*v < '0' || *v > '9' || digits >= CL_MAX_DIGITS)
			return -EBADMSG;
		n = n * 10 + (size_t)(*v - '0');
	}
	if (digits == 0)
		return -EBADMSG;
	*out = n;
	return 0;
}

/* Does a Connection header value list the token "close"? */
static bool connection_has_close(const char *v)
{
	while (*v) {
		size_t n;

		while (is_ows(*v) || *v == ',')
			v++;
		n = strcspn(v, ",");
		while (n > 0 && is_ows(v[n - 1]))
			n--;
		if (n == 5 && strncasecmp(v, "close", 5) == 0)
			return true;
		v += n;
		while (*v && *v != ',')
			v++;
	}
	return false;
}

/* Split the copied header block into the request line and headers; find the body length. */
static int parse_block(char *block, size_t n_headers, struct http_request *req, size_t *cl)
{
	bool http10 = false;
	bool has_cl = false;
	bool has_te = false;
	bool close = false;
	char *line = block;
	char *cr;
	int ret;

	cr = strchr(line, '\r'); /* the block always has its CRLFs (checked by header_block_end) */
	*cr = '\0';
	ret = parse_request_line(line, req, &http10);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n_headers; i++) {
		struct http_header *h = &req->headers[i];

		line = cr + 2;
		cr = strchr(line, '\r');
		*cr = '\0';
		ret = parse_header_line(line, h);
		if (ret < 0)
			return ret;
		if (strcasecmp(h->name, "Content-Length") == 0) {
			if (has_cl)
				return -EBADMSG; /* duplicate or conflicting */
			has_cl = true;
			ret = parse_content_length(h->value, cl);
			if (ret < 0)
				return ret;
		} else if (strcasecmp(h->name, "Transfer-Encoding") == 0) {
			has_te = true;
		} else if (strcasecmp(h->name, "Connection") == 0) {
			close |= connection_has_close(h->value);
		}
	}
	req->n_headers = n_headers;
	req->keep_alive = !http10 && !close;
	if (has_te)
		return -ENOTSUP;
	return 0;
}

void http_parser_reset(struct http_parser *p)
{
	*p = (struct http_parser){};
}

/* The header block (data[0..hdr_len)) into *req; *cl = Content-Length (0 if none). */
static int parse_head(const uint8_t *data, size_t hdr_len, size_t n_lines,
		      const struct http_limits *lim, struct http_request *req, size_t *cl)
{
	size_t n_headers, arr_len, total;
	int ret;

	*cl = 0;
	if (n_lines < 1)
		return -EBADMSG; /* an empty line where the request line should be */
	n_headers = n_lines - 1;
	if (n_headers > lim->max_headers)
		return -E2BIG;
	if (ckd_mul(&arr_len, n_headers, sizeof(struct http_header)) ||
	    ckd_add(&total, arr_len, hdr_len + 1))
		return -E2BIG;
	req->storage = malloc(total);
	if (!req->storage)
		return -ENOMEM;
	req->headers = req->storage;
	char *block = (char *)req->storage + arr_len;
	memcpy(block, data, hdr_len);
	block[hdr_len] = '\0';
	ret = parse_block(block, n_headers, req, cl);
	if (ret < 0)
		return ret;
	if (*cl > lim->max_body_bytes) {
		log_msg(LOG_DEBUG, "http: content-length %zu > max %zu", *cl, lim->max_body_bytes);
		return -E2BIG; /* decided from the header alone */
	}
	return 0;
}

ssize_t http_request_parse_next(struct http_parser *p, const uint8_t *data, size_t len,
				const struct http_limits *lim, struct http_request *req)
{
	size_t cl = 0;
	ssize_t ret;

	*req = (struct http_request){};
	if (!p->hdr_len) {
		ssize_t end = header_block_end(p, data, len, lim);

		if (end == -EAGAIN)
			return -EAGAIN;
		if (end < 0) {
			ret = end;
			goto err;
		}
		p->hdr_len = (size_t)end;
		/* Headers once now, to refuse a bad or too large request before its body. */
		ret = parse_head(data, p->hdr_len, p->n_lines, lim, req, &cl);
		if (ret < 0)
			goto err;
		p->body_len = cl;
		http_request_fini(req);
	}
	if (len - p->hdr_len < p->body_len)
		return -EAGAIN; /* waiting for the body: nothing is looked at again */
	/* Complete: the headers a second (and last) time, into *req. */
	ret = parse_head(data, p->hdr_len, p->n_lines, lim, req, &cl);
	if (ret < 0)
		goto err;
	req->body = malloc(cl + 1);
	if (!req->body) {
		ret = -ENOMEM;
		goto err;
	}
	memcpy(req->body, data + p->hdr_len, cl);
	req->body[cl] = '\0';
	req->body_len = cl;
	ret = (ssize_t)(p->hdr_len + cl);
	http_parser_reset(p);
	return ret;
err:
	http_request_fini(req);
	http_parser_reset(p);
	return ret;
}

ssize_t http_request_parse(const uint8_t *data, size_t len, const struct http_limits *lim,
			   struct http_request *req)
{
	struct http_parser p = {};

	return http_request_parse_next(&p, data, len, lim, req);
}

void http_request_fini(struct http_request *req)
{
	if (req->body)
		explicit_bzero(req->body, req->body_len); /* auth bodies carry passwords */
	free(req->body);
	free(req->storage);
	*req = (struct http_request){};
}

const char *http_request_header(const struct http_request *req, const char *name)
{
	for (size_t i = 0; i < req->n_headers; i++) {
		if (strcasecmp(req->headers[i].name, name) == 0)
			return req->headers[i].value;
	}
	return nullptr;
}

int http_cookie_get(const char *cookie_header, const char *name, char *out, size_t out_len)
{
	size_t name_len = strlen(name);
	const char *p = cookie_header;

	while (*p) {
		const char *entry, *end, *eq, *v;
		size_t n, vlen;

		while (is_ows(*p) || *p == ';')
			p++;
		entry = p;
		end = entry + strcspn(entry, ";");
		p = end;
		eq = memchr(entry, '=', (size_t)(end - entry));
		if (!eq)
			continue;
		n = (size_t)(eq - entry);
		while (n > 0 && is_ows(entry[n - 1]))
			n--;
		if (n != name_len || name_len == 0 || memcmp(entry, name, n) != 0)
			continue;
		v = eq + 1;
		while (v < end && is_ows(*v))
			v++;
		vlen = (size_t)(end - v);
		while (vlen > 0 && is_ows(v[vlen - 1]))
			vlen--;
		if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
			v++;
			vlen -= 2;
		}
		if (vlen >= out_len)
			return -E2BIG;
		memcpy(out, v, vlen);
		out[vlen] = '\0';
		return 0;
	}
	return -ENOENT;
}
