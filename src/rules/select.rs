//! Rule selection: `--only-rule`, `--enable-rule`, `--disable-rule` and the configuration's
//! `[select]` table. A selector is a rule id, a glob over ids (`aws-*`), a tag (`cloud`), or a
//! gitleaks rule id (translated with `docs/gitleaks-ids.toml` when no leakscan rule matches it
//! directly).
//!
//! Order: the rules in effect, plus the rules `enable` names that the configuration switched
//! off (taken from the built-in pack), minus `disable`, then only those `only` names when it is
//! given. A selector that matches no rule is an error, so a typo cannot silently select
//! nothing.

use globset::{Glob, GlobMatcher};

use super::error::ConfigError;
use super::gitleaks::ids;
use super::Rule;

/// What to enable, disable and isolate.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// Run only rules matching one of these.
    pub only: Vec<String>,
    /// Run these even when the configuration switched them off.
    pub enable: Vec<String>,
    /// Do not run these.
    pub disable: Vec<String>,
}

/// One selector, compiled.
struct Selector {
    text: String,
    glob: Option<GlobMatcher>,
    /// Leakscan ids of a gitleaks id, when the text is one.
    gitleaks: &'static [String],
}

impl Selector {
    fn new(what: &str, text: &str) -> Result<Selector, ConfigError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(ConfigError::Invalid(format!("{what}: empty rule selector")));
        }
        let glob = if text.contains(['*', '?', '[', '{']) {
            Some(
                Glob::new(text)
                    .map_err(|e| ConfigError::Invalid(format!("{what} '{text}': {e}")))?
                    .compile_matcher(),
            )
        } else {
            None
        };
        Ok(Selector {
            text: text.to_string(),
            glob,
            gitleaks: ids::translate(text).unwrap_or_default(),
        })
    }

    fn direct(&self, r: &Rule) -> bool {
        r.id == self.text
            || r.tags.contains(&self.text)
            || self.glob.as_ref().is_some_and(|g| g.is_match(&r.id))
    }

    fn matches_any(&self, rules: &[Rule]) -> bool {
        rules.iter().any(|r| self.direct(r))
    }

    /// Matches `r` directly, or through the gitleaks table when nothing in `pool` matches
    /// directly.
    fn matches(&self, r: &Rule, direct_somewhere: bool) -> bool {
        self.direct(r) || (!direct_somewhere && self.gitleaks.contains(&r.id))
    }
}

fn compile(what: &str, list: &[String]) -> Result<Vec<Selector>, ConfigError> {
    list.iter().map(|s| Selector::new(what, s)).collect()
}

impl Selection {
    /// True when nothing is selected, enabled or disabled.
    pub fn is_empty(&self) -> bool {
        self.only.is_empty() && self.enable.is_empty() && self.disable.is_empty()
    }

    /// Adds another selection's lists (command line after configuration).
    pub fn extend(&mut self, other: &Selection) {
        self.only.extend(other.only.iter().cloned());
        self.enable.extend(other.enable.iter().cloned());
        self.disable.extend(other.disable.iter().cloned());
    }

