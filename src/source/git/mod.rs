//! Git repositories, read with gix: which blobs a history, a revision range, a push or the
//! index holds, each distinct blob once, read in parallel, and where each entered history.
//!
//! Every gix call of leakscan lives in this folder, so that a gix upgrade (gix breaks its API
//! between minor versions) touches nothing else. The rest of the code sees [`Repo`],
//! [`History`] (the distinct blobs to scan, with their first place), [`Origin`]s and
//! [`Skip`]s.
//!
//! - [`history`]: tips (every ref, `A..B`, `--since`, a push), the commit walk, the
//!   parents-first order and the tree walk that finds each blob's first appearance.
//! - [`read`]: reads the blobs in parallel: packed ones by walking the packs' delta trees
//!   (`packs`), each entry inflated once and each delta applied to its base in memory, with
//!   the ranges it copied from the base handed on (a scanner searches only what a delta
//!   inserted); the others through gix's object database, one handle per thread.
//! - [`index`]: the staged blobs that differ from `HEAD` (pre-commit).
//! - [`hooks`]: the hooks folder that `git` itself would run (`core.hooksPath`).
//! - [`walkfile`]: the walk of a history written to a file, read by the shards of that
//!   history instead of walking again (`scan --walk-cache`).
//!
//! Attribution is free: blobs are first seen while walking the commits parents-first, so the
//! first commit whose tree holds a blob is a commit that introduced it (none of its parents
//! holds it), and a conflict resolution in a merge is attributed to the merge. Author and
//! message are read afterwards, only for blobs with findings.

mod blobs;
mod error;
pub mod history;
pub mod hooks;
pub mod index;
mod packs;
pub mod read;
mod repo;
pub mod tips;
pub mod walkfile;

pub use blobs::Blobs;
pub use error::GitError;
pub use repo::Repo;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Skip, SkipReason};
use crate::source::{CommitInfo, Origin};

pub use history::{History, PushUpdate, Selection};
pub use walkfile::{WalkCache, WalkFileError};

/// What a folder is, as far as git goes.
pub enum Detected {
    /// Not the top of a work tree, and not a bare repository.
    None,
    /// A repository (work tree or bare) that opened.
    Repo(Box<Repo>),
    /// It looks like a repository but cannot be opened: reported, and its files are still
    /// scanned as plain files.
    Broken(Skip),
}

/// True when `root` holds `.git` (the top of a work tree), whether or not it opens.
pub fn is_work_tree_top(root: &Path) -> bool {
    std::fs::symlink_metadata(root.join(".git")).is_ok()
}

/// Decides whether `root` is the top of a work tree (it holds `.git`) or a bare repository,
/// and opens it isolated from the environment and from global configuration.
pub fn detect(root: &Path) -> Detected {
    let dotgit = root.join(".git");
    let looks_bare =
        root.join("HEAD").is_file() && root.join("objects").is_dir() && root.join("refs").is_dir();
    if std::fs::symlink_metadata(&dotgit).is_err() && !looks_bare {
        return Detected::None;
    }
    match Repo::open(root) {
        Ok(r) => Detected::Repo(Box::new(r)),
        Err(e) => {
            let shown = if looks_bare {
                root.to_path_buf()
            } else {
                dotgit
            };
            let path = crate::source::fs::display_path(&shown);
            Detected::Broken(Skip::new(
                path,
                SkipReason::Other,
                format!("not a readable git repository, history not scanned: {e}"),
            ))
        }
    }
}

impl Repo {
    /// Opens the repository at `path` (a work tree root, a `.git` folder or a bare repository)
    /// isolated: environment variables and global configuration cannot change what is read.
    pub fn open(path: &Path) -> Result<Repo, GitError> {
        let open_err = |e: &dyn std::fmt::Display| GitError::Open {
            path: crate::source::fs::display_path(path),
            message: e.to_string(),
        };
        let repo =
            gix::open_opts(path, gix::open::Options::isolated()).map_err(|e| open_err(&e))?;
        // Reading refs and HEAD proves the repository is usable, not only present.
        let _platform = repo.references().map_err(|e| open_err(&e))?;
        let shallow = match repo.shallow_commits() {
            Ok(Some(list)) => {
                let mut v: Vec<gix::ObjectId> = list.iter().copied().collect();
                v.sort();
                v
            }
            Ok(None) => Vec::new(),
            Err(e) => return Err(open_err(&e)),
        };
        let workdir = repo.workdir().map(Path::to_path_buf);
        Ok(Repo {
            repo,
            workdir,
            shallow,
            packs: std::sync::OnceLock::new(),
            tuning: repo::Tuning::default(),
        })
    }

    /// The packs of the object folder (and its alternates), opened once and shared by the
    /// commit walk, the tree reader and the blob reader. `bulk` (a whole-history scan, which
    /// reads most of every pack) lets small packs be read whole, up to 64 MiB in all; the
    /// first caller decides.
    fn packs(&self, bulk: bool) -> std::sync::Arc<Vec<packs::Pack>> {
        self.packs
            .get_or_init(|| {
                std::sync::Arc::new(packs::open_packs(
                    self.repo.objects.store_ref().path().to_path_buf(),
                    self.repo.object_hash(),
                    if bulk { packs::WHOLE_PACK } else { 0 },
                    self.tuning.whole_min_objects,
                ))
            })
            .clone()
    }

