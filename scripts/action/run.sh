#!/usr/bin/env bash
# The GitHub Action's scan step: choose what to scan from the event, take the configuration from
# the base branch on pull requests, run leakscan with SARIF output, write the step outputs and
# the job summary (leakscan's --markdown-summary). Tested by tests/action.rs with simulated events.
#
# Environment (the action passes its inputs as INPUT_*):
#   INPUT_PATH        folder to scan, relative to the workspace (default .)
#   INPUT_CONFIG      configuration file (default: .leakscan.toml at the repository root, if any)
#   INPUT_BASELINE    baseline file (optional)
#   INPUT_ARGS        extra leakscan arguments, split on whitespace
#   INPUT_SARIF_FILE  where to write the SARIF report (default leakscan.sarif)
#   INPUT_SCAN        auto (by event, the default), history (whole history) or worktree (files only)
#   LEAKSCAN          the leakscan binary (default: leakscan on PATH)
#   GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP: as on a runner
#
# Outputs: sarif-file, findings (all kinds), secrets and internal (findings by kind, of the
# results in the SARIF file), exit-code (leakscan's), result (clean, leaks, incomplete or error,
# read from the exit status). Exit status: 0 when leakscan ran (findings or not, so that the
# SARIF file is uploaded; the action's last step, verdict.sh, decides), 2 when it could not run.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
leakscan=${LEAKSCAN:-leakscan}
path=${INPUT_PATH:-.}
sarif=${INPUT_SARIF_FILE:-leakscan.sarif}
mode=${INPUT_SCAN:-auto}
event=${GITHUB_EVENT_NAME:-workflow_dispatch}
payload=${GITHUB_EVENT_PATH:-}
tmp=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
zero=0000000000000000000000000000000000000000

fail() { echo "::error title=leakscan::$*" >&2; exit 2; }
notice() { echo "::notice title=leakscan::$*" >&2; }
field() { # field JQ-PATH: a string from the event payload, empty when absent
  [ -n "$payload" ] && [ -f "$payload" ] || return 0
  jq -r "$1 // empty" "$payload"
}
have_commit() { git -C "$path" cat-file -e "$1^{commit}" 2>/dev/null; }

command -v jq >/dev/null || fail "jq is required (it is on GitHub-hosted runners)"
git -C "$path" rev-parse --git-dir >/dev/null 2>&1 || { [ "$mode" = worktree ] || fail "$path is not a git repository: check out the repository first (actions/checkout)"; }

shallow_hint="the checkout is shallow, so the history to scan is missing: set 'fetch-depth: 0' on actions/checkout"

