#!/usr/bin/env bash
# The numpy reference values of the profile statistics must provably come from
# scripts/numpy_profile_reference.py: regenerate them into a temporary file and compare
# (byte for byte: the script is deterministic for a pinned numpy).
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV="${DRIFTLINE_VENV:-$PWD/.venv}"
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
"$VENV/bin/python" scripts/numpy_profile_reference.py "$tmp"
if ! cmp -s "$tmp" shared/stats/tests/data/numpy_profile_reference.json; then
    echo "numpy_profile_reference.json differs from scripts/numpy_profile_reference.py output" >&2
    exit 1
fi
echo "numpy_profile_reference.json matches scripts/numpy_profile_reference.py"
