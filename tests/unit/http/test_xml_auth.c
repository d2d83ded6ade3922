// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for http/xml_auth.c and http/xml_render.c: openconnect 9.01 documents, hostile XML
 * (DOCTYPE, billion laughs, external entities, depth, sizes), rendering and escaping, mutations. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <expat.h>

#include "http/http.h"

#define XHDR "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

/* As openconnect 9.01 sends it (xmlpost_initial_req). */
static const char oc_init[] =
	XHDR "<config-auth client=\"vpn\" type=\"init\" aggregate-auth-version=\"2\">"
	     "<version who=\"vpn\">v9.01-3</version><device-id>linux-64</device-id>"
	     "<capabilities><auth-method>single-sign-on-v2</auth-method></capabilities>"
	     "<group-access>https://vpn.example.com</group-access></config-auth>\n";

static const char oc_reply[] =
	XHDR "<config-auth client=\"vpn\" type=\"auth-reply\" aggregate-auth-version=\"2\">"
	     "<version who=\"vpn\">v9.01-3</version><device-id>linux-64</device-id>"
	     "<opaque is-for=\"sg\"><tunnel-group>eng</tunnel-group>"
	     "<auth><username>not-this</username></auth></opaque>"
	     "<auth><username>alice</username><password>s3cr&amp;t &lt;x&gt;</password></auth>"
	     "<group-select>eng</group-select></config-auth>\n";

struct xml_case {
	const char *name;
	const char *doc;
	int want;
	enum xml_auth_type type;
	const char *username; /* NULL: has_username false */
	const char *password;
	const char *group;
	const char *token;
};

#define BAD(n, d) {.name = n, .doc = d, .want = -EBADMSG}

static const struct xml_case cases[] = {
	{"openconnect_init", oc_init, 0, XML_AUTH_INIT, nullptr, nullptr, "", ""},
	{"init_group_select",
	 XHDR "<config-auth client=\"vpn\" type=\"init\"><group-select>ops</group-select>"
	      "</config-auth>",
	 0, XML_AUTH_INIT, nullptr, nullptr, "ops", ""},
	{"init_credentials_ignored",
	 "<config-auth type=\"init\"><auth><username>u</username></auth></config-auth>", 0,
	 XML_AUTH_INIT, nullptr, nullptr, "", ""},
	{"openconnect_auth_reply", oc_reply, 0, XML_AUTH_REPLY, "alice", "s3cr&t <x>", "eng", ""},
	{"reply_secondary_password",
	 "<config-auth type=\"auth-reply\"><auth><secondary_password>123456</secondary_password>"
	 "</auth></config-auth>",
	 0, XML_AUTH_REPLY, nullptr, "123456", "", ""},
	{"reply_empty_password",
	 "<config-auth type=\"auth-reply\"><auth><username>bob</username><password/></auth>"
	 "</config-auth>",
	 0, XML_AUTH_REPLY, "bob", "", "", ""},
	{"reply_spaces_kept",
	 "<config-auth type=\"auth-reply\"><auth><password> p w </password></auth></config-auth>",
	 0, XML_AUTH_REPLY, nullptr, " p w ", "", ""},
	{"reply_char_refs_cdata",
	 "<config-auth type=\"auth-reply\"><auth><username>&#x61;l&#105;ce</username>"
	 "<password><![CDATA[<&>]]></password></auth></config-auth>",
	 0, XML_AUTH_REPLY, "alice", "<&>", "", ""},
	{"bare_auth", "<auth><username>carol</username><password>pw</password></auth>", 0,
	 XML_AUTH_REPLY, "carol", "pw", "", ""},
	{"logout",
	 "<config-auth client=\"vpn\" type=\"logout\"><session-token>AAAA+/==</session-token>"
	 "</config-auth>",
	 0, XML_AUTH_LOGOUT, nullptr, nullptr, "", "AAAA+/=="},
	{"comment_and_pi_ok", "<!-- hi --><?foo bar?><config-auth type=\"init\"/>", 0,
	 XML_AUTH_INIT, nullptr, nullptr, "", ""},

	BAD("empty", ""),
	BAD("not_xml", "username=a&password=b"),
	BAD("unclosed", "<config-auth type=\"init\">"),
	BAD("mismatched", "<config-auth type=\"init\"></auth>"),
	BAD("trailing_garbage", "<config-auth type=\"init\"/><x/>"),
	BAD("unknown_root", "<html/>"),
	BAD("unknown_type", "<config-auth type=\"auth-request\"/>"),
	BAD("missing_type", "<config-auth client=\"vpn\"/>"),
	BAD("duplicate_username",
	    "<config-auth type=\"auth-reply\"><auth><username>a</username><username>b</username>"
	    "</auth></config-auth>"),
	BAD("password_and_secondary",
	    "<config-auth type=\"auth-reply\"><auth><password>a</password>"
	    "<secondary_password>b</secondary_password></auth></config-auth>"),
	BAD("element_inside_field",
	    "<config-auth "
	    "type=\"auth-reply\"><auth><username>a<b/></username></auth></config-auth>"),
	BAD("doctype", "<!DOCTYPE config-auth><config-auth type=\"init\"/>"),
	BAD("doctype_internal_subset",
	    "<!DOCTYPE a [<!ELEMENT a ANY>]><config-auth type=\"init\"/>"),
	BAD("billion_laughs",
	    "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
	    "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
	    "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>"
	    "<config-auth "
	    "type=\"auth-reply\"><auth><username>&lol3;</username></auth></config-auth>"),
	BAD("external_entity",
	    "<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
	    "<config-auth type=\"auth-reply\"><auth><username>&x;</username></auth></config-auth>"),
	BAD("undefined_entity",
	    "<config-auth type=\"auth-reply\"><auth><username>&x;</username></auth></config-auth>"),
	BAD("nul_char_ref",
	    "<config-auth "
	    "type=\"auth-reply\"><auth><username>a&#0;b</username></auth></config-auth>"),
};

