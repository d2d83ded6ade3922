// SPDX-License-Identifier: GPL-2.0-or-later
/* auth/sha256crypt.h — crypt(3)'s "$5$" (SHA-crypt, Drepper) on our own SHA-256, for the strict
 * form of the setting only; anything else is left to libcrypt. Internal to auth/ and its tests. */
#pragma once

#include <stddef.h>
#include <stdint.h>

enum {
	SHA256CRYPT_ROUNDS_DEFAULT = 5000,
	SHA256CRYPT_ROUNDS_MIN = 1000,
	SHA256CRYPT_ROUNDS_MAX = 999999999,
	SHA256CRYPT_SALT_MAX = 16,
	SHA256CRYPT_HASH_CHARS = 43, /* 32 bytes in crypt's base64 */
	/* "$5$" "rounds=999999999$" salt "$" hash NUL */
	SHA256CRYPT_MAX = 3 + 17 + SHA256CRYPT_SALT_MAX + 1 + SHA256CRYPT_HASH_CHARS + 1,
};

/* Writes to out what crypt(3) returns for password and a "$5$" setting, NUL-terminated. Accepts
 * only "$5$" ["rounds=" N "$"] salt ['$' anything], N decimal without leading zero in
 * SHA256CRYPT_ROUNDS_MIN..MAX, salt 1..16 characters of "./0-9A-Za-z", and no byte anywhere
 * outside 0x21..0x7e or among :;*!\ (libxcrypt refuses those): the whole stored hash may be passed
 * as the setting. "rounds=N$" is in out iff it is in setting.
 * Returns 0, or -EINVAL (out untouched) for any other setting: fall back to libcrypt.
 * The password is any C string; the cost grows with the square of its length (DP hashes it
 * strlen(password) times), so callers bound it. Thread-safe; wipes every intermediate. */
[[nodiscard]] int sha256crypt(const char *password, const char *setting, char out[SHA256CRYPT_MAX]);

/* The parsed setting; exposed for the unit tests (limits that cost too much to hash). */
struct sha256crypt_setting {
	const char *salt; /* borrowed from the setting, salt_len bytes, not NUL-terminated */
	size_t salt_len;
	uint32_t rounds;
	bool rounds_given;
};

/* Fills *st from the strict form described at sha256crypt: 0 or -EINVAL. Pure. */
[[nodiscard]] int sha256crypt_setting_parse(const char *setting, struct sha256crypt_setting *st);
