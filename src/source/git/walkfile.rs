//! The walk file (`scan --walk-cache FILE`): a [`History`] written once and read by the
//! shards of one history, so that N shards share one commit and tree walk.
//!
//! A shard of a history scans only the blobs of its object id range, but it needs the whole
//! walk (every blob's first commit and path, its other paths) to attribute what it finds. On
//! git.git the walk is about 40% of an unsharded scan: every shard repeating it made two
//! shards cost 1.4 times one run. With the walk written to a file by a first job (or by the
//! first shard), each shard reads it in a fraction of a second.
//!
//! The file is valid for one walk input: the key ([`WalkKey`]) is every ref with its object
//! id as read before the walk (or the range's tip), the hidden commits (`--since`, the range's
//! base), the shallow boundary and the object id kind. Objects are named by their ids, so the
//! same inputs give the same walk: a file whose key differs is stale, and is walked again.
//!
//! Format (integers little-endian), version [`VERSION`]:
//!
//! ```text
//! header (28 bytes): magic "LSWALK\r\n", u32 version, u8 id length, 3 zero bytes,
//!                    u32 CRC-32 of the body, u64 body length
//! body:   key        u32 length, bytes
//!         counts     u64 commit count
//!         commits    u32 n, n ids (parents-first)
//!         paths      u32 n, n x (u32 length, bytes)
//!         blobs      u32 n, n x (id, u32 commit, u32 path, u32 other paths)
//!         others     u32 n, n x (u32 blob index, u32 commit, u32 path)
//!         seeded     u32 n, n x (id, u32 commit, u32 path)
//!         known      u32 n, n ids (blobs the other side already has)
//!         bases      u32 n, n ids
//!         skips      u32 n, n x (u32 length, path, u8 reason, u32 length, detail, u8 allowed)
//! ```
//!
//! It holds object ids and paths, never content. A file that is not one (other magic, other
//! version, wrong length or checksum, an index out of range) is refused with a reason; every
//! length is checked against the bytes left before anything is allocated.

use std::io::Write;
use std::path::Path;

use gix::bstr::BString;
use gix::ObjectId;

use super::history::{HistBlob, History, OtherPlace, Place, Selection, NO_COMMIT, SEEDED};
use super::{GitError, Repo};
use crate::error::{Skip, SkipReason};

/// The first bytes of a walk file (`\r\n` catches a file mangled as text).
const MAGIC: &[u8; 8] = b"LSWALK\r\n";
/// The format version: a file of another version is walked again and rewritten.
pub const VERSION: u32 = 1;
const HEADER: usize = 28;

/// How `scan --walk-cache FILE` got the walk (see [`Repo::history_cached`]).
#[derive(Debug)]
pub enum WalkCache {
    /// Read from the file, of this many bytes.
    Read {
        /// The file's size.
        bytes: u64,
    },
    /// Walked and written to the file (`bytes` long); `unused` says why the file was not read
    /// (it did not exist, was stale or damaged).
    Written {
        /// The file's new size.
        bytes: u64,
        /// Why the file there was not read.
        unused: WalkFileError,
    },
    /// Walked, and the file could not be written.
    NotWritten {
        /// Why the file there was not read.
        unused: WalkFileError,
        /// Why it could not be written.
        error: std::io::Error,
    },
}

impl Repo {
    /// [`Repo::history`] through a walk file: read from `file` when it was written for the
    /// same walk inputs (see the module documentation), and then not written again; else walked
    /// and written there. `--all-objects`' unreachable blobs are listed afresh either way
    /// (they are not in the file), and the shard is the selection's.
    pub fn history_cached(
        &self,
        sel: &Selection,
        file: &std::path::Path,
    ) -> Result<(History, WalkCache), GitError> {
        let inputs = self.walk_inputs(sel)?;
        let hash = self.repo.object_hash();
        let key = WalkKey::new(inputs.range, &inputs.named, &inputs.hidden, &self.shallow);
        let (mut h, how) = match read(file, &key, hash) {
            Ok((h, bytes)) => {
                // What the walk would have done before reading the blobs (see `packs`).
                let direct =
                    inputs.hidden.is_empty() && self.shallow.is_empty() && !self.has_replacements();
                drop(self.packs(direct));
                (h, WalkCache::Read { bytes })
            }
            Err(unused) => {
                let h = self.walk(inputs);
                let how = match write(file, &key, &h, hash) {
                    Ok(bytes) => WalkCache::Written { bytes, unused },
                    Err(error) => WalkCache::NotWritten { unused, error },
                };
                (h, how)
            }
        };
        self.complete(&mut h, sel);
        Ok((h, how))
    }
}

