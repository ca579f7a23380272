#!/usr/bin/env bash
# Times a full-history scan by leakscan against gitleaks (git), betterleaks (git) and
# kingfisher (scan --git-history full) in the same rounds, with ../shared/bench/peers.sh, on
# the corpora named in CORPORA (bare repositories under $BENCH_DIR):
#   synth     the history of ../shared/bench/make-history-corpus.sh (17k commits, 1.1 GB of
#             distinct blobs, generated: built here when absent, about 5 minutes)
#   gitleaks  gitleaks' own history (about 1,300 commits)
#   rails     rails/rails, default branch (about 99k commits, a 400 MB pack)
#   git       git/git, default branch (about 82k commits, a 500 MB pack)
#   curl      curl/curl, default branch (about 39k commits, a 130 MB pack, 3.4 GB of blob
#             versions; its code holds "curl" on nearly every line)
#   leakscan  a bare clone of this repository (refreshed each run)
# then times a pre-push check of one new commit on top of synth.git, leakscan's
# `hook pre-push` against `betterleaks git --log-opts=<remote>..<new>`, with hyperfine.
#
# The real histories are bare clones of the default branch only, no tags:
#   git clone --bare --single-branch --no-tags https://github.com/rails/rails    $BENCH_DIR/rails.git
#   git clone --bare --single-branch --no-tags https://github.com/git/git        $BENCH_DIR/git.git
#   git clone --bare --single-branch --no-tags https://github.com/gitleaks/gitleaks $BENCH_DIR/gitleaks.git
#   git clone --bare --single-branch --no-tags https://github.com/curl/curl      $BENCH_DIR/curl.git
# When $MIRRORS/<owner>+<name>/repo exists (a local mirror), it is cloned from there instead.
# This script never fetches them from the network itself: a missing corpus is skipped with
# the command that gets it.
#
# A clone from a partial mirror (one that left out some large blobs) lacks objects that the
# history names; `git log -p`, which gitleaks and betterleaks read, stops at the first one
# (betterleaks ignores replace refs). Such a clone is rewritten once, with
# `git fast-export --no-data | git fast-import`, each missing blob replaced by a one-line
# placeholder blob, then repacked (`git repack -a -d`, reusing the mirror's deltas): the same
# commits, trees and blobs but those, and every tool reads the whole history. On
# /work/.mirror's rails this replaces 3 blobs (two versions of a TIFF fixture, one HTML file)
# and takes about a minute. A full clone needs none of this.
#
# Usage: bench/history.sh
# Environment:
#   CORPORA      corpora to time (default "synth gitleaks rails git curl")
#   ROUNDS       timed rounds on synth, gitleaks and leakscan (default 3, after one warm-up)
#   LARGE_ROUNDS timed rounds on rails, git and curl (default 1, no warm-up: one round of the three
#                peers takes about 10 minutes on 2 cores)
#   BENCH_DIR    default /tmp/bench;  SHARED default ../shared;  MIRRORS default /work/.mirror
#   LEAKSCAN_BIN the binary to time (default: target/release/leakscan, built here)
#   SKIP_PEERS=1 only the pre-push timing;  SKIP_PREPUSH=1 only the history scans.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$here/../shared}
[ -f "$SHARED/bench/peers.sh" ] || [ ! -f /work/shared/bench/peers.sh ] || SHARED=/work/shared
[ -f "$SHARED/bench/peers.sh" ] || {
  echo "history.sh: no $SHARED/bench/peers.sh; set SHARED to the folder that holds bench/peers.sh" >&2
  exit 2
}
BENCH_DIR=${BENCH_DIR:-/tmp/bench}
MIRRORS=${MIRRORS:-/work/.mirror}
CORPORA=${CORPORA:-"synth gitleaks rails git curl"}
mkdir -p "$BENCH_DIR" && BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine time; }

