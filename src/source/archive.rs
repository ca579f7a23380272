//! Archives opened in memory: tar, gzip (tar.gz, tgz, plain .gz), zip (jar, war, ear, whl, apk,
//! nupkg, vsix, office files). Members are streamed to a visitor one at a time and never
//! written to disk; nesting is the scanner's business (a member that is an archive is opened
//! again, one level deeper).
//!
//! Everything is bounded, per outermost archive, by a shared [`Budget`]: bytes decompressed,
//! members, compression ratio (bombs), and by the nesting depth the scanner tracks. A budget
//! that runs out, a truncated or malformed archive, an encrypted or unsupported member become
//! [`Skip`] records; what was read before is still scanned. Member names are shown as the
//! archive writes them (`pkg.tgz!package/cli.js`); names that would escape an extraction
//! folder (`../x`, `/etc/x`) are harmless here since nothing is extracted, and are noted as
//! allowed skips so a reader sees the trick.

use std::cell::{Cell, RefCell};
use std::io::{self, Cursor, Read, Seek};

use crate::error::{Skip, SkipReason};
use crate::source::Origin;

/// The kind of container, from its name and first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A tar archive.
    Tar,
    /// A gzip stream: a tar inside (tar.gz, tgz) or one compressed file.
    Gzip,
    /// A zip archive (jar, war, whl, ...).
    Zip,
}

/// Decides whether a buffer named `name` and starting with `head` is an archive. Magic bytes
/// decide; the name is needed only for old tar files without the `ustar` magic.
pub fn detect(name: &str, head: &[u8]) -> Option<Kind> {
    if head.starts_with(b"\x1f\x8b\x08") {
        return Some(Kind::Gzip);
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Some(Kind::Zip);
    }
    if is_tar(head)
        || (name.to_ascii_lowercase().ends_with(".tar")
            && head.len() >= 512
            && tar_checksum_ok(head))
    {
        return Some(Kind::Tar);
    }
    None
}

fn is_tar(head: &[u8]) -> bool {
    head.len() >= 263 && &head[257..262] == b"ustar"
}

/// The checksum of a v7 tar header (no magic): the byte sum with the checksum field as spaces.
fn tar_checksum_ok(h: &[u8]) -> bool {
    let field = String::from_utf8_lossy(&h[148..156]);
    let Ok(want) = u32::from_str_radix(field.trim_matches(|c: char| c == '\0' || c == ' '), 8)
    else {
        return false;
    };
    let sum: u32 = h[..512]
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                b as u32
            }
        })
        .sum();
    sum == want
}

/// Limits on what one outermost archive may cost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Archives inside archives deeper than this are not opened; 0 opens no archive.
    pub max_depth: usize,
    /// Bytes decompressed in total, all nesting levels together.
    pub max_total: u64,
    /// Members in total.
    pub max_members: u64,
    /// Bytes out per byte in, past `ratio_floor`.
    pub max_ratio: u64,
    /// Output below this size is never a bomb, whatever the ratio (small, repetitive files
    /// compress a thousandfold).
    pub ratio_floor: u64,
    /// Members up to this size are read whole (and opened if archives); larger ones are
    /// scanned as text streams in chunks.
    pub member_in_memory: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_depth: 5,
            max_total: 1 << 30,
            max_members: 200_000,
            max_ratio: 100,
            ratio_floor: 64 << 20,
            member_in_memory: 64 << 20,
        }
    }
}

/// The running cost of one outermost archive.
#[derive(Debug)]
pub struct Budget {
    limits: Limits,
    compressed: u64,
    total: Cell<u64>,
    members: Cell<u64>,
    exhausted: RefCell<Option<String>>,
}

impl Budget {
    /// A fresh budget for an archive of `compressed` bytes.
    pub fn new(limits: Limits, compressed: u64) -> Budget {
        Budget {
            limits,
            compressed,
            total: Cell::new(0),
            members: Cell::new(0),
            exhausted: RefCell::new(None),
        }
    }

    /// The limits.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Why the budget ran out, if it did.
    pub fn exhausted(&self) -> Option<String> {
        self.exhausted.borrow().clone()
    }

    fn fail(&self, why: String) -> io::Error {
        self.exhausted.borrow_mut().get_or_insert(why.clone());
        io::Error::other(why)
    }

    fn add_bytes(&self, n: u64) -> io::Result<()> {
        let t = self.total.get() + n;
        self.total.set(t);
        if t > self.limits.max_total {
            return Err(self.fail(format!(
                "more than {} bytes decompressed (--max-archive-size)",
                self.limits.max_total
            )));
        }
        let ratio_cap = self
            .compressed
            .saturating_mul(self.limits.max_ratio)
            .max(self.limits.ratio_floor);
        if t > ratio_cap {
            return Err(self.fail(format!(
                "decompresses to more than {}x its size (archive bomb?)",
                self.limits.max_ratio
            )));
        }
        Ok(())
    }

