//! [`Finding`]: the one type reporters consume, built from a matcher candidate, the buffer it
//! was found in and that buffer's origin. Line and column are computed here, for confirmed
//! candidates only.

use std::sync::Arc;

use crate::fingerprint;
use crate::matcher::Candidate;
use crate::redact::{mask_in_bytes, Secret};
use crate::rules::{Confidence, Kind, Rule, Severity};
use crate::source::{CommitInfo, Origin};

/// A reported (or, with `--explain`, a dropped) match.
#[derive(Clone, Debug)]
pub struct Finding {
    /// Rule id.
    pub rule_id: String,
    /// Rule description.
    pub description: String,
    /// Secret or internal marker.
    pub kind: Kind,
    /// Severity.
    pub severity: Severity,
    /// Confidence.
    pub confidence: Confidence,
    /// Rule tags.
    pub tags: Vec<String>,
    /// Where.
    pub origin: Origin,
    /// 1-based line of the secret's start.
    pub line: usize,
    /// 1-based column (characters) of the secret's start.
    pub column: usize,
    /// 1-based line of the secret's end.
    pub end_line: usize,
    /// Column just after the secret's last character.
    pub end_column: usize,
    /// Byte offset of the secret in the file (or member).
    pub offset: u64,
    /// True when the buffer is binary: the byte offset is the meaningful location.
    pub binary: bool,
    /// The secret; `None` for path rules, which report a whole file.
    pub secret: Option<Secret>,
    /// The line of the finding with the secret masked; never holds the secret.
    pub snippet: String,
    /// `leakscan/v2` fingerprint (see [`fingerprint`]).
    pub fingerprint: String,
    /// GitHub's `primaryLocationLineHash` of the finding's line, when the finding's buffer is
    /// the whole checked-out file (see [`fingerprint::github_line_hashes`]); `None` elsewhere.
    pub line_hash: Option<String>,
    /// With `--explain`: why the candidate was dropped.
    pub dropped: Option<String>,
    /// Allowlists that drop it if its commit, known after scanning, is theirs.
    pub commit_allow: Vec<crate::matcher::CommitAllow>,
    /// With `--validate`: what the provider said.
    pub validation: Option<Box<crate::validate::verdict::Validation>>,
    /// For history findings grouped by (rule, path, secret): the other versions holding it,
    /// and whether it is still there (see [`crate::group`]).
    pub spread: Option<Box<Spread>>,
    /// With `--repos` (and in merged reports of several repositories): the repository the
    /// finding is in, as listed.
    pub repository: Option<String>,
}

impl Finding {
    /// The retired `leakscan/v1` fingerprint, only to match old `.leakscanignore` entries.
    pub fn legacy_fingerprint(&self) -> String {
        fingerprint::compute_v1(
            &self.rule_id,
            &self.origin.display_path(),
            self.secret.as_ref().map_or(&[][..], Secret::as_bytes),
        )
    }

    /// The order of findings in every output: path, members, commit, offset, rule.
    pub fn sort_key(&self) -> (String, Option<String>, u64, &str, usize) {
        (
            self.origin.display_path(),
            self.origin.commit().map(|c| c.id.clone()),
            self.offset,
            self.rule_id.as_str(),
            self.end_column,
        )
    }

    /// A finding for a path rule: the file itself.
    pub fn for_path(rule: &Rule, origin: &Origin) -> Finding {
        Finding::of_rule(rule, origin, b"")
    }

    /// A finding of `rule` at `origin` with `secret` (empty: none), at line 1, column 1; the
    /// one place that copies a rule's fields into a finding.
    fn of_rule(rule: &Rule, origin: &Origin, secret: &[u8]) -> Finding {
        Finding {
            rule_id: rule.id.clone(),
            description: rule.description.clone(),
            kind: rule.kind,
            severity: rule.severity,
            confidence: rule.confidence,
            tags: rule.tags.clone(),
            origin: origin.clone(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
            offset: 0,
            binary: false,
            secret: None,
            snippet: String::new(),
            fingerprint: fingerprint::compute(&rule.id, &origin.display_path(), secret),
            line_hash: None,
            dropped: None,
            commit_allow: Vec::new(),
            validation: None,
            spread: None,
            repository: None,
        }
    }
}

/// Where a buffer sits in its file: chunks of large files start past line 1, and maybe in
/// the middle of a line.
#[derive(Clone, Copy, Debug, Default)]
pub struct Base {
    /// Bytes before the buffer.
    pub offset: u64,
    /// Newlines before the buffer.
    pub lines: usize,
    /// Characters between the start of the buffer's first line and the buffer.
    pub column: usize,
    /// Whether the file is binary, decided from its first bytes; `None`: from the buffer's.
    pub binary: Option<bool>,
}

/// Turns candidates of one buffer into findings, computing locations incrementally.
pub struct Builder<'a> {
    buf: &'a [u8],
    base: Base,
    binary: bool,
    // Incremental newline count: offset counted up to, and lines seen before it.
    counted_to: usize,
    lines_before: usize,
}

