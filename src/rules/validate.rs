//! Semantic checks on rule definitions. Every problem is collected before failing, each
//! located as `file:line:column` with the rule id, so a user fixes a file in one pass.

use super::span::Spanned;
use globset::{Glob, GlobSet, GlobSetBuilder};

use super::check::build_check;
pub use super::check::{template_parts, template_vars, url_host, TemplatePart};
use super::model::{AllowDef, AllowWhenDef, GroupDef, RuleDef, WindowDef};
use super::{Allowlist, Condition, GlobalAllow, LazyRegex, PathSet, Required, Rule, SecretGroup};
use crate::matcher::checksum;

pub use super::problems::{valid_id, Problems};

pub(crate) fn globs(
    items: &[Spanned<String>],
    file: &str,
    text: &str,
    what: &str,
    problems: &mut Problems,
) -> Option<GlobSet> {
    if items.is_empty() {
        return None;
    }
    let mut b = GlobSetBuilder::new();
    for g in items {
        match Glob::new(g.get_ref()) {
            Ok(glob) => {
                b.add(glob);
            }
            Err(e) => problems.at(file, text, g.span().start, format!("{what}: bad glob: {e}")),
        }
    }
    b.build().ok()
}

/// Compiles a path regex (unanchored, Unicode on, bounded size).
pub fn path_regex(src: &str) -> Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(src)
        .size_limit(super::REGEX_SIZE_LIMIT)
        .build()
}

/// Globs and path regexes as one [`PathSet`], recording problems.
pub(crate) fn path_set(
    globs_def: &[Spanned<String>],
    regex_def: &[Spanned<String>],
    file: &str,
    text: &str,
    what: &str,
    problems: &mut Problems,
) -> Option<PathSet> {
    let mut parsed = Vec::new();
    for g in globs_def {
        match Glob::new(g.get_ref()) {
            Ok(glob) => parsed.push(glob),
            Err(e) => problems.at(file, text, g.span().start, format!("{what}: bad glob: {e}")),
        }
    }
    let mut res = Vec::new();
    for r in regex_def {
        match path_regex(r.get_ref()) {
            Ok(re) => res.push(re),
            Err(e) => problems.at(
                file,
                text,
                r.span().start,
                format!("{what}: bad regex: {e}"),
            ),
        }
    }
    PathSet::new(
        globs_def.iter().map(|g| g.get_ref().clone()).collect(),
        parsed,
        res,
    )
}

fn regexes(
    items: &[Spanned<String>],
    file: &str,
    text: &str,
    what: &str,
    eager: bool,
    problems: &mut Problems,
) -> Vec<LazyRegex> {
    regexes_with(items, file, text, what, eager, false, problems)
}

fn regexes_with(
    items: &[Spanned<String>],
    file: &str,
    text: &str,
    what: &str,
    eager: bool,
    unicode: bool,
    problems: &mut Problems,
) -> Vec<LazyRegex> {
    items
        .iter()
        .filter_map(|r| {
            let lazy = LazyRegex::with_unicode(r.get_ref().clone(), unicode);
            if eager {
                if let Err(e) = lazy.compile_now() {
                    problems.at(
                        file,
                        text,
                        r.span().start,
                        format!("{what}: bad regex: {e}"),
                    );
                    return None;
                }
            }
            Some(lazy)
        })
        .collect()
}

