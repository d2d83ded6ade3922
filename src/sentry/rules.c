// SPDX-License-Identifier: GPL-2.0-or-later
/* sentry/rules.c — the JSON rule file (enable-wolfsentry / wolfsentry-config): strict
 * validation into struct sentry_rules, and the static-route decision. Pure but for _load. */
#include "sentry/sentry.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/compiler.h"

enum {
	RULES_PATH_LEN = 128,
	RULES_MAX_WINDOW_S = 86400,    /* interval, window: one day */
	RULES_MAX_COUNT = 1000000,     /* threshold, max-attempts */
	RULES_MAX_PENALTY_S = 2592000, /* penalty-time: 30 days */
	RULES_CONFIG_VERSION = 2,
};

struct rules_ctx {
	const char *name;
	char *err;
};

[[gnu::format(printf, 3, 4)]] static int fail(struct rules_ctx *c, const char *path,
					      const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (path[0])
		snprintf(c->err, SENTRY_ERR_LEN, "%s: %s: %s", c->name, path, msg);
	else
		snprintf(c->err, SENTRY_ERR_LEN, "%s: %s", c->name, msg);
	return -EINVAL;
}

static void join(char out[RULES_PATH_LEN], const char *path, const char *key)
{
	if (path[0])
		snprintf(out, RULES_PATH_LEN, "%s.%s", path, key);
	else
		snprintf(out, RULES_PATH_LEN, "%s", key);
}

/* Every member of obj must be one of keys[], at most once. */
static int check_keys(struct rules_ctx *c, const cJSON *obj, const char *path,
		      const char *const *keys, size_t n)
{
	char p[RULES_PATH_LEN];

	for (const cJSON *it = obj->child; it; it = it->next) {
		bool known = false;

		join(p, path, it->string);
		for (size_t i = 0; i < n; i++)
			known |= strcmp(it->string, keys[i]) == 0;
		if (!known)
			return fail(c, p, "unknown key");
		for (const cJSON *prev = obj->child; prev != it; prev = prev->next) {
			if (strcmp(prev->string, it->string) == 0)
				return fail(c, p, "duplicate key");
		}
	}
	return 0;
}

/* An integer in [1, max]. Absent: -ENOENT (the caller decides) without touching err. */
static int get_uint(struct rules_ctx *c, const cJSON *obj, const char *path, const char *key,
		    uint32_t max, uint32_t *out)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	char p[RULES_PATH_LEN];
	double v;

	if (!it)
		return -ENOENT;
	join(p, path, key);
	if (!cJSON_IsNumber(it))
		return fail(c, p, "must be a positive integer");
	v = it->valuedouble;
	if (!isfinite(v) || v != trunc(v) || v < 1)
		return fail(c, p, "must be a positive integer");
	if (v > max)
		return fail(c, p, "must be at most %u", (unsigned)max);
	*out = (uint32_t)v;
	return 0;
}

static int get_required_uint(struct rules_ctx *c, const cJSON *obj, const char *path,
			     const char *key, uint32_t max, uint32_t *out)
{
	char p[RULES_PATH_LEN];
	int ret = get_uint(c, obj, path, key, max, out);

	if (ret == -ENOENT) {
		join(p, path, key);
		return fail(c, p, "missing (a positive integer is required)");
	}
	return ret;
}

/* One of names[] (n of them): *out = its index. Absent: -ENOENT. */
static int get_enum(struct rules_ctx *c, const cJSON *obj, const char *path, const char *key,
		    const char *const *names, size_t n, const char *what, unsigned *out)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	char p[RULES_PATH_LEN];

	if (!it)
		return -ENOENT;
	join(p, path, key);
	if (cJSON_IsString(it)) {
		for (size_t i = 0; i < n; i++) {
			if (strcmp(it->valuestring, names[i]) == 0) {
				*out = (unsigned)i;
				return 0;
			}
		}
	}
	return fail(c, p, "must be %s", what);
}

static const char *const action_names[] = {[SENTRY_ACCEPT] = "accept", [SENTRY_REJECT] = "reject"};

static int get_action(struct rules_ctx *c, const cJSON *obj, const char *path, const char *key,
		      enum sentry_verdict *out)
{
	unsigned v;
	int ret = get_enum(c, obj, path, key, action_names, ARRAY_SIZE(action_names),
			   "\"accept\" or \"reject\"", &v);

