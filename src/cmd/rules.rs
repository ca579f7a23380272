//! `leakscan rules list|check|test`.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write;
use std::sync::Arc;

use serde::Serialize;

use crate::cli::{RulesCommand, RulesListArgs};
use crate::error::{Error, ExitStatus};
use crate::rules::{self, selftest, ConfigSource, RuleSet};

/// Runs a `rules` subcommand.
pub fn run(cmd: RulesCommand) -> Result<u8, Error> {
    match cmd {
        RulesCommand::List(args) => list(&args),
        RulesCommand::Check { files } => check(&files),
        RulesCommand::Test(args) => test(&args),
        RulesCommand::Convert { file, output } => convert(&file, output.as_deref()),
    }
}

/// `rules convert`: a gitleaks configuration written as a leakscan one.
fn convert(file: &std::path::Path, output: Option<&std::path::Path>) -> Result<u8, Error> {
    let text = std::fs::read_to_string(file).map_err(|e| Error::Io {
        path: file.to_path_buf(),
        source: e,
    })?;
    let t = rules::gitleaks::translate(file, &text)?;
    let builtin_ids: Vec<String> = if t.uses_default {
        rules::load::builtin_rules()?
            .into_iter()
            .map(|r| r.id)
            .collect()
    } else {
        Vec::new()
    };
    let converted = rules::write::convert(&file.display().to_string(), &t, &builtin_ids);
    match output {
        Some(path) => std::fs::write(path, &converted).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            source: e,
        })?,
        None => ignore_broken_pipe(std::io::stdout().lock().write_all(converted.as_bytes()))?,
    }
    for w in &t.warnings {
        eprintln!("leakscan: warning: {w}");
    }
    let written = t
        .rules
        .rules
        .iter()
        .filter(|r| !r.source.starts_with("builtin:"))
        .count();
    eprintln!(
        "{written} rules converted; {} item(s) could not be carried over (written as comments)",
        t.warnings.len()
    );
    Ok(ExitStatus::Clean.code())
}

/// The rules in effect as `leakscan scan` in the current folder would run them: `--config`,
/// else the configuration it would discover, else the built-in pack; then the selection.
fn load(args: &RulesListArgs) -> Result<RuleSet, Error> {
    let source = if args.builtin {
        ConfigSource::None
    } else {
        crate::settings::discover_config(args.config.as_deref(), std::path::Path::new("."), false)?
    };
    let loaded = rules::load(&source)?;
    for w in &loaded.warnings {
        eprintln!("leakscan: warning: {w}");
    }
    if let Some(name) = source.describe() {
        eprintln!("leakscan: configuration: {name}");
    }
    let mut set = loaded.rules;
    let sel = rules::select::Selection {
        only: args.select.only_rule.clone(),
        enable: args.select.enable_rule.clone(),
        disable: args.select.disable_rule.clone(),
    };
    sel.apply(&mut set.rules, rules::load::builtin_rules, "command line")?;
    Ok(set)
}

#[derive(Serialize)]
struct RuleRow<'a> {
    id: &'a str,
    description: &'a str,
    kind: rules::Kind,
    severity: rules::Severity,
    confidence: rules::Confidence,
    keywords: &'a [String],
    tags: &'a [String],
    source: &'a str,
}

fn list(args: &RulesListArgs) -> Result<u8, Error> {
    let set = load(args)?;
    let rows: Vec<RuleRow> = set
        .rules
        .iter()
        .map(|r| RuleRow {
            id: &r.id,
            description: &r.description,
            kind: r.kind,
            severity: r.severity,
            confidence: r.confidence,
            keywords: &r.keywords,
            tags: &r.tags,
            source: &r.source,
        })
        .collect();
    let mut out = std::io::stdout().lock();
    let res = if args.json {
        serde_json::to_writer_pretty(&mut out, &rows)
            .map_err(std::io::Error::from)
            .and_then(|_| writeln!(out))
    } else {
        let width = rows.iter().map(|r| r.id.len()).max().unwrap_or(0);
        rows.iter()
            .try_for_each(|r| {
                writeln!(
                    out,
                    "{:width$}  {:<8}  {:<8}  {:<6}  {}",
                    r.id,
                    format!("{:?}", r.kind).to_lowercase(),
                    format!("{:?}", r.severity).to_lowercase(),
                    format!("{:?}", r.confidence).to_lowercase(),
                    r.description
                )
            })
            .and_then(|_| writeln!(out, "{} rules", rows.len()))
    };
    ignore_broken_pipe(res)?;
    Ok(ExitStatus::Clean.code())
}

fn check(files: &[std::path::PathBuf]) -> Result<u8, Error> {
    let mut problems = Vec::new();
    for f in files {
        let name = f.display().to_string();
        match std::fs::read_to_string(f) {
            Ok(text) => match rules::load::check(&name, &text) {
                Ok(c) => {
                    for w in &c.warnings {
                        eprintln!("leakscan: warning: {w}");
                    }
                    let failed = run_examples(f, &text);
                    if !failed.is_empty() {
                        problems.extend(failed);
                        continue;
                    }
                    let format = if c.format == "gitleaks" {
                        " (gitleaks format)"
                    } else {
                        ""
                    };
                    println!("{name}: {} rules ok{format}", c.rules);
                }
                Err(rules::ConfigError::Many(list)) => problems.extend(list),
                Err(e) => problems.push(e.to_string()),
            },
            Err(e) => problems.push(format!("{name}: {e}")),
        }
    }
    if problems.is_empty() {
        Ok(ExitStatus::Clean.code())
    } else {
        Err(Error::ConfigMany(problems))
    }
}

/// Runs the examples and counter-examples of the rules `text` defines (not those of the
/// built-in pack it extends): an example that gives no finding, or a counter-example that
/// gives one, is a problem. A rule without examples is left to `rules test`.
fn run_examples(path: &std::path::Path, text: &str) -> Vec<String> {
    let Ok(set) = rules::load::load_user(path, text) else {
        return Vec::new(); // `check` already reported why it does not load
    };
    let own: std::collections::HashMap<String, String> = set
        .rules
        .iter()
        .filter(|r| !r.source.starts_with("builtin:"))
        .map(|r| (r.id.clone(), r.source.clone()))
        .collect();
    selftest::run(Arc::new(set))
        .into_iter()
        .filter(|f| !f.what.starts_with("has no "))
        .filter_map(|f| {
            own.get(&f.rule)
                .map(|src| format!("{src}: rule '{}': {}", f.rule, f.what))
        })
        .collect()
}

fn test(args: &RulesListArgs) -> Result<u8, Error> {
    let set = Arc::new(load(args)?);
    let failures = selftest::run(set.clone());
    let examples: usize = set
        .rules
        .iter()
        .map(|r| r.examples.len() + r.counter_examples.len())
        .sum();
    for f in &failures {
        println!("FAIL {}: {}", f.rule, f.what);
    }
    println!(
        "{} rules, {} examples and counter-examples: {} failure(s)",
        set.rules.len(),
        examples,
        failures.len()
    );
    Ok(if failures.is_empty() {
        ExitStatus::Clean.code()
    } else {
        ExitStatus::Leaks.code()
    })
}

/// Treats a closed pipe (`leakscan ... | head`) as success.
pub fn ignore_broken_pipe(res: std::io::Result<()>) -> Result<(), Error> {
    match res {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Io {
            path: "<stdout>".into(),
            source: e,
        }),
        _ => Ok(()),
    }
}
