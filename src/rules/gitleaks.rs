//! gitleaks v8 configurations, read with gitleaks' semantics and translated into a [`RuleSet`].
//!
//! gitleaks reads its TOML through viper, so keys are case-insensitive (`secretGroup`,
//! `secretgroup`) and unknown keys are ignored; here they are ignored with a warning. What each
//! part becomes:
//!
//! - `[[rules]]`: a rule whose regex (Go RE2, translated by [`goregex`]) compiles with Unicode on
//!   and runs over the whole file once a keyword occurs anywhere in it (`whole`), as gitleaks
//!   runs it over the whole fragment. `secretGroup` absent means the first non-empty group;
//!   `entropy` drops a finding whose entropy is not *above* the value; `path` is an unanchored
//!   regex on the path, and without `regex` the rule reports the file itself; leakscan's
//!   placeholder filter is off, so the rule finds what gitleaks finds.
//! - `[[rules.allowlists]]`, `[rules.allowlist]`, `[[allowlists]]`, `[allowlist]`: [`Allowlist`]s
//!   with their `condition` and `regexTarget`; a global list with `targetRules` joins those
//!   rules' lists.
//! - `[[rules.required]]` and `skipReport`: composite rules, checked by the matcher.
//! - `[extend] useDefault` starts from **leakscan's** built-in pack (its rule ids differ from
//!   gitleaks'), `path` from another gitleaks file (relative to this file, else to the current
//!   folder, as gitleaks resolves it), at most two levels deep; `disabledRules` drops rules of
//!   the extended configuration. A rule whose id exists in the extended configuration is merged
//!   into it as gitleaks does (set fields replace, tags, keywords and allowlists add up).
//!
//! Problems gitleaks would also refuse are errors, each located as `file:line:column` with the
//! rule id. What gitleaks accepts but leakscan cannot carry over is a located warning, and the
//! rule or list is dropped loudly, never silently.

mod detect;
pub mod goregex;
pub mod ids;
mod read;

pub use detect::is_gitleaks;
use read::{
    boolean, content_offset, count, get, number, string, strings, tables, type_error, warn_unknown,
    Ctx, Src,
};

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

use toml::Spanned;

use super::builtin::builtin_rules;
use super::error::ConfigError;
use super::text::toml_error;
use super::validate::path_regex;
use super::{
    compile_regex_with, Allowlist, Condition, Confidence, Kind, LazyRegex, PathSet, Required, Rule,
    RuleSet, SecretGroup, Severity, StopWords,
};

/// gitleaks stops following `[extend]` after this many levels.
const MAX_EXTEND_DEPTH: usize = 2;

/// A translated gitleaks configuration.
#[derive(Debug)]
pub struct Translation {
    /// The rules and allowlists.
    pub rules: RuleSet,
    /// Located warnings: what could not be carried over.
    pub warnings: Vec<String>,
    /// Whether `[extend] useDefault` brought in leakscan's built-in pack (at any level).
    pub uses_default: bool,
    /// `title` and `minVersion`, for the converted file's header.
    pub title: Option<String>,
}

/// Loads a gitleaks configuration: the rule set and the located warnings.
pub fn load(path: &Path, text: &str) -> Result<(RuleSet, Vec<String>), ConfigError> {
    translate(path, text).map(|t| (t.rules, t.warnings))
}

