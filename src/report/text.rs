//! The human-readable report: one block per finding, then a summary. Colours are written as
//! ANSI styles; the caller's stream (anstream) strips them when the output is not a terminal,
//! `NO_COLOR` is set or `--color never` was given.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

use super::{Report, Reporter};
use crate::finding::Finding;
use crate::rules::Severity;

/// The text reporter.
pub struct Text {
    /// Print the summary after the findings.
    pub summary: bool,
}

const PATH: Style = AnsiColor::Magenta.on_default().bold();
const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();

fn severity_style(s: Severity) -> Style {
    match s {
        Severity::Critical | Severity::High => AnsiColor::Red.on_default().bold(),
        Severity::Medium => AnsiColor::Yellow.on_default().bold(),
        Severity::Low | Severity::Info => AnsiColor::Cyan.on_default(),
    }
}

/// `path:line:column`, or `path@offset` in binary files.
pub fn location(f: &Finding) -> String {
    let path = f.origin.display_path();
    if f.binary {
        format!("{path}@{}", f.offset)
    } else {
        format!("{path}:{}:{}", f.line, f.column)
    }
}

fn write_finding(report: &Report<'_>, f: &Finding, w: &mut dyn Write) -> io::Result<()> {
    let sev = severity_style(f.severity);
    writeln!(
        w,
        "{PATH}{}{PATH:#} {sev}{}{sev:#} {DIM}({:?}, {:?} confidence, {:?}){DIM:#} {}",
        location(f),
        f.rule_id,
        f.severity,
        f.confidence,
        f.kind,
        f.description
    )?;
    if let Some(r) = &f.repository {
        writeln!(w, "    {DIM}repository{DIM:#}  {r}")?;
    }
    writeln!(w, "    {DIM}fingerprint{DIM:#} {}", f.fingerprint)?;
    if let Some(s) = report.secret_text(f) {
        writeln!(w, "    {DIM}match{DIM:#}       {s}")?;
    }
    if !f.snippet.is_empty() {
        writeln!(w, "    {DIM}line{DIM:#}        {}", f.snippet)?;
    }
    if let Some(d) = f.origin.decoding() {
        writeln!(
            w,
            "    {DIM}decoded{DIM:#}     {} span at line {}, column {}",
            d.encoding, d.line, d.column
        )?;
    }
    if let Some(c) = f.origin.commit() {
        let when = if c.at_or_before { "at or before" } else { "in" };
        writeln!(
            w,
            "    {DIM}commit{DIM:#}      {when} {} by {} <{}> on {}: {}",
            &c.id[..c.id.len().min(12)],
            c.author_name,
            c.author_email,
            c.date,
            c.summary
        )?;
        if f.origin.other_places() > 0 {
            writeln!(
                w,
                "    {DIM}also{DIM:#}        in {} other place(s) of the history",
                f.origin.other_places()
            )?;
        }
    }
    if let Some(s) = &f.spread {
        writeln!(w, "    {DIM}history{DIM:#}     {}", spread_text(s))?;
        if !s.also_at.is_empty() {
            writeln!(w, "    {DIM}also at{DIM:#}     {}", s.also_at.join(", "))?;
        }
    }
    if let Some(v) = &f.validation {
        let style = match v.status {
            crate::validate::Status::Valid => AnsiColor::Red.on_default().bold(),
            crate::validate::Status::Invalid => AnsiColor::Green.on_default(),
            _ => DIM,
        };
        writeln!(
            w,
            "    {DIM}checked{DIM:#}     {style}{}{style:#}",
            v.describe()
        )?;
    }
    if let Some(why) = &f.dropped {
        writeln!(w, "    {DIM}dropped{DIM:#}     {why}")?;
    }
    Ok(())
}

/// "in 3 versions (last brought by 1a2b3c4d5e6f, 2024-05-01); still in refs/heads/main".
fn spread_text(s: &crate::group::Spread) -> String {
    let short = |c: &crate::source::CommitInfo| {
        format!(
            "{}, {}",
            &c.id[..c.id.len().min(12)],
            c.date.get(..10).unwrap_or(&c.date)
        )
    };
    let mut t = if s.versions == 1 {
        "in 1 version".to_string()
    } else {
        format!("in {} versions", s.versions)
    };
    if s.versions > 1 {
        if let Some(c) = &s.last_commit {
            t.push_str(&format!(" (last brought by {})", short(c)));
        }
    }
    if !s.still_in.is_empty() {
        t.push_str(&format!("; still in {}", s.still_in.join(", ")));
    } else if let Some(c) = &s.removed_in {
        t.push_str(&format!("; gone from the file since {}", short(c)));
    } else {
        t.push_str("; in no branch tip (only in history)");
    }
    t
}

