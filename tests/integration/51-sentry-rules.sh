#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Sentry rule file (enable-wolfsentry, wolfsentry-config): a static reject route refuses
# 198.18.2.2 before TLS; failed-auth-protection bans 198.18.3.6 after max-attempts wrong
# passwords; max-connection-rate bans 198.18.3.2 once it opens more than `threshold` TCP
# connections in `interval`; penalties expire. Score bans are off (max-ban-score = 0).
# Usage: 51-sentry-rules.sh [SERVER-BINARY [SOURCE-DIR]]
# shellcheck source-path=SCRIPTDIR source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
# shellcheck source=lib/ops.sh
. "$OCM_LIB_DIR/ops.sh"

A=198.18.3.2 # connection-rate victim (via v0; routed: the server's subnets are exempt)
B=198.18.3.6 # failed-auth victim (via v1, server 198.18.0.5)
C=198.18.2.2 # statically rejected (extra address on the client's v0)
THRESHOLD=5
PENALTY=10

ops_init
ocm_setup_net
ocm_routed_source "$A" v0
ocm_routed_source "$B" v1
ip -n "$OCM_NS_CLI" addr add "$C/32" dev v0 || ocm_fail "adding $C to the client"
ip -n "$OCM_NS_SRV" route add "$C/32" dev v0 || ocm_fail "route to $C in the server"
ocm_make_certs
ocm_add_user alice 'Rules-Pass-1'
cat >"$OCM_WORK/rules.json" <<EOF
{
  "config-version": 2,
  "default-policies": { "default-policy-static": "accept", "default-policy-dynamic": "reject" },
  "static-routes": [
    { "family": "inet", "protocol": "tcp", "remote-address": "$C/32", "action": "reject" },
    { "family": "inet", "remote-address": "198.18.0.0/15", "action": "accept" }
  ],
  "dynamic-rules": {
    "max-connection-rate": { "interval": 10, "threshold": $THRESHOLD, "penalty-time": $PENALTY,
                             "action": "reject" },
    "failed-auth-protection": { "max-attempts": 2, "window": 60, "penalty-time": $PENALTY,
                                "action": "reject" }
  }
}
EOF
ops_write_config "enable-wolfsentry = true" "wolfsentry-config = $OCM_WORK/rules.json" \
	"max-ban-score = 0"
ocm_start_server

# --- static reject route ---
v=$(ops_tcp_probe cli "$OCM_SRV_IP" 2 "$C" 1 | sort | uniq -c | xargs)
[ "$v" = "2 closed" ] ||
	ocm_fail "static reject of $C: expected both connections closed before TLS, got: $v"
grep -q "conn $C:[0-9]*: refused: source is banned or not allowed" "$OCM_WORK/server.log" ||
	ocm_fail "static reject of $C: expected 'refused' for conn $C in the server log"
ops_not_banned "$C" || ocm_fail "static reject: expected $C not in the ban list (policy, not a ban)"
ocm_ok "static route rejects $C before TLS (not a ban)"

# --- failed-auth-protection: 2 wrong passwords ---
for i in 1 2; do
	ocm_start_client bad$i alice 'Wrong-Pass-9' "https://$OCM_SRV_IP_ALT:$OCM_PORT"
	ocm_wait 40 "openconnect bad$i to exit" ocm_client_exited "bad$i" ||
		ocm_fail "bad$i: expected openconnect to give up within 40 s"
	if [ "$i" = 1 ] && ops_is_banned "$B"; then
		ocm_fail "failed-auth-protection: expected $B not banned after 1 of 2 attempts, it is"
	fi
done
ops_is_banned "$B" ||
	ocm_fail "failed-auth-protection: expected $B banned after 2 wrong passwords, show ip bans: $(ops_bans | xargs)"
v=$(ops_tcp_probe cli "$OCM_SRV_IP_ALT" 1 "$B" 1)
[ "$v" = timeout ] || [ "$v" = closed ] ||
	ocm_fail "failed-auth ban: expected a connection from $B to be refused, got '$v'"
ocm_ok "failed-auth-protection banned $B after 2 wrong passwords (new connection: $v)"

# --- max-connection-rate: more than THRESHOLD connections in 10 s ---
out=$(ops_tcp_probe cli "$OCM_SRV_IP" $((THRESHOLD + 3)) "$A" 0.5)
verdicts=$(xargs <<<"$out")
oks=$(ops_count ok <<<"$out")
first_bad=$(grep -nvx ok <<<"$out" | head -n1 | cut -d: -f1)
[ "$oks" = "$THRESHOLD" ] && [ "$first_bad" = $((THRESHOLD + 1)) ] ||
	ocm_fail "max-connection-rate: expected the first $THRESHOLD connections accepted and the rest refused, got: $verdicts"
ops_is_banned "$A" ||
	ocm_fail "max-connection-rate: expected $A banned, show ip bans: $(ops_bans | xargs)"
ocm_ok "max-connection-rate banned $A after $THRESHOLD connections: $verdicts"
ops_is_banned "$B" || ocm_log "note: the ban of $B already expired"

# --- penalties expire ---
no_bans() { [ -z "$(ops_bans)" ]; }
ocm_wait $((PENALTY + 10)) "penalties to expire" no_bans ||
	ocm_fail "expected every ban to expire within $((PENALTY + 10)) s, got: $(ops_bans | xargs)"
v=$(ops_tcp_probe cli "$OCM_SRV_IP" 1 "$A" 0.5)
[ "$v" = ok ] || ocm_fail "after the penalty: expected $A accepted again, got '$v'"
ocm_connect c1 alice 'Rules-Pass-1' "https://$OCM_SRV_IP_ALT:$OCM_PORT"
ocm_ok "after the penalties $A is accepted and $B logs in"
v=$(ops_tcp_probe cli "$OCM_SRV_IP" 1 "$C" 1)
[ "$v" = closed ] || ocm_fail "static reject of $C: expected still closed, got '$v'"
ocm_server_alive || ocm_fail "server exited"
