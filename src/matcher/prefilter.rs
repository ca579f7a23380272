//! One Aho-Corasick automaton over the keywords of all rules, and the windows of a buffer in
//! which each candidate rule must run its regex.
//!
//! Keywords are matched ASCII case-insensitively with overlapping semantics, so a keyword that
//! overlaps another (`api` inside `api_key`) is still seen. A rule's regex then runs only over
//! the lines holding its keywords, which is what keeps the common keywords cheap on large files.

pub use crate::delta::Copied;
use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, Input, MatchKind};

use super::grams::Grams;
use super::lanes::Lanes;

use crate::rules::RuleSet;

thread_local! {
    /// The lower-cased copy of the buffer being searched, reused by each thread.
    static LOWERED: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    /// Per rule, the window being merged ([`Prefilter::windows_from_hits`]); `(0, 0)` when
    /// none, as every entry is left.
    static OPEN: RefCell<Vec<(usize, usize)>> = const { RefCell::new(Vec::new()) };
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

/// Buffers of this size or more are searched with aho-corasick's NFA rather than the
/// three-byte table ([`Grams`]). The table builds in a fiftieth of the NFA's time (the NFA was
/// a fifth of a one-file scan's instructions) and searches source code, text and base64 in
/// fewer instructions per byte; but its cost grows with the keywords that share the three
/// bytes at each offset, so a large buffer, where the NFA's build is paid back anyway, goes to
/// the NFA.
const TABLE_BUFFERS_BELOW: usize = 1 << 20;

/// The table compares each keyword of a three-byte bucket with the text where the three bytes
/// occur: once it has compared more than this many keywords, plus [`COMPARES_PER_BYTE`] for
/// each byte scanned, the text is dense in shared prefixes and the NFA is built and used
/// instead.
const COMPARE_SLACK: u64 = 1 << 20;

/// See [`COMPARE_SLACK`].
const COMPARES_PER_BYTE: u64 = 4;

/// How keywords are searched for.
#[derive(Clone, Copy)]
enum Search<'a> {
    /// Keywords looked up by their first three bytes, built in a few hundred thousand
    /// instructions.
    Grams(&'a Grams),
    /// aho-corasick's NFA, built in about a millisecond.
    Nfa(&'a AhoCorasick),
    /// The DFA in lanes, built in about 15 ms and twice as fast as aho-corasick's own DFA.
    Lanes(&'a Lanes),
}

/// Keyword automaton and the rules behind each keyword.
#[derive(Debug)]
pub struct Prefilter {
    /// Built on first use: small scans search with `grams`.
    ac: OnceLock<Option<AhoCorasick>>,
    /// `None` when the keywords do not suit it (see [`Grams::new`]).
    grams: Option<Grams>,
    /// Length of the longest keyword.
    max_len: usize,
    /// The keywords, lower case, one after the other in pattern order (one allocation, not
    /// one per keyword).
    text: String,
    /// Where each keyword ends in `text`.
    ends: Vec<usize>,
    lanes: OnceLock<Option<Lanes>>,
    scanned: AtomicU64,
    /// Keywords compared by the three-byte table so far.
    compared: AtomicU64,
    /// The rules behind each keyword, keyword after keyword, each keyword's in rule order.
    rules: Vec<u32>,
    /// Where each keyword's rules start in `rules` (and, one more, where the last end).
    rules_at: Vec<u32>,
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
        let mut text = String::new();
        let mut ends: Vec<usize> = Vec::new();
        // (keyword, rule), in rule order.
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        // A map, not a linear search: a configuration with thousands of codenames brings
        // thousands of keywords.
        let mut index: std::collections::HashMap<&str, u32, foldhash::fast::RandomState> =
            std::collections::HashMap::default();
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
                let id = match index.get(k.as_str()) {
                    Some(&id) => id,
                    None => {
                        let id = ends.len() as u32;
                        index.insert(k, id);
                        // Case-sensitive over lower-case keywords, run on a lower-cased copy
                        // of the buffer: aho-corasick has no packed (SIMD) prefilter for
                        // case-insensitive searches, and without one the automaton ran at
                        // about 0.5 GB/s, half of a history scan's time.
                        let start = text.len();
                        text.push_str(k);
                        text[start..].make_ascii_lowercase();
                        ends.push(text.len());
                        id
                    }
                };
                pairs.push((id, i as u32));
            }
        }
        // Keyword by keyword; a stable sort keeps each keyword's rules in rule order.
        pairs.sort_by_key(|&(k, _)| k);
        let mut rules_at = vec![0u32; ends.len() + 1];
        for &(k, _) in &pairs {
            rules_at[k as usize + 1] += 1;
        }
        for k in 0..ends.len() {
            rules_at[k + 1] += rules_at[k];
        }
        let keywords = keywords_of(&text, &ends);
        let max_len = keywords.iter().map(|k| k.len()).max().unwrap_or(0).max(1);
        Prefilter {
            ac: OnceLock::new(),
            grams: Grams::new(&keywords),
            max_len,
            lanes: OnceLock::new(),
            scanned: AtomicU64::new(0),
            compared: AtomicU64::new(0),
            rules: pairs.iter().map(|&(_, rule)| rule).collect(),
            rules_at,
            n_rules: set.rules.len(),
            always,
            text,
            ends,
        }
    }

    /// The rules behind keyword `k`.
    fn rules_of(&self, k: u32) -> &[u32] {
        let k = k as usize;
        &self.rules[self.rules_at[k] as usize..self.rules_at[k + 1] as usize]
    }

    /// The search to use: the three-byte table for buffers that are not large while it
    /// stays cheap (and the NFA is not built), else the NFA; the DFA in lanes once enough
    /// bytes were scanned. All find the same hits.
    fn automaton(&self, len: usize) -> Option<Search<'_>> {
        let before = self.scanned.fetch_add(len as u64, Ordering::Relaxed);
        if before + len as u64 >= DFA_AFTER_BYTES {
            if let Some(lanes) = self.lanes.get_or_init(|| {
                let keywords = keywords_of(&self.text, &self.ends);
                Lanes::new(&keywords.into_iter().map(String::from).collect::<Vec<_>>())
            }) {
                return Some(Search::Lanes(lanes));
            }
        }
        if let Some(grams) = &self.grams {
            let cheap = self.compared.load(Ordering::Relaxed)
                <= before
                    .saturating_mul(COMPARES_PER_BYTE)
                    .saturating_add(COMPARE_SLACK);
            if len < TABLE_BUFFERS_BELOW && cheap && self.ac.get().is_none() {
                return Some(Search::Grams(grams));
            }
        }
        self.nfa().map(Search::Nfa)
    }

    /// aho-corasick's NFA over the keywords, built now if not yet; `None` without keywords.
    fn nfa(&self) -> Option<&AhoCorasick> {
        self.ac
            .get_or_init(|| {
                build(
                    &keywords_of(&self.text, &self.ends),
                    AhoCorasickKind::ContiguousNFA,
                )
            })
            .as_ref()
    }

    /// The windows of `buf` in which each rule must run, sorted by rule then offset, merged.
    pub fn windows(&self, buf: &[u8], reach: impl Fn(u32) -> Reach) -> Vec<Window> {
        let hits = self.hits(buf);
        self.windows_from_hits(buf, &hits, reach)
    }

    /// Every keyword occurrence of `buf` (overlapping ones included), sorted by start then
    /// keyword.
    pub fn hits(&self, buf: &[u8]) -> Hits {
        let mut out = Vec::new();
        if let Some(ac) = self.automaton(buf.len()) {
            LOWERED.with_borrow_mut(|lowered| {
                lowered.clear();
                lowered.extend(buf.iter().map(u8::to_ascii_lowercase));
                self.search(ac, lowered, 0, &mut out);
                if lowered.capacity() > 64 << 20 {
                    *lowered = Vec::new();
                }
            });
        }
        Hits::sorted(out, buf)
    }

    /// The keyword occurrences of `buf`, which copies the `copied` ranges of a base buffer
    /// whose occurrences are `base` and inserts the rest (a git delta): the base's occurrences
    /// that lie wholly inside a copied range, moved to where the range lands, plus those found
    /// by searching only what surrounds the inserted bytes and the seams between ranges. The
    /// result is exactly [`Prefilter::hits`] of `buf`: an occurrence not inside one copied
    /// range overlaps an insertion or a seam, so it lies within `max_len - 1` bytes of one.
    ///
    /// `copied` must be sorted by destination and not overlap there, with every range inside
    /// both buffers; otherwise (or when `base` is not of the base buffer) the whole of `buf` is
    /// searched.
    pub fn hits_delta(&self, buf: &[u8], base: &Hits, copied: &[Copied]) -> Hits {
        if !Copied::fit(copied, buf.len(), base.len) {
            return self.hits(buf);
        }
        let mut out: Vec<Hit> = Vec::new();
        for c in copied {
            let from = base.list.partition_point(|h| h.start < c.src);
            for h in base.list[from..]
                .iter()
                .take_while(|h| h.start < c.src + c.len)
            {
                if h.end <= c.src + c.len {
                    out.push(Hit {
                        start: h.start - c.src + c.dst,
                        end: h.end - c.src + c.dst,
                        keyword: h.keyword,
                    });
                }
            }
        }
        let spans = dirty_spans(buf.len(), copied, self.max_len - 1);
        let searched: usize = spans.iter().map(|(a, b)| b - a).sum();
        let Some(ac) = self.automaton(searched) else {
            return Hits::sorted(out, buf);
        };
        let inside_copy = |h: &Hit| {
            let i = copied.partition_point(|c| c.dst <= h.start);
            i > 0 && h.end <= copied[i - 1].dst + copied[i - 1].len
        };
        LOWERED.with_borrow_mut(|lowered| {
            let mut found = Vec::new();
            for (a, b) in spans {
                lowered.clear();
                lowered.extend(buf[a..b].iter().map(u8::to_ascii_lowercase));
                found.clear();
                self.search(ac, lowered, a, &mut found);
                out.extend(found.iter().filter(|h| !inside_copy(h)));
            }
            if lowered.capacity() > 64 << 20 {
                *lowered = Vec::new();
            }
        });
        Hits::sorted(out, buf)
    }

    /// The windows of each rule around `hits` (the keyword occurrences of `buf`), sorted by
    /// rule then offset, merged; rules without keywords get the whole buffer.
    pub fn windows_from_hits(
        &self,
        buf: &[u8],
        hits: &Hits,
        reach: impl Fn(u32) -> Reach,
    ) -> Vec<Window> {
        let mut out: Vec<Window> = self
            .always
            .iter()
            .map(|&rule| Window {
                rule,
                start: 0,
                end: buf.len(),
            })
            .collect();
        // Each rule's hits come in offset order, and so do the starts of its windows (a
        // window starts at its line's start or a cap before its hit). So a rule's windows are
        // merged as they come: `open` holds each rule's current one, which is put out when a
        // later window starts past its end. A rule's merged windows are thus put out in
        // order, apart from each other: they are sorted by rule with a counting sort (a
        // comparison sort of them was a tenth of a history scan where a keyword is on most
        // lines).
        OPEN.with_borrow_mut(|open| {
            if open.len() < self.n_rules {
                open.resize(self.n_rules, (0, 0));
            }
            let mut touched: Vec<u32> = Vec::new();
            // The line of the last hit, found once for all the hits on it.
            let mut line = (0usize, 0usize);
            for h in &hits.list {
                if !(h.start >= line.0 && h.start < line.1.max(line.0 + 1) && h.end <= line.1) {
                    line = line_around(buf, h.start, h.end);
                }
                for &rule in self.rules_of(h.keyword) {
                    let (start, end) = match reach(rule) {
                        Reach::Whole => (0, buf.len()),
                        Reach::Line => (
                            line.0.max(h.start.saturating_sub(WINDOW_CAP)),
                            line.1.min(h.end.saturating_add(WINDOW_CAP)).max(h.end),
                        ),
                        Reach::Multiline => (
                            line.0.max(h.start.saturating_sub(WINDOW_CAP)),
                            h.end.saturating_add(MULTILINE_SPAN).min(buf.len()),
                        ),
                    };
                    // A window ends past its hit, so an open one never ends at 0.
                    let slot = &mut open[rule as usize];
                    if slot.1 == 0 {
                        touched.push(rule);
                        *slot = (start, end);
                    } else if start <= slot.1 {
                        slot.1 = slot.1.max(end);
                    } else {
                        out.push(Window {
                            rule,
                            start: slot.0,
                            end: slot.1,
                        });
                        *slot = (start, end);
                    }
                }
            }
            for &rule in &touched {
                let slot = std::mem::take(&mut open[rule as usize]);
                out.push(Window {
                    rule,
                    start: slot.0,
                    end: slot.1,
                });
            }
            // The rules that have windows: those without keywords, then those hit.
            touched.extend_from_slice(&self.always);
            touched.sort_unstable();
            // Counting sort by rule, in `open`'s first fields (all 0 now): each rule's count,
            // then where its next window goes; stable, so each rule's windows stay in order.
            for w in &out {
                open[w.rule as usize].0 += 1;
            }
            let mut at = 0;
            for &rule in &touched {
                let n = open[rule as usize].0;
                open[rule as usize].0 = at;
                at += n;
            }
            let mut sorted = vec![
                Window {
                    rule: 0,
                    start: 0,
                    end: 0
                };
                out.len()
            ];
            for w in &out {
                let next = &mut open[w.rule as usize].0;
                sorted[*next] = *w;
                *next += 1;
            }
            for &rule in &touched {
                open[rule as usize] = (0, 0);
            }
            debug_assert!(sorted.is_sorted());
            sorted
        })
    }

    /// Pushes every keyword occurrence of `lowered` (a lower-cased slice starting at offset
    /// `at` of the buffer), in offsets of the buffer.
    fn search(&self, with: Search<'_>, lowered: &[u8], at: usize, out: &mut Vec<Hit>) {
        match with {
            Search::Grams(grams) => {
                let compared = grams.search(lowered, &mut |start, end, keyword| {
                    out.push(Hit {
                        start: at + start,
                        end: at + end,
                        keyword,
                    })
                });
                self.compared.fetch_add(compared as u64, Ordering::Relaxed);
            }
            Search::Nfa(ac) => self.skipping_search(ac, lowered, at, out),
            Search::Lanes(lanes) => lanes.search(lowered, at, &mut |start, end, keyword| {
                out.push(Hit {
                    start,
                    end,
                    keyword,
                })
            }),
        }
    }

    /// [`Prefilter::search`] with the NFA.
    fn skipping_search(&self, ac: &AhoCorasick, lowered: &[u8], at: usize, out: &mut Vec<Hit>) {
        let max_len = self.max_len;
        let n = lowered.len();
        // The overlapping search walks the automaton byte by byte (about 0.5 GB/s); the
        // leftmost search skips ahead with its prefilter. So find each hit with the fast
        // search, then run the overlapping search only in a window around it that holds every
        // keyword starting before `hit.start() + max_len`. `find` reports the earliest-ending
        // keyword at or after `pos`, so no keyword starting at or after `pos` starts before
        // `hit.end() - max_len`; keywords starting before `hit.start() + max_len` end before
        // `hit.start() + 2 * max_len`; later ones are found by the next round.
        let mut pos = 0;
        while pos < n {
            let Some(hit) = ac.find(Input::new(lowered).span(pos..n)) else {
                break;
            };
            let lo = hit.end().saturating_sub(max_len).max(pos);
            let next = hit.start() + max_len;
            let hi = (hit.start() + 2 * max_len).min(n);
            for m in ac.find_overlapping_iter(Input::new(lowered).span(lo..hi)) {
                if m.start() < next {
                    out.push(Hit {
                        start: at + m.start(),
                        end: at + m.end(),
                        keyword: m.pattern().as_u32(),
                    });
                }
            }
            pos = next;
        }
    }
}

