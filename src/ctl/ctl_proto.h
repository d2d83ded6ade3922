// SPDX-License-Identifier: GPL-2.0-or-later
/* ctl/ctl_proto.h — the control socket wire: newline-delimited JSON requests and responses,
 * command names and JSON keys. Shared by ctl_server.c and tools/occtl; includes nothing. */
#pragma once

/*
 * Request:  {"cmd":"show user","arg":"alice"}\n      ("arg" and "seconds" optional)
 * Response: {"ok":true,"data":...}\n  or  {"ok":false,"error":"..."}\n
 * Event:    {"event":{"connected":true,"reason":"...","user":{...}}}\n   (after "show events")
 * One response per request, in order. A request line over CTL_MAX_REQUEST bytes or one that is
 * not a JSON object gets an error response and the connection is closed.
 */

#define CTL_DEFAULT_SOCKET "/run/ocserv-modern.socket"

enum {
	CTL_MAX_REQUEST = 64 * 1024, /* bytes of one request line, newline excluded */
	CTL_MAX_ARG = 256,	     /* bytes of "arg" */
};

/* Commands ("cmd"). */
#define CTL_CMD_STATUS		  "show status"
#define CTL_CMD_SHOW_USERS	  "show users"
#define CTL_CMD_SHOW_USER	  "show user"	  /* arg: username */
#define CTL_CMD_SHOW_ID		  "show id"	  /* arg: decimal id */
#define CTL_CMD_SHOW_SESSIONS	  "show sessions" /* arg: "all" or "valid" */
#define CTL_CMD_SHOW_SESSION	  "show session"  /* arg: session id prefix */
#define CTL_CMD_SHOW_IROUTES	  "show iroutes"
#define CTL_CMD_SHOW_BANS	  "show ip bans"
#define CTL_CMD_SHOW_BAN_POINTS	  "show ip ban points"
#define CTL_CMD_SHOW_EVENTS	  "show events" /* answers the user list, then pushes events */
#define CTL_CMD_DISCONNECT_USER	  "disconnect user"
#define CTL_CMD_DISCONNECT_ID	  "disconnect id"
#define CTL_CMD_TERMINATE_USER	  "terminate user"
#define CTL_CMD_TERMINATE_ID	  "terminate id"
#define CTL_CMD_TERMINATE_SESSION "terminate session"
#define CTL_CMD_BAN_IP		  "ban ip"   /* arg: address; "seconds" optional */
#define CTL_CMD_UNBAN_IP	  "unban ip" /* arg: address */
#define CTL_CMD_RELOAD		  "reload"
#define CTL_CMD_STOP		  "stop now"

/* Envelope keys. */
#define CTL_K_CMD	"cmd"
#define CTL_K_ARG	"arg"
#define CTL_K_SECONDS	"seconds"
#define CTL_K_OK	"ok"
#define CTL_K_DATA	"data"
#define CTL_K_ERROR	"error"
#define CTL_K_EVENT	"event"
#define CTL_K_CONNECTED "connected"
#define CTL_K_REASON	"reason"
#define CTL_K_USER	"user"
#define CTL_K_COUNT	"count"

/* User objects ("show users", "show user", "show id", events). Times are Unix seconds. */
#define CTL_K_ID	   "id"
#define CTL_K_USERNAME	   "username"
#define CTL_K_GROUPNAME	   "groupname"
#define CTL_K_STATE	   "state"
#define CTL_K_VHOST	   "vhost"
#define CTL_K_DEVICE	   "device"
#define CTL_K_MTU	   "mtu"
#define CTL_K_REMOTE_IP	   "remote_ip"
#define CTL_K_LOCAL_DEV_IP "local_dev_ip"
#define CTL_K_IPV4	   "ipv4"
#define CTL_K_PTP_IPV4	   "ptp_ipv4"
#define CTL_K_IPV6	   "ipv6"
#define CTL_K_PTP_IPV6	   "ptp_ipv6"
#define CTL_K_USER_AGENT   "user_agent"
#define CTL_K_HOSTNAME	   "hostname"
#define CTL_K_RX	   "rx_bytes"
#define CTL_K_TX	   "tx_bytes"
#define CTL_K_DPD	   "dpd_s"
#define CTL_K_KEEPALIVE	   "keepalive_s"
#define CTL_K_CONNECTED_AT "connected_at"
#define CTL_K_SESSION	   "session"
#define CTL_K_FULL_SESSION "full_session"
#define CTL_K_TLS_CIPHER   "tls_cipher"
#define CTL_K_DTLS_CIPHER  "dtls_cipher"
#define CTL_K_DNS	   "dns"
#define CTL_K_NBNS	   "nbns"
#define CTL_K_DOMAINS	   "split_dns_domains"
#define CTL_K_ROUTES	   "routes"
#define CTL_K_NO_ROUTES	   "no_routes"
#define CTL_K_IROUTES	   "iroutes"
#define CTL_K_RESTRICT	   "restrict_to_routes"
#define CTL_K_FW_PORTS	   "fw_ports"
#define CTL_K_RX_LIMIT	   "rx_per_sec" /* bytes/s, 0 = unlimited */
#define CTL_K_TX_LIMIT	   "tx_per_sec"

/* Session objects ("show sessions", "show session"). */
#define CTL_K_CREATED	"created"
#define CTL_K_EXPIRES	"expires"
#define CTL_K_IN_USE	"in_use"
#define CTL_K_ACTIVATED "activated"
#define CTL_K_CERT_AUTH "tls_auth_ok"
#define CTL_K_VALID	"valid"

/* Ban objects ("show ip bans", "show ip ban points"); expires 0 = not banned, points only. */
#define CTL_K_IP    "ip"
#define CTL_K_SCORE "score"

/* Status object ("show status"). */
#define CTL_K_PID		  "pid"
#define CTL_K_SECMOD_PID	  "secmod_pid"
#define CTL_K_SECMOD_COUNT	  "secmod_instances"
#define CTL_K_UP_SINCE		  "up_since"
#define CTL_K_ACTIVE_SESSIONS	  "active_sessions"
#define CTL_K_TOTAL_SESSIONS	  "total_sessions"
#define CTL_K_TOTAL_AUTH_FAILURES "total_auth_failures"
#define CTL_K_BANNED_IPS	  "banned_ips"
#define CTL_K_LAST_RESET	  "last_reset"
#define CTL_K_SESSIONS_HANDLED	  "sessions_handled"
#define CTL_K_TIMED_OUT		  "timed_out_sessions"
#define CTL_K_IDLE_TIMED_OUT	  "idle_timed_out_sessions"
#define CTL_K_ERROR_SESSIONS	  "error_sessions"
#define CTL_K_AUTH_FAILURES	  "auth_failures"
#define CTL_K_AVG_AUTH_S	  "avg_auth_time_s"
#define CTL_K_MAX_AUTH_S	  "max_auth_time_s"
#define CTL_K_AVG_SESSION_S	  "avg_session_time_s"
#define CTL_K_MAX_SESSION_S	  "max_session_time_s"
#define CTL_K_MIN_MTU		  "min_mtu"
#define CTL_K_MAX_MTU		  "max_mtu"
