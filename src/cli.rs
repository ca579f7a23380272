//! Command-line types (clap derive) and their help text. No logic: `settings` resolves them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::rules::{Confidence, Kind};
use crate::source::package::Manager;

const EXIT_STATUS_HELP: &str = "\
Examples:
  leakscan                          scan the current folder (and its git history)
  leakscan scan src/ config/        scan some folders
  leakscan scan --staged            what `git commit` would record (pre-commit)
  leakscan scan --range main..HEAD  the commits of a branch
  cat build.log | leakscan -        standard input
  leakscan scan -f sarif -o leakscan.sarif
  leakscan rules list               the rules in effect here
  leakscan detect --source . -v     a gitleaks command line works too (see `leakscan detect --help`)

Exit status:
  0  everything was scanned and nothing was found
  1  findings (change with --exit-code)
  2  usage or configuration error; nothing was scanned
  3  nothing was found, but something that should have been scanned was not
     (unreadable file, corrupt object, archive bomb); see the summary";

/// Find secrets and internal markers in working trees, git history and build artifacts
/// before they leave.
#[derive(Debug, Parser)]
#[command(
    name = "leakscan",
    version,
    about,
    after_help = EXIT_STATUS_HELP,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// What to do (default: scan).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of the default `scan` command.
    #[command(flatten)]
    pub scan: ScanArgs,
}

/// `--shard K/N`: 1 <= K <= N.
pub fn parse_shard(s: &str) -> Result<(u32, u32), String> {
    let (k, n) = s
        .split_once('/')
        .ok_or_else(|| format!("expected K/N (e.g. 2/8), got {s:?}"))?;
    let k: u32 = k
        .trim()
        .parse()
        .map_err(|_| format!("K in {s:?} is not a number"))?;
    let n: u32 = n
        .trim()
        .parse()
        .map_err(|_| format!("N in {s:?} is not a number"))?;
    if n == 0 || k == 0 || k > n {
        return Err(format!("shard {s:?}: expected 1 <= K <= N"));
    }
    Ok((k, n))
}

/// `leakscan report ...`
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Combine the JSON reports of shards (`scan --shard K/N`) into one report, in any format:
    /// one finding per (repository, rule, path, secret) with the earliest introduction, counts
    /// summed, every shard's skips kept. Exit 3 when a shard is missing or was incomplete.
    #[command(after_help = MERGE_HELP)]
    Merge(MergeArgs),
}

const MERGE_HELP: &str = "\
Every format of `scan --format` is written from the shards' JSON reports, as one unsharded \
scan would write it. Secrets stay as the reports hold them: redacted reports give redacted \
output; reports written with --no-redact give redacted output unless merge gets --no-redact \
too. Reports of several repositories (scan --repos) give SARIF with one run per repository; \
code scanning takes one repository's results: write one file per repository with \
--repository.

Examples:
  leakscan report merge -o audit.json shard-*.json
  leakscan report merge -f html -o audit.html shard-*.json
  leakscan report merge -f sarif --root . -o leakscan.sarif shard-*.json
  leakscan report merge -f sarif --repository https://github.com/org/app -o app.sarif shard-*.json

Exit status: 0 no findings, 1 findings, 2 bad input, 3 a shard missing or incomplete.";

/// `leakscan report merge`
#[derive(Debug, Args, Clone)]
pub struct MergeArgs {
    /// The merged report (`-`: standard output).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Format of the merged report.
    #[arg(short, long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// Show secrets in full; only for reports written with `scan --no-redact`.
    #[arg(long)]
    pub no_redact: bool,
    /// SARIF: the folder the scanned paths are relative to (`%SRCROOT%`), as `scan` records
    /// it; without it the SARIF names no root, and code scanning uses the checkout.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Keep only the findings of this repository (as listed in `--repos`): one repository's
    /// report, e.g. the SARIF to upload to its code scanning.
    #[arg(long, value_name = "REPO")]
    pub repository: Option<String>,
    /// The shards' JSON reports.
    #[arg(value_name = "REPORT", required = true)]
    pub inputs: Vec<PathBuf>,
}

