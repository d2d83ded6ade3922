// SPDX-License-Identifier: GPL-2.0-or-later
/* core/log.c — log sinks: stderr lines with a monotonic-free wall timestamp, or syslog. */
#include "core/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

/* Set once at startup before any thread exists, read-only afterwards. */
static _Atomic int log_max_level = LOG_INFO;
static _Atomic int log_sink_kind = LOG_SINK_STDERR;

static const char *const level_names[] = {
	[LOG_EMERG] = "emerg",	[LOG_ALERT] = "alert",	 [LOG_CRIT] = "crit", [LOG_ERR] = "error",
	[LOG_WARNING] = "warn", [LOG_NOTICE] = "notice", [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

void log_setup(enum log_sink sink, int max_level)
{
	log_sink_kind = sink;
	log_max_level = max_level;
	if (sink == LOG_SINK_SYSLOG)
		openlog("ocserv-modern", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

int log_level_get(void)
{
	return log_max_level;
}

bool log_is_enabled(int level)
{
	return level <= log_max_level;
}

void log_msg(int level, const char *fmt, ...)
{
	char line[1024];
	struct timeval tv;
	struct tm tm;
	va_list ap;
	int n;

	if (level > log_max_level || level < 0)
		return;
	va_start(ap, fmt);
	if (log_sink_kind == LOG_SINK_SYSLOG) {
		vsyslog(level, fmt, ap);
		va_end(ap);
		return;
	}
	gettimeofday(&tv, nullptr);
	localtime_r(&tv.tv_sec, &tm);
	n = snprintf(line, sizeof(line), "%02d:%02d:%02d.%03ld %s: ", tm.tm_hour, tm.tm_min,
		     tm.tm_sec, (long)(tv.tv_usec / 1000), level_names[level]);
	if (n > 0 && (size_t)n < sizeof(line))
		vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	/* One fputs per line keeps lines whole across threads (stdio locks the stream). */
	size_t len = strlen(line);
	if (len + 1 < sizeof(line)) {
		line[len] = '\n';
		line[len + 1] = '\0';
	} else {
		line[sizeof(line) - 2] = '\n';
	}
	fputs(line, stderr);
}
