// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for net/rtable.c: longest match across lengths, IPv4/IPv6 separation, the
 * ::ffff:0:0/96 refusal, add/del ownership, capacity (the limit and one past it), overlap, and
 * lookups racing a writer. */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "net/net.h"

static uint8_t a4[4], a6[16];

static const void *ip4(const char *s)
{
	assert_int_equal(inet_pton(AF_INET, s, a4), 1);
	return a4;
}

static const void *ip6(const char *s)
{
	assert_int_equal(inet_pton(AF_INET6, s, a6), 1);
	return a6;
}

static void test_longest_match(void **state)
{
	struct rtable *t;

	(void)state;
	assert_int_equal(rtable_new(16, &t), 0);
	assert_int_equal(rtable_lookup(t, AF_INET, ip4("198.18.200.9")), 0); /* empty */
	assert_int_equal(rtable_add(t, AF_INET, ip4("198.18.0.0"), 16, 7), 0);
	assert_int_equal(rtable_add(t, AF_INET, ip4("198.18.200.0"), 24, 8), 0);
	assert_int_equal(rtable_add(t, AF_INET, ip4("198.18.200.9"), 32, 9), 0);
	assert_int_equal(rtable_lookup(t, AF_INET, ip4("198.18.200.9")), 9);
	assert_int_equal(rtable_lookup(t, AF_INET, ip4("198.18.200.10")), 8);
	assert_int_equal(rtable_lookup(t, AF_INET, ip4("198.18.5.1")), 7);
	assert_int_equal(rtable_lookup(t, AF_INET, ip4("198.19.0.1")), 0);
	/* An IPv4 entry never answers an IPv6 lookup, not even ::ffff:198.18.200.9. */
	assert_int_equal(rtable_lookup(t, AF_INET6, ip6("::ffff:198.18.200.9")), 0);
	assert_int_equal(rtable_add(t, AF_INET6, ip6("::ffff:0:0"), 96, 3), -EINVAL);
	assert_int_equal(rtable_add(t, AF_INET6, ip6("2001:db8:200::"), 64, 4), 0);
	assert_int_equal(rtable_lookup(t, AF_INET6, ip6("2001:db8:200::2")), 4);
	assert_int_equal(rtable_lookup(t, AF_INET6, ip6("2001:db8:201::2")), 0);
	/* Host bits are ignored; length checks. */
	assert_int_equal(rtable_add(t, AF_INET, ip4("198.18.201.77"), 24, 5), 0);
	assert_int_equal(rtable_lookup(t, AF_INET, ip4("198.18.201.1")), 5);
	assert_int_equal(rtable_add(t, AF_INET, ip4("198.18.0.0"), 33, 5), -EINVAL);
	assert_int_equal(rtable_add(t, AF_INET6, ip6("2001:db8::"), 129, 5), -EINVAL);
	assert_int_equal(rtable_add(t, AF_INET, ip4("198.18.0.0"), 24, 0), -EINVAL);
	assert_int_equal(rtable_count(t), 5);
	rtable_free(t);
	rtable_free(nullptr);
}

