//! Format checks for rules whose secret is encoded: the value a rule matches is not the secret
//! itself but an encoding of it, and the check decides whether the decoded value is one.
//!
//! [`base64_text`] backs the `base64-text` verifier (`checksum = "base64-text"`): Kubernetes
//! `Secret` manifests carry every value of `data:` in base64, so the manifest leaks whatever
//! the decoded text is (a password, a token, a key). Words that happen to be valid base64
//! (`frontend`, `production`) decode to bytes that are not text, which is what tells them apart.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

/// Shortest decoded value worth reporting (a 4-character password is already a leak, but
/// shorter strings are mostly flags and ids such as `yes`, `1`).
const MIN_TEXT: usize = 4;

/// True when `secret` is canonical, padded standard base64 of printable text: valid UTF-8
/// without control characters (tab and line breaks allowed, as in a key file), at least
/// [`MIN_TEXT`] characters, not one character repeated, and not a placeholder by the shared
/// filter (`xxxx`, `changeme`, `${VAR}`, ...): the decoded text is what the filter must see.
pub fn base64_text(secret: &[u8]) -> bool {
    if !secret.len().is_multiple_of(4) || secret.len() < 8 {
        return false;
    }
    let Ok(raw) = STANDARD.decode(secret) else {
        return false;
    };
    let Ok(text) = std::str::from_utf8(&raw) else {
        return false;
    };
    let text = text.trim_end_matches(['\n', '\r']);
    if text.chars().count() < MIN_TEXT {
        return false;
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return false;
    }
    let first = text.chars().next();
    if text.chars().all(|c| Some(c) == first) {
        return false;
    }
    crate::matcher::placeholder::placeholder(text.as_bytes()).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(s: &str) -> String {
        STANDARD.encode(s)
    }

    #[test]
    fn text_values_pass() {
        assert!(base64_text(enc("s3rv1ce-Pa55!").as_bytes()));
        assert!(base64_text(
            enc("-----BEGIN PRIVATE KEY-----\nMIIB\n").as_bytes()
        ));
        assert!(base64_text(enc("{\"auths\":{}}").as_bytes()));
    }

    #[test]
    fn words_and_binary_fail() {
        // Plain words that are valid base64 decode to bytes that are not text.
        for w in ["frontend", "production", "defaultx", "Opaque00"] {
            assert!(!base64_text(w.as_bytes()), "{w}");
        }
        assert!(!base64_text(
            STANDARD.encode([0u8, 159, 146, 150, 1, 2, 3, 4]).as_bytes()
        ));
        assert!(!base64_text(b"YQ=="), "too short");
        assert!(
            !base64_text(enc("aaaaaaaa").as_bytes()),
            "one character repeated"
        );
        assert!(!base64_text(b"not base64!"));
        assert!(!base64_text(b"YWJjZGVmZ2g"), "unpadded");
        assert!(
            !base64_text(enc("tt_xxxxxxxxxxxxxxxx").as_bytes()),
            "placeholder"
        );
        assert!(!base64_text(enc("${DB_PASSWORD}").as_bytes()), "reference");
    }
}
