//! Which blobs a history holds, each once, with the place where it first appears.
//!
//! Steps: resolve the tips (every ref and `HEAD`, a range, or the lines of a push) and the
//! hidden commits (what the other side already has); walk the commits with gix; order them
//! parents-first (Kahn, ties by committer time then id); walk each commit's tree, skipping
//! trees already walked, and record each blob the first time it is seen. Trees of the
//! commits just outside the selection (the parents of its oldest commits) are walked first
//! without recording, so a range or a push yields only the blobs its commits introduce.
//!
//! Tree walking is what costs here: each distinct tree is read once, in commit order, and
//! skipping trees already seen keeps it proportional to what changed, as in Nosey Parker's
//! enumerator. Trees come from the packs through [`TreeReader`], which keeps the trees of the
//! delta chains it resolves. A tree that changed is compared, entry by entry, with the last
//! tree walked at the same path: entries that stand there unchanged were recorded then, so
//! only the others are looked up (in a large directory changed by every commit, such as
//! git.git's root or `t/`, looking up every entry of every version was most of the walk).

use std::collections::{BinaryHeap, HashSet};

use gix::bstr::{BString, ByteVec};
use gix::hashtable::HashMap;
use gix::prelude::*;
use gix::ObjectId;

use super::error::GitError;
use super::packs::{Ahead, TreeReader};
use super::repo::{lossy, Repo};
use crate::error::{Skip, SkipReason};
use crate::source::Origin;

/// The commit index of a place that no commit holds (a tag pointing at a tree or blob, an
/// unreachable blob).
pub const NO_COMMIT: u32 = u32::MAX;
/// The blob index of blobs that are already on the other side (seeded, never scanned).
pub(super) const SEEDED: u32 = u32::MAX;
/// Bytes of decoded trees the tree reader keeps (see [`TreeReader`]). 48 MiB walked no faster
/// than 32 on rails and git.git, and the cache lives on the reading thread, whose freed memory
/// the blob scan after it does not reuse: it raised rails' peak by 34 MiB.
const TREE_CACHE_BYTES: usize = 32 << 20;
/// Bytes of trees read ahead at most (see [`Ahead`]).
const READ_AHEAD_BYTES: usize = 64 << 20;
/// The delta-base cache of trees read through the object database (those the tree reader
/// could not read: loose, or in a pack it cannot open).
const ODB_TREE_CACHE_BYTES: usize = 16 << 20;
/// Trees at least this large are kept as the last tree walked at their path (smaller ones
/// cost little to walk whole).
const MIN_KEPT_TREE: usize = 512;

/// What part of the history to scan.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// `A..B`: commits reachable from B and not from A.
    pub range: Option<String>,
    /// Commits reachable from any ref but not from this revision.
    pub since: Option<String>,
    /// Also every blob of the object database that no ref reaches.
    pub all_objects: bool,
    /// `--shard K/N`: read only the blobs of the K-th (1-based) of N object id ranges; the
    /// commits are walked in full for attribution.
    pub shard: Option<(u32, u32)>,
}

/// True when object id `id` falls in the `k`-th (1-based) of `n` equal ranges of its first
/// four bytes.
pub fn in_shard(id: &[u8], (k, n): (u32, u32)) -> bool {
    let mut p = [0u8; 4];
    let m = id.len().min(4);
    p[..m].copy_from_slice(&id[..m]);
    let prefix = u64::from(u32::from_be_bytes(p));
    (prefix * u64::from(n)) >> 32 == u64::from(k.saturating_sub(1))
}

/// One line of git's pre-push input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushUpdate {
    /// The local ref as typed (`refs/heads/main`, `HEAD~1`, `(delete)`).
    pub local_ref: String,
    /// The local object id in hex; all zeros for a delete.
    pub local_oid: String,
    /// The ref updated on the remote.
    pub remote_ref: String,
    /// What the remote has now in hex; all zeros for a new ref.
    pub remote_oid: String,
}

/// Where a blob first appears.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    /// Index into the commits, or [`NO_COMMIT`].
    pub commit: u32,
    /// Index into the interned paths.
    pub path: u32,
}

/// A distinct blob to scan.
#[derive(Clone, Debug)]
pub struct HistBlob {
    pub(crate) id: ObjectId,
    pub(crate) first: Place,
    /// Other distinct paths holding the same blob.
    pub(crate) other_places: u32,
}

/// A further distinct path of a blob, where it first stands there.
#[derive(Clone, Copy, Debug)]
pub(super) struct OtherPlace {
    pub(super) blob: ObjectId,
    pub(super) place: Place,
}

/// The distinct blobs of a selection of history, in the order they were first seen.
#[derive(Debug, Default)]
pub struct History {
    pub(crate) blobs: Vec<HistBlob>,
    /// The other distinct paths of blobs, in the order they were first seen.
    pub(super) others: Vec<OtherPlace>,
    pub(crate) by_id: HashMap<ObjectId, u32>,
    pub(super) commits: Vec<ObjectId>,
    pub(super) paths: Vec<BString>,
    /// Objects that could not be read (corrupt or missing).
    pub skips: Vec<Skip>,
    /// Commits in the selection.
    pub commit_count: usize,
    /// True for the staged entries of an index rather than a history: their origins are
    /// [`Origin::Staged`].
    pub(crate) staged: bool,
    /// What the other side already has: the A side of a range, the revision of `--since`, the
    /// remote's tips of a push. Empty for a whole history.
    pub(crate) bases: Vec<ObjectId>,
    /// Places in the selection of blobs that the other side already has (seeded from the
    /// boundary): not scanned as blobs, but a blob put at a new path is a new place.
    pub(super) seeded: Vec<OtherPlace>,
    /// Read only the blobs of this shard (see [`Selection::shard`]).
    pub(crate) shard: Option<(u32, u32)>,
}

impl History {
    /// Number of distinct blobs.
    pub fn blob_count(&self) -> usize {
        self.blobs.len()
    }

    /// True when the id is one of the blobs to scan.
    pub(crate) fn contains(&self, id: &ObjectId) -> bool {
        self.by_id.get(id).is_some_and(|&i| i != SEEDED)
    }

