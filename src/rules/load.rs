//! Reads rule files and merges the built-in pack with a user configuration.
//!
//! Precedence of configuration sources (resolved in `settings`): `--config`, then
//! `LEAKSCAN_CONFIG`, `GITLEAKS_CONFIG`, `GITLEAKS_CONFIG_TOML`, `.leakscan.toml` at the scan
//! root, `.gitleaks.toml` at the scan root, and last the built-in pack. A file is read as a gitleaks
//! configuration when its content says so (see [`super::gitleaks::is_gitleaks`]); gitleaks files
//! are translated by [`super::gitleaks`]. A leakscan file may keep or drop the built-in pack
//! (`[extend] builtin`), disable built-in rules by id, pull in more rule files, replace a built-in
//! rule by defining one with the same id, and add rules.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

pub use super::builtin::builtin_rules;
use super::error::ConfigError;
use super::text::line_col;
pub use super::text::{parse_file, toml_error};
use super::validate::{apply_self_hosted, check_pairs};
use super::validate::{build_allow, build_allowlist, build_rule, Checked, Problems};
use super::{internal, Rule, RuleSet};

/// Where the user configuration comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigSource {
    /// No user configuration: the built-in pack only.
    None,
    /// A file given on the command line, in the environment, or found at the scan root; its
    /// format is told by its content, then its name.
    File(PathBuf),
    /// A gitleaks configuration file (`GITLEAKS_CONFIG`, `.gitleaks.toml`).
    GitleaksFile(PathBuf),
    /// gitleaks configuration text (`GITLEAKS_CONFIG_TOML`); relative `[extend] path`s are
    /// resolved from the current folder.
    GitleaksText(String),
}

impl ConfigSource {
    /// The configuration file, if the source is one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            ConfigSource::File(p) | ConfigSource::GitleaksFile(p) => Some(p),
            _ => None,
        }
    }

    /// How to name the source in notes.
    pub fn describe(&self) -> Option<String> {
        match self {
            ConfigSource::None => None,
            ConfigSource::File(p) | ConfigSource::GitleaksFile(p) => Some(p.display().to_string()),
            ConfigSource::GitleaksText(_) => Some("GITLEAKS_CONFIG_TOML".into()),
        }
    }
}

/// A loaded configuration: the rules and the file they came from.
#[derive(Debug)]
pub struct LoadedConfig {
    /// The rules to scan with.
    pub rules: RuleSet,
    /// The user configuration file, if any (never reported as a finding).
    pub path: Option<PathBuf>,
    /// Files that internal markers were read from (never scanned either).
    pub marker_files: Vec<PathBuf>,
    /// Internal markers that could not be loaded (a key or variable not set).
    pub marker_warnings: Vec<String>,
    /// What loaded but deserves attention: parts of a gitleaks file that could not be carried
    /// over, each located.
    pub warnings: Vec<String>,
    /// True when the configuration was read as a gitleaks file.
    pub gitleaks: bool,
}

/// Loads the rules, examples included (what `rules test` runs).
pub fn load(source: &ConfigSource) -> Result<LoadedConfig, ConfigError> {
    load_with(source, builtin_rules)
}

/// Loads the rules for a scan: the built-in pack without its examples, which only `rules test`
/// runs (a project's own rules keep theirs).
pub fn load_for_scan(source: &ConfigSource) -> Result<LoadedConfig, ConfigError> {
    load_with(source, super::builtin::builtin_rules_for_scan)
}

type Builtin = fn() -> Result<Vec<Rule>, ConfigError>;

fn load_with(source: &ConfigSource, builtin: Builtin) -> Result<LoadedConfig, ConfigError> {
    let (path, gitleaks) = match source {
        ConfigSource::None => {
            return Ok(LoadedConfig {
                rules: RuleSet {
                    rules: builtin()?,
                    ..RuleSet::default()
                },
                path: None,
                marker_files: Vec::new(),
                marker_warnings: Vec::new(),
                warnings: Vec::new(),
                gitleaks: false,
            })
        }
        ConfigSource::GitleaksText(text) => {
            let (rules, warnings) = super::gitleaks::load(Path::new("GITLEAKS_CONFIG_TOML"), text)?;
            return Ok(LoadedConfig {
                rules,
                path: None,
                warnings,
                gitleaks: true,
                marker_files: Vec::new(),
                marker_warnings: Vec::new(),
            });
        }
        ConfigSource::File(p) => (p, false),
        ConfigSource::GitleaksFile(p) => (p, true),
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::Invalid(format!("{}: {e}", path.display())))?;
    let gitleaks = gitleaks || super::gitleaks::is_gitleaks(&path.display().to_string(), &text);
    let (rules, warnings, built) = if gitleaks {
        let (rules, warnings) = super::gitleaks::load(path, &text)?;
        (rules, warnings, internal::Built::default())
    } else {
        let (rules, built) = load_native_with_markers(path, &text, builtin)?;
        (rules, Vec::new(), built)
    };
    Ok(LoadedConfig {
        rules,
        path: Some(path.clone()),
        warnings,
        gitleaks,
        marker_files: built.files,
        marker_warnings: built.warnings,
    })
}

/// Builds a rule set from a user file's text (leakscan or gitleaks format, told apart by
/// content), merged with the built-in pack as it asks.
pub fn load_user(path: &Path, text: &str) -> Result<RuleSet, ConfigError> {
    if super::gitleaks::is_gitleaks(&path.display().to_string(), text) {
        return super::gitleaks::load(path, text).map(|(rules, _)| rules);
    }
    load_native(path, text)
}

/// Builds a rule set from a leakscan file's text, merged with the built-in pack as it asks.
pub fn load_native(path: &Path, text: &str) -> Result<RuleSet, ConfigError> {
    load_native_with_markers(path, text, builtin_rules).map(|(rules, _)| rules)
}

