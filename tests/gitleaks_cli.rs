//! gitleaks' command lines, as the README's table "Switching from gitleaks: the command line"
//! lists them: each row runs in a test repository twice, the left column with `gitleaks`
//! replaced by `leakscan` and the right column as written, and both must give the same exit
//! status, the same output (timings masked) and the same report files.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::repo::Repo;
use crate::util::{github_token, program, repo_root};

/// The rows of the table: (gitleaks command, leakscan command).
fn table() -> Vec<(String, String)> {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README.md");
    let start = readme
        .find("<!-- gitleaks-cli-table")
        .expect("the README's gitleaks table");
    let end = readme[start..]
        .find("<!-- /gitleaks-cli-table -->")
        .expect("end of the table")
        + start;
    readme[start..end]
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let unquote = |c: &str| c.trim_matches('`').to_string();
            (unquote(cells[1]), unquote(cells[2]))
        })
        .collect()
}

/// Splits a command line of the table: words, double quotes removed, `< FILE` as standard
/// input. Returns (arguments after the program name, standard input file).
fn split(line: &str) -> (Vec<String>, Option<String>) {
    let (cmd, input) = match line.split_once(" < ") {
        Some((c, f)) => (c, Some(f.trim().to_string())),
        None => (line, None),
    };
    let words: Vec<String> = cmd.split_whitespace().map(|w| w.replace('"', "")).collect();
    (words[1..].to_vec(), input)
}

/// Masks what differs between two runs of the same scan: durations.
fn mask(s: &str) -> String {
    let mut out = String::new();
    for line in s.lines() {
        let mut l = line.to_string();
        for key in ["\"elapsed_ms\": ", "time=\""] {
            let mut from = 0;
            while let Some(at) = l[from..].find(key) {
                let i = from + at + key.len();
                let rest: String = l[i..]
                    .chars()
                    .skip_while(|c| c.is_ascii_digit() || *c == '.')
                    .collect();
                l = format!("{}#{rest}", &l[..i]);
                from = i + 1;
            }
        }
        if let Some(i) = l.rfind(") in ") {
            if l.ends_with(" s") {
                l = format!("{}) in # s", &l[..i]);
            }
        }
        out.push_str(&l);
        out.push('\n');
    }
    out
}

struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
    reports: Vec<(String, String)>,
}

fn run(repo: &Repo, line: &str) -> Outcome {
    let (args, input) = split(line);
    let mut cmd = Command::new(program());
    repo.env(&mut cmd);
    cmd.args(&args)
        .current_dir(repo.work())
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("leakscan");
    if let Some(f) = input {
        let bytes = std::fs::read(repo.work().join(f)).expect("stdin file");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(&bytes)
            .expect("write stdin");
    }
    let out = child.wait_with_output().expect("wait");
    let mut reports = Vec::new();
    for name in ["report.json", "report.sarif"] {
        let p = repo.work().join(name);
        if let Ok(text) = std::fs::read_to_string(&p) {
            reports.push((name.to_string(), mask(&text)));
            std::fs::remove_file(&p).expect("remove report");
        }
    }
    Outcome {
        code: out.status.code().unwrap_or(-1),
        stdout: mask(&String::from_utf8_lossy(&out.stdout)),
        stderr: mask(&String::from_utf8_lossy(&out.stderr)),
        reports,
    }
}

