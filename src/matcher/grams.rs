//! Keyword search for small scans: the keywords bucketed by their first three bytes, found by
//! looking up the three bytes at each offset of the buffer.
//!
//! Building aho-corasick's automaton over the built-in pack's thousand keywords took about a
//! fifth of a one-file scan's instructions (a hook's), more than searching a source file of
//! 100 KiB with it. This table builds in a few hundred thousand instructions and finds the
//! same occurrences (every keyword at every offset where it occurs, overlapping ones
//! included), so [`super::prefilter::Prefilter`] searches with it until the process has
//! scanned enough bytes to pay for the automaton.

/// Keywords indexed by their first three bytes.
#[derive(Debug)]
pub(crate) struct Grams {
    /// One bit per 16-bit hash of a three-byte prefix: most offsets of a buffer are ruled
    /// out here (a fixed size, so that the search indexes it without bounds checks).
    bits: Box<[u64; BIT_WORDS]>,
    /// Open addressing on the same hash: the bucket of each three-byte prefix.
    slots: Vec<Slot>,
    /// `32 - log2(slots.len())`: the shift that turns a product into a slot.
    shift: u32,
    /// The keywords of each bucket, bucket after bucket.
    entries: Vec<Entry>,
    /// The keywords (lower case), one after the other.
    bytes: Vec<u8>,
    /// Where each keyword is in `bytes`.
    spans: Vec<(u32, u32)>,
    /// The keywords of two bytes (they are also in the buckets of every third byte): searched
    /// for directly at the one offset where no third byte follows.
    short: Vec<u32>,
}

/// A bucket: the keywords whose first three bytes are `key`.
#[derive(Clone, Copy, Debug)]
struct Slot {
    /// The three bytes, first in the high bits; `EMPTY` for a free slot.
    key: u32,
    start: u32,
    end: u32,
}

const EMPTY: u32 = u32::MAX;

/// A keyword of a bucket: its first eight bytes, to be compared in one go with the eight bytes
/// at an offset (most keywords have no more).
#[derive(Clone, Copy, Debug)]
struct Entry {
    /// The first (up to) eight bytes, little-endian, zeros past the keyword's end.
    head: u64,
    /// Ones over the bytes of `head` that belong to the keyword.
    mask: u64,
    /// The keyword's index.
    id: u32,
    /// Its length.
    len: u32,
}

/// Words of [`Grams::bits`]: 2^16 bits.
const BIT_WORDS: usize = 1 << 10;

/// A two-byte keyword takes a bucket for each possible third byte: past this many of them,
/// the automaton is the better search from the start.
const MAX_SHORT: usize = 16;

/// Past this many keywords behind one three-byte prefix, checking them one by one at each
/// occurrence of the prefix could cost more than the automaton.
const MAX_BUCKET: usize = 32;

/// The three bytes `b[0..3]` as a key, first in the high bits.
fn key3(b0: u8, b1: u8, b2: u8) -> u32 {
    (u32::from(b0) << 16) | (u32::from(b1) << 8) | u32::from(b2)
}

/// Spreads a key over 32 bits (Fibonacci hashing); the top bits pick a bit and a slot.
fn spread(key: u32) -> u32 {
    key.wrapping_mul(0x9E37_79B1)
}

/// The bit of a spread key in [`Grams::bits`]: its word and its mask.
fn bit(h: u32) -> (usize, u64) {
    let b = (h >> 16) as usize;
    (b >> 6, 1 << (b & 63))
}

