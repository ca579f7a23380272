//! Build artifacts: archives of every kind and nested, bombs and truncated archives, path
//! tricks, source maps, encoded text (base64, percent, escapes, UTF-16), `--package`, and an
//! end-to-end scan of a generated repository of a fictional company.
//!
//! Archives are built by the tests (tar, flate2, zip), never committed as blobs.

use std::io::Write;

use crate::util::{Dir, Run};

use crate::util::TEST_RULES as RULES;

use crate::util::TOKEN;
const TOKEN2: &str = "tt_p9o8i7u6y5t4r3e2w1q0a9s8";

fn f(loc: &str, line: u64, rule: &str) -> (String, u64, String) {
    (loc.to_string(), line, rule.to_string())
}

fn tar(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in entries {
        let mut h = tar::Header::new_ustar();
        // Written into the header directly: the builder refuses `..`, which a crafted
        // archive can hold.
        h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        h.set_cksum();
        b.append(&h, *data).expect("tar append");
    }
    b.into_inner().expect("tar finish")
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).expect("gz write");
    e.finish().expect("gz finish")
}

fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in entries {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .expect("zip entry");
        w.write_all(data).expect("zip write");
    }
    w.finish().expect("zip finish").into_inner()
}

fn scan(d: &Dir, extra: &[&str]) -> Run {
    let mut args = vec!["scan", ".", "--config", "rules.toml", "--format", "json"];
    args.extend_from_slice(extra);
    d.run(&args)
}

fn js_with_token(token: &str) -> Vec<u8> {
    format!("'use strict';\n// bundle\nconst k = \"{token}\";\n").into_bytes()
}

