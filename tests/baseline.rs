//! Baselines and `.leakscanignore`: create, add a new leak, only the new one reported; exit
//! statuses; ignore-file reasons; repository files refused with --no-repo-config.

use crate::util::Dir;

use crate::util::TEST_RULES as RULES;

const OLD: &str = "tt_k3j4h5g6f7d8s9a0q1w2e3r4";
const NEW: &str = "tt_z9y8x7w6v5u4t3s2r1q0p9o8";

fn repo() -> Dir {
    let d = Dir::new();
    d.write("rules.toml", RULES);
    d.write("app.py", format!("KEY = \"{OLD}\"\n"));
    d.write("old/legacy.py", format!("# legacy\nKEY = \"{OLD}\"\n"));
    d
}

#[test]
fn round_trip_reports_only_new_leaks() {
    let d = repo();
    let r = d.run(&[
        "baseline",
        "create",
        "-o",
        "baseline.json",
        ".",
        "--config",
        "rules.toml",
    ]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(
        r.stderr()
            .contains("2 finding(s) recorded in baseline.json"),
        "{}",
        r.stderr()
    );
    let text = std::fs::read_to_string(d.path().join("baseline.json")).expect("baseline");
    assert!(!text.contains(OLD), "the baseline holds a secret in full");
    let b: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(b["version"], 1);
    assert_eq!(b["entries"].as_array().map(Vec::len), Some(2));

    let scan = |d: &Dir| {
        d.run(&[
            "scan",
            ".",
            "--config",
            "rules.toml",
            "--baseline",
            "baseline.json",
            "--format",
            "json",
        ])
    };
    let r = scan(&d);
    assert_eq!(
        r.code(),
        0,
        "all findings are in the baseline: {}",
        r.stderr()
    );
    assert!(r.findings().is_empty());
    assert!(
        r.stderr().contains("2 finding(s) already in the baseline"),
        "{}",
        r.stderr()
    );

    // Lines move and a new leak arrives: only the new one is reported.
    d.write(
        "app.py",
        format!("import os\n\nKEY = \"{OLD}\"\nOTHER = \"{NEW}\"\n"),
    );
    let r = scan(&d);
    assert_eq!(r.code(), 1);
    assert_eq!(
        r.findings(),
        vec![("app.py".to_string(), 4, "test-token".to_string())]
    );
    // The same old secret copied to a new file is a new finding too.
    d.write("copy.py", format!("K = \"{OLD}\"\n"));
    let r = scan(&d);
    assert_eq!(r.findings().len(), 2);
    // Without the baseline, everything.
    let r = d.run(&["scan", ".", "--config", "rules.toml", "--format", "json"]);
    assert_eq!(r.findings().len(), 4);
}

#[test]
fn baseline_errors() {
    let d = repo();
    let r = d.run(&["baseline", "create", ".", "--config", "rules.toml"]);
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("--output <FILE>"), "{}", r.stderr());
    let r = d.run(&[
        "scan",
        "--config",
        "rules.toml",
        "--baseline",
        "missing.json",
    ]);
    assert_eq!(r.code(), 2);
    assert!(
        r.stderr().contains("missing.json: baseline file not found"),
        "{}",
        r.stderr()
    );
    d.write(
        "bad.json",
        "{\"version\": 9, \"key\": \"00\", \"entries\": []}",
    );
    let r = d.run(&["scan", "--config", "rules.toml", "--baseline", "bad.json"]);
    assert_eq!(r.code(), 2);
    assert!(
        r.stderr()
            .contains("bad.json: baseline version 9 is not supported"),
        "{}",
        r.stderr()
    );
}

#[test]
fn leakscanignore_needs_reasons_and_is_honoured() {
    let d = repo();
    let r = d.run(&["scan", ".", "--config", "rules.toml", "--format", "json"]);
    let j = r.json();
    let fp = j["findings"][0]["fingerprint"]
        .as_str()
        .expect("fingerprint")
        .to_string();
    assert_eq!(j["findings"][0]["location"], "app.py");

    d.write(".leakscanignore", format!("{fp}\n"));
    let r = d.run(&["scan", ".", "--config", "rules.toml"]);
    assert_eq!(r.code(), 2);
    assert!(
        r.stderr().contains(".leakscanignore:1: give a reason"),
        "{}",
        r.stderr()
    );

    d.write(
        ".leakscanignore",
        format!("# accepted findings\n{fp} # test fixture\n"),
    );
    let r = d.run(&["scan", ".", "--config", "rules.toml", "--format", "json"]);
    assert_eq!(r.code(), 1);
    assert_eq!(
        r.findings(),
        vec![("old/legacy.py".to_string(), 2, "test-token".to_string())]
    );
    assert!(
        r.stderr()
            .contains("1 finding(s) ignored by ./.leakscanignore"),
        "{}",
        r.stderr()
    );
    // Audits of untrusted code refuse the repository's own ignore file.
    let r = d.run(&[
        "scan",
        ".",
        "--config",
        "rules.toml",
        "--format",
        "json",
        "--no-repo-config",
    ]);
    assert_eq!(r.findings().len(), 2);
    // An explicit one is always read.
    std::fs::rename(
        d.path().join(".leakscanignore"),
        d.path().join("ignore.txt"),
    )
    .expect("rename");
    let r = d.run(&[
        "scan",
        ".",
        "--config",
        "rules.toml",
        "--format",
        "json",
        "--no-repo-config",
        "--ignore-file",
        "ignore.txt",
    ]);
    assert_eq!(r.findings().len(), 1);
}