impl Grams {
    /// The table of `keywords` (lower case, as the automaton gets them), or `None` when it
    /// would not pay: a keyword shorter than two bytes, many two-byte keywords, or many
    /// keywords behind one prefix.
    pub(crate) fn new(keywords: &[&str]) -> Option<Grams> {
        let total: usize = keywords.iter().map(|k| k.len()).sum();
        if keywords.is_empty() || keywords.len() > 1 << 20 || total > u32::MAX as usize {
            return None;
        }
        let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(keywords.len() + MAX_SHORT * 256);
        let mut short = Vec::new();
        for (id, k) in keywords.iter().enumerate() {
            let id = id as u32;
            match *k.as_bytes() {
                [] | [_] => return None,
                [b0, b1] => {
                    if short.len() == MAX_SHORT {
                        return None;
                    }
                    short.push(id);
                    pairs.extend((0..=255u8).map(|b2| (key3(b0, b1, b2), id)));
                }
                [b0, b1, b2, ..] => pairs.push((key3(b0, b1, b2), id)),
            }
        }
        pairs.sort_unstable();
        let buckets = 1 + pairs.windows(2).filter(|w| w[0].0 != w[1].0).count();
        // At most half full: few probes past the first slot.
        let n_slots = (buckets * 2).next_power_of_two().max(64);
        let shift = 32 - n_slots.trailing_zeros();
        let mut slots = vec![
            Slot {
                key: EMPTY,
                start: 0,
                end: 0,
            };
            n_slots
        ];
        let Ok(mut bits) = Box::<[u64; BIT_WORDS]>::try_from(vec![0u64; BIT_WORDS]) else {
            return None;
        };
        let entries: Vec<Entry> = pairs
            .iter()
            .map(|&(_, id)| {
                let k = keywords[id as usize].as_bytes();
                let mut head = [0u8; 8];
                let n = k.len().min(8);
                head[..n].copy_from_slice(&k[..n]);
                Entry {
                    head: u64::from_le_bytes(head),
                    mask: if n == 8 {
                        u64::MAX
                    } else {
                        (1u64 << (8 * n)) - 1
                    },
                    id,
                    len: k.len() as u32,
                }
            })
            .collect();
        let mut start = 0;
        while start < pairs.len() {
            let key = pairs[start].0;
            let end = start + pairs[start..].partition_point(|p| p.0 == key);
            if end - start > MAX_BUCKET {
                return None;
            }
            let h = spread(key);
            let (word, mask) = bit(h);
            bits[word] |= mask;
            let mut s = (h >> shift) as usize;
            while slots[s].key != EMPTY {
                s = (s + 1) & (n_slots - 1);
            }
            slots[s] = Slot {
                key,
                start: start as u32,
                end: end as u32,
            };
            start = end;
        }
        Some(Grams {
            bits,
            slots,
            shift,
            entries,
            bytes: keywords.concat().into_bytes(),
            spans: keywords
                .iter()
                .scan(0u32, |at, k| {
                    let span = (*at, *at + k.len() as u32);
                    *at = span.1;
                    Some(span)
                })
                .collect(),
            short,
        })
    }

    /// The bytes of keyword `id`.
    fn keyword(&self, id: u32) -> &[u8] {
        let (a, b) = self.spans[id as usize];
        &self.bytes[a as usize..b as usize]
    }

    /// Calls `hit(start, end, keyword)` for every keyword occurrence of `lowered` (a
    /// lower-cased buffer), overlapping ones included, in offset order. Returns how many
    /// keywords it compared with the text (the work that grows with shared prefixes).
    pub(crate) fn search(&self, lowered: &[u8], hit: &mut impl FnMut(usize, usize, u32)) -> usize {
        let [b0, b1, rest @ ..] = lowered else {
            return 0;
        };
        let mut compared = 0;
        // The three bytes at offset `i`, rolled along: the hot loop is a multiplication and
        // a bit test per byte.
        let mut key = key3(0, *b0, *b1);
        for (i, &b) in rest.iter().enumerate() {
            key = ((key << 8) | u32::from(b)) & 0xFF_FFFF;
            let h = spread(key);
            let (word, mask) = bit(h);
            if self.bits[word] & mask != 0 {
                compared += self.check(lowered, i, key, h, hit);
            }
        }
        // The last two bytes: only a two-byte keyword fits.
        let n = lowered.len();
        let last = &lowered[n - 2..];
        for &id in &self.short {
            if self.keyword(id) == last {
                hit(n - 2, n, id);
            }
        }
        compared + self.short.len()
    }

