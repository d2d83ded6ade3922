#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# enable-ebpf semantics when eBPF cannot load: the server is started with CAP_BPF,
# CAP_SYS_ADMIN and CAP_PERFMON removed from its bounding set (setpriv), so no program can be
# loaded. enable-ebpf = true refuses to start and says why; auto starts, logs the fallback once,
# attaches nothing, reports ocserv_modern_ebpf_active 0, turns on the user-space connection
# limiter, and its bans hold in user space.
# Usage: 56-bpf-unavailable.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
# shellcheck source=lib/ops.sh
. "$OCM_LIB_DIR/ops.sh"

A=198.18.3.2

ops_init bpftool setpriv
"$OPS_PYTHON" -c 'import prometheus_client' 2>/dev/null ||
	ocm_skip "python3 module prometheus_client is not installed (python3-prometheus-client)"
ocm_setup_net
ocm_routed_source "$A" v0
ocm_make_certs
ocm_add_user alice 'Nobpf-Pass-1'
real_bin=$OCM_SERVER_BIN
# exec keeps the PID: OCM_SERVER_PID is the server itself.
printf '#!/bin/sh\nexec setpriv --bounding-set -bpf,-sys_admin,-perfmon -- %q "$@"\n' "$real_bin" \
	>"$OCM_WORK/server-nobpf.sh"
chmod 755 "$OCM_WORK/server-nobpf.sh"
OCM_SERVER_BIN=$OCM_WORK/server-nobpf.sh

# --- enable-ebpf = true: refuses to start ---
ops_write_config "enable-ebpf = true"
ocm_in srv timeout 30 "$OCM_SERVER_BIN" -f -c "$OCM_WORK/ocserv.conf" </dev/null \
	>"$OCM_WORK/strict.log" 2>&1
st=$?
[ "$st" -ne 0 ] && [ "$st" -ne 124 ] ||
	ocm_fail "enable-ebpf = true without eBPF: expected the server to exit with an error, got status $st: $(tail -n 3 "$OCM_WORK/strict.log")"
grep -q "enable-ebpf = true, but eBPF is unavailable" "$OCM_WORK/strict.log" ||
	ocm_fail "enable-ebpf = true: expected 'enable-ebpf = true, but eBPF is unavailable' in its log, got: $(tail -n 5 "$OCM_WORK/strict.log")"
ocm_ok "enable-ebpf = true refuses to start: $(grep -m1 'eBPF is unavailable' "$OCM_WORK/strict.log")"

# --- enable-ebpf = auto: starts in user space ---
ops_write_config "enable-ebpf = auto" "udp-port = $OCM_PORT" "max-ban-score = 30" \
	"ban-points-connection = 1" "min-reauth-time = 60" "metrics-listen = 127.0.0.1:9812"
ocm_start_server
ocm_wait 10 "metrics listener" ocm_in srv ss -Htln "sport = :9812" ||
	ocm_fail "expected the metrics listener on 127.0.0.1:9812"
n=$(grep -c "eBPF unavailable" "$OCM_WORK/server.log")
[ "$n" = 1 ] || ocm_fail "enable-ebpf = auto: expected one 'eBPF unavailable' line, got $n"
progs=$(ocm_in srv "$OPS_PYTHON" "$OCM_LIB_DIR/ops.py" net-progs xdp)$(ops_py pid-progs "$OCM_SERVER_PID" tun_guard)
[ -z "$progs" ] || ocm_fail "enable-ebpf = auto without eBPF: expected no program, got '$progs'"
[ "$(ops_metric ocserv_modern_ebpf_active)" = 0 ] ||
	ocm_fail "expected ocserv_modern_ebpf_active 0, got $(ops_metric ocserv_modern_ebpf_active)"
grep -q "new-connection limit 1000/s per source (burst 2000) in user space" "$OCM_WORK/server.log" ||
	ocm_fail "expected the user-space new-connection limit to be on"
ocm_ok "auto: started without eBPF ($(grep -m1 'eBPF unavailable' "$OCM_WORK/server.log" | sed 's/.*eBPF/eBPF/'))"
ocm_connect c1 alice 'Nobpf-Pass-1'
ocm_in cli ping -c2 -i 0.2 -W2 -q -I oc-c1 "$OCM_LAN_IP" >/dev/null || ocm_fail "expected the tunnel to pass pings"
msg=$(ops_occtl ban ip "$A" 60 2>&1) || ocm_fail "occtl ban ip $A: $msg"
v=$(ops_tcp_probe cli "$OCM_SRV_IP" 2 "$A" 1 | sort | uniq -c | xargs)
[ "$v" = "2 closed" ] || ocm_fail "auto without eBPF: expected the ban of $A enforced in user space (2 closed), got: $v"
ocm_ok "auto without eBPF: tunnel works, ban of $A enforced in user space"
ocm_server_alive || ocm_fail "server exited"
