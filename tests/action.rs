//! The GitHub Action's scripts (scripts/action/*.sh), run against real temporary git
//! repositories with simulated events: the payload in GITHUB_EVENT_PATH, GITHUB_EVENT_NAME,
//! GITHUB_OUTPUT and GITHUB_STEP_SUMMARY as on a runner. Most cases use a stand-in leakscan that
//! records its arguments, so they test what the script asks for; one runs the real binary.
#![allow(clippy::print_stderr)] // tests say why they skip

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{program, repo_root, Dir};

/// Skips (with the reason printed) where the tools the action relies on are missing.
fn tools_present() -> bool {
    for tool in ["bash", "git", "jq"] {
        if Command::new(tool).arg("--version").output().is_err() {
            eprintln!(
                "skipped: {tool} is not installed (the action needs it; GitHub runners have it)"
            );
            return false;
        }
    }
    true
}

/// No global git configuration: a path that does not exist reads as empty (not /dev/null, which
/// a misbehaving process on a shared machine can replace by a file).
fn no_global_config() -> PathBuf {
    std::env::temp_dir().join("leakscan-tests-no-global-gitconfig")
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", no_global_config())
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
        .env("GIT_AUTHOR_DATE", "2024-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2024-01-01T00:00:00Z")
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A repository with `main` (commit A: a configuration) and `feature` (B, C: the pull request
/// changes the configuration and adds a file).
struct Repo {
    dir: Dir,
    a: String,
    b: String,
    c: String,
}

impl Repo {
    fn new() -> Repo {
        let dir = Dir::new();
        let p = dir.path().join("repo");
        std::fs::create_dir(&p).expect("mkdir");
        git(&p, &["init", "-q", "-b", "main"]);
        dir.write("repo/.leakscan.toml", "# base configuration\n");
        dir.write("repo/README.md", "hello\n");
        git(&p, &["add", "."]);
        git(&p, &["commit", "-qm", "A"]);
        let a = git(&p, &["rev-parse", "HEAD"]);
        git(&p, &["checkout", "-qb", "feature"]);
        dir.write("repo/.leakscan.toml", "# pull request configuration\n");
        dir.write(
            "repo/.leakscanignore",
            "0123456789abcdef0123456789abcdef # the pull request hides its leak\n",
        );
        git(&p, &["add", "."]);
        git(&p, &["commit", "-qm", "B"]);
        let b = git(&p, &["rev-parse", "HEAD"]);
        dir.write("repo/app.py", "x = 1\n");
        git(&p, &["add", "."]);
        git(&p, &["commit", "-qm", "C"]);
        let c = git(&p, &["rev-parse", "HEAD"]);
        Repo { dir, a, b, c }
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("repo")
    }
}

/// A stand-in leakscan: records its arguments (one per line) and the content of `--config`,
/// writes a SARIF file (`$STUB_SARIF`, else one with one secret finding) and exits with
/// `$STUB_EXIT` (default 1).
const STUB: &str = r#"#!/usr/bin/env bash
printf '%s\n' "$@" > "$STUB_DIR/args"
out=
while [ $# -gt 0 ]; do
  case "$1" in
    --output) out=$2; shift ;;
    --config) cp "$2" "$STUB_DIR/config" ;;
  esac
  shift
done
if [ -n "${STUB_SARIF:-}" ]; then
  cp "$STUB_SARIF" "$out"
else
cat > "$out" <<'JSON'
{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "leakscan", "rules": []}}, "invocations": [{"executionSuccessful": true}],
 "results": [{"ruleId": "test-token", "level": "error", "message": {"text": "Test token: tt_k…(27 chars). A | pipe."},
   "locations": [{"physicalLocation": {"artifactLocation": {"uri": "app.py"}, "region": {"startLine": 3}}}],
   "properties": {"kind": "secret", "location": "app.py", "severity": "high", "commit": "0123456789abcdef0123"}}]}]}
JSON
fi
exit "${STUB_EXIT:-1}"
"#;

/// The stand-in, written once per test process: executing a file that another thread may just
/// have forked with its write descriptor open fails with ETXTBSY.
fn stub() -> PathBuf {
    static STUB_DIR: std::sync::OnceLock<Dir> = std::sync::OnceLock::new();
    let dir = STUB_DIR.get_or_init(|| {
        let d = Dir::new();
        let p = d.write("leakscan-stub", STUB);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        d
    });
    dir.path().join("leakscan-stub")
}

struct Outcome {
    code: i32,
    stderr: String,
    outputs: BTreeMap<String, String>,
    summary: String,
    /// The stand-in's arguments (empty with the real binary).
    args: Vec<String>,
    /// The configuration the stand-in was given.
    config: Option<String>,
    /// RUNNER_TEMP, where the SARIF file is.
    _work: Dir,
}

