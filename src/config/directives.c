// SPDX-License-Identifier: GPL-2.0-or-later
/* config/directives.c — the one table of ocserv.conf keys (STYLE.md §11): name, setter, field,
 * class, range. Every key ocserv knows is listed: implemented, stored for a later issue, accepted
 * without effect (with the reason), or refused. Cross-field checks live in conf_check.c. */
#include "config/conf_priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdckdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "config/group_conf.h"
#include "core/compiler.h"
#include "core/log.h"

struct directive;

/* field is nullptr for keys that are only validated. Returns 0, -EINVAL with why filled, or
 * -ENOMEM. */
typedef int conf_set_fn(struct conf_ctx *ctx, const struct directive *d, void *field,
			const char *value, char *why, size_t why_len);

enum {
	DIR_MULTI = 1 << 0,  /* may be repeated: a list */
	DIR_OFF_OK = 1 << 1, /* refused key, but "false" (its default) is accepted */
};

enum : size_t { DIR_NO_FIELD = SIZE_MAX };

struct directive {
	const char *name;
	conf_set_fn *set; /* nullptr for CONF_REFUSED */
	size_t offset;	  /* into struct config, or DIR_NO_FIELD */
	enum conf_class cls;
	uint8_t flags;
	unsigned min, max; /* for number setters */
	const char *note;  /* CONF_NO_EFFECT: why; CONF_NOT_ENFORCED: the issue */
};

static int set_uint(struct conf_ctx *ctx, const struct directive *d, void *field, const char *value,
		    char *why, size_t why_len)
{
	unsigned v;

	(void)ctx;
	if (conf_uint_parse(value, d->min, d->max, &v, why, why_len) < 0)
		return -EINVAL;
	if (field)
		*(unsigned *)field = v;
	return 0;
}

static int set_port(struct conf_ctx *ctx, const struct directive *d, void *field, const char *value,
		    char *why, size_t why_len)
{
	unsigned v;

	(void)ctx;
	if (conf_uint_parse(value, d->min, d->max, &v, why, why_len) < 0)
		return -EINVAL;
	*(uint16_t *)field = (uint16_t)v;
	return 0;
}

static int set_bool(struct conf_ctx *ctx, const struct directive *d, void *field, const char *value,
		    char *why, size_t why_len)
{
	bool v;

	(void)ctx;
	(void)d;
	if (conf_bool_parse(value, &v, why, why_len) < 0)
		return -EINVAL;
	if (field)
		*(bool *)field = v;
	return 0;
}

/* Any non-empty string: paths, names, banner, priority strings. */
static int set_str(struct conf_ctx *ctx, const struct directive *d, void *field, const char *value,
		   char *why, size_t why_len)
{
	(void)ctx;
	(void)d;
	if (!*value) {
		snprintf(why, why_len, "empty value");
		return -EINVAL;
	}
	return conf_store_str(field, value);
}

static int set_host(struct conf_ctx *ctx, const struct directive *d, void *field, const char *value,
		    char *why, size_t why_len)
{
	(void)ctx;
	(void)d;
	if (!conf_ip_is_literal(value) && !conf_dns_name_is_valid(value, false)) {
		snprintf(why, why_len, "\"%.64s\" is not an IP address or host name", value);
		return -EINVAL;
	}
	return conf_store_str(field, value);
}

static int set_hostport(struct conf_ctx *ctx, const struct directive *d, void *field,
			const char *value, char *why, size_t why_len)
{
	(void)ctx;
	(void)d;
	if (!conf_hostport_is_valid(value)) {
		snprintf(why, why_len, "\"%.64s\" is not host:port or [ipv6]:port", value);
		return -EINVAL;
	}
	return conf_store_str(field, value);
}

