// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for config/group_conf.c: every per-user key good and bad (exact error text), the
 * limits and one past them, refused keys, loading from a directory with the default-file
 * fallback, names that try to leave the directory, the global → group → user merge, and the
 * issue #6 keys of the main file (config-per-*, default-*-config, select-group, scripts). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>
#include <cmocka.h>

#include "config/group_conf.h"
#include "core/log.h"

struct gcase {
	const char *text;
	const char *err; /* nullptr: parses */
};

#define OK(t)	  {t, nullptr}
#define BAD(t, e) {t, e}

static const struct gcase gcases[] = {
	OK("route = 198.18.5.0/24"),
	OK("route = 198.18.5.0/255.255.255.0"),
	OK("route = 2001:db8:5::/48"),
	OK("route = default"),
	BAD("route = 198.18.5.1/24",
	    "u.conf:1: route: \"198.18.5.1/24\" has host bits set (network is 198.18.5.0/24)"),
	BAD("route = nowhere", "u.conf:1: route: \"nowhere\" is not an IP address or prefix"),
	OK("no-route = 198.18.5.128/25"),
	BAD("no-route = default", "u.conf:1: no-route: \"default\" is only valid for route"),
	OK("iroute = 198.18.9.0/24"),
	BAD("iroute = default", "u.conf:1: iroute: \"default\" is only valid for route"),
	OK("dns = 198.18.0.53"),
	OK("dns = 2001:db8::53"),
	BAD("dns = ns.example.com",
	    "u.conf:1: dns: \"ns.example.com\" is not an IPv4 or IPv6 address"),
	OK("split-dns = _ldap.example.com"),
	BAD("split-dns = a..b", "u.conf:1: split-dns: \"a..b\" is not a domain name"),
	OK("default-domain = \"example.com one.example.com\""),
	BAD("default-domain = -bad", "u.conf:1: default-domain: \"-bad\" is not a domain name"),
	OK("ipv4-network = 198.18.64.0/24"),
	OK("ipv4-network = 198.18.64.0\nipv4-netmask = 255.255.255.0"),
	OK("ipv4-network = 198.18.64.0/30"),
	BAD("ipv4-network = 198.18.64.0/31",
	    "u.conf:1: ipv4-network: prefix /31 must be 1..30 to leave room for clients"),
	BAD("ipv4-network = 198.18.64.0",
	    "u.conf:1: ipv4-network: needs a /length or ipv4-netmask"),
	BAD("ipv4-netmask = 255.255.255.0", "u.conf:1: ipv4-netmask: given without ipv4-network"),
	BAD("ipv4-network = 198.18.64.0/24\nipv4-netmask = 255.255.0.0",
	    "u.conf:2: ipv4-netmask: /16 conflicts with ipv4-network /24"),
	BAD("ipv4-network = 198.18.65.0\nipv4-netmask = 255.255.0.0",
	    "u.conf:1: ipv4-network: \"198.18.65.0/16\" has host bits set (network is "
	    "198.18.0.0/16)"),
	BAD("ipv4-network = banana", "u.conf:1: ipv4-network: \"banana\" is not an IPv4 network"),
	OK("ipv6-network = 2001:db8:64::/48"),
	BAD("ipv6-network = 2001:db8::1",
	    "u.conf:1: ipv6-network: \"2001:db8::1\" needs a prefix length 1..127"),
	OK("ipv6-subnet-prefix = 128"),
	BAD("ipv6-subnet-prefix = 129",
	    "u.conf:1: ipv6-subnet-prefix: \"129\" is out of range 1..128"),
	BAD("ipv6-subnet-prefix = 0", "u.conf:1: ipv6-subnet-prefix: \"0\" is out of range 1..128"),
	BAD("ipv6-network = 2001:db8:64::/64\nipv6-subnet-prefix = 64",
	    "u.conf:2: ipv6-subnet-prefix: /64 must be longer than the ipv6-network prefix /64"),
	OK("explicit-ipv4 = 198.18.0.77"),
	BAD("explicit-ipv4 = 198.18.0.0/24",
	    "u.conf:1: explicit-ipv4: \"198.18.0.0/24\" must be a single IPv4 address"),
	BAD("explicit-ipv4 = 2001:db8::1",
	    "u.conf:1: explicit-ipv4: \"2001:db8::1\" is not an IPv4 address or prefix"),
	OK("explicit-ipv6 = 2001:db8::77"),
	BAD("explicit-ipv6 = 198.18.0.1",
	    "u.conf:1: explicit-ipv6: \"198.18.0.1\" is not an IPv6 address or prefix"),
	OK("restrict-user-to-routes = true"),
	BAD("restrict-user-to-routes = maybe",
	    "u.conf:1: restrict-user-to-routes: \"maybe\" is not a boolean (true or false)"),
	OK("rx-data-per-sec = 4294967295"),
	BAD("rx-data-per-sec = 4294967296",
	    "u.conf:1: rx-data-per-sec: \"4294967296\" is out of range 0..4294967295"),
	OK("tx-data-per-sec = 40000"),
	BAD("tx-data-per-sec = -1", "u.conf:1: tx-data-per-sec: \"-1\" is not a number"),
	OK("idle-timeout = 31536000"),
	BAD("idle-timeout = 31536001",
	    "u.conf:1: idle-timeout: \"31536001\" is out of range 0..31536000"),
	OK("mobile-idle-timeout = 0"),
	OK("session-timeout = 3600"),
	BAD("session-timeout = 1h", "u.conf:1: session-timeout: \"1h\" is not a number"),
	OK("dpd = 86400"),
	BAD("dpd = 86401", "u.conf:1: dpd: \"86401\" is out of range 0..86400"),
	OK("mobile-dpd = 1800"),
	OK("keepalive = 0"),
	BAD("keepalive = 86401", "u.conf:1: keepalive: \"86401\" is out of range 0..86400"),
	OK("tunnel-all-dns = yes"),
	OK("deny-roaming = false"),
	OK("hostname = host1.example.com"),
	BAD("hostname = \"a b\"", "u.conf:1: hostname: \"a b\" is not a host name"),
	OK("max-same-clients = 1000000"),
	BAD("max-same-clients = 1000001",
	    "u.conf:1: max-same-clients: \"1000001\" is out of range 0..1000000"),
	OK("mtu = 576"),
	OK("mtu = 9000"),
	BAD("mtu = 575", "u.conf:1: mtu: \"575\" is out of range 576..9000"),
	BAD("mtu = 9001", "u.conf:1: mtu: \"9001\" is out of range 576..9000"),
	/* keys given twice, refused, not allowed here, unknown, lexer errors */
	BAD("dpd = 1\ndpd = 2", "u.conf:2: dpd: given twice (first on line 1)"),
	OK("dns = 198.18.0.1\ndns = 198.18.0.2"),
	BAD("nbns = 198.18.0.3", "u.conf:1: nbns: not supported yet"),
	BAD("iroute = 198.18.9.0/24\niroute = 198.18.10.0/24\niroute = 198.18.11.0/24\n"
	    "iroute = 198.18.12.0/24\niroute = 198.18.13.0/24\niroute = 198.18.14.0/24\n"
	    "iroute = 198.18.15.0/24\niroute = 198.18.16.0/24\niroute = 198.18.17.0/24\n"
	    "iroute = 198.18.18.0/24\niroute = 198.18.19.0/24\niroute = 198.18.20.0/24\n"
	    "iroute = 198.18.21.0/24\niroute = 198.18.22.0/24\niroute = 198.18.23.0/24\n"
	    "iroute = 198.18.24.0/24\niroute = 198.18.25.0/24\niroute = 198.18.26.0/24\n"
	    "iroute = 198.18.27.0/24\niroute = 198.18.28.0/24\niroute = 198.18.29.0/24\n"
	    "iroute = 198.18.30.0/24\niroute = 198.18.31.0/24\niroute = 198.18.32.0/24\n"
	    "iroute = 198.18.33.0/24\niroute = 198.18.34.0/24\niroute = 198.18.35.0/24\n"
	    "iroute = 198.18.36.0/24\niroute = 198.18.37.0/24\niroute = 198.18.38.0/24\n"
	    "iroute = 198.18.39.0/24\niroute = 198.18.40.0/24\niroute = 198.18.41.0/24\n"
	    "iroute = 198.18.42.0/24\niroute = 198.18.43.0/24\niroute = 198.18.44.0/24\n"
	    "iroute = 198.18.45.0/24\niroute = 198.18.46.0/24\niroute = 198.18.47.0/24\n"
	    "iroute = 198.18.48.0/24\niroute = 198.18.49.0/24\niroute = 198.18.50.0/24\n"
	    "iroute = 198.18.51.0/24\niroute = 198.18.52.0/24\niroute = 198.18.53.0/24\n"
	    "iroute = 198.18.54.0/24\niroute = 198.18.55.0/24\niroute = 198.18.56.0/24\n"
	    "iroute = 198.18.57.0/24\niroute = 198.18.58.0/24\niroute = 198.18.59.0/24\n"
	    "iroute = 198.18.60.0/24\niroute = 198.18.61.0/24\niroute = 198.18.62.0/24\n"
	    "iroute = 198.18.63.0/24\niroute = 198.18.64.0/24\niroute = 198.18.65.0/24\n"
	    "iroute = 198.18.66.0/24\niroute = 198.18.67.0/24\niroute = 198.18.68.0/24\n"
	    "iroute = 198.18.69.0/24\niroute = 198.18.70.0/24\niroute = 198.18.71.0/24\n"
	    "iroute = 198.18.72.0/24\niroute = 198.18.73.0/24\n",
	    "u.conf:65: iroute: more than 64 iroutes"),
	BAD("no-udp = true", "u.conf:1: no-udp: not supported yet"),
	BAD("banner = hello", "u.conf:1: banner: not supported yet"),
	BAD("restrict-user-to-ports = \"tcp(443)\"",
	    "u.conf:1: restrict-user-to-ports: not supported yet"),
	BAD("auth = plain", "u.conf:1: auth: not allowed in a per-user or per-group file"),
	BAD("tcp-port = 443", "u.conf:1: tcp-port: not allowed in a per-user or per-group file"),
	BAD("connect-script = /bin/true",
	    "u.conf:1: connect-script: not allowed in a per-user or per-group file"),
	BAD("no-such-key = 1", "u.conf:1: no-such-key: unknown option"),
	BAD("[vhost:x]", "u.conf:1: [vhost:x]: virtual host sections are not supported yet"),
	BAD("dns", "u.conf:1: dns: expected \"key = value\""),
	OK("# only a comment\n\n"),
	OK(""),
};

