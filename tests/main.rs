//! One integration test binary (links once); a module per area.

mod repo;
mod util;

mod action;
mod artifacts;
mod baseline;
mod cli;
mod detection;
mod formats;
mod git;
mod gitleaks;
mod hardening;
mod integration;
mod markers;
mod packs;
mod redaction;
mod release;
mod rules;
mod sarif;
