// SPDX-License-Identifier: GPL-2.0-or-later
/* net/ippool.c — IPv4/IPv6 address leases as slot numbers in one bitmap. A slot maps to both
 * addresses by arithmetic, so the downlink owner of an address is found without a lock.
 * Leases are taken and returned at connect/disconnect under the pool mutex. */
#include "net/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/compiler.h"
#include "core/log.h"

typedef unsigned __int128 u128;

struct ippool {
	/* Immutable after ippool_new: read without the lock. */
	uint32_t slot_count; /* slots live in [2, slot_count) */
	bool has_v4, has_v6;
	bool predictable;
	uint32_t net4; /* host byte order */
	unsigned prefix4;
	u128 net6;
	unsigned prefix6;
	unsigned subnet6; /* prefix given to each client */
	uint64_t hash_key;

	pthread_mutex_t lock;
	uint32_t used;	  /* locked */
	uint64_t *bitmap; /* locked; bit set = slot leased */
};

static u128 u128_load(const void *addr)
{
	const uint8_t *b = addr;
	u128 v = 0;

	for (size_t i = 0; i < 16; i++)
		v = v << 8 | b[i];
	return v;
}

static void u128_store(u128 v, struct in6_addr *out)
{
	for (size_t i = 16; i-- > 0;) {
		out->s6_addr[i] = (uint8_t)v;
		v >>= 8;
	}
}

static u128 mask6(unsigned prefix)
{
	return prefix == 0 ? 0 : ~(u128)0 << (128 - prefix);
}

static uint32_t mask4(unsigned prefix)
{
	return prefix == 0 ? 0 : ~(uint32_t)0 << (32 - prefix);
}

/* Slot count of a pool with `bits` bits of slot number, capped at IPPOOL_MAX_SLOTS. */
static uint32_t slots_of_bits(unsigned bits)
{
	return bits >= 24 ? IPPOOL_MAX_SLOTS : (uint32_t)1 << bits;
}

static int pool_setup_v4(struct ippool *p, const struct cfg_prefix *net)
{
	uint64_t n64;

	if (net->family != AF_INET || net->prefix_len > 30) {
		log_msg(LOG_ERR, "ippool: ipv4 network prefix /%u leaves no room for clients",
			net->prefix_len);
		return -EINVAL;
	}
	p->prefix4 = net->prefix_len;
	p->net4 = ntohl(net->addr.v4.s_addr) & mask4(p->prefix4);
	p->has_v4 = true;
	/* The broadcast address (all host bits set) is the first slot never leased. */
	n64 = ((uint64_t)1 << (32 - p->prefix4)) - 1;
	p->slot_count = n64 < IPPOOL_MAX_SLOTS ? (uint32_t)n64 : IPPOOL_MAX_SLOTS;
	return 0;
}

static int pool_setup_v6(struct ippool *p, const struct cfg_prefix *net, unsigned subnet)
{
	uint32_t n;

	if (net->family != AF_INET6 || net->prefix_len > 128 || subnet > 128 ||
	    subnet <= net->prefix_len + 1) {
		log_msg(LOG_ERR,
			"ippool: ipv6 network /%u with subnet prefix /%u leaves no room for "
			"clients",
			net->prefix_len, subnet);
		return -EINVAL;
	}
	p->prefix6 = net->prefix_len;
	p->subnet6 = subnet;
	p->net6 = u128_load(&net->addr.v6) & mask6(p->prefix6);
	p->has_v6 = true;
	n = slots_of_bits(subnet - p->prefix6);
	if (!p->has_v4 || n < p->slot_count)
		p->slot_count = n;
	return 0;
}