static int set_device(struct conf_ctx *ctx, const struct directive *d, void *field,
		      const char *value, char *why, size_t why_len)
{
	size_t len = strlen(value);

	(void)ctx;
	(void)d;
	if (len == 0 || len > 15) {
		snprintf(why, why_len, "\"%.64s\" must be 1..15 characters", value);
		return -EINVAL;
	}
	const char *pct = strchr(value, '%');
	/* One "%d" lets the kernel number the device (ocserv names it vpns0, vpns1, …). */
	if (pct && (pct[1] != 'd' || strchr(pct + 1, '%'))) {
		snprintf(why, why_len, "\"%.64s\" may only contain one %%d", value);
		return -EINVAL;
	}
	for (const char *c = value; *c; c++) {
		if (c == pct || (pct && c == pct + 1))
			continue;
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.')) {
			snprintf(why, why_len, "\"%.64s\" is not a valid interface name", value);
			return -EINVAL;
		}
	}
	return conf_store_str(field, value);
}

/* auth = "plain[passwd=/path]"; every other method is refused for now. */
static int set_auth(struct conf_ctx *ctx, const struct directive *d, void *field, const char *value,
		    char *why, size_t why_len)
{
	static const char *const later[] = {"certificate", "pam", "radius", "gssapi", "oidc"};
	const char *open = strchr(value, '[');
	size_t mlen = open ? (size_t)(open - value) : strlen(value);
	struct config *cfg = ctx->cfg;
	char opts[CONF_LINE_MAX + 1];
	char *passwd = nullptr, *save = nullptr;
	size_t olen;

	(void)d;
	(void)field;
	if (mlen != 5 || memcmp(value, "plain", 5) != 0) {
		for (size_t i = 0; i < ARRAY_SIZE(later); i++) {
			if (strlen(later[i]) == mlen && !memcmp(value, later[i], mlen)) {
				snprintf(why, why_len, "\"%.*s\" is not supported yet", (int)mlen,
					 value);
				return -EINVAL;
			}
		}
		snprintf(why, why_len, "\"%.64s\" is not an authentication method", value);
		return -EINVAL;
	}
	olen = open ? strlen(open) : 0;
	if (olen < 3 || open[olen - 1] != ']') {
		snprintf(why, why_len, "plain needs [passwd=/path/to/ocpasswd]");
		return -EINVAL;
	}
	memcpy(opts, open + 1, olen - 2);
	opts[olen - 2] = '\0';
	for (char *o = strtok_r(opts, ",", &save); o; o = strtok_r(nullptr, ",", &save)) {
		if (!strncmp(o, "passwd=", 7) && o[7] && !passwd) {
			passwd = o + 7;
		} else if (!strncmp(o, "otp=", 4)) {
			snprintf(why, why_len, "plain: \"otp\" is not supported yet");
			return -EINVAL;
		} else {
			snprintf(why, why_len, "plain: bad option \"%.64s\"", o);
			return -EINVAL;
		}
	}
	if (!passwd) {
		snprintf(why, why_len, "plain needs [passwd=/path/to/ocpasswd]");
		return -EINVAL;
	}
	if (conf_store_str(&cfg->auth_passwd, passwd) < 0)
		return -ENOMEM;
	cfg->auth = CFG_AUTH_PLAIN;
	return 0;
}

static int set_ipv4_network(struct conf_ctx *ctx, const struct directive *d, void *field,
			    const char *value, char *why, size_t why_len)
{
	(void)d;
	(void)field;
	/* Without a length the host-bit check waits for ipv4-netmask (conf_check.c). */
	if (!strchr(value, '/')) {
		ctx->v4_has_len = false;
		if (inet_pton(AF_INET, value, &ctx->v4_net.addr.v4) != 1) {
			snprintf(why, why_len, "\"%.64s\" is not an IPv4 network", value);
			return -EINVAL;
		}
		ctx->v4_net.family = AF_INET;
		return 0;
	}
	ctx->v4_has_len = true;
	return conf_prefix_parse(value, AF_INET, &ctx->v4_net, &ctx->v4_has_len, why, why_len);
}

static int set_ipv4_netmask(struct conf_ctx *ctx, const struct directive *d, void *field,
			    const char *value, char *why, size_t why_len)
{
	(void)d;
	(void)field;
	return conf_netmask4_parse(value, &ctx->v4_mask_len, why, why_len);
}

