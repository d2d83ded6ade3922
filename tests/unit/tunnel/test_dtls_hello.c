// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for tunnel/dtls_hello.c: named ClientHello/record cases built byte by byte (§5.2
 * offsets), the limits and one past them, then bit flips and truncations of real ClientHellos. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/compiler.h"
#include "tunnel/dtls_hello.h"

enum { HELLO_MAX = 512 };

struct hello_spec {
	uint8_t content_type; /* 0 = 22 */
	uint16_t record_version, client_version, epoch;
	uint8_t hs_type; /* 0 = 1 (ClientHello) */
	bool custom_sid; /* false: a 32-byte session_id */
	int sid_len;	 /* custom_sid: session_id length (byte and content) */
	bool zero_random;
	uint32_t frag_off;
	int frag_cut;	  /* the fragment ends after this many body bytes; 0 = whole body */
	int record_extra; /* added to the record length field (negative: shorter) */
};

/* A ClientHello datagram per spec into buf; returns its length. */
static size_t build(const struct hello_spec *s, uint8_t *buf)
{
	uint8_t body[128];
	size_t b = 0, n = 0, frag_len;
	int sid_len = s->custom_sid ? s->sid_len : 32;

	body[b++] = (uint8_t)(s->client_version >> 8);
	body[b++] = (uint8_t)s->client_version;
	for (int i = 0; i < 32; i++)
		body[b++] = s->zero_random ? 0 : (uint8_t)(i * 7 + 1);
	body[b++] = (uint8_t)sid_len;
	for (int i = 0; i < sid_len; i++)
		body[b++] = (uint8_t)(0xa5 ^ i);
	static const uint8_t tail[] = {0, 0, 2, 0x00, 0x9d, 1, 0}; /* cookie, suites, comp */
	memcpy(body + b, tail, sizeof(tail));
	b += sizeof(tail);
	frag_len = s->frag_cut ? (size_t)s->frag_cut : b;

	size_t rec_len = 12 + frag_len;
	buf[n++] = s->content_type ? s->content_type : 22;
	buf[n++] = (uint8_t)(s->record_version >> 8);
	buf[n++] = (uint8_t)s->record_version;
	buf[n++] = (uint8_t)(s->epoch >> 8);
	buf[n++] = (uint8_t)s->epoch;
	memset(buf + n, 0, 6);
	n += 6;
	buf[n++] = (uint8_t)((rec_len + (size_t)s->record_extra) >> 8);
	buf[n++] = (uint8_t)(rec_len + (size_t)s->record_extra);
	buf[n++] = s->hs_type ? s->hs_type : 1;
	buf[n++] = 0;
	buf[n++] = (uint8_t)(b >> 8);
	buf[n++] = (uint8_t)b;
	buf[n++] = 0;
	buf[n++] = 0; /* message_seq */
	buf[n++] = (uint8_t)(s->frag_off >> 16);
	buf[n++] = (uint8_t)(s->frag_off >> 8);
	buf[n++] = (uint8_t)s->frag_off;
	buf[n++] = 0;
	buf[n++] = (uint8_t)(frag_len >> 8);
	buf[n++] = (uint8_t)frag_len;
	memcpy(buf + n, body, frag_len);
	return n + frag_len;
}

#define V12	  DTLS_WIRE_1_2
#define V10	  DTLS_WIRE_1_0
#define V09	  DTLS_WIRE_0_9
#define SPEC(...) {__VA_ARGS__}

struct hello_case {
	const char *name;
	struct hello_spec spec;
	int ret;
	enum dtls_dgram_kind kind;
	int sid_len;
	bool servable;
};

