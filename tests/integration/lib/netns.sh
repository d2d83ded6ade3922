# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by tests/integration/NN-*.sh: network namespaces, certificates, server config and
# start, openconnect clients, bounded waits, assertions and the cleanup trap. It kills only
# the PIDs it started and deletes only its own namespaces (ocm-$$-srv/-cli/-lan).
#
# Inputs (environment or positional arguments of the test script):
#   $1 / OCM_SERVER_BIN   path of ocserv-modern (may be empty when OCM_SERVER=ocserv)
#   $2 / OCM_SOURCE_DIR   source tree (for lib/ files); default: derived from this file
#   OCM_SERVER            "ocserv-modern" (default) or "ocserv" (Debian's 1.1.6, as a reference)
#   OCM_KEEP=1            keep the work directory and print its path
#   OCM_CLIENT_DTLS=1     openconnect clients may use DTLS (default: --no-dtls)
#   OCM_VPNC_SCRIPT=PATH  let this vpnc-script (e.g. Debian's) configure the client tun; a
#                         private /etc/netns/<cli ns>/resolv.conf keeps the host's untouched
#
# Topology (all addresses from 198.18.0.0/15 and 2001:db8::/32):
#   cli v0 198.18.0.2/30 2001:db8::2/64  <->  srv v0 198.18.0.1/30 2001:db8::1/64
#   cli v1 198.18.0.6/30                 <->  srv v1 198.18.0.5/30  (spare link for 23-*)
#   srv v2 198.18.1.1/24 2001:db8:1::1/64 <-> lan v0 198.18.1.2/24 2001:db8:1::2/64
#   VPN pools 198.18.100.0/24 and 2001:db8:100::/64; lan routes everything via srv.
#   ocm_routed_source adds client source addresses one hop away (sentry tests: 198.18.3.0/24,
#   2001:db8:3::/64), since the server's own subnets are exempt from bans.

set -uo pipefail

OCM_NS_SRV=ocm-$$-srv
OCM_NS_CLI=ocm-$$-cli
OCM_NS_LAN=ocm-$$-lan
OCM_SRV_IP=198.18.0.1
OCM_SRV_IP_ALT=198.18.0.5
OCM_LAN_IP=198.18.1.2
OCM_LAN_IP6=2001:db8:1::2
OCM_POOL4=198.18.100.0/24
OCM_POOL6=2001:db8:100::/64
OCM_PORT=4443
OCM_PIDS=()
OCM_NETNS=()
OCM_SERVER_PID=""
declare -A OCM_CLIENT_PID=()
declare -A OCM_ETC_NETNS=()

OCM_SERVER=${OCM_SERVER:-ocserv-modern}
OCM_SERVER_BIN=${1:-${OCM_SERVER_BIN:-}}
OCM_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OCM_SOURCE_DIR=${2:-${OCM_SOURCE_DIR:-$(cd "$OCM_LIB_DIR/../../.." && pwd)}}
OCM_TEST=$(basename "$0" .sh)

ocm_log() { printf '[%s %(%T)T] %s\n' "$OCM_TEST" -1 "$*" >&2; }
ocm_ok() { printf '[%s] ok: %s\n' "$OCM_TEST" "$*" >&2; }

# ocm_fail MSG: print what went wrong (the caller says expected vs got) and exit 1.
ocm_fail()
{
	printf '[%s] FAIL: %s\n' "$OCM_TEST" "$*" >&2
	exit 1
}

ocm_skip()
{
	printf '[%s] SKIP: %s\n' "$OCM_TEST" "$*" >&2
	exit 77
}

# ocm_missing MSG: a prerequisite that scripts/setup.sh and the build always provide (root,
# setup.sh's tools, /dev/net/tun, our own binaries) is missing. A developer gets a skip (77);
# under CI=true (.ci/run) it is a failure, so a broken setup cannot pass as all-skipped.
ocm_missing()
{
	[ "${CI:-}" = true ] && ocm_fail "$* (CI=true: a missing prerequisite fails instead of skipping)"
	ocm_skip "$@"
}

