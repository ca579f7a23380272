//! Remote repositories for audits: `leakscan scan <git URL>` clones the repository into a
//! temporary bare repository with the git command line, the scan reads its whole history like
//! any bare repository (paths are the repository's own), and the clone is removed afterwards:
//! when the [`Remotes`] holding it is dropped (success, error or panic), and on Ctrl-C,
//! SIGTERM or SIGHUP by a signal handler that removes every clone still registered before
//! exiting with status 130.
//!
//! URLs: `https://`, `http://`, `ssh://`, `git://`, `file://` (and git's `git+ssh://`), and
//! scp-like `user@host:path`. Credentials in a URL (`https://user:token@host/...`) are never
//! shown: every message goes through [`RemoteUrl::shown`] and [`Remotes::scrub`], which
//! replace the URL and its user information, in raw and percent-decoded form.

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Mutex, Once};

/// Why a remote repository could not be scanned.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// No temporary folder could be made.
    #[error("cannot make a temporary folder for the clone of {url}: {detail}")]
    Temp {
        /// The URL, credentials hidden.
        url: String,
        /// The error.
        detail: String,
    },
    /// `git` could not be started.
    #[error("cannot run git to clone {url} (is git installed and on PATH?): {detail}")]
    NoGit {
        /// The URL, credentials hidden.
        url: String,
        /// The error.
        detail: String,
    },
    /// `git clone` failed.
    #[error("cannot clone {url}: {detail}")]
    Clone {
        /// The URL, credentials hidden.
        url: String,
        /// git's message, credentials hidden.
        detail: String,
    },
    /// An option that makes no sense for a clone.
    #[error("{0}")]
    Unsupported(String),
}

/// A git URL given where a path was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteUrl {
    raw: String,
    /// User information that may hold a credential (`user:token`, or the whole user
    /// information of an http(s) URL, where a token often stands alone).
    secret: Option<String>,
    shown: String,
}

const SCHEMES: [&str; 7] = [
    "https://",
    "http://",
    "ssh://",
    "git://",
    "file://",
    "git+ssh://",
    "ssh+git://",
];

impl RemoteUrl {
    /// The URL if `arg` is one (a scheme git clones, or scp-like `user@host:path` that is not
    /// an existing path), else `None`.
    pub fn parse(arg: &OsStr) -> Option<RemoteUrl> {
        let s = arg.to_str()?;
        let lower = s.to_ascii_lowercase();
        if let Some(scheme) = SCHEMES.iter().find(|p| lower.starts_with(*p)) {
            return Some(RemoteUrl::with_scheme(s, scheme.len()));
        }
        if is_scp_like(s) && std::fs::symlink_metadata(s).is_err() {
            return Some(RemoteUrl {
                raw: s.to_string(),
                secret: None,
                shown: s.to_string(),
            });
        }
        None
    }

    fn with_scheme(s: &str, prefix: usize) -> RemoteUrl {
        let (scheme, rest) = s.split_at(prefix);
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        // A query may carry a token too (`?access_token=`): hidden whole.
        let tail_shown = match tail.find('?') {
            Some(q) => format!("{}?***", &tail[..q]),
            None => tail.to_string(),
        };
        let http = scheme.to_ascii_lowercase().starts_with("http");
        let (secret, authority_shown) = match authority.rfind('@') {
            Some(at) => {
                let (userinfo, host) = (&authority[..at], &authority[at + 1..]);
                match userinfo.split_once(':') {
                    Some((user, _)) if !http => {
                        (Some(userinfo.to_string()), format!("{user}:***@{host}"))
                    }
                    _ if http => (Some(userinfo.to_string()), format!("***@{host}")),
                    _ => (None, authority.to_string()),
                }
            }
            None => (None, authority.to_string()),
        };
        RemoteUrl {
            raw: s.to_string(),
            secret: secret.filter(|s| !s.is_empty()),
            shown: format!("{scheme}{authority_shown}{tail_shown}"),
        }
    }

    /// The URL as messages show it: credentials and queries replaced by `***`.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Hides this URL's credentials in `text` (git's messages, error chains).
    pub fn scrub(&self, text: &str) -> String {
        let mut t = text.replace(&self.raw, &self.shown);
        if let Some(secret) = &self.secret {
            let decoded = percent_encoding::percent_decode_str(secret)
                .decode_utf8_lossy()
                .into_owned();
            for part in [secret.as_str(), decoded.as_str()]
                .into_iter()
                .flat_map(|s| {
                    // The whole user information, and the password alone.
                    [Some(s), s.split_once(':').map(|(_, p)| p)]
                })
                .flatten()
                .filter(|p| p.len() >= 3)
            {
                t = t.replace(part, "***");
            }
        }
        t
    }
}