int ippool_new(const struct config *cfg, struct ippool **out)
{
	struct ippool *p;
	size_t words;
	int ret;

	*out = nullptr;
	if (!cfg->have_ipv4 && !cfg->have_ipv6) {
		log_msg(LOG_ERR, "ippool: neither ipv4-network nor ipv6-network is set");
		return -EINVAL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	if (cfg->have_ipv4) {
		ret = pool_setup_v4(p, &cfg->ipv4_network);
		if (ret < 0)
			goto err_free;
	}
	if (cfg->have_ipv6) {
		ret = pool_setup_v6(p, &cfg->ipv6_network, cfg->ipv6_subnet_prefix);
		if (ret < 0)
			goto err_free;
	}
	BUG_ON(p->slot_count < 3);
	p->predictable = cfg->predictable_ips;
	/* A keyed hash: users cannot aim at each other's preferred slot across servers. */
	if (getrandom(&p->hash_key, sizeof(p->hash_key), GRND_NONBLOCK) != sizeof(p->hash_key))
		p->hash_key = 0x9e3779b97f4a7c15ULL; /* entropy not ready: still a fine spread */
	words = (p->slot_count + 63) / 64;
	p->bitmap = calloc(words, sizeof(*p->bitmap));
	if (!p->bitmap) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = -pthread_mutex_init(&p->lock, nullptr);
	if (ret < 0)
		goto err_bitmap;
	*out = p;
	return 0;

err_bitmap:
	free(p->bitmap);
err_free:
	free(p);
	return ret;
}

void ippool_free(struct ippool *p)
{
	if (!p)
		return;
	pthread_mutex_destroy(&p->lock);
	free(p->bitmap);
	free(p);
}

uint32_t ippool_slot_count(const struct ippool *p)
{
	return p->slot_count;
}

/* FNV-1a (64-bit) with the offset basis mixed with the pool key, then folded. */
static uint64_t user_hash(uint64_t key, const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ key;

	for (; s && *s; s++) {
		h ^= (uint8_t)*s;
		h *= 0x100000001b3ULL;
	}
	return h ^ (h >> 29) ^ (h >> 47);
}

/* First free slot in [from, to), or 0. Bits past slot_count in the last word stay clear, hence
 * the bound check on the result. */
static uint32_t find_free_locked(const struct ippool *p, uint32_t from, uint32_t to)
{
	uint32_t i = from;

	while (i < to) {
		uint32_t w = i / 64;
		uint64_t free_bits = ~p->bitmap[w] & (~0ULL << (i % 64));

		if (free_bits) {
			uint32_t s = w * 64 + (uint32_t)__builtin_ctzll(free_bits);

			return s < to ? s : 0;
		}
		i = (w + 1) * 64;
	}
	return 0;
}

static void lease_fill(const struct ippool *p, uint32_t slot, struct lease *out)
{
	*out = (struct lease){.slot = slot};
	if (p->has_v4) {
		out->has_v4 = true;
		out->v4.s_addr = htonl(p->net4 + slot);
		out->v4_netmask.s_addr = htonl(mask4(p->prefix4));
	}
	if (p->has_v6) {
		out->has_v6 = true;
		u128_store(p->net6 + ((u128)slot << (128 - p->subnet6)), &out->v6);
		out->v6_prefix = p->subnet6;
	}
}

int ippool_lease_get(struct ippool *p, const char *username, struct lease *out)
{
	uint32_t cap = p->slot_count - 2;
	uint32_t start = 2;
	uint32_t slot;

	*out = (struct lease){};
	if (p->predictable)
		start = 2 + (uint32_t)(user_hash(p->hash_key, username) % cap);
	pthread_mutex_lock(&p->lock);
	if (p->used >= cap) {
		pthread_mutex_unlock(&p->lock);
		return -ENOSPC;
	}
	slot = find_free_locked(p, start, p->slot_count);
	if (!slot)
		slot = find_free_locked(p, 2, start);
	BUG_ON(slot < 2); /* used < cap guarantees a free slot */
	p->bitmap[slot / 64] |= 1ULL << (slot % 64);
	p->used++;
	pthread_mutex_unlock(&p->lock);
	lease_fill(p, slot, out);
	return 0;
}

void ippool_lease_put(struct ippool *p, const struct lease *l)
{
	uint32_t s = l->slot;
	bool was_used = false;

	if (s == 0)
		return;
	if (s >= 2 && s < p->slot_count) {
		pthread_mutex_lock(&p->lock);
		was_used = p->bitmap[s / 64] & (1ULL << (s % 64));
		if (was_used) {
			p->bitmap[s / 64] &= ~(1ULL << (s % 64));
			p->used--;
		}
		pthread_mutex_unlock(&p->lock);
	}
	if (!was_used)
		log_msg(LOG_ERR, "ippool: BUG: put of slot %u that is not leased", s);
}

uint32_t ippool_slot_of(const struct ippool *p, int family, const void *addr)
{
	uint32_t slot;

	if (family == AF_INET && p->has_v4) {
		uint32_t a;

		memcpy(&a, addr, sizeof(a));
		a = ntohl(a);
		if ((a & mask4(p->prefix4)) != p->net4)
			return 0;
		slot = a - p->net4;
	} else if (family == AF_INET6 && p->has_v6) {
		u128 a = u128_load(addr);
		u128 s;

		if ((a & mask6(p->prefix6)) != p->net6)
			return 0;
		s = (a & ~mask6(p->prefix6)) >> (128 - p->subnet6);
		if (s >= p->slot_count)
			return 0;
		slot = (uint32_t)s;
	} else {
		return 0;
	}
	return slot >= 2 && slot < p->slot_count ? slot : 0;
}

bool ippool_server_v4(const struct ippool *p, struct in_addr *addr, unsigned *prefix_len)
{
	if (!p->has_v4)
		return false;
	addr->s_addr = htonl(p->net4 + 1);
	*prefix_len = p->prefix4;
	return true;
}

bool ippool_server_v6(const struct ippool *p, struct in6_addr *addr, unsigned *prefix_len)
{
	if (!p->has_v6)
		return false;
	u128_store(p->net6 + ((u128)1 << (128 - p->subnet6)), addr);
	*prefix_len = p->prefix6;
	return true;
}
