// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for the TUN offloads: the checksum (against a plain RFC 1071 reference),
 * tso_split on super-packets built the way the kernel hands them over (partial checksum,
 * GSO header), gro merging, and the round trip segments → gro → tso_split → the same
 * segments, byte for byte. */
#include <errno.h>
#include <linux/virtio_net.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/net.h"

enum { MAX_OUT = 128, BUF = TUN_VNET_HDR_LEN + 65536 };

/* ---- reference checksum: 16-bit big-endian words, the textbook way ---- */

static uint32_t ref_sum(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t ref_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* True when the IPv4 header and the L4 checksum of pkt verify. */
static bool packet_checksums_ok(const uint8_t *pkt, size_t len)
{
	bool v4 = (pkt[0] >> 4) == 4;
	size_t l4 = v4 ? (size_t)(pkt[0] & 15) * 4 : 40;
	uint8_t proto = v4 ? pkt[9] : pkt[6];
	uint32_t sum;

	if (v4 && ref_fold(ref_sum(pkt, l4, 0)) != 0xffff)
		return false;
	sum = ref_sum(pkt + (v4 ? 12 : 8), v4 ? 8 : 32, 0);
	sum += proto + (uint32_t)(len - l4);
	return ref_fold(ref_sum(pkt + l4, len - l4, sum)) == 0xffff;
}

static void be16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void be32(uint8_t *p, uint32_t v)
{
	be16(p, v >> 16);
	be16(p + 2, v & 0xffff);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A TCP packet 198.18.0.2:40000 → 198.18.1.2:5201 (or 2001:db8::2 → 2001:db8:1::2) with a
 * timestamp option, payload bytes (seq + i) & 0xff, complete checksums. Returns its length. */
static size_t make_tcp(uint8_t *pkt, bool v6, uint32_t seq, size_t payload, uint8_t flags,
		       uint16_t ip_id)
{
	size_t l4 = v6 ? 40 : 20, th = 32, len = l4 + th + payload;
	uint8_t *t = pkt + l4;
	uint32_t sum;

	memset(pkt, 0, l4 + th);
	if (v6) {
		pkt[0] = 0x60;
		be16(pkt + 4, (unsigned)(th + payload));
		pkt[6] = IPPROTO_TCP;
		pkt[7] = 64;
		uint8_t s[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
		uint8_t d[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 2};
		memcpy(pkt + 8, s, 16);
		memcpy(pkt + 24, d, 16);
	} else {
		pkt[0] = 0x45;
		be16(pkt + 2, (unsigned)len);
		be16(pkt + 4, ip_id);
		pkt[6] = 0x40; /* DF */
		pkt[8] = 64;
		pkt[9] = IPPROTO_TCP;
		uint8_t a[8] = {198, 18, 0, 2, 198, 18, 1, 2};
		memcpy(pkt + 12, a, 8);
		be16(pkt + 10, (uint16_t)~ref_fold(ref_sum(pkt, 20, 0)));
	}
	be16(t, 40000);
	be16(t + 2, 5201);
	be32(t + 4, seq);
	be32(t + 8, 0x11223344);
	t[12] = (uint8_t)((th / 4) << 4);
	t[13] = flags;
	be16(t + 14, 501);
	uint8_t opts[12] = {1, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 9};
	memcpy(t + 20, opts, sizeof(opts));
	for (size_t i = 0; i < payload; i++)
		t[th + i] = (uint8_t)(seq + i);
	sum = ref_sum(pkt + (v6 ? 8 : 12), v6 ? 32 : 8, 0) + IPPROTO_TCP + (uint32_t)(th + payload);
	be16(t + 16, (uint16_t)~ref_fold(ref_sum(t, th + payload, sum)));
	return len;
}

/* What the kernel reads out: GSO header, pseudo-header sum in the TCP checksum field. */
static size_t make_super(uint8_t *buf, bool v6, uint32_t seq, size_t payload, size_t mss,
			 uint8_t flags)
{
	uint8_t *pkt = buf + TUN_VNET_HDR_LEN;
	size_t len = make_tcp(pkt, v6, seq, payload, flags, 100);
	size_t l4 = v6 ? 40 : 20;
	uint16_t partial = ref_fold(ref_sum(pkt + (v6 ? 8 : 12), v6 ? 32 : 8, 0) + IPPROTO_TCP +
				    (uint32_t)(len - l4));
	struct virtio_net_hdr vh = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4,
		.hdr_len = (uint16_t)(l4 + 32),
		.gso_size = (uint16_t)mss,
		.csum_start = (uint16_t)l4,
		.csum_offset = 16,
	};

	be16(pkt + l4 + 16, partial);
	memcpy(buf, &vh, sizeof(vh));
	return TUN_VNET_HDR_LEN + len;
}

struct capture {
	unsigned n;
	size_t len[MAX_OUT];
	struct virtio_net_hdr vh[MAX_OUT];
	uint8_t *pkt[MAX_OUT];
};

static void capture_emit(void *ctx, const uint8_t *pkt, size_t len)
{
	struct capture *c = ctx;

	assert_true(c->n < MAX_OUT);
	c->pkt[c->n] = malloc(len);
	memcpy(c->pkt[c->n], pkt, len);
	c->len[c->n++] = len;
}

static void capture_write(void *ctx, const struct virtio_net_hdr *vh, const uint8_t *pkt,
			  size_t len)
{
	struct capture *c = ctx;

	c->vh[c->n] = *vh;
	capture_emit(ctx, pkt, len);
}

static void capture_free(struct capture *c)
{
	for (unsigned i = 0; i < c->n; i++)
		free(c->pkt[i]);
	c->n = 0;
}

/* ---- checksum ---- */

static void test_csum_matches_reference(void **state)
{
	uint8_t data[1501];

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	for (size_t len = 0; len <= sizeof(data); len += 1 + len / 3) {
		uint16_t mine = csum_fold(csum_add(0, data, len));
		uint16_t ref = ref_fold(ref_sum(data, len, 0));
		uint8_t be[2];
		memcpy(be, &mine, 2); /* stored in the data's own byte order */
		assert_int_equal(be[0] << 8 | be[1], ref);
	}
	memset(data, 0xff, sizeof(data)); /* carries everywhere */
	uint16_t all = csum_fold(csum_add(0, data, 1500));
	assert_int_equal(all, 0xffff);
}

/* ---- tso_split ---- */

static void split_and_check(bool v6, size_t payload, size_t mss, uint8_t flags)
{
	uint8_t *buf = malloc(BUF);
	struct capture c = {};
	size_t len = make_super(buf, v6, 1000, payload, mss, flags);
	size_t hdr = (v6 ? 40 : 20) + 32;
	unsigned want = (unsigned)((payload + mss - 1) / mss);

	assert_int_equal(tso_split(buf, len, capture_emit, &c), (int)want);
	assert_int_equal(c.n, want);
	for (unsigned i = 0; i < c.n; i++) {
		const uint8_t *p = c.pkt[i];
		const uint8_t *t = p + hdr - 32;
		size_t chunk = i + 1 < want ? mss : payload - (size_t)i * mss;
		bool last = i + 1 == want;

		assert_int_equal(c.len[i], hdr + chunk);
		assert_true(packet_checksums_ok(p, c.len[i]));
		if (v6) {
			assert_int_equal(p[4] << 8 | p[5], 32 + chunk);
		} else {
			assert_int_equal(p[2] << 8 | p[3], hdr + chunk);
			assert_int_equal(p[4] << 8 | p[5], 100 + i); /* IP ids count up */
		}
		assert_int_equal(get32(t + 4), 1000 + (uint32_t)(i * mss));
		assert_int_equal(t[13] & 0x08, last ? flags & 0x08 : 0); /* PSH on the last only */
		assert_int_equal(t[13] & 0x10, 0x10);
		for (size_t k = 0; k < chunk; k++)
			assert_int_equal(t[32 + k], (uint8_t)(1000 + i * mss + k));
	}
	capture_free(&c);
	free(buf);
}

static void test_tso_split_tcp4(void **state)
{
	(void)state;
	split_and_check(false, 64000, 1348, 0x18);
	split_and_check(false, 1348 * 3, 1348, 0x10); /* exact multiple */
	split_and_check(false, 500, 1348, 0x18);      /* GSO header, one segment */
}

static void test_tso_split_tcp6(void **state)
{
	(void)state;
	split_and_check(true, 60001, 1328, 0x18);
	split_and_check(true, 1, 1328, 0x10);
}

static void test_tso_split_udp(void **state)
{
	uint8_t *buf = malloc(BUF), *pkt = buf + TUN_VNET_HDR_LEN;
	struct capture c = {};
	size_t payload = 5000, mss = 1200, len = 28 + payload;
	uint8_t a[8] = {198, 18, 0, 2, 198, 18, 1, 2};

	(void)state;
	memset(pkt, 0, 28);
	pkt[0] = 0x45;
	be16(pkt + 2, (unsigned)len);
	pkt[8] = 64;
	pkt[9] = IPPROTO_UDP;
	memcpy(pkt + 12, a, 8);
	be16(pkt + 20, 5353);
	be16(pkt + 22, 4443);
	be16(pkt + 24, (unsigned)(8 + payload));
	for (size_t i = 0; i < payload; i++)
		pkt[28 + i] = (uint8_t)i;
	struct virtio_net_hdr vh = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				    .gso_type = 5 /* UDP_L4 */,
				    .hdr_len = 28,
				    .gso_size = (uint16_t)mss,
				    .csum_start = 20,
				    .csum_offset = 6};
	memcpy(buf, &vh, sizeof(vh));
	assert_int_equal(tso_split(buf, TUN_VNET_HDR_LEN + len, capture_emit, &c), 5);
	for (unsigned i = 0; i < c.n; i++) {
		size_t chunk = i < 4 ? mss : payload - 4 * mss;
		assert_int_equal(c.len[i], 28 + chunk);
		assert_int_equal(c.pkt[i][24] << 8 | c.pkt[i][25], 8 + chunk);
		assert_true(packet_checksums_ok(c.pkt[i], c.len[i]));
		assert_int_equal(c.pkt[i][28], (uint8_t)(i * mss));
	}
	capture_free(&c);
	free(buf);
}

static void test_tso_plain_and_partial(void **state)
{
	uint8_t buf[TUN_VNET_HDR_LEN + 200];
	uint8_t *pkt = buf + TUN_VNET_HDR_LEN;
	struct capture c = {};
	size_t len = make_tcp(pkt, false, 7, 100, 0x18, 1);
	uint8_t good[200];

	(void)state;
	memcpy(good, pkt, len);
	/* No offload used: passed through untouched. */
	memset(buf, 0, TUN_VNET_HDR_LEN);
	assert_int_equal(tso_split(buf, TUN_VNET_HDR_LEN + len, capture_emit, &c), 1);
	assert_memory_equal(c.pkt[0], good, len);
	capture_free(&c);
	/* Partial checksum (pseudo header only): completed. */
	uint16_t partial = ref_fold(ref_sum(pkt + 12, 8, 0) + IPPROTO_TCP + (uint32_t)(len - 20));
	be16(pkt + 36, partial);
	struct virtio_net_hdr vh = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 20, .csum_offset = 16};
	memcpy(buf, &vh, sizeof(vh));
	assert_int_equal(tso_split(buf, TUN_VNET_HDR_LEN + len, capture_emit, &c), 1);
	assert_memory_equal(c.pkt[0], good, len);
	capture_free(&c);
}

