//! Command-line options and configuration resolved and checked once: what the scan runs with.

use std::path::{Path, PathBuf};

use crate::cli::{ColorChoice, Format, LogLevel, ScanArgs};
use crate::error::Error;
use crate::rules::{Confidence, ConfigSource, Kind};
use crate::source::archive::Limits;
use crate::source::fs::WalkOptions;
use crate::source::git::Selection;

/// The name of a project's configuration file at the scan root.
pub const CONFIG_FILE: &str = ".leakscan.toml";
/// gitleaks' configuration file at the scan root, read when there is no `.leakscan.toml`.
pub const GITLEAKS_CONFIG_FILE: &str = ".gitleaks.toml";

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
    /// File to append a Markdown summary to (`--markdown-summary`).
    pub markdown_summary: Option<PathBuf>,
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
    pub package: Option<crate::source::package::Manager>,
    /// Archive budgets.
    pub archives: Limits,
    /// Decoding depth.
    pub max_decode_depth: usize,
    /// What to scan of git repositories.
    pub git: GitSettings,
    /// `.gitleaksignore` files to honour.
    pub gitleaks_ignore: Vec<PathBuf>,
    /// Honour `gitleaks:allow` comments.
    pub gitleaks_allow: bool,
    /// Baseline file to subtract.
    pub baseline: Option<PathBuf>,
    /// Ignore file (explicit, or `.leakscanignore` found at the scan root).
    pub ignore_file: Option<PathBuf>,
    /// Live validation (`--validate`), if asked for.
    pub validate: Option<ValidateSettings>,
    /// `--only-rule`, `--enable-rule`, `--disable-rule`.
    pub select: crate::rules::select::Selection,
}

/// What `--validate` runs with.
#[derive(Debug, Clone)]
pub struct ValidateSettings {
    /// Engine options.
    pub options: crate::validate::Options,
    /// Report only valid findings.
    pub only_valid: bool,
    /// Fail only on valid findings.
    pub fail_on_valid: bool,
}

impl ValidateSettings {
    /// `None` unless validation was asked for; checks the numbers, the cache key and the
    /// test override.
    pub fn from_args(args: &crate::cli::ValidateArgs) -> Result<Option<ValidateSettings>, Error> {
        if !(args.validate || args.only_valid || args.fail_on_valid) {
            return Ok(None);
        }
        if args.validate_concurrency == 0 || args.validate_concurrency > 256 {
            return Err(Error::Usage(
                "--validate-concurrency must be 1 to 256".into(),
            ));
        }
        if !(args.validate_timeout > 0.0 && args.validate_timeout <= 300.0) {
            return Err(Error::Usage(
                "--validate-timeout must be above 0 and at most 300 seconds".into(),
            ));
        }
        if let Some(r) = args.validate_rate {
            if !(r > 0.0 && r <= 1000.0) {
                return Err(Error::Usage(
                    "--validate-rate must be above 0 and at most 1000".into(),
                ));
            }
        }
        let cache = match &args.validate_cache {
            None => None,
            Some(p) => {
                let key = std::env::var(crate::validate::cache::KEY_ENV).unwrap_or_default();
                if key.len() < 16 {
                    return Err(Error::Usage(format!(
                        "--validate-cache needs a key of at least 16 characters in {}",
                        crate::validate::cache::KEY_ENV
                    )));
                }
                Some((p.clone(), key.into_bytes()))
            }
        };
        let options = crate::validate::Options {
            concurrency: args.validate_concurrency,
            timeout: std::time::Duration::from_secs_f64(args.validate_timeout),
            rate: args.validate_rate,
            cache,
            ..crate::validate::Options::default()
        }
        .with_env_override()?;
        Ok(Some(ValidateSettings {
            options,
            only_valid: args.only_valid,
            fail_on_valid: args.fail_on_valid,
        }))
    }
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
    /// `--all-new`: for a range, `--since` or a push, report every secret of the blobs the
    /// commits introduce, also those the base already holds at the same path.
    pub all_new: bool,
    /// `--walk-cache FILE`: the history walk is read from FILE, or written there.
    pub walk_cache: Option<PathBuf>,
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
                shard: None,
            },
            staged: args.staged,
            all_new: args.all_new,
            walk_cache: None,
            index_file: std::env::var_os("GIT_INDEX_FILE")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
        }
    }
}

