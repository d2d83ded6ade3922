// SPDX-License-Identifier: GPL-2.0-or-later
/* config/conf_priv.h — internal seams of the config module: the line lexer (conf_parse.c), value
 * parsers (conf_value.c), the directive table (directives.c) and the cross-field checks
 * (conf_check.c). Used only inside src/config/ and by its unit tests and fuzz harness. */
#pragma once

#include <stddef.h>

#include "config/config.h"

enum {
	CONF_LINE_MAX = 4096,	   /* bytes per line, without the newline */
	CONF_FILE_MAX = 1 << 20,   /* bytes per file */
	CONF_LIST_MAX = 256,	   /* entries per repeated key (route, dns, …) */
	CONF_DIRECTIVES_MAX = 160, /* size of conf_ctx.seen; checked against the table */
	CONF_WHY_LEN = 256,	   /* reason text from a value parser */
};

/* Where a line came from. file is borrowed from the caller of conf_parse_buffer(). */
struct cfg_pos {
	const char *file;
	unsigned line;
};

/* Writes "file:line: key: <fmt>" into err (always NUL-terminated, truncated if needed). */
[[gnu::format(printf, 4, 5)]] void conf_err(char err[CONFIG_ERR_LEN], const struct cfg_pos *pos,
					    const char *key, const char *fmt, ...);

/* ---- conf_parse.c: the lexer ---- */

/* Called once per "key = value" line, key and value trimmed, surrounding double quotes removed
 * from value. Returns 0, or a negative errno after writing err. */
typedef int conf_line_fn(void *ctx, const char *key, const char *value, const struct cfg_pos *pos,
			 char err[CONFIG_ERR_LEN]);

/* Splits text (len bytes, need not be NUL-terminated, no I/O) into lines and calls fn for each
 * "key = value" line; blank lines and lines starting with '#' are skipped. Stops at the first
 * error: returns -EINVAL (syntax, limits) or what fn returned, with err filled. On success returns
 * 0 and, if nlines is not nullptr, stores the number of lines (for errors about missing keys). */
[[nodiscard]] int conf_parse_buffer(const char *file, const char *text, size_t len,
				    conf_line_fn *fn, void *ctx, unsigned *nlines,
				    char err[CONFIG_ERR_LEN]);

/* ---- conf_value.c: value parsers; on failure they write the reason (without key) to why ---- */

[[nodiscard]] int conf_uint_parse(const char *s, unsigned min, unsigned max, unsigned *out,
				  char *why, size_t why_len);
[[nodiscard]] int conf_bool_parse(const char *s, bool *out, char *why, size_t why_len);
/* Room for one more element of size bytes in *items (len used); -EINVAL past CONF_LIST_MAX
 * (why says so), -ENOMEM. Shared by the main and the per-user/per-group files. */
[[nodiscard]] int conf_list_grow(void **items, size_t len, size_t size, char *why, size_t why_len);
[[nodiscard]] int conf_strlist_add(struct cfg_strlist *l, const char *value, char *why,
				   size_t why_len);
/* Replace the string at field (a char **; nullptr = a no-field directive: nothing stored). */
[[nodiscard]] int conf_store_str(void *field, const char *value);
/* family AF_INET, AF_INET6 or 0 (either). "addr/len", "a.b.c.d/255.255.0.0" or a bare address
 * (then *has_len is false and prefix_len is the full length). Host bits set is an error. */
[[nodiscard]] int conf_prefix_parse(const char *s, int family, struct cfg_prefix *out,
				    bool *has_len, char *why, size_t why_len);
/* A contiguous dotted IPv4 netmask; *len gets its prefix length. */
[[nodiscard]] int conf_netmask4_parse(const char *s, unsigned *len, char *why, size_t why_len);
/* Prints "addr/len" into buf. */
void conf_prefix_format(const struct cfg_prefix *p, char *buf, size_t len);
bool conf_ip_is_literal(const char *s);
/* DNS name: labels of [A-Za-z0-9-] (1..63, no leading/trailing '-'), at most 253 bytes, one
 * optional trailing dot. underscore allows '_' too (service names in split-dns). */
bool conf_dns_name_is_valid(const char *s, bool underscore);
/* "host:port" or "[v6]:port" with host an IP literal or DNS name. */
bool conf_hostport_is_valid(const char *s);

/* ---- directives.c: the key table ---- */

enum conf_class : uint8_t {
	CONF_IMPLEMENTED = 0,
	CONF_DTLS,	   /* stored for issue #3 */
	CONF_NOT_ENFORCED, /* validated and stored, a LOG_WARNING names the issue */
	CONF_NO_EFFECT,	   /* validated, a LOG_NOTICE says why it does nothing here */
	CONF_REFUSED,	   /* "not supported yet" */
};

/* Parse state shared by directives.c and conf_check.c. cfg is owned by the caller. */
struct conf_ctx {
	struct config *cfg;
	unsigned seen[CONF_DIRECTIVES_MAX]; /* line a directive was first set on; 0 = never */
	/* ipv4-network and ipv4-netmask are combined in conf_check(). */
	struct cfg_prefix v4_net;
	bool v4_has_len;
	unsigned v4_mask_len;
};

/* A conf_line_fn: looks key up in the table, refuses/validates/stores, logs notices. */
[[nodiscard]] int conf_directive_on_line(void *ctx, const char *key, const char *value,
					 const struct cfg_pos *pos, char err[CONFIG_ERR_LEN]);
/* 0 and the key's class, or -ENOENT for an unknown key. */
[[nodiscard]] int conf_directive_class(const char *key, enum conf_class *cls);
/* Line where key was first set in this parse, 0 if never (or unknown key). */
unsigned conf_ctx_line(const struct conf_ctx *ctx, const char *key);
/* Syslog priority for an ocserv log-level (0..9). */
int conf_log_level_to_syslog(unsigned level);

/* ---- conf_check.c ---- */

/* Fills cfg with the defaults of every key. -ENOMEM if a default string cannot be copied. */
[[nodiscard]] int conf_defaults_set(struct config *cfg);
/* Cross-field checks and derived fields after the last line; nlines is the line count, used for
 * missing keys. Returns 0 or -EINVAL with err filled. */
[[nodiscard]] int conf_check(struct conf_ctx *ctx, const char *file, unsigned nlines,
			     char err[CONFIG_ERR_LEN]);
