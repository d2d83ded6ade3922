// SPDX-License-Identifier: GPL-2.0-or-later
/* sandbox/privdrop.c — sandbox_drop_privileges(): run-as user/group, an explicit capability set
 * (libcap), no-new-privs and non-dumpable. */
#include "sandbox/sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <sys/capability.h>

#include "core/log.h"

enum { PRIV_NSS_BUF = 64 * 1024 };

/* Decimal id with an end check; false if s is not all digits. */
static bool parse_id(const char *s, unsigned long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno == 0 && *end == '\0' && *out < (unsigned long)UINT32_MAX;
}

static int resolve_user(const char *user, uid_t *uid, gid_t *primary)
{
	struct passwd pw, *res = nullptr;
	unsigned long id;
	char *buf;
	int rc;

	buf = malloc(PRIV_NSS_BUF);
	if (!buf)
		return -ENOMEM;
	rc = getpwnam_r(user, &pw, buf, PRIV_NSS_BUF, &res);
	if (rc == 0 && !res && parse_id(user, &id))
		rc = getpwuid_r((uid_t)id, &pw, buf, PRIV_NSS_BUF, &res);
	if (res) {
		*uid = pw.pw_uid;
		*primary = pw.pw_gid;
		rc = 0;
	} else if (parse_id(user, &id)) {
		/* A numeric uid without a passwd entry: its group must be given. */
		*uid = (uid_t)id;
		*primary = (gid_t)-1;
		rc = 0;
	} else {
		rc = rc ? -rc : -ENOENT;
	}
	free(buf);
	return rc;
}

static int resolve_group(const char *group, gid_t *gid)
{
	struct group gr, *res = nullptr;
	unsigned long id;
	char *buf;
	int rc;

	buf = malloc(PRIV_NSS_BUF);
	if (!buf)
		return -ENOMEM;
	rc = getgrnam_r(group, &gr, buf, PRIV_NSS_BUF, &res);
	if (res) {
		*gid = gr.gr_gid;
		rc = 0;
	} else if (parse_id(group, &id)) {
		*gid = (gid_t)id;
		rc = 0;
	} else {
		rc = rc ? -rc : -ENOENT;
	}
	free(buf);
	return rc;
}

/* Threads in this process, or -errno when /proc is unavailable. */
static int thread_count(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static bool have_effective(cap_value_t cap)
{
	cap_flag_value_t v = CAP_CLEAR;
	cap_t c = cap_get_proc();

	if (!c)
		return false;
	if (cap_get_flag(c, cap, CAP_EFFECTIVE, &v) < 0)
		v = CAP_CLEAR;
	cap_free(c);
	return v == CAP_SET;
}

/* Removes from the bounding set every capability not in mask (needs CAP_SETPCAP). */
static int drop_bounding(uint64_t mask, unsigned ncaps)
{
	if (!have_effective(CAP_SETPCAP))
		return 0; /* unprivileged: no-new-privs makes the bounding set moot */
	for (unsigned c = 0; c < ncaps; c++) {
		if (mask & SANDBOX_CAP(c))
			continue;
		if (cap_get_bound((cap_value_t)c) > 0 && cap_drop_bound((cap_value_t)c) < 0)
			return -errno;
	}
	return 0;
}

/* Permitted = effective = mask; inheritable and ambient empty. */
static int set_caps(uint64_t mask, unsigned ncaps)
{
	cap_t c = cap_init();
	int ret = 0;

	if (!c)
		return -ENOMEM;
	for (unsigned i = 0; i < ncaps && ret == 0; i++) {
		cap_value_t v = (cap_value_t)i;

		if (!(mask & SANDBOX_CAP(i)))
			continue;
		if (cap_set_flag(c, CAP_PERMITTED, 1, &v, CAP_SET) < 0 ||
		    cap_set_flag(c, CAP_EFFECTIVE, 1, &v, CAP_SET) < 0)
			ret = -errno;
	}
	if (ret == 0 && cap_set_proc(c) < 0)
		ret = -errno;
	cap_free(c);
	if (ret == 0 && CAP_AMBIENT_SUPPORTED() && cap_reset_ambient() < 0)
		ret = -errno;
	return ret;
}

/* Checks that the ids stick and root cannot be regained. */
static int verify(uid_t uid, gid_t gid)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0)
		return -errno;
	if (ru != uid || eu != uid || su != uid || rg != gid || eg != gid || sg != gid)
		return -EPERM;
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
		return -EPERM;
	return 0;
}

static int change_ids(uid_t uid, gid_t gid, bool keepcaps)
{
	if (keepcaps && prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L) < 0)
		return -errno;
	if (setgroups(1, &gid) < 0)
		return -errno;
	if (setresgid(gid, gid, gid) < 0)
		return -errno;
	if (setresuid(uid, uid, uid) < 0)
		return -errno;
	if (keepcaps && prctl(PR_SET_KEEPCAPS, 0L, 0L, 0L, 0L) < 0)
		return -errno;
	return 0;
}

int sandbox_drop_privileges(const char *user, const char *group, const struct sandbox_caps *keep)
{
	uint64_t mask = keep ? keep->mask : 0;
	unsigned ncaps = (unsigned)cap_max_bits();
	uid_t uid = getuid();
	gid_t gid = getgid(), primary = (gid_t)-1;
	bool change;
	int ret;

	if (ncaps > 64 || (ncaps < 64 && (mask >> ncaps) != 0)) {
		log_msg(LOG_ERR, "sandbox: capability mask %#llx names unknown capabilities",
			(unsigned long long)mask);
		return -EINVAL;
	}
	if (user) {
		ret = resolve_user(user, &uid, &primary);
		if (ret) {
			log_msg(LOG_ERR, "sandbox: run-as-user '%s': %s", user, strerror(-ret));
			return ret;
		}
		gid = primary;
	}
	if (group) {
		ret = resolve_group(group, &gid);
		if (ret) {
			log_msg(LOG_ERR, "sandbox: run-as-group '%s': %s", group, strerror(-ret));
			return ret;
		}
	}
	if (gid == (gid_t)-1) {
		log_msg(LOG_ERR, "sandbox: run-as-user '%s' has no passwd entry: give run-as-group",
			user);
		return -ENOENT;
	}
	ret = thread_count();
	if (ret > 1) {
		log_msg(LOG_ERR, "sandbox: dropping privileges with %d threads running", ret);
		return -EBUSY;
	}
	change = uid != getuid() || uid != geteuid() || gid != getgid() || gid != getegid();
	if (change && geteuid() != 0) {
		log_msg(LOG_ERR, "sandbox: not root: cannot switch to uid %u gid %u", (unsigned)uid,
			(unsigned)gid);
		return -EPERM;
	}
	ret = drop_bounding(mask, ncaps);
	if (ret == 0 && geteuid() == 0)
		ret = change_ids(uid, gid, mask != 0);
	if (ret == 0)
		ret = set_caps(mask, ncaps);
	if (ret == 0 && prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) < 0)
		ret = -errno;
	if (ret == 0 && prctl(PR_SET_DUMPABLE, 0L, 0L, 0L, 0L) < 0)
		ret = -errno;
	if (ret == 0)
		ret = verify(uid, gid);
	if (ret) {
		log_msg(LOG_ERR, "sandbox: cannot drop privileges to uid %u gid %u: %s",
			(unsigned)uid, (unsigned)gid, strerror(-ret));
		return ret;
	}
	log_msg(LOG_INFO, "sandbox: running as uid %u gid %u, capabilities %#llx", (unsigned)uid,
		(unsigned)gid, (unsigned long long)mask);
	return 0;
}
