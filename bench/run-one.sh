#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# One server's half of the benchmark (called by bench/run.sh): namespaces, certificates and
# config from tests/integration/lib/netns.sh, then connect time, iperf3 throughput + server CPU,
# ping latency and per-session PSS over TLS and DTLS. Writes KEY=VALUE lines to RESULTS.
# Usage: OCM_SERVER=ocserv-modern|ocserv run-one.sh SERVER-BINARY SOURCE-DIR RESULTS
# Environment: BENCH_SECS (iperf3 seconds per run, default 10), BENCH_SESSIONS (idle sessions
# for the memory test, default 20), BENCH_CONNECTS (connect-time samples, default 10),
# BENCH_PHASES (subset of "connect tls dtls mem-tls mem-dtls load scale", in that order by
# default),
# BENCH_PERF (a directory: `perf record` the server during each iperf3 run, one file each),
# BENCH_OCLOAD (the ocload binary for the "load" phase), BENCH_LOAD_CLIENTS (default 1000),
# BENCH_LOAD_RATE (new sessions/s offered, default 2000: above the 1,000/s target, so the rate
# measured is the capacity); the "scale" phase: BENCH_SCALE_CLIENTS (default 10000) at
# BENCH_SCALE_RATE/s (1000) for BENCH_SCALE_SECS (60), a ping every 5 s, all reconnected at the
# half.

# netns.sh uses arrays named like some of our scalars (dtls, name): shellcheck mixes them up.
# shellcheck disable=SC2128,SC2178,SC2034 # (SC2034: arrays filled through namerefs)
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
BENCH_RESULTS=${3:?usage: run-one.sh SERVER-BINARY SOURCE-DIR RESULTS}
set -- "$1" "$2"
# shellcheck source-path=SCRIPTDIR source=../tests/integration/lib/netns.sh
. "$BENCH_DIR/../tests/integration/lib/netns.sh"

BENCH_SECS=${BENCH_SECS:-10}
BENCH_SESSIONS=${BENCH_SESSIONS:-20}
BENCH_CONNECTS=${BENCH_CONNECTS:-10}
BENCH_LOAD_CLIENTS=${BENCH_LOAD_CLIENTS:-1000}
BENCH_LOAD_RATE=${BENCH_LOAD_RATE:-2000}
BENCH_SCALE_CLIENTS=${BENCH_SCALE_CLIENTS:-10000}
BENCH_SCALE_RATE=${BENCH_SCALE_RATE:-1000}
BENCH_SCALE_SECS=${BENCH_SCALE_SECS:-60}
BENCH_PASS='Bench-Pass-1'
BENCH_IPERF_PORT=5201
BENCH_HZ=$(getconf CLK_TCK)
OCM_CHECK_EXIT=${OCM_CHECK_EXIT:-1}
OCM_OCSERV_DEBUG=${OCM_OCSERV_DEBUG:-1}

stats() { ocm_python "$BENCH_DIR/stats.py" "$@"; }
put() { echo "$1=$2" >>"$BENCH_RESULTS"; }
note() {
	ocm_log "note: $*"
	put "note_$((++BENCH_NOTES))" "$*"
}
BENCH_NOTES=0

# Every PID in the server namespace: ocserv's main, sec-mod and workers, or our one process.
srv_pids() { ip netns pids "$OCM_NS_SRV" 2>/dev/null; }

