// SPDX-License-Identifier: GPL-2.0-or-later
/* sentry/sentry.h — the intrusion-prevention engine: per-source ban scores (ocserv's
 * max-ban-score semantics), the JSON rule file (static routes, dynamic rules), bans with
 * expiry, and a hook that mirrors ban changes into the eBPF layer. docs/SENTRY.md. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config/config.h"

enum {
	SENTRY_ERR_LEN = 512,
	SENTRY_ADDR_STRLEN = 48,	    /* "ffff:…:ffff/128" + NUL */
	SENTRY_DEFAULT_MAX_SOURCES = 16384, /* tracked sources before LRU eviction (~1.5 MiB) */
	SENTRY_MAX_PREFIX_BANS = 1024,	    /* manual bans wider (or narrower) than a source key */
	SENTRY_MAX_EXEMPT = 64,
	SENTRY_MAX_ROUTES = 4096, /* static-routes entries in a rule file */
	SENTRY_MAX_RULES_LEN = 1 << 20,
	SENTRY_EVENT_NAME_LEN = 64,
};

enum sentry_verdict : uint8_t {
	SENTRY_ACCEPT = 0,
	SENTRY_REJECT,
};

enum sentry_proto : uint8_t {
	SENTRY_PROTO_ANY = 0, /* rules only: matches both */
	SENTRY_PROTO_TCP,
	SENTRY_PROTO_UDP,
};

/* What a source did. Points per event are in struct sentry_opts. */
enum sentry_event : uint8_t {
	SENTRY_EV_CONNECT = 0,	  /* counted by sentry_check_connect() itself; don't report it */
	SENTRY_EV_TLS_FAIL,	  /* TLS handshake failed */
	SENTRY_EV_HTTP_ERROR,	  /* malformed or refused HTTP request */
	SENTRY_EV_AUTH_FAIL,	  /* wrong password / refused credentials */
	SENTRY_EV_AUTH_OK,	  /* 0 points; only logged at debug */
	SENTRY_EV_UNKNOWN_COOKIE, /* CONNECT with a cookie we never issued or that expired */
	SENTRY_EV_DTLS_GARBAGE,	  /* undecodable datagram (UDP: spoofable, 0 points by default) */
	SENTRY_EV_RATE_EXCEEDED,  /* the caller dropped a connection for connection rate */
	SENTRY_EV_KKDCP,	  /* a KKDCP POST, as ocserv's ban-points-kkdcp */
	SENTRY_EV__COUNT,
};

/* One address or prefix. bytes in network order; IPv4 uses bytes[0..3], the rest zero.
 * Addresses are always stored masked to prefix_len. */
struct sentry_addr {
	uint8_t family;	    /* AF_INET or AF_INET6 */
	uint8_t prefix_len; /* 0..32 or 0..128; a single host is 32 / 128 */
	uint8_t bytes[16];
};

struct sentry_opts {
	unsigned max_ban_score;	    /* 0 = score bans off (ocserv) */
	unsigned ban_reset_time_s;  /* score forgotten this long after its first point */
	unsigned min_reauth_time_s; /* length of a score ban (ocserv) */
	unsigned rate_limit_ms;	    /* global accept pacing, 0 = off (sentry_accept_delay_ns) */
	unsigned points[SENTRY_EV__COUNT];
	size_t max_sources; /* 0 = SENTRY_DEFAULT_MAX_SOURCES */
	unsigned
		ipv6_prefix_len; /* 128 (default, 0 means 128) or 64: IPv6 sources scored per /64 */
};

/* The parsed rule file. Immutable once built; owned by whoever holds the pointer. */
struct sentry_route {
	struct sentry_addr prefix; /* remote-address; prefix.family is the route's family */
	enum sentry_proto proto;   /* SENTRY_PROTO_ANY when "protocol" is absent */
	uint16_t port;		   /* remote-port, 0 = any */
	enum sentry_verdict action;
};

struct sentry_dyn_rule {
	bool enabled;
	uint32_t window_s;  /* max-connection-rate.interval / failed-auth-protection.window */
	uint32_t threshold; /* threshold (more than this bans) / max-attempts (this many bans) */
	uint32_t penalty_s; /* penalty-time */
	enum sentry_verdict action; /* reject = ban; accept = log only */
};

struct sentry_rules {
	enum sentry_verdict default_static;  /* no static route matched */
	enum sentry_verdict default_dynamic; /* dynamic rules that give no "action" */
	char default_event[SENTRY_EVENT_NAME_LEN];
	struct sentry_route *routes; /* first match wins */
	size_t n_routes;
	struct sentry_dyn_rule conn_rate;   /* dynamic-rules.max-connection-rate */
	struct sentry_dyn_rule failed_auth; /* dynamic-rules.failed-auth-protection */
};

