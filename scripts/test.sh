#!/usr/bin/env bash
# driftline's whole test suite, from a fresh machine with only cargo and python3:
#   ./scripts/test.sh
# Installs what it needs (scripts/setup.sh), checks formatting and lints, then runs every stage
# in scripts/ci/ in name order (unit, property, parity, fuzz replay and a bounded fuzz run,
# integration against moto, Lambda runtime API, template checks, end-to-end loop, browser
# test). Each stage starts and stops what it uses.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/driftline/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

stage() { printf '\n\033[1;35m==> %s\033[0m\n' "$*" >&2; }

stage "file modes (the README's commands are executable in git)"
python3 scripts/check_modes.py --self-test
python3 scripts/check_modes.py

stage "docs/SCALE.md is the model of the committed benchmark figures"
python3 scripts/scale_model.py --check

stage "setup"
bash scripts/setup.sh

stage "cargo fmt --check"
cargo fmt --all -- --check

stage "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

for s in scripts/ci/*.sh; do
    [[ -e "$s" ]] || continue
    stage "$(basename "$s")"
    bash "$s"
done
stage "all stages passed"