    /// The work tree root, `None` for a bare repository.
    pub fn workdir(&self) -> Option<&Path> {
        self.workdir.as_deref()
    }

    /// The note printed for a shallow clone: what is missing and how to fetch it.
    pub fn shallow_note(&self) -> Option<String> {
        (!self.shallow.is_empty()).then(|| {
            format!(
                "shallow clone: history is truncated at {} boundary commit(s); secrets committed before them were not scanned, and findings in a boundary commit are attributed 'at or before' it. Fetch the full history with `git fetch --unshallow` (CI: actions/checkout with fetch-depth: 0).",
                self.shallow.len()
            )
        })
    }

    /// A set of the history's blob ids that can tell whether a working-tree file under `root`
    /// (the work tree as walked) holds one of them at one of its paths (its content is hashed
    /// the way git hashes a blob).
    pub fn content_set<'h>(&self, history: &'h History, root: &Path) -> ContentSet<'h> {
        let mut paths: gix::hashtable::HashMap<gix::ObjectId, Vec<String>> = Default::default();
        for (i, origin, _) in history.other_places() {
            paths
                .entry(history.blobs[i].id)
                .or_default()
                .push(origin.path().to_string());
        }
        ContentSet {
            kind: self.repo.object_hash(),
            history,
            root: root.to_path_buf(),
            paths,
        }
    }

    /// Fills the commit (author, date, summary) of every origin that names a blob of
    /// `history`. Commits are read once each, only for the origins given, so attribution
    /// costs what the findings need.
    pub fn attribute<'a>(&self, history: &History, origins: impl Iterator<Item = &'a mut Origin>) {
        let mut cache: HashMap<u32, Option<Arc<CommitInfo>>> = HashMap::new();
        for origin in origins {
            let Some(place) = origin.blob_id().and_then(|hex| history.first_place(hex)) else {
                continue;
            };
            if place.commit == history::NO_COMMIT {
                continue;
            }
            let info = cache
                .entry(place.commit)
                .or_insert_with(|| self.commit_info(history.commit_id(place.commit)))
                .clone();
            origin.set_commit(info);
        }
    }

    /// Fills the commit of origins that all stand at commit `commit` (an index of `history`,
    /// as [`History::other_places`] gives it).
    pub fn attribute_to<'a>(
        &self,
        history: &History,
        commit: u32,
        origins: impl Iterator<Item = &'a mut Origin>,
    ) {
        if commit == history::NO_COMMIT {
            return;
        }
        let info = self.commit_info(history.commit_id(commit));
        for origin in origins {
            origin.set_commit(info.clone());
        }
    }

    /// Reads one blob of `history` again.
    pub fn read_blob(&self, history: &History, index: usize) -> Result<Vec<u8>, GitError> {
        let b = history.blobs.get(index).ok_or_else(|| GitError::Blob {
            id: format!("#{index}"),
            message: "not in this history".into(),
        })?;
        self.repo
            .find_blob(b.id)
            .map(|blob| blob.detach().data)
            .map_err(|e| GitError::Blob {
                id: b.id.to_string(),
                message: e.to_string(),
            })
    }

    fn commit_info(&self, id: gix::ObjectId) -> Option<Arc<CommitInfo>> {
        let commit = self.repo.find_commit(id).ok()?;
        let decoded = commit.decode().ok()?;
        let author = decoded.author().ok()?;
        let date = author
            .time()
            .map(|t| t.format_or_unix(gix::date::time::format::ISO8601_STRICT))
            .unwrap_or_default();
        Some(Arc::new(CommitInfo {
            id: id.to_string(),
            author_name: author.name.to_string(),
            author_email: author.email.to_string(),
            date,
            summary: decoded.message().summary().to_string(),
            at_or_before: self.shallow.binary_search(&id).is_ok(),
        }))
    }
}

/// The blob ids of a history, to recognise working-tree files already scanned as history.
pub struct ContentSet<'h> {
    kind: gix::hash::Kind,
    history: &'h History,
    /// The work tree as walked.
    root: PathBuf,
    /// Each blob's paths beyond its first.
    paths: gix::hashtable::HashMap<gix::ObjectId, Vec<String>>,
}

impl ContentSet<'_> {
    /// When `bytes`, at `path` in the work tree, is one of the history's blobs: the file's
    /// path relative to the work tree and the history paths of the blob (first one first).
    pub fn places(&self, path: &Path, bytes: &[u8]) -> Option<(String, Vec<String>)> {
        let id = self.id_of(bytes)?;
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        let rel = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let b = &self.history.blobs[*self.history.by_id.get(&id)? as usize];
        let mut paths = vec![self.history.origin(b).path().to_string()];
        paths.extend(self.paths.get(&id).into_iter().flatten().cloned());
        Some((rel, paths))
    }

    fn id_of(&self, bytes: &[u8]) -> Option<gix::ObjectId> {
        gix::objs::compute_hash(self.kind, gix::objs::Kind::Blob, bytes)
            .ok()
            .filter(|id| self.history.contains(id))
    }
}
