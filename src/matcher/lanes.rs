//! The keyword search of large scans: an Aho-Corasick DFA run over four parts of a buffer at
//! once.
//!
//! A DFA step is one table load that depends on the previous one, so one walk through a
//! buffer waits on memory at every byte (about 0.5 GB/s on source code with the built-in
//! pack's thousand keywords, with or without aho-corasick's prefilters, which a thousand
//! keywords defeat). Four walks over four parts of the buffer interleave their loads and run
//! about twice as fast. Each walk starts `max_len - 1` bytes before its part, so that it sees
//! every keyword that ends in its part whole; it reports only those.
//!
//! The table is built from aho-corasick's own DFA (same keywords, same `Standard` match
//! semantics): states renumbered densely, bytes that occur in no keyword folded into one
//! class. A state that ends keywords carries a flag; the keywords it ends are listed per
//! state, so each occurrence is reported with its start without searching again.

use aho_corasick::automaton::Automaton;
use aho_corasick::{dfa::DFA, Anchored, MatchKind};

/// Set on a table entry whose state ends at least one keyword.
const ENDS: u32 = 1 << 31;
/// Walks run side by side (measured: 2 and 8 were slower than 4).
const LANES: usize = 4;
/// Below this, a buffer is walked once: splitting it would cost more than it saves.
const SPLIT_MIN: usize = 4096;
/// States at most (the flag bit and the premultiplied index must fit a `u32`).
const MAX_STATES: usize = 1 << 20;

/// A dense DFA over lower-cased keywords.
#[derive(Debug)]
pub(super) struct Lanes {
    /// `next = table[state + class[byte]]`; states premultiplied by the class count.
    table: Vec<u32>,
    class: [u8; 256],
    /// Per state (dense index), the keywords it ends, with their lengths.
    ends: Vec<Vec<(u32, u32)>>,
    classes: usize,
    max_len: usize,
}

impl Lanes {
    /// The DFA of `keywords` (lower case, none empty); `None` when aho-corasick cannot build
    /// it or it is too large.
    pub(super) fn new(keywords: &[String]) -> Option<Lanes> {
        if keywords.is_empty() || keywords.iter().any(String::is_empty) {
            return None;
        }
        let dfa = DFA::builder()
            .match_kind(MatchKind::Standard)
            .build(keywords)
            .ok()?;
        // Classes: each byte that occurs in a keyword is its own; every other byte sends
        // every state back to the start (no keyword goes on with it), so they share class 0.
        let mut class = [0u8; 256];
        let mut reps: Vec<u8> = Vec::new();
        let mut seen = [false; 256];
        for b in keywords.iter().flat_map(|k| k.bytes()) {
            if !seen[b as usize] {
                seen[b as usize] = true;
                reps.push(b);
            }
        }
        let other = (0..=255u8).find(|&b| !seen[b as usize]);
        if reps.len() > 255 {
            return None;
        }
        reps.insert(0, other.unwrap_or(0));
        for (c, &b) in reps.iter().enumerate().skip(1) {
            class[b as usize] = c as u8;
        }
        let classes = reps.len();
        // States numbered in the order a breadth-first walk from the start meets them.
        let start = dfa.start_state(Anchored::No).ok()?;
        let mut dense: Vec<u32> = Vec::new();
        let index = |dense: &mut Vec<u32>, sid: usize| -> Option<u32> {
            if sid >= dense.len() {
                dense.resize(sid + 1, u32::MAX);
            }
            Some(dense[sid]).filter(|&d| d != u32::MAX)
        };
        let mut order = vec![start];
        index(&mut dense, start.as_usize());
        dense[start.as_usize()] = 0;
        let mut table: Vec<u32> = Vec::new();
        let mut ends: Vec<Vec<(u32, u32)>> = Vec::new();
        let mut i = 0;
        while i < order.len() {
            let s = order[i];
            for &b in &reps {
                let t = dfa.next_state(Anchored::No, s, b);
                let d = match index(&mut dense, t.as_usize()) {
                    Some(d) => d,
                    None => {
                        if order.len() >= MAX_STATES {
                            return None;
                        }
                        let d = order.len() as u32;
                        dense[t.as_usize()] = d;
                        order.push(t);
                        d
                    }
                };
                let flag = if dfa.is_match(t) { ENDS } else { 0 };
                table.push((d * classes as u32) | flag);
            }
            ends.push(
                (0..if dfa.is_match(s) { dfa.match_len(s) } else { 0 })
                    .map(|m| {
                        let p = dfa.match_pattern(s, m);
                        (p.as_u32(), dfa.pattern_len(p) as u32)
                    })
                    .collect(),
            );
            i += 1;
        }
        let max_len = keywords.iter().map(String::len).max().unwrap_or(1);
        Some(Lanes {
            table,
            class,
            ends,
            classes,
            max_len,
        })
    }