	if (ret == 0)
		*out = (enum sentry_verdict)v;
	return ret;
}

static int parse_policies(struct rules_ctx *c, const cJSON *obj, struct sentry_rules *r)
{
	static const char *const keys[] = {"default-policy-static", "default-policy-dynamic",
					   "default-event"};
	static const char path[] = "default-policies";
	const cJSON *ev;
	int ret;

	if (!cJSON_IsObject(obj))
		return fail(c, path, "must be an object");
	ret = check_keys(c, obj, path, keys, ARRAY_SIZE(keys));
	if (ret)
		return ret;
	ret = get_action(c, obj, path, "default-policy-static", &r->default_static);
	if (ret && ret != -ENOENT)
		return ret;
	ret = get_action(c, obj, path, "default-policy-dynamic", &r->default_dynamic);
	if (ret && ret != -ENOENT)
		return ret;
	ev = cJSON_GetObjectItemCaseSensitive(obj, "default-event");
	if (ev) {
		if (!cJSON_IsString(ev) || ev->valuestring[0] == '\0' ||
		    strlen(ev->valuestring) >= sizeof(r->default_event))
			return fail(c, "default-policies.default-event",
				    "must be a string of 1 to %zu characters",
				    sizeof(r->default_event) - 1);
		snprintf(r->default_event, sizeof(r->default_event), "%s", ev->valuestring);
	}
	return 0;
}

static const char *const family_names[] = {"inet", "inet6"};
static const char *const proto_names[] = {
	[SENTRY_PROTO_ANY] = "any", [SENTRY_PROTO_TCP] = "tcp", [SENTRY_PROTO_UDP] = "udp"};

static int parse_route(struct rules_ctx *c, const cJSON *obj, const char *path,
		       struct sentry_route *rt)
{
	static const char *const keys[] = {"family", "protocol", "remote-address", "remote-port",
					   "action"};
	char p[RULES_PATH_LEN];
	const cJSON *addr;
	unsigned fam, proto;
	uint32_t port;
	int ret;

	if (!cJSON_IsObject(obj))
		return fail(c, path, "must be an object");
	ret = check_keys(c, obj, path, keys, ARRAY_SIZE(keys));
	if (ret)
		return ret;
	ret = get_enum(c, obj, path, "family", family_names, ARRAY_SIZE(family_names),
		       "\"inet\" or \"inet6\"", &fam);
	if (ret == -ENOENT) {
		join(p, path, "family");
		return fail(c, p, "missing (\"inet\" or \"inet6\" is required)");
	}
	if (ret)
		return ret;
	proto = SENTRY_PROTO_ANY;
	ret = get_enum(c, obj, path, "protocol", proto_names, ARRAY_SIZE(proto_names),
		       "\"tcp\", \"udp\" or \"any\"", &proto);
	if (ret && ret != -ENOENT)
		return ret;
	rt->proto = (enum sentry_proto)proto;

	join(p, path, "remote-address");
	addr = cJSON_GetObjectItemCaseSensitive(obj, "remote-address");
	if (!addr)
		return fail(c, p, "missing (an address or prefix is required)");
	if (!cJSON_IsString(addr) || sentry_addr_parse(addr->valuestring, &rt->prefix) != 0)
		return fail(c, p, "must be an address or prefix such as \"198.18.0.0/15\"");
	if (rt->prefix.family != (fam == 0 ? AF_INET : AF_INET6))
		return fail(c, p, "is not an %s address", family_names[fam]);

	rt->port = 0;
	ret = get_uint(c, obj, path, "remote-port", 65535, &port);
	if (ret && ret != -ENOENT)
		return ret;
	if (ret == 0)
		rt->port = (uint16_t)port;

	ret = get_action(c, obj, path, "action", &rt->action);
	if (ret == -ENOENT) {
		join(p, path, "action");
		return fail(c, p, "missing (\"accept\" or \"reject\" is required)");
	}
	return ret;
}

