#!/usr/bin/env python3
"""Which leakscan rule covers each rule of the peers' published rule sets.

    python3 scripts/coverage.py [--bin target/release/leakscan] [--samples 3] [--seed 12]

Reads the rules of gitleaks' default configuration, betterleaks, kingfisher and noseyparker,
draws a few synthetic samples FROM EACH PEER RULE'S REGEX (a small generator over the parsed
regex: random characters from its classes, bounded repeats), puts each sample in two contexts
(bare, and as `<provider>_api_key = "<secret>"`), runs leakscan over them and records which of its
rules fire. Writes:

- docs/coverage.md: per peer, per rule, the leakscan rule(s) that cover it, or why not (reasons
  from the hand-kept docs/coverage-notes.toml), and a summary per peer;
- docs/gitleaks-ids.toml: gitleaks rule id -> leakscan rule id(s), for .gitleaksignore
  compatibility.

The peers' example strings are never read, and the generated samples live in a temporary
folder that is deleted at the end: nothing but rule ids is written. Standard library only
(the peers' YAML is read with PyYAML when it is installed, else with a reader for the subset
those files use).

Sources (override with the options): --gitleaks /work/shared/compat/gitleaks-8.30.1-default.toml,
--betterleaks/--kingfisher/--noseyparker: bare git directories of the peers' repositories.
"""

import argparse
import collections
import json
import os
import random
import re
import shutil
import string
import subprocess
import sys
import tempfile
import tomllib
import zlib

try:  # Python 3.11+
    import re._constants as C
    import re._parser as P
except ImportError:  # pragma: no cover
    import sre_constants as C
    import sre_parse as P

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULTS = {
    "gitleaks": "/work/shared/compat/gitleaks-8.30.1-default.toml",
    "betterleaks": "/work/.mirror/betterleaks+betterleaks/repo",
    "kingfisher": "/work/.mirror/mongodb+kingfisher/repo",
    "noseyparker": "/work/.mirror/praetorian-inc+noseyparker/repo",
}
PEERS = ["gitleaks", "betterleaks", "kingfisher", "noseyparker"]

# ---------------------------------------------------------------------------------------------
# Reading the peers' rule sets (id, regex, secret group, and whether a sample can be made).


class PeerRule:
    def __init__(self, peer, rid, name, regex, group=None, skip=None, note=None):
        self.peer, self.id, self.name, self.regex, self.group = peer, rid, name, regex, group
        self.skip = skip  # reason no sample can be made
        self.note = note  # extra remark shown in the table


def git_files(gitdir, prefix, suffixes):
    out = subprocess.run(["git", "-C", gitdir, "ls-tree", "-r", "--name-only", "HEAD"],
                         capture_output=True, text=True, check=True).stdout.split("\n")
    return sorted(f for f in out if f.startswith(prefix) and f.endswith(suffixes))


def git_show(gitdir, path):
    return subprocess.run(["git", "-C", gitdir, "show", "HEAD:" + path], capture_output=True,
                          text=True, check=True).stdout


def git_head(gitdir):
    return subprocess.run(["git", "-C", gitdir, "rev-parse", "--short=12", "HEAD"],
                          capture_output=True, text=True, check=True).stdout.strip()


def gitleaks_like(peer, text):
    rules = []
    for r in tomllib.loads(text).get("rules", []):
        rid = r["id"]
        if "regex" not in r:
            rules.append(PeerRule(peer, rid, r.get("description", ""), None,
                                  skip="path-only rule (reports a file by its name)"))
            continue
        note = None
        if r.get("skipReport"):
            note = "reports nothing itself (part of a composite rule)"
        if r.get("required"):
            note = "composite rule: sample is the main match only"
        if r.get("path"):
            note = "restricted to some paths; sampled in a .txt file"
        rules.append(PeerRule(peer, rid, r.get("description", ""), r["regex"], r.get("secretGroup"),
                              note=note))
    return rules


def load_yaml(text):
    try:
        import yaml  # optional
    except ImportError:
        return mini_yaml_rules(text)
    return yaml.safe_load(text)