/// Subcommands.
// One value, parsed once per process: boxing `ScanArgs` would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan folders, files, standard input or a git repository (the default).
    #[command(after_help = EXIT_STATUS_HELP)]
    Scan(ScanArgs),
    /// List, check and test rules.
    #[command(subcommand, after_help = RULES_HELP)]
    Rules(RulesCommand),
    /// Record today's findings so that later scans report only new ones.
    #[command(subcommand, after_help = BASELINE_HELP)]
    Baseline(BaselineCommand),
    /// Git hooks: run the pre-push check, or install it.
    #[command(subcommand, after_help = HOOK_HELP)]
    Hook(HookCommand),
    /// Reports: merge the JSON reports of shards.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Internal markers: make keyed hashes of codenames for `[internal] codename-hashes`.
    #[command(subcommand, after_help = INTERNAL_HELP)]
    Internal(InternalCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(after_help = COMPLETIONS_HELP)]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), made from this command line's definition.
    #[command(after_help = "Examples:\n  leakscan man > leakscan.1 && man ./leakscan.1")]
    Man,
    /// gitleaks compatibility: `gitleaks detect`, the history of a repository (files with
    /// --no-git, standard input with --pipe).
    #[command(after_help = DETECT_HELP, display_order = 100)]
    Detect(DetectArgs),
    /// gitleaks compatibility: `gitleaks git [REPO]`, the history of a repository (--staged:
    /// the staged changes).
    #[command(after_help = GIT_HELP, display_order = 101)]
    Git(GitCompatArgs),
    /// gitleaks compatibility: `gitleaks dir [PATH]` (also `directory`, `file`), files and
    /// folders without their history.
    #[command(visible_aliases = ["directory", "file"], after_help = DIR_HELP, display_order = 102)]
    Dir(DirArgs),
    /// gitleaks compatibility: `gitleaks protect`, uncommitted changes (--staged: the staged
    /// ones).
    #[command(after_help = PROTECT_HELP, display_order = 103)]
    Protect(ProtectArgs),
    /// gitleaks compatibility: `gitleaks stdin`, standard input.
    #[command(after_help = STDIN_HELP, display_order = 104)]
    Stdin(StdinArgs),
}

const RULES_HELP: &str = "\
Examples:
  leakscan rules list                      the rules in effect (.leakscan.toml here, or --config)
  leakscan rules list --json | jq '.[].id'
  leakscan rules check .leakscan.toml      syntax, regexes, ids, and each rule's examples
  leakscan rules test -c .leakscan.toml    every rule's examples and counter-examples
  leakscan rules convert .gitleaks.toml -o .leakscan.toml";

const BASELINE_HELP: &str = "\
Examples:
  leakscan baseline create -o .leakscan-baseline.json
  leakscan scan --baseline .leakscan-baseline.json     report only new findings
  leakscan baseline import -o .leakscan-baseline.json  from .gitleaksignore";

const HOOK_HELP: &str = "\
Examples:
  leakscan hook install                 pre-push check in this repository
  leakscan hook install --pre-commit    and a pre-commit check of the staged changes
  leakscan hook uninstall";

const INTERNAL_HELP: &str = "\
Examples:
  export LEAKSCAN_MARKER_KEY=...        a random key of 16 characters or more
  printf 'nightjar\\nblue heron\\n' | leakscan internal hash";

const COMPLETIONS_HELP: &str = "\
Examples:
  leakscan completions bash > ~/.local/share/bash-completion/completions/leakscan
  leakscan completions zsh > \"${fpath[1]}/_leakscan\"
  leakscan completions fish > ~/.config/fish/completions/leakscan.fish";

const DETECT_HELP: &str = "\
Examples:
  leakscan detect                       = leakscan scan --no-worktree .
  leakscan detect -s repo --log-opts=\"main..HEAD\"   = leakscan scan --range main..HEAD repo
  leakscan detect --no-git -s dist      = leakscan scan --no-history dist
  cat f | leakscan detect --pipe        = leakscan scan -

Secrets are redacted whatever --redact says; --no-redact shows them. The README's table
\"Switching from gitleaks\" maps every gitleaks option to leakscan's.";

