// SPDX-License-Identifier: GPL-2.0-or-later
/* config/auto_group.c — auto-select-group = true: the login form's group list is every group of
 * the password file (auth = plain), as ocserv's plain module lists them. Read once per
 * config_load(), so a reload follows the file. Only the group field of each line is looked at. */
#include "config/group_conf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	AUTO_GROUP_LINE_MAX = 4096,   /* bytes of a password file line, as auth_plain.c */
	AUTO_GROUP_LINES_MAX = 65536, /* lines read: a bound, not a limit users reach */
};

static bool listed(const struct config *cfg, const char *name, size_t len)
{
	for (size_t i = 0; i < cfg->select_groups_len; i++) {
		if (strlen(cfg->select_groups[i].name) == len &&
		    !strncmp(cfg->select_groups[i].name, name, len))
			return true;
	}
	return false;
}

/* Appends the group name[0..len) (name = label) unless it is listed already (a select-group
 * line keeps its [Label]). Names that cannot be a group file name are skipped, as "*". */
static int add_group(struct config *cfg, const char *name, size_t len, char *why, size_t why_len)
{
	char buf[GROUP_CONF_NAME_MAX + 1];

	if (len == 0 || len > GROUP_CONF_NAME_MAX || listed(cfg, name, len))
		return 0;
	memcpy(buf, name, len);
	buf[len] = '\0';
	if (!group_config_name_is_valid(buf))
		return 0;
	return group_conf__select_group_append(cfg, buf, buf, why, why_len);
}

/* "user:group1,group2:hash" -> each group of the line. */
static int add_line_groups(struct config *cfg, const char *line, char *why, size_t why_len)
{
	const char *g = strchr(line, ':'), *end;
	int ret = 0;

	if (!g || line[0] == '#')
		return 0;
	g++;
	end = strchr(g, ':');
	if (!end)
		return 0;
	while (g < end && ret == 0) {
		size_t n = strcspn(g, ",:");
		if (g + n > end)
			n = (size_t)(end - g);
		ret = add_group(cfg, g, n, why, why_len);
		g += n;
		g += g < end && *g == ',';
	}
	return ret;
}

int group_conf__auto_select_groups(struct config *cfg, char *why, size_t why_len)
{
	char *line = nullptr;
	FILE *f = nullptr;
	int ret = 0;

	if (cfg->auth != CFG_AUTH_PLAIN || !cfg->auth_passwd) {
		snprintf(why, why_len, "needs auth = \"plain[passwd=…]\" (the groups of its file)");
		return -EINVAL;
	}
	f = fopen(cfg->auth_passwd, "re");
	if (!f) {
		ret = -errno;
		snprintf(why, why_len, "cannot read %s: %s", cfg->auth_passwd, strerror(-ret));
		return -EINVAL;
	}
	line = malloc(AUTO_GROUP_LINE_MAX);
	if (!line) {
		ret = -ENOMEM;
		goto out;
	}
	for (unsigned n = 0;
	     ret == 0 && n < AUTO_GROUP_LINES_MAX && fgets(line, AUTO_GROUP_LINE_MAX, f); n++) {
		line[strcspn(line, "\r\n")] = '\0';
		ret = add_line_groups(cfg, line, why, why_len);
	}
out:
	free(line);
	fclose(f);
	return ret;
}
