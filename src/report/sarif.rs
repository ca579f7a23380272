//! The SARIF 2.1.0 report, shaped for GitHub code scanning (what it reads, its limits and its
//! fingerprints are described in the README, "SARIF and code scanning").
//!
//! One run (one per repository for a `--repos` report, each with its repository as
//! `automationDetails` category, root or `versionControlProvenance`, and `properties`); one
//! rule descriptor per rule that fired, with markdown help, tags, precision and a
//! `security-severity`; one result per finding, located relative to `%SRCROOT%` (the scan
//! root). Messages show the secret redacted whatever `--no-redact` says: a SARIF file is an
//! artifact that others download. Skipped inputs become tool-execution notifications, and an
//! incomplete scan sets `executionSuccessful: false`. Past GitHub's upload limits the lowest
//! severity results are left out, the file stays valid, and [`Rendered::warnings`] says so.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Value};
use serde_sarif::sarif;

use super::{Report, Reporter};
use crate::finding::Finding;
use crate::fingerprint;
use crate::rules::{Confidence, Kind, Rule, Severity};

/// The `$schema` GitHub and the SARIF Multitool recognise.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The base id of every relative location: the scan root.
pub const SRCROOT: &str = "%SRCROOT%";

/// GitHub code scanning's upload limits.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Results per run (GitHub rejects more than 25,000).
    pub max_results: usize,
    /// Size of the gzip-compressed file (GitHub rejects more than 10 MB).
    pub max_gzip_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_results: 25_000,
            max_gzip_bytes: 10_000_000,
        }
    }
}

/// The SARIF reporter.
#[derive(Clone, Debug, Default)]
pub struct Sarif {
    /// The scan root as an absolute path, recorded as `%SRCROOT%` and the working directory.
    pub root: Option<PathBuf>,
    /// Upload limits to respect.
    pub limits: Limits,
}

/// A rendered SARIF file and what had to be left out of it.
#[derive(Debug)]
pub struct Rendered {
    /// The file.
    pub bytes: Vec<u8>,
    /// One line per limit that was hit, for standard error.
    pub warnings: Vec<String>,
}

impl Reporter for Sarif {
    fn write(&self, report: &Report<'_>, w: &mut dyn Write) -> io::Result<()> {
        w.write_all(&self.render(report)?.bytes)
    }
}

impl Sarif {
    /// Renders the report within the limits.
    pub fn render(&self, report: &Report<'_>) -> io::Result<Rendered> {
        let all: Vec<&Finding> = report.findings.iter().collect();
        let mut kept = keep_most_severe(&all, self.limits.max_results);
        let mut warnings = Vec::new();
        if kept.len() < all.len() {
            warnings.push(format!(
                "sarif: {} of {} results left out: GitHub code scanning accepts at most {} results per run (the most severe are kept)",
                all.len() - kept.len(),
                all.len(),
                self.limits.max_results
            ));
        }
        let mut shrunk = false;
        loop {
            let omitted = all.len() - kept.len();
            let bytes = to_bytes(&self.build(report, &kept, omitted))?;
            let gz = gzip_len(&bytes)?;
            if gz <= self.limits.max_gzip_bytes || kept.is_empty() {
                if shrunk {
                    warnings.push(format!(
                        "sarif: {omitted} of {} results left out so that the gzip-compressed file stays under GitHub's {} bytes",
                        all.len(),
                        self.limits.max_gzip_bytes
                    ));
                }
                return Ok(Rendered { bytes, warnings });
            }
            // Shrink in proportion to the excess, and by a tenth at least.
            let ratio = (self.limits.max_gzip_bytes as f64 / gz as f64).min(0.9);
            kept = keep_most_severe(&kept, ((kept.len() as f64) * ratio) as usize);
            shrunk = true;
        }
    }