    pub(crate) fn first_place(&self, hex: &str) -> Option<Place> {
        let id = ObjectId::from_hex(hex.as_bytes()).ok()?;
        let &i = self.by_id.get(&id)?;
        self.blobs.get(i as usize).map(|b| b.first)
    }

    pub(crate) fn push_path(&mut self, p: BString) -> u32 {
        self.paths.push(p);
        (self.paths.len() - 1) as u32
    }

    pub(crate) fn commit_id(&self, i: u32) -> ObjectId {
        self.commits[i as usize]
    }

    /// The commits, parents-first: a commit's index is its rank.
    pub(crate) fn commit_ids(&self) -> &[ObjectId] {
        &self.commits
    }

    /// An interned path.
    pub(crate) fn path(&self, i: u32) -> &[u8] {
        &self.paths[i as usize]
    }

    /// The places of blobs beyond their first one: each further distinct path, with the
    /// first commit that holds the blob there, as `(blob index, origin, commit index)`.
    pub(crate) fn other_places(&self) -> impl Iterator<Item = (usize, Origin, u32)> + '_ {
        self.others.iter().filter_map(|o| {
            let &i = self.by_id.get(&o.blob)?;
            let b = self.blobs.get(i as usize)?;
            let origin = self.origin_at(b, o.place.path);
            Some((i as usize, origin, o.place.commit))
        })
    }

    /// Where the selection puts a blob that the other side already has: (blob id, path,
    /// commit index), the first commit for each (blob, path), in walk order.
    pub(crate) fn seeded_places(&self) -> Vec<(ObjectId, String, u32)> {
        let mut seen = HashSet::new();
        self.seeded
            .iter()
            .filter(|o| seen.insert((o.blob, o.place.path)))
            .map(|o| {
                (
                    o.blob,
                    lossy(&self.paths[o.place.path as usize]),
                    o.place.commit,
                )
            })
            .collect()
    }

    /// The origin of a blob, without its commit (see [`Repo::attribute`]).
    pub(crate) fn origin(&self, b: &HistBlob) -> Origin {
        self.origin_at(b, b.first.path)
    }

    /// The origin of blob `b` at path index `path`: a staged entry or a history blob.
    fn origin_at(&self, b: &HistBlob, path: u32) -> Origin {
        let path = lossy(&self.paths[path as usize]);
        let id = b.id.to_string();
        let other_places = b.other_places as usize;
        if self.staged {
            Origin::Staged {
                path,
                id,
                other_places,
            }
        } else {
            Origin::Blob {
                path,
                id,
                commit: None,
                other_places,
            }
        }
    }
}

/// A starting point of the walk.
enum Tip {
    Commit(ObjectId),
    /// A ref that peels to a tree or blob, not a commit.
    Other {
        name: String,
        id: ObjectId,
        is_tree: bool,
    },
}

/// What a walk starts from: the tips as named (every ref and `HEAD`, or the range's tip)
/// and peeled, the hidden commits, and the skips met resolving them.
pub(super) struct WalkInputs {
    /// True for a range.
    pub(super) range: bool,
    /// The tips before peeling: (name, id).
    pub(super) named: Vec<(String, ObjectId)>,
    tips: Vec<Tip>,
    pub(super) hidden: Vec<ObjectId>,
    skips: Vec<Skip>,
}

impl Repo {
    /// The distinct blobs of every ref (branches, tags, remote-tracking refs, stash, notes) and
    /// `HEAD`, or of the selected range.
    pub fn history(&self, sel: &Selection) -> Result<History, GitError> {
        let inputs = self.walk_inputs(sel)?;
        let mut h = self.walk(inputs);
        self.complete(&mut h, sel);
        Ok(h)
    }

    /// The tips and hidden commits of a selection, resolved.
    pub(super) fn walk_inputs(&self, sel: &Selection) -> Result<WalkInputs, GitError> {
        let mut skips = Vec::new();
        let (range, named, hidden) = if let Some(range) = &sel.range {
            let (a, b) = range.split_once("..").ok_or_else(|| GitError::Revision {
                spec: range.clone(),
                message: "expected a range A..B".into(),
            })?;
            let b = if b.is_empty() { "HEAD" } else { b };
            let tip = self.resolve(b)?;
            let hidden = if a.is_empty() {
                Vec::new()
            } else {
                vec![self.resolve(a)?]
            };
            (true, vec![(b.to_string(), tip)], hidden)
        } else {
            let named = self.ref_names(&mut skips);
            let hidden = match &sel.since {
                Some(s) => vec![self.resolve(s)?],
                None => Vec::new(),
            };
            (false, named, hidden)
        };
        let tips = self.peel_tips(named.clone(), &mut skips);
        Ok(WalkInputs {
            range,
            named,
            tips,
            hidden,
            skips,
        })
    }

    /// The walk from `inputs`: what a walk file holds.
    pub(super) fn walk(&self, inputs: WalkInputs) -> History {
        let bases = inputs.hidden.clone();
        let mut h = self.collect(inputs.tips, inputs.hidden, inputs.skips);
        h.bases = bases;
        h
    }

    /// What the selection adds to a walk: unreachable blobs, the shard.
    pub(super) fn complete(&self, h: &mut History, sel: &Selection) {
        if sel.all_objects {
            self.add_unreachable(h);
        }
        h.shard = sel.shard;
    }

    /// The blobs that a push would send: commits of the updates that no remote-tracking ref
    /// of `remote` (or, when `remote` is a URL or has none, of any remote) and no updated
    /// remote ref already holds. Deletions send nothing.
    pub fn pushed(&self, remote: Option<&str>, updates: &[PushUpdate]) -> History {
        let mut skips = Vec::new();
        let mut tips = Vec::new();
        let mut hidden = Vec::new();
        for u in updates {
            if let Some(id) = self.existing(&u.local_oid) {
                tips.push((u.local_ref.clone(), id));
            }
            if let Some(id) = self.existing(&u.remote_oid) {
                hidden.push(id);
            }
        }
        hidden.extend(self.remote_tracking_tips(remote));
        let tips = self.peel_tips(tips, &mut skips);
        let bases = hidden.clone();
        let mut h = self.collect(tips, hidden, skips);
        h.bases = bases;
        h
    }