static void test_tso_rejects_nonsense(void **state)
{
	uint8_t *buf = malloc(BUF);
	struct capture c = {};
	size_t len = make_super(buf, false, 1, 3000, 1000, 0x10);
	struct virtio_net_hdr vh;

	(void)state;
	assert_int_equal(tso_split(buf, TUN_VNET_HDR_LEN, capture_emit, &c), -EBADMSG);
	memcpy(&vh, buf, sizeof(vh));
	vh.gso_size = 0;
	memcpy(buf, &vh, sizeof(vh));
	assert_int_equal(tso_split(buf, len, capture_emit, &c), -EBADMSG);
	vh.gso_size = 1000;
	vh.csum_start = 24; /* not where the IPv4 header ends */
	memcpy(buf, &vh, sizeof(vh));
	assert_int_equal(tso_split(buf, len, capture_emit, &c), -EBADMSG);
	vh.csum_start = 20;
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV6; /* on an IPv4 packet */
	memcpy(buf, &vh, sizeof(vh));
	assert_int_equal(tso_split(buf, len, capture_emit, &c), -EBADMSG);
	vh.gso_type = VIRTIO_NET_HDR_GSO_UDP; /* UFO: never requested */
	memcpy(buf, &vh, sizeof(vh));
	assert_int_equal(tso_split(buf, len, capture_emit, &c), -EBADMSG);
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	memcpy(buf, &vh, sizeof(vh));
	assert_int_equal(tso_split(buf, 40, capture_emit, &c), -EBADMSG); /* TCP cut */
	assert_int_equal(c.n, 0);
	free(buf);
}