fn run_action(
    repo: &Path,
    event: &str,
    payload: &str,
    env: &[(&str, &str)],
    real: bool,
) -> Outcome {
    let work = Dir::new();
    let event_path = work.write("event.json", payload);
    let output = work.write("github_output", "");
    let summary = work.write("step_summary", "");
    let stub = stub();
    let mut cmd = Command::new("bash");
    cmd.arg(repo_root().join("scripts/action/run.sh"))
        .current_dir(repo)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", no_global_config())
        .env("GITHUB_EVENT_NAME", event)
        .env("GITHUB_EVENT_PATH", &event_path)
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("RUNNER_TEMP", work.path())
        .env("STUB_DIR", work.path())
        .env("INPUT_SARIF_FILE", work.path().join("out.sarif"))
        .env("LEAKSCAN", if real { program() } else { stub.clone() })
        .env_remove("LEAKSCAN_CONFIG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    // Executing a script just written can fail with ETXTBSY while another test thread forks
    // with the file's write descriptor still open; try again then.
    let mut out = cmd.output().expect("run.sh");
    for _ in 0..10 {
        if !String::from_utf8_lossy(&out.stderr).contains("Text file busy") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        out = cmd.output().expect("run.sh");
    }
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    let outputs = read(&output)
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Outcome {
        code: out.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        outputs,
        summary: read(&summary),
        args: read(&work.path().join("args"))
            .lines()
            .map(str::to_string)
            .collect(),
        config: std::fs::read_to_string(work.path().join("config")).ok(),
        _work: work,
    }
}

fn has_pair(args: &[String], flag: &str, value: &str) -> bool {
    args.windows(2).any(|w| w[0] == flag && w[1] == value)
}

#[test]
fn pull_request_scans_its_commits_with_the_base_configuration() {
    if !tools_present() {
        return;
    }
    let r = Repo::new();
    let payload = format!(
        r#"{{"pull_request": {{"base": {{"sha": "{}"}}, "head": {{"sha": "{}"}}}}}}"#,
        r.a, r.c
    );
    let o = run_action(&r.path(), "pull_request", &payload, &[], false);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        has_pair(&o.args, "--range", &format!("{}..{}", r.a, r.c)),
        "{:?}",
        o.args
    );
    assert!(
        o.args.contains(&"--no-repo-config".to_string()),
        "{:?}",
        o.args
    );
    assert_eq!(
        o.config.as_deref(),
        Some("# base configuration\n"),
        "the pull request's own configuration was used"
    );
    assert!(
        !o.args.contains(&"--ignore-file".to_string()),
        "the pull request's .leakscanignore was used: {:?}",
        o.args
    );
    assert_eq!(&o.args[..4], ["scan", ".", "--format", "sarif"]);
    assert_eq!(o.outputs.get("findings").map(String::as_str), Some("1"));
    assert_eq!(o.outputs.get("exit-code").map(String::as_str), Some("1"));
    assert!(o
        .outputs
        .get("sarif-file")
        .is_some_and(|s| s.ends_with("out.sarif")));
    assert!(
        o.summary.contains("## leakscan: 1 finding\n"),
        "{}",
        o.summary
    );
    assert!(o.summary.contains("| `test-token` | `app.py:3` | high | 0123456789ab | Test token: tt_k…(27 chars). A \\| pipe. |"), "{}", o.summary);
}

#[test]
fn pull_request_needs_the_history() {
    if !tools_present() {
        return;
    }
    let r = Repo::new();
    let shallow = r.dir.path().join("shallow");
    let url = format!("file://{}", r.path().display());
    git(
        r.dir.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            "--branch",
            "feature",
            &url,
            shallow.to_str().unwrap_or_default(),
        ],
    );
    let payload = format!(
        r#"{{"pull_request": {{"base": {{"sha": "{}"}}, "head": {{"sha": "{}"}}}}}}"#,
        r.a, r.c
    );
    let o = run_action(&shallow, "pull_request", &payload, &[], false);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr
            .contains("::error title=leakscan::the checkout is shallow")
            && o.stderr.contains("fetch-depth: 0"),
        "{}",
        o.stderr
    );
    let o = run_action(&shallow, "schedule", "{}", &[], false);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("fetch-depth: 0"), "{}", o.stderr);
    assert!(o.args.is_empty(), "leakscan ran on a shallow checkout");
}

#[test]
fn push_scans_the_pushed_commits() {
    if !tools_present() {
        return;
    }
    let r = Repo::new();
    let payload = format!(
        r#"{{"ref": "refs/heads/feature", "before": "{}", "after": "{}"}}"#,
        r.b, r.c
    );
    let o = run_action(&r.path(), "push", &payload, &[], false);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        has_pair(&o.args, "--range", &format!("{}..{}", r.b, r.c)),
        "{:?}",
        o.args
    );
    // Outside pull requests the repository's configuration is used as leakscan finds it.
    assert!(!o.args.contains(&"--no-repo-config".to_string()));
}

