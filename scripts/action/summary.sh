#!/usr/bin/env bash
# Markdown job summary of a leakscan SARIF file: a table of findings (redacted, as the SARIF
# messages are) and the inputs that could not be scanned. Usage: summary.sh FILE.sarif
set -euo pipefail
sarif=$1
max=${LEAKSCAN_SUMMARY_ROWS:-100}
jq -r --argjson max "$max" '
  def cell: tostring | gsub("\\|"; "\\|") | gsub("\n"; " ");
  .runs[0] as $run
  | ($run.results // []) as $r
  | ($run.properties.resultsFound // ($r | length)) as $n
  | ($run.invocations[0].toolExecutionNotifications // [] | map(select(.level == "warning"))) as $warn
  | "## leakscan: \($n) finding\(if $n == 1 then "" else "s" end)\n",
    (if ($r | length) > 0 then
      "| Rule | Location | Severity | Commit | Finding |",
      "| --- | --- | --- | --- | --- |",
      ($r[:$max][] |
        "| `\(.ruleId | cell)` | `\(.properties.location // .locations[0].physicalLocation.artifactLocation.uri | cell):\(.locations[0].physicalLocation.region.startLine // 1)` | \(.properties.severity // .level // "" | cell) | \(.properties.commit // "" | .[:12]) | \(.message.text | cell) |"),
      (if ($r | length) > $max then "\n… and \(($r | length) - $max) more in the SARIF file." else empty end)
    else "No leaks found." end),
    (if ($run.properties.resultsOmitted // 0) > 0 then "\n\($run.properties.resultsOmitted) results were left out of the SARIF file to respect GitHub limits." else empty end),
    (if ($warn | length) > 0 then
      "\n### Not scanned (\($warn | length))\n", ($warn[:$max][] | "- \(.message.text | cell)")
    else empty end),
    ""
' "$sarif"
