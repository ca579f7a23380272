//! Telling a gitleaks configuration from a leakscan one by its content, then its name.

use toml::de::{DeTable, DeValue};

use super::read::get;

/// True when `text` is a gitleaks configuration rather than a leakscan one: by the keys only
/// gitleaks uses (`secretGroup`, `useDefault`, `[[allowlists]]`, a rule's `path`, `title`...),
/// else by name (`.gitleaks.toml`, `gitleaks.toml`) when the content could be either.
pub fn is_gitleaks(name: &str, text: &str) -> bool {
    let Ok(doc) = DeTable::parse(text) else {
        return name_says_gitleaks(name);
    };
    let doc = doc.get_ref();
    let (mut gl, mut native) = (0, 0);
    let mut score = |t: &DeTable, gitleaks_keys: &[&str], native_keys: &[&str]| {
        for (k, _) in t.iter() {
            let k = k.get_ref();
            if gitleaks_keys.iter().any(|g| g.eq_ignore_ascii_case(k)) {
                gl += 1;
            }
            if native_keys.contains(&k.as_ref()) || k.contains('-') {
                native += 1;
            }
        }
    };
    score(
        doc,
        &["title", "minVersion", "allowlist", "allowlists"],
        &["allow", "allow-when"],
    );
    if let Some(DeValue::Table(ext)) = get(doc, "extend").map(|v| v.get_ref()) {
        score(
            ext,
            &["useDefault", "path", "url", "disabledRules"],
            &["builtin", "disable", "files"],
        );
    }
    if let Some(DeValue::Array(rules)) = get(doc, "rules").map(|v| v.get_ref()) {
        for r in rules.iter() {
            if let DeValue::Table(r) = r.get_ref() {
                score(
                    r,
                    &[
                        "secretGroup",
                        "path",
                        "allowlist",
                        "allowlists",
                        "required",
                        "skipReport",
                    ],
                    &[
                        "severity",
                        "confidence",
                        "kind",
                        "checksum",
                        "paths",
                        "multiline",
                        "stopwords",
                        "placeholders",
                        "remediation",
                        "examples",
                        "unicode",
                        "window",
                    ],
                );
            }
        }
    }
    match (gl > 0, native > 0) {
        (true, false) => true,
        (false, true) => false,
        _ => name_says_gitleaks(name),
    }
}

fn name_says_gitleaks(name: &str) -> bool {
    let base = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(name)
        .to_ascii_lowercase();
    base.contains("gitleaks")
}
