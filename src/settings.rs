//! Command-line options and configuration resolved and checked once: what the scan runs with.

use std::path::{Path, PathBuf};

use crate::cli::{ColorChoice, Format, Package, ScanArgs};
use crate::error::Error;
use crate::rules::{Confidence, ConfigSource, Kind};
use crate::source::archive::Limits;
use crate::source::fs::WalkOptions;
use crate::source::git::Selection;

/// The name of a project's configuration file at the scan root.
pub const CONFIG_FILE: &str = ".leakscan.toml";

/// Resolved scan settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Paths to scan (folders and files); empty with `stdin`.
    pub roots: Vec<PathBuf>,
    /// Scan standard input.
    pub stdin: bool,
    /// The scan root: the first folder named, else the current folder.
    pub root: PathBuf,
    /// Which configuration to load.
    pub config: ConfigSource,
    /// Output format.
    pub format: Format,
    /// Output file.
    pub output: Option<PathBuf>,
    /// Redact secrets.
    pub redact: bool,
    /// Lowest confidence reported.
    pub min_confidence: Confidence,
    /// Keep dropped candidates.
    pub explain: bool,
    /// Exit status for findings.
    pub exit_code: u8,
    /// Colour choice.
    pub color: ColorChoice,
    /// Findings only.
    pub quiet: bool,
    /// Show progress.
    pub progress: bool,
    /// Threads.
    pub threads: usize,
    /// How to walk folders.
    pub walk: WalkOptions,
    /// Kinds of finding that make the exit status 1.
    pub fail_on: Vec<Kind>,
    /// Scan a package's published files instead of walking.
    pub package: Option<Package>,
    /// Archive budgets.
    pub archives: Limits,
    /// Decoding depth.
    pub max_decode_depth: usize,
    /// What to scan of git repositories.
    pub git: GitSettings,
    /// Baseline file to subtract.
    pub baseline: Option<PathBuf>,
    /// Ignore file (explicit, or `.leakscanignore` found at the scan root).
    pub ignore_file: Option<PathBuf>,
}

/// What to scan of a git repository.
#[derive(Debug, Clone, Default)]
pub struct GitSettings {
    /// Scan the history of roots that are repositories.
    pub history: bool,
    /// Scan the working tree's files.
    pub worktree: bool,
    /// Which part of the history.
    pub selection: Selection,
    /// Scan the staged blobs instead of history and files.
    pub staged: bool,
    /// `GIT_INDEX_FILE`, for `staged`.
    pub index_file: Option<PathBuf>,
}

impl GitSettings {
    fn from_args(args: &crate::cli::GitArgs) -> GitSettings {
        let narrowed = args.range.is_some() || args.since.is_some();
        GitSettings {
            history: !args.no_history && !args.staged,
            worktree: !args.no_worktree && !narrowed && !args.staged,
            selection: Selection {
                range: args.range.clone(),
                since: args.since.clone(),
                all_objects: args.all_objects,
            },
            staged: args.staged,
            index_file: std::env::var_os("GIT_INDEX_FILE")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
        }
    }
}

/// Parses a size such as `512`, `10K`, `10M`, `1G` (powers of 1024; a trailing `B`/`iB` is
/// accepted).
pub fn parse_size(s: &str) -> Result<u64, Error> {
    let t = s.trim();
    let t = t
        .strip_suffix("iB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(t);
    let (num, mult) = match t.chars().last() {
        Some('k' | 'K') => (&t[..t.len() - 1], 1u64 << 10),
        Some('m' | 'M') => (&t[..t.len() - 1], 1 << 20),
        Some('g' | 'G') => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1),
    };
    num.trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| Error::Usage(format!("invalid size '{s}' (use e.g. 500K, 10M, 1G)")))
}

/// Finds the configuration: `--config`/`LEAKSCAN_CONFIG`, else `.leakscan.toml` at `root`
/// unless repository configuration is refused.
pub fn discover_config(
    explicit: Option<&Path>,
    root: &Path,
    no_repo_config: bool,
) -> Result<ConfigSource, Error> {
    if let Some(p) = explicit {
        if !p.is_file() {
            return Err(Error::Config(format!(
                "{}: configuration file not found",
                p.display()
            )));
        }
        return Ok(ConfigSource::File(p.to_path_buf()));
    }
    if !no_repo_config {
        let candidate = root.join(CONFIG_FILE);
        if candidate.is_file() {
            return Ok(ConfigSource::File(candidate));
        }
    }
    Ok(ConfigSource::None)
}

