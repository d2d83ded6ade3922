// SPDX-License-Identifier: GPL-2.0-or-later
/* script/script_env.c — the bounded environment handed to connect/disconnect/host-update scripts
 * and ocserv's variable set (REASON, USERNAME, …, OCSERV_ROUTES*). No I/O. */
#include "script/script.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdckdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void script_env_init(struct script_env *e)
{
	*e = (struct script_env){};
}

void script_env_fini(struct script_env *e)
{
	for (size_t i = 0; i < e->len; i++)
		free(e->vars[i]);
	*e = (struct script_env){};
}

static bool name_is_valid(const char *name)
{
	size_t len = strnlen(name, SCRIPT_ENV_NAME_MAX + 1);

	if (len == 0 || len > SCRIPT_ENV_NAME_MAX || (name[0] >= '0' && name[0] <= '9'))
		return false;
	for (const char *p = name; *p; p++) {
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	}
	return true;
}

/* Index of name in e->vars, or e->len. */
static size_t env_find(const struct script_env *e, const char *name)
{
	size_t nlen = strlen(name);

	for (size_t i = 0; i < e->len; i++) {
		if (!strncmp(e->vars[i], name, nlen) && e->vars[i][nlen] == '=')
			return i;
	}
	return e->len;
}

int script_env_set(struct script_env *e, const char *name, const char *value)
{
	size_t vlen, size, old = 0, total, i;
	char *var;

	if (!name_is_valid(name))
		return -EINVAL;
	vlen = strnlen(value, SCRIPT_ENV_VALUE_MAX + 1);
	if (vlen > SCRIPT_ENV_VALUE_MAX)
		return -E2BIG;
	if (strpbrk(value, "\n\r"))
		return -EINVAL; /* a newline would forge a second line in whatever the script logs
				 */
	size = strlen(name) + 1 + vlen + 1;
	i = env_find(e, name);
	if (i < e->len)
		old = strlen(e->vars[i]) + 1;
	else if (e->len >= SCRIPT_ENV_MAX)
		return -E2BIG;
	if (ckd_add(&total, e->bytes - old, size) || total > SCRIPT_ENV_TOTAL_MAX)
		return -E2BIG;
	var = malloc(size);
	if (!var)
		return -ENOMEM;
	snprintf(var, size, "%s=%s", name, value);
	if (i < e->len) {
		free(e->vars[i]);
	} else {
		e->len++;
		e->vars[e->len] = nullptr;
	}
	e->vars[i] = var;
	e->bytes = total;
	return 0;
}

int script_env_set_u64(struct script_env *e, const char *name, uint64_t value)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, value);
	return script_env_set(e, name, buf);
}

const char *script_env_get(const struct script_env *e, const char *name)
{
	size_t i = env_find(e, name);

	return i < e->len ? e->vars[i] + strlen(name) + 1 : nullptr;
}

static int set_opt(struct script_env *e, const char *name, const char *value)
{
	return value ? script_env_set(e, name, value) : 0;
}

static void prefix_format(const struct cfg_prefix *p, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(p->family, &p->addr, a, sizeof(a));
	snprintf(buf, size, "%s/%u", a, p->prefix_len);
}

/* Space-separated text of the prefixes of one family (0 = both) into buf. -E2BIG if it does not
 * fit. */
static int prefixes_join(const struct cfg_prefixlist *l, int family, char *buf, size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < l->len; i++) {
		char one[INET6_ADDRSTRLEN + 8];
		int n;

		if (family && l->items[i].family != family)
			continue;
		prefix_format(&l->items[i], one, sizeof(one));
		n = snprintf(buf + off, size - off, "%s%s", off ? " " : "", one);
		if (n < 0 || (size_t)n >= size - off)
			return -E2BIG;
		off += (size_t)n;
	}
	return 0;
}

static int addrs_join(const struct cfg_strlist *l, int family, char *buf, size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < l->len; i++) {
		bool v6 = strchr(l->items[i], ':') != nullptr;
		int n;

		if ((family == AF_INET && v6) || (family == AF_INET6 && !v6))
			continue;
		n = snprintf(buf + off, size - off, "%s%s", off ? " " : "", l->items[i]);
		if (n < 0 || (size_t)n >= size - off)
			return -E2BIG;
		off += (size_t)n;
	}
	return 0;
}

