// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for config/conf_check.c and config.c: defaults, required keys, cross-field errors,
 * a full realistic config, the Debian sample file, loading from disk, and mutations. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <cmocka.h>

#include "config/conf_priv.h"
#include "core/log.h"

#define AUTH "auth = \"plain[passwd=/etc/ocserv/passwd]\"\n"
#define CERT "server-cert = /etc/ocserv/cert.pem\nserver-key = /etc/ocserv/key.pem\n"
#define NET4 "ipv4-network = 198.18.0.0/24\n"

struct check_case {
	const char *name;
	const char *text;
	const char *err; /* nullptr: loads */
};

static const struct check_case check_cases[] = {
	{"minimal", AUTH CERT NET4, nullptr},
	{"empty file", "", "t.conf:0: auth: required but not set"},
	{"no auth", CERT NET4 "\n", "t.conf:4: auth: required but not set"},
	{"no cert", AUTH NET4, "t.conf:2: server-cert: required but not set"},
	{"no key", AUTH "server-cert = c\n" NET4, "t.conf:3: server-key: required but not set"},
	{"no network", AUTH CERT, "t.conf:3: ipv4-network: required (or ipv6-network) but not set"},
	{"ipv6 only", AUTH CERT "ipv6-network = 2001:db8::/48\n", nullptr},
	{"netmask", AUTH CERT "ipv4-network = 198.18.0.0\nipv4-netmask = 255.255.0.0\n", nullptr},
	{"netmask before network",
	 AUTH CERT "ipv4-netmask = 255.255.0.0\nipv4-network = 198.18.0.0\n", nullptr},
	{"dotted mask in network", AUTH CERT "ipv4-network = 198.18.0.0/255.255.255.0\n", nullptr},
	{"network without length", AUTH CERT "ipv4-network = 198.18.0.0\n",
	 "t.conf:4: ipv4-network: needs a /length or ipv4-netmask"},
	{"netmask alone", AUTH CERT "ipv6-network = 2001:db8::/48\nipv4-netmask = 255.0.0.0\n",
	 "t.conf:5: ipv4-netmask: given without ipv4-network"},
	{"netmask conflicts", AUTH CERT NET4 "ipv4-netmask = 255.255.0.0\n",
	 "t.conf:5: ipv4-netmask: /16 conflicts with ipv4-network /24"},
	{"netmask agrees", AUTH CERT NET4 "ipv4-netmask = 255.255.255.0\n", nullptr},
	{"host bits with netmask",
	 AUTH CERT "ipv4-network = 198.18.1.0\nipv4-netmask = 255.255.0.0\n",
	 "t.conf:4: ipv4-network: host bits set (network is 198.18.0.0/16)"},
	{"host bits with length", AUTH CERT "ipv4-network = 198.18.1.0/16\n",
	 "t.conf:4: ipv4-network: \"198.18.1.0/16\" has host bits set (network is 198.18.0.0/16)"},
	{"bad netmask", AUTH CERT NET4 "ipv4-netmask = 255.0.255.0\n",
	 "t.conf:5: ipv4-netmask: \"255.0.255.0\" is not a contiguous netmask"},
	{"ipv4 /30 limit", AUTH CERT "ipv4-network = 198.18.0.0/30\n", nullptr},
	{"ipv4 /31", AUTH CERT "ipv4-network = 198.18.0.0/31\n",
	 "t.conf:4: ipv4-network: prefix /31 must be 1..30 to leave room for clients"},
	{"ipv4 /0", AUTH CERT "ipv4-network = 0.0.0.0\nipv4-netmask = 0.0.0.0\n",
	 "t.conf:4: ipv4-network: prefix /0 must be 1..30 to leave room for clients"},
	{"v6 subnet 64", AUTH CERT "ipv6-network = 2001:db8::/48\nipv6-subnet-prefix = 64\n",
	 nullptr},
	{"v6 subnet 49 limit", AUTH CERT "ipv6-network = 2001:db8::/48\nipv6-subnet-prefix = 49\n",
	 nullptr},
	{"v6 subnet equal", AUTH CERT "ipv6-network = 2001:db8::/48\nipv6-subnet-prefix = 48\n",
	 "t.conf:5: ipv6-subnet-prefix: /48 must be longer than the ipv6-network prefix /48"},
	{"v6 subnet without network", AUTH CERT NET4 "ipv6-subnet-prefix = 64\n",
	 "t.conf:5: ipv6-subnet-prefix: given without ipv6-network"},
	{"match + cisco compat",
	 AUTH CERT NET4 "match-tls-dtls-ciphers = true\ncisco-client-compat = true\n",
	 "t.conf:5: match-tls-dtls-ciphers: cannot be combined with cisco-client-compat (legacy "
	 "DTLS)"},
};

