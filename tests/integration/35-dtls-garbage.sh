#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile UDP: while openconnect is up over DTLS, lib/dtls_garbage.py sends garbage datagrams,
# truncated and lying records, ClientHellos with random/unknown/oversized session ids and a
# flood of 10,000 ClientHellos from 200 source ports to the DTLS port, in 6 rounds. The server
# must stay up, its RSS must grow by at most RSS_MAX_KIB and stop growing after the warm-up
# rounds, and the existing tunnel keeps pinging over the same DTLS channel (no fallback, no
# new handshake).
# Usage: 35-dtls-garbage.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
# shellcheck source-path=SCRIPTDIR source=lib/dtls.sh
. "$(dirname "$0")/lib/dtls.sh"

RSS_MAX_KIB=$((4 * 1024))
RSS_LATER_MAX_KIB=1024
FLOOD=${OCM_GARBAGE_FLOOD:-10000}
ROUNDS=${OCM_GARBAGE_ROUNDS:-6}
WARMUP=3
# Under ASan, freed memory sits in a quarantine (256 MiB by default) and would count as RSS
# growth; a small one keeps the measurement about leaks and unbounded state.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=2:thread_local_quarantine_size_kb=64

ocm_init
# Under ASan the RSS is no leak detector: its allocator, quarantine and shadow pages grow by
# ~1 KiB per datagram the server reads, even for garbage that allocates nothing (a release
# build of the same code stays flat). There only a loose total bound applies; LeakSanitizer
# at exit (lib/netns.sh) covers leaks.
asan=0
if [ -n "$OCM_SERVER_BIN" ] && grep -qa __asan_init "$OCM_SERVER_BIN"; then
	asan=1
	RSS_MAX_KIB=$((24 * 1024))
fi
ocm_setup_net
ocm_make_certs
ocm_add_user test 'Dtls-Garbage-1'
extra=()
ocm_is_ours && extra=("metrics-listen = 127.0.0.1:9812")
ocm_dtls_config "${extra[@]}"
ocm_start_server
ocm_connect c1 test 'Dtls-Garbage-1'
ocm_wait_dtls c1 20
ocm_expect_ping cli "over DTLS before" "$OCM_LAN_IP"
# Warm-up traffic so the baseline RSS includes the data path's buffers.
ocm_ping_count cli "$OCM_LAN_IP" 200 -f >/dev/null
sleep 1
rss0=$(ocm_rss_kib "$OCM_SERVER_PID")

ocm_bg cli "$OCM_WORK/background-ping.txt" ping -n -i 0.2 -W 2 -w 120 "$OCM_LAN_IP"
ping_pid=$OCM_BG_PID
# Rounds 1..WARMUP warm up allocator caches (under ASan also its quarantine and shadow pages;
# measured: growth stops after round 3); later rounds must not grow it further: per-packet
# state that is kept (a leak, an unbounded table) would.
rss=("$rss0")
udp_in0=$(ocm_udp_stat srv InDatagrams)
udp_drop0=$(ocm_udp_stat srv RcvbufErrors)
for ((r = 1; r <= ROUNDS; r++)); do
	ocm_in cli timeout 120 "$(command -v /usr/bin/python3 || command -v python3)" \
		"$OCM_LIB_DIR/dtls_garbage.py" --host "$OCM_SRV_IP" --port "$OCM_UDP_PORT" \
		--flood "$FLOOD" || ocm_fail "dtls_garbage.py round $r failed"
	sleep 2
	ocm_server_alive ||
		ocm_fail "expected the server to survive the hostile datagrams; pid $OCM_SERVER_PID is gone after round $r"
	rss+=("$(ocm_rss_kib "$OCM_SERVER_PID")")
done
# Garbage from another port of the client's address (e.g. epoch-1 application data) must never
# move the channel: only a record that authenticates may (an earlier build did follow it).
if ocm_is_ours && grep -q 'NAT rebinding' "$OCM_WORK/server.log"; then
	ocm_fail "expected unauthenticated datagrams not to move the DTLS channel, the server logged: $(grep -m1 'NAT rebinding' "$OCM_WORK/server.log")"
