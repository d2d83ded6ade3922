// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for config/directives.c through config_load_buffer(): every implemented key with good
 * values, bad values (exact error text with file:line), the limit and one past it, and the
 * no-effect / not-enforced / refused / unknown classes. */
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

/* Four valid lines; the case's line is line 5. */
static const char base[] = "auth = \"plain[passwd=/etc/ocserv/passwd]\"\n"
			   "server-cert = /etc/ocserv/cert.pem\n"
			   "server-key = /etc/ocserv/key.pem\n"
			   "ipv4-network = 198.18.0.0/24\n";

enum check { CK_NONE, CK_UINT, CK_U16, CK_BOOL, CK_INT, CK_STR, CK_U8 };

struct dcase {
	const char *line;
	const char *err; /* nullptr: must load */
	enum check ck;
	size_t off;
	unsigned long long val;
	const char *str;
};

#define OK(l)	      {l, nullptr, CK_NONE, 0, 0, nullptr}
#define OKU(l, m, v)  {l, nullptr, CK_UINT, offsetof(struct config, m), v, nullptr}
#define OK16(l, m, v) {l, nullptr, CK_U16, offsetof(struct config, m), v, nullptr}
#define OKB(l, m, v)  {l, nullptr, CK_BOOL, offsetof(struct config, m), v, nullptr}
#define OKI(l, m, v)  {l, nullptr, CK_INT, offsetof(struct config, m), v, nullptr}
#define OK8(l, m, v)  {l, nullptr, CK_U8, offsetof(struct config, m), v, nullptr}
#define OKS(l, m, s)  {l, nullptr, CK_STR, offsetof(struct config, m), 0, s}
#define BAD(l, e)     {l, "t.conf:5: " e, CK_NONE, 0, 0, nullptr}

