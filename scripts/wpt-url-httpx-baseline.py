#!/usr/bin/env python3
"""Baseline: how Python httpx parses the WPT URL test cases for special schemes.

Usage: python3 scripts/wpt-url-httpx-baseline.py [path/to/urltestdata.json] [-v]
Needs: pip install httpx==0.28.1

Special-scheme subset = test objects (comment strings skipped) where
  - the expected result (if not a failure) has protocol http:/https:/ws:/wss:, or
  - `base` has one of those schemes, or
  - `input`, after trimming leading/trailing C0 controls and spaces, starts
    with one of those schemes + ":" (case-insensitive).
A case passes if failure is expected and httpx raises (any exception), or
success is expected, httpx does not raise and str(url) == expected href.
httpx call: httpx.URL(input) when base is null/absent, else httpx.URL(base).join(input).
"""
import json
import os
import re
import sys
from pathlib import Path

import httpx

SPECIAL = ("http", "https", "ws", "wss")
DEFAULT = Path(os.environ.get("WPT_URLTESTDATA", Path(__file__).resolve().parent.parent / "Tests/HTTPXTests/Data/wpt/urltestdata.json"))
SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")


def scheme_of(s):
    m = SCHEME_RE.match(s)
    return m.group(1).lower() if m else None


def in_subset(case):
    if not case.get("failure") and case.get("protocol", "").rstrip(":") in SPECIAL:
        return True
    base = case.get("base")
    if base and scheme_of(base) in SPECIAL:
        return True
    # Strip C0 controls (U+0000..U+001F) and space, as the URL parser does.
    trimmed = case["input"].strip("".join(map(chr, range(0x21))))
    return scheme_of(trimmed) in SPECIAL


def run_httpx(case):
    base = case.get("base")
    return httpx.URL(case["input"]) if base is None else httpx.URL(base).join(case["input"])


def main():
    args = [a for a in sys.argv[1:] if a != "-v"]
    verbose = "-v" in sys.argv[1:]
    data = json.loads(Path(args[0] if args else DEFAULT).read_text(encoding="utf-8"))
    cases = [c for c in data if isinstance(c, dict)]
    subset = [c for c in cases if in_subset(c)]
    failures_expected = sum(1 for c in subset if c.get("failure"))

    passed = {"success": 0, "failure": 0}
    for c in subset:
        kind = "failure" if c.get("failure") else "success"
        try:
            got = str(run_httpx(c))
        except Exception as e:  # any exception counts as "httpx rejected it"
            got, ok = f"<{type(e).__name__}>", kind == "failure"
        else:
            ok = kind == "success" and got == c["href"]
        passed[kind] += ok
        if verbose and not ok:
            print(f"FAIL {json.dumps(c['input'])} base={json.dumps(c.get('base'))} "
                  f"expected={'<failure>' if kind == 'failure' else json.dumps(c['href'])} got={json.dumps(got)}")

    total = passed["success"] + passed["failure"]
    print(f"httpx {httpx.__version__}")
    print(f"test objects: {len(cases)}")
    print(f"special-scheme subset: {len(subset)} "
          f"({len(subset) - failures_expected} success, {failures_expected} failure)")
    print(f"pass: {total}/{len(subset)} "
          f"(success cases {passed['success']}/{len(subset) - failures_expected}, "
          f"failure cases {passed['failure']}/{failures_expected})")


if __name__ == "__main__":
    main()
