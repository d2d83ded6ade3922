// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for sandbox/spawner.c: scripts written to a temp dir run through the helper with
 * exactly the given environment; refusals, limits (at and one past), timeout, and a run from
 * a process under the seccomp filter (which itself could never exec). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "core/compiler.h"
#include "sandbox/sandbox.h"
#include "child.h"

enum { SCRIPT_COUNT = 5, BIG_ENV = 300 };

struct fixture {
	char dir[64];
	char path[SCRIPT_COUNT][96];
	struct sandbox_spawner *sp;
};

/* Scripts: 0 checks FOO/HOME and exits 3; 1 sleeps; 2 kills itself; 3 is not executable;
 * 4 is allowed but never created. */
static const char *const script_body[SCRIPT_COUNT] = {
	"#!/bin/sh\n[ \"$FOO\" = 'bar baz' ] || exit 9\n[ -z \"$HOME\" ] || exit 8\nexit 3\n",
	"#!/bin/sh\nexec sleep 10\n",
	"#!/bin/sh\nkill -TERM $$\nexit 1\n",
	"#!/bin/sh\nexit 0\n",
	nullptr,
};

static int write_script(const char *path, const char *body, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	size_t len = strlen(body);

	if (fd < 0)
		return -errno;
	if (write(fd, body, len) != (ssize_t)len) {
		close(fd);
		return -EIO;
	}
	return close(fd) ? -errno : 0;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *allowed[SCRIPT_COUNT + 1] = {};
	struct sandbox_spawner_config cfg = {.allowed_paths = allowed, .timeout_ms = 300};

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/ocm-spawner-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	for (int i = 0; i < SCRIPT_COUNT; i++) {
		snprintf(f->path[i], sizeof(f->path[i]), "%s/s%d.sh", f->dir, i);
		allowed[i] = f->path[i];
		if (script_body[i] &&
		    write_script(f->path[i], script_body[i], i == 3 ? 0600 : 0700))
			return -1;
	}
	if (sandbox_spawner_start(&cfg, &f->sp))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sandbox_spawner_stop(f->sp);
	for (int i = 0; i < SCRIPT_COUNT; i++)
		unlink(f->path[i]);
	rmdir(f->dir);
	free(f);
	return 0;
}

struct run_case {
	const char *name;
	int script; /* index, or -1 for a path outside the allow-list */
	const char *const *env;
	int want_ret;
	int want_status;
};

static void test_run_table(void **state)
{
	static const char *const env_ok[] = {"FOO=bar baz", "REASON=connect", nullptr};
	static const char *const env_none[] = {nullptr};
	static const char *const env_ld[] = {"FOO=bar baz", "LD_PRELOAD=/tmp/x.so", nullptr};
	static const char *const env_bash[] = {"BASH_ENV=/tmp/x", nullptr};
	static const char *const env_func[] = {"BASH_FUNC_ls%%=() { :; }", nullptr};
	static const char *const env_digit[] = {"1FOO=x", nullptr};
	static const char *const env_noeq[] = {"FOO", nullptr};
	static const char *const env_empty_name[] = {"=x", nullptr};
	static const char *const env_bad_char[] = {"FO-O=x", nullptr};
	static const struct run_case cases[] = {
		{"exit 3 sees env", 0, env_ok, 0, 3},
		{"env not passed", 0, env_none, 0, 9},
		{"NULL env", 0, nullptr, 0, 9},
		{"killed by signal", 2, env_none, 0, 128 + 15},
		{"timeout", 1, env_none, -ETIMEDOUT, -1},
		{"not executable", 3, env_none, -EACCES, -1},
		{"allowed but missing", 4, env_none, -ENOENT, -1},
		{"path not allowed", -1, env_none, -EPERM, -1},
		{"LD_ variable", 0, env_ld, -EINVAL, -1},
		{"BASH_ENV", 0, env_bash, -EINVAL, -1},
		{"exported function", 0, env_func, -EINVAL, -1},
		{"name starts with digit", 0, env_digit, -EINVAL, -1},
		{"no '='", 0, env_noeq, -EINVAL, -1},
		{"empty name", 0, env_empty_name, -EINVAL, -1},
		{"bad char in name", 0, env_bad_char, -EINVAL, -1},
		{"still works after refusals", 0, env_ok, 0, 3},
	};
	struct fixture *f = *state;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct run_case *tc = &cases[i];
		const char *path = tc->script < 0 ? "/bin/sh" : f->path[tc->script];
		int status = 1234;
		int ret = sandbox_spawner_run(f->sp, path, tc->env, &status);

		if (ret != tc->want_ret || status != tc->want_status)
			print_error("case '%s': ret %d status %d\n", tc->name, ret, status);
		assert_int_equal(ret, tc->want_ret);
		assert_int_equal(status, tc->want_status);
	}
}

