//! The generic assessor: decides, for a candidate of a rule with `assess = "generic"`, whether
//! a value assigned to a credential-like name is a secret, and how sure we are.
//!
//! A regex finds `name <op> value` (or `<name>value</name>`, a header, a flag); this module
//! looks at three things, in order:
//!
//! 1. **The name** (the regex's `key` group), split into words at case changes, `_`, `-`, `.`
//!    and spaces: a password word (`password`, `passwd`, `pwd`, `pass`, `passphrase`), a strong
//!    word (`secret`, `token`, `apikey`, `api key`, `access key`, `private key`, `credential`,
//!    `bearer`, ...), or only a weak one (`key`, `auth`, `sig`). A word after it that makes the
//!    name describe something else (`token_url`, `password_hint`, `secret_name`, `key_id`,
//!    `max_tokens`) drops the candidate, and so does a public key.
//! 2. **What the value is not**: a reference (`${X}`, `$X`, `process.env.X`, `os.environ[..]`,
//!    `{{ secrets.X }}`, `self.x`, a call), a path, a URL without credentials, a file name, a
//!    version, a date, an e-mail address, a number, a word or identifier, a hash next to a
//!    hash-like name or in a lock file.
//! 3. **How random the value is**: letters are scored by how surprising each is after the one
//!    before in ordinary words ([`bigrams`]), which tells `Tr0ub4dor` from `q7Xk2Lm9`; with the
//!    number of character classes, the Shannon entropy against the most the value's length and
//!    alphabet allow, and how often the value switches between letters and digits.
//!
//! Medium (shown by default) needs a password word with a value that is not a word, or a
//! strong word with a random-looking value, or a weak word with a long, clearly random value.
//! Anything else that survives is low. Documentation and test paths lower medium to low.

mod bigrams;

use crate::rules::Confidence;

/// What the assessor decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Not a secret: the reason.
    Drop(&'static str),
    /// A secret at this confidence, with the reason `--explain` shows.
    Keep(Confidence, &'static str),
}

/// How strongly a name says "credential".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Strength {
    /// No credential word.
    None,
    /// `key`, `auth`, `sig`, `cred`: many non-secrets are named so.
    Weak,
    /// `secret`, `token`, `api key`, `access key`, `private key`, `credential`, ...
    Strong,
    /// `password`, `passwd`, `pwd`, `pass`, `passphrase`.
    Password,
}

const PASSWORD_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "pass",
    "passphrase",
    "passw",
    "passwort",
    "pword",
    "pw",
    "psk",
];
const STRONG_WORDS: &[&str] = &[
    "secret",
    "secrets",
    "token",
    "apikey",
    "apitoken",
    "accesskey",
    "privatekey",
    "secretkey",
    "credential",
    "credentials",
    "bearer",
    "authtoken",
    "accesstoken",
    "clientsecret",
    "passkey",
    "sessionkey",
    "masterkey",
    "signingkey",
    "encryptionkey",
    "licensekey",
    "appkey",
    "appsecret",
    "consumersecret",
    "refreshtoken",
    "authkey",
    "secretaccesskey",
    "privatetoken",
];
const WEAK_WORDS: &[&str] = &["key", "auth", "sig", "cred", "creds", "pat", "keys", "hmac"];

/// Words that, after the credential word, make the name describe something else.
const NEGATIVE_AFTER: &[&str] = &[
    "url",
    "uri",
    "urls",
    "endpoint",
    "host",
    "hostname",
    "path",
    "file",
    "filename",
    "dir",
    "folder",
    "name",
    "names",
    "id",
    "ids",
    "type",
    "types",
    "header",
    "field",
    "length",
    "len",
    "size",
    "ttl",
    "expiry",
    "expires",
    "expiration",
    "expire",
    "lifetime",
    "timeout",
    "regex",
    "pattern",
    "format",
    "hint",
    "prompt",
    "label",
    "policy",
    "version",
    "count",
    "enabled",
    "enable",
    "disabled",
    "mode",
    "env",
    "var",
    "arn",
    "ref",
    "template",
    "prefix",
    "suffix",
    "min",
    "max",
    "algorithm",
    "alg",
    "method",
    "provider",
    "store",
    "storage",
    "manager",
    "generator",
    "reset",
    "rotation",
    "validator",
    "validation",
    "required",
    "placeholder",
    "location",
    "source",
    "sources",
    "mount",
    "index",
    "limit",
    "usage",
    "counter",
    "param",
    "params",
    "parameter",
    "option",
    "options",
    "schema",
    "class",
    "service",
    "strategy",
    "handler",
    "callback",
    "error",
    "errors",
    "message",
    "msg",
    "description",
    "desc",
    "title",
    "text",
    "input",
    "output",
    "changed",
    "change",
    "confirm",
    "confirmation",
    "policy",
    "complexity",
    "strength",
    "level",
    "scope",
    "scopes",
    "kind",
    "vault",
    "ssm",
    "lookup",
    "key_id",
    "fingerprint",
    "hash",
    "digest",
    "checksum",
    "endpoint",
    "audience",
    "issuer",
    "column",
    "col",
    "attr",
    "attribute",
    "property",
    "prop",
    "fn",
    "func",
    "function",
    "value_from",
    "from",
    "ref",
    "reference",
    "secret_ref",
    "selector",
    "policy",
    "rule",
    "encryption",
    "hashing",
    "hasher",
    "cipher",
    "scheme",
    "mechanism",
    "plugin",
    "encoder",
];

