//! gitleaks v8 configurations and ignore files: every field of the configuration, checked by
//! exact findings; discovery; Go regex translation errors; `.gitleaksignore`; `gitleaks:allow`;
//! `rules convert`. The expected findings were also checked against gitleaks 8.30.1 itself.

use std::sync::Arc;

use crate::util::{repo_root, Dir};

const FIELDS: &str = include_str!("gitleaks/fields.toml");
const ALLOWLISTS: &str = include_str!("gitleaks/allowlists.toml");

fn f(path: &str, line: u64, rule: &str) -> (String, u64, String) {
    (path.to_string(), line, rule.to_string())
}

/// The tree that exercises every rule field of `fields.toml`.
fn fields_tree() -> Dir {
    let d = Dir::new();
    d.write(".gitleaks.toml", FIELDS);
    d.write(
        "app/settings.py",
        "ACME_KEY = \"ak_3f9k2m7x1q8w5z4r\"\nacme-key=\"ak_0a1b2c3d4e5f6g7h\"\n",
    );
    d.write("app/ent.txt", "ent=abcdefgh\nent=abcdefghi\n");
    d.write("app/tokens.txt", "tok_x_k3j4h5g6f7d8\ntok_k3j4h5g6f7d9\n");
    d.write("keys/server.pem", "-----BEGIN-----\n");
    d.write("config/app.ini", "cfgsecret=Zx8Kp2Lm9Q\n");
    d.write("src/app.ini", "cfgsecret=Zx8Kp2Lm9Q\n");
    d.write(
        "app/db.env",
        "db_user=alice\ndb_pass=P4ssw0rdXyz\n\n\ndb_user=bob\ndb_host=db.internal\n",
    );
    d.write(
        "app/kid.txt",
        "header\nkid=AB12CD34\nksec=ZX98YW76\n\n\n\nkid=EF56GH78\n   ksec=QW12ER34\n",
    );
    d.write("app/pin.txt", "PIN=éàüö;\npin=abc;\n");
    d.write("app/wf.yml", "x = ${{ sec_1234 }}\n");
    d
}

