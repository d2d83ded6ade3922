// SPDX-License-Identifier: GPL-2.0-or-later
/* http/http.h — the HTTP control channel as pure functions: request parsing, response writing,
 * aggregate-auth XML and legacy form parsing, auth form rendering and webvpn cookies
 * (reference/anyconnect-protocol.md §2, §6.1). No I/O, no globals: any thread may call. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/buf.h"

/* ---- requests (http_request.c) ---- */

enum http_method : uint8_t { HTTP_GET, HTTP_POST, HTTP_CONNECT, HTTP_HEAD, HTTP_OTHER };

struct http_header {
	const char *name; /* NUL-terminated, owned by the request (or the caller for responses) */
	const char *value;
};

struct http_limits {
	size_t max_header_bytes; /* request line + headers + the empty line */
	size_t max_headers;
	size_t max_body_bytes;
};

#define HTTP_LIMITS_DEFAULT ((struct http_limits){16384, 64, 262144})

struct http_request {
	enum http_method method;
	char *path; /* request-target as sent */
	struct http_header *headers;
	size_t n_headers;
	uint8_t *body; /* NUL-terminated copy of body_len bytes; non-NULL on success */
	size_t body_len;
	bool keep_alive; /* HTTP/1.1 default true; "Connection: close" or HTTP/1.0 -> false */
	/* private: one allocation holding every string above and the body */
	void *storage;
};

/* Parse ONE complete request from the start of data (pure; call again with the whole unconsumed
 * buffer when more bytes arrive). Lines end in CRLF only. Returns bytes consumed (> 0) and fills
 * *req, which then owns memory (http_request_fini), or:
 *   -EAGAIN  incomplete;
 *   -EBADMSG bad request line, bad header syntax, obs-fold, bare CR or LF, NUL, not HTTP/1.0|1.1,
 *            invalid/duplicate Content-Length;
 *   -ENOTSUP any Transfer-Encoding (chunked requests are not accepted);
 *   -E2BIG   header block > max_header_bytes (even if incomplete), > max_headers,
 *            Content-Length > max_body_bytes (decided before the body arrives);
 *   -ENOMEM.
 * On any error *req is zeroed (http_request_fini on it is a no-op). Bytes after the returned
 * length (a pipelined request) are left alone. */
[[nodiscard]] ssize_t http_request_parse(const uint8_t *data, size_t len,
					 const struct http_limits *lim, struct http_request *req);
/* Incremental form of the above for a buffer that only grows between calls (bytes appended at
 * the end, the request at data[0]): p remembers how far the header block was scanned and, once
 * it is complete, the body length, so each byte is examined a bounded number of times however
 * the input is split (1-byte TLS records included). Same results as http_request_parse() for
 * the same bytes. p is reset after a request (> 0) or an error; the caller then drops the
 * returned bytes (or the connection) before the next call. Pure. */
struct http_parser {
	size_t scanned;	 /* header bytes already checked */
	size_t n_lines;	 /* CRLFs among them */
	size_t hdr_len;	 /* 0 until the header block is complete */
	size_t body_len; /* Content-Length, once hdr_len is known */
};
void http_parser_reset(struct http_parser *p);
[[nodiscard]] ssize_t http_request_parse_next(struct http_parser *p, const uint8_t *data,
					      size_t len, const struct http_limits *lim,
					      struct http_request *req);
/* Frees the request's storage and zeroes it; safe on a zeroed or already finished request. */
void http_request_fini(struct http_request *req);
/* First header called name (case-insensitive), or NULL. Borrowed from req. */
const char *http_request_header(const struct http_request *req, const char *name);
/* Find cookie `name` (case-sensitive) in a Cookie header value ("a=b; webvpn=XYZ"); the first
 * match wins. 0 and a NUL-terminated copy in out; -ENOENT; -E2BIG when it does not fit out. */
[[nodiscard]] int http_cookie_get(const char *cookie_header, const char *name, char *out,
				  size_t out_len);

/* ---- responses (http_response.c) ---- */

struct http_response {
	int status; /* 100..999 */
	const char *reason;
	const char *content_type;	   /* nullable */
	const struct http_header *headers; /* extra headers, e.g. Set-Cookie, X-Reason */
	size_t n_headers;
	const void *body; /* nullable when body_len is 0 */
	size_t body_len;
	bool close; /* adds Connection: close (else Connection: Keep-Alive) */
};

/* Append a complete response (status line, headers, Content-Length, body) to out. 0; -EINVAL on
 * a bad status, a header name that is not a token, or a reason/value containing CR, LF or other
 * control characters (response splitting); -E2BIG/-ENOMEM from out. On error out is unchanged. */
