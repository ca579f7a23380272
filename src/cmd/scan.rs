//! `leakscan scan`: resolve settings, load rules, scan every source, report, compute the exit
//! status.
#![allow(clippy::print_stderr)]

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use crate::baseline::{self, Baseline, IgnoreList};
use crate::cli::{ColorChoice, Format, ScanArgs};
use crate::cmd::rules::ignore_broken_pipe;
use crate::drive::Notes;
use crate::error::{Error, ExitStatus};
use crate::gitleaksignore::GitleaksIgnore;
use crate::report::sarif::{Limits, Sarif};
use crate::report::{Report, Reporter};
use crate::rules::{self, Kind, RuleSet};
use crate::scan::{Output, ScanOptions, Scanner};
use crate::settings::Settings;
use crate::source::fs;

/// What a scan found, before baselines and reporting.
pub struct Scanned {
    /// The resolved settings.
    pub settings: Settings,
    /// The rules it ran.
    pub rules: Arc<RuleSet>,
    /// Findings, skips and counters, in report order.
    pub out: Output,
    /// Notes for the summary.
    pub notes: Vec<String>,
    /// When the scan started.
    pub started: Instant,
    /// The `.gitleaksignore` entries, with which of them matched a finding.
    pub gitleaks_ignore: GitleaksIgnore,
    /// With `--shard` or `--repos`: the shard and repositories the report covers.
    pub part: Option<crate::report::json::Part>,
}

/// Resolves settings, loads rules and scans every source. Repository URLs among the paths are
/// cloned first (`source::remote`) and the clones removed when the scan is over.
pub fn collect(args: &ScanArgs) -> Result<Scanned, Error> {
    let (expanded, part) = crate::cmd::merge::expand_repos(args)?;
    match part {
        Some(part) if args.repos.is_some() => collect_repos(&expanded, part),
        part => collect_one(&expanded, part),
    }
}

/// `--repos`: scans each repository alone, one after the other (in sorted order, see
/// `cmd::merge::expand_repos`), and puts the findings together in that order, each with its
/// repository. A repository that cannot be scanned
/// (clone failed, not a repository) is a skip, which makes the scan incomplete.
fn collect_repos(args: &ScanArgs, part: crate::report::json::Part) -> Result<Scanned, Error> {
    use crate::error::{Skip, SkipReason};
    if args.paths.is_empty() {
        // A shard that gets no repository: an empty report, not a scan of the current folder
        // (nor of a temporary one left behind).
        let none = ScanArgs {
            repos: None,
            shard: None,
            ..args.clone()
        };
        let mut s = collect_with(Settings::from_args(&none)?, |_, _, _| Ok(Output::default()))?;
        s.part = Some(part);
        return Ok(s);
    }
    let mut all: Option<Scanned> = None;
    let mut failed = Vec::new();
    let mut first_error = None;
    for (i, path) in args.paths.iter().enumerate() {
        let one = ScanArgs {
            paths: vec![path.clone()],
            repos: None,
            shard: None,
            ..args.clone()
        };
        let mut s = match collect_one(&one, None) {
            Ok(s) => s,
            Err(e) => {
                let shown = part.repositories.get(i).cloned().unwrap_or_default();
                failed.push(Skip::new(shown, SkipReason::Unreadable, e.to_string()));
                first_error.get_or_insert(e);
                continue;
            }
        };
        let shown = part.repositories.get(i).cloned().unwrap_or_default();
        for f in s.out.findings.iter_mut().chain(s.out.dropped.iter_mut()) {
            f.repository = Some(shown.clone());
        }
        match &mut all {
            None => all = Some(s),
            Some(a) => {
                a.out.findings.extend(s.out.findings);
                a.out.dropped.extend(s.out.dropped);
                a.out.skips.extend(s.out.skips);
                a.out.stats.files += s.out.stats.files;
                a.out.stats.blobs += s.out.stats.blobs;
                a.out.stats.bytes += s.out.stats.bytes;
                for n in s.notes {
                    if !a.notes.contains(&n) {
                        a.notes.push(n);
                    }
                }
            }
        }
    }
    let Some(mut s) = all else {
        return Err(first_error.unwrap_or_else(|| Error::Usage("no repository to scan".into())));
    };
    s.out.skips.extend(failed);
    s.out.skips.sort();
    s.out.skips.dedup();
    s.part = Some(part);
    Ok(s)
}

