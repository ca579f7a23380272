//! Checksum verifiers for token formats that prove themselves.
//!
//! A rule names one with `checksum = "..."`; a candidate whose checksum does not verify is
//! dropped, and a rule with a verifier earns `confidence = "high"`.

/// The base62 alphabet of GitHub-style token checksums: digits, upper case, lower case.
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Encodes `n` in base62, left-padded with `0` to `width` characters.
pub fn base62(mut n: u64, width: usize) -> String {
    let mut out = Vec::new();
    while n > 0 {
        out.push(BASE62[(n % 62) as usize]);
        n /= 62;
    }
    while out.len() < width {
        out.push(b'0');
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// GitHub's token format (also npm's): `<prefix>_` + 30 base62 characters + the CRC32 of those
/// 30 characters, base62-encoded in 6 characters.
fn github_crc32(secret: &[u8]) -> bool {
    let body = match secret.iter().rposition(|&b| b == b'_') {
        Some(p) => &secret[p + 1..],
        None => secret,
    };
    if body.len() != 36 || !body.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let (random, check) = body.split_at(30);
    base62(u64::from(crc32fast::hash(random)), 6).as_bytes() == check
}

/// Builds a GitHub-style token (`<prefix>_` + 30 characters + checksum), for fixtures and tests.
pub fn github_token(prefix: &str, random30: &str) -> String {
    format!(
        "{prefix}_{random30}{}",
        base62(u64::from(crc32fast::hash(random30.as_bytes())), 6)
    )
}

/// Runs the verifier `name` on `secret`; `None` when no verifier has that name.
pub fn verify(name: &str, secret: &[u8]) -> Option<bool> {
    match name {
        "github-crc32" => Some(github_crc32(secret)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn make(prefix: &str, random: &str) -> String {
        github_token(prefix, random)
    }

    #[test]
    fn github_tokens_verify() {
        let t = make("ghp", "Zq3vK8mN2pL5rT9wX1yB4cD7fG0hJ6");
        assert_eq!(verify("github-crc32", t.as_bytes()), Some(true));
        let mut bad = t.into_bytes();
        let last = bad.len() - 1;
        bad[last] = if bad[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(verify("github-crc32", &bad), Some(false));
        assert_eq!(verify("nope", b"x"), None);
    }
}