# Prints the path of corpus $1, getting it first if it can be had without the network; prints
# nothing (and says why on stderr) when it cannot.
corpus() {
  local name=$1 dir=$BENCH_DIR/$1.git slug
  case $name in
    synth)
      if [ ! -d "$dir" ]; then
        echo "history.sh: building $dir (about 5 minutes, downloads crate releases)" >&2
        bash "$SHARED/bench/make-history-corpus.sh" "$dir" >&2
      fi
      echo "$dir"; return;;
    leakscan)
      rm -rf "$dir"
      git clone -q --bare "$here" "$dir" && git -C "$dir" remote remove origin
      echo "$dir"; return;;
    rails) slug=rails/rails;;
    git) slug=git/git;;
    gitleaks) slug=gitleaks/gitleaks;;
    curl) slug=curl/curl;;
    *) echo "history.sh: unknown corpus '$name' (known: synth gitleaks rails git curl leakscan)" >&2; return;;
  esac
  if [ ! -d "$dir" ]; then
    local mirror=$MIRRORS/${slug/\//+}/repo
    if [ -d "$mirror" ]; then
      echo "history.sh: cloning $dir from $mirror" >&2
      git clone -q --bare --single-branch --no-tags "$mirror" "$dir"
    else
      echo "history.sh: skipping '$name': $dir is absent. Get it with:" >&2
      echo "  git clone --bare --single-branch --no-tags https://github.com/$slug $dir" >&2
      return
    fi
  fi
  fill_missing "$dir" >&2
  echo "$dir"
}

# Rewrites a clone of a partial mirror so that no blob is missing (see the header).
fill_missing() {
  local dir=$1 missing ph new expr r
  missing=$(git -C "$dir" rev-list --objects --all --missing=print | awk '/^\?/ { print substr($1, 2) }')
  [ -n "$missing" ] || return 0
  echo "history.sh: $dir lacks $(echo "$missing" | wc -l) blob(s): rewriting it with placeholders" >&2
  rm -f "$dir"/objects/pack/*.promisor
  ph=$(printf 'placeholder: this blob is missing from the partial mirror the corpus was cloned from\n' |
    git -C "$dir" hash-object -w --stdin)
  new=$dir.rewrite
  rm -rf "$new"
  git init -q --bare "$new"
  echo "$dir/objects" > "$new/objects/info/alternates"
  expr=$(for id in $missing; do printf 's/%s/%s/g;' "$id" "$ph"; done)
  for r in $(git -C "$dir" for-each-ref --format='%(refname)' refs/replace); do
    git -C "$dir" update-ref -d "$r"
  done
  # raw-permissive: rails has a commit with a malformed time zone (+051800).
  git -C "$dir" fast-export --no-data --signed-tags=strip --all | LC_ALL=C sed "$expr" |
    git -C "$new" fast-import --quiet --date-format=raw-permissive
  git -C "$new" symbolic-ref HEAD "$(git -C "$dir" symbolic-ref HEAD)"
  git -C "$new" repack -a -d -q
  rm "$new/objects/info/alternates"
  rm -rf "$dir" && mv "$new" "$dir"
}

bin=${LEAKSCAN_BIN:-}
if [ -z "$bin" ]; then
  (cd "$here" && cargo build --release --quiet)
  bin=$here/target/release/leakscan
fi
PEERS_BIN=$(bash "$SHARED/peers/install.sh")
export PEERS_BIN BENCH_DIR

small=() large=()
for c in $CORPORA; do
  p=$(corpus "$c")
  [ -n "$p" ] || continue
  case $c in rails|git|curl) large+=("git:$p=$c");; *) small+=("git:$p=$c");; esac
done
run_peers() {
  LEAKSCAN_GIT="$bin scan {path} --format json --output {out} --quiet --no-progress" \
    LEAKSCAN_DIR='' bash "$SHARED/bench/peers.sh" "$@"
}
if [ "${SKIP_PEERS:-0}" != 1 ]; then
  [ ${#small[@]} = 0 ] || ROUNDS=${ROUNDS:-3} run_peers "${small[@]}"
  [ ${#large[@]} = 0 ] || ROUNDS=${LARGE_ROUNDS:-1} WARMUP=0 run_peers "${large[@]}"
fi
[ "${SKIP_PREPUSH:-0}" != 1 ] || exit 0

# Pre-push of one new commit: a work repository sharing synth.git's objects, whose
# origin/main is synth's main, with one new commit that changes one file.
synth=$(corpus synth)
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
