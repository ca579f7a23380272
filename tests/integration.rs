//! End-to-end paths across areas that were built apart: `.gitleaksignore` and commit allowlists
//! (leakscan and gitleaks configurations) on history scans, baselines created from history,
//! SARIF of history scans (schema, properties, stable fingerprints, thread-count determinism),
//! the Action's script with the real binary on push and pull request events, `--all-objects` and
//! `hook pre-push --from-env`. Repositories are built with the git command line with no system
//! or global configuration, fixed identities and dates.
#![allow(clippy::print_stderr)] // tests say why they skip

use std::process::{Command, Stdio};

use serde_json::Value;

use crate::util::{program, repo_root, Dir, Run};

use crate::sarif::{assert_schema_valid, rules};

const TOKEN: &str = "tt_k3j4h5g6f7d8s9a0q1w2e3r4";
const TOKEN2: &str = "tt_z9y8x7w6v5u4t3s2r1q0p9o8";
const TOKEN3: &str = "tt_m1n2b3v4c5x6z7l8k9j0h1g2";

use crate::repo::Repo;

/// `(path, line, rule id, commit id or "")` of every finding of a JSON report.
fn found(r: &Run) -> Vec<(String, u64, String, String)> {
    r.json()["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings array:\n{}\n{}", r.stdout(), r.stderr()))
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or_default(),
                f["rule_id"].as_str().unwrap_or_default().to_string(),
                f["commit"]["id"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn at(path: &str, line: u64, rule: &str, commit: &str) -> (String, u64, String, String) {
    (path.to_string(), line, rule.to_string(), commit.to_string())
}

/// A history of three commits: `a.py` (TOKEN on line 2), then `b.py` (TOKEN2 on line 1), then
/// `c.py` (TOKEN3 on line 3). Returns the commit ids.
fn three_leaks(r: &Repo) -> [String; 3] {
    r.write("a.py", &format!("import os\nA = \"{TOKEN}\"\n"));
    let c1 = r.commit("add a");
    r.write("b.py", &format!("B = \"{TOKEN2}\"\n"));
    let c2 = r.commit("add b");
    r.write("c.py", &format!("# c\n\nC = \"{TOKEN3}\"\n"));
    let c3 = r.commit("add c");
    [c1, c2, c3]
}

// ---- 1. .gitleaksignore and commit allowlists on history ----

#[test]
fn gitleaksignore_commit_entries_drop_history_findings() {
    let r = Repo::with_rules(&rules());
    let [c1, c2, c3] = three_leaks(&r);
    let all = r.scan(&[]);
    assert_eq!(all.code(), 1, "{}", all.stderr());
    assert_eq!(
        found(&all),
        vec![
            at("a.py", 2, "test-token", &c1),
            at("b.py", 1, "test-token", &c2),
            at("c.py", 3, "test-token", &c3),
        ]
    );
    // Listed: a.py in its commit (upper-case id, as some tools write it), c.py by path only.
    // Not listed: b.py under another commit, and a.py on the wrong line.
    r.dir.write(
        "work/.gitleaksignore",
        format!(
            "# triaged\n{}:a.py:test-token:2\n{c1}:b.py:test-token:1\n{c2}:a.py:test-token:1\nc.py:test-token:3\n",
            c1.to_ascii_uppercase()
        ),
    );
    let run = r.scan(&[]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert_eq!(found(&run), vec![at("b.py", 1, "test-token", &c2)]);
    // Committing the ignore file changes nothing: it holds no secret.
    r.commit("triage");
    let run = r.scan(&[]);
    assert_eq!(found(&run), vec![at("b.py", 1, "test-token", &c2)]);
    // --explain shows the dropped ones with the reason.
    let run = r.scan(&["--explain"]);
    let dropped: Vec<String> = run.json()["dropped"]
        .as_array()
        .expect("dropped")
        .iter()
        .map(|f| {
            format!(
                "{}:{}",
                f["path"].as_str().unwrap_or_default(),
                f["dropped"].as_str().unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(
        dropped,
        vec![
            "a.py:listed in .gitleaksignore",
            "c.py:listed in .gitleaksignore"
        ]
    );
}

#[test]
fn commit_allowlists_of_both_configuration_formats_on_history() {
    let r = Repo::with_rules(&rules());
    let [c1, c2, c3] = three_leaks(&r);
    // leakscan: [allow] commits, a full id and an abbreviated one.
    r.dir.write(
        "leakscan.toml",
        format!(
            "{}\n[allow]\ncommits = [\"{c1}\", \"{}\"]\n",
            rules(),
            &c3[..12]
        ),
    );
    let run = r.scan_with("leakscan.toml", &[]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert_eq!(found(&run), vec![at("b.py", 1, "test-token", &c2)]);
    // gitleaks: a global [[allowlists]] with commits, and a rule allowlist with another.
    r.dir.write(
        "gitleaks.toml",
        format!(
            "title = \"gitleaks config\"\n\n[[rules]]\nid = \"tt\"\nregex = '''\\b(tt_[a-z0-9]{{24}})\\b'''\nkeywords = [\"tt_\"]\n\n[[rules.allowlists]]\ncommits = [\"{c2}\"]\n\n[[allowlists]]\ndescription = \"old history\"\ncommits = [\"{c1}\"]\n"
        ),
    );
    let run = r.scan_with("gitleaks.toml", &[]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert_eq!(found(&run), vec![at("c.py", 3, "tt", &c3)]);
    // The same configuration on the working tree alone: no commit, nothing allowed.
    let run = r.scan_with("gitleaks.toml", &["--no-history"]);
    assert_eq!(
        found(&run),
        vec![
            at("a.py", 2, "tt", ""),
            at("b.py", 1, "tt", ""),
            at("c.py", 3, "tt", ""),
        ]
    );
}

// ---- 2. baselines created from history ----

#[test]
fn baseline_of_history_reports_only_new_leaks() {
    let r = Repo::with_rules(&rules());
    let [c1, c2, c3] = three_leaks(&r);
    let baseline = r.file("baseline.json");
    let cfg = r.file("rules.toml");
    let create = r.leakscan_env(
        &[
            "baseline",
            "create",
            "-o",
            &baseline,
            ".",
            "--config",
            &cfg,
            "--no-progress",
        ],
        &[],
    );
    assert_eq!(create.code(), 0, "{}", create.stderr());
    let text = std::fs::read_to_string(&baseline).expect("baseline");
    assert!(!text.contains(TOKEN) && !text.contains(TOKEN2) && !text.contains(TOKEN3));
    let b: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(b["entries"].as_array().map(Vec::len), Some(3), "{text}");

    let with = |r: &Repo| r.scan(&["--baseline", &baseline]);
    let run = with(&r);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(found(&run).is_empty());

    // The recorded secret moves down a.py in a later commit: still in the baseline.
    r.write(
        "a.py",
        &format!("import os\nimport sys\n\n# key\nA = \"{TOKEN}\"\n"),
    );
    let c4 = r.commit("move a");
    let run = with(&r);
    assert_eq!(run.code(), 0, "{:?}\n{}", found(&run), run.stderr());

    // A new leak in a new commit: only it is reported.
    const NEW: &str = "tt_q2w3e4r5t6y7u8i9o0p1a2s3";
    r.write("d.py", &format!("D = \"{NEW}\"\n"));
    let c5 = r.commit("add d");
    let run = with(&r);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert_eq!(found(&run), vec![at("d.py", 1, "test-token", &c5)]);

    // Without the baseline: one finding per secret and path, credited to the commit that
    // brought it there first; the move is a second version of it, not a second leak.
    let run = r.scan(&[]);
    assert_eq!(run.code(), 1);
    let _ = c4;
    assert_eq!(
        found(&run),
        vec![
            at("a.py", 2, "test-token", &c1),
            at("b.py", 1, "test-token", &c2),
            at("c.py", 3, "test-token", &c3),
            at("d.py", 1, "test-token", &c5),
        ]
    );
}

// ---- 3. SARIF of a history scan; determinism ----

/// A history with several findings in several commits and files, some sharing a blob.
fn busy_history(r: &Repo) -> Vec<String> {
    let mut ids = three_leaks(r).to_vec();
    r.write("d/e.py", &format!("E = \"{TOKEN}\"\nF = \"{TOKEN2}\"\n"));
    r.write("copy.py", &format!("import os\nA = \"{TOKEN}\"\n"));
    ids.push(r.commit("copies"));
    std::fs::remove_file(r.work().join("b.py")).expect("rm");
    r.write("a.py", "clean\n");
    ids.push(r.commit("cleanup"));
    ids
}

#[test]
fn sarif_of_history_is_valid_with_commit_properties_and_stable() {
    let r = Repo::with_rules(&rules());
    let ids = busy_history(&r);
    let sarif = |threads: &str| {
        let cfg = r.file("rules.toml");
        let run = r.leakscan_env(
            &[
                "scan",
                ".",
                "--config",
                &cfg,
                "--no-progress",
                "--format",
                "sarif",
                "--threads",
                threads,
            ],
            &[],
        );
        assert_eq!(run.code(), 1, "{}", run.stderr());
        let text = run.stdout();
        assert!(!text.contains(TOKEN) && !text.contains(TOKEN2) && !text.contains(TOKEN3));
        run.json()
    };
    let doc = sarif("1");
    assert_schema_valid(&doc);
    let results = doc["runs"][0]["results"].as_array().expect("results");
    let summary: Vec<(String, u64, String, String, String)> = results
        .iter()
        .map(|res| {
            let loc = &res["locations"][0]["physicalLocation"];
            (
                loc["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                loc["region"]["startLine"].as_u64().unwrap_or_default(),
                res["properties"]["commit"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                res["properties"]["author"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                res["properties"]["date"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    let s = |p: &str, l: u64, c: &str, d: &str| {
        (
            p.to_string(),
            l,
            c.to_string(),
            "Ada Author".to_string(),
            d.to_string(),
        )
    };
    assert_eq!(
        summary,
        vec![
            s("a.py", 2, &ids[0], "2023-11-14T23:13:20+00:00"),
            s("b.py", 1, &ids[1], "2023-11-15T00:13:20+00:00"),
            s("c.py", 3, &ids[2], "2023-11-15T01:13:20+00:00"),
            s("d/e.py", 1, &ids[3], "2023-11-15T02:13:20+00:00"),
            s("d/e.py", 2, &ids[3], "2023-11-15T02:13:20+00:00"),
        ],
        "{}",
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    );
    let fingerprints = |d: &Value| -> Vec<Value> {
        d["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|res| res["partialFingerprints"].clone())
            .collect()
    };
    let fp = fingerprints(&doc);
    assert!(fp
        .iter()
        .all(|f| f["leakscan/v2"].as_str().map(str::len) == Some(32)));
    assert_eq!(fp, fingerprints(&sarif("1")), "two runs differ");
    assert_eq!(fp, fingerprints(&sarif("4")), "1 and 4 threads differ");
}

#[test]
fn json_findings_are_identical_for_any_thread_count() {
    let r = Repo::with_rules(&rules());
    busy_history(&r);
    r.write(
        "untracked.py",
        &format!("U = \"{TOKEN3}\"\nV = \"{TOKEN2}\"\n"),
    );
    let findings = |threads: &str| {
        let run = r.scan(&["--threads", threads, "--all-objects"]);
        assert_eq!(run.code(), 1, "{}", run.stderr());
        run.json()["findings"].clone()
    };
    let one = findings("1");
    assert_eq!(one.as_array().map(Vec::len), Some(7), "{one:#}");
    for _ in 0..3 {
        assert_eq!(one, findings("4"));
    }
}

// ---- 4. the Action's script with the real binary ----

fn tools_present() -> bool {
    for tool in ["bash", "git", "jq"] {
        if Command::new(tool).arg("--version").output().is_err() {
            eprintln!("skipped: {tool} is not installed (the action needs it)");
            return false;
        }
    }
    true
}

/// Runs scripts/action/run.sh with the real leakscan; returns (exit status, outputs, SARIF).
fn action(r: &Repo, event: &str, payload: &str) -> (i32, Vec<(String, String)>, Value, String) {
    let work = Dir::new();
    let event_path = work.write("event.json", payload);
    let output = work.write("github_output", "");
    let summary = work.write("step_summary", "");
    let sarif = work.path().join("out.sarif");
    let mut cmd = Command::new("bash");
    r.env(&mut cmd);
    let out = cmd
        .arg(repo_root().join("scripts/action/run.sh"))
        .current_dir(r.work())
        .env("GITHUB_EVENT_NAME", event)
        .env("GITHUB_EVENT_PATH", &event_path)
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("RUNNER_TEMP", work.path())
        .env("INPUT_SARIF_FILE", &sarif)
        .env("INPUT_CONFIG", r.file("rules.toml"))
        .env("LEAKSCAN", program())
        .stdin(Stdio::null())
        .output()
        .expect("run.sh");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let outputs = std::fs::read_to_string(&output)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .filter(|(k, _)| *k != "sarif-file")
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let doc =
        serde_json::from_slice(&std::fs::read(&sarif).unwrap_or_default()).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), outputs, doc, stderr)
}

fn uris(doc: &Value) -> Vec<String> {
    doc["runs"][0]["results"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|res| {
                    res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string()
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn action_push_and_pull_request_report_only_their_commits() {
    if !tools_present() {
        return;
    }
    let r = Repo::with_rules(&rules());
    // main: an old leak, already on the remote.
    r.write("old.py", &format!("OLD = \"{TOKEN}\"\n"));
    let base = r.commit("old leak");
    r.git(&["update-ref", "refs/remotes/origin/main", &base]);
    // feature: a clean commit, then a new leak, then another clean commit.
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("README.md", "hello\n");
    let b1 = r.commit("readme");
    r.write("new.py", &format!("import os\nNEW = \"{TOKEN2}\"\n"));
    r.commit("new leak");
    r.write("README.md", "hello again\n");
    let head = r.commit("readme again");
    // The test rule is of kind secret.
    let outputs = |n: &str, code: &str| {
        let result = if code == "0" { "clean" } else { "leaks" };
        [
            ("findings", n),
            ("secrets", n),
            ("internal", "0"),
            ("exit-code", code),
            ("result", result),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .to_vec()
    };

    let pr = format!(
        r#"{{"pull_request": {{"base": {{"sha": "{base}"}}, "head": {{"sha": "{head}"}}}}}}"#
    );
    let (code, out, doc, err) = action(&r, "pull_request", &pr);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, outputs("1", "1"), "{err}");
    assert_eq!(uris(&doc), vec!["new.py"]);

    let push = format!(r#"{{"ref": "refs/heads/feature", "before": "{b1}", "after": "{head}"}}"#);
    let (code, out, doc, err) = action(&r, "push", &push);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, outputs("1", "1"), "{err}");
    assert_eq!(uris(&doc), vec!["new.py"]);

    // A new branch: what origin/main does not hold.
    let zero = "0".repeat(40);
    let push = format!(r#"{{"ref": "refs/heads/feature", "before": "{zero}", "after": "{head}"}}"#);
    let (code, out, doc, err) = action(&r, "push", &push);
    assert_eq!(out, outputs("1", "1"), "exit {code}: {err}");
    assert_eq!(uris(&doc), vec!["new.py"]);

    // A push after the leak: clean.
    let push = format!(r#"{{"ref": "refs/heads/feature", "before": "{head}", "after": "{head}"}}"#);
    let (code, out, doc, err) = action(&r, "push", &push);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, outputs("0", "0"), "{err}");
    assert!(uris(&doc).is_empty());
}

// ---- 5. --all-objects and hook pre-push --from-env ----

#[test]
fn all_objects_finds_secrets_no_ref_reaches() {
    let r = Repo::with_rules(&rules());
    r.write("README.md", "hello\n");
    r.commit("first");
    r.write("gone.py", &format!("G = \"{TOKEN}\"\n"));
    r.commit("leak, soon reset");
    let gone = r.git(&["rev-parse", "HEAD:gone.py"]);
    r.git(&["reset", "-q", "--hard", "HEAD~1"]);
    r.git(&["reflog", "expire", "--expire=now", "--all"]);
    // A dangling blob, as a dropped `git add` leaves.
    r.dir.write("loose.txt", format!("x\ny = {TOKEN2}\n"));
    let loose = r.git(&["hash-object", "-w", &r.file("loose.txt")]);

    let run = r.scan(&[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(found(&run).is_empty());
    let run = r.scan(&["--all-objects"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    let mut expected = vec![
        at(&format!("(unreachable)/{gone}"), 1, "test-token", ""),
        at(&format!("(unreachable)/{loose}"), 2, "test-token", ""),
    ];
    expected.sort();
    assert_eq!(found(&run), expected);
}

#[test]
fn pre_push_from_env_scans_the_pre_commit_range() {
    let r = Repo::with_rules(&rules());
    r.write("old.py", &format!("OLD = \"{TOKEN}\"\n"));
    let a = r.commit("old leak");
    r.write("new.py", &format!("import os\nNEW = \"{TOKEN2}\"\n"));
    let b = r.commit("new leak");
    r.write("README.md", "hello\n");
    let c = r.commit("readme");
    let cfg = r.file("rules.toml");
    let hook = |from: &str, to: &str| {
        r.leakscan_env(
            &[
                "hook",
                "pre-push",
                "--from-env",
                "--config",
                &cfg,
                "--format",
                "json",
            ],
            &[("PRE_COMMIT_FROM_REF", from), ("PRE_COMMIT_TO_REF", to)],
        )
    };
    let run = hook(&a, &c);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert_eq!(found(&run), vec![at("new.py", 2, "test-token", &b)]);
    assert!(run.stderr().contains("push blocked"), "{}", run.stderr());
    // Symbolic refs resolve too.
    let run = hook("HEAD~2", "HEAD");
    assert_eq!(found(&run), vec![at("new.py", 2, "test-token", &b)]);
    // After the leak: clean.
    let run = hook(&b, &c);
    assert_eq!(run.code(), 0, "{}{}", run.stdout(), run.stderr());
    // A ref that does not exist is a usage error.
    let run = hook("nope", &c);
    assert_eq!(run.code(), 2, "{}", run.stderr());
}
