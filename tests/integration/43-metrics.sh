#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Metrics: GET /metrics parses with prometheus_client; logins_total{result="ok"|"failed"} count
# exactly the test's logins; tunnel_bytes_total (TLS, rx and tx) grows by the bytes of a ping
# flood (at least them, at most 1.3x + 4 KiB); sessions{state="active"} follows; other paths
# get 404.
# Usage: 43-metrics.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
# shellcheck source=lib/ops.sh
. "$OCM_LIB_DIR/ops.sh"

ops_init
"$OPS_PYTHON" -c 'import prometheus_client' 2>/dev/null ||
	ocm_missing "python3 module prometheus_client is not installed (python3-prometheus-client)"
ocm_setup_net
ocm_make_certs
ocm_add_user alice 'Metrics-Pass-1'
ops_write_config "metrics-listen = 127.0.0.1:9812"
ocm_start_server
ocm_wait 10 "metrics listener" ocm_in srv ss -Htln "sport = :9812" ||
	ocm_fail "expected the metrics listener on 127.0.0.1:9812"

parsed=$(ocm_in srv timeout 15 "$OPS_PYTHON" "$OCM_LIB_DIR/ops.py" metrics-parse \
	"$OCM_METRICS_URL" 2>"$OCM_WORK/families.txt") ||
	ocm_fail "expected /metrics to parse with prometheus_client: $(tail -n 3 "$OCM_WORK/families.txt")"
ocm_ok "/metrics parsed: $parsed (families samples)"

# expect_metric EXPECTED NAME [label=value]...
expect_metric()
{
	local want=$1 got
	shift
	got=$(ops_metric "$@") || got="(missing)"
	[ "$got" = "$want" ] || ocm_fail "metric $*: expected $want, got $got"
	ocm_ok "$* = $got"
}

expect_metric 0 ocserv_modern_logins_total result=ok
expect_metric 0 ocserv_modern_logins_total result=failed

# Two failed logins, then one good one.
for i in 1 2; do
	ocm_start_client bad$i alice 'Wrong-Pass-9'
	ocm_wait 40 "openconnect bad$i to exit" ocm_client_exited "bad$i" ||
		ocm_fail "bad$i: expected openconnect to give up within 40 s"
done
expect_metric 2 ocserv_modern_logins_total result=failed
expect_metric 0 ocserv_modern_logins_total result=ok
ocm_connect c1 alice 'Metrics-Pass-1'
expect_metric 1 ocserv_modern_logins_total result=ok
expect_metric 2 ocserv_modern_logins_total result=failed
ocm_wait 10 "active session gauge" sh -c "[ \"\$(ip netns exec $OCM_NS_SRV '$OPS_PYTHON' \
	'$OCM_LIB_DIR/ops.py' metric '$OCM_METRICS_URL' ocserv_modern_sessions state=active)\" = 1 ]" ||
	ocm_fail "expected ocserv_modern_sessions{state=\"active\"} 1, got $(ops_metric ocserv_modern_sessions state=active)"
ocm_ok "ocserv_modern_sessions{state=active} = 1"

rx0=$(ops_metric ocserv_modern_tunnel_bytes_total direction=rx channel=tls) || rx0=missing
tx0=$(ops_metric ocserv_modern_tunnel_bytes_total direction=tx channel=tls) || tx0=missing
[[ $rx0 =~ ^[0-9]+$ && $tx0 =~ ^[0-9]+$ ]] ||
	ocm_fail "expected ocserv_modern_tunnel_bytes_total{direction=rx|tx,channel=tls}, got rx=$rx0 tx=$tx0"
out=$(ocm_in cli timeout 60 ping -n -q -c 200 -i 0.01 -s 1000 -W 2 "$OCM_LAN_IP" 2>&1)
recv=$(sed -n 's/.* \([0-9]\+\) received.*/\1/p' <<<"$out")
[ "${recv:-0}" -ge 190 ] || ocm_fail "ping flood: expected >= 190 of 200 replies, got ${recv:-0}"
rx1=$(ops_metric ocserv_modern_tunnel_bytes_total direction=rx channel=tls)
tx1=$(ops_metric ocserv_modern_tunnel_bytes_total direction=tx channel=tls)
want_rx=$((recv * 1028)) # answered IPv4 echo requests of 1028 bytes: all reached the server
want_tx=$((recv * 1028))
[ $((rx1 - rx0)) -ge "$want_rx" ] ||
	ocm_fail "tunnel_bytes_total{rx,tls}: expected growth >= $want_rx, got $rx0 -> $rx1 (+$((rx1 - rx0)))"
[ $((tx1 - tx0)) -ge "$want_tx" ] ||
	ocm_fail "tunnel_bytes_total{tx,tls}: expected growth >= $want_tx, got $tx0 -> $tx1 (+$((tx1 - tx0)))"
# At most 1.3x + 4 KiB: a packet counted twice (or headers counted as data) must fail.
for d in rx tx; do
	eval "grow=\$((${d}1 - ${d}0)) want=\$want_$d"
	[ "$grow" -le $((want * 13 / 10 + 4096)) ] ||
		ocm_fail "tunnel_bytes_total{$d,tls}: expected growth <= $((want * 13 / 10 + 4096)) (1.3 x $want + 4 KiB), got +$grow"
done
ocm_ok "tunnel_bytes_total tls: rx $rx0 -> $rx1, tx $tx0 -> $tx1 (sent $want_rx, echoed $want_tx)"
p1=$(ops_metric ocserv_modern_tunnel_packets_total direction=rx channel=tls) || p1=missing
[[ $p1 =~ ^[0-9]+$ && $p1 -ge 200 && $p1 -le 400 ]] ||
	ocm_fail "tunnel_packets_total{rx,tls}: expected 200..400 (200 pings, some control traffic), got $p1"

code=$(ocm_in srv timeout 10 "$OPS_PYTHON" -c '
import sys, urllib.request, urllib.error
try:
	urllib.request.urlopen(sys.argv[1], timeout=5)
	print(200)
except urllib.error.HTTPError as e:
	print(e.code)' "http://127.0.0.1:9812/nothing")
[ "$code" = 404 ] || ocm_fail "GET /nothing: expected 404, got $code"
ocm_ok "GET /nothing: 404"
ocm_server_alive || ocm_fail "server exited"
