//! Test harness: temporary folders with files, and the leakscan binary run as a scenario.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The binary under test: `LEAKSCAN_TEST_PROGRAM` (e.g. a release build) or cargo's.
pub fn program() -> PathBuf {
    std::env::var_os("LEAKSCAN_TEST_PROGRAM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_leakscan")))
}

/// The repository root (for fixtures/).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary folder that files can be written into.
pub struct Dir {
    pub tmp: tempfile::TempDir,
}

impl Dir {
    pub fn new() -> Dir {
        Dir {
            tmp: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path().join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, content).expect("write");
        p
    }

    /// Runs leakscan with `args` in this folder.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_stdin(args, None)
    }

    /// Runs leakscan with `args` in this folder, feeding `stdin`.
    pub fn run_stdin(&self, args: &[&str], stdin: Option<&[u8]>) -> Run {
        self.run_full(args, stdin, &[])
    }

    /// Runs leakscan with `args` and extra environment variables in this folder.
    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        self.run_full(args, None, env)
    }

    pub fn run_full(&self, args: &[&str], stdin: Option<&[u8]>, env: &[(&str, &str)]) -> Run {
        let mut cmd = Command::new(program());
        cmd.args(args)
            .current_dir(self.path())
            .env_remove("LEAKSCAN_CONFIG")
            .env_remove("LEAKSCAN_FAIL_ON")
            .env_remove("LEAKSCAN_MARKER_KEY")
            .env_remove("GITLEAKS_CONFIG")
            .env_remove("GITLEAKS_CONFIG_TOML")
            .env("NO_COLOR", "1")
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .envs(env.iter().copied());
        let mut child = cmd.spawn().expect("spawn leakscan");
        if let Some(input) = stdin {
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(input)
                .expect("write stdin");
        }
        Run(child.wait_with_output().expect("wait"))
    }
}

/// The outcome of one run.
pub struct Run(pub Output);

impl Run {
    pub fn code(&self) -> i32 {
        self.0.status.code().unwrap_or(-1)
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.0.stdout).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout(),
                self.stderr()
            )
        })
    }
    /// `(location, line, rule_id)` of every finding of a JSON report.
    pub fn findings(&self) -> Vec<(String, u64, String)> {
        self.json()["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| {
                (
                    f["location"].as_str().unwrap_or_default().to_string(),
                    f["line"].as_u64().unwrap_or_default(),
                    f["rule_id"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    }
}

/// Builds a GitHub-style token with a valid CRC32 checksum from 30 characters.
pub fn github_token(prefix: &str, random30: &str) -> String {
    leakscan::matcher::checksum::github_token(prefix, random30)
}

/// A self-contained rule file (no built-in pack) with one high-confidence rule, `test-token`,
/// so tests that assert exact findings do not move with the pack.
pub const TEST_RULES: &str = r#"
[extend]
builtin = false

[[rules]]
id = "test-token"
description = "Test token"
regex = '''\b(tt_[a-z0-9]{24})\b'''
keywords = ["tt_"]
entropy = 3.0
confidence = "high"
examples = ["x = tt_k3j4h5g6f7d8s9a0q1w2e3r4"]
counter-examples = ["x = tt_aaaaaaaaaaaaaaaaaaaaaaaa"]
"#;

/// `TEST_RULES` with more fields in its `test-token` rule (`severity = "high"`, ...) and
/// more rules after it.
pub fn test_rules_with(fields: &str, more_rules: &str) -> String {
    let at = TEST_RULES
        .find("examples = ")
        .expect("TEST_RULES has examples");
    format!(
        "{}{}\n{}{}",
        &TEST_RULES[..at],
        fields.trim_end(),
        &TEST_RULES[at..],
        more_rules
    )
}

/// A fake secret that `TEST_RULES` reports.
pub const TOKEN: &str = "tt_k3j4h5g6f7d8s9a0q1w2e3r4";
