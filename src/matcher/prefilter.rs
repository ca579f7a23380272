//! One Aho-Corasick automaton over the keywords of all rules, and the windows of a buffer in
//! which each candidate rule must run its regex.
//!
//! Keywords are matched ASCII case-insensitively with overlapping semantics, so a keyword that
//! overlaps another (`api` inside `api_key`) is still seen. A rule's regex then runs only over
//! the lines holding its keywords, which is what keeps the common keywords cheap on large files.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use crate::rules::RuleSet;

/// How far a window reaches either side of a keyword on one long line (minified code).
pub const WINDOW_CAP: usize = 4096;
/// How far a multiline rule's window reaches past its keyword.
pub const MULTILINE_SPAN: usize = 64 * 1024;

/// Bytes scanned before the DFA is built: below it the NFA (built in about a millisecond) is
/// cheaper than building the DFA (about 15 ms for the built-in pack), which a hook scanning
/// one small file would never earn back; above it the DFA's speed (2.5x the NFA's on source
/// code, measured on the Linux tree) pays for its build many times over.
const DFA_AFTER_BYTES: u64 = 4 << 20;

/// Keyword automaton and the rules behind each keyword.
#[derive(Debug)]
pub struct Prefilter {
    ac: Option<AhoCorasick>,
    keywords: Vec<String>,
    dfa: OnceLock<Option<AhoCorasick>>,
    scanned: AtomicU64,
    rules_of: Vec<Vec<u32>>,
    n_rules: usize,
    /// Regex rules without keywords: they run on every buffer.
    pub always: Vec<u32>,
}

/// A byte range of the buffer in which a rule's regex runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Window {
    /// The rule index.
    pub rule: u32,
    /// Start offset.
    pub start: usize,
    /// End offset (exclusive).
    pub end: usize,
}

impl Prefilter {
    /// Builds the automaton for the rules of `set` that match content (regex and engine rules).
    pub fn new(set: &RuleSet) -> Prefilter {
        let mut keywords: Vec<String> = Vec::new();
        let mut rules_of: Vec<Vec<u32>> = Vec::new();
        // A map, not a linear search: a configuration with thousands of codenames brings
        // thousands of keywords.
        let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        let mut always = Vec::new();
        for (i, rule) in set.rules.iter().enumerate() {
            if rule.is_path_rule() {
                continue;
            }
            if rule.keywords.is_empty() {
                always.push(i as u32);
            }
            for k in &rule.keywords {
                match index.get(k.as_str()) {
                    Some(&p) => rules_of[p].push(i as u32),
                    None => {
                        index.insert(k, keywords.len());
                        keywords.push(k.clone());
                        rules_of.push(vec![i as u32]);
                    }
                }
            }
        }
        let ac = build(&keywords, AhoCorasickKind::ContiguousNFA);
        Prefilter {
            ac,
            keywords,
            dfa: OnceLock::new(),
            scanned: AtomicU64::new(0),
            rules_of,
            n_rules: set.rules.len(),
            always,
        }
    }

    /// The automaton to use: the NFA until enough bytes were scanned, then the DFA.
    fn automaton(&self, len: usize) -> Option<&AhoCorasick> {
        let before = self.scanned.fetch_add(len as u64, Ordering::Relaxed);
        if before + len as u64 >= DFA_AFTER_BYTES {
            if let Some(dfa) = self
                .dfa
                .get_or_init(|| build(&self.keywords, AhoCorasickKind::DFA))
            {
                return Some(dfa);
            }
        }
        self.ac.as_ref()
    }

    /// The windows of `buf` in which each rule must run, sorted by rule then offset, merged.
    pub fn windows(&self, buf: &[u8], multiline: impl Fn(u32) -> bool) -> Vec<Window> {
        let mut out: Vec<Window> = self
            .always
            .iter()
            .map(|&rule| Window {
                rule,
                start: 0,
                end: buf.len(),
            })
            .collect();
        let Some(ac) = self.automaton(buf.len()) else {
            return out;
        };
        // The end of the last window pushed per rule, to merge the many hits of one line
        // cheaply; allocated on the first hit, so a buffer without keywords costs nothing.
        let mut last_end: Vec<usize> = Vec::new();
        for m in ac.find_overlapping_iter(buf) {
            if last_end.is_empty() {
                last_end = vec![0; self.n_rules];
            }
            for &rule in &self.rules_of[m.pattern().as_usize()] {
                let slot = &mut last_end[rule as usize];
                if *slot > 0 && m.end() <= *slot {
                    continue;
                }
                let (start, end) = window_around(buf, m.start(), m.end(), multiline(rule));
                *slot = end.max(1);
                out.push(Window { rule, start, end });
            }
        }
        out.sort_unstable();
        let mut merged: Vec<Window> = Vec::with_capacity(out.len());
        for w in out {
            match merged.last_mut() {
                Some(prev) if prev.rule == w.rule && w.start <= prev.end => {
                    prev.end = prev.end.max(w.end)
                }
                _ => merged.push(w),
            }
        }
        merged
    }
}

fn build(keywords: &[String], kind: AhoCorasickKind) -> Option<AhoCorasick> {
    if keywords.is_empty() {
        return None;
    }
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .kind(Some(kind))
        .build(keywords)
        .ok()
}

/// The line(s) around a keyword at `start..end`, capped on long lines.
fn window_around(buf: &[u8], start: usize, end: usize, multiline: bool) -> (usize, usize) {
    let lo = start.saturating_sub(WINDOW_CAP);
    let ws = memchr::memrchr(b'\n', &buf[lo..start]).map_or(lo, |p| lo + p + 1);
    let reach = if multiline {
        MULTILINE_SPAN
    } else {
        WINDOW_CAP
    };
    let hi = end.saturating_add(reach).min(buf.len());
    let we = if multiline {
        hi
    } else {
        memchr::memchr(b'\n', &buf[end..hi]).map_or(hi, |p| end + p)
    };
    (ws, we)
}
