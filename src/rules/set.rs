//! The compiled rule types: [`RuleSet`], [`Rule`], allowlists, lazily compiled regexes.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use globset::{Glob, GlobSet, GlobSetBuilder};
use regex_automata::util::primitives::NonMaxUsize;
use regex_automata::{meta, Input, PatternID};

use super::{Confidence, Kind, Severity};

/// Upper bound on a compiled regex's size; a rule past it is rejected at load time.
pub const REGEX_SIZE_LIMIT: usize = 16 << 20;

/// Upper bound on the lazy DFA's cache of a regex.
const DFA_SIZE_LIMIT: usize = 4 << 20;

/// A regex compiled on first use.
#[derive(Clone, Debug)]
pub struct LazyRegex {
    src: String,
    unicode: bool,
    prefilter: bool,
    cell: OnceLock<Result<Regex, regex::Error>>,
}

impl LazyRegex {
    /// A regex that compiles on first use, with Unicode off (leakscan's default).
    pub fn new(src: impl Into<String>) -> LazyRegex {
        LazyRegex::with_unicode(src, false)
    }

    /// A regex that compiles on first use, with Unicode on or off.
    pub fn with_unicode(src: impl Into<String>, unicode: bool) -> LazyRegex {
        LazyRegex {
            src: src.into(),
            unicode,
            prefilter: false,
            cell: OnceLock::new(),
        }
    }

    /// The same regex, for a rule that runs it over whole buffers: it compiles with the
    /// literal prefilters (see [`Regex`]).
    pub fn for_whole_buffers(mut self) -> LazyRegex {
        self.prefilter = true;
        self
    }

    /// True once compiled (or found not to compile).
    pub fn is_compiled(&self) -> bool {
        self.cell.get().is_some()
    }

    /// Compiles now and returns the error, if any.
    pub fn compile_now(&self) -> Result<&Regex, &regex::Error> {
        self.cell
            .get_or_init(|| Regex::build(&self.src, self.unicode, self.prefilter))
            .as_ref()
    }

