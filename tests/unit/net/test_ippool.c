// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for net/ippool.c: slot arithmetic, capacity edges, exhaustion, predictable leases,
 * dual-stack limits and the lock-free address → slot lookup. */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/compiler.h"
#include "net/net.h"

static struct cfg_prefix pfx4(const char *a, unsigned len)
{
	struct cfg_prefix p = {.family = AF_INET, .prefix_len = len};

	assert_int_equal(inet_pton(AF_INET, a, &p.addr.v4), 1);
	return p;
}

static struct cfg_prefix pfx6(const char *a, unsigned len)
{
	struct cfg_prefix p = {.family = AF_INET6, .prefix_len = len};

	assert_int_equal(inet_pton(AF_INET6, a, &p.addr.v6), 1);
	return p;
}

/* v4 == nullptr or v6 == nullptr leaves that family off. */
static struct config mkcfg(const char *v4, unsigned len4, const char *v6, unsigned len6,
			   unsigned sub6, bool predictable)
{
	struct config c = {.predictable_ips = predictable, .ipv6_subnet_prefix = sub6};

	if (v4) {
		c.have_ipv4 = true;
		c.ipv4_network = pfx4(v4, len4);
	}
	if (v6) {
		c.have_ipv6 = true;
		c.ipv6_network = pfx6(v6, len6);
	}
	return c;
}

static struct ippool *mkpool(const char *v4, unsigned len4, const char *v6, unsigned len6,
			     unsigned sub6, bool predictable)
{
	struct config c = mkcfg(v4, len4, v6, len6, sub6, predictable);
	struct ippool *p;

	assert_int_equal(ippool_new(&c, &p), 0);
	assert_non_null(p);
	return p;
}

static void assert_v4(struct in_addr a, const char *want)
{
	char s[INET_ADDRSTRLEN];

	assert_non_null(inet_ntop(AF_INET, &a, s, sizeof(s)));
	assert_string_equal(s, want);
}

static void assert_v6(const struct in6_addr *a, const char *want)
{
	char s[INET6_ADDRSTRLEN];

	assert_non_null(inet_ntop(AF_INET6, a, s, sizeof(s)));
	assert_string_equal(s, want);
}

static uint32_t slot_of4(const struct ippool *p, const char *a)
{
	struct in_addr x;

	assert_int_equal(inet_pton(AF_INET, a, &x), 1);
	return ippool_slot_of(p, AF_INET, &x);
}

static uint32_t slot_of6(const struct ippool *p, const char *a)
{
	struct in6_addr x;

	assert_int_equal(inet_pton(AF_INET6, a, &x), 1);
	return ippool_slot_of(p, AF_INET6, &x);
}

static void test_v4_24_fill(void **state)
{
	struct ippool *p = mkpool("198.18.0.0", 24, nullptr, 0, 0, false);
	struct lease l;
	struct in_addr srv;
	unsigned plen;

	(void)state;
	assert_int_equal(ippool_slot_count(p), 255);
	assert_true(ippool_server_v4(p, &srv, &plen));
	assert_v4(srv, "198.18.0.1");
	assert_int_equal(plen, 24);
	assert_false(ippool_server_v6(p, &(struct in6_addr){}, &plen));
	for (uint32_t s = 2; s <= 254; s++) {
		char want[INET_ADDRSTRLEN];

		assert_int_equal(ippool_lease_get(p, "alice", &l), 0);
		assert_int_equal(l.slot, s);
		assert_true(l.has_v4);
		assert_false(l.has_v6);
		snprintf(want, sizeof(want), "198.18.0.%u", s);
		assert_v4(l.v4, want);
		assert_v4(l.v4_netmask, "255.255.255.0");
		assert_int_equal(ippool_slot_of(p, AF_INET, &l.v4), s);
	}
	/* Exactly at capacity (253): the next one is refused, and again. */
	assert_int_equal(ippool_lease_get(p, "bob", &l), -ENOSPC);
	assert_int_equal(l.slot, 0);
	assert_int_equal(ippool_lease_get(p, "bob", &l), -ENOSPC);
	/* Put one back, get exactly that one. */
	ippool_lease_put(p, &(struct lease){.slot = 100});
	assert_int_equal(ippool_lease_get(p, "bob", &l), 0);
	assert_int_equal(l.slot, 100);
	assert_v4(l.v4, "198.18.0.100");
	assert_int_equal(ippool_lease_get(p, "bob", &l), -ENOSPC);
	ippool_free(p);
}