static const struct dcase dcases[] = {
	/* ports */
	OK16("tcp-port = 1", tcp_port, 1),
	OK16("tcp-port = 65535", tcp_port, 65535),
	BAD("tcp-port = 65536", "tcp-port: \"65536\" is out of range 1..65535"),
	BAD("tcp-port = 0", "tcp-port: \"0\" is out of range 1..65535"),
	BAD("tcp-port = https", "tcp-port: \"https\" is not a number"),
	OK16("udp-port = 443", udp_port, 443),
	OK16("udp-port = 0", udp_port, 0),
	BAD("udp-port = 65536", "udp-port: \"65536\" is out of range 0..65535"),
	/* hosts */
	OKS("listen-host = 198.18.0.1", listen_host, "198.18.0.1"),
	OKS("listen-host = 2001:db8::1", listen_host, "2001:db8::1"),
	OKS("listen-host = vpn.example.com", listen_host, "vpn.example.com"),
	BAD("listen-host = [IP|HOSTNAME]",
	    "listen-host: \"[IP|HOSTNAME]\" is not an IP address or host name"),
	OKS("udp-listen-host = 198.18.0.2", udp_listen_host, "198.18.0.2"),
	BAD("udp-listen-host = a b", "udp-listen-host: \"a b\" is not an IP address or host name"),
	/* TLS */
	OKS("ca-cert = /etc/ocserv/ca.pem", ca_cert, "/etc/ocserv/ca.pem"),
	OKS("tls-priorities = \"NORMAL:%SERVER_PRECEDENCE:-VERS-TLS1.0\"", tls_priorities,
	    "NORMAL:%SERVER_PRECEDENCE:-VERS-TLS1.0"),
	BAD("tls-priorities = \"\"", "tls-priorities: empty value"),
	BAD("server-cert = /other.pem", "server-cert: given twice (first on line 2)"),
	/* auth */
	BAD("auth = \"pam\"", "auth: given twice (first on line 1)"),
	/* device */
	OKS("device = tun-vpn", device, "tun-vpn"),
	OKS("device = abcdefghijklmno", device, "abcdefghijklmno"),
	BAD("device = abcdefghijklmnop", "device: \"abcdefghijklmnop\" must be 1..15 characters"),
	BAD("device = a/b", "device: \"a/b\" is not a valid interface name"),
	OKS("device = vpns%d", device, "vpns%d"),
	BAD("device = vpns%s", "device: \"vpns%s\" may only contain one %d"),
	BAD("device = a%db%d", "device: \"a%db%d\" may only contain one %d"),
	/* IPv6 */
	OKU("ipv6-network = 2001:db8::/48", ipv6_subnet_prefix, 128),
	OK("ipv6-network = 2001:db8::/127"),
	BAD("ipv6-network = 2001:db8::/128", "ipv6-network: \"2001:db8::/128\" needs a prefix "
					     "length 1..127"),
	BAD("ipv6-network = 2001:db8::", "ipv6-network: \"2001:db8::\" needs a prefix length "
					 "1..127"),
	BAD("ipv6-network = 198.18.0.0/24",
	    "ipv6-network: \"198.18.0.0/24\" is not an IPv6 address or prefix"),
	BAD("ipv6-subnet-prefix = 129", "ipv6-subnet-prefix: \"129\" is out of range 1..128"),
	BAD("ipv6-subnet-prefix = 0", "ipv6-subnet-prefix: \"0\" is out of range 1..128"),
	/* DNS */
	OK("dns = 198.18.0.53"),
	OK("dns = 2001:db8::53"),
	BAD("dns = dns.example.com", "dns: \"dns.example.com\" is not an IPv4 or IPv6 address"),
	BAD("dns = 198.18.0.256", "dns: \"198.18.0.256\" is not an IPv4 or IPv6 address"),
	OKS("default-domain = example.com", default_domain, "example.com"),
	OKS("default-domain = \"example.com one.example.com\"", default_domain,
	    "example.com one.example.com"),
	BAD("default-domain = exa!mple.com",
	    "default-domain: \"exa!mple.com\" is not a domain name"),
	BAD("default-domain = \" \"", "default-domain: empty value"),
	OK("split-dns = corp.example.com"),
	BAD("split-dns = corp..example", "split-dns: \"corp..example\" is not a domain name"),
	OKB("tunnel-all-dns = true", tunnel_all_dns, true),
	OKB("tunnel-all-dns = YES", tunnel_all_dns, true),
	BAD("tunnel-all-dns = 1", "tunnel-all-dns: \"1\" is not a boolean (true or false)"),
	/* routes */
	OKB("route = default", route_default, true),
	OK("route = 10.0.0.0/8"),
	OK("route = 192.168.0.0/255.255.0.0"),
	OK("route = 2001:db8:1000::/48"),
	OK("route = 198.18.0.1"),
	BAD("route = 10.1.0.0/8",
	    "route: \"10.1.0.0/8\" has host bits set (network is 10.0.0.0/8)"),
	BAD("route = 10.0.0.0/33", "route: \"10.0.0.0/33\": prefix length must be 0..32"),
	BAD("route = 10.0.0.0/255.0.255.0", "route: \"255.0.255.0\" is not a contiguous netmask"),
	BAD("route = defaults", "route: \"defaults\" is not an IP address or prefix"),
	OK("no-route = 192.168.5.0/255.255.255.0"),
	BAD("no-route = default", "no-route: \"default\" is only valid for route"),
	/* numbers with ranges */
	OKU("mtu = 576", mtu, 576),
	OKU("mtu = 9000", mtu, 9000),
	BAD("mtu = 575", "mtu: \"575\" is out of range 576..9000"),
	BAD("mtu = 9001", "mtu: \"9001\" is out of range 576..9000"),
	OKU("keepalive = 0", keepalive_s, 0),
	OKU("keepalive = 86400", keepalive_s, 86400),
	BAD("keepalive = 86401", "keepalive: \"86401\" is out of range 0..86400"),
	OKU("dpd = 30", dpd_s, 30),
	BAD("dpd = -1", "dpd: \"-1\" is not a number"),
	OKU("mobile-dpd = 86400", mobile_dpd_s, 86400),
	BAD("mobile-dpd = 86401", "mobile-dpd: \"86401\" is out of range 0..86400"),
	OKU("idle-timeout = 1200", idle_timeout_s, 1200),
	BAD("idle-timeout = 31536001", "idle-timeout: \"31536001\" is out of range 0..31536000"),
	OKU("mobile-idle-timeout = 31536000", mobile_idle_timeout_s, 31536000),
	OKU("session-timeout = 86400", session_timeout_s, 86400),
	BAD("session-timeout = 1d", "session-timeout: \"1d\" is not a number"),
	OKU("cookie-timeout = 1", cookie_timeout_s, 1),
	OKU("cookie-timeout = 604800", cookie_timeout_s, 604800),
	BAD("cookie-timeout = 0", "cookie-timeout: \"0\" is out of range 1..604800"),
	BAD("cookie-timeout = 604801", "cookie-timeout: \"604801\" is out of range 1..604800"),
	OKU("max-clients = 1000000", max_clients, 1000000),
	BAD("max-clients = 1000001", "max-clients: \"1000001\" is out of range 0..1000000"),
	OKU("max-same-clients = 0", max_same_clients, 0),
	OKB("predictable-ips = false", predictable_ips, false),
	OKS("banner = \"Welcome, friend\"", banner, "Welcome, friend"),
	OKS("pid-file = /run/ocm.pid", pid_file, "/run/ocm.pid"),
	OKS("run-as-user = nobody", run_as_user, "nobody"),
	OKS("run-as-group = nogroup", run_as_group, "nogroup"),
	OKU("auth-timeout = 3600", auth_timeout_s, 3600),
	BAD("auth-timeout = 0", "auth-timeout: \"0\" is out of range 1..3600"),
	BAD("auth-timeout = 3601", "auth-timeout: \"3601\" is out of range 1..3600"),
	OKU("min-reauth-time = 0", min_reauth_time_s, 0),
	BAD("min-reauth-time = 86401", "min-reauth-time: \"86401\" is out of range 0..86400"),
	OKU("rekey-time = 0", rekey_time_s, 0),
	BAD("rekey-time = 31536001", "rekey-time: \"31536001\" is out of range 0..31536000"),
	OK8("rekey-method = new-tunnel", rekey_method, CFG_REKEY_NEW_TUNNEL),
	OK8("rekey-method = ssl", rekey_method, CFG_REKEY_SSL),
	BAD("rekey-method = tls", "rekey-method: \"tls\" is not ssl or new-tunnel"),
	OKI("log-level = 0", log_level, LOG_INFO),
	OKI("log-level = 2", log_level, LOG_INFO),
	OKI("log-level = 3", log_level, LOG_DEBUG),
	OKI("log-level = 9", log_level, LOG_DEBUG),
	BAD("log-level = 10", "log-level: \"10\" is out of range 0..9"),
	OKB("deny-roaming = true", deny_roaming, true),
	OKU("tun-queues = auto", tun_queues, 0),
	OKU("tun-queues = 256", tun_queues, 256),
	BAD("tun-queues = 257", "tun-queues: \"257\" is not auto or 1..256"),
	BAD("tun-queues = 0", "tun-queues: \"0\" is not auto or 1..256"),
	OKU("worker-threads = 1", worker_threads, 1),
	BAD("worker-threads = Auto", "worker-threads: \"Auto\" is not auto or 1..256"),
	OKU("per-source-connect-rate = 0", per_source_connect_rate, 0),
	OKU("per-source-connect-rate = 1000000", per_source_connect_rate, 1000000),
	BAD("per-source-connect-rate = 1000001",
	    "per-source-connect-rate: \"1000001\" is out of range 0..1000000"),
	/* DTLS, stored */
	OKB("dtls-psk = false", dtls_psk, false),
	OKB("dtls-legacy = false", dtls_legacy, false),
	OKB("cisco-client-compat = true", cisco_client_compat, true),
	OKB("cisco-client-compat = true", dtls_legacy, true),
	OKB("match-tls-dtls-ciphers = true", match_tls_dtls_ciphers, true),
	OKB("match-tls-dtls-ciphers = true", dtls_legacy, false),
	OKU("switch-to-tcp-timeout = 25", switch_to_tcp_timeout_s, 25),
	BAD("switch-to-tcp-timeout = 3601",
	    "switch-to-tcp-timeout: \"3601\" is out of range 0..3600"),
	OKU("dtls-mtu = 1400", dtls_mtu, 1400),
	BAD("dtls-mtu = 255", "dtls-mtu: \"255\" is out of range 256..9000"),
	/* not enforced yet */
	OKU("max-ban-score = 0", max_ban_score, 0),
	OKU("ban-reset-time = 60", ban_reset_time_s, 60),
	OKU("ban-points-wrong-password = 5", ban_points_wrong_password, 5),
	OKU("ban-points-connection = 2", ban_points_connection, 2),
	OKU("ban-points-kkdcp = 3", ban_points_kkdcp, 3),
	OKU("rate-limit-ms = 60000", rate_limit_ms, 60000),
	BAD("rate-limit-ms = 60001", "rate-limit-ms: \"60001\" is out of range 0..60000"),
	OK8("enable-ebpf = true", enable_ebpf, CFG_ON),
	OK8("enable-ebpf = auto", enable_ebpf, CFG_AUTO),
	OK8("enable-ebpf = no", enable_ebpf, CFG_OFF),
	BAD("enable-ebpf = maybe", "enable-ebpf: \"maybe\" is not auto, true or false"),
	OK8("ebpf-xdp-mode = disabled", ebpf_xdp_mode, CFG_XDP_DISABLED),
	OK8("ebpf-xdp-mode = generic", ebpf_xdp_mode, CFG_XDP_GENERIC),
	BAD("ebpf-xdp-mode = offload",
	    "ebpf-xdp-mode: \"offload\" is not auto, native, generic or disabled"),
	OKB("enable-wolfsentry = yes", enable_wolfsentry, true),
	OKS("wolfsentry-config = /etc/ocserv/sentry.json", wolfsentry_config,
	    "/etc/ocserv/sentry.json"),
	OKS("metrics-listen = 127.0.0.1:9100", metrics_listen, "127.0.0.1:9100"),
	OKS("metrics-listen = [::1]:9100", metrics_listen, "[::1]:9100"),
	BAD("metrics-listen = 9100", "metrics-listen: \"9100\" is not host:port or [ipv6]:port"),
	/* accepted without effect */
	OK("socket-file = /run/ocserv-socket"),
	OK("isolate-workers = true"),
	BAD("isolate-workers = maybe",
	    "isolate-workers: \"maybe\" is not a boolean (true or false)"),
	OK("use-occtl = true"),
	OK("chroot-dir = /var/lib/ocserv"),
	OK("server-stats-reset-time = 604800"),
	OK("try-mtu-discovery = false"),
	OK("ping-leases = false"),
	OK("cert-user-oid = 0.9.2342.19200300.100.1.1"),
	OK("dh-params = /etc/ocserv/dh.pem"),
	/* refused; a false boolean is accepted for the DIR_OFF_OK ones */
	BAD("compression = true", "compression: not supported yet"),
	OK("compression = false"),
	BAD("client-bypass-protocol = true", "client-bypass-protocol: not supported yet"),
	OK("client-bypass-protocol = false"),
	BAD("listen-clear-file = /run/x", "listen-clear-file: not supported yet"),
	BAD("config-per-user = /nonexistent-ocm/",
	    "config-per-user: \"/nonexistent-ocm/\": No such file or directory"),
	BAD("select-group = group1[", "select-group: \"group1[\" is not name or name[Label]"),
	BAD("connect-script = bin/true", "connect-script: \"bin/true\" must be an absolute path"),
	BAD("nbns = 198.18.0.3", "nbns: not supported yet"),
	BAD("iroute = 198.18.9.0/24", "iroute: only valid in a per-user or per-group file "
				      "(config-per-user, config-per-group)"),
	BAD("explicit-ipv4 = 198.18.0.7", "explicit-ipv4: only valid in a per-user or per-group "
					  "file (config-per-user, config-per-group)"),
	BAD("crl = /etc/ocserv/crl.pem", "crl: not supported yet"),
	BAD("key-pin = 1234", "key-pin: not supported yet"),
	BAD("custom-header = \"X-My-Header: hi\"", "custom-header: not supported yet"),
	BAD("pre-login-banner = hi", "pre-login-banner: not supported yet"),
	BAD("persistent-cookies = maybe", "persistent-cookies: not supported yet"),
	/* unknown */
	BAD("no-such-option = 1", "no-such-option: unknown option"),
	BAD("TCP-PORT = 443", "TCP-PORT: unknown option"),
};