static void test_check_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(check_cases) / sizeof(check_cases[0]); i++) {
		const struct check_case *c = &check_cases[i];
		char err[CONFIG_ERR_LEN] = "";
		struct config *cfg;
		int ret;

		print_message("case: %s\n", c->name);
		ret = config_load_buffer("t.conf", c->text, strlen(c->text), &cfg, err);
		if (!c->err) {
			if (ret)
				print_message("unexpected: %s\n", err);
			assert_int_equal(ret, 0);
			config_free(cfg);
			continue;
		}
		assert_int_equal(ret, -EINVAL);
		assert_null(cfg);
		assert_string_equal(err, c->err);
	}
}

static void test_defaults(void **state)
{
	static const char text[] = AUTH CERT NET4;
	char err[CONFIG_ERR_LEN];
	struct config *cfg;

	(void)state;
	assert_int_equal(config_load_buffer("t.conf", text, sizeof(text) - 1, &cfg, err), 0);
	assert_string_equal(cfg->path, "t.conf");
	assert_int_equal(cfg->tcp_port, 443);
	assert_int_equal(cfg->udp_port, 0);
	assert_null(cfg->listen_host);
	assert_string_equal(cfg->device, "vpns");
	assert_int_equal(cfg->keepalive_s, 32400);
	assert_int_equal(cfg->dpd_s, 90);
	assert_int_equal(cfg->mobile_dpd_s, 1800);
	assert_int_equal(cfg->cookie_timeout_s, 300);
	assert_int_equal(cfg->auth_timeout_s, 240);
	assert_int_equal(cfg->min_reauth_time_s, 300);
	assert_int_equal(cfg->rekey_time_s, 172800);
	assert_int_equal(cfg->rekey_method, CFG_REKEY_SSL);
	assert_true(cfg->predictable_ips);
	assert_int_equal(cfg->ipv6_subnet_prefix, 128);
	assert_int_equal(cfg->log_level, LOG_INFO);
	assert_int_equal(cfg->mtu, 0);
	assert_int_equal(cfg->tun_queues, 0);
	assert_int_equal(cfg->worker_threads, 0);
	assert_int_equal(cfg->per_source_connect_rate, 1000);
	assert_true(cfg->dtls_psk);
	assert_true(cfg->dtls_legacy);
	assert_false(cfg->cisco_client_compat);
	assert_int_equal(cfg->max_ban_score, 80);
	assert_int_equal(cfg->ban_reset_time_s, 1200);
	assert_int_equal(cfg->ban_points_wrong_password, 10);
	assert_false(cfg->have_ipv6);
	config_free(cfg);
}