#[test]
fn every_archive_kind_and_nesting_is_located() {
    let d = Dir::new();
    d.write("rules.toml", RULES);
    let js = js_with_token(TOKEN);
    d.write(
        "dist/pkg-1.4.2.tgz",
        gz(&tar(&[
            ("package/package.json", b"{}\n"),
            ("package/cli.js", &js),
        ])),
    );
    d.write("dist/app.tar.gz", gz(&tar(&[("app/cli.js", &js)])));
    d.write("release.tar", tar(&[("bin/run.sh", &js)]));
    d.write(
        "dist/app.zip",
        zip(&[("config/app.yml", format!("a: 1\nkey: {TOKEN}\n").as_bytes())]),
    );
    d.write(
        "lib/tool.jar",
        zip(&[
            ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n"),
            ("app.properties", format!("k={TOKEN}\n").as_bytes()),
        ]),
    );
    d.write(
        "dist/pkg-1.0-py3-none-any.whl",
        zip(&[("pkg/settings.py", format!("\nKEY = '{TOKEN}'\n").as_bytes())]),
    );
    d.write(
        "db/dump.txt.gz",
        gz(format!("row\nrow\n{TOKEN}\n").as_bytes()),
    );
    let inner = gz(&tar(&[("package/deep.js", &js)]));
    let war = zip(&[(
        "WEB-INF/lib/x.jar",
        &zip(&[("x.properties", format!("k={TOKEN}\n").as_bytes())]),
    )]);
    d.write(
        "bundle.tar",
        tar(&[("inner/pkg.tgz", &inner), ("app.war", &war)]),
    );
    let r = scan(&d, &[]);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    assert_eq!(
        r.findings(),
        vec![
            f(
                "bundle.tar!app.war!WEB-INF/lib/x.jar!x.properties",
                1,
                "test-token"
            ),
            f("bundle.tar!inner/pkg.tgz!package/deep.js", 3, "test-token"),
            f("db/dump.txt.gz!dump.txt", 3, "test-token"),
            f("dist/app.tar.gz!app/cli.js", 3, "test-token"),
            f("dist/app.zip!config/app.yml", 2, "test-token"),
            f(
                "dist/pkg-1.0-py3-none-any.whl!pkg/settings.py",
                2,
                "test-token"
            ),
            f("dist/pkg-1.4.2.tgz!package/cli.js", 3, "test-token"),
            f("lib/tool.jar!app.properties", 1, "test-token"),
            f("release.tar!bin/run.sh", 3, "test-token"),
        ]
    );
    let j = r.json();
    let pkg = &j["findings"][6];
    assert_eq!(pkg["path"], "dist/pkg-1.4.2.tgz");
    assert_eq!(pkg["members"], serde_json::json!(["package/cli.js"]));
    assert_eq!(pkg["column"], 12);
    assert!(
        j["skipped"].as_array().is_some_and(Vec::is_empty),
        "{}",
        j["skipped"]
    );

    // Depth 1 opens the outer archive only and says what it did not open.
    let r = scan(&d, &["--max-archive-depth", "1"]);
    let j = r.json();
    let skipped: Vec<(String, String)> = j["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap_or_default().to_string(),
                s["reason"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        skipped,
        vec![
            (
                "bundle.tar!app.war".to_string(),
                "archive-limit".to_string()
            ),
            (
                "bundle.tar!inner/pkg.tgz".to_string(),
                "archive-limit".to_string()
            )
        ]
    );
    // Depth 0 scans archives as bytes: nothing is found inside compressed members.
    let r = scan(&d, &["--max-archive-depth", "0"]);
    assert_eq!(
        r.findings(),
        vec![f("release.tar", 3, "test-token")],
        "an uncompressed tar is still text"
    );
}

#[test]
fn bomb_is_bounded_and_the_rest_is_scanned() {
    let d = Dir::new();
    d.write(
        "cfg.toml",
        "[extend]\nbuiltin = false\n[internal]\ncodenames = [\"nightjar\"]\n",
    );
    // Concatenated gzip members: 8 MiB of zeros from a few KiB.
    let one = gz(&vec![0u8; 1 << 20]);
    let bomb: Vec<u8> = one.iter().copied().cycle().take(one.len() * 8).collect();
    d.write("bomb.gz", &bomb);
    d.write("notes.txt", "nightjar\n");
    let r = d.run(&[
        "scan",
        ".",
        "--config",
        "cfg.toml",
        "--format",
        "json",
        "--fail-on",
        "secret",
        "--max-archive-size",
        "4M",
    ]);
    assert_eq!(r.code(), 3, "{}", r.stderr());
    let j = r.json();
    assert_eq!(j["findings"][0]["location"], "notes.txt");
    assert_eq!(j["skipped"][0]["path"], "bomb.gz");
    assert_eq!(j["skipped"][0]["reason"], "archive-limit");
    assert!(
        j["skipped"][0]["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("--max-archive-size"),
        "{}",
        j["skipped"]
    );
    assert_eq!(j["summary"]["incomplete"], true);
}

#[test]
fn truncated_archives_are_reported_and_what_was_read_is_scanned() {
    let d = Dir::new();
    d.write("rules.toml", RULES);
    let filler: String = (0..4000)
        .map(|i| format!("line {i} of a generated bundle, nothing to see\n"))
        .collect();
    let tgz = gz(&tar(&[
        ("package/a.js", &js_with_token(TOKEN)),
        ("package/b.js", filler.as_bytes()),
    ]));
    d.write("cut.tgz", &tgz[..tgz.len() / 2]);
    let z = zip(&[
        ("one.txt", format!("{TOKEN2}\n").as_bytes()),
        ("two.txt", filler.as_bytes()),
    ]);
    d.write("cut.zip", &z[..z.len() - 30]);
    let r = scan(&d, &[]);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    assert_eq!(
        r.findings(),
        vec![
            f("cut.tgz!package/a.js", 3, "test-token"),
            f("cut.zip!one.txt", 1, "test-token")
        ]
    );
    let j = r.json();
    let reasons: Vec<(&str, &str)> = j["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap_or_default(),
                s["reason"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        reasons,
        vec![
            ("cut.tgz", "malformed-archive"),
            ("cut.zip", "malformed-archive")
        ]
    );
    // Without findings, a truncated archive makes the scan incomplete.
    let d = Dir::new();
    d.write("rules.toml", RULES);
    let clean = gz(&tar(&[("a.txt", b"hello\n"), ("b.txt", filler.as_bytes())]));
    d.write("cut.tgz", &clean[..clean.len() / 2]);
    assert_eq!(scan(&d, &[]).code(), 3);
}

#[test]
fn path_tricks_are_scanned_and_noted() {
    let d = Dir::new();
    d.write("rules.toml", RULES);
    d.write(
        "evil.tar",
        tar(&[("../../etc/cron.d/job", &js_with_token(TOKEN))]),
    );
    let r = scan(&d, &[]);
    assert_eq!(r.code(), 1);
    assert_eq!(
        r.findings(),
        vec![f("evil.tar!../../etc/cron.d/job", 3, "test-token")]
    );
    let j = r.json();
    assert_eq!(j["skipped"][0]["reason"], "malformed-archive");
    assert_eq!(j["skipped"][0]["allowed"], true);
    assert!(!d.path().join("../../etc/cron.d/job").exists());
}

fn source_map(sources: &[(&str, &str)]) -> String {
    serde_json::json!({
        "version": 3,
        "file": "cli.js",
        "sources": sources.iter().map(|s| s.0).collect::<Vec<_>>(),
        "sourcesContent": sources.iter().map(|s| s.1).collect::<Vec<_>>(),
        "mappings": "AAAA;AACA",
    })
    .to_string()
}

#[test]
fn source_map_sources_are_scanned_as_files() {
    let d = Dir::new();
    d.write("rules.toml", RULES);
    let monitor = format!("import os from 'os';\n\nexport class Monitor {{\n  start() {{\n    // ship it\n    const key =\n      \"{TOKEN}\";\n  }}\n}}\n");
    d.write(
        "dist/cli.js.map",
        source_map(&[
            ("webpack:///./src/agent/monitor.ts", &monitor),
            ("webpack:///./src/x.ts", "export {};\n"),
        ]),
    );
    d.write(
        "dist/bad.js.map",
        format!("{{\"version\":3,\"sourcesContent\":[\"{TOKEN2}\"\n"),
    );
    let r = scan(&d, &[]);
    assert_eq!(r.code(), 1);
    assert_eq!(
        r.findings(),
        vec![
            f("dist/bad.js.map", 1, "test-token"),
            f("dist/cli.js.map!src/agent/monitor.ts", 7, "test-token")
        ]
    );
    let j = r.json();
    assert_eq!(j["findings"][1]["column"], 8);
    assert_eq!(j["skipped"][0]["path"], "dist/bad.js.map");
    assert_eq!(j["skipped"][0]["reason"], "malformed-archive");
    // Inside a package: `pkg.tgz!package/dist/cli.js.map!src/agent/monitor.ts`.
    let d = Dir::new();
    d.write("rules.toml", RULES);
    d.write(
        "pkg.tgz",
        gz(&tar(&[(
            "package/dist/cli.js.map",
            source_map(&[("../src/agent/monitor.ts", &monitor)]).as_bytes(),
        )])),
    );
    assert_eq!(
        scan(&d, &[]).findings(),
        vec![f(
            "pkg.tgz!package/dist/cli.js.map!src/agent/monitor.ts",
            7,
            "test-token"
        )]
    );
}

fn b64(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[test]
fn encoded_secrets_are_decoded_and_located() {
    let d = Dir::new();
    d.write("rules.toml", RULES);
    let manifest = format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: api\ntype: Opaque\ndata:\n  token: {}\n  user: {}\n", b64(&format!("{TOKEN}\n")), b64("svc-api"));
    d.write("deploy/secret.yaml", manifest);
    let pct: String = TOKEN.bytes().map(|b| format!("%{b:02X}")).collect();
    d.write(
        "logs/callback.txt",
        format!("GET /cb\nnext https://auth.test/cb?state={pct}&x=1 200\n"),
    );
    d.write(
        "data/escaped.json",
        format!("{{\"cfg\": \"{{\\\"api\\\": \\\"{TOKEN}\\\"}}\"}}\n"),
    );
    d.write(
        "data/hex.txt",
        format!("blob {}\n", hex::encode(format!("token={TOKEN2}"))),
    );
    let r = scan(&d, &[]);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    assert_eq!(
        r.findings(),
        vec![
            f("data/escaped.json", 1, "test-token"),
            f("data/hex.txt", 1, "test-token"),
            f("deploy/secret.yaml", 7, "test-token"),
            f("logs/callback.txt", 2, "test-token"),
        ]
    );
    let j = r.json();
    let decoded: Vec<serde_json::Value> = j["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["decoded"].clone())
        .collect();
    assert_eq!(
        decoded,
        vec![
            serde_json::Value::Null, // found in the plain text; the decoded copy is not repeated
            serde_json::json!({"encoding": "hex", "line": 1, "column": 6}),
            serde_json::json!({"encoding": "base64", "line": 7, "column": 10}),
            serde_json::json!({"encoding": "percent", "line": 2, "column": 6}),
        ]
    );
    assert_eq!(j["findings"][2]["column"], 10);
    // Decoding can be switched off.
    let r = scan(&d, &["--max-decode-depth", "0"]);
    assert_eq!(r.findings(), vec![f("data/escaped.json", 1, "test-token")]);
}

#[test]
fn utf16_files_are_decoded() {
    let d = Dir::new();
    d.write("rules.toml", RULES);
    let text = format!("# deploy script\r\n$key = \"{TOKEN}\"\r\n");
    let mut le = vec![0xff, 0xfe];
    le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    d.write("deploy.ps1", &le);
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    d.write("nobom.txt", &be);
    let r = scan(&d, &[]);
    assert_eq!(
        r.findings(),
        vec![
            f("deploy.ps1", 2, "test-token"),
            f("nobom.txt", 2, "test-token")
        ]
    );
    let j = r.json();
    assert_eq!(j["findings"][0]["decoded"]["encoding"], "utf-16le");
    assert_eq!(j["findings"][1]["decoded"]["encoding"], "utf-16be");
    assert_eq!(j["findings"][0]["column"], 9);
}

/// A fake package manager on `PATH` that prints a fixed listing.
#[cfg(unix)]
fn fake_tool(d: &Dir, name: &str, output: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let out = d.write(&format!("fakebin/{name}.out"), output);
    let script = d.write(
        &format!("fakebin/{name}"),
        format!("#!/bin/sh\ncat '{}'\n", out.display()),
    );
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    format!(
        "{}:{}",
        d.path().join("fakebin").display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

#[cfg(unix)]
#[test]
fn package_scans_exactly_the_published_files() {
    let d = Dir::new();
    d.write("pkg/rules.toml", RULES);
    d.write("pkg/.gitignore", "dist/\n");
    d.write("pkg/dist/cli.js", js_with_token(TOKEN));
    d.write("pkg/src/dev-only.js", js_with_token(TOKEN2));
    d.write("pkg/package.json", "{\"name\": \"x\"}\n");
    let listing = "> x@1.0.0 prepack\n[\n  {\"id\": \"x@1.0.0\", \"files\": [{\"path\": \"package.json\"}, {\"path\": \"dist/cli.js\"}, {\"path\": \"README.md\"}]}\n]\n";
    let path = fake_tool(&d, "npm", listing);
    let r = d.run_env(
        &[
            "scan",
            "pkg",
            "--package",
            "npm",
            "--config",
            "pkg/rules.toml",
            "--format",
            "json",
        ],
        &[("PATH", &path)],
    );
    assert_eq!(
        r.findings(),
        vec![f("pkg/dist/cli.js", 3, "test-token")],
        "{}",
        r.stderr()
    );
    let j = r.json();
    assert_eq!(
        j["skipped"][0]["path"], "pkg/README.md",
        "a listed file that is missing is reported"
    );
    assert_eq!(j["summary"]["files"], 2);

    let path = fake_tool(
        &d,
        "cargo",
        ".cargo_vcs_info.json\nCargo.toml\nCargo.toml.orig\nsrc/dev-only.js\n",
    );
    d.write("pkg/Cargo.toml", "[package]\nname = \"x\"\n");
    let r = d.run_env(
        &[
            "scan",
            "pkg",
            "--package",
            "cargo",
            "--config",
            "pkg/rules.toml",
            "--format",
            "json",
        ],
        &[("PATH", &path)],
    );
    assert_eq!(
        r.findings(),
        vec![f("pkg/src/dev-only.js", 3, "test-token")],
        "{}",
        r.stderr()
    );
    assert!(r.json()["skipped"].as_array().is_some_and(Vec::is_empty));
    // A package manager that fails is a usage error.
    let path = fake_tool(&d, "npm", "");
    std::fs::write(
        d.path().join("fakebin/npm"),
        "#!/bin/sh\necho 'npm ERR! code ENOENT' >&2\nexit 254\n",
    )
    .expect("write");
    let r = d.run_env(&["scan", "pkg", "--package", "npm"], &[("PATH", &path)]);
    assert_eq!(r.code(), 2);
    assert!(
        r.stderr().contains("npm ERR! code ENOENT"),
        "{}",
        r.stderr()
    );
}

/// The fictional company Acme Birdworks: codenames `nightjar` (an agent) and `blue heron` (a
/// release), internal hosts, a published npm tarball with a source map, a Kubernetes secret,
/// and placeholders everywhere a careful engineer would put them. Every planted item must be
/// reported with its kind and location, and nothing else.
#[test]
fn fictional_company_end_to_end() {
    let d = Dir::new();
    let monitor = format!(
        "// Nightjar agent: sends host metrics.\nimport {{ send }} from './send';\n\nconst ENDPOINT = 'https://telemetry.acme-internal.net/v2/ingest';\nconst KEY = '{TOKEN}';\n\nexport class NightjarMonitor {{}}\n"
    );
    let map = source_map(&[
        ("webpack:///./src/agent/monitor.ts", &monitor),
        (
            "webpack:///./src/index.ts",
            "export * from './agent/monitor';\n",
        ),
    ]);
    let cli = "#!/usr/bin/env node\n'use strict';\nrequire('./monitor');\n//# sourceMappingURL=cli.js.map\n";
    let readme_pkg =
        "# acme-agent\n\nSet `ACME_TOKEN=tt_xxxxxxxxxxxxxxxxxxxxxxxx` (placeholder).\n";
    d.write(
        ".leakscan.toml",
        format!("{}\n[internal]\ncodenames = [\"nightjar\", \"blue heron\"]\ndomains = [\"acme-internal.net\"]\nticket-prefixes = [\"BIRD\"]\n", RULES.replace("builtin = false", "builtin = true")),
    );
    d.write("src/agent/monitor.ts", &monitor);
    d.write(
        "dist/acme-agent-1.4.2.tgz",
        gz(&tar(&[
            ("package/package.json", b"{\"name\": \"acme-agent\"}\n"),
            ("package/cli.js", cli.as_bytes()),
            ("package/cli.js.map", map.as_bytes()),
            ("package/README.md", readme_pkg.as_bytes()),
        ])),
    );
    d.write(
        "deploy/secret.yaml",
        format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: telemetry\ndata:\n  token: {}\n  placeholder: {}\n", b64(TOKEN2), b64("tt_xxxxxxxxxxxxxxxxxxxxxxxx")),
    );
    d.write("docs/release.md", "# Release plan\n\nINTERNAL ONLY\n\nBlue Heron ships after BIRD-1204 is closed.\nStaging: http://10.20.30.40:8080/\n");
    d.write("README.md", "# Acme Agent\n\nConfigure `ACME_TOKEN=tt_xxxxxxxxxxxxxxxxxxxxxxxx` and point it at http://192.168.1.1/ or https://example.com.\n");
    d.write(
        ".env.example",
        "ACME_TOKEN=\nACME_ENDPOINT=https://example.com\n",
    );
    d.write(
        "LICENSE",
        "Copyright Acme Birdworks. Proprietary and confidential. Do not distribute.\n",
    );
    d.write(
        "test/fixtures/sample.txt",
        "knightjar nightjars blueberry\n",
    );
    let r = d.run(&["scan", ".", "--format", "json"]);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    let j = r.json();
    let got: Vec<(String, u64, String, String)> = j["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["location"].as_str().unwrap_or_default().into(),
                f["line"].as_u64().unwrap_or_default(),
                f["kind"].as_str().unwrap_or_default().into(),
                f["rule_id"].as_str().unwrap_or_default().into(),
            )
        })
        .collect();
    let want: Vec<(String, u64, String, String)> = [
        // The manifest leaks the token itself (a Secret's data is only base64), and the decoded
        // value is also the project's token; the placeholder on line 7 decodes to `tt_xxx...`.
        ("deploy/secret.yaml", 6, "secret", "kubernetes-secret-data"),
        ("deploy/secret.yaml", 6, "secret", "test-token"),
        (
            "dist/acme-agent-1.4.2.tgz!package/cli.js.map",
            1,
            "internal",
            "internal-source-map-sources",
        ),
        (
            "dist/acme-agent-1.4.2.tgz!package/cli.js.map!src/agent/monitor.ts",
            1,
            "internal",
            "internal-codename",
        ),
        (
            "dist/acme-agent-1.4.2.tgz!package/cli.js.map!src/agent/monitor.ts",
            4,
            "internal",
            "internal-domain",
        ),
        (
            "dist/acme-agent-1.4.2.tgz!package/cli.js.map!src/agent/monitor.ts",
            5,
            "secret",
            "test-token",
        ),
        (
            "dist/acme-agent-1.4.2.tgz!package/cli.js.map!src/agent/monitor.ts",
            7,
            "internal",
            "internal-codename",
        ),
        (
            "docs/release.md",
            3,
            "internal",
            "internal-classification-banner",
        ),
        ("docs/release.md", 5, "internal", "internal-codename"),
        ("docs/release.md", 5, "internal", "internal-ticket"),
        ("docs/release.md", 6, "internal", "internal-private-ip"),
        ("src/agent/monitor.ts", 1, "internal", "internal-codename"),
        ("src/agent/monitor.ts", 4, "internal", "internal-domain"),
        ("src/agent/monitor.ts", 5, "secret", "test-token"),
        ("src/agent/monitor.ts", 7, "internal", "internal-codename"),
    ]
    .into_iter()
    .map(|(a, b, c, e)| (a.to_string(), b, c.to_string(), e.to_string()))
    .collect();
    assert_eq!(got, want);
    assert_eq!(j["findings"][1]["decoded"]["encoding"], "base64");
    // The publishing job fails on both kinds; the everyday job only on secrets.
    assert_eq!(d.run(&["scan", ".", "--fail-on", "secret"]).code(), 1);
    d.write(
        "src/agent/monitor.ts",
        monitor.replace(TOKEN, "tt_xxxxxxxxxxxxxxxxxxxxxxxx"),
    );
    std::fs::remove_file(d.path().join("deploy/secret.yaml")).expect("rm");
    std::fs::remove_file(d.path().join("dist/acme-agent-1.4.2.tgz")).expect("rm");
    assert_eq!(d.run(&["scan", ".", "--fail-on", "secret"]).code(), 0);
    assert_eq!(d.run(&["scan", "."]).code(), 1);
}

/// The same company's history: a key and a package with a source map were committed, then
/// deleted. History blobs get the same archive, source-map and marker treatment as files,
/// with the commit that introduced them; the configuration in history is never reported.
#[test]
fn fictional_company_history_keeps_deleted_secrets() {
    let d = Dir::new();
    let git = |args: &[&str], tick: u64| {
        let t = format!("{} +0000", 1_700_000_000 + 3600 * tick);
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(d.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", d.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Ada Author")
            .env("GIT_AUTHOR_EMAIL", "ada@acme.test")
            .env("GIT_COMMITTER_NAME", "Ada Author")
            .env("GIT_COMMITTER_EMAIL", "ada@acme.test")
            .env("GIT_AUTHOR_DATE", &t)
            .env("GIT_COMMITTER_DATE", &t)
            .output()
            .expect("git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&["init", "-q", "-b", "main"], 0);
    d.write(
        ".leakscan.toml",
        format!("{RULES}\n[internal]\ncodenames = [\"nightjar\"]\n"),
    );
    d.write("README.md", "# Acme agent\n");
    git(&["add", "-A"], 1);
    git(&["commit", "-q", "-m", "initial"], 1);
    let monitor = format!(
        "// Nightjar agent\n\n\n\nconst KEY = '{TOKEN}';\n\nexport class NightjarMonitor {{}}\n"
    );
    let map = source_map(&[("webpack:///./src/agent/monitor.ts", &monitor)]);
    d.write(
        "dist/agent-0.9.0.tgz",
        gz(&tar(&[("package/cli.js.map", map.as_bytes())])),
    );
    d.write(
        "src/telemetry.ts",
        format!("// Nightjar uplink\nexport const KEY = '{TOKEN2}';\n"),
    );
    git(&["add", "-A"], 2);
    git(&["commit", "-q", "-m", "add telemetry"], 2);
    git(&["rm", "-q", "-r", "dist", "src"], 3);
    git(&["commit", "-q", "-m", "remove telemetry"], 3);
    let r = d.run(&["scan", ".", "--format", "json"]);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    let member = "dist/agent-0.9.0.tgz!package/cli.js.map!src/agent/monitor.ts";
    assert_eq!(
        r.findings(),
        vec![
            f(member, 1, "internal-codename"),
            f(member, 5, "test-token"),
            // The codename again at line 7 of the same member: one finding per (rule, path,
            // secret) in history, at its first place.
            f("src/telemetry.ts", 1, "internal-codename"),
            f("src/telemetry.ts", 2, "test-token"),
        ]
    );
    let j = r.json();
    for f in j["findings"].as_array().expect("findings") {
        assert_eq!(f["commit"]["summary"], "add telemetry", "{f}");
    }
    // The working tree alone is clean of secrets; the README has nothing either.
    let r = d.run(&["scan", ".", "--no-history", "--format", "json"]);
    assert_eq!(r.code(), 0, "{}", r.stdout());
}
