// SPDX-License-Identifier: GPL-2.0-or-later
/* tunnel/dtls_hello.h — classify a UDP payload arriving on the shared DTLS port: an initial
 * ClientHello (with its session_id, used to find the session, §5.2), another DTLS record, or
 * garbage. Pure: no I/O, no globals; fuzzed as fuzz_dtls_hello. */
#pragma once

#include <stddef.h>
#include <stdint.h>

enum dtls_dgram_kind : uint8_t {
	DTLS_DGRAM_GARBAGE,
	DTLS_DGRAM_CLIENT_HELLO,
	DTLS_DGRAM_RECORD, /* any other valid-looking DTLS record header */
};

enum {
	DTLS_HELLO_SESSION_ID_MAX = 32,
	DTLS_WIRE_1_0 = 0xFEFF, /* record/client versions on the wire */
	DTLS_WIRE_1_2 = 0xFEFD,
	DTLS_WIRE_0_9 = 0x0100, /* pre-RFC "DTLS 0.9" (Cisco's old DTLS): we cannot serve it */
	DTLS_RECORD_HDR_LEN = 13,
	DTLS_HANDSHAKE_HDR_LEN = 12,
};

struct dtls_hello {
	enum dtls_dgram_kind kind;
	uint16_t version;	 /* record version of the first record (DTLS_WIRE_*) */
	uint16_t client_version; /* ClientHello only: client_version field */
	bool servable;		 /* ClientHello only: false for DTLS 0.9 (record version 0x0100) */
	uint8_t session_id_len;	 /* ClientHello only: 0..32 */
	uint8_t session_id[DTLS_HELLO_SESSION_ID_MAX];
};

/* Classify the datagram d[0..len). Returns 0 with out->kind CLIENT_HELLO or RECORD, or -EBADMSG
 * with out->kind GARBAGE (not DTLS, truncated, a ClientHello that is fragmented before its
 * session_id ends, or one with an all-zero random — GnuTLS 3.6.3–3.6.13, refused as ocserv does).
 * Only the first record of the datagram is looked at. out is fully written in every case. */
[[nodiscard]] int dtls_hello_parse(const uint8_t *d, size_t len, struct dtls_hello *out);

/* Per-session ClientHello rate limit: each accepted ClientHello costs a socket, a wolfSSL object
 * and discards the pending handshake, so at most DTLS_HELLO_PER_WINDOW are taken per
 * DTLS_HELLO_WINDOW_MS. Zero-initialised = empty. */
enum { DTLS_HELLO_PER_WINDOW = 4, DTLS_HELLO_WINDOW_MS = 1000 };
struct dtls_hello_limit {
	uint64_t window_ns; /* start of the current window */
	unsigned count;	    /* ClientHellos taken in it */
};
/* True when a ClientHello arriving at now_ns (monotonic) may be served; counts it. */
[[nodiscard]] bool dtls_hello_limit_take(struct dtls_hello_limit *l, uint64_t now_ns);
