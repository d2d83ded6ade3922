// SPDX-License-Identifier: GPL-2.0-or-later
/* auth/auth.h — asynchronous user/password verification: a pool of worker threads runs the
 * blocking checks (crypt, later PAM/RADIUS) off the event loops and posts verdicts back. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/list.h"
#include "core/loop.h"

struct config;

enum auth_verdict : uint8_t {
	AUTH_OK,
	AUTH_DENIED,
	AUTH_ERROR,
};

enum {
	AUTH_NAME_MAX = 256,  /* username/password buffers, NUL included */
	AUTH_GROUP_MAX = 128, /* group buffer, NUL included */
	AUTH_HASH_MAX = 384,  /* crypt hash in a password file, NUL included (CRYPT_OUTPUT_SIZE) */
	AUTH_POOL_MAX_THREADS = 64,
};

/* One asynchronous request. Owned by the submitter, which must keep it alive until on_done has
 * run. The pool wipes password (explicit_bzero) once it is verified, whatever the verdict. */
struct auth_request {
	char username[AUTH_NAME_MAX];
	char password[AUTH_NAME_MAX];
	/* set by the pool before on_done: */
	enum auth_verdict verdict;
	char group[AUTH_GROUP_MAX]; /* the user's group from the password file ("" if none / "*") */
	/* delivery: on_done runs on reply_loop's thread (via loop_post) */
	struct loop *reply_loop;
	void (*on_done)(struct auth_request *req);
	/* Optional, on the pool thread right after AUTH_OK: blocking work that belongs to the login
	 * (reading per-user configuration files). It may change verdict. */
	void (*after_ok)(struct auth_request *req);
	/* Optional: run this blocking job on the pool thread instead of a password check (scripts).
	 * username/password are not looked at; verdict is whatever run sets. */
	void (*run)(struct auth_request *req);
	struct loop_call call; /* internal */
	struct list_node node; /* internal */
};

struct auth_pool;

/* Start threads (1..AUTH_POOL_MAX_THREADS) worker threads doing blocking verification off the
 * event loops. The method comes from cfg->auth (CFG_AUTH_PLAIN needs cfg->auth_passwd); what the
 * pool needs from cfg is copied, so cfg may be freed afterwards. Returns 0, -EINVAL (no usable
 * method, bad thread count; logged), -ENOMEM or -errno from pthread_create. Main thread only. */
[[nodiscard]] int auth_pool_new(const struct config *cfg, unsigned threads, struct auth_pool **out);

/* Stops and joins the threads. Requests still queued are answered AUTH_ERROR (password wiped,
 * group ""), and their on_done still runs via loop_post on their reply_loop, so only call this
 * while those loops are alive and will run again. A request being verified when this is called
 * finishes normally first. auth_pool_free(NULL) is a no-op. Main thread only. */
void auth_pool_free(struct auth_pool *p);

/* Any thread. Queues req (borrowed until on_done); req->reply_loop and req->on_done must be set.
 * username/password must be NUL-terminated within their buffers, else the verdict is
 * AUTH_DENIED. Never fails: every submitted request gets exactly one on_done. */
void auth_pool_submit(struct auth_pool *p, struct auth_request *req);

/* Username check done before any lookup: length 1..AUTH_NAME_MAX-1 (NUL within the buffer of
 * AUTH_NAME_MAX bytes), no control characters (< 0x20, 0x7f), no ':'. */
bool auth_username_is_valid(const char *user);

/* auth_plain.c: verify against an ocpasswd file, re-read at every attempt so edits take effect
 * without a reload. Line format "user:group:hash" (group may be empty or "*"; a hash starting
 * with '!' is a locked account). Hashes: whatever libcrypt supports ($5$, $6$, $y$, $2b$…),
 * compared in constant time. An unknown or locked user still costs one hash computation.
 * Returns 0 with *verdict set (AUTH_ERROR only when out of memory; group filled on AUTH_OK, else
 * ""), or -errno if the file cannot be read (verdict then AUTH_ERROR; logged once with the path
 * and reason). A hash libcrypt rejects is logged and gives AUTH_DENIED. Blocking:
 * call from the auth pool's threads (or tests), never from an event loop. */
[[nodiscard]] int auth_plain_verify(const char *passwd_path, const char *user, const char *password,
				    enum auth_verdict *verdict, char group[AUTH_GROUP_MAX]);

/* One parsed password-file line; the pointers point into the caller's line buffer. */
struct auth_plain_line {
	char *user;  /* 1..AUTH_NAME_MAX-1 bytes, no control characters */
	char *group; /* 0..AUTH_GROUP_MAX-1 bytes; may be "*" */
	char *hash;  /* 1..AUTH_HASH_MAX-1 bytes, no ':'; '!' prefix = locked */
};

/* Pure line parser for tests/fuzz. line holds len bytes followed by a NUL (line[len] == 0, as
 * getline gives); one trailing "\n" or "\r\n" is dropped. The colons are overwritten with NULs
 * in place. Returns 0, or -EINVAL on malformed lines (embedded NUL, fewer than two colons,
 * empty user or hash, control characters, over-long fields). */
[[nodiscard]] int auth_plain_line_parse(char *line, size_t len, struct auth_plain_line *out);