/// [`load_native`], also returning what the `[internal]` table produced besides rules.
fn load_native_with_markers(
    path: &Path,
    text: &str,
    builtin: Builtin,
) -> Result<(RuleSet, internal::Built), ConfigError> {
    let name = path.display().to_string();
    let def = parse_file(&name, text)?;
    let mut problems = Problems::default();
    let extend = def.extend.unwrap_or_default();
    let mut rules = if extend.builtin.unwrap_or(true) {
        builtin()?
    } else {
        Vec::new()
    };
    let known: HashSet<String> = rules.iter().map(|r| r.id.clone()).collect();
    for id in &extend.disable {
        if !known.contains(id.get_ref()) {
            problems.at(
                &name,
                text,
                id.span().start,
                format!("disable: no built-in rule '{}'", id.get_ref()),
            );
        }
    }
    let disabled: HashSet<&str> = extend
        .disable
        .iter()
        .map(|s| s.get_ref().as_str())
        .collect();
    rules.retain(|r| !disabled.contains(r.id.as_str()));

    let mut built = match def.internal {
        Some(i) => internal::build(i, path, text, &mut problems),
        None => internal::Built::default(),
    };
    let mut user_rules = std::mem::take(&mut built.rules);
    for r in def.rules {
        if let Some(rule) = build_rule(r, &name, text, true, &mut problems) {
            user_rules.push(rule);
        }
    }
    for extra in &extend.files {
        let p = path
            .parent()
            .unwrap_or(Path::new("."))
            .join(extra.get_ref());
        match std::fs::read_to_string(&p) {
            Ok(t) => {
                let n = p.display().to_string();
                match parse_file(&n, &t) {
                    Ok(d) => {
                        for r in d.rules {
                            if let Some(rule) = build_rule(r, &n, &t, true, &mut problems) {
                                user_rules.push(rule);
                            }
                        }
                    }
                    Err(e) => problems.push(e.to_string()),
                }
            }
            Err(e) => problems.at(
                &name,
                text,
                extra.span().start,
                format!("{}: {e}", p.display()),
            ),
        }
    }
    let mut seen = HashSet::new();
    for r in &user_rules {
        if !seen.insert(r.id.clone()) {
            problems.push(format!("{}: rule '{}' is defined twice", r.source, r.id));
        }
    }
    for r in user_rules {
        if let Some(i) = rules.iter().position(|b| b.id == r.id) {
            rules[i] = r;
        } else {
            rules.push(r);
        }
    }
    let mut allow = build_allow(def.allow.unwrap_or_default(), &name, text, &mut problems);
    for a in def.allow_when {
        let targets: Vec<_> = a.target_rules.clone();
        let list = build_allowlist(a, &name, text, "allow-when", &mut problems);
        if targets.is_empty() {
            allow.allowlists.push(list);
            continue;
        }
        for t in targets {
            match rules.iter_mut().find(|r| &r.id == t.get_ref()) {
                Some(r) => r.allowlists.push(list.clone()),
                None => problems.at(
                    &name,
                    text,
                    t.span().start,
                    format!("allow-when: target rule '{}' does not exist", t.get_ref()),
                ),
            }
        }
    }
    if let Some(sel) = def.select {
        let sel = super::select::Selection {
            only: sel.only,
            enable: sel.enable,
            disable: sel.disable,
        };
        if let Err(e) = sel.apply(&mut rules, builtin_rules, &format!("{name}: [select]")) {
            problems.push(e.to_string());
        }
    }
    apply_self_hosted(def.validate, &mut rules, &name, text, &mut problems);
    check_pairs(&rules, &mut problems);
    for r in &rules {
        for req in &r.required {
            if !rules.iter().any(|o| o.id == req.id) {
                problems.push(format!(
                    "{}: rule '{}': required rule '{}' does not exist",
                    r.source, r.id, req.id
                ));
            }
        }
    }
    problems.into_result()?;
    let internal = std::mem::take(&mut built.markers);
    Ok((
        RuleSet {
            rules,
            allow,
            internal,
        },
        built,
    ))
}

/// Checks a whole file as `rules check` does: syntax, every rule compiled now, duplicate ids.
pub fn check_file(name: &str, text: &str) -> Result<usize, ConfigError> {
    check(name, text).map(|c| c.rules)
}

/// Checks a leakscan or gitleaks file (told apart by content, then name).
pub fn check(name: &str, text: &str) -> Result<Checked, ConfigError> {
    if super::gitleaks::is_gitleaks(name, text) {
        return super::gitleaks::check(name, text);
    }
    check_native(name, text).map(|rules| Checked {
        rules,
        format: "leakscan",
        warnings: Vec::new(),
    })
}

fn check_native(name: &str, text: &str) -> Result<usize, ConfigError> {
    let def = parse_file(name, text)?;
    let mut problems = Problems::default();
    let mut seen = std::collections::HashMap::new();
    let mut n = 0;
    for r in def.rules {
        let span = r.id.span().start;
        let id = r.id.get_ref().clone();
        if let Some(prev) = seen.insert(id.clone(), span) {
            let (l, _) = line_col(text, prev);
            problems.at(
                name,
                text,
                span,
                format!("rule '{id}': duplicate id (first at line {l})"),
            );
        }
        if build_rule(r, name, text, true, &mut problems).is_some() {
            n += 1;
        }
    }
    if let Some(a) = def.allow {
        build_allow(a, name, text, &mut problems);
    }
    for a in def.allow_when {
        build_allowlist(a, name, text, "allow-when", &mut problems);
    }
    problems.into_result()?;
    Ok(n)
}
