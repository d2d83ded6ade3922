#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Anti-spoofing: the client sends packets into its tunnel with an inner source that is not its
# lease (an extra address on its tun, IPv4 and IPv6). The LAN host and the server's TUN never
# see them (tcpdump), while the lease's own pings pass; the drop is proven by
# ocserv_modern_spoofed_packets_total growing by the number of spoofed packets the client's
# capture saw enter the tunnel (the user-space check drops them before the TUN write; tun_guard
# behind it is the second line) and the same count in ocserv_modern_tun_guard_packets_total or
# the metric; tun_guard counts the lease's passes.
# Usage: 60-bpf-spoof.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
# shellcheck source=lib/ops.sh
. "$OCM_LIB_DIR/ops.sh"

ops_init bpftool tcpdump
ocm_setup_net
ocm_make_certs
ocm_add_user alice 'Spoof-Pass-1'
"$OPS_PYTHON" -c 'import prometheus_client' 2>/dev/null ||
	ocm_skip "python3 module prometheus_client is not installed (python3-prometheus-client)"
ops_write_config "enable-ebpf = true" "metrics-listen = 127.0.0.1:9812"
ocm_start_server
ocm_wait 10 "metrics listener" ocm_in srv ss -Htln "sport = :9812" ||
	ocm_fail "expected the metrics listener on 127.0.0.1:9812"
