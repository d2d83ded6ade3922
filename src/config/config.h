// SPDX-License-Identifier: GPL-2.0-or-later
/* config/config.h — the immutable server configuration, loaded from an ocserv.conf-compatible
 * file. A struct config is built once by config_load() and never changed afterwards, so any
 * thread may read it without locks; a reload builds a new one. Owner: whoever called
 * config_load(); free with config_free(). */
#pragma once

#include <netinet/in.h>
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
};

struct config {
	char *path; /* the file it came from */

	/* Listening */
	char *listen_host; /* nullptr = all addresses */
	uint16_t tcp_port; /* default 443 */
	uint16_t udp_port; /* 0 = no DTLS */
	char *udp_listen_host;

	/* TLS identity */
	char *server_cert;
	char *server_key;
	char *ca_cert;
	char *tls_priorities; /* GnuTLS priority string; nullptr = default */

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
	bool enable_ebpf;
	enum cfg_xdp_mode ebpf_xdp_mode; /* default CFG_XDP_AUTO */
	bool enable_wolfsentry;
	char *wolfsentry_config; /* path of the JSON rule file */
	char *metrics_listen;	 /* "host:port"; nullptr = off */
};

/* Parse and validate the file at path (docs/CONFIG.md lists every key). On success *out owns a
 * new config. On failure *out is nullptr, the return is -EINVAL (bad content), -ENOMEM, or the
 * -errno of opening/reading the file (-ENOENT, -EACCES, -EIO), and err holds one line:
 * "file:line: key: what is wrong" (missing required keys point at the last line). Keys accepted
 * without effect or not enforced yet are logged (LOG_NOTICE / LOG_WARNING) while loading.
 * Main thread, before workers start. */
[[nodiscard]] int config_load(const char *path, struct config **out, char err[CONFIG_ERR_LEN]);
void config_free(struct config *cfg);

/* Like config_load(), from text held in memory; name is used as the file name in err
 * (tests, and tools that embed a config). text need not be NUL-terminated. */
[[nodiscard]] int config_load_buffer(const char *name, const char *text, size_t len,
				     struct config **out, char err[CONFIG_ERR_LEN]);

/* "ssl" or "new-tunnel" (the ocserv spelling); "?" for an unknown value. */
const char *config_rekey_method_name(enum cfg_rekey_method m);
