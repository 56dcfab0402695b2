#!/usr/bin/env bash
# Shared by the benchmark scripts (scripts/bench.sh, scripts/bench-quality.sh): GNU time for
# peak RSS, and the peers' virtualenvs, each rebuilt when its requirements file changes.
# Source it after defining log().
# shellcheck shell=bash

if [[ ! -x /usr/bin/time ]]; then
    log "installing GNU time"
    apt-get update -qq && apt-get install -y -qq time >/dev/null
fi

# make_venv DIR REQUIREMENTS-FILE: DIR/bin/python with exactly those requirements.
make_venv() {
    local dir=$1 req=$2 stamp="$1/.driftline-req.sha" want
    want=$(sha256sum "$req" | cut -d' ' -f1)
    if [[ -x "$dir/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
        return 0
    fi
    log "creating $dir from $req"
    python3 -m venv "$dir"
    "$dir/bin/python" -m pip install --quiet --upgrade pip
    "$dir/bin/python" -m pip install --quiet -r "$req"
    echo "$want" >"$stamp"
}
