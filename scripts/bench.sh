#!/usr/bin/env bash
# driftline's benchmark, one command: generates the workload (deterministic, cached under
# bench/data/, git-ignored), builds the release binaries, creates the peers' virtualenvs, runs
# driftline analyze, the naive floor (bench-floor), whylogs and Evidently on the same capture
# files, and writes bench/RESULTS.md (records/s, peak RSS, ratios, machine facts, commands).
#
# Environment:
#   BENCH_SIZES      record counts to run (default "1000000 10000000")
#   BENCH_PEERS_MAX  largest file the Python peers run on (default 1000000; see RESULTS.md)
#   BENCH_REPEAT     runs of each Rust program per file, best kept (default 2)
#   BENCH_SKIP_PEERS 1: driftline and the floor only
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DATA=$ROOT/bench/data
OUT=$ROOT/bench/out
mkdir -p "$DATA" "$OUT"
SIZES=${BENCH_SIZES:-"1000000 10000000"}
PEERS_MAX=${BENCH_PEERS_MAX:-1000000}
REPEAT=${BENCH_REPEAT:-2}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/driftline/target}
BIN=$CARGO_TARGET_DIR/release

log() { printf '\033[1;34m[bench]\033[0m %s\n' "$*" >&2; }

# --- tools ---------------------------------------------------------------------------------
# shellcheck source=lib/bench.sh
source "$ROOT/scripts/lib/bench.sh"
if [[ "${BENCH_SKIP_PEERS:-0}" != 1 ]]; then
    make_venv "$ROOT/.venv-whylogs" bench/requirements-whylogs.txt
    make_venv "$ROOT/.venv-evidently" bench/requirements-evidently.txt
fi

log "building release binaries"
cargo build --release -q -p driftline-cli -p driftline-bench

# --- data ------------------------------------------------------------------------------------
gen() { # file bench-gen-arguments... (the file is written last, complete or not at all)
    if [[ ! -s "$1" ]]; then
        log "generating $1"
        "$BIN/bench-gen" "${@:2}" "$1.tmp"
        mv "$1.tmp" "$1"
    fi
}
gen "$DATA/baseline.csv" baseline 100000 1
for n in $SIZES; do
    gen "$DATA/capture-$n.jsonl" capture "$n" 42 drift
done
"$BIN/driftline" baseline "$DATA/baseline.csv" -o "$DATA/baseline" 2>/dev/null

# --- measuring -------------------------------------------------------------------------------
RESULTS=$OUT/results.tsv
printf 'tool\trecords\twall_s\tuser_s\tsys_s\tmax_rss_kb\texit\tjob_s\tjob_cpu_s\n' >"$RESULTS"
measure() { # tool records command...
    local tool=$1 n=$2 tv="$OUT/time.txt" rc=0
    shift 2
    log "$tool on $n records: $*"
    /usr/bin/time -v -o "$tv" "$@" >"$OUT/$tool-$n.stdout" 2>"$OUT/$tool-$n.stderr" || rc=$?
    local wall user sys rss job cpu
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$tv")
    user=$(awk -F': ' '/User time/ {print $2}' "$tv")
    sys=$(awk -F': ' '/System time/ {print $2}' "$tv")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tv")
    # The Python peers print their own job time (after interpreter start and imports).
    job=$(sed -n 's/.*seconds \([0-9.]*\).*/\1/p' "$OUT/$tool-$n.stdout" | tail -1)
    cpu=$(sed -n 's/.* cpu \([0-9.]*\).*/\1/p' "$OUT/$tool-$n.stdout" | tail -1)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$n" "$wall" "$user" "$sys" "$rss" "$rc" "${job:-}" "${cpu:-}" >>"$RESULTS"
}
# The peers' numerical libraries run on one thread: idle worker threads spin, and on a busy
# 2-core machine that spinning would count as the peers' CPU time. One thread is the fair
# per-core comparison with the single-threaded Rust programs.
ONE_THREAD=(OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 NUMEXPR_MAX_THREADS=1)
for n in $SIZES; do
    f=$DATA/capture-$n.jsonl
    for _ in $(seq "$REPEAT"); do
        measure driftline "$n" "$BIN/driftline" analyze --threads 1 --no-progress --quiet \
            --baseline "$DATA/baseline" -o "$OUT/driftline-$n" "$f"
        measure floor "$n" "$BIN/bench-floor" "$f"
    done
    if [[ "${BENCH_SKIP_PEERS:-0}" != 1 && "$n" -le "$PEERS_MAX" ]]; then
        measure whylogs "$n" env "${ONE_THREAD[@]}" "$ROOT/.venv-whylogs/bin/python" bench/peers/whylogs_profile.py \
            "$f" "$OUT/whylogs-$n.bin"
        measure evidently "$n" env "${ONE_THREAD[@]}" "$ROOT/.venv-evidently/bin/python" bench/peers/evidently_drift.py \
            "$DATA/baseline.csv" "$f" "$OUT/evidently-$n.json"
    fi
done

# Where driftline's time goes (an extra run of the smallest file under perf, when available).
rm -f "$OUT/perf-split.md"
if command -v perf >/dev/null 2>&1; then
    n=$(echo "$SIZES" | tr ' ' '\n' | sort -n | head -1)
    log "perf profile of driftline on $n records"
    if perf record -q -o "$OUT/perf.data" "$BIN/driftline" analyze --threads 1 --no-progress --quiet \
        --baseline "$DATA/baseline" -o "$OUT/driftline-perf" "$DATA/capture-$n.jsonl" \
        >/dev/null 2>&1 || [[ $? == 1 ]]; then
        perf report -i "$OUT/perf.data" --no-children --sort symbol --stdio 2>/dev/null |
            python3 bench/perf_split.py >"$OUT/perf-split.md" || rm -f "$OUT/perf-split.md"
    fi
fi

python3 bench/report.py "$RESULTS" "$SIZES" "$PEERS_MAX" >bench/RESULTS.md
log "wrote bench/RESULTS.md"
cat bench/RESULTS.md
