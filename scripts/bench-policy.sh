#!/usr/bin/env bash
# The drift policy's measured rates (docs/drift-policy.md): release build, POLICY_WINDOWS
# healthy and as many shifted windows (default 2000) per configuration. Prints the rates with
# 95 % Clopper-Pearson intervals and fails if a published bound does not hold.
#
#   scripts/bench-policy.sh              # about 10 minutes on 2 cores
#   POLICY_WINDOWS=300 scripts/bench-policy.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/driftline/target}"
export POLICY_WINDOWS="${POLICY_WINDOWS:-2000}"
exec cargo test --release -p driftline-stats --test policy_rates -- --ignored --nocapture --test-threads 1
