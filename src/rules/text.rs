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
            let message = e.message().trim_end();
            match key_at(text, span.start) {
                // serde's messages about a value's type do not say which key holds it.
                Some(key) if !message.contains(key) => {
                    let hint = match key {
                        "severity" => " (info, low, medium, high or critical, in quotes)",
                        "confidence" => " (low, medium or high, in quotes)",
                        "kind" => " (secret or internal, in quotes)",
                        "window" => " (line, multiline or file, in quotes)",
                        _ => "",
                    };
                    format!("{name}:{line}:{col}: `{key}`: {message}{hint}")
                }
                _ => format!("{name}:{line}:{col}: {message}"),
            }
        }
        None => format!("{name}: {}", e.message().trim_end()),
    }
}

/// The key of a `key = value` line when `offset` points into its value.
fn key_at(text: &str, offset: usize) -> Option<&str> {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |p| p + 1);
    let (key, _) = text[start..offset].split_once('=')?;
    let key = key.trim();
    let ok = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    ok.then_some(key)
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

#[cfg(test)]
mod tests {
    use super::parse_file;

    /// A value of the wrong type names its key and the values it takes.
    #[test]
    fn type_errors_name_the_key() {
        let text = "[[rules]]\nid = \"x\"\ndescription = \"d\"\nregex = 'a'\nseverity = 3\n";
        let e = parse_file("c.toml", text).err().map(|e| e.to_string());
        let e = e.unwrap_or_default();
        assert!(
            e.starts_with("c.toml:5:12: `severity`: ")
                && e.ends_with("(info, low, medium, high or critical, in quotes)"),
            "{e}"
        );
    }
}
