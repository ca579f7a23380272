//! Sharded scans: `scan --repos FILE` with `--shard K/N` (which repositories a shard scans),
//! and `leakscan report merge` (one report from the shards' JSON reports).
//!
//! A history shard reads only the blobs of its object id range, so one secret's versions may
//! be found by several shards, each grouping its own (see [`crate::group`]). Every shard walks
//! the same commits, so the commit ranks in the reports agree: the merge regroups by
//! (repository, path, rule, secret), keeps the finding of the earliest rank (then offset,
//! line), sums the versions, merges the other versions in rank order, takes the last commit of
//! the latest shard, unites the branch tips, and rebuilds `also_at` from `secret_id`.
#![allow(clippy::print_stderr)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use crate::cli::{Format, MergeArgs, ScanArgs};
use crate::error::{Error, ExitStatus, Skip, SkipReason};
use crate::group::{MAX_ALSO_AT, MAX_OCCURRENCES};
use crate::redact::Secret;
use crate::report::json::{Part, ShardOf};
use crate::report::sarif::{Limits, Sarif};
use crate::report::Report;
use crate::rules::RuleSet;

/// A stable 64-bit hash (FNV-1a) of a `--repos` line: which shard scans it.
fn line_hash(line: &str) -> u64 {
    line.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The repositories listed in a `--repos` file: one a line, blank lines and `#` comments
/// skipped.
pub fn read_repos(path: &Path) -> Result<Vec<String>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::Usage(format!(
            "cannot read the repository list {}: {e}",
            path.display()
        ))
    })?;
    Ok(text
        .lines()
        .map(|l| l.split_once(" #").map_or(l, |(a, _)| a).trim())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect())
}

/// The scan a `--repos` / `--shard` command line stands for: the repositories of its shard as
/// paths, and what the report records of the part it covers.
pub fn expand_repos(args: &ScanArgs) -> Result<(ScanArgs, Option<Part>), Error> {
    let mut out = args.clone();
    let Some(file) = &args.repos else {
        let part = args.shard.map(|(k, n)| Part {
            shard: Some(ShardOf {
                index: k,
                count: n,
                by: "history",
            }),
            repositories: shown(&args.paths),
            by_repository: false,
        });
        return Ok((out, part));
    };
    if !args.paths.is_empty() {
        return Err(Error::Usage(
            "--repos takes the repositories from its file: give no PATH as well".into(),
        ));
    }
    // Sorted and without repeats: the order of the list does not change the report, and the
    // findings of a merge come in the same order as those of one unsharded run.
    let mut all = read_repos(file)?;
    all.sort();
    all.dedup();
    let mine: Vec<String> = match args.shard {
        Some((k, n)) => all
            .into_iter()
            .filter(|l| line_hash(l) % u64::from(n) == u64::from(k - 1))
            .collect(),
        None => all,
    };
    out.paths = mine.iter().map(PathBuf::from).collect();
    let part = Part {
        shard: args.shard.map(|(k, n)| ShardOf {
            index: k,
            count: n,
            by: "repository",
        }),
        repositories: mine,
        by_repository: true,
    };
    // A shard with no repository scans nothing (see `cmd::scan::collect_repos`).
    Ok((out, Some(part)))
}

fn shown(paths: &[PathBuf]) -> Vec<String> {
    if paths.is_empty() {
        return vec![".".into()];
    }
    paths.iter().map(|p| p.display().to_string()).collect()
}

/// One input report, read.
struct Input {
    name: String,
    doc: Map<String, Value>,
}

fn read_input(path: &Path) -> Result<Input, Error> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Usage(format!("cannot read {name}: {e}")))?;
    let doc: Value = serde_json::from_str(&text)
        .map_err(|e| Error::Usage(format!("{name}: not a JSON report: {e}")))?;
    let Value::Object(doc) = doc else {
        return Err(Error::Usage(format!("{name}: not a JSON report")));
    };
    if doc.get("version").and_then(Value::as_u64) != Some(2)
        || !doc.get("findings").is_some_and(Value::is_array)
    {
        return Err(Error::Usage(format!(
            "{name}: not a leakscan JSON report of schema version 2 (scan with -f json)"
        )));
    }
    // The merge edits findings and their history in place: a report whose findings are not
    // objects, or whose history is neither an object nor null, is refused here.
    let findings = doc["findings"].as_array().into_iter().flatten();
    for (i, f) in findings.enumerate() {
        let history_ok = f
            .get("history")
            .is_none_or(|h| h.is_null() || h.is_object());
        if !f.is_object() || !history_ok {
            return Err(Error::Usage(format!(
                "{name}: finding {} is malformed (not an object, or its history is not one)",
                i + 1
            )));
        }
    }
    Ok(Input { name, doc })
}