/// gitleaks' `--log-opts`: the git log options leakscan understands, as a range. `A..B` is the
/// range; `--all`, `--full-history`, `-p`/`--patch` are what leakscan does anyway. Anything
/// else is refused, naming the option, rather than scanning something else than asked.
pub fn parse_log_opts(opts: &str) -> Result<Option<String>, Error> {
    let mut range = None;
    for tok in opts.split_whitespace() {
        match tok {
            "--all" | "--full-history" | "-p" | "--patch" => {}
            t if !t.starts_with('-') && t.contains("..") && !t.contains("...") => {
                if range.replace(t.to_string()).is_some() {
                    return Err(Error::Usage(format!(
                        "--log-opts '{opts}': leakscan scans one range A..B at a time"
                    )));
                }
            }
            t => {
                return Err(Error::Usage(format!(
                    "--log-opts '{opts}': leakscan does not understand '{t}'; it takes a range A..B and --all (or use leakscan scan --range A..B, --since REV)"
                )))
            }
        }
    }
    Ok(range)
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

/// Finds the configuration: `--config`/`LEAKSCAN_CONFIG`, else `GITLEAKS_CONFIG` (a path),
/// else `GITLEAKS_CONFIG_TOML` (the content), else `.leakscan.toml` then `.gitleaks.toml` at
/// `root` unless repository configuration is refused, else the built-in pack.
pub fn discover_config(
    explicit: Option<&Path>,
    root: &Path,
    no_repo_config: bool,
) -> Result<ConfigSource, Error> {
    discover_config_with(explicit, root, no_repo_config, |k| {
        std::env::var_os(k).filter(|v| !v.is_empty())
    })
}

/// [`discover_config`] with the environment given as a function (for tests).
pub fn discover_config_with(
    explicit: Option<&Path>,
    root: &Path,
    no_repo_config: bool,
    env: impl Fn(&str) -> Option<std::ffi::OsString>,
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
    if let Some(p) = env("GITLEAKS_CONFIG").map(PathBuf::from) {
        if !p.is_file() {
            return Err(Error::Config(format!(
                "{} (GITLEAKS_CONFIG): configuration file not found",
                p.display()
            )));
        }
        return Ok(ConfigSource::GitleaksFile(p));
    }
    if let Some(text) = env("GITLEAKS_CONFIG_TOML") {
        return Ok(ConfigSource::GitleaksText(
            text.to_string_lossy().into_owned(),
        ));
    }
    if !no_repo_config {
        let candidate = root.join(CONFIG_FILE);
        if candidate.is_file() {
            return Ok(ConfigSource::File(candidate));
        }
        let candidate = root.join(GITLEAKS_CONFIG_FILE);
        if candidate.is_file() {
            return Ok(ConfigSource::GitleaksFile(candidate));
        }
    }
    Ok(ConfigSource::None)
}

/// The `.gitleaksignore` files to honour: the one named, else those at the scan root and in the
/// current folder (gitleaks reads both); the scan root's is refused with `--no-repo-config`.
pub fn gitleaks_ignore_files(
    explicit: Option<&Path>,
    root: &Path,
    no_repo_config: bool,
) -> Result<Vec<PathBuf>, Error> {
    use crate::gitleaksignore::FILE_NAME;
    if let Some(p) = explicit {
        let p = if p.is_dir() {
            p.join(FILE_NAME)
        } else {
            p.to_path_buf()
        };
        // Any readable non-folder will do: /dev/null says "no entries".
        if std::fs::metadata(&p).is_err() {
            return Err(Error::Usage(format!(
                "{}: no such gitleaks ignore file",
                p.display()
            )));
        }
        return Ok(vec![p]);
    }
    let mut files = Vec::new();
    if !no_repo_config {
        files.push(root.join(FILE_NAME));
    }
    let cwd = PathBuf::from(FILE_NAME);
    if !files.iter().any(|f| same_file(f, &cwd)) {
        files.push(cwd);
    }
    files.retain(|f| f.is_file());
    Ok(files)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// Finds the baseline: `--baseline`, else [`crate::baseline::DEFAULT_FILE`] at `root` (the
/// repository root of a repository) unless repository configuration is refused.
pub fn discover_baseline(
    explicit: Option<&Path>,
    root: &Path,
    no_repo_config: bool,
) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    let candidate = root.join(crate::baseline::DEFAULT_FILE);
    (!no_repo_config && candidate.is_file()).then_some(candidate)
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
    /// The folder finding paths are relative to (SARIF's `%SRCROOT%`): the scan root when it
    /// is a repository (its work tree's top, or a bare repository), else the current folder.
    pub fn display_root(&self) -> PathBuf {
        let r = &self.root;
        let bare = r.join("HEAD").is_file() && r.join("objects").is_dir();
        if crate::source::git::is_work_tree_top(r) || bare {
            r.clone()
        } else {
            PathBuf::from(".")
        }
    }

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
        if args.walk_cache.is_some()
            && (stdin || roots.len() != 1 || args.artifacts.package.is_some())
        {
            return Err(Error::Usage(
                "--walk-cache holds the walk of one repository: give one repository to scan (no '-', no --package); with --repos, shard by repository instead".into(),
            ));
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
        let max_file_size =
            match (
                args.max_file_size.as_deref(),
                args.compat.max_target_megabytes,
            ) {
                (Some(_), Some(_)) => {
                    return Err(Error::Usage(
                        "--max-file-size and --max-target-megabytes say the same thing: give one"
                            .into(),
                    ))
                }
                (Some(s), None) => Some(parse_size(s)?),
                (None, Some(0) | None) => None,
                (None, Some(mb)) => Some(mb.checked_mul(1 << 20).ok_or_else(|| {
                    Error::Usage(format!("--max-target-megabytes {mb}: too large"))
                })?),
            };
        if args.compat.redact == Some(0) {
            return Err(Error::Usage(
                "--redact=0 would show secrets in full; leakscan says that with --no-redact".into(),
            ));
        }
        if args.compat.redact.is_some() && args.no_redact {
            return Err(Error::Usage(
                "--redact and --no-redact contradict each other".into(),
            ));
        }
        let mut git_args = args.git.clone();
        if let Some(opts) = &args.log_opts {
            git_args.range = parse_log_opts(opts)?;
        }
        let quiet = args.quiet
            || matches!(
                args.compat.log_level,
                Some(LogLevel::Warn | LogLevel::Error | LogLevel::Fatal)
            );
        let color = if args.compat.no_color {
            ColorChoice::Never
        } else {
            args.color
        };
        let output = args.output.clone().filter(|p| p.as_os_str() != "-");
        if args.artifacts.package.is_some() && stdin {
            return Err(Error::Usage(
                "--package cannot be combined with '-' (standard input)".into(),
            ));
        }
        let archives = Limits {
            max_depth: args.artifacts.max_archive_depth,
            max_total: parse_size(&args.artifacts.max_archive_size)?,
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
        let baseline = discover_baseline(args.baseline.as_deref(), &root, args.no_repo_config);
        // The configuration, baseline, ignore file and report hold rule regexes, hex digests
        // and redacted findings that rules could match; they are never scanned.
        let mut exclude = Vec::new();
        let config_file = config.path();
        for p in [
            config_file,
            args.validate.validate_cache.as_deref(),
            baseline.as_deref(),
            ignore_file.as_deref(),
            output.as_deref(),
            args.markdown_summary.as_deref(),
        ]
        .into_iter()
        .flatten()
        {
            if let Ok(c) = p.canonicalize() {
                exclude.push(c);
            }
        }
        // The walk file holds paths and commit ids; the walk may write it before the working
        // tree is scanned, so it is named by its folder when it does not exist yet.
        if let Some(p) = &args.walk_cache {
            let c = p.canonicalize().ok().or_else(|| {
                let dir = match p.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d,
                    _ => Path::new("."),
                };
                Some(dir.canonicalize().ok()?.join(p.file_name()?))
            });
            exclude.extend(c);
        }
        let gitleaks_ignore = gitleaks_ignore_files(
            args.gitleaks_ignore_path.as_deref(),
            &root,
            args.no_repo_config,
        )?;
        Ok(Settings {
            roots,
            stdin,
            root,
            config,
            format: args.format,
            output,
            markdown_summary: args.markdown_summary.clone(),
            redact: !args.no_redact,
            min_confidence: args.min_confidence.into(),
            explain: args.explain,
            exit_code: args.exit_code,
            color,
            quiet,
            progress: !args.no_progress && !quiet,
            threads,
            walk: WalkOptions {
                no_ignore: args.no_ignore,
                max_file_size,
                threads,
                exclude,
                relative_to: None,
            },
            fail_on: args.fail_on.iter().map(|&k| k.into()).collect(),
            package: args.artifacts.package.map(Into::into),
            archives,
            max_decode_depth: args.artifacts.max_decode_depth,
            git: {
                // With --repos the shard picks repositories, not blobs.
                let mut git = GitSettings::from_args(&git_args);
                git.walk_cache = args.walk_cache.clone();
                git.selection.shard = args.shard.filter(|_| args.repos.is_none());
                // The working tree's files are scanned by the first history shard only.
                if git.selection.shard.is_some_and(|(k, _)| k > 1) {
                    git.worktree = false;
                }
                git
            },
            gitleaks_ignore,
            gitleaks_allow: !args.ignore_gitleaks_allow,
            baseline,
            ignore_file,
            validate: ValidateSettings::from_args(&args.validate)?,
            select: crate::rules::select::Selection {
                only: args.select.only_rule.clone(),
                enable: args.select.enable_rule.clone(),
                disable: args.select.disable_rule.clone(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn log_opts() {
        use super::parse_log_opts;
        assert_eq!(
            parse_log_opts("main..HEAD").ok(),
            Some(Some("main..HEAD".into()))
        );
        assert_eq!(parse_log_opts("--all").ok(), Some(None));
        assert_eq!(
            parse_log_opts("--all a..b -p").ok(),
            Some(Some("a..b".into()))
        );
        let e = parse_log_opts("--since=2024-01-01")
            .err()
            .map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.contains("does not understand '--since=2024-01-01'")));
        assert!(parse_log_opts("a...b").is_err());
        assert!(parse_log_opts("a..b c..d").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512").ok(), Some(512));
        assert_eq!(parse_size("10K").ok(), Some(10 << 10));
        assert_eq!(parse_size("10MB").ok(), Some(10 << 20));
        assert_eq!(parse_size("1GiB").ok(), Some(1 << 30));
        assert!(parse_size("ten").is_err());
    }
}
