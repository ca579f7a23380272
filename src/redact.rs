//! The [`Secret`] type: the only code that renders a secret.
//!
//! `Debug` and `Display` are redacted, so a stray `{:?}` in a log or an error cannot leak the
//! value; the full value is reachable only through [`Secret::expose`], which reporters call
//! when the user asked for `--no-redact`.

use std::fmt;

/// A matched secret. Formatting shows a redacted form only.
///
/// A secret read back from a redacted report (`report merge`) is known only by its redacted
/// form: [`Secret::from_redacted`] keeps that form, and every accessor, [`Secret::expose`]
/// included, returns it, so nothing can show more than the report held.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Secret {
    bytes: Vec<u8>,
    /// `Some(chars)`: `bytes` is the redacted form of a secret of `chars` characters.
    redacted_of: Option<usize>,
}

impl Secret {
    /// Wraps the raw bytes of a secret.
    pub fn new(bytes: &[u8]) -> Secret {
        Secret {
            bytes: bytes.to_vec(),
            redacted_of: None,
        }
    }

    /// A secret known only by its redacted form, as [`Secret::redacted`] wrote it
    /// (`ghp_ab…(40 chars)`): read back from a redacted report.
    pub fn from_redacted(shown: &str) -> Secret {
        let chars = shown
            .rsplit_once('(')
            .and_then(|(_, n)| n.strip_suffix(" chars)"))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| shown.chars().count());
        Secret {
            bytes: shown.as_bytes().to_vec(),
            redacted_of: Some(chars),
        }
    }

    /// True when only the redacted form is known (see [`Secret::from_redacted`]).
    pub fn is_redacted_only(&self) -> bool {
        self.redacted_of.is_some()
    }

    /// The full value. Callers must only print it when the user passed `--no-redact`. For a
    /// secret known only redacted, the redacted form.
    pub fn expose(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    /// The raw bytes, for hashing (the redacted form's for a secret known only redacted: do
    /// not fingerprint those).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Length in characters.
    pub fn char_len(&self) -> usize {
        self.redacted_of
            .unwrap_or_else(|| String::from_utf8_lossy(&self.bytes).chars().count())
    }

    /// Length in bytes (for a secret known only redacted: its length in characters, exact
    /// for the ASCII tokens that binary findings are).
    pub fn byte_len(&self) -> usize {
        self.redacted_of.unwrap_or(self.bytes.len())
    }

    /// Redacted form: a short prefix, an ellipsis and the length, e.g. `ghp_ab…(40 chars)`.
    ///
    /// At most one character in six is shown, and never more than six, so a short password
    /// shows one character or none.
    pub fn redacted(&self) -> String {
        if self.redacted_of.is_some() {
            return self.expose();
        }
        let text = String::from_utf8_lossy(&self.bytes);
        let n = text.chars().count();
        let shown = (n / 6).min(6);
        let prefix: String = text
            .chars()
            .take(shown)
            .map(|c| if c.is_control() { '.' } else { c })
            .collect();
        format!("{prefix}…({n} chars)")
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.redacted())
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// Replaces every occurrence of `secret` in `text` with a mask of the same length in
/// characters, keeping the redacted prefix. Used for snippets.
pub fn mask_in(text: &str, secret: &Secret) -> String {
    let raw = secret.expose();
    if raw.is_empty() {
        return text.to_string();
    }
    let n = raw.chars().count();
    let shown = (n / 6).min(6);
    let keep: String = raw.chars().take(shown).collect();
    let mask = format!("{keep}{}", "*".repeat(n - shown));
    text.replace(&raw, &mask)
}

/// The bytes of `line` with `line[start..end]` (a part of `secret`) masked: the redacted
/// prefix is kept when the secret starts there, every other byte of the span becomes `*`.
pub fn mask_in_bytes(line: &[u8], start: usize, end: usize, secret: &Secret) -> String {
    let n = secret.char_len();
    let shown = (n / 6).min(6);
    let prefix: String = secret.expose().chars().take(shown).collect();
    let span = String::from_utf8_lossy(&line[start..end]);
    let stars = span.chars().count().saturating_sub(prefix.chars().count());
    let mut out = String::from_utf8_lossy(&line[..start]).into_owned();
    out.push_str(&prefix);
    out.push_str(&"*".repeat(stars));
    out.push_str(&String::from_utf8_lossy(&line[end..]));
    // The same secret may stand twice on a line.
    mask_in(&out, secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_shows_at_most_a_sixth() {
        let s = Secret::new(b"ghp_abcdefghijklmnopqrstuvwxyz0123456789");
        assert_eq!(s.redacted(), "ghp_ab…(40 chars)");
        assert_eq!(Secret::new(b"hunter2!").redacted(), "h…(8 chars)");
        assert_eq!(Secret::new(b"abc").redacted(), "…(3 chars)");
        assert!(!format!("{s:?}").contains("abcdefghijklmnop"));
        assert!(!format!("{s}").contains("abcdefghijklmnop"));
    }

    #[test]
    fn a_redacted_secret_reads_back_as_itself() {
        let s = Secret::new("ghp_abcdefghijklmnopqrstuvwxyz0123456789".as_bytes());
        let back = Secret::from_redacted(&s.redacted());
        assert!(back.is_redacted_only());
        assert_eq!(back.redacted(), s.redacted());
        assert_eq!(back.expose(), s.redacted());
        assert_eq!((back.char_len(), back.byte_len()), (40, 40));
        assert_eq!(Secret::from_redacted("…(3 chars)").char_len(), 3);
    }

    #[test]
    fn mask_hides_the_secret_in_a_line() {
        let s = Secret::new(b"sk_live_0123456789abcdefghij");
        let line = "key = \"sk_live_0123456789abcdefghij\"";
        let masked = mask_in(line, &s);
        assert!(!masked.contains("0123456789abcdefghij"));
        assert!(masked.starts_with("key = \"sk_l"));
    }
}