#[test]
fn push_of_a_new_branch_scans_what_no_other_branch_has() {
    if !tools_present() {
        return;
    }
    let r = Repo::new();
    let zero = "0".repeat(40);
    let payload = format!(
        r#"{{"ref": "refs/heads/feature", "before": "{zero}", "after": "{}"}}"#,
        r.c
    );
    // The first push of a repository: no other branch, the whole history.
    let o = run_action(&r.path(), "push", &payload, &[], false);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(!o.args.contains(&"--range".to_string()), "{:?}", o.args);
    // With main on the remote: the commits after main.
    git(&r.path(), &["update-ref", "refs/remotes/origin/main", &r.a]);
    git(
        &r.path(),
        &["update-ref", "refs/remotes/origin/feature", &r.c],
    );
    let o = run_action(&r.path(), "push", &payload, &[], false);
    assert!(
        has_pair(&o.args, "--range", &format!("{}..{}", r.a, r.c)),
        "{:?} {}",
        o.args,
        o.stderr
    );
}

#[test]
fn schedule_and_dispatch_scan_the_whole_history() {
    if !tools_present() {
        return;
    }
    let r = Repo::new();
    for event in ["schedule", "workflow_dispatch"] {
        let o = run_action(
            &r.path(),
            event,
            "{}",
            &[("INPUT_ARGS", "--threads 1  --min-confidence low")],
            false,
        );
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert!(
            !o.args.contains(&"--range".to_string())
                && !o.args.contains(&"--no-history".to_string()),
            "{:?}",
            o.args
        );
        assert!(
            o.args.ends_with(&[
                "--threads".into(),
                "1".into(),
                "--min-confidence".into(),
                "low".into()
            ]),
            "{:?}",
            o.args
        );
    }
    let o = run_action(
        &r.path(),
        "schedule",
        "{}",
        &[("INPUT_SCAN", "worktree")],
        false,
    );
    assert!(o.args.contains(&"--no-history".to_string()), "{:?}", o.args);
}

#[test]
fn real_scan_writes_outputs_and_a_redacted_summary() {
    if !tools_present() {
        return;
    }
    let r = Repo::new();
    let token = "tt_k3j4h5g6f7d8s9a0q1w2e3r4";
    r.dir.write(
        "rules.toml",
        "[extend]\nbuiltin = false\n\n[[rules]]\nid = \"test-token\"\ndescription = \"Test token\"\nregex = '''\\b(tt_[a-z0-9]{24})\\b'''\nkeywords = [\"tt_\"]\nseverity = \"high\"\n",
    );
    r.dir
        .write("repo/app.py", format!("import os\n\nKEY = \"{token}\"\n"));
    let cfg = r.dir.path().join("rules.toml");
    let o = run_action(
        &r.path(),
        "workflow_dispatch",
        "{}",
        &[("INPUT_CONFIG", cfg.to_str().unwrap_or_default())],
        true,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(
        o.outputs.get("exit-code").map(String::as_str),
        Some("1"),
        "{}",
        o.stderr
    );
    let n: usize = o
        .outputs
        .get("findings")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    assert!(n >= 1, "{:?}", o.outputs);
    assert!(
        o.summary.contains("| `test-token` | `app.py:3` | high |"),
        "{}",
        o.summary
    );
    assert!(
        !o.summary.contains(token),
        "the summary holds the secret in full"
    );
    let sarif =
        std::fs::read_to_string(o.outputs.get("sarif-file").expect("sarif-file")).expect("sarif");
    assert!(!sarif.contains(token));
}

// ---- the verdict: leakscan's exit status, fail-on-leaks, fail-on-incomplete ----

/// Runs scripts/action/verdict.sh on run.sh's outputs, as the action's last step does; returns
/// (exit status, standard output + error, summary after it).
fn verdict(o: &Outcome, env: &[(&str, &str)]) -> (i32, String, String) {
    let work = Dir::new();
    let summary = work.write("step_summary", &o.summary);
    let get = |k: &str| o.outputs.get(k).cloned().unwrap_or_default();
    let mut cmd = Command::new("bash");
    cmd.arg(repo_root().join("scripts/action/verdict.sh"))
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("RESULT", get("result"))
        .env("EXIT_CODE", get("exit-code"))
        .env("FINDINGS", get("findings"))
        .env("SECRETS", get("secrets"))
        .env("INTERNAL", get("internal"))
        .env_remove("FAIL_ON_LEAKS")
        .env_remove("FAIL_ON_INCOMPLETE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("verdict.sh");
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        std::fs::read_to_string(&summary).unwrap_or_default(),
    )
}

/// A SARIF file as leakscan writes it for an incomplete scan: no results, one input not scanned.
const INCOMPLETE_SARIF: &str = r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "leakscan", "rules": []}},
 "invocations": [{"executionSuccessful": false, "toolExecutionNotifications": [
   {"level": "warning", "message": {"text": "dist/cut.tgz: not scanned (malformed-archive): unexpected end of file."}},
   {"level": "note", "message": {"text": "logo.png: not scanned (media)."}}]}],
 "results": []}]}"#;