    fn build(&self, report: &Report<'_>, findings: &[&Finding], omitted: usize) -> sarif::Sarif {
        let repositories = report.part.map_or(0, |p| p.repositories.len())
            + report
                .findings
                .iter()
                .filter(|f| f.repository.is_some())
                .count();
        let runs = if report.per_repository() && repositories > 0 {
            // One run per repository, each located in its own repository (see the module
            // documentation of `cmd::merge` for uploading them to code scanning).
            let mut repos: Vec<&str> = report
                .part
                .map(|p| p.repositories.iter().map(String::as_str).collect())
                .unwrap_or_default();
            for f in report.findings {
                let r = f.repository.as_deref().unwrap_or_default();
                if !repos.contains(&r) {
                    repos.push(r);
                }
            }
            repos
                .into_iter()
                .map(|repo| {
                    let of = |f: &&Finding| f.repository.as_deref().unwrap_or_default() == repo;
                    let mine: Vec<&Finding> = findings.iter().copied().filter(of).collect();
                    let found = report.findings.iter().filter(of).count();
                    self.run(report, &mine, found, Some(repo))
                })
                .collect()
        } else {
            vec![self.run(report, findings, omitted + findings.len(), None)]
        };
        sarif::Sarif::builder()
            .schema(SCHEMA_URI)
            .version(json!("2.1.0"))
            .runs(runs)
            .build()
    }

    /// One run: `findings` (of `found` found) of `repository`, or of the whole report.
    fn run(
        &self,
        report: &Report<'_>,
        findings: &[&Finding],
        found: usize,
        repository: Option<&str>,
    ) -> sarif::Run {
        let omitted = found - findings.len();
        let rule_ids: Vec<&str> = {
            let mut ids: Vec<&str> = findings.iter().map(|f| f.rule_id.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        };
        let index: BTreeMap<&str, usize> = rule_ids
            .iter()
            .enumerate()
            .map(|(i, id)| (*id, i))
            .collect();
        let descriptors = rule_ids
            .iter()
            .map(|id| {
                let first = findings.iter().find(|f| f.rule_id == *id).copied();
                descriptor(id, report.rules.get(id), first)
            })
            .collect::<Vec<_>>();
        let mut digests: BTreeMap<String, usize> = BTreeMap::new();
        let results = findings
            .iter()
            .map(|f| result(report, f, index[f.rule_id.as_str()], &mut digests))
            .collect::<Vec<_>>();
        let driver = sarif::ToolComponent::builder()
            .name("leakscan")
            .full_name(format!("leakscan {}", env!("CARGO_PKG_VERSION")))
            .semantic_version(env!("CARGO_PKG_VERSION"))
            .rules(descriptors)
            .build();
        // A repository of a `--repos` list is its own root: a local folder by its path, a
        // remote one by its URL.
        let root = match repository {
            Some(r) => Path::new(r)
                .is_dir()
                .then(|| std::fs::canonicalize(r).ok())
                .flatten(),
            None => self.root.clone(),
        };
        let mut run = sarif::Run::builder()
            .tool(driver)
            .results(results)
            .invocations(vec![self.invocation(
                report,
                root.as_deref(),
                omitted,
                found,
            )])
            .column_kind(json!("unicodeCodePoints"))
            .build();
        if let Some(root) = &root {
            let base = sarif::ArtifactLocation::builder()
                .uri(dir_uri(root))
                .build();
            run.original_uri_base_ids = Some(BTreeMap::from([(SRCROOT.to_string(), base)]));
        }
        let mut props = serde_json::Map::new();
        if let Some(r) = repository {
            run.automation_details = Some(
                sarif::RunAutomationDetails::builder()
                    .id(format!("leakscan/{}/", r.trim_end_matches('/')))
                    .build(),
            );
            if root.is_none() && r.contains("://") {
                run.version_control_provenance =
                    Some(vec![sarif::VersionControlDetails::builder()
                        .repository_uri(r)
                        .build()]);
            }
            props.insert("repository".into(), json!(r));
        }
        if omitted > 0 {
            props.insert("resultsOmitted".into(), json!(omitted));
            props.insert("resultsFound".into(), json!(found));
        }
        if !props.is_empty() {
            run.properties = Some(bag(Value::Object(props)));
        }
        run
    }

    fn invocation(
        &self,
        report: &Report<'_>,
        root: Option<&Path>,
        omitted: usize,
        found: usize,
    ) -> sarif::Invocation {
        let mut notes: Vec<sarif::Notification> =
            report.skips.iter().map(skip_notification).collect();
        for n in report.notes {
            notes.push(notification("note", n.clone(), None));
        }
        if omitted > 0 {
            let text = format!(
                "{omitted} of {found} results were left out to respect GitHub's upload limits."
            );
            notes.push(notification("warning", text, None));
        }
        let mut inv = sarif::Invocation::builder()
            .execution_successful(!report.incomplete())
            .properties(bag(json!({
                "filesScanned": report.stats.files,
                "bytesScanned": report.stats.bytes,
                "skipped": report.skips.len(),
            })))
            .build();
        if !notes.is_empty() {
            inv.tool_execution_notifications = Some(notes);
        }
        if let Some(root) = root {
            inv.working_directory = Some(
                sarif::ArtifactLocation::builder()
                    .uri(dir_uri(root))
                    .build(),
            );
        }
        inv
    }
}

/// The `n` most severe findings, in their original (report) order.
fn keep_most_severe<'a>(findings: &[&'a Finding], n: usize) -> Vec<&'a Finding> {
    if findings.len() <= n {
        return findings.to_vec();
    }
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(findings[i].severity));
    let mut keep: Vec<usize> = order.into_iter().take(n).collect();
    keep.sort_unstable();
    keep.into_iter().map(|i| findings[i]).collect()
}

