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
import asyncio
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


async def handle(reader, writer):
    """One request per connection (leakscan's requests say `Connection: close` back)."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        writer.close()
        return
    arrived = time.monotonic()
    lines = head.decode("latin-1").split("\r\n")
    target = lines[0].split(" ")[1] if " " in lines[0] else "/"
    length = 0
    for line in lines[1:]:
        if line.lower().startswith("content-length:"):
            length = int(line.split(":", 1)[1])
    if length:
        await reader.readexactly(length)
    host = target.lstrip("/").split("/", 1)[0]
    # One provider, many data centres: us6.api.mailchimp.com -> *.api.mailchimp.com
    host = re.sub(r"^us[0-9]+\.", "*.", host)
    ARRIVALS[host].append(arrived)
    await asyncio.sleep(LATENCY)
    if host == "hooks.slack.com":
        status, body = 400, b"no_text"
    else:
        status = 200
        body = json.dumps({"ok": True, "valid": True, "active": True, "login": "bench"}).encode()
    writer.write(b"HTTP/1.1 %d X\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (status, len(body)) + body)
    await writer.drain()
    writer.close()


def serve(ready):
    """An asyncio server on 127.0.0.1 in a background thread: one event loop, no thread per
    request, so arrival times are not bunched by the server itself."""
    loop = asyncio.new_event_loop()

    async def start():
        server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
        ready.append(server.sockets[0].getsockname()[1])

    loop.run_until_complete(start())
    loop.run_forever()


def rsa_key():
    out = subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
                         capture_output=True, check=True)
    return out.stdout.decode().replace("\n", "\\n")


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
                t = rsa_key() if v.get("protocol") == "gcp-service-account" else r["gen"](rng)
                line = r["examples"][0].replace("{t}", t)
                if t not in seen and (not parts or re.search(parts, t) or re.search(parts, line)):
                    break
            seen.add(t)
            lines.append(line)
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
    builds = [p for p in (os.path.join(ROOT, "target", d, "leakscan") for d in ("release", "debug"))
              if os.path.exists(p)]
    binary = a.bin or max(builds, key=os.path.getmtime, default=None)  # the newest build
    if not binary:
        sys.exit("build leakscan first (cargo build)")
    ready = []
    threading.Thread(target=serve, args=(ready,), daemon=True).start()
    while not ready:
        time.sleep(0.01)
    base = f"http://127.0.0.1:{ready[0]}"
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
    if not out.stdout:
        sys.exit(f"leakscan failed ({out.returncode}): {out.stderr.decode(errors='replace')}")
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
