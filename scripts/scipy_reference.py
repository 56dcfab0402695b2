#!/usr/bin/env python3
"""Generate shared/stats/tests/data/scipy_reference.json: reference values for driftline's drift
statistics, computed with scipy / numpy (versions recorded in the file).

Run with the project's virtualenv (scipy 1.16.3, numpy 2.3.5):

    /work/main/.venv/bin/python scripts/scipy_reference.py [OUTPUT]

Deterministic: every random input comes from numpy.random.default_rng with a fixed seed, and the
inputs themselves are stored in the JSON (Rust reads them back; it does not regenerate them).
scripts/ci/15-scipy-reference.sh regenerates the file and checks that it matches the committed one.

Conventions that are driftline's own (no scipy function exists) are implemented here
independently with numpy, following docs/drift-policy.md:
  * PSI on baseline-quantile bins: edges = unique(np.quantile(baseline, [0.1, ..., 0.9],
    method='inverted_cdf', weights=w)); bins (-inf, e1], (e1, e2], ..., (ek, inf);
    proportions smoothed as (p + eps) / (1 + K eps) with eps = 1e-4 and K bins;
    PSI = sum (q - p) ln(q / p).
  * categorical PSI / JS over the union of categories (unseen ones get 0 before smoothing).
  * the kurtosis-adjusted F test of equal variances (Shoemaker 2003): F = s1^2 / s2^2 (ddof = 1)
    against scipy.stats.f with d_i = 2 n_i / (kappa - (n_i - 3) / (n_i - 1)), kappa the pooled
    kurtosis N sum (x - mean_i)^4 / (sum (x - mean_i)^2)^2; p = 2 min(cdf, sf).
  * the weighted harmonic mean p-value sum(w) / sum(w / p).
  * the Anderson-Darling limit distribution's tail P(sum_j chi2_1 / (j (j + 1)) > x), by Imhof's
    (1961) numerical inversion of its characteristic function (20,000 terms, the rest
    replaced by their mean).
"""
import json
import math
import sys

import numpy as np
import scipy
from scipy import special, stats
from scipy.spatial import distance

PSI_EPS = 1e-4


def r4(x):
    """Round to 4 decimals: shorter JSON, and creates ties."""
    return np.round(np.asarray(x, dtype=np.float64), 4)


def flist(x):
    return [float(v) for v in np.asarray(x, dtype=np.float64).ravel()]


def ks_case(name, a, b, alternative="two-sided"):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    import warnings

    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        res = stats.ks_2samp(a, b, alternative=alternative, method="auto")
        fell_back = any("Switching to method=asymp" in str(x.message) for x in w)
    n1, n2 = len(a), len(b)
    exact = max(n1, n2) <= 10000 and not fell_back
    return {
        "name": name,
        "a": flist(a),
        "b": flist(b),
        "alternative": alternative,
        "statistic": float(res.statistic),
        "pvalue": float(res.pvalue),
        "location": float(res.statistic_location),
        "sign": int(res.statistic_sign),
        "method": "exact" if exact else "asymp",
    }