static void test_keys(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(gcases) / sizeof(gcases[0]); i++) {
		const struct gcase *c = &gcases[i];
		struct group_config *g = (struct group_config *)1;
		char err[CONFIG_ERR_LEN];
		int ret;

		print_message("case: %s\n", c->text);
		ret = group_config_parse_buffer("u.conf", GROUP_CONFIG_USER, c->text,
						strlen(c->text), &g, err);
		if (!c->err) {
			assert_int_equal(ret, 0);
			assert_non_null(g);
			group_config_free(g);
			continue;
		}
		assert_int_equal(ret, -EINVAL);
		assert_null(g);
		assert_string_equal(err, c->err);
	}
}

static void test_fields(void **state)
{
	static const char text[] = "route = 198.18.5.0/24\n"
				   "route = default\n"
				   "dns = 198.18.0.53\n"
				   "ipv4-network = 198.18.64.0\n"
				   "ipv4-netmask = 255.255.255.0\n"
				   "explicit-ipv4 = 198.18.64.7\n"
				   "rx-data-per-sec = 1000\n"
				   "hostname = h1\n"
				   "dpd = 0\n";
	struct group_config *g;
	char err[CONFIG_ERR_LEN];

	(void)state;
	assert_int_equal(group_config_parse_buffer("u.conf", GROUP_CONFIG_GROUP, text, strlen(text),
						   &g, err),
			 0);
	assert_int_equal(g->kind, GROUP_CONFIG_GROUP);
	assert_string_equal(g->path, "u.conf");
	assert_true(group_config_has(g, GCK_ROUTE));
	assert_true(group_config_has(g, GCK_DPD)); /* set to 0 is still set */
	assert_false(group_config_has(g, GCK_KEEPALIVE));
	assert_true(g->route_default);
	assert_int_equal(g->routes.len, 1);
	assert_int_equal(g->routes.items[0].prefix_len, 24);
	assert_int_equal(g->ipv4_network.prefix_len, 24);
	assert_int_equal(g->explicit_ipv4.prefix_len, 32);
	assert_int_equal(g->rx_data_per_sec, 1000);
	assert_string_equal(g->hostname, "h1");
	assert_string_equal(g->dns.items[0], "198.18.0.53");
	group_config_free(g);
	group_config_free(nullptr);
}

