//! `leakscan scan <git URL>`: a temporary bare clone, scanned like a repository in place, and
//! removed afterwards (also on error and Ctrl-C); credentials in URLs never shown.

#![allow(clippy::print_stderr)] // the git daemon test says why it skips

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::repo::Repo;
use crate::util::{program, Run, TOKEN};

/// A repository with a secret in its history (removed at the tip) and a bare copy beside it.
fn repo_with_bare() -> (Repo, PathBuf) {
    let r = Repo::new();
    r.write("app/config.py", &format!("TOKEN = \"{TOKEN}\"\n"));
    r.commit("add config");
    r.write("app/config.py", "TOKEN = None\n");
    r.commit("remove the token");
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("notes.txt", &format!("again {TOKEN}\n"));
    r.commit("on a branch");
    r.git(&["checkout", "-q", "main"]);
    let bare = r.dir.path().join("bare.git");
    r.git(&["clone", "-q", "--bare", ".", &bare.display().to_string()]);
    (r, bare)
}

fn tmp_dir(r: &Repo) -> PathBuf {
    let t = r.dir.path().join("tmp");
    std::fs::create_dir_all(&t).expect("tmp");
    t
}

/// Runs leakscan from the temporary folder with TMPDIR set to `tmp`.
fn leakscan(r: &Repo, tmp: &Path, args: &[&str]) -> Run {
    let tmp = tmp.display().to_string();
    r.leakscan_in(r.dir.path(), args, &[("TMPDIR", tmp.as_str())])
}

fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn json_scan<'a>(rules: &'a str, target: &'a str) -> Vec<&'a str> {
    vec![
        "scan",
        target,
        "--config",
        rules,
        "--format",
        "json",
        "--no-progress",
    ]
}

#[test]
fn file_url_gives_the_findings_of_the_bare_repository_and_leaves_nothing() {
    let (r, bare) = repo_with_bare();
    let tmp = tmp_dir(&r);
    let rules = r.rules();
    let local = bare.display().to_string();
    let url = format!("file://{local}");
    let in_place = leakscan(&r, &tmp, &json_scan(&rules, &local));
    let remote = leakscan(&r, &tmp, &json_scan(&rules, &url));
    assert_eq!(in_place.code(), 1, "{}", in_place.stderr());
    assert_eq!(remote.code(), 1, "{}", remote.stderr());
    let (a, b) = (in_place.json(), remote.json());
    assert_eq!(a["findings"], b["findings"]);
    assert_eq!(a["skipped"], b["skipped"]);
    // Both branches' history, paths as in the repository.
    let mut where_: Vec<String> = remote
        .findings()
        .into_iter()
        .map(|(loc, _, _)| loc)
        .collect();
    where_.sort();
    assert_eq!(where_, ["app/config.py", "notes.txt"]);
    assert!(
        remote
            .stderr()
            .contains(&format!("cloned {url} into a temporary bare repository")),
        "{}",
        remote.stderr()
    );
    assert!(!remote.stderr().contains(&tmp.display().to_string()));
    assert_eq!(
        entries(&tmp),
        Vec::<String>::new(),
        "a clone was left behind"
    );
}

