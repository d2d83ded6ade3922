// SPDX-License-Identifier: GPL-2.0-or-later
/* config/group_conf.h — internal to config: the directive setters of the issue #6 keys of the main
 * file (config-per-user/-group, default-*-config, select-group, scripts), used by directives.c's
 * table, and the release of the fields they fill (config.c). The public API is in config.h. */
#pragma once

#include <stddef.h>

#include "config/conf_priv.h"

enum {
	GROUP_CONF_NAME_MAX = 64,	 /* bytes of a user or group name used as a file name */
	GROUP_CONF_FILE_MAX = 64 * 1024, /* bytes of a per-user/per-group file */
	GROUP_CONF_IROUTES_MAX = 64,	 /* iroute lines of one file (occtl shows them all) */
};

struct directive;

/* Setters with directives.c's conf_set_fn signature. field points into ctx->cfg. Each returns 0,
 * -EINVAL with why filled, or -ENOMEM. */
/* An existing directory (config-per-user, config-per-group). */
[[nodiscard]] int group_conf__set_dir(struct conf_ctx *ctx, const struct directive *d, void *field,
				      const char *value, char *why, size_t why_len);
/* An existing per-user/per-group file that parses (default-user-config, default-group-config). */
[[nodiscard]] int group_conf__set_default_file(struct conf_ctx *ctx, const struct directive *d,
					       void *field, const char *value, char *why,
					       size_t why_len);
/* An existing regular file with an execute bit for us (connect-script, …). */
[[nodiscard]] int group_conf__set_script(struct conf_ctx *ctx, const struct directive *d,
					 void *field, const char *value, char *why, size_t why_len);
/* "name" or "name[Label]", appended to ctx->cfg->select_groups (field unused). */
[[nodiscard]] int group_conf__set_select_group(struct conf_ctx *ctx, const struct directive *d,
					       void *field, const char *value, char *why,
					       size_t why_len);
/* default-select-group: a label without '[' or ']'. */
[[nodiscard]] int group_conf__set_select_label(struct conf_ctx *ctx, const struct directive *d,
					       void *field, const char *value, char *why,
					       size_t why_len);

/* auto_group.c — auto-select-group: appends every group of the plain password file to
 * cfg->select_groups (file order, no duplicates; a select-group line keeps its label). 0;
 * -EINVAL with why filled (no plain auth, unreadable file); -ENOMEM. Main thread, at load. */
/* Append a copy of name/label to cfg->select_groups (no duplicate check). 0 or -ENOMEM. */
[[nodiscard]] int group_conf__select_group_append(struct config *cfg, const char *name,
						  const char *label, char *why, size_t why_len);
[[nodiscard]] int group_conf__auto_select_groups(struct config *cfg, char *why, size_t why_len);

/* Frees the issue #6 fields of cfg (called by config_free()). */
void group_conf__cfg_fini(struct config *cfg);