/* CONF_LIST_MAX routes load, one more does not; a file of the maximum size loads, one byte more
 * does not. */
static void test_limits(void **state)
{
	size_t size = (size_t)(CONF_LIST_MAX + 1) * 32 + GROUP_CONF_FILE_MAX + 2;
	struct group_config *g;
	char err[CONFIG_ERR_LEN];
	char *text = malloc(size);
	size_t len = 0;

	(void)state;
	assert_non_null(text);
	for (int i = 0; i < CONF_LIST_MAX; i++)
		len += (size_t)snprintf(text + len, size - len, "route = 198.18.%d.0/24\n", i);
	assert_int_equal(group_config_parse_buffer("u.conf", GROUP_CONFIG_USER, text, len, &g, err),
			 0);
	assert_int_equal(g->routes.len, CONF_LIST_MAX);
	group_config_free(g);
	len += (size_t)snprintf(text + len, size - len, "route = 198.19.0.0/24\n");
	assert_int_equal(group_config_parse_buffer("u.conf", GROUP_CONFIG_USER, text, len, &g, err),
			 -EINVAL);
	assert_string_equal(err, "u.conf:257: route: too many entries (max 256)");

	memset(text, '#', GROUP_CONF_FILE_MAX + 1);
	for (size_t i = 99; i < GROUP_CONF_FILE_MAX + 1; i += 100)
		text[i] = '\n'; /* comment lines shorter than CONF_LINE_MAX */
	assert_int_equal(group_config_parse_buffer("u.conf", GROUP_CONFIG_USER, text,
						   GROUP_CONF_FILE_MAX, &g, err),
			 0);
	group_config_free(g);
	assert_int_equal(group_config_parse_buffer("u.conf", GROUP_CONFIG_USER, text,
						   GROUP_CONF_FILE_MAX + 1, &g, err),
			 -E2BIG);
	assert_null(g);
	assert_string_equal(err, "u.conf: larger than 65536 bytes");
	free(text);
}

