//! The scanner: runs the matcher over a buffer (or a large file in overlapping chunks) and turns
//! candidates into findings. Sources call it; it never walks folders or reads git.
//!
//! Derived buffers (archive members, decoded spans, source-map sources) are scanned through the
//! same [`Scanner::scan_bytes`] with a deeper origin.

use std::io::Read;
use std::sync::Arc;

use crate::error::{Skip, SkipReason};
use crate::finding::{Base, Builder, Finding};
use crate::gitleaksignore::GitleaksIgnore;
use crate::matcher::{Matcher, Place};
use crate::rules::{Confidence, RuleSet};
use crate::source::Origin;

/// Buffers up to this size are scanned whole; larger files in chunks.
pub const WHOLE_LIMIT: u64 = 64 << 20;
/// Chunk size for large files.
pub const CHUNK: usize = 16 << 20;
/// Overlap between chunks: a secret shorter than this that crosses a chunk border is found.
pub const OVERLAP: usize = 256 << 10;

/// Options that change what the scanner keeps.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    /// Keep dropped candidates, with their reason.
    pub explain: bool,
    /// Findings below this confidence are not reported.
    pub min_confidence: Confidence,
}

impl Default for ScanOptions {
    fn default() -> ScanOptions {
        ScanOptions {
            explain: false,
            min_confidence: Confidence::Medium,
        }
    }
}

/// Counters for the summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Files (or blobs, members) scanned.
    pub files: u64,
    /// Bytes scanned.
    pub bytes: u64,
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
fn fill_line_hashes(findings: &mut [Finding], file: &[u8]) {
    if findings.is_empty() {
        return;
    }
    let lines: Vec<usize> = findings.iter().map(|f| f.line).collect();
    let hashes = crate::fingerprint::github_line_hashes(file, &lines);
    for f in findings {
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
            commit: origin.commit.as_ref().map(|c| c.id.as_str()),
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

    /// Scans one whole buffer.
    pub fn scan_bytes(&self, origin: &Origin, bytes: &[u8], out: &mut Output) {
        out.stats.files += 1;
        out.stats.bytes += bytes.len() as u64;
        if self.matcher.place_allowed(&Scanner::place(origin)) {
            return;
        }
        let first = out.findings.len();
        self.path_findings(origin, out);
        self.scan_chunk(origin, bytes, Base::default(), bytes.len(), out);
        if origin.commit.is_none()
            && origin.members.is_empty()
            && origin.decoded.is_none()
            && origin.path != "-"
        {
            fill_line_hashes(&mut out.findings[first..], bytes);
        }
    }

    /// Reports path rules that match the origin's path.
    fn path_findings(&self, origin: &Origin, out: &mut Output) {
        let rules = self.matcher.rules();
        for i in self.matcher.path_matches_at(&Scanner::place(origin)) {
            let rule = &rules.rules[i];
            if rule.confidence < self.opts.min_confidence {
                continue;
            }
            let mut f = Finding::for_path(rule, origin);
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

    /// Scans `buf`, keeping candidates whose secret starts before `accept_end`.
    fn scan_chunk(
        &self,
        origin: &Origin,
        buf: &[u8],
        base: Base,
        accept_end: usize,
        out: &mut Output,
    ) {
        let cands = self
            .matcher
            .scan_at(buf, &Scanner::place(origin), self.opts.explain);
        if cands.is_empty() {
            return;
        }
        let rules = self.matcher.rules();
        let mut builder = Builder::new(buf, base);
        for c in cands.iter().filter(|c| c.secret_start < accept_end) {
            let rule = &rules.rules[c.rule];
            let mut f = builder.build(rule, origin, c);
            if f.dropped.is_none() && rule.confidence < self.opts.min_confidence {
                if !self.opts.explain {
                    continue;
                }
                f.dropped = Some(
                    format!("confidence {:?} below --min-confidence", rule.confidence)
                        .to_lowercase(),
                );
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
    }

    /// True when `.gitleaksignore` lists a finding of `rule` at `origin` starting on `line`.
    /// Applies the checks that depend on the commit to findings whose commit was attributed
    /// after scanning (history blobs are scanned once, without a commit): allowlists decided by
    /// commit and path, and `.gitleaksignore` entries with a commit. Dropped findings are kept
    /// in `out.dropped` with `--explain`.
    pub fn apply_commit_checks(&self, out: &mut Output) {
        let (drop, keep): (Vec<Finding>, Vec<Finding>) = std::mem::take(&mut out.findings)
            .into_iter()
            .partition(|f| f.origin.commit.is_some() && self.commit_reason(f).is_some());
        out.findings = keep;
        if self.opts.explain {
            out.dropped.extend(drop.into_iter().map(|mut f| {
                f.dropped = self.commit_reason(&f);
                f
            }));
        }
    }

    fn commit_reason(&self, f: &Finding) -> Option<String> {
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
            ig.is_listed(
                &origin.display_path(),
                origin.commit.as_ref().map(|c| c.id.as_str()),
                rule,
                line,
            )
        })
    }

    /// Scans a large input from a reader in overlapping chunks, so memory stays bounded by
    /// [`CHUNK`] + [`OVERLAP`] per thread and a secret across a chunk border is still found.
    pub fn scan_reader(&self, origin: &Origin, reader: &mut dyn Read, out: &mut Output) {
        out.stats.files += 1;
        if self.matcher.place_allowed(&Scanner::place(origin)) {
            return;
        }
        self.path_findings(origin, out);
        let mut buf: Vec<u8> = Vec::with_capacity(CHUNK + OVERLAP);
        let mut base = Base::default();
        let mut eof = false;
        while !eof {
            // Fill the buffer up to CHUNK + OVERLAP bytes.
            let want = CHUNK + OVERLAP;
            while buf.len() < want {
                let old = buf.len();
                buf.resize(want, 0);
                match reader.read(&mut buf[old..]) {
                    Ok(0) => {
                        buf.truncate(old);
                        eof = true;
                        break;
                    }
                    Ok(n) => buf.truncate(old + n),
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => buf.truncate(old),
                    Err(e) => {
                        buf.truncate(old);
                        out.skips.push(Skip::new(
                            origin.display_path(),
                            SkipReason::Unreadable,
                            format!("read failed at byte {}: {e}", base.offset + old as u64),
                        ));
                        eof = true;
                        break;
                    }
                }
            }
            // Candidates starting in the last OVERLAP bytes belong to the next chunk, which
            // holds them whole.
            let accept_end = if eof { buf.len() } else { buf.len() - OVERLAP };
            out.stats.bytes += accept_end as u64;
            self.scan_chunk(origin, &buf, base, accept_end, out);
            if eof {
                break;
            }
            base.lines += memchr::memchr_iter(b'\n', &buf[..accept_end]).count();
            base.offset += accept_end as u64;
            buf.drain(..accept_end);
        }
    }
}
