//! The JSON report. Its schema is stable and documented here and in the README; wire structs
//! are kept apart from domain types so that an internal refactor cannot change the output.
//!
//! ```text
//! {
//!   "version": 2,                       // schema version (2: grouped history, no secret_sha256)
//!   "tool": { "name": "leakscan", "version": "0.1.0" },
//!   "findings": [ {
//!     "rule_id", "description", "kind" ("secret"|"internal"), "severity", "confidence", "tags",
//!     "repository",    // only with --repos: the repository, as listed
//!     "path",          // file path relative to the scan root (the archive for members)
//!     "members",       // members inside archives / source maps, outermost first ([] if none)
//!     "location",      // "path!member!member"
//!     "line", "column", "end_line", "end_column",   // 1-based; end_column is after the last char
//!     "offset",        // byte offset of the secret in its file or member
//!     "binary",        // true: the file is binary, the offset is the meaningful location
//!     "match",         // the secret, redacted unless --no-redact; null for path rules
//!     "redacted",      // whether "match" is redacted
//!     "fingerprint",   // leakscan/v2 fingerprint (see src/fingerprint.rs): no unkeyed hash of
//!                      // the secret appears in any report
//!     "line_hash",     // only for findings in a checked-out file: GitHub's
//!                      // primaryLocationLineHash of the line, as the SARIF report writes it
//!     "snippet",       // the line with the secret masked
//!     "commit",        // null for tree scans; else { id, author_name, author_email, date, summary, at_or_before }
//!     "blob_id",       // git blob id for history findings, else null
//!     "other_places",  // other (commit, path) places holding the same blob
//!     "decoded",       // null, or { encoding, line, column } of the encoded span
//!     "dropped",       // only with --explain, on entries of "dropped": the filter that dropped it
//!     "validation",    // only with --validate: { "status": "valid"|"invalid"|"unknown"|"skipped",
//!                      //   "reason"?, "provider"?, "identity"?: {name: value}, "cached"?: true }
//!     "history"        // only for history findings, one per (rule, path, secret): {
//!                      //   "versions": n,           // versions of the file holding it
//!                      //   "last_commit": {id, date}, // the last commit that brought one
//!                      //   "still_in": [ref],       // branches / HEAD whose tip holds it
//!                      //   "removed_in": {id, date} | null, // first later version without it
//!                      //   "also_at": [path],       // other paths with the same secret
//!                      //   "occurrences": [[commit, line, blob_id]], // the other versions
//!                      //   "rank", "last_rank", "occurrence_ranks": commit ranks (parents-first)
//!                      //   "secret_id": fingerprint of rule and secret without path }
//!   } ],
//!   "dropped": [ ... ],                 // only with --explain
//!   "skipped": [ { "path", "reason", "detail", "allowed" } ],
//!   "shard": { "index": K, "count": N, "by": "history"|"repository" }, // only with --shard
//!   "repositories": [ "url or path" ],  // with --shard or --repos: what was scanned
//!   "notes": [ "text" ],                // only when there are: notes for the reader
//!   "summary": { "files", "blobs", "bytes", "findings", "by_rule": {id: n}, "skipped",
//!                "incomplete", "elapsed_ms" }   // blobs: of files, the history blobs
//! }
//! ```

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::{Report, Reporter};
use crate::error::Skip;
use crate::finding::Finding;
use crate::source::{CommitInfo, Decoded};

/// The JSON reporter.
pub struct Json;

#[derive(Serialize)]
struct Wire<'a> {
    version: u32,
    tool: Tool,
    findings: Vec<WireFinding<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dropped: Option<Vec<WireFinding<'a>>>,
    skipped: &'a [Skip],
    #[serde(skip_serializing_if = "Option::is_none")]
    shard: Option<ShardOf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    repositories: Option<&'a [String]>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
    summary: Summary<'a>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

/// One finding on the wire.
#[derive(Serialize)]
pub struct WireFinding<'a> {
    rule_id: &'a str,
    description: &'a str,
    kind: crate::rules::Kind,
    severity: crate::rules::Severity,
    confidence: crate::rules::Confidence,
    tags: &'a [String],
    path: &'a str,
    members: Vec<&'a str>,
    location: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    offset: u64,
    binary: bool,
    #[serde(rename = "match")]
    matched: Option<String>,
    redacted: bool,
    fingerprint: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    line_hash: Option<&'a str>,
    snippet: &'a str,
    commit: Option<&'a CommitInfo>,
    blob_id: Option<&'a str>,
    other_places: usize,
    decoded: Option<&'a Decoded>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dropped: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    validation: Option<&'a crate::validate::Validation>,
    /// With `--repos`: the repository of the finding, as listed.
    #[serde(skip_serializing_if = "Option::is_none")]
    repository: Option<&'a str>,
    /// History findings: the versions holding the secret and whether it is still there.
    #[serde(skip_serializing_if = "Option::is_none")]
    history: Option<WireSpread<'a>>,
}

