// SPDX-License-Identifier: GPL-2.0-or-later
/* tunnel/cstp.c — CSTP framing (anyconnect-protocol.md §4.1–4.2): frame header parse and build.
 * Pure: fuzzed as is (tests/fuzz/fuzz_cstp_frame.c). */
#include "tunnel/cstp.h"

#include <errno.h>
#include <string.h>

#include "core/compiler.h"

static const uint8_t cstp_magic[4] = {'S', 'T', 'F', 0x01};

bool cstp_type_is_known(uint8_t type)
{
	switch (type) {
	case CSTP_DATA:
	case CSTP_DPD_REQ:
	case CSTP_DPD_RESP:
	case CSTP_DISCONNECT:
	case CSTP_KEEPALIVE:
	case CSTP_COMPRESSED:
	case CSTP_TERMINATE:
		return true;
	default:
		return false;
	}
}

ssize_t cstp_frame_parse(const uint8_t *data, size_t len, size_t max_payload, struct cstp_frame *f)
{
	size_t plen;

	if (len < CSTP_HDR_LEN)
		return -EAGAIN;
	if (memcmp(data, cstp_magic, sizeof(cstp_magic)) != 0 || data[7] != 0)
		return -EBADMSG;
	plen = (size_t)data[4] << 8 | data[5];
	if (plen > max_payload)
		return -EBADMSG; /* a length that lies or exceeds our buffer: never buffer it */
	if (len - CSTP_HDR_LEN < plen)
		return -EAGAIN;
	f->type = (enum cstp_type)data[6];
	f->payload = data + CSTP_HDR_LEN; /* borrowed from data */
	f->len = plen;
	return (ssize_t)(CSTP_HDR_LEN + plen);
}

void cstp_header_write(uint8_t hdr[CSTP_HDR_LEN], enum cstp_type type, size_t payload_len)
{
	/* A truncated length would desynchronise the peer's stream. */
	BUG_ON(payload_len > UINT16_MAX);
	memcpy(hdr, cstp_magic, sizeof(cstp_magic));
	hdr[4] = (uint8_t)(payload_len >> 8);
	hdr[5] = (uint8_t)payload_len;
	hdr[6] = type;
	hdr[7] = 0;
}

const char *cstp_type_name(uint8_t type)
{
	switch (type) {
	case CSTP_DATA:
		return "data";
	case CSTP_DPD_REQ:
		return "dpd-req";
	case CSTP_DPD_RESP:
		return "dpd-resp";
	case CSTP_DISCONNECT:
		return "disconnect";
	case CSTP_KEEPALIVE:
		return "keepalive";
	case CSTP_COMPRESSED:
		return "compressed";
	case CSTP_TERMINATE:
		return "terminate";
	default:
		return "unknown";
	}
}
