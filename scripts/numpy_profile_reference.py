#!/usr/bin/env python3
"""Generate shared/stats/tests/data/numpy_profile_reference.json: reference values for
driftline's per-feature profile statistics (sum, mean, population std, min, max, exact
quantiles), computed with numpy (version recorded in the file).

Run with the project's virtualenv (numpy 2.3.5):

    /work/main/.venv/bin/python scripts/numpy_profile_reference.py [OUTPUT]

Deterministic: inputs come from numpy.random.default_rng with fixed seeds and are stored in the
JSON (the Rust test reads them back). scripts/ci/16-numpy-profile-reference.sh regenerates the
file and checks that it matches the committed one.

Definitions:
  * sum: math.fsum (exactly rounded), mean = fsum / n, std = np.std(ddof=0) (population);
  * quantile(q): np.quantile(x, q, method='inverted_cdf') (smallest x with ECDF(x) >= q).
"""
import json
import math
import sys

import numpy as np

QS = [0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0]


def case(name, x):
    x = np.asarray(x, dtype=np.float64)
    return {
        "name": name,
        "values": [float(v) for v in x],
        "n": int(x.size),
        "sum": math.fsum(x.tolist()),
        "mean": math.fsum(x.tolist()) / x.size,
        "std": float(np.std(x, ddof=0)),
        "min": float(np.min(x)),
        "max": float(np.max(x)),
        "qs": QS,
        "quantiles": [float(np.quantile(x, q, method="inverted_cdf")) for q in QS],
    }


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "shared/stats/tests/data/numpy_profile_reference.json"
    rng = np.random.default_rng(20261125)
    cases = [
        case("single", [3.25]),
        case("two", [1.0, -1.0]),
        case("constant", np.full(500, 7.5)),
        case("normal_1000", np.round(rng.normal(0.0, 1.0, 1000), 6)),
        case("integers_ties_3000", rng.integers(0, 20, 3000)),
        case("lognormal_10000", np.round(rng.lognormal(3.0, 1.0, 10000), 4)),
        case("offset_large_2000", 1e9 + np.round(rng.normal(0.0, 1.0, 2000), 3)),
        case("sorted_uniform_20000", np.sort(np.round(rng.uniform(-100, 100, 20000), 3))),
    ]
    doc = {"numpy": np.__version__, "cases": cases}
    with open(out, "w") as f:
        json.dump(doc, f, indent=0)
        f.write("\n")


if __name__ == "__main__":
    main()
