//! Bad input, table-driven: each case makes one bad input beside a good file that holds a
//! secret, and asserts the reported skip, the exit status, and that the good file's finding is
//! still reported.

use crate::util::{Dir, TEST_RULES as RULES, TOKEN};

/// What a case expects of the bad input.
struct Expect {
    /// Skip reason reported for it, if any.
    skip: Option<&'static str>,
    /// Whether that skip is allowed (does not make the scan incomplete).
    allowed: bool,
    /// Extra findings (beyond the good file's one) expected in the bad input.
    findings_in_bad: usize,
}

struct Case {
    name: &'static str,
    make: fn(&Dir),
    expect: Expect,
}

fn pseudo_random(n: usize, mut seed: u64) -> Vec<u8> {
    (0..n)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect()
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "random bytes",
            make: |d| {
                d.write("bad/random.bin", pseudo_random(1 << 20, 7));
            },
            expect: Expect {
                skip: None,
                allowed: false,
                findings_in_bad: 0,
            },
        },
        Case {
            name: "empty file",
            make: |d| {
                d.write("bad/empty.txt", "");
            },
            expect: Expect {
                skip: None,
                allowed: false,
                findings_in_bad: 0,
            },
        },
        Case {
            name: "invalid utf-8 around a secret",
            make: |d| {
                let mut v = vec![0xff, 0xfe, 0xc3, 0x28, b' '];
                v.extend_from_slice(TOKEN.as_bytes());
                v.extend_from_slice(&[b' ', 0xa0, 0xa1, b'\n']);
                d.write("bad/latin.txt", v);
            },
            expect: Expect {
                skip: None,
                allowed: false,
                findings_in_bad: 1,
            },
        },
        Case {
            name: "crlf line endings",
            make: |d| {
                d.write("bad/crlf.txt", format!("a\r\nb = {TOKEN}\r\n"));
            },
            expect: Expect {
                skip: None,
                allowed: false,
                findings_in_bad: 1,
            },
        },
        Case {
            name: "nul-filled file with a secret",
            make: |d| {
                let mut v = vec![0u8; 100_000];
                v[50_000..50_000 + TOKEN.len()].copy_from_slice(TOKEN.as_bytes());
                d.write("bad/nul.bin", v);
            },
            expect: Expect {
                skip: None,
                allowed: false,
                findings_in_bad: 1,
            },
        },
        Case {
            name: "one 50 MB line",
            make: |d| {
                let mut v = vec![b'a'; 50 << 20];
                v[30 << 20] = b' ';
                v[(30 << 20) + 1..(30 << 20) + 1 + TOKEN.len()].copy_from_slice(TOKEN.as_bytes());
                v[(30 << 20) + 1 + TOKEN.len()] = b' ';
                d.write("bad/oneline.min.js", v);
            },
            expect: Expect {
                skip: None,
                allowed: false,
                findings_in_bad: 1,
            },
        },
        Case {
            name: "symlink loop",
            make: |d| {
                std::fs::create_dir_all(d.path().join("bad")).ok();
                std::os::unix::fs::symlink("loop", d.path().join("bad/loop")).ok();
            },
            expect: Expect {
                skip: Some("symlink"),
                allowed: true,
                findings_in_bad: 0,
            },
        },
        Case {
            name: "link out of the root",
            make: |d| {
                std::fs::create_dir_all(d.path().join("bad")).ok();
                std::os::unix::fs::symlink("/etc", d.path().join("bad/etc")).ok();
            },
            expect: Expect {
                skip: Some("symlink"),
                allowed: true,
                findings_in_bad: 0,
            },
        },
        Case {
            name: "fifo",
            make: |d| {
                std::fs::create_dir_all(d.path().join("bad")).ok();
                let p = d.path().join("bad/pipe");
                let ok = std::process::Command::new("mkfifo")
                    .arg(&p)
                    .status()
                    .map(|s| s.success())
                    .unwrap_or(false);
                assert!(ok, "mkfifo");
            },
            expect: Expect {
                skip: Some("other"),
                allowed: true,
                findings_in_bad: 0,
            },
        },
    ]
}