    /// Applies the selection to `rules`; `builtin` gives the built-in pack for `enable`.
    /// `origin` names where the selection comes from in errors (`command line`, a file).
    pub fn apply(
        &self,
        rules: &mut Vec<Rule>,
        builtin: impl FnOnce() -> Result<Vec<Rule>, ConfigError>,
        origin: &str,
    ) -> Result<(), ConfigError> {
        if self.is_empty() {
            return Ok(());
        }
        let enable = compile(&format!("{origin}: enable-rule"), &self.enable)?;
        let disable = compile(&format!("{origin}: disable-rule"), &self.disable)?;
        let only = compile(&format!("{origin}: only-rule"), &self.only)?;
        let mut problems = Vec::new();
        if !enable.is_empty() {
            let pack = builtin()?;
            let direct: Vec<bool> = enable
                .iter()
                .map(|s| s.matches_any(&pack) || s.matches_any(rules))
                .collect();
            let mut found: Vec<bool> = enable
                .iter()
                .zip(&direct)
                .map(|(s, &d)| rules.iter().any(|r| s.matches(r, d)))
                .collect();
            for r in pack {
                let mut wanted = false;
                for (k, s) in enable.iter().enumerate() {
                    if s.matches(&r, direct[k]) {
                        found[k] = true;
                        wanted = true;
                    }
                }
                if wanted && !rules.iter().any(|x| x.id == r.id) {
                    rules.push(r);
                }
            }
            for (s, f) in enable.iter().zip(found) {
                if !f {
                    problems.push(no_match(origin, "enable-rule", &s.text));
                }
            }
        }
        for (what, list) in [("disable-rule", &disable), ("only-rule", &only)] {
            for s in list.iter() {
                if !rules.iter().any(|r| s.matches(r, s.matches_any(rules))) {
                    problems.push(no_match(origin, what, &s.text));
                }
            }
        }
        if !problems.is_empty() {
            return Err(ConfigError::Many(problems));
        }
        let direct: Vec<bool> = disable.iter().map(|s| s.matches_any(rules)).collect();
        rules.retain(|r| !disable.iter().zip(&direct).any(|(s, &d)| s.matches(r, d)));
        if !only.is_empty() {
            let direct: Vec<bool> = only.iter().map(|s| s.matches_any(rules)).collect();
            rules.retain(|r| only.iter().zip(&direct).any(|(s, &d)| s.matches(r, d)));
        }
        Ok(())
    }
}

fn no_match(origin: &str, what: &str, text: &str) -> String {
    format!("{origin}: {what} '{text}' matches no rule id, glob or tag (see `leakscan rules list`)")
}

#[cfg(test)]
mod tests {
    use super::Selection;
    use crate::rules::load::builtin_rules;

    fn ids(sel: &Selection, start: impl Fn(&str) -> bool) -> Result<Vec<String>, String> {
        let mut rules: Vec<_> = builtin_rules()
            .expect("pack")
            .into_iter()
            .filter(|r| start(&r.id))
            .collect();
        sel.apply(&mut rules, builtin_rules, "test")
            .map_err(|e| e.to_string())?;
        Ok(rules.into_iter().map(|r| r.id).collect())
    }

    #[test]
    fn only_by_glob_id_and_gitleaks_id() {
        // `github-pat` and `aws-access-token` are gitleaks ids, translated.
        let sel = Selection {
            only: vec!["github-pat".into(), "aws-access-token".into()],
            ..Selection::default()
        };
        assert_eq!(
            ids(&sel, |_| true).expect("ok"),
            vec![
                "aws-access-key-id".to_string(),
                "github-pat-classic".to_string()
            ]
        );
        let sel = Selection {
            only: vec!["private-key-*".into()],
            ..Selection::default()
        };
        let got = ids(&sel, |_| true).expect("ok");
        assert!(
            got.len() >= 5 && got.iter().all(|i| i.starts_with("private-key-")),
            "{got:?}"
        );
    }

    #[test]
    fn disable_then_enable_and_typos() {
        let sel = Selection {
            disable: vec!["github-*".into()],
            ..Selection::default()
        };
        let got = ids(&sel, |_| true).expect("ok");
        assert!(!got.iter().any(|i| i.starts_with("github-")));
        assert!(got.contains(&"aws-access-key-id".to_string()));
        // A rule the configuration switched off comes back with enable.
        let sel = Selection {
            enable: vec!["github-pat-classic".into()],
            ..Selection::default()
        };
        let got = ids(&sel, |id| id != "github-pat-classic").expect("ok");
        assert!(got.contains(&"github-pat-classic".to_string()));
        let sel = Selection {
            only: vec!["githbu-pat".into()],
            ..Selection::default()
        };
        assert_eq!(
            ids(&sel, |_| true).err().as_deref(),
            Some("test: only-rule 'githbu-pat' matches no rule id, glob or tag (see `leakscan rules list`)")
        );
    }
}