/// Builds one rule, recording problems. `eager` compiles every regex now (user files, `rules
/// check`); the built-in pack compiles lazily and is checked by the test suite.
///
/// Every scan builds the whole built-in pack with it, so it moves the model's strings into the
/// rule rather than copying them, and words a list's problems only for lists that have items.
pub fn build_rule(
    def: RuleDef,
    file: &str,
    text: &str,
    eager: bool,
    problems: &mut Problems,
) -> Option<Rule> {
    let id_at = def.id.span().start;
    let id = def.id.into_inner();
    let before = problems.len();
    let at = |offset: usize, msg: String, problems: &mut Problems| {
        problems.at(file, text, offset, format!("rule '{id}': {msg}"));
    };
    if !valid_id(&id) {
        at(
            id_at,
            "ids use lower-case letters, digits, '-', '_' and '.'".into(),
            problems,
        );
    }
    if def.description.trim().is_empty() {
        at(id_at, "description is empty".into(), problems);
    }
    let (regex, regex_at) = match def.regex {
        Some(r) => {
            let at = r.span().start;
            let lazy = LazyRegex::with_unicode(r.into_inner(), def.unicode);
            let lazy = match def.window {
                Some(WindowDef::File) => lazy.for_whole_buffers(),
                _ => lazy,
            };
            (Some(lazy), at)
        }
        None => (None, 0),
    };
    if let (Some(lazy), true) = (&regex, eager) {
        match lazy.compile_now() {
            Ok(re) => {
                if let Some(g) = &def.secret_group {
                    let ok = match g.get_ref() {
                        GroupDef::Index(i) => *i < re.captures_len(),
                        GroupDef::Name(n) => re.capture_names().flatten().any(|c| c == n),
                    };
                    if !ok {
                        at(
                            g.span().start,
                            "secret-group names no group of the regex".into(),
                            problems,
                        );
                    }
                }
            }
            Err(e) => at(regex_at, format!("bad regex: {e}"), problems),
        }
    }
    if regex.is_none() && def.paths.is_empty() && def.path_regexes.is_empty() {
        at(
            id_at,
            "a rule needs a regex, or paths for a path rule".into(),
            problems,
        );
    }
    if let Some(e) = def.entropy {
        if !(0.0..=8.0).contains(&e) {
            at(id_at, format!("entropy {e} is outside 0..8"), problems);
        }
    }
    if let Some(c) = &def.checksum {
        if checksum::verify(c.get_ref(), b"").is_none() {
            at(
                c.span().start,
                format!("unknown checksum '{}'", c.get_ref()),
                problems,
            );
        }
    }
    let assess = def.assess.as_ref().and_then(|a| {
        let assess = crate::rules::Assess::from_name(a.get_ref());
        if assess.is_none() {
            at(
                a.span().start,
                format!("unknown assessor '{}' (known: generic, jwt)", a.get_ref()),
                problems,
            );
        }
        assess
    });
    for k in &def.keywords {
        if k.get_ref().is_empty() {
            at(k.span().start, "empty keyword".into(), problems);
        }
    }
    let paths = if def.paths.is_empty() && def.path_regexes.is_empty() {
        None
    } else {
        path_set(
            &def.paths,
            &def.path_regexes,
            file,
            text,
            &format!("rule '{id}': paths"),
            problems,
        )
    };
    let allow_paths = if def.allow_paths.is_empty() {
        None
    } else {
        path_set(
            &def.allow_paths,
            &[],
            file,
            text,
            &format!("rule '{id}': allow-paths"),
            problems,
        )
    };
    let allow_secrets = if def.allow_secrets.is_empty() {
        Vec::new()
    } else {
        regexes_with(
            &def.allow_secrets,
            file,
            text,
            &format!("rule '{id}': allow-secrets"),
            eager,
            def.unicode,
            problems,
        )
    };
    let allow_lines = if def.allow_lines.is_empty() {
        Vec::new()
    } else {
        regexes_with(
            &def.allow_lines,
            file,
            text,
            &format!("rule '{id}': allow-lines"),
            eager,
            def.unicode,
            problems,
        )
    };
    let mut allowlists = Vec::new();
    for a in def.allow_when {
        if !a.target_rules.is_empty() {
            at(
                a.target_rules[0].span().start,
                "target-rules belongs in a top-level [[allow-when]]".into(),
                problems,
            );
        }
        allowlists.push(build_allowlist(
            a,
            file,
            text,
            &format!("rule '{id}': allow-when"),
            problems,
        ));
    }
    let required = def
        .required
        .into_iter()
        .map(|r| Required {
            id: r.id.into_inner(),
            within_lines: r.within_lines,
            within_columns: r.within_columns,
        })
        .collect();
    let validate = def.validate.and_then(|v| {
        build_check(v, file, text, &format!("rule '{id}': validate"), problems).map(Box::new)
    });
    if problems.len() > before {
        return None;
    }
    let secret_group = match def.secret_group.map(Spanned::into_inner) {
        None => SecretGroup::Auto,
        Some(GroupDef::Index(i)) => SecretGroup::Index(i),
        Some(GroupDef::Name(n)) => SecretGroup::Name(n),
    };
    Some(Rule {
        id,
        description: def.description,
        regex,
        secret_group,
        keywords: def
            .keywords
            .into_iter()
            .map(|k| lower(k.into_inner()))
            .collect(),
        entropy: def.entropy,
        severity: def.severity,
        confidence: def.confidence,
        kind: def.kind,
        tags: def.tags,
        checksum: def.checksum.map(Spanned::into_inner),
        assess,
        paths,
        multiline: def.multiline || def.window == Some(WindowDef::Multiline),
        whole: def.window == Some(WindowDef::File),
        once: def.once,
        allow_secrets,
        allow_lines,
        allow_paths,
        stopwords: def.stopwords.into_iter().map(lower).collect(),
        allowlists,
        required,
        skip_report: def.skip_report,
        placeholders: def.placeholders.unwrap_or(true),
        remediation: def.remediation,
        examples: def.examples.into_iter().map(Spanned::into_inner).collect(),
        counter_examples: def
            .counter_examples
            .into_iter()
            .map(Spanned::into_inner)
            .collect(),
        example_path: def.example_path.unwrap_or_else(|| "example.txt".into()),
        source: file.to_string(),
        validate,
    })
}

/// `s` in ASCII lower case, in place.
fn lower(mut s: String) -> String {
    s.make_ascii_lowercase();
    s
}

