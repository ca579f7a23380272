//! Guard: no full secret appears in any output (text, JSON, errors, explain) unless
//! `--no-redact` is given.

use crate::util::{github_token, Dir};

fn secrets() -> Vec<String> {
    vec![
        github_token("ghp", "R8sT2uV4wX6yZ8aB0cD2eF4gH6iJ8k"),
        "Tr0ub4dor&3xK9zQ".to_string(),
    ]
}

fn tree() -> Dir {
    let d = Dir::new();
    let s = secrets();
    d.write(
        "config.py",
        format!("TOKEN = \"{}\"\npassword = \"{}\"\n", s[0], s[1]),
    );
    d
}

/// Every way a report could carry a secret that a reader could test a guess against: the
/// secret itself, its common encodings, its unkeyed digests, and the retired leakscan/v1
/// fingerprint (which held the secret's SHA-256).
fn confirmers(secret: &str) -> Vec<(String, String)> {
    use base64::Engine;
    use sha2::Digest;
    let b = secret.as_bytes();
    let mut out = vec![
        ("the secret".to_string(), secret.to_string()),
        ("hex".into(), hex::encode(b)),
        (
            "base64".into(),
            base64::engine::general_purpose::STANDARD.encode(b),
        ),
        ("sha224".into(), hex::encode(sha2::Sha224::digest(b))),
        ("sha256".into(), hex::encode(sha2::Sha256::digest(b))),
        ("sha384".into(), hex::encode(sha2::Sha384::digest(b))),
        ("sha512".into(), hex::encode(sha2::Sha512::digest(b))),
    ];
    for rule in ["generic-password", "github-pat-classic", "github-pat"] {
        out.push((
            format!("leakscan/v1 fingerprint ({rule})"),
            leakscan::fingerprint::compute_v1(rule, "config.py", b),
        ));
    }
    out
}

fn assert_no_secret(out: &str, what: &str) {
    let lower = out.to_ascii_lowercase();
    for s in secrets() {
        for (how, v) in confirmers(&s) {
            let found = if how == "the secret" || how == "base64" {
                out.contains(&v)
            } else {
                lower.contains(&v)
            };
            assert!(!found, "{what} carries {how} of a secret:\n{out}");
        }
    }
}

#[test]
fn no_output_format_leaks_by_default() {
    let d = tree();
    for format in [
        "text", "json", "sarif", "junit", "gitlab", "html", "markdown", "csv", "jsonl",
    ] {
        for extra in [
            &[][..],
            &["--explain"][..],
            &["--min-confidence", "low"][..],
        ] {
            let mut args = vec!["scan", ".", "--format", format];
            args.extend_from_slice(extra);
            let r = d.run(&args);
            assert_eq!(r.code(), 1, "{format} {extra:?}: {}", r.stderr());
            assert_no_secret(&r.stdout(), format);
            assert_no_secret(&r.stderr(), "stderr");
        }
    }
    let r = d.run(&["scan", ".", "--format", "json", "--output", "out.json"]);
    assert_eq!(r.code(), 1);
    let written = std::fs::read_to_string(d.path().join("out.json")).expect("report");
    assert_no_secret(&written, "--output file");
    let r = d.run(&["baseline", "create", "-o", "baseline.json", "."]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert_no_secret(
        &std::fs::read_to_string(d.path().join("baseline.json")).expect("baseline"),
        "baseline",
    );
    assert_no_secret(&r.stderr(), "baseline create");
}

#[test]
fn no_redact_shows_the_secret() {
    let d = tree();
    let r = d.run(&["scan", ".", "--format", "json", "--no-redact"]);
    assert!(r.stdout().contains(&secrets()[0]));
}
