// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for net/inner.c: a table of valid and malformed IPv4/IPv6 packets, deterministic
 * mutations of valid samples, and source-address anti-spoofing against a lease. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/compiler.h"
#include "net/net.h"

enum { PKT_MAX = 128 };

/* IPv4 UDP 198.18.0.2 → 198.18.0.1, total length 28 (8 bytes of UDP header). */
// clang-format off
static const uint8_t v4_udp[28] = {
	0x45, 0x00, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00,
	198, 18, 0, 2,
	198, 18, 0, 1,
	0x30, 0x39, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00,
};

/* IPv6 ICMPv6 2001:db8:1::2 → 2001:db8:1::1, payload length 8. */
static const uint8_t v6_icmp[48] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x08, 0x3a, 0x40,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
	0x80, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01,
};
// clang-format on

struct inner_case {
	const char *name;
	const uint8_t *base;
	size_t base_len;
	size_t len; /* bytes handed to the parser (after edits) */
	size_t off; /* one byte edited: base[off] = val (when set) */
	uint8_t val;
	bool edit;
	int want;
	int family;
	uint8_t proto;
};

static void test_parse_table(void **state)
{
	static const struct inner_case cases[] = {
		{"v4 valid", v4_udp, 28, 28, 0, 0, false, 0, AF_INET, 17},
		{"v4 truncated header", v4_udp, 28, 19, 0, 0, false, -EBADMSG, 0, 0},
		{"v4 truncated payload", v4_udp, 28, 27, 0, 0, false, -EBADMSG, 0, 0},
		{"v4 trailing byte", v4_udp, 28, 29, 0, 0, false, -EBADMSG, 0, 0},
		{"v4 ihl 4", v4_udp, 28, 28, 0, 0x44, true, -EBADMSG, 0, 0},
		{"v4 ihl 0", v4_udp, 28, 28, 0, 0x40, true, -EBADMSG, 0, 0},
		{"v4 ihl 7 fits", v4_udp, 28, 28, 0, 0x47, true, 0, AF_INET, 17},
		{"v4 ihl 8 past end", v4_udp, 28, 28, 0, 0x48, true, -EBADMSG, 0, 0},
		{"v4 ihl 15 past end", v4_udp, 28, 28, 0, 0x4f, true, -EBADMSG, 0, 0},
		{"v4 total longer", v4_udp, 28, 28, 3, 0x1d, true, -EBADMSG, 0, 0},
		{"v4 total shorter", v4_udp, 28, 28, 3, 0x1b, true, -EBADMSG, 0, 0},
		{"v4 total 0", v4_udp, 28, 28, 3, 0x00, true, -EBADMSG, 0, 0},
		{"bad version 5", v4_udp, 28, 28, 0, 0x55, true, -EBADMSG, 0, 0},
		{"bad version 0", v4_udp, 28, 28, 0, 0x05, true, -EBADMSG, 0, 0},
		{"empty", v4_udp, 28, 0, 0, 0, false, -EBADMSG, 0, 0},
		{"one byte", v4_udp, 28, 1, 0, 0, false, -EBADMSG, 0, 0},
		{"v6 valid", v6_icmp, 48, 48, 0, 0, false, 0, AF_INET6, 58},
		{"v6 header only", v6_icmp, 48, 40, 5, 0x00, true, 0, AF_INET6, 58},
		{"v6 truncated header", v6_icmp, 48, 39, 0, 0, false, -EBADMSG, 0, 0},
		{"v6 truncated payload", v6_icmp, 48, 47, 0, 0, false, -EBADMSG, 0, 0},
		{"v6 trailing byte", v6_icmp, 48, 49, 0, 0, false, -EBADMSG, 0, 0},
		{"v6 payload longer", v6_icmp, 48, 48, 5, 0x09, true, -EBADMSG, 0, 0},
		{"v6 jumbo (plen 0)", v6_icmp, 48, 48, 5, 0x00, true, -EBADMSG, 0, 0},
		{"v6 version 7", v6_icmp, 48, 48, 0, 0x70, true, -EBADMSG, 0, 0},
		{"v6 first byte as v4", v6_icmp, 48, 48, 0, 0x45, true, -EBADMSG, 0, 0},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct inner_case *c = &cases[i];
		uint8_t pkt[PKT_MAX] = {};
		uint8_t *heap;
		struct inner_pkt ip;
		int ret;

		memcpy(pkt, c->base, c->base_len);
		if (c->edit)
			pkt[c->off] = c->val;
		/* An exact-size heap copy lets ASan see any read past len. */
		heap = malloc(c->len ? c->len : 1);
		assert_non_null(heap);
		memcpy(heap, pkt, c->len);
		ret = inner_parse(heap, c->len, &ip);
		if (ret != c->want)
			fail_msg("%s: got %d, want %d", c->name, ret, c->want);
		if (ret == 0) {
			size_t alen = c->family == AF_INET ? 4 : 16;

			assert_int_equal(ip.family, c->family);
			assert_int_equal(ip.proto, c->proto);
			assert_int_equal(ip.len, c->len);
			assert_memory_equal(ip.src, c->base + (alen == 4 ? 12 : 8), alen);
			assert_memory_equal(ip.dst, c->base + (alen == 4 ? 16 : 24), alen);
		}
		free(heap);
	}
}