/// Scans the paths of `args` (after `--repos` expansion) as one scan.
fn collect_one(args: &ScanArgs, part: Option<crate::report::json::Part>) -> Result<Scanned, Error> {
    let history = !args.git.no_history && !args.git.staged;
    let (remotes, paths) = crate::source::remote::Remotes::prepare(&args.paths, history)?;
    let part = part.map(|mut p| {
        for r in &mut p.repositories {
            *r = remotes.scrub(r);
        }
        p
    });
    if remotes.is_empty() {
        let mut s = collect_with(Settings::from_args(args)?, crate::drive::scan_sources)?;
        s.part = part;
        return Ok(s);
    }
    let args = ScanArgs {
        paths,
        ..args.clone()
    };
    let scrub = |e: Error| Error::Usage(remotes.scrub(&e.to_string()));
    let mut s = Settings::from_args(&args)
        .and_then(|settings| collect_with(settings, crate::drive::scan_sources))
        .map_err(scrub)?;
    for n in &mut s.notes {
        *n = remotes.scrub(n);
    }
    for skip in &mut s.out.skips {
        skip.path = remotes.scrub(&skip.path);
        skip.detail = remotes.scrub(&skip.detail);
    }
    s.notes.extend(remotes.notes());
    s.part = part;
    Ok(s)
}

/// Loads the rules and runs `source` on a thread pool of the configured size. `source` may
/// add notes for the summary.
pub fn collect_with(
    settings: Settings,
    source: impl FnOnce(&Settings, &Scanner, &mut Notes) -> Result<Output, Error> + Send,
) -> Result<Scanned, Error> {
    let started = Instant::now();
    let mut settings = settings;
    let mut loaded = rules::load_for_scan(&settings.config)?;
    settings.select.apply(
        &mut loaded.rules.rules,
        rules::builtin::builtin_rules_for_scan,
        "command line",
    )?;
    let mut notes = Vec::new();
    if let Some(name) = settings.config.describe() {
        let format = if loaded.gitleaks {
            " (gitleaks format)"
        } else {
            ""
        };
        notes.push(format!("configuration: {name}{format}"));
    }
    // Warnings say what a gitleaks configuration lost in translation: always shown.
    for w in &loaded.warnings {
        eprintln!("leakscan: warning: {w}");
    }
    let mut ignore = GitleaksIgnore::default();
    for path in &settings.gitleaks_ignore {
        let (entries, warnings) = GitleaksIgnore::read(path)?;
        for w in warnings {
            eprintln!("leakscan: warning: {w}");
        }
        notes.push(format!("gitleaks ignore file: {}", path.display()));
        ignore.extend(entries);
    }
    if !ignore.is_empty() && settings.git.history {
        for root in &settings.roots {
            if let crate::source::git::Detected::Repo(repo) = crate::source::git::detect(root) {
                ignore.resolve_blobs(|c, p| repo.rev_hex(&format!("{c}:{p}")).ok());
                break;
            }
        }
    }
    let ignore_used = ignore.clone();
    marker_warnings(&settings, &loaded.marker_warnings, &mut notes)?;
    let never_scan = private_files(&mut settings, &loaded);
    let rules = Arc::new(loaded.rules);
    let scanner = Scanner::new(
        rules.clone(),
        ScanOptions {
            explain: settings.explain,
            min_confidence: settings.min_confidence,
            archives: settings.archives.clone(),
            max_decode_depth: settings.max_decode_depth,
            never_scan,
            chunks: Default::default(),
        },
    )
    .with_gitleaks_ignore(ignore)
    .with_gitleaks_allow(settings.gitleaks_allow);
    // The history walk recurses along delta chains (at most 100 deep) and rayon nests stolen
    // work on the waiting thread's stack: room for that, reserved, not committed.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.threads)
        .stack_size(32 << 20)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {} threads: {e}", settings.threads)))?;
    let mut told = Notes::default();
    let starting =
        crate::progress::Starting::new("listing files and reading git history", settings.progress);
    let mut out = pool.install(|| source(&settings, &scanner, &mut told))?;
    drop(starting);
    out.finish();
    if !settings.quiet && settings.format == Format::Text && settings.output.is_none() {
        // The summary (with its notes) goes to standard output in this case; warnings must
        // reach standard error too, where CI logs show them.
        for w in &told.warnings {
            eprintln!("leakscan: warning: {w}");
        }
    }
    notes.extend(told.notes);
    if !ignore_used.is_empty() {
        let u = ignore_used.usage();
        notes.push(format!(
            "{} of {} gitleaks ignore entries applied",
            u.applied, u.entries
        ));
    }
    Ok(Scanned {
        settings,
        rules,
        out,
        notes,
        started,
        gitleaks_ignore: ignore_used,
        part: None,
    })
}

