//! SARIF: schema-valid (in-process, always; and with the shared validator when it can be
//! installed) for tree, history and archive findings; fingerprints stable when lines shift and
//! different for different secrets; secrets never in the file; GitHub limits.
#![allow(clippy::print_stderr)] // tests say why they skip

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use leakscan::finding::Finding;
use leakscan::redact::Secret;
use leakscan::report::sarif::{Limits, Sarif};
use leakscan::report::{Report, Reporter};
use leakscan::rules::{Confidence, Kind, RuleSet, Severity};
use leakscan::scan::Stats;
use leakscan::source::{CommitInfo, Origin};
use serde_json::Value;

use crate::util::{repo_root, test_rules_with, Dir, TOKEN};

/// The test rules with a severity and a remediation.
pub(crate) fn rules() -> String {
    test_rules_with(
        "severity = \"high\"\nremediation = \"Revoke it in the test console.\"",
        "",
    )
}

const OTHER: &str = "tt_z9y8x7w6v5u4t3s2r1q0p9o8";

/// Validates against the vendored OASIS schema (draft-04, format checks on).
pub(crate) fn assert_schema_valid(doc: &Value) {
    let schema: Value = serde_json::from_slice(
        &std::fs::read(repo_root().join("tests/data/sarif-schema-2.1.0.json")).expect("schema"),
    )
    .expect("schema JSON");
    let v = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("compile schema");
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "schema errors:\n{}\n{}",
        errors.join("\n"),
        serde_json::to_string_pretty(doc).unwrap_or_default()
    );
}

/// Runs the shared validator (schema, GitHub rules, SARIF Multitool) when it is there and can
/// install itself; otherwise prints why it was skipped.
fn shared_validator(files: &[PathBuf]) {
    let script = repo_root().join("../shared/sarif/validate.sh");
    if !script.is_file() {
        eprintln!(
            "skipped: {} not found (the shared folder is not beside the repository)",
            script.display()
        );
        return;
    }
    for f in files {
        let out = std::process::Command::new("bash")
            .arg(&script)
            .arg(f)
            .output()
            .expect("run validate.sh");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        match out.status.code() {
            Some(0) => {}
            Some(2) => {
                eprintln!("skipped: validate.sh could not set itself up:\n{text}");
                return;
            }
            _ => panic!("{} is not valid SARIF for GitHub:\n{text}", f.display()),
        }
    }
}

fn tree() -> Dir {
    let d = Dir::new();
    d.write("rules.toml", rules());
    d.write(
        "src/my app#1.py",
        format!("import os\n\nAPI = \"{TOKEN}\"\n"),
    );
    d
}

fn sarif_of(d: &Dir, args: &[&str]) -> Value {
    let mut all = vec!["scan", ".", "--config", "rules.toml", "--format", "sarif"];
    all.extend_from_slice(args);
    let r = d.run(&all);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    assert!(
        !r.stdout().contains(TOKEN),
        "the secret leaked into the SARIF"
    );
    r.json()
}

#[test]
fn tree_findings_are_valid_and_located() {
    let d = tree();
    let doc = sarif_of(&d, &[]);
    assert_schema_valid(&doc);
    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), 1);
    let rule = &rules[0];
    assert_eq!(rule["id"], "test-token");
    assert_eq!(rule["name"], "TestToken");
    assert_eq!(rule["properties"]["security-severity"], "8.0");
    assert_eq!(rule["properties"]["precision"], "very-high");
    assert_eq!(rule["properties"]["tags"][0], "security");
    assert!(rule["help"]["markdown"]
        .as_str()
        .unwrap_or_default()
        .contains("Revoke it in the test console."));
    let res = &run["results"][0];
    assert_eq!(res["ruleId"], "test-token");
    assert_eq!(res["ruleIndex"], 0);
    assert_eq!(res["level"], "error");
    let loc = &res["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "src/my%20app%231.py");
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(loc["region"]["startLine"], 3);
    assert_eq!(loc["region"]["startColumn"], 8);
    assert_eq!(loc["region"]["endColumn"], 8 + TOKEN.len() as u64);
    assert!(run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap_or_default()
        .ends_with('/'));
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    // Working-tree findings carry the line hash code scanning computes from the file.
    let text = std::fs::read(d.path().join("src/my app#1.py")).expect("read");
    let want = leakscan::fingerprint::github_line_hashes(&text, &[3]);
    assert_eq!(
        res["partialFingerprints"]["primaryLocationLineHash"].as_str(),
        want.get(&3).map(String::as_str)
    );
    assert_eq!(
        res["partialFingerprints"]["leakscan/v2"]
            .as_str()
            .map(str::len),
        Some(32)
    );
}