/// What the merge found out besides the report.
pub struct Merged {
    /// The merged JSON report.
    pub doc: Value,
    /// Shards that were expected and not given, as `K/N` (with the repository for history
    /// shards).
    pub missing: Vec<String>,
    /// True when a shard is missing or an input was incomplete.
    pub incomplete: bool,
    /// True when the findings carry their repository (reports of `--repos`, or of several
    /// repositories).
    pub by_repository: bool,
    /// True when the inputs were written with `--no-redact` (their findings hold secrets).
    pub unredacted: bool,
    /// True when an input holds redacted secrets.
    pub redacted: bool,
}

/// Whether a report's findings hold their secrets (`Some(false)`: written with
/// `--no-redact`), `None` when no finding has a match.
fn redaction(doc: &Map<String, Value>) -> Option<bool> {
    ["findings", "dropped"]
        .iter()
        .filter_map(|k| doc.get(*k).and_then(Value::as_array))
        .flatten()
        .filter(|f| f.get("match").is_some_and(|m| !m.is_null()))
        .find_map(|f| f.get("redacted").and_then(Value::as_bool))
}

/// The merge key of a finding: repository (when reports cover different ones), location,
/// rule, secret (the match without redaction, else the fingerprint).
type Key = (String, String, String, String);

fn text(v: &Value, k: &str) -> String {
    v.get(k)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn key(repo: &str, f: &Value) -> Key {
    let secret = if f.get("redacted") == Some(&Value::Bool(false)) {
        f.get("match").map(Value::to_string).unwrap_or_default()
    } else {
        text(f, "fingerprint")
    };
    (
        repo.to_string(),
        text(f, "location"),
        text(f, "rule_id"),
        secret,
    )
}

fn secret_id(f: &Value) -> Option<&str> {
    f.get("history")?.get("secret_id")?.as_str()
}

fn rank(h: Option<&Value>, k: &str) -> u64 {
    h.and_then(|h| h.get(k))
        .and_then(Value::as_u64)
        .unwrap_or(u64::MAX)
}

/// The report order: repository (as `--repos` scans them, sorted), then as `Output::finish`
/// sorts: location, commit, offset, rule, end column.
type SortKey = (String, String, Option<String>, u64, String, u64);

fn sort_key(f: &Value) -> SortKey {
    (
        text(f, "repository"),
        text(f, "location"),
        f.get("commit")
            .and_then(|c| c.get("id"))
            .and_then(Value::as_str)
            .map(str::to_string),
        f.get("offset").and_then(Value::as_u64).unwrap_or(0),
        text(f, "rule_id"),
        f.get("end_column").and_then(Value::as_u64).unwrap_or(0),
    )
}

/// Merges the reports at `paths`; with `only`, keeps the findings of that repository alone.
pub fn merge(paths: &[PathBuf], only: Option<&str>) -> Result<Merged, Error> {
    let inputs = paths
        .iter()
        .map(|p| read_input(p))
        .collect::<Result<Vec<_>, _>>()?;
    // Redacted and unredacted reports do not mix: their findings are keyed differently (the
    // secret, or its fingerprint), and the output could not honour both.
    let redacted: Vec<(&str, bool)> = inputs
        .iter()
        .filter_map(|i| redaction(&i.doc).map(|r| (i.name.as_str(), r)))
        .collect();
    if let (Some(a), Some(b)) = (
        redacted.iter().find(|(_, r)| *r),
        redacted.iter().find(|(_, r)| !*r),
    ) {
        return Err(Error::Usage(format!(
            "{} is redacted and {} was written with --no-redact: merge reports written the same way",
            a.0, b.0
        )));
    }
    let unredacted = redacted.first().is_some_and(|(_, r)| !*r);
    let mut by_repository = false;
    let mut notes: Vec<Value> = Vec::new();
    let (mut blobs, mut elapsed) = (0u64, 0u64);
    // Which shards of which work were given.
    let mut incomplete = false;
    let mut seen: BTreeMap<(String, String, u64), BTreeSet<u64>> = BTreeMap::new();
    let mut repositories: BTreeSet<String> = BTreeSet::new();
    let repo_of = |d: &Map<String, Value>| -> Option<String> {
        let r: Vec<&str> = d
            .get("repositories")?
            .as_array()?
            .iter()
            .filter_map(Value::as_str)
            .collect();
        Some(r.join(" "))
    };
    for i in &inputs {
        if let Some(r) = i.doc.get("repositories").and_then(Value::as_array) {
            repositories.extend(r.iter().filter_map(Value::as_str).map(str::to_string));
        }
        let summary = i.doc.get("summary");
        if summary.and_then(|s| s.get("incomplete")) == Some(&Value::Bool(true)) {
            incomplete = true;
        }
        for n in i
            .doc
            .get("notes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if !notes.contains(n) {
                notes.push(n.clone());
            }
        }
        if let Some(s) = i.doc.get("shard") {
            by_repository |= text(s, "by") == "repository";
            let (k, n) = (
                s.get("index").and_then(Value::as_u64).unwrap_or(0),
                s.get("count").and_then(Value::as_u64).unwrap_or(0),
            );
            let by = text(s, "by");
            let what = if by == "history" {
                repo_of(&i.doc).unwrap_or_default()
            } else {
                String::new()
            };
            if k == 0 || k > n {
                return Err(Error::Usage(format!(
                    "{}: shard {k}/{n} is invalid",
                    i.name
                )));
            }
            if !seen.entry((by, what, n)).or_default().insert(k) {
                return Err(Error::Usage(format!(
                    "{}: shard {k}/{n} is given twice",
                    i.name
                )));
            }
        }
    }
    let mut missing = Vec::new();
    for ((by, what, n), ks) in &seen {
        for k in 1..=*n {
            if !ks.contains(&k) {
                missing.push(if by == "history" {
                    format!("{k}/{n} of {what}")
                } else {
                    format!("{k}/{n}")
                });
            }
        }
    }
    incomplete |= !missing.is_empty();
    // History shards of one repository share their findings' keys; reports of different
    // single repositories (one job per repository) are told apart by their repository.
    let tell_repos = {
        let singles: BTreeSet<String> = inputs
            .iter()
            .filter(|i| i.doc.get("shard").map(|s| text(s, "by")) != Some("repository".to_string()))
            .filter_map(|i| repo_of(&i.doc))
            .collect();
        singles.len() > 1
    };
    by_repository |= tell_repos;
    let mut groups: BTreeMap<Key, Vec<Value>> = BTreeMap::new();
    let mut skipped: BTreeSet<String> = BTreeSet::new();
    let mut skipped_list = Vec::new();
    let (mut files, mut bytes) = (0u64, 0u64);
    let mut dropped = Vec::new();
    for i in &inputs {
        let repo = if tell_repos {
            repo_of(&i.doc).unwrap_or_default()
        } else {
            String::new()
        };
        for f in i.doc["findings"].as_array().into_iter().flatten() {
            let mut f = f.clone();
            // `--repos` reports name each finding's repository.
            let repo = match f.get("repository").and_then(Value::as_str) {
                Some(r) => {
                    by_repository = true;
                    r.to_string()
                }
                None => {
                    if tell_repos {
                        f["repository"] = Value::String(repo.clone());
                    }
                    repo.clone()
                }
            };
            groups.entry(key(&repo, &f)).or_default().push(f);
        }
        if let Some(d) = i.doc.get("dropped").and_then(Value::as_array) {
            dropped.extend(d.iter().cloned());
        }
        for s in i
            .doc
            .get("skipped")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            // Every history shard walks the same commits: their walk skips are one skip.
            if skipped.insert(s.to_string()) {
                skipped_list.push(s.clone());
            }
        }
        if let Some(s) = i.doc.get("summary") {
            files += s.get("files").and_then(Value::as_u64).unwrap_or(0);
            blobs += s.get("blobs").and_then(Value::as_u64).unwrap_or(0);
            bytes += s.get("bytes").and_then(Value::as_u64).unwrap_or(0);
            elapsed += s.get("elapsed_ms").and_then(Value::as_u64).unwrap_or(0);
        }
    }
    // also_at, as one run makes it (`group::group`, then `drive::history::add_blob_copies`):
    // the locations of the other findings of the same (repository, rule, secret id), and the
    // paths holding the very blobs of this finding, which only its own shards' `also_at`
    // name; sorted, at most MAX_ALSO_AT. (Another finding's blob copies are not this one's.)
    let mut paths_of: BTreeMap<(String, String, String), BTreeSet<String>> = BTreeMap::new();
    for ((repo, location, rule, _), g) in &groups {
        for f in g {
            if let Some(id) = secret_id(f) {
                paths_of
                    .entry((repo.clone(), rule.clone(), id.to_string()))
                    .or_default()
                    .insert(location.clone());
            }
        }
    }
    let mut findings: Vec<Value> = groups
        .into_iter()
        .map(|((repo, location, rule, _), g)| {
            let own: BTreeSet<String> = g
                .iter()
                .filter_map(|f| f.get("history")?.get("also_at")?.as_array())
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            regroup(g, |id| {
                let mut all = own.clone();
                if let Some(others) = paths_of.get(&(repo.clone(), rule.clone(), id.to_string())) {
                    all.extend(others.iter().cloned());
                }
                all.into_iter()
                    .filter(|p| *p != location)
                    .take(MAX_ALSO_AT)
                    .map(Value::String)
                    .collect()
            })
        })
        .collect();
    let mut repositories: Vec<String> = repositories.into_iter().collect();
    if let Some(only) = only {
        if !repositories.iter().any(|r| r == only) {
            return Err(Error::Usage(format!(
                "--repository {only}: not among the reports' repositories ({})",
                repositories.join(", ")
            )));
        }
        let mine = |f: &Value| text(f, "repository") == only;
        findings.retain(mine);
        dropped.retain(mine);
        repositories = vec![only.to_string()];
    }
    findings.sort_by_cached_key(sort_key);
    dropped.sort_by_cached_key(sort_key);
    dropped.dedup();
    skipped_list.sort_by_cached_key(|s| {
        (
            text(s, "path"),
            text(s, "reason"),
            text(s, "detail"),
            s.get("allowed").map(Value::to_string),
        )
    });
    let mut by_rule: BTreeMap<String, u64> = BTreeMap::new();
    for f in &findings {
        *by_rule.entry(text(f, "rule_id")).or_default() += 1;
    }
    let mut doc = Map::new();
    doc.insert("version".into(), json!(2));
    doc.insert(
        "tool".into(),
        json!({ "name": "leakscan", "version": env!("CARGO_PKG_VERSION") }),
    );
    doc.insert("findings".into(), Value::Array(findings.clone()));
    if inputs.iter().any(|i| i.doc.contains_key("dropped")) {
        doc.insert("dropped".into(), Value::Array(dropped));
    }
    doc.insert("skipped".into(), Value::Array(skipped_list.clone()));
    doc.insert(
        "repositories".into(),
        Value::Array(repositories.into_iter().map(Value::String).collect()),
    );
    if !notes.is_empty() {
        doc.insert("notes".into(), Value::Array(notes));
    }
    doc.insert(
        "merged".into(),
        json!({
            "reports": inputs.len(),
            "missing_shards": missing,
        }),
    );
    doc.insert(
        "summary".into(),
        json!({
            "files": files,
            "blobs": blobs,
            "bytes": bytes,
            "findings": findings.len(),
            "by_rule": by_rule,
            "skipped": skipped_list.len(),
            "incomplete": incomplete,
            "elapsed_ms": elapsed,
        }),
    );
    Ok(Merged {
        doc: Value::Object(doc),
        missing,
        incomplete,
        by_repository,
        unredacted,
        redacted: redacted.iter().any(|(_, r)| *r),
    })
}

