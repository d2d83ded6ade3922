#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# occtl: a connected openconnect client appears in `occtl -j show users` with its Username,
# Groupname (ocpasswd -g), Remote IP and the IPv4/IPv6 of its tun; RX/TX grow by the bytes of a
# ping flood (at least them, at most 1.3x + 4 KiB: no double counting) and print them in ocserv
# 1.1.6's units; `show status` counts 1 active session and has the fields exporters read
# (raw_up_since, uptime, raw_rx, raw_*_time, Sec-mod instance count …); a logged-off session
# counts in "Total sessions" and the session times.
# Usage: 41-occtl-users.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
# shellcheck source=lib/ops.sh
. "$OCM_LIB_DIR/ops.sh"

ops_init
ocm_setup_net
ocm_make_certs
ops_add_user alice 'Users-Pass-1' engineering
ops_write_config
ocm_start_server

n=$(ops_occtl -j show users | ops_py count) || ocm_fail "occtl -j show users failed before any login"
[ "$n" = 0 ] || ocm_fail "expected 0 users before the login, got $n"
ocm_connect c1 alice 'Users-Pass-1'
ocm_wait 10 "alice in show users" ops_user_present alice ||
	ocm_fail "expected alice in occtl -j show users, got: $(ops_occtl -j show users 2>&1 | head -c 600)"

# expect_field FIELD EXPECTED
expect_field()
{
	local got
	got=$(ops_user_field alice "$1")
	[ "$got" = "$2" ] || ocm_fail "show users: expected $1 '$2', got '$got'"
	ocm_ok "show users: $1 = $got"
}

tun4=$(ip -n "$OCM_NS_CLI" -4 -o addr show dev oc-c1 | awk '{print $4}' | cut -d/ -f1 | head -n1)
tun6=$(ip -n "$OCM_NS_CLI" -6 -o addr show dev oc-c1 scope global | awk '{print $4}' |
	cut -d/ -f1 | head -n1)
[ -n "$tun4" ] || ocm_fail "expected an IPv4 address on the client's oc-c1, got none"
[ -n "$tun6" ] || ocm_fail "expected a global IPv6 address on the client's oc-c1, got none"
expect_field Username alice
expect_field Groupname engineering
expect_field "Remote IP" 198.18.0.2
expect_field IPv4 "$tun4"
got6=$(ops_user_field alice IPv6)
[ "${got6%/*}" = "$tun6" ] || ocm_fail "show users: expected IPv6 '$tun6' (oc-c1), got '$got6'"
ocm_ok "show users: IPv6 = $got6"

active=$(ops_status_field "Active sessions")
[ "$active" = 1 ] || ocm_fail "show status: expected 'Active sessions' 1, got '$active'"
ocm_ok "show status: Active sessions = 1"
ops_occtl show status | grep -q 'Active sessions: 1' ||
	ocm_fail "occtl show status (text): expected 'Active sessions: 1', got: $(ops_occtl show status | grep -i active)"

rx0=$(ops_user_field alice RX)
tx0=$(ops_user_field alice TX)
# 200 echo requests of 1000 bytes of payload: 1028 bytes of IPv4 packet each way.
out=$(ocm_in cli timeout 60 ping -n -q -c 200 -i 0.01 -s 1000 -W 2 "$OCM_LAN_IP" 2>&1)
recv=$(sed -n 's/.* \([0-9]\+\) received.*/\1/p' <<<"$out")
[ "${recv:-0}" -ge 190 ] || ocm_fail "ping flood: expected >= 190 of 200 replies, got ${recv:-0}"
rx1=$(ops_user_field alice RX)
tx1=$(ops_user_field alice TX)
want_rx=$((recv * 1028)) # every answered request reached the server
want_tx=$((recv * 1028))
[ $((rx1 - rx0)) -ge "$want_rx" ] ||
	ocm_fail "show users: expected RX to grow by >= $want_rx bytes ($recv requests answered), got $rx0 -> $rx1 (+$((rx1 - rx0)))"
[ $((tx1 - tx0)) -ge "$want_tx" ] ||
	ocm_fail "show users: expected TX to grow by >= $want_tx bytes ($recv replies), got $tx0 -> $tx1 (+$((tx1 - tx0)))"
# An upper bound too: counting a packet twice (TLS and TUN, say) must fail.
max_rx=$((want_rx * 13 / 10 + 4096))
max_tx=$((want_tx * 13 / 10 + 4096))
[ $((rx1 - rx0)) -le "$max_rx" ] ||
	ocm_fail "show users: expected RX to grow by <= $max_rx bytes (1.3 x $want_rx + 4 KiB), got +$((rx1 - rx0))"
[ $((tx1 - tx0)) -le "$max_tx" ] ||
	ocm_fail "show users: expected TX to grow by <= $max_tx bytes (1.3 x $want_tx + 4 KiB), got +$((tx1 - tx0))"
ocm_ok "RX $rx0 -> $rx1, TX $tx0 -> $tx1 after 200x1000-byte pings ($recv replies)"

# Human-readable forms exactly as ocserv 1.1.6's occtl prints them (bytes2human, "/sec").
ops_occtl -j show users | ocm_python -c '
import json, re, sys
u = json.load(sys.stdin)[0]
def human(b, suffix=""):
    if 1000 < b < 1000**2: return "%.1f KB%s" % (b / 1000, suffix)
    if 1000**2 <= b < 1000**3: return "%.1f MB%s" % (b / 1000**2, suffix)
    if b >= 1000**3: return "%.1f GB%s" % (b / 1000**3, suffix)
    return "%d bytes%s" % (b, suffix)
