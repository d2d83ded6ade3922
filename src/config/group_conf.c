// SPDX-License-Identifier: GPL-2.0-or-later
/* config/group_conf.c — per-user and per-group configuration files (ocserv's config-per-user,
 * config-per-group, default-*-config): safe file names, the key subset they may set, and the merge
 * global → group → user into a session_config. Also the main-file setters of the issue #6 keys. */
#include "config/group_conf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdckdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "core/compiler.h"
#include "core/log.h"

enum { GK_NETMASK = GCK__COUNT, GK__SEEN };   /* ipv4-netmask has no field of its own */
enum { U_MAX = 1000000, SEC_MAX = 31536000 }; /* as directives.c */

struct gc_ctx {
	struct group_config *g;
	unsigned seen[GK__SEEN]; /* line a key was first set on; 0 = never */
	struct cfg_prefix v4_net;
	bool v4_has_len;
	unsigned v4_mask_len;
};

struct gkey;
typedef int gkey_set_fn(struct gc_ctx *c, const struct gkey *k, void *field, const char *value,
			char *why, size_t why_len);

struct gkey {
	const char *name;
	unsigned key; /* enum group_config_key, or GK_NETMASK */
	gkey_set_fn *set;
	size_t offset; /* into struct group_config */
	bool multi;
	unsigned min, max;
};

/* ---- value setters ---- */

static int gset_uint(struct gc_ctx *c, const struct gkey *k, void *field, const char *value,
		     char *why, size_t why_len)
{
	(void)c;
	return conf_uint_parse(value, k->min, k->max, field, why, why_len);
}

static int gset_bool(struct gc_ctx *c, const struct gkey *k, void *field, const char *value,
		     char *why, size_t why_len)
{
	(void)c;
	(void)k;
	return conf_bool_parse(value, field, why, why_len);
}

/* route, no-route, iroute; "default" only for route. */
static int gset_route(struct gc_ctx *c, const struct gkey *k, void *field, const char *value,
		      char *why, size_t why_len)
{
	struct cfg_prefixlist *l = field;
	struct cfg_prefix p;
	bool has_len;
	int ret;

	if (!strcmp(value, "default")) {
		if (k->key != GCK_ROUTE) {
			snprintf(why, why_len, "\"default\" is only valid for route");
			return -EINVAL;
		}
		c->g->route_default = true;
		return 0;
	}
	if (conf_prefix_parse(value, 0, &p, &has_len, why, why_len) < 0)
		return -EINVAL;
	if (k->key == GCK_IROUTE && l->len >= GROUP_CONF_IROUTES_MAX) {
		snprintf(why, why_len, "more than %d iroutes", GROUP_CONF_IROUTES_MAX);
		return -EINVAL;
	}
	ret = conf_list_grow((void **)&l->items, l->len, sizeof(*l->items), why, why_len);
	if (ret < 0)
		return ret;
	l->items[l->len++] = p;
	return 0;
}

static int gset_dns(struct gc_ctx *c, const struct gkey *k, void *field, const char *value,
		    char *why, size_t why_len)
{
	(void)c;
	(void)k;
	if (!conf_ip_is_literal(value)) {
		snprintf(why, why_len, "\"%.64s\" is not an IPv4 or IPv6 address", value);
		return -EINVAL;
	}
	return conf_strlist_add(field, value, why, why_len);
}

static int gset_split_dns(struct gc_ctx *c, const struct gkey *k, void *field, const char *value,
			  char *why, size_t why_len)
{
	(void)c;
	(void)k;
	if (!conf_dns_name_is_valid(value, true)) {
		snprintf(why, why_len, "\"%.64s\" is not a domain name", value);
		return -EINVAL;
	}
	return conf_strlist_add(field, value, why, why_len);
}

/* One domain or several separated by spaces, as the main file's default-domain. */
static int gset_domains(struct gc_ctx *c, const struct gkey *k, void *field, const char *value,
			char *why, size_t why_len)
{
	char copy[CONF_LINE_MAX + 1];
	char *save = nullptr;
	size_t n = 0;

	(void)c;
	(void)k;
	snprintf(copy, sizeof(copy), "%s", value);
	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(nullptr, " ", &save), n++) {
		if (!conf_dns_name_is_valid(t, false)) {
			snprintf(why, why_len, "\"%.64s\" is not a domain name", t);
			return -EINVAL;
		}
	}
	if (n == 0) {
		snprintf(why, why_len, "empty value");
		return -EINVAL;
	}
	return conf_store_str(field, value);
}

