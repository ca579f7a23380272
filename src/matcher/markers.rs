//! The marker engine: finds a project's internal markers (codenames, domains, ticket keys,
//! phrases from `[internal]`) in the windows the prefilter found for the generated engine
//! rules, and hashed codenames by hashing identifier segments.
//!
//! The prefilter's shared automaton already holds every marker spelling as a keyword, so a
//! buffer without markers costs one pass that happens anyway; this module runs its own
//! automaton only over the lines that hold a hit, and decides word boundaries there.
//!
//! Boundaries, for a codename `nightjar`: a match must start at the start of a word or of an
//! identifier part (`enable_nightjar`, `enableNightjar`, `ENABLE_NIGHTJAR`, `nightjar-config`)
//! and end at the end of one (`nightjarAgent`, `nightjar_v2`, `nightjar2`). Letters glued on
//! either side make another word (`knightjar`, `nightjars`): the plural of a codename that is
//! also an English word is that word, so it is not reported; list it if it matters. Digits
//! may follow a codename but not precede it (`2nightjar` is not reported, so hex strings
//! rarely match). Multi-word codenames match with one space, `_`, `-` or `.` between the
//! words, or none (`BlueHeron`, `blueheron`).

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::rules::internal::{self, codename_keywords, InternalMarkers};
use crate::rules::{Rule, RuleSet};

/// A marker found by the engine: the rule (index in the rule set) and the byte span.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    /// Start of the marker.
    pub start: usize,
    /// End of the marker (exclusive).
    pub end: usize,
    /// Rule index.
    pub rule: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum What {
    Codename,
    Domain,
    /// Index into `tickets`.
    Ticket(usize),
    Phrase,
}

/// The compiled markers of a rule set.
#[derive(Debug)]
pub struct Markers {
    ac: Option<AhoCorasick>,
    what: Vec<What>,
    tickets: Vec<String>,
    codename_rule: Option<usize>,
    domain_rule: Option<usize>,
    ticket_rule: Option<usize>,
    phrase_rule: Option<usize>,
    hashed: Option<Hashed>,
}

impl Markers {
    /// Compiles the markers of `set`; `None` when it declares none.
    pub fn new(set: &RuleSet) -> Option<Markers> {
        let m: &InternalMarkers = &set.internal;
        if m.is_empty() {
            return None;
        }
        let rule = |id: &str| {
            set.rules
                .iter()
                .position(|r| r.id == id && r.is_engine_rule())
        };
        let mut patterns: Vec<String> = Vec::new();
        let mut what = Vec::new();
        for k in codename_keywords(&m.codenames) {
            patterns.push(k);
            what.push(What::Codename);
        }
        for d in &m.domains {
            patterns.push(d.clone());
            what.push(What::Domain);
        }
        for (i, t) in m.tickets.iter().enumerate() {
            patterns.push(format!("{}-", t.to_ascii_lowercase()));
            what.push(What::Ticket(i));
        }
        for p in &m.phrases {
            patterns.push(p.clone());
            what.push(What::Phrase);
        }
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .ok();
        let hashed = match (&m.hash_key, m.hashes.is_empty()) {
            (Some(key), false) => Some(Hashed::new(key.clone(), m)),
            _ => None,
        };
        Some(Markers {
            ac,
            what,
            tickets: m.tickets.clone(),
            codename_rule: rule(internal::CODENAME),
            domain_rule: rule(internal::DOMAIN),
            ticket_rule: rule(internal::TICKET),
            phrase_rule: rule(internal::PHRASE),
            hashed,
        })
    }

    /// Finds the markers of engine rule `rule` in `buf[start..end]` (the boundaries are
    /// decided on the whole `buf`), appending them to `out` in offset order.
    pub fn scan(&self, rule: usize, buf: &[u8], start: usize, end: usize, out: &mut Vec<Hit>) {
        let first = out.len();
        let wants = |w: What| match w {
            What::Codename => self.codename_rule == Some(rule),
            What::Domain => self.domain_rule == Some(rule),
            What::Ticket(_) => self.ticket_rule == Some(rule),
            What::Phrase => self.phrase_rule == Some(rule),
        };
        if let Some(ac) = &self.ac {
            for m in ac.find_overlapping_iter(&buf[start..end]) {
                let w = self.what[m.pattern().as_usize()];
                if !wants(w) {
                    continue;
                }
                let (s, e) = (start + m.start(), start + m.end());
                let span = match w {
                    What::Codename => codename_bounds(buf, s, e).then_some((s, e)),
                    What::Domain => domain_span(buf, s, e),
                    What::Ticket(i) => ticket_span(buf, s, e, &self.tickets[i]),
                    What::Phrase => phrase_bounds(buf, s, e).then_some((s, e)),
                };
                if let Some((s, e)) = span {
                    out.push(Hit {
                        start: s,
                        end: e,
                        rule,
                    });
                }
            }
        }
        if self.codename_rule == Some(rule) {
            if let Some(h) = &self.hashed {
                h.scan(rule, &buf[..end], start, out);
            }
        }
        keep_outermost(out, first);
    }
}

