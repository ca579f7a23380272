//! One harness for the scanner's three ways into a buffer: every case is scanned whole, in
//! chunks far smaller than the case (so that matches, lines and encoded spans cross chunk
//! borders), and as the member of an archive (opened by the scanner, and read as a source by
//! the scan driver); all of them must give the same findings and the
//! same dropped candidates (`--explain`), located the same.
//!
//! Cases: every file of the labelled detection corpus (`fixtures/detection/corpus`) and every
//! example and counter-example of the built-in rules, with the built-in pack at the lowest
//! confidence, plus the border cases below with the test rules.

use std::path::Path;
use std::sync::Arc;

use leakscan::finding::Finding;
use leakscan::rules::{Confidence, RuleSet};
use leakscan::scan::{ChunkLimits, Output, ScanOptions, Scanner};
use leakscan::source::archive::{Budget, Input, Kind, Limits, Members};
use leakscan::source::Origin;

use crate::util::{repo_root, TEST_RULES, TOKEN};

/// What must agree between the paths: everything a report shows of a finding but the
/// archive member around it (and GitHub's line hash, computed for whole checked-out files).
type Seen = (
    String,
    usize,
    usize,
    usize,
    usize,
    u64,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    bool,
);

fn seen(f: &Finding) -> Seen {
    (
        f.rule_id.clone(),
        f.line,
        f.column,
        f.end_line,
        f.end_column,
        f.offset,
        f.secret.as_ref().map(|s| s.expose()),
        f.snippet.clone(),
        f.dropped.clone(),
        f.origin.decoding().map(|d| format!("{d:?}")),
        f.binary,
    )
}

fn all_seen(out: &Output) -> (Vec<Seen>, Vec<Seen>) {
    let mut f: Vec<Seen> = out.findings.iter().map(seen).collect();
    let mut d: Vec<Seen> = out.dropped.iter().map(seen).collect();
    f.sort();
    d.sort();
    (f, d)
}

fn scanner(rules: &Arc<RuleSet>, chunks: ChunkLimits) -> Scanner {
    Scanner::new(
        rules.clone(),
        ScanOptions {
            explain: true,
            min_confidence: Confidence::Low,
            chunks,
            ..ScanOptions::default()
        },
    )
}

fn tar_of(name: &str, data: &[u8]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_path(name).expect("member name");
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    b.append(&h, data).expect("append");
    b.into_inner().expect("tar")
}

/// Filler lines around a case, so that the case is several chunks long.
fn pad(data: &[u8], lines: usize) -> Vec<u8> {
    let filler: Vec<u8> = (0..lines)
        .flat_map(|i| format!("filler line {i}\n").into_bytes())
        .collect();
    [filler.as_slice(), data, b"\n", filler.as_slice()].concat()
}

/// Scans `data` named `name` the three ways and compares: whole, in chunks of each of
/// `chunks` (and of a fifth of the input), and as an archive member. The overlap is the
/// case's longest line plus its longest match: no line or match is cut by the end of a buffer
/// (the defaults, 256 KiB past 16 MiB chunks, give the same guarantee for lines and matches up
/// to that size), and the chunked path must cross at least one border, or the case is padded
/// with filler lines until it does.
fn check(rules: &Arc<RuleSet>, name: &str, data: &[u8], chunks: &[usize]) -> usize {
    let whole = scanner(rules, ChunkLimits::default());
    let scan_whole = |data: &[u8]| {
        let mut a = Output::default();
        whole.scan_bytes(&Origin::file(name), data, &mut a);
        a
    };
    let mut a = scan_whole(data);
    let longest_match = a
        .findings
        .iter()
        .chain(&a.dropped)
        .map(|f| f.secret.as_ref().map_or(0, |s| s.expose().len()))
        .max()
        .unwrap_or(0);
    let longest_line = data
        .split(|&b| b == b'\n')
        .map(<[u8]>::len)
        .max()
        .unwrap_or(0);
    let overlap = longest_line + longest_match + 16;
    let mut data = data.to_vec();
    if data.len() < 2 * overlap + 64 && decode_free(&data) {
        data = pad(&data, (2 * overlap + 64) / 12 + 1);
        a = scan_whole(&data);
    }
    // Source maps and archives are opened only when read whole.
    let opened_whole = name.ends_with(".map")
        || leakscan::source::archive::detect(name, &data[..data.len().min(512)]).is_some();
    if !opened_whole {
        let fifth = data.len().saturating_sub(overlap) / 5 + 1;
        for &chunk in chunks.iter().chain([&fifth]) {
            let chunked = scanner(
                rules,
                ChunkLimits {
                    whole: 0,
                    chunk,
                    overlap,
                    context: 8192,
                },
            );
            let mut b = Output::default();
            chunked.scan_reader(&Origin::file(name), &mut &data[..], &mut b);
            assert_eq!(
                all_seen(&a),
                all_seen(&b),
                "{name}: whole vs chunks of {chunk} (overlap {overlap})"
            );
        }
    }
    let mut c = Output::default();
    let tar = tar_of(name, &data);
    whole.scan_bytes(&Origin::file("case.tar"), &tar, &mut c);
    assert_eq!(
        all_seen(&a),
        all_seen(&c),
        "{name}: whole vs archive member"
    );
    // The archive's members as a source of their own, through the scan driver.
    let origin = Origin::file("case.tar");
    let budget = Budget::new(Limits::default(), tar.len() as u64);
    let members = Members::new(&origin, Kind::Tar, Input::Bytes(&tar), &budget);
    let d = leakscan::drive::scan_source(&members, &whole, false, None);
    assert_eq!(
        all_seen(&a),
        all_seen(&d),
        "{name}: whole vs archive member as a source"
    );
    a.findings.len() + a.dropped.len()
}

