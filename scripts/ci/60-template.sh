#!/usr/bin/env bash
# Template checks: sam validate --lint, cfn-lint, checkov (every skip justified in template.yaml),
# the IAM least-privilege test (and its own self-test), then `sam build` offline with cargo-lambda.
#
# Environment:
#   DRIFTLINE_VENV            virtualenv with sam, cfn-lint, cargo-lambda (default ./.venv)
#   DRIFTLINE_CHECKOV_VENV    virtualenv with checkov (default: DRIFTLINE_VENV + "-checkov")
#   DRIFTLINE_SAM_DIR         fixed build folder outside the clone, reused between runs so that
#                             repeated runs only relink (default $HOME/.cache/driftline/t-sam)
#   DRIFTLINE_SKIP_SAM_BUILD  1 = skip the (release, arm64) build
#   DRIFTLINE_SKIP_CHECKOV    1 = skip checkov (as scripts/setup.sh does)
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
VENV="${DRIFTLINE_VENV:-$REPO/.venv}"
CHECKOV_VENV="${DRIFTLINE_CHECKOV_VENV:-$VENV-checkov}"
SAM_DIR="${DRIFTLINE_SAM_DIR:-$HOME/.cache/driftline/t-sam}"
export SAM_CLI_TELEMETRY=0

step() { printf '\033[1;36m[60-template]\033[0m %s\n' "$*" >&2; }

step "sam validate --lint"
"$VENV/bin/sam" validate --lint --region us-east-1 --template-file template.yaml

step "cfn-lint"
"$VENV/bin/cfn-lint" template.yaml

if [[ "${DRIFTLINE_SKIP_CHECKOV:-0}" == 1 ]]; then
    step "checkov skipped (DRIFTLINE_SKIP_CHECKOV=1)"
else
    step "checkov (skips: Metadata.checkov.skip in template.yaml, each with a comment)"
    "$CHECKOV_VENV/bin/checkov" --config-file .checkov.yaml -f template.yaml
fi

step "IAM policy test"
"$VENV/bin/python" -m unittest discover -s tests/template -p 'test_*.py' -v

if [[ "${DRIFTLINE_SKIP_SAM_BUILD:-0}" == 1 ]]; then
    step "sam build skipped (DRIFTLINE_SKIP_SAM_BUILD=1)"
    exit 0
fi

# sam build runs `cargo lambda build --release --arm64 --bin NAME` in each function's folder.
# aws-lambda-builders leaves an explicit CARGO_TARGET_DIR alone (otherwise it uses the
# workspace's target/), and looks for the binary under $CARGO_TARGET_DIR/lambda/NAME/bootstrap
# (via `cargo metadata`, which honours the variable too). A fixed folder outside the clone keeps
# the compiled dependencies between runs; test.sh's own CARGO_TARGET_DIR (debug, host) is not
# shared because cargo-lambda builds with other flags and would invalidate it.
step "sam build (CARGO_TARGET_DIR=$SAM_DIR/target, build dir $SAM_DIR/build)"
mkdir -p "$SAM_DIR"
start=$(date +%s)
PATH="$VENV/bin:$PATH" CARGO_TARGET_DIR="$SAM_DIR/target" \
    "$VENV/bin/sam" build --template-file template.yaml --build-dir "$SAM_DIR/build"
step "sam build took $(($(date +%s) - start)) s"

"$VENV/bin/python" tests/template/check_build.py "$SAM_DIR/build"