/* ---- gro ---- */

/* The kernel's view of a merged packet: it completes the partial checksum before handing
 * segments on; do the same, then check it and split it back. */
static void gro_roundtrip(bool v6, unsigned nseg, size_t mss, size_t last)
{
	uint8_t *segs[MAX_OUT];
	size_t lens[MAX_OUT];
	struct capture c = {};
	struct gro *g;
	uint32_t seq = 5000;

	assert_int_equal(gro_new(capture_write, &c, &g), 0);
	for (unsigned i = 0; i < nseg; i++) {
		size_t pl = i + 1 < nseg ? mss : last;
		segs[i] = malloc(2048);
		lens[i] = make_tcp(segs[i], v6, seq, pl, i + 1 < nseg ? 0x10 : 0x18,
				   (uint16_t)(100 + i));
		seq += (uint32_t)pl;
		gro_add(g, segs[i], lens[i]);
	}
	assert_int_equal(c.n, 0); /* all waiting for the end of the round */
	gro_flush(g);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.vh[0].gso_type,
			 v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(c.vh[0].gso_size, mss);
	assert_int_equal(c.vh[0].flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);

	/* Back through tso_split: the very same segments (IPv4 ids count up from the first). */
	uint8_t *buf = malloc(BUF);
	struct capture back = {};
	memcpy(buf, &c.vh[0], TUN_VNET_HDR_LEN);
	memcpy(buf + TUN_VNET_HDR_LEN, c.pkt[0], c.len[0]);
	assert_int_equal(tso_split(buf, TUN_VNET_HDR_LEN + c.len[0], capture_emit, &back),
			 (int)nseg);
	for (unsigned i = 0; i < nseg; i++) {
		assert_int_equal(back.len[i], lens[i]);
		assert_memory_equal(back.pkt[i], segs[i], lens[i]);
		free(segs[i]);
	}
	capture_free(&back);
	capture_free(&c);
	free(buf);
	gro_free(g);
}