const GIT_HELP: &str = "\
Examples:
  leakscan git                          = leakscan scan --no-worktree .
  leakscan git -v --redact repo         = leakscan scan --no-worktree repo
  leakscan git --pre-commit --staged    = leakscan scan --staged
  leakscan git --log-opts=\"A..B\"        = leakscan scan --range A..B

Secrets are redacted whatever --redact says; --no-redact shows them. The README's table
\"Switching from gitleaks\" maps every gitleaks option to leakscan's.";

const DIR_HELP: &str = "\
Examples:
  leakscan dir                          = leakscan scan --no-history .
  leakscan dir dist -r report.json      = leakscan scan --no-history dist -f json -o report.json

Secrets are redacted whatever --redact says; --no-redact shows them. The README's table
\"Switching from gitleaks\" maps every gitleaks option to leakscan's.";

const PROTECT_HELP: &str = "\
Examples:
  leakscan protect --staged             = leakscan scan --staged
  leakscan protect                      = leakscan scan --no-history (all uncommitted files)

Secrets are redacted whatever --redact says; --no-redact shows them. The README's table
\"Switching from gitleaks\" maps every gitleaks option to leakscan's.";

const STDIN_HELP: &str = "\
Examples:
  cat build.log | leakscan stdin        = cat build.log | leakscan scan -

Secrets are redacted whatever --redact says; --no-redact shows them. The README's table
\"Switching from gitleaks\" maps every gitleaks option to leakscan's.";

/// `leakscan baseline ...`
#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Scan like `leakscan scan` and write every finding to the baseline file given with -o.
    #[command(
        after_help = "Examples:\n  leakscan baseline create -o .leakscan-baseline.json\n  leakscan baseline create --no-history -o base.json src/\n\nThen: leakscan scan --baseline FILE reports only findings not in FILE."
    )]
    Create(BaselineArgs),
    /// Turn .gitleaksignore entries into baseline entries: scan like `leakscan scan` and record
    /// the findings that .gitleaksignore lists in the baseline file given with -o. Unlike the
    /// entries, which name a line, the baseline's fingerprints survive edits that move lines.
    /// gitleaks rule ids are translated to leakscan's (docs/gitleaks-ids.toml).
    #[command(
        after_help = "Examples:\n  leakscan baseline import -o .leakscan-baseline.json\n  leakscan baseline import --gitleaks-ignore-path ci/.gitleaksignore -o base.json\n\nThen: leakscan scan --baseline FILE reports only findings not in FILE, and .gitleaksignore can go."
    )]
    Import(BaselineArgs),
}

