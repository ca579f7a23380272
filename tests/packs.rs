//! History read from pack files (each delta applied to its base in memory, keywords searched
//! only where a delta inserted bytes) must find exactly what reading every blob whole finds:
//! the same repository is scanned with loose objects, then repacked with deltas, and the two
//! reports must agree. Histories are written with `git fast-import`: hundreds of commits in a
//! few milliseconds.

use crate::repo::Repo;
use crate::util::{Run, TEST_RULES};

/// The test rules plus a rule with a long keyword, so that keywords cross the seams between
/// what a delta copied and what it inserted.
fn rules() -> String {
    let long = r#"
[[rules]]
id = "long-keyword"
description = "A secret behind a long keyword"
regex = '''internal_service_credential\s*=\s*"([a-z0-9]{20})"'''
keywords = ["internal_service_credential"]
entropy = 2.5
confidence = "high"
"#;
    format!("{TEST_RULES}{long}")
}

/// A deterministic generator (an LCG).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize % n.max(1)
    }

    fn word(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| b"abcdefghijklmnopqrstuvwxyz0123456789"[self.below(36)] as char)
            .collect()
    }

    /// One line of a file: filler, a token, a long-keyword secret, a keyword without one, or a
    /// token hidden in base64, percent-encoding, string escapes or a template literal (whose
    /// escapes may run over the next lines).
    fn line(&mut self) -> String {
        use base64::Engine;
        match self.below(16) {
            0 => format!("token = \"tt_{}\"", self.word(24)),
            1 => format!("internal_service_credential = \"{}\"", self.word(20)),
            2 => "internal_service_credential is read from the vault".to_string(),
            3 => format!("tt_ short {}", self.word(5)),
            4 => {
                let plain = format!("the token is tt_{} in base64", self.word(24));
                let b64 = base64::engine::general_purpose::STANDARD.encode(plain);
                format!("blob = \"{b64}\"")
            }
            5 => format!(
                "url = https://x.test/?q=%22tt_{}%22%20and%20more",
                self.word(24)
            ),
            6 => format!(
                "s = \"first line\\ntt_{} \\u0041 second\\nthird line of a string long enough\"",
                self.word(24)
            ),
            7 => format!("t = `template \\x41 tt_{}", self.word(24)),
            8 => "more of the template\\".to_string(),
            9 => "`; // end".to_string(),
            _ => format!("let v{} = compute({});", self.below(1000), self.word(8)),
        }
    }
}

/// A history of `commits` commits over `files` files, each commit inserting, deleting, or
/// changing a few characters of lines (tokens cut and joined included), as a fast-import
/// stream.
fn history(seed: u64, commits: usize, files: usize) -> String {
    let mut rng = Lcg(seed);
    let mut files: Vec<(String, Vec<String>)> = (0..files)
        .map(|i| {
            let lines = (0..40).map(|_| rng.line()).collect();
            (format!("src/file{i}.rs"), lines)
        })
        .collect();
    let mut s = String::new();
    for c in 0..commits {
        let f = rng.below(files.len());
        let lines = &mut files[f].1;
        for _ in 0..1 + rng.below(3) {
            let at = rng.below(lines.len());
            match rng.below(5) {
                0 => lines.insert(at, rng.line()),
                1 if lines.len() > 5 => {
                    lines.remove(at);
                }
                2 => {
                    // Change one character: a token may lose or gain its shape.
                    let mut b = lines[at].clone().into_bytes();
                    if !b.is_empty() {
                        let k = rng.below(b.len());
                        b[k] = b"a_9 \"="[rng.below(6)];
                    }
                    lines[at] = String::from_utf8(b).expect("ascii");
                }
                3 if at + 1 < lines.len() => {
                    // Join two lines.
                    let next = lines.remove(at + 1);
                    lines[at].push_str(&next);
                }
                _ => lines[at] = rng.line(),
            }
        }
        let body = files[f].1.join("\n") + "\n";
        let t = 1_700_000_000 + 60 * c;
        s.push_str(&format!(
            "commit refs/heads/main\nmark :{}\ncommitter Cy Committer <cy@example.com> {t} +0000\ndata 7\nchange\n",
            c + 1
        ));
        if c > 0 {
            s.push_str(&format!("from :{c}\n"));
        }
        s.push_str(&format!(
            "M 100644 inline {}\ndata {}\n{body}\n",
            files[f].0,
            body.len()
        ));
    }
    s
}

