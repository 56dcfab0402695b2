#!/usr/bin/env bash
# The model-quality join's benchmark, one command: a day of QUALITY_N predictions (driftline's
# stored form) and their QUALITY_N shuffled ground-truth labels (bench/quality/gen.py,
# deterministic, cached under bench/data/), joined by driftline's engine (bench-quality-join:
# evaluate-quality's join without S3, every hour's metrics computed) and by the naive peer
# (bench/peers/quality_naive.py: pandas merge + scikit-learn metrics), side by side in one run.
# Then the confidence-based estimate against the realized metrics on generated covariate shift
# and concept drift (bench-quality-estimate). Writes bench/QUALITY-RESULTS.md; fails if the two
# joins disagree on the day's accuracy or AUC.
#
# Environment:
#   QUALITY_N        predictions and labels (default 1000000)
#   QUALITY_REPEAT   runs of driftline, best kept (default 3)
#   QUALITY_ESTIMATE_WINDOWS  windows per scenario and size for the estimate's error (default 50)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DATA=$ROOT/bench/data
OUT=$ROOT/bench/out/quality
mkdir -p "$DATA" "$OUT"
N=${QUALITY_N:-1000000}
REPEAT=${QUALITY_REPEAT:-3}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/driftline/target}
BIN=$CARGO_TARGET_DIR/release

log() { printf '\033[1;34m[bench-quality]\033[0m %s\n' "$*" >&2; }

# shellcheck source=lib/bench.sh
source "$ROOT/scripts/lib/bench.sh"
VENV=$ROOT/.venv-quality
make_venv "$VENV" bench/requirements-quality.txt

log "building bench-quality-join and bench-quality-estimate (release)"
cargo build --release -q -p driftline-bench --bin bench-quality-join --bin bench-quality-estimate

PREDS=$DATA/q-preds-$N.jsonl
LABELS=$DATA/q-labels-$N.jsonl
if [[ ! -s "$PREDS" || ! -s "$LABELS" ]]; then
    log "generating $N predictions and labels"
    python3 bench/quality/gen.py "$N" "$PREDS.tmp" "$LABELS.tmp"
    mv "$PREDS.tmp" "$PREDS"
    mv "$LABELS.tmp" "$LABELS"
fi

RESULTS=$OUT/results.tsv
printf 'tool\twall_s\tuser_s\tsys_s\tmax_rss_kb\texit\tstdout\n' >"$RESULTS"
measure() { # tool command...
    local tool=$1 tv="$OUT/time.txt" rc=0 run=$OUT/$1.$RANDOM.stdout
    shift
    log "$tool: $*"
    /usr/bin/time -v -o "$tv" "$@" >"$run" 2>"$OUT/$tool.stderr" || rc=$?
    local wall user sys rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$tv")
    user=$(awk -F': ' '/User time/ {print $2}' "$tv")
    sys=$(awk -F': ' '/System time/ {print $2}' "$tv")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tv")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$wall" "$user" "$sys" "$rss" "$rc" "$run" >>"$RESULTS"
}
for _ in $(seq "$REPEAT"); do
    measure driftline "$BIN/bench-quality-join" "$PREDS" "$LABELS"
done
# One thread for the peer's numerical libraries: the per-core comparison (see scripts/bench.sh).
measure naive env OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
    "$VENV/bin/python" bench/peers/quality_naive.py "$PREDS" "$LABELS"

log "estimate vs realized on generated shifts"
"$BIN/bench-quality-estimate" "${QUALITY_ESTIMATE_WINDOWS:-50}" >"$OUT/estimate.jsonl"

python3 bench/quality/report.py "$RESULTS" "$N" "$OUT/estimate.jsonl" >bench/QUALITY-RESULTS.md
log "wrote bench/QUALITY-RESULTS.md"
cat bench/QUALITY-RESULTS.md
