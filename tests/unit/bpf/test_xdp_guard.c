// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/bpf/test_xdp_guard.c — xdp_guard under BPF_PROG_TEST_RUN: bans (v4, v6, prefixes,
 * expiry), port/protocol scoping, header walking limits, the rate limiter, counters, and the
 * loader's argument checks. Needs root (exit 77 otherwise). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <cmocka.h>

#include "bpf/bpf.h"
#include "bpf/bpf_internal.h"
#include "core/clock.h"
#include "core/compiler.h"
#include "pkt.h"

enum { PORT = 443 };
enum which { C_PASSED, C_BANNED, C_RATE, C_NOT_IP, C_NOT_OURS, C_MALFORMED, C_FRAGMENT };

static uint64_t counter(struct bpf_guard *g, enum which w)
{
	struct bpf_guard_counters c;

	assert_int_equal(bpf_guard_counters(g, &c), 0);
	switch (w) {
	case C_PASSED:
		return c.passed;
	case C_BANNED:
		return c.dropped_banned;
	case C_RATE:
		return c.dropped_rate;
	case C_NOT_IP:
		return c.not_ip;
	case C_NOT_OURS:
		return c.not_ours;
	case C_MALFORMED:
		return c.malformed;
	case C_FRAGMENT:
		return c.fragment;
	}
	return 0;
}

static uint64_t total(struct bpf_guard *g)
{
	uint64_t t = 0;

	for (int w = C_PASSED; w <= C_FRAGMENT; w++)
		t += counter(g, (enum which)w);
	return t;
}

/* Runs one frame; checks the verdict and that exactly the expected counter moved by one. */
static void expect(struct bpf_guard *g, const char *name, const struct pkt_spec *s, int action,
		   enum which w)
{
	uint8_t frame[PKT_MAX];
	size_t len = pkt_build(s, frame);
	uint64_t before = counter(g, w), all = total(g);
	int64_t ret = pkt_run(bpf__guard_prog_fd(g), frame, len);

	if (ret != action || counter(g, w) != before + 1 || total(g) != all + 1)
		fail_msg("case '%s': verdict %lld (want %d), counter %d moved %llu, all %llu", name,
			 (long long)ret, action, w, (unsigned long long)(counter(g, w) - before),
			 (unsigned long long)(total(g) - all));
}

static void ban(struct bpf_guard *g, int family, const char *text, unsigned prefix,
		uint64_t expires_ns)
{
	uint8_t a[16];

	assert_int_equal(inet_pton(family, text, a), 1);
	assert_int_equal(bpf_guard_ban(g, family, a, prefix, expires_ns, 7), 0);
}

static int setup(void **state)
{
	struct bpf_guard_limits lim = {.tcp_ports = {PORT}, .udp_ports = {4443, PORT}};
	struct bpf_guard *g;

	if (bpf_guard_open(nullptr, BPF_XDP_MODE_AUTO, &g) != 0)
		return -1;
	if (bpf_guard_limits_set(g, &lim) != 0)
		return -1;
	*state = g;
	return 0;
}

static int teardown(void **state)
{
	bpf_guard_close(*state);
	return 0;
}

#define V4(s, p, port, ...)                                                                        \
	(struct pkt_spec)                                                                          \
	{                                                                                          \
		.family = AF_INET, .src = (s), .dst = "198.18.0.1", .proto = (p), .dport = (port), \
		__VA_ARGS__                                                                        \
	}
#define V6(s, p, port, ...)                                                                        \
	(struct pkt_spec)                                                                          \
	{                                                                                          \
		.family = AF_INET6, .src = (s), .dst = "2001:db8:ff::1", .proto = (p),             \
		.dport = (port), __VA_ARGS__                                                       \
	}