def mini_yaml_rules(text):
    """Reads `rules:` lists of the peers' files: the keys a rule's scalars use (plain, quoted and
    block scalars); nested maps and lists (validation, examples, ...) are skipped."""
    rules, cur, lines, i = [], None, text.split("\n"), 0
    item_indent = None
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^(\s*)(-\s+)?([A-Za-z_][A-Za-z0-9_]*):(?:\s+(.*))?$", line)
        if not m or line.lstrip().startswith("#"):
            i += 1
            continue
        indent = len(m.group(1)) + (len(m.group(2)) if m.group(2) else 0)
        if m.group(2) and (item_indent is None or len(m.group(1)) == item_indent) and m.group(3) == "name":
            item_indent = len(m.group(1))
            cur = {}
            rules.append(cur)
            key_indent = indent
        elif cur is None or indent != key_indent:
            i += 1
            continue
        key, val = m.group(3), (m.group(4) or "").rstrip()
        if val.startswith(("|", ">")):
            block, j = [], i + 1
            while j < len(lines) and (not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > key_indent):
                block.append(lines[j])
                j += 1
            width = min((len(b) - len(b.lstrip()) for b in block if b.strip()), default=0)
            body = [b[width:] for b in block]
            while body and not body[-1].strip():
                body.pop()
            if val.startswith(">"):
                cur[key] = " ".join(b.strip() for b in body) + "\n"
            else:
                cur[key] = "\n".join(body) + ("" if val.startswith("|-") else "\n")
            i = j
            continue
        if val.startswith("'"):
            cur[key] = val[1:val.rindex("'")].replace("''", "'")
        elif val.startswith('"'):
            cur[key] = json.loads(val[: val.rindex('"') + 1])
        elif val:
            v = re.sub(r"\s+#.*$", "", val)
            cur[key] = {"true": True, "false": False}.get(v, v)
        i += 1
    return {"rules": rules}


def yaml_rules(peer, gitdir, prefix):
    rules = []
    for f in git_files(gitdir, prefix, (".yml", ".yaml")):
        data = load_yaml(git_show(gitdir, f)) or {}
        for r in data.get("rules") or []:
            note = None
            if r.get("visible") is False:
                note = "hidden rule (serves other rules)"
            if r.get("depends_on_rule"):
                note = "depends on another rule's match"
            rules.append(PeerRule(peer, r["id"], r.get("name", ""), r["pattern"], note=note))
    return rules


def load_peer(peer, src):
    if peer == "gitleaks":
        with open(src, encoding="utf-8") as f:
            return gitleaks_like(peer, f.read()), os.path.basename(src)
    if peer == "betterleaks":
        path = next(f for f in git_files(src, "config/", (".toml",)) if f.endswith("betterleaks.toml"))
        return gitleaks_like(peer, git_show(src, path)), f"{path} at {git_head(src)}"
    if peer == "kingfisher":
        return yaml_rules(peer, src, "data/rules/"), f"data/rules/*.yml at {git_head(src)}"
    if peer == "noseyparker":
        prefix = "crates/noseyparker/data/default/builtin/rules/"
        return yaml_rules(peer, src, prefix), f"{prefix}*.yml at {git_head(src)}"
    raise ValueError(peer)


# ---------------------------------------------------------------------------------------------
# Go / PCRE / Rust regex syntax -> Python's, for parsing only.

POSIX = {
    "alnum": "a-zA-Z0-9", "alpha": "a-zA-Z", "digit": "0-9", "lower": "a-z", "upper": "A-Z",
    "xdigit": "0-9a-fA-F", "space": r" \t", "blank": r" \t", "word": r"\w", "punct": r"!-/:-@\[-`{-~",
    "print": r" -~", "graph": r"!-~", "cntrl": r"\x00-\x1f", "ascii": r"\x00-\x7f",
}


