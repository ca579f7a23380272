//! Checksum verifiers for token formats that carry their own check digits.
//!
//! A rule names a verifier with `checksum = "..."`; the matcher calls [`verify`] on the secret
//! of every candidate of that rule and drops the candidate when it answers `Some(false)`. A
//! verifier only looks at the secret bytes: no network, no allocation beyond a few bytes. The
//! table in `docs/rules.md` lists each name with the format it checks; keep both in step.

use base64::Engine as _;
use sha2::{Digest as _, Sha256};

/// Checks `secret` against the verifier called `name`.
///
/// Returns `None` when no verifier has that name (rule validation reports it), `Some(true)` when
/// the secret carries a valid checksum and `Some(false)` when it does not.
pub fn verify(name: &str, secret: &[u8]) -> Option<bool> {
    let ok = match name {
        "github-crc32" => github_crc32(secret),
        "bech32" => bech32(secret),
        "base58check" => base58check(secret),
        "luhn" => luhn(secret),
        "jwt-header" => jwt_header(secret),
        "jwt-no-expiry" => jwt_header(secret) && jwt_without_expiry(secret),
        "base64-text" => crate::formats::base64_text(secret),
        _ => return None,
    };
    Some(ok)
}

/// GMP-order base62 digits, the alphabet GitHub and npm use for the checksum part.
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Encodes `n` in base62 (GMP order), left-padded with `0` to `width` characters.
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

/// Builds a GitHub-style token (`<prefix>_` + 30 characters + checksum), for fixtures and tests.
pub fn github_token(prefix: &str, random30: &str) -> String {
    format!(
        "{prefix}_{random30}{}",
        base62(u64::from(crc32fast::hash(random30.as_bytes())), 6)
    )
}

/// `<prefix>_` + 30 base62 characters + the CRC32 (IEEE) of those 30 characters written as 6
/// base62 digits, most significant first, left-padded with `0`. GitHub's `ghp_ gho_ ghu_ ghs_
/// ghr_` tokens and npm's `npm_` tokens use this layout. 62^6 > 2^32, so six digits always hold
/// the whole CRC.
fn github_crc32(secret: &[u8]) -> bool {
    let body = match secret.iter().rposition(|&b| b == b'_') {
        Some(i) => &secret[i + 1..],
        None => secret,
    };
    if body.len() != 36 || !body.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let (random, check) = body.split_at(30);
    base62(u64::from(crc32fast::hash(random)), 6).as_bytes() == check
}

const BECH32_CHARSET: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/// BIP-173 bech32: `hrp` + `1` + data characters whose last six are a BCH checksum over the
/// human-readable part and the data. Mixed case is invalid. Used by `age` secret keys
/// (`AGE-SECRET-KEY-1...`) and other bech32-encoded private keys.
fn bech32(secret: &[u8]) -> bool {
    let has_lower = secret.iter().any(u8::is_ascii_lowercase);
    let has_upper = secret.iter().any(u8::is_ascii_uppercase);
    if has_lower && has_upper {
        return false;
    }
    let lower: Vec<u8> = secret.to_ascii_lowercase();
    let Some(sep) = lower.iter().rposition(|&b| b == b'1') else {
        return false;
    };
    let (hrp, data) = (&lower[..sep], &lower[sep + 1..]);
    if hrp.is_empty() || data.len() < 6 || !hrp.iter().all(|b| (33..=126).contains(b)) {
        return false;
    }
    let mut values = Vec::with_capacity(hrp.len() * 2 + 1 + data.len());
    values.extend(hrp.iter().map(|b| b >> 5));
    values.push(0);
    values.extend(hrp.iter().map(|b| b & 31));
    for b in data {
        match BECH32_CHARSET.iter().position(|c| c == b) {
            Some(v) => values.push(v as u8),
            None => return false,
        }
    }
    bech32_polymod(&values) == 1
}

fn bech32_polymod(values: &[u8]) -> u32 {
    const GEN: [u32; 5] = [
        0x3b6a_57b2,
        0x2650_8e6d,
        0x1ea1_19fa,
        0x3d42_33dd,
        0x2a14_62b3,
    ];
    let mut chk: u32 = 1;
    for &v in values {
        let top = chk >> 25;
        chk = ((chk & 0x01ff_ffff) << 5) ^ u32::from(v);
        for (i, g) in GEN.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                chk ^= g;
            }
        }
    }
    chk
}

