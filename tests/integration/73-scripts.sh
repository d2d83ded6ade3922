#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# connect-script / disconnect-script: a script recording its environment gets ocserv's
# variables (USERNAME, GROUPNAME, IP_REAL, IP_REMOTE, IP_LOCAL, DEVICE, ID, REASON, routes and
# DNS); on log-off the disconnect-script gets REASON=disconnect and the byte counters of the
# traffic sent; a connect-script exiting 1 (for user mallory) refuses the login: openconnect
# exits and `occtl show users` stays empty. The scripts also get USER_AGENT, DEVICE_TYPE and
# DEVICE_PLATFORM (openconnect --os android sends them) and OCSERV_RESTRICT_TO_ROUTES (alice's
# per-user file); the host-update-script runs once the tunnel is up with REASON=host-update and
# the hostname the client sent.
# Usage: 73-scripts.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
# shellcheck source=lib/ops.sh
. "$OCM_LIB_DIR/ops.sh"
# shellcheck source=lib/i6.sh
. "$OCM_LIB_DIR/i6.sh"

ops_init
ocm_setup_net
ocm_make_certs
ops_add_user alice 'Script-Pass-1' engineering
ocm_add_user mallory 'Script-Pass-2'

# The scripts run with no PATH, through the privileged spawner: absolute paths everywhere,
# and an output directory anyone may write.
out_dir=$OCM_WORK/script-out
mkdir -p "$out_dir" && chmod 1777 "$out_dir"
script=$OCM_WORK/record-env.sh
cat >"$script" <<EOF
#!/bin/sh
# Records the environment in $out_dir/\$REASON-\$USERNAME.env (written whole, then renamed).
f="$out_dir/\$REASON-\$USERNAME.env"
/usr/bin/env | /usr/bin/sort >"\$f.tmp.\$\$" && /bin/mv "\$f.tmp.\$\$" "\$f"
[ "\$USERNAME" = mallory ] && exit 1
exit 0
EOF
chmod 755 "$script"
mkdir -p "$OCM_WORK/users"
printf 'restrict-user-to-routes = true\n' >"$OCM_WORK/users/alice"
ops_write_config "connect-script = $script" "disconnect-script = $script" \
	"host-update-script = $script" "config-per-user = $OCM_WORK/users/"
ocm_start_server

# env_var FILE VAR: a variable of a recorded environment.
env_var() { sed -n "s/^$2=//p" "$out_dir/$1.env" | head -n1; }

# expect_env FILE VAR EXPECTED
expect_env()
{
	local got
	got=$(env_var "$1" "$2")
	[ "$got" = "$3" ] || ocm_fail "$1.env: expected $2='$3', got '$got'"
	ocm_ok "$1.env: $2=$got"
}

# --- connect ---
ocm_connect c1 alice 'Script-Pass-1' --os android
ocm_wait 10 "connect-alice.env" test -s "$out_dir/connect-alice.env" ||
	ocm_fail "expected the connect-script to write $out_dir/connect-alice.env"
ocm_wait 10 "alice in show users" ops_user_present alice || ocm_fail "expected alice in show users"
a4=$(ocm_client_var c1 INTERNAL_IP4_ADDRESS)
expect_env connect-alice REASON connect
expect_env connect-alice USERNAME alice
expect_env connect-alice GROUPNAME engineering
expect_env connect-alice IP_REAL 198.18.0.2
expect_env connect-alice IP_REAL_LOCAL "$OCM_SRV_IP"
expect_env connect-alice IP_REMOTE "$a4"
expect_env connect-alice ID "$(ops_user_field alice ID)"
expect_env connect-alice OCSERV_DNS 198.18.1.53
expect_env connect-alice OCSERV_ROUTES4 198.18.1.0/24
dev=$(env_var connect-alice DEVICE)
[ -n "$dev" ] && ocm_in srv ip link show dev "$dev" >/dev/null 2>&1 ||
	ocm_fail "connect-alice.env: expected DEVICE to name the server's tun (ocmtun), got '$dev'"
ocm_ok "connect-alice.env: DEVICE=$dev exists in the server namespace"
ip_local=$(env_var connect-alice IP_LOCAL)
ocm_python -c 'import ipaddress, sys; sys.exit(0 if ipaddress.ip_address(sys.argv[1]) in ipaddress.ip_network(sys.argv[2]) else 1)' \
	"$ip_local" "$OCM_POOL4" 2>/dev/null ||
	ocm_fail "connect-alice.env: expected IP_LOCAL in $OCM_POOL4, got '$ip_local'"
[ "$ip_local" != "$a4" ] || ocm_fail "connect-alice.env: expected IP_LOCAL != IP_REMOTE ($a4)"
ocm_ok "connect-alice.env: IP_LOCAL=$ip_local"
expect_env connect-alice OCSERV_RESTRICT_TO_ROUTES 1
ua=$(env_var connect-alice USER_AGENT)
[[ $ua == *AnyConnect* ]] || ocm_fail "connect-alice.env: expected openconnect's User-Agent in USER_AGENT, got '$ua'"
ocm_ok "connect-alice.env: USER_AGENT=$ua"
for v in DEVICE_TYPE DEVICE_PLATFORM; do
	grep -q "^$v=" "$out_dir/connect-alice.env" ||
		ocm_fail "connect-alice.env: expected $v to be set (as ocserv), it is missing"
