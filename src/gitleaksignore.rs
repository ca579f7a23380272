//! `.gitleaksignore`: gitleaks' list of findings to ignore, one per line, tied to a path, a rule
//! id and the line where the match starts: `<commit>:<path>:<rule>:<line>` for a finding in
//! history, `<path>:<rule>:<line>` for a finding in any commit or in a working tree. Blank lines
//! and `#` comments are skipped. A path rule's finding is on line 0, as gitleaks writes it.
//!
//! This module reads the file and answers "is this finding listed"; the scanner drops listed
//! findings, and `leakscan baseline` can turn the entries into fingerprints.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::error::Error;
use crate::rules::gitleaks::ids;

/// The name of the file at the scan root.
pub const FILE_NAME: &str = ".gitleaksignore";

/// The reason `--explain` gives for a finding that an entry lists (also how `leakscan baseline
/// import` picks the findings to record).
pub const DROPPED: &str = "listed in .gitleaksignore";

/// One entry.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Entry {
    /// The commit, for history entries.
    pub commit: Option<String>,
    /// The path, with `/` separators.
    pub path: String,
    /// The rule id, as written (a gitleaks or a leakscan id).
    pub rule: String,
    /// The line where the match starts (0 for path rules).
    pub line: usize,
}

/// What a finding is looked up by: commit (or none), path, leakscan rule id, line.
type Key = (Option<String>, String, String, usize);

/// The entries of one or more `.gitleaksignore` files. An entry naming a rule of gitleaks'
/// default configuration also lists the findings of the leakscan rules that detect the same
/// format (`docs/gitleaks-ids.toml`). Clones share the record of which entries matched, so
/// the scanner's copy tells the caller's which entries applied.
#[derive(Clone, Debug, Default)]
pub struct GitleaksIgnore {
    entries: Vec<Entry>,
    index: HashMap<Key, Vec<usize>>,
    /// History entries by the blob their `commit:path` names, rule and line (see
    /// [`GitleaksIgnore::resolve_blobs`]).
    blobs: HashMap<(String, String, usize), Vec<usize>>,
    used: Arc<Vec<AtomicBool>>,
}

/// How many entries matched a finding, and which rules the others name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// Distinct entries.
    pub entries: usize,
    /// Entries that matched at least one finding.
    pub applied: usize,
    /// Entries that matched nothing, by rule id as written.
    pub unused_by_rule: BTreeMap<String, usize>,
}

impl Usage {
    /// Entries that matched nothing.
    pub fn unused(&self) -> usize {
        self.entries - self.applied
    }

    /// The warning line for entries that matched nothing (`None` when all applied): the count
    /// and the rules they name, most frequent first.
    pub fn warning(&self) -> Option<String> {
        if self.unused() == 0 {
            return None;
        }
        let mut by: Vec<(&String, &usize)> = self.unused_by_rule.iter().collect();
        by.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let mut list: Vec<String> = by.iter().take(5).map(|(r, n)| format!("{r} {n}")).collect();
        if by.len() > 5 {
            list.push(format!("{} more rules", by.len() - 5));
        }
        Some(format!(
            "{} of {} {FILE_NAME} entries matched no finding of this scan ({})",
            self.unused(),
            self.entries,
            list.join(", ")
        ))
    }
}

/// The rule ids an entry lists findings of: its own, and the leakscan rules that cover it when
/// it names a rule of gitleaks' default configuration.
fn rules_of(e: &Entry) -> Vec<String> {
    let mut rules = vec![e.rule.clone()];
    for id in ids::translate(&e.rule).unwrap_or_default() {
        if !rules.contains(id) {
            rules.push(id.clone());
        }
    }
    rules
}

/// The path form entries are compared in: `/` separators, no leading `./`.
fn normalize(path: &str) -> String {
    let p = path.replace('\\', "/");
    let mut s = p.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    s.to_string()
}