    fn add_member(&self) -> io::Result<()> {
        let m = self.members.get() + 1;
        self.members.set(m);
        if m > self.limits.max_members {
            return Err(self.fail(format!("more than {} members", self.limits.max_members)));
        }
        Ok(())
    }
}

/// A reader that charges every byte to the budget.
struct Counted<'b, R> {
    inner: R,
    budget: &'b Budget,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.budget.exhausted.borrow().is_some() {
            return Err(io::Error::other("archive budget exhausted"));
        }
        let n = self.inner.read(buf)?;
        self.budget.add_bytes(n as u64)?;
        Ok(n)
    }
}

/// A member's content.
pub enum Member<'a> {
    /// Read whole (at most [`Limits::member_in_memory`] bytes).
    Bytes(Vec<u8>),
    /// Too large to hold: the first bytes, then the rest of the stream.
    Stream(&'a mut dyn Read),
}

/// Receives each member with its origin.
pub type Visit<'v> = dyn FnMut(&Origin, Member<'_>, &mut Vec<Skip>) + 'v;

/// Opens the archive `data` of `kind` at `origin` and hands each member to `visit`. Returns
/// what could not be read.
pub fn expand_bytes(
    origin: &Origin,
    kind: Kind,
    data: &[u8],
    budget: &Budget,
    visit: &mut Visit<'_>,
) -> Vec<Skip> {
    let mut skips = Vec::new();
    let res = match kind {
        Kind::Tar => tar_members(origin, data, budget, visit, &mut skips),
        Kind::Gzip => gzip_members(origin, data, budget, visit, &mut skips),
        Kind::Zip => match zip_members(origin, Cursor::new(data), budget, visit, &mut skips) {
            Err(ZipFailure::Open(e)) => {
                // No central directory (a truncated download): read the local headers in order.
                skips.push(Skip::new(
                    origin.display_path(),
                    SkipReason::MalformedArchive,
                    format!("zip: {e}; members read in stream order"),
                ));
                zip_stream_members(origin, data, budget, visit, &mut skips)
            }
            other => other.map_err(io::Error::from),
        },
    };
    finish(origin, res, budget, &mut skips);
    skips
}

/// [`expand_bytes`] for an archive read from a seekable stream (a large file).
pub fn expand_reader<R: Read + Seek>(
    origin: &Origin,
    kind: Kind,
    mut reader: R,
    budget: &Budget,
    visit: &mut Visit<'_>,
) -> Vec<Skip> {
    let mut skips = Vec::new();
    let res = match kind {
        Kind::Tar => tar_members(origin, &mut reader, budget, visit, &mut skips),
        Kind::Gzip => gzip_members(origin, &mut reader, budget, visit, &mut skips),
        Kind::Zip => {
            zip_members(origin, &mut reader, budget, visit, &mut skips).map_err(io::Error::from)
        }
    };
    finish(origin, res, budget, &mut skips);
    skips
}

/// A seekable stream an archive is read from.
pub trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

/// Where an archive's bytes are.
pub enum Input<'a> {
    /// In memory.
    Bytes(&'a [u8]),
    /// In a large file, read as a stream.
    Reader(Box<dyn ReadSeek + 'a>),
}

/// The members of an archive as a nested [`Source`](crate::source::input::Source): each member a
/// blob whose origin is the archive's one layer deeper, handed out in archive order (an
/// archive is a stream, so never in parallel), within `budget`.
pub struct Members<'a> {
    origin: &'a Origin,
    kind: Kind,
    input: std::sync::Mutex<Option<Input<'a>>>,
    budget: &'a Budget,
    skips: std::sync::Mutex<Vec<Skip>>,
}

impl<'a> Members<'a> {
    /// The members of the archive of `kind` at `origin`, read from `input`.
    pub fn new(origin: &'a Origin, kind: Kind, input: Input<'a>, budget: &'a Budget) -> Self {
        Members {
            origin,
            kind,
            input: std::sync::Mutex::new(Some(input)),
            budget,
            skips: std::sync::Mutex::new(Vec::new()),
        }
    }
}

impl crate::source::input::Source for Members<'_> {
    fn progress(&self, _shown: bool) -> crate::progress::Progress {
        crate::progress::Progress::hidden()
    }

    fn skips(&self) -> Vec<Skip> {
        std::mem::take(&mut *self.skips.lock().unwrap_or_else(|p| p.into_inner()))
    }

    fn fold<A, S, I, F, M>(&self, init: I, f: F, _merge: M) -> A
    where
        A: Send,
        S: Send + Sync,
        I: Fn() -> A + Sync + Send,
        F: Fn(&mut A, crate::source::input::Blob<'_, S>) -> Option<S> + Sync + Send,
        M: Fn(A, A) -> A + Sync + Send,
    {
        let mut acc = init();
        self.for_each(|blob| {
            f(&mut acc, blob);
        });
        acc
    }
}

