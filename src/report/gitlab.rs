//! GitLab's secret-detection report (`artifacts:reports:secret_detection`), security report
//! schema version 15.0.7 (`secret-detection-report-format.json` of GitLab's
//! security-report-schemas), so findings show in merge-request widgets and the vulnerability
//! report.
//!
//! ```text
//! { "version": "15.0.7",
//!   "vulnerabilities": [ {
//!       "id",            // UUID-shaped digest of the leakscan/v2 fingerprint, commit and line: stable across runs
//!       "name",          // rule description
//!       "description",   // the redacted message (as in SARIF)
//!       "severity",      // Critical | High | Medium | Low | Info
//!       "solution",      // the rule's remediation, or how to rotate and purge
//!       "identifiers": [ { "type": "leakscan_rule_id", "name", "value": rule id } ],
//!       "location": { "file", "start_line", "end_line",
//!                     "commit": { "sha", "author", "date", "message" } } } ],   // sha "0000000" outside history
//!   "scan": { "analyzer", "scanner": { "id": "leakscan", "name", "version", "vendor" },
//!             "type": "secret_detection", "start_time", "end_time", "status", "messages" } }
//! ```
//!
//! The secret itself is never written (GitLab's `raw_source_code_extract` is left out): the
//! report is a job artifact. Findings in archive members point at the archive, the member is in
//! the description. Skipped inputs become `scan.messages` warnings.

use std::io::{self, Write};
use std::time::{Duration, SystemTime};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{Report, Reporter};
use crate::finding::Finding;
use crate::rules::Severity;

/// The schema version written.
pub const SCHEMA_VERSION: &str = "15.0.7";

/// The GitLab reporter.
pub struct Gitlab;

impl Reporter for Gitlab {
    fn write(&self, report: &Report<'_>, w: &mut dyn Write) -> io::Result<()> {
        let end = SystemTime::now();
        let start = end.checked_sub(report.elapsed).unwrap_or(end);
        let tool = json!({
            "id": "leakscan",
            "name": "leakscan",
            "version": env!("CARGO_PKG_VERSION"),
            "vendor": { "name": "leakscan" },
        });
        let messages: Vec<Value> = report
            .skips
            .iter()
            .map(|s| json!({ "level": if s.allowed { "info" } else { "warning" }, "value": format!("{}: not scanned ({}): {}", s.path, s.reason, s.detail) }))
            .collect();
        let doc = json!({
            "version": SCHEMA_VERSION,
            "vulnerabilities": report.findings.iter().map(|f| vulnerability(report, f)).collect::<Vec<_>>(),
            "scan": {
                "analyzer": tool,
                "scanner": tool,
                "type": "secret_detection",
                "start_time": timestamp(start),
                "end_time": timestamp(end),
                "status": if report.incomplete() { "failure" } else { "success" },
                "messages": messages,
            },
        });
        serde_json::to_writer_pretty(&mut *w, &doc)?;
        writeln!(w)
    }
}

fn vulnerability(report: &Report<'_>, f: &Finding) -> Value {
    let commit = match f.origin.commit() {
        Some(c) => {
            json!({ "sha": c.id, "author": format!("{} <{}>", c.author_name, c.author_email), "date": c.date, "message": c.summary })
        }
        None => json!({ "sha": "0000000" }),
    };
    let (start, end) = if f.origin.members().is_empty() && f.secret.is_some() {
        (f.line, f.end_line)
    } else {
        (1, 1)
    };
    let mut v = json!({
        "id": id(f),
        "name": f.description,
        "description": super::sarif::message(f),
        "severity": severity(f.severity),
        "solution": solution(report, f),
        "identifiers": [ {
            "type": "leakscan_rule_id",
            "name": format!("leakscan rule {}", f.rule_id),
            "value": f.rule_id,
        } ],
        "location": {
            "file": f.origin.path(),
            "start_line": start,
            "end_line": end,
            "commit": commit,
        },
    });
    if let Some(d) = details(f) {
        v["details"] = d;
    }
    v
}

/// With `--validate`: the verdict as a `details` text field.
fn details(f: &Finding) -> Option<Value> {
    f.validation.as_ref().map(|v| {
        json!({ "validation": { "type": "text", "name": "Validation", "value": v.describe() } })
    })
}

fn solution(report: &Report<'_>, f: &Finding) -> String {
    let purge =
        "Then purge it from the git history (git filter-repo --replace-text) and force-push.";
    match report.rules.get(&f.rule_id).and_then(|r| r.remediation.as_deref()) {
        Some(r) => format!("{} {purge}", r.trim_end()),
        None => format!("Revoke or rotate the credential where it was issued and remove it from the code. {purge}"),
    }
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
        Severity::Info => "Info",
    }
}

/// A UUID-shaped digest (version 8 bits set) of what makes the vulnerability unique.
fn id(f: &Finding) -> String {
    let commit = f.origin.commit().map_or("", |c| c.id.as_str());
    let mut h = Sha256::new();
    for part in [
        f.fingerprint.as_str(),
        commit,
        &f.line.to_string(),
        &f.column.to_string(),
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    let mut b: [u8; 16] = h.finalize()[..16].try_into().unwrap_or([0; 16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let x = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &x[..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..]
    )
}

/// `YYYY-MM-DDTHH:MM:SS` in UTC, the form the schema's pattern requires.
fn timestamp(t: SystemTime) -> String {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = crate::civil::civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_civil_dates() {
        assert_eq!(timestamp(SystemTime::UNIX_EPOCH), "1970-01-01T00:00:00");
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_709_210_096); // leap day 2024
        assert_eq!(timestamp(t), "2024-02-29T12:34:56");
    }
}