static const char realistic[] =
	"# ocserv-modern production-like config\n"
	"auth = \"plain[passwd=/etc/ocserv/ocpasswd]\"\n"
	"listen-host = 198.18.0.1\n"
	"tcp-port = 443\n"
	"udp-port = 443\n"
	"run-as-user = nobody\n"
	"run-as-group = nogroup\n"
	"server-cert = /etc/ocserv/server-cert.pem\n"
	"server-key = /etc/ocserv/server-key.pem\n"
	"ca-cert = /etc/ocserv/ca.pem\n"
	"tls-priorities = \"NORMAL:%SERVER_PRECEDENCE:%COMPAT:-VERS-SSL3.0:-VERS-TLS1.0\"\n"
	"max-clients = 1024\n"
	"max-same-clients = 2\n"
	"keepalive = 300\n"
	"dpd = 60\n"
	"mobile-dpd = 600\n"
	"auth-timeout = 120\n"
	"idle-timeout = 1200\n"
	"mobile-idle-timeout = 2400\n"
	"session-timeout = 86400\n"
	"cookie-timeout = 600\n"
	"deny-roaming = false\n"
	"rekey-time = 3600\n"
	"rekey-method = new-tunnel\n"
	"pid-file = /run/ocserv-modern.pid\n"
	"log-level = 3\n"
	"device = vpns\n"
	"predictable-ips = true\n"
	"default-domain = corp.example.com\n"
	"ipv4-network = 198.18.128.0\n"
	"ipv4-netmask = 255.255.128.0\n"
	"ipv6-network = 2001:db8:1::/48\n"
	"ipv6-subnet-prefix = 64\n"
	"dns = 198.18.0.53\n"
	"dns = 2001:db8::53\n"
	"split-dns = corp.example.com\n"
	"tunnel-all-dns = false\n"
	"mtu = 1420\n"
	"route = 198.19.0.0/16\n"
	"route = 2001:db8:2::/48\n"
	"no-route = 198.19.5.0/255.255.255.0\n"
	"banner = \"Authorised use only\"\n"
	"tun-queues = auto\n"
	"worker-threads = 4\n"
	"dtls-psk = true\n"
	"dtls-legacy = false\n"
	"switch-to-tcp-timeout = 25\n"
	"isolate-workers = true\n"
	"try-mtu-discovery = false\n"
	"max-ban-score = 80\n"
	"ban-reset-time = 1200\n"
	"rate-limit-ms = 100\n";

static void test_realistic(void **state)
{
	char err[CONFIG_ERR_LEN];
	struct config *cfg;
	char buf[64];

	(void)state;
	log_setup(LOG_SINK_STDERR, LOG_ERR);
	assert_int_equal(config_load_buffer("r.conf", realistic, sizeof(realistic) - 1, &cfg, err),
			 0);
	assert_string_equal(cfg->listen_host, "198.18.0.1");
	assert_int_equal(cfg->udp_port, 443);
	assert_string_equal(cfg->auth_passwd, "/etc/ocserv/ocpasswd");
	conf_prefix_format(&cfg->ipv4_network, buf, sizeof(buf));
	assert_string_equal(buf, "198.18.128.0/17");
	conf_prefix_format(&cfg->ipv6_network, buf, sizeof(buf));
	assert_string_equal(buf, "2001:db8:1::/48");
	assert_int_equal(cfg->ipv6_subnet_prefix, 64);
	assert_int_equal(cfg->routes.len, 2);
	assert_int_equal(cfg->no_routes.len, 1);
	assert_int_equal(cfg->dns.len, 2);
	assert_int_equal(cfg->rekey_method, CFG_REKEY_NEW_TUNNEL);
	assert_int_equal(cfg->log_level, LOG_DEBUG);
	assert_int_equal(cfg->worker_threads, 4);
	assert_int_equal(cfg->mtu, 1420);
	assert_false(cfg->dtls_legacy);
	assert_string_equal(cfg->banner, "Authorised use only");
	config_free(cfg);
	log_setup(LOG_SINK_STDERR, LOG_INFO);
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *text;

	if (!f)
		return nullptr;
	text = calloc(1, CONF_FILE_MAX + 1024);
	assert_non_null(text);
	*len = fread(text, 1, CONF_FILE_MAX, f);
	fclose(f);
	return text;
}

/* Debian's sample loads except for what it lacks (server-cert) or what we refuse. */
static void test_debian_sample(void **state)
{
	static const char path[] = "/etc/ocserv/ocserv.conf";
	char err[CONFIG_ERR_LEN], expect[CONFIG_ERR_LEN];
	struct config *cfg;
	unsigned lines = 0;
	size_t len;
	char *text = read_all(path, &len);

	(void)state;
	if (!text)
		skip();
	log_setup(LOG_SINK_STDERR, LOG_ERR);
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	if (len && text[len - 1] != '\n')
		lines++;
	snprintf(expect, sizeof(expect), "%s:%u: server-cert: required but not set", path, lines);
	assert_int_equal(config_load_buffer(path, text, len, &cfg, err), -EINVAL);
	assert_string_equal(err, expect);

	/* with a certificate it loads as is */
	if (len && text[len - 1] != '\n')
		text[len++] = '\n';
	len += (size_t)snprintf(text + len, 256, "server-cert = /c.pem\nserver-key = /k.pem\n");
	assert_int_equal(config_load_buffer(path, text, len, &cfg, err), 0);
	assert_int_equal(cfg->auth, CFG_AUTH_PLAIN);
	assert_true(cfg->have_ipv4);
	assert_int_equal(cfg->ipv4_network.prefix_len, 24);
	assert_true(cfg->routes.len >= 1);
	assert_true(cfg->cisco_client_compat);
	config_free(cfg);

	/* a refused key stops it, on its own line */
	len += (size_t)snprintf(text + len, 256, "compression = true\n");
	snprintf(expect, sizeof(expect), "%s:%u: compression: not supported yet", path, lines + 3);
	assert_int_equal(config_load_buffer(path, text, len, &cfg, err), -EINVAL);
	assert_string_equal(err, expect);
	free(text);
	log_setup(LOG_SINK_STDERR, LOG_INFO);
}