ocm_is_ours() { [ "$OCM_SERVER" = ocserv-modern ]; }

# ocm_wait SECONDS DESCRIPTION COMMAND...: poll COMMAND every 0.2 s until it succeeds.
ocm_wait()
{
	local secs=$1 what=$2 deadline
	shift 2
	deadline=$((SECONDS + secs))
	while ! "$@" >/dev/null 2>&1; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			ocm_log "timed out after ${secs}s waiting for: $what"
			return 1
		fi
		sleep 0.2
	done
}

ocm_alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

ocm_kill_pid()
{
	local pid=$1 i
	ocm_alive "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		ocm_alive "$pid" || break
		sleep 0.1
	done
	ocm_alive "$pid" && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

ocm_dump_logs()
{
	local f
	for f in "$OCM_WORK"/*.log; do
		[ -s "$f" ] || continue
		echo "----- last 40 lines of $(basename "$f") -----" >&2
		tail -n 40 "$f" >&2
	done
}

# ocm_check_server_exit: SIGTERM the server; it must exit within 10 s, and (ours) with status
# 0 and no sanitizer report in its log (ASan/UBSan/LSan in the dev build). Returns 1 after
# printing FAIL (runs inside the cleanup trap, so it must not exit).
ocm_check_server_exit()
{
	local i st
	if ! ocm_alive "$OCM_SERVER_PID"; then
		printf '[%s] FAIL: server (pid %s) died during the test\n' "$OCM_TEST" "$OCM_SERVER_PID" >&2
		return 1
	fi
	kill -TERM "$OCM_SERVER_PID"
	for ((i = 0; i < 100; i++)); do
		ocm_alive "$OCM_SERVER_PID" || break
		sleep 0.1
	done
	if ocm_alive "$OCM_SERVER_PID"; then
		printf '[%s] FAIL: expected the server to exit within 10 s of SIGTERM, it still runs\n' \
			"$OCM_TEST" >&2
		return 1
	fi
	wait "$OCM_SERVER_PID"
	st=$?
	ocm_is_ours || return 0
	if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$OCM_WORK/server.log"; then
		printf '[%s] FAIL: sanitizer report in the server log:\n%s\n' "$OCM_TEST" \
			"$(grep -m5 -E 'Sanitizer|runtime error:' "$OCM_WORK/server.log")" >&2
		return 1
	fi
	if [ "$st" -ne 0 ]; then
		printf '[%s] FAIL: expected exit status 0 after SIGTERM, got %s\n' "$OCM_TEST" "$st" >&2
		return 1
	fi
	ocm_ok "server exited cleanly on SIGTERM"
}

ocm_cleanup()
{
	local rc=$? pid ns i
	trap - EXIT INT TERM
	if [ "$rc" -eq 0 ] && [ -n "$OCM_SERVER_PID" ] && [ "${OCM_CHECK_EXIT:-1}" = 1 ]; then
		# Clients first, so the server's shutdown sees no traffic races, then the server.
		for name in "${!OCM_CLIENT_PID[@]}"; do
			ocm_kill_pid "${OCM_CLIENT_PID[$name]}"
		done
		ocm_check_server_exit || rc=1
	fi
	[ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && [ -n "${OCM_WORK:-}" ] && ocm_dump_logs
	for ((i = ${#OCM_PIDS[@]} - 1; i >= 0; i--)); do
		ocm_kill_pid "${OCM_PIDS[i]}"
	done
	# Anything still inside our own namespaces was started by us (server workers, …).
	for ns in "${OCM_NETNS[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
	done
	for ns in "${OCM_NETNS[@]}"; do
		ip netns del "$ns" 2>/dev/null
		[ -n "${OCM_ETC_NETNS[$ns]:-}" ] && rm -rf "/etc/netns/$ns"
	done
	if [ -n "${OCM_WORK:-}" ]; then
		if [ "${OCM_KEEP:-0}" = 1 ]; then
			echo "[$OCM_TEST] work directory kept: $OCM_WORK" >&2
		else
			rm -rf "$OCM_WORK"
		fi
	fi
	[ "$rc" -eq 0 ] && echo "[$OCM_TEST] PASS ($OCM_SERVER)" >&2
	exit "$rc"
}

# ocm_init: root check, tool check, server selection, work dir, trap. Call first.
ocm_init()
{
	local t
	[ "$(id -u)" -eq 0 ] || ocm_missing "needs root (network namespaces)"
	for t in ip openconnect ocpasswd openssl timeout ss ping "$@"; do
		command -v "$t" >/dev/null 2>&1 || ocm_missing "tool '$t' is not installed (scripts/setup.sh)"
	done
	[ -c /dev/net/tun ] || ocm_missing "/dev/net/tun is missing"
	case "$OCM_SERVER" in
	ocserv-modern)
		[ -n "$OCM_SERVER_BIN" ] && [ -x "$OCM_SERVER_BIN" ] ||
			ocm_missing "server binary '${OCM_SERVER_BIN}' not built (set OCM_SERVER=ocserv to test the harness)"
		;;
	ocserv)
		OCM_SERVER_BIN=${OCM_OCSERV_BIN:-/usr/sbin/ocserv}
		[ -x "$OCM_SERVER_BIN" ] || ocm_skip "$OCM_SERVER_BIN is not installed"
		;;
	*)
		ocm_fail "OCM_SERVER must be ocserv-modern or ocserv, not '$OCM_SERVER'"
		;;
	esac
	OCM_WORK=$(mktemp -d "${TMPDIR:-/tmp}/ocm-$OCM_TEST.XXXXXX") || ocm_fail "mktemp"
	chmod 755 "$OCM_WORK"
	trap ocm_cleanup EXIT
	trap 'exit 130' INT TERM
	ocm_log "server: $OCM_SERVER ($OCM_SERVER_BIN), work dir $OCM_WORK"
}

ocm_ns_add()
{
	ip netns add "$1" || ocm_fail "ip netns add $1"
	OCM_NETNS+=("$1")
	ip -n "$1" link set lo up
}

# ocm_veth NS_A IF_A NS_B IF_B: a veth pair created directly inside the two namespaces.
ocm_veth()
{
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" ||
		ocm_fail "veth $1/$2 <-> $3/$4"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

# ocm_setup_net: the three namespaces, links, addresses, routes and forwarding.
ocm_setup_net()
{
	local s=$OCM_NS_SRV c=$OCM_NS_CLI l=$OCM_NS_LAN
	ocm_ns_add "$s"
	ocm_ns_add "$c"
	ocm_ns_add "$l"
	if [ -n "${OCM_VPNC_SCRIPT:-}" ] && [ ! -e "/etc/netns/$c" ]; then
		# ip netns exec bind-mounts these over /etc: vpnc-script edits only our copy.
		mkdir -p "/etc/netns/$c" && : >"/etc/netns/$c/resolv.conf" && OCM_ETC_NETNS[$c]=1
	fi
	ocm_veth "$c" v0 "$s" v0
	ocm_veth "$c" v1 "$s" v1
	ocm_veth "$s" v2 "$l" v0
	ip -n "$c" addr add 198.18.0.2/30 dev v0
	ip -n "$s" addr add 198.18.0.1/30 dev v0
	ip -n "$c" addr add 2001:db8::2/64 dev v0 nodad
	ip -n "$s" addr add 2001:db8::1/64 dev v0 nodad
	ip -n "$c" addr add 198.18.0.6/30 dev v1
	ip -n "$s" addr add 198.18.0.5/30 dev v1
	ip -n "$s" addr add 198.18.1.1/24 dev v2
	ip -n "$l" addr add 198.18.1.2/24 dev v0
	ip -n "$s" addr add 2001:db8:1::1/64 dev v2 nodad
	ip -n "$l" addr add 2001:db8:1::2/64 dev v0 nodad
	# The LAN host reaches the VPN pools (and everything else) through the server.
	ip -n "$l" route add default via 198.18.1.1
	ip -n "$l" -6 route add default via 2001:db8:1::1
	ip netns exec "$s" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 ||
		ocm_fail "enabling forwarding in $s"
	ocm_wait 10 "client link" ip netns exec "$c" ping -c1 -W1 -q "$OCM_SRV_IP" ||
		ocm_fail "no IPv4 connectivity client -> server before the VPN"
	ocm_wait 10 "lan link" ip netns exec "$l" ping -c1 -W1 -q 198.18.1.1 ||
		ocm_fail "no IPv4 connectivity lan -> server"
}

# ocm_routed_source IP LINK: the client's connections to the server's address on LINK (v0:
# 198.18.0.1 / 2001:db8::1, v1: 198.18.0.5) come from IP, an address one routed hop away from
# the server (not in any subnet of the server's interfaces, which sentry exempts from bans as
# ocserv does). IP is added to the client's LINK; the server routes it via the client's link
# address; a client host route to the server prefers IP as its source.
ocm_routed_source()
{
	local ip=$1 dev=$2 srv gw plen=32 fam=-4
	case "$dev:$ip" in
	v0:*:*) srv=2001:db8::1 gw=2001:db8::2 plen=128 fam=-6 ;;
	v0:*) srv=$OCM_SRV_IP gw=198.18.0.2 ;;
	v1:*:*) ocm_fail "ocm_routed_source: v1 has no IPv6 addresses" ;;
	v1:*) srv=$OCM_SRV_IP_ALT gw=198.18.0.6 ;;
	*) ocm_fail "ocm_routed_source: unknown link $dev" ;;
	esac
	if [ "$fam" = -6 ]; then
		ip -n "$OCM_NS_CLI" addr add "$ip/$plen" dev "$dev" nodad
	else
		ip -n "$OCM_NS_CLI" addr add "$ip/$plen" dev "$dev"
	fi || ocm_fail "adding $ip to the client's $dev"
	ip -n "$OCM_NS_SRV" "$fam" route add "$ip/$plen" via "$gw" dev "$dev" ||
		ocm_fail "route to $ip via $gw in the server"
	ip -n "$OCM_NS_CLI" "$fam" route replace "$srv/$plen" dev "$dev" src "$ip" ||
		ocm_fail "client route to $srv with source $ip"
	ocm_wait 10 "$srv reachable from $ip" ip netns exec "$OCM_NS_CLI" ping "$fam" -c1 -W1 -q \
		-I "$ip" "$srv" || ocm_fail "no connectivity from $ip to $srv"
}

# ocm_make_certs: CA + ECDSA server certificate; sets OCM_PIN (openconnect --servercert).
ocm_make_certs()
{
	OCM_PIN=$("$OCM_SOURCE_DIR/scripts/gen-certs.sh" "$OCM_WORK/certs" "$OCM_SRV_IP" \
		"$OCM_SRV_IP_ALT" localhost) || ocm_fail "gen-certs.sh"
	[[ $OCM_PIN == pin-sha256:* ]] || ocm_fail "bad pin '$OCM_PIN'"
}

# ocm_add_user USER PASSWORD: into $OCM_WORK/ocpasswd with Debian's ocpasswd.
ocm_add_user()
{
	printf '%s\n%s\n' "$2" "$2" | ocpasswd -c "$OCM_WORK/ocpasswd" "$1" >/dev/null 2>&1 ||
		ocm_fail "ocpasswd $1"
}

# ocm_write_config ["key = value"]...: writes $OCM_WORK/ocserv.conf from the defaults below;
# a key given as an argument replaces every default line of that key.
ocm_write_config()
{
	local -a lines=(
		"auth = \"plain[passwd=$OCM_WORK/ocpasswd]\""
		"tcp-port = $OCM_PORT"
		"server-cert = $OCM_WORK/certs/server-cert.pem"
		"server-key = $OCM_WORK/certs/server-key.pem"
		"ipv4-network = $OCM_POOL4"
		"ipv6-network = $OCM_POOL6"
		"ipv6-subnet-prefix = 128"
		"dns = 198.18.1.53"
		"route = 198.18.1.0/24"
		"route = 2001:db8:1::/64"
		"default-domain = test.example"
		"mtu = 1400"
		"keepalive = 30"
		"dpd = 30"
		"mobile-dpd = 30"
		"cookie-timeout = 60"
		"auth-timeout = 20"
		"min-reauth-time = 1"
		"max-clients = 32"
		"max-same-clients = 0"
		"predictable-ips = true"
		"banner = \"ocserv-modern integration test\""
	)
	if ocm_is_ours; then
		lines+=("device = ocmtun" "udp-port = 0" "worker-threads = 2" "tun-queues = 2")
	else
		lines+=("device = vpns" "socket-file = $OCM_WORK/ocserv.sock"
			"isolate-workers = false" "use-occtl = false" "max-ban-score = 0"
			"rate-limit-ms = 0" "pid-file = $OCM_WORK/ocserv.pid"
			"cisco-client-compat = true")
	fi
	local -A override=()
	local a k l
	for a in "$@"; do
		override[${a%%[ =]*}]=1
	done
	: >"$OCM_WORK/ocserv.conf"
	for l in "${lines[@]}"; do
		k=${l%%[ =]*}
		[ -n "${override[$k]:-}" ] || echo "$l" >>"$OCM_WORK/ocserv.conf"
	done
	for a in "$@"; do
		echo "$a" >>"$OCM_WORK/ocserv.conf"
	done
}

# ocm_start_server: starts the server in the srv namespace (log: server.log) and waits until
# it listens. Sets OCM_SERVER_PID.
ocm_start_server()
{
	local -a cmd extra
	[ -f "$OCM_WORK/ocserv.conf" ] || ocm_write_config
	read -ra extra <<<"${OCM_SERVER_ARGS:-}"
	if ocm_is_ours; then
		cmd=("$OCM_SERVER_BIN" -f -c "$OCM_WORK/ocserv.conf" "${extra[@]}")
	else
		cmd=("$OCM_SERVER_BIN" -f -d "${OCM_OCSERV_DEBUG:-2}" -c "$OCM_WORK/ocserv.conf")
	fi
	ocm_log "starting: ${cmd[*]}"
	ip netns exec "$OCM_NS_SRV" "${cmd[@]}" </dev/null >>"$OCM_WORK/server.log" 2>&1 &
	OCM_SERVER_PID=$!
	OCM_PIDS+=("$OCM_SERVER_PID")
	ocm_wait 30 "server listening on tcp/$OCM_PORT" ocm_server_listening ||
		ocm_fail "server did not listen on tcp/$OCM_PORT within 30 s (alive: $(ocm_alive "$OCM_SERVER_PID" && echo yes || echo no))"
}

ocm_server_listening()
{
	ocm_alive "$OCM_SERVER_PID" || return 0 # stop waiting; the caller reports
	ip netns exec "$OCM_NS_SRV" ss -Htln "sport = :$OCM_PORT" | grep -q .
}

ocm_server_alive()
{
	ocm_alive "$OCM_SERVER_PID"
}

# ocm_start_client NAME USER PASSWORD [openconnect options]...: starts openconnect in the cli
# namespace with tun device "oc-NAME" (log client-NAME.log, pushed variables client-NAME.env).
# Does not wait; see ocm_wait_tunnel. Pass --cookie-on-stdin to send PASSWORD as a cookie.
ocm_start_client()
{
	local name=$1 user=$2 pass=$3 url="https://$OCM_SRV_IP:$OCM_PORT"
	shift 3
	local -a auth=(--user "$user" --passwd-on-stdin) dtls=(--no-dtls)
	local a
	# OCM_CLIENT_DTLS=1: let openconnect use DTLS (default: --no-dtls, TLS only).
	[ "${OCM_CLIENT_DTLS:-0}" = 1 ] && dtls=()
	for a in "$@"; do
		[ "$a" = --cookie-on-stdin ] && auth=()
		[[ $a == https://* ]] && url=""
	done
	rm -f "$OCM_WORK/client-$name.env"
	ip netns exec "$OCM_NS_CLI" env OCM_CLIENT_ENV="$OCM_WORK/client-$name.env" \
		OCM_VPNC_SCRIPT="${OCM_VPNC_SCRIPT:-}" \
		openconnect "${dtls[@]}" --non-inter --servercert "$OCM_PIN" "${auth[@]}" \
		--script "/bin/sh $OCM_LIB_DIR/client-script.sh" --interface "oc-$name" \
		--reconnect-timeout 10 "$@" $url \
		<<<"$pass" >>"$OCM_WORK/client-$name.log" 2>&1 &
	OCM_CLIENT_PID[$name]=$!
	OCM_PIDS+=("$!")
}

ocm_tunnel_up()
{
	local name=$1
	ocm_alive "${OCM_CLIENT_PID[$name]}" || return 0 # stop waiting; the caller reports
	[ -s "$OCM_WORK/client-$name.env" ] &&
		ip -n "$OCM_NS_CLI" -4 addr show dev "oc-$name" 2>/dev/null | grep -q 'inet '
}

ocm_client_exited() { ! ocm_alive "${OCM_CLIENT_PID[$1]}"; }

# ocm_wait_tunnel NAME [SECONDS]: 0 once oc-NAME has its IPv4 address; 1 if openconnect exited
# or the time ran out.
ocm_wait_tunnel()
{
	local name=$1 secs=${2:-30}
	ocm_wait "$secs" "tunnel oc-$name" ocm_tunnel_up "$name" || return 1
	ocm_alive "${OCM_CLIENT_PID[$name]}" || return 1
	return 0
}

# ocm_connect NAME USER PASSWORD [options]: start + wait, failing the test if no tunnel.
ocm_connect()
{
	ocm_start_client "$@"
	ocm_wait_tunnel "$1" ||
		ocm_fail "client $1: expected a tunnel with an IPv4 address on oc-$1 within 30 s; openconnect $(ocm_alive "${OCM_CLIENT_PID[$1]}" && echo 'still running' || echo exited)"
	ocm_ok "client $1 connected: $(ocm_client_var "$1" INTERNAL_IP4_ADDRESS) $(ocm_client_var "$1" INTERNAL_IP6_ADDRESS)"
}

# ocm_client_var NAME VAR: a variable openconnect passed to the client script.
ocm_client_var()
{
	sed -n "s/^$2=//p" "$OCM_WORK/client-$1.env" 2>/dev/null | head -n1
}

# ocm_stop_client NAME [SIGNAL]: signal openconnect (default TERM = log off) and wait for it.
ocm_stop_client()
{
	local pid=${OCM_CLIENT_PID[$1]} sig=${2:-TERM} i
	kill "-$sig" "$pid" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		ocm_alive "$pid" || break
		sleep 0.1
	done
	ocm_alive "$pid" && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# ocm_in NS CMD...: run a bounded command in one of our namespaces (srv/cli/lan).
ocm_in()
{
	local ns
	case $1 in
	srv) ns=$OCM_NS_SRV ;;
	cli) ns=$OCM_NS_CLI ;;
	lan) ns=$OCM_NS_LAN ;;
	*) ocm_fail "ocm_in: unknown namespace $1" ;;
	esac
	shift
	ip netns exec "$ns" "$@"
}

# ocm_bg NS LOG CMD...: start CMD in the background in one of our namespaces (stdout+stderr to
# LOG); its PID (the command itself, not a subshell) goes to OCM_BG_PID and the cleanup list.
ocm_bg()
{
	local ns
	case $1 in
	srv) ns=$OCM_NS_SRV ;;
	cli) ns=$OCM_NS_CLI ;;
	lan) ns=$OCM_NS_LAN ;;
	*) ocm_fail "ocm_bg: unknown namespace $1" ;;
	esac
	local log=$2
	shift 2
	ip netns exec "$ns" "$@" </dev/null >"$log" 2>&1 &
	OCM_BG_PID=$!
	OCM_PIDS+=("$OCM_BG_PID")
}

# ocm_python: the system interpreter (its ssl module), not a user's pyenv shim.
ocm_python()
{
	if [ -x /usr/bin/python3 ]; then
		/usr/bin/python3 "$@"
	else
		python3 "$@"
	fi
}