static int parse_exact(const void *in, size_t len, struct xml_auth_msg *m)
{
	uint8_t *copy = malloc(len ? len : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, in, len);
	ret = xml_auth_parse(copy, len, m);
	free(copy);
	return ret;
}

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct xml_case *c = &cases[i];
		struct xml_auth_msg m;
		int ret = parse_exact(c->doc, strlen(c->doc), &m);

		if (ret != c->want)
			fail_msg("%s: got %d want %d", c->name, ret, c->want);
		if (ret < 0) {
			assert_int_equal(m.username[0] | m.password[0], 0);
			continue;
		}
		assert_int_equal(m.type, c->type);
		assert_int_equal(m.has_username, c->username != nullptr);
		assert_int_equal(m.has_password, c->password != nullptr);
		assert_string_equal(m.username, c->username ? c->username : "");
		assert_string_equal(m.password, c->password ? c->password : "");
		assert_string_equal(m.group_select, c->group);
		assert_string_equal(m.session_token, c->token);
		xml_auth_msg_wipe(&m);
		assert_int_equal(m.password[0], 0);
	}
}

/* Nesting of exactly XML_AUTH_MAX_DEPTH elements passes, one more is refused. */
static void test_depth(void **state)
{
	char doc[1024];
	struct xml_auth_msg m;

	(void)state;
	for (int depth = XML_AUTH_MAX_DEPTH; depth <= XML_AUTH_MAX_DEPTH + 1; depth++) {
		size_t o = 0;

		o += (size_t)snprintf(doc + o, sizeof(doc) - o, "<config-auth type=\"init\">");
		for (int i = 1; i < depth; i++)
			o += (size_t)snprintf(doc + o, sizeof(doc) - o, "<d>");
		for (int i = 1; i < depth; i++)
			o += (size_t)snprintf(doc + o, sizeof(doc) - o, "</d>");
		o += (size_t)snprintf(doc + o, sizeof(doc) - o, "</config-auth>");
		assert_true(o < sizeof(doc));
		assert_int_equal(parse_exact(doc, o, &m),
				 depth == XML_AUTH_MAX_DEPTH ? 0 : -EBADMSG);
	}
}

/* A field of capacity-1 characters fits, one more is refused. */
static void test_field_sizes(void **state)
{
	static const struct {
		const char *name, *open, *close;
		size_t cap;
	} fields[] = {
		{"username", "<config-auth type=\"auth-reply\"><auth><username>",
		 "</username></auth></config-auth>", 256},
		{"password", "<config-auth type=\"auth-reply\"><auth><password>",
		 "</password></auth></config-auth>", 256},
		{"group", "<config-auth type=\"init\"><group-select>",
		 "</group-select></config-auth>", 128},
		{"token", "<config-auth type=\"logout\"><session-token>",
		 "</session-token></config-auth>", 128},
	};
	char doc[1024];
	struct xml_auth_msg m;

	(void)state;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		for (size_t n = fields[i].cap - 1; n <= fields[i].cap; n++) {
			int len = snprintf(doc, sizeof(doc), "%s%*s%s", fields[i].open, (int)n, "",
					   fields[i].close);
			int want = n < fields[i].cap ? 0 : -EBADMSG;

			/* spaces count like any character; 'x' would too */
			memset(doc + strlen(fields[i].open), 'x', n);
			if (parse_exact(doc, (size_t)len, &m) != want)
				fail_msg("%s at %zu", fields[i].name, n);
		}
	}
}

