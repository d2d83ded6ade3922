// SPDX-License-Identifier: GPL-2.0-or-later
/* tunnel/worker.c — worker threads and the shared struct vpn: accepting connections, draining
 * the worker's TUN queue, delivering downlink packets to the connection that owns the
 * destination slot (handing them to the owning worker when the kernel queued them elsewhere),
 * and taking over tunnels that moved to another worker. */
#include "tunnel/worker.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/compiler.h"
#include "core/log.h"
#include "sentry/sentry.h"
#include "tunnel/conn.h"
#include "tunnel/dtls_hello.h"
#include "tunnel/session.h"
#include "tunnel/udp_port.h"

enum {
	TUN_READ_BUDGET = 256, /* packets per readiness event before others get a turn */
	/* ... and bytes: with offloads one read is up to 64 KiB, and a long turn here starves
	 * the uplink (DTLS sockets overflowed behind 16 MiB turns). */
	TUN_READ_BYTES = 512 * 1024,
	ACCEPT_BUDGET = 64,
	PKT_BUF_LEN = TUN_VNET_HDR_LEN + 65536, /* a super-packet with its vnet header */
	HANDOFF_MAX_PKTS = 64,
	HANDOFF_MAX_BYTES = 128 * 1024,
};

/* A batch of downlink packets read by one worker for sessions another worker owns. Without
 * eBPF steering (issue #4) this is the per-worker hand-off of ARCHITECTURE.md. */
struct handoff {
	struct loop_call call;
	struct worker *to;
	uint32_t n;
	size_t used;
	uint32_t slot[HANDOFF_MAX_PKTS];
	uint32_t len[HANDOFF_MAX_PKTS];
	uint8_t data[HANDOFF_MAX_BYTES];
};

struct kick {
	struct loop_call call;
	struct worker *to;
	uint32_t slot;
	uint64_t new_gen;
};

/* An operator's disconnect/terminate for the session carried in slot. */
struct admin_kick {
	struct loop_call call;
	struct worker *to;
	struct session_kick k;
	bool terminate;
};

const double vpn_hs_bounds_s[VPN_HS_BUCKETS] = {
	0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};

const struct vpn_stats *vpn_worker_stats(const struct vpn *v, unsigned i)
{
	return &v->workers[i]->stats;
}

static void tun_write_vnet(void *ctx, const struct virtio_net_hdr *vh, const uint8_t *pkt,
			   size_t len)
{
	struct worker *w = ctx;
	struct iovec iov[2] = {
		{.iov_base = (void *)vh, .iov_len = TUN_VNET_HDR_LEN},
		{.iov_base = (void *)pkt, .iov_len = len},
	};

	if (writev(w->tun_fd, iov, 2) < 0 && !(w->tun_drops++ & 1023))
		log_msg(LOG_WARNING, "worker %u: TUN write failed: %m (dropping)", w->idx);
}

static void on_gro_flush(struct loop_call *call)
{
	struct worker *w = container_of(call, struct worker, gro_call);

	w->gro_armed = false;
	gro_flush(w->gro);
}

static void on_udp_tx_flush(struct loop_call *call)
{
	struct worker *w = container_of(call, struct worker, udp_tx_call);

	w->udp_tx_armed = false;
	udp_tx_flush(w->udp_tx);
}

/* fn runs once at the end of this round, however often this is called before. */
static void defer_once(struct worker *w, struct loop_call *call, bool *armed, loop_call_fn *fn)
{
	if (*armed)
		return;
	*armed = true;
	loop_defer(w->loop, call, fn);
}

static void on_udp_tx_started(void *ctx)
{
	struct worker *w = ctx;

	defer_once(w, &w->udp_tx_call, &w->udp_tx_armed, on_udp_tx_flush);
}

void worker_tun_write(struct worker *w, const uint8_t *pkt, size_t len)
{
	if (w->gro) {
		/* Merged with the rest of this round's segments of its flow, written at its end. */
		gro_add(w->gro, pkt, len);
		defer_once(w, &w->gro_call, &w->gro_armed, on_gro_flush);
		return;
	}
	if (write(w->tun_fd, pkt, len) < 0 && !(w->tun_drops++ & 1023))
		log_msg(LOG_WARNING, "worker %u: TUN write failed: %m (dropping)", w->idx);
}

