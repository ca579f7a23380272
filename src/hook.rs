//! Git hooks: the lines git gives a pre-push hook, and writing leakscan's hook scripts.
//!
//! Which commits a push sends is decided in `source::git` (it needs the object database);
//! this module only parses and writes text and files.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::source::git::PushUpdate;

/// The line that marks a hook script as written by leakscan, so that `hook install` replaces
/// its own hooks and refuses to overwrite anyone else's. v1 hooks named the binary's absolute
/// path; v2 hooks find `leakscan` when they run.
pub const MARKER: &str = "# leakscan-hook v2";

/// What every version of leakscan's hooks carries.
pub const MARKER_PREFIX: &str = "# leakscan-hook v";

/// Parses git's pre-push standard input: `<local ref> SP <local oid> SP <remote ref> SP
/// <remote oid> LF` per ref. Blank lines are ignored; a malformed line is an error, so a
/// push is never waved through on input that was not understood.
pub fn parse_pre_push(input: &str) -> Result<Vec<PushUpdate>, Error> {
    let mut out = Vec::new();
    for (n, line) in input.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split(' ').collect();
        let is_hex = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit());
        match parts.as_slice() {
            [lr, lo, rr, ro] if is_hex(lo) && is_hex(ro) => out.push(PushUpdate {
                local_ref: lr.to_string(),
                local_oid: lo.to_string(),
                remote_ref: rr.to_string(),
                remote_oid: ro.to_string(),
            }),
            _ => {
                return Err(Error::Usage(format!(
                    "pre-push input line {}: expected '<local ref> <local oid> <remote ref> <remote oid>'",
                    n + 1
                )))
            }
        }
    }
    Ok(out)
}

/// The update that the pre-commit framework describes with `PRE_COMMIT_FROM_REF` and
/// `PRE_COMMIT_TO_REF`; `None` when it gives no range (then everything no remote has is
/// scanned from `HEAD`).
pub fn pre_commit_update(from: Option<&str>, to: Option<&str>) -> Option<(String, Option<String>)> {
    let to = to.map(str::trim).filter(|s| !s.is_empty())?;
    let from = from
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    Some((to.to_string(), from))
}

/// A hook leakscan can install.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HookKind {
    /// `pre-push`: `leakscan hook pre-push`.
    PrePush,
    /// `pre-commit`: `leakscan scan --staged`.
    PreCommit,
}

/// Where leakscan's installers and release binaries are, for the hook's "not found" message.
const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

impl HookKind {
    /// Both kinds, in the order `hook uninstall` visits them.
    pub const ALL: [HookKind; 2] = [HookKind::PrePush, HookKind::PreCommit];

