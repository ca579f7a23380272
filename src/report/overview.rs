//! The figures an audit report opens with, computed once from a [`Report`] for the HTML and
//! Markdown formats: findings by kind, severity and rule; when they entered the history; which
//! paths and which authors; what is still in the working tree and what only in the history.
//!
//! Everything here is derived from what a [`Finding`] carries. Where a finding stands (working
//! tree, history and working tree, history only) is decided by [`PresenceIndex::presence`]
//! alone, so that a finding that later carries its own "still at the tip" field changes one
//! function.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::Report;
use crate::finding::Finding;
use crate::rules::{Kind, Severity};

/// Where a finding stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Presence {
    /// Found in a file on disk (uncommitted changes of a working tree, plain folders,
    /// archives, standard input): present now.
    WorkingTree,
    /// Found in a commit, and the same secret is still in the working tree at that path.
    HistoryAndTree,
    /// Found in a commit, and the tip of a branch (or `HEAD`) still holds it at that path.
    AtTip,
    /// Found in a commit only: no branch tip holds it at that path any more.
    History,
}

impl Presence {
    /// Short label for tables and filters.
    pub fn label(self) -> &'static str {
        match self {
            Presence::WorkingTree => "working tree",
            Presence::HistoryAndTree => "history + working tree",
            Presence::AtTip => "history, still at a branch tip",
            Presence::History => "history only",
        }
    }
}

/// Decides where each finding stands, from what a [`Finding`] carries today: a fingerprint is
/// (rule, path, secret), so a history finding whose fingerprint a working-tree finding shares
/// is still on disk. When findings carry whether their blob is at HEAD, this is the one place
/// that turns [`Presence::History`] into "at HEAD" and "history only".
pub struct PresenceIndex<'a> {
    in_tree: HashSet<&'a str>,
}

impl<'a> PresenceIndex<'a> {
    /// Indexes the working-tree findings of `findings`.
    pub fn new(findings: &'a [Finding]) -> PresenceIndex<'a> {
        PresenceIndex {
            in_tree: findings
                .iter()
                .filter(|f| f.origin.commit().is_none())
                .map(|f| f.fingerprint.as_str())
                .collect(),
        }
    }

    /// Where `f` stands.
    pub fn presence(&self, f: &Finding) -> Presence {
        if f.origin.commit().is_none() {
            Presence::WorkingTree
        } else if self.in_tree.contains(f.fingerprint.as_str()) {
            Presence::HistoryAndTree
        } else if f.spread.as_ref().is_some_and(|s| !s.still_in.is_empty()) {
            Presence::AtTip
        } else {
            Presence::History
        }
    }
}

/// The name a report shows for a kind.
pub fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Secret => "secret",
        Kind::Internal => "internal",
    }
}

/// The name a report shows for a severity.
pub fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "critical",
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
        Severity::Info => "info",
    }
}

/// Severities, most severe first.
pub const SEVERITIES: [Severity; 5] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];

/// Findings of one rule.
#[derive(Debug, Clone)]
pub struct RuleRow {
    /// Rule id.
    pub id: String,
    /// Rule description.
    pub description: String,
    /// Kind.
    pub kind: Kind,
    /// Severity.
    pub severity: Severity,
    /// Findings.
    pub findings: usize,
    /// Distinct fingerprints (rule, path, secret).
    pub distinct: usize,
}

/// Findings under one path or by one author.
#[derive(Debug, Clone, Default)]
pub struct CountRow {
    /// The path, or the author as `name <email>`.
    pub name: String,
    /// Findings of kind secret.
    pub secrets: usize,
    /// Findings of kind internal.
    pub internal: usize,
    /// Earliest commit date (history findings), `YYYY-MM-DD`.
    pub first: Option<String>,
    /// Latest commit date (history findings), `YYYY-MM-DD`.
    pub last: Option<String>,
}

impl CountRow {
    /// All findings.
    pub fn total(&self) -> usize {
        self.secrets + self.internal
    }

    fn add(&mut self, f: &Finding) {
        match f.kind {
            Kind::Secret => self.secrets += 1,
            Kind::Internal => self.internal += 1,
        }
        if let Some(day) = f.origin.commit().and_then(|c| day(&c.date)) {
            if self.first.as_deref().is_none_or(|d| day < d) {
                self.first = Some(day.to_string());
            }
            if self.last.as_deref().is_none_or(|d| day > d) {
                self.last = Some(day.to_string());
            }
        }
    }
}

/// One bar of the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    /// `2023`, `2023-Q2` or `2023-05`.
    pub label: String,
    /// Distinct secrets (fingerprints) first seen in this period.
    pub secrets: usize,
    /// Distinct internal markers first seen in this period.
    pub internal: usize,
}

/// The period of a timeline's bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Granularity {
    /// One bar per month (spans up to four years).
    Month,
    /// One bar per quarter (up to twelve years).
    Quarter,
    /// One bar per year.
    Year,
}

