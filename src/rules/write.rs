//! Writes a translated gitleaks configuration as a leakscan configuration file (the format of
//! `docs/rules.md`), for `leakscan rules convert`. Every rule and list is written from the
//! runtime [`RuleSet`](super::RuleSet) the scan itself would use, so the file means what the scan did; what
//! could not be carried over is written as `#` comments.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use super::gitleaks::{strictly_above, Translation};
use super::validate::valid_id;
use super::{
    Allowlist, Condition, Confidence, Kind, LazyRegex, PathSet, Rule, SecretGroup, Severity,
};

/// The leakscan configuration equivalent to a translated gitleaks configuration read from `from`.
pub fn convert(from: &str, t: &Translation, builtin_ids: &[String]) -> String {
    let mut w = String::new();
    let _ = writeln!(
        w,
        "# leakscan configuration converted from {from} by `leakscan rules convert`."
    );
    let _ = writeln!(w, "# Format: docs/rules.md. Regexes were translated from Go's syntax and compile with Unicode on.");
    if let Some(title) = &t.title {
        let _ = writeln!(w, "# gitleaks title: {}", one_line(title));
    }
    for warning in &t.warnings {
        let _ = writeln!(w, "# not carried over: {}", one_line(warning));
    }
    let ids = rename_map(&t.rules.rules);
    for (old, new) in &ids {
        let _ = writeln!(w, "# rule id '{}' is written as '{new}' (leakscan ids use lower-case letters, digits, '-', '_', '.')", one_line(old));
    }
    w.push_str("\n[extend]\n");
    let _ = writeln!(w, "builtin = {}", t.uses_default);
    if t.uses_default {
        w.insert_str(0, "# gitleaks' [extend] useDefault becomes leakscan's built-in pack, whose rules and ids differ from gitleaks' defaults.\n");
        let present: HashSet<&str> = t.rules.rules.iter().map(|r| r.id.as_str()).collect();
        let disabled: Vec<String> = builtin_ids
            .iter()
            .filter(|id| !present.contains(id.as_str()))
            .cloned()
            .collect();
        if !disabled.is_empty() {
            let _ = writeln!(w, "disable = {}", array(&disabled));
        }
    }
    for a in &t.rules.allow.allowlists {
        w.push_str("\n[[allow-when]]\n");
        write_allowlist(&mut w, a, &[]);
    }
    // Lists that gitleaks' targetRules attached to rules of the built-in pack.
    for r in t
        .rules
        .rules
        .iter()
        .filter(|r| r.source.starts_with("builtin:"))
    {
        for a in &r.allowlists {
            w.push_str("\n[[allow-when]]\n");
            write_allowlist(&mut w, a, std::slice::from_ref(&r.id));
        }
    }
    for r in t
        .rules
        .rules
        .iter()
        .filter(|r| !r.source.starts_with("builtin:"))
    {
        w.push('\n');
        write_rule(&mut w, r, &ids);
    }
    w
}

/// Gitleaks ids that are not valid leakscan ids, and their replacements.
fn rename_map(rules: &[Rule]) -> HashMap<String, String> {
    let mut map = HashMap::new();
    let mut taken: HashSet<String> = rules.iter().map(|r| r.id.clone()).collect();
    for r in rules {
        if valid_id(&r.id) {
            continue;
        }
        let mut new: String =
            r.id.to_lowercase()
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                        c
                    } else {
                        '-'
                    }
                })
                .collect();
        new = new
            .trim_start_matches(|c: char| !c.is_ascii_alphanumeric())
            .to_string();
        if new.is_empty() {
            new = "rule".into();
        }
        let base = new.clone();
        let mut n = 2;
        while taken.contains(&new) {
            new = format!("{base}-{n}");
            n += 1;
        }
        taken.insert(new.clone());
        map.insert(r.id.clone(), new);
    }
    map
}

fn id_of<'a>(id: &'a str, ids: &'a HashMap<String, String>) -> &'a str {
    ids.get(id).map_or(id, String::as_str)
}