ocm_connect c1 alice 'Spoof-Pass-1'
a4=$(ocm_client_var c1 INTERNAL_IP4_ADDRESS)
a6=$(ocm_client_var c1 INTERNAL_IP6_ADDRESS)
a6=${a6%/*}
s4=198.18.100.250
[ "$a4" = "$s4" ] && s4=198.18.100.251
s6=2001:db8:100::fffa
[ "$a6" = "$s6" ] && s6=2001:db8:100::fffb
ip -n "$OCM_NS_CLI" addr add "$s4/32" dev oc-c1 || ocm_fail "adding $s4 to oc-c1"
ip -n "$OCM_NS_CLI" addr add "$s6/128" dev oc-c1 nodad || ocm_fail "adding $s6 to oc-c1"
[ -n "$(ops_tun_guard_prog)" ] ||
	ocm_fail "expected the server to hold a tun_guard program (enable-ebpf = true), got none; log: $(grep eBPF "$OCM_WORK/server.log")"

# Captures: the LAN host's link and the server's TUN (tcpdump prints "listening on" when ready).
ocm_bg lan "$OCM_WORK/tcpdump-lan.txt" tcpdump -i v0 -n -l -U 'icmp or icmp6'
dump_lan=$OCM_BG_PID
ocm_bg srv "$OCM_WORK/tcpdump-tun.txt" tcpdump -i ocmtun -n -l -U 'icmp or icmp6'
dump_tun=$OCM_BG_PID
ocm_bg cli "$OCM_WORK/tcpdump-cli.txt" tcpdump -i oc-c1 -n -l -U 'icmp or icmp6'
dump_cli=$OCM_BG_PID
for f in lan tun cli; do
	ocm_wait 10 "tcpdump on $f" grep -q 'listening on' "$OCM_WORK/tcpdump-$f.txt" ||
		ocm_fail "tcpdump ($f) did not start: $(cat "$OCM_WORK/tcpdump-$f.txt")"
done

drops0=$(ops_tc_counter 1) || ocm_fail "cannot read tun_guard's counters on ocmtun"
pass0=$(ops_tc_counter 0)
spoof0=$(ops_metric ocserv_modern_spoofed_packets_total) ||
	ocm_fail "no ocserv_modern_spoofed_packets_total metric"
tgm0=$(ops_metric ocserv_modern_tun_guard_packets_total verdict=dropped_spoof)

out4=$(ocm_in cli timeout 20 ping -n -q -c 20 -i 0.05 -W 1 -I "$s4" "$OCM_LAN_IP" 2>&1)
out6=$(ocm_in cli timeout 20 ping -6 -n -q -c 20 -i 0.05 -W 1 -I "$s6" "$OCM_LAN_IP6" 2>&1)
got4=$(sed -n 's/.* \([0-9]\+\) received.*/\1/p' <<<"$out4")
got6=$(sed -n 's/.* \([0-9]\+\) received.*/\1/p' <<<"$out6")
sent4=$(sed -n 's/^\([0-9]\+\) packets transmitted.*/\1/p' <<<"$out4")
[ "${sent4:-0}" -ge 20 ] || ocm_fail "expected ping -I $s4 to send 20 requests into the tunnel, got: $out4"
[ "${got4:-0}" = 0 ] || ocm_fail "spoofed $s4: expected 0 replies, got $got4"
[ "${got6:-0}" = 0 ] || ocm_fail "spoofed $s6: expected 0 replies, got $got6"
# The lease itself works (and proves the captures see tunnel traffic).
out=$(ocm_in cli timeout 20 ping -n -q -c 5 -i 0.1 -W 2 "$OCM_LAN_IP" 2>&1)
got=$(sed -n 's/.* \([0-9]\+\) received.*/\1/p' <<<"$out")
[ "${got:-0}" -ge 4 ] || ocm_fail "lease $a4: expected >= 4 of 5 replies, got ${got:-0}"
sleep 0.5
ocm_kill_pid "$dump_lan"
ocm_kill_pid "$dump_tun"
ocm_kill_pid "$dump_cli"
n=$(grep -c "IP $s4 > $OCM_LAN_IP: ICMP echo request" "$OCM_WORK/tcpdump-cli.txt")
[ "$n" -ge 20 ] ||
	ocm_fail "expected the client's oc-c1 capture to show >= 20 spoofed echo requests entering the tunnel, got $n"
n6=$(grep -c "IP6 $s6 > $OCM_LAN_IP6: ICMP6, echo request" "$OCM_WORK/tcpdump-cli.txt")
[ "$n6" -ge 20 ] ||
	ocm_fail "expected the client's oc-c1 capture to show >= 20 spoofed IPv6 echo requests, got $n6"
ocm_ok "the client sent $n spoofed IPv4 and $n6 spoofed IPv6 echo requests into the tunnel"
sent=$((n + n6))

for f in lan tun; do
	n=$(grep -cE "IP6? ($s4|$s6) >" "$OCM_WORK/tcpdump-$f.txt")
	[ "$n" = 0 ] ||
		ocm_fail "expected no packet from $s4/$s6 on the $f capture, got $n: $(grep -m3 -E "($s4|$s6) >" "$OCM_WORK/tcpdump-$f.txt")"
	n=$(grep -c "IP $a4 > $OCM_LAN_IP: ICMP echo request" "$OCM_WORK/tcpdump-$f.txt")
	[ "$n" -ge 4 ] ||
		ocm_fail "expected the $f capture to see >= 4 echo requests from the lease $a4, got $n"
done
ocm_ok "spoofed $s4 and $s6 never reached the server TUN or the LAN; the lease's pings did"

drops1=$(ops_tc_counter 1)
pass1=$(ops_tc_counter 0)
spoof1=$(ops_metric ocserv_modern_spoofed_packets_total)
tgm1=$(ops_metric ocserv_modern_tun_guard_packets_total verdict=dropped_spoof)
[ $((pass1 - pass0)) -ge 4 ] ||
	ocm_fail "tun_guard passed counter: expected to grow by >= 4 (the lease's pings), got $pass0 -> $pass1"
[ $((tgm1 - tgm0)) -eq $((drops1 - drops0)) ] ||
	ocm_fail "ocserv_modern_tun_guard_packets_total{verdict=\"dropped_spoof\"}: expected to follow tun_guard's map ($drops0 -> $drops1), got $tgm0 -> $tgm1"
# Every spoofed packet is dropped once: by the server's check (the metric) or, had it slipped
# through, by tun_guard. The client's own link-local packets (router solicitations, MLD) count
# as spoofed too: a few more are allowed, never fewer.
dropped=$(((spoof1 - spoof0) + (drops1 - drops0)))
[ "$dropped" -ge "$sent" ] && [ "$dropped" -le $((sent + 10)) ] ||
	ocm_fail "expected the spoofed-packet drops (ocserv_modern_spoofed_packets_total $spoof0 -> $spoof1, tun_guard dropped_spoof $drops0 -> $drops1) to grow by the $sent spoofed packets sent (+ <= 10 link-local), got $dropped"
ocm_ok "spoofed_packets_total $spoof0 -> $spoof1, tun_guard dropped_spoof $drops0 -> $drops1: $dropped drops for $sent spoofed packets"
ocm_server_alive || ocm_fail "server exited"
