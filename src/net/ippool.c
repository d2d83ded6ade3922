// SPDX-License-Identifier: GPL-2.0-or-later
/* net/ippool.c — IPv4/IPv6 address leases as slot numbers in one bitmap. A main-pool slot maps
 * to both addresses by arithmetic, so the downlink owner of an address is found without a lock;
 * fixed addresses and per-user pools register what the arithmetic cannot say in the rtable.
 * Leases are taken and returned at connect/auth/disconnect under the pool mutex. */
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

/* A per-user/per-group network: its own bitmap of host indexes [2, count). */
struct subpool {
	int family;
	u128 net; /* IPv4 in the low 32 bits */
	unsigned prefix;
	unsigned subnet; /* IPv6: prefix given to each client; IPv4: 32 */
	uint32_t count;
	uint32_t used;
	uint64_t *bitmap;
};

struct ippool {
	/* Immutable after ippool_new: read without the lock. */
	uint32_t slot_count; /* main-pool slots live in [2, slot_count) */
	bool has_v4, has_v6;
	bool predictable;
	uint32_t net4; /* host byte order */
	unsigned prefix4;
	u128 net6;
	unsigned prefix6;
	unsigned subnet6; /* prefix given to each client */
	uint64_t hash_key;

	struct rtable *rt;	 /* owned; internally locked */
	struct net_route *route; /* borrowed; set before the first lease */

	pthread_mutex_t lock;
	uint32_t used;	  /* locked */
	uint64_t *bitmap; /* locked; bit set = slot leased or held by a fixed address */
	uint32_t extra_used;
	uint64_t extra_bitmap[IPPOOL_EXTRA_SLOTS / 64]; /* locked; slot_count + bit */
	unsigned n_sub;
	struct subpool sub[IPPOOL_MAX_SUBPOOLS]; /* locked */
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
	ret = rtable_new(IPPOOL_RTABLE_MAX, &p->rt);
	if (ret < 0)
		goto err_bitmap;
	ret = -pthread_mutex_init(&p->lock, nullptr);
	if (ret < 0)
		goto err_rtable;
	*out = p;
	return 0;

err_rtable:
	rtable_free(p->rt);
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
	for (unsigned i = 0; i < p->n_sub; i++)
		free(p->sub[i].bitmap);
	rtable_free(p->rt);
	free(p->bitmap);
	free(p);
}

void ippool_route_set(struct ippool *p, struct net_route *r)
{
	p->route = r;
}

struct rtable *ippool_rtable(struct ippool *p)
{
	return p->rt;
}

uint32_t ippool_slot_count(const struct ippool *p)
{
	return p->slot_count;
}

