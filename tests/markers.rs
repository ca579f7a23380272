//! Internal markers: codenames in every spelling (plain, from a file or the environment, and
//! as keyed hashes), domains, tickets, phrases, never-ship paths, the built-in banner and
//! private-network rules, and `--fail-on`.

use crate::util::Dir;

fn f(loc: &str, line: u64, rule: &str) -> (String, u64, String) {
    (loc.to_string(), line, rule.to_string())
}

/// `(location, line, rule)` of the findings whose rule id starts with `internal`.
fn internal_findings(r: &crate::util::Run) -> Vec<(String, u64, String)> {
    r.findings()
        .into_iter()
        .filter(|x| x.2.starts_with("internal"))
        .collect()
}

const SPELLINGS: &str = "\
NIGHTJAR
Nightjar ships in Q3
let a = nightjarAgent;
class NightjarAgent {}
enable_nightjar = true
ENABLE_NIGHTJAR=1
nightjar-config.yaml
knightjar nightjars NIGHTJARS 2nightjar nightjarring
blue heron
BlueHeron
blue_heron BLUE_HERON
blue-heron
bluebird heron, blue  heron, blueheronry
";

#[test]
fn codenames_match_every_spelling_and_nothing_else() {
    let d = Dir::new();
    d.write(
        "cfg.toml",
        "[extend]\nbuiltin = false\n[internal]\ncodenames = [\"nightjar\", \"Blue Heron\"]\n",
    );
    d.write("notes.txt", SPELLINGS);
    let r = d.run(&[
        "scan",
        "notes.txt",
        "--config",
        "cfg.toml",
        "--format",
        "json",
    ]);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    let lines: Vec<u64> = r.findings().iter().map(|x| x.1).collect();
    assert_eq!(lines, vec![1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 11, 12]);
    let j = r.json();
    for f in j["findings"].as_array().expect("findings") {
        assert_eq!(f["rule_id"], "internal-codename");
        assert_eq!(f["kind"], "internal");
        assert_eq!(f["redacted"], true);
    }
    // Column and span of `nightjarAgent` (line 3): the codename only.
    assert_eq!(j["findings"][2]["column"], 9);
    assert_eq!(j["findings"][2]["end_column"], 17);
    // The codename is the "secret": redacted in every output.
    for format in ["text", "json"] {
        let out = d
            .run(&[
                "scan",
                "notes.txt",
                "--config",
                "cfg.toml",
                "--format",
                format,
            ])
            .stdout();
        assert!(
            !out.to_lowercase().contains("ightjar"),
            "{format} shows the codename:\n{out}"
        );
        assert!(
            !out.to_lowercase().contains("heron"),
            "{format} shows the codename:\n{out}"
        );
    }
}