/// When findings entered the history: each distinct fingerprint counted once, in the period
/// of the earliest commit that holds it.
#[derive(Debug, Clone)]
pub struct Timeline {
    /// Bar period.
    pub granularity: Granularity,
    /// Consecutive periods from the first to the last, empty ones included.
    pub buckets: Vec<Bucket>,
}

/// The summary of a report.
#[derive(Debug, Clone)]
pub struct Overview {
    /// All findings.
    pub total: usize,
    /// Findings of kind secret.
    pub secrets: usize,
    /// Findings of kind internal.
    pub internal: usize,
    /// Distinct fingerprints.
    pub distinct: usize,
    /// Findings per severity, most severe first (zero counts included).
    pub by_severity: Vec<(Severity, usize)>,
    /// Findings per rule, most findings first, then by id.
    pub by_rule: Vec<RuleRow>,
    /// Findings per top-level path (the file, or the archive holding the member), most first.
    pub by_path: Vec<CountRow>,
    /// History findings per commit author, most first.
    pub by_author: Vec<CountRow>,
    /// Findings per presence (working tree, history and tree, history only), in that order.
    pub by_presence: Vec<(Presence, usize)>,
    /// Distinct fingerprints per presence, in the same order.
    pub distinct_by_presence: Vec<(Presence, usize)>,
    /// When history findings first appeared; `None` without history findings.
    pub timeline: Option<Timeline>,
    /// Findings from history blobs.
    pub history_findings: usize,
    /// Inputs that should have been scanned and were not.
    pub not_scanned: usize,
}

/// `YYYY-MM-DD` of an RFC 3339 date, if it has that shape.
pub fn day(date: &str) -> Option<&str> {
    let d = date.get(..10)?;
    let b = d.as_bytes();
    let shaped = b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    shaped.then_some(d)
}

fn sort_counts(map: BTreeMap<String, CountRow>) -> Vec<CountRow> {
    let mut v: Vec<CountRow> = map.into_values().collect();
    // Stable over the name order of the map: ties stay alphabetical.
    v.sort_by_key(|r| std::cmp::Reverse(r.total()));
    v
}

impl Overview {
    /// Computes the overview of `report`'s findings.
    pub fn new(report: &Report<'_>) -> Overview {
        let findings = report.findings;
        let index = PresenceIndex::new(findings);
        let mut by_severity: BTreeMap<Severity, usize> = BTreeMap::new();
        let mut rules: BTreeMap<&str, (RuleRow, BTreeSet<&str>)> = BTreeMap::new();
        let mut paths: BTreeMap<String, CountRow> = BTreeMap::new();
        let mut authors: BTreeMap<String, CountRow> = BTreeMap::new();
        let mut presence: BTreeMap<Presence, usize> = BTreeMap::new();
        let mut distinct_presence: BTreeMap<Presence, BTreeSet<&str>> = BTreeMap::new();
        let mut first_seen: BTreeMap<&str, (&str, Kind)> = BTreeMap::new();
        let mut distinct: BTreeSet<&str> = BTreeSet::new();
        let (mut secrets, mut internal, mut history) = (0, 0, 0);
        for f in findings {
            match f.kind {
                Kind::Secret => secrets += 1,
                Kind::Internal => internal += 1,
            }
            distinct.insert(&f.fingerprint);
            *by_severity.entry(f.severity).or_default() += 1;
            let (row, fps) = rules.entry(&f.rule_id).or_insert_with(|| {
                (
                    RuleRow {
                        id: f.rule_id.clone(),
                        description: f.description.clone(),
                        kind: f.kind,
                        severity: f.severity,
                        findings: 0,
                        distinct: 0,
                    },
                    BTreeSet::new(),
                )
            });
            row.findings += 1;
            fps.insert(&f.fingerprint);
            // In a report of several repositories, a path is named with its repository.
            let name = match &f.repository {
                Some(r) => format!("{r}: {}", f.origin.path()),
                None => f.origin.path().to_string(),
            };
            let p = paths.entry(name.clone()).or_default();
            p.name = name;
            p.add(f);
            let pr = index.presence(f);
            *presence.entry(pr).or_default() += 1;
            distinct_presence
                .entry(pr)
                .or_default()
                .insert(&f.fingerprint);
            if let Some(c) = f.origin.commit() {
                history += 1;
                let who = format!("{} <{}>", c.author_name, c.author_email);
                let a = authors.entry(who.clone()).or_default();
                a.name = who;
                a.add(f);
                if let Some(d) = day(&c.date) {
                    let e = first_seen.entry(&f.fingerprint).or_insert((d, f.kind));
                    if d < e.0 {
                        e.0 = d;
                    }
                }
            }
        }
        let mut by_rule: Vec<RuleRow> = rules
            .into_values()
            .map(|(mut row, fps)| {
                row.distinct = fps.len();
                row
            })
            .collect();
        by_rule.sort_by_key(|r| std::cmp::Reverse(r.findings));
        let order = [
            Presence::WorkingTree,
            Presence::HistoryAndTree,
            Presence::AtTip,
            Presence::History,
        ];
        Overview {
            total: findings.len(),
            secrets,
            internal,
            distinct: distinct.len(),
            by_severity: SEVERITIES
                .iter()
                .map(|s| (*s, by_severity.get(s).copied().unwrap_or(0)))
                .collect(),
            by_rule,
            by_path: sort_counts(paths),
            by_author: sort_counts(authors),
            by_presence: order
                .iter()
                .map(|p| (*p, presence.get(p).copied().unwrap_or(0)))
                .collect(),
            distinct_by_presence: order
                .iter()
                .map(|p| (*p, distinct_presence.get(p).map_or(0, BTreeSet::len)))
                .collect(),
            timeline: timeline(first_seen.values().copied()),
            history_findings: history,
            not_scanned: report.skips.iter().filter(|s| !s.allowed).count(),
        }
    }

