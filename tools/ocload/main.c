// SPDX-License-Identifier: GPL-2.0-or-later
/* tools/ocload/main.c — command line, limits (clients, fds), one event-loop process per core
 * (each its own fd table: RLIMIT_NOFILE bounds a process, so 10,000 DTLS clients fit), the final
 * report and the exit status (0 only when every session and reconnect succeeded). */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/coding.h>

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "ocload.h"

enum {
	EXIT_USAGE = 2,
	MAX_DURATION_S = 86400,
	MAX_USERS = OCL_MAX_CLIENTS,
	FD_RESERVE = 64,
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ocload --server IPV4:PORT --duration S [options]\n"
		"  --clients N          emulated clients (1..%d, default 1)\n"
		"  --rate R             new sessions per second (default 100)\n"
		"  --duration S         run time in seconds (required)\n"
		"  --threads T          event loops, a process each (default: one per core)\n"
		"  --dtls | --no-dtls   DTLS-PSK data channel (default on)\n"
		"  --ping-interval MS   one inner packet per client every MS ms (0 = none; 1000)\n"
		"  --payload BYTES      inner payload size (8..%d, default 56)\n"
		"  --udp PORT           send UDP datagrams to PORT instead of ICMP echo requests\n"
		"  --target IPV4        inner destination (default: .1 of the assigned network)\n"
		"  --reconnect-storm    drop every session at --storm-at S (default duration/2)\n"
		"                       and reconnect with the cookie; none may be lost\n"
		"  --user U --password P | --users-file F (lines user:password)\n"
		"  --insecure | --cafile PEM | --servercert pin-sha256:BASE64\n"
		"  --timeout S          per-stage timeout (default 15)\n"
		"  --json               one JSON object on stdout instead of the table\n"
		"  --verbose            one line per client failure on stderr\n",
		OCL_MAX_CLIENTS, OCL_MAX_PAYLOAD);
}

static int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

static int parse_server(const char *s, struct ocl_opts *o)
{
	char ip[INET_ADDRSTRLEN];
	const char *colon = strrchr(s, ':');
	unsigned port;

	if (!colon || (size_t)(colon - s) >= sizeof(ip) || strlen(s) >= sizeof(o->host))
		return -EINVAL;
	memcpy(ip, s, (size_t)(colon - s));
	ip[colon - s] = '\0';
	if (inet_pton(AF_INET, ip, &o->server.sin_addr) != 1 ||
	    parse_uint(colon + 1, 1, 65535, &port))
		return -EINVAL;
	o->server.sin_family = AF_INET;
	o->server.sin_port = htons((uint16_t)port);
	snprintf(o->host, sizeof(o->host), "%s", s);
	return 0;
}

static int parse_pin(const char *s, struct ocl_opts *o)
{
	static const char prefix[] = "pin-sha256:";
	byte raw[48]; /* the decoder wants room for 3/4 of the input, padding included */
	word32 len = sizeof(raw);

	if (strncmp(s, prefix, sizeof(prefix) - 1) != 0)
		return -EINVAL;
	s += sizeof(prefix) - 1;
	if (strlen(s) > 64 || Base64_Decode((const byte *)s, (word32)strlen(s), raw, &len) != 0 ||
	    len != sizeof(o->pin))
		return -EINVAL;
	memcpy(o->pin, raw, sizeof(o->pin));
	o->have_pin = true;
	return 0;
}

