#!/usr/bin/env bash
# Unit, property, scipy-parity and moto integration tests (the moto tests start their own
# moto_server from .venv on a free 127.0.0.1 port and stop it).
set -euo pipefail
cd "$(dirname "$0")/../.."
export DRIFTLINE_VENV="${DRIFTLINE_VENV:-$PWD/.venv}"
cargo test --workspace --locked
