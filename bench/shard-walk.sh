#!/usr/bin/env bash
# Times history shards of one repository with and without a shared walk file
# (`scan --walk-cache`), in alternating rounds, and checks that the merged shards give the
# unsharded findings. Per round, in this order:
#   whole      scan REPO                                    (unsharded)
#   walk-only  scan REPO --walk-only --walk-cache FILE       (fresh FILE: walks and writes)
#   read 1, 2  scan REPO --shard K/2 --walk-cache FILE       (each reads FILE)
#   self 1     scan REPO --shard 1/2 --walk-cache FILE2      (fresh FILE2: walks and writes)
#   self 2     scan REPO --shard 2/2 --walk-cache FILE2      (reads FILE2)
#   plain 1, 2 scan REPO --shard K/2                         (no walk file: each walks)
# Prints each wall and CPU time (user + system: less sensitive than the wall time to other
# work on the machine), then the medians and the totals against the unsharded medians.
#
# Usage: bench/shard-walk.sh [REPO]      (default /work/bench/git.git)
# Environment: ROUNDS (default 3), LEAKSCAN_BIN (default target/release/leakscan),
#              OUT (work folder, default a temporary one).
set -euo pipefail
repo=${1:-/work/bench/git.git}
rounds=${ROUNDS:-3}
bin=${LEAKSCAN_BIN:-$(cd "$(dirname "$0")/.." && pwd)/target/release/leakscan}
out=${OUT:-$(mktemp -d)}
[ -x "$bin" ] || { echo "no binary at $bin: cargo build --release --locked" >&2; exit 2; }
declare -A times cpu
t() { # name, command...: runs it, records the wall time and the CPU time (user + system)
  local name=$1; shift
  local code=0
  /usr/bin/time -f '%e %U %S' -o "$out/$name.time" "$@" >/dev/null 2>"$out/$name.err" || code=$?
  # 0 clean, 1 findings, 3 incomplete (git.git holds a truncated test archive): a report.
  case $code in 0|1|3) ;; *) echo "$name failed ($code):" >&2; cat "$out/$name.err" >&2; exit 1 ;; esac
  local e u s
  read -r e u s < <(tail -1 "$out/$name.time")
  times[$name]="${times[$name]:-} $e"
  cpu[$name]="${cpu[$name]:-} $(echo "$u + $s" | bc)"
  printf '%-10s %6.2f s  cpu %6.2f s   (load %s)\n' "$name" "$e" "$(echo "$u + $s" | bc)" "$(cut -d' ' -f1 /proc/loadavg)"
}
scan=("$bin" scan "$repo" -f json --no-progress)
for r in $(seq 1 "$rounds"); do
  echo "round $r"
  rm -f "$out/walk.bin" "$out/self.bin"
  t whole "${scan[@]}" -o "$out/whole.json"
  t walk-only "$bin" scan "$repo" --walk-only --walk-cache "$out/walk.bin" --no-progress
  t read-1 "${scan[@]}" --shard 1/2 --walk-cache "$out/walk.bin" -o "$out/read-1.json"
  t read-2 "${scan[@]}" --shard 2/2 --walk-cache "$out/walk.bin" -o "$out/read-2.json"
  t self-1 "${scan[@]}" --shard 1/2 --walk-cache "$out/self.bin" -o "$out/self-1.json"
  t self-2 "${scan[@]}" --shard 2/2 --walk-cache "$out/self.bin" -o "$out/self-2.json"
  t plain-1 "${scan[@]}" --shard 1/2 -o "$out/plain-1.json"
  t plain-2 "${scan[@]}" --shard 2/2 -o "$out/plain-2.json"
done
echo "walk file: $(stat -c %s "$out/walk.bin") bytes; $("$bin" scan "$repo" --walk-only --walk-cache "$out/walk.bin")"
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A m c
for k in whole walk-only read-1 read-2 self-1 self-2 plain-1 plain-2; do
  m[$k]=$(echo "${times[$k]}" | median)
  c[$k]=$(echo "${cpu[$k]}" | median)
  printf 'median %-10s %6.2f s  cpu %6.2f s\n' "$k" "${m[$k]}" "${c[$k]}"
done
total() { # label, names...: the sum of the medians against the unsharded one, wall and CPU
  local label=$1; shift
  local w=0 u=0 k
  for k in "$@"; do w=$(echo "$w + ${m[$k]}" | bc); u=$(echo "$u + ${c[$k]}" | bc); done
  echo "$label = $w s = $(echo "scale=2; $w / ${m[whole]}" | bc)x the unsharded wall time; cpu $u s = $(echo "scale=2; $u / ${c[whole]}" | bc)x"
}
total "walk-only + read 1 + read 2" walk-only read-1 read-2
total "self 1 (walks, writes) + self 2 (reads)" self-1 self-2
total "plain 1 + plain 2 (no walk file)" plain-1 plain-2
# The merged shards give the unsharded findings, and each shard reading a walk file the
# report of the same shard walking itself (elapsed time aside).
for set in read self plain; do
  "$bin" report merge -o "$out/merged-$set.json" "$out/$set-1.json" "$out/$set-2.json" || [ $? -le 3 ]
done
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
def findings(p):
    return sorted(json.dumps(f, sort_keys=True) for f in json.load(open(p))["findings"])
whole = findings(f"{out}/whole.json")
for s in ("read", "self", "plain"):
    got = findings(f"{out}/merged-{s}.json")
    print(f"merged {s}: {len(got)} findings, {'equal to' if got == whole else 'DIFFERENT from'} the unsharded {len(whole)}")
def doc(p):
    d = json.load(open(p))
    d["summary"].pop("elapsed_ms", None)
    return json.dumps(d, sort_keys=True)
for k in (1, 2):
    same = doc(f"{out}/read-{k}.json") == doc(f"{out}/plain-{k}.json")
    print(f"shard {k}/2 reading the walk file: {'the same report as' if same else 'a DIFFERENT report from'} walking itself")
PY
