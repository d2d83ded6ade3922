// SPDX-License-Identifier: GPL-2.0-or-later
/* tls/priority.h — internal to tls/: a GnuTLS priority string (ocserv's tls-priorities) mapped to
 * wolfSSL protocol bounds and an OpenSSL-style cipher list. Pure: no I/O, no wolfSSL. */
#pragma once

#include <stddef.h>

/* ocserv's default tls-priorities. */
#define TLS_PRIORITY_DEFAULT                                                                       \
	"NORMAL:%SERVER_PRECEDENCE:%COMPAT:-VERS-SSL3.0:-VERS-TLS1.0:-VERS-TLS1.1"

enum {
	TLS_PRIO_TLS1_2 = 0x0303, /* wire values, equal to OpenSSL's TLS1_2_VERSION … */
	TLS_PRIO_TLS1_3 = 0x0304,
	TLS_PRIO_MAX_INPUT = 4096, /* longest priority string accepted */
	TLS_PRIO_CIPHER_LIST_MAX = 1024,
};

struct tls_priority {
	int min_version;			    /* TLS_PRIO_TLS1_2 or TLS_PRIO_TLS1_3 */
	int max_version;			    /* >= min_version */
	char cipher_list[TLS_PRIO_CIPHER_LIST_MAX]; /* wolfSSL names, ':'-separated, preferred first
						     */
	bool server_precedence;			    /* %SERVER_PRECEDENCE */
	bool no_tickets;			    /* %NO_TICKETS (also %NO_TICKETS_TLS12) */
};

/* Parse s (nullptr = TLS_PRIORITY_DEFAULT) into *out. Returns 0, or -EINVAL with a one-line reason
 * in err (always NUL-terminated when errlen > 0): unknown tokens, tokens we cannot honour without
 * weakening or changing security, and strings that leave no version or no cipher suite. */
[[nodiscard]] int tls_priority_parse(const char *s, struct tls_priority *out, char *err,
				     size_t errlen);
