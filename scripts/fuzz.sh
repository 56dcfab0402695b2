#!/usr/bin/env bash
# Coverage-guided fuzzing of every target in fuzz/ (cargo-fuzz, libFuzzer, AddressSanitizer,
# nightly Rust), then docs/RELIABILITY.md's fuzzing table from the runs' own statistics.
#
#   scripts/fuzz.sh [EXECUTIONS] [TARGET...]   # default 10000000 executions of every target
#   FUZZ_JOBS=2 scripts/fuzz.sh 200000         # a bounded run (CI: scripts/ci/30-fuzz.sh)
#   FUZZ_MAX_SECONDS=600 scripts/fuzz.sh       # stop each target after 10 minutes at most
#
# Installs what it needs: the nightly toolchain (rustup) and cargo-fuzz (crates.io, into
# $HOME/.cache/driftline/tools). The working corpus lives outside the clone
# ($HOME/.cache/driftline/fuzz-corpus/TARGET, seeded from fuzz/seeds/TARGET); a crash input is
# copied to fuzz/regressions/TARGET/ (replayed by `cargo test --manifest-path fuzz/Cargo.toml`
# from then on) and the run fails. Results: bench/out/fuzz/TARGET.log and TARGET.result.json
# (the latest run of each target; `python3 scripts/reliability_report.py` tables them in
# docs/RELIABILITY.md).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS="${1:-10000000}"
shift || true
TARGETS=("$@")
if [[ ${#TARGETS[@]} -eq 0 ]]; then
    TARGETS=(capture_reader fast_paths baseline_files alarm_events s3_keys ground_truth)
fi
TOOLS="$HOME/.cache/driftline/tools"
CORPORA="${DRIFTLINE_FUZZ_CORPUS:-$HOME/.cache/driftline/fuzz-corpus}"
FUZZ_TARGET_DIR="${DRIFTLINE_FUZZ_TARGET_DIR:-$HOME/.cache/driftline/target-fuzz}"
OUT="$ROOT/bench/out/fuzz"
JOBS="${FUZZ_JOBS:-1}"
MAX_SECONDS="${FUZZ_MAX_SECONDS:-0}"
log() { printf '\033[1;36m[fuzz]\033[0m %s\n' "$*" >&2; }

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    log "installing the nightly toolchain (rustup)"
    rustup toolchain install nightly --profile minimal
fi
if [[ ! -x "$TOOLS/bin/cargo-fuzz" ]]; then
    log "installing cargo-fuzz into $TOOLS"
    cargo install cargo-fuzz --locked --version 0.13.2 --root "$TOOLS"
fi
export PATH="$TOOLS/bin:$PATH"

log "building the targets (release, AddressSanitizer)"
cargo +nightly fuzz build --fuzz-dir fuzz --target-dir "$FUZZ_TARGET_DIR" -O

mkdir -p "$OUT"
status=0
for t in "${TARGETS[@]}"; do
    corpus="$CORPORA/$t"
    artifacts="$OUT/artifacts/$t/"
    mkdir -p "$corpus" "$artifacts"
    log "$t: $RUNS executions (corpus $corpus)"
    start=$(date +%s)
    set +e
    # -jobs (even 1) moves libFuzzer's output into fuzz-N.log files: only for parallel runs.
    parallel=()
    if [[ "$JOBS" -gt 1 ]]; then parallel=(-jobs="$JOBS" -workers="$JOBS"); fi
    cargo +nightly fuzz run --fuzz-dir fuzz --target-dir "$FUZZ_TARGET_DIR" -O "$t" \
        "$corpus" "fuzz/seeds/$t" -- \
        -runs="$RUNS" -max_total_time="$MAX_SECONDS" "${parallel[@]}" \
        -rss_limit_mb=2048 -max_len=65536 \
        -timeout=10 -artifact_prefix="$artifacts" -print_final_stats=1 >"$OUT/$t.log" 2>&1
    rc=$?
    set -e
    secs=$(( $(date +%s) - start ))
    # -jobs > 1 writes one fuzz-N.log per job in the working folder.
    if [[ "$JOBS" -gt 1 ]]; then cat fuzz-*.log >>"$OUT/$t.log" 2>/dev/null || true; rm -f fuzz-*.log; fi
    crashes=$(find "$artifacts" -type f | wc -l)
    for f in "$artifacts"*; do
        [[ -f "$f" ]] && cp "$f" "fuzz/regressions/$t/"
    done
    RUNS="$RUNS" COMMIT="$(git rev-parse --short HEAD)" python3 - "$t" "$OUT/$t.log" "$corpus" "$secs" "$rc" "$crashes" >"$OUT/$t.result.json" <<'PY'
import json, os, re, sys
t, log, corpus, secs, rc, crashes = sys.argv[1:7]
text = open(log, errors="replace").read()
execs = sum(int(x) for x in re.findall(r"stat::number_of_executed_units:\s*(\d+)", text))
cov = [int(x) for x in re.findall(r"\bcov: (\d+)", text)]
files = [f for f in os.listdir(corpus)] if os.path.isdir(corpus) else []
print(json.dumps({"target": t, "commit": os.environ.get("COMMIT", ""), "executions": execs,
                  "runs_asked": int(os.environ.get("RUNS", 0)), "seconds": int(secs), "exit": int(rc),
                  "crashes": int(crashes), "corpus_files": len(files),
                  "corpus_bytes": sum(os.path.getsize(os.path.join(corpus, f)) for f in files),
                  "coverage": max(cov) if cov else None}))
PY
    if [[ "$rc" -ne 0 || "$crashes" -ne 0 ]]; then
        log "$t FAILED (exit $rc, $crashes crash input(s) copied to fuzz/regressions/$t/); see $OUT/$t.log"
        status=1
    else
        log "$t: ok in ${secs}s"
    fi
done
for t in "${TARGETS[@]}"; do cat "$OUT/$t.result.json" >&2; done
exit "$status"
