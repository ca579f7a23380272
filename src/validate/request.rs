//! Turns a rule's check and a secret into one request, and enforces where it may go: the
//! rendered URL's host must be one the rule lists (or a self-hosted base the user
//! configured), never one taken from the scanned text; header values cannot carry line
//! breaks. The test override maps every URL to a loopback server.

use std::collections::HashMap;

use crate::rules::validate::url_host;
use crate::rules::Check;

/// Why a request could not be built from a check and a secret; the validation reports it as
/// the reason of an "unknown" verdict.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BuildError(pub String);

impl From<&str> for BuildError {
    fn from(s: &str) -> BuildError {
        BuildError(s.to_string())
    }
}

impl From<String> for BuildError {
    fn from(s: String) -> BuildError {
        BuildError(s)
    }
}

/// One request ready to send. Its `Debug` hides everything but the method, since the URL,
/// headers and body may hold the secret.
#[derive(Clone)]
pub struct Request {
    /// HTTP method.
    pub method: String,
    /// Full URL.
    pub url: String,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Option<Vec<u8>>,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Request({} <redacted>)", self.method)
    }
}

/// Template variables of one secret: `secret`, `pair` and the named groups of `secret-parts`.
pub struct Vars(HashMap<String, String>);

impl Vars {
    /// The variables of `secret` (and its pair) for `check`; `Err` when the secret does not
    /// have the shape the check needs.
    pub fn new(check: &Check, secret: &str, pair: Option<&str>) -> Result<Vars, BuildError> {
        let mut m = HashMap::new();
        m.insert("secret".to_string(), secret.to_string());
        if let Some(p) = pair {
            m.insert("pair".to_string(), p.to_string());
        }
        if let Some(parts) = &check.secret_parts {
            let re = parts.regex().map_err(|e| format!("secret-parts: {e}"))?;
            let caps = re
                .captures(secret)
                .ok_or("the secret does not have the shape this check needs")?;
            for name in re.capture_names().flatten() {
                if let Some(v) = caps.name(name) {
                    m.insert(name.to_string(), v.as_str().to_string());
                }
            }
        }
        Ok(Vars(m))
    }

    /// A variable's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// Fills `{name}` variables; an unknown one becomes empty (load-time checks rule that out).
    pub fn fill(&self, template: &str) -> String {
        use crate::rules::validate::{template_parts, TemplatePart};
        let mut out = String::with_capacity(template.len() + 64);
        for part in template_parts(template) {
            match part {
                TemplatePart::Text(t) => out.push_str(t),
                TemplatePart::Var(v) => out.push_str(self.get(v).unwrap_or("")),
            }
        }
        out
    }
}

/// True when `host` matches the glob `pattern` (`api.github.com`, or `*.api.mailchimp.com`
/// for exactly one more label or more).
pub fn host_matches(pattern: &str, host: &str) -> bool {
    match pattern.strip_prefix("*.") {
        Some(suffix) => host
            .strip_suffix(suffix)
            .and_then(|h| h.strip_suffix('.'))
            .is_some_and(|label| !label.is_empty() && !label.contains(['/', '@', ':'])),
        None => pattern == host,
    }
}

/// Splits an absolute URL into (`scheme://authority`, rest starting with `/` or empty).
fn split_origin(url: &str) -> (&str, &str) {
    let start = url.find("://").map_or(0, |i| i + 3);
    match url[start..].find(['/', '?', '#']) {
        Some(i) => url.split_at(start + i),
        None => (url, ""),
    }
}

/// The URLs to try for `check`: the rendered URL on its own host (checked against the
/// rule's hosts), or on each self-hosted base.
pub fn urls(check: &Check, vars: &Vars) -> Result<Vec<String>, BuildError> {
    let url = vars.fill(&check.url);
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the secret holds characters a URL cannot carry".into());
    }
    let (origin, rest) = split_origin(&url);
    if !check.bases.is_empty() {
        return Ok(check.bases.iter().map(|b| format!("{b}{rest}")).collect());
    }
    let host = url_host(origin).ok_or("the check's URL has no host")?;
    if !url.starts_with("https://") || !check.hosts.iter().any(|p| host_matches(p, &host)) {
        return Err(BuildError(format!(
            "refused: the URL's host is not one the {} check may contact",
            check.provider
        )));
    }
    Ok(vec![url])
}

/// The headers and body of a request for `check` (for the `http` protocol).
pub fn render(check: &Check, vars: &Vars, url: String) -> Result<Request, BuildError> {
    let mut headers = Vec::new();
    for (k, v) in &check.headers {
        headers.push((k.clone(), vars.fill(v)));
    }
    if let Some((u, p)) = &check.basic_auth {
        use base64::Engine as _;
        let token = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            vars.fill(u),
            vars.fill(p)
        ));
        headers.push(("Authorization".into(), format!("Basic {token}")));
    }
    if headers
        .iter()
        .any(|(_, v)| v.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0))
    {
        return Err("the secret holds characters a header cannot carry".into());
    }
    Ok(Request {
        method: check.method.clone(),
        url,
        headers,
        body: check.body.as_ref().map(|b| vars.fill(b).into_bytes()),
    })
}

/// With the test override (`http://127.0.0.1:PORT`), `https://host/path` becomes
/// `http://127.0.0.1:PORT/host/path`, so one local server can stand for every provider.
pub fn apply_override(url: &str, base: Option<&str>) -> String {
    match base {
        None => url.to_string(),
        Some(b) => {
            let stripped = url
                .strip_prefix("https://")
                .or_else(|| url.strip_prefix("http://"))
                .unwrap_or(url);
            format!("{}/{stripped}", b.trim_end_matches('/'))
        }
    }
}

/// True when `base` is an `http://` URL on a loopback address (127.0.0.0/8, `localhost`,
/// `[::1]`): the only place the test override may point.
pub fn is_loopback_base(base: &str) -> bool {
    let Some(rest) = base.strip_prefix("http://") else {
        return false;
    };
    if rest.trim_end_matches('/').contains(['/', '?', '#', '@']) {
        return false;
    }
    match url_host(base) {
        Some(h) if h == "localhost" => true,
        Some(h) => h
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_globs_match_one_or_more_labels_only() {
        assert!(host_matches("api.github.com", "api.github.com"));
        assert!(!host_matches(
            "api.github.com",
            "api.github.com.evil.example"
        ));
        assert!(host_matches("*.api.mailchimp.com", "us6.api.mailchimp.com"));
        assert!(!host_matches("*.api.mailchimp.com", "api.mailchimp.com"));
        assert!(!host_matches(
            "*.api.mailchimp.com",
            "evilapi.mailchimp.com"
        ));
    }

    #[test]
    fn only_loopback_overrides_are_accepted() {
        assert!(is_loopback_base("http://127.0.0.1:8080"));
        assert!(is_loopback_base("http://127.3.2.1:1/"));
        assert!(is_loopback_base("http://localhost:9"));
        assert!(is_loopback_base("http://[::1]:9"));
        assert!(!is_loopback_base("http://10.0.0.1:80"));
        assert!(!is_loopback_base("https://127.0.0.1:80"));
        assert!(!is_loopback_base("http://127.0.0.1.evil.example:80"));
        assert!(!is_loopback_base("http://user@127.0.0.1:80"));
        assert!(!is_loopback_base("http://127.0.0.1:80/path"));
    }

    #[test]
    fn override_keeps_the_host_in_the_path() {
        assert_eq!(
            apply_override("https://api.github.com/user", Some("http://127.0.0.1:9/")),
            "http://127.0.0.1:9/api.github.com/user"
        );
    }
}
