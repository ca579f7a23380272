//! Reporters write findings, skips and the summary; they never scan.
//!
//! Every reporter receives the same [`Report`] and renders secrets only through
//! [`Report::secret_text`], which redacts unless the user passed `--no-redact`.

pub mod csv;
pub mod gitlab;
pub mod html;
pub mod json;
pub mod jsonl;
pub mod junit;
pub mod markdown;
pub mod overview;
pub mod read;
pub mod sarif;
pub mod text;

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::time::Duration;

use crate::error::Skip;
use crate::finding::Finding;
use crate::rules::RuleSet;
use crate::scan::Stats;

/// Everything a reporter needs.
pub struct Report<'a> {
    /// Findings in report order.
    pub findings: &'a [Finding],
    /// With `--explain`: dropped candidates.
    pub dropped: &'a [Finding],
    /// Inputs not scanned.
    pub skips: &'a [Skip],
    /// Counters.
    pub stats: &'a Stats,
    /// Wall time of the scan.
    pub elapsed: Duration,
    /// Redact secrets (the default).
    pub redact: bool,
    /// The rules, for descriptors.
    pub rules: &'a RuleSet,
    /// Notes for the reader (truncated history, configuration used).
    pub notes: &'a [String],
    /// Which shard and repositories the report covers (`--shard`, `--repos`).
    pub part: Option<&'a json::Part>,
}

impl Report<'_> {
    /// The secret as the report may show it: redacted unless `--no-redact`.
    pub fn secret_text(&self, f: &Finding) -> Option<String> {
        f.secret.as_ref().map(|s| {
            if self.redact {
                s.redacted()
            } else {
                s.expose()
            }
        })
    }

    /// True when the report covers a list of repositories (`--repos`, or a merge of such
    /// reports): every format then shows each finding's repository.
    pub fn per_repository(&self) -> bool {
        self.part.is_some_and(|p| p.by_repository)
    }

    /// True when something that should have been scanned was not.
    pub fn incomplete(&self) -> bool {
        self.skips.iter().any(|s| !s.allowed)
    }

    /// Findings per rule id, sorted by id.
    pub fn by_rule(&self) -> BTreeMap<&str, usize> {
        let mut m = BTreeMap::new();
        for f in self.findings {
            *m.entry(f.rule_id.as_str()).or_insert(0) += 1;
        }
        m
    }
}

/// A report format.
pub trait Reporter {
    /// Writes the report.
    fn write(&self, report: &Report<'_>, w: &mut dyn Write) -> io::Result<()>;
}