/// What a walk depends on, as bytes (see the module documentation).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WalkKey(Vec<u8>);

impl WalkKey {
    /// The key of a walk from `named` tips (names and ids, before peeling), with `hidden`
    /// commits, a `shallow` boundary, for a range (`true`) or every ref.
    fn new(
        range: bool,
        named: &[(String, ObjectId)],
        hidden: &[ObjectId],
        shallow: &[ObjectId],
    ) -> WalkKey {
        let mut k = Vec::new();
        k.push(u8::from(range));
        for list in [hidden, shallow] {
            put_u32(&mut k, list.len() as u32);
            for id in list {
                put_id(&mut k, id);
            }
        }
        put_u32(&mut k, named.len() as u32);
        for (name, id) in named {
            put_bytes(&mut k, name.as_bytes());
            put_id(&mut k, id);
        }
        WalkKey(k)
    }
}

/// Why a walk file was not used.
#[derive(Debug, thiserror::Error)]
pub enum WalkFileError {
    /// It does not exist.
    #[error("does not exist")]
    Missing,
    /// It could not be read.
    #[error("cannot be read: {0}")]
    Io(#[from] std::io::Error),
    /// It is not a walk file of this version, or it is damaged.
    #[error("{0}")]
    Invalid(String),
    /// It was written for other tips (new commits, other refs, another repository).
    #[error("written for other tips or another selection")]
    Stale,
}

fn invalid(what: impl Into<String>) -> WalkFileError {
    WalkFileError::Invalid(what.into())
}

/// The walk file at `path` for `key`, and its size in bytes.
pub fn read(
    path: &Path,
    key: &WalkKey,
    hash: gix::hash::Kind,
) -> Result<(History, u64), WalkFileError> {
    use std::io::Read;
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(WalkFileError::Missing),
        Err(e) => return Err(e.into()),
    };
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(invalid("not a regular file"));
    }
    let size = meta.len();
    let mut head = [0u8; HEADER];
    if size < HEADER as u64 || file.read_exact(&mut head).is_err() {
        return Err(invalid("not a leakscan walk file (too short)"));
    }
    if &head[..8] != MAGIC {
        return Err(invalid("not a leakscan walk file"));
    }
    let version = u32::from_le_bytes([head[8], head[9], head[10], head[11]]);
    if version != VERSION {
        return Err(invalid(format!(
            "walk file version {version}, this leakscan reads version {VERSION}"
        )));
    }
    if head[13..16] != [0; 3] {
        return Err(invalid("not a leakscan walk file (reserved bytes set)"));
    }
    if usize::from(head[12]) != hash.len_in_bytes() {
        return Err(WalkFileError::Stale);
    }
    let crc = u32::from_le_bytes([head[16], head[17], head[18], head[19]]);
    let mut len = [0u8; 8];
    len.copy_from_slice(&head[20..28]);
    let len = u64::from_le_bytes(len);
    if len != size - HEADER as u64 {
        return Err(invalid(format!(
            "truncated or extended: {size} bytes, the header says {}",
            len.saturating_add(HEADER as u64)
        )));
    }
    let mut body = Vec::new();
    // As long as the file, checked above.
    file.take(len).read_to_end(&mut body)?;
    if body.len() as u64 != len {
        return Err(invalid("truncated while reading"));
    }
    if crc32fast::hash(&body) != crc {
        return Err(invalid("damaged: checksum mismatch"));
    }
    let h = decode(&body, key, hash.len_in_bytes())?;
    Ok((h, size))
}

