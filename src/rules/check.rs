//! Live checks of rules (`[rules.validate]`): the runtime [`Check`] that `crate::validate`
//! runs, and its construction from the file model with every problem located as
//! `file:line:column` (called by [`super::validate::build_rule`]). Kept apart from the rest of
//! the rule model so that a check is one self-contained piece of data.

use super::model::ValidateDef;
use super::problems::{valid_id, Problems};

/// How a check talks to its provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// One templated HTTP request.
    Http,
    /// AWS Signature Version 4: the secret is the access key id, `{pair}` the secret key.
    AwsSigv4,
    /// A JWT signed with a service account's private key, exchanged for a token at `url`.
    GcpServiceAccount,
}

/// Where an identity field is read from in a provider's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdentitySource {
    /// A JSON pointer into the body (`/user/login`).
    Json(String),
    /// A response header (`header:x-oauth-scopes`).
    Header(String),
    /// The text of the first XML element of this name (`xml:Arn`).
    Xml(String),
}

/// The other half of a paired secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pair {
    /// The rule whose finding is the other half.
    pub rule: String,
    /// At most this many lines apart, in the same file of the same commit.
    pub within_lines: usize,
}

/// A check's `secret-parts` regex. It is parsed when the rule loads (syntax errors and group
/// names are known then) and compiled on first use: compiling it (Unicode classes) took a
/// twentieth of a one-file scan's time, which never validates anything.
#[derive(Clone, Debug)]
pub struct SecretParts {
    src: String,
    names: Vec<String>,
    compiled: std::sync::OnceLock<Result<regex::Regex, String>>,
}

impl SecretParts {
    /// Parses `src` (as `regex::Regex` would) and keeps its group names; compiles nothing.
    pub fn new(src: &str) -> Result<SecretParts, String> {
        let hir = regex_syntax::Parser::new()
            .parse(src)
            .map_err(|e| e.to_string())?;
        let mut names = Vec::new();
        capture_names(&hir, &mut names);
        Ok(SecretParts {
            src: src.to_string(),
            names,
            compiled: std::sync::OnceLock::new(),
        })
    }

