// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for tunnel/cstp.c: frame parse table (types, lengths at and past the limit, bad
 * magic, byte 7, partial input), back-to-back frames, build/parse roundtrip, mutations. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tunnel/cstp.h"

enum { BIG = CSTP_HDR_LEN + CSTP_MAX_PAYLOAD + 16 };

struct frame_case {
	const char *name;
	uint8_t hdr[CSTP_HDR_LEN];
	size_t have;	    /* bytes given to the parser (header + available payload) */
	size_t max_payload; /* 0 = CSTP_MAX_PAYLOAD */
	ssize_t want;	    /* return value */
	uint8_t type;
};

#define H(len, type) {'S', 'T', 'F', 1, (uint8_t)((len) >> 8), (uint8_t)(len), (type), 0}

static const struct frame_case frame_cases[] = {
	{"data empty", H(0, 0x00), 8, 0, 8, 0x00},
	{"data 1", H(1, 0x00), 9, 0, 9, 0x00},
	{"dpd-req", H(4, 0x03), 12, 0, 12, 0x03},
	{"dpd-resp", H(4, 0x04), 12, 0, 12, 0x04},
	{"disconnect", H(1, 0x05), 9, 0, 9, 0x05},
	{"keepalive", H(0, 0x07), 8, 0, 8, 0x07},
	{"compressed", H(10, 0x08), 18, 0, 18, 0x08},
	{"terminate", H(0, 0x09), 8, 0, 8, 0x09},
	{"unknown type passes to caller", H(0, 0x0a), 8, 0, 8, 0x0a},
	{"len max", H(CSTP_MAX_PAYLOAD, 0), 8 + CSTP_MAX_PAYLOAD, 0, 8 + CSTP_MAX_PAYLOAD, 0},
	{"len max+1", H(CSTP_MAX_PAYLOAD + 1, 0), 8 + CSTP_MAX_PAYLOAD + 1, 0, -EBADMSG, 0},
	{"len 0xffff", H(0xffff, 0), 8, 0, -EBADMSG, 0},
	{"small max: at limit", H(100, 0), 108, 100, 108, 0},
	{"small max: one past", H(101, 0), 109, 100, -EBADMSG, 0},
	{"over max decided from header", H(200, 0), 8, 100, -EBADMSG, 0},
	{"bad magic S", {'s', 'T', 'F', 1, 0, 0, 0, 0}, 8, 0, -EBADMSG, 0},
	{"bad magic version", {'S', 'T', 'F', 2, 0, 0, 0, 0}, 8, 0, -EBADMSG, 0},
	{"byte7 nonzero", {'S', 'T', 'F', 1, 0, 0, 0, 1}, 8, 0, -EBADMSG, 0},
	{"empty input", H(0, 0), 0, 0, -EAGAIN, 0},
	{"partial header", H(0, 0), 7, 0, -EAGAIN, 0},
	{"partial payload", H(10, 0), 17, 0, -EAGAIN, 0},
	{"header only of payload frame", H(10, 0), 8, 0, -EAGAIN, 0},
};

static void test_frame_table(void **state)
{
	uint8_t *buf = calloc(1, BIG);

	(void)state;
	assert_non_null(buf);
	for (size_t i = 0; i < sizeof(frame_cases) / sizeof(frame_cases[0]); i++) {
		const struct frame_case *c = &frame_cases[i];
		struct cstp_frame f = {.type = 0xee};
		size_t max = c->max_payload ? c->max_payload : CSTP_MAX_PAYLOAD;
		ssize_t n;

		memset(buf, 0xa5, BIG);
		memcpy(buf, c->hdr, CSTP_HDR_LEN);
		n = cstp_frame_parse(buf, c->have, max, &f);
		if (n != c->want)
			fail_msg("case '%s': got %zd want %zd", c->name, n, c->want);
		if (n > 0) {
			if (f.type != c->type || f.payload != buf + CSTP_HDR_LEN ||
			    f.len != (size_t)n - CSTP_HDR_LEN)
				fail_msg("case '%s': bad frame", c->name);
		} else if (f.type != 0xee) {
			fail_msg("case '%s': frame written on error", c->name);
		}
	}
	free(buf);
}

