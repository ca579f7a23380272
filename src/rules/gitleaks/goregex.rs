//! Go RE2 syntax, as gitleaks compiles it (`regexp.MustCompile`: Perl flags, Unicode classes),
//! rewritten into the syntax of Rust's `regex` crate with the same meaning.
//!
//! The translated pattern is meant to be compiled with Unicode **on** (see
//! [`super::super::compile_regex_with`]): Go matches characters, not bytes, so `.` and `[^"]`
//! consume a whole `é`, and `(?i)` folds Unicode case (`k` matches the Kelvin sign). Go's Perl
//! classes and word boundary are ASCII-only whatever the mode, so they are spelled out: `\d` is
//! `[0-9]`, `\w` is `[0-9A-Za-z_]`, `\s` is `[\t\n\f\r ]` (no `\v`, unlike Rust's), `\b` is
//! `(?-u:\b)`. What else differs:
//!
//! - `\Q...\E` (Rust has no quoting) becomes escaped literals;
//! - a `{` that does not start a repetition is a literal in Go and an error in Rust, and `{,n}`
//!   is a literal in Go but a repetition in Rust: both become `\{`; a lone `}` or `]` is escaped;
//! - `\<` and `\>` are literal `<`, `>` in Go and word boundaries in Rust;
//! - inside a class, `[` is a literal in Go (Rust nests classes) and `&&`, `--`, `~~` are
//!   literals in Go (Rust set operations), so class literals are escaped;
//! - octal escapes (`\0`, `\012`) become `\x{..}`; `\a` becomes `\x07`; `\p{^Greek}` becomes
//!   `\P{Greek}`.
//!
//! Constructs that RE2 itself rejects (lookaround, backreferences, unknown escapes, unclosed
//! groups or classes) are errors at their byte offset in the pattern, as gitleaks would refuse
//! the configuration too. One known difference remains and is documented: Go's `.` also matches
//! an invalid UTF-8 byte (as U+FFFD), Rust's Unicode `.` does not.

use std::fmt::Write;

/// A construct RE2 rejects, at a byte offset of the Go pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoRegexError {
    /// Byte offset in the Go pattern.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// Go's repetition bound (`{n,m}` with n or m above it is an error in RE2).
const MAX_REPEAT: u32 = 1000;

const DIGIT: &str = "0-9";
const WORD: &str = "0-9A-Za-z_";
const SPACE: &str = r"\t\n\f\r ";

/// Translates a Go regex into Rust syntax with the same meaning (Unicode on).
pub fn translate(src: &str) -> Result<String, GoRegexError> {
    let mut t = Translator {
        src,
        pos: 0,
        out: String::with_capacity(src.len() + 16),
        depth: 0,
    };
    t.run()?;
    Ok(t.out)
}

struct Translator<'a> {
    src: &'a str,
    pos: usize,
    out: String,
    depth: usize,
}

fn err<T>(offset: usize, message: impl Into<String>) -> Result<T, GoRegexError> {
    Err(GoRegexError {
        offset,
        message: message.into(),
    })
}

