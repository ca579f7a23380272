//! The `[internal]` table: a project's own internal markers (codenames, domains, ticket
//! prefixes, classification phrases, files that must never ship), validated into
//! [`InternalMarkers`] plus the generated rules that report them.
//!
//! This module only reads and checks what the configuration declares; the automaton that
//! finds the markers is built by [`crate::matcher::markers`]. A list of codenames is itself
//! internal, so it may also come from a file or an environment variable outside the
//! repository, or as keyed hashes (HMAC-SHA256) that reveal nothing without the key.

use std::path::{Path, PathBuf};

use super::span::Spanned;
use hmac::{KeyInit, Mac};
use sha2::Sha256;

use super::model::{InternalDef, Severity};
use super::validate::{path_set, Problems};
use super::{Confidence, Kind, Rule, SecretGroup, StopWords};

pub use super::set::{
    CodenameHash, InternalMarkers, CODENAME, DEFAULT_KEY_ENV, DOMAIN, NEVER_SHIP, PHRASE,
    SOURCE_SUFFIX, TICKET,
};

impl InternalMarkers {
    /// True when no marker is listed.
    pub fn is_empty(&self) -> bool {
        self.codenames.is_empty()
            && (self.hashes.is_empty() || self.hash_key.is_none())
            && self.domains.is_empty()
            && self.tickets.is_empty()
            && self.phrases.is_empty()
    }
}

/// What `[internal]` produced.
#[derive(Debug, Default)]
pub struct Built {
    /// The markers.
    pub markers: InternalMarkers,
    /// Generated rules (engine rules without regex, and the never-ship path rule).
    pub rules: Vec<Rule>,
    /// Files the markers were read from: never scanned, like the configuration itself.
    pub files: Vec<PathBuf>,
    /// Markers that could not be loaded (key or variable not set). The caller decides
    /// whether that is an error (a scan that fails on internal markers) or a note.
    pub warnings: Vec<String>,
}

/// Splits a codename into lower-case words at spaces, `_`, `-`, `.` and camel-case humps:
/// `BlueHeron`, `blue_heron` and `blue heron` all give `["blue", "heron"]`.
pub fn codename_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = s.trim().chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_whitespace() || matches!(c, '_' | '-' | '.') {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let hump = c.is_ascii_uppercase()
            && i > 0
            && (chars[i - 1].is_ascii_lowercase()
                || chars[i - 1].is_ascii_digit()
                || chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase())
                    && chars[i - 1].is_ascii_uppercase());
        if hump && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// HMAC-SHA256 of a codename's words joined by one space, under `key`.
pub fn hash_words(key: &[u8], words: &[String]) -> [u8; 32] {
    hash_normalized(key, words.join(" ").as_bytes())
}

/// HMAC-SHA256 of already normalised bytes (lower-case words joined by one space).
pub fn hash_normalized(key: &[u8], normalized: &[u8]) -> [u8; 32] {
    let mut mac =
        <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable_hmac());
    mac.update(normalized);
    mac.finalize().into_bytes().into()
}

// HMAC accepts keys of any length; this is never called.
fn unreachable_hmac() -> hmac::Hmac<Sha256> {
    <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(b"").expect("hmac takes any key length")
}

/// The configuration form of a hash: 64 hex digits, prefixed with `N:` for an N-word codename.
pub fn format_hash(h: &CodenameHash) -> String {
    let hex = hex::encode(h.digest);
    if h.words > 1 {
        format!("{}:{hex}", h.words)
    } else {
        hex
    }
}

/// Parses the form written by [`format_hash`].
pub fn parse_hash(s: &str) -> Option<CodenameHash> {
    let (words, hex) = match s.split_once(':') {
        Some((n, h)) => (
            n.parse::<usize>()
                .ok()
                .filter(|n| (1..=MAX_HASH_WORDS).contains(n))?,
            h,
        ),
        None => (1, s),
    };
    let bytes = hex::decode(hex.trim()).ok()?;
    let digest: [u8; 32] = bytes.try_into().ok()?;
    Some(CodenameHash { words, digest })
}

/// Hashed codenames have at most this many words (each extra word costs a lookup per
/// identifier segment).
pub const MAX_HASH_WORDS: usize = 4;

fn valid_codename(words: &[String]) -> Result<(), &'static str> {
    let len: usize = words.iter().map(String::len).sum();
    if words.is_empty() {
        return Err("empty codename");
    }
    if len < 3 {
        return Err("codenames need at least 3 characters");
    }
    if words.len() > 8 {
        return Err("codenames have at most 8 words");
    }
    Ok(())
}

