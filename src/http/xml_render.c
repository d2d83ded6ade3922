// SPDX-License-Identifier: GPL-2.0-or-later
/* http/xml_render.c — render the aggregate-auth documents the server sends: the login form
 * (auth-request, reference §2.5) and the success message (complete, §2.8). Every interpolated
 * string is XML-escaped; ocserv did not, and a '<' in a RADIUS message broke its XML (§8.1). */
#include "http/http.h"

#include <errno.h>
#include <string.h>

static const char xml_head[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

static int put(struct buf *out, const char *s)
{
	return buf_append(out, s, strlen(s));
}

/* Escape for both text and attribute values. Control characters that XML 1.0 forbids become
 * '?'; CR is kept as a character reference so parsers do not normalise it away. */
static int put_esc(struct buf *out, const char *s)
{
	const char *run = s;
	int ret = 0;

	for (; *s && !ret; s++) {
		uint8_t c = (uint8_t)*s;
		const char *rep;

		switch (c) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&apos;";
			break;
		case '\r':
			rep = "&#13;";
			break;
		default:
			rep = (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f ? "?" : nullptr;
			break;
		}
		if (!rep)
			continue;
		ret = buf_append(out, run, (size_t)(s - run));
		if (!ret)
			ret = put(out, rep);
		run = s + 1;
	}
	if (!ret)
		ret = buf_append(out, run, (size_t)(s - run));
	return ret;
}

/* <tag>escaped text</tag>\n, skipped when text is NULL. */
static int put_elem(struct buf *out, const char *open, const char *text, const char *close)
{
	int ret;

	if (!text)
		return 0;
	ret = put(out, open);
	if (!ret)
		ret = put_esc(out, text);
	if (!ret)
		ret = put(out, close);
	return ret;
}

/* <option value="name">label</option>, as ocserv renders select-group = name[label]. */
static int put_option(struct buf *out, const struct xml_auth_form *f, size_t i, bool selected)
{
	const char *label =
		f->group_labels && f->group_labels[i] ? f->group_labels[i] : f->groups[i];
	int ret;

	ret = put(out, "<option value=\"");
	if (!ret)
		ret = put_esc(out, f->groups[i]);
	if (!ret)
		ret = put(out, selected ? "\" selected=\"true\">" : "\">");
	if (!ret)
		ret = put_esc(out, label);
	if (!ret)
		ret = put(out, "</option>\n");
	return ret;
}

/* The selected group goes first with selected="true": several clients take the first option
 * as the selection (§2.6). */
static int put_groups(struct buf *out, const struct xml_auth_form *f)
{
	size_t sel = f->n_groups;
	int ret;

	if (!f->n_groups)
		return 0;
	for (size_t i = 0; f->selected_group && i < f->n_groups; i++) {
		if (strcmp(f->groups[i], f->selected_group) == 0) {
			sel = i;
			break;
		}
	}
	ret = put(out, "<select name=\"group_list\" label=\"GROUP:\">\n");
	if (!ret && sel < f->n_groups)
		ret = put_option(out, f, sel, true);
	for (size_t i = 0; !ret && i < f->n_groups; i++) {
		if (i != sel)
			ret = put_option(out, f, i, false);
	}
	if (!ret)
		ret = put(out, "</select>\n");
	return ret;
}

static int form_write(struct buf *out, const struct xml_auth_form *f)
{
	int ret;

	ret = put(out, xml_head);
	if (!ret)
		ret = put(out, "<config-auth client=\"vpn\" type=\"auth-request\" "
			       "aggregate-auth-version=\"2\">\n"
			       "<version who=\"sg\">0.1(1)</version>\n"
			       "<auth id=\"main\">\n"
			       "<title>Login</title>\n");
	if (!ret)
		ret = put_elem(out, "<banner>", f->banner, "</banner>\n");
	if (!ret)
		ret = put_elem(out, "<message>", f->message, "</message>\n");
	/* No param1/param2: openconnect substitutes "%s" in the text only when they exist. */
	if (!ret)
		ret = put_elem(out, "<error id=\"1\">", f->error, "</error>\n");
	if (!ret)
		ret = put_elem(out, "<form method=\"post\" action=\"", f->action, "\">\n");
	if (!ret)
		ret = put(out,
			  "<input type=\"text\" name=\"username\" label=\"Username:\" />\n"
			  "<input type=\"password\" name=\"password\" label=\"Password:\" />\n");
	if (!ret)
		ret = put_groups(out, f);
	if (!ret)
		ret = put(out, "</form>\n</auth>\n</config-auth>\n");
	return ret;
}

int xml_auth_form_render(struct buf *out, const struct xml_auth_form *f)
{
	size_t used = buf_used(out);
	int ret;

	/* openconnect aborts on an empty action (§2.5) */
	if (!f->action || !f->action[0] || (f->n_groups && !f->groups))
		return -EINVAL;
	for (size_t i = 0; i < f->n_groups; i++) {
		if (!f->groups[i])
			return -EINVAL;
	}
	ret = form_write(out, f);
	if (ret < 0)
		out->len = out->off + used;
	return ret;
}

static int complete_write(struct buf *out, const struct xml_auth_complete *c)
{
	int ret;

	ret = put(out, xml_head);
	if (!ret)
		ret = put(out, "<config-auth client=\"vpn\" type=\"complete\" "
			       "aggregate-auth-version=\"2\">\n"
			       "<version who=\"sg\">0.1(1)</version>\n");
	if (!ret)
		ret = put_elem(out, "<session-token>", c->cookie, "</session-token>\n");
	if (!ret)
		ret = put(out, "<auth id=\"success\">\n<title>SSL VPN Service</title>\n");
	if (!ret)
		ret = put_elem(out, "<banner>", c->banner, "</banner>\n");
	if (!ret)
		ret = put(out, "</auth>\n");
	if (!ret && c->server_cert_sha1_hex)
		ret = put_elem(out,
			       "<config client=\"vpn\" type=\"private\">\n<vpn-base-config>\n"
			       "<server-cert-hash>",
			       c->server_cert_sha1_hex,
			       "</server-cert-hash>\n</vpn-base-config>\n</config>\n");
	if (!ret)
		ret = put(out, "</config-auth>\n");
	return ret;
}

int xml_auth_complete_render(struct buf *out, const struct xml_auth_complete *c)
{
	size_t used = buf_used(out);
	int ret;

	if (!c->cookie || !c->cookie[0])
		return -EINVAL;
	ret = complete_write(out, c);
	if (ret < 0)
		out->len = out->off + used;
	return ret;
}
