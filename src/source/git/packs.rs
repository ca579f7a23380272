//! Reads a history's blobs straight from the pack files, one delta tree at a time.
//!
//! A pack stores most versions of a file as a delta over another version: a list of ranges
//! copied from the base and bytes inserted. Reading blob by blob through the object database
//! inflates and applies each delta chain again for every blob on it (a cache helps, but a
//! history scan spent a quarter of its time in zlib and copying out of that cache). Here each
//! pack entry on the way to a wanted blob is inflated once: the entries form trees (a base,
//! the deltas over it, the deltas over those), and each tree is walked from its root, every
//! delta applied to its base's bytes while the base is still in memory.
//!
//! The walk also hands the caller what a delta copied from its base ([`Copied`] ranges) along
//! with whatever the caller derived from the base (its state), so that a scanner can look
//! only at what a version adds (see [`crate::matcher::Hits`]).
//!
//! [`TreeReader`] reads the trees of the history walk from the same packs, one by one, with a
//! cache of the delta bases it met on the way.
//!
//! Pack data is read with positioned reads, not through a memory map: a mapped pack counts in
//! the process's resident memory for every page touched, which by the end of a history scan is
//! the whole pack (the 500 MB pack of git.git's history doubled the peak memory). The pack
//! index stays mapped: it is what finding an object needs.
//!
//! Nothing here is needed for correctness: a blob that is not in a pack this module can open,
//! whose delta chain does not resolve inside its pack, that is too deep or too large, whose
//! entry does not inflate or apply, or whose base would pass the budget of bases held in
//! memory, is read through gix's object database instead (which also reports it as corrupt
//! when it is), without a base.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use flate2::{Decompress, FlushDecompress, Status};
use gix::odb::pack;
use gix::ObjectId;
use rayon::prelude::*;

use crate::delta::Copied;

/// Deltas deeper than this below their root are read through the object database: the walk
/// recurses once per level. git writes chains of at most 50 unless told otherwise.
const MAX_DEPTH: usize = 100;
/// Entries larger than this (inflated) are inflated in pieces, never in one call.
const FAST_INFLATE_MAX: usize = 64 << 20;
/// Entries larger than this (inflated) are read through the object database.
const MAX_ENTRY: u64 = 1 << 30;
/// Bytes of delta bases the blob walk keeps in memory at most (see [`Walker::visit`]).
const HELD_BUDGET: usize = 128 << 20;
const NONE: u32 = u32::MAX;

/// An opened pack: its index and its data.
pub(super) struct Pack {
    index: pack::index::File,
    data: PackData,
}

/// What a pack entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EntryKind {
    Commit,
    Tree,
    Blob,
    Tag,
    /// A delta over the entry at this pack offset.
    OfsDelta(u64),
    /// A delta over the object with this id.
    RefDelta(ObjectId),
}

impl EntryKind {
    fn is_delta(self) -> bool {
        matches!(self, EntryKind::OfsDelta(_) | EntryKind::RefDelta(_))
    }
}

/// A pack entry's header.
#[derive(Clone, Copy, Debug)]
struct Head {
    kind: EntryKind,
    /// Inflated size (of the delta itself for a delta).
    size: u64,
    /// Where the zlib stream starts.
    data_offset: u64,
}

/// A pack's data file, read with positioned reads (see the module's documentation) through a
/// small window per thread, or held whole when a scan reads most of a small pack.
struct PackData {
    file: std::fs::File,
    /// Tells this pack's bytes apart in the per-thread windows.
    id: u64,
    /// The whole file, for a small pack that a whole-history scan reads nearly all of: the
    /// positioned reads, two per entry, were most of such a scan's system time.
    whole: Option<Vec<u8>>,
    /// Where the entries end (the trailing checksum starts).
    end: u64,
    num_objects: u32,
    hash: gix::hash::Kind,
}

/// Bytes read per positioned read when the window moves: pack entries read one after the
/// other (a delta and its base, a commit's trees) usually sit close together.
const WINDOW: usize = 4 << 10;

/// A pack is held whole when the scan reads a whole history, the pack is no larger than this
/// (all packs held whole together neither) and has enough objects (see `Tuning`).
pub(super) const WHOLE_PACK: u64 = 64 << 20;

/// The last bytes read from a pack on this thread.
struct Window {
    pack: u64,
    start: u64,
    len: usize,
    buf: Vec<u8>,
}

