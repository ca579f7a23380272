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

/// A stand-in leakscan: records its arguments (one per line) and the content of `--config`, and
/// writes a SARIF file with one result.
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
cat > "$out" <<'JSON'
{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "leakscan", "rules": []}}, "invocations": [{"executionSuccessful": true}],
 "results": [{"ruleId": "test-token", "level": "error", "message": {"text": "Test token: tt_k…(27 chars). A | pipe."},
   "locations": [{"physicalLocation": {"artifactLocation": {"uri": "app.py"}, "region": {"startLine": 3}}}],
   "properties": {"location": "app.py", "severity": "high", "commit": "0123456789abcdef0123"}}]}]}
JSON
exit 1
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
