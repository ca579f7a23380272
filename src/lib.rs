//! leakscan finds secrets and internal markers before they leave a company through its
//! repositories and build artifacts.
//!
//! Data flows one way (see `docs/architecture.md`):
//!
//! ```text
//! cli -> cmd -> drive (sources in parallel) -> scan::Scanner -> matcher::Matcher -> Candidate
//!                  source (fs, stdin, package,        |  derived buffers (archive members,
//!                  git history, staged, archives)     |  decoded spans, source maps) scanned
//!                                                     v  again with a deeper origin
//!                                      finding::Finding -> report (text, json, sarif, ...)
//! ```
//!
//! `rules` turns TOML into a validated [`rules::RuleSet`]; `matcher` turns bytes into candidate
//! matches and never opens a file; `source` yields bytes and [`error::Skip`] records for what it
//! could not read; `drive` runs the scanner over the sources; `report` writes findings and never
//! scans. `cmd` parses, wires and reports.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod baseline;
mod civil;
pub mod cli;
pub mod cmd;
pub mod delta;
pub mod drive;
pub mod error;
pub mod finding;
pub mod fingerprint;
pub mod formats;
pub mod gitleaksignore;
pub mod group;
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