static int set_ipv6_network(struct conf_ctx *ctx, const struct directive *d, void *field,
			    const char *value, char *why, size_t why_len)
{
	struct cfg_prefix p;
	bool has_len;

	(void)d;
	if (conf_prefix_parse(value, AF_INET6, &p, &has_len, why, why_len) < 0)
		return -EINVAL;
	if (!has_len || p.prefix_len < 1 || p.prefix_len > 127) {
		snprintf(why, why_len, "\"%.64s\" needs a prefix length 1..127", value);
		return -EINVAL;
	}
	*(struct cfg_prefix *)field = p;
	ctx->cfg->have_ipv6 = true;
	return 0;
}

static int set_dns(struct conf_ctx *ctx, const struct directive *d, void *field, const char *value,
		   char *why, size_t why_len)
{
	(void)ctx;
	(void)d;
	if (!conf_ip_is_literal(value)) {
		snprintf(why, why_len, "\"%.64s\" is not an IPv4 or IPv6 address", value);
		return -EINVAL;
	}
	return conf_strlist_add(field, value, why, why_len);
}

static int set_split_dns(struct conf_ctx *ctx, const struct directive *d, void *field,
			 const char *value, char *why, size_t why_len)
{
	(void)ctx;
	(void)d;
	if (!conf_dns_name_is_valid(value, true)) {
		snprintf(why, why_len, "\"%.64s\" is not a domain name", value);
		return -EINVAL;
	}
	return conf_strlist_add(field, value, why, why_len);
}

/* default-domain: one domain, or several separated by single spaces (openconnect splits them). */
static int set_domains(struct conf_ctx *ctx, const struct directive *d, void *field,
		       const char *value, char *why, size_t why_len)
{
	char copy[CONF_LINE_MAX + 1];
	char *save = nullptr;
	size_t n = 0;

	(void)ctx;
	(void)d;
	snprintf(copy, sizeof(copy), "%s", value);
	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(nullptr, " ", &save), n++) {
		if (!conf_dns_name_is_valid(t, false)) {
			snprintf(why, why_len, "\"%.64s\" is not a domain name", t);
			return -EINVAL;
		}
	}
	if (n == 0) {
		snprintf(why, why_len, "empty value");
		return -EINVAL;
	}
	return conf_store_str(field, value);
}

static int set_route(struct conf_ctx *ctx, const struct directive *d, void *field,
		     const char *value, char *why, size_t why_len)
{
	struct cfg_prefixlist *l = field;
	struct cfg_prefix p;
	bool has_len;
	int ret;

	if (!strcmp(value, "default")) {
		if (l != &ctx->cfg->routes) {
			snprintf(why, why_len, "\"default\" is only valid for route");
			return -EINVAL;
		}
		ctx->cfg->route_default = true;
		return 0;
	}
	(void)d;
	if (conf_prefix_parse(value, 0, &p, &has_len, why, why_len) < 0)
		return -EINVAL;
	ret = conf_list_grow((void **)&l->items, l->len, sizeof(*l->items), why, why_len);
	if (ret < 0)
		return ret;
	l->items[l->len++] = p;
	return 0;
}

static int set_rekey_method(struct conf_ctx *ctx, const struct directive *d, void *field,
			    const char *value, char *why, size_t why_len)
{
	(void)ctx;
	(void)d;
	if (!strcmp(value, "ssl")) {
		*(enum cfg_rekey_method *)field = CFG_REKEY_SSL;
	} else if (!strcmp(value, "new-tunnel")) {
		*(enum cfg_rekey_method *)field = CFG_REKEY_NEW_TUNNEL;
	} else {
		snprintf(why, why_len, "\"%.64s\" is not ssl or new-tunnel", value);
		return -EINVAL;
	}
	return 0;
}

int conf_log_level_to_syslog(unsigned level)
{
	/* ocserv: 0 default, 1 basic, 2 info, 3 debug, 4 http, 8 sensitive, 9 TLS. We never log
	 * secrets, so everything from 3 up is simply LOG_DEBUG. */
	return level <= 2 ? LOG_INFO : LOG_DEBUG;
}

static int set_log_level(struct conf_ctx *ctx, const struct directive *d, void *field,
			 const char *value, char *why, size_t why_len)
{
	unsigned v;

	(void)ctx;
	if (conf_uint_parse(value, d->min, d->max, &v, why, why_len) < 0)
		return -EINVAL;
	*(int *)field = conf_log_level_to_syslog(v);
	return 0;
}

