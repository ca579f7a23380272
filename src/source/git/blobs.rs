//! A repository's history, staged index or push as a [`Source`].

use super::history::History;
use super::repo::Repo;
use crate::error::Skip;
use crate::progress::Progress;
use crate::source::input::{Blob, Content, Source};

/// The distinct blobs of a [`History`] (a selection of history, the staged entries, a push),
/// read from `repo`.
pub struct Blobs<'r> {
    /// The repository.
    pub repo: &'r Repo,
    /// The blobs to read.
    pub history: &'r History,
}

impl Source for Blobs<'_> {
    fn progress(&self, shown: bool) -> Progress {
        Progress::blobs(
            self.history.blob_count() as u64,
            self.history.commit_count,
            shown,
        )
    }

    fn skips(&self) -> Vec<Skip> {
        self.history.skips.clone()
    }

    fn fold<A, S, I, F, M>(&self, init: I, f: F, merge: M) -> A
    where
        A: Send,
        S: Send + Sync,
        I: Fn() -> A + Sync + Send,
        F: Fn(&mut A, Blob<'_, S>) -> Option<S> + Sync + Send,
        M: Fn(A, A) -> A + Sync + Send,
    {
        self.repo.fold_blobs(
            self.history,
            init,
            |acc, b: super::read::Blob<'_, S>| {
                let content = match b.content {
                    Ok(bytes) => Content::Bytes(bytes),
                    Err(skip) => Content::Failed(skip),
                };
                f(
                    acc,
                    Blob {
                        origin: b.origin,
                        content,
                        base: b.base,
                        is_base: b.is_base,
                    },
                )
            },
            merge,
        )
    }
}
