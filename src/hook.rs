//! Git hooks: the lines git gives a pre-push hook, and writing leakscan's hook scripts.
//!
//! Which commits a push sends is decided in `source::git` (it needs the object database);
//! this module only parses and writes text and files.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::source::git::PushUpdate;

/// The line that marks a hook script as written by leakscan, so that `hook install` replaces
/// its own hooks and refuses to overwrite anyone else's.
pub const MARKER: &str = "# leakscan-hook v1";

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

impl HookKind {
    /// The hook's file name.
    pub fn file_name(self) -> &'static str {
        match self {
            HookKind::PrePush => "pre-push",
            HookKind::PreCommit => "pre-commit",
        }
    }

    /// The script, running `exe`.
    pub fn script(self, exe: &Path) -> String {
        let exe = shell_quote(&exe.to_string_lossy());
        let run = match self {
            HookKind::PrePush => format!("exec {exe} hook pre-push \"$@\""),
            HookKind::PreCommit => format!("exec {exe} scan --staged --no-progress"),
        };
        format!(
            "#!/bin/sh\n{MARKER}: written by `leakscan hook install`; `git {} --no-verify` skips it.\n{run}\n",
            if self == HookKind::PrePush { "push" } else { "commit" }
        )
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// What `install` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Installed {
    /// Written where there was none.
    New(PathBuf),
    /// leakscan's earlier hook replaced.
    Updated(PathBuf),
    /// Someone else's hook replaced (with `--force`); it was kept at the second path.
    Replaced(PathBuf, PathBuf),
}

/// Writes the hook into `dir`. An existing hook that leakscan did not write is refused unless
/// `force`, and then kept beside it as `<name>.leakscan-backup`.
pub fn install(dir: &Path, kind: HookKind, exe: &Path, force: bool) -> Result<Installed, Error> {
    let path = dir.join(kind.file_name());
    let io = |p: &Path, e: std::io::Error| Error::Io {
        path: p.to_path_buf(),
        source: e,
    };
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let existing = match std::fs::read(&path) {
        Ok(b) => Some(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io(&path, e)),
    };
    let outcome = match existing {
        None => Installed::New(path.clone()),
        Some(b) if String::from_utf8_lossy(&b).contains(MARKER) => Installed::Updated(path.clone()),
        Some(_) if !force => {
            return Err(Error::Usage(format!(
                "{}: a hook that leakscan did not write is already there; add `{}` to it yourself, or pass --force to replace it (it is kept as {}.leakscan-backup)",
                path.display(),
                match kind {
                    HookKind::PrePush => "leakscan hook pre-push \"$@\"",
                    HookKind::PreCommit => "leakscan scan --staged",
                },
                kind.file_name()
            )))
        }
        Some(_) => {
            let backup = dir.join(format!("{}.leakscan-backup", kind.file_name()));
            std::fs::rename(&path, &backup).map_err(|e| io(&path, e))?;
            Installed::Replaced(path.clone(), backup)
        }
    };
    std::fs::write(&path, kind.script(exe)).map_err(|e| io(&path, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| io(&path, e))?;
    }
    Ok(outcome)
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
    fn refuses_foreign_hook_unless_forced() {
        let d = tempfile::tempdir().expect("tempdir");
        let exe = Path::new("/usr/bin/leakscan");
        std::fs::write(d.path().join("pre-push"), "#!/bin/sh\necho mine\n").expect("write");
        assert!(install(d.path(), HookKind::PrePush, exe, false).is_err());
        let r = install(d.path(), HookKind::PrePush, exe, true).expect("forced");
        assert!(matches!(r, Installed::Replaced(..)));
        assert!(d.path().join("pre-push.leakscan-backup").is_file());
        let again = install(d.path(), HookKind::PrePush, exe, false).expect("own hook");
        assert!(matches!(again, Installed::Updated(_)));
    }
}
