//! The matcher: built once from a [`RuleSet`], shared by all threads; bytes in, candidate
//! matches out. It never opens a file and knows nothing of git.
//!
//! Two stages: the [`prefilter`] finds keywords and the windows where rules may match; only
//! those rules' regexes run, in those windows. Each regex match then passes the filters in a
//! fixed order (entropy, checksum, rule and global allowlists, placeholders, identifiers, the
//! inline allow comment); the built-in internal markers are then judged by their context
//! ([`markers::Context`]: dropped, or lowered to `low`), and a lower-confidence candidate
//! overlapping a higher-confidence one is dropped. With `explain`, dropped candidates are returned too, with the filter that
//! dropped them.

pub mod allow;
pub mod checksum;
pub mod entropy;
pub mod generic;
mod grams;
pub mod jwt;
pub mod known;
mod lanes;
pub mod markers;
mod overlap;
pub mod placeholder;
pub mod prefilter;

use std::fmt;
use std::sync::Arc;

use crate::rules::{CaptureLocations, LazyRegex, Regex};

use crate::rules::{Confidence, Rule, RuleSet, SecretGroup};
pub use allow::{CommitAllow, Place};
pub use prefilter::{Copied, Hits};
use prefilter::{Prefilter, Reach, Window};
use rayon::prelude::*;

/// Why a candidate was dropped.
#[derive(Clone, Debug, PartialEq)]
pub enum Dropped {
    /// Entropy of the secret below the rule's minimum.
    Entropy { got: f64, min: f64 },
    /// The checksum did not verify.
    Checksum(String),
    /// A rule `allow-secrets` regex matched.
    AllowSecret(String),
    /// A rule `allow-lines` regex matched.
    AllowLine(String),
    /// A stop word occurs in the secret.
    Stopword(String),
    /// The secret looks like a placeholder.
    Placeholder(&'static str),
    /// The secret is an ordinary identifier (generic rules only).
    Identifier,
    /// The line carries `leakscan:allow`.
    InlineAllow,
    /// The global allowlist matched.
    GlobalAllow(&'static str),
    /// The path is excluded for this rule by `allow-paths`.
    AllowPath,
    /// A more confident rule matched the same secret.
    Overlap(String),
    /// The capture group holding the secret did not take part in the match.
    EmptySecret,
    /// A `once` rule already reported this file.
    Once,
    /// An allowlist with a condition (`[[allow-when]]`, gitleaks' allowlists) matched.
    Allowlist(String),
    /// A built-in internal marker in a context where it leaks nothing (documentation, a
    /// comment, a test; see [`markers::Context`]).
    Context(&'static str),
    /// A composite rule's required rule did not match nearby.
    Required(String),
    /// The rule's assessor judged it no secret (see [`generic`]).
    Assessed(&'static str),
    /// A sample key published by its vendor (see [`known`]).
    Published(&'static str),
}

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dropped::Entropy { got, min } => write!(f, "entropy {got:.2} below {min:.2}"),
            Dropped::Checksum(n) => write!(f, "checksum {n} does not verify"),
            Dropped::AllowSecret(r) => write!(f, "allow-secrets /{r}/"),
            Dropped::AllowLine(r) => write!(f, "allow-lines /{r}/"),
            Dropped::Stopword(w) => write!(f, "stop word '{w}'"),
            Dropped::Placeholder(why) => write!(f, "placeholder ({why})"),
            Dropped::Identifier => f.write_str("ordinary identifier or word"),
            Dropped::InlineAllow => f.write_str("inline leakscan:allow"),
            Dropped::GlobalAllow(what) => write!(f, "global allowlist ({what})"),
            Dropped::AllowPath => f.write_str("allow-paths"),
            Dropped::Overlap(id) => write!(f, "overlaps a finding of '{id}'"),
            Dropped::EmptySecret => f.write_str("secret group did not match"),
            Dropped::Once => f.write_str("rule reports once per file"),
            Dropped::Allowlist(what) => write!(f, "allowlist {what}"),
            Dropped::Context(why) => write!(f, "context: {why}"),
            Dropped::Required(id) => write!(f, "required rule '{id}' did not match nearby"),
            Dropped::Assessed(why) => write!(f, "assessed: {why}"),
            Dropped::Published(origin) => write!(f, "a published sample key ({origin})"),
        }
    }
}

/// A regex match of a rule, with the filter verdict.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// Index of the rule in the rule set.
    pub rule: usize,
    /// Whole match, byte offsets.
    pub start: usize,
    /// End of the whole match (exclusive).
    pub end: usize,
    /// The secret, byte offsets.
    pub secret_start: usize,
    /// End of the secret (exclusive).
    pub secret_end: usize,
    /// `None` when kept; the reason when dropped.
    pub dropped: Option<Dropped>,
    /// How sure the match is a secret: the rule's confidence, or what its assessor decided.
    pub confidence: Confidence,
    /// Why the assessor chose that confidence (`--explain`).
    pub assessed: Option<&'static str>,
    /// Allowlists that drop it once its commit is known, if the commit is theirs (history
    /// blobs are scanned before attribution).
    pub commit_allow: Vec<CommitAllow>,
}

/// The regex matches of one buffer, window by window: every window a rule's regex ran in,
/// with the groups of its matches. A git delta over the buffer takes them over where one of
/// its windows, and the few bytes before it that look-behind assertions see, are copied
/// unchanged from the same window of the buffer: its regexes then run only around what the
/// delta changed. (On real histories most blobs are deltas that change a few lines, and the
/// regexes were the largest part of a history scan.)
#[derive(Debug, Default)]
pub struct MatchMemo {
    /// Length of the buffer.
    len: usize,
    /// The windows in the order the regexes ran in them: by rule, then offset.
    windows: Vec<MemoWindow>,
    /// The saved groups of the matches ([`CaptureLocations::save`]), window after window.
    groups: Vec<usize>,
}

/// One window of a [`MatchMemo`], its matches' groups at `groups[first..first + count]`.
#[derive(Clone, Copy, Debug)]
struct MemoWindow {
    rule: u32,
    count: u32,
    start: usize,
    end: usize,
    first: usize,
}

/// The saved groups of a window's matches, and the shift from their offsets to the delta's.
type Saved<'a> = (&'a [usize], isize);

