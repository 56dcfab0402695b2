"""The naive model-quality join, the benchmark's peer: pandas reads both JSON Lines files, merges
labels with predictions on the join key, and scikit-learn computes each hour's and the day's
binary metrics (accuracy, precision, recall, F1, AUC).

usage: quality_naive.py PREDICTIONS.jsonl LABELS.jsonl
Prints one line: counts, the day's accuracy and AUC, `seconds` (wall time after imports) and
`cpu` (process CPU time after imports).
"""

import resource
import sys
import time

import pandas as pd
from sklearn import metrics

t0 = time.perf_counter()
c0 = time.process_time()
preds = pd.read_json(sys.argv[1], lines=True, dtype={"k": str, "l": str})
raw = pd.read_json(sys.argv[2], lines=True, dtype=False)
meta = raw["eventMetadata"]
labels = pd.DataFrame(
    {
        "k": meta.map(lambda m: m.get("inferenceId") or m.get("eventId")),
        "y": raw["groundTruthData"].map(lambda g: g["data"]).astype(int),
    }
)
joined = preds.merge(labels, on="k", how="inner")
joined["hour"] = joined["t"] // 3_600_000
joined["p"] = joined["l"].astype(int)


def binary(frame):
    y, p, s = frame["y"], frame["p"], frame["s"]
    return {
        "accuracy": metrics.accuracy_score(y, p),
        "precision": metrics.precision_score(y, p, zero_division=0),
        "recall": metrics.recall_score(y, p, zero_division=0),
        "f1": metrics.f1_score(y, p, zero_division=0),
        "auc": metrics.roc_auc_score(y, s),
    }


windows = {hour: binary(frame) for hour, frame in joined.groupby("hour")}
day = binary(joined)
rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(
    f"predictions {len(preds)} labels {len(labels)} matched {len(joined)} windows {len(windows)}"
    f" accuracy {day['accuracy']:.6f} auc {day['auc']:.6f} rss_kb {rss_kb}"
    f" seconds {time.perf_counter() - t0:.2f} cpu {time.process_time() - c0:.2f}"
)