    /// True when the regex compiles with Unicode on (rules read from gitleaks, `unicode = true`).
    pub fn is_unicode(&self) -> bool {
        self.unicode
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

/// Compiles a rule regex over bytes with a bounded size, Unicode on or off. Unicode on is what
/// rules read from gitleaks need (Go matches characters, and folds case over Unicode); `(?-u:..)`
/// parts still match ASCII only.
pub fn compile_regex_with(src: &str, unicode: bool) -> Result<regex::bytes::Regex, regex::Error> {
    regex::bytes::RegexBuilder::new(src)
        .unicode(unicode)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(DFA_SIZE_LIMIT)
        .build()
}

/// A compiled rule regex over bytes: the engine of `regex::bytes::Regex` (same syntax, same
/// matches, same limits), first built without literal prefilters.
///
/// Extracting a regex's literals and building its prefilters ("reverse inner" search among
/// them) was half of compiling it, and a one-file scan compiles the regexes its keywords call
/// for: a quarter of its time. They pay off only on much text: after a regex has searched
/// `PREFILTER_AFTER` bytes it is built again with them (the same matches, found faster), and
/// regexes run over whole buffers have them from the start.
#[derive(Debug)]
pub struct Regex {
    src: String,
    unicode: bool,
    plain: meta::Regex,
    fast: OnceLock<Option<meta::Regex>>,
    searched: AtomicUsize,
}

/// Bytes a regex searches before it is built again with literal prefilters.
const PREFILTER_AFTER: usize = 256 << 10;

impl Clone for Regex {
    fn clone(&self) -> Regex {
        Regex {
            src: self.src.clone(),
            unicode: self.unicode,
            plain: self.plain.clone(),
            fast: self.fast.clone(),
            searched: AtomicUsize::new(self.searched.load(Ordering::Relaxed)),
        }
    }
}

impl Regex {
    /// Compiles `src` as [`compile_regex_with`] does, with literal prefilters from the start
    /// or only once it has searched enough.
    fn build(src: &str, unicode: bool, prefilter: bool) -> Result<Regex, regex::Error> {
        let plain = Regex::engine(src, unicode, prefilter).ok_or_else(|| {
            // The regex crate words the error (it fails on the same pattern, the same way).
            match compile_regex_with(src, unicode) {
                Err(e) => e,
                Ok(_) => regex::Error::Syntax(format!("{src}: does not compile")),
            }
        })?;
        let fast = OnceLock::new();
        if prefilter {
            let _ = fast.set(Some(plain.clone()));
        }
        Ok(Regex {
            src: src.to_owned(),
            unicode,
            plain,
            fast,
            searched: AtomicUsize::new(0),
        })
    }

    fn engine(src: &str, unicode: bool, prefilter: bool) -> Option<meta::Regex> {
        let config = meta::Config::new()
            .match_kind(regex_automata::MatchKind::LeftmostFirst)
            .utf8_empty(false)
            .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
            .hybrid_cache_capacity(DFA_SIZE_LIMIT)
            .auto_prefilter(prefilter)
            // No one-pass DFA: it is built for every regex whose captures it can resolve, up to
            // 1 MiB each, and held for the whole run. On gitleaks' history those DFAs were 9 MiB
            // of the peak (80 -> 71 MiB); the bounded backtracker resolves the groups of a
            // match's span as fast (same wall time on gitleaks', synth and rails histories).
            .onepass(false);
        let syntax = regex_automata::util::syntax::Config::new()
            .unicode(unicode)
            .utf8(false);
        meta::Builder::new()
            .configure(config)
            .syntax(syntax)
            .build(src)
            .ok()
    }

    /// The engine for a search of `len` bytes: the one with prefilters once built.
    fn for_search(&self, len: usize) -> &meta::Regex {
        if let Some(Some(fast)) = self.fast.get() {
            return fast;
        }
        if self.searched.fetch_add(len, Ordering::Relaxed) + len >= PREFILTER_AFTER {
            let fast = self
                .fast
                .get_or_init(|| Regex::engine(&self.src, self.unicode, true));
            if let Some(fast) = fast {
                return fast;
            }
        }
        &self.plain
    }

    /// True when the regex matches somewhere in `hay`.
    pub fn is_match(&self, hay: &[u8]) -> bool {
        self.for_search(hay.len()).is_match(hay)
    }

    /// Room for the groups of one match, for [`Regex::captures_read_at`].
    pub fn capture_locations(&self) -> CaptureLocations {
        CaptureLocations(vec![None; self.plain.group_info().slot_len()])
    }

    /// The first match in `hay` starting at or after `at`, its groups in `locs`; the span of
    /// the whole match. `None` when `at` is past the end (the engine would panic on that span).
    pub fn captures_read_at(
        &self,
        locs: &mut CaptureLocations,
        hay: &[u8],
        at: usize,
    ) -> Option<(usize, usize)> {
        if at > hay.len() {
            return None;
        }
        let input = Input::new(hay).span(at..hay.len());
        self.for_search(hay.len().saturating_sub(at))
            .search_slots(&input, &mut locs.0)?;
        locs.get(0)
    }

    /// The names of the groups, in order (`None` for unnamed ones; group 0 is the match).
    pub fn capture_names(&self) -> impl Iterator<Item = Option<&str>> {
        self.plain.group_info().pattern_names(PatternID::ZERO)
    }

    /// The number of groups, the whole match included.
    pub fn captures_len(&self) -> usize {
        self.plain.captures_len()
    }
}

/// Where the groups of a match are, from [`Regex::captures_read_at`].
#[derive(Clone, Debug)]
pub struct CaptureLocations(Vec<Option<NonMaxUsize>>);

impl CaptureLocations {
    /// The number of groups, the whole match included.
    pub fn group_len(&self) -> usize {
        self.0.len() / 2
    }

    /// Appends the groups' offsets to `out` (`usize::MAX` for a group that took no part),
    /// for [`CaptureLocations::load`].
    pub fn save(&self, out: &mut Vec<usize>) {
        out.extend(self.0.iter().map(|s| s.map_or(usize::MAX, |v| v.get())));
    }

    /// How many offsets [`CaptureLocations::save`] appends.
    pub fn saved_len(&self) -> usize {
        self.0.len()
    }

    /// Sets the groups from offsets [`CaptureLocations::save`] wrote, each moved by `shift`.
    pub fn load(&mut self, saved: &[usize], shift: isize) {
        for (slot, &v) in self.0.iter_mut().zip(saved) {
            *slot = match v {
                usize::MAX => None,
                v => NonMaxUsize::new(v.wrapping_add_signed(shift)),
            };
        }
    }

    /// The span of group `i`, when it took part in the match.
    pub fn get(&self, i: usize) -> Option<(usize, usize)> {
        let s = self.0.get(i * 2)?.as_ref()?.get();
        let e = self.0.get(i * 2 + 1)?.as_ref()?.get();
        Some((s, e))
    }
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
    /// The first group that took part and is not empty, else the whole match (gitleaks'
    /// choice when `secretGroup` is absent; unlike `Auto`, a group named `secret` is not
    /// preferred).
    First,
}

/// Lower-case stop words: a secret containing one is allowed. The words are searched for
/// together, with one automaton built on first use: a substring search per word cost more
/// than the rest of the filters on the matches of the generic rules.
#[derive(Clone, Debug, Default)]
pub struct StopWords {
    words: Vec<String>,
    ac: OnceLock<Option<aho_corasick::AhoCorasick>>,
}

impl StopWords {
    /// The first word of the list (in list order) that occurs in `lower`, a lower-cased
    /// secret.
    pub fn first_in(&self, lower: &[u8]) -> Option<&str> {
        if self.words.is_empty() {
            return None;
        }
        let ac = self
            .ac
            .get_or_init(|| aho_corasick::AhoCorasick::new(&self.words).ok());
        let Some(ac) = ac else {
            // Not buildable (cannot happen for a list of strings): search word by word.
            return self
                .words
                .iter()
                .find(|w| memchr::memmem::find(lower, w.as_bytes()).is_some())
                .map(String::as_str);
        };
        ac.find_overlapping_iter(lower)
            .map(|m| m.pattern().as_usize())
            .min()
            .map(|i| self.words[i].as_str())
    }
}

impl std::ops::Deref for StopWords {
    type Target = [String];
    fn deref(&self) -> &[String] {
        &self.words
    }
}

impl FromIterator<String> for StopWords {
    fn from_iter<I: IntoIterator<Item = String>>(iter: I) -> StopWords {
        StopWords {
            words: iter.into_iter().collect(),
            ac: OnceLock::new(),
        }
    }
}

impl From<Vec<String>> for StopWords {
    fn from(words: Vec<String>) -> StopWords {
        StopWords {
            words,
            ac: OnceLock::new(),
        }
    }
}

/// Path filters: globs and regexes; a path matches when any of them matches. Regexes are
/// unanchored and Unicode-aware (gitleaks' `path`, leakscan's `path-regexes`). The globs are
/// checked when the rule loads and put together into one matcher on first use: building
/// those of every rule of the pack took a twentieth of a one-file scan's time.
#[derive(Clone, Debug, Default)]
pub struct PathSet {
    globs: Vec<String>,
    parsed: Vec<Glob>,
    glob_set: OnceLock<Option<GlobSet>>,
    regexes: Vec<regex::Regex>,
}

impl PathSet {
    /// A set from globs (as written, and parsed) and regexes; `None` when both are empty.
    pub fn new(
        globs: Vec<String>,
        parsed: Vec<Glob>,
        regexes: Vec<regex::Regex>,
    ) -> Option<PathSet> {
        (!globs.is_empty() || !regexes.is_empty()).then_some(PathSet {
            globs,
            parsed,
            glob_set: OnceLock::new(),
            regexes,
        })
    }

    /// True when `path` matches a glob or a regex.
    pub fn is_match(&self, path: &str) -> bool {
        self.glob_set().is_some_and(|g| g.is_match(path))
            || self.regexes.iter().any(|r| r.is_match(path))
    }

    /// The globs as one matcher, built now if not yet; `None` without globs (or, as before
    /// this was lazy, when they do not build together).
    fn glob_set(&self) -> Option<&GlobSet> {
        self.glob_set
            .get_or_init(|| {
                if self.parsed.is_empty() {
                    return None;
                }
                let mut b = GlobSetBuilder::new();
                for g in &self.parsed {
                    b.add(g.clone());
                }
                b.build().ok()
            })
            .as_ref()
    }

    /// The glob patterns.
    pub fn globs(&self) -> &[String] {
        &self.globs
    }

    /// The regex patterns.
    pub fn regexes(&self) -> impl Iterator<Item = &str> {
        self.regexes.iter().map(regex::Regex::as_str)
    }
}

/// How the checks of an allowlist combine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Condition {
    /// Any check allows (gitleaks' `OR`, the default).
    #[default]
    Any,
    /// Every check that is set must hold (gitleaks' `AND`).
    All,
}

/// A list of exceptions with a condition: gitleaks' `[[allowlists]]` and leakscan's
/// `[[allow-when]]`. Paths and commits are decided before a buffer is scanned (with
/// [`Condition::Any`], or with [`Condition::All`] when nothing else is set); the regexes and stop
/// words after each match.
#[derive(Clone, Debug, Default)]
pub struct Allowlist {
    /// What it is for.
    pub description: String,
    /// How the checks combine.
    pub condition: Condition,
    /// Commit ids (lower-case hex; a prefix matches unless `exact_commits`).
    pub commits: Vec<String>,
    /// Commits match whole ids only (gitleaks configurations: gitleaks compares ids).
    pub exact_commits: bool,
    /// Paths.
    pub paths: Option<PathSet>,
    /// Regexes on the secret.
    pub secrets: Vec<LazyRegex>,
    /// Regexes on the whole match.
    pub matches: Vec<LazyRegex>,
    /// Regexes on the line(s) of the match.
    pub lines: Vec<LazyRegex>,
    /// Lower-case stop words: a secret containing one is allowed.
    pub stopwords: StopWords,
}

impl Allowlist {
    /// True when `commit` is one of the list's commits: the same id, or (leakscan lists) an
    /// id it is a prefix of. Entries are never empty (configurations are checked).
    pub fn lists_commit(&self, commit: &str) -> bool {
        commit_listed(&self.commits, self.exact_commits, commit)
    }

