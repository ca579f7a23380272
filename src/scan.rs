//! The scanner: runs the matcher over a buffer (or a large file in overlapping chunks) and turns
//! candidates into findings. Sources call it; it never walks folders or reads git.
//!
//! Derived buffers (archive members, decoded spans, source-map sources) are scanned through the
//! same [`Scanner::scan_bytes`] with a deeper origin.

use std::io::{Read, Seek, SeekFrom};
use std::sync::Arc;

use crate::delta::Copied;
use crate::error::{Skip, SkipReason};
use crate::finding::{Base, Builder, Finding};
use crate::gitleaksignore::GitleaksIgnore;
use crate::matcher::{Candidate, Hits, MatchMemo, Matcher, MemoUse, Place, Profile};
use crate::rules::{Confidence, RuleSet};
use crate::source::archive::{self, Budget, Input, Limits, Members};
use crate::source::decode::SpanMemo;
use crate::source::input::{Blob, Content, Source};
use crate::source::{classify, decode, ContentKind, Origin};

/// How large inputs are read: whole up to a size, past it in overlapping chunks. Fields (not
/// constants) so that tests can shrink them and cross every border with small inputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChunkLimits {
    /// Files up to this size are read and scanned whole; larger ones in chunks.
    pub whole: u64,
    /// Bytes a chunk hands over to the next: candidates whose secret starts in them are its.
    pub chunk: usize,
    /// Bytes read past a chunk's end, so that a match shorter than this that crosses the
    /// border is seen whole by the chunk it starts in.
    pub overlap: usize,
    /// Bytes kept before a chunk's first byte, so that look-behind (`\b`), the keyword and
    /// line windows, allow-line checks and snippets see what a whole-buffer scan sees. At least
    /// the snippet reach and the prefilter's window cap.
    pub context: usize,
}

impl Default for ChunkLimits {
    fn default() -> ChunkLimits {
        ChunkLimits {
            whole: 64 << 20,
            chunk: 16 << 20,
            overlap: 256 << 10,
            context: 64 << 10,
        }
    }
}

/// Options that change what the scanner keeps.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    /// Keep dropped candidates, with their reason.
    pub explain: bool,
    /// Findings below this confidence are not reported.
    pub min_confidence: Confidence,
    /// Archive budgets; `max_depth` 0 opens no archive.
    pub archives: Limits,
    /// How many times decoded text is decoded again; 0 decodes nothing (UTF-16 and source
    /// maps are still read).
    pub max_decode_depth: usize,
    /// Paths (relative to the scan root) that are never scanned wherever a source meets them:
    /// leakscan's own configuration and marker files, in the tree and in history.
    pub never_scan: Vec<String>,
    /// Whole reads and chunk sizes.
    pub chunks: ChunkLimits,
}

impl Default for ScanOptions {
    fn default() -> ScanOptions {
        ScanOptions {
            explain: false,
            min_confidence: Confidence::Medium,
            archives: Limits::default(),
            max_decode_depth: 2,
            never_scan: Vec::new(),
            chunks: ChunkLimits::default(),
        }
    }
}

/// Where a buffer sits: how deep in archives and in decodings, and the budget of the
/// outermost archive it is in.
#[derive(Clone, Copy, Default)]
struct Nest<'b> {
    archive_depth: usize,
    decode_depth: usize,
    budget: Option<&'b Budget>,
    /// The keyword occurrences of the outermost buffer, when its source knows them; `None`
    /// for every buffer derived from it.
    known: Option<&'b BlobMemo<'b>>,
}

/// What the scan of one history blob derives from its bytes alone, kept for the blobs that
/// are git deltas over it: its keyword occurrences and its encoded spans.
#[derive(Debug, Default)]
pub struct Memo {
    hits: Option<Hits>,
    spans: Option<SpanMemo>,
    matches: Option<MatchMemo>,
}

/// The keyword occurrences and encoded spans of one history blob, each derived on first use
/// from its delta base's [`Memo`] (the blob is the base with some ranges copied and some bytes
/// inserted), or searched in full when there is no base or the base's was not kept.
///
/// The memo belongs to the blob's own bytes only: the scanner hands it to the scan of the
/// outermost buffer and never to a buffer derived from it (decoded, unpacked, a source-map
/// source), see `Nest::known`.
pub struct BlobMemo<'a> {
    base: Option<(&'a Memo, &'a [Copied])>,
    hits: std::cell::OnceCell<Hits>,
    spans: std::cell::OnceCell<SpanMemo>,
    /// The regex matches of the blob's scan (see [`MatchMemo`]).
    matches: std::cell::OnceCell<MatchMemo>,
}

