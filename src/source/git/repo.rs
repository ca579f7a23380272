//! The opened repository, apart from what reads it (the modules beside this one add its
//! methods), so that they all depend on it and it on none of them.

use std::path::PathBuf;

/// An opened repository.
pub struct Repo {
    pub(super) repo: gix::Repository,
    pub(super) workdir: Option<PathBuf>,
    pub(super) shallow: Vec<gix::ObjectId>,
    /// The packs of the object folder and its alternates, opened on first use.
    pub(super) packs: std::sync::OnceLock<std::sync::Arc<Vec<super::packs::Pack>>>,
    pub(super) tuning: Tuning,
}

/// Sizes at which the history walk changes how it works (fields, so tests can take each way
/// on a small repository).
pub(super) struct Tuning {
    /// A walk of at least this many roots reads its trees on a thread of its own.
    pub(super) pipeline_min_roots: usize,
    /// A whole-history scan holds a pack in memory (and reads its commits and trees ahead)
    /// when it has at least this many objects.
    pub(super) whole_min_objects: u32,
}

impl Default for Tuning {
    fn default() -> Tuning {
        Tuning {
            // Below this a walk takes a few tens of milliseconds: the second thread and its
            // queue cost more than they save (gitleaks' history: 3,800 commits).
            pipeline_min_roots: 8192,
            // Likewise for holding the pack and reading it ahead, which cost memory.
            whole_min_objects: 64 << 10,
        }
    }
}

/// The lossy display form of a git path or message.
pub(super) fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
