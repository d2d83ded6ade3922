// SPDX-License-Identifier: GPL-2.0-or-later
/* sandbox/sandbox.h — process hardening: privilege drop with an explicit capability set, the
 * seccomp allow-list, and the script spawner forked before both (the server never execs). */
#pragma once

#include <stdint.h>

/* ---- privileges ---- */

/* Linux capabilities (CAP_* from <linux/capability.h>) kept after the drop, as a bit mask. */
struct sandbox_caps {
	uint64_t mask;
};

#define SANDBOX_CAP(c) (UINT64_C(1) << (c))

/*
 * Switches to run-as user/group for good (setgroups, setresgid, setresuid) keeping only the
 * capabilities in keep (NULL or mask 0: none), removes every other one from the bounding set,
 * clears ambient/inheritable, then sets PR_SET_NO_NEW_PRIVS and PR_SET_DUMPABLE 0.
 * user NULL keeps the uid; group NULL means the user's primary group (ocserv semantics); names
 * or decimal ids. Call once, before any thread starts (capabilities are per thread): returns
 * -EBUSY if the process already has threads, -ENOENT for an unknown user/group, -EPERM when
 * not root and asked to change ids; on any failure the caller must exit.
 */
[[nodiscard]] int sandbox_drop_privileges(const char *user, const char *group,
					  const struct sandbox_caps *keep);

/* ---- seccomp ---- */

enum sandbox_profile : uint8_t {
	SANDBOX_PROFILE_SERVER, /* epoll/TLS/TUN/UDP/threads; sockets AF_UNIX, AF_INET, AF_INET6 */
	SANDBOX_PROFILE_SERVER_NETLINK, /* the same + AF_NETLINK/NETLINK_ROUTE (route updates) */
	SANDBOX_PROFILE__COUNT,
};

/*
 * Installs the allow-list on every thread of the process (TSYNC); anything else kills the
 * process (SIGSYS). OCM_SECCOMP_LOG=1 in the environment logs instead of killing (find missing
 * syscalls with `journalctl -k | grep SECCOMP` / audit). Implies PR_SET_NO_NEW_PRIVS.
 * Sanitizer builds also allow what ASan/LSan need (LSan's ptrace-based leak check at exit).
 */
[[nodiscard]] int sandbox_seccomp_install(enum sandbox_profile profile);

/* ---- script spawner ---- */

enum {
	SANDBOX_SPAWN_MAX_MSG = 64 * 1024, /* one request: path + environment */
	SANDBOX_SPAWN_MAX_ENV = 256,	   /* environment entries per request */
	SANDBOX_SPAWN_MAX_PATHS = 16,	   /* allowed script paths */
};

struct sandbox_spawner;

struct sandbox_spawner_config {
	/* Absolute paths the spawner may run (NULL-terminated, at most SANDBOX_SPAWN_MAX_PATHS):
	 * a compromised server can start these and nothing else. */
	const char *const *allowed_paths;
	unsigned timeout_ms; /* a script still running after this is SIGKILLed (its group too) */
};

/*
 * Forks the helper that runs scripts. Call BEFORE sandbox_drop_privileges() and seccomp: the
 * helper keeps the privileges the process had (like ocserv, scripts run as root) and dies with
 * the parent. On success *out owns it; free with sandbox_spawner_stop().
 */
[[nodiscard]] int sandbox_spawner_start(const struct sandbox_spawner_config *cfg,
					struct sandbox_spawner **out);

/*
 * Runs path (must be in allowed_paths) with argv { path } and exactly env ("NAME=value"
 * entries, NULL-terminated; names [A-Za-z_][A-Za-z0-9_]*, none starting with LD_), stdin
 * /dev/null, stdout/stderr inherited; blocks until it ends. *exit_status is its exit code, or
 * 128 + signal if killed. Returns 0, -EPERM (path not allowed), -EINVAL (bad env), -E2BIG,
 * -ETIMEDOUT (killed after timeout_ms), -EPIPE (spawner gone), or the exec's -errno.
 * Thread-safe (one script at a time); blocking: call from the auth pool, not a worker loop.
 */
[[nodiscard]] int sandbox_spawner_run(struct sandbox_spawner *sp, const char *path,
				      const char *const *env, int *exit_status);

/* Closes the channel and reaps the helper (kills it if it does not exit). NULL is a no-op. */
void sandbox_spawner_stop(struct sandbox_spawner *sp);
