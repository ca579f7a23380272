//! Reads the blobs of a [`History`] in parallel and hands each to a caller's function.
//!
//! Packed blobs are read by walking their packs' delta trees ([`super::packs`]): each entry
//! inflated once, each delta applied to its base while the base is in memory, and the caller
//! told what the delta copied from the base. The others (loose objects, entries that do not
//! read that way) go through gix's object database: one repository handle per rayon split
//! (`into_sync` once, `to_thread_local` per split), each with its own pack delta-base cache,
//! the blobs sorted by pack offset so that a thread's consecutive reads mostly share bases.

use std::sync::Mutex;

use gix::prelude::*;
use rayon::prelude::*;

use super::history::History;
use super::packs::{Plan, Visit};
use super::repo::Repo;
use crate::delta::Copied;
use crate::error::{Skip, SkipReason};
use crate::source::Origin;

/// A blob as read: its content, or why it could not be read.
pub type BlobContent<'a> = Result<&'a [u8], Skip>;

/// One blob handed to the caller.
pub struct Blob<'a, S> {
    /// Where it first appears; `None` for a blob outside the selection that is read only as the
    /// delta base of blobs in it (its content is for the state of those, not to be reported).
    pub origin: Option<&'a Origin>,
    /// The bytes, or why they could not be read.
    pub content: BlobContent<'a>,
    /// When the blob was read as a delta: the state the caller returned for its base, and the
    /// ranges of the content copied from the base (the rest was inserted by the delta).
    pub base: Option<(&'a S, &'a [Copied])>,
    /// True when deltas over this blob follow: the state returned is handed to them.
    pub is_base: bool,
}

impl Repo {
    /// Reads every blob of `history` in parallel and folds each into an accumulator of the
    /// running thread: `f(acc, blob)`, whose returned state goes to the blobs that are deltas
    /// over it (see [`Blob`]). Accumulators are combined with `merge`; the caller restores a
    /// deterministic order afterwards.
    pub fn fold_blobs<A, S, I, F, M>(&self, history: &History, init: I, f: F, merge: M) -> A
    where
        A: Send,
        S: Send + Sync,
        I: Fn() -> A + Sync + Send,
        F: Fn(&mut A, Blob<'_, S>) -> Option<S> + Sync + Send,
        M: Fn(A, A) -> A + Sync + Send,
    {
        // With a shard, only its blobs are wanted (`index` maps them back to the history's).
        let index: Vec<u32> = (0..history.blobs.len() as u32)
            .filter(|&i| {
                history.shard.is_none_or(|s| {
                    super::history::in_shard(history.blobs[i as usize].id.as_slice(), s)
                })
            })
            .collect();
        let wanted: Vec<gix::ObjectId> = index
            .iter()
            .map(|&i| history.blobs[i as usize].id)
            .collect();
        let plan = Plan::new(self.packs(false), &wanted);
        let failed = Mutex::new(Vec::new());
        let visit = |acc: &mut A, v: Visit<'_, S>| {
            let origin = v
                .blob
                .map(|i| history.origin(&history.blobs[index[i as usize] as usize]));
            f(
                acc,
                Blob {
                    origin: origin.as_ref(),
                    content: Ok(v.content),
                    base: v.base,
                    is_base: v.is_base,
                },
            )
        };
        let fail = |_: &mut A, i: u32| {
            failed
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(index[i as usize])
        };
        let walked = plan.walk(&init, &visit, &fail, &merge);
        let mut rest: Vec<u32> = plan.rest.iter().map(|&i| index[i as usize]).collect();
        rest.extend(
            failed
                .into_inner()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        self.order_by_pack(history, &mut rest);
        let read = self.fold_through_odb(history, &rest, &init, &f, &merge);
        merge(walked, read)
    }

    /// Sorts blobs (indices into the history's blobs) by pack and offset, loose objects last,
    /// so that consecutive reads through the object database share delta bases.
    fn order_by_pack(&self, history: &History, which: &mut [u32]) {
        use gix::odb::pack::Find as _;
        let mut buf = Vec::new();
        let mut odb = (*self.repo.objects).clone();
        // Pack locations are only meaningful while packs stay loaded; gix refuses (panics) to
        // give them while replace refs are honoured, and the location is only a sort key.
        odb.prevent_pack_unload();
        odb.ignore_replacements = true;
        which.sort_by_cached_key(|&i| {
            let id = history.blobs[i as usize].id;
            match odb.location_by_oid(&id, &mut buf) {
                Ok(Some(loc)) => (loc.pack_id, loc.pack_offset, id),
                _ => (u32::MAX, 0, id),
            }
        });
    }

    /// Reads the blobs `which` (indices into the history's blobs) through the object database.
    fn fold_through_odb<A, S, I, F, M>(
        &self,
        history: &History,
        which: &[u32],
        init: &I,
        f: &F,
        merge: &M,
    ) -> A
    where
        A: Send,
        S: Send + Sync,
        I: Fn() -> A + Sync + Send,
        F: Fn(&mut A, Blob<'_, S>) -> Option<S> + Sync + Send,
        M: Fn(A, A) -> A + Sync + Send,
    {
        if which.is_empty() {
            return init();
        }
        let sync = self.repo.clone().into_sync();
        which
            .par_iter()
            .with_min_len(256)
            .fold(
                || (None::<gix::Repository>, Vec::new(), init()),
                |(handle, mut buf, mut acc), &i| {
                    let repo = handle.unwrap_or_else(|| sync.to_thread_local());
                    let b = &history.blobs[i as usize];
                    let origin = history.origin(b);
                    let content = match repo.objects.find_blob(&b.id, &mut buf) {
                        Ok(blob) => Ok(blob.data),
                        Err(e) => Err(Skip::new(
                            origin.display_path(),
                            SkipReason::CorruptObject,
                            format!("blob {}: {e}", b.id),
                        )),
                    };
                    f(
                        &mut acc,
                        Blob {
                            origin: Some(&origin),
                            content,
                            base: None,
                            is_base: false,
                        },
                    );
                    // Do not keep one huge blob's buffer for the rest of the run.
                    if buf.capacity() > 64 << 20 {
                        buf = Vec::new();
                    }
                    (Some(repo), buf, acc)
                },
            )
            .map(|(_, _, acc)| acc)
            .reduce(init, merge)
    }
}