static int parse_routes(struct rules_ctx *c, const cJSON *arr, struct sentry_rules *r)
{
	char p[RULES_PATH_LEN];
	size_t n = 0, i = 0;

	if (!cJSON_IsArray(arr))
		return fail(c, "static-routes", "must be an array");
	for (const cJSON *it = arr->child; it; it = it->next) {
		if (++n > SENTRY_MAX_ROUTES)
			return fail(c, "static-routes", "more than %d entries",
				    (int)SENTRY_MAX_ROUTES);
	}
	if (n == 0)
		return 0;
	r->routes = calloc(n, sizeof(*r->routes));
	if (!r->routes)
		return -ENOMEM;
	for (const cJSON *it = arr->child; it; it = it->next, i++) {
		int ret;

		snprintf(p, sizeof(p), "static-routes[%zu]", i);
		ret = parse_route(c, it, p, &r->routes[i]);
		if (ret)
			return ret;
		r->n_routes = i + 1;
	}
	return 0;
}

/* keys[0] is the window, keys[1] the count; then penalty-time and action. */
static int parse_dyn(struct rules_ctx *c, const cJSON *obj, const char *path,
		     const char *const keys[4], enum sentry_verdict def, struct sentry_dyn_rule *d)
{
	int ret;

	if (!cJSON_IsObject(obj))
		return fail(c, path, "must be an object");
	ret = check_keys(c, obj, path, keys, 4);
	if (ret)
		return ret;
	ret = get_required_uint(c, obj, path, keys[0], RULES_MAX_WINDOW_S, &d->window_s);
	if (ret)
		return ret;
	ret = get_required_uint(c, obj, path, keys[1], RULES_MAX_COUNT, &d->threshold);
	if (ret)
		return ret;
	ret = get_required_uint(c, obj, path, keys[2], RULES_MAX_PENALTY_S, &d->penalty_s);
	if (ret)
		return ret;
	d->action = def;
	ret = get_action(c, obj, path, keys[3], &d->action);
	if (ret && ret != -ENOENT)
		return ret;
	d->enabled = true;
	return 0;
}

static int parse_dynamic(struct rules_ctx *c, const cJSON *obj, struct sentry_rules *r)
{
	static const char *const keys[] = {"max-connection-rate", "failed-auth-protection"};
	static const char *const rate_keys[4] = {"interval", "threshold", "penalty-time", "action"};
	static const char *const auth_keys[4] = {"window", "max-attempts", "penalty-time",
						 "action"};
	const cJSON *it;
	int ret;

	if (!cJSON_IsObject(obj))
		return fail(c, "dynamic-rules", "must be an object");
	ret = check_keys(c, obj, "dynamic-rules", keys, ARRAY_SIZE(keys));
	if (ret)
		return ret;
	it = cJSON_GetObjectItemCaseSensitive(obj, "max-connection-rate");
	if (it) {
		ret = parse_dyn(c, it, "dynamic-rules.max-connection-rate", rate_keys,
				r->default_dynamic, &r->conn_rate);
		if (ret)
			return ret;
	}
	it = cJSON_GetObjectItemCaseSensitive(obj, "failed-auth-protection");
	if (it) {
		ret = parse_dyn(c, it, "dynamic-rules.failed-auth-protection", auth_keys,
				r->default_dynamic, &r->failed_auth);
		if (ret)
			return ret;
	}
	return 0;
}

static int parse_top(struct rules_ctx *c, const cJSON *root, struct sentry_rules *r)
{
	static const char *const keys[] = {"config-version", "default-policies", "static-routes",
					   "dynamic-rules"};
	const cJSON *it;
	int ret;

	if (!cJSON_IsObject(root))
		return fail(c, "", "the rule file must be a JSON object");
	ret = check_keys(c, root, "", keys, ARRAY_SIZE(keys));
	if (ret)
		return ret;
	it = cJSON_GetObjectItemCaseSensitive(root, "config-version");
	if (!it)
		return fail(c, "config-version", "missing (must be %d)", RULES_CONFIG_VERSION);
	if (!cJSON_IsNumber(it) || it->valuedouble != RULES_CONFIG_VERSION)
		return fail(c, "config-version", "must be %d", RULES_CONFIG_VERSION);

	r->default_static = SENTRY_ACCEPT;
	r->default_dynamic = SENTRY_REJECT;
	snprintf(r->default_event, sizeof(r->default_event), "default-event");
	it = cJSON_GetObjectItemCaseSensitive(root, "default-policies");
	if (it) {
		ret = parse_policies(c, it, r);
		if (ret)
			return ret;
	}
	it = cJSON_GetObjectItemCaseSensitive(root, "static-routes");
	if (it) {
		ret = parse_routes(c, it, r);
		if (ret)
			return ret;
	}
	it = cJSON_GetObjectItemCaseSensitive(root, "dynamic-rules");
	if (it)
		return parse_dynamic(c, it, r);
	return 0;
}