impl Members<'_> {
    /// Hands each member to `f` in archive order, once: a second call hands out nothing.
    /// What could not be read is in [`Source::skips`](crate::source::input::Source::skips) after.
    pub fn for_each<S>(&self, mut f: impl FnMut(crate::source::input::Blob<'_, S>)) {
        use crate::source::input::{Blob, Content};
        let input = self.input.lock().unwrap_or_else(|p| p.into_inner()).take();
        let mut visit = |o: &Origin, m: Member<'_>, _: &mut Vec<Skip>| {
            let content = match m {
                Member::Bytes(ref b) => Content::Bytes(b),
                Member::Stream(r) => Content::Stream(r),
            };
            f(Blob::plain(o, content));
        };
        let skips = match input {
            Some(Input::Bytes(data)) => {
                expand_bytes(self.origin, self.kind, data, self.budget, &mut visit)
            }
            Some(Input::Reader(r)) => {
                expand_reader(self.origin, self.kind, r, self.budget, &mut visit)
            }
            None => Vec::new(),
        };
        self.skips
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(skips);
    }
}

fn finish(origin: &Origin, res: io::Result<()>, budget: &Budget, skips: &mut Vec<Skip>) {
    let path = origin.display_path();
    if let Some(why) = budget.exhausted() {
        if !skips
            .iter()
            .any(|s| s.reason == SkipReason::ArchiveLimit && s.path == path)
        {
            skips.push(Skip::new(
                path,
                SkipReason::ArchiveLimit,
                format!("{why}; the rest is not scanned"),
            ));
        }
    } else if let Err(e) = res {
        skips.push(Skip::new(
            path,
            SkipReason::MalformedArchive,
            format!("{e}; the rest is not scanned"),
        ));
    }
}

/// A member name for display: lossy UTF-8 with control characters escaped.
fn member_name(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw)
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// Notes a name that would escape an extraction folder; the member is scanned anyway.
fn check_name(origin: &Origin, name: &str, skips: &mut Vec<Skip>) {
    let escapes = name.starts_with('/')
        || name.starts_with('\\')
        || name.split(['/', '\\']).any(|c| c == "..")
        || name.get(1..3) == Some(":\\");
    if escapes {
        let mut s = Skip::new(
            origin.member(name).display_path(),
            SkipReason::MalformedArchive,
            "member name escapes the archive root (path trick); scanned, never extracted",
        );
        s.allowed = true;
        skips.push(s);
    }
}

/// Reads a member: whole when small, else as a stream of the first bytes then the rest.
fn deliver(
    budget: &Budget,
    origin: &Origin,
    name: &str,
    mut r: impl Read,
    declared: Option<u64>,
    visit: &mut Visit<'_>,
    skips: &mut Vec<Skip>,
) -> io::Result<()> {
    let member = origin.member(name);
    let mut buf = Vec::with_capacity(declared.unwrap_or(0).min(1 << 20) as usize);
    (&mut r)
        .take(budget.limits.member_in_memory as u64 + 1)
        .read_to_end(&mut buf)?;
    if buf.len() <= budget.limits.member_in_memory {
        if let Some(d) = declared {
            if (buf.len() as u64) < d {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!(
                        "{}: truncated ({} of {d} bytes)",
                        member.display_path(),
                        buf.len()
                    ),
                ));
            }
        }
        visit(&member, Member::Bytes(buf), skips);
        return Ok(());
    }
    let mut chained = Cursor::new(buf).chain(r);
    visit(&member, Member::Stream(&mut chained), skips);
    Ok(())
}

fn tar_members(
    origin: &Origin,
    r: impl Read,
    budget: &Budget,
    visit: &mut Visit<'_>,
    skips: &mut Vec<Skip>,
) -> io::Result<()> {
    let mut archive = tar::Archive::new(r);
    for entry in archive.entries()? {
        let entry = entry?;
        let et = entry.header().entry_type();
        if !(et.is_file() || et == tar::EntryType::Continuous) {
            continue;
        }
        budget.add_member()?;
        let name = member_name(&entry.path_bytes());
        check_name(origin, &name, skips);
        let size = entry.size();
        deliver(
            budget,
            origin,
            &name,
            Counted {
                inner: entry,
                budget,
            },
            Some(size),
            visit,
            skips,
        )?;
    }
    Ok(())
}

