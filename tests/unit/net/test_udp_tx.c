// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for net/udp_tx.c over real UDP sockets on 127.0.0.1: gathered datagrams arrive as
 * the same datagrams, in order, whatever mix of sizes and sockets breaks the batches; the
 * armed callback fires once per batch; a send error reaches the batch's sender. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "net/net.h"

/* A receiving socket and a sending socket connected to it. */
struct pair {
	int rx, tx;
};

static void pair_open(struct pair *p)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int big = 4 << 20;

	p->rx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	p->tx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(p->rx >= 0 && p->tx >= 0);
	(void)setsockopt(p->rx, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	assert_int_equal(bind(p->rx, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(p->rx, (struct sockaddr *)&a, &len), 0);
	assert_int_equal(connect(p->tx, (struct sockaddr *)&a, sizeof(a)), 0);
}

static void pair_close(struct pair *p)
{
	close(p->rx);
	close(p->tx);
}

/* Datagram i of a test: its length and a fill byte that identifies it. */
static void make(uint8_t *buf, size_t len, unsigned i)
{
	memset(buf, (int)(i * 7 + 1), len);
	buf[0] = (uint8_t)i;
}

/* The next datagram on rx must be number i, len bytes. */
static void expect(int rx, size_t len, unsigned i)
{
	uint8_t got[70000], want[70000];
	ssize_t n = recv(rx, got, sizeof(got), MSG_DONTWAIT);

	assert_int_equal(n, (ssize_t)len);
	make(want, len, i);
	assert_memory_equal(got, want, len);
}

static void expect_empty(int rx)
{
	uint8_t b[16];

	assert_int_equal(recv(rx, b, sizeof(b), MSG_DONTWAIT), -1);
	assert_int_equal(errno, EAGAIN);
}

static unsigned armed_calls;

static void on_armed(void *ctx)
{
	assert_ptr_equal(ctx, &armed_calls);
	armed_calls++;
}

/* Equal sizes, a shorter last one, then a longer one that must start a new batch; nothing is
 * sent before the flush, everything in order after it. */
static void test_sizes_and_order(void **state)
{
	static const size_t lens[] = {1400, 1400, 1400, 900, 1400, 1400, 1200, 1300, 64};
	struct udp_tx *t;
	struct pair p;
	uint8_t buf[1400];
	int err = 0;

	(void)state;
	pair_open(&p);
	armed_calls = 0;
	assert_int_equal(udp_tx_new(on_armed, &armed_calls, &t), 0);
	for (unsigned i = 0; i < 3; i++) {
		make(buf, lens[i], i);
		udp_tx_add(t, p.tx, nullptr, 0, &err, buf, lens[i]);
	}
	expect_empty(p.rx); /* gathered, not sent */
	for (unsigned i = 3; i < sizeof(lens) / sizeof(lens[0]); i++) {
		make(buf, lens[i], i);
		udp_tx_add(t, p.tx, nullptr, 0, &err, buf, lens[i]);
	}
	udp_tx_flush(t);
	for (unsigned i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		expect(p.rx, lens[i], i);
	expect_empty(p.rx);
	assert_int_equal(err, 0);
	/* Batches: {1400 x3, 900} {1400 x2, 1200} {1300, 64}: three starts. */
	assert_int_equal(armed_calls, 3);
	udp_tx_flush(t); /* empty: nothing happens */
	expect_empty(p.rx);
	udp_tx_free(t);
	pair_close(&p);
}

/* More than one batch can hold (64 datagrams, 65000 bytes) and two sockets interleaved. */
static void test_limits_and_sockets(void **state)
{
	struct udp_tx *t;
	struct pair a, b;
	uint8_t buf[1500];

	(void)state;
	pair_open(&a);
	pair_open(&b);
	assert_int_equal(udp_tx_new(nullptr, nullptr, &t), 0);
	for (unsigned i = 0; i < 150; i++) {
		make(buf, 100, i);
		udp_tx_add(t, a.tx, nullptr, 0, nullptr, buf, 100);
	}
	for (unsigned i = 0; i < 100; i++) {
		make(buf, 1500, i);
		udp_tx_add(t, b.tx, nullptr, 0, nullptr, buf, 1500);
	}
	make(buf, 7, 150);
	udp_tx_add(t, a.tx, nullptr, 0, nullptr, buf, 7);
	udp_tx_flush(t);
	for (unsigned i = 0; i < 150; i++)
		expect(a.rx, 100, i);
	expect(a.rx, 7, 150);
	for (unsigned i = 0; i < 100; i++)
		expect(b.rx, 1500, i);
	expect_empty(a.rx);
	expect_empty(b.rx);
	udp_tx_forget(t, nullptr);	 /* nothing pending: no-op */
	udp_tx_forget(nullptr, nullptr); /* nullptr is fine */
	udp_tx_free(t);
	pair_close(&a);
	pair_close(&b);
}

/* udp_tx_forget sends the batch only when it is that sender's. */
static void test_forget(void **state)
{
	struct udp_tx *t;
	struct pair a;
	uint8_t buf[200];
	int mine = 0, other = 0;

	(void)state;
	pair_open(&a);
	assert_int_equal(udp_tx_new(nullptr, nullptr, &t), 0);
	make(buf, 200, 1);
	udp_tx_add(t, a.tx, nullptr, 0, &mine, buf, 200);
	udp_tx_forget(t, &other);
	expect_empty(a.rx);
	udp_tx_forget(t, &mine);
	expect(a.rx, 200, 1);
	udp_tx_free(t);
	pair_close(&a);
}

/* One unconnected socket, as the DTLS port: each batch goes to its own peer address, and
 * datagrams for another peer start a new batch. */
static void test_peers(void **state)
{
	struct sockaddr_in to[2];
	struct udp_tx *t;
	struct pair a, b;
	uint8_t buf[1200];
	int fd;

	(void)state;
	pair_open(&a);
	pair_open(&b);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	for (int i = 0; i < 2; i++) {
		socklen_t len = sizeof(to[i]);
		assert_int_equal(getsockname(i ? b.rx : a.rx, (struct sockaddr *)&to[i], &len), 0);
	}
	assert_int_equal(udp_tx_new(nullptr, nullptr, &t), 0);
	for (unsigned i = 0; i < 40; i++) {
		/* 10 to a, 10 to b, ...: four batches of equal sizes (GSO) */
		const struct sockaddr_in *dst = &to[(i / 10) % 2];
		make(buf, 1200, i);
		udp_tx_add(t, fd, (const struct sockaddr *)dst, sizeof(*dst), nullptr, buf, 1200);
	}
	udp_tx_flush(t);
	for (unsigned i = 0; i < 40; i++)
		expect((i / 10) % 2 ? b.rx : a.rx, 1200, i);
	expect_empty(a.rx);
	expect_empty(b.rx);
	udp_tx_free(t);
	close(fd);
	pair_close(&a);
	pair_close(&b);
}

/* A hard error goes to the sender's slot; UDP loss (a refused port) does not. */
static void test_errors(void **state)
{
	struct udp_tx *t;
	struct pair a;
	uint8_t buf[300] = {};
	int err = 0, fd;

	(void)state;
	pair_open(&a);
	assert_int_equal(udp_tx_new(nullptr, nullptr, &t), 0);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0); /* not connected: send fails */
	assert_true(fd >= 0);
	udp_tx_add(t, fd, nullptr, 0, &err, buf, sizeof(buf));
	udp_tx_add(t, fd, nullptr, 0, &err, buf, sizeof(buf));
	udp_tx_flush(t);
	assert_int_equal(err, EDESTADDRREQ);
	close(fd);
	/* The receiver is gone: ICMP port unreachable is UDP loss, not an error. */
	close(a.rx);
	err = 0;
	for (int round = 0; round < 3; round++) {
		udp_tx_add(t, a.tx, nullptr, 0, &err, buf, sizeof(buf));
		udp_tx_add(t, a.tx, nullptr, 0, &err, buf, sizeof(buf));
		udp_tx_flush(t);
	}
	assert_int_equal(err, 0);
	/* Empty and oversized datagrams are ignored. */
	udp_tx_add(t, a.tx, nullptr, 0, &err, buf, 0);
	udp_tx_flush(t);
	assert_int_equal(err, 0);
	udp_tx_free(t);
	close(a.tx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes_and_order), cmocka_unit_test(test_limits_and_sockets),
		cmocka_unit_test(test_forget),		cmocka_unit_test(test_peers),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
