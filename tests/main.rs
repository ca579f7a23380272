//! One integration test binary (links once); a module per area.

mod util;

mod artifacts;
mod cli;
mod markers;
mod redaction;
mod rules;