impl<'a> BlobMemo<'a> {
    /// The memo of a blob, over its delta base's memo and copied ranges when it has a base.
    pub fn new(base: Option<(&'a Memo, &'a [Copied])>) -> BlobMemo<'a> {
        BlobMemo {
            base,
            hits: std::cell::OnceCell::new(),
            spans: std::cell::OnceCell::new(),
            matches: std::cell::OnceCell::new(),
        }
    }

    /// Candidates of the blob `buf` (its first scan fills the match memo; a further scan,
    /// under another path's rules, reads its base's memo only).
    fn scan(
        &self,
        matcher: &Matcher,
        buf: &[u8],
        profile: &Profile<'_>,
        explain: bool,
    ) -> Vec<Candidate> {
        let hits = self.hits(matcher, buf);
        let base = self
            .base
            .and_then(|(m, copied)| Some((m.matches.as_ref()?, copied)));
        let mut record = MatchMemo::default();
        let cands = matcher.scan_with_hits(
            buf,
            profile,
            explain,
            Some(hits),
            Some(MemoUse {
                base,
                record: &mut record,
            }),
        );
        let _ = self.matches.set(record);
        cands
    }

    /// The keyword occurrences of `buf`, the blob.
    fn hits(&self, matcher: &Matcher, buf: &[u8]) -> &Hits {
        self.hits.get_or_init(
            || match self.base.and_then(|(m, c)| Some((m.hits.as_ref()?, c))) {
                Some((hits, copied)) => matcher.hits_delta(buf, hits, copied),
                None => matcher.hits(buf),
            },
        )
    }

    /// The encoded spans of `buf`, the blob.
    fn spans(&self, buf: &[u8]) -> &SpanMemo {
        self.spans.get_or_init(
            || match self.base.and_then(|(m, c)| Some((m.spans.as_ref()?, c))) {
                Some((spans, copied)) => spans.delta(buf, copied),
                None => SpanMemo::new(buf, None),
            },
        )
    }

    /// Both, found now if the scan did not need them, for the blobs whose delta base `blob`
    /// is.
    pub fn into_memo(self, matcher: &Matcher, blob: &[u8]) -> Memo {
        let _ = self.hits(matcher, blob);
        let _ = self.spans(blob);
        self.searched()
    }

    /// What the scan searched for.
    pub fn searched(self) -> Memo {
        Memo {
            hits: self.hits.into_inner(),
            spans: self.spans.into_inner(),
            matches: self.matches.into_inner(),
        }
    }
}

/// Counters for the summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Files (or blobs, members) scanned.
    pub files: u64,
    /// Of `files`, the blobs of git history (not archive members inside them).
    pub blobs: u64,
    /// Bytes scanned.
    pub bytes: u64,
}

impl Stats {
    /// Counts one scanned input.
    fn count(&mut self, origin: &Origin) {
        self.files += 1;
        if origin.blob_id().is_some() && origin.members().is_empty() {
            self.blobs += 1;
        }
    }
}

/// What scanning produced.
#[derive(Debug, Default)]
pub struct Output {
    /// Reported findings.
    pub findings: Vec<Finding>,
    /// With `--explain`: candidates that a filter dropped.
    pub dropped: Vec<Finding>,
    /// Inputs not scanned.
    pub skips: Vec<Skip>,
    /// Counters.
    pub stats: Stats,
}

impl Output {
    /// Appends another output.
    pub fn merge(&mut self, other: Output) {
        self.findings.extend(other.findings);
        self.dropped.extend(other.dropped);
        self.skips.extend(other.skips);
        self.stats.files += other.stats.files;
        self.stats.blobs += other.stats.blobs;
        self.stats.bytes += other.stats.bytes;
    }

    /// Sorts everything into the deterministic report order and removes duplicates.
    pub fn finish(&mut self) {
        for list in [&mut self.findings, &mut self.dropped] {
            list.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            list.dedup_by(|a, b| a.sort_key() == b.sort_key());
        }
        self.skips.sort();
        self.skips.dedup();
    }
}

/// Sets GitHub's line hash on findings of a whole checked-out file (code scanning would compute
/// the same value from the file; see `fingerprint`).
/// Findings inside members of the file (archive entries, source-map sources) are left alone:
/// their lines are not the file's.
fn fill_line_hashes(findings: &mut [Finding], file: &[u8]) {
    let lines: Vec<usize> = findings
        .iter()
        .filter(|f| !f.origin.in_member())
        .map(|f| f.line)
        .collect();
    if lines.is_empty() {
        return;
    }
    let hashes = crate::fingerprint::github_line_hashes(file, &lines);
    for f in findings.iter_mut().filter(|f| !f.origin.in_member()) {
        f.line_hash = hashes.get(&f.line).cloned();
    }
}

