// SPDX-License-Identifier: GPL-2.0-or-later
/* tunnel/udp_port.c — a worker's socket on the shared DTLS port: datagrams read in batches
 * (recvmmsg) and handed to the DTLS channel of their source address+port; ClientHellos start a
 * channel on the worker that carries the session (§5.2); a datagram of another worker's channel
 * is handed over to it (udp_steer in eBPF makes that rare); a record from a new port of a known
 * client is a NAT rebinding. Unknown datagrams cost a parse and at most one locked lookup:
 * nothing is allocated for them (bad input). */
#include "tunnel/udp_port.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/clock.h"
#include "core/compiler.h"
#include "core/log.h"
#include "sentry/sentry.h"
#include "tunnel/conn.h"
#include "tunnel/dtls_hello.h"
#include "tunnel/session.h"
#include "tunnel/worker.h"

enum {
	UDP_RX_BATCH = 16,	   /* datagrams per recvmmsg */
	UDP_RX_SLOT = 9216,	   /* > the largest record a client may send (data MTU 9000) */
	UDP_RX_ROUNDS = 16,	   /* recvmmsg calls per readiness event before others get a turn */
	REBIND_LOOKUPS_PER_S = 64, /* address-only session lookups for records from new ports */
	/* Sessions of one client address a record from a new port is tried on (behind a NAT
	 * address several users share; each try is a failed AEAD check, the live ones skip it). */
	REBIND_CANDIDATES = 16,
};

/* SO_RXQ_OVFL: the socket's drop count rides along with a datagram (net/sock.c turns it on). */
union udp_rx_ctl {
	char buf[CMSG_SPACE(sizeof(uint32_t))];
	struct cmsghdr align;
};

struct udp_rx {
	struct mmsghdr msgs[UDP_RX_BATCH];
	struct iovec iov[UDP_RX_BATCH];
	struct sockaddr_storage peer[UDP_RX_BATCH];
	union udp_rx_ctl ctl[UDP_RX_BATCH];
	uint8_t buf[UDP_RX_BATCH][UDP_RX_SLOT];
};

/* A datagram read by one worker for a session or channel another worker carries. */
enum handover_kind : uint8_t {
	HANDOVER_HELLO,	  /* a ClientHello: id is the session's DTLS id */
	HANDOVER_REBIND,  /* a record from a new port: session_id names the session */
	HANDOVER_CHANNEL, /* for the owner's channel of this peer */
};

struct handover {
	struct loop_call call;
	struct worker *to;
	enum handover_kind kind;
	uint32_t slot;
	uint64_t session_id;
	uint8_t id[32];
	struct sockaddr_storage peer;
	socklen_t peer_len;
	struct dtls_peer_key key;
	size_t len;
	uint8_t data[];
};

int udp_port_init(struct worker *w)
{
	struct udp_rx *rx = malloc(sizeof(*rx));
	int ret;

	if (!rx)
		return -ENOMEM;
	/* recvmmsg writes msg_len, msg_flags and msg_namelen: the rest is set up once. */
	for (int i = 0; i < UDP_RX_BATCH; i++) {
		rx->iov[i] = (struct iovec){.iov_base = rx->buf[i], .iov_len = UDP_RX_SLOT};
		rx->msgs[i] = (struct mmsghdr){
			.msg_hdr = {.msg_iov = &rx->iov[i], .msg_iovlen = 1},
		};
	}
	ret = dtls_peer_table_init(&w->peers);
	if (ret) {
		free(rx);
		return ret;
	}
	w->udp_rx = rx;
	return 0;
}

void udp_port_fini(struct worker *w)
{
	free(w->udp_rx);
	w->udp_rx = nullptr;
	dtls_peer_table_fini(&w->peers);
}

/* The client address as the session registry writes it (a v4-mapped one as IPv4: the key is
 * normalised so). */
static void key_ip_text(const struct dtls_peer_key *k, char out[INET6_ADDRSTRLEN])
{
	if (!inet_ntop(k->family, k->addr, out, INET6_ADDRSTRLEN))
		out[0] = '\0';
}