/// A grouped history finding's spread on the wire (see [`crate::group::Spread`]).
#[derive(Serialize)]
pub struct WireSpread<'a> {
    versions: usize,
    last_commit: Option<CommitRef<'a>>,
    still_in: &'a [String],
    removed_in: Option<CommitRef<'a>>,
    also_at: &'a [String],
    /// The other versions: `[commit id, line, blob id]`.
    occurrences: Vec<(Option<&'a str>, usize, Option<&'a str>)>,
    /// The finding's commit rank (parents-first), the last commit's, and the occurrences':
    /// what `report merge` needs to regroup the findings of shards.
    rank: Option<u32>,
    last_rank: Option<u32>,
    occurrence_ranks: Vec<Option<u32>>,
    /// The fingerprint of the rule and secret alone (no path): tells `report merge` which
    /// findings at other paths share the secret (`also_at`); null for path rules.
    secret_id: Option<String>,
}

/// A commit named by id and date.
#[derive(Serialize)]
pub struct CommitRef<'a> {
    id: &'a str,
    date: &'a str,
}

fn commit_ref(c: &CommitInfo) -> CommitRef<'_> {
    CommitRef {
        id: &c.id,
        date: &c.date,
    }
}

fn spread<'a>(f: &'a Finding, s: &'a crate::group::Spread) -> WireSpread<'a> {
    WireSpread {
        rank: s.rank,
        last_rank: s.last_rank,
        occurrence_ranks: s.occurrences.iter().map(|o| o.rank).collect(),
        secret_id: f
            .secret
            .as_ref()
            .filter(|x| !x.is_redacted_only())
            .map(|x| crate::fingerprint::compute(&f.rule_id, "", x.as_bytes())),
        versions: s.versions,
        last_commit: s.last_commit.as_deref().map(commit_ref),
        still_in: &s.still_in,
        removed_in: s.removed_in.as_deref().map(commit_ref),
        also_at: &s.also_at,
        occurrences: s
            .occurrences
            .iter()
            .map(|o| {
                (
                    o.commit.as_deref().map(|c| c.id.as_str()),
                    o.line,
                    o.blob_id.as_deref(),
                )
            })
            .collect(),
    }
}

/// Which part of the work a report covers (`scan --shard`, `--repos`).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Part {
    /// `--shard K/N`: `{ "index": K, "count": N, "by": "history" | "repository" }`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardOf>,
    /// The repositories (or paths) scanned, as given.
    pub repositories: Vec<String>,
    /// True when the report covers a list of repositories (`--repos`, or a merge of such
    /// reports): findings carry their repository, and every format shows it.
    #[serde(skip)]
    pub by_repository: bool,
}

/// One shard of N.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct ShardOf {
    /// 1-based.
    pub index: u32,
    /// How many shards.
    pub count: u32,
    /// What is split: the blobs of one history, or a list of repositories.
    pub by: &'static str,
}

#[derive(Serialize)]
struct Summary<'a> {
    files: u64,
    blobs: u64,
    bytes: u64,
    findings: usize,
    by_rule: BTreeMap<&'a str, usize>,
    skipped: usize,
    incomplete: bool,
    elapsed_ms: u128,
}

/// The wire form of one finding (shared with other JSON-based formats).
pub fn wire<'a>(report: &Report<'_>, f: &'a Finding) -> WireFinding<'a> {
    WireFinding {
        rule_id: &f.rule_id,
        description: &f.description,
        kind: f.kind,
        severity: f.severity,
        confidence: f.confidence,
        tags: &f.tags,
        path: f.origin.path(),
        members: f.origin.members(),
        location: f.origin.display_path(),
        line: f.line,
        column: f.column,
        end_line: f.end_line,
        end_column: f.end_column,
        offset: f.offset,
        binary: f.binary,
        matched: report.secret_text(f),
        redacted: report.redact,
        fingerprint: &f.fingerprint,
        line_hash: f.line_hash.as_deref(),
        snippet: &f.snippet,
        commit: f.origin.commit().map(|c| &**c),
        blob_id: f.origin.blob_id(),
        other_places: f.origin.other_places(),
        decoded: f.origin.decoding(),
        dropped: f.dropped.as_deref(),
        validation: f.validation.as_deref(),
        history: f.spread.as_deref().map(|s| spread(f, s)),
        repository: f.repository.as_deref(),
    }
}

impl Reporter for Json {
    fn write(&self, report: &Report<'_>, w: &mut dyn Write) -> io::Result<()> {
        let explain = !report.dropped.is_empty();
        let wire_doc = Wire {
            version: 2,
            tool: Tool {
                name: "leakscan",
                version: env!("CARGO_PKG_VERSION"),
            },
            findings: report.findings.iter().map(|f| wire(report, f)).collect(),
            dropped: explain.then(|| report.dropped.iter().map(|f| wire(report, f)).collect()),
            skipped: report.skips,
            shard: report.part.and_then(|p| p.shard),
            repositories: report.part.map(|p| p.repositories.as_slice()),
            notes: report.notes,
            summary: Summary {
                files: report.stats.files,
                blobs: report.stats.blobs,
                bytes: report.stats.bytes,
                findings: report.findings.len(),
                by_rule: report.by_rule(),
                skipped: report.skips.len(),
                incomplete: report.incomplete(),
                elapsed_ms: report.elapsed.as_millis(),
            },
        };
        serde_json::to_writer_pretty(&mut *w, &wire_doc)?;
        writeln!(w)
    }
}