const BASE58: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// Base58Check: base58 (Bitcoin alphabet) of a payload followed by the first four bytes of
/// SHA-256(SHA-256(payload)). Bitcoin WIF private keys and BIP-32 extended private keys
/// (`xprv`, `tprv`) use it.
fn base58check(secret: &[u8]) -> bool {
    // The longest input we accept is a 111-character extended key; bound the work.
    if secret.is_empty() || secret.len() > 120 {
        return false;
    }
    let mut bytes: Vec<u8> = Vec::with_capacity(secret.len());
    for &c in secret {
        let Some(mut carry) = BASE58.iter().position(|&a| a == c).map(|v| v as u32) else {
            return false;
        };
        for b in bytes.iter_mut().rev() {
            carry += u32::from(*b) * 58;
            *b = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            bytes.insert(0, (carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    let zeros = secret.iter().take_while(|&&c| c == b'1').count();
    let mut full = vec![0u8; zeros];
    full.extend_from_slice(&bytes);
    if full.len() < 5 {
        return false;
    }
    let (payload, check) = full.split_at(full.len() - 4);
    let digest = Sha256::digest(Sha256::digest(payload));
    digest[..4] == *check
}

/// Luhn mod-10 over the digits of a payment card number; spaces and dashes between digit
/// groups are ignored.
fn luhn(secret: &[u8]) -> bool {
    let digits: Vec<u32> = secret
        .iter()
        .filter(|b| !matches!(b, b' ' | b'-'))
        .map(|&b| u32::from(b.wrapping_sub(b'0')))
        .collect();
    if digits.len() < 12 || digits.iter().any(|&d| d > 9) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                if d * 2 > 9 {
                    d * 2 - 9
                } else {
                    d * 2
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// A JSON Web Token's first segment must be base64url of a JSON object naming its `alg`
/// (RFC 7515, section 4.1.1). Not a checksum, but the same kind of self-proof: random
/// `eyJ...` strings fail it.
fn jwt_header(secret: &[u8]) -> bool {
    let header = secret.split(|&b| b == b'.').next().unwrap_or_default();
    let trimmed: Vec<u8> = header.iter().copied().filter(|&b| b != b'=').collect();
    let Ok(json) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(trimmed) else {
        return false;
    };
    let json = json.trim_ascii();
    json.first() == Some(&b'{') && json.windows(5).any(|w| w == b"\"alg\"")
}

/// A JSON Web Token whose second segment is base64url of a JSON object without an `exp`
/// member (RFC 7519, section 4.1.4): it never expires.
fn jwt_without_expiry(secret: &[u8]) -> bool {
    let Some(payload) = secret.split(|&b| b == b'.').nth(1) else {
        return false;
    };
    let trimmed: Vec<u8> = payload.iter().copied().filter(|&b| b != b'=').collect();
    let Ok(json) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(trimmed) else {
        return false;
    };
    match serde_json::from_slice::<serde_json::Value>(&json) {
        Ok(serde_json::Value::Object(claims)) => !claims.contains_key("exp"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::verify;

    #[test]
    fn unknown_name_is_none() {
        assert_eq!(verify("no-such-check", b"abc"), None);
    }

    #[test]
    fn github_crc32_accepts_a_valid_token_and_rejects_a_changed_one() {
        let token = super::github_token("ghp", "Zq3vK8mN2pL5rT9wX1yB4cD7fG0hJ6");
        assert_eq!(verify("github-crc32", token.as_bytes()), Some(true));
        let mut bad = token.into_bytes();
        let last = bad.len() - 1;
        bad[last] = if bad[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(verify("github-crc32", &bad), Some(false));
    }

    #[test]
    fn bech32_checks_the_bip173_vectors() {
        // Valid and invalid test vectors from BIP-173.
        assert_eq!(verify("bech32", b"A12UEL5L"), Some(true));
        assert_eq!(
            verify("bech32", b"abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw"),
            Some(true)
        );
        assert_eq!(verify("bech32", b"A12UEL5l"), Some(false));
        assert_eq!(
            verify("bech32", b"abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxx"),
            Some(false)
        );
    }

    #[test]
    fn base58check_checks_the_wif_encoding() {
        // The WIF encoding of private key 1, a public test value from the Bitcoin wiki.
        assert_eq!(
            verify(
                "base58check",
                b"5HpHagT65TZzG1PH3CSu63k8DbpvD8s5ip4nEB3kEsreAnchuDf"
            ),
            Some(true)
        );
        assert_eq!(
            verify(
                "base58check",
                b"5HpHagT65TZzG1PH3CSu63k8DbpvD8s5ip4nEB3kEsreAnchuDg"
            ),
            Some(false)
        );
    }

    #[test]
    fn luhn_checks_card_numbers() {
        assert_eq!(verify("luhn", b"4111 1111 1111 1111"), Some(true));
        assert_eq!(verify("luhn", b"4111-1111-1111-1112"), Some(false));
    }

    #[test]
    fn jwt_no_expiry_needs_claims_without_exp() {
        let h = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";
        // {"sub":"4242"} and {"sub":"4242","exp":1700003600}
        let forever = format!("{h}.eyJzdWIiOiI0MjQyIn0.sig");
        let expires = format!("{h}.eyJzdWIiOiI0MjQyIiwiZXhwIjoxNzAwMDAzNjAwfQ.sig");
        assert_eq!(verify("jwt-no-expiry", forever.as_bytes()), Some(true));
        assert_eq!(verify("jwt-no-expiry", expires.as_bytes()), Some(false));
        assert_eq!(
            verify("jwt-no-expiry", format!("{h}.bm90IGpzb24.sig").as_bytes()),
            Some(false)
        );
        assert_eq!(
            verify(
                "jwt-no-expiry",
                b"eyJmb28iOiJiYXIifQ.eyJzdWIiOiI0MjQyIn0.sig"
            ),
            Some(false)
        );
    }

    #[test]
    fn jwt_header_needs_a_json_header_with_alg() {
        assert_eq!(
            verify("jwt-header", b"eyJhbGciOiJIUzI1NiJ9.e30.sig"),
            Some(true)
        );
        assert_eq!(
            verify("jwt-header", b"eyJmb28iOiJiYXIifQ.e30.sig"),
            Some(false)
        );
    }
}
