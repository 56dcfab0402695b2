#!/usr/bin/env bash
# Shared shell harness for the test stages that run servers: moto_server and `cargo lambda watch`.
# Source it after setting ROOT (the repo) and TAG (a log prefix). Everything started binds to
# 127.0.0.1, runs in its own process group, and is stopped by the EXIT trap installed here.
# shellcheck shell=bash

VENV="${DRIFTLINE_VENV:-$ROOT/.venv}"
export PATH="$VENV/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/driftline/target}"
WORK=$(mktemp -d)
PIDS=()

log() { printf '\033[1;36m[%s]\033[0m %s\n' "$TAG" "$*" >&2; }
fail() { printf '\033[1;31m[%s] FAIL:\033[0m %s\n' "$TAG" "$*" >&2; exit 1; }

harness_cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL -- "-$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap harness_cleanup EXIT INT TERM

free_port() {
    "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_http() { # url seconds
    local i
    for i in $(seq 1 $(($2 * 10))); do
        if "$VENV/bin/python" -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=1)" "$1" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

wait_port() { # port seconds
    local i
    for i in $(seq 1 $(($2 * 5))); do
        "$VENV/bin/python" -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)" "$1" 2>/dev/null && return 0
        sleep 0.2
    done
    return 1
}

# start_moto: sets MOTO (the endpoint URL) and the AWS_* variables for clients and functions.
start_moto() {
    [[ -x "$VENV/bin/moto_server" ]] || fail "run scripts/setup.sh first ($VENV)"
    local port
    port=$(free_port)
    setsid "$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$WORK/moto.log" 2>&1 &
    PIDS+=($!)
    MOTO="http://127.0.0.1:$port"
    wait_http "$MOTO/moto-api/" 30 || { cat "$WORK/moto.log" >&2; fail "moto_server did not start"; }
    export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
    export AWS_ENDPOINT_URL="$MOTO"
    log "moto on $MOTO"
}

# start_watch ENV_VARS [extra cargo-lambda flags…]: the Lambda runtime API emulator; sets LAMBDA_PORT.
start_watch() {
    [[ -x "$VENV/bin/cargo-lambda" ]] || fail "run scripts/setup.sh first ($VENV)"
    local envs=$1
    shift
    LAMBDA_PORT=$(free_port)
    setsid cargo lambda watch --invoke-address 127.0.0.1 --invoke-port "$LAMBDA_PORT" \
        --ignore-changes --env-vars "$envs" "$@" >"$WORK/watch.log" 2>&1 &
    PIDS+=($!)
    wait_port "$LAMBDA_PORT" 120 || { cat "$WORK/watch.log" >&2; fail "cargo lambda watch did not start"; }
    log "cargo lambda watch on 127.0.0.1:$LAMBDA_PORT"
}

# invoke FUNCTION PAYLOAD_FILE: prints the response JSON.
invoke() {
    cargo lambda invoke "$1" --invoke-address 127.0.0.1 --invoke-port "$LAMBDA_PORT" \
        --data-file "$2" --output-format json 2>"$WORK/invoke.err" \
        || { cat "$WORK/invoke.err" "$WORK/watch.log" >&2; fail "invoke $1 failed"; }
}
