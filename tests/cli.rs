//! The command line over working trees and standard input: exact findings, exit statuses,
//! formats, configuration discovery and errors.

use crate::util::{github_token, test_rules_with, Dir, TOKEN};

/// The test rules and a path rule for `.env.production` files.
fn rules() -> String {
    test_rules_with(
        "",
        r#"
[[rules]]
id = "test-env-file"
description = ".env file"
paths = ["**/.env.production"]
kind = "internal"
examples = ["app/.env.production"]
counter-examples = ["app/.env.example"]
"#,
    )
}

fn tree() -> Dir {
    let d = Dir::new();
    d.write("rules.toml", rules());
    d.write("src/app.py", format!("import os\n\nAPI = \"{TOKEN}\"\n"));
    d.write("src/clean.py", "print('hello')\n");
    d.write(".env.production", "HOST=db\n");
    d
}

#[test]
fn exact_findings_and_exit_1() {
    let d = tree();
    let r = d.run(&["scan", ".", "--config", "rules.toml", "--format", "json"]);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    assert_eq!(
        r.findings(),
        vec![
            (
                ".env.production".to_string(),
                1,
                "test-env-file".to_string()
            ),
            ("src/app.py".to_string(), 3, "test-token".to_string()),
        ]
    );
    let j = r.json();
    let f = &j["findings"][1];
    assert_eq!(f["column"], 8);
    assert_eq!(f["end_column"], 8 + TOKEN.len() as u64);
    assert_eq!(f["kind"], "secret");
    assert_eq!(j["findings"][0]["kind"], "internal");
    assert!(f["commit"].is_null());
    assert_eq!(f["fingerprint"].as_str().map(str::len), Some(32));
    assert_eq!(j["summary"]["files"], 4 - 1); // the configuration file is never scanned
}

#[test]
fn clean_tree_exits_0() {
    let d = Dir::new();
    d.write("rules.toml", rules());
    d.write("a.txt", "nothing here\n");
    let r = d.run(&["scan", "--config", "rules.toml"]);
    assert_eq!(r.code(), 0, "{}{}", r.stdout(), r.stderr());
    assert!(r.stdout().contains("0 findings"), "{}", r.stdout());
}

#[test]
fn scan_is_the_default_command_and_reads_stdin() {
    let d = Dir::new();
    d.write("rules.toml", rules());
    let input = format!("a\nb = {TOKEN}\n");
    let r = d.run_stdin(
        &["-", "--config", "rules.toml", "--format", "json"],
        Some(input.as_bytes()),
    );
    assert_eq!(r.code(), 1, "{}", r.stderr());
    assert_eq!(
        r.findings(),
        vec![("-".to_string(), 2, "test-token".to_string())]
    );
}

#[test]
fn repository_config_is_discovered_and_can_be_refused() {
    let d = tree();
    std::fs::rename(d.path().join("rules.toml"), d.path().join(".leakscan.toml")).expect("rename");
    let r = d.run(&["scan", "--format", "json"]);
    assert_eq!(r.findings().len(), 2, "{}", r.stderr());
    assert!(
        r.stderr().contains("configuration: ./.leakscan.toml"),
        "{}",
        r.stderr()
    );
    let r = d.run(&["scan", "--format", "json", "--no-repo-config"]);
    assert!(r.findings().iter().all(|f| f.2 != "test-token"));
}

#[test]
fn inline_allow_comment_suppresses() {
    let d = Dir::new();
    d.write("rules.toml", rules());
    d.write(
        "a.py",
        format!("k = \"{TOKEN}\"  # leakscan:allow\nj = \"{TOKEN}\"  # gitleaks:allow\n"),
    );
    let r = d.run(&["scan", "--config", "rules.toml", "--format", "json"]);
    assert_eq!(r.code(), 0, "{}", r.stdout());
}

#[test]
fn explain_tells_which_filter_dropped() {
    let d = Dir::new();
    d.write("rules.toml", rules());
    d.write("a.py", "k = tt_aaaaaaaaaaaaaaaaaaaaaaaa\n");
    let r = d.run(&[
        "scan",
        "--config",
        "rules.toml",
        "--format",
        "json",
        "--explain",
    ]);
    assert_eq!(r.code(), 0);
    let j = r.json();
    let dropped = j["dropped"].as_array().expect("dropped list");
    assert_eq!(dropped.len(), 1);
    assert!(
        dropped[0]["dropped"]
            .as_str()
            .unwrap_or_default()
            .starts_with("entropy"),
        "{dropped:?}"
    );
}

