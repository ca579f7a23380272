//! Reads the blobs of a [`History`] in parallel and hands each to a caller's function.
//!
//! One repository handle per rayon split (`into_sync` once, `to_thread_local` per split), each
//! with its own pack delta-base cache; the object cache stays off because every blob is read
//! once. Blobs arrive sorted by pack offset and rayon hands each thread contiguous runs of
//! them, so a thread's consecutive reads mostly share delta bases.

use gix::prelude::*;
use rayon::prelude::*;

use super::history::History;
use super::Repo;
use crate::error::{Skip, SkipReason};
use crate::source::Origin;

/// A blob as read: its content, or why it could not be read.
pub type BlobContent<'a> = Result<&'a [u8], Skip>;

impl Repo {
    /// Reads every blob of `history` in parallel and folds each into an accumulator of the
    /// running thread: `f(acc, origin, content)`. Accumulators are combined with `merge`; the
    /// caller restores a deterministic order afterwards.
    pub fn fold_blobs<A, I, F, M>(&self, history: &History, init: I, f: F, merge: M) -> A
    where
        A: Send,
        I: Fn() -> A + Sync + Send,
        F: Fn(&mut A, &Origin, BlobContent<'_>) + Sync + Send,
        M: Fn(A, A) -> A + Sync + Send,
    {
        let sync = self.repo.clone().into_sync();
        history
            .blobs
            .par_iter()
            .with_min_len(256)
            .fold(
                || (None::<gix::Repository>, Vec::new(), init()),
                |(handle, mut buf, mut acc), b| {
                    let repo = handle.unwrap_or_else(|| sync.to_thread_local());
                    let origin = history.origin(b);
                    match repo.objects.find_blob(&b.id, &mut buf) {
                        Ok(blob) => f(&mut acc, &origin, Ok(blob.data)),
                        Err(e) => {
                            let skip = Skip::new(
                                origin.display_path(),
                                SkipReason::CorruptObject,
                                format!("blob {}: {e}", b.id),
                            );
                            f(&mut acc, &origin, Err(skip));
                        }
                    }
                    // Do not keep one huge blob's buffer for the rest of the run.
                    if buf.capacity() > 64 << 20 {
                        buf = Vec::new();
                    }
                    (Some(repo), buf, acc)
                },
            )
            .map(|(_, _, acc)| acc)
            .reduce(&init, &merge)
    }
}
