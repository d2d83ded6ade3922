#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Side-by-side benchmark (issue #4): ocserv-modern (release build) and Debian's ocserv in the
# same namespace topology and settings, driven by the real openconnect + iperf3; prints one
# table with both servers and the ratios (no pass/fail). Needs root.
#
# Usage: bench/run.sh [--quick] [--bin PATH] [--md FILE] [--out DIR] [--only ocserv|ocserv-modern]
#   --quick       2 s iperf3 runs, 5 idle sessions, 5 connects (< 3 min); default: 10 s, 20, 10
#   --bin PATH    ocserv-modern binary to use (skips the release build)
#   --md FILE     also write the table as Markdown to FILE
#   --out DIR     keep the per-server results (KEY=VALUE) in DIR (default: a temporary dir)
#   --only NAME   run one server (the other column reads n/a)
# Environment: BENCH_SECS, BENCH_SESSIONS, BENCH_CONNECTS override the durations/counts.
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$BENCH_DIR/.." && pwd)
QUICK=0 BIN="" MD="" OUT="" ONLY=""

usage() { sed -n '6,13s/^# \{0,1\}//p' "$0" >&2; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--bin) BIN=${2:?}; shift ;;
	--md) MD=${2:?}; shift ;;
	--out) OUT=${2:?}; shift ;;
	--only) ONLY=${2:?}; shift ;;
	-h | --help) usage ;;
	*) echo "unknown argument: $1" >&2; usage ;;
	esac
	shift
done

[ "$(id -u)" -eq 0 ] || { echo "bench/run.sh needs root (network namespaces)" >&2; exit 1; }
for t in ip openconnect ocpasswd openssl iperf3 ping ss timeout awk python3; do
	command -v "$t" >/dev/null || { echo "missing tool: $t (scripts/setup.sh)" >&2; exit 1; }
done

if [ "$QUICK" = 1 ]; then
	export BENCH_SECS=${BENCH_SECS:-2} BENCH_SESSIONS=${BENCH_SESSIONS:-5}
	export BENCH_CONNECTS=${BENCH_CONNECTS:-5} BENCH_LOAD_CLIENTS=${BENCH_LOAD_CLIENTS:-100}
	export BENCH_SCALE_CLIENTS=${BENCH_SCALE_CLIENTS:-300} BENCH_SCALE_SECS=${BENCH_SCALE_SECS:-10}
	LIMIT=150
else
	export BENCH_SECS=${BENCH_SECS:-10} BENCH_SESSIONS=${BENCH_SESSIONS:-20}
	export BENCH_CONNECTS=${BENCH_CONNECTS:-10} BENCH_LOAD_CLIENTS=${BENCH_LOAD_CLIENTS:-1000}
	export BENCH_SCALE_CLIENTS=${BENCH_SCALE_CLIENTS:-10000} BENCH_SCALE_SECS=${BENCH_SCALE_SECS:-60}
	LIMIT=480
fi

if [ -z "$BIN" ] && [ "$ONLY" != ocserv ]; then
	echo "== building the release preset" >&2
	(cd "$SRC" && cmake --preset release >/dev/null && cmake --build --preset release \
		--target ocserv-modern ocload) >&2 || { echo "release build failed" >&2; exit 1; }
	BIN=$SRC/build/release/src/ocserv-modern
fi
# The load generator of the "load" phase: the one built beside the server binary.
export BENCH_OCLOAD=${BENCH_OCLOAD:-$(cd "$(dirname "${BIN:-$SRC/build/release/src/x}")/.." &&
	pwd)/tools/ocload/ocload}

if [ -z "$OUT" ]; then
	OUT=$(mktemp -d "${TMPDIR:-/tmp}/ocm-bench.XXXXXX") || exit 1
	trap 'rm -rf "$OUT"' EXIT
fi
mkdir -p "$OUT"
: >"$OUT/ocserv.txt"
: >"$OUT/ocserv-modern.txt"

# One server at a time, each bounded (the run-one script cleans up on SIGTERM).
run_server()
{
	local name=$1 bin=$2 t0=$SECONDS
	echo "== $name: ${BENCH_SECS}s iperf3 runs, $BENCH_SESSIONS idle sessions," \
		"$BENCH_CONNECTS connects" >&2
	OCM_SERVER=$name timeout -k 20 "$LIMIT" "$BENCH_DIR/run-one.sh" "$bin" "$SRC" \
		"$OUT/$name.txt" 2>"$OUT/$name.log"
	local rc=$?
	[ "$rc" -eq 0 ] || echo "note_run=run-one.sh exited with status $rc" \
		"(124 = over ${LIMIT}s); log: $OUT/$name.log" >>"$OUT/$name.txt"
	grep -q '^done=1' "$OUT/$name.txt" || tail -n 15 "$OUT/$name.log" >&2
	echo "== $name done in $((SECONDS - t0)) s (status $rc)" >&2
}

[ "$ONLY" = ocserv ] || run_server ocserv-modern "$BIN"
[ "$ONLY" = ocserv-modern ] || run_server ocserv ""

machine()
{
	local cpu
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	echo "machine: $cpu, $(nproc) CPUs, $(awk '/MemTotal/ { printf "%d MiB", $2 / 1024 }' \
		/proc/meminfo), kernel $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "software: $(openconnect --version 2>/dev/null | head -n1), $(iperf3 --version |
		head -n1 | cut -d' ' -f1-2), $(/usr/sbin/ocserv --version 2>&1 | head -n1)," \
		"ocserv-modern $(git -C "$SRC" rev-parse --short HEAD 2>/dev/null)$(
		git -C "$SRC" diff --quiet HEAD 2>/dev/null || echo '+dirty')"
	echo "settings: iperf3 ${BENCH_SECS}s per run, $BENCH_SESSIONS idle sessions," \
		"$BENCH_CONNECTS connects, tunnel MTU 1400, $(date -u '+%F %R UTC')"
}

echo
machine
echo
python3 "$BENCH_DIR/stats.py" table "$OUT/ocserv.txt" "$OUT/ocserv-modern.txt"
if [ -n "$MD" ]; then
	{
		machine | sed 's/^/- /'
		echo
		python3 "$BENCH_DIR/stats.py" table "$OUT/ocserv.txt" "$OUT/ocserv-modern.txt" md
	} >"$MD"
	echo "(Markdown table written to $MD)" >&2
fi
