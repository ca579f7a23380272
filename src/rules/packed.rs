//! The built-in pack in the compact form a scan reads at start-up: the rule model of every
//! `rules/*.toml` file, spans included, written by the build script and read back without
//! field names, without a parser and without serde.
//!
//! A pack is two streams: `bin` holds the structure (numbers as LEB128, flags and variants as
//! one byte each, lengths of lists and of strings) and `text` the strings, one after the
//! other, so that each one is a slice of the text (a `&str` checked at its two ends, never
//! validated byte by byte). The writer and the reader below walk the model's fields in the
//! same order; both take every struct apart without `..`, so a field added to the model does
//! not build until both handle it. Reading the JSON form with serde took a third of the
//! instructions of a one-file scan; this one reads in a small fraction of that.
//!
//! Layout: the number of rules in the pack, the number of files, then for each file its name
//! (`rules/ai.toml`), its number of rules and its rules. This file is compiled into the build
//! script too (as `model.rs` and `span.rs` are), so it uses nothing else of the crate.

use std::collections::BTreeMap;
use std::ops::Range;

use super::model::{
    AllowWhenDef, Confidence, GroupDef, Kind, PairDef, RequiredDef, RuleDef, Severity, ValidateDef,
    WindowDef,
};
use super::span::Spanned;

/// Writes a pack (the build script's side; the crate's tests write packs too).
#[cfg_attr(not(test), allow(dead_code))]
#[derive(Default)]
pub(crate) struct Writer {
    /// The structure.
    pub(crate) bin: Vec<u8>,
    /// The strings, one after the other.
    pub(crate) text: String,
}

#[cfg_attr(not(test), allow(dead_code))]
impl Writer {
    /// The header: how many rules the whole pack holds, in how many files.
    pub(crate) fn start(&mut self, rules: usize, files: usize) {
        self.size(rules);
        self.size(files);
    }

    /// One file of the pack: its name and its rules.
    pub(crate) fn file(&mut self, name: &str, rules: &[RuleDef]) {
        self.str(name);
        self.list(rules, Writer::rule);
    }

    fn num(&mut self, mut n: u64) {
        while n >= 0x80 {
            self.bin.push((n as u8) | 0x80);
            n >>= 7;
        }
        self.bin.push(n as u8);
    }

    fn size(&mut self, n: usize) {
        self.num(n as u64);
    }

    fn flag(&mut self, b: bool) {
        self.bin.push(u8::from(b));
    }

    fn float(&mut self, f: f64) {
        self.bin.extend_from_slice(&f.to_bits().to_le_bytes());
    }

    fn str(&mut self, s: &str) {
        self.size(s.len());
        self.text.push_str(s);
    }

    fn span(&mut self, span: Range<usize>) {
        self.size(span.start);
        self.size(span.end.saturating_sub(span.start));
    }

    fn spanned<T>(&mut self, s: &Spanned<T>, value: impl FnOnce(&mut Writer, &T)) {
        self.span(s.span());
        value(self, s.get_ref());
    }

    fn spanned_str(&mut self, s: &Spanned<String>) {
        self.spanned(s, |w, v| w.str(v));
    }

    fn opt<T>(&mut self, o: &Option<T>, value: impl FnOnce(&mut Writer, &T)) {
        self.flag(o.is_some());
        if let Some(v) = o {
            value(self, v);
        }
    }

    fn list<T>(&mut self, items: &[T], mut item: impl FnMut(&mut Writer, &T)) {
        self.size(items.len());
        for i in items {
            item(self, i);
        }
    }

    fn map<V>(&mut self, m: &BTreeMap<String, V>, mut value: impl FnMut(&mut Writer, &V)) {
        self.size(m.len());
        for (k, v) in m {
            self.str(k);
            value(self, v);
        }
    }

    fn strings(&mut self, items: &[String]) {
        self.list(items, |w, s| w.str(s));
    }