/// Sorts the hits from `first` on and drops those inside another (`blue` in `blue heron`,
/// a hashed and a plain match of one codename).
fn keep_outermost(out: &mut Vec<Hit>, first: usize) {
    let tail = &mut out[first..];
    tail.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut kept: Vec<Hit> = Vec::with_capacity(tail.len());
    for h in tail.iter() {
        if kept.last().is_some_and(|k| h.end <= k.end) {
            continue;
        }
        kept.push(*h);
    }
    out.truncate(first);
    out.extend(kept);
}

/// Bytes of words: ASCII letters and digits, and any non-ASCII byte (part of a letter).
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

/// Whether `buf[s..e]` starts and ends at word or identifier-part boundaries (module docs).
pub fn codename_bounds(buf: &[u8], s: usize, e: usize) -> bool {
    let left = s == 0 || {
        let (p, c) = (buf[s - 1], buf[s]);
        !is_word(p)
            || (p.is_ascii_lowercase() && c.is_ascii_uppercase())
            || (p.is_ascii_uppercase()
                && c.is_ascii_uppercase()
                && buf.get(s + 1).is_some_and(u8::is_ascii_lowercase))
    };
    let right = e >= buf.len() || {
        let (last, n) = (buf[e - 1], buf[e]);
        !is_word(n)
            || n.is_ascii_digit()
            || (last.is_ascii_lowercase() && n.is_ascii_uppercase())
            || (last.is_ascii_uppercase()
                && n.is_ascii_uppercase()
                && buf.get(e + 1).is_some_and(u8::is_ascii_lowercase))
    };
    left && right
}

fn is_host_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// The whole host name around a domain match (`api.corp.example.com` for
/// `corp.example.com`), or `None` when the match is part of another name
/// (`notcorp.example.com`, `corp.example.com.evil.net`).
fn domain_span(buf: &[u8], s: usize, e: usize) -> Option<(usize, usize)> {
    if e < buf.len() {
        let n = buf[e];
        if is_host_byte(n)
            || (n == b'.' && buf.get(e + 1).is_some_and(|b| b.is_ascii_alphanumeric()))
        {
            return None;
        }
    }
    let mut hs = s;
    if s > 0 {
        match buf[s - 1] {
            b'.' => {
                hs = s - 1;
                while hs > 0 && (is_host_byte(buf[hs - 1]) || buf[hs - 1] == b'.') && s - hs < 253 {
                    hs -= 1;
                }
                while hs < s && buf[hs] == b'.' {
                    hs += 1;
                }
            }
            p if is_host_byte(p) => return None,
            _ => {}
        }
    }
    Some((hs, e))
}

/// `PREFIX-123`: exact-case prefix, 1 to 7 digits, not glued to other words.
fn ticket_span(buf: &[u8], s: usize, e: usize, prefix: &str) -> Option<(usize, usize)> {
    if &buf[s..e - 1] != prefix.as_bytes() {
        return None;
    }
    if s > 0 && (buf[s - 1].is_ascii_alphanumeric() || buf[s - 1] == b'_') {
        return None;
    }
    let digits = buf[e..]
        .iter()
        .take(8)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 0 || digits > 7 {
        return None;
    }
    let end = e + digits;
    if end < buf.len() && (buf[end].is_ascii_alphanumeric() || buf[end] == b'_') {
        return None;
    }
    Some((s, end))
}

fn phrase_bounds(buf: &[u8], s: usize, e: usize) -> bool {
    (s == 0 || !is_word(buf[s - 1])) && (e >= buf.len() || !is_word(buf[e]))
}

/// Hashed codenames: every identifier segment (and run of up to N segments, for N-word
/// codenames) is lower-cased, hashed with the key and looked up.
///
/// HMAC-SHA256 of a short segment costs about a microsecond, so each thread remembers the
/// verdict per distinct segment: source code repeats its identifiers, so a tree has far fewer
/// distinct segments than segments, and the hashing cost follows the former.
#[derive(Debug)]
struct Hashed {
    key: Vec<u8>,
    digests: HashSet<[u8; 32]>,
    max_words: usize,
    id: u64,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);
/// Verdicts remembered per thread before the memo is cleared (bounds memory).
const MEMO_CAP: usize = 1 << 20;

/// Verdicts per segment, tagged with the id of the `Hashed` they belong to.
type Memo = (u64, HashMap<Box<[u8]>, bool, BuildHasherDefault<Fnv>>);

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::new((0, HashMap::default()));
}

/// FNV-1a: the memo's keys are short identifier segments, for which SipHash costs more than
/// the lookup it protects.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// Segments shorter than this are never hashed (codenames have at least 3 characters).
const MIN_SEGMENT: usize = 3;
/// Segment runs longer than this are never hashed.
const MAX_CANDIDATE: usize = 64;

