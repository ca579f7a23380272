//! The audit formats: HTML (self-contained, escaped, redacted), Markdown, CSV and JSON Lines.

use crate::repo::Repo;
use crate::util::{test_rules_with, TOKEN};

/// A repository whose path, author, commit message, rule description and matched line all
/// carry markup, with the test token in its history and still in its working tree.
fn hostile_repo() -> Repo {
    let rules = test_rules_with("severity = \"high\"", "").replace(
        "description = \"Test token\"",
        "description = \"Test <script>alert('rule')</script> token\"",
    );
    assert!(rules.contains("alert('rule')"));
    let r = Repo::with_rules(&rules);
    r.write(
        "<script>alert(1)<x/leak.html",
        &format!("<script>var t = \"{TOKEN}\"; alert(2)</script>\n"),
    );
    r.write("removed.txt", &format!("old = {TOKEN}\n"));
    r.git(&["add", "-A"]);
    let tree = r.git(&["write-tree"]);
    // git refuses '<' in names; a commit object written by hand carries it anyway.
    let commit = format!(
        "tree {tree}\nauthor Eve <script>alert(3)</script> <eve@example.com> 1700000000 +0000\ncommitter Eve <eve@example.com> 1700000000 +0000\n\n<script>alert(4)</script> add files\n"
    );
    let dir = r.work();
    let out = r.git_try(
        &dir,
        &[
            "hash-object",
            "-t",
            "commit",
            "-w",
            "--literally",
            "--stdin",
        ],
        Some(&commit),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    r.git(&["update-ref", "refs/heads/main", &id]);
    r.git(&["reset", "-q", "--hard"]);
    // The second file leaves the working tree: its finding is in the history only.
    r.git(&["rm", "-q", "removed.txt"]);
    r.commit("remove the old file");
    // An uncommitted edit keeps the first secret on disk: scanned as a working-tree file too.
    r.write(
        "<script>alert(1)<x/leak.html",
        &format!("<script>var t = \"{TOKEN}\"; alert(2)</script>\n<p>edited</p>\n"),
    );
    r
}

/// The tag names this report writes; any other `<` is a value that escaped escaping.
const TAGS: &[&str] = &[
    "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p", "main",
    "section", "div", "b", "span", "table", "thead", "tbody", "tr", "th", "td", "code", "svg",
    "rect", "line", "text", "g", "br", "ul", "li", "input", "select", "option", "script", "footer",
    "i",
];

fn assert_only_own_markup(html: &str) {
    // Exactly one script element: the report's own, whose code is not markup.
    assert_eq!(html.matches("<script").count(), 1, "script elements");
    let (before, script) = html.split_once("<script>").expect("script");
    let (_, after) = script.split_once("</script>").expect("end of script");
    let html = format!("{before}{after}");
    let mut rest = html.as_str();
    while let Some(at) = rest.find('<') {
        let after = &rest[at + 1..];
        let name: String = after
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let known = after.starts_with("!DOCTYPE html>") || TAGS.contains(&name.as_str());
        assert!(
            known,
            "unescaped '<' in the HTML report: {:?}",
            &after[..after.len().min(60)]
        );
        rest = after;
    }
}

#[test]
fn html_report_is_escaped_redacted_and_self_contained() {
    let r = hostile_repo();
    let rules = r.rules();
    let run = r.leakscan_env(
        &[
            "scan",
            ".",
            "--config",
            &rules,
            "--format",
            "html",
            "--no-progress",
        ],
        &[],
    );
    assert_eq!(run.code(), 1, "{}", run.stderr());
    let html = run.stdout();
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..200]);
    assert!(!html.contains(TOKEN), "the HTML report holds the secret");
    assert_only_own_markup(&html);
    // The hostile values are there, as text.
    for shown in [
        "&lt;script&gt;alert(1)&lt;x/leak.html",
        "&lt;script&gt;alert(3)&lt;/script&gt;",
        "&lt;script&gt;alert(4)&lt;/script&gt;",
        "&lt;script&gt;alert(&#39;rule&#39;)&lt;/script&gt;",
        "&lt;script&gt;var t = &quot;tt",
    ] {
        assert!(html.contains(shown), "missing {shown}");
    }
    // Nothing can be loaded: a CSP that forbids everything but the two inline blocks, and no
    // URL that a browser would fetch.
    assert!(html.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'sha256-"
    ));
    for fetch in ["src=\"http", "href=\"http", "url(", "@import", "src=\"//"] {
        assert!(!html.contains(fetch), "{fetch}");
    }
    // The summary: the timeline is an inline SVG, history-only and still-present are told apart.
    assert!(html.contains("<svg class=\"chart\""));
    assert!(
        html.contains("data-presence=\"history only\"")
            || html.contains("data-presence=\"history, still at a branch tip\"")
    );
    assert!(html.contains("data-presence=\"history + working tree\""));
    assert!(html.contains("data-presence=\"working tree\""));
    // Every finding's fingerprint is in the table.
    let json = r.scan(&[]).json();
    for f in json["findings"].as_array().expect("findings") {
        let fp = f["fingerprint"].as_str().expect("fingerprint");
        assert!(html.contains(fp), "{fp}");
    }
}

