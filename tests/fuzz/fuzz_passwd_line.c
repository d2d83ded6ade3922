// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz harness for auth_plain_line_parse(): one password-file line, as getline gives it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct auth_plain_line pl;
	char *line;

	if (size > 4096)
		return 0;
	line = malloc(size + 1);
	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	if (auth_plain_line_parse(line, size, &pl) == 0) {
		size_t ulen = strlen(pl.user), glen = strlen(pl.group), hlen = strlen(pl.hash);

		if (pl.user != line || pl.group != pl.user + ulen + 1 ||
		    pl.hash != pl.group + glen + 1 || pl.hash + hlen > line + size)
			__builtin_trap(); /* pointed outside the fields it was given */
		if (ulen == 0 || ulen >= AUTH_NAME_MAX || glen >= AUTH_GROUP_MAX || hlen == 0 ||
		    hlen >= AUTH_HASH_MAX || strchr(pl.hash, ':'))
			__builtin_trap(); /* accepted a field past its limit */
	}
	free(line);
	return 0;
}