impl Translator<'_> {
    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn run(&mut self) -> Result<(), GoRegexError> {
        while let Some(c) = self.peek() {
            let at = self.pos;
            match c {
                '\\' => self.escape()?,
                '[' => self.class()?,
                '(' => self.group_open()?,
                ')' => {
                    if self.depth == 0 {
                        return err(at, "unexpected )");
                    }
                    self.depth -= 1;
                    self.bump();
                    self.out.push(')');
                }
                '{' => {
                    self.bump();
                    match repeat_len(&self.src[at..]) {
                        Some(Ok(len)) => {
                            self.out.push_str(&self.src[at..at + len]);
                            self.pos = at + len;
                        }
                        Some(Err(BadRepeat(r))) => {
                            return err(at, format!("invalid repeat count {r}"))
                        }
                        None => self.out.push_str(r"\{"),
                    }
                }
                '}' | ']' => {
                    self.bump();
                    self.out.push('\\');
                    self.out.push(c);
                }
                _ => {
                    self.bump();
                    self.out.push(c);
                }
            }
        }
        if self.depth > 0 {
            return err(self.src.len(), "missing closing )");
        }
        Ok(())
    }

    /// `(`, `(?:`, `(?flags)`, `(?flags:`, `(?P<name>`, `(?<name>`.
    fn group_open(&mut self) -> Result<(), GoRegexError> {
        let at = self.pos;
        self.bump();
        if self.peek() != Some('?') {
            self.depth += 1;
            self.out.push('(');
            return Ok(());
        }
        let rest = &self.src[at..];
        if rest.starts_with("(?=")
            || rest.starts_with("(?!")
            || rest.starts_with("(?<=")
            || rest.starts_with("(?<!")
        {
            return err(at, "lookaround is not supported by RE2");
        }
        if rest.starts_with("(?P=") || rest.starts_with("(?P>") {
            return err(at, "backreferences are not supported by RE2");
        }
        let name_start = if rest.starts_with("(?P<") {
            Some(4)
        } else if rest.starts_with("(?<") {
            Some(3)
        } else {
            None
        };
        if let Some(skip) = name_start {
            let name_end = rest[skip..].find('>').map(|i| skip + i);
            let Some(end) = name_end else {
                return err(at, "invalid named capture");
            };
            let name = &rest[skip..end];
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                return err(at, format!("invalid named capture '{name}'"));
            }
            self.out.push_str("(?P<");
            self.out.push_str(name);
            self.out.push('>');
            self.pos = at + end + 1;
            self.depth += 1;
            return Ok(());
        }
        // Flags: (?i) (?i-s) (?i:...) (?:...).
        self.bump();
        let flags_start = self.pos;
        loop {
            match self.bump() {
                Some('i' | 'm' | 's' | 'U' | '-') => {}
                Some(')') => {
                    let flags = &self.src[flags_start..self.pos - 1];
                    check_flags(flags, at)?;
                    self.out.push_str("(?");
                    self.out.push_str(flags);
                    self.out.push(')');
                    return Ok(());
                }
                Some(':') => {
                    let flags = &self.src[flags_start..self.pos - 1];
                    if !flags.is_empty() {
                        check_flags(flags, at)?;
                    }
                    self.out.push_str("(?");
                    self.out.push_str(flags);
                    self.out.push(':');
                    self.depth += 1;
                    return Ok(());
                }
                _ => return err(at, "invalid or unsupported Perl syntax"),
            }
        }
    }

    /// An escape outside a class.
    fn escape(&mut self) -> Result<(), GoRegexError> {
        let at = self.pos;
        self.bump();
        let Some(c) = self.bump() else {
            return err(at, "trailing backslash at end of expression");
        };
        match c {
            'A' | 'z' => {
                self.out.push('\\');
                self.out.push(c);
            }
            'b' => self.out.push_str(r"(?-u:\b)"),
            'B' => self.out.push_str(r"(?-u:\B)"),
            'd' | 'D' | 'w' | 'W' | 's' | 'S' => {
                let (set, negated) = perl_class(c);
                self.out.push_str(if negated { "[^" } else { "[" });
                self.out.push_str(set);
                self.out.push(']');
            }
            'p' | 'P' => self.unicode_class(c, at)?,
            'Q' => {
                let end = self
                    .rest()
                    .find(r"\E")
                    .map_or(self.src.len(), |i| self.pos + i);
                let lit = &self.src[self.pos..end];
                for ch in lit.chars() {
                    push_literal(&mut self.out, ch);
                }
                self.pos = (end + 2).min(self.src.len());
            }
            _ => {
                let ch = self.char_escape(c, at)?;
                push_literal(&mut self.out, ch);
            }
        }
        Ok(())
    }

    /// Escapes that stand for one character (shared by literals and classes); `c` follows `\`.
    fn char_escape(&mut self, c: char, at: usize) -> Result<char, GoRegexError> {
        match c {
            '1'..='7' if !self.peek().is_some_and(|d| ('0'..='7').contains(&d)) => {
                err(at, "backreferences are not supported by RE2")
            }
            '0'..='7' => {
                let mut v = c.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match self.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            self.bump();
                        }
                        None => break,
                    }
                }
                char::from_u32(v).map_or_else(|| err(at, "invalid escape sequence"), Ok)
            }
            'x' => self.hex_escape(at),
            'a' => Ok('\x07'),
            'f' => Ok('\x0c'),
            't' => Ok('\t'),
            'n' => Ok('\n'),
            'r' => Ok('\r'),
            'v' => Ok('\x0b'),
            c if c.is_ascii() && !c.is_ascii_alphanumeric() => Ok(c),
            _ => err(at, format!("invalid escape sequence \\{c}")),
        }
    }

    fn hex_escape(&mut self, at: usize) -> Result<char, GoRegexError> {
        let value = if self.peek() == Some('{') {
            self.bump();
            let end = self.rest().find('}').map(|i| self.pos + i);
            let Some(end) = end else {
                return err(at, "invalid escape sequence");
            };
            let hex = &self.src[self.pos..end];
            self.pos = end + 1;
            u32::from_str_radix(hex, 16).ok()
        } else {
            let hex: String = self.rest().chars().take(2).collect();
            if hex.len() == 2 && hex.chars().all(|h| h.is_ascii_hexdigit()) {
                self.pos += 2;
                u32::from_str_radix(&hex, 16).ok()
            } else {
                None
            }
        };
        value
            .and_then(char::from_u32)
            .map_or_else(|| err(at, "invalid escape sequence"), Ok)
    }

    /// `\pL`, `\p{Greek}`, `\p{^Greek}`, `\PL`; `kind` is `p` or `P`.
    fn unicode_class(&mut self, kind: char, at: usize) -> Result<(), GoRegexError> {
        let (mut negated, name) = match self.bump() {
            Some('{') => {
                let end = self.rest().find('}').map(|i| self.pos + i);
                let Some(end) = end else {
                    return err(at, "invalid character class range");
                };
                let name = self.src[self.pos..end].to_string();
                self.pos = end + 1;
                (false, name)
            }
            Some(c) if c.is_ascii_alphabetic() => (false, c.to_string()),
            _ => return err(at, "invalid character class range"),
        };
        let name = match name.strip_prefix('^') {
            Some(n) => {
                negated = true;
                n.to_string()
            }
            None => name,
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return err(
                at,
                format!("invalid character class range \\{kind}{{{name}}}"),
            );
        }
        let upper = (kind == 'P') != negated;
        let _ = write!(self.out, "\\{}{{{name}}}", if upper { 'P' } else { 'p' });
        Ok(())
    }

    /// A bracketed class, emitted with every literal escaped and Perl classes nested.
    fn class(&mut self) -> Result<(), GoRegexError> {
        let at = self.pos;
        self.bump();
        self.out.push('[');
        if self.peek() == Some('^') {
            self.bump();
            self.out.push('^');
        }
        let mut first = true;
        loop {
            let Some(c) = self.peek() else {
                return err(at, "missing closing ]");
            };
            if c == ']' && !first {
                self.bump();
                self.out.push(']');
                return Ok(());
            }
            first = false;
            // POSIX classes: [:alpha:] and [:^alpha:].
            if self.rest().starts_with("[:") {
                if let Some(end) = self.rest()[2..].find(":]") {
                    let name = self.src[self.pos + 2..self.pos + 2 + end].to_string();
                    let bare = name.strip_prefix('^').unwrap_or(&name);
                    if !POSIX.contains(&bare) {
                        return err(
                            self.pos,
                            format!("invalid character class range [:{name}:]"),
                        );
                    }
                    let _ = write!(self.out, "[:{name}:]");
                    self.pos += 2 + end + 2;
                    continue;
                }
            }
            let item_at = self.pos;
            if c == '\\' {
                let next = self.rest()[1..].chars().next();
                match next {
                    Some(p @ ('d' | 'D' | 'w' | 'W' | 's' | 'S')) => {
                        self.pos += 2;
                        let (set, negated) = perl_class(p);
                        let _ = write!(self.out, "[{}{set}]", if negated { "^" } else { "" });
                        continue;
                    }
                    Some(p @ ('p' | 'P')) => {
                        self.pos += 2;
                        self.unicode_class(p, item_at)?;
                        continue;
                    }
                    _ => {}
                }
            }
            let lo = self.class_char()?;
            // A range: lo-hi, unless the '-' is the last character before ']'.
            let rest = self.rest();
            if rest.starts_with('-') && !rest.starts_with("-]") && rest.len() > 1 {
                self.bump();
                let hi_at = self.pos;
                if self.rest().starts_with(r"\d")
                    || self.rest().starts_with(r"\w")
                    || self.rest().starts_with(r"\s")
                    || self.rest().starts_with(r"\p")
                {
                    return err(hi_at, "invalid character class range");
                }
                let hi = self.class_char()?;
                if hi < lo {
                    return err(item_at, format!("invalid character class range {lo}-{hi}"));
                }
                push_class_literal(&mut self.out, lo);
                self.out.push('-');
                push_class_literal(&mut self.out, hi);
            } else {
                push_class_literal(&mut self.out, lo);
            }
        }
    }

    /// One character of a class: a literal or a single-character escape.
    fn class_char(&mut self) -> Result<char, GoRegexError> {
        let at = self.pos;
        match self.bump() {
            Some('\\') => {
                let Some(c) = self.bump() else {
                    return err(at, "trailing backslash at end of expression");
                };
                self.char_escape(c, at)
            }
            Some(c) => Ok(c),
            None => err(at, "missing closing ]"),
        }
    }
}

