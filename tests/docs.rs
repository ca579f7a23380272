//! The examples of docs/rules.md work: every TOML block passes `leakscan rules check` (syntax,
//! fields, regexes, and each rule's examples), loads as a configuration (`rules list`), and the
//! rule and configuration examples pass `rules test` (every example and counter-example).

use crate::util::{repo_root, Dir};

/// The ```toml blocks of a markdown file, in order.
fn toml_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```toml") => current = Some(String::new()),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(b), l) => {
                b.push_str(l);
                b.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn rules_md_examples_check_load_and_pass_their_tests() {
    let text = std::fs::read_to_string(repo_root().join("docs/rules.md")).expect("docs/rules.md");
    let blocks = toml_blocks(&text);
    assert_eq!(
        blocks.len(),
        4,
        "docs/rules.md's TOML examples changed: update this test"
    );
    let dir = Dir::new();
    // The configuration example pulls in ../shared/leakscan-rules.toml.
    dir.write(
        "shared/leakscan-rules.toml",
        "[[rules]]\nid = \"shared-token\"\ndescription = \"Shared token\"\nregex = '''sharedtok_[a-z]{20}'''\nexamples = [\"t = sharedtok_qwertyuiopasdfghjklz\"]\ncounter-examples = [\"t = sharedtok_\"]\n",
    );
    for (i, block) in blocks.iter().enumerate() {
        let name = format!("proj/example{i}.toml");
        dir.write(&name, block);
        let check = dir.run(&["rules", "check", &name]);
        assert_eq!(check.code(), 0, "block {i}: {}", check.stderr());
        let list = dir.run(&["rules", "list", "--json", "-c", &name]);
        assert_eq!(list.code(), 0, "block {i}: {}", list.stderr());
        // Blocks 0 (a rule) and 1 (a configuration) are complete rules; block 2 shows fields
        // for gitleaks' semantics on rules that carry no examples, block 3 has no rules.
        if i < 2 {
            let test = dir.run(&["rules", "test", "-c", &name]);
            assert_eq!(test.code(), 0, "block {i}: {}", test.stdout());
            assert!(
                test.stdout().ends_with(" 0 failure(s)\n"),
                "{}",
                test.stdout()
            );
        }
    }
    // The rule example and the configuration's rule are in effect where they are.
    let list = dir.run(&[
        "rules",
        "list",
        "--json",
        "-c",
        "proj/example0.toml",
        "--only-rule",
        "acme-*",
    ]);
    let rules = list.json();
    let ids: Vec<&str> = rules
        .as_array()
        .map(|a| a.iter().filter_map(|r| r["id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(ids, vec!["acme-deploy-token"]);
}