/// Where a keyword occurs in a buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    /// Start offset.
    pub start: usize,
    /// End offset (exclusive).
    pub end: usize,
    /// The keyword's index in the automaton.
    pub keyword: u32,
}

/// Every keyword occurrence of one buffer, sorted; what [`Prefilter::hits_delta`] derives a
/// delta's occurrences from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hits {
    list: Vec<Hit>,
    /// Length of the buffer they were found in.
    len: usize,
}

impl Hits {
    fn sorted(mut list: Vec<Hit>, buf: &[u8]) -> Hits {
        list.sort_unstable();
        list.dedup();
        Hits {
            list,
            len: buf.len(),
        }
    }

    /// Length of the buffer the occurrences were found in.
    pub fn buffer_len(&self) -> usize {
        self.len
    }

    /// The occurrences, sorted by start.
    pub fn list(&self) -> &[Hit] {
        &self.list
    }
}

/// The spans of a buffer of `len` bytes that must be searched again after a delta: every
/// byte not copied, and every seam between two copies, each widened by `margin` bytes either
/// side; merged and sorted.
fn dirty_spans(len: usize, copied: &[Copied], margin: usize) -> Vec<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut push = |a: usize, b: usize| {
        push_merged(
            &mut spans,
            (a.saturating_sub(margin), (b + margin).min(len)),
        )
    };
    let mut cursor = 0;
    for c in copied {
        if c.dst > cursor || (cursor > 0 && c.dst == cursor) {
            // Inserted bytes before this copy, or a seam between two copies.
            push(cursor, c.dst);
        }
        cursor = c.dst + c.len;
    }
    if cursor < len {
        push(cursor, len);
    }
    spans
}