/// Runs a matcher over buffers.
#[derive(Debug)]
pub struct Scanner {
    matcher: Matcher,
    opts: ScanOptions,
    gitleaks_ignore: Option<GitleaksIgnore>,
}

impl Scanner {
    /// A scanner over a rule set.
    pub fn new(rules: Arc<RuleSet>, opts: ScanOptions) -> Scanner {
        Scanner {
            matcher: Matcher::new(rules),
            opts,
            gitleaks_ignore: None,
        }
    }

    /// Drops findings listed in `.gitleaksignore` entries (matched by path, commit, rule id and
    /// the line where the match starts, as gitleaks does).
    pub fn with_gitleaks_ignore(mut self, ignore: GitleaksIgnore) -> Scanner {
        self.gitleaks_ignore = (!ignore.is_empty()).then_some(ignore);
        self
    }

    /// Whether `gitleaks:allow` comments drop findings (default true).
    pub fn with_gitleaks_allow(mut self, on: bool) -> Scanner {
        self.matcher.set_gitleaks_allow(on);
        self
    }

    fn place<'a>(origin: &'a Origin) -> Place<'a> {
        Place {
            path: origin.rule_path(),
            commit: origin.commit().map(|c| c.id.as_str()),
            container: origin.container(),
        }
    }

    /// The matcher.
    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// The options.
    pub fn options(&self) -> &ScanOptions {
        &self.opts
    }

    /// Scans one whole buffer from any source. Archives are opened (members scanned in turn),
    /// UTF-16 is decoded, source maps are split into their sources, and encoded spans are
    /// decoded and scanned again, all within the options' bounds.
    pub fn scan_bytes(&self, origin: &Origin, bytes: &[u8], out: &mut Output) {
        self.scan_nested(Nest::default(), origin, bytes, out);
    }

    /// [`Scanner::scan_bytes`] for a history blob whose keyword occurrences may be derived from
    /// its delta base's.
    pub fn scan_blob(&self, origin: &Origin, bytes: &[u8], known: &BlobMemo<'_>, out: &mut Output) {
        let nest = Nest {
            known: Some(known),
            ..Nest::default()
        };
        self.scan_nested(nest, origin, bytes, out);
    }

    /// What decides, besides the content, how a buffer at `path` is scanned: the rules'
    /// answers about the path ([`Matcher::path_profile`]), whether it is never scanned, and
    /// what its name says of its kind (media, old tar, source map). Two paths with the same
    /// profile get the same findings from the same content.
    pub fn path_profile(&self, path: &str) -> Vec<bool> {
        let mut p = self.matcher.path_profile(path);
        let lower = path.to_ascii_lowercase();
        p.extend([
            self.opts.never_scan.iter().any(|n| n == path),
            crate::source::media_name(path),
            lower.ends_with(".tar"),
            path.ends_with(".map"),
        ]);
        p
    }

    /// True (and the skip recorded) when the buffer is a media file: its name and first
    /// bytes say so. The one place this is decided, whatever the source and size.
    fn skip_media(&self, origin: &Origin, head: &[u8], out: &mut Output) -> bool {
        if classify(origin.rule_path(), &head[..head.len().min(64)]) != ContentKind::Media {
            return false;
        }
        out.skips.push(Skip::new(
            origin.display_path(),
            SkipReason::Media,
            "media files are not scanned",
        ));
        true
    }

    /// True for leakscan's own configuration, which is never reported.
    fn never_scanned(&self, origin: &Origin) -> bool {
        !origin.in_member() && self.opts.never_scan.iter().any(|p| p == origin.path())
    }

    fn scan_nested(&self, nest: Nest<'_>, origin: &Origin, bytes: &[u8], out: &mut Output) {
        if self.never_scanned(origin) || self.skip_media(origin, bytes, out) {
            return;
        }
        out.stats.count(origin);
        out.stats.bytes += bytes.len() as u64;
        let profile = self.matcher.profile(Scanner::place(origin));
        if profile.allowed {
            return;
        }
        let first = out.findings.len();
        self.path_findings(&profile, origin, out);
        if self.opts.archives.max_depth > 0 {
            if let Some(kind) = archive::detect(origin.rule_path(), &bytes[..bytes.len().min(512)])
            {
                self.open_archive(nest, origin, kind, bytes, out);
                return;
            }
        }
        if let Some((text, encoding)) = decode::utf16(bytes) {
            let o = origin.decoded(encoding, 1, 1);
            self.scan_text(
                Nest {
                    known: None,
                    ..nest
                },
                &profile,
                &o,
                &text,
                out,
            );
            return;
        }
        self.scan_text(nest, &profile, origin, bytes, out);
        if origin.is_whole_file() {
            fill_line_hashes(&mut out.findings[first..], bytes);
        }
    }

    /// Opens an archive and scans its members one level deeper.
    fn open_archive(
        &self,
        nest: Nest<'_>,
        origin: &Origin,
        kind: archive::Kind,
        bytes: &[u8],
        out: &mut Output,
    ) {
        let limits = &self.opts.archives;
        if nest.archive_depth >= limits.max_depth {
            let detail = format!(
                "archive nested {} levels deep (--max-archive-depth {}); not opened",
                nest.archive_depth + 1,
                limits.max_depth
            );
            out.skips.push(Skip::new(
                origin.display_path(),
                SkipReason::ArchiveLimit,
                detail,
            ));
            return;
        }
        let own;
        let budget = match nest.budget {
            Some(b) => b,
            None => {
                own = Budget::new(limits.clone(), bytes.len() as u64);
                &own
            }
        };
        let inner = Nest {
            archive_depth: nest.archive_depth + 1,
            budget: Some(budget),
            known: None,
            ..nest
        };
        let members = Members::new(origin, kind, Input::Bytes(bytes), budget);
        self.scan_members(inner, &members, out);
    }

    /// Scans the members of an archive, a nested source, one level deeper.
    fn scan_members(&self, nest: Nest<'_>, members: &Members<'_>, out: &mut Output) {
        members.for_each(|blob: Blob<'_, ()>| {
            let Some(origin) = blob.origin else { return };
            match blob.content {
                Content::Bytes(b) => self.scan_nested(nest, origin, b, out),
                // Members too large to hold are scanned as text in chunks, not opened.
                Content::Stream(r) => self.scan_reader(origin, r, out),
                Content::File(_) | Content::Failed(_) => {}
            }
        });
        out.skips.extend(members.skips());
    }

    /// Scans a large seekable input (a file past [`ChunkLimits::whole`]): archives are opened
    /// from the stream, anything else is scanned in chunks.
    pub fn scan_seekable<R: Read + Seek>(
        &self,
        origin: &Origin,
        mut r: R,
        size: u64,
        out: &mut Output,
    ) {
        if self.never_scanned(origin) {
            return;
        }
        let mut head = Vec::with_capacity(512);
        let kind = match (&mut r)
            .take(512)
            .read_to_end(&mut head)
            .and_then(|_| r.seek(SeekFrom::Start(0)))
        {
            Ok(_) if self.opts.archives.max_depth > 0 => archive::detect(origin.rule_path(), &head),
            Ok(_) => None,
            Err(e) => {
                out.skips.push(Skip::new(
                    origin.display_path(),
                    SkipReason::Unreadable,
                    e.to_string(),
                ));
                return;
            }
        };
        let Some(kind) = kind else {
            self.scan_reader(origin, &mut r, out);
            return;
        };
        if self.skip_media(origin, &head, out) {
            return;
        }
        out.stats.count(origin);
        out.stats.bytes += size;
        let profile = self.matcher.profile(Scanner::place(origin));
        if profile.allowed {
            return;
        }
        self.path_findings(&profile, origin, out);
        let budget = Budget::new(self.opts.archives.clone(), size);
        let inner = Nest {
            archive_depth: 1,
            budget: Some(&budget),
            decode_depth: 0,
            known: None,
        };
        let members = Members::new(origin, kind, Input::Reader(Box::new(r)), &budget);
        self.scan_members(inner, &members, out);
    }

    /// Scans text: source-map sources as members, the buffer itself, then encoded spans.
    fn scan_text(
        &self,
        nest: Nest<'_>,
        profile: &Profile<'_>,
        origin: &Origin,
        bytes: &[u8],
        out: &mut Output,
    ) {
        let mut region = None;
        if origin.decoding().is_none() && decode::is_source_map(origin.rule_path(), bytes) {
            match decode::source_map(bytes) {
                Ok(map) => {
                    region = map.region;
                    for (name, content) in &map.sources {
                        self.scan_nested(
                            Nest {
                                known: None,
                                ..nest
                            },
                            &origin.member(name.as_str()),
                            content.as_bytes(),
                            out,
                        );
                    }
                }
                Err(e) => out.skips.push(Skip::new(
                    origin.display_path(),
                    SkipReason::MalformedArchive,
                    format!("{e}; scanned as text only"),
                )),
            }
        }
        let mark = out.findings.len();
        let dmark = out.dropped.len();
        self.scan_chunk(
            profile,
            origin,
            bytes,
            Base::default(),
            0..bytes.len(),
            nest.known,
            &mut Vec::new(),
            out,
        );
        if let Some((a, b)) = region {
            // The sources were scanned as files of their own, with their own line numbers.
            let outside = |f: &Finding| f.offset < a as u64 || f.offset >= b as u64;
            retain_from(&mut out.findings, mark, outside);
            retain_from(&mut out.dropped, dmark, outside);
        }
        if nest.decode_depth < self.opts.max_decode_depth {
            let memo = match (region, nest.known) {
                (None, Some(k)) => Some(k.spans(bytes)),
                _ => None,
            };
            match memo {
                Some(m) => self.scan_spans(
                    nest,
                    profile,
                    origin,
                    bytes,
                    Base::default(),
                    m.spans(),
                    mark,
                    out,
                ),
                None => {
                    let spans = decode::spans(bytes, region);
                    self.scan_spans(
                        nest,
                        profile,
                        origin,
                        bytes,
                        Base::default(),
                        &spans,
                        mark,
                        out,
                    );
                }
            }
        }
    }

    /// Decodes the encoded spans of `bytes` (at `base` in its file) and scans them; findings
    /// are located at their span, and one already found in the plain text (same rule and
    /// secret) is not repeated.
    #[allow(clippy::too_many_arguments)]
    fn scan_spans(
        &self,
        nest: Nest<'_>,
        profile: &Profile<'_>,
        origin: &Origin,
        bytes: &[u8],
        base: Base,
        spans: &[decode::Span],
        mark: usize,
        out: &mut Output,
    ) {
        let found = self.decode_spans(nest, profile, origin, bytes, base, spans);
        merge_spans(found, mark, out);
    }

    /// What each encoded span of `bytes` holds, located at the span.
    fn decode_spans(
        &self,
        nest: Nest<'_>,
        profile: &Profile<'_>,
        origin: &Origin,
        bytes: &[u8],
        base: Base,
        spans: &[decode::Span],
    ) -> Vec<SpanFound> {
        let mut found = Vec::new();
        for span in spans {
            let o = origin.decoded(span.encoding, 0, 0);
            let mut sub = Output::default();
            self.scan_text(
                Nest {
                    decode_depth: nest.decode_depth + 1,
                    known: None,
                    ..nest
                },
                profile,
                &o,
                &span.text,
                &mut sub,
            );
            if sub.findings.is_empty() && sub.dropped.is_empty() && sub.skips.is_empty() {
                continue;
            }
            let (line, column) = line_col(bytes, base, span.start);
            let (end_line, end_column) = line_col(bytes, base, span.end);
            for f in sub.findings.iter_mut().chain(sub.dropped.iter_mut()) {
                f.line = line;
                f.column = column;
                f.end_line = end_line;
                f.end_column = end_column;
                f.offset = base.offset + span.start as u64;
                f.binary = false;
                if let Some(d) = f.origin.decoding_mut() {
                    d.line = line;
                    d.column = column;
                }
            }
            found.push(SpanFound {
                start: base.offset + span.start as u64,
                end: base.offset + span.end as u64,
                out: sub,
            });
        }
        found
    }

    /// Reports path rules that match the origin's path.
    fn path_findings(&self, profile: &Profile<'_>, origin: &Origin, out: &mut Output) {
        let rules = self.matcher.rules();
        for &i in &profile.path_rules {
            let rule = &rules.rules[i];
            let confidence = self.matcher.path_confidence(i, &profile.place);
            if confidence < self.opts.min_confidence {
                continue;
            }
            let mut f = Finding::for_path(rule, origin);
            f.confidence = confidence;
            if self.listed(origin, &rule.id, 0) {
                if !self.opts.explain {
                    continue;
                }
                f.dropped = Some(crate::gitleaksignore::DROPPED.to_string());
                out.dropped.push(f);
            } else {
                out.findings.push(f);
            }
        }
    }

    /// Scans `buf`, keeping candidates whose secret starts in `accept` (the chunk's own
    /// bytes; context before and overlap after belong to its neighbours). `once` holds the
    /// `once` rules already reported in earlier chunks of the same file.
    #[allow(clippy::too_many_arguments)]
    fn scan_chunk(
        &self,
        profile: &Profile<'_>,
        origin: &Origin,
        buf: &[u8],
        base: Base,
        accept: std::ops::Range<usize>,
        known: Option<&BlobMemo<'_>>,
        once: &mut Vec<usize>,
        out: &mut Output,
    ) {
        let mut cands = match known {
            Some(k) => k.scan(&self.matcher, buf, profile, self.opts.explain),
            None => self
                .matcher
                .scan_with_hits(buf, profile, self.opts.explain, None, None),
        };
        if cands.is_empty() {
            return;
        }
        let rules = self.matcher.rules();
        cands.retain(|c| accept.contains(&c.secret_start));
        for c in cands.iter_mut() {
            if c.dropped.is_none() && rules.rules[c.rule].once {
                if once.contains(&c.rule) {
                    c.dropped = Some(crate::matcher::Dropped::Once);
                } else {
                    once.push(c.rule);
                }
            }
        }
        if !self.opts.explain {
            cands.retain(|c| c.dropped.is_none());
        }
        let first = out.findings.len();
        let mut builder = Builder::new(buf, base);
        for c in &cands {
            let rule = &rules.rules[c.rule];
            let mut f = builder.build(rule, origin, c);
            if f.dropped.is_none() && c.confidence < self.opts.min_confidence {
                if !self.opts.explain {
                    continue;
                }
                f.dropped = Some(match c.assessed {
                    Some(why) => format!(
                        "confidence {} below --min-confidence ({why})",
                        format!("{:?}", c.confidence).to_lowercase()
                    ),
                    None => format!("confidence {:?} below --min-confidence", c.confidence)
                        .to_lowercase(),
                });
            }
            if f.dropped.is_none()
                && self.gitleaks_ignore.is_some()
                && self.listed(origin, &rule.id, builder.line_of(c.start))
            {
                if !self.opts.explain {
                    continue;
                }
                f.dropped = Some(crate::gitleaksignore::DROPPED.to_string());
            }
            if f.dropped.is_some() {
                out.dropped.push(f);
            } else {
                out.findings.push(f);
            }
        }
        mask_shared_lines(&mut out.findings[first..]);
    }

    /// True when `.gitleaksignore` lists a finding of `rule` at `origin` starting on `line`.
    /// Applies the checks that depend on the commit to findings whose commit was attributed
    /// after scanning (history blobs are scanned once, without a commit): allowlists decided by
    /// commit and path, and `.gitleaksignore` entries with a commit. Dropped findings are kept
    /// in `out.dropped` with `--explain`.
    pub fn apply_commit_checks(&self, out: &mut Output) {
        let (drop, keep): (Vec<Finding>, Vec<Finding>) = std::mem::take(&mut out.findings)
            .into_iter()
            .partition(|f| f.origin.commit().is_some() && self.commit_reason(f).is_some());
        out.findings = keep;
        if self.opts.explain {
            out.dropped.extend(drop.into_iter().map(|mut f| {
                f.dropped = self.commit_reason(&f);
                f
            }));
        }
    }

    fn commit_reason(&self, f: &Finding) -> Option<String> {
        if let Some(c) = f.origin.commit() {
            if let Some(a) = f.commit_allow.iter().find(|a| a.allows(&c.id)) {
                return Some(a.reason.clone());
            }
        }
        if let Some(why) = self
            .matcher
            .place_allowlist(&f.rule_id, &Scanner::place(&f.origin))
        {
            return Some(why);
        }
        self.listed(&f.origin, &f.rule_id, f.line)
            .then(|| crate::gitleaksignore::DROPPED.to_string())
    }

    fn listed(&self, origin: &Origin, rule: &str, line: usize) -> bool {
        self.gitleaks_ignore.as_ref().is_some_and(|ig| {
            // Both lookups run (`|`), so every entry that names the finding counts as used.
            ig.is_listed(
                &origin.display_path(),
                origin.commit().map(|c| c.id.as_str()),
                rule,
                line,
            ) | (origin.members().is_empty()
                && origin
                    .blob_id()
                    .is_some_and(|b| ig.is_listed_blob(b, rule, line)))
        })
    }

    /// Scans a large input from a reader in overlapping chunks, so memory stays bounded by
    /// the [`ChunkLimits`] per thread, and a match across a chunk border is found as a scan of
    /// the whole would find it. The first bytes decide, as for a whole buffer, whether it is a
    /// media file (skipped) or UTF-16 text (decoded as it is read); encoded spans are decoded
    /// per chunk. Source maps and archives are not opened from a stream.
    pub fn scan_reader(&self, origin: &Origin, reader: &mut dyn Read, out: &mut Output) {
        if self.never_scanned(origin) {
            return;
        }
        let mut counted = Counted {
            inner: reader,
            bytes: 0,
        };
        // The head decides, as the same checks on a whole buffer do (8 KiB: `is_binary`).
        let mut head = Vec::with_capacity(8192);
        let eof = match fill(&mut counted, &mut head, 8192) {
            Ok(eof) => eof,
            Err(e) => {
                out.skips.push(Skip::new(
                    origin.display_path(),
                    SkipReason::Unreadable,
                    format!("read failed at byte {}: {e}", head.len()),
                ));
                true
            }
        };
        if self.skip_media(origin, &head, out) {
            return;
        }
        out.stats.count(origin);
        let profile = self.matcher.profile(Scanner::place(origin));
        if !profile.allowed {
            self.path_findings(&profile, origin, out);
            let binary = crate::source::is_binary(&head);
            let rest: &mut dyn Read = if eof {
                &mut std::io::empty()
            } else {
                &mut counted
            };
            let mut stream = std::io::Cursor::new(head).chain(rest);
            match decode::utf16_layout(stream.get_ref().0.get_ref()) {
                Some(layout) => {
                    let o = origin.decoded(layout.name(), 1, 1);
                    let mut text = decode::Utf16Reader::new(stream, layout);
                    self.scan_chunks(&profile, &o, &mut text, false, out);
                }
                None => self.scan_chunks(&profile, origin, &mut stream, binary, out),
            }
        }
        // Drain what was not read (an allowed place), so the byte count is the input's.
        let _ = std::io::copy(&mut counted, &mut std::io::sink());
        out.stats.bytes += counted.bytes;
    }

    /// The chunk loop of [`Scanner::scan_reader`].
    fn scan_chunks(
        &self,
        profile: &Profile<'_>,
        origin: &Origin,
        reader: &mut dyn Read,
        binary: bool,
        out: &mut Output,
    ) {
        let lim = &self.opts.chunks;
        let (chunk, overlap, context) = (lim.chunk.max(1), lim.overlap, lim.context);
        let mut buf: Vec<u8> = Vec::with_capacity(context + chunk + overlap);
        let mut base = Base {
            binary: Some(binary),
            ..Base::default()
        };
        let mut once = Vec::new();
        // Decoded spans are compared with the plain findings of the whole file, once all are
        // made (a plain finding on a span may lie in the next chunk).
        let mark = out.findings.len();
        let mut decoded = Vec::new();
        // `buf` holds [context | the chunk's own bytes | overlap]; `start` is where its own
        // bytes begin.
        let mut start = 0;
        loop {
            let eof = match fill(reader, &mut buf, start + chunk + overlap) {
                Ok(eof) => eof,
                Err(e) => {
                    out.skips.push(Skip::new(
                        origin.display_path(),
                        SkipReason::Unreadable,
                        format!(
                            "read failed at byte {}: {e}",
                            base.offset + buf.len() as u64
                        ),
                    ));
                    true
                }
            };
            // Candidates starting in the overlap belong to the next chunk, which holds them
            // whole.
            let end = if eof { buf.len() } else { buf.len() - overlap };
            self.scan_chunk(
                profile,
                origin,
                &buf,
                base,
                start..end,
                None,
                &mut once,
                out,
            );
            if self.opts.max_decode_depth > 0 {
                let spans: Vec<decode::Span> = decode::spans(&buf, None)
                    .into_iter()
                    .filter(|s| (start..end).contains(&s.start))
                    .collect();
                decoded.extend(self.decode_spans(
                    Nest::default(),
                    profile,
                    origin,
                    &buf,
                    base,
                    &spans,
                ));
            }
            if eof {
                // Findings on one line in two chunks mask each other's secrets too.
                mask_shared_lines(&mut out.findings[mark..]);
                merge_spans(decoded, mark, out);
                break;
            }
            // Hand over: keep `context` bytes before the next chunk's own bytes, from a
            // character boundary, and carry the lines and the column of what is dropped.
            let mut keep = end.saturating_sub(context);
            while keep > 0 && buf[keep] & 0xC0 == 0x80 {
                keep -= 1;
            }
            let gone = &buf[..keep];
            match memchr::memrchr(b'\n', gone) {
                Some(p) => base.column = crate::finding::char_count(&gone[p + 1..]),
                None => base.column += crate::finding::char_count(gone),
            }
            base.lines += memchr::memchr_iter(b'\n', gone).count();
            base.offset += keep as u64;
            buf.drain(..keep);
            start = end - keep;
        }
    }
}