fn to_bytes(doc: &sarif::Sarif) -> io::Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(doc)?;
    bytes.push(b'\n');
    Ok(bytes)
}

fn gzip_len(bytes: &[u8]) -> io::Result<usize> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes)?;
    Ok(enc.finish()?.len())
}

fn bag(v: Value) -> sarif::PropertyBag {
    let additional_properties = match v {
        Value::Object(m) => m.into_iter().collect(),
        _ => BTreeMap::new(),
    };
    sarif::PropertyBag {
        tags: None,
        additional_properties,
    }
}

fn text(s: impl Into<String>) -> sarif::MultiformatMessageString {
    sarif::MultiformatMessageString::builder().text(s).build()
}

/// Result and default level: high and critical are errors, medium a warning, the rest notes.
fn level(s: Severity) -> sarif::ResultLevel {
    match s {
        Severity::Critical | Severity::High => sarif::ResultLevel::Error,
        Severity::Medium => sarif::ResultLevel::Warning,
        Severity::Low | Severity::Info => sarif::ResultLevel::Note,
    }
}

/// GitHub's `security-severity`: > 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, below low.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// GitHub's `precision` from the rule's confidence.
fn precision(c: Confidence) -> &'static str {
    match c {
        Confidence::High => "very-high",
        Confidence::Medium => "high",
        Confidence::Low => "low",
    }
}

/// What a rule is about, for descriptors: from the rule when known, else from a finding.
struct RuleFacts<'a> {
    id: &'a str,
    description: &'a str,
    kind: Kind,
    severity: Severity,
    confidence: Confidence,
    tags: &'a [String],
    remediation: Option<&'a str>,
}

