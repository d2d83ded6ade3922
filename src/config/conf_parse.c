// SPDX-License-Identifier: GPL-2.0-or-later
/* config/conf_parse.c — the ocserv.conf lexer: lines, comments, "key = value", quotes, file:line.
 * Pure: no I/O, no globals. What a key means is left to the callback (directives.c). */
#include "config/conf_priv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void conf_err(char err[CONFIG_ERR_LEN], const struct cfg_pos *pos, const char *key, const char *fmt,
	      ...)
{
	va_list ap;
	int n;

	n = snprintf(err, CONFIG_ERR_LEN, "%s:%u: %.80s: ", pos->file, pos->line, key);
	if (n < 0 || n >= CONFIG_ERR_LEN)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, CONFIG_ERR_LEN - (size_t)n, fmt, ap);
	va_end(ap);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Trims blanks in place; returns the new start. */
static char *trim(char *s)
{
	size_t n;

	while (is_blank(*s))
		s++;
	n = strlen(s);
	while (n > 0 && is_blank(s[n - 1]))
		s[--n] = '\0';
	return s;
}

static bool key_is_valid(const char *k)
{
	if (!*k)
		return false;
	for (; *k; k++) {
		char c = *k;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
	}
	return true;
}

/* One line, NUL-terminated, no newline. Returns 0 for a skipped or handled line. */
static int parse_line(char *line, const struct cfg_pos *pos, conf_line_fn *fn, void *ctx,
		      char err[CONFIG_ERR_LEN])
{
	char *key, *value, *eq;
	size_t vlen;

	for (const char *c = line; *c; c++) {
		/* Control characters would end up in logs and error lines: refuse them. */
		if (((unsigned char)*c < 0x20 && *c != '\t') || *c == 0x7f) {
			conf_err(err, pos, "line", "contains a control character");
			return -EINVAL;
		}
	}
	line = trim(line);
	if (*line == '\0' || *line == '#')
		return 0;
	if (*line == '[') {
		/* ocserv's [vhost:name] sections */
		conf_err(err, pos, line, "virtual host sections are not supported yet");
		return -EINVAL;
	}
	eq = strchr(line, '=');
	if (!eq) {
		conf_err(err, pos, line, "expected \"key = value\"");
		return -EINVAL;
	}
	*eq = '\0';
	key = trim(line);
	value = trim(eq + 1);
	if (!key_is_valid(key)) {
		conf_err(err, pos, *key ? key : "line", "not a valid option name");
		return -EINVAL;
	}
	vlen = strlen(value);
	if (vlen == 0) {
		conf_err(err, pos, key, "missing value");
		return -EINVAL;
	}
	if (value[0] == '"') {
		if (vlen < 2 || value[vlen - 1] != '"') {
			conf_err(err, pos, key, "unterminated quote");
			return -EINVAL;
		}
		value[vlen - 1] = '\0';
		value++;
	}
	return fn(ctx, key, value, pos, err);
}

int conf_parse_buffer(const char *file, const char *text, size_t len, conf_line_fn *fn, void *ctx,
		      unsigned *nlines, char err[CONFIG_ERR_LEN])
{
	char line[CONF_LINE_MAX + 1];
	struct cfg_pos pos = {.file = file, .line = 0};
	size_t off = 0;
	int ret;

	err[0] = '\0';
	if (len > CONF_FILE_MAX) {
		conf_err(err, &pos, "file", "larger than %d bytes", CONF_FILE_MAX);
		return -EINVAL;
	}
	while (off < len) {
		const char *start = text + off;
		const char *nl = memchr(start, '\n', len - off);
		size_t n = nl ? (size_t)(nl - start) : len - off;

		pos.line++;
		off += n + (nl ? 1 : 0);
		if (n > 0 && start[n - 1] == '\r')
			n--; /* CRLF files */
		if (n > CONF_LINE_MAX) {
			conf_err(err, &pos, "line", "longer than %d bytes", CONF_LINE_MAX);
			return -EINVAL;
		}
		if (memchr(start, '\0', n)) {
			conf_err(err, &pos, "line", "contains a NUL byte");
			return -EINVAL;
		}
		memcpy(line, start, n);
		line[n] = '\0';
		ret = parse_line(line, &pos, fn, ctx, err);
		if (ret < 0)
			return ret;
	}
	if (nlines)
		*nlines = pos.line;
	return 0;
}
