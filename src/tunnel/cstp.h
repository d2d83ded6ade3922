// SPDX-License-Identifier: GPL-2.0-or-later
/* tunnel/cstp.h — CSTP frame header parse/build (anyconnect-protocol.md §4). Pure byte functions:
 * no I/O, no state; the connection code owns the buffers. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Wire packet types (§4.2); the same numbers are used on DTLS. */
enum cstp_type : uint8_t {
	CSTP_DATA = 0x00,
	CSTP_DPD_REQ = 0x03,
	CSTP_DPD_RESP = 0x04,
	CSTP_DISCONNECT = 0x05,
	CSTP_KEEPALIVE = 0x07,
	CSTP_COMPRESSED = 0x08,
	CSTP_TERMINATE = 0x09,
};

/* A frame plus its header fits one 16 KiB TLS record (§4.3). */
enum { CSTP_HDR_LEN = 8, CSTP_MAX_PAYLOAD = 16384 - CSTP_HDR_LEN };

struct cstp_frame {
	enum cstp_type type;	/* raw wire byte: may be a type cstp_type_is_known() rejects */
	const uint8_t *payload; /* borrowed from the parsed buffer, valid until it changes */
	size_t len;
};

/* True for the types listed in enum cstp_type. Unknown types are not a framing error: ocserv
 * logs and ignores them (§4.2), so the caller decides. */
bool cstp_type_is_known(uint8_t type);

/* Parse one frame at the start of a byte stream "STF" 0x01 | len (be16) | type | 0x00 | payload.
 * Returns the bytes consumed (> 0) and fills *f; -EAGAIN when the header or payload is not all
 * here yet; -EBADMSG on bad magic, byte 7 != 0, or a length > max_payload (decided from the
 * header alone, so an oversized frame is never buffered). *f is untouched unless > 0. */
[[nodiscard]] ssize_t cstp_frame_parse(const uint8_t *data, size_t len, size_t max_payload,
				       struct cstp_frame *f);

/* Write the 8-byte header for a payload of payload_len bytes. Callers keep payload_len <=
 * CSTP_MAX_PAYLOAD (one TLS record, §4.3); a length that does not fit 16 bits is a bug and aborts.
 */
void cstp_header_write(uint8_t hdr[CSTP_HDR_LEN], enum cstp_type type, size_t payload_len);

/* "data", "dpd-req", …; "unknown" for anything else. Never NULL. */
const char *cstp_type_name(uint8_t type);
