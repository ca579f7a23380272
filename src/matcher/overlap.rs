//! Which kept candidate hides another: the queries behind overlap suppression, answered for
//! every candidate in O(n log n), so that no buffer is too large to get them (a cap of 10,000
//! candidates once switched suppression off).

/// A kept candidate's secret as overlap suppression sees it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Span {
    /// Secret start.
    pub(crate) start: usize,
    /// Secret end (exclusive).
    pub(crate) end: usize,
    /// Only spans of one group compete (the rule's kind).
    pub(crate) group: u8,
    /// Confidence, as a rank: higher wins.
    pub(crate) rank: u8,
    /// The rule is a generic one.
    pub(crate) generic: bool,
}

/// For each span, the first span (in list order) that hides it: one of the same group with a
/// higher rank whose secret overlaps, or, for a generic span, one of the same group and rank
/// that is not generic and whose secret contains it.
pub(crate) fn first_hiding(spans: &[Span]) -> Vec<Option<usize>> {
    // Most buffers have a handful of candidates: pair by pair is cheapest there.
    if spans.len() <= SMALL {
        return spans
            .iter()
            .map(|c| spans.iter().position(|o| hides(o, c)))
            .collect();
    }
    let mut best: Vec<Option<usize>> = vec![None; spans.len()];
    let mut keep = |i: usize, j: Option<usize>| {
        if let Some(j) = j {
            best[i] = Some(best[i].map_or(j, |b| b.min(j)));
        }
    };
    let mut groups: Vec<u8> = spans.iter().map(|s| s.group).collect();
    groups.sort_unstable();
    groups.dedup();
    let mut ranks: Vec<u8> = spans.iter().map(|s| s.rank).collect();
    ranks.sort_unstable();
    ranks.dedup();
    for &g in &groups {
        for &r in &ranks {
            // Higher rank, overlapping: s_j < e_i and e_j > s_i.
            let points: Vec<Point> = spans
                .iter()
                .enumerate()
                .filter(|(_, s)| s.group == g && s.rank == r)
                .map(|(j, s)| (s.start, s.end, j))
                .collect();
            let queries: Vec<Point> = spans
                .iter()
                .enumerate()
                .filter(|(_, s)| s.group == g && s.rank < r)
                .map(|(i, s)| (s.end, s.start, i))
                .collect();
            for (i, j) in sweep(&points, &queries, true, true) {
                keep(i, j);
            }
            // Same rank, generic inside a non-generic: s_j <= s_i and e_j >= e_i.
            let points: Vec<Point> = spans
                .iter()
                .enumerate()
                .filter(|(_, s)| s.group == g && s.rank == r && !s.generic)
                .map(|(j, s)| (s.start, s.end, j))
                .collect();
            let queries: Vec<Point> = spans
                .iter()
                .enumerate()
                .filter(|(_, s)| s.group == g && s.rank == r && s.generic)
                .map(|(i, s)| (s.start, s.end, i))
                .collect();
            for (i, j) in sweep(&points, &queries, false, false) {
                keep(i, j);
            }
        }
    }
    best
}

/// Up to this many spans, [`first_hiding`] compares pairs.
const SMALL: usize = 64;

/// Whether `o` hides `c` (the definition the sweeps answer for many spans at once).
fn hides(o: &Span, c: &Span) -> bool {
    o.group == c.group
        && ((o.rank > c.rank && o.start < c.end && c.start < o.end)
            || (c.generic
                && o.rank == c.rank
                && !o.generic
                && o.start <= c.start
                && c.end <= o.end))
}

/// `(x, y, index)`.
type Point = (usize, usize, usize);

/// For each query `(x, y, i)`, the smallest index among points `(s, e, j)` with `s < x`
/// (`s <= x` unless `strict_s`) and `e > y` (`e >= y` unless `strict_e`).
fn sweep(
    points: &[Point],
    queries: &[Point],
    strict_s: bool,
    strict_e: bool,
) -> Vec<(usize, Option<usize>)> {
    if points.is_empty() || queries.is_empty() {
        return Vec::new();
    }
    let mut ends: Vec<usize> = points.iter().map(|p| p.1).collect();
    ends.sort_unstable();
    ends.dedup();
    let n = ends.len();
    // Fenwick tree of minimum index over end positions, largest end first.
    let mut tree = vec![usize::MAX; n + 1];
    let slot = |e: usize| n - ends.partition_point(|&x| x < e); // 1-based, descending
    let mut by_start: Vec<&Point> = points.iter().collect();
    by_start.sort_unstable_by_key(|p| p.0);
    let mut qs: Vec<&Point> = queries.iter().collect();
    qs.sort_unstable_by_key(|q| q.0);
    let mut next = 0;
    let mut out = Vec::with_capacity(qs.len());
    for &&(x, y, i) in &qs {
        while next < by_start.len() && (by_start[next].0 < x || !strict_s && by_start[next].0 == x)
        {
            let (_, e, j) = *by_start[next];
            let mut k = slot(e);
            while k <= n {
                tree[k] = tree[k].min(j);
                k += k & k.wrapping_neg();
            }
            next += 1;
        }
        // Ends above y (or at least y) are the slots 1..=m, m counted from the largest end.
        let m = if strict_e {
            n - ends.partition_point(|&e| e <= y)
        } else {
            n - ends.partition_point(|&e| e < y)
        };
        let mut k = m;
        let mut found = usize::MAX;
        while k > 0 {
            found = found.min(tree[k]);
            k -= k & k.wrapping_neg();
        }
        out.push((i, (found != usize::MAX).then_some(found)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition, checked pair by pair.
    fn naive(spans: &[Span]) -> Vec<Option<usize>> {
        spans
            .iter()
            .map(|c| spans.iter().position(|o| hides(o, c)))
            .collect()
    }

    #[test]
    fn agrees_with_the_pairwise_definition() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |m: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % m) as usize
        };
        for round in 0..300 {
            // Both sides of SMALL: pairs and sweeps.
            let n = 1 + round % 150;
            let spans: Vec<Span> = (0..n)
                .map(|_| {
                    let start = next(200);
                    Span {
                        start,
                        end: start + 1 + next(12),
                        group: next(2) as u8,
                        rank: next(3) as u8,
                        generic: next(2) == 0,
                    }
                })
                .collect();
            assert_eq!(first_hiding(&spans), naive(&spans), "{spans:?}");
        }
    }
}
