// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/bpf/test_udp_steer.c — udp_steer attached to a real SO_REUSEPORT group of UDP
 * sockets (IPv4 and dual-stack IPv6) in a private network namespace: datagrams from a mapped
 * client address+port reach the socket of the mapped worker, whatever the kernel's hash would
 * pick; cleared or unknown clients fall back to the hash pick. Needs root (exit 77 otherwise). */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "bpf/bpf.h"

enum { N_SOCKS = 4, N_CLIENTS = 16, WAIT_MS = 1000 };

static int bound_socket(int family, uint16_t port, bool reuseport)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
	struct sockaddr_storage ss = {};
	socklen_t len;

	assert_true(fd >= 0);
	if (reuseport)
		assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)), 0);
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (void *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (void *)&ss;
		int zero = 0;
		assert_int_equal(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)), 0);
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		s6->sin6_addr = in6addr_any;
		len = sizeof(*s6);
	}
	assert_int_equal(bind(fd, (struct sockaddr *)&ss, len), 0);
	return fd;
}

static uint16_t port_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	return ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
				       : ((struct sockaddr_in6 *)&ss)->sin6_port;
}

/* The index of the group socket that received a datagram from client (-1: none in time). */
static int receiver(const int *group, int client, uint16_t server_port, int family)
{
	struct sockaddr_storage to = {};
	socklen_t to_len;
	uint8_t byte = 0x17, buf[16];

	if (family == AF_INET) {
		struct sockaddr_in *s4 = (void *)&to;
		s4->sin_family = AF_INET;
		s4->sin_port = server_port;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		to_len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (void *)&to;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = server_port;
		s6->sin6_addr = in6addr_loopback;
		to_len = sizeof(*s6);
	}
	assert_int_equal(sendto(client, &byte, 1, 0, (struct sockaddr *)&to, to_len), 1);
	struct pollfd p[N_SOCKS];
	for (int i = 0; i < N_SOCKS; i++)
		p[i] = (struct pollfd){.fd = group[i], .events = POLLIN};
	if (poll(p, N_SOCKS, WAIT_MS) <= 0)
		return -1;
	for (int i = 0; i < N_SOCKS; i++)
		if (recv(group[i], buf, sizeof(buf), MSG_DONTWAIT) == 1)
			return i;
	return -1;
}

static void steer_family(int family)
{
	const uint8_t lo4[4] = {127, 0, 0, 1};
	const struct in6_addr lo6 = IN6ADDR_LOOPBACK_INIT;
	int group[N_SOCKS], clients[N_CLIENTS], hash_pick[N_CLIENTS];
	struct bpf_udp_steer *s;
	uint16_t port;

	group[0] = bound_socket(family, 0, true);
	port = port_of(group[0]);
	for (int i = 1; i < N_SOCKS; i++)
		group[i] = bound_socket(family, ntohs(port), true);
	for (int i = 0; i < N_CLIENTS; i++)
		clients[i] = bound_socket(family == AF_INET6 ? AF_INET6 : AF_INET, 0, false);
	/* Before the program: the kernel's pick, remembered per client. */
	for (int i = 0; i < N_CLIENTS; i++) {
		hash_pick[i] = receiver(group, clients[i], port, family);
		assert_true(hash_pick[i] >= 0);
	}
	assert_int_equal(bpf_udp_steer_open(&s), 0);
	assert_int_equal(bpf_udp_steer_attach(s, group, N_SOCKS), 0);
	/* Each client mapped to a socket other than its hash pick: that one receives it. */
	for (int i = 0; i < N_CLIENTS; i++) {
		uint32_t want = (uint32_t)(hash_pick[i] + 1 + i % (N_SOCKS - 1)) % N_SOCKS;
		const void *addr = family == AF_INET ? (const void *)lo4 : (const void *)&lo6;
		assert_int_equal(bpf_udp_steer_set(s, family, addr, port_of(clients[i]), want), 0);
		for (int round = 0; round < 3; round++)
			assert_int_equal(receiver(group, clients[i], port, family), (int)want);
	}
	/* Cleared: back to the kernel's pick. */
	for (int i = 0; i < N_CLIENTS; i++) {
		const void *addr = family == AF_INET ? (const void *)lo4 : (const void *)&lo6;
		assert_int_equal(bpf_udp_steer_clear(s, family, addr, port_of(clients[i])), 0);
		assert_int_equal(bpf_udp_steer_clear(s, family, addr, port_of(clients[i])),
				 -ENOENT);
		assert_int_equal(receiver(group, clients[i], port, family), hash_pick[i]);
	}
	assert_int_equal(bpf_udp_steer_set(s, family, &lo6, 1, N_SOCKS + 300), -EINVAL);
	assert_int_equal(bpf_udp_steer_set(s, AF_UNIX, &lo6, 1, 0), -EINVAL);
	bpf_udp_steer_close(s);
	for (int i = 0; i < N_CLIENTS; i++)
		close(clients[i]);
	for (int i = 0; i < N_SOCKS; i++)
		close(group[i]);
}

static void test_ipv4(void **)
{
	steer_family(AF_INET);
}

/* A dual-stack group: IPv6 clients by their IPv6 address. */
static void test_ipv6(void **)
{
	steer_family(AF_INET6);
}

static void test_bad_attach(void **)
{
	struct bpf_udp_steer *s;
	int fd = bound_socket(AF_INET, 0, false); /* not in a reuseport group */

	assert_int_equal(bpf_udp_steer_open(&s), 0);
	assert_int_equal(bpf_udp_steer_attach(s, &fd, 0), -EINVAL);
	assert_true(bpf_udp_steer_attach(s, &fd, 1) < 0);
	bpf_udp_steer_close(s);
	bpf_udp_steer_close(nullptr);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_bad_attach),
	};
	const char *why;

	if (geteuid() != 0 || !bpf_available(&why)) {
		fprintf(stderr, "test_udp_steer: needs root and eBPF, skipped\n");
		return 77;
	}
	if (unshare(CLONE_NEWNET) != 0 || system("ip link set lo up") != 0) {
		fprintf(stderr, "test_udp_steer: no private network namespace, skipped\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