/// Words before or after that make the name one of a public or non-secret thing.
const NEGATIVE_ANY: &[&str] = &[
    "public",
    "pub",
    "publishable",
    "pubkey",
    "publickey",
    "keyboard",
    "keyword",
    "keywords",
    "keypress",
    "keydown",
    "keyup",
    "keycode",
    "keystroke",
    "keyframe",
    "keyframes",
    "monkey",
    "turkey",
    "hockey",
    "jockey",
    "donkey",
    "whiskey",
    "keychain",
    "keystore",
    "keypair",
    "tokenizer",
    "tokenize",
    "tokens",
    "tokenized",
    "max",
    "csrf",
    "xsrf",
    "sort",
    "primary",
    "foreign",
    "partition",
    "cache",
    "hotkey",
    "shortcut",
    "passthrough",
    "passive",
    "passage",
    "passenger",
    "compass",
    "bypass",
    "surpass",
    "passed",
    "passes",
    "passing",
    "author",
    "authority",
    "authorities",
    "authorize",
    "authorized",
    "authorization_url",
    "authn",
    "oauth2",
    "input",
    "form",
    "i18n",
    "translation",
    "lang",
    "locale",
    "label",
    "placeholder",
    "mock",
    "fake",
    "dummy",
    "example",
    "sample",
    "test",
    "tests",
    "testing",
    "fixture",
    "default",
];