thread_local! {
    static WINDOWS: std::cell::RefCell<Window> = const {
        std::cell::RefCell::new(Window { pack: 0, start: 0, len: 0, buf: Vec::new() })
    };
    static LONG_READS: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl PackData {
    /// Opens a pack, read whole into memory when it is no larger than `whole_budget` bytes
    /// (what is read is taken from it).
    fn open(
        path: &Path,
        hash: gix::hash::Kind,
        whole_budget: &mut u64,
    ) -> std::io::Result<PackData> {
        use std::io::Read;
        use std::os::unix::fs::FileExt;
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let mut file = std::fs::File::open(path)?;
        let len = file.metadata()?.len();
        let mut head = [0u8; 12];
        file.read_exact_at(&mut head, 0)?;
        let bad = || std::io::Error::new(std::io::ErrorKind::InvalidData, "not a pack");
        let version = u32::from_be_bytes([head[4], head[5], head[6], head[7]]);
        if &head[..4] != b"PACK" || !(version == 2 || version == 3) {
            return Err(bad());
        }
        let end = len
            .checked_sub(hash.len_in_bytes() as u64)
            .filter(|&e| e >= 12)
            .ok_or_else(bad)?;
        let whole = if len <= *whole_budget {
            let mut bytes = Vec::with_capacity(len as usize);
            file.read_to_end(&mut bytes)?;
            if (bytes.len() as u64) < end {
                return Err(bad());
            }
            *whole_budget -= len;
            Some(bytes)
        } else {
            None
        };
        Ok(PackData {
            file,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            whole,
            end,
            num_objects: u32::from_be_bytes([head[8], head[9], head[10], head[11]]),
            hash,
        })
    }

    /// Calls `f` with the bytes from `offset` on: at least `want` of them (fewer only at the end
    /// of the entries), often more.
    fn with_bytes<R>(&self, offset: u64, want: usize, f: impl FnOnce(&[u8]) -> R) -> Result<R, ()> {
        if offset >= self.end {
            return Err(());
        }
        if let Some(whole) = &self.whole {
            return Ok(f(&whole[offset as usize..self.end as usize]));
        }
        let want = want.min((self.end - offset) as usize);
        if want > WINDOW {
            // One buffer per thread for long reads (at most 1 MiB, see `inflate`): a buffer
            // per entry allocated and freed each time, which fragmented the heap.
            return LONG_READS.with_borrow_mut(|buf| {
                buf.resize(want, 0);
                let got = self.read_at(offset, buf)?;
                Ok(f(got))
            });
        }
        WINDOWS.with_borrow_mut(|w| {
            let hit = w.pack == self.id
                && offset >= w.start
                && offset + want as u64 <= w.start + w.len as u64;
            if !hit {
                w.buf.resize(WINDOW, 0);
                w.pack = 0;
                w.len = self.read_at(offset, &mut w.buf)?.len();
                w.pack = self.id;
                w.start = offset;
                if w.len < want {
                    return Err(());
                }
            }
            let from = (offset - w.start) as usize;
            Ok(f(&w.buf[from..w.len]))
        })
    }

    /// Reads up to `buf.len()` bytes at `offset`, stopping at the end of the entries.
    fn read_at<'b>(&self, offset: u64, buf: &'b mut [u8]) -> Result<&'b [u8], ()> {
        use std::os::unix::fs::FileExt;
        if offset >= self.end {
            return Err(());
        }
        let n = buf.len().min((self.end - offset) as usize);
        let mut got = 0;
        while got < n {
            match self.file.read_at(&mut buf[got..n], offset + got as u64) {
                Ok(0) => break,
                Ok(k) => got += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return Err(()),
            }
        }
        Ok(&buf[..got])
    }

    /// The header of the entry at `offset`.
    fn head(&self, offset: u64) -> Result<Head, ()> {
        self.with_bytes(offset, 64, |b| {
            parse_head(&b[..b.len().min(64)], offset, self.hash)
        })?
    }

    /// Inflates the zlib stream at `offset` into `out`, which must come to exactly `size`
    /// bytes. The stream is read in pieces: its compressed length is not known.
    fn inflate(&self, offset: u64, size: u64, out: &mut Vec<u8>) -> Result<(), ()> {
        let size = usize::try_from(size).map_err(|_| ())?;
        out.clear();
        out.reserve_exact(size + 1);
        // Most streams are at hand whole (a pack held in memory, or a window that covers the
        // stream): libdeflate inflates those in one call, about twice as fast as a streaming
        // inflater. A stream longer than the bytes at hand, or one that does not inflate,
        // goes the streaming way below.
        // The output is zeroed first: only for sizes the bytes at hand could inflate to
        // (deflate expands at most about 1032 times) and at most 64 MiB, so that a corrupt
        // size costs no more than that.
        let whole = self.with_bytes(offset, (size + 64).clamp(256, 1 << 20), |input| {
            if size > FAST_INFLATE_MAX || size / 1032 > input.len() {
                return false;
            }
            out.resize(size, 0);
            DEFLATE.with_borrow_mut(|d| d.zlib_decompress(input, out)) == Ok(size)
        });
        if whole == Ok(true) {
            return Ok(());
        }
        out.clear();
        // One inflater per thread: making one per entry allocates and frees each time, which
        // fragmented the heap.
        INFLATE.with_borrow_mut(|z| {
            z.reset(true);
            // A zlib stream is rarely longer than its output plus a few bytes: most entries
            // come in one piece.
            let mut chunk = (size + 64).clamp(256, 1 << 20);
            let mut at = offset;
            loop {
                let step = self.with_bytes(at, chunk, |input| -> Result<Option<usize>, ()> {
                    let mut used = 0usize;
                    loop {
                        let (before_in, before_out) = (z.total_in(), z.total_out());
                        let status = z
                            .decompress_vec(&input[used..], out, FlushDecompress::None)
                            .map_err(|_| ())?;
                        used += (z.total_in() - before_in) as usize;
                        if status == Status::StreamEnd {
                            return if out.len() == size { Ok(None) } else { Err(()) };
                        }
                        if out.len() > size {
                            return Err(());
                        }
                        if out.len() == out.capacity() {
                            out.reserve(1);
                        }
                        if used >= input.len() {
                            return Ok(Some(used));
                        }
                        if z.total_in() == before_in && z.total_out() == before_out {
                            return Err(());
                        }
                    }
                })??;
                match step {
                    None => return Ok(()),
                    Some(0) => return Err(()),
                    Some(used) => at += used as u64,
                }
                chunk = 1 << 20;
            }
        })
    }
}

thread_local! {
    static INFLATE: std::cell::RefCell<Decompress> =
        std::cell::RefCell::new(Decompress::new(true));
    static DEFLATE: std::cell::RefCell<libdeflater::Decompressor> =
        std::cell::RefCell::new(libdeflater::Decompressor::new());
}

