//! What a provider said about a secret: the verdict a finding carries. A leaf, so that
//! [`crate::finding`] can hold a verdict without depending on the validation engine.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What a provider said about a secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The secret works.
    Valid,
    /// The provider refused it.
    Invalid,
    /// No verdict (timeout, rate limit, unexpected answer, missing pair): see the reason.
    Unknown,
    /// Not checked: the rule has no check.
    Skipped,
}

impl Status {
    /// The word used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::Invalid => "invalid",
            Status::Unknown => "unknown",
            Status::Skipped => "skipped",
        }
    }
}

/// A finding's verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validation {
    /// Verdict.
    pub status: Status,
    /// Why it is unknown or skipped.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<String>,
    /// The provider asked.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub provider: Option<String>,
    /// Non-secret identity the provider returned (account, user, scopes).
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub identity: BTreeMap<String, String>,
    /// True when the verdict came from the file cache.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub cached: bool,
}

impl Validation {
    /// A verdict.
    pub fn new(status: Status, provider: &str, reason: Option<String>) -> Validation {
        Validation {
            status,
            reason,
            provider: (!provider.is_empty()).then(|| provider.to_string()),
            identity: BTreeMap::new(),
            cached: false,
        }
    }

    /// An unknown verdict with its reason.
    pub fn unknown(provider: &str, reason: &str) -> Validation {
        Validation::new(Status::Unknown, provider, Some(reason.to_string()))
    }

    /// `valid`, `invalid`, `unknown (reason)`, `skipped (reason)`, with the identity.
    pub fn describe(&self) -> String {
        let mut s = self.status.as_str().to_string();
        if let Some(r) = &self.reason {
            s.push_str(&format!(" ({r})"));
        }
        if !self.identity.is_empty() {
            let ids: Vec<String> = self
                .identity
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            s.push_str(&format!(": {}", ids.join(", ")));
        }
        if self.cached {
            s.push_str(" [cached]");
        }
        s
    }
}