/// The name of the file inside `x.gz`: `x`; `x.tgz` holds `x.tar`.
fn gunzipped_name(outer: &str) -> String {
    let base = outer.rsplit(['/', '!']).next().unwrap_or(outer);
    let lower = base.to_ascii_lowercase();
    if lower.ends_with(".tgz") {
        format!("{}.tar", &base[..base.len() - 4])
    } else if lower.ends_with(".gz") {
        base[..base.len() - 3].to_string()
    } else {
        format!("{base}.ungz")
    }
}

fn gzip_members(
    origin: &Origin,
    r: impl Read,
    budget: &Budget,
    visit: &mut Visit<'_>,
    skips: &mut Vec<Skip>,
) -> io::Result<()> {
    let mut dec = Counted {
        inner: flate2::read::MultiGzDecoder::new(r),
        budget,
    };
    let mut head = Vec::with_capacity(512);
    (&mut dec).take(512).read_to_end(&mut head)?;
    let stream = Cursor::new(head.clone()).chain(dec);
    if is_tar(&head) {
        // One level, as people name them: `pkg.tgz!package/cli.js`.
        return tar_members(origin, stream, budget, visit, skips);
    }
    budget.add_member()?;
    let name = gunzipped_name(origin.rule_path());
    deliver(budget, origin, &name, stream, None, visit, skips)
}

fn zip_members<R: Read + Seek>(
    origin: &Origin,
    r: R,
    budget: &Budget,
    visit: &mut Visit<'_>,
    skips: &mut Vec<Skip>,
) -> Result<(), ZipFailure> {
    let mut zip = zip::ZipArchive::new(r).map_err(ZipFailure::Open)?;
    for i in 0..zip.len() {
        budget.add_member().map_err(ZipFailure::Io)?;
        let name = zip
            .name_for_index(i)
            .and_then(Result::ok)
            .map(|n| member_name(n.as_bytes()))
            .unwrap_or_else(|| format!("#{i}"));
        let file = match zip.by_index(i) {
            Ok(f) => f,
            Err(e) => {
                skips.push(Skip::new(
                    origin.member(name).display_path(),
                    zip_skip_reason(&e),
                    format!("zip member: {e}"),
                ));
                continue;
            }
        };
        if !file.is_file() {
            continue;
        }
        check_name(origin, &name, skips);
        let size = file.size();
        deliver(
            budget,
            origin,
            &name,
            Counted {
                inner: file,
                budget,
            },
            Some(size),
            visit,
            skips,
        )
        .map_err(ZipFailure::Io)?;
    }
    Ok(())
}

/// Local headers in stream order, for a zip without a readable central directory.
fn zip_stream_members(
    origin: &Origin,
    data: &[u8],
    budget: &Budget,
    visit: &mut Visit<'_>,
    skips: &mut Vec<Skip>,
) -> io::Result<()> {
    let mut r = Cursor::new(data);
    loop {
        let file = match zip::read::read_zipfile_from_stream(&mut r) {
            Ok(Some(f)) => f,
            Ok(None) => return Ok(()),
            Err(e) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("zip: {e}"),
                ))
            }
        };
        budget.add_member()?;
        if !file.is_file() {
            continue;
        }
        let name = member_name(file.name_raw());
        check_name(origin, &name, skips);
        deliver(
            budget,
            origin,
            &name,
            Counted {
                inner: file,
                budget,
            },
            None,
            visit,
            skips,
        )?;
    }
}

fn zip_skip_reason(e: &zip::result::ZipError) -> SkipReason {
    match e {
        zip::result::ZipError::UnsupportedArchive(_) => SkipReason::Other,
        _ => SkipReason::MalformedArchive,
    }
}

#[derive(Debug)]
enum ZipFailure {
    Open(zip::result::ZipError),
    Io(io::Error),
}

impl std::fmt::Display for ZipFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ZipFailure::Open(e) => write!(f, "{e}"),
            ZipFailure::Io(e) => write!(f, "{e}"),
        }
    }
}

impl From<ZipFailure> for io::Error {
    fn from(z: ZipFailure) -> io::Error {
        match z {
            ZipFailure::Io(e) => e,
            ZipFailure::Open(e) => io::Error::new(io::ErrorKind::InvalidData, format!("zip: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(gunzipped_name("dist/pkg-1.4.2.tgz"), "pkg-1.4.2.tar");
        assert_eq!(gunzipped_name("a.tgz!db/dump.sql.gz"), "dump.sql");
        assert_eq!(gunzipped_name("blob"), "blob.ungz");
    }

    #[test]
    fn detection() {
        assert_eq!(detect("x", b"\x1f\x8b\x08\x00"), Some(Kind::Gzip));
        assert_eq!(detect("x.jar", b"PK\x03\x04rest"), Some(Kind::Zip));
        assert_eq!(detect("x.tar", b"not a tar"), None);
        assert_eq!(detect("x.txt", b"hello"), None);
    }
}