static void test_put_get_lowest(void **state)
{
	struct ippool *p = mkpool("198.18.4.0", 24, nullptr, 0, 0, false);
	struct lease a, b, c;

	(void)state;
	assert_int_equal(ippool_lease_get(p, nullptr, &a), 0);
	assert_int_equal(ippool_lease_get(p, nullptr, &b), 0);
	assert_int_equal(a.slot, 2);
	assert_int_equal(b.slot, 3);
	ippool_lease_put(p, &a);
	assert_int_equal(ippool_lease_get(p, nullptr, &c), 0);
	assert_int_equal(c.slot, 2);
	/* Slot 0 (no lease) and unleased slots are ignored without harm. */
	ippool_lease_put(p, &(struct lease){});
	ippool_lease_put(p, &(struct lease){.slot = 200});
	ippool_lease_put(p, &(struct lease){.slot = 1000});
	ippool_free(p);
}

static void test_predictable(void **state)
{
	struct ippool *p = mkpool("198.18.0.0", 16, nullptr, 0, 0, true);
	struct lease a1, a2, b;

	(void)state;
	assert_int_equal(ippool_lease_get(p, "alice", &a1), 0);
	ippool_lease_put(p, &a1);
	assert_int_equal(ippool_lease_get(p, "bob", &b), 0);
	assert_int_equal(ippool_lease_get(p, "alice", &a2), 0);
	assert_int_equal(a1.slot, a2.slot);
	assert_memory_equal(&a1.v4, &a2.v4, sizeof(a1.v4));
	/* With alice's slot held, alice's second session gets another one. */
	assert_int_equal(ippool_lease_get(p, "alice", &a1), 0);
	assert_int_not_equal(a1.slot, a2.slot);
	ippool_free(p);
}

static void test_predictable_exhaustion(void **state)
{
	struct ippool *p = mkpool("198.18.0.16", 28, nullptr, 0, 0, true);
	uint32_t seen = 0;
	struct lease l;

	(void)state;
	assert_int_equal(ippool_slot_count(p), 15);
	for (int i = 0; i < 13; i++) {
		assert_int_equal(ippool_lease_get(p, "same-user", &l), 0);
		assert_in_range(l.slot, 2, 14);
		assert_false(seen & (1u << l.slot));
		seen |= 1u << l.slot;
	}
	assert_int_equal(ippool_lease_get(p, "same-user", &l), -ENOSPC);
	assert_int_equal(ippool_lease_get(p, "other", &l), -ENOSPC);
	ippool_free(p);
}

static void test_v6_subnet_128(void **state)
{
	struct ippool *p = mkpool(nullptr, 0, "2001:db8:1::", 112, 128, false);
	struct in6_addr srv;
	unsigned plen;
	struct lease l;

	(void)state;
	assert_int_equal(ippool_slot_count(p), 65536);
	assert_true(ippool_server_v6(p, &srv, &plen));
	assert_v6(&srv, "2001:db8:1::1");
	assert_int_equal(plen, 112);
	assert_false(ippool_server_v4(p, &(struct in_addr){}, &plen));
	assert_int_equal(ippool_lease_get(p, "u", &l), 0);
	assert_false(l.has_v4);
	assert_true(l.has_v6);
	assert_int_equal(l.slot, 2);
	assert_int_equal(l.v6_prefix, 128);
	assert_v6(&l.v6, "2001:db8:1::2");
	assert_int_equal(slot_of6(p, "2001:db8:1::2"), 2);
	assert_int_equal(slot_of6(p, "2001:db8:1::ffff"), 65535); /* last: v6 has no broadcast */
	ippool_free(p);
}