fn imported(seed: u64, commits: usize, files: usize) -> Repo {
    let r = Repo::with_rules(&rules());
    let out = r.git_try(
        &r.work(),
        &["fast-import", "--quiet"],
        Some(&history(seed, commits, files)),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    r.git(&["reset", "-q", "--hard", "main"]);
    r
}

/// What a report says, in order: rule, path, line, column, blob, commit, fingerprint.
fn report(run: &Run) -> Vec<String> {
    assert!(
        run.code() == 0 || run.code() == 1,
        "{}{}",
        run.stdout(),
        run.stderr()
    );
    let j = run.json();
    assert_eq!(
        j["skipped"].as_array().map(Vec::len),
        Some(0),
        "{}",
        j["skipped"]
    );
    j["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}:{} {} {} {}",
                f["rule_id"],
                f["path"],
                f["line"],
                f["column"],
                f["blob_id"],
                f["commit"]["id"],
                f["fingerprint"]
            )
        })
        .collect()
}

/// The longest delta chain of the repository's packs.
fn longest_chain(r: &Repo) -> usize {
    let pack = std::fs::read_dir(r.work().join(".git/objects/pack"))
        .expect("pack dir")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "idx"))
        .expect("an index");
    let out = r.git(&["verify-pack", "-v", &pack.display().to_string()]);
    out.lines()
        .filter_map(|l| l.strip_prefix("chain length = "))
        .filter_map(|l| l.split(':').next()?.trim().parse().ok())
        .max()
        .unwrap_or(0)
}

#[test]
fn packed_history_finds_what_loose_objects_find() {
    for seed in [1, 2, 3] {
        let r = imported(seed, 150, 3);
        // fast-import writes a pack; unpack it so that every blob is read whole first.
        r.git(&["repack", "-adfq", "--window=0"]);
        let whole = report(&r.scan(&["--no-worktree"]));
        assert!(whole.len() > 10, "the history holds secrets: {whole:?}");
        r.git(&["repack", "-adfq", "--depth=50", "--window=50"]);
        assert!(longest_chain(&r) >= 10, "deltas were written");
        let packed = report(&r.scan(&["--no-worktree"]));
        assert_eq!(packed, whole, "seed {seed}");
        let one_thread = report(&r.scan(&["--no-worktree", "--threads", "1"]));
        assert_eq!(one_thread, whole, "seed {seed}, one thread");
    }
}

/// A history that git packs as one long delta chain: each commit replaces one long line and
/// shortens the file by a byte, so that each version is closest to the one before it and
/// sorts right after it.
fn chain_history(commits: usize) -> String {
    let mut rng = Lcg(5);
    let long_line = |rng: &mut Lcg| {
        let mut l = if rng.below(4) == 0 {
            format!("token = \"tt_{}\" ", rng.word(24))
        } else {
            String::new()
        };
        while l.len() < 200 {
            l.push_str(&rng.word(9));
            l.push(' ');
        }
        // Lines of one length, so that the file shrinks by exactly a byte per commit.
        l.truncate(200);
        l
    };
    let mut lines: Vec<String> = (0..40).map(|_| long_line(&mut rng)).collect();
    let mut s = String::new();
    for c in 0..commits {
        let at = rng.below(lines.len());
        lines[at] = long_line(&mut rng);
        let body = format!("{}\n{}\n", lines.join("\n"), "#".repeat(commits - c));
        s.push_str(&format!(
            "commit refs/heads/main\nmark :{}\ncommitter Cy Committer <cy@example.com> {} +0000\ndata 7\nchange\n",
            c + 1,
            1_700_000_000 + 60 * c
        ));
        if c > 0 {
            s.push_str(&format!("from :{c}\n"));
        }
        s.push_str(&format!(
            "M 100644 inline chain.txt\ndata {}\n{body}\n",
            body.len()
        ));
    }
    s
}

