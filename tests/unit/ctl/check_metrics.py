#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Parse metrics_dump's output with prometheus_client's parser and check names, types, values.
import sys

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    print("python3-prometheus-client not installed", file=sys.stderr)
    sys.exit(77)

text = sys.stdin.read()
fams = {f.name: f for f in text_string_to_metric_families(text)}
want = {
    "ocserv_modern_sessions": "gauge",
    "ocserv_modern_logins": "counter",
    "ocserv_modern_tunnel_bytes": "counter",
    "ocserv_modern_tunnel_packets": "counter",
    "ocserv_modern_handshake_duration_seconds": "histogram",
    "ocserv_modern_dtls_fallbacks": "counter",
    "ocserv_modern_dtls_handovers": "counter",
    "ocserv_modern_dtls_datagrams_dropped": "counter",
    "ocserv_modern_banned_addresses": "gauge",
    "ocserv_modern_bans": "counter",
    "ocserv_modern_worker_connections": "gauge",
    "ocserv_modern_worker_queue_drops": "counter",
    "ocserv_modern_process_resident_memory_bytes": "gauge",
}
for name, typ in want.items():
    if name not in fams:
        sys.exit(f"missing family {name}")
    if fams[name].type != typ:
        sys.exit(f"{name}: type {fams[name].type}, want {typ}")
for f in fams.values():
    if not f.name.startswith("ocserv_modern_"):
        sys.exit(f"bad prefix {f.name}")
    for s in f.samples:
        if f.type == "counter" and not s.name.endswith(("_total", "_created")):
            sys.exit(f"counter sample {s.name} lacks _total")
v = {(s.name, tuple(sorted(s.labels.items()))): s.value
     for f in fams.values() for s in f.samples}
assert v[("ocserv_modern_sessions", (("state", "active"),))] == 12
assert v[("ocserv_modern_logins_total", (("result", "failed"),))] == 7
assert v[("ocserv_modern_handshake_duration_seconds_bucket", (("le", "+Inf"),))] == 7
assert v[("ocserv_modern_handshake_duration_seconds_count", ())] == 7
assert v[("ocserv_modern_tunnel_bytes_total", (("channel", "dtls"), ("direction", "rx")))] == 1e6
print("ok:", len(fams), "families")