static void test_v6_subnet_64(void **state)
{
	struct ippool *p = mkpool(nullptr, 0, "2001:db8:7::", 48, 64, false);
	struct in6_addr srv;
	unsigned plen;
	struct lease l;

	(void)state;
	assert_int_equal(ippool_slot_count(p), 65536);
	assert_true(ippool_server_v6(p, &srv, &plen));
	assert_v6(&srv, "2001:db8:7:1::");
	assert_int_equal(plen, 48);
	assert_int_equal(ippool_lease_get(p, "u", &l), 0);
	assert_int_equal(l.v6_prefix, 64);
	assert_v6(&l.v6, "2001:db8:7:2::");
	/* Any address in the client's /64 is that client's. */
	assert_int_equal(slot_of6(p, "2001:db8:7:2::"), 2);
	assert_int_equal(slot_of6(p, "2001:db8:7:2:1234:5678:9abc:def0"), 2);
	assert_int_equal(slot_of6(p, "2001:db8:7:ffff:ffff::1"), 65535);
	ippool_free(p);
}

struct slot_case {
	const char *name;
	int family;
	const char *addr;
	uint32_t want;
};

static void test_slot_of_table(void **state)
{
	static const struct slot_case cases[] = {
		{"v4 inside", AF_INET, "198.18.0.77", 77},
		{"v4 first lease", AF_INET, "198.18.0.2", 2},
		{"v4 last lease", AF_INET, "198.18.0.254", 254},
		{"v4 network", AF_INET, "198.18.0.0", 0},
		{"v4 server", AF_INET, "198.18.0.1", 0},
		{"v4 broadcast", AF_INET, "198.18.0.255", 0},
		{"v4 outside above", AF_INET, "198.18.1.2", 0},
		{"v4 outside below", AF_INET, "198.17.255.2", 0},
		{"v6 inside", AF_INET6, "2001:db8:2::4d", 77},
		{"v6 last slot", AF_INET6, "2001:db8:2::fe", 254},
		{"v6 past v4 capacity", AF_INET6, "2001:db8:2::ff", 0},
		{"v6 network", AF_INET6, "2001:db8:2::", 0},
		{"v6 server", AF_INET6, "2001:db8:2::1", 0},
		{"v6 outside", AF_INET6, "2001:db8:3::2", 0},
		{"v6 outside in prefix bits", AF_INET6, "2001:db8:2::1:2", 0},
	};
	struct ippool *p = mkpool("198.18.0.0", 24, "2001:db8:2::", 112, 128, false);

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct slot_case *c = &cases[i];
		uint32_t got = c->family == AF_INET ? slot_of4(p, c->addr) : slot_of6(p, c->addr);

		if (got != c->want)
			fail_msg("%s: %s -> %u, want %u", c->name, c->addr, got, c->want);
	}
	assert_int_equal(ippool_slot_of(p, AF_UNIX, "xxxxxxxxxxxxxxxx"), 0);
	ippool_free(p);

	/* Family not in the pool. */
	p = mkpool("198.18.0.0", 24, nullptr, 0, 0, false);
	assert_int_equal(slot_of6(p, "2001:db8:2::4d"), 0);
	ippool_free(p);
}

static void test_dual_stack_limit(void **state)
{
	struct ippool *p;
	struct lease l;

	(void)state;
	/* v6 bigger: the v4 /24 limits (255). */
	p = mkpool("198.18.0.0", 24, "2001:db8::", 64, 128, false);
	assert_int_equal(ippool_slot_count(p), 255);
	ippool_free(p);

	/* v6 smaller: a /125 of /128s gives 8 slots, 6 leases. */
	p = mkpool("198.18.0.0", 24, "2001:db8::", 125, 128, false);
	assert_int_equal(ippool_slot_count(p), 8);
	for (uint32_t s = 2; s < 8; s++) {
		assert_int_equal(ippool_lease_get(p, "u", &l), 0);
		assert_true(l.has_v4 && l.has_v6);
		assert_int_equal(l.slot, s);
		assert_int_equal(ippool_slot_of(p, AF_INET, &l.v4), s);
		assert_int_equal(ippool_slot_of(p, AF_INET6, &l.v6), s);
	}
	assert_v4(l.v4, "198.18.0.7");
	assert_v6(&l.v6, "2001:db8::7");
	assert_int_equal(ippool_lease_get(p, "u", &l), -ENOSPC);
	assert_int_equal(slot_of4(p, "198.18.0.8"), 0); /* v4 address beyond the shared count */
	ippool_free(p);
}

struct new_case {
	const char *name;
	const char *v4;
	unsigned len4;
	const char *v6;
	unsigned len6, sub6;
	int want;
	uint32_t slots;
};

