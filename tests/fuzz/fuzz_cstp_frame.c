// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz target: cstp_frame_parse() over a byte stream. Frames must never claim bytes they were
 * not given; -EAGAIN and -EBADMSG are both correct outcomes. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "tunnel/cstp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *end = data + size;
	struct cstp_frame f;
	ssize_t n;

	while ((n = cstp_frame_parse(data, size, CSTP_MAX_PAYLOAD, &f)) > 0) {
		if ((size_t)n > size || (size_t)n != CSTP_HDR_LEN + f.len ||
		    f.payload + f.len > end)
			__builtin_trap(); /* claimed bytes it was not given */
		(void)cstp_type_name(f.type);
		data += n;
		size -= (size_t)n;
	}
	if (n != -EAGAIN && n != -EBADMSG)
		__builtin_trap();
	return 0;
}