static void test_input_size(void **state)
{
	static const char open[] = "<config-auth type=\"init\">";
	static const char close[] = "</config-auth>";
	size_t len = XML_AUTH_MAX_INPUT;
	char *doc = malloc(len + 1);
	struct xml_auth_msg m;

	(void)state;
	assert_non_null(doc);
	memset(doc, ' ', len + 1);
	memcpy(doc, open, strlen(open));
	memcpy(doc + len - strlen(close), close, strlen(close));
	assert_int_equal(parse_exact(doc, len, &m), 0);
	memcpy(doc + len + 1 - strlen(close), close, strlen(close));
	assert_int_equal(parse_exact(doc, len + 1, &m), -E2BIG);
	free(doc);
}

/* Well-formedness check of what we render, with expat directly (no DTD, no entities used). */
static bool well_formed(const struct buf *b)
{
	XML_Parser p = XML_ParserCreate(nullptr);
	bool ok = XML_Parse(p, (const char *)buf_head(b), (int)buf_used(b), XML_TRUE) ==
		  XML_STATUS_OK;

	XML_ParserFree(p);
	return ok;
}

static bool contains(const struct buf *b, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= buf_used(b); i++) {
		if (memcmp(buf_head(b) + i, needle, n) == 0)
			return true;
	}
	return false;
}