/// Writes the walk `h` for `key` to `path`: to a temporary file beside it, renamed over it,
/// so that a reader never sees half a file. Returns the size written.
pub fn write(
    path: &Path,
    key: &WalkKey,
    h: &History,
    hash: gix::hash::Kind,
) -> std::io::Result<u64> {
    let body = encode(key, h)?;
    let len = body.len() as u64;
    let mut head = Vec::with_capacity(HEADER);
    head.extend_from_slice(MAGIC);
    head.extend_from_slice(&VERSION.to_le_bytes());
    head.push(hash.len_in_bytes() as u8);
    head.extend_from_slice(&[0; 3]);
    head.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
    head.extend_from_slice(&len.to_le_bytes());
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".leakscan-walk-")
        .tempfile_in(dir)?;
    tmp.write_all(&head)?;
    tmp.write_all(&body)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok((HEADER + body.len()) as u64)
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_id(out: &mut Vec<u8>, id: &ObjectId) {
    out.extend_from_slice(id.as_slice());
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_u32(out, b.len() as u32);
    out.extend_from_slice(b);
}

fn count(n: usize, what: &str) -> std::io::Result<u32> {
    u32::try_from(n).map_err(|_| std::io::Error::other(format!("too many {what} for a walk file")))
}

fn reason_code(r: SkipReason) -> u8 {
    match r {
        SkipReason::Unreadable => 0,
        SkipReason::TooLarge => 1,
        SkipReason::Media => 2,
        SkipReason::Symlink => 3,
        SkipReason::CorruptObject => 4,
        SkipReason::ShallowHistory => 5,
        SkipReason::ArchiveLimit => 6,
        SkipReason::MalformedArchive => 7,
        SkipReason::Other => 8,
    }
}

fn reason_of(c: u8) -> Option<SkipReason> {
    Some(match c {
        0 => SkipReason::Unreadable,
        1 => SkipReason::TooLarge,
        2 => SkipReason::Media,
        3 => SkipReason::Symlink,
        4 => SkipReason::CorruptObject,
        5 => SkipReason::ShallowHistory,
        6 => SkipReason::ArchiveLimit,
        7 => SkipReason::MalformedArchive,
        8 => SkipReason::Other,
        _ => return None,
    })
}

/// The body of a walk file for `h`.
fn encode(key: &WalkKey, h: &History) -> std::io::Result<Vec<u8>> {
    let mut o = Vec::with_capacity(
        key.0.len() + h.commits.len() * 20 + h.blobs.len() * 32 + h.others.len() * 12,
    );
    put_u32(&mut o, count(key.0.len(), "key bytes")?);
    o.extend_from_slice(&key.0);
    o.extend_from_slice(&(h.commit_count as u64).to_le_bytes());
    put_u32(&mut o, count(h.commits.len(), "commits")?);
    for c in &h.commits {
        put_id(&mut o, c);
    }
    put_u32(&mut o, count(h.paths.len(), "paths")?);
    for p in &h.paths {
        put_u32(&mut o, count(p.len(), "path bytes")?);
        o.extend_from_slice(p);
    }
    put_u32(&mut o, count(h.blobs.len(), "blobs")?);
    for b in &h.blobs {
        put_id(&mut o, &b.id);
        put_u32(&mut o, b.first.commit);
        put_u32(&mut o, b.first.path);
        put_u32(&mut o, b.other_places);
    }
    put_u32(&mut o, count(h.others.len(), "other places")?);
    for other in &h.others {
        let i = h
            .by_id
            .get(&other.blob)
            .copied()
            .filter(|&i| i != SEEDED)
            .ok_or_else(|| std::io::Error::other("another place of a blob not in the walk"))?;
        put_u32(&mut o, i);
        put_u32(&mut o, other.place.commit);
        put_u32(&mut o, other.place.path);
    }
    put_u32(&mut o, count(h.seeded.len(), "seeded places")?);
    for s in &h.seeded {
        put_id(&mut o, &s.blob);
        put_u32(&mut o, s.place.commit);
        put_u32(&mut o, s.place.path);
    }
    let mut known: Vec<&ObjectId> = h
        .by_id
        .iter()
        .filter(|(_, &i)| i == SEEDED)
        .map(|(id, _)| id)
        .collect();
    known.sort();
    put_u32(&mut o, count(known.len(), "known blobs")?);
    for id in known {
        put_id(&mut o, id);
    }
    put_u32(&mut o, count(h.bases.len(), "bases")?);
    for b in &h.bases {
        put_id(&mut o, b);
    }
    put_u32(&mut o, count(h.skips.len(), "skips")?);
    for s in &h.skips {
        put_u32(&mut o, count(s.path.len(), "skip bytes")?);
        o.extend_from_slice(s.path.as_bytes());
        o.push(reason_code(s.reason));
        put_u32(&mut o, count(s.detail.len(), "skip bytes")?);
        o.extend_from_slice(s.detail.as_bytes());
        o.push(u8::from(s.allowed));
    }
    Ok(o)
}

