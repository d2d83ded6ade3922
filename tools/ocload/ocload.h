// SPDX-License-Identifier: GPL-2.0-or-later
/* tools/ocload/ocload.h — internal contract of the load generator: options, per-thread
 * statistics, the pure protocol helpers (proto.c) and the emulated client (client.c). */
#pragma once

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum {
	OCL_MAX_CLIENTS = 20000,
	OCL_MAX_THREADS = 64,
	OCL_MAX_PAYLOAD = 1400, /* inner packet payload bytes (ICMP/UDP) */
	OCL_COOKIE_MAX = 256,
	OCL_HTTP_MAX = 16384, /* one HTTP response (headers + body) */
	OCL_CSTP_RX = 4096,   /* receive buffer once the tunnel is up */
	OCL_APPID_MAX = 32,
	OCL_PSK_LEN = 32,
	OCL_HIST_BUCKETS = 512,
};

/* Failure stages, in protocol order. */
enum ocl_stage : uint8_t {
	STAGE_TCP,
	STAGE_TLS,
	STAGE_AUTH,
	STAGE_CONNECT,
	STAGE_DTLS,
	STAGE_TUNNEL, /* an established tunnel was lost (peer closed, bad frame) */
	STAGE__COUNT,
};

enum ocl_traffic : uint8_t {
	TRAFFIC_ICMP,
	TRAFFIC_UDP,
};

struct ocl_user {
	char *name;
	char *password;
};

/* Immutable after main() parsed the command line; shared read-only by all threads. */
struct ocl_opts {
	struct sockaddr_in server;
	char host[64]; /* for the Host header */
	unsigned clients;
	double rate; /* new sessions per second, all threads together */
	unsigned duration_s;
	unsigned threads;
	bool dtls;
	bool insecure;
	bool storm;
	unsigned storm_at_s;
	unsigned ping_interval_ms; /* 0 = no traffic */
	unsigned payload;
	enum ocl_traffic traffic;
	uint16_t udp_port;
	struct in_addr target; /* 0 = the first host of the assigned network */
	unsigned timeout_s;    /* per stage */
	const char *cafile;
	uint8_t pin[32]; /* sha256 of the server's SubjectPublicKeyInfo */
	bool have_pin;
	struct ocl_user *users;
	size_t n_users;
	bool json;
	bool verbose;
};

/* Latency histogram: log-linear buckets over microseconds (8 sub-buckets per power of two). */
struct ocl_hist {
	uint64_t count;
	uint64_t bucket[OCL_HIST_BUCKETS];
};

/* One loop's counters, in memory shared with main(), which merges them after the loop
 * processes exited (no sharing while running). */
struct ocl_stats {
	uint64_t started, handshakes, dtls_up, established_max, alive_end;
	uint64_t failed[STAGE__COUNT];
	uint64_t storm_dropped, storm_reconnected, storm_addr_changed;
	uint64_t pings_sent, pings_answered, pings_late;
	uint64_t tx_packets, tx_bytes, rx_packets, rx_bytes;
	uint64_t dpd_answered;
	uint64_t first_start_ns;
	/* When each of the `handshakes` full handshakes finished (a client counts once): room for
	 * every client, owned by main(); the rates are taken from these. */
	uint64_t *done_ns;
	struct ocl_hist handshake_us;
	struct ocl_hist ping_us;
};

/* ---- proto.c: pure functions over bytes (fuzzed) ---- */

struct ocl_http_resp {
	unsigned status;
	size_t hdr_len;	 /* bytes up to and including the blank line */
	size_t body_len; /* Content-Length (0 when absent) */
	const char *hdr; /* borrowed: the header block */
};

/* Parses one HTTP/1.1 response head in buf. Returns the total length (head + body) when
 * complete, -EAGAIN when more bytes are needed, -EBADMSG on malformed input or chunked
 * encoding, -E2BIG when it cannot fit in max bytes. */
[[nodiscard]] ssize_t ocl_http_parse(const char *buf, size_t len, size_t max,
				     struct ocl_http_resp *r);

/* Copies the value of the n-th (0-based) header called name (case-insensitive) into out as a
 * NUL-terminated string. 0, -ENOENT, or -E2BIG when it does not fit. */
[[nodiscard]] int ocl_http_header(const struct ocl_http_resp *r, const char *name, unsigned n,
				  char *out, size_t out_len);

/* Finds cookie `name` among the Set-Cookie headers; copies its value (up to ';'). An empty
 * value counts as absent. 0, -ENOENT, -E2BIG. */
[[nodiscard]] int ocl_http_cookie(const struct ocl_http_resp *r, const char *name, char *out,
				  size_t out_len);

/* Text between <tag ...> and </tag> in xml (first occurrence), borrowed. With whole, the span
 * includes the tags themselves. 0 or -ENOENT. */
[[nodiscard]] int ocl_xml_element(const char *xml, size_t len, const char *tag, bool whole,
				  const char **out, size_t *out_len);

/* Value of attribute attr of the first <tag ...> start tag. 0, -ENOENT, -E2BIG. */
[[nodiscard]] int ocl_xml_attr(const char *xml, size_t len, const char *tag, const char *attr,
			       char *out, size_t out_len);

/* Hex string (even length, at most max bytes) to bytes. Returns the byte count or -EINVAL. */
[[nodiscard]] ssize_t ocl_hex_decode(const char *hex, uint8_t *out, size_t max);

/* Builds an IPv4 ICMP echo request (or UDP datagram to port) of payload bytes into out
 * (>= 28 + payload). The first 8 payload bytes carry stamp_ns. Returns the packet length. */
size_t ocl_pkt_build(uint8_t *out, enum ocl_traffic t, struct in_addr src, struct in_addr dst,
		     uint16_t port, uint16_t ident, uint16_t seq, uint64_t stamp_ns,
		     size_t payload);

/* An ICMP echo reply for (me, ident)? On success *seq and *stamp_ns come from the reply.
 * 0, or -EINVAL for anything else. */
[[nodiscard]] int ocl_pkt_echo_reply(const uint8_t *pkt, size_t len, struct in_addr me,
				     uint16_t ident, uint16_t *seq, uint64_t *stamp_ns);

uint16_t ocl_inet_csum(const uint8_t *p, size_t len);

/* ---- stats.c ---- */
void ocl_hist_add(struct ocl_hist *h, uint64_t us);
/* Value (µs) below which q (0..1) of the samples lie; 0 with no samples. */
uint64_t ocl_hist_quantile(const struct ocl_hist *h, double q);
void ocl_stats_merge(struct ocl_stats *into, const struct ocl_stats *from);
void ocl_stats_print(const struct ocl_stats *s, const struct ocl_opts *o, double elapsed_s,
		     bool json);

/* ---- client.c: one thread's emulated clients ---- */
struct ocl_thread;

/* Runs clients idx = first, first + step, … < o->clients on the calling thread until the
 * duration is over; fills *st. t0_ns is the shared start time. Returns 0 or -errno. */
[[nodiscard]] int ocl_thread_run(const struct ocl_opts *o, unsigned first, unsigned step,
				 uint64_t t0_ns, struct ocl_stats *st);
