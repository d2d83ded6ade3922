// SPDX-License-Identifier: GPL-2.0-or-later
/* main.c — startup order, signals, privilege drop and shutdown: the only file that sees every
 * module. Command line as ocserv's: -c FILE, -f, -d N, -t, -v, -p FILE. */
#include <errno.h>
#include <getopt.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "auth/auth.h"
#include "config/config.h"
#include "ctl/ctl.h"
#include "ctl/ctl_vpn.h"
#include "core/clock.h"
#include "core/compiler.h"
#include "core/log.h"
#include "core/loop.h"
#include "net/net.h"
#include "sandbox/sandbox.h"
#include "sentry/sentry.h"
#include "tls/tls.h"
#include "tunnel/mtu.h"
#include "tunnel/tunnel.h"

#ifndef OCM_VERSION
#define OCM_VERSION "0.0.0"
#endif

enum { AUTH_THREADS_MIN = 2, AUTH_THREADS_MAX = 16, MAX_WORKERS = 255 };

struct options {
	const char *config_path;
	const char *pid_file;
	bool foreground;
	bool test_config;
	int debug; /* -d N: 0 = config's log-level */
};

struct server {
	struct options opt;
	struct config *cfg;
	struct tls_server *tls;
	struct dtls_server *dtls;
	struct ippool *pool;
	struct tun *tun;
	struct auth_pool *auth;
	struct vpn *vpn;
	struct sentry *sentry;
	struct net_accel *accel;
	struct net_route *route;	 /* iroutes and per-user pools on the TUN; nullptr = none */
	struct sandbox_spawner *spawner; /* runs connect/disconnect scripts; nullptr = none */
	struct ctl_vpn ctl_ctx;
	struct ctl_server *ctl;
	struct metrics_server *metrics;
	struct loop *loop;
	struct loop_watch sig_watch;
	struct timer tick;
	int *listen_fds;
	int *udp_fds; /* nullptr: no DTLS */
	unsigned n_workers;
	bool pid_written;
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: ocserv-modern [options]\n"
		   "  -c, --config FILE     configuration file (default /etc/ocserv/ocserv.conf)\n"
		   "  -f, --foreground      do not fork into the background; log to stderr\n"
		   "  -d, --debug N         debug level (1..9999, as ocserv; >= 3 logs debug)\n"
		   "  -t, --test-config     check the configuration and exit\n"
		   "  -p, --pid-file FILE   write the process id to FILE\n"
		   "  -v, --version         print the version and exit\n"
		   "  -h, --help            this text\n");
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
		{"config", required_argument, nullptr, 'c'},
		{"foreground", no_argument, nullptr, 'f'},
		{"debug", required_argument, nullptr, 'd'},
		{"test-config", no_argument, nullptr, 't'},
		{"pid-file", required_argument, nullptr, 'p'},
		{"version", no_argument, nullptr, 'v'},
		{"help", no_argument, nullptr, 'h'},
		{},
	};
	int ch;

	*o = (struct options){.config_path = "/etc/ocserv/ocserv.conf"};
	while ((ch = getopt_long(argc, argv, "c:fd:tp:vh", longs, nullptr)) != -1) {
		char *end;
		switch (ch) {
		case 'c':
			o->config_path = optarg;
			break;
		case 'f':
			o->foreground = true;
			break;
		case 'd':
			errno = 0;
			long d = strtol(optarg, &end, 10);
			if (errno || *end || d < 0 || d > 9999) {
				fprintf(stderr, "ocserv-modern: -d: not a debug level: %s\n",
					optarg);
				return 1;
			}
			o->debug = (int)d;
			break;
		case 't':
			o->test_config = true;
			break;
		case 'p':
			o->pid_file = optarg;
			break;
		case 'v':
			printf("ocserv-modern %s\n", OCM_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 1;
	}
	return 0;
}

static unsigned worker_count(const struct config *cfg)
{
	long n = cfg->worker_threads ? (long)cfg->worker_threads : sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	return n > MAX_WORKERS ? MAX_WORKERS : (unsigned)n;
}

/* Password hashing is CPU work: one auth thread per core (at least 2, so that one slow PAM or
 * RADIUS round does not stall every login on a small machine). */
static unsigned auth_thread_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < AUTH_THREADS_MIN)
		return AUTH_THREADS_MIN;
	return n > AUTH_THREADS_MAX ? AUTH_THREADS_MAX : (unsigned)n;
}