/* "auto" (stored as 0) or a count in d->min..d->max. */
static int set_auto_count(struct conf_ctx *ctx, const struct directive *d, void *field,
			  const char *value, char *why, size_t why_len)
{
	if (!strcmp(value, "auto")) {
		*(unsigned *)field = 0;
		return 0;
	}
	if (set_uint(ctx, d, field, value, why, why_len) < 0) {
		snprintf(why, why_len, "\"%.64s\" is not auto or %u..%u", value, d->min, d->max);
		return -EINVAL;
	}
	return 0;
}

static int set_xdp_mode(struct conf_ctx *ctx, const struct directive *d, void *field,
			const char *value, char *why, size_t why_len)
{
	static const char *const names[] = {[CFG_XDP_AUTO] = "auto",
					    [CFG_XDP_NATIVE] = "native",
					    [CFG_XDP_GENERIC] = "generic",
					    [CFG_XDP_DISABLED] = "disabled"};

	(void)ctx;
	(void)d;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(value, names[i])) {
			*(enum cfg_xdp_mode *)field = (enum cfg_xdp_mode)i;
			return 0;
		}
	}
	snprintf(why, why_len, "\"%.64s\" is not auto, native, generic or disabled", value);
	return -EINVAL;
}

/* enable-ebpf = auto | true | false (and the other boolean spellings). */
static int set_tristate(struct conf_ctx *ctx, const struct directive *d, void *field,
			const char *value, char *why, size_t why_len)
{
	bool on;

	if (!strcasecmp(value, "auto")) {
		*(enum cfg_tristate *)field = CFG_AUTO;
		return 0;
	}
	if (set_bool(ctx, d, &on, value, why, why_len)) {
		snprintf(why, why_len, "\"%.64s\" is not auto, true or false", value);
		return -EINVAL;
	}
	*(enum cfg_tristate *)field = on ? CFG_ON : CFG_OFF;
	return 0;
}

#define F(member) offsetof(struct config, member)
#define NOF	  DIR_NO_FIELD
enum { SEC_MAX = 31536000, U_MAX = 1000000 }; /* one year; a generous count */

#define IMPL(n, fn, off, lo, hi)	 {n, fn, off, CONF_IMPLEMENTED, 0, lo, hi, nullptr}
#define LIST(n, fn, off)		 {n, fn, off, CONF_IMPLEMENTED, DIR_MULTI, 0, 0, nullptr}
#define DTLS(n, fn, off, lo, hi)	 {n, fn, off, CONF_DTLS, 0, lo, hi, nullptr}
#define LATER(n, fn, off, lo, hi, issue) {n, fn, off, CONF_NOT_ENFORCED, 0, lo, hi, issue}
#define NOOP(n, fn, lo, hi, why)	 {n, fn, NOF, CONF_NO_EFFECT, DIR_MULTI, lo, hi, why}
#define REFUSE(n)			 {n, nullptr, NOF, CONF_REFUSED, DIR_MULTI, 0, 0, nullptr}
#define REFUSE_ON(n)			 {n, nullptr, NOF, CONF_REFUSED, DIR_MULTI | DIR_OFF_OK, 0, 0, nullptr}
#define REFUSE_WHY(n, why)		 {n, nullptr, NOF, CONF_REFUSED, DIR_MULTI, 0, 0, why}
#define PER_USER_ONLY                                                                              \
	"only valid in a per-user or per-group file (config-per-user, config-per-group)"

