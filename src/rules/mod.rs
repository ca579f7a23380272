//! Compiled, validated rules: the only rule type the rest of the code sees.
//!
//! [`RuleSet`] is built once by [`load()`] from the built-in pack and the user's configuration;
//! regexes are compiled on first use and shared by all threads, so a scan of one small file (a
//! hook) does not pay for hundreds of regexes it never needs.

pub mod builtin;
pub mod check;
mod error;
pub mod gitleaks;
pub mod internal;
pub mod load;
pub mod model;
mod packed;
mod problems;
pub mod select;
pub mod selftest;
mod set;
pub mod span;
mod text;
pub mod validate;
pub mod write;

pub use check::{Check, IdentitySource, Pair, Protocol};
pub use error::ConfigError;
pub use load::{load, load_for_scan, ConfigSource, LoadedConfig};
pub use model::{Confidence, Kind, Severity};
pub use set::{
    commit_listed, compile_regex_with, Allowlist, Assess, CaptureLocations, Condition, GlobalAllow,
    LazyRegex, PathSet, Regex, Required, Rule, RuleSet, SecretGroup, StopWords, REGEX_SIZE_LIMIT,
};
