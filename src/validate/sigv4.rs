//! AWS Signature Version 4 for one request (sts:GetCallerIdentity): the canonical request, the
//! string to sign, the derived signing key and the `Authorization` header, as AWS documents
//! them. Only what a POST with a form body to a path without a query needs.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// The signing key of `secret` for a day (`YYYYMMDD`), region and service.
pub fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> Vec<u8> {
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    hmac(&k_service, b"aws4_request")
}

/// What to sign.
pub struct Signed<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// Host the request is meant for (the provider's, even when the test override redirects).
    pub host: &'a str,
    /// Path (`/`).
    pub path: &'a str,
    /// `application/x-www-form-urlencoded; charset=utf-8` body.
    pub body: &'a [u8],
    /// Access key id.
    pub key_id: &'a str,
    /// Secret access key.
    pub secret: &'a str,
    /// Region.
    pub region: &'a str,
    /// Service.
    pub service: &'a str,
    /// `YYYYMMDDTHHMMSSZ`.
    pub amz_date: &'a str,
}

/// The headers of the signed request: content type, host, date and authorization.
pub fn sign(s: &Signed<'_>) -> Vec<(String, String)> {
    let content_type = "application/x-www-form-urlencoded; charset=utf-8";
    let date = &s.amz_date[..8];
    let signed_headers = "content-type;host;x-amz-date";
    let canonical = format!(
        "{}\n{}\n\ncontent-type:{content_type}\nhost:{}\nx-amz-date:{}\n\n{signed_headers}\n{}",
        s.method,
        s.path,
        s.host,
        s.amz_date,
        hex::encode(Sha256::digest(s.body))
    );
    let scope = format!("{date}/{}/{}/aws4_request", s.region, s.service);
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{}\n{scope}\n{}",
        s.amz_date,
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let key = signing_key(s.secret, date, s.region, s.service);
    let signature = hex::encode(hmac(&key, to_sign.as_bytes()));
    vec![
        ("Content-Type".into(), content_type.into()),
        ("Host".into(), s.host.into()),
        ("X-Amz-Date".into(), s.amz_date.into()),
        (
            "Authorization".into(),
            format!(
                "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
                s.key_id
            ),
        ),
    ]
}

/// `YYYYMMDDTHHMMSSZ` of a Unix time.
pub fn amz_date(unix: u64) -> String {
    let (days, rem) = (unix / 86_400, unix % 86_400);
    let (y, m, d) = crate::civil::civil_from_days(days as i64);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_key_matches_the_documented_derivation() {
        // The key-derivation example of AWS's SigV4 documentation.
        let k = signing_key(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "20120215",
            "us-east-1",
            "iam",
        );
        assert_eq!(
            hex::encode(k),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
    }

    #[test]
    fn dates_are_utc() {
        assert_eq!(amz_date(0), "19700101T000000Z");
        assert_eq!(amz_date(1_709_210_096), "20240229T123456Z");
    }

    #[test]
    fn authorization_names_scope_and_headers() {
        let h = sign(&Signed {
            method: "POST",
            host: "sts.amazonaws.com",
            path: "/",
            body: b"Action=GetCallerIdentity&Version=2011-06-15",
            key_id: "AKIDEXAMPLE",
            secret: "secret",
            region: "us-east-1",
            service: "sts",
            amz_date: "20240229T123456Z",
        });
        let auth = &h.iter().find(|(k, _)| k == "Authorization").unwrap().1;
        assert!(auth.starts_with(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240229/us-east-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature="
        ));
        assert_eq!(auth.rsplit('=').next().unwrap().len(), 64);
    }
}
