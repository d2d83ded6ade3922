// SPDX-License-Identifier: GPL-2.0-or-later
/* tunnel/session.h — cookie sessions (user, lease, counters) and their registry. A session
 * outlives its connections for cookie-timeout so clients reconnect without logging in again
 * (reference §6). The registry is shared by all workers and locked; it is touched only at
 * login, CONNECT, disconnect and expiry, never per packet. */
#pragma once

#include <stdatomic.h>
#include <stdint.h>
#include <netinet/in.h>
#include <time.h>

#include "config/config.h"
#include "core/list.h"
#include "http/http.h"
#include "net/net.h"

struct session {
	struct cookie cookie;	  /* secret: the bearer credential */
	const struct config *cfg; /* a reference: the configuration at login, kept across reloads */
	uint64_t id;		  /* for logs: never the cookie */
	char username[256];
	char group[128];
	char auth_ip[INET6_ADDRSTRLEN]; /* address that authenticated (deny-roaming) */
	struct lease lease;
	uint64_t created_ns; /* first authentication: session-timeout counts from here */

	/* Written under the registry lock: */
	int owner_worker;     /* worker whose connection carries the tunnel, -1 = detached */
	uint64_t generation;  /* bumped at every attach: a stale connection sees a new value */
	uint64_t detached_ns; /* when the last tunnel went away (cookie-timeout counts from here) */
	bool tunnel_seen; /* a CONNECT has happened (before that, detached means "authenticated") */
	bool invalid;	  /* logged out or terminated: freed at the next sweep */
	bool has_place;	  /* counted against max-clients (session.c session_wants_place) */
	unsigned refs;	  /* connections holding a pointer; freed only at 0 */

	/* What occtl shows; written under the registry lock (CONNECT, DTLS setup). */
	char sid[17]; /* printable session id: random, never derived from the cookie */
	time_t created_wall;
	time_t connected_wall; /* first CONNECT, 0 = none yet */
	char remote_ip[INET6_ADDRSTRLEN];
	char local_ip[INET6_ADDRSTRLEN]; /* our address the client connected to */
	char user_agent[128];
	char hostname[64];
	char tls_cipher[64];
	char dtls_cipher[64];
	unsigned mtu;

	/* Counters, written by the owning worker only. */
	_Atomic uint64_t rx_bytes, tx_bytes, rx_pkts, tx_pkts;

	/* DTLS (reference §5.2): the ClientHello session_id that routes to this session — the
	 * X-DTLS-App-ID (PSK) or X-DTLS-Session-ID (legacy) of the latest CONNECT. Written under
	 * the registry lock. */
	bool has_dtls_id;
	uint8_t dtls_id[32];

	struct session *hnext;	/* registry hash chain (by cookie) */
	struct session *dnext;	/* registry hash chain (by dtls_id) */
	struct list_node unode; /* registry chain by username (max-same-clients) */
};

struct session_registry;

[[nodiscard]] int session_registry_new(struct ippool *pool, struct session_registry **out);
/* Frees every session and returns their leases. Only once no worker runs. */
void session_registry_free(struct session_registry *r);

/* The networks behind the session's client (per-user/per-group iroute); immutable. */
static inline const struct cfg_prefixlist *session_iroutes(const struct session *s)
{
	static const struct cfg_prefixlist none;

	return s->cfg->derived_sc ? &s->cfg->derived_sc->iroutes : &none;
}

enum session_create_result : uint8_t {
	SESSION_CREATED,
	SESSION_TOO_MANY_CLIENTS, /* max-clients */
	SESSION_TOO_MANY_SAME,	  /* max-same-clients */
	SESSION_NO_ADDRESS,	  /* pool exhausted */
	SESSION_ADDRESS_IN_USE,	  /* explicit-ipv4/6 leased to another session */
	SESSION_ADDRESS_REFUSED,  /* explicit-ipv4/6 outside the pools, bad per-user pool */
	SESSION_FAILED,		  /* out of memory / no randomness */
};

/* After a successful login: mint a cookie, lease addresses (as cfg->derived_sc asks: per-user
 * pools, explicit-ipv4/6; the detail of a refusal is logged here), register. The session is
 * detached and valid for cookie-timeout until a CONNECT attaches it. Encoded cookie in cookie_b64.
 */
enum session_create_result session_create(struct session_registry *r, const struct config *cfg,
					  const char *username, const char *group,
					  const char *client_ip,
					  char cookie_b64[COOKIE_B64_LEN + 1],
					  struct session **out);

enum session_attach_result : uint8_t {
	SESSION_ATTACHED,
	SESSION_UNKNOWN,   /* no such cookie, expired or invalidated */
	SESSION_ROAMING,   /* deny-roaming and a different client address */
	SESSION_FULL,	   /* max-clients reached: a tunnel that went away must wait for a place */
	SESSION_USER_FULL, /* max-same-clients: the user's other sessions took the places */
};

/* CONNECT with a cookie: attach the session to worker `worker`. When another connection carried
 * it, *prev_worker is that worker (else -1) and *prev_generation its generation: the caller tells
 * that worker to close it. *gen receives the new generation for the new connection. */
