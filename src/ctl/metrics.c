// SPDX-License-Identifier: GPL-2.0-or-later
/* ctl/metrics.c — Prometheus text exposition (format 0.0.4) of a metrics_snapshot, served
 * on an optional TCP listener: HTTP/1.0 GET /metrics only, one response, then close. */
#include "ctl/ctl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/compiler.h"
#include "core/list.h"
#include "core/log.h"
#include "core/loop.h"
#include "ctl/ctl_priv.h"

enum {
	METRICS_MAX_REQ = 4096,	    /* request head */
	METRICS_MAX_BODY = 1 << 20, /* exposition text */
	METRICS_MAX_CLIENTS = 8,
	METRICS_TIMEOUT_S = 5,
};

const double metrics_hs_bounds_s[METRICS_HS_BUCKETS] = {
	0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};

static const char *const sess_state_names[METRICS_SESS__COUNT] = {
	[METRICS_SESS_AUTHENTICATED] = "authenticated",
	[METRICS_SESS_ACTIVE] = "active",
	[METRICS_SESS_DETACHED] = "detached",
};
static const char *const dir_names[METRICS_DIR__COUNT] = {"rx", "tx"};
static const char *const chan_names[METRICS_CHAN__COUNT] = {"tls", "dtls"};

[[gnu::format(printf, 2, 3)]] static int out_printf(struct buf *b, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -E2BIG; /* our own formats: a bug, not input */
	return buf_append(b, line, (size_t)n);
}