/// Loads a gitleaks configuration with everything `rules convert` needs.
pub fn translate(path: &Path, text: &str) -> Result<Translation, ConfigError> {
    let mut ctx = Ctx::default();
    let level = load_level(path, text, 0, &mut ctx)?;
    let Level {
        mut rules,
        global,
        targeted,
        uses_default,
        title,
    } = level;
    for (list, targets) in targeted {
        for (id, at) in targets {
            if let Some(r) = rules.iter_mut().find(|r| r.id == id) {
                r.allowlists.push(list.clone());
                continue;
            }
            // A rule of gitleaks' default configuration: the leakscan rules that cover it.
            let covering = if uses_default {
                translated(&rules, &id)
            } else {
                Vec::new()
            };
            if !covering.is_empty() {
                for r in rules.iter_mut().filter(|r| covering.contains(&r.id)) {
                    r.allowlists.push(list.clone());
                }
            } else if uses_default {
                ctx.warn(format!("{at}: [[allowlists]] targetRules: no rule '{id}' (leakscan's built-in pack has its own ids; see `leakscan rules list`); ignored"));
            } else {
                ctx.problems.push(format!(
                    "{at}: [[allowlists]] target rule ID '{id}' does not exist"
                ));
            }
        }
    }
    let ids: HashSet<String> = rules.iter().map(|r| r.id.clone()).collect();
    for r in &rules {
        for req in &r.required {
            if !ids.contains(&req.id) {
                ctx.warn(format!("{}: rule '{}': required rule '{}' does not exist, so the rule never reports (as in gitleaks)", r.source, r.id, req.id));
            }
        }
        check_secret_group(r, &mut ctx);
    }
    ctx.problems.into_result()?;
    let allow = super::GlobalAllow {
        allowlists: global,
        ..Default::default()
    };
    Ok(Translation {
        rules: RuleSet {
            rules,
            allow,
            internal: Default::default(),
        },
        warnings: ctx.warnings,
        uses_default,
        title,
    })
}

/// Checks a gitleaks file as `rules check` does.
pub fn check(name: &str, text: &str) -> Result<super::validate::Checked, ConfigError> {
    let t = translate(Path::new(name), text)?;
    let rules = t
        .rules
        .rules
        .iter()
        .filter(|r| !r.source.starts_with("builtin:"))
        .count();
    Ok(super::validate::Checked {
        rules,
        format: "gitleaks",
        warnings: t.warnings,
    })
}

fn check_secret_group(r: &Rule, ctx: &mut Ctx) {
    let (SecretGroup::Index(i), Some(re)) = (&r.secret_group, &r.regex) else {
        return;
    };
    if let Ok(re) = re.compile_now() {
        if *i >= re.captures_len() {
            ctx.problems.push(format!(
                "{}: rule '{}': invalid regex secret group {i}, max regex secret group {}",
                r.source,
                r.id,
                re.captures_len() - 1
            ));
        }
    }
}

/// One file of the configuration, with what it extends folded in.
struct Level {
    rules: Vec<Rule>,
    global: Vec<Allowlist>,
    targeted: Vec<(Allowlist, Vec<(String, String)>)>,
    uses_default: bool,
    title: Option<String>,
}

