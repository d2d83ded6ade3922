// SPDX-License-Identifier: GPL-2.0-or-later
/* tunnel/user_agent.h — User-Agent classification (anyconnect-protocol.md §2.2). Only for cosmetic
 * protocol differences (DNS-IP6 header, iOS routes, v3 XML wrapper), never for security. */
#pragma once

#include <stdint.h>

enum ua_class : uint8_t {
	UA_UNKNOWN = 0,
	UA_OPENCONNECT,	   /* openconnect >= v4 (also "AnyConnect-compatible OpenConnect") */
	UA_OPENCONNECT_V3, /* "Open AnyConnect VPN Agent v3" and older: bare <auth> XML */
	UA_ANYCONNECT,	   /* Cisco AnyConnect / Secure Client */
	UA_ANYCONNECT_IOS, /* "Cisco AnyConnect VPN Agent for Apple…" */
	UA_ONECONNECT,	   /* Clavister OneConnect */
	UA_ANYLINK,	   /* AnyLink Secure Client */
	UA_CISCO_IPPHONE,  /* Cisco SVC IPPhone Client (/svc) */
	UA__COUNT,
};

/* Case-insensitive prefix match, first match wins; nullptr or "" is UA_UNKNOWN. */
enum ua_class ua_classify(const char *ua);

/* True for the Cisco clients (UA_ANYCONNECT, UA_ANYCONNECT_IOS). */
bool ua_is_anyconnect(enum ua_class c);

/* "openconnect", "anyconnect-ios", …; "unknown" for anything out of range. */
const char *ua_class_name(enum ua_class c);
