#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# CSTP throughput: iperf3 TCP from the client to the LAN host and back (-R), a few seconds
# each, through the TLS tunnel; asserts nonzero throughput and prints Mbit/s.
# Usage: 22-cstp-iperf.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"

ocm_init iperf3
ocm_setup_net
ocm_make_certs
ocm_add_user test 'Iperf-Pass-1'
ocm_write_config
ocm_start_server
ocm_connect c1 test 'Iperf-Pass-1'

ocm_bg lan "$OCM_WORK/iperf-server.log" iperf3 -s -B "$OCM_LAN_IP" -p 5201
ocm_wait 10 "iperf3 server listening" sh -c "ip netns exec $OCM_NS_LAN ss -Htln 'sport = :5201' | grep -q ." ||
	ocm_fail "iperf3 server did not listen on 5201"

# run_iperf DESCRIPTION [iperf3 options]: prints Mbit/s received; fails on zero.
run_iperf()
{
	local what=$1 json mbit
	shift
	json=$(ocm_in cli timeout 30 iperf3 -c "$OCM_LAN_IP" -p 5201 -t "${OCM_IPERF_SECONDS:-3}" \
		-J "$@" 2>>"$OCM_WORK/iperf-client.log")
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
	ocm_ok "$what: $mbit Mbit/s"
	echo "iperf3 $what: $mbit Mbit/s ($OCM_SERVER)"
}

run_iperf "client -> lan (upload)"
run_iperf "lan -> client (download, -R)" -R
ocm_in cli ping -c1 -W2 -q "$OCM_LAN_IP" >/dev/null || ocm_fail "tunnel dead after iperf3"
ocm_server_alive || ocm_fail "server exited"