static int head(struct buf *b, const char *name, const char *type, const char *help)
{
	return out_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static int scalar(struct buf *b, const char *name, const char *type, const char *help, uint64_t v)
{
	int ret = head(b, name, type, help);

	return ret ? ret : out_printf(b, "%s %llu\n", name, (unsigned long long)v);
}

/* bytes_total / packets_total by direction and channel. */
static int by_dir_chan(struct buf *b, const char *name, const char *help,
		       const uint64_t v[METRICS_DIR__COUNT][METRICS_CHAN__COUNT])
{
	int ret = head(b, name, "counter", help);

	for (size_t d = 0; !ret && d < METRICS_DIR__COUNT; d++)
		for (size_t c = 0; !ret && c < METRICS_CHAN__COUNT; c++)
			ret = out_printf(b, "%s{direction=\"%s\",channel=\"%s\"} %llu\n", name,
					 dir_names[d], chan_names[c], (unsigned long long)v[d][c]);
	return ret;
}

const char *const metrics_xdp_verdict_names[METRICS_XDP__COUNT] = {
	"passed", "dropped_banned", "dropped_rate", "not_ip", "not_ours", "malformed", "fragment",
};
const char *const metrics_udp_drop_names[METRICS_UDP_DROP__COUNT] = {
	"garbage", "unknown", "banned", "roaming", "hello_limited", "socket_full",
};
const char *const metrics_tg_verdict_names[METRICS_TG__COUNT] = {
	"passed",
	"dropped_spoof",
	"dropped_bad",
};

/* One counter family with a label taking each of names[0..n). */
static int labelled(struct buf *b, const char *name, const char *help, const char *label,
		    const char *const *names, const uint64_t *v, size_t n)
{
	int ret = head(b, name, "counter", help);

	for (size_t i = 0; !ret && i < n; i++)
		ret = out_printf(b, "%s{%s=\"%s\"} %llu\n", name, label, names[i],
				 (unsigned long long)v[i]);
	return ret;
}

static int sentry_families(struct buf *b, const struct metrics_snapshot *s)
{
	static const char ev[] = "ocserv_modern_sentry_events_total";
	size_t n = s->n_sentry_events < METRICS_SENTRY_EVENTS_MAX ? s->n_sentry_events
								  : METRICS_SENTRY_EVENTS_MAX;
	int ret = scalar(b, "ocserv_modern_sentry_rejected_total", "counter",
			 "Connections sentry refused before TLS (bans, static rules, limits).",
			 s->sentry_rejected);

	if (!ret)
		ret = scalar(b, "ocserv_modern_sentry_rate_limited_total", "counter",
			     "Connections over the per-source new-connection limit (user space).",
			     s->sentry_rate_limited);
	if (!ret)
		ret = head(b, ev, "counter", "Events reported to sentry, by event.");
	for (size_t i = 0; !ret && i < n; i++)
		ret = out_printf(b, "%s{event=\"%s\"} %llu\n", ev, s->sentry_events[i].name,
				 (unsigned long long)s->sentry_events[i].count);
	return ret;
}

static int ebpf_families(struct buf *b, const struct metrics_snapshot *s)
{
	int ret = scalar(b, "ocserv_modern_ebpf_active", "gauge",
			 "1 when the eBPF accelerators are loaded, 0 when user space does it all.",
			 s->ebpf_active ? 1 : 0);

	if (!ret)
		ret = scalar(b, "ocserv_modern_xdp_interfaces", "gauge",
			     "Interfaces with xdp_guard attached.", s->xdp_ifaces);
	if (!ret)
		ret = labelled(b, "ocserv_modern_xdp_packets_total",
			       "Packets judged by xdp_guard, by verdict.", "verdict",
			       metrics_xdp_verdict_names, s->xdp_packets, METRICS_XDP__COUNT);
	if (!ret)
		ret = labelled(b, "ocserv_modern_tun_guard_packets_total",
			       "Packets the server wrote into the TUN, by tun_guard's verdict.",
			       "verdict", metrics_tg_verdict_names, s->tun_guard_packets,
			       METRICS_TG__COUNT);
	return ret;
}

static int histogram(struct buf *b, const struct metrics_snapshot *s)
{
	static const char name[] = "ocserv_modern_handshake_duration_seconds";
	uint64_t cum = 0;
	int ret = head(b, name, "histogram", "Time from TCP accept to tunnel established.");

	for (size_t i = 0; !ret && i < METRICS_HS_BUCKETS; i++) {
		cum += s->hs_bucket[i];
		ret = out_printf(b, "%s_bucket{le=\"%g\"} %llu\n", name, metrics_hs_bounds_s[i],
				 (unsigned long long)cum);
	}
	cum += s->hs_overflow;
	if (!ret)
		ret = out_printf(b, "%s_bucket{le=\"+Inf\"} %llu\n", name, (unsigned long long)cum);
	if (!ret)
		ret = out_printf(b, "%s_sum %.9g\n", name, s->hs_sum_s >= 0 ? s->hs_sum_s : 0.0);
	if (!ret)
		ret = out_printf(b, "%s_count %llu\n", name, (unsigned long long)cum);
	return ret;
}

int metrics_render(const struct metrics_snapshot *s, struct buf *b)
{
	size_t nw = s->n_workers < METRICS_MAX_WORKERS ? s->n_workers : METRICS_MAX_WORKERS;
	int ret;

	ret = scalar(b, "ocserv_modern_start_time_seconds", "gauge",
		     "Wall-clock time the server started, in Unix seconds.",
		     (uint64_t)(s->start_time > 0 ? s->start_time : 0));
	if (!ret)
		ret = head(b, "ocserv_modern_sessions", "gauge", "Sessions by state.");
	for (size_t i = 0; !ret && i < METRICS_SESS__COUNT; i++)
		ret = out_printf(b, "ocserv_modern_sessions{state=\"%s\"} %llu\n",
				 sess_state_names[i], (unsigned long long)s->sessions[i]);
	if (!ret)
		ret = head(b, "ocserv_modern_logins_total", "counter",
			   "Authentication attempts by result.");
	if (!ret)
		ret = out_printf(b,
				 "ocserv_modern_logins_total{result=\"ok\"} %llu\n"
				 "ocserv_modern_logins_total{result=\"failed\"} %llu\n",
				 (unsigned long long)s->logins_ok,
				 (unsigned long long)s->logins_failed);
	if (!ret)
		ret = by_dir_chan(b, "ocserv_modern_tunnel_bytes_total",
				  "Tunnel payload bytes by direction and channel.", s->bytes);
	if (!ret)
		ret = by_dir_chan(b, "ocserv_modern_tunnel_packets_total",
				  "Tunnel packets by direction and channel.", s->packets);
	if (!ret)
		ret = histogram(b, s);
	if (!ret)
		ret = scalar(b, "ocserv_modern_dtls_fallbacks_total", "counter",
			     "Times a session's data moved from DTLS back to CSTP.",
			     s->dtls_fallbacks);
	if (!ret)
		ret = scalar(b, "ocserv_modern_dtls_handovers_total", "counter",
			     "DTLS datagrams read by another worker than their session's and "
			     "handed over (eBPF steering keeps this near 0).",
			     s->dtls_handovers);
	if (!ret)
		ret = labelled(b, "ocserv_modern_dtls_datagrams_dropped_total",
			       "Datagrams on the DTLS port dropped before a session took them, by "
			       "reason.",
			       "reason", metrics_udp_drop_names, s->udp_dropped,
			       METRICS_UDP_DROP__COUNT);
	if (!ret)
		ret = scalar(b, "ocserv_modern_spoofed_packets_total", "counter",
			     "Packets from clients whose source was not their address (dropped).",
			     s->spoofed_packets);
	if (!ret)
		ret = scalar(b, "ocserv_modern_banned_addresses", "gauge", "Addresses banned now.",
			     s->bans_active);
	if (!ret)
		ret = scalar(b, "ocserv_modern_bans_total", "counter", "Bans issued.",
			     s->bans_total);
	if (!ret)
		ret = sentry_families(b, s);
	if (!ret)
		ret = ebpf_families(b, s);
	if (!ret)
		ret = head(b, "ocserv_modern_worker_connections", "gauge",
			   "Connections owned by each worker thread.");
	for (size_t i = 0; !ret && i < nw; i++)
		ret = out_printf(b, "ocserv_modern_worker_connections{worker=\"%zu\"} %llu\n", i,
				 (unsigned long long)s->workers[i].connections);
	if (!ret)
		ret = head(b, "ocserv_modern_worker_queue_drops_total", "counter",
			   "Messages a worker's queue had to drop.");
	for (size_t i = 0; !ret && i < nw; i++)
		ret = out_printf(b, "ocserv_modern_worker_queue_drops_total{worker=\"%zu\"} %llu\n",
				 i, (unsigned long long)s->workers[i].queue_drops);
	if (!ret)
		ret = scalar(b, "ocserv_modern_process_resident_memory_bytes", "gauge",
			     "Resident set size.", s->rss_bytes);
	if (!ret)
		ret = scalar(b, "ocserv_modern_process_virtual_memory_bytes", "gauge",
			     "Virtual memory size.", s->vsz_bytes);
	return ret;
}

int metrics_process_memory(uint64_t *rss_bytes, uint64_t *vsz_bytes)
{
	unsigned long long vsz_pages, rss_pages;
	long page = sysconf(_SC_PAGESIZE);
	FILE *f = fopen("/proc/self/statm", "re");
	int n;

	*rss_bytes = 0;
	*vsz_bytes = 0;
	if (!f)
		return -errno;
	n = fscanf(f, "%llu %llu", &vsz_pages, &rss_pages);
	fclose(f);
	if (n != 2 || page <= 0)
		return -EIO;
	*rss_bytes = rss_pages * (uint64_t)page;
	*vsz_bytes = vsz_pages * (uint64_t)page;
	return 0;
}

struct metrics_client {
	struct list_node node;
	struct metrics_server *ms;
	struct loop_watch w;
	struct timer deadline;
	struct buf in, out;
	bool responding, dead;
	struct loop_call free_call;
};

struct metrics_server {
	struct loop *l;
	struct loop_watch w;
	uint16_t port;
	metrics_fill_fn *fill; /* borrowed */
	void *ctx;	       /* borrowed */
	struct list_node clients;
	size_t n_clients;
	struct metrics_snapshot snap; /* scratch, reused per scrape */
};

static void mclient_free_deferred(struct loop_call *call)
{
	struct metrics_client *c = container_of(call, struct metrics_client, free_call);

	buf_fini(&c->in);
	buf_fini(&c->out);
	free(c);
}

static void mclient_close(struct metrics_client *c)
{
	if (c->dead)
		return;
	c->dead = true;
	loop_watch_del(c->ms->l, &c->w);
	close(c->w.fd);
	loop_timer_cancel(c->ms->l, &c->deadline);
	list_del(&c->node);
	c->ms->n_clients--;
	loop_defer(c->ms->l, &c->free_call, mclient_free_deferred);
}

static void mclient_flush(struct metrics_client *c)
{
	while (buf_used(&c->out)) {
		ssize_t n = send(c->w.fd, buf_head(&c->out), buf_used(&c->out), MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR) {
				if (loop_watch_mod(c->ms->l, &c->w, EPOLLOUT) < 0)
					mclient_close(c);
				return;
			}
			mclient_close(c);
			return;
		}
		buf_consume(&c->out, (size_t)n);
	}
	mclient_close(c);
}

