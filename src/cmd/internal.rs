//! `leakscan internal hash`: keyed hashes of codenames for `[internal] codename-hashes`, so a
//! public repository can carry its marker list without revealing it.
#![allow(clippy::print_stdout)]

use std::io::{BufRead, Write};

use crate::cli::InternalCommand;
use crate::cmd::rules::ignore_broken_pipe;
use crate::error::{Error, ExitStatus};
use crate::rules::internal::{codename_words, format_hash, hash_words, CodenameHash};

/// Runs an `internal` subcommand.
pub fn run(cmd: InternalCommand) -> Result<u8, Error> {
    match cmd {
        InternalCommand::Hash { key_env, codenames } => hash(&key_env, codenames),
    }
}

fn hash(key_env: &str, codenames: Vec<String>) -> Result<u8, Error> {
    let key = match std::env::var_os(key_env) {
        Some(k) if !k.is_empty() => k.to_string_lossy().into_owned().into_bytes(),
        _ => return Err(Error::Usage(format!("the key variable {key_env} is not set (e.g. `export {key_env}=$(openssl rand -hex 32)`, kept in your CI secrets)"))),
    };
    let names = if codenames.is_empty() {
        let stdin = std::io::stdin();
        let lines: Result<Vec<String>, _> = stdin.lock().lines().collect();
        let lines = lines.map_err(|e| Error::Io {
            path: "-".into(),
            source: e,
        })?;
        crate::rules::internal::parse_codename_list(&lines.join("\n"))
    } else {
        codenames
    };
    let mut out = std::io::stdout().lock();
    let res = (|| {
        writeln!(out, "codename-hashes = [")?;
        for name in &names {
            let words = codename_words(name);
            if words.is_empty() {
                continue;
            }
            let h = CodenameHash {
                words: words.len(),
                digest: hash_words(&key, &words),
            };
            writeln!(out, "  \"{}\",", format_hash(&h))?;
        }
        writeln!(out, "]")
    })();
    ignore_broken_pipe(res)?;
    Ok(ExitStatus::Clean.code())
}