#[test]
fn clone_failures_are_errors_that_show_no_credentials_and_leave_nothing() {
    let (r, _) = repo_with_bare();
    let tmp = tmp_dir(&r);
    let rules = r.rules();
    // Nothing listens on port 1 of the loopback address: the clone fails at once.
    for url in [
        "https://alice:s3cretTOKEN99@127.0.0.1:1/team/repo.git",
        "https://s3cretTOKEN99@127.0.0.1:1/team/repo.git",
        "http://alice:s3cretTOKEN99@127.0.0.1:1/team/repo.git?private_token=s3cretTOKEN99",
    ] {
        for format in ["text", "json", "sarif", "html"] {
            let run = leakscan(
                &r,
                &tmp,
                &["scan", url, "--config", &rules, "--format", format],
            );
            assert_eq!(run.code(), 2, "{url}: {}", run.stderr());
            let all = format!("{}{}", run.stdout(), run.stderr());
            assert!(!all.contains("s3cretTOKEN99"), "{url} {format}: {all}");
            assert!(
                run.stderr().contains("cannot clone http")
                    && run.stderr().contains("***@127.0.0.1:1/team/repo.git"),
                "{}",
                run.stderr()
            );
        }
    }
    let missing = format!("file://{}/nope.git", r.dir.path().display());
    let run = leakscan(&r, &tmp, &["scan", &missing, "--config", &rules]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(
        run.stderr().contains("cannot clone file://"),
        "{}",
        run.stderr()
    );
    // A clone has no working tree.
    let url = format!("file://{}", r.dir.path().join("bare.git").display());
    let run = leakscan(&r, &tmp, &["scan", &url, "--no-history"]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(run.stderr().contains("--no-history"), "{}", run.stderr());
    assert_eq!(
        entries(&tmp),
        Vec::<String>::new(),
        "a clone was left behind"
    );
}

/// A `git daemon` on the loopback address, stopped on drop.
struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

#[test]
fn git_daemon_url_is_cloned_and_scanned() {
    let available = Command::new("git")
        .args(["daemon", "--help"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !available {
        eprintln!("SKIPPED git_daemon_url_is_cloned_and_scanned: `git daemon` is not available (install git's daemon, e.g. Debian's git-daemon-run)");
        return;
    }
    let (r, bare) = repo_with_bare();
    let tmp = tmp_dir(&r);
    let base = r.dir.path().display().to_string();
    let port = free_port();
    let mut cmd = Command::new("git");
    r.env(&mut cmd);
    let daemon = Daemon(
        cmd.args([
            "daemon",
            "--reuseaddr",
            "--export-all",
            "--informative-errors",
            "--listen=127.0.0.1",
            &format!("--port={port}"),
            &format!("--base-path={base}"),
            &base,
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("git daemon"),
    );
    let url = format!("git://127.0.0.1:{port}/bare.git");
    // Ready when it accepts connections (at most 10 s).
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "git daemon did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let rules = r.rules();
    let remote = leakscan(&r, &tmp, &json_scan(&rules, &url));
    let local = bare.display().to_string();
    let in_place = leakscan(&r, &tmp, &json_scan(&rules, &local));
    drop(daemon);
    assert_eq!(remote.code(), 1, "{}", remote.stderr());
    assert_eq!(remote.json()["findings"], in_place.json()["findings"]);
    assert_eq!(remote.findings().len(), 2);
    assert_eq!(
        entries(&tmp),
        Vec::<String>::new(),
        "a clone was left behind"
    );
}

/// The git on PATH, for the slow stand-in below.
fn real_git() -> PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join("git"))
        .find(|p| p.is_file())
        .expect("git on PATH")
}

#[cfg(unix)]
#[test]
fn ctrl_c_during_a_remote_scan_removes_the_clone() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;

    let (r, bare) = repo_with_bare();
    let tmp = tmp_dir(&r);
    // A git that clones, says so, and then takes its time: Ctrl-C lands while leakscan waits.
    let bin = r.dir.path().join("slowbin");
    std::fs::create_dir_all(&bin).expect("bin");
    let mark = r.dir.path().join("cloned");
    let script = format!(
        "#!/bin/sh\n\"{}\" \"$@\" || exit $?\n: > \"{}\"\nexec sleep 30\n",
        real_git().display(),
        mark.display()
    );
    let git = bin.join("git");
    std::fs::write(&git, script).expect("script");
    std::fs::set_permissions(&git, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let mut cmd = Command::new(program());
    r.env(&mut cmd);
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let url = format!("file://{}", bare.display());
    let mut child = cmd
        .args(["scan", &url, "--config", &r.rules(), "--no-progress"])
        .env("PATH", path)
        .env("TMPDIR", &tmp)
        .current_dir(r.dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        // Its own process group, as a terminal's foreground job: Ctrl-C reaches every member.
        .process_group(0)
        .spawn()
        .expect("leakscan");
    let start = Instant::now();
    while !mark.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the clone did not finish"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let clones = entries(&tmp);
    assert_eq!(clones.len(), 1, "{clones:?}");
    assert!(clones[0].starts_with("leakscan-remote-"), "{clones:?}");
    let status = Command::new("kill")
        .args(["-INT", "--", &format!("-{}", child.id())])
        .status()
        .expect("kill");
    assert!(status.success());
    let start = Instant::now();
    let code = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s.code();
        }
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("leakscan did not stop on Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(code, Some(130));
    assert_eq!(
        entries(&tmp),
        Vec::<String>::new(),
        "the clone was left behind"
    );
}