/// Writes the summary block.
pub fn write_summary(report: &Report<'_>, w: &mut dyn Write) -> io::Result<()> {
    let n = report.findings.len();
    let verdict = if n > 0 {
        AnsiColor::Red.on_default().bold()
    } else if report.incomplete() {
        AnsiColor::Yellow.on_default().bold()
    } else {
        AnsiColor::Green.on_default().bold()
    };
    writeln!(
        w,
        "{verdict}{} finding{}{verdict:#} in {} ({}) in {:.2} s",
        n,
        if n == 1 { "" } else { "s" },
        inputs(report.stats.files - report.stats.blobs, report.stats.blobs),
        human_bytes(report.stats.bytes),
        report.elapsed.as_secs_f64()
    )?;
    let mut rules: Vec<(&str, usize)> = report.by_rule().into_iter().collect();
    rules.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    for (rule, count) in rules.iter().take(RULES_SHOWN) {
        writeln!(w, "    {count:>6}  {rule}")?;
    }
    if rules.len() > RULES_SHOWN {
        let rest = &rules[RULES_SHOWN..];
        let findings: usize = rest.iter().map(|r| r.1).sum();
        writeln!(
            w,
            "    {DIM}... and {} more rules ({findings} finding{}; --format json lists them all){DIM:#}",
            rest.len(),
            if findings == 1 { "" } else { "s" }
        )?;
    }
    let (allowed, missed): (Vec<_>, Vec<_>) = report.skips.iter().partition(|s| s.allowed);
    if !allowed.is_empty() {
        let mut kinds = std::collections::BTreeMap::new();
        for s in &allowed {
            *kinds.entry(s.reason.to_string()).or_insert(0) += 1;
        }
        let list: Vec<String> = kinds.iter().map(|(k, v)| format!("{v} {k}")).collect();
        writeln!(w, "{DIM}skipped by choice: {}{DIM:#}", list.join(", "))?;
    }
    if !missed.is_empty() {
        writeln!(
            w,
            "{verdict}incomplete:{verdict:#} {} input(s) could not be scanned",
            missed.len()
        )?;
        for s in missed.iter().take(20) {
            writeln!(w, "    {}: {} ({})", s.path, s.reason, s.detail)?;
        }
        if missed.len() > 20 {
            writeln!(
                w,
                "    … and {} more (see --format json)",
                missed.len() - 20
            )?;
        }
    }
    for note in report.notes {
        writeln!(w, "{BOLD}note:{BOLD:#} {note}")?;
    }
    Ok(())
}

/// Rules listed in the summary, most findings first; the rest are counted on one line.
const RULES_SHOWN: usize = 10;

/// "3 files", "1 file and 120 blobs", "120 blobs": files of the working tree (and archive
/// members) and blobs of git history.
fn inputs(files: u64, blobs: u64) -> String {
    let files_s = format!("{files} file{}", if files == 1 { "" } else { "s" });
    let blobs_s = format!("{blobs} blob{}", if blobs == 1 { "" } else { "s" });
    match (files, blobs) {
        (_, 0) => files_s,
        (0, _) => blobs_s,
        _ => format!("{files_s} and {blobs_s}"),
    }
}

/// Bytes as B, KB, MB, GB (powers of 1000).
pub fn human_bytes(n: u64) -> String {
    let units = ["B", "KB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1000.0 && u < units.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", units[u])
    }
}

impl Reporter for Text {
    fn write(&self, report: &Report<'_>, w: &mut dyn Write) -> io::Result<()> {
        for f in report.findings {
            write_finding(report, f, w)?;
        }
        if !report.dropped.is_empty() {
            writeln!(w, "{BOLD}dropped by filters (--explain):{BOLD:#}")?;
            for f in report.dropped {
                write_finding(report, f, w)?;
            }
        }
        if self.summary {
            if !report.findings.is_empty() {
                writeln!(w)?;
            }
            write_summary(report, w)?;
        }
        Ok(())
    }
}
