#!/usr/bin/env bash
# Times leakscan against gitleaks (dir), betterleaks (fs) and kingfisher (scan) on a working
# tree, in the same rounds, with ../shared/bench/peers.sh; then times the scan of one small
# file (what a hook does) against betterleaks with hyperfine.
#
# Usage: bench/tree.sh [TREE]     (default: $BENCH_DIR/linux-nodrv, the Linux 6.1 source
#                                  without drivers/; recipe in ../shared/bench/README.md)
# Environment: ROUNDS (default 3), BENCH_DIR (default /tmp/bench), SHARED (default ../shared).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$here/../shared}
BENCH_DIR=${BENCH_DIR:-/tmp/bench}
tree=${1:-$BENCH_DIR/linux-nodrv}
[ -d "$tree" ] || { echo "tree.sh: $tree not found; see $SHARED/bench/README.md for the recipe" >&2; exit 2; }
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine time; }
(cd "$here" && cargo build --release --quiet)
bin=$here/target/release/leakscan
PEERS_BIN=$(bash "$SHARED/peers/install.sh")
export PEERS_BIN BENCH_DIR
ROUNDS=${ROUNDS:-3} LEAKSCAN_DIR="$bin scan {path} --format json --output {out} --quiet" \
  LEAKSCAN_GIT='' bash "$SHARED/bench/peers.sh" "dir:$tree=tree"

# One small file, as a pre-commit hook scans it.
small=$(mktemp -d)
printf 'import os\nAPI_URL = "https://api.example.com"\ntimeout = 30\n' > "$small/app.py"
hyperfine -N --warmup 3 --runs 30 \
  "$bin scan $small/app.py --quiet" \
  "$PEERS_BIN/betterleaks fs $small/app.py --no-banner" \
  "$PEERS_BIN/gitleaks dir $small/app.py --no-banner" \
  "$PEERS_BIN/kingfisher scan $small/app.py --no-validate --no-update-check"
rm -rf "$small"
