#!/usr/bin/env bash
# Sets up everything driftline's tests and local runs need, on a machine that has only cargo and
# python3: the Python virtualenvs (moto, cargo-lambda, SAM CLI, cfn-lint, scipy; checkov apart),
# the Rust components and the arm64 target. Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }

# shellcheck source=lib/venv.sh
source "$ROOT/scripts/lib/venv.sh"

make_venv "$ROOT/.venv" scripts/requirements.txt
if [[ "${DRIFTLINE_SKIP_CHECKOV:-0}" != 1 ]]; then
    make_venv "$ROOT/.venv-checkov" scripts/requirements-checkov.txt
fi

if command -v rustup >/dev/null 2>&1; then
    rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
    rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
    rustup target list --installed 2>/dev/null | grep -q '^aarch64-unknown-linux-gnu' \
        || rustup target add aarch64-unknown-linux-gnu
fi
log "ready: $ROOT/.venv"
