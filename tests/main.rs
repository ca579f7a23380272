//! One integration test binary (links once); a module per area.
#![allow(unreachable_pub)] // test helpers: `pub` is for the other test modules
#![allow(clippy::print_stdout, clippy::print_stderr)] // tables and skip notes for the reader

mod repo;
mod util;

mod action;
mod artifacts;
mod baseline;
mod cli;
mod cli_cases;
mod detection;
mod docs;
mod formats;
mod git;
mod gitleaks;
mod gitleaks_cli;
mod hardening;
mod integration;
mod markers;
mod packs;
mod paths;
mod redaction;
mod release;
mod remote;
mod reports;
mod review;
mod rules;
mod sarif;
mod shard;
mod validate;