def ks_cases():
    rng = np.random.default_rng(20261125)
    cases = []
    # small, n == m (square method), n != m (inside method), coprime
    for n, m, shift in [(5, 5, 0.0), (8, 8, 1.0), (20, 20, 0.5), (50, 50, 0.3), (7, 11, 0.0),
                        (7, 11, 1.5), (13, 17, 0.5), (30, 45, 0.4), (97, 89, 0.3),
                        (100, 60, 0.2), (250, 400, 0.15), (1000, 997, 0.05),
                        (1000, 1000, 0.08), (3000, 2000, 0.05)]:
        a = rng.normal(size=n)
        b = rng.normal(loc=shift, size=m)
        cases.append(ks_case(f"normal n={n} m={m} shift={shift}", a, b))
    # disjoint samples (D = 1)
    cases.append(ks_case("disjoint 6 vs 9", np.arange(6.0), np.arange(10.0, 19.0)))
    # ties: integer data
    for n, m in [(40, 40), (60, 45), (500, 700), (2000, 2000)]:
        a = rng.integers(0, 5, size=n).astype(float)
        b = rng.integers(0, 6, size=m).astype(float)
        cases.append(ks_case(f"ties integers n={n} m={m}", a, b))
    # constant columns
    cases.append(ks_case("constant equal", np.full(30, 2.0), np.full(20, 2.0)))
    cases.append(ks_case("constant different", np.full(30, 2.0), np.full(20, 3.0)))
    cases.append(ks_case("constant vs spread", np.full(40, 0.0), r4(rng.normal(size=35))))
    # one-sided, both methods (n == m product, n != m path counting), both directions
    for n, m, shift in [(10, 10, 0.5), (40, 40, 0.3), (10, 7, 0.5), (30, 23, 0.4),
                        (100, 73, 0.3), (200, 150, 0.2), (500, 400, 0.1)]:
        a = rng.normal(size=n)
        b = rng.normal(loc=shift, size=m)
        cases.append(ks_case(f"greater n={n} m={m}", a, b, "greater"))
        cases.append(ks_case(f"less n={n} m={m}", a, b, "less"))
    # around the exact/asymptotic switch (max(n, m) <= 10000 is exact)
    for n, m, shift in [(10000, 10000, 0.02), (10000, 9973, 0.03), (10001, 10000, 0.03),
                        (10007, 3001, 0.04), (9999, 10000, 0.0), (10000, 5000, 0.05)]:
        a = r4(rng.normal(size=n))
        b = r4(rng.normal(loc=shift, size=m))
        cases.append(ks_case(f"switch n={n} m={m} shift={shift}", a, b))
    # one-sided near the switch: paths method overflows -> scipy falls back to asymp
    a = r4(rng.normal(size=3000))
    b = r4(rng.normal(loc=0.05, size=2999))
    cases.append(ks_case("greater fallback n=3000 m=2999", a, b, "greater"))
    cases.append(ks_case("less asymp n=20000 m=5000", r4(rng.normal(size=20000)),
                         r4(rng.normal(loc=0.03, size=5000)), "less"))
    # small en in the asymptotic path (kstwo with n <= 140: DMTW / Pomeranz)
    cases.append(ks_case("asymp small en n=100 m=20000", r4(rng.normal(size=100)),
                         r4(rng.normal(size=20000))))
    cases.append(ks_case("asymp small en shifted n=60 m=12000", r4(rng.normal(loc=0.4, size=60)),
                         r4(rng.normal(size=12000))))
    # 100k baseline vs 10k window
    base = r4(rng.normal(size=100000))
    cases.append(ks_case("100k vs 10k healthy", base, r4(rng.normal(size=10000))))
    cases.append(ks_case("100k vs 10k shift 0.2", base, r4(rng.normal(loc=0.2, size=10000))))
    cases.append(ks_case("100k vs 10k shift 0.02", base, r4(rng.normal(loc=0.02, size=10000))))
    return cases


def kstwo_cases():
    out = []
    for n in [1, 2, 3, 5, 10, 50, 100, 140, 141, 500, 1000, 5000, 9091, 20000, 100000, 150000]:
        xs = set()
        for x in [0.3 / n, 0.5 / n, 0.75 / n, 1.0 / n, 1.5 / n, 3.0 / n,
                  0.2 / math.sqrt(n), 0.5 / math.sqrt(n), 0.8 / math.sqrt(n), 1.0 / math.sqrt(n),
                  1.2 / math.sqrt(n), 1.5 / math.sqrt(n), 2.0 / math.sqrt(n), 3.0 / math.sqrt(n),
                  5.0 / math.sqrt(n), 0.05, 0.1, 0.3, 0.49, 0.5, 0.7, 1.0 - 1.5 / n, 0.99, 1.0]:
            if 0.0 <= x <= 1.0:
                xs.add(float(x))
        for x in sorted(xs):
            out.append({"n": n, "x": x, "sf": float(stats.kstwo.sf(x, n))})
    return out


def smirnov_cases():
    out = []
    for n in [1, 2, 5, 10, 37, 100, 1000, 9091, 50000]:
        for x in [0.0, 0.5 / n, 1.0 / n, 2.0 / n, 0.3 / math.sqrt(n), 1.0 / math.sqrt(n),
                  2.0 / math.sqrt(n), 0.2, 0.5, 0.75, 1.0 - 1.0 / n, 1.0]:
            if 0.0 <= x <= 1.0:
                out.append({"n": n, "x": float(x), "sf": float(special.smirnov(n, x))})
    return out


def weighted_pairs(rng, values):
    """A KLL-like weighted sample: some values weigh 1, others 2, 4 or 8."""
    w = 2.0 ** rng.integers(0, 4, size=len(values))
    return np.asarray(values, dtype=np.float64), w