/// Bytes before a window that must be copied with it to take its matches over: look-behind
/// assertions (`\b`, `^`) see one character, at most four bytes.
const LOOK_BEHIND: usize = 4;

impl MatchMemo {
    /// The saved groups of rule `rule`'s window `[start, end)` of a delta over the memo's
    /// buffer, when the window and the bytes before it are copied from that same window (in
    /// `copied`), with the shift from the base's offsets to the delta's.
    /// `at` holds where the last look-up ended (a copy and a window): windows come in order,
    /// so both searches mostly move a step or two forward from there.
    fn reuse(
        &self,
        copied: &[Copied],
        at: &mut (usize, usize),
        rule: u32,
        start: usize,
        end: usize,
    ) -> Option<Saved<'_>> {
        at.0 = partition_from(copied, at.0, |c| c.dst <= start);
        let c = copied[..at.0].last()?;
        let whole_before = start >= c.dst + LOOK_BEHIND || (start == 0 && c.src == 0);
        if end > c.dst + c.len || !whole_before {
            return None;
        }
        let (s, e) = (start - c.dst + c.src, end - c.dst + c.src);
        at.1 = partition_from(&self.windows, at.1, |w| (w.rule, w.start) < (rule, s));
        let w = *self.windows.get(at.1)?;
        if (w.rule, w.start) != (rule, s) {
            return None;
        }
        let shift = c.dst as isize - c.src as isize;
        let groups = self.groups.get(w.first..w.first + w.count as usize)?;
        (w.end == e).then_some((groups, shift))
    }
}

/// `v.partition_point(pred)` (`pred` true on a prefix of `v`), searched forward from `hint`
/// in growing steps when the point is at or after it, else by halves before it.
fn partition_from<T>(v: &[T], hint: usize, pred: impl Fn(&T) -> bool) -> usize {
    let hint = hint.min(v.len());
    if hint > 0 && !pred(&v[hint - 1]) {
        return v[..hint].partition_point(pred);
    }
    let (mut lo, mut step) = (hint, 1);
    loop {
        let hi = (lo + step).min(v.len());
        if hi == lo || !pred(&v[hi - 1]) {
            return lo + v[lo..hi].partition_point(pred);
        }
        lo = hi;
        step *= 2;
    }
}

/// The match memos a scan uses: its delta base's, with the ranges the delta copies from it,
/// and the one it fills for the buffer it scans.
#[derive(Debug)]
pub struct MemoUse<'a> {
    /// The base's memo and the copied ranges.
    pub base: Option<(&'a MatchMemo, &'a [Copied])>,
    /// The memo of the buffer scanned, filled by the scan.
    pub record: &'a mut MatchMemo,
}

/// Compiled matcher over a rule set.
#[derive(Debug)]
pub struct Matcher {
    rules: Arc<RuleSet>,
    prefilter: Prefilter,
    path_rules: Vec<usize>,
    /// Rules whose running depends on the place (see [`Matcher::profile`]), in order.
    placed: Vec<usize>,
    markers: Option<markers::Markers>,
    context: markers::Context,
    /// Per rule, the indices of its required rules (`None`: no such rule); empty for most.
    required: Vec<Vec<Option<usize>>>,
    /// Token prefixes of specific rules (`ghp_`, `xoxb-`, `sk-ant-`), longest first: an
    /// assessed value that starts with one matched no specific rule, so it is no such token.
    prefixes: Vec<String>,
    /// The clock the JWT assessor compares `exp` claims with (seconds since the epoch).
    now: u64,
    gitleaks_allow: bool,
}