fn write_rule(w: &mut String, r: &Rule, ids: &HashMap<String, String>) {
    w.push_str("[[rules]]\n");
    let _ = writeln!(w, "id = {}", basic(id_of(&r.id, ids)));
    let _ = writeln!(w, "description = {}", basic(&r.description));
    if let Some(re) = &r.regex {
        let _ = writeln!(w, "regex = {}", literal(re.as_str()));
    }
    let unicode = r.regex.as_ref().is_some_and(LazyRegex::is_unicode);
    if unicode {
        w.push_str("unicode = true\n");
    }
    if r.whole {
        w.push_str("window = \"file\"\n");
    } else if r.multiline {
        w.push_str("multiline = true\n");
    }
    match &r.secret_group {
        SecretGroup::Index(i) => {
            let _ = writeln!(w, "secret-group = {i}");
        }
        SecretGroup::Name(n) => {
            let _ = writeln!(w, "secret-group = {}", basic(n));
        }
        SecretGroup::First if has_group_named_secret(r) => {
            w.push_str("# gitleaks takes the first non-empty group; leakscan prefers the group named 'secret'\n");
        }
        SecretGroup::First | SecretGroup::Auto => {}
    }
    if !r.keywords.is_empty() {
        let _ = writeln!(w, "keywords = {}", array(&r.keywords));
    }
    if let Some(e) = r.entropy {
        let below = f64::from_bits(e.to_bits().saturating_sub(1));
        if e > 0.0 && strictly_above(below) == e && format!("{below}").len() < format!("{e}").len()
        {
            let _ = writeln!(w, "entropy = {e}  # gitleaks: above {below}");
        } else {
            let _ = writeln!(w, "entropy = {e}");
        }
    }
    if r.severity != Severity::default() {
        let _ = writeln!(
            w,
            "severity = \"{}\"",
            format!("{:?}", r.severity).to_lowercase()
        );
    }
    if r.confidence != Confidence::default() {
        let _ = writeln!(
            w,
            "confidence = \"{}\"",
            format!("{:?}", r.confidence).to_lowercase()
        );
    }
    if r.kind != Kind::default() {
        let _ = writeln!(w, "kind = \"{}\"", format!("{:?}", r.kind).to_lowercase());
    }
    if !r.tags.is_empty() {
        let _ = writeln!(w, "tags = {}", array(&r.tags));
    }
    if let Some(c) = &r.checksum {
        let _ = writeln!(w, "checksum = {}", basic(c));
    }
    match r.assess {
        Some(crate::rules::Assess::Generic) => {
            let _ = writeln!(w, "assess = \"generic\"");
        }
        Some(crate::rules::Assess::Jwt) => {
            let _ = writeln!(w, "assess = \"jwt\"");
        }
        None => {}
    }
    write_paths(w, r.paths.as_ref(), "paths", "path-regexes");
    if !r.allow_secrets.is_empty() {
        let _ = writeln!(w, "allow-secrets = {}", regex_array(&r.allow_secrets));
    }
    if !r.allow_lines.is_empty() {
        let _ = writeln!(w, "allow-lines = {}", regex_array(&r.allow_lines));
    }
    write_paths(w, r.allow_paths.as_ref(), "allow-paths", "");
    if !r.stopwords.is_empty() {
        let _ = writeln!(w, "stopwords = {}", array(&r.stopwords));
    }
    if !r.placeholders {
        w.push_str("placeholders = false\n");
    }
    if r.skip_report {
        w.push_str("skip-report = true\n");
    }
    if let Some(rem) = &r.remediation {
        let _ = writeln!(w, "remediation = {}", basic(rem));
    }
    if !r.examples.is_empty() {
        let _ = writeln!(w, "examples = {}", array(&r.examples));
    }
    if !r.counter_examples.is_empty() {
        let _ = writeln!(w, "counter-examples = {}", array(&r.counter_examples));
    }
    if r.example_path != "example.txt" {
        let _ = writeln!(w, "example-path = {}", basic(&r.example_path));
    }
    for q in &r.required {
        w.push_str("[[rules.required]]\n");
        let _ = writeln!(w, "id = {}", basic(id_of(&q.id, ids)));
        if let Some(n) = q.within_lines {
            let _ = writeln!(w, "within-lines = {n}");
        }
        if let Some(n) = q.within_columns {
            let _ = writeln!(w, "within-columns = {n}");
        }
    }
    for a in &r.allowlists {
        w.push_str("[[rules.allow-when]]\n");
        write_allowlist(w, a, &[]);
    }
}

fn has_group_named_secret(r: &Rule) -> bool {
    r.regex
        .as_ref()
        .and_then(|re| re.get())
        .is_some_and(|re| re.capture_names().flatten().any(|n| n == "secret"))
}

fn write_paths(w: &mut String, set: Option<&PathSet>, globs_key: &str, regex_key: &str) {
    let Some(set) = set else { return };
    if !set.globs().is_empty() {
        let _ = writeln!(w, "{globs_key} = {}", array(set.globs()));
    }
    let regexes: Vec<&str> = set.regexes().collect();
    if !regexes.is_empty() && !regex_key.is_empty() {
        let items: Vec<String> = regexes.iter().map(|r| literal(r)).collect();
        let _ = writeln!(w, "{regex_key} = [{}]", items.join(", "));
    }
}

fn write_allowlist(w: &mut String, a: &Allowlist, targets: &[String]) {
    if !a.description.is_empty() {
        let _ = writeln!(w, "description = {}", basic(&a.description));
    }
    if a.condition == Condition::All {
        w.push_str("condition = \"all\"\n");
    }
    if !targets.is_empty() {
        let _ = writeln!(w, "target-rules = {}", array(targets));
    }
    if !a.commits.is_empty() {
        let _ = writeln!(w, "commits = {}", array(&a.commits));
    }
    write_paths(w, a.paths.as_ref(), "paths", "path-regexes");
    for (key, list) in [
        ("secrets", &a.secrets),
        ("matches", &a.matches),
        ("lines", &a.lines),
    ] {
        if !list.is_empty() {
            let _ = writeln!(w, "{key} = {}", regex_array(list));
        }
    }
    if a.secrets
        .iter()
        .chain(&a.matches)
        .chain(&a.lines)
        .any(LazyRegex::is_unicode)
    {
        w.push_str("unicode = true\n");
    }
    if !a.stopwords.is_empty() {
        let _ = writeln!(w, "stopwords = {}", array(&a.stopwords));
    }
}

fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

fn array(items: &[String]) -> String {
    let v: Vec<String> = items.iter().map(|s| basic(s)).collect();
    format!("[{}]", v.join(", "))
}

fn regex_array(items: &[LazyRegex]) -> String {
    let v: Vec<String> = items.iter().map(|r| literal(r.as_str())).collect();
    format!("[{}]", v.join(", "))
}

/// A TOML literal string (`'''...'''`) when the text allows it, else a basic string.
fn literal(s: &str) -> String {
    if !s.contains("'''") && !s.ends_with('\'') && !s.chars().any(|c| c.is_control() && c != '\t') {
        format!("'''{s}'''")
    } else {
        basic(s)
    }
}

/// A TOML basic string.
fn basic(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
