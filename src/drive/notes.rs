//! What a driver tells the user besides findings.

/// Notes for the summary, and warnings that must also reach standard error.
#[derive(Debug, Default)]
pub struct Notes {
    /// Lines of the summary's notes.
    pub notes: Vec<String>,
    /// Warnings: shown on standard error when the summary goes to standard output (where CI
    /// logs may not show it); they are in `notes` too.
    pub warnings: Vec<String>,
}
