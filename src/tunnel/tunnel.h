// SPDX-License-Identifier: GPL-2.0-or-later
/* tunnel/tunnel.h — the VPN data plane: worker threads that accept TLS connections, run the
 * HTTP/auth exchange and carry CSTP tunnels between clients and the TUN device. main.c builds
 * a struct vpn from the other modules and starts the workers; after that, the only shared
 * mutable state is the session registry (locked, control path only) and slot_owner (atomic). */
#pragma once

#include <stdatomic.h>
#include <stdint.h>

#include "auth/auth.h"
#include "config/config.h"
#include "net/net.h"
#include "tls/tls.h"

struct worker;
struct session_registry;

struct vpn {
	const struct config *cfg;	     /* borrowed, immutable */
	struct tls_server *tls;		     /* borrowed */
	struct ippool *pool;		     /* borrowed */
	struct tun *tun;		     /* borrowed: worker i uses queue i % queues */
	struct auth_pool *auth;		     /* borrowed */
	struct dtls_server *dtls;	     /* borrowed; nullptr = no DTLS */
	struct session_registry *sessions;   /* owned (vpn_new/vpn_free) */
	unsigned n_workers;
	struct worker **workers;	     /* owned */
	_Atomic uint16_t *slot_owner;	     /* lease slot -> worker index + 1; 0 = nobody */
	uint32_t n_slots;
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
/* Periodic housekeeping from the main thread (once a second): expire sessions. */
void vpn_tick(struct vpn *v);