def strip_verbose(src):
    """Removes (?x) whitespace and comments the way Rust's and Go-PCRE's verbose mode do
    (whitespace inside classes too), then the result is parsed without the x flag."""
    out, i, in_class = [], 0, False
    while i < len(src):
        c = src[i]
        if c == "\\" and i + 1 < len(src):
            out.append(src[i:i + 2])
            i += 2
            continue
        if in_class:
            if c == "]" and not (out and out[-1] in ("[", "[^")):
                in_class = False
            if c in " \t\n\r":
                i += 1
                continue
            out.append(c)
        elif c == "[":
            in_class = True
            if src[i + 1:i + 2] == "^":
                out.append("[^")
                i += 2
                if src[i:i + 1] == "]":
                    out.append("]")
                    i += 1
                continue
            out.append("[")
            i += 1
            if src[i:i + 1] == "]":
                out.append("]")
                i += 1
            continue
        elif c == "#":
            while i < len(src) and src[i] != "\n":
                i += 1
            continue
        elif c in " \t\n\r\f\v":
            pass
        else:
            out.append(c)
        i += 1
    return "".join(out)


def unicode_classes(s):
    """`\\p{L}`, `\\pN`, `\\P{...}` (Python has none) -> ASCII letters, inside or outside a class."""
    out, i, in_class = [], 0, False
    while i < len(s):
        c = s[i]
        if c == "\\" and s[i + 1:i + 2] in ("p", "P"):
            m = re.match(r"\\[pP](\{[^}]*\}|[A-Za-z])", s[i:])
            if m:
                out.append("a-zA-Z" if in_class else "[a-zA-Z]")
                i += m.end()
                continue
        if c == "\\":
            out.append(s[i:i + 2])
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
            out.append(c)
            i += 1
            if s[i:i + 1] == "^":
                out.append("^")
                i += 1
            if s[i:i + 1] == "]":
                out.append("]")
                i += 1
            continue
        if c == "]" and in_class:
            in_class = False
        out.append(c)
        i += 1
    return "".join(out)


FLAG_RE = re.compile(r"\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?\)")


def to_python(src):
    """Returns a Python pattern with the same strings (case-insensitivity dropped: samples are
    drawn as written) and the names of the Go/PCRE constructs that were rewritten."""
    s = src.strip()
    s = re.sub(r"\\Q(.*?)(?:\\E|$)", lambda m: re.escape(m.group(1)), s, flags=re.S)
    s = re.sub(r"\(\?#[^)]*\)", "", s)  # (?# comment)
    verbose = False
    # Inline flag groups `(?flags)` anywhere (Go allows them mid-pattern, Python does not).
    def flags(m):
        nonlocal verbose
        if "x" in (m.group(1) or ""):
            verbose = True
        return ""
    s = FLAG_RE.sub(flags, s)
    if verbose:
        s = strip_verbose(s)
    # Scoped flags: keep only what Python allows in a scoped group (i, m, s, x -> drop x, U).
    s = re.sub(r"\(\?([a-zA-Z]*)(-[a-zA-Z]*)?:", lambda m: "(?:", s)
    s = re.sub(r"\(\?<([A-Za-z_][A-Za-z0-9_]*)>", r"(?P<\1>", s)
    s = re.sub(r"\(\?'([A-Za-z_][A-Za-z0-9_]*)'", r"(?P<\1>", s)
    s = re.sub(r"\[:(\^?)([a-z]+):\]", lambda m: POSIX.get(m.group(2), "a-z"), s)
    s = unicode_classes(s)
    s = s.replace(r"\z", r"\Z").replace(r"\h", r"[ \t]")
    s = re.sub(r"\\x\{([0-9a-fA-F]{1,4})\}", lambda m: "\\x%02x" % int(m.group(1), 16)
               if int(m.group(1), 16) < 256 else "\\u%04x" % int(m.group(1), 16), s)
    return s


# ---------------------------------------------------------------------------------------------
# Drawing a sample from a parsed regex.

SAFE = string.ascii_letters + string.digits
PRINT = "".join(chr(c) for c in range(0x20, 0x7F))