/// Drops findings listed in the ignore file, and with `--baseline` those the baseline accepts.
pub fn suppress(s: &mut Scanned, use_baseline: bool) -> Result<(), Error> {
    let ignore = s
        .settings
        .ignore_file
        .as_deref()
        .map(IgnoreList::read)
        .transpose()?;
    let baseline = match (&s.settings.baseline, use_baseline) {
        (Some(p), true) => Some(Baseline::read(p)?),
        _ => None,
    };
    let n = baseline::filter(&mut s.out.findings, baseline.as_ref(), ignore.as_ref());
    if let Some(i) = &ignore {
        s.notes.push(format!(
            "{} finding(s) ignored by {}",
            n.ignored,
            i.path.display()
        ));
    }
    if let (Some(p), Some(_)) = (&s.settings.baseline, &baseline) {
        s.notes.push(format!(
            "{} finding(s) already in the baseline {}",
            n.baseline,
            p.display()
        ));
    }
    Ok(())
}

/// Runs a scan and returns the exit code.
pub fn run(args: &ScanArgs) -> Result<u8, Error> {
    if args.walk_only {
        return walk_only(args);
    }
    let s = collect(args)?;
    finish(s)
}

/// Scans `source` with `settings`, reports, and returns the exit code.
pub fn run_with(
    settings: Settings,
    source: impl FnOnce(&Settings, &Scanner, &mut Notes) -> Result<Output, Error> + Send,
) -> Result<u8, Error> {
    finish(collect_with(settings, source)?)
}

/// `scan --walk-only`: writes the walk file of the one repository named (a URL is cloned
/// first) and prints one line: commits, blobs, the file and its size.
fn walk_only(args: &ScanArgs) -> Result<u8, Error> {
    let (remotes, paths) = crate::source::remote::Remotes::prepare(&args.paths, true)?;
    let scrub = |e: Error| {
        if remotes.is_empty() {
            e
        } else {
            Error::Usage(remotes.scrub(&e.to_string()))
        }
    };
    let args = ScanArgs {
        paths,
        ..args.clone()
    };
    let settings = Settings::from_args(&args).map_err(scrub)?;
    let w = crate::drive::history::walk_only(&settings).map_err(scrub)?;
    let file = settings
        .git
        .walk_cache
        .as_deref()
        .unwrap_or(std::path::Path::new(""));
    if settings.quiet {
        return Ok(ExitStatus::Clean.code());
    }
    if let Some(warning) = crate::drive::history::walk_cache_warning(file, &w.how) {
        eprintln!("leakscan: warning: {warning}");
    }
    let (done, bytes) = match w.how {
        crate::source::git::WalkCache::Read { bytes } => ("up to date in", bytes),
        crate::source::git::WalkCache::Written { bytes, .. } => ("written to", bytes),
        crate::source::git::WalkCache::NotWritten { .. } => ("not written to", 0),
    };
    let skips = if w.skips > 0 {
        format!(", {} object(s) not read (the shards report them)", w.skips)
    } else {
        String::new()
    };
    let line = format!(
        "walk of {} commits, {} blobs{skips} {done} {} ({})\n",
        w.commits,
        w.blobs,
        file.display(),
        crate::report::text::human_bytes(bytes)
    );
    ignore_broken_pipe(std::io::stdout().lock().write_all(line.as_bytes()))?;
    Ok(ExitStatus::Clean.code())
}

