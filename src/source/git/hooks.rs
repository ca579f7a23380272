//! The folder git runs hooks from, as `git rev-parse --git-path hooks` finds it: `core.hooksPath`
//! when set (a relative value is relative to the work-tree root, where hooks run), else the
//! `hooks` folder of the common git dir (shared by linked work trees).
//!
//! This is the one place that opens a repository with the user's configuration rather than
//! isolated: `core.hooksPath` is often set globally.

use std::path::{Path, PathBuf};

use super::error::GitError;

/// The hooks folder of the repository containing `start`.
pub fn hooks_dir(start: &Path) -> Result<PathBuf, GitError> {
    let repo = gix::discover(start).map_err(|e| GitError::Open {
        path: crate::source::fs::display_path(start),
        message: e.to_string(),
    })?;
    let configured = repo
        .config_snapshot()
        .trusted_path("core.hooksPath")
        .map_err(|e| GitError::Hook(format!("core.hooksPath: {e}")))?;
    Ok(match configured {
        Some(p) if p.is_relative() => repo.workdir().unwrap_or_else(|| repo.git_dir()).join(p),
        Some(p) => p,
        None => repo.common_dir().join("hooks"),
    })
}