/* deny-roaming: DTLS only from the address that authenticated (as session_attach() does for
 * CSTP). */
static bool roaming_denied(const struct conn *c, const struct dtls_peer_key *from)
{
	char ip[INET6_ADDRSTRLEN];

	if (!c->session->cfg->deny_roaming)
		return false;
	key_ip_text(from, ip);
	return strcmp(ip, c->session->auth_ip) != 0;
}

static struct dtls_chan *chan_of(struct worker *w, const struct dtls_peer_key *key)
{
	struct dtls_peer_node *n = dtls_peer_table_find(&w->peers, key);

	return n ? container_of(n, struct dtls_chan, local) : nullptr;
}

static void hello_deliver(struct worker *w, const struct handover *h, const uint8_t *d)
{
	struct conn *c = w->slot_conn[h->slot];

	/* Re-check on the owner: the tunnel may have moved or reconnected since the lookup. */
	if (!c || !c->session || !c->session->has_dtls_id ||
	    !ct_memeq(c->session->dtls_id, h->id, 32)) {
		worker_udp_drop(w, VPN_UDP_UNKNOWN);
		return;
	}
	if (roaming_denied(c, &h->key)) {
		worker_udp_drop(w, VPN_UDP_ROAMING);
		if (!c->dtls.roam_logged)
			conn_log(c, LOG_NOTICE, "deny-roaming: DTLS from another address refused");
		c->dtls.roam_logged = true;
		return;
	}
	/* A retransmission that was handed over behind the first ClientHello: the handshake that
	 * one started takes it (a new one would answer the client's next flight with another
	 * transcript). */
	struct dtls_chan *ch = chan_of(w, &h->key);
	if (ch && ch->c == c && !ch->established) {
		dtls_chan_input(ch, d, h->len);
		return;
	}
	dtls_chan_on_hello(c, d, h->len, &h->peer, h->peer_len, &h->key);
}

static void rebind_deliver(struct worker *w, const struct handover *h, const uint8_t *d)
{
	struct conn *c = w->slot_conn[h->slot];

	if (!c || !c->session || c->session->id != h->session_id)
		return;
	if (roaming_denied(c, &h->key)) {
		worker_udp_drop(w, VPN_UDP_ROAMING);
		return;
	}
	dtls_chan_on_rebind(c, d, h->len, &h->peer, h->peer_len, &h->key);
}

/* A ClientHello from the port of an established channel is the client's new DTLS session (the
 * old one is gone on its side); anything else from there is the channel's. */
static bool is_new_hello(const struct dtls_chan *ch, const uint8_t *d, size_t len)
{
	struct dtls_hello h;

	if (!ch->established || len < 1 || d[0] != 22 /* handshake */)
		return false;
	return !dtls_hello_parse(d, len, &h) && h.kind == DTLS_DGRAM_CLIENT_HELLO;
}

static void handover_deliver(struct worker *w, struct handover *h, const uint8_t *d);

static void on_handover(struct loop_call *call)
{
	struct handover *h = container_of(call, struct handover, call);

	handover_deliver(h->to, h, h->data);
	worker_flush_dirty(h->to);
	free(h);
}

static void handover_post(struct worker *w, unsigned owner, const struct handover *tmpl,
			  const uint8_t *d)
{
	struct handover *h = malloc(sizeof(*h) + tmpl->len);

	if (!h) {
		w->handoff_drops++;
		return;
	}
	*h = *tmpl;
	h->to = w->vpn->workers[owner];
	memcpy(h->data, d, tmpl->len);
	atomic_fetch_add_explicit(&w->stats.dtls_handovers, 1, memory_order_relaxed);
	loop_post(h->to->loop, &h->call, on_handover);
}

/* A record on the shared socket from a port no channel has: the client's NAT mapping (port)
 * changed. Matched by address alone (the record's keys then tell which session it is),
 * rate-limited per worker. */
