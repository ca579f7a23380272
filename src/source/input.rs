//! The [`Source`] trait, the [`Blob`]s sources hand out, and the sources that need no module
//! of their own: standard input, and walked files ([`fs::Walk`]).

use rayon::prelude::*;

use super::fs::{self, Walk};
use super::Origin;
use crate::delta::Copied;
use crate::error::Skip;
use crate::progress::Progress;

/// An input that hands out blobs, each named by an [`Origin`]: files and folders
/// ([`fs::Walk`], also what a package listing names: [`fs::listed`]), standard input
/// ([`Stdin`]), a repository's history, staged index or push
/// ([`git::Blobs`](super::git::Blobs)), an archive's members
/// ([`archive::Members`](super::archive::Members)). The scan driver (`drive`) consumes any of them the same way; adding
/// an input (a container image layer, a remote URL) is adding a `Source`.
pub trait Source {
    /// A progress bar sized for what [`Source::fold`] will hand out.
    fn progress(&self, shown: bool) -> Progress;

    /// What could not be read before any blob was handed out (walk errors, unreadable
    /// objects), in no particular order.
    fn skips(&self) -> Vec<Skip>;

    /// Hands every blob to `f`, in parallel when the source can, folding into an accumulator
    /// per running thread (`init` makes one, `merge` combines two); the caller restores a
    /// deterministic order afterwards. What `f` returns for a blob is handed to the blobs
    /// read as deltas over it (see [`Blob::base`]); sources without deltas drop it.
    fn fold<A, S, I, F, M>(&self, init: I, f: F, merge: M) -> A
    where
        A: Send,
        S: Send + Sync,
        I: Fn() -> A + Sync + Send,
        F: Fn(&mut A, Blob<'_, S>) -> Option<S> + Sync + Send,
        M: Fn(A, A) -> A + Sync + Send;
}

/// One blob handed out by a [`Source`].
pub struct Blob<'a, S> {
    /// Where it comes from; `None` for a git blob outside the selection that is read only as
    /// the delta base of blobs in it (its content is for the state of those, not to be
    /// reported).
    pub origin: Option<&'a Origin>,
    /// Its content.
    pub content: Content<'a>,
    /// When the blob was read as a git delta: the state returned for its base, and the ranges
    /// of the content copied from the base (the rest was inserted by the delta).
    pub base: Option<(&'a S, &'a [Copied])>,
    /// True when deltas over this blob follow: the state returned is handed to them.
    pub is_base: bool,
}

/// The content of a [`Blob`].
pub enum Content<'a> {
    /// Bytes in memory.
    Bytes(&'a [u8]),
    /// A file on disk, for the scan to open and read whole or in chunks, as its size says.
    File(&'a fs::FileEntry),
    /// A stream too large to hold (an archive member past the budget): read in chunks.
    Stream(&'a mut dyn std::io::Read),
    /// Why it could not be read.
    Failed(Skip),
}

impl<'a, S> Blob<'a, S> {
    /// A blob of a source without deltas.
    pub fn plain(origin: &'a Origin, content: Content<'a>) -> Blob<'a, S> {
        Blob {
            origin: Some(origin),
            content,
            base: None,
            is_base: false,
        }
    }
}

/// Standard input, read whole.
pub struct Stdin {
    bytes: Vec<u8>,
}

impl Stdin {
    /// Reads standard input to its end.
    pub fn read() -> std::io::Result<Stdin> {
        use std::io::Read;
        let mut bytes = Vec::new();
        std::io::stdin().lock().read_to_end(&mut bytes)?;
        Ok(Stdin { bytes })
    }
}

impl Source for Stdin {
    fn progress(&self, _shown: bool) -> Progress {
        Progress::hidden()
    }

    fn skips(&self) -> Vec<Skip> {
        Vec::new()
    }

    fn fold<A, S, I, F, M>(&self, init: I, f: F, _merge: M) -> A
    where
        A: Send,
        S: Send + Sync,
        I: Fn() -> A + Sync + Send,
        F: Fn(&mut A, Blob<'_, S>) -> Option<S> + Sync + Send,
        M: Fn(A, A) -> A + Sync + Send,
    {
        let mut acc = init();
        f(
            &mut acc,
            Blob::plain(&Origin::Stdin, Content::Bytes(&self.bytes)),
        );
        acc
    }
}

impl Source for Walk {
    fn progress(&self, shown: bool) -> Progress {
        let total = self.files.iter().map(|f| f.size).sum();
        Progress::new(total, "files", shown)
    }

    fn skips(&self) -> Vec<Skip> {
        self.skips.clone()
    }

    fn fold<A, S, I, F, M>(&self, init: I, f: F, merge: M) -> A
    where
        A: Send,
        S: Send + Sync,
        I: Fn() -> A + Sync + Send,
        F: Fn(&mut A, Blob<'_, S>) -> Option<S> + Sync + Send,
        M: Fn(A, A) -> A + Sync + Send,
    {
        self.files
            .par_iter()
            .fold(&init, |mut acc, entry| {
                let origin = Origin::file(entry.display.clone());
                f(&mut acc, Blob::plain(&origin, Content::File(entry)));
                acc
            })
            .reduce(&init, &merge)
    }
}
