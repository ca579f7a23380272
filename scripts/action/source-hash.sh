#!/usr/bin/env bash
# Prints a hash of the action's source (what the build depends on), the key of the build cache.
set -euo pipefail
cd "${1:?usage: source-hash.sh DIR}"
find Cargo.toml Cargo.lock src rules -type f 2>/dev/null | LC_ALL=C sort | while IFS= read -r f; do
  printf '%s\n' "$f"; cat -- "$f"
done | { sha256sum 2>/dev/null || shasum -a 256; } | cut -c1-32
