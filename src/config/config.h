// SPDX-License-Identifier: GPL-2.0-or-later
/* config/config.h — the immutable server configuration, loaded from an ocserv.conf-compatible
 * file. A struct config is built once by config_load() and never changed afterwards, so any
 * thread may read it without locks; a reload builds a new one. Owner: whoever called
 * config_load(); free with config_free(). */
#pragma once

#include <netinet/in.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

enum { CONFIG_ERR_LEN = 512 };

/* An IPv4 or IPv6 prefix: route, no-route, pool network. addr in network byte order. */
struct cfg_prefix {
	int family; /* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} addr;
	unsigned prefix_len;
};

/* A list of strings (dns, split-dns, …), in file order. */
struct cfg_strlist {
	char **items;
	size_t len;
};

struct cfg_prefixlist {
	struct cfg_prefix *items;
	size_t len;
};

enum cfg_auth_method : uint8_t {
	CFG_AUTH_NONE = 0,
	CFG_AUTH_PLAIN, /* auth = "plain[passwd=/path]" */
};

enum cfg_rekey_method : uint8_t {
	CFG_REKEY_SSL = 0, /* default, as ocserv */
	CFG_REKEY_NEW_TUNNEL,
};

enum cfg_xdp_mode : uint8_t {
	CFG_XDP_AUTO = 0, /* native if the driver supports it, else generic */
	CFG_XDP_NATIVE,
	CFG_XDP_GENERIC,
	CFG_XDP_DISABLED, /* no XDP; bans are enforced in user space */
};

/* auto | true | false */
enum cfg_tristate : uint8_t {
	CFG_AUTO = 0,
	CFG_OFF,
	CFG_ON,
};

struct config {
	char *path;	       /* the file it came from */
	_Atomic unsigned refs; /* config_get/config_put; 1 after config_load */
	/* A per-session config (config_derive): the base it overlays and the settings it owns. */
	const struct config *derived_base;
	struct session_config *derived_sc;

	/* Listening */
	char *listen_host; /* nullptr = all addresses */
	uint16_t tcp_port; /* default 443 */
	uint16_t udp_port; /* 0 = no DTLS */
	char *udp_listen_host;

	/* TLS identity */
	char *server_cert;
	char *server_key;
	char *ca_cert;
	char *tls_priorities;	      /* GnuTLS priority string; nullptr = default */
	unsigned tls_priorities_line; /* its line in path (0 = not set): for config_err_at() */

	/* Authentication */
	enum cfg_auth_method auth;
	char *auth_passwd;	    /* plain: path of the ocpasswd file */
	unsigned auth_timeout_s;    /* default 240 */
	unsigned min_reauth_time_s; /* default 300 */

	/* Network */
	char *device; /* tun device name, default "vpns" */
	bool have_ipv4;
	struct cfg_prefix ipv4_network; /* from ipv4-network + ipv4-netmask, or a/len */
	bool have_ipv6;
	struct cfg_prefix ipv6_network;
	unsigned ipv6_subnet_prefix;	 /* prefix given to each client, default 128 */
	struct cfg_strlist dns;		 /* literal addresses, v4 or v6 */
	struct cfg_prefixlist routes;	 /* split include; empty = default route */
	bool route_default;		 /* "route = default" seen */
	struct cfg_prefixlist no_routes; /* split exclude */
	char *default_domain;
	struct cfg_strlist split_dns;
	bool tunnel_all_dns;
	unsigned mtu;	      /* 0 = derive (1500 link) */
	bool predictable_ips; /* default true */

	/* Timers (seconds; 0 = unset/none) */
	unsigned keepalive_s;  /* default 32400 */
	unsigned dpd_s;	       /* default 90 */
	unsigned mobile_dpd_s; /* default 1800 */
	unsigned idle_timeout_s;
	unsigned mobile_idle_timeout_s;
	unsigned session_timeout_s;
	unsigned cookie_timeout_s; /* default 300 */
	unsigned rekey_time_s;	   /* default 172800 */
	enum cfg_rekey_method rekey_method;

