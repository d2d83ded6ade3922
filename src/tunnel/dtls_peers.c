// SPDX-License-Identifier: GPL-2.0-or-later
/* tunnel/dtls_peers.c — source address+port → DTLS channel: a chained hash table that doubles
 * when it holds more entries than buckets, and the locked index over all workers. */
#include "tunnel/dtls_peers.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "core/compiler.h"
#include "core/hash.h"
#include "net/net.h"

enum { PEER_BUCKETS_MIN = 64 };

int dtls_peer_key_of(const struct sockaddr_storage *ss, socklen_t len, struct dtls_peer_key *out)
{
	*out = (struct dtls_peer_key){};
	if (ss->ss_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *s4 = (const void *)ss;
		out->family = AF_INET;
		out->port = s4->sin_port;
		memcpy(out->addr, &s4->sin_addr, 4);
		return 0;
	}
	if (ss->ss_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *s6 = (const void *)ss;
		out->port = s6->sin6_port;
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			/* A dual-stack socket: the same client as on an IPv4 socket. */
			out->family = AF_INET;
			memcpy(out->addr, &s6->sin6_addr.s6_addr[12], 4);
		} else {
			out->family = AF_INET6;
			memcpy(out->addr, &s6->sin6_addr, 16);
		}
		return 0;
	}
	return -EAFNOSUPPORT;
}

static bool key_eq(const struct dtls_peer_key *a, const struct dtls_peer_key *b)
{
	return a->family == b->family && a->port == b->port && !memcmp(a->addr, b->addr, 16);
}

/* Keyed (no attacker chooses keys that get in: a channel needs a valid session id; the seed is
 * for the rest). */
static size_t key_hash(const struct dtls_peer_table *t, const struct dtls_peer_key *k)
{
	return (size_t)hash_addr16(t->seed, (uint64_t)k->family << 16 | k->port, k->addr) & t->mask;
}

static int table_alloc(struct dtls_peer_table *t, size_t n_buckets)
{
	struct dtls_peer_node **b = calloc(n_buckets, sizeof(*b));

	if (!b)
		return -ENOMEM;
	t->buckets = b;
	t->mask = n_buckets - 1;
	return 0;
}

int dtls_peer_table_init(struct dtls_peer_table *t)
{
	*t = (struct dtls_peer_table){.seed = hash_seed()};
	return table_alloc(t, PEER_BUCKETS_MIN);
}

void dtls_peer_table_fini(struct dtls_peer_table *t)
{
	free(t->buckets);
	t->buckets = nullptr;
}

/* Doubles the buckets. A chain keeps its order (newest first) through the move. */
static void table_grow(struct dtls_peer_table *t)
{
	struct dtls_peer_node **old = t->buckets;
	size_t n_old = t->mask + 1;

	if (table_alloc(t, n_old * 2)) {
		t->buckets = old; /* stays as it is: longer chains, still correct */
		return;
	}
	for (size_t i = 0; i < n_old; i++) {
		/* Reversed twice: pop from the old chain onto a stack, then push each. */
		struct dtls_peer_node *rev = nullptr, *n = old[i];
		while (n) {
			struct dtls_peer_node *next = n->next;
			n->next = rev;
			rev = n;
			n = next;
		}
		while (rev) {
			struct dtls_peer_node *next = rev->next;
			size_t b = key_hash(t, &rev->key);
			rev->next = t->buckets[b];
			t->buckets[b] = rev;
			rev = next;
		}
	}
	free(old);
}

void dtls_peer_table_add(struct dtls_peer_table *t, struct dtls_peer_node *node)
{
	if (t->n >= t->mask + 1)
		table_grow(t);
	size_t b = key_hash(t, &node->key);
	node->next = t->buckets[b];
	t->buckets[b] = node;
	node->linked = true;
	t->n++;
}

void dtls_peer_table_del(struct dtls_peer_table *t, struct dtls_peer_node *node)
{
	if (!node->linked)
		return;
	for (struct dtls_peer_node **p = &t->buckets[key_hash(t, &node->key)]; *p;
	     p = &(*p)->next) {
		if (*p == node) {
			*p = node->next;
			node->next = nullptr;
			node->linked = false;
			t->n--;
			return;
		}
	}
}

struct dtls_peer_node *dtls_peer_table_find(const struct dtls_peer_table *t,
					    const struct dtls_peer_key *key)
{
	for (struct dtls_peer_node *n = t->buckets[key_hash(t, key)]; n; n = n->next)
		if (key_eq(&n->key, key))
			return n;
	return nullptr;
}

/* ---- the index over all workers ---- */

int dtls_peer_index_init(struct dtls_peer_index *x)
{
	int ret = dtls_peer_table_init(&x->t);

	if (ret)
		return ret;
	pthread_mutex_init(&x->lock, nullptr);
	x->accel = nullptr;
	return 0;
}

void dtls_peer_index_fini(struct dtls_peer_index *x)
{
	if (!x->t.buckets)
		return;
	dtls_peer_table_fini(&x->t);
	pthread_mutex_destroy(&x->lock);
}

static void steer(struct dtls_peer_index *x, const struct dtls_peer_key *k, int owner)
{
	net_accel_udp_peer(x->accel, k->family, k->addr, k->port, owner);
}

void dtls_peer_index_add(struct dtls_peer_index *x, struct dtls_peer_entry *e)
{
	pthread_mutex_lock(&x->lock);
	dtls_peer_table_add(&x->t, &e->node);
	steer(x, &e->node.key, (int)e->owner);
	pthread_mutex_unlock(&x->lock);
}

void dtls_peer_index_del(struct dtls_peer_index *x, struct dtls_peer_entry *e)
{
	pthread_mutex_lock(&x->lock);
	if (e->node.linked) {
		dtls_peer_table_del(&x->t, &e->node);
		struct dtls_peer_node *next = dtls_peer_table_find(&x->t, &e->node.key);
		steer(x, &e->node.key,
		      next ? (int)container_of(next, struct dtls_peer_entry, node)->owner : -1);
	}
	pthread_mutex_unlock(&x->lock);
}

bool dtls_peer_index_owner(struct dtls_peer_index *x, const struct dtls_peer_key *key,
			   unsigned *owner)
{
	pthread_mutex_lock(&x->lock);
	struct dtls_peer_node *n = dtls_peer_table_find(&x->t, key);
	if (n)
		*owner = container_of(n, struct dtls_peer_entry, node)->owner;
	pthread_mutex_unlock(&x->lock);
	return n != nullptr;
}