class Gen:
    def __init__(self, rng, canonical):
        self.rng, self.canonical, self.groups = rng, canonical, {}

    def seq(self, items):
        return "".join(self.node(op, av) for op, av in items)

    def charset(self, items):
        chars, negate = set(), False
        for op, av in items:
            if op is C.NEGATE:
                negate = True
            elif op is C.LITERAL:
                chars.add(chr(av))
            elif op is C.RANGE:
                lo, hi = av
                hi = min(hi, 0x7E) if lo < 0x7F else hi
                chars.update(chr(c) for c in range(lo, hi + 1) if c < 0x110000)
            elif op is C.CATEGORY:
                chars.update(self.category(av))
        if negate:
            chars = set(PRINT) - chars
        pool = sorted(c for c in chars if c not in "\n\r\x0b\x0c") or sorted(chars)
        if not pool:
            raise ValueError("empty character class")
        # Prefer letters and digits when the class has them: samples look like tokens.
        alnum = [c for c in pool if c.isalnum() and c.isascii()]
        if len(alnum) >= 8 and len(alnum) * 2 >= len(pool) and self.rng.random() < 0.85:
            return alnum
        return pool

    @staticmethod
    def category(cat):
        name = str(cat).lower()
        if "not_digit" in name:
            return set(SAFE) - set(string.digits)
        if "digit" in name:
            return set(string.digits)
        if "not_word" in name:
            return set(" -.:/")
        if "word" in name:
            return set(SAFE + "_")
        if "not_space" in name:
            return set(SAFE)
        if "space" in name:
            return {" "}
        return set(SAFE)

    def count(self, lo, hi, sub, lazy):
        """How many times a repeat runs. Filler (`.{0,40}?`, `\\s*`, `[\\s'"]{0,3}`) stays short;
        a token body (`[a-z0-9]{10,99}`, `[A-Za-z0-9]+`) gets a realistic length: the canonical
        sample takes max(lo, 32) capped by hi, the others a random length from lo up."""
        unbounded = hi == C.MAXREPEAT
        hi = lo + 40 if unbounded else hi
        single = len(sub) == 1 and sub[0][0] in (C.IN, C.ANY, C.CATEGORY, C.LITERAL, C.NOT_LITERAL)
        spacey = single and sub[0][0] is C.CATEGORY and "SPACE" in str(sub[0][1]).upper()
        if not single:  # a group: optional parts, repeated segments
            if lo == 0:
                return (1 if unbounded else 0) if self.canonical else self.rng.randint(0, min(hi, 2))
            return lo if self.canonical else self.rng.randint(lo, min(hi, lo + 1))
        if lo == 0 or lazy or spacey:
            return lo if self.canonical else self.rng.randint(lo, min(hi, lo + 2))
        if self.canonical:
            return min(hi, max(lo, 32))
        return self.rng.randint(lo, min(hi, lo + 40))

    def node(self, op, av):
        rng = self.rng
        if op is C.LITERAL:
            return chr(av)
        if op is C.NOT_LITERAL:
            return rng.choice([c for c in SAFE if ord(c) != av])
        if op is C.ANY:
            # Rule authors often leave the dots of host names unescaped (hooks.slack.com): the
            # canonical sample reads them as dots, the others as any character.
            return "." if self.canonical else rng.choice(SAFE)
        if op is C.IN:
            return rng.choice(self.charset(av))
        if op is C.CATEGORY:
            return rng.choice(sorted(self.category(av)))
        if op is C.BRANCH:
            alts = av[1]
            alt = alts[0] if self.canonical else rng.choice(alts)
            return self.seq(alt)
        if op is C.SUBPATTERN:
            gid, sub = av[0], av[-1]
            text = self.seq(sub)
            if gid is not None:
                self.groups[gid] = text
            return text
        if op in (C.MAX_REPEAT, C.MIN_REPEAT) or op is getattr(C, "POSSESSIVE_REPEAT", None):
            lo, hi, sub = av
            n = self.count(lo, hi, list(sub), op is C.MIN_REPEAT)
            return "".join(self.seq(sub) for _ in range(n))
        if op is getattr(C, "ATOMIC_GROUP", None):
            return self.seq(av)
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            return ""
        if op is C.GROUPREF:
            return self.groups.get(av, "")
        if op is C.GROUPREF_EXISTS:
            _, yes, no = av
            return self.seq(yes)
        raise ValueError(f"regex construct {op} not supported")