fn descriptor(
    id: &str,
    rule: Option<&Rule>,
    first: Option<&Finding>,
) -> sarif::ReportingDescriptor {
    let facts = match (rule, first) {
        (Some(r), _) => RuleFacts {
            id,
            description: &r.description,
            kind: r.kind,
            severity: r.severity,
            confidence: r.confidence,
            tags: &r.tags,
            remediation: r.remediation.as_deref(),
        },
        (None, Some(f)) => RuleFacts {
            id,
            description: &f.description,
            kind: f.kind,
            severity: f.severity,
            confidence: f.confidence,
            tags: &f.tags,
            remediation: None,
        },
        (None, None) => RuleFacts {
            id,
            description: id,
            kind: Kind::Secret,
            severity: Severity::Medium,
            confidence: Confidence::Medium,
            tags: &[],
            remediation: None,
        },
    };
    let (help_text, help_md) = help(&facts);
    let full = format!(
        "{}. leakscan rule {} reports {} ({} severity, {} confidence).",
        facts.description.trim_end_matches('.'),
        facts.id,
        match facts.kind {
            Kind::Secret => "a credential written into a file",
            Kind::Internal => "an internal marker or file that must not be published",
        },
        lower(facts.severity),
        lower(facts.confidence),
    );
    let props = json!({
        "tags": tags(&facts),
        "precision": precision(facts.confidence),
        "security-severity": security_severity(facts.severity),
    });
    let level_name = level(facts.severity).to_string();
    sarif::ReportingDescriptor::builder()
        .id(id)
        .name(pascal_case(id))
        .short_description(text(clip(facts.description, 1024)))
        .full_description(text(clip(&full, 1024)))
        .help(
            sarif::MultiformatMessageString::builder()
                .text(help_text)
                .markdown(help_md)
                .build(),
        )
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(json!(level_name))
                .build(),
        )
        .properties(bag(props))
        .build()
}

fn lower(v: impl std::fmt::Debug) -> String {
    format!("{v:?}").to_lowercase()
}

/// `security`, the kind, its CWE, then the rule's own tags; at most 10 (GitHub keeps 10).
fn tags(facts: &RuleFacts<'_>) -> Vec<String> {
    let (kind, cwe) = match facts.kind {
        Kind::Secret => ("secret", "external/cwe/cwe-798"),
        Kind::Internal => ("internal", "external/cwe/cwe-540"),
    };
    let mut out: Vec<String> = vec!["security".into(), kind.into(), cwe.into()];
    for t in facts.tags {
        if !out.contains(t) && !t.is_empty() {
            out.push(t.clone());
        }
    }
    out.truncate(10);
    out
}

/// `github-pat` -> `GithubPat`: the friendly name SARIF viewers expect.
fn pascal_case(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next().map_or(String::new(), |f| {
                f.to_ascii_uppercase().to_string() + c.as_str()
            })
        })
        .collect()
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max - 1).collect();
    t.push('…');
    t
}

/// The rule's help in plain text and markdown: what leaked, what to do now, how to purge it.
fn help(f: &RuleFacts<'_>) -> (String, String) {
    let what = match f.kind {
        // Descriptions are noun phrases of every shape ("Anthropic API key", "A private key
        // in PEM form", "curl with user:password"): no article fits them all, a heading does.
        Kind::Secret => format!(
            "Found in the repository: {}.",
            f.description.trim_end_matches('.')
        ),
        Kind::Internal => format!(
            "An internal marker was found: {}.",
            f.description.trim_end_matches('.')
        ),
    };
    let fix = f.remediation.map(str::to_string).unwrap_or_else(|| match f.kind {
        Kind::Secret => "Treat the credential as compromised: revoke or rotate it where it was issued, then remove it from the code and load it at run time (environment variable, secret manager).".to_string(),
        Kind::Internal => "Remove the marker or the file from what is published, or allow it in .leakscan.toml if it is meant to be public.".to_string(),
    });
    let purge = "Deleting it in a new commit leaves it in the git history: rewrite the history (git filter-repo --replace-text, or BFG), force-push every branch and tag, and have collaborators clone again. Forks, clones and caches keep the old objects, so rotate first.";
    let fp = "If this is not a leak, add `leakscan:allow` in a comment on the line, add the finding's leakscan/v2 fingerprint with a reason to .leakscanignore, or record it in a baseline (leakscan baseline create).";
    let text = format!("{what}\n\nWhat to do: {fix}\n\nPurge it from history: {purge}\n\nFalse positive: {fp}\n\nRule: {} ({:?} severity, {:?} confidence).", f.id, f.severity, f.confidence);
    let md = format!(
        "## {}\n\n{what}\n\n### What to do\n\n{fix}\n\n### Purge it from the git history\n\n{purge}\n\n```sh\n# after rotating: replace the value everywhere in history\ngit filter-repo --replace-text replacements.txt\ngit push --force --all && git push --force --tags\n```\n\n### False positive\n\n{fp}\n\nRule `{}`: {} severity, {} confidence.\n",
        f.description,
        f.id,
        lower(f.severity),
        lower(f.confidence)
    );
    (text, md)
}