void worker_deliver(struct worker *w, uint32_t slot, const uint8_t *pkt, size_t len)
{
	struct conn *c = w->slot_conn[slot];

	if (c)
		conn_send_packet(c, pkt, len);
}

void worker_flush_dirty(struct worker *w)
{
	struct list_node *pos, *tmp;

	list_for_each_safe (pos, tmp, &w->dirty) {
		struct conn *c = list_entry(pos, struct conn, dirty_node);
		list_del(pos);
		c->dirty = false;
		conn__flush(c);
	}
	udp_tx_flush(w->udp_tx);
}

static void on_handoff(struct loop_call *call)
{
	struct handoff *h = container_of(call, struct handoff, call);
	size_t off = 0;

	for (uint32_t i = 0; i < h->n; i++) {
		worker_deliver(h->to, h->slot[i], h->data + off, h->len[i]);
		off += h->len[i];
	}
	worker_flush_dirty(h->to);
	free(h);
}

static void on_kick(struct loop_call *call)
{
	struct kick *k = container_of(call, struct kick, call);
	struct conn *c = k->to->slot_conn[k->slot];

	if (c && c->gen < k->new_gen)
		conn_kick(c, "tunnel taken over by a reconnect");
	free(k);
}

static void on_admin_kick(struct loop_call *call)
{
	struct admin_kick *a = container_of(call, struct admin_kick, call);
	struct conn *c = a->to->slot_conn[a->k.slot];

	if (c && c->session && c->session->id == a->k.id) {
		if (a->terminate)
			conn_kick(c, "terminated by the operator"); /* the client must not return */
		else
			conn_close(c, "disconnected by the operator"); /* it may reconnect */
	}
	free(a);
}

int vpn_kick(struct vpn *v, const struct session_kick *k, bool terminate)
{
	struct admin_kick *a;

	if (k->worker < 0 || (unsigned)k->worker >= v->n_workers)
		return -EINVAL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->to = v->workers[k->worker];
	a->k = *k;
	a->terminate = terminate;
	loop_post(a->to->loop, &a->call, on_admin_kick);
	return 0;
}

void worker_kick_slot(struct worker *from, unsigned idx, uint32_t slot, uint64_t new_gen)
{
	struct kick *k = calloc(1, sizeof(*k));

	(void)from;
	if (!k)
		return; /* the stale connection then ends by DPD; its generation is stale anyway */
	k->to = from->vpn->workers[idx];
	k->slot = slot;
	k->new_gen = new_gen;
	loop_post(k->to->loop, &k->call, on_kick);
}

static void handoff_flush(struct worker *w, struct handoff **pending)
{
	for (unsigned i = 0; i < w->vpn->n_workers; i++) {
		if (!pending[i])
			continue;
		loop_post(pending[i]->to->loop, &pending[i]->call, on_handoff);
		pending[i] = nullptr;
	}
}

static void handoff_add(struct worker *w, struct handoff **pending, unsigned owner, uint32_t slot,
			const uint8_t *pkt, size_t len)
{
	struct handoff *h = pending[owner];

	if (h && (h->n == HANDOFF_MAX_PKTS || h->used + len > HANDOFF_MAX_BYTES)) {
		loop_post(h->to->loop, &h->call, on_handoff);
		h = pending[owner] = nullptr;
	}
	if (!h) {
		h = malloc(sizeof(*h));
		if (!h) {
			w->handoff_drops++;
			return;
		}
		h->to = w->vpn->workers[owner];
		h->n = 0;
		h->used = 0;
		pending[owner] = h;
	}
	memcpy(h->data + h->used, pkt, len);
	h->slot[h->n] = slot;
	h->len[h->n] = (uint32_t)len;
	h->n++;
	h->used += len;
}

/* One downlink packet read from this worker's TUN queue (a segment of a super-packet). */
struct tun_read {
	struct worker *w;
	struct handoff **pending;
};

/* The worker (index + 1, 0 = none) whose tunnel carries dst. Slot arithmetic first; the rtable
 * (fixed and per-user leases, iroutes) only when it finds no live tunnel. */
