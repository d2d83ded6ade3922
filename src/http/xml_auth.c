// SPDX-License-Identifier: GPL-2.0-or-later
/* http/xml_auth.c — parse the client's aggregate-auth XML (init, auth-reply, logout; reference
 * §2.4, §2.6, §2.14) with expat: no DOCTYPE, no entity declarations, bounded depth and size,
 * and an allocator that wipes what expat frees, since its buffers held the password. */
#include "http/http.h"

#include <errno.h>
#include <stdckdint.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "core/log.h"

enum xa_field : uint8_t { XA_USERNAME, XA_PASSWORD, XA_GROUP, XA_TOKEN, XA__COUNT };

struct xa_ctx {
	XML_Parser p;
	struct xml_auth_msg *out;
	int err; /* first error; the parser is stopped once set */
	unsigned depth;
	bool root_bare_auth; /* root is <auth> (old clients) */
	bool in_auth;	     /* inside <config-auth><auth> */
	uint8_t seen;	     /* bit per enum xa_field: a field given twice is refused */
	char *field;	     /* capturing character data into this, or NULL */
	size_t field_len, field_cap;
	unsigned field_depth;
};

/* ---- an allocator for expat that wipes every block it frees ---- */

struct wipe_hdr {
	size_t len;
	max_align_t align[];
};

static void *wipe_malloc(size_t n)
{
	struct wipe_hdr *h;
	size_t total;

	if (ckd_add(&total, n, sizeof(*h)))
		return nullptr;
	h = malloc(total);
	if (!h)
		return nullptr;
	h->len = n;
	return h->align;
}

static void wipe_free(void *p)
{
	struct wipe_hdr *h;

	if (!p)
		return;
	h = (struct wipe_hdr *)((char *)p - offsetof(struct wipe_hdr, align));
	explicit_bzero(p, h->len);
	free(h);
}

static void *wipe_realloc(void *p, size_t n)
{
	struct wipe_hdr *h;
	void *q;

	if (!p)
		return wipe_malloc(n);
	h = (struct wipe_hdr *)((char *)p - offsetof(struct wipe_hdr, align));
	q = wipe_malloc(n);
	if (!q)
		return nullptr;
	memcpy(q, p, h->len < n ? h->len : n);
	wipe_free(p);
	return q;
}

static const XML_Memory_Handling_Suite wipe_suite = {
	.malloc_fcn = wipe_malloc,
	.realloc_fcn = wipe_realloc,
	.free_fcn = wipe_free,
};

/* ---- handlers ---- */

static void xa_fail(struct xa_ctx *c, int err, const char *why)
{
	if (c->err)
		return;
	c->err = err;
	log_msg(LOG_DEBUG, "xml-auth: %s", why);
	XML_StopParser(c->p, XML_FALSE);
}

static const char *attr_get(const XML_Char **attrs, const char *name)
{
	for (size_t i = 0; attrs[i]; i += 2) {
		if (strcmp(attrs[i], name) == 0)
			return attrs[i + 1];
	}
	return nullptr;
}

static void capture(struct xa_ctx *c, enum xa_field f)
{
	struct xml_auth_msg *m = c->out;

	if (c->seen & (1u << f)) {
		xa_fail(c, -EBADMSG, "duplicate field");
		return;
	}
	c->seen |= (uint8_t)(1u << f);
	switch (f) {
	case XA_USERNAME:
		c->field = m->username;
		c->field_cap = sizeof(m->username);
		m->has_username = true;
		break;
	case XA_PASSWORD:
		c->field = m->password;
		c->field_cap = sizeof(m->password);
		m->has_password = true;
		break;
	case XA_GROUP:
		c->field = m->group_select;
		c->field_cap = sizeof(m->group_select);
		break;
	case XA_TOKEN:
		c->field = m->session_token;
		c->field_cap = sizeof(m->session_token);
		break;
	case XA__COUNT:
		unreachable();
	}
	c->field_len = 0;
	c->field_depth = c->depth;
}

static void on_root(struct xa_ctx *c, const char *name, const XML_Char **attrs)
{
	const char *type;

	if (strcmp(name, "auth") == 0) {
		c->root_bare_auth = true;
		c->out->type = XML_AUTH_REPLY;
		return;
	}
	if (strcmp(name, "config-auth") != 0) {
		xa_fail(c, -EBADMSG, "unknown root element");
		return;
	}
	type = attr_get(attrs, "type");
	if (type && strcmp(type, "init") == 0)
		c->out->type = XML_AUTH_INIT;
	else if (type && strcmp(type, "auth-reply") == 0)
		c->out->type = XML_AUTH_REPLY;
	else if (type && strcmp(type, "logout") == 0)
		c->out->type = XML_AUTH_LOGOUT;
	else
		xa_fail(c, -EBADMSG, "unknown config-auth type");
}