static int set_lists(struct script_env *e, const struct session_config *sc, char *buf, size_t size)
{
	static const struct {
		const char *suffix;
		int family;
	} fams[] = {{"", 0}, {"4", AF_INET}, {"6", AF_INET6}};
	char name[SCRIPT_ENV_NAME_MAX + 1];
	int ret;

	for (size_t i = 0; i < sizeof(fams) / sizeof(fams[0]); i++) {
		snprintf(name, sizeof(name), "OCSERV_ROUTES%s", fams[i].suffix);
		ret = prefixes_join(&sc->routes, fams[i].family, buf, size);
		if (ret == 0)
			ret = script_env_set(e, name, buf);
		if (ret < 0)
			return ret;
		snprintf(name, sizeof(name), "OCSERV_NO_ROUTES%s", fams[i].suffix);
		ret = prefixes_join(&sc->no_routes, fams[i].family, buf, size);
		if (ret == 0)
			ret = script_env_set(e, name, buf);
		if (ret < 0)
			return ret;
		snprintf(name, sizeof(name), "OCSERV_DNS%s", fams[i].suffix);
		ret = addrs_join(&sc->dns, fams[i].family, buf, size);
		if (ret == 0)
			ret = script_env_set(e, name, buf);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int script_env_build(struct script_env *e, const struct script_info *info,
		     const struct session_config *sc)
{
	static const char *const reasons[] = {
		[SCRIPT_CONNECT] = "connect",
		[SCRIPT_DISCONNECT] = "disconnect",
		[SCRIPT_HOST_UPDATE] = "host-update",
	};
	char *buf = nullptr;
	int ret;

	if (info->reason > SCRIPT_HOST_UPDATE)
		return -EINVAL;
	ret = script_env_set(e, "REASON", reasons[info->reason]);
	if (ret == 0)
		ret = set_opt(e, "VHOST", info->vhost);
	if (ret == 0)
		ret = set_opt(e, "USERNAME", info->username);
	if (ret == 0)
		ret = set_opt(e, "GROUPNAME", info->groupname);
	if (ret == 0)
		ret = set_opt(e, "HOSTNAME", info->hostname);
	if (ret == 0)
		ret = set_opt(e, "REMOTE_HOSTNAME", info->hostname);
	if (ret == 0)
		ret = set_opt(e, "DEVICE", info->device);
	if (ret == 0)
		ret = script_env_set(e, "USER_AGENT", info->user_agent ? info->user_agent : "");
	if (ret == 0)
		ret = script_env_set(e, "DEVICE_TYPE", info->device_type ? info->device_type : "");
	if (ret == 0)
		ret = script_env_set(e, "DEVICE_PLATFORM",
				     info->device_platform ? info->device_platform : "");
	if (ret == 0)
		ret = set_opt(e, "IP_REAL", info->ip_real);
	if (ret == 0)
		ret = set_opt(e, "IP_REAL_LOCAL", info->ip_real_local);
	if (ret == 0)
		ret = set_opt(e, "IP_LOCAL", info->ip_local);
	if (ret == 0)
		ret = set_opt(e, "IP_REMOTE", info->ip_remote);
	if (ret == 0)
		ret = set_opt(e, "IPV6_LOCAL", info->ipv6_local);
	if (ret == 0)
		ret = set_opt(e, "IPV6_REMOTE", info->ipv6_remote);
	if (ret == 0 && info->ipv6_prefix)
		ret = script_env_set_u64(e, "IPV6_PREFIX", info->ipv6_prefix);
	if (ret == 0)
		ret = script_env_set_u64(e, "ID", info->id);
	if (ret == 0 && info->have_stats) {
		ret = script_env_set_u64(e, "STATS_BYTES_IN", info->bytes_in);
		if (ret == 0)
			ret = script_env_set_u64(e, "STATS_BYTES_OUT", info->bytes_out);
		if (ret == 0)
			ret = script_env_set_u64(e, "STATS_DURATION", info->duration_s);
	}
	if (ret == 0 && sc && sc->restrict_user_to_routes)
		ret = script_env_set(e, "OCSERV_RESTRICT_TO_ROUTES", "1");
	if (ret == 0 && sc) {
		buf = malloc(SCRIPT_ENV_VALUE_MAX + 1);
		ret = buf ? set_lists(e, sc, buf, SCRIPT_ENV_VALUE_MAX + 1) : -ENOMEM;
	}
	free(buf);
	return ret;
}
