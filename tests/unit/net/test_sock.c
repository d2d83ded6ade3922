// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for net/sock.c on loopback only: flags of the listening socket, SO_REUSEPORT pairs,
 * the dual-stack wildcard (in a private network namespace when root, else skipped), bad hosts,
 * and TCP path MTU of an accepted connection. */
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
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "net/net.h"

/* The wildcard listener runs only inside a private network namespace (root), so a test never
 * opens a port on the host's real interfaces. */
static bool private_netns;

static bool netns_enter(void)
{
	struct ifreq ifr = {.ifr_name = "lo"};
	bool ok = false;
	int fd;

	if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0)
		return false;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		ok = ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
	}
	close(fd);
	return ok;
}

static uint16_t bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static int sockopt_int(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	assert_int_equal(getsockopt(fd, level, name, &v, &len), 0);
	return v;
}

static void test_loopback_flags_reuseport(void **state)
{
	int a = -1, b = -1;
	uint16_t port;

	(void)state;
	assert_int_equal(sock_listen_tcp("127.0.0.1", 0, true, &a), 0);
	assert_true(fcntl(a, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(a, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(sockopt_int(a, SOL_SOCKET, SO_ACCEPTCONN), 1);
	assert_int_equal(sockopt_int(a, SOL_SOCKET, SO_REUSEPORT), 1);
	assert_int_equal(sockopt_int(a, SOL_SOCKET, SO_REUSEADDR), 1);
	port = bound_port(a);
	/* A second worker's listener on the same port. */
	assert_int_equal(sock_listen_tcp("127.0.0.1", port, true, &b), 0);
	close(b);
	/* Without SO_REUSEPORT the port is taken. */
	assert_int_equal(sock_listen_tcp("127.0.0.1", port, false, &b), -EADDRINUSE);
	assert_int_equal(b, -1);
	close(a);
}

static void test_bad_host(void **state)
{
	int fd = 7;

	(void)state;
	assert_int_equal(sock_listen_tcp("not-an-address.invalid", 0, false, &fd), -EADDRNOTAVAIL);
	assert_int_equal(fd, -1);
	/* A TEST-NET address that is not ours. */
	assert_int_equal(sock_listen_tcp("198.18.255.254", 0, false, &fd), -EADDRNOTAVAIL);
}

static void test_wildcard_dual_stack_pmtu(void **state)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct pollfd pfd;
	unsigned mtu = 0;
	int l = -1, c, s;

	(void)state;
	if (!private_netns)
		skip();
	assert_int_equal(sock_listen_tcp(nullptr, 0, false, &l), 0);
	if (sockopt_int(l, SOL_SOCKET, SO_DOMAIN) == AF_INET6)
		assert_int_equal(sockopt_int(l, IPPROTO_IPV6, IPV6_V6ONLY), 0);
	/* An IPv4 client reaches the wildcard listener. */
	sin.sin_port = htons(bound_port(l));
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(c >= 0);
	assert_int_equal(connect(c, (struct sockaddr *)&sin, sizeof(sin)), 0);
	pfd = (struct pollfd){.fd = l, .events = POLLIN};
	assert_int_equal(poll(&pfd, 1, 2000), 1);
	s = accept4(l, nullptr, nullptr, SOCK_CLOEXEC);
	assert_true(s >= 0);
	assert_int_equal(sock_tcp_pmtu(s, &mtu), 0);
	assert_in_range(mtu, 1280, 65536);
	assert_int_equal(sock_tcp_pmtu(-1, &mtu), -EBADF);
	close(s);
	close(c);
	close(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loopback_flags_reuseport),
		cmocka_unit_test(test_bad_host),
		cmocka_unit_test(test_wildcard_dual_stack_pmtu),
	};

	private_netns = netns_enter();
	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
