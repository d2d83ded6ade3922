#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Sentry ban scores with XDP: wrong passwords from 198.18.3.2 ban it (occtl show ip bans);
# then its TCP SYNs and UDP datagrams are dropped by xdp_guard (dropped_banned grows, the
# server log shows no new connection); after min-reauth-time it logs in again. A second client
# (198.18.3.6 via the spare link) is unaffected throughout; occtl ban/unban ip act at once.
# IPv6: connection points ban 2001:db8:3::2, whose SYNs XDP then drops and counts.
# Both client addresses are one routed hop away: the server's own subnets are exempt.
# Usage: 50-sentry-ban.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
# shellcheck source=lib/ops.sh
. "$OCM_LIB_DIR/ops.sh"

BAN_S=15
A=198.18.3.2 # client via v0 (banned)
B=198.18.3.6 # client via v1, talks to the server's 198.18.0.5 (never banned by the scores)
A6=2001:db8:3::2 # IPv6 client via v0, talks to the server's 2001:db8::1

ops_init bpftool
ocm_setup_net
ocm_routed_source "$A" v0
ocm_routed_source "$B" v1
ocm_routed_source "$A6" v0
ocm_make_certs
ocm_add_user alice 'Ban-Pass-1'
ocm_add_user bob 'Ban-Pass-2'
ops_write_config "udp-port = $OCM_PORT" "enable-ebpf = true" "max-ban-score = 30" \
	"ban-points-wrong-password = 10" "ban-points-connection = 1" "ban-reset-time = 600" \
	"min-reauth-time = $BAN_S" "metrics-listen = 127.0.0.1:9812"
ocm_start_server
ocm_wait 10 "metrics listener" ocm_in srv ss -Htln "sport = :9812" ||
	ocm_fail "expected the metrics listener on 127.0.0.1:9812"
xdp_metric() { ops_metric ocserv_modern_xdp_packets_total verdict="$1"; }
[ "$(ops_metric ocserv_modern_ebpf_active)" = 1 ] && [ "$(ops_metric ocserv_modern_xdp_interfaces)" -ge 1 ] ||
	ocm_fail "enable-ebpf = true: expected ocserv_modern_ebpf_active 1 and xdp_interfaces >= 1, got $(ops_metric ocserv_modern_ebpf_active) / $(ops_metric ocserv_modern_xdp_interfaces)"
[ -n "$(ops_xdp_prog v0)" ] ||
	ocm_fail "expected an XDP program on the server's v0 (enable-ebpf = true), bpftool net show: $(ocm_in srv bpftool net show)"

ocm_connect c2 bob 'Ban-Pass-2' "https://$OCM_SRV_IP_ALT:$OCM_PORT"
[ "$(ops_user_field bob 'Remote IP')" = "$B" ] ||
	ocm_fail "expected bob's Remote IP $B, got '$(ops_user_field bob 'Remote IP')'"

# b_unaffected WHAT: the second client's tunnel and a fresh connection from B still work.
b_unaffected()
{
	local v
	ocm_in cli ping -c2 -i 0.2 -W2 -q "$OCM_LAN_IP" >/dev/null ||
		ocm_fail "$1: expected bob's tunnel (from $B) to pass pings, it does not"
	v=$(ops_tcp_probe cli "$OCM_SRV_IP_ALT" 1 "$B")
	[ "$v" = ok ] || ocm_fail "$1: expected a new connection from $B to be accepted, got '$v'"
	ops_not_banned "$B" || ocm_fail "$1: expected $B not banned, show ip bans: $(ops_bans | xargs)"
	ocm_ok "$1: $B unaffected"
}
b_unaffected "before"

# --- wrong passwords until the ban (score 30: 3 x 10 + connection points) ---
banned_after=0
for i in 1 2 3 4 5; do
	ocm_start_client bad$i alice 'Wrong-Pass-9'
	ocm_wait 40 "openconnect bad$i to exit" ocm_client_exited "bad$i" ||
		ocm_fail "bad$i: expected openconnect to give up within 40 s"
	if ops_is_banned "$A"; then
		banned_after=$i
		break
	fi
	ocm_log "after $i wrong password(s): $(ops_occtl show ip ban points | grep -F "$A")"
done
[[ $banned_after -ge 2 && $banned_after -le 3 ]] ||
	ocm_fail "expected $A banned after 2-3 wrong passwords (max-ban-score 30, 10 points each), got after ${banned_after} (0 = never): $(ops_occtl show ip ban points)"
grep -q "sentry: banned $A" "$OCM_WORK/server.log" ||
	ocm_fail "expected 'sentry: banned $A' in the server log"
ocm_ok "$A banned after $banned_after wrong passwords: $(ops_occtl show ip bans | grep -F "$A")"
t_ban=$SECONDS

# --- XDP drops the banned source's SYNs and datagrams ---
d0=$(ops_xdp_counter v0 1) || ocm_fail "cannot read xdp_guard's counters on v0"
m0=$(xdp_metric dropped_banned) || ocm_fail "no ocserv_modern_xdp_packets_total{verdict=\"dropped_banned\"}"
p0=$(xdp_metric passed)
conns0=$(ops_server_conns "$A")
v=$(ops_tcp_probe cli "$OCM_SRV_IP" 3 "$A" 1 | sort | uniq -c | xargs)
[ "$v" = "3 timeout" ] ||
	ocm_fail "banned $A: expected its 3 TCP connects to time out (SYN dropped by XDP), got: $v"