def numeric_cases():
    """Wasserstein-1 (scipy) and PSI (numpy, driftline's definition) on the same inputs."""
    rng = np.random.default_rng(7)
    cases = []

    def add(name, u, v, uw=None, vw=None):
        u = np.asarray(u, dtype=np.float64)
        v = np.asarray(v, dtype=np.float64)
        uw_ = np.ones(len(u)) if uw is None else np.asarray(uw, dtype=np.float64)
        vw_ = np.ones(len(v)) if vw is None else np.asarray(vw, dtype=np.float64)
        wd = float(stats.wasserstein_distance(u, v, uw, vw))
        psi, edges, pb, qb = psi_numpy(u, uw_, v, vw_)
        cases.append({
            "name": name,
            "u": flist(u), "v": flist(v),
            "u_weights": None if uw is None else flist(uw),
            "v_weights": None if vw is None else flist(vw),
            "wasserstein": wd,
            "psi": psi,
            "psi_edges": flist(edges),
            "js_bins": float(distance.jensenshannon(pb, qb, base=2)),
        })

    add("normal 200 vs 150", rng.normal(size=200), rng.normal(0.3, 1.2, size=150))
    add("lognormal 1000 vs 800", r4(rng.lognormal(size=1000)), r4(rng.lognormal(0.1, size=800)))
    add("integers with ties", rng.integers(0, 4, 500), rng.integers(0, 5, 300))
    add("constant equal", np.full(50, 1.5), np.full(30, 1.5))
    add("constant different", np.full(50, 1.5), np.full(30, 2.5))
    add("disjoint", np.arange(0.0, 20.0), np.arange(100.0, 130.0))
    add("current outside baseline range", rng.normal(size=300), rng.normal(5.0, size=100))
    u, uw = weighted_pairs(rng, r4(rng.exponential(size=400)))
    v, vw = weighted_pairs(rng, r4(rng.exponential(1.3, size=300)))
    add("weighted (KLL-like) exponential", u, v, uw, vw)
    add("30k vs 10k shift 0.2", r4(rng.normal(size=30000)), r4(rng.normal(0.2, size=10000)))
    return cases


def psi_numpy(u, uw, v, vw):
    levels = np.arange(1, 10) / 10.0
    order = np.argsort(u, kind="stable")
    edges = np.unique(np.quantile(u[order], levels, method="inverted_cdf", weights=uw[order]))
    k = len(edges) + 1
    bu = np.searchsorted(edges, u, side="left")
    bv = np.searchsorted(edges, v, side="left")
    p = np.bincount(bu, weights=uw, minlength=k) / uw.sum()
    q = np.bincount(bv, weights=vw, minlength=k) / vw.sum()
    ps = (p + PSI_EPS) / (1 + k * PSI_EPS)
    qs = (q + PSI_EPS) / (1 + k * PSI_EPS)
    return float(np.sum((qs - ps) * np.log(qs / ps))), edges, p, q


def js_cases():
    rng = np.random.default_rng(11)
    out = []
    for p, q in [([1, 2, 3], [3, 2, 1]), ([1, 0, 0], [0, 0, 1]), ([5, 5], [5, 5]),
                 ([10, 0, 3, 7], [8, 2, 0, 9])]:
        out.append({"p": flist(p), "q": flist(q),
                    "value": float(distance.jensenshannon(p, q, base=2))})
    for k in [5, 20, 100]:
        p = rng.integers(0, 1000, size=k)
        q = rng.integers(0, 1000, size=k)
        out.append({"p": flist(p), "q": flist(q),
                    "value": float(distance.jensenshannon(p, q, base=2))})
    return out


