#!/usr/bin/env bash
# Detection quality on examples nobody here wrote: scores leakscan (default settings and
# --min-confidence low) and each peer (gitleaks, betterleaks, kingfisher) in the same run on
# ../shared/detection-corpus/ (other projects' published test cases, see its README), and prints
# one table: recall and false-positive rate per tool, on untagged cases (made-up placeholders
# and near-misses set aside, as the corpus tags them), overall, and recall per source.
#
# Usage: bench/detection.sh            (builds the release binary first)
# Environment: SHARED (default ../shared), OUT (default a temporary folder; keeps each tool's
#              score JSON as OUT/<label>.json), TOOLS (default "leakscan leakscan-low gitleaks
#              betterleaks kingfisher").
# Never copy the corpus's cases into this repository: some sources are copyleft, and they
# are a measure, not a fixture.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$here/../shared}
corpus=$SHARED/detection-corpus
[ -f "$corpus/score.py" ] || { echo "detection.sh: $corpus/score.py not found" >&2; exit 2; }
(cd "$here" && cargo build --release --quiet)
export LEAKSCAN_BIN=$here/target/release/leakscan
PEERS_BIN=$(bash "$SHARED/peers/install.sh")
export PEERS_BIN
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 "$corpus/materialize.py" --out "$dir" >/dev/null
TOOLS=${TOOLS:-"leakscan leakscan-low gitleaks betterleaks kingfisher"}
for t in $TOOLS; do
  case $t in
    leakscan-low) tool=leakscan; extra=(--extra "--min-confidence low") ;;
    *) tool=$t; extra=() ;;
  esac
  python3 "$corpus/score.py" --dir "$dir" --tool "$tool" "${extra[@]}" --label "$t" \
    --json "$OUT/$t.json" >"$OUT/$t.txt" 2>&1 || { echo "detection.sh: $t failed, see $OUT/$t.txt" >&2; exit 1; }
done
python3 - "$OUT" $TOOLS <<'PY'
import json, sys
out, tools = sys.argv[1], sys.argv[2:]
rows = []
sources = []
for t in tools:
    d = json.load(open(f"{out}/{t}.json"))
    tag = d["per_tag"]
    def rate(key):
        v = tag.get(key) or {}
        n, k = v.get("cases", 0), v.get("with_findings", 0)
        return (100.0 * k / n) if n else float("nan"), k, n
    per = d["per_source"]
    for s in per:
        if s not in sources:
            sources.append(s)
    rows.append((t, d, rate("positive:untagged"), rate("negative:untagged"), rate("negative:near-miss"), per))
print("| tool | recall, untagged positives | FP, untagged negatives | FP, near-misses | recall, all | FP, all |")
print("|---|---:|---:|---:|---:|---:|")
for t, d, rp, fn, nm, _ in rows:
    print(f"| {t} | {rp[0]:.1f}% ({rp[1]}/{rp[2]}) | {fn[0]:.1f}% ({fn[1]}/{fn[2]}) | {nm[0]:.1f}% | "
          f"{100*d['recall']:.1f}% | {100*d['fp_rate']:.1f}% |")
print()
short = [s.split("/")[-1].split("@")[0] for s in sources]
print("| tool | " + " | ".join(f"{s} recall / FP" for s in short) + " |")
print("|---|" + "---:|" * len(sources))
for t, d, *_, per in rows:
    cells = []
    for s in sources:
        v = per.get(s, {})
        r = 100.0 * v.get("detected", 0) / max(v.get("positives", 0), 1)
        f = 100.0 * v.get("flagged", 0) / max(v.get("negatives", 0), 1)
        cells.append(f"{r:.1f}% / {f:.1f}%")
    print(f"| {t} | " + " | ".join(cells) + " |")
PY
echo "scores kept in $OUT" >&2
