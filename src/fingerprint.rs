//! Versioned fingerprints that identify a finding independently of line numbers, and reveal
//! (next to) nothing about its secret.
//!
//! `leakscan/v2` is the first 32 hex digits of
//! `SHA-256("leakscan/v2" NUL rule-id NUL path NUL secret-tag)`, where the secret tag is
//! - with `LEAKSCAN_FINGERPRINT_KEY` set: `k:` and the hex HMAC-SHA-256 of the secret under that
//!   key: one-way for anyone without the key, and distinct for distinct secrets;
//! - without it: `t:` and the first 4 hex digits (16 bits) of `SHA-256("leakscan/secret" NUL
//!   secret)`, deliberately truncated: whoever holds a report and guesses a secret can only
//!   tell that one guess in 65,536 fits, so a list of likely passwords yields dozens of
//!   equally plausible candidates rather than a confirmation. The price is documented: two
//!   different secrets of the same rule in the same file share a fingerprint once in 65,536
//!   pairs, and an ignore entry for one then also covers the other.
//!
//! It stays the same when unrelated edits move the secret to another line, across runs and
//! machines (with the same key, or none), and is shared by JSON, SARIF and `.leakscanignore`.
//! `leakscan/v1` (the secret's full, unkeyed SHA-256 inside) is no longer written anywhere;
//! [`compute_v1`] is kept only so that existing `.leakscanignore` files still match.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// The name of the current fingerprint scheme.
pub const VERSION: &str = "leakscan/v2";
/// The environment variable holding the fingerprint key.
pub const KEY_ENV: &str = "LEAKSCAN_FINGERPRINT_KEY";

static KEY: OnceLock<Option<Vec<u8>>> = OnceLock::new();

/// The fingerprint key: `LEAKSCAN_FINGERPRINT_KEY` as bytes, read once; `None` when unset or
/// empty.
fn key() -> Option<&'static [u8]> {
    KEY.get_or_init(|| {
        std::env::var_os(KEY_ENV)
            .map(|v| v.into_encoded_bytes())
            .filter(|v| !v.is_empty())
    })
    .as_deref()
}

/// Whether fingerprints are keyed (`LEAKSCAN_FINGERPRINT_KEY` set).
pub fn is_keyed() -> bool {
    key().is_some()
}

/// Hex HMAC-SHA-256 of `data` under `key` (fingerprints, baseline entries).
pub fn hmac_sha256_hex(key: &[u8], data: &[u8]) -> String {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    hex::encode(mac.finalize().into_bytes())
}

/// The secret's part of a fingerprint (see the module documentation); empty for no secret.
fn secret_tag(secret: &[u8], key: Option<&[u8]>) -> String {
    if secret.is_empty() {
        return String::new();
    }
    match key {
        Some(k) => format!("k:{}", hmac_sha256_hex(k, secret)),
        None => {
            let mut h = Sha256::new();
            h.update(b"leakscan/secret\0");
            h.update(secret);
            format!("t:{}", &hex::encode(h.finalize())[..4])
        }
    }
}

/// Computes the `leakscan/v2` fingerprint from the rule id, display path and the secret (empty
/// for path rules), keyed when `LEAKSCAN_FINGERPRINT_KEY` is set.
pub fn compute(rule_id: &str, display_path: &str, secret: &[u8]) -> String {
    compute_with(rule_id, display_path, secret, key())
}

/// [`compute`] with an explicit key.
pub fn compute_with(
    rule_id: &str,
    display_path: &str,
    secret: &[u8],
    key: Option<&[u8]>,
) -> String {
    let tag = secret_tag(secret, key);
    let mut h = Sha256::new();
    for part in [VERSION, rule_id, display_path, &tag] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    hex::encode(&h.finalize()[..16])
}

/// The retired `leakscan/v1` fingerprint (the hex SHA-256 of the secret inside): computed only
/// to match `.leakscanignore` files written before v2, never written to any output.
pub fn compute_v1(rule_id: &str, display_path: &str, secret: &[u8]) -> String {
    let sha = if secret.is_empty() {
        String::new()
    } else {
        hex::encode(Sha256::digest(secret))
    };
    let mut h = Sha256::new();
    for part in ["leakscan/v1", rule_id, display_path, &sha] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    hex::encode(&h.finalize()[..16])
}

/// The `partialFingerprints` key that GitHub code scanning reads.
pub const GITHUB_LINE_HASH: &str = "primaryLocationLineHash";