/// Reads a body, every length checked against the bytes left.
struct Cursor<'a> {
    rest: &'a [u8],
    id_len: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], WalkFileError> {
        if n > self.rest.len() {
            return Err(invalid(format!("truncated in the {what}")));
        }
        let (a, b) = self.rest.split_at(n);
        self.rest = b;
        Ok(a)
    }

    fn u8(&mut self, what: &str) -> Result<u8, WalkFileError> {
        Ok(self.take(1, what)?[0])
    }

    fn u32(&mut self, what: &str) -> Result<u32, WalkFileError> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self, what: &str) -> Result<u64, WalkFileError> {
        let b = self.take(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    fn id(&mut self, what: &str) -> Result<ObjectId, WalkFileError> {
        let b = self.take(self.id_len, what)?;
        ObjectId::try_from(b).map_err(|_| invalid(format!("bad object id in the {what}")))
    }

    fn bytes(&mut self, what: &str) -> Result<&'a [u8], WalkFileError> {
        let n = self.u32(what)? as usize;
        self.take(n, what)
    }

    fn text(&mut self, what: &str) -> Result<String, WalkFileError> {
        let b = self.bytes(what)?;
        String::from_utf8(b.to_vec()).map_err(|_| invalid(format!("bad text in the {what}")))
    }

    /// A counted list of object ids.
    fn ids(&mut self, what: &str) -> Result<Vec<ObjectId>, WalkFileError> {
        let n = self.count(self.id_len, what)?;
        (0..n).map(|_| self.id(what)).collect()
    }

    /// A count of records of at least `min` bytes each: no more than the bytes left hold.
    fn count(&mut self, min: usize, what: &str) -> Result<usize, WalkFileError> {
        let n = self.u32(what)? as usize;
        if n.saturating_mul(min) > self.rest.len() {
            return Err(invalid(format!("truncated in the {what}")));
        }
        Ok(n)
    }
}

