#!/usr/bin/env python3
"""Fails when a command the documentation tells people to run is not executable in git.

A fresh clone takes file modes from the git index, not from this working tree, so the check
reads `git ls-files -s` (and, with --tree REV, `git ls-tree -r REV`). It checks:

1. every `./path` that README.md or docs/*.md shows and that is a tracked file has mode 100755;
2. every tracked file whose first two bytes are `#!` (a script meant to be run) has mode 100755;
3. the reverse: a tracked file with mode 100755 starts with `#!` (an executable without an
   interpreter line fails with "Exec format error").

Usage: scripts/check_modes.py [--tree REV] [--self-test]
"""
import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC_COMMAND = re.compile(r"(?<![\w./-])\./([A-Za-z0-9_][A-Za-z0-9_./-]*)")


def index_modes(tree=None):
    """Maps every tracked path to its git mode ("100644", "100755", "120000", ...)."""
    if tree:
        out = subprocess.run(["git", "ls-tree", "-r", tree], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout
        rows = (line.split("\t", 1) for line in out.splitlines())
        return {path: meta.split()[0] for meta, path in rows}
    out = subprocess.run(["git", "ls-files", "-s"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    rows = (line.split("\t", 1) for line in out.splitlines())
    return {path: meta.split()[0] for meta, path in rows}


def doc_commands(texts):
    """The `./path` commands shown in the given documents, as repo-relative paths."""
    found = set()
    for text in texts:
        for m in DOC_COMMAND.finditer(text):
            found.add(m.group(1).rstrip("."))
    return found


def problems(modes, shown, head_of):
    """Every mode problem, as readable lines. `head_of(path)` returns a file's first bytes."""
    out = []
    for path in sorted(shown):
        if path in modes and modes[path] != "100755":
            out.append(f"{path}: shown as ./{path} in the docs but mode {modes[path]} in git "
                       f"(fix: git update-index --chmod=+x {path})")
    for path, mode in sorted(modes.items()):
        if mode not in ("100644", "100755"):
            continue
        head = head_of(path)
        if head is None:
            continue
        if head.startswith(b"#!") and not head.startswith(b"#![") and mode != "100755":
            out.append(f"{path}: starts with #! but mode {mode} in git "
                       f"(fix: git update-index --chmod=+x {path})")
        if mode == "100755" and not head.startswith(b"#!"):
            out.append(f"{path}: executable in git but has no #! line")
    return out


def read_head(path):
    p = ROOT / path
    try:
        with open(p, "rb") as f:
            return f.read(3)
    except OSError:
        return None


def self_test():
    modes = {"scripts/test.sh": "100644", "scripts/ok.sh": "100755", "a.py": "100644",
             "lib.rs": "100644", "bin/x": "100755"}
    heads = {"scripts/test.sh": b"#!/", "scripts/ok.sh": b"#!/", "a.py": b"#!/",
             "lib.rs": b"#![", "bin/x": b"ELF"}
    shown = doc_commands(["run ./scripts/test.sh and ./scripts/ok.sh.", "not a/./b"])
    assert shown == {"scripts/test.sh", "scripts/ok.sh"}, shown
    got = problems(modes, shown, heads.get)
    assert any(g.startswith("scripts/test.sh: shown") for g in got), got
    assert any(g.startswith("a.py: starts with #!") for g in got), got
    assert any(g.startswith("bin/x: executable") for g in got), got
    assert not any(g.startswith(("scripts/ok.sh", "lib.rs")) for g in got), got
    print("check_modes self-test: ok")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tree", help="check the modes of this commit instead of the index")
    ap.add_argument("--self-test", action="store_true")
    args = ap.parse_args()
    if args.self_test:
        self_test()
        return 0
    docs = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    shown = doc_commands(p.read_text(encoding="utf-8") for p in docs if p.exists())
    modes = index_modes(args.tree)
    missing = sorted(p for p in shown if p not in modes and not (ROOT / p).is_dir()
                     and not p.startswith(("out/", "baseline/")))
    found = problems(modes, shown, read_head)
    for line in found:
        print(f"check_modes: {line}", file=sys.stderr)
    print(f"check_modes: {len(shown)} documented commands, {len(modes)} tracked files, "
          f"{len(found)} problem(s)" + (f"; shown but not tracked (not checked): {missing}"
                                          if missing else ""))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
