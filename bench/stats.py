#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Number crunching for bench/: iperf3 JSON, ping logs, medians, and the final table that
# compares the two servers' result files (KEY=VALUE lines written by bench/run-one.sh).
import json
import statistics
import sys


def pct(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    v = sorted(values)
    k = max(0, min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return v[k]


def cmd_iperf(path):
    try:
        with open(path) as f:
            d = json.load(f)
        s = d["end"]["sum_received"]
        print("%.1f %d" % (s["bits_per_second"] / 1e6, s["bytes"]))
    except Exception as e:  # noqa: BLE001 - any parse problem is "no result"
        print("err 0  # %s" % str(e).replace("\n", " "))


def cmd_ping(path):
    rtts = []
    with open(path, errors="replace") as f:
        for line in f:
            i = line.find("time=")
            if i >= 0:
                try:
                    rtts.append(float(line[i + 5:].split()[0]))
                except ValueError:
                    pass
    if not rtts:
        print("err err 0")
        return
    print("%.3f %.3f %d" % (statistics.median(rtts), pct(rtts, 99), len(rtts)))


def cmd_median(args):
    vals = [float(a) for a in args]
    print("%.1f" % statistics.median(vals) if vals else "err")


def load(path):
    r = {}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                r[k] = v
    return r


def num(r, k):
    try:
        return float(r.get(k, ""))
    except ValueError:
        return None


# (label, key, unit, better, target text)
ROWS = [
    ("TLS  TCP upload,   1 stream", "tls_up1_mbit", "Mbit/s", "higher", ">= 1.5x"),
    ("TLS  TCP upload,   4 streams", "tls_up4_mbit", "Mbit/s", "higher", ">= 1.5x"),
    ("TLS  TCP download, 1 stream", "tls_down1_mbit", "Mbit/s", "higher", ">= 1.5x"),
    ("TLS  TCP download, 4 streams", "tls_down4_mbit", "Mbit/s", "higher", ">= 1.5x"),
    ("DTLS TCP upload,   1 stream", "dtls_up1_mbit", "Mbit/s", "higher", ">= 1.5x"),
    ("DTLS TCP upload,   4 streams", "dtls_up4_mbit", "Mbit/s", "higher", ">= 1.5x"),
    ("DTLS TCP download, 1 stream", "dtls_down1_mbit", "Mbit/s", "higher", ">= 1.5x"),
    ("DTLS TCP download, 4 streams", "dtls_down4_mbit", "Mbit/s", "higher", ">= 1.5x"),
    ("TLS  server CPU per GB", "tls_cpu_s_per_gb", "CPU-s/GB", "lower", "<= 0.25x"),
    ("DTLS server CPU per GB", "dtls_cpu_s_per_gb", "CPU-s/GB", "lower", "<= 0.25x"),
    ("TLS  ping idle, median", "tls_ping_idle_ms", "ms", "lower", ""),
    ("TLS  ping under download, median", "tls_ping_load_med_ms", "ms", "lower", ""),
    ("TLS  ping under download, p99", "tls_ping_load_p99_ms", "ms", "lower", "<= 0.5x"),
    ("DTLS ping idle, median", "dtls_ping_idle_ms", "ms", "lower", ""),
    ("DTLS ping under download, median", "dtls_ping_load_med_ms", "ms", "lower", ""),
    ("DTLS ping under download, p99", "dtls_ping_load_p99_ms", "ms", "lower", "<= 0.5x"),
    ("PSS, server tree, no session", "pss0_kib", "KiB", "lower", ""),
    ("PSS, 1st idle TLS session", "tls_pss_first_kib", "KiB/session", "lower", "<= 64 KiB"),
    ("PSS per idle TLS session (N)", "tls_pss_per_session_kib", "KiB/session", "lower",
     "<= 64 KiB"),
    ("RSS per idle TLS session (N)", "tls_rss_per_session_kib", "KiB/session", "lower", ""),
    ("PSS per idle DTLS session (N)", "dtls_pss_per_session_kib", "KiB/session", "lower",
     "<= 96 KiB"),
    ("RSS per idle DTLS session (N)", "dtls_rss_per_session_kib", "KiB/session", "lower", ""),
    ("Connect time (start -> tun up), median", "connect_ms_median", "ms", "lower", ""),
    ("ocload: full handshakes/s, sustained (10-90 % of completions)", "load_handshakes_per_s",
     "1/s", "higher", ">= 1000/s"),
    ("ocload: full handshakes/s, first start to last completion", "load_handshakes_per_s_window",
     "1/s", "higher", ""),
    ("ocload: handshake p99", "load_handshake_p99_ms", "ms", "lower", ""),
    ("ocload: sessions established", "load_established", "sessions", "higher", ""),
    ("ocload: failed sessions", "load_failed", "sessions", "lower", "0"),
    ("ocload: reconnected after the storm", "load_storm_reconnected", "sessions", "higher",
     "all"),
    ("ocload: ping p99 (storm included)", "load_ping_p99_ms", "ms", "lower", ""),
    ("ocload: PSS per busy DTLS session", "load_pss_per_session_kib", "KiB/session", "lower",
     ""),
    ("scale: sessions established at once", "scale_established", "sessions", "higher",
     ">= 10000"),
    ("scale: DTLS channels up (first + after the storm)", "scale_dtls_up", "channels", "higher",
     ""),
    ("scale: failed sessions", "scale_failed", "sessions", "lower", "0"),
    ("scale: reconnected after the storm", "scale_storm_reconnected", "sessions", "higher",
     "all"),
    ("scale: full handshakes/s, sustained", "scale_handshakes_per_s", "1/s", "higher", ""),
    ("scale: ping p99 (storm included)", "scale_ping_p99_ms", "ms", "lower", ""),
    ("scale: PSS per busy DTLS session", "scale_pss_per_session_kib", "KiB/session", "lower",
     ""),
]


def fmt(v):
    if v is None:
        return "n/a"
    if abs(v) >= 100:
        return "%.0f" % v
    if abs(v) >= 10:
        return "%.1f" % v
    return "%.2f" % v


def cmd_table(base_path, ours_path, markdown):
    base, ours = load(base_path), load(ours_path)
    hdr = ["metric", "unit", base.get("server", "ocserv"), ours.get("server", "ocserv-modern"),
           "modern/ocserv", "better", "issue #4 target"]
    rows = []
    for label, key, unit, better, target in ROWS:
        b, o = num(base, key), num(ours, key)
        ratio = "n/a"
        if b is not None and o is not None and b != 0:
            ratio = "%.2fx" % (o / b)
        rows.append([label, unit, fmt(b), fmt(o), ratio, better, target])
    if markdown:
        print("| " + " | ".join(hdr) + " |")
        print("|" + "|".join("---" for _ in hdr) + "|")
        for r in rows:
            print("| " + " | ".join(r) + " |")
    else:
        w = [max(len(str(r[i])) for r in rows + [hdr]) for i in range(len(hdr))]
        line = "  ".join(h.ljust(w[i]) for i, h in enumerate(hdr))
        print(line)
        print("-" * len(line))
        for r in rows:
            print("  ".join(str(c).ljust(w[i]) for i, c in enumerate(r)))
    if markdown:
        print()
    for name, r in (("ocserv", base), ("ocserv-modern", ours)):
        for k in sorted(r):
            if k.startswith("note") or k.startswith("info"):
                print(("- " if markdown else "  ") + "%s %s: %s" % (name, k, r[k]))


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: stats.py iperf FILE | ping FILE | median V... | table BASE OURS [md]")
    c, a = sys.argv[1], sys.argv[2:]
    if c == "iperf":
        cmd_iperf(a[0])
    elif c == "ping":
        cmd_ping(a[0])
    elif c == "median":
        cmd_median(a)
    elif c == "table":
        cmd_table(a[0], a[1], len(a) > 2 and a[2] == "md")
    else:
        sys.exit("unknown command " + c)


if __name__ == "__main__":
    main()
