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

/// Rule selection from the command line and from `[select]` in `.leakscan.toml`, seen by
/// `rules list` (the configuration in effect in the current folder) and by a scan.
#[test]
fn rule_selection_by_id_glob_and_tag_on_the_command_line_and_in_the_configuration() {
    let dir = crate::util::Dir::new();
    let ids = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["rules", "list", "--json"];
        a.extend_from_slice(args);
        let run = dir.run(&a);
        assert_eq!(run.code(), 0, "{}", run.stderr());
        run.json()
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|r| r["id"].as_str().map(str::to_string))
            .collect()
    };
    let all = ids(&[]);
    let github: Vec<String> = all
        .iter()
        .filter(|i| i.starts_with("github-"))
        .cloned()
        .collect();
    assert!(github.len() >= 5);
    // A tag selects every rule carrying it; a glob narrows; disable takes away.
    let tagged = ids(&["--only-rule", "github"]);
    assert!(github.iter().all(|g| tagged.contains(g)), "{tagged:?}");
    assert_eq!(
        ids(&[
            "--only-rule",
            "github-pat-*",
            "--disable-rule",
            "github-pat-fine-grained"
        ]),
        vec!["github-pat-classic".to_string()]
    );
    // The configuration's [select] applies, and --enable-rule brings a switched-off rule back.
    dir.write(
        ".leakscan.toml",
        "[extend]\ndisable = [\"github-pat-classic\"]\n\n[select]\ndisable = [\"aws-*\"]\n",
    );
    let here = ids(&[]);
    assert!(!here
        .iter()
        .any(|i| i.starts_with("aws-") || i == "github-pat-classic"));
    assert!(
        ids(&["--enable-rule", "github-pat-classic"]).contains(&"github-pat-classic".to_string())
    );
    assert_eq!(ids(&["--builtin"]).len(), all.len());
    // A selector that matches nothing is an error, in the configuration too.
    dir.write(".leakscan.toml", "[select]\nonly = [\"no-such-rule\"]\n");
    let run = dir.run(&["scan", "."]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains(
            ".leakscan.toml: [select]: only-rule 'no-such-rule' matches no rule id, glob or tag"
        ),
        "{}",
        run.stderr()
    );
}