fn load_level(path: &Path, text: &str, depth: usize, ctx: &mut Ctx) -> Result<Level, ConfigError> {
    let src = Src {
        name: path.display().to_string(),
        text,
    };
    let doc =
        DeTable::parse(text).map_err(|e| ConfigError::Invalid(toml_error(&src.name, text, &e)))?;
    let file = parse_file(&src, doc.get_ref(), ctx);
    let (mut base, mut global, mut targeted, mut uses_default) =
        (Vec::new(), Vec::new(), Vec::new(), false);
    let ext = &file.extend;
    if ext.use_default && ext.path.is_some() {
        ctx.problems.push(format!(
            "{}: unable to load config due to extend.path and extend.useDefault being set",
            src.at(ext.at)
        ));
    } else if depth >= MAX_EXTEND_DEPTH && (ext.use_default || ext.path.is_some()) {
        ctx.warn(format!(
            "{}: [extend] is not followed past {MAX_EXTEND_DEPTH} levels (as in gitleaks); ignored",
            src.at(ext.at)
        ));
    } else if ext.use_default {
        base = builtin_rules()?;
        uses_default = true;
    } else if let Some(p) = &ext.path {
        let resolved = resolve_extend(path, p.get_ref());
        match std::fs::read_to_string(&resolved) {
            Ok(t) => {
                let lower = load_level(&resolved, &t, depth + 1, ctx)?;
                base = lower.rules;
                global = lower.global;
                targeted = lower.targeted;
                uses_default = lower.uses_default;
            }
            Err(e) => ctx.problems.push(format!(
                "{}: [extend] path {}: {e}",
                src.at(p.span().start),
                resolved.display()
            )),
        }
    }
    let mut disabled: Vec<String> = Vec::new();
    for (id, at) in &ext.disabled {
        disabled.push(id.clone());
        if !base.iter().any(|r| &r.id == id) {
            // A rule of gitleaks' default configuration: switch off the leakscan rules that
            // cover it and nothing else (not a catch-all such as generic-password).
            let ids = if uses_default {
                translated(&base, id)
            } else {
                Vec::new()
            };
            let (mine, shared): (Vec<String>, Vec<String>) =
                ids.into_iter().partition(|l| ids::exclusive(id, l));
            if !shared.is_empty() {
                ctx.warn(format!(
                    "{}: disabledRules: '{id}': leakscan's {} not switched off, as {} other gitleaks rules too (use [extend] disable in a .leakscan.toml, or --disable-rule)",
                    src.at(*at),
                    shared.join(", "),
                    if shared.len() == 1 { "it covers" } else { "they cover" }
                ));
            }
            if !mine.is_empty() {
                disabled.extend(mine);
                continue;
            }
            if !shared.is_empty() {
                continue;
            }
            let hint = if uses_default {
                " (leakscan's built-in pack has its own ids; see `leakscan rules list`)"
            } else {
                ""
            };
            ctx.warn(format!(
                "{}: disabledRules: no rule '{id}' in the extended configuration{hint}; ignored",
                src.at(*at)
            ));
        }
    }
    base.retain(|r| !disabled.contains(&r.id));
    for part in file.parts {
        match base.iter_mut().find(|r| r.id == part.id) {
            Some(rule) => merge(rule, part),
            None if part.regex.is_some() || part.path.is_some() => base.push(part.into_rule()),
            None if uses_default => ctx.warn(format!("{}: rule '{}' extends a rule of gitleaks' default configuration that leakscan's built-in pack does not have; ignored", part.at, part.id)),
            None => ctx.problems.push(format!("{}: rule '{}': both |regex| and |path| are empty, this rule will have no effect", part.at, part.id)),
        }
    }
    let mut all_global = file.global;
    all_global.append(&mut global);
    let mut all_targeted = file.targeted;
    all_targeted.append(&mut targeted);
    Ok(Level {
        rules: base,
        global: all_global,
        targeted: all_targeted,
        uses_default,
        title: file.title,
    })
}

/// The leakscan rules of `rules` that cover gitleaks' default rule `id` (empty when `id` is
/// not one, or none of them is loaded).
fn translated(rules: &[Rule], id: &str) -> Vec<String> {
    ids::translate(id)
        .unwrap_or_default()
        .iter()
        .filter(|l| rules.iter().any(|r| &r.id == *l))
        .cloned()
        .collect()
}

/// gitleaks opens `[extend] path` relative to the current folder; leakscan first tries the
/// folder of the file that names it, which is what a path written in a file usually means.
fn resolve_extend(from: &Path, target: &str) -> PathBuf {
    let t = Path::new(target);
    if t.is_absolute() {
        return t.to_path_buf();
    }
    let beside = from.parent().unwrap_or(Path::new("")).join(t);
    if beside.is_file() {
        beside
    } else {
        t.to_path_buf()
    }
}

/// Merges a rule of the extending file into the extended rule with the same id, as gitleaks'
/// `extend` does.
fn merge(rule: &mut Rule, part: Part) {
    if let Some(d) = part.description.filter(|d| !d.is_empty()) {
        rule.description = d;
    }
    if let Some(e) = part.entropy {
        rule.entropy = Some(strictly_above(e));
    }
    if part.secret_group > 0 {
        rule.secret_group = SecretGroup::Index(part.secret_group);
    }
    if let Some(re) = part.regex {
        rule.regex = Some(re);
        rule.whole = true;
        rule.placeholders = false;
    }
    if let Some(p) = part.path {
        rule.paths = Some(p);
    }
    rule.tags.extend(part.tags);
    for k in part.keywords {
        if !rule.keywords.contains(&k) {
            rule.keywords.push(k);
        }
    }
    rule.allowlists.extend(part.allowlists);
    rule.required.extend(part.required);
    rule.skip_report |= part.skip_report;
    rule.source = part.source;
}

/// The smallest float above `e`: gitleaks drops a finding when its entropy is not above the
/// rule's value, leakscan when it is below its minimum.
pub fn strictly_above(e: f64) -> f64 {
    if e.is_finite() && e >= 0.0 {
        f64::from_bits(e.to_bits() + 1)
    } else {
        e
    }
}

