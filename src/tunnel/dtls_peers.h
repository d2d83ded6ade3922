// SPDX-License-Identifier: GPL-2.0-or-later
/* tunnel/dtls_peers.h — which DTLS channel a datagram belongs to. Every DTLS session shares its
 * worker's one unconnected UDP socket (no socket, no fd and no bind per session), so datagrams
 * are matched by their source address and port: a table per worker (its own thread only), and a
 * locked index over all workers for datagrams the kernel queued on another worker's socket. The
 * index also keeps the eBPF steering map (net_accel_udp_peer) true, so that such hand-overs stay
 * the exception. */
#pragma once

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct net_accel;

/* A UDP source: IPv4 (also when it came as ::ffff:a.b.c.d) or IPv6, port in network order. */
struct dtls_peer_key {
	uint16_t family; /* AF_INET or AF_INET6 */
	uint16_t port;
	uint8_t addr[16]; /* IPv4: the first 4 bytes, the rest 0 */
};

/* -EAFNOSUPPORT for anything but an IPv4/IPv6 socket address. */
[[nodiscard]] int dtls_peer_key_of(const struct sockaddr_storage *ss, socklen_t len,
				   struct dtls_peer_key *out);

/* Embedded in whatever is looked up (intrusive: the table allocates only its buckets). A key may
 * be in a table more than once: the newest entry is found first (a new handshake from the port
 * of the live channel shadows it until one of them goes). */
struct dtls_peer_node {
	struct dtls_peer_node *next;
	struct dtls_peer_key key;
	bool linked;
};

struct dtls_peer_table {
	struct dtls_peer_node **buckets;
	size_t mask; /* buckets - 1; a power of two */
	size_t n;
	uint64_t seed; /* keyed hash: a client cannot aim at one bucket */
};

[[nodiscard]] int dtls_peer_table_init(struct dtls_peer_table *t);
void dtls_peer_table_fini(struct dtls_peer_table *t); /* the nodes are their owners' */
/* Links node with node->key set (a table that cannot grow gets longer chains). */
void dtls_peer_table_add(struct dtls_peer_table *t, struct dtls_peer_node *node);
void dtls_peer_table_del(struct dtls_peer_table *t, struct dtls_peer_node *node); /* if linked */
struct dtls_peer_node *dtls_peer_table_find(const struct dtls_peer_table *t,
					    const struct dtls_peer_key *key);

/* ---- the index over all workers ---- */
struct dtls_peer_entry {
	struct dtls_peer_node node;
	unsigned owner; /* worker index */
};

struct dtls_peer_index {
	pthread_mutex_t lock;
	struct dtls_peer_table t;
	struct net_accel *accel; /* borrowed; nullptr = no eBPF steering */
};

[[nodiscard]] int dtls_peer_index_init(struct dtls_peer_index *x);
void dtls_peer_index_fini(struct dtls_peer_index *x);
/* Links e (key and owner set) and steers the key to its owner's socket. */
void dtls_peer_index_add(struct dtls_peer_index *x, struct dtls_peer_entry *e);
/* Unlinks e; the steering follows the key's next entry, or is cleared. */
void dtls_peer_index_del(struct dtls_peer_index *x, struct dtls_peer_entry *e);
/* The owner of the newest entry for key: false when there is none. */
bool dtls_peer_index_owner(struct dtls_peer_index *x, const struct dtls_peer_key *key,
			   unsigned *owner);
