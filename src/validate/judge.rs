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