const CLEAN_SARIF: &str = r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "leakscan", "rules": []}},
 "invocations": [{"executionSuccessful": true}], "results": []}]}"#;

#[test]
fn each_exit_status_and_fail_on_incomplete_decide_the_verdict() {
    if !tools_present() {
        return;
    }
    let r = Repo::new();
    let sarifs = Dir::new();
    let incomplete = sarifs.write("incomplete.sarif", INCOMPLETE_SARIF);
    let clean = sarifs.write("clean.sarif", CLEAN_SARIF);
    let incomplete = incomplete.to_str().unwrap_or_default();
    let clean = clean.to_str().unwrap_or_default();
    // (leakscan's status, its SARIF, fail-on-incomplete) -> verdict step status.
    let cases: [(&str, &str, &str, Option<i32>); 8] = [
        ("0", clean, "true", Some(0)),
        ("0", clean, "false", Some(0)),
        ("1", "", "true", Some(1)),
        ("1", "", "false", Some(1)),
        ("3", incomplete, "true", Some(1)),
        ("3", incomplete, "false", Some(0)),
        // A usage or configuration error stops the scan step itself: no verdict.
        ("2", "", "true", None),
        ("2", "", "false", None),
    ];
    for (status, sarif, fail_on_incomplete, want) in cases {
        let o = run_action(
            &r.path(),
            "workflow_dispatch",
            "{}",
            &[("STUB_EXIT", status), ("STUB_SARIF", sarif)],
            false,
        );
        let what = format!("exit {status}, fail-on-incomplete {fail_on_incomplete}");
        assert_eq!(
            o.outputs.get("exit-code").map(String::as_str),
            Some(status),
            "{what}: {}",
            o.stderr
        );
        let Some(want) = want else {
            assert_eq!(o.code, 2, "{what}: the scan step must fail: {}", o.stderr);
            assert!(
                o.stderr.contains("::error title=leakscan::"),
                "{what}: {}",
                o.stderr
            );
            continue;
        };
        assert_eq!(o.code, 0, "{what}: {}", o.stderr);
        let (code, log, summary) = verdict(&o, &[("FAIL_ON_INCOMPLETE", fail_on_incomplete)]);
        assert_eq!(code, want, "{what}:\n{log}");
        match status {
            "1" => {
                assert!(
                    log.contains(
                        "::error title=leakscan::leaks found (1 finding(s): 1 secret, 0 internal)"
                    ),
                    "{what}: {log}"
                );
                assert!(summary.contains("**Failed**: leaks found"), "{summary}");
            }
            "3" => {
                // The inputs that were not scanned are in the job summary, whatever the verdict.
                assert!(
                    summary.contains("### Not scanned (1)")
                        && summary.contains("- dist/cut.tgz: not scanned (malformed-archive)"),
                    "{what}: {summary}"
                );
                assert!(
                    !summary.contains("logo.png"),
                    "a chosen skip is not a gap: {summary}"
                );
                if want == 1 {
                    assert!(
                        log.contains("::error title=leakscan::the scan is incomplete"),
                        "{log}"
                    );
                } else {
                    assert!(
                        log.contains("::warning title=leakscan::the scan is incomplete"),
                        "{log}"
                    );
                }
            }
            _ => assert!(!log.contains("::error"), "{what}: {log}"),
        }
    }
    // Defaults: fail-on-incomplete and fail-on-leaks are on.
    let o = run_action(
        &r.path(),
        "workflow_dispatch",
        "{}",
        &[("STUB_EXIT", "3"), ("STUB_SARIF", incomplete)],
        false,
    );
    assert_eq!(verdict(&o, &[]).0, 1);
    let o = run_action(&r.path(), "workflow_dispatch", "{}", &[], false);
    assert_eq!(o.outputs.get("result").map(String::as_str), Some("leaks"));
    assert_eq!(verdict(&o, &[]).0, 1);
    assert_eq!(verdict(&o, &[("FAIL_ON_LEAKS", "false")]).0, 0);
    // A crash (no usable status) fails; a mistyped flag is a usage error, not a pass.
    let o = run_action(
        &r.path(),
        "workflow_dispatch",
        "{}",
        &[("STUB_EXIT", "101")],
        false,
    );
    assert_eq!(o.outputs.get("result").map(String::as_str), Some("error"));
    assert_eq!(verdict(&o, &[]).0, 1);
    let o = run_action(
        &r.path(),
        "workflow_dispatch",
        "{}",
        &[("STUB_EXIT", "0"), ("STUB_SARIF", clean)],
        false,
    );
    assert_eq!(verdict(&o, &[("FAIL_ON_INCOMPLETE", "yes")]).0, 2);
    // --exit-code N in the arguments: N means leaks.
    let o = run_action(
        &r.path(),
        "workflow_dispatch",
        "{}",
        &[("STUB_EXIT", "7"), ("INPUT_ARGS", "--exit-code 7")],
        false,
    );
    assert_eq!(o.outputs.get("result").map(String::as_str), Some("leaks"));
}