/// The walk of a body written for `key`.
fn decode(body: &[u8], key: &WalkKey, id_len: usize) -> Result<History, WalkFileError> {
    let mut c = Cursor { rest: body, id_len };
    if c.bytes("key")? != key.0.as_slice() {
        return Err(WalkFileError::Stale);
    }
    let commit_count = usize::try_from(c.u64("commit count")?)
        .map_err(|_| invalid("commit count out of range"))?;
    let commits = c.ids("commits")?;
    let n = c.count(4, "paths")?;
    let mut paths = Vec::with_capacity(n);
    for _ in 0..n {
        paths.push(BString::from(c.bytes("paths")?));
    }
    let place = |commit: u32, path: u32, what: &str| -> Result<Place, WalkFileError> {
        if ((commit as usize) < commits.len() || commit == NO_COMMIT)
            && (path as usize) < paths.len()
        {
            return Ok(Place { commit, path });
        }
        Err(invalid(format!("index out of range in the {what}")))
    };
    let mut by_id = gix::hashtable::HashMap::default();
    let n = c.count(id_len + 12, "blobs")?;
    let mut blobs = Vec::with_capacity(n);
    by_id.reserve(n);
    for i in 0..n {
        let id = c.id("blobs")?;
        let first = place(c.u32("blobs")?, c.u32("blobs")?, "blobs")?;
        let other_places = c.u32("blobs")?;
        if by_id.insert(id, i as u32).is_some() {
            return Err(invalid("a blob listed twice"));
        }
        blobs.push(HistBlob {
            id,
            first,
            other_places,
        });
    }
    let n = c.count(12, "other places")?;
    let mut others = Vec::with_capacity(n);
    for _ in 0..n {
        let i = c.u32("other places")? as usize;
        let blob = blobs
            .get(i)
            .ok_or_else(|| invalid("index out of range in the other places"))?
            .id;
        let p = place(
            c.u32("other places")?,
            c.u32("other places")?,
            "other places",
        )?;
        others.push(OtherPlace { blob, place: p });
    }
    let n = c.count(id_len + 8, "seeded places")?;
    let mut seeded = Vec::with_capacity(n);
    for _ in 0..n {
        let blob = c.id("seeded places")?;
        let p = place(
            c.u32("seeded places")?,
            c.u32("seeded places")?,
            "seeded places",
        )?;
        seeded.push(OtherPlace { blob, place: p });
    }
    let n = c.count(id_len, "known blobs")?;
    by_id.reserve(n);
    for _ in 0..n {
        if by_id.insert(c.id("known blobs")?, SEEDED).is_some() {
            return Err(invalid("a known blob listed twice"));
        }
    }
    let bases = c.ids("bases")?;
    let n = c.count(10, "skips")?;
    let mut skips = Vec::with_capacity(n);
    for _ in 0..n {
        let path = c.text("skips")?;
        let reason = reason_of(c.u8("skips")?).ok_or_else(|| invalid("unknown skip reason"))?;
        let detail = c.text("skips")?;
        let allowed = match c.u8("skips")? {
            0 => false,
            1 => true,
            _ => return Err(invalid("bad flag in the skips")),
        };
        skips.push(Skip {
            path,
            reason,
            detail,
            allowed,
        });
    }
    if !c.rest.is_empty() {
        return Err(invalid("bytes after the end"));
    }
    Ok(History {
        blobs,
        others,
        by_id,
        commits,
        paths,
        skips,
        commit_count,
        staged: false,
        bases,
        seeded,
        shard: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> ObjectId {
        ObjectId::from_bytes_or_panic(&[n; 20])
    }

    /// A small walk with every part filled: commits, paths, blobs with other places, seeded
    /// places, known blobs, bases and skips.
    fn sample() -> History {
        let mut h = History {
            commits: vec![id(1), id(2), id(3)],
            paths: vec!["a.txt".into(), "dir/b.txt".into(), "t:x".into()],
            commit_count: 3,
            bases: vec![id(9)],
            ..History::default()
        };
        for (i, (blob, commit, path)) in [(10, 0, 0), (11, 1, 1), (12, NO_COMMIT, 2)]
            .into_iter()
            .enumerate()
        {
            h.by_id.insert(id(blob), i as u32);
            h.blobs.push(HistBlob {
                id: id(blob),
                first: Place { commit, path },
                other_places: u32::from(blob == 10),
            });
        }
        h.others.push(OtherPlace {
            blob: id(10),
            place: Place { commit: 2, path: 1 },
        });
        h.by_id.insert(id(20), SEEDED);
        h.by_id.insert(id(21), SEEDED);
        h.seeded.push(OtherPlace {
            blob: id(20),
            place: Place { commit: 1, path: 0 },
        });
        h.skips.push(Skip::new(
            "tree 0101",
            SkipReason::CorruptObject,
            "zlib: bad header",
        ));
        h
    }

    /// Everything a walk file carries, by value.
    fn fields(h: &History) -> String {
        let mut known: Vec<_> = h.by_id.iter().map(|(k, v)| (*k, *v)).collect();
        known.sort();
        format!(
            "{:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {}",
            h.commits,
            h.paths,
            h.blobs,
            h.others,
            h.seeded,
            known,
            h.bases,
            h.skips,
            h.commit_count
        )
    }

    fn key() -> WalkKey {
        WalkKey::new(
            false,
            &[("refs/heads/main".into(), id(3)), ("HEAD".into(), id(3))],
            &[],
            &[],
        )
    }

    const SHA1: gix::hash::Kind = gix::hash::Kind::Sha1;

    #[test]
    fn a_walk_reads_back_as_written() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("walk");
        let h = sample();
        let size = write(&path, &key(), &h, SHA1).expect("writes");
        assert_eq!(std::fs::metadata(&path).expect("file").len(), size);
        let (back, read_size) = read(&path, &key(), SHA1).expect("reads");
        assert_eq!(read_size, size);
        assert_eq!(fields(&back), fields(&h));
        // Nothing but the file is left in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);
        // Another key (a new commit on main), another id kind: stale, not damaged.
        let other = WalkKey::new(false, &[("refs/heads/main".into(), id(4))], &[], &[]);
        assert!(matches!(
            read(&path, &other, SHA1),
            Err(WalkFileError::Stale)
        ));
        let ranged = WalkKey::new(true, &[("refs/heads/main".into(), id(3))], &[], &[]);
        assert!(matches!(
            read(&path, &ranged, SHA1),
            Err(WalkFileError::Stale)
        ));
        // A file of a SHA-256 repository (32-byte ids) is not this one's.
        let mut sha256 = std::fs::read(&path).expect("read");
        sha256[12] = 32;
        let other_kind = dir.path().join("sha256");
        std::fs::write(&other_kind, sha256).expect("write");
        assert!(matches!(
            read(&other_kind, &key(), SHA1),
            Err(WalkFileError::Stale)
        ));
        std::fs::remove_file(&other_kind).expect("remove");
        assert!(matches!(
            read(&dir.path().join("none"), &key(), SHA1),
            Err(WalkFileError::Missing)
        ));
    }

    /// Every truncation, every flipped byte, foreign files: refused with a reason.
    #[test]
    fn damaged_files_are_refused() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("walk");
        write(&path, &key(), &sample(), SHA1).expect("writes");
        let good = std::fs::read(&path).expect("read");
        let bad = dir.path().join("bad");
        let refused = |bytes: &[u8]| {
            std::fs::write(&bad, bytes).expect("write");
            match read(&bad, &key(), SHA1) {
                Err(WalkFileError::Invalid(_) | WalkFileError::Stale) => {}
                other => panic!("accepted a damaged file: {:?}", other.map(|(_, n)| n)),
            }
        };
        for n in 0..good.len() {
            refused(&good[..n]);
        }
        for i in 0..good.len() {
            let mut b = good.clone();
            b[i] ^= 0x40;
            refused(&b);
        }
        let mut longer = good.clone();
        longer.push(0);
        refused(&longer);
        refused(b"");
        refused(b"{\"findings\": []}\n");
        refused(&[0u8; 4096]);
    }

    /// A body whose checksum is right but whose counts and indices lie (a file written by
    /// something else): refused without allocating what the counts claim.
    #[test]
    fn lying_bodies_are_refused_not_allocated() {
        let body = encode(&key(), &sample()).expect("encodes");
        let decodes = |b: &[u8]| decode(b, &key(), 20).map(|h| fields(&h));
        assert_eq!(decodes(&body).ok(), Some(fields(&sample())));
        // Each u32 of the body in turn set to a huge count or an index past the end.
        for at in 0..body.len().saturating_sub(4) {
            for v in [u32::MAX, u32::MAX - 1, 0x7fff_ffff, 3, 200] {
                let mut b = body.clone();
                b[at..at + 4].copy_from_slice(&v.to_le_bytes());
                let _ = decodes(&b);
            }
        }
        // Bytes after the end, a body cut short.
        let mut b = body.clone();
        b.push(1);
        assert!(decodes(&b).is_err());
        assert!(decodes(&body[..body.len() - 1]).is_err());
    }
}