static const struct directive directives[] = {
	/* Implemented */
	IMPL("auth", set_auth, NOF, 0, 0),
	IMPL("listen-host", set_host, F(listen_host), 0, 0),
	IMPL("udp-listen-host", set_host, F(udp_listen_host), 0, 0),
	IMPL("tcp-port", set_port, F(tcp_port), 1, 65535),
	IMPL("udp-port", set_port, F(udp_port), 0, 65535), /* 0 = no DTLS */
	IMPL("server-cert", set_str, F(server_cert), 0, 0),
	IMPL("server-key", set_str, F(server_key), 0, 0),
	IMPL("ca-cert", set_str, F(ca_cert), 0, 0),
	IMPL("tls-priorities", set_str, F(tls_priorities), 0, 0),
	IMPL("device", set_device, F(device), 0, 0),
	IMPL("ipv4-network", set_ipv4_network, NOF, 0, 0),
	IMPL("ipv4-netmask", set_ipv4_netmask, NOF, 0, 0),
	IMPL("ipv6-network", set_ipv6_network, F(ipv6_network), 0, 0),
	IMPL("ipv6-subnet-prefix", set_uint, F(ipv6_subnet_prefix), 1, 128),
	LIST("dns", set_dns, F(dns)),
	LIST("route", set_route, F(routes)),
	LIST("no-route", set_route, F(no_routes)),
	IMPL("default-domain", set_domains, F(default_domain), 0, 0),
	LIST("split-dns", set_split_dns, F(split_dns)),
	IMPL("tunnel-all-dns", set_bool, F(tunnel_all_dns), 0, 0),
	IMPL("mtu", set_uint, F(mtu), 576, 9000),
	IMPL("keepalive", set_uint, F(keepalive_s), 0, 86400),
	IMPL("dpd", set_uint, F(dpd_s), 0, 86400),
	IMPL("mobile-dpd", set_uint, F(mobile_dpd_s), 0, 86400),
	IMPL("idle-timeout", set_uint, F(idle_timeout_s), 0, SEC_MAX),
	IMPL("mobile-idle-timeout", set_uint, F(mobile_idle_timeout_s), 0, SEC_MAX),
	IMPL("session-timeout", set_uint, F(session_timeout_s), 0, SEC_MAX),
	IMPL("cookie-timeout", set_uint, F(cookie_timeout_s), 1, 604800),
	IMPL("max-clients", set_uint, F(max_clients), 0, U_MAX),
	IMPL("max-same-clients", set_uint, F(max_same_clients), 0, U_MAX),
	IMPL("predictable-ips", set_bool, F(predictable_ips), 0, 0),
	IMPL("banner", set_str, F(banner), 0, 0),
	IMPL("pid-file", set_str, F(pid_file), 0, 0),
	IMPL("run-as-user", set_str, F(run_as_user), 0, 0),
	IMPL("run-as-group", set_str, F(run_as_group), 0, 0),
	IMPL("auth-timeout", set_uint, F(auth_timeout_s), 1, 3600),
	IMPL("min-reauth-time", set_uint, F(min_reauth_time_s), 0, 86400),
	IMPL("rekey-time", set_uint, F(rekey_time_s), 0, SEC_MAX),
	IMPL("rekey-method", set_rekey_method, F(rekey_method), 0, 0),
	IMPL("log-level", set_log_level, F(log_level), 0, 9),
	IMPL("deny-roaming", set_bool, F(deny_roaming), 0, 0),
	IMPL("tun-queues", set_auto_count, F(tun_queues), 1, 256),
	IMPL("worker-threads", set_auto_count, F(worker_threads), 1, 256),
	IMPL("tun-offloads", set_bool, F(tun_offloads), 0, 0),
	IMPL("per-source-connect-rate", set_uint, F(per_source_connect_rate), 0, 1000000),

	/* Per-user/per-group files, group selection, scripts (issue #6, group_conf.c) */
	IMPL("config-per-user", group_conf__set_dir, F(config_per_user), 0, 0),
	IMPL("config-per-group", group_conf__set_dir, F(config_per_group), 0, 0),
	IMPL("default-user-config", group_conf__set_default_file, F(default_user_config), 0, 0),
	IMPL("default-group-config", group_conf__set_default_file, F(default_group_config), 0, 0),
	LIST("select-group", group_conf__set_select_group, NOF),
	IMPL("default-select-group", group_conf__set_select_label, F(default_select_group), 0, 0),
	IMPL("auto-select-group", set_bool, F(auto_select_group), 0, 0),
	IMPL("connect-script", group_conf__set_script, F(connect_script), 0, 0),
	IMPL("disconnect-script", group_conf__set_script, F(disconnect_script), 0, 0),
	IMPL("host-update-script", group_conf__set_script, F(host_update_script), 0, 0),

	/* DTLS: stored for issue #3 */
	DTLS("dtls-psk", set_bool, F(dtls_psk), 0, 0),
	DTLS("dtls-legacy", set_bool, F(dtls_legacy), 0, 0),
	DTLS("cisco-client-compat", set_bool, F(cisco_client_compat), 0, 0),
	DTLS("match-tls-dtls-ciphers", set_bool, F(match_tls_dtls_ciphers), 0, 0),
	DTLS("switch-to-tcp-timeout", set_uint, F(switch_to_tcp_timeout_s), 0, 3600),
	DTLS("dtls-mtu", set_uint, F(dtls_mtu), 256, 9000),

	/* Intrusion prevention (sentry, eBPF) and operations */
	IMPL("max-ban-score", set_uint, F(max_ban_score), 0, U_MAX),
	IMPL("ban-reset-time", set_uint, F(ban_reset_time_s), 0, SEC_MAX),
	IMPL("ban-points-wrong-password", set_uint, F(ban_points_wrong_password), 0, U_MAX),
	IMPL("ban-points-connection", set_uint, F(ban_points_connection), 0, U_MAX),
	IMPL("ban-points-kkdcp", set_uint, F(ban_points_kkdcp), 0, U_MAX),
	IMPL("rate-limit-ms", set_uint, F(rate_limit_ms), 0, 60000),
	IMPL("enable-ebpf", set_tristate, F(enable_ebpf), 0, 0),
	IMPL("ebpf-xdp-mode", set_xdp_mode, F(ebpf_xdp_mode), 0, 0),
	IMPL("enable-wolfsentry", set_bool, F(enable_wolfsentry), 0, 0),
	IMPL("wolfsentry-config", set_str, F(wolfsentry_config), 0, 0),
	IMPL("metrics-listen", set_hostport, F(metrics_listen), 0, 0),
	IMPL("use-occtl", set_bool, F(use_occtl), 0, 0),
	IMPL("occtl-socket-file", set_str, F(occtl_socket_file), 0, 0),

	/* Accepted without effect: ocserv multi-process internals and the like */
	NOOP("socket-file", set_str, 0, 0, "no main/worker IPC: workers are threads"),
	IMPL("isolate-workers", set_bool, F(isolate_workers), 0, 0), /* seccomp, whole server */
	NOOP("chroot-dir", set_str, 0, 0,
	     "no worker processes to confine; privileges are dropped and seccomp applied"),
	NOOP("sec-mod-scale", set_uint, 0, U_MAX, "no sec-mod processes: auth runs on a pool"),
	NOOP("server-stats-reset-time", set_uint, 0, SEC_MAX,
	     "counters are cumulative and exported as metrics"),
	NOOP("stats-report-time", set_uint, 0, SEC_MAX, "only used by accounting, not supported"),
	NOOP("dh-params", set_str, 0, 0, "key exchange uses ECDHE and FFDHE groups, not DH files"),
	NOOP("try-mtu-discovery", set_bool, 0, 0,
	     "the client probes the DTLS MTU; the server echoes its DPDs byte for byte"),
	NOOP("ping-leases", set_bool, 0, 0,
	     "leases are not probed: the pool must be reserved for this server"),
	NOOP("cert-user-oid", set_str, 0, 0, "only used by certificate auth, not supported yet"),
	NOOP("cert-group-oid", set_str, 0, 0, "only used by certificate auth, not supported yet"),
	NOOP("server-drain-ms", set_uint, 0, SEC_MAX, "shutdown does not wait for a drain period"),
	NOOP("output-buffer", set_uint, 0, U_MAX, "queue sizes are fixed internally"),
	NOOP("no-compress-limit", set_uint, 0, U_MAX, "compression is not supported"),

	/* Refused: ignoring them would change what clients or operators get */
	REFUSE("acct"),
	REFUSE("enable-auth"),
	REFUSE_ON("listen-host-is-dyndns"),
	REFUSE("listen-netns"),
	REFUSE("listen-clear-file"),
	REFUSE_ON("listen-proxy-proto"),
	REFUSE("pin-file"),
	REFUSE("srk-pin-file"),
	REFUSE("key-pin"),
	REFUSE("srk-pin"),
	REFUSE("crl"),
	REFUSE("ocsp-response"),
	REFUSE("pre-login-banner"),
	REFUSE_ON("compression"),
	REFUSE_ON("camouflage"),
	REFUSE("camouflage_secret"),
	REFUSE("camouflage_realm"),
	REFUSE_ON("use-utmp"),
	REFUSE("net-priority"),
	REFUSE("cgroup"),
	REFUSE("nbns"),
	REFUSE("rx-data-per-sec"),
	REFUSE("tx-data-per-sec"),
	REFUSE_ON("restrict-user-to-routes"),
	REFUSE("restrict-user-to-ports"),
	REFUSE_WHY("iroute", PER_USER_ONLY),
	REFUSE_ON("expose-iroutes"),
	REFUSE("route-add-cmd"),
	REFUSE("route-del-cmd"),
	REFUSE_WHY("explicit-ipv4", PER_USER_ONLY),
	REFUSE_WHY("explicit-ipv6", PER_USER_ONLY),
	REFUSE("hostname"),
	REFUSE_ON("no-udp"),
	REFUSE("proxy-url"),
	REFUSE("kkdcp"),
	REFUSE("user-profile"),
	REFUSE("custom-header"),
	REFUSE_ON("client-bypass-protocol"),
	REFUSE_ON("persistent-cookies"),
};

