//! What a git delta copied from its base: a leaf type shared by the git reader (which
//! produces it), the encoded-span memo and the keyword prefilter (which reuse what they found
//! in the base for the copied ranges).

/// A range of a delta's result copied from its base.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Copied {
    /// Offset in the base.
    pub src: usize,
    /// Offset in the result.
    pub dst: usize,
    /// Length.
    pub len: usize,
}

impl Copied {
    /// True when `copied` is sorted by destination without overlaps there and every range
    /// lies inside both the result (`len` bytes) and the base (`base_len` bytes).
    pub fn fit(copied: &[Copied], len: usize, base_len: usize) -> bool {
        copied.windows(2).all(|w| w[0].dst + w[0].len <= w[1].dst)
            && copied
                .iter()
                .all(|c| c.dst + c.len <= len && c.src + c.len <= base_len)
    }
}
