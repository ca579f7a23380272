#!/usr/bin/env python3
"""Generates a tree of fake secrets from the regexes of a gitleaks configuration.

Usage: gen-gitleaks-corpus.py CONFIG OUT_DIR [SAMPLES_PER_RULE]

Each rule's regex is parsed with Python's own regex parser and walked at random, so every
sample has the rule's shape with random content (fake by construction). Samples are written in
a few contexts (assignment, JSON, YAML, shell) so that keyword and boundary handling is
exercised. The configuration is only read as data; nothing of it is copied into leakscan.
"""
import os
import random
import re
import sys
import tomllib

try:
    import re._parser as sre_parse
    import re._constants as C
except ImportError:  # Python < 3.11
    import sre_parse
    import sre_constants as C

ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
CATEGORY = {
    C.CATEGORY_DIGIT: "0123456789",
    C.CATEGORY_NOT_DIGIT: "abcdefXYZ_-",
    C.CATEGORY_WORD: ALNUM + "_",
    C.CATEGORY_NOT_WORD: "-.:/=+",
    C.CATEGORY_SPACE: " ",
    C.CATEGORY_NOT_SPACE: ALNUM,
}


def gen(tree, rnd, groups):
    out = []
    for op, av in tree:
        out.append(gen_op(op, av, rnd, groups))
    return "".join(out)


def pick_class(items, rnd):
    negate = any(op == C.NEGATE for op, _ in items)
    chars = []
    for op, av in items:
        if op == C.LITERAL:
            chars.append(chr(av))
        elif op == C.RANGE:
            lo, hi = av
            lo, hi = max(lo, 32), min(hi, 126)
            chars.extend(chr(c) for c in range(lo, hi + 1))
        elif op == C.CATEGORY:
            chars.extend(CATEGORY.get(av, ALNUM))
    if negate:
        banned = set(chars)
        pool = [c for c in ALNUM if c not in banned]
        return rnd.choice(pool) if pool else "x"
    chars = [c for c in chars if c.isprintable()] or ["x"]
    return rnd.choice(chars)


def gen_op(op, av, rnd, groups):
    if op == C.LITERAL:
        return chr(av)
    if op == C.NOT_LITERAL:
        return rnd.choice([c for c in ALNUM if ord(c) != av])
    if op == C.ANY:
        return rnd.choice(ALNUM)
    if op == C.IN:
        return pick_class(av, rnd)
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
        lo, hi, sub = av
        hi = min(hi, lo + 24) if hi != C.MAXREPEAT else lo + 24
        n = rnd.randint(lo, max(lo, hi))
        return "".join(gen(sub, rnd, groups) for _ in range(n))
    if op == C.SUBPATTERN:
        sub = av[-1]
        s = gen(sub, rnd, groups)
        if av[0]:
            groups[av[0]] = s
        return s
    if op == C.BRANCH:
        return gen(rnd.choice(av[1]), rnd, groups)
    if op == C.GROUPREF:
        return groups.get(av, "")
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return ""
    if op == C.CATEGORY:
        return rnd.choice(CATEGORY.get(av, ALNUM))
    return ""


def python_pattern(go):
    # Python wants global flags first and spells \z as \Z.
    p = go.replace(r"\z", r"\Z")
    flags = ""
    if "(?i)" in p:
        p = p.replace("(?i)", "")
        flags = "(?i)"
    return flags + p


CONTEXTS = [
    "{k} = \"{v}\"\n",
    "export {K}={v}\n",
    "{{\"{k}\": \"{v}\"}}\n",
    "{k}: {v}\n",
    "{v}\n",
]


def main():
    config, out = sys.argv[1], sys.argv[2]
    per_rule = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    rnd = random.Random(20261125)
    with open(config, "rb") as f:
        cfg = tomllib.load(f)
    os.makedirs(out, exist_ok=True)
    made = skipped = 0
    for rule in cfg.get("rules", []):
        rid, rx = rule.get("id"), rule.get("regex")
        if not rx:
            continue
        try:
            tree = sre_parse.parse(python_pattern(rx))
        except Exception:
            skipped += 1
            continue
        lines = []
        for i in range(per_rule):
            sample = gen(list(tree), rnd, {}).replace("\n", " ")
            key = (rule.get("keywords") or ["token"])[0]
            ctx = CONTEXTS[i % len(CONTEXTS)]
            lines.append("# sample %d\n" % i + ctx.format(k=key.replace("-", "_"), K=key.upper().replace("-", "_"), v=sample))
        d = os.path.join(out, rid[:2])
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, rid + ".txt"), "w") as f:
            f.write("".join(lines))
        made += 1
    print("generated %d files, %d regexes Python could not parse" % (made, skipped), file=sys.stderr)


if __name__ == "__main__":
    main()
