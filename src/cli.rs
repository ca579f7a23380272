//! Command-line types (clap derive) and their help text. No logic: `settings` resolves them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::rules::{Confidence, Kind};
use crate::source::package::Manager;

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
    /// Record today's findings so that later scans report only new ones.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Git hooks: run the pre-push check, or install it.
    #[command(subcommand)]
    Hook(HookCommand),
    /// Internal markers: make keyed hashes of codenames for `[internal] codename-hashes`.
    #[command(subcommand)]
    Internal(InternalCommand),
}

/// `leakscan baseline ...`
#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Scan like `leakscan scan` and write every finding to the baseline file given with -o.
    #[command(
        after_help = "Then: leakscan scan --baseline FILE reports only findings not in FILE."
    )]
    Create(ScanArgs),
    /// Turn .gitleaksignore entries into baseline entries: scan like `leakscan scan` and record
    /// the findings that .gitleaksignore lists in the baseline file given with -o. Unlike the
    /// entries, which name a line, the baseline's fingerprints survive edits that move lines.
    #[command(
        after_help = "Then: leakscan scan --baseline FILE reports only findings not in FILE, and .gitleaksignore can go."
    )]
    Import(ScanArgs),
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

/// `--min-confidence`: the rules' confidence levels, as the command line names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ConfidenceArg {
    /// Generic, context-dependent rules.
    Low,
    /// Distinctive formats without a checksum (the default).
    Medium,
    /// Formats that prove themselves (prefix plus verified checksum).
    High,
}

impl From<ConfidenceArg> for Confidence {
    fn from(c: ConfidenceArg) -> Confidence {
        match c {
            ConfidenceArg::Low => Confidence::Low,
            ConfidenceArg::Medium => Confidence::Medium,
            ConfidenceArg::High => Confidence::High,
        }
    }
}

/// `--fail-on`: kinds of finding, as the command line names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// A credential.
    Secret,
    /// An internal marker: codename, internal host, classification banner, file that must not ship.
    Internal,
}

impl From<KindArg> for Kind {
    fn from(k: KindArg) -> Kind {
        match k {
            KindArg::Secret => Kind::Secret,
            KindArg::Internal => Kind::Internal,
        }
    }
}

impl From<Package> for Manager {
    fn from(p: Package) -> Manager {
        match p {
            Package::Npm => Manager::Npm,
            Package::Cargo => Manager::Cargo,
        }
    }
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
    /// SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// JUnit XML: one failed test case per finding.
    Junit,
    /// GitLab secret-detection report (artifacts:reports:secret_detection).
    Gitlab,
    /// Audit report: one self-contained HTML file (summary, timeline, filterable findings).
    Html,
    /// Markdown summary (GitHub job summaries, pull-request comments).
    Markdown,
    /// CSV, one row per finding, for spreadsheets.
    Csv,
    /// JSON Lines: one finding per line, the JSON report's fields.
    Jsonl,
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
    /// Also append a Markdown summary (what `--format markdown` writes) to FILE, whatever the
    /// format: in GitHub Actions, `--markdown-summary "$GITHUB_STEP_SUMMARY"`.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub markdown_summary: Option<PathBuf>,
    /// Show secrets in full. Without it every secret is redacted in every format.
    #[arg(long, help_heading = "Output")]
    pub no_redact: bool,
    /// Lowest confidence to report (generic rules are `low`).
    #[arg(long, value_enum, default_value_t = ConfidenceArg::Medium, help_heading = "Output")]
    pub min_confidence: ConfidenceArg,
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

