//! CSV (RFC 4180) for spreadsheets: a header row, then one row per finding, with the JSON
//! report's fields flattened (commit fields become columns) and the same redaction. Fields are
//! quoted when they hold a comma, a quote or a line break; lines end with CRLF.
//!
//! Text that a spreadsheet would run as a formula (a cell starting with `=`, `+`, `-`, `@`, a
//! tab or a carriage return: paths, commit messages and snippets come from the scanned
//! repository) is prefixed with `'`, so opening the file never evaluates it.
//!
//! A report of several repositories (`scan --repos`, or `report merge` of such reports) has
//! a first column more, `repository`.

use std::io::{self, Write};

use super::overview::{kind_name, severity_name};
use super::{Report, Reporter};
use crate::finding::Finding;

/// The CSV reporter.
pub struct Csv;

/// The columns, in order.
pub const COLUMNS: [&str; 25] = [
    "rule_id",
    "description",
    "kind",
    "severity",
    "confidence",
    "location",
    "path",
    "line",
    "column",
    "end_line",
    "end_column",
    "offset",
    "binary",
    "match",
    "redacted",
    "fingerprint",
    "snippet",
    "commit",
    "author_name",
    "author_email",
    "date",
    "commit_summary",
    "blob_id",
    "validation",
    "dropped",
];

/// The column a report of several repositories (`--repos`, or their merge) starts with.
pub const REPOSITORY_COLUMN: &str = "repository";

/// One field, quoted when needed, formula-neutralised when `text`.
fn field(s: &str, text: bool) -> String {
    let mut v = String::with_capacity(s.len() + 2);
    if text && s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        v.push('\'');
    }
    v.push_str(s);
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

fn row(report: &Report<'_>, f: &Finding) -> Vec<String> {
    let c = f.origin.commit().map(|c| &**c);
    let confidence = match f.confidence {
        crate::rules::Confidence::Low => "low",
        crate::rules::Confidence::Medium => "medium",
        crate::rules::Confidence::High => "high",
    };
    let t = |s: &str| field(s, true);
    let n = |v: u64| v.to_string();
    vec![
        t(&f.rule_id),
        t(&f.description),
        t(kind_name(f.kind)),
        t(severity_name(f.severity)),
        t(confidence),
        t(&f.origin.display_path()),
        t(f.origin.path()),
        n(f.line as u64),
        n(f.column as u64),
        n(f.end_line as u64),
        n(f.end_column as u64),
        n(f.offset),
        f.binary.to_string(),
        t(&report.secret_text(f).unwrap_or_default()),
        report.redact.to_string(),
        t(&f.fingerprint),
        t(&f.snippet),
        t(c.map_or("", |c| c.id.as_str())),
        t(c.map_or("", |c| c.author_name.as_str())),
        t(c.map_or("", |c| c.author_email.as_str())),
        t(c.map_or("", |c| c.date.as_str())),
        t(c.map_or("", |c| c.summary.as_str())),
        t(f.origin.blob_id().unwrap_or("")),
        t(&f.validation
            .as_ref()
            .map(|v| v.describe())
            .unwrap_or_default()),
        t(f.dropped.as_deref().unwrap_or("")),
    ]
}

impl Reporter for Csv {
    fn write(&self, report: &Report<'_>, w: &mut dyn Write) -> io::Result<()> {
        let per_repository = report.per_repository();
        let mut head = COLUMNS.to_vec();
        if per_repository {
            head.insert(0, REPOSITORY_COLUMN);
        }
        write!(w, "{}\r\n", head.join(","))?;
        for f in report.findings.iter().chain(report.dropped) {
            let mut r = row(report, f);
            if per_repository {
                r.insert(0, field(f.repository.as_deref().unwrap_or(""), true));
            }
            write!(w, "{}\r\n", r.join(","))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_are_quoted_and_neutralised() {
        assert_eq!(field("plain", true), "plain");
        assert_eq!(field("a,b", true), "\"a,b\"");
        assert_eq!(field("say \"hi\"", true), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines", true), "\"two\nlines\"");
        assert_eq!(
            field("=HYPERLINK(\"x\")", true),
            "\"'=HYPERLINK(\"\"x\"\")\""
        );
        assert_eq!(field("-1", true), "'-1");
        assert_eq!(field("@sum", true), "'@sum");
        assert_eq!(field("12", false), "12");
    }
}