/// `leakscan internal ...`
#[derive(Debug, Subcommand)]
pub enum InternalCommand {
    /// Print the keyed hash (HMAC-SHA256) of each codename, ready for `codename-hashes`.
    /// The key is read from an environment variable, never from the command line.
    #[command(after_help = INTERNAL_HELP)]
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
    #[arg(short, long, value_enum, default_value_t = Format::Text, visible_alias = "report-format", help_heading = "Output")]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(
        short,
        long,
        short_alias = 'r',
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
    /// Which rules run.
    #[command(flatten)]
    pub select: RuleSelectArgs,

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
    /// Scan only the K-th (1-based) of N disjoint parts of the work: with --repos, every N-th
    /// repository of the list by a stable hash of its line; else the blobs of the history whose
    /// object id falls in the K-th of N ranges (every shard needs the whole commit walk:
    /// share one with --walk-cache). `leakscan report merge` combines the shards' JSON
    /// reports.
    #[arg(long, value_name = "K/N", value_parser = parse_shard, help_heading = "Git")]
    pub shard: Option<(u32, u32)>,
    /// One repository's commit and tree walk, shared by the shards of its history: read from
    /// FILE when FILE was written for the same refs (names and ids) and the same --range or
    /// --since; else walked and written to FILE. A stale or damaged FILE is walked again and
    /// rewritten, with a warning; one that cannot be written is a warning too.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["staged", "no_history", "repos"],
        help_heading = "Git"
    )]
    pub walk_cache: Option<PathBuf>,
    /// With --walk-cache: write FILE (unless it is up to date) and exit without scanning, for
    /// a job that runs before the shards. Prints one line: commits, blobs, file size.
    #[arg(long, requires = "walk_cache", help_heading = "Git")]
    pub walk_only: bool,
    /// Scan the repositories (URLs or paths) listed in FILE, one a line (`#` starts a
    /// comment), one after the other.
    #[arg(long, value_name = "FILE", help_heading = "Git")]
    pub repos: Option<PathBuf>,
    // -- artifacts (archives, decoding, packages, internal markers) --
    /// Kinds of finding that make the exit status 1, a comma-separated list of `secret` and
    /// `internal` (e.g. --fail-on secret). Findings of other kinds are still reported.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [KindArg::Secret, KindArg::Internal], hide_default_value = true, hide_possible_values = true, env = "LEAKSCAN_FAIL_ON", value_name = "KIND,...", help_heading = "Artifacts and markers")]
    pub fail_on: Vec<KindArg>,
    /// Packages, archives and decoding.
    #[command(flatten)]
    pub artifacts: ArtifactArgs,
    // -- baselines and ignore files --
    /// Report only findings that are not in this baseline (made by `leakscan baseline create`,
    /// or a gitleaks JSON report as gitleaks' --baseline-path takes).
    #[arg(
        long,
        short = 'b',
        visible_alias = "baseline-path",
        value_name = "FILE",
        help_heading = "Baselines"
    )]
    pub baseline: Option<PathBuf>,
    /// Fingerprints to ignore, one per line with a reason (default: .leakscanignore at the scan
    /// root, unless --no-repo-config).
    #[arg(long, value_name = "FILE", help_heading = "Baselines")]
    pub ignore_file: Option<PathBuf>,
    // -- gitleaks compatibility --
    /// gitleaks ignore file, or a folder holding one (default: .gitleaksignore at the scan
    /// root, and in the current folder). Listed findings are not reported; gitleaks rule ids
    /// are translated to leakscan's.
    #[arg(
        long,
        short = 'i',
        value_name = "PATH",
        help_heading = "gitleaks compatibility"
    )]
    pub gitleaks_ignore_path: Option<PathBuf>,
    /// Do not honour `gitleaks:allow` comments (`leakscan:allow` still counts).
    #[arg(long, help_heading = "gitleaks compatibility")]
    pub ignore_gitleaks_allow: bool,
    /// gitleaks' `--log-opts`: the git log options leakscan understands, `A..B` (as --range)
    /// and `--all` (the default); anything else is refused.
    #[arg(long, value_name = "OPTS", allow_hyphen_values = true, conflicts_with_all = ["range", "since", "staged", "no_history"], help_heading = "gitleaks compatibility")]
    pub log_opts: Option<String>,
    /// gitleaks' options with the same meaning.
    #[command(flatten)]
    pub compat: CompatArgs,
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
            artifacts: ArtifactArgs::default(),
            baseline: None,
            ignore_file: None,
            gitleaks_ignore_path: None,
            ignore_gitleaks_allow: false,
            shard: None,
            walk_cache: None,
            walk_only: false,
            repos: None,
            log_opts: None,
            compat: CompatArgs::default(),
            select: RuleSelectArgs::default(),
            validate: ValidateArgs::default(),
        }
    }
}

/// Defaults of [`ArtifactArgs`], for its options and its `Default`.
const ARCHIVE_DEPTH: usize = 5;
const ARCHIVE_SIZE: &str = "1G";
const DECODE_DEPTH: usize = 2;

/// What `scan` and `baseline create` open: packages, archives, encoded text.
#[derive(Debug, Args, Clone)]
pub struct ArtifactArgs {
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
        default_value_t = ARCHIVE_DEPTH,
        help_heading = "Artifacts and markers"
    )]
    pub max_archive_depth: usize,
    /// Bytes one archive may decompress to, all nesting levels together (e.g. 500M, 2G).
    #[arg(
        long,
        value_name = "SIZE",
        default_value = ARCHIVE_SIZE,
        help_heading = "Artifacts and markers"
    )]
    pub max_archive_size: String,
    /// How often decoded text (base64, hex, percent-encoding, string escapes) is decoded
    /// again (0: no decoding).
    #[arg(
        long,
        value_name = "N",
        default_value_t = DECODE_DEPTH,
        help_heading = "Artifacts and markers"
    )]
    pub max_decode_depth: usize,
}

