//! One module per subcommand, wiring sources, the scanner and reporters. This is the only place
//! that knows every other module.

pub mod baseline;
pub mod hook;
pub mod internal;
pub mod rules;
pub mod scan;

use crate::cli::{Cli, Command};
use crate::error::Error;

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> Result<u8, Error> {
    match cli.command {
        None => scan::run(&cli.scan),
        Some(Command::Scan(args)) => scan::run(&args),
        Some(Command::Rules(cmd)) => rules::run(cmd),
        Some(Command::Hook(cmd)) => hook::run(cmd),
        Some(Command::Baseline(cmd)) => baseline::run(cmd),
        Some(Command::Internal(cmd)) => internal::run(cmd),
    }
}
