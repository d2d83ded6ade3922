#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs every libFuzzer target for a bounded time (ctest label fuzz-run). Never writes into the
# committed corpus: each run works on a temporary copy; crashes go to <build>/fuzz-artifacts/.
#   run-fuzzers.sh [--seconds N] [--jobs J] [--build DIR]   configure + build the libFuzzer
#        binaries in a separate build dir (default build/fuzz-run, Debug, OCM_FUZZ=ON; warnings
#        are the dev build's job, so not -Werror here), run them all, J at a time
#   run-fuzzers.sh --one BINARY CORPUS_DIR [--seconds N]    run one binary (OCM_FUZZ=ON builds)
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${OCM_FUZZ_SECONDS:-20}
jobs=${OCM_FUZZ_JOBS:-}
build=${OCM_FUZZ_BUILD_DIR:-$top/build/fuzz-run}
one_bin= one_corpus=

while [ $# -gt 0 ]; do
	case "$1" in
	--seconds) seconds=$2; shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	--build) build=$2; shift 2 ;;
	--one) one_bin=$2; one_corpus=$3; shift 3 ;;
	*) echo "run-fuzzers.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
case "$seconds" in ''|*[!0-9]*) echo "run-fuzzers.sh: bad --seconds" >&2; exit 2 ;; esac

# run_one BINARY CORPUS_DIR ARTIFACT_DIR: fuzz a temp copy of the corpus for $seconds.
run_one() {
	local bin=$1 corpus=$2 art=$3 name work dict rc=0
	name=$(basename "$bin" _libfuzzer)
	name=${name#fuzz_}
	work=$(mktemp -d "${TMPDIR:-/tmp}/ocm-fuzz-$name.XXXXXX")
	mkdir -p "$art"
	[ -d "$corpus" ] && cp -R "$corpus/." "$work/"
	dict=()
	[ -f "$top/tests/fuzz/$name.dict" ] && dict=(-dict="$top/tests/fuzz/$name.dict")
	# timeout(1) bounds a fuzzer that ignores -max_total_time (a hang inside one input).
	timeout -k 10 $((seconds + 60)) "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 \
		-timeout=10 -print_final_stats=1 -artifact_prefix="$art/" "${dict[@]}" "$work" \
		>"$art/log.txt" 2>&1 || rc=$?
	rm -rf "$work"
	if [ "$rc" -ne 0 ]; then
		echo "FAIL $name (exit $rc): log $art/log.txt" >&2
		tail -n 40 "$art/log.txt" >&2
		return 1
	fi
	echo "ok   $name: $(grep -m1 -o 'stat::number_of_executed_units: [0-9]*' "$art/log.txt" || true)"
}

if [ -n "$one_bin" ]; then
	run_one "$one_bin" "$one_corpus" "$(dirname "$one_bin")/fuzz-artifacts/$(basename "$one_bin")"
	exit
fi

command -v clang-19 >/dev/null || { echo "run-fuzzers.sh: clang-19 missing: skipped" >&2; exit 77; }
cmake -S "$top" -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang-19 -DCMAKE_BUILD_TYPE=Debug \
	-DOCM_FUZZ=ON -DOCM_FUZZ_RUN=OFF -DOCM_WERROR=OFF >"$build.configure.log" 2>&1 ||
	{ cat "$build.configure.log" >&2; exit 1; }
mapfile -t targets < <(cmake --build "$build" --target help | grep -o 'fuzz_[a-z0-9_]*_libfuzzer' |
	sort -u)
[ ${#targets[@]} -gt 0 ] || { echo "run-fuzzers.sh: no libFuzzer targets" >&2; exit 1; }
cmake --build "$build" --target "${targets[@]}" >"$build.build.log" 2>&1 ||
	{ tail -n 60 "$build.build.log" >&2; exit 1; }

[ -n "$jobs" ] || jobs=$(( $(nproc) / 2 > 2 ? $(nproc) / 2 : 2 ))
echo "run-fuzzers.sh: ${#targets[@]} targets, ${seconds}s each, $jobs at a time"
fail=0 running=0
for t in "${targets[@]}"; do
	name=${t#fuzz_}
	name=${name%_libfuzzer}
	bin=$(find "$build" -type f -name "$t" -perm -u+x | head -n 1)
	run_one "$bin" "$top/tests/fuzz/corpus/$name" "$build/fuzz-artifacts/$name" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n || fail=1
		running=$((running - 1))
	fi
done
while [ "$running" -gt 0 ]; do
	wait -n || fail=1
	running=$((running - 1))
done
exit "$fail"