/// One finding from the findings of one (repository, location, rule, secret) in the shards.
fn regroup(mut g: Vec<Value>, also_at: impl Fn(&str) -> Vec<Value>) -> Value {
    let order = |f: &Value| {
        (
            rank(f.get("history"), "rank"),
            f.get("offset").and_then(Value::as_u64).unwrap_or(0),
            f.get("line").and_then(Value::as_u64).unwrap_or(0),
        )
    };
    g.sort_by_key(order);
    g.dedup();
    let mut first = g.remove(0);
    if first.get("history").is_none_or(Value::is_null) {
        return first;
    }
    let hists: Vec<Value> = std::iter::once(&first)
        .chain(g.iter())
        .filter_map(|f| f.get("history").cloned())
        .collect();
    // The versions: each shard's own finding and its other versions, in rank order.
    let mut versions: Vec<(u64, Value)> = Vec::new();
    for f in &g {
        let h = &f["history"];
        versions.push((
            rank(Some(h), "rank"),
            json!([
                f.get("commit")
                    .and_then(|c| c.get("id"))
                    .cloned()
                    .unwrap_or(Value::Null),
                f.get("line").cloned().unwrap_or(Value::Null),
                f.get("blob_id").cloned().unwrap_or(Value::Null)
            ]),
        ));
    }
    for h in &hists {
        let occ = h.get("occurrences").and_then(Value::as_array);
        let ranks = h.get("occurrence_ranks").and_then(Value::as_array);
        for (i, o) in occ.into_iter().flatten().enumerate() {
            let r = ranks
                .and_then(|r| r.get(i))
                .and_then(Value::as_u64)
                .unwrap_or(u64::MAX);
            versions.push((r, o.clone()));
        }
    }
    versions.sort_by_key(|v| v.0);
    let total: u64 = hists
        .iter()
        .map(|h| h.get("versions").and_then(Value::as_u64).unwrap_or(1))
        .sum();
    let latest = hists
        .iter()
        .filter(|h| h.get("last_rank").is_some_and(|r| !r.is_null()))
        .max_by_key(|h| rank(Some(h), "last_rank"))
        .cloned();
    let mut still_in: BTreeSet<String> = BTreeSet::new();
    for h in &hists {
        for r in h
            .get("still_in")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(r) = r.as_str() {
                still_in.insert(r.to_string());
            }
        }
    }
    let own = first["history"].clone();
    let Some(h) = first["history"].as_object_mut() else {
        // `read_input` refuses a history that is not an object or null, and null returned
        // above.
        return first;
    };
    h.insert("versions".into(), json!(total));
    let kept: Vec<(u64, Value)> = versions.into_iter().take(MAX_OCCURRENCES).collect();
    h.insert(
        "occurrence_ranks".into(),
        Value::Array(
            kept.iter()
                .map(|(r, _)| {
                    if *r == u64::MAX {
                        Value::Null
                    } else {
                        json!(r)
                    }
                })
                .collect(),
        ),
    );
    h.insert(
        "occurrences".into(),
        Value::Array(kept.into_iter().map(|(_, o)| o).collect()),
    );
    if let Some(l) = &latest {
        h.insert("last_commit".into(), l["last_commit"].clone());
        h.insert("last_rank".into(), l["last_rank"].clone());
    }
    // `still_in` keeps the order the scan gives refs when one shard names them all.
    let merged_tips: Vec<Value> = if hists.iter().any(|x| {
        x.get("still_in")
            .and_then(Value::as_array)
            .is_some_and(|a| a.len() == still_in.len())
    }) {
        hists
            .iter()
            .find_map(|x| {
                x.get("still_in")
                    .and_then(Value::as_array)
                    .filter(|a| a.len() == still_in.len())
                    .cloned()
            })
            .unwrap_or_default()
    } else {
        still_in.iter().cloned().map(Value::String).collect()
    };
    h.insert("still_in".into(), Value::Array(merged_tips.clone()));
    let removed = if merged_tips.is_empty() {
        latest
            .as_ref()
            .or(Some(&own))
            .and_then(|l| l.get("removed_in").cloned())
            .unwrap_or(Value::Null)
    } else {
        Value::Null
    };
    h.insert("removed_in".into(), removed);
    if let Some(id) = own.get("secret_id").and_then(Value::as_str) {
        h.insert("also_at".into(), Value::Array(also_at(id)));
    }
    first
}