/// Parses an entry header from the bytes at `offset` of a pack.
fn parse_head(b: &[u8], offset: u64, hash: gix::hash::Kind) -> Result<Head, ()> {
    let mut i = 0;
    let mut c = *b.first().ok_or(())?;
    i += 1;
    let kind = (c >> 4) & 7;
    let mut size = u64::from(c & 0x0f);
    let mut shift = 4;
    while c & 0x80 != 0 {
        c = *b.get(i).ok_or(())?;
        i += 1;
        if shift > 60 {
            return Err(());
        }
        size |= u64::from(c & 0x7f) << shift;
        shift += 7;
    }
    let kind = match kind {
        1 => EntryKind::Commit,
        2 => EntryKind::Tree,
        3 => EntryKind::Blob,
        4 => EntryKind::Tag,
        6 => {
            let mut c = *b.get(i).ok_or(())?;
            i += 1;
            let mut dist = u64::from(c & 0x7f);
            while c & 0x80 != 0 {
                c = *b.get(i).ok_or(())?;
                i += 1;
                if dist > (u64::MAX >> 8) {
                    return Err(());
                }
                dist = ((dist + 1) << 7) | u64::from(c & 0x7f);
            }
            if dist == 0 || dist > offset {
                return Err(());
            }
            EntryKind::OfsDelta(offset - dist)
        }
        7 => {
            let n = hash.len_in_bytes();
            let id = ObjectId::try_from(b.get(i..i + n).ok_or(())?).map_err(|_| ())?;
            i += n;
            EntryKind::RefDelta(id)
        }
        _ => return Err(()),
    };
    Ok(Head {
        kind,
        size,
        data_offset: offset + i as u64,
    })
}

/// One pack entry on the way to a wanted blob.
struct Node {
    /// Where its compressed data starts, and its inflated size.
    data_offset: u64,
    size: u64,
    is_delta: bool,
    /// The index of the wanted blob it is, or [`NONE`].
    blob: u32,
    children: Vec<u32>,
}

/// The delta trees of one pack.
struct Forest {
    pack: usize,
    nodes: Vec<Node>,
    roots: Vec<u32>,
}

/// Which wanted blobs are read how.
pub(super) struct Plan {
    packs: Arc<Vec<Pack>>,
    forests: Vec<Forest>,
    /// Blobs (indices into the wanted list) read through the object database.
    pub(super) rest: Vec<u32>,
}

/// A blob as the walk hands it over.
pub(super) struct Visit<'a, S> {
    /// Index into the wanted list, or `None` for a delta base that only leads to wanted blobs.
    pub blob: Option<u32>,
    pub content: &'a [u8],
    /// The state returned for its delta base, and the ranges copied from the base.
    pub base: Option<(&'a S, &'a [Copied])>,
    /// True when deltas over this blob follow: the state returned is handed to them.
    pub is_base: bool,
}

/// The `.idx` files of the repository's object folder and of its alternates, each with its
/// pack. Packs that do not open are left to the object database.
/// Packs of at most [`WHOLE_PACK`] bytes and at least `whole_min_objects` objects are read
/// whole, up to `whole_budget` bytes in all.
pub(super) fn open_packs(
    objects: PathBuf,
    hash: gix::hash::Kind,
    mut whole_budget: u64,
    whole_min_objects: u32,
) -> Vec<Pack> {
    let mut dirs = vec![objects.clone()];
    if let Ok(cwd) = std::env::current_dir() {
        if let Ok(alternates) = gix::odb::alternate::resolve(objects, &cwd) {
            dirs.extend(alternates);
        }
    }
    let mut packs = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir.join("pack")) else {
            continue;
        };
        let mut idx: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "idx"))
            .collect();
        idx.sort();
        for path in idx {
            let index = pack::index::File::at(&path, hash);
            let many = index
                .as_ref()
                .is_ok_and(|i| i.num_objects() >= whole_min_objects);
            let mut budget = if many {
                whole_budget.min(WHOLE_PACK)
            } else {
                0
            };
            let data = PackData::open(&path.with_extension("pack"), hash, &mut budget);
            if many && data.as_ref().is_ok_and(|d| d.whole.is_some()) {
                whole_budget -= whole_budget.min(WHOLE_PACK) - budget;
            }
            if let (Ok(index), Ok(data)) = (index, data) {
                if index.num_objects() == data.num_objects {
                    packs.push(Pack { index, data });
                }
            }
        }
    }
    packs
}

impl Plan {
    /// Places each of `wanted` in the delta trees of the first pack that holds it, or in
    /// [`Plan::rest`].
    pub(super) fn new(packs: Arc<Vec<Pack>>, wanted: &[ObjectId]) -> Plan {
        let everything = || Plan {
            packs: Arc::default(),
            forests: Vec::new(),
            rest: (0..wanted.len() as u32).collect(),
        };
        // gix reads an index's offset tables without bounds checks; a corrupt index must not
        // end the scan, so a panic here leaves every blob to the object database.
        let placed = no_panic(|| {
            let mut by_pack: Vec<Vec<(u32, u64)>> = vec![Vec::new(); packs.len()];
            let mut rest = Vec::new();
            'blobs: for (i, id) in wanted.iter().enumerate() {
                for (p, pk) in packs.iter().enumerate() {
                    if let Some(e) = pk.index.lookup(id) {
                        by_pack[p].push((i as u32, pk.index.pack_offset_at_index(e)));
                        continue 'blobs;
                    }
                }
                rest.push(i as u32);
            }
            let mut forests = Vec::new();
            for (p, list) in by_pack.into_iter().enumerate() {
                if !list.is_empty() {
                    forests.push(Forest::new(p, &packs[p], list, &mut rest));
                }
            }
            (forests, rest)
        });
        match placed {
            Some((forests, rest)) => Plan {
                packs,
                forests,
                rest,
            },
            None => everything(),
        }
    }

    /// Walks every delta tree in parallel: `f(acc, visit)` for each entry, in an order where
    /// a base comes before its deltas; `fail(acc, blob)` for each wanted blob whose entry or
    /// base did not read (to be read another way).
    pub(super) fn walk<A, S, I, F, X, M>(&self, init: &I, f: &F, fail: &X, merge: &M) -> A
    where
        A: Send,
        S: Send + Sync,
        I: Fn() -> A + Sync + Send,
        F: Fn(&mut A, Visit<'_, S>) -> Option<S> + Sync + Send,
        X: Fn(&mut A, u32) + Sync + Send,
        M: Fn(A, A) -> A + Sync + Send,
    {
        let walker = Walker {
            plan: self,
            init,
            f,
            fail,
            merge,
            held: std::sync::atomic::AtomicUsize::new(0),
        };
        self.forests
            .par_iter()
            .flat_map(|forest| forest.roots.par_iter().map(move |&r| (forest, r)))
            .map(|(forest, r)| walker.visit(forest, r, None, 0))
            .reduce(init, merge)
    }
}

