#!/usr/bin/env bash
# driftline's whole loop on this machine, in one command:
#   ./scripts/demo.sh            # tells the story
#   ./scripts/demo.sh --check    # the same run as an end-to-end test (scripts/ci/80-e2e.sh)
#
# Sets up what it needs (scripts/setup.sh: the .venv with moto and cargo-lambda), builds the three
# functions and the `driftline` CLI in release mode (cached in $CARGO_TARGET_DIR), then runs
# tests/e2e/loop.py: moto on 127.0.0.1 stands in for S3, SNS, SQS and SageMaker, `cargo lambda
# watch` runs the functions behind the real Lambda runtime API, and the script plays CloudWatch.
# A baseline from the bundled training data, six hours of Data Capture files (three healthy,
# three drifted), the alarms of template.yaml, the e-mails as received, the retraining decision
# and the pipeline execution. Everything it starts is stopped when it ends, also on failure.
#
# DRIFTLINE_E2E_PROFILE=debug uses a debug build instead (faster to build, slower to run).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/driftline/target}"
VENV="${DRIFTLINE_VENV:-$ROOT/.venv}"
PROFILE="${DRIFTLINE_E2E_PROFILE:-release}"

log() { printf '\033[1;34m[demo]\033[0m %s\n' "$*" >&2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/driftline-demo.XXXXXX")
LOOP_PID=
cleanup() {
    local rc=$? pid
    # loop.py stops what it started when it ends or gets SIGTERM; the process groups it
    # recorded are the safety net in case it was killed outright.
    if [[ -n "$LOOP_PID" ]] && kill -0 "$LOOP_PID" 2>/dev/null; then
        kill -TERM "$LOOP_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$LOOP_PID" 2>/dev/null || break; sleep 0.1; done
    fi
    if [[ -f "$WORK/pids" ]]; then
        while read -r pid; do
            kill -TERM -- "-$pid" 2>/dev/null || true
        done <"$WORK/pids"
        sleep 0.5
        while read -r pid; do
            kill -KILL -- "-$pid" 2>/dev/null || true
        done <"$WORK/pids"
    fi
    if [[ $rc -ne 0 && -d "$WORK" ]]; then
        local keep="${TMPDIR:-/tmp}/driftline-demo-failed"
        rm -rf "$keep" && cp -r "$WORK" "$keep" 2>/dev/null || true
        log "failed (exit $rc); logs and events kept in $keep"
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

if [[ "${DRIFTLINE_SKIP_SETUP:-0}" != 1 ]]; then
    log "setting up (scripts/setup.sh)"
    DRIFTLINE_SKIP_CHECKOV=1 bash scripts/setup.sh
fi
[[ -x "$VENV/bin/moto_server" && -x "$VENV/bin/cargo-lambda" ]] \
    || { log "no moto_server / cargo-lambda in $VENV: run scripts/setup.sh"; exit 1; }

FLAGS=()
[[ "$PROFILE" == release ]] && FLAGS+=(--release)
log "building analyze-capture, notify-alarm, start-retraining and driftline ($PROFILE, $CARGO_TARGET_DIR)"
# `--bin` (not `-p`): the package selection of the `cargo run --bin NAME` that `cargo lambda
# watch` runs (workspace-wide feature unification), so that watch finds the binaries built.
cargo build --locked "${FLAGS[@]}" --bin analyze-capture --bin notify-alarm --bin start-retraining \
    --bin evaluate-quality \
    --bin driftline

ARGS=(--work "$WORK" --venv "$VENV" --target-dir "$CARGO_TARGET_DIR")
[[ "$PROFILE" == release ]] || ARGS+=(--debug)
# In the background and waited for, so that a signal reaches the trap at once.
"$VENV/bin/python" tests/e2e/loop.py "${ARGS[@]}" "$@" &
LOOP_PID=$!
wait "$LOOP_PID"
