#!/usr/bin/env bash
# Builds leakscan from the action's own source into LEAKSCAN_INSTALL_DIR (restored from the
# actions cache when the source is unchanged) and puts it on PATH for the following steps.
set -euo pipefail
src=${GITHUB_ACTION_PATH:?}
dir=${LEAKSCAN_INSTALL_DIR:?}
if [ -x "$dir/bin/leakscan" ]; then
  echo "leakscan already built: $("$dir/bin/leakscan" --version)"
else
  command -v cargo >/dev/null || { echo "::error title=leakscan::cargo is needed to build leakscan (use a runner with Rust, e.g. ubuntu-latest)"; exit 2; }
  cargo install --locked --path "$src" --root "$dir"
fi
echo "$dir/bin" >> "${GITHUB_PATH:?}"