/// Splits a name into lower-case words at `_ - . space :`, case changes and digits.
fn words(name: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev: Option<u8> = None;
    for &c in name {
        let boundary = match prev {
            None => false,
            Some(p) => {
                !c.is_ascii_alphanumeric()
                    || (p.is_ascii_lowercase() && c.is_ascii_uppercase())
                    || (p.is_ascii_digit() != c.is_ascii_digit())
            }
        };
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        if c.is_ascii_alphanumeric() {
            cur.push(c.to_ascii_lowercase() as char);
        }
        prev = Some(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The name's strength, after the words that negate it.
fn strength(name: &[u8]) -> Result<Strength, &'static str> {
    let ws = words(name);
    if ws.is_empty() {
        return Ok(Strength::None);
    }
    // Joined neighbours, so `api_key`, `apiKey` and `APIKEY` all read `apikey`.
    let mut best = Strength::None;
    let mut at = None;
    for i in 0..ws.len() {
        let one = ws[i].as_str();
        let two = ws.get(i + 1).map(|n| format!("{one}{n}"));
        // `pass` alone is a verb or a status (`PASS: ...`, `commit_pass2`) more often than a
        // password; with a qualifier (`db_pass`, `smtp_pass`) it is one.
        let bare_pass = one == "pass"
            && (ws.len() == 1
                || ws[i + 1..]
                    .iter()
                    .all(|w| w.bytes().all(|c| c.is_ascii_digit())));
        let s = if bare_pass {
            Strength::Weak
        } else if PASSWORD_WORDS.contains(&one)
            || one.starts_with("password")
            || one.ends_with("password")
            || one.ends_with("passwd")
        {
            Strength::Password
        } else if STRONG_WORDS.contains(&one)
            || two.as_deref().is_some_and(|t| STRONG_WORDS.contains(&t))
            || one.ends_with("secret")
            || one.ends_with("token")
            || one.ends_with("apikey")
        {
            Strength::Strong
        } else if WEAK_WORDS.contains(&one) || one.ends_with("key") && one.len() <= 12 {
            Strength::Weak
        } else {
            Strength::None
        };
        if s > best || (s == best && s != Strength::None) {
            best = s;
            at = Some(i);
        }
    }
    let Some(at) = at else {
        return Ok(Strength::None);
    };
    if ws.iter().any(|w| NEGATIVE_ANY.contains(&w.as_str())) {
        return Err("the name is of something public or not secret");
    }
    // `token_url`, `password_min_length`: a describing word after the credential word. Words
    // such as `value`, `key`, `str`, `b64`, `hex`, `prod` keep it a credential.
    if ws[at + 1..]
        .iter()
        .any(|w| NEGATIVE_AFTER.contains(&w.as_str()))
    {
        return Err("the name describes something about a credential, not the credential");
    }
    // `key_id`, `access_key_id` as one joined word.
    if let Some(last) = ws.last() {
        if last.ends_with("id") && last.len() > 2 && last[..last.len() - 2].ends_with("key") {
            return Err("the name describes something about a credential, not the credential");
        }
    }
    Ok(best)
}

/// Decides a candidate. `key` is the name the value is assigned to (may be empty when the
/// rule's syntax implies a credential, such as an Authorization header: it is then judged as a
/// password); `value` the secret; `before` a few bytes of the line before the name (`public
/// key: ...`); `path` the file's path.
pub fn assess(key: &[u8], value: &[u8], before: &[u8], path: &str, quoted: bool) -> Verdict {
    let lead = String::from_utf8_lossy(before).to_ascii_lowercase();
    let lead = lead.trim_end();
    if lead.ends_with("public") || lead.ends_with("pub") || lead.ends_with("publishable") {
        return Verdict::Drop("the name is of something public or not secret");
    }
    let strength = if key.is_empty() {
        Strength::Password
    } else {
        match strength(key) {
            Ok(s) => s,
            Err(why) => return Verdict::Drop(why),
        }
    };
    if strength == Strength::None {
        return Verdict::Drop("the name names no credential");
    }
    // An HTTP scheme before a token (`"Bearer <token>"`): judge the token.
    let value = ["Bearer ", "bearer ", "Token ", "token ", "Basic "]
        .iter()
        .find_map(|p| value.strip_prefix(p.as_bytes()))
        .unwrap_or(value);
    if let Some(why) = not_a_secret(value, key, path) {
        return Verdict::Drop(why);
    }
    // Unquoted, a name is a symbol of the program (`.commit_pass2 = xlog_recover_pass2`,
    // `.token = AVS_TKN_MOD_ID_U32`); quoted, it is still no token.
    if symbol_like(value) && (!quoted || strength != Strength::Password) {
        return Verdict::Drop("a symbol or constant name, not a literal secret");
    }
    let shape = Shape::of(value);
    if value.contains(&b' ') {
        // Tokens hold no spaces; a password rarely does, a label often (`"A1 (pass1)"`).
        return match strength {
            Strength::Password if shape.len >= 8 && shape.classes >= 3 => Verdict::Keep(
                Confidence::Low,
                "a password name with a value that has spaces",
            ),
            _ => Verdict::Drop("a value with spaces is no token"),
        };
    }
    let confidence = match strength {
        Strength::Password => {
            if crate::matcher::allow::is_identifier_like(value) {
                return Verdict::Drop("a word or identifier, not a password");
            }
            if shape.len >= 8 && (shape.classes >= 2 || shape.random()) {
                Some("a password name with a value that is not a word")
            } else {
                None
            }
        }
        Strength::Strong | Strength::Weak if value.contains(&b'?') => {
            // Generated tokens never hold `?` (it ends a URL's path); a spliced-in `?` marks
            // an edited or truncated value.
            None
        }
        Strength::Strong => {
            if shape.len < 8 {
                return Verdict::Drop("too short for a token");
            }
            (shape.len >= 12 && (shape.random() || shape.uuid))
                .then_some("a secret name with a random-looking value")
        }
        Strength::Weak => {
            if shape.len < 12 {
                return Verdict::Drop("too short for a key");
            }
            (shape.len >= 16 && shape.very_random())
                .then_some("a key name with a long, clearly random value")
        }
        Strength::None => None,
    };
    match confidence {
        Some(why) if !quiet_place(path) => Verdict::Keep(Confidence::Medium, why),
        Some(_) => Verdict::Keep(
            Confidence::Low,
            "random-looking, but in documentation or tests",
        ),
        None if shape.wordy() && strength != Strength::Password => {
            Verdict::Drop("the value reads as words, not a random string")
        }
        None => Verdict::Keep(Confidence::Low, "the value does not look random enough"),
    }
}

/// Documentation, examples and test data: the place of most published sample credentials.
fn quiet_place(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    let name = p.rsplit('/').next().unwrap_or(&p);
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    matches!(ext, "md" | "markdown" | "rst" | "adoc" | "asciidoc")
        || p.split('/').any(|seg| {
            matches!(
                seg,
                "test"
                    | "tests"
                    | "testdata"
                    | "test-data"
                    | "fixtures"
                    | "__tests__"
                    | "spec"
                    | "examples"
                    | "example"
                    | "docs"
                    | "doc"
                    | "documentation"
                    | "samples"
                    | "sample"
                    | "mocks"
                    | "__mocks__"
            )
        })
        || name.contains("_test.")
        || name.contains(".test.")
        || name.contains(".spec.")
        || name.starts_with("test_")
        || name.ends_with(".example")
        || name.ends_with(".sample")
        || name.ends_with(".dist")
}

/// Why a value is plainly not a secret, whatever its randomness.
fn not_a_secret(value: &[u8], key: &[u8], path: &str) -> Option<&'static str> {
    let v = value;
    let text = String::from_utf8_lossy(v);
    let lower = text.to_ascii_lowercase();
    if v.is_empty() {
        return Some("empty");
    }
    if v.len() > 1024 {
        return Some("longer than any credential");
    }
    if v.starts_with(b"eyJ") {
        return Some("a JSON Web Token: the jwt rules judge it by its claims");
    }
    // References to a value held elsewhere.
    if crate::matcher::allow::has_template(&text) {
        return Some("a template or interpolation");
    }
    const REFS: &[&str] = &[
        "process.env",
        "os.environ",
        "os.getenv",
        "getenv(",
        "environ[",
        "secrets.",
        "vault:",
        "vault/",
        "env(",
        "env[",
        "env.",
        "$env:",
        "settings.",
        "config.",
        "configuration[",
        "params.",
        "args.",
        "props.",
        "ssm:",
        "arn:aws:",
        "secretsmanager",
        "keyvault",
        "op://",
        "awssecretsmanager",
        "azurekeyvault",
        "lookup(",
        "var.",
        "local.",
        "data.",
        "module.",
        "input.",
        "inputs.",
        "vars.",
        "matrix.",
    ];
    if REFS.iter().any(|r| lower.contains(r)) {
        return Some("a reference to a value held elsewhere");
    }
    // `$NAME`, `%NAME%`, YAML tags, anchors and aliases (`!vault`, `!Ref`, `&default`,
    // `*default`), `@Value`: a sigil and a name.
    if matches!(v[0], b'$' | b'%' | b'@' | b'&' | b'*' | b'!') {
        let rest = v[1..].strip_suffix(b"%").unwrap_or(&v[1..]);
        let rest = rest.strip_suffix(b":").unwrap_or(rest);
        let name = rest
            .first()
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
            && rest.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_');
        let upper = rest.iter().all(|c| !c.is_ascii_lowercase());
        if name && (upper || crate::matcher::allow::is_identifier_like(rest)) {
            return Some("a variable reference");
        }
    }
    // `self.token`, `config.api_key`, `Foo::BAR`, `obj->key`: member access.
    if is_member_access(v) {
        return Some("a member access, not a literal");
    }
    // A call: `get_password()`, `os.Getenv("X")`.
    if let Some(p) = v.iter().position(|&c| c == b'(') {
        let head = &v[..p];
        if !head.is_empty()
            && head
                .iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b':'))
            && head[0].is_ascii_alphabetic()
        {
            return Some("a call, not a literal");
        }
    }
    if lower.contains("://") && !lower.contains('@') {
        return Some("a URL without credentials");
    }
    if (v.starts_with(b"/")
        || v.starts_with(b"./")
        || v.starts_with(b"../")
        || v.starts_with(b"~/"))
        && !v[1..].contains(&b'+')
        && v.iter().filter(|&&c| c == b'/').count() >= 2
    {
        return Some("a path");
    }
    if v.len() > 3 && v[1] == b':' && (v[2] == b'\\' || v[2] == b'/') {
        return Some("a path");
    }
    if is_file_name(&lower) {
        return Some("a file name");
    }
    if is_version(v) {
        return Some("a version or date");
    }
    if v.iter()
        .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'-' | b'_' | b':' | b' '))
        || (lower.starts_with("0x") && v.len() <= 18 && v[2..].iter().all(u8::is_ascii_hexdigit))
    {
        return Some("a number");
    }
    if let Some(at) = v.iter().position(|&c| c == b'@') {
        let (user, host) = (&v[..at], &v[at + 1..]);
        if !user.is_empty()
            && host.contains(&b'.')
            && host
                .iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-'))
            && !user.contains(&b':')
        {
            return Some("an e-mail address");
        }
    }
    if v.contains(&b' ') && v.split(|&c| c == b' ').filter(|w| !w.is_empty()).count() >= 3 {
        return Some("a phrase");
    }
    if is_hex(v) && matches!(v.len(), 32 | 40 | 64 | 128) {
        let k = String::from_utf8_lossy(key).to_ascii_lowercase();
        if [
            "hash",
            "sha",
            "md5",
            "digest",
            "checksum",
            "integrity",
            "etag",
            "commit",
            "rev",
        ]
        .iter()
        .any(|w| k.contains(w))
            || is_lock_file(path)
        {
            return Some("a hash");
        }
    }
    if crate::matcher::allow::placeholder(v).is_some() || repeats_a_unit(&lower) {
        return Some("a placeholder");
    }
    // Publishable keys are public by design (Stripe `pk_`, Lob `live_pub_`/`test_pub_`).
    if [
        "pk_live_",
        "pk_test_",
        "live_pub_",
        "test_pub_",
        "pub_live_",
        "pub_test_",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
    {
        return Some("a publishable (public) key");
    }
    if let Some(text) = base64_text(v) {
        // Encoded text: `user:password` pairs are judged by their password part. (A guard
        // would let a pair with a real password fall through to the plain-text arm.)
        #[allow(clippy::collapsible_match)]
        match text.split_once(':') {
            Some((_, pw)) if !pw.is_empty() && !pw.contains(' ') => {
                if crate::matcher::allow::placeholder(pw.as_bytes()).is_some()
                    || Shape::of(pw.as_bytes()).wordy()
                {
                    return Some("base64 of a placeholder user:password pair");
                }
            }
            _ if text.contains(' ') => return Some("base64 of plain text"),
            _ => {}
        }
    }
    None
}

