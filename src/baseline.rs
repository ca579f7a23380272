//! Baselines (`leakscan baseline create`, `scan --baseline FILE`) and the `.leakscanignore`
//! file: the findings a team has already accepted, so that a scan blocks only new leaks.
//!
//! A baseline is JSON with a version (the format is in the README, "Baselines"):
//!
//! ```text
//! { "version": 1,
//!   "tool": "leakscan 0.1.0",
//!   "key": "<64 hex digits>",       // random per baseline: the HMAC key of secret_hmac
//!   "entries": [ {
//!       "rule_id": "github-pat",
//!       "path": "src/app.py",          // display path: archive members joined with '!'
//!       "secret_hmac": "<64 hex>",     // HMAC-SHA-256(key, secret); absent for path rules
//!       "commit": "1a2b3c…",           // optional: only this commit (prefix, history findings)
//!       "line": 12,                    // optional: only this line
//!       "redacted": "ghp_ab…(40 chars)",  // for the reader only
//!       "reason": "…" } ] }            // for the reader only
//! ```
//!
//! An entry matches a finding when the rule id and path are equal and every optional matching
//! field present (`secret_hmac`, `commit`, `line`) agrees. Entries written by `baseline create`
//! carry `secret_hmac` and no line or commit, so they survive edits that move lines and cover
//! the same secret in every commit of the history. Entries imported from other tools'
//! line-based ignore files (`<commit>:<path>:<rule>:<line>`) set `commit` and `line` instead;
//! build them with [`Entry::at_location`] and [`Baseline::insert`].
//!
//! The secret enters the file only as an HMAC under a key drawn at random for each baseline: a
//! table of hashes of common passwords cannot be matched against it, and the same secret gives
//! unrelated values in two baselines. The key sits in the file, so anyone who holds the file
//! can still test guesses for one entry; the secret itself was in the repository anyway.
//!
//! `.leakscanignore` holds one leakscan/v2 fingerprint per line (v1 ones still match), each with a reason:
//! `0123456789abcdef0123456789abcdef # test fixture, not a real key`. Blank lines and lines
//! starting with `#` are comments.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::finding::Finding;
use crate::redact::Secret;

/// The baseline format version written and read.
pub const VERSION: u32 = 1;
/// The name of the ignore file at the scan root.
pub const IGNORE_FILE: &str = ".leakscanignore";

/// The baseline `scan` and `hook pre-push` read when none is named: at the scan root (the
/// repository root of a repository).
pub const DEFAULT_FILE: &str = ".leakscan-baseline.json";

/// One accepted finding, or a pattern of them.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Rule id.
    pub rule_id: String,
    /// Display path (`dist/a.tgz!package/x.js` for archive members).
    pub path: String,
    /// HMAC-SHA-256 of the secret under the baseline's key, hex; `None` for path rules and
    /// location-based entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_hmac: Option<String>,
    /// Matches only findings of this commit (a hex prefix of the id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Matches only findings at this 1-based line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The redacted secret, for the reader.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redacted: Option<String>,
    /// Why the finding is accepted, for the reader.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Entry {
    /// A location-based entry (e.g. imported from a `.gitleaksignore` line): rule, path and,
    /// when given, commit and line must match.
    pub fn at_location(
        rule_id: &str,
        path: &str,
        commit: Option<&str>,
        line: Option<usize>,
    ) -> Entry {
        Entry {
            rule_id: rule_id.to_string(),
            path: path.to_string(),
            secret_hmac: None,
            commit: commit.map(str::to_ascii_lowercase),
            line,
            redacted: None,
            reason: None,
        }
    }

    fn matches(&self, f: &Finding, hmac: &mut dyn FnMut(&Secret) -> String) -> bool {
        if let Some(c) = &self.commit {
            match f.origin.commit() {
                Some(fc) if fc.id.starts_with(c.as_str()) => {}
                _ => return false,
            }
        }
        if self.line.is_some_and(|l| l != f.line) {
            return false;
        }
        match (&self.secret_hmac, &f.secret) {
            (None, _) => true,
            (Some(want), Some(s)) => *want == hmac(s),
            (Some(_), None) => false,
        }
    }
}

/// Why a baseline or ignore file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// The file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a baseline this leakscan reads.
    #[error("{}: {source}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// Why.
        source: FormatError,
    },
    /// Lines of an ignore file without a fingerprint or a reason, each located.
    #[error("{}", .0.join("\n"))]
    IgnoreLines(Vec<String>),
}

