//! The built-in pack: one `include_str!` per `rules/*.toml`, listed explicitly so that an edited
//! or added file always rebuilds the binary (a directory include can miss new files).

use super::error::ConfigError;
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

/// The built-in pack, compiled lazily.
pub fn builtin_rules() -> Result<Vec<Rule>, ConfigError> {
    let mut problems = Problems::default();
    let mut rules = Vec::new();
    for (name, text) in BUILTIN {
        let label = format!("builtin:{name}");
        let def = parse_file(&label, text)?;
        for r in def.rules {
            if let Some(rule) = build_rule(r, &label, text, false, &mut problems) {
                rules.push(rule);
            }
        }
    }
    problems.into_result()?;
    Ok(rules)
}
