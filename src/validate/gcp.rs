//! Google service-account keys: a JWT assertion signed with the key (RS256, via ring) that the
//! token endpoint exchanges for an access token only while the key is live. The access token
//! it returns is a secret and is never kept or reported.

use base64::Engine as _;

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The PKCS#8 DER of a PEM private key as it appears in a key file (`\n` may be the two
/// characters of a JSON escape).
pub fn pem_to_der(pem: &str) -> Option<Vec<u8>> {
    let text = pem.replace("\\n", "\n");
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .flat_map(|l| l.trim().chars())
        .collect();
    base64::engine::general_purpose::STANDARD.decode(body).ok()
}

/// The signed assertion asking `token_url` for a token of `scope` as `email`.
pub fn assertion(
    email: &str,
    key_pem: &str,
    token_url: &str,
    scope: &str,
    now: u64,
) -> Result<String, &'static str> {
    let der = pem_to_der(key_pem).ok_or("the private key is not valid base64")?;
    let key = ring::signature::RsaKeyPair::from_pkcs8(&der)
        .map_err(|_| "the private key is not an RSA PKCS#8 key")?;
    let header = b64url(br#"{"alg":"RS256","typ":"JWT"}"#);
    let claims = serde_json::json!({
        "iss": email,
        "scope": scope,
        "aud": token_url,
        "iat": now,
        "exp": now + 600,
    });
    let payload = b64url(claims.to_string().as_bytes());
    let input = format!("{header}.{payload}");
    let mut sig = vec![0; key.public().modulus_len()];
    key.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        input.as_bytes(),
        &mut sig,
    )
    .map_err(|_| "signing failed")?;
    Ok(format!("{input}.{}", b64url(&sig)))
}

/// The form body of the token request.
pub fn token_form(assertion: &str) -> String {
    format!(
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion={assertion}"
    )
}