impl GitleaksIgnore {
    /// Parses the text of a file named `name`; malformed lines are returned as located warnings.
    pub fn parse(name: &str, text: &str) -> (GitleaksIgnore, Vec<String>) {
        let mut entries = Vec::new();
        let mut warnings = Vec::new();
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let parts: Vec<&str> = line.split(':').collect();
            let (commit, path, rule, at) = match parts.as_slice() {
                [p, r, l] => (None, *p, *r, *l),
                [c, p, r, l] => (Some(c.to_ascii_lowercase()), *p, *r, *l),
                _ => {
                    warnings.push(format!("{name}:{}: not an entry (commit:path:rule:line or path:rule:line); ignored", n + 1));
                    continue;
                }
            };
            let Ok(at) = at.trim().parse::<usize>() else {
                warnings.push(format!(
                    "{name}:{}: '{at}' is not a line number; ignored",
                    n + 1
                ));
                continue;
            };
            entries.push(Entry {
                commit,
                path: normalize(path),
                rule: rule.to_string(),
                line: at,
            });
        }
        let mut out = GitleaksIgnore::default();
        out.add(entries);
        (out, warnings)
    }

    /// Reads a file.
    pub fn read(path: &Path) -> Result<(GitleaksIgnore, Vec<String>), Error> {
        let bytes = std::fs::read(path).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        Ok(GitleaksIgnore::parse(
            &path.display().to_string(),
            &String::from_utf8_lossy(&bytes),
        ))
    }

    /// Adds another file's entries.
    pub fn extend(&mut self, other: GitleaksIgnore) {
        self.add(other.entries);
    }

    /// Adds entries (duplicates are kept once) and rebuilds the index; the record of matches
    /// starts afresh.
    fn add(&mut self, more: Vec<Entry>) {
        let mut seen: HashSet<Entry> = self.entries.iter().cloned().collect();
        for e in more {
            if seen.insert(e.clone()) {
                self.entries.push(e);
            }
        }
        self.entries.sort();
        self.index.clear();
        self.blobs.clear();
        for (i, e) in self.entries.iter().enumerate() {
            for rule in rules_of(e) {
                self.index
                    .entry((e.commit.clone(), e.path.clone(), rule, e.line))
                    .or_default()
                    .push(i);
            }
        }
        self.used = Arc::new(
            self.entries
                .iter()
                .map(|_| AtomicBool::new(false))
                .collect(),
        );
    }

    /// Lets history entries match by content: `lookup(commit, path)` gives the blob id that
    /// `commit:path` names. gitleaks reports a secret in the commit whose diff adds its line;
    /// leakscan scans each blob once and names the first commit it finds it in, which can be
    /// another commit holding the same blob (a merge, another branch). The blob, rule and line
    /// then name the same finding.
    pub fn resolve_blobs(&mut self, lookup: impl Fn(&str, &str) -> Option<String>) {
        self.blobs.clear();
        for (i, e) in self.entries.iter().enumerate() {
            let Some(c) = &e.commit else { continue };
            let Some(blob) = lookup(c, &e.path) else {
                continue;
            };
            for rule in rules_of(e) {
                self.blobs
                    .entry((blob.clone(), rule, e.line))
                    .or_default()
                    .push(i);
            }
        }
    }

    /// True when a history entry names blob `blob` (see [`GitleaksIgnore::resolve_blobs`])
    /// with a finding of `rule` on `line`. Records the entries that list it.
    pub fn is_listed_blob(&self, blob: &str, rule: &str, line: usize) -> bool {
        if self.blobs.is_empty() {
            return false;
        }
        let Some(list) = self
            .blobs
            .get(&(blob.to_ascii_lowercase(), rule.to_string(), line))
        else {
            return false;
        };
        for &i in list {
            if let Some(u) = self.used.get(i) {
                u.store(true, Ordering::Relaxed);
            }
        }
        true
    }

    /// True when there is no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries, sorted.
    pub fn entries(&self) -> Vec<&Entry> {
        self.entries.iter().collect()
    }

    /// True when a finding of `rule` at `path` whose match starts on `line` is listed, for any
    /// commit or for `commit`. Records the entries that list it.
    pub fn is_listed(&self, path: &str, commit: Option<&str>, rule: &str, line: usize) -> bool {
        if self.entries.is_empty() {
            return false;
        }
        let mut key: Key = (None, normalize(path), rule.to_string(), line);
        let mut hit = self.mark(&key);
        if let Some(c) = commit {
            key.0 = Some(c.to_ascii_lowercase());
            hit |= self.mark(&key);
        }
        hit
    }

    fn mark(&self, key: &Key) -> bool {
        let Some(list) = self.index.get(key) else {
            return false;
        };
        for &i in list {
            if let Some(u) = self.used.get(i) {
                u.store(true, Ordering::Relaxed);
            }
        }
        true
    }

    /// Which entries matched a finding so far (in this value and its clones).
    pub fn usage(&self) -> Usage {
        let mut u = Usage {
            entries: self.entries.len(),
            ..Usage::default()
        };
        for (e, used) in self.entries.iter().zip(self.used.iter()) {
            if used.load(Ordering::Relaxed) {
                u.applied += 1;
            } else {
                *u.unused_by_rule.entry(e.rule.clone()).or_default() += 1;
            }
        }
        u
    }
}

