#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# openconnect --script for the benchmark: runs the integration tests' client script (brings
# the tun up with the pushed address, MTU and routes), then records when the tunnel was up
# (nanoseconds since the epoch) in $OCM_CLIENT_ENV.up for the connect-time measurement.
"${OCM_LIB_DIR:?}/client-script.sh" || exit
case "${reason:-}" in
connect)
	[ -n "${OCM_CLIENT_ENV:-}" ] && date +%s%N >"$OCM_CLIENT_ENV.up"
	;;
esac
exit 0
