#!/usr/bin/env python3
"""Benchmark of `leakscan scan --validate`: 1,000 distinct findings spread over every built-in
provider, validated against a local server on 127.0.0.1 that answers each request after
100 ms (the test override maps every provider URL to it). Reports the wall time and, per
provider, the most requests that started within any one second, which must not pass the rate.

    python3 bench/validate.py [--findings 1000] [--latency 0.1] [--rate 10] [--bin PATH]

Standard library only; nothing leaves the machine. Fake secrets come from the rule specs'
generators (fixtures/detection/spec), so they have each provider's shape.
"""

import argparse
import http.server
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "fixtures", "detection"))

import spec  # noqa: E402
from spec import (  # noqa: E402,F401
    ai, cicd, cli, cloud, datastores, devplatforms, generic, hashes, identity, keys,
    messaging, observability, payments, registries, vcs, checks,
)

ARRIVALS = defaultdict(list)
LOCK = threading.Lock()
LATENCY = 0.1


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self):
        host = self.path.lstrip("/").split("/", 1)[0]
        with LOCK:
            ARRIVALS[host].append(time.monotonic())
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        time.sleep(LATENCY)
        if host == "hooks.slack.com":
            status, body = 400, b"no_text"
        else:
            status = 200
            body = json.dumps({"ok": True, "valid": True, "active": True, "login": "bench"}).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_HEAD = answer


def corpus(n):
    """n distinct findings, round-robin over providers, then over each provider's rules."""
    by_id = {r["id"]: r for r in spec.RULES}
    providers = defaultdict(list)
    for r in spec.RULES:
        if r.get("validate"):
            providers[r["validate"]["provider"]].append(r)
    rng = random.Random("bench")
    lines, count, turn = [], 0, defaultdict(int)
    names = sorted(providers)
    seen = set()
    while count < n:
        for p in names:
            if count >= n:
                break
            rules = providers[p]
            r = rules[turn[p] % len(rules)]
            turn[p] += 1
            v = r["validate"]
            parts = v.get("secret_parts")
            for _ in range(100):
                t = r["gen"](rng)
                if t not in seen and (not parts or re.search(parts, t)):
                    break
            seen.add(t)
            lines.append(r["examples"][0].replace("{t}", t))
            pair = v.get("pair")
            if pair:
                o = by_id[pair["rule"]]
                lines.append(o["examples"][0].replace("{t}", o["gen"](rng)))
            lines.extend([""] * 12)
            count += 1
    return "\n".join(lines) + "\n", len(names)


def main():
    global LATENCY
    ap = argparse.ArgumentParser()
    ap.add_argument("--findings", type=int, default=1000)
    ap.add_argument("--latency", type=float, default=0.1)
    ap.add_argument("--rate", type=float, default=None, help="--validate-rate (default: the rules' 10/s)")
    ap.add_argument("--bin", default=None)
    a = ap.parse_args()
    LATENCY = a.latency
    binary = a.bin or next(
        (p for p in (os.path.join(ROOT, "target", d, "leakscan") for d in ("release", "debug")) if os.path.exists(p)),
        None,
    )
    if not binary:
        sys.exit("build leakscan first (cargo build)")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    text, nprov = corpus(a.findings)
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "secrets.txt"), "w") as f:
            f.write(text)
        cmd = [binary, "scan", d, "--format", "json", "--validate", "--no-progress"]
        if a.rate:
            cmd += ["--validate-rate", str(a.rate)]
        env = dict(os.environ, LEAKSCAN_VALIDATE_OVERRIDE=base)
        t0 = time.monotonic()
        out = subprocess.run(cmd, env=env, capture_output=True)
        elapsed = time.monotonic() - t0
    server.shutdown()
    doc = json.loads(out.stdout)
    statuses = defaultdict(int)
    for f in doc["findings"]:
        statuses[(f.get("validation") or {}).get("status", "none")] += 1
    rate = a.rate or 10.0
    worst = {}
    for host, times in ARRIVALS.items():
        times.sort()
        j, best = 0, 0
        for i, t in enumerate(times):
            while times[j] <= t - 1.0:
                j += 1
            best = max(best, i - j + 1)
        worst[host] = best
    total = sum(len(t) for t in ARRIVALS.values())
    print(f"binary: {binary}")
    print(f"findings validated: {a.findings} distinct secrets over {nprov} providers, latency {a.latency * 1000:.0f} ms")
    print(f"verdicts: {dict(sorted(statuses.items()))}")
    print(f"requests: {total}; wall time: {elapsed:.2f} s")
    print(f"most requests to one provider within any 1 s: {max(worst.values())} (rate {rate:g}/s)")
    for host in sorted(worst):
        print(f"  {host:28} {len(ARRIVALS[host]):5} requests, max {worst[host]} in 1 s")
    ok = elapsed < 10 and max(worst.values()) <= rate
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