/* Credentials: <config-auth type="auth-reply"><auth><username>… or <auth><username>… */
static void on_credential(struct xa_ctx *c, const char *name)
{
	if (c->out->type != XML_AUTH_REPLY)
		return;
	if (strcmp(name, "username") == 0)
		capture(c, XA_USERNAME);
	else if (strcmp(name, "password") == 0 || strcmp(name, "secondary_password") == 0)
		capture(c, XA_PASSWORD);
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct xa_ctx *c = ud;

	if (c->err)
		return;
	if (++c->depth > XML_AUTH_MAX_DEPTH) {
		xa_fail(c, -EBADMSG, "too deep");
		return;
	}
	if (c->field) {
		xa_fail(c, -EBADMSG, "element inside a field");
		return;
	}
	if (c->depth == 1) {
		on_root(c, name, attrs);
	} else if (c->root_bare_auth) {
		if (c->depth == 2)
			on_credential(c, name);
	} else if (c->depth == 2) {
		if (strcmp(name, "auth") == 0)
			c->in_auth = true;
		else if (strcmp(name, "group-select") == 0)
			capture(c, XA_GROUP);
		else if (strcmp(name, "session-token") == 0)
			capture(c, XA_TOKEN);
	} else if (c->depth == 3 && c->in_auth) {
		on_credential(c, name);
	}
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
	struct xa_ctx *c = ud;

	(void)name;
	if (c->err)
		return;
	if (c->field && c->depth == c->field_depth) {
		c->field[c->field_len] = '\0';
		c->field = nullptr;
	}
	if (c->depth == 2)
		c->in_auth = false;
	c->depth--;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
	struct xa_ctx *c = ud;

	if (c->err || !c->field || len <= 0)
		return;
	if ((size_t)len >= c->field_cap - c->field_len) {
		xa_fail(c, -EBADMSG, "field too long");
		return;
	}
	memcpy(c->field + c->field_len, s, (size_t)len);
	c->field_len += (size_t)len;
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
			       const XML_Char *pubid, int has_internal_subset)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal_subset;
	xa_fail(ud, -EBADMSG, "DOCTYPE refused");
}

static void XMLCALL on_entity_decl(void *ud, const XML_Char *name, int is_param,
				   const XML_Char *value, int value_len, const XML_Char *base,
				   const XML_Char *sysid, const XML_Char *pubid,
				   const XML_Char *notation)
{
	(void)name;
	(void)is_param;
	(void)value;
	(void)value_len;
	(void)base;
	(void)sysid;
	(void)pubid;
	(void)notation;
	xa_fail(ud, -EBADMSG, "entity declaration refused");
}

int xml_auth_parse(const uint8_t *body, size_t len, struct xml_auth_msg *out)
{
	struct xa_ctx c = {.out = out};
	int ret;

	*out = (struct xml_auth_msg){};
	if (len > XML_AUTH_MAX_INPUT)
		return -E2BIG;
	c.p = XML_ParserCreate_MM(nullptr, &wipe_suite, nullptr);
	if (!c.p)
		return -ENOMEM;
	XML_SetUserData(c.p, &c);
	XML_SetElementHandler(c.p, on_start, on_end);
	XML_SetCharacterDataHandler(c.p, on_text);
	XML_SetStartDoctypeDeclHandler(c.p, on_doctype);
	XML_SetEntityDeclHandler(c.p, on_entity_decl);
	XML_SetParamEntityParsing(c.p, XML_PARAM_ENTITY_PARSING_NEVER);

	if (XML_Parse(c.p, (const char *)body, (int)len, XML_TRUE) == XML_STATUS_OK)
		ret = c.depth == 0 ? 0 : -EBADMSG;
	else if (c.err)
		ret = c.err;
	else if (XML_GetErrorCode(c.p) == XML_ERROR_NO_MEMORY)
		ret = -ENOMEM;
	else
		ret = -EBADMSG;
	XML_ParserFree(c.p);
	if (ret < 0)
		xml_auth_msg_wipe(out);
	return ret;
}

void xml_auth_msg_wipe(struct xml_auth_msg *m)
{
	explicit_bzero(m, sizeof(*m));
}