/// A repository with findings in two commits, one staged and two uncommitted files, a gitleaks
/// configuration, a `.gitleaksignore` naming a gitleaks rule id, and a gitleaks JSON report.
fn fixture() -> Repo {
    let repo = Repo::with_rules("");
    let tok = |n: usize| github_token("ghp", &format!("{n}mW7rT2kPq9ZxL4vB8nC3hJ6dF1gS5")[..30]);
    repo.write("config/app.conf", &format!("GITHUB_TOKEN={}\n", tok(1)));
    repo.write("src/acme.txt", "key = acme_k3j4h5g6f7d8s9a0q1w2e3r4\n");
    repo.write(
        "ci/gitleaks.toml",
        "[extend]\nuseDefault = true\n\n[[rules]]\nid = \"acme-key\"\ndescription = \"ACME key\"\nregex = '''acme_[a-z0-9]{24}'''\nkeywords = [\"acme_\"]\n",
    );
    repo.write("ci/.gitleaksignore", "config/app.conf:github-pat:1\n");
    repo.commit("first");
    repo.write(
        "src/main.py",
        &format!(
            "token = \"{}\"  # gitleaks:allow\nother = \"{}\"\n",
            tok(2),
            tok(3)
        ),
    );
    let second = repo.commit("second");
    repo.write("staged.conf", &format!("GH={}\n", tok(4)));
    repo.git(&["add", "staged.conf"]);
    repo.write("wip.txt", &format!("t={}\n", tok(5)));
    repo.write("notes.txt", &format!("t={}\n", tok(6)));
    repo.write(
        "gitleaks-report.json",
        &format!(
            "[{{\"RuleID\": \"github-pat\", \"File\": \"src/main.py\", \"StartLine\": 2, \"Commit\": \"{second}\", \"Secret\": \"REDACTED\"}}]\n"
        ),
    );
    repo
}

#[test]
fn each_gitleaks_line_of_the_readme_equals_its_leakscan_line() {
    let repo = fixture();
    let rows = table();
    assert!(rows.len() >= 25, "{} rows", rows.len());
    let mut with_findings = 0;
    let mut history_findings = None;
    for (gitleaks, native) in &rows {
        assert!(gitleaks.starts_with("gitleaks "), "{gitleaks}");
        let compat = gitleaks.replacen("gitleaks", "leakscan", 1);
        let a = run(&repo, &compat);
        let b = run(&repo, native);
        assert_eq!(
            (a.code, &a.stdout, &a.stderr, &a.reports),
            (b.code, &b.stdout, &b.stderr, &b.reports),
            "`{compat}` and `{native}` differ"
        );
        assert!(
            a.code == 0 || a.code == 1,
            "`{compat}`: exit {}\n{}",
            a.code,
            a.stderr
        );
        let shown = a.stdout.matches("fingerprint ").count();
        with_findings += usize::from(a.code == 1);
        if gitleaks == "gitleaks git" {
            history_findings = Some(shown);
        }
    }
    assert!(with_findings >= 20, "{with_findings} rows found something");
    // The history holds tokens 1 and 3 (2 is allowed by its comment) and the ACME key is not a
    // built-in format; the ignore file and the gitleaks baseline each take one away.
    assert_eq!(
        history_findings,
        Some(2),
        "{}",
        run(&repo, "leakscan scan --no-worktree --explain").stdout
    );
    let count = |line: &str| run(&repo, line).stdout.matches("fingerprint ").count();
    assert_eq!(count("leakscan git -i ci/.gitleaksignore"), 1);
    assert_eq!(count("leakscan git -b gitleaks-report.json"), 1);
    assert_eq!(count("leakscan git -c ci/gitleaks.toml"), 3);
    assert_eq!(count("leakscan git --ignore-gitleaks-allow"), 3);
    assert_eq!(count("leakscan git --pre-commit --staged"), 1);
}

