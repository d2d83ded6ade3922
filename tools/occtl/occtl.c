// SPDX-License-Identifier: GPL-2.0-or-later
/* tools/occtl/occtl.c — the occtl CLI: command table → one JSON request on the control socket
 * (ctl/ctl_proto.h), response → ocserv-shaped tables, "\tKey: value" blocks or -j JSON. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "ctl/ctl_proto.h"

#define DATE_TIME_FMT "%Y-%m-%d %H:%M"
#define NO_NAME	      "(none)"
#define ERR_UNREACHABLE                                                                            \
	"could not send message; possibly insufficient permissions or server is offline.\n"

enum {
	OCCTL_TIMEOUT_MS = 10000,
	OCCTL_MAX_RESPONSE = 64 * 1024 * 1024,
	OCCTL_MAX_LINE = 1024,
};

struct occtl {
	const char *socket;
	bool json;
	bool debug;
	int fd;
	char *rbuf; /* received bytes not yet consumed */
	size_t rlen, rcap;
};

/* ---- output: one printer for both the text blocks and -j objects ---- */

struct out {
	bool json;
	cJSON *obj; /* json: the object being filled */
};

static void p_str(struct out *o, const char *name, const char *v)
{
	if (!v || !*v)
		return; /* ocserv omits empty values */
	if (o->json)
		cJSON_AddStringToObject(o->obj, name, v);
	else
		printf("\t%s: %s\n", name, v);
}

static void p_int(struct out *o, const char *name, long long v)
{
	if (o->json)
		cJSON_AddNumberToObject(o->obj, name, (double)v);
	else
		printf("\t%s: %lld\n", name, v);
}

/* "Name": value and "_Name": extra (a human form), or "\tName: value (extra)". */
static void p_ex(struct out *o, const char *name, const char *v, const char *ex)
{
	char key[64];

	if (!v || !*v)
		return;
	if (o->json) {
		snprintf(key, sizeof(key), "_%s", name);
		cJSON_AddStringToObject(o->obj, name, v);
		cJSON_AddStringToObject(o->obj, key, ex);
	} else {
		printf("\t%s: %s (%s)\n", name, v, ex);
	}
}

static void p_pair(struct out *o, const char *n1, const char *v1, const char *n2, const char *v2)
{
	bool h1 = v1 && *v1, h2 = v2 && *v2;

	if (o->json) {
		p_str(o, n1, v1);
		p_str(o, n2, v2);
		return;
	}
	if (h1)
		printf("\t%s: %s", n1, v1);
	if (h2)
		printf("%s%s: %s", h1 ? "   " : "\t", n2, v2);
	if (h1 || h2)
		printf("\n");
}

/* A list; returns how many entries it had. */
static int p_list(struct out *o, const char *name, const cJSON *arr)
{
	const cJSON *it;
	cJSON *a = nullptr;
	int n = 0;

	if (o->json)
		a = cJSON_AddArrayToObject(o->obj, name);
	cJSON_ArrayForEach(it, arr)
	{
		if (!cJSON_IsString(it))
			continue;
		if (a)
			cJSON_AddItemToArray(a, cJSON_CreateString(it->valuestring));
		else if (!o->json)
			printf(n == 0 ? "\t%s: %s\n" : "\t\t%s\n", n == 0 ? name : it->valuestring,
			       it->valuestring);
		n++;
	}
	return n;
}

static void p_sep(struct out *o)
{
	if (!o->json)
		printf("\n");
}

/* ---- small formatting helpers (the layouts are ocserv's) ---- */

static const char *js(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static double jn(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static bool jb(const cJSON *o, const char *k)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static const char *or_none(const char *s)
{
	return *s ? s : NO_NAME;
}

static void fmt_date(char *out, size_t len, time_t t)
{
	struct tm tm;

	out[0] = '\0';
	if (t > 0 && localtime_r(&t, &tm))
		strftime(out, len, DATE_TIME_FMT, &tm);
}

/* Seven-column interval, like w(1): "  3days", " 2h:05m", " 4m:09s", "    12s". */
static void fmt_ival(char *out, size_t len, long long t)
{
	if (t < 0)
		snprintf(out, len, "   ?   ");
	else if (t >= 48 * 3600)
		snprintf(out, len, "%2lldays", t / 86400);
	else if (t >= 3600)
		snprintf(out, len, "%2lldh:%02lldm", t / 3600, (t / 60) % 60);
	else if (t > 60)
		snprintf(out, len, "%2lldm:%02llds", t / 60, t % 60);
	else
		snprintf(out, len, "%5llds", t);
}

static void fmt_bytes(char *out, size_t len, unsigned long long b, const char *suffix)
{
	if (b > 1000 && b < 1000ull * 1000)
		snprintf(out, len, "%.1f KB%s", (double)b / 1000, suffix);
	else if (b >= 1000ull * 1000 && b < 1000ull * 1000 * 1000)
		snprintf(out, len, "%.1f MB%s", (double)b / (1000 * 1000), suffix);
	else if (b >= 1000ull * 1000 * 1000)
		snprintf(out, len, "%.1f GB%s", (double)b / (1000 * 1000 * 1000), suffix);
	else
		snprintf(out, len, "%llu bytes%s", b, suffix);
}

static void print_json(cJSON *j)
{
	char *txt = cJSON_Print(j);

	if (txt)
		printf("%s\n", txt);
	free(txt);
}

/* ---- transport ---- */

static int occtl_connect(struct occtl *o)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	if (strlen(o->socket) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "socket path too long: %s\n", o->socket);
		return -1;
	}
	memcpy(sa.sun_path, o->socket, strlen(o->socket) + 1);
	o->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (o->fd < 0) {
		fprintf(stderr, "error opening socket: %s\n", strerror(errno));
		return -1;
	}
	if (connect(o->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "error connecting to ocserv socket '%s': %s\n", o->socket,
			strerror(errno));
		close(o->fd);
		o->fd = -1;
		return -1;
	}
	return 0;
}

