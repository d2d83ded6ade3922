#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Minimal openconnect --script for the test client namespace: brings the tun up with the
# pushed addresses, MTU and split routes (nothing else: no DNS, no /etc changes) and
# records the variables openconnect passed in $OCM_CLIENT_ENV (one KEY=VALUE per line).
# With OCM_VPNC_SCRIPT set (e.g. Debian's /usr/share/vpnc-scripts/vpnc-script), that script
# configures the interface instead and this one only records the variables.
set -u
reason=${reason:-}

log() { echo "client-script[$reason]: $*" >&2; }

add_routes() {
	fam=$1 count=$2 prefix=$3
	i=0
	while [ "$i" -lt "$count" ]; do
		eval "addr=\${${prefix}_${i}_ADDR:-} len=\${${prefix}_${i}_MASKLEN:-}"
		if [ -n "$addr" ] && [ -n "$len" ]; then
			ip "$fam" route replace "$addr/$len" dev "$TUNDEV" || log "route $addr/$len failed"
		fi
		i=$((i + 1))
	done
}

record_env() {
	[ -n "${OCM_CLIENT_ENV:-}" ] || return 0
	env | grep -E '^(INTERNAL_|CISCO_|VPNGATEWAY|TUNDEV|reason|IDLE_TIMEOUT)' | sort \
		>"$OCM_CLIENT_ENV.tmp" && mv "$OCM_CLIENT_ENV.tmp" "$OCM_CLIENT_ENV"
}

if [ -n "${OCM_VPNC_SCRIPT:-}" ]; then
	"$OCM_VPNC_SCRIPT" || exit
	case "${reason:-}" in connect|reconnect) record_env ;; esac
	exit 0
fi

case "${reason:-}" in
pre-init)
	;;
connect|reconnect)
	mtu=${INTERNAL_IP4_MTU:-1300}
	ip link set dev "$TUNDEV" up mtu "$mtu" || log "link up failed"
	if [ -n "${INTERNAL_IP4_ADDRESS:-}" ]; then
		ip -4 addr replace "$INTERNAL_IP4_ADDRESS/32" dev "$TUNDEV" || log "ipv4 failed"
	fi
	if [ -n "${INTERNAL_IP6_NETMASK:-}" ] && [ "${INTERNAL_IP6_NETMASK#*/}" != "$INTERNAL_IP6_NETMASK" ]; then
		a6="${INTERNAL_IP6_ADDRESS:-${INTERNAL_IP6_NETMASK%/*}}/${INTERNAL_IP6_NETMASK#*/}"
	elif [ -n "${INTERNAL_IP6_ADDRESS:-}" ]; then
		a6="$INTERNAL_IP6_ADDRESS/128"
	else
		a6=""
	fi
	if [ -n "$a6" ]; then
		ip -6 addr replace "$a6" dev "$TUNDEV" nodad || log "ipv6 $a6 failed"
	fi
	add_routes -4 "${CISCO_SPLIT_INC:-0}" CISCO_SPLIT_INC
	add_routes -6 "${CISCO_IPV6_SPLIT_INC:-0}" CISCO_IPV6_SPLIT_INC
	record_env
	;;
disconnect|attempt-reconnect)
	;;
*)
	log "ignored"
	;;
esac
exit 0
