#!/usr/bin/env bash
# Lints the GitHub Action and its workflows: action.yml and .github/workflows/* of this
# repository, then every complete workflow (a ```yaml block with `jobs:`) in README.md, with the
# shared lint script (check-jsonschema with the SchemaStore schemas + actionlint).
#
# Usage: scripts/ci/lint-workflows.sh [LINT_SH]   (default: ../shared/gha/lint.sh beside the repo)
# Exit status: 0 clean, 1 problems found, 2 set-up error (lint.sh missing or could not install).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
lint=${1:-$root/../shared/gha/lint.sh}
[ -f "$lint" ] || { echo "lint-workflows.sh: $lint not found" >&2; exit 2; }

bash "$lint" "$root"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/.github/workflows"
cp "$root/action.yml" "$tmp/"
awk -v dir="$tmp/.github/workflows" '
  /^```yaml[[:space:]]*$/ { inblock = 1; text = ""; next }
  /^```[[:space:]]*$/ && inblock {
    inblock = 0
    if (text ~ /\njobs:/ || text ~ /^jobs:/) { n++; f = dir "/readme-" n ".yml"; printf "%s", text > f; close(f) }
    next
  }
  inblock { text = text $0 "\n" }
' "$root/README.md"
count=$(find "$tmp/.github/workflows" -name '*.yml' | wc -l)
[ "$count" -gt 0 ] || { echo "lint-workflows.sh: no example workflow found in README.md" >&2; exit 1; }
echo "== README.md: $count example workflow(s)"
bash "$lint" "$tmp"