#[test]
fn every_rule_field_with_gitleaks_semantics() {
    let d = fields_tree();
    let r = d.run(&["scan", ".", "--format", "json", "--no-redact"]);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    assert_eq!(
        r.findings(),
        vec![
            // composite: db_user with db_pass one line below and db_host anywhere; bob is too far
            f("app/db.env", 1, "db-user"),
            // entropy must be above 3.0: abcdefgh is exactly 3.0
            f("app/ent.txt", 2, "ent9"),
            // withinLines = 2 and withinColumns = 0: the indented ksec is 3 columns off
            f("app/kid.txt", 2, "kid"),
            f("app/kid.txt", 3, "ksec"),
            f("app/kid.txt", 8, "ksec"),
            // Unicode: '.' is one character, as in Go
            f("app/pin.txt", 1, "unicode"),
            f("app/settings.py", 1, "acme-key"),
            f("app/settings.py", 2, "acme-key"),
            f("app/tokens.txt", 1, "first-group"),
            f("app/tokens.txt", 2, "first-group"),
            f("app/wf.yml", 1, "quoted"),
            // path + regex: only under config/ (keys are case-insensitive: Regex, PATH, secretgroup)
            f("config/app.ini", 1, "cfg-only"),
            // path only: the file itself
            f("keys/server.pem", 1, "pem-file"),
        ]
    );
    let j = r.json();
    let by = |path: &str, line: u64| {
        j["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["path"] == path && x["line"] == line)
            .cloned()
            .unwrap()
    };
    // secretGroup absent: the first group that is not empty.
    assert_eq!(by("app/tokens.txt", 1)["match"], "x");
    assert_eq!(by("app/tokens.txt", 2)["match"], "k3j4h5g6f7d9");
    assert_eq!(by("app/settings.py", 1)["match"], "ak_3f9k2m7x1q8w5z4r");
    assert_eq!(
        by("app/settings.py", 1)["tags"],
        serde_json::json!(["acme", "key"])
    );
    assert_eq!(by("app/pin.txt", 1)["match"], "éàüö");
    assert_eq!(by("app/wf.yml", 1)["match"], "sec_1234");
    let err = r.stderr();
    assert!(
        err.contains("note: configuration: ./.gitleaks.toml (gitleaks format)"),
        "{err}"
    );
    assert!(
        err.contains(".gitleaks.toml:2:1: configuration: unknown key 'unknownKey' ignored"),
        "{err}"
    );
    assert!(
        err.contains(
            ".gitleaks.toml:64:9: rule 'big': regex: cannot be translated to Rust's regex syntax"
        ),
        "{err}"
    );
}

#[test]
fn allowlists_conditions_targets_and_old_forms() {
    let d = Dir::new();
    d.write(".gitleaks.toml", ALLOWLISTS);
    d.write("src/a.py", "t = \"svc_Ab3dE5gH7jK9mN1pQ3sT\"\nt = \"svc_Ab3dE5gH7jK9mN1dummy\"\nt = \"svc_Zz9yX8wV7uT6sR5qP4oN\"  # example\no = \"old_0abc123def45\"\no = \"old_9xyz876wvu54\"\n");
    d.write(
        "tests/t.py",
        "svc_TESTaB3dE5gH7jK9mN1p\nsvc_Qw3eR5tY7uI9oP1aS3dF\n",
    );
    d.write("src/b.py", "svc_TESTq1w2e3r4t5y6u7i8\n");
    d.write("vendor/lib.py", "svc_Lk8jH6gF4dS2aP0oI9uY\n");
    d.write(
        "data/x.fixture",
        "svc_Mn0bV9cX8zL7kJ6hG5fD\nold_5tgb6yhn7ujm\n",
    );
    d.write(
        "docs/readme.md",
        "svc_PUBLICa1b2c3d4e5f6g7\nsvc_Mn0bV9cX8zL7kJ6hG5fE\n",
    );
    let r = d.run(&["scan", ".", "--format", "json"]);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    assert_eq!(
        r.findings(),
        vec![
            // targetRules: the fixture list drops svc-token only
            f("data/x.fixture", 2, "old-style"),
            // global AND (regex + path): only the PUBLIC token in docs/ is allowed. gitleaks 8.30
            // in `dir` mode skips the whole file by path here (README, "what differs").
            f("docs/readme.md", 2, "svc-token"),
            f("src/a.py", 1, "svc-token"),
            f("src/a.py", 5, "old-style"),
            // AND (path + regex): TEST tokens are allowed in tests/ only
            f("src/b.py", 1, "svc-token"),
            f("tests/t.py", 2, "svc-token"),
        ]
    );
    let r = d.run(&["scan", ".", "--format", "json", "--explain"]);
    let dropped: Vec<(String, u64, String)> = r.json()["dropped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["location"].as_str().unwrap().to_string(),
                x["line"].as_u64().unwrap(),
                x["dropped"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        dropped.contains(&("src/a.py".into(), 2, "allowlist (of the rule)".into())),
        "{dropped:?}"
    );
    assert!(
        dropped.contains(&("src/a.py".into(), 3, "allowlist (of the rule)".into())),
        "{dropped:?}"
    );
    assert!(
        dropped.contains(&("src/a.py".into(), 4, "allowlist (of the rule)".into())),
        "{dropped:?}"
    );
    assert!(
        dropped.contains(&(
            "tests/t.py".into(),
            1,
            "allowlist 'test tokens' (of the rule)".into()
        )),
        "{dropped:?}"
    );
    assert!(
        dropped.contains(&("docs/readme.md".into(), 1, "allowlist (global)".into())),
        "{dropped:?}"
    );
}

#[test]
fn old_global_allowlist_and_both_forms_together() {
    let d = Dir::new();
    let rule = "[[rules]]\nid = \"k\"\nregex = '''key_[a-z0-9]{10}'''\n";
    d.write(
        "gl.toml",
        format!("{rule}[allowlist]\nstopwords = [\"notreal\"]\nregexes = ['''^key_0''']\n"),
    );
    d.write("a.txt", "key_notreal12\nkey_0abcdefgh\nkey_9z8y7x6w5v\n");
    let r = d.run(&["scan", "a.txt", "--config", "gl.toml", "--format", "json"]);
    assert_eq!(r.findings(), vec![f("a.txt", 3, "k")], "{}", r.stderr());
    d.write(
        "both.toml",
        format!("{rule}[allowlist]\npaths = ['''x''']\n[[allowlists]]\npaths = ['''y''']\n"),
    );
    let r = d.run(&["scan", "a.txt", "--config", "both.toml"]);
    assert_eq!(r.code(), 2);
    assert!(
        r.stderr()
            .contains("[allowlist] is deprecated, it cannot be used alongside [[allowlists]]"),
        "{}",
        r.stderr()
    );
}

#[test]
fn commits_in_allowlists_and_gitleaksignore_commit_entries() {
    use leakscan::gitleaksignore::GitleaksIgnore;
    use leakscan::scan::{Output, ScanOptions, Scanner};
    use leakscan::source::{CommitInfo, Origin};
    let cfg = "[[rules]]\nid = \"k\"\nregex = '''key_[a-z0-9]{10}'''\n[[rules.allowlists]]\ncommits = [\"AAAA1111\"]\n[[allowlists]]\ncondition = \"AND\"\ncommits = [\"bbbb2222\"]\npaths = ['''^b\\.txt$''']\n";
    let (rules, warnings) =
        leakscan::rules::gitleaks::load(std::path::Path::new("c.toml"), cfg).expect("loads");
    assert!(warnings.is_empty(), "{warnings:?}");
    let (ignore, _) = GitleaksIgnore::parse(".gitleaksignore", "cccc3333:a.txt:k:2\n");
    let scanner =
        Scanner::new(Arc::new(rules), ScanOptions::default()).with_gitleaks_ignore(ignore);
    let at = |path: &str, commit: &str| {
        let o = Origin::Blob {
            path: path.into(),
            id: String::new(),
            commit: Some(Arc::new(CommitInfo {
                id: commit.into(),
                ..CommitInfo::default()
            })),
            other_places: 0,
        };
        let mut out = Output::default();
        scanner.scan_bytes(&o, b"x\nkey_a1b2c3d4e5\n", &mut out);
        out.findings.len()
    };
    assert_eq!(at("a.txt", "aaaa1111"), 0, "rule allowlist: commit");
    assert_eq!(
        at("a.txt", "aaaa1111ffff"),
        1,
        "gitleaks compares whole ids"
    );
    assert_eq!(at("a.txt", "dddd4444"), 1);
    assert_eq!(at("b.txt", "bbbb2222"), 0, "global AND: commit and path");
    assert_eq!(at("c.txt", "bbbb2222"), 1, "global AND: path does not hold");
    assert_eq!(at("a.txt", "cccc3333"), 0, ".gitleaksignore commit entry");
    assert_eq!(at("b.txt", "cccc3333"), 1);
}

#[test]
fn extend_path_merges_and_disables() {
    let d = Dir::new();
    d.write("base/base.toml", "[[rules]]\nid = \"base-a\"\ndescription = \"base A\"\nregex = '''basea_[0-9]{6}'''\nkeywords = [\"basea_\"]\n[[rules]]\nid = \"base-b\"\nregex = '''baseb_[0-9]{6}'''\n");
    d.write(
        "base/.gitleaks.toml",
        "[extend]\npath = \"base.toml\"\ndisabledRules = [\"base-b\", \"nope\"]\n[[rules]]\nid = \"base-a\"\ndescription = \"overridden\"\ntags = [\"t\"]\n[[rules.allowlists]]\nregexes = ['''000000''']\n",
    );
    d.write("base/x.txt", "basea_123456\nbasea_000000\nbaseb_123456\n");
    let r = d.run(&["scan", "base", "--format", "json"]);
    assert_eq!(
        r.findings(),
        vec![f("base/x.txt", 1, "base-a")],
        "{}",
        r.stderr()
    );
    assert_eq!(r.json()["findings"][0]["description"], "overridden");
    assert_eq!(r.json()["findings"][0]["tags"], serde_json::json!(["t"]));
    assert!(r.stderr().contains("base/.gitleaks.toml:3:28: disabledRules: no rule 'nope' in the extended configuration; ignored"), "{}", r.stderr());
}

#[test]
fn extend_use_default_is_leakscans_pack() {
    let builtin: Vec<String> = leakscan::rules::load::builtin_rules()
        .expect("pack")
        .into_iter()
        .map(|r| r.id)
        .collect();
    let d = Dir::new();
    d.write("g.toml", format!("[extend]\nuseDefault = true\ndisabledRules = [\"{}\"]\n[[rules]]\nid = \"mine\"\nregex = '''mine_[0-9]{{4}}'''\n", builtin[0]));
    let r = d.run(&["rules", "list", "--config", "g.toml", "--json"]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let ids: Vec<String> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_string())
        .collect();
    let mut want: Vec<String> = builtin[1..].to_vec();
    want.push("mine".into());
    assert_eq!(ids, want);
}

#[test]
fn discovery_and_precedence() {
    let d = Dir::new();
    let rule = |id: &str| format!("[[rules]]\nid = \"{id}\"\nregex = '''tok_[0-9]{{6}}'''\n");
    d.write(".gitleaks.toml", rule("from-gitleaks-file"));
    d.write("env.toml", rule("from-gitleaks-env"));
    d.write("a.txt", "tok_904172\n");
    let ids = |r: crate::util::Run| {
        r.findings()
            .into_iter()
            .map(|(p, _, id)| format!("{p}:{id}"))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(d.run(&["scan", "a.txt", ".", "--format", "json"])),
        vec!["a.txt:from-gitleaks-file"]
    );
    d.write(".leakscan.toml", "[extend]\nbuiltin = false\n[[rules]]\nid = \"from-leakscan-file\"\ndescription = \"d\"\nregex = '''tok_[0-9]{6}'''\n");
    assert_eq!(
        ids(d.run(&["scan", ".", "--format", "json"])),
        vec!["a.txt:from-leakscan-file"]
    );
    let toml_env = rule("from-gitleaks-toml-env");
    let r = d.run_env(
        &["scan", "a.txt", "--format", "json"],
        &[("GITLEAKS_CONFIG_TOML", &toml_env)],
    );
    assert_eq!(ids(r), vec!["a.txt:from-gitleaks-toml-env"]);
    let r = d.run_env(
        &["scan", "a.txt", "--format", "json"],
        &[
            ("GITLEAKS_CONFIG_TOML", &toml_env),
            ("GITLEAKS_CONFIG", "env.toml"),
        ],
    );
    assert_eq!(ids(r), vec!["a.txt:from-gitleaks-env"]);
    let r = d.run_env(
        &[
            "scan",
            "a.txt",
            "--format",
            "json",
            "--config",
            ".gitleaks.toml",
        ],
        &[("GITLEAKS_CONFIG", "env.toml")],
    );
    assert_eq!(ids(r), vec!["a.txt:from-gitleaks-file"]);
    let r = d.run_env(
        &["scan", "a.txt", "--format", "json"],
        &[
            ("LEAKSCAN_CONFIG", ".gitleaks.toml"),
            ("GITLEAKS_CONFIG", "env.toml"),
        ],
    );
    assert_eq!(ids(r), vec!["a.txt:from-gitleaks-file"]);
    std::fs::remove_file(d.path().join(".leakscan.toml")).unwrap();
    let r = d.run(&["scan", "a.txt", "--format", "json", "--no-repo-config"]);
    assert!(!r.stderr().contains("gitleaks"), "{}", r.stderr());
}

#[test]
fn go_syntax_errors_are_located_with_the_rule_id() {
    let d = Dir::new();
    d.write("bad.gitleaks.toml", "[[rules]]\nid = \"look\"\nregex = '''ab(?=c)'''\n\n[[rules]]\nid = \"group\"\nregex = '''x(y)'''\nsecretGroup = 2\n");
    d.write("a.txt", "x\n");
    let r = d.run(&["scan", "a.txt", "--config", "bad.gitleaks.toml"]);
    assert_eq!(r.code(), 2);
    let err = r.stderr();
    assert!(
        err.contains(
            "bad.gitleaks.toml:3:14: rule 'look': regex: lookaround is not supported by RE2"
        ),
        "{err}"
    );
    assert!(err.contains("bad.gitleaks.toml:8:15: rule 'group': invalid regex secret group 2, max regex secret group 1"), "{err}");
    let r = d.run(&["rules", "check", "bad.gitleaks.toml"]);
    assert_eq!(r.code(), 2);
}

#[test]
fn gitleaksignore_entries_and_inline_allow() {
    let d = fields_tree();
    d.write(".gitleaksignore", "# triaged\napp/settings.py:acme-key:2\nkeys/server.pem:pem-file:0\napp/tokens.txt:first-group:9\n");
    d.write("app/allow.py", "acme_key = \"ak_9z8y7x6w5v4u3t2s\" # gitleaks:allow\nacme_key = \"ak_1q2w3e4r5t6y7u8i\" # leakscan:allow\n");
    let r = d.run(&["scan", ".", "--format", "json"]);
    let got: Vec<_> = r
        .findings()
        .into_iter()
        .filter(|(p, _, _)| {
            p.starts_with("app/settings") || p.starts_with("keys") || p.starts_with("app/allow")
        })
        .collect();
    assert_eq!(
        got,
        vec![f("app/settings.py", 1, "acme-key")],
        "{}",
        r.stderr()
    );
    assert!(
        r.stderr()
            .contains("gitleaks ignore file: ./.gitleaksignore"),
        "{}",
        r.stderr()
    );
    let r = d.run(&[
        "scan",
        ".",
        "--format",
        "json",
        "--ignore-gitleaks-allow",
        "--gitleaks-ignore-path",
        "none.txt",
    ]);
    assert_eq!(
        r.code(),
        2,
        "a missing ignore file named on the command line is an error"
    );
    d.write("empty.txt", "");
    let r = d.run(&[
        "scan",
        ".",
        "--format",
        "json",
        "--ignore-gitleaks-allow",
        "--gitleaks-ignore-path",
        "empty.txt",
    ]);
    let got: Vec<_> = r
        .findings()
        .into_iter()
        .filter(|(p, _, _)| {
            p.starts_with("app/settings") || p.starts_with("keys") || p.starts_with("app/allow")
        })
        .collect();
    assert_eq!(
        got,
        vec![
            f("app/allow.py", 1, "acme-key"),
            f("app/settings.py", 1, "acme-key"),
            f("app/settings.py", 2, "acme-key"),
            f("keys/server.pem", 1, "pem-file")
        ]
    );
}

#[test]
fn convert_writes_an_equivalent_leakscan_file() {
    for (name, config) in [("fields", FIELDS), ("allowlists", ALLOWLISTS)] {
        let d = if name == "fields" {
            fields_tree()
        } else {
            Dir::new()
        };
        if name == "allowlists" {
            d.write(".gitleaks.toml", config);
            d.write("src/a.py", "t = \"svc_Ab3dE5gH7jK9mN1pQ3sT\"\nt = \"svc_Ab3dE5gH7jK9mN1dummy\"\no = \"old_0abc123def45\"\no = \"old_9xyz876wvu54\"\n");
            d.write(
                "tests/t.py",
                "svc_TESTaB3dE5gH7jK9mN1p\nsvc_Qw3eR5tY7uI9oP1aS3dF\n",
            );
            d.write(
                "data/x.fixture",
                "svc_Mn0bV9cX8zL7kJ6hG5fD\nold_5tgb6yhn7ujm\n",
            );
            d.write(
                "docs/readme.md",
                "svc_PUBLICa1b2c3d4e5f6g7\nsvc_Mn0bV9cX8zL7kJ6hG5fE\n",
            );
        }
        let conv = d.run(&["rules", "convert", ".gitleaks.toml", "-o", "converted.toml"]);
        assert_eq!(conv.code(), 0, "{}", conv.stderr());
        let text = std::fs::read_to_string(d.path().join("converted.toml")).unwrap();
        assert!(text.contains("[extend]\nbuiltin = false\n"), "{text}");
        assert!(text.contains("window = \"file\""), "{text}");
        let original = d
            .run(&[
                "scan",
                ".",
                "--format",
                "json",
                "--config",
                ".gitleaks.toml",
            ])
            .findings();
        let converted = d.run(&[
            "scan",
            ".",
            "--format",
            "json",
            "--config",
            "converted.toml",
        ]);
        let converted_findings: Vec<_> = converted
            .findings()
            .into_iter()
            .filter(|(p, _, _)| p != ".gitleaks.toml")
            .collect();
        assert_eq!(
            converted_findings,
            original
                .into_iter()
                .filter(|(p, _, _)| p != "converted.toml")
                .collect::<Vec<_>>(),
            "{name}:\n{text}\n{}",
            converted.stderr()
        );
        if name == "fields" {
            assert!(
                text.contains("# not carried over: .gitleaks.toml:64:9: rule 'big'"),
                "{text}"
            );
            assert!(
                text.contains("entropy = 3.0000000000000004  # gitleaks: above 3"),
                "{text}"
            );
            assert!(
                text.contains("[[rules.required]]\nid = \"db-pass\"\nwithin-lines = 1\n"),
                "{text}"
            );
            assert!(text.contains("skip-report = true"), "{text}");
            assert!(
                text.contains("path-regexes = ['''(?:^|/)config/''']"),
                "{text}"
            );
        } else {
            assert!(
                text.contains(
                    "[[rules.allow-when]]\ndescription = \"test tokens\"\ncondition = \"all\"\n"
                ),
                "{text}"
            );
            assert!(text.contains("[[allow-when]]\ndescription = \"vendored code\"\npath-regexes = ['''(?:^|/)vendor/''']\n"), "{text}");
        }
    }
}

/// gitleaks 8.30.1's default configuration (data kept in ../shared, not in this repository)
/// loads with every rule translated and nothing reported as lost.
#[test]
#[allow(clippy::print_stderr)]
fn gitleaks_default_configuration_loads() {
    let path = repo_root().join("../shared/compat/gitleaks-8.30.1-default.toml");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!(
            "skipped: {} is absent (it sits beside the repository in CI)",
            path.display()
        );
        return;
    };
    let t = leakscan::rules::gitleaks::translate(&path, &text)
        .expect("the default configuration loads");
    assert!(t.warnings.is_empty(), "{:#?}", t.warnings);
    assert_eq!(t.rules.rules.len(), 222);
    assert_eq!(t.rules.allow.allowlists.len(), 1);
    let n_with_lists = t
        .rules
        .rules
        .iter()
        .filter(|r| !r.allowlists.is_empty())
        .count();
    assert_eq!(n_with_lists, 9);
    for r in &t.rules.rules {
        if let Some(re) = &r.regex {
            re.compile_now().unwrap_or_else(|e| panic!("{}: {e}", r.id));
        }
    }
}

#[test]
fn baseline_import_keeps_the_triage_of_gitleaksignore() {
    let d = fields_tree();
    d.write(
        ".gitleaksignore",
        "app/settings.py:acme-key:2\nkeys/server.pem:pem-file:0\n",
    );
    let r = d.run(&["baseline", "import", ".", "-o", "baseline.json"]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(
        r.stderr().contains(
            "2 of 2 entries in ./.gitleaksignore matched 2 finding(s), recorded in baseline.json"
        ),
        "{}",
        r.stderr()
    );
    // The baseline replaces the ignore file, and survives the line moving.
    std::fs::remove_file(d.path().join(".gitleaksignore")).unwrap();
    d.write(
        "app/settings.py",
        "\n\nACME_KEY = \"ak_3f9k2m7x1q8w5z4r\"\n\nacme-key=\"ak_0a1b2c3d4e5f6g7h\"\n",
    );
    let r = d.run(&[
        "scan",
        ".",
        "--format",
        "json",
        "--baseline",
        "baseline.json",
    ]);
    let got: Vec<_> = r
        .findings()
        .into_iter()
        .filter(|(p, _, _)| p.starts_with("app/settings") || p.starts_with("keys"))
        .collect();
    assert_eq!(
        got,
        vec![f("app/settings.py", 3, "acme-key")],
        "{}",
        r.stderr()
    );
}

#[test]
fn and_allowlist_of_commits_and_regexes_applies_to_history() {
    let r = crate::repo::Repo::new();
    r.write("a.txt", "DEMO key_a1b2c3d4e5\nkey_f6g7h8i9j0\n");
    let c1 = r.commit("demo keys");
    r.write("b.txt", "DEMO key_k1l2m3n4o5\n");
    r.commit("more");
    let cfg = format!(
        "[[rules]]\nid = \"k\"\nregex = '''key_[a-z0-9]{{10}}'''\n[[allowlists]]\ncondition = \"AND\"\ncommits = [\"{}\"]\nregexTarget = \"line\"\nregexes = ['''DEMO''']\n",
        c1
    );
    r.dir.write("g.toml", &cfg);
    let run = r.scan_with("g.toml", &["--no-worktree"]);
    assert_eq!(run.code(), 1, "{}{}", run.stdout(), run.stderr());
    let mut got = run.findings();
    got.sort();
    // In the listed commit only the line the regex holds for is allowed; in another commit
    // the same kind of line is reported.
    assert_eq!(got, vec![f("a.txt", 2, "k"), f("b.txt", 1, "k")]);
    let explained = r.scan_with("g.toml", &["--no-worktree", "--explain"]);
    let dropped = explained.json()["dropped"].clone();
    assert!(
        dropped
            .as_array()
            .expect("dropped")
            .iter()
            .any(|d| d["path"] == "a.txt" && d["line"] == 1),
        "{dropped}"
    );
}
