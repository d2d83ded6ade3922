// SPDX-License-Identifier: GPL-2.0-or-later
/* tunnel/conn.h — one client TCP/TLS connection: TLS handshake, HTTP requests and the
 * aggregate-auth exchange, then (after CONNECT) the CSTP tunnel. Owned by one worker; every
 * function runs on that worker's thread. */
#pragma once

#include <netinet/in.h>
#include <stdint.h>

#include "auth/auth.h"
#include "sentry/sentry.h"
#include "core/buf.h"
#include "core/list.h"
#include "core/loop.h"
#include "http/http.h"
#include "tunnel/dtls_channel.h"
#include "tunnel/session.h"

struct worker;
struct tls_conn;

/* An auth request and the connection waiting for it. */
struct conn_auth {
	struct auth_request req;
	struct conn *c;
	const struct config *cfg;     /* the connection's (it outlives the request) */
	struct session_config *sconf; /* per-user/per-group settings, nullptr = none */
	char group_select[128];	      /* the group the user picked in the form ("" = none) */
	uint64_t started_ns;	      /* submitted to the auth pool (loop clock) */
};

enum conn_state : uint8_t {
	CONN_TLS_HANDSHAKE,
	CONN_HTTP,
	CONN_AUTH_WAIT,
	CONN_TUNNEL,
	CONN_CLOSING,
	CONN__COUNT,
};

struct conn {
	struct worker *w;
	const struct config
		*cfg; /* a reference: the server's at accept, the session's once attached */
	struct list_node node;	     /* w->conns */
	struct list_node dirty_node; /* w->dirty: gathered TLS records to send this round */
	bool dirty;
	int fd;
	struct loop_watch watch;
	struct timer timer;
	struct loop_call free_call;
	struct loop_call reread_call;
	bool reread_queued;
	struct tls_conn *tls;
	enum conn_state state;
	char peer[INET6_ADDRSTRLEN + 8]; /* "ip:port", for logs */
	char peer_ip[INET6_ADDRSTRLEN];
	bool peer_v6;
	uint16_t peer_port;
	struct sentry_addr peer_addr; /* for the intrusion-prevention events */
	uint64_t accepted_ns;
	uint64_t last_rx_ns;
	uint64_t req_start_ns; /* first byte of the request now in c->in */

	struct buf in;	/* decrypted bytes not yet parsed */
	struct buf out; /* bytes waiting for TLS: out_raw HTTP bytes, then whole CSTP frames */
	size_t out_raw;
	struct http_parser http; /* how far the request at the head of in was scanned */
	unsigned requests;
	unsigned auth_failures;
	struct conn_auth *auth; /* in flight; the connection is freed only after it returns */
	bool free_after_auth;

	/* Tunnel */
	struct session *session;
	uint64_t gen;
	uint32_t slot;
	unsigned data_mtu;
	bool mobile;
	uint64_t last_data_ns;
	uint64_t dpd_sent_ns; /* 0 = none outstanding */
	uint64_t rekey_ns;    /* next TLS 1.3 KeyUpdate (rekey-method ssl); 0 = none */
	struct dtls_state dtls;
	/* A CONNECT whose reply waits for the connect-script. */
	struct connect_pending {
		struct buf head; /* the rendered "200 CONNECTED" reply */
		int prev_worker;
		unsigned data_mtu;
		bool has_v4, has_v6;
		char hostname[64];
		char user_agent[128];
		char device_type[64];	  /* X-AnyConnect-Identifier-DeviceType */
		char device_platform[64]; /* X-AnyConnect-Identifier-Platform */
	} pend;
	/* rx-/tx-data-per-sec (per-user config): token buckets in bytes */
	struct rate_bucket {
		uint64_t rate; /* bytes/s, 0 = unlimited */
		uint64_t tokens;
		uint64_t last_ns;
	} rx_limit, tx_limit;
};

/* Take a freshly accepted socket (ownership of fd moves to the connection). */
void conn_accept(struct worker *w, int fd, const struct sockaddr_storage *peer);
/* Close with a logged reason; the memory is freed after the current event batch. */
void conn_close(struct conn *c, const char *reason);
/* Queue one inner packet to the client as a CSTP DATA frame (dropped when the queue is full). */
void conn_send_packet(struct conn *c, const uint8_t *pkt, size_t len);
/* Server-side end of a tunnel: a DISCONNECT/TERMINATE frame is sent, then the connection closed. */
void conn_kick(struct conn *c, const char *reason);

/* Folder-internal seams between conn.c (I/O, tunnel) and conn_http.c (requests, auth). */
enum { CONN_OUT_MAX = 128 * 1024, CONN_IN_MAX = 64 * 1024 };
void conn__set_state(struct conn *c, enum conn_state next);
/* Parse and answer the HTTP requests buffered in c->in (state CONN_HTTP). */
void conn__http_process(struct conn *c);
/* Queue raw HTTP bytes; -E2BIG when the output queue is full. */
[[nodiscard]] int conn__queue_raw(struct conn *c, const void *data, size_t len);
/* Write what is queued; closes the connection on a fatal error. */
void conn__flush(struct conn *c);
/* The same for a batch of downlink packets: the send(2) happens in worker_flush_dirty(). */
void conn__flush_batched(struct conn *c);
/* Enter the tunnel (after the CONNECT reply is queued). */
void conn__tunnel_start(struct conn *c);
void conn__deadline_arm(struct conn *c);
extern const char *const conn_state_name[CONN__COUNT];
/* The auth pool answered: frees a connection that closed meanwhile (returns true then). */
bool conn__auth_returned(struct conn *c);
/* A DATA packet from the client (over TLS or DTLS): checks, counters, TUN write. */
/* 400 + close for a request that arrived before the previous answer (conn_http.c). */
void conn__http_refuse_pipelined(struct conn *c);
/* rekey-method = ssl, rekey-time > 0 and TLS 1.3: the server rekeys in place (§6.6). */
bool conn__rekey_is_in_place(const struct conn *c);
void conn__tunnel_data(struct conn *c, const uint8_t *pkt, size_t len, bool over_dtls);
/* Finish a CONNECT whose reply is in c->pend: queue it, take the slot, start the tunnel. */
void conn__connect_finish(struct conn *c);
/* Answer the pending CONNECT with 401 (why in X-Reason), invalidate the cookie and close. */
void conn__connect_refuse(struct conn *c, const char *why);
/* Close and invalidate the session's cookie (a refused login). */
void conn__close_invalidate(struct conn *c, const char *reason);
/* conn_script.c: run the connect-script for c (reply waits in c->pend); false = no script. */
bool conn__connect_script_start(struct conn *c);
/* conn_script.c: the tunnel of s went away: run the disconnect-script (fire and forget). */
void conn__disconnect_script(struct conn *c);
/* conn_script.c: the tunnel is up and the client told its hostname: run the host-update-script
 * (fire and forget), as ocserv does once per connection. */
void conn__host_update_script(struct conn *c);
/* Our address the client connected to (getsockname), as text; "" when unknown. */
void conn__local_ip(const struct conn *c, char *buf, size_t len);
/* Set the bandwidth limits from the session's configuration. */
void conn__limits_init(struct conn *c);
/* Report an event about the peer to sentry; true when the peer is now banned (close it). */
bool conn__sentry(struct conn *c, enum sentry_event ev);
/* The client sent DISCONNECT with this reason byte (0 = none). */
void conn__tunnel_disconnect(struct conn *c, uint8_t reason);
[[gnu::format(printf, 3, 4)]] void conn_log(const struct conn *c, int level, const char *fmt, ...);
