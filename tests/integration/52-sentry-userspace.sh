#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Sentry without eBPF (enable-ebpf = false): no XDP/TC program in the server namespace, and the
# same bans hold in user space: a banned source's connections are accepted by the kernel but
# closed before TLS, and the server logs "refused"; score bans expire; occtl ban/unban act at
# once; the other client address is unaffected. A source in the server's own subnet is exempt
# (ocserv), a routed one is not.
# Usage: 52-sentry-userspace.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
# shellcheck source=lib/ops.sh
. "$OCM_LIB_DIR/ops.sh"

BAN_S=10
A=198.18.3.2 # via v0, one routed hop away (the server's own subnets are exempt)
B=198.18.3.6 # via v1
L=198.18.0.2 # on the server's v0 subnet: local, exempt as in ocserv

ops_init bpftool
ocm_setup_net
ocm_routed_source "$A" v0
ocm_routed_source "$B" v1
ocm_make_certs
ocm_add_user alice 'User-Pass-1'
ops_write_config "udp-port = $OCM_PORT" "enable-ebpf = false" "max-ban-score = 30" \
	"ban-points-wrong-password = 10" "ban-points-connection = 1" "min-reauth-time = $BAN_S"
ocm_start_server

net=$(ocm_in srv bpftool -j net show 2>&1)
progs=$(ocm_in srv "$OPS_PYTHON" "$OCM_LIB_DIR/ops.py" net-progs xdp)
tcprogs=$(ocm_in srv "$OPS_PYTHON" "$OCM_LIB_DIR/ops.py" net-progs tc)
[ -z "$progs$tcprogs" ] ||
	ocm_fail "enable-ebpf = false: expected no XDP/TC program in the server namespace, got xdp '$progs' tc '$tcprogs': $net"
! grep -q "eBPF: xdp_guard attached" "$OCM_WORK/server.log" ||
	ocm_fail "enable-ebpf = false: expected no 'xdp_guard attached' in the server log"
ocm_ok "no eBPF program attached in the server namespace"

# --- a source in the server's own subnet is never banned (ocserv's local exemption) ---
v=$(ops_tcp_probe cli "$OCM_SRV_IP" 40 "$L" 0.2 | sort | uniq -c | xargs)
[ "$v" = "40 ok" ] ||
	ocm_fail "local $L: expected 40 connections accepted (exempt; 40 points > max-ban-score 30), got: $v"
ops_not_banned "$L" || ocm_fail "local $L: expected it not banned, show ip bans: $(ops_bans | xargs)"
v=$(ops_tcp_probe cli "$OCM_SRV_IP" 35 "$A" 0.2 | sort | uniq -c | xargs)
ops_is_banned "$A" ||
	ocm_fail "routed $A: expected 35 connections (1 point each, max-ban-score 30) to ban it, got: $v; points: $(ops_occtl show ip ban points)"
msg=$(ops_occtl unban ip "$A" 2>&1) || ocm_fail "occtl unban ip $A: $msg"
ocm_ok "local $L exempt from connection points; routed $A banned by them ($v)"

for i in 1 2 3 4; do
	ocm_start_client bad$i alice 'Wrong-Pass-9'
	ocm_wait 40 "openconnect bad$i to exit" ocm_client_exited "bad$i" ||
		ocm_fail "bad$i: expected openconnect to give up within 40 s"
	ops_is_banned "$A" && break
done
ops_is_banned "$A" ||
	ocm_fail "expected $A banned after $i wrong passwords (max-ban-score 30), got: $(ops_occtl show ip ban points)"
t_ban=$SECONDS
refused0=$(grep -c "conn $A:[0-9]*: refused: source is banned" "$OCM_WORK/server.log")
v=$(ops_tcp_probe cli "$OCM_SRV_IP" 3 "$A" 1 | sort | uniq -c | xargs)
[ "$v" = "3 closed" ] ||
	ocm_fail "banned $A without eBPF: expected 3 connections closed before TLS, got: $v"
refused1=$(grep -c "conn $A:[0-9]*: refused: source is banned" "$OCM_WORK/server.log")
[ $((refused1 - refused0)) -ge 3 ] ||
	ocm_fail "expected 3 more 'refused: source is banned' lines for $A in the server log, got $refused0 -> $refused1"
ocm_start_client r1 alice 'User-Pass-1'
if ocm_wait_tunnel r1 5; then
	ocm_fail "banned $A: expected openconnect with the right password to be refused, a tunnel came up"
fi
ocm_stop_client r1
v=$(ops_tcp_probe cli "$OCM_SRV_IP_ALT" 1 "$B" 1)
[ "$v" = ok ] || ocm_fail "while $A is banned: expected $B accepted, got '$v'"
ocm_ok "banned $A refused in user space (closed before TLS, logged), $B accepted"
[ $((SECONDS - t_ban)) -lt "$BAN_S" ] ||
	ocm_fail "the checks took $((SECONDS - t_ban)) s, longer than the ban ($BAN_S s): test too slow"

ocm_wait $((BAN_S + 10)) "ban of $A to expire" ops_not_banned "$A" ||
	ocm_fail "expected the ban of $A to expire within $((BAN_S + 10)) s"
ocm_connect c1 alice 'User-Pass-1'
ocm_ok "ban expired: $A logs in"

msg=$(ops_occtl ban ip "$B" 2>&1) || ocm_fail "occtl ban ip $B: $msg"
v=$(ops_tcp_probe cli "$OCM_SRV_IP_ALT" 1 "$B" 1)
[ "$v" = closed ] || ocm_fail "after occtl ban ip $B: expected closed before TLS, got '$v'"
msg=$(ops_occtl unban ip "$B" 2>&1) || ocm_fail "occtl unban ip $B: $msg"
v=$(ops_tcp_probe cli "$OCM_SRV_IP_ALT" 1 "$B" 1)
[ "$v" = ok ] || ocm_fail "after occtl unban ip $B: expected accepted, got '$v'"
ocm_ok "occtl ban/unban ip $B act at once in user space"
ocm_server_alive || ocm_fail "server exited"
