//! One module per subcommand, wiring sources, the scanner and reporters. This is the only place
//! that knows every other module.

pub mod baseline;
pub mod emit;
pub mod gitleaks;
pub mod hook;
pub mod internal;
pub mod merge;
pub mod rules;
pub mod scan;

use std::io::Write;

use clap::CommandFactory;

use crate::cli::{Cli, Command};
use crate::error::{Error, ExitStatus};

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> Result<u8, Error> {
    match cli.command {
        None => {
            did_you_mean(&cli.scan.paths)?;
            scan::run(&cli.scan)
        }
        Some(Command::Scan(args)) => scan::run(&args),
        Some(Command::Rules(cmd)) => rules::run(cmd),
        Some(Command::Hook(cmd)) => hook::run(cmd),
        Some(Command::Baseline(cmd)) => baseline::run(cmd),
        Some(Command::Internal(cmd)) => internal::run(cmd),
        Some(Command::Report(crate::cli::ReportCommand::Merge(a))) => merge::run(&a),
        Some(Command::Completions { shell }) => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "leakscan", &mut out);
            rules::ignore_broken_pipe(std::io::stdout().lock().write_all(&out))?;
            Ok(ExitStatus::Clean.code())
        }
        Some(Command::Man) => {
            rules::ignore_broken_pipe(std::io::stdout().lock().write_all(&man_page()?))?;
            Ok(ExitStatus::Clean.code())
        }
        Some(Command::Detect(a)) => scan::run(&gitleaks::detect(&a)?),
        Some(Command::Git(a)) => scan::run(&gitleaks::git(&a)?),
        Some(Command::Dir(a)) => scan::run(&gitleaks::dir(&a)?),
        Some(Command::Protect(a)) => scan::run(&gitleaks::protect(&a)?),
        Some(Command::Stdin(a)) => scan::run(&gitleaks::stdin(&a)?),
    }
}

/// The manual page, in roff, made from the command line's definition: the synopsis, the
/// options of the default `scan` command, the list of subcommands, and the examples and exit
/// status.
pub fn man_page() -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(|e| Error::Io {
            path: "<man>".into(),
            source: e,
        })?;
    Ok(out)
}

/// `leakscan rule list`: with no subcommand, the first word is a path to scan; when no such
/// path exists and the word is close to a command name, the user most likely mistyped the
/// command. Say so instead of "no such file or folder".
fn did_you_mean(paths: &[std::path::PathBuf]) -> Result<(), Error> {
    let Some(first) = paths.first() else {
        return Ok(());
    };
    let Some(word) = first.to_str() else {
        return Ok(());
    };
    if word.contains(['/', '\\', '.']) || std::fs::symlink_metadata(first).is_ok() {
        return Ok(());
    }
    let cmd = Cli::command();
    let best = cmd
        .get_subcommands()
        .flat_map(|c| std::iter::once(c.get_name()).chain(c.get_all_aliases()))
        .map(|name| (edit_distance(word, name), name))
        .filter(|&(d, name)| d <= 2.max(name.len() / 3))
        .min();
    match best {
        Some((_, name)) => Err(Error::Usage(format!(
            "'{word}' is neither a command nor a file or folder\n\n  tip: did you mean `leakscan {name}`? (`leakscan scan {word}` scans a path of that name)"
        ))),
        None => Ok(()),
    }
}

/// Levenshtein distance over characters (short words only: command names).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::edit_distance;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("rule", "rules"), 1);
        assert_eq!(edit_distance("scna", "scan"), 2);
        assert_eq!(edit_distance("", "man"), 3);
        assert_eq!(edit_distance("hook", "hook"), 0);
    }
}