impl Forest {
    /// Links each wanted entry (blob index, pack offset) to its chain of delta bases; a blob
    /// whose chain does not resolve within the pack goes to `rest`.
    fn new(p: usize, pk: &Pack, list: Vec<(u32, u64)>, rest: &mut Vec<u32>) -> Forest {
        let mut f = Forest {
            pack: p,
            nodes: Vec::new(),
            roots: Vec::new(),
        };
        let mut at: HashMap<u64, u32> = HashMap::new();
        for (blob, offset) in list {
            if !f.link(pk, &mut at, blob, offset) {
                rest.push(blob);
            }
        }
        f
    }

    /// Adds the entry at `offset` (wanted blob `blob`) and its bases not added yet. Nothing is
    /// added when the chain does not resolve.
    fn link(&mut self, pk: &Pack, at: &mut HashMap<u64, u32>, blob: u32, offset: u64) -> bool {
        if let Some(&n) = at.get(&offset) {
            self.nodes[n as usize].blob = blob;
            return true;
        }
        // (offset, entry) from the wanted entry down to a known entry or a full blob.
        let mut chain: Vec<(u64, Head)> = Vec::new();
        let mut cur = offset;
        let parent = loop {
            if let Some(&n) = at.get(&cur) {
                break n;
            }
            if chain.len() > MAX_DEPTH || chain.iter().any(|(o, _)| *o == cur) {
                return false;
            }
            let Ok(entry) = pk.data.head(cur) else {
                return false;
            };
            if entry.size > MAX_ENTRY {
                return false;
            }
            let next = match entry.kind {
                EntryKind::Blob => None,
                EntryKind::OfsDelta(o) => Some(o),
                EntryKind::RefDelta(base_id) => match pk.index.lookup(base_id) {
                    Some(e) => Some(pk.index.pack_offset_at_index(e)),
                    None => return false,
                },
                _ => return false,
            };
            chain.push((cur, entry));
            match next {
                Some(o) => cur = o,
                None => break NONE,
            }
        };
        // Insert from the base end, so that each node's parent exists when it is added; the
        // last one inserted is the wanted entry.
        let mut above = parent;
        for (off, entry) in chain.into_iter().rev() {
            let n = self.nodes.len() as u32;
            self.nodes.push(Node {
                data_offset: entry.data_offset,
                size: entry.size,
                is_delta: entry.kind.is_delta(),
                blob: NONE,
                children: Vec::new(),
            });
            at.insert(off, n);
            if above == NONE {
                self.roots.push(n);
            } else {
                self.nodes[above as usize].children.push(n);
            }
            above = n;
        }
        self.nodes[above as usize].blob = blob;
        true
    }
}

/// The walk's closures.
struct Walker<'p, I, F, X, M> {
    plan: &'p Plan,
    init: &'p I,
    f: &'p F,
    fail: &'p X,
    merge: &'p M,
    /// Bytes of bases held in memory while their deltas are walked, all threads together.
    held: std::sync::atomic::AtomicUsize,
}