	/* Limits and policy */
	unsigned max_clients;	   /* 0 = unlimited */
	unsigned max_same_clients; /* 0 = unlimited */
	bool deny_roaming;
	char *banner;

	/* Process */
	char *pid_file;
	char *run_as_user;
	char *run_as_group;
	int log_level;		 /* syslog priority derived from log-level/-d, default LOG_INFO */
	unsigned tun_queues;	 /* 0 = auto (= worker threads) */
	unsigned worker_threads; /* 0 = auto (= online CPUs) */
	bool tun_offloads;	 /* default true: IFF_VNET_HDR, TSO/USO super-packets */
	unsigned per_source_connect_rate; /* new connections/s per source (xdp_guard), 0 = off */

	/* DTLS (issue #3): parsed and stored; tunnels run over TLS only until then */
	bool dtls_psk;			  /* default true */
	bool dtls_legacy;		  /* default true */
	bool cisco_client_compat;	  /* default false */
	bool match_tls_dtls_ciphers;	  /* default false */
	unsigned switch_to_tcp_timeout_s; /* 0 = off */
	unsigned dtls_mtu;		  /* 0 = derive */

	/* Security/operations, validated and stored but not enforced yet (issues #5, #6) */
	unsigned max_ban_score;		    /* default 80; 0 = no bans */
	unsigned ban_reset_time_s;	    /* default 1200 */
	unsigned ban_points_wrong_password; /* default 10 */
	unsigned ban_points_connection;	    /* default 1 */
	unsigned ban_points_kkdcp;	    /* default 1 */
	unsigned rate_limit_ms;		    /* 0 = no limit */
	enum cfg_tristate enable_ebpf;	    /* default auto: use eBPF when the kernel allows */
	enum cfg_xdp_mode ebpf_xdp_mode;    /* default CFG_XDP_AUTO */
	bool enable_wolfsentry;
	char *wolfsentry_config; /* path of the JSON rule file */
	/* Per-user/per-group only (config_derive); never set by the main file. */
	unsigned rx_data_per_sec, tx_data_per_sec; /* bytes/s, 0 = unlimited */
	bool restrict_user_to_routes;
	char *hostname_override;
	bool isolate_workers;	 /* default true: seccomp filter on the whole server */
	bool use_occtl;		 /* default true: the control socket */
	char *occtl_socket_file; /* default /run/ocserv-modern.socket */
	char *metrics_listen;	 /* "host:port"; nullptr = off */

