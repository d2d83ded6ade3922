# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers of the ops integration tests (4x occtl/metrics, 5x sentry, 6x eBPF): reading occtl -j
# output, scraping /metrics with prometheus_client, bpftool map dumps, TCP/UDP probes.
# Every network operation has a timeout. Usage: ops.py COMMAND ARGS... (see main()).
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request


def fail(msg):
	print(f"ops.py: {msg}", file=sys.stderr)
	sys.exit(2)


def load_json_stdin():
	text = sys.stdin.read()
	try:
		return json.loads(text) if text.strip() else None
	except json.JSONDecodeError as e:
		fail(f"occtl printed no valid JSON ({e}): {text[:300]!r}")


def cmd_user_field(args):
	"""user-field USERNAME FIELD < occtl -j show users: the field of that user's entry."""
	user, field = args
	users = load_json_stdin() or []
	for u in users:
		if u.get("Username") == user:
			v = u.get(field, "")
			print(" ".join(map(str, v)) if isinstance(v, list) else v)
			return 0
	return 1


def cmd_count(args):
	"""count [FIELD VALUE] < JSON list: how many entries (with FIELD == VALUE)."""
	items = load_json_stdin() or []
	if args:
		items = [i for i in items if str(i.get(args[0])) == args[1]]
	print(len(items))
	return 0


def cmd_obj_field(args):
	"""obj-field FIELD < JSON object (occtl -j show status)."""
	obj = load_json_stdin() or {}
	if args[0] not in obj:
		return 1
	print(obj[args[0]])
	return 0


def cmd_ips(args):
	"""ips < occtl -j show ip bans: the IP of each entry, one a line."""
	for b in load_json_stdin() or []:
		print(b.get("IP", ""))
	return 0


def cmd_metric(args):
	"""metric URL NAME [label=value]...: the sample's value (parsed by prometheus_client)."""
	from prometheus_client.parser import text_string_to_metric_families

	url, name = args[0], args[1]
	want = dict(a.split("=", 1) for a in args[2:])
	with urllib.request.urlopen(url, timeout=5) as r:
		ctype = r.headers.get("Content-Type", "")
		text = r.read().decode()
	if not ctype.startswith("text/plain"):
		fail(f"expected Content-Type text/plain…, got {ctype!r}")
	found = None
	for fam in text_string_to_metric_families(text):
		for s in fam.samples:
			if s.name == name and all(s.labels.get(k) == v for k, v in want.items()):
				found = (found or 0) + s.value
	if found is None:
		return 1
	print(int(found) if float(found).is_integer() else found)
	return 0


def cmd_metrics_parse(args):
	"""metrics-parse URL: parse everything; print 'families samples'."""
	from prometheus_client.parser import text_string_to_metric_families

	with urllib.request.urlopen(args[0], timeout=5) as r:
		text = r.read().decode()
	fams = list(text_string_to_metric_families(text))
	print(len(fams), sum(len(f.samples) for f in fams))
	for f in fams:
		print(f.name, f.type, file=sys.stderr)
	return 0


def bpftool(*args):
	out = subprocess.run(["bpftool", "-j", *args], capture_output=True, text=True, timeout=10)
	if out.returncode != 0:
		fail(f"bpftool {' '.join(args)}: {out.stderr.strip()}")
	return json.loads(out.stdout or "null")


def percpu_sum(entry):
	total = 0
	for v in entry.get("values", []):
		val = v.get("value")
		if isinstance(val, list):  # raw bytes as hex strings, little endian
			val = int.from_bytes(bytes(int(b, 16) for b in val), "little")
		total += int(val)
	return total


def entry_key(entry):
	k = entry.get("key")
	if isinstance(k, list):
		return int.from_bytes(bytes(int(b, 16) for b in k), "little")
	return int(k)


def cmd_prog_counter(args):
	"""prog-counter PROG_ID MAP_NAME INDEX...: the per-CPU sum of those entries of the map of
	that program (run bpftool in the server namespace to find PROG_ID first)."""
	prog_id, map_name = args[0], args[1]
	idx = {int(i) for i in args[2:]}
	prog = bpftool("prog", "show", "id", prog_id)
	for mid in prog.get("map_ids", []):
		m = bpftool("map", "show", "id", str(mid))
		if m.get("name") != map_name:
			continue
		total = 0
		for e in bpftool("map", "dump", "id", str(mid)):
			e = e.get("formatted", e)
			if entry_key(e) in idx:
				total += percpu_sum(e)
		print(total)
		return 0
	fail(f"program {prog_id} has no map named {map_name}")


def cmd_net_progs(args):
	"""net-progs KIND [DEV]: ids of programs of `bpftool net show` (KIND xdp or tc/tcx)."""
	kind = args[0]
	dev = args[1] if len(args) > 1 else None
	data = bpftool("net", "show")
	ids = []
	for block in data if isinstance(data, list) else [data]:
		for k, entries in block.items():
			if not k.startswith(kind):
				continue
			for e in entries:
				if dev is None or e.get("devname") == dev:
					ids.append(e.get("id") or e.get("prog_id"))
	print(" ".join(str(i) for i in ids if i is not None))
	return 0


def cmd_pid_progs(args):
	"""pid-progs PID NAME: ids of the BPF programs named NAME that process PID holds (from
	/proc/PID/fdinfo: prog fds and link fds both show prog_id), so concurrent servers in other
	namespaces never mix in."""
	pid, name = args
	ids = set()
	fddir = f"/proc/{pid}/fdinfo"
	try:
		fds = os.listdir(fddir)
	except OSError as e:
		fail(f"{fddir}: {e}")
	for fd in fds:
		try:
			with open(f"{fddir}/{fd}") as f:
				for line in f:
					if line.startswith("prog_id:"):
						ids.add(int(line.split()[1]))
		except OSError:
			continue
	out = [i for i in sorted(ids) if bpftool("prog", "show", "id", str(i)).get("name") == name]
	print(" ".join(map(str, out)))
	return 0