/// Says on standard error how many `.gitleaksignore` entries matched no finding (unless
/// `--quiet`): they are stale, or name a rule leakscan does not know.
pub fn warn_unused_ignores(s: &Scanned) {
    if s.settings.quiet {
        return;
    }
    if let Some(w) = s.gitleaks_ignore.usage().warning() {
        eprintln!("leakscan: warning: {w}");
    }
}

/// Applies the ignore file and baseline, reports, and returns the exit code.
fn finish(mut s: Scanned) -> Result<u8, Error> {
    warn_unused_ignores(&s);
    suppress(&mut s, true)?;
    validate(&mut s)?;
    let report = Report {
        findings: &s.out.findings,
        dropped: &s.out.dropped,
        skips: &s.out.skips,
        stats: &s.out.stats,
        elapsed: s.started.elapsed(),
        redact: s.settings.redact,
        rules: &s.rules,
        notes: &s.notes,
        part: s.part.as_ref(),
    };
    emit(&s.settings, &report)?;
    let code = exit_code(&s.settings, &report);
    // The process ends here: freeing the rule set (hundreds of rules, their compiled regexes
    // and automata) one allocation at a time took a twentieth of a one-file scan's time, and
    // the operating system takes the memory back at exit anyway. Nothing in `Scanned` has a
    // side effect on drop (files are written and flushed by `emit`).
    std::mem::forget(s);
    Ok(code)
}

/// Internal markers that could not be loaded: an error when the scan fails on internal
/// markers (it could not check them all), else a note.
fn marker_warnings(
    settings: &Settings,
    warnings: &[String],
    notes: &mut Vec<String>,
) -> Result<(), Error> {
    if warnings.is_empty() {
        return Ok(());
    }
    if settings.fail_on.contains(&Kind::Internal) {
        let mut list = warnings.to_vec();
        list.push("internal markers cannot all be checked: provide them, or pass --fail-on secret to report internal markers without failing on them".into());
        return Err(Error::ConfigMany(list));
    }
    notes.extend(warnings.iter().cloned());
    Ok(())
}

/// The configuration, the files markers were read from, the baseline and the ignore file are
/// never scanned: excluded from the walk, and named relative to the root for the other sources
/// (history, packages), so a committed `.leakscan-baseline.json` (keyed digests that look like
/// assigned secrets) is not reported from history either.
fn private_files(settings: &mut Settings, loaded: &rules::LoadedConfig) -> Vec<String> {
    let mut relative = Vec::new();
    let root = settings.root.canonicalize().ok();
    let own = [settings.baseline.clone(), settings.ignore_file.clone()];
    for p in loaded
        .path
        .iter()
        .chain(&loaded.marker_files)
        .chain(own.iter().flatten())
    {
        let Ok(c) = p.canonicalize() else { continue };
        if let Some(rel) = root.as_ref().and_then(|r| c.strip_prefix(r).ok()) {
            relative.push(fs::display_path(rel));
        }
        if !settings.walk.exclude.contains(&c) {
            settings.walk.exclude.push(c);
        }
    }
    // The default baseline at the root holds keyed digests, never secrets: it is not scanned
    // even when this run does not read it (`--no-repo-config`, as the Action's pull-request
    // scan runs), or a pull request that adds baseline entries would be reported for them.
    let default = crate::baseline::DEFAULT_FILE.to_string();
    if !relative.contains(&default) {
        relative.push(default);
    }
    if let Ok(c) = settings
        .root
        .join(crate::baseline::DEFAULT_FILE)
        .canonicalize()
    {
        if !settings.walk.exclude.contains(&c) {
            settings.walk.exclude.push(c);
        }
    }
    relative
}