impl<'a> Builder<'a> {
    /// A builder over `buf`.
    pub fn new(buf: &'a [u8], base: Base) -> Builder<'a> {
        Builder {
            buf,
            base,
            binary: base.binary.unwrap_or_else(|| crate::source::is_binary(buf)),
            counted_to: 0,
            lines_before: 0,
        }
    }

    fn line_at(&mut self, offset: usize) -> usize {
        if offset < self.counted_to {
            self.counted_to = 0;
            self.lines_before = 0;
        }
        self.lines_before += memchr::memchr_iter(b'\n', &self.buf[self.counted_to..offset]).count();
        self.counted_to = offset;
        self.base.lines + self.lines_before + 1
    }

    /// The 1-based line (in the whole file) of a byte offset of the buffer.
    pub fn line_of(&mut self, offset: usize) -> usize {
        self.line_at(offset)
    }

    fn column_at(&self, offset: usize) -> usize {
        match memchr::memrchr(b'\n', &self.buf[..offset]) {
            Some(p) => char_count(&self.buf[p + 1..offset]) + 1,
            None => self.base.column + char_count(&self.buf[..offset]) + 1,
        }
    }

    /// Builds the finding for candidate `c` of `rule` (candidates in offset order are cheapest).
    pub fn build(&mut self, rule: &Rule, origin: &Origin, c: &Candidate) -> Finding {
        let secret = Secret::new(&self.buf[c.secret_start..c.secret_end]);
        let line = self.line_at(c.secret_start);
        let column = self.column_at(c.secret_start);
        let end_line =
            line + memchr::memchr_iter(b'\n', &self.buf[c.secret_start..c.secret_end]).count();
        let end_column = self.column_at(c.secret_end);
        let snippet = self.snippet(c.secret_start, c.secret_end, &secret);
        Finding {
            confidence: c.confidence,
            line,
            column,
            end_line,
            end_column,
            offset: self.base.offset + c.secret_start as u64,
            binary: self.binary,
            secret: Some(secret),
            snippet,
            dropped: c.dropped.as_ref().map(ToString::to_string),
            commit_allow: c.commit_allow.clone(),
            ..Finding::of_rule(rule, origin, &self.buf[c.secret_start..c.secret_end])
        }
    }

    /// The line holding the secret's start, the secret masked, at most ~160 characters.
    fn snippet(&self, ss: usize, se: usize, secret: &Secret) -> String {
        const HALF: usize = 60;
        let buf = self.buf;
        let lo = ss.saturating_sub(HALF * 4);
        let ls = memchr::memrchr(b'\n', &buf[lo..ss]).map_or(lo, |p| lo + p + 1);
        let hi = (ss + HALF * 4).min(buf.len()).max(ss);
        let le = memchr::memchr(b'\n', &buf[ss..hi]).map_or(hi, |p| ss + p);
        let in_line_end = se.min(le);
        let masked = mask_in_bytes(&buf[ls..le], ss - ls, in_line_end - ls, secret);
        let text: String = masked
            .chars()
            .map(|ch| {
                if ch.is_control() && ch != '\t' {
                    '.'
                } else {
                    ch
                }
            })
            .collect();
        let text = text.trim();
        if text.chars().count() <= 160 {
            return text.to_string();
        }
        // Keep a window around the masked secret.
        let chars: Vec<char> = text.chars().collect();
        let at = char_count(&buf[ls..ss]).min(chars.len());
        let start = at.saturating_sub(HALF);
        let end = (at + 100).min(chars.len());
        let mut s: String = chars[start..end].iter().collect();
        if start > 0 {
            s.insert(0, '…');
        }
        if end < chars.len() {
            s.push('…');
        }
        s
    }
}

/// Characters in `bytes`, invalid sequences counted as the replacement characters they show as.
pub fn char_count(bytes: &[u8]) -> usize {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.chars().count(),
        Err(_) => String::from_utf8_lossy(bytes).chars().count(),
    }
}

/// Where else, and until when, a grouped finding's secret stands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Spread {
    /// Distinct versions (blobs) of the path that hold the secret, the finding's own included.
    pub versions: usize,
    /// The other versions, in history order, at most [`crate::group::MAX_OCCURRENCES`].
    pub occurrences: Vec<Occurrence>,
    /// The last commit that brought a version holding it (the finding's own commit when the
    /// secret never changed version).
    pub last_commit: Option<Arc<CommitInfo>>,
    /// Refs (branches, remote-tracking branches, `HEAD`) whose tip holds it at this path.
    pub still_in: Vec<String>,
    /// When no tip holds it: the first commit, after the last version holding it, that brought
    /// a version of the path without it (`None` when the file was deleted or not seen again).
    pub removed_in: Option<Arc<CommitInfo>>,
    /// Other paths where the same rule found the same secret, at most [`crate::group::MAX_ALSO_AT`].
    pub also_at: Vec<String>,
    /// Blob ids of every version holding it (not reported; used to look the tips up).
    pub blobs: Vec<String>,
    /// The rank (parents-first) of the finding's own commit: shards of one history walk the
    /// same commits, so `report merge` orders their findings by it.
    pub rank: Option<u32>,
    /// The rank of `last_commit`.
    pub last_rank: Option<u32>,
}

/// One other version of a path that holds the secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    /// The commit that brought the version.
    pub commit: Option<Arc<CommitInfo>>,
    /// The blob id of the version.
    pub blob_id: Option<String>,
    /// The secret's line in that version.
    pub line: usize,
    /// The commit's rank.
    pub rank: Option<u32>,
}
