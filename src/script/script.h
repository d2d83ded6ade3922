// SPDX-License-Identifier: GPL-2.0-or-later
/* script/script.h — connect-script, disconnect-script and host-update-script: the environment
 * ocserv gives them (script_env.c) and running one without blocking the event loop
 * (script_run.c: posix_spawn + pidfd watched on the loop, killed after a timeout). */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config/config.h"

struct loop;

enum {
	SCRIPT_ENV_MAX = 64,	      /* variables */
	SCRIPT_ENV_NAME_MAX = 32,     /* bytes of a name */
	SCRIPT_ENV_VALUE_MAX = 16384, /* bytes of one value (OCSERV_ROUTES with 256 routes) */
	SCRIPT_ENV_TOTAL_MAX = 65536, /* bytes of all "NAME=value" strings */
	SCRIPT_TIMEOUT_MS = 30000,    /* default: killed after 30 s */
};

/* A bounded environment: "NAME=value" strings. Caller-owned storage: script_env_init() /
 * script_env_fini(). Names are [A-Z0-9_], not starting with a digit; values are any bytes but
 * NUL, '\n' and '\r'. Setting a name again replaces its value. */
struct script_env {
	char *vars[SCRIPT_ENV_MAX + 1]; /* nullptr-terminated, for posix_spawn() */
	size_t len;
	size_t bytes;
};

void script_env_init(struct script_env *e);
void script_env_fini(struct script_env *e);
/* 0; -EINVAL for a bad name or value; -E2BIG past a limit; -ENOMEM. On error e is unchanged. */
[[nodiscard]] int script_env_set(struct script_env *e, const char *name, const char *value);
[[nodiscard]] int script_env_set_u64(struct script_env *e, const char *name, uint64_t value);
/* The value of name, or nullptr. Borrowed from e. */
const char *script_env_get(const struct script_env *e, const char *name);

enum script_reason : uint8_t {
	SCRIPT_CONNECT = 0,
	SCRIPT_DISCONNECT,
	SCRIPT_HOST_UPDATE,
};

/* What a script is told about one session. Strings are borrowed; nullptr (or 0 for ipv6_prefix)
 * leaves the variable out. Addresses are text, as printed by inet_ntop(). */
struct script_info {
	enum script_reason reason;   /* REASON: connect | disconnect | host-update */
	const char *vhost;	     /* VHOST */
	const char *username;	     /* USERNAME */
	const char *groupname;	     /* GROUPNAME */
	const char *hostname;	     /* HOSTNAME and REMOTE_HOSTNAME: what the client advertised */
	const char *user_agent;	     /* USER_AGENT: the CONNECT's User-Agent */
	const char *device_type;     /* DEVICE_TYPE: X-AnyConnect-Identifier-DeviceType */
	const char *device_platform; /* DEVICE_PLATFORM: X-AnyConnect-Identifier-Platform */
	const char *device;	     /* DEVICE: the tun device */
	const char *ip_real;	     /* IP_REAL: the client's address */
	const char *ip_real_local;   /* IP_REAL_LOCAL: our address it connected to */
	const char *ip_local;	     /* IP_LOCAL: our end of the tunnel */
	const char *ip_remote;	     /* IP_REMOTE: the client's VPN address */
	const char *ipv6_local;	     /* IPV6_LOCAL */
	const char *ipv6_remote;     /* IPV6_REMOTE */
	unsigned ipv6_prefix;	     /* IPV6_PREFIX */
	uint64_t id;		     /* ID: a unique numeric session id */
	bool have_stats;	     /* disconnect: STATS_BYTES_IN/OUT, STATS_DURATION */
	uint64_t bytes_in;	     /* bytes read from the tun device (to the client) … */
	uint64_t bytes_out;	     /* … and written to it, as ocserv counts them */
	uint64_t duration_s;
};

/* Adds ocserv's variables for info (USER_AGENT, DEVICE_TYPE and DEVICE_PLATFORM always, empty
 * when unknown, as ocserv) and, if sc is not nullptr, OCSERV_ROUTES, OCSERV_ROUTES4,
 * OCSERV_ROUTES6, OCSERV_NO_ROUTES(4|6), OCSERV_DNS(4|6) (space-separated "addr/len" or
 * addresses; the "default" route is not listed, as ocserv) and OCSERV_RESTRICT_TO_ROUTES=1 when
 * restrict-user-to-routes applies. Errors as script_env_set(): a value
 * with a newline (a hostname from the client, say) is refused, never passed on. */
[[nodiscard]] int script_env_build(struct script_env *e, const struct script_info *info,
				   const struct session_config *sc);

/* Starts path with argv {path} and envp. Returns 0 and the child's pid, or -errno. The default
 * uses posix_spawn() with stdin from /dev/null, default signal dispositions, an empty signal
 * mask and a new process group. */
typedef int script_spawn_fn(const char *path, char *const argv[], char *const envp[], pid_t *pid);

/* Replaces the spawn step (the privileged spawner helper after seccomp); nullptr restores the
 * default. Call from the main thread before any worker runs a script: not synchronised. */
void script_set_spawner(script_spawn_fn *fn);

/* status >= 0: the exit code; -ETIMEDOUT: killed after the timeout; -EINTR: killed by another
 * signal (status unknown); -ECHILD: could not be reaped. Runs on l's thread, exactly once. */
typedef void script_done_fn(void *ctx, int status);

/* Runs path with env (copied: env may be freed on return) without blocking: the child's pidfd is
 * watched on l, its process group is sent SIGKILL after timeout_ms. Returns 0 (done will be
 * called later, never from inside this call) or -errno (done is never called). Loop thread
 * only. The loop must outlive the run: a pending run holds its watch and timer on l. */
[[nodiscard]] int script_run_async_timeout(struct loop *l, const char *path,
					   const struct script_env *env, unsigned timeout_ms,
					   script_done_fn *done, void *ctx);
/* script_run_async_timeout() with SCRIPT_TIMEOUT_MS. */
[[nodiscard]] int script_run_async(struct loop *l, const char *path, const struct script_env *env,
				   void (*done)(void *ctx, int status), void *ctx);
