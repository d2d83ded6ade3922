// SPDX-License-Identifier: GPL-2.0-or-later
/* tunnel/tunnel.h — the VPN data plane: worker threads that accept TLS connections, run the
 * HTTP/auth exchange and carry CSTP tunnels between clients and the TUN device. main.c builds
 * a struct vpn from the other modules and starts the workers; after that, the only shared
 * mutable state is the session registry (locked, control path only) and slot_owner (atomic). */
#pragma once

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "auth/auth.h"
#include "core/loop.h"
#include "config/config.h"
#include "net/net.h"
#include "tls/tls.h"
#include "tunnel/dtls_peers.h"

struct worker;
struct session_registry;
struct sentry;
struct session;

/* Counters of one worker: written by it (relaxed atomics), read by the metrics endpoint. */
enum { VPN_RX = 0, VPN_TX = 1, VPN_TLS = 0, VPN_DTLS = 1, VPN_HS_BUCKETS = 11 };
/* Upper bounds (seconds) of the accept -> tunnel-up histogram buckets. */
extern const double vpn_hs_bounds_s[VPN_HS_BUCKETS];
/* Why a datagram on the DTLS port was dropped before any channel took it. */
enum vpn_udp_drop : uint8_t {
	VPN_UDP_GARBAGE,       /* not DTLS, or a ClientHello we cannot serve */
	VPN_UDP_UNKNOWN,       /* DTLS for no session we know */
	VPN_UDP_BANNED,	       /* from a banned source (user space; XDP drops most first) */
	VPN_UDP_ROAMING,       /* deny-roaming: not from the address that logged in */
	VPN_UDP_HELLO_LIMITED, /* a session's ClientHellos over DTLS_HELLO_PER_WINDOW */
	VPN_UDP_SOCKET_FULL,   /* the kernel dropped it: the socket's receive queue was full */
	VPN_UDP__COUNT,
};

struct vpn_stats {
	_Atomic uint64_t logins_ok, logins_failed;
	_Atomic uint64_t bytes[2][2], packets[2][2]; /* [VPN_RX|VPN_TX][VPN_TLS|VPN_DTLS] */
	_Atomic uint64_t hs_bucket[VPN_HS_BUCKETS], hs_overflow, hs_sum_us;
	_Atomic uint64_t dtls_fallbacks;
	_Atomic uint64_t dtls_handovers; /* datagrams read by another worker than their channel's */
	_Atomic uint64_t udp_dropped[VPN_UDP__COUNT];
	_Atomic uint64_t connections; /* gauge */
	_Atomic uint64_t drops;	      /* packets dropped: full queues, TUN, hand-off */
	_Atomic uint64_t spoofed;     /* uplink packets whose source is not the lease */
	/* Password checks (login posted -> verdict), for occtl's average/max auth time */
	_Atomic uint64_t auth_checks, auth_time_sum_ms, auth_time_max_ms;
};

/* A tunnel came up or went down (a copy: owned by the event). */
struct vpn_event {
	struct loop_call call;					/* internal */
	void (*deliver)(void *ctx, const struct vpn_event *ev); /* internal: outlives the vpn */
	void *deliver_ctx;					/* internal */
	bool connected;
	uint64_t session_id;
	char username[64], group[64];
	char remote_ip[48], ipv4[16], ipv6[48];
	char reason[64];
	uint64_t rx_bytes, tx_bytes;
	time_t connected_wall; /* the session's first CONNECT (the "time:" of a disconnect) */
};

struct vpn {
	pthread_mutex_t cfg_lock; /* guards cfg: taken at accept and reload only */
	const struct config *cfg; /* current config (a reference); vpn_config_acquire */
	struct tls_server *tls;	  /* borrowed */
	struct ippool *pool;	  /* borrowed */
	struct tun *tun;	  /* borrowed: worker i uses queue i % queues */
	struct auth_pool *auth;	  /* borrowed */
	struct dtls_server *dtls; /* borrowed; nullptr = no DTLS */
	struct sentry *sentry;	  /* borrowed; nullptr = no intrusion prevention */
	struct net_accel *accel;  /* borrowed; nullptr = no eBPF */
	struct net_route *route; /* borrowed; nullptr = no kernel route changes (iroutes refused) */
	/* Taken around iroute changes and the slot_owner store/clear of sessions with iroutes. */
	pthread_mutex_t route_lock;
	/* Runs a connect/disconnect script to completion (blocking; called on the auth pool's
	 * threads): 0 and its exit status, or -errno. nullptr = scripts cannot run. */
	int (*run_script)(void *ctx, const char *path, const char *const *env, int *status);
	void *script_ctx;
	/* Tunnel up/down events for "occtl show events": delivered on events_loop's thread. */
	struct loop *events_loop;
	void (*on_event)(void *ctx, const struct vpn_event *ev);
	void *events_ctx;
	struct session_registry *sessions; /* owned (vpn_new/vpn_free) */
	struct dtls_peer_index peers;	   /* every worker's DTLS channels by client address+port */
	unsigned n_workers;
	struct worker **workers;      /* owned */
	_Atomic uint16_t *slot_owner; /* lease slot -> worker index + 1; 0 = nobody */
	uint32_t n_slots;	      /* ippool_index_count(): main pool + extra slots */
};

/* Build the shared state; workers are not started. */
[[nodiscard]] int vpn_new(const struct config *cfg, struct tls_server *tls, struct ippool *pool,
			  struct tun *tun, struct auth_pool *auth, unsigned n_workers,
			  struct vpn **out);
/* Start one thread per worker; listen_fds[i] / udp_fds[i] (owned by the worker afterwards) are
 * worker i's SO_REUSEPORT TCP and UDP listeners (udp_fds nullptr: no DTLS). */
[[nodiscard]] int vpn_start(struct vpn *v, int *listen_fds, int *udp_fds);
/* Stop and join every worker, closing their connections. */
void vpn_stop(struct vpn *v);
void vpn_free(struct vpn *v);
struct session_kick;
/* Close the connection carrying k's session on its worker (asynchronously). terminate: with a
 * DISCONNECT frame, so the client does not reconnect (its cookie is already invalid). */
[[nodiscard]] int vpn_kick(struct vpn *v, const struct session_kick *k, bool terminate);

/* A reference to the current configuration (config_put it). Any thread. */
const struct config *vpn_config_acquire(struct vpn *v);
/* Reload: new connections use cfg from now on (its reference moves to v); live sessions keep
 * the one they started with. */
void vpn_config_replace(struct vpn *v, const struct config *cfg);

/* Post a tunnel event to events_loop (no-op without a listener). Any worker thread. */
void vpn_event_post(struct vpn *v, const struct session *s, bool connected, const char *reason);

/* Worker i's counters (i < n_workers). */
const struct vpn_stats *vpn_worker_stats(const struct vpn *v, unsigned i);

/* Periodic housekeeping from the main thread (once a second): expire sessions. */
void vpn_tick(struct vpn *v);
