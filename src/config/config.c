// SPDX-License-Identifier: GPL-2.0-or-later
/* config/config.c — config_load(): read the file, run the lexer with the directive table, then the
 * cross-field checks; config_free(). Parsing itself lives in conf_parse.c and directives.c. */
#include "config/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf_priv.h"
#include "config/group_conf.h"

const char *config_rekey_method_name(enum cfg_rekey_method m)
{
	switch (m) {
	case CFG_REKEY_SSL:
		return "ssl";
	case CFG_REKEY_NEW_TUNNEL:
		return "new-tunnel";
	}
	return "?";
}

void config_err_at(const struct config *cfg, unsigned line, const char *key, const char *why,
		   char err[CONFIG_ERR_LEN])
{
	struct cfg_pos pos = {cfg->path ? cfg->path : "?", line};

	if (line)
		conf_err(err, &pos, key, "%s", why);
	else
		snprintf(err, CONFIG_ERR_LEN, "%s: %.80s: %s", pos.file, key, why);
}

static void strlist_fini(struct cfg_strlist *l)
{
	for (size_t i = 0; i < l->len; i++)
		free(l->items[i]);
	free(l->items);
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	free(cfg->path);
	free(cfg->listen_host);
	free(cfg->udp_listen_host);
	free(cfg->server_cert);
	free(cfg->server_key);
	free(cfg->ca_cert);
	free(cfg->tls_priorities);
	free(cfg->auth_passwd);
	free(cfg->device);
	strlist_fini(&cfg->dns);
	free(cfg->routes.items);
	free(cfg->no_routes.items);
	free(cfg->default_domain);
	strlist_fini(&cfg->split_dns);
	free(cfg->banner);
	free(cfg->pid_file);
	free(cfg->run_as_user);
	free(cfg->run_as_group);
	free(cfg->wolfsentry_config);
	free(cfg->metrics_listen);
	free(cfg->occtl_socket_file);
	group_conf__cfg_fini(cfg);
	free(cfg);
}

const struct config *config_get(const struct config *cfg)
{
	if (cfg)
		atomic_fetch_add_explicit(&((struct config *)cfg)->refs, 1, memory_order_relaxed);
	return cfg;
}

void config_put(const struct config *cfg)
{
	struct config *c = (struct config *)cfg; /* the last reference owns it */

	if (!c || atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) != 1)
		return;
	if (c->derived_base) {
		/* Borrowed pointers into base and sc: only the shell is ours. */
		const struct config *base = c->derived_base;
		session_config_free(c->derived_sc);
		free(c);
		config_put(base);
		return;
	}
	config_free(c);
}

int config_derive(const struct config *base, struct session_config *sc, const struct config **out)
{
	struct config *c = malloc(sizeof(*c));

	*out = nullptr;
	if (!c) {
		session_config_free(sc);
		return -ENOMEM;
	}
	*c = *base;
	c->refs = 1;
	c->derived_base = config_get(base);
	c->derived_sc = sc;
	c->routes = sc->routes;
	c->route_default = sc->route_default;
	c->no_routes = sc->no_routes;
	c->dns = sc->dns;
	c->split_dns = sc->split_dns;
	c->default_domain = sc->default_domain;
	c->tunnel_all_dns = sc->tunnel_all_dns;
	c->idle_timeout_s = sc->idle_timeout_s;
	c->mobile_idle_timeout_s = sc->mobile_idle_timeout_s;
	c->session_timeout_s = sc->session_timeout_s;
	c->dpd_s = sc->dpd_s;
	c->mobile_dpd_s = sc->mobile_dpd_s;
	c->keepalive_s = sc->keepalive_s;
	c->deny_roaming = sc->deny_roaming;
	c->max_same_clients = sc->max_same_clients;
	c->mtu = sc->mtu;
	c->rx_data_per_sec = sc->rx_data_per_sec;
	c->tx_data_per_sec = sc->tx_data_per_sec;
	c->restrict_user_to_routes = sc->restrict_user_to_routes;
	c->hostname_override = sc->hostname;
	*out = c;
	return 0;
}

int config_load_buffer(const char *name, const char *text, size_t len, struct config **out,
		       char err[CONFIG_ERR_LEN])
{
	struct conf_ctx *ctx = nullptr;
	struct config *cfg = nullptr;
	unsigned nlines = 0;
	int ret;

	*out = nullptr;
	err[0] = '\0';
	cfg = calloc(1, sizeof(*cfg));
	ctx = calloc(1, sizeof(*ctx));
	if (!cfg || !ctx || !(cfg->path = strdup(name)) || conf_defaults_set(cfg) < 0) {
		snprintf(err, CONFIG_ERR_LEN, "%s: out of memory", name);
		ret = -ENOMEM;
		goto out;
	}
	ctx->cfg = cfg;
	cfg->refs = 1;
	ret = conf_parse_buffer(cfg->path, text, len, conf_directive_on_line, ctx, &nlines, err);
	if (ret < 0)
		goto out;
	ret = conf_check(ctx, cfg->path, nlines, err);
	if (ret < 0)
		goto out;
	*out = cfg;
	cfg = nullptr; /* owned by the caller */
out:
	free(ctx);
	config_free(cfg);
	return ret;
}

int config_load(const char *path, struct config **out, char err[CONFIG_ERR_LEN])
{
	char *text = nullptr;
	size_t len;
	FILE *f;
	int ret;

	*out = nullptr;
	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		snprintf(err, CONFIG_ERR_LEN, "%s: cannot open: %s", path, strerror(-ret));
		return ret;
	}
	/* One byte more than the limit, so the lexer sees an over-long file and says so. */
	text = malloc(CONF_FILE_MAX + 1);
	if (!text) {
		snprintf(err, CONFIG_ERR_LEN, "%s: out of memory", path);
		ret = -ENOMEM;
		goto out;
	}
	len = fread(text, 1, CONF_FILE_MAX + 1, f);
	if (ferror(f)) {
		snprintf(err, CONFIG_ERR_LEN, "%s: read error", path);
		ret = -EIO;
		goto out;
	}
	ret = config_load_buffer(path, text, len, out, err);
out:
	free(text);
	fclose(f);
	return ret;
}