/// Why the text of a baseline is not one.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// Not JSON, or not a baseline's JSON.
    #[error("not a leakscan baseline: {0}")]
    Json(#[from] serde_json::Error),
    /// Written by a leakscan with another format.
    #[error("baseline version {0} is not supported (this leakscan reads version {VERSION})")]
    Version(u32),
    /// The key is not hexadecimal.
    #[error("baseline key is not hex")]
    KeyNotHex,
    /// The key is too short to hide the secrets' hashes.
    #[error("baseline key is shorter than 16 bytes")]
    KeyTooShort,
    /// A JSON array, but not a gitleaks report's findings.
    #[error("not a gitleaks JSON report: {0}")]
    Gitleaks(serde_json::Error),
}

/// The file on disk.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    version: u32,
    #[serde(default)]
    tool: String,
    key: String,
    entries: Vec<Entry>,
}

/// A set of accepted findings with the key of its secret HMACs.
#[derive(Clone, Debug)]
pub struct Baseline {
    key: Vec<u8>,
    // Entries by (rule id, path).
    entries: BTreeMap<(String, String), Vec<Entry>>,
}

impl Default for Baseline {
    fn default() -> Baseline {
        Baseline::new()
    }
}

impl Baseline {
    /// An empty baseline with a fresh random key.
    pub fn new() -> Baseline {
        Baseline::with_key(random_key().to_vec())
    }

    /// An empty baseline with this key (tests, reproducible files).
    pub fn with_key(key: Vec<u8>) -> Baseline {
        Baseline {
            key,
            entries: BTreeMap::new(),
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.values().map(Vec::len).sum()
    }

    /// True without entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every entry, sorted.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values().flatten()
    }

    /// Adds an entry; an identical entry is kept once.
    pub fn insert(&mut self, entry: Entry) {
        let list = self
            .entries
            .entry((entry.rule_id.clone(), entry.path.clone()))
            .or_default();
        if !list.contains(&entry) {
            list.push(entry);
            list.sort();
        }
    }

    /// The hex HMAC-SHA-256 of a secret under this baseline's key.
    pub fn secret_hmac(&self, secret: &Secret) -> String {
        crate::fingerprint::hmac_sha256_hex(&self.key, secret.as_bytes())
    }

    /// The entry `baseline create` records for a finding: rule, path and secret HMAC.
    pub fn entry_for(&self, f: &Finding) -> Entry {
        Entry {
            rule_id: f.rule_id.clone(),
            path: f.origin.display_path(),
            secret_hmac: f.secret.as_ref().map(|s| self.secret_hmac(s)),
            commit: None,
            line: None,
            redacted: f.secret.as_ref().map(Secret::redacted),
            reason: None,
        }
    }

    /// True when an entry accepts the finding.
    pub fn contains(&self, f: &Finding) -> bool {
        let Some(list) = self
            .entries
            .get(&(f.rule_id.clone(), f.origin.display_path()))
        else {
            return false;
        };
        let mut cached: Option<String> = None;
        let mut hmac = |s: &Secret| cached.get_or_insert_with(|| self.secret_hmac(s)).clone();
        list.iter().any(|e| e.matches(f, &mut hmac))
    }

