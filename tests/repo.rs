//! A git repository built with the git command line for tests: no system or global
//! configuration (HOME is the temporary folder), fixed identities, one hour between commits.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::util::{program, Dir, Run, TEST_RULES};

/// A temporary folder with the rule file outside any repository, and git commands run with a
/// fixed environment.
pub struct Repo {
    pub dir: Dir,
    /// Commits made so far, for distinct dates.
    pub tick: std::cell::Cell<u64>,
}

impl Repo {
    /// An empty repository at `<tmp>/work` with `main` as its branch.
    pub fn new() -> Repo {
        Repo::with_rules(TEST_RULES)
    }

    /// An empty repository whose `rules.toml` (outside the repository) holds `rules`.
    pub fn with_rules(rules: &str) -> Repo {
        let r = Repo {
            dir: Dir::new(),
            tick: std::cell::Cell::new(0),
        };
        r.dir.write("rules.toml", rules);
        std::fs::create_dir_all(r.work()).expect("mkdir");
        r.git(&["init", "-q", "-b", "main"]);
        r
    }

    pub fn work(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    pub fn rules(&self) -> String {
        self.dir.path().join("rules.toml").display().to_string()
    }

    pub fn env(&self, cmd: &mut Command) {
        let t = 1_700_000_000 + 3600 * self.tick.get();
        // The hooks that `leakscan hook install` writes run the leakscan on PATH: the one
        // under test comes first.
        let mut path = vec![program()
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()];
        path.extend(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        ));
        cmd.env_clear()
            .env("PATH", std::env::join_paths(path).unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Ada Author")
            .env("GIT_AUTHOR_EMAIL", "ada@example.com")
            .env("GIT_COMMITTER_NAME", "Cy Committer")
            .env("GIT_COMMITTER_EMAIL", "cy@example.com")
            .env("GIT_AUTHOR_DATE", format!("{t} +0000"))
            .env("GIT_COMMITTER_DATE", format!("{t} +0000"))
            .env("NO_COLOR", "1");
    }

    /// Runs git in `dir` and returns its trimmed standard output; panics on failure.
    pub fn git_in(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.git_try(dir, args, None);
        assert!(
            out.status.success(),
            "git {args:?} failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    pub fn git_try(&self, dir: &Path, args: &[&str], stdin: Option<&str>) -> std::process::Output {
        let mut cmd = Command::new("git");
        self.env(&mut cmd);
        cmd.args(args)
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd.stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        let mut child = cmd.spawn().expect("git");
        if let Some(s) = stdin {
            use std::io::Write;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(s.as_bytes())
                .expect("stdin");
        }
        child.wait_with_output().expect("git")
    }

    pub fn git(&self, args: &[&str]) -> String {
        self.git_in(&self.work(), args)
    }

    pub fn write(&self, rel: &str, content: &str) {
        self.dir.write(&format!("work/{rel}"), content);
    }

    /// Stages everything and commits; returns the commit id.
    pub fn commit(&self, msg: &str) -> String {
        self.tick.set(self.tick.get() + 1);
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", msg]);
        self.git(&["rev-parse", "HEAD"])
    }

    /// Runs leakscan in `dir` with extra environment.
    pub fn leakscan_in(&self, dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> Run {
        let mut cmd = Command::new(program());
        self.env(&mut cmd);
        cmd.args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in envs {
            cmd.env(k, v);
        }
        Run(cmd.output().expect("leakscan"))
    }

    /// `leakscan scan work --config rules.toml --format json ARGS`, from the temp folder.
    pub fn scan(&self, args: &[&str]) -> Run {
        let rules = self.rules();
        let mut a = vec![
            "scan",
            ".",
            "--config",
            &rules,
            "--format",
            "json",
            "--no-progress",
        ];
        a.extend_from_slice(args);
        self.leakscan_in(&self.work(), &a, &[])
    }
}

impl Repo {
    /// The path of a file of the temporary folder (beside `work/`).
    pub fn file(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    /// Runs leakscan in the repository with extra environment.
    pub fn leakscan_env(&self, args: &[&str], envs: &[(&str, &str)]) -> Run {
        self.leakscan_in(&self.work(), args, envs)
    }

    /// `leakscan scan . --config <config> --format json --no-progress ARGS` in the repository.
    pub fn scan_with(&self, config: &str, args: &[&str]) -> Run {
        let cfg = self.file(config);
        let mut a = vec![
            "scan",
            ".",
            "--config",
            &cfg,
            "--format",
            "json",
            "--no-progress",
        ];
        a.extend_from_slice(args);
        self.leakscan_env(&a, &[])
    }
}