fn result(
    report: &Report<'_>,
    f: &Finding,
    rule_index: usize,
    digests: &mut BTreeMap<String, usize>,
) -> sarif::Result {
    let mut fps = BTreeMap::new();
    // GitHub's own hash only for a file of the checkout; a history finding points at a line of
    // an old version, and the same text in two files or versions must not make two findings
    // one alert: its digest comes from its fingerprint.
    let line_hash = match &f.line_hash {
        Some(h) if f.origin.commit().is_none() => h.clone(),
        _ => {
            let d = fingerprint::own_line_digest(&f.fingerprint);
            let n = digests.entry(d.clone()).or_insert(0);
            *n += 1;
            format!("{d}:{n}")
        }
    };
    fps.insert(fingerprint::GITHUB_LINE_HASH.to_string(), line_hash);
    fps.insert(fingerprint::VERSION.to_string(), f.fingerprint.clone());
    sarif::Result::builder()
        .rule_id(f.rule_id.clone())
        .rule_index(rule_index as i64)
        .level(level(f.severity))
        .message(sarif::Message::builder().text(message(f)).build())
        .locations(vec![location(f)])
        .partial_fingerprints(fps)
        .properties(bag(properties(report, f)))
        .build()
}

/// The alert text: its first sentence is the title. Always redacted.
pub(crate) fn message(f: &Finding) -> String {
    let mut m = match &f.secret {
        Some(s) => format!("{}: {}.", f.description.trim_end_matches('.'), s.redacted()),
        None => format!(
            "{}: {}.",
            f.description.trim_end_matches('.'),
            f.origin.path()
        ),
    };
    if !f.origin.members().is_empty() {
        m.push_str(&format!(
            " Inside {} of {}",
            f.origin.members().join(" > "),
            f.origin.path()
        ));
        if f.secret.is_some() && !f.binary {
            m.push_str(&format!(", line {}, column {}", f.line, f.column));
        }
        m.push('.');
    }
    if let Some(d) = f.origin.decoding() {
        m.push_str(&format!(
            " Found after {} decoding of the text at line {}, column {}.",
            d.encoding, d.line, d.column
        ));
    }
    if f.binary && f.secret.is_some() {
        m.push_str(&format!(" Binary content, byte offset {}.", f.offset));
    }
    if let Some(v) = &f.validation {
        m.push_str(&format!(" Validation: {}.", v.describe()));
    }
    if let Some(c) = f.origin.commit() {
        let when = if c.at_or_before { "at or before" } else { "in" };
        m.push_str(&format!(
            " Added {when} commit {} by {} on {}",
            short(&c.id),
            c.author_name,
            c.date
        ));
        if !c.summary.is_empty() {
            m.push_str(&format!(" (\"{}\")", clip(&c.summary, 80)));
        }
        m.push('.');
        if let Some(sp) = &f.spread {
            if f.origin.members().is_empty() && f.secret.is_some() {
                m.push_str(" The line number is the line in that commit's version of the file.");
            }
            if sp.versions > 1 {
                m.push_str(&format!(" {} versions of the file hold it.", sp.versions));
            }
            if !sp.still_in.is_empty() {
                m.push_str(&format!(" Still in {}.", sp.still_in.join(", ")));
            } else if let Some(r) = &sp.removed_in {
                m.push_str(&format!(
                    " Gone from the file since commit {} ({}), but still in history: rotate it.",
                    short(&r.id),
                    r.date
                ));
            } else {
                m.push_str(" In no branch tip any more, but still in history: rotate it.");
            }
            if !sp.also_at.is_empty() {
                m.push_str(&format!(" Also at {}.", sp.also_at.join(", ")));
            }
        }
        if f.origin.other_places() > 0 {
            m.push_str(&format!(
                " Also in {} other place(s) of the history.",
                f.origin.other_places()
            ));
        }
    }
    m
}

