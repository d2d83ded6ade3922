// SPDX-License-Identifier: GPL-2.0-or-later
/* Tests for net/tun.c (label root): in a private network namespace of its own, create the
 * multi-queue device, configure it over rtnetlink, check it with `ip`, and pass packets both
 * ways. Exits 77 (skipped) without root, /dev/net/tun or namespaces. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "net/net.h"

enum { QUEUES = 4, TEST_MTU = 1400, OUT_MAX = 8192 };

struct fixture {
	struct ippool *pool;
	struct tun *tun;
};

static struct ippool *mkpool(void)
{
	struct config c = {
		.have_ipv4 = true,
		.ipv4_network = {.family = AF_INET, .prefix_len = 24},
		.have_ipv6 = true,
		.ipv6_network = {.family = AF_INET6, .prefix_len = 64},
		.ipv6_subnet_prefix = 128,
	};
	struct ippool *p;

	assert_int_equal(inet_pton(AF_INET, "198.18.0.0", &c.ipv4_network.addr.v4), 1);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:1::", &c.ipv6_network.addr.v6), 1);
	assert_int_equal(ippool_new(&c, &p), 0);
	return p;
}

/* Output of a command (bounded), NUL-terminated. */
static void run_cmd(const char *cmd, char *out, size_t max)
{
	FILE *f = popen(cmd, "r");
	size_t n;

	assert_non_null(f);
	n = fread(out, 1, max - 1, f);
	out[n] = '\0';
	assert_int_equal(pclose(f), 0);
}

static int setup(void **state)
{
	static struct fixture fx;

	fx.pool = mkpool();
	assert_int_equal(tun_open("ocmt%d", QUEUES, false, &fx.tun), 0);
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	tun_free(fx->tun);
	ippool_free(fx->pool);
	return 0;
}

static void test_bad_args(void **state)
{
	struct tun *t = (struct tun *)1;

	(void)state;
	assert_int_equal(tun_open("ocmt%d", 0, false, &t), -EINVAL);
	assert_null(t);
	assert_int_equal(tun_open("ocmt%d", TUN_MAX_QUEUES + 1, false, &t), -EINVAL);
	assert_int_equal(tun_open("", 1, false, &t), -EINVAL);
	assert_int_equal(tun_open("0123456789abcdef", 1, false, &t),
			 -EINVAL); /* IFNAMSIZ with NUL */
	assert_int_equal(tun_open("lo", 1, false, &t), -EEXIST);
}

static void test_queues(void **state)
{
	struct fixture *fx = *state;
	uint8_t byte;

	assert_string_equal(tun_name(fx->tun), "ocmt0");
	assert_int_equal(tun_queue_count(fx->tun), QUEUES);
	assert_int_equal(tun_ifindex(fx->tun), if_nametoindex("ocmt0"));
	assert_int_equal(tun_queue_fd(fx->tun, QUEUES), -EINVAL);
	for (unsigned i = 0; i < QUEUES; i++) {
		int fd = tun_queue_fd(fx->tun, i);

		assert_true(fd >= 0);
		for (unsigned j = 0; j < i; j++)
			assert_int_not_equal(fd, tun_queue_fd(fx->tun, j));
		assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
		assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
		assert_int_equal(read(fd, &byte, 1), -1);
		assert_int_equal(errno, EAGAIN);
	}
	/* The exact name of an existing device is refused, never attached to. */
	struct tun *t2 = nullptr;

	assert_int_equal(tun_open("ocmt0", 1, false, &t2), -EEXIST);
	assert_null(t2);
}

static void test_configure(void **state)
{
	struct fixture *fx = *state;
	char out[OUT_MAX];

	assert_int_equal(tun_configure(fx->tun, fx->pool, 1279), -EINVAL); /* ipv6 needs 1280 */
	assert_int_equal(tun_configure(fx->tun, fx->pool, 65536), -EINVAL);
	assert_int_equal(tun_configure(fx->tun, fx->pool, TEST_MTU), 0);
	/* Idempotent: the addresses are replaced, not refused as duplicates. */
	assert_int_equal(tun_configure(fx->tun, fx->pool, TEST_MTU), 0);

	run_cmd("ip -d link show dev ocmt0", out, sizeof(out));
	if (!strstr(out, "mtu 1400") || !strstr(out, ",UP") || !strstr(out, "qlen 4096") ||
	    !strstr(out, "multi_queue"))
		fail_msg("ip -d link:\n%s", out);
	run_cmd("ip addr show dev ocmt0", out, sizeof(out));
	if (!strstr(out, "inet 198.18.0.1/24") || !strstr(out, "inet6 2001:db8:1::1/64"))
		fail_msg("ip addr:\n%s", out);
	if (strstr(out, "tentative"))
		fail_msg("ipv6 address is tentative (nodad not applied):\n%s", out);
}

