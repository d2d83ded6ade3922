// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/bpf/test_tun_guard.c — tun_guard under BPF_PROG_TEST_RUN (leases, spoofed sources,
 * per-lease bytes/packets, argument checks) and attached to a real TUN in a private network
 * namespace. Needs root (exit 77 otherwise). */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/pkt_cls.h>
#include <cmocka.h>

#include "bpf/bpf.h"
#include "bpf/bpf_internal.h"
#include "core/compiler.h"
#include "pkt.h"
#include "tun.h"

static struct bpf_tun_guard_counters counters(struct bpf_tun_guard *tg)
{
	struct bpf_tun_guard_counters c;

	assert_int_equal(bpf_tun_guard_counters(tg, &c), 0);
	return c;
}

static void lease(struct bpf_tun_guard *tg, int family, const char *text, unsigned prefix,
		  uint32_t slot)
{
	uint8_t a[16];

	assert_int_equal(inet_pton(family, text, a), 1);
	assert_int_equal(bpf_tun_guard_lease_add(tg, family, a, prefix, slot), 0);
}

static struct bpf_lease_stats stats(struct bpf_tun_guard *tg, int family, const char *text)
{
	struct bpf_lease_stats st = {};
	uint8_t a[16];

	assert_int_equal(inet_pton(family, text, a), 1);
	assert_int_equal(bpf_tun_guard_lease_stats(tg, family, a, &st), 0);
	return st;
}

static void test_run(void **)
{
	static const struct {
		const char *name;
		struct pkt_spec s;
		int action;
	} cases[] = {
		{"v4 lease",
		 {.family = AF_INET,
		  .src = "198.18.100.2",
		  .dst = "198.18.0.9",
		  .proto = PKT_UDP,
		  .dport = 53,
		  .payload = true,
		  .first = 1},
		 TC_ACT_OK},
		{"v4 spoof",
		 {.family = AF_INET,
		  .src = "198.18.100.3",
		  .dst = "198.18.0.9",
		  .proto = PKT_UDP,
		  .dport = 53,
		  .payload = true,
		  .first = 1},
		 TC_ACT_SHOT},
		{"v6 in prefix",
		 {.family = AF_INET6,
		  .src = "2001:db8:100:1::42",
		  .dst = "2001:db8::9",
		  .proto = PKT_TCP},
		 TC_ACT_OK},
		{"v6 prefix last",
		 {.family = AF_INET6,
		  .src = "2001:db8:100:1:ffff:ffff:ffff:ffff",
		  .dst = "2001:db8::9",
		  .proto = PKT_UDP},
		 TC_ACT_OK},
		{"v6 one past prefix",
		 {.family = AF_INET6,
		  .src = "2001:db8:100:2::",
		  .dst = "2001:db8::9",
		  .proto = PKT_UDP},
		 TC_ACT_SHOT},
	};
	struct bpf_tun_guard *tg;
	struct bpf_tun_guard_counters c;
	uint8_t frame[PKT_MAX], arp[60] = {[12] = 0x08, [13] = 0x06};
	struct bpf_lease_stats st;
	uint8_t a[16];

	assert_int_equal(bpf_tun_guard_open(nullptr, &tg), 0);
	lease(tg, AF_INET, "198.18.100.2", 32, 5);
	lease(tg, AF_INET6, "2001:db8:100:1::", 64, 6);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t len = pkt_build(&cases[i].s, frame);
		int64_t ret = pkt_run(bpf__tun_guard_prog_fd(tg), frame, len);

		if (ret != cases[i].action)
			fail_msg("case '%s': %lld, want %d", cases[i].name, (long long)ret,
				 cases[i].action);
	}
	assert_int_equal(pkt_run(bpf__tun_guard_prog_fd(tg), arp, sizeof(arp)), TC_ACT_SHOT);
	/* IP version 5 from a lease's address (BPF_PROG_TEST_RUN refuses truncated IPv4). */
	pkt_build(&cases[0].s, frame);
	frame[14] = 0x55;
	assert_int_equal(pkt_run(bpf__tun_guard_prog_fd(tg), frame, 14 + 20 + 9), TC_ACT_SHOT);
	c = counters(tg);
	assert_int_equal(c.passed, 3);
	assert_int_equal(c.dropped_spoof, 2);
	assert_int_equal(c.dropped_bad, 2);

	st = stats(tg, AF_INET, "198.18.100.2");
	assert_int_equal(st.slot, 5);
	assert_int_equal(st.packets, 1);
	assert_int_equal(st.bytes, 20 + 8 + 1);
	st = stats(tg, AF_INET6, "2001:db8:100:1::1");
	assert_int_equal(st.slot, 6);
	assert_int_equal(st.packets, 2);
	assert_int_equal(st.bytes, (40 + 20) + (40 + 8));

	/* Removing the lease makes its source a spoof. */
	inet_pton(AF_INET, "198.18.100.2", a);
	assert_int_equal(bpf_tun_guard_lease_del(tg, AF_INET, a, 32), 0);
	assert_int_equal(bpf_tun_guard_lease_del(tg, AF_INET, a, 32), -ENOENT);
	assert_int_equal(bpf_tun_guard_lease_stats(tg, AF_INET, a, &st), -ENOENT);
	assert_int_equal(pkt_run(bpf__tun_guard_prog_fd(tg), frame, pkt_build(&cases[0].s, frame)),
			 TC_ACT_SHOT);
	bpf_tun_guard_close(tg);
}