fn short(id: &str) -> &str {
    &id[..id.len().min(12)]
}

fn properties(report: &Report<'_>, f: &Finding) -> Value {
    let mut p = json!({
        "kind": f.kind,
        "severity": f.severity,
        "confidence": f.confidence,
        "location": f.origin.display_path(),
        "match": report.secret_text(f),
        "redacted": report.redact,
    });
    if let Some(r) = &f.repository {
        p["repository"] = json!(r);
    }
    if !f.origin.members().is_empty() {
        p["archive"] = json!(f.origin.path());
        p["members"] = json!(f.origin.members());
        p["memberLine"] = json!(f.line);
        p["memberColumn"] = json!(f.column);
    }
    if f.binary {
        p["byteOffset"] = json!(f.offset);
    }
    if let Some(d) = f.origin.decoding() {
        p["decoded"] = json!(d);
    }
    if let Some(c) = f.origin.commit() {
        p["commit"] = json!(c.id);
        p["author"] = json!(c.author_name);
        p["authorEmail"] = json!(c.author_email);
        p["date"] = json!(c.date);
        p["commitSummary"] = json!(c.summary);
        p["commitAtOrBefore"] = json!(c.at_or_before);
    }
    if let Some(s) = &f.spread {
        p["versions"] = json!(s.versions);
        p["stillIn"] = json!(s.still_in);
        if let Some(c) = &s.last_commit {
            p["lastCommit"] = json!(c.id);
        }
        if let Some(c) = &s.removed_in {
            p["removedIn"] = json!(c.id);
        }
        if !s.also_at.is_empty() {
            p["alsoAt"] = json!(s.also_at);
        }
    }
    if let Some(b) = f.origin.blob_id() {
        p["blobId"] = json!(b);
        p["otherPlaces"] = json!(f.origin.other_places());
    }
    if let Some(v) = &f.validation {
        p["validation"] = json!(v.status);
        if let Some(r) = &v.reason {
            p["validationReason"] = json!(r);
        }
        if let Some(pr) = &v.provider {
            p["validationProvider"] = json!(pr);
        }
        if !v.identity.is_empty() {
            p["validationIdentity"] = json!(v.identity);
        }
    }
    p
}

fn location(f: &Finding) -> sarif::Location {
    let region = region(f);
    let phys = sarif::PhysicalLocation::builder()
        .artifact_location(artifact(f.origin.path()))
        .region(region)
        .build();
    sarif::Location::builder().physical_location(phys).build()
}

/// Where to point: the finding's span in a plain file; the encoded span of a decoded finding;
/// line 1 of an archive (the member is named in the message) and of a path-rule finding.
fn region(f: &Finding) -> sarif::Region {
    if !f.origin.members().is_empty() || f.secret.is_none() {
        return sarif::Region::builder().start_line(1).build();
    }
    if let Some(d) = f.origin.decoding() {
        return sarif::Region::builder()
            .start_line(d.line as i64)
            .start_column(d.column as i64)
            .build();
    }
    let r = sarif::Region::builder()
        .start_line(f.line as i64)
        .start_column(f.column as i64)
        .end_line(f.end_line as i64)
        .end_column(f.end_column as i64)
        .build();
    if f.binary {
        let len = f.secret.as_ref().map_or(0, crate::redact::Secret::byte_len);
        return sarif::Region {
            byte_offset: Some(f.offset as i64),
            byte_length: Some(len as i64),
            ..r
        };
    }
    r
}