static size_t rebind_lookup(struct worker *w, const struct dtls_peer_key *from,
			    struct session_dtls_candidate *out)
{
	char ip[INET6_ADDRSTRLEN];
	uint64_t now = loop_now_ns(w->loop);

	if (now - w->rebind_window_ns >= NS_PER_SEC) {
		w->rebind_window_ns = now;
		w->rebind_lookups = 0;
	}
	if (w->rebind_lookups++ >= REBIND_LOOKUPS_PER_S)
		return 0;
	key_ip_text(from, ip);
	return session_dtls_lookup_by_ip(w->vpn->sessions, ip, out, REBIND_CANDIDATES);
}

/* Not DTLS, or a ClientHello we cannot serve; from sa (nullptr: no sentry, or unparsable). */
static void drop_garbage(struct worker *w, const struct sentry_addr *sa)
{
	worker_udp_drop(w, VPN_UDP_GARBAGE);
	if (sa) /* 0 points by default: UDP sources are spoofable */
		(void)sentry_event(w->vpn->sentry, sa, SENTRY_EV_DTLS_GARBAGE, clock_now_ns());
}

/* A datagram no channel of this worker takes. */
static void on_stranger(struct worker *w, struct handover *h, const uint8_t *d)
{
	struct vpn *v = w->vpn;
	struct sentry_addr sa;
	struct dtls_hello hello;
	unsigned peer_owner;
	uint32_t slot;
	int owner;
	bool have_sa = v->sentry && !sentry_addr_from_sockaddr((const struct sockaddr *)&h->peer,
							       h->peer_len, &sa);

	if (have_sa && sentry_is_banned(v->sentry, &sa, clock_now_ns())) {
		worker_udp_drop(w, VPN_UDP_BANNED); /* XDP drops these first when it runs */
		return;
	}
	if (dtls_hello_parse(d, h->len, &hello)) {
		drop_garbage(w, have_sa ? &sa : nullptr);
		return;
	}
	/* Another worker's channel (the kernel's pick of socket, where eBPF does not steer). */
	if (dtls_peer_index_owner(&v->peers, &h->key, &peer_owner) && peer_owner != w->idx) {
		h->kind = HANDOVER_CHANNEL;
		handover_post(w, peer_owner, h, d);
		return;
	}
	if (hello.kind == DTLS_DGRAM_RECORD) {
		struct session_dtls_candidate cand[REBIND_CANDIDATES];
		size_t n = rebind_lookup(w, &h->key, cand);
		if (!n) {
			worker_udp_drop(w, VPN_UDP_UNKNOWN);
			return;
		}
		h->kind = HANDOVER_REBIND;
		for (size_t i = 0; i < n; i++) {
			h->slot = cand[i].slot;
			h->session_id = cand[i].id;
			if ((unsigned)cand[i].owner_worker == w->idx)
				rebind_deliver(w, h, d);
			else
				handover_post(w, (unsigned)cand[i].owner_worker, h, d);
		}
		return;
	}
	if (hello.kind != DTLS_DGRAM_CLIENT_HELLO || !hello.servable ||
	    hello.session_id_len != sizeof(hello.session_id)) {
		drop_garbage(w, have_sa ? &sa : nullptr);
		return;
	}
	if (!session_dtls_lookup(v->sessions, hello.session_id, &owner, &slot)) {
		worker_udp_drop(w, VPN_UDP_UNKNOWN);
		return;
	}
	/* The first datagram of a DTLS session: the rule file's UDP static routes, bans and the
	 * connection counting (rates, points) apply as to a TCP accept. */
	if (have_sa && sentry_check_connect(v->sentry, &sa, SENTRY_PROTO_UDP, ntohs(h->key.port),
					    clock_now_ns()) == SENTRY_REJECT) {
		worker_udp_drop(w, VPN_UDP_BANNED);
		return;
	}
	h->kind = HANDOVER_HELLO;
	h->slot = slot;
	memcpy(h->id, hello.session_id, 32);
	if ((unsigned)owner == w->idx)
		hello_deliver(w, h, d);
	else
		handover_post(w, (unsigned)owner, h, d);
}

