//! The built-in pack: every rule's examples and counter-examples, and the pack's shape.

use std::sync::Arc;

#[test]
fn builtin_examples_and_counter_examples() {
    let rules = leakscan::rules::load::builtin_rules().expect("built-in pack loads");
    let set = Arc::new(leakscan::rules::RuleSet {
        rules,
        ..Default::default()
    });
    let failures = leakscan::rules::selftest::run(set);
    assert!(
        failures.is_empty(),
        "{} failures:\n{:#?}",
        failures.len(),
        failures
    );
}

#[test]
fn builtin_ids_are_unique_and_have_keywords() {
    let rules = leakscan::rules::load::builtin_rules().expect("built-in pack loads");
    let mut ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    assert_eq!(before, ids.len(), "duplicate rule ids");
    for r in &rules {
        // A rule restricted to paths may run without keywords: it costs nothing elsewhere.
        assert!(
            r.paths.is_some() || !r.keywords.is_empty(),
            "{} has neither keywords nor paths",
            r.id
        );
    }
}