    /// True when no check is set (such a list would allow nothing, or with `All` everything).
    pub fn is_empty(&self) -> bool {
        self.commits.is_empty() && self.paths.is_none() && !self.has_content_checks()
    }

    /// True when the list has checks on the content of a match.
    pub fn has_content_checks(&self) -> bool {
        !self.secrets.is_empty()
            || !self.matches.is_empty()
            || !self.lines.is_empty()
            || !self.stopwords.is_empty()
    }
}

/// True when `commit` is one of `commits` (lower case): equal, or unless `exact` a prefix of
/// it. An empty entry never matches.
pub fn commit_listed(commits: &[String], exact: bool, commit: &str) -> bool {
    let c = commit.to_ascii_lowercase();
    commits.iter().any(|p| {
        !p.is_empty()
            && if exact {
                c == *p
            } else {
                c.starts_with(p.as_str())
            }
    })
}

/// Another rule that must match near a finding of a composite rule (gitleaks'
/// `[[rules.required]]`) for the finding to be reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Required {
    /// The id of the required rule.
    pub id: String,
    /// At most this many lines between the two matches' first lines.
    pub within_lines: Option<usize>,
    /// At most this many columns between the two matches' first columns.
    pub within_columns: Option<usize>,
}

/// An assessor that decides, candidate by candidate, how confident a finding of a rule is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Assess {
    /// Generic credential assignments: the key's name, the value's shape and the context
    /// decide between dropping the candidate and reporting it at low or medium confidence.
    Generic,
    /// JSON Web Tokens: the payload's `exp` claim decides (see `matcher::jwt`).
    Jwt,
}

