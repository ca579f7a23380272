//! `scan --shard K/N` and `report merge` (issue 19): N = 1, 2, 3 and 7 shards, run as separate
//! processes over one generated history and over a generated list of repositories, merged,
//! give exactly the findings of the unsharded run; merged into SARIF, HTML, Markdown, CSV and
//! text, they give the very file one unsharded run writes in that format.

use crate::repo::Repo;
use crate::util::Run;

/// A fake token of the test rule's shape from a seed (xorshift: high entropy, no repeats).
fn token(seed: u64) -> String {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let body: String = (0..24)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            alphabet[(x % 36) as usize] as char
        })
        .collect();
    format!("tt_{body}")
}

/// A history where secrets enter, move, spread to other paths, change line, get removed and
/// come back, on two branches: many groups have versions in several blobs.
fn generated_history(r: &Repo, seed: u64, commits: u64) {
    let paths = [
        "app/config.py",
        "deploy/env.sh",
        "docs/setup.md",
        "lib/keys.rs",
    ];
    for c in 0..commits {
        for (i, p) in paths.iter().enumerate() {
            let s = seed + c * 7 + i as u64;
            if s.is_multiple_of(3) {
                continue;
            }
            let secret = token(seed * 100 + (s % 5));
            let filler: String = (0..(s % 4))
                .map(|n| format!("# line {n} of {c}\n"))
                .collect();
            r.write(p, &format!("{filler}KEY = \"{secret}\"\nversion = {c}\n"));
        }
        if c % 4 == 3 {
            let _ = std::fs::remove_file(r.work().join(paths[(c % 4) as usize]));
        }
        if c == commits / 2 {
            r.git(&["checkout", "-q", "-b", "side"]);
        }
        r.commit(&format!("commit {c}"));
    }
    r.git(&["checkout", "-q", "main"]);
    r.write(
        "app/config.py",
        &format!("KEY = \"{}\"\n", token(seed * 100 + 9)),
    );
    r.commit("tip");
}

/// The findings of a JSON report, each serialized with sorted keys, sorted.
fn findings(doc: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| serde_json::to_string(f).expect("json"))
        .collect();
    v.sort();
    v
}

fn json_of(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).expect("report")).expect("json")
}

/// Runs `scan ARGS --shard K/N -o FILE` for every K, merges, and checks the merge against
/// `whole` (the unsharded report): same findings as sets, then byte for byte after sorting.
fn check_shards(r: &Repo, args: &[&str], whole: &serde_json::Value, n: u32) -> Vec<String> {
    check_shards_told(r, args, whole, n).0
}

/// [`check_shards`], with what each shard said on standard error.
fn check_shards_told(
    r: &Repo,
    args: &[&str],
    whole: &serde_json::Value,
    n: u32,
) -> (Vec<String>, Vec<String>) {
    let mut reports = Vec::new();
    let mut told = Vec::new();
    for k in 1..=n {
        let out = r.file(&format!("shard-{k}-of-{n}.json"));
        let shard = format!("{k}/{n}");
        let mut a = args.to_vec();
        a.extend_from_slice(&["--shard", &shard, "-o", &out]);
        let run = r.scan(&a);
        assert!(
            matches!(run.code(), 0 | 1),
            "shard {shard}: {}",
            run.stderr()
        );
        let doc = json_of(std::path::Path::new(&out));
        assert_eq!(doc["shard"]["index"], k);
        assert_eq!(doc["shard"]["count"], n);
        reports.push(out);
        told.push(run.stderr());
    }
    let merged = r.file(&format!("merged-{n}.json"));
    let mut a = vec!["report", "merge", "-o", merged.as_str()];
    a.extend(reports.iter().map(String::as_str));
    let run = r.leakscan_env(&a, &[]);
    let expected_code = if whole["findings"].as_array().is_some_and(|f| f.is_empty()) {
        0
    } else {
        1
    };
    assert_eq!(run.code(), expected_code, "merge of {n}: {}", run.stderr());
    let m = json_of(std::path::Path::new(&merged));
    let (got, want) = (findings(&m), findings(whole));
    let as_set = |v: &[String]| v.iter().cloned().collect::<std::collections::BTreeSet<_>>();
    assert_eq!(
        as_set(&got),
        as_set(&want),
        "{n} shards: findings differ as sets"
    );
    assert_eq!(got.join("\n"), want.join("\n"), "{n} shards: bytes differ");
    assert_eq!(
        m["summary"]["files"], whole["summary"]["files"],
        "{n} shards"
    );
    assert_eq!(m["summary"]["incomplete"], false);
    // A missing shard makes the merge incomplete and is named.
    if n > 1 {
        let mut a = vec!["report", "merge", "-o", merged.as_str()];
        a.extend(reports.iter().skip(1).map(String::as_str));
        let run = r.leakscan_env(&a, &[]);
        assert_eq!(run.code(), 3, "{}", run.stderr());
        assert!(
            run.stderr().contains(&format!("shard 1/{n}")),
            "{}",
            run.stderr()
        );
        let m = json_of(std::path::Path::new(&merged));
        assert_eq!(m["summary"]["incomplete"], true);
        assert_eq!(
            m["merged"]["missing_shards"].as_array().map(Vec::len),
            Some(1)
        );
    }
    (reports, told)
}

