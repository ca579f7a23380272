//! Command-line types (clap derive) and their help text. No logic: `settings` resolves them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::rules::{Confidence, Kind};

const EXIT_STATUS_HELP: &str = "\
Exit status:
  0  everything was scanned and nothing was found
  1  findings (change with --exit-code)
  2  usage or configuration error; nothing was scanned
  3  nothing was found, but something that should have been scanned was not
     (unreadable file, corrupt object, archive bomb); see the summary";

/// Find secrets and internal markers in working trees, git history and build artifacts
/// before they leave.
#[derive(Debug, Parser)]
#[command(name = "leakscan", version, about, after_help = EXIT_STATUS_HELP, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to do (default: scan).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of the default `scan` command.
    #[command(flatten)]
    pub scan: ScanArgs,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan folders, files, standard input or a git repository (the default).
    #[command(after_help = EXIT_STATUS_HELP)]
    Scan(ScanArgs),
    /// List, check and test rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Internal markers: make keyed hashes of codenames for `[internal] codename-hashes`.
    #[command(subcommand)]
    Internal(InternalCommand),
}

/// `leakscan internal ...`
#[derive(Debug, Subcommand)]
pub enum InternalCommand {
    /// Print the keyed hash (HMAC-SHA256) of each codename, ready for `codename-hashes`.
    /// The key is read from an environment variable, never from the command line.
    Hash {
        /// Environment variable holding the key.
        #[arg(long, value_name = "VAR", default_value = crate::rules::internal::DEFAULT_KEY_ENV)]
        key_env: String,
        /// Codenames (default: one per line on standard input, so they stay out of the shell
        /// history).
        codenames: Vec<String>,
    },
}

/// Package managers whose published file list `--package` scans.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Package {
    /// The files `npm pack --dry-run --json --ignore-scripts` lists.
    Npm,
    /// The files `cargo package --list --allow-dirty` lists.
    Cargo,
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable report.
    Text,
    /// JSON document (schema in the README).
    Json,
}

/// When to use colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Options of `leakscan scan`.
#[derive(Debug, Args, Clone)]
pub struct ScanArgs {
    /// Folders, files or `-` for standard input (default: the current folder).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Text, help_heading = "Output")]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(
        short,
        long,
        visible_alias = "report-path",
        value_name = "FILE",
        help_heading = "Output"
    )]
    pub output: Option<PathBuf>,
    /// Show secrets in full. Without it every secret is redacted in every format.
    #[arg(long, help_heading = "Output")]
    pub no_redact: bool,
    /// Lowest confidence to report (generic rules are `low`).
    #[arg(long, value_enum, default_value_t = Confidence::Medium, help_heading = "Output")]
    pub min_confidence: Confidence,
    /// Also show candidates that a filter dropped, and which filter.
    #[arg(long, help_heading = "Output")]
    pub explain: bool,
    /// Exit status when findings are reported.
    #[arg(long, value_name = "N", default_value_t = 1, help_heading = "Output")]
    pub exit_code: u8,
    /// Colour.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, help_heading = "Output")]
    pub color: ColorChoice,
    /// Print only findings (no summary, no progress, no notes).
    #[arg(short, long, help_heading = "Output")]
    pub quiet: bool,
    /// No progress indicator.
    #[arg(long, help_heading = "Output")]
    pub no_progress: bool,

    /// Configuration file (default: LEAKSCAN_CONFIG, else .leakscan.toml at the scan root).
    #[arg(
        short,
        long,
        env = "LEAKSCAN_CONFIG",
        value_name = "FILE",
        help_heading = "Rules"
    )]
    pub config: Option<PathBuf>,
    /// Ignore configuration files found in the scanned repository (audits of untrusted code).
    #[arg(long, help_heading = "Rules")]
    pub no_repo_config: bool,

    /// Threads (default: the number of CPUs).
    #[arg(short = 'j', long, value_name = "N", help_heading = "Input")]
    pub threads: Option<usize>,
    /// Skip files larger than this (e.g. 10M, 1G). Default: no limit; large files are scanned
    /// in chunks.
    #[arg(long, value_name = "SIZE", help_heading = "Input")]
    pub max_file_size: Option<String>,
    /// Do not honour .gitignore, .ignore and git's exclude files.
    #[arg(long, help_heading = "Input")]
    pub no_ignore: bool,
    // -- git (history, staged, ranges) --
    // -- artifacts (archives, decoding, packages, internal markers) --
    /// Kinds of finding that make the exit status 1, comma-separated (`secret`, `internal`).
    /// Findings of other kinds are still reported.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [Kind::Secret, Kind::Internal], env = "LEAKSCAN_FAIL_ON", value_name = "KINDS", help_heading = "Artifacts and markers")]
    pub fail_on: Vec<Kind>,
    /// Scan exactly the files a package would publish, in the package folder (PATH or the
    /// current folder).
    #[arg(
        long,
        value_enum,
        value_name = "MANAGER",
        help_heading = "Artifacts and markers"
    )]
    pub package: Option<Package>,
    /// Archives nested deeper than this are not opened (0: archives are scanned as bytes).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 5,
        help_heading = "Artifacts and markers"
    )]
    pub max_archive_depth: usize,
    /// Bytes one archive may decompress to, all nesting levels together (e.g. 500M, 2G).
    #[arg(
        long,
        value_name = "SIZE",
        default_value = "1G",
        help_heading = "Artifacts and markers"
    )]
    pub max_archive_size: String,
    /// How often decoded text (base64, hex, percent-encoding, string escapes) is decoded
    /// again (0: no decoding).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 2,
        help_heading = "Artifacts and markers"
    )]
    pub max_decode_depth: usize,
    // -- baselines and ignore files --
}

/// `leakscan rules ...`
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List the rules in effect.
    List(RulesListArgs),
    /// Check a rule or configuration file: syntax, regexes, ids.
    Check {
        /// Files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Run every rule's examples and counter-examples.
    Test(RulesListArgs),
}

/// Options of `rules list` and `rules test`.
#[derive(Debug, Args)]
pub struct RulesListArgs {
    /// Configuration file (default: the built-in pack only).
    #[arg(short, long, env = "LEAKSCAN_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output as JSON.
    #[arg(long)]
    pub json: bool,
}