impl Matcher {
    /// Builds the keyword automaton; regexes compile on first use.
    pub fn new(rules: Arc<RuleSet>) -> Matcher {
        let prefilter = Prefilter::new(&rules);
        let markers = markers::Markers::new(&rules);
        let context = markers::Context::new(&rules);
        let path_rules = rules
            .rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.is_path_rule() && !r.skip_report)
            .map(|(i, _)| i)
            .collect();
        let placed = (0..rules.rules.len())
            .filter(|&i| placed(&rules.rules[i]))
            .collect();
        let required = rules
            .rules
            .iter()
            .map(|r| {
                r.required
                    .iter()
                    .map(|q| rules.rules.iter().position(|o| o.id == q.id))
                    .collect()
            })
            .collect();
        let mut prefixes: Vec<String> = rules
            .rules
            .iter()
            .filter(|r| r.assess.is_none() && r.kind == crate::rules::Kind::Secret)
            .flat_map(|r| r.keywords.iter())
            .filter(|k| {
                k.len() >= 4
                    && k.bytes().any(|c| matches!(c, b'_' | b'-' | b'0'..=b'9'))
                    && k.bytes()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-'))
                    && k.bytes().next().is_some_and(|c| c.is_ascii_alphanumeric())
            })
            .cloned()
            .collect();
        prefixes.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        prefixes.dedup();
        Matcher {
            rules,
            prefilter,
            path_rules,
            placed,
            markers,
            context,
            required,
            prefixes,
            now: jwt::now(),
            gitleaks_allow: true,
        }
    }

    /// Sets the clock the JWT assessor judges expiry by (tests pin it).
    pub fn set_now(&mut self, now: u64) {
        self.now = now;
    }

    /// The length of a specific rule's token prefix that an assessed value starts with; that
    /// rule did not match the value, so it is a truncated or edited token.
    fn provider_prefix(&self, value: &[u8]) -> Option<usize> {
        self.prefixes
            .iter()
            .find(|p| value.len() >= p.len() && value[..p.len()].eq_ignore_ascii_case(p.as_bytes()))
            .map(String::len)
    }

    /// Judges the built-in internal markers as if the project had an `[internal]` table (the
    /// rule self-test: examples show what a rule matches once a project opts in).
    pub fn assume_internal_table(&mut self) {
        self.context.assume_declared();
    }

    /// The confidence of path rule `rule`'s finding at `place`: the rule's, or `low` where
    /// the context says so (a key file under `testdata/`).
    pub fn path_confidence(&self, rule: usize, place: &Place<'_>) -> Confidence {
        let own = self.rules.rules[rule].confidence;
        match self
            .context
            .judge(rule, &[], 0, place.path, place.container)
        {
            markers::Verdict::Low => own.min(Confidence::Low),
            _ => own,
        }
    }

    /// Whether `gitleaks:allow` comments drop findings (default true; `leakscan:allow` always does).
    pub fn set_gitleaks_allow(&mut self, on: bool) {
        self.gitleaks_allow = on;
    }

    /// What the rules say about `place`, decided once for every buffer scanned there: whether
    /// the global allowlists exclude it (`allow.paths`, or a global allowlist decided by path
    /// and commit alone), which rules do not run there (their path filter, `allow-paths`, or
    /// one of their allowlists decided by path and commit alone), and which path rules report
    /// the file.
    pub fn profile<'a>(&self, place: Place<'a>) -> Profile<'a> {
        let allowed = self.path_allowed(place.path)
            || self
                .rules
                .allow
                .allowlists
                .iter()
                .any(|a| allow::allows_place(a, &place));
        let rules = &self.rules.rules;
        let not_here: Vec<usize> = self
            .placed
            .iter()
            .copied()
            .filter(|&i| !runs_at(&rules[i], &place))
            .collect();
        let path_rules = self
            .path_rules
            .iter()
            .copied()
            .filter(|i| not_here.binary_search(i).is_err())
            .collect();
        Profile {
            place,
            allowed,
            not_here,
            path_rules,
        }
    }

    /// The allowlist (global, then the rule's) that a place decided by path and commit alone
    /// excludes for `rule_id`, as the reason `--explain` gives. History blobs are scanned once,
    /// before the commit that introduced them is known; this applies commit allowlists after
    /// attribution.
    pub fn place_allowlist(&self, rule_id: &str, place: &Place<'_>) -> Option<String> {
        if let Some(a) = self
            .rules
            .allow
            .allowlists
            .iter()
            .find(|a| allow::allows_place(a, place))
        {
            return Some(Dropped::Allowlist(describe(a, "global")).to_string());
        }
        let rule = self.rules.get(rule_id)?;
        rule.allowlists
            .iter()
            .find(|a| allow::allows_place(a, place))
            .map(|a| Dropped::Allowlist(describe(a, "of the rule")).to_string())
    }

    /// Every answer the rules give about a path alone: the global allowlists' path checks,
    /// and per rule its path filter and its allowlists' path checks. Two paths with the same
    /// profile get the same findings from the same content (the path aside).
    pub fn path_profile(&self, path: &str) -> Vec<bool> {
        let set = &self.rules;
        let mut out = vec![self.path_allowed(path)];
        out.extend(self.context.path_profile(path));
        let lists = |out: &mut Vec<bool>, lists: &[crate::rules::Allowlist]| {
            for a in lists {
                if let Some(g) = &a.paths {
                    out.push(g.is_match(path));
                }
            }
        };
        lists(&mut out, &set.allow.allowlists);
        for rule in &set.rules {
            for g in [&rule.paths, &rule.allow_paths].into_iter().flatten() {
                out.push(g.is_match(path));
            }
            lists(&mut out, &rule.allowlists);
        }
        out
    }

    /// The rule set.
    pub fn rules(&self) -> &Arc<RuleSet> {
        &self.rules
    }

    /// True when the global allowlist excludes this path from scanning.
    pub fn path_allowed(&self, path: &str) -> bool {
        self.rules
            .allow
            .paths
            .as_ref()
            .is_some_and(|g| g.is_match(path))
    }

    /// Path rules that match `path`: each reports the file itself.
    pub fn path_matches(&self, path: &str) -> Vec<usize> {
        self.profile(Place {
            path,
            ..Place::default()
        })
        .path_rules
    }

    /// Candidates of every regex rule in `buf`, sorted by offset then rule. `path` is what
    /// path filters see. With `explain`, dropped candidates are included with their reason.
    pub fn scan(&self, buf: &[u8], path: &str, explain: bool) -> Vec<Candidate> {
        self.scan_at(
            buf,
            &Place {
                path,
                ..Place::default()
            },
            explain,
        )
    }

    /// [`Matcher::scan`] at a place that may carry a commit (history blobs).
    pub fn scan_at(&self, buf: &[u8], place: &Place<'_>, explain: bool) -> Vec<Candidate> {
        self.scan_with_hits(buf, &self.profile(*place), explain, None, None)
    }

    /// Every keyword occurrence of `buf` (see [`Matcher::scan_with_hits`]).
    pub fn hits(&self, buf: &[u8]) -> Hits {
        self.prefilter.hits(buf)
    }

    /// The keyword occurrences of a buffer made from a base buffer by a delta, derived from the
    /// base's (see [`Prefilter::hits_delta`]).
    pub fn hits_delta(&self, buf: &[u8], base: &Hits, copied: &[Copied]) -> Hits {
        self.prefilter.hits_delta(buf, base, copied)
    }

    /// Compiles the regexes that `windows` (sorted by rule) call for and that are not
    /// compiled yet, in parallel when there are several. Regexes compile on first use; on a
    /// one-file scan or a push, compiling them is a third of the work, one after the other.
    fn compile_pending(&self, windows: &[Window], profile: &Profile<'_>) {
        let rules = &self.rules.rules;
        let mut pending: Vec<&LazyRegex> = Vec::new();
        let mut last = None;
        for w in windows {
            if last == Some(w.rule) {
                continue;
            }
            last = Some(w.rule);
            let rule = &rules[w.rule as usize];
            if !profile.runs(w.rule as usize) || rule.is_engine_rule() {
                continue;
            }
            if let Some(re) = rule.regex.as_ref().filter(|re| !re.is_compiled()) {
                pending.push(re);
            }
        }
        if pending.len() > 1 {
            pending.par_iter().for_each(|re| {
                let _ = re.compile_now();
            });
        }
    }

    /// [`Matcher::scan_at`] with the keyword occurrences of `buf` already known (`hits`, from
    /// [`Matcher::hits`] or [`Matcher::hits_delta`] over the same bytes); occurrences of a
    /// buffer of another length are ignored and searched again.
    pub fn scan_with_hits(
        &self,
        buf: &[u8],
        profile: &Profile<'_>,
        explain: bool,
        hits: Option<&Hits>,
        mut memo: Option<MemoUse<'_>>,
    ) -> Vec<Candidate> {
        let place = &profile.place;
        if let Some(m) = memo.as_mut() {
            m.record.len = buf.len();
            m.base = m
                .base
                .filter(|(b, copied)| Copied::fit(copied, buf.len(), b.len));
        }
        let rules = &self.rules.rules;
        let reach = |r: u32| {
            let rule = &rules[r as usize];
            if rule.whole {
                Reach::Whole
            } else if rule.multiline {
                Reach::Multiline
            } else {
                Reach::Line
            }
        };
        let windows = match hits {
            Some(h) if h.buffer_len() == buf.len() => {
                self.prefilter.windows_from_hits(buf, h, reach)
            }
            _ => self.prefilter.windows(buf, reach),
        };
        self.compile_pending(&windows, profile);
        let mut out = Vec::new();
        let mut current = None;
        let mut locs = None;
        // Where the last look-up in the base's match memo ended.
        let mut cursor = (0, 0);
        for w in windows {
            let rule = &rules[w.rule as usize];
            if current != Some(w.rule) {
                current = Some(w.rule);
                locs = None;
            }
            if !profile.runs(w.rule as usize) {
                continue;
            }
            if rule.is_engine_rule() {
                self.engine_candidates(w, buf, place, explain, &mut out);
                continue;
            }
            let Some(re) = rule.regex.as_ref().and_then(|r| r.get()) else {
                continue;
            };
            let locs = locs.get_or_insert_with(|| re.capture_locations());
            let reuse = memo
                .as_ref()
                .and_then(|m| m.base)
                .and_then(|(b, copied)| b.reuse(copied, &mut cursor, w.rule, w.start, w.end));
            let first = memo.as_ref().map_or(0, |m| m.record.groups.len());
            self.run_regex(
                w.rule as usize,
                re,
                locs,
                (buf, w.start, w.end),
                place,
                explain,
                (reuse, memo.as_mut().map(|m| &mut m.record.groups)),
                &mut out,
            );
            if let Some(m) = memo.as_mut() {
                let count = m.record.groups.len() - first;
                m.record.windows.push(MemoWindow {
                    rule: w.rule,
                    count: u32::try_from(count).unwrap_or(u32::MAX),
                    start: w.start,
                    end: w.end,
                    first,
                });
            }
        }
        if self.required.iter().any(|r| !r.is_empty()) {
            self.check_required(buf, profile, &mut out);
        }
        self.judge_context(buf, place, &mut out);
        suppress_overlaps(&mut out, rules);
        out.sort_by(|a, b| {
            (a.secret_start, a.secret_end, a.rule).cmp(&(b.secret_start, b.secret_end, b.rule))
        });
        once_per_buffer(&mut out, rules);
        if !explain {
            out.retain(|c| c.dropped.is_none());
        }
        out
    }

    /// Applies the context policy of the built-in internal markers to kept candidates.
    fn judge_context(&self, buf: &[u8], place: &Place<'_>, out: &mut [Candidate]) {
        for c in out
            .iter_mut()
            .filter(|c| c.dropped.is_none() && self.context.applies(c.rule))
        {
            match self
                .context
                .judge(c.rule, buf, c.secret_start, place.path, place.container)
            {
                markers::Verdict::Keep => {}
                markers::Verdict::Low => c.confidence = c.confidence.min(Confidence::Low),
                markers::Verdict::Drop(why) => c.dropped = Some(Dropped::Context(why)),
            }
        }
    }

    /// Candidates of an engine rule (internal markers) in one window.
    fn engine_candidates(
        &self,
        w: prefilter::Window,
        buf: &[u8],
        place: &Place<'_>,
        explain: bool,
        out: &mut Vec<Candidate>,
    ) {
        let Some(m) = &self.markers else { return };
        let rule = &self.rules.rules[w.rule as usize];
        let mut hits = Vec::new();
        m.scan(w.rule as usize, buf, w.start, w.end, &mut hits);
        for h in hits {
            let secret = &buf[h.start..h.end];
            let dropped = self.filter(rule, buf, h.start, h.end, secret, place);
            if dropped.is_none() || explain {
                let found = Found {
                    rule: w.rule as usize,
                    matched: (h.start, h.end),
                    secret: (h.start, h.end),
                    dropped,
                    confidence: rule.confidence,
                    assessed: None,
                };
                out.push(self.candidate(found, buf, place));
            }
        }
    }

    /// The candidate of a match: with the allowlists that drop it once its commit is known,
    /// when it is kept. The one place candidates are made.
    fn candidate(&self, f: Found, buf: &[u8], place: &Place<'_>) -> Candidate {
        let (ms, me) = f.matched;
        let (ss, se) = f.secret;
        let commit_allow = if f.dropped.is_none() {
            self.commit_allow(&self.rules.rules[f.rule], buf, ms, me, &buf[ss..se], place)
        } else {
            Vec::new()
        };
        Candidate {
            rule: f.rule,
            start: ms,
            end: me,
            secret_start: ss,
            secret_end: se,
            dropped: f.dropped,
            confidence: f.confidence,
            assessed: f.assessed,
            commit_allow,
        }
    }

    /// Runs rule `ri`'s regex over `buf[start..end]` (the regex sees `buf[..end]`, so
    /// look-behind assertions such as `\b` see the byte before `start`), filtering each match.
    /// `memo`: the matches to take instead of running the regex (groups saved by
    /// [`CaptureLocations::save`], and the shift to this buffer's offsets), and where to
    /// save the groups of the matches.
    #[allow(clippy::too_many_arguments)]
    fn run_regex(
        &self,
        ri: usize,
        re: &Regex,
        locs: &mut CaptureLocations,
        (buf, start, end): (&[u8], usize, usize),
        place: &Place<'_>,
        explain: bool,
        memo: (Option<Saved<'_>>, Option<&mut Vec<usize>>),
        out: &mut Vec<Candidate>,
    ) {
        let rule = &self.rules.rules[ri];
        let hay = &buf[..end];
        let (reuse, mut save) = memo;
        let n = locs.saved_len();
        let mut saved = reuse.map(|(groups, shift)| (groups.chunks_exact(n), shift));
        let mut at = start;
        loop {
            let m = match saved.as_mut() {
                Some((matches, shift)) => {
                    let Some(groups) = matches.next() else {
                        break;
                    };
                    locs.load(groups, *shift);
                    locs.get(0)
                }
                None if at <= hay.len() => re.captures_read_at(locs, hay, at),
                None => None,
            };
            let Some((ms, me)) = m else {
                break;
            };
            if let Some(save) = save.as_deref_mut() {
                locs.save(save);
            }
            at = if me > ms { me } else { me + 1 };
            let (mut ss, mut se) = match secret_span(re, locs, &rule.secret_group, ms, me) {
                Some(span) => span,
                None => {
                    if explain {
                        let found = Found {
                            rule: ri,
                            matched: (ms, me),
                            secret: (ms, me),
                            dropped: Some(Dropped::EmptySecret),
                            confidence: rule.confidence,
                            assessed: None,
                        };
                        out.push(self.candidate(found, buf, place));
                    }
                    continue;
                }
            };
            if rule.secret_group == SecretGroup::First && (ss, se) == (ms, me) {
                // gitleaks trims newlines off a whole-match secret (`(?:[^a-z]|\z)` endings).
                while ss < se && buf[ss] == b'\n' {
                    ss += 1;
                }
                while se > ss && buf[se - 1] == b'\n' {
                    se -= 1;
                }
            }
            let mut dropped = self.filter(rule, buf, ms, me, &buf[ss..se], place);
            let mut confidence = rule.confidence;
            let mut assessed = None;
            if dropped.is_none() && rule.assess == Some(crate::rules::Assess::Jwt) {
                match jwt::assess(&buf[ss..se], self.now) {
                    generic::Verdict::Drop(why) => dropped = Some(Dropped::Assessed(why)),
                    generic::Verdict::Keep(c, why) => {
                        confidence = c;
                        assessed = Some(why);
                    }
                }
            }
            if dropped.is_none() {
                if let Some(crate::rules::Assess::Generic) = rule.assess {
                    let (ks, ke) = re
                        .capture_names()
                        .position(|c| c == Some("key"))
                        .and_then(|i| locs.get(i))
                        .unwrap_or((ms, ms));
                    let line_start = memchr::memrchr(b'\n', &buf[..ks]).map_or(0, |p| p + 1);
                    let before = &buf[ks.saturating_sub(24).max(line_start)..ks];
                    let value = &buf[ss..se];
                    let quoted = ss > 0
                        && matches!(buf[ss - 1], b'"' | b'\'' | b'`')
                        && buf.get(se) == Some(&buf[ss - 1]);
                    match generic::assess(&buf[ks..ke], value, before, place.path, quoted) {
                        generic::Verdict::Drop(why) => dropped = Some(Dropped::Assessed(why)),
                        generic::Verdict::Keep(c, why) => {
                            confidence = c;
                            assessed = Some(why);
                            match self.provider_prefix(value) {
                                // `sk-ant-api03-`, `xoxp-1234`: a prefix and hardly a body.
                                Some(p) if value.len() < p + 12 => {
                                    dropped = Some(Dropped::Assessed(
                                        "a provider's token prefix without a token",
                                    ));
                                }
                                Some(_) if c > Confidence::Low => {
                                    confidence = Confidence::Low;
                                    assessed = Some(
                                        "starts like a provider's token but has not its format",
                                    );
                                }
                                _ => {}
                            }
                        }
                    }
                }
            }
            let failed_checksum = matches!(dropped, Some(Dropped::Checksum(_)));
            if dropped.is_none() || explain || failed_checksum {
                let found = Found {
                    rule: ri,
                    matched: (ms, me),
                    secret: (ss, se),
                    dropped,
                    confidence,
                    assessed,
                };
                out.push(self.candidate(found, buf, place));
            }
        }
    }

    /// Drops kept candidates of composite rules that lack a required rule's match nearby. A
    /// required rule runs over the whole buffer whatever its keywords, as gitleaks runs it.
    fn check_required(&self, buf: &[u8], profile: &Profile<'_>, out: &mut [Candidate]) {
        let rules = &self.rules.rules;
        let mut hits: Vec<Option<Vec<(usize, usize)>>> = vec![None; rules.len()];
        for c in out.iter_mut() {
            let reqs = &self.required[c.rule];
            if reqs.is_empty() || c.dropped.is_some() {
                continue;
            }
            let (line, col) = gitleaks_line_col(buf, c.start);
            let rule = &rules[c.rule];
            let mut missing = None;
            for (q, idx) in rule.required.iter().zip(reqs) {
                let found = idx.is_some_and(|ri| {
                    let list = hits[ri].get_or_insert_with(|| self.required_hits(ri, buf, profile));
                    list.iter().any(|&(l, k)| {
                        q.within_lines.is_none_or(|w| l.abs_diff(line) <= w)
                            && q.within_columns.is_none_or(|w| k.abs_diff(col) <= w)
                    })
                });
                if !found {
                    missing = Some(q.id.clone());
                    break;
                }
            }
            if let Some(id) = missing {
                c.dropped = Some(Dropped::Required(id));
            }
        }
    }

    /// Where a required rule matches in `buf` (line, gitleaks column), filters applied; a path
    /// rule matches at line 0, column 0, as gitleaks reports it.
    fn required_hits(&self, ri: usize, buf: &[u8], profile: &Profile<'_>) -> Vec<(usize, usize)> {
        let rule = &self.rules.rules[ri];
        if !profile.runs(ri) {
            return Vec::new();
        }
        let Some(re) = rule.regex.as_ref().and_then(|r| r.get()) else {
            return if rule.paths.is_some() {
                vec![(0, 0)]
            } else {
                Vec::new()
            };
        };
        let mut found = Vec::new();
        self.run_regex(
            ri,
            re,
            &mut re.capture_locations(),
            (buf, 0, buf.len()),
            &profile.place,
            false,
            (None, None),
            &mut found,
        );
        found
            .iter()
            .map(|c| gitleaks_line_col(buf, c.start))
            .collect()
    }

    /// The allowlists with `condition = "AND"` and commits that would drop a kept match at a
    /// place whose commit is not known yet, if the commit turns out to be theirs.
    fn commit_allow(
        &self,
        rule: &Rule,
        buf: &[u8],
        ms: usize,
        me: usize,
        secret: &[u8],
        place: &Place<'_>,
    ) -> Vec<CommitAllow> {
        let g = &self.rules.allow.allowlists;
        let deferred = |a: &crate::rules::Allowlist| {
            matches!(a.condition, crate::rules::Condition::All) && !a.commits.is_empty()
        };
        if place.commit.is_some()
            || !(g.iter().any(deferred) || rule.allowlists.iter().any(deferred))
        {
            return Vec::new();
        }
        let m = allow::Match {
            place,
            secret,
            matched: &buf[ms..me],
            line: line_of(buf, ms, me),
        };
        let global = g.iter().map(|a| (a, "global"));
        let own = rule.allowlists.iter().map(|a| (a, "of the rule"));
        global
            .chain(own)
            .filter(|(a, _)| allow::allows_finding_at_its_commits(a, &m))
            .map(|(a, whose)| CommitAllow {
                reason: Dropped::Allowlist(describe(a, whose)).to_string(),
                commits: a.commits.clone(),
                exact: a.exact_commits,
            })
            .collect()
    }

    fn filter(
        &self,
        rule: &Rule,
        buf: &[u8],
        ms: usize,
        me: usize,
        secret: &[u8],
        place: &Place<'_>,
    ) -> Option<Dropped> {
        if let Some(origin) = known::published(secret) {
            return Some(Dropped::Published(origin));
        }
        if let Some(min) = rule.entropy {
            let got = entropy::shannon(secret);
            if got < min {
                return Some(Dropped::Entropy { got, min });
            }
        }
        if let Some(name) = &rule.checksum {
            if checksum::verify(name, secret) != Some(true) {
                return Some(Dropped::Checksum(name.clone()));
            }
        }
        if let Some(r) = rule
            .allow_secrets
            .iter()
            .find(|r| r.get().is_some_and(|re| re.is_match(secret)))
        {
            return Some(Dropped::AllowSecret(r.as_str().to_string()));
        }
        if let Some(w) = allow::stopword(secret, &rule.stopwords) {
            return Some(Dropped::Stopword(w.to_string()));
        }
        if rule.placeholders {
            if let Some(why) = allow::placeholder(secret) {
                return Some(Dropped::Placeholder(why));
            }
        }
        if rule.confidence == Confidence::Low && allow::is_identifier_like(secret) {
            return Some(Dropped::Identifier);
        }
        // A token whose body reads as a program's identifier (`tss_update_io_bitmap` for a
        // `tss_` token) is code, not a credential. Built-in rules only: a project's own rule
        // means what it says.
        if rule.kind == crate::rules::Kind::Secret
            && rule.checksum.is_none()
            && rule.source.starts_with("builtin:")
            && secret.len() >= 8
            && generic::symbol_like(secret)
        {
            return Some(Dropped::Identifier);
        }
        let line = line_of(buf, ms, me);
        if let Some(r) = rule
            .allow_lines
            .iter()
            .find(|r| r.get().is_some_and(|re| re.is_match(line)))
        {
            return Some(Dropped::AllowLine(r.as_str().to_string()));
        }
        if allow::has_inline_allow_with(line, self.gitleaks_allow) {
            return Some(Dropped::InlineAllow);
        }
        let g = &self.rules.allow;
        if g.secrets
            .iter()
            .any(|r| r.get().is_some_and(|re| re.is_match(secret)))
        {
            return Some(Dropped::GlobalAllow("secrets"));
        }
        if g.lines
            .iter()
            .any(|r| r.get().is_some_and(|re| re.is_match(line)))
        {
            return Some(Dropped::GlobalAllow("lines"));
        }
        if allow::stopword(secret, &g.stopwords).is_some() {
            return Some(Dropped::GlobalAllow("stopwords"));
        }
        if !g.allowlists.is_empty() || !rule.allowlists.is_empty() {
            let m = allow::Match {
                place,
                secret,
                matched: &buf[ms..me],
                line,
            };
            if let Some(a) = g.allowlists.iter().find(|a| allow::allows_finding(a, &m)) {
                return Some(Dropped::Allowlist(describe(a, "global")));
            }
            if let Some(a) = rule
                .allowlists
                .iter()
                .find(|a| allow::allows_finding(a, &m))
            {
                return Some(Dropped::Allowlist(describe(a, "of the rule")));
            }
        }
        None
    }
}