/* One ban (show ip bans) or one scored source (show ip ban points). */
struct sentry_ban_info {
	struct sentry_addr addr;
	unsigned score;	      /* 0 for manual prefix bans */
	bool banned;	      /* false: only scored */
	bool manual;	      /* from sentry_ban() */
	uint64_t expires_ns;  /* CLOCK_MONOTONIC; 0 = never (manual, seconds = 0) or not banned */
	uint64_t remaining_s; /* seconds left at the now_ns given to the list call */
};

struct sentry_stats {
	size_t sources;	       /* tracked now */
	size_t bans;	       /* active now (source + prefix bans) */
	uint64_t rejected;     /* sentry_check_connect() rejections (all reasons) */
	uint64_t rate_limited; /* of those: over the new-connection limit (sentry_conn_limit_set) */
	uint64_t evicted;      /* LRU evictions */
	uint64_t untracked;    /* events dropped: table full of bans */
	uint64_t events[SENTRY_EV__COUNT]; /* reported (CONNECT: counted connections) */
};

enum sentry_ban_change : uint8_t {
	SENTRY_BAN_ADDED = 0,
	SENTRY_BAN_REMOVED, /* sentry_unban() */
	SENTRY_BAN_EXPIRED, /* found expired by sentry_expire() or a check */
};

/* Called after the change, outside the table lock but under the hook lock, so calls arrive
 * one at a time and in order. It must not call back into sentry. expires_ns: CLOCK_MONOTONIC,
 * 0 = never. */
typedef void sentry_ban_hook_fn(void *ctx, enum sentry_ban_change what,
				const struct sentry_addr *addr, uint64_t expires_ns);

struct sentry;

/* --- addresses (addr.c) --- */

/* From accept()/recvfrom(): AF_INET, AF_INET6 (v4-mapped ::ffff:a.b.c.d becomes IPv4).
 * The result is a host (/32, /128). -EAFNOSUPPORT for other families, -EINVAL if short. */
[[nodiscard]] int sentry_addr_from_sockaddr(const struct sockaddr *sa, socklen_t len,
					    struct sentry_addr *out);
/* "198.18.0.1", "198.18.0.0/15", "2001:db8::1", "2001:db8::/32". Host bits beyond the prefix
 * are cleared. -EINVAL if malformed. */
[[nodiscard]] int sentry_addr_parse(const char *text, struct sentry_addr *out);
/* "198.18.0.1" for a host, "198.18.0.0/15" otherwise. Always NUL-terminates. */
void sentry_addr_format(const struct sentry_addr *a, char out[SENTRY_ADDR_STRLEN]);
/* Does prefix p contain address (or narrower prefix) a? Different families never match. */
bool sentry_addr_contains(const struct sentry_addr *p, const struct sentry_addr *a);
/* Copy of a masked to prefix_len (<= a's). */
struct sentry_addr sentry_addr_masked(const struct sentry_addr *a, unsigned prefix_len);

/* --- the JSON rule file (rules.c) --- */

/* Parse the rule file text (need not be NUL-terminated). On success *out owns new rules.
 * On failure *out is nullptr, the return is -EINVAL (bad content, err holds
 * "name: dotted.key: what is wrong"), -E2BIG (over SENTRY_MAX_RULES_LEN) or -ENOMEM. Pure. */
[[nodiscard]] int sentry_rules_parse(const char *name, const char *text, size_t len,
				     struct sentry_rules **out, char err[SENTRY_ERR_LEN]);
/* Read path and parse it; -errno of open/read as well. */
[[nodiscard]] int sentry_rules_load(const char *path, struct sentry_rules **out,
				    char err[SENTRY_ERR_LEN]);
void sentry_rules_free(struct sentry_rules *r);
/* The static-route decision: first route matching family, protocol, prefix and port wins,
 * else default_static. */
enum sentry_verdict sentry_rules_match(const struct sentry_rules *r, const struct sentry_addr *a,
				       enum sentry_proto proto, uint16_t port);

/* --- the engine (sentry.c, banlist.c) --- */

/* ocserv's defaults from cfg: score and points keys, rate-limit-ms; IPv6 per /128. */
void sentry_opts_from_config(struct sentry_opts *o, const struct config *cfg);

/* On success *out owns a new engine; it takes ownership of rules (may be nullptr: no static
 * routes, no dynamic rules), also on failure. -EINVAL for bad opts, -ENOMEM. Loopback
 * (127.0.0.0/8, ::1) is always exempt from scores and dynamic bans. */
