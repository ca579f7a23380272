//! The marker engine: finds a project's internal markers (codenames, domains, ticket keys,
//! phrases from `[internal]`) in the windows the prefilter found for the generated engine
//! rules, and hashed codenames by hashing identifier segments.
//!
//! The prefilter's shared automaton already holds every marker spelling as a keyword, so a
//! buffer without markers costs one pass that happens anyway; this module runs its own
//! automaton only over the lines that hold a hit, and decides word boundaries there.
//!
//! Boundaries, for a codename `nightjar`: a match must start at the start of a word or of an
//! identifier part (`enable_nightjar`, `enableNightjar`, `ENABLE_NIGHTJAR`, `nightjar-config`)
//! and end at the end of one (`nightjarAgent`, `nightjar_v2`, `nightjar2`). Letters glued on
//! either side make another word (`knightjar`, `nightjars`): the plural of a codename that is
//! also an English word is that word, so it is not reported; list it if it matters. Digits
//! may follow a codename but not precede it (`2nightjar` is not reported, so hex strings
//! rarely match). Multi-word codenames match with one space, `_`, `-` or `.` between the
//! words, or none (`BlueHeron`, `blueheron`).

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::rules::internal::{self, codename_keywords, InternalMarkers};
use crate::rules::RuleSet;

/// A marker found by the engine: the rule (index in the rule set) and the byte span.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    /// Start of the marker.
    pub start: usize,
    /// End of the marker (exclusive).
    pub end: usize,
    /// Rule index.
    pub rule: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum What {
    Codename,
    Domain,
    /// Index into `tickets`.
    Ticket(usize),
    Phrase,
}

/// The compiled markers of a rule set.
#[derive(Debug)]
pub struct Markers {
    ac: Option<AhoCorasick>,
    what: Vec<What>,
    tickets: Vec<String>,
    codename_rule: Option<usize>,
    domain_rule: Option<usize>,
    ticket_rule: Option<usize>,
    phrase_rule: Option<usize>,
    hashed: Option<Hashed>,
}

impl Markers {
    /// Compiles the markers of `set`; `None` when it declares none.
    pub fn new(set: &RuleSet) -> Option<Markers> {
        let m: &InternalMarkers = &set.internal;
        if m.is_empty() {
            return None;
        }
        let rule = |id: &str| {
            set.rules
                .iter()
                .position(|r| r.id == id && r.is_engine_rule())
        };
        let mut patterns: Vec<String> = Vec::new();
        let mut what = Vec::new();
        for k in codename_keywords(&m.codenames) {
            patterns.push(k);
            what.push(What::Codename);
        }
        for d in &m.domains {
            patterns.push(d.clone());
            what.push(What::Domain);
        }
        for (i, t) in m.tickets.iter().enumerate() {
            patterns.push(format!("{}-", t.to_ascii_lowercase()));
            what.push(What::Ticket(i));
        }
        for p in &m.phrases {
            patterns.push(p.clone());
            what.push(What::Phrase);
        }
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .ok();
        let hashed = match (&m.hash_key, m.hashes.is_empty()) {
            (Some(key), false) => Some(Hashed::new(key.clone(), m)),
            _ => None,
        };
        Some(Markers {
            ac,
            what,
            tickets: m.tickets.clone(),
            codename_rule: rule(internal::CODENAME),
            domain_rule: rule(internal::DOMAIN),
            ticket_rule: rule(internal::TICKET),
            phrase_rule: rule(internal::PHRASE),
            hashed,
        })
    }

    /// Finds the markers of engine rule `rule` in `buf[start..end]` (the boundaries are
    /// decided on the whole `buf`), appending them to `out` in offset order.
    pub fn scan(&self, rule: usize, buf: &[u8], start: usize, end: usize, out: &mut Vec<Hit>) {
        let first = out.len();
        let wants = |w: What| match w {
            What::Codename => self.codename_rule == Some(rule),
            What::Domain => self.domain_rule == Some(rule),
            What::Ticket(_) => self.ticket_rule == Some(rule),
            What::Phrase => self.phrase_rule == Some(rule),
        };
        if let Some(ac) = &self.ac {
            for m in ac.find_overlapping_iter(&buf[start..end]) {
                let w = self.what[m.pattern().as_usize()];
                if !wants(w) {
                    continue;
                }
                let (s, e) = (start + m.start(), start + m.end());
                let span = match w {
                    What::Codename => codename_bounds(buf, s, e).then_some((s, e)),
                    What::Domain => domain_span(buf, s, e),
                    What::Ticket(i) => ticket_span(buf, s, e, &self.tickets[i]),
                    What::Phrase => phrase_bounds(buf, s, e).then_some((s, e)),
                };
                if let Some((s, e)) = span {
                    out.push(Hit {
                        start: s,
                        end: e,
                        rule,
                    });
                }
            }
        }
        if self.codename_rule == Some(rule) {
            if let Some(h) = &self.hashed {
                h.scan(rule, &buf[..end], start, out);
            }
        }
        keep_outermost(out, first);
    }
}