static void check_field(const struct config *cfg, const struct dcase *c)
{
	const char *p = (const char *)cfg + c->off;

	switch (c->ck) {
	case CK_NONE:
		break;
	case CK_UINT:
		assert_int_equal(*(const unsigned *)p, c->val);
		break;
	case CK_U16:
		assert_int_equal(*(const uint16_t *)p, c->val);
		break;
	case CK_U8:
		assert_int_equal(*(const uint8_t *)p, c->val);
		break;
	case CK_BOOL:
		assert_int_equal(*(const bool *)p, c->val);
		break;
	case CK_INT:
		assert_int_equal(*(const int *)p, c->val);
		break;
	case CK_STR:
		assert_non_null(*(char *const *)p);
		assert_string_equal(*(char *const *)p, c->str);
		break;
	}
}

static void test_directive_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(dcases) / sizeof(dcases[0]); i++) {
		const struct dcase *c = &dcases[i];
		char text[sizeof(base) + 256];
		char err[CONFIG_ERR_LEN] = "";
		struct config *cfg = (struct config *)1;
		int ret;

		print_message("case: %s\n", c->line);
		snprintf(text, sizeof(text), "%s%s\n", base, c->line);
		ret = config_load_buffer("t.conf", text, strlen(text), &cfg, err);
		if (c->err) {
			assert_int_equal(ret, -EINVAL);
			assert_null(cfg);
			assert_string_equal(err, c->err);
			continue;
		}
		if (ret != 0)
			print_message("unexpected: %s\n", err);
		assert_int_equal(ret, 0);
		check_field(cfg, c);
		config_free(cfg);
	}
}