/// The formats merged output is compared in.
const FORMATS: [&str; 5] = ["sarif", "html", "markdown", "csv", "text"];

/// What differs between two runs over the same input: elapsed times (`0.12 s`, `1.3s`,
/// `"elapsed_ms": 12`).
fn normalise(text: &str) -> String {
    let secs = regex::Regex::new(r"\b\d+\.\d+ ?s\b").expect("regex");
    let ms = regex::Regex::new(r#""elapsed_ms": \d+"#).expect("regex");
    let text = secs.replace_all(text, "T s");
    ms.replace_all(&text, "\"elapsed_ms\": T").into_owned()
}

/// One unsharded run per format of [`FORMATS`], with `scan` (e.g. `["scan", "."]`) as the
/// first arguments: `(format, output)`.
fn whole_formats(r: &Repo, scan: &[&str]) -> Vec<(&'static str, String)> {
    let rules = r.rules();
    FORMATS
        .iter()
        .map(|format| {
            let out = r.file(&format!("whole.{format}"));
            let mut a = scan.to_vec();
            a.extend_from_slice(&[
                "--config",
                &rules,
                "--no-progress",
                "-f",
                format,
                "-o",
                &out,
            ]);
            let run = r.leakscan_env(&a, &[]);
            assert_eq!(run.code(), 1, "{format}: {}", run.stderr());
            (*format, std::fs::read_to_string(&out).expect("report"))
        })
        .collect()
}

/// `report merge -f FORMAT ARGS REPORTS` writes, for every format, what one unsharded run
/// writes (`whole`), elapsed times aside; the SARIF carries the very partialFingerprints.
fn check_formats(r: &Repo, whole: &[(&str, String)], reports: &[String], args: &[&str]) {
    for (format, want) in whole {
        let out = r.file(&format!("merged-{}.{format}", reports.len()));
        let mut a = vec!["report", "merge", "-f", format, "-o", out.as_str()];
        a.extend_from_slice(args);
        a.extend(reports.iter().map(String::as_str));
        let run = r.leakscan_env(&a, &[]);
        assert_eq!(run.code(), 1, "{format}: {}", run.stderr());
        let got = std::fs::read_to_string(&out).expect("merged");
        if *format == "sarif" {
            let fps = |text: &str| -> Vec<serde_json::Value> {
                let doc: serde_json::Value = serde_json::from_str(text).expect("sarif");
                doc["runs"]
                    .as_array()
                    .expect("runs")
                    .iter()
                    .flat_map(|run| run["results"].as_array().expect("results").clone())
                    .map(|res| res["partialFingerprints"].clone())
                    .collect()
            };
            crate::sarif::assert_schema_valid(&serde_json::from_str(&got).expect("sarif"));
            let (g, w) = (fps(&got), fps(want));
            assert!(!w.is_empty());
            assert_eq!(g, w, "{} shards: partialFingerprints differ", reports.len());
        }
        let (got, want) = (normalise(&got), normalise(want));
        if got != want {
            let line = got
                .lines()
                .zip(want.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            panic!(
                "{} shards, {format}: merged output differs from the unsharded run's at line {}:\n  merged: {:?}\n  whole:  {:?}",
                reports.len(),
                line + 1,
                got.lines().nth(line),
                want.lines().nth(line)
            );
        }
    }
}

fn whole(r: &Repo, args: &[&str]) -> serde_json::Value {
    let run: Run = r.scan(args);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    run.json()
}

#[test]
fn history_shards_merge_to_the_unsharded_findings() {
    let r = Repo::new();
    generated_history(&r, 3, 24);
    let w = whole(&r, &[]);
    let groups = w["findings"].as_array().expect("findings");
    assert!(groups.len() >= 8, "{}", groups.len());
    // The generator makes groups of several versions and secrets at several paths.
    assert!(groups
        .iter()
        .any(|f| f["history"]["versions"].as_u64() > Some(2)));
    assert!(groups.iter().any(|f| f["history"]["also_at"]
        .as_array()
        .is_some_and(|a| !a.is_empty())));
    let formats = whole_formats(&r, &["scan", "."]);
    let root = r.work().display().to_string();
    for n in [1, 2, 3, 7] {
        let reports = check_shards(&r, &[], &w, n);
        if matches!(n, 2 | 3) {
            check_formats(&r, &formats, &reports, &["--root", &root]);
        }
    }
}

#[test]
fn repository_shards_merge_to_the_unsharded_findings() {
    let repos: Vec<Repo> = (0..5).map(|_| Repo::new()).collect();
    for (i, r) in repos.iter().enumerate() {
        generated_history(r, 10 + i as u64, 4 + i as u64);
    }
    let list = repos[0].file("repos.txt");
    let mut text = String::from("# the organisation's repositories\n\n");
    for r in &repos {
        text.push_str(&format!("{}\n", r.work().display()));
    }
    std::fs::write(&list, text).expect("list");
    // Run from the first repository's folder; `.` is not scanned with --repos.
    let r = &repos[0];
    let args = ["--repos", list.as_str()];
    let run = r.leakscan_env(
        &[
            "scan",
            "--repos",
            &list,
            "--config",
            &r.rules(),
            "-f",
            "json",
            "--no-progress",
        ],
        &[],
    );
    assert_eq!(run.code(), 1, "{}", run.stderr());
    let w = run.json();
    assert_eq!(w["repositories"].as_array().map(Vec::len), Some(5));
    let per_repo: std::collections::BTreeSet<&str> = w["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["repository"].as_str())
        .collect();
    assert_eq!(per_repo.len(), 5);
    let formats = whole_formats(r, &["scan", "--repos", &list]);
    for n in [1, 2, 3, 7] {
        let reports = check_repo_shards(r, &args, &w, n);
        if matches!(n, 2 | 3) {
            check_formats(r, &formats, &reports, &[]);
        }
    }
    // Every format names the repositories.
    for (format, text) in &formats {
        for repo in &repos {
            let shown = repo.work().display().to_string();
            assert!(text.contains(&shown), "{format} does not name {shown}");
        }
    }
    let sarif: serde_json::Value = serde_json::from_str(&formats[0].1).expect("sarif");
    let runs = sarif["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 5, "one SARIF run per repository");
    for run in runs {
        let repo = run["properties"]["repository"]
            .as_str()
            .expect("repository");
        assert_eq!(run["automationDetails"]["id"], format!("leakscan/{repo}/"));
        for res in run["results"].as_array().expect("results") {
            assert_eq!(res["properties"]["repository"], repo);
        }
    }
}

/// `check_shards` for `--repos`, which takes no PATH.
fn check_repo_shards(r: &Repo, args: &[&str], whole: &serde_json::Value, n: u32) -> Vec<String> {
    let mut reports = Vec::new();
    let mut seen = 0;
    for k in 1..=n {
        let out = r.file(&format!("repos-{k}-of-{n}.json"));
        let shard = format!("{k}/{n}");
        let rules = r.rules();
        let mut a = vec!["scan", "--config", &rules, "-f", "json", "--no-progress"];
        a.extend_from_slice(args);
        a.extend_from_slice(&["--shard", &shard, "-o", &out]);
        let run = r.leakscan_env(&a, &[]);
        assert!(
            matches!(run.code(), 0 | 1),
            "shard {shard}: {}",
            run.stderr()
        );
        let doc = json_of(std::path::Path::new(&out));
        seen += doc["repositories"].as_array().map_or(0, Vec::len);
        reports.push(out);
    }
    assert_eq!(seen, 5, "every repository in exactly one shard");
    let merged = r.file(&format!("repos-merged-{n}.json"));
    let mut a = vec!["report", "merge", "-o", merged.as_str()];
    a.extend(reports.iter().map(String::as_str));
    let run = r.leakscan_env(&a, &[]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    let m = json_of(std::path::Path::new(&merged));
    assert_eq!(findings(&m), findings(whole), "{n} repository shards");
    assert_eq!(m["summary"]["files"], whole["summary"]["files"]);
    reports
}

#[test]
fn bad_shards_and_reports_are_usage_errors() {
    let r = Repo::new();
    for bad in ["0/2", "3/2", "1/0", "x/2", "2"] {
        let run = r.scan(&["--shard", bad]);
        assert_eq!(run.code(), 2, "{bad}: {}", run.stderr());
    }
    let not_report = r.file("x.json");
    std::fs::write(&not_report, "{\"a\": 1}").expect("write");
    let out = r.file("m.json");
    let run = r.leakscan_env(&["report", "merge", "-o", &out, &not_report], &[]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(
        run.stderr().contains("not a leakscan JSON report"),
        "{}",
        run.stderr()
    );
    // Reports of the right schema whose findings are malformed: refused, not a panic.
    for findings in [r#"[5]"#, r#"[{"rule_id": "r", "history": 5}]"#] {
        let malformed = r.file("malformed.json");
        let doc = format!(r#"{{"version": 2, "findings": {findings}}}"#);
        std::fs::write(&malformed, doc).expect("write");
        let run = r.leakscan_env(
            &["report", "merge", "-o", &out, &malformed, &malformed],
            &[],
        );
        assert_eq!(run.code(), 2, "{findings}: {}", run.stderr());
        assert!(run.stderr().contains("is malformed"), "{}", run.stderr());
    }
}

/// Runs `scan . ARGS --shard K/2` for K = 1, 2: the reports.
fn two_shards(r: &Repo, args: &[&str], name: &str) -> Vec<String> {
    (1..=2)
        .map(|k| {
            let out = r.file(&format!("{name}-{k}.json"));
            let shard = format!("{k}/2");
            let mut a = args.to_vec();
            a.extend_from_slice(&["--shard", &shard, "-o", &out]);
            let run = r.scan(&a);
            assert!(matches!(run.code(), 0 | 1), "{}", run.stderr());
            out
        })
        .collect()
}

/// `report merge -f FORMAT ARGS REPORTS`: exit code, output (empty when none), stderr.
fn merge_to(r: &Repo, format: &str, args: &[&str], reports: &[String]) -> (i32, String, String) {
    let out = r.file(&format!("m.{format}"));
    let _ = std::fs::remove_file(&out);
    let mut a = vec!["report", "merge", "-f", format, "-o", out.as_str()];
    a.extend_from_slice(args);
    a.extend(reports.iter().map(String::as_str));
    let run = r.leakscan_env(&a, &[]);
    let text = std::fs::read_to_string(&out).unwrap_or_default();
    (run.code(), text, run.stderr())
}

const ALL_FORMATS: [&str; 9] = [
    "json", "jsonl", "sarif", "html", "markdown", "csv", "junit", "gitlab", "text",
];

#[test]
fn merged_reports_never_show_more_than_their_inputs() {
    let r = Repo::new();
    generated_history(&r, 5, 8);
    // Every secret the generator can have written.
    let secrets: Vec<String> = (0..10).map(|k| token(500 + k)).collect();
    let leaks = |text: &str| secrets.iter().find(|s| text.contains(s.as_str())).cloned();
    // Redacted shards: no format shows a secret, --no-redact cannot bring one back.
    let redacted = two_shards(&r, &[], "red");
    for format in ALL_FORMATS {
        let (code, text, err) = merge_to(&r, format, &[], &redacted);
        assert_eq!(code, 1, "{format}: {err}");
        assert!(!text.is_empty(), "{format}");
        assert_eq!(leaks(&text), None, "{format} shows a secret");
    }
    let (code, _, err) = merge_to(&r, "json", &["--no-redact"], &redacted);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("redacted"), "{err}");
    // Shards written with --no-redact: redacted again unless merge gets --no-redact too.
    let full = two_shards(&r, &["--no-redact"], "full");
    let shown = |t: &str| leaks(t).is_some();
    assert!(full
        .iter()
        .any(|p| shown(&std::fs::read_to_string(p).expect("shard"))));
    for format in ALL_FORMATS {
        let (code, text, err) = merge_to(&r, format, &[], &full);
        assert_eq!(code, 1, "{format}: {err}");
        assert_eq!(
            leaks(&text),
            None,
            "{format} shows a secret without --no-redact"
        );
        // The same file as the merge of redacted shards (but for JUnit's and GitLab's
        // wall-clock times).
        if !matches!(format, "junit" | "gitlab") {
            let (_, from_redacted, _) = merge_to(&r, format, &[], &redacted);
            assert!(
                normalise(&text) == normalise(&from_redacted),
                "{format}: redacting at merge time differs from redacting at scan time"
            );
        }
    }
    let (code, json, err) = merge_to(&r, "json", &["--no-redact"], &full);
    assert_eq!(code, 1, "{err}");
    assert!(
        shown(&json),
        "--no-redact on unredacted shards shows the secrets"
    );
    let doc: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert!(doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .all(|f| f["redacted"] == false));
    let (_, text, _) = merge_to(&r, "text", &[], &redacted);
    assert!(
        !text.contains('\u{1b}'),
        "no terminal colours in a merged text report"
    );
    let (code, csv, _) = merge_to(&r, "csv", &["--no-redact"], &full);
    assert_eq!(code, 1);
    assert!(shown(&csv));
    // Redacted and unredacted shards do not mix.
    let mixed = vec![redacted[0].clone(), full[1].clone()];
    let (code, _, err) = merge_to(&r, "sarif", &[], &mixed);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--no-redact"), "{err}");
}

#[test]
fn an_empty_repository_shard_leaves_nothing_behind() {
    let r = Repo::new();
    generated_history(&r, 7, 3);
    let list = r.file("one.txt");
    std::fs::write(&list, format!("{}\n", r.work().display())).expect("list");
    let tmp = tempfile::tempdir().expect("tmp");
    let tmp_s = tmp.path().display().to_string();
    let rules = r.rules();
    let mut empty = 0;
    for k in 1..=3 {
        let out = r.file(&format!("one-{k}.json"));
        let shard = format!("{k}/3");
        let run = r.leakscan_env(
            &[
                "scan",
                "--repos",
                &list,
                "--config",
                &rules,
                "-f",
                "json",
                "--no-progress",
                "--shard",
                &shard,
                "-o",
                &out,
            ],
            &[("TMPDIR", &tmp_s)],
        );
        assert!(matches!(run.code(), 0 | 1), "{}", run.stderr());
        let doc = json_of(std::path::Path::new(&out));
        if doc["repositories"].as_array().is_some_and(Vec::is_empty) {
            empty += 1;
            assert_eq!(run.code(), 0, "{}", run.stderr());
            assert_eq!(doc["findings"].as_array().map(Vec::len), Some(0));
            assert_eq!(doc["summary"]["files"], 0);
        }
    }
    assert_eq!(empty, 2, "one repository, three shards: two are empty");
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("tmp")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert!(left.is_empty(), "left behind in TMPDIR: {left:?}");
}

/// `scan --walk-only --walk-cache FILE`: exit 0 and its one line.
fn walk_only(r: &Repo, file: &str) -> String {
    let run = r.scan(&["--walk-cache", file, "--walk-only"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let line = run.stdout();
    assert_eq!(line.lines().count(), 1, "{line}");
    line
}

/// What the shards said about the walk file.
fn walk_warnings(told: &[String]) -> Vec<String> {
    told.iter()
        .flat_map(|t| t.lines())
        .filter(|l| l.contains("walk file"))
        .map(str::to_string)
        .collect()
}

#[test]
fn history_shards_sharing_one_walk_file_give_the_unsharded_findings() {
    let r = Repo::new();
    generated_history(&r, 3, 24);
    // The same blob at further paths (a blob's other places are in the walk file too).
    let config = std::fs::read_to_string(r.work().join("app/config.py")).expect("config");
    r.write("copy/config.py", &config);
    r.write("copy/again.py", &config);
    r.commit("copies");
    let w = whole(&r, &[]);
    assert!(
        w["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["path"] == "app/config.py" && f["other_places"].as_u64() > Some(0)),
        "{w}"
    );
    // A walk job first, then the shards read its file.
    let file = r.file("walk.bin");
    let line = walk_only(&r, &file);
    let size = std::fs::metadata(&file).expect("walk file").len();
    assert!(
        line.starts_with("walk of ") && line.contains(" commits, "),
        "{line}"
    );
    assert!(line.contains(" blobs written to "), "{line}");
    assert!(walk_only(&r, &file).contains(" up to date in "));
    let modified = || std::fs::metadata(&file).and_then(|m| m.modified()).ok();
    let before = modified();
    for n in [1, 2, 3, 7] {
        let (_, told) = check_shards_told(&r, &["--walk-cache", &file], &w, n);
        assert_eq!(walk_warnings(&told), Vec::<String>::new(), "{n} shards");
    }
    assert_eq!(
        modified(),
        before,
        "an up-to-date file is not written again"
    );
    assert_eq!(std::fs::metadata(&file).expect("walk").len(), size);
    // No walk job: the first shard walks and writes, the others read.
    let fresh = r.file("fresh-walk.bin");
    let (_, told) = check_shards_told(&r, &["--walk-cache", &fresh], &w, 3);
    assert_eq!(walk_warnings(&told), Vec::<String>::new());
    assert_eq!(std::fs::read(&fresh).ok(), std::fs::read(&file).ok());
    // The walk file holds no secret.
    let bytes = std::fs::read(&file).expect("walk");
    for k in 0..10 {
        let t = token(300 + k);
        assert!(!bytes.windows(t.len()).any(|w| w == t.as_bytes()));
    }
}

#[test]
fn a_stale_walk_file_is_walked_again() {
    let r = Repo::new();
    generated_history(&r, 4, 12);
    let file = r.file("walk.bin");
    walk_only(&r, &file);
    // A new commit, with a new secret, after the walk was written.
    r.write("late.env", &format!("KEY = \"{}\"\n", token(4242)));
    r.commit("late");
    let w = whole(&r, &[]);
    assert!(w["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .any(|f| f["path"] == "late.env"));
    let (_, told) = check_shards_told(&r, &["--walk-cache", &file], &w, 2);
    // The first shard says so in one line and rewrites the file; the second reads it.
    let warned = walk_warnings(&told);
    assert_eq!(warned.len(), 1, "{told:?}");
    assert!(warned[0].contains("other refs"), "{}", warned[0]);
    assert!(told[0].contains(&warned[0]));
    assert!(walk_only(&r, &file).contains(" up to date in "));
    // A moved branch is new refs too (here one that no commit adds to).
    r.git(&["branch", "-f", "side", "main"]);
    let w = whole(&r, &[]);
    let (_, told) = check_shards_told(&r, &["--walk-cache", &file], &w, 2);
    assert_eq!(walk_warnings(&told).len(), 1, "{told:?}");
    // With --quiet nothing is said.
    r.commit("quiet");
    let run = r.scan(&["--walk-cache", &file, "--quiet", "--shard", "1/2"]);
    assert!(matches!(run.code(), 0 | 1), "{}", run.stderr());
    assert_eq!(run.stderr(), "");
}

#[test]
fn a_damaged_or_unwritable_walk_file_does_not_change_the_findings() {
    let r = Repo::new();
    generated_history(&r, 6, 12);
    let w = whole(&r, &[]);
    let file = r.file("walk.bin");
    walk_only(&r, &file);
    let good = std::fs::read(&file).expect("walk");
    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 1;
    let damaged: [(&str, Vec<u8>); 5] = [
        ("truncated", good[..good.len() / 2].to_vec()),
        ("flipped", flipped),
        ("empty", Vec::new()),
        ("foreign", b"{\"version\": 2, \"findings\": []}\n".to_vec()),
        ("header only", good[..40].to_vec()),
    ];
    for (what, bytes) in damaged {
        std::fs::write(&file, &bytes).expect("write");
        let (_, told) = check_shards_told(&r, &["--walk-cache", &file], &w, 2);
        let warned = walk_warnings(&told);
        assert_eq!(warned.len(), 1, "{what}: {told:?}");
        assert!(warned[0].contains("not used"), "{what}: {}", warned[0]);
        assert_eq!(
            std::fs::read(&file).ok(),
            Some(good.clone()),
            "{what}: rewritten"
        );
    }
    // A file that cannot be written: the scan still completes, and says so.
    let nowhere = r.file("no-such-folder/walk.bin");
    let (_, told) = check_shards_told(&r, &["--walk-cache", &nowhere], &w, 2);
    assert_eq!(walk_warnings(&told).len(), 2, "{told:?}");
    assert!(told[0].contains("cannot be written"), "{}", told[0]);
    // --walk-only, whose job is the file: an error.
    let run = r.scan(&["--walk-cache", &nowhere, "--walk-only"]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(run.stderr().contains("no-such-folder"), "{}", run.stderr());
}

#[test]
fn walk_files_are_for_one_repository_history() {
    let r = Repo::new();
    generated_history(&r, 8, 3);
    let file = r.file("walk.bin");
    let list = r.file("repos.txt");
    std::fs::write(&list, format!("{}\n", r.work().display())).expect("list");
    let plain = r.file("plain");
    std::fs::create_dir_all(&plain).expect("folder");
    let refused: [&[&str]; 6] = [
        &["--walk-only"],
        &["--walk-cache", &file, "--staged"],
        &["--walk-cache", &file, "--no-history"],
        &["--walk-cache", &file, "--repos", &list],
        &["--walk-cache", &file, "."],
        &["--walk-cache", &file, "-"],
    ];
    for args in refused {
        let run = r.scan(args);
        assert_eq!(run.code(), 2, "{args:?}: {}", run.stderr());
    }
    let run = r.leakscan_env(&["scan", &plain, "--walk-cache", &file, "--walk-only"], &[]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(run.stderr().contains("git repository"), "{}", run.stderr());
    let run = r.leakscan_env(
        &["scan", &plain, "--walk-cache", &file, "--no-progress"],
        &[],
    );
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(!std::path::Path::new(&file).exists());
    // A range is a selection of its own: its walk file is not the whole history's.
    walk_only(&r, &file);
    let run = r.scan(&["--walk-cache", &file, "--range", "HEAD~1..HEAD"]);
    assert!(matches!(run.code(), 0 | 1), "{}", run.stderr());
    assert!(run.stderr().contains("other refs"), "{}", run.stderr());
    let ranged = r.scan(&["--range", "HEAD~1..HEAD"]);
    assert_eq!(findings(&run.json()), findings(&ranged.json()));
    let run = r.scan(&["--walk-cache", &file, "--range", "HEAD~1..HEAD"]);
    assert_eq!(findings(&run.json()), findings(&ranged.json()));
    assert!(!run.stderr().contains("walk file"), "{}", run.stderr());
    // --all-objects: the unreachable blobs are listed afresh, not taken from the file.
    let fresh = r.file("all-objects.bin");
    let all = |r: &Repo, file: Option<&str>| {
        let mut a = vec!["--all-objects"];
        if let Some(f) = file {
            a.extend_from_slice(&["--walk-cache", f]);
        }
        let run = r.scan(&a);
        assert_eq!(run.code(), 1, "{}", run.stderr());
        findings(&run.json())
    };
    let before = all(&r, None);
    assert_eq!(all(&r, Some(&fresh)), before);
    let dangling = format!("KEY = \"{}\"\n", token(777));
    let out = r.git_try(
        &r.work(),
        &["hash-object", "-w", "--stdin"],
        Some(&dangling),
    );
    assert!(out.status.success());
    let after = all(&r, None);
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(all(&r, Some(&fresh)), after);
}
