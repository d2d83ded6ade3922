// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz harness for tls/priority.c: arbitrary bytes as a tls-priorities string. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tls/priority.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tls_priority p;
	char err[128];
	char *s;

	if (size > TLS_PRIO_MAX_INPUT + 16)
		return 0;
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (tls_priority_parse(s, &p, err, sizeof(err)) == 0) {
		if (p.min_version > p.max_version || p.cipher_list[0] == '\0' ||
		    strnlen(p.cipher_list, sizeof(p.cipher_list)) == sizeof(p.cipher_list))
			__builtin_trap();
	} else if (strnlen(err, sizeof(err)) == sizeof(err)) {
		__builtin_trap();
	}
	free(s);
	return 0;
}
