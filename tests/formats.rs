//! JUnit and GitLab secret-detection reports: structure, counts and redaction.

use crate::util::{test_rules_with, Dir, TOKEN};

fn rules() -> String {
    test_rules_with(r#"severity = "critical""#, "")
}

fn tree() -> Dir {
    let d = Dir::new();
    d.write("rules.toml", rules());
    d.write("a<b>.py", format!("x = 1\nKEY = \"{TOKEN}\"\n"));
    d.write("c.py", format!("KEY = \"{TOKEN}\"\n"));
    d
}

#[test]
fn junit_has_one_failed_testcase_per_finding() {
    let d = tree();
    let r = d.run(&["scan", ".", "--config", "rules.toml", "--format", "junit"]);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    let xml = r.stdout();
    assert!(!xml.contains(TOKEN), "{xml}");
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"leakscan\" tests=\"2\" failures=\"2\" errors=\"0\" skipped=\"0\""), "{xml}");
    assert_eq!(xml.matches("<testcase ").count(), 2);
    assert!(xml.contains(r#"<testcase classname="a&lt;b&gt;.py" name="test-token at line 2" file="a&lt;b&gt;.py" line="2""#), "{xml}");
    assert!(
        xml.contains(r#"<failure type="test-token" message="Test token: tt_k…(27 chars).">"#),
        "{xml}"
    );

    let clean = Dir::new();
    clean.write("rules.toml", rules());
    clean.write("ok.txt", "nothing\n");
    let r = clean.run(&["scan", ".", "--config", "rules.toml", "--format", "junit"]);
    assert_eq!(r.code(), 0);
    assert!(
        r.stdout().contains(r#"tests="1" failures="0""#)
            && r.stdout().contains(r#"name="no leaks""#),
        "{}",
        r.stdout()
    );
}

#[test]
fn gitlab_secret_detection_report() {
    let d = tree();
    let r = d.run(&["scan", ".", "--config", "rules.toml", "--format", "gitlab"]);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    assert!(!r.stdout().contains(TOKEN));
    let j = r.json();
    assert_eq!(j["version"], "15.0.7");
    assert_eq!(j["scan"]["type"], "secret_detection");
    assert_eq!(j["scan"]["status"], "success");
    assert_eq!(j["scan"]["scanner"]["id"], "leakscan");
    let ts = j["scan"]["start_time"].as_str().unwrap_or_default();
    assert_eq!(ts.len(), 19, "{ts}");
    let v = j["vulnerabilities"].as_array().expect("vulnerabilities");
    assert_eq!(v.len(), 2);
    assert_eq!(v[0]["location"]["file"], "a<b>.py");
    assert_eq!(v[0]["location"]["start_line"], 2);
    assert_eq!(v[0]["location"]["commit"]["sha"], "0000000");
    assert_eq!(v[0]["severity"], "Critical");
    assert_eq!(v[0]["identifiers"][0]["type"], "leakscan_rule_id");
    assert_eq!(v[0]["identifiers"][0]["value"], "test-token");
    assert_ne!(v[0]["id"], v[1]["id"]);
    assert_eq!(v[0]["id"].as_str().map(str::len), Some(36));
    // Stable across runs.
    let again = d
        .run(&["scan", ".", "--config", "rules.toml", "--format", "gitlab"])
        .json();
    assert_eq!(again["vulnerabilities"][0]["id"], v[0]["id"]);
}