# cpu_snapshot ARRAY-NAME: utime+stime clock ticks of every server process, by PID.
cpu_snapshot()
{
	local -n snap=$1
	local pid s
	local -a f
	snap=()
	for pid in $(srv_pids); do
		s=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
		s=${s##*) }
		read -ra f <<<"$s"
		snap[$pid]=$((f[11] + f[12]))
	done
}

# cpu_delta BEFORE AFTER: clock ticks used in between (a new PID counts from zero).
cpu_delta()
{
	local -n a=$1 b=$2
	local pid sum=0
	for pid in "${!b[@]}"; do
		sum=$((sum + b[$pid] - ${a[$pid]:-0}))
	done
	echo "$sum"
}

# mem_kib FIELD: sum of FIELD (Pss, Rss) in smaps_rollup over the server process tree, KiB.
mem_kib()
{
	local pid sum=0 v
	for pid in $(srv_pids); do
		v=$(awk -v f="$1:" '$1 == f { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null)
		sum=$((sum + ${v:-0}))
	done
	echo "$sum"
}

# start_client NAME DTLS(0|1): openconnect in the client namespace, interface oc-NAME.
start_client()
{
	local name=$1 dtls=$2
	local -a opt=()
	[ "$dtls" = 1 ] || opt=(--no-dtls)
	rm -f "$OCM_WORK/client-$name.env" "$OCM_WORK/client-$name.env.up"
	ip netns exec "$OCM_NS_CLI" env OCM_CLIENT_ENV="$OCM_WORK/client-$name.env" \
		OCM_LIB_DIR="$OCM_LIB_DIR" OCM_VPNC_SCRIPT= \
		openconnect "${opt[@]}" --non-inter --servercert "$OCM_PIN" --user bench \
		--passwd-on-stdin --script "/bin/sh $BENCH_DIR/client-script.sh" \
		--interface "oc-$name" --reconnect-timeout 10 "https://$OCM_SRV_IP:$OCM_PORT" \
		<<<"$BENCH_PASS" >>"$OCM_WORK/client-$name.log" 2>&1 &
	OCM_CLIENT_PID[$name]=$!
	OCM_PIDS+=("$!")
}

dtls_up() { grep -q 'Established DTLS connection' "$OCM_WORK/client-$1.log"; }

# connect NAME DTLS: start and wait for the tunnel (and DTLS when asked); 1 on failure.
connect()
{
	start_client "$1" "$2"
	ocm_wait_tunnel "$1" 30 || return 1
	[ "$2" = 1 ] || return 0
	ocm_wait 10 "DTLS on oc-$1" dtls_up "$1"
}

stop_clients()
{
	local n
	for n in "$@"; do
		kill -TERM "${OCM_CLIENT_PID[$n]}" 2>/dev/null
	done
	for n in "$@"; do
		ocm_stop_client "$n"
		unset "OCM_CLIENT_PID[$n]"
	done
}

need_server()
{
	ocm_server_alive && return 0
	note "server (pid $OCM_SERVER_PID) died during '$1'; last log lines: $(tail -n 3 \
		"$OCM_WORK/server.log" | tr '\n' ' ')"
	exit 1
}

# --- connect time: openconnect start -> tun configured (client script ran), median ---------
bench_connect_time()
{
	local i t0 t1 ms=()
	for ((i = 0; i < BENCH_CONNECTS; i++)); do
		t0=$(date +%s%N)
		start_client ct 0
		if ! ocm_wait 30 "tunnel oc-ct" test -s "$OCM_WORK/client-ct.env.up"; then
			note "connect $i: no tunnel within 30 s"
			stop_clients ct
			continue
		fi
		t1=$(cat "$OCM_WORK/client-ct.env.up")
		ms+=("$(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.1f", d / 1e6 }')")
		stop_clients ct
	done
	[ ${#ms[@]} -gt 0 ] && put connect_ms_median "$(stats median "${ms[@]}")"
	put info_connect_ms "${ms[*]}"
	need_server "connect time"
}

# --- throughput and server CPU per GB over one transport ----------------------------------
# iperf_run PREFIX KEY [iperf3 options]: one run; adds to BENCH_BYTES / BENCH_TICKS.
iperf_run()
{
	local tr=$1 key=$2 out mbit bytes
	shift 2
	local -A c0 c1
	out="$OCM_WORK/iperf-$tr-$key.json"
	local perf_pid=
	if [ -n "${BENCH_PERF:-}" ] && command -v perf >/dev/null; then
		# A CPU profile of the whole server for this run (software clock: no PMU on VMs).
		perf record -q -e cpu-clock -F 2000 -g -o "$BENCH_PERF/perf-$OCM_SERVER-$tr-$key.data" \
			-p "$(srv_pids | tr '\n' ',' | sed 's/,$//')" >/dev/null 2>&1 &
		perf_pid=$!
		OCM_PIDS+=("$perf_pid")
	fi
	cpu_snapshot c0
	ocm_in cli timeout $((BENCH_SECS + 20)) iperf3 -c "$OCM_LAN_IP" -p "$BENCH_IPERF_PORT" \
		-t "$BENCH_SECS" -J "$@" >"$out" 2>>"$OCM_WORK/iperf-client.log"
	cpu_snapshot c1
	if [ -n "$perf_pid" ]; then
		kill -INT "$perf_pid" 2>/dev/null
		wait "$perf_pid" 2>/dev/null
	fi
	read -r mbit bytes _ <<<"$(stats iperf "$out")"
	if [ "$mbit" = err ]; then
		note "$tr $key: iperf3 failed: $(grep -o '"error":[^,]*' "$out" | head -n1)"
	else
		put "${tr}_${key}_mbit" "$mbit"
		BENCH_BYTES=$((BENCH_BYTES + bytes))
		BENCH_TICKS=$((BENCH_TICKS + $(cpu_delta c0 c1)))
	fi
	ocm_log "$tr $key: $mbit Mbit/s"
}

# ping_run PREFIX KEY COUNT: median (and p99) RTT to the LAN host through the tunnel.
ping_run()
{
	local tr=$1 key=$2 out med p99 n
	out="$OCM_WORK/ping-$tr-$key.log"
	ocm_in cli timeout $(($3 / 20 + 15)) ping -n -i 0.05 -W 1 -c "$3" "$OCM_LAN_IP" \
		>"$out" 2>&1
	read -r med p99 n <<<"$(stats ping "$out")"
	ocm_log "$tr ping $key: median $med p99 $p99 ms ($n replies)"
	if [ "$med" = err ]; then
		note "$tr ping $key: no replies"
		return
	fi
	put "${tr}_ping_${key}_ms" "$med"
	[ "$key" = load_med ] && put "${tr}_ping_load_p99_ms" "$p99"
}

bench_transport()
{
	local tr=$1 dtls=$2 name=t$2 ip
	BENCH_BYTES=0 BENCH_TICKS=0
	if ! connect "$name" "$dtls"; then
		note "$tr: no tunnel$([ "$dtls" = 1 ] && echo ' with DTLS') (see client-$name.log)"
		stop_clients "$name"
		need_server "$tr connect"
		return
	fi
	ip=$(ocm_client_var "$name" INTERNAL_IP4_ADDRESS)
	if [ "$dtls" = 1 ]; then
		put info_dtls_suite "$(grep -m1 -oE 'Ciphersuite \(DTLS.*' "$OCM_WORK/client-$name.log")"
	else
		put info_tls_suite "$(grep -m1 -oE 'ciphersuite \(TLS.*' "$OCM_WORK/client-$name.log")"
	fi
	ocm_log "$tr tunnel up, client address $ip"
	iperf_run "$tr" up1 -P 1
	iperf_run "$tr" up4 -P 4
	iperf_run "$tr" down1 -P 1 -R
	iperf_run "$tr" down4 -P 4 -R
	need_server "$tr throughput"
	if [ "$BENCH_BYTES" -gt 0 ]; then
		put "${tr}_cpu_s_per_gb" "$(awk -v t="$BENCH_TICKS" -v hz="$BENCH_HZ" \
			-v b="$BENCH_BYTES" 'BEGIN { printf "%.2f", (t / hz) / (b / 1e9) }')"
		put "${tr}_bytes" "$BENCH_BYTES"
	fi
	ping_run "$tr" idle $((BENCH_SECS * 10 > 40 ? BENCH_SECS * 10 : 40))
	# Ping while one iperf3 stream downloads as fast as it can.
	local pid
	ocm_in cli timeout $((BENCH_SECS + 25)) iperf3 -c "$OCM_LAN_IP" -p "$BENCH_IPERF_PORT" \
		-t $((BENCH_SECS + 2)) -R >"$OCM_WORK/iperf-$tr-load.log" 2>&1 &
	pid=$!
	OCM_PIDS+=("$pid")
	sleep 1
	ping_run "$tr" load_med $((BENCH_SECS * 20))
	wait "$pid"
	grep -q receiver "$OCM_WORK/iperf-$tr-load.log" ||
		note "$tr: the load iperf3 during the ping did not finish cleanly"
	dtls_fallback "$name" "$tr"
	stop_clients "$name"
	need_server "$tr latency"
}

# A DTLS run that fell back to CSTP measured TLS: say so.
dtls_fallback()
{
	[ "$2" = dtls ] || return 0
	grep -qiE 'DTLS.*(dead peer|handshake failed)|Dropping DTLS' "$OCM_WORK/client-$1.log" &&
		note "dtls: the client reported DTLS trouble: $(grep -m1 -iE \
			'DTLS.*(dead peer|handshake failed)|Dropping DTLS' "$OCM_WORK/client-$1.log")"
	return 0
}

# --- memory: PSS of the server tree with 0, 1 and N idle sessions --------------------------
bench_memory()
{
	local tr=$1 dtls=$2 i ok=0 p0 p1 pn r0 rn
	local -a names=()
	sleep 0.5
	p0=$(mem_kib Pss) r0=$(mem_kib Rss)
	[ "$tr" = tls ] && put pss0_kib "$p0"
	names+=("m${dtls}x0")
	if ! connect "${names[0]}" "$dtls"; then
		note "$tr memory: first session did not come up"
		stop_clients "${names[@]}"
		return
	fi
	sleep 1
	p1=$(mem_kib Pss)
	put "${tr}_pss_first_kib" $((p1 - p0))
	for ((i = 1; i < BENCH_SESSIONS; i++)); do
		names+=("m${dtls}x$i")
		start_client "m${dtls}x$i" "$dtls"
		sleep 0.1
	done
	for i in "${names[@]}"; do
		if ocm_wait_tunnel "$i" 30 &&
			{ [ "$dtls" = 0 ] || ocm_wait 10 "DTLS on $i" dtls_up "$i"; }; then
			ok=$((ok + 1))
		fi
	done
	sleep 2
	pn=$(mem_kib Pss) rn=$(mem_kib Rss)
	ocm_log "$tr memory: PSS $p0 -> $p1 -> $pn KiB with 0/1/$ok sessions"
	put "${tr}_sessions" "$ok"
	[ "$ok" -ne "$BENCH_SESSIONS" ] && note "$tr memory: only $ok of $BENCH_SESSIONS sessions up"
	if [ "$ok" -gt 0 ]; then
		put "${tr}_pss_n_kib" "$pn"
		put "${tr}_pss_per_session_kib" $(((pn - p0) / ok))
		put "${tr}_rss_per_session_kib" $(((rn - r0) / ok))
	fi
	stop_clients "${names[@]}"
	need_server "$tr memory"
}

# --- full handshakes/s, a reconnect storm and PSS per busy session: ocload -----------------
# Every emulated client (TLS, XML auth, CONNECT, DTLS-PSK, a ping every PING ms) comes from the
# client namespace's one address: per-source limits are off for both servers (config above).
# bench_ocload PREFIX CLIENTS RATE SECS PING-MS: results as PREFIX_* keys.
bench_ocload()
{
	local prefix=$1 n=$2 rate=$3 secs=$4 ping_ms=$5
	local out=$OCM_WORK/ocload-$prefix.json log=$OCM_WORK/ocload-$prefix.log p0 pn pid
	if [ ! -x "${BENCH_OCLOAD:-}" ]; then
		note "$prefix: no ocload binary (BENCH_OCLOAD='${BENCH_OCLOAD:-}'); skipped"
		return
	fi
	p0=$(mem_kib Pss)
	(sleep $((secs / 2 - 2)) && mem_kib Pss >"$OCM_WORK/$prefix-pss") &
	pid=$!
	ocm_in cli timeout $((secs + 60)) "$BENCH_OCLOAD" \
		--server "$OCM_SRV_IP:$OCM_PORT" --servercert "$OCM_PIN" --user bench \
		--password "$BENCH_PASS" --clients "$n" --rate "$rate" --duration "$secs" --dtls \
		--ping-interval "$ping_ms" --reconnect-storm --timeout 15 --json --verbose \
		>"$out" 2>"$log"
	wait "$pid"
	pn=$(cat "$OCM_WORK/$prefix-pss" 2>/dev/null)
	python3 - "$out" "$prefix" >>"$BENCH_RESULTS" <<'PY' || note "$prefix: ocload gave no report"
import json, sys
d, p = json.load(open(sys.argv[1])), sys.argv[2]
print("%s_handshakes_per_s=%s" % (p, d["handshakes_per_s_sustained"]))
print("%s_handshakes_per_s_window=%s" % (p, d["handshakes_per_s"]))
print("%s_handshake_p99_ms=%s" % (p, d["handshake_ms"]["p99"]))
print("%s_established=%s" % (p, d["established_max"]))
print("%s_dtls_up=%s" % (p, d["dtls_up"]))
print("%s_failed=%s" % (p, d["failed_total"]))
print("%s_storm_reconnected=%s" % (p, d["storm"]["reconnected"]))
print("%s_ping_p99_ms=%s" % (p, d["pings"]["rtt_ms"]["p99"]))
PY
	# Per session up: all of them when none failed (the sample is taken after the last start).
	local up
	up=$(sed -n "s/^${prefix}_established=//p" "$BENCH_RESULTS" | tail -n 1)
	[ -n "$pn" ] && [ -n "$p0" ] && [ "${up:-0}" -gt 0 ] &&
		put "${prefix}_pss_per_session_kib" $(((pn - p0) / up))
	grep -q "^${prefix}_failed=0$" "$BENCH_RESULTS" ||
		note "$prefix: failures by reason: $(sed -n 's/^ocload: client [0-9]*: //p' "$log" |
			sort | uniq -c | sort -rn | head -n 3 | tr -s ' \n' ' ')"
	put "info_$prefix" "$n clients at $rate/s, DTLS, ping every $ping_ms ms, storm at $((secs / 2)) s"
	need_server "$prefix"
}

ocm_init iperf3 awk
: >"$BENCH_RESULTS"
put server "$OCM_SERVER"
ocm_setup_net
ocm_make_certs
ocm_add_user bench "$BENCH_PASS"
limits=()
ocm_is_ours && limits=("max-ban-score = 0" "per-source-connect-rate = 0")
clients=$((BENCH_SESSIONS > BENCH_LOAD_CLIENTS ? BENCH_SESSIONS : BENCH_LOAD_CLIENTS))
clients=$((clients > BENCH_SCALE_CLIENTS ? clients : BENCH_SCALE_CLIENTS))
# Room for sessions of the earlier phases that still wait out their cookie-timeout.
ocm_write_config "udp-port = $OCM_PORT" "max-clients = $((clients + 64))" \
	"ipv4-network = 198.19.0.0/16" "cookie-timeout = 300" "${limits[@]}"
ocm_start_server
ocm_bg lan "$OCM_WORK/iperf-server.log" iperf3 -s -B "$OCM_LAN_IP" -p "$BENCH_IPERF_PORT"
ocm_wait 10 "iperf3 server listening" sh -c \
	"ip netns exec $OCM_NS_LAN ss -Htln 'sport = :$BENCH_IPERF_PORT' | grep -q ." ||
	ocm_fail "iperf3 server did not listen on $BENCH_IPERF_PORT"

for phase in ${BENCH_PHASES:-connect tls dtls mem-tls mem-dtls load scale}; do
	case $phase in
	connect) bench_connect_time ;;
	tls) bench_transport tls 0 ;;
	dtls) bench_transport dtls 1 ;;
	mem-tls) bench_memory tls 0 ;;
	mem-dtls) bench_memory dtls 1 ;;
	load) bench_ocload load "$BENCH_LOAD_CLIENTS" "$BENCH_LOAD_RATE" 20 2000 ;;
	scale) bench_ocload scale "$BENCH_SCALE_CLIENTS" "$BENCH_SCALE_RATE" "$BENCH_SCALE_SECS" 5000 ;;
	*) ocm_fail "unknown phase '$phase'" ;;
	esac
done
put 'done' 1