const POSIX: &[&str] = &[
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
    "space", "upper", "word", "xdigit",
];

fn check_flags(flags: &str, at: usize) -> Result<(), GoRegexError> {
    // RE2: at most one '-', not last, and at least one flag.
    let dashes = flags.matches('-').count();
    if flags.is_empty() || dashes > 1 || flags.ends_with('-') {
        return err(at, "invalid or unsupported Perl syntax");
    }
    Ok(())
}

/// The ASCII set of a Go Perl class and whether it is negated.
fn perl_class(c: char) -> (&'static str, bool) {
    match c {
        'd' => (DIGIT, false),
        'D' => (DIGIT, true),
        'w' => (WORD, false),
        'W' => (WORD, true),
        's' => (SPACE, false),
        _ => (SPACE, true),
    }
}

/// A repetition count RE2 rejects; holds the repetition as written.
struct BadRepeat(String);

/// The length of a Go repetition `{n}`, `{n,}`, `{n,m}` at the start of `s`; `None` when the
/// brace is a literal; an error for counts RE2 rejects.
fn repeat_len(s: &str) -> Option<Result<usize, BadRepeat>> {
    let b = s.as_bytes();
    let mut i = 1;
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        (*i > start).then(|| s[start..*i].parse::<u32>().unwrap_or(u32::MAX))
    };
    let min = digits(&mut i)?;
    let mut max = Some(min);
    if i < b.len() && b[i] == b',' {
        i += 1;
        max = digits(&mut i);
    }
    if i >= b.len() || b[i] != b'}' {
        return None;
    }
    if min > MAX_REPEAT || max.is_some_and(|m| m > MAX_REPEAT || m < min) {
        return Some(Err(BadRepeat(s[..=i].to_string())));
    }
    Some(Ok(i + 1))
}