def categorical_cases():
    """chi2_contingency on the 2 x K table (baseline row, current row) over the union of
    categories, plus categorical PSI and JS (base 2) over the same union."""
    rng = np.random.default_rng(13)
    cases = []

    def add(name, base, cur):
        cats = sorted(set(base) | set(cur))
        b = np.array([base.get(c, 0) for c in cats], dtype=np.float64)
        c = np.array([cur.get(c, 0) for c in cats], dtype=np.float64)
        table = np.vstack([b, c])
        res = stats.chi2_contingency(table, correction=True)
        k = len(cats)
        p = b / b.sum()
        q = c / c.sum()
        ps = (p + PSI_EPS) / (1 + k * PSI_EPS)
        qs = (q + PSI_EPS) / (1 + k * PSI_EPS)
        cases.append({
            "name": name,
            "baseline": {k_: int(v) for k_, v in base.items()},
            "current": {k_: int(v) for k_, v in cur.items()},
            "chi2": float(res.statistic),
            "pvalue": float(res.pvalue),
            "dof": int(res.dof),
            "psi": float(np.sum((qs - ps) * np.log(qs / ps))),
            "js": float(distance.jensenshannon(b, c, base=2)),
        })

    add("two categories (Yates)", {"a": 120, "b": 80}, {"a": 45, "b": 55})
    add("two categories small counts (Yates)", {"a": 3, "b": 7}, {"a": 6, "b": 2})
    add("two categories equal proportions", {"x": 50, "y": 50}, {"x": 20, "y": 20})
    add("three categories", {"a": 500, "b": 300, "c": 200}, {"a": 90, "b": 70, "c": 40})
    add("unseen category in current", {"a": 500, "b": 300}, {"a": 90, "b": 70, "new": 15})
    add("category missing from current", {"a": 500, "b": 300, "c": 10}, {"a": 90, "b": 70})
    add("single category both", {"a": 100}, {"a": 10})
    base = {f"c{i}": int(v) for i, v in enumerate(rng.integers(50, 5000, size=50))}
    cur = {f"c{i}": int(v) for i, v in enumerate(rng.integers(5, 500, size=50))}
    add("50 categories", base, cur)
    base = {f"c{i}": int(v) for i, v in enumerate(rng.multinomial(100000, np.ones(8) / 8))}
    cur = {f"c{i}": int(v) for i, v in enumerate(rng.multinomial(10000, np.ones(8) / 8))}
    add("8 categories healthy 100k vs 10k", base, cur)
    return cases


def bh_cases():
    rng = np.random.default_rng(17)
    out = []
    for ps in [[0.01], [0.04, 0.01], [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205],
               [0.5, 0.5, 0.5], [1.0, 0.0, 0.3], list(rng.uniform(size=20)),
               list(rng.uniform(size=20) ** 4), [1e-300, 1e-20, 0.2, 0.2, 0.9]]:
        adj = np.atleast_1d(stats.false_discovery_control(ps, method="bh"))
        out.append({"ps": flist(ps), "adjusted": flist(adj)})
    return out


def welch_cases():
    rng = np.random.default_rng(23)
    out = []
    stats_list = [
        (0.3, 1.0, 200, 0.0, 1.0, 100000),
        (0.0, 1.0, 200, 0.0, 1.0, 100000),
        (-0.05, 2.5, 1000, 0.1, 2.0, 100000),
        (5.0, 1.0, 30, 4.0, 3.0, 12),
        (1.0, 0.5, 2, 0.0, 0.5, 3),
        (12.0 / math.sqrt(200), 1.0, 200, 0.0, 1.0, 1000000),
        (40.0, 10.0, 10000, 39.0, 12.0, 100000),
    ]
    for _ in range(6):
        n1, n2 = int(rng.integers(2, 5000)), int(rng.integers(2, 200000))
        stats_list.append((float(rng.normal()), float(rng.uniform(0.1, 3)), n1,
                           float(rng.normal()), float(rng.uniform(0.1, 3)), n2))
    for m1, s1, n1, m2, s2, n2 in stats_list:
        r = stats.ttest_ind_from_stats(m1, s1, n1, m2, s2, n2, equal_var=False)
        out.append({"mean1": m1, "std1": s1, "n1": n1, "mean2": m2, "std2": s2, "n2": n2,
                    "statistic": float(r.statistic), "pvalue": float(r.pvalue)})
    return out


def pooled_kurtosis(samples):
    num = sum(((x - x.mean()) ** 4).sum() for x in samples)
    den = sum(((x - x.mean()) ** 2).sum() for x in samples)
    n = sum(len(x) for x in samples)
    return n * num / den ** 2


def variance_ratio_test(a, b):
    """Kurtosis-adjusted F test (Shoemaker 2003): F = s1^2 / s2^2 against F(d1, d2) with
    d_i = 2 n_i / (kappa - (n_i - 3) / (n_i - 1)), kappa pooled; two-sided."""
    k = pooled_kurtosis([a, b])
    d = [2 * len(x) / (k - (len(x) - 3) / (len(x) - 1)) for x in (a, b)]
    f = a.var(ddof=1) / b.var(ddof=1)
    p = 2 * min(stats.f.cdf(f, d[0], d[1]), stats.f.sf(f, d[0], d[1]))
    return k, f, float(min(p, 1.0))


def variance_ratio_cases():
    rng = np.random.default_rng(29)
    out = []
    for name, a, b in [
        ("normal-equal", rng.normal(size=200), rng.normal(size=3000)),
        ("normal-x1.5", rng.normal(scale=math.sqrt(1.5), size=200), rng.normal(size=3000)),
        ("lognormal", rng.lognormal(size=500), rng.lognormal(size=2000)),
        ("poisson-ties", rng.poisson(1.5, size=300).astype(float), rng.poisson(1.5, size=900).astype(float)),
        ("uniform-small", rng.uniform(size=12), rng.uniform(size=9)),
    ]:
        k, f, pv = variance_ratio_test(a, b)
        out.append({"name": name, "a": flist(a), "b": flist(b), "kurtosis": float(k),
                    "statistic": float(f), "pvalue": pv})
    return out