    /// The id in hex when it is not all zeros and the object is here.
    fn existing(&self, hex: &str) -> Option<ObjectId> {
        let id = ObjectId::from_hex(hex.trim().as_bytes()).ok()?;
        (!id.is_null() && gix::objs::Exists::exists(&self.repo.objects, &id)).then_some(id)
    }

    /// The full hex id a revision resolves to.
    pub fn rev_hex(&self, spec: &str) -> Result<String, GitError> {
        self.resolve(spec).map(|id| id.to_string())
    }

    fn resolve(&self, spec: &str) -> Result<ObjectId, GitError> {
        self.repo
            .rev_parse_single(spec)
            .map(|id| id.detach())
            .map_err(|e| GitError::Revision {
                spec: spec.to_string(),
                message: e.to_string(),
            })
    }

    /// Every ref with its id, plus `HEAD` (a detached `HEAD` is in no ref).
    fn ref_names(&self, skips: &mut Vec<Skip>) -> Vec<(String, ObjectId)> {
        let mut named = Vec::new();
        let platform = self.repo.references();
        match platform
            .as_ref()
            .map_err(|e| e.to_string())
            .and_then(|p| p.all().map_err(|e| e.to_string()))
        {
            Ok(iter) => {
                for r in iter {
                    match r {
                        Ok(mut r) => {
                            let name = r.name().as_bstr().to_string();
                            match r.peel_to_id() {
                                Ok(id) => named.push((name, id.detach())),
                                Err(e) => skips.push(Skip::new(
                                    name,
                                    SkipReason::CorruptObject,
                                    format!("cannot peel ref: {e}"),
                                )),
                            }
                        }
                        Err(e) => skips.push(Skip::new(
                            "refs",
                            SkipReason::CorruptObject,
                            format!("cannot read a ref: {e}"),
                        )),
                    }
                }
            }
            Err(e) => skips.push(Skip::new(
                "refs",
                SkipReason::CorruptObject,
                format!("cannot list refs: {e}"),
            )),
        }
        if let Ok(id) = self.repo.head_id() {
            named.push(("HEAD".into(), id.detach()));
        }
        named
    }

    /// Remote-tracking refs of `remote`, or of every remote when it has none (a URL).
    fn remote_tracking_tips(&self, remote: Option<&str>) -> Vec<ObjectId> {
        let collect = |prefix: &str| -> Vec<ObjectId> {
            let Ok(platform) = self.repo.references() else {
                return Vec::new();
            };
            let Ok(iter) = platform.prefixed(prefix) else {
                return Vec::new();
            };
            iter.filter_map(Result::ok)
                .filter_map(|mut r| r.peel_to_id().ok().map(|id| id.detach()))
                .collect()
        };
        let own = remote
            .filter(|r| !r.contains(['/', ':']) && !r.is_empty())
            .map(|r| collect(&format!("refs/remotes/{r}/")))
            .unwrap_or_default();
        if own.is_empty() {
            collect("refs/remotes/")
        } else {
            own
        }
    }