static void test_lists(void **state)
{
	static const char text[] =
		"auth = plain[passwd=/p]\nserver-cert = c\nserver-key = k\n"
		"ipv4-network = 198.18.0.0\nipv4-netmask = 255.255.255.0\n"
		"route = 10.0.0.0/8\nroute = 2001:db8::/32\nno-route = 10.5.0.0/16\n"
		"dns = 198.18.0.53\ndns = 2001:db8::53\nsplit-dns = a.example\n"
		"split-dns = b.example\n";
	char err[CONFIG_ERR_LEN];
	struct config *cfg;
	char buf[64];

	(void)state;
	assert_int_equal(config_load_buffer("t.conf", text, sizeof(text) - 1, &cfg, err), 0);
	assert_string_equal(cfg->auth_passwd, "/p");
	assert_int_equal(cfg->auth, CFG_AUTH_PLAIN);
	assert_true(cfg->have_ipv4);
	conf_prefix_format(&cfg->ipv4_network, buf, sizeof(buf));
	assert_string_equal(buf, "198.18.0.0/24");
	assert_int_equal(cfg->routes.len, 2);
	conf_prefix_format(&cfg->routes.items[1], buf, sizeof(buf));
	assert_string_equal(buf, "2001:db8::/32");
	assert_int_equal(cfg->no_routes.len, 1);
	assert_false(cfg->route_default);
	assert_int_equal(cfg->dns.len, 2);
	assert_string_equal(cfg->dns.items[1], "2001:db8::53");
	assert_int_equal(cfg->split_dns.len, 2);
	assert_string_equal(cfg->split_dns.items[0], "a.example");
	config_free(cfg);
}

