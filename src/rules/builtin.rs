//! The built-in pack: one `include_str!` per `rules/*.toml`, listed explicitly so that an edited
//! or added file always rebuilds the binary (a directory include can miss new files).

use super::error::ConfigError;
use super::packed::Reader;
use super::text::parse_file;
use super::validate::{build_rule, Problems};
use super::Rule;

/// `(name, TOML text)` of every file of the built-in pack, in load order.
pub const BUILTIN: &[(&str, &str)] = &[
    ("rules/ai.toml", include_str!("../../rules/ai.toml")),
    ("rules/cicd.toml", include_str!("../../rules/cicd.toml")),
    ("rules/cli.toml", include_str!("../../rules/cli.toml")),
    (
        "rules/cloud-aws.toml",
        include_str!("../../rules/cloud-aws.toml"),
    ),
    (
        "rules/cloud-azure.toml",
        include_str!("../../rules/cloud-azure.toml"),
    ),
    (
        "rules/cloud-gcp.toml",
        include_str!("../../rules/cloud-gcp.toml"),
    ),
    ("rules/cloud.toml", include_str!("../../rules/cloud.toml")),
    ("rules/config.toml", include_str!("../../rules/config.toml")),
    (
        "rules/datastores.toml",
        include_str!("../../rules/datastores.toml"),
    ),
    (
        "rules/devplatforms.toml",
        include_str!("../../rules/devplatforms.toml"),
    ),
    (
        "rules/generic.toml",
        include_str!("../../rules/generic.toml"),
    ),
    ("rules/hashes.toml", include_str!("../../rules/hashes.toml")),
    (
        "rules/identity.toml",
        include_str!("../../rules/identity.toml"),
    ),
    (
        "rules/internal.toml",
        include_str!("../../rules/internal.toml"),
    ),
    (
        "rules/messaging.toml",
        include_str!("../../rules/messaging.toml"),
    ),
    (
        "rules/observability.toml",
        include_str!("../../rules/observability.toml"),
    ),
    (
        "rules/payments.toml",
        include_str!("../../rules/payments.toml"),
    ),
    (
        "rules/private-keys.toml",
        include_str!("../../rules/private-keys.toml"),
    ),
    (
        "rules/registries.toml",
        include_str!("../../rules/registries.toml"),
    ),
    ("rules/vcs.toml", include_str!("../../rules/vcs.toml")),
];

/// The pack in the compact form the build script wrote from the TOML files (see
/// [`super::packed`]): its structure and its strings, in the order of [`BUILTIN`].
type Pack = (&'static [u8], &'static str);

/// The whole pack, examples included.
const PACK: Pack = (
    include_bytes!(concat!(env!("OUT_DIR"), "/pack/full.bin")),
    include_str!(concat!(env!("OUT_DIR"), "/pack/full.txt")),
);

/// [`PACK`] without the rules' examples and counter-examples, for scans.
const PACK_LEAN: Pack = (
    include_bytes!(concat!(env!("OUT_DIR"), "/pack/lean.bin")),
    include_str!(concat!(env!("OUT_DIR"), "/pack/lean.txt")),
);

/// The built-in pack, compiled lazily. It is read from the compact form the build script
/// prepared from the TOML files, which holds the same model, spans included, and is built and
/// checked rule by rule as a rule file is (regexes compile on first use; the test suite
/// compiles them all).
pub fn builtin_rules() -> Result<Vec<Rule>, ConfigError> {
    read_pack(PACK)
}

/// [`builtin_rules`] without the rules' examples and counter-examples, which only
/// `rules test` runs: what a scan reads.
pub fn builtin_rules_for_scan() -> Result<Vec<Rule>, ConfigError> {
    read_pack(PACK_LEAN)
}

fn read_pack((bin, text): Pack) -> Result<Vec<Rule>, ConfigError> {
    let mut problems = Problems::default();
    let rules = match read_packed(bin, text, &mut problems) {
        Some(rules) => rules,
        // Not expected (the build wrote it from this model); the TOML says what is wrong.
        None => {
            problems = Problems::default();
            read_toml(&mut problems)?
        }
    };
    super::validate::check_pairs(&rules, &mut problems);
    problems.into_result()?;
    Ok(rules)
}

