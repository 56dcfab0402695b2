#!/usr/bin/env bash
# Issue 4 "Targets", measured (not optimised): the release `analyze-capture` binary behind a stub
# Lambda runtime API (bench/lambda/driver.py), S3 emulated by moto. Writes bench/LAMBDA-RESULTS.md.
#   1. peak RSS of one ~100 MB capture object analysed end to end, next to the naive load-whole
#      path (bench/lambda/naive_load_whole.py) measured in the same run (target < 128 MB);
#   2. process start to first `GET /runtime/invocation/next`, median of LAMBDA_RUNS runs, next to
#      a std-only Rust client (bench/lambda/connect_next.rs) and `/bin/true` (target < 50 ms).
# Everything binds to 127.0.0.1; everything started is stopped on exit (trap).
#
# Environment:
#   LAMBDA_RECORDS  capture records (default 230000, about 105 MB with bench-gen's 460 B lines)
#   LAMBDA_RUNS     start-up runs per program (default 25)
#   LAMBDA_DATA     workload directory (default bench/data/lambda, git-ignored; reused if present)
#   GEN_BIN         directory holding bench-gen and driftline (default: built into CARGO_TARGET_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/driftline/target}
VENV=${DRIFTLINE_VENV:-$ROOT/.venv}
[[ -x "$VENV/bin/python" ]] || VENV=/work/main/.venv
PY=$VENV/bin/python
RECORDS=${LAMBDA_RECORDS:-230000}
RUNS=${LAMBDA_RUNS:-25}
DATA=${LAMBDA_DATA:-$ROOT/bench/data/lambda}
OUT=$ROOT/bench/out/lambda
mkdir -p "$DATA" "$OUT"
log() { printf '\033[1;34m[bench-lambda]\033[0m %s\n' "$*" >&2; }

DRIVER_PID=
cleanup() { [[ -n "$DRIVER_PID" ]] && kill "$DRIVER_PID" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
run_driver() { "$PY" bench/lambda/driver.py "$@" & DRIVER_PID=$!; wait "$DRIVER_PID"; DRIVER_PID=; }

log "building the release analyze-capture"
cargo build --release -q -p analyze-capture
BIN=$CARGO_TARGET_DIR/release/analyze-capture
if [[ -z "${GEN_BIN:-}" ]]; then
    cargo build --release -q -p driftline-cli -p driftline-bench
    GEN_BIN=$CARGO_TARGET_DIR/release
fi
rustc -O -o "$OUT/connect_next" bench/lambda/connect_next.rs

if [[ ! -s "$DATA/capture.jsonl" ]]; then
    log "generating $RECORDS capture records"
    "$GEN_BIN/bench-gen" capture "$RECORDS" 7 drift "$DATA/capture.jsonl.tmp"
    mv "$DATA/capture.jsonl.tmp" "$DATA/capture.jsonl"
fi
if [[ ! -s "$DATA/baseline/constraints.json" ]]; then
    "$GEN_BIN/bench-gen" baseline 50000 1 "$DATA/baseline.csv"
    "$GEN_BIN/driftline" baseline "$DATA/baseline.csv" -o "$DATA/baseline" 2>/dev/null
fi

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
log "peak RSS: one invocation on $(du -h "$DATA/capture.jsonl" | cut -f1) (load $LOAD_BEFORE)"
run_driver rss --binary "$BIN" --capture "$DATA/capture.jsonl" --baseline-dir "$DATA/baseline" \
    --venv "$VENV" --log "$OUT/rss-binary.log" --out "$OUT/rss.json" >/dev/null
log "start to ready: $RUNS runs each"
run_driver start --binary "$BIN" --connect-next "$OUT/connect_next" --runs "$RUNS" \
    --out "$OUT/start.json" >/dev/null
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

"$PY" bench/lambda/report.py --rss "$OUT/rss.json" --start "$OUT/start.json" \
    --binary "$BIN" --load-before "$LOAD_BEFORE" --load-after "$LOAD_AFTER" \
    --commit "$(git rev-parse --short HEAD)" >bench/LAMBDA-RESULTS.md
log "wrote bench/LAMBDA-RESULTS.md"