/* The TUN MTU: the data MTU a client on a plain IPv4 link of the configured MTU gets. */
static unsigned tun_mtu_for(const struct config *cfg)
{
	struct mtu_input in = {.cfg_mtu = cfg->mtu, .have_ipv6_lease = cfg->have_ipv6};
	struct mtu_result r;

	if (mtu_compute(&in, &r))
		return 1280;
	return r.data_mtu < 1280 && cfg->have_ipv6 ? 1280 : r.data_mtu;
}

static int write_pid_file(struct server *s)
{
	const char *path = s->opt.pid_file ? s->opt.pid_file : s->cfg->pid_file;
	FILE *f;

	if (!path)
		return 0;
	f = fopen(path, "we");
	if (!f) {
		log_msg(LOG_ERR, "cannot write pid file %s: %m", path);
		return -errno;
	}
	fprintf(f, "%ld\n", (long)getpid());
	fclose(f);
	s->pid_written = true;
	return 0;
}

/* Per-user/per-group files may set iroute and ipv4/ipv6-network: the server then changes routes
 * and addresses on its TUN at connect/disconnect, which needs CAP_NET_ADMIN. */
static bool needs_route_control(const struct config *cfg)
{
	return cfg->config_per_user || cfg->config_per_group;
}

/* After setup the server needs no capability but CAP_NET_ADMIN for the above: bans reach XDP
 * and leases tun_guard through the map fds it already holds, the TUN and the sockets are open.
 * Without run-as-user/-group the ids stay (as in ocserv) but every other capability still goes,
 * with no-new-privs. */
static int drop_privileges(const struct config *cfg)
{
	const struct sandbox_caps none = {};
	const struct sandbox_caps net_admin = {SANDBOX_CAP(CAP_NET_ADMIN)};
	bool keep = needs_route_control(cfg);
	bool keep_ids = !cfg->run_as_user && !cfg->run_as_group;
	int ret;

	ret = sandbox_drop_privileges(cfg->run_as_user, cfg->run_as_group,
				      keep ? &net_admin : &none);
	if (ret) {
		log_msg(LOG_ERR, "cannot drop privileges to %s/%s: %s",
			cfg->run_as_user ? cfg->run_as_user : "-",
			cfg->run_as_group ? cfg->run_as_group : "-", strerror(-ret));
		return ret;
	}
	/* The password file is re-read at every login: it must stay readable. */
	if (cfg->auth_passwd && access(cfg->auth_passwd, R_OK) < 0) {
		log_msg(LOG_ERR, "after dropping privileges the password file %s is unreadable: %m",
			cfg->auth_passwd);
		return -EACCES;
	}
	log_msg(LOG_INFO, "running as uid %u gid %u with %s", (unsigned)getuid(),
		(unsigned)getgid(),
		keep ? "CAP_NET_ADMIN only (iroutes, per-user pools)" : "no capabilities");
	if (keep_ids && getuid() == 0)
		log_msg(LOG_NOTICE,
			"no run-as-user/run-as-group: still uid 0 (without capabilities, it owns "
			"root's files); set them, e.g. to nobody/nogroup");
	return 0;
}

static int run_script(void *ctx, const char *path, const char *const *env, int *status)
{
	return sandbox_spawner_run(ctx, path, env, status);
}

/* The script spawner: a small process forked while we are still root and unfiltered; later
 * the server asks it to run the configured scripts (and only those). */
static int start_spawner(struct server *s)
{
	const struct config *cfg = s->cfg;
	const char *paths[4];
	size_t n = 0;

	if (cfg->connect_script)
		paths[n++] = cfg->connect_script;
	if (cfg->disconnect_script)
		paths[n++] = cfg->disconnect_script;
	if (cfg->host_update_script)
		paths[n++] = cfg->host_update_script;
	if (!n)
		return 0;
	paths[n] = nullptr;
	struct sandbox_spawner_config sc = {.allowed_paths = paths, .timeout_ms = 30000};
	int ret = sandbox_spawner_start(&sc, &s->spawner);
	if (ret) {
		log_msg(LOG_ERR, "cannot start the script spawner: %s", strerror(-ret));
		return ret;
	}
	s->vpn->run_script = run_script;
	s->vpn->script_ctx = s->spawner;
	return 0;
}