/* SANDBOX_SPAWN_MAX_ENV entries pass, one more is refused; so is a request over the max. */
static void test_limits(void **state)
{
	struct fixture *f = *state;
	static char entries[BIG_ENV][16];
	const char *env[BIG_ENV + 1] = {};
	char *big;
	int status;

	env[0] = "FOO=bar baz";
	for (int i = 1; i < BIG_ENV; i++) {
		snprintf(entries[i], sizeof(entries[i]), "V%d=x", i);
		env[i] = entries[i];
	}
	env[SANDBOX_SPAWN_MAX_ENV] = nullptr;
	assert_int_equal(sandbox_spawner_run(f->sp, f->path[0], env, &status), 0);
	assert_int_equal(status, 3);
	env[SANDBOX_SPAWN_MAX_ENV] = "LAST=1";
	env[SANDBOX_SPAWN_MAX_ENV + 1] = nullptr;
	assert_int_equal(sandbox_spawner_run(f->sp, f->path[0], env, &status), -E2BIG);

	big = malloc(SANDBOX_SPAWN_MAX_MSG + 1);
	assert_non_null(big);
	memset(big, 'a', SANDBOX_SPAWN_MAX_MSG);
	memcpy(big, "BIG=", 4);
	big[SANDBOX_SPAWN_MAX_MSG] = '\0';
	env[0] = big;
	env[1] = nullptr;
	assert_int_equal(sandbox_spawner_run(f->sp, f->path[0], env, &status), -E2BIG);
	free(big);
}

static int seccomp_child(const void *arg)
{
	const struct fixture *f = arg;
	static const char *const env[] = {"FOO=bar baz", nullptr};
	int status = -1;

	if (sandbox_seccomp_install(SANDBOX_PROFILE_SERVER))
		return 99;
	if (sandbox_spawner_run(f->sp, f->path[0], env, &status))
		return 98;
	return status;
}

/* The helper started before the filter still runs scripts for a filtered process. */
static void test_under_seccomp(void **state)
{
	assert_int_equal(child_run(seccomp_child, *state), 3);
}

/* Kills every ocm-spawner child of this process (read from /proc); returns how many. */
static int kill_helpers(void)
{
	char path[64], comm[32], *tok, *save = nullptr;
	static char list[4096];
	int n = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
	fp = fopen(path, "re");
	if (!fp)
		return -1;
	list[fread(list, 1, sizeof(list) - 1, fp)] = '\0';
	fclose(fp);
	for (tok = strtok_r(list, " \n", &save); tok; tok = strtok_r(nullptr, " \n", &save)) {
		long pid = strtol(tok, nullptr, 10);

		snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
		fp = fopen(path, "re");
		if (!fp)
			continue;
		if (fgets(comm, sizeof(comm), fp) && strcmp(comm, "ocm-spawner\n") == 0 &&
		    kill((pid_t)pid, SIGKILL) == 0)
			n++;
		fclose(fp);
	}
	return n;
}

/* A dead helper: runs fail cleanly with -EPIPE, stop still reaps it. */
static void test_helper_gone(void **state)
{
	struct fixture *f = *state;
	static const char *const env[] = {"FOO=bar baz", nullptr};
	struct timespec tick = {.tv_nsec = 50 * 1000 * 1000};
	int status;

	assert_int_equal(sandbox_spawner_run(f->sp, f->path[0], env, &status), 0);
	assert_int_equal(status, 3);
	sandbox_spawner_stop(nullptr);
	if (kill_helpers() < 1)
		skip(); /* no /proc/<pid>/children on this kernel */
	nanosleep(&tick, nullptr);
	assert_int_equal(sandbox_spawner_run(f->sp, f->path[0], env, &status), -EPIPE);
	assert_int_equal(sandbox_spawner_run(f->sp, f->path[0], env, &status), -EPIPE);
}

static void test_bad_config(void **state)
{
	const char *const rel[] = {"relative.sh", nullptr};
	const char *too_many[SANDBOX_SPAWN_MAX_PATHS + 2];
	struct sandbox_spawner *sp = (void *)1;

	(void)state;
	for (int i = 0; i <= SANDBOX_SPAWN_MAX_PATHS; i++)
		too_many[i] = "/bin/true";
	too_many[SANDBOX_SPAWN_MAX_PATHS + 1] = nullptr;
	assert_int_equal(sandbox_spawner_start(&(struct sandbox_spawner_config){rel, 100}, &sp),
			 -EINVAL);
	assert_null(sp);
	assert_int_equal(
		sandbox_spawner_start(&(struct sandbox_spawner_config){too_many, 100}, &sp),
		-EINVAL);
	assert_int_equal(sandbox_spawner_start(&(struct sandbox_spawner_config){rel + 1, 0}, &sp),
			 -EINVAL);
	too_many[SANDBOX_SPAWN_MAX_PATHS] = nullptr; /* exactly the max is fine */
	assert_int_equal(
		sandbox_spawner_start(&(struct sandbox_spawner_config){too_many, 100}, &sp), 0);
	sandbox_spawner_stop(sp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_run_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_under_seccomp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_helper_gone, setup, teardown),
		cmocka_unit_test(test_bad_config),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
