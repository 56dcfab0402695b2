"""Formats bench/out/results.tsv (written by scripts/bench.sh) as bench/RESULTS.md.

usage: report.py RESULTS.tsv "SIZES" PEERS_MAX
"""

import csv
import datetime
import os
import platform
import subprocess
import sys

TARGETS = {"whylogs": 25.0, "evidently": 40.0, "floor": 1.0}


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def main():
    path, sizes, peers_max = sys.argv[1], sys.argv[2].split(), int(sys.argv[3])
    rows = list(csv.DictReader(open(path), delimiter="\t"))
    best = {}
    for r in rows:
        if r["exit"] not in ("0", "1"):
            continue
        key = (r["tool"], int(r["records"]))
        wall = float(r["wall_s"])
        cpu = float(r["user_s"]) + float(r["sys_s"])
        # Throughput time is CPU time (the machine is shared, so wall time mostly measures the
        # neighbours): the whole process for driftline and the floor; for the Python peers the
        # CPU time of the job they time themselves (parsing included, interpreter start-up and
        # imports excluded, which favours them).
        t = float(r["job_cpu_s"]) if r["job_cpu_s"] else cpu
        rec = dict(r, t=t, wall=wall, cpu=cpu, rss_mb=int(r["max_rss_kb"]) / 1024)
        if key not in best or rec["t"] < best[key]["t"]:
            best[key] = rec
    failed = [r for r in rows if r["exit"] not in ("0", "1")]

    out = []
    p = out.append
    p("# Benchmark results")
    p("")
    when = datetime.datetime.fromtimestamp(os.path.getmtime(path), datetime.timezone.utc)
    p(f"Run: {when:%Y-%m-%d %H:%M UTC}, by `scripts/bench.sh`.")
    p("")
    p("## Machine")
    p("")
    p(f"- CPU: {cpu_model()}, `nproc` = {os.cpu_count()} (shared with other work while measuring)")
    mem = sh("free -g | awk '/Mem:/ {print $2}'")
    p(f"- Memory: {mem} GiB; OS: {platform.platform()}")
    p(f"- rustc: {sh('rustc --version')}")
    p("")
    p("## Results")
    p("")
    p("Records/s = records ÷ CPU seconds (user + system). The machine is shared with other work,")
    p("so wall-clock time mostly measures the neighbours; it is listed for reference. CPU time is")
    p("the whole process for driftline and the floor (both single-threaded); for the Python peers")
    p("it is the CPU time of the job they time themselves (JSON parsing, CSV payload splitting,")
    p("profiling / report; interpreter start-up and imports excluded, which favours the peers),")
    p("with their numerical libraries on one thread (`OMP_NUM_THREADS=1` and the like), so that")
    p("idle worker threads spinning on the busy machine are not counted against them.")
    p("Peak RSS is `/usr/bin/time -v`'s maximum resident set size of the whole process.")
    p("Best of the repeated runs for the Rust programs.")
    p("")
    p("| records | tool | CPU s | wall s | process CPU s | records/s | peak RSS MB | driftline speed-up |")
    p("|---:|---|---:|---:|---:|---:|---:|---:|")
    for n in map(int, sizes):
        d = best.get(("driftline", n))
        for tool in ("driftline", "floor", "whylogs", "evidently"):
            r = best.get((tool, n))
            if r is None:
                continue
            rps = n / r["t"]
            ratio = "" if tool == "driftline" or d is None else f"{r['t'] / d['t']:.1f}×"
            p(f"| {n:,} | {tool} | {r['t']:.2f} | {r['wall']:.2f} | {r['cpu']:.2f} | "
              f"{rps:,.0f} | {r['rss_mb']:.1f} | {ratio} |")
    p("")
    p("## Targets (issue 3)")
    p("")
    p("| target | measured | met |")
    p("|---|---|---|")
    for n in map(int, sizes):
        d = best.get(("driftline", n))
        if d is None:
            continue
        for tool, want in TARGETS.items():
            r = best.get((tool, n))
            if r is None:
                continue
            got = r["t"] / d["t"]
            p(f"| {n:,}: ≥ {want:g}× {tool} | {got:.1f}× | {'yes' if got >= want else 'NO'} |")
        rps = n / d["t"]
        p(f"| {n:,}: 1.5M records/s on one core | {rps / 1e6:.2f}M/s (wall: {n / d['wall'] / 1e6:.2f}M/s) | {'yes' if rps >= 1.5e6 else 'NO'} |")
        p(f"| {n:,}: peak RSS < 64 MB | {d['rss_mb']:.1f} MB | {'yes' if d['rss_mb'] < 64 else 'NO'} |")
    p("")
    skipped = [n for n in map(int, sizes) if n > peers_max]
    if skipped:
        p("## Skipped")
        p("")
        p(f"The Python peers were not run on {', '.join(f'{n:,}' for n in skipped)} records "
          f"(`BENCH_PEERS_MAX={peers_max}`; set it higher to run them). Projected from their "
          f"{peers_max:,}-record runs above:")
        p("")
        for tool, why in (("whylogs", "CPU time grows linearly (chunked, bounded memory)"),
                          ("evidently", "the whole window is one DataFrame, so memory grows with the file")):
            r = best.get((tool, peers_max))
            if r is None:
                continue
            for n in skipped:
                k = n / peers_max
                p(f"- {tool}: about {r['t'] * k / 60:.0f} CPU minutes and {r['wall'] * k / 60:.0f} "
                  f"wall minutes at this machine's load, peak RSS about "
                  f"{r['rss_mb'] * (k if tool == 'evidently' else 1) / 1024:.1f} GB ({why}).")
        p("")
    if failed:
        p("## Failed runs")
        p("")
        for r in failed:
            p(f"- {r['tool']} on {int(r['records']):,} records exited {r['exit']} "
              f"(see bench/out/{r['tool']}-{r['records']}.stderr)")
        p("")
    split = os.path.join(os.path.dirname(path), "perf-split.md")
    if os.path.exists(split):
        p("## Where driftline's time goes")
        p("")
        p("`perf record` of one more driftline run on the smallest file, samples grouped by crate:")
        p("")
        p(open(split).read().rstrip())
        p("")
    p(open(os.path.join(os.path.dirname(__file__), "METHOD.md")).read().rstrip())
    print("\n".join(out))


if __name__ == "__main__":
    main()
