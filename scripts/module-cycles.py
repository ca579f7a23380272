#!/usr/bin/env python3
"""Reports import cycles between leakscan's modules (one module per source file).

An edge A -> B means a file of module A names an item of module B (`use crate::...`,
`crate::...` paths in code, `super::...`, `self::...` in a mod.rs). A name used through a
`pub use` re-export is followed to the module that defines it, so a parent that only
re-exports is not a hop. Edges from a parent to the children it declares (`mod x;`) are the
tree, not imports, and are not counted. Test modules (`#[cfg(test)] mod tests`) are ignored.

Usage: scripts/module-cycles.py [--edges] [SRC]   (default: src). Exit status 1 when there is a
cycle; --edges also prints every edge.
"""
import os
import re
import sys

ARGS = [a for a in sys.argv[1:] if not a.startswith("-")]
SRC = ARGS[0] if ARGS else "src"


def module_of(path):
    rel = os.path.relpath(path, SRC)[:-3]
    parts = rel.split(os.sep)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return "::".join(["crate"] + parts)


files = {}
for root, _, names in os.walk(SRC):
    for n in names:
        if n.endswith(".rs"):
            p = os.path.join(root, n)
            text = open(p, encoding="utf-8").read()
            # Drop unit tests: everything from `#[cfg(test)]\nmod tests` on.
            m = re.search(r"#\[cfg\(test\)\]\s*mod tests", text)
            if m:
                text = text[: m.start()]
            # Drop comments.
            text = re.sub(r"//[^\n]*", "", text)
            files[module_of(p)] = text
modules = set(files)

# Re-exports: (module, name) -> defining module.
reexport = {}
for mod, text in files.items():
    for m in re.finditer(r"pub use ([\w:]+)::\{([^}]*)\};|pub use ([\w:]+)::(\w+)( as \w+)?;", text):
        if m.group(1):
            base, names = m.group(1), [x.strip().split(" as ")[-1] for x in m.group(2).split(",")]
        else:
            base, names = m.group(3), [m.group(4)]
        for n in names:
            if n and n != "self":
                reexport[(mod, n)] = base


def absolute(mod, path):
    """`path` as written in `mod`, made absolute (crate::...)."""
    parts = path.split("::")
    if parts[0] == "crate":
        return parts
    if parts[0] == "super":
        base = mod.split("::")
        while parts and parts[0] == "super":
            base = base[:-1]
            parts = parts[1:]
        return base + parts
    if parts[0] == "self":
        return mod.split("::") + parts[1:]
    # A relative path in a mod.rs/lib.rs naming a child module (`pub use load::x`).
    if "::".join(mod.split("::") + [parts[0]]) in modules:
        return mod.split("::") + parts
    return None


def target(mod, path, depth=0):
    parts = absolute(mod, path)
    if not parts:
        return None
    # Longest prefix that is a module.
    for k in range(len(parts), 0, -1):
        cand = "::".join(parts[:k])
        if cand in modules:
            rest = parts[k:]
            if rest and (cand, rest[0]) in reexport and depth < 5:
                via = reexport[(cand, rest[0])]
                t = target(cand, via + "::" + "::".join(rest), depth + 1)
                return t or cand
            return cand
    return None


def uses(text):
    """Paths named by a file: `use` trees expanded, plus inline crate::/super:: paths."""
    out = []
    for m in re.finditer(r"\buse\s+([^;]+);", text):
        out.extend(expand(m.group(1).replace("\n", " ").replace(" ", "")))
    for m in re.finditer(r"(?<![\w:])((?:crate|super)(?:::\w+)+)", text):
        out.append(m.group(1))
    return out


def expand(tree):
    """`a::{b,c::{d,e}}` -> [a::b, a::c::d, a::c::e]."""
    i = tree.find("{")
    if i < 0:
        return [re.sub(r"as\w+$", "", tree).rstrip(":")]
    prefix, inner = tree[:i], tree[i + 1 : tree.rfind("}")]
    items, depth, cur = [], 0, ""
    for ch in inner:
        if ch == "," and depth == 0:
            items.append(cur)
            cur = ""
            continue
        depth += ch == "{"
        depth -= ch == "}"
        cur += ch
    items.append(cur)
    out = []
    for it in items:
        if not it:
            continue
        if it == "self":
            out.append(prefix.rstrip(":"))
        else:
            out.extend(expand(prefix + it))
    return out


edges = {m: set() for m in modules}
for mod, text in files.items():
    for p in uses(text):
        t = target(mod, p)
        if t and t != mod and not t.startswith(mod + "::"):
            edges[mod].add(t)
        elif t and t.startswith(mod + "::") and p.split("::")[0] not in ("crate",):
            # A parent naming a child item other than by `mod` declaration (re-export or use).
            if not re.match(r"^\w+$", p):
                edges[mod].add(t)

# Tarjan's strongly connected components.
index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]
sys.setrecursionlimit(10000)


def strong(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on.add(v)
    for w in sorted(edges[v]):
        if w not in index:
            strong(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop()
            on.discard(w)
            comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            sccs.append(sorted(comp))


for v in sorted(modules):
    if v not in index:
        strong(v)

if "-v" in sys.argv or "--edges" in sys.argv:
    for m in sorted(edges):
        print(m, "->", ", ".join(sorted(edges[m])))
if sccs:
    for comp in sccs:
        print("cycle:", " <-> ".join(c.replace("crate::", "") for c in comp))
        inside = set(comp)
        for a in comp:
            for b in sorted(edges[a] & inside):
                print(f"    {a.replace('crate::', '')} -> {b.replace('crate::', '')}")
    sys.exit(1)
print(f"no import cycle among {len(modules)} modules")
