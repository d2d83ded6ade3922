// SPDX-License-Identifier: GPL-2.0-or-later
/* tunnel/user_agent.c — User-Agent → client class, the prefix table of anyconnect-protocol.md
 * §2.2 (order matters: "AnyConnect-compatible OpenConnect" before "AnyConnect"). */
#include "tunnel/user_agent.h"

#include <string.h>
#include <strings.h>

#include "core/compiler.h"

static const struct {
	const char *prefix;
	enum ua_class cls;
} ua_table[] = {
	{"Cisco AnyConnect VPN Agent for Apple", UA_ANYCONNECT_IOS},
	{"OpenConnect VPN Agent", UA_OPENCONNECT},
	{"Cisco AnyConnect", UA_ANYCONNECT},
	{"AnyConnect-compatible OpenConnect", UA_OPENCONNECT},
	{"AnyConnect", UA_ANYCONNECT},
	{"Clavister OneConnect VPN", UA_ONECONNECT},
	{"AnyLink Secure Client", UA_ANYLINK},
	{"Cisco SVC IPPhone Client", UA_CISCO_IPPHONE},
};

static const char *const ua_names[UA__COUNT] = {
	[UA_UNKNOWN] = "unknown",
	[UA_OPENCONNECT] = "openconnect",
	[UA_OPENCONNECT_V3] = "openconnect-v3",
	[UA_ANYCONNECT] = "anyconnect",
	[UA_ANYCONNECT_IOS] = "anyconnect-ios",
	[UA_ONECONNECT] = "oneconnect",
	[UA_ANYLINK] = "anylink",
	[UA_CISCO_IPPHONE] = "cisco-ipphone",
};

static bool iprefix(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* "Open AnyConnect VPN Agent v<N>…": N <= 3 speaks the old XML dialect. */
static enum ua_class ua_open_anyconnect(const char *version)
{
	unsigned major = 0;
	size_t digits = 0;

	while (*version == ' ')
		version++;
	if (*version == 'v' || *version == 'V')
		version++;
	for (; *version >= '0' && *version <= '9' && digits < 4; version++, digits++)
		major = major * 10 + (unsigned)(*version - '0');
	return digits && major <= 3 ? UA_OPENCONNECT_V3 : UA_OPENCONNECT;
}

enum ua_class ua_classify(const char *ua)
{
	static const char open_ac[] = "Open AnyConnect VPN Agent";

	if (!ua)
		return UA_UNKNOWN;
	if (iprefix(ua, open_ac))
		return ua_open_anyconnect(ua + sizeof(open_ac) - 1);
	for (size_t i = 0; i < ARRAY_SIZE(ua_table); i++) {
		if (iprefix(ua, ua_table[i].prefix))
			return ua_table[i].cls;
	}
	return UA_UNKNOWN;
}

bool ua_is_anyconnect(enum ua_class c)
{
	return c == UA_ANYCONNECT || c == UA_ANYCONNECT_IOS;
}

const char *ua_class_name(enum ua_class c)
{
	if ((unsigned)c >= UA__COUNT)
		return "unknown";
	return ua_names[c];
}