static inline unsigned downlink_owner(struct vpn *v, const struct inner_pkt *ip, uint32_t *slot)
{
	uint32_t s = ippool_slot_of(v->pool, ip->family, ip->dst);
	unsigned owner = s ? atomic_load_explicit(&v->slot_owner[s], memory_order_acquire) : 0;

	if (owner) {
		*slot = s;
		return owner;
	}
	s = rtable_lookup(ippool_rtable(v->pool), ip->family, ip->dst);
	if (!s || s >= v->n_slots)
		return 0;
	*slot = s;
	return atomic_load_explicit(&v->slot_owner[s], memory_order_acquire);
}

static void tun_on_packet(void *ctx, const uint8_t *pkt, size_t len)
{
	struct tun_read *r = ctx;
	struct worker *w = r->w;
	struct vpn *v = w->vpn;
	struct inner_pkt ip;

	if (inner_parse(pkt, len, &ip))
		return;
	uint32_t slot;
	unsigned owner = downlink_owner(v, &ip, &slot);
	if (!owner)
		return; /* no tunnel for that address right now */
	if (owner - 1 == w->idx)
		worker_deliver(w, slot, pkt, len);
	else
		handoff_add(w, r->pending, owner - 1, slot, pkt, len);
}

static void on_tun_readable(struct loop_watch *watch, uint32_t events)
{
	struct worker *w = container_of(watch, struct worker, tun_watch);
	struct handoff *pending[256] = {};
	struct tun_read r = {.w = w, .pending = pending};
	bool vnet = tun_has_offloads(w->vpn->tun);

	(void)events;
	size_t bytes = 0;
	for (int budget = TUN_READ_BUDGET; budget > 0 && bytes < TUN_READ_BYTES; budget--) {
		ssize_t n = read(w->tun_fd, w->pkt_buf, PKT_BUF_LEN);
		if (n <= 0)
			break;
		bytes += (size_t)n;
		if (!vnet)
			tun_on_packet(&r, w->pkt_buf, (size_t)n);
		else if (tso_split(w->pkt_buf, (size_t)n, tun_on_packet, &r) < 0)
			w->bad_inner_drops++;
	}
	handoff_flush(w, pending);
	worker_flush_dirty(w);
}

static void on_accept_resume(struct timer *t)
{
	struct worker *w = container_of(t, struct worker, accept_timer);
	int ret = loop_watch_mod(w->loop, &w->listen_watch, EPOLLIN);

	if (ret)
		log_msg(LOG_ERR, "worker %u: cannot resume accepting: %s", w->idx, strerror(-ret));
}

/* rate-limit-ms, as ocserv: one accept per period for the whole server. When the slot is not
 * free the listener stops reporting readiness until it is (connections wait in the kernel's
 * backlog, they are not refused). */
static bool accept_slot_take(struct worker *w)
{
	struct sentry *s = w->vpn->sentry;
	uint64_t now = clock_now_ns();
	uint64_t wait = s ? sentry_accept_delay_ns(s, now) : 0;
	int ret;

	if (!wait)
		return true;
	ret = loop_watch_mod(w->loop, &w->listen_watch, 0);
	if (ret) {
		log_msg(LOG_ERR, "worker %u: cannot pause accepting: %s", w->idx, strerror(-ret));
		return true; /* level-triggered: accepting beats spinning on the event */
	}
	loop_timer_arm(w->loop, &w->accept_timer, now + wait);
	return false;
}

static void on_listen_readable(struct loop_watch *watch, uint32_t events)
{
	struct worker *w = container_of(watch, struct worker, listen_watch);

	(void)events;
	for (int budget = ACCEPT_BUDGET; budget > 0; budget--) {
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer);
		if (!accept_slot_take(w))
			return;
		int fd = accept4(w->listen_watch.fd, (struct sockaddr *)&peer, &plen,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				log_msg(LOG_WARNING, "worker %u: accept: %m", w->idx);
			return;
		}
		conn_accept(w, fd, &peer);
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	int ret = loop_run(w->loop);

	if (ret)
		log_msg(LOG_ERR, "worker %u: event loop failed: %s", w->idx, strerror(-ret));
	/* Close what is left; the deferred frees run in the final loop round below. */
	struct list_node *pos, *tmp;
	list_for_each_safe (pos, tmp, &w->conns) {
		struct conn *c = list_entry(pos, struct conn, node);
		conn_kick(c, "server shutting down");
	}
	loop_run_pending(w->loop);
	return nullptr;
}