static void mclient_respond(struct metrics_client *c, const char *status, const struct buf *body)
{
	char hdr[256];
	size_t blen = body ? buf_used(body) : 0;
	int n;

	n = snprintf(hdr, sizeof(hdr),
		     "HTTP/1.0 %s\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
		     "Content-Length: %zu\r\nConnection: close\r\n\r\n",
		     status, blen);
	c->responding = true;
	if (n < 0 || (size_t)n >= sizeof(hdr) || buf_append(&c->out, hdr, (size_t)n) < 0 ||
	    (blen && buf_append(&c->out, buf_head(body), blen) < 0)) {
		mclient_close(c);
		return;
	}
	mclient_flush(c);
}

/* The request head is complete: only "GET /metrics" (optionally with a query) is served. */
static void mclient_on_request(struct metrics_client *c)
{
	static const char get[] = "GET /metrics";
	const char *req = (const char *)buf_head(&c->in);
	size_t len = buf_used(&c->in);
	struct metrics_server *ms = c->ms;
	struct buf body;

	if (len < sizeof(get) || memcmp(req, get, sizeof(get) - 1) != 0 ||
	    (req[sizeof(get) - 1] != ' ' && req[sizeof(get) - 1] != '?')) {
		bool is_get = len >= 4 && memcmp(req, "GET ", 4) == 0;
		mclient_respond(c, is_get ? "404 Not Found" : "405 Method Not Allowed", nullptr);
		return;
	}
	memset(&ms->snap, 0, sizeof(ms->snap));
	if (ms->fill)
		ms->fill(ms->ctx, &ms->snap);
	buf_init(&body, METRICS_MAX_BODY);
	if (metrics_render(&ms->snap, &body) < 0) {
		buf_fini(&body);
		mclient_respond(c, "500 Internal Server Error", nullptr);
		return;
	}
	mclient_respond(c, "200 OK", &body);
	buf_fini(&body);
}

