// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/bpf/test_guard_attach.c — xdp_guard really attached (generic mode) to one end of a
 * veth pair in a private network namespace: frames injected at the peer from a banned
 * 198.18.0.2 are dropped and counted, 198.18.0.3 gets through to a UDP socket. Root or 77. */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <linux/if_packet.h>
#include <cmocka.h>

#include "bpf/bpf.h"
#include "pkt.h"

enum { PORT = 4443 };

static void hwaddr(int fd, const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr = {};

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	assert_int_equal(ioctl(fd, SIOCGIFHWADDR, &ifr), 0);
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
}

/* Sends one frame from src out of ocm-b (so it arrives on ocm-a). */
static void inject(int pfd, const uint8_t *dmac, const uint8_t *smac, const char *src,
		   uint8_t proto)
{
	struct pkt_spec s = {.family = AF_INET,
			     .src = src,
			     .dst = "198.18.0.1",
			     .proto = proto,
			     .dport = PORT,
			     .tcp_flags = PKT_SYN,
			     .payload = true,
			     .first = 22,
			     .dmac = dmac,
			     .smac = smac};
	struct sockaddr_ll to = {.sll_family = AF_PACKET,
				 .sll_ifindex = (int)if_nametoindex("ocm-b"),
				 .sll_halen = 6};
	uint8_t frame[PKT_MAX];
	size_t len = pkt_build(&s, frame);

	memcpy(to.sll_addr, dmac, 6);
	assert_int_equal(sendto(pfd, frame, len, 0, (struct sockaddr *)&to, sizeof(to)),
			 (ssize_t)len);
}

/* Waits up to 1 s for a datagram on ufd; returns its source (host order) or 0. */
static uint32_t received_from(int ufd)
{
	struct pollfd p = {.fd = ufd, .events = POLLIN};
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	uint8_t buf[64];

	if (poll(&p, 1, 1000) != 1)
		return 0;
	if (recvfrom(ufd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen) < 0)
		return 0;
	return ntohl(from.sin_addr.s_addr);
}

static void test_veth(void **)
{
	struct bpf_guard_limits lim = {.tcp_ports = {PORT}, .udp_ports = {PORT}};
	struct sockaddr_in at = {.sin_family = AF_INET, .sin_port = htons(PORT)};
	struct bpf_guard_counters before, after;
	uint8_t amac[6], bmac[6], banned[4];
	struct bpf_guard *g;
	int pfd, ufd;

	assert_int_equal(system("ip link set lo up && ip link add ocm-a type veth peer name ocm-b"
				" && ip addr add 198.18.0.1/24 dev ocm-a && ip link set ocm-a up"
				" && ip link set ocm-b up"),
			 0);
	assert_int_equal(bpf_guard_open("ocm-a", BPF_XDP_MODE_GENERIC, &g), 0);
	assert_int_equal(bpf_guard_mode(g), BPF_XDP_MODE_GENERIC);
	assert_int_equal(bpf_guard_limits_set(g, &lim), 0);
	inet_pton(AF_INET, "198.18.0.2", banned);
	assert_int_equal(bpf_guard_ban(g, AF_INET, banned, 32, 0, 1), 0);

	ufd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(ufd >= 0);
	inet_pton(AF_INET, "198.18.0.1", &at.sin_addr);
	assert_int_equal(bind(ufd, (struct sockaddr *)&at, sizeof(at)), 0);
	pfd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	assert_true(pfd >= 0);
	hwaddr(ufd, "ocm-a", amac);
	hwaddr(ufd, "ocm-b", bmac);

	assert_int_equal(bpf_guard_counters(g, &before), 0);
	inject(pfd, amac, bmac, "198.18.0.2", PKT_UDP);
	inject(pfd, amac, bmac, "198.18.0.2", PKT_TCP);
	assert_int_equal(received_from(ufd), 0); /* the banned datagram never arrives */
	inject(pfd, amac, bmac, "198.18.0.3", PKT_UDP);
	assert_int_equal(received_from(ufd), 0xc6120003); /* 198.18.0.3 */
	assert_int_equal(bpf_guard_counters(g, &after), 0);
	assert_int_equal(after.dropped_banned - before.dropped_banned, 2);
	assert_int_equal(after.passed - before.passed, 1);

	/* Detached on close: the banned source gets through again. */
	bpf_guard_close(g);
	inject(pfd, amac, bmac, "198.18.0.2", PKT_UDP);
	assert_int_equal(received_from(ufd), 0xc6120002);
	close(pfd);
	close(ufd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_veth),
	};
	const char *why;

	if (geteuid() != 0 || !bpf_available(&why)) {
		fprintf(stderr, "test_guard_attach: needs root and eBPF, skipped\n");
		return 77;
	}
	if (unshare(CLONE_NEWNET) != 0) {
		fprintf(stderr, "test_guard_attach: unshare(CLONE_NEWNET) failed, skipped\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