static void test_add_del_owner(void **state)
{
	struct rtable *t;

	(void)state;
	assert_int_equal(rtable_new(4, &t), 0);
	assert_int_equal(rtable_add(t, AF_INET, ip4("198.18.200.0"), 24, 8), 0);
	assert_int_equal(rtable_add(t, AF_INET, ip4("198.18.200.0"), 24, 8), 0); /* idempotent */
	assert_int_equal(rtable_add(t, AF_INET, ip4("198.18.200.0"), 24, 9), -EEXIST);
	assert_int_equal(rtable_count(t), 1);
	assert_int_equal(rtable_del(t, AF_INET, ip4("198.18.200.0"), 24, 9), -ENOENT);
	assert_int_equal(rtable_lookup(t, AF_INET, ip4("198.18.200.1")), 8);
	assert_int_equal(rtable_del(t, AF_INET, ip4("198.18.200.0"), 24, 8), 0);
	assert_int_equal(rtable_lookup(t, AF_INET, ip4("198.18.200.1")), 0);
	assert_int_equal(rtable_del(t, AF_INET, ip4("198.18.200.0"), 24, 8), -ENOENT);
	/* Capacity: the limit, then one past it. */
	for (unsigned i = 0; i < 4; i++) {
		uint8_t a[4] = {198, 18, (uint8_t)(10 + i), 0};
		assert_int_equal(rtable_add(t, AF_INET, a, 24, 100 + i), 0);
	}
	assert_int_equal(rtable_add(t, AF_INET, ip4("198.18.99.0"), 24, 1), -ENOSPC);
	for (unsigned i = 0; i < 4; i++) {
		uint8_t a[4] = {198, 18, (uint8_t)(10 + i), 5};
		assert_int_equal(rtable_lookup(t, AF_INET, a), 100 + i);
	}
	rtable_free(t);
	assert_int_equal(rtable_new(0, &t), -EINVAL);
	assert_null(t);
}

static void test_overlap(void **state)
{
	struct rtable *t;

	(void)state;
	assert_int_equal(rtable_new(8, &t), 0);
	assert_int_equal(rtable_add(t, AF_INET, ip4("198.18.110.35"), 32, 3), 0);
	assert_int_equal(rtable_overlap(t, AF_INET, ip4("198.18.110.0"), 24), 3); /* contains */
	assert_int_equal(rtable_overlap(t, AF_INET, ip4("198.18.110.35"), 32), 3);
	assert_int_equal(rtable_overlap(t, AF_INET, ip4("198.18.111.0"), 24), 0);
	assert_int_equal(rtable_add(t, AF_INET6, ip6("2001:db8:200::"), 48, 4), 0);
	assert_int_equal(rtable_overlap(t, AF_INET6, ip6("2001:db8:200:5::"), 64), 4); /* inside */
	assert_int_equal(rtable_overlap(t, AF_INET6, ip6("2001:db8::"), 32), 4);
	assert_int_equal(rtable_overlap(t, AF_INET6, ip6("2001:db8:201::"), 48), 0);
	assert_int_equal(rtable_overlap(t, AF_INET, ip4("0.0.0.0"), 0), 3); /* IPv4 default */
	rtable_free(t);
}

/* Readers never see a torn entry: while a writer adds and removes 198.18.77.0/24 -> 77, a
 * lookup of 198.18.77.1 is 77 or 0 and one of 198.18.1.1 is always 1. */
struct race {
	struct rtable *t;
	_Atomic bool stop;
	int bad;
};

static void *race_reader(void *arg)
{
	struct race *r = arg;
	uint8_t in[4] = {198, 18, 77, 1}, fixed[4] = {198, 18, 1, 1};

	for (unsigned i = 0; i < 200000 && !atomic_load(&r->stop); i++) {
		uint32_t s = rtable_lookup(r->t, AF_INET, in);

		if ((s != 0 && s != 77) || rtable_lookup(r->t, AF_INET, fixed) != 1)
			r->bad++;
	}
	return nullptr;
}

static void test_concurrent(void **state)
{
	struct race r = {};
	uint8_t net[4] = {198, 18, 77, 0}, other[4] = {198, 18, 1, 0};
	pthread_t th;

	(void)state;
	assert_int_equal(rtable_new(64, &r.t), 0);
	assert_int_equal(rtable_add(r.t, AF_INET, other, 24, 1), 0);
	assert_int_equal(pthread_create(&th, nullptr, race_reader, &r), 0);
	for (unsigned i = 0; i < 20000; i++) {
		assert_int_equal(rtable_add(r.t, AF_INET, net, 24, 77), 0);
		assert_int_equal(rtable_del(r.t, AF_INET, net, 24, 77), 0);
	}
	atomic_store(&r.stop, true);
	pthread_join(th, nullptr);
	assert_int_equal(r.bad, 0);
	rtable_free(r.t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_longest_match),
		cmocka_unit_test(test_add_del_owner),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_concurrent),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
