#!/usr/bin/env bash
# Compares two leakscan binaries on the same inputs: the JSON reports byte for byte (apart
# from summary.elapsed_ms), and their CPU time (user+sys, one thread, alternating runs).
#
#   scripts/compare-output.sh OLD_BINARY NEW_BINARY ROUNDS INPUT...
#
# Example (issue 13): scripts/compare-output.sh /work/bin/leakscan-base target/release/leakscan 3 \
#   /work/bench/linux-nodrv /work/bench/synth.git /work/bench/gitleaks.git
set -euo pipefail
old=$1 new=$2 rounds=$3
shift 3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
status=0
for input in "$@"; do
    name=$(basename "$input")
    for which in old new; do
        bin=${!which}
        "$bin" scan "$input" --format json --output "$out/$which-$name.json" --no-progress -q \
            >/dev/null 2>&1 || true
        sed -E 's/"elapsed_ms": ?[0-9]+//' "$out/$which-$name.json" >"$out/$which-$name.cmp"
    done
    if cmp -s "$out/old-$name.cmp" "$out/new-$name.cmp"; then
        echo "$name: JSON identical (apart from elapsed_ms)"
    else
        echo "$name: JSON DIFFERS"
        status=1
    fi
    for _ in $(seq "$rounds"); do
        for which in old new; do
            bin=${!which}
            /usr/bin/time -f "$which %U %S" -a -o "$out/$name.cpu" \
                "$bin" scan "$input" -j 1 --format json --output /dev/null --no-progress -q \
                >/dev/null 2>&1 || true
        done
    done
    awk -v name="$name" '
        { t[$1] = t[$1] " " sprintf("%.2f", $2 + $3); s[$1] += $2 + $3 }
        END { printf "%s: CPU s old%s | new%s | ratio of sums %.3f\n", name, t["old"], t["new"], s["new"] / s["old"] }
    ' "$out/$name.cpu"
done
exit $status
