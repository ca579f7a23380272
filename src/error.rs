//! Failures that stop a command ([`Error`]) and inputs that could not be scanned ([`Skip`]).
//!
//! A bad input never stops a scan: sources turn it into a `Skip` record that the summary, the
//! JSON and the SARIF list, and the exit status is computed from those records.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// A failure that stops the command before or instead of scanning.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A rule or configuration file could not be read or is invalid. The message is located.
    #[error("{0}")]
    Config(String),
    /// Several configuration problems, each located.
    #[error("{}", .0.join("\n"))]
    ConfigMany(Vec<String>),
    /// The command line asks for something impossible.
    #[error("{0}")]
    Usage(String),
    /// An I/O error on a path that the command cannot do without.
    #[error("{path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A git repository could not be opened or read at all, or a revision does not resolve.
    #[error("{0}")]
    Git(#[from] crate::source::git::GitError),
    /// `--staged`: the repository or its index could not be read.
    #[error("--staged: {0}")]
    Staged(crate::source::git::GitError),
    /// `--package`: the package's files could not be listed.
    #[error("{0}")]
    Package(#[from] crate::source::package::PackageError),
    /// Validation could not run (its cache, its test override).
    #[error(transparent)]
    Validate(#[from] crate::validate::ValidateError),
    /// A baseline or ignore file could not be read or written.
    #[error("{0}")]
    Baseline(#[from] crate::baseline::BaselineError),
    /// A repository URL could not be cloned (credentials hidden).
    #[error("{0}")]
    Remote(#[from] crate::source::remote::RemoteError),
}

impl From<crate::rules::ConfigError> for Error {
    fn from(e: crate::rules::ConfigError) -> Error {
        use crate::rules::ConfigError;
        match e {
            ConfigError::Invalid(m) => Error::Config(m),
            ConfigError::Many(list) => Error::ConfigMany(list),
            ConfigError::Io { path, source } => Error::Io { path, source },
        }
    }
}

/// Why an input was not (fully) scanned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    /// The file or folder could not be read (permissions, vanished during the scan).
    Unreadable,
    /// Larger than `--max-file-size`.
    TooLarge,
    /// An image, font, audio or video file, skipped by default.
    Media,
    /// A symbolic link that loops or leads out of the scan root (links are not followed).
    Symlink,
    /// A git object that could not be read or decoded.
    CorruptObject,
    /// History beyond a shallow clone's boundary is not in the repository.
    ShallowHistory,
    /// An archive member or nesting level past the configured limits (bombs).
    ArchiveLimit,
    /// An archive or encoded container that is truncated or malformed.
    MalformedArchive,
    /// Something else went wrong while walking the input.
    Other,
}

impl SkipReason {
    /// Whether this kind of skip is expected and chosen by the user or the defaults,
    /// so it does not make the scan incomplete.
    pub fn is_allowed_by_default(self) -> bool {
        matches!(self, SkipReason::Media)
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            SkipReason::Unreadable => "unreadable",
            SkipReason::TooLarge => "larger than --max-file-size",
            SkipReason::Media => "media file",
            SkipReason::Symlink => "symbolic link not followed",
            SkipReason::CorruptObject => "corrupt git object",
            SkipReason::ShallowHistory => "shallow history",
            SkipReason::ArchiveLimit => "archive limit reached",
            SkipReason::MalformedArchive => "malformed archive",
            SkipReason::Other => "not scanned",
        };
        f.write_str(s)
    }
}

/// An input, or part of one, that was not scanned.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Skip {
    /// Display path of the input (`dist/a.tgz!package/x.js` for archive members).
    pub path: String,
    /// Why it was skipped.
    pub reason: SkipReason,
    /// Details: the underlying error or the limit that was hit. Never holds file content.
    pub detail: String,
    /// True when the skip was chosen (media files, `--max-file-size`) and does not make the
    /// scan incomplete.
    pub allowed: bool,
}

impl Skip {
    /// A skip with the default `allowed` for its reason.
    pub fn new(path: impl Into<String>, reason: SkipReason, detail: impl Into<String>) -> Skip {
        Skip {
            path: path.into(),
            reason,
            detail: detail.into(),
            allowed: reason.is_allowed_by_default(),
        }
    }
}

/// The process exit status, documented in the README and `--help`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: everything was scanned and nothing found.
    Clean,
    /// 1: findings (the value can be changed with `--exit-code`).
    Leaks,
    /// 2: usage or configuration error; nothing was scanned.
    Error,
    /// 3: nothing found, but something that should have been scanned was not.
    Incomplete,
}

impl ExitStatus {
    /// The numeric code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Clean => 0,
            ExitStatus::Leaks => 1,
            ExitStatus::Error => 2,
            ExitStatus::Incomplete => 3,
        }
    }
}
