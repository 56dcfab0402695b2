#!/usr/bin/env bash
# End-to-end: the README's main command (scripts/demo.sh) in checking mode. Asserts on what the
# whole loop produced: healthy hours stay quiet, drifted hours are named, the drift e-mail in the
# SQS inbox names the endpoint, the drifted features and the report URI, and exactly one pipeline
# execution starts although the drift-confirmed alarm is delivered twice. Exits non-zero with the
# failed checks listed otherwise. Everything it starts binds to 127.0.0.1 and is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
# scripts/test.sh has already run scripts/setup.sh. The test runs the debug build that the
# earlier stages compiled (the same code; the README's demo builds release), which keeps the
# test command well inside CI's time limit; DRIFTLINE_E2E_PROFILE=release tests the release build.
export DRIFTLINE_E2E_PROFILE="${DRIFTLINE_E2E_PROFILE:-debug}"
DRIFTLINE_SKIP_SETUP="${DRIFTLINE_SKIP_SETUP:-1}" exec bash scripts/demo.sh --check