    /// Configuration file, leakscan or gitleaks format (default: LEAKSCAN_CONFIG, else
    /// GITLEAKS_CONFIG, else GITLEAKS_CONFIG_TOML, else .leakscan.toml, else .gitleaks.toml at
    /// the scan root).
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
    /// Git history options.
    #[command(flatten)]
    pub git: GitArgs,
    // -- artifacts (archives, decoding, packages, internal markers) --
    /// Kinds of finding that make the exit status 1, comma-separated (`secret`, `internal`).
    /// Findings of other kinds are still reported.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [KindArg::Secret, KindArg::Internal], env = "LEAKSCAN_FAIL_ON", value_name = "KINDS", help_heading = "Artifacts and markers")]
    pub fail_on: Vec<KindArg>,
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
    /// Report only findings that are not in this baseline (made by `leakscan baseline create`).
    #[arg(long, value_name = "FILE", help_heading = "Baselines")]
    pub baseline: Option<PathBuf>,
    /// Fingerprints to ignore, one per line with a reason (default: .leakscanignore at the scan
    /// root, unless --no-repo-config).
    #[arg(long, value_name = "FILE", help_heading = "Baselines")]
    pub ignore_file: Option<PathBuf>,
    // -- gitleaks compatibility --
    /// gitleaks ignore file (default: .gitleaksignore at the scan root, and in the current
    /// folder). Listed findings are not reported.
    #[arg(long, value_name = "FILE", help_heading = "gitleaks compatibility")]
    pub gitleaks_ignore_path: Option<PathBuf>,
    /// Do not honour `gitleaks:allow` comments (`leakscan:allow` still counts).
    #[arg(long, help_heading = "gitleaks compatibility")]
    pub ignore_gitleaks_allow: bool,
    // -- live validation --
    /// Live validation options.
    #[command(flatten)]
    pub validate: ValidateArgs,
}

/// `--validate` and its options: ask each provider whether a found secret still works.
#[derive(Debug, Args, Clone)]
pub struct ValidateArgs {
    /// Ask each secret's provider, once per distinct secret, whether it still works (a
    /// read-only call to the provider's own host; off by default). See the README for the
    /// providers and what each call does.
    #[arg(long, help_heading = "Validation")]
    pub validate: bool,
    /// Report only the findings their provider confirmed as valid (implies --validate).
    #[arg(long, help_heading = "Validation")]
    pub only_valid: bool,
    /// Exit 1 only when a finding is confirmed valid (implies --validate).
    #[arg(long, help_heading = "Validation")]
    pub fail_on_valid: bool,
    /// Requests in flight at once.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 32,
        help_heading = "Validation"
    )]
    pub validate_concurrency: usize,
    /// Seconds before a request times out.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 10.0,
        help_heading = "Validation"
    )]
    pub validate_timeout: f64,
    /// Requests per second to any one provider (default: each rule's `rate`, 10 unless set).
    #[arg(long, value_name = "N", help_heading = "Validation")]
    pub validate_rate: Option<f64>,
    /// Keep verdicts in FILE between runs (24 hours), keyed by an HMAC under the key in
    /// LEAKSCAN_VALIDATE_CACHE_KEY, never by the secret.
    #[arg(long, value_name = "FILE", help_heading = "Validation")]
    pub validate_cache: Option<PathBuf>,
}

impl Default for ValidateArgs {
    /// Validation off, with clap's defaults for its options.
    fn default() -> ValidateArgs {
        ValidateArgs {
            validate: false,
            only_valid: false,
            fail_on_valid: false,
            validate_concurrency: 32,
            validate_timeout: 10.0,
            validate_rate: None,
            validate_cache: None,
        }
    }
}

impl Default for ScanArgs {
    /// The options of `leakscan scan` with no argument, as clap fills them in (checked by a
    /// test below), except `--fail-on`'s `LEAKSCAN_FAIL_ON`, which is read only from a command
    /// line: the caller decides whether the environment applies.
    fn default() -> ScanArgs {
        ScanArgs {
            paths: Vec::new(),
            format: Format::Text,
            output: None,
            markdown_summary: None,
            no_redact: false,
            min_confidence: ConfidenceArg::Medium,
            explain: false,
            exit_code: 1,
            color: ColorChoice::Auto,
            quiet: false,
            no_progress: false,
            config: None,
            no_repo_config: false,
            threads: None,
            max_file_size: None,
            no_ignore: false,
            git: GitArgs::default(),
            fail_on: vec![KindArg::Secret, KindArg::Internal],
            package: None,
            max_archive_depth: 5,
            max_archive_size: "1G".into(),
            max_decode_depth: 2,
            baseline: None,
            ignore_file: None,
            gitleaks_ignore_path: None,
            ignore_gitleaks_allow: false,
            validate: ValidateArgs::default(),
        }
    }
}