static int user_add(struct ocl_opts *o, const char *name, const char *pass)
{
	struct ocl_user *n;

	if (o->n_users >= MAX_USERS)
		return -E2BIG;
	n = realloc(o->users, (o->n_users + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	o->users = n;
	n[o->n_users].name = strdup(name);
	n[o->n_users].password = strdup(pass);
	if (!n[o->n_users].name || !n[o->n_users].password) {
		free(n[o->n_users].name);
		free(n[o->n_users].password);
		return -ENOMEM;
	}
	o->n_users++;
	return 0;
}

static int users_load(struct ocl_opts *o, const char *path)
{
	char line[512];
	FILE *f = fopen(path, "re");
	int ret = 0;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *colon;

		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		colon = strchr(line, ':');
		if (!colon) {
			ret = -EINVAL;
			break;
		}
		*colon = '\0';
		ret = user_add(o, line, colon + 1);
		if (ret)
			break;
	}
	explicit_bzero(line, sizeof(line));
	fclose(f);
	return ret;
}

static void users_free(struct ocl_opts *o)
{
	for (size_t i = 0; i < o->n_users; i++) {
		explicit_bzero(o->users[i].password, strlen(o->users[i].password));
		free(o->users[i].name);
		free(o->users[i].password);
	}
	free(o->users);
}

/* One socket per client (two with DTLS) plus the loop's own fds: in each loop's process. */
static int fds_raise(unsigned clients, bool dtls)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)clients * (dtls ? 2 : 1) + FD_RESERVE;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	if (rl.rlim_cur >= need)
		return 0;
	if (rl.rlim_max < need)
		rl.rlim_max = need; /* only root may; the error below says so otherwise */
	rl.rlim_cur = need;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
		fprintf(stderr, "ocload: need %lu file descriptors (hard limit %lu): %s\n",
			(unsigned long)need, (unsigned long)rl.rlim_max, strerror(errno));
		return -EMFILE;
	}
	return 0;
}

/* Memory the loop processes write and main() reads after they exited. */
static void *shared_alloc(size_t len)
{
	void *p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? nullptr : p;
}

/* The body of loop process i: clients i, i + threads, … */
[[noreturn]] static void loop_process(const struct ocl_opts *o, unsigned i, uint64_t t0,
				      struct ocl_stats *st)
{
	unsigned share = o->clients / o->threads + (i < o->clients % o->threads);
	int ret;

	srandom((unsigned)time(nullptr) ^ (unsigned)getpid());
	ret = fds_raise(share, o->dtls);
	if (!ret)
		ret = ocl_thread_run(o, i, o->threads, t0, st);
	if (ret)
		fprintf(stderr, "ocload: loop %u: %s\n", i, strerror(-ret));
	fflush(nullptr);
	_exit(ret ? 1 : 0);
}

enum {
	OPT_CLIENTS = 256,
	OPT_RATE,
	OPT_DURATION,
	OPT_THREADS,
	OPT_DTLS,
	OPT_NO_DTLS,
	OPT_PING,
	OPT_PAYLOAD,
	OPT_UDP,
	OPT_TARGET,
	OPT_STORM,
	OPT_STORM_AT,
	OPT_USER,
	OPT_PASSWORD,
	OPT_USERS_FILE,
	OPT_INSECURE,
	OPT_CAFILE,
	OPT_SERVERCERT,
	OPT_TIMEOUT,
	OPT_JSON,
	OPT_VERBOSE,
	OPT_SERVER,
	OPT_HELP,
};

static const struct option longopts[] = {
	{"server", required_argument, nullptr, OPT_SERVER},
	{"clients", required_argument, nullptr, OPT_CLIENTS},
	{"rate", required_argument, nullptr, OPT_RATE},
	{"duration", required_argument, nullptr, OPT_DURATION},
	{"threads", required_argument, nullptr, OPT_THREADS},
	{"dtls", no_argument, nullptr, OPT_DTLS},
	{"no-dtls", no_argument, nullptr, OPT_NO_DTLS},
	{"ping-interval", required_argument, nullptr, OPT_PING},
	{"payload", required_argument, nullptr, OPT_PAYLOAD},
	{"udp", required_argument, nullptr, OPT_UDP},
	{"target", required_argument, nullptr, OPT_TARGET},
	{"reconnect-storm", no_argument, nullptr, OPT_STORM},
	{"storm-at", required_argument, nullptr, OPT_STORM_AT},
	{"user", required_argument, nullptr, OPT_USER},
	{"password", required_argument, nullptr, OPT_PASSWORD},
	{"users-file", required_argument, nullptr, OPT_USERS_FILE},
	{"insecure", no_argument, nullptr, OPT_INSECURE},
	{"cafile", required_argument, nullptr, OPT_CAFILE},
	{"servercert", required_argument, nullptr, OPT_SERVERCERT},
	{"timeout", required_argument, nullptr, OPT_TIMEOUT},
	{"json", no_argument, nullptr, OPT_JSON},
	{"verbose", no_argument, nullptr, OPT_VERBOSE},
	{"help", no_argument, nullptr, OPT_HELP},
	{},
};