/// Sorts the hits from `first` on and drops those inside another (`blue` in `blue heron`,
/// a hashed and a plain match of one codename).
fn keep_outermost(out: &mut Vec<Hit>, first: usize) {
    let tail = &mut out[first..];
    tail.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut kept: Vec<Hit> = Vec::with_capacity(tail.len());
    for h in tail.iter() {
        if kept.last().is_some_and(|k| h.end <= k.end) {
            continue;
        }
        kept.push(*h);
    }
    out.truncate(first);
    out.extend(kept);
}

/// Bytes of words: ASCII letters and digits, and any non-ASCII byte (part of a letter).
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

/// Whether `buf[s..e]` starts and ends at word or identifier-part boundaries (module docs).
pub fn codename_bounds(buf: &[u8], s: usize, e: usize) -> bool {
    let left = s == 0 || {
        let (p, c) = (buf[s - 1], buf[s]);
        !is_word(p)
            || (p.is_ascii_lowercase() && c.is_ascii_uppercase())
            || (p.is_ascii_uppercase()
                && c.is_ascii_uppercase()
                && buf.get(s + 1).is_some_and(u8::is_ascii_lowercase))
    };
    let right = e >= buf.len() || {
        let (last, n) = (buf[e - 1], buf[e]);
        !is_word(n)
            || n.is_ascii_digit()
            || (last.is_ascii_lowercase() && n.is_ascii_uppercase())
            || (last.is_ascii_uppercase()
                && n.is_ascii_uppercase()
                && buf.get(e + 1).is_some_and(u8::is_ascii_lowercase))
    };
    left && right
}

fn is_host_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// The whole host name around a domain match (`api.corp.example.com` for
/// `corp.example.com`), or `None` when the match is part of another name
/// (`notcorp.example.com`, `corp.example.com.evil.net`).
fn domain_span(buf: &[u8], s: usize, e: usize) -> Option<(usize, usize)> {
    if e < buf.len() {
        let n = buf[e];
        if is_host_byte(n)
            || (n == b'.' && buf.get(e + 1).is_some_and(|b| b.is_ascii_alphanumeric()))
        {
            return None;
        }
    }
    let mut hs = s;
    if s > 0 {
        match buf[s - 1] {
            b'.' => {
                hs = s - 1;
                while hs > 0 && (is_host_byte(buf[hs - 1]) || buf[hs - 1] == b'.') && s - hs < 253 {
                    hs -= 1;
                }
                while hs < s && buf[hs] == b'.' {
                    hs += 1;
                }
            }
            p if is_host_byte(p) => return None,
            _ => {}
        }
    }
    Some((hs, e))
}

/// `PREFIX-123`: exact-case prefix, 1 to 7 digits, not glued to other words.
fn ticket_span(buf: &[u8], s: usize, e: usize, prefix: &str) -> Option<(usize, usize)> {
    if &buf[s..e - 1] != prefix.as_bytes() {
        return None;
    }
    if s > 0 && (buf[s - 1].is_ascii_alphanumeric() || buf[s - 1] == b'_') {
        return None;
    }
    let digits = buf[e..]
        .iter()
        .take(8)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 0 || digits > 7 {
        return None;
    }
    let end = e + digits;
    if end < buf.len() && (buf[end].is_ascii_alphanumeric() || buf[end] == b'_') {
        return None;
    }
    Some((s, end))
}

fn phrase_bounds(buf: &[u8], s: usize, e: usize) -> bool {
    (s == 0 || !is_word(buf[s - 1])) && (e >= buf.len() || !is_word(buf[e]))
}

/// Hashed codenames: every identifier segment (and run of up to N segments, for N-word
/// codenames) is lower-cased, hashed with the key and looked up.
///
/// HMAC-SHA256 of a short segment costs about a microsecond, so each thread remembers the
/// verdict per distinct segment: source code repeats its identifiers, so a tree has far fewer
/// distinct segments than segments, and the hashing cost follows the former.
#[derive(Debug)]
struct Hashed {
    key: Vec<u8>,
    digests: HashSet<[u8; 32]>,
    max_words: usize,
    id: u64,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);
/// Verdicts remembered per thread before the memo is cleared (bounds memory).
const MEMO_CAP: usize = 1 << 20;

/// Verdicts per segment, tagged with the id of the `Hashed` they belong to.
type Memo = (u64, HashMap<Box<[u8]>, bool, BuildHasherDefault<Fnv>>);

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::new((0, HashMap::default()));
}