impl<I, F, X, M> Walker<'_, I, F, X, M> {
    /// Reads node `n` (over `base`: its base's bytes and state), hands it to `f`, then walks
    /// its deltas in parallel.
    fn visit<A, S>(
        &self,
        forest: &Forest,
        n: u32,
        base: Option<(&[u8], Option<&S>)>,
        depth: usize,
    ) -> A
    where
        A: Send,
        S: Send + Sync,
        I: Fn() -> A + Sync + Send,
        F: Fn(&mut A, Visit<'_, S>) -> Option<S> + Sync + Send,
        X: Fn(&mut A, u32) + Sync + Send,
        M: Fn(A, A) -> A + Sync + Send,
    {
        let node = &forest.nodes[n as usize];
        let pk = &self.plan.packs[forest.pack];
        let mut acc = (self.init)();
        let mut content = Vec::new();
        let mut copied = Vec::new();
        let read = match (node.is_delta, base) {
            (false, None) => read_entry(
                &pk.data,
                node.data_offset,
                node.size,
                None,
                &mut content,
                &mut copied,
            ),
            (true, Some((bytes, _))) if depth <= MAX_DEPTH => read_entry(
                &pk.data,
                node.data_offset,
                node.size,
                Some(bytes),
                &mut content,
                &mut copied,
            ),
            _ => Err(()),
        };
        if read.is_err() {
            self.fail_below(forest, n, &mut acc);
            return acc;
        }
        let is_base = !node.children.is_empty();
        let state = (self.f)(
            &mut acc,
            Visit {
                blob: (node.blob != NONE).then_some(node.blob),
                content: &content,
                base: base.and_then(|(_, s)| s).map(|s| (s, copied.as_slice())),
                is_base,
            },
        );
        if !is_base {
            return acc;
        }
        // A base stays in memory while its deltas are walked, on every level of a chain and
        // on every thread: past the budget (a large file versioned many times), its deltas
        // are read through the object database, one at a time.
        let size = content.len();
        if self.held.fetch_add(size, Ordering::Relaxed) + size > HELD_BUDGET {
            self.held.fetch_sub(size, Ordering::Relaxed);
            drop(content);
            for &c in &node.children {
                self.fail_below(forest, c, &mut acc);
            }
            return acc;
        }
        let below = node
            .children
            .par_iter()
            .map(|&c| self.visit(forest, c, Some((&content, state.as_ref())), depth + 1))
            .reduce(self.init, self.merge);
        self.held.fetch_sub(size, Ordering::Relaxed);
        (self.merge)(acc, below)
    }

    /// Reports every wanted blob at or below `n` as failed.
    fn fail_below<A>(&self, forest: &Forest, n: u32, acc: &mut A)
    where
        X: Fn(&mut A, u32),
    {
        let mut stack = vec![n];
        while let Some(n) = stack.pop() {
            let node = &forest.nodes[n as usize];
            if node.blob != NONE {
                (self.fail)(acc, node.blob);
            }
            stack.extend(&node.children);
        }
    }
}

/// Reads the entry whose data starts at `offset` and inflates to `size` bytes into `out`: a
/// whole object when `base` is `None`, else a delta applied to `base`, whose copied ranges go
/// to `copied`.
fn read_entry(
    data: &PackData,
    offset: u64,
    size: u64,
    base: Option<&[u8]>,
    out: &mut Vec<u8>,
    copied: &mut Vec<Copied>,
) -> Result<(), ()> {
    match base {
        None => data.inflate(offset, size, out),
        Some(b) => DELTA.with_borrow_mut(|delta| {
            data.inflate(offset, size, delta)?;
            let r = apply(b, delta, out, copied);
            if delta.capacity() > 1 << 20 {
                *delta = Vec::new();
            }
            r
        }),
    }
}