impl Default for ArtifactArgs {
    /// The defaults of the options above.
    fn default() -> ArtifactArgs {
        ArtifactArgs {
            package: None,
            max_archive_depth: ARCHIVE_DEPTH,
            max_archive_size: ARCHIVE_SIZE.into(),
            max_decode_depth: DECODE_DEPTH,
        }
    }
}

/// `--only-rule`, `--enable-rule`, `--disable-rule`: which rules run. Each takes rule ids,
/// globs over ids (`aws-*`) and tags (`cloud`), repeated or comma-separated.
#[derive(Debug, Args, Clone, Default)]
pub struct RuleSelectArgs {
    /// Run only these rules (ids, globs such as `aws-*`, or tags such as `cloud`).
    #[arg(
        long,
        value_name = "RULE,...",
        value_delimiter = ',',
        help_heading = "Rules"
    )]
    pub only_rule: Vec<String>,
    /// Run these built-in rules even when the configuration switched them off (`[extend]
    /// disable`, `[select] disable`).
    #[arg(
        long,
        value_name = "RULE,...",
        value_delimiter = ',',
        help_heading = "Rules"
    )]
    pub enable_rule: Vec<String>,
    /// Do not run these rules.
    #[arg(
        long,
        value_name = "RULE,...",
        value_delimiter = ',',
        help_heading = "Rules"
    )]
    pub disable_rule: Vec<String>,
}

/// gitleaks' `--log-level` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogLevel {
    /// As info.
    Trace,
    /// As info.
    Debug,
    /// Findings, summary and notes (the default).
    Info,
    /// Findings only (as --quiet).
    Warn,
    /// Findings only (as --quiet).
    Error,
    /// Findings only (as --quiet).
    Fatal,
}

/// gitleaks' options that have a leakscan meaning, accepted so that a gitleaks command line
/// works unchanged (the README's table "Switching from gitleaks" maps each).
#[derive(Debug, Args, Clone, Default)]
pub struct CompatArgs {
    /// gitleaks' `--redact[=N]`. Secrets are always redacted unless --no-redact: leakscan
    /// shows at most one character in six of a secret, never more than six, whatever N (1 to
    /// 100) asks. N = 0, gitleaks' "no redaction", is refused: say --no-redact.
    #[arg(long, value_name = "N", num_args = 0..=1, require_equals = true, default_missing_value = "100", value_parser = clap::value_parser!(u8).range(0..=100), help_heading = "gitleaks compatibility")]
    pub redact: Option<u8>,
    /// gitleaks' `--max-target-megabytes N`: skip files larger than N MiB (as --max-file-size
    /// NM; 0: no limit).
    #[arg(long, value_name = "N", help_heading = "gitleaks compatibility")]
    pub max_target_megabytes: Option<u64>,
    /// gitleaks' `-v/--verbose`: accepted; leakscan's report always lists each finding.
    #[arg(short, long, help_heading = "gitleaks compatibility")]
    pub verbose: bool,
    /// gitleaks' `--no-banner`: accepted; leakscan prints no banner.
    #[arg(long, help_heading = "gitleaks compatibility")]
    pub no_banner: bool,
    /// gitleaks' `-l/--log-level`: warn, error and fatal print findings only (as --quiet).
    #[arg(
        short = 'l',
        long,
        value_enum,
        value_name = "LEVEL",
        help_heading = "gitleaks compatibility"
    )]
    pub log_level: Option<LogLevel>,
    /// gitleaks' `--no-color`: as --color never.
    #[arg(long, help_heading = "gitleaks compatibility")]
    pub no_color: bool,
}

