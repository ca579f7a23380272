#!/usr/bin/env bash
# Puts leakscan on PATH for the Action's later steps.
#
#   install.sh plan      decide how (step outputs: mode=release|source, version, hash)
#   install.sh           install, as the plan says
#
# A release tag of the action (`uses: OWNER/leakscan@v1.2.3`, or a moving `@v1` / `@v1.2` whose
# Cargo.toml says 1.x.y), or the `version` input: download that release's archive for this
# runner from the action's own repository, check its SHA-256 against the release's `.sha256`
# file (a mismatch stops the job; nothing is installed), unpack it. Any other ref (a branch, a
# commit id, `uses: ./`): build the action's own source with cargo (the calling workflow caches
# the build, keyed on the source hash).
#
# Environment (from action.yml; on a runner GITHUB_* and RUNNER_* are set):
#   GITHUB_ACTION_PATH     the action's checkout
#   ACTION_REF             ${{ github.action_ref }}: the tag, branch or commit the workflow named
#   ACTION_REPOSITORY      ${{ github.action_repository }}: OWNER/NAME of the action
#   LEAKSCAN_VERSION       the `version` input: a release to install whatever the ref (optional)
#   LEAKSCAN_INSTALL_DIR   where to install (bin/leakscan under it)
#   GITHUB_SERVER_URL      where releases are downloaded from (default https://github.com)
#   RUNNER_OS, RUNNER_ARCH which archive to take (Linux/macOS/Windows, X64/ARM64)
#   VERIFY_ATTESTATION     "true": also check the archive's build provenance with
#                          `gh attestation verify` (GH_TOKEN for the GitHub API)
#   GITHUB_OUTPUT, GITHUB_PATH
# Exit status: 0 installed (or planned), 2 could not install (the reason is an ::error:: line).
set -euo pipefail

src=${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}
dir=${LEAKSCAN_INSTALL_DIR:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/leakscan-action}
server=${GITHUB_SERVER_URL:-https://github.com}
server=${server%/}

fail() { echo "::error title=leakscan::$*" >&2; exit 2; }
note() { echo "leakscan install: $*" >&2; }

# The package version in the action's Cargo.toml (the first `version = "..."`, [package]'s).
crate_version() {
  sed -n 's/^version *= *"\([^"]*\)".*/\1/p' "$src/Cargo.toml" | sed -n 1p
}

# The repository the releases are in: the action's own, else Cargo.toml's `repository`.
release_repository() {
  if [ -n "${ACTION_REPOSITORY:-}" ]; then
    echo "$ACTION_REPOSITORY"
  else
    sed -n 's|^repository *= *"https://github.com/\([^"]*\)".*|\1|p' "$src/Cargo.toml" | sed -n 1p
  fi
}

# mode and version, from the inputs and the action's ref.
plan() {
  local ref=${ACTION_REF:-} want=${LEAKSCAN_VERSION:-} have
  have=$(crate_version)
  if [ -n "$want" ]; then
    want=${want#v}
    [[ $want =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]] ||
      fail "version '$LEAKSCAN_VERSION' is not a release version such as 1.2.3"
    echo "release $want"
  elif [[ $ref =~ ^v?([0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?)$ ]]; then
    echo "release ${BASH_REMATCH[1]}"
  elif [[ $ref =~ ^v?([0-9]+(\.[0-9]+)?)$ ]]; then
    # A moving major or minor tag: the release its source says it is.
    local prefix=${BASH_REMATCH[1]}
    case "$have" in
      "$prefix".*) echo "release $have" ;;
      *) fail "the action's ref $ref holds leakscan $have, which is not a $prefix.x release; pin a release tag such as v$have" ;;
    esac
  else
    echo "source $have"
  fi
}

# The release archive for this runner (the names the release workflow, dist, gives them).
target() {
  local os=${RUNNER_OS:-} arch=${RUNNER_ARCH:-}
  [ -n "$os" ] || case "$(uname -s)" in Linux) os=Linux ;; Darwin) os=macOS ;; MINGW* | MSYS* | CYGWIN*) os=Windows ;; *) os=$(uname -s) ;; esac
  [ -n "$arch" ] || case "$(uname -m)" in x86_64 | amd64) arch=X64 ;; aarch64 | arm64) arch=ARM64 ;; *) arch=$(uname -m) ;; esac
  case "$os/$arch" in
    Linux/X64) echo x86_64-unknown-linux-musl ;;
    Linux/ARM64) echo aarch64-unknown-linux-musl ;;
    macOS/X64) echo x86_64-apple-darwin ;;
    macOS/ARM64) echo aarch64-apple-darwin ;;
    Windows/X64) echo x86_64-pc-windows-msvc ;;
    *) return 1 ;;
  esac
}

