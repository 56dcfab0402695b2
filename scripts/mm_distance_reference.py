#!/usr/bin/env python3
"""Reference values for driftline's Model Monitor distances (shared/stats/src/mm_distance.rs).

Independent of the Rust code: numeric L-infinity comes from scipy.stats.ks_2samp (unit weights)
or from numpy on the weighted CDFs; Robust is max(0, D - 1.8*sqrt((n+m)/(n*m))) (Deequ
Distance.scala selectMetrics); categorical L-infinity is max |p1 - p2|; chi-squared follows Deequ's
categoricalChiSquareTest / regroupCategories, and the statistic and p-value come from
scipy.stats.chisquare (Deequ returns 1 - CDF; the tests compare at a relative 1e-9).

Usage: .venv/bin/python scripts/mm_distance_reference.py [--out PATH]
Writes shared/stats/tests/data/mm/distance_reference.json (or PATH); scripts/ci/25-mm-reference.sh
regenerates it into a temporary file and checks it equals the committed one.
"""
import argparse
import json
import math
import os

import numpy as np
import scipy
from scipy import stats

C_ALPHA = 1.8


def robust(d, n, m):
    return max(0.0, d - C_ALPHA * math.sqrt((n + m) / (n * m)))


def weighted_linf(a, b):
    """a, b: lists of (value, weight). L-inf of the weighted CDFs at the union of values."""
    av = np.array([p[0] for p in a]); aw = np.array([p[1] for p in a], dtype=float)
    bv = np.array([p[0] for p in b]); bw = np.array([p[1] for p in b], dtype=float)
    keys = np.union1d(av, bv)
    fa = np.array([aw[av <= k].sum() for k in keys]) / aw.sum()
    fb = np.array([bw[bv <= k].sum() for k in keys]) / bw.sum()
    return float(np.max(np.abs(fa - fb))), float(aw.sum()), float(bw.sum())


def numeric_case(name, a, b, weighted=False):
    if weighted:
        d, n, m = weighted_linf(a, b)
    else:
        d = float(stats.ks_2samp(a, b).statistic)
        n, m = float(len(a)), float(len(b))
        a = [(x, 1.0) for x in a]
        b = [(x, 1.0) for x in b]
    return {"name": name, "baseline": a, "current": b, "linf_simple": d,
            "linf_robust": robust(d, n, m), "n": n, "m": m}


def regroup(sample, expected):
    while True:
        k = len(expected)
        if k < 2:
            return
        if k > 2:
            thr, max_below = 5.0, int(0.2 * k)
        else:
            thr, max_below = 10.0, 0
        below = sum(1 for v in expected.values() if v < thr)
        if below <= max_below:
            return
        kmin = min(sorted(expected), key=lambda key: expected[key])
        vmin = expected.pop(kmin)
        smin = sample.pop(kmin, 0.0)
        k2 = min(sorted(expected), key=lambda key: expected[key])
        expected[k2] += vmin
        sample[k2] = sample.get(k2, 0.0) + smin


def chi_case(name, base, cur):
    sample_sum = float(sum(c for k, c in cur.items() if k in base))
    exp_sum = float(sum(base.values()))
    expected = {k: c / exp_sum * sample_sum for k, c in base.items()}
    sample = {k: float(c) for k, c in cur.items()}
    regroup(sample, expected)
    out = {"name": name, "baseline": base, "current": cur}
    if len(sample) < 2:
        out.update(statistic=None, p_value=None, dof=0)
    else:
        keys = sorted(expected)
        obs = np.array([sample.get(k, 0.0) for k in keys])
        exp = np.array([expected[k] for k in keys])
        r = stats.chisquare(obs, exp * obs.sum() / exp.sum())
        out.update(statistic=float(r.statistic), p_value=float(r.pvalue), dof=len(keys) - 1)
    n = float(sum(base.values())); m = float(sum(cur.values()))
    keys = set(base) | set(cur)
    d = max(abs(base.get(k, 0) / n - cur.get(k, 0) / m) for k in keys)
    out.update(linf_simple=d, linf_robust=robust(d, n, m), n=n, m=m)
    return out


def main():
    rng = np.random.default_rng(20261125)
    normal_a = [float(x) for x in np.round(rng.normal(0.0, 1.0, 37), 6)]
    normal_b = [float(x) for x in np.round(rng.normal(0.5, 1.0, 53), 6)]
    big_a = [float(x) for x in np.round(rng.normal(0.0, 1.0, 2000), 3)]
    big_b = [float(x) for x in np.round(rng.normal(0.2, 1.0, 3001), 3)]
    numeric = [
        numeric_case("shifted_small", [1, 2, 3, 4, 5], [3, 4, 5, 6, 7, 8]),
        numeric_case("ties", [1, 1, 2, 2, 2, 3], [2, 2, 3, 3, 3, 3, 4]),
        numeric_case("identical", [1, 2, 3], [1, 2, 3]),
        numeric_case("disjoint", [1, 2], [10, 11, 12]),
        numeric_case("normal_37_53_coprime", normal_a, normal_b),
        numeric_case("normal_2000_3001_rounded_ties", big_a, big_b),
        numeric_case("weighted_levels",
                     [(1.0, 1.0), (5.0, 1.0), (3.0, 1.0), (2.0, 2.0), (4.0, 2.0)],
                     [(2.5, 1.0), (3.5, 1.0), (4.5, 1.0)], weighted=True),
        numeric_case("weighted_repeated_values",
                     [(3.0, 1.0), (3.0, 2.0), (1.0, 1.0), (1.0, 4.0)],
                     [(1.0, 1.0), (3.0, 1.0), (3.0, 1.0)], weighted=True),
    ]
    categorical = [
        chi_case("three_no_regroup", {"a": 50, "b": 30, "c": 20}, {"a": 40, "b": 35, "c": 25}),
        chi_case("yates_regroup", {"a": 100, "b": 3, "c": 2, "d": 95}, {"a": 90, "b": 5, "c": 1, "d": 104}),
        chi_case("cochran_two_to_one", {"x": 95, "y": 5}, {"x": 80, "y": 20}),
        chi_case("cochran_two_ok", {"x": 60, "y": 40}, {"x": 45, "y": 55}),
        chi_case("unseen_category", {"a": 60, "b": 40}, {"a": 30, "b": 30, "z": 40}),
        chi_case("six_one_small_allowed", {"a": 30, "b": 25, "c": 20, "d": 15, "e": 8, "f": 2},
                 {"a": 28, "b": 20, "c": 25, "d": 14, "e": 10, "f": 3}),
    ]
    out = {"generator": "scripts/mm_distance_reference.py", "scipy": scipy.__version__,
           "numpy": np.__version__, "c_alpha": C_ALPHA, "numeric": numeric,
           "categorical": categorical}
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(here, "..", "shared", "stats", "tests", "data", "mm", "distance_reference.json")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=default)
    path = parser.parse_args().out
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", os.path.normpath(path))


if __name__ == "__main__":
    main()