impl Hashed {
    fn new(key: Vec<u8>, m: &InternalMarkers) -> Hashed {
        Hashed {
            key,
            digests: m.hashes.iter().map(|h| h.digest).collect(),
            max_words: m.hashes.iter().map(|h| h.words).max().unwrap_or(1),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// Hashes the segments that start at or after `from` in `buf`.
    fn scan(&self, rule: usize, buf: &[u8], from: usize, out: &mut Vec<Hit>) {
        let segs = segments(buf, from);
        if segs.is_empty() {
            return;
        }
        MEMO.with(|memo| {
            let mut memo = memo.borrow_mut();
            if memo.0 != self.id || memo.1.len() > MEMO_CAP {
                memo.0 = self.id;
                memo.1.clear();
            }
            let mut key = Vec::with_capacity(MAX_CANDIDATE);
            for i in 0..segs.len() {
                key.clear();
                for n in 0..self.max_words {
                    let Some(&(s, e)) = segs.get(i + n) else {
                        break;
                    };
                    if n > 0 {
                        // Words of one codename are adjacent or one separator apart.
                        if s - segs[i + n - 1].1 > 1 {
                            break;
                        }
                        key.push(b' ');
                    }
                    key.extend(buf[s..e].iter().map(u8::to_ascii_lowercase));
                    if key.len() > MAX_CANDIDATE {
                        break;
                    }
                    if key.len() < MIN_SEGMENT {
                        continue;
                    }
                    let hit = match memo.1.get(key.as_slice()) {
                        Some(&v) => v,
                        None => {
                            let v = self
                                .digests
                                .contains(&internal::hash_normalized(&self.key, &key));
                            memo.1.insert(key.clone().into_boxed_slice(), v);
                            v
                        }
                    };
                    if hit {
                        out.push(Hit {
                            start: segs[i].0,
                            end: e,
                            rule,
                        });
                    }
                }
            }
        });
    }
}

/// Identifier segments of `buf` starting at or after `from`: runs of ASCII letters and
/// digits, split at camel-case humps and where digits follow letters, as `codename_bounds`
/// reads them. A run glued to a non-ASCII byte is not a segment.
fn segments(buf: &[u8], from: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = from;
    // Start inside a run: move to its end.
    while i > 0 && i < buf.len() && is_word(buf[i - 1]) {
        i += 1;
    }
    while i < buf.len() {
        if !buf[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let run_start = i;
        while i < buf.len() && buf[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if (run_start > 0 && buf[run_start - 1] >= 0x80) || (i < buf.len() && buf[i] >= 0x80) {
            continue;
        }
        split_run(buf, run_start, i, &mut out);
    }
    out
}

fn split_run(buf: &[u8], s: usize, e: usize, out: &mut Vec<(usize, usize)>) {
    let mut start = s;
    for j in s + 1..e {
        let (p, c) = (buf[j - 1], buf[j]);
        let hump = (p.is_ascii_lowercase() && c.is_ascii_uppercase())
            || (p.is_ascii_uppercase()
                && c.is_ascii_uppercase()
                && buf.get(j + 1).is_some_and(u8::is_ascii_lowercase)
                && j + 1 < e)
            || (p.is_ascii_alphabetic() && c.is_ascii_digit());
        if hump {
            out.push((start, j));
            start = j;
        }
    }
    out.push((start, e));
}

// ---------------------------------------------------------------------------------------------
// The built-in markers in context.
//
// The rules of `rules/internal.toml` need no configuration, so they run on every tree,
// including public code, where a private address in a README or a "for internal use only"
// comment leaks nothing. Their regexes say what a marker looks like; this policy says where it
// counts, from the kind of file (tests, documentation, deployable configuration, other
// source), whether it sits in a comment, and whether the project declared an `[internal]`
// table (it then says that it holds internal material). docs/rules.md, "Built-in internal
// markers in context", is the user-facing description.
// ---------------------------------------------------------------------------------------------

/// The kind of file a path names, as the built-in markers judge context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// Tests, fixtures, examples, samples, demos and templates: their values are made up.
    Test,
    /// Documentation: READMEs, change logs, `docs/`, Markdown, reStructuredText, plain text,
    /// man pages.
    Docs,
    /// Configuration that gets deployed: env files, YAML, JSON, TOML, INI, properties,
    /// Terraform, inventories, compose files, CI configuration, Dockerfiles, kubeconfigs.
    Deploy,
    /// Everything else: source code, scripts, build files, device trees.
    Source,
}

/// Folders whose files are tests, fixtures or examples.
const TEST_DIRS: &[&str] = &[
    "test",
    "tests",
    "testing",
    "selftests",
    "testdata",
    "test-data",
    "test_data",
    "testfiles",
    "fixtures",
    "fixture",
    "__tests__",
    "__fixtures__",
    "__mocks__",
    "mocks",
    "spec",
    "specs",
    "e2e",
    "examples",
    "example",
    "samples",
    "sample",
    "demo",
    "demos",
];
/// Folders of documentation.
const DOC_DIRS: &[&str] = &["doc", "docs", "documentation", "man", "manual", "wiki"];
/// Extensions of documentation.
const DOC_EXTS: &[&str] = &[
    "md", "markdown", "mdx", "rst", "txt", "text", "adoc", "asciidoc", "rdoc", "org", "tex",
    "texi", "texinfo", "pod", "html", "htm", "ipynb", "man",
];
/// File names (upper case, before any extension) of documentation.
const DOC_NAMES: &[&str] = &[
    "README",
    "CHANGELOG",
    "CHANGES",
    "NEWS",
    "HISTORY",
    "FAQ",
    "INSTALL",
    "CONTRIBUTING",
    "AUTHORS",
    "NOTES",
];
/// Extensions of files that are configuration wherever they are.
const DEPLOY_EXTS: &[&str] = &[
    "env",
    "ini",
    "cfg",
    "conf",
    "cnf",
    "config",
    "properties",
    "tf",
    "tfvars",
    "hcl",
    "service",
    "kubeconfig",
];
/// Extensions of data formats that are deployable configuration only by name, folder or
/// content (a YAML file may as well be a rule file full of examples, or a site's menu).
const DATA_EXTS: &[&str] = &["yaml", "yml", "json", "jsonc", "json5", "toml", "xml", "j2"];
/// Folders of deployment: CI, orchestration, provisioning, the configuration of an app.
const DEPLOY_DIRS: &[&str] = &[
    ".github",
    ".circleci",
    ".gitlab",
    ".buildkite",
    ".kube",
    ".ssh",
    "k8s",
    "kubernetes",
    "manifests",
    "deploy",
    "deployment",
    "deployments",
    "helm",
    "charts",
    "ansible",
    "playbooks",
    "roles",
    "inventory",
    "inventories",
    "group_vars",
    "host_vars",
    "terraform",
    "infra",
    "infrastructure",
    "ops",
    "config",
    "configs",
    "conf",
    "etc",
];
/// Names (lower case, before the extension) of deployable configuration in a data format.
const DEPLOY_STEMS: &[&str] = &[
    "docker-compose",
    "compose",
    ".gitlab-ci",
    ".travis",
    "azure-pipelines",
    "bitbucket-pipelines",
    ".drone",
    "cloudbuild",
    "buildspec",
    "appveyor",
    "values",
    "kustomization",
    "application",
    "appsettings",
    "database",
    "playbook",
    "site",
    "serverless",
    "app",
    "fly",
    "netlify",
    "wrangler",
    "vercel",
    "now",
    "config",
    "settings",
    "secrets",
    "credentials",
];

/// The kind of the file at `path` (a rule path: an archive member's own path), inside the
/// archive at `container` if any: a member of an archive under `testdata/` is a test file.
pub fn file_kind(path: &str, container: Option<&str>) -> FileKind {
    if is_test_path(path) || container.is_some_and(is_test_path) {
        return FileKind::Test;
    }
    let path = path.replace('\\', "/");
    let mut parts = path
        .split('/')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>();
    let name = parts.pop().unwrap_or_default();
    let lower = name.to_ascii_lowercase();
    let ext = extension(&lower);
    let stem_upper = name
        .split('.')
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    if parts
        .iter()
        .any(|d| DOC_DIRS.contains(&d.to_ascii_lowercase().as_str()))
        || DOC_EXTS.contains(&ext)
        || (ext.len() == 1 && ext.as_bytes()[0].is_ascii_digit())
        || DOC_NAMES.iter().any(|n| stem_upper == *n)
    {
        return FileKind::Docs;
    }
    let parent = parts.last().map(|p| p.to_ascii_lowercase());
    let stem_lower = lower.split('.').next().unwrap_or_default();
    let stem_lower = if stem_lower.is_empty() {
        // `.gitlab-ci.yml`: the stem keeps its dot.
        lower
            .get(..lower[1..].find('.').map_or(lower.len(), |i| i + 1))
            .unwrap_or_default()
    } else {
        stem_lower
    };
    let data_deploy = DATA_EXTS.contains(&ext)
        && (DEPLOY_STEMS.iter().any(|s| {
            stem_lower == *s
                || stem_lower
                    .strip_prefix(s)
                    .is_some_and(|rest| rest.starts_with(['-', '_']))
        }) || parts
            .iter()
            .any(|d| DEPLOY_DIRS.contains(&d.to_ascii_lowercase().as_str())));
    let deploy_name = data_deploy
        || lower == ".env"
        || lower.starts_with(".env.")
        || lower.starts_with("dockerfile")
        || lower.ends_with(".dockerfile")
        || lower == "containerfile"
        || lower.starts_with("docker-compose")
        || lower.starts_with("compose.")
        || lower == "jenkinsfile"
        || lower == "vagrantfile"
        || lower.starts_with("kubeconfig")
        || lower == "hosts"
        || lower.starts_with("inventory")
        || matches!(
            lower.as_str(),
            ".npmrc" | ".yarnrc" | ".pypirc" | ".netrc" | ".pgpass"
        )
        || (lower == "config" && matches!(parent.as_deref(), Some(".kube" | ".ssh")))
        || (ext.is_empty()
            && parts.iter().any(|d| {
                matches!(
                    d.to_ascii_lowercase().as_str(),
                    "inventory" | "inventories" | "group_vars" | "host_vars"
                )
            }));
    if deploy_name || DEPLOY_EXTS.contains(&ext) {
        return FileKind::Deploy;
    }
    FileKind::Source
}

/// The extension of a lower-case file name (`""` when none; a leading dot is not one).
fn extension(lower: &str) -> &str {
    match lower.rfind('.') {
        Some(i) if i > 0 => &lower[i + 1..],
        _ => "",
    }
}

/// Tests, fixtures and examples, by folder or by name (`x_test.go`, `x.spec.ts`,
/// `test_x.py`, `FooTest.java`, `config.example.yaml`, `app.yaml.sample`, `.env.dist`): a
/// dot-separated part of the name after the first says so.
fn is_test_path(path: &str) -> bool {
    let path = path.replace('\\', "/");
    let mut parts = path
        .split('/')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>();
    let name = parts.pop().unwrap_or_default();
    if parts
        .iter()
        .any(|d| TEST_DIRS.contains(&d.to_ascii_lowercase().as_str()))
    {
        return true;
    }
    let lower = name.to_ascii_lowercase();
    let stem = name.split('.').next().unwrap_or_default();
    let stem_lower = stem.to_ascii_lowercase();
    stem_lower.starts_with("test_")
        || stem_lower.starts_with("test-")
        || ["_test", "-test", "_tests", "_spec", "-spec"]
            .iter()
            .any(|s| stem_lower.ends_with(s))
        || (stem.len() > 4 && (stem.ends_with("Test") || stem.ends_with("Tests")))
        || lower.split('.').skip(1).any(|part| {
            matches!(
                part,
                "test"
                    | "tests"
                    | "spec"
                    | "example"
                    | "examples"
                    | "sample"
                    | "samples"
                    | "template"
                    | "templates"
                    | "dist"
            )
        })
}

/// Whether a YAML file is a Kubernetes manifest (`apiVersion:` and `kind:` at the start of a
/// line), wherever it is: deployable configuration by content.
fn is_manifest(path: &str, buf: &[u8]) -> bool {
    let ext = extension(&path.to_ascii_lowercase()).to_string();
    let at_line_start = |key: &[u8]| {
        buf.starts_with(key)
            || memchr::memmem::find_iter(buf, key).any(|p| p > 0 && buf[p - 1] == b'\n')
    };
    matches!(ext.as_str(), "yaml" | "yml")
        && at_line_start(b"apiVersion:")
        && at_line_start(b"kind:")
}

/// Whether the byte at `at` lies in a comment, judged on its line: the line starts with a
/// comment marker (`#`, `//`, `/*`, `*`, `;`, `--`, `<!--`, `%`, `rem`), or one opens before
/// it (`/*`, `<!--`, `//` that is not part of `scheme://`, `#` after white space).
pub fn in_comment(buf: &[u8], at: usize) -> bool {
    let at = at.min(buf.len());
    let ls = memchr::memrchr(b'\n', &buf[..at]).map_or(0, |p| p + 1);
    let before = &buf[ls..at];
    let trimmed = before.trim_ascii_start();
    const LEADERS: &[&[u8]] = &[
        b"#", b"//", b"/*", b"*", b";", b"--", b"<!--", b"%", b"rem ", b"REM ",
    ];
    if LEADERS.iter().any(|l| trimmed.starts_with(l)) {
        return true;
    }
    let opens = |pat: &[u8]| memchr::memmem::find(before, pat).is_some();
    if opens(b"/*") || opens(b"<!--") {
        return true;
    }
    memchr::memmem::find_iter(before, b"//").any(|p| p == 0 || before[p - 1] != b':')
        || memchr::memmem::find_iter(before, b"#")
            .any(|p| p > 0 && matches!(before[p - 1], b' ' | b'\t'))
}

/// What a built-in marker rule needs from its context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Policy {
    /// A classification banner: a team's vocabulary.
    Banner,
    /// A private address or host name: counts where it configures a host.
    Host,
    /// A file that must not ship, recognised by name or content; a content rule also names
    /// the extensions of the files it is about (empty: any; `""` in the list: none).
    File(&'static [&'static str]),
}

/// The policy of a built-in rule, by id; `None` for other rules (a rule of the same id from
/// a configuration file is the project's own and is left as written).
fn policy(rule: &Rule) -> Option<Policy> {
    if rule.source != "builtin:rules/internal.toml" {
        return None;
    }
    Some(match rule.id.as_str() {
        "internal-classification-banner" => Policy::Banner,
        "internal-private-ip" | "internal-private-host" => Policy::Host,
        "internal-kubeconfig" => Policy::File(&["yaml", "yml", "conf", "config", "kubeconfig", ""]),
        "internal-sql-dump" => Policy::File(&["sql", "dump", "bak", "gz", ""]),
        "internal-inline-source-map" => Policy::File(&["js", "mjs", "cjs", "jsx", "css"]),
        "internal-env-file"
        | "internal-key-file"
        | "internal-npmrc-token"
        | "internal-source-map-sources" => Policy::File(&[]),
        _ => return None,
    })
}

/// What the context makes of a built-in marker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Reported at the rule's confidence.
    Keep,
    /// Reported at `low` confidence (shown with `--min-confidence low`).
    Low,
    /// Not reported; the reason is what `--explain` shows.
    Drop(&'static str),
}

/// The context policy of a rule set: which rules it applies to, and whether the project
/// declared an `[internal]` table.
#[derive(Debug)]
pub struct Context {
    policies: Vec<Option<Policy>>,
    declared: bool,
}

impl Context {
    /// The policy of `set`'s built-in marker rules.
    pub fn new(set: &RuleSet) -> Context {
        Context {
            policies: set.rules.iter().map(policy).collect(),
            declared: set.internal.declared,
        }
    }

