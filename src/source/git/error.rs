//! Why a repository could not be used at all.

/// A failure to use a repository at all (nothing could be scanned from it).
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// The repository could not be opened.
    #[error("{path}: not a readable git repository: {message}")]
    Open {
        /// The folder.
        path: String,
        /// gix's message.
        message: String,
    },
    /// A revision given on the command line does not resolve.
    #[error("{spec}: {message}")]
    Revision {
        /// The revision as typed.
        spec: String,
        /// Why it does not resolve.
        message: String,
    },
    /// The index could not be read.
    #[error("{path}: cannot read the index: {message}")]
    Index {
        /// The index file.
        path: String,
        /// gix's message.
        message: String,
    },
    /// Reading or writing a hook failed, or the hook belongs to someone else.
    #[error("{0}")]
    Hook(String),
    /// A blob could not be read again.
    #[error("blob {id}: {message}")]
    Blob {
        /// The blob id, or the index asked for when it is not in the history.
        id: String,
        /// gix's message.
        message: String,
    },
}
