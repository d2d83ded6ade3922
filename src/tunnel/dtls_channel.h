// SPDX-License-Identifier: GPL-2.0-or-later
/* tunnel/dtls_channel.h — the DTLS side of a tunnel (reference §5): a DTLS session per client
 * address+port on the worker's shared UDP socket, the handshake started by a ClientHello the
 * demultiplexer (udp_port.c) handed over, packets and DPD over DTLS, and the choice between
 * DTLS and TLS for each downlink packet (fallback, §5.8). Runs on the connection's worker. */
#pragma once

#include <stdint.h>
#include <sys/socket.h>

#include "core/loop.h"
#include "tunnel/cstp.h"
#include "tunnel/dtls_hello.h"
#include "tunnel/dtls_peers.h"

struct conn;
struct dtls_conn;

enum dtls_mode : uint8_t { DTLS_MODE_NONE, DTLS_MODE_PSK, DTLS_MODE_LEGACY };

struct dtls_chan {
	struct conn *c;
	struct dtls_peer_node local;   /* in the worker's peer table */
	struct dtls_peer_entry global; /* in the vpn's peer index */
	struct loop_call free_call;
	struct timer timer; /* handshake retransmission */
	struct dtls_conn *dtls;
	uint64_t deadline_ns; /* the handshake must complete by then (DTLS_HANDSHAKE_DEADLINE_S) */
	bool established;
};

/* A pending handshake is dropped this long after its ClientHello, whatever wolfSSL's
 * retransmission timer says (a wrong key never fails in DTLS, it just never completes). */
enum { DTLS_HANDSHAKE_DEADLINE_S = 10 };

/* Per-connection DTLS state, embedded in struct conn. */
struct dtls_state {
	enum dtls_mode mode;
	uint8_t key[48];	    /* secret: PSK (32 bytes) or legacy master secret (48) */
	uint16_t legacy_suite;	    /* IANA id of the legacy suite */
	unsigned mtu;		    /* data MTU of a DTLS record (dtls-mtu caps the tunnel's) */
	const char *psk_suite;	    /* match-tls-dtls-ciphers: the one PSK suite allowed */
	bool fell_back;		    /* TLS carries the downlink because DTLS went quiet */
	struct dtls_chan *active;   /* established, carries packets */
	struct dtls_chan *pending;  /* a newer handshake; replaces active once it completes */
	bool use_dtls;		    /* downlink goes over DTLS (else TLS: fallback) */
	uint64_t last_rx_ns;	    /* last valid DTLS record */
	uint64_t last_cstp_data_ns; /* last DATA over CSTP: the client chose TLS */
	uint64_t dpd_sent_ns;
	uint64_t rebind_ns;		/* last handover of the UDP endpoint (rate limit) */
	bool roam_logged;		/* deny-roaming refusal logged once per connection */
	struct dtls_hello_limit hellos; /* ClientHellos taken from the shared port (rate limit) */
	bool hello_limit_logged;
};

/* A ClientHello for this connection's session arrived from peer (key: its table key; possibly
 * on another worker): a new channel for peer, its handshake started. */
void dtls_chan_on_hello(struct conn *c, const uint8_t *dgram, size_t len,
			const struct sockaddr_storage *peer, socklen_t peer_len,
			const struct dtls_peer_key *key);
/* A datagram from ch's client address+port (found in the worker's peer table). */
void dtls_chan_input(struct dtls_chan *ch, const uint8_t *dgram, size_t len);
/* NAT rebinding: a DTLS record for this connection's session came from a new port of the same
 * client address. Moves the live channel there (at most once per DTLS_REBIND_MIN_S) and feeds it
 * the record. */
enum { DTLS_REBIND_MIN_S = 3 };
void dtls_chan_on_rebind(struct conn *c, const uint8_t *dgram, size_t len,
			 const struct sockaddr_storage *peer, socklen_t peer_len,
			 const struct dtls_peer_key *key);
/* Send one frame over DTLS if the channel is up and preferred; false = send it over TLS. */
bool dtls_chan_send(struct conn *c, enum cstp_type type, const uint8_t *payload, size_t len);
/* The client sent DATA over CSTP: it considers DTLS down (§5.8 (a)). */
void dtls_chan_on_cstp_data(struct conn *c);
/* Timer work: DTLS DPD and switch-to-tcp. Returns the next DTLS deadline (0 = none). */
uint64_t dtls_chan_on_timer(struct conn *c, uint64_t now);
uint64_t dtls_chan_deadline(const struct conn *c);
/* Close every DTLS channel of the connection and wipe the keys. */
void dtls_chan_close_all(struct conn *c);
const char *dtls_chan_cipher(const struct conn *c); /* nullptr when DTLS is not up */