/// Options of `baseline create` and `baseline import`: what to scan and with which rules; a
/// baseline has no report format, exit-code or colour options.
#[derive(Debug, Args, Clone)]
pub struct BaselineArgs {
    /// Folders, files or `-` for standard input (default: the current folder).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The baseline file to write (JSON).
    #[arg(short, long, value_name = "FILE", required = true)]
    pub output: PathBuf,
    /// No messages on standard error except errors.
    #[arg(short, long)]
    pub quiet: bool,
    /// No progress indicator.
    #[arg(long)]
    pub no_progress: bool,
    /// Lowest confidence to record (generic rules are `low`).
    #[arg(long, value_enum, default_value_t = ConfidenceArg::Medium)]
    pub min_confidence: ConfidenceArg,

    /// Configuration file, leakscan or gitleaks format (default: as `leakscan scan`).
    #[arg(
        short,
        long,
        env = "LEAKSCAN_CONFIG",
        value_name = "FILE",
        help_heading = "Rules"
    )]
    pub config: Option<PathBuf>,
    /// Ignore configuration files found in the scanned repository.
    #[arg(long, help_heading = "Rules")]
    pub no_repo_config: bool,
    /// Which rules run.
    #[command(flatten)]
    pub select: RuleSelectArgs,

    /// Threads (default: the number of CPUs).
    #[arg(short = 'j', long, value_name = "N", help_heading = "Input")]
    pub threads: Option<usize>,
    /// Skip files larger than this (e.g. 10M, 1G).
    #[arg(long, value_name = "SIZE", help_heading = "Input")]
    pub max_file_size: Option<String>,
    /// Do not honour .gitignore, .ignore and git's exclude files.
    #[arg(long, help_heading = "Input")]
    pub no_ignore: bool,
    /// Git history options.
    #[command(flatten)]
    pub git: GitArgs,
    /// Packages, archives and decoding.
    #[command(flatten)]
    pub artifacts: ArtifactArgs,
    /// Fingerprints to leave out (default: .leakscanignore at the scan root).
    #[arg(long, value_name = "FILE", help_heading = "Baselines")]
    pub ignore_file: Option<PathBuf>,
    /// gitleaks ignore file, or a folder holding one (default: .gitleaksignore at the scan
    /// root, and in the current folder).
    #[arg(
        long,
        short = 'i',
        value_name = "PATH",
        help_heading = "gitleaks compatibility"
    )]
    pub gitleaks_ignore_path: Option<PathBuf>,
    /// Do not honour `gitleaks:allow` comments.
    #[arg(long, help_heading = "gitleaks compatibility")]
    pub ignore_gitleaks_allow: bool,
}

impl BaselineArgs {
    /// The scan these options describe (the report options at their defaults).
    pub fn to_scan_args(&self) -> ScanArgs {
        ScanArgs {
            paths: self.paths.clone(),
            output: Some(self.output.clone()),
            quiet: self.quiet,
            no_progress: self.no_progress,
            min_confidence: self.min_confidence,
            config: self.config.clone(),
            no_repo_config: self.no_repo_config,
            select: self.select.clone(),
            threads: self.threads,
            max_file_size: self.max_file_size.clone(),
            no_ignore: self.no_ignore,
            git: self.git.clone(),
            artifacts: self.artifacts.clone(),
            ignore_file: self.ignore_file.clone(),
            gitleaks_ignore_path: self.gitleaks_ignore_path.clone(),
            ignore_gitleaks_allow: self.ignore_gitleaks_allow,
            ..ScanArgs::default()
        }
    }
}

