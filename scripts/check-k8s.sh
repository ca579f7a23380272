#!/usr/bin/env bash
# Validates deploy/k8s/*.yaml against the Kubernetes OpenAPI schemas with kubernetes-validate
# (PyPI; it bundles the schemas of each Kubernetes release), strict: unknown fields fail.
#
# Usage: scripts/check-k8s.sh [KUBERNETES_VERSION]     (default: the package's newest)
# Cache: $K8S_CHECK_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/leakscan-k8s-check.
# Exit status: 0 valid, 1 invalid, 2 set-up error.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${K8S_CHECK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/leakscan-k8s-check}
kv="$cache/venv/bin/kubernetes-validate"
if [ ! -x "$kv" ]; then
  python3 -m venv "$cache/venv" >&2 && "$cache/venv/bin/pip" install -q "kubernetes-validate==1.37.0" >&2 ||
    { echo "check-k8s.sh: cannot install kubernetes-validate" >&2; exit 2; }
fi
version=()
[ $# -gt 0 ] && version=(-k "$1")
"$kv" --strict "${version[@]}" "$root"/deploy/k8s/*.yaml || exit 1