/* CONF_LIST_MAX entries load; one more is refused on its own line. */
static void test_list_limit(void **state)
{
	size_t cap = sizeof(base) + (CONF_LIST_MAX + 1) * 32;
	char *text = malloc(cap);
	char err[CONFIG_ERR_LEN];
	struct config *cfg;
	size_t len;

	(void)state;
	assert_non_null(text);
	len = (size_t)snprintf(text, cap, "%s", base);
	for (int i = 0; i < CONF_LIST_MAX; i++)
		len += (size_t)snprintf(text + len, cap - len, "route = 10.%d.0.0/16\n", i);
	assert_int_equal(config_load_buffer("t.conf", text, len, &cfg, err), 0);
	assert_int_equal(cfg->routes.len, CONF_LIST_MAX);
	config_free(cfg);
	len += (size_t)snprintf(text + len, cap - len, "route = 11.0.0.0/16\n");
	assert_int_equal(config_load_buffer("t.conf", text, len, &cfg, err), -EINVAL);
	assert_string_equal(err, "t.conf:261: route: too many entries (max 256)");
	free(text);
}

struct auth_case {
	const char *value;
	const char *err;
};

static const struct auth_case auth_cases[] = {
	{"plain[passwd=/etc/ocserv/passwd]", nullptr},
	{"\"plain[passwd=/x]\"", nullptr},
	{"pam", "t.conf:1: auth: \"pam\" is not supported yet"},
	{"\"pam[gid-min=1000]\"", "t.conf:1: auth: \"pam\" is not supported yet"},
	{"certificate", "t.conf:1: auth: \"certificate\" is not supported yet"},
	{"radius[config=/etc/radiusclient/radiusclient.conf]",
	 "t.conf:1: auth: \"radius\" is not supported yet"},
	{"gssapi", "t.conf:1: auth: \"gssapi\" is not supported yet"},
	{"ldap", "t.conf:1: auth: \"ldap\" is not an authentication method"},
	{"plain", "t.conf:1: auth: plain needs [passwd=/path/to/ocpasswd]"},
	{"plain[]", "t.conf:1: auth: plain needs [passwd=/path/to/ocpasswd]"},
	{"plain[passwd=]", "t.conf:1: auth: plain: bad option \"passwd=\""},
	{"plain[passwd=/x", "t.conf:1: auth: plain needs [passwd=/path/to/ocpasswd]"},
	{"plain[passwd=/x,otp=/y]", "t.conf:1: auth: plain: \"otp\" is not supported yet"},
	{"plain[passwd=/x,passwd=/y]", "t.conf:1: auth: plain: bad option \"passwd=/y\""},
	{"plain[/etc/ocserv/passwd]", "t.conf:1: auth: plain: bad option \"/etc/ocserv/passwd\""},
	{"plainx[passwd=/x]", "t.conf:1: auth: \"plainx[passwd=/x]\" is not an authentication "
			      "method"},
};