/// `[extend]` of one file.
#[derive(Default)]
struct Extend {
    at: usize,
    use_default: bool,
    path: Option<Spanned<String>>,
    disabled: Vec<(String, usize)>,
}

/// One file, parsed and translated, before extension.
#[derive(Default)]
struct File {
    title: Option<String>,
    extend: Extend,
    parts: Vec<Part>,
    global: Vec<Allowlist>,
    targeted: Vec<(Allowlist, Vec<(String, String)>)>,
}

/// One `[[rules]]` table, translated; fields left unset stay `None` so that extension can tell
/// them apart.
struct Part {
    id: String,
    at: String,
    source: String,
    description: Option<String>,
    regex: Option<LazyRegex>,
    path: Option<PathSet>,
    secret_group: usize,
    entropy: Option<f64>,
    keywords: Vec<String>,
    tags: Vec<String>,
    skip_report: bool,
    allowlists: Vec<Allowlist>,
    required: Vec<Required>,
}

impl Part {
    fn into_rule(self) -> Rule {
        let description = self
            .description
            .filter(|d| !d.trim().is_empty())
            .unwrap_or_else(|| self.id.clone());
        Rule {
            id: self.id,
            description,
            regex: self.regex,
            secret_group: if self.secret_group > 0 {
                SecretGroup::Index(self.secret_group)
            } else {
                SecretGroup::First
            },
            keywords: self.keywords,
            entropy: self.entropy.map(strictly_above),
            severity: Severity::default(),
            confidence: Confidence::Medium,
            kind: Kind::Secret,
            tags: self.tags,
            checksum: None,
            assess: None,
            paths: self.path,
            multiline: false,
            once: false,
            whole: true,
            allow_secrets: Vec::new(),
            allow_lines: Vec::new(),
            allow_paths: None,
            allowlists: self.allowlists,
            required: self.required,
            skip_report: self.skip_report,
            stopwords: StopWords::default(),
            placeholders: false,
            remediation: None,
            examples: Vec::new(),
            counter_examples: Vec::new(),
            example_path: "example.txt".into(),
            source: self.source,
            validate: None,
        }
    }
}

/// Translates a Go regex; records an error (RE2 rejects it too) or returns the Rust pattern.
fn translate_regex(src: &Src, v: &Spanned<String>, what: &str, ctx: &mut Ctx) -> Option<String> {
    match goregex::translate(v.get_ref()) {
        Ok(p) => Some(p),
        Err(e) => {
            let at = content_offset(src.text, v).map_or(v.span().start, |o| o + e.offset);
            ctx.problems.push(format!(
                "{}: {what}: {} (gitleaks cannot load it either)",
                src.at(at),
                e.message
            ));
            None
        }
    }
}

/// A content regex: translated, compiled now with Unicode on (or off when Unicode makes it too
/// large, with a warning); `None` when it cannot be used, with an error or a warning.
fn content_regex(src: &Src, v: &Spanned<String>, what: &str, ctx: &mut Ctx) -> Option<LazyRegex> {
    let pattern = translate_regex(src, v, what, ctx)?;
    match compile_regex_with(&pattern, true) {
        Ok(_) => Some(LazyRegex::with_unicode(pattern, true)),
        Err(e) => match compile_regex_with(&pattern, false) {
            Ok(_) => {
                ctx.warn(format!("{}: {what}: too large with Unicode on; compiled with Unicode off, so non-ASCII text may match differently than in gitleaks", src.at(v.span().start)));
                Some(LazyRegex::with_unicode(pattern, false))
            }
            Err(_) => {
                ctx.warn(format!(
                    "{}: {what}: cannot be translated to Rust's regex syntax ({}); dropped",
                    src.at(v.span().start),
                    first_line(&e.to_string())
                ));
                None
            }
        },
    }
}

fn first_line(s: &str) -> String {
    s.lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or(s)
        .trim()
        .to_string()
}