/// `user@host:path`, git's scp-like syntax: no slash before the colon, a user and a host.
fn is_scp_like(s: &str) -> bool {
    let Some(colon) = s.find(':') else {
        return false;
    };
    let (before, path) = (&s[..colon], &s[colon + 1..]);
    let Some((user, host)) = before.split_once('@') else {
        return false;
    };
    let word = |w: &str, extra: &str| {
        !w.is_empty()
            && w.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c) || extra.contains(c))
    };
    word(user, "+") && word(host, "[]") && !path.is_empty() && !path.starts_with("//")
}

/// Clones alive in this process. The lock is held while a clone folder is made and
/// registered, while one is removed, and by the signal handler until the process exits, so that
/// the handler never exits in the middle of a removal, nor misses a folder just made.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static HANDLER: Once = Once::new();

fn live() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn install_handler() {
    HANDLER.call_once(|| {
        // Another handler (set by an embedding program) wins; the clones are then removed
        // only by `Drop`.
        let _ = ctrlc::try_set_handler(|| {
            let live = live();
            for dir in live.iter() {
                let _ = std::fs::remove_dir_all(dir);
            }
            std::process::exit(130);
        });
    });
}

#[cfg(unix)]
fn killed_by_signal(status: &std::process::ExitStatus) -> bool {
    use std::os::unix::process::ExitStatusExt;
    status.signal().is_some()
}

#[cfg(not(unix))]
fn killed_by_signal(_: &std::process::ExitStatus) -> bool {
    false
}

/// One cloned repository.
#[derive(Debug)]
pub struct Cloned {
    /// The URL it came from.
    pub url: RemoteUrl,
    /// The temporary folder, removed on drop.
    dir: PathBuf,
    /// The bare repository inside it.
    pub repo: PathBuf,
}

impl Drop for Cloned {
    fn drop(&mut self) {
        let mut live = live();
        let _ = std::fs::remove_dir_all(&self.dir);
        live.retain(|p| p != &self.dir);
    }
}

/// Clones `url` into a new temporary bare repository.
pub fn clone(url: &RemoteUrl) -> Result<Cloned, RemoteError> {
    install_handler();
    let dir = {
        let mut live = live();
        let dir = tempfile::Builder::new()
            .prefix("leakscan-remote-")
            .tempdir()
            .map_err(|e| RemoteError::Temp {
                url: url.shown().to_string(),
                detail: e.to_string(),
            })?
            .keep();
        let dir = dir.canonicalize().unwrap_or(dir);
        live.push(dir.clone());
        dir
    };
    let repo = dir.join("repo.git");
    let mut clone = Cloned {
        url: url.clone(),
        dir,
        repo,
    };
    let out = Command::new("git")
        // No prompt for a password or a passphrase: a scan must not hang on one.
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GCM_INTERACTIVE", "never")
        .args(["clone", "--bare", "--quiet", "--"])
        .arg(&url.raw)
        .arg(&clone.repo)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| RemoteError::NoGit {
            url: url.shown().to_string(),
            detail: url.scrub(&e.to_string()),
        })?;
    if !out.status.success() {
        if killed_by_signal(&out.status) {
            // Ctrl-C reaches git and leakscan together: give the handler, which removes the
            // clone and exits 130, the time to run before this is reported as a failure.
            std::thread::sleep(std::time::Duration::from_secs(2));
        }
        let msg = String::from_utf8_lossy(&out.stderr);
        let msg = msg.trim();
        let detail = if msg.is_empty() {
            format!("git clone exited with {}", out.status)
        } else {
            msg.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        };
        return Err(RemoteError::Clone {
            url: url.shown().to_string(),
            detail: clone.scrub(&detail),
        });
    }
    // The clone's own path is replaced by the URL in what the scan says.
    if let Ok(c) = clone.repo.canonicalize() {
        clone.repo = c;
    }
    Ok(clone)
}