/// The options every gitleaks scanning command takes (gitleaks' persistent flags), with
/// gitleaks' names, short forms and meaning.
#[derive(Debug, Args, Clone)]
pub struct GitleaksArgs {
    /// Configuration file, gitleaks or leakscan format (default: GITLEAKS_CONFIG, then
    /// .leakscan.toml or .gitleaks.toml at the scan root).
    #[arg(short, long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Exit status when findings are reported.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub exit_code: u8,
    /// Report file (`-`: standard output). Without -f its format follows the extension
    /// (.json, .sarif, .xml as JUnit), else JSON, as gitleaks does.
    #[arg(short = 'r', long, value_name = "FILE")]
    pub report_path: Option<PathBuf>,
    /// Report format.
    #[arg(short = 'f', long, value_enum, value_name = "FORMAT")]
    pub report_format: Option<Format>,
    /// A baseline: a gitleaks JSON report, or a leakscan baseline. Findings it lists are not
    /// reported.
    #[arg(short = 'b', long, value_name = "FILE")]
    pub baseline_path: Option<PathBuf>,
    /// Run only these rules (gitleaks ids are translated to leakscan's; globs and tags work).
    #[arg(long, value_name = "RULE,...", value_delimiter = ',')]
    pub enable_rule: Vec<String>,
    /// gitleaks ignore file, or a folder holding one (default: .gitleaksignore at the scan
    /// root, and in the current folder).
    #[arg(short = 'i', long, value_name = "PATH")]
    pub gitleaks_ignore_path: Option<PathBuf>,
    /// Do not honour `gitleaks:allow` comments.
    #[arg(long)]
    pub ignore_gitleaks_allow: bool,
    /// How often decoded text is decoded again.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub max_decode_depth: usize,
    /// Archives nested deeper than this are not opened (0: archives are scanned as bytes,
    /// gitleaks' default; leakscan opens them).
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub max_archive_depth: usize,
    /// Show secrets in full (leakscan's option; gitleaks shows them unless --redact).
    #[arg(long)]
    pub no_redact: bool,
    /// gitleaks' options with the same meaning.
    #[command(flatten)]
    pub compat: CompatArgs,
}

/// `leakscan detect`: gitleaks' `detect`.
#[derive(Debug, Args, Clone)]
pub struct DetectArgs {
    /// The repository or folder to scan.
    #[arg(short, long, value_name = "PATH", default_value = ".")]
    pub source: PathBuf,
    /// Scan the files, not the history (as `leakscan scan --no-history`).
    #[arg(long)]
    pub no_git: bool,
    /// Scan standard input (as `leakscan scan -`).
    #[arg(long, conflicts_with = "no_git")]
    pub pipe: bool,
    /// git log options: `A..B` (as --range) and `--all` are understood.
    #[arg(long, value_name = "OPTS", allow_hyphen_values = true)]
    pub log_opts: Option<String>,
    /// Accepted; leakscan does not follow symbolic links.
    #[arg(long)]
    pub follow_symlinks: bool,
    /// Accepted; leakscan's reports do not link to a platform.
    #[arg(long, value_name = "PLATFORM")]
    pub platform: Option<String>,
    /// gitleaks' common options.
    #[command(flatten)]
    pub common: GitleaksArgs,
}

/// `leakscan git`: gitleaks' `git`.
#[derive(Debug, Args, Clone)]
pub struct GitCompatArgs {
    /// The repository (default: the current folder).
    #[arg(value_name = "REPO")]
    pub repo: Option<PathBuf>,
    /// Scan the staged changes (as `leakscan scan --staged`).
    #[arg(long)]
    pub staged: bool,
    /// Scan the uncommitted changes: with --staged the staged ones, else the working tree's
    /// files (as `leakscan scan --no-history`).
    #[arg(long)]
    pub pre_commit: bool,
    /// git log options: `A..B` (as --range) and `--all` are understood.
    #[arg(long, value_name = "OPTS", allow_hyphen_values = true, conflicts_with_all = ["staged", "pre_commit"])]
    pub log_opts: Option<String>,
    /// Accepted; leakscan's reports do not link to a platform.
    #[arg(long, value_name = "PLATFORM")]
    pub platform: Option<String>,
    /// gitleaks' common options.
    #[command(flatten)]
    pub common: GitleaksArgs,
}

/// `leakscan dir`: gitleaks' `dir`.
#[derive(Debug, Args, Clone)]
pub struct DirArgs {
    /// The folder or file (default: the current folder).
    #[arg(value_name = "PATH")]
    pub path: Option<PathBuf>,
    /// Accepted; leakscan does not follow symbolic links.
    #[arg(long)]
    pub follow_symlinks: bool,
    /// gitleaks' common options.
    #[command(flatten)]
    pub common: GitleaksArgs,
}