static int gset_hostname(struct gc_ctx *c, const struct gkey *k, void *field, const char *value,
			 char *why, size_t why_len)
{
	(void)c;
	(void)k;
	if (!conf_dns_name_is_valid(value, false)) {
		snprintf(why, why_len, "\"%.64s\" is not a host name", value);
		return -EINVAL;
	}
	return conf_store_str(field, value);
}

/* Without a length the host-bit check waits for ipv4-netmask (gc_check_ipv4()). */
static int gset_ipv4_network(struct gc_ctx *c, const struct gkey *k, void *field, const char *value,
			     char *why, size_t why_len)
{
	(void)k;
	(void)field;
	if (!strchr(value, '/')) {
		c->v4_has_len = false;
		if (inet_pton(AF_INET, value, &c->v4_net.addr.v4) != 1) {
			snprintf(why, why_len, "\"%.64s\" is not an IPv4 network", value);
			return -EINVAL;
		}
		c->v4_net.family = AF_INET;
		return 0;
	}
	return conf_prefix_parse(value, AF_INET, &c->v4_net, &c->v4_has_len, why, why_len);
}

static int gset_ipv4_netmask(struct gc_ctx *c, const struct gkey *k, void *field, const char *value,
			     char *why, size_t why_len)
{
	(void)k;
	(void)field;
	return conf_netmask4_parse(value, &c->v4_mask_len, why, why_len);
}

static int gset_ipv6_network(struct gc_ctx *c, const struct gkey *k, void *field, const char *value,
			     char *why, size_t why_len)
{
	struct cfg_prefix p;
	bool has_len;

	(void)c;
	(void)k;
	if (conf_prefix_parse(value, AF_INET6, &p, &has_len, why, why_len) < 0)
		return -EINVAL;
	if (!has_len || p.prefix_len < 1 || p.prefix_len > 127) {
		snprintf(why, why_len, "\"%.64s\" needs a prefix length 1..127", value);
		return -EINVAL;
	}
	*(struct cfg_prefix *)field = p;
	return 0;
}

static int gset_explicit_ipv4(struct gc_ctx *c, const struct gkey *k, void *field,
			      const char *value, char *why, size_t why_len)
{
	struct cfg_prefix p;
	bool has_len;

	(void)c;
	(void)k;
	if (conf_prefix_parse(value, AF_INET, &p, &has_len, why, why_len) < 0)
		return -EINVAL;
	if (has_len) {
		snprintf(why, why_len, "\"%.64s\" must be a single IPv4 address", value);
		return -EINVAL;
	}
	*(struct cfg_prefix *)field = p;
	return 0;
}

static int gset_explicit_ipv6(struct gc_ctx *c, const struct gkey *k, void *field,
			      const char *value, char *why, size_t why_len)
{
	bool has_len;

	(void)c;
	(void)k;
	return conf_prefix_parse(value, AF_INET6, field, &has_len, why, why_len);
}

#define G(member)		   offsetof(struct group_config, member)
#define ONE(n, k, fn, off, lo, hi) {n, k, fn, off, false, lo, hi}
#define MANY(n, k, fn, off)	   {n, k, fn, off, true, 0, 0}