/// Replaces the secret of every finding of a report written with `--no-redact` by its
/// redacted form.
fn redact_doc(doc: &mut Value) {
    for k in ["findings", "dropped"] {
        for f in doc
            .get_mut(k)
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            if f.get("redacted") == Some(&Value::Bool(false)) {
                if let Some(m) = f.get("match").and_then(Value::as_str) {
                    f["match"] = Value::String(Secret::new(m.as_bytes()).redacted());
                }
                f["redacted"] = Value::Bool(true);
            }
        }
    }
}

/// Writes the merged report in a format other than JSON: the JSON report read back into
/// findings ([`crate::report::read`]) and handed to the reporter a scan uses.
fn render(args: &MergeArgs, merged: &Merged) -> Result<Vec<u8>, Error> {
    let mut read = crate::report::read::report(&merged.doc)?;
    // A missing shard is input not scanned: every format says the report is incomplete.
    for m in &merged.missing {
        read.skips.push(Skip {
            path: format!("shard {m}"),
            reason: SkipReason::Other,
            detail: "its report is missing: rerun the shard and merge again".into(),
            allowed: false,
        });
    }
    let rules = RuleSet {
        rules: crate::rules::builtin::builtin_rules().map_err(|e| Error::Usage(e.to_string()))?,
        ..RuleSet::default()
    };
    let part = Part {
        shard: None,
        repositories: read.repositories.clone(),
        by_repository: merged.by_repository,
    };
    let report = Report {
        findings: &read.findings,
        dropped: &read.dropped,
        skips: &read.skips,
        stats: &read.stats,
        elapsed: std::time::Duration::from_millis(read.elapsed_ms),
        redact: !args.no_redact,
        rules: &rules,
        notes: &read.notes,
        part: Some(&part),
    };
    let sarif = Sarif {
        root: args
            .root
            .as_ref()
            .map(|r| {
                std::fs::canonicalize(r)
                    .map_err(|e| Error::Usage(format!("--root {}: {e}", r.display())))
            })
            .transpose()?,
        limits: Limits::default(),
    };
    let (reporter, warnings) = crate::cmd::emit::reporter(args.format, true, &sarif, &report)?;
    for w in &warnings {
        eprintln!("leakscan: {w}");
    }
    // Colours (text) are for terminals: the merged report is a file.
    let mut w = anstream::StripStream::new(Vec::new());
    reporter
        .write(&report, &mut w)
        .map_err(|e| Error::Usage(e.to_string()))?;
    Ok(w.into_inner())
}

