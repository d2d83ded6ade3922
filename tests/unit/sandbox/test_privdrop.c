// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for sandbox/privdrop.c: each case drops privileges in a forked child and checks
 * uid/gid, supplementary groups, capabilities, no-new-privs and dumpable. Needs root (77). */
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/capability.h>
#include <cmocka.h>

#include "core/compiler.h"
#include "sandbox/sandbox.h"
#include "child.h"

/* Case tables list only the fields that matter; the rest are zero. */
#pragma clang diagnostic ignored "-Wmissing-field-initializers"

/* Child exit codes */
enum {
	C_OK = 0,
	C_RET = 10, /* the return value differs from want */
	C_UID,
	C_GID,
	C_GROUPS,
	C_CAPS,
	C_BOUND,
	C_NNP,
	C_DUMP,
	C_REGAIN,
};

struct drop_case {
	const char *name;
	const char *user;
	const char *group;
	uint64_t keep;
	int want;		 /* return value */
	const char *want_user;	 /* uid to expect (name) */
	const char *want_group;	 /* gid to expect (name); NULL = want_user's primary group */
	bool with_thread;	 /* a thread is running during the call */
	bool unprivileged_first; /* drop to nobody first, then try again */
};

static void *idle_thread(void *arg)
{
	(void)arg;
	pause();
	return nullptr;
}

static int check_caps(uint64_t keep)
{
	for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++) {
		cap_flag_value_t eff, perm, inh;
		bool want = keep & SANDBOX_CAP(c);
		cap_t cur = cap_get_proc();

		cap_get_flag(cur, c, CAP_EFFECTIVE, &eff);
		cap_get_flag(cur, c, CAP_PERMITTED, &perm);
		cap_get_flag(cur, c, CAP_INHERITABLE, &inh);
		cap_free(cur);
		if ((eff == CAP_SET) != want || (perm == CAP_SET) != want || inh == CAP_SET)
			return C_CAPS;
		if ((cap_get_bound(c) > 0) != want)
			return C_BOUND;
	}
	return C_OK;
}

static int drop_child(const void *arg)
{
	const struct drop_case *tc = arg;
	struct passwd *pw;
	struct group *gr;
	gid_t groups[4];
	pthread_t t;
	uid_t uid;
	gid_t gid;

	if (tc->with_thread && pthread_create(&t, nullptr, idle_thread, nullptr))
		return 99;
	if (tc->unprivileged_first && sandbox_drop_privileges("nobody", nullptr, nullptr))
		return 98;
	if (sandbox_drop_privileges(tc->user, tc->group, &(struct sandbox_caps){tc->keep}) !=
	    tc->want)
		return C_RET;
	if (tc->want)
		return C_OK;
	pw = getpwnam(tc->want_user);
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (tc->want_group) {
		gr = getgrnam(tc->want_group);
		gid = gr->gr_gid;
	}
	if (getuid() != uid || geteuid() != uid)
		return C_UID;
	if (getgid() != gid || getegid() != gid)
		return C_GID;
	if (getgroups(ARRAY_SIZE(groups), groups) != 1 || groups[0] != gid)
		return C_GROUPS;
	if (check_caps(tc->keep))
		return check_caps(tc->keep);
	if (prctl(PR_GET_NO_NEW_PRIVS, 0L, 0L, 0L, 0L) != 1)
		return C_NNP;
	if (prctl(PR_GET_DUMPABLE, 0L, 0L, 0L, 0L) != 0)
		return C_DUMP;
	if (uid != 0 && setuid(0) == 0)
		return C_REGAIN;
	return C_OK;
}

static void test_drop_table(void **state)
{
	static const struct drop_case cases[] = {
		{"nobody, primary group, no caps", "nobody", nullptr, 0, 0, "nobody", nullptr},
		{"nobody by uid", "65534", nullptr, 0, 0, "nobody", nullptr},
		{"nobody, group daemon", "nobody", "daemon", 0, 0, "nobody", "daemon"},
		{"nobody, group by gid", "nobody", "1", 0, 0, "nobody", "daemon"},
		{"keep CAP_NET_ADMIN", "nobody", nullptr, SANDBOX_CAP(CAP_NET_ADMIN), 0, "nobody",
		 nullptr},
		{"keep NET_ADMIN + NET_BIND_SERVICE", "nobody", nullptr,
		 SANDBOX_CAP(CAP_NET_ADMIN) | SANDBOX_CAP(CAP_NET_BIND_SERVICE), 0, "nobody",
		 nullptr},
		{"keep the last capability", "nobody", nullptr, SANDBOX_CAP(CAP_LAST_CAP), 0,
		 "nobody", nullptr},
		{"one past the last capability", "nobody", nullptr, SANDBOX_CAP(CAP_LAST_CAP + 1),
		 -EINVAL},
		{"stay root without caps", "root", nullptr, 0, 0, "root", nullptr},
		{"unknown user", "ocm-no-such-user", nullptr, 0, -ENOENT},
		{"unknown group", "nobody", "ocm-no-such-group", 0, -ENOENT},
		{"numeric uid without entry needs a group", "4000000", nullptr, 0, -ENOENT},
		{"threads running", "nobody", nullptr, 0, -EBUSY, .with_thread = true},
		{"not root any more", "root", nullptr, 0, -EPERM, .unprivileged_first = true},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int rc = child_run(drop_child, &cases[i]);

		if (rc != C_OK)
			print_error("case '%s': child ended with %d\n", cases[i].name, rc);
		assert_int_equal(rc, C_OK);
	}
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drop_table),
	};

	if (geteuid() != 0 || !getpwnam("nobody") || !getgrnam("daemon")) {
		fprintf(stderr, "test_privdrop: needs root and users nobody/daemon: skipped\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
