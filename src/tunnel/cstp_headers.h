// SPDX-License-Identifier: GPL-2.0-or-later
/* tunnel/cstp_headers.h — the X-CSTP-* side of CONNECT /CSCOSSLC/tunnel (anyconnect-protocol.md
 * §3): parse the client's request headers into a struct, render the "200 CONNECTED" head.
 * Pure: no I/O and no globals; the http module is not needed (headers come as name/value pairs). */
#pragma once

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "core/buf.h"

/* One request header, both strings NUL-terminated and borrowed for the call. */
struct cstp_hdr_kv {
	const char *name, *value;
};

enum {
	CSTP_HOSTNAME_MAX = 63,
	CSTP_CIPHERS_MAX = 255,
	CSTP_MASTER_SECRET_LEN = 48,
};

struct cstp_request {
	unsigned base_mtu, mtu; /* X-CSTP-Base-MTU / X-CSTP-MTU, 1..65535; 0 = absent/invalid */
	bool want_v4, want_v6;	/* X-CSTP-Address-Type (absent or nothing recognised → both) */
	bool full_ipv6;		/* X-CSTP-Full-IPv6-Capability: true */
	/* X-CSTP-Hostname up to the first '.', letters/digits/'-' (not leading or trailing),
	 * 1..63 chars; "" when absent or invalid. Safe for scripts. */
	char hostname[CSTP_HOSTNAME_MAX + 1];
	/* X-AnyConnect-Identifier-Platform/-DeviceType android* or apple-ios*, X-CSTP-License:
	 * mobile */
	bool mobile;
	/* DTLS offer, for the DTLS reply (next issue). Printable, no spaces; an over-long list is
	 * cut after the last whole ':'-separated name that fits; "" when absent or invalid. */
	char dtls_ciphersuite[CSTP_CIPHERS_MAX + 1], dtls12_ciphersuite[CSTP_CIPHERS_MAX + 1];
	/* X-DTLS-Master-Secret, exactly 96 hex digits. A secret: never log; the owner wipes it
	 * with explicit_bzero() when done. */
	bool has_master_secret;
	uint8_t master_secret[CSTP_MASTER_SECRET_LEN];
};

/* Fill *out from the n request headers h (names compared case-insensitively; for a repeated
 * header the last one wins; unknown headers and NULL entries are skipped). Never fails: a bad
 * value leaves its field at the "absent" default. */
void cstp_request_parse(const struct cstp_hdr_kv *h, size_t n, struct cstp_request *out);

/* The DTLS half of the reply (§3.3, §5.3, §5.4); absent = a TLS-only tunnel. */
enum cstp_dtls_mode : uint8_t { CSTP_DTLS_NONE, CSTP_DTLS_PSK, CSTP_DTLS_LEGACY };
struct cstp_dtls_reply {
	enum cstp_dtls_mode mode;
	uint8_t id[32];		   /* X-DTLS-App-ID (PSK) / X-DTLS-Session-ID (legacy) */
	const char *cipher_header; /* legacy: "X-DTLS12-CipherSuite" or "X-DTLS-CipherSuite" */
	const char *cipher_name;   /* legacy: a name the client offered */
	uint16_t port;
	unsigned dtls_mtu; /* legacy: X-DTLS-MTU */
};

struct cstp_reply {
	const struct config *cfg; /* borrowed: dns, split-dns, default-domain, routes, no-routes,
				     route_default, tunnel_all_dns, keepalive, dpd/mobile-dpd,
				     idle/mobile-idle, rekey, banner */
	bool has_v4;
	struct in_addr v4, v4_netmask;
	bool has_v6;
	struct in6_addr v6;
	unsigned v6_prefix;
	/* borrowed; nullptr = no wishes (both families, legacy IPv6 form) */
	const struct cstp_request *req;
	bool anyconnect_ua;	     /* IPv6 DNS via X-CSTP-DNS-IP6 */
	unsigned base_mtu, data_mtu; /* from mtu_compute(); data_mtu must be non-zero */
	unsigned session_timeout_s, session_remaining_s; /* 0 = none */
	const struct cstp_dtls_reply *dtls; /* nullptr or mode NONE: no X-DTLS-* headers */
	/* rekey-method = ssl on a TLS 1.3 connection: the server rekeys in place with KeyUpdates
	 * (conn.c), so "ssl" is announced with a one-year Rekey-Time, as ocserv >= 1.5.1 does;
	 * otherwise "new-tunnel" at rekey-time (§6.6). */
	bool rekey_in_place;
};

/* Append "HTTP/1.1 200 CONNECTED", the X-CSTP-* headers and the blank line to out. Addresses,
 * netmasks and routes are printed only from the lease/config, so the same lease gives
 * byte-identical strings every time (openconnect aborts a reconnect otherwise, §3.4).
 * Returns 0; -EINVAL when no address would be sent, data_mtu is 0, a prefix is out of range, a
 * DNS entry is not an address literal, or any string from config/client holds a control
 * character (CR/LF injection); -E2BIG/-ENOMEM from out. On error out is as it was. */
[[nodiscard]] int cstp_reply_render(struct buf *out, const struct cstp_reply *r);
