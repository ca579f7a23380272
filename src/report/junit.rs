//! The JUnit XML report, for CI systems that show test reports (GitLab `artifacts:reports:junit`,
//! Jenkins, Azure Pipelines, CircleCI).
//!
//! One `<testsuite name="leakscan">` holding one `<testcase>` per finding, failed with the rule
//! id as the failure type, its `classname` the file (the display path, archive members included)
//! and its `name` the rule id and line. Inputs that could not be scanned are test cases too:
//! `<error>` when that makes the scan incomplete, `<skipped>` when the skip was chosen (media
//! files, `--max-file-size`). A clean, complete scan is one passing test case, `no leaks`, so the
//! CI always shows a test. Secrets appear only redacted (unless `--no-redact`).

use std::io::{self, Write};

use super::{Report, Reporter};
use crate::error::Skip;
use crate::finding::Finding;

/// The JUnit reporter.
pub struct Junit;

impl Reporter for Junit {
    fn write(&self, report: &Report<'_>, w: &mut dyn Write) -> io::Result<()> {
        let failures = report.findings.len();
        let errors = report.skips.iter().filter(|s| !s.allowed).count();
        let skipped = report.skips.len() - errors;
        let clean = failures == 0 && report.skips.is_empty();
        let tests = failures + report.skips.len() + usize::from(clean);
        let time = format!("{:.3}", report.elapsed.as_secs_f64());
        writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        writeln!(
            w,
            r#"<testsuites name="leakscan" tests="{tests}" failures="{failures}" errors="{errors}" skipped="{skipped}" time="{time}">"#
        )?;
        writeln!(
            w,
            r#"  <testsuite name="leakscan" tests="{tests}" failures="{failures}" errors="{errors}" skipped="{skipped}" time="{time}">"#
        )?;
        for f in report.findings {
            write_finding(report, f, w)?;
        }
        for s in report.skips {
            write_skip(s, w)?;
        }
        if clean {
            writeln!(
                w,
                r#"    <testcase classname="leakscan" name="no leaks" time="0"/>"#
            )?;
        }
        writeln!(w, "  </testsuite>")?;
        writeln!(w, "</testsuites>")
    }
}

fn write_finding(report: &Report<'_>, f: &Finding, w: &mut dyn Write) -> io::Result<()> {
    let file = f.origin.display_path();
    let line = if f.origin.members().is_empty() {
        f.line
    } else {
        1
    };
    writeln!(
        w,
        r#"    <testcase classname="{}" name="{} at line {}" file="{}" line="{line}" time="0">"#,
        esc(&file),
        esc(&f.rule_id),
        f.line,
        esc(f.origin.path()),
    )?;
    let message = super::sarif::message(f);
    writeln!(
        w,
        r#"      <failure type="{}" message="{}">"#,
        esc(&f.rule_id),
        esc(&message)
    )?;
    let mut body = vec![
        format!("rule: {} ({})", f.rule_id, f.description),
        format!(
            "severity: {:?}, confidence: {:?}, kind: {:?}",
            f.severity, f.confidence, f.kind
        )
        .to_lowercase(),
        format!("location: {}", crate::report::text::location(f)),
    ];
    if let Some(s) = report.secret_text(f) {
        body.push(format!("match: {s}"));
    }
    if !f.snippet.is_empty() {
        body.push(format!("line: {}", f.snippet));
    }
    if let Some(c) = f.origin.commit() {
        body.push(format!(
            "commit: {} by {} <{}> on {}",
            c.id, c.author_name, c.author_email, c.date
        ));
    }
    if let Some(v) = &f.validation {
        body.push(format!("validation: {}", v.describe()));
    }
    body.push(format!("fingerprint: {}", f.fingerprint));
    writeln!(w, "{}", esc(&body.join("\n")))?;
    writeln!(w, "      </failure>")?;
    writeln!(w, "    </testcase>")
}

fn write_skip(s: &Skip, w: &mut dyn Write) -> io::Result<()> {
    writeln!(
        w,
        r#"    <testcase classname="{}" name="not scanned: {}" time="0">"#,
        esc(&s.path),
        esc(&s.reason.to_string())
    )?;
    let tag = if s.allowed { "skipped" } else { "error" };
    writeln!(
        w,
        r#"      <{tag} message="{}"/>"#,
        esc(&format!("{}: {}", s.reason, s.detail))
    )?;
    writeln!(w, "    </testcase>")
}

/// XML-escapes text for attributes and bodies, dropping characters XML 1.0 cannot carry.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(
            esc("a<b>&\"c'\u{1}"),
            "a&lt;b&gt;&amp;&quot;c&apos;\u{FFFD}"
        );
    }
}