static void test_args(void **)
{
	struct bpf_tun_guard *tg, *none;
	uint8_t a[16] = {198, 18, 100, 7};
	static const struct {
		const char *name;
		int family;
		unsigned prefix;
		int want;
	} cases[] = {
		{"v4 /32", AF_INET, 32, 0},
		{"v4 /31", AF_INET, 31, -EINVAL},
		{"v4 /33", AF_INET, 33, -EINVAL},
		{"v6 /128 (limit)", AF_INET6, 128, 0},
		{"v6 /129 (one past)", AF_INET6, 129, -EINVAL},
		{"v6 /0", AF_INET6, 0, -EINVAL},
		{"AF_PACKET", AF_PACKET, 32, -EINVAL},
	};

	assert_int_equal(bpf_tun_guard_open(nullptr, &tg), 0);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int ret = bpf_tun_guard_lease_add(tg, cases[i].family, a, cases[i].prefix, 1);

		if (ret != cases[i].want)
			fail_msg("case '%s': %d, want %d", cases[i].name, ret, cases[i].want);
	}
	assert_int_equal(bpf_tun_guard_open("ocm-no-such-if0", &none), -ENODEV);
	assert_null(none);
	bpf_tun_guard_close(tg);
}

/* The server writes uplink packets into the TUN: that is the device's ingress. */
static void test_attached(void **)
{
	struct pkt_spec good = {.family = AF_INET,
				.src = "198.18.100.2",
				.dst = "198.18.0.9",
				.proto = PKT_UDP,
				.dport = 53,
				.payload = true,
				.first = 1};
	struct pkt_spec spoof = good;
	struct bpf_tun_guard *tg;
	struct bpf_tun_guard_counters c;
	struct bpf_lease_stats st;
	uint8_t frame[PKT_MAX];
	size_t len;
	int fd;

	spoof.src = "198.18.100.66";
	fd = tun_queue_open("ocmtg0", false);
	assert_true(fd >= 0);
	assert_int_equal(tun_up("ocmtg0", "198.18.100.1/24"), 0);
	assert_int_equal(bpf_tun_guard_open("ocmtg0", &tg), 0);
	lease(tg, AF_INET, "198.18.100.2", 32, 9);

	len = pkt_build(&good, frame); /* a TUN takes the IP packet: skip the Ethernet header */
	assert_int_equal(write(fd, frame + 14, len - 14), (ssize_t)(len - 14));
	assert_int_equal(write(fd, frame + 14, len - 14), (ssize_t)(len - 14));
	len = pkt_build(&spoof, frame);
	assert_int_equal(write(fd, frame + 14, len - 14), (ssize_t)(len - 14));

	c = counters(tg);
	assert_int_equal(c.passed, 2);
	assert_int_equal(c.dropped_spoof, 1);
	st = stats(tg, AF_INET, "198.18.100.2");
	assert_int_equal(st.packets, 2);
	assert_int_equal(st.bytes, 2 * (20 + 8 + 1));
	bpf_tun_guard_close(tg);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_attached),
	};
	const char *why;

	if (geteuid() != 0 || !bpf_available(&why) || access("/dev/net/tun", R_OK | W_OK) != 0) {
		fprintf(stderr, "test_tun_guard: needs root, eBPF and /dev/net/tun, skipped\n");
		return 77;
	}
	if (unshare(CLONE_NEWNET) != 0) {
		fprintf(stderr, "test_tun_guard: unshare(CLONE_NEWNET) failed, skipped\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
