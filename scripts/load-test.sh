#!/usr/bin/env bash
# Load test of analyze-capture (issue 16; figures in docs/RELIABILITY.md): capture files of 3
# endpoints over 48 hours delivered by 8 concurrent handler instances with the real S3 adapter
# against a moto_server (started and stopped by the example), 10 % of deliveries repeated; every
# window (and, with day windows, every day) must count each record exactly once.
#
#   scripts/load-test.sh [FILES] [extra example arguments…]   # default 2000 files
# Writes bench/out/load.json; `python3 scripts/reliability_report.py` tables it.
set -euo pipefail
cd "$(dirname "$0")/.."
export DRIFTLINE_VENV="${DRIFTLINE_VENV:-$PWD/.venv}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/driftline/target}"
FILES="${1:-2000}"
shift || true
mkdir -p bench/out
cargo run --locked -q -p analyze-capture --example load -- --files "$FILES" --hours 48 \
    --endpoints 3 --concurrency 8 --duplicates 10 --windows hour,day "$@" | tee bench/out/load.json