static void test_bans(void **state)
{
	struct bpf_guard *g = *state;
	uint64_t now = clock_now_ns();
	static const struct {
		const char *name;
		struct pkt_spec s;
		int action;
		enum which w;
	} cases[] = {
		{"v4 banned udp", V4("198.18.1.1", PKT_UDP, PORT), XDP_DROP, C_BANNED},
		{"v4 banned udp 2nd port", V4("198.18.1.1", PKT_UDP, 4443), XDP_DROP, C_BANNED},
		{"v4 banned syn", V4("198.18.1.1", PKT_TCP, PORT, .tcp_flags = PKT_SYN), XDP_DROP,
		 C_BANNED},
		{"v4 banned ack", V4("198.18.1.1", PKT_TCP, PORT, .tcp_flags = PKT_ACK), XDP_DROP,
		 C_BANNED},
		{"v4 neighbour passes", V4("198.18.1.2", PKT_UDP, PORT), XDP_PASS, C_PASSED},
		{"v4 /24 first", V4("198.18.2.0", PKT_UDP, PORT), XDP_DROP, C_BANNED},
		{"v4 /24 last", V4("198.18.2.255", PKT_UDP, PORT), XDP_DROP, C_BANNED},
		{"v4 /24 one past", V4("198.18.3.0", PKT_UDP, PORT), XDP_PASS, C_PASSED},
		{"v4 expired ban", V4("198.18.3.3", PKT_UDP, PORT), XDP_PASS, C_PASSED},
		{"v4 future ban", V4("198.18.4.4", PKT_UDP, PORT), XDP_DROP, C_BANNED},
		{"v4 banned other port", V4("198.18.1.1", PKT_UDP, 53), XDP_PASS, C_NOT_OURS},
		{"v4 banned tcp on udp-only port", V4("198.18.1.1", PKT_TCP, 4443), XDP_PASS,
		 C_NOT_OURS},
		{"v4 banned icmp", V4("198.18.1.1", PKT_ICMP, 0), XDP_PASS, C_NOT_OURS},
		{"v4 options ihl 15", V4("198.18.1.1", PKT_UDP, PORT, .ip_opts = 40), XDP_DROP,
		 C_BANNED},
		{"v4 ihl 4", V4("198.18.1.1", PKT_UDP, PORT, .ihl = 4), XDP_PASS, C_MALFORMED},
		{"v4 ihl past end", V4("198.18.1.1", PKT_UDP, PORT, .ihl = 15), XDP_PASS,
		 C_MALFORMED},
		{"v4 udp truncated", V4("198.18.1.1", PKT_UDP, PORT, .cut = 1), XDP_PASS,
		 C_MALFORMED},
		{"v4 ip truncated", V4("198.18.1.1", PKT_UDP, PORT, .cut = 20), XDP_PASS,
		 C_MALFORMED},
		{"v4 later fragment", V4("198.18.1.1", PKT_UDP, PORT, .later_fragment = true),
		 XDP_PASS, C_FRAGMENT},
		{"v4 vlan", V4("198.18.1.1", PKT_UDP, PORT, .vlans = 1), XDP_DROP, C_BANNED},
		{"v4 qinq (limit)", V4("198.18.1.1", PKT_UDP, PORT, .vlans = 2), XDP_DROP,
		 C_BANNED},
		{"v4 three tags (one past)", V4("198.18.1.1", PKT_UDP, PORT, .vlans = 3), XDP_PASS,
		 C_NOT_IP},
		{"v6 banned", V6("2001:db8::1", PKT_UDP, PORT), XDP_DROP, C_BANNED},
		{"v6 banned syn", V6("2001:db8::1", PKT_TCP, PORT, .tcp_flags = PKT_SYN), XDP_DROP,
		 C_BANNED},
		{"v6 neighbour", V6("2001:db8::2", PKT_UDP, PORT), XDP_PASS, C_PASSED},
		{"v6 /48", V6("2001:db8:1:ffff::5", PKT_UDP, PORT), XDP_DROP, C_BANNED},
		{"v6 /48 one past", V6("2001:db8:2::", PKT_UDP, PORT), XDP_PASS, C_PASSED},
		{"v6 1 ext hdr", V6("2001:db8::1", PKT_UDP, PORT, .v6_ext = 1), XDP_DROP, C_BANNED},
		{"v6 4 ext hdrs (limit)", V6("2001:db8::1", PKT_UDP, PORT, .v6_ext = 4), XDP_DROP,
		 C_BANNED},
		{"v6 5 ext hdrs (one past)", V6("2001:db8::1", PKT_UDP, PORT, .v6_ext = 5),
		 XDP_PASS, C_NOT_OURS},
		{"v6 later fragment", V6("2001:db8::1", PKT_UDP, PORT, .later_fragment = true),
		 XDP_PASS, C_FRAGMENT},
		{"v6 truncated", V6("2001:db8::1", PKT_UDP, PORT, .cut = 30), XDP_PASS,
		 C_MALFORMED},
		{"v6 other port", V6("2001:db8::1", PKT_UDP, 80), XDP_PASS, C_NOT_OURS},
	};
	uint8_t arp[60] = {[12] = 0x08, [13] = 0x06};
	uint64_t before;

	ban(g, AF_INET, "198.18.1.1", 32, 0);
	ban(g, AF_INET, "198.18.2.99", 24, 0); /* host bits are ignored */
	ban(g, AF_INET, "198.18.3.3", 32, 1);  /* expired long ago */
	ban(g, AF_INET, "198.18.4.4", 32, now + 3600ull * 1000000000);
	ban(g, AF_INET6, "2001:db8::1", 128, 0);
	ban(g, AF_INET6, "2001:db8:1::", 48, 0);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		expect(g, cases[i].name, &cases[i].s, cases[i].action, cases[i].w);

	before = counter(g, C_NOT_IP);
	assert_int_equal(pkt_run(bpf__guard_prog_fd(g), arp, sizeof(arp)), XDP_PASS);
	assert_int_equal(counter(g, C_NOT_IP), before + 1);

	/* Unbanning lets the source through again. */
	uint8_t a[4];
	struct pkt_spec s = V4("198.18.1.1", PKT_UDP, PORT);

	inet_pton(AF_INET, "198.18.1.1", a);
	assert_int_equal(bpf_guard_unban(g, AF_INET, a, 32), 0);
	assert_int_equal(bpf_guard_unban(g, AF_INET, a, 32), -ENOENT);
	expect(g, "v4 unbanned", &s, XDP_PASS, C_PASSED);
}