#[test]
fn hashed_codenames_from_the_hash_command() {
    let d = Dir::new();
    let key = [("ACME_MARKER_KEY", "9f1c2e7a5b3d4c6e8f0a1b2c3d4e5f60")];
    let h = d.run_full(
        &["internal", "hash", "--key-env", "ACME_MARKER_KEY"],
        Some(b"nightjar\nBlue Heron\n"),
        &key,
    );
    assert_eq!(h.code(), 0, "{}", h.stderr());
    let printed = h.stdout();
    assert!(
        printed.starts_with("codename-hashes = [\n  \"") && printed.contains("\n  \"2:"),
        "{printed}"
    );
    assert!(!printed.contains("nightjar"));
    d.write(
        "cfg.toml",
        format!(
            "[extend]\nbuiltin = false\n[internal]\nhash-key-env = \"ACME_MARKER_KEY\"\n{printed}"
        ),
    );
    d.write("src/app.ts", "import { NightjarAgent } from './agent';\nconst knightjar = 1;\nexport const BLUE_HERON_URL = '';\n");
    let r = d.run_env(
        &["scan", "src", "--config", "cfg.toml", "--format", "json"],
        &key,
    );
    assert_eq!(r.code(), 1, "{}", r.stderr());
    assert_eq!(
        r.findings(),
        vec![
            f("src/app.ts", 1, "internal-codename"),
            f("src/app.ts", 3, "internal-codename")
        ]
    );
    // A wrong key finds nothing; no key is an error unless internal markers do not fail.
    let wrong = [("ACME_MARKER_KEY", "another key")];
    assert_eq!(
        d.run_env(&["scan", "src", "--config", "cfg.toml"], &wrong)
            .code(),
        0
    );
    let r = d.run(&["scan", "src", "--config", "cfg.toml"]);
    assert_eq!(r.code(), 2);
    assert!(
        r.stderr().contains("ACME_MARKER_KEY is not set"),
        "{}",
        r.stderr()
    );
    let r = d.run(&["scan", "src", "--config", "cfg.toml", "--fail-on", "secret"]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(
        r.stdout().contains("note:") && r.stdout().contains("ACME_MARKER_KEY is not set"),
        "{}",
        r.stdout()
    );
}

#[test]
fn codenames_from_a_private_file_and_the_environment_are_never_scanned() {
    let private = Dir::new();
    private.write("codenames.txt", "# acme codenames\nnightjar\n");
    let d = Dir::new();
    let list = private.path().join("codenames.txt");
    d.write(
        ".leakscan.toml",
        format!("[extend]\nbuiltin = false\n[internal]\ncodenames = [\"osprey\"]\ncodenames-file = {:?}\ncodenames-env = \"ACME_CODENAMES\"\n", list.display().to_string()),
    );
    // A copy of the list inside the tree, named in a second config, is not scanned either.
    d.write("a.txt", "osprey\nnightjar\nkestrel\n");
    let env = [("ACME_CODENAMES", "kestrel, merlin")];
    let r = d.run_env(&["scan", ".", "--format", "json"], &env);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    assert_eq!(
        r.findings(),
        vec![
            f("a.txt", 1, "internal-codename"),
            f("a.txt", 2, "internal-codename"),
            f("a.txt", 3, "internal-codename")
        ]
    );

    let d = Dir::new();
    d.write("cfg/codenames.txt", "osprey\n");
    d.write(
        ".leakscan.toml",
        "[extend]\nbuiltin = false\n[internal]\ncodenames-file = \"cfg/codenames.txt\"\n",
    );
    d.write("b.txt", "osprey\n");
    let r = d.run(&["scan", ".", "--format", "json"]);
    assert_eq!(
        r.findings(),
        vec![f("b.txt", 1, "internal-codename")],
        "the config and its list are never reported"
    );
    // A missing list is an error where internal markers fail the scan, else a note.
    d.write(
        ".leakscan.toml",
        "[extend]\nbuiltin = false\n[internal]\ncodenames-file = \"missing.txt\"\n",
    );
    assert_eq!(d.run(&["scan", "."]).code(), 2);
    assert_eq!(d.run(&["scan", ".", "--fail-on", "secret"]).code(), 0);
}

#[test]
fn domains_tickets_phrases_and_never_ship() {
    let d = Dir::new();
    d.write(
        "cfg.toml",
        r#"[extend]
builtin = false
[internal]
domains = ["acme-internal.net"]
ticket-prefixes = ["NJ"]
phrases = ["acme eyes only"]
never-ship = ["**/*.sqlite", "notes/**"]
allow-paths = ["CHANGELOG.md"]
"#,
    );
    d.write("src/client.py", "URL = 'https://telemetry.eu.acme-internal.net/v1'\n# fixes NJ-4411\nx = 'nj-1 NJ-x notacme-internal.net'\n");
    d.write("README.md", "ACME Eyes Only\n");
    d.write("data/app.sqlite", "SQLite format 3");
    d.write("notes/plan.txt", "plan\n");
    d.write("CHANGELOG.md", "NJ-1 fixed\n");
    let r = d.run(&["scan", ".", "--config", "cfg.toml", "--format", "json"]);
    assert_eq!(
        r.findings(),
        vec![
            f("README.md", 1, "internal-phrase"),
            f("data/app.sqlite", 1, "internal-never-ship"),
            f("notes/plan.txt", 1, "internal-never-ship"),
            f("src/client.py", 1, "internal-domain"),
            f("src/client.py", 2, "internal-ticket"),
        ]
    );
    assert_eq!(r.json()["findings"][3]["column"], 16);
}

/// `(location, line, rule, confidence)` of the internal findings of a JSON report.
fn internal_with_confidence(r: &crate::util::Run) -> Vec<(String, u64, String, String)> {
    let j = r.json();
    j["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|x| x["kind"] == "internal")
        .map(|x| {
            (
                x["location"].as_str().unwrap_or_default().to_string(),
                x["line"].as_u64().unwrap_or_default(),
                x["rule_id"].as_str().unwrap_or_default().to_string(),
                x["confidence"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn fc(loc: &str, line: u64, rule: &str, confidence: &str) -> (String, u64, String, String) {
    (
        loc.to_string(),
        line,
        rule.to_string(),
        confidence.to_string(),
    )
}

fn tar(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in entries {
        let mut h = tar::Header::new_ustar();
        h.set_path(name).expect("tar path");
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        h.set_cksum();
        b.append(&h, *data).expect("tar append");
    }
    b.into_inner().expect("tar finish")
}

/// A tree of public code with what the built-in markers must leave alone (documentation,
/// comments, tests, examples, banners in code) and the real leaks they must still find.
fn public_tree() -> Dir {
    let d = Dir::new();
    // Real leaks: deployable configuration naming internal hosts, and files that must not ship.
    d.write(".env.production", "API_URL=http://10.20.30.40:8080/v1\n");
    d.write(
        "deploy/docker-compose.yml",
        "services:\n  api:\n    environment:\n      DB_HOST: 10.20.30.41\n",
    );
    d.write(
        "app/service.yaml",
        "apiVersion: v1\nkind: ConfigMap\ndata:\n  upstream: http://10.20.30.42:8080\n",
    );
    d.write(
        ".kube/config",
        "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://10.20.30.43:6443\n",
    );
    d.write("deploy/keys/id_ed25519", "not a real key\n");
    d.write(
        "backup/app.sql",
        "-- MySQL dump 10.13  Distrib 8.0.36\n--\n",
    );
    d.write(
        "dist/app.js.map",
        r#"{"version":3,"sources":["src/a.ts"],"sourcesContent":["export const a = 1;\n"],"mappings":"AAAA"}"#,
    );
    // Public code: nothing to report by default.
    d.write(
        "README.md",
        "Connect with ssh admin@192.168.44.12 or open http://10.20.30.40:8080/\n",
    );
    d.write("docs/plan.md", "# Plan\n\nFOR INTERNAL USE ONLY\n");
    d.write(
        "Documentation/ceph.rst",
        "mount -t ceph -o mon_addr=192.168.0.101:6789\n",
    );
    d.write(
        "src/net.c",
        "/* Example: 10.1.2.3:1024 */\nu8 size; /* FOR XPC INTERNAL USE ONLY */\n// see http://10.9.8.7:80/\nstatic const char *url = \"http://10.20.30.44:8080/\";\n",
    );
    d.write("src/conf.py", "# upstream = 10.4.2.17:8080\n");
    d.write(
        "rules/jenkins.yml",
        "examples:\n  - jenkins_url = 'http://10.20.30.45:8080'\n",
    );
    d.write("tests/fixtures/app.yaml", "host: 10.20.30.46\n");
    d.write("examples/deploy/app.yaml", "host: 10.20.30.47\n");
    d.write("config/app.example.yml", "host: 10.20.30.48\n");
    d.write("testdata/.env", "DB_NAME=orders_db\n");
    d.write(
        "testdata/files.tar",
        tar(&[("files/.env.prod", b"DB_NAME=orders_db\n")]),
    );
    d.write(
        "LICENSE",
        "Proprietary and confidential. Do not distribute.\n",
    );
    d
}

#[test]
fn builtin_markers_are_quiet_on_public_code_and_find_real_leaks() {
    let d = public_tree();
    let leaks = vec![
        fc(".env.production", 1, "internal-env-file", "medium"),
        fc(".env.production", 1, "internal-private-ip", "medium"),
        fc(".kube/config", 2, "internal-kubeconfig", "medium"),
        fc(".kube/config", 5, "internal-private-ip", "medium"),
        fc("app/service.yaml", 4, "internal-private-ip", "medium"),
        fc("backup/app.sql", 1, "internal-sql-dump", "medium"),
        fc(
            "deploy/docker-compose.yml",
            4,
            "internal-private-ip",
            "medium",
        ),
        fc("deploy/keys/id_ed25519", 1, "internal-key-file", "medium"),
        fc(
            "dist/app.js.map",
            1,
            "internal-source-map-sources",
            "medium",
        ),
    ];
    let r = d.run(&["scan", ".", "--format", "json"]);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    assert_eq!(internal_with_confidence(&r), leaks);
    // Low confidence: an address in source code (a default, most often an example), an
    // address inside a data file that is not deployed (a rule file's examples), and files
    // that must not ship under test data, an archive's members included.
    let r = d.run(&["scan", ".", "--format", "json", "--min-confidence", "low"]);
    let mut want = leaks;
    want.extend([
        fc("rules/jenkins.yml", 2, "internal-private-ip", "low"),
        fc("src/net.c", 4, "internal-private-ip", "low"),
        fc("testdata/.env", 1, "internal-env-file", "low"),
        fc(
            "testdata/files.tar!files/.env.prod",
            1,
            "internal-env-file",
            "low",
        ),
    ]);
    want.sort();
    assert_eq!(internal_with_confidence(&r), want);
    // --explain says why the others are not reported.
    let r = d.run(&[
        "scan",
        "README.md",
        "src/net.c",
        "docs/plan.md",
        "--explain",
    ]);
    let out = r.stdout();
    for why in [
        "context: documentation",
        "context: comment",
        "context: a classification phrase is a team's vocabulary",
    ] {
        assert!(out.contains(why), "no {why:?} in:\n{out}");
    }
}

#[test]
fn builtin_markers_with_an_internal_table_report_as_before() {
    let d = public_tree();
    d.write("cfg.toml", "[internal]\ncodenames = [\"nightjar\"]\n");
    d.write("src/agent.ts", "export class NightjarAgent {}\n");
    let r = d.run(&["scan", ".", "--config", "cfg.toml", "--format", "json"]);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    let got = internal_with_confidence(&r);
    // The project says it holds internal material: banners count, and addresses count
    // wherever they name a host, documentation and comments included.
    for want in [
        fc("README.md", 1, "internal-private-ip", "medium"),
        fc(
            "docs/plan.md",
            3,
            "internal-classification-banner",
            "medium",
        ),
        fc("src/net.c", 1, "internal-private-ip", "medium"),
        fc("src/net.c", 2, "internal-classification-banner", "medium"),
        fc("src/net.c", 4, "internal-private-ip", "medium"),
        fc("src/agent.ts", 1, "internal-codename", "high"),
        fc(".kube/config", 2, "internal-kubeconfig", "medium"),
        fc("deploy/keys/id_ed25519", 1, "internal-key-file", "medium"),
    ] {
        assert!(got.contains(&want), "missing {want:?} in {got:#?}");
    }
    // Tests and examples are made up, licences are legal text, whatever the configuration.
    for (loc, _, _, _) in &got {
        assert!(
            !loc.starts_with("tests/")
                && !loc.starts_with("examples/")
                && !loc.starts_with("testdata/")
                && loc != "config/app.example.yml"
                && loc != "LICENSE",
            "{loc} reported: {got:#?}"
        );
    }
    // An empty table is enough to turn the banners on.
    d.write("empty.toml", "[internal]\n");
    let r = d.run(&[
        "scan",
        "docs/plan.md",
        "--config",
        "empty.toml",
        "--format",
        "json",
    ]);
    assert_eq!(
        internal_findings(&r),
        vec![f("docs/plan.md", 3, "internal-classification-banner")]
    );
}

#[test]
fn fail_on_chooses_which_kinds_fail() {
    let d = Dir::new();
    d.write(
        "cfg.toml",
        "[extend]\nbuiltin = false\n[internal]\ncodenames = [\"nightjar\"]\n",
    );
    d.write("a.txt", "nightjar\n");
    assert_eq!(d.run(&["scan", ".", "--config", "cfg.toml"]).code(), 1);
    let r = d.run(&[
        "scan",
        ".",
        "--config",
        "cfg.toml",
        "--fail-on",
        "secret",
        "--format",
        "json",
    ]);
    assert_eq!(r.code(), 0, "reported, but not failing");
    assert_eq!(r.findings().len(), 1);
    let r = d.run_env(
        &["scan", ".", "--config", "cfg.toml"],
        &[("LEAKSCAN_FAIL_ON", "secret")],
    );
    assert_eq!(r.code(), 0);
    assert_eq!(
        d.run(&[
            "scan",
            ".",
            "--config",
            "cfg.toml",
            "--fail-on",
            "secret,internal"
        ])
        .code(),
        1
    );
    assert_eq!(
        d.run(&["scan", ".", "--config", "cfg.toml", "--fail-on", "keys"])
            .code(),
        2
    );
}

#[test]
fn bad_internal_table_is_located() {
    let d = Dir::new();
    d.write("cfg.toml", "[internal]\ncodenames = [\"ab\"]\ncodename-hashes = [\"xyz\"]\nticket-prefixes = [\"1X\"]\n");
    let r = d.run(&["scan", ".", "--config", "cfg.toml"]);
    assert_eq!(r.code(), 2);
    let err = r.stderr();
    for want in [
        "cfg.toml:2:14: internal.codenames: codenames need at least 3 characters",
        "cfg.toml:3:20: internal.codename-hashes",
        "cfg.toml:4:20: internal.ticket-prefixes",
    ] {
        assert!(err.contains(want), "missing {want:?} in:\n{err}");
    }
}