/* isolate-workers (ocserv's seccomp switch, default true): the whole server is filtered. */
static int install_seccomp(const struct config *cfg)
{
	int ret;

	if (!cfg->isolate_workers)
		return 0;
	ret = sandbox_seccomp_install(needs_route_control(cfg) ? SANDBOX_PROFILE_SERVER_NETLINK
							       : SANDBOX_PROFILE_SERVER);
	if (ret)
		log_msg(LOG_ERR, "cannot install the seccomp filter: %s", strerror(-ret));
	else
		log_msg(LOG_INFO, "seccomp filter installed");
	return ret;
}

static bool str_differs(const char *a, const char *b)
{
	return (a || b) && (!a || !b || strcmp(a, b) != 0);
}

/* The first key whose change needs a restart (listeners, TUN, pools, keys, eBPF, control
 * channels are set up once), or nullptr. Everything else applies to new sessions. */
static const char *restart_only_change(const struct config *a, const struct config *b)
{
	if (a->tcp_port != b->tcp_port)
		return "tcp-port";
	if (a->udp_port != b->udp_port)
		return "udp-port";
	if (str_differs(a->listen_host, b->listen_host))
		return "listen-host";
	if (str_differs(a->udp_listen_host, b->udp_listen_host))
		return "udp-listen-host";
	if (str_differs(a->device, b->device))
		return "device";
	if (a->have_ipv4 != b->have_ipv4 ||
	    memcmp(&a->ipv4_network, &b->ipv4_network, sizeof(a->ipv4_network)))
		return "ipv4-network";
	if (a->have_ipv6 != b->have_ipv6 ||
	    memcmp(&a->ipv6_network, &b->ipv6_network, sizeof(a->ipv6_network)) ||
	    a->ipv6_subnet_prefix != b->ipv6_subnet_prefix)
		return "ipv6-network";
	if (a->worker_threads != b->worker_threads || a->tun_queues != b->tun_queues ||
	    a->tun_offloads != b->tun_offloads ||
	    a->per_source_connect_rate != b->per_source_connect_rate)
		return "worker-threads/tun-queues/tun-offloads/per-source-connect-rate";
	if (str_differs(a->server_cert, b->server_cert) ||
	    str_differs(a->server_key, b->server_key) || str_differs(a->ca_cert, b->ca_cert) ||
	    str_differs(a->tls_priorities, b->tls_priorities))
		return "server-cert/server-key/ca-cert/tls-priorities";
	if (a->dtls_psk != b->dtls_psk || a->dtls_legacy != b->dtls_legacy)
		return "dtls-psk/dtls-legacy";
	if (a->auth != b->auth || str_differs(a->auth_passwd, b->auth_passwd))
		return "auth";
	if (str_differs(a->connect_script, b->connect_script) ||
	    str_differs(a->disconnect_script, b->disconnect_script) ||
	    str_differs(a->host_update_script, b->host_update_script))
		return "connect-script/disconnect-script/host-update-script";
	if (str_differs(a->run_as_user, b->run_as_user) ||
	    str_differs(a->run_as_group, b->run_as_group))
		return "run-as-user/run-as-group";
	if (a->enable_ebpf != b->enable_ebpf || a->ebpf_xdp_mode != b->ebpf_xdp_mode)
		return "enable-ebpf/ebpf-xdp-mode";
	if (a->use_occtl != b->use_occtl ||
	    str_differs(a->occtl_socket_file, b->occtl_socket_file) ||
	    str_differs(a->metrics_listen, b->metrics_listen))
		return "use-occtl/occtl-socket-file/metrics-listen";
	if (a->max_ban_score != b->max_ban_score || a->ban_reset_time_s != b->ban_reset_time_s ||
	    a->ban_points_wrong_password != b->ban_points_wrong_password ||
	    a->ban_points_connection != b->ban_points_connection ||
	    a->rate_limit_ms != b->rate_limit_ms || a->min_reauth_time_s != b->min_reauth_time_s ||
	    a->enable_wolfsentry != b->enable_wolfsentry ||
	    str_differs(a->wolfsentry_config, b->wolfsentry_config))
		return "ban settings (max-ban-score, ban-*, rate-limit-ms, min-reauth-time, "
		       "wolfsentry)";
	return nullptr;
}

