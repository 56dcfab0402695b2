#!/usr/bin/env bash
# Fuzz targets, bounded: the stable replay (every seed, every saved regression input, bounded
# mutations of the seeds: `cargo test --manifest-path fuzz/Cargo.toml`), then a short
# coverage-guided run of every target (scripts/fuzz.sh with nightly + cargo-fuzz, which it
# installs). The long run is `scripts/fuzz.sh` alone (docs/RELIABILITY.md).
#
# Environment:
#   DRIFTLINE_FUZZ_RUNS      executions per target in CI (default 200000)
#   DRIFTLINE_FUZZ_SECONDS   time cap per target in CI (default 60)
#   DRIFTLINE_SKIP_FUZZ_RUN  1 = only the stable replay
set -euo pipefail
cd "$(dirname "$0")/../.."
log() { printf '\033[1;36m[30-fuzz]\033[0m %s\n' "$*" >&2; }

log "fmt and clippy of the fuzz crate (its own workspace)"
cargo fmt --manifest-path fuzz/Cargo.toml -- --check
cargo clippy --manifest-path fuzz/Cargo.toml --all-targets --locked -- -D warnings

log "stable replay of seeds, regressions and mutations"
cargo test --locked --manifest-path fuzz/Cargo.toml

if [[ "${DRIFTLINE_SKIP_FUZZ_RUN:-0}" == 1 ]]; then
    log "coverage-guided run skipped (DRIFTLINE_SKIP_FUZZ_RUN=1)"
    exit 0
fi
log "coverage-guided run, bounded"
FUZZ_MAX_SECONDS="${DRIFTLINE_FUZZ_SECONDS:-60}" bash scripts/fuzz.sh "${DRIFTLINE_FUZZ_RUNS:-200000}"
