//! Markdown (GitHub-flavoured) for job summaries and pull-request comments: a verdict heading,
//! counts by kind and severity, the rules that fired, the findings (the first
//! [`MAX_ROWS`]), the inputs that could not be scanned and the notes.
//!
//! Every value from the scan (paths, rule text, authors, commit messages, snippets) goes
//! through [`cell`]: GitHub renders HTML inside Markdown, so `<`, `>` and `&` become entities,
//! and Markdown's own punctuation is backslash-escaped, so a file name cannot add a link, an
//! image, a table column or a heading. Secrets are redacted as in every format.

use std::io::{self, Write};

use super::overview::{kind_name, severity_name, Overview};
use super::{Report, Reporter};
use crate::finding::Finding;

/// Findings listed in the table; the rest are counted.
pub const MAX_ROWS: usize = 100;
/// Rules listed in the rule table; the rest are counted.
pub const MAX_RULES: usize = 25;

/// The Markdown reporter.
pub struct Markdown;

/// A value from the scan, safe in a table cell and in running text.
pub fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '#' | '|' | '~' | '!' | '@' => {
                out.push('\\');
                out.push(ch);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn location(f: &Finding) -> String {
    let path = match &f.repository {
        Some(r) => format!("{r}: {}", f.origin.display_path()),
        None => f.origin.display_path(),
    };
    if f.binary {
        format!("{path}@{}", f.offset)
    } else {
        format!("{path}:{}", f.line)
    }
}

impl Reporter for Markdown {
    fn write(&self, report: &Report<'_>, w: &mut dyn Write) -> io::Result<()> {
        let o = Overview::new(report);
        writeln!(
            w,
            "## leakscan: {}\n",
            plural(o.total, "finding", "findings")
        )?;
        let verdict = if o.total > 0 {
            ":x: Leaks found"
        } else if o.not_scanned > 0 {
            ":warning: Nothing found, but not everything could be scanned"
        } else {
            ":white_check_mark: No leaks found"
        };
        writeln!(
            w,
            "**{verdict}.** {} and {} in {} ({}) in {:.2} s.\n",
            plural(o.secrets, "secret", "secrets"),
            plural(o.internal, "internal marker", "internal markers"),
            plural(report.stats.files as usize, "file", "files"),
            super::text::human_bytes(report.stats.bytes),
            report.elapsed.as_secs_f64()
        )?;
        if o.total > 0 {
            let sev: Vec<String> = o
                .by_severity
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(s, n)| format!("{n} {}", severity_name(*s)))
                .collect();
            writeln!(w, "- By severity: {}.", sev.join(", "))?;
            if o.history_findings > 0 {
                let p: Vec<String> = o
                    .distinct_by_presence
                    .iter()
                    .filter(|(_, n)| *n > 0)
                    .map(|(p, n)| format!("{n} {}", p.label()))
                    .collect();
                writeln!(
                    w,
                    "- Distinct findings (rule, path, secret): {}.",
                    p.join(", ")
                )?;
            }
            writeln!(w, "\n| Rule | Kind | Severity | Findings |")?;
            writeln!(w, "| --- | --- | --- | ---: |")?;
            for r in o.by_rule.iter().take(MAX_RULES) {
                writeln!(
                    w,
                    "| {} | {} | {} | {} |",
                    cell(&r.id),
                    kind_name(r.kind),
                    severity_name(r.severity),
                    r.findings
                )?;
            }
            if o.by_rule.len() > MAX_RULES {
                let rest = &o.by_rule[MAX_RULES..];
                writeln!(
                    w,
                    "| … and {} more | | | {} |",
                    plural(rest.len(), "rule", "rules"),
                    rest.iter().map(|r| r.findings).sum::<usize>()
                )?;
            }
            writeln!(w, "\n### Findings\n")?;
            writeln!(
                w,
                "| Severity | Rule | Location | Commit | Finding | Fingerprint |"
            )?;
            writeln!(w, "| --- | --- | --- | --- | --- | --- |")?;
            for f in report.findings.iter().take(MAX_ROWS) {
                let commit = f.origin.commit().map_or(String::new(), |c| {
                    format!(
                        "{} {} {}",
                        cell(&c.id[..c.id.len().min(12)]),
                        cell(super::overview::day(&c.date).unwrap_or("")),
                        cell(&c.author_name)
                    )
                });
                let mut finding = match report.secret_text(f) {
                    Some(s) => format!("{}: {}", cell(&f.description), cell(&s)),
                    None => cell(&f.description),
                };
                if let Some(v) = &f.validation {
                    finding.push_str(&format!(" (checked: **{}**)", cell(&v.describe())));
                }
                writeln!(
                    w,
                    "| {} | {} | {} | {} | {} | {} |",
                    severity_name(f.severity),
                    cell(&f.rule_id),
                    cell(&location(f)),
                    commit,
                    finding,
                    cell(&f.fingerprint)
                )?;
            }
            if o.total > MAX_ROWS {
                writeln!(
                    w,
                    "\n… and {} more: see the full report (`--format html`, `json` or `sarif`).",
                    o.total - MAX_ROWS
                )?;
            }
        }
        let missed: Vec<_> = report.skips.iter().filter(|s| !s.allowed).collect();
        if !missed.is_empty() {
            writeln!(w, "\n### Not scanned ({})\n", missed.len())?;
            for s in missed.iter().take(MAX_ROWS) {
                writeln!(
                    w,
                    "- {}: not scanned, {} ({})",
                    cell(&s.path),
                    cell(&s.reason.to_string()),
                    cell(&s.detail)
                )?;
            }
            if missed.len() > MAX_ROWS {
                writeln!(w, "- … and {} more", missed.len() - MAX_ROWS)?;
            }
        }
        if !report.notes.is_empty() {
            writeln!(w)?;
            for n in report.notes {
                writeln!(w, "> {}  ", cell(n))?;
            }
        }
        writeln!(w)
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_cannot_inject() {
        assert_eq!(cell("a|b"), "a\\|b");
        assert_eq!(cell("<img src=x>"), "&lt;img src=x&gt;");
        assert_eq!(cell("[x](http://e) @me"), "\\[x\\]\\(http://e\\) \\@me");
        assert_eq!(cell("two\nlines"), "two lines");
        assert_eq!(cell("ok name"), "ok name");
    }
}
