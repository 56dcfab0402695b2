#!/usr/bin/env bash
# Detection power of the drift policy (issue 18; docs/drift-policy.md "Power on small
# windows"): power curves for mean shifts, variance changes, category-mix changes and
# missingness at n = 100, 200, 1,000 and 10,000, driftline's policy beside KS alone and the
# z-test limit, family-wise false alarms, and the sequential (CUSUM) test over days of 24
# windows. Fails if a published bound does not hold; writes the table into
# docs/drift-policy.md between <!-- power:begin --> and <!-- power:end -->.
#
#   scripts/bench-power.sh                    # POWER_WINDOWS=400 per cell: ~10 minutes on 2 cores
#   POWER_WINDOWS=100 POWER_DAYS=200 scripts/bench-power.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/driftline/target}"
export POWER_WINDOWS="${POWER_WINDOWS:-400}" POWER_DAYS="${POWER_DAYS:-1000}"
mkdir -p bench/out
out=bench/out/power.txt
cargo test --release -p driftline-stats --test power -- --ignored --nocapture --test-threads 1 \
    power_curves_bench | tee "$out"
python3 - "$out" docs/drift-policy.md <<'PYEOF'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"<!-- power:begin -->.*?<!-- power:end -->", text, re.S)
if not m:
    raise SystemExit("no power table in the bench output")
doc = open(sys.argv[2]).read()
if "<!-- power:begin -->" not in doc:
    raise SystemExit("docs/drift-policy.md has no <!-- power:begin --> marker")
doc = re.sub(r"<!-- power:begin -->.*?<!-- power:end -->", lambda _: m.group(0), doc, flags=re.S)
open(sys.argv[2], "w").write(doc)
print(f"wrote the power table into {sys.argv[2]}")
PYEOF