    /// Peels annotated tags; commits become walk tips, trees and blobs are scanned as such.
    fn peel_tips(&self, named: Vec<(String, ObjectId)>, skips: &mut Vec<Skip>) -> Vec<Tip> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        for (name, id) in named {
            let peeled = self
                .repo
                .find_object(id)
                .and_then(|o| o.peel_tags_to_end())
                .map(|o| (o.id, o.kind));
            match peeled {
                Ok((id, kind)) if seen.insert(id) => match kind {
                    gix::objs::Kind::Commit => out.push(Tip::Commit(id)),
                    gix::objs::Kind::Tree => out.push(Tip::Other {
                        name,
                        id,
                        is_tree: true,
                    }),
                    gix::objs::Kind::Blob => out.push(Tip::Other {
                        name,
                        id,
                        is_tree: false,
                    }),
                    gix::objs::Kind::Tag => {}
                },
                Ok(_) => {}
                Err(e) => skips.push(Skip::new(
                    name,
                    SkipReason::CorruptObject,
                    format!("cannot read {id}: {e}"),
                )),
            }
        }
        out
    }

    /// The blobs of the commits reachable from `tips` and not from `hidden`.
    fn collect(&self, tips: Vec<Tip>, hidden: Vec<ObjectId>, skips: Vec<Skip>) -> History {
        // A whole history (nothing hidden, not shallow, no replace refs) is walked straight
        // from the packs; anything else, or any commit that does not read that way, by gix.
        let direct = hidden.is_empty() && self.shallow.is_empty() && !self.has_replacements();
        let mut w = Walker::new(self, skips, direct);
        let commit_tips: Vec<ObjectId> = tips
            .iter()
            .filter_map(|t| match t {
                Tip::Commit(id) => Some(*id),
                Tip::Other { .. } => None,
            })
            .collect();
        // The trees of small packs are read ahead while the commits are walked.
        let packs = w.src.reader.packs();
        let hash = self.repo.object_hash();
        let parse = move |bytes: &[u8]| {
            let c = gix::objs::CommitRef::from_bytes(bytes, hash).ok()?;
            Some((
                c.tree(),
                c.parents().collect::<Vec<_>>(),
                c.committer().map(|s| s.seconds()).unwrap_or(0),
            ))
        };
        let (nodes, ahead) = std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::channel();
            let ahead = direct.then(|| {
                let (packs, parse) = (&packs, &parse);
                scope.spawn(move || Ahead::read(packs, READ_AHEAD_BYTES, parse, tx))
            });
            let read = if direct {
                rx.recv().unwrap_or_default()
            } else {
                Default::default()
            };
            let nodes = match direct
                .then(|| w.commits_direct(&commit_tips, read))
                .flatten()
            {
                Some(nodes) => nodes,
                None => w.commits(commit_tips, hidden),
            };
            (nodes, ahead.map(|h| h.join().unwrap_or_default()))
        });
        drop(packs);
        w.src.reader.ahead = ahead.unwrap_or_default();
        let mut roots = w.boundary_roots(&nodes);
        for &i in &parents_first(&nodes) {
            let at = w.rec.h.commits.len() as u32;
            w.rec.h.commits.push(nodes[i].id);
            roots.push(Root {
                tree: nodes[i].tree,
                prefix: BString::default(),
                commit: at,
                record: true,
            });
        }
        for t in &tips {
            if let Tip::Other {
                name,
                id,
                is_tree: true,
            } = t
            {
                roots.push(Root {
                    tree: *id,
                    prefix: BString::from(format!("{name}:")),
                    commit: NO_COMMIT,
                    record: true,
                });
            }
        }
        w.walk_trees(roots);
        for t in tips {
            if let Tip::Other {
                name,
                id,
                is_tree: false,
            } = t
            {
                w.rec
                    .sight(id, format!("{name}:").as_bytes(), b"", NO_COMMIT);
            }
        }
        w.rec.h.commit_count = nodes.len();
        w.rec.h
    }

    /// True when the repository has replace refs (`git replace`), which gix honours when it
    /// reads objects and the pack readers of this module do not.
    pub(super) fn has_replacements(&self) -> bool {
        self.repo.references().map_or(true, |p| {
            p.prefixed("refs/replace/")
                .map_or(true, |mut it| it.next().is_some())
        })
    }

    /// `--all-objects`: blobs that no walked tree holds (force-pushed away, dropped stashes).
    fn add_unreachable(&self, h: &mut History) {
        let iter = match self.repo.objects.iter() {
            Ok(it) => it.with_ordering(
                gix::odb::store::iter::Ordering::PackAscendingOffsetThenLooseLexicographical,
            ),
            Err(e) => {
                h.skips.push(Skip::new(
                    "objects",
                    SkipReason::CorruptObject,
                    format!("cannot list objects: {e}"),
                ));
                return;
            }
        };
        for id in iter {
            let id = match id {
                Ok(id) => id,
                Err(e) => {
                    h.skips.push(Skip::new(
                        "objects",
                        SkipReason::CorruptObject,
                        e.to_string(),
                    ));
                    continue;
                }
            };
            if h.by_id.contains_key(&id) {
                continue;
            }
            match self.repo.objects.header(id) {
                Ok(hd) if hd.kind() == gix::objs::Kind::Blob => {
                    // The id in the path keeps findings of different unreachable blobs apart.
                    let p = h.paths.len() as u32;
                    h.paths.push(BString::from(format!("(unreachable)/{id}")));
                    h.by_id.insert(id, h.blobs.len() as u32);
                    h.blobs.push(HistBlob {
                        id,
                        first: Place {
                            commit: NO_COMMIT,
                            path: p,
                        },
                        other_places: 0,
                    });
                }
                Ok(_) => {}
                Err(e) => h.skips.push(Skip::new(
                    format!("object {id}"),
                    SkipReason::CorruptObject,
                    e.to_string(),
                )),
            }
        }
    }
}

/// A commit of the selection.
struct Node {
    id: ObjectId,
    tree: ObjectId,
    parents: Vec<ObjectId>,
    time: i64,
}

/// Indices of `nodes` with every parent before its children; among commits ready at the same
/// time, the oldest (committer time, then id) first, so the order is deterministic.
fn parents_first(nodes: &[Node]) -> Vec<usize> {
    let index: HashMap<ObjectId, usize> =
        nodes.iter().enumerate().map(|(i, n)| (n.id, i)).collect();
    let mut pending = vec![0usize; nodes.len()];
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (i, n) in nodes.iter().enumerate() {
        let mut seen = Vec::with_capacity(n.parents.len());
        for p in &n.parents {
            if let Some(&pi) = index.get(p) {
                if !seen.contains(&pi) {
                    seen.push(pi);
                    pending[i] += 1;
                    children[pi].push(i);
                }
            }
        }
    }
    let mut ready: BinaryHeap<std::cmp::Reverse<(i64, ObjectId, usize)>> = nodes
        .iter()
        .enumerate()
        .filter(|(i, _)| pending[*i] == 0)
        .map(|(i, n)| std::cmp::Reverse((n.time, n.id, i)))
        .collect();
    let mut order = Vec::with_capacity(nodes.len());
    while let Some(std::cmp::Reverse((_, _, i))) = ready.pop() {
        order.push(i);
        for &c in &children[i] {
            pending[c] -= 1;
            if pending[c] == 0 {
                ready.push(std::cmp::Reverse((nodes[c].time, nodes[c].id, c)));
            }
        }
    }
    order
}

/// Commits read ahead: (tree, parents, committer time) by id.
type ReadCommits = gix::hashtable::HashMap<ObjectId, (ObjectId, Vec<ObjectId>, i64)>;

/// The state of one enumeration.
struct Walker<'r> {
    repo: &'r Repo,
    src: TreeSource,
    rec: Recorder,
    buf: Vec<u8>,
}

/// A tree to walk from: a commit's root tree, a boundary parent's, a tagged tree.
struct Root {
    tree: ObjectId,
    prefix: BString,
    commit: u32,
    /// False for a boundary tree: its blobs are only marked as known.
    record: bool,
}

/// A tree as the reading side hands it to the recording side, in walk order.
struct ReadTree {
    id: ObjectId,
    prefix: BString,
    commit: u32,
    record: bool,
    /// Its bytes, or why it did not read.
    bytes: Result<Vec<u8>, String>,
    /// True when read from the packs (the only trees the recorder compares with the last
    /// tree at their path: reading through gix is the rare path and keeps it simple).
    from_pack: bool,
}

/// The reading side of the tree walk: which trees to walk, in which order, and their bytes.
struct TreeSource {
    /// The object database for trees, with a larger delta-base cache than reading blobs
    /// needs: trees are read one by one and most are deltas over trees read shortly before.
    trees: gix::OdbHandle,
    /// Trees read from the packs.
    reader: TreeReader,
    seen: HashSet<ObjectId, gix::hashtable::hash::Builder>,
    hash: gix::hash::Kind,
    buf: Vec<u8>,
}