static void test_auth(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(auth_cases) / sizeof(auth_cases[0]); i++) {
		const struct auth_case *c = &auth_cases[i];
		char text[512], err[CONFIG_ERR_LEN] = "";
		struct config *cfg;
		int ret;

		print_message("case: %s\n", c->value);
		snprintf(text, sizeof(text),
			 "auth = %s\nserver-cert = c\nserver-key = k\nipv4-network = "
			 "198.18.0.0/24\n",
			 c->value);
		ret = config_load_buffer("t.conf", text, strlen(text), &cfg, err);
		if (!c->err) {
			assert_int_equal(ret, 0);
			assert_int_equal(cfg->auth, CFG_AUTH_PLAIN);
			config_free(cfg);
			continue;
		}
		assert_int_equal(ret, -EINVAL);
		assert_string_equal(err, c->err);
	}
}

static void test_classes(void **state)
{
	static const struct {
		const char *key;
		enum conf_class cls;
	} cases[] = {
		{"tcp-port", CONF_IMPLEMENTED},
		{"worker-threads", CONF_IMPLEMENTED},
		{"dtls-psk", CONF_DTLS},
		{"dtls-mtu", CONF_DTLS},
		{"max-ban-score", CONF_IMPLEMENTED},
		{"metrics-listen", CONF_IMPLEMENTED},
		{"rate-limit-ms", CONF_IMPLEMENTED},
		{"socket-file", CONF_NO_EFFECT},
		{"try-mtu-discovery", CONF_NO_EFFECT},
		{"camouflage", CONF_REFUSED},
		{"iroute", CONF_REFUSED},
	};
	enum conf_class cls;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(conf_directive_class(cases[i].key, &cls), 0);
		assert_int_equal(cls, cases[i].cls);
	}
	assert_int_equal(conf_directive_class("nope", &cls), -ENOENT);
	assert_string_equal(config_rekey_method_name(CFG_REKEY_SSL), "ssl");
	assert_string_equal(config_rekey_method_name(CFG_REKEY_NEW_TUNNEL), "new-tunnel");
}

/* Redirects stderr to a temp file around one load and returns what was logged. */
static void load_capturing(const char *text, char *out, size_t out_len)
{
	char err[CONFIG_ERR_LEN];
	struct config *cfg;
	FILE *tmp = tmpfile();
	int saved;
	size_t n;

	assert_non_null(tmp);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
	assert_int_equal(config_load_buffer("t.conf", text, strlen(text), &cfg, err), 0);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	config_free(cfg);
	rewind(tmp);
	n = fread(out, 1, out_len - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
}

static void test_log_lines(void **state)
{
	char text[1024], logged[8192];

	(void)state;
	log_setup(LOG_SINK_STDERR, LOG_DEBUG);
	snprintf(text, sizeof(text),
		 "%ssocket-file = /run/x\nmax-ban-score = 80\nmetrics-listen = 127.0.0.1:9100\n"
		 "udp-port = 443\ncompression = false\nmatch-tls-dtls-ciphers = true\n",
		 base);
	load_capturing(text, logged, sizeof(logged));
	assert_non_null(strstr(logged, "t.conf:5: socket-file: accepted, has no effect (no "
				       "main/worker IPC: workers are threads)"));
	assert_null(strstr(logged, "max-ban-score: not enforced"));
	assert_null(strstr(logged, "metrics-listen: not enforced"));
	assert_null(strstr(logged, "DTLS is not implemented"));
	assert_null(strstr(logged, "match-tls-dtls-ciphers: not enforced"));
	assert_non_null(strstr(logged, "t.conf:9: compression: accepted, has no effect (false is "
				       "the default)"));

	log_setup(LOG_SINK_STDERR, LOG_INFO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_directive_table), cmocka_unit_test(test_lists),
		cmocka_unit_test(test_list_limit),	cmocka_unit_test(test_auth),
		cmocka_unit_test(test_classes),		cmocka_unit_test(test_log_lines),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