/// Builds the global allowlist, recording problems.
pub fn build_allow(def: AllowDef, file: &str, text: &str, problems: &mut Problems) -> GlobalAllow {
    GlobalAllow {
        paths: globs(&def.paths, file, text, "allow.paths", problems),
        secrets: regexes(&def.secrets, file, text, "allow.secrets", true, problems),
        lines: regexes(&def.lines, file, text, "allow.lines", true, problems),
        stopwords: def
            .stopwords
            .iter()
            .map(|s| s.to_ascii_lowercase())
            .collect(),
        commits: commit_ids(&def.commits, file, "allow.commits", problems),
        allowlists: Vec::new(),
    }
}

/// Commit ids or prefixes, lower case. An entry that is empty (it would be a prefix of
/// every commit) or not hexadecimal is a problem.
fn commit_ids(list: &[String], file: &str, what: &str, problems: &mut Problems) -> Vec<String> {
    for c in list {
        if c.is_empty() || !c.bytes().all(|b| b.is_ascii_hexdigit()) {
            problems.push(format!(
                "{file}: {what}: commits: '{c}' is not a commit id or a prefix of one (hexadecimal digits)"
            ));
        }
    }
    list.iter().map(|s| s.to_ascii_lowercase()).collect()
}

/// Builds one `[[allow-when]]` list, recording problems (an unknown condition, a list without
/// any check, a bad glob or regex).
pub fn build_allowlist(
    def: AllowWhenDef,
    file: &str,
    text: &str,
    what: &str,
    problems: &mut Problems,
) -> Allowlist {
    let condition = match def
        .condition
        .as_ref()
        .map(|c| c.get_ref().to_ascii_lowercase())
    {
        None => Condition::Any,
        Some(c) if c == "any" || c == "or" => Condition::Any,
        Some(c) if c == "all" || c == "and" => Condition::All,
        Some(c) => {
            let at = def.condition.as_ref().map_or(0, |s| s.span().start);
            problems.at(
                file,
                text,
                at,
                format!("{what}: condition '{c}' is not 'any' or 'all'"),
            );
            Condition::Any
        }
    };
    let list = Allowlist {
        description: def.description,
        condition,
        commits: commit_ids(&def.commits, file, what, problems),
        exact_commits: false,
        paths: path_set(&def.paths, &def.path_regexes, file, text, what, problems),
        secrets: regexes_with(&def.secrets, file, text, what, true, def.unicode, problems),
        matches: regexes_with(&def.matches, file, text, what, true, def.unicode, problems),
        lines: regexes_with(&def.lines, file, text, what, true, def.unicode, problems),
        stopwords: def
            .stopwords
            .iter()
            .map(|s| s.to_ascii_lowercase())
            .collect(),
    };
    if list.is_empty() {
        problems.push(format!("{file}: {what}: a list needs at least one of commits, paths, path-regexes, secrets, matches, lines, stopwords"));
    }
    list
}

/// What `rules check` found in a good file.
#[derive(Debug, Default)]
pub struct Checked {
    /// Rules defined by the file.
    pub rules: usize,
    /// `leakscan` or `gitleaks`.
    pub format: &'static str,
    /// Things that load but deserve attention (gitleaks files: what could not be carried over).
    pub warnings: Vec<String>,
}

/// Every `[rules.validate] pair` names a rule of the set.
pub(crate) fn check_pairs(rules: &[Rule], problems: &mut Problems) {
    for r in rules {
        if let Some(p) = r.validate.as_ref().and_then(|c| c.pair.as_ref()) {
            if !rules.iter().any(|o| o.id == p.rule) {
                problems.push(format!(
                    "{}: rule '{}': validate: pair rule '{}' does not exist",
                    r.source, r.id, p.rule
                ));
            }
        }
    }
}

/// `[validate.self-hosted]`: each provider's base URLs replace its public host in its checks.
pub(crate) fn apply_self_hosted(
    def: Option<super::model::ValidateConfigDef>,
    rules: &mut [Rule],
    name: &str,
    text: &str,
    problems: &mut Problems,
) {
    let Some(def) = def else { return };
    for (provider, bases) in def.self_hosted {
        let mut clean = Vec::new();
        for b in &bases {
            let base = b.get_ref().trim_end_matches('/');
            let path_ok = base
                .strip_prefix("https://")
                .is_some_and(|rest| !rest.contains(['?', '#', '@', '{', '}']));
            if !path_ok || url_host(base).is_none() {
                problems.at(
                    name,
                    text,
                    b.span().start,
                    format!(
                        "validate.self-hosted.{provider}: '{}' is not an https:// base URL",
                        b.get_ref()
                    ),
                );
                continue;
            }
            clean.push(base.to_string());
        }
        let mut used = false;
        for r in rules.iter_mut() {
            if let Some(c) = r.validate.as_mut().filter(|c| c.provider == provider) {
                c.bases = clean.clone();
                used = true;
            }
        }
        if !used {
            problems.push(format!(
                "{name}: validate.self-hosted: no rule checks provider '{provider}'"
            ));
        }
    }
}