/* The keys ocserv's man page allows in per-user/per-group files that this server implements. */
static const struct gkey gkeys[] = {
	MANY("route", GCK_ROUTE, gset_route, G(routes)),
	MANY("no-route", GCK_NO_ROUTE, gset_route, G(no_routes)),
	MANY("dns", GCK_DNS, gset_dns, G(dns)),
	MANY("split-dns", GCK_SPLIT_DNS, gset_split_dns, G(split_dns)),
	ONE("default-domain", GCK_DEFAULT_DOMAIN, gset_domains, G(default_domain), 0, 0),
	ONE("ipv4-network", GCK_IPV4_NETWORK, gset_ipv4_network, G(ipv4_network), 0, 0),
	ONE("ipv4-netmask", GK_NETMASK, gset_ipv4_netmask, G(ipv4_network), 0, 0),
	ONE("ipv6-network", GCK_IPV6_NETWORK, gset_ipv6_network, G(ipv6_network), 0, 0),
	ONE("ipv6-subnet-prefix", GCK_IPV6_SUBNET_PREFIX, gset_uint, G(ipv6_subnet_prefix), 1, 128),
	ONE("explicit-ipv4", GCK_EXPLICIT_IPV4, gset_explicit_ipv4, G(explicit_ipv4), 0, 0),
	ONE("explicit-ipv6", GCK_EXPLICIT_IPV6, gset_explicit_ipv6, G(explicit_ipv6), 0, 0),
	MANY("iroute", GCK_IROUTE, gset_route, G(iroutes)),
	ONE("restrict-user-to-routes", GCK_RESTRICT_USER_TO_ROUTES, gset_bool,
	    G(restrict_user_to_routes), 0, 0),
	ONE("rx-data-per-sec", GCK_RX_DATA_PER_SEC, gset_uint, G(rx_data_per_sec), 0, UINT_MAX),
	ONE("tx-data-per-sec", GCK_TX_DATA_PER_SEC, gset_uint, G(tx_data_per_sec), 0, UINT_MAX),
	ONE("idle-timeout", GCK_IDLE_TIMEOUT, gset_uint, G(idle_timeout_s), 0, SEC_MAX),
	ONE("mobile-idle-timeout", GCK_MOBILE_IDLE_TIMEOUT, gset_uint, G(mobile_idle_timeout_s), 0,
	    SEC_MAX),
	ONE("session-timeout", GCK_SESSION_TIMEOUT, gset_uint, G(session_timeout_s), 0, SEC_MAX),
	ONE("dpd", GCK_DPD, gset_uint, G(dpd_s), 0, 86400),
	ONE("mobile-dpd", GCK_MOBILE_DPD, gset_uint, G(mobile_dpd_s), 0, 86400),
	ONE("keepalive", GCK_KEEPALIVE, gset_uint, G(keepalive_s), 0, 86400),
	ONE("tunnel-all-dns", GCK_TUNNEL_ALL_DNS, gset_bool, G(tunnel_all_dns), 0, 0),
	ONE("deny-roaming", GCK_DENY_ROAMING, gset_bool, G(deny_roaming), 0, 0),
	ONE("hostname", GCK_HOSTNAME, gset_hostname, G(hostname), 0, 0),
	ONE("max-same-clients", GCK_MAX_SAME_CLIENTS, gset_uint, G(max_same_clients), 0, U_MAX),
	ONE("mtu", GCK_MTU, gset_uint, G(mtu), 576, 9000),
};

/* Allowed per user/group by ocserv, not implemented here: refused rather than ignored. */
static const char *const gkeys_later[] = {
	"nbns",	  "net-priority", "no-udp", "cgroup", "stats-report-time", "restrict-user-to-ports",
	"banner",
};

static int gc_on_line(void *opaque, const char *key, const char *value, const struct cfg_pos *pos,
		      char err[CONFIG_ERR_LEN])
{
	struct gc_ctx *c = opaque;
	char why[CONF_WHY_LEN] = "";
	const struct gkey *k = nullptr;
	enum conf_class cls;
	int ret;

	for (size_t i = 0; i < ARRAY_SIZE(gkeys) && !k; i++) {
		if (!strcmp(gkeys[i].name, key))
			k = &gkeys[i];
	}
	if (!k) {
		for (size_t i = 0; i < ARRAY_SIZE(gkeys_later); i++) {
			if (!strcmp(gkeys_later[i], key)) {
				conf_err(err, pos, key, "not supported yet");
				return -EINVAL;
			}
		}
		if (conf_directive_class(key, &cls) == 0)
			conf_err(err, pos, key, "not allowed in a per-user or per-group file");
		else
			conf_err(err, pos, key, "unknown option");
		return -EINVAL;
	}
	if (c->seen[k->key] && !k->multi) {
		conf_err(err, pos, key, "given twice (first on line %u)", c->seen[k->key]);
		return -EINVAL;
	}
	ret = k->set(c, k, (char *)c->g + k->offset, value, why, sizeof(why));
	if (ret == -ENOMEM) {
		conf_err(err, pos, key, "out of memory");
		return ret;
	}
	if (ret < 0) {
		conf_err(err, pos, key, "%s", why);
		return -EINVAL;
	}
	if (!c->seen[k->key])
		c->seen[k->key] = pos->line;
	if (k->key < GCK__COUNT)
		c->g->set |= UINT32_C(1) << k->key;
	return 0;
}