def anderson_cases():
    import warnings
    rng = np.random.default_rng(31)
    out = []
    for name, a, b in [
        ("normal-shift", rng.normal(size=50), rng.normal(0.5, size=80)),
        ("normal-null", rng.normal(size=200), rng.normal(size=2000)),
        ("small", rng.normal(size=6), rng.normal(1.0, size=7)),
        ("ties-poisson", rng.poisson(1.5, size=150).astype(float), rng.poisson(1.8, size=400).astype(float)),
        ("ties-rounded", r4(rng.normal(size=300)).round(1), r4(rng.normal(0.1, size=250)).round(1)),
        ("lognormal-scale", rng.lognormal(size=400), rng.lognormal(sigma=1.3, size=600)),
        ("mild", rng.normal(size=300), rng.normal(0.15, size=300)),
        ("moderate", rng.normal(size=300), rng.normal(0.25, size=300)),
        ("far", rng.normal(size=100), rng.normal(3.0, size=100)),
    ]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = stats.anderson_ksamp([a, b], midrank=True)
        out.append({"name": name, "a": flist(a), "b": flist(b), "statistic": float(r.statistic),
                    "pvalue": float(r.pvalue)})
    return out


def adinf_tail(x, terms=20000):
    """The terms after `terms` are replaced by their mean, sum_{j > J} 1 / (j (j + 1)) =
    1 / (J + 1) (their variance, 2 sum lambda_j^2 < 1e-12, is negligible)."""
    from scipy import integrate
    x = x - 1.0 / (terms + 1)
    j = np.arange(1, terms + 1, dtype=np.float64)
    lam = 1.0 / (j * (j + 1.0))

    def f(u):
        if u == 0:
            return 0.5 * (lam.sum() - x)
        th = 0.5 * np.arctan(lam * u).sum() - 0.5 * x * u
        rho = np.exp(0.25 * np.log1p((lam * u) ** 2).sum())
        return np.sin(th) / (u * rho)

    val, _ = integrate.quad(f, 0, np.inf, limit=2000, epsabs=1e-14, epsrel=1e-12)
    return float(0.5 + val / np.pi)


def adinf_cases():
    return [{"x": x, "sf": adinf_tail(x)} for x in
            [0.3, 0.6, 1.0, 1.5, 1.933, 2.492, 3.07, 3.857, 5.0, 7.0, 10.0, 15.0]]


def harmonic_mean_cases():
    rng = np.random.default_rng(37)
    out = []
    for ps, ws in [([1e-6, 0.3, 0.9], [0.5, 0.25, 0.25]), ([0.01, 0.5, 0.9, 1.0], [1, 1, 1, 1]),
                   (list(rng.uniform(size=4)), list(rng.uniform(0.1, 1, size=4))),
                   (list(rng.uniform(size=4) ** 6), [0.5, 1 / 6, 1 / 6, 1 / 6])]:
        ps, ws = np.asarray(ps, dtype=np.float64), np.asarray(ws, dtype=np.float64)
        out.append({"ps": flist(ps), "weights": flist(ws), "combined": float(ws.sum() / (ws / ps).sum())})
    return out


def main():
    out = {
        "generator": "scripts/scipy_reference.py",
        "scipy_version": scipy.__version__,
        "numpy_version": np.__version__,
        "psi_epsilon": PSI_EPS,
        "empty_input": "ks_2samp and the other statistics reject empty samples; driftline returns "
                       "DriftError::EmptySample (no scipy value to compare)",
        "ks_2samp": ks_cases(),
        "kstwo_sf": kstwo_cases(),
        "smirnov": smirnov_cases(),
        "numeric": numeric_cases(),
        "jensenshannon": js_cases(),
        "categorical": categorical_cases(),
        "false_discovery_control": bh_cases(),
        "ttest_ind_from_stats": welch_cases(),
        "variance_ratio": variance_ratio_cases(),
        "anderson_ksamp": anderson_cases(),
        "adinf_sf": adinf_cases(),
        "harmonic_mean_p": harmonic_mean_cases(),
    }
    path = sys.argv[1] if len(sys.argv) > 1 else "shared/stats/tests/data/scipy_reference.json"
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
