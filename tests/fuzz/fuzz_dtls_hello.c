// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer harness for tunnel/dtls_hello.c: any datagram classifies cleanly, and what it claims
 * is consistent with the input. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "tunnel/dtls_hello.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dtls_hello h;
	int ret = dtls_hello_parse(data, size, &h);

	if (ret != 0 && (ret != -EBADMSG || h.kind != DTLS_DGRAM_GARBAGE))
		__builtin_trap();
	if (ret == 0 && h.kind == DTLS_DGRAM_GARBAGE)
		__builtin_trap();
	if (h.session_id_len > DTLS_HELLO_SESSION_ID_MAX)
		__builtin_trap();
	/* A ClientHello's session_id was read from the input, after the fixed 60-byte prefix. */
	if (h.kind == DTLS_DGRAM_CLIENT_HELLO && size < 60u + h.session_id_len)
		__builtin_trap();
	return 0;
}
