// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/fuzz_ctl_request.c — one control request line through the parser and, when it
 * parses, the dispatcher against fake ops; the response must serialize. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "ctl/ctl_priv.h"
#include "../unit/ctl/fake_ops.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_request req;
	struct fake f = {};
	bool sub;
	cJSON *resp;
	char *txt;

	if (ctl_request_parse((const char *)data, size, &req) != 0)
		return 0;
	if (req.cmd >= CTL_C__COUNT || strlen(req.arg) > CTL_MAX_ARG)
		__builtin_trap();
	resp = ctl_dispatch(&fake_ops, &f, &req, &sub);
	if (!resp)
		return 0;
	txt = cJSON_PrintUnformatted(resp);
	free(txt);
	cJSON_Delete(resp);
	return 0;
}
