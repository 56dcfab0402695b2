#!/usr/bin/env python3
"""Writes the measured tables of docs/RELIABILITY.md from the latest runs:

- between `fuzz:begin` / `fuzz:end`: `scripts/fuzz.sh` (bench/out/fuzz/*.result.json, the
  latest run of each target; a target without a result on this machine keeps its row, and each
  row names the commit it ran on);
- between `hostile:begin` / `hostile:end`: `scripts/ci/46-lambda-hostile.sh`
  (bench/out/hostile.json);
- between `load:begin` / `load:end`: `scripts/load-test.sh` (bench/out/load.json);
- between `faults:begin` / `faults:end`: `scripts/ci/49-aws-faults.sh` (bench/out/faults.json).

    python3 scripts/reliability_report.py
A section whose results are missing is left as it is.
"""
import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "RELIABILITY.md"
BEGIN, END = "<!-- fuzz:begin -->", "<!-- fuzz:end -->"
H_BEGIN, H_END = "<!-- hostile:begin -->", "<!-- hostile:end -->"
L_BEGIN, L_END = "<!-- load:begin -->", "<!-- load:end -->"
F_BEGIN, F_END = "<!-- faults:begin -->", "<!-- faults:end -->"
GOAL = 10_000_000


def replace(text: str, begin: str, end: str, body: list[str]) -> str:
    if begin not in text or end not in text:
        raise SystemExit(f"{DOC} has no {begin} … {end} section")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return head + "\n".join([begin, ""] + body + ["", end]) + tail


def hostile_section(path: Path, rev: str) -> list[str]:
    h = json.loads(path.read_text())
    out = [f"Run of `scripts/ci/46-lambda-hostile.sh` on commit `{rev}`, {dt.date.today().isoformat()}: "
           "each file delivered to analyze-capture (debug build) through `cargo lambda watch` against "
           "moto. Records and malformed lines are the file's stored partial profile.", "",
           "| file | bytes | invocation ms | records profiled | lines malformed | faults recorded |",
           "|---|---|---|---|---|---|"]
    for r in h["files"]:
        faults = ", ".join(f"{k} {v:,}" for k, v in sorted(r["faults"].items())) or "-"
        out.append(f"| `{r['file']}` | {r['bytes']:,} | {r['ms']} | {r['records']:,} | {r['malformed']:,} | {faults} |")
    out += ["", f"Peak resident memory of the function process over all of them: {h['peak_rss_mb']} MB "
            f"(VmHWM; the 50 MB line is skipped without being held). The hour's report counts "
            f"{h['report_records']:,} records, the sum of the files'. No invocation failed."]
    return out


def load_section(path: Path, rev: str) -> list[str]:
    r = json.loads(path.read_text().strip().splitlines()[-1])
    return [f"Run of `scripts/load-test.sh {r['files']}` on commit `{rev}`, {dt.date.today().isoformat()}, "
            f"{os.cpu_count()} CPUs (moto_server on the same machine).", "",
            "| figure | value |", "|---|---|",
            f"| capture files | {r['files']:,} over {r['hours']} hours, {r['endpoints']} endpoints |",
            f"| deliveries | {r['deliveries']:,} ({r['repeated_deliveries']:,} repeated) by {r['concurrency']} concurrent handler instances |",
            f"| windows checked | {r['windows']:,} hours and {r['days_checked']:,} days (`WINDOWS={r['windows_setting']}`) |",
            f"| records | {r['records']:,} written, {r['records_counted']:,} counted in the hourly reports |",
            f"| records lost | {r['records_lost']:,} |",
            f"| records doubled | {r['records_doubled']:,} |",
            f"| windows with a missing report file or a wrong file list | {r['windows_missing_reports'] + r['windows_wrong_sources']} |",
            f"| failed deliveries (after 3 tries) | {r['failed_deliveries']} |",
            f"| throughput | {r['files_per_second']} files/s ({r['seconds']} s) — moto's, not Lambda's: one Python process serves every S3 request |"]


