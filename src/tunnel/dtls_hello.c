// SPDX-License-Identifier: GPL-2.0-or-later
/* tunnel/dtls_hello.c — the UDP payload classifier of dtls_hello.h. Offsets per
 * reference/anyconnect-protocol.md §5.2; DTLS 1.3 unified headers count as garbage (§5.9). */
#include "tunnel/dtls_hello.h"

#include <errno.h>
#include <string.h>

#include "core/rd.h"

enum {
	CT_CHANGE_CIPHER_SPEC = 20,
	CT_ALERT = 21,
	CT_HANDSHAKE = 22,
	CT_APPLICATION_DATA = 23,
	HS_CLIENT_HELLO = 1,
	RANDOM_LEN = 32,
	/* Largest DTLSCiphertext.length: 2^14 + 2048 (RFC 6347 §4.1 / RFC 5246 §6.2.3). */
	RECORD_PAYLOAD_MAX = 16384 + 2048,
};

static bool dtls_version_known(uint16_t v)
{
	return v == DTLS_WIRE_1_0 || v == DTLS_WIRE_1_2 || v == DTLS_WIRE_0_9;
}

static bool all_zero(const uint8_t *p, size_t len)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < len; i++)
		acc |= p[i];
	return acc == 0;
}

/* The ClientHello body inside one handshake fragment: client_version, random, session_id. */
static int dtls_hello_body(struct rd *frag, struct dtls_hello *out)
{
	const uint8_t *random, *sid;
	uint8_t sid_len;

	if (!rd_u16(frag, &out->client_version) || !dtls_version_known(out->client_version))
		return -EBADMSG;
	if (!rd_bytes(frag, RANDOM_LEN, &random) || all_zero(random, RANDOM_LEN))
		return -EBADMSG;
	if (!rd_u8(frag, &sid_len) || sid_len > DTLS_HELLO_SESSION_ID_MAX)
		return -EBADMSG;
	if (!rd_bytes(frag, sid_len, &sid))
		return -EBADMSG; /* the session_id must lie inside the first fragment */
	memcpy(out->session_id, sid, sid_len);
	out->session_id_len = sid_len;
	return 0;
}

/* rec: the record's payload. Returns 1 if it is a ClientHello (filled in), 0 if it is some
 * other handshake message, -EBADMSG if it claims to be a ClientHello but is unusable. */
static int dtls_hello_handshake(struct rd rec, struct dtls_hello *out)
{
	uint32_t msg_len, frag_off, frag_len;
	uint16_t msg_seq;
	uint8_t type;
	const uint8_t *body;
	struct rd frag;

	if (!rd_u8(&rec, &type) || type != HS_CLIENT_HELLO)
		return 0;
	if (!rd_u24(&rec, &msg_len) || !rd_u16(&rec, &msg_seq) || !rd_u24(&rec, &frag_off) ||
	    !rd_u24(&rec, &frag_len))
		return -EBADMSG;
	(void)msg_seq; /* 0 first, 1 after a HelloVerifyRequest: both are fine */
	if (frag_off != 0 || frag_len > msg_len || !rd_bytes(&rec, frag_len, &body))
		return -EBADMSG;
	frag = rd_make(body, frag_len);
	if (dtls_hello_body(&frag, out) < 0)
		return -EBADMSG;
	return 1;
}

int dtls_hello_parse(const uint8_t *d, size_t len, struct dtls_hello *out)
{
	struct rd r = rd_make(d, len);
	uint16_t version, epoch, rec_len;
	uint8_t type;
	const uint8_t *payload;
	int ret;

	memset(out, 0, sizeof(*out));
	out->kind = DTLS_DGRAM_GARBAGE;
	if (!rd_u8(&r, &type) || !rd_u16(&r, &version) || !rd_u16(&r, &epoch) || !rd_skip(&r, 6) ||
	    !rd_u16(&r, &rec_len))
		return -EBADMSG;
	if (type < CT_CHANGE_CIPHER_SPEC || type > CT_APPLICATION_DATA ||
	    !dtls_version_known(version))
		return -EBADMSG;
	if (rec_len > RECORD_PAYLOAD_MAX || !rd_bytes(&r, rec_len, &payload))
		return -EBADMSG; /* a record never spans datagrams */
	out->version = version;
	if (type == CT_HANDSHAKE && epoch == 0) {
		ret = dtls_hello_handshake(rd_make(payload, rec_len), out);
		if (ret < 0) {
			memset(out, 0, sizeof(*out));
			out->kind = DTLS_DGRAM_GARBAGE;
			return -EBADMSG;
		}
		if (ret == 1) {
			out->kind = DTLS_DGRAM_CLIENT_HELLO;
			out->servable =
				version != DTLS_WIRE_0_9 && out->client_version != DTLS_WIRE_0_9;
			return 0;
		}
	}
	out->kind = DTLS_DGRAM_RECORD;
	return 0;
}

bool dtls_hello_limit_take(struct dtls_hello_limit *l, uint64_t now_ns)
{
	if (!l->count || now_ns - l->window_ns >= (uint64_t)DTLS_HELLO_WINDOW_MS * 1000000u) {
		l->window_ns = now_ns;
		l->count = 0;
	}
	if (l->count >= DTLS_HELLO_PER_WINDOW)
		return false;
	l->count++;
	return true;
}