impl KindArg {
    /// `--fail-on`'s comma-separated list as `LEAKSCAN_FAIL_ON` spells it.
    pub fn parse_list(list: &str) -> Result<Vec<KindArg>, String> {
        list.split(',')
            .map(|k| KindArg::from_str(k.trim(), false))
            .collect()
    }
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
    /// Convert a gitleaks configuration into an equivalent leakscan one (.leakscan.toml).
    Convert {
        /// The gitleaks configuration (e.g. .gitleaks.toml).
        file: PathBuf,
        /// Write here instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
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

/// What to scan of a git repository (a folder holding `.git`, or a bare repository).
#[derive(Debug, Args, Clone, Default)]
pub struct GitArgs {
    /// Scan only the files of the working tree, not the history.
    #[arg(long, help_heading = "Git")]
    pub no_history: bool,
    /// Scan only the history, not the uncommitted files of the working tree.
    #[arg(long, help_heading = "Git")]
    pub no_worktree: bool,
    /// Scan only the commits of a range `A..B` (reachable from B, not from A); implies
    /// --no-worktree.
    #[arg(long, value_name = "A..B", conflicts_with_all = ["since", "no_history"], help_heading = "Git")]
    pub range: Option<String>,
    /// Scan only the commits that REV does not reach (from every ref); implies --no-worktree.
    #[arg(
        long,
        value_name = "REV",
        conflicts_with = "no_history",
        help_heading = "Git"
    )]
    pub since: Option<String>,
    /// Also scan every blob of the object database that no ref reaches (what a force-push or a
    /// dropped stash left behind).
    #[arg(long, conflicts_with = "no_history", help_heading = "Git")]
    pub all_objects: bool,
    /// Scan what is staged in the index (for a pre-commit hook): the staged blobs that differ
    /// from HEAD. Honours GIT_INDEX_FILE.
    #[arg(long, conflicts_with_all = ["no_history", "range", "since", "all_objects"], help_heading = "Git")]
    pub staged: bool,
}

/// `leakscan hook ...`
#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// The pre-push check: reads git's pre-push lines on standard input, scans only the commits
    /// the remote does not have, and exits non-zero (blocking the push) on findings.
    PrePush(PrePushArgs),
    /// Write leakscan's hooks into the repository of the current folder (honours
    /// core.hooksPath). The hooks run the `leakscan` on PATH when git runs them.
    Install(InstallArgs),
    /// Remove leakscan's hooks and put back the hooks they chained or replaced.
    Uninstall(UninstallArgs),
}

/// Options of `hook pre-push`.
#[derive(Debug, Args)]
pub struct PrePushArgs {
    /// The remote's name (git passes it; the URL when pushing to a URL).
    pub remote: Option<String>,
    /// The remote's URL (git passes it).
    pub url: Option<String>,
    /// Read the range from PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF (the pre-commit framework)
    /// instead of standard input.
    #[arg(long)]
    pub from_env: bool,
    /// Configuration file (default: LEAKSCAN_CONFIG, else .leakscan.toml at the repository root).
    #[arg(short, long, env = "LEAKSCAN_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Show secrets in full.
    #[arg(long)]
    pub no_redact: bool,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Options of `hook install`.
#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Also install a pre-commit hook running `leakscan scan --staged`.
    #[arg(long)]
    pub pre_commit: bool,
    /// Keep a hook that leakscan did not write and run it before leakscan's check (it is
    /// kept as `<hook>.leakscan-chained`).
    #[arg(long, conflicts_with = "force")]
    pub chain: bool,
    /// Replace hooks that leakscan did not write (they are kept as `<hook>.leakscan-backup`).
    #[arg(long)]
    pub force: bool,
}

/// Options of `hook uninstall` (none yet: it removes every hook leakscan wrote).
#[derive(Debug, Args)]
pub struct UninstallArgs {}

#[cfg(test)]
mod tests {
    use super::ScanArgs;
    use clap::Parser;

    /// `ScanArgs::default()` is what clap fills in for a bare `leakscan scan`.
    #[test]
    fn scan_args_default_is_clap_default() {
        #[derive(Parser)]
        struct Wrap {
            #[command(flatten)]
            scan: ScanArgs,
        }
        if std::env::var_os("LEAKSCAN_FAIL_ON").is_some() {
            return; // clap would read it; the default does not.
        }
        let parsed = Wrap::try_parse_from(["leakscan"]).map(|w| w.scan);
        assert_eq!(
            parsed.map(|a| format!("{a:?}")).ok(),
            Some(format!("{:?}", ScanArgs::default()))
        );
    }
}
