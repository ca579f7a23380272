//! One integration test binary (links once); a module per area.

mod util;

mod cli;
mod detection;
mod gitleaks;
mod hardening;
mod redaction;
mod rules;