# What to scan, by event.
scan_args=()
base=
case "$mode:$event" in
  worktree:*) scan_args=(--no-history) ;;
  history:*) ;;
  auto:pull_request | auto:pull_request_target)
    base=$(field .pull_request.base.sha)
    head=$(field .pull_request.head.sha)
    [ -n "$base" ] && [ -n "$head" ] || fail "the pull_request payload has no base or head sha"
    have_commit "$base" && have_commit "$head" || {
      [ "$(git -C "$path" rev-parse --is-shallow-repository)" = true ] && fail "$shallow_hint"
      fail "commits $base or $head are not in the checkout: set 'fetch-depth: 0' on actions/checkout"
    }
    scan_args=(--range "$base..$head")
    ;;
  auto:push)
    before=$(field .before)
    after=$(field .after)
    [ -n "$after" ] || fail "the push payload has no 'after' sha"
    [ "$(git -C "$path" rev-parse --is-shallow-repository)" = true ] && fail "$shallow_hint"
    have_commit "$after" || fail "the pushed commit $after is not in the checkout"
    if [ -n "$before" ] && [ "$before" != "$zero" ] && have_commit "$before"; then
      scan_args=(--range "$before..$after")
    else
      # A new branch (or a force-push whose old tip is gone): the commits that no other remote
      # branch holds. Without other branches, the whole history.
      ref=$(field .ref); branch=${ref#refs/heads/}
      others=()
      while IFS= read -r r; do
        [ "$r" = "refs/remotes/origin/$branch" ] || [ "$r" = "refs/remotes/origin/HEAD" ] || others+=("$r")
      done < <(git -C "$path" for-each-ref --format='%(refname)' refs/remotes/)
      if [ ${#others[@]} -gt 0 ]; then
        # sed reads to the end: `head -n 1` could close the pipe early, and under pipefail
        # rev-list's SIGPIPE would end the script without a word.
        first=$(git -C "$path" rev-list --topo-order --reverse "$after" --not "${others[@]}" | sed -n 1p)
        if [ -z "$first" ]; then
          scan_args=(--range "$after..$after")
          notice "every pushed commit is already on another branch"
        elif parent=$(git -C "$path" rev-parse -q --verify "$first^" 2>/dev/null); then
          scan_args=(--range "$parent..$after")
        fi
      fi
    fi
    ;;
  auto:*)
    # schedule, workflow_dispatch and anything else: the whole history.
    [ "$(git -C "$path" rev-parse --is-shallow-repository)" = true ] && fail "$shallow_hint"
    ;;
  *) fail "scan must be auto, history or worktree, not '$mode'" ;;
esac

# Configuration, ignore file and baseline. On pull requests they come from the base commit, so
# that a pull request cannot switch off the rules, or allow the leak, that would catch it.
config_args=()
from_base() { # from_base REPO-RELATIVE-PATH NAME: the base commit's copy in a temp file, or nothing
  local out="$tmp/leakscan-base-$2"
  if git -C "$path" cat-file -e "$base:$1" 2>/dev/null; then
    git -C "$path" show "$base:$1" > "$out" && echo "$out"
  fi
}
repo_path() { # the path of a file relative to the repository root, empty when outside it
  local top abs
  top=$(git -C "$path" rev-parse --show-toplevel)
  abs=$(cd "$(dirname "$1")" 2>/dev/null && pwd)/$(basename "$1") || return 0
  case "$abs" in "$top"/*) echo "${abs#"$top"/}" ;; esac
}
if [ -n "$base" ]; then
  cfg=${INPUT_CONFIG:-.leakscan.toml}
  rel=$cfg; [ -n "${INPUT_CONFIG:-}" ] && [ -e "$cfg" ] && rel=$(repo_path "$cfg")
  if [ -n "${INPUT_CONFIG:-}" ] && [ -z "$rel" ]; then
    config_args=(--config "$cfg")            # outside the repository: the pull request cannot change it
  elif base_cfg=$(from_base "$rel" config.toml) && [ -n "$base_cfg" ]; then
    config_args=(--config "$base_cfg")
    notice "configuration $rel read from the base commit ${base:0:12}"
  elif [ -n "${INPUT_CONFIG:-}" ]; then
    fail "$cfg is not in the base commit ${base:0:12}; commit it to the base branch first"
  fi
  config_args+=(--no-repo-config)
  if ign=$(from_base .leakscanignore leakscanignore) && [ -n "$ign" ]; then
    config_args+=(--ignore-file "$ign")
  fi
  if [ -n "${INPUT_BASELINE:-}" ]; then
    brel=$(repo_path "$INPUT_BASELINE")
    if [ -z "$brel" ]; then
      config_args+=(--baseline "$INPUT_BASELINE")
    elif bfile=$(from_base "$brel" baseline.json) && [ -n "$bfile" ]; then
      config_args+=(--baseline "$bfile")
    else
      notice "baseline $INPUT_BASELINE is not in the base commit: every finding is reported"
    fi
  elif bfile=$(from_base .leakscan-baseline.json baseline.json) && [ -n "$bfile" ]; then
    # leakscan's default baseline, as the base commit has it (--no-repo-config skips the head's).
    config_args+=(--baseline "$bfile")
    notice "baseline .leakscan-baseline.json read from the base commit ${base:0:12}"
  fi
else
  [ -n "${INPUT_CONFIG:-}" ] && config_args+=(--config "$INPUT_CONFIG")
  [ -n "${INPUT_BASELINE:-}" ] && config_args+=(--baseline "$INPUT_BASELINE")
fi

extra=()
[ -n "${INPUT_ARGS:-}" ] && read -r -a extra <<< "$INPUT_ARGS"

# The job summary: leakscan's own Markdown report (--markdown-summary), written by the same
# scan as the SARIF file.
summary_md="$tmp/leakscan-summary.md"
rm -f "$summary_md"
echo "::group::leakscan scan $path ${scan_args[*]:-} ${config_args[*]:-} ${extra[*]:-}"
set +e
"$leakscan" scan "$path" --format sarif --output "$sarif" --markdown-summary "$summary_md" --no-progress "${scan_args[@]}" "${config_args[@]}" "${extra[@]}"
code=$?
set -e
echo "::endgroup::"

findings=0 secrets=0 internal=0
if [ -s "$sarif" ]; then
  findings=$(jq '.runs[0].properties.resultsFound // (.runs[0].results | length)' "$sarif")
  secrets=$(jq '[.runs[0].results[]? | select((.properties.kind // "secret") == "secret")] | length' "$sarif")
  internal=$(jq '[.runs[0].results[]? | select(.properties.kind == "internal")] | length' "$sarif")
  # A leakscan that wrote no Markdown summary (one older than --markdown-summary): the
  # summary is made from the SARIF file.
  [ -s "$summary_md" ] || "$here/summary.sh" "$sarif" > "$summary_md"
fi
[ -s "$summary_md" ] && cat "$summary_md" >> "${GITHUB_STEP_SUMMARY:-/dev/null}"
rm -f "$summary_md"
# The status leakscan gives findings: 1 unless the arguments chose another with --exit-code.
leaks_code=1
for ((i = 0; i < ${#extra[@]}; i++)); do
  case "${extra[$i]}" in
    --exit-code) leaks_code=${extra[$((i + 1))]:-1} ;;
    --exit-code=*) leaks_code=${extra[$i]#--exit-code=} ;;
  esac
done
# What the exit status says, for the verdict step (scripts/action/verdict.sh).
case $code in
  0) result=clean ;;
  "$leaks_code") result=leaks ;;
  3) result=incomplete ;;
  *) result=error ;;
esac
{
  echo "sarif-file=$sarif"
  echo "findings=$findings"
  echo "secrets=$secrets"
  echo "internal=$internal"
  echo "exit-code=$code"
  echo "result=$result"
} >> "${GITHUB_OUTPUT:-/dev/null}"

if [ "$code" = 2 ]; then fail "leakscan stopped with a usage or configuration error; see the log above"; fi
if [ "$result" = error ] && [ ! -s "$sarif" ]; then fail "leakscan could not run (exit status $code); see the log above"; fi
exit 0