/// The recording side of the tree walk: the blobs, their first places and their other paths.
struct Recorder {
    hash: gix::hash::Kind,
    /// The last tree walked at each path (prefix), when large: see [`Recorder::record`].
    last_at: std::collections::HashMap<BString, Vec<u8>>,
    h: History,
    /// (A fast hasher: the walk hashes every new path and every other place.)
    path_ids: std::collections::HashMap<BString, u32, foldhash::fast::RandomState>,
    /// (blob, path) pairs beyond the first place, to count distinct other paths.
    other: HashSet<(u32, u32), foldhash::fast::RandomState>,
    blobs: Vec<(ObjectId, usize, usize)>,
    names: Vec<u8>,
}

/// Buffers larger than this are not reused: every buffer in flight would grow to the
/// largest tree.
const SPARE_MAX: usize = 16 << 10;
/// Trees handed over at a time.
const PIPELINE_BATCH: usize = 64;
/// Batches read ahead of the recorder at most.
const PIPELINE_DEPTH: usize = 4;

impl<'r> Walker<'r> {
    fn new(repo: &'r Repo, skips: Vec<Skip>, bulk: bool) -> Walker<'r> {
        let mut trees = repo.repo.objects.clone();
        trees.set_pack_cache(|| {
            Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
                ODB_TREE_CACHE_BYTES,
            ))
        });
        let hash = repo.repo.object_hash();
        Walker {
            repo,
            src: TreeSource {
                trees,
                reader: TreeReader::new(repo.packs(bulk), TREE_CACHE_BYTES),
                seen: HashSet::default(),
                hash,
                buf: Vec::new(),
            },
            rec: Recorder {
                hash,
                last_at: std::collections::HashMap::new(),
                h: History {
                    skips,
                    ..History::default()
                },
                path_ids: std::collections::HashMap::default(),
                other: HashSet::default(),
                blobs: Vec::new(),
                names: Vec::new(),
            },
            buf: Vec::new(),
        }
    }

    /// The commits reachable from `tips` and not from `hidden`, with tree, parents and time.
    fn commits(&mut self, tips: Vec<ObjectId>, hidden: Vec<ObjectId>) -> Vec<Node> {
        if tips.is_empty() {
            return Vec::new();
        }
        let repo = &self.repo.repo;
        let walk = repo.rev_walk(tips).with_hidden(hidden).all();
        let walk = match walk {
            Ok(w) => w,
            Err(e) => {
                self.rec.h.skips.push(Skip::new(
                    "history",
                    SkipReason::CorruptObject,
                    format!("cannot walk commits: {e}"),
                ));
                return Vec::new();
            }
        };
        let mut nodes = Vec::new();
        for info in walk {
            let info = match info {
                Ok(i) => i,
                Err(e) => {
                    // gix stops the walk at an unreadable commit; what was walked is scanned.
                    self.rec.h.skips.push(Skip::new(
                        "history",
                        SkipReason::CorruptObject,
                        format!("commit walk stopped: {e}"),
                    ));
                    break;
                }
            };
            let id = info.id;
            match repo.objects.find_commit(&id, &mut self.buf) {
                Ok(c) => nodes.push(Node {
                    id,
                    tree: c.tree(),
                    parents: c.parents().collect(),
                    time: c.committer().map(|s| s.seconds()).unwrap_or(0),
                }),
                Err(e) => self.rec.h.skips.push(Skip::new(
                    format!("commit {id}"),
                    SkipReason::CorruptObject,
                    e.to_string(),
                )),
            }
        }
        nodes
    }

    /// Every commit reachable from `tips`, read from the packs (each commit once; gix's walk
    /// decoded each commit twice, once to walk and once here for its tree and time, and was
    /// nearly half of the history enumeration on rails). `None` when a commit does not read:
    /// the caller walks with gix, which reports what is wrong.
    /// `read` holds commits read ahead (tree, parents, committer time), taken first.
    fn commits_direct(&mut self, tips: &[ObjectId], mut read: ReadCommits) -> Option<Vec<Node>> {
        let mut seen: HashSet<ObjectId, gix::hashtable::hash::Builder> = HashSet::default();
        let mut stack: Vec<ObjectId> = tips.iter().copied().filter(|t| seen.insert(*t)).collect();
        let mut nodes = Vec::new();
        let mut bytes = Vec::new();
        while let Some(id) = stack.pop() {
            let node_of = |c: gix::objs::CommitRef<'_>| Node {
                id,
                tree: c.tree(),
                parents: c.parents().collect(),
                time: c.committer().map(|s| s.seconds()).unwrap_or(0),
            };
            let node = if let Some((tree, parents, time)) = read.remove(&id) {
                Node {
                    id,
                    tree,
                    parents,
                    time,
                }
            } else if self.src.reader.read_commit(&id, &mut bytes) {
                node_of(
                    gix::objs::CommitRef::from_bytes(&bytes, self.repo.repo.object_hash()).ok()?,
                )
            } else {
                node_of(
                    self.repo
                        .repo
                        .objects
                        .find_commit(&id, &mut self.buf)
                        .ok()?,
                )
            };
            for p in &node.parents {
                if seen.insert(*p) {
                    stack.push(*p);
                }
            }
            nodes.push(node);
        }
        Some(nodes)
    }

    /// The trees of parents outside the selection, to walk without recording: their blobs are
    /// already on the other side of a range or push.
    fn boundary_roots(&mut self, nodes: &[Node]) -> Vec<Root> {
        let inside: HashSet<ObjectId> = nodes.iter().map(|n| n.id).collect();
        let mut outside: Vec<ObjectId> = nodes
            .iter()
            .flat_map(|n| n.parents.iter().copied())
            .filter(|p| !inside.contains(p))
            .collect();
        outside.sort();
        outside.dedup();
        let mut roots = Vec::new();
        for p in outside {
            if self.repo.shallow.binary_search(&p).is_ok() {
                continue;
            }
            // A parent beyond a shallow boundary is simply absent.
            if let Ok(c) = self.repo.repo.objects.find_commit(&p, &mut self.buf) {
                roots.push(Root {
                    tree: c.tree(),
                    prefix: BString::default(),
                    commit: NO_COMMIT,
                    record: false,
                });
            }
        }
        roots
    }

    /// Walks the trees under `roots` (in order), each tree not walked before once, recording
    /// (or, for a root whose `record` is false, only marking as known) each blob.
    ///
    /// Reading trees (inflating them, applying deltas) and recording their entries are about
    /// equal halves of the work; on a long history they run on two threads, the reading side
    /// handing the trees over in walk order through a bounded queue. It walks them in the
    /// order one thread would: which trees are walked depends only on which were walked
    /// before, not on what recording does with their entries.
    fn walk_trees(&mut self, roots: Vec<Root>) {
        let (src, rec) = (&mut self.src, &mut self.rec);
        // The recorder's spent buffers go back to carry the next trees.
        let (give_back, spare) = std::sync::mpsc::channel::<Vec<u8>>();
        if roots.len() < self.repo.tuning.pipeline_min_roots {
            src.walk(roots, &spare, &mut |t| {
                if let Some(b) = rec.record(t) {
                    let _ = give_back.send(b);
                }
                true
            });
            return;
        }
        // Trees go over in batches: one hand-over per tree cost more than it saved.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<ReadTree>>(PIPELINE_DEPTH);
        std::thread::scope(|scope| {
            scope.spawn(move || {
                let mut batch = Vec::with_capacity(PIPELINE_BATCH);
                src.walk(roots, &spare, &mut |t| {
                    batch.push(t);
                    batch.len() < PIPELINE_BATCH
                        || tx
                            .send(std::mem::replace(
                                &mut batch,
                                Vec::with_capacity(PIPELINE_BATCH),
                            ))
                            .is_ok()
                });
                let _ = tx.send(batch);
            });
            for batch in rx {
                for t in batch {
                    if let Some(b) = rec.record(t) {
                        if b.capacity() <= SPARE_MAX {
                            let _ = give_back.send(b);
                        }
                    }
                }
            }
        });
    }
}