    fn spanned_strs(&mut self, items: &[Spanned<String>]) {
        self.list(items, Writer::spanned_str);
    }

    fn opt_size(&mut self, o: &Option<usize>) {
        self.opt(o, |w, n| w.size(*n));
    }

    fn opt_float(&mut self, o: &Option<f64>) {
        self.opt(o, |w, f| w.float(*f));
    }

    fn opt_string(&mut self, o: &Option<String>) {
        self.opt(o, |w, s| w.str(s));
    }

    fn opt_spanned_str(&mut self, o: &Option<Spanned<String>>) {
        self.opt(o, Writer::spanned_str);
    }

    fn rule(&mut self, rule: &RuleDef) {
        let RuleDef {
            id,
            description,
            regex,
            secret_group,
            keywords,
            entropy,
            severity,
            confidence,
            kind,
            tags,
            checksum,
            assess,
            paths,
            path_regexes,
            multiline,
            once,
            window,
            unicode,
            allow_secrets,
            allow_lines,
            allow_paths,
            stopwords,
            allow_when,
            required,
            skip_report,
            placeholders,
            remediation,
            examples,
            counter_examples,
            example_path,
            validate,
        } = rule;
        self.spanned_str(id);
        self.str(description);
        self.opt_spanned_str(regex);
        self.opt(secret_group, |w, g| w.spanned(g, Writer::group));
        self.spanned_strs(keywords);
        self.opt_float(entropy);
        self.bin.push(match severity {
            Severity::Info => 0,
            Severity::Low => 1,
            Severity::Medium => 2,
            Severity::High => 3,
            Severity::Critical => 4,
        });
        self.bin.push(match confidence {
            Confidence::Low => 0,
            Confidence::Medium => 1,
            Confidence::High => 2,
        });
        self.bin.push(match kind {
            Kind::Secret => 0,
            Kind::Internal => 1,
        });
        self.strings(tags);
        self.opt_spanned_str(checksum);
        self.opt_spanned_str(assess);
        self.spanned_strs(paths);
        self.spanned_strs(path_regexes);
        self.flag(*multiline);
        self.flag(*once);
        self.opt(window, |w, x| {
            w.bin.push(match x {
                WindowDef::Line => 0,
                WindowDef::Multiline => 1,
                WindowDef::File => 2,
            });
        });
        self.flag(*unicode);
        self.spanned_strs(allow_secrets);
        self.spanned_strs(allow_lines);
        self.spanned_strs(allow_paths);
        self.strings(stopwords);
        self.list(allow_when, Writer::allow_when);
        self.list(required, Writer::required);
        self.flag(*skip_report);
        self.opt(placeholders, |w, b| w.flag(*b));
        self.opt_string(remediation);
        self.spanned_strs(examples);
        self.spanned_strs(counter_examples);
        self.opt_string(example_path);
        self.opt(validate, Writer::validate);
    }

    fn group(&mut self, g: &GroupDef) {
        match g {
            GroupDef::Index(i) => {
                self.bin.push(0);
                self.size(*i);
            }
            GroupDef::Name(n) => {
                self.bin.push(1);
                self.str(n);
            }
        }
    }

    fn allow_when(&mut self, a: &AllowWhenDef) {
        let AllowWhenDef {
            description,
            condition,
            commits,
            paths,
            path_regexes,
            secrets,
            matches,
            lines,
            stopwords,
            unicode,
            target_rules,
        } = a;
        self.str(description);
        self.opt_spanned_str(condition);
        self.strings(commits);
        self.spanned_strs(paths);
        self.spanned_strs(path_regexes);
        self.spanned_strs(secrets);
        self.spanned_strs(matches);
        self.spanned_strs(lines);
        self.strings(stopwords);
        self.flag(*unicode);
        self.spanned_strs(target_rules);
    }

