#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Privilege drop of the running server, read from /proc/PID/status: without run-as-user it stays
# uid 0 but with no capabilities at all (CapEff/CapPrm/CapBnd 0), NoNewPrivs 1 and Seccomp 2
# (isolate-workers); with run-as-user = nobody / run-as-group = nogroup also Uid/Gid 65534. In
# both, bans made after the drop (occtl ban ip, and a score ban from a worker thread) still
# reach xdp_guard: the banned source's SYNs are dropped and counted.
# Usage: 55-sandbox-privdrop.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
# shellcheck source=lib/ops.sh
. "$OCM_LIB_DIR/ops.sh"

A=198.18.3.2 # via v0: banned by occtl
F=198.18.3.10 # via v0: banned by connection points

ops_init bpftool
getent passwd nobody >/dev/null && getent group nogroup >/dev/null ||
	ocm_skip "needs the nobody user and the nogroup group"
ocm_setup_net
ocm_routed_source "$A" v0
ip -n "$OCM_NS_CLI" addr add "$F/32" dev v0 || ocm_fail "adding $F to the client"
ip -n "$OCM_NS_SRV" route add "$F/32" via 198.18.0.2 dev v0 || ocm_fail "route to $F"
ocm_make_certs
ocm_add_user alice 'Priv-Pass-1'
chmod 644 "$OCM_WORK/ocpasswd" # re-read at every login, also as nobody

# status_field NAME: a field of the server's /proc/PID/status, whitespace squeezed.
status_field() { awk -v f="$1:" '$1 == f { $1 = ""; sub(/^ /, ""); print; exit }' "/proc/$OCM_SERVER_PID/status"; }

# check_status UID: the server runs as UID with nothing privileged left.
check_status()
{
	local f want
	for f in CapEff CapPrm CapInh CapBnd CapAmb; do
		[ "$(status_field "$f")" = 0000000000000000 ] ||
			ocm_fail "expected $f 0000000000000000 after setup, got '$(status_field "$f")'"
	done
	[ "$(status_field NoNewPrivs)" = 1 ] || ocm_fail "expected NoNewPrivs 1, got '$(status_field NoNewPrivs)'"
	[ "$(status_field Seccomp)" = 2 ] ||
		ocm_fail "expected Seccomp 2 (filter; isolate-workers = true), got '$(status_field Seccomp)'"
	want="$1 $1 $1 $1"
	[ "$(status_field Uid)" = "$want" ] || ocm_fail "expected Uid '$want', got '$(status_field Uid)'"
	[ "$(status_field Gid)" = "$want" ] || ocm_fail "expected Gid '$want', got '$(status_field Gid)'"
	# every thread, not only the main one: capabilities are per thread
	for t in /proc/"$OCM_SERVER_PID"/task/*; do
		[ "$(awk '$1 == "CapEff:" { print $2 }' "$t/status")" = 0000000000000000 ] ||
			ocm_fail "thread ${t##*/}: expected CapEff 0, got $(grep CapEff "$t/status")"
	done
	ocm_ok "uid $1: CapEff/CapPrm/CapInh/CapBnd/CapAmb 0, NoNewPrivs 1, Seccomp 2 ($(ls /proc/"$OCM_SERVER_PID"/task | wc -l) threads)"
}

# bans_reach_xdp: an occtl ban and a score ban, both made after the drop, drop SYNs at XDP.
bans_reach_xdp()
{
	local d0 d1 v msg
	[ -n "$(ops_xdp_prog v0)" ] || ocm_fail "expected xdp_guard on v0 (enable-ebpf = true)"
	d0=$(ops_xdp_counter v0 1) || ocm_fail "cannot read xdp_guard's counters on v0"
	msg=$(ops_occtl ban ip "$A" 60 2>&1) || ocm_fail "occtl ban ip $A: $msg"
	v=$(ops_tcp_probe cli "$OCM_SRV_IP" 2 "$A" 1 | sort | uniq -c | xargs)
	[ "$v" = "2 timeout" ] || ocm_fail "occtl ban ip $A after the drop: expected its SYNs dropped (2 timeout), got: $v"
	# max-ban-score 4, 1 point per connection (+1 for the missing TLS handshake): a worker bans F
	v=$(ops_tcp_probe cli "$OCM_SRV_IP" 6 "$F" 0.5 | xargs)
	ops_is_banned "$F" || ocm_fail "expected $F banned by connection points, probes: $v"
	v=$(ops_tcp_probe cli "$OCM_SRV_IP" 2 "$F" 1 | sort | uniq -c | xargs)
	[ "$v" = "2 timeout" ] || ocm_fail "score ban of $F after the drop: expected its SYNs dropped at XDP, got: $v"
	d1=$(ops_xdp_counter v0 1)
	[ $((d1 - d0)) -ge 4 ] ||
		ocm_fail "xdp_guard dropped_banned: expected to grow by >= 4 (2 SYNs from each banned source), got $d0 -> $d1"
	ocm_ok "bans after the drop reach XDP (dropped_banned $d0 -> $d1)"
	msg=$(ops_occtl unban ip "$A" 2>&1) || ocm_fail "occtl unban ip $A: $msg"
	msg=$(ops_occtl unban ip "$F" 2>&1) || ocm_fail "occtl unban ip $F: $msg"
}

conf=("udp-port = $OCM_PORT" "enable-ebpf = true" "isolate-workers = true" "max-ban-score = 4"
	"ban-points-connection = 1" "min-reauth-time = 60")

# --- no run-as-user: uid 0, no capabilities ---
ops_write_config "${conf[@]}"
ocm_start_server
check_status 0
grep -q "no run-as-user/run-as-group: still uid 0" "$OCM_WORK/server.log" ||
	ocm_fail "expected the log to say the server stays uid 0 without capabilities"
bans_reach_xdp
ocm_connect c1 alice 'Priv-Pass-1'
ocm_in cli ping -c2 -i 0.2 -W2 -q "$OCM_LAN_IP" >/dev/null || ocm_fail "expected the tunnel to pass pings"
ocm_stop_client c1
unset 'OCM_CLIENT_PID[c1]'
ocm_check_server_exit || exit 1

# --- run-as-user = nobody, run-as-group = nogroup ---
rm -f "$OCM_OCCTL_SOCK"
ops_write_config "${conf[@]}" "run-as-user = nobody" "run-as-group = nogroup"
ocm_start_server
check_status 65534
bans_reach_xdp
ocm_connect c2 alice 'Priv-Pass-1'
ocm_in cli ping -c2 -i 0.2 -W2 -q "$OCM_LAN_IP" >/dev/null || ocm_fail "expected the tunnel to pass pings as nobody"
ocm_server_alive || ocm_fail "server exited"
