//! Serde types that mirror the TOML of rule and configuration files exactly.
//!
//! Parsing and meaning are separate steps: these types only say what the file holds, with the
//! spans of fields whose errors must be located; [`super::load()`] and [`super::validate`] turn
//! them into a [`super::RuleSet`]. Rule tables stay flat because spans do not survive
//! `#[serde(flatten)]`. They also write themselves (spans included), which the tests use to
//! compare models; the build script writes the built-in pack in the compact form of
//! [`super::packed`], read back at run time without a TOML parser. This file is compiled into
//! the build script too, so it uses nothing else of the crate but [`super::span`].

use serde::{Deserialize, Serialize};

use super::span::Spanned;

/// A whole rule or configuration file.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileDef {
    /// How this file relates to the built-in pack.
    #[serde(default)]
    pub extend: Option<ExtendDef>,
    /// The global allowlist.
    #[serde(default)]
    pub allow: Option<AllowDef>,
    /// Rules defined by this file.
    #[serde(default)]
    pub rules: Vec<RuleDef>,
    /// `[internal]`: the project's internal markers (codenames, domains, tickets, ...).
    #[serde(default)]
    pub internal: Option<InternalDef>,
    /// Allowlists with conditions, for every rule or for `target-rules`.
    #[serde(default)]
    pub allow_when: Vec<AllowWhenDef>,
    /// `[validate]`: self-hosted instances `--validate` may contact.
    #[serde(default)]
    pub validate: Option<ValidateConfigDef>,
    /// `[select]`: which rules run (as `--only-rule`, `--enable-rule`, `--disable-rule`).
    #[serde(default)]
    pub select: Option<SelectDef>,
}

/// `[select]`: rule ids, globs over ids, or tags; see `super::select`.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SelectDef {
    /// Run only these rules.
    #[serde(default)]
    pub only: Vec<String>,
    /// Run these built-in rules even when `[extend] disable` switched them off.
    #[serde(default)]
    pub enable: Vec<String>,
    /// Do not run these.
    #[serde(default)]
    pub disable: Vec<String>,
}

/// `[internal]`: what a project declares internal. Every list is optional; see docs/rules.md.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct InternalDef {
    /// Codenames in plain text (`"nightjar"`, `"blue heron"`).
    #[serde(default)]
    pub codenames: Vec<Spanned<String>>,
    /// A file of codenames, one per line, relative to this file (kept outside the repository).
    pub codenames_file: Option<Spanned<String>>,
    /// An environment variable holding codenames separated by commas or newlines.
    pub codenames_env: Option<Spanned<String>>,
    /// Keyed hashes of codenames, as printed by `leakscan internal hash`.
    #[serde(default)]
    pub codename_hashes: Vec<Spanned<String>>,
    /// The environment variable holding the key of `codename-hashes` (default
    /// `LEAKSCAN_MARKER_KEY`).
    pub hash_key_env: Option<Spanned<String>>,
    /// Internal DNS domains; their subdomains match too.
    #[serde(default)]
    pub domains: Vec<Spanned<String>>,
    /// Issue-tracker key prefixes (`ABC` matches `ABC-1234`), case-sensitive.
    #[serde(default)]
    pub ticket_prefixes: Vec<Spanned<String>>,
    /// Extra classification phrases, matched case-insensitively as whole words.
    #[serde(default)]
    pub phrases: Vec<Spanned<String>>,
    /// Path globs of files that must never ship; each such file is reported.
    #[serde(default)]
    pub never_ship: Vec<Spanned<String>>,
    /// Path globs where the markers of this table are not reported.
    #[serde(default)]
    pub allow_paths: Vec<Spanned<String>>,
    /// Severity of the findings of this table (default medium; never-ship files high).
    pub severity: Option<Severity>,
}

/// `[[allow-when]]` and `[[rules.allow-when]]`: exceptions whose checks combine with a
/// condition (the model of gitleaks' `[[allowlists]]`).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AllowWhenDef {
    /// What it is for.
    #[serde(default)]
    pub description: String,
    /// `"any"` (default; gitleaks' `OR`) or `"all"` (gitleaks' `AND`).
    pub condition: Option<Spanned<String>>,
    /// Commit ids or prefixes (history scans).
    #[serde(default)]
    pub commits: Vec<String>,
    /// Path globs.
    #[serde(default)]
    pub paths: Vec<Spanned<String>>,
    /// Path regexes (unanchored).
    #[serde(default)]
    pub path_regexes: Vec<Spanned<String>>,
    /// Regexes on the secret.
    #[serde(default)]
    pub secrets: Vec<Spanned<String>>,
    /// Regexes on the whole match.
    #[serde(default)]
    pub matches: Vec<Spanned<String>>,
    /// Regexes on the line(s) of the match.
    #[serde(default)]
    pub lines: Vec<Spanned<String>>,
    /// Case-insensitive substrings of the secret.
    #[serde(default)]
    pub stopwords: Vec<String>,
    /// Compile the regexes with Unicode on.
    #[serde(default)]
    pub unicode: bool,
    /// Top-level lists only: the rules it applies to (default: all).
    #[serde(default)]
    pub target_rules: Vec<Spanned<String>>,
}

