#!/usr/bin/env bash
# A bounded load test (the full one is scripts/load-test.sh: 2,000 files over 48 hours): 240
# files of 3 endpoints over 12 hours, 8 concurrent handler instances against moto, 10 % of the
# deliveries repeated, hourly and daily windows: no record lost or doubled, every report there.
set -euo pipefail
cd "$(dirname "$0")/../.."
export DRIFTLINE_VENV="${DRIFTLINE_VENV:-$PWD/.venv}"
cargo run --locked -q -p analyze-capture --example load -- --files 240 --hours 12 \
    --endpoints 3 --concurrency 8 --duplicates 10 --windows hour,day