#[cfg(test)]
mod tests {
    use super::GitleaksIgnore;

    #[test]
    fn both_forms_comments_and_bad_lines() {
        let text = "# triaged\n\nsrc/a.py:aws:3\nABCDEF0123:./src/b.py:gh:7\nnot an entry\nx:y:z\n";
        let (ig, warnings) = GitleaksIgnore::parse(".gitleaksignore", text);
        assert_eq!(warnings, vec![".gitleaksignore:5: not an entry (commit:path:rule:line or path:rule:line); ignored", ".gitleaksignore:6: 'z' is not a line number; ignored"]);
        assert!(ig.is_listed("src/a.py", None, "aws", 3));
        assert!(ig.is_listed("src/a.py", Some("ffff"), "aws", 3));
        assert!(!ig.is_listed("src/a.py", None, "aws", 4));
        assert!(ig.is_listed("src/b.py", Some("abcdef0123"), "gh", 7));
        assert!(!ig.is_listed("src/b.py", None, "gh", 7));
        assert!(!ig.is_listed("src/b.py", Some("0000"), "gh", 7));
        let u = ig.usage();
        assert_eq!((u.entries, u.applied), (2, 2));
    }

    /// An entry naming a gitleaks rule lists the leakscan rule of the same format; entries
    /// that match nothing are counted.
    #[test]
    fn gitleaks_ids_are_translated_and_unused_entries_counted() {
        let text = "c0ffee:keys.txt:aws-access-token:4\nkeys.txt:private-key:9\nkeys.txt:aws-access-token:5\nold.txt:no-such-rule:1\n";
        let (ig, warnings) = GitleaksIgnore::parse("x", text);
        assert!(warnings.is_empty());
        let scanner_copy = ig.clone();
        assert!(scanner_copy.is_listed("keys.txt", Some("C0FFEE"), "aws-access-key-id", 4));
        assert!(scanner_copy.is_listed("keys.txt", None, "private-key-rsa", 9));
        assert!(!scanner_copy.is_listed("keys.txt", None, "aws-access-key-id", 4));
        let u = ig.usage();
        assert_eq!((u.entries, u.applied, u.unused()), (4, 2, 2));
        // The history entry names a blob leakscan reports at another commit.
        let mut ig = ig;
        ig.resolve_blobs(|c, p| (c == "c0ffee" && p == "keys.txt").then(|| "abc123".to_string()));
        assert!(ig.is_listed_blob("ABC123", "aws-access-key-id", 4));
        assert!(!ig.is_listed_blob("abc123", "aws-access-key-id", 5));
        assert_eq!(
            u.warning().as_deref(),
            Some("2 of 4 .gitleaksignore entries matched no finding of this scan (aws-access-token 1, no-such-rule 1)")
        );
    }
}