#[test]
fn malformed_rule_file_is_located() {
    let d = Dir::new();
    d.write(
        "bad.toml",
        "[[rules]]\nid = \"x\"\ndescription = \"d\"\nregex = '''(unclosed'''\nkeywords = [\"x\"]\n",
    );
    let r = d.run(&["scan", "--config", "bad.toml"]);
    assert_eq!(r.code(), 2);
    assert!(
        r.stderr().contains("bad.toml:4:9: rule 'x': bad regex"),
        "{}",
        r.stderr()
    );
    d.write("syntax.toml", "[[rules]]\nid = \"x\"\ndescription = \n");
    let r = d.run(&["rules", "check", "syntax.toml"]);
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("syntax.toml:3:"), "{}", r.stderr());
    d.write(
        "unknown.toml",
        "[[rules]]\nid = \"x\"\ndescription = \"d\"\nregx = \"a\"\n",
    );
    let r = d.run(&["rules", "check", "unknown.toml"]);
    assert!(r.stderr().contains("unknown.toml:4:1"), "{}", r.stderr());
}

#[test]
fn missing_path_is_a_usage_error() {
    let d = Dir::new();
    let r = d.run(&["scan", "does-not-exist"]);
    assert_eq!(r.code(), 2);
    assert!(r
        .stderr()
        .contains("does-not-exist: no such file or folder"));
}

#[test]
fn max_file_size_skip_is_reported_not_incomplete() {
    let d = Dir::new();
    d.write("rules.toml", rules());
    d.write("big.txt", "x".repeat(5000));
    let r = d.run(&[
        "scan",
        "--config",
        "rules.toml",
        "--max-file-size",
        "1K",
        "--format",
        "json",
    ]);
    assert_eq!(r.code(), 0, "{}", r.stdout());
    let j = r.json();
    assert_eq!(j["skipped"][0]["reason"], "too-large");
    assert_eq!(j["skipped"][0]["allowed"], true);
}

#[test]
fn hidden_files_scanned_and_gitignore_honoured() {
    let d = Dir::new();
    d.write("rules.toml", rules());
    d.write(".git/HEAD", "ref: refs/heads/main\n");
    d.write(".gitignore", "ignored/\n");
    d.write(".hidden/x.cfg", format!("{TOKEN}\n"));
    d.write("ignored/y.cfg", format!("{TOKEN}\n"));
    let r = d.run(&["scan", "--config", "rules.toml", "--format", "json"]);
    let locs: Vec<String> = r.findings().into_iter().map(|f| f.0).collect();
    assert_eq!(locs, vec![".hidden/x.cfg".to_string()], "{}", r.stderr());
    let r = d.run(&[
        "scan",
        "--config",
        "rules.toml",
        "--format",
        "json",
        "--no-ignore",
    ]);
    assert_eq!(r.findings().len(), 2);
}

#[test]
fn builtin_github_token_with_valid_checksum_only() {
    let d = Dir::new();
    let good = github_token("ghp", "Zq3vK8mN2pL5rT9wX1yB4cD7fG0hJ6");
    let mut bad = good.clone();
    bad.replace_range(good.len() - 3.., "zzz");
    d.write("a.cfg", format!("GH={good}\nGH2={bad}\n"));
    let r = d.run(&["scan", "--format", "json"]);
    assert_eq!(r.code(), 1);
    let f = r.findings();
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].1, 1);
}

#[test]
fn large_file_chunks_find_secret_across_border() {
    // A secret straddling the first chunk border of a file larger than the whole-read limit:
    // the first chunk hands over at `chunk` bytes (its overlap reads on past them), so a token
    // starting 10 bytes before is found only through the overlap.
    let d = Dir::new();
    d.write("rules.toml", rules());
    let limits = leakscan::scan::ChunkLimits::default();
    let chunk = limits.chunk;
    let size = limits.whole as usize + 1024;
    let mut data = vec![b'.'; size];
    for i in (0..size).step_by(100) {
        data[i] = b'\n';
    }
    let at = chunk - 10;
    data[at - 1] = b' ';
    data[at..at + TOKEN.len()].copy_from_slice(TOKEN.as_bytes());
    data[at + TOKEN.len()] = b' ';
    d.write("big.bin", &data);
    let r = d.run(&["scan", "--config", "rules.toml", "--format", "json"]);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    let j = r.json();
    assert_eq!(j["findings"].as_array().map(Vec::len), Some(1));
    assert_eq!(j["findings"][0]["offset"], at as u64);
    let newlines = data[..at].iter().filter(|&&b| b == b'\n').count() as u64;
    assert_eq!(j["findings"][0]["line"], newlines + 1);
}
