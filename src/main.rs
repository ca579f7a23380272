//! The leakscan binary: parse, run, print the error chain, exit with the documented status.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = leakscan::cli::Cli::parse();
    match leakscan::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("leakscan: {e}");
            }
            ExitCode::from(leakscan::ExitStatus::Error.code())
        }
    }
}