fn path_set(
    src: &Src,
    items: &[Spanned<String>],
    what: &str,
    ctx: &mut Ctx,
) -> Result<Option<PathSet>, ()> {
    let mut res = Vec::new();
    let mut ok = true;
    for v in items {
        let Some(p) = translate_regex(src, v, what, ctx) else {
            ok = false;
            continue;
        };
        match path_regex(&p) {
            Ok(re) => res.push(re),
            Err(e) => {
                ctx.warn(format!(
                    "{}: {what}: cannot be translated to Rust's regex syntax ({}); dropped",
                    src.at(v.span().start),
                    first_line(&e.to_string())
                ));
                ok = false;
            }
        }
    }
    if ok {
        Ok(PathSet::new(Vec::new(), Vec::new(), res))
    } else {
        Err(())
    }
}

const FILE_KEYS: &[&str] = &[
    "title",
    "description",
    "minVersion",
    "extend",
    "rules",
    "allowlist",
    "allowlists",
];
const EXTEND_KEYS: &[&str] = &["useDefault", "path", "url", "disabledRules"];
const RULE_KEYS: &[&str] = &[
    "id",
    "description",
    "regex",
    "secretGroup",
    "entropy",
    "path",
    "keywords",
    "tags",
    "skipReport",
    "allowlist",
    "allowlists",
    "required",
];
const ALLOW_KEYS: &[&str] = &[
    "description",
    "condition",
    "commits",
    "paths",
    "regexTarget",
    "regexes",
    "stopwords",
];
const GLOBAL_ALLOW_KEYS: &[&str] = &[
    "description",
    "condition",
    "commits",
    "paths",
    "regexTarget",
    "regexes",
    "stopwords",
    "targetRules",
];
const REQUIRED_KEYS: &[&str] = &["id", "withinLines", "withinColumns"];

fn parse_file(src: &Src, doc: &DeTable, ctx: &mut Ctx) -> File {
    warn_unknown(src, doc, FILE_KEYS, "configuration", ctx);
    let mut file = File {
        title: string(src, doc, "title", ctx).map(Spanned::into_inner),
        ..File::default()
    };
    if let Some(ext) = get(doc, "extend") {
        if let DeValue::Table(t) = ext.get_ref() {
            warn_unknown(src, t, EXTEND_KEYS, "[extend]", ctx);
            file.extend.at = ext.span().start;
            file.extend.use_default = boolean(src, t, "useDefault", ctx);
            file.extend.path = string(src, t, "path", ctx).filter(|p| !p.get_ref().is_empty());
            if let Some(u) = string(src, t, "url", ctx).filter(|u| !u.get_ref().is_empty()) {
                ctx.warn(format!("{}: [extend] url is not supported (gitleaks does not support it either); ignored", src.at(u.span().start)));
            }
            file.extend.disabled = strings(src, t, "disabledRules", ctx)
                .into_iter()
                .map(|s| (s.get_ref().clone(), s.span().start))
                .collect();
        } else {
            type_error(src, ext, "extend", "a table", ctx);
        }
    }
    let old = tables(src, doc, "allowlist", ctx);
    let new = tables(src, doc, "allowlists", ctx);
    if !old.is_empty() && !new.is_empty() {
        ctx.problems.push(format!(
            "{}: [allowlist] is deprecated, it cannot be used alongside [[allowlists]]",
            src.name
        ));
    }
    for t in old.into_iter().chain(new) {
        warn_unknown(src, t, GLOBAL_ALLOW_KEYS, "[[allowlists]]", ctx);
        let targets: Vec<(String, String)> = strings(src, t, "targetRules", ctx)
            .into_iter()
            .map(|s| (s.get_ref().clone(), src.at(s.span().start)))
            .collect();
        let Some(list) = allowlist(src, t, "[[allowlists]]", ctx) else {
            continue;
        };
        if targets.is_empty() {
            file.global.push(list);
        } else {
            file.targeted.push((list, targets));
        }
    }
    let mut seen = HashSet::new();
    for t in tables(src, doc, "rules", ctx) {
        if let Some(part) = parse_rule(src, t, ctx) {
            if !seen.insert(part.id.clone()) {
                ctx.problems
                    .push(format!("{}: rule '{}' is defined twice", part.at, part.id));
            }
            file.parts.push(part);
        }
    }
    file
}