static void occtl_disconnect(struct occtl *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	o->rlen = 0;
}

static int send_request(struct occtl *o, const char *cmd, const char *arg, long long seconds)
{
	cJSON *req = cJSON_CreateObject();
	char *txt = nullptr;
	size_t len, off = 0;
	int ret = -1;

	if (!req || !cJSON_AddStringToObject(req, CTL_K_CMD, cmd))
		goto out;
	if (arg && !cJSON_AddStringToObject(req, CTL_K_ARG, arg))
		goto out;
	if (seconds >= 0 && !cJSON_AddNumberToObject(req, CTL_K_SECONDS, (double)seconds))
		goto out;
	txt = cJSON_PrintUnformatted(req);
	if (!txt)
		goto out;
	len = strlen(txt);
	txt[len++] = '\n';
	while (off < len) {
		ssize_t n = send(o->fd, txt + off, len - off, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		off += (size_t)n;
	}
	ret = 0;
out:
	free(txt);
	cJSON_Delete(req);
	return ret;
}

/* Read one JSON line. timeout_ms < 0: wait forever (events), also watching stdin for 'q'.
 * Returns the parsed object, or NULL (closed, timeout, garbage, quit). */
static cJSON *read_line(struct occtl *o, int timeout_ms, bool *quit)
{
	for (;;) {
		char *nl = o->rlen ? memchr(o->rbuf, '\n', o->rlen) : nullptr;
		if (nl) {
			size_t len = (size_t)(nl - o->rbuf);
			cJSON *j = cJSON_ParseWithLength(o->rbuf, len);
			memmove(o->rbuf, nl + 1, o->rlen - len - 1);
			o->rlen -= len + 1;
			return j;
		}
		if (o->rcap - o->rlen < 4096) {
			size_t cap = o->rcap ? o->rcap * 2 : 65536;
			if (cap > OCCTL_MAX_RESPONSE)
				return nullptr;
			char *nb = realloc(o->rbuf, cap);
			if (!nb)
				return nullptr;
			o->rbuf = nb;
			o->rcap = cap;
		}
		struct pollfd p[2] = {{.fd = o->fd, .events = POLLIN},
				      {.fd = STDIN_FILENO, .events = POLLIN}};
		int np = timeout_ms < 0 && quit && isatty(STDIN_FILENO) ? 2 : 1;
		int r = poll(p, (nfds_t)np, timeout_ms);
		if (r < 0 && errno == EINTR) {
			if (quit)
				*quit = true;
			return nullptr;
		}
		if (r <= 0)
			return nullptr;
		if (np == 2 && (p[1].revents & POLLIN)) {
			int ch = getchar();
			if (ch == 'q' || ch == 'Q' || ch == EOF) {
				*quit = true;
				return nullptr;
			}
		}
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		ssize_t n = read(o->fd, o->rbuf + o->rlen, o->rcap - o->rlen);
		if (n <= 0)
			return nullptr;
		o->rlen += (size_t)n;
	}
}

/* Send a command and get its data. NULL: unreachable or refused (message printed). */
static cJSON *call(struct occtl *o, const char *cmd, const char *arg, long long seconds,
		   cJSON **resp_out)
{
	cJSON *resp;
	const cJSON *ok, *data;

	*resp_out = nullptr;
	if (o->fd < 0 && occtl_connect(o) < 0) {
		fprintf(stderr, ERR_UNREACHABLE);
		return nullptr;
	}
	if (send_request(o, cmd, arg, seconds) < 0 ||
	    !(resp = read_line(o, OCCTL_TIMEOUT_MS, nullptr))) {
		fprintf(stderr, ERR_UNREACHABLE);
		occtl_disconnect(o);
		return nullptr;
	}
	ok = cJSON_GetObjectItemCaseSensitive(resp, CTL_K_OK);
	if (!cJSON_IsTrue(ok)) {
		const char *err = js(resp, CTL_K_ERROR);
		fprintf(stderr, "%s: %s\n", cmd, *err ? err : "failed");
		cJSON_Delete(resp);
		return nullptr;
	}
	data = cJSON_GetObjectItemCaseSensitive(resp, CTL_K_DATA);
	*resp_out = resp;
	return (cJSON *)data;
}

/* ---- renderers ---- */

static const char *dtls_short(const char *c)
{
	if (!*c)
		return "(no-dtls)";
	/* "(DTLS1.2)-(PSK)-(AES-128-GCM)" → "(AES-128-GCM)", as ocserv shows it */
	if (strlen(c) > 16 && strncmp(c, "(DTLS", 5) == 0 &&
	    (strncmp(c + 8, ")-(RSA)-", 8) == 0 || strncmp(c + 8, ")-(PSK)-", 8) == 0))
		return c + 16;
	return c;
}

static const char *vpn_ip(const cJSON *u)
{
	return *js(u, CTL_K_IPV4) ? js(u, CTL_K_IPV4) : js(u, CTL_K_IPV6);
}

/* One user block: the field names and order of ocserv's "show user". */
static void user_info(const cJSON *u, struct out *o)
{
	char tmp[128], tmp2[64], since[64], ival[32];
	time_t now = time(nullptr), at = (time_t)jn(u, CTL_K_CONNECTED_AT);
	unsigned long long rx = (unsigned long long)jn(u, CTL_K_RX);
	unsigned long long tx = (unsigned long long)jn(u, CTL_K_TX);
	long long dur = (long long)(now - at);

	p_int(o, "ID", (long long)jn(u, CTL_K_ID));
	p_pair(o, "Username", or_none(js(u, CTL_K_USERNAME)), "Groupname",
	       or_none(js(u, CTL_K_GROUPNAME)));
	p_str(o, "State", js(u, CTL_K_STATE));
	p_str(o, "vhost", js(u, CTL_K_VHOST));
	if (jn(u, CTL_K_MTU) > 0) {
		snprintf(tmp, sizeof(tmp), "%.0f", jn(u, CTL_K_MTU));
		p_pair(o, "Device", js(u, CTL_K_DEVICE), "MTU", tmp);
	} else {
		p_str(o, "Device", js(u, CTL_K_DEVICE));
	}
	p_pair(o, "Remote IP", js(u, CTL_K_REMOTE_IP), "Location", "unknown");
	p_str(o, "Local Device IP", js(u, CTL_K_LOCAL_DEV_IP));
	if (*js(u, CTL_K_IPV4) && *js(u, CTL_K_PTP_IPV4))
		p_pair(o, "IPv4", js(u, CTL_K_IPV4), "P-t-P IPv4", js(u, CTL_K_PTP_IPV4));
	if (*js(u, CTL_K_IPV6) && *js(u, CTL_K_PTP_IPV6))
		p_pair(o, "IPv6", js(u, CTL_K_IPV6), "P-t-P IPv6", js(u, CTL_K_PTP_IPV6));
	p_str(o, "User-Agent", js(u, CTL_K_USER_AGENT));

	char hrx[32], htx[32];
	/* rx-/tx-data-per-sec, as ocserv 1.1.6: "Limit RX: x/sec   TX: y/sec" or one of them
	 * (JSON: "Limit RX" and "Limit TX", not a second "TX" key). */
	unsigned long long lrx = (unsigned long long)jn(u, CTL_K_RX_LIMIT);
	unsigned long long ltx = (unsigned long long)jn(u, CTL_K_TX_LIMIT);
	fmt_bytes(hrx, sizeof(hrx), lrx, "/sec");
	fmt_bytes(htx, sizeof(htx), ltx, "/sec");
	if (lrx && ltx)
		p_pair(o, "Limit RX", hrx, o->json ? "Limit TX" : "TX", htx);
	else if (ltx)
		p_str(o, "Limit TX", htx);
	else if (lrx)
		p_str(o, "Limit RX", hrx);
	fmt_bytes(hrx, sizeof(hrx), rx, "");
	fmt_bytes(htx, sizeof(htx), tx, "");
	if (o->json) {
		snprintf(tmp, sizeof(tmp), "%llu", rx);
		p_str(o, "RX", tmp);
		snprintf(tmp, sizeof(tmp), "%llu", tx);
		p_str(o, "TX", tmp);
		p_str(o, "_RX", hrx);
		p_str(o, "_TX", htx);
	} else {
		printf("\tRX: %llu (%s)   TX: %llu (%s)\n", rx, hrx, tx, htx);
	}
	fmt_bytes(hrx, sizeof(hrx), dur > 0 ? rx / (unsigned long long)dur : 0, "/sec");
	fmt_bytes(htx, sizeof(htx), dur > 0 ? tx / (unsigned long long)dur : 0, "/sec");
	if (o->json) {
		p_str(o, "Average RX", hrx);
		p_str(o, "Average TX", htx);
	} else {
		printf("\tAverage bandwidth RX: %s  TX: %s\n", hrx, htx);
	}
	snprintf(tmp, sizeof(tmp), "%.0f", jn(u, CTL_K_DPD));
	snprintf(tmp2, sizeof(tmp2), "%.0f", jn(u, CTL_K_KEEPALIVE));
	p_pair(o, "DPD", tmp, "KeepAlive", tmp2);
	p_str(o, "Hostname", js(u, CTL_K_HOSTNAME));
	fmt_date(since, sizeof(since), at);
	fmt_ival(ival, sizeof(ival), dur);
	p_ex(o, "Connected at", since, ival);
	if (o->json) {
		p_int(o, "raw_connected_at", (long long)at);
		p_str(o, "Full session", js(u, CTL_K_FULL_SESSION));
	}
	snprintf(tmp, sizeof(tmp), "%.6s", js(u, CTL_K_SESSION));
	p_str(o, "Session", tmp);
	p_str(o, "TLS ciphersuite", js(u, CTL_K_TLS_CIPHER));
	p_str(o, "DTLS cipher", js(u, CTL_K_DTLS_CIPHER));
	p_sep(o);
	p_list(o, "DNS", cJSON_GetObjectItemCaseSensitive(u, CTL_K_DNS));
	p_list(o, "NBNS", cJSON_GetObjectItemCaseSensitive(u, CTL_K_NBNS));
	p_list(o, "Split-DNS-Domains", cJSON_GetObjectItemCaseSensitive(u, CTL_K_DOMAINS));
	if (o->json) {
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(u, CTL_K_ROUTES);
		if (cJSON_GetArraySize(r) > 0)
			p_list(o, "Routes", r);
		else
			p_str(o, "Routes", "defaultroute");
	} else if (p_list(o, "Routes", cJSON_GetObjectItemCaseSensitive(u, CTL_K_ROUTES)) == 0) {
		p_str(o, "Routes", "defaultroute");
	}
	p_list(o, "No-routes", cJSON_GetObjectItemCaseSensitive(u, CTL_K_NO_ROUTES));
	p_list(o, "iRoutes", cJSON_GetObjectItemCaseSensitive(u, CTL_K_IROUTES));
	p_str(o, "Restricted to routes", jb(u, CTL_K_RESTRICT) ? "True" : "False");
	p_list(o, "Restricted to ports", cJSON_GetObjectItemCaseSensitive(u, CTL_K_FW_PORTS));
}

/* A list of user blocks; JSON: an array. Returns 0, or 2 when there was none (ocserv). */
static int users_info(struct occtl *o, const cJSON *users)
{
	const cJSON *u;
	cJSON *arr = o->json ? cJSON_CreateArray() : nullptr;
	int n = 0;

	cJSON_ArrayForEach(u, users)
	{
		struct out out = {.json = o->json};
		if (n && !o->json)
			printf("\n");
		if (arr) {
			out.obj = cJSON_CreateObject();
			cJSON_AddItemToArray(arr, out.obj);
		}
		user_info(u, &out);
		n++;
	}
	if (arr) {
		print_json(arr);
		cJSON_Delete(arr);
	} else if (!n) {
		printf("user or ID not found\n");
	}
	return n ? 0 : 2;
}

static void users_table(struct occtl *o, const cJSON *users)
{
	const cJSON *u;
	int i = 0;
	time_t now = time(nullptr);

	if (o->json) {
		users_info(o, users);
		return;
	}
	cJSON_ArrayForEach(u, users)
	{
		char ival[32];
		if (i++ == 0)
			printf("%8s %8s %8s %14s %14s %6s %7s %14s %9s\n", "id", "user", "vhost",
			       "ip", "vpn-ip", "device", "since", "dtls-cipher", "status");
		fmt_ival(ival, sizeof(ival), (long long)(now - (time_t)jn(u, CTL_K_CONNECTED_AT)));
		printf("%8d %8s %8s %14s %14s %6s ", (int)jn(u, CTL_K_ID),
		       or_none(js(u, CTL_K_USERNAME)), js(u, CTL_K_VHOST), js(u, CTL_K_REMOTE_IP),
		       vpn_ip(u), js(u, CTL_K_DEVICE));
		printf("%s %14s %9s\n", ival, dtls_short(js(u, CTL_K_DTLS_CIPHER)),
		       js(u, CTL_K_STATE));
	}
}

/* A time in seconds: "Name": "  1m:05s" and, in JSON, "raw_name": 65 (ocserv 1.1.6). */
static void p_time(struct out *o, const char *name, const char *raw, long long secs)
{
	char tmp[32];

	fmt_ival(tmp, sizeof(tmp), secs);
	p_str(o, name, tmp);
	if (o->json)
		p_int(o, raw, secs);
}

/* Bytes: "RX": "1.2 MB" and, in JSON, "raw_rx": 1234567. */
static void p_bytes(struct out *o, const char *name, const char *raw, unsigned long long b)
{
	char tmp[32];

	fmt_bytes(tmp, sizeof(tmp), b, "");
	p_str(o, name, tmp);
	if (o->json)
		p_int(o, raw, (long long)b);
}

/* The fields, names and order of ocserv 1.1.6's "show status" (-j adds the raw_* numbers). */
static int do_status(struct occtl *o, const cJSON *st)
{
	struct out out = {.json = o->json, .obj = o->json ? cJSON_CreateObject() : nullptr};
	char since[64], ival[32];
	time_t now = time(nullptr), t;

	if (!o->json) {
		printf("Note: the printed statistics are not real-time; session time\n");
		printf("as well as RX and TX data are updated on user disconnect\n");
		printf("\nGeneral info:\n");
	}
	p_str(&out, "Status", "online");
	p_int(&out, "Server PID", (long long)jn(st, CTL_K_PID));
	p_int(&out, "Sec-mod PID", (long long)jn(st, CTL_K_SECMOD_PID));
	p_int(&out, "Sec-mod instance count", (long long)jn(st, CTL_K_SECMOD_COUNT));
	t = (time_t)jn(st, CTL_K_UP_SINCE);
	fmt_date(since, sizeof(since), t);
	fmt_ival(ival, sizeof(ival), (long long)(now - t));
	p_ex(&out, "Up since", since, ival);
	if (o->json) {
		p_int(&out, "raw_up_since", (long long)t);
		p_int(&out, "uptime", (long long)(now - t));
	}
	p_int(&out, "Active sessions", (long long)jn(st, CTL_K_ACTIVE_SESSIONS));
	p_int(&out, "Total sessions", (long long)jn(st, CTL_K_TOTAL_SESSIONS));
	p_int(&out, "Total authentication failures", (long long)jn(st, CTL_K_TOTAL_AUTH_FAILURES));
	p_int(&out, "IPs in ban list", (long long)jn(st, CTL_K_BANNED_IPS));
	if (!o->json)
		printf("\nCurrent stats period:\n");
	t = (time_t)jn(st, CTL_K_LAST_RESET);
	if (t > 0) {
		fmt_date(since, sizeof(since), t);
		fmt_ival(ival, sizeof(ival), (long long)(now - t));
		p_ex(&out, "Last stats reset", since, ival);
		if (o->json)
			p_int(&out, "raw_last_stats_reset", (long long)t);
	}
	p_int(&out, "Sessions handled", (long long)jn(st, CTL_K_SESSIONS_HANDLED));
	p_int(&out, "Timed out sessions", (long long)jn(st, CTL_K_TIMED_OUT));
	p_int(&out, "Timed out (idle) sessions", (long long)jn(st, CTL_K_IDLE_TIMED_OUT));
	p_int(&out, "Closed due to error sessions", (long long)jn(st, CTL_K_ERROR_SESSIONS));
	p_int(&out, "Authentication failures", (long long)jn(st, CTL_K_AUTH_FAILURES));
	p_time(&out, "Average auth time", "raw_avg_auth_time", (long long)jn(st, CTL_K_AVG_AUTH_S));
	p_time(&out, "Max auth time", "raw_max_auth_time", (long long)jn(st, CTL_K_MAX_AUTH_S));
	p_time(&out, "Average session time", "raw_avg_session_time",
	       (long long)jn(st, CTL_K_AVG_SESSION_S));
	p_time(&out, "Max session time", "raw_max_session_time",
	       (long long)jn(st, CTL_K_MAX_SESSION_S));
	if (jn(st, CTL_K_MIN_MTU) > 0)
		p_int(&out, "Min MTU", (long long)jn(st, CTL_K_MIN_MTU));
	if (jn(st, CTL_K_MAX_MTU) > 0)
		p_int(&out, "Max MTU", (long long)jn(st, CTL_K_MAX_MTU));
	p_bytes(&out, "RX", "raw_rx", (unsigned long long)jn(st, CTL_K_RX));
	p_bytes(&out, "TX", "raw_tx", (unsigned long long)jn(st, CTL_K_TX));
	if (out.obj) {
		print_json(out.obj);
		cJSON_Delete(out.obj);
	}
	return 0;
}

static int do_bans(struct occtl *o, const cJSON *bans, bool points)
{
	cJSON *arr = o->json ? cJSON_CreateArray() : nullptr;
	const cJSON *b;
	time_t now = time(nullptr);
	int i = 0;

	cJSON_ArrayForEach(b, bans)
	{
		struct out out = {.json = o->json};
		time_t exp = (time_t)jn(b, CTL_K_EXPIRES);
		unsigned score = (unsigned)jn(b, CTL_K_SCORE);
		char date[64], ival[32];

		if (!points && exp <= 0)
			continue;
		if (i++ == 0 && !o->json) {
			if (points)
				printf("%14s %14s\n", "IP", "score");
			else
				printf("%14s %14s %30s\n", "IP", "score", "expires");
		}
		fmt_date(date, sizeof(date), exp);
		fmt_ival(ival, sizeof(ival), (long long)(exp - now));
		if (!arr) {
			if (points)
				printf("%14s %14u\n", js(b, CTL_K_IP), score);
			else
				printf("%14s %14u %30s (%s)\n", js(b, CTL_K_IP), score, date, ival);
			continue;
		}
		out.obj = cJSON_CreateObject();
		cJSON_AddItemToArray(arr, out.obj);
		p_str(&out, "IP", js(b, CTL_K_IP));
		if (!points)
			p_ex(&out, "Since", date, ival);
		p_int(&out, "Score", score);
	}
	if (arr) {
		print_json(arr);
		cJSON_Delete(arr);
	}
	return 0;
}

static void session_block(struct occtl *o, const cJSON *s, struct out *out)
{
	char c[64], e[64], sid[8];

	snprintf(sid, sizeof(sid), "%.6s", js(s, CTL_K_SESSION));
	p_str(out, "Session", sid);
	p_str(out, o->json ? "Full session" : "Full session ID", js(s, CTL_K_FULL_SESSION));
	fmt_date(c, sizeof(c), (time_t)jn(s, CTL_K_CREATED));
	fmt_date(e, sizeof(e), (time_t)jn(s, CTL_K_EXPIRES));
	p_pair(out, "Created", c, "Expires", e);
	p_str(out, "State", js(s, CTL_K_STATE));
	p_pair(out, "Username", or_none(js(s, CTL_K_USERNAME)), "Groupname",
	       or_none(js(s, CTL_K_GROUPNAME)));
	p_pair(out, "vhost", js(s, CTL_K_VHOST), "User-Agent", js(s, CTL_K_USER_AGENT));
	p_pair(out, "Remote IP", js(s, CTL_K_REMOTE_IP), "Location", "unknown");
	if (o->json) {
		p_int(out, "session_is_open", jb(s, CTL_K_ACTIVATED));
		p_int(out, "tls_auth_ok", jb(s, CTL_K_CERT_AUTH));
		p_int(out, "in_use", jb(s, CTL_K_IN_USE));
	} else {
		p_pair(out, "In use", jb(s, CTL_K_IN_USE) ? "True" : "False", "Activated",
		       jb(s, CTL_K_ACTIVATED) ? "True" : "False");
		p_str(out, "Certificate auth", jb(s, CTL_K_CERT_AUTH) ? "True" : "False");
	}
}

static int do_sessions(struct occtl *o, const cJSON *list, bool detail)
{
	cJSON *arr = o->json ? cJSON_CreateArray() : nullptr;
	const cJSON *s;
	time_t now = time(nullptr);
	int i = 0;

	cJSON_ArrayForEach(s, list)
	{
		struct out out = {.json = o->json};
		if (arr) {
			out.obj = cJSON_CreateObject();
			cJSON_AddItemToArray(arr, out.obj);
			session_block(o, s, &out);
		} else if (detail) {
			if (i)
				printf("\n");
			session_block(o, s, &out);
		} else {
			char ival[32];
			if (i == 0)
				printf("%6s %8s %8s %14s %24s %8s %8s\n", "session", "user",
				       "vhost", "ip", "user agent", "created", "status");
			fmt_ival(ival, sizeof(ival),
				 (long long)(now - (time_t)jn(s, CTL_K_CREATED)));
			printf("%.6s %8s %8s %14s %.24s %8s %8s\n", js(s, CTL_K_SESSION),
			       or_none(js(s, CTL_K_USERNAME)), js(s, CTL_K_VHOST),
			       js(s, CTL_K_REMOTE_IP), js(s, CTL_K_USER_AGENT), ival,
			       js(s, CTL_K_STATE));
		}
		i++;
	}
	if (arr) {
		print_json(arr);
		cJSON_Delete(arr);
	} else if (detail && !i) {
		printf("Session ID not found or expired\n");
	}
	return detail && !i ? 2 : 0;
}

static int do_iroutes(struct occtl *o, const cJSON *users)
{
	cJSON *arr = o->json ? cJSON_CreateArray() : nullptr;
	const cJSON *u, *r;
	int i = 0;

	cJSON_ArrayForEach(u, users)
	{
		const cJSON *ir = cJSON_GetObjectItemCaseSensitive(u, CTL_K_IROUTES);
		if (arr) {
			struct out out = {.json = true, .obj = cJSON_CreateObject()};
			cJSON_AddItemToArray(arr, out.obj);
			p_int(&out, "ID", (long long)jn(u, CTL_K_ID));
			p_str(&out, "Username", or_none(js(u, CTL_K_USERNAME)));
			p_str(&out, "vhost", js(u, CTL_K_VHOST));
			p_str(&out, "Device", js(u, CTL_K_DEVICE));
			p_str(&out, "IP", vpn_ip(u));
			p_list(&out, "iRoutes", ir);
			continue;
		}
		if (i++ == 0)
			printf("%6s %8s %8s %6s %16s %28s\n", "id", "user", "vhost", "device",
			       "vpn-ip", "iroute");
		cJSON_ArrayForEach(r, ir)
		{
			if (cJSON_IsString(r))
				printf("%6d %8s %8s %6s %16s %28s\n", (int)jn(u, CTL_K_ID),
				       or_none(js(u, CTL_K_USERNAME)), js(u, CTL_K_VHOST),
				       js(u, CTL_K_DEVICE), vpn_ip(u), r->valuestring);
		}
	}
	if (arr) {
		print_json(arr);
		cJSON_Delete(arr);
	}
	return 0;
}

static int do_events(struct occtl *o, const cJSON *users)
{
	bool quit = false;

	users_table(o, users);
	if (!o->json)
		printf("\nPress 'q' or CTRL+C to quit\n\n");
	fflush(stdout);
	while (!quit) {
		cJSON *msg = read_line(o, -1, &quit);
		const cJSON *ev, *u;
		char ival[32];

		if (!msg) {
			if (!quit)
				fprintf(stderr, "events: server closed the connection\n");
			break;
		}
		ev = cJSON_GetObjectItemCaseSensitive(msg, CTL_K_EVENT);
		u = cJSON_GetObjectItemCaseSensitive(ev, CTL_K_USER);
		if (!cJSON_IsObject(u)) {
			cJSON_Delete(msg);
			continue;
		}
		if (o->json) {
			cJSON *one = cJSON_CreateArray();
			cJSON_AddItemReferenceToArray(one, (cJSON *)u);
			users_info(o, one);
			cJSON_Delete(one);
		} else if (jb(ev, CTL_K_CONNECTED)) {
			printf("%s: connected user '%s' (%u) from %s with IP %s\n",
			       js(u, CTL_K_VHOST), js(u, CTL_K_USERNAME), (unsigned)jn(u, CTL_K_ID),
			       js(u, CTL_K_REMOTE_IP), vpn_ip(u));
		} else {
			fmt_ival(ival, sizeof(ival),
				 (long long)(time(nullptr) - (time_t)jn(u, CTL_K_CONNECTED_AT)));
			printf("%s: disconnect user '%s' (%u) from %s with IP %s (reason: %s, "
			       "time: "
			       "%s)\n",
			       js(u, CTL_K_VHOST), js(u, CTL_K_USERNAME), (unsigned)jn(u, CTL_K_ID),
			       js(u, CTL_K_REMOTE_IP), vpn_ip(u), js(ev, CTL_K_REASON), ival);
		}
		fflush(stdout);
		cJSON_Delete(msg);
	}
	return 0;
}

/* ---- command table ---- */

enum kind {
	K_STATUS,
	K_USERS,
	K_USER_INFO,
	K_SESSIONS,
	K_SESSION,
	K_IROUTES,
	K_BANS,
	K_POINTS,
	K_EVENTS,
	K_DISC_USER,
	K_DISC_ID,
	K_TERM_USER,
	K_TERM_ID,
	K_TERM_SESSION,
	K_BAN,
	K_UNBAN,
	K_RELOAD,
	K_STOP,
};

struct cmd {
	const char *words; /* what the operator types */
	const char *wire;  /* CTL_CMD_* */
	enum kind kind;
	int min_args, max_args;
	const char *help;
};

static const struct cmd cmds[] = {
	{"show status", CTL_CMD_STATUS, K_STATUS, 0, 0, "Prints the status and statistics"},
	{"show users", CTL_CMD_SHOW_USERS, K_USERS, 0, 0, "Prints the connected users"},
	{"show user", CTL_CMD_SHOW_USER, K_USER_INFO, 1, 1, "[NAME] Prints a user's sessions"},
	{"show id", CTL_CMD_SHOW_ID, K_USER_INFO, 1, 1, "[ID] Prints a connection's details"},
	{"show sessions", CTL_CMD_SHOW_SESSIONS, K_SESSIONS, 1, 1,
	 "[all|valid] Prints the cookie sessions"},
	{"show session", CTL_CMD_SHOW_SESSION, K_SESSION, 1, 1, "[SID] Prints a session"},
	{"show iroutes", CTL_CMD_SHOW_IROUTES, K_IROUTES, 0, 0, "Prints the users' iroutes"},
	{"show ip bans", CTL_CMD_SHOW_BANS, K_BANS, 0, 0, "Prints the banned IP addresses"},
	{"show ip ban points", CTL_CMD_SHOW_BAN_POINTS, K_POINTS, 0, 0,
	 "Prints all IP addresses with a score"},
	{"show events", CTL_CMD_SHOW_EVENTS, K_EVENTS, 0, 0, "Streams connect/disconnect events"},
	{"disconnect user", CTL_CMD_DISCONNECT_USER, K_DISC_USER, 1, 1,
	 "[NAME] Disconnects the user"},
	{"disconnect id", CTL_CMD_DISCONNECT_ID, K_DISC_ID, 1, 1, "[ID] Disconnects the ID"},
	{"terminate user", CTL_CMD_TERMINATE_USER, K_TERM_USER, 1, 1,
	 "[NAME] Disconnects the user and ends its sessions"},
	{"terminate id", CTL_CMD_TERMINATE_ID, K_TERM_ID, 1, 1,
	 "[ID] Disconnects the ID and ends its session"},
	{"terminate session", CTL_CMD_TERMINATE_SESSION, K_TERM_SESSION, 1, 1,
	 "[SID] Ends the session"},
	{"ban ip", CTL_CMD_BAN_IP, K_BAN, 1, 2, "[IP] [SECONDS] Bans the IP"},
	{"unban ip", CTL_CMD_UNBAN_IP, K_UNBAN, 1, 1, "[IP] Unbans the IP"},
	{"reload", CTL_CMD_RELOAD, K_RELOAD, 0, 0, "Reloads the server configuration"},
	{"stop now", CTL_CMD_STOP, K_STOP, 0, 0, "Terminates the server"},
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: occtl [-s FILE] [-j] [-n] [--debug] [COMMAND]\n\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, " %-22s %s\n", cmds[i].words, cmds[i].help);
	fprintf(f, " %-22s %s\n", "help", "Prints this help");
	fprintf(f, " %-22s %s\n", "exit", "Exits this application");
}

