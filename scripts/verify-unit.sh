#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ctest "packaging_unit": `systemd-analyze verify` accepts packaging/ocserv-modern.service with
# no warning about it (unknown keys, bad values). ExecStart is pointed at the built server, since
# verify checks that the command exists. Exit 77 (skipped) without systemd-analyze.
# Usage: verify-unit.sh UNIT SERVER-BINARY
set -uo pipefail
unit=$1 server=$(realpath -e "$2" 2>/dev/null || echo "$2")
command -v systemd-analyze >/dev/null 2>&1 || {
	echo "verify-unit: systemd-analyze is not installed: skipped" >&2
	exit 77
}
[ -x "$server" ] || {
	echo "verify-unit: server binary '$server' is not built: skipped" >&2
	exit 77
}
dir=$(mktemp -d "${TMPDIR:-/tmp}/ocm-unit.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
grep -q '^ExecStart=/usr/sbin/ocserv-modern ' "$unit" || {
	echo "verify-unit: expected 'ExecStart=/usr/sbin/ocserv-modern …' in $unit" >&2
	exit 1
}
sed "s|^ExecStart=/usr/sbin/ocserv-modern |ExecStart=$server |" "$unit" >"$dir/ocserv-modern.service"
out=$(timeout 60 systemd-analyze verify --man=no "$dir/ocserv-modern.service" 2>&1)
rc=$?
# Only what concerns our unit: verify also reports on units it pulls in (network-online.target).
ours=$(grep -E 'ocserv-modern' <<<"$out")
if [ "$rc" -ne 0 ] || [ -n "$ours" ]; then
	echo "verify-unit: systemd-analyze verify (exit $rc) says:" >&2
	echo "${ours:-$out}" >&2
	exit 1
fi
echo "verify-unit: $unit verified by $(systemd-analyze --version | head -n1)"