static void test_rate(void **state)
{
	struct bpf_guard *g = *state;
	struct bpf_guard_limits lim = {
		.tcp_ports = {PORT}, .udp_ports = {PORT}, .rate_per_s = 1, .burst = 3};
	const struct pkt_spec syn = V4("198.18.5.5", PKT_TCP, PORT, .tcp_flags = PKT_SYN);
	const struct pkt_spec ack = V4("198.18.5.5", PKT_TCP, PORT, .tcp_flags = PKT_ACK);
	const struct pkt_spec hello = V4("198.18.5.5", PKT_UDP, PORT, .payload = true, .first = 22);
	const struct pkt_spec data12 =
		V4("198.18.5.5", PKT_UDP, PORT, .payload = true, .first = 23);
	const struct pkt_spec data13 =
		V4("198.18.5.5", PKT_UDP, PORT, .payload = true, .first = 0x2f);
	const struct pkt_spec other = V4("198.18.5.6", PKT_TCP, PORT, .tcp_flags = PKT_SYN);
	const struct pkt_spec v6 = V6("2001:db8:5::5", PKT_UDP, PORT);

	assert_int_equal(bpf_guard_limits_set(g, &lim), 0);
	expect(g, "syn 1", &syn, XDP_PASS, C_PASSED);
	expect(g, "syn 2", &syn, XDP_PASS, C_PASSED);
	expect(g, "syn 3 (burst)", &syn, XDP_PASS, C_PASSED);
	expect(g, "syn 4 (one past)", &syn, XDP_DROP, C_RATE);
	expect(g, "dtls hello over rate", &hello, XDP_DROP, C_RATE);
	expect(g, "ack not limited", &ack, XDP_PASS, C_PASSED);
	expect(g, "dtls 1.2 data not limited", &data12, XDP_PASS, C_PASSED);
	expect(g, "dtls 1.3 data not limited", &data13, XDP_PASS, C_PASSED);
	expect(g, "other source", &other, XDP_PASS, C_PASSED);
	for (int i = 0; i < 3; i++)
		expect(g, "v6 burst", &v6, XDP_PASS, C_PASSED);
	expect(g, "v6 over", &v6, XDP_DROP, C_RATE);

	lim.udp_all = true;
	assert_int_equal(bpf_guard_limits_set(g, &lim), 0);
	expect(g, "udp_all limits data", &data12, XDP_DROP, C_RATE);

	lim.rate_per_s = 0;
	assert_int_equal(bpf_guard_limits_set(g, &lim), 0);
	expect(g, "limiter off", &syn, XDP_PASS, C_PASSED);
}

