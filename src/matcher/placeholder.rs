//! The placeholder filter: documentation values (`your-api-key`, `${TOKEN}`, `xxxxxxxx`,
//! `abcdef123456`) rather than secrets. A leaf: the checksum and format checks use it, and
//! nothing here depends on the rules, so those checks stay below the rule layer.

/// Words that mark documentation values rather than secrets.
const PLACEHOLDER_WORDS: &[&str] = &[
    "example",
    "sample",
    "dummy",
    "placeholder",
    "changeme",
    "change_me",
    "change-me",
    "your_",
    "your-",
    "yourtoken",
    "yourkey",
    "yourpassword",
    "yoursecret",
    "xxxx",
    "****",
    "....",
    "redacted",
    "insert_",
    "insert-",
    "replace_me",
    "replaceme",
    "fixme",
    "todo_",
    "<your",
    "notreal",
    "not_a_real",
    "not-a-real",
    "abcdefgh",
];

/// Why the placeholder filter dropped a secret, or `None` when it looks real.
pub fn placeholder(secret: &[u8]) -> Option<&'static str> {
    let lower = secret.to_ascii_lowercase();
    let word = match placeholder_words() {
        Some(words) => words.is_match(&lower),
        None => PLACEHOLDER_WORDS
            .iter()
            .any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some()),
    };
    if word {
        return Some("placeholder word");
    }
    let text = String::from_utf8_lossy(&lower);
    if has_template(&text) {
        return Some("template syntax");
    }
    if is_variable_reference(secret) {
        return Some("variable reference");
    }
    if secret.len() >= 6 {
        if most_common_count(secret) * 2 > secret.len() {
            return Some("repeated characters");
        }
        if longest_sequential_run(&lower) * 2 > secret.len() {
            return Some("sequential characters");
        }
    }
    None
}

/// [`PLACEHOLDER_WORDS`] searched together: a substring search per word was most of the time
/// the filters took on a history with many candidates (gitleaks' own).
fn placeholder_words() -> Option<&'static aho_corasick::AhoCorasick> {
    static WORDS: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>> =
        std::sync::OnceLock::new();
    WORDS
        .get_or_init(|| aho_corasick::AhoCorasick::new(PLACEHOLDER_WORDS).ok())
        .as_ref()
}

/// Template or interpolation syntax around a name or expression: `${NAME}`, `{{ expr }}`,
/// `%(name)s`, `#{expr}`, `<your-token>`, `<%= ... %>`. Braces around other text (a password
/// such as `m{{h}o)p${e]x}` ) are not a template.
pub fn has_template(text: &str) -> bool {
    // Every opening below holds one of these.
    if !text.bytes().any(|b| matches!(b, b'{' | b'(' | b'<')) {
        return false;
    }
    let name_like = |s: &str, extra: &[char]| {
        !s.trim().is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-:".contains(c) || extra.contains(&c))
    };
    let closed = |open: &str, close: &str, extra: &[char]| {
        let mut rest = text;
        while let Some(i) = rest.find(open) {
            let after = &rest[i + open.len()..];
            if let Some(j) = after.find(close) {
                if name_like(&after[..j], extra) {
                    return true;
                }
            }
            rest = after;
        }
        false
    };
    const EXPR: &[char] = &[' ', '|', '\'', '"', '(', ')', '[', ']', ',', '/'];
    closed("${", "}", &[' ', '?', '!', ':', '=', '-', '/'])
        || closed("{{", "}}", EXPR)
        || closed("#{", "}", EXPR)
        || closed("%(", ")", &[])
        || closed("<%", "%>", EXPR)
        || closed("<", ">", &[' ', '/'])
        || closed("$(", ")", EXPR)
}

/// `$VAR`, `$(cmd)`, `%VAR%`, `env.X`-style references.
fn is_variable_reference(s: &[u8]) -> bool {
    match s {
        [b'$', rest @ ..] => {
            rest.first().is_some_and(|c| *c == b'(' || *c == b'{')
                || (!rest.is_empty()
                    && rest.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_'))
        }
        [b'%', mid @ .., b'%'] => {
            !mid.is_empty() && mid.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
        }
        _ => {
            let t = String::from_utf8_lossy(s);
            t.starts_with("process.env.") || t.starts_with("os.environ") || t.starts_with("env.")
        }
    }
}

fn most_common_count(s: &[u8]) -> usize {
    let mut counts = [0usize; 256];
    for &b in s {
        counts[b as usize] += 1;
    }
    counts.into_iter().max().unwrap_or(0)
}

/// Longest run of consecutive ascending or descending characters (`123456`, `fedcba`).
fn longest_sequential_run(s: &[u8]) -> usize {
    let (mut best, mut up, mut down) = (1usize, 1usize, 1usize);
    for w in s.windows(2) {
        up = if w[1] == w[0].wrapping_add(1) {
            up + 1
        } else {
            1
        };
        down = if w[1].wrapping_add(1) == w[0] {
            down + 1
        } else {
            1
        };
        best = best.max(up).max(down);
    }
    best
}