/* config_load() plus the checks config/ cannot make itself (STYLE §4: it never sees tls/):
 * tls-priorities, reported at its file:line like every other bad value. */
static int config_load_checked(const char *path, struct config **out, char err[CONFIG_ERR_LEN])
{
	char why[256];
	int ret = config_load(path, out, err);

	if (ret)
		return ret;
	if (tls_config_check(*out, why, sizeof(why)) < 0) {
		config_err_at(*out, (*out)->tls_priorities_line, "tls-priorities", why, err);
		config_free(*out);
		*out = nullptr;
		return -EINVAL;
	}
	return 0;
}

/* SIGHUP and occtl reload: new sessions get the new configuration; live ones keep theirs. */
static int server_reload(void *ctx, char *err, size_t err_len)
{
	struct server *s = ctx;
	char cerr[CONFIG_ERR_LEN];
	struct config *next;
	const struct config *cur;
	const char *key;
	int ret;

	ret = config_load_checked(s->opt.config_path, &next, cerr);
	if (ret) {
		log_msg(LOG_ERR, "reload refused, configuration unchanged: %s", cerr);
		snprintf(err, err_len, "%s", cerr);
		return ret;
	}
	cur = vpn_config_acquire(s->vpn);
	key = restart_only_change(cur, next);
	config_put(cur);
	if (key) {
		log_msg(LOG_ERR,
			"reload refused, configuration unchanged: %s: changing it needs a "
			"restart",
			key);
		snprintf(err, err_len, "%s: changing it needs a restart", key);
		config_put(next);
		return -EINVAL;
	}
	vpn_config_replace(s->vpn, next);
	log_msg(LOG_NOTICE, "configuration reloaded from %s: new sessions use it",
		s->opt.config_path);
	return 0;
}

static void on_tick(struct timer *t)
{
	struct server *s = container_of(t, struct server, tick);

	vpn_tick(s->vpn);
	if (s->sentry)
		sentry_expire(s->sentry,
			      clock_now_ns()); /* expiries reach the XDP map via the hook */
	loop_timer_arm(s->loop, &s->tick, loop_now_ns(s->loop) + NS_PER_SEC);
}

static void on_signal(struct loop_watch *w, uint32_t events)
{
	struct server *s = container_of(w, struct server, sig_watch);
	struct signalfd_siginfo si;

	(void)events;
	while (read(w->fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP: {
			char err[CONFIG_ERR_LEN];
			(void)server_reload(s, err, sizeof(err)); /* logs either way */
			break;
		}
		case SIGINT:
		case SIGTERM:
			log_msg(LOG_NOTICE, "signal %u: shutting down", si.ssi_signo);
			loop_stop(s->loop);
			break;
		}
	}
}

/* sentry is the truth for bans; the XDP maps mirror it (any thread). */
static void on_ban_change(void *ctx, enum sentry_ban_change what, const struct sentry_addr *addr,
			  uint64_t expires_ns)
{
	struct server *s = ctx;
	char text[SENTRY_ADDR_STRLEN];

	sentry_addr_format(addr, text);
	if (what == SENTRY_BAN_ADDED) {
		atomic_fetch_add(&s->ctl_ctx.bans_added, 1);
		log_msg(LOG_NOTICE, "sentry: banned %s%s", text,
			expires_ns ? "" : " until unbanned");
	} else {
		log_msg(LOG_INFO, "sentry: ban on %s %s", text,
			what == SENTRY_BAN_EXPIRED ? "expired" : "lifted");
	}
	net_accel_ban(s->accel, addr->family, addr->bytes, addr->prefix_len, expires_ns,
		      what == SENTRY_BAN_ADDED);
}

static int setup_sentry(struct server *s)
{
	char err[CONFIG_ERR_LEN];
	int ret = sentry_new_from_config(s->cfg, &s->sentry, err);

	if (ret) {
		log_msg(LOG_ERR, "%s", err);
		return ret;
	}
	/* As ocserv: the subnets of this host's interfaces (health checks, load balancers, the
	 * admin's own network) are never scored or banned; the TUN's pool is not local. */
	ret = sentry_exempt_add_local(s->sentry, tun_name(s->tun));
	if (ret)
		log_msg(LOG_WARNING, "sentry: local subnets only partly exempt from bans: %s",
			strerror(-ret));
	sentry_set_ban_hook(s->sentry, on_ban_change, s);
	return 0;
}

