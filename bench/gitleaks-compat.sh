#!/usr/bin/env bash
# gitleaks compatibility check (not run in CI): loads gitleaks 8.30.1's default configuration
# (../shared/compat, kept there as data) with leakscan, then checks that on the same corpus
# leakscan finds at least every finding gitleaks finds with that configuration.
#
# Corpus: fixtures/ plus a tree generated from the configuration's own regexes
# (bench/gen-gitleaks-corpus.py: random fake secrets of each rule's shape).
# A finding is (path, rule id, SHA-256 of the secret); see bench/compare-findings.py.
#
# Usage: bench/gitleaks-compat.sh        Environment: SHARED (default ../shared), WORK (default a temp dir)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$here/../shared}
config=$SHARED/compat/gitleaks-8.30.1-default.toml
[ -f "$config" ] || { echo "gitleaks-compat.sh: $config not found" >&2; exit 2; }
work=${WORK:-$(mktemp -d)}
(cd "$here" && cargo build --release --quiet)
bin=$here/target/release/leakscan
gitleaks=$(bash "$SHARED/peers/install.sh")/gitleaks

echo "== loading the default configuration"
"$bin" rules check "$config"

rm -rf "$work/corpus" && mkdir -p "$work/corpus"
cp -r "$here/fixtures" "$work/corpus/fixtures"
python3 "$here/bench/gen-gitleaks-corpus.py" "$config" "$work/corpus/generated" "${SAMPLES:-5}"
echo "== corpus: $(find "$work/corpus" -type f | wc -l) files, $(du -sh "$work/corpus" | cut -f1)"

cd "$work/corpus"
t0=$(date +%s.%N)
"$gitleaks" dir . -c "$config" --no-banner --exit-code 0 -f json -r "$work/gitleaks.json" 2>/dev/null
t1=$(date +%s.%N)
"$bin" scan . --config "$config" --no-redact --quiet --format json --output "$work/leakscan.json" || [ $? = 1 ]
t2=$(date +%s.%N)
printf '== time: gitleaks %.2fs, leakscan %.2fs\n' "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)"
python3 "$here/bench/compare-findings.py" "$work/gitleaks.json" "$work/leakscan.json"
