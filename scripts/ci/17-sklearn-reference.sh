#!/usr/bin/env bash
# The scikit-learn parity data of the model-quality metrics must provably come from
# scripts/sklearn_quality_reference.py: regenerate it into a temporary file and compare it
# (numerically, 1e-12 relative) with the committed JSON.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV="${DRIFTLINE_VENV:-$PWD/.venv}"
PY="$VENV/bin/python"
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
"$PY" scripts/sklearn_quality_reference.py "$tmp"
"$PY" - "$tmp" shared/stats/tests/data/sklearn_quality_reference.json <<'PYEOF'
import json, math, sys

def cmp(a, b, path):
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            raise SystemExit(f"{path}: keys differ: {sorted(set(a) ^ set(b))}")
        for k in a:
            cmp(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            raise SystemExit(f"{path}: length {len(a)} != {len(b)}")
        for i, (x, y) in enumerate(zip(a, b)):
            cmp(x, y, f"{path}[{i}]")
    elif isinstance(a, bool) or isinstance(b, bool) or isinstance(a, str) or a is None or b is None:
        if a != b:
            raise SystemExit(f"{path}: {a!r} != {b!r}")
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if not (a == b or (math.isnan(a) and math.isnan(b))
                or abs(a - b) <= 1e-12 * max(abs(a), abs(b))):
            raise SystemExit(f"{path}: {a!r} != {b!r}")
    else:
        raise SystemExit(f"{path}: type mismatch {type(a).__name__} vs {type(b).__name__}")

fresh, committed = (json.load(open(p)) for p in sys.argv[1:3])
cmp(fresh, committed, "$")
print("sklearn_quality_reference.json matches scripts/sklearn_quality_reference.py "
      f"(scikit-learn {fresh['sklearn_version']}, numpy {fresh['numpy_version']})")
PYEOF