    /// Reads a baseline file.
    pub fn read(path: &Path) -> Result<Baseline, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|e| BaselineError::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        Baseline::parse(&text).map_err(|source| BaselineError::Format {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Parses the JSON of a baseline, or of a gitleaks JSON report (what gitleaks'
    /// `--baseline-path` takes): each of its findings becomes a location entry (rule, path,
    /// commit, line), under every leakscan rule that covers its gitleaks rule.
    pub fn parse(text: &str) -> Result<Baseline, FormatError> {
        if text.trim_start().starts_with('[') {
            return Baseline::parse_gitleaks(text);
        }
        let wire: Wire = serde_json::from_str(text)?;
        if wire.version != VERSION {
            return Err(FormatError::Version(wire.version));
        }
        let key = hex::decode(&wire.key).map_err(|_| FormatError::KeyNotHex)?;
        if key.len() < 16 {
            return Err(FormatError::KeyTooShort);
        }
        let mut b = Baseline::with_key(key);
        for e in wire.entries {
            b.insert(e);
        }
        Ok(b)
    }

    fn parse_gitleaks(text: &str) -> Result<Baseline, FormatError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Reported {
            #[serde(rename = "RuleID")]
            rule_id: String,
            file: String,
            #[serde(default)]
            commit: String,
            start_line: usize,
        }
        let list: Vec<Reported> = serde_json::from_str(text).map_err(FormatError::Gitleaks)?;
        let mut b = Baseline::new();
        for f in list {
            let commit = Some(f.commit.as_str()).filter(|c| !c.is_empty());
            let mut ids = vec![f.rule_id.clone()];
            for id in crate::rules::gitleaks::ids::translate(&f.rule_id).unwrap_or_default() {
                if !ids.contains(id) {
                    ids.push(id.clone());
                }
            }
            let path = f.file.strip_prefix("./").unwrap_or(&f.file);
            for id in ids {
                b.insert(Entry::at_location(&id, path, commit, Some(f.start_line)));
            }
        }
        Ok(b)
    }

    /// The JSON text of the baseline, entries sorted: the same set gives the same file.
    pub fn to_json(&self) -> String {
        let wire = Wire {
            version: VERSION,
            tool: format!("leakscan {}", env!("CARGO_PKG_VERSION")),
            key: hex::encode(&self.key),
            entries: self.entries().cloned().collect(),
        };
        let mut s = serde_json::to_string_pretty(&wire).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Writes the baseline to a file.
    pub fn write(&self, path: &Path) -> Result<(), BaselineError> {
        std::fs::write(path, self.to_json()).map_err(|e| BaselineError::Io {
            path: path.to_path_buf(),
            source: e,
        })
    }
}

/// 32 random bytes from the operating system, else from std's randomly seeded hasher keys
/// mixed with the time and process id (the key is a salt, not a long-term secret).
fn random_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        if std::io::Read::read_exact(&mut f, &mut key).is_ok() {
            return key;
        }
    }
    use std::hash::{BuildHasher, Hasher};
    let mut h = Sha256::new();
    for i in 0..8u64 {
        let mut s = std::collections::hash_map::RandomState::new().build_hasher();
        s.write_u64(i);
        h.update(s.finish().to_le_bytes());
    }
    h.update(format!("{:?}{}", std::time::SystemTime::now(), std::process::id()).as_bytes());
    key.copy_from_slice(&h.finalize());
    key
}

/// The fingerprints of a `.leakscanignore` file, with their reasons.
#[derive(Clone, Debug, Default)]
pub struct IgnoreList {
    /// Fingerprint -> reason.
    pub fingerprints: BTreeMap<String, String>,
    /// The file it was read from.
    pub path: PathBuf,
}

impl IgnoreList {
    /// Reads an ignore file; a line without a valid fingerprint or without a reason is an error
    /// located at its line.
    pub fn read(path: &Path) -> Result<IgnoreList, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|e| BaselineError::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        IgnoreList::parse(&text, path)
    }

    /// Parses the text of an ignore file.
    pub fn parse(text: &str, path: &Path) -> Result<IgnoreList, BaselineError> {
        let mut list = IgnoreList {
            path: path.to_path_buf(),
            ..IgnoreList::default()
        };
        let mut problems = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let t = line.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            let (fp, reason) = match t.split_once('#') {
                Some((fp, reason)) => (fp.trim(), reason.trim()),
                None => (t, ""),
            };
            let at = format!("{}:{}", path.display(), i + 1);
            if fp.len() != 32 || !fp.bytes().all(|b| b.is_ascii_hexdigit()) {
                problems.push(format!(
                    "{at}: expected a leakscan fingerprint (32 hex digits), found '{}'",
                    fp.chars().take(40).collect::<String>()
                ));
            } else if reason.is_empty() {
                problems.push(format!(
                    "{at}: give a reason after the fingerprint: '{fp} # why this is not a leak'"
                ));
            } else {
                list.fingerprints
                    .insert(fp.to_ascii_lowercase(), reason.to_string());
            }
        }
        if problems.is_empty() {
            Ok(list)
        } else {
            Err(BaselineError::IgnoreLines(problems))
        }
    }

    /// True when the finding's fingerprint is listed (its `leakscan/v2` fingerprint, or the
    /// retired `leakscan/v1` one that files written before v2 hold).
    pub fn contains(&self, f: &Finding) -> bool {
        self.fingerprints.contains_key(&f.fingerprint)
            || self.fingerprints.contains_key(&f.legacy_fingerprint())
    }
}

