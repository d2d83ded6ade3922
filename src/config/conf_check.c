// SPDX-License-Identifier: GPL-2.0-or-later
/* config/conf_check.c — defaults of every key and the checks that span several keys (required
 * keys, ipv4-network + ipv4-netmask, ipv6-subnet-prefix, DTLS combinations). */
#include "config/conf_priv.h"
#include "config/group_conf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "core/log.h"

int conf_defaults_set(struct config *cfg)
{
	cfg->tcp_port = 443;
	cfg->auth_timeout_s = 240;
	cfg->min_reauth_time_s = 300;
	cfg->device = strdup("vpns");
	if (!cfg->device)
		return -ENOMEM;
	cfg->ipv6_subnet_prefix = 128;
	cfg->predictable_ips = true;
	cfg->keepalive_s = 32400;
	cfg->dpd_s = 90;
	cfg->mobile_dpd_s = 1800;
	cfg->cookie_timeout_s = 300;
	cfg->rekey_time_s = 172800;
	cfg->rekey_method = CFG_REKEY_SSL;
	cfg->log_level = LOG_INFO;
	cfg->dtls_psk = true;
	cfg->tun_offloads = true;
	cfg->per_source_connect_rate = 1000; /* a NAT of users shares one address */
	cfg->dtls_legacy = true;
	cfg->switch_to_tcp_timeout_s = 25; /* ocserv default */
	cfg->use_occtl = true;
	cfg->isolate_workers = true;
	cfg->max_ban_score = 80;
	cfg->ban_reset_time_s = 1200;
	cfg->ban_points_wrong_password = 10;
	cfg->ban_points_connection = 1;
	cfg->ban_points_kkdcp = 1;
	cfg->ebpf_xdp_mode = CFG_XDP_AUTO;
	return 0;
}

/* Combines ipv4-network with its length or ipv4-netmask into cfg->ipv4_network. */
static int check_ipv4(struct conf_ctx *ctx, const char *file, char err[CONFIG_ERR_LEN])
{
	struct cfg_pos net = {file, conf_ctx_line(ctx, "ipv4-network")};
	struct cfg_pos mask = {file, conf_ctx_line(ctx, "ipv4-netmask")};
	struct cfg_prefix p = ctx->v4_net;
	uint32_t a, m;

	if (!net.line) {
		if (mask.line) {
			conf_err(err, &mask, "ipv4-netmask", "given without ipv4-network");
			return -EINVAL;
		}
		return 0;
	}
	if (ctx->v4_has_len && mask.line && ctx->v4_mask_len != p.prefix_len) {
		conf_err(err, &mask, "ipv4-netmask", "/%u conflicts with ipv4-network /%u",
			 ctx->v4_mask_len, p.prefix_len);
		return -EINVAL;
	}
	if (!ctx->v4_has_len) {
		if (!mask.line) {
			conf_err(err, &net, "ipv4-network", "needs a /length or ipv4-netmask");
			return -EINVAL;
		}
		p.prefix_len = ctx->v4_mask_len;
	}
	if (p.prefix_len < 1 || p.prefix_len > 30) {
		conf_err(err, &net, "ipv4-network",
			 "prefix /%u must be 1..30 to leave room for clients", p.prefix_len);
		return -EINVAL;
	}
	a = ntohl(p.addr.v4.s_addr);
	m = UINT32_MAX << (32 - p.prefix_len);
	if (a & ~m) {
		struct cfg_prefix fixed = p;
		char buf[INET6_ADDRSTRLEN + 8];

		fixed.addr.v4.s_addr = htonl(a & m);
		conf_prefix_format(&fixed, buf, sizeof(buf));
		conf_err(err, &net, "ipv4-network", "host bits set (network is %s)", buf);
		return -EINVAL;
	}
	ctx->cfg->ipv4_network = p;
	ctx->cfg->have_ipv4 = true;
	return 0;
}

static int check_ipv6(struct conf_ctx *ctx, const char *file, char err[CONFIG_ERR_LEN])
{
	struct cfg_pos sub = {file, conf_ctx_line(ctx, "ipv6-subnet-prefix")};
	const struct config *cfg = ctx->cfg;

	if (!cfg->have_ipv6) {
		if (sub.line) {
			conf_err(err, &sub, "ipv6-subnet-prefix", "given without ipv6-network");
			return -EINVAL;
		}
		return 0;
	}
	if (cfg->ipv6_subnet_prefix <= cfg->ipv6_network.prefix_len) {
		if (!sub.line)
			sub.line = conf_ctx_line(ctx, "ipv6-network");
		conf_err(err, &sub, "ipv6-subnet-prefix",
			 "/%u must be longer than the ipv6-network prefix /%u",
			 cfg->ipv6_subnet_prefix, cfg->ipv6_network.prefix_len);
		return -EINVAL;
	}
	return 0;
}

int conf_check(struct conf_ctx *ctx, const char *file, unsigned nlines, char err[CONFIG_ERR_LEN])
{
	struct cfg_pos end = {file, nlines};
	struct config *cfg = ctx->cfg;
	int ret;

	cfg->tls_priorities_line = conf_ctx_line(ctx, "tls-priorities");
	/* Missing keys have no line of their own: point at the end of the file. */
	if (cfg->auth == CFG_AUTH_NONE) {
		conf_err(err, &end, "auth", "required but not set");
		return -EINVAL;
	}
	if (!cfg->server_cert) {
		conf_err(err, &end, "server-cert", "required but not set");
		return -EINVAL;
	}
	if (!cfg->server_key) {
		conf_err(err, &end, "server-key", "required but not set");
		return -EINVAL;
	}
	ret = check_ipv4(ctx, file, err);
	if (ret < 0)
		return ret;
	ret = check_ipv6(ctx, file, err);
	if (ret < 0)
		return ret;
	if (!cfg->have_ipv4 && !cfg->have_ipv6) {
		conf_err(err, &end, "ipv4-network", "required (or ipv6-network) but not set");
		return -EINVAL;
	}
	if (cfg->auto_select_group) {
		struct cfg_pos m = {file, conf_ctx_line(ctx, "auto-select-group")};
		char why[256];

		ret = group_conf__auto_select_groups(cfg, why, sizeof(why));
		if (ret == -EINVAL)
			conf_err(err, &m, "auto-select-group", "%s", why);
		if (ret < 0)
			return ret;
	}
	if (cfg->match_tls_dtls_ciphers && cfg->cisco_client_compat) {
		struct cfg_pos m = {file, conf_ctx_line(ctx, "match-tls-dtls-ciphers")};

		conf_err(err, &m, "match-tls-dtls-ciphers",
			 "cannot be combined with cisco-client-compat (legacy DTLS)");
		return -EINVAL;
	}
	if (cfg->match_tls_dtls_ciphers)
		cfg->dtls_legacy = false; /* as ocserv: the legacy protocol cannot match */
	if (cfg->cisco_client_compat)
		cfg->dtls_legacy = true;
	return 0;
}