/* ipv4-network with its length or ipv4-netmask, with the main file's rules and messages. */
static int gc_check_ipv4(struct gc_ctx *c, const char *file, char err[CONFIG_ERR_LEN])
{
	struct cfg_pos net = {file, c->seen[GCK_IPV4_NETWORK]};
	struct cfg_pos mask = {file, c->seen[GK_NETMASK]};
	struct cfg_prefix p = c->v4_net;
	struct cfg_prefix checked;
	char why[CONF_WHY_LEN];
	char text[INET6_ADDRSTRLEN + 8];
	bool has_len;

	if (!net.line) {
		if (mask.line) {
			conf_err(err, &mask, "ipv4-netmask", "given without ipv4-network");
			return -EINVAL;
		}
		return 0;
	}
	if (c->v4_has_len && mask.line && c->v4_mask_len != p.prefix_len) {
		conf_err(err, &mask, "ipv4-netmask", "/%u conflicts with ipv4-network /%u",
			 c->v4_mask_len, p.prefix_len);
		return -EINVAL;
	}
	if (!c->v4_has_len) {
		if (!mask.line) {
			conf_err(err, &net, "ipv4-network", "needs a /length or ipv4-netmask");
			return -EINVAL;
		}
		p.prefix_len = c->v4_mask_len;
	}
	if (p.prefix_len < 1 || p.prefix_len > 30) {
		conf_err(err, &net, "ipv4-network",
			 "prefix /%u must be 1..30 to leave room for clients", p.prefix_len);
		return -EINVAL;
	}
	/* Host bits: let the prefix parser judge the combined "addr/len". */
	conf_prefix_format(&p, text, sizeof(text));
	if (conf_prefix_parse(text, AF_INET, &checked, &has_len, why, sizeof(why)) < 0) {
		conf_err(err, &net, "ipv4-network", "%s", why);
		return -EINVAL;
	}
	c->g->ipv4_network = p;
	return 0;
}

static int gc_check(struct gc_ctx *c, const char *file, char err[CONFIG_ERR_LEN])
{
	const struct group_config *g = c->g;
	int ret;

	ret = gc_check_ipv4(c, file, err);
	if (ret < 0)
		return ret;
	if (group_config_has(g, GCK_IPV6_NETWORK) && group_config_has(g, GCK_IPV6_SUBNET_PREFIX) &&
	    g->ipv6_subnet_prefix <= g->ipv6_network.prefix_len) {
		struct cfg_pos sub = {file, c->seen[GCK_IPV6_SUBNET_PREFIX]};

		conf_err(err, &sub, "ipv6-subnet-prefix",
			 "/%u must be longer than the ipv6-network prefix /%u",
			 g->ipv6_subnet_prefix, g->ipv6_network.prefix_len);
		return -EINVAL;
	}
	return 0;
}

static void strlist_fini(struct cfg_strlist *l)
{
	for (size_t i = 0; i < l->len; i++)
		free(l->items[i]);
	free(l->items);
	*l = (struct cfg_strlist){};
}

void group_config_free(struct group_config *g)
{
	if (!g)
		return;
	free(g->path);
	free(g->routes.items);
	free(g->no_routes.items);
	strlist_fini(&g->dns);
	strlist_fini(&g->split_dns);
	free(g->default_domain);
	free(g->iroutes.items);
	free(g->hostname);
	free(g);
}

int group_config_parse_buffer(const char *name, enum group_config_kind kind, const char *text,
			      size_t len, struct group_config **out, char err[CONFIG_ERR_LEN])
{
	struct group_config *g;
	struct gc_ctx *c = nullptr;
	int ret;

	*out = nullptr;
	err[0] = '\0';
	if (len > GROUP_CONF_FILE_MAX) {
		snprintf(err, CONFIG_ERR_LEN, "%s: larger than %d bytes", name,
			 GROUP_CONF_FILE_MAX);
		return -E2BIG;
	}
	g = calloc(1, sizeof(*g));
	c = calloc(1, sizeof(*c));
	if (!g || !c || !(g->path = strdup(name))) {
		snprintf(err, CONFIG_ERR_LEN, "%s: out of memory", name);
		ret = -ENOMEM;
		goto out;
	}
	g->kind = kind;
	c->g = g;
	ret = conf_parse_buffer(g->path, text, len, gc_on_line, c, nullptr, err);
	if (ret < 0)
		goto out;
	ret = gc_check(c, g->path, err);
	if (ret < 0)
		goto out;
	*out = g;
	g = nullptr; /* owned by the caller */
out:
	free(c);
	group_config_free(g);
	return ret;
}