struct name_case {
	const char *name;
	bool ok;
};

static void test_names(void **state)
{
	static const struct name_case cases[] = {
		{"alice", true},
		{"alice.smith@example.com", true},
		{"a_b-c+d", true},
		{"a12345678901234567890123456789012345678901234567890123456789012b",
		 true}, /* 64 bytes */
		{"a123456789012345678901234567890123456789012345678901234567890123b", false},
		{"", false},
		{".", false},
		{"..", false},
		{".hidden", false},
		{"../etc/passwd", false},
		{"a/b", false},
		{"/etc/passwd", false},
		{"a b", false},
		{"a\nb", false},
		{"a\\b", false},
		{"caf\xc3\xa9", false},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("name: %s\n", cases[i].name);
		assert_int_equal(group_config_name_is_valid(cases[i].name), cases[i].ok);
	}
}

/* ---- files on disk ---- */

static char tmp[64];

static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmp, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

#define BASE                                                                                       \
	"auth = \"plain[passwd=/nonexistent/ocm-passwd]\"\nserver-cert = c.pem\nserver-key = "     \
	"k.pem\n"                                                                                  \
	"ipv4-network = 198.18.0.0/24\nipv6-network = 2001:db8::/48\nipv6-subnet-prefix = 64\n"    \
	"dns = 198.18.0.1\nroute = 198.18.100.0/24\n"