static_assert(ARRAY_SIZE(directives) <= CONF_DIRECTIVES_MAX);

static const struct directive *directive_find(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(directives); i++) {
		if (!strcmp(directives[i].name, key))
			return &directives[i];
	}
	return nullptr;
}

int conf_directive_class(const char *key, enum conf_class *cls)
{
	const struct directive *d = directive_find(key);

	if (!d)
		return -ENOENT;
	*cls = d->cls;
	return 0;
}

unsigned conf_ctx_line(const struct conf_ctx *ctx, const char *key)
{
	const struct directive *d = directive_find(key);

	return d ? ctx->seen[d - directives] : 0;
}

int conf_directive_on_line(void *opaque, const char *key, const char *value,
			   const struct cfg_pos *pos, char err[CONFIG_ERR_LEN])
{
	struct conf_ctx *ctx = opaque;
	const struct directive *d = directive_find(key);
	char why[CONF_WHY_LEN] = "";
	unsigned *seen;
	void *field;
	bool off;
	int ret;

	if (!d) {
		conf_err(err, pos, key, "unknown option");
		return -EINVAL;
	}
	seen = &ctx->seen[d - directives];
	if (*seen && !(d->flags & DIR_MULTI)) {
		conf_err(err, pos, key, "given twice (first on line %u)", *seen);
		return -EINVAL;
	}
	if (d->cls == CONF_REFUSED) {
		if (!(d->flags & DIR_OFF_OK) ||
		    conf_bool_parse(value, &off, why, sizeof(why)) < 0 || off) {
			conf_err(err, pos, key, "%s", d->note ? d->note : "not supported yet");
			return -EINVAL;
		}
		log_msg(LOG_NOTICE, "%s:%u: %s: accepted, has no effect (false is the default)",
			pos->file, pos->line, key);
		*seen = *seen ? *seen : pos->line;
		return 0;
	}
	field = d->offset == DIR_NO_FIELD ? nullptr : (char *)ctx->cfg + d->offset;
	ret = d->set(ctx, d, field, value, why, sizeof(why));
	if (ret == -ENOMEM) {
		conf_err(err, pos, key, "out of memory");
		return ret;
	}
	if (ret < 0) {
		conf_err(err, pos, key, "%s", why);
		return -EINVAL;
	}
	*seen = *seen ? *seen : pos->line;
	if (d->cls == CONF_NO_EFFECT)
		log_msg(LOG_NOTICE, "%s:%u: %s: accepted, has no effect (%s)", pos->file, pos->line,
			key, d->note);
	else if (d->cls == CONF_NOT_ENFORCED)
		log_msg(LOG_WARNING, "%s:%u: %s: not enforced yet (%s)", pos->file, pos->line, key,
			d->note);
	return 0;
}
