//! What is staged: the index entries whose blob differs from `HEAD` at the same path, for a
//! pre-commit hook.
//!
//! git points `GIT_INDEX_FILE` at a temporary index during `git commit -a` and
//! `git commit PATHS`; gix does not read that variable (GitoxideLabs/gitoxide discussion
//! #2890), so the caller passes it and the file is opened with `gix::index::File::at`. A
//! relative value is relative to the work-tree root, where git runs hooks.

use std::path::{Path, PathBuf};

use gix::bstr::{BString, ByteSlice, ByteVec};
use gix::hashtable::HashMap;
use gix::prelude::*;
use gix::ObjectId;

use super::error::GitError;
use super::history::{HistBlob, History, Place, NO_COMMIT};
use super::repo::Repo;
use crate::error::{Skip, SkipReason};

impl Repo {
    /// The staged blobs: index entries (files and symbolic links, every conflict stage)
    /// whose blob is not the one `HEAD` has at that path. With an unborn `HEAD`, every entry.
    pub fn staged(&self, index_file: Option<&Path>) -> Result<History, GitError> {
        let index = self.read_index(index_file)?;
        let mut h = History {
            staged: true,
            ..History::default()
        };
        let head = self.head_blobs(&mut h.skips);
        let mut seen: HashMap<ObjectId, u32> = HashMap::default();
        for entry in index.entries() {
            use gix::index::entry::Mode;
            if !(entry.mode == Mode::FILE
                || entry.mode == Mode::FILE_EXECUTABLE
                || entry.mode == Mode::SYMLINK)
            {
                continue;
            }
            let path = entry.path(&index);
            if head.get(path).is_some_and(|id| *id == entry.id) {
                continue;
            }
            h.add_staged(entry.id, path.to_owned(), &mut seen);
        }
        Ok(h)
    }

    fn read_index(&self, index_file: Option<&Path>) -> Result<gix::index::File, GitError> {
        let path: PathBuf = match index_file {
            Some(p) if p.is_relative() => self
                .workdir()
                .map(|w| w.join(p))
                .unwrap_or_else(|| p.to_path_buf()),
            Some(p) => p.to_path_buf(),
            None => self.repo.index_path(),
        };
        if index_file.is_none() && !path.exists() {
            // A repository where nothing was ever staged.
            return Ok(gix::index::File::from_state(
                gix::index::State::new(self.repo.object_hash()),
                path,
            ));
        }
        gix::index::File::at(&path, self.repo.object_hash(), false, Default::default()).map_err(
            |e| GitError::Index {
                path: path.display().to_string(),
                message: e.to_string(),
            },
        )
    }

    /// Path -> blob of `HEAD`'s tree; empty when `HEAD` is unborn.
    fn head_blobs(&self, skips: &mut Vec<Skip>) -> std::collections::HashMap<BString, ObjectId> {
        let mut out = std::collections::HashMap::new();
        let Ok(tree) = self.repo.head_tree_id() else {
            return out;
        };
        let mut buf = Vec::new();
        let mut stack = vec![(tree.detach(), BString::default())];
        while let Some((tid, prefix)) = stack.pop() {
            let iter = match self.repo.objects.find_tree_iter(&tid, &mut buf) {
                Ok(it) => it,
                Err(e) => {
                    skips.push(Skip::new(
                        format!("HEAD:{}", prefix.to_str_lossy()),
                        SkipReason::CorruptObject,
                        e.to_string(),
                    ));
                    continue;
                }
            };
            for e in iter.flatten() {
                let mut p = prefix.clone();
                p.push_str(e.filename);
                if e.mode.is_tree() {
                    p.push_byte(b'/');
                    stack.push((e.oid.to_owned(), p));
                } else {
                    out.insert(p, e.oid.to_owned());
                }
            }
        }
        out
    }
}

impl History {
    fn add_staged(&mut self, id: ObjectId, path: BString, seen: &mut HashMap<ObjectId, u32>) {
        if let Some(&i) = seen.get(&id) {
            self.blobs[i as usize].other_places += 1;
            return;
        }
        let p = self.push_path(path);
        seen.insert(id, self.blobs.len() as u32);
        self.by_id.insert(id, self.blobs.len() as u32);
        self.blobs.push(HistBlob {
            id,
            first: Place {
                commit: NO_COMMIT,
                path: p,
            },
            other_places: 0,
        });
    }
}