static const char *opt_name(int val)
{
	for (const struct option *p = longopts; p->name; p++)
		if (p->val == val)
			return p->name;
	return "?";
}

/* Fills o from argv. 0, or -EINVAL after printing why. */
static int parse_args(int argc, char **argv, struct ocl_opts *o)
{
	const char *user = nullptr, *pass = nullptr, *users_file = nullptr;
	unsigned v;
	bool have_server = false, storm_at = false;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int opt, ret = 0;
	char *end;

	*o = (struct ocl_opts){.clients = 1,
			       .rate = 100,
			       .dtls = true,
			       .ping_interval_ms = 1000,
			       .payload = 56,
			       .timeout_s = 15};
	o->threads = cores > 0 ? (unsigned)cores : 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, nullptr)) != -1) {
		switch (opt) {
		case OPT_SERVER:
			ret = parse_server(optarg, o);
			have_server = true;
			break;
		case OPT_CLIENTS:
			ret = parse_uint(optarg, 1, OCL_MAX_CLIENTS, &o->clients);
			break;
		case OPT_RATE:
			errno = 0;
			o->rate = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(o->rate >= 0.01 && o->rate <= 1e6))
				ret = -EINVAL;
			break;
		case OPT_DURATION:
			ret = parse_uint(optarg, 1, MAX_DURATION_S, &o->duration_s);
			break;
		case OPT_THREADS:
			ret = parse_uint(optarg, 1, OCL_MAX_THREADS, &o->threads);
			break;
		case OPT_DTLS:
			o->dtls = true;
			break;
		case OPT_NO_DTLS:
			o->dtls = false;
			break;
		case OPT_PING:
			ret = parse_uint(optarg, 0, 3600000, &o->ping_interval_ms);
			break;
		case OPT_PAYLOAD:
			ret = parse_uint(optarg, 8, OCL_MAX_PAYLOAD, &o->payload);
			break;
		case OPT_UDP:
			ret = parse_uint(optarg, 1, 65535, &v);
			o->udp_port = (uint16_t)v;
			o->traffic = TRAFFIC_UDP;
			break;
		case OPT_TARGET:
			ret = inet_pton(AF_INET, optarg, &o->target) == 1 ? 0 : -EINVAL;
			break;
		case OPT_STORM:
			o->storm = true;
			break;
		case OPT_STORM_AT:
			ret = parse_uint(optarg, 1, MAX_DURATION_S, &o->storm_at_s);
			storm_at = true;
			break;
		case OPT_USER:
			user = optarg;
			break;
		case OPT_PASSWORD:
			pass = optarg;
			break;
		case OPT_USERS_FILE:
			users_file = optarg;
			break;
		case OPT_INSECURE:
			o->insecure = true;
			break;
		case OPT_CAFILE:
			o->cafile = optarg;
			break;
		case OPT_SERVERCERT:
			ret = parse_pin(optarg, o);
			break;
		case OPT_TIMEOUT:
			ret = parse_uint(optarg, 1, 600, &o->timeout_s);
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_VERBOSE:
			o->verbose = true;
			break;
		case OPT_HELP:
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -EINVAL;
		}
		if (ret) {
			fprintf(stderr, "ocload: bad value for --%s: '%s'\n", opt_name(opt),
				optarg ? optarg : "");
			return ret;
		}
	}
	if (optind != argc || !have_server || !o->duration_s) {
		fprintf(stderr, "ocload: --server and --duration are required\n");
		return -EINVAL;
	}
	if (!o->insecure && !o->cafile && !o->have_pin) {
		fprintf(stderr, "ocload: choose --insecure, --cafile or --servercert\n");
		return -EINVAL;
	}
	if (users_file) {
		ret = users_load(o, users_file);
		if (ret || !o->n_users) {
			fprintf(stderr, "ocload: cannot read users from %s\n", users_file);
			return -EINVAL;
		}
	} else if (user && pass) {
		if (user_add(o, user, pass))
			return -ENOMEM;
	} else {
		fprintf(stderr, "ocload: give --user and --password, or --users-file\n");
		return -EINVAL;
	}
	if (o->storm) {
		if (!storm_at)
			o->storm_at_s = o->duration_s / 2;
		if (o->storm_at_s == 0 || o->storm_at_s >= o->duration_s) {
			fprintf(stderr, "ocload: --storm-at must lie inside --duration\n");
			return -EINVAL;
		}
	}
	if (o->threads > o->clients)
		o->threads = o->clients;
	return 0;
}

