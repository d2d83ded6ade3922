#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# DTLS PSK-NEGOTIATE: openconnect (with DTLS) establishes a DTLS 1.2 PSK channel; a 1000-packet
# flood ping travels over UDP (the server namespace's Udp InDatagrams grows by >= 1000 while
# the TLS connection stays quiet), then ping/ping6, full-MTU DF pings and iperf3 both ways.
# Usage: 30-dtls-psk.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
# shellcheck source-path=SCRIPTDIR source=lib/dtls.sh
. "$(dirname "$0")/lib/dtls.sh"

ocm_init iperf3
ocm_setup_net
ocm_make_certs
ocm_add_user test 'Dtls-Psk-1'
ocm_dtls_config
ocm_start_server
ocm_connect c1 test 'Dtls-Psk-1'
ocm_wait_dtls c1 20
suite=$(ocm_dtls_suite c1)
# Default tls-priorities: the TLS channel is AES-256-GCM, and the server's PSK order puts
# PSK-AES256-GCM-SHA384 first.
tls=$(grep -m1 -o 'ciphersuite ([^ ]*' "$OCM_WORK/client-c1.log")
[[ $tls == *"(AES-256-GCM)"* ]] ||
	ocm_fail "expected the TLS channel to be AES-256-GCM (test config), openconnect logged '$tls'"
[ "$suite" = "(DTLS1.2)-(PSK)-(AES-256-GCM)" ] ||
	ocm_fail "expected the DTLS suite '(DTLS1.2)-(PSK)-(AES-256-GCM)', got '$suite' in: $(ocm_dtls_line c1)"
ocm_ok "PSK-NEGOTIATE suite $suite"
echo "DTLS suite: $suite"
if ocm_is_ours; then
	grep -q 'DTLS established' "$OCM_WORK/server.log" ||
		ocm_fail "expected 'DTLS established: <cipher>' in the server log, not found"
	ocm_ok "server: $(grep -m1 -o 'DTLS established.*' "$OCM_WORK/server.log")"
fi

# Flood ping: every echo request is one DTLS datagram to the server.
N=1000
in0=$(ocm_udp_stat srv InDatagrams)
out0=$(ocm_udp_stat srv OutDatagrams)
tcp0=$(ocm_tcp_bytes_received srv "$OCM_PORT")
got=$(ocm_ping_count cli "$OCM_LAN_IP" "$N" -f)
in1=$(ocm_udp_stat srv InDatagrams)
out1=$(ocm_udp_stat srv OutDatagrams)
tcp1=$(ocm_tcp_bytes_received srv "$OCM_PORT")
[ "$got" -ge $((N * 95 / 100)) ] ||
	ocm_fail "flood ping: expected >= $((N * 95 / 100)) of $N replies, got $got"
[ $((in1 - in0)) -ge "$N" ] ||
	ocm_fail "expected the server's Udp InDatagrams to grow by >= $N during the flood ping, got +$((in1 - in0)) ($in0 -> $in1)"
[ $((out1 - out0)) -ge "$got" ] ||
	ocm_fail "expected the server's Udp OutDatagrams to grow by >= $got (replies), got +$((out1 - out0))"
# 1000 echo requests of 84 bytes would be > 90 kB over CSTP; allow DPD/keepalive noise.
[ $((tcp1 - tcp0)) -lt 20000 ] ||
	ocm_fail "expected the flood to bypass the TLS connection, but it received $((tcp1 - tcp0)) bytes"
ocm_ok "flood ping $got/$N over UDP: InDatagrams +$((in1 - in0)), OutDatagrams +$((out1 - out0)), TLS +$((tcp1 - tcp0)) bytes"

a4=$(ocm_client_var c1 INTERNAL_IP4_ADDRESS)
a6=$(ocm_client_var c1 INTERNAL_IP6_ADDRESS)
ocm_expect_ping cli "client -> lan IPv4" "$OCM_LAN_IP"
ocm_expect_ping cli "client -> lan IPv6" "$OCM_LAN_IP6"
ocm_expect_ping lan "lan -> client IPv4" "$a4"
ocm_expect_ping lan "lan -> client IPv6" "$a6"

# Full-MTU DF pings (the tun MTU is what the DTLS channel must carry in one record).
mtu=$(ocm_in cli cat /sys/class/net/oc-c1/mtu)
in0=$(ocm_udp_stat srv InDatagrams)
got=$(ocm_ping_count cli "$OCM_LAN_IP" 5 -i 0.2 -M "do" -s $((mtu - 28)))
[ "$got" -ge 4 ] ||
	ocm_fail "expected DF pings of $((mtu - 28)) bytes (tun MTU $mtu) to pass, got $got/5"
got=$(ocm_ping_count lan "$a4" 5 -i 0.2 -M "do" -s $((mtu - 28)))
[ "$got" -ge 4 ] ||
	ocm_fail "lan -> client: expected DF pings of $((mtu - 28)) bytes to pass, got $got/5"
if [ "$mtu" -ge 1280 ]; then
	got=$(ocm_ping_count cli "$OCM_LAN_IP6" 5 -i 0.2 -M "do" -s $((mtu - 48)))
	[ "$got" -ge 4 ] ||
		ocm_fail "expected IPv6 pings of $((mtu - 48)) bytes (tun MTU $mtu) to pass, got $got/5"
fi
in1=$(ocm_udp_stat srv InDatagrams)
[ $((in1 - in0)) -ge 8 ] ||
	ocm_fail "expected the full-MTU pings to arrive over UDP, InDatagrams grew by $((in1 - in0))"
ocm_ok "full-MTU DF pings (tun MTU $mtu) pass over DTLS"

# iperf3 both directions.
ocm_bg lan "$OCM_WORK/iperf-server.log" iperf3 -s -B "$OCM_LAN_IP" -p 5201
ocm_wait 10 "iperf3 server listening" sh -c "ip netns exec $OCM_NS_LAN ss -Htln 'sport = :5201' | grep -q ." ||
	ocm_fail "iperf3 server did not listen on 5201"
run_iperf()
{
	local what=$1 json mbit u0 u1
	shift
	u0=$(ocm_udp_stat srv InDatagrams)
	json=$(ocm_in cli timeout 30 iperf3 -c "$OCM_LAN_IP" -p 5201 -t "${OCM_IPERF_SECONDS:-3}" \
		-J "$@" 2>>"$OCM_WORK/iperf-client.log")
	u1=$(ocm_udp_stat srv InDatagrams)
	mbit=$(ocm_python -c '
import json, sys
try:
    d = json.load(sys.stdin)
    print("%.1f" % (d["end"]["sum_received"]["bits_per_second"] / 1e6))
except Exception as e:
    print("error: %s" % e)
' <<<"$json")
	case $mbit in
	error* | "" | 0.0)
		ocm_fail "$what: expected nonzero throughput, got '$mbit' $(grep -o '"error":[^,]*' <<<"$json")" ;;
	esac
	[ $((u1 - u0)) -ge 100 ] ||
		ocm_fail "$what: expected the traffic over UDP, InDatagrams grew by only $((u1 - u0))"
	ocm_ok "$what: $mbit Mbit/s, InDatagrams +$((u1 - u0))"
	echo "iperf3 DTLS $what: $mbit Mbit/s ($OCM_SERVER)"
}
run_iperf "client -> lan (upload)"
run_iperf "lan -> client (download, -R)" -R
ocm_expect_ping cli "after iperf3" "$OCM_LAN_IP"
ocm_server_alive || ocm_fail "server exited"
