# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Sourced by tests/integration/7N-*.sh after lib/netns.sh and lib/ops.sh: helpers for the
# issue #6 tests (reload, per-user files, bandwidth limits, connect/disconnect scripts).

# i6_log_count PATTERN: lines of the server log matching the fixed string PATTERN.
i6_log_count() { grep -cF -- "$1" "$OCM_WORK/server.log"; }

# i6_log_grew PATTERN COUNT: true once the server log has more than COUNT lines with PATTERN.
i6_log_grew() { [ "$(i6_log_count "$1")" -gt "$2" ]; }

# i6_tunnels USER: how many tunnels of USER came up so far (server log).
i6_tunnels() { i6_log_count ", $1): tunnel up"; }

# i6_expect_var CLIENT VAR EXPECTED: a variable openconnect passed to the client script.
i6_expect_var()
{
	local got
	got=$(ocm_client_var "$1" "$2")
	[ "$got" = "$3" ] || ocm_fail "client $1: expected $2='$3', got '$got'"
	ocm_ok "client $1: $2=$got"
}

# i6_split_routes CLIENT: the IPv4 and IPv6 split-include routes pushed to CLIENT, sorted,
# one "addr/len" a line (from the client script's recorded variables).
i6_split_routes()
{
	local f=$OCM_WORK/client-$1.env
	{
		sed -n 's/^CISCO_SPLIT_INC_\([0-9]*\)_ADDR=\(.*\)$/\1 \2/p' "$f" | while read -r i a; do
			echo "$a/$(sed -n "s/^CISCO_SPLIT_INC_${i}_MASKLEN=//p" "$f")"
		done
		sed -n 's/^CISCO_IPV6_SPLIT_INC_\([0-9]*\)_ADDR=\(.*\)$/\1 \2/p' "$f" | while read -r i a; do
			echo "$a/$(sed -n "s/^CISCO_IPV6_SPLIT_INC_${i}_MASKLEN=//p" "$f")"
		done
	} | sort
}

# i6_ping_via CLIENT COUNT: pings the LAN host through CLIENT's tun (bound to oc-CLIENT, so
# another client's routes in the same namespace do not matter); prints the replies received.
i6_ping_via()
{
	local out
	out=$(ocm_in cli timeout $((2 * $2 + 10)) ping -n -q -I "oc-$1" -c "$2" -i 0.2 -W 2 \
		"$OCM_LAN_IP" 2>&1)
	sed -n 's/.* \([0-9]\+\) received.*/\1/p' <<<"$out" | grep . || echo 0
}

# i6_gone PID: true once PID has exited.
i6_gone() { ! ocm_alive "$1"; }
