// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for script/script_run.c: a script that writes its environment to a file, exit
 * statuses 0 and 3, the timeout kill (of the script and its children), spawn failures and a
 * replacement spawner. Every wait is bounded by a watchdog timer on the loop. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/clock.h"
#include "core/loop.h"
#include "script/script.h"

struct result {
	struct loop *l;
	int calls;
	int status;
};

static void on_done(void *ctx, int status)
{
	struct result *res = ctx;

	res->calls++;
	res->status = status;
	loop_stop(res->l);
}

static void on_watchdog(struct timer *t)
{
	(void)t;
	fail_msg("watchdog: the script never finished");
}

static char tmpdir[64];

static void write_script(const char *name, const char *body, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(body, f);
	fclose(f);
	assert_int_equal(chmod(path, 0700), 0);
}

/* Runs path with env on a fresh loop; returns the status given to done. */
static int run(const char *path, const struct script_env *env, unsigned timeout_ms)
{
	struct result res = {};
	struct timer watchdog;
	int ret;

	assert_int_equal(loop_new(&res.l), 0);
	timer_init(&watchdog, on_watchdog);
	loop_timer_arm(res.l, &watchdog, clock_now_ns() + 10ull * NS_PER_SEC);
	ret = script_run_async_timeout(res.l, path, env, timeout_ms, on_done, &res);
	assert_int_equal(ret, 0);
	assert_int_equal(res.calls, 0); /* never from inside the call */
	assert_int_equal(loop_run(res.l), 0);
	assert_int_equal(res.calls, 1);
	loop_timer_cancel(res.l, &watchdog);
	loop_free(res.l);
	return res.status;
}

static void test_env_reaches_script(void **state)
{
	char path[128], out[128], text[4096] = "";
	struct script_env env;
	FILE *f;
	size_t n;

	(void)state;
	write_script("dump.sh", "#!/bin/sh\nenv > \"$OUT\"\nexit 0\n", path, sizeof(path));
	snprintf(out, sizeof(out), "%s/env.txt", tmpdir);
	script_env_init(&env);
	assert_int_equal(script_env_set(&env, "OUT", out), 0);
	assert_int_equal(script_env_set(&env, "REASON", "connect"), 0);
	assert_int_equal(script_env_set(&env, "USERNAME", "alice"), 0);
	assert_int_equal(script_env_set(&env, "IP_REMOTE", "198.18.0.2"), 0);
	assert_int_equal(run(path, &env, 5000), 0);
	script_env_fini(&env);
	f = fopen(out, "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	assert_non_null(strstr(text, "REASON=connect\n"));
	assert_non_null(strstr(text, "USERNAME=alice\n"));
	assert_non_null(strstr(text, "IP_REMOTE=198.18.0.2\n"));
	assert_null(strstr(text, "HOME=")); /* only what we gave it */
	unlink(out);
}

static void test_exit_status(void **state)
{
	char path[128];
	struct script_env env;

	(void)state;
	script_env_init(&env);
	write_script("three.sh", "#!/bin/sh\nexit 3\n", path, sizeof(path));
	assert_int_equal(run(path, &env, 5000), 3);
	write_script("zero.sh", "#!/bin/sh\nexit 0\n", path, sizeof(path));
	assert_int_equal(run(path, &env, 5000), 0);
	write_script("sig.sh", "#!/bin/sh\nkill -TERM $$\nsleep 5\n", path, sizeof(path));
	assert_int_equal(run(path, &env, 5000), -EINTR);
}

/* Alive and not a zombie (an init that is slow to reap must not fail the test). */
static bool pid_is_running(long pid)
{
	char path[64], buf[256] = "";
	const char *paren;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	paren = strrchr(buf, ')');
	return !(paren && paren[1] == ' ' && (paren[2] == 'Z' || paren[2] == 'X'));
}

static void test_timeout_kills(void **state)
{
	char path[128], pidfile[128], text[32] = "";
	struct script_env env;
	uint64_t start;
	long child;
	FILE *f;

	(void)state;
	snprintf(pidfile, sizeof(pidfile), "%s/child.pid", tmpdir);
	/* The script waits on a child of its own: the whole process group must die. */
	write_script("slow.sh", "#!/bin/sh\nsleep 30 &\necho $! > \"$PIDFILE\"\nwait\n", path,
		     sizeof(path));
	script_env_init(&env);
	assert_int_equal(script_env_set(&env, "PIDFILE", pidfile), 0);
	start = clock_now_ns();
	assert_int_equal(run(path, &env, 300), -ETIMEDOUT);
	assert_true(clock_now_ns() - start < 5ull * NS_PER_SEC);
	script_env_fini(&env);
	f = fopen(pidfile, "r");
	assert_non_null(f);
	assert_non_null(fgets(text, sizeof(text), f));
	fclose(f);
	child = strtol(text, nullptr, 10);
	assert_true(child > 0);
	/* SIGKILLed with its group: bounded wait for it to die. */
	for (int i = 0; i < 100 && pid_is_running(child); i++)
		usleep(20000);
	assert_false(pid_is_running(child));
	unlink(pidfile);
}

static void test_spawn_fails(void **state)
{
	struct script_env env;
	struct loop *l;
	char path[128];

	(void)state;
	script_env_init(&env);
	assert_int_equal(loop_new(&l), 0);
	snprintf(path, sizeof(path), "%s/missing.sh", tmpdir);
	assert_int_equal(script_run_async(l, path, &env, on_done, nullptr), -ENOENT);
	write_script("noexec.sh", "#!/bin/sh\nexit 0\n", path, sizeof(path));
	assert_int_equal(chmod(path, 0600), 0);
	if (geteuid() != 0)
		assert_int_equal(script_run_async(l, path, &env, on_done, nullptr), -EACCES);
	loop_free(l);
}

static int spawn_refuse(const char *path, char *const argv[], char *const envp[], pid_t *pid)
{
	(void)path;
	(void)argv;
	(void)envp;
	(void)pid;
	return -EPERM;
}

static void test_spawner_swapped(void **state)
{
	struct script_env env;
	struct loop *l;
	char path[128];

	(void)state;
	script_env_init(&env);
	write_script("ok.sh", "#!/bin/sh\nexit 0\n", path, sizeof(path));
	assert_int_equal(loop_new(&l), 0);
	script_set_spawner(spawn_refuse);
	assert_int_equal(script_run_async(l, path, &env, on_done, nullptr), -EPERM);
	script_set_spawner(nullptr); /* back to posix_spawn */
	loop_free(l);
	assert_int_equal(run(path, &env, 5000), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/ocm-script-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	static const char *const files[] = {"dump.sh", "three.sh",  "zero.sh", "sig.sh",
					    "slow.sh", "noexec.sh", "ok.sh"};
	char path[128];

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, files[i]);
		unlink(path);
	}
	return rmdir(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env_reaches_script), cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_timeout_kills),	   cmocka_unit_test(test_spawn_fails),
		cmocka_unit_test(test_spawner_swapped),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