/// `leakscan report merge`.
pub fn run(args: &MergeArgs) -> Result<u8, Error> {
    let mut merged = merge(&args.inputs, args.repository.as_deref())?;
    if args.no_redact && merged.redacted {
        return Err(Error::Usage(
            "--no-redact: the reports are redacted (scan the shards with --no-redact to merge secrets in full)".into(),
        ));
    }
    if !args.no_redact {
        redact_doc(&mut merged.doc);
    }
    let mut buf = Vec::new();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut buf, &merged.doc)
                .map_err(|e| Error::Usage(e.to_string()))?;
            buf.push(b'\n');
        }
        Format::Jsonl => {
            for f in merged.doc["findings"].as_array().into_iter().flatten() {
                serde_json::to_writer(&mut buf, f).map_err(|e| Error::Usage(e.to_string()))?;
                buf.push(b'\n');
            }
        }
        _ => buf = render(args, &merged)?,
    }
    let out = args.output.as_path();
    let written = if out == Path::new("-") {
        std::io::stdout().lock().write_all(&buf)
    } else {
        std::fs::write(out, &buf)
    };
    written.map_err(|e| Error::Io {
        path: out.to_path_buf(),
        source: e,
    })?;
    for m in &merged.missing {
        eprintln!("leakscan: shard {m} is missing: rerun it and merge again");
    }
    let findings = merged.doc["summary"]["findings"].as_u64().unwrap_or(0);
    Ok(if merged.incomplete {
        ExitStatus::Incomplete as u8
    } else if findings > 0 {
        ExitStatus::Leaks as u8
    } else {
        ExitStatus::Clean as u8
    })
}
