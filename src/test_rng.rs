//! A deterministic generator for the property tests (an LCG): the same cases on every run.

/// The generator's state.
pub(crate) struct Lcg(pub(crate) u64);

impl Lcg {
    /// A number below `n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize % n.max(1)
    }
}

/// A random delta over `base`, as git writes them: up to `ops.0` pieces, each a copy of one of
/// its ranges (of at most `ops.1` bytes, in any order, repeated) or bytes from `insert`;
/// returns the result and its copied ranges.
pub(crate) fn delta(
    rng: &mut Lcg,
    base: &[u8],
    ops: (usize, usize),
    mut insert: impl FnMut(&mut Lcg) -> Vec<u8>,
) -> (Vec<u8>, Vec<crate::delta::Copied>) {
    let mut out = Vec::new();
    let mut copied = Vec::new();
    for _ in 0..rng.below(ops.0) {
        if !base.is_empty() && rng.below(3) > 0 {
            let src = rng.below(base.len());
            let len = 1 + rng.below((base.len() - src).min(ops.1));
            copied.push(crate::delta::Copied {
                src,
                dst: out.len(),
                len,
            });
            out.extend_from_slice(&base[src..src + len]);
        } else {
            out.extend(insert(rng));
        }
    }
    (out, copied)
}
