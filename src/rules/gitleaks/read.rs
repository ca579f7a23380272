//! Reading gitleaks' TOML the way viper does: keys case-insensitive, values typed, each
//! problem located in the file.

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::rules::text::line_col;
use crate::rules::validate::Problems;

/// What reading a configuration found: problems (errors) and warnings, each located.
#[derive(Default)]
pub(crate) struct Ctx {
    pub(super) problems: Problems,
    pub(super) warnings: Vec<String>,
}

impl Ctx {
    pub(crate) fn warn(&mut self, msg: String) {
        self.warnings.push(msg);
    }
}

/// The text of one file and its name, to locate problems.
pub(crate) struct Src<'a> {
    pub(super) name: String,
    pub(super) text: &'a str,
}

impl Src<'_> {
    pub(crate) fn at(&self, offset: usize) -> String {
        let (l, c) = line_col(self.text, offset);
        format!("{}:{l}:{c}", self.name)
    }
}

/// A table's entry by key, case-insensitively (viper lower-cases keys).
pub(super) fn get<'a, 'i>(t: &'a DeTable<'i>, key: &str) -> Option<&'a Spanned<DeValue<'i>>> {
    t.iter()
        .find(|(k, _)| k.get_ref().eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

pub(super) fn warn_unknown(src: &Src, t: &DeTable, known: &[&str], what: &str, ctx: &mut Ctx) {
    for (k, _) in t.iter() {
        if !known.iter().any(|n| n.eq_ignore_ascii_case(k.get_ref())) {
            ctx.warn(format!(
                "{}: {what}: unknown key '{}' ignored (gitleaks ignores it too)",
                src.at(k.span().start),
                k.get_ref()
            ));
        }
    }
}

pub(super) fn type_error(src: &Src, v: &Spanned<DeValue>, key: &str, want: &str, ctx: &mut Ctx) {
    ctx.problems.push(format!(
        "{}: '{key}' must be {want}, not {}",
        src.at(v.span().start),
        v.get_ref().type_str()
    ));
}

pub(super) fn string(src: &Src, t: &DeTable, key: &str, ctx: &mut Ctx) -> Option<Spanned<String>> {
    let v = get(t, key)?;
    match v.get_ref() {
        DeValue::String(s) => Some(Spanned::new(v.span(), s.to_string())),
        _ => {
            type_error(src, v, key, "a string", ctx);
            None
        }
    }
}

pub(super) fn strings(src: &Src, t: &DeTable, key: &str, ctx: &mut Ctx) -> Vec<Spanned<String>> {
    let Some(v) = get(t, key) else {
        return Vec::new();
    };
    let DeValue::Array(items) = v.get_ref() else {
        type_error(src, v, key, "an array of strings", ctx);
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|i| match i.get_ref() {
            DeValue::String(s) => Some(Spanned::new(i.span(), s.to_string())),
            _ => {
                type_error(src, i, key, "a string", ctx);
                None
            }
        })
        .collect()
}

pub(super) fn boolean(src: &Src, t: &DeTable, key: &str, ctx: &mut Ctx) -> bool {
    match get(t, key) {
        None => false,
        Some(v) => v.get_ref().as_bool().unwrap_or_else(|| {
            type_error(src, v, key, "a boolean", ctx);
            false
        }),
    }
}

pub(super) fn number(src: &Src, t: &DeTable, key: &str, ctx: &mut Ctx) -> Option<(f64, usize)> {
    let v = get(t, key)?;
    let n = match v.get_ref() {
        DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
            .ok()
            .map(|n| n as f64),
        DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
        _ => None,
    };
    if n.is_none() {
        type_error(src, v, key, "a number", ctx);
    }
    n.map(|n| (n, v.span().start))
}

pub(super) fn count(src: &Src, t: &DeTable, key: &str, ctx: &mut Ctx) -> Option<usize> {
    let (n, at) = number(src, t, key, ctx)?;
    if n < 0.0 || n.fract() != 0.0 {
        ctx.problems.push(format!(
            "{}: '{key}' must be a whole number >= 0",
            src.at(at)
        ));
        return None;
    }
    Some(n as usize)
}

/// Tables of `[[key]]` (an array of tables) or `[key]` (one table).
pub(super) fn tables<'a, 'i>(
    src: &Src,
    t: &'a DeTable<'i>,
    key: &str,
    ctx: &mut Ctx,
) -> Vec<&'a DeTable<'i>> {
    let Some(v) = get(t, key) else {
        return Vec::new();
    };
    match v.get_ref() {
        DeValue::Table(t) => vec![t],
        DeValue::Array(items) => items
            .iter()
            .filter_map(|i| match i.get_ref() {
                DeValue::Table(t) => Some(t),
                _ => {
                    type_error(src, i, key, "a table", ctx);
                    None
                }
            })
            .collect(),
        _ => {
            type_error(src, v, key, "a table", ctx);
            Vec::new()
        }
    }
}

/// Byte offset of a string value's content in the file: after the opening quotes, so offsets
/// inside the value (regex errors) land on the right column when the string has no escapes.
pub(super) fn content_offset(text: &str, s: &Spanned<String>) -> Option<usize> {
    let raw = text.get(s.span())?;
    let quote = if raw.starts_with("'''") || raw.starts_with("\"\"\"") {
        3
    } else {
        1
    };
    let mut start = s.span().start + quote;
    if quote == 3 && text[start..].starts_with('\n') {
        start += 1;
    } else if quote == 3 && text[start..].starts_with("\r\n") {
        start += 2;
    }
    (text.get(start..start + s.get_ref().len()) == Some(s.get_ref().as_str())).then_some(start)
}