impl TreeSource {
    /// Reads the trees under `roots` not read before, depth first in tree order, and hands
    /// each to `out` (which returns false to stop). `spare` brings back buffers to read into.
    fn walk(
        &mut self,
        roots: Vec<Root>,
        spare: &std::sync::mpsc::Receiver<Vec<u8>>,
        out: &mut dyn FnMut(ReadTree) -> bool,
    ) {
        let mut stack: Vec<(ObjectId, BString)> = Vec::new();
        let mut subtrees: Vec<(ObjectId, BString)> = Vec::new();
        for root in roots {
            if !self.seen.insert(root.tree) {
                continue;
            }
            stack.push((root.tree, root.prefix));
            while let Some((id, prefix)) = stack.pop() {
                let mut bytes = spare.try_recv().unwrap_or_default();
                let from_pack = self.reader.read(&id, &mut bytes);
                let bytes = if from_pack {
                    Ok(bytes)
                } else {
                    self.read_odb(&id, bytes)
                };
                if let Ok(b) = &bytes {
                    for entry in gix::objs::TreeRefIter::from_bytes(b, self.hash) {
                        // The recorder reports a malformed entry; nothing after it is walked.
                        let Ok(e) = entry else { break };
                        if e.mode.is_tree() && self.seen.insert(e.oid.to_owned()) {
                            let mut p = prefix.clone();
                            p.push_str(e.filename);
                            p.push_byte(b'/');
                            subtrees.push((e.oid.to_owned(), p));
                        }
                    }
                }
                let t = ReadTree {
                    id,
                    prefix,
                    commit: root.commit,
                    record: root.record,
                    bytes,
                    from_pack,
                };
                if !out(t) {
                    return;
                }
                // Depth-first in tree order, so that of two paths in one commit the first in
                // git's order is the first place.
                subtrees.reverse();
                stack.append(&mut subtrees);
            }
        }
    }

    /// Reads tree `id` through the object database (loose, or in a pack the reader could
    /// not read), into `bytes`.
    fn read_odb(&mut self, id: &ObjectId, mut bytes: Vec<u8>) -> Result<Vec<u8>, String> {
        match self.trees.find(id, &mut self.buf) {
            Ok(data) if data.kind == gix::objs::Kind::Tree => {
                bytes.clear();
                bytes.extend_from_slice(data.data);
                Ok(bytes)
            }
            // Not a tree: gix's typed look-up says so in its words.
            Ok(_) => match self.trees.find_tree_iter(id, &mut self.buf) {
                Err(e) => Err(e.to_string()),
                Ok(_) => Err(format!("object {id} is not a tree")),
            },
            Err(e) => Err(e.to_string()),
        }
    }
}

impl Recorder {
    /// Reports tree `tid` at `prefix` as not read (whole).
    fn corrupt_tree(&mut self, prefix: &[u8], tid: ObjectId, message: String) {
        self.h.skips.push(Skip::new(
            tree_label(prefix, tid),
            SkipReason::CorruptObject,
            message,
        ));
    }