for k in ("RX", "TX"):
    want = human(int(u[k]))
    if u["_" + k] != want:
        sys.exit("_%s: expected %r for %s bytes, got %r" % (k, want, u[k], u["_" + k]))
for k in ("Average RX", "Average TX"):
    if not re.fullmatch(r"([0-9]+ bytes|[0-9]+\.[0-9] [KMG]B)/sec", u[k]):
        sys.exit("%s: expected ocserv 1.1.6 form \"N bytes/sec\" or \"N.N KB/sec\", got %r" % (k, u[k]))
' || ocm_fail "occtl -j show users: human-readable units differ from ocserv 1.1.6 (above)"
ops_occtl show user alice | grep -qE $'^\tRX: [0-9]+ \([0-9.]+ (bytes|KB|MB|GB)\)   TX: [0-9]+ \(' ||
	ocm_fail "occtl show user: expected '\tRX: N (H)   TX: N (H)', got: $(ops_occtl show user alice | grep RX)"
ops_occtl show user alice | grep -qE $'^\tAverage bandwidth RX: [0-9.]+ (bytes|KB|MB|GB)/sec  TX: ' ||
	ocm_fail "occtl show user: expected '\tAverage bandwidth RX: … /sec  TX: …', got: $(ops_occtl show user alice | grep Average)"
ocm_ok "human-readable RX/TX and averages in ocserv 1.1.6 units"

# occtl -j show status: the fields (and kinds of values) of ocserv 1.1.6.
ops_occtl -j show status | ocm_python -c '
import json, sys, time
s = json.load(sys.stdin)
ints = ["Server PID", "Sec-mod PID", "Sec-mod instance count", "raw_up_since", "uptime",
        "Active sessions", "Total sessions", "Total authentication failures", "IPs in ban list",
        "raw_last_stats_reset", "Sessions handled", "Timed out sessions",
        "Timed out (idle) sessions", "Closed due to error sessions", "Authentication failures",
        "raw_avg_auth_time", "raw_max_auth_time", "raw_avg_session_time", "raw_max_session_time",
        "raw_rx", "raw_tx"]
strs = ["Status", "Up since", "_Up since", "Last stats reset", "_Last stats reset",
        "Average auth time", "Max auth time", "Average session time", "Max session time", "RX", "TX"]
for k in ints:
    if not isinstance(s.get(k), int):
        sys.exit("expected an integer %r, got %r" % (k, s.get(k)))
for k in strs:
    if not isinstance(s.get(k), str) or not s[k]:
        sys.exit("expected a string %r, got %r" % (k, s.get(k)))
if s["Sec-mod instance count"] < 1:
    sys.exit("expected Sec-mod instance count >= 1, got %r" % s["Sec-mod instance count"])
if abs(time.time() - s["raw_up_since"] - s["uptime"]) > 5:
    sys.exit("expected uptime = now - raw_up_since, got %r and %r" % (s["uptime"], s["raw_up_since"]))
if s["raw_rx"] < int(sys.argv[1]) or s["raw_tx"] < int(sys.argv[2]):
    sys.exit("expected raw_rx >= %s and raw_tx >= %s, got %r %r" % (sys.argv[1], sys.argv[2], s["raw_rx"], s["raw_tx"]))
' "$rx1" "$tx1" || ocm_fail "occtl -j show status: fields differ from ocserv 1.1.6 (above)"
ocm_ok "show status: ocserv 1.1.6 fields (raw_up_since, uptime, raw_rx, raw_*_time, Sec-mod …)"

# A second, plain user: two entries, the count follows.
ocm_add_user bob 'Users-Pass-2'
ocm_connect c2 bob 'Users-Pass-2'
ocm_wait 10 "2 active sessions" sh -c "[ \"\$(\"$OCM_OCCTL_BIN\" -s '$OCM_OCCTL_SOCK' -j show status | \
	'$OPS_PYTHON' '$OCM_LIB_DIR/ops.py' obj-field 'Active sessions')\" = 2 ]" ||
	ocm_fail "show status: expected 'Active sessions' 2 with two clients, got '$(ops_status_field "Active sessions")'"
n=$(ops_occtl -j show users | ops_py count)
[ "$n" = 2 ] || ocm_fail "expected 2 entries in show users, got $n"
ocm_ok "two clients: 2 users, Active sessions 2"

# bob logs off: his session ends and counts in Total sessions (as ocserv: sessions closed).
total0=$(ops_status_field "Total sessions")
[ "$total0" = 0 ] || ocm_fail "show status: expected 'Total sessions' 0 before any session ended, got '$total0'"
sleep 2 # a session time of at least a second
ocm_stop_client c2
ocm_wait 15 "Total sessions = 1" sh -c "[ \"\$(\"$OCM_OCCTL_BIN\" -s '$OCM_OCCTL_SOCK' -j show status | \
	'$OPS_PYTHON' '$OCM_LIB_DIR/ops.py' obj-field 'Total sessions')\" = 1 ]" ||
	ocm_fail "show status: expected 'Total sessions' 1 after bob logged off, got '$(ops_status_field "Total sessions")'"
mst=$(ops_status_field raw_max_session_time)
[ "${mst:-0}" -ge 2 ] || ocm_fail "show status: expected raw_max_session_time >= 2 after a 2+ s session, got '$mst'"
ocm_ok "bob logged off: Total sessions 1, raw_max_session_time $mst"
ocm_server_alive || ocm_fail "server exited"