#[test]
fn fingerprints_survive_shifted_lines_and_separate_secrets() {
    let d = tree();
    let before = sarif_of(&d, &[]);
    d.write(
        "src/my app#1.py",
        format!("# a new header\n\n\nimport os\n\nAPI = \"{TOKEN}\"\n"),
    );
    let after = sarif_of(&d, &[]);
    let fp = |doc: &Value, key: &str| {
        doc["runs"][0]["results"][0]["partialFingerprints"][key]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let line = |doc: &Value| {
        doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"]
            .clone()
    };
    assert_eq!(line(&after), 6);
    assert_eq!(fp(&before, "leakscan/v2"), fp(&after, "leakscan/v2"));
    assert_eq!(
        fp(&before, "primaryLocationLineHash"),
        fp(&after, "primaryLocationLineHash")
    );
    d.write(
        "src/my app#1.py",
        format!("# a new header\n\n\nimport os\n\nAPI = \"{OTHER}\"\n"),
    );
    let other = sarif_of(&d, &[]);
    assert_ne!(fp(&before, "leakscan/v2"), fp(&other, "leakscan/v2"));
    assert_ne!(
        fp(&before, "primaryLocationLineHash"),
        fp(&other, "primaryLocationLineHash")
    );
}

#[test]
fn skips_make_the_invocation_unsuccessful() {
    let d = tree();
    d.write("big.txt", "x".repeat(2000));
    // A chosen skip (--max-file-size) is a note and keeps the run successful.
    let doc = sarif_of(&d, &["--max-file-size", "1K"]);
    assert_schema_valid(&doc);
    let inv = &doc["runs"][0]["invocations"][0];
    let notes = inv["toolExecutionNotifications"]
        .as_array()
        .expect("notifications");
    assert!(
        notes.iter().any(|n| n["message"]["text"]
            .as_str()
            .unwrap_or_default()
            .starts_with("big.txt: not scanned")),
        "{notes:?}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let p = d.write("locked.txt", "secret?");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).expect("chmod");
        if std::fs::read(&p).is_err() {
            let doc = sarif_of(&d, &[]);
            assert_schema_valid(&doc);
            assert_eq!(
                doc["runs"][0]["invocations"][0]["executionSuccessful"],
                false
            );
        }
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    }
}

fn finding(origin: Origin, line: usize, secret: &str, severity: Severity) -> Finding {
    let s = Secret::new(secret.as_bytes());
    Finding {
        rule_id: "test-token".into(),
        description: "Test token".into(),
        kind: Kind::Secret,
        severity,
        confidence: Confidence::High,
        tags: vec!["test".into()],
        fingerprint: leakscan::fingerprint::compute(
            "test-token",
            &origin.display_path(),
            s.as_bytes(),
        ),
        origin,
        line,
        column: 5,
        end_line: line,
        end_column: 5 + secret.len(),
        offset: 100,
        binary: false,
        secret: Some(s),
        snippet: String::new(),
        line_hash: None,
        dropped: None,
        commit_allow: Vec::new(),
        validation: None,
        spread: None,
        repository: None,
    }
}

fn history_origin(path: &str) -> Origin {
    Origin::Blob {
        path: path.into(),
        id: "89abcdef0123456789abcdef0123456789abcdef".into(),
        commit: Some(Arc::new(CommitInfo {
            id: "0123456789abcdef0123456789abcdef01234567".into(),
            author_name: "Ada Lovelace".into(),
            author_email: "ada@example.invalid".into(),
            date: "2024-02-29T12:34:56Z".into(),
            summary: "add config".into(),
            at_or_before: false,
        })),
        other_places: 2,
    }
}

fn render(findings: &[Finding], limits: Limits) -> (Value, Vec<String>) {
    let (doc, warnings, _) = render_bytes(findings, limits);
    (doc, warnings)
}

fn gz_len(bytes: &[u8]) -> usize {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, bytes).expect("gzip");
    gz.finish().expect("gzip").len()
}

fn render_bytes(findings: &[Finding], limits: Limits) -> (Value, Vec<String>, Vec<u8>) {
    let rules = RuleSet::default();
    let stats = Stats::default();
    let report = Report {
        findings,
        dropped: &[],
        skips: &[],
        stats: &stats,
        elapsed: Duration::ZERO,
        redact: true,
        rules: &rules,
        notes: &[],
        part: None,
    };
    let sarif = Sarif {
        root: Some(PathBuf::from("/work/repo")),
        limits,
    };
    let r = sarif.render(&report).expect("render");
    let mut via_trait = Vec::new();
    sarif.write(&report, &mut via_trait).expect("write");
    assert_eq!(via_trait, r.bytes);
    (
        serde_json::from_slice(&r.bytes).expect("json"),
        r.warnings,
        r.bytes,
    )
}

