#!/usr/bin/env bash
# The Model Monitor distance reference values (shared/stats/tests/data/mm/distance_reference.json,
# read by shared/stats/tests/mm_distance.rs) must be exactly what scripts/mm_distance_reference.py
# computes with the pinned scipy/numpy: regenerate into a temporary file and compare.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV="${DRIFTLINE_VENV:-$PWD/.venv}"
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
"$VENV/bin/python" scripts/mm_distance_reference.py --out "$tmp"
if cmp -s "$tmp" shared/stats/tests/data/mm/distance_reference.json; then
    echo "1 passed, 0 failed: mm distance reference values reproduce"
else
    echo "0 passed, 1 failed: distance_reference.json differs from scripts/mm_distance_reference.py output" >&2
    diff <(head -c 2000 "$tmp") <(head -c 2000 shared/stats/tests/data/mm/distance_reference.json) >&2 || true
    exit 1
fi