sha256() {
  if command -v sha256sum >/dev/null; then sha256sum "$1" | cut -d' ' -f1
  else shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

download() { # download URL FILE
  curl --fail --silent --show-error --location --retry 3 --retry-delay 2 \
    --connect-timeout 20 --max-time 300 --proto-redir =https --output "$2" "$1"
}

install_release() {
  local version=$1 triple repo ext asset url expected actual bin
  triple=$(target) || fail "no leakscan release binary for ${RUNNER_OS:-$(uname -s)}/${RUNNER_ARCH:-$(uname -m)}; use a branch or commit of the action to build from source"
  repo=$(release_repository)
  [ -n "$repo" ] || fail "cannot tell which repository holds the releases"
  case "$triple" in *windows*) ext=zip ;; *) ext=tar.gz ;; esac
  asset="leakscan-$triple.$ext"
  url="$server/$repo/releases/download/v$version/$asset"
  tmp=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/leakscan-download.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  note "downloading $url"
  download "$url.sha256" "$tmp/$asset.sha256" ||
    fail "could not download $url.sha256 (is v$version released, with binaries for $triple?)"
  download "$url" "$tmp/$asset" || fail "could not download $url"
  expected=$(sed -n '1s/^\([0-9A-Fa-f]\{64\}\)\([[:space:]].*\)\{0,1\}$/\1/p' "$tmp/$asset.sha256" | tr 'A-F' 'a-f')
  [ -n "$expected" ] || fail "$asset.sha256 does not hold a SHA-256 checksum"
  actual=$(sha256 "$tmp/$asset")
  [ "$actual" = "$expected" ] ||
    fail "checksum mismatch for $asset: the release says $expected, the download is $actual; nothing was installed"
  note "checksum verified: sha256 $actual"
  if [ "${VERIFY_ATTESTATION:-false}" = true ]; then
    # The checksum file comes from the same release as the archive; the attestation says which
    # workflow run of which repository built it (needs gh and a token, GH_TOKEN).
    command -v gh >/dev/null || fail "verify-attestation needs the GitHub CLI (gh), which is on GitHub-hosted runners"
    gh attestation verify "$tmp/$asset" --repo "$repo" >&2 ||
      fail "the build provenance of $asset could not be verified for $repo; nothing was installed"
    note "build provenance verified: $asset was built by $repo"
  fi
  mkdir -p "$tmp/unpacked" "$dir/bin"
  case "$ext" in
    tar.gz) tar -xzf "$tmp/$asset" -C "$tmp/unpacked" ;;
    zip) if command -v unzip >/dev/null; then unzip -q "$tmp/$asset" -d "$tmp/unpacked"
         else 7z x -y -o"$tmp/unpacked" "$tmp/$asset" >/dev/null; fi ;;
  esac
  bin=$(find "$tmp/unpacked" -type f \( -name leakscan -o -name leakscan.exe \) | sed -n 1p)
  [ -n "$bin" ] || fail "$asset holds no leakscan binary"
  cp "$bin" "$dir/bin/" && chmod 755 "$dir/bin/$(basename "$bin")"
  local said
  said=$("$dir/bin/$(basename "$bin")" --version) || fail "the downloaded leakscan does not run on this runner"
  case "$said" in
    *" $version") echo "installed $said from $asset" ;;
    *) fail "the release v$version holds '$said'" ;;
  esac
}

install_source() {
  if [ -x "$dir/bin/leakscan" ]; then
    echo "leakscan already built: $("$dir/bin/leakscan" --version)"
    return
  fi
  command -v cargo >/dev/null ||
    fail "the action at ${ACTION_REF:-this ref} is not a release, so leakscan is built from source, and that needs cargo (use a runner with Rust, e.g. ubuntu-latest, or pin a release tag)"
  note "${ACTION_REF:-this ref} is not a release tag: building leakscan from the action's source"
  cargo install --locked --path "$src" --root "$dir"
}

read -r mode version < <(plan) || exit 2
[ -n "$mode" ] || exit 2
if [ "${1:-}" = plan ]; then
  {
    echo "mode=$mode"
    echo "version=$version"
    [ "$mode" = source ] && echo "hash=$("$src/scripts/action/source-hash.sh" "$src")"
  } >> "${GITHUB_OUTPUT:-/dev/null}"
  echo "leakscan $version: $([ "$mode" = release ] && echo "release binary" || echo "built from source")"
  exit 0
fi
case "$mode" in
  release) install_release "$version" ;;
  source) install_source ;;
esac
echo "$dir/bin" >> "${GITHUB_PATH:-/dev/null}"
