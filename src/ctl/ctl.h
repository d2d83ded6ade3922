// SPDX-License-Identifier: GPL-2.0-or-later
/* ctl/ctl.h — the control socket server (occtl's peer) and the Prometheus metrics endpoint.
 * Both run on the main thread's loop; the lead fills the plain structs below from the
 * session table, ban list and counters. Wire format: ctl/ctl_proto.h. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct loop;

enum {
	CTL_NAME_LEN = 64,  /* user, group, vhost, hostname */
	CTL_IP_LEN = 48,    /* INET6_ADDRSTRLEN rounded up */
	CTL_DEV_LEN = 16,   /* IFNAMSIZ */
	CTL_TEXT_LEN = 160, /* user agent, cipher names */
	CTL_SID_LEN = 64,   /* printable session id */
	CTL_MAX_CLIENTS = 16,
};

/* A list of strings (DNS servers, routes …). Heap-owned by the struct that embeds it. */
struct ctl_strlist {
	char **v;
	size_t n;
};

/* Append a copy of s; -ENOMEM. */
[[nodiscard]] int ctl_strlist_add(struct ctl_strlist *l, const char *s);
void ctl_strlist_fini(struct ctl_strlist *l);

/* One connected (or detached) user session, as occtl shows it. Empty string = unknown. */
struct ctl_user {
	uint32_t id;
	char username[CTL_NAME_LEN];
	char groupname[CTL_NAME_LEN];
	char state[24]; /* "connected", "detached", "authenticated" … */
	char vhost[CTL_NAME_LEN];
	char device[CTL_DEV_LEN];
	uint32_t mtu; /* 0 = unknown */
	char remote_ip[CTL_IP_LEN];
	char local_dev_ip[CTL_IP_LEN]; /* the server address the client connected to */
	char ipv4[CTL_IP_LEN], ptp_ipv4[CTL_IP_LEN];
	char ipv6[CTL_IP_LEN], ptp_ipv6[CTL_IP_LEN];
	char user_agent[CTL_TEXT_LEN];
	char hostname[CTL_NAME_LEN];
	uint64_t rx_bytes, tx_bytes; /* from the client, to the client */
	uint32_t dpd_s, keepalive_s;
	time_t connected_at;		/* wall clock */
	char session[CTL_SID_LEN];	/* short form, first 6 characters shown */
	char full_session[CTL_SID_LEN]; /* printable safe id, never the cookie */
	char tls_cipher[CTL_TEXT_LEN];
	char dtls_cipher[CTL_TEXT_LEN];
	/* The session's own settings (per-user/-group files, the config of its login); routes
	 * empty = the default route. */
	struct ctl_strlist dns, nbns, domains, routes, no_routes, iroutes, fw_ports;
	bool restrict_to_routes;
	uint64_t rx_per_sec, tx_per_sec; /* rx-/tx-data-per-sec in bytes/s, 0 = unlimited */
};

/* A cookie session ("show sessions"). */
struct ctl_session {
	char session[CTL_SID_LEN];
	char full_session[CTL_SID_LEN];
	time_t created, expires;
	char state[24];
	bool valid; /* authenticated and usable: listed by "show sessions valid" */
	char username[CTL_NAME_LEN];
	char groupname[CTL_NAME_LEN];
	char vhost[CTL_NAME_LEN];
	char user_agent[CTL_TEXT_LEN];
	char remote_ip[CTL_IP_LEN];
	bool in_use, activated, tls_auth_ok;
};

/* A scored or banned address. expires == 0: not banned (points only). */
struct ctl_ban {
	char ip[CTL_IP_LEN];
	uint32_t score;
	time_t expires;
};