static void test_new_edges(void **state)
{
	static const struct new_case cases[] = {
		{"none", nullptr, 0, nullptr, 0, 0, -EINVAL, 0},
		{"v4 /30", "198.18.0.4", 30, nullptr, 0, 0, 0, 3},
		{"v4 /31", "198.18.0.4", 31, nullptr, 0, 0, -EINVAL, 0},
		{"v4 /32", "198.18.0.4", 32, nullptr, 0, 0, -EINVAL, 0},
		{"v4 /33", "198.18.0.4", 33, nullptr, 0, 0, -EINVAL, 0},
		{"v4 /8", "198.0.0.0", 8, nullptr, 0, 0, 0, (1u << 24) - 1},
		{"v4 /7 capped", "198.0.0.0", 7, nullptr, 0, 0, 0, IPPOOL_MAX_SLOTS},
		{"v6 sub == prefix", nullptr, 0, "2001:db8::", 64, 64, -EINVAL, 0},
		{"v6 sub = prefix+1", nullptr, 0, "2001:db8::", 64, 65, -EINVAL, 0},
		{"v6 sub = prefix+2", nullptr, 0, "2001:db8::", 126, 128, 0, 4},
		{"v6 sub > 128", nullptr, 0, "2001:db8::", 64, 129, -EINVAL, 0},
		{"v6 sub 0", nullptr, 0, "2001:db8::", 64, 0, -EINVAL, 0},
		{"v6 /32 of /64 capped", nullptr, 0, "2001:db8::", 32, 64, 0, IPPOOL_MAX_SLOTS},
		{"dual, v4 bad", "198.18.0.0", 31, "2001:db8::", 64, 128, -EINVAL, 0},
		{"dual, v4 /30", "198.18.0.0", 30, "2001:db8::", 64, 128, 0, 3},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct new_case *c = &cases[i];
		struct config cfg = mkcfg(c->v4, c->len4, c->v6, c->len6, c->sub6, false);
		struct ippool *p = (struct ippool *)1;
		int ret = ippool_new(&cfg, &p);

		if (ret != c->want)
			fail_msg("%s: ippool_new -> %d, want %d", c->name, ret, c->want);
		if (ret < 0) {
			assert_null(p);
			continue;
		}
		if (ippool_slot_count(p) != c->slots)
			fail_msg("%s: %u slots, want %u", c->name, ippool_slot_count(p), c->slots);
		ippool_free(p);
	}
	ippool_free(nullptr);
}

static void test_v4_30(void **state)
{
	struct ippool *p = mkpool("198.18.0.4", 30, nullptr, 0, 0, true);
	struct lease l, l2;

	(void)state;
	assert_int_equal(ippool_lease_get(p, "u", &l), 0);
	assert_v4(l.v4, "198.18.0.6");
	assert_v4(l.v4_netmask, "255.255.255.252");
	assert_int_equal(ippool_lease_get(p, "v", &l2), -ENOSPC);
	assert_int_equal(slot_of4(p, "198.18.0.7"), 0); /* broadcast */
	assert_int_equal(slot_of4(p, "198.18.0.5"), 0); /* server */
	ippool_lease_put(p, &l);
	assert_int_equal(ippool_lease_get(p, "v", &l2), 0);
	assert_int_equal(l2.slot, 2);
	ippool_free(p);
}

static void test_host_bits_masked(void **state)
{
	/* A network written with host bits set still leases from the network. */
	struct ippool *p = mkpool("198.18.0.77", 24, "2001:db8:1::99", 112, 128, false);
	struct lease l;

	(void)state;
	assert_int_equal(ippool_lease_get(p, "u", &l), 0);
	assert_v4(l.v4, "198.18.0.2");
	assert_v6(&l.v6, "2001:db8:1::2");
	ippool_free(p);
}

enum { THREADS = 4, PER_THREAD = 50 };

struct thr_arg {
	struct ippool *p;
	uint32_t slots[PER_THREAD];
};

static void *thr_get(void *arg)
{
	struct thr_arg *a = arg;
	struct lease l;

	for (int i = 0; i < PER_THREAD; i++) {
		if (ippool_lease_get(a->p, "same", &l) < 0)
			return arg;
		a->slots[i] = l.slot;
	}
	return nullptr;
}