/* Success: every client got its full handshake and no reconnect was lost or moved. */
static bool run_ok(const struct ocl_stats *s, const struct ocl_opts *o)
{
	for (unsigned i = 0; i < STAGE__COUNT; i++)
		if (s->failed[i])
			return false;
	if (s->handshakes != o->clients)
		return false;
	return !o->storm ||
	       (s->storm_reconnected == s->storm_dropped && s->storm_addr_changed == 0);
}

int main(int argc, char **argv)
{
	struct ocl_opts o;
	struct ocl_stats *st = nullptr, total = {};
	pid_t pids[OCL_MAX_THREADS];
	unsigned started = 0, ok = 0;
	size_t st_len = 0, done_len = 0;
	uint64_t t0;
	int rc = 1;

	if (parse_args(argc, argv, &o)) {
		usage(stderr);
		users_free(&o);
		return EXIT_USAGE;
	}
	if (o.clients / o.rate > o.duration_s)
		fprintf(stderr,
			"ocload: warning: starting %u clients at %.1f/s takes longer than "
			"--duration\n",
			o.clients, o.rate);
	signal(SIGPIPE, SIG_IGN);
	if (wolfSSL_Init() != WOLFSSL_SUCCESS) {
		fprintf(stderr, "ocload: wolfSSL_Init failed\n");
		goto out;
	}
	st_len = o.threads * sizeof(*st);
	done_len = o.clients * sizeof(*total.done_ns);
	st = shared_alloc(st_len);
	total.done_ns = calloc(o.clients, sizeof(*total.done_ns));
	if (!st || !total.done_ns)
		goto out_ssl;
	for (unsigned i = 0; i < o.threads; i++) {
		st[i].done_ns = shared_alloc(done_len);
		if (!st[i].done_ns)
			goto out_ssl;
	}
	fflush(nullptr);
	t0 = clock_now_ns() + 50 * NS_PER_MS; /* let every loop get ready first */
	for (unsigned i = 0; i < o.threads; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			fprintf(stderr, "ocload: cannot start loop %u: %s\n", i, strerror(errno));
			break;
		}
		if (pids[i] == 0)
			loop_process(&o, i, t0, &st[i]);
		started++;
	}
	for (unsigned i = 0; i < started; i++) {
		int status;

		if (waitpid(pids[i], &status, 0) == pids[i] && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0)
			ok++;
		else if (WIFSIGNALED(status))
			fprintf(stderr, "ocload: loop %u killed by signal %d\n", i,
				WTERMSIG(status));
		ocl_stats_merge(&total, &st[i]);
	}
	ocl_stats_print(&total, &o, (double)(clock_now_ns() - t0) / 1e9, o.json);
	rc = ok == o.threads && run_ok(&total, &o) ? 0 : 1;
out_ssl:
	for (unsigned i = 0; st && i < o.threads; i++)
		if (st[i].done_ns)
			munmap(st[i].done_ns, done_len);
	if (st)
		munmap(st, st_len);
	free(total.done_ns);
	wolfSSL_Cleanup();
out:
	users_free(&o);
	return rc;
}