/// Characters kept as they are in a URI path: unreserved ones and `/`.
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// A percent-encoded path.
pub(crate) fn encode_path(path: &str) -> String {
    utf8_percent_encode(path, PATH).to_string()
}

/// The artifact location of a display path: relative to `%SRCROOT%`, or an absolute `file:`
/// URI for an absolute path.
fn artifact(path: &str) -> sarif::ArtifactLocation {
    let p = path.replace('\\', "/");
    let p = p.trim_start_matches("./");
    if p == "-" {
        return sarif::ArtifactLocation::builder().uri("stdin").build();
    }
    if p.starts_with('/') || p.as_bytes().get(1) == Some(&b':') {
        let abs = if p.starts_with('/') {
            p.to_string()
        } else {
            format!("/{p}")
        };
        return sarif::ArtifactLocation::builder()
            .uri(format!("file://{}", encode_path(&abs)))
            .build();
    }
    sarif::ArtifactLocation::builder()
        .uri(encode_path(p))
        .uri_base_id(SRCROOT)
        .build()
}

/// `file:///abs/dir/` for a folder.
fn dir_uri(dir: &Path) -> String {
    let mut p = dir.to_string_lossy().replace('\\', "/");
    if !p.starts_with('/') {
        p.insert(0, '/');
    }
    if !p.ends_with('/') {
        p.push('/');
    }
    format!("file://{}", encode_path(&p))
}

fn skip_notification(s: &crate::error::Skip) -> sarif::Notification {
    let level = if s.allowed { "note" } else { "warning" };
    let text = if s.detail.is_empty() {
        format!("{}: not scanned ({}).", s.path, s.reason)
    } else {
        format!(
            "{}: not scanned ({}): {}.",
            s.path,
            s.reason,
            s.detail.trim_end_matches('.')
        )
    };
    let outer = s.path.split('!').next().unwrap_or(&s.path);
    let loc = sarif::Location::builder()
        .physical_location(
            sarif::PhysicalLocation::builder()
                .artifact_location(artifact(outer))
                .build(),
        )
        .build();
    notification(level, text, Some(loc))
}

fn notification(level: &str, text: String, loc: Option<sarif::Location>) -> sarif::Notification {
    let mut n = sarif::Notification::builder()
        .level(json!(level))
        .message(sarif::Message::builder().text(text).build())
        .build();
    n.locations = loc.map(|l| vec![l]);
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_encoded() {
        let a = artifact("./src/my file#1%.py");
        assert_eq!(a.uri.as_deref(), Some("src/my%20file%231%25.py"));
        assert_eq!(a.uri_base_id.as_deref(), Some(SRCROOT));
        assert_eq!(artifact("dir/é.txt").uri.as_deref(), Some("dir/%C3%A9.txt"));
        let abs = artifact("/tmp/x y/a.txt");
        assert_eq!(abs.uri.as_deref(), Some("file:///tmp/x%20y/a.txt"));
        assert!(abs.uri_base_id.is_none());
        assert_eq!(dir_uri(Path::new("/work/repo")), "file:///work/repo/");
    }

    #[test]
    fn names_and_tags() {
        assert_eq!(pascal_case("github-pat"), "GithubPat");
        assert_eq!(pascal_case("aws_access.key-id"), "AwsAccessKeyId");
        let many: Vec<String> = (0..20).map(|i| format!("t{i}")).collect();
        let facts = RuleFacts {
            id: "x",
            description: "d",
            kind: Kind::Internal,
            severity: Severity::Low,
            confidence: Confidence::Low,
            tags: &many,
            remediation: None,
        };
        let t = tags(&facts);
        assert_eq!(t.len(), 10);
        assert_eq!(&t[..3], ["security", "internal", "external/cwe/cwe-540"]);
    }
}
