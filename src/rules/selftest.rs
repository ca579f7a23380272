//! Runs every rule's examples (each must give a finding of its rule) and counter-examples (none
//! may), with every filter applied, plus a compile check of every regex. Used by `leakscan
//! rules test` and by the test suite for the built-in pack.

use std::sync::Arc;

use super::RuleSet;
use crate::matcher::Matcher;

/// One failed check.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// The rule.
    pub rule: String,
    /// What failed, e.g. `example 2 gives no finding`.
    pub what: String,
}

/// Checks every rule of `set`; returns the failures (empty when all pass).
pub fn run(set: Arc<RuleSet>) -> Vec<Failure> {
    let mut matcher = Matcher::new(set.clone());
    // Examples show what each rule matches once a project opts in to internal markers; the
    // context policy of public code has its own tests (matcher::markers).
    matcher.assume_internal_table();
    let mut failures = Vec::new();
    for (i, rule) in set.rules.iter().enumerate() {
        if rule.is_generated() {
            continue;
        }
        let mut fail = |what: String| {
            failures.push(Failure {
                rule: rule.id.clone(),
                what,
            })
        };
        if let Some(re) = &rule.regex {
            if let Err(e) = re.compile_now() {
                fail(format!("regex does not compile: {e}"));
                continue;
            }
        }
        for (n, r) in rule
            .allow_secrets
            .iter()
            .chain(&rule.allow_lines)
            .enumerate()
        {
            if let Err(e) = r.compile_now() {
                fail(format!("allowlist regex {} does not compile: {e}", n + 1));
            }
        }
        if rule.examples.is_empty() {
            fail("has no example".into());
        }
        if rule.counter_examples.is_empty() {
            fail("has no counter-example".into());
        }
        let fires = |text: &str| {
            if rule.is_path_rule() {
                return matcher.path_matches(text).contains(&i);
            }
            matcher
                .scan(text.as_bytes(), &rule.example_path, false)
                .iter()
                .any(|c| c.rule == i)
        };
        for (n, ex) in rule.examples.iter().enumerate() {
            if !fires(ex) {
                let why = explain_miss(&matcher, i, ex, &rule.example_path);
                fail(format!("example {} gives no finding{why}", n + 1));
            }
        }
        for (n, ex) in rule.counter_examples.iter().enumerate() {
            if fires(ex) {
                fail(format!("counter-example {} gives a finding", n + 1));
            }
        }
    }
    failures
}

fn explain_miss(matcher: &Matcher, rule: usize, text: &str, path: &str) -> String {
    let reasons: Vec<String> = matcher
        .scan(text.as_bytes(), path, true)
        .into_iter()
        .filter(|c| c.rule == rule)
        .filter_map(|c| c.dropped.map(|d| d.to_string()))
        .collect();
    if reasons.is_empty() {
        String::new()
    } else {
        format!(" (dropped: {})", reasons.join("; "))
    }
}