uint32_t ippool_index_count(const struct ippool *p)
{
	return p->slot_count + IPPOOL_EXTRA_SLOTS;
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

static bool bit_get(const uint64_t *bm, uint32_t i)
{
	return bm[i / 64] >> (i % 64) & 1;
}

static void bit_set(uint64_t *bm, uint32_t i)
{
	bm[i / 64] |= 1ULL << (i % 64);
}

static void bit_clear(uint64_t *bm, uint32_t i)
{
	bm[i / 64] &= ~(1ULL << (i % 64));
}

/* First free bit in [from, to), or 0. Bits past the end in the last word stay clear, hence
 * the bound check on the result. */
static uint32_t find_free_locked(const uint64_t *bitmap, uint32_t from, uint32_t to)
{
	uint32_t i = from;

	while (i < to) {
		uint32_t w = i / 64;
		uint64_t free_bits = ~bitmap[w] & (~0ULL << (i % 64));

		if (free_bits) {
			uint32_t s = w * 64 + (uint32_t)__builtin_ctzll(free_bits);

			return s < to ? s : 0;
		}
		i = (w + 1) * 64;
	}
	return 0;
}

/* A free index in [2, count) of bm, the first probe a hash of username with predictable-ips;
 * 0 when all count - 2 are used. */
static uint32_t pick_free_locked(const struct ippool *p, const uint64_t *bm, uint32_t count,
				 uint32_t used, const char *username)
{
	uint32_t cap = count - 2;
	uint32_t start = 2;
	uint32_t i;

	if (used >= cap)
		return 0;
	if (p->predictable)
		start = 2 + (uint32_t)(user_hash(p->hash_key, username) % cap);
	i = find_free_locked(bm, start, count);
	if (!i)
		i = find_free_locked(bm, 2, start);
	BUG_ON(i < 2); /* used < cap guarantees a free index */
	return i;
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
	uint32_t slot;

	*out = (struct lease){};
	pthread_mutex_lock(&p->lock);
	slot = pick_free_locked(p, p->bitmap, p->slot_count, p->used, username);
	if (!slot) {
		pthread_mutex_unlock(&p->lock);
		return -ENOSPC;
	}
	bit_set(p->bitmap, slot);
	p->used++;
	pthread_mutex_unlock(&p->lock);
	lease_fill(p, slot, out);
	return 0;
}

/* ---- per-user/per-group pools and fixed addresses ---- */

enum lease_src : uint8_t {
	SRC_NONE,
	SRC_MAIN_DYN,	/* the slot's arithmetic address */
	SRC_MAIN_FIXED, /* a fixed address of the main pool */
	SRC_SUB_DYN,	/* any free address of the session's own network */
	SRC_SUB_FIXED,	/* a fixed address of the session's own network */
};

static u128 prefix_key(const struct cfg_prefix *n)
{
	if (n->family == AF_INET)
		return ntohl(n->addr.v4.s_addr) & mask4(n->prefix_len);
	return u128_load(&n->addr.v6) & mask6(n->prefix_len);
}

static u128 fam_mask(int family, unsigned len)
{
	return family == AF_INET ? mask4(len) : mask6(len);
}

static bool prefixes_overlap(int family, u128 a, unsigned la, u128 b, unsigned lb)
{
	u128 m = fam_mask(family, la < lb ? la : lb);

	return (a & m) == (b & m);
}

static bool net_is_main(const struct ippool *p, const struct cfg_prefix *n)
{
	if (n->family == AF_INET)
		return p->has_v4 && n->prefix_len == p->prefix4 && prefix_key(n) == p->net4;
	return p->has_v6 && n->prefix_len == p->prefix6 && prefix_key(n) == p->net6;
}

static u128 addr_key(int family, const void *addr)
{
	uint32_t a;

	if (family == AF_INET6)
		return u128_load(addr);
	memcpy(&a, addr, sizeof(a));
	return ntohl(a);
}

static void addr_store(int family, u128 v, void *out)
{
	if (family == AF_INET6) {
		u128_store(v, out);
	} else {
		uint32_t a = htonl((uint32_t)v);

		memcpy(out, &a, sizeof(a));
	}
}

static u128 sub_addr(const struct subpool *sp, uint32_t idx)
{
	return sp->net + ((u128)idx << ((sp->family == AF_INET ? 32 : 128) - sp->subnet));
}

/* The index of addr in sp: in [2, count) or 0 (outside, network, server, broadcast). */
static uint32_t sub_index(const struct subpool *sp, const void *addr)
{
	u128 a = addr_key(sp->family, addr);
	u128 idx;

	if ((a & fam_mask(sp->family, sp->prefix)) != sp->net)
		return 0;
	idx = (a & ~fam_mask(sp->family, sp->prefix)) >>
	      ((sp->family == AF_INET ? 32 : 128) - sp->subnet);
	return idx >= 2 && idx < sp->count ? (uint32_t)idx : 0;
}

/* The per-user pool for net (created with its server address on the TUN on first use). */
static int subpool_get_locked(struct ippool *p, const struct cfg_prefix *net, unsigned subnet,
			      unsigned *out)
{
	int fam = net->family;
	unsigned bits = fam == AF_INET ? 32 : 128;
	u128 key = prefix_key(net);
	struct subpool sp = {.family = fam, .net = key, .prefix = net->prefix_len};
	uint8_t server[16];
	int ret;

	sp.subnet = fam == AF_INET ? 32 : subnet;
	if (net->prefix_len > (fam == AF_INET ? 30u : 128u) || sp.subnet > bits ||
	    sp.subnet <= net->prefix_len + 1)
		return -EINVAL;
	for (unsigned i = 0; i < p->n_sub; i++) {
		const struct subpool *o = &p->sub[i];

		if (o->family != fam)
			continue;
		if (o->net == key && o->prefix == sp.prefix && o->subnet == sp.subnet) {
			*out = i;
			return 0;
		}
		if (prefixes_overlap(fam, o->net, o->prefix, key, sp.prefix))
			return -EINVAL;
	}
	if ((fam == AF_INET && p->has_v4 &&
	     prefixes_overlap(fam, p->net4, p->prefix4, key, sp.prefix)) ||
	    (fam == AF_INET6 && p->has_v6 &&
	     prefixes_overlap(fam, p->net6, p->prefix6, key, sp.prefix)))
		return -EINVAL;
	if (p->n_sub == IPPOOL_MAX_SUBPOOLS)
		return -EMLINK;
	if (fam == AF_INET) {
		uint64_t n = ((uint64_t)1 << (32 - sp.prefix)) - 1; /* no broadcast */

		sp.count = n < IPPOOL_MAX_SLOTS ? (uint32_t)n : IPPOOL_MAX_SLOTS;
	} else {
		sp.count = slots_of_bits(sp.subnet - sp.prefix);
	}
	sp.bitmap = calloc((sp.count + 63) / 64, sizeof(*sp.bitmap));
	if (!sp.bitmap)
		return -ENOMEM;
	addr_store(fam, sub_addr(&sp, 1), server);
	ret = p->route ? net_route_addr_add(p->route, fam, server, sp.prefix) : 0;
	if (ret < 0) {
		free(sp.bitmap);
		return ret;
	}
	*out = p->n_sub;
	p->sub[p->n_sub++] = sp;
	return 0;
}

/* Undo what l holds (any subset of a lease being built). Caller holds p->lock. */
static void release_locked(struct ippool *p, const struct lease *l)
{
	uint32_t s = l->slot;

	if (l->rt4)
		(void)rtable_del(p->rt, AF_INET, &l->v4, 32, s);
	if (l->rt6)
		(void)rtable_del(p->rt, AF_INET6, &l->v6, l->v6_prefix, s);
	if (l->sub4 && bit_get(p->sub[l->sub4 - 1].bitmap, l->sub_idx4)) {
		bit_clear(p->sub[l->sub4 - 1].bitmap, l->sub_idx4);
		p->sub[l->sub4 - 1].used--;
	}
	if (l->sub6 && bit_get(p->sub[l->sub6 - 1].bitmap, l->sub_idx6)) {
		bit_clear(p->sub[l->sub6 - 1].bitmap, l->sub_idx6);
		p->sub[l->sub6 - 1].used--;
	}
	if (l->hold6 && bit_get(p->bitmap, l->hold6)) {
		bit_clear(p->bitmap, l->hold6);
		p->used--;
	}
	if (s == 0)
		return;
	if (l->extra && s >= p->slot_count && s - p->slot_count < IPPOOL_EXTRA_SLOTS &&
	    bit_get(p->extra_bitmap, s - p->slot_count)) {
		bit_clear(p->extra_bitmap, s - p->slot_count);
		p->extra_used--;
	} else if (!l->extra && s >= 2 && s < p->slot_count && bit_get(p->bitmap, s)) {
		bit_clear(p->bitmap, s);
		p->used--;
	} else {
		log_msg(LOG_ERR, "ippool: BUG: put of slot %u that is not leased", s);
	}
}

/* One family's address from the session's own network (fixed or any free one). */
static int sub_take_locked(struct ippool *p, const struct cfg_prefix *net, unsigned subnet,
			   const struct cfg_prefix *fixed, const char *username, uint8_t *sub,
			   uint32_t *idx, void *addr)
{
	unsigned i;
	struct subpool *sp;
	int ret = subpool_get_locked(p, net, subnet, &i);

	if (ret < 0)
		return ret;
	sp = &p->sub[i];
	if (fixed) {
		*idx = sub_index(sp, &fixed->addr);
		if (!*idx)
			return -EADDRNOTAVAIL;
		if (fixed->family == AF_INET6 && fixed->prefix_len < sp->subnet)
			return -EINVAL;
		if (bit_get(sp->bitmap, *idx))
			return -EADDRINUSE;
		memcpy(addr, &fixed->addr, fixed->family == AF_INET ? 4 : 16);
	} else {
		*idx = pick_free_locked(p, sp->bitmap, sp->count, sp->used, username);
		if (!*idx)
			return -ENOSPC;
		addr_store(sp->family, sub_addr(sp, *idx), addr);
	}
	bit_set(sp->bitmap, *idx);
	sp->used++;
	*sub = (uint8_t)(i + 1);
	return 0;
}

static bool in_own_net(const struct cfg_prefix *net, const struct cfg_prefix *fixed)
{
	return net && fixed->family == net->family &&
	       prefixes_overlap(net->family, prefix_key(net), net->prefix_len, prefix_key(fixed),
				fixed->family == AF_INET ? 32 : fixed->prefix_len) &&
	       (fixed->family == AF_INET || fixed->prefix_len >= net->prefix_len);
}

static int classify(const struct ippool *p, int family, const struct lease_want *w,
		    enum lease_src *src, uint32_t *fixed_slot)
{
	bool v4 = family == AF_INET;
	const struct cfg_prefix *net = v4 ? w->net4 : w->net6;
	const struct cfg_prefix *fixed = v4 ? w->fixed4 : w->fixed6;
	bool own = net && !net_is_main(p, net);

	*src = SRC_NONE;
	*fixed_slot = 0;
	if (!(v4 ? w->v4 : w->v6))
		return 0;
	if (fixed) {
		if (fixed->family != family)
			return -EINVAL;
		*fixed_slot = ippool_slot_of(p, family, &fixed->addr);
		if (*fixed_slot) {
			if (!v4 && fixed->prefix_len < p->subnet6)
				return -EINVAL; /* it would cover other clients' subnets */
			*src = SRC_MAIN_FIXED;
		} else if (own && in_own_net(net, fixed)) {
			*src = SRC_SUB_FIXED;
		} else {
			return -EADDRNOTAVAIL;
		}
	} else if (own) {
		*src = SRC_SUB_DYN;
	} else if (v4 ? p->has_v4 : p->has_v6) {
		*src = SRC_MAIN_DYN;
	}
	return 0;
}

/* The slot: the fixed address's, a free main one, or (no main-pool address) an extra one. */
static int slot_take_locked(struct ippool *p, enum lease_src s4, enum lease_src s6, uint32_t fixed4,
			    uint32_t fixed6, const char *username, struct lease *l)
{
	uint32_t slot;

	if (s4 == SRC_MAIN_FIXED || s6 == SRC_MAIN_FIXED) {
		slot = s4 == SRC_MAIN_FIXED ? fixed4 : fixed6;
		if (bit_get(p->bitmap, slot))
			return -EADDRINUSE;
		if (s4 == SRC_MAIN_FIXED && s6 == SRC_MAIN_FIXED && fixed6 != fixed4 &&
		    bit_get(p->bitmap, fixed6))
			return -EADDRINUSE;
		bit_set(p->bitmap, slot);
		p->used++;
		l->slot = slot;
		if (s4 == SRC_MAIN_FIXED && s6 == SRC_MAIN_FIXED && fixed6 != fixed4) {
			bit_set(p->bitmap, fixed6);
			p->used++;
			l->hold6 = fixed6;
		}
		return 0;
	}
	if (s4 == SRC_MAIN_DYN || s6 == SRC_MAIN_DYN) {
		slot = pick_free_locked(p, p->bitmap, p->slot_count, p->used, username);
		if (!slot)
			return -ENOSPC;
		bit_set(p->bitmap, slot);
		p->used++;
		l->slot = slot;
		return 0;
	}
	for (uint32_t i = 0; i < IPPOOL_EXTRA_SLOTS; i++) {
		if (!bit_get(p->extra_bitmap, i)) {
			bit_set(p->extra_bitmap, i);
			p->extra_used++;
			l->slot = p->slot_count + i;
			l->extra = true;
			return 0;
		}
	}
	return -ENOSPC;
}

static int family_take_locked(struct ippool *p, int family, enum lease_src src,
			      const struct lease_want *w, const char *username, struct lease *l)
{
	bool v4 = family == AF_INET;
	int ret = 0;

	switch (src) {
	case SRC_NONE:
		return 0;
	case SRC_MAIN_DYN:
		if (v4) {
			l->v4.s_addr = htonl(p->net4 + l->slot);
			l->v4_netmask.s_addr = htonl(mask4(p->prefix4));
		} else {
			u128_store(p->net6 + ((u128)l->slot << (128 - p->subnet6)), &l->v6);
			l->v6_prefix = p->subnet6;
		}
		break;
	case SRC_MAIN_FIXED:
		if (v4) {
			l->v4 = w->fixed4->addr.v4;
			l->v4_netmask.s_addr = htonl(mask4(p->prefix4));
		} else {
			l->v6 = w->fixed6->addr.v6;
			l->v6_prefix = w->fixed6->prefix_len;
			l->rt6 = l->hold6 != 0; /* the arithmetic finds hold6, not slot */
		}
		break;
	case SRC_SUB_DYN:
	case SRC_SUB_FIXED: {
		const struct cfg_prefix *fixed =
			src == SRC_SUB_FIXED ? (v4 ? w->fixed4 : w->fixed6) : nullptr;

		if (v4) {
			ret = sub_take_locked(p, w->net4, 32, fixed, username, &l->sub4,
					      &l->sub_idx4, &l->v4);
			l->v4_netmask.s_addr = htonl(mask4(w->net4->prefix_len));
			l->rt4 = ret == 0;
		} else {
			ret = sub_take_locked(p, w->net6, w->subnet6, fixed, username, &l->sub6,
					      &l->sub_idx6, &l->v6);
			l->v6_prefix = fixed ? fixed->prefix_len : w->subnet6;
			l->rt6 = ret == 0;
		}
		break;
	}
	}
	if (ret < 0)
		return ret;
	if (v4)
		l->has_v4 = true;
	else
		l->has_v6 = true;
	return 0;
}

int ippool_lease_get_for(struct ippool *p, const char *username, const struct lease_want *want,
			 struct lease *out)
{
	struct lease l = {};
	enum lease_src s4, s6;
	uint32_t f4, f6;
	bool rt4, rt6;
	int ret;

	*out = (struct lease){};
	ret = classify(p, AF_INET, want, &s4, &f4);
	if (ret == 0)
		ret = classify(p, AF_INET6, want, &s6, &f6);
	if (ret < 0)
		return ret;
	if (s4 == SRC_NONE && s6 == SRC_NONE)
		return -EINVAL;
	pthread_mutex_lock(&p->lock);
	ret = slot_take_locked(p, s4, s6, f4, f6, username, &l);
	if (ret == 0)
		ret = family_take_locked(p, AF_INET, s4, want, username, &l);
	if (ret == 0)
		ret = family_take_locked(p, AF_INET6, s6, want, username, &l);
	/* Registered last, so release_locked only removes entries that were added. */
	rt4 = l.rt4;
	rt6 = l.rt6;
	l.rt4 = l.rt6 = false;
	if (ret == 0 && rt4 && (ret = rtable_add(p->rt, AF_INET, &l.v4, 32, l.slot)) == 0)
		l.rt4 = true;
	if (ret == 0 && rt6 && (ret = rtable_add(p->rt, AF_INET6, &l.v6, l.v6_prefix, l.slot)) == 0)
		l.rt6 = true;
	if (ret == -EEXIST)
		ret = -EADDRINUSE;
	if (ret < 0)
		release_locked(p, &l);
	pthread_mutex_unlock(&p->lock);
	if (ret == 0)
		*out = l;
	return ret;
}

void ippool_lease_put(struct ippool *p, const struct lease *l)
{
	if (l->slot == 0)
		return;
	pthread_mutex_lock(&p->lock);
	release_locked(p, l);
	pthread_mutex_unlock(&p->lock);
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
