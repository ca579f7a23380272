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

#[test]
fn builtin_banners_and_private_hosts() {
    let d = Dir::new();
    d.write(
        "docs/plan.md",
        "# Roadmap\n\nFOR INTERNAL USE ONLY\n\nThe confidential client flow is public.\n",
    );
    d.write(
        "LICENSE",
        "Proprietary and confidential. Do not distribute.\n",
    );
    d.write(
        "src/config.ts",
        "export const api = 'http://10.20.30.40:8080/v1';\nexport const router = 'http://192.168.1.1/';\nconst v = '10.2.3.4';\nconst grafana = 'https://grafana.ops.corp/d/x';\nif (this.internal) {}\nconst docker = 'http://host.docker.internal:3000';\n",
    );
    let r = d.run(&["scan", ".", "--format", "json"]);
    assert_eq!(
        internal_findings(&r),
        vec![
            f("docs/plan.md", 3, "internal-classification-banner"),
            f("src/config.ts", 1, "internal-private-ip"),
            f("src/config.ts", 4, "internal-private-host"),
        ]
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