static struct config *load_cfg(const char *extra)
{
	char text[2048];
	char err[CONFIG_ERR_LEN];
	struct config *cfg;

	snprintf(text, sizeof(text), BASE "%s", extra);
	if (config_load_buffer("t.conf", text, strlen(text), &cfg, err) < 0)
		fail_msg("%s", err);
	return cfg;
}

static int cfg_error(const char *extra, char err[CONFIG_ERR_LEN])
{
	char text[2048];
	struct config *cfg;
	int ret;

	snprintf(text, sizeof(text), BASE "%s", extra);
	ret = config_load_buffer("t.conf", text, strlen(text), &cfg, err);
	config_free(cfg);
	return ret;
}

static int setup(void **state)
{
	char path[128];

	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/ocm-gc-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	snprintf(path, sizeof(path), "%s/users", tmp);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/groups", tmp);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/users/adir", tmp);
	mkdir(path, 0700);
	put("users/alice", "dpd = 30\nroute = 198.18.7.0/24\n");
	put("users/broken", "dpd = 30\nmtu = 100\n");
	put("groups/staff", "dpd = 60\nkeepalive = 100\ndns = 198.18.0.9\nroute = default\n");
	put("groups/v6", "ipv6-subnet-prefix = 40\n");
	put("user.conf", "idle-timeout = 77\n");
	put("group.conf", "session-timeout = 88\n");
	put("bad.conf", "tcp-port = 1\n");
	put("script.sh", "#!/bin/sh\nexit 0\n");
	snprintf(path, sizeof(path), "%s/script.sh", tmp);
	chmod(path, 0700);
	log_setup(LOG_SINK_STDERR, LOG_EMERG);
	return 0;
}

static int teardown(void **state)
{
	static const char *const files[] = {
		"users/alice", "users/broken", "groups/staff", "groups/v6",
		"user.conf",   "group.conf",   "bad.conf",     "script.sh",
		"passwd",      "users/adir",   "users",	       "groups",
	};
	char path[256];

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmp, files[i]);
		remove(path);
	}
	return rmdir(tmp);
}