enum session_attach_result session_attach(struct session_registry *r, const struct cookie *c,
					  const char *client_ip, int worker, struct session **out,
					  uint64_t *gen, int *prev_worker);

/* Every successful session_attach is paired with one session_detach, stale or not: it drops
 * the reference the connection held. The connection with generation gen is gone. invalidate: the
 * user logged out or was kicked for good (cookie no longer accepted); otherwise the cookie stays
 * valid for cookie-timeout. A stale generation (the session was taken over) changes nothing. */
void session_detach(struct session_registry *r, struct session *s, uint64_t gen, bool invalidate);

/* A new DTLS id for the session's current tunnel (random, unique); replaces the old one. */
[[nodiscard]] int session_dtls_id_new(struct session_registry *r, struct session *s,
				      uint8_t id[32]);
/* The session a ClientHello's session_id belongs to: its owning worker and lease slot, or false
 * (unknown id, detached, expired). */
bool session_dtls_lookup(struct session_registry *r, const uint8_t id[32], int *owner_worker,
			 uint32_t *slot);

/* occtl's view of the tunnel, recorded at CONNECT and when DTLS comes up. */
struct session_tunnel_info {
	const char *remote_ip, *local_ip; /* the client's address, ours it connected to */
	const char *user_agent, *hostname, *tls_cipher;
	unsigned mtu;
};
void session_tunnel_info_set(struct session_registry *r, struct session *s,
			     const struct session_tunnel_info *ti);
void session_dtls_cipher_set(struct session_registry *r, struct session *s, const char *cipher);

/* A copy of one session for the control socket (no secrets). */
struct session_view {
	const struct config *cfg; /* a reference: the session's effective configuration (per-user
				   * and per-group files over the config of its login) */
	uint64_t id;
	char sid[17];
	char username[256], group[128];
	bool attached, invalid, tunnel_seen;
	int owner_worker;
	uint32_t slot;
	struct lease lease;
	time_t created_wall, connected_wall;
	uint64_t
		expires_ns; /* CLOCK_MONOTONIC when the cookie stops working (0 = while attached) */
	char remote_ip[INET6_ADDRSTRLEN], local_ip[INET6_ADDRSTRLEN];
	char user_agent[128], hostname[64], tls_cipher[64], dtls_cipher[64];
	unsigned mtu;
	uint64_t rx_bytes, tx_bytes;
};
/* Snapshot of every session; the caller releases *out with session_views_free(*out, count).
 * Returns the count or -ENOMEM. */
[[nodiscard]] ssize_t session_registry_list(struct session_registry *r, struct session_view **out);
/* Drops the config references of n views and frees the array; nullptr-safe. */
void session_views_free(struct session_view *views, size_t n);

/* Which sessions an occtl disconnect/terminate hits. */
struct session_match {
	const char *username; /* or */
	uint64_t id;	      /* non-zero, or */
	const char *sid;
};
/* For every matching session: when terminate, invalidate its cookie; when attached, add
 * (worker, slot, id) to kicks so the caller closes the connection on its worker. Returns how
 * many sessions matched (-ENOMEM if kicks could not be recorded). */
struct session_kick {
	int worker;
	uint32_t slot;
	uint64_t id;
};
[[nodiscard]] ssize_t session_registry_match(struct session_registry *r,
					     const struct session_match *m, bool terminate,
					     struct session_kick **kicks, size_t *n_kicks);

/* NAT rebinding (§5.2): the sessions whose tunnels come from client_ip and have DTLS (several
 * behind one NAT address: the record's keys tell which one it is). Fills up to max; returns how
 * many it found (at most max). */
struct session_dtls_candidate {
	int owner_worker;
	uint32_t slot;
	uint64_t id;
};
size_t session_dtls_lookup_by_ip(struct session_registry *r, const char *client_ip,
				 struct session_dtls_candidate *out, size_t max);

/* The session's cookie stops working now (a refused login, an operator's terminate). */
void session_invalidate(struct session_registry *r, struct session *s);

/* Logout by cookie (GET /logout, <config-auth type="logout">): true when a session ended. */
bool session_logout(struct session_registry *r, const struct cookie *c);

/* Free detached sessions past cookie-timeout or session-timeout, and invalidated ones.
 * Called once a second from the main thread. Returns how many were freed. */
size_t session_registry_sweep(struct session_registry *r, uint64_t now_ns);

/* Ended sessions since the registry was made, for occtl show status (ocserv's "Total
 * sessions", "Timed out sessions", "Average/Max session time"). */
struct session_stats {
	uint64_t ended;			 /* freed by the sweep: logged out, terminated, expired */
	uint64_t timed_out;		 /* of which ended by session-timeout */
	uint64_t time_sum_s, time_max_s; /* first login to the end */
	uint64_t rx_bytes, tx_bytes;	 /* their counters when they ended */
};
void session_registry_stats(struct session_registry *r, struct session_stats *out);

/* Whether a session's hard session-timeout has passed. */
bool session_is_expired(const struct session *s, const struct config *cfg, uint64_t now_ns);
size_t session_registry_count(struct session_registry *r);