/* Every truncation and every single-bit flip of the samples: a clean verdict, in bounds. */
static void test_mutations(void **state)
{
	static const struct {
		const uint8_t *p;
		size_t len;
	} samples[] = {{v4_udp, sizeof(v4_udp)}, {v6_icmp, sizeof(v6_icmp)}};

	(void)state;
	for (size_t s = 0; s < ARRAY_SIZE(samples); s++) {
		size_t n = samples[s].len;

		for (size_t cut = 0; cut < n; cut++) {
			uint8_t *h = malloc(cut ? cut : 1);
			struct inner_pkt ip;

			assert_non_null(h);
			memcpy(h, samples[s].p, cut);
			assert_int_equal(inner_parse(h, cut, &ip), -EBADMSG);
			free(h);
		}
		for (size_t bit = 0; bit < n * 8; bit++) {
			uint8_t *h = malloc(n);
			struct inner_pkt ip;
			int ret;

			assert_non_null(h);
			memcpy(h, samples[s].p, n);
			h[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			ret = inner_parse(h, n, &ip);
			assert_true(ret == 0 || ret == -EBADMSG);
			if (ret == 0) {
				assert_true(ip.src >= h && ip.src + 4 <= h + n);
				assert_true(ip.dst >= h && ip.dst + 4 <= h + n);
			}
			free(h);
		}
	}
}

static struct lease mklease(const char *v4, const char *v6, unsigned v6_prefix)
{
	struct lease l = {.slot = 2};

	if (v4) {
		l.has_v4 = true;
		assert_int_equal(inet_pton(AF_INET, v4, &l.v4), 1);
	}
	if (v6) {
		l.has_v6 = true;
		assert_int_equal(inet_pton(AF_INET6, v6, &l.v6), 1);
		l.v6_prefix = v6_prefix;
	}
	return l;
}

struct spoof_case {
	const char *name;
	bool v6;
	const char *src;
	const char *lease4, *lease6;
	unsigned prefix6;
	bool want;
};

static void test_spoofing(void **state)
{
	static const struct spoof_case cases[] = {
		{"v4 own", false, "198.18.0.2", "198.18.0.2", nullptr, 0, true},
		{"v4 other", false, "198.18.0.3", "198.18.0.2", nullptr, 0, false},
		{"v4 no v4 lease", false, "198.18.0.2", nullptr, "2001:db8:1::2", 128, false},
		{"v6 own /128", true, "2001:db8:1::2", nullptr, "2001:db8:1::2", 128, true},
		{"v6 other /128", true, "2001:db8:1::3", nullptr, "2001:db8:1::2", 128, false},
		{"v6 inside /64", true, "2001:db8:1:2::99", nullptr, "2001:db8:1:2::", 64, true},
		{"v6 outside /64", true, "2001:db8:1:3::", nullptr, "2001:db8:1:2::", 64, false},
		{"v6 inside /61", true, "2001:db8:1:f::1", nullptr, "2001:db8:1:8::", 61, true},
		{"v6 outside /61", true, "2001:db8:1:10::1", nullptr, "2001:db8:1:8::", 61, false},
		{"v6 no v6 lease", true, "2001:db8:1::2", "198.18.0.2", nullptr, 0, false},
		{"v6 bad prefix", true, "2001:db8:1::2", nullptr, "2001:db8:1::2", 129, false},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct spoof_case *c = &cases[i];
		struct lease l = mklease(c->lease4, c->lease6, c->prefix6);
		uint8_t pkt[48];
		struct inner_pkt ip;

		if (c->v6) {
			memcpy(pkt, v6_icmp, sizeof(v6_icmp));
			assert_int_equal(inet_pton(AF_INET6, c->src, pkt + 8), 1);
			assert_int_equal(inner_parse(pkt, sizeof(v6_icmp), &ip), 0);
		} else {
			memcpy(pkt, v4_udp, sizeof(v4_udp));
			assert_int_equal(inet_pton(AF_INET, c->src, pkt + 12), 1);
			assert_int_equal(inner_parse(pkt, sizeof(v4_udp), &ip), 0);
		}
		if (inner_src_is_lease(&ip, &l) != c->want)
			fail_msg("%s: got %d", c->name, !c->want);
	}
	/* No lease at all (slot 0) never matches. */
	struct lease none = {};
	struct inner_pkt ip;

	assert_int_equal(inner_parse(v4_udp, sizeof(v4_udp), &ip), 0);
	assert_false(inner_src_is_lease(&ip, &none));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_spoofing),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
