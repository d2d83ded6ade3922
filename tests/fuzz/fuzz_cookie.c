// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz target for cookie_decode (a decoded cookie must re-encode to the same text) and for
 * http_cookie_get on the input taken as a Cookie header. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char enc[COOKIE_B64_LEN + 1];
	char value[COOKIE_B64_LEN + 1];
	struct cookie c;
	char *hdr;

	if (cookie_decode((const char *)data, size, &c) == 0) {
		cookie_encode(&c, enc);
		if (size != COOKIE_B64_LEN || memcmp(enc, data, size) != 0)
			__builtin_trap();
	}
	hdr = malloc(size + 1);
	if (!hdr)
		return 0;
	memcpy(hdr, data, size);
	hdr[size] = '\0';
	if (http_cookie_get(hdr, "webvpn", value, sizeof(value)) == 0) {
		if (strlen(value) > COOKIE_B64_LEN)
			__builtin_trap();
		if (cookie_decode(value, strlen(value), &c) == 0) {
			cookie_encode(&c, enc);
			if (strcmp(enc, value) != 0)
				__builtin_trap();
		}
	}
	free(hdr);
	return 0;
}
