//! leakscan finds secrets and internal markers before they leave a company through its
//! repositories and build artifacts.
//!
//! Data flows one way:
//!
//! ```text
//! source (fs, stdin, git, archive) --Blob--> scan::Scanner --Candidate--> matcher::Matcher
//!        ^ derived blobs (archive members,        |
//!        | decoded spans, source maps)            v
//!        +-------------------------------- finding::Finding --> report (text, json, sarif, ...)
//! ```
//!
//! `rules` turns TOML into a validated [`rules::RuleSet`]; `matcher` turns bytes into candidate
//! matches and never opens a file; `source` yields named byte buffers and [`error::Skip`]
//! records for what it could not read; `report` writes findings and never scans. Only `cmd`
//! knows everyone.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod baseline;
pub mod cli;
pub mod cmd;
pub mod error;
pub mod finding;
pub mod fingerprint;
pub mod gitleaksignore;
pub mod hook;
pub mod matcher;
pub mod progress;
pub mod redact;
pub mod report;
pub mod rules;
pub mod scan;
pub mod settings;
pub mod source;
#[cfg(test)]
mod test_rng;
pub mod validate;

pub use cmd::run;
pub use error::{Error, ExitStatus};