    /// Calls `out(start, end, keyword)` for every keyword occurrence of `hay` (lower case;
    /// offset `at` of the buffer), in offsets of the buffer, in the order of their ends.
    pub(super) fn search(&self, hay: &[u8], at: usize, out: &mut impl FnMut(usize, usize, u32)) {
        let n = hay.len();
        if n < SPLIT_MIN.max(LANES * self.max_len) {
            let mut s = 0u32;
            for (i, &b) in hay.iter().enumerate() {
                s = self.step(s, b);
                if s & ENDS != 0 {
                    self.report(s, at + i + 1, out);
                }
            }
            return;
        }
        let part = n / LANES;
        let bound = |k: usize| if k == LANES { n } else { k * part };
        // Each walk starts early enough to see whole every keyword ending in its part.
        let mut state = [0u32; LANES];
        let mut pos = [0usize; LANES];
        for k in 0..LANES {
            let from = bound(k).saturating_sub(self.max_len - 1);
            state[k] = hay[from..bound(k)].iter().fold(0, |s, &b| self.step(s, b)) & !ENDS;
            pos[k] = bound(k);
        }
        let mut found: [Vec<(usize, u32)>; LANES] = Default::default();
        // The first parts are `part` bytes long, the last may be longer: walk all of them
        // `part` steps side by side, then the rest of the last.
        for _ in 0..part {
            for k in 0..LANES {
                let s = self.step(state[k], hay[pos[k]]);
                pos[k] += 1;
                if s & ENDS != 0 {
                    found[k].push((pos[k], s));
                }
                state[k] = s;
            }
        }
        let last = LANES - 1;
        while pos[last] < n {
            let s = self.step(state[last], hay[pos[last]]);
            pos[last] += 1;
            if s & ENDS != 0 {
                found[last].push((pos[last], s));
            }
            state[last] = s;
        }
        for (end, s) in found.iter().flatten() {
            self.report(*s, at + end, out);
        }
    }

    #[inline(always)]
    fn step(&self, s: u32, b: u8) -> u32 {
        self.table[(s & !ENDS) as usize + self.class[b as usize] as usize]
    }

    fn report(&self, s: u32, end: usize, out: &mut impl FnMut(usize, usize, u32)) {
        let d = (s & !ENDS) as usize / self.classes;
        for &(keyword, len) in &self.ends[d] {
            out(end - len as usize, end, keyword);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::AhoCorasick;

    /// Every occurrence aho-corasick's overlapping search finds, and no other, on buffers
    /// long enough to be split (keywords across the seams between parts, inside each other,
    /// at both ends) and short ones.
    #[test]
    fn lanes_find_what_an_overlapping_search_finds() {
        let keywords: Vec<String> = ["key", "apikey", "ey", "secret", "sk_live_", "a", "xoxb-"]
            .map(String::from)
            .to_vec();
        let lanes = Lanes::new(&keywords).unwrap();
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&keywords)
            .unwrap();
        let mut rng = crate::test_rng::Lcg(7);
        let pieces: [&[u8]; 9] = [
            b"apikey",
            b"secret",
            b" ",
            b"\n",
            b"sk_live_",
            b"xoxb-",
            b"zz",
            b"k",
            b"e",
        ];
        for len in [0usize, 1, 5, 100, 4095, 4096, 5000, 20_011] {
            let mut hay = Vec::new();
            while hay.len() < len {
                hay.extend_from_slice(pieces[rng.below(pieces.len())]);
            }
            hay.truncate(len);
            let mut got = Vec::new();
            lanes.search(&hay, 10, &mut |s, e, k| got.push((s, e, k)));
            got.sort();
            let mut want: Vec<(usize, usize, u32)> = ac
                .find_overlapping_iter(&hay)
                .map(|m| (10 + m.start(), 10 + m.end(), m.pattern().as_u32()))
                .collect();
            want.sort();
            assert_eq!(got, want, "length {len}");
        }
        assert!(Lanes::new(&[]).is_none());
        assert!(Lanes::new(&[String::new()]).is_none());
    }
}