thread_local! {
    static DELTA: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Reads one of a delta's size varints.
fn varint(d: &[u8], i: &mut usize) -> Result<u64, ()> {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let b = *d.get(*i).ok_or(())?;
        *i += 1;
        if shift > 63 {
            return Err(());
        }
        v |= u64::from(b & 0x7f) << shift;
        shift += 7;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
}

/// Applies a git delta to `base` into `out`, recording the ranges copied from the base
/// (adjacent copies of adjacent base ranges as one).
fn apply(base: &[u8], delta: &[u8], out: &mut Vec<u8>, copied: &mut Vec<Copied>) -> Result<(), ()> {
    let mut i = 0;
    if varint(delta, &mut i)? != base.len() as u64 {
        return Err(());
    }
    let target = varint(delta, &mut i)?;
    if target > MAX_ENTRY {
        return Err(());
    }
    out.clear();
    out.reserve_exact(target as usize);
    copied.clear();
    while i < delta.len() {
        let op = delta[i];
        i += 1;
        if op & 0x80 != 0 {
            let mut field = |bits: u8, count: usize| -> Result<usize, ()> {
                let mut v = 0usize;
                for k in 0..count {
                    if bits & (1 << k) != 0 {
                        v |= usize::from(*delta.get(i).ok_or(())?) << (8 * k);
                        i += 1;
                    }
                }
                Ok(v)
            };
            let src = field(op & 0x0f, 4)?;
            let len = match field((op >> 4) & 0x07, 3)? {
                0 => 0x10000,
                n => n,
            };
            let bytes = base.get(src..src.checked_add(len).ok_or(())?).ok_or(())?;
            let dst = out.len();
            match copied.last_mut() {
                Some(c) if c.src + c.len == src && c.dst + c.len == dst => c.len += len,
                _ => copied.push(Copied { src, dst, len }),
            }
            out.extend_from_slice(bytes);
        } else if op != 0 {
            let n = usize::from(op);
            out.extend_from_slice(delta.get(i..i + n).ok_or(())?);
            i += n;
        } else {
            return Err(());
        }
        if out.len() as u64 > target {
            return Err(());
        }
    }
    if out.len() as u64 == target {
        Ok(())
    } else {
        Err(())
    }
}

/// Reads trees from the packs for the history walk, with a cache of decoded trees.
///
/// The walk reads trees oldest commit first, while a pack makes the newest version of a
/// directory the base and older ones deltas over it, chains of up to 50. Reading the oldest
/// version resolves the whole chain; every tree on it is kept, so that the next (newer)
/// version is usually a cache hit. (gix's cache keeps only the object asked for, so each read
/// resolved its chain again from the top: most of a history's time on git.git.)
pub(super) struct TreeReader {
    packs: Arc<Vec<Pack>>,
    /// Trees read ahead, taken first.
    pub(super) ahead: Ahead,
    /// Decoded trees by (pack, entry offset), with the tick of their last use.
    cache: HashMap<(u32, u64), (Vec<u8>, u64)>,
    /// Keys in the order they were queued, with the tick they were queued at (an entry used
    /// since is queued again instead of evicted: a second chance).
    order: VecDeque<((u32, u64), u64)>,
    held: usize,
    budget: usize,
    tick: u64,
    chain: Vec<(u64, Head)>,
    copied: Vec<Copied>,
}

impl TreeReader {
    /// Reads from `packs`; `budget` bounds the bytes of trees kept.
    pub(super) fn new(packs: Arc<Vec<Pack>>, budget: usize) -> TreeReader {
        TreeReader {
            packs,
            ahead: Ahead::default(),
            cache: HashMap::new(),
            order: VecDeque::new(),
            held: 0,
            budget,
            tick: 0,
            chain: Vec::new(),
            copied: Vec::new(),
        }
    }

    /// Reads tree `id` into `out`. False when no pack here holds it or it does not read as a
    /// tree: the caller reads it through the object database (which reports what is wrong).
    pub(super) fn read(&mut self, id: &ObjectId, out: &mut Vec<u8>) -> bool {
        if self.packs.is_empty() {
            return false;
        }
        // As in `Plan::new`: a corrupt index must not end the scan; after a panic, every
        // tree goes through the object database.
        match no_panic(|| self.read_inner(id, out)) {
            Some(found) => found,
            None => {
                self.packs = Arc::default();
                self.cache.clear();
                self.order.clear();
                self.held = 0;
                false
            }
        }
    }

    /// The packs it reads.
    pub(super) fn packs(&self) -> Arc<Vec<Pack>> {
        self.packs.clone()
    }

    /// Reads commit `id` into `out` when a pack here holds it whole (git does not store
    /// commits as deltas unless told to). False otherwise: the caller asks the object database.
    pub(super) fn read_commit(&self, id: &ObjectId, out: &mut Vec<u8>) -> bool {
        no_panic(|| {
            self.packs.iter().find_map(|pk| {
                let offset = pk.index.pack_offset_at_index(pk.index.lookup(id)?);
                let head = pk.data.head(offset).ok()?;
                (head.kind == EntryKind::Commit && head.size <= MAX_ENTRY)
                    .then(|| pk.data.inflate(head.data_offset, head.size, out).is_ok())
            })
        })
        .flatten()
        .unwrap_or(false)
    }

    fn read_inner(&mut self, id: &ObjectId, out: &mut Vec<u8>) -> bool {
        if let Some(bytes) = self.ahead.map.remove(id) {
            *out = bytes;
            return true;
        }
        let found = self.packs.iter().enumerate().find_map(|(p, pk)| {
            pk.index
                .lookup(id)
                .map(|e| (p as u32, pk.index.pack_offset_at_index(e)))
        });
        match found {
            Some((p, offset)) => self.decode(p, offset, out).is_ok(),
            None => false,
        }
    }

    /// Decodes the tree at `offset` of pack `p` into `out`, keeping every tree on its delta
    /// chain.
    fn decode(&mut self, p: u32, offset: u64, out: &mut Vec<u8>) -> Result<(), ()> {
        self.tick += 1;
        let tick = self.tick;
        let pk = &self.packs[p as usize];
        // From the wanted entry down to a cached tree or a whole one.
        self.chain.clear();
        let mut cur = offset;
        let cached = loop {
            if let Some(hit) = self.cache.get_mut(&(p, cur)) {
                hit.1 = tick;
                break Some(cur);
            }
            if self.chain.len() > MAX_DEPTH || self.chain.iter().any(|(o, _)| *o == cur) {
                return Err(());
            }
            let head = pk.data.head(cur)?;
            if head.size > MAX_ENTRY {
                return Err(());
            }
            self.chain.push((cur, head));
            match head.kind {
                EntryKind::Tree => break None,
                EntryKind::OfsDelta(o) => cur = o,
                EntryKind::RefDelta(base) => match pk.index.lookup(base) {
                    Some(e) => cur = pk.index.pack_offset_at_index(e),
                    None => return Err(()),
                },
                _ => return Err(()),
            }
        };
        // Up the chain, each tree decoded over the one below and then kept.
        let mut prev: Option<(u64, Vec<u8>)> = None;
        for i in (0..self.chain.len()).rev() {
            let (off, head) = self.chain[i];
            let base: Option<&[u8]> = match (&prev, cached) {
                (Some((_, v)), _) => Some(v),
                (None, Some(k)) => self.cache.get(&(p, k)).map(|(v, _)| v.as_slice()),
                (None, None) => None,
            };
            let mut bytes = Vec::new();
            let pk = &self.packs[p as usize];
            match (head.kind, base) {
                (EntryKind::Tree, None) => {
                    pk.data.inflate(head.data_offset, head.size, &mut bytes)?
                }
                (k, Some(b)) if k.is_delta() => read_entry(
                    &pk.data,
                    head.data_offset,
                    head.size,
                    Some(b),
                    &mut bytes,
                    &mut self.copied,
                )?,
                _ => return Err(()),
            }
            if let Some((o, v)) = prev.replace((off, bytes)) {
                self.keep(p, o, v, tick);
            }
        }
        out.clear();
        match prev {
            Some((o, v)) => {
                out.extend_from_slice(&v);
                self.keep(p, o, v, tick);
            }
            None => {
                let (v, _) = cached.and_then(|k| self.cache.get(&(p, k))).ok_or(())?;
                out.extend_from_slice(v);
            }
        }
        self.evict();
        Ok(())
    }

    fn keep(&mut self, p: u32, offset: u64, bytes: Vec<u8>, tick: u64) {
        if bytes.len() > self.budget / 8 {
            return;
        }
        self.held += bytes.len();
        if let Some((old, _)) = self.cache.insert((p, offset), (bytes, tick)) {
            self.held -= old.len();
        }
        self.order.push_back(((p, offset), tick));
    }

    fn evict(&mut self) {
        while self.held > self.budget {
            let Some((key, queued)) = self.order.pop_front() else {
                break;
            };
            match self.cache.get(&key) {
                Some(&(_, used)) if used > queued => self.order.push_back((key, used)),
                Some(_) => {
                    if let Some((v, _)) = self.cache.remove(&key) {
                        self.held -= v.len();
                    }
                }
                None => {}
            }
        }
    }
}

/// Trees read ahead from the packs, by id, each taken once by the tree walk.
#[derive(Default)]
pub(super) struct Ahead {
    map: gix::hashtable::HashMap<ObjectId, Vec<u8>>,
}

impl Ahead {
    /// Reads every tree of the packs held whole (see [`WHOLE_PACK`]) in parallel, each entry
    /// inflated once and each delta applied to its base in memory, until `budget` bytes are
    /// held. A history walk reads each distinct tree once, one after the other; reading them
    /// ahead, while the commits are walked, takes that work off its path: on a small pack's
    /// history that work was most of the walk. A large pack is not read ahead: its trees do
    /// not fit a budget (git.git's are 5.8 GB), and those read would be a random part of them.
    ///
    /// The commits of those packs come first, inflated and handed to `parse` in parallel, and
    /// go to `commits` by id (what does not read or parse is left out: the walk reads it the
    /// usual way), so that the commit walk can start while the trees are read.
    pub(super) fn read<T: Send>(
        packs: &[Pack],
        budget: usize,
        parse: &(dyn Fn(&[u8]) -> Option<T> + Sync),
        commits: std::sync::mpsc::Sender<gix::hashtable::HashMap<ObjectId, T>>,
    ) -> Ahead {
        let whole: Vec<&Pack> = packs.iter().filter(|pk| pk.data.whole.is_some()).collect();
        // As in `Plan::new`: a corrupt index only costs the read-ahead of its pack.
        let listed: Vec<Option<Entries>> =
            whole.iter().map(|pk| no_panic(|| entries(pk))).collect();
        let mut all = gix::hashtable::HashMap::default();
        for (pk, list) in whole.iter().zip(&listed) {
            let Some(list) = list else { continue };
            let found = no_panic(|| {
                list.heads
                    .par_iter()
                    .zip(list.entries.par_iter())
                    .filter(|(h, _)| matches!(h, Some((h, _)) if h.kind == EntryKind::Commit))
                    .map_init(Vec::new, |bytes, (h, &(_, i))| {
                        let (head, _) = (*h)?;
                        pk.data.inflate(head.data_offset, head.size, bytes).ok()?;
                        Some((pk.index.oid_at_index(i).to_owned(), parse(bytes)?))
                    })
                    .flatten()
                    .collect::<Vec<_>>()
            });
            for (id, t) in found.unwrap_or_default() {
                all.entry(id).or_insert(t);
            }
        }
        let _ = commits.send(all);
        let mut ahead = Ahead::default();
        for (pk, list) in whole.iter().zip(&listed) {
            let Some(list) = list else { continue };
            for (id, bytes) in no_panic(|| read_trees(pk, list, budget)).unwrap_or_default() {
                ahead.map.entry(id).or_insert(bytes);
            }
        }
        ahead
    }
}

/// A pack's entries sorted by offset (with their index position, for their id), each with
/// its head and its delta base (an entry index, or NONE).
struct Entries {
    entries: Vec<(u64, u32)>,
    heads: Vec<Option<(Head, u32)>>,
}

fn entries(pk: &Pack) -> Entries {
    let n = pk.index.num_objects();
    let mut entries: Vec<(u64, u32)> = (0..n)
        .map(|i| (pk.index.pack_offset_at_index(i), i))
        .collect();
    entries.sort_unstable();
    let at = |offset: u64| {
        entries
            .binary_search_by_key(&offset, |e| e.0)
            .map_or(NONE, |i| i as u32)
    };
    let heads: Vec<Option<(Head, u32)>> = entries
        .par_iter()
        .map(|&(off, _)| {
            let head = pk.data.head(off).ok().filter(|h| h.size <= MAX_ENTRY)?;
            let base = match head.kind {
                EntryKind::OfsDelta(o) => at(o),
                EntryKind::RefDelta(id) => pk
                    .index
                    .lookup(id)
                    .map_or(NONE, |i| at(pk.index.pack_offset_at_index(i))),
                _ => NONE,
            };
            Some((head, base))
        })
        .collect();
    Entries { entries, heads }
}

/// Every tree of one pack, while the bytes held stay within `budget`.
fn read_trees(pk: &Pack, list: &Entries, budget: usize) -> Vec<(ObjectId, Vec<u8>)> {
    let (entries, heads) = (&list.entries, &list.heads);
    // Children lists, compressed: the deltas of entry i are kids[start[i]..start[i + 1]].
    let mut start = vec![0u32; entries.len() + 1];
    for &(_, p) in heads.iter().flatten() {
        if p != NONE {
            start[p as usize + 1] += 1;
        }
    }
    for i in 0..entries.len() {
        start[i + 1] += start[i];
    }
    let mut kids = vec![0u32; start[entries.len()] as usize];
    let mut fill: Vec<u32> = start[..entries.len()].to_vec();
    for (i, &(_, p)) in heads
        .iter()
        .enumerate()
        .filter_map(|(i, h)| Some((i, h.as_ref()?)))
    {
        if p != NONE {
            kids[fill[p as usize] as usize] = i as u32;
            fill[p as usize] += 1;
        }
    }
    drop(fill);
    let roots: Vec<u32> = (0..entries.len() as u32)
        .filter(|&i| matches!(heads[i as usize], Some((h, _)) if h.kind == EntryKind::Tree))
        .collect();
    let ahead = ReadAhead {
        pk,
        entries,
        heads,
        start: &start,
        kids: &kids,
        held: std::sync::atomic::AtomicUsize::new(0),
        budget,
    };
    roots
        .par_iter()
        .map(|&r| {
            let mut out = Vec::new();
            ahead.visit(r, None, 0, &mut out);
            out
        })
        .reduce(Vec::new, |mut a, mut b| {
            a.append(&mut b);
            a
        })
}

/// The state of one pack's read-ahead.
struct ReadAhead<'a> {
    pk: &'a Pack,
    /// Entries sorted by offset, with their index position.
    entries: &'a [(u64, u32)],
    heads: &'a [Option<(Head, u32)>],
    start: &'a [u32],
    kids: &'a [u32],
    held: std::sync::atomic::AtomicUsize,
    budget: usize,
}