    fn required(&mut self, r: &RequiredDef) {
        let RequiredDef {
            id,
            within_lines,
            within_columns,
        } = r;
        self.spanned_str(id);
        self.opt_size(within_lines);
        self.opt_size(within_columns);
    }

    fn validate(&mut self, v: &ValidateDef) {
        let ValidateDef {
            provider,
            protocol,
            method,
            url,
            hosts,
            headers,
            body,
            basic_auth,
            secret_parts,
            pair,
            aws_region,
            aws_service,
            scope,
            valid_status,
            invalid_status,
            valid_json,
            invalid_json,
            valid_body,
            invalid_body,
            identity,
            rate,
        } = v;
        self.spanned_str(provider);
        self.opt_spanned_str(protocol);
        self.opt_spanned_str(method);
        self.spanned_str(url);
        self.spanned_strs(hosts);
        self.map(headers, |w, s| w.str(s));
        self.opt_string(body);
        self.opt(basic_auth, |w, b| w.strings(b));
        self.opt_spanned_str(secret_parts);
        self.opt(pair, |w, p| {
            let PairDef { rule, within_lines } = p;
            w.spanned_str(rule);
            w.opt_size(within_lines);
        });
        self.opt_string(aws_region);
        self.opt_string(aws_service);
        self.opt_string(scope);
        self.list(valid_status, |w, s| w.num(u64::from(*s)));
        self.list(invalid_status, |w, s| w.num(u64::from(*s)));
        self.map(valid_json, Writer::toml);
        self.map(invalid_json, Writer::toml);
        self.opt_string(valid_body);
        self.strings(invalid_body);
        self.map(identity, Writer::spanned_str);
        self.opt_float(rate);
    }

    fn toml(&mut self, v: &toml::Value) {
        match v {
            toml::Value::String(s) => {
                self.bin.push(0);
                self.str(s);
            }
            toml::Value::Integer(i) => {
                self.bin.push(1);
                self.num(*i as u64);
            }
            toml::Value::Float(f) => {
                self.bin.push(2);
                self.float(*f);
            }
            toml::Value::Boolean(b) => {
                self.bin.push(3);
                self.flag(*b);
            }
            toml::Value::Datetime(d) => {
                self.bin.push(4);
                self.str(&d.to_string());
            }
            toml::Value::Array(a) => {
                self.bin.push(5);
                self.list(a, Writer::toml);
            }
            toml::Value::Table(t) => {
                self.bin.push(6);
                self.size(t.len());
                for (k, v) in t {
                    self.str(k);
                    self.toml(v);
                }
            }
        }
    }
}

/// Reads a pack (the run-time side). Every read is `None` once the pack does not hold what
/// the model expects (it cannot happen to what the build script wrote, short of a bug).
pub(crate) struct Reader<'a> {
    bin: &'a [u8],
    text: &'a str,
}

