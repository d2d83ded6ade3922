#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bandwidth limits from a per-user file: tx-data-per-sec (server -> client) caps an iperf3
# download (-R) and rx-data-per-sec (client -> server) an upload, each measured on the
# receiver over 8 s after 2 omitted seconds (the 1 s burst), within 0.9x..1.1x of the limit.
# The two limits differ, so swapped directions fail. A user without a file is much faster.
# Usage: 72-bandwidth.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
# shellcheck source=lib/ops.sh
. "$OCM_LIB_DIR/ops.sh"
# shellcheck source=lib/i6.sh
. "$OCM_LIB_DIR/i6.sh"

TX_LIMIT=2000000 # bytes/s, server -> client: 16 Mbit/s
RX_LIMIT=1250000 # bytes/s, client -> server: 10 Mbit/s

ops_init iperf3
ocm_setup_net
ocm_make_certs
ocm_add_user slow 'Bw-Pass-1'
ocm_add_user fast 'Bw-Pass-2'
mkdir -p "$OCM_WORK/users"
printf 'tx-data-per-sec = %s\nrx-data-per-sec = %s\n' "$TX_LIMIT" "$RX_LIMIT" \
	>"$OCM_WORK/users/slow"
ops_write_config "config-per-user = $OCM_WORK/users/"
ocm_start_server

ocm_bg lan "$OCM_WORK/iperf-server.log" iperf3 -s -B "$OCM_LAN_IP" -p 5201
ocm_wait 10 "iperf3 server listening" sh -c "ip netns exec $OCM_NS_LAN ss -Htln 'sport = :5201' | grep -q ." ||
	ocm_fail "iperf3 server did not listen on 5201"

# iperf_bps DESCRIPTION [iperf3 options]: bits/s seen by the receiver (integer).
iperf_bps()
{
	local what=$1 json bps
	shift
	json=$(ocm_in cli timeout 40 iperf3 -c "$OCM_LAN_IP" -p 5201 -t 8 -O 2 -J "$@" \
		2>>"$OCM_WORK/iperf-client.log")
	bps=$(ocm_python -c '
import json, sys
try:
    print(int(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]))
except Exception as e:
    print("error: %s" % e)
' <<<"$json")
	[[ $bps =~ ^[0-9]+$ ]] && [ "$bps" -gt 0 ] ||
		ocm_fail "$what: expected an iperf3 result, got '$bps' $(grep -o '"error":[^,]*' <<<"$json")"
	echo "$bps"
}

mbit() { awk -v b="$1" 'BEGIN { printf "%.2f", b / 1e6 }'; }

# expect_near WHAT BPS LIMIT_BYTES: BPS within 0.9x..1.1x of LIMIT_BYTES*8.
expect_near()
{
	local what=$1 bps=$2 lim=$(($3 * 8))
	if [ $((bps * 10)) -lt $((lim * 9)) ] || [ $((bps * 10)) -gt $((lim * 11)) ]; then
		ocm_fail "$what: expected $(mbit $((lim * 9 / 10)))..$(mbit $((lim * 11 / 10))) Mbit/s (limit $3 bytes/s), got $(mbit "$bps") Mbit/s"
	fi
	ocm_ok "$what: $(mbit "$bps") Mbit/s, limit $(mbit "$lim") Mbit/s"
}

ocm_connect s slow 'Bw-Pass-1'
down=$(iperf_bps "slow download (-R)" -R) || exit 1
expect_near "slow download (tx-data-per-sec)" "$down" "$TX_LIMIT"
up=$(iperf_bps "slow upload") || exit 1
expect_near "slow upload (rx-data-per-sec)" "$up" "$RX_LIMIT"
ocm_in cli ping -c1 -W2 -q "$OCM_LAN_IP" >/dev/null || ocm_fail "tunnel dead after the limited runs"
ocm_stop_client s

# Sanity: without a file the same paths are at least 2x the limits.
ocm_connect f fast 'Bw-Pass-2'
fdown=$(iperf_bps "fast download (-R)" -R) || exit 1
fup=$(iperf_bps "fast upload") || exit 1
[ "$fdown" -ge $((TX_LIMIT * 8 * 2)) ] ||
	ocm_fail "fast download (no limit): expected >= $(mbit $((TX_LIMIT * 16))) Mbit/s, got $(mbit "$fdown")"
[ "$fup" -ge $((RX_LIMIT * 8 * 2)) ] ||
	ocm_fail "fast upload (no limit): expected >= $(mbit $((RX_LIMIT * 16))) Mbit/s, got $(mbit "$fup")"
ocm_ok "no limit: download $(mbit "$fdown") Mbit/s, upload $(mbit "$fup") Mbit/s"
ocm_server_alive || ocm_fail "server exited"