fn describe(a: &crate::rules::Allowlist, whose: &str) -> String {
    if a.description.is_empty() {
        format!("({whose})")
    } else {
        format!("'{}' ({whose})", a.description)
    }
}

/// A match as the matcher decided it, before [`Matcher::candidate`] makes it a candidate.
struct Found {
    rule: usize,
    /// The whole match, byte offsets.
    matched: (usize, usize),
    /// The secret, byte offsets.
    secret: (usize, usize),
    dropped: Option<Dropped>,
    confidence: Confidence,
    assessed: Option<&'static str>,
}

/// What the rules say about one place, decided once by [`Matcher::profile`] and handed to
/// every check that depends on the place.
#[derive(Clone, Debug)]
pub struct Profile<'a> {
    /// The place.
    pub place: Place<'a>,
    /// The global allowlists exclude the place from scanning.
    pub allowed: bool,
    /// Rules that do not run at the place, sorted.
    not_here: Vec<usize>,
    /// Path rules that report the file at the place.
    pub path_rules: Vec<usize>,
}

impl Profile<'_> {
    /// True when rule `rule` runs at the place.
    pub fn runs(&self, rule: usize) -> bool {
        self.not_here.is_empty() || self.not_here.binary_search(&rule).is_err()
    }
}

/// True when a rule depends on the place: it has a path filter, `allow-paths`, or allowlists.
fn placed(rule: &Rule) -> bool {
    rule.paths.is_some() || rule.allow_paths.is_some() || !rule.allowlists.is_empty()
}

