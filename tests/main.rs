//! One integration test binary (links once); a module per area.

mod util;

mod artifacts;
mod cli;
mod hardening;
mod markers;
mod redaction;
mod rules;