struct ctl_status {
	pid_t pid, secmod_pid;	   /* secmod_pid 0 = none */
	uint32_t secmod_instances; /* threads doing sec-mod's work (the auth pool) */
	time_t up_since, last_reset;
	uint64_t active_sessions, total_sessions, total_auth_failures, banned_ips;
	uint64_t sessions_handled, timed_out, idle_timed_out, error_sessions, auth_failures;
	uint64_t avg_auth_time_s, max_auth_time_s, avg_session_time_s, max_session_time_s;
	uint64_t rx_bytes, tx_bytes; /* since start: from the clients, to the clients */
	uint32_t min_mtu, max_mtu;
};

struct ctl_event {
	bool connected;		     /* false: disconnected */
	const char *reason;	     /* on disconnect; NULL = "unknown" */
	const struct ctl_user *user; /* borrowed */
};

/* Callbacks into the server proper, all called on the loop's thread. Any may be NULL: that
 * command then answers "not supported". Lists are allocated by the callback (calloc) and
 * freed by ctl with ctl_users_free()/free(). Ints are 0 or -errno unless said otherwise. */
struct ctl_ops {
	int (*list_users)(void *ctx, struct ctl_user **arr, size_t *n);
	/* Returns how many sessions were disconnected (>= 0) or -errno. terminate: also end the
	 * cookie session, so the client cannot reconnect. */
	int (*disconnect_user)(void *ctx, const char *name, bool terminate);
	int (*disconnect_id)(void *ctx, uint32_t id, bool terminate);
	int (*list_sessions)(void *ctx, struct ctl_session **arr, size_t *n);
	int (*terminate_session)(void *ctx, const char *sid); /* count or -errno */
	int (*status)(void *ctx, struct ctl_status *st);
	int (*list_bans)(void *ctx, struct ctl_ban **arr, size_t *n);
	int (*list_ban_points)(void *ctx, struct ctl_ban **arr, size_t *n);
	int (*ban_ip)(void *ctx, const char *addr, uint32_t seconds);
	int (*unban_ip)(void *ctx, const char *addr); /* -ENOENT when not banned */
	/* err gets a one-line reason on failure. */
	int (*reload)(void *ctx, char *err, size_t err_len);
	int (*stop)(void *ctx);
};

void ctl_user_fini(struct ctl_user *u);
/* Finalizes each user and frees arr; NULL-safe. */
void ctl_users_free(struct ctl_user *arr, size_t n);

struct ctl_server;

/* Listen on the Unix socket path (replacing a stale socket there; mode 0660). ops and ctx are
 * borrowed for the server's lifetime. Call on l's thread. -ENAMETOOLONG, -EEXIST (a non-socket
 * file is in the way), -errno from socket/bind/listen. */
[[nodiscard]] int ctl_server_new(struct loop *l, const char *path, const struct ctl_ops *ops,
				 void *ctx, struct ctl_server **out);
/* Closes every client and the listener, unlinks the path. NULL-safe. Loop thread only. */
void ctl_server_free(struct ctl_server *srv);
/* Push ev to every "show events" subscriber. A subscriber too slow to take it is dropped.
 * Loop thread only. */
void ctl_server_event(struct ctl_server *srv, const struct ctl_event *ev);

/* ---- metrics ---- */

enum metrics_sess_state {
	METRICS_SESS_AUTHENTICATED,
	METRICS_SESS_ACTIVE,
	METRICS_SESS_DETACHED,
	METRICS_SESS__COUNT,
};
enum metrics_dir { METRICS_RX, METRICS_TX, METRICS_DIR__COUNT };
enum metrics_chan { METRICS_TLS, METRICS_DTLS, METRICS_CHAN__COUNT };

enum {
	METRICS_MAX_WORKERS = 256,
	METRICS_HS_BUCKETS = 11, /* upper bounds: metrics_hs_bounds_s[] */
};

/* Upper bounds (seconds) of the handshake latency histogram buckets; +Inf is implied. */
extern const double metrics_hs_bounds_s[METRICS_HS_BUCKETS];