/// GitHub's `primaryLocationLineHash` for every line of `text` that is in `lines` (1-based),
/// computed the way `github/codeql-action` (`src/fingerprints.ts`) hashes the checked-out file,
/// so that code scanning finds the same value and logs no "inconsistent fingerprint" warning.
///
/// The hash of a line is a polynomial rolling hash (base 37, wrapping 64-bit arithmetic) over
/// the 100 characters starting at that line, counting UTF-16 code units, skipping spaces and
/// tabs, with `\r\n` and `\r` read as `\n`, and the end of the file padded with one 0xFFFF and
/// zeros. It is written `<lower-case hex>:<n>`, where `n` counts the lines up to and including
/// this one with the same hash value.
pub fn github_line_hashes(text: &[u8], lines: &[usize]) -> BTreeMap<usize, String> {
    let mut wanted = lines.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    let mut h = LineHasher::new(&wanted);
    if h.max_line == 0 {
        return h.out;
    }
    let decoded = String::from_utf8_lossy(text);
    for c in decoded.encode_utf16().chain(std::iter::once(0xFFFF)) {
        if !h.char(c) {
            return h.out;
        }
    }
    for _ in 0..BLOCK {
        if h.starts[h.index] != 0 && !h.emit() {
            break;
        }
        h.push(0);
    }
    h.out
}

const BLOCK: usize = 100;
const BASE: u64 = 37;

/// A hasher for keys that are already hash values: it spreads the bits of a `u64` with one
/// multiplication (Fibonacci hashing).
#[derive(Default)]
struct SpreadHasher(u64);

impl std::hash::Hasher for SpreadHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// The state of [`github_line_hashes`].
struct LineHasher<'a> {
    wanted: &'a [usize],
    max_line: usize,
    first_mod: u64,
    window: [u16; BLOCK],
    // The line that starts at each window slot, 0 when none does.
    starts: [usize; BLOCK],
    hash: u64,
    index: usize,
    line: usize,
    line_start: bool,
    prev_cr: bool,
    // Keyed by the rolling hash itself, which needs no further hashing (SipHash of every
    // line's value was most of the cost of this function).
    counts: HashMap<u64, usize, std::hash::BuildHasherDefault<SpreadHasher>>,
    out: BTreeMap<usize, String>,
}

impl<'a> LineHasher<'a> {
    fn new(wanted: &'a [usize]) -> Self {
        LineHasher {
            wanted,
            max_line: wanted.iter().copied().max().unwrap_or(0),
            first_mod: (0..BLOCK).fold(1u64, |m, _| m.wrapping_mul(BASE)),
            window: [0; BLOCK],
            starts: [0; BLOCK],
            hash: 0,
            index: 0,
            line: 0,
            line_start: true,
            prev_cr: false,
            counts: HashMap::default(),
            out: BTreeMap::new(),
        }
    }

    /// Reads one UTF-16 code unit; false once every wanted line has its hash.
    fn char(&mut self, mut c: u16) -> bool {
        const SPACE: u16 = b' ' as u16;
        const TAB: u16 = b'\t' as u16;
        const LF: u16 = b'\n' as u16;
        const CR: u16 = b'\r' as u16;
        if c == SPACE || c == TAB || (self.prev_cr && c == LF) {
            self.prev_cr = false;
            return true;
        }
        self.prev_cr = c == CR;
        if c == CR {
            c = LF;
        }
        if self.starts[self.index] != 0 && !self.emit() {
            return false;
        }
        if self.line_start {
            self.line_start = false;
            self.line += 1;
            self.starts[self.index] = self.line;
        }
        self.line_start = c == LF;
        self.push(c);
        true
    }

    /// Adds `c` to the window, dropping the oldest unit from the hash.
    fn push(&mut self, c: u16) {
        let leaving = self.window[self.index];
        self.window[self.index] = c;
        self.hash = self
            .hash
            .wrapping_mul(BASE)
            .wrapping_add(u64::from(c))
            .wrapping_sub(self.first_mod.wrapping_mul(u64::from(leaving)));
        self.index = (self.index + 1) % BLOCK;
    }

    /// The window now holds the 100 units of the line starting at the current slot: record its
    /// hash. False once the last wanted line is done.
    fn emit(&mut self) -> bool {
        let line = std::mem::take(&mut self.starts[self.index]);
        let n = self.counts.entry(self.hash).or_insert(0);
        *n += 1;
        if self.wanted.binary_search(&line).is_ok() {
            self.out.insert(line, format!("{:x}:{n}", self.hash));
        }
        line < self.max_line
    }
}