static void mclient_on_event(struct loop_watch *w, uint32_t events)
{
	struct metrics_client *c = container_of(w, struct metrics_client, w);
	ssize_t n;

	if (c->responding) {
		if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			mclient_flush(c);
		return;
	}
	if (buf_reserve(&c->in, 512) < 0) {
		mclient_respond(c, "431 Request Header Fields Too Large", nullptr);
		return;
	}
	n = read(c->w.fd, buf_tail(&c->in), buf_room(&c->in));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		mclient_close(c);
		return;
	}
	c->in.len += (size_t)n;
	/* Headers end with an empty line; HTTP/0.9-style bare "GET /metrics\n" is not served. */
	if (memmem(buf_head(&c->in), buf_used(&c->in), "\r\n\r\n", 4) ||
	    memmem(buf_head(&c->in), buf_used(&c->in), "\n\n", 2))
		mclient_on_request(c);
}

static void mclient_on_deadline(struct timer *t)
{
	mclient_close(container_of(t, struct metrics_client, deadline));
}

static void metrics_on_accept(struct loop_watch *w, uint32_t events)
{
	struct metrics_server *ms = container_of(w, struct metrics_server, w);

	(void)events;
	for (int i = 0; i < 16; i++) {
		struct metrics_client *c;
		int fd = accept4(ms->w.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		if (ms->n_clients >= METRICS_MAX_CLIENTS || !(c = calloc(1, sizeof(*c)))) {
			close(fd);
			continue;
		}
		c->ms = ms;
		buf_init(&c->in, METRICS_MAX_REQ);
		buf_init(&c->out, METRICS_MAX_BODY + 512);
		timer_init(&c->deadline, mclient_on_deadline);
		if (loop_watch_add(ms->l, &c->w, fd, EPOLLIN, mclient_on_event) < 0) {
			close(fd);
			free(c);
			continue;
		}
		list_add_tail(&ms->clients, &c->node);
		ms->n_clients++;
		loop_timer_arm(ms->l, &c->deadline,
			       loop_now_ns(ms->l) + (uint64_t)METRICS_TIMEOUT_S * NS_PER_SEC);
	}
}

/* "A.B.C.D:PORT" or "[V6]:PORT" → sockaddr. */
static int parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *sl)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	const char *h = s;
	size_t hlen;
	char *end;
	unsigned long port;

	if (!colon || colon == s)
		return -EINVAL;
	hlen = (size_t)(colon - s);
	if (s[0] == '[') {
		if (hlen < 3 || s[hlen - 1] != ']')
			return -EINVAL;
		h = s + 1;
		hlen -= 2;
	}
	if (hlen >= sizeof(host))
		return -EINVAL;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || port > 65535)
		return -EINVAL;
	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		*sl = sizeof(*in4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*sl = sizeof(*in6);
		return 0;
	}
	return -EINVAL;
}