bool group_config_name_is_valid(const char *name)
{
	size_t len = strnlen(name, GROUP_CONF_NAME_MAX + 1);

	if (len == 0 || len > GROUP_CONF_NAME_MAX || name[0] == '.')
		return false;
	for (const char *p = name; *p; p++) {
		char ch = *p;

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '@' ||
		      ch == '+' || ch == '-'))
			return false;
	}
	return true;
}

/* Reads a whole regular file of at most GROUP_CONF_FILE_MAX bytes into *text (caller frees).
 * O_NONBLOCK: a FIFO planted in the directory must not block the open. */
static int read_small_file(const char *path, char **text, size_t *len)
{
	struct stat st;
	char *buf = nullptr;
	size_t got = 0;
	int fd, ret;

	*text = nullptr;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		goto out;
	}
	buf = malloc(GROUP_CONF_FILE_MAX + 1);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	while (got < GROUP_CONF_FILE_MAX + 1) {
		ssize_t n = read(fd, buf + got, GROUP_CONF_FILE_MAX + 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got > GROUP_CONF_FILE_MAX) {
		ret = -E2BIG;
		goto out;
	}
	*text = buf;
	*len = got;
	buf = nullptr;
	ret = 0;
out:
	free(buf);
	close(fd);
	return ret;
}

static int load_file(const char *path, enum group_config_kind kind, struct group_config **out,
		     char err[CONFIG_ERR_LEN])
{
	char *text = nullptr;
	size_t len = 0;
	int ret;

	ret = read_small_file(path, &text, &len);
	if (ret == -E2BIG) {
		snprintf(err, CONFIG_ERR_LEN, "%s: larger than %d bytes", path,
			 GROUP_CONF_FILE_MAX);
		return ret;
	}
	if (ret == -EINVAL) {
		snprintf(err, CONFIG_ERR_LEN, "%s: not a regular file", path);
		return ret;
	}
	if (ret < 0) {
		snprintf(err, CONFIG_ERR_LEN, "%s: cannot open: %s", path, strerror(-ret));
		return ret;
	}
	ret = group_config_parse_buffer(path, kind, text, len, out, err);
	free(text);
	if (ret) {
		group_config_free(*out);
		*out = nullptr;
	}
	return ret;
}

/* A copy of untrusted text safe for one log/error line: printable ASCII, at most 64 bytes. */
static void name_sanitize(const char *in, char *buf, size_t size)
{
	size_t i = 0;

	for (; in[i] && i < 64 && i + 1 < size; i++)
		buf[i] = (in[i] >= 0x20 && in[i] < 0x7f && in[i] != '"') ? in[i] : '?';
	buf[i] = '\0';
}

int group_config_load(const struct config *cfg, enum group_config_kind kind, const char *name,
		      struct group_config **out, char err[CONFIG_ERR_LEN])
{
	bool user = kind == GROUP_CONFIG_USER;
	const char *dir = user ? cfg->config_per_user : cfg->config_per_group;
	const char *def = user ? cfg->default_user_config : cfg->default_group_config;
	char path[PATH_MAX];
	size_t dlen;
	int n, ret;

	*out = nullptr;
	err[0] = '\0';
	if (!dir)
		return 0; /* as ocserv: the default file only backs up a configured directory */
	/* Checked before the name gets anywhere near a path (§8.1). */
	if (!name || !group_config_name_is_valid(name)) {
		char safe[72];

		name_sanitize(name ? name : "", safe, sizeof(safe));
		snprintf(err, CONFIG_ERR_LEN, "%s: \"%s\" is not a valid %s name for a file",
			 user ? "config-per-user" : "config-per-group", safe,
			 user ? "user" : "group");
		return -EINVAL;
	}
	dlen = strlen(dir);
	n = snprintf(path, sizeof(path), "%s%s%s", dir, dlen && dir[dlen - 1] == '/' ? "" : "/",
		     name);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		snprintf(err, CONFIG_ERR_LEN, "%s: path too long", dir);
		return -ENAMETOOLONG;
	}
	ret = load_file(path, kind, out, err);
	if (ret != -ENOENT)
		return ret;
	err[0] = '\0';
	if (!def)
		return 0;
	return load_file(def, kind, out, err);
}