/// leakscan's own `primaryLocationLineHash` for findings that GitHub cannot hash correctly
/// (history, archive members, decoded spans, standard input, chunked files): the first 16 hex
/// digits of `SHA-256("leakscan/line-hash/v2" NUL fingerprint NUL)`, in
/// GitHub's `<hex>:<n>` shape; the caller numbers equal digests `:1`, `:2`, ... in report order.
/// It depends on neither line numbers nor the commit, so the alert stays open, and one, while
/// the same secret sits at the same path.
pub fn own_line_digest(fingerprint: &str) -> String {
    let mut h = Sha256::new();
    for part in ["leakscan/line-hash/v2", fingerprint] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    hex::encode(&h.finalize()[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_and_distinct() {
        for key in [None, Some(&b"a fingerprint key of the team"[..])] {
            let a = compute_with("github-pat", "src/a.rs", b"ghp_first", key);
            assert_eq!(a, compute_with("github-pat", "src/a.rs", b"ghp_first", key));
            assert_ne!(a, compute_with("github-pat", "src/a.rs", b"ghp_other", key));
            assert_ne!(a, compute_with("github-pat", "src/b.rs", b"ghp_first", key));
            assert_ne!(a, compute_with("other-rule", "src/a.rs", b"ghp_first", key));
            assert_eq!(a.len(), 32);
        }
        let unkeyed = compute_with("r", "a", b"s3cr3t-value", None);
        assert_ne!(unkeyed, compute_with("r", "a", b"s3cr3t-value", Some(b"k")));
        assert_ne!(
            compute_with("r", "a", b"s3cr3t-value", Some(b"k1")),
            compute_with("r", "a", b"s3cr3t-value", Some(b"k2"))
        );
    }

    /// Without a key, a guessed secret cannot be confirmed from a fingerprint: of 400,000
    /// wrong guesses of the same shape, several fit as well as the right one does.
    #[test]
    fn unkeyed_fingerprints_do_not_confirm_a_guess() {
        let secret = b"Summer2024!";
        let fp = compute_with("generic-password", "config/app.ini", secret, None);
        let mut rng = crate::test_rng::Lcg(7);
        let fits = (0..400_000)
            .map(|_| {
                format!(
                    "{}{}!",
                    ["Spring", "Winter", "Autumn", "Summer"][rng.below(4)],
                    rng.below(1_000_000)
                )
            })
            .filter(|g| g.as_bytes() != secret)
            .filter(|g| {
                compute_with("generic-password", "config/app.ini", g.as_bytes(), None) == fp
            })
            .count();
        assert!(fits >= 2, "{fits} wrong guesses fit");
    }

    // Expected values were computed with the algorithm of github/codeql-action
    // `src/fingerprints.ts` (run under Node.js with the `long` package) on the same bytes.
    #[test]
    fn github_line_hash_matches_code_scanning() {
        let text = "key = \"abc\"\r\n\tsecond line with tab\r\n\r\n\ndup\ndup\n  dup\nunicode \u{e9} \u{1f600} x\nlast line no newline";
        let h = github_line_hashes(text.as_bytes(), &[1, 2, 3, 4, 5, 6, 7, 8, 9]);
        let want = [
            "11eab1051c97c1c9:1",
            "989761c76e06fb67:1",
            "594f7f7b725a1182:1",
            "f05d46d187e3f560:1",
            "c55b1642a4d1e476:1",
            "e4cd36247c2840b:1",
            "f1a0793aff553750:1",
            "c18c5b4a866cf345:1",
            "2585f5cca2766782:1",
        ];
        for (i, w) in want.iter().enumerate() {
            assert_eq!(
                h.get(&(i + 1)).map(String::as_str),
                Some(*w),
                "line {}",
                i + 1
            );
        }
    }

    #[test]
    fn github_line_hash_counts_repeats() {
        let text = "a\n".repeat(120);
        let h = github_line_hashes(text.as_bytes(), &[1, 2, 71, 72, 119, 120]);
        assert_eq!(h[&1], "83d4df87b9db256:1");
        assert_eq!(h[&2], "83d4df87b9db256:2");
        assert_eq!(h[&71], "83d4df87b9db256:71");
        assert_eq!(h[&72], "83d4df87bc2a422:1");
        assert_eq!(h[&119], "ee4468fa4a9bc719:1");
        assert_eq!(h[&120], "243cbaa4685aab12:1");
        assert!(github_line_hashes(b"", &[]).is_empty());
    }

    #[test]
    fn own_digest_ignores_lines_and_separates_secrets() {
        let a = own_line_digest("00ff");
        assert_eq!(a.len(), 16);
        assert_eq!(a, own_line_digest("00ff"));
        assert_ne!(a, own_line_digest("00fe"));
    }
}