[[nodiscard]] int sentry_new(const struct sentry_opts *o, struct sentry_rules *rules,
			     struct sentry **out);
/* sentry_opts_from_config + the rule file when enable-wolfsentry is set. err as rules_load. */
[[nodiscard]] int sentry_new_from_config(const struct config *cfg, struct sentry **out,
					 char err[SENTRY_ERR_LEN]);
void sentry_free(struct sentry *s);

/* Exempt a prefix from scores and dynamic bans (manual bans and static routes still apply).
 * Before the engine is shared between threads. -ENOSPC past SENTRY_MAX_EXEMPT. */
[[nodiscard]] int sentry_exempt_add(struct sentry *s, const struct sentry_addr *prefix);
/* As ocserv: the subnets of this host's interfaces (getifaddrs, read once) are exempt, except
 * those of skip_ifname (the VPN's TUN: its clients are not "local"; nullptr skips none).
 * -errno of getifaddrs, -ENOSPC past SENTRY_MAX_EXEMPT (the prefixes before it are kept). */
[[nodiscard]] int sentry_exempt_add_local(struct sentry *s, const char *skip_ifname);
bool sentry_is_exempt(const struct sentry *s, const struct sentry_addr *a);

/* Set before threads start; fn nullptr removes it. */
void sentry_set_ban_hook(struct sentry *s, sentry_ban_hook_fn *fn, void *ctx);

/* The user-space twin of xdp_guard's per-source new-connection limiter, for when eBPF is not
 * active: GCRA, burst connections back to back, then rate_per_s per second per source (not
 * for exempt sources). A connection over it is refused by sentry_check_connect() and counted as
 * SENTRY_EV_RATE_EXCEEDED (its points, stats.rate_limited). rate_per_s 0 = off (the default);
 * burst 0 counts as 1. Before the engine is shared between threads. */
void sentry_conn_limit_set(struct sentry *s, uint32_t rate_per_s, uint32_t burst);

/* A connection was accepted from a (port: the peer's port): static routes, then bans, then
 * the new-connection limit (sentry_conn_limit_set), then it is counted (ban-points-connection,
 * max-connection-rate), which may itself ban. Any thread, once per connection (or first
 * datagram of a DTLS session). */
enum sentry_verdict sentry_check_connect(struct sentry *s, const struct sentry_addr *a,
					 enum sentry_proto proto, uint16_t port, uint64_t now_ns);
/* Is a banned right now (no counting)? */
bool sentry_is_banned(struct sentry *s, const struct sentry_addr *a, uint64_t now_ns);
/* Report an event. Returns SENTRY_REJECT when a is banned afterwards (close the connection).
 * Any thread, per connection/auth event, never per packet. */
enum sentry_verdict sentry_event(struct sentry *s, const struct sentry_addr *a,
				 enum sentry_event ev, uint64_t now_ns);
const char *sentry_event_name(enum sentry_event ev);

/* rate-limit-ms, as ocserv: one accept per rate_limit_ms for the whole server. Returns 0 when
 * an accept may proceed now (the slot is taken), else how long to wait before trying. */
uint64_t sentry_accept_delay_ns(struct sentry *s, uint64_t now_ns);

/* Manual ban of a host or prefix for seconds (0 = until unbanned). A prefix equal to a
 * source key (/32, IPv6 /128 or /64 per opts) bans that source; any other length is a
 * prefix ban (-ENOSPC past SENTRY_MAX_PREFIX_BANS). Re-banning updates the expiry. */
[[nodiscard]] int sentry_ban(struct sentry *s, const struct sentry_addr *prefix, unsigned seconds,
			     uint64_t now_ns);
/* Lift a ban (and clear the score) of exactly this host/prefix; a host inside an IPv6 /64
 * source key lifts that key's ban. -ENOENT when there is none. */
[[nodiscard]] int sentry_unban(struct sentry *s, const struct sentry_addr *prefix, uint64_t now_ns);

/* Sweep: drop expired bans (hook SENTRY_BAN_EXPIRED) and sources whose score reset time
 * passed. Call about once a second from one thread. */
void sentry_expire(struct sentry *s, uint64_t now_ns);

/* Snapshots for occtl. *out is a new array of *n entries (free() it; nullptr when 0).
 * bans: active bans. points: every tracked source with a score, banned or not. -ENOMEM. */
[[nodiscard]] int sentry_bans_list(struct sentry *s, uint64_t now_ns, struct sentry_ban_info **out,
				   size_t *n);
[[nodiscard]] int sentry_points_list(struct sentry *s, uint64_t now_ns,
				     struct sentry_ban_info **out, size_t *n);
void sentry_stats_get(struct sentry *s, struct sentry_stats *st);