static uint16_t ip_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Read packets from every queue until one parses with the given family and destination (other
 * traffic, e.g. IPv6 router solicitations, is skipped). Bounded by a 3 s deadline. */
static bool wait_on_queues(const struct tun *t, int family, const void *dst, size_t alen)
{
	struct pollfd pfd[QUEUES];
	uint8_t pkt[2048];

	for (unsigned i = 0; i < QUEUES; i++)
		pfd[i] = (struct pollfd){.fd = tun_queue_fd(t, i), .events = POLLIN};
	for (int round = 0; round < 30; round++) {
		if (poll(pfd, QUEUES, 100) <= 0)
			continue;
		for (unsigned i = 0; i < QUEUES; i++) {
			struct inner_pkt ip;
			ssize_t n;

			if (!(pfd[i].revents & POLLIN))
				continue;
			while ((n = read(pfd[i].fd, pkt, sizeof(pkt))) > 0) {
				if (inner_parse(pkt, (size_t)n, &ip) == 0 && ip.family == family &&
				    memcmp(ip.dst, dst, alen) == 0)
					return true;
			}
		}
	}
	return false;
}

static void test_packets(void **state)
{
	struct fixture *fx = *state;
	struct sockaddr_in srv = {.sin_family = AF_INET, .sin_port = htons(5000)};
	struct sockaddr_in cli = {.sin_family = AF_INET, .sin_port = htons(6000)};
	struct sockaddr_in6 cli6 = {.sin6_family = AF_INET6, .sin6_port = htons(6000)};
	/* IPv4 UDP 198.18.0.2:6000 → 198.18.0.1:5000 "ping", no UDP checksum. */
	// clang-format off
	uint8_t pkt[32] = {
		0x45, 0, 0, 32, 0, 1, 0, 0, 64, 17, 0, 0,
		198, 18, 0, 2,
		198, 18, 0, 1,
		0x17, 0x70, 0x13, 0x88, 0, 12, 0, 0,
		'p', 'i', 'n', 'g',
	};
	// clang-format on
	struct pollfd pfd;
	char got[8] = {};
	uint16_t csum;
	int s4, s6;

	assert_int_equal(inet_pton(AF_INET, "198.18.0.1", &srv.sin_addr), 1);
	assert_int_equal(inet_pton(AF_INET, "198.18.0.2", &cli.sin_addr), 1);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:1::5", &cli6.sin6_addr), 1);

	/* Uplink: a client packet written to queue 2 reaches a local socket. */
	s4 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(s4 >= 0);
	assert_int_equal(bind(s4, (struct sockaddr *)&srv, sizeof(srv)), 0);
	csum = ip_csum(pkt, 20);
	pkt[10] = (uint8_t)(csum >> 8);
	pkt[11] = (uint8_t)csum;
	assert_int_equal(write(tun_queue_fd(fx->tun, 2), pkt, sizeof(pkt)), (ssize_t)sizeof(pkt));
	pfd = (struct pollfd){.fd = s4, .events = POLLIN};
	assert_int_equal(poll(&pfd, 1, 2000), 1);
	assert_int_equal(recv(s4, got, sizeof(got), 0), 4);
	assert_memory_equal(got, "ping", 4);

	/* Downlink: a packet to a pool address comes out of one of the queues. */
	assert_int_equal(sendto(s4, "pong", 4, 0, (struct sockaddr *)&cli, sizeof(cli)), 4);
	assert_true(wait_on_queues(fx->tun, AF_INET, &cli.sin_addr, 4));
	close(s4);

	s6 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(s6 >= 0);
	assert_int_equal(sendto(s6, "pong", 4, 0, (struct sockaddr *)&cli6, sizeof(cli6)), 4);
	assert_true(wait_on_queues(fx->tun, AF_INET6, &cli6.sin6_addr, 16));
	close(s6);
}

static void test_vanishes(void **state)
{
	struct tun *t;
	struct timespec ms10 = {.tv_nsec = 10 * 1000 * 1000};
	int i;

	(void)state;
	assert_int_equal(tun_open("ocmtx%d", 2, false, &t), 0);
	assert_string_equal(tun_name(t), "ocmtx0");
	tun_free(t);
	for (i = 0; i < 100 && if_nametoindex("ocmtx0") != 0; i++)
		nanosleep(&ms10, nullptr);
	assert_int_equal(if_nametoindex("ocmtx0"), 0);
	tun_free(nullptr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_args),  cmocka_unit_test(test_queues),
		cmocka_unit_test(test_configure), cmocka_unit_test(test_packets),
		cmocka_unit_test(test_vanishes),
	};

	if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) != 0) {
		fprintf(stderr, "test_tun: needs root and /dev/net/tun, skipped\n");
		return 77;
	}
	/* Our own network namespace: nothing here touches the host's interfaces. */
	if (unshare(CLONE_NEWNET) != 0) {
		fprintf(stderr, "test_tun: unshare(CLONE_NEWNET): %s, skipped\n", strerror(errno));
		return 77;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