/// Finds the ignore file: `--ignore-file`, else `.leakscanignore` at `root` unless repository
/// configuration is refused.
pub fn discover_ignore_file(
    explicit: Option<&Path>,
    root: &Path,
    no_repo_config: bool,
) -> Result<Option<PathBuf>, Error> {
    if let Some(p) = explicit {
        if !p.is_file() {
            return Err(Error::Usage(format!(
                "{}: ignore file not found",
                p.display()
            )));
        }
        return Ok(Some(p.to_path_buf()));
    }
    let candidate = root.join(crate::baseline::IGNORE_FILE);
    Ok((!no_repo_config && candidate.is_file()).then_some(candidate))
}

impl Settings {
    /// Resolves the scan arguments.
    pub fn from_args(args: &ScanArgs) -> Result<Settings, Error> {
        let stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
        if stdin && args.paths.len() > 1 {
            return Err(Error::Usage(
                "'-' (standard input) cannot be combined with paths".into(),
            ));
        }
        let roots: Vec<PathBuf> = if stdin {
            Vec::new()
        } else if args.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            args.paths.clone()
        };
        for r in &roots {
            if std::fs::symlink_metadata(r).is_err() {
                return Err(Error::Usage(format!(
                    "{}: no such file or folder",
                    r.display()
                )));
            }
        }
        let root = roots
            .iter()
            .find(|p| p.is_dir())
            .cloned()
            .unwrap_or_else(|| PathBuf::from("."));
        let config = discover_config(args.config.as_deref(), &root, args.no_repo_config)?;
        let threads = match args.threads {
            Some(0) => return Err(Error::Usage("--threads must be at least 1".into())),
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        let max_file_size = args.max_file_size.as_deref().map(parse_size).transpose()?;
        if args.package.is_some() && stdin {
            return Err(Error::Usage(
                "--package cannot be combined with '-' (standard input)".into(),
            ));
        }
        let archives = Limits {
            max_depth: args.max_archive_depth,
            max_total: parse_size(&args.max_archive_size)?,
            ..Limits::default()
        };
        let ignore_file =
            discover_ignore_file(args.ignore_file.as_deref(), &root, args.no_repo_config)?;
        if let Some(b) = &args.baseline {
            if !b.is_file() {
                return Err(Error::Usage(format!(
                    "{}: baseline file not found",
                    b.display()
                )));
            }
        }
        // The configuration, baseline, ignore file and report hold rule regexes, hex digests
        // and redacted findings that rules could match; they are never scanned.
        let mut exclude = Vec::new();
        let config_file = match &config {
            ConfigSource::File(p) => Some(p.as_path()),
            _ => None,
        };
        for p in [
            config_file,
            args.baseline.as_deref(),
            ignore_file.as_deref(),
            args.output.as_deref(),
        ]
        .into_iter()
        .flatten()
        {
            if let Ok(c) = p.canonicalize() {
                exclude.push(c);
            }
        }
        Ok(Settings {
            roots,
            stdin,
            root,
            config,
            format: args.format,
            output: args.output.clone(),
            redact: !args.no_redact,
            min_confidence: args.min_confidence,
            explain: args.explain,
            exit_code: args.exit_code,
            color: args.color,
            quiet: args.quiet,
            progress: !args.no_progress && !args.quiet,
            threads,
            walk: WalkOptions {
                no_ignore: args.no_ignore,
                max_file_size,
                threads,
                exclude,
            },
            fail_on: args.fail_on.clone(),
            package: args.package,
            archives,
            max_decode_depth: args.max_decode_depth,
            git: GitSettings::from_args(&args.git),
            baseline: args.baseline.clone(),
            ignore_file,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512").ok(), Some(512));
        assert_eq!(parse_size("10K").ok(), Some(10 << 10));
        assert_eq!(parse_size("10MB").ok(), Some(10 << 20));
        assert_eq!(parse_size("1GiB").ok(), Some(1 << 30));
        assert!(parse_size("ten").is_err());
    }
}
