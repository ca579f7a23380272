//! Versioned fingerprints that identify a finding independently of line numbers.
//!
//! `leakscan/v1` is the first 32 hex digits of
//! `SHA-256("leakscan/v1" NUL rule-id NUL display-path NUL SHA-256(secret))`.
//! It stays the same when unrelated edits move the secret to another line, across runs and
//! machines, and differs for different secrets, rules or files. It is shared by JSON, SARIF and
//! baselines. The secret enters only through its own SHA-256, so the fingerprint is one-way.

use sha2::{Digest, Sha256};

/// The name of the current fingerprint scheme.
pub const VERSION: &str = "leakscan/v1";

/// Computes the `leakscan/v1` fingerprint from the rule id, display path and the hex SHA-256
/// of the secret.
pub fn compute(rule_id: &str, display_path: &str, secret_sha256: &str) -> String {
    let mut h = Sha256::new();
    for part in [VERSION, rule_id, display_path, secret_sha256] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    hex::encode(&h.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_and_distinct() {
        let a = compute("github-pat", "src/a.rs", "00ff");
        assert_eq!(a, compute("github-pat", "src/a.rs", "00ff"));
        assert_ne!(a, compute("github-pat", "src/a.rs", "00fe"));
        assert_ne!(a, compute("github-pat", "src/b.rs", "00ff"));
        assert_eq!(a.len(), 32);
    }
}