    /// The hook's file name.
    pub fn file_name(self) -> &'static str {
        match self {
            HookKind::PrePush => "pre-push",
            HookKind::PreCommit => "pre-commit",
        }
    }

    /// Where a foreign hook kept by `--chain` lives, beside the hook; the hook runs it first.
    pub fn chained_name(self) -> String {
        format!("{}.leakscan-chained", self.file_name())
    }

    /// Where a foreign hook replaced by `--force` is kept; `hook uninstall` puts it back.
    pub fn backup_name(self) -> String {
        format!("{}.leakscan-backup", self.file_name())
    }

    /// The hook script. It names no binary path: it runs the `leakscan` it finds when git
    /// runs it (`$LEAKSCAN`, else `PATH`, else cargo's and the pre-commit framework's install
    /// folders), so upgrading or moving leakscan never breaks a push. A hook kept by `--chain`
    /// runs first, with the same arguments and (pre-push) the same standard input.
    pub fn script(self) -> String {
        let chained = self.chained_name();
        let (verb, what, run) = match self {
            HookKind::PrePush => (
                "push",
                "pre-push check",
                "\"$leakscan\" hook pre-push \"$@\" < \"$input\"",
            ),
            HookKind::PreCommit => (
                "commit",
                "pre-commit check",
                // As the pre-push check does, say what was blocked and how to override it
                // (exit 1: findings; 2 and 3 explain themselves).
                "\"$leakscan\" scan --staged --no-progress\nstatus=$?\nif [ \"$status\" -eq 1 ]; then\n  echo \"leakscan: commit blocked: the staged changes hold what is reported above. Unstage or edit them (git restore --staged FILE), rotate a secret that already left, or commit with --no-verify to override.\" >&2\nfi\nexit $status",
            ),
        };
        let stdin = match self {
            // git writes the refs being pushed on standard input: keep them for both hooks.
            HookKind::PrePush => {
                "input=$(mktemp \"${TMPDIR:-/tmp}/leakscan-pre-push.XXXXXX\") || exit 1\ntrap 'rm -f \"$input\"' EXIT\ncat > \"$input\"\n"
            }
            HookKind::PreCommit => "input=/dev/null\n",
        };
        format!(
            r#"#!/bin/sh
{MARKER}: written by `leakscan hook install`; `git {verb} --no-verify` skips it,
# `leakscan hook uninstall` removes it (and puts back the hook it replaced or chained).
# It runs the leakscan found when git runs it: $LEAKSCAN, else the one on PATH, else cargo's
# bin folder, else the pre-commit framework's build of it.
{stdin}chained="$(dirname "$0")/{chained}"
if [ -x "$chained" ]; then
  "$chained" "$@" < "$input" || exit $?
fi
leakscan=${{LEAKSCAN:-}}
if [ -z "$leakscan" ]; then
  leakscan=$(command -v leakscan 2>/dev/null) || leakscan=
fi
if [ -z "$leakscan" ]; then
  for candidate in "${{CARGO_HOME:-$HOME/.cargo}}/bin/leakscan" "${{PRE_COMMIT_HOME:-${{XDG_CACHE_HOME:-$HOME/.cache}}/pre-commit}}"/repo*/rustenv-*/bin/leakscan; do
    if [ -x "$candidate" ]; then leakscan=$candidate; break; fi
  done
fi
if [ -z "$leakscan" ]; then
  {{
    echo "leakscan: the {what} ($0) cannot run: leakscan is not on PATH"
    echo "  (nor in ${{CARGO_HOME:-$HOME/.cargo}}/bin or the pre-commit framework's cache)."
    echo "  Install it:  cargo install --locked leakscan"
    echo "     or take a release binary from {REPOSITORY}/releases and put it on PATH."
    echo "  Or name it:  LEAKSCAN=/path/to/leakscan git {verb} ..."
    echo "  This {verb} only, unchecked:  git {verb} --no-verify"
  }} >&2
  exit 1
fi
{run}
"#
        )
    }
}

/// How `install` treats a hook that leakscan did not write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    /// Refuse (the default): nothing is changed.
    Refuse,
    /// Keep it beside leakscan's hook as `<hook>.leakscan-chained`; it runs first.
    Chain,
    /// Replace it; it is kept as `<hook>.leakscan-backup`.
    Replace,
}

/// What `install` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Installed {
    /// Written where there was none.
    New(PathBuf),
    /// leakscan's earlier hook replaced (any version of it).
    Updated(PathBuf),
    /// Someone else's hook replaced (with `--force`); it was kept at the second path.
    Replaced(PathBuf, PathBuf),
    /// Someone else's hook kept at the second path and run first (with `--chain`).
    Chained(PathBuf, PathBuf),
}

/// What `uninstall` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Uninstalled {
    /// No hook of this kind.
    Absent,
    /// The hook there is not leakscan's: left as it is.
    NotOurs(PathBuf),
    /// leakscan's hook removed; nothing to put back.
    Removed(PathBuf),
    /// leakscan's hook removed and the hook it had chained or replaced (the second path) put back.
    Restored(PathBuf, PathBuf),
}