/* The eBPF counters for /metrics (main thread; map reads through the kept handles). */
static void accel_fill(void *ctx, struct metrics_snapshot *m)
{
	struct server *s = ctx;
	uint64_t xdp[NET_XDP__COUNT], tg[NET_TG__COUNT];

	static_assert(NET_XDP__COUNT == METRICS_XDP__COUNT && NET_TG__COUNT == METRICS_TG__COUNT);
	m->ebpf_active = net_accel_is_active(s->accel);
	m->xdp_ifaces = net_accel_xdp_ifaces(s->accel);
	if (!net_accel_xdp_counters(s->accel, xdp))
		memcpy(m->xdp_packets, xdp, sizeof(xdp));
	if (!net_accel_tun_guard_counters(s->accel, tg))
		memcpy(m->tun_guard_packets, tg, sizeof(tg));
}

static int ctl_stop(void *ctx)
{
	struct server *s = ctx;

	log_msg(LOG_NOTICE, "occtl: stop requested");
	loop_stop(s->loop);
	return 0;
}

/* Tunnel up/down, for "occtl show events" subscribers (main thread). */
static void on_vpn_event(void *ctx, const struct vpn_event *ev)
{
	struct server *s = ctx;
	struct ctl_user u = {
		.id = (uint32_t)ev->session_id,
		.rx_bytes = ev->rx_bytes,
		.tx_bytes = ev->tx_bytes,
		/* the tunnel's start, so a disconnect says how long it lasted */
		.connected_at = ev->connected_wall ? ev->connected_wall : clock_wall_s(),
	};
	struct ctl_event cev = {.connected = ev->connected,
				.reason = ev->reason[0] ? ev->reason : nullptr,
				.user = &u};

	if (!s->ctl)
		return;
	snprintf(u.username, sizeof(u.username), "%s", ev->username);
	snprintf(u.groupname, sizeof(u.groupname), "%s", ev->group[0] ? ev->group : "(none)");
	snprintf(u.state, sizeof(u.state), "%s", ev->connected ? "connected" : "disconnected");
	snprintf(u.vhost, sizeof(u.vhost), "default");
	snprintf(u.device, sizeof(u.device), "%s", tun_name(s->tun));
	snprintf(u.remote_ip, sizeof(u.remote_ip), "%s", ev->remote_ip);
	snprintf(u.ipv4, sizeof(u.ipv4), "%s", ev->ipv4);
	snprintf(u.ipv6, sizeof(u.ipv6), "%s", ev->ipv6);
	ctl_server_event(s->ctl, &cev);
	ctl_user_fini(&u);
}

static int setup_control(struct server *s)
{
	const struct config *cfg = s->cfg;
	int ret;

	s->ctl_ctx = (struct ctl_vpn){
		.vpn = s->vpn,
		.sentry = s->sentry,
		.up_since = clock_wall_s(),
		.device = tun_name(s->tun),
		.auth_threads = auth_thread_count(),
		.stop = ctl_stop,
		.reload = server_reload,
		.accel_fill = accel_fill,
		.main_ctx = s,
	};
	if (cfg->use_occtl) {
		ret = ctl_server_new(s->loop, cfg->occtl_socket_file, &ctl_vpn_ops, &s->ctl_ctx,
				     &s->ctl);
		if (ret) {
			log_msg(LOG_ERR, "cannot open the control socket: %s", strerror(-ret));
			return ret;
		}
		s->vpn->events_loop = s->loop;
		s->vpn->on_event = on_vpn_event;
		s->vpn->events_ctx = s;
	}
	if (cfg->metrics_listen) {
		ret = metrics_server_new(s->loop, cfg->metrics_listen, ctl_vpn_metrics_fill,
					 &s->ctl_ctx, &s->metrics);
		if (ret) {
			log_msg(LOG_ERR, "cannot listen for metrics on %s: %s", cfg->metrics_listen,
				strerror(-ret));
			return ret;
		}
		log_msg(LOG_INFO, "metrics on http://%s/metrics", cfg->metrics_listen);
	}
	return 0;
}

