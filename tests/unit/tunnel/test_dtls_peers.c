// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for tunnel/dtls_peers.c: socket addresses to keys (IPv4, IPv6, v4-mapped), the
 * table (find, the newest of equal keys first, delete in any order, growth keeping every entry
 * and the order of equal keys) and the index's owner lookups. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tunnel/dtls_peers.h"

static struct sockaddr_storage sa4(const char *ip, uint16_t port, socklen_t *len)
{
	struct sockaddr_storage ss = {};
	struct sockaddr_in *s4 = (void *)&ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, ip, &s4->sin_addr), 1);
	*len = sizeof(*s4);
	return ss;
}

static struct sockaddr_storage sa6(const char *ip, uint16_t port, socklen_t *len)
{
	struct sockaddr_storage ss = {};
	struct sockaddr_in6 *s6 = (void *)&ss;

	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(port);
	assert_int_equal(inet_pton(AF_INET6, ip, &s6->sin6_addr), 1);
	*len = sizeof(*s6);
	return ss;
}

static void test_keys(void **)
{
	struct dtls_peer_key a, b;
	socklen_t len;
	struct sockaddr_storage ss;

	ss = sa4("198.18.0.2", 4443, &len);
	assert_int_equal(dtls_peer_key_of(&ss, len, &a), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.port, htons(4443));
	assert_memory_equal(a.addr, ((uint8_t[16]){198, 18, 0, 2}), 16);
	/* The same client on a dual-stack socket. */
	ss = sa6("::ffff:198.18.0.2", 4443, &len);
	assert_int_equal(dtls_peer_key_of(&ss, len, &b), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	ss = sa6("2001:db8::7", 1, &len);
	assert_int_equal(dtls_peer_key_of(&ss, len, &b), 0);
	assert_int_equal(b.family, AF_INET6);
	assert_int_equal(b.addr[0], 0x20);
	assert_int_equal(b.addr[15], 7);
	/* Short lengths and other families are refused. */
	assert_int_equal(dtls_peer_key_of(&ss, sizeof(struct sockaddr_in), &b), -EAFNOSUPPORT);
	ss.ss_family = AF_UNIX;
	assert_int_equal(dtls_peer_key_of(&ss, sizeof(ss), &b), -EAFNOSUPPORT);
}

enum { N = 5000 };

static void key_n(struct dtls_peer_key *k, unsigned i)
{
	*k = (struct dtls_peer_key){.family = AF_INET, .port = htons((uint16_t)(1024 + i % 60000))};
	k->addr[0] = 198;
	k->addr[1] = 18;
	k->addr[2] = (uint8_t)(i / 60000);
	k->addr[3] = 2;
}

static void test_table(void **)
{
	struct dtls_peer_table t;
	struct dtls_peer_node *nodes = calloc(N + 1, sizeof(*nodes));
	struct dtls_peer_key k;

	assert_non_null(nodes);
	assert_int_equal(dtls_peer_table_init(&t), 0);
	for (unsigned i = 0; i < N; i++) {
		key_n(&nodes[i].key, i);
		dtls_peer_table_add(&t, &nodes[i]);
	}
	assert_int_equal(t.n, N);
	assert_true(t.mask + 1 >= N); /* it grew */
	for (unsigned i = 0; i < N; i++) {
		key_n(&k, i);
		assert_ptr_equal(dtls_peer_table_find(&t, &k), &nodes[i]);
	}
	/* A second entry for key 7 shadows the first until it goes. */
	key_n(&nodes[N].key, 7);
	dtls_peer_table_add(&t, &nodes[N]);
	key_n(&k, 7);
	assert_ptr_equal(dtls_peer_table_find(&t, &k), &nodes[N]);
	dtls_peer_table_del(&t, &nodes[N]);
	assert_ptr_equal(dtls_peer_table_find(&t, &k), &nodes[7]);
	dtls_peer_table_del(&t, &nodes[N]); /* not linked: nothing happens */
	assert_int_equal(t.n, N);
	/* The other port of the same address is another client. */
	k.port = htons(1);
	assert_null(dtls_peer_table_find(&t, &k));
	for (unsigned i = 0; i < N; i += 2)
		dtls_peer_table_del(&t, &nodes[i]);
	for (unsigned i = 0; i < N; i++) {
		key_n(&k, i);
		assert_ptr_equal(dtls_peer_table_find(&t, &k), i % 2 ? &nodes[i] : nullptr);
	}
	assert_int_equal(t.n, N / 2);
	dtls_peer_table_fini(&t);
	free(nodes);
}

/* Equal keys keep their order (newest first) through the doublings. */
static void test_growth_order(void **)
{
	struct dtls_peer_table t;
	struct dtls_peer_node twins[2] = {}, *fill = calloc(N, sizeof(*fill));
	struct dtls_peer_key k;

	assert_non_null(fill);
	assert_int_equal(dtls_peer_table_init(&t), 0);
	key_n(&twins[0].key, N + 1);
	key_n(&twins[1].key, N + 1);
	dtls_peer_table_add(&t, &twins[0]);
	dtls_peer_table_add(&t, &twins[1]);
	for (unsigned i = 0; i < N; i++) {
		key_n(&fill[i].key, i);
		dtls_peer_table_add(&t, &fill[i]);
	}
	key_n(&k, N + 1);
	assert_ptr_equal(dtls_peer_table_find(&t, &k), &twins[1]);
	dtls_peer_table_del(&t, &twins[1]);
	assert_ptr_equal(dtls_peer_table_find(&t, &k), &twins[0]);
	dtls_peer_table_fini(&t);
	free(fill);
}

static void test_index(void **)
{
	struct dtls_peer_index x;
	struct dtls_peer_entry a = {.owner = 1}, b = {.owner = 0};
	struct dtls_peer_key k;
	unsigned owner = 99;

	assert_int_equal(dtls_peer_index_init(&x), 0);
	key_n(&k, 3);
	assert_false(dtls_peer_index_owner(&x, &k, &owner));
	a.node.key = k;
	b.node.key = k;
	dtls_peer_index_add(&x, &a);
	assert_true(dtls_peer_index_owner(&x, &k, &owner));
	assert_int_equal(owner, 1);
	dtls_peer_index_add(&x, &b); /* a reconnect on worker 0 from the same port */
	assert_true(dtls_peer_index_owner(&x, &k, &owner));
	assert_int_equal(owner, 0);
	dtls_peer_index_del(&x, &b);
	assert_true(dtls_peer_index_owner(&x, &k, &owner));
	assert_int_equal(owner, 1);
	dtls_peer_index_del(&x, &a);
	dtls_peer_index_del(&x, &a);
	assert_false(dtls_peer_index_owner(&x, &k, &owner));
	dtls_peer_index_fini(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_growth_order),
		cmocka_unit_test(test_index),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
