#!/usr/bin/env bash
# Times a full-history scan by leakscan against gitleaks (git), betterleaks (git) and
# kingfisher (scan --git-history full) in the same rounds, with ../shared/bench/peers.sh, on
#   - the history corpus of ../shared/bench/make-history-corpus.sh (17k commits, 1.1 GB of
#     distinct blobs), built once and cached as $BENCH_DIR/synth.git;
#   - a bare clone of this repository ($BENCH_DIR/leakscan.git, refreshed each run);
# then times a pre-push check of one new commit on top of synth.git, leakscan's
# `hook pre-push` against `betterleaks git --log-opts=<remote>..<new>`, with hyperfine.
#
# Usage: bench/history.sh
# Environment: ROUNDS (default 3), BENCH_DIR (default /tmp/bench), SHARED (default ../shared),
#              SKIP_PEERS=1 (only the pre-push timing).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$here/../shared}
BENCH_DIR=${BENCH_DIR:-/tmp/bench}
mkdir -p "$BENCH_DIR"
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine time; }

synth=$BENCH_DIR/synth.git
if [ ! -d "$synth" ]; then
  echo "history.sh: building $synth (about 5 minutes, downloads crate releases)" >&2
  bash "$SHARED/bench/make-history-corpus.sh" "$synth"
fi
self=$BENCH_DIR/leakscan.git
rm -rf "$self"
git clone -q --bare "$here" "$self" && git -C "$self" remote remove origin

(cd "$here" && cargo build --release --quiet)
bin=$here/target/release/leakscan
PEERS_BIN=$(bash "$SHARED/peers/install.sh")
export PEERS_BIN BENCH_DIR

if [ "${SKIP_PEERS:-0}" != 1 ]; then
  ROUNDS=${ROUNDS:-3} LEAKSCAN_GIT="$bin scan {path} --format json --output {out} --quiet" \
    LEAKSCAN_DIR='' bash "$SHARED/bench/peers.sh" "git:$synth=synth" "git:$self=leakscan"
fi

# Pre-push of one new commit: a work repository sharing synth.git's objects, whose
# origin/main is synth's main, with one new commit that changes one file.
work=$BENCH_DIR/prepush-work
rm -rf "$work"
git clone -q --shared "$synth" "$work"
head=$(git -C "$work" rev-parse HEAD)
f=$(git -C "$work" ls-files -- '*.rs' | awk 'NR == 1')  # awk reads all: no SIGPIPE under pipefail
printf '\n// one more line\nconst TIMEOUT_MS: u64 = 30_000;\n' >> "$work/$f"
git -C "$work" -c user.name=Bench -c user.email=bench@example.com commit -qam "one change"
new=$(git -C "$work" rev-parse HEAD)
printf 'refs/heads/main %s refs/heads/main %s\n' "$new" "$head" > "$BENCH_DIR/prepush.stdin"
cd "$work"
# hyperfine 1.15 has no --input: the shell redirects (its spawn time is subtracted).
hyperfine --warmup 2 --runs 15 \
  "$bin hook pre-push origin $synth < $BENCH_DIR/prepush.stdin" \
  "$PEERS_BIN/betterleaks git --no-banner --log-opts=$head..$new --exit-code 0 ." \
  --export-markdown "$BENCH_DIR/prepush.md"