/// `leakscan protect`: gitleaks' `protect`.
#[derive(Debug, Args, Clone)]
pub struct ProtectArgs {
    /// The repository.
    #[arg(short, long, value_name = "PATH", default_value = ".")]
    pub source: PathBuf,
    /// Scan the staged changes (as `leakscan scan --staged`).
    #[arg(long)]
    pub staged: bool,
    /// Accepted and not used, as by gitleaks' protect.
    #[arg(long, value_name = "OPTS", allow_hyphen_values = true, hide = true)]
    pub log_opts: Option<String>,
    /// gitleaks' common options.
    #[command(flatten)]
    pub common: GitleaksArgs,
}

/// `leakscan stdin`: gitleaks' `stdin`.
#[derive(Debug, Args, Clone)]
pub struct StdinArgs {
    /// gitleaks' common options.
    #[command(flatten)]
    pub common: GitleaksArgs,
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
    /// List the rules in effect: the configuration here (.leakscan.toml, .gitleaks.toml) or
    /// --config, with the rule selection applied.
    #[command(
        after_help = "Examples:\n  leakscan rules list\n  leakscan rules list --only-rule aws-*\n  leakscan rules list --json -c .leakscan.toml"
    )]
    List(RulesListArgs),
    /// Check a rule or configuration file: syntax, regexes, ids, and that each rule's examples
    /// match and its counter-examples do not.
    #[command(
        after_help = "Examples:\n  leakscan rules check .leakscan.toml\n  leakscan rules check rules/*.toml"
    )]
    Check {
        /// Files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Run the examples and counter-examples of every rule in effect (as `rules list`).
    #[command(
        after_help = "Examples:\n  leakscan rules test\n  leakscan rules test -c my-rules.toml --only-rule my-*"
    )]
    Test(RulesListArgs),
    /// Convert a gitleaks configuration into an equivalent leakscan one (.leakscan.toml).
    #[command(after_help = "Examples:\n  leakscan rules convert .gitleaks.toml -o .leakscan.toml")]
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
    /// Configuration file (default: as `leakscan scan` finds it: LEAKSCAN_CONFIG,
    /// GITLEAKS_CONFIG, else .leakscan.toml or .gitleaks.toml in the current folder).
    #[arg(short, long, env = "LEAKSCAN_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The built-in pack only, whatever configuration is here.
    #[arg(long, conflicts_with = "config")]
    pub builtin: bool,
    /// Which rules.
    #[command(flatten)]
    pub select: RuleSelectArgs,
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
    /// With --range or --since: also report the secrets that the base (A, or REV) already
    /// holds at the same path. By default only what the commits newly bring to a path is
    /// reported: editing a file around an old secret, or moving its line, is not a new leak.
    #[arg(long, help_heading = "Git")]
    pub all_new: bool,
}

/// `leakscan hook ...`
#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// The pre-push check: reads git's pre-push lines on standard input, scans only the commits
    /// the remote does not have, and exits non-zero (blocking the push) on findings.
    #[command(
        after_help = "Examples:\n  git push   (runs it once `leakscan hook install` wrote the hook)\n  PRE_COMMIT_FROM_REF=origin/main PRE_COMMIT_TO_REF=HEAD leakscan hook pre-push --from-env"
    )]
    PrePush(PrePushArgs),
    /// Write leakscan's hooks into the repository of the current folder (honours
    /// core.hooksPath). The hooks run the `leakscan` on PATH when git runs them.
    #[command(
        after_help = "Examples:\n  leakscan hook install\n  leakscan hook install --pre-commit --chain"
    )]
    Install(InstallArgs),
    /// Remove leakscan's hooks and put back the hooks they chained or replaced.
    #[command(after_help = "Examples:\n  leakscan hook uninstall")]
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
    /// Output format (a hook's output is read in a terminal or a CI log).
    #[arg(short, long, value_enum, default_value_t = HookFormat::Text)]
    pub format: HookFormat,
    /// Baseline file whose findings are accepted (default: .leakscan-baseline.json at the
    /// repository root, when there is one).
    #[arg(short, long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Also report the secrets the remote already holds at the same path (by default a push
    /// is blocked only by what it newly brings to a path).
    #[arg(long)]
    pub all_new: bool,
}

/// The formats `hook pre-push` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum HookFormat {
    /// Human-readable report.
    Text,
    /// JSON document (schema in the README).
    Json,
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