/// A span of a buffer that joins the span before it when they overlap or touch.
trait Span {
    /// True when `next` (which starts no earlier) overlaps or touches `self` and may join it.
    fn reaches(&self, next: &Self) -> bool;
    /// Extends `self` over `next`.
    fn absorb(&mut self, next: Self);
}

impl Span for Window {
    fn reaches(&self, next: &Window) -> bool {
        self.rule == next.rule && next.start <= self.end
    }

    fn absorb(&mut self, next: Window) {
        self.end = self.end.max(next.end);
    }
}

impl Span for (usize, usize) {
    fn reaches(&self, next: &(usize, usize)) -> bool {
        next.0 <= self.1
    }

    fn absorb(&mut self, next: (usize, usize)) {
        self.1 = self.1.max(next.1);
    }
}

/// Appends `next` to `list` (sorted, `next` not before its last span), merged into the last
/// span when that reaches it. The one place windows and spans are merged.
fn push_merged<T: Span>(list: &mut Vec<T>, next: T) {
    match list.last_mut() {
        Some(prev) if prev.reaches(&next) => prev.absorb(next),
        _ => list.push(next),
    }
}

/// The keywords of [`Prefilter::text`], in order.
fn keywords_of<'a>(text: &'a str, ends: &[usize]) -> Vec<&'a str> {
    let mut start = 0;
    ends.iter()
        .map(|&end| {
            let k = &text[start..end];
            start = end;
            k
        })
        .collect()
}

