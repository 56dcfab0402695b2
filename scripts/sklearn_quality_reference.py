#!/usr/bin/env python3
"""Generate shared/stats/tests/data/sklearn_quality_reference.json: model-quality metrics of
generated data computed with scikit-learn (versions recorded in the file).

    .venv/bin/python scripts/sklearn_quality_reference.py [OUTPUT]

Cases (inputs stored in the JSON; Rust reads them back, it does not regenerate them):
  * binary: scores rounded to 2 decimals (many ties), labels from a logistic link, threshold 0.5;
    a small case too (below 200 pairs);
  * multiclass: 4 classes of which one is never predicted, one predicted but never actual;
  * regression: normal errors plus 2 % gross outliers.

Conventions (docs of shared/stats/src/quality/metrics.rs): precision / recall / F-beta with
zero_division=0; multiclass averages are average="weighted"; Model Monitor's "r2" is
r2_score(y_pred, y_true) (the real fixture is reproduced only that way), the textbook one
r2_score(y_true, y_pred) is recorded as "r2_textbook". scripts/ci/17-sklearn-reference.sh
regenerates the file and compares it with the committed one.
"""
import json
import sys

import numpy as np
import sklearn
from sklearn import metrics as m


def fl(x):
    return [float(v) for v in np.asarray(x, dtype=np.float64).ravel()]


def binary_case(rng, n):
    score = np.round(rng.beta(2.0, 2.0, n), 2)
    p_true = 1.0 / (1.0 + np.exp(-(score - 0.5) * 6.0))
    y = (rng.uniform(size=n) < p_true).astype(int)
    yhat = (score >= 0.5).astype(int)
    tn, fp, fn, tp = m.confusion_matrix(y, yhat, labels=[0, 1]).ravel()
    prec = m.precision_score(y, yhat, zero_division=0)
    rec = m.recall_score(y, yhat, zero_division=0)
    fpr_curve, tpr_curve, _ = m.roc_curve(y, score, drop_intermediate=False)
    return {
        "labels": [int(v) for v in y],
        "scores": fl(score),
        "threshold": 0.5,
        "expected": {
            "confusion": [int(tn), int(fp), int(fn), int(tp)],
            "accuracy": float(m.accuracy_score(y, yhat)),
            "precision": float(prec),
            "recall": float(rec),
            "false_positive_rate": float(fp / (fp + tn)),
            "f0_5": float(m.fbeta_score(y, yhat, beta=0.5, zero_division=0)),
            "f1": float(m.f1_score(y, yhat, zero_division=0)),
            "f2": float(m.fbeta_score(y, yhat, beta=2.0, zero_division=0)),
            "auc": float(m.roc_auc_score(y, score)),
            "roc_false_positive_rates": fl(fpr_curve),
            "roc_true_positive_rates": fl(tpr_curve),
            "precision_best_constant_classifier": float(
                m.precision_score(y, np.ones_like(y), zero_division=0)),
            "f1_best_constant_classifier": float(m.f1_score(y, np.ones_like(y), zero_division=0)),
        },
    }


def multiclass_case(rng, n):
    classes = np.array(["cat", "dog", "fish", "bird"])
    y = rng.choice(classes[:3], size=n, p=[0.5, 0.3, 0.2])  # "bird" is never actual
    yhat = y.copy()
    flip = rng.uniform(size=n) < 0.35
    # errors go to "dog", "cat" or "bird" only: "fish" is never predicted
    yhat[flip] = rng.choice(["dog", "cat", "bird"], size=int(flip.sum()), p=[0.5, 0.3, 0.2])
    yhat[yhat == "fish"] = "cat"
    expected = {
        "accuracy": float(m.accuracy_score(y, yhat)),
        "weighted_precision": float(m.precision_score(y, yhat, average="weighted", zero_division=0)),
        "weighted_recall": float(m.recall_score(y, yhat, average="weighted", zero_division=0)),
        "weighted_f0_5": float(m.fbeta_score(y, yhat, beta=0.5, average="weighted", zero_division=0)),
        "weighted_f1": float(m.f1_score(y, yhat, average="weighted", zero_division=0)),
        "weighted_f2": float(m.fbeta_score(y, yhat, beta=2.0, average="weighted", zero_division=0)),
    }
    # Best constant classifier: always the least frequent actual class.
    values, counts = np.unique(y, return_counts=True)
    least = sorted(zip(counts, values), key=lambda t: (t[0], [-ord(c) for c in t[1]]))[0][1]
    const = np.full_like(y, least)
    expected["accuracy_best_constant_classifier"] = float(m.accuracy_score(y, const))
    expected["weighted_precision_best_constant_classifier"] = float(
        m.precision_score(y, const, average="weighted", zero_division=0))
    expected["weighted_f1_best_constant_classifier"] = float(
        m.f1_score(y, const, average="weighted", zero_division=0))
    return {"labels": [str(v) for v in y], "predictions": [str(v) for v in yhat],
            "expected": expected}


def regression_case(rng, n):
    y = rng.normal(50.0, 10.0, n)
    err = rng.normal(0.0, 2.0, n)
    out = rng.uniform(size=n) < 0.02
    err[out] += rng.choice([-1.0, 1.0], size=int(out.sum())) * 80.0
    yhat = y + err
    return {
        "labels": fl(y),
        "predictions": fl(yhat),
        "expected": {
            "mae": float(m.mean_absolute_error(y, yhat)),
            "mse": float(m.mean_squared_error(y, yhat)),
            "rmse": float(np.sqrt(m.mean_squared_error(y, yhat))),
            "r2": float(m.r2_score(yhat, y)),
            "r2_textbook": float(m.r2_score(y, yhat)),
        },
    }


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "shared/stats/tests/data/sklearn_quality_reference.json"
    rng = np.random.default_rng(20261206)
    doc = {
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "binary": binary_case(rng, 3000),
        "binary_small": binary_case(rng, 150),
        "multiclass": multiclass_case(rng, 2500),
        "regression": regression_case(rng, 2000),
    }
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