/* One datagram from h->peer (h->key) read by, or handed to, this worker; ch: this worker's
 * channel of h->key, if any. */
static void udp_input(struct worker *w, struct dtls_chan *ch, struct handover *h, const uint8_t *d)
{
	if (ch && !is_new_hello(ch, d, h->len))
		dtls_chan_input(ch, d, h->len);
	else
		on_stranger(w, h, d);
}

static void handover_deliver(struct worker *w, struct handover *h, const uint8_t *d)
{
	switch (h->kind) {
	case HANDOVER_HELLO:
		hello_deliver(w, h, d);
		break;
	case HANDOVER_REBIND:
		rebind_deliver(w, h, d);
		break;
	case HANDOVER_CHANNEL: {
		/* Gone meanwhile: dropped, never passed on again. */
		struct dtls_chan *ch = chan_of(w, &h->key);
		if (ch)
			udp_input(w, ch, h, d);
		else
			worker_udp_drop(w, VPN_UDP_UNKNOWN);
		break;
	}
	}
}

/* The kernel's count of datagrams it dropped on this socket (cumulative, 32 bits): what is new
 * since the last one seen goes to the socket-full counter. */
static void count_kernel_drops(struct worker *w, struct msghdr *mh)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		uint32_t total;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SO_RXQ_OVFL ||
		    cm->cmsg_len < CMSG_LEN(sizeof(total)))
			continue;
		memcpy(&total, CMSG_DATA(cm), sizeof(total));
		atomic_fetch_add_explicit(&w->stats.udp_dropped[VPN_UDP_SOCKET_FULL],
					  (uint32_t)(total - w->udp_kernel_drops),
					  memory_order_relaxed);
		w->udp_kernel_drops = total;
	}
}

static void on_udp_readable(struct loop_watch *watch, uint32_t events)
{
	struct worker *w = container_of(watch, struct worker, udp_watch);
	struct udp_rx *rx = w->udp_rx;

	(void)events;
	for (int round = 0; round < UDP_RX_ROUNDS; round++) {
		for (int i = 0; i < UDP_RX_BATCH; i++) {
			rx->msgs[i].msg_hdr.msg_name = &rx->peer[i];
			rx->msgs[i].msg_hdr.msg_namelen = sizeof(rx->peer[i]);
			rx->msgs[i].msg_hdr.msg_control = rx->ctl[i].buf;
			rx->msgs[i].msg_hdr.msg_controllen = sizeof(rx->ctl[i].buf);
		}
		int got = recvmmsg(watch->fd, rx->msgs, UDP_RX_BATCH, MSG_DONTWAIT, nullptr);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			break; /* EAGAIN: empty; anything else is the socket's, retried next event
				*/
		}
		for (int i = 0; i < got; i++) {
			struct mmsghdr *m = &rx->msgs[i];
			struct handover h = {.len = m->msg_len};

			count_kernel_drops(w, &m->msg_hdr);
			if (!m->msg_len || (m->msg_hdr.msg_flags & MSG_TRUNC))
				continue; /* empty, or larger than any record a client may send */
			h.peer_len = m->msg_hdr.msg_namelen;
			memcpy(&h.peer, &rx->peer[i], h.peer_len);
			if (dtls_peer_key_of(&h.peer, h.peer_len, &h.key))
				continue;
			udp_input(w, chan_of(w, &h.key), &h, rx->buf[i]);
		}
		if (got < UDP_RX_BATCH)
			break;
	}
	worker_flush_dirty(w);
}

int udp_port_attach(struct worker *w, int *fd)
{
	int ret = loop_watch_add(w->loop, &w->udp_watch, *fd, EPOLLIN, on_udp_readable);

	if (!ret)
		*fd = -1; /* owned by the worker now */
	return ret;
}