    /// Findings of `kind`.
    pub fn of_kind(&self, kind: Kind) -> usize {
        match kind {
            Kind::Secret => self.secrets,
            Kind::Internal => self.internal,
        }
    }
}

/// Buckets `(day, kind)` pairs into consecutive periods, the period chosen from the span.
fn timeline<'a>(days: impl Iterator<Item = (&'a str, Kind)>) -> Option<Timeline> {
    // Months since year 0 of each entry.
    let months: Vec<(i64, Kind)> = days
        .filter_map(|(d, k)| {
            let y: i64 = d.get(..4)?.parse().ok()?;
            let m: i64 = d.get(5..7)?.parse().ok()?;
            (1..=12).contains(&m).then_some((y * 12 + m - 1, k))
        })
        .collect();
    let lo = months.iter().map(|m| m.0).min()?;
    let hi = months.iter().map(|m| m.0).max()?;
    let span = hi - lo + 1;
    let granularity = if span <= 48 {
        Granularity::Month
    } else if span <= 144 {
        Granularity::Quarter
    } else {
        Granularity::Year
    };
    let period = |m: i64| match granularity {
        Granularity::Month => m,
        Granularity::Quarter => m.div_euclid(3),
        Granularity::Year => m.div_euclid(12),
    };
    let label = |p: i64| match granularity {
        Granularity::Month => format!("{:04}-{:02}", p.div_euclid(12), p.rem_euclid(12) + 1),
        Granularity::Quarter => format!("{:04}-Q{}", p.div_euclid(4), p.rem_euclid(4) + 1),
        Granularity::Year => format!("{p:04}"),
    };
    let (first, last) = (period(lo), period(hi));
    let mut buckets: Vec<Bucket> = (first..=last)
        .map(|p| Bucket {
            label: label(p),
            secrets: 0,
            internal: 0,
        })
        .collect();
    for (m, k) in months {
        let b = &mut buckets[(period(m) - first) as usize];
        match k {
            Kind::Secret => b.secrets += 1,
            Kind::Internal => b.internal += 1,
        }
    }
    Some(Timeline {
        granularity,
        buckets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_shapes() {
        assert_eq!(day("2023-02-25T20:08:41+05:30"), Some("2023-02-25"));
        assert_eq!(day("2023-2-25"), None);
        assert_eq!(day(""), None);
    }

    #[test]
    fn timeline_periods_follow_the_span() {
        let t = timeline(
            [
                ("2020-01-05", Kind::Secret),
                ("2020-03-01", Kind::Internal),
                ("2020-03-09", Kind::Secret),
            ]
            .into_iter(),
        );
        let t = t.map(|t| (t.granularity, t.buckets));
        assert_eq!(
            t,
            Some((
                Granularity::Month,
                vec![
                    Bucket {
                        label: "2020-01".into(),
                        secrets: 1,
                        internal: 0
                    },
                    Bucket {
                        label: "2020-02".into(),
                        secrets: 0,
                        internal: 0
                    },
                    Bucket {
                        label: "2020-03".into(),
                        secrets: 1,
                        internal: 1
                    },
                ]
            ))
        );
        let q = timeline([("2015-12-31", Kind::Secret), ("2020-01-01", Kind::Secret)].into_iter());
        let q = q.map(|t| {
            (
                t.granularity,
                t.buckets.first().map(|b| b.label.clone()),
                t.buckets.len(),
            )
        });
        assert_eq!(q, Some((Granularity::Quarter, Some("2015-Q4".into()), 18)));
        let y = timeline([("2001-06-01", Kind::Secret), ("2020-01-01", Kind::Secret)].into_iter());
        assert_eq!(y.map(|t| t.buckets.len()), Some(20));
        assert!(timeline(std::iter::empty()).is_none());
    }
}
