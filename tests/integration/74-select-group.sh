#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# select-group with labels: the login form shows "select-group = eng[Engineering]" as an option
# with value "eng" and text "Engineering" (as ocserv); openconnect --authgroup Engineering logs a
# member of eng in with Groupname eng, --authgroup Operations (not a member) is refused. After a
# reload with auto-select-group = true the form lists every group of the password file (a
# select-group line keeps its label) and a user picks one of them.
# Usage: 74-select-group.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
# shellcheck source=lib/ops.sh
. "$OCM_LIB_DIR/ops.sh"
# shellcheck source=lib/i6.sh
. "$OCM_LIB_DIR/i6.sh"

ops_init curl
ocm_setup_net
ocm_make_certs
ops_add_user alice 'Group-Pass-1' eng
ops_add_user bob 'Group-Pass-2' ops,qa
ops_write_config "select-group = eng[Engineering]" "select-group = ops[Operations]"
ocm_start_server

# form: the login form as the server sends it (GET /).
form() { ocm_in cli timeout 15 curl -sk "https://$OCM_SRV_IP:$OCM_PORT/"; }

# expect_option VALUE TEXT: the form has <option value="VALUE" …>TEXT</option>.
expect_option()
{
	local f
	f=$(form)
	grep -qE "<option value=\"$1\"( selected=\"true\")?>$2</option>" <<<"$f" ||
		ocm_fail "login form: expected an option value=\"$1\" showing '$2', got: $(grep option <<<"$f" | tr '\n' ' ')"
	ocm_ok "login form: option $1 shows '$2'"
}

expect_option eng Engineering
expect_option ops Operations

# expect_refused NAME USER PASSWORD GROUP: openconnect --authgroup GROUP must give up.
expect_refused()
{
	ocm_start_client "$1" "$2" "$3" --authgroup "$4"
	ocm_wait 40 "openconnect $1 to exit" ocm_client_exited "$1" ||
		ocm_fail "$1: expected openconnect --authgroup $4 to give up for $2, it still runs"
	ip -n "$OCM_NS_CLI" -4 addr show dev "oc-$1" 2>/dev/null | grep -q 'inet ' &&
		ocm_fail "$1: expected no tunnel for $2 in group '$4'"
	ocm_ok "$1: $2 refused in group '$4'"
}

ocm_connect a alice 'Group-Pass-1' --authgroup Engineering
ocm_wait 10 "alice in show users" ops_user_present alice || ocm_fail "expected alice in show users"
g=$(ops_user_field alice Groupname)
[ "$g" = eng ] || ocm_fail "occtl: expected alice's Groupname 'eng' (picked by its label), got '$g'"
ocm_ok "alice picked 'Engineering': Groupname $g"
expect_refused a2 alice 'Group-Pass-1' Operations
grep -q "login of alice refused: not a member of group ops" "$OCM_WORK/server.log" ||
	ocm_fail "expected 'login of alice refused: not a member of group ops' in the server log"

# --- auto-select-group: the groups of the password file ---
ops_write_config "select-group = ops[Operations]" "auto-select-group = true"
r0=$(i6_log_count "configuration reloaded from")
out=$(ops_occtl reload 2>&1) || ocm_fail "occtl reload with auto-select-group: $out"
ocm_wait 10 "the reload" i6_log_grew "configuration reloaded from" "$r0" ||
	ocm_fail "expected the reload with auto-select-group = true to be applied"
expect_option eng eng
expect_option ops Operations
expect_option qa qa
ocm_connect b bob 'Group-Pass-2' --authgroup qa
ocm_wait 10 "bob in show users" ops_user_present bob || ocm_fail "expected bob in show users"
g=$(ops_user_field bob Groupname)
[ "$g" = qa ] || ocm_fail "occtl: expected bob's Groupname 'qa' (from the password file's groups), got '$g'"
ocm_ok "bob picked qa from the auto-selected groups"
expect_refused b2 bob 'Group-Pass-2' eng
ocm_server_alive || ocm_fail "server exited"