static void test_threads_unique(void **state)
{
	struct ippool *p = mkpool("198.18.0.0", 24, nullptr, 0, 0, true);
	struct thr_arg args[THREADS] = {};
	pthread_t th[THREADS];
	uint8_t seen[256] = {};

	(void)state;
	for (int i = 0; i < THREADS; i++) {
		args[i].p = p;
		assert_int_equal(pthread_create(&th[i], nullptr, thr_get, &args[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		void *r;

		assert_int_equal(pthread_join(th[i], &r), 0);
		assert_null(r);
		for (int j = 0; j < PER_THREAD; j++) {
			assert_in_range(args[i].slots[j], 2, 254);
			assert_int_equal(seen[args[i].slots[j]]++, 0);
		}
	}
	ippool_free(p);
}

/* explicit-ipv4/6 inside the main pool: exactly that address, its slot, no one else gets it. */
static void test_fixed_main(void **state)
{
	struct ippool *p = mkpool("198.18.100.0", 24, "2001:db8:100::", 64, 128, false);
	struct cfg_prefix f4 = pfx4("198.18.100.77", 32), f6 = pfx6("2001:db8:100::77", 128);
	struct cfg_prefix bad4 = pfx4("198.18.120.5", 32), srv4 = pfx4("198.18.100.1", 32);
	struct lease_want w = {.v4 = true, .v6 = true, .fixed4 = &f4};
	struct lease a, b, c;
	uint8_t dst[16];

	(void)state;
	assert_int_equal(ippool_lease_get_for(p, "fix", &w, &a), 0);
	assert_int_equal(a.slot, 77);
	assert_int_equal(a.v4.s_addr, htonl(0xc612644d)); /* 198.18.100.77 */
	assert_true(a.has_v6);
	assert_int_equal(ippool_slot_of(p, AF_INET6, &a.v6), 77); /* the slot's own IPv6 */
	assert_int_equal(rtable_count(ippool_rtable(p)), 0);	  /* arithmetic is enough */
	assert_int_equal(ippool_lease_get_for(p, "dup", &w, &b), -EADDRINUSE);
	assert_int_equal(b.slot, 0);
	/* Dynamic leases skip the held slot. */
	for (int i = 0; i < 252; i++) {
		assert_int_equal(ippool_lease_get(p, "x", &c), 0);
		assert_int_not_equal(c.slot, 77);
	}
	assert_int_equal(ippool_lease_get(p, "x", &c), -ENOSPC);
	ippool_lease_put(p, &c);
	/* Outside every pool, or the server's own address: refused. */
	w.fixed4 = &bad4;
	assert_int_equal(ippool_lease_get_for(p, "out", &w, &b), -EADDRNOTAVAIL);
	w.fixed4 = &srv4;
	assert_int_equal(ippool_lease_get_for(p, "srv", &w, &b), -EADDRNOTAVAIL);
	ippool_lease_put(p, &a);
	ippool_free(p);

	/* Both families fixed on different slots: v6 is found through the rtable. */
	p = mkpool("198.18.100.0", 24, "2001:db8:100::", 64, 128, false);
	w = (struct lease_want){.v4 = true, .v6 = true, .fixed4 = &f4, .fixed6 = &f6};
	assert_int_equal(ippool_lease_get_for(p, "fix", &w, &a), 0);
	assert_int_equal(a.slot, 77);
	assert_memory_equal(&a.v6, &f6.addr.v6, 16);
	assert_int_equal(a.v6_prefix, 128);
	assert_int_equal(a.hold6, 0x77);
	assert_int_equal(rtable_lookup(ippool_rtable(p), AF_INET6, &f6.addr.v6), 77);
	/* Another session asking for the same IPv6 alone is refused (slot 0x77 is held). */
	struct lease_want w6 = {.v4 = true, .v6 = true, .fixed6 = &f6};
	assert_int_equal(ippool_lease_get_for(p, "dup6", &w6, &b), -EADDRINUSE);
	ippool_lease_put(p, &a);
	assert_int_equal(rtable_count(ippool_rtable(p)), 0);
	assert_int_equal(ippool_lease_get_for(p, "dup6", &w6, &b), 0);
	assert_int_equal(b.slot, 0x77);
	ippool_lease_put(p, &b);
	/* An IPv6 prefix shorter than the subnet would cover other clients. */
	struct cfg_prefix wide6 = pfx6("2001:db8:100::70", 124);
	w6.fixed6 = &wide6;
	assert_int_equal(ippool_lease_get_for(p, "wide", &w6, &b), -EINVAL);
	memcpy(dst, &f6.addr.v6, 16);
	assert_int_equal(rtable_lookup(ippool_rtable(p), AF_INET6, dst), 0);
	ippool_free(p);
}

/* A per-user network: leases from it, found through the rtable, an extra slot when the user has
 * no main-pool address; fixed addresses inside it; overlaps refused. */
static void test_subpool(void **state)
{
	struct ippool *p = mkpool("198.18.100.0", 24, "2001:db8:100::", 64, 128, false);
	struct cfg_prefix n4 = pfx4("198.18.110.0", 30), n6 = pfx6("2001:db8:110::", 64);
	struct cfg_prefix over = pfx4("198.18.100.128", 25), fixed = pfx4("198.18.110.2", 32);
	struct lease_want w = {.v4 = true, .v6 = true, .net4 = &n4, .net6 = &n6, .subnet6 = 128};
	struct rtable *rt = ippool_rtable(p);
	struct lease a, b;

	(void)state;
	assert_int_equal(ippool_lease_get_for(p, "pool", &w, &a), 0);
	assert_true(a.extra);
	assert_true(a.slot >= ippool_slot_count(p) && a.slot < ippool_index_count(p));
	assert_int_equal(a.v4.s_addr, htonl(0xc6126e02)); /* 198.18.110.2: .1 is the server */
	assert_int_equal(a.v4_netmask.s_addr, htonl(0xfffffffc));
	assert_int_equal(ippool_slot_of(p, AF_INET, &a.v4), 0);
	assert_int_equal(rtable_lookup(rt, AF_INET, &a.v4), a.slot);
	assert_int_equal(rtable_lookup(rt, AF_INET6, &a.v6), a.slot);
	/* A /30 has one client (.1 server, .3 broadcast): the next is refused, nothing left over.
	 */
	assert_int_equal(ippool_lease_get_for(p, "pool", &w, &b), -ENOSPC);
	assert_int_equal(rtable_count(rt), 2);
	ippool_lease_put(p, &a);
	assert_int_equal(rtable_count(rt), 0);
	/* Fixed inside the own network. */
	w.fixed4 = &fixed;
	assert_int_equal(ippool_lease_get_for(p, "f", &w, &a), 0);
	assert_int_equal(a.v4.s_addr, fixed.addr.v4.s_addr);
	assert_int_equal(ippool_lease_get_for(p, "g", &w, &b), -EADDRINUSE);
	ippool_lease_put(p, &a);
	/* IPv4 from the main pool, IPv6 from the own network: a main slot, v6 in the rtable. */
	w = (struct lease_want){.v4 = true, .v6 = true, .net6 = &n6, .subnet6 = 128};
	assert_int_equal(ippool_lease_get_for(p, "mix", &w, &a), 0);
	assert_false(a.extra);
	assert_int_equal(ippool_slot_of(p, AF_INET, &a.v4), a.slot);
	assert_int_equal(rtable_lookup(rt, AF_INET6, &a.v6), a.slot);
	ippool_lease_put(p, &a);
	/* A network overlapping the main pool is refused. */
	w = (struct lease_want){.v4 = true, .net4 = &over};
	assert_int_equal(ippool_lease_get_for(p, "over", &w, &a), -EINVAL);
	ippool_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_24_fill),
		cmocka_unit_test(test_put_get_lowest),
		cmocka_unit_test(test_predictable),
		cmocka_unit_test(test_predictable_exhaustion),
		cmocka_unit_test(test_v6_subnet_128),
		cmocka_unit_test(test_v6_subnet_64),
		cmocka_unit_test(test_slot_of_table),
		cmocka_unit_test(test_dual_stack_limit),
		cmocka_unit_test(test_new_edges),
		cmocka_unit_test(test_v4_30),
		cmocka_unit_test(test_host_bits_masked),
		cmocka_unit_test(test_threads_unique),
		cmocka_unit_test(test_fixed_main),
		cmocka_unit_test(test_subpool),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
