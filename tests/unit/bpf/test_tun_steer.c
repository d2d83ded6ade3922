// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/bpf/test_tun_steer.c — tun_steer under BPF_PROG_TEST_RUN (mapped v4/v6, hash
 * fallback, non-IP) and installed on a real two-queue TUN in a private network namespace: a
 * packet routed to the TUN is read from the mapped queue. Needs root (exit 77 otherwise). */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "bpf/bpf.h"
#include "bpf/bpf_internal.h"
#include "core/compiler.h"
#include "pkt.h"
#include "tun.h"

/* The program's fallback, restated: murmur3's finaliser of the xor of the address words. */
static uint32_t fallback(const uint8_t *addr, size_t len)
{
	uint32_t h = 0, w;

	for (size_t i = 0; i < len; i += 4) {
		memcpy(&w, addr + i, 4);
		h ^= w;
	}
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h & 0xffff;
}

static void map(struct bpf_steer *s, int family, const char *text, unsigned prefix, uint32_t q)
{
	uint8_t a[16];

	assert_int_equal(inet_pton(family, text, a), 1);
	assert_int_equal(bpf_steer_set(s, family, a, prefix, q), 0);
}

static int64_t run_to(struct bpf_steer *s, int family, const char *dst)
{
	struct pkt_spec spec = {.family = family,
				.dst = dst,
				.proto = PKT_UDP,
				.src = family == AF_INET ? "198.18.0.1" : "2001:db8::1"};
	uint8_t frame[PKT_MAX];

	return pkt_run(bpf__steer_prog_fd(s), frame, pkt_build(&spec, frame));
}

static void test_run(void **)
{
	static const struct {
		const char *name;
		int family;
		const char *dst;
		int64_t queue; /* -1: the hash fallback */
	} cases[] = {
		{"v4 mapped", AF_INET, "198.18.200.2", 3},
		{"v4 mapped 2", AF_INET, "198.18.200.3", 0},
		{"v4 unmapped", AF_INET, "198.18.200.4", -1},
		{"v6 prefix first", AF_INET6, "2001:db8:200:1::", 7},
		{"v6 prefix last", AF_INET6, "2001:db8:200:1:ffff:ffff:ffff:ffff", 7},
		{"v6 one past", AF_INET6, "2001:db8:200:2::", -1},
		{"v6 exact wins", AF_INET6, "2001:db8:200:1::9", 65535},
	};
	uint8_t arp[60] = {[12] = 0x08, [13] = 0x06}, a[16];
	struct bpf_steer *s;

	assert_int_equal(bpf_steer_open(&s), 0);
	map(s, AF_INET, "198.18.200.2", 32, 3);
	map(s, AF_INET, "198.18.200.3", 32, 0);
	map(s, AF_INET6, "2001:db8:200:1::", 64, 7);
	map(s, AF_INET6, "2001:db8:200:1::9", 128, 65535);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int64_t want = cases[i].queue, got = run_to(s, cases[i].family, cases[i].dst);

		if (want < 0) {
			inet_pton(cases[i].family, cases[i].dst, a);
			want = fallback(a, cases[i].family == AF_INET ? 4 : 16);
		}
		if (got != want)
			fail_msg("case '%s': %lld, want %lld", cases[i].name, (long long)got,
				 (long long)want);
	}
	assert_int_equal(pkt_run(bpf__steer_prog_fd(s), arp, sizeof(arp)), 0);

	inet_pton(AF_INET, "198.18.200.2", a);
	assert_int_equal(bpf_steer_clear(s, AF_INET, a, 32), 0);
	assert_int_equal(bpf_steer_clear(s, AF_INET, a, 32), -ENOENT);
	assert_int_equal(run_to(s, AF_INET, "198.18.200.2"), fallback(a, 4));
	assert_int_equal(bpf_steer_set(s, AF_INET, a, 24, 1), -EINVAL);
	assert_int_equal(bpf_steer_set(s, AF_INET6, a, 129, 1), -EINVAL);
	assert_int_equal(bpf_steer_set(s, AF_UNIX, a, 32, 1), -EINVAL);
	bpf_steer_close(s);
}

/* Sends one UDP datagram to dst over the TUN route; returns the queue (0/1) it came out of. */
static int queue_of(const int q[2], const char *dst)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(9)};
	uint8_t buf[2048];
	int fd, found = -1;

	inet_pton(AF_INET, dst, &to.sin_addr);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(sendto(fd, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)), 1);
	close(fd);
	for (int tries = 0; tries < 20 && found < 0; tries++) {
		struct pollfd p[2] = {{.fd = q[0], .events = POLLIN},
				      {.fd = q[1], .events = POLLIN}};

		if (poll(p, 2, 100) <= 0)
			continue;
		for (int i = 0; i < 2; i++) {
			if (p[i].revents & POLLIN) {
				/* IPv6 router solicitations and the like may come first. */
				ssize_t n = read(q[i], buf, sizeof(buf));

				if (n >= 20 && buf[0] >> 4 == 4 &&
				    memcmp(buf + 16, &to.sin_addr, 4) == 0)
					found = i;
			}
		}
	}
	return found;
}

static void test_attached(void **)
{
	struct bpf_steer *s;
	int q[2];

	q[0] = tun_queue_open("ocmst0", true);
	q[1] = tun_queue_open("ocmst0", true);
	assert_true(q[0] >= 0 && q[1] >= 0);
	assert_int_equal(tun_up("ocmst0", "198.18.200.1/24"), 0);
	assert_int_equal(bpf_steer_open(&s), 0);
	assert_int_equal(bpf_steer_attach(s, q[0]), 0);
	map(s, AF_INET, "198.18.200.2", 32, 1);
	map(s, AF_INET, "198.18.200.3", 32, 0);
	map(s, AF_INET, "198.18.200.4", 32, 3); /* 3 % 2 queues */
	assert_int_equal(queue_of(q, "198.18.200.2"), 1);
	assert_int_equal(queue_of(q, "198.18.200.3"), 0);
	assert_int_equal(queue_of(q, "198.18.200.4"), 1);
	map(s, AF_INET, "198.18.200.2", 32, 0);
	assert_int_equal(queue_of(q, "198.18.200.2"), 0);
	assert_int_equal(bpf_steer_detach(q[1]), 0);
	bpf_steer_close(s);
	close(q[0]);
	close(q[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run),
		cmocka_unit_test(test_attached),
	};
	const char *why;

	if (geteuid() != 0 || !bpf_available(&why) || access("/dev/net/tun", R_OK | W_OK) != 0) {
		fprintf(stderr, "test_tun_steer: needs root, eBPF and /dev/net/tun, skipped\n");
		return 77;
	}
	if (unshare(CLONE_NEWNET) != 0) {
		fprintf(stderr, "test_tun_steer: unshare(CLONE_NEWNET) failed, skipped\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
