// SPDX-License-Identifier: GPL-2.0-or-later
/* core/log.h — the log API. Levels are syslog's (LOG_ERR … LOG_DEBUG). Any thread may
 * log; each call writes one whole line. Never log cookies, passwords or secrets. */
#pragma once

#include <syslog.h>

enum log_sink {
	LOG_SINK_STDERR, /* foreground: timestamped lines on stderr */
	LOG_SINK_SYSLOG, /* daemon: syslog(3), ident "ocserv-modern" */
};

/* Messages above max_level (a syslog priority) are dropped. Call before threads start. */
void log_setup(enum log_sink sink, int max_level);
int log_level_get(void);
bool log_is_enabled(int level);

[[gnu::format(printf, 2, 3)]] void log_msg(int level, const char *fmt, ...);