static void test_load(void **state)
{
	char extra[1024], err[CONFIG_ERR_LEN], want[CONFIG_ERR_LEN];
	struct group_config *g;
	struct config *cfg;

	(void)state;
	/* Not configured: nothing applies. */
	cfg = load_cfg("");
	assert_int_equal(group_config_load(cfg, GROUP_CONFIG_USER, "alice", &g, err), 0);
	assert_null(g);
	config_free(cfg);

	/* A directory without defaults. */
	snprintf(extra, sizeof(extra), "config-per-user = %s/users/\n", tmp);
	cfg = load_cfg(extra);
	assert_int_equal(group_config_load(cfg, GROUP_CONFIG_USER, "alice", &g, err), 0);
	assert_non_null(g);
	snprintf(want, sizeof(want), "%s/users/alice", tmp);
	assert_string_equal(g->path, want);
	assert_int_equal(g->dpd_s, 30);
	group_config_free(g);
	assert_int_equal(group_config_load(cfg, GROUP_CONFIG_USER, "bob", &g, err), 0);
	assert_null(g); /* no file, no default */
	assert_int_equal(group_config_load(cfg, GROUP_CONFIG_GROUP, "staff", &g, err), 0);
	assert_null(g); /* no config-per-group */
	assert_int_equal(group_config_load(cfg, GROUP_CONFIG_USER, "broken", &g, err), -EINVAL);
	snprintf(want, sizeof(want), "%s/users/broken:2: mtu: \"100\" is out of range 576..9000",
		 tmp);
	assert_string_equal(err, want);
	assert_int_equal(group_config_load(cfg, GROUP_CONFIG_USER, "adir", &g, err), -EINVAL);
	snprintf(want, sizeof(want), "%s/users/adir: not a regular file", tmp);
	assert_string_equal(err, want);
	/* Names that would leave the directory are refused before any path is built. */
	assert_int_equal(group_config_load(cfg, GROUP_CONFIG_USER, "../user.conf", &g, err),
			 -EINVAL);
	assert_string_equal(
		err, "config-per-user: \"../user.conf\" is not a valid user name for a file");
	assert_int_equal(group_config_load(cfg, GROUP_CONFIG_USER, "a\nb", &g, err), -EINVAL);
	assert_string_equal(err, "config-per-user: \"a?b\" is not a valid user name for a file");
	assert_int_equal(group_config_load(cfg, GROUP_CONFIG_USER, "..", &g, err), -EINVAL);
	assert_int_equal(group_config_load(cfg, GROUP_CONFIG_USER, "", &g, err), -EINVAL);
	assert_int_equal(group_config_load(cfg, GROUP_CONFIG_USER, nullptr, &g, err), -EINVAL);
	assert_null(g);
	config_free(cfg);

	/* Both directories, both defaults (no trailing slash on the group directory). */
	snprintf(extra, sizeof(extra),
		 "config-per-user = %s/users/\nconfig-per-group = %s/groups\n"
		 "default-user-config = %s/user.conf\ndefault-group-config = %s/group.conf\n",
		 tmp, tmp, tmp, tmp);
	cfg = load_cfg(extra);
	assert_int_equal(group_config_load(cfg, GROUP_CONFIG_USER, "bob", &g, err), 0);
	snprintf(want, sizeof(want), "%s/user.conf", tmp);
	assert_string_equal(g->path, want);
	assert_int_equal(g->idle_timeout_s, 77);
	group_config_free(g);
	assert_int_equal(group_config_load(cfg, GROUP_CONFIG_GROUP, "staff", &g, err), 0);
	assert_int_equal(g->dpd_s, 60);
	group_config_free(g);
	assert_int_equal(group_config_load(cfg, GROUP_CONFIG_GROUP, "nobody", &g, err), 0);
	assert_int_equal(g->session_timeout_s, 88);
	group_config_free(g);
	config_free(cfg);
}