/* ---- session_config: global → group → user ---- */

static int prefixlist_copy(struct cfg_prefixlist *dst, const struct cfg_prefixlist *src)
{
	*dst = (struct cfg_prefixlist){};
	if (!src->len)
		return 0;
	dst->items = calloc(src->len, sizeof(*src->items));
	if (!dst->items)
		return -ENOMEM;
	memcpy(dst->items, src->items, src->len * sizeof(*src->items));
	dst->len = src->len;
	return 0;
}

static int strlist_copy(struct cfg_strlist *dst, const struct cfg_strlist *src)
{
	*dst = (struct cfg_strlist){};
	if (!src->len)
		return 0;
	dst->items = calloc(src->len, sizeof(*src->items));
	if (!dst->items)
		return -ENOMEM;
	for (size_t i = 0; i < src->len; i++) {
		dst->items[i] = strdup(src->items[i]);
		if (!dst->items[i])
			return -ENOMEM; /* the caller frees what was copied */
		dst->len++;
	}
	return 0;
}

static int str_copy(char **dst, const char *src)
{
	*dst = nullptr;
	if (!src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : -ENOMEM;
}

void session_config_free(struct session_config *s)
{
	if (!s)
		return;
	free(s->routes.items);
	free(s->no_routes.items);
	strlist_fini(&s->dns);
	strlist_fini(&s->split_dns);
	free(s->default_domain);
	free(s->iroutes.items);
	free(s->hostname);
	free(s);
}

/* The most specific of usr, grp that sets k, or nullptr (then the global value applies). */
static const struct group_config *pick(const struct group_config *grp,
				       const struct group_config *usr, enum group_config_key k)
{
	if (group_config_has(usr, k))
		return usr;
	if (group_config_has(grp, k))
		return grp;
	return nullptr;
}

#define MERGE(field, key, global)                                                                  \
	do {                                                                                       \
		const struct group_config *src_ = pick(grp, usr, key);                             \
		s->field = src_ ? src_->field : (global);                                          \
	} while (0)

int session_config_build(const struct config *cfg, const struct group_config *grp,
			 const struct group_config *usr, struct session_config **out)
{
	const struct group_config *src;
	struct session_config *s;
	int ret;

	*out = nullptr;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;

	src = pick(grp, usr, GCK_ROUTE);
	ret = prefixlist_copy(&s->routes, src ? &src->routes : &cfg->routes);
	s->route_default = src ? src->route_default : cfg->route_default;
	src = pick(grp, usr, GCK_NO_ROUTE);
	if (ret == 0)
		ret = prefixlist_copy(&s->no_routes, src ? &src->no_routes : &cfg->no_routes);
	src = pick(grp, usr, GCK_DNS);
	if (ret == 0)
		ret = strlist_copy(&s->dns, src ? &src->dns : &cfg->dns);
	src = pick(grp, usr, GCK_SPLIT_DNS);
	if (ret == 0)
		ret = strlist_copy(&s->split_dns, src ? &src->split_dns : &cfg->split_dns);
	src = pick(grp, usr, GCK_DEFAULT_DOMAIN);
	if (ret == 0)
		ret = str_copy(&s->default_domain, src ? src->default_domain : cfg->default_domain);
	src = pick(grp, usr, GCK_IROUTE); /* no global iroute */
	if (ret == 0 && src)
		ret = prefixlist_copy(&s->iroutes, &src->iroutes);
	src = pick(grp, usr, GCK_HOSTNAME);
	if (ret == 0)
		ret = str_copy(&s->hostname, src ? src->hostname : nullptr);
	if (ret < 0)
		goto out;

	src = pick(grp, usr, GCK_IPV4_NETWORK);
	s->have_ipv4 = src || cfg->have_ipv4;
	s->ipv4_network = src ? src->ipv4_network : cfg->ipv4_network;
	src = pick(grp, usr, GCK_IPV6_NETWORK);
	s->have_ipv6 = src || cfg->have_ipv6;
	s->ipv6_network = src ? src->ipv6_network : cfg->ipv6_network;
	MERGE(ipv6_subnet_prefix, GCK_IPV6_SUBNET_PREFIX, cfg->ipv6_subnet_prefix);
	src = pick(grp, usr, GCK_EXPLICIT_IPV4);
	s->have_explicit_ipv4 = src != nullptr;
	if (src)
		s->explicit_ipv4 = src->explicit_ipv4;
	src = pick(grp, usr, GCK_EXPLICIT_IPV6);
	s->have_explicit_ipv6 = src != nullptr;
	if (src)
		s->explicit_ipv6 = src->explicit_ipv6;
	MERGE(restrict_user_to_routes, GCK_RESTRICT_USER_TO_ROUTES, false);
	MERGE(rx_data_per_sec, GCK_RX_DATA_PER_SEC, 0);
	MERGE(tx_data_per_sec, GCK_TX_DATA_PER_SEC, 0);
	MERGE(idle_timeout_s, GCK_IDLE_TIMEOUT, cfg->idle_timeout_s);
	MERGE(mobile_idle_timeout_s, GCK_MOBILE_IDLE_TIMEOUT, cfg->mobile_idle_timeout_s);
	MERGE(session_timeout_s, GCK_SESSION_TIMEOUT, cfg->session_timeout_s);
	MERGE(dpd_s, GCK_DPD, cfg->dpd_s);
	MERGE(mobile_dpd_s, GCK_MOBILE_DPD, cfg->mobile_dpd_s);
	MERGE(keepalive_s, GCK_KEEPALIVE, cfg->keepalive_s);
	MERGE(tunnel_all_dns, GCK_TUNNEL_ALL_DNS, cfg->tunnel_all_dns);
	MERGE(deny_roaming, GCK_DENY_ROAMING, cfg->deny_roaming);
	MERGE(max_same_clients, GCK_MAX_SAME_CLIENTS, cfg->max_same_clients);
	MERGE(mtu, GCK_MTU, cfg->mtu);

	if (s->have_ipv6 && s->ipv6_subnet_prefix <= s->ipv6_network.prefix_len) {
		const struct group_config *a = pick(grp, usr, GCK_IPV6_SUBNET_PREFIX);
		const struct group_config *b = pick(grp, usr, GCK_IPV6_NETWORK);

		log_msg(LOG_ERR,
			"config: ipv6-subnet-prefix /%u (%s) must be longer than ipv6-network /%u "
			"(%s)",
			s->ipv6_subnet_prefix, a ? a->path : cfg->path, s->ipv6_network.prefix_len,
			b ? b->path : cfg->path);
		ret = -EINVAL;
		goto out;
	}
	*out = s;
	s = nullptr; /* owned by the caller */
	ret = 0;
out:
	session_config_free(s);
	return ret;
}

/* ---- setters of the main file's issue #6 keys (rows in directives.c) ---- */

int group_conf__set_dir(struct conf_ctx *ctx, const struct directive *d, void *field,
			const char *value, char *why, size_t why_len)
{
	struct stat st;

	(void)ctx;
	(void)d;
	if (!*value) {
		snprintf(why, why_len, "empty value");
		return -EINVAL;
	}
	if (stat(value, &st) < 0) {
		snprintf(why, why_len, "\"%.64s\": %s", value, strerror(errno));
		return -EINVAL;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, why_len, "\"%.64s\" is not a directory", value);
		return -EINVAL;
	}
	return conf_store_str(field, value);
}