static void test_args(void **state)
{
	struct bpf_guard *g = *state;
	struct bpf_guard_limits lim = {.rate_per_s = 10, .burst = 0};
	struct bpf_guard *none;
	uint8_t a[16] = {198, 18};
	static const struct {
		const char *name;
		int family;
		unsigned prefix;
		int want;
	} cases[] = {
		{"v4 /32 (limit)", AF_INET, 32, 0},
		{"v4 /33 (one past)", AF_INET, 33, -EINVAL},
		{"v4 /1", AF_INET, 1, 0},
		{"v4 /0", AF_INET, 0, -EINVAL},
		{"v6 /128 (limit)", AF_INET6, 128, 0},
		{"v6 /129 (one past)", AF_INET6, 129, -EINVAL},
		{"v6 /0", AF_INET6, 0, -EINVAL},
		{"AF_UNIX", AF_UNIX, 8, -EINVAL},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int ret = bpf_guard_ban(g, cases[i].family, a, cases[i].prefix, 0, 0);

		if (ret != cases[i].want)
			fail_msg("case '%s': %d, want %d", cases[i].name, ret, cases[i].want);
		if (ret == 0)
			assert_int_equal(bpf_guard_unban(g, cases[i].family, a, cases[i].prefix),
					 0);
	}
	assert_int_equal(bpf_guard_limits_set(g, &lim), -EINVAL);
	lim.burst = 1;
	lim.rate_per_s = 1000000001;
	assert_int_equal(bpf_guard_limits_set(g, &lim), -EINVAL);
	lim.rate_per_s = 1000000000;
	assert_int_equal(bpf_guard_limits_set(g, &lim), 0);
	assert_int_equal(bpf_guard_open("ocm-no-such-if0", BPF_XDP_MODE_GENERIC, &none), -ENODEV);
	assert_null(none);
}

/* Truncations and bit flips of a valid frame: every run ends in PASS or DROP and bumps exactly
 * one counter (the verifier rules out crashes; this checks the accounting). */
static void test_mutations(void **state)
{
	struct bpf_guard *g = *state;
	const struct pkt_spec s =
		V6("2001:db8::1", PKT_TCP, PORT, .tcp_flags = PKT_SYN, .v6_ext = 2);
	uint8_t frame[PKT_MAX], m[PKT_MAX];
	size_t len = pkt_build(&s, frame);

	ban(g, AF_INET6, "2001:db8::1", 128, 0);
	for (size_t cut = 14; cut <= len; cut++) {
		uint64_t all = total(g);
		int64_t ret = pkt_run(bpf__guard_prog_fd(g), frame, cut);

		assert_true(ret == XDP_PASS || ret == XDP_DROP);
		assert_int_equal(total(g), all + 1);
	}
	for (size_t bit = 0; bit < len * 8; bit++) {
		uint64_t all = total(g);
		int64_t ret;

		memcpy(m, frame, len);
		m[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		ret = pkt_run(bpf__guard_prog_fd(g), m, len);
		assert_true(ret == XDP_PASS || ret == XDP_DROP);
		assert_int_equal(total(g), all + 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bans, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_args, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mutations, setup, teardown),
	};
	const char *why;

	if (geteuid() != 0 || !bpf_available(&why)) {
		fprintf(stderr, "test_xdp_guard: needs root and eBPF, skipped\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