/// A unit of 2 to 16 characters repeated over most of the value (`1234567890abcdef` twice,
/// `1a2b3c4d`), or letters and digits each counting up in step.
fn repeats_a_unit(lower: &str) -> bool {
    let b = lower.as_bytes();
    let n = b.len();
    if n >= 8 {
        for unit in 2..=16.min(n / 2) {
            let same = (unit..n).filter(|&i| b[i] == b[i - unit]).count();
            if same * 10 >= (n - unit) * 9 && (n - unit) >= unit {
                return true;
            }
        }
    }
    // Interleaved counting: the letters and the digits are each an ascending run.
    let letters: Vec<u8> = b.iter().copied().filter(u8::is_ascii_lowercase).collect();
    let digits: Vec<u8> = b.iter().copied().filter(u8::is_ascii_digit).collect();
    let counting = |s: &[u8]| s.len() >= 3 && s.windows(2).all(|w| w[1] == w[0] + 1);
    n >= 8 && letters.len() + digits.len() == n && counting(&letters) && counting(&digits)
}

/// The text a base64 value encodes, when it is printable ASCII (a key decodes to bytes).
fn base64_text(v: &[u8]) -> Option<String> {
    use base64::Engine as _;
    if v.len() < 12 || !v.len().is_multiple_of(4) {
        return None;
    }
    let bytes = base64::engine::general_purpose::STANDARD.decode(v).ok()?;
    let printable = bytes
        .iter()
        .all(|&c| (0x20..0x7f).contains(&c) || c == b'\n' || c == b'\t');
    printable.then(|| String::from_utf8_lossy(&bytes).into_owned())
}

