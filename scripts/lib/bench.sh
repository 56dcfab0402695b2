#!/usr/bin/env bash
# Shared by the benchmark scripts (scripts/bench.sh, scripts/bench-quality.sh): GNU time for
# peak RSS, and the peers' virtualenvs, each rebuilt when its requirements file changes.
# Source it after defining log().
# shellcheck shell=bash

if [[ ! -x /usr/bin/time ]]; then
    log "installing GNU time"
    apt-get update -qq && apt-get install -y -qq time >/dev/null
fi

# shellcheck source=venv.sh
source "$ROOT/scripts/lib/venv.sh"
