//! One Aho-Corasick automaton over the keywords of all rules, and the windows of a buffer in
//! which each candidate rule must run its regex.
//!
//! Keywords are matched ASCII case-insensitively with overlapping semantics, so a keyword that
//! overlaps another (`api` inside `api_key`) is still seen. A rule's regex then runs only over
//! the lines holding its keywords, which is what keeps the common keywords cheap on large files.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, Input, MatchKind};

use crate::rules::RuleSet;

thread_local! {
    /// The lower-cased copy of the buffer being searched, reused by each thread.
    static LOWERED: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

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
    /// Length of the longest keyword.
    max_len: usize,
    keywords: Vec<String>,
    dfa: OnceLock<Option<AhoCorasick>>,
    scanned: AtomicU64,
    rules_of: Vec<Vec<u32>>,
    n_rules: usize,
    /// Regex rules without keywords: they run on every buffer.
    pub always: Vec<u32>,
}

/// How far a rule's window reaches around one of its keywords.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// The keyword's line(s), capped on long lines.
    Line,
    /// From the keyword's line to [`MULTILINE_SPAN`] after it.
    Multiline,
    /// The whole buffer (gitleaks' semantics).
    Whole,
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
            // Rules that report nothing run only when a composite rule asks for them.
            if rule.is_path_rule() || rule.skip_report {
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
        let max_len = keywords.iter().map(String::len).max().unwrap_or(0).max(1);
        Prefilter {
            ac,
            max_len,
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
    pub fn windows(&self, buf: &[u8], reach: impl Fn(u32) -> Reach) -> Vec<Window> {
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
        let max_len = self.max_len;
        LOWERED.with_borrow_mut(|lowered| {
            lowered.clear();
            lowered.extend(buf.iter().map(u8::to_ascii_lowercase));
            self.keyword_windows(ac, lowered, buf, max_len, &reach, &mut out);
            if lowered.capacity() > 64 << 20 {
                *lowered = Vec::new();
            }
        });
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

    /// Pushes the window of every rule around every keyword of `lowered` (the lower-cased
    /// `buf`).
    fn keyword_windows(
        &self,
        ac: &AhoCorasick,
        lowered: &[u8],
        buf: &[u8],
        max_len: usize,
        reach: &impl Fn(u32) -> Reach,
        out: &mut Vec<Window>,
    ) {
        // The end of the last window pushed per rule, to merge the many hits of one line
        // cheaply; allocated on the first hit, so a buffer without keywords costs nothing.
        let mut last_end: Vec<usize> = Vec::new();
        // The overlapping search walks the automaton byte by byte (about 0.5 GB/s, half of a
        // history scan's time); the leftmost search skips ahead with its prefilter. So find
        // each hit with the fast search, then run the overlapping search only in a window
        // around it that holds every keyword overlapping or near it. `find` reports the
        // earliest-ending keyword at or after `pos`, so no keyword starting at or after `pos`
        // starts before `m.end() - max_len`; keywords starting before `m.start() + max_len`
        // end before `m.start() + 2 * max_len`; later ones are found by the next round.
        let mut pos = 0;
        while pos < buf.len() {
            let Some(hit) = ac.find(Input::new(lowered).span(pos..buf.len())) else {
                break;
            };
            let lo = hit.end().saturating_sub(max_len).max(pos);
            let hi = (hit.start() + 2 * max_len).min(buf.len());
            for m in ac.find_overlapping_iter(Input::new(lowered).span(lo..hi)) {
                if last_end.is_empty() {
                    last_end = vec![0; self.n_rules];
                }
                for &rule in &self.rules_of[m.pattern().as_usize()] {
                    let slot = &mut last_end[rule as usize];
                    if *slot > 0 && m.end() <= *slot {
                        continue;
                    }
                    let (start, end) = match reach(rule) {
                        Reach::Whole => (0, buf.len()),
                        r => window_around(buf, m.start(), m.end(), r == Reach::Multiline),
                    };
                    *slot = end.max(1);
                    out.push(Window { rule, start, end });
                }
            }
            pos = hit.start() + max_len;
        }
    }
}

fn build(keywords: &[String], kind: AhoCorasickKind) -> Option<AhoCorasick> {
    if keywords.is_empty() {
        return None;
    }
    // Case-sensitive over lower-case keywords, run on a lower-cased copy of the buffer:
    // aho-corasick has no packed (SIMD) prefilter for case-insensitive searches, and without
    // one the automaton ran at about 0.5 GB/s, half of a history scan's time.
    let lower: Vec<String> = keywords.iter().map(|k| k.to_ascii_lowercase()).collect();
    AhoCorasickBuilder::new()
        .match_kind(MatchKind::Standard)
        .kind(Some(kind))
        .build(&lower)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The windows the plain overlapping search over the whole buffer gives.
    fn naive(p: &Prefilter, buf: &[u8]) -> Vec<Window> {
        let ac = p.ac.as_ref().expect("keywords");
        let mut out = Vec::new();
        let lowered = buf.to_ascii_lowercase();
        for m in ac.find_overlapping_iter(&lowered) {
            for &rule in &p.rules_of[m.pattern().as_usize()] {
                let (start, end) = window_around(buf, m.start(), m.end(), false);
                out.push(Window { rule, start, end });
            }
        }
        out.sort_unstable();
        let mut merged: Vec<Window> = Vec::new();
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

    #[test]
    fn skipping_search_finds_every_overlapping_keyword() {
        let toml = r#"
[extend]
builtin = false
[[rules]]
id = "a"
description = "a"
regex = 'x'
keywords = ["api", "secret_key"]
[[rules]]
id = "b"
description = "b"
regex = 'x'
keywords = ["api_key", "ret", "e"]
[[rules]]
id = "c"
description = "c"
regex = 'x'
keywords = ["key", "et_k"]
"#;
        let set =
            crate::rules::load::load_user(std::path::Path::new("t.toml"), toml).expect("rules");
        let p = Prefilter::new(&set);
        // A small alphabet makes keywords dense and overlapping; a cheap LCG keeps it
        // deterministic.
        let alphabet = b"apiseckrt_y\n KEY";
        let mut x: u64 = 12345;
        for len in [0usize, 1, 5, 17, 64, 300, 2000] {
            for _ in 0..50 {
                let buf: Vec<u8> = (0..len)
                    .map(|_| {
                        x = x
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        alphabet[(x >> 33) as usize % alphabet.len()]
                    })
                    .collect();
                assert_eq!(
                    p.windows(&buf, |_| Reach::Line),
                    naive(&p, &buf),
                    "{}",
                    String::from_utf8_lossy(&buf)
                );
            }
        }
    }
}
