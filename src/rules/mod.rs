//! Compiled, validated rules: the only rule type the rest of the code sees.
//!
//! [`RuleSet`] is built once by [`load`] from the built-in pack and the user's configuration;
//! regexes are compiled on first use and shared by all threads, so a scan of one small file (a
//! hook) does not pay for hundreds of regexes it never needs.

pub mod builtin;
pub mod internal;
pub mod load;
pub mod model;
pub mod selftest;
pub mod validate;

use std::sync::OnceLock;

use globset::GlobSet;
use regex::bytes::Regex;

pub use load::{load, ConfigSource, LoadedConfig};
pub use model::{Confidence, Kind, Severity};

/// Upper bound on a compiled regex's size; a rule past it is rejected at load time.
pub const REGEX_SIZE_LIMIT: usize = 16 << 20;

/// A regex compiled on first use.
#[derive(Debug)]
pub struct LazyRegex {
    src: String,
    cell: OnceLock<Result<Regex, String>>,
}

impl LazyRegex {
    /// A regex that compiles on first use.
    pub fn new(src: impl Into<String>) -> LazyRegex {
        LazyRegex {
            src: src.into(),
            cell: OnceLock::new(),
        }
    }

    /// Compiles now and returns the error, if any.
    pub fn compile_now(&self) -> Result<&Regex, String> {
        self.cell
            .get_or_init(|| compile_regex(&self.src))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The compiled regex; `None` when it does not compile (checked at load for user rules and
    /// by the test suite for the built-in pack).
    pub fn get(&self) -> Option<&Regex> {
        self.compile_now().ok()
    }

    /// The pattern.
    pub fn as_str(&self) -> &str {
        &self.src
    }
}

/// Compiles a rule regex the way the engine runs it: bytes, Unicode off, bounded size.
pub fn compile_regex(src: &str) -> Result<Regex, String> {
    regex::bytes::RegexBuilder::new(src)
        .unicode(false)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(4 << 20)
        .build()
        .map_err(|e| e.to_string())
}

/// Which capture group holds the secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretGroup {
    /// The group named `secret`, else group 1 if any, else the whole match.
    Auto,
    /// A numbered group.
    Index(usize),
    /// A named group.
    Name(String),
}

/// One compiled rule.
#[derive(Debug)]
pub struct Rule {
    /// Unique id.
    pub id: String,
    /// One-line description.
    pub description: String,
    /// The regex; `None` for path rules.
    pub regex: Option<LazyRegex>,
    /// Where the secret is.
    pub secret_group: SecretGroup,
    /// Prefilter keywords, lower case.
    pub keywords: Vec<String>,
    /// Minimum entropy of the secret.
    pub entropy: Option<f64>,
    /// Severity.
    pub severity: Severity,
    /// Confidence.
    pub confidence: Confidence,
    /// Kind.
    pub kind: Kind,
    /// Tags.
    pub tags: Vec<String>,
    /// Checksum verifier.
    pub checksum: Option<String>,
    /// Paths the rule applies to.
    pub paths: Option<GlobSet>,
    /// Whether the regex may span lines.
    pub multiline: bool,
    /// Report only the first finding per file.
    pub once: bool,
    /// Secret regexes that drop a candidate.
    pub allow_secrets: Vec<LazyRegex>,
    /// Line regexes that drop a candidate.
    pub allow_lines: Vec<LazyRegex>,
    /// Paths where the rule does not report.
    pub allow_paths: Option<GlobSet>,
    /// Lower-case stop words.
    pub stopwords: Vec<String>,
    /// Apply the placeholder filter.
    pub placeholders: bool,
    /// Remediation text.
    pub remediation: Option<String>,
    /// Examples that must match.
    pub examples: Vec<String>,
    /// Examples that must not match.
    pub counter_examples: Vec<String>,
    /// Path the examples are scanned under.
    pub example_path: String,
    /// The file the rule came from (`builtin:rules/x.toml` for the pack).
    pub source: String,
}

impl Rule {
    /// True for rules that report a file by its path alone.
    pub fn is_path_rule(&self) -> bool {
        self.regex.is_none() && self.paths.is_some()
    }

    /// True for rules matched by a dedicated engine instead of a regex (the markers of
    /// `[internal]`, see [`crate::matcher::markers`]). Only generated rules are like this: a
    /// rule file's rule needs a regex or paths.
    pub fn is_engine_rule(&self) -> bool {
        self.regex.is_none() && self.paths.is_none()
    }

    /// True for rules generated from a configuration's `[internal]` table; they carry no
    /// examples (their engine has its own tests).
    pub fn is_generated(&self) -> bool {
        self.source.ends_with(internal::SOURCE_SUFFIX)
    }
}

/// The global allowlist of a configuration.
#[derive(Debug, Default)]
pub struct GlobalAllow {
    /// Paths never scanned.
    pub paths: Option<GlobSet>,
    /// Secret regexes.
    pub secrets: Vec<LazyRegex>,
    /// Line regexes.
    pub lines: Vec<LazyRegex>,
    /// Lower-case stop words.
    pub stopwords: Vec<String>,
    /// Commit ids (lower-case hex prefixes).
    pub commits: Vec<String>,
}

/// The rules a scan runs with.
#[derive(Debug, Default)]
pub struct RuleSet {
    /// Rules in a stable order (built-in pack order, then user rules).
    pub rules: Vec<Rule>,
    /// The global allowlist.
    pub allow: GlobalAllow,
    /// The project's internal markers (`[internal]`), matched by the engine rules.
    pub internal: internal::InternalMarkers,
}

impl RuleSet {
    /// The rule with this id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}
