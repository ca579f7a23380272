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
//! [`Trees`] reads every tree of the packs the same way, ahead of the history walk, which then
//! only parses them.
//!
//! Nothing here is needed for correctness: a blob that is not in a pack this module can open,
//! whose delta chain does not resolve inside its pack, that is too deep or too large, whose
//! entry does not inflate or apply, or whose base would pass the budget of bases held in
//! memory, is read through gix's object database instead (which also reports it as corrupt
//! when it is), without a base.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::Ordering;

use flate2::{Decompress, FlushDecompress, Status};
use gix::odb::pack;
use gix::ObjectId;
use rayon::prelude::*;

use crate::delta::Copied;

/// Deltas deeper than this below their root are read through the object database: the walk
/// recurses once per level. git writes chains of at most 50 unless told otherwise.
const MAX_DEPTH: usize = 100;
/// Entries larger than this (inflated) are read through the object database.
const MAX_ENTRY: u64 = 1 << 30;
/// Bytes of delta bases the blob walk keeps in memory at most (see [`Walker::visit`]).
const HELD_BUDGET: usize = 128 << 20;
const NONE: u32 = u32::MAX;

/// An opened pack: its index and its data.
struct Pack {
    index: pack::index::File,
    data: pack::data::File,
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
    packs: Vec<Pack>,
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
fn open_packs(objects: PathBuf, hash: gix::hash::Kind) -> Vec<Pack> {
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
            let data = pack::data::File::at(path.with_extension("pack"), hash);
            if let (Ok(index), Ok(data)) = (index, data) {
                if index.num_objects() == data.num_objects() {
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
    pub(super) fn new(objects: PathBuf, hash: gix::hash::Kind, wanted: &[ObjectId]) -> Plan {
        let packs = open_packs(objects, hash);
        let everything = || Plan {
            packs: Vec::new(),
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
        let mut chain: Vec<(u64, pack::data::Entry)> = Vec::new();
        let mut cur = offset;
        let parent = loop {
            if let Some(&n) = at.get(&cur) {
                break n;
            }
            if chain.len() > MAX_DEPTH || chain.iter().any(|(o, _)| *o == cur) {
                return false;
            }
            let Ok(entry) = pk.data.entry(cur) else {
                return false;
            };
            if entry.decompressed_size > MAX_ENTRY {
                return false;
            }
            let next = match entry.header {
                pack::data::entry::Header::Blob => None,
                pack::data::entry::Header::OfsDelta { base_distance } => {
                    match entry.checked_base_pack_offset(base_distance) {
                        Some(o) => Some(o),
                        None => return false,
                    }
                }
                pack::data::entry::Header::RefDelta { base_id } => match pk.index.lookup(base_id) {
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
                size: entry.decompressed_size,
                is_delta: entry.header.is_delta(),
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
    data: &pack::data::File,
    offset: u64,
    size: u64,
    base: Option<&[u8]>,
    out: &mut Vec<u8>,
    copied: &mut Vec<Copied>,
) -> Result<(), ()> {
    match base {
        None => inflate(data, offset, size, out),
        Some(b) => {
            let mut delta = Vec::new();
            inflate(data, offset, size, &mut delta)?;
            apply(b, &delta, out, copied)
        }
    }
}

/// Inflates the zlib stream at `offset` of the pack into `out`, which must come to exactly
/// `size` bytes.
fn inflate(data: &pack::data::File, offset: u64, size: u64, out: &mut Vec<u8>) -> Result<(), ()> {
    let size = usize::try_from(size).map_err(|_| ())?;
    let input = data.entry_slice(offset..data.pack_end() as u64).ok_or(())?;
    out.clear();
    out.reserve_exact(size + 1);
    // One inflater per thread: making one per entry allocates and frees its window each time,
    // which fragmented the heap around the trees kept by the read-ahead (4x their size).
    INFLATE.with_borrow_mut(|z| {
        z.reset(true);
        inflate_with(z, input, size, out)
    })
}

thread_local! {
    static INFLATE: std::cell::RefCell<Decompress> = std::cell::RefCell::new(Decompress::new(true));
}

fn inflate_with(
    z: &mut Decompress,
    input: &[u8],
    size: usize,
    out: &mut Vec<u8>,
) -> Result<(), ()> {
    loop {
        let (before_in, before_out) = (z.total_in(), z.total_out());
        let rest = input.get(z.total_in() as usize..).ok_or(())?;
        match z.decompress_vec(rest, out, FlushDecompress::Finish) {
            Ok(Status::StreamEnd) => break,
            Ok(_) if z.total_in() != before_in || z.total_out() != before_out => {}
            _ => return Err(()),
        }
        if out.len() > size {
            return Err(());
        }
        if out.len() == out.capacity() {
            out.reserve(1);
        }
    }
    if out.len() == size {
        Ok(())
    } else {
        Err(())
    }
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

/// Packs with more objects than this are not read ahead: the read-ahead keeps about 33 bytes
/// per object of the pack while it runs (16 for its offset and position, 8 for its base and
/// kind, 8 for the children lists, 4 more while they are built).
const MAX_READ_AHEAD_OBJECTS: u32 = 2_000_000;

/// Trees read ahead from the packs, by id, each taken once by the history walk.
#[derive(Default)]
pub(super) struct Trees {
    map: gix::hashtable::HashMap<ObjectId, Vec<u8>>,
}

impl Trees {
    /// Takes the bytes of tree `id` if they were read ahead.
    pub(super) fn take(&mut self, id: &ObjectId) -> Option<Vec<u8>> {
        self.map.remove(id)
    }

    /// Reads every tree of the repository's packs in parallel, each entry inflated once and
    /// each delta applied to its base in memory, until `budget` bytes are held. A history walk
    /// reads each distinct tree once, one after the other, in commit order; reading them ahead
    /// takes that work off its path (on the 17k-commit benchmark history, the tree walk was
    /// half of the single-threaded time, most of it inflating and re-applying delta chains).
    pub(super) fn read_ahead(objects: PathBuf, hash: gix::hash::Kind, budget: usize) -> Trees {
        let mut trees = Trees::default();
        for pk in open_packs(objects, hash) {
            if pk.index.num_objects() > MAX_READ_AHEAD_OBJECTS {
                continue;
            }
            // As in `Plan::new`: a corrupt index only costs the read-ahead of its pack.
            for (id, bytes) in no_panic(|| read_trees(&pk, budget)).unwrap_or_default() {
                trees.map.entry(id).or_insert(bytes);
            }
        }
        trees
    }
}

/// Runs `f`, turning a panic (a corrupt index read out of bounds in gix) into `None`.
fn no_panic<T>(f: impl FnOnce() -> T) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok()
}

/// Every tree of one pack, while the bytes held stay within `budget`.
fn read_trees(pk: &Pack, budget: usize) -> Vec<(ObjectId, Vec<u8>)> {
    let n = pk.index.num_objects();
    // Entries sorted by offset, with their index position (for their id).
    let mut entries: Vec<(u64, u32)> = (0..n)
        .map(|i| (pk.index.pack_offset_at_index(i), i))
        .collect();
    entries.sort_unstable();
    let at = |offset: u64| {
        entries
            .binary_search_by_key(&offset, |e| e.0)
            .map_or(NONE, |i| i as u32)
    };
    // Per entry: its delta base (an entry index) or NONE, and whether it is a whole tree.
    let heads: Vec<(u32, bool)> = entries
        .par_iter()
        .map(|&(off, _)| match pk.data.entry(off) {
            Ok(e) if e.decompressed_size > MAX_ENTRY => (NONE, false),
            Ok(e) => match e.header {
                pack::data::entry::Header::OfsDelta { base_distance } => (
                    e.checked_base_pack_offset(base_distance).map_or(NONE, at),
                    false,
                ),
                pack::data::entry::Header::RefDelta { base_id } => (
                    pk.index
                        .lookup(base_id)
                        .map_or(NONE, |i| at(pk.index.pack_offset_at_index(i))),
                    false,
                ),
                h => (NONE, h == pack::data::entry::Header::Tree),
            },
            Err(_) => (NONE, false),
        })
        .collect();
    // Children lists, compressed: the deltas of entry i are kids[start[i]..start[i + 1]].
    let mut start = vec![0u32; entries.len() + 1];
    for &(p, _) in &heads {
        if p != NONE {
            start[p as usize + 1] += 1;
        }
    }
    for i in 0..entries.len() {
        start[i + 1] += start[i];
    }
    let mut kids = vec![0u32; start[entries.len()] as usize];
    let mut fill: Vec<u32> = start[..entries.len()].to_vec();
    for (i, &(p, _)) in heads.iter().enumerate() {
        if p != NONE {
            kids[fill[p as usize] as usize] = i as u32;
            fill[p as usize] += 1;
        }
    }
    drop(fill);
    let roots: Vec<u32> = heads
        .iter()
        .enumerate()
        .filter(|(_, h)| h.1)
        .map(|(i, _)| i as u32)
        .collect();
    drop(heads);
    let ahead = ReadAhead {
        pk,
        entries: &entries,
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
    start: &'a [u32],
    kids: &'a [u32],
    held: std::sync::atomic::AtomicUsize,
    budget: usize,
}

impl ReadAhead<'_> {
    /// Reads entry `i` (over its base's bytes) and its deltas; stops where the budget ends or
    /// an entry does not read (the walk reads those through the object database).
    fn visit(&self, i: u32, base: Option<&[u8]>, depth: usize, out: &mut Vec<(ObjectId, Vec<u8>)>) {
        let Ok(entry) = self.pk.data.entry(self.entries[i as usize].0) else {
            return;
        };
        let mut bytes = Vec::new();
        let read = read_entry(
            &self.pk.data,
            entry.data_offset,
            entry.decompressed_size,
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