static const struct hello_case cases[] = {
	{"dtls1.2 hello, dtls1.0 record (openssl, gnutls)",
	 SPEC(.record_version = V10, .client_version = V12), 0, DTLS_DGRAM_CLIENT_HELLO, 32, true},
	{"dtls1.2 record", SPEC(.record_version = V12, .client_version = V12), 0,
	 DTLS_DGRAM_CLIENT_HELLO, 32, true},
	{"dtls1.0 hello", SPEC(.record_version = V10, .client_version = V10), 0,
	 DTLS_DGRAM_CLIENT_HELLO, 32, true},
	{"dtls0.9 hello: recognised, not servable",
	 SPEC(.record_version = V09, .client_version = V09), 0, DTLS_DGRAM_CLIENT_HELLO, 32, false},
	{"empty session id",
	 SPEC(.record_version = V10, .client_version = V12, .custom_sid = true, .sid_len = 0), 0,
	 DTLS_DGRAM_CLIENT_HELLO, 0, true},
	{"session id 33: garbage",
	 SPEC(.record_version = V10, .client_version = V12, .custom_sid = true, .sid_len = 33),
	 -EBADMSG, DTLS_DGRAM_GARBAGE, 0, false},
	{"all-zero random: garbage",
	 SPEC(.record_version = V10, .client_version = V12, .zero_random = true), -EBADMSG,
	 DTLS_DGRAM_GARBAGE, 0, false},
	{"fragment_offset 1: garbage",
	 SPEC(.record_version = V10, .client_version = V12, .frag_off = 1), -EBADMSG,
	 DTLS_DGRAM_GARBAGE, 0, false},
	{"fragment ends at the session id's end (limit)",
	 SPEC(.record_version = V10, .client_version = V12, .frag_cut = 2 + 32 + 1 + 32), 0,
	 DTLS_DGRAM_CLIENT_HELLO, 32, true},
	{"fragment ends one byte into the session id: garbage",
	 SPEC(.record_version = V10, .client_version = V12, .frag_cut = 2 + 32 + 1 + 31), -EBADMSG,
	 DTLS_DGRAM_GARBAGE, 0, false},
	{"record longer than the datagram: garbage",
	 SPEC(.record_version = V10, .client_version = V12, .record_extra = 1), -EBADMSG,
	 DTLS_DGRAM_GARBAGE, 0, false},
	{"record shorter than the fragment: garbage",
	 SPEC(.record_version = V10, .client_version = V12, .record_extra = -1), -EBADMSG,
	 DTLS_DGRAM_GARBAGE, 0, false},
	{"tls record version: garbage", SPEC(.record_version = 0x0303, .client_version = V12),
	 -EBADMSG, DTLS_DGRAM_GARBAGE, 0, false},
	{"unknown client version: garbage", SPEC(.record_version = V10, .client_version = 0xFEFC),
	 -EBADMSG, DTLS_DGRAM_GARBAGE, 0, false},
	{"content type 24: garbage",
	 SPEC(.content_type = 24, .record_version = V12, .client_version = V12), -EBADMSG,
	 DTLS_DGRAM_GARBAGE, 0, false},
	{"content type 19: garbage",
	 SPEC(.content_type = 19, .record_version = V12, .client_version = V12), -EBADMSG,
	 DTLS_DGRAM_GARBAGE, 0, false},
	{"application data", SPEC(.content_type = 23, .record_version = V12, .epoch = 1), 0,
	 DTLS_DGRAM_RECORD, 0, false},
	{"alert", SPEC(.content_type = 21, .record_version = V12), 0, DTLS_DGRAM_RECORD, 0, false},
	{"change cipher spec", SPEC(.content_type = 20, .record_version = V12), 0,
	 DTLS_DGRAM_RECORD, 0, false},
	{"encrypted handshake (epoch 1)",
	 SPEC(.record_version = V12, .client_version = V12, .epoch = 1), 0, DTLS_DGRAM_RECORD, 0,
	 false},
	{"server hello type at epoch 0",
	 SPEC(.record_version = V12, .client_version = V12, .hs_type = 2), 0, DTLS_DGRAM_RECORD, 0,
	 false},
};

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct hello_case *tc = &cases[i];
		uint8_t buf[HELLO_MAX];
		struct dtls_hello h;
		size_t len = build(&tc->spec, buf);

		print_message("case: %s\n", tc->name);
		assert_int_equal(dtls_hello_parse(buf, len, &h), tc->ret);
		assert_int_equal(h.kind, tc->kind);
		assert_int_equal(h.session_id_len, tc->sid_len);
		if (tc->kind != DTLS_DGRAM_CLIENT_HELLO)
			continue;
		assert_int_equal(h.servable, tc->servable);
		assert_int_equal(h.version, tc->spec.record_version);
		assert_int_equal(h.client_version, tc->spec.client_version);
		for (int j = 0; j < tc->sid_len; j++)
			assert_int_equal(h.session_id[j], 0xa5 ^ j);
	}
}

