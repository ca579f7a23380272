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
pub(crate) fn tools_present() -> bool {
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
    // leakscan's own Markdown report (--markdown-summary), from the same scan.
    assert!(
        o.summary.contains("## leakscan: 1 finding\n")
            && o.summary.contains("| high | test-token | app.py:3 |"),
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

/// A pull request that edits a file around a secret its base already holds is not failed for
/// it (range scans are new-only); one that adds a secret, or copies the old one to a new
/// path, is. With the real binary.
#[test]
fn pull_request_reports_only_what_its_base_does_not_hold() {
    if !tools_present() {
        return;
    }
    let dir = Dir::new();
    let p = dir.path().join("repo");
    std::fs::create_dir(&p).expect("mkdir");
    git(&p, &["init", "-q", "-b", "main"]);
    let token = "tt_k3j4h5g6f7d8s9a0q1w2e3r4";
    let other = "tt_z9y8x7w6v5u4t3s2r1q0p9o8";
    dir.write(
        "repo/.leakscan.toml",
        "[extend]\nbuiltin = false\n\n[[rules]]\nid = \"test-token\"\ndescription = \"Test token\"\nregex = '''\\b(tt_[a-z0-9]{24})\\b'''\nkeywords = [\"tt_\"]\nseverity = \"high\"\n",
    );
    dir.write("repo/app.py", format!("KEY = \"{token}\"\n"));
    git(&p, &["add", "."]);
    git(&p, &["commit", "-qm", "A"]);
    let a = git(&p, &["rev-parse", "HEAD"]);
    git(&p, &["checkout", "-qb", "feature"]);
    dir.write(
        "repo/app.py",
        format!("import os\n\nKEY = \"{token}\"\nx = 1\n"),
    );
    git(&p, &["commit", "-qam", "edit around"]);
    let b = git(&p, &["rev-parse", "HEAD"]);
    dir.write("repo/copy.py", format!("KEY = \"{token}\"\n"));
    dir.write("repo/new.py", format!("K2 = \"{other}\"\n"));
    git(&p, &["add", "."]);
    git(&p, &["commit", "-qm", "copy and add"]);
    let c = git(&p, &["rev-parse", "HEAD"]);
    let pr = |head: &str| {
        let payload = format!(
            r#"{{"pull_request": {{"base": {{"sha": "{a}"}}, "head": {{"sha": "{head}"}}}}}}"#
        );
        run_action(&p, "pull_request", &payload, &[], true)
    };
    let o = pr(&b);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(
        o.outputs.get("findings").map(String::as_str),
        Some("0"),
        "{}",
        o.summary
    );
    let o = pr(&c);
    assert_eq!(
        o.outputs.get("findings").map(String::as_str),
        Some("2"),
        "{}",
        o.summary
    );
    assert!(
        o.summary.contains("copy.py:1") && o.summary.contains("new.py:1"),
        "{}",
        o.summary
    );
    assert!(!o.summary.contains("app.py"), "{}", o.summary);
}