/* Every key the Debian sample mentions, set or commented ("#key = " / "# key = "), is in the
 * table: the classification is complete. */
static void test_debian_keys_known(void **state)
{
	size_t len;
	char *text = read_all("/etc/ocserv/ocserv.conf", &len);
	char *save = nullptr;
	unsigned checked = 0;

	(void)state;
	if (!text)
		skip();
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(nullptr, "\n", &save)) {
		char key[64];
		size_t n = 0;
		enum conf_class cls;

		if (*l == '#')
			l++;
		if (*l == ' ')
			l++;
		while (n < sizeof(key) - 1 && ((l[n] >= 'a' && l[n] <= 'z') || l[n] == '-' ||
					       (l[n] >= '0' && l[n] <= '9')))
			n++;
		if (n == 0 || (l[n] != ' ' && l[n] != '='))
			continue;
		if (strncmp(l + n, " =", 2) != 0 && l[n] != '=')
			continue;
		memcpy(key, l, n);
		key[n] = '\0';
		if (conf_directive_class(key, &cls) != 0)
			print_message("unclassified key: %s\n", key);
		assert_int_equal(conf_directive_class(key, &cls), 0);
		checked++;
	}
	assert_true(checked > 80);
	free(text);
}

static void test_load_file(void **state)
{
	char path[] = "/tmp/ocm-config-XXXXXX";
	static const char text[] = AUTH CERT NET4;
	char err[CONFIG_ERR_LEN];
	struct config *cfg = (struct config *)1;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	close(fd);
	assert_int_equal(config_load(path, &cfg, err), 0);
	assert_string_equal(cfg->path, path);
	config_free(cfg);
	unlink(path);
	assert_int_equal(config_load(path, &cfg, err), -ENOENT);
	assert_null(cfg);
	assert_non_null(strstr(err, "cannot open: No such file or directory"));
	config_free(nullptr);
}

/* Deterministic mutations of the realistic config: truncations and bit flips must end in 0 or
 * -EINVAL, never a crash or a leak (ASan). */
static void test_mutations(void **state)
{
	size_t len = sizeof(realistic) - 1;
	char *copy = malloc(len);
	char err[CONFIG_ERR_LEN];
	struct config *cfg;
	int ret;

	(void)state;
	assert_non_null(copy);
	log_setup(LOG_SINK_STDERR, LOG_EMERG);
	for (size_t cut = 0; cut < len; cut += 7) {
		ret = config_load_buffer("m", realistic, cut, &cfg, err);
		assert_true(ret == 0 || ret == -EINVAL);
		config_free(cfg);
	}
	for (size_t i = 0; i < len; i += 3) {
		for (int bit = 0; bit < 8; bit += 3) {
			memcpy(copy, realistic, len);
			copy[i] ^= (char)(1 << bit);
			ret = config_load_buffer("m", copy, len, &cfg, err);
			assert_true(ret == 0 || ret == -EINVAL);
			if (ret)
				assert_true(strncmp(err, "m:", 2) == 0);
			config_free(cfg);
		}
	}
	free(copy);
	log_setup(LOG_SINK_STDERR, LOG_INFO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_table),	  cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_realistic),	  cmocka_unit_test(test_debian_sample),
		cmocka_unit_test(test_debian_keys_known), cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