static unsigned line_of(const char *text, size_t off)
{
	unsigned line = 1;

	for (size_t i = 0; i < off; i++)
		line += text[i] == '\n';
	return line;
}

int sentry_rules_parse(const char *name, const char *text, size_t len, struct sentry_rules **out,
		       char err[SENTRY_ERR_LEN])
{
	struct rules_ctx c = {.name = name, .err = err};
	struct sentry_rules *r = nullptr;
	cJSON *root = nullptr;
	const char *end = nullptr;
	char *copy = nullptr;
	int ret;

	*out = nullptr;
	err[0] = '\0';
	if (len > SENTRY_MAX_RULES_LEN) {
		snprintf(err, SENTRY_ERR_LEN, "%s: larger than %d bytes", name,
			 (int)SENTRY_MAX_RULES_LEN);
		return -E2BIG;
	}
	if (memchr(text, '\0', len)) {
		ret = fail(&c, "", "contains a NUL byte");
		goto out;
	}
	/* cJSON gets its own NUL-terminated copy: it never sees bytes past len */
	copy = malloc(len + 1);
	r = calloc(1, sizeof(*r));
	if (!copy || !r) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	root = cJSON_ParseWithLengthOpts(copy, len + 1, &end, true);
	if (!root) {
		size_t off = end && end >= copy && end <= copy + len ? (size_t)(end - copy) : 0;

		ret = fail(&c, "", "invalid JSON at line %u (byte %zu)", line_of(copy, off), off);
		goto out;
	}
	ret = parse_top(&c, root, r);
	if (ret)
		goto out;
	*out = r;
	r = nullptr;
out:
	if (ret == -ENOMEM)
		snprintf(err, SENTRY_ERR_LEN, "%s: out of memory", name);
	cJSON_Delete(root);
	free(copy);
	sentry_rules_free(r);
	return ret;
}

int sentry_rules_load(const char *path, struct sentry_rules **out, char err[SENTRY_ERR_LEN])
{
	struct stat st;
	char *text = nullptr;
	size_t got = 0;
	int fd, ret;

	*out = nullptr;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, SENTRY_ERR_LEN, "%s: %s", path, strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		snprintf(err, SENTRY_ERR_LEN, "%s: %s", path, strerror(-ret));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > SENTRY_MAX_RULES_LEN) {
		ret = S_ISREG(st.st_mode) ? -E2BIG : -EINVAL;
		snprintf(err, SENTRY_ERR_LEN, "%s: %s", path,
			 ret == -E2BIG ? "larger than 1048576 bytes" : "not a regular file");
		goto out;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		ret = -ENOMEM;
		snprintf(err, SENTRY_ERR_LEN, "%s: out of memory", path);
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, text + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			snprintf(err, SENTRY_ERR_LEN, "%s: %s", path, strerror(-ret));
			goto out;
		}
		if (n == 0)
			break; /* shrank while we read: parse what we have */
		got += (size_t)n;
	}
	ret = sentry_rules_parse(path, text, got, out, err);
out:
	free(text);
	close(fd);
	return ret;
}

void sentry_rules_free(struct sentry_rules *r)
{
	if (!r)
		return;
	free(r->routes);
	free(r);
}

enum sentry_verdict sentry_rules_match(const struct sentry_rules *r, const struct sentry_addr *a,
				       enum sentry_proto proto, uint16_t port)
{
	for (size_t i = 0; i < r->n_routes; i++) {
		const struct sentry_route *rt = &r->routes[i];

		if (rt->proto != SENTRY_PROTO_ANY && rt->proto != proto)
			continue;
		if (rt->port && rt->port != port)
			continue;
		if (sentry_addr_contains(&rt->prefix, a))
			return rt->action;
	}
	return r->default_static;
}