impl ReadAhead<'_> {
    /// Reads entry `i` (over its base's bytes) and its deltas; stops where the budget ends or
    /// an entry does not read (the walk reads those the usual way).
    fn visit(&self, i: u32, base: Option<&[u8]>, depth: usize, out: &mut Vec<(ObjectId, Vec<u8>)>) {
        let Some((head, _)) = self.heads[i as usize] else {
            return;
        };
        let mut bytes = Vec::new();
        let read = read_entry(
            &self.pk.data,
            head.data_offset,
            head.size,
            base,
            &mut bytes,
            &mut Vec::new(),
        );
        if read.is_err()
            || self.held.fetch_add(bytes.len(), Ordering::Relaxed) + bytes.len() > self.budget
        {
            return;
        }
        let (a, b) = (
            self.start[i as usize] as usize,
            self.start[i as usize + 1] as usize,
        );
        if depth < MAX_DEPTH {
            let below: Vec<(ObjectId, Vec<u8>)> = self.kids[a..b]
                .par_iter()
                .map(|&k| {
                    let mut v = Vec::new();
                    self.visit(k, Some(&bytes), depth + 1, &mut v);
                    v
                })
                .reduce(Vec::new, |mut x, mut y| {
                    x.append(&mut y);
                    x
                });
            out.extend(below);
        }
        let id = self
            .pk
            .index
            .oid_at_index(self.entries[i as usize].1)
            .to_owned();
        out.push((id, bytes));
    }
}