def probe_one(host, port, src, timeout):
	fam = socket.AF_INET6 if ":" in host else socket.AF_INET
	s = socket.socket(fam, socket.SOCK_STREAM)
	s.settimeout(timeout)
	try:
		if src:
			s.bind((src, 0))
		try:
			s.connect((host, port))
		except socket.timeout:
			return "timeout"
		except ConnectionRefusedError:
			return "refused"
		except OSError as e:
			return f"error:{e.errno}"
		# The server waits for a ClientHello: silence means accepted, EOF/RST means refused.
		try:
			data = s.recv(1)
			return "closed" if not data else "data"
		except socket.timeout:
			return "ok"
		except ConnectionResetError:
			return "closed"
		except OSError as e:
			return f"error:{e.errno}"
	finally:
		s.close()


def cmd_tcp_probe(args):
	"""tcp-probe HOST PORT COUNT [SRC] [TIMEOUT]: COUNT connections one after the other; prints
	one verdict a line: ok (accepted, server waits for TLS), closed (accepted, then closed or
	reset before TLS), timeout (SYN unanswered), refused (RST to the SYN), error:N."""
	host, port, count = args[0], int(args[1]), int(args[2])
	src = args[3] if len(args) > 3 and args[3] != "-" else None
	timeout = float(args[4]) if len(args) > 4 else 1.0
	for _ in range(count):
		print(probe_one(host, port, src, timeout), flush=True)
	return 0


def cmd_udp_send(args):
	"""udp-send HOST PORT COUNT [SRC]: COUNT datagrams (a DTLS ClientHello-like first byte)."""
	host, port, count = args[0], int(args[1]), int(args[2])
	src = args[3] if len(args) > 3 and args[3] != "-" else None
	fam = socket.AF_INET6 if ":" in host else socket.AF_INET
	s = socket.socket(fam, socket.SOCK_DGRAM)
	if src:
		s.bind((src, 0))
	payload = bytes([22, 0xFE, 0xFD]) + bytes(60)
	for _ in range(count):
		s.sendto(payload, (host, port))
		time.sleep(0.005)
	s.close()
	print(count)
	return 0


def cmd_tcp_flood(args):
	"""tcp-flood HOST PORT COUNT [SRC]: COUNT connections as fast as possible, each closed at
	once (the kernel completes the handshake; the server accepts from its backlog). Prints
	"connected failed seconds"."""
	host, port, count = args[0], int(args[1]), int(args[2])
	src = args[3] if len(args) > 3 and args[3] != "-" else None
	fam = socket.AF_INET6 if ":" in host else socket.AF_INET
	ok = bad = 0
	t0 = time.monotonic()
	for _ in range(count):
		s = socket.socket(fam, socket.SOCK_STREAM)
		s.settimeout(3)
		try:
			if src:
				s.bind((src, 0))
			s.connect((host, port))
			ok += 1
		except OSError:
			bad += 1
		finally:
			s.close()
	print(ok, bad, f"{time.monotonic() - t0:.2f}")
	return 0


def tls_handshake_time(host, port, src, t0, timeout, out, i):
	import ssl
	fam = socket.AF_INET6 if ":" in host else socket.AF_INET
	ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
	ctx.check_hostname = False
	ctx.verify_mode = ssl.CERT_NONE
	s = socket.socket(fam, socket.SOCK_STREAM)
	s.settimeout(timeout)
	try:
		if src:
			s.bind((src, 0))
		s.connect((host, port))
		with ctx.wrap_socket(s) as t:
			out[i] = f"{time.monotonic() - t0:.3f}"
			t.close()
	except (OSError, ssl.SSLError) as e:
		out[i] = f"error:{type(e).__name__}"
	finally:
		s.close()


def cmd_tls_times(args):
	"""tls-times HOST PORT COUNT [SRC] [TIMEOUT]: COUNT connections opened at once, each doing
	a TLS handshake; prints the seconds (from the start) at which each handshake finished,
	sorted, or error:NAME."""
	import threading
	host, port, count = args[0], int(args[1]), int(args[2])
	src = args[3] if len(args) > 3 and args[3] != "-" else None
	timeout = float(args[4]) if len(args) > 4 else 10.0
	out = [None] * count
	t0 = time.monotonic()
	threads = [threading.Thread(target=tls_handshake_time,
				    args=(host, port, src, t0, timeout, out, i)) for i in range(count)]
	for t in threads:
		t.start()
	for t in threads:
		t.join(timeout + 5)
	for v in sorted(out, key=lambda v: (v is None or v.startswith("error"), v or "")):
		print(v or "error:hung")
	return 0


COMMANDS = {
	"user-field": cmd_user_field,
	"count": cmd_count,
	"obj-field": cmd_obj_field,
	"ips": cmd_ips,
	"metric": cmd_metric,
	"metrics-parse": cmd_metrics_parse,
	"prog-counter": cmd_prog_counter,
	"net-progs": cmd_net_progs,
	"pid-progs": cmd_pid_progs,
	"tcp-probe": cmd_tcp_probe,
	"udp-send": cmd_udp_send,
	"tls-times": cmd_tls_times,
	"tcp-flood": cmd_tcp_flood,
}


def main():
	if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
		fail(f"usage: ops.py {'|'.join(COMMANDS)} ARGS...")
	sys.exit(COMMANDS[sys.argv[1]](sys.argv[2:]))


if __name__ == "__main__":
	main()