impl<'a> Reader<'a> {
    /// A reader at the start of a pack.
    pub(crate) fn new(bin: &'a [u8], text: &'a str) -> Reader<'a> {
        Reader { bin, text }
    }

    /// The header: how many rules the pack holds, in how many files.
    pub(crate) fn start(&mut self) -> Option<(usize, usize)> {
        Some((self.size()?, self.size()?))
    }

    /// The name of the next file and its number of rules.
    pub(crate) fn file(&mut self) -> Option<(&'a str, usize)> {
        Some((self.str()?, self.size()?))
    }

    /// True when everything was read.
    pub(crate) fn at_end(&self) -> bool {
        self.bin.is_empty() && self.text.is_empty()
    }

    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.bin.split_first()?;
        self.bin = rest;
        Some(b)
    }

    fn num(&mut self) -> Option<u64> {
        let mut n = 0u64;
        let mut shift = 0;
        loop {
            let b = self.byte()?;
            if shift > 63 {
                return None;
            }
            n |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(n);
            }
            shift += 7;
        }
    }

    fn size(&mut self) -> Option<usize> {
        usize::try_from(self.num()?).ok()
    }

    fn flag(&mut self) -> Option<bool> {
        match self.byte()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    fn float(&mut self) -> Option<f64> {
        let (bytes, rest) = self.bin.split_first_chunk::<8>()?;
        self.bin = rest;
        Some(f64::from_bits(u64::from_le_bytes(*bytes)))
    }

    fn str(&mut self) -> Option<&'a str> {
        let len = self.size()?;
        let s = self.text.get(..len)?;
        self.text = self.text.get(len..)?;
        Some(s)
    }

    fn string(&mut self) -> Option<String> {
        self.str().map(String::from)
    }

    fn spanned<T>(
        &mut self,
        value: impl FnOnce(&mut Reader<'a>) -> Option<T>,
    ) -> Option<Spanned<T>> {
        let start = self.size()?;
        let end = start.checked_add(self.size()?)?;
        Some(Spanned::new(start..end, value(self)?))
    }

    fn spanned_str(&mut self) -> Option<Spanned<String>> {
        self.spanned(Reader::string)
    }

    fn opt<T>(&mut self, value: impl FnOnce(&mut Reader<'a>) -> Option<T>) -> Option<Option<T>> {
        match self.flag()? {
            false => Some(None),
            true => value(self).map(Some),
        }
    }

    fn list<T>(&mut self, mut item: impl FnMut(&mut Reader<'a>) -> Option<T>) -> Option<Vec<T>> {
        let n = self.size()?;
        // Every item takes at least one byte of structure: a corrupt count allocates no more.
        let mut items = Vec::with_capacity(n.min(self.bin.len()));
        for _ in 0..n {
            items.push(item(self)?);
        }
        Some(items)
    }

    fn map<V>(
        &mut self,
        mut value: impl FnMut(&mut Reader<'a>) -> Option<V>,
    ) -> Option<BTreeMap<String, V>> {
        let n = self.size()?;
        let mut m = BTreeMap::new();
        for _ in 0..n {
            let k = self.string()?;
            m.insert(k, value(self)?);
        }
        Some(m)
    }

    fn strings(&mut self) -> Option<Vec<String>> {
        self.list(Reader::string)
    }

    fn spanned_strs(&mut self) -> Option<Vec<Spanned<String>>> {
        self.list(Reader::spanned_str)
    }

    fn opt_size(&mut self) -> Option<Option<usize>> {
        self.opt(Reader::size)
    }

    fn opt_float(&mut self) -> Option<Option<f64>> {
        self.opt(Reader::float)
    }

    fn opt_string(&mut self) -> Option<Option<String>> {
        self.opt(Reader::string)
    }

    fn opt_spanned_str(&mut self) -> Option<Option<Spanned<String>>> {
        self.opt(Reader::spanned_str)
    }

    /// The next rule of the current file.
    pub(crate) fn rule(&mut self) -> Option<RuleDef> {
        Some(RuleDef {
            id: self.spanned_str()?,
            description: self.string()?,
            regex: self.opt_spanned_str()?,
            secret_group: self.opt(|r| r.spanned(Reader::group))?,
            keywords: self.spanned_strs()?,
            entropy: self.opt_float()?,
            severity: match self.byte()? {
                0 => Severity::Info,
                1 => Severity::Low,
                2 => Severity::Medium,
                3 => Severity::High,
                4 => Severity::Critical,
                _ => return None,
            },
            confidence: match self.byte()? {
                0 => Confidence::Low,
                1 => Confidence::Medium,
                2 => Confidence::High,
                _ => return None,
            },
            kind: match self.byte()? {
                0 => Kind::Secret,
                1 => Kind::Internal,
                _ => return None,
            },
            tags: self.strings()?,
            checksum: self.opt_spanned_str()?,
            assess: self.opt_spanned_str()?,
            paths: self.spanned_strs()?,
            path_regexes: self.spanned_strs()?,
            multiline: self.flag()?,
            once: self.flag()?,
            window: self.opt(|r| match r.byte()? {
                0 => Some(WindowDef::Line),
                1 => Some(WindowDef::Multiline),
                2 => Some(WindowDef::File),
                _ => None,
            })?,
            unicode: self.flag()?,
            allow_secrets: self.spanned_strs()?,
            allow_lines: self.spanned_strs()?,
            allow_paths: self.spanned_strs()?,
            stopwords: self.strings()?,
            allow_when: self.list(Reader::allow_when)?,
            required: self.list(Reader::required)?,
            skip_report: self.flag()?,
            placeholders: self.opt(Reader::flag)?,
            remediation: self.opt_string()?,
            examples: self.spanned_strs()?,
            counter_examples: self.spanned_strs()?,
            example_path: self.opt_string()?,
            validate: self.opt(Reader::validate)?,
        })
    }

    fn group(&mut self) -> Option<GroupDef> {
        match self.byte()? {
            0 => Some(GroupDef::Index(self.size()?)),
            1 => Some(GroupDef::Name(self.string()?)),
            _ => None,
        }
    }

    fn allow_when(&mut self) -> Option<AllowWhenDef> {
        Some(AllowWhenDef {
            description: self.string()?,
            condition: self.opt_spanned_str()?,
            commits: self.strings()?,
            paths: self.spanned_strs()?,
            path_regexes: self.spanned_strs()?,
            secrets: self.spanned_strs()?,
            matches: self.spanned_strs()?,
            lines: self.spanned_strs()?,
            stopwords: self.strings()?,
            unicode: self.flag()?,
            target_rules: self.spanned_strs()?,
        })
    }

    fn required(&mut self) -> Option<RequiredDef> {
        Some(RequiredDef {
            id: self.spanned_str()?,
            within_lines: self.opt_size()?,
            within_columns: self.opt_size()?,
        })
    }

    fn validate(&mut self) -> Option<ValidateDef> {
        Some(ValidateDef {
            provider: self.spanned_str()?,
            protocol: self.opt_spanned_str()?,
            method: self.opt_spanned_str()?,
            url: self.spanned_str()?,
            hosts: self.spanned_strs()?,
            headers: self.map(Reader::string)?,
            body: self.opt_string()?,
            basic_auth: self.opt(Reader::strings)?,
            secret_parts: self.opt_spanned_str()?,
            pair: self.opt(|r| {
                Some(PairDef {
                    rule: r.spanned_str()?,
                    within_lines: r.opt_size()?,
                })
            })?,
            aws_region: self.opt_string()?,
            aws_service: self.opt_string()?,
            scope: self.opt_string()?,
            valid_status: self.list(|r| u16::try_from(r.num()?).ok())?,
            invalid_status: self.list(|r| u16::try_from(r.num()?).ok())?,
            valid_json: self.map(Reader::toml)?,
            invalid_json: self.map(Reader::toml)?,
            valid_body: self.opt_string()?,
            invalid_body: self.strings()?,
            identity: self.map(Reader::spanned_str)?,
            rate: self.opt_float()?,
        })
    }

    fn toml(&mut self) -> Option<toml::Value> {
        Some(match self.byte()? {
            0 => toml::Value::String(self.string()?),
            1 => toml::Value::Integer(self.num()? as i64),
            2 => toml::Value::Float(self.float()?),
            3 => toml::Value::Boolean(self.flag()?),
            4 => toml::Value::Datetime(self.str()?.parse().ok()?),
            5 => toml::Value::Array(self.list(Reader::toml)?),
            6 => {
                let n = self.size()?;
                let mut t = toml::Table::new();
                for _ in 0..n {
                    let k = self.string()?;
                    t.insert(k, self.toml()?);
                }
                toml::Value::Table(t)
            }
            _ => return None,
        })
    }
}