    /// The compiled regex, or why it does not compile (past the size limit).
    pub fn regex(&self) -> Result<&regex::Regex, &str> {
        self.compiled
            .get_or_init(|| regex::Regex::new(&self.src).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(String::as_str)
    }

    /// The names of its groups, in order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The pattern.
    pub fn as_str(&self) -> &str {
        &self.src
    }
}

/// The names of the capture groups of `hir`, in the order they open.
fn capture_names(hir: &regex_syntax::hir::Hir, out: &mut Vec<String>) {
    use regex_syntax::hir::HirKind;
    match hir.kind() {
        HirKind::Capture(c) => {
            if let Some(n) = &c.name {
                out.push(n.to_string());
            }
            capture_names(&c.sub, out);
        }
        HirKind::Repetition(r) => capture_names(&r.sub, out),
        HirKind::Concat(v) | HirKind::Alternation(v) => {
            for h in v {
                capture_names(h, out);
            }
        }
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => {}
    }
}

/// A rule's live check (`[rules.validate]`), validated at load time; see `crate::validate`.
#[derive(Clone, Debug)]
pub struct Check {
    /// Provider name: unit of rate limits, self-hosted hosts and the cache.
    pub provider: String,
    /// How to talk to it.
    pub protocol: Protocol,
    /// HTTP method.
    pub method: String,
    /// `https://` URL template.
    pub url: String,
    /// Lower-case host globs the rendered URL may name.
    pub hosts: Vec<String>,
    /// Base URLs (`https://host[:port]`) replacing the URL's own scheme and host: the
    /// self-hosted instances listed in the configuration's `[validate.self-hosted]`.
    pub bases: Vec<String>,
    /// Header templates.
    pub headers: Vec<(String, String)>,
    /// Body template.
    pub body: Option<String>,
    /// Basic authentication templates (user, password).
    pub basic_auth: Option<(String, String)>,
    /// A regex the secret must match; its named groups are template variables.
    pub secret_parts: Option<SecretParts>,
    /// The other half of a pair.
    pub pair: Option<Pair>,
    /// AWS region of a SigV4 request.
    pub aws_region: String,
    /// AWS service of a SigV4 request.
    pub aws_service: String,
    /// OAuth scope of a service-account token request.
    pub scope: String,
    /// Statuses that may mean valid.
    pub valid_status: Vec<u16>,
    /// Statuses that mean invalid.
    pub invalid_status: Vec<u16>,
    /// JSON pointer -> value; all must hold for valid.
    pub valid_json: Vec<(String, serde_json::Value)>,
    /// JSON pointer -> value; any that holds means invalid.
    pub invalid_json: Vec<(String, serde_json::Value)>,
    /// Substring the body must hold for valid.
    pub valid_body: Option<String>,
    /// Substrings of the body that mean invalid.
    pub invalid_body: Vec<String>,
    /// Identity fields to report.
    pub identity: Vec<(String, IdentitySource)>,
    /// Requests per second to this provider.
    pub rate: f64,
}

/// The host of an `https://` or `http://` URL (lower case, without port), if it has one.
pub fn url_host(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') || authority.is_empty() {
        return None;
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.split(':').next().unwrap_or(""),
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// The `{name}` variables of a template (a name is ASCII letters, digits and `_`; any other
/// brace is literal text, as in a JSON body).
pub fn template_vars(template: &str) -> Vec<String> {
    template_parts(template)
        .into_iter()
        .filter_map(|p| match p {
            TemplatePart::Var(v) => Some(v.to_string()),
            TemplatePart::Text(_) => None,
        })
        .collect()
}

/// A piece of a template.
pub enum TemplatePart<'a> {
    /// Literal text.
    Text(&'a str),
    /// A `{name}` variable.
    Var(&'a str),
}

/// Splits a template into literal text and `{name}` variables.
pub fn template_parts(template: &str) -> Vec<TemplatePart<'_>> {
    let mut out = Vec::new();
    let rest = template;
    let mut text_start = 0;
    let mut pos = 0;
    while let Some(open) = rest[pos..].find('{').map(|i| pos + i) {
        let after = &rest[open + 1..];
        let name_len = after
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if name_len > 0 && after.as_bytes().get(name_len) == Some(&b'}') {
            if open > text_start {
                out.push(TemplatePart::Text(&rest[text_start..open]));
            }
            out.push(TemplatePart::Var(&after[..name_len]));
            text_start = open + name_len + 2;
            pos = text_start;
        } else {
            pos = open + 1;
        }
    }
    if text_start < rest.len() {
        out.push(TemplatePart::Text(&rest[text_start..]));
    }
    out
}

fn toml_to_json(v: &toml::Value) -> serde_json::Value {
    match v {
        toml::Value::String(s) => serde_json::Value::String(s.clone()),
        toml::Value::Integer(i) => serde_json::Value::from(*i),
        toml::Value::Float(f) => serde_json::Value::from(*f),
        toml::Value::Boolean(b) => serde_json::Value::Bool(*b),
        toml::Value::Datetime(d) => serde_json::Value::String(d.to_string()),
        toml::Value::Array(a) => serde_json::Value::Array(a.iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => serde_json::Value::Object(
            t.iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect(),
        ),
    }
}

/// Builds a rule's live check, recording problems: protocol, method, URL and host, template
/// variables, conditions and identity sources.
pub fn build_check(
    def: ValidateDef,
    file: &str,
    text: &str,
    what: &str,
    problems: &mut Problems,
) -> Option<Check> {
    let before = problems.len();
    let at0 = def.url.span().start;
    let mut at =
        |offset: usize, msg: String| problems.at(file, text, offset, format!("{what}: {msg}"));
    let provider = def.provider.get_ref().clone();
    if !valid_id(&provider) {
        at(
            def.provider.span().start,
            "provider names use lower-case letters, digits, '-', '_' and '.'".into(),
        );
    }
    let protocol = match def.protocol.as_ref().map(|p| p.get_ref().as_str()) {
        None | Some("http") => Protocol::Http,
        Some("aws-sigv4") => Protocol::AwsSigv4,
        Some("gcp-service-account") => Protocol::GcpServiceAccount,
        Some(other) => {
            let o = def.protocol.as_ref().map_or(at0, |p| p.span().start);
            at(
                o,
                format!("unknown protocol '{other}' (known: http, aws-sigv4, gcp-service-account)"),
            );
            Protocol::Http
        }
    };
    let method = def
        .method
        .as_ref()
        .map_or_else(|| "GET".to_string(), |m| m.get_ref().to_ascii_uppercase());
    if !matches!(method.as_str(), "GET" | "POST" | "HEAD") {
        let o = def.method.as_ref().map_or(at0, |m| m.span().start);
        at(o, format!("method '{method}' is not GET, POST or HEAD"));
    }
    let url = def.url.get_ref().clone();
    if !url.starts_with("https://") {
        at(at0, "the url must start with https://".into());
    }
    let mut hosts: Vec<String> = def
        .hosts
        .iter()
        .map(|h| h.get_ref().to_ascii_lowercase())
        .collect();
    for h in &def.hosts {
        if h.get_ref().is_empty() || h.get_ref().contains(['/', '{', '}', ':']) {
            at(
                h.span().start,
                format!("'{}' is not a host name or glob", h.get_ref()),
            );
        }
    }
    if hosts.is_empty() {
        match url_host(&url) {
            Some(h) if !h.contains(['{', '}']) => hosts.push(h),
            _ => at(
                at0,
                "the url's host is not literal: list the hosts it may name in `hosts`".into(),
            ),
        }
    }
    let secret_parts =
        def.secret_parts
            .as_ref()
            .and_then(|s| match SecretParts::new(s.get_ref()) {
                Ok(p) => Some(p),
                Err(e) => {
                    at(s.span().start, format!("secret-parts: bad regex: {e}"));
                    None
                }
            });
    let mut known: Vec<String> = vec!["secret".into()];
    if def.pair.is_some() {
        known.push("pair".into());
    }
    if let Some(p) = &secret_parts {
        known.extend(p.names().iter().cloned());
    }
    let mut templates: Vec<&str> = vec![&url];
    templates.extend(def.headers.values().map(String::as_str));
    templates.extend(def.body.as_deref());
    if let Some(b) = &def.basic_auth {
        if b.len() != 2 {
            at(at0, "basic-auth is [user, password]".into());
        }
        templates.extend(b.iter().map(String::as_str));
    }
    for t in templates {
        let vars = template_vars(t);
        for v in vars.iter().filter(|v| !known.contains(v)) {
            at(
                at0,
                format!(
                    "unknown template variable '{{{v}}}' (known: {})",
                    known.join(", ")
                ),
            );
        }
    }
    match protocol {
        Protocol::AwsSigv4
            if def.pair.is_none() || def.aws_region.is_none() || def.aws_service.is_none() =>
        {
            at(
                at0,
                "aws-sigv4 needs pair, aws-region and aws-service".into(),
            );
        }
        Protocol::GcpServiceAccount
            if !["email", "key"]
                .iter()
                .all(|g| known.iter().any(|k| k == g)) =>
        {
            at(
                at0,
                "gcp-service-account needs secret-parts with groups 'email' and 'key'".into(),
            );
        }
        _ => {}
    }
    if def.valid_status.is_empty() {
        at(at0, "valid-status lists no status".into());
    }
    for s in def.valid_status.iter().chain(&def.invalid_status) {
        if !(100..=599).contains(s) {
            at(at0, format!("{s} is not an HTTP status"));
        }
    }
    let rate = def.rate.unwrap_or(10.0);
    if !(rate > 0.0 && rate <= 1000.0) {
        at(
            at0,
            format!("rate {rate} is outside (0, 1000] requests per second"),
        );
    }
    let mut identity = Vec::new();
    for (name, src) in &def.identity {
        let s = src.get_ref();
        let parsed = if let Some(h) = s.strip_prefix("header:") {
            Some(IdentitySource::Header(h.to_ascii_lowercase()))
        } else if let Some(x) = s.strip_prefix("xml:") {
            Some(IdentitySource::Xml(x.to_string()))
        } else if s.starts_with('/') {
            Some(IdentitySource::Json(s.clone()))
        } else {
            None
        };
        match parsed {
            Some(p) => identity.push((name.clone(), p)),
            None => at(
                src.span().start,
                format!("identity '{name}': '{s}' is not a /json/pointer, header:Name or xml:Tag"),
            ),
        }
    }
    let json =
        |m: &std::collections::BTreeMap<String, toml::Value>| -> Vec<(String, serde_json::Value)> {
            m.iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect()
        };
    let (valid_json, invalid_json) = (json(&def.valid_json), json(&def.invalid_json));
    for (k, _) in valid_json.iter().chain(&invalid_json) {
        if !k.is_empty() && !k.starts_with('/') {
            at(
                at0,
                format!("'{k}' is not a JSON pointer (they start with '/')"),
            );
        }
    }
    if problems.len() > before {
        return None;
    }
    Some(Check {
        provider,
        protocol,
        method,
        url,
        hosts,
        bases: Vec::new(),
        headers: def.headers.into_iter().collect(),
        body: def.body,
        basic_auth: def.basic_auth.and_then(|b| match b.as_slice() {
            [u, p] => Some((u.clone(), p.clone())),
            _ => None,
        }),
        secret_parts,
        pair: def.pair.map(|p| Pair {
            rule: p.rule.into_inner(),
            within_lines: p.within_lines.unwrap_or(10),
        }),
        aws_region: def.aws_region.unwrap_or_default(),
        aws_service: def.aws_service.unwrap_or_default(),
        scope: def
            .scope
            .unwrap_or_else(|| "https://www.googleapis.com/auth/cloud-platform.read-only".into()),
        valid_status: def.valid_status,
        invalid_status: def.invalid_status,
        valid_json,
        invalid_json,
        valid_body: def.valid_body,
        invalid_body: def.invalid_body,
        identity,
        rate,
    })
}

#[cfg(test)]
mod secret_parts_tests {
    use crate::rules::check::SecretParts;

    /// Group names are known without compiling, in the order the groups open, nested ones
    /// included; the regex compiles on first use and matches as `regex::Regex` does.
    #[test]
    fn names_without_compiling_then_the_regex() {
        let p =
            SecretParts::new(r"(?P<dc>us[0-9]{1,2})-(?:(?P<region>[a-z]+(?P<n>\d))|x)$").unwrap();
        assert_eq!(p.names(), ["dc", "region", "n"]);
        let caps = p.regex().unwrap().captures("us12-west3").unwrap();
        assert_eq!(&caps["dc"], "us12");
        assert_eq!(&caps["n"], "3");
    }

    /// A syntax error says what `regex::Regex::new` says.
    #[test]
    fn a_bad_regex_is_refused_with_the_regex_crates_message() {
        let bad = String::from("(?P<a>x");
        let e = SecretParts::new(&bad).unwrap_err();
        let want = regex::Regex::new(&bad).unwrap_err().to_string();
        assert_eq!(e, want);
    }
}