int metrics_server_new(struct loop *l, const char *listen_addr, metrics_fill_fn *fill, void *ctx,
		       struct metrics_server **out)
{
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	struct metrics_server *ms;
	int fd, ret, one = 1;

	*out = nullptr;
	ret = parse_listen(listen_addr, &ss, &sl);
	if (ret) {
		log_msg(LOG_ERR, "metrics: bad listen address \"%s\"", listen_addr);
		return ret;
	}
	ms = calloc(1, sizeof(*ms));
	if (!ms)
		return -ENOMEM;
	ms->l = l;
	ms->fill = fill;
	ms->ctx = ctx;
	list_init(&ms->clients);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		goto err_free;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
		ret = -errno;
		goto err_close;
	}
	ms->port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
						 : ((struct sockaddr_in6 *)&ss)->sin6_port);
	ret = loop_watch_add(l, &ms->w, fd, EPOLLIN, metrics_on_accept);
	if (ret)
		goto err_close;
	*out = ms;
	return 0;
err_close:
	close(fd);
err_free:
	free(ms);
	log_msg(LOG_ERR, "metrics: cannot listen on \"%s\": %s", listen_addr, strerror(-ret));
	return ret;
}

uint16_t metrics_server_port(const struct metrics_server *ms)
{
	return ms->port;
}

void metrics_server_free(struct metrics_server *ms)
{
	struct list_node *pos, *tmp;

	if (!ms)
		return;
	list_for_each_safe (pos, tmp, &ms->clients)
		mclient_close(list_entry(pos, struct metrics_client, node));
	loop_watch_del(ms->l, &ms->w);
	close(ms->w.fd);
	free(ms);
}