    /// Records the blobs of one walked tree that the last tree walked at its path did not
    /// hold (all of them when there is none). Returns a buffer it no longer needs.
    fn record(&mut self, t: ReadTree) -> Option<Vec<u8>> {
        let ReadTree {
            id: tid,
            prefix,
            commit,
            record,
            bytes,
            from_pack,
        } = t;
        let bytes = match bytes {
            Ok(b) => b,
            Err(message) => {
                self.corrupt_tree(&prefix, tid, message);
                return None;
            }
        };
        let mut blobs = std::mem::take(&mut self.blobs);
        let mut names = std::mem::take(&mut self.names);
        blobs.clear();
        names.clear();
        // The last tree walked at this path: its entries were recorded at this path then.
        let old = if from_pack {
            self.last_at.remove(&prefix)
        } else {
            None
        };
        let mut before = old
            .as_deref()
            .map(|o| gix::objs::TreeRefIter::from_bytes(o, self.hash).peekable());
        let mut whole = true;
        for entry in gix::objs::TreeRefIter::from_bytes(&bytes, self.hash) {
            let e = match entry {
                Ok(e) => e,
                Err(err) => {
                    self.corrupt_tree(&prefix, tid, err.to_string());
                    whole = false;
                    break;
                }
            };
            if let Some(b) = before.as_mut() {
                if unchanged(b, &e) {
                    continue;
                }
            }
            if e.mode.is_blob_or_symlink() {
                let start = names.len();
                names.extend_from_slice(e.filename);
                blobs.push((e.oid.to_owned(), start, names.len()));
            }
        }
        drop(before);
        for &(id, s, e) in &blobs {
            if record {
                self.sight(id, &prefix, &names[s..e], commit);
            } else {
                self.h.by_id.entry(id).or_insert(SEEDED);
            }
        }
        self.blobs = blobs;
        self.names = names;
        // Keep this tree as the last one at its path when it was read whole (every entry is
        // recorded above); else keep the one before.
        if from_pack && whole && bytes.len() >= MIN_KEPT_TREE {
            self.last_at.insert(prefix, bytes);
            old
        } else {
            if let Some(o) = old {
                self.last_at.insert(prefix, o);
            }
            Some(bytes)
        }
    }

    /// Records that blob `id` stands at `prefix` + `name` in commit `commit`.
    fn sight(&mut self, id: ObjectId, prefix: &[u8], name: &[u8], commit: u32) {
        match self.h.by_id.get(&id).copied() {
            Some(SEEDED) => {
                let path = self.intern(prefix, name);
                self.h.seeded.push(OtherPlace {
                    blob: id,
                    place: Place { commit, path },
                });
            }
            Some(i) => {
                let first = &self.h.paths[self.h.blobs[i as usize].first.path as usize];
                let same = first.len() == prefix.len() + name.len()
                    && first.starts_with(prefix)
                    && first.ends_with(name);
                if !same {
                    let p = self.intern(prefix, name);
                    if self.other.insert((i, p)) {
                        self.h.blobs[i as usize].other_places += 1;
                        self.h.others.push(OtherPlace {
                            blob: id,
                            place: Place { commit, path: p },
                        });
                    }
                }
            }
            None => {
                let path = self.intern(prefix, name);
                self.h.by_id.insert(id, self.h.blobs.len() as u32);
                self.h.blobs.push(HistBlob {
                    id,
                    first: Place { commit, path },
                    other_places: 0,
                });
            }
        }
    }

    fn intern(&mut self, prefix: &[u8], name: &[u8]) -> u32 {
        let mut full = BString::from(prefix);
        full.push_str(name);
        if let Some(&p) = self.path_ids.get(&full) {
            return p;
        }
        let p = self.h.paths.len() as u32;
        self.h.paths.push(full.clone());
        self.path_ids.insert(full, p);
        p
    }
}

/// True when `e` stands unchanged (same name, mode and id) in the tree `before` iterates,
/// which is advanced past the entries that sort before `e`. Both are in git's tree order; an
/// entry of a malformed tree is simply not matched (and so walked).
fn unchanged(
    before: &mut std::iter::Peekable<gix::objs::TreeRefIter<'_>>,
    e: &gix::objs::tree::EntryRef<'_>,
) -> bool {
    while let Some(Ok(o)) = before.peek() {
        match tree_order(o.filename, o.mode.is_tree(), e.filename, e.mode.is_tree()) {
            std::cmp::Ordering::Less => {
                before.next();
            }
            std::cmp::Ordering::Equal => {
                let same = o.mode == e.mode && o.oid == e.oid;
                before.next();
                return same;
            }
            std::cmp::Ordering::Greater => return false,
        }
    }
    false
}

/// git's order of tree entries: by name, a tree's name compared as if it ended in `/`.
fn tree_order(a: &[u8], a_tree: bool, b: &[u8], b_tree: bool) -> std::cmp::Ordering {
    let n = a.len().min(b.len());
    a[..n].cmp(&b[..n]).then_with(|| {
        let end = |name: &[u8], tree: bool| match name.get(n) {
            Some(&c) => c,
            None if tree => b'/',
            None => 0,
        };
        end(a, a_tree).cmp(&end(b, b_tree))
    })
}

fn tree_label(prefix: &[u8], id: ObjectId) -> String {
    if prefix.is_empty() {
        format!("tree {id}")
    } else {
        format!("{} (tree {id})", lossy(prefix))
    }
}

#[cfg(test)]
mod tests {
    use super::super::walkfile::{WalkCache, WalkFileError};
    use super::*;
    use std::path::Path;
    use std::process::{Command, Stdio};

    fn git(dir: &Path, args: &[&str], input: Option<&str>) -> String {
        let mut cmd = Command::new("git");
        cmd.arg("-C").arg(dir).args(args);
        cmd.env("GIT_CONFIG_NOSYSTEM", "1").env("HOME", dir);
        cmd.stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        cmd.stdout(Stdio::piped());
        let mut child = cmd.spawn().expect("git runs");
        if let Some(text) = input {
            use std::io::Write;
            let mut stdin = child.stdin.take().expect("stdin");
            stdin.write_all(text.as_bytes()).expect("write");
        }
        let out = child.wait_with_output().expect("git ends");
        assert!(out.status.success(), "git {args:?} failed");
        String::from_utf8(out.stdout).expect("utf-8")
    }

