// SPDX-License-Identifier: GPL-2.0-or-later
/* auth/auth_plain.c — the "plain" method: ocpasswd file lookup and crypt(3) verification.
 * Blocking; runs on auth pool threads. Queuing and delivery belong to auth_pool.c. */
#include "auth/auth.h"

#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/sha256.h"
#include "auth/sha256crypt.h"
#include "core/compiler.h"
#include "core/log.h"

enum { AUTH_LINE_MAX = AUTH_NAME_MAX + AUTH_GROUP_MAX + AUTH_HASH_MAX };

/* Verified against when the user is unknown or locked, so that such attempts cost about as much
 * as a real one ($5$, ocpasswd's default). Nobody knows a password that matches it, and its result
 * is never used. */
static const char auth_dummy_hash[] =
	"$5$ocmDummySaltXyz$53y/OaODJbCbXrbjV1q9Fnmk7TV49bGM4xhprEw30QB";

static_assert(AUTH_HASH_MAX == CRYPT_OUTPUT_SIZE);

static bool auth_char_is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

int auth_plain_line_parse(char *line, size_t len, struct auth_plain_line *out)
{
	char *c1, *c2;
	size_t ulen, glen, hlen;

	*out = (struct auth_plain_line){};
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	line[len] = '\0';
	if (strlen(line) != len)
		return -EINVAL; /* embedded NUL */
	c1 = memchr(line, ':', len);
	if (!c1)
		return -EINVAL;
	c2 = memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line));
	if (!c2)
		return -EINVAL;
	ulen = (size_t)(c1 - line);
	glen = (size_t)(c2 - c1 - 1);
	hlen = len - (size_t)(c2 + 1 - line);
	if (ulen == 0 || ulen >= AUTH_NAME_MAX || glen >= AUTH_GROUP_MAX || hlen == 0 ||
	    hlen >= AUTH_HASH_MAX)
		return -EINVAL;
	if (memchr(c2 + 1, ':', hlen))
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (auth_char_is_ctl((unsigned char)line[i]))
			return -EINVAL;
	}
	*c1 = '\0';
	*c2 = '\0';
	out->user = line;
	out->group = c1 + 1;
	out->hash = c2 + 1;
	return 0;
}

/* Finds user in the file: on 0, *found says whether it was there, and hash/group are filled. */
static int auth_plain_lookup(const char *path, const char *user, bool *found,
			     char hash[AUTH_HASH_MAX], char group[AUTH_GROUP_MAX])
{
	char *line = nullptr;
	size_t cap = 0;
	ssize_t n;
	unsigned lineno = 0;
	FILE *f;
	int ret = 0;

	*found = false;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	for (;;) {
		struct auth_plain_line pl;

		errno = 0;
		n = getline(&line, &cap, f);
		if (n < 0) {
			/* end of file leaves errno 0; a read error or ENOMEM sets it */
			ret = errno ? -errno : 0;
			break;
		}
		lineno++;
		if ((size_t)n > AUTH_LINE_MAX) {
			log_msg(LOG_DEBUG, "auth: %s:%u: line too long, skipped", path, lineno);
			continue;
		}
		if (auth_plain_line_parse(line, (size_t)n, &pl) != 0) {
			log_msg(LOG_DEBUG, "auth: %s:%u: malformed line, skipped", path, lineno);
			continue;
		}
		if (strcmp(pl.user, user) != 0)
			continue;
		/* Lengths were bounded by the parser. */
		memcpy(hash, pl.hash, strlen(pl.hash) + 1);
		memcpy(group, pl.group, strlen(pl.group) + 1);
		*found = true;
		break;
	}
	if (line) {
		explicit_bzero(line, cap);
		free(line);
	}
	fclose(f);
	return ret;
}

/* crypt_rn(password, hash) == hash, compared in constant time over the hash length. Returns 1 on a
 * match, 0 on a mismatch, -EINVAL if libcrypt cannot use the hash, -ENOMEM. */
static int auth_hash_check_libcrypt(const char *password, const char *hash)
{
	struct crypt_data *cd;
	const char *res;
	size_t hlen = strlen(hash);
	int ret;

	cd = calloc(1, sizeof(*cd));
	if (!cd)
		return -ENOMEM;
	res = crypt_rn(password, hash, cd, sizeof(*cd));
	if (!res || res[0] == '*')
		ret = -EINVAL; /* null, or libcrypt's failure token */
	else
		ret = strlen(res) == hlen && ct_memeq(res, hash, hlen);
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ret;
}

/* crypt(password, hash) == hash: our SHA-NI sha256crypt for the strict "$5$" form (ocpasswd's
 * default and the dummy hash, so known and unknown users cost the same), libcrypt for the rest.
 * Returns as auth_hash_check_libcrypt. */
static int auth_hash_check(const char *password, const char *hash)
{
	char res[SHA256CRYPT_MAX];
	size_t hlen;
	int ret;

	/* Without SHA-NI our portable SHA-256 is no faster than libcrypt's (1.9 vs 1.6 ms). */
	if (!sha256_cpu_has_shani() || sha256crypt(password, hash, res) != 0)
		return auth_hash_check_libcrypt(password, hash); /* -EINVAL: not the strict form */
	hlen = strlen(hash);
	ret = strlen(res) == hlen && ct_memeq(res, hash, hlen);
	explicit_bzero(res, sizeof(res));
	return ret;
}

int auth_plain_verify(const char *passwd_path, const char *user, const char *password,
		      enum auth_verdict *verdict, char group[AUTH_GROUP_MAX])
{
	char hash[AUTH_HASH_MAX] = "";
	char file_group[AUTH_GROUP_MAX] = "";
	bool found = false;
	int ret, check;

	*verdict = AUTH_ERROR;
	group[0] = '\0';
	if (!auth_username_is_valid(user)) {
		*verdict = AUTH_DENIED;
		ret = 0;
		goto out;
	}
	ret = auth_plain_lookup(passwd_path, user, &found, hash, file_group);
	if (ret) {
		log_msg(LOG_ERR, "auth: cannot read password file %s: %s", passwd_path,
			strerror(-ret));
		goto out;
	}
	if (!found || hash[0] == '!') {
		/* unknown or locked: same cost, result unused */
		check = auth_hash_check(password, auth_dummy_hash);
		*verdict = check == -ENOMEM ? AUTH_ERROR : AUTH_DENIED;
		goto out;
	}
	check = auth_hash_check(password, hash);
	if (check == -EINVAL)
		log_msg(LOG_ERR, "auth: %s: user '%s' has a hash libcrypt cannot verify",
			passwd_path, user);
	*verdict = check == 1 ? AUTH_OK : check == -ENOMEM ? AUTH_ERROR : AUTH_DENIED;
	if (check == 1 && strcmp(file_group, "*") != 0)
		memcpy(group, file_group, strlen(file_group) + 1);
out:
	explicit_bzero(hash, sizeof(hash));
	return ret;
}
