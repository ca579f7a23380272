#!/usr/bin/env bash
# What a hook waits for: leakscan against betterleaks on the scan of one small file
# (`kernel/fork.c` of the Linux 6.1 source, 86 KB) and on a pre-push check of one new commit
# on top of synth.git. The tools run alternately (one run of each, then again), so that the
# load of a shared machine falls on both alike; it prints the median and minimum wall time,
# the median CPU time (user + system) and the ratios of the medians.
#
# Usage: bench/startup.sh
# Environment:
#   RUNS         runs of each command (default 50, after 3 warm-up runs of each)
#   BENCH_DIR    default /tmp/bench: holds linux-src/ and synth.git (../shared/bench/README.md
#                has both recipes); prepush-work/ and prepush.stdin are made here when absent
#                (the same setup as bench/history.sh: a shared clone of synth.git, one new
#                commit changing one .rs file)
#   FILE         the small file (default $BENCH_DIR/linux-src/linux-source-6.1/kernel/fork.c)
#   LEAKSCAN_BIN the binary to time (default: target/release/leakscan, built here)
#   SHARED       default ../shared (for peers/install.sh)
#   SKIP_FILE=1 / SKIP_PREPUSH=1 leave out one of the two measurements.
#
# The timing loop spawns each command from Python (a few hundred microseconds of its own,
# counted for both tools alike: it makes the ratios slightly smaller, never larger).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$here/../shared}
[ -f "$SHARED/peers/install.sh" ] || [ ! -f /work/shared/peers/install.sh ] || SHARED=/work/shared
BENCH_DIR=${BENCH_DIR:-/tmp/bench}
mkdir -p "$BENCH_DIR" && BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
RUNS=${RUNS:-50}
if [ -z "${LEAKSCAN_BIN:-}" ]; then
  (cd "$here" && cargo build --release --locked --quiet)
  LEAKSCAN_BIN=$here/target/release/leakscan
fi
PEERS_BIN=$(bash "$SHARED/peers/install.sh")
bl=$PEERS_BIN/betterleaks

# Runs each command of the arguments (shell-free argv lists, JSON) alternately; prints a
# Markdown table.
timing() {
  python3 - "$RUNS" "$@" <<'PY'
import json, os, resource, statistics, subprocess, sys, time
runs = int(sys.argv[1])
cmds = [json.loads(a) for a in sys.argv[2:]]
def once(c):
    stdin = open(c["stdin"], "rb") if c.get("stdin") else subprocess.DEVNULL
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    p = subprocess.run(c["argv"], cwd=c.get("cwd"), stdin=stdin,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode not in c.get("ok", [0]):
        sys.exit(f"startup.sh: {c['name']} exited {p.returncode}: {' '.join(c['argv'])}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall * 1e3, cpu * 1e3
for _ in range(3):
    for c in cmds:
        once(c)
walls = [[] for _ in cmds]
cpus = [[] for _ in cmds]
for _ in range(runs):
    for i, c in enumerate(cmds):
        w, u = once(c)
        walls[i].append(w)
        cpus[i].append(u)
med = [statistics.median(w) for w in walls]
cmed = [statistics.median(u) for u in cpus]
print(f"| command | median wall | min wall | median CPU | wall ratio | CPU ratio |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
for i, c in enumerate(cmds):
    print(f"| {c['name']} | {med[i]:.1f} ms | {min(walls[i]):.1f} ms | {cmed[i]:.1f} ms | "
          f"{med[i] / med[0]:.1f}x | {cmed[i] / cmed[0]:.1f}x |")
print()
print("commands:")
for c in cmds:
    where = f"(in {c['cwd']}) " if c.get("cwd") else ""
    stdin = f" < {c['stdin']}" if c.get("stdin") else ""
    print(f"  {c['name']}: {where}{' '.join(c['argv'])}{stdin}")
PY
}

echo "# $(date -u +%Y-%m-%dT%H:%MZ), $RUNS alternating runs each, load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $("$LEAKSCAN_BIN" --version), betterleaks $("$bl" version 2>/dev/null | tail -1)"

if [ "${SKIP_FILE:-0}" != 1 ]; then
  FILE=${FILE:-$BENCH_DIR/linux-src/linux-source-6.1/kernel/fork.c}
  [ -f "$FILE" ] || { echo "startup.sh: $FILE not found; see $SHARED/bench/README.md (linux-src)" >&2; exit 2; }
  echo
  echo "## one small file: $FILE ($(wc -c <"$FILE") bytes)"
  echo
  timing \
    "$(python3 -c 'import json, sys; print(json.dumps({"name": "leakscan", "argv": sys.argv[1:]}))' "$LEAKSCAN_BIN" scan "$FILE" --quiet)" \
    "$(python3 -c 'import json, sys; print(json.dumps({"name": "betterleaks", "argv": sys.argv[1:]}))' "$bl" fs "$FILE" --no-banner)"
fi

if [ "${SKIP_PREPUSH:-0}" != 1 ]; then
  synth=$BENCH_DIR/synth.git
  work=$BENCH_DIR/prepush-work
  [ -d "$synth" ] || { echo "startup.sh: $synth not found; bench/history.sh builds it" >&2; exit 2; }
  if [ ! -d "$work/.git" ] || [ ! -f "$BENCH_DIR/prepush.stdin" ]; then
    # The same setup as bench/history.sh's pre-push timing.
    rm -rf "$work"
    git clone -q --shared "$synth" "$work"
    head=$(git -C "$work" rev-parse HEAD)
    f=$(git -C "$work" ls-files -- '*.rs' | awk 'NR == 1')
    printf '\n// one more line\nconst TIMEOUT_MS: u64 = 30_000;\n' >> "$work/$f"
    git -C "$work" -c user.name=Bench -c user.email=bench@example.com commit -qam "one change"
    new=$(git -C "$work" rev-parse HEAD)
    printf 'refs/heads/main %s refs/heads/main %s\n' "$new" "$head" > "$BENCH_DIR/prepush.stdin"
  fi
  read -r _ new _ old < "$BENCH_DIR/prepush.stdin"
  echo
  echo "## pre-push of one commit ($old..$new) in $work"
  echo
  timing \
    "$(python3 -c 'import json, sys; print(json.dumps({"name": "leakscan", "cwd": sys.argv[1], "stdin": sys.argv[2], "argv": sys.argv[3:]}))' "$work" "$BENCH_DIR/prepush.stdin" "$LEAKSCAN_BIN" hook pre-push origin "$synth")" \
    "$(python3 -c 'import json, sys; print(json.dumps({"name": "betterleaks", "cwd": sys.argv[1], "argv": sys.argv[2:]}))' "$work" "$bl" git --no-banner "--log-opts=$old..$new" --exit-code 0 .)"
fi