fn parse_rule(src: &Src, t: &DeTable, ctx: &mut Ctx) -> Option<Part> {
    let Some(id) = string(src, t, "id", ctx).filter(|i| !i.get_ref().trim().is_empty()) else {
        let desc = string(src, t, "description", ctx)
            .map(|d| format!(" (description: {})", d.get_ref()))
            .unwrap_or_default();
        ctx.problems
            .push(format!("{}: rule |id| is missing or empty{desc}", src.name));
        return None;
    };
    let at = src.at(id.span().start);
    let id = id.into_inner();
    warn_unknown(src, t, RULE_KEYS, &format!("rule '{id}'"), ctx);
    let before = ctx.problems.len();
    let what = format!("rule '{id}'");
    let mut dropped = false;
    let regex = match string(src, t, "regex", ctx).filter(|r| !r.get_ref().is_empty()) {
        Some(r) => {
            // gitleaks rules run over whole buffers (`whole: true` below).
            let re = content_regex(src, &r, &format!("{what}: regex"), ctx)
                .map(LazyRegex::for_whole_buffers);
            dropped |= re.is_none();
            re
        }
        None => None,
    };
    let path = match string(src, t, "path", ctx).filter(|p| !p.get_ref().is_empty()) {
        Some(p) => match path_set(src, std::slice::from_ref(&p), &format!("{what}: path"), ctx) {
            Ok(set) => set,
            Err(()) => {
                dropped = true;
                None
            }
        },
        None => None,
    };
    let secret_group = count(src, t, "secretGroup", ctx).unwrap_or(0);
    if let (Some(re), Some(v)) = (
        regex.as_ref().and_then(LazyRegex::get),
        get(t, "secretGroup"),
    ) {
        if secret_group >= re.captures_len() {
            ctx.problems.push(format!(
                "{}: {what}: invalid regex secret group {secret_group}, max regex secret group {}",
                src.at(v.span().start),
                re.captures_len() - 1
            ));
        }
    }
    let entropy = number(src, t, "entropy", ctx)
        .map(|(e, _)| e)
        .filter(|e| *e != 0.0);
    let keywords = strings(src, t, "keywords", ctx)
        .into_iter()
        .map(|k| k.into_inner().to_lowercase())
        .filter(|k| !k.is_empty())
        .collect();
    let tags = strings(src, t, "tags", ctx)
        .into_iter()
        .map(Spanned::into_inner)
        .collect();
    let skip_report = boolean(src, t, "skipReport", ctx);
    let old = tables(src, t, "allowlist", ctx);
    let new = tables(src, t, "allowlists", ctx);
    if !old.is_empty() && !new.is_empty() {
        ctx.problems.push(format!("{at}: {what}: [rules.allowlist] is deprecated, it cannot be used alongside [[rules.allowlists]]"));
    }
    let mut allowlists = Vec::new();
    for a in old.into_iter().chain(new) {
        warn_unknown(src, a, ALLOW_KEYS, &format!("{what}: allowlist"), ctx);
        if let Some(list) = allowlist(src, a, &format!("{what}: allowlist"), ctx) {
            allowlists.push(list);
        }
    }
    let mut required = Vec::new();
    for r in tables(src, t, "required", ctx) {
        warn_unknown(
            src,
            r,
            REQUIRED_KEYS,
            &format!("{what}: [[rules.required]]"),
            ctx,
        );
        match string(src, r, "id", ctx).filter(|i| !i.get_ref().is_empty()) {
            Some(rid) => required.push(Required {
                id: rid.into_inner(),
                within_lines: count(src, r, "withinLines", ctx),
                within_columns: count(src, r, "withinColumns", ctx),
            }),
            None => ctx
                .problems
                .push(format!("{at}: {what}: [[rules.required]] rule ID is empty")),
        }
    }
    if dropped {
        ctx.warn(format!("{at}: {what}: not loaded, see above"));
        return None;
    }
    if ctx.problems.len() > before {
        return None;
    }
    Some(Part {
        id,
        at,
        source: src.name.clone(),
        description: string(src, t, "description", ctx).map(Spanned::into_inner),
        regex,
        path,
        secret_group,
        entropy,
        keywords,
        tags,
        skip_report,
        allowlists,
        required,
    })
}

