//! Filters applied after a regex confirmed a candidate: placeholders, identifiers, stop words,
//! allowlist regexes and the inline `leakscan:allow` comment.
//!
//! Each filter returns the reason it dropped a candidate, so `--explain` can tell "not there"
//! from "filtered". Allowlists with conditions (gitleaks' semantics) are decided in two steps:
//! [`allows_place`] before a buffer is scanned, [`allows_finding`] per match.

use crate::rules::{Allowlist, Condition, LazyRegex, StopWords};

pub use super::placeholder::{has_template, placeholder};

/// True when a secret is an ordinary identifier or word (`get_password`, `self.token`,
/// `secretValue`): letters, `_`, `.`, `-` only, and no digits or mixed symbols. Used for
/// low-confidence (generic) rules only.
pub fn is_identifier_like(secret: &[u8]) -> bool {
    if secret.is_empty() {
        return true;
    }
    let letters_only = secret
        .iter()
        .all(|c| c.is_ascii_alphabetic() || matches!(c, b'_' | b'.' | b'-'));
    if !letters_only {
        return false;
    }
    // Mixed-case random strings (base62 without digits) are not identifiers: count case
    // switches; camelCase has few relative to length.
    let switches = secret
        .windows(2)
        .filter(|w| {
            w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase()
                || w[0].is_ascii_uppercase() && w[1].is_ascii_lowercase()
        })
        .count();
    switches * 4 <= secret.len()
}

/// True when the line holds an inline allow comment.
pub fn has_inline_allow(line: &[u8]) -> bool {
    has_inline_allow_with(line, true)
}

/// True when the line holds `leakscan:allow`, or `gitleaks:allow` when `gitleaks` is set.
pub fn has_inline_allow_with(line: &[u8], gitleaks: bool) -> bool {
    memchr::memmem::find(line, b"leakscan:allow").is_some()
        || gitleaks && memchr::memmem::find(line, b"gitleaks:allow").is_some()
}

/// Where a buffer is, as path filters and allowlists see it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Place<'a> {
    /// The path rules' path filters see.
    pub path: &'a str,
    /// The commit of a history blob.
    pub commit: Option<&'a str>,
    /// The path of the outermost file when the buffer is an archive member (a member of an
    /// archive under `testdata/` is test data).
    pub container: Option<&'a str>,
}

/// A confirmed match, as allowlists with conditions see it.
pub struct Match<'a> {
    /// Where the buffer is.
    pub place: &'a Place<'a>,
    /// The secret.
    pub secret: &'a [u8],
    /// The whole match.
    pub matched: &'a [u8],
    /// The line(s) of the match.
    pub line: &'a [u8],
}

fn commit_listed(a: &Allowlist, commit: Option<&str>) -> bool {
    commit.is_some_and(|c| a.lists_commit(c))
}

fn path_listed(a: &Allowlist, path: &str) -> bool {
    a.paths.as_ref().is_some_and(|p| p.is_match(path))
}

/// Whether an allowlist excludes a place before its content is scanned, as gitleaks decides:
/// with `Any`, a listed commit or path; with `All`, only a list of nothing but commits and
/// paths, all of which hold (a list with content checks is decided per match).
pub fn allows_place(a: &Allowlist, place: &Place<'_>) -> bool {
    match a.condition {
        Condition::Any => commit_listed(a, place.commit) || path_listed(a, place.path),
        Condition::All => {
            !a.has_content_checks()
                && !a.is_empty()
                && (a.commits.is_empty() || commit_listed(a, place.commit))
                && (a.paths.is_none() || path_listed(a, place.path))
        }
    }
}

/// Whether an allowlist drops a match: with `Any`, a regex on its target or a stop word in the
/// secret; with `All`, every check that is set (commits, paths, regexes, stop words).
pub fn allows_finding(a: &Allowlist, m: &Match<'_>) -> bool {
    let hit = |list: &[LazyRegex], target: &[u8]| {
        list.iter()
            .any(|r| r.get().is_some_and(|re| re.is_match(target)))
    };
    let regex = || hit(&a.secrets, m.secret) || hit(&a.matches, m.matched) || hit(&a.lines, m.line);
    let stop = || stopword(m.secret, &a.stopwords).is_some();
    match a.condition {
        Condition::Any => regex() || stop(),
        Condition::All => {
            let has_regex = !a.secrets.is_empty() || !a.matches.is_empty() || !a.lines.is_empty();
            !a.is_empty()
                && (a.commits.is_empty() || commit_listed(a, m.place.commit))
                && (a.paths.is_none() || path_listed(a, m.place.path))
                && (!has_regex || regex())
                && (a.stopwords.is_empty() || stop())
        }
    }
}

/// Whether an allowlist with `condition = "AND"` and commits would drop a match at one of its
/// commits: every other check holds. A history blob is scanned before the commit that
/// introduced it is known; such a match is dropped once it is (see [`CommitAllow`]).
pub fn allows_finding_at_its_commits(a: &Allowlist, m: &Match<'_>) -> bool {
    let place = Place {
        commit: a.commits.first().map(String::as_str),
        ..*m.place
    };
    matches!(a.condition, Condition::All)
        && !a.commits.is_empty()
        && (a.has_content_checks() || a.paths.is_some())
        && allows_finding(
            a,
            &Match {
                place: &place,
                secret: m.secret,
                matched: m.matched,
                line: m.line,
            },
        )
}

/// An allowlist that drops a finding if the finding's commit is one of `commits`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitAllow {
    /// Why, as `--explain` says it.
    pub reason: String,
    /// Commit ids or prefixes (lower case).
    pub commits: Vec<String>,
    /// Whole ids only (see [`Allowlist::exact_commits`]).
    pub exact: bool,
}

impl CommitAllow {
    /// True when `commit` is one of the list's commits.
    pub fn allows(&self, commit: &str) -> bool {
        crate::rules::commit_listed(&self.commits, self.exact, commit)
    }
}

/// The first stop word (lower case) contained in `secret`, case-insensitively.
pub fn stopword<'a>(secret: &[u8], words: &'a StopWords) -> Option<&'a str> {
    if words.is_empty() {
        return None;
    }
    words.first_in(&secret.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        for p in [
            "AKIAIOSFODNN7EXAMPLE",
            "your-api-key-here",
            "xxxxxxxxxxxxxxxx",
            "${TOKEN}",
            "<token>",
            "changeme",
            "{{ secret }}",
            "%(password)s",
            "$DB_PASSWORD",
            "aaaaaaaaaaaaaaaa",
            "1234567890abcdef",
            "********",
            "%API_KEY%",
        ] {
            assert!(placeholder(p.as_bytes()).is_some(), "{p}");
        }
        for real in [
            "9fK2mQ7xL4pR8sT1vW6yZ3bN",
            "ghp_Zq3vK8mN2pL5rT9wX1yB4cD7fG0hJ6aaaaaa",
        ] {
            assert!(placeholder(real.as_bytes()).is_none(), "{real}");
        }
    }

    #[test]
    fn identifiers() {
        for id in [
            "get_password",
            "self.token",
            "secretValue",
            "PASSWORD",
            "db-password",
        ] {
            assert!(is_identifier_like(id.as_bytes()), "{id}");
        }
        for s in ["hunter2", "9fK2mQ7xL4", "QwErTyUiOpAsDfGh"] {
            assert!(!is_identifier_like(s.as_bytes()), "{s}");
        }
    }
}
