// SPDX-License-Identifier: GPL-2.0-or-later
/* net/udp_tx.c — datagrams to one destination (a socket and, for an unconnected one, a peer
 * address) gathered during a worker round and sent with one sendmsg(2) as a UDP GSO
 * super-datagram (UDP_SEGMENT): the kernel walks the stack once and splits at the device,
 * instead of one system call and one route/skb per datagram. GSO needs every datagram but the
 * last to have the same size, the last no larger; a datagram that breaks the pattern, another
 * destination or a full buffer sends what is gathered first. */
#include "net/net.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103 /* linux/udp.h, since 4.18 */
#endif

enum {
	UDP_TX_BUF = 65000,   /* under the 64 KiB IP limit with headers */
	UDP_TX_MAX_SEGS = 64, /* the kernel's UDP_MAX_SEGMENTS before 6.x raised it */
};

struct udp_tx {
	udp_tx_armed_fn *armed;
	void *ctx;
	int fd;			      /* the socket of what is gathered; -1 = empty */
	struct sockaddr_storage peer; /* where to, on an unconnected socket (peer_len 0: none) */
	socklen_t peer_len;
	int *err; /* where a failed send of the batch is reported (its sender's) */
	size_t seg, len;
	unsigned n;
	bool closed; /* the last datagram was shorter than seg: nothing may follow */
	bool no_gso; /* the kernel refused UDP_SEGMENT (EIO): one send per datagram */
	uint8_t buf[UDP_TX_BUF];
};

int udp_tx_new(udp_tx_armed_fn *armed, void *ctx, struct udp_tx **out)
{
	struct udp_tx *t = malloc(sizeof(*t));

	*out = nullptr;
	if (!t)
		return -ENOMEM;
	*t = (struct udp_tx){.armed = armed, .ctx = ctx, .fd = -1};
	*out = t;
	return 0;
}

void udp_tx_free(struct udp_tx *t)
{
	free(t); /* what is pending is dropped: its sockets and senders may be gone */
}

/* Lost datagrams are what UDP allows: only errors the sender must act on are reported. */
static void udp_tx_report(struct udp_tx *t, int err)
{
	if (!sock_udp_send_lost(err) && t->err)
		*t->err = err;
}

static void udp_tx_send_each(struct udp_tx *t)
{
	for (size_t off = 0; off < t->len; off += t->seg) {
		size_t len = t->len - off < t->seg ? t->len - off : t->seg;

		if (sendto(t->fd, t->buf + off, len, MSG_NOSIGNAL,
			   t->peer_len ? (const struct sockaddr *)&t->peer : nullptr,
			   t->peer_len) < 0)
			udp_tx_report(t, errno);
	}
}

static void udp_tx_send_gso(struct udp_tx *t)
{
	union {
		char buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} ctl = {};
	struct iovec iov = {.iov_base = t->buf, .iov_len = t->len};
	struct msghdr msg = {
		.msg_name = t->peer_len ? &t->peer : nullptr,
		.msg_namelen = t->peer_len,
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	struct cmsghdr *cm;
	uint16_t seg = (uint16_t)t->seg;

	msg.msg_control = ctl.buf;
	msg.msg_controllen = sizeof(ctl.buf);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_UDP;
	cm->cmsg_type = UDP_SEGMENT;
	cm->cmsg_len = CMSG_LEN(sizeof(seg));
	memcpy(CMSG_DATA(cm), &seg, sizeof(seg));
	if (sendmsg(t->fd, &msg, MSG_NOSIGNAL) >= 0)
		return;
	switch (errno) {
	case EIO: /* no checksum offload on the way out: GSO cannot work here */
		t->no_gso = true;
		udp_tx_send_each(t);
		break;
	case EINVAL: /* a segment larger than the route's MTU: each one meets EMSGSIZE alone */
	case EMSGSIZE:
		udp_tx_send_each(t);
		break;
	default:
		udp_tx_report(t, errno);
	}
}

void udp_tx_flush(struct udp_tx *t)
{
	if (t->fd < 0)
		return;
	if (t->n == 1 || t->no_gso)
		udp_tx_send_each(t);
	else
		udp_tx_send_gso(t);
	t->fd = -1;
	t->err = nullptr;
	t->len = t->seg = 0;
	t->n = 0;
	t->closed = false;
}

void udp_tx_forget(struct udp_tx *t, const int *err)
{
	if (t && t->fd >= 0 && t->err == err)
		udp_tx_flush(t);
}

static bool same_dest(const struct udp_tx *t, int fd, const struct sockaddr *peer,
		      socklen_t peer_len)
{
	return t->fd == fd && t->peer_len == peer_len &&
	       (!peer_len || !memcmp(&t->peer, peer, peer_len));
}

void udp_tx_add(struct udp_tx *t, int fd, const struct sockaddr *peer, socklen_t peer_len, int *err,
		const void *dgram, size_t len)
{
	if (len == 0 || len > UDP_TX_BUF || peer_len > sizeof(t->peer))
		return;
	if (t->fd >= 0 && (!same_dest(t, fd, peer, peer_len) || t->closed || len > t->seg ||
			   t->len + len > UDP_TX_BUF || t->n == UDP_TX_MAX_SEGS))
		udp_tx_flush(t);
	if (t->fd < 0) {
		t->fd = fd;
		t->peer_len = peer_len;
		if (peer_len)
			memcpy(&t->peer, peer, peer_len);
		t->err = err;
		t->seg = len;
		if (t->armed)
			t->armed(t->ctx);
	}
	memcpy(t->buf + t->len, dgram, len);
	t->len += len;
	t->n++;
	t->closed = len < t->seg;
}
