// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz target: sentry_rules_parse() over arbitrary bytes. Success must give rules whose
 * routes match without reading out of bounds; failure must leave an error line and no rules. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "sentry/sentry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sentry_addr probe4 = {AF_INET, 32, {198, 18, 0, 1}};
	static const struct sentry_addr probe6 = {AF_INET6, 128, {0x20, 0x01, 0x0d, 0xb8}};
	struct sentry_rules *r = nullptr;
	char err[SENTRY_ERR_LEN];
	int ret;

	ret = sentry_rules_parse("fuzz", (const char *)data, size, &r, err);
	if (ret == 0) {
		if (!r || r->n_routes > SENTRY_MAX_ROUTES)
			__builtin_trap();
		(void)sentry_rules_match(r, &probe4, SENTRY_PROTO_TCP, 443);
		(void)sentry_rules_match(r, &probe6, SENTRY_PROTO_UDP, 443);
		sentry_rules_free(r);
		return 0;
	}
	if (r || (ret != -EINVAL && ret != -E2BIG && ret != -ENOMEM) || err[0] == '\0' ||
	    !memchr(err, '\0', sizeof(err)))
		__builtin_trap();
	return 0;
}