/// Reads codenames from text: one per line or comma-separated; `#` starts a comment.
pub fn parse_codename_list(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or_default())
        .flat_map(|l| l.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

fn expand_home(p: &str) -> PathBuf {
    match (p.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(p),
    }
}

/// Builds the markers and generated rules of an `[internal]` table of `file` (whose text is
/// `text`), recording problems located in that text.
pub fn build(def: InternalDef, file: &Path, text: &str, problems: &mut Problems) -> Built {
    let name = file.display().to_string();
    let mut built = Built::default();
    built.markers.declared = true;
    let m = &mut built.markers;
    let add_codename =
        |raw: &str, at: Option<usize>, m: &mut InternalMarkers, problems: &mut Problems| {
            let words = codename_words(raw);
            match valid_codename(&words) {
                Ok(()) if !m.codenames.contains(&words) => m.codenames.push(words),
                Ok(()) => {}
                Err(why) => match at {
                    Some(at) => problems.at(&name, text, at, format!("internal.codenames: {why}")),
                    None => problems.push(format!("{name}: internal codename list: {why}")),
                },
            }
        };
    for c in &def.codenames {
        add_codename(c.get_ref(), Some(c.span().start), m, problems);
    }
    if let Some(f) = &def.codenames_file {
        let path = file
            .parent()
            .unwrap_or(Path::new("."))
            .join(expand_home(f.get_ref()));
        match std::fs::read_to_string(&path) {
            Ok(t) => {
                for c in parse_codename_list(&t) {
                    add_codename(&c, None, m, problems);
                }
                built.files.push(path);
            }
            Err(e) => built.warnings.push(format!(
                "{name}: internal.codenames-file {}: {e}",
                path.display()
            )),
        }
    }
    if let Some(var) = &def.codenames_env {
        match std::env::var(var.get_ref()) {
            Ok(t) => {
                for c in parse_codename_list(&t) {
                    add_codename(&c, None, m, problems);
                }
            }
            Err(_) => built.warnings.push(format!(
                "{name}: internal.codenames-env: {} is not set",
                var.get_ref()
            )),
        }
    }
    for h in &def.codename_hashes {
        match parse_hash(h.get_ref()) {
            Some(parsed) => m.hashes.push(parsed),
            None => problems.at(&name, text, h.span().start, "internal.codename-hashes: expected 64 hex digits, optionally prefixed with the word count (`2:...`), as printed by `leakscan internal hash`"),
        }
    }
    if !m.hashes.is_empty() {
        let var = def
            .hash_key_env
            .as_ref()
            .map_or(DEFAULT_KEY_ENV, |v| v.get_ref().as_str());
        match std::env::var_os(var) {
            Some(k) if !k.is_empty() => m.hash_key = Some(k.to_string_lossy().into_owned().into_bytes()),
            _ => built.warnings.push(format!("{name}: internal.codename-hashes: the key variable {var} is not set, hashed codenames are not checked")),
        }
    }
    m.domains = lower_list(
        &def.domains,
        "internal.domains",
        &name,
        text,
        problems,
        valid_domain,
    );
    m.tickets = def
        .ticket_prefixes
        .iter()
        .filter_map(|t| {
            let ok = !t.get_ref().is_empty() && t.get_ref().bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') && t.get_ref().as_bytes()[0].is_ascii_alphabetic();
            if !ok {
                problems.at(&name, text, t.span().start, "internal.ticket-prefixes: a prefix is letters, digits and '_', starting with a letter (`ABC` for ABC-1234)");
            }
            ok.then(|| t.get_ref().clone())
        })
        .collect();
    m.phrases = lower_list(
        &def.phrases,
        "internal.phrases",
        &name,
        text,
        problems,
        |p| p.trim().len() >= 3,
    );

    let allow_paths = path_set(
        &def.allow_paths,
        &[],
        &name,
        text,
        "internal.allow-paths",
        problems,
    );
    let severity = def.severity.unwrap_or_default();
    let source = format!("{name}:{SOURCE_SUFFIX}");
    let engine =
        |id: &str, description: &str, keywords: Vec<String>, confidence: Confidence| Rule {
            keywords,
            confidence,
            allow_paths: allow_paths.clone(),
            ..generated_rule(id, description, severity, &source)
        };
    let m = &built.markers;
    if !m.codenames.is_empty() || (m.hash_key.is_some() && !m.hashes.is_empty()) {
        // Hashed codenames have no keywords: the rule then runs on every buffer.
        let keywords = if m.hash_key.is_some() && !m.hashes.is_empty() {
            Vec::new()
        } else {
            codename_keywords(&m.codenames)
        };
        built.rules.push(engine(
            CODENAME,
            "Internal codename",
            keywords,
            Confidence::High,
        ));
    }
    if !m.domains.is_empty() {
        built.rules.push(engine(
            DOMAIN,
            "Internal domain or host",
            m.domains.clone(),
            Confidence::High,
        ));
    }
    if !m.tickets.is_empty() {
        let kw = m
            .tickets
            .iter()
            .map(|t| format!("{}-", t.to_ascii_lowercase()))
            .collect();
        built.rules.push(engine(
            TICKET,
            "Internal issue-tracker key",
            kw,
            Confidence::Medium,
        ));
    }
    if !m.phrases.is_empty() {
        built.rules.push(engine(
            PHRASE,
            "Internal classification phrase",
            m.phrases.clone(),
            Confidence::Medium,
        ));
    }
    if !def.never_ship.is_empty() {
        let paths = path_set(
            &def.never_ship,
            &[],
            &name,
            text,
            "internal.never-ship",
            problems,
        );
        built.rules.push(Rule {
            paths,
            allow_paths,
            severity: def.severity.unwrap_or(Severity::High),
            remediation: Some("Remove the file from what is published (package files list, .npmignore, Cargo `exclude`).".into()),
            ..generated_rule(NEVER_SHIP, "File that must never ship", severity, &source)
        });
    }
    built
}

fn valid_domain(d: &str) -> bool {
    let d = d.trim_matches('.');
    d.contains('.')
        && d.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.'))
}

fn lower_list(
    items: &[Spanned<String>],
    what: &str,
    name: &str,
    text: &str,
    problems: &mut Problems,
    ok: impl Fn(&str) -> bool,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for it in items {
        let v = it.get_ref().trim().trim_matches('.').to_ascii_lowercase();
        if !ok(&v) {
            problems.at(
                name,
                text,
                it.span().start,
                format!("{what}: '{}' is not valid here", it.get_ref()),
            );
        } else if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

/// A generated internal rule with no regex and no paths (an engine rule); callers fill in
/// keywords or paths.
fn generated_rule(id: &str, description: &str, severity: Severity, source: &str) -> Rule {
    Rule {
        id: id.into(),
        description: description.into(),
        regex: None,
        secret_group: SecretGroup::Auto,
        keywords: Vec::new(),
        entropy: None,
        severity,
        confidence: Confidence::High,
        kind: Kind::Internal,
        tags: vec!["internal".into()],
        checksum: None,
        assess: None,
        paths: None,
        multiline: false,
        once: false,
        whole: false,
        allowlists: Vec::new(),
        required: Vec::new(),
        skip_report: false,
        allow_secrets: Vec::new(),
        allow_lines: Vec::new(),
        allow_paths: None,
        stopwords: StopWords::default(),
        placeholders: false,
        remediation: Some(
            "Remove the internal reference before publishing, or publish from a clean export."
                .into(),
        ),
        examples: Vec::new(),
        counter_examples: Vec::new(),
        example_path: "example.txt".into(),
        source: source.into(),
        validate: None,
    }
}

/// Separators between the words of a multi-word codename; the empty one gives `BlueHeron`.
const SEPARATORS: &[&str] = &[" ", "_", "-", ".", ""];

/// The keywords (lower case) under which the prefilter finds codenames: every spelling.
pub fn codename_keywords(codenames: &[Vec<String>]) -> Vec<String> {
    let mut out = Vec::new();
    for words in codenames {
        if words.len() == 1 {
            out.push(words[0].clone());
        } else {
            out.extend(SEPARATORS.iter().map(|sep| words.join(sep)));
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        for s in [
            "blue heron",
            "BlueHeron",
            "blue_heron",
            "BLUE-HERON",
            "blueHeron",
            " blue  heron ",
        ] {
            assert_eq!(codename_words(s), vec!["blue", "heron"], "{s}");
        }
        assert_eq!(codename_words("nightjar"), vec!["nightjar"]);
        assert_eq!(codename_words("NIGHTJAR"), vec!["nightjar"]);
        assert_eq!(codename_words("XMLParser"), vec!["xml", "parser"]);
        assert_eq!(codename_words("project2501"), vec!["project2501"]);
    }

    #[test]
    fn hash_round_trip() {
        let h = CodenameHash {
            words: 2,
            digest: hash_words(b"k", &codename_words("blue heron")),
        };
        let s = format_hash(&h);
        assert!(s.starts_with("2:") && s.len() == 66, "{s}");
        assert_eq!(parse_hash(&s), Some(h));
        assert_eq!(parse_hash("zz"), None);
        assert_eq!(parse_hash(&format!("9:{}", "0".repeat(64))), None);
        // The same codename hashes the same in any spelling; other keys give other hashes.
        assert_eq!(
            hash_words(b"k", &codename_words("BlueHeron")),
            hash_words(b"k", &codename_words("blue_heron"))
        );
        assert_ne!(
            hash_words(b"k", &codename_words("blue heron")),
            hash_words(b"j", &codename_words("blue heron"))
        );
    }
}
