# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Sourced by tests/integration/4N-/5N-/6N-*.sh after lib/netns.sh: occtl (control socket in the
# work dir), metrics, users with groups, sentry probes and eBPF counters (lib/ops.py does the
# parsing). ocserv-modern only.
#   OCM_OCCTL_BIN  path of occtl; default: tools/occtl/occtl next to the server's build tree

OCM_OCCTL_SOCK=""
OCM_METRICS_URL="http://127.0.0.1:9812/metrics"
OPS_PYTHON=/usr/bin/python3 # the system interpreter (prometheus_client), not a pyenv shim
[ -x "$OPS_PYTHON" ] || OPS_PYTHON=python3

# ops_init [tools]...: ocm_init + our own checks (the occtl binary, python's prometheus_client).
ops_init()
{
	ocm_init "$@"
	ocm_is_ours || ocm_skip "tests the ocserv-modern control socket, sentry and eBPF"
	if [ -z "${OCM_OCCTL_BIN:-}" ]; then
		OCM_OCCTL_BIN=$(cd "$(dirname "$OCM_SERVER_BIN")/.." && pwd)/tools/occtl/occtl
	fi
	[ -x "$OCM_OCCTL_BIN" ] || ocm_missing "occtl '$OCM_OCCTL_BIN' is not built (set OCM_OCCTL_BIN)"
	OCM_OCCTL_SOCK=$OCM_WORK/occtl.sock
}

ops_py() { "$OPS_PYTHON" "$OCM_LIB_DIR/ops.py" "$@"; }

# ops_write_config ["key = value"]...: ocm_write_config plus the control socket in the work dir.
ops_write_config()
{
	ocm_write_config "use-occtl = true" "occtl-socket-file = $OCM_OCCTL_SOCK" "$@"
}

# ops_occtl ARGS...: occtl against our server's socket (bounded).
ops_occtl() { timeout 15 "$OCM_OCCTL_BIN" -s "$OCM_OCCTL_SOCK" "$@"; }

# ops_add_user USER PASSWORD GROUP: like ocm_add_user, with `ocpasswd -g GROUP`.
ops_add_user()
{
	printf '%s\n%s\n' "$2" "$2" | ocpasswd -c "$OCM_WORK/ocpasswd" -g "$3" "$1" >/dev/null 2>&1 ||
		ocm_fail "ocpasswd -g $3 $1"
}

# ops_user_field USER FIELD: a field of USER's entry in `occtl -j show users` (1 if absent).
ops_user_field()
{
	ops_occtl -j show users 2>>"$OCM_WORK/occtl.err" | ops_py user-field "$1" "$2"
}

ops_user_present() { ops_user_field "$1" Username >/dev/null; }

ops_status_field() { ops_occtl -j show status 2>>"$OCM_WORK/occtl.err" | ops_py obj-field "$1"; }

# ops_bans: the banned addresses (`occtl -j show ip bans`), one a line.
ops_bans() { ops_occtl -j show ip bans 2>>"$OCM_WORK/occtl.err" | ops_py ips; }

ops_is_banned() { ops_bans | grep -qxF "$1"; }
ops_not_banned() { ! ops_is_banned "$1"; }

# ops_metric NAME [label=value]...: a sample from the server's /metrics (scraped in srv).
ops_metric() { ocm_in srv timeout 15 "$OPS_PYTHON" "$OCM_LIB_DIR/ops.py" metric "$OCM_METRICS_URL" "$@"; }

# ops_tcp_probe NS HOST COUNT [SRC] [TIMEOUT]: verdicts of COUNT connections to the VPN port.
ops_tcp_probe()
{
	local ns=$1 host=$2 n=$3 src=${4:--} to=${5:-1}
	ocm_in "$ns" timeout $((n * 3 + 10)) "$OPS_PYTHON" "$OCM_LIB_DIR/ops.py" tcp-probe \
		"$host" "$OCM_PORT" "$n" "$src" "$to"
}

# ops_udp_send NS HOST PORT COUNT [SRC]
ops_udp_send()
{
	ocm_in "$1" timeout 30 "$OPS_PYTHON" "$OCM_LIB_DIR/ops.py" udp-send "$2" "$3" "$4" \
		"${5:--}" >/dev/null
}

# ops_xdp_prog DEV: id of the XDP program attached to DEV in the server namespace (empty: none).
ops_xdp_prog()
{
	ocm_in srv "$OPS_PYTHON" "$OCM_LIB_DIR/ops.py" net-progs xdp "$1"
}

# ops_xdp_counter DEV INDEX...: per-CPU sum of xdp_guard's guard_counters entries on DEV
# (src/bpf/shared/guard_maps.h: 0 passed, 1 dropped_banned, 2 dropped_rate, …).
ops_xdp_counter()
{
	local dev=$1 id
	shift
	id=$(ops_xdp_prog "$dev" | awk '{print $1}')
	[ -n "$id" ] || return 1
	ops_py prog-counter "$id" guard_counters "$@"
}

# ops_tc_counter INDEX...: per-CPU sum of the server's tun_guard tg_counters entries
# (shared/tun_guard_maps.h: 0 passed, 1 dropped_spoof, 2 dropped_bad). The program is found
# through the server's own file descriptors: bpftool net show does not list tcx links.
ops_tc_counter()
{
	local id
	id=$(ops_tun_guard_prog | awk '{print $1}')
	[ -n "$id" ] || return 1
	ops_py prog-counter "$id" tg_counters "$@"
}

# ops_tun_guard_prog: id of the tun_guard program our server holds (empty: none).
ops_tun_guard_prog() { ops_py pid-progs "$OCM_SERVER_PID" tun_guard; }

# ops_server_conns PEER_IP: how many connections from PEER_IP the server log mentions so far.
ops_server_conns() { grep -c "conn $1:" "$OCM_WORK/server.log"; }

# ops_count VERDICT <<<"probe output": how many lines say VERDICT.
ops_count() { grep -cx "$1"; }