/// True when filler lines can be added around the case: not UTF-16 (padded by its caller).
fn decode_free(data: &[u8]) -> bool {
    leakscan::source::decode::utf16_layout(data).is_none()
}

fn builtin() -> Arc<RuleSet> {
    Arc::new(
        leakscan::rules::load(&leakscan::rules::ConfigSource::None)
            .expect("built-in rules")
            .rules,
    )
}

fn test_rules() -> Arc<RuleSet> {
    Arc::new(
        leakscan::rules::load::load_native(Path::new("rules.toml"), TEST_RULES).expect("rules"),
    )
}

#[test]
fn detection_corpus_gives_the_same_findings_whole_chunked_and_in_archives() {
    let rules = builtin();
    let root = repo_root().join("fixtures/detection/corpus");
    let mut files = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("corpus") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    assert!(files.len() > 500, "corpus missing: {}", files.len());
    let mut compared = 0;
    for p in &files {
        let data = std::fs::read(p).expect("read");
        let name = p
            .strip_prefix(&root)
            .expect("inside")
            .to_string_lossy()
            .replace('\\', "/");
        compared += check(&rules, &name, &data, &[]);
    }
    assert!(compared > 500, "only {compared} findings compared");
}

#[test]
fn rule_examples_give_the_same_findings_whole_chunked_and_in_archives() {
    let rules = builtin();
    let mut compared = 0;
    for rule in &rules.rules {
        for (i, ex) in rule
            .examples
            .iter()
            .chain(&rule.counter_examples)
            .enumerate()
        {
            let text = format!("# {}-{i}\n{ex}\n", rule.id);
            compared += check(&rules, &rule.example_path, text.as_bytes(), &[]);
        }
    }
    assert!(compared > 100, "only {compared} findings compared");
}

#[test]
fn border_cases_give_the_same_findings_whole_chunked_and_in_archives() {
    use base64::Engine as _;
    let rules = test_rules();
    let b64 = base64::engine::general_purpose::STANDARD.encode(format!("t = {TOKEN}\n"));
    let mut utf16 = vec![0xff, 0xfe];
    let wide = pad(format!("a = 1\nkey = {TOKEN}\n").as_bytes(), 20);
    for u in String::from_utf8_lossy(&wide).encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("plain.txt", format!("x\nk = {TOKEN}\n").into_bytes()),
        ("first-byte.txt", TOKEN.as_bytes().to_vec()),
        (
            "long-line.txt",
            format!("{} {TOKEN} {}\n", "é".repeat(300), "x".repeat(50)).into_bytes(),
        ),
        (
            "two-on-a-line.txt",
            format!("a={TOKEN} b={TOKEN}\nc = tt_p9o8i7u6y5t4r3e2w1q0a9s8\n").into_bytes(),
        ),
        ("crlf.txt", format!("a\r\nk = {TOKEN}\r\n").into_bytes()),
        (
            "inline-allow.txt",
            format!("k = {TOKEN} # leakscan:allow\nk2 = {TOKEN}\n").into_bytes(),
        ),
        (
            "placeholder.txt",
            b"k = tt_aaaaaaaaaaaaaaaaaaaaaaaa\n".to_vec(),
        ),
        ("encoded.txt", format!("data: {b64}\n").into_bytes()),
        ("wide.txt", utf16),
        (
            "binary.bin",
            [b"\x00\x01\x02 ".as_slice(), TOKEN.as_bytes(), b" \x00\n"].concat(),
        ),
    ];
    let mut compared = 0;
    for (name, data) in &cases {
        compared += check(&rules, name, data, &[1, 2, 5, 17, 64]);
    }
    assert!(compared >= 10, "only {compared} findings compared");
}