def samples(rule, n, seed):
    """(full match, secret) pairs drawn from the rule's regex, or raises ValueError."""
    pat = to_python(rule.regex)
    try:
        parsed = P.parse(pat, 0)
    except Exception as e:  # re.error, OverflowError, RecursionError
        raise ValueError(f"regex not parsable here ({type(e).__name__}: {e})")
    names = parsed.state.groupdict
    group = rule.group
    if isinstance(group, str):
        group = names.get(group)
    out = []
    for k in range(n):
        rng = random.Random(f"{seed}:{rule.peer}:{rule.id}:{k}")
        g = Gen(rng, canonical=(k == 0))
        full = g.seq(parsed)
        if group is not None and group in g.groups:
            secret = g.groups[group]
        else:
            nonempty = [g.groups[i] for i in sorted(g.groups) if g.groups[i]]
            named = [g.groups[i] for n_, i in sorted(names.items(), key=lambda x: x[1])
                     if n_.lower() in ("secret", "token", "key", "password") and g.groups.get(i)]
            secret = (named or nonempty or [full])[0]
        out.append((with_checksums(full), with_checksums(secret)))
    return out


GMP62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
CRC_TOKEN = re.compile(r"\b((?:gh[pousr]|npm)_)([A-Za-z0-9]{30})([A-Za-z0-9]{6})\b")


def with_checksums(text):
    """Formats with a checksum get a valid one, as a real token has: GitHub's and npm's
    `<prefix>_` + 30 base62 + CRC32 of those 30 in 6 base62 digits. A random tail would be
    rejected by leakscan's verifier and say nothing about coverage."""
    def fix(m):
        crc, tail = zlib.crc32(m.group(2).encode()), ""
        for _ in range(6):
            tail = GMP62[crc % 62] + tail
            crc //= 62
        return m.group(1) + m.group(2) + tail
    return CRC_TOKEN.sub(fix, text)


def provider(rule):
    rid = rule.id
    if rule.peer in ("kingfisher", "noseyparker"):
        parts = rid.split(".")
        word = parts[1] if len(parts) > 2 else parts[-1]
    else:
        word = rid.split("-")[0]
    word = re.sub(r"[^A-Za-z0-9]", "_", word).lower() or "service"
    return word


# ---------------------------------------------------------------------------------------------
# Running leakscan.


