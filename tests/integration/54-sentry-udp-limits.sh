#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Sentry on UDP and without eBPF (enable-ebpf = false): a rule file's "protocol": "udp" static
# reject stops 198.18.3.2's DTLS ClientHellos (its tunnel stays on TLS) while 198.18.3.6 gets
# DTLS; undecodable datagrams are reported (sentry_events_total{event="dtls-garbage"}); and
# xdp_guard's per-source new-connection limiter (1000/s, burst 2000) has its user-space twin: a
# flood of TCP connections from 198.18.3.10 is partly refused and counted as
# connection-rate-exceeded (sentry_rate_limited_total), without a ban; the others keep working.
# Usage: 54-sentry-udp-limits.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
# shellcheck source=lib/ops.sh
. "$OCM_LIB_DIR/ops.sh"

D=198.18.3.2  # UDP rejected by the rule file (via v0)
E=198.18.3.6  # DTLS allowed (via v1, server 198.18.0.5)
F=198.18.3.10 # TCP flood (bound explicitly, routed via v0)
FLOOD=6000
GARBAGE=50

ops_init
"$OPS_PYTHON" -c 'import prometheus_client' 2>/dev/null ||
	ocm_skip "python3 module prometheus_client is not installed (python3-prometheus-client)"
OCM_CLIENT_DTLS=1
ocm_setup_net
ocm_routed_source "$D" v0
ocm_routed_source "$E" v1
ip -n "$OCM_NS_CLI" addr add "$F/32" dev v0 || ocm_fail "adding $F to the client"
ip -n "$OCM_NS_SRV" route add "$F/32" via 198.18.0.2 dev v0 || ocm_fail "route to $F"
ocm_make_certs
ocm_add_user alice 'Udp-Pass-1'
ocm_add_user bob 'Udp-Pass-2'
cat >"$OCM_WORK/rules.json" <<JSON
{
  "config-version": 2,
  "default-policies": { "default-policy-static": "accept" },
  "static-routes": [
    { "family": "inet", "protocol": "udp", "remote-address": "$D/32", "action": "reject" }
  ]
}
JSON
ops_write_config "udp-port = $OCM_PORT" "enable-ebpf = false" "max-ban-score = 0" \
	"enable-wolfsentry = true" "wolfsentry-config = $OCM_WORK/rules.json" \
	"metrics-listen = 127.0.0.1:9812"
ocm_start_server
ocm_wait 10 "metrics listener" ocm_in srv ss -Htln "sport = :9812" ||
	ocm_fail "expected the metrics listener on 127.0.0.1:9812"
grep -q "new-connection limit 1000/s per source (burst 2000) in user space" "$OCM_WORK/server.log" ||
	ocm_fail "enable-ebpf = false: expected the user-space new-connection limit in the log"
[ "$(ops_metric ocserv_modern_ebpf_active)" = 0 ] ||
	ocm_fail "enable-ebpf = false: expected ocserv_modern_ebpf_active 0, got $(ops_metric ocserv_modern_ebpf_active)"

dtls_up() { grep -q 'Established DTLS connection' "$OCM_WORK/client-$1.log"; }

# --- "protocol": "udp" static reject: DTLS refused for D, TLS still works ---
ocm_connect cE bob 'Udp-Pass-2' "https://$OCM_SRV_IP_ALT:$OCM_PORT"
ocm_wait 20 "DTLS of cE" dtls_up cE ||
	ocm_fail "client cE ($E): expected DTLS to come up, got: $(grep -iE 'dtls|udp' "$OCM_WORK/client-cE.log" | tail -n 3)"
rej0=$(ops_metric ocserv_modern_sentry_rejected_total)
ocm_connect cD alice 'Udp-Pass-1'
sleep 8
! dtls_up cD ||
	ocm_fail "client cD ($D): expected its DTLS ClientHellos refused by the udp static route, DTLS came up"
rej1=$(ops_metric ocserv_modern_sentry_rejected_total)
[ "$rej1" -gt "$rej0" ] ||
	ocm_fail "expected sentry_rejected_total to grow while cD's DTLS is refused, got $rej0 -> $rej1"
ocm_in cli ping -c3 -i 0.2 -W2 -q -I oc-cD "$OCM_LAN_IP" >/dev/null ||
	ocm_fail "client cD: expected its tunnel to pass pings over TLS"
ocm_ok "udp static route: $D's DTLS refused (sentry_rejected_total $rej0 -> $rej1), TLS tunnel works; $E has DTLS"

# --- undecodable datagrams are reported ---
g0=$(ops_metric ocserv_modern_sentry_events_total event=dtls-garbage)
ocm_in cli timeout 30 "$OPS_PYTHON" -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
for i in range(int(sys.argv[4])):
    s.sendto(b"\x17garbage" + bytes([i & 255]) * 20, (sys.argv[2], int(sys.argv[3])))
    time.sleep(0.002)
' "$E" "$OCM_SRV_IP_ALT" "$OCM_PORT" "$GARBAGE" || ocm_fail "sending garbage datagrams"
sleep 0.5
g1=$(ops_metric ocserv_modern_sentry_events_total event=dtls-garbage)
[ $((g1 - g0)) -eq "$GARBAGE" ] ||
	ocm_fail "expected sentry_events_total{event=\"dtls-garbage\"} to grow by $GARBAGE, got $g0 -> $g1"
ocm_ok "$GARBAGE garbage datagrams reported to sentry ($g0 -> $g1)"

# --- the user-space twin of xdp_guard's new-connection limiter ---
l0=$(ops_metric ocserv_modern_sentry_rate_limited_total)
out=$(ocm_in cli timeout 120 "$OPS_PYTHON" "$OCM_LIB_DIR/ops.py" tcp-flood "$OCM_SRV_IP" "$OCM_PORT" "$FLOOD" "$F")
ocm_log "flood from $F: connected failed seconds = $out"
sleep 1
l1=$(ops_metric ocserv_modern_sentry_rate_limited_total)
ev=$(ops_metric ocserv_modern_sentry_events_total event=connection-rate-exceeded)
[ $((l1 - l0)) -ge 1 ] && [ "$ev" -ge $((l1 - l0)) ] ||
	ocm_fail "flood of $FLOOD connections from $F ($out): expected some refused by the 1000/s burst-2000 limit (sentry_rate_limited_total $l0 -> $l1, connection-rate-exceeded events $ev)"
grep -q "sentry: $F over the new-connection limit" "$OCM_WORK/server.log" ||
	ocm_fail "expected 'sentry: $F over the new-connection limit' in the server log"
ops_not_banned "$F" || ocm_fail "expected $F refused by rate, not banned"
sleep 2
v=$(ops_tcp_probe cli "$OCM_SRV_IP" 1 "$F")
[ "$v" = ok ] || ocm_fail "after the flood: expected $F accepted again (limit, not ban), got '$v'"
ocm_in cli ping -c3 -i 0.2 -W2 -q -I oc-cE "$OCM_LAN_IP" >/dev/null ||
	ocm_fail "client cE: expected its tunnel to keep working after the flood"
ocm_ok "flood from $F: $((l1 - l0)) connections over the limit refused, no ban, others unaffected"
ocm_server_alive || ocm_fail "server exited"