#[test]
fn chains_deeper_than_the_walk_goes_are_still_read() {
    let r = Repo::with_rules(&rules());
    let out = r.git_try(
        &r.work(),
        &["fast-import", "--quiet"],
        Some(&chain_history(250)),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    r.git(&["repack", "-adfq", "--window=0"]);
    let whole = report(&r.scan(&["--no-worktree"]));
    assert!(whole.len() > 10, "{whole:?}");
    r.git(&["repack", "-adfq", "--depth=4000", "--window=250"]);
    let depth = longest_chain(&r);
    assert!(depth > 150, "chains deeper than the walk's limit: {depth}");
    assert_eq!(report(&r.scan(&["--no-worktree"])), whole);
}

/// Overwrites the second half of the compressed data of the largest delta entry of `kind`
/// (`blob`, `tree`) in the repository's pack.
fn corrupt_largest_delta(r: &Repo, kind: &str) {
    let pack = std::fs::read_dir(r.work().join(".git/objects/pack"))
        .expect("pack dir")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "pack"))
        .expect("a pack");
    let idx = pack.with_extension("idx").display().to_string();
    let listing = r.git(&["verify-pack", "-v", &idx]);
    let (offset, size) = listing
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            // id type size size-in-pack offset depth base
            (f.len() == 7 && f[1] == kind).then(|| {
                (
                    f[4].parse::<usize>().expect("offset"),
                    f[3].parse::<usize>().expect("size"),
                )
            })
        })
        .max_by_key(|&(_, size)| size)
        .expect("a delta entry");
    let mut bytes = std::fs::read(&pack).expect("read pack");
    for b in &mut bytes[offset + size / 2..offset + size - 1] {
        *b = 0x55;
    }
    let mut perms = std::fs::metadata(&pack).expect("pack").permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&pack, perms).expect("chmod");
    std::fs::write(&pack, bytes).expect("corrupt");
}

/// Scans a repository with a corrupt entry: findings, skips that are all corrupt objects, and
/// the report says it is incomplete.
fn scan_corrupt(r: &Repo) {
    let run = r.scan(&["--no-worktree"]);
    assert_eq!(run.code(), 1, "{}{}", run.stdout(), run.stderr());
    let j = run.json();
    let skipped = j["skipped"].as_array().expect("skipped");
    assert!(
        !skipped.is_empty() && skipped.iter().all(|s| s["reason"] == "corrupt-object"),
        "{skipped:?}"
    );
    assert!(!j["findings"].as_array().expect("findings").is_empty());
    assert_eq!(j["summary"]["incomplete"], true);
}

#[test]
fn a_corrupt_packed_delta_is_a_skip_and_the_rest_is_scanned() {
    let r = imported(11, 60, 3);
    r.git(&["repack", "-adfq", "--depth=50", "--window=50"]);
    corrupt_largest_delta(&r, "blob");
    scan_corrupt(&r);
}

#[test]
fn a_corrupt_packed_tree_is_a_skip_and_the_rest_is_scanned() {
    let r = imported(12, 60, 3);
    r.git(&["repack", "-adfq", "--depth=50", "--window=50"]);
    corrupt_largest_delta(&r, "tree");
    scan_corrupt(&r);
}

#[test]
fn a_corrupt_pack_index_offset_is_a_skip_not_a_panic() {
    let r = imported(13, 40, 2);
    r.git(&["repack", "-adfq", "--depth=50", "--window=50"]);
    let idx = std::fs::read_dir(r.work().join(".git/objects/pack"))
        .expect("pack dir")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "idx"))
        .expect("an index");
    // Version 2 index: header (8), fan-out (1024), ids (20 each), CRCs (4 each), then the
    // 32-bit offsets. Point the offset of one object past every 64-bit offset there is.
    let mut bytes = std::fs::read(&idx).expect("read index");
    let n = u32::from_be_bytes(bytes[8 + 255 * 4..8 + 256 * 4].try_into().expect("count")) as usize;
    let offsets = 8 + 1024 + n * 20 + n * 4;
    // The position of a blob in the index (ids are sorted there).
    let blob = r.git(&["rev-parse", "HEAD~5:src/file0.rs"]);
    let ids: Vec<&[u8]> = (0..n)
        .map(|i| &bytes[8 + 1024 + 20 * i..8 + 1024 + 20 * (i + 1)])
        .collect();
    let want = hex_bytes(&blob);
    let k = ids
        .iter()
        .position(|id| *id == want.as_slice())
        .expect("blob in the index");
    bytes[offsets + 4 * k..offsets + 4 * k + 4].copy_from_slice(&0xffff_fff0u32.to_be_bytes());
    let mut perms = std::fs::metadata(&idx).expect("index").permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&idx, perms).expect("chmod");
    std::fs::write(&idx, bytes).expect("corrupt");
    let run = r.scan(&["--no-worktree"]);
    assert!(
        run.code() == 1 || run.code() == 3,
        "{}{}",
        run.stdout(),
        run.stderr()
    );
    assert!(!run.stderr().contains("panicked"), "{}", run.stderr());
    let j = run.json();
    assert_eq!(j["summary"]["incomplete"], true, "{}", j["skipped"]);
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}