static void worker_free(struct worker *w)
{
	if (!w)
		return;
	if (w->listen_watch.fd >= 0)
		close(w->listen_watch.fd);
	if (w->udp_watch.fd >= 0)
		close(w->udp_watch.fd);
	free(w->dtls_buf);
	gro_free(w->gro);
	udp_tx_free(w->udp_tx);
	udp_port_fini(w);
	loop_free(w->loop);
	free(w->slot_conn);
	free(w->pkt_buf);
	free(w);
}

static int worker_new(struct vpn *v, unsigned idx, struct worker **out)
{
	struct worker *w;
	int ret;

	*out = nullptr;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->vpn = v;
	w->idx = idx;
	w->listen_watch.fd = -1;
	w->udp_watch.fd = -1;
	list_init(&w->conns);
	list_init(&w->dirty);
	w->slot_conn = calloc(v->n_slots, sizeof(*w->slot_conn));
	w->pkt_buf = malloc(PKT_BUF_LEN);
	w->dtls_buf = malloc(PKT_BUF_LEN);
	if (!w->slot_conn || !w->pkt_buf || !w->dtls_buf) {
		ret = -ENOMEM;
		goto err;
	}
	ret = loop_new(&w->loop);
	if (ret)
		goto err;
	if (tun_has_offloads(v->tun) && (ret = gro_new(tun_write_vnet, w, &w->gro)))
		goto err;
	ret = udp_tx_new(on_udp_tx_started, w, &w->udp_tx);
	if (!ret)
		ret = udp_port_init(w);
	if (ret)
		goto err;
	w->tun_fd = tun_queue_fd(v->tun, idx % tun_queue_count(v->tun));
	*out = w;
	return 0;
err:
	worker_free(w);
	return ret;
}

int vpn_new(const struct config *cfg, struct tls_server *tls, struct ippool *pool, struct tun *tun,
	    struct auth_pool *auth, unsigned n_workers, struct vpn **out)
{
	struct vpn *v;
	int ret;

	*out = nullptr;
	if (!n_workers || n_workers > 255)
		return -EINVAL;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	pthread_mutex_init(&v->cfg_lock, nullptr);
	pthread_mutex_init(&v->route_lock, nullptr);
	v->cfg = config_get(cfg);
	v->tls = tls;
	v->pool = pool;
	v->tun = tun;
	v->auth = auth;
	v->n_workers = n_workers;
	v->n_slots = ippool_index_count(pool);
	v->slot_owner = calloc(v->n_slots, sizeof(*v->slot_owner));
	v->workers = calloc(n_workers, sizeof(*v->workers));
	if (!v->slot_owner || !v->workers) {
		ret = -ENOMEM;
		goto err;
	}
	ret = session_registry_new(pool, &v->sessions);
	if (!ret)
		ret = dtls_peer_index_init(&v->peers);
	if (ret)
		goto err;
	for (unsigned i = 0; i < n_workers; i++) {
		ret = worker_new(v, i, &v->workers[i]);
		if (ret)
			goto err;
	}
	*out = v;
	return 0;
err:
	vpn_free(v);
	return ret;
}

int vpn_start(struct vpn *v, int *listen_fds, int *udp_fds)
{
	v->peers.accel = v->accel;
	for (unsigned i = 0; i < v->n_workers; i++) {
		struct worker *w = v->workers[i];
		timer_init(&w->accept_timer, on_accept_resume);
		int ret = loop_watch_add(w->loop, &w->listen_watch, listen_fds[i], EPOLLIN,
					 on_listen_readable);
		if (ret)
			return ret;
		listen_fds[i] = -1; /* owned by the worker now */
		if (udp_fds && (ret = udp_port_attach(w, &udp_fds[i])))
			return ret;
		ret = loop_watch_add(w->loop, &w->tun_watch, w->tun_fd, EPOLLIN, on_tun_readable);
		if (ret)
			return ret;
	}
	for (unsigned i = 0; i < v->n_workers; i++) {
		struct worker *w = v->workers[i];
		int ret = -pthread_create(&w->thread, nullptr, worker_main, w);
		if (ret) {
			log_msg(LOG_ERR, "cannot start worker %u: %s", i, strerror(-ret));
			return ret;
		}
		w->started = true;
		char name[16];
		snprintf(name, sizeof(name), "ocm-worker%u", i);
		pthread_setname_np(w->thread, name);
	}
	return 0;
}