done
expect_env connect-alice DEVICE_PLATFORM android
ocm_ok "connect-alice.env: DEVICE_TYPE='$(env_var connect-alice DEVICE_TYPE)' DEVICE_PLATFORM=android"

# --- host-update-script: once the tunnel is up, with the client's hostname ---
ocm_wait 10 "host-update-alice.env" test -s "$out_dir/host-update-alice.env" ||
	ocm_fail "expected the host-update-script to write $out_dir/host-update-alice.env"
expect_env host-update-alice REASON host-update
expect_env host-update-alice USERNAME alice
expect_env host-update-alice IP_REMOTE "$a4"
expect_env host-update-alice ID "$(env_var connect-alice ID)"
h=$(env_var host-update-alice HOSTNAME)
[ -n "$h" ] && [ "$h" = "$(env_var connect-alice HOSTNAME)" ] ||
	ocm_fail "host-update-alice.env: expected the client's HOSTNAME (as at connect: '$(env_var connect-alice HOSTNAME)'), got '$h'"
ocm_ok "host-update-alice.env: HOSTNAME=$h"

grep -qE '^STATS_' "$out_dir/connect-alice.env" &&
	ocm_fail "connect-alice.env: expected no STATS_* at connect, got: $(grep '^STATS_' "$out_dir/connect-alice.env")"
[ -e "$out_dir/disconnect-alice.env" ] && ocm_fail "expected no disconnect-script run while alice is connected"

# --- traffic, then log-off: the disconnect-script gets the counters ---
out=$(ocm_in cli timeout 60 ping -n -q -c 100 -i 0.01 -s 1000 -W 2 "$OCM_LAN_IP" 2>&1)
recv=$(sed -n 's/.* \([0-9]\+\) received.*/\1/p' <<<"$out")
[ "${recv:-0}" -ge 90 ] || ocm_fail "ping flood: expected >= 90 of 100 replies, got ${recv:-0}"
ocm_stop_client c1
ocm_wait 15 "disconnect-alice.env" test -s "$out_dir/disconnect-alice.env" ||
	ocm_fail "expected the disconnect-script to write $out_dir/disconnect-alice.env within 15 s"
expect_env disconnect-alice REASON disconnect
expect_env disconnect-alice USERNAME alice
expect_env disconnect-alice IP_REAL 198.18.0.2
expect_env disconnect-alice IP_REMOTE "$a4"
expect_env disconnect-alice ID "$(env_var connect-alice ID)"
want=$((recv * 1028)) # 1000 bytes of payload + 28 of headers, each way
for v in STATS_BYTES_IN STATS_BYTES_OUT; do
	got=$(env_var disconnect-alice "$v")
	[[ $got =~ ^[0-9]+$ ]] && [ "$got" -ge "$want" ] ||
		ocm_fail "disconnect-alice.env: expected $v >= $want ($recv 1028-byte packets), got '$got'"
	ocm_ok "disconnect-alice.env: $v=$got"
done
d=$(env_var disconnect-alice STATS_DURATION)
[[ $d =~ ^[0-9]+$ ]] || ocm_fail "disconnect-alice.env: expected a number in STATS_DURATION, got '$d'"

# --- a connect-script exiting 1 refuses the session ---
ocm_start_client m mallory 'Script-Pass-2'
ocm_wait 40 "openconnect of mallory to give up" ocm_client_exited m ||
	ocm_fail "expected openconnect to exit when the connect-script refuses mallory, it still runs"
[ -s "$out_dir/connect-mallory.env" ] ||
	ocm_fail "expected the connect-script to have run for mallory (no connect-mallory.env)"
ip -n "$OCM_NS_CLI" -4 addr show dev oc-m 2>/dev/null | grep -q 'inet ' &&
	ocm_fail "expected no tunnel address on oc-m for the refused mallory"
n=$(ops_occtl -j show users | ops_py count)
[ "$n" = 0 ] || ocm_fail "occtl show users: expected 0 users after the refused login, got $n"
grep -q "connect-script refused the session of mallory" "$OCM_WORK/server.log" ||
	ocm_fail "expected 'connect-script refused the session of mallory' in the server log"
grep -q 'HTTP/1.1 401' "$OCM_WORK/client-m.log" ||
	ocm_fail "expected openconnect to be answered 401 for mallory, its log ends: $(tail -n3 "$OCM_WORK/client-m.log")"
ocm_ok "mallory refused: $(grep -m1 'HTTP/1.1 401' "$OCM_WORK/client-m.log")"
ocm_server_alive || ocm_fail "server exited"
