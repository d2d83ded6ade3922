// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz target for the auth body parsers: xml_auth_parse and form_auth_parse on the same bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct xml_auth_msg *m)
{
	if (strnlen(m->username, sizeof(m->username)) == sizeof(m->username) ||
	    strnlen(m->password, sizeof(m->password)) == sizeof(m->password) ||
	    strnlen(m->group_select, sizeof(m->group_select)) == sizeof(m->group_select) ||
	    strnlen(m->session_token, sizeof(m->session_token)) == sizeof(m->session_token) ||
	    m->type > XML_AUTH_LOGOUT)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xml_auth_msg m;

	(void)!xml_auth_parse(data, size, &m);
	check(&m);
	xml_auth_msg_wipe(&m);
	(void)!form_auth_parse(data, size, &m);
	check(&m);
	xml_auth_msg_wipe(&m);
	return 0;
}
