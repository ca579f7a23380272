//! What grouped history findings need from the repository (see [`crate::group`]): which
//! branch tips still hold a version of a path, and the versions a path had, in history order.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::history::{History, NO_COMMIT};
use super::repo::lossy;
use super::Repo;
use crate::source::CommitInfo;

/// Most refs whose tips are looked at: branches and remote-tracking branches (tags are
/// snapshots of the past: a secret in a release tag is in history, not "still there").
const MAX_TIPS: usize = 64;

/// One version of a path: (commit rank, blob id, commit index).
type PathVersion = (u32, String, u32);

/// [`crate::group::Tips`] over a repository and the history scanned from it.
pub struct RepoTips<'a> {
    repo: &'a Repo,
    /// (ref name, root tree id) of `HEAD`, the branches and remote-tracking branches, resolved
    /// once rather than per finding.
    tips: Vec<(String, gix::ObjectId)>,
    /// Versions of each path: (commit rank, blob id, commit index); built on first use, as
    /// only findings that no tip holds need it.
    by_path: std::sync::OnceLock<HashMap<String, Vec<PathVersion>>>,
    history: &'a History,
    infos: Mutex<HashMap<u32, Option<Arc<CommitInfo>>>>,
}

impl<'a> RepoTips<'a> {
    /// The tips of `repo` and the versions of every path of `history`.
    pub fn new(repo: &'a Repo, history: &'a History) -> RepoTips<'a> {
        let mut tips = Vec::new();
        if let Ok(id) = repo.repo.head_id() {
            tips.push(("HEAD".to_string(), id.detach()));
        }
        if let Ok(platform) = repo.repo.references() {
            for prefix in ["refs/heads/", "refs/remotes/"] {
                let Ok(iter) = platform.prefixed(prefix) else {
                    continue;
                };
                for mut r in iter.filter_map(Result::ok) {
                    let name = r.name().as_bstr().to_string();
                    if name.ends_with("/HEAD") {
                        continue;
                    }
                    if let Ok(id) = r.peel_to_id() {
                        tips.push((name, id.detach()));
                    }
                }
            }
        }
        tips.truncate(MAX_TIPS);
        let tips = tips
            .into_iter()
            .filter_map(|(name, id)| {
                let tree = repo.repo.find_commit(id).ok()?.tree_id().ok()?.detach();
                Some((name, tree))
            })
            .collect();
        RepoTips {
            repo,
            tips,
            by_path: std::sync::OnceLock::new(),
            history,
            infos: Mutex::new(HashMap::new()),
        }
    }

    /// The parents-first rank of a commit of the history, by hex id.
    pub fn rank_of(&self) -> HashMap<String, u32> {
        (0..self.history.commit_ids().len() as u32)
            .map(|i| (self.history.commit_id(i).to_string(), i))
            .collect()
    }

    /// The versions of every path of the history.
    fn by_path(&self) -> &HashMap<String, Vec<(u32, String, u32)>> {
        self.by_path.get_or_init(|| {
            let history = self.history;
            let mut by_path: HashMap<String, Vec<(u32, String, u32)>> = HashMap::new();
            let mut add = |path: String, commit: u32, blob: String| {
                if commit != NO_COMMIT {
                    by_path
                        .entry(path)
                        .or_default()
                        .push((commit, blob, commit));
                }
            };
            for b in &history.blobs {
                add(
                    lossy(history.path(b.first.path)),
                    b.first.commit,
                    b.id.to_string(),
                );
            }
            for (_, origin, commit) in history.other_places() {
                if let Some(blob) = origin.blob_id() {
                    add(origin.path().to_string(), commit, blob.to_string());
                }
            }
            for v in by_path.values_mut() {
                v.sort();
            }
            by_path
        })
    }

    fn info(&self, commit: u32) -> Option<Arc<CommitInfo>> {
        let mut infos = self
            .infos
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        infos
            .entry(commit)
            .or_insert_with(|| self.repo.commit_info(self.history.commit_id(commit)))
            .clone()
    }
}

impl crate::group::Tips for RepoTips<'_> {
    fn holding(&self, path: &str, blobs: &[String]) -> Vec<String> {
        let mut out = Vec::new();
        for (name, tree) in &self.tips {
            let Ok(tree) = self.repo.repo.find_tree(*tree) else {
                continue;
            };
            if let Ok(Some(entry)) = tree.lookup_entry_by_path(path) {
                let oid = entry.object_id().to_string();
                if blobs.contains(&oid) && !out.contains(name) {
                    out.push(name.clone());
                }
            }
        }
        out
    }

    fn versions(&self, path: &str) -> Vec<(u32, String)> {
        self.by_path()
            .get(path)
            .map(|v| {
                v.iter()
                    .map(|(rank, blob, _)| (*rank, blob.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn commit(&self, rank: u32) -> Option<Arc<CommitInfo>> {
        self.info(rank)
    }
}

impl Repo {
    /// True when a parent of `commit` has blob `blob` at `path` (the commit did not put it
    /// there). A commit whose parents cannot be read counts as not having put it there.
    pub fn parent_has(&self, commit: gix::ObjectId, path: &str, blob: gix::ObjectId) -> bool {
        let Ok(c) = self.repo.find_commit(commit) else {
            return true;
        };
        let parents: Vec<gix::ObjectId> = c.parent_ids().map(|p| p.detach()).collect();
        parents.into_iter().any(|p| {
            let Ok(pc) = self.repo.find_commit(p) else {
                return true;
            };
            let Ok(tree) = pc.tree() else { return true };
            matches!(tree.lookup_entry_by_path(path), Ok(Some(e)) if e.object_id() == blob)
        })
    }

    /// The content of a blob, if it can be read.
    pub fn blob_bytes(&self, id: gix::ObjectId) -> Option<Vec<u8>> {
        self.repo.find_blob(id).ok().map(|b| b.detach().data)
    }

    /// The content of the blob at `path` in the tree of `commit`, if there is one.
    pub fn blob_at(&self, commit: gix::ObjectId, path: &str) -> Option<Vec<u8>> {
        let commit = self.repo.find_commit(commit).ok()?;
        let tree = commit.tree().ok()?;
        let entry = tree.lookup_entry_by_path(path).ok()??;
        if !entry.mode().is_blob() {
            return None;
        }
        let id = entry.object_id();
        self.repo.find_blob(id).ok().map(|b| b.detach().data)
    }
}