/* How many leading tokens of argv spell words ("show ip bans" = 3), 0 if they do not. */
static int words_match(const char *words, char **argv, int argc)
{
	char buf[64];
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", words);
	for (char *save = nullptr, *w = strtok_r(buf, " ", &save); w;
	     w = strtok_r(nullptr, " ", &save)) {
		if (n >= argc || strcasecmp(w, argv[n]) != 0)
			return 0;
		n++;
	}
	return n;
}

static int run_command(struct occtl *o, char **argv, int argc)
{
	const struct cmd *c = nullptr;
	int used = 0, nargs, ret = 1, count;
	long long secs = -1;
	cJSON *resp = nullptr, *data;
	const char *arg;

	if (argc == 0)
		return 0;
	if (strcasecmp(argv[0], "help") == 0 || strcmp(argv[0], "?") == 0) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		int n = words_match(cmds[i].words, argv, argc);
		if (n > used) {
			used = n;
			c = &cmds[i];
		}
	}
	nargs = argc - used;
	if (!c || nargs < c->min_args || nargs > c->max_args) {
		if (!c)
			fprintf(stderr, "unknown command: %s\n", argv[0]);
		else
			fprintf(stderr, "%s: %s\n", c->words, c->help);
		return 1;
	}
	arg = nargs ? argv[used] : nullptr;
	if (c->kind == K_BAN && nargs == 2) {
		char *end;
		errno = 0;
		secs = strtoll(argv[used + 1], &end, 10);
		if (errno || *end || secs < 0 || secs > UINT32_MAX) {
			fprintf(stderr, "ban ip: bad number of seconds '%s'\n", argv[used + 1]);
			return 1;
		}
	}
	data = call(o, c->wire, arg, secs, &resp);
	if (!resp) {
		if (c->kind == K_STATUS) {
			struct out out = {.json = o->json,
					  .obj = o->json ? cJSON_CreateObject() : nullptr};
			p_str(&out, "Status", "offline");
			if (out.obj)
				print_json(out.obj);
			cJSON_Delete(out.obj);
		} else if (c->kind == K_RELOAD) {
			printf("Error scheduling reload\n");
		} else if (c->kind == K_STOP) {
			printf("Error scheduling server stop\n");
		}
		return 1;
	}
	count = (int)jn(data, CTL_K_COUNT);
	ret = 0;
	switch (c->kind) {
	case K_STATUS:
		ret = do_status(o, data);
		break;
	case K_USERS:
		users_table(o, data);
		break;
	case K_USER_INFO:
		ret = users_info(o, data) ? 1 : 0;
		break;
	case K_SESSIONS:
		ret = do_sessions(o, data, false);
		break;
	case K_SESSION:
		ret = do_sessions(o, data, true) ? 1 : 0;
		break;
	case K_IROUTES:
		ret = do_iroutes(o, data);
		break;
	case K_BANS:
	case K_POINTS:
		ret = do_bans(o, data, c->kind == K_POINTS);
		break;
	case K_EVENTS:
		ret = do_events(o, data);
		break;
	case K_DISC_USER:
		printf(count > 0 ? "user '%s' was disconnected\n"
				 : "could not disconnect user '%s'\n",
		       arg);
		break;
	case K_TERM_USER:
		printf(count > 0 ? "user '%s' was terminated\n" : "could not terminate user '%s'\n",
		       arg);
		break;
	case K_DISC_ID:
		printf(count > 0 ? "connection ID '%s' was disconnected\n"
				 : "could not disconnect ID '%s'\n",
		       arg);
		ret = count > 0 ? 0 : 1;
		break;
	case K_TERM_ID:
		printf(count > 0 ? "connection ID '%s' was terminated\n"
				 : "could not terminate ID '%s'\n",
		       arg);
		ret = count > 0 ? 0 : 1;
		break;
	case K_TERM_SESSION:
		printf(count > 0 ? "session '%s' was terminated\n"
				 : "could not terminate session '%s'\n",
		       arg);
		ret = count > 0 ? 0 : 1;
		break;
	case K_BAN:
		printf("IP '%s' was banned\n", arg);
		break;
	case K_UNBAN:
		printf(count > 0 ? "IP '%s' was unbanned\n" : "could not unban IP '%s'\n", arg);
		break;
	case K_RELOAD:
		printf("Server scheduled to reload\n");
		break;
	case K_STOP:
		printf("Server scheduled to stop\n");
		break;
	}
	cJSON_Delete(resp);
	if (c->kind == K_EVENTS)
		occtl_disconnect(o); /* a subscribed connection is not reused */
	return ret;
}

