#!/usr/bin/env bash
# make_venv DIR REQUIREMENTS-FILE: DIR/bin/python with exactly those requirements, rebuilt when
# the file changes (its hash is kept in DIR/.driftline-req.sha). Source it after defining log().
# Used by scripts/setup.sh and the benchmark scripts.
# shellcheck shell=bash

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
