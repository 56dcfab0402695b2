#!/usr/bin/env bash
# Browser test of the HTML reports (issue 7): headless Debian Chromium renders a report built from
# a drifted sample (and a model-quality report) and tests/browser/check_report.py checks each
# over the DevTools protocol: no
# console errors or exceptions, no network request, an SVG with drawn bars (and a trend line) for
# every feature, no sideways scrolling at phone width, a PDF from print. A self-test first runs
# the same check on a deliberately broken page and requires it to fail with every kind of problem.
#
#   scripts/ci/70-browser.sh                 # the test; artifacts in $CARGO_TARGET_DIR/browser
#   scripts/ci/70-browser.sh --update-docs   # also copy the screenshot to docs/report-screenshot.png
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/driftline/target}"
VENV="${DRIFTLINE_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
OUT="${DRIFTLINE_BROWSER_OUT:-$CARGO_TARGET_DIR/browser}"
CHECK="$ROOT/tests/browser/check_report.py"

log() { printf '\033[1;36m[browser]\033[0m %s\n' "$*" >&2; }
fail() { printf '\033[1;31m[browser] FAIL:\033[0m %s\n' "$*" >&2; exit 1; }

if ! command -v chromium >/dev/null 2>&1; then
    log "installing Debian's chromium"
    [[ $(id -u) == 0 ]] || fail "chromium is missing and we are not root: apt-get install chromium"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
CHROMIUM=$(command -v chromium)
log "$("$CHROMIUM" --version 2>/dev/null | head -1)"
"$PY" -c 'import websocket' 2>/dev/null \
    || fail "websocket-client is missing in $VENV: run scripts/setup.sh"

rm -rf "$OUT"
mkdir -p "$OUT/broken"

# 1. Self-test: the check must fail on a broken page, naming every kind of problem.
cp tests/browser/broken/report.html tests/browser/broken/expected.json "$OUT/broken/"
set +e
"$PY" "$CHECK" "$OUT/broken/report.html" "$OUT/broken/expected.json" \
    --chromium "$CHROMIUM" >"$OUT/broken/problems.txt" 2>&1
rc=$?
set -e
cat "$OUT/broken/problems.txt" >&2
[[ $rc == 1 ]] || fail "self-test: the check exited $rc on the broken page, expected 1"
for want in "console: console.error" "console: uncaught exception" "network: the page requested" \
    "feature 'empty': chart SVG is empty" "feature 'flat': chart SVG draws no bar" \
    "feature 'flat': no rendered trend line" "no section for feature 'missing'" "layout: " \
    "dom: no element '#roc svg'"; do
    grep -qF "$want" "$OUT/broken/problems.txt" || fail "self-test: the check missed: $want"
done
log "self-test passed: the check fails on the broken page"

# 2. The real report, from a drifted sample (real SageMaker baseline + shifted copy).
cargo run -q --locked -p driftline-report --example drifted_report -- "$OUT" >/dev/null
"$PY" "$CHECK" "$OUT/report.html" "$OUT/expected.json" --chromium "$CHROMIUM" \
    --screenshot "$OUT/report-screenshot.png" --phone-screenshot "$OUT/report-phone.png" \
    --pdf "$OUT/report.pdf" --screenshot-until '#feature-1' || fail "the drifted report did not pass the browser check"
[[ -s "$OUT/report-screenshot.png" ]] || fail "no screenshot"
log "report, screenshots and PDF in $OUT"

# 3. The model-quality report: metrics, the estimate beside the realized figures, the confusion
#    matrix and a drawn ROC curve.
cargo run -q --locked -p driftline-report --example quality_report -- "$OUT" >/dev/null
"$PY" "$CHECK" "$OUT/quality-report.html" "$OUT/quality-expected.json" --chromium "$CHROMIUM" \
    --screenshot "$OUT/quality-screenshot.png" --pdf "$OUT/quality-report.pdf" \
    || fail "the model-quality report did not pass the browser check"
log "model-quality report checked"

if [[ "${1:-}" == "--update-docs" ]]; then
    cp "$OUT/report-screenshot.png" docs/report-screenshot.png
    log "updated docs/report-screenshot.png"
fi
echo "browser: 2 passed, 0 failed"
