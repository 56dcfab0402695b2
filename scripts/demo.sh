#!/usr/bin/env bash
# driftline's main job (grows with the project): builds the baseline of the bundled churn sample
# and prints its statistics and suggested constraints.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/driftline/target}"
echo "not yet implemented" >&2
exit 1