/// One allowlist table; `None` (with an error or a warning) when it cannot be used.
fn allowlist(src: &Src, t: &DeTable, what: &str, ctx: &mut Ctx) -> Option<Allowlist> {
    let before = ctx.problems.len();
    let condition = match string(src, t, "condition", ctx) {
        None => Condition::Any,
        Some(c) => {
            match c.get_ref().to_ascii_uppercase().as_str() {
                "" | "OR" | "||" => Condition::Any,
                "AND" | "&&" => Condition::All,
                other => {
                    ctx.problems.push(format!("{}: {what}: unknown allowlist |condition| '{other}' (expected 'and', 'or')", src.at(c.span().start)));
                    Condition::Any
                }
            }
        }
    };
    let target = string(src, t, "regexTarget", ctx);
    let target_name = target.as_ref().map(|t| t.get_ref().as_str()).unwrap_or("");
    if !matches!(target_name, "" | "secret" | "match" | "line") {
        let at = target.as_ref().map_or(0, |t| t.span().start);
        ctx.problems.push(format!("{}: {what}: unknown allowlist |regexTarget| '{target_name}' (expected 'match', 'line')", src.at(at)));
    }
    let mut regexes = Vec::new();
    let mut dropped = false;
    for r in strings(src, t, "regexes", ctx) {
        match content_regex(src, &r, &format!("{what}: regexes"), ctx) {
            Some(re) => regexes.push(re),
            None => dropped = true,
        }
    }
    let paths = strings(src, t, "paths", ctx);
    let paths = path_set(src, &paths, &format!("{what}: paths"), ctx).unwrap_or_else(|()| {
        dropped = true;
        None
    });
    let mut list = Allowlist {
        description: string(src, t, "description", ctx)
            .map(Spanned::into_inner)
            .unwrap_or_default(),
        condition,
        commits: strings(src, t, "commits", ctx)
            .into_iter()
            .map(|c| c.into_inner().to_ascii_lowercase())
            .filter(|c| !c.is_empty())
            .collect(),
        // gitleaks compares whole commit ids.
        exact_commits: true,
        paths,
        stopwords: strings(src, t, "stopwords", ctx)
            .into_iter()
            .map(|s| s.into_inner().to_lowercase())
            .filter(|s| !s.is_empty())
            .collect(),
        ..Allowlist::default()
    };
    match target_name {
        "match" => list.matches = regexes,
        "line" => list.lines = regexes,
        _ => list.secrets = regexes,
    }
    if ctx.problems.len() > before {
        return None;
    }
    if dropped {
        // A list missing a check would allow more (OR) or less (AND) than the user wrote.
        ctx.warn(format!("{}: {what}: not loaded, see above", src.name));
        return None;
    }
    if list.is_empty() {
        ctx.problems.push(format!("{}: {what}: must contain at least one check for: commits, paths, regexes, or stopwords", src.name));
        return None;
    }
    Some(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection() {
        assert!(is_gitleaks(
            "x.toml",
            "[[rules]]\nid='a'\nregex='b'\nsecretGroup=1\n"
        ));
        assert!(is_gitleaks("x.toml", "[extend]\nuseDefault = true\n"));
        assert!(is_gitleaks("x.toml", "[[allowlists]]\npaths=['a']\n"));
        assert!(!is_gitleaks(
            "x.toml",
            "[extend]\nbuiltin = false\n[[rules]]\nid='a'\ndescription='d'\nregex='b'\n"
        ));
        assert!(!is_gitleaks(
            "x.toml",
            "[[rules]]\nid='a'\ndescription='d'\nregex='b'\nsecret-group=1\n"
        ));
        // Ambiguous content: the name decides.
        let plain = "[[rules]]\nid='a'\ndescription='d'\nregex='b'\n";
        assert!(is_gitleaks("repo/.gitleaks.toml", plain));
        assert!(!is_gitleaks("repo/.leakscan.toml", plain));
    }

    #[test]
    fn entropy_strictly_above() {
        assert!(strictly_above(3.0) > 3.0);
        assert!(3.0 < strictly_above(3.0));
        assert!(strictly_above(0.0) > 0.0);
    }
}