def faults_section(path: Path, rev: str) -> list[str]:
    f = json.loads(path.read_text())
    out = [f"Run of `scripts/ci/49-aws-faults.sh` on commit `{rev}`, {dt.date.today().isoformat()}: "
           f"{f['function']} under `cargo lambda watch`, S3 through the fault proxy. "
           "`injected` counts the requests that got the fault (the SDK makes at most 3 attempts); "
           "the first invocation's time includes `cargo lambda invoke`'s start-up, and attempts time "
           "out after 2 s in this run (`DRIFTLINE_ATTEMPT_TIMEOUT_MS`; 10 s by default).", "",
           "| fault | injected | first invocation | Lambda's retry | outcome | outputs equal a run without faults |",
           "|---|---|---|---|---|---|"]
    for r in f["rows"]:
        retry = {None: "-", True: "succeeded", False: "failed"}[r["lambda_retry"]]
        same = {None: "(permanent: recorded)", True: "yes", False: "NO"}[r["same_outputs"]]
        secs = f" ({r['first_invocation_s']} s)" if "first_invocation_s" in r else ""
        out.append(f"| {r['fault']} | {r['injected']} | {r['first_invocation']}{secs} | {retry} | {r['outcome']} | {same} |")
    return out


def kept_fuzz_rows(text: str) -> dict[str, str]:
    """The fuzz table's rows now in the document, by target, with a commit column (an older
    table without one names its commit in the sentence above it)."""
    if BEGIN not in text:
        return {}
    section = text.split(BEGIN, 1)[1].split(END, 1)[0]
    m = re.search(r"on commit `([0-9a-f]+)`", section)
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("| `") or len(cells) < 9:
            continue
        target = cells[0].strip("`")
        if len(cells) == 9:  # no commit column yet
            cells.insert(1, f"`{m.group(1)}`" if m else "-")
        rows[target] = "| " + " | ".join(cells) + " |"
    return rows


def main() -> int:
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                         text=True).stdout.strip()
    text = DOC.read_text()
    hostile = ROOT / "bench/out/hostile.json"
    if hostile.exists():
        text = replace(text, H_BEGIN, H_END, hostile_section(hostile, rev))
        print("wrote the hostile-input table")
    faults = ROOT / "bench/out/faults.json"
    if faults.exists():
        text = replace(text, F_BEGIN, F_END, faults_section(faults, rev))
        print("wrote the AWS-faults table")
    load = ROOT / "bench/out/load.json"
    if load.exists() and load.read_text().strip():
        text = replace(text, L_BEGIN, L_END, load_section(load, rev))
        print("wrote the load table")
    path = ROOT / "bench/out/fuzz"
    order = ["capture_reader", "fast_paths", "baseline_files", "alarm_events", "s3_keys", "ground_truth"]
    fresh = [json.loads(p.read_text()) for p in path.glob("*.result.json")]
    if not fresh:
        DOC.write_text(text)
        print(f"no fuzz results in {path}")
        return 0
    nightly = subprocess.run(["rustup", "run", "nightly", "rustc", "--version"], capture_output=True,
                             text=True).stdout.strip()
    lines: dict[str, str] = kept_fuzz_rows(text)
    for r in fresh:
        rate = r["executions"] / r["seconds"] if r["seconds"] else 0
        goal = "reached" if r["executions"] >= GOAL else f"{r['executions'] / GOAL:.0%}"
        lines[r["target"]] = (
            f"| `{r['target']}` | `{r.get('commit') or rev}` | {r['executions']:,} | {goal} | {r['seconds']} | "
            f"{rate:,.0f} | {r['corpus_files']:,} | {r['corpus_bytes'] / 1024:,.0f} | "
            f"{r['coverage'] or '-'} | {r['crashes']} |")
    targets = sorted(lines, key=lambda t: order.index(t) if t in order else len(order))
    out = [f"Runs of `scripts/fuzz.sh` (each row on the commit it names; the table keeps the last run "
           f"of every target), {os.cpu_count()} CPUs, one libFuzzer process per target, AddressSanitizer, "
           f"{nightly}. Executions are libFuzzer's own count (`stat::number_of_executed_units`); the "
           f"corpus is the working corpus the run ended with (seeds in `fuzz/seeds/`).", "",
           "| target | commit | executions | goal (10M) | seconds | executions/s | corpus files | corpus KiB | coverage (edges) | crashes |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    out += [lines[t] for t in targets]
    cells = [[c.strip() for c in lines[t].strip("|").split("|")] for t in targets]
    total = sum(int(c[2].replace(",", "")) for c in cells)
    crashes = sum(int(c[9]) for c in cells)
    out += ["", f"Total: {total:,} executions, {crashes} crash(es)."]
    DOC.write_text(replace(text, BEGIN, END, out))
    print(f"wrote the fuzzing table of {DOC.relative_to(ROOT)} ({len(fresh)} fresh, "
          f"{len(targets) - len(fresh)} kept)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