static void test_back_to_back(void **state)
{
	uint8_t s[8 + 3 + 8 + 0 + 8 + 2];
	struct cstp_frame f;
	size_t off = 0;
	ssize_t n;

	(void)state;
	cstp_header_write(s, CSTP_DPD_REQ, 3);
	memcpy(s + 8, "abc", 3);
	cstp_header_write(s + 11, CSTP_KEEPALIVE, 0);
	cstp_header_write(s + 19, CSTP_DATA, 2);
	memcpy(s + 27, "xy", 2);

	n = cstp_frame_parse(s + off, sizeof(s) - off, CSTP_MAX_PAYLOAD, &f);
	assert_int_equal(n, 11);
	assert_int_equal(f.type, CSTP_DPD_REQ);
	assert_memory_equal(f.payload, "abc", 3);
	off += (size_t)n;
	n = cstp_frame_parse(s + off, sizeof(s) - off, CSTP_MAX_PAYLOAD, &f);
	assert_int_equal(n, 8);
	assert_int_equal(f.type, CSTP_KEEPALIVE);
	assert_int_equal(f.len, 0);
	off += (size_t)n;
	/* the last frame arrives one byte at a time */
	for (size_t have = 0; have < 10; have++)
		assert_int_equal(cstp_frame_parse(s + off, have, CSTP_MAX_PAYLOAD, &f), -EAGAIN);
	n = cstp_frame_parse(s + off, sizeof(s) - off, CSTP_MAX_PAYLOAD, &f);
	assert_int_equal(n, 10);
	assert_int_equal(f.type, CSTP_DATA);
	assert_memory_equal(f.payload, "xy", 2);
}

static void test_roundtrip(void **state)
{
	static const enum cstp_type types[] = {CSTP_DATA,	CSTP_DPD_REQ,	CSTP_DPD_RESP,
					       CSTP_DISCONNECT, CSTP_KEEPALIVE, CSTP_COMPRESSED,
					       CSTP_TERMINATE};
	static const size_t lens[] = {0, 1, 255, 256, 1500, CSTP_MAX_PAYLOAD};
	uint8_t *buf = malloc(CSTP_HDR_LEN + CSTP_MAX_PAYLOAD);

	(void)state;
	assert_non_null(buf);
	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		assert_true(cstp_type_is_known(types[t]));
		assert_string_not_equal(cstp_type_name(types[t]), "unknown");
		for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
			struct cstp_frame f;

			cstp_header_write(buf, types[t], lens[l]);
			memset(buf + CSTP_HDR_LEN, (int)l, lens[l]);
			assert_int_equal(
				cstp_frame_parse(buf, CSTP_HDR_LEN + lens[l], CSTP_MAX_PAYLOAD, &f),
				(ssize_t)(CSTP_HDR_LEN + lens[l]));
			assert_int_equal(f.type, types[t]);
			assert_int_equal(f.len, lens[l]);
		}
	}
	free(buf);
}

static void test_header_bytes(void **state)
{
	static const uint8_t want[CSTP_HDR_LEN] = {'S', 'T', 'F', 1, 0x05, 0xdc, 0x00, 0};
	uint8_t hdr[CSTP_HDR_LEN];

	(void)state;
	cstp_header_write(hdr, CSTP_DATA, 1500);
	assert_memory_equal(hdr, want, sizeof(want));
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(cstp_type_name(CSTP_DATA), "data");
	assert_string_equal(cstp_type_name(CSTP_DPD_REQ), "dpd-req");
	assert_string_equal(cstp_type_name(CSTP_TERMINATE), "terminate");
	for (unsigned t = 0; t < 256; t++) {
		bool known = t == 0 || t == 3 || t == 4 || t == 5 || t == 7 || t == 8 || t == 9;

		assert_int_equal(cstp_type_is_known((uint8_t)t), known);
		assert_non_null(cstp_type_name((uint8_t)t));
	}
}

/* Every truncation and single bit flip of a valid two-frame stream: never claims bytes past
 * the input, and a flip in a magic byte or byte 7 is always -EBADMSG. */
static void test_mutations(void **state)
{
	uint8_t s[8 + 4 + 8];

	(void)state;
	for (size_t bit = 0; bit <= sizeof(s) * 8; bit++) {
		for (size_t len = 0; len <= sizeof(s); len++) {
			struct cstp_frame f;
			uint8_t *copy = malloc(sizeof(s));
			size_t off = 0;
			ssize_t n;

			assert_non_null(copy);
			cstp_header_write(s, CSTP_DPD_REQ, 4);
			memcpy(s + 8, "ping", 4);
			cstp_header_write(s + 12, CSTP_KEEPALIVE, 0);
			memcpy(copy, s, sizeof(s));
			if (bit < sizeof(s) * 8)
				copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			while ((n = cstp_frame_parse(copy + off, len - off, CSTP_MAX_PAYLOAD, &f)) >
			       0) {
				assert_true((size_t)n <= len - off);
				assert_true(f.payload + f.len <= copy + len);
				off += (size_t)n;
			}
			assert_true(n == -EAGAIN || n == -EBADMSG);
			if (len >= 8 && bit < 64 && (bit / 8 < 4 || bit / 8 == 7))
				assert_int_equal(cstp_frame_parse(copy, len, CSTP_MAX_PAYLOAD, &f),
						 -EBADMSG);
			free(copy);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_table), cmocka_unit_test(test_back_to_back),
		cmocka_unit_test(test_roundtrip),   cmocka_unit_test(test_header_bytes),
		cmocka_unit_test(test_names),	    cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