impl Assess {
    /// The assessor of a rule file's `assess = "..."`.
    pub fn from_name(name: &str) -> Option<Assess> {
        match name {
            "generic" => Some(Assess::Generic),
            "jwt" => Some(Assess::Jwt),
            _ => None,
        }
    }
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
    /// The assessor deciding each candidate's confidence, if any.
    pub assess: Option<Assess>,
    /// Paths the rule applies to.
    pub paths: Option<PathSet>,
    /// Whether the regex may span lines.
    pub multiline: bool,
    /// Report only the first finding per file.
    pub once: bool,
    /// Whether the regex runs over the whole buffer once a keyword occurs anywhere in it
    /// (gitleaks' semantics) rather than only around the keyword's lines.
    pub whole: bool,
    /// Secret regexes that drop a candidate.
    pub allow_secrets: Vec<LazyRegex>,
    /// Line regexes that drop a candidate.
    pub allow_lines: Vec<LazyRegex>,
    /// Paths where the rule does not report.
    pub allow_paths: Option<PathSet>,
    /// Allowlists with conditions (gitleaks' `[[rules.allowlists]]`, leakscan's
    /// `[[rules.allow-when]]`).
    pub allowlists: Vec<Allowlist>,
    /// Rules that must also match nearby for a finding to be reported (composite rules).
    pub required: Vec<Required>,
    /// The rule only serves as a required part of composite rules and reports nothing itself.
    pub skip_report: bool,
    /// Lower-case stop words.
    pub stopwords: StopWords,
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
    /// The live check `--validate` runs, if the rule has one.
    pub validate: Option<Box<super::Check>>,
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
        self.source.ends_with(SOURCE_SUFFIX)
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
    pub stopwords: StopWords,
    /// Commit ids (lower-case hex prefixes).
    pub commits: Vec<String>,
    /// Allowlists with conditions, for every rule (gitleaks' `[[allowlists]]` without
    /// `targetRules`, leakscan's `[[allow-when]]`).
    pub allowlists: Vec<Allowlist>,
}