/// Whether a rule runs at a place: its path filter holds, and neither its `allow-paths` nor
/// one of its allowlists decided by path and commit alone excludes the place.
fn runs_at(rule: &Rule, place: &Place<'_>) -> bool {
    rule.paths.as_ref().is_none_or(|g| g.is_match(place.path)) && applies_to(rule, place)
}

/// Whether a rule runs at a place: not excluded by `allow-paths` nor by one of its allowlists
/// decided by path and commit alone. The rule's own path filter is checked by the caller.
fn applies_to(rule: &Rule, place: &Place<'_>) -> bool {
    !rule
        .allow_paths
        .as_ref()
        .is_some_and(|g| g.is_match(place.path))
        && !rule
            .allowlists
            .iter()
            .any(|a| allow::allows_place(a, place))
}

/// The line and column gitleaks gives the match at `offset`: 1-based, in bytes, and past the
/// first line one more than the true column (gitleaks counts the newline). Only the difference
/// between two matches' columns matters (`withinColumns`), so this keeps its arithmetic.
fn gitleaks_line_col(buf: &[u8], offset: usize) -> (usize, usize) {
    let before = &buf[..offset];
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let start = memchr::memrchr(b'\n', before).map_or(0, |p| p + 1);
    (line, offset - start + 1 + usize::from(line > 1))
}

