//! The files a package would publish, as its package manager lists them, so a release job
//! scans exactly its artifact: `npm pack --dry-run --json --ignore-scripts` and `cargo package
//! --list --allow-dirty`. The listed files are then read from the package folder like any
//! other file (ignore files do not apply: a built `dist/` is often git-ignored and published).

use std::path::Path;
use std::process::Command;

use serde::Deserialize;

/// A package manager whose package listing says what ships.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Manager {
    /// `npm pack --dry-run --json --ignore-scripts`.
    Npm,
    /// `cargo package --list`.
    Cargo,
}

/// Why a package's files could not be listed.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    /// The package manager could not be started.
    #[error("--package: cannot run `{command}` in {dir}: {source}")]
    Run {
        /// The command line.
        command: String,
        /// The package folder.
        dir: String,
        /// Why.
        source: std::io::Error,
    },
    /// The package manager failed; its last line of error output.
    #[error("--package: `{command}` failed in {dir} ({status}): {last}")]
    Failed {
        /// The command line.
        command: String,
        /// The package folder.
        dir: String,
        /// Its exit status.
        status: std::process::ExitStatus,
        /// The last non-empty line it printed on standard error.
        last: String,
    },
    /// Its output could not be read.
    #[error("--package: cannot read the output of `{command}`: {source}")]
    Output {
        /// The command line.
        command: String,
        /// Why.
        source: NpmListError,
    },
}

/// Why `npm pack --json` output could not be read.
#[derive(Debug, thiserror::Error)]
pub enum NpmListError {
    /// No line opens a JSON array.
    #[error("no JSON array")]
    NoArray,
    /// The array is not what npm writes.
    #[error("{0}")]
    Json(#[from] serde_json::Error),
}

/// Files cargo generates into the package; their sources on disk are scanned instead
/// (`Cargo.toml.orig` is the `Cargo.toml` of the folder).
const CARGO_GENERATED: &[&str] = &["Cargo.toml.orig", ".cargo_vcs_info.json"];

#[derive(Deserialize)]
struct NpmPack {
    #[serde(default)]
    files: Vec<NpmFile>,
}

#[derive(Deserialize)]
struct NpmFile {
    path: String,
}

/// The published files of the package in `dir`, relative to it with `/` separators, sorted.
pub fn list(manager: Manager, dir: &Path) -> Result<Vec<String>, PackageError> {
    let (program, args): (&str, &[&str]) = match manager {
        Manager::Npm => ("npm", &["pack", "--dry-run", "--json", "--ignore-scripts"]),
        Manager::Cargo => ("cargo", &["package", "--list", "--allow-dirty", "--quiet"]),
    };
    let command = format!("{program} {}", args.join(" "));
    let out = match Command::new(program).args(args).current_dir(dir).output() {
        Ok(out) => out,
        Err(source) => {
            return Err(PackageError::Run {
                command,
                dir: dir.display().to_string(),
                source,
            })
        }
    };
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let last = err
            .lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or("no message")
            .to_string();
        return Err(PackageError::Failed {
            command,
            dir: dir.display().to_string(),
            status: out.status,
            last,
        });
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut files = match manager {
        Manager::Npm => match parse_npm(&stdout) {
            Ok(files) => files,
            Err(source) => return Err(PackageError::Output { command, source }),
        },
        Manager::Cargo => parse_cargo(&stdout),
    };
    files.sort();
    files.dedup();
    Ok(files)
}

/// The `files[].path` of every package in `npm pack --json` output. Lifecycle scripts may
/// print before the JSON, so parsing starts at the first line that opens an array.
pub fn parse_npm(stdout: &str) -> Result<Vec<String>, NpmListError> {
    let start = stdout.lines().scan(0usize, |off, l| {
        let at = *off;
        *off += l.len() + 1;
        Some((at, l))
    });
    let at = start
        .filter(|(_, l)| l.trim_start().starts_with('['))
        .map(|(a, _)| a)
        .next()
        .ok_or(NpmListError::NoArray)?;
    let packs: Vec<NpmPack> = serde_json::from_str(&stdout[at..])?;
    Ok(packs
        .into_iter()
        .flat_map(|p| p.files)
        .map(|f| f.path.replace('\\', "/"))
        .collect())
}

/// The lines of `cargo package --list`, without the files cargo generates.
pub fn parse_cargo(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !CARGO_GENERATED.contains(l))
        .map(|l| l.replace('\\', "/"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npm_output() {
        let out = "> prepack\nbuilding\n[\n  {\"id\": \"x@1.0.0\", \"files\": [{\"path\": \"package.json\", \"size\": 10}, {\"path\": \"dist/cli.js\"}]}\n]\n";
        assert_eq!(
            parse_npm(out).expect("parses"),
            vec!["package.json".to_string(), "dist/cli.js".to_string()]
        );
        assert!(parse_npm("npm ERR! nothing").is_err());
    }

    #[test]
    fn cargo_output() {
        let out = ".cargo_vcs_info.json\nCargo.toml\nCargo.toml.orig\nsrc/lib.rs\n";
        assert_eq!(
            parse_cargo(out),
            vec!["Cargo.toml".to_string(), "src/lib.rs".to_string()]
        );
    }
}