ops_udp_send cli "$OCM_SRV_IP" "$OCM_PORT" 20 "$A"
sleep 0.5
d1=$(ops_xdp_counter v0 1)
[ $((d1 - d0)) -ge 23 ] ||
	ocm_fail "xdp_guard dropped_banned on v0: expected to grow by >= 23 (3 SYNs + 20 datagrams), got $d0 -> $d1"
m1=$(xdp_metric dropped_banned)
[ $((m1 - m0)) -eq $((d1 - d0)) ] ||
	ocm_fail "ocserv_modern_xdp_packets_total{verdict=\"dropped_banned\"}: expected to grow as xdp_guard's own counter ($d0 -> $d1), got $m0 -> $m1"
ocm_ok "metric xdp_packets_total{verdict=\"dropped_banned\"} $m0 -> $m1 matches the map"
conns1=$(ops_server_conns "$A")
[ "$conns1" = "$conns0" ] ||
	ocm_fail "banned $A: expected no new connection in the server log, got $conns0 -> $conns1"
ocm_ok "banned $A: SYNs and UDP dropped by XDP (dropped_banned $d0 -> $d1), server saw nothing"
b_unaffected "while $A is banned"
p1=$(xdp_metric passed)
[ "$p1" -gt "$p0" ] || ocm_fail "ocserv_modern_xdp_packets_total{verdict=\"passed\"}: expected to grow with $B's traffic, got $p0 -> $p1"
[ $((SECONDS - t_ban)) -lt "$BAN_S" ] ||
	ocm_fail "the checks took $((SECONDS - t_ban)) s, longer than the ban ($BAN_S s): test too slow"

# --- the ban expires ---
ocm_wait $((BAN_S + 10)) "ban of $A to expire" ops_not_banned "$A" ||
	ocm_fail "expected the ban of $A to expire within $((BAN_S + 10)) s, show ip bans: $(ops_bans | xargs)"
ocm_ok "ban of $A expired after ~$((SECONDS - t_ban)) s (min-reauth-time $BAN_S)"
ocm_connect c1 alice 'Ban-Pass-1'
ocm_ok "$A logs in again after the ban"
b_unaffected "after the ban"

# --- operator bans act at once ---
msg=$(ops_occtl ban ip "$B" 60 2>&1) || ocm_fail "occtl ban ip $B: $msg"
ops_is_banned "$B" || ocm_fail "after occtl ban ip $B: expected it in show ip bans, got: $(ops_bans | xargs)"
v=$(ops_tcp_probe cli "$OCM_SRV_IP_ALT" 2 "$B" 1 | sort | uniq -c | xargs)
[ "$v" = "2 timeout" ] || ocm_fail "after occtl ban ip $B: expected its connects to time out, got: $v"
v=$(ops_tcp_probe cli "$OCM_SRV_IP" 1 "$A")
[ "$v" = ok ] || ocm_fail "while $B is banned: expected $A to be accepted, got '$v'"
ocm_ok "occtl ban ip $B: refused at once, $A unaffected"
msg=$(ops_occtl unban ip "$B" 2>&1) || ocm_fail "occtl unban ip $B: $msg"
ops_not_banned "$B" || ocm_fail "after occtl unban ip $B: expected it gone from show ip bans"
v=$(ops_tcp_probe cli "$OCM_SRV_IP_ALT" 1 "$B")
[ "$v" = ok ] || ocm_fail "after occtl unban ip $B: expected a new connection to be accepted, got '$v'"
ocm_ok "occtl unban ip $B: accepted again at once"
# --- IPv6: connection points (1 + 1 for the missing handshake each) ban A6; XDP drops it ---
v=$(ops_tcp_probe cli 2001:db8::1 20 "$A6" 0.3 | sort | uniq -c | xargs)
ops_is_banned "$A6" ||
	ocm_fail "expected $A6 banned after 20 connections (max-ban-score 30), probes: $v; points: $(ops_occtl show ip ban points)"
d0=$(ops_xdp_counter v0 1)
m0=$(xdp_metric dropped_banned)
v=$(ops_tcp_probe cli 2001:db8::1 3 "$A6" 1 | sort | uniq -c | xargs)
[ "$v" = "3 timeout" ] || ocm_fail "banned $A6: expected its 3 TCP connects to time out (SYN dropped by XDP), got: $v"
d1=$(ops_xdp_counter v0 1)
m1=$(xdp_metric dropped_banned)
[ $((d1 - d0)) -ge 3 ] && [ $((m1 - m0)) -ge 3 ] ||
	ocm_fail "banned $A6: expected xdp_guard dropped_banned (+ the metric) to grow by >= 3, got $d0 -> $d1 (metric $m0 -> $m1)"
v=$(ops_tcp_probe cli "$OCM_SRV_IP_ALT" 1 "$B")
[ "$v" = ok ] || ocm_fail "while $A6 is banned: expected $B accepted, got '$v'"
ocm_ok "IPv6 $A6 banned by points, SYNs dropped by XDP (dropped_banned $d0 -> $d1)"
ocm_server_alive || ocm_fail "server exited"