    /// Judges as if the project had an `[internal]` table (the rule self-test shows what each
    /// rule matches once a project opts in).
    pub fn assume_declared(&mut self) {
        self.declared = true;
    }

    /// True when rule `rule` has a context policy.
    pub fn applies(&self, rule: usize) -> bool {
        self.policies.get(rule).is_some_and(Option::is_some)
    }

    /// The verdict on a match of rule `rule` whose secret starts at `at` in `buf`, found in
    /// the file at `path` (inside the archive at `container`, if any).
    pub fn judge(
        &self,
        rule: usize,
        buf: &[u8],
        at: usize,
        path: &str,
        container: Option<&str>,
    ) -> Verdict {
        let Some(Some(p)) = self.policies.get(rule) else {
            return Verdict::Keep;
        };
        let kind = file_kind(path, container);
        match *p {
            Policy::Banner if !self.declared => Verdict::Drop(
                "a classification phrase is a team's vocabulary: reported with an [internal] table",
            ),
            Policy::Banner => Verdict::Keep,
            Policy::Host if kind == FileKind::Test => Verdict::Drop("test or example file"),
            Policy::Host if self.declared => Verdict::Keep,
            Policy::Host => match kind {
                FileKind::Docs => Verdict::Drop("documentation"),
                _ if in_comment(buf, at) => Verdict::Drop("comment"),
                FileKind::Deploy => Verdict::Keep,
                _ if is_manifest(path, buf) => Verdict::Keep,
                _ => Verdict::Low,
            },
            Policy::File(_) if kind == FileKind::Test => Verdict::Low,
            Policy::File(exts) if !exts.is_empty() => {
                let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
                if kind == FileKind::Docs {
                    if self.declared {
                        Verdict::Low
                    } else {
                        Verdict::Drop("documentation")
                    }
                } else if exts.contains(&extension(&name)) {
                    Verdict::Keep
                } else {
                    Verdict::Low
                }
            }
            Policy::File(_) => Verdict::Keep,
        }
    }