/// Writes a literal character outside a class.
fn push_literal(out: &mut String, c: char) {
    if regex_syntax_meta(c) {
        out.push('\\');
        out.push(c);
    } else {
        push_plain(out, c);
    }
}

/// Writes a literal character inside a class.
fn push_class_literal(out: &mut String, c: char) {
    if matches!(c, '[' | ']' | '\\' | '^' | '-' | '&' | '~') {
        out.push('\\');
        out.push(c);
    } else {
        push_plain(out, c);
    }
}

fn push_plain(out: &mut String, c: char) {
    if c.is_control() {
        let _ = write!(out, "\\x{{{:X}}}", c as u32);
    } else {
        out.push(c);
    }
}

/// Rust's meta characters (`regex_syntax::is_meta_character`).
fn regex_syntax_meta(c: char) -> bool {
    matches!(
        c,
        '\\' | '.'
            | '+'
            | '*'
            | '?'
            | '('
            | ')'
            | '|'
            | '['
            | ']'
            | '{'
            | '}'
            | '^'
            | '$'
            | '#'
            | '&'
            | '-'
            | '~'
    )
}

#[cfg(test)]
mod tests {
    use super::translate;

    fn ok(go: &str) -> String {
        translate(go).unwrap_or_else(|e| panic!("{go}: {e:?}"))
    }

