#!/usr/bin/env python3
"""Writes the fuzzing table of docs/RELIABILITY.md (between the `fuzz:begin` / `fuzz:end`
markers) from the latest `scripts/fuzz.sh` run of each target (bench/out/fuzz/*.result.json).

    python3 scripts/fuzz_report.py [RESULTS_DIR]
"""
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "RELIABILITY.md"
BEGIN, END = "<!-- fuzz:begin -->", "<!-- fuzz:end -->"
GOAL = 10_000_000


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "bench/out/fuzz"
    order = ["capture_reader", "fast_paths", "baseline_files", "alarm_events", "s3_keys", "ground_truth"]
    rows = [json.loads(p.read_text()) for p in path.glob("*.result.json")]
    rows.sort(key=lambda r: order.index(r["target"]) if r["target"] in order else len(order))
    if not rows:
        print(f"no results in {path}", file=sys.stderr)
        return 1
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                         text=True).stdout.strip()
    nightly = subprocess.run(["rustup", "run", "nightly", "rustc", "--version"], capture_output=True,
                             text=True).stdout.strip()
    out = [BEGIN, "",
           f"Run of `scripts/fuzz.sh` on commit `{rev}`, {dt.date.today().isoformat()}, "
           f"{os.cpu_count()} CPUs, one libFuzzer process per target, AddressSanitizer, {nightly}. "
           f"Executions are libFuzzer's own count (`stat::number_of_executed_units`); the corpus is the "
           f"working corpus the run ended with (seeds in `fuzz/seeds/`).", "",
           "| target | executions | goal (10M) | seconds | executions/s | corpus files | corpus KiB | coverage (edges) | crashes |",
           "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        rate = r["executions"] / r["seconds"] if r["seconds"] else 0
        goal = "reached" if r["executions"] >= GOAL else f"{r['executions'] / GOAL:.0%}"
        out.append(f"| `{r['target']}` | {r['executions']:,} | {goal} | {r['seconds']} | {rate:,.0f} | "
                   f"{r['corpus_files']:,} | {r['corpus_bytes'] / 1024:,.0f} | {r['coverage'] or '-'} | "
                   f"{r['crashes']} |")
    total = sum(r["executions"] for r in rows)
    crashes = sum(r["crashes"] for r in rows)
    out += ["", f"Total: {total:,} executions, {crashes} crash(es).", "", END]
    text = DOC.read_text()
    if BEGIN not in text or END not in text:
        print(f"{DOC} has no {BEGIN} … {END} section", file=sys.stderr)
        return 1
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(head + "\n".join(out) + tail)
    print(f"wrote the fuzzing table of {DOC.relative_to(ROOT)} ({len(rows)} targets)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