fn io_error(p: &Path, e: std::io::Error) -> Error {
    Error::Io {
        path: p.to_path_buf(),
        source: e,
    }
}

fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, Error> {
    match std::fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_error(path, e)),
    }
}

/// Whether a hook's text is one leakscan wrote (any version).
pub fn is_ours(content: &[u8]) -> bool {
    String::from_utf8_lossy(content).contains(MARKER_PREFIX)
}

/// Writes the hook into `dir`. An existing hook that leakscan did not write is refused, chained
/// or replaced as `existing` says; leakscan's own earlier hook (whatever its version, e.g. one
/// naming an absolute binary path) is rewritten.
pub fn install(dir: &Path, kind: HookKind, existing: Existing) -> Result<Installed, Error> {
    let path = dir.join(kind.file_name());
    std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    let outcome = match read_optional(&path)? {
        None => Installed::New(path.clone()),
        Some(b) if is_ours(&b) => Installed::Updated(path.clone()),
        Some(_) => match existing {
            Existing::Refuse => {
                return Err(Error::Usage(format!(
                    "{}: a hook that leakscan did not write is already there; pass --chain to keep it and run it before leakscan's check, or --force to replace it (it is kept as {})",
                    path.display(),
                    kind.backup_name()
                )))
            }
            Existing::Chain => {
                let chained = dir.join(kind.chained_name());
                if chained.exists() {
                    return Err(Error::Usage(format!(
                        "{}: already holds a chained hook; move it away first (leakscan never overwrites a hook it did not write)",
                        chained.display()
                    )));
                }
                std::fs::rename(&path, &chained).map_err(|e| io_error(&path, e))?;
                Installed::Chained(path.clone(), chained)
            }
            Existing::Replace => {
                let backup = dir.join(kind.backup_name());
                if backup.exists() {
                    return Err(Error::Usage(format!(
                        "{}: already holds a replaced hook; move it away first (leakscan never overwrites a hook it did not write)",
                        backup.display()
                    )));
                }
                std::fs::rename(&path, &backup).map_err(|e| io_error(&path, e))?;
                Installed::Replaced(path.clone(), backup)
            }
        },
    };
    write_executable(&path, &kind.script())?;
    Ok(outcome)
}

/// Writes through a temporary file renamed into place, so that a push running meanwhile sees
/// the old hook or the new one, never half of one.
fn write_executable(path: &Path, text: &str) -> Result<(), Error> {
    let tmp = path.with_extension("leakscan-tmp");
    std::fs::write(&tmp, text).map_err(|e| io_error(&tmp, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| io_error(&tmp, e))?;
    }
    std::fs::rename(&tmp, path).map_err(|e| io_error(path, e))
}