static void test_render_form(void **state)
{
	static const char *const groups[] = {"eng", "ops<&>\"'", "sales"};
	const struct xml_auth_form f = {
		.message = "Please enter your username and password.",
		.error = "Login failed: <&>\"' %s",
		.banner = "Welcome\r\nto <b>",
		.groups = groups,
		.n_groups = 3,
		.selected_group = "ops<&>\"'",
		.action = "/auth?a=1&b=2",
	};
	struct buf b;

	(void)state;
	buf_init(&b, 1 << 16);
	assert_int_equal(xml_auth_form_render(&b, &f), 0);
	assert_true(well_formed(&b));
	assert_true(contains(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
	assert_true(contains(&b, "type=\"auth-request\" aggregate-auth-version=\"2\""));
	assert_true(contains(&b, "<auth id=\"main\">"));
	assert_true(contains(&b, "<form method=\"post\" action=\"/auth?a=1&amp;b=2\">"));
	assert_true(contains(&b, "<input type=\"text\" name=\"username\" label=\"Username:\" />"));
	assert_true(
		contains(&b, "<input type=\"password\" name=\"password\" label=\"Password:\" />"));
	assert_true(
		contains(&b, "<error id=\"1\">Login failed: &lt;&amp;&gt;&quot;&apos; %s</error>"));
	assert_true(contains(&b, "<banner>Welcome&#13;\nto &lt;b&gt;</banner>"));
	/* the selected group comes first */
	assert_true(contains(&b, "<select name=\"group_list\" label=\"GROUP:\">\n"
				 "<option value=\"ops&lt;&amp;&gt;&quot;&apos;\" selected=\"true\">"
				 "ops&lt;&amp;&gt;&quot;&apos;</option>\n"
				 "<option value=\"eng\">eng</option>\n"
				 "<option value=\"sales\">sales</option>\n</select>"));
	assert_false(contains(&b, "<&>"));

	/* select-group = name[Label]: the label is shown, the name posted; no label = the name */
	static const char *const labels[] = {"Engineering & Co", nullptr, "Sales"};
	struct xml_auth_form fl = f;
	fl.group_labels = labels;
	fl.selected_group = "eng";
	buf_reset(&b, 0);
	assert_int_equal(xml_auth_form_render(&b, &fl), 0);
	assert_true(well_formed(&b));
	assert_true(contains(&b, "<option value=\"eng\" selected=\"true\">Engineering &amp; "
				 "Co</option>\n"
				 "<option value=\"ops&lt;&amp;&gt;&quot;&apos;\">"
				 "ops&lt;&amp;&gt;&quot;&apos;</option>\n"
				 "<option value=\"sales\">Sales</option>\n</select>"));

	/* minimal form: no optional elements, no select */
	buf_reset(&b, 0);
	assert_int_equal(xml_auth_form_render(&b, &(struct xml_auth_form){.action = "/auth"}), 0);
	assert_true(well_formed(&b));
	assert_false(contains(&b, "<error"));
	assert_false(contains(&b, "<select"));
	assert_false(contains(&b, "<banner"));

	/* control characters cannot break the document */
	buf_reset(&b, 0);
	assert_int_equal(xml_auth_form_render(&b, &(struct xml_auth_form){.action = "/",
									  .message = "a\x01\x1b"}),
			 0);
	assert_true(well_formed(&b));
	buf_fini(&b);
}

static void test_render_errors(void **state)
{
	const struct xml_auth_form f = {.message = "m", .action = "/auth"};
	struct buf b;
	size_t full;

	(void)state;
	buf_init(&b, 1 << 16);
	assert_int_equal(xml_auth_form_render(&b, &(struct xml_auth_form){}), -EINVAL);
	assert_int_equal(xml_auth_form_render(&b, &(struct xml_auth_form){.action = ""}), -EINVAL);
	assert_int_equal(
		xml_auth_form_render(&b, &(struct xml_auth_form){.action = "/", .n_groups = 1}),
		-EINVAL);
	assert_int_equal(xml_auth_complete_render(&b, &(struct xml_auth_complete){}), -EINVAL);
	assert_int_equal(buf_used(&b), 0);
	assert_int_equal(xml_auth_form_render(&b, &f), 0);
	full = buf_used(&b);
	buf_fini(&b);

	/* exactly the size fits; one byte less is -E2BIG and leaves the buffer as it was */
	buf_init(&b, full);
	assert_int_equal(xml_auth_form_render(&b, &f), 0);
	buf_fini(&b);
	buf_init(&b, full);
	assert_int_equal(buf_append(&b, "ab", 2), 0);
	buf_consume(&b, 1);
	assert_int_equal(xml_auth_form_render(&b, &f), -E2BIG);
	assert_int_equal(buf_used(&b), 1);
	assert_memory_equal(buf_head(&b), "b", 1);
	buf_fini(&b);
}

static void test_render_complete(void **state)
{
	const struct xml_auth_complete c = {
		.cookie = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		.banner = "Hello & welcome",
		.server_cert_sha1_hex = "0123456789ABCDEF0123456789ABCDEF01234567",
	};
	struct buf b;

	(void)state;
	buf_init(&b, 1 << 16);
	assert_int_equal(xml_auth_complete_render(&b, &c), 0);
	assert_true(well_formed(&b));
	assert_true(contains(&b, "type=\"complete\" aggregate-auth-version=\"2\""));
	assert_true(contains(&b, "<auth id=\"success\">"));
	assert_true(contains(
		&b, "<session-token>AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=</session-token>"));
	assert_true(contains(&b, "<banner>Hello &amp; welcome</banner>"));
	assert_true(contains(&b, "<server-cert-hash>0123456789ABCDEF0123456789ABCDEF01234567"
				 "</server-cert-hash>"));
	buf_reset(&b, 0);
	assert_int_equal(xml_auth_complete_render(&b, &(struct xml_auth_complete){.cookie = "x"}),
			 0);
	assert_true(well_formed(&b));
	assert_false(contains(&b, "<config "));
	assert_false(contains(&b, "<banner>"));
	buf_fini(&b);
}

static void check_msg_sane(const struct xml_auth_msg *m)
{
	assert_true(strnlen(m->username, sizeof(m->username)) < sizeof(m->username));
	assert_true(strnlen(m->password, sizeof(m->password)) < sizeof(m->password));
	assert_true(strnlen(m->group_select, sizeof(m->group_select)) < sizeof(m->group_select));
	assert_true(strnlen(m->session_token, sizeof(m->session_token)) < sizeof(m->session_token));
	assert_true(m->type <= XML_AUTH_LOGOUT);
}

static void test_mutations(void **state)
{
	size_t len = sizeof(oc_reply) - 1;
	uint8_t buf[sizeof(oc_reply)];
	struct xml_auth_msg m;

	(void)state;
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			int ret;

			memcpy(buf, oc_reply, len);
			buf[i] ^= (uint8_t)(1u << bit);
			ret = parse_exact(buf, len, &m);
			if (ret != 0 && ret != -EBADMSG)
				fail_msg("flip %zu.%d: %d", i, bit, ret);
			check_msg_sane(&m);
		}
	}
	for (size_t cut = 0; cut < len - 1; cut++) { /* len - 1: only the final newline is gone */
		int ret = parse_exact(oc_reply, cut, &m);

		if (ret != -EBADMSG)
			fail_msg("truncation %zu: %d", cut, ret);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_field_sizes),	cmocka_unit_test(test_input_size),
		cmocka_unit_test(test_render_form),	cmocka_unit_test(test_render_errors),
		cmocka_unit_test(test_render_complete), cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
