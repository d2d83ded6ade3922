#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# CSTP MTU: a ping with DF set that fills the tunnel MTU exactly gets through the tunnel
# (IPv4: mtu - 28, IPv6: mtu - 48); one byte more is refused.
# Usage: 21-cstp-mtu-df.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"

ocm_init
ocm_setup_net
ocm_make_certs
ocm_add_user test 'Mtu-Pass-1'
ocm_write_config
ocm_start_server
ocm_connect c1 test 'Mtu-Pass-1'

mtu=$(ocm_in cli cat /sys/class/net/oc-c1/mtu)
pushed=$(ocm_client_var c1 INTERNAL_IP4_MTU)
[ "$mtu" = "$pushed" ] || ocm_fail "expected oc-c1 mtu = pushed MTU $pushed, got $mtu"
ocm_log "tunnel MTU $mtu"

# ping_df ADDR SIZE: 0 if 3 DF pings of SIZE payload bytes get at least 2 replies.
ping_df()
{
	local out got
	out=$(ocm_in cli timeout 15 ping -n -M "do" -c 3 -i 0.2 -W 2 -s "$2" "$1" 2>&1)
	got=$(sed -n 's/.* \([0-9]\+\) received.*/\1/p' <<<"$out")
	ocm_log "ping -M do -s $2 $1: ${got:-0}/3 replies $(grep -m1 -io 'message too long.*' <<<"$out")"
	[ "${got:-0}" -ge 2 ]
}

ping_df "$OCM_LAN_IP" $((mtu - 28)) ||
	ocm_fail "IPv4: expected a DF ping of $((mtu - 28)) bytes (= tunnel MTU $mtu) to pass"
ping_df "$OCM_LAN_IP" $((mtu - 27)) &&
	ocm_fail "IPv4: expected a DF ping of $((mtu - 27)) bytes (MTU + 1) to fail, it passed"
ocm_ok "IPv4: $((mtu - 28)) bytes with DF pass, $((mtu - 27)) do not"

if [ "$mtu" -ge 1280 ]; then
	ping_df "$OCM_LAN_IP6" $((mtu - 48)) ||
		ocm_fail "IPv6: expected a ping of $((mtu - 48)) bytes (= tunnel MTU $mtu) to pass"
	ping_df "$OCM_LAN_IP6" $((mtu - 47)) &&
		ocm_fail "IPv6: expected a ping of $((mtu - 47)) bytes (MTU + 1) to fail, it passed"
	ocm_ok "IPv6: $((mtu - 48)) bytes pass, $((mtu - 47)) do not"
fi

# The reverse direction: the LAN host sends full-size DF packets to the client.
a4=$(ocm_client_var c1 INTERNAL_IP4_ADDRESS)
out=$(ocm_in lan timeout 15 ping -n -M "do" -c 3 -i 0.2 -W 2 -s $((mtu - 28)) "$a4" 2>&1)
got=$(sed -n 's/.* \([0-9]\+\) received.*/\1/p' <<<"$out")
[ "${got:-0}" -ge 2 ] ||
	ocm_fail "lan -> client: expected DF pings of $((mtu - 28)) bytes to pass, got ${got:-0}/3"
ocm_ok "lan -> client: full-MTU DF pings pass"
ocm_server_alive || ocm_fail "server exited"