fi
ocm_log "server namespace UDP: InDatagrams +$(($(ocm_udp_stat srv InDatagrams) - udp_in0)), RcvbufErrors +$(($(ocm_udp_stat srv RcvbufErrors) - udp_drop0)) (socket buffer overflows)"
ocm_log "server RSS (KiB) before and after each of $ROUNDS rounds: ${rss[*]}"
if ocm_is_ours; then
	# Every dropped datagram is counted by its reason; the kernel's overflows of our sockets
	# (SO_RXQ_OVFL) are a part of the namespace's RcvbufErrors.
	drops=$(ocm_in srv curl -sf http://127.0.0.1:9812/metrics | grep '^ocserv_modern_dtls_datagrams_dropped_total')
	ocm_log "drop counters: $(tr '\n' ' ' <<<"$drops")"
	dropped() { awk -v r="reason=\"$1\"" 'index($1, r) { print $2 }' <<<"$drops"; }
	[ "$(dropped garbage)" -gt 0 ] ||
		ocm_fail "expected garbage datagrams in ocserv_modern_dtls_datagrams_dropped_total, got: $drops"
	full=$(dropped socket_full)
	[ -n "$full" ] && [ "$full" -le $(($(ocm_udp_stat srv RcvbufErrors) - udp_drop0)) ] ||
		ocm_fail "expected socket_full drops (${full:-none}) to be a part of the namespace's RcvbufErrors"
	ocm_ok "garbage counted: $(dropped garbage) garbage, $(dropped unknown) unknown, $full socket_full"
fi
total=$((rss[ROUNDS] - rss[0]))
later=$((rss[ROUNDS] - rss[WARMUP]))
[ "$total" -le "$RSS_MAX_KIB" ] ||
	ocm_fail "expected the server's RSS to grow by <= $RSS_MAX_KIB KiB over the attack, got +$total KiB (${rss[*]})"
[ "$later" -le "$RSS_LATER_MAX_KIB" ] || [ "$asan" = 1 ] ||
	ocm_fail "expected no RSS growth after $WARMUP warm-up rounds (<= $RSS_LATER_MAX_KIB KiB for rounds $((WARMUP + 1))..$ROUNDS), got +$later KiB (${rss[*]})"
ocm_ok "RSS +$total KiB over the attack (bound $RSS_MAX_KIB), +$later KiB after round $WARMUP (bound $RSS_LATER_MAX_KIB$([ "$asan" = 1 ] && echo ', not applied under ASan'))"

kill -INT "$ping_pid" 2>/dev/null
wait "$ping_pid" 2>/dev/null
stats=$(grep 'packets transmitted' "$OCM_WORK/background-ping.txt")
sent=$(sed -n 's/^\([0-9]\+\) packets transmitted.*/\1/p' <<<"$stats")
recv=$(sed -n 's/.* \([0-9]\+\) received.*/\1/p' <<<"$stats")
[ -n "$sent" ] && [ "${recv:-0}" -ge $((sent * 90 / 100)) ] ||
	ocm_fail "expected >= 90% of the background pings answered during the attack, got ${recv:-0}/${sent:-0}"
ocm_ok "background ping during the attack: $recv/$sent"

in0=$(ocm_udp_stat srv InDatagrams)
got=$(ocm_ping_count cli "$OCM_LAN_IP" 20 -i 0.1)
in1=$(ocm_udp_stat srv InDatagrams)
[ "$got" -ge 19 ] || ocm_fail "expected >= 19 of 20 pings after the attack, got $got"
[ $((in1 - in0)) -ge 20 ] ||
	ocm_fail "expected the pings over UDP after the attack (InDatagrams +20), got +$((in1 - in0))"
n=$(ocm_dtls_count c1)
[ "$n" -eq 1 ] ||
	ocm_fail "expected the original DTLS channel to survive (1 'Established DTLS connection'), got $n"
if ocm_is_ours; then
	grep -q 'falling back to TLS' "$OCM_WORK/server.log" &&
		ocm_fail "expected no fallback to TLS, the server logged: $(grep -m1 'falling back' "$OCM_WORK/server.log")"
	n=$(grep -c 'DTLS established' "$OCM_WORK/server.log")
	[ "$n" -eq 1 ] || ocm_fail "expected exactly 1 'DTLS established' (no bogus hello may establish), got $n"
fi
ocm_alive "${OCM_CLIENT_PID[c1]}" || ocm_fail "openconnect exited"
ocm_ok "tunnel still on its DTLS channel: $got/20 pings, InDatagrams +$((in1 - in0))"
ocm_server_alive || ocm_fail "server exited"