    /// A fast-import stream: a main line and a side branch merged back, files in nested
    /// folders edited, deleted and re-added, a folder copied whole to a second path (the same
    /// tree at two paths) and a file copied (the same blob at two paths).
    fn stream(commits: usize) -> String {
        let mut s = String::new();
        let mut mark = 0;
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for c in 0..commits {
            mark += 1;
            let branch = if c % 7 == 3 { "side" } else { "main" };
            s += &format!(
                "commit refs/heads/{branch}\nmark :{mark}\ncommitter A <a@x.test> {} +0000\ndata 2\nc\n",
                1_600_000_000 + c
            );
            if c == 3 {
                s += &format!("from :{}\n", mark - 1);
            }
            if c == 0 {
                for dir in DIRS {
                    let body = format!("kept in {dir}\n");
                    s += &format!(
                        "M 100644 inline {dir}/keep.txt\ndata {}\n{body}\n",
                        body.len()
                    );
                }
            }
            if branch == "main" && c % 7 == 4 && c > 4 {
                s += &format!("merge :{}\n", mark - 1);
            }
            for _ in 0..3 {
                let dir = DIRS[next(5) as usize];
                let file = format!("{dir}/f{}.txt", next(6));
                match next(10) {
                    0 => s += &format!("D {file}\n"),
                    1 => s += &format!("C {dir} copy{}/{dir}\n", next(3)),
                    2 => s += &format!("C {dir}/keep.txt {dir}/same{}.txt\n", next(2)),
                    _ => {
                        let body = format!("version {c} of {file}: {}\n", next(1000));
                        s += &format!("M 100644 inline {file}\ndata {}\n{body}\n", body.len());
                    }
                }
            }
            s += "\n";
        }
        s
    }

    const DIRS: [&str; 5] = ["src", "src/deep", "docs", "src/deep/er", "etc"];

    /// Everything a walk records, by value.
    fn recorded(h: &History) -> Vec<String> {
        let mut out = vec![format!(
            "{} commits, {} skips",
            h.commit_count,
            h.skips.len()
        )];
        out.extend(h.commits.iter().map(|c| format!("commit {c}")));
        out.extend(h.blobs.iter().map(|b| {
            format!(
                "blob {} at {}:{} +{}",
                b.id, b.first.commit, h.paths[b.first.path as usize], b.other_places
            )
        }));
        out.extend(h.others.iter().map(|o| {
            format!(
                "other {} at {}:{}",
                o.blob, o.place.commit, h.paths[o.place.path as usize]
            )
        }));
        out
    }

    /// A walk read back from its walk file is the walk: every field, for a whole history and
    /// for `--since` (blobs the other side has, their new places, the bases).
    #[test]
    fn a_walk_file_gives_the_walk() {
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path();
        git(d, &["init", "-q", "--bare", "."], None);
        git(d, &["fast-import", "--quiet"], Some(&stream(120)));
        let repo = Repo::open(d).expect("opens");
        let file = d.join("walk.bin");
        let all = |h: &History| {
            let mut known: Vec<String> = h
                .by_id
                .iter()
                .filter(|(_, &i)| i == SEEDED)
                .map(|(id, _)| id.to_string())
                .collect();
            known.sort();
            let mut v = recorded(h);
            v.push(format!("{:?} {:?} {known:?}", h.seeded_places(), h.bases));
            v
        };
        let since = Selection {
            since: Some("main~30".into()),
            ..Selection::default()
        };
        for sel in [Selection::default(), since] {
            let fresh = all(&repo.history(&sel).expect("walks"));
            let _ = std::fs::remove_file(&file);
            let (walked, how) = repo.history_cached(&sel, &file).expect("walks");
            assert!(
                matches!(
                    how,
                    WalkCache::Written {
                        unused: WalkFileError::Missing,
                        ..
                    }
                ),
                "{how:?}"
            );
            assert_eq!(all(&walked), fresh);
            let (read, how) = repo.history_cached(&sel, &file).expect("reads");
            assert!(matches!(how, WalkCache::Read { .. }), "{how:?}");
            assert_eq!(all(&read), fresh, "{sel:?}");
        }
        assert!(all(&repo
            .history(&Selection {
                since: Some("main~30".into()),
                ..Selection::default()
            })
            .expect("walks"))
        .last()
        .is_some_and(|l| !l.starts_with("[] ")));
        // The file of --since is stale for the whole history, and the other way round.
        let (_, how) = repo
            .history_cached(&Selection::default(), &file)
            .expect("walks");
        assert!(
            matches!(
                how,
                WalkCache::Written {
                    unused: WalkFileError::Stale,
                    ..
                }
            ),
            "{how:?}"
        );
    }

    /// Reading trees on a second thread, and holding the pack with its commits and trees read
    /// ahead, must record exactly what one thread reading entry by entry records.
    #[test]
    fn every_way_of_walking_records_the_same() {
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path();
        git(d, &["init", "-q", "--bare", "."], None);
        git(d, &["fast-import", "--quiet"], Some(&stream(400)));
        let blob = git(
            d,
            &["hash-object", "-w", "--stdin"],
            Some("only in a tagged tree\n"),
        );
        let listing = format!("100644 blob {}\tonly.txt\n", blob.trim());
        let tree = git(d, &["mktree"], Some(&listing));
        git(d, &["update-ref", "refs/tags/a-tree", tree.trim()], None);
        git(d, &["repack", "-adf", "-q", "--depth=20"], None);
        let walk = |pipeline_min_roots, whole_min_objects| {
            let mut repo = Repo::open(d).expect("opens");
            repo.tuning = super::super::repo::Tuning {
                pipeline_min_roots,
                whole_min_objects,
            };
            recorded(&repo.history(&Selection::default()).expect("walks"))
        };
        let one = walk(usize::MAX, u32::MAX);
        assert!(one.len() > 400, "{}", one.len());
        assert!(one.iter().any(|l| l.starts_with("other ")));
        assert!(
            one.iter().any(|l| l.contains("a-tree:only.txt")),
            "{:?}",
            &one[..3]
        );
        let same = |other: Vec<String>, how: &str| {
            let at = one.iter().zip(&other).position(|(a, b)| a != b);
            assert!(
                at.is_none() && one.len() == other.len(),
                "{how}: {} and {} lines, first difference {:?}",
                one.len(),
                other.len(),
                at.map(|i| (&one[i], &other[i]))
            );
        };
        same(walk(1, u32::MAX), "trees read on a second thread");
        same(walk(usize::MAX, 0), "pack held whole, read ahead");
        same(walk(1, 0), "both");
    }
}
