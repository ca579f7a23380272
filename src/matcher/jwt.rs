//! The JWT assessor (`assess = "jwt"`): a JSON Web Token's own claims say how much it matters.
//!
//! The payload (second segment) is base64url JSON (RFC 7519). Its `exp` claim decides:
//!
//! - no `exp`: the token never expires; it works until its signing key is rotated: **medium**;
//! - `exp` in the future: still valid: **medium**;
//! - `exp` in the past: expired. It opens nothing now, though it still shows who had access
//!   and the key that signed it may be weak: **low** (hidden by default);
//! - a payload that is not a JSON object: not a JWT at all: dropped.
//!
//! "Now" is the scan's clock, so the same token can move from medium to low between two runs
//! once it expires: that is the point.

use base64::Engine as _;

use super::generic::Verdict;
use crate::rules::Confidence;

/// Judges a token at time `now` (seconds since the Unix epoch).
pub fn assess(token: &[u8], now: u64) -> Verdict {
    let Some(payload) = token.split(|&b| b == b'.').nth(1) else {
        return Verdict::Drop("no payload segment");
    };
    let trimmed: Vec<u8> = payload.iter().copied().filter(|&b| b != b'=').collect();
    let Ok(json) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(trimmed) else {
        return Verdict::Drop("the payload is not base64url");
    };
    let Ok(serde_json::Value::Object(claims)) = serde_json::from_slice::<serde_json::Value>(&json)
    else {
        return Verdict::Drop("the payload is not a JSON object");
    };
    match claims.get("exp").and_then(serde_json::Value::as_f64) {
        None if claims.contains_key("exp") => {
            Verdict::Keep(Confidence::Medium, "an exp claim that is not a number")
        }
        None => Verdict::Keep(Confidence::Medium, "no exp claim: it never expires"),
        Some(exp) if exp >= now as f64 => Verdict::Keep(
            Confidence::Medium,
            "its exp claim is in the future: still valid",
        ),
        Some(_) => Verdict::Keep(Confidence::Low, "its exp claim has passed: expired"),
    }
}

/// Seconds since the Unix epoch, for [`assess`]; 0 if the clock is before 1970.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(claims: &str) -> Vec<u8> {
        let b = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!("{}.{}.c2lnbmF0dXJl", b(r#"{"alg":"HS256"}"#), b(claims)).into_bytes()
    }

    #[test]
    fn expiry_decides_the_confidence() {
        let now = 1_800_000_000;
        let conf = |claims: &str| match assess(&token(claims), now) {
            Verdict::Keep(c, _) => Some(c),
            Verdict::Drop(_) => None,
        };
        assert_eq!(conf(r#"{"sub":"svc"}"#), Some(Confidence::Medium));
        assert_eq!(
            conf(r#"{"sub":"svc","exp":4102444800}"#),
            Some(Confidence::Medium)
        );
        assert_eq!(
            conf(r#"{"sub":"svc","exp":1000000000}"#),
            Some(Confidence::Low)
        );
        assert_eq!(conf(r#"["not","an","object"]"#), None);
    }
}
