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
