// SPDX-License-Identifier: GPL-2.0-or-later
/* tunnel/worker.h — one worker thread: its event loop, its listener, its TUN queue, the
 * connections it owns and the slot -> connection table for the sessions it carries. Everything
 * in struct worker is touched only by its own thread, except via loop_post(). */
#pragma once

#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/list.h"
#include "core/loop.h"
#include "tunnel/dtls_peers.h"
#include "tunnel/tunnel.h"

struct conn;
struct gro;
struct udp_rx;
struct udp_tx;

struct worker {
	struct vpn *vpn;
	unsigned idx;
	pthread_t thread;
	bool started;
	struct loop *loop;
	struct loop_watch listen_watch;
	struct timer accept_timer; /* rate-limit-ms: re-enables listen_watch */
	struct loop_watch tun_watch;
	struct loop_watch udp_watch;  /* its socket on the shared DTLS port (udp_port.c) */
	struct udp_rx *udp_rx;	      /* recvmmsg buffers for it */
	struct dtls_peer_table peers; /* client address+port -> this worker's DTLS channel */
	uint8_t *dtls_buf;	      /* one DTLS record (type byte + packet) */
	int tun_fd;		      /* borrowed from vpn->tun */
	struct conn **slot_conn;      /* slot -> connection carrying it on this worker */
	struct list_node conns;
	struct list_node dirty; /* connections with gathered TLS records (conn.dirty_node) */
	size_t n_conns;
	uint8_t *pkt_buf; /* one TUN packet (a super-packet with offloads) */
	struct gro *gro;  /* uplink segments merged per round; nullptr without TUN offloads */
	struct loop_call gro_call;
	bool gro_armed;	       /* gro_call is queued for the end of this round */
	struct udp_tx *udp_tx; /* DTLS records gathered per round, sent as UDP GSO */
	struct loop_call udp_tx_call;
	bool udp_tx_armed;
	struct loop_call stop_call;

	struct vpn_stats stats;
	/* Counters (this thread only). */
	uint64_t tun_drops, handoff_drops, bad_inner_drops;
	uint32_t udp_kernel_drops; /* the socket's last SO_RXQ_OVFL count (cumulative) */
	uint64_t rebind_window_ns;
	unsigned rebind_lookups;
};

/* Counts a datagram dropped on the DTLS port (any thread may read the counters). */
static inline void worker_udp_drop(struct worker *w, enum vpn_udp_drop why)
{
	atomic_fetch_add_explicit(&w->stats.udp_dropped[why], 1, memory_order_relaxed);
}

/* End of a round: send the records gathered for every dirty connection and the DTLS batch. */
void worker_flush_dirty(struct worker *w);
/* Downlink: a packet for slot arrived on this worker (from its TUN queue or handed over). */
void worker_deliver(struct worker *w, uint32_t slot, const uint8_t *pkt, size_t len);
/* Uplink: write one packet to this worker's TUN queue (drops and counts when it is full). */
void worker_tun_write(struct worker *w, const uint8_t *pkt, size_t len);
/* Tell worker `idx` that the tunnel of `slot` moved away: close the stale connection. */
void worker_kick_slot(struct worker *from, unsigned idx, uint32_t slot, uint64_t new_gen);