/// The rules a scan runs with.
#[derive(Debug, Default)]
pub struct RuleSet {
    /// Rules in a stable order (built-in pack order, then user rules).
    pub rules: Vec<Rule>,
    /// The global allowlist.
    pub allow: GlobalAllow,
    /// The project's internal markers (`[internal]`), matched by the engine rules.
    pub internal: InternalMarkers,
}

impl RuleSet {
    /// The rule with this id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}

/// Rule id of codename findings (plain and hashed).
pub const CODENAME: &str = "internal-codename";
/// Rule id of internal-domain findings.
pub const DOMAIN: &str = "internal-domain";
/// Rule id of ticket-key findings.
pub const TICKET: &str = "internal-ticket";
/// Rule id of configured classification phrases.
pub const PHRASE: &str = "internal-phrase";
/// Rule id of files matching `never-ship`.
pub const NEVER_SHIP: &str = "internal-never-ship";
/// The environment variable holding the key of `codename-hashes` unless `hash-key-env` says
/// otherwise.
pub const DEFAULT_KEY_ENV: &str = "LEAKSCAN_MARKER_KEY";
/// The `source` of every rule generated from `[internal]`.
pub const SOURCE_SUFFIX: &str = "[internal]";

/// A codename given as a keyed hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodenameHash {
    /// How many words the codename has (`blue heron`: 2).
    pub words: usize,
    /// HMAC-SHA256 of the normalised codename.
    pub digest: [u8; 32],
}