/// A reader that counts the bytes read through it.
struct Counted<'r> {
    inner: &'r mut dyn Read,
    bytes: u64,
}

impl Read for Counted<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
}

/// Reads into `buf` until it holds `want` bytes or the input ends; true at the end.
fn fill(r: &mut dyn Read, buf: &mut Vec<u8>, want: usize) -> std::io::Result<bool> {
    while buf.len() < want {
        let old = buf.len();
        buf.resize(want, 0);
        match r.read(&mut buf[old..]) {
            Ok(0) => {
                buf.truncate(old);
                return Ok(true);
            }
            Ok(n) => buf.truncate(old + n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => buf.truncate(old),
            Err(e) => {
                buf.truncate(old);
                return Err(e);
            }
        }
    }
    Ok(false)
}

/// What one decoded span holds, located at the span (file offsets `start..end`).
struct SpanFound {
    start: u64,
    end: u64,
    out: Output,
}

/// Adds what decoded spans found to `out`, except findings already made from the plain text
/// (`out.findings[mark..]`, and those of earlier spans): the same rule and secret anywhere in
/// the buffer, or a finding of the same kind and at least the same confidence on the encoded
/// span itself (a token that merely contains `%2F` is not found twice).
fn merge_spans(found: Vec<SpanFound>, mark: usize, out: &mut Output) {
    for SpanFound {
        start: ss,
        end: se,
        out: sub,
    } in found
    {
        let seen = |f: &Finding| {
            out.findings[mark..].iter().any(|r| {
                let rlen = r.secret.as_ref().map_or(0, |s| s.as_bytes().len()) as u64;
                (r.rule_id == f.rule_id && r.secret == f.secret)
                    || (r.kind == f.kind
                        && r.confidence >= f.confidence
                        && r.offset < se
                        && r.offset + rlen > ss)
            })
        };
        let fresh: Vec<Finding> = sub.findings.into_iter().filter(|f| !seen(f)).collect();
        // A generic finding on the encoded text itself (`token: <base64>`) yields to a
        // specific rule's finding in what it decodes to: one secret, told once, by name.
        let is_generic = |f: &Finding| f.tags.iter().any(|t| t == "generic");
        if fresh.iter().any(|f| !is_generic(f)) {
            let specific_kinds: Vec<_> = fresh
                .iter()
                .filter(|f| !is_generic(f))
                .map(|f| f.kind)
                .collect();
            let mut i = mark;
            while i < out.findings.len() {
                let r = &out.findings[i];
                let rlen = r.secret.as_ref().map_or(0, |s| s.as_bytes().len()) as u64;
                if is_generic(r)
                    && specific_kinds.contains(&r.kind)
                    && r.offset < se
                    && r.offset + rlen > ss
                {
                    out.findings.remove(i);
                } else {
                    i += 1;
                }
            }
        }
        out.findings.extend(fresh);
        out.dropped.extend(sub.dropped);
        out.skips.extend(sub.skips);
    }
}

/// Keeps the items from `from` on that satisfy `keep`.
fn retain_from(list: &mut Vec<Finding>, from: usize, keep: impl Fn(&Finding) -> bool) {
    let tail: Vec<Finding> = list.drain(from..).filter(|f| keep(f)).collect();
    list.extend(tail);
}

/// 1-based line and column (characters) in its file of a byte offset of `buf`, which sits at
/// `base`.
fn line_col(buf: &[u8], base: Base, offset: usize) -> (usize, usize) {
    let before = &buf[..offset.min(buf.len())];
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let column = match memchr::memrchr(b'\n', before) {
        Some(p) => crate::finding::char_count(&before[p + 1..]),
        None => base.column + crate::finding::char_count(before),
    };
    (base.lines + line, column + 1)
}

/// A line holding several findings shows each finding's snippet with the others' secrets
/// masked too, so no snippet reveals a neighbour (two keys on one line, `nightjar` beside
/// `NIGHTJAR`). Findings are in offset order, so those of one line are adjacent.
fn mask_shared_lines(findings: &mut [Finding]) {
    let mut i = 0;
    while i < findings.len() {
        let line = findings[i].line;
        let j = i + findings[i..].iter().take_while(|f| f.line == line).count();
        if j - i > 1 {
            let secrets: Vec<crate::redact::Secret> = findings[i..j]
                .iter()
                .filter_map(|f| f.secret.clone())
                .collect();
            for f in &mut findings[i..j] {
                for s in &secrets {
                    if f.secret.as_ref() != Some(s) {
                        f.snippet = crate::redact::mask_in(&f.snippet, s);
                    }
                }
            }
        }
        i = j;
    }
}