/// A repository whose only finding is an internal marker (a committed `.env` file).
fn internal_only_repo() -> Repo {
    let r = Repo::new();
    r.dir.write("repo/.env", "DB_HOST=db.acme.io\n");
    git(&r.path(), &["add", "."]);
    git(&r.path(), &["commit", "-qm", "env"]);
    r
}

#[test]
fn fail_on_secret_with_only_internal_findings_passes() {
    if !tools_present() {
        return;
    }
    let r = internal_only_repo();
    let o = run_action(
        &r.path(),
        "workflow_dispatch",
        "{}",
        &[("INPUT_ARGS", "--fail-on secret")],
        true,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let get = |k: &str| o.outputs.get(k).cloned().unwrap_or_default();
    assert_eq!(get("exit-code"), "0", "{}", o.stderr);
    assert_eq!(get("result"), "clean");
    assert_eq!(get("secrets"), "0");
    let internal: usize = get("internal").parse().unwrap_or(0);
    assert!(internal >= 1, "{:?}", o.outputs);
    assert_eq!(get("findings"), internal.to_string(), "{:?}", o.outputs);
    let (code, log, summary) = verdict(&o, &[]);
    assert_eq!(code, 0, "{log}");
    assert!(
        log.contains("none of a kind that --fail-on selects"),
        "{log}"
    );
    assert!(summary.contains("internal-env-file"), "{summary}");
    // Without --fail-on secret the same findings fail the job.
    let o = run_action(&r.path(), "workflow_dispatch", "{}", &[], true);
    assert_eq!(o.outputs.get("exit-code").map(String::as_str), Some("1"));
    let (code, log, _) = verdict(&o, &[]);
    assert_eq!(code, 1, "{log}");
    assert!(log.contains("0 secret, "), "{log}");
}

#[test]
fn a_real_incomplete_scan_fails_by_default_and_lists_what_was_not_scanned() {
    if !tools_present() {
        return;
    }
    let r = Repo::new();
    let filler: String = (0..4000)
        .map(|i| format!("line {i} of a generated bundle, nothing to see\n"))
        .collect();
    let mut tar = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(filler.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    tar.append_data(&mut header, "bundle.js", filler.as_bytes())
        .expect("tar");
    let tar = tar.into_inner().expect("tar");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &tar).expect("gzip");
    let tgz = gz.finish().expect("gzip");
    r.dir.write("repo/cut.tgz", &tgz[..tgz.len() / 2]);
    let o = run_action(
        &r.path(),
        "schedule",
        "{}",
        &[("INPUT_SCAN", "worktree")],
        true,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(
        o.outputs.get("exit-code").map(String::as_str),
        Some("3"),
        "{}",
        o.stderr
    );
    assert!(
        o.summary.contains("### Not scanned (1)") && o.summary.contains("cut.tgz: not scanned"),
        "{}",
        o.summary
    );
    assert_eq!(verdict(&o, &[]).0, 1);
    assert_eq!(verdict(&o, &[("FAIL_ON_INCOMPLETE", "false")]).0, 0);
}

// ---- install.sh: the release binary for the action's tag, verified; source otherwise ----

/// A web server on 127.0.0.1 serving fixed files (a fake GitHub release) and recording the
/// paths asked for. It lives as long as the test process.
struct Server {
    url: String,
    requests: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

fn serve(files: BTreeMap<String, Vec<u8>>) -> Server {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let requests = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(match stream.try_clone() {
                Ok(s) => s,
                Err(_) => continue,
            });
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            // Skip the headers.
            let mut h = String::new();
            while reader.read_line(&mut h).map(|n| n > 2).unwrap_or(false) {
                h.clear();
            }
            let path = line.split(' ').nth(1).unwrap_or("").to_string();
            if let Ok(mut s) = seen.lock() {
                s.push(path.clone());
            }
            let (status, body) = match files.get(&path) {
                Some(b) => ("200 OK", b.clone()),
                None => ("404 Not Found", b"Not Found".to_vec()),
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    Server { url, requests }
}

/// A release archive as the release workflow makes it: `leakscan-<target>/leakscan` in a
/// .tar.gz; the "binary" is a script that says its version.
fn release_archive(target: &str, version: &str) -> Vec<u8> {
    let script = format!("#!/bin/sh\necho \"leakscan {version}\"\n");
    let mut tar = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(script.len() as u64);
    header.set_mode(0o755);
    header.set_cksum();
    tar.append_data(
        &mut header,
        format!("leakscan-{target}/leakscan"),
        script.as_bytes(),
    )
    .expect("tar");
    let tar = tar.into_inner().expect("tar");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &tar).expect("gzip");
    gz.finish().expect("gzip")
}

fn sha256_hex(b: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(b))
}

struct Install {
    code: i32,
    stdout: String,
    stderr: String,
    outputs: BTreeMap<String, String>,
    path_file: String,
    dir: Dir,
}

/// Runs scripts/action/install.sh (`plan` or the install) as the action does, with the action's
/// own source as GITHUB_ACTION_PATH and the releases served from `server`.
fn install(server: &str, plan: bool, env: &[(&str, &str)]) -> Install {
    let dir = Dir::new();
    let output = dir.write("github_output", "");
    let path_file = dir.write("github_path", "");
    let mut cmd = Command::new("bash");
    cmd.arg(repo_root().join("scripts/action/install.sh"));
    if plan {
        cmd.arg("plan");
    }
    cmd.env("GITHUB_ACTION_PATH", repo_root())
        .env("GITHUB_SERVER_URL", server)
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_PATH", &path_file)
        .env("RUNNER_TEMP", dir.path())
        .env("LEAKSCAN_INSTALL_DIR", dir.path().join("install"))
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .env("ACTION_REPOSITORY", "acme/leakscan")
        .env_remove("ACTION_REF")
        .env_remove("LEAKSCAN_VERSION")
        // No proxy may turn 127.0.0.1 into a request that leaves the machine.
        .env("NO_PROXY", "*")
        .env_remove("http_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("ALL_PROXY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("install.sh");
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    Install {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        outputs: read(&output)
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        path_file: read(&path_file),
        dir,
    }
}

fn curl_present() -> bool {
    if Command::new("curl").arg("--version").output().is_err() {
        eprintln!("skipped: curl is not installed (GitHub runners have it)");
        return false;
    }
    tools_present()
}

const VERSION: &str = env!("CARGO_PKG_VERSION");

#[test]
fn install_downloads_the_release_of_the_actions_tag_and_verifies_it() {
    if !curl_present() {
        return;
    }
    let mut files = BTreeMap::new();
    let mut add = |target: &str, tamper: bool| {
        let archive = release_archive(target, VERSION);
        let name = format!("leakscan-{target}.tar.gz");
        let mut sum = sha256_hex(&archive);
        if tamper {
            // The checksum of other bytes: what a swapped or corrupted download looks like.
            sum = sha256_hex(b"something else");
        }
        let base = format!("/acme/leakscan/releases/download/v{VERSION}/{name}");
        files.insert(
            format!("{base}.sha256"),
            format!("{sum} *{name}\n").into_bytes(),
        );
        files.insert(base, archive);
    };
    add("x86_64-unknown-linux-musl", false);
    add("aarch64-unknown-linux-musl", true);
    // Windows: a .zip holding leakscan.exe (here a script, so that it runs on this machine).
    let exe = format!("#!/bin/sh\necho \"leakscan {VERSION}\"\n");
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file(
        "leakscan-x86_64-pc-windows-msvc/leakscan.exe",
        zip::write::SimpleFileOptions::default(),
    )
    .expect("zip");
    std::io::Write::write_all(&mut zip, exe.as_bytes()).expect("zip");
    let zip = zip.finish().expect("zip").into_inner();
    let name = "leakscan-x86_64-pc-windows-msvc.zip";
    let base = format!("/acme/leakscan/releases/download/v{VERSION}/{name}");
    files.insert(
        format!("{base}.sha256"),
        format!("{} *{name}\n", sha256_hex(&zip)).into_bytes(),
    );
    files.insert(base, zip);
    let server = serve(files);
    let tag = format!("v{VERSION}");

    // The action's own release tag: the matching archive, checksum verified, on PATH.
    let i = install(&server.url, false, &[("ACTION_REF", &tag)]);
    assert_eq!(i.code, 0, "{}{}", i.stdout, i.stderr);
    assert!(i.stderr.contains("checksum verified"), "{}", i.stderr);
    assert!(
        i.stdout.contains(&format!(
            "installed leakscan {VERSION} from leakscan-x86_64-unknown-linux-musl.tar.gz"
        )),
        "{}",
        i.stdout
    );
    let bin = i.dir.path().join("install/bin/leakscan");
    assert!(bin.is_file());
    assert_eq!(
        i.path_file.trim(),
        i.dir.path().join("install/bin").display().to_string()
    );
    let asked = server
        .requests
        .lock()
        .map(|r| r.clone())
        .unwrap_or_default();
    assert!(
        asked.contains(&format!(
            "/acme/leakscan/releases/download/v{VERSION}/leakscan-x86_64-unknown-linux-musl.tar.gz"
        )),
        "{asked:?}"
    );

    // A wrong checksum: the job stops and nothing is installed or put on PATH.
    let i = install(
        &server.url,
        false,
        &[("ACTION_REF", &tag), ("RUNNER_ARCH", "ARM64")],
    );
    assert_eq!(i.code, 2, "{}{}", i.stdout, i.stderr);
    assert!(
        i.stderr.contains("::error title=leakscan::checksum mismatch for leakscan-aarch64-unknown-linux-musl.tar.gz")
            && i.stderr.contains("nothing was installed"),
        "{}",
        i.stderr
    );
    assert!(!i.dir.path().join("install/bin/leakscan").exists());
    assert!(i.path_file.is_empty(), "{}", i.path_file);

    // Windows runners get the .zip (unpacked with unzip, or 7z).
    if Command::new("unzip").arg("-v").output().is_ok() {
        let i = install(
            &server.url,
            false,
            &[("ACTION_REF", &tag), ("RUNNER_OS", "Windows")],
        );
        assert_eq!(i.code, 0, "{}{}", i.stdout, i.stderr);
        assert!(i.dir.path().join("install/bin/leakscan.exe").is_file());
        assert!(
            i.stdout
                .contains("from leakscan-x86_64-pc-windows-msvc.zip"),
            "{}",
            i.stdout
        );
    } else {
        eprintln!("skipped the Windows archive: unzip is not installed");
    }

    // A release that does not exist (or has no binary for this runner): a clear error.
    let i = install(&server.url, false, &[("LEAKSCAN_VERSION", "9.9.9")]);
    assert_eq!(i.code, 2);
    assert!(
        i.stderr.contains("could not download") && i.stderr.contains("v9.9.9"),
        "{}",
        i.stderr
    );
    let i = install(
        &server.url,
        false,
        &[("ACTION_REF", &tag), ("RUNNER_OS", "FreeBSD")],
    );
    assert_eq!(i.code, 2);
    assert!(
        i.stderr
            .contains("no leakscan release binary for FreeBSD/X64"),
        "{}",
        i.stderr
    );

    // The `version` input picks the release whatever the ref.
    let i = install(
        &server.url,
        false,
        &[("ACTION_REF", "main"), ("LEAKSCAN_VERSION", &tag)],
    );
    assert_eq!(i.code, 0, "{}", i.stderr);

    // verify-attestation: `gh attestation verify` on the archive, before it is unpacked.
    let gh = Dir::new();
    let stub = gh.write(
        "gh",
        "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$GH_ARGS\"\nexit \"${GH_EXIT:-0}\"\n",
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let path = format!(
        "{}:{}",
        gh.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let args_file = gh.path().join("args");
    let args = args_file.to_str().unwrap_or_default();
    let env = [
        ("ACTION_REF", tag.as_str()),
        ("VERIFY_ATTESTATION", "true"),
        ("PATH", path.as_str()),
        ("GH_ARGS", args),
    ];
    let i = install(&server.url, false, &env);
    assert_eq!(i.code, 0, "{}", i.stderr);
    let called: Vec<String> = std::fs::read_to_string(&args_file)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(called.len(), 5, "{called:?}");
    assert_eq!(&called[..2], ["attestation", "verify"]);
    assert!(
        called[2].ends_with("/leakscan-x86_64-unknown-linux-musl.tar.gz"),
        "{called:?}"
    );
    assert_eq!(&called[3..], ["--repo", "acme/leakscan"]);
    assert!(
        i.stderr.contains("build provenance verified"),
        "{}",
        i.stderr
    );
    let mut env = env.to_vec();
    env.push(("GH_EXIT", "1"));
    let i = install(&server.url, false, &env);
    assert_eq!(i.code, 2, "{}", i.stderr);
    assert!(
        i.stderr.contains("could not be verified") && i.stderr.contains("nothing was installed"),
        "{}",
        i.stderr
    );
    assert!(!i.dir.path().join("install/bin/leakscan").exists());
}

#[test]
fn install_plans_a_release_for_tags_and_a_build_for_other_refs() {
    if !curl_present() {
        return;
    }
    let plan = |env: &[(&str, &str)]| {
        let i = install("http://127.0.0.1:9", true, env);
        (i.code, i.outputs, i.stderr)
    };
    let major = VERSION.split('.').next().unwrap_or("0").to_string();
    let minor = VERSION
        .rsplit_once('.')
        .map(|(a, _)| a.to_string())
        .unwrap_or_default();
    for tag in [
        format!("v{VERSION}"),
        format!("v{major}"),
        format!("v{minor}"),
    ] {
        let (code, out, err) = plan(&[("ACTION_REF", &tag)]);
        assert_eq!(code, 0, "{tag}: {err}");
        assert_eq!(
            out.get("mode").map(String::as_str),
            Some("release"),
            "{tag}"
        );
        assert_eq!(
            out.get("version").map(String::as_str),
            Some(VERSION),
            "{tag}"
        );
        assert!(
            !out.contains_key("hash"),
            "{tag}: no build cache for a release"
        );
    }
    // A branch, a commit id, a local `uses: ./` (no ref): built from the action's source, with
    // the source hash as the build cache's key.
    for r in ["main", "0123456789abcdef0123456789abcdef01234567", ""] {
        let (code, out, err) = plan(&[("ACTION_REF", r)]);
        assert_eq!(code, 0, "{r}: {err}");
        assert_eq!(out.get("mode").map(String::as_str), Some("source"), "{r}");
        assert_eq!(out.get("hash").map(String::len), Some(32), "{r}: {out:?}");
    }
    // A moving tag whose source is another series, and a version that is not one: errors.
    let (code, _, err) = plan(&[("ACTION_REF", "v99")]);
    assert_eq!(code, 2);
    assert!(err.contains("pin a release tag"), "{err}");
    let (code, _, err) = plan(&[("LEAKSCAN_VERSION", "latest")]);
    assert_eq!(code, 2);
    assert!(err.contains("not a release version"), "{err}");
}

/// What a release names must agree: the README's pinned action, container and pre-commit
/// `rev`, the docker_image hook's tag, and the targets dist builds with those install.sh asks for.
#[test]
fn release_pins_and_targets_agree_with_the_crate() {
    let read = |p: &str| std::fs::read_to_string(repo_root().join(p)).expect(p);
    let readme = read("README.md");
    let repo = env!("CARGO_PKG_REPOSITORY");
    let slug = repo.trim_start_matches("https://github.com/");
    for pin in [
        format!("uses: {slug}@v{VERSION}"),
        format!("ghcr.io/{slug}:{VERSION}"),
        format!("rev: v{VERSION}"),
        format!("repo: {repo}"),
    ] {
        assert!(readme.contains(&pin), "README.md does not say {pin}");
    }
    assert!(
        !readme.contains("your-org/"),
        "a placeholder is left in README.md"
    );
    let hooks = read(".pre-commit-hooks.yaml");
    assert!(
        hooks.contains(&format!("entry: ghcr.io/{slug}:{VERSION} scan --staged")),
        ".pre-commit-hooks.yaml's docker_image hook must run this version's image"
    );
    let dist = read("dist-workspace.toml");
    let install = read("scripts/action/install.sh");
    for target in [
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        assert!(
            dist.contains(&format!("\"{target}\"")),
            "dist does not build {target}"
        );
        assert!(
            install.contains(&format!("echo {target}")),
            "install.sh does not ask for {target}"
        );
    }
    assert!(dist.contains("unix-archive = \".tar.gz\"") && dist.contains("checksum = \"sha256\""));
    let release = read(".github/workflows/release.yml");
    assert!(
        release.contains("uses: ./.github/workflows/publish-image.yml")
            && !release.contains("uses: $/"),
        "release.yml must call the local publish job with ./ (see dist-workspace.toml)"
    );
}

// ---- dogfooding: the repository's .leakscan.toml scopes its own scan, not the tests' ----

/// `.leakscan.toml` is found at the scan root only: scans rooted in rules/ or the detection
/// corpus (as the tests run them) still report the fake secrets there, with the built-in pack.
#[test]
fn the_repository_configuration_does_not_hide_fixtures_from_scans_rooted_in_them() {
    for dir in ["rules", "fixtures/detection/corpus"] {
        let out = Command::new(program())
            .args([
                "scan",
                dir,
                "--no-history",
                "--no-progress",
                "--format",
                "json",
            ])
            .current_dir(repo_root())
            .env_remove("LEAKSCAN_CONFIG")
            .env_remove("GITLEAKS_CONFIG")
            .env_remove("GITLEAKS_CONFIG_TOML")
            .output()
            .expect("leakscan");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{dir}: {stderr}");
        assert!(!stderr.contains(".leakscan.toml"), "{dir}: {stderr}");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let n = report["findings"].as_array().map_or(0, Vec::len);
        assert!(n > 100, "{dir}: only {n} findings");
    }
}