/// The byte span of the secret within a match.
fn secret_span(
    re: &Regex,
    locs: &CaptureLocations,
    group: &SecretGroup,
    ms: usize,
    me: usize,
) -> Option<(usize, usize)> {
    let index = match group {
        SecretGroup::Index(i) => Some(*i),
        SecretGroup::First => {
            return (1..locs.group_len())
                .find_map(|i| locs.get(i).filter(|(s, e)| e > s))
                .or(Some((ms, me)));
        }
        SecretGroup::Name(n) => re.capture_names().position(|c| c == Some(n.as_str())),
        SecretGroup::Auto => match re.capture_names().position(|c| c == Some("secret")) {
            Some(i) => Some(i),
            None if locs.group_len() > 1 => {
                // The first group that took part, as gitleaks does when no group is named.
                return (1..locs.group_len())
                    .find_map(|i| locs.get(i).filter(|(s, e)| e > s))
                    .or(Some((ms, me)));
            }
            None => Some(0),
        },
    };
    let (s, e) = locs.get(index?)?;
    (e > s).then_some((s, e))
}

/// The line(s) holding `start..end`, capped on long lines.
pub fn line_of(buf: &[u8], start: usize, end: usize) -> &[u8] {
    let lo = start.saturating_sub(prefilter::WINDOW_CAP);
    let ls = memchr::memrchr(b'\n', &buf[lo..start]).map_or(lo, |p| lo + p + 1);
    let hi = end.saturating_add(prefilter::WINDOW_CAP).min(buf.len());
    let le = memchr::memchr(b'\n', &buf[end..hi]).map_or(hi, |p| end + p);
    &buf[ls..le]
}