def scan(binary, folder):
    proc = subprocess.run([binary, "scan", "--min-confidence", "low", "--format", "json",
                           "--no-repo-config", "--no-ignore", folder], capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        sys.exit(f"leakscan failed (exit {proc.returncode}): {proc.stderr.strip()}")
    return json.loads(proc.stdout)["findings"]


CONF_RANK = {"low": 0, "medium": 1, "high": 2}


def run(args):
    rng_seed = args.seed
    loaded = {}
    for peer in PEERS:
        src = getattr(args, peer)
        loaded[peer] = load_peer(peer, src)
    tmp = tempfile.mkdtemp(prefix="leakscan-coverage-")
    index = {}  # relative path -> (peer, rule idx, sample idx, context)
    try:
        for peer in PEERS:
            rules, _ = loaded[peer]
            for i, r in enumerate(rules):
                r.idx = i
                if r.skip:
                    continue
                try:
                    pairs = samples(r, args.samples, rng_seed)
                except (ValueError, RecursionError) as e:
                    r.skip = str(e)
                    continue
                prov = provider(r)
                for k, (full, secret) in enumerate(pairs):
                    for ctx, text in (("bare", full + "\n"), ("keyed", f'{prov}_api_key = "{secret}"\n')):
                        rel = os.path.join(peer, f"{i:04d}-{k}-{ctx}.txt")
                        os.makedirs(os.path.join(tmp, peer), exist_ok=True)
                        with open(os.path.join(tmp, rel), "w", encoding="utf-8", newline="\n") as f:
                            f.write(text)
                        index[rel] = (peer, i, k, ctx)
        findings = scan(args.bin, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    hits = collections.defaultdict(lambda: collections.defaultdict(set))  # (peer,i) -> lrule -> {k}
    conf = {}
    for f in findings:
        if f.get("kind") != "secret":
            continue
        rel = os.path.relpath(f["path"], tmp)
        if rel not in index:
            continue
        peer, i, k, ctx = index[rel]
        hits[(peer, i)][f["rule_id"]].add(k)
        c = f.get("confidence", "medium")
        if CONF_RANK.get(c, 1) > CONF_RANK.get(conf.get(f["rule_id"], "low"), -1):
            conf[f["rule_id"]] = c
    return loaded, hits, conf


# ---------------------------------------------------------------------------------------------
# Output.


def load_notes(path):
    if not os.path.exists(path):
        return {}
    with open(path, "rb") as f:
        data = tomllib.load(f)
    return data


def is_generic(rid):
    return rid.startswith("generic")


def classify(rule, hits, n, notes):
    """(status, covering rule ids, note)."""
    note = notes.get(rule.peer, {}).get(rule.id, {})
    need = n // 2 + 1
    if rule.skip:
        return "skipped", [], rule.skip
    h = hits.get((rule.peer, rule.idx), {})
    strong = sorted(r for r, ks in h.items() if len(ks) >= need)
    specific = [r for r in strong if not is_generic(r)]
    if specific:
        return "covered", specific, note.get("reason", "")
    if strong:
        return "generic", strong, note.get("reason", "")
    weak = sorted(h)
    reason = note.get("reason", "")
    if weak:
        reason = (reason + "; " if reason else "") + "fires on some samples only: " + ", ".join(weak)
    return "not covered", [], reason or "no reason recorded yet"


def own_rule_ids():
    ids = set()
    for name in os.listdir(os.path.join(ROOT, "rules")):
        if name.endswith(".toml"):
            with open(os.path.join(ROOT, "rules", name), "rb") as f:
                ids.update(r["id"] for r in tomllib.load(f).get("rules", []))
    return ids


def write(args, loaded, hits, conf, notes):
    own = own_rule_ids()
    lines = [
        "# Coverage of the peers' rules by leakscan's built-in rules",
        "",
        "<!-- GENERATED by scripts/coverage.py; do not edit. Regenerate with:",
        "     cargo build --release && python3 scripts/coverage.py",
        "     Reasons for rules that are not covered come from docs/coverage-notes.toml. -->",
        "",
        "For every rule of gitleaks' default configuration and of the published rule sets of",
        f"betterleaks, kingfisher and noseyparker, `scripts/coverage.py` draws {args.samples} synthetic",
        "samples from the peer rule's own regex (random characters of its classes, bounded repeats),",
        "puts each one in two contexts (the whole match alone on a line, and the captured secret as",
        "`<provider>_api_key = \"<secret>\"`), scans them with `leakscan --min-confidence low` and",
        f"records which leakscan rules fire on a majority ({args.samples // 2 + 1} of {args.samples}) of the samples.",
        "No peer example is read or stored; the samples are deleted after the scan.",
        "",
        "- **covered**: a provider-specific leakscan rule fires (its confidence in brackets;",
        "  `low` findings are hidden unless `--min-confidence low`).",
        "- **generic**: only a generic rule fires (key-name plus value-shape detection).",
        "- **not covered**: nothing fires on a majority of the samples; the reason is from",
        "  `docs/coverage-notes.toml` when one is recorded.",
        "- **skipped**: no sample could be drawn (a path-only rule, or regex syntax the generator",
        "  does not handle); the reason is given.",
        "",
        "A synthetic sample is the format as the peer's regex states it, so \"not covered\" can also",
        "mean the peer's regex is looser than the real format (leakscan then requires the real one).",
        "",
        "## Summary",
        "",
        "| peer | source | rules | covered | generic only | not covered | skipped |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    body = []
    mapping = {}
    for peer in PEERS:
        rules, src = loaded[peer]
        counts = collections.Counter()
        rows = []
        for r in rules:
            status, by, reason = classify(r, hits, args.samples, notes)
            counts[status] += 1
            if peer == "gitleaks":
                # For .gitleaksignore: the rules that detect the format; when the samples show
                # none, a leakscan rule of the same id (e.g. a checksum format) still maps.
                # `ids` in the notes: the rules that cover the real format when the peer's
                # regex draws samples no real token looks like (private keys, OpenAI, Stripe).
                also = notes.get(peer, {}).get(r.id, {}).get("ids", [])
                base = by or ([r.id] if r.id in own else [])
                mapping[r.id] = base + [x for x in also if x not in base]
            cov = ", ".join(f"`{b}` ({conf.get(b, 'medium')})" for b in by) or "-"
            remark = reason
            if r.note:
                remark = (remark + "; " if remark else "") + r.note
            rows.append(f"| `{r.id}` | {status} | {cov} | {md(remark)} |")
        lines.append(f"| {peer} | {md(src)} | {len(rules)} | {counts['covered']} | {counts['generic']} | "
                     f"{counts['not covered']} | {counts['skipped']} |")
        body += ["", f"## {peer}", "", "| peer rule | status | leakscan rule(s) | note |", "| --- | --- | --- | --- |"]
        body += rows
    text = "\n".join(lines + body) + "\n"
    with open(os.path.join(ROOT, "docs", "coverage.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    ids = [
        "# gitleaks rule id -> leakscan rule id(s) that detect the same format.",
        "# GENERATED by scripts/coverage.py (see docs/coverage.md); do not edit, regenerate.",
        "# An empty list: no leakscan rule covers it (reasons in docs/coverage.md).",
        "",
        "[gitleaks]",
    ]
    for rid in sorted(mapping):
        ids.append(f"{json.dumps(rid)} = [" + ", ".join(json.dumps(x) for x in mapping[rid]) + "]")
    with open(os.path.join(ROOT, "docs", "gitleaks-ids.toml"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(ids) + "\n")
    return text


def md(s):
    return s.replace("|", "\\|").replace("\n", " ")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "leakscan"))
    ap.add_argument("--samples", type=int, default=3)
    ap.add_argument("--seed", default="coverage-1")
    ap.add_argument("--notes", default=os.path.join(ROOT, "docs", "coverage-notes.toml"))
    ap.add_argument("--summary", action="store_true", help="print the summary table only")
    for peer in PEERS:
        ap.add_argument("--" + peer, default=DEFAULTS[peer])
    ap.add_argument("--show", metavar="PEER:RULE", help="print the samples drawn for one peer rule (to debug the generator) and exit")
    ap.add_argument("--list", metavar="STATUS", help="print peer rules with this status (e.g. 'not covered')")
    args = ap.parse_args()
    if not os.path.exists(args.bin):
        sys.exit(f"{args.bin}: no such binary (cargo build --release)")
    notes = load_notes(args.notes)
    if args.show:
        peer, rid = args.show.split(":", 1)
        rules, _ = load_peer(peer, getattr(args, peer))
        for r in rules:
            if r.id == rid:
                for full, secret in samples(r, args.samples, args.seed):
                    print(f"full:   {full!r}\nsecret: {secret!r}")
        return
    loaded, hits, conf = run(args)
    write(args, loaded, hits, conf, notes)
    for peer in PEERS:
        rules, _ = loaded[peer]
        c = collections.Counter()
        for r in rules:
            st, by, reason = classify(r, hits, args.samples, notes)
            c[st] += 1
            if args.list and st == args.list:
                print(f"{peer}\t{r.id}\t{reason}")
        print(f"{peer:12} rules {len(rules):4}  covered {c['covered']:4}  generic {c['generic']:4}  "
              f"not covered {c['not covered']:4}  skipped {c['skipped']:3}", file=sys.stderr)


if __name__ == "__main__":
    main()