/// A program's symbol: `_`-separated parts, each made of word-like letter runs (camelCase
/// allowed) with at most a few digits at its end (`xlog_recover_pass2`, `AVS_TKN_MOD_ID_U32`,
/// `ps3_smp_message_pass`, `ipv6`). Random tokens fail: their letter runs are not words, or
/// their digits sit inside a part.
pub(crate) fn symbol_like(v: &[u8]) -> bool {
    if v.is_empty() || !(v[0].is_ascii_alphabetic() || v[0] == b'_') {
        return false;
    }
    if !v.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_') {
        return false;
    }
    v.split(|&c| c == b'_')
        .filter(|p| !p.is_empty())
        .all(|part| {
            let digits = part.iter().rev().take_while(|c| c.is_ascii_digit()).count();
            let letters = &part[..part.len() - digits];
            if digits > 4 {
                return false;
            }
            if letters.iter().any(u8::is_ascii_digit) {
                // Digits inside a part are common in tokens, rare in names, except a short
                // prefix such as `ps3`, `v4l`, `x86`.
                let inner = part.iter().filter(|c| c.is_ascii_digit()).count();
                return part.len() <= 6 && inner <= 2;
            }
            if letters.is_empty() {
                return true;
            }
            // camelCase runs: a new run at each lower-to-upper change.
            let mut runs: Vec<&[u8]> = Vec::new();
            let mut start = 0;
            for i in 1..letters.len() {
                if letters[i - 1].is_ascii_lowercase() && letters[i].is_ascii_uppercase() {
                    runs.push(&letters[start..i]);
                    start = i;
                }
            }
            runs.push(&letters[start..]);
            let short = runs.iter().filter(|r| r.len() <= 2).count();
            let several = v.contains(&b'_');
            runs.iter().all(|r| {
                (r.len() <= 4 && r.iter().all(u8::is_ascii_lowercase))
                    || (r.iter().all(u8::is_ascii_uppercase)
                        && (r.len() <= 4 || several && r.len() <= 8))
                    || Shape::of(r).surprise.is_none_or(|s| s < 5.0)
            }) && short * 2 <= runs.len() + 1
        })
}

