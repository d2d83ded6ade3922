#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# CSTP data path: ping and ping6 from the client to the LAN host behind the server through the
# TLS tunnel, and from the LAN host back to the client's VPN addresses.
# Usage: 20-cstp-ping.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"

ocm_init
ocm_setup_net
ocm_make_certs
ocm_add_user test 'Ping-Pass-1'
ocm_write_config
ocm_start_server
ocm_connect c1 test 'Ping-Pass-1'
a4=$(ocm_client_var c1 INTERNAL_IP4_ADDRESS)
a6=$(ocm_client_var c1 INTERNAL_IP6_ADDRESS)

# expect_ping NS DESCRIPTION ADDR [ping options]: 5 echo requests, at least 4 answered.
expect_ping()
{
	local ns=$1 what=$2 addr=$3 out got
	shift 3
	out=$(ocm_in "$ns" timeout 20 ping -n -c 5 -i 0.2 -W 2 "$@" "$addr" 2>&1)
	got=$(sed -n 's/.* \([0-9]\+\) received.*/\1/p' <<<"$out")
	[ "${got:-0}" -ge 4 ] ||
		ocm_fail "$what: expected >= 4 of 5 replies from $addr, got ${got:-0}: $(tail -n 3 <<<"$out")"
	ocm_ok "$what: $got/5 replies from $addr ($(sed -n 's/^rtt.* = \([^ ]*\) ms/rtt \1 ms/p' <<<"$out"))"
}

expect_ping cli "client -> lan IPv4" "$OCM_LAN_IP"
expect_ping cli "client -> lan IPv6" "$OCM_LAN_IP6"
expect_ping lan "lan -> client IPv4" "$a4"
expect_ping lan "lan -> client IPv6" "$a6"
# Bigger packets too (still below the tunnel MTU).
expect_ping cli "client -> lan IPv4 1200 bytes" "$OCM_LAN_IP" -s 1200
expect_ping cli "client -> lan IPv6 1200 bytes" "$OCM_LAN_IP6" -s 1200

ocm_server_alive || ocm_fail "server exited"
