//! One integration test binary (links once); a module per area.

mod util;

mod cli;
mod gitleaks;
mod redaction;
mod rules;