fn is_member_access(v: &[u8]) -> bool {
    let t = String::from_utf8_lossy(v);
    let parts: Vec<&str> = t.split(['.']).collect();
    if parts.len() >= 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.as_bytes()[0].is_ascii_alphabetic()
                && p.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
                && crate::matcher::allow::is_identifier_like(
                    p.trim_end_matches(|c: char| c.is_ascii_digit()).as_bytes(),
                )
        })
    {
        return true;
    }
    t.contains("::") && !t.contains(' ') || t.contains("->")
}

fn is_file_name(lower: &str) -> bool {
    const EXT: &[&str] = &[
        ".pem",
        ".key",
        ".json",
        ".yaml",
        ".yml",
        ".txt",
        ".crt",
        ".cer",
        ".p12",
        ".pfx",
        ".jks",
        ".env",
        ".conf",
        ".cfg",
        ".ini",
        ".xml",
        ".properties",
        ".js",
        ".py",
        ".rb",
        ".sh",
        ".toml",
        ".html",
        ".png",
        ".jpg",
        ".gpg",
        ".asc",
        ".der",
        ".keystore",
        ".ts",
        ".go",
        ".java",
        ".php",
        ".csv",
        ".log",
        ".pub",
        ".ppk",
    ];
    EXT.iter().any(|e| {
        lower.ends_with(e)
            && lower[..lower.len() - e.len()]
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'/' | b'.'))
    })
}

fn is_version(v: &[u8]) -> bool {
    let v = v.strip_prefix(b"v").unwrap_or(v);
    let core_end = v
        .iter()
        .position(|c| !(c.is_ascii_digit() || *c == b'.'))
        .unwrap_or(v.len());
    let core = &v[..core_end];
    core.iter().filter(|&&c| c == b'.').count() >= 1
        && core.first().is_some_and(u8::is_ascii_digit)
        && (core_end == v.len() || matches!(v[core_end], b'-' | b'+'))
}

fn is_hex(v: &[u8]) -> bool {
    v.iter().all(u8::is_ascii_hexdigit)
}

fn is_lock_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.ends_with(".lock")
        || name.ends_with("-lock.json")
        || name.ends_with("-lock.yaml")
        || name.ends_with(".sum")
        || name == "npm-shrinkwrap.json"
}

/// Measures of a value's randomness.
#[derive(Clone, Copy, Debug)]
struct Shape {
    len: usize,
    /// Character classes present: lower, upper, digit, other.
    classes: u8,
    /// Shannon entropy, bits per character.
    entropy: f64,
    /// Entropy over the most the length and alphabet allow (0..1).
    fill: f64,
    /// Mean bits of surprise per letter-after-letter pair; `None` without such pairs.
    surprise: Option<f64>,
    /// Letter pairs counted for `surprise`.
    pairs: usize,
    /// Switches between letters and digits.
    switches: usize,
    /// Longest run of letters.
    longest_letters: usize,
    /// A UUID.
    uuid: bool,
    /// Hex digits only, with both letters and digits.
    hex: bool,
    /// Characters that are neither letters nor digits, and how many kinds of them.
    symbols: usize,
    distinct_symbols: usize,
}

