#!/usr/bin/env bash
# The Action's last step: pass or fail the job on leakscan's exit status, as run.sh read it.
#
#   clean (0)        pass
#   leaks (1)        fail when FAIL_ON_LEAKS is true (the default): leaks of the kinds that
#                    --fail-on selects (findings of other kinds leave the status at 0: pass)
#   incomplete (3)   fail when FAIL_ON_INCOMPLETE is true (the default): something that should
#                    have been scanned was not (the job summary lists it), so "no leaks" is not
#                    known; with false, a warning
#   anything else    fail
#
# Environment: RESULT (run.sh's `result` output), EXIT_CODE, FINDINGS, SECRETS, INTERNAL,
# FAIL_ON_LEAKS, FAIL_ON_INCOMPLETE ("true"/"false"), GITHUB_STEP_SUMMARY.
set -euo pipefail

summary=${GITHUB_STEP_SUMMARY:-/dev/null}
counts="${FINDINGS:-0} finding(s): ${SECRETS:-0} secret, ${INTERNAL:-0} internal"
flag() { # flag NAME VALUE: "true" or "false", else a usage error
  case "$2" in
    true | false) echo "$2" ;;
    *) echo "::error title=leakscan::input $1 must be \"true\" or \"false\", not \"$2\"" >&2; exit 2 ;;
  esac
}
fail_on_leaks=$(flag fail-on-leaks "${FAIL_ON_LEAKS:-true}")
fail_on_incomplete=$(flag fail-on-incomplete "${FAIL_ON_INCOMPLETE:-true}")

case "${RESULT:-}" in
  clean)
    if [ "${FINDINGS:-0}" != 0 ]; then
      echo "leakscan: passed; $counts reported, none of a kind that --fail-on selects"
      printf '\n**Passed**: %s, none of a kind that `--fail-on` selects.\n' "$counts" >> "$summary"
    else
      echo "leakscan: passed; no leaks"
    fi
    ;;
  leaks)
    if [ "$fail_on_leaks" = true ]; then
      echo "::error title=leakscan::leaks found ($counts); see the job summary and the code scanning alerts"
      printf '\n**Failed**: leaks found (%s).\n' "$counts" >> "$summary"
      exit 1
    fi
    echo "::warning title=leakscan::leaks found ($counts); not failing because fail-on-leaks is false"
    ;;
  incomplete)
    if [ "$fail_on_incomplete" = true ]; then
      echo "::error title=leakscan::the scan is incomplete: some inputs could not be scanned (listed in the job summary under \"Not scanned\"), so there may be leaks it did not see. Fix or remove them, or set fail-on-incomplete: false"
      printf '\n**Failed**: the scan is incomplete; the inputs under "Not scanned" were not scanned (set `fail-on-incomplete: false` to only warn).\n' >> "$summary"
      exit 1
    fi
    echo "::warning title=leakscan::the scan is incomplete: some inputs could not be scanned (listed in the job summary); not failing because fail-on-incomplete is false"
    printf '\n**Warning**: the scan is incomplete; the inputs under "Not scanned" were not scanned.\n' >> "$summary"
    ;;
  *)
    echo "::error title=leakscan::leakscan did not finish (exit status ${EXIT_CODE:-none}); see the scan step's log"
    exit 1
    ;;
esac
