//! One integration test binary (links once); a module per area.

mod util;

mod artifacts;
mod cli;
mod detection;
mod hardening;
mod markers;
mod redaction;
mod rules;