impl Shape {
    fn of(v: &[u8]) -> Shape {
        let len = v.len();
        let (mut lo, mut up, mut di, mut ot) = (false, false, false, false);
        for &c in v {
            match c {
                b'a'..=b'z' => lo = true,
                b'A'..=b'Z' => up = true,
                b'0'..=b'9' => di = true,
                _ => ot = true,
            }
        }
        let classes = u8::from(lo) + u8::from(up) + u8::from(di) + u8::from(ot);
        // Hex values use 6 letters of a case, not 26: measure them against their own alphabet.
        let hex_lo = v
            .iter()
            .all(|c| !c.is_ascii_lowercase() || (b'a'..=b'f').contains(c));
        let hex_up = v
            .iter()
            .all(|c| !c.is_ascii_uppercase() || (b'A'..=b'F').contains(c));
        let alphabet = usize::from(lo) * if hex_lo { 6 } else { 26 }
            + usize::from(up) * if hex_up { 6 } else { 26 }
            + 10 * usize::from(di)
            + 20 * usize::from(ot);
        let entropy = super::entropy::shannon(v);
        let most = (len.min(alphabet.max(2)) as f64).log2();
        let fill = if most > 0.0 { entropy / most } else { 0.0 };
        let (mut total, mut pairs) = (0u32, 0usize);
        for w in v.windows(2) {
            let (a, b) = (w[0].to_ascii_lowercase(), w[1].to_ascii_lowercase());
            if a.is_ascii_lowercase() && b.is_ascii_lowercase() {
                // A case change inside a run (`aB`) is not a word boundary in random text,
                // but camelCase words change case at a boundary: count it as surprise only
                // when the change is upper to lower after two uppers, rare in words.
                total += u32::from(bigrams::SURPRISE[usize::from(a - b'a')][usize::from(b - b'a')]);
                pairs += 1;
            }
        }
        let surprise = (pairs > 0).then(|| f64::from(total) / pairs as f64);
        let switches = v
            .windows(2)
            .filter(|w| {
                w[0].is_ascii_alphabetic() && w[1].is_ascii_digit()
                    || w[0].is_ascii_digit() && w[1].is_ascii_alphabetic()
            })
            .count();
        let mut longest_letters = 0;
        let mut run = 0;
        for &c in v {
            if c.is_ascii_alphabetic() {
                run += 1;
                longest_letters = longest_letters.max(run);
            } else {
                run = 0;
            }
        }
        let uuid = len == 36
            && v.iter().enumerate().all(|(i, &c)| {
                if matches!(i, 8 | 13 | 18 | 23) {
                    c == b'-'
                } else {
                    c.is_ascii_hexdigit()
                }
            });
        let hex = lo != up && di && v.iter().all(u8::is_ascii_hexdigit);
        let symbols = v.iter().filter(|c| !c.is_ascii_alphanumeric()).count();
        let mut kinds: Vec<u8> = v
            .iter()
            .copied()
            .filter(|c| !c.is_ascii_alphanumeric())
            .collect();
        kinds.sort_unstable();
        kinds.dedup();
        Shape {
            hex,
            symbols,
            distinct_symbols: kinds.len(),
            len,
            classes,
            entropy,
            fill,
            surprise,
            pairs,
            switches,
            longest_letters,
            uuid,
        }
    }

    /// Reads as words or an identifier: letters that follow each other as in words, few
    /// digits.
    fn wordy(&self) -> bool {
        let letter_words = self.surprise.is_some_and(|s| s < 5.0) && self.pairs >= 3;
        letter_words && self.switches <= 2 && self.longest_letters * 2 >= self.len
    }

    /// Random-looking: surprising letters or a dense mix of classes, with entropy near what
    /// the length allows.
    fn random(&self) -> bool {
        if self.len < 8 || self.fill < 0.72 {
            return false;
        }
        if self.hex {
            // Letter pairs of a hex digest say nothing; digits and letters interleave.
            return self.len >= 16 && self.fill >= 0.8 && self.switches >= 4;
        }
        if self.uuid {
            return true;
        }
        // Rich in symbols (`m{{h}o)p${e]x}`): a made-up password, not words.
        if self.symbols * 4 >= self.len && self.distinct_symbols >= 4 && self.len >= 10 {
            return true;
        }
        let surprising = self.surprise.is_none_or(|s| s >= 5.2);
        // Letters that read as words (`sk-ant-api03`, `scram-sha-256`): few surprising pairs.
        let plain_letters = self.pairs >= 4 && self.surprise.is_some_and(|s| s < 4.6);
        let mixed = self.classes >= 3 || (self.classes == 2 && self.switches >= 3);
        (surprising && (self.classes >= 2 || self.len >= 16))
            || (mixed && !plain_letters && !self.wordy() && self.entropy >= 3.0 && self.fill >= 0.8)
    }