int group_conf__set_default_file(struct conf_ctx *ctx, const struct directive *d, void *field,
				 const char *value, char *why, size_t why_len)
{
	enum group_config_kind kind =
		field == &ctx->cfg->default_user_config ? GROUP_CONFIG_USER : GROUP_CONFIG_GROUP;
	struct group_config *g = nullptr;
	char err[CONFIG_ERR_LEN];
	int ret;

	(void)d;
	if (!*value) {
		snprintf(why, why_len, "empty value");
		return -EINVAL;
	}
	/* Parsed now so a broken default stops the server at start, not every login. */
	ret = load_file(value, kind, &g, err);
	group_config_free(g);
	if (ret == -ENOMEM)
		return ret;
	if (ret < 0) {
		snprintf(why, why_len, "%s", err);
		return -EINVAL;
	}
	return conf_store_str(field, value);
}

int group_conf__set_script(struct conf_ctx *ctx, const struct directive *d, void *field,
			   const char *value, char *why, size_t why_len)
{
	struct stat st;

	(void)ctx;
	(void)d;
	if (value[0] != '/') {
		snprintf(why, why_len, "\"%.64s\" must be an absolute path", value);
		return -EINVAL;
	}
	if (stat(value, &st) < 0) {
		snprintf(why, why_len, "\"%.64s\": %s", value, strerror(errno));
		return -EINVAL;
	}
	if (!S_ISREG(st.st_mode) || access(value, X_OK) < 0) {
		snprintf(why, why_len, "\"%.64s\" is not an executable file", value);
		return -EINVAL;
	}
	return conf_store_str(field, value);
}

