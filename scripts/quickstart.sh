#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# One command from a fresh Debian 12 (as root) to a running server: dependencies (setup.sh),
# release build, certificates, a test user and a default config under run/ (all reused when
# present), then prints the openconnect command and runs ocserv-modern in the foreground.
# Environment: OCM_PORT (default 443), OCM_HOST (address printed for clients).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
run=$top/run
port=${OCM_PORT:-443}
cd "$top"

if [ "$(id -u)" -ne 0 ]; then
	echo "quickstart.sh: run as root (installs packages, creates the tun device)" >&2
	exit 1
fi

scripts/setup.sh
cmake --preset release
cmake --build --preset release

bin=$top/build/release/src/ocserv-modern
if [ ! -x "$bin" ]; then
	bin=$(find "$top/build/release" -name ocserv-modern -type f -perm -u+x -print -quit)
fi
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
	echo "quickstart.sh: the build produced no ocserv-modern binary" >&2
	exit 1
fi

mkdir -p "$run"
chmod 700 "$run"

host=${OCM_HOST:-$(hostname -I 2>/dev/null | awk '{print $1}')}
host=${host:-localhost}
[[ $host == *:* ]] && host="[$host]"
pin=$(scripts/gen-certs.sh "$run/certs" "$(hostname)" localhost)

# The test user: password generated once, kept in run/test-password.
if [ ! -s "$run/test-password" ] || ! grep -q '^test:' "$run/ocpasswd" 2>/dev/null; then
	(umask 077 && openssl rand -base64 18 | tr -d '/+=\n' | cut -c1-16 >"$run/test-password")
	pw=$(cat "$run/test-password")
	printf '%s\n%s\n' "$pw" "$pw" | ocpasswd -c "$run/ocpasswd" test
fi
pw=$(cat "$run/test-password")

if [ ! -s "$run/ocserv.conf" ]; then
	cat >"$run/ocserv.conf" <<CONF
# ocserv-modern quickstart configuration (ocserv.conf syntax; see docs/CONFIG.md).
auth = "plain[passwd=$run/ocpasswd]"
tcp-port = $port
# DTLS (UDP) on the same port number as TLS.
udp-port = $port
occtl-socket-file = $run/occtl.socket
server-cert = $run/certs/server-cert.pem
server-key = $run/certs/server-key.pem
device = vpns
# Test pools (198.18.0.0/15 and 2001:db8::/32 are reserved for testing/documentation).
ipv4-network = 198.18.100.0/24
ipv6-network = 2001:db8:100::/64
ipv6-subnet-prefix = 128
# Split tunnel to the pools only, so connecting does not take over the client's traffic.
# Remove these two lines (= default route) for a full tunnel.
route = 198.18.100.0/24
route = 2001:db8:100::/64
keepalive = 32400
dpd = 90
mobile-dpd = 1800
cookie-timeout = 300
auth-timeout = 240
max-clients = 64
max-same-clients = 2
predictable-ips = true
banner = "ocserv-modern quickstart"
pid-file = $run/ocserv-modern.pid
CONF
fi

if ! "$bin" -t -c "$run/ocserv.conf"; then
	echo "quickstart.sh: $run/ocserv.conf does not validate (see above)" >&2
	exit 1
fi

cat <<MSG

ocserv-modern listens on TCP and UDP port $port. Manage it with:
  $top/build/release/tools/occtl/occtl -s $run/occtl.socket show users
Connect from another machine (as root) with:

  echo '$pw' | openconnect --servercert $pin --user test --passwd-on-stdin https://$host:$port

Files: $run/ (certs/, ocpasswd, test-password, ocserv.conf). Stop with Ctrl-C.

MSG
exec "$bin" -f -c "$run/ocserv.conf"