/// The validated markers of a configuration.
#[derive(Clone, Debug, Default)]
pub struct InternalMarkers {
    /// Codenames, each as its lower-case words.
    pub codenames: Vec<Vec<String>>,
    /// Hashed codenames.
    pub hashes: Vec<CodenameHash>,
    /// The key of the hashes, when the environment provides it.
    pub hash_key: Option<Vec<u8>>,
    /// Lower-case domains.
    pub domains: Vec<String>,
    /// Ticket prefixes as written (case-sensitive).
    pub tickets: Vec<String>,
    /// Lower-case phrases.
    pub phrases: Vec<String>,
    /// True when the configuration has an `[internal]` table, even an empty one: the project
    /// says it holds internal material, so the built-in markers run without the context
    /// policy of public code (see [`crate::matcher::markers::Context`]).
    pub declared: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stop word reported is the first of the list that occurs anywhere (as a search word
    /// by word finds it), not the first to occur; overlapping words are all seen.
    #[test]
    fn stop_words_report_the_first_listed_word_found() {
        let words: StopWords = ["example", "amp", "xam"]
            .map(String::from)
            .into_iter()
            .collect();
        assert_eq!(words.first_in(b"an-example-key"), Some("example"));
        assert_eq!(words.first_in(b"xamp"), Some("amp"));
        assert_eq!(words.first_in(b"ampere"), Some("amp"));
        assert_eq!(words.first_in(b"token"), None);
        assert_eq!(StopWords::default().first_in(b"example"), None);
        assert_eq!(words.len(), 3);
    }

    /// A rule regex finds what `regex::bytes::Regex` finds, groups included, before and after
    /// it is built again with prefilters, and with them from the start.
    #[test]
    fn rule_regexes_match_as_the_regex_crate_does_with_or_without_prefilters() {
        let src = r"(?i)(?:api|secret)[_-]?key\s*[:=]\s*['\x22]?(?P<secret>[a-z0-9]{8,})|tok_(\d+)";
        let hay = b"x api_key = 'abcd1234efgh' y SECRET-KEY: zz99zz99zz tok_42 api_key=short";
        let reference = compile_regex_with(src, false).unwrap();
        let spans = |re: &Regex, hay: &[u8]| {
            let mut locs = re.capture_locations();
            let mut out = Vec::new();
            let mut at = 0;
            while let Some((s, e)) = re.captures_read_at(&mut locs, hay, at) {
                out.push(
                    (0..locs.group_len())
                        .map(|i| locs.get(i))
                        .collect::<Vec<_>>(),
                );
                at = if e > s { e } else { e + 1 };
            }
            out
        };
        let mut expected = Vec::new();
        let mut locs = reference.capture_locations();
        let mut at = 0;
        while let Some(m) = reference.captures_read_at(&mut locs, hay, at) {
            expected.push((0..locs.len()).map(|i| locs.get(i)).collect::<Vec<_>>());
            at = if m.end() > m.start() {
                m.end()
            } else {
                m.end() + 1
            };
        }
        assert_eq!(expected.len(), 3);
        let lazy = LazyRegex::new(src);
        let re = lazy.compile_now().unwrap();
        assert!(re.fast.get().is_none(), "no prefilters at first");
        assert_eq!(spans(re, hay), expected);
        // Enough text searched builds the prefiltered engine, which finds the same.
        let filler = vec![b'.'; PREFILTER_AFTER];
        assert!(!re.is_match(&filler));
        assert!(matches!(re.fast.get(), Some(Some(_))));
        assert_eq!(spans(re, hay), expected);
        let whole = LazyRegex::new(src).for_whole_buffers();
        let whole = whole.compile_now().unwrap();
        assert!(matches!(whole.fast.get(), Some(Some(_))));
        assert_eq!(spans(whole, hay), expected);
        assert_eq!(re.captures_len(), reference.captures_len());
        assert!(re.capture_names().eq(reference.capture_names()));
        // A start past the end finds nothing (no panic).
        let mut locs = re.capture_locations();
        assert_eq!(re.captures_read_at(&mut locs, hay, hay.len() + 2), None);
        // A pattern that does not compile is worded as the regex crate words it.
        let bad = LazyRegex::new("(unclosed");
        assert_eq!(
            bad.compile_now().unwrap_err().to_string(),
            compile_regex_with("(unclosed", false)
                .unwrap_err()
                .to_string()
        );
    }

    /// Globs match once combined on first use, alone or next to regexes; no globs and no
    /// regexes is no set.
    #[test]
    fn path_sets_match_with_globs_built_on_first_use() {
        let globs = ["**/*.pem", "secrets/**"];
        let parsed = globs.iter().map(|g| Glob::new(g).unwrap()).collect();
        let set = PathSet::new(globs.map(String::from).to_vec(), parsed, Vec::new()).unwrap();
        assert!(set.is_match("keys/server.pem"));
        assert!(set.is_match("secrets/a.txt"));
        assert!(!set.is_match("src/main.rs"));
        let both = PathSet::new(
            vec!["*.key".into()],
            vec![Glob::new("*.key").unwrap()],
            vec![regex::Regex::new(r"\.env$").unwrap()],
        )
        .unwrap();
        assert!(both.is_match("id.key") && both.is_match("app/.env"));
        assert!(!both.is_match("README.md"));
        assert!(PathSet::new(Vec::new(), Vec::new(), Vec::new()).is_none());
    }
}