static void test_short(void **state)
{
	static const uint8_t hdr[13] = {23, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0};
	struct dtls_hello h;

	(void)state;
	assert_int_equal(dtls_hello_parse(nullptr, 0, &h), -EBADMSG);
	assert_int_equal(h.kind, DTLS_DGRAM_GARBAGE);
	for (size_t n = 0; n < sizeof(hdr); n++)
		assert_int_equal(dtls_hello_parse(hdr, n, &h), -EBADMSG);
	/* A record header with length 0 and nothing after it: the limit. */
	assert_int_equal(dtls_hello_parse(hdr, sizeof(hdr), &h), 0);
	assert_int_equal(h.kind, DTLS_DGRAM_RECORD);
}

/* Every truncation of a valid hello before the session_id ends is garbage (the record no longer
 * fits), every bit flip classifies without crashing, and never yields more than 32 id bytes. */
static void test_mutations(void **state)
{
	struct hello_spec s = SPEC(.record_version = V10, .client_version = V12);
	uint8_t buf[HELLO_MAX], m[HELLO_MAX];
	struct dtls_hello h;
	size_t len = build(&s, buf);

	(void)state;
	for (size_t n = 0; n < len; n++) {
		assert_int_equal(dtls_hello_parse(buf, n, &h), -EBADMSG);
		assert_int_equal(h.kind, DTLS_DGRAM_GARBAGE);
	}
	for (size_t bit = 0; bit < len * 8; bit++) {
		memcpy(m, buf, len);
		m[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		int ret = dtls_hello_parse(m, len, &h);

		assert_true(ret == 0 || ret == -EBADMSG);
		assert_true(h.session_id_len <= DTLS_HELLO_SESSION_ID_MAX);
		assert_true((ret == 0) == (h.kind != DTLS_DGRAM_GARBAGE));
	}
}

/* The per-session ClientHello limit: DTLS_HELLO_PER_WINDOW per window, then refused until the
 * window has passed; a new window starts full again. */
static void test_limit(void **state)
{
	struct dtls_hello_limit l = {};
	const uint64_t win = (uint64_t)DTLS_HELLO_WINDOW_MS * 1000000u;
	uint64_t t0 = 5 * win + 123;

	(void)state;
	for (int i = 0; i < DTLS_HELLO_PER_WINDOW; i++)
		assert_true(dtls_hello_limit_take(&l, t0 + (uint64_t)i));
	assert_false(dtls_hello_limit_take(&l, t0 + 10));
	assert_false(dtls_hello_limit_take(&l, t0 + win - 1));
	for (int i = 0; i < DTLS_HELLO_PER_WINDOW; i++)
		assert_true(dtls_hello_limit_take(&l, t0 + win + (uint64_t)i));
	assert_false(dtls_hello_limit_take(&l, t0 + win + 100));
	/* A flood of 1000 ClientHellos over one second takes at most one window's worth. */
	struct dtls_hello_limit f = {};
	unsigned taken = 0;
	for (uint64_t i = 0; i < 1000; i++)
		taken += dtls_hello_limit_take(&f, t0 + i * (win / 1000));
	assert_int_equal(taken, DTLS_HELLO_PER_WINDOW);
	/* Time zero is a valid first arrival. */
	struct dtls_hello_limit z = {};
	assert_true(dtls_hello_limit_take(&z, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_limit),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
