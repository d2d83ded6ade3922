#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ocload against the real server: 50 emulated clients (TLS + XML auth + CONNECT + DTLS-PSK)
# for 10 s, each pinging the server's own TUN address every 200 ms. Every handshake must
# succeed, every session must still be up at the end, and the pings must be answered. Ours runs
# twice: with eBPF (udp_steer sends each client's datagrams to its worker's socket: only the
# ClientHellos may be handed over between the 2 workers) and with enable-ebpf = false (the
# kernel's hash pick: the other worker's datagrams are handed over, and must all get through).
# Usage: 40-ocload-smoke.sh [SERVER-BINARY [SOURCE-DIR]]   (OCM_OCLOAD_BIN overrides the tool)
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"

CLIENTS=${OCM_OCLOAD_CLIENTS:-50}

ocm_init jq
OCLOAD=${OCM_OCLOAD_BIN:-$(dirname "${OCM_SERVER_BIN:-/nonexistent}")/../tools/ocload/ocload}
[ -x "$OCLOAD" ] || ocm_missing "ocload not built at $OCLOAD"
ocm_setup_net
ocm_make_certs
ocm_add_user load 'Load-Pass-1'
# A /16 pool from 198.18.0.0/15, DTLS on, room for every client; one source address opens
# every connection, so the per-source ban score and rate limit are off.
conf=("ipv4-network = 198.19.0.0/16" "max-clients = $((CLIENTS + 16))" "udp-port = $OCM_PORT"
	"max-ban-score = 0" "rate-limit-ms = 0")
ocm_is_ours && conf+=("metrics-listen = 127.0.0.1:9812")

handovers()
{
	ocm_in srv curl -sf http://127.0.0.1:9812/metrics |
		awk '$1 == "ocserv_modern_dtls_handovers_total" { print $2 }'
}

# run_load LABEL [config lines]: one server, one ocload run, its checks.
run_load()
{
	local label=$1 out="$OCM_WORK/ocload-$1.json" rc sent answered
	shift
	ocm_write_config "${conf[@]}" "$@"
	ocm_start_server
	ocm_log "ocload ($label): $CLIENTS clients, DTLS, 10 s"
	ocm_in cli timeout 60 "$OCLOAD" --server "$OCM_SRV_IP:$OCM_PORT" --servercert "$OCM_PIN" \
		--user load --password 'Load-Pass-1' --clients "$CLIENTS" --rate 50 --duration 10 \
		--dtls --ping-interval 200 --payload 64 --json --verbose >"$out" \
		2>"$OCM_WORK/ocload-$label.log"
	rc=$?
	ocm_log "ocload exit $rc: $(cat "$out")"
	[ -s "$out" ] ||
		ocm_fail "ocload printed no summary (exit $rc): $(tail -n 5 "$OCM_WORK/ocload-$label.log")"
	j() { jq -r "$1" "$out"; }
	[ "$(j .handshakes)" = "$CLIENTS" ] ||
		ocm_fail "expected $CLIENTS full handshakes, got $(j .handshakes) (failed: $(jq -c .failed "$out"))"
	[ "$(j .dtls_up)" = "$CLIENTS" ] || ocm_fail "expected $CLIENTS DTLS channels, got $(j .dtls_up)"
	[ "$(j .failed_total)" = 0 ] || ocm_fail "expected no failures, got $(jq -c .failed "$out")"
	[ "$(j .alive_end)" = "$CLIENTS" ] ||
		ocm_fail "expected $CLIENTS sessions alive at the end, got $(j .alive_end)"
	sent=$(j .pings.sent)
	answered=$(j .pings.answered)
	# Pings still in flight when the run stops are not answered: allow 2 per client.
	[ "$sent" -gt 0 ] && [ "$answered" -ge $((sent - 2 * CLIENTS)) ] ||
		ocm_fail "expected pings answered, got $answered of $sent"
	[ "$rc" -eq 0 ] || ocm_fail "expected ocload exit 0, got $rc"
	ocm_ok "$label: $(j .handshakes) handshakes ($(j .handshakes_per_s)/s), $answered/$sent pings, rtt p50 $(j .pings.rtt_ms.p50) ms p99 $(j .pings.rtt_ms.p99) ms"
	ocm_server_alive || ocm_fail "server exited"
	HANDED=0 PINGS=$sent
	if ocm_is_ours; then
		HANDED=$(handovers)
		[ -n "$HANDED" ] || ocm_fail "expected ocserv_modern_dtls_handovers_total in /metrics"
	fi
}

run_load ebpf
if ocm_is_ours && grep -q 'DTLS steering on' "$OCM_WORK/server.log"; then
	# Each client's ClientHello(s) may land on the other worker; nothing after them may.
	[ "$HANDED" -le $((3 * CLIENTS)) ] ||
		ocm_fail "expected eBPF steering to keep DTLS hand-overs to the ClientHellos (<= $((3 * CLIENTS))), got $HANDED for $PINGS pings"
	ocm_ok "eBPF steering: $HANDED DTLS datagrams handed over for $PINGS pings"
elif ocm_is_ours; then
	ocm_log "no eBPF DTLS steering here ($(grep -m1 'DTLS steering' "$OCM_WORK/server.log")): hand-over count not checked"
fi
ocm_is_ours || exit 0
ocm_check_server_exit || ocm_fail "server did not stop cleanly"
: >"$OCM_WORK/server.log"
run_load no-ebpf "enable-ebpf = false"
# The kernel's hash pick puts about half the clients on the other worker's socket.
[ "$HANDED" -ge $((PINGS / 8)) ] ||
	ocm_fail "expected the hand-over path to carry a share of the $PINGS pings without eBPF, got $HANDED hand-overs"
ocm_ok "without eBPF: $HANDED DTLS datagrams handed over between the workers, every ping answered"