/// Drops kept candidates whose secret overlaps a kept candidate of the same kind and higher
/// confidence, and, as gitleaks does, a candidate of a rule named `generic...` whose secret lies
/// within the secret of a rule of the same kind not so named.
fn suppress_overlaps(cands: &mut [Candidate], rules: &[Rule]) {
    resolve_assessed(cands, rules);
    let generic = |r: usize| {
        memchr::memmem::find(rules[r].id.to_ascii_lowercase().as_bytes(), b"generic").is_some()
    };
    let kept: Vec<(usize, usize, Confidence, usize, bool)> = cands
        .iter()
        .filter(|c| c.dropped.is_none())
        .map(|c| {
            (
                c.secret_start,
                c.secret_end,
                c.confidence,
                c.rule,
                generic(c.rule),
            )
        })
        .collect();
    if kept.len() < 2 {
        return;
    }
    // Only findings of the same kind compete: an internal marker (a value in a .env file)
    // never hides a secret on the same bytes, nor the other way round.
    let spans: Vec<overlap::Span> = kept
        .iter()
        .map(|&(start, end, conf, r, generic)| overlap::Span {
            start,
            end,
            group: rules[r].kind as u8,
            rank: conf as u8,
            generic,
        })
        .collect();
    let hiding = overlap::first_hiding(&spans);
    for (c, hidden_by) in cands.iter_mut().filter(|c| c.dropped.is_none()).zip(hiding) {
        if let Some(other) = hidden_by {
            c.dropped = Some(Dropped::Overlap(rules[kept[other].3].id.clone()));
        }
    }
}

/// Candidates of assessed (generic) rules that overlap another kept candidate of the same kind:
/// a specific rule's candidate wins and takes the assessed confidence when that is higher (the
/// assessor saw a credential name and a random value); between two assessed candidates the
/// more confident, then the earlier rule, wins. Quadratic in the assessed candidates of one
/// buffer, so skipped above a cap (each is then reported as found).
fn resolve_assessed(cands: &mut [Candidate], rules: &[Rule]) {
    const CAP: usize = 4096;
    let assessed: Vec<usize> = (0..cands.len())
        .filter(|&i| cands[i].dropped.is_none() && rules[cands[i].rule].assess.is_some())
        .collect();
    if assessed.is_empty() || assessed.len() > CAP {
        return;
    }
    let overlaps = |a: &Candidate, b: &Candidate| {
        a.secret_start < b.secret_end
            && b.secret_start < a.secret_end
            && rules[a.rule].kind == rules[b.rule].kind
    };
    for &g in &assessed {
        let mine = cands[g].clone();
        // A known format whose checksum fails is a test value, not a secret: the generic
        // candidate on it goes too.
        if let Some(o) = (0..cands.len()).find(|&o| {
            matches!(cands[o].dropped, Some(Dropped::Checksum(_))) && overlaps(&mine, &cands[o])
        }) {
            cands[g].dropped = Some(Dropped::Overlap(rules[cands[o].rule].id.clone()));
            continue;
        }
        let winner = (0..cands.len()).find(|&o| {
            o != g
                && cands[o].dropped.is_none()
                && overlaps(&mine, &cands[o])
                && match rules[cands[o].rule].assess {
                    None => true,
                    Some(_) => {
                        (cands[o].confidence, std::cmp::Reverse(cands[o].rule))
                            > (mine.confidence, std::cmp::Reverse(mine.rule))
                    }
                }
        });
        if let Some(o) = winner {
            if rules[cands[o].rule].assess.is_none() && cands[o].confidence < mine.confidence {
                cands[o].confidence = mine.confidence;
                cands[o].assessed = mine.assessed;
            }
            cands[g].dropped = Some(Dropped::Overlap(rules[cands[o].rule].id.clone()));
        }
    }
}