static void test_gro_merges_and_splits_back(void **state)
{
	(void)state;
	gro_roundtrip(false, 40, 1348, 700);
	gro_roundtrip(false, 2, 1348, 1348);
	gro_roundtrip(true, 30, 1328, 1);
}

static void test_gro_keeps_order_and_rules(void **state)
{
	uint8_t a[2048], b[2048], ack[2048];
	struct capture c = {};
	struct gro *g;

	(void)state;
	assert_int_equal(gro_new(capture_write, &c, &g), 0);
	/* A gap in the sequence: two packets. */
	gro_add(g, a, make_tcp(a, false, 1, 1000, 0x10, 1));
	gro_add(g, b, make_tcp(b, false, 2001, 1000, 0x10, 2));
	gro_flush(g);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.vh[0].gso_type, VIRTIO_NET_HDR_GSO_NONE);
	assert_int_equal(get32(c.pkt[0] + 24), 1);
	assert_int_equal(get32(c.pkt[1] + 24), 2001);
	capture_free(&c);

	/* A pure ACK of the same flow is written after what was pending, at once. */
	gro_add(g, a, make_tcp(a, false, 1, 1000, 0x10, 1));
	gro_add(g, b, make_tcp(b, false, 1001, 1000, 0x10, 2));
	gro_add(g, ack, make_tcp(ack, false, 2001, 0, 0x10, 3));
	assert_int_equal(c.n, 2);
	assert_int_equal(c.vh[0].gso_size, 1000); /* the merged pair first */
	assert_int_equal(c.len[1], 52);		  /* then the ACK, untouched */
	assert_true(packet_checksums_ok(c.pkt[1], c.len[1]));
	capture_free(&c);

	/* A bigger segment after a smaller one, and anything after a PSH, start anew. */
	gro_add(g, a, make_tcp(a, false, 1, 500, 0x10, 1));
	gro_add(g, b, make_tcp(b, false, 501, 1000, 0x10, 2));
	gro_add(g, a, make_tcp(a, false, 1501, 1000, 0x18, 3));
	gro_add(g, b, make_tcp(b, false, 2501, 1000, 0x10, 4));
	gro_flush(g);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.len[0], 20 + 32 + 500);
	assert_int_equal(c.vh[1].gso_size, 1000);
	assert_int_equal(c.len[1], 20 + 32 + 2000);
	assert_int_equal(c.len[2], 20 + 32 + 1000);
	capture_free(&c);

	/* Never past 64 KiB: 60 segments of 1348 bytes make two packets. */
	for (uint32_t i = 0; i < 60; i++)
		gro_add(g, a, make_tcp(a, false, 1 + i * 1348, 1348, 0x10, (uint16_t)i));
	gro_flush(g);
	assert_int_equal(c.n, 2);
	assert_true(c.len[0] <= 65535 && c.len[1] <= 65535);
	assert_int_equal(c.len[0] + c.len[1], 2 * 52 + 60 * 1348);
	capture_free(&c);

	/* Two flows interleaved: each merged on its own. */
	for (uint32_t i = 0; i < 6; i++) {
		size_t n = make_tcp(a, i & 1, 1 + (i / 2) * 1000, 1000, 0x10, (uint16_t)i);
		gro_add(g, a, n);
	}
	gro_flush(g);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.len[0] + c.len[1], 52 + 72 + 6000);
	capture_free(&c);
	gro_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csum_matches_reference),
		cmocka_unit_test(test_tso_split_tcp4),
		cmocka_unit_test(test_tso_split_tcp6),
		cmocka_unit_test(test_tso_split_udp),
		cmocka_unit_test(test_tso_plain_and_partial),
		cmocka_unit_test(test_tso_rejects_nonsense),
		cmocka_unit_test(test_gro_merges_and_splits_back),
		cmocka_unit_test(test_gro_keeps_order_and_rules),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
