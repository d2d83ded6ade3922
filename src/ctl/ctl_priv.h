// SPDX-License-Identifier: GPL-2.0-or-later
/* ctl/ctl_priv.h — internal to ctl and its tests: the pure request parser, the command
 * dispatcher (request → JSON response) and the metrics text renderer. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/buf.h"
#include "ctl/ctl.h"
#include "ctl/ctl_proto.h"

enum ctl_cmd : uint8_t {
	CTL_C_STATUS,
	CTL_C_SHOW_USERS,
	CTL_C_SHOW_USER,
	CTL_C_SHOW_ID,
	CTL_C_SHOW_SESSIONS,
	CTL_C_SHOW_SESSION,
	CTL_C_SHOW_IROUTES,
	CTL_C_SHOW_BANS,
	CTL_C_SHOW_BAN_POINTS,
	CTL_C_SHOW_EVENTS,
	CTL_C_DISCONNECT_USER,
	CTL_C_DISCONNECT_ID,
	CTL_C_TERMINATE_USER,
	CTL_C_TERMINATE_ID,
	CTL_C_TERMINATE_SESSION,
	CTL_C_BAN_IP,
	CTL_C_UNBAN_IP,
	CTL_C_RELOAD,
	CTL_C_STOP,
	CTL_C__COUNT,
};

struct ctl_request {
	enum ctl_cmd cmd;
	bool has_arg;
	char arg[CTL_MAX_ARG + 1];
	uint32_t seconds; /* "seconds", 0 when absent */
};

/* Parse one request line (without its newline). Pure. 0; -E2BIG (line or arg over limits);
 * -EBADMSG (not a JSON object, wrong types, trailing bytes, NUL inside); -ENOENT (unknown
 * command); -EINVAL (command needs an argument it did not get). */
[[nodiscard]] int ctl_request_parse(const char *line, size_t len, struct ctl_request *req);

/* Run req against ops and build the response object ({"ok":…}). NULL only on ENOMEM.
 * *subscribe is set for "show events" answered successfully. Loop thread. */
cJSON *ctl_dispatch(const struct ctl_ops *ops, void *ctx, const struct ctl_request *req,
		    bool *subscribe);

/* {"ok":false,"error":msg}; NULL on ENOMEM. */
cJSON *ctl_response_error(const char *msg);

/* JSON object for one user (the "user" shape of ctl_proto.h); NULL on ENOMEM. */
cJSON *ctl_user_json(const struct ctl_user *u);

/* Append the Prometheus text exposition of s to out; -E2BIG/-ENOMEM from buf. */
[[nodiscard]] int metrics_render(const struct metrics_snapshot *s, struct buf *out);
