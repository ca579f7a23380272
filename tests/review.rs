//! The correctness bugs of the design review (issue 13), one test each, run through the
//! binary so that each can be run against the binary from before the fix
//! (`LEAKSCAN_TEST_PROGRAM=/path/to/old/leakscan cargo test --test main review::`), where
//! each fails.
//!
//! Files past the whole-read limit are 64 MiB and more: these tests write them to a
//! temporary folder. The scanner's own border cases, with shrunken limits, are in
//! `tests/paths.rs`.

use leakscan::scan::ChunkLimits;

use crate::repo::Repo;
use crate::util::{Dir, TEST_RULES, TOKEN};

/// A file just past the whole-read limit: lines of 100 dots.
fn big_text() -> Vec<u8> {
    let size = ChunkLimits::default().whole as usize + 4096;
    let mut data = vec![b'.'; size];
    for i in (99..size).step_by(100) {
        data[i] = b'\n';
    }
    data
}

fn scan_json(d: &Dir, config: &str) -> serde_json::Value {
    d.write("rules.toml", config);
    let r = d.run(&[
        "scan",
        ".",
        "--config",
        "rules.toml",
        "--format",
        "json",
        "--no-progress",
    ]);
    assert!(r.code() <= 1, "{}", r.stderr());
    r.json()
}

