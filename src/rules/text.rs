//! TOML text helpers shared by the leakscan and gitleaks readers: parse, locate.

use super::error::ConfigError;
use super::model::FileDef;

/// Parses TOML text into the file model, locating syntax errors as `file:line:column`.
pub fn parse_file(name: &str, text: &str) -> Result<FileDef, ConfigError> {
    toml::from_str::<FileDef>(text).map_err(|e| ConfigError::Invalid(toml_error(name, text, &e)))
}

/// Formats a TOML error as `file:line:column: message`.
pub fn toml_error(name: &str, text: &str, e: &toml::de::Error) -> String {
    match e.span() {
        Some(span) => {
            let (line, col) = line_col(text, span.start);
            format!("{name}:{line}:{col}: {}", e.message().trim_end())
        }
        None => format!("{name}: {}", e.message().trim_end()),
    }
}

/// 1-based line and column (in characters) of a byte offset in `text`.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let col = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, col)
}
