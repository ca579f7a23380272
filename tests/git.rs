//! Git history, `--staged` and the pre-push hook, on real repositories built with the git
//! command line (no system or global configuration, fixed identities and dates).

use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::util::{program, Dir, Run};

use crate::util::TEST_RULES as RULES;

use crate::util::TOKEN;
const TOKEN2: &str = "tt_z9y8x7w6v5u4t3s2r1q0p9o8";

use crate::repo::Repo;

/// `(path, line, commit id or "", other_places)` of every finding.
fn places(r: &Run) -> Vec<(String, u64, String, u64)> {
    r.json()["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or_default(),
                f["commit"]["id"].as_str().unwrap_or_default().to_string(),
                f["other_places"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

fn p(path: &str, line: u64, commit: &str, other: u64) -> (String, u64, String, u64) {
    (path.to_string(), line, commit.to_string(), other)
}

#[test]
fn secret_added_then_removed_is_found_with_its_commit() {
    let r = Repo::new();
    r.write("README.md", "hello\n");
    r.commit("first");
    r.write("app/config.py", &format!("import os\nKEY = \"{TOKEN}\"\n"));
    let added = r.commit("add config\n\nlonger body");
    std::fs::remove_file(r.work().join("app/config.py")).expect("rm");
    r.commit("remove config");
    let run = r.scan(&[]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert_eq!(places(&run), vec![p("app/config.py", 2, &added, 0)]);
    let j = run.json();
    let c = &j["findings"][0]["commit"];
    assert_eq!(c["author_name"], "Ada Author");
    assert_eq!(c["author_email"], "ada@example.com");
    assert_eq!(c["date"], "2023-11-15T00:13:20+00:00");
    assert_eq!(c["summary"], "add config");
    assert_eq!(c["at_or_before"], false);
    assert_eq!(j["findings"][0]["blob_id"].as_str().map(str::len), Some(40));
    // The working tree alone is clean.
    let wt = r.scan(&["--no-history"]);
    assert_eq!(wt.code(), 0, "{}", wt.stderr());
    assert!(places(&wt).is_empty());
    // The text report says where it entered.
    let rules = r.rules();
    let text = r.leakscan_in(
        &r.work(),
        &["scan", "--config", &rules, "--color", "never"],
        &[],
    );
    assert!(
        text.stdout().contains(&format!(
            "commit      in {} by Ada Author <ada@example.com>",
            &added[..12]
        )),
        "{}",
        text.stdout()
    );
}

#[test]
fn non_default_branch_tag_and_detached_head() {
    let r = Repo::new();
    r.write("a.txt", "base\n");
    r.commit("base");
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("feature.py", &format!("k = {TOKEN}\n"));
    let on_branch = r.commit("feature work");
    r.git(&["checkout", "-q", "main"]);
    // A commit reachable only from an annotated tag.
    r.git(&["checkout", "-q", "--detach"]);
    r.write("tagged.py", &format!("k = {TOKEN2}\n"));
    let tagged = r.commit("tagged only");
    r.git(&["tag", "-a", "v1", "-m", "release"]);
    r.git(&["checkout", "-q", "main"]);
    let run = r.scan(&[]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert_eq!(
        places(&run),
        vec![
            p("feature.py", 1, &on_branch, 0),
            p("tagged.py", 1, &tagged, 0)
        ]
    );
    // Detached HEAD on the tagged commit: the file is in the working tree and in history,
    // and is reported once, as history.
    r.git(&["checkout", "-q", "v1"]);
    let run = r.scan(&[]);
    assert_eq!(
        places(&run),
        vec![
            p("feature.py", 1, &on_branch, 0),
            p("tagged.py", 1, &tagged, 0)
        ]
    );
}

#[test]
fn renamed_file_reported_once_at_first_path() {
    let r = Repo::new();
    r.write("old/name.py", &format!("x = 1\ny = \"{TOKEN}\"\n"));
    let first = r.commit("add");
    r.git(&["mv", "old/name.py", "new.py"]);
    r.commit("rename");
    let run = r.scan(&[]);
    assert_eq!(places(&run), vec![p("old/name.py", 2, &first, 1)]);
}

#[test]
fn same_blob_at_two_paths_reported_once() {
    let r = Repo::new();
    let content = format!("t = {TOKEN}\n");
    r.write("x/a.env", &content);
    r.write("y/b.env", &content);
    let c = r.commit("two copies");
    r.write("z.txt", "later\n");
    r.commit("unrelated");
    let run = r.scan(&["--no-worktree"]);
    assert_eq!(places(&run), vec![p("x/a.env", 1, &c, 1)]);
}

#[test]
fn merge_resolution_that_alone_adds_a_secret() {
    let r = Repo::new();
    r.write("conf.py", "value = 1\n");
    r.commit("base");
    r.git(&["checkout", "-q", "-b", "side"]);
    r.write("conf.py", "value = 2\n");
    r.commit("side");
    r.git(&["checkout", "-q", "main"]);
    r.write("conf.py", "value = 3\n");
    r.commit("main");
    let out = r.git_try(&r.work(), &["merge", "-q", "side"], None);
    assert!(!out.status.success(), "the merge must conflict");
    r.write("conf.py", &format!("value = \"{TOKEN}\"\n"));
    let merge = r.commit("merge side");
    assert_eq!(
        r.git(&["rev-list", "--parents", "-n1", "HEAD"])
            .split(' ')
            .count(),
        3
    );
    let run = r.scan(&[]);
    assert_eq!(places(&run), vec![p("conf.py", 1, &merge, 0)]);
}

#[test]
fn range_and_since_narrow_the_history() {
    let r = Repo::new();
    r.write("a.py", &format!("a = {TOKEN}\n"));
    let c1 = r.commit("one");
    r.write("b.py", &format!("b = {TOKEN2}\n"));
    let c2 = r.commit("two");
    let range = format!("{c1}..{c2}");
    assert_eq!(
        places(&r.scan(&["--range", &range])),
        vec![p("b.py", 1, &c2, 0)]
    );
    assert_eq!(
        places(&r.scan(&["--since", &c1])),
        vec![p("b.py", 1, &c2, 0)]
    );
    assert_eq!(r.scan(&["--range", "nope..HEAD"]).code(), 2);
}

#[test]
fn range_and_since_report_only_what_the_base_does_not_hold() {
    let r = Repo::new();
    r.write("a.py", &format!("a = {TOKEN}\n"));
    let c1 = r.commit("one");
    // Edit around the old secret (its line moves): nothing new.
    r.write("a.py", &format!("import os\n\na = {TOKEN}\nb = 2\n"));
    let c2 = r.commit("edit around");
    let range = format!("{c1}..{c2}");
    let run = r.scan(&["--range", &range]);
    assert_eq!(places(&run), vec![], "{}", run.stdout());
    assert_eq!(run.code(), 0);
    assert_eq!(places(&r.scan(&["--since", &c1])), vec![]);
    // --explain says why; --all-new reports what the range's blobs hold, as before.
    let explained = r.scan(&["--range", &range, "--explain"]);
    let dropped = explained.json()["dropped"].to_string();
    assert!(
        dropped.contains(&format!("already in {}", &c1[..12])),
        "{dropped}"
    );
    assert_eq!(
        places(&r.scan(&["--range", &range, "--all-new"])),
        vec![p("a.py", 3, &c2, 0)]
    );
    // The same secret copied to a new path is new there; a new secret in the old file too.
    r.write("copy.py", &format!("c = {TOKEN}\n"));
    r.write("a.py", &format!("import os\n\na = {TOKEN}\nb = {TOKEN2}\n"));
    let c3 = r.commit("copy and add");
    let range = format!("{c2}..{c3}");
    assert_eq!(
        places(&r.scan(&["--range", &range])),
        vec![p("a.py", 4, &c3, 0), p("copy.py", 1, &c3, 0)]
    );
    // A byte-for-byte copy of a file the base already has (the same blob) at a new path,
    // and a rename: new places, reported there; the unchanged files are not.
    std::fs::copy(r.work().join("a.py"), r.work().join("dup.py")).expect("copy");
    r.git(&["mv", "copy.py", "moved.py"]);
    let c4 = r.commit("duplicate and rename");
    let range = format!("{c3}..{c4}");
    assert_eq!(
        places(&r.scan(&["--range", &range])),
        vec![
            p("dup.py", 3, &c4, 0),
            p("dup.py", 4, &c4, 0),
            p("moved.py", 1, &c4, 0),
        ]
    );
    assert_eq!(places(&r.scan(&["--range", &range, "--all-new"])), vec![]);
}

#[test]
fn global_commit_allowlist_drops_that_commit() {
    let r = Repo::new();
    r.write("a.py", &format!("a = {TOKEN}\n"));
    let c1 = r.commit("one");
    r.write("b.py", &format!("b = {TOKEN2}\n"));
    let c2 = r.commit("two");
    let rules = format!("{RULES}\n[allow]\ncommits = [\"{}\"]\n", &c1[..10]);
    r.dir.write("rules.toml", rules);
    let run = r.scan(&["--no-worktree"]);
    assert_eq!(places(&run), vec![p("b.py", 1, &c2, 0)]);
}

#[test]
fn shallow_clone_is_reported_and_attributed_at_or_before() {
    let r = Repo::new();
    r.write("secret.py", &format!("s = {TOKEN}\n"));
    r.commit("old secret");
    r.write("a.txt", "1\n");
    r.commit("two");
    r.write("a.txt", "2\n");
    let head = r.commit("three");
    let url = format!("file://{}", r.work().display());
    r.git_in(
        r.dir.path(),
        &["clone", "-q", "--depth", "1", &url, "shallow"],
    );
    let rules = r.rules();
    let run = r.leakscan_in(
        &r.dir.path().join("shallow"),
        &[
            "scan",
            "--config",
            &rules,
            "--format",
            "json",
            "--no-worktree",
        ],
        &[],
    );
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert_eq!(places(&run), vec![p("secret.py", 1, &head, 0)]);
    assert_eq!(run.json()["findings"][0]["commit"]["at_or_before"], true);
    assert!(
        run.stderr().contains("shallow clone") && run.stderr().contains("git fetch --unshallow"),
        "{}",
        run.stderr()
    );
    // Text on standard output: the warning still goes to standard error.
    let text = r.leakscan_in(
        &r.dir.path().join("shallow"),
        &["scan", "--config", &rules],
        &[],
    );
    assert!(text.stderr().contains("shallow clone"), "{}", text.stderr());
    assert!(text.stdout().contains("at or before"), "{}", text.stdout());
}

#[test]
fn unborn_branch_scans_the_working_tree() {
    let r = Repo::new();
    r.write("new.py", &format!("s = {TOKEN}\n"));
    let run = r.scan(&[]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert_eq!(places(&run), vec![p("new.py", 1, "", 0)]);
    // Staged on an unborn branch: every index entry is new.
    r.git(&["add", "new.py"]);
    let staged = r.scan(&["--staged"]);
    assert_eq!(places(&staged), vec![p("new.py", 1, "", 0)]);
}

#[test]
fn corrupt_object_is_a_skip_with_exit_3() {
    let r = Repo::new();
    r.write("clean.txt", "nothing to see\n");
    r.commit("clean");
    let blob = r.git(&["rev-parse", "HEAD:clean.txt"]);
    let obj = r
        .work()
        .join(".git/objects")
        .join(&blob[..2])
        .join(&blob[2..]);
    let mut perms = std::fs::metadata(&obj).expect("object").permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&obj, perms).expect("chmod");
    std::fs::write(&obj, b"this is not zlib data").expect("corrupt");
    let run = r.scan(&[]);
    assert_eq!(run.code(), 3, "{}{}", run.stdout(), run.stderr());
    let skipped = run.json()["skipped"].clone();
    assert!(
        skipped
            .as_array()
            .expect("skipped")
            .iter()
            .any(|s| s["reason"] == "corrupt-object" && s["path"] == "clean.txt"),
        "{skipped}"
    );
}

#[test]
fn missing_pack_is_reported_and_the_working_tree_still_scanned() {
    let r = Repo::new();
    r.write("old.txt", &format!("k = {TOKEN}\n"));
    r.commit("old secret");
    r.write("old.txt", "gone\n");
    r.commit("remove it");
    r.git(&["gc", "-q"]);
    let pack_dir = r.work().join(".git/objects/pack");
    for e in std::fs::read_dir(&pack_dir).expect("pack dir").flatten() {
        if e.path().extension().is_some_and(|x| x == "pack") {
            std::fs::remove_file(e.path()).expect("remove pack");
        }
    }
    r.write("new.txt", &format!("j = {TOKEN2}\n"));
    let run = r.scan(&[]);
    // The untracked file is still scanned and reported; the history could not be read.
    assert_eq!(run.code(), 1, "{}{}", run.stdout(), run.stderr());
    assert_eq!(
        run.findings(),
        vec![("new.txt".to_string(), 1, "test-token".to_string())]
    );
    let j = run.json();
    assert_eq!(j["summary"]["incomplete"], true, "{}", j["skipped"]);
    let r2 = Repo::new();
    r2.write("a.txt", "clean\n");
    r2.commit("clean");
    r2.git(&["gc", "-q"]);
    for e in std::fs::read_dir(r2.work().join(".git/objects/pack"))
        .expect("pack dir")
        .flatten()
    {
        if e.path().extension().is_some_and(|x| x == "pack") {
            std::fs::remove_file(e.path()).expect("remove pack");
        }
    }
    // Nothing found, history unreadable: incomplete, never a green check.
    assert_eq!(r2.scan(&[]).code(), 3);
}

#[test]
fn broken_dot_git_is_reported_and_files_still_scanned() {
    let d = Dir::new();
    d.write("rules.toml", RULES);
    d.write("proj/.git", "gitdir: /nonexistent/somewhere\n");
    d.write("proj/app.py", format!("k = {TOKEN}\n"));
    let run = d.run(&["scan", "proj", "--config", "rules.toml", "--format", "json"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert_eq!(
        run.findings(),
        vec![("proj/app.py".to_string(), 1, "test-token".to_string())]
    );
    let skipped = &run.json()["skipped"];
    assert_eq!(skipped[0]["path"], "proj/.git", "{skipped}");
    assert_eq!(skipped[0]["reason"], "other");
    // Without findings, the unreadable history makes the scan incomplete.
    std::fs::write(d.path().join("proj/app.py"), "clean\n").expect("write");
    assert_eq!(d.run(&["scan", "proj", "--config", "rules.toml"]).code(), 3);
}

#[test]
fn staged_scans_the_index_not_the_working_tree() {
    let r = Repo::new();
    r.write("a.py", "a = 1\n");
    r.write("b.py", "b = 1\n");
    r.commit("base");
    // a.py: the secret is staged, then removed from the working tree (partial staging).
    r.write("a.py", &format!("a = \"{TOKEN}\"\n"));
    r.git(&["add", "a.py"]);
    r.write("a.py", "a = 1\n");
    // b.py: the secret is only in the working tree.
    r.write("b.py", &format!("b = \"{TOKEN2}\"\n"));
    let run = r.scan(&["--staged"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert_eq!(places(&run), vec![p("a.py", 1, "", 0)]);
    // GIT_INDEX_FILE names another index (git commit -a / git commit PATHS), relative to the
    // work-tree root.
    let tmp_index = r.work().join(".git/next-index-test.lock");
    std::fs::copy(r.work().join(".git/index"), &tmp_index).expect("copy index");
    let mut cmd = Command::new("git");
    r.env(&mut cmd);
    let st = cmd
        .args(["add", "b.py"])
        .current_dir(r.work())
        .env("GIT_INDEX_FILE", ".git/next-index-test.lock")
        .status()
        .expect("git add");
    assert!(st.success());
    let rules = r.rules();
    let other = r.leakscan_in(
        &r.work(),
        &["scan", "--staged", "--config", &rules, "--format", "json"],
        &[("GIT_INDEX_FILE", ".git/next-index-test.lock")],
    );
    assert_eq!(
        places(&other),
        vec![p("a.py", 1, "", 0), p("b.py", 1, "", 0)]
    );
    // Nothing staged: clean.
    r.git(&["reset", "-q"]);
    assert_eq!(r.scan(&["--staged"]).code(), 0);
}

/// A clone of a bare remote, with leakscan's pre-push hook installed.
fn pushing_repo() -> (Repo, PathBuf) {
    let r = Repo::new();
    r.write("README.md", "hello\n");
    r.commit("init");
    let remote = r.dir.path().join("remote.git");
    r.git_in(
        r.dir.path(),
        &["init", "-q", "--bare", remote.to_str().expect("utf-8")],
    );
    r.git(&["remote", "add", "origin", remote.to_str().expect("utf-8")]);
    r.git(&["push", "-q", "origin", "main"]);
    r.dir.write("work/.leakscan.toml", RULES);
    let install = r.leakscan_in(&r.work(), &["hook", "install"], &[]);
    assert_eq!(install.code(), 0, "{}", install.stderr());
    assert!(r.work().join(".git/hooks/pre-push").is_file());
    // The configuration file is untracked and stays out of the pushed commits.
    std::fs::write(r.work().join(".git/info/exclude"), ".leakscan.toml\n").expect("exclude");
    (r, remote)
}

fn push(r: &Repo, args: &[&str]) -> (bool, String) {
    let mut a = vec!["push"];
    a.extend_from_slice(args);
    let out = r.git_try(&r.work(), &a, None);
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn pre_push_blocks_leaks_allows_clean_and_ignores_what_the_remote_has() {
    let (r, _remote) = pushing_repo();
    // Clean commit: allowed.
    r.write("a.txt", "clean\n");
    r.commit("clean");
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(ok, "{out}");
    // A leaking commit: blocked, and the report names the file.
    r.write("leak.py", &format!("k = \"{TOKEN}\"\n"));
    r.commit("leak");
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(!ok, "push must be blocked:\n{out}");
    assert!(
        out.contains("leak.py:1:6 test-token") && out.contains("push blocked"),
        "{out}"
    );
    assert!(!out.contains(TOKEN), "the secret must be redacted:\n{out}");
    // The remote gets it anyway (--no-verify); later clean pushes are not blocked by it.
    let (ok, out) = push(&r, &["--no-verify", "origin", "main"]);
    assert!(ok, "{out}");
    r.write("b.txt", "clean\n");
    r.commit("clean 2");
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(ok, "already-pushed commits must not block:\n{out}");
    // A new branch whose commits the remote already has: silent.
    r.git(&["branch", "copy"]);
    let (ok, out) = push(&r, &["origin", "copy"]);
    assert!(ok, "{out}");
    assert!(!out.contains("test-token"), "{out}");
}

#[test]
fn pre_push_blocks_only_what_the_remote_does_not_hold_and_reads_the_baseline() {
    let (r, _remote) = pushing_repo();
    r.write("app.py", &format!("k = \"{TOKEN}\"\n"));
    r.commit("old leak");
    let (ok, out) = push(&r, &["--no-verify", "origin", "main"]);
    assert!(ok, "{out}");
    // Editing the file around the already-pushed secret (its line moves): allowed.
    r.write(
        "app.py",
        &format!("import os\n\nk = \"{TOKEN}\"\nprint(k)\n"),
    );
    r.commit("edit around");
    // --all-new reports every secret of the blobs the push sends, the old one too.
    let env = [
        ("PRE_COMMIT_FROM_REF", "origin/main"),
        ("PRE_COMMIT_TO_REF", "HEAD"),
    ];
    let hook = |extra: &[&str]| {
        let mut a = vec!["hook", "pre-push", "--from-env"];
        a.extend_from_slice(extra);
        r.leakscan_in(&r.work(), &a, &env)
    };
    assert_eq!(hook(&[]).code(), 0, "{}", hook(&[]).stdout());
    let all = hook(&["--all-new"]);
    assert_eq!(all.code(), 1, "{}", all.stderr());
    assert!(
        all.stdout().contains("app.py:3:6 test-token"),
        "{}",
        all.stdout()
    );
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(ok, "editing around a pushed secret must not block:\n{out}");
    // A new secret in that file: blocked, and only the new one is reported.
    r.write(
        "app.py",
        &format!("import os\n\nk = \"{TOKEN}\"\nj = \"{TOKEN2}\"\n"),
    );
    r.commit("new leak");
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(!ok, "a new secret must block:\n{out}");
    assert!(out.contains("app.py:4:6 test-token"), "{out}");
    assert!(
        !out.contains("app.py:3:"),
        "the old secret is not new:\n{out}"
    );
    r.git(&["reset", "-q", "--hard", "HEAD~1"]);
    // The old secret copied to a new path: blocked at that path.
    r.write("copy.py", &format!("k = \"{TOKEN}\"\n"));
    r.commit("copy");
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(!ok, "an old secret at a new path must block:\n{out}");
    assert!(out.contains("copy.py:1:6 test-token"), "{out}");
    assert!(!out.contains("app.py"), "{out}");
    // Accepted in the baseline (the default file at the repository root): allowed.
    let made = r.leakscan_in(
        &r.work(),
        &["baseline", "create", "-o", ".leakscan-baseline.json", "."],
        &[],
    );
    assert_eq!(made.code(), 0, "{}", made.stderr());
    r.commit("baseline");
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(ok, "a baselined secret must not block:\n{out}");
    // A secret that is not in it still blocks.
    r.write("more.py", &format!("k = \"{TOKEN2}\"\n"));
    r.commit("more");
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(!ok, "{out}");
    assert!(out.contains("more.py:1:6"), "{out}");
}

#[test]
fn pre_push_new_branch_force_push_delete_and_tags() {
    let (r, _remote) = pushing_repo();
    // New branch with a leaking commit: blocked.
    r.git(&["checkout", "-q", "-b", "topic"]);
    r.write("t.py", &format!("k = \"{TOKEN}\"\n"));
    r.commit("topic leak");
    let (ok, out) = push(&r, &["origin", "topic"]);
    assert!(!ok, "{out}");
    // Rewrite it clean and push the branch; then force-push a leaking rewrite: blocked.
    r.write("t.py", "k = 1\n");
    r.git(&["add", "-A"]);
    r.git(&["commit", "-q", "--amend", "-m", "topic clean"]);
    let (ok, out) = push(&r, &["origin", "topic"]);
    assert!(ok, "{out}");
    r.write("t.py", &format!("k = \"{TOKEN2}\"\n"));
    r.git(&["add", "-A"]);
    r.git(&["commit", "-q", "--amend", "-m", "topic rewritten"]);
    let (ok, out) = push(&r, &["--force", "origin", "topic"]);
    assert!(!ok, "force push of a leak must be blocked:\n{out}");
    // Several refs at once, one of them a leaking tag on a side commit: blocked.
    r.git(&["checkout", "-q", "main"]);
    r.git(&["checkout", "-q", "--detach"]);
    r.write("tag.py", &format!("k = \"{TOKEN}\"\n"));
    r.commit("tagged");
    r.git(&["tag", "-a", "v1", "-m", "v1"]);
    r.git(&["checkout", "-q", "main"]);
    let (ok, out) = push(&r, &["origin", "main", "refs/tags/v1"]);
    assert!(!ok, "{out}");
    // Deleting a branch sends nothing: allowed.
    let (ok, out) = push(&r, &["origin", "--delete", "topic"]);
    assert!(ok, "{out}");
    // Pushing to a URL (no remote-tracking refs for it): only new commits count.
    let url = r.dir.path().join("remote.git").display().to_string();
    r.write("c.txt", "clean\n");
    r.commit("clean");
    let (ok, out) = push(&r, &[&url, "main"]);
    assert!(ok, "{out}");
}

#[test]
fn hook_install_refuses_a_foreign_hook_and_honours_hooks_path() {
    let r = Repo::new();
    r.dir
        .write("work/.git/hooks/pre-push", "#!/bin/sh\nexit 0\n");
    let run = r.leakscan_in(&r.work(), &["hook", "install"], &[]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(run.stderr().contains("--force"), "{}", run.stderr());
    let forced = r.leakscan_in(&r.work(), &["hook", "install", "--force"], &[]);
    assert_eq!(forced.code(), 0, "{}", forced.stderr());
    assert!(r
        .work()
        .join(".git/hooks/pre-push.leakscan-backup")
        .is_file());
    r.git(&["config", "core.hooksPath", "my-hooks"]);
    let run = r.leakscan_in(&r.work(), &["hook", "install", "--pre-commit"], &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(r.work().join("my-hooks/pre-push").is_file());
    assert!(r.work().join("my-hooks/pre-commit").is_file());
    assert_eq!(r.git(&["rev-parse", "--git-path", "hooks"]), "my-hooks");
}

#[test]
fn a_blob_copied_where_the_rules_decide_otherwise_is_reported_there() {
    // A content rule for `.env` files only, and an allowlisted fixtures folder.
    let rules = format!(
        "{RULES}
[[rules]]
id = \"env-value\"
description = \"A value in a .env file\"
regex = '''(?m)^[A-Z_]+=([a-z0-9.]{{6,}})$'''
paths = [\"**/.env\"]
allow-paths = [\"**/.env.example\"]
confidence = \"high\"

[allow]
paths = [\"fixtures/**\"]
"
    );
    let r = Repo::with_rules(&rules);
    r.write("fixtures/sample.txt", &format!("k = {TOKEN}\n"));
    r.write(".env.example", "DB_HOST=db.acme.io\n");
    let first = r.commit("examples");
    let clean = r.scan(&["--no-worktree"]);
    assert_eq!(clean.code(), 0, "{}{}", clean.stdout(), clean.stderr());
    // In the working tree, an untracked copy under a name the rules treat otherwise is
    // scanned, though its content is a history blob.
    std::fs::create_dir_all(r.work().join("local")).expect("mkdir");
    std::fs::copy(r.work().join(".env.example"), r.work().join("local/.env")).expect("copy");
    assert_eq!(places(&r.scan(&[])), vec![p("local/.env", 1, "", 0)]);
    std::fs::remove_dir_all(r.work().join("local")).expect("rm");
    // The same two blobs under names the rules do not excuse.
    std::fs::copy(
        r.work().join("fixtures/sample.txt"),
        r.work().join("app.txt"),
    )
    .expect("copy");
    std::fs::copy(r.work().join(".env.example"), r.work().join(".env")).expect("copy");
    let copied = r.commit("copies");
    r.write("README.md", "readme\n");
    r.commit("unrelated");
    let run = r.scan(&["--no-worktree"]);
    assert_eq!(run.code(), 1, "{}{}", run.stdout(), run.stderr());
    let mut got = places(&run);
    got.sort();
    assert_eq!(
        got,
        vec![p(".env", 1, &copied, 1), p("app.txt", 1, &copied, 1)]
    );
    assert_ne!(first, copied);
}

/// A foreign pre-push hook: records that it ran and what git gave it on standard input, and
/// blocks the push while `$HOME/block-push` exists.
const FOREIGN_HOOK: &str = "#!/bin/sh\necho \"foreign $1\" >> \"$HOME/hook.log\"\ncat >> \"$HOME/hook.stdin\"\nif [ -e \"$HOME/block-push\" ]; then echo 'foreign hook says no' >&2; exit 1; fi\n";

#[test]
fn hooks_run_the_leakscan_on_path_chain_a_foreign_hook_and_uninstall_restores_it() {
    let r = Repo::new();
    r.write("README.md", "hello\n");
    r.commit("init");
    let remote = r.dir.path().join("remote.git");
    r.git_in(
        r.dir.path(),
        &["init", "-q", "--bare", remote.to_str().expect("utf-8")],
    );
    r.git(&["remote", "add", "origin", remote.to_str().expect("utf-8")]);
    r.dir.write("work/.leakscan.toml", RULES);
    std::fs::write(r.work().join(".git/info/exclude"), ".leakscan.toml\n").expect("exclude");
    let hook = r.work().join(".git/hooks/pre-push");
    r.dir.write("work/.git/hooks/pre-push", FOREIGN_HOOK);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let log = || std::fs::read_to_string(r.dir.path().join("hook.log")).unwrap_or_default();

    // Refused without --chain or --force; --chain keeps it.
    let run = r.leakscan_in(&r.work(), &["hook", "install"], &[]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(run.stderr().contains("--chain"), "{}", run.stderr());
    let run = r.leakscan_in(&r.work(), &["hook", "install", "--chain"], &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(run.stdout().contains("runs first"), "{}", run.stdout());
    let script = std::fs::read_to_string(&hook).expect("hook");
    assert!(
        !script.contains(&program().display().to_string()),
        "the hook must not name the binary that installed it:\n{script}"
    );

    // A clean push: both hooks run, the foreign one first with git's standard input.
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(ok, "{out}");
    assert_eq!(log(), "foreign origin\n");
    let stdin = std::fs::read_to_string(r.dir.path().join("hook.stdin")).unwrap_or_default();
    assert!(
        stdin.starts_with("refs/heads/main ")
            && stdin.ends_with(" 0000000000000000000000000000000000000000\n"),
        "{stdin:?}"
    );

    // A leak: the foreign hook passes, leakscan blocks.
    r.write("leak.py", &format!("k = \"{TOKEN}\"\n"));
    r.commit("leak");
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(
        !ok && out.contains("leak.py:1:6 test-token") && out.contains("push blocked"),
        "{out}"
    );
    assert_eq!(log().lines().count(), 2);
    // The foreign hook's own "no" stops the push before leakscan runs.
    r.dir.write("block-push", "");
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(!ok && out.contains("foreign hook says no"), "{out}");
    assert!(!out.contains("test-token"), "{out}");
    std::fs::remove_file(r.dir.path().join("block-push")).expect("rm");

    // leakscan moved away (upgraded, uninstalled, not on this PATH): a clear message, the
    // install command, and the push is blocked rather than waved through.
    let path: Vec<PathBuf> = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .filter(|d| !d.join("leakscan").exists())
        .collect();
    let mut cmd = Command::new("git");
    r.env(&mut cmd);
    let out = cmd
        .env("PATH", std::env::join_paths(path).expect("PATH"))
        .args(["push", "origin", "main"])
        .current_dir(r.work())
        .stdin(Stdio::null())
        .output()
        .expect("git push");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("leakscan is not on PATH")
            && err.contains("cargo install --locked leakscan")
            && err.contains("git push --no-verify"),
        "{err}"
    );
    // `hook install` says so when it writes a hook that will not find leakscan.
    let bare_path = std::env::join_paths(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .filter(|d| !d.join("leakscan").exists()),
    )
    .expect("PATH");
    let run = r.leakscan_in(
        &r.work(),
        &["hook", "install"],
        &[("PATH", bare_path.to_str().expect("utf-8"))],
    );
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(
        run.stderr().contains("warning: leakscan is not on PATH"),
        "{}",
        run.stderr()
    );
    // ... and $LEAKSCAN names it.
    let mut cmd = Command::new("git");
    r.env(&mut cmd);
    let out = cmd
        .env(
            "PATH",
            std::env::join_paths(
                std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
                    .filter(|d| !d.join("leakscan").exists()),
            )
            .expect("PATH"),
        )
        .env("LEAKSCAN", program())
        .args(["push", "origin", "main"])
        .current_dir(r.work())
        .stdin(Stdio::null())
        .output()
        .expect("git push");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("push blocked"),
        "{err}"
    );

    // A pre-commit hook beside it; then uninstall: leakscan's hooks go, the foreign one is back
    // byte for byte.
    let run = r.leakscan_in(&r.work(), &["hook", "install", "--pre-commit"], &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(
        run.stdout().contains("updated") && run.stdout().contains("installed"),
        "{}",
        run.stdout()
    );
    r.write("staged.py", &format!("k = \"{TOKEN2}\"\n"));
    r.git(&["add", "staged.py"]);
    let out = r.git_try(&r.work(), &["commit", "-qm", "staged leak"], None);
    assert!(
        !out.status.success(),
        "the pre-commit hook must block: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = r.leakscan_in(&r.work(), &["hook", "uninstall"], &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert_eq!(
        std::fs::read_to_string(&hook).ok().as_deref(),
        Some(FOREIGN_HOOK)
    );
    assert!(!r
        .work()
        .join(".git/hooks/pre-push.leakscan-chained")
        .exists());
    assert!(!r.work().join(".git/hooks/pre-commit").exists());
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(ok, "only the foreign hook is left: {out}");
}

#[test]
fn hook_install_upgrades_a_hook_that_named_an_old_binary() {
    let (r, _remote) = pushing_repo();
    // What leakscan 0.1 wrote: an absolute path that an upgrade or a move made stale.
    r.dir.write(
        "work/.git/hooks/pre-push",
        "#!/bin/sh\n# leakscan-hook v1: written by `leakscan hook install`; `git push --no-verify` skips it.\nexec '/nowhere/target/release/leakscan' hook pre-push \"$@\"\n",
    );
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(
        !ok && out.contains("/nowhere/target/release/leakscan"),
        "{out}"
    );
    let run = r.leakscan_in(&r.work(), &["hook", "install"], &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(run.stdout().contains("updated"), "{}", run.stdout());
    r.write("a.txt", "clean\n");
    r.commit("clean");
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(ok, "{out}");
}

/// The pre-commit hook says that the commit was blocked and how to override it, as the
/// pre-push check does.
#[test]
fn pre_commit_hook_says_the_commit_is_blocked() {
    let r = Repo::with_rules("");
    r.write("README.md", "hello\n");
    r.commit("first");
    let run = r.leakscan_in(&r.work(), &["hook", "install", "--pre-commit"], &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let token = crate::util::github_token("ghp", "k8Rw2pXq7LmZ4vB9nC3hJ6dF1gT5sY");
    r.write("app.conf", &format!("token = {token}\n"));
    r.git(&["add", "app.conf"]);
    let out = r.git_try(&r.work(), &["commit", "-q", "-m", "leak"], None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("leakscan: commit blocked:") && stderr.contains("--no-verify"),
        "{stderr}"
    );
    let out = r.git_try(
        &r.work(),
        &["commit", "-q", "--no-verify", "-m", "leak"],
        None,
    );
    assert!(out.status.success());
}

/// Finding paths: relative to the repository root however the root is spelled (`.`, an
/// absolute path, `..` from a subfolder), with or without history, in JSON and SARIF, and
/// in baselines; a plain folder's files relative to the current folder when under it.
#[test]
fn paths_are_relative_to_the_repository_root_whatever_its_spelling() {
    let r = Repo::new();
    r.write("a.py", &format!("a = \"{TOKEN}\"\n"));
    r.commit("one");
    r.write("sub/w.py", &format!("w = \"{TOKEN2}\"\n"));
    let rules = r.rules();
    let work = r.work();
    let abs = work.display().to_string();
    let outside = r.dir.path().to_path_buf();
    let sub = work.join("sub");
    let scan = |dir: &std::path::Path, args: &[&str]| {
        let mut a = vec!["scan", "--config", &rules, "--no-progress"];
        a.extend_from_slice(args);
        r.leakscan_in(dir, &a, &[])
    };
    let paths =
        |run: &Run| -> Vec<String> { run.findings().into_iter().map(|(p, _, _)| p).collect() };
    let both = vec!["a.py".to_string(), "sub/w.py".to_string()];
    for (dir, root) in [
        (&work, "."),
        (&outside, abs.as_str()),
        (&outside, "work"),
        (&sub, ".."),
        (&sub, abs.as_str()),
    ] {
        let run = scan(dir, &[root, "--format", "json"]);
        assert_eq!(paths(&run), both, "scan {root} from {}", dir.display());
        let run = scan(dir, &[root, "--format", "json", "--no-history"]);
        assert_eq!(paths(&run), both, "{root} --no-history");
    }
    // SARIF: relative URIs against %SRCROOT%, the repository root.
    let sarif = scan(&outside, &[&abs, "--format", "sarif"]).json();
    let run = &sarif["runs"][0];
    let base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap_or_default();
    assert!(
        base.starts_with("file://") && base.ends_with("/work/"),
        "{base}"
    );
    for res in run["results"].as_array().expect("results") {
        let loc = &res["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(loc["uriBaseId"], "%SRCROOT%", "{loc}");
        let uri = loc["uri"].as_str().unwrap_or_default();
        assert!(both.contains(&uri.to_string()), "{uri}");
    }
    // A baseline made from the absolute path accepts a scan of `.`, and the reverse.
    let b1 = outside.join("b1.json").display().to_string();
    let made = r.leakscan_in(
        &outside,
        &[
            "baseline",
            "create",
            "-o",
            &b1,
            &abs,
            "--config",
            &rules,
            "--no-progress",
        ],
        &[],
    );
    assert_eq!(made.code(), 0, "{}", made.stderr());
    for args in [
        vec![".", "--baseline", &b1],
        vec![".", "--baseline", &b1, "--no-history"],
    ] {
        let mut a = args.clone();
        a.extend(["--format", "json"]);
        let run = scan(&work, &a);
        assert_eq!(run.code(), 0, "{:?}: {:?}", args, paths(&run));
    }
    let b2 = outside.join("b2.json").display().to_string();
    let made = r.leakscan_in(
        &work,
        &[
            "baseline",
            "create",
            "-o",
            &b2,
            ".",
            "--config",
            &rules,
            "--no-progress",
        ],
        &[],
    );
    assert_eq!(made.code(), 0, "{}", made.stderr());
    for extra in [None, Some("--no-history")] {
        let mut a = vec![abs.as_str(), "--baseline", &b2, "--format", "json"];
        a.extend(extra);
        let run = scan(&outside, &a);
        assert_eq!(run.code(), 0, "{extra:?}: {:?}", paths(&run));
    }
    // A plain folder (not a repository's root): relative to the current folder when under
    // it, whether named relatively or absolutely; relative to itself when scanned from inside.
    let sub_abs = sub.display().to_string();
    for root in ["sub", sub_abs.as_str()] {
        let run = scan(&work, &[root, "--format", "json"]);
        assert_eq!(paths(&run), vec!["sub/w.py".to_string()], "{root}");
    }
    assert_eq!(
        paths(&scan(&sub, &[".", "--format", "json"])),
        vec!["w.py".to_string()]
    );
    assert_eq!(
        paths(&scan(&sub, &["w.py", "--format", "json"])),
        vec!["w.py".to_string()]
    );
    let run = scan(&sub, &["../a.py", "--format", "json"]);
    assert_eq!(paths(&run), vec!["../a.py".to_string()]);
}

/// A directory large enough that the history walk compares each new version with the last
/// one walked at its path, changed by every commit: first places, other places and the blobs
/// found are those of a walk that looks at every entry, packed or loose.
#[test]
fn large_directories_changed_by_every_commit_keep_first_and_other_places() {
    let r = Repo::new();
    let names: Vec<String> = (0..40)
        .map(|i| format!("big/file-number-{i:02}-with-a-rather-long-name.txt"))
        .collect();
    for n in &names {
        r.write(n, "plain\n");
    }
    r.commit("many files");
    r.write("big/secret.env", &format!("KEY = \"{TOKEN}\"\n"));
    let added = r.commit("add a secret");
    r.write(&names[0], "changed\n");
    r.write("big/copy.env", &format!("KEY = \"{TOKEN}\"\n"));
    r.commit("copy it");
    r.write(&names[1], "changed\n");
    std::fs::remove_file(r.work().join("big/copy.env")).expect("rm");
    r.commit("drop the copy");
    r.write(&names[2], "changed\n");
    r.write("big/copy.env", &format!("KEY = \"{TOKEN}\"\n"));
    r.commit("the copy again, same path");
    r.git(&["mv", "big/secret.env", "big/renamed.env"]);
    r.write(&names[3], "changed\n");
    r.commit("rename it");
    r.write("big/other.env", &format!("KEY = \"{TOKEN2}\"\n"));
    let second = r.commit("another secret");
    let loose = r.scan(&[]);
    assert_eq!(loose.code(), 1, "{}", loose.stderr());
    assert_eq!(
        places(&loose),
        vec![
            p("big/other.env", 1, &second, 0),
            p("big/secret.env", 1, &added, 2),
        ]
    );
    r.git(&["repack", "-adq"]);
    let packed = r.scan(&[]);
    assert_eq!(places(&packed), places(&loose), "{}", packed.stderr());
}

/// Replace refs (`git replace`) do not stop a scan: gix refuses pack locations while they are
/// honoured, which once panicked while ordering the blobs to read.
#[test]
fn a_replace_ref_does_not_stop_the_scan() {
    let r = Repo::new();
    r.write("a.txt", "one\n");
    r.commit("one");
    r.write("app/config.py", &format!("KEY = \"{TOKEN}\"\n"));
    r.commit("secret");
    r.git(&["repack", "-adq"]);
    let a = r.git(&["rev-parse", "HEAD:a.txt"]);
    let b = r.git(&["rev-parse", "HEAD:app/config.py"]);
    r.git(&["replace", a.trim(), b.trim()]);
    let run = r.scan(&[]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert!(!run.stderr().contains("panicked"), "{}", run.stderr());
}

/// The README's adoption path with the built-in rules: a committed `.leakscan-baseline.json`
/// (whose keyed digests look like assigned secrets to a generic rule) is read by default and
/// never reported itself, from the working tree or from history.
#[test]
fn committed_default_baseline_is_read_and_never_reported() {
    let r = Repo::new();
    let key = format!("AKIA{}", "Q3EGUAYKJ2XWLM7P");
    r.write("settings.py", &format!("aws_key = \"{key}\"\n"));
    r.commit("old key");
    let builtin = |args: &[&str]| {
        let mut a = args.to_vec();
        a.extend(["--no-progress", "--format", "json"]);
        r.leakscan_in(&r.work(), &a, &[])
    };
    let before = builtin(&["scan", "."]);
    assert_eq!(before.code(), 1, "{}", before.stderr());
    let made = r.leakscan_in(
        &r.work(),
        &[
            "baseline",
            "create",
            "-o",
            ".leakscan-baseline.json",
            ".",
            "--no-progress",
        ],
        &[],
    );
    assert_eq!(made.code(), 0, "{}", made.stderr());
    r.commit("baseline");
    let run = builtin(&["scan", "."]);
    assert_eq!(run.code(), 0, "{:?}", run.findings());
    let run = builtin(&["scan", ".", "--range", "HEAD~1..HEAD"]);
    assert_eq!(run.code(), 0, "{:?}", run.findings());
    // Without the default baseline (--no-repo-config), the old key is reported again.
    let run = builtin(&["scan", ".", "--no-repo-config"]);
    assert_eq!(run.code(), 1);
    let paths: Vec<String> = run.findings().into_iter().map(|(p, _, _)| p).collect();
    assert!(paths.contains(&"settings.py".to_string()), "{paths:?}");
    // ... but the baseline file itself, unread, is still not scanned: its keyed digests are
    // not secrets (the Action's pull-request scan runs with --no-repo-config).
    assert!(
        !paths.iter().any(|p| p.contains(".leakscan-baseline.json")),
        "{paths:?}"
    );
    let run = builtin(&["scan", ".", "--no-repo-config", "--range", "HEAD~1..HEAD"]);
    assert_eq!(run.code(), 0, "{:?}", run.findings());
}
