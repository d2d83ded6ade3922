// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz harness for sha256crypt(): input = setting NUL password. Whatever setting it accepts must
 * hash exactly as libcrypt's crypt_rn does; what it refuses is left to libcrypt (no check). */
#include <crypt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/sha256crypt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sha256crypt_setting st;
	struct crypt_data *cd;
	char out[SHA256CRYPT_MAX];
	char *buf;
	const char *setting, *password, *want;

	if (size > 512)
		return 0;
	buf = malloc(size + 2);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = '\0';
	setting = buf;
	password = buf + strlen(buf) + 1; /* "" when there is no NUL in the input */
	if (sha256crypt_setting_parse(setting, &st) == 0 && st.rounds > 2000)
		goto out; /* valid, but too slow to fuzz: the unit tests cover the rounds */
	if (sha256crypt(password, setting, out) != 0)
		goto out;
	cd = calloc(1, sizeof(*cd));
	if (!cd)
		goto out;
	want = crypt_rn(password, setting, cd, sizeof(*cd));
	if (!want || strcmp(want, out) != 0)
		__builtin_trap(); /* accepted a setting libcrypt hashes otherwise (or refuses) */
	free(cd);
out:
	free(buf);
	return 0;
}