[[nodiscard]] int http_response_write(struct buf *out, const struct http_response *resp);

/* ---- aggregate-auth XML and legacy form (xml_auth.c, form_auth.c) ---- */

enum { XML_AUTH_MAX_INPUT = 64 * 1024, XML_AUTH_MAX_DEPTH = 16 };

enum xml_auth_type : uint8_t { XML_AUTH_INIT, XML_AUTH_REPLY, XML_AUTH_LOGOUT };

struct xml_auth_msg {
	enum xml_auth_type type;
	bool has_username, has_password;
	char username[256];
	char password[256]; /* secret: wipe with xml_auth_msg_wipe */
	char group_select[128];
	char session_token[128]; /* logout */
};

/* A client <config-auth> document (type="init" | "auth-reply" | "logout"), or the bare <auth>
 * root of old clients (taken as an auth-reply). username/password are read from <auth> children
 * of an auth-reply only; <secondary_password> (OTP round, §2.7) also fills password. Values are
 * kept verbatim (no trimming). A field given twice is refused.
 * 0; -EBADMSG (not well-formed, DOCTYPE/entity declaration, depth > XML_AUTH_MAX_DEPTH, unknown
 * root or type, oversized or duplicate field, element inside a field); -E2BIG (len >
 * XML_AUTH_MAX_INPUT); -ENOMEM. *out is always written: zeroed on error. */
[[nodiscard]] int xml_auth_parse(const uint8_t *body, size_t len, struct xml_auth_msg *out);
/* Legacy form flow (§2.12): application/x-www-form-urlencoded "username=..&password=..&
 * group_list=.." (names are decoded too, so group%5flist works; secondary_password fills
 * password) -> XML_AUTH_REPLY. Unknown names are ignored. '+' is a space; %XX strict.
 * 0; -EBADMSG (bad encoding, %00, control bytes, duplicate or oversized field); -E2BIG (len >
 * XML_AUTH_MAX_INPUT). *out is always written: zeroed on error. */
[[nodiscard]] int form_auth_parse(const uint8_t *body, size_t len, struct xml_auth_msg *out);
void xml_auth_msg_wipe(struct xml_auth_msg *m);

/* ---- rendering (xml_render.c) ---- */

struct xml_auth_form {
	const char *message;	   /* nullable, e.g. "Please enter your username and password." */
	const char *error;	   /* nullable: shown after a failed attempt */
	const char *banner;	   /* nullable */
	const char *const *groups; /* nullable: group_list select, the option values */
	const char *const
		*group_labels; /* nullable, else n_groups entries: the text shown for
				* each (select-group's [Label]); a nullptr entry = the name */
	size_t n_groups;
	const char *selected_group; /* nullable; rendered first with selected="true" */
	const char *action;	    /* form action, e.g. "/auth"; must be non-empty */
};

/* Render a <config-auth type="auth-request"> document (aggregate-auth-version="2") with an
 * <auth id="main"> username and password form (§2.5). Every interpolated string is XML-escaped.
 * 0; -EINVAL (no action); -E2BIG/-ENOMEM from out. On error out is unchanged. */
[[nodiscard]] int xml_auth_form_render(struct buf *out, const struct xml_auth_form *f);

struct xml_auth_complete {
	const char *cookie;		  /* session token value (same as Set-Cookie webvpn) */
	const char *banner;		  /* nullable */
	const char *server_cert_sha1_hex; /* nullable: <vpn-base-config><server-cert-hash> */
};

/* Render a <config-auth type="complete"> document with <auth id="success"> and <session-token>
 * (§2.8). 0; -EINVAL (no cookie); -E2BIG/-ENOMEM from out. On error out is unchanged. */
[[nodiscard]] int xml_auth_complete_render(struct buf *out, const struct xml_auth_complete *c);

/* ---- webvpn cookies (cookie.c, §6.1) ---- */

/* 32 bytes from getrandom(2), base64 (44 chars, standard alphabet with padding). */
enum { COOKIE_RAW_LEN = 32, COOKIE_B64_LEN = 44 };

struct cookie {
	uint8_t raw[COOKIE_RAW_LEN]; /* secret */
};

/* 0, or -errno from getrandom(2). */
[[nodiscard]] int cookie_mint(struct cookie *c);
void cookie_encode(const struct cookie *c, char out[COOKIE_B64_LEN + 1]);
/* Strict: len must be exactly COOKIE_B64_LEN and the text canonical base64 of exactly 32 bytes,
 * checked before anything is decoded. 0 or -EBADMSG (*out is then zeroed). */
[[nodiscard]] int cookie_decode(const char *s, size_t len, struct cookie *out);
/* Constant time. */
bool cookie_equal(const struct cookie *a, const struct cookie *b);