enum {
	METRICS_SENTRY_EVENTS_MAX = 16,
	METRICS_XDP__COUNT = 7, /* verdicts: metrics_xdp_verdict_names[] (net_xdp_verdict order) */
	METRICS_TG__COUNT = 3,	/* verdicts: metrics_tg_verdict_names[] (net_tg_verdict order) */
	METRICS_UDP_DROP__COUNT = 6, /* reasons: metrics_udp_drop_names[] (vpn_udp_drop order) */
};
extern const char *const metrics_xdp_verdict_names[METRICS_XDP__COUNT];
extern const char *const metrics_udp_drop_names[METRICS_UDP_DROP__COUNT];
extern const char *const metrics_tg_verdict_names[METRICS_TG__COUNT];

struct metrics_event {
	const char *name; /* static */
	uint64_t count;
};

struct metrics_worker {
	uint64_t connections; /* gauge: connections owned now */
	uint64_t queue_drops; /* counter: mailbox/queue drops */
};

/* Filled by the fill callback for every scrape; zeroed before each call. */
struct metrics_snapshot {
	time_t start_time; /* wall clock */
	uint64_t sessions[METRICS_SESS__COUNT];
	uint64_t logins_ok, logins_failed;
	uint64_t bytes[METRICS_DIR__COUNT][METRICS_CHAN__COUNT];
	uint64_t packets[METRICS_DIR__COUNT][METRICS_CHAN__COUNT];
	/* Handshake latency: per-bucket (not cumulative) counts, the +Inf overflow, the sum. */
	uint64_t hs_bucket[METRICS_HS_BUCKETS];
	uint64_t hs_overflow;
	double hs_sum_s;
	uint64_t dtls_fallbacks;
	uint64_t dtls_handovers; /* datagrams handed from the worker that read them to the owner */
	uint64_t udp_dropped[METRICS_UDP_DROP__COUNT]; /* datagrams on the DTLS port, by reason */
	uint64_t spoofed_packets; /* counter: uplink packets dropped by the anti-spoofing check */
	uint64_t bans_active, bans_total;
	/* sentry: connections refused before TLS (all reasons; of those, over the user-space
	 * new-connection limit) and the events reported, by name */
	uint64_t sentry_rejected, sentry_rate_limited;
	size_t n_sentry_events; /* <= METRICS_SENTRY_EVENTS_MAX */
	struct metrics_event sentry_events[METRICS_SENTRY_EVENTS_MAX];
	/* eBPF: loaded at all, interfaces with xdp_guard, verdict counters */
	bool ebpf_active;
	uint64_t xdp_ifaces;
	uint64_t xdp_packets[METRICS_XDP__COUNT];
	uint64_t tun_guard_packets[METRICS_TG__COUNT];
	size_t n_workers; /* <= METRICS_MAX_WORKERS; more are ignored */
	struct metrics_worker workers[METRICS_MAX_WORKERS];
	uint64_t rss_bytes, vsz_bytes; /* metrics_process_memory() fills these */
};

typedef void metrics_fill_fn(void *ctx, struct metrics_snapshot *s);

/* Read this process's resident and virtual size from /proc/self/statm; -errno. */
[[nodiscard]] int metrics_process_memory(uint64_t *rss_bytes, uint64_t *vsz_bytes);

struct metrics_server;

/* Listen on "ADDR:PORT" ("127.0.0.1:9812", "[::1]:9812"; port 0 = any) and answer
 * GET /metrics with the Prometheus text format. fill and ctx are borrowed. -EINVAL on a bad
 * address, -errno from socket/bind/listen. Call on l's thread. */
[[nodiscard]] int metrics_server_new(struct loop *l, const char *listen, metrics_fill_fn *fill,
				     void *ctx, struct metrics_server **out);
void metrics_server_free(struct metrics_server *ms);
/* The bound port (useful with port 0). */
uint16_t metrics_server_port(const struct metrics_server *ms);