	/* Per-user/per-group files, group selection and scripts (issue #6; group_conf.h) */
	char *config_per_user;	    /* directory; nullptr = off */
	char *config_per_group;	    /* directory; nullptr = off */
	char *default_user_config;  /* file used when config_per_user has no file for the user */
	char *default_group_config; /* likewise for groups */
	struct cfg_select_group *select_groups; /* select-group lines, in file order */
	size_t select_groups_len;
	char *default_select_group; /* the virtual "default group" name; nullptr = none */
	bool auto_select_group;	    /* offer the groups of the password file */
	char *connect_script;	    /* executable paths; nullptr = none */
	char *disconnect_script;
	char *host_update_script;
};

/* Parse and validate the file at path (docs/CONFIG.md lists every key). On success *out owns a
 * new config. On failure *out is nullptr, the return is -EINVAL (bad content), -ENOMEM, or the
 * -errno of opening/reading the file (-ENOENT, -EACCES, -EIO), and err holds one line:
 * "file:line: key: what is wrong" (missing required keys point at the last line). Keys accepted
 * without effect or not enforced yet are logged (LOG_NOTICE / LOG_WARNING) while loading.
 * Main thread, before workers start. */
[[nodiscard]] int config_load(const char *path, struct config **out, char err[CONFIG_ERR_LEN]);
void config_free(struct config *cfg);
/* Reference counting, for reload: live sessions keep the config they started with. Any thread.
 * config_put frees at zero; both are nullptr-safe. */
const struct config *config_get(const struct config *cfg);
void config_put(const struct config *cfg);

/* Like config_load(), from text held in memory; name is used as the file name in err
 * (tests, and tools that embed a config). text need not be NUL-terminated. */
[[nodiscard]] int config_load_buffer(const char *name, const char *text, size_t len,
				     struct config **out, char err[CONFIG_ERR_LEN]);

/* A value checked outside config/ (tls-priorities by the tls module, run by main.c): writes
 * "file:line: key: why" into err like config_load() does; line 0 = the key was not set. */
void config_err_at(const struct config *cfg, unsigned line, const char *key, const char *why,
		   char err[CONFIG_ERR_LEN]);

/* "ssl" or "new-tunnel" (the ocserv spelling); "?" for an unknown value. */
const char *config_rekey_method_name(enum cfg_rekey_method m);

/* ---- per-user/per-group configuration (config/group_conf.c, issue #6) ---- */

/* One "select-group = name[Label]" line; label is name when no [Label] was given. The label is
 * free text (no control characters, no '[' or ']'): escape it when rendering HTML/XML. */
struct cfg_select_group {
	char *name;
	char *label;
};

enum group_config_kind : uint8_t {
	GROUP_CONFIG_USER = 0, /* config-per-user / default-user-config */
	GROUP_CONFIG_GROUP,    /* config-per-group / default-group-config */
};

/* Keys of a per-user/per-group file; bit (1 << key) of group_config.set says it was given. */
enum group_config_key : uint8_t {
	GCK_ROUTE = 0, /* routes + route_default */
	GCK_NO_ROUTE,
	GCK_DNS,
	GCK_SPLIT_DNS,
	GCK_DEFAULT_DOMAIN,
	GCK_IPV4_NETWORK, /* ipv4-network (+ ipv4-netmask), combined */
	GCK_IPV6_NETWORK,
	GCK_IPV6_SUBNET_PREFIX,
	GCK_EXPLICIT_IPV4,
	GCK_EXPLICIT_IPV6,
	GCK_IROUTE,
	GCK_RESTRICT_USER_TO_ROUTES,
	GCK_RX_DATA_PER_SEC,
	GCK_TX_DATA_PER_SEC,
	GCK_IDLE_TIMEOUT,
	GCK_MOBILE_IDLE_TIMEOUT,
	GCK_SESSION_TIMEOUT,
	GCK_DPD,
	GCK_MOBILE_DPD,
	GCK_KEEPALIVE,
	GCK_TUNNEL_ALL_DNS,
	GCK_DENY_ROAMING,
	GCK_HOSTNAME,
	GCK_MAX_SAME_CLIENTS,
	GCK_MTU,
	GCK__COUNT,
};

/* The settings of one per-user or per-group file, as parsed. A field is meaningful only when its
 * bit is in set; unset keys inherit (session_config_build()). Immutable once loaded. */
struct group_config {
	char *path; /* the file it came from */
	enum group_config_kind kind;
	uint32_t set; /* 1 << enum group_config_key */
	struct cfg_prefixlist routes;
	bool route_default; /* "route = default" */
	struct cfg_prefixlist no_routes;
	struct cfg_strlist dns;
	struct cfg_strlist split_dns;
	char *default_domain;
	struct cfg_prefix ipv4_network;
	struct cfg_prefix ipv6_network;
	unsigned ipv6_subnet_prefix;
	struct cfg_prefix explicit_ipv4; /* a /32 */
	struct cfg_prefix explicit_ipv6; /* address/len, len defaults to 128 */
	struct cfg_prefixlist iroutes;
	bool restrict_user_to_routes;
	unsigned rx_data_per_sec; /* bytes/s, 0 = unlimited */
	unsigned tx_data_per_sec;
	unsigned idle_timeout_s;
	unsigned mobile_idle_timeout_s;
	unsigned session_timeout_s;
	unsigned dpd_s;
	unsigned mobile_dpd_s;
	unsigned keepalive_s;
	bool tunnel_all_dns;
	bool deny_roaming;
	char *hostname;
	unsigned max_same_clients;
	unsigned mtu;
};

static inline bool group_config_has(const struct group_config *g, enum group_config_key k)
{
	return g && (g->set & (UINT32_C(1) << k));
}

/* Loads the per-user (kind USER) or per-group file for name: <config-per-user>/name, or
 * default-user-config when that file does not exist (the same for groups). Returns 0 with
 * *out == nullptr when nothing applies (no directory configured, or no file and no default).
 * The name is checked before any path is built: 1..64 bytes of [A-Za-z0-9._@+-], not starting
 * with '.' (so no '/', "..", hidden files or control bytes). Errors: -EINVAL (bad name or
 * content), -E2BIG (file over 64 KiB), -ENOMEM, or the -errno of opening/reading; err holds
 * "file:line: key: what". On success *out is owned by the caller: group_config_free().
 * Blocking file I/O: call from the auth pool or the main thread, not a worker loop. */
[[nodiscard]] int group_config_load(const struct config *cfg, enum group_config_kind kind,
				    const char *name, struct group_config **out,
				    char err[CONFIG_ERR_LEN]);
/* Parses a per-user/per-group file held in memory (no I/O); name is the file name in err. */
[[nodiscard]] int group_config_parse_buffer(const char *name, enum group_config_kind kind,
					    const char *text, size_t len, struct group_config **out,
					    char err[CONFIG_ERR_LEN]);
void group_config_free(struct group_config *g);
/* true if name may be used as a per-user/per-group file name (the rule above). */
bool group_config_name_is_valid(const char *name);

/* The effective settings for one session, self-contained (deep copies): the global config, then
 * the group file, then the user file (user wins). Lists (route, no-route, dns, split-dns,
 * iroute) are taken whole from the most specific level that sets them, never merged. */
struct session_config {
	struct cfg_prefixlist routes;
	bool route_default;
	struct cfg_prefixlist no_routes;
	struct cfg_strlist dns;
	struct cfg_strlist split_dns;
	char *default_domain; /* nullptr = none */
	bool have_ipv4;
	struct cfg_prefix ipv4_network;
	bool have_ipv6;
	struct cfg_prefix ipv6_network;
	unsigned ipv6_subnet_prefix;
	bool have_explicit_ipv4;
	struct cfg_prefix explicit_ipv4;
	bool have_explicit_ipv6;
	struct cfg_prefix explicit_ipv6;
	struct cfg_prefixlist iroutes;
	bool restrict_user_to_routes;
	unsigned rx_data_per_sec; /* 0 = unlimited */
	unsigned tx_data_per_sec;
	unsigned idle_timeout_s;
	unsigned mobile_idle_timeout_s;
	unsigned session_timeout_s;
	unsigned dpd_s;
	unsigned mobile_dpd_s;
	unsigned keepalive_s;
	bool tunnel_all_dns;
	bool deny_roaming;
	char *hostname; /* override of the client's hostname; nullptr = none */
	unsigned max_same_clients;
	unsigned mtu;
};

/* grp and usr may be nullptr. On success *out is owned by the caller (session_config_free()).
 * -ENOMEM, or -EINVAL when the merged ipv6-subnet-prefix is not longer than the merged
 * ipv6-network prefix (logged once here with the file names). */
[[nodiscard]] int session_config_build(const struct config *cfg, const struct group_config *grp,
				       const struct group_config *usr, struct session_config **out);
void session_config_free(struct session_config *s);

/* The configuration of one session: base with sc's values laid over it (routes, DNS, timers,
 * limits…). On success *out holds a reference to base and owns sc (config_put releases both);
 * on failure sc is freed. Fields sc does not carry come from base. */
[[nodiscard]] int config_derive(const struct config *base, struct session_config *sc,
				const struct config **out);

/* The new-connection limiter's burst (xdp_guard and its user-space twin): twice the rate, so a
 * NAT of users that share one source address (a SYN and two ClientHellos per new client) gets
 * through; only floods trip it. */
static inline unsigned config_connect_burst(const struct config *cfg)
{
	return 2 * cfg->per_source_connect_rate;
}