/// The automaton of `keywords` (lower case; see [`Prefilter::new`]).
fn build(keywords: &[&str], kind: AhoCorasickKind) -> Option<AhoCorasick> {
    if keywords.is_empty() {
        return None;
    }
    AhoCorasickBuilder::new()
        .match_kind(MatchKind::Standard)
        .kind(Some(kind))
        .build(keywords)
        .ok()
}

/// The line holding a keyword at `start..end`: from the byte after the newline before
/// `start` to the newline at or after `end` (or the buffer's ends).
fn line_around(buf: &[u8], start: usize, end: usize) -> (usize, usize) {
    let ls = memchr::memrchr(b'\n', &buf[..start]).map_or(0, |p| p + 1);
    let le = memchr::memchr(b'\n', &buf[end..]).map_or(buf.len(), |p| end + p);
    (ls, le)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::Lcg;

    const RULES: &str = r#"
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

    /// The same keywords without the one-byte one: the three-byte table serves them (`et` is
    /// one of its two-byte keywords).
    fn rules_table() -> String {
        let table = RULES.replace(r#"["api_key", "ret", "e"]"#, r#"["api_key", "ret", "et"]"#);
        assert_ne!(table, RULES);
        table
    }

    fn prefilter_of(rules: &str) -> Prefilter {
        let set =
            crate::rules::load::load_user(std::path::Path::new("t.toml"), rules).expect("rules");
        Prefilter::new(&set)
    }

    fn prefilter() -> Prefilter {
        prefilter_of(RULES)
    }

    /// A prefilter that searches with the three-byte table (while it stays cheap).
    fn prefilter_table() -> Prefilter {
        let p = prefilter_of(&rules_table());
        assert!(p.grams.is_some());
        p
    }

    /// Bytes of a small alphabet, so that keywords are dense and overlap, with whole keywords
    /// mixed in so that the longest ones occur too; a newline about once in `line` bytes.
    fn text(rng: &mut Lcg, len: usize, line: usize) -> Vec<u8> {
        let alphabet = b"apiseckrt_y KEY";
        let mut out = Vec::with_capacity(len + 10);
        while out.len() < len {
            if rng.below(line) == 0 {
                out.push(b'\n');
            } else if rng.below(8) == 0 {
                out.extend_from_slice(b"secret_KEY");
            } else {
                out.push(alphabet[rng.below(alphabet.len())]);
            }
        }
        out.truncate(len);
        out
    }

    /// The windows of the plain overlapping search over the whole buffer, each window
    /// computed on its own (the keyword's line, capped either side), then merged.
    fn naive(p: &Prefilter, buf: &[u8]) -> Vec<Window> {
        let ac = p.nfa().expect("keywords");
        let mut out = Vec::new();
        let lowered = buf.to_ascii_lowercase();
        for m in ac.find_overlapping_iter(&lowered) {
            let lo = m.start().saturating_sub(WINDOW_CAP);
            let ws = memchr::memrchr(b'\n', &buf[lo..m.start()]).map_or(lo, |q| lo + q + 1);
            let hi = (m.end() + WINDOW_CAP).min(buf.len());
            let we = memchr::memchr(b'\n', &buf[m.end()..hi]).map_or(hi, |q| m.end() + q);
            for &rule in p.rules_of(m.pattern().as_u32()) {
                out.push(Window {
                    rule,
                    start: ws,
                    end: we,
                });
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
        let p = prefilter();
        assert!(p.grams.is_none(), "a one-byte keyword: no table");
        every_overlapping_keyword(&p);
    }

    #[test]
    fn table_search_finds_every_overlapping_keyword() {
        every_overlapping_keyword(&prefilter_table());
    }

    /// The three-byte table and the automaton find the same hits, at any offset.
    #[test]
    fn table_and_automaton_find_the_same_hits() {
        let p = prefilter_table();
        let (grams, nfa) = (p.grams.as_ref().unwrap(), p.nfa().unwrap());
        let mut rng = Lcg(5);
        for len in [0usize, 1, 2, 3, 4, 7, 50, 300, 5000] {
            for _ in 0..20 {
                let buf = text(&mut rng, len, 16);
                let lowered = buf.to_ascii_lowercase();
                let (mut a, mut b) = (Vec::new(), Vec::new());
                p.search(Search::Grams(grams), &lowered, 9, &mut a);
                p.search(Search::Nfa(nfa), &lowered, 9, &mut b);
                assert_eq!(Hits::sorted(a, &buf), Hits::sorted(b, &buf));
            }
        }
    }

    /// Text dense in keywords that share their first three bytes makes the table compare
    /// many keywords per byte: past its budget the NFA is built and used, with the same hits.
    #[test]
    fn a_table_that_gets_costly_gives_way_to_the_automaton() {
        let keywords: Vec<String> = (0..32).map(|i| format!("\"abc{i}\"")).collect();
        let rules = format!(
            "[extend]\nbuiltin = false\n[[rules]]\nid = \"a\"\ndescription = \"a\"\nregex = 'x'\nkeywords = [{}]\n",
            keywords.join(", ")
        );
        let p = prefilter_of(&rules);
        assert!(p.grams.is_some());
        let buf: Vec<u8> = (0..150_000)
            .flat_map(|i| format!("abc{}", i % 40).into_bytes())
            .collect();
        let first = p.hits(&buf);
        assert!(
            p.ac.get().is_none(),
            "the first buffer is searched with the table"
        );
        assert!(p.compared.load(Ordering::Relaxed) > COMPARE_SLACK);
        let second = p.hits(&buf);
        assert!(p.ac.get().is_some(), "then with the NFA");
        assert_eq!(first, second);
        assert!(first.list().len() > 100_000);
    }

    fn every_overlapping_keyword(p: &Prefilter) {
        let mut rng = Lcg(12345);
        for (len, line) in [
            (0usize, 16usize),
            (1, 16),
            (5, 16),
            (17, 16),
            (64, 16),
            (300, 16),
            (2000, 16),
            // Lines longer than the window cap (minified code).
            (20_000, 9000),
            (30_000, 1_000_000),
        ] {
            for _ in 0..20 {
                let buf = text(&mut rng, len, line);
                assert_eq!(
                    p.windows(&buf, |_| Reach::Line),
                    naive(p, &buf),
                    "{}",
                    String::from_utf8_lossy(&buf)
                );
            }
        }
    }

    /// A random delta over `base`: copies of its ranges (in any order, repeated) and inserted
    /// bytes, as git writes them; returns the result and its copied ranges.
    fn delta(rng: &mut Lcg, base: &[u8]) -> (Vec<u8>, Vec<Copied>) {
        crate::test_rng::delta(rng, base, (12, 400), |rng| {
            let n = 1 + rng.below(20);
            text(rng, n, 16)
        })
    }

    #[test]
    fn delta_hits_equal_a_full_search() {
        delta_hits_of(&prefilter());
        delta_hits_of(&prefilter_table());
    }

    fn delta_hits_of(p: &Prefilter) {
        let mut rng = Lcg(99);
        for _ in 0..2000 {
            let len = rng.below(1500);
            let base = text(&mut rng, len, 16);
            let base_hits = p.hits(&base);
            let (target, copied) = delta(&mut rng, &base);
            assert_eq!(
                p.hits_delta(&target, &base_hits, &copied),
                p.hits(&target),
                "base {:?} target {:?} copies {copied:?}",
                String::from_utf8_lossy(&base),
                String::from_utf8_lossy(&target)
            );
        }
    }

    #[test]
    fn delta_hits_fall_back_on_ranges_that_do_not_fit() {
        let p = prefilter();
        let base = b"api_key = 1\nsecret_key = 2\n".to_vec();
        let target = b"api_key = 1\n".to_vec();
        let base_hits = p.hits(&base);
        for copied in [
            // Past the end of the result, past the end of the base, overlapping.
            vec![Copied {
                src: 0,
                dst: 5,
                len: 12,
            }],
            vec![Copied {
                src: 20,
                dst: 0,
                len: 12,
            }],
            vec![
                Copied {
                    src: 0,
                    dst: 0,
                    len: 6,
                },
                Copied {
                    src: 0,
                    dst: 4,
                    len: 6,
                },
            ],
        ] {
            assert_eq!(p.hits_delta(&target, &base_hits, &copied), p.hits(&target));
        }
    }
}