/// With `--validate`: asks the providers, keeps only valid findings with `--only-valid`, and
/// lists valid findings first in the text report.
fn validate(s: &mut Scanned) -> Result<(), Error> {
    let Some(v) = &s.settings.validate else {
        return Ok(());
    };
    let sum = crate::validate::validate(&mut s.out.findings, &s.rules, &v.options)?;
    let counts: Vec<String> = sum
        .by_status
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect();
    s.notes.push(format!(
        "validation: {} ({} secret(s) asked, {} request(s), {} from the cache)",
        if counts.is_empty() {
            "nothing to validate".to_string()
        } else {
            counts.join(", ")
        },
        sum.asked,
        sum.requests,
        sum.cached
    ));
    if v.only_valid {
        s.out.findings.retain(|f| {
            f.validation
                .as_ref()
                .is_some_and(|v| v.status == crate::validate::Status::Valid)
        });
    }
    if s.settings.format == Format::Text {
        // Stable: within each verdict, the usual order.
        s.out.findings.sort_by_key(|f| {
            f.validation
                .as_ref()
                .is_none_or(|v| v.status != crate::validate::Status::Valid)
        });
    }
    Ok(())
}

/// `--exit-code` (1) on findings of a kind in `--fail-on`, else 3 when something was not
/// scanned, else 0.
fn exit_code(settings: &Settings, report: &Report<'_>) -> u8 {
    let fail_on_valid = settings.validate.as_ref().is_some_and(|v| v.fail_on_valid);
    if report.findings.iter().any(|f| {
        settings.fail_on.contains(&f.kind)
            && (!fail_on_valid
                || f.validation
                    .as_ref()
                    .is_some_and(|v| v.status == crate::validate::Status::Valid))
    }) {
        settings.exit_code
    } else if report.incomplete() {
        ExitStatus::Incomplete.code()
    } else {
        ExitStatus::Clean.code()
    }
}

fn color_choice(c: ColorChoice) -> anstream::ColorChoice {
    match c {
        ColorChoice::Auto => anstream::ColorChoice::Auto,
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
    }
}

/// Writes the report where it was asked for, and the summary on standard error when the report
/// itself is not text.
fn emit(settings: &Settings, report: &Report<'_>) -> Result<(), Error> {
    let is_text = settings.format == Format::Text;
    let sarif = Sarif {
        root: std::fs::canonicalize(settings.display_root()).ok(),
        limits: Limits::default(),
    };
    let (reporter, warnings) =
        crate::cmd::emit::reporter(settings.format, !settings.quiet, &sarif, report)?;
    for w in &warnings {
        eprintln!("leakscan: {w}");
    }
    write_report(settings, report, is_text, reporter.as_ref())
}

/// Writes the report where it was asked for, and the summary on standard error when the
/// report itself is not text.
fn write_report(
    settings: &Settings,
    report: &Report<'_>,
    is_text: bool,
    reporter: &dyn Reporter,
) -> Result<(), Error> {
    match &settings.output {
        Some(path) => {
            let file = std::fs::File::create(path).map_err(|e| Error::Io {
                path: path.clone(),
                source: e,
            })?;
            let mut w = std::io::BufWriter::new(anstream::StripStream::new(file));
            reporter
                .write(report, &mut w)
                .and_then(|_| w.flush())
                .map_err(|e| Error::Io {
                    path: path.clone(),
                    source: e,
                })?;
        }
        None => {
            let stdout = std::io::stdout();
            let choice = match settings.color {
                ColorChoice::Auto => anstream::AutoStream::choice(&stdout),
                c => color_choice(c),
            };
            let mut w = std::io::BufWriter::new(anstream::AutoStream::new(stdout.lock(), choice));
            ignore_broken_pipe(reporter.write(report, &mut w).and_then(|_| w.flush()))?;
        }
    }
    if let Some(path) = &settings.markdown_summary {
        let io = |e| Error::Io {
            path: path.clone(),
            source: e,
        };
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(io)?;
        let mut w = std::io::BufWriter::new(file);
        crate::report::markdown::Markdown
            .write(report, &mut w)
            .and_then(|_| w.flush())
            .map_err(io)?;
    }
    if (!is_text || settings.output.is_some()) && !settings.quiet {
        let stderr = std::io::stderr();
        let choice = match settings.color {
            ColorChoice::Auto => anstream::AutoStream::choice(&stderr),
            c => color_choice(c),
        };
        let mut w = anstream::AutoStream::new(stderr.lock(), choice);
        let _ = crate::report::text::write_summary(report, &mut w);
    }
    Ok(())
}
