//! The built-in pack: one `include_str!` per `rules/*.toml`, listed explicitly so that an edited
//! or added file always rebuilds the binary (a directory include can miss new files).

use super::error::ConfigError;
use super::model::FileDef;
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

/// The files of [`BUILTIN`] as the build script prepared them in `$OUT_DIR/<dir>`, in the
/// same order.
macro_rules! prepared {
    ($dir:literal) => {
        &[
            include_str!(concat!(env!("OUT_DIR"), $dir, "/ai.json")),
            include_str!(concat!(env!("OUT_DIR"), $dir, "/cicd.json")),
            include_str!(concat!(env!("OUT_DIR"), $dir, "/cli.json")),
            include_str!(concat!(env!("OUT_DIR"), $dir, "/cloud-aws.json")),
            include_str!(concat!(env!("OUT_DIR"), $dir, "/cloud-azure.json")),
            include_str!(concat!(env!("OUT_DIR"), $dir, "/cloud-gcp.json")),
            include_str!(concat!(env!("OUT_DIR"), $dir, "/cloud.json")),
            include_str!(concat!(env!("OUT_DIR"), $dir, "/config.json")),
            include_str!(concat!(env!("OUT_DIR"), $dir, "/datastores.json")),
            include_str!(concat!(env!("OUT_DIR"), $dir, "/devplatforms.json")),
            include_str!(concat!(env!("OUT_DIR"), $dir, "/generic.json")),
            include_str!(concat!(env!("OUT_DIR"), $dir, "/hashes.json")),
            include_str!(concat!(env!("OUT_DIR"), $dir, "/identity.json")),
            include_str!(concat!(env!("OUT_DIR"), $dir, "/internal.json")),
            include_str!(concat!(env!("OUT_DIR"), $dir, "/messaging.json")),
            include_str!(concat!(env!("OUT_DIR"), $dir, "/observability.json")),
            include_str!(concat!(env!("OUT_DIR"), $dir, "/payments.json")),
            include_str!(concat!(env!("OUT_DIR"), $dir, "/private-keys.json")),
            include_str!(concat!(env!("OUT_DIR"), $dir, "/registries.json")),
            include_str!(concat!(env!("OUT_DIR"), $dir, "/vcs.json")),
        ]
    };
}

/// The files of [`BUILTIN`] as the build script prepared them: the rule model written as JSON
/// (see `build.rs`), in the same order.
const PREPARED: &[&str] = prepared!("/rules");

/// [`PREPARED`] without the rules' examples and counter-examples, for scans.
const PREPARED_LEAN: &[&str] = prepared!("/rules-lean");

/// The built-in pack, compiled lazily. It is read from the JSON the build script prepared from
/// the TOML files, which holds the same model, spans included.
pub fn builtin_rules() -> Result<Vec<Rule>, ConfigError> {
    read_pack(PREPARED)
}

/// [`builtin_rules`] without the rules' examples and counter-examples, which only
/// `rules test` runs: what a scan reads, in two fifths less time.
pub fn builtin_rules_for_scan() -> Result<Vec<Rule>, ConfigError> {
    read_pack(PREPARED_LEAN)
}

fn read_pack(prepared: &[&str]) -> Result<Vec<Rule>, ConfigError> {
    let mut problems = Problems::default();
    let mut rules = Vec::new();
    for (&(name, text), json) in BUILTIN.iter().zip(prepared) {
        rules.extend(read_file(name, text, json, &mut problems)?);
    }
    super::validate::check_pairs(&rules, &mut problems);
    problems.into_result()?;
    Ok(rules)
}

/// The rules of one file of the pack, from its prepared JSON (`text` is its TOML).
fn read_file(
    name: &str,
    text: &str,
    json: &str,
    problems: &mut Problems,
) -> Result<Vec<Rule>, ConfigError> {
    let label = format!("builtin:{name}");
    let def = match serde_json::from_str::<FileDef>(json) {
        Ok(def) => def,
        // Not expected (the build wrote it from this model); the TOML says what is wrong.
        Err(_) => parse_file(&label, text)?,
    };
    Ok(def
        .rules
        .into_iter()
        .filter_map(|r| build_rule(r, &label, text, false, problems))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// The prepared JSON is the TOML's model, spans included, file for file.
    #[test]
    fn prepared_pack_reads_as_the_toml_does() {
        assert_eq!(PREPARED.len(), BUILTIN.len());
        for (&(name, text), json) in BUILTIN.iter().zip(PREPARED) {
            let from_toml = parse_file(name, text).expect("the pack parses");
            let from_json: FileDef = serde_json::from_str(json).expect("the prepared pack reads");
            assert_eq!(
                serde_json::to_value(&from_toml).expect("writes"),
                serde_json::to_value(&from_json).expect("writes"),
                "{name}"
            );
            assert!(
                from_json.rules.iter().all(|r| !r.id.span().is_empty()),
                "{name}: the prepared pack keeps the spans"
            );
        }
    }
}