impl Cloned {
    /// Replaces the clone's path and the URL's credentials in `text`.
    pub fn scrub(&self, text: &str) -> String {
        let mut t = self.url.scrub(text);
        for p in [self.repo.as_path(), self.dir.as_path()] {
            let shown = p.display().to_string();
            if !shown.is_empty() {
                t = t.replace(&shown, self.url.shown());
            }
        }
        t
    }
}

/// The clones of one command line, kept until the scan is over.
#[derive(Debug, Default)]
pub struct Remotes {
    clones: Vec<Cloned>,
}

impl Remotes {
    /// Clones every URL among `paths` and returns the paths to scan, each URL replaced by its
    /// clone. `history` is false when the command line asked for no history (`--no-history`,
    /// `--staged`), which a clone cannot honour.
    pub fn prepare(
        paths: &[PathBuf],
        history: bool,
    ) -> Result<(Remotes, Vec<PathBuf>), RemoteError> {
        let mut remotes = Remotes::default();
        let mut out = Vec::with_capacity(paths.len());
        for p in paths {
            match RemoteUrl::parse(p.as_os_str()) {
                Some(url) => {
                    if !history {
                        return Err(RemoteError::Unsupported(format!(
                            "{}: a repository URL is scanned through its history; --no-history and --staged need a local working tree",
                            url.shown()
                        )));
                    }
                    let c = clone(&url)?;
                    out.push(c.repo.clone());
                    remotes.clones.push(c);
                }
                None => out.push(p.clone()),
            }
        }
        Ok((remotes, out))
    }

    /// True when nothing was cloned.
    pub fn is_empty(&self) -> bool {
        self.clones.is_empty()
    }

    /// Notes for the report: what was cloned.
    pub fn notes(&self) -> Vec<String> {
        self.clones
            .iter()
            .map(|c| {
                format!(
                    "cloned {} into a temporary bare repository, removed after the scan",
                    c.url.shown()
                )
            })
            .collect()
    }

    /// Hides every clone's path and every URL's credentials in `text`.
    pub fn scrub(&self, text: &str) -> String {
        self.clones
            .iter()
            .fold(text.to_string(), |t, c| c.scrub(&t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Option<RemoteUrl> {
        RemoteUrl::parse(OsStr::new(s))
    }

    #[test]
    fn recognises_urls() {
        for s in [
            "https://example.com/a/b.git",
            "HTTP://example.com/a",
            "ssh://git@example.com:2222/a.git",
            "git://127.0.0.1:9418/repo.git",
            "file:///srv/git/repo.git",
            "git@example.com:team/repo.git",
            "git+ssh://example.com/a.git",
        ] {
            assert!(url(s).is_some(), "{s}");
        }
        for s in [
            ".", "src", "/tmp/x", "C:dir", "a:b", "./x@y:z", "http:/x", "-",
        ] {
            assert!(url(s).is_none(), "{s}");
        }
    }

    #[test]
    fn credentials_are_hidden() {
        let u = url("https://alice:tok_ABC123%21@example.com/r.git").expect("url");
        assert_eq!(u.shown(), "https://***@example.com/r.git");
        let msg = "fatal: unable to access 'https://alice:tok_ABC123%21@example.com/r.git/': tok_ABC123! rejected";
        let s = u.scrub(msg);
        assert!(!s.contains("tok_ABC123"), "{s}");
        assert!(!s.contains("alice:"), "{s}");
        // A token alone as the user of an http URL.
        let u = url("https://ghp_abcdefgh@example.com/r.git").expect("url");
        assert_eq!(u.shown(), "https://***@example.com/r.git");
        assert_eq!(u.scrub("x ghp_abcdefgh y"), "x *** y");
        // ssh: the user is a login name, the password is hidden.
        assert_eq!(
            url("ssh://git@example.com/r.git").map(|u| u.shown().to_string()),
            Some("ssh://git@example.com/r.git".into())
        );
        assert_eq!(
            url("ssh://me:pw123@example.com/r.git").map(|u| u.shown().to_string()),
            Some("ssh://me:***@example.com/r.git".into())
        );
        // A query string is hidden.
        assert_eq!(
            url("https://example.com/r.git?access_token=abc").map(|u| u.shown().to_string()),
            Some("https://example.com/r.git?***".into())
        );
        assert_eq!(
            url("git@example.com:team/repo.git").map(|u| u.shown().to_string()),
            Some("git@example.com:team/repo.git".into())
        );
    }
}
