//! Model-quality metrics against scikit-learn on generated data
//! (`scripts/sklearn_quality_reference.py` → `data/sklearn_quality_reference.json`, regenerated
//! and compared in CI by `scripts/ci/17-sklearn-reference.sh`), and the AUC error bound of the
//! score sketches against an exact computation.

use driftline_stats::quality::metrics::QualityStatistics;
use driftline_stats::quality::state::{Observation, Part, ProblemType, QualityState};
use serde_json::Value;

fn reference() -> Value {
    serde_json::from_str(include_str!("data/sklearn_quality_reference.json")).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= 1e-12 * want.abs().max(1.0),
        "{what}: driftline {got}, scikit-learn {want}"
    );
}

fn value(st: &QualityStatistics, name: &str) -> f64 {
    st.get(name).unwrap_or_else(|| panic!("no {name}")).value.0
}

fn binary(case: &str) {
    let r = &reference()[case];
    let labels: Vec<i64> = r["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap())
        .collect();
    let scores = floats(&r["scores"]);
    let thr = r["threshold"].as_f64().unwrap();
    let mut s = QualityState::new(ProblemType::BinaryClassification);
    for (i, (y, sc)) in labels.iter().zip(&scores).enumerate() {
        s.observe(
            &format!("{case}-{i}"),
            Observation::Binary {
                actual: *y == 1,
                predicted: *sc >= thr,
                score: Some(*sc),
            },
        )
        .unwrap();
    }
    let st = s.statistics(None);
    let e = &r["expected"];
    let Part::BinaryClassification(b) = &s.full else {
        panic!()
    };
    let conf: Vec<u64> = e["confusion"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect();
    assert_eq!(vec![b.tn, b.fp, b.fn_, b.tp], conf, "{case}: confusion");
    for name in [
        "accuracy",
        "precision",
        "recall",
        "false_positive_rate",
        "f0_5",
        "f1",
        "f2",
        "auc",
        "precision_best_constant_classifier",
        "f1_best_constant_classifier",
    ] {
        close(
            value(&st, name),
            e[name].as_f64().unwrap(),
            &format!("{case} {name}"),
        );
    }
    close(
        value(&st, "true_positive_rate"),
        value(&st, "recall"),
        "tpr",
    );
    // The ROC curve: scikit-learn's points (drop_intermediate=False), then Spark's closing (1, 1).
    let roc = st.roc.clone().unwrap();
    let (fx, ty) = (
        floats(&e["roc_false_positive_rates"]),
        floats(&e["roc_true_positive_rates"]),
    );
    assert_eq!(roc.x.len(), fx.len() + 1, "{case}: ROC points");
    for (i, (a, b)) in roc.x.iter().zip(&fx).enumerate() {
        close(*a, *b, &format!("{case} fpr[{i}]"));
    }
    for (i, (a, b)) in roc.y.iter().zip(&ty).enumerate() {
        close(*a, *b, &format!("{case} tpr[{i}]"));
    }
    assert_eq!((roc.x.last(), roc.y.last()), (Some(&1.0), Some(&1.0)));
    // The standard deviation rule: from 200 pairs up only.
    let sd = st.get("f1").unwrap().standard_deviation.0;
    if labels.len() >= 200 {
        assert!(sd.is_finite() && sd > 0.0 && sd < 0.05, "{case}: sd {sd}");
    } else {
        assert!(
            sd.is_nan(),
            "{case}: below 200 pairs the sd is NaN, got {sd}"
        );
    }
}

#[test]
fn binary_with_tied_scores_matches_scikit_learn() {
    binary("binary");
}

#[test]
fn small_binary_window_has_no_standard_deviation() {
    binary("binary_small");
}

#[test]
fn multiclass_with_a_class_never_predicted_matches_scikit_learn() {
    let r = &reference()["multiclass"];
    let mut s = QualityState::new(ProblemType::MulticlassClassification);
    for (i, (y, p)) in r["labels"]
        .as_array()
        .unwrap()
        .iter()
        .zip(r["predictions"].as_array().unwrap())
        .enumerate()
    {
        s.observe(
            &i.to_string(),
            Observation::Multiclass {
                actual: y.as_str().unwrap(),
                predicted: p.as_str().unwrap(),
            },
        )
        .unwrap();
    }
    let st = s.statistics(None);
    let e = &r["expected"];
    for (k, v) in e.as_object().unwrap() {
        close(value(&st, k), v.as_f64().unwrap(), k);
    }
    // Every class in every row, the never-actual "bird" as a column only.
    let cm = st.confusion_matrix.unwrap();
    assert_eq!(cm.keys().collect::<Vec<_>>(), ["cat", "dog", "fish"]);
    assert!(cm.values().all(|row| row.len() == 4));
    assert!(cm
        .values()
        .all(|row| row["fish"] == 0 || row.contains_key("fish")));
    assert_eq!(cm.values().map(|row| row["fish"]).sum::<u64>(), 0);
}

#[test]
fn regression_with_outliers_matches_scikit_learn() {
    let r = &reference()["regression"];
    let (y, yhat) = (floats(&r["labels"]), floats(&r["predictions"]));
    let mut whole = QualityState::new(ProblemType::Regression);
    // Two halves merged: the same as one pass.
    let mut a = QualityState::new(ProblemType::Regression);
    let mut b = QualityState::new(ProblemType::Regression);
    for (i, (t, p)) in y.iter().zip(&yhat).enumerate() {
        let o = Observation::Regression {
            actual: *t,
            predicted: *p,
        };
        whole.observe(&i.to_string(), o).unwrap();
        if i < y.len() / 2 { &mut a } else { &mut b }
            .observe(&i.to_string(), o)
            .unwrap();
    }
    a.merge(&b).unwrap();
    let e = &r["expected"];
    for st in [whole.statistics(None), a.statistics(None)] {
        for k in ["mae", "mse", "rmse", "r2"] {
            close(value(&st, k), e[k].as_f64().unwrap(), k);
        }
    }
    let Part::Regression(reg) = &whole.full else {
        panic!()
    };
    close(
        driftline_stats::quality::metrics::textbook_r2(reg),
        e["r2_textbook"].as_f64().unwrap(),
        "r2_textbook",
    );
}

/// Beyond 2,050 scores per class the sketches compact: the AUC stays within the stated bound
/// of the exact value (computed here by sorting every pair's scores).
#[test]
fn sketched_auc_is_within_its_bound() {
    let mut x: u64 = 0x1234_5678_9abc_def1;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    let n = 60_000;
    let mut s = QualityState::new(ProblemType::BinaryClassification);
    let mut pos = Vec::new();
    let mut neg = Vec::new();
    for i in 0..n {
        let y = next() < 0.4;
        let score =
            ((if y { 0.6 } else { 0.4 }) + 0.25 * (next() - 0.5) + 0.25 * (next() - 0.5) * 1.0)
                .clamp(0.0, 1.0);
        let score = (score * 1000.0).round() / 1000.0; // ties
        if y { &mut pos } else { &mut neg }.push(score);
        s.observe(
            &i.to_string(),
            Observation::Binary {
                actual: y,
                predicted: score >= 0.5,
                score: Some(score),
            },
        )
        .unwrap();
    }
    // Exact AUC: for each positive, negatives below + half the ties (binary search).
    neg.sort_by(f64::total_cmp);
    let mut wins = 0.0;
    for p in &pos {
        let below = neg.partition_point(|v| v < p) as f64;
        let upto = neg.partition_point(|v| v <= p) as f64;
        wins += below + (upto - below) / 2.0;
    }
    let exact = wins / (pos.len() as f64 * neg.len() as f64);
    let Part::BinaryClassification(b) = &s.full else {
        panic!()
    };
    let bound = b.auc_error_bound();
    assert!(bound > 0.0, "the sketches compacted");
    let got = value(&s.statistics(None), "auc");
    assert!(
        (got - exact).abs() <= bound,
        "auc {got} vs exact {exact}, bound {bound}"
    );
}
