//! The opened repository, apart from what reads it (the modules beside this one add its
//! methods), so that they all depend on it and it on none of them.

use std::path::PathBuf;

/// An opened repository.
pub struct Repo {
    pub(super) repo: gix::Repository,
    pub(super) workdir: Option<PathBuf>,
    pub(super) shallow: Vec<gix::ObjectId>,
}

/// The lossy display form of a git path or message.
pub(super) fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