/// `[[rules.required]]`: a rule that must match near a finding of this rule.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RequiredDef {
    /// The required rule's id.
    pub id: Spanned<String>,
    /// At most this many lines apart.
    pub within_lines: Option<usize>,
    /// At most this many columns apart.
    pub within_columns: Option<usize>,
}

/// Where a rule's regex runs once one of its keywords occurs.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum WindowDef {
    /// The keyword's line (the default).
    #[default]
    Line,
    /// From the keyword's line to 64 KiB after it (same as `multiline = true`).
    Multiline,
    /// The whole file (gitleaks' semantics).
    File,
}

/// `[extend]`: start from the built-in pack, disable some of it, pull in more files.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExtendDef {
    /// Start from the built-in pack (default true).
    pub builtin: Option<bool>,
    /// Rule ids to switch off.
    #[serde(default)]
    pub disable: Vec<Spanned<String>>,
    /// More rule files, relative to this file.
    #[serde(default)]
    pub files: Vec<Spanned<String>>,
}

/// `[allow]`: filters that apply to every rule.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AllowDef {
    /// Path globs never scanned.
    #[serde(default)]
    pub paths: Vec<Spanned<String>>,
    /// Regexes on the secret.
    #[serde(default)]
    pub secrets: Vec<Spanned<String>>,
    /// Regexes on the line of the finding.
    #[serde(default)]
    pub lines: Vec<Spanned<String>>,
    /// Case-insensitive substrings of the secret.
    #[serde(default)]
    pub stopwords: Vec<String>,
    /// Commit ids whose findings are not reported (history scans).
    #[serde(default)]
    pub commits: Vec<String>,
}

/// Which capture group holds the secret: a number or a name.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum GroupDef {
    /// A group number; 0 is the whole match.
    Index(usize),
    /// A group name.
    Name(String),
}

/// Severity of a finding.
#[derive(
    Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord, Hash,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational.
    Info,
    /// Low.
    Low,
    /// Medium (the default).
    #[default]
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

/// How sure a rule is that a match is a real secret.
#[derive(
    Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord, Hash,
)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Generic, context-dependent rules.
    Low,
    /// Distinctive formats without a checksum (the default).
    #[default]
    Medium,
    /// Formats that prove themselves (prefix plus verified checksum).
    High,
}

/// What a finding is about.
#[derive(
    Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord, Hash,
)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A credential.
    #[default]
    Secret,
    /// An internal marker: codename, internal host, classification banner, file that must not ship.
    Internal,
}

/// One `[[rules]]` table.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleDef {
    /// Unique id.
    pub id: Spanned<String>,
    /// One-line description.
    pub description: String,
    /// Byte regex; absent for path rules.
    pub regex: Option<Spanned<String>>,
    /// The capture group holding the secret.
    pub secret_group: Option<Spanned<GroupDef>>,
    /// Prefilter keywords (ASCII case-insensitive).
    #[serde(default)]
    pub keywords: Vec<Spanned<String>>,
    /// Minimum Shannon entropy of the secret.
    pub entropy: Option<f64>,
    /// Severity.
    #[serde(default)]
    pub severity: Severity,
    /// Confidence.
    #[serde(default)]
    pub confidence: Confidence,
    /// Kind.
    #[serde(default)]
    pub kind: Kind,
    /// Free tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Checksum verifier name.
    pub checksum: Option<Spanned<String>>,
    /// An assessor that decides each candidate's confidence (`"generic"`: key name, value
    /// shape and context; see `matcher::generic`).
    pub assess: Option<Spanned<String>>,
    /// Path globs the rule applies to.
    #[serde(default)]
    pub paths: Vec<Spanned<String>>,
    /// Path regexes the rule applies to (unanchored; either these or `paths` may match).
    #[serde(default)]
    pub path_regexes: Vec<Spanned<String>>,
    /// Whether the regex may span lines.
    #[serde(default)]
    pub multiline: bool,
    /// Report only the first finding of this rule per file (rules about the file, not the
    /// value).
    #[serde(default)]
    pub once: bool,
    /// Where the regex runs once a keyword occurs.
    pub window: Option<WindowDef>,
    /// Compile this rule's regexes with Unicode on (as gitleaks does).
    #[serde(default)]
    pub unicode: bool,
    /// Regexes on the secret that drop a candidate.
    #[serde(default)]
    pub allow_secrets: Vec<Spanned<String>>,
    /// Regexes on the line that drop a candidate.
    #[serde(default)]
    pub allow_lines: Vec<Spanned<String>>,
    /// Path globs where the rule does not report.
    #[serde(default)]
    pub allow_paths: Vec<Spanned<String>>,
    /// Case-insensitive substrings of the secret that drop a candidate.
    #[serde(default)]
    pub stopwords: Vec<String>,
    /// Allowlists with conditions.
    #[serde(default)]
    pub allow_when: Vec<AllowWhenDef>,
    /// Rules that must match nearby for a finding to be reported.
    #[serde(default)]
    pub required: Vec<RequiredDef>,
    /// Report nothing: the rule only serves as a required part of composite rules.
    #[serde(default)]
    pub skip_report: bool,
    /// Apply the shared placeholder filter (default true).
    pub placeholders: Option<bool>,
    /// How to rotate or remove what leaked.
    pub remediation: Option<String>,
    /// Texts that must give a finding of this rule.
    #[serde(default)]
    pub examples: Vec<Spanned<String>>,
    /// Texts that must not give a finding of this rule.
    #[serde(default)]
    pub counter_examples: Vec<Spanned<String>>,
    /// The path the examples are scanned under (default `example.txt`).
    pub example_path: Option<String>,
    /// `[rules.validate]`: how `--validate` asks the provider whether the secret works.
    pub validate: Option<ValidateDef>,
}

