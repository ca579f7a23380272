//! `.gitleaksignore`: gitleaks' list of findings to ignore, one per line, tied to a path, a rule
//! id and the line where the match starts: `<commit>:<path>:<rule>:<line>` for a finding in
//! history, `<path>:<rule>:<line>` for a finding in any commit or in a working tree. Blank lines
//! and `#` comments are skipped. A path rule's finding is on line 0, as gitleaks writes it.
//!
//! This module reads the file and answers "is this finding listed"; the scanner drops listed
//! findings, and `leakscan baseline` can turn the entries into fingerprints.

use std::collections::HashSet;
use std::path::Path;

use crate::error::Error;

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
    /// The rule id.
    pub rule: String,
    /// The line where the match starts (0 for path rules).
    pub line: usize,
}

/// The entries of one or more `.gitleaksignore` files.
#[derive(Clone, Debug, Default)]
pub struct GitleaksIgnore {
    entries: HashSet<Entry>,
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
        let mut out = GitleaksIgnore::default();
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
            out.entries.insert(Entry {
                commit,
                path: normalize(path),
                rule: rule.to_string(),
                line: at,
            });
        }
        (out, warnings)
    }

    /// Reads a file.
    pub fn read(path: &Path) -> Result<(GitleaksIgnore, Vec<String>), Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        Ok(GitleaksIgnore::parse(&path.display().to_string(), &text))
    }

    /// Adds another file's entries.
    pub fn extend(&mut self, other: GitleaksIgnore) {
        self.entries.extend(other.entries);
    }

    /// True when there is no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries, sorted.
    pub fn entries(&self) -> Vec<&Entry> {
        let mut v: Vec<&Entry> = self.entries.iter().collect();
        v.sort();
        v
    }

    /// True when a finding of `rule` at `path` whose match starts on `line` is listed, for any
    /// commit or for `commit`.
    pub fn is_listed(&self, path: &str, commit: Option<&str>, rule: &str, line: usize) -> bool {
        if self.entries.is_empty() {
            return false;
        }
        let mut e = Entry {
            commit: None,
            path: normalize(path),
            rule: rule.to_string(),
            line,
        };
        if self.entries.contains(&e) {
            return true;
        }
        match commit {
            Some(c) => {
                e.commit = Some(c.to_ascii_lowercase());
                self.entries.contains(&e)
            }
            None => false,
        }
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
    }
}
