#!/usr/bin/env python3
"""Compares a gitleaks JSON report with a leakscan JSON report (run with --no-redact).

Usage: compare-findings.py GITLEAKS.json LEAKSCAN.json
A finding is (path, rule id, SHA-256 of the secret); path rules compare by (path, rule id).
Prints the counts and every finding gitleaks has that leakscan lacks; exits 1 if there is one.
"""
import hashlib
import json
import sys


def key(path, rule, secret):
    return (path, rule, hashlib.sha256(secret.encode()).hexdigest() if secret else "")


def main():
    with open(sys.argv[1]) as f:
        gl = {key(x["File"], x["RuleID"], x["Secret"]) for x in json.load(f)}
    with open(sys.argv[2]) as f:
        ls = {(x["path"], x["rule_id"], x.get("secret_sha256") or "") for x in json.load(f)["findings"]}
    missing = sorted(gl - ls)
    extra = len(ls - gl)
    print(f"gitleaks {len(gl)} findings, leakscan {len(ls)}; missing from leakscan {len(missing)}, only in leakscan {extra}")
    for m in missing[:50]:
        print("  missing:", m[0], m[1])
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main()
