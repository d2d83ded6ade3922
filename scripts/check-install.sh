#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ctest "packaging_install": `cmake --install` of the build tree into a scratch prefix installs
# the server (sbin), occtl (bin), the systemd unit (its ExecStart naming the installed server)
# and both man pages.
# Usage: check-install.sh BUILD-DIR
set -uo pipefail
build=$1
dest=$(mktemp -d "${TMPDIR:-/tmp}/ocm-install.XXXXXX") || exit 1
trap 'rm -rf "$dest"' EXIT
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
if ! out=$(DESTDIR=$dest timeout 60 cmake --install "$build" 2>&1); then
	echo "check-install: cmake --install failed: $out" >&2
	exit 1
fi
root=$dest$prefix
fail=0
for f in sbin/ocserv-modern bin/occtl share/man/man8/ocserv-modern.8 share/man/man8/occtl.8 \
	lib/systemd/system/ocserv-modern.service; do
	if [ ! -s "$root/$f" ]; then
		echo "check-install: expected $prefix/$f to be installed, it is missing" >&2
		fail=1
	fi
done
for f in sbin/ocserv-modern bin/occtl; do
	[ -x "$root/$f" ] || { echo "check-install: expected $prefix/$f to be executable" >&2; fail=1; }
done
grep -q "^ExecStart=$prefix/sbin/ocserv-modern " "$root/lib/systemd/system/ocserv-modern.service" || {
	echo "check-install: expected the unit's ExecStart to be $prefix/sbin/ocserv-modern, got: $(grep ExecStart "$root/lib/systemd/system/ocserv-modern.service")" >&2
	fail=1
}
[ "$fail" -eq 0 ] && echo "check-install: installed under $prefix: server, occtl, unit, man pages"
exit "$fail"
