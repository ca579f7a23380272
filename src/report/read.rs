//! Reading a JSON report (schema version 2, see [`super::json`]) back into the findings, skips
//! and counters every reporter takes, so that `report merge` writes any format with the
//! reporters a scan uses.
//!
//! What a report holds comes back as it was written: locations, commits, the grouped history
//! (`history`), fingerprints, GitHub line hashes, validation verdicts, repositories. A secret
//! comes back as the report held it: from a redacted report only its redacted form is known
//! ([`Secret::from_redacted`]), so nothing written from it can show more; from a report
//! written with `--no-redact`, the secret itself.
//!
//! What a report does not hold cannot come back: the author, email and message of the *last*
//! and *removing* commits of a grouped finding (their id and date are kept), the blob ids of
//! every version, and rule remediation text beyond the built-in rules'.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Error, Skip};
use crate::finding::{Finding, Occurrence, Spread};
use crate::redact::Secret;
use crate::scan::Stats;
use crate::source::{CommitInfo, Decoded, Origin};

/// What a JSON report holds, ready for a [`super::Report`].
#[derive(Debug, Default)]
pub struct Read {
    /// Findings, in the report's order.
    pub findings: Vec<Finding>,
    /// With `--explain`: the dropped candidates.
    pub dropped: Vec<Finding>,
    /// Inputs not scanned.
    pub skips: Vec<Skip>,
    /// Counters.
    pub stats: Stats,
    /// Notes for the reader.
    pub notes: Vec<String>,
    /// The repositories the report covers.
    pub repositories: Vec<String>,
    /// Wall time recorded in the summary, in milliseconds.
    pub elapsed_ms: u64,
}

fn bad(what: &str, detail: impl std::fmt::Display) -> Error {
    Error::Usage(format!("not a leakscan JSON report: {what}: {detail}"))
}

fn field<T: DeserializeOwned>(v: &Value, k: &str) -> Result<T, Error> {
    serde_json::from_value(v.get(k).cloned().unwrap_or(Value::Null))
        .map_err(|e| bad(&format!("field {k:?}"), e))
}

fn opt<T: DeserializeOwned>(v: &Value, k: &str) -> Result<Option<T>, Error> {
    field::<Option<T>>(v, k)
}

/// A commit known by id and date only (`last_commit`, `removed_in`, occurrences).
fn commit_ref(v: &Value) -> Option<Arc<CommitInfo>> {
    let id = v.get("id").and_then(Value::as_str)?;
    Some(Arc::new(CommitInfo {
        id: id.to_string(),
        date: v
            .get("date")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        ..CommitInfo::default()
    }))
}

/// Where a finding is, from `path`, `members`, `blob_id`, `commit`, `other_places` and
/// `decoded`.
fn origin(f: &Value) -> Result<Origin, Error> {
    let path: String = field(f, "path")?;
    let blob: Option<String> = opt(f, "blob_id")?;
    let commit: Option<CommitInfo> = opt(f, "commit")?;
    let other_places: usize = opt(f, "other_places")?.unwrap_or(0);
    let mut o = match (blob, commit) {
        (Some(id), Some(c)) => Origin::Blob {
            path,
            id,
            commit: Some(Arc::new(c)),
            other_places,
        },
        (Some(id), None) => Origin::Staged {
            path,
            id,
            other_places,
        },
        (None, _) if path == "-" => Origin::Stdin,
        (None, _) => Origin::file(path),
    };
    let members: Vec<String> = opt(f, "members")?.unwrap_or_default();
    for m in members {
        o = o.member(m);
    }
    if let Some(d) = opt::<Decoded>(f, "decoded")? {
        o = Origin::Decoded {
            parent: Box::new(o),
            decoded: d,
        };
    }
    Ok(o)
}

/// The grouped history of a finding (`history`).
fn spread(h: &Value) -> Result<Spread, Error> {
    let occurrences: Vec<(Option<String>, usize, Option<String>)> =
        opt(h, "occurrences")?.unwrap_or_default();
    let ranks: Vec<Option<u32>> = opt(h, "occurrence_ranks")?.unwrap_or_default();
    Ok(Spread {
        versions: opt(h, "versions")?.unwrap_or(1),
        occurrences: occurrences
            .into_iter()
            .enumerate()
            .map(|(i, (c, line, blob))| Occurrence {
                commit: c.map(|id| {
                    Arc::new(CommitInfo {
                        id,
                        ..CommitInfo::default()
                    })
                }),
                blob_id: blob,
                line,
                rank: ranks.get(i).copied().flatten(),
            })
            .collect(),
        last_commit: h.get("last_commit").and_then(commit_ref),
        still_in: opt(h, "still_in")?.unwrap_or_default(),
        removed_in: h.get("removed_in").and_then(commit_ref),
        also_at: opt(h, "also_at")?.unwrap_or_default(),
        blobs: Vec::new(),
        rank: opt(h, "rank")?,
        last_rank: opt(h, "last_rank")?,
    })
}

/// One finding of the report.
pub fn finding(f: &Value) -> Result<Finding, Error> {
    let redacted: bool = opt(f, "redacted")?.unwrap_or(true);
    let secret = opt::<String>(f, "match")?.map(|m| {
        if redacted {
            Secret::from_redacted(&m)
        } else {
            Secret::new(m.as_bytes())
        }
    });
    Ok(Finding {
        rule_id: field(f, "rule_id")?,
        description: opt(f, "description")?.unwrap_or_default(),
        kind: field(f, "kind")?,
        severity: field(f, "severity")?,
        confidence: field(f, "confidence")?,
        tags: opt(f, "tags")?.unwrap_or_default(),
        origin: origin(f)?,
        line: opt(f, "line")?.unwrap_or(1),
        column: opt(f, "column")?.unwrap_or(1),
        end_line: opt(f, "end_line")?.unwrap_or(1),
        end_column: opt(f, "end_column")?.unwrap_or(1),
        offset: opt(f, "offset")?.unwrap_or(0),
        binary: opt(f, "binary")?.unwrap_or(false),
        secret,
        snippet: opt(f, "snippet")?.unwrap_or_default(),
        fingerprint: field(f, "fingerprint")?,
        line_hash: opt(f, "line_hash")?,
        dropped: opt(f, "dropped")?,
        commit_allow: Vec::new(),
        validation: opt(f, "validation")?,
        spread: match f.get("history") {
            Some(h) if h.is_object() => Some(Box::new(spread(h)?)),
            _ => None,
        },
        repository: opt(f, "repository")?,
    })
}

/// Reads a whole JSON report (a scan's or a merge's).
pub fn report(doc: &Value) -> Result<Read, Error> {
    let list = |k: &str| -> Result<Vec<Finding>, Error> {
        doc.get(k)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(finding)
            .collect()
    };
    let summary = doc.get("summary").cloned().unwrap_or(Value::Null);
    Ok(Read {
        findings: list("findings")?,
        dropped: list("dropped")?,
        skips: opt(doc, "skipped")?.unwrap_or_default(),
        stats: Stats {
            files: opt(&summary, "files")?.unwrap_or(0),
            blobs: opt(&summary, "blobs")?.unwrap_or(0),
            bytes: opt(&summary, "bytes")?.unwrap_or(0),
        },
        notes: opt(doc, "notes")?.unwrap_or_default(),
        repositories: opt(doc, "repositories")?.unwrap_or_default(),
        elapsed_ms: opt(&summary, "elapsed_ms")?.unwrap_or(0),
    })
}
