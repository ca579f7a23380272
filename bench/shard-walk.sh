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
# Prints each time, then the medians and the totals against the unsharded median.
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
declare -A times
t() { # name, command...: runs it, records the wall time
  local name=$1; shift
  local s e
  s=$(date +%s.%N)
  local code=0
  "$@" >/dev/null 2>"$out/$name.err" || code=$?
  # 0 clean, 1 findings, 3 incomplete (git.git holds a truncated test archive): a report.
  case $code in 0|1|3) ;; *) echo "$name failed ($code):" >&2; cat "$out/$name.err" >&2; exit 1 ;; esac
  e=$(date +%s.%N)
  local d; d=$(echo "$e - $s" | bc)
  times[$name]="${times[$name]:-} $d"
  printf '%-10s %6.2f s   (load %s)\n' "$name" "$d" "$(cut -d' ' -f1 /proc/loadavg)"
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
declare -A m
for k in whole walk-only read-1 read-2 self-1 self-2 plain-1 plain-2; do
  m[$k]=$(echo "${times[$k]}" | median)
  printf 'median %-10s %6.2f s\n' "$k" "${m[$k]}"
done
ratio() { echo "scale=2; $1 / ${m[whole]}" | bc; }
sum=$(echo "${m[walk-only]} + ${m[read-1]} + ${m[read-2]}" | bc)
echo "walk-only + read 1 + read 2 = $sum s = $(ratio "$sum")x the unsharded"
sum=$(echo "${m[self-1]} + ${m[self-2]}" | bc)
echo "self 1 (walks, writes) + self 2 (reads) = $sum s = $(ratio "$sum")x"
sum=$(echo "${m[plain-1]} + ${m[plain-2]}" | bc)
echo "plain 1 + plain 2 (no walk file) = $sum s = $(ratio "$sum")x"
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