/// FNV-1a: the memo's keys are short identifier segments, for which SipHash costs more than
/// the lookup it protects.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// Segments shorter than this are never hashed (codenames have at least 3 characters).
const MIN_SEGMENT: usize = 3;
/// Segment runs longer than this are never hashed.
const MAX_CANDIDATE: usize = 64;

impl Hashed {
    fn new(key: Vec<u8>, m: &InternalMarkers) -> Hashed {
        Hashed {
            key,
            digests: m.hashes.iter().map(|h| h.digest).collect(),
            max_words: m.hashes.iter().map(|h| h.words).max().unwrap_or(1),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// Hashes the segments that start at or after `from` in `buf`.
    fn scan(&self, rule: usize, buf: &[u8], from: usize, out: &mut Vec<Hit>) {
        let segs = segments(buf, from);
        if segs.is_empty() {
            return;
        }
        MEMO.with(|memo| {
            let mut memo = memo.borrow_mut();
            if memo.0 != self.id || memo.1.len() > MEMO_CAP {
                memo.0 = self.id;
                memo.1.clear();
            }
            let mut key = Vec::with_capacity(MAX_CANDIDATE);
            for i in 0..segs.len() {
                key.clear();
                for n in 0..self.max_words {
                    let Some(&(s, e)) = segs.get(i + n) else {
                        break;
                    };
                    if n > 0 {
                        // Words of one codename are adjacent or one separator apart.
                        if s - segs[i + n - 1].1 > 1 {
                            break;
                        }
                        key.push(b' ');
                    }
                    key.extend(buf[s..e].iter().map(u8::to_ascii_lowercase));
                    if key.len() > MAX_CANDIDATE {
                        break;
                    }
                    if key.len() < MIN_SEGMENT {
                        continue;
                    }
                    let hit = match memo.1.get(key.as_slice()) {
                        Some(&v) => v,
                        None => {
                            let v = self
                                .digests
                                .contains(&internal::hash_normalized(&self.key, &key));
                            memo.1.insert(key.clone().into_boxed_slice(), v);
                            v
                        }
                    };
                    if hit {
                        out.push(Hit {
                            start: segs[i].0,
                            end: e,
                            rule,
                        });
                    }
                }
            }
        });
    }
}

/// Identifier segments of `buf` starting at or after `from`: runs of ASCII letters and
/// digits, split at camel-case humps and where digits follow letters, as `codename_bounds`
/// reads them. A run glued to a non-ASCII byte is not a segment.
fn segments(buf: &[u8], from: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = from;
    // Start inside a run: move to its end.
    while i > 0 && i < buf.len() && is_word(buf[i - 1]) {
        i += 1;
    }
    while i < buf.len() {
        if !buf[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let run_start = i;
        while i < buf.len() && buf[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if (run_start > 0 && buf[run_start - 1] >= 0x80) || (i < buf.len() && buf[i] >= 0x80) {
            continue;
        }
        split_run(buf, run_start, i, &mut out);
    }
    out
}

fn split_run(buf: &[u8], s: usize, e: usize, out: &mut Vec<(usize, usize)>) {
    let mut start = s;
    for j in s + 1..e {
        let (p, c) = (buf[j - 1], buf[j]);
        let hump = (p.is_ascii_lowercase() && c.is_ascii_uppercase())
            || (p.is_ascii_uppercase()
                && c.is_ascii_uppercase()
                && buf.get(j + 1).is_some_and(u8::is_ascii_lowercase)
                && j + 1 < e)
            || (p.is_ascii_alphabetic() && c.is_ascii_digit());
        if hump {
            out.push((start, j));
            start = j;
        }
    }
    out.push((start, e));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::internal::{codename_words, hash_words, CodenameHash};

    fn set(codenames: &[&str], hashes: &[&str], key: Option<&[u8]>) -> RuleSet {
        let mut m = InternalMarkers {
            codenames: codenames.iter().map(|c| codename_words(c)).collect(),
            ..InternalMarkers::default()
        };
        if let Some(k) = key {
            m.hash_key = Some(k.to_vec());
            m.hashes = hashes
                .iter()
                .map(|c| {
                    let w = codename_words(c);
                    CodenameHash {
                        words: w.len(),
                        digest: hash_words(k, &w),
                    }
                })
                .collect();
        }
        let mut rule = crate::rules::load::builtin_rules()
            .unwrap_or_default()
            .into_iter()
            .next()
            .expect("a rule");
        rule.id = internal::CODENAME.into();
        rule.regex = None;
        rule.paths = None;
        RuleSet {
            rules: vec![rule],
            internal: m,
            ..RuleSet::default()
        }
    }

    fn found(markers: &Markers, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        markers.scan(0, text.as_bytes(), 0, text.len(), &mut out);
        out.iter()
            .map(|h| text[h.start..h.end].to_string())
            .collect()
    }

    #[test]
    fn codename_spellings() {
        let m = Markers::new(&set(&["nightjar", "blue heron"], &[], None)).expect("markers");
        for (text, want) in [
            ("NIGHTJAR", "NIGHTJAR"),
            ("Nightjar ships", "Nightjar"),
            ("nightjarAgent", "nightjar"),
            ("new NightjarAgent()", "Nightjar"),
            ("enable_nightjar", "nightjar"),
            ("ENABLE_NIGHTJAR=1", "NIGHTJAR"),
            ("nightjar-config", "nightjar"),
            ("enableNightjar", "Nightjar"),
            ("nightjar2", "nightjar"),
            ("XMLNightjar", "Nightjar"),
            ("blue heron", "blue heron"),
            ("BlueHeron", "BlueHeron"),
            ("blue_heron", "blue_heron"),
            ("blue-heron", "blue-heron"),
            ("BLUE_HERON_URL", "BLUE_HERON"),
            ("initBlueHeronClient", "BlueHeron"),
        ] {
            assert_eq!(found(&m, text), vec![want.to_string()], "{text}");
        }
        for text in [
            "knightjar",
            "nightjars",
            "NIGHTJARS",
            "2nightjar",
            "nightjarring",
            "blue  heron",
            "blueberry heron",
            "bluebird",
        ] {
            assert_eq!(found(&m, text), Vec::<String>::new(), "{text}");
        }
    }

    #[test]
    fn hashed_codenames_match_like_plain_ones() {
        let m =
            Markers::new(&set(&[], &["nightjar", "blue heron"], Some(b"key"))).expect("markers");
        assert_eq!(
            found(&m, "x = NightjarAgent(); enable_nightjar"),
            vec!["Nightjar", "nightjar"]
        );
        assert_eq!(
            found(&m, "BLUE_HERON and BlueHeron, blue heron"),
            vec!["BLUE_HERON", "BlueHeron", "blue heron"]
        );
        assert_eq!(
            found(&m, "knightjar nightjars 2nightjar bluebird"),
            Vec::<String>::new()
        );
        let other_key = Markers::new(&set(&[], &["nightjar"], Some(b"other"))).expect("markers");
        assert_eq!(found(&other_key, "nightjar"), vec!["nightjar"]);
    }

    #[test]
    fn domains_tickets_phrases() {
        let mut s = set(&[], &[], None);
        s.internal.domains = vec!["corp.example.com".into()];
        s.internal.tickets = vec!["ABC".into()];
        s.internal.phrases = vec!["eyes only".into()];
        let mut rules: Vec<_> = std::iter::repeat_with(|| {
            crate::rules::load::builtin_rules()
                .unwrap_or_default()
                .into_iter()
                .next()
                .expect("rule")
        })
        .take(3)
        .collect();
        for (r, id) in rules
            .iter_mut()
            .zip([internal::DOMAIN, internal::TICKET, internal::PHRASE])
        {
            r.id = id.into();
            r.regex = None;
            r.paths = None;
        }
        s.rules = rules;
        let m = Markers::new(&s).expect("markers");
        let scan = |rule: usize, text: &str| {
            let mut out = Vec::new();
            m.scan(rule, text.as_bytes(), 0, text.len(), &mut out);
            out.iter()
                .map(|h| text[h.start..h.end].to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            scan(
                0,
                "https://api.eu.corp.example.com/v1 and corp.example.com."
            ),
            vec!["api.eu.corp.example.com", "corp.example.com"]
        );
        assert_eq!(
            scan(
                0,
                "notcorp.example.com corp.example.com.evil.net corp.example.community"
            ),
            Vec::<String>::new()
        );
        assert_eq!(
            scan(1, "fixes ABC-1234, see feature/ABC-7"),
            vec!["ABC-1234", "ABC-7"]
        );
        assert_eq!(
            scan(1, "abc-1234 XABC-12 ABC-x ABC-12345678 ABC-12a"),
            Vec::<String>::new()
        );
        assert_eq!(scan(2, "For your Eyes Only."), vec!["Eyes Only"]);
        assert_eq!(scan(2, "eyes onlyx"), Vec::<String>::new());
    }

    #[test]
    fn segments_split_like_boundaries() {
        let text = b"enableNightjar XMLParser v2x nightjar2 caf\xc3\xa9nightjar";
        let segs: Vec<&[u8]> = segments(text, 0)
            .iter()
            .map(|&(s, e)| &text[s..e])
            .collect();
        let want: Vec<&[u8]> = vec![
            b"enable",
            b"Nightjar",
            b"XML",
            b"Parser",
            b"v",
            b"2x",
            b"nightjar",
            b"2",
        ];
        assert_eq!(segs, want);
    }
}
