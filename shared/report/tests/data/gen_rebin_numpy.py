"""Expected re-binning of weighted KLL sketches, computed with numpy.histogram.

Reads the real baseline `baseline_statistics.json` beside this file, builds for every feature a
two-level sketch of shifted and scaled values (level 0 weighs 1, level 1 weighs 2, so values also
fall below and above the baseline range), and writes `rebin_numpy.json`: the edges (the baseline's
bucket edges), the sketch levels and numpy's weighted counts, under- and overflow.

numpy.histogram uses the same bucket rule as the KLL buckets: [a, b) except the last, [a, b].
Run: $DRIFTLINE_VENV/bin/python shared/report/tests/data/gen_rebin_numpy.py
"""
import json
import pathlib

import numpy as np

HERE = pathlib.Path(__file__).parent
stats = json.loads((HERE / "baseline_statistics.json").read_text())
cases = []
for i, f in enumerate(stats["features"]):
    kll = f["numerical_statistics"]["distribution"]["kll"]
    edges = [b["lower_bound"] for b in kll["buckets"]] + [kll["buckets"][-1]["upper_bound"]]
    base = np.array(kll["sketch"]["data"][0], dtype=float)
    # Shift and scale so that some values leave the range on both sides; add edge values exactly.
    shifted = base * (1.0 + 0.15 * i) - 0.3 * (i % 3)
    shifted = np.concatenate([shifted, np.array(edges[:3] + edges[-1:])])
    level0 = shifted[::2]
    level1 = shifted[1::2]
    values = np.concatenate([level0, level1])
    weights = np.concatenate([np.ones(len(level0)), np.full(len(level1), 2.0)])
    counts, _ = np.histogram(values, bins=np.array(edges), weights=weights)
    cases.append(
        {
            "feature": f["name"],
            "edges": edges,
            "levels": [level0.tolist(), level1.tolist()],
            "under": float(weights[values < edges[0]].sum()),
            "counts": counts.tolist(),
            "over": float(weights[values > edges[-1]].sum()),
        }
    )
(HERE / "rebin_numpy.json").write_text(json.dumps({"numpy": np.__version__, "cases": cases}, indent=1) + "\n")
print(f"wrote {len(cases)} cases")