/// How many findings each filter removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Suppressed {
    /// Accepted by the baseline.
    pub baseline: usize,
    /// Listed in the ignore file.
    pub ignored: usize,
}

/// Removes the findings that the ignore file lists or the baseline accepts.
pub fn filter(
    findings: &mut Vec<Finding>,
    baseline: Option<&Baseline>,
    ignore: Option<&IgnoreList>,
) -> Suppressed {
    let mut s = Suppressed::default();
    findings.retain(|f| {
        if ignore.is_some_and(|i| i.contains(f)) {
            s.ignored += 1;
            false
        } else if baseline.is_some_and(|b| b.contains(f)) {
            s.baseline += 1;
            false
        } else {
            true
        }
    });
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{Confidence, Kind, Severity};
    use crate::source::Origin;

    fn finding(path: &str, line: usize, secret: &str) -> Finding {
        Finding {
            rule_id: "r".into(),
            description: "d".into(),
            kind: Kind::Secret,
            severity: Severity::High,
            confidence: Confidence::High,
            tags: vec![],
            origin: Origin::file(path),
            line,
            column: 1,
            end_line: line,
            end_column: 2,
            offset: 0,
            binary: false,
            secret: Some(Secret::new(secret.as_bytes())),
            snippet: String::new(),
            fingerprint: crate::fingerprint::compute("r", path, secret.as_bytes()),
            line_hash: None,
            dropped: None,
            commit_allow: Vec::new(),
            validation: None,
            spread: None,
            repository: None,
        }
    }

    #[test]
    fn round_trip_matches_by_secret_not_line() {
        let mut b = Baseline::new();
        b.insert(b.entry_for(&finding("a.py", 3, "s3cr3t-value-1")));
        let text = b.to_json();
        assert!(!text.contains("s3cr3t-value-1"));
        let b = Baseline::parse(&text).expect("parse");
        assert_eq!(b.len(), 1);
        assert!(b.contains(&finding("a.py", 40, "s3cr3t-value-1")));
        assert!(!b.contains(&finding("a.py", 3, "s3cr3t-value-2")));
        assert!(!b.contains(&finding("b.py", 3, "s3cr3t-value-1")));
    }

    #[test]
    fn keys_differ_so_hmacs_differ() {
        let s = Secret::new(b"hunter2");
        assert_ne!(
            Baseline::new().secret_hmac(&s),
            Baseline::new().secret_hmac(&s)
        );
        let k = Baseline::with_key(vec![7; 32]);
        assert_eq!(
            k.secret_hmac(&s),
            Baseline::with_key(vec![7; 32]).secret_hmac(&s)
        );
    }

    #[test]
    fn location_entries_match_line_and_commit() {
        let mut b = Baseline::with_key(vec![1; 32]);
        b.insert(Entry::at_location("r", "a.py", None, Some(3)));
        assert!(b.contains(&finding("a.py", 3, "x")));
        assert!(!b.contains(&finding("a.py", 4, "x")));
        b.insert(Entry::at_location("r", "c.py", Some("ABC"), None));
        assert!(
            !b.contains(&finding("c.py", 1, "x")),
            "a tree finding has no commit"
        );
    }

    #[test]
    fn bad_files_are_refused() {
        assert!(Baseline::parse("{}").is_err());
        assert!(
            Baseline::parse(r#"{"version": 2, "key": "00", "entries": []}"#)
                .unwrap_err()
                .to_string()
                .contains("version 2")
        );
        let p = Path::new(".leakscanignore");
        let ok = IgnoreList::parse(
            "# comment\n\n0123456789abcdef0123456789ABCDEF # fixture\n",
            p,
        )
        .expect("valid");
        assert!(ok
            .fingerprints
            .contains_key("0123456789abcdef0123456789abcdef"));
        let e = IgnoreList::parse("0123456789abcdef0123456789abcdef\nxyz # r\n", p)
            .unwrap_err()
            .to_string();
        assert!(e.contains(".leakscanignore:1: give a reason"), "{e}");
        assert!(
            e.contains(".leakscanignore:2: expected a leakscan fingerprint"),
            "{e}"
        );
    }
}