/// `.gitleaksignore` entries name gitleaks rule ids; those that match no finding are counted
/// on standard error, with the rules they name.
#[test]
fn gitleaksignore_entries_that_match_nothing_are_counted() {
    let repo = fixture();
    repo.write(
        "ci/stale.gitleaksignore",
        "config/app.conf:github-pat:1\nold/gone.txt:aws-access-token:3\nold/gone.txt:aws-access-token:4\n",
    );
    let run = run(
        &repo,
        "leakscan scan --no-worktree -i ci/stale.gitleaksignore",
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(
            "leakscan: warning: 2 of 3 .gitleaksignore entries matched no finding of this scan (aws-access-token 2)"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout
            .contains("note: 1 of 3 gitleaks ignore entries applied"),
        "{}",
        run.stdout
    );
    // The same through `baseline import`.
    let import = run_import(&repo);
    assert!(
        import.contains("1 of 3 entries in ci/stale.gitleaksignore matched 1 finding(s)"),
        "{import}"
    );
    assert!(
        import.contains("2 of 3 .gitleaksignore entries matched no finding"),
        "{import}"
    );
}

fn run_import(repo: &Repo) -> String {
    let out = repo.leakscan_in(
        &repo.work(),
        &[
            "baseline",
            "import",
            "--no-worktree",
            "-i",
            "ci/stale.gitleaksignore",
            "-o",
            "../b.json",
        ],
        &[],
    );
    assert_eq!(out.code(), 0, "{}", out.stderr());
    out.stderr()
}

/// gitleaks names the commit whose diff adds a line; leakscan scans each blob once and names
/// one commit holding it. An entry naming another commit with the same blob still applies.
#[test]
fn gitleaksignore_history_entries_match_the_same_blob_in_another_commit() {
    let repo = Repo::with_rules("");
    repo.write("README.md", "hello\n");
    repo.commit("root");
    let token = github_token("ghp", "p4Lk9Wz2Qx7Rv3Mn8Bc1Jd6Hf5Gt0S");
    let content = format!("token = {token}\n");
    repo.git(&["checkout", "-q", "-b", "side"]);
    repo.write("app.conf", &content);
    let side = repo.commit("side adds it");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("app.conf", &content);
    let main = repo.commit("main adds it too");
    let plain = run(&repo, "leakscan scan --no-worktree");
    assert_eq!(
        plain.stdout.matches("fingerprint ").count(),
        1,
        "{}",
        plain.stdout
    );
    repo.write(
        "ci/.gitleaksignore",
        &format!("{side}:app.conf:github-pat:1\n{main}:app.conf:github-pat:1\n"),
    );
    let ignored = run(&repo, "leakscan scan --no-worktree -i ci/.gitleaksignore");
    assert_eq!(ignored.code, 0, "{}{}", ignored.stdout, ignored.stderr);
    assert!(
        ignored
            .stdout
            .contains("note: 2 of 2 gitleaks ignore entries applied"),
        "{}",
        ignored.stdout
    );
}

/// A gitleaks configuration extending the default names gitleaks' ids in `disabledRules` and
/// `targetRules`: they reach the leakscan rules of the same formats, never a rule that other
/// gitleaks rules share.
#[test]
fn gitleaks_config_ids_in_disabled_rules_and_target_rules_are_translated() {
    let dir = crate::util::Dir::new();
    dir.write(
        "gl.toml",
        "[extend]\nuseDefault = true\ndisabledRules = [\"aws-access-token\", \"generic-api-key\"]\n\n[[allowlists]]\ntargetRules = [\"github-pat\"]\npaths = ['''^fixtures/''']\n",
    );
    let tok = github_token("ghp", "x2Vb7Nm4Qw9Er1Ty6Ui3Op8As5Df0G");
    dir.write("fixtures/a.conf", format!("token = {tok}\n"));
    dir.write("src/b.conf", format!("token = {tok}\n"));
    let list = dir.run(&["rules", "list", "--json", "-c", "gl.toml"]);
    assert_eq!(list.code(), 0, "{}", list.stderr());
    let ids: Vec<String> = list
        .json()
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["id"].as_str().map(str::to_string))
        .collect();
    assert!(!ids.contains(&"aws-access-key-id".to_string()));
    assert!(!ids.contains(&"generic-secret-assignment".to_string()));
    assert!(ids.contains(&"generic-password".to_string()));
    assert!(
        list.stderr().contains(
            "disabledRules: 'generic-api-key': leakscan's generic-password not switched off"
        ),
        "{}",
        list.stderr()
    );
    // The allowlist for github-pat applies to github-pat-classic: only src/ is reported.
    let scan = dir.run(&[
        "scan",
        "-c",
        "gl.toml",
        "--format",
        "json",
        "--no-history",
        ".",
    ]);
    let found: Vec<(String, String)> = scan
        .findings()
        .into_iter()
        .map(|(loc, _, rule)| (loc, rule))
        .collect();
    assert_eq!(
        found,
        vec![("src/b.conf".to_string(), "github-pat-classic".to_string())],
        "{}",
        scan.stderr()
    );
}
