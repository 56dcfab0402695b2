#!/usr/bin/env bash
# S3 requests per capture file, before and after a change, measured side by side in one run:
# the same example (functions/analyze-capture/examples/s3_requests.rs, which uses only the
# handler's public API) is built in a git worktree of BASE and in this checkout, run on the
# in-memory store with 1, 10 and 60 files of one hour, and bench/S3-REQUESTS.md is written.
#
#   scripts/bench-s3-requests.sh [BASE]     # BASE defaults to c3ef977 (re-list-and-merge window)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BASE="${1:-c3ef977}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/driftline/target}"
SIZES=(1 10 60)
WT=$(mktemp -d)
trap 'git -C "$ROOT" worktree remove --force "$WT" >/dev/null 2>&1 || rm -rf "$WT"' EXIT
git worktree add --detach "$WT" "$BASE" >/dev/null 2>&1
mkdir -p "$WT/functions/analyze-capture/examples"
cp functions/analyze-capture/examples/s3_requests.rs "$WT/functions/analyze-capture/examples/"
echo "[bench-s3-requests] base $BASE" >&2
# Its own build folder: cargo leaves workspace paths out of artifact hashes and decides by
# file times, so two checkouts in one folder could reuse each other's crates.
(cd "$WT" && CARGO_TARGET_DIR="$CARGO_TARGET_DIR-bench-base" \
    cargo run -q -p analyze-capture --example s3_requests -- "${SIZES[@]}") >"$WT/base.jsonl"
echo "[bench-s3-requests] this checkout ($(git rev-parse --short HEAD))" >&2
cargo run -q -p analyze-capture --example s3_requests -- "${SIZES[@]}" >"$WT/head.jsonl"
# The same build with the longer windows on (WINDOWS, template parameter Windows).
WINDOWS=hour,day cargo run -q -p analyze-capture --example s3_requests -- "${SIZES[@]}" >"$WT/day.jsonl"
WINDOWS=hour,day,last-24h cargo run -q -p analyze-capture --example s3_requests -- "${SIZES[@]}" >"$WT/all.jsonl"
python3 - "$WT/base.jsonl" "$WT/head.jsonl" "$WT/day.jsonl" "$WT/all.jsonl" "$BASE" "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- functions shared || echo ' + uncommitted changes')" >bench/S3-REQUESTS.md <<'PY'
import json, sys
base = [json.loads(l) for l in open(sys.argv[1])]
head = [json.loads(l) for l in open(sys.argv[2])]
day = [json.loads(l) for l in open(sys.argv[3])]
every = [json.loads(l) for l in open(sys.argv[4])]
b_rev, h_rev = sys.argv[5], sys.argv[6]
ops = lambda d: ", ".join(f"{k} {v}" for k, v in sorted(d.items()))
print("# S3 requests per capture file (analyze-capture)\n")
print("Produced by `scripts/bench-s3-requests.sh` (one run, both builds side by side, in-memory store,")
print("200-record files of one hour delivered one after another to one handler, as a warm Lambda")
print(f"container gets them). Baseline: commit `{b_rev}` (each file re-lists and re-reads every")
print(f"partial of its hour, re-reads the baseline and 24 earlier summaries). This: `{h_rev}` (each")
print("file merges its partial into the hour's state with a conditional write; the baseline is")
print("revalidated by ETag; earlier summaries are cached for 5 minutes).\n")
print("| files in the hour | requests for the last file, before | after | ratio | all files, before | after | ratio |")
print("|---|---|---|---|---|---|---|")
for b, h in zip(base, head):
    r1 = b["last_file_total"] / h["last_file_total"]
    r2 = b["all_files_total"] / h["all_files_total"]
    print(f"| {b['files']} | {b['last_file_total']} | {h['last_file_total']} | {r1:.1f}x | "
          f"{b['all_files_total']} | {h['all_files_total']} | {r2:.1f}x |")
print("\nBy operation, last file of the largest hour:\n")
print(f"- before: {ops(base[-1]['last_file'])}")
print(f"- after: {ops(head[-1]['last_file'])}")
print("\n(`Get` counts the capture object itself, the baseline's two files — conditional GETs after")
print("the first file, 304 without a body when unchanged —, the window state and any partial read;")
print("`Head` is the state's ETag check after the reports are written.)")
print("\n## Longer windows (`WINDOWS`)\n")
print("The same build and files with the day window (`hour,day`) and also the rolling last 24 hours")
print("(`hour,day,last-24h`) on, against hourly windows alone (the default):\n")
print("| files in the hour | last file: hour | hour,day | hour,day,last-24h | all files: hour | hour,day | hour,day,last-24h |")
print("|---|---|---|---|---|---|---|")
for h, d, a in zip(head, day, every):
    print(f"| {h['files']} | {h['last_file_total']} | {d['last_file_total']} ({d['last_file_total'] / h['last_file_total']:.1f}x) | "
          f"{a['last_file_total']} ({a['last_file_total'] / h['last_file_total']:.1f}x) | {h['all_files_total']} | "
          f"{d['all_files_total']} | {a['all_files_total']} |")
print("\nBy operation, last file of the largest hour:\n")
print(f"- hour,day: {ops(day[-1]['last_file'])}")
print(f"- hour,day,last-24h: {ops(every[-1]['last_file'])}")
print("\n(The day is a second merged state: its GET, LIST, conditional PUT, four report PUTs and")
print("ETag check. The rolling view keeps no state: it reads the 23 earlier hours' states once per")
print("5 minutes per process and writes its four report files. A file of an hour already past also")
print("looks for the newest later hour with data, to update the rolling view an alarm watches now:")
print("here every file is past by the wall clock, so the first file probes the 23 later hours, which")
print("are then known empty for 5 minutes.)")
PY
cat bench/S3-REQUESTS.md