    /// Clearly random: long, dense, surprising.
    fn very_random(&self) -> bool {
        if self.hex {
            return self.len >= 24 && self.fill >= 0.85 && self.switches >= 6;
        }
        self.random()
            && self.fill >= 0.8
            && self.entropy >= 3.5
            && self.surprise.is_none_or(|s| s >= 5.6)
            && !self.uuid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conf(key: &str, value: &str) -> Option<Confidence> {
        match assess(key.as_bytes(), value.as_bytes(), b"", "app/config.py", true) {
            Verdict::Keep(c, _) => Some(c),
            Verdict::Drop(_) => None,
        }
    }

    #[test]
    fn names_split_into_words() {
        assert_eq!(words(b"dbPassword"), ["db", "password"]);
        assert_eq!(
            words(b"AWS_SECRET_ACCESS_KEY"),
            ["aws", "secret", "access", "key"]
        );
        assert_eq!(words(b"api-key2"), ["api", "key", "2"]);
    }

    #[test]
    fn random_values_under_credential_names_are_medium() {
        assert_eq!(
            conf("api_key", "q7Xk2Lm9Rt4Vz8Wp3Yb6"),
            Some(Confidence::Medium)
        );
        assert_eq!(
            conf("clientSecret", "d3f9a1c47be2085f6a9d0c3e1b7f4a28"),
            Some(Confidence::Medium)
        );
        assert_eq!(conf("DB_PASSWORD", "Summer2024!"), Some(Confidence::Medium));
        assert_eq!(
            conf("authKey", "mZ4pQ8vN2xR7kT1wL5yH9bJ3cF6"),
            Some(Confidence::Medium)
        );
    }

    #[test]
    fn references_words_and_describing_names_are_dropped() {
        for (k, v) in [
            ("password", "${DB_PASSWORD}"),
            ("token", "process.env.TOKEN"),
            ("api_key", "self.api_key"),
            ("secret", "get_secret()"),
            ("token_url", "q7Xk2Lm9Rt4Vz8Wp3Yb6"),
            ("password_hint", "first pet name"),
            ("secret_name", "prod-db-credentials"),
            ("access_key_id", "q7Xk2Lm9Rt4Vz8Wp3Yb6"),
            ("public_key", "q7Xk2Lm9Rt4Vz8Wp3Yb6"),
            ("token", "https://oauth2.example.com/token"),
            ("key_file", "/etc/ssl/private/server.key"),
            ("version", "1.2.3"),
            ("secret", "myapplicationsecret"),
            ("max_tokens", "4096"),
        ] {
            assert_eq!(conf(k, v), None, "{k} = {v}");
        }
    }

    #[test]
    fn words_under_strong_names_are_not_medium() {
        assert_ne!(
            conf("token", "bearer_authentication"),
            Some(Confidence::Medium)
        );
        assert_ne!(
            conf("secret", "correcthorsebattery"),
            Some(Confidence::Medium)
        );
        assert_ne!(conf("key", "primary_color"), Some(Confidence::Medium));
    }

    #[test]
    fn placeholders_encoded_text_and_public_keys_are_dropped() {
        for (k, v) in [
            (
                "secret_access_key",
                "1234567890abcdef1234567890abcdef1234567890abcdef",
            ),
            ("token", "1a2b3c4d5e6f"),
            ("any_key", "ZHVtbXkgdGV4dCBkYXRhIGRhdGEgZGF0YQ=="),
            ("auth", "bXlfdXNlcm5hbWU6bXlfcGFzc3dvcmQ="),
            ("token", "pk_live_51HqT2kLm9Rt4Vz8Wp3Yb6q7Xk2"),
        ] {
            assert_eq!(conf(k, v), None, "{k} = {v}");
        }
        // base64 of random bytes stays a candidate.
        assert_eq!(
            conf("secret", "k3J9xQ2mVb8nT4wR7yL1pZ6c"),
            Some(Confidence::Medium)
        );
    }

    #[test]
    fn documentation_and_tests_lower_to_low() {
        let v = assess(
            b"api_key",
            b"q7Xk2Lm9Rt4Vz8Wp3Yb6",
            b"",
            "docs/setup.md",
            true,
        );
        assert!(matches!(v, Verdict::Keep(Confidence::Low, _)));
        let v = assess(
            b"api_key",
            b"q7Xk2Lm9Rt4Vz8Wp3Yb6",
            b"",
            "src/client_test.go",
            true,
        );
        assert!(matches!(v, Verdict::Keep(Confidence::Low, _)));
    }

    #[test]
    fn program_symbols_are_not_secrets() {
        for v in [
            "xlog_recover_attri_commit_pass2",
            "AVS_TKN_MOD_ID_U32",
            "ps3_smp_message_pass",
            "K_SYS_REVISION_BCM1480_B0",
        ] {
            assert!(symbol_like(v.as_bytes()), "{v}");
        }
        for v in [
            "q7Xk2Lm9Rt4Vz8Wp3Yb6",
            "sk_live_51HqT2kLm9Rt4Vz8Wp3Yb6",
            "xM98lZh20vZs",
            "hGeB3WqDyx0mGsQMsQDl",
        ] {
            assert!(!symbol_like(v.as_bytes()), "{v}");
        }
        let v = assess(
            b".token",
            b"AVS_TKN_MOD_ID_U32",
            b"",
            "sound/topology.c",
            false,
        );
        assert!(matches!(v, Verdict::Drop(_)));
    }

    #[test]
    fn bigram_surprise_tells_words_from_random_letters() {
        let words = Shape::of(b"correcthorsebatterystaple");
        let random = Shape::of(b"xqzvbkwjmfhpgtdlrnsc");
        assert!(words.surprise.unwrap() < random.surprise.unwrap());
        assert!(words.wordy());
        assert!(!random.wordy());
    }
}