    /// The keywords of the bucket of `key` that occur at offset `i`; returns how many were
    /// compared.
    fn check(
        &self,
        lowered: &[u8],
        i: usize,
        key: u32,
        h: u32,
        hit: &mut impl FnMut(usize, usize, u32),
    ) -> usize {
        let mask = self.slots.len() - 1;
        let mut s = (h >> self.shift) as usize;
        let slot = loop {
            let slot = self.slots[s];
            if slot.key == key || slot.key == EMPTY {
                break slot;
            }
            s = (s + 1) & mask;
        };
        if slot.key == EMPTY {
            return 0;
        }
        let at = &lowered[i..];
        let entries = &self.entries[slot.start as usize..slot.end as usize];
        match at.first_chunk::<8>() {
            Some(eight) => {
                let eight = u64::from_le_bytes(*eight);
                for e in entries {
                    if eight & e.mask == e.head
                        && (e.len <= 8 || at.starts_with(self.keyword(e.id)))
                    {
                        hit(i, i + e.len as usize, e.id);
                    }
                }
            }
            // Near the end of the buffer.
            None => {
                for e in entries {
                    if at.starts_with(self.keyword(e.id)) {
                        hit(i, i + e.len as usize, e.id);
                    }
                }
            }
        }
        entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::Lcg;
    use aho_corasick::{AhoCorasickBuilder, MatchKind};

    /// Every occurrence of every keyword, as aho-corasick's overlapping search reports them.
    fn expected(keywords: &[String], hay: &[u8]) -> Vec<(usize, usize, u32)> {
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(keywords)
            .expect("builds");
        let mut v: Vec<_> = ac
            .find_overlapping_iter(hay)
            .map(|m| (m.start(), m.end(), m.pattern().as_u32()))
            .collect();
        v.sort_unstable();
        v
    }

    /// What the table finds, checked to come in offset order, then sorted.
    fn found(g: &Grams, hay: &[u8]) -> Vec<(usize, usize, u32)> {
        let mut v = Vec::new();
        g.search(hay, &mut |s, e, k| v.push((s, e, k)));
        assert!(v.windows(2).all(|w| w[0].0 <= w[1].0), "offset order");
        v.sort_unstable();
        v
    }

    fn table(keywords: &[String]) -> Option<Grams> {
        Grams::new(&keywords.iter().map(String::as_str).collect::<Vec<_>>())
    }

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    /// Bytes of a small alphabet, with whole keywords mixed in, so that keywords are dense,
    /// overlap, and occur at both ends.
    fn text(rng: &mut Lcg, len: usize, keywords: &[String]) -> Vec<u8> {
        let alphabet = b"apiseckrt_y\n-";
        let mut out = Vec::with_capacity(len + 50);
        while out.len() < len {
            if rng.below(6) == 0 {
                out.extend_from_slice(keywords[rng.below(keywords.len())].as_bytes());
            } else {
                out.push(alphabet[rng.below(alphabet.len())]);
            }
        }
        out.truncate(len);
        out
    }

    /// The table finds exactly what the automaton finds: overlapping keywords, keywords that
    /// are prefixes of others, repeated ones, two-byte ones (also at the buffer's end), in
    /// buffers of every small length.
    #[test]
    fn finds_what_the_automaton_finds() {
        let keywords = strings(&[
            "api",
            "api_key",
            "ke",
            "key",
            "y_k",
            "et",
            "secret_key",
            "ret",
            "kk",
            "aaa",
            "aa",
            "-----",
            "--",
            "sk-",
            "t_",
            "key",
        ]);
        let g = table(&keywords).expect("a table");
        let mut rng = Lcg(7);
        for len in (0..40).chain([100, 1000, 5000]) {
            for _ in 0..30 {
                let hay = text(&mut rng, len, &keywords);
                assert_eq!(
                    found(&g, &hay),
                    expected(&keywords, &hay),
                    "{:?}",
                    String::from_utf8_lossy(&hay)
                );
            }
        }
        assert_eq!(found(&g, b"aaaa"), expected(&keywords, b"aaaa"));
        assert_eq!(found(&g, b"et"), [(0, 2, 5)]);
    }

    /// The same with the built-in pack's keywords, over text made of them and of source code.
    #[test]
    fn finds_what_the_automaton_finds_with_the_pack() {
        let rules = crate::rules::builtin::builtin_rules_for_scan().expect("the pack");
        let mut keywords: Vec<String> = Vec::new();
        for k in rules.iter().flat_map(|r| &r.keywords) {
            if !keywords.contains(k) {
                keywords.push(k.clone());
            }
        }
        let g = table(&keywords).expect("the pack's keywords suit the table");
        let mut rng = Lcg(11);
        let source = include_bytes!("prefilter.rs").to_ascii_lowercase();
        assert_eq!(found(&g, &source), expected(&keywords, &source));
        for _ in 0..50 {
            let hay = text(&mut rng, 3000, &keywords);
            assert_eq!(found(&g, &hay), expected(&keywords, &hay));
        }
    }

    /// Keyword lists the table would serve badly or not at all get no table.
    #[test]
    fn declines_keywords_it_does_not_suit() {
        assert!(Grams::new(&[]).is_none());
        assert!(table(&strings(&["abc", "x"])).is_none());
        assert!(table(&strings(&["abc", ""])).is_none());
        let short: Vec<String> = (0..=MAX_SHORT).map(|i| format!("{i:02}")).collect();
        assert!(table(&short[..MAX_SHORT]).is_some());
        assert!(table(&short).is_none());
        let same: Vec<String> = (0..=MAX_BUCKET).map(|i| format!("abc{i}")).collect();
        assert!(table(&same[..MAX_BUCKET]).is_some());
        assert!(table(&same).is_none());
    }
}