/// For `once` rules, keeps the first kept candidate (in offset order) and drops the others;
/// they report the file, not each value in it.
fn once_per_buffer(cands: &mut [Candidate], rules: &[Rule]) {
    if !cands.iter().any(|c| rules[c.rule].once) {
        return;
    }
    let mut seen = std::collections::HashSet::new();
    for c in cands
        .iter_mut()
        .filter(|c| c.dropped.is_none() && rules[c.rule].once)
    {
        if !seen.insert(c.rule) {
            c.dropped = Some(Dropped::Once);
        }
    }
}

#[cfg(test)]
mod memo_tests {
    use super::*;
    use crate::test_rng::Lcg;

    const RULES: &str = r#"
[[rules]]
id = "t-token"
description = "t"
regex = '''\btok_([a-z0-9]{8})\b'''
keywords = ["tok_"]
[[rules]]
id = "t-assign"
description = "t"
regex = '''(?i)(?P<key>[a-z_]*secret[a-z_]*)\s*=\s*"(?P<secret>[^"\n]{6,})"'''
keywords = ["secret"]
"#;

    /// Lines of words, tokens and assignments, so that windows hold zero, one or more matches.
    fn text(rng: &mut Lcg, len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(len + 40);
        let word = |rng: &mut Lcg, n: usize| -> Vec<u8> {
            (0..n)
                .map(|_| b"abcdefghxyz0123456789"[rng.below(21)])
                .collect()
        };
        while out.len() < len {
            match rng.below(6) {
                0 => out.push(b'\n'),
                1 => {
                    out.extend_from_slice(b"tok_");
                    let n = 6 + rng.below(4);
                    out.extend(word(rng, n));
                }
                2 => {
                    out.extend_from_slice(b"db_secret = \"");
                    let n = 4 + rng.below(8);
                    out.extend(word(rng, n));
                    out.push(b'"');
                }
                _ => {
                    let n = 1 + rng.below(6);
                    out.extend(word(rng, n));
                }
            }
            out.push(b' ');
        }
        out
    }

    /// A random delta over `base` (see [`crate::test_rng::delta`]), inserting lines of
    /// [`text`].
    fn delta(rng: &mut Lcg, base: &[u8]) -> (Vec<u8>, Vec<Copied>) {
        crate::test_rng::delta(rng, base, (10, 600), |rng| {
            let n = 1 + rng.below(40);
            text(rng, n)
        })
    }

    /// A delta's candidates are the same whether its windows take the base's matches over or
    /// run the regexes again, over chains of deltas; and most windows are taken over.
    #[test]
    fn a_delta_taking_matches_over_finds_what_a_full_scan_finds() {
        let set =
            crate::rules::load::load_user(std::path::Path::new("t.toml"), RULES).expect("rules");
        let m = Matcher::new(Arc::new(set));
        let place = Place {
            path: "src/app.rs",
            commit: None,
            container: None,
        };
        let profile = m.profile(place);
        let mut rng = Lcg(7);
        let (mut reused, mut windows) = (0, 0);
        for _ in 0..300 {
            let len = rng.below(3000);
            let mut buf = text(&mut rng, len);
            let mut memo = MatchMemo::default();
            let full = m.scan_with_hits(&buf, &profile, true, None, None);
            let with = m.scan_with_hits(
                &buf,
                &profile,
                true,
                None,
                Some(MemoUse {
                    base: None,
                    record: &mut memo,
                }),
            );
            assert_eq!(format!("{full:?}"), format!("{with:?}"));
            for _ in 0..3 {
                let (next, copied) = delta(&mut rng, &buf);
                let mut next_memo = MatchMemo::default();
                let full = m.scan_with_hits(&next, &profile, true, None, None);
                let with = m.scan_with_hits(
                    &next,
                    &profile,
                    true,
                    None,
                    Some(MemoUse {
                        base: Some((&memo, &copied)),
                        record: &mut next_memo,
                    }),
                );
                assert_eq!(
                    format!("{full:?}"),
                    format!("{with:?}"),
                    "base {:?} delta {:?} copies {copied:?}",
                    String::from_utf8_lossy(&buf),
                    String::from_utf8_lossy(&next)
                );
                let mut at = (0, 0);
                for w in &next_memo.windows {
                    windows += 1;
                    reused += usize::from(
                        memo.reuse(&copied, &mut at, w.rule, w.start, w.end)
                            .is_some(),
                    );
                }
                (buf, memo) = (next, next_memo);
            }
        }
        assert!(
            windows > 1000 && reused * 3 > windows,
            "{reused} of {windows}"
        );
    }

    /// The forward search from a hint gives `partition_point`, wherever the hint is.
    #[test]
    fn partition_from_a_hint_is_the_partition_point() {
        let v: Vec<usize> = (0..100).map(|i| i * 3).collect();
        for x in 0..310 {
            for hint in [0, 1, 5, 33, 50, 99, 100, 150] {
                assert_eq!(
                    partition_from(&v, hint, |&y| y < x),
                    v.partition_point(|&y| y < x)
                );
            }
        }
        assert_eq!(partition_from(&[] as &[usize], 3, |_| true), 0);
    }
}