/// The rules of a compact pack, each built by [`build_rule`] with the file it came from;
/// `None` when the pack does not read to its end.
fn read_packed(bin: &[u8], text: &str, problems: &mut Problems) -> Option<Vec<Rule>> {
    let mut pack = Reader::new(bin, text);
    let (total, files) = pack.start()?;
    if files != BUILTIN.len() {
        return None;
    }
    let mut rules = Vec::with_capacity(total.min(bin.len()));
    let mut read = 0;
    for &(name, toml) in BUILTIN {
        let (file, count) = pack.file()?;
        if file != name {
            return None;
        }
        let label = format!("builtin:{name}");
        for _ in 0..count {
            let def = pack.rule()?;
            rules.extend(build_rule(def, &label, toml, false, problems));
        }
        read += count;
    }
    (read == total && pack.at_end()).then_some(rules)
}

/// The rules of the pack read from its TOML files.
fn read_toml(problems: &mut Problems) -> Result<Vec<Rule>, ConfigError> {
    let mut rules = Vec::new();
    for &(name, text) in BUILTIN {
        let label = format!("builtin:{name}");
        let def = parse_file(&label, text)?;
        rules.extend(
            def.rules
                .into_iter()
                .filter_map(|r| build_rule(r, &label, text, false, problems)),
        );
    }
    Ok(rules)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::model::RuleDef;
    use crate::rules::packed::Writer;

    /// Two lists of rules are the same, rule for rule and field for field.
    fn assert_same(a: &[Rule], b: &[Rule], what: &str) {
        assert_eq!(a.len(), b.len(), "{what}");
        for (x, y) in a.iter().zip(b) {
            assert_eq!(format!("{x:?}"), format!("{y:?}"), "{what}: {}", x.id);
        }
    }

    /// What a scan reads is the pack, rule for rule and field for field, without the examples.
    #[test]
    fn scan_pack_is_the_pack_without_examples() {
        let full = builtin_rules().expect("the pack reads");
        let lean = builtin_rules_for_scan().expect("the scan pack reads");
        assert_eq!(full.len(), lean.len());
        assert!(full.iter().all(|r| !r.examples.is_empty()));
        for (mut f, l) in full.into_iter().zip(lean) {
            assert!(
                l.examples.is_empty() && l.counter_examples.is_empty(),
                "{}",
                l.id
            );
            f.examples.clear();
            f.counter_examples.clear();
            assert_eq!(format!("{f:?}"), format!("{l:?}"));
        }
    }

    /// The compact pack builds the very rules the TOML files build, the whole pack and the
    /// scan's (which is the whole one without examples).
    #[test]
    fn compact_pack_builds_the_rules_the_toml_does() {
        let full = builtin_rules().expect("the pack reads");
        assert!(full.len() > 500 && full.iter().all(|r| !r.examples.is_empty()));
        let mut from_toml = read_toml(&mut Problems::default()).expect("the TOML reads");
        assert_same(&full, &from_toml, "full");
        for r in &mut from_toml {
            r.examples.clear();
            r.counter_examples.clear();
        }
        let lean = builtin_rules_for_scan().expect("the scan pack reads");
        assert_same(&lean, &from_toml, "lean");
    }

    /// The compact pack holds the TOML's rules, spans included, file for file and in order.
    #[test]
    fn compact_pack_reads_as_the_toml_does() {
        let mut pack = Reader::new(PACK.0, PACK.1);
        let (total, files) = pack.start().expect("a header");
        assert_eq!(files, BUILTIN.len());
        let mut seen = 0;
        for &(name, text) in BUILTIN {
            let from_toml = parse_file(name, text).expect("the pack parses");
            let (file, count) = pack.file().expect("a file");
            assert_eq!(file, name);
            let rules: Vec<RuleDef> = (0..count).map(|_| pack.rule().expect("a rule")).collect();
            assert_eq!(
                serde_json::to_value(&from_toml.rules).expect("writes"),
                serde_json::to_value(&rules).expect("writes"),
                "{name}"
            );
            assert!(rules.iter().all(|r| !r.id.span().is_empty()), "{name}");
            seen += count;
        }
        assert_eq!(seen, total);
        assert!(pack.at_end());
    }

    /// A pack that does not read to its end, or reads past it, is refused (the rules then come
    /// from the TOML files, which say what is wrong).
    #[test]
    fn a_damaged_pack_is_refused() {
        let (bin, text) = PACK_LEAN;
        let mut problems = Problems::default();
        assert!(read_packed(bin, text, &mut problems).is_some());
        assert!(read_packed(&bin[..bin.len() - 1], text, &mut problems).is_none());
        assert!(read_packed(bin, &text[..text.len() - 1], &mut problems).is_none());
        let mut longer = bin.to_vec();
        longer.push(0);
        assert!(read_packed(&longer, text, &mut problems).is_none());
        assert!(read_packed(bin, &format!("{text}x"), &mut problems).is_none());
        assert!(read_packed(&bin[1..], text, &mut problems).is_none());
    }

    /// Every field of the rule model survives the compact form, those the pack does not use
    /// yet included (allow-when, required, validate's JSON conditions of every type).
    #[test]
    fn every_field_of_a_rule_survives_the_compact_form() {
        let text = r#"
[[rules]]
id = "every-field"
description = "d"
regex = '(?P<s>x[0-9]+)'
secret-group = "s"
keywords = ["x1", "X2"]
entropy = 2.5
severity = "critical"
confidence = "low"
kind = "internal"
tags = ["a", "é"]
checksum = "crc32"
assess = "generic"
paths = ["**/*.env"]
path-regexes = ['\.cfg$']
multiline = true
once = true
window = "file"
unicode = true
allow-secrets = ["ok"]
allow-lines = ["fine"]
allow-paths = ["tests/**"]
stopwords = ["Sample"]
skip-report = true
placeholders = false
remediation = "rotate"
examples = ["x12"]
counter-examples = ["y"]
example-path = "a.env"

[[rules.allow-when]]
description = "w"
condition = "all"
commits = ["abc"]
paths = ["p/**"]
path-regexes = ["q"]
secrets = ["s"]
matches = ["m"]
lines = ["l"]
stopwords = ["w"]
unicode = true
target-rules = ["t"]

[[rules.required]]
id = "other"
within-lines = 3
within-columns = 40

[rules.validate]
provider = "p"
protocol = "http"
method = "post"
url = "https://{host}.example.com/v1"
hosts = ["*.example.com"]
headers = { Authorization = "Bearer {secret}", X = "y" }
body = '{"k":"{secret}"}'
basic-auth = ["{secret}", ""]
secret-parts = '(?P<host>[a-z]+)'
pair = { rule = "other", within-lines = 4 }
aws-region = "us-east-1"
aws-service = "sts"
scope = "s"
valid-status = [200, 204]
invalid-status = [401]
valid-json = { "/ok" = true, "/n" = -3, "/f" = 1.5, "/s" = "x", "/a" = [1, "b"], "/t" = { u = 1 }, "/d" = 1979-05-27T07:32:00Z }
invalid-json = { "/error" = "bad" }
valid-body = "fine"
invalid-body = ["nope"]
identity = { login = "/login" }
rate = 2.0

[[rules]]
id = "second"
description = "minimal"
regex = 'y'
secret-group = 0
window = "multiline"
"#;
        let def = parse_file("every.toml", text).expect("parses");
        let mut w = Writer::default();
        w.start(def.rules.len(), 1);
        w.file("every.toml", &def.rules);
        let mut r = Reader::new(&w.bin, &w.text);
        assert_eq!(r.start(), Some((2, 1)));
        assert_eq!(r.file(), Some(("every.toml", 2)));
        let back: Vec<RuleDef> = (0..2).map(|_| r.rule().expect("a rule")).collect();
        assert!(r.at_end());
        assert_eq!(
            serde_json::to_value(&def.rules).expect("writes"),
            serde_json::to_value(&back).expect("writes")
        );
    }
}