/// `[rules.validate]`: one read-only request that tells a live secret from a dead one.
/// Templates (`url`, header values, `body`, `basic-auth`) may use `{secret}`, `{pair}` (the
/// secret of the paired rule's finding) and the named groups of `secret-parts`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ValidateDef {
    /// Provider name: the unit of rate limits, of self-hosted hosts and of the cache.
    pub provider: Spanned<String>,
    /// `http` (default), `aws-sigv4` (the secret is the key id, `{pair}` the secret key) or
    /// `gcp-service-account` (a signed JWT exchanged at `url`).
    pub protocol: Option<Spanned<String>>,
    /// HTTP method (default GET).
    pub method: Option<Spanned<String>>,
    /// `https://` URL template.
    pub url: Spanned<String>,
    /// Host globs the rendered URL may name (default: the URL template's literal host).
    #[serde(default)]
    pub hosts: Vec<Spanned<String>>,
    /// Header templates.
    #[serde(default)]
    pub headers: std::collections::BTreeMap<String, String>,
    /// Body template.
    pub body: Option<String>,
    /// `[user, password]` templates for HTTP basic authentication.
    pub basic_auth: Option<Vec<String>>,
    /// A regex the secret must match; its named groups are template variables.
    pub secret_parts: Option<Spanned<String>>,
    /// The other half of a pair (AWS key id and secret, Twilio key and secret).
    pub pair: Option<PairDef>,
    /// AWS region and service of a SigV4 request.
    pub aws_region: Option<String>,
    /// AWS service of a SigV4 request.
    pub aws_service: Option<String>,
    /// OAuth scope asked for by `gcp-service-account`.
    pub scope: Option<String>,
    /// Statuses that may mean valid (the JSON and body conditions must hold too).
    pub valid_status: Vec<u16>,
    /// Statuses that mean invalid.
    #[serde(default)]
    pub invalid_status: Vec<u16>,
    /// JSON pointer -> value: all must hold for valid.
    #[serde(default)]
    pub valid_json: std::collections::BTreeMap<String, toml::Value>,
    /// JSON pointer -> value: any that holds means invalid.
    #[serde(default)]
    pub invalid_json: std::collections::BTreeMap<String, toml::Value>,
    /// A substring the body must hold for valid.
    pub valid_body: Option<String>,
    /// Substrings of the body that mean invalid.
    #[serde(default)]
    pub invalid_body: Vec<String>,
    /// Identity to report: name -> `/json/pointer`, `header:Name` or `xml:Tag`; never a secret.
    #[serde(default)]
    pub identity: std::collections::BTreeMap<String, Spanned<String>>,
    /// Requests per second to this provider (default 10).
    pub rate: Option<f64>,
}

/// The other half of a paired secret: a finding of `rule` in the same file (and commit).
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PairDef {
    /// The rule whose finding is the other half.
    pub rule: Spanned<String>,
    /// At most this many lines apart (default 10).
    pub within_lines: Option<usize>,
}

/// `[validate]` of a configuration file: what `--validate` may contact besides the providers'
/// own hosts.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ValidateConfigDef {
    /// Provider -> base URLs (`https://gitlab.example.com`) of self-hosted instances; they
    /// replace the provider's public host.
    #[serde(default)]
    pub self_hosted: std::collections::BTreeMap<String, Vec<Spanned<String>>>,
}