static int interactive(struct occtl *o)
{
	char line[OCCTL_MAX_LINE];
	bool tty = isatty(STDIN_FILENO);

	for (;;) {
		char *argv[16];
		int argc = 0;

		if (tty) {
			printf("occtl> ");
			fflush(stdout);
		}
		if (!fgets(line, sizeof(line), stdin))
			break;
		for (char *save = nullptr, *t = strtok_r(line, " \t\r\n", &save);
		     t && argc < (int)(sizeof(argv) / sizeof(argv[0]));
		     t = strtok_r(nullptr, " \t\r\n", &save))
			argv[argc++] = t;
		if (argc && (strcasecmp(argv[0], "exit") == 0 || strcasecmp(argv[0], "quit") == 0))
			break;
		run_command(o, argv, argc);
		fflush(stdout);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"socket-file", required_argument, nullptr, 's'},
		{"json", no_argument, nullptr, 'j'},
		{"no-pager", no_argument, nullptr, 'n'},
		{"debug", no_argument, nullptr, 'd'},
		{"help", no_argument, nullptr, 'h'},
		{"version", no_argument, nullptr, 'v'},
		{},
	};
	struct occtl o = {.socket = CTL_DEFAULT_SOCKET, .fd = -1};
	int ch, ret;

	while ((ch = getopt_long(argc, argv, "+s:jnhv", opts, nullptr)) != -1) {
		switch (ch) {
		case 's':
			o.socket = optarg;
			break;
		case 'j':
			o.json = true;
			break;
		case 'n':
			break; /* no pager is ever used */
		case 'd':
			o.debug = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'v':
			printf("occtl (ocserv-modern) " OCM_VERSION "\n");
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind >= argc)
		ret = interactive(&o);
	else
		ret = run_command(&o, argv + optind, argc - optind);
	occtl_disconnect(&o);
	free(o.rbuf);
	return ret;
}