static bool label_is_valid(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '[' || s[i] == ']')
			return false;
	}
	return true;
}

int group_conf__set_select_group(struct conf_ctx *ctx, const struct directive *d, void *field,
				 const char *value, char *why, size_t why_len)
{
	struct config *cfg = ctx->cfg;
	const char *open = strchr(value, '[');
	size_t nlen = open ? (size_t)(open - value) : strlen(value);
	struct cfg_select_group sg = {};
	char name[GROUP_CONF_NAME_MAX + 1];
	int ret;

	(void)d;
	(void)field;
	while (nlen > 0 && (value[nlen - 1] == ' ' || value[nlen - 1] == '\t'))
		nlen--; /* "group2 [Label]" */
	if (nlen == 0 || nlen > GROUP_CONF_NAME_MAX) {
		snprintf(why, why_len, "\"%.64s\": group name must be 1..%d characters", value,
			 GROUP_CONF_NAME_MAX);
		return -EINVAL;
	}
	memcpy(name, value, nlen);
	name[nlen] = '\0';
	if (!group_config_name_is_valid(name)) {
		snprintf(why, why_len, "\"%.64s\" is not a valid group name", name);
		return -EINVAL;
	}
	if (open) {
		size_t llen = strlen(open + 1);

		if (llen == 0 || open[llen] != ']' || !label_is_valid(open + 1, llen - 1)) {
			snprintf(why, why_len, "\"%.64s\" is not name or name[Label]", value);
			return -EINVAL;
		}
		sg.label = strndup(open + 1, llen - 1);
	} else {
		sg.label = strdup(name);
	}
	for (size_t i = 0; i < cfg->select_groups_len; i++) {
		if (!strcmp(cfg->select_groups[i].name, name)) {
			free(sg.label);
			snprintf(why, why_len, "\"%.64s\" is listed twice", name);
			return -EINVAL;
		}
	}
	ret = group_conf__select_group_append(cfg, name, sg.label, why, why_len);
	free(sg.label);
	return ret;
}

int group_conf__select_group_append(struct config *cfg, const char *name, const char *label,
				    char *why, size_t why_len)
{
	struct cfg_select_group sg = {.name = strdup(name),
				      .label = label ? strdup(label) : nullptr};
	int ret = sg.name && sg.label ? 0 : -ENOMEM;

	if (ret == 0)
		ret = conf_list_grow((void **)&cfg->select_groups, cfg->select_groups_len,
				     sizeof(sg), why, why_len);
	if (ret < 0) {
		free(sg.name);
		free(sg.label);
		return ret;
	}
	cfg->select_groups[cfg->select_groups_len++] = sg;
	return 0;
}

int group_conf__set_select_label(struct conf_ctx *ctx, const struct directive *d, void *field,
				 const char *value, char *why, size_t why_len)
{
	(void)ctx;
	(void)d;
	if (!label_is_valid(value, strlen(value))) {
		snprintf(why, why_len, "\"%.64s\" is not a group label", value);
		return -EINVAL;
	}
	return conf_store_str(field, value);
}

void group_conf__cfg_fini(struct config *cfg)
{
	free(cfg->config_per_user);
	free(cfg->config_per_group);
	free(cfg->default_user_config);
	free(cfg->default_group_config);
	for (size_t i = 0; i < cfg->select_groups_len; i++) {
		free(cfg->select_groups[i].name);
		free(cfg->select_groups[i].label);
	}
	free(cfg->select_groups);
	free(cfg->default_select_group);
	free(cfg->connect_script);
	free(cfg->disconnect_script);
	free(cfg->host_update_script);
}
