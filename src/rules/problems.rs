//! Problems found while building rules, each located as `file:line:column`, and the shape of a
//! rule id: a leaf that the rule builders share.

use super::error::ConfigError;
use super::text::line_col;

/// Problems found while building rules.
#[derive(Debug, Default)]
pub struct Problems(Vec<String>);

impl Problems {
    /// Records a problem at a byte offset of a file's text.
    pub fn at(&mut self, file: &str, text: &str, offset: usize, msg: impl AsRef<str>) {
        let (line, col) = line_col(text, offset);
        self.0
            .push(format!("{file}:{line}:{col}: {}", msg.as_ref()));
    }

    /// Records an already located problem.
    pub fn push(&mut self, msg: String) {
        self.0.push(msg);
    }

    /// How many problems were recorded.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Ok when nothing was recorded.
    pub fn into_result(self) -> Result<(), ConfigError> {
        match self.0.len() {
            0 => Ok(()),
            1 => Err(ConfigError::Invalid(
                self.0.into_iter().next().unwrap_or_default(),
            )),
            _ => Err(ConfigError::Many(self.0)),
        }
    }
}

/// True for a well-formed leakscan rule id.
pub fn valid_id(id: &str) -> bool {
    let b = id.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b.iter().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'-' | b'.' | b'_')
        })
}