fn rule_ids(j: &serde_json::Value) -> Vec<String> {
    j["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Bug 1: a finding on the first line of a chunk (past the first) of a large file was given a
/// column counted from the chunk's start, and its snippet was cut there.
#[test]
fn chunked_file_columns_count_from_the_line_start() {
    let d = Dir::new();
    let chunk = ChunkLimits::default().chunk;
    let mut data = big_text();
    // A 300-character line across the first chunk border, the token at column 228.
    let line_start = chunk - 200;
    data[line_start - 1] = b'\n';
    data[line_start..line_start + 300].fill(b'x');
    data[line_start + 300] = b'\n';
    let at = line_start + 227;
    data[at - 1] = b' ';
    data[at..at + TOKEN.len()].copy_from_slice(TOKEN.as_bytes());
    data[at + TOKEN.len()] = b' ';
    d.write("big.txt", &data);
    let j = scan_json(&d, TEST_RULES);
    let f = &j["findings"][0];
    assert_eq!(j["findings"].as_array().map(Vec::len), Some(1), "{j}");
    assert_eq!(f["offset"], at as u64);
    assert_eq!(f["column"], 228, "{f}");
    let newlines = data[..at].iter().filter(|&&b| b == b'\n').count() as u64;
    assert_eq!(f["line"], newlines + 1);
    // The snippet shows the line before the token (60 characters), as for a small file.
    let snippet = f["snippet"].as_str().expect("snippet");
    assert!(
        snippet.starts_with(&format!("…{} tt_k", "x".repeat(59))),
        "{snippet}"
    );
}

/// Bug 2: overlap suppression between rules stopped above 10,000 candidates in one buffer.
#[test]
fn overlap_suppression_has_no_candidate_cap() {
    let d = Dir::new();
    let config = format!(
        "{TEST_RULES}\n[[rules]]\nid = \"test-token-weak\"\ndescription = \"Weak\"\nregex = '''\\b(tt_[a-z0-9]{{24}})\\b'''\nkeywords = [\"tt_\"]\nconfidence = \"medium\"\n"
    );
    // 5,001 distinct tokens, each matched by both rules.
    let mut text = String::new();
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..5001 {
        let mut t = String::from("tt_");
        for _ in 0..24 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            t.push(b"abcdefghijklmnopqrstuvwxyz0123456789"[(x % 36) as usize] as char);
        }
        text.push_str(&format!("k = {t}\n"));
    }
    d.write("many.txt", text);
    let j = scan_json(&d, &config);
    let ids = rule_ids(&j);
    assert_eq!(ids.len(), 5001, "one finding per token");
    assert!(ids.iter().all(|id| id == "test-token"));
}

/// Bug 3: an empty commit in a list allowed every commit (commits matched by prefix); a
/// gitleaks configuration's commits matched by prefix though gitleaks matches them exactly.
#[test]
fn allowlist_commits_empty_is_an_error_and_gitleaks_commits_are_exact() {
    let repo = Repo::new();
    repo.write("a.txt", &format!("k = {TOKEN}\n"));
    let commit = repo.commit("add a token");
    repo.dir.write(
        "empty.toml",
        format!("{TEST_RULES}\n[[allow-when]]\ncommits = [\"\"]\n"),
    );
    let r = repo.scan_with("empty.toml", &[]);
    assert_eq!(r.code(), 2, "{}", r.stderr());
    assert!(r.stderr().contains("commits"), "{}", r.stderr());
    // Prefixes stay for leakscan's own configuration (documented).
    repo.dir.write(
        "prefix.toml",
        format!(
            "{TEST_RULES}\n[[allow-when]]\ncommits = [\"{}\"]\n",
            &commit[..10]
        ),
    );
    let r = repo.scan_with("prefix.toml", &[]);
    assert_eq!(r.code(), 0, "{}", r.stdout());
    // gitleaks: exact ids only.
    let gitleaks = |commits: &str| {
        format!("[[rules]]\nid = \"test-token\"\nregex = '''\\b(tt_[a-z0-9]{{24}})\\b'''\nkeywords = [\"tt_\"]\n[[allowlists]]\ncommits = [\"{commits}\"]\n")
    };
    repo.dir.write("gl-prefix.toml", gitleaks(&commit[..10]));
    let r = repo.scan_with("gl-prefix.toml", &[]);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    repo.dir
        .write("gl-exact.toml", gitleaks(&commit.to_uppercase()));
    let r = repo.scan_with("gl-exact.toml", &[]);
    assert_eq!(r.code(), 0, "{}", r.stdout());
}

/// Bug 4: files past the whole-read limit skipped the media check, and got no UTF-16 or
/// encoded-span decoding.
#[test]
fn large_files_get_the_media_check_and_decoding() {
    let d = Dir::new();
    // A video: `ftyp` at offset 4, holding a token.
    let mut video = big_text();
    video[..12].copy_from_slice(b"\x00\x00\x00\x18ftypmp42");
    video[5000..5000 + TOKEN.len()].copy_from_slice(TOKEN.as_bytes());
    video[4999] = b' ';
    d.write("clip.mp4", &video);
    // UTF-16LE text with a token past the first chunk.
    let mut text = ".".repeat(ChunkLimits::default().whole as usize / 2 + 4096);
    let at = ChunkLimits::default().chunk + 77;
    text.replace_range(at..at + TOKEN.len() + 2, &format!(" {TOKEN} "));
    let mut utf16 = vec![0xff, 0xfe];
    for u in text.encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    d.write("wide.txt", &utf16);
    // Base64 of a token line in a large text file.
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(format!("token = {TOKEN}\n"));
    let mut data = big_text();
    let at = ChunkLimits::default().chunk * 2 + 310;
    data[at - 1] = b' ';
    data[at..at + b64.len()].copy_from_slice(b64.as_bytes());
    data[at + b64.len()] = b' ';
    d.write("encoded.txt", &data);
    let j = scan_json(&d, TEST_RULES);
    let found: Vec<(String, String)> = j["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["location"].as_str().unwrap_or_default().to_string(),
                f["decoded"]["encoding"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            ("encoded.txt".to_string(), "base64".to_string()),
            ("wide.txt".to_string(), "utf-16le".to_string()),
        ],
        "{j}"
    );
    let skipped = j["skipped"].to_string();
    assert!(
        skipped.contains("clip.mp4") && skipped.contains("media"),
        "{skipped}"
    );
}

/// Bug 5: an archive past the whole-read limit was checked against `allow.paths` only, not
/// the allowlists.
#[test]
fn large_archives_are_checked_against_every_allowlist() {
    let d = Dir::new();
    let mut member = big_text();
    member[10..10 + TOKEN.len()].copy_from_slice(TOKEN.as_bytes());
    member[9] = b' ';
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_ustar();
    h.set_path("inner.txt").expect("name");
    h.set_size(member.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    b.append(&h, member.as_slice()).expect("append");
    d.write("big.tar", b.into_inner().expect("tar"));
    let config = format!("{TEST_RULES}\n[[allow-when]]\npaths = [\"big.tar\"]\n");
    let j = scan_json(&d, &config);
    assert_eq!(rule_ids(&j), Vec::<String>::new(), "{j}");
    // The same archive is scanned without the allowlist.
    let j = scan_json(&d, TEST_RULES);
    assert_eq!(rule_ids(&j), vec!["test-token".to_string()]);
}

/// Bug 7: the source-map region was found by searching the text for `"sourcesContent"`, so
/// the word elsewhere (here in `names`, before the key) lost the region and findings in the
/// embedded sources were reported twice, in the map and in the source.
#[test]
fn source_map_region_comes_from_the_parsed_json() {
    let d = Dir::new();
    let map = serde_json::json!({
        "version": 3,
        "names": ["sourcesContent"],
        "sources": ["webpack:///./src/a.ts"],
        "sourcesContent": [format!("export const k = \"{TOKEN}\";\n")],
        "mappings": "AAAA",
    })
    .to_string();
    d.write("dist/a.js.map", map);
    let j = scan_json(&d, TEST_RULES);
    let locations: Vec<&str> = j["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["location"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(locations, vec!["dist/a.js.map!src/a.ts"], "{j}");
}
