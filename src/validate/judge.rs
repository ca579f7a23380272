//! Reads a provider's answer against the check's conditions: valid, invalid or unknown, and
//! the identity fields to report.

use std::collections::BTreeMap;

use super::http::Response;
use super::{Status, Validation};
use crate::rules::{Check, IdentitySource};

/// Identity values longer than this are cut.
const IDENTITY_MAX: usize = 200;

/// The verdict on one answer. `secret` and `pair` are never reported as identity.
pub fn judge(check: &Check, resp: &Response, secrets: &[&str]) -> Validation {
    let body = String::from_utf8_lossy(&resp.body);
    let needs_json = !check.valid_json.is_empty()
        || !check.invalid_json.is_empty()
        || check
            .identity
            .iter()
            .any(|(_, s)| matches!(s, IdentitySource::Json(_)));
    let json: Option<serde_json::Value> = serde_json::from_str(&body).ok();
    let holds = |(ptr, want): &(String, serde_json::Value)| {
        json.as_ref()
            .and_then(|j| j.pointer(ptr))
            .is_some_and(|got| got == want)
    };
    let invalid = check.invalid_status.contains(&resp.status)
        || check.invalid_json.iter().any(holds)
        || check.invalid_body.iter().any(|s| body.contains(s.as_str()));
    if check.valid_status.contains(&resp.status) && !invalid {
        if needs_json && json.is_none() && !check.valid_json.is_empty() {
            return Validation::unknown(&check.provider, "malformed answer (not JSON)");
        }
        let json_ok = check.valid_json.iter().all(holds);
        let body_ok = check
            .valid_body
            .as_ref()
            .is_none_or(|s| body.contains(s.as_str()));
        if json_ok && body_ok {
            let mut v = Validation::new(Status::Valid, &check.provider, None);
            v.identity = identity(check, resp, json.as_ref(), &body, secrets);
            return v;
        }
    }
    if invalid {
        return Validation::new(Status::Invalid, &check.provider, None);
    }
    Validation::unknown(
        &check.provider,
        &format!("unexpected answer (status {})", resp.status),
    )
}

fn identity(
    check: &Check,
    resp: &Response,
    json: Option<&serde_json::Value>,
    body: &str,
    secrets: &[&str],
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (name, src) in &check.identity {
        let value = match src {
            IdentitySource::Json(ptr) => json.and_then(|j| j.pointer(ptr)).and_then(|v| match v {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Null => None,
                other => Some(other.to_string()),
            }),
            IdentitySource::Header(h) => resp.header(h).map(str::to_string),
            IdentitySource::Xml(tag) => xml_text(body, tag),
        };
        let Some(v) = value else { continue };
        let v: String = v
            .chars()
            .filter(|c| !c.is_control())
            .take(IDENTITY_MAX)
            .collect();
        if v.is_empty() || secrets.iter().any(|s| !s.is_empty() && v.contains(s)) {
            continue;
        }
        out.insert(name.clone(), v);
    }
    out
}

/// The text of the first `<tag>...</tag>`.
fn xml_text(body: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = body.find(&open)? + open.len();
    let end = body[start..].find(&format!("</{tag}>"))? + start;
    Some(body[start..end].trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{Check, Protocol};

    fn slack_like() -> Check {
        Check {
            provider: "slack".into(),
            protocol: Protocol::Http,
            method: "POST".into(),
            url: "https://slack.com/api/auth.test".into(),
            hosts: vec!["slack.com".into()],
            bases: Vec::new(),
            headers: Vec::new(),
            body: None,
            basic_auth: None,
            secret_parts: None,
            pair: None,
            aws_region: String::new(),
            aws_service: String::new(),
            scope: String::new(),
            valid_status: vec![200],
            invalid_status: vec![401],
            valid_json: vec![("/ok".into(), serde_json::json!(true))],
            invalid_json: vec![("/ok".into(), serde_json::json!(false))],
            valid_body: None,
            invalid_body: Vec::new(),
            identity: vec![
                ("team".into(), IdentitySource::Json("/team".into())),
                ("echo".into(), IdentitySource::Json("/echo".into())),
            ],
            rate: 10.0,
        }
    }

    fn resp(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn json_conditions_decide_and_identity_never_echoes_the_secret() {
        let c = slack_like();
        let v = judge(
            &c,
            &resp(200, r#"{"ok":true,"team":"Acme","echo":"xoxb-1-secret"}"#),
            &["xoxb-1-secret"],
        );
        assert_eq!(v.status, Status::Valid);
        assert_eq!(v.identity.get("team").map(String::as_str), Some("Acme"));
        assert!(!v.identity.contains_key("echo"));
        let v = judge(
            &c,
            &resp(200, r#"{"ok":false,"error":"invalid_auth"}"#),
            &[],
        );
        assert_eq!(v.status, Status::Invalid);
        let v = judge(&c, &resp(401, ""), &[]);
        assert_eq!(v.status, Status::Invalid);
        let v = judge(&c, &resp(200, "<html>"), &[]);
        assert_eq!(v.reason.as_deref(), Some("malformed answer (not JSON)"));
        let v = judge(&c, &resp(418, "{}"), &[]);
        assert_eq!(v.reason.as_deref(), Some("unexpected answer (status 418)"));
    }
}