#[test]
fn bad_inputs_are_reported_and_good_files_still_scanned() {
    for case in cases() {
        let d = Dir::new();
        d.write("rules.toml", RULES);
        d.write("good/app.py", format!("key = \"{TOKEN}\"\n"));
        (case.make)(&d);
        let r = d.run(&[
            "scan",
            ".",
            "--config",
            "rules.toml",
            "--format",
            "json",
            "--no-progress",
        ]);
        let j = r.json();
        let findings = r.findings();
        assert!(
            findings.iter().any(|f| f.0 == "good/app.py" && f.1 == 1),
            "{}: good file's finding missing: {findings:?}",
            case.name
        );
        let in_bad = findings.iter().filter(|f| f.0.starts_with("bad/")).count();
        assert_eq!(
            in_bad, case.expect.findings_in_bad,
            "{}: {findings:?}",
            case.name
        );
        let skipped = j["skipped"].as_array().cloned().unwrap_or_default();
        match case.expect.skip {
            Some(reason) => {
                let s = skipped
                    .iter()
                    .find(|s| s["path"].as_str().unwrap_or_default().starts_with("bad/"));
                let s = s.unwrap_or_else(|| panic!("{}: no skip reported: {skipped:?}", case.name));
                assert_eq!(s["reason"], reason, "{}", case.name);
                assert_eq!(s["allowed"], case.expect.allowed, "{}", case.name);
            }
            None => assert!(
                skipped.is_empty(),
                "{}: unexpected skips {skipped:?}",
                case.name
            ),
        }
        assert_eq!(r.code(), 1, "{}: exit status", case.name);
    }
}

#[test]
fn unreadable_file_makes_the_scan_incomplete() {
    let d = Dir::new();
    d.write("rules.toml", RULES);
    d.write("ok.txt", "nothing\n");
    let secret = d.write("locked/secret.txt", format!("{TOKEN}\n"));
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    // root reads anything: run as an unprivileged user where we are root.
    let is_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0"))
        .unwrap_or(false);
    let r = if is_root {
        std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod dir");
        for p in ["rules.toml", "ok.txt"] {
            std::fs::set_permissions(d.path().join(p), std::fs::Permissions::from_mode(0o644))
                .expect("chmod");
        }
        std::fs::set_permissions(
            d.path().join("locked"),
            std::fs::Permissions::from_mode(0o755),
        )
        .expect("chmod");
        let out = std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(crate::util::program())
            .args(["scan", ".", "--config", "rules.toml", "--format", "json"])
            .current_dir(d.path())
            .output();
        match out {
            Ok(o) => crate::util::Run(o),
            Err(e) => {
                eprintln!("skipping: setpriv unavailable ({e})");
                return;
            }
        }
    } else {
        d.run(&["scan", ".", "--config", "rules.toml", "--format", "json"])
    };
    assert_eq!(r.code(), 3, "{}{}", r.stdout(), r.stderr());
    let j = r.json();
    assert_eq!(j["skipped"][0]["path"], "locked/secret.txt");
    assert_eq!(j["skipped"][0]["reason"], "unreadable");
    assert_eq!(j["summary"]["incomplete"], true);
}

#[test]
fn file_vanishing_before_it_is_read_is_a_skip() {
    let rules = leakscan::rules::load::builtin_rules().expect("pack");
    let set = std::sync::Arc::new(leakscan::rules::RuleSet {
        rules,
        ..Default::default()
    });
    let scanner = leakscan::scan::Scanner::new(set, Default::default());
    let entry = leakscan::source::fs::FileEntry {
        display: "gone.txt".into(),
        path: "/nonexistent/gone.txt".into(),
        size: 10,
    };
    let out = leakscan::drive::tree::scan_file(&scanner, &entry);
    assert_eq!(out.skips.len(), 1);
    assert_eq!(out.skips[0].reason, leakscan::error::SkipReason::Unreadable);
    assert!(!out.skips[0].allowed);
}