static void test_merge(void **state)
{
	struct group_config *grp, *usr, *v6;
	struct session_config *s;
	char extra[512], err[CONFIG_ERR_LEN];
	struct config *cfg;

	(void)state;
	snprintf(extra, sizeof(extra),
		 "config-per-user = %s/users\nconfig-per-group = %s/groups\n"
		 "idle-timeout = 500\n",
		 tmp, tmp);
	cfg = load_cfg(extra);
	assert_int_equal(group_config_load(cfg, GROUP_CONFIG_GROUP, "staff", &grp, err), 0);
	assert_int_equal(group_config_load(cfg, GROUP_CONFIG_USER, "alice", &usr, err), 0);

	/* Global only. */
	assert_int_equal(session_config_build(cfg, nullptr, nullptr, &s), 0);
	assert_int_equal(s->dpd_s, 90);
	assert_int_equal(s->idle_timeout_s, 500);
	assert_int_equal(s->routes.len, 1);
	assert_string_equal(s->dns.items[0], "198.18.0.1");
	assert_true(s->have_ipv4);
	assert_int_equal(s->ipv6_subnet_prefix, 64);
	session_config_free(s);

	/* Group over global. */
	assert_int_equal(session_config_build(cfg, grp, nullptr, &s), 0);
	assert_int_equal(s->dpd_s, 60);
	assert_int_equal(s->keepalive_s, 100);
	assert_int_equal(s->dns.len, 1); /* replaced, not appended */
	assert_string_equal(s->dns.items[0], "198.18.0.9");
	assert_int_equal(s->routes.len, 0);
	assert_true(s->route_default);
	session_config_free(s);

	/* User over group over global. */
	assert_int_equal(session_config_build(cfg, grp, usr, &s), 0);
	assert_int_equal(s->dpd_s, 30);		  /* user */
	assert_int_equal(s->keepalive_s, 100);	  /* group */
	assert_int_equal(s->idle_timeout_s, 500); /* global */
	assert_int_equal(s->mobile_dpd_s, 1800);  /* global default */
	assert_string_equal(s->dns.items[0], "198.18.0.9");
	assert_int_equal(s->routes.len, 1); /* the user's list, and its (absent) default */
	assert_false(s->route_default);
	assert_int_equal(s->routes.items[0].addr.v4.s_addr, htonl(0xc6120700)); /* 198.18.7.0 */
	assert_null(s->hostname);
	session_config_free(s);

	/* A group's ipv6-subnet-prefix shorter than the global network's prefix: the file loads
	 * (per-user pools are supported), the merge refuses it; the same from memory. */
	assert_int_equal(group_config_load(cfg, GROUP_CONFIG_GROUP, "v6", &v6, err), 0);
	assert_non_null(v6);
	assert_int_equal(session_config_build(cfg, v6, nullptr, &s), -EINVAL);
	assert_null(s);
	group_config_free(v6);
	v6 = nullptr;
	static const char v6text[] = "ipv6-subnet-prefix = 40\n";
	assert_int_equal(group_config_parse_buffer("v6", GROUP_CONFIG_GROUP, v6text,
						   sizeof(v6text) - 1, &v6, err),
			 0);
	assert_int_equal(session_config_build(cfg, v6, nullptr, &s), -EINVAL);
	assert_null(s);
	group_config_free(v6);
	group_config_free(grp);
	group_config_free(usr);
	config_free(cfg);
	session_config_free(nullptr);
}

struct main_case {
	const char *line; /* %s is the temp directory */
	const char *err;  /* nullptr: loads; else the text after "t.conf:9: ", %s allowed */
};

/* Copies pattern to out with every "%s" replaced by the temp directory. */
static void subst(const char *pattern, char *out, size_t size)
{
	size_t off = 0;

	for (const char *p = pattern; *p && off + 1 < size; p++) {
		if (p[0] == '%' && p[1] == 's') {
			off += (size_t)snprintf(out + off, size - off, "%s", tmp);
			p++;
			continue;
		}
		out[off++] = *p;
	}
	out[off < size ? off : size - 1] = '\0';
}