    /// Every answer the policy gives about a path alone (for [`super::Matcher::path_profile`]).
    pub fn path_profile(&self, path: &str) -> [bool; 4] {
        let k = file_kind(path, None);
        [
            k == FileKind::Test,
            k == FileKind::Docs,
            k == FileKind::Deploy,
            k == FileKind::Source,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::internal::{codename_words, hash_words, CodenameHash};

    fn set(codenames: &[&str], hashes: &[&str], key: Option<&[u8]>) -> RuleSet {
        let mut m = InternalMarkers {
            codenames: codenames.iter().map(|c| codename_words(c)).collect(),
            ..InternalMarkers::default()
        };
        if let Some(k) = key {
            m.hash_key = Some(k.to_vec());
            m.hashes = hashes
                .iter()
                .map(|c| {
                    let w = codename_words(c);
                    CodenameHash {
                        words: w.len(),
                        digest: hash_words(k, &w),
                    }
                })
                .collect();
        }
        let mut rule = crate::rules::load::builtin_rules()
            .unwrap_or_default()
            .into_iter()
            .next()
            .expect("a rule");
        rule.id = internal::CODENAME.into();
        rule.regex = None;
        rule.paths = None;
        RuleSet {
            rules: vec![rule],
            internal: m,
            ..RuleSet::default()
        }
    }

    fn found(markers: &Markers, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        markers.scan(0, text.as_bytes(), 0, text.len(), &mut out);
        out.iter()
            .map(|h| text[h.start..h.end].to_string())
            .collect()
    }

    #[test]
    fn codename_spellings() {
        let m = Markers::new(&set(&["nightjar", "blue heron"], &[], None)).expect("markers");
        for (text, want) in [
            ("NIGHTJAR", "NIGHTJAR"),
            ("Nightjar ships", "Nightjar"),
            ("nightjarAgent", "nightjar"),
            ("new NightjarAgent()", "Nightjar"),
            ("enable_nightjar", "nightjar"),
            ("ENABLE_NIGHTJAR=1", "NIGHTJAR"),
            ("nightjar-config", "nightjar"),
            ("enableNightjar", "Nightjar"),
            ("nightjar2", "nightjar"),
            ("XMLNightjar", "Nightjar"),
            ("blue heron", "blue heron"),
            ("BlueHeron", "BlueHeron"),
            ("blue_heron", "blue_heron"),
            ("blue-heron", "blue-heron"),
            ("BLUE_HERON_URL", "BLUE_HERON"),
            ("initBlueHeronClient", "BlueHeron"),
        ] {
            assert_eq!(found(&m, text), vec![want.to_string()], "{text}");
        }
        for text in [
            "knightjar",
            "nightjars",
            "NIGHTJARS",
            "2nightjar",
            "nightjarring",
            "blue  heron",
            "blueberry heron",
            "bluebird",
        ] {
            assert_eq!(found(&m, text), Vec::<String>::new(), "{text}");
        }
    }

    #[test]
    fn hashed_codenames_match_like_plain_ones() {
        let m =
            Markers::new(&set(&[], &["nightjar", "blue heron"], Some(b"key"))).expect("markers");
        assert_eq!(
            found(&m, "x = NightjarAgent(); enable_nightjar"),
            vec!["Nightjar", "nightjar"]
        );
        assert_eq!(
            found(&m, "BLUE_HERON and BlueHeron, blue heron"),
            vec!["BLUE_HERON", "BlueHeron", "blue heron"]
        );
        assert_eq!(
            found(&m, "knightjar nightjars 2nightjar bluebird"),
            Vec::<String>::new()
        );
        let other_key = Markers::new(&set(&[], &["nightjar"], Some(b"other"))).expect("markers");
        assert_eq!(found(&other_key, "nightjar"), vec!["nightjar"]);
    }

    #[test]
    fn domains_tickets_phrases() {
        let mut s = set(&[], &[], None);
        s.internal.domains = vec!["corp.example.com".into()];
        s.internal.tickets = vec!["ABC".into()];
        s.internal.phrases = vec!["eyes only".into()];
        let mut rules: Vec<_> = std::iter::repeat_with(|| {
            crate::rules::load::builtin_rules()
                .unwrap_or_default()
                .into_iter()
                .next()
                .expect("rule")
        })
        .take(3)
        .collect();
        for (r, id) in rules
            .iter_mut()
            .zip([internal::DOMAIN, internal::TICKET, internal::PHRASE])
        {
            r.id = id.into();
            r.regex = None;
            r.paths = None;
        }
        s.rules = rules;
        let m = Markers::new(&s).expect("markers");
        let scan = |rule: usize, text: &str| {
            let mut out = Vec::new();
            m.scan(rule, text.as_bytes(), 0, text.len(), &mut out);
            out.iter()
                .map(|h| text[h.start..h.end].to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            scan(
                0,
                "https://api.eu.corp.example.com/v1 and corp.example.com."
            ),
            vec!["api.eu.corp.example.com", "corp.example.com"]
        );
        assert_eq!(
            scan(
                0,
                "notcorp.example.com corp.example.com.evil.net corp.example.community"
            ),
            Vec::<String>::new()
        );
        assert_eq!(
            scan(1, "fixes ABC-1234, see feature/ABC-7"),
            vec!["ABC-1234", "ABC-7"]
        );
        assert_eq!(
            scan(1, "abc-1234 XABC-12 ABC-x ABC-12345678 ABC-12a"),
            Vec::<String>::new()
        );
        assert_eq!(scan(2, "For your Eyes Only."), vec!["Eyes Only"]);
        assert_eq!(scan(2, "eyes onlyx"), Vec::<String>::new());
    }

    #[test]
    fn segments_split_like_boundaries() {
        let text = b"enableNightjar XMLParser v2x nightjar2 caf\xc3\xa9nightjar";
        let segs: Vec<&[u8]> = segments(text, 0)
            .iter()
            .map(|&(s, e)| &text[s..e])
            .collect();
        let want: Vec<&[u8]> = vec![
            b"enable",
            b"Nightjar",
            b"XML",
            b"Parser",
            b"v",
            b"2x",
            b"nightjar",
            b"2",
        ];
        assert_eq!(segs, want);
    }

    #[test]
    fn file_kinds() {
        use FileKind::*;
        for (path, want) in [
            ("tools/testing/selftests/net/run.sh", Test),
            ("pkg/scan/testdata/.env", Test),
            ("src/__tests__/api.ts", Test),
            ("src/api_test.go", Test),
            ("src/api.spec.ts", Test),
            ("tests.py/test_api.py", Test),
            ("src/main/java/FooTest.java", Test),
            ("config/app.example.yml", Test),
            ("deploy/values.yaml.sample", Test),
            ("examples/deploy/app.yaml", Test),
            (".env.example", Test),
            ("config.yml.dist", Test),
            ("deploy/app.distribution.yml", Deploy),
            ("src/contest.py", Source),
            ("README.md", Docs),
            ("README", Docs),
            ("Documentation/networking/bonding.rst", Docs),
            ("docs/deploy.yaml", Docs),
            ("tools/perf/perf-config.txt", Docs),
            ("man/leakscan.1", Docs),
            ("CHANGELOG", Docs),
            (".env", Deploy),
            (".env.production", Deploy),
            ("prod.env", Deploy),
            ("deploy/docker-compose.yml", Deploy),
            ("docker-compose.override.yaml", Deploy),
            (".gitlab-ci.yml", Deploy),
            (".github/workflows/release.yml", Deploy),
            ("infra/main.tf", Deploy),
            ("prod.tfvars", Deploy),
            ("ansible/inventory/hosts", Deploy),
            ("inventory/prod", Deploy),
            ("helm/app/values.yaml", Deploy),
            ("values-prod.yaml", Deploy),
            ("src/main/resources/application-prod.yml", Deploy),
            ("appsettings.Production.json", Deploy),
            ("nginx/site.conf", Deploy),
            ("Dockerfile", Deploy),
            ("home/.kube/config", Deploy),
            ("src/net.c", Source),
            ("arch/arm/configs/pxa_defconfig", Source),
            ("arch/arm/boot/dts/board.dts", Source),
            ("data/rules/jenkins.yml", Source),
            ("package.json", Source),
            ("Cargo.toml", Source),
            ("scripts/deploy.sh", Source),
        ] {
            assert_eq!(file_kind(path, None), want, "{path}");
        }
        assert_eq!(
            file_kind("files/.env.prod", Some("testdata/files.tar")),
            Test
        );
        assert_eq!(file_kind("package/.env", Some("dist/app-1.0.tgz")), Deploy);
    }

    #[test]
    fn comments() {
        let at = |line: &str| {
            let buf = format!("x = 1\n{line}");
            in_comment(buf.as_bytes(), buf.find("10.").expect("an address"))
        };
        for line in [
            "# upstream = 10.1.2.3:80",
            "  // see http://10.1.2.3/",
            " * Example: 10.1.2.3:1024",
            "/* 10.1.2.3:1024 */",
            "u8 size; /* host 10.1.2.3:80 */",
            "x = 1  # was 10.1.2.3:80",
            "<!-- http://10.1.2.3/ -->",
            "; server=10.1.2.3",
            "-- host 10.1.2.3:5432",
        ] {
            assert!(at(line), "{line}");
        }
        for line in [
            "url = \"http://10.1.2.3:80/\"",
            "DB_HOST: 10.1.2.3",
            "- amqp://u@10.1.2.3:5672/",
            "color=#fff host=10.1.2.3:80",
        ] {
            assert!(!at(line), "{line}");
        }
    }

    #[test]
    fn context_verdicts() {
        let mut set = RuleSet {
            rules: crate::rules::load::builtin_rules().expect("built-in rules"),
            ..RuleSet::default()
        };
        let idx = |set: &RuleSet, id: &str| {
            set.rules
                .iter()
                .position(|r| r.id == id)
                .expect("built-in rule")
        };
        let ip = idx(&set, "internal-private-ip");
        let banner = idx(&set, "internal-classification-banner");
        let env = idx(&set, "internal-env-file");
        let kube = idx(&set, "internal-kubeconfig");
        let generic = idx(&set, "generic-password");
        let line = b"upstream = 10.1.2.3:8080\n";
        let comment = b"# upstream = 10.1.2.3:8080\n";
        let public = Context::new(&set);
        assert_eq!(
            public.judge(ip, line, 11, "deploy/app.conf", None),
            Verdict::Keep
        );
        assert_eq!(public.judge(ip, line, 11, "src/app.py", None), Verdict::Low);
        assert_eq!(
            public.judge(ip, line, 11, "README.md", None),
            Verdict::Drop("documentation")
        );
        assert_eq!(
            public.judge(ip, comment, 13, "deploy/app.conf", None),
            Verdict::Drop("comment")
        );
        assert_eq!(
            public.judge(ip, line, 11, "tests/app.conf", None),
            Verdict::Drop("test or example file")
        );
        let manifest = b"apiVersion: v1\nkind: ConfigMap\ndata:\n  upstream: http://10.1.2.3/\n";
        assert_eq!(
            public.judge(ip, manifest, 60, "k/svc.yaml", None),
            Verdict::Keep
        );
        assert_eq!(public.judge(ip, line, 11, "k/svc.yaml", None), Verdict::Low);
        assert!(matches!(
            public.judge(banner, b"INTERNAL ONLY", 0, "src/a.c", None),
            Verdict::Drop(_)
        ));
        assert_eq!(public.judge(env, b"A=b", 2, ".env", None), Verdict::Keep);
        assert_eq!(
            public.judge(env, b"A=b", 2, "testdata/.env", None),
            Verdict::Low
        );
        assert_eq!(
            public.judge(kube, b"kind: Config", 6, "kubeconfig", None),
            Verdict::Keep
        );
        assert_eq!(
            public.judge(kube, b"kind: Config", 6, "k8s/client.go", None),
            Verdict::Low
        );
        assert_eq!(
            public.judge(kube, b"kind: Config", 6, "docs/k8s.md", None),
            Verdict::Drop("documentation")
        );
        // Other rules are not judged, and a rule of the same id from a configuration file is
        // the project's own.
        assert!(!public.applies(generic));
        set.rules[ip].source = "cfg.toml".into();
        assert!(!Context::new(&set).applies(ip));
        set.rules[ip].source = "builtin:rules/internal.toml".into();
        // With an [internal] table: banners count, addresses count in docs and comments.
        set.internal.declared = true;
        let declared = Context::new(&set);
        assert_eq!(
            declared.judge(banner, b"INTERNAL ONLY", 0, "src/a.c", None),
            Verdict::Keep
        );
        assert_eq!(
            declared.judge(ip, line, 11, "README.md", None),
            Verdict::Keep
        );
        assert_eq!(
            declared.judge(ip, comment, 13, "src/a.py", None),
            Verdict::Keep
        );
        assert_eq!(
            declared.judge(ip, line, 11, "tests/app.conf", None),
            Verdict::Drop("test or example file")
        );
        assert_eq!(
            declared.judge(kube, b"kind: Config", 6, "docs/k8s.md", None),
            Verdict::Low
        );
    }
}