#[test]
fn html_report_shows_secrets_only_with_no_redact() {
    let r = hostile_repo();
    let rules = r.rules();
    let run = r.leakscan_env(
        &[
            "scan",
            ".",
            "--config",
            &rules,
            "--format",
            "html",
            "--no-redact",
        ],
        &[],
    );
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert!(run.stdout().contains(TOKEN));
    assert!(run.stdout().contains("SHOWN IN FULL"));
    assert_only_own_markup(&run.stdout());
}

#[test]
fn markdown_report_escapes_markup() {
    let r = hostile_repo();
    let rules = r.rules();
    let run = r.leakscan_env(
        &[
            "scan",
            ".",
            "--config",
            &rules,
            "--format",
            "markdown",
            "--no-progress",
        ],
        &[],
    );
    assert_eq!(run.code(), 1, "{}", run.stderr());
    let md = run.stdout();
    assert!(md.starts_with("## leakscan: 3 findings\n"), "{md}");
    assert!(!md.contains(TOKEN));
    assert!(
        !md.contains('<'),
        "raw markup in the Markdown report:\n{md}"
    );
    assert!(
        md.contains("&lt;script&gt;alert\\(1\\)&lt;x/leak.html:1"),
        "{md}"
    );
    assert!(md.contains("| Severity | Rule | Location | Commit | Finding | Fingerprint |"));
}

#[test]
fn clean_markdown_report_says_so() {
    let r = Repo::new();
    r.write("a.txt", "nothing here\n");
    r.commit("one");
    let rules = r.rules();
    let run = r.leakscan_env(&["scan", ".", "--config", &rules, "-f", "markdown"], &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(run.stdout().contains("No leaks found"), "{}", run.stdout());
}

#[test]
fn jsonl_has_one_json_finding_per_line() {
    let r = hostile_repo();
    let rules = r.rules();
    let json = r.scan(&[]).json();
    let run = r.leakscan_env(&["scan", ".", "--config", &rules, "-f", "jsonl"], &[]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    let lines: Vec<serde_json::Value> = run
        .stdout()
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    // The same objects as the JSON report's findings, in the same order.
    assert_eq!(Some(&lines), json["findings"].as_array());
    assert!(!run.stdout().contains(TOKEN));
}

#[test]
fn csv_has_a_header_and_one_row_per_finding() {
    let r = hostile_repo();
    let rules = r.rules();
    let run = r.leakscan_env(&["scan", ".", "--config", &rules, "-f", "csv"], &[]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    let out = run.stdout();
    assert!(!out.contains(TOKEN));
    let mut rows = out.split("\r\n").filter(|l| !l.is_empty());
    let header = rows.next().expect("header");
    assert!(
        header.starts_with("rule_id,description,kind,severity,"),
        "{header}"
    );
    let cols = header.split(',').count();
    let rows: Vec<&str> = rows.collect();
    assert_eq!(rows.len(), 3, "{out}");
    for row in &rows {
        // No field of these rows holds a comma or a quote once unquoted: count the separators
        // outside quotes.
        let mut n = 1;
        let mut quoted = false;
        for c in row.chars() {
            match c {
                '"' => quoted = !quoted,
                ',' if !quoted => n += 1,
                _ => {}
            }
        }
        assert_eq!(n, cols, "{row}");
        assert!(row.starts_with("test-token,"), "{row}");
    }
}
