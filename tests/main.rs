//! One integration test binary (links once); a module per area.

mod util;

mod action;
mod baseline;
mod cli;
mod detection;
mod formats;
mod git;
mod gitleaks;
mod hardening;
mod integration;
mod redaction;
mod rules;
mod sarif;