/// Runs `f`, turning a panic (a corrupt index read out of bounds in gix) into `None`.
fn no_panic<T>(f: impl FnOnce() -> T) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A delta in git's encoding: `ops` are copies `(offset, len)` or inserts.
    enum Op<'a> {
        Copy(usize, usize),
        Insert(&'a [u8]),
    }

    fn encode_varint(mut v: usize, out: &mut Vec<u8>) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(b);
                return;
            }
            out.push(b | 0x80);
        }
    }

    fn encode(base_len: usize, target_len: usize, ops: &[Op<'_>]) -> Vec<u8> {
        let mut d = Vec::new();
        encode_varint(base_len, &mut d);
        encode_varint(target_len, &mut d);
        for op in ops {
            match *op {
                Op::Copy(off, len) => {
                    let mut cmd = 0x80u8;
                    let mut args = Vec::new();
                    for k in 0..4 {
                        let b = (off >> (8 * k)) as u8;
                        if b != 0 {
                            cmd |= 1 << k;
                            args.push(b);
                        }
                    }
                    let len = if len == 0x10000 { 0 } else { len };
                    for k in 0..3 {
                        let b = (len >> (8 * k)) as u8;
                        if b != 0 {
                            cmd |= 0x10 << k;
                            args.push(b);
                        }
                    }
                    d.push(cmd);
                    d.extend(args);
                }
                Op::Insert(bytes) => {
                    d.push(bytes.len() as u8);
                    d.extend_from_slice(bytes);
                }
            }
        }
        d
    }

    #[test]
    fn applies_copies_and_inserts_and_records_the_copies() {
        let base = b"0123456789abcdef".repeat(5000);
        let delta = encode(
            base.len(),
            4 + 3 + 0x10000 + 2,
            &[
                Op::Copy(10, 2),
                Op::Copy(12, 2),
                Op::Insert(b"xyz"),
                Op::Copy(0, 0x10000),
                Op::Insert(b"!!"),
            ],
        );
        let (mut out, mut copied) = (Vec::new(), Vec::new());
        apply(&base, &delta, &mut out, &mut copied).expect("applies");
        let mut want = b"abcdxyz".to_vec();
        want.extend_from_slice(&base[..0x10000]);
        want.extend_from_slice(b"!!");
        assert_eq!(out, want);
        assert_eq!(
            copied,
            vec![
                Copied {
                    src: 10,
                    dst: 0,
                    len: 4
                },
                Copied {
                    src: 0,
                    dst: 7,
                    len: 0x10000
                }
            ]
        );
    }

    #[test]
    fn rejects_deltas_that_do_not_fit() {
        let base = b"hello world".to_vec();
        let (mut out, mut copied) = (Vec::new(), Vec::new());
        for delta in [
            // Wrong base size, copy past the base, target size not reached, target size
            // exceeded, the reserved opcode 0, an insert cut short, truncated varints.
            encode(10, 5, &[Op::Copy(0, 5)]),
            encode(11, 5, &[Op::Copy(8, 5)]),
            encode(11, 6, &[Op::Copy(0, 5)]),
            encode(11, 4, &[Op::Copy(0, 5)]),
            {
                let mut d = encode(11, 1, &[]);
                d.push(0);
                d
            },
            {
                let mut d = encode(11, 3, &[]);
                d.extend([3, b'a']);
                d
            },
            vec![0x80],
            Vec::new(),
        ] {
            assert!(
                apply(&base, &delta, &mut out, &mut copied).is_err(),
                "{delta:?}"
            );
        }
    }
}