    #[test]
    fn same_meaning_different_syntax() {
        assert_eq!(ok(r"\d+\w\s\b"), r"[0-9]+[0-9A-Za-z_][\t\n\f\r ](?-u:\b)");
        assert_eq!(ok(r"[\w.-]"), r"[[0-9A-Za-z_].\-]");
        assert_eq!(ok(r"[^\S]"), r"[^[^\t\n\f\r ]]");
        assert_eq!(ok(r"\Qa.b*\E+"), r"a\.b\*+");
        assert_eq!(ok(r"\Qa.b"), r"a\.b");
        assert_eq!(ok(r"^\$(?:\d+|{\d+})$"), r"^\$(?:[0-9]+|\{[0-9]+\})$");
        assert_eq!(ok(r"a{,3}b{2,3}c{2}"), r"a\{,3\}b{2,3}c{2}");
        assert_eq!(ok(r"\<x\>"), "<x>");
        assert_eq!(ok(r"[a&&~~[]"), r"[a\&\&\~\~\[]");
        assert_eq!(ok(r"[--/]"), r"[\--/]");
        assert_eq!(ok(r"\012\0"), "\\x{A}\\x{0}");
        assert_eq!(ok(r"\p{^Greek}\PL\pN"), r"\P{Greek}\P{L}\p{N}");
        assert_eq!(ok(r"[[:alpha:][:^digit:]]"), r"[[:alpha:][:^digit:]]");
        assert_eq!(
            ok(r"(?P<k>a)(?<v>b)(?i)c(?-i:d)(?s:.)"),
            r"(?P<k>a)(?P<v>b)(?i)c(?-i:d)(?s:.)"
        );
        assert_eq!(ok(r"[]a]"), r"[\]a]");
        assert_eq!(ok(r"[\w .-/]"), r"[[0-9A-Za-z_] .-/]");
        assert_eq!(ok(r"a\%\/\:"), "a%/:");
    }

    #[test]
    fn re2_rejects() {
        for (go, at) in [
            (r"a(?=b)", 1),
            (r"(a)\1", 3),
            (r"x\e", 1),
            (r"[a", 0),
            (r"(a", 2),
            (r"a)", 1),
            (r"a{1001}", 1),
            (r"(?x)a", 0),
            (r"[z-a]", 1),
        ] {
            let e = translate(go).expect_err(go);
            assert_eq!(e.offset, at, "{go}: {e:?}");
        }
    }

    #[test]
    fn translated_patterns_compile_and_match_like_go() {
        let re = |go: &str| {
            crate::rules::compile_regex_with(&ok(go), true).unwrap_or_else(|e| panic!("{go}: {e}"))
        };
        // Go's \s has no vertical tab; \d is ASCII even with Unicode on.
        assert!(!re(r"^\s$").is_match(b"\x0b"));
        assert!(!re(r"^\d$").is_match("٣".as_bytes()));
        // '.' and negated classes consume whole characters, as in Go.
        assert!(re(r"^.{3}$").is_match("aéb".as_bytes()));
        assert!(re(r#"^[^"]{2}$"#).is_match("éé".as_bytes()));
        // (?i) folds Unicode case, as Go's does.
        assert!(re(r"(?i)^k$").is_match("\u{212A}".as_bytes()));
        // (?i) in the middle applies to the rest.
        assert!(re(r"^ab(?i)cd$").is_match(b"abCD"));
        assert!(!re(r"^ab(?i)cd$").is_match(b"ABcd"));
    }
}
