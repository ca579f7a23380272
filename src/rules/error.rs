//! Why a configuration could not be loaded: every message is located (`file:line:col: ...`).

use std::path::PathBuf;

/// A configuration that cannot be used; nothing is scanned with it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// One problem, located.
    #[error("{0}")]
    Invalid(String),
    /// Several problems, each located.
    #[error("{}", .0.join("\n"))]
    Many(Vec<String>),
    /// The file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}