/// Removes leakscan's hook of this kind from `dir` and puts back what it chained or replaced.
/// A hook leakscan did not write is left alone.
pub fn uninstall(dir: &Path, kind: HookKind) -> Result<Uninstalled, Error> {
    let path = dir.join(kind.file_name());
    match read_optional(&path)? {
        None => return Ok(Uninstalled::Absent),
        Some(b) if !is_ours(&b) => return Ok(Uninstalled::NotOurs(path)),
        Some(_) => {}
    }
    for kept in [dir.join(kind.chained_name()), dir.join(kind.backup_name())] {
        if kept.is_file() {
            // rename replaces leakscan's hook in one step: there is always a hook.
            std::fs::rename(&kept, &path).map_err(|e| io_error(&kept, e))?;
            return Ok(Uninstalled::Restored(path, kept));
        }
    }
    std::fs::remove_file(&path).map_err(|e| io_error(&path, e))?;
    Ok(Uninstalled::Removed(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_kind_of_line() {
        let z = "0".repeat(40);
        let a = "a".repeat(40);
        let input = format!("refs/heads/main {a} refs/heads/main {z}\n(delete) {z} refs/heads/old {a}\n\nHEAD~1 {a} refs/heads/x {z}\n");
        let u = parse_pre_push(&input).expect("parses");
        assert_eq!(u.len(), 3);
        assert_eq!(u[1].local_ref, "(delete)");
        assert_eq!(u[2].remote_ref, "refs/heads/x");
        assert!(parse_pre_push("garbage\n").is_err());
        assert_eq!(parse_pre_push("").map(|v| v.len()).ok(), Some(0));
    }

    #[test]
    fn pre_commit_env() {
        assert_eq!(pre_commit_update(Some(""), Some("")), None);
        assert_eq!(
            pre_commit_update(None, Some("abc")),
            Some(("abc".into(), None))
        );
        assert_eq!(
            pre_commit_update(Some("x"), Some("y")),
            Some(("y".into(), Some("x".into())))
        );
    }

    #[test]
    fn refuses_foreign_hook_unless_forced_or_chained() {
        let d = tempfile::tempdir().expect("tempdir");
        let foreign = "#!/bin/sh\necho mine\n";
        std::fs::write(d.path().join("pre-push"), foreign).expect("write");
        assert!(install(d.path(), HookKind::PrePush, Existing::Refuse).is_err());
        assert_eq!(
            std::fs::read_to_string(d.path().join("pre-push"))
                .ok()
                .as_deref(),
            Some(foreign),
            "a refused install changes nothing"
        );
        let r = install(d.path(), HookKind::PrePush, Existing::Replace).expect("forced");
        assert!(matches!(r, Installed::Replaced(..)));
        assert!(d.path().join("pre-push.leakscan-backup").is_file());
        let again = install(d.path(), HookKind::PrePush, Existing::Refuse).expect("own hook");
        assert!(matches!(again, Installed::Updated(_)));
        // Uninstall puts the replaced hook back, byte for byte.
        let u = uninstall(d.path(), HookKind::PrePush).expect("uninstall");
        assert!(matches!(u, Uninstalled::Restored(..)), "{u:?}");
        assert_eq!(
            std::fs::read_to_string(d.path().join("pre-push"))
                .ok()
                .as_deref(),
            Some(foreign)
        );
        assert!(!d.path().join("pre-push.leakscan-backup").exists());
        // Chained: kept beside, restored by uninstall; a foreign hook is never removed.
        let r = install(d.path(), HookKind::PrePush, Existing::Chain).expect("chained");
        assert!(matches!(r, Installed::Chained(..)));
        assert!(d.path().join("pre-push.leakscan-chained").is_file());
        assert!(matches!(
            uninstall(d.path(), HookKind::PrePush),
            Ok(Uninstalled::Restored(..))
        ));
        assert!(matches!(
            uninstall(d.path(), HookKind::PrePush),
            Ok(Uninstalled::NotOurs(_))
        ));
        assert!(matches!(
            uninstall(d.path(), HookKind::PreCommit),
            Ok(Uninstalled::Absent)
        ));
        install(d.path(), HookKind::PreCommit, Existing::Refuse).expect("new");
        assert!(matches!(
            uninstall(d.path(), HookKind::PreCommit),
            Ok(Uninstalled::Removed(_))
        ));
        assert!(!d.path().join("pre-commit").exists());
    }

    #[test]
    fn a_v1_hook_is_ours_and_scripts_name_no_binary_path() {
        assert!(is_ours(
            b"#!/bin/sh\n# leakscan-hook v1: written by\nexec '/x/leakscan' hook pre-push \"$@\"\n"
        ));
        assert!(!is_ours(b"#!/bin/sh\nexec gitleaks\n"));
        for kind in HookKind::ALL {
            let s = kind.script();
            assert!(s.starts_with("#!/bin/sh\n") && s.contains(MARKER), "{s}");
            assert!(
                s.contains("command -v leakscan") && !s.contains("exec '/"),
                "{s}"
            );
            assert!(s.contains("cargo install --locked leakscan"), "{s}");
        }
    }
}
