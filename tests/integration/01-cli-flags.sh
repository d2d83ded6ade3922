#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ocserv's command-line flags: -t (exit 0 for a good config, 1 with "file:line: key: why" for a
# bad one — including a tls-priorities string only the TLS module can judge), -v, -d accepted,
# -p writes the pid file and removal on SIGTERM, and daemon mode (no -f) with its pid file.
# Usage: 01-cli-flags.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"

ocm_init
ocm_is_ours || ocm_skip "ocserv-modern only (its -t messages)"
ocm_setup_net
ocm_make_certs
ocm_add_user test 'Cli-Pass-1'
bin=$OCM_SERVER_BIN
conf=$OCM_WORK/ocserv.conf

# -v
out=$(timeout 10 "$bin" -v 2>&1)
rc=$?
[ "$rc" -eq 0 ] && [[ $out == "ocserv-modern "* ]] ||
	ocm_fail "-v: expected exit 0 and 'ocserv-modern <version>', got $rc '$out'"
ocm_ok "-v: $out"

# -t on a good config (with -d, which must be accepted)
ocm_write_config
out=$(timeout 10 "$bin" -t -d 3 -c "$conf" 2>&1)
rc=$?
[ "$rc" -eq 0 ] && grep -q 'configuration is valid' <<<"$out" ||
	ocm_fail "-t good config: expected exit 0 and 'configuration is valid', got $rc: $out"
ocm_ok "-t -d 3 on a good config: exit 0"

# expect_bad PATTERN [KEY-LINE]...: -t must exit 1 and name this file, the line of the last
# KEY-LINE (written last) and its key.
expect_bad()
{
	local want=$1 n line
	shift
	line=${*: -1}
	ocm_write_config "$@"
	n=$(wc -l <"$conf")
	out=$(timeout 10 "$bin" -t -c "$conf" 2>&1)
	rc=$?
	[ "$rc" -eq 1 ] || ocm_fail "-t with '$line': expected exit 1, got $rc: $out"
	grep -qF "$conf:$n: ${line%% *}: " <<<"$out" ||
		ocm_fail "-t with '$line': expected '$conf:$n: ${line%% *}: …', got: $out"
	grep -qE "$want" <<<"$out" || ocm_fail "-t with '$line': expected /$want/ in: $out"
	ocm_ok "-t with '$line': exit 1, $out"
}
expect_bad "BOGUS" "tls-priorities = NORMAL:+BOGUS-ELEMENT"
expect_bad "version" "tls-priorities = NORMAL:-VERS-ALL"
expect_bad "UNSAFE_RENEGOTIATION" "tls-priorities = NORMAL:%UNSAFE_RENEGOTIATION"
# Valid for TLS, but DTLS-PSK (udp-port set, dtls-psk default true) would have no cipher.
expect_bad "DTLS PSK" "udp-port = $OCM_PORT" "tls-priorities = NORMAL:-CIPHER-ALL:+AES-256-CBC:-VERS-TLS1.3"
expect_bad "." "tcp-port = 70000"
expect_bad "." "rekey-method = sometimes"
out=$(timeout 10 "$bin" -t -d nine -c "$conf" 2>&1)
[ $? -eq 1 ] || ocm_fail "-d nine: expected exit 1, got: $out"
ocm_ok "-d nine refused: $out"
out=$(timeout 10 "$bin" -t -c "$OCM_WORK/missing.conf" 2>&1)
[ $? -eq 1 ] || ocm_fail "-t on a missing file: expected exit 1, got: $out"
ocm_ok "-t on a missing file: exit 1"

# -p in the foreground: written once listening, removed on SIGTERM.
ocm_write_config
pidf=$OCM_WORK/fg.pid
OCM_SERVER_ARGS="-p $pidf" ocm_start_server
ocm_wait 10 "pid file $pidf" test -s "$pidf" || ocm_fail "-p: expected $pidf to be written"
[ "$(cat "$pidf")" = "$OCM_SERVER_PID" ] ||
	ocm_fail "-p: expected pid $OCM_SERVER_PID in $pidf, got '$(cat "$pidf")'"
ocm_connect c1 test 'Cli-Pass-1'
ocm_stop_client c1
ocm_check_server_exit || exit 1
[ -e "$pidf" ] && ocm_fail "-p: expected $pidf removed after SIGTERM"
ocm_ok "-p: pid file written with the server's pid and removed on exit"
OCM_SERVER_PID=""

# Daemon mode (no -f): the parent exits 0, the daemon writes the pid file and serves.
pidf=$OCM_WORK/daemon.pid
timeout 20 ip netns exec "$OCM_NS_SRV" "$bin" -c "$conf" -p "$pidf" </dev/null \
	>>"$OCM_WORK/daemon.log" 2>&1
rc=$?
[ "$rc" -eq 0 ] || ocm_fail "daemon mode: expected the parent to exit 0, got $rc"
ocm_wait 15 "daemon pid file" test -s "$pidf" || ocm_fail "daemon mode: no pid file $pidf"
dpid=$(cat "$pidf")
OCM_PIDS+=("$dpid") # started by us: the cleanup kills it if the test fails below
[ "$(ip netns identify "$dpid" 2>/dev/null)" = "$OCM_NS_SRV" ] ||
	ocm_fail "daemon mode: pid $dpid from $pidf is not our server"
ocm_wait 15 "daemon listening" eval "ip netns exec $OCM_NS_SRV ss -Htln 'sport = :$OCM_PORT' | grep -q ."
ocm_connect c2 test 'Cli-Pass-1'
ocm_stop_client c2
kill -TERM "$dpid"
ocm_wait 10 "daemon exit" eval "! kill -0 $dpid" || ocm_fail "daemon mode: pid $dpid still runs 10 s after SIGTERM"
[ -e "$pidf" ] && ocm_fail "daemon mode: expected $pidf removed after SIGTERM"
ocm_ok "daemon mode: parent exit 0, daemon pid $dpid served a client, pid file removed"