void vpn_stop(struct vpn *v)
{
	for (unsigned i = 0; i < v->n_workers; i++)
		if (v->workers[i] && v->workers[i]->started)
			loop_stop(v->workers[i]->loop);
	for (unsigned i = 0; i < v->n_workers; i++) {
		struct worker *w = v->workers[i];
		if (!w || !w->started)
			continue;
		pthread_join(w->thread, nullptr);
		w->started = false;
	}
}

void vpn_free(struct vpn *v)
{
	if (!v)
		return;
	/* Answers and hand-offs posted to stopped workers (e.g. by auth_pool_free) run here,
	 * releasing the connections that waited for them. */
	for (unsigned i = 0; v->workers && i < v->n_workers; i++)
		if (v->workers[i])
			loop_run_pending(v->workers[i]->loop);
	for (unsigned i = 0; v->workers && i < v->n_workers; i++)
		worker_free(v->workers[i]);
	session_registry_free(v->sessions);
	dtls_peer_index_fini(&v->peers);
	config_put(v->cfg);
	pthread_mutex_destroy(&v->cfg_lock);
	pthread_mutex_destroy(&v->route_lock);
	free(v->workers);
	free((void *)v->slot_owner);
	free(v);
}

static void on_vpn_event(struct loop_call *call)
{
	struct vpn_event *ev = container_of(call, struct vpn_event, call);

	ev->deliver(ev->deliver_ctx, ev);
	free(ev);
}

void vpn_event_post(struct vpn *v, const struct session *s, bool connected, const char *reason)
{
	struct vpn_event *ev;

	if (!v->on_event || !v->events_loop)
		return;
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return;
	ev->connected = connected;
	ev->session_id = s->id;
	snprintf(ev->username, sizeof(ev->username), "%s", s->username);
	snprintf(ev->group, sizeof(ev->group), "%s", s->group);
	snprintf(ev->remote_ip, sizeof(ev->remote_ip), "%s", s->remote_ip);
	if (s->lease.has_v4)
		inet_ntop(AF_INET, &s->lease.v4, ev->ipv4, sizeof(ev->ipv4));
	if (s->lease.has_v6)
		inet_ntop(AF_INET6, &s->lease.v6, ev->ipv6, sizeof(ev->ipv6));
	snprintf(ev->reason, sizeof(ev->reason), "%s", reason ? reason : "");
	ev->rx_bytes = atomic_load_explicit(&s->rx_bytes, memory_order_relaxed);
	ev->tx_bytes = atomic_load_explicit(&s->tx_bytes, memory_order_relaxed);
	ev->connected_wall = s->connected_wall;
	ev->deliver = v->on_event;
	ev->deliver_ctx = v->events_ctx;
	loop_post(v->events_loop, &ev->call, on_vpn_event);
}

const struct config *vpn_config_acquire(struct vpn *v)
{
	const struct config *cfg;

	pthread_mutex_lock(&v->cfg_lock);
	cfg = config_get(v->cfg);
	pthread_mutex_unlock(&v->cfg_lock);
	return cfg;
}

void vpn_config_replace(struct vpn *v, const struct config *cfg)
{
	const struct config *old;

	pthread_mutex_lock(&v->cfg_lock);
	old = v->cfg;
	v->cfg = cfg;
	pthread_mutex_unlock(&v->cfg_lock);
	config_put(old); /* freed when the last session or connection using it is gone */
}

void vpn_tick(struct vpn *v)
{
	session_registry_sweep(v->sessions, clock_now_ns());
}