#[test]
fn history_and_archive_findings() {
    let hist = finding(
        history_origin("config/old settings.py"),
        12,
        TOKEN,
        Severity::High,
    );
    let archive = finding(
        Origin::file("dist/app.tgz")
            .member("package/dist/app.js.map")
            .member("src/x.ts"),
        7,
        OTHER,
        Severity::Medium,
    );
    let (doc, warnings) = render(&[hist.clone(), archive], Limits::default());
    assert!(warnings.is_empty());
    assert_schema_valid(&doc);
    let text = doc.to_string();
    assert!(
        !text.contains(TOKEN) && !text.contains(OTHER),
        "a secret leaked into the SARIF"
    );
    let h = &doc["runs"][0]["results"][0];
    assert_eq!(
        h["properties"]["commit"],
        "0123456789abcdef0123456789abcdef01234567"
    );
    assert_eq!(h["properties"]["author"], "Ada Lovelace");
    assert_eq!(h["properties"]["date"], "2024-02-29T12:34:56Z");
    assert!(h["message"]["text"]
        .as_str()
        .unwrap_or_default()
        .contains("commit 0123456789ab by Ada Lovelace on 2024-02-29T12:34:56Z"));
    assert_eq!(
        h["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "config/old%20settings.py"
    );
    assert_eq!(
        h["locations"][0]["physicalLocation"]["region"]["startLine"],
        12
    );
    let a = &doc["runs"][0]["results"][1];
    assert_eq!(
        a["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "dist/app.tgz"
    );
    assert_eq!(
        a["locations"][0]["physicalLocation"]["region"]["startLine"],
        1
    );
    assert_eq!(
        a["properties"]["members"],
        serde_json::json!(["package/dist/app.js.map", "src/x.ts"])
    );
    assert!(a["message"]["text"]
        .as_str()
        .unwrap_or_default()
        .contains("Inside package/dist/app.js.map > src/x.ts of dist/app.tgz, line 7"));
    assert_eq!(a["level"], "warning");
    // History fingerprints are leakscan's own digest: they do not move with the line.
    let moved = finding(
        history_origin("config/old settings.py"),
        40,
        TOKEN,
        Severity::High,
    );
    let (doc2, _) = render(&[moved], Limits::default());
    let fp = |d: &Value| d["runs"][0]["results"][0]["partialFingerprints"].clone();
    assert_eq!(fp(&doc), fp(&doc2));
    let lh = fp(&doc)["primaryLocationLineHash"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(lh.ends_with(":1") && lh.len() == 18, "{lh}");

    // Write every variant and run the shared validator over them.
    let out = Dir::new();
    let mut files = Vec::new();
    for (name, d) in [
        ("history-archive", &doc),
        ("empty", &render(&[], Limits::default()).0),
    ] {
        files.push(out.write(
            &format!("{name}.sarif"),
            serde_json::to_vec_pretty(d).expect("json"),
        ));
    }
    let d = tree();
    let r = d.run(&[
        "scan",
        ".",
        "--config",
        "rules.toml",
        "--format",
        "sarif",
        "-o",
        "tree.sarif",
    ]);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    files.push(d.path().join("tree.sarif"));
    shared_validator(&files);
}

#[test]
fn github_limits_are_respected_with_a_warning() {
    let mut findings: Vec<Finding> = (0..30)
        .map(|i| {
            finding(
                Origin::file(format!("f{i:02}.py")),
                1,
                &format!("tt_{i:024}"),
                if i % 3 == 0 {
                    Severity::Critical
                } else {
                    Severity::Low
                },
            )
        })
        .collect();
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let (doc, warnings) = render(
        &findings,
        Limits {
            max_results: 10,
            max_gzip_bytes: usize::MAX,
        },
    );
    assert_schema_valid(&doc);
    let results = doc["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 10);
    assert!(
        results.iter().all(|r| r["level"] == "error"),
        "the most severe are kept"
    );
    assert_eq!(doc["runs"][0]["properties"]["resultsOmitted"], 20);
    assert!(
        warnings[0].contains("20 of 30 results left out"),
        "{warnings:?}"
    );
    let max = gz_len(&render_bytes(&findings, Limits::default()).2) * 2 / 3;
    let (doc, warnings, bytes) = render_bytes(
        &findings,
        Limits {
            max_results: 25_000,
            max_gzip_bytes: max,
        },
    );
    assert_schema_valid(&doc);
    let kept = doc["runs"][0]["results"].as_array().map_or(0, Vec::len);
    assert!(kept > 0 && kept < 30, "{kept}");
    assert!(warnings.iter().any(|w| w.contains("gzip")), "{warnings:?}");
    assert!(gz_len(&bytes) <= max);
}

#[test]
fn stdout_and_relative_roots() {
    // A path given as a file (not a folder) still gets a %SRCROOT%-relative URI.
    let d = tree();
    let r = d.run(&[
        "scan",
        "src/my app#1.py",
        "--config",
        "rules.toml",
        "--format",
        "sarif",
    ]);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    let doc = r.json();
    assert_schema_valid(&doc);
    let uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        !uri.starts_with("./") && uri.ends_with("my%20app%231.py"),
        "{uri}"
    );
}