static void test_main_keys(void **state)
{
	static const struct main_case cases[] = {
		{"config-per-user = %s/users/", nullptr},
		{"config-per-user = %s/nope/",
		 "config-per-user: \"%s/nope/\": No such file or directory"},
		{"config-per-group = %s/user.conf",
		 "config-per-group: \"%s/user.conf\" is not a directory"},
		{"default-user-config = %s/user.conf", nullptr},
		{"default-group-config = %s/missing.conf",
		 "default-group-config: %s/missing.conf: cannot open: No such file or directory"},
		{"default-user-config = %s/bad.conf",
		 "default-user-config: %s/bad.conf:1: tcp-port: not allowed in a per-user or "
		 "per-group file"},
		{"connect-script = %s/script.sh", nullptr},
		{"disconnect-script = /bin/true", nullptr},
		{"host-update-script = %s/script.sh", nullptr},
		{"host-update-script = /etc/passwd",
		 "host-update-script: \"/etc/passwd\" is not an executable file"},
		{"connect-script = script.sh",
		 "connect-script: \"script.sh\" must be an absolute path"},
		{"connect-script = %s/none.sh",
		 "connect-script: \"%s/none.sh\": No such file or directory"},
		{"select-group = group1", nullptr},
		{"select-group = group2[My special group]", nullptr},
		{"select-group = a[b", "select-group: \"a[b\" is not name or name[Label]"},
		{"select-group = a[]", "select-group: \"a[]\" is not name or name[Label]"},
		{"select-group = a[b]c", "select-group: \"a[b]c\" is not name or name[Label]"},
		{"select-group = ../x", "select-group: \"../x\" is not a valid group name"},
		{"select-group = [Label]",
		 "select-group: \"[Label]\": group name must be 1..64 characters"},
		{"default-select-group = DEFAULT", nullptr},
		{"default-select-group = a]b",
		 "default-select-group: \"a]b\" is not a group label"},
		{"auto-select-group = false", nullptr},
		{"auto-select-group = true", "auto-select-group: cannot read "
					     "/nonexistent/ocm-passwd: No such file or directory"},
		{"auto-select-group = maybe",
		 "auto-select-group: \"maybe\" is not a boolean (true or false)"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char line[512], want[CONFIG_ERR_LEN], tail[CONFIG_ERR_LEN], err[CONFIG_ERR_LEN];

		subst(cases[i].line, line, sizeof(line));
		print_message("case: %s\n", line);
		strncat(line, "\n", sizeof(line) - strlen(line) - 1);
		if (!cases[i].err) {
			config_free(load_cfg(line));
			continue;
		}
		subst(cases[i].err, tail, sizeof(tail));
		snprintf(want, sizeof(want), "t.conf:9: %s", tail);
		assert_int_equal(cfg_error(line, err), -EINVAL);
		assert_string_equal(err, want);
	}
}

static void test_select_groups(void **state)
{
	struct config *cfg;
	char err[CONFIG_ERR_LEN];

	(void)state;
	cfg = load_cfg("select-group = group1\nselect-group = group2 [My special group]\n"
		       "default-select-group = DEFAULT\nauto-select-group = false\n");
	assert_int_equal(cfg->select_groups_len, 2);
	assert_string_equal(cfg->select_groups[0].name, "group1");
	assert_string_equal(cfg->select_groups[0].label, "group1");
	assert_string_equal(cfg->select_groups[1].name, "group2");
	assert_string_equal(cfg->select_groups[1].label, "My special group");
	assert_string_equal(cfg->default_select_group, "DEFAULT");
	assert_false(cfg->auto_select_group);
	config_free(cfg);
	assert_int_equal(cfg_error("select-group = g\nselect-group = g[Again]\n", err), -EINVAL);
	assert_string_equal(err, "t.conf:10: select-group: \"g\" is listed twice");
}

/* auto-select-group: every group of the password file, in file order, once; a select-group line
 * keeps its label; "*" and names unfit for a group file are left out. */
static void test_auto_select_group(void **state)
{
	char text[2048], err[CONFIG_ERR_LEN];
	struct config *cfg;

	(void)state;
	put("passwd", "alice:eng,ops:$5$x$y\nbob::$5$x$y\ncarol:*:$5$x$y\n"
		      "dave:sales,eng:$5$x$y\neve:../x,qa:$5$x$y\nbroken line\n");
	snprintf(text, sizeof(text),
		 "auth = \"plain[passwd=%s/passwd]\"\nserver-cert = c.pem\nserver-key = k.pem\n"
		 "ipv4-network = 198.18.0.0/24\nselect-group = ops[Operations]\n"
		 "auto-select-group = true\n",
		 tmp);
	assert_int_equal(config_load_buffer("t.conf", text, strlen(text), &cfg, err), 0);
	assert_int_equal(cfg->select_groups_len, 4);
	static const char *const want[][2] = {
		{"ops", "Operations"}, {"eng", "eng"}, {"sales", "sales"}, {"qa", "qa"}};
	for (size_t i = 0; i < 4; i++) {
		assert_string_equal(cfg->select_groups[i].name, want[i][0]);
		assert_string_equal(cfg->select_groups[i].label, want[i][1]);
	}
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_main_keys),
		cmocka_unit_test(test_select_groups),
		cmocka_unit_test(test_auto_select_group),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