static int setup_signals(struct server *s)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	/* Blocked before the workers start, so they inherit the mask and only signalfd sees them.
	 */
	if (pthread_sigmask(SIG_BLOCK, &set, nullptr))
		return -EINVAL;
	signal(SIGPIPE, SIG_IGN);
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	return loop_watch_add(s->loop, &s->sig_watch, fd, EPOLLIN, on_signal);
}

typedef int listen_fn(const char *host, uint16_t port, bool reuseport, int *fd_out);

/* One SO_REUSEPORT socket per worker: the kernel spreads clients over the workers. */
static int open_listeners(struct server *s, listen_fn *fn, const char *proto, const char *host,
			  uint16_t port, int **out)
{
	int *fds = malloc(s->n_workers * sizeof(*fds));

	*out = fds;
	if (!fds)
		return -ENOMEM;
	for (unsigned i = 0; i < s->n_workers; i++)
		fds[i] = -1;
	for (unsigned i = 0; i < s->n_workers; i++) {
		int ret = fn(host, port, true, &fds[i]);
		if (ret) {
			log_msg(LOG_ERR, "cannot listen on %s port %u (%s): %s", host ? host : "*",
				port, proto, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static void close_listeners(int *fds, unsigned n)
{
	if (!fds)
		return;
	for (unsigned i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
}

static int server_start(struct server *s)
{
	const struct config *cfg = s->cfg;
	unsigned queues;
	int ret;

	s->n_workers = worker_count(cfg);
	queues = cfg->tun_queues ? cfg->tun_queues : s->n_workers;
	if ((ret = tls_global_init()) || (ret = tls_server_new(cfg, &s->tls)))
		return ret;
	if ((ret = ippool_new(cfg, &s->pool))) {
		log_msg(LOG_ERR, "cannot set up the address pool: %s", strerror(-ret));
		return ret;
	}
	if ((ret = tun_open(cfg->device, queues, cfg->tun_offloads, &s->tun))) {
		log_msg(LOG_ERR, "cannot create TUN device %s: %s", cfg->device, strerror(-ret));
		return ret;
	}
	if ((ret = tun_configure(s->tun, s->pool, tun_mtu_for(cfg)))) {
		log_msg(LOG_ERR, "cannot configure TUN device %s: %s", tun_name(s->tun),
			strerror(-ret));
		return ret;
	}
	if ((ret = net_route_new(tun_ifindex(s->tun), &s->route)))
		log_msg(LOG_WARNING,
			"no route control on %s (%s): iroutes and per-user pools are "
			"refused",
			tun_name(s->tun), strerror(-ret));
	ippool_route_set(s->pool, s->route);
	if ((ret = setup_sentry(s)) || (ret = net_accel_new(cfg, s->tun, &s->accel)))
		return ret;
	/* Without xdp_guard (eBPF off, unavailable or ebpf-xdp-mode = disabled) its per-source
	 * new-connection limiter runs in user space, with the same numbers. */
	unsigned rate = cfg->per_source_connect_rate;
	if (!net_accel_xdp_ifaces(s->accel) && rate) {
		sentry_conn_limit_set(s->sentry, rate, config_connect_burst(cfg));
		log_msg(LOG_INFO,
			"sentry: new-connection limit %u/s per source (burst %u) in user space",
			rate, config_connect_burst(cfg));
	}
	if ((ret = open_listeners(s, sock_listen_tcp, "TCP", cfg->listen_host, cfg->tcp_port,
				  &s->listen_fds)))
		return ret;
	if (cfg->udp_port) {
		const char *host = cfg->udp_listen_host ? cfg->udp_listen_host : cfg->listen_host;
		if ((ret = dtls_server_new(cfg, &s->dtls)) ||
		    (ret = open_listeners(s, sock_listen_udp, "UDP", host, cfg->udp_port,
					  &s->udp_fds)))
			return ret;
		net_accel_udp_steer(s->accel, s->udp_fds, s->n_workers);
	}
	if ((ret = loop_new(&s->loop)) || (ret = setup_signals(s)))
		return ret;
	if ((ret = vpn_new(cfg, s->tls, s->pool, s->tun, nullptr, s->n_workers, &s->vpn)))
		return ret;
	s->vpn->dtls = s->dtls;
	s->vpn->sentry = s->sentry;
	s->vpn->accel = s->accel;
	s->vpn->route = s->route;
	if ((ret = setup_control(s)))
		return ret;
	/* Everything privileged is done: drop to run-as-user (before any thread exists, as
	 * capabilities are per thread), then the seccomp filter every thread inherits. */
	if ((ret = start_spawner(s)) || (ret = drop_privileges(cfg)) ||
	    (ret = install_seccomp(cfg)))
		return ret;
	if ((ret = auth_pool_new(cfg, s->ctl_ctx.auth_threads, &s->auth)))
		return ret;
	s->vpn->auth = s->auth;
	if ((ret = vpn_start(s->vpn, s->listen_fds, s->udp_fds)))
		return ret;
	char udp[32] = "no DTLS";
	if (s->udp_fds)
		snprintf(udp, sizeof(udp), "DTLS on UDP port %u", cfg->udp_port);
	log_msg(LOG_NOTICE,
		"ocserv-modern %s: listening on %s TCP port %u, %s, TUN %s (%u queues, mtu %u), "
		"%u workers",
		OCM_VERSION, cfg->listen_host ? cfg->listen_host : "*", cfg->tcp_port, udp,
		tun_name(s->tun), tun_queue_count(s->tun), tun_mtu_for(cfg), s->n_workers);
	return 0;
}

static void server_stop(struct server *s)
{
	if (s->vpn)
		vpn_stop(s->vpn);
	auth_pool_free(s->auth); /* answers what was queued; vpn_free delivers those answers */
	vpn_free(s->vpn);
	if (s->loop)
		loop_run_pending(s->loop); /* the last tunnel events reach "show events" */
	ctl_server_free(s->ctl);
	metrics_server_free(s->metrics);
	if (s->loop)
		loop_run_pending(s->loop); /* their deferred frees */
	close_listeners(s->listen_fds, s->n_workers);
	close_listeners(s->udp_fds, s->n_workers);
	if (s->loop) {
		if (s->sig_watch.on_event)
			close(s->sig_watch.fd);
		loop_free(s->loop);
	}
	sandbox_spawner_stop(s->spawner);
	net_accel_free(s->accel); /* links detach: nothing stays attached */
	sentry_free(s->sentry);
	net_route_free(s->route);
	tun_free(s->tun);
	ippool_free(s->pool);
	dtls_server_free(s->dtls);
	tls_server_free(s->tls);
	tls_global_fini();
	if (s->pid_written)
		unlink(s->opt.pid_file ? s->opt.pid_file : s->cfg->pid_file);
	config_put(s->cfg);
}

int main(int argc, char **argv)
{
	struct server s = {};
	char err[CONFIG_ERR_LEN];
	int ret;

	if (parse_options(argc, argv, &s.opt))
		return 1;
	log_setup(LOG_SINK_STDERR, s.opt.debug >= 3 ? LOG_DEBUG : LOG_INFO);
	ret = config_load_checked(s.opt.config_path, &s.cfg, err);
	if (ret) {
		fprintf(stderr, "ocserv-modern: %s\n", err);
		return 1;
	}
	if (s.opt.test_config) {
		printf("ocserv-modern: %s: configuration is valid\n", s.opt.config_path);
		config_free(s.cfg);
		return 0;
	}
	if (!s.opt.foreground) {
		if (daemon(0, 0) < 0) {
			perror("ocserv-modern: daemon");
			config_free(s.cfg);
			return 1;
		}
		log_setup(LOG_SINK_SYSLOG, s.opt.debug >= 3 ? LOG_DEBUG : s.cfg->log_level);
	} else if (!s.opt.debug) {
		log_setup(LOG_SINK_STDERR, s.cfg->log_level);
	}
	ret = server_start(&s);
	if (!ret)
		ret = write_pid_file(&s);
	if (!ret) {
		timer_init(&s.tick, on_tick);
		loop_timer_arm(s.loop, &s.tick, clock_now_ns() + NS_PER_SEC);
		ret = loop_run(s.loop);
	}
	server_stop(&s);
	return ret ? 1 : 0;
}
