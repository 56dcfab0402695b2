//! Model Monitor's model-quality metrics from a [`QualityState`], and the `statistics.json`
//! document they go into.
//!
//! Definitions (checked against scikit-learn by `scripts/sklearn_quality_reference.py` and the
//! parity test, and against the examples of the Model Monitor documentation page "Model
//! quality metrics", whose figures the unit tests reproduce digit for digit):
//! * binary: precision `tp/(tp+fp)`, recall = true positive rate `tp/(tp+fn)`, accuracy,
//!   false positive rate `fp/(fp+tn)`, true negative rate `1 − fpr`, false negative rate
//!   `1 − tpr`, `F_β = (1+β²)·p·r / (β²·p + r)` for β = 0.5, 1, 2 (an undefined ratio is 0, as
//!   scikit-learn's `zero_division=0`); AUC by the trapezoid rule over the ROC curve of the
//!   score thresholds (ties grouped: scikit-learn's `roc_auc_score`); the ROC curve starts at
//!   (0, 0) and ends at (1, 1), the precision–recall curve starts at recall 0 with the first
//!   threshold's precision (Spark's `BinaryClassificationMetrics`), both cut to at most
//!   [`MAX_CURVE_POINTS`] thresholds. The *best constant classifier* always predicts 1 (the
//!   documentation's example: recall 1, precision = accuracy = the share of positives).
//! * multiclass: accuracy, and precision / recall / F_β per class weighted by the class's
//!   share of the actual labels (`average="weighted"`); the best constant classifier predicts
//!   the least frequent actual class (ties: the greater label), which reproduces the
//!   documentation's example (`accuracy_best_constant_classifier` 0.1937… = 406 / 2096).
//! * regression: MAE, MSE, RMSE, and `r2 = 1 − SSE / Σ(ŷ − mean ŷ)²` — Model Monitor's
//!   (reproduced from the real fixture; scikit-learn's `r2_score(ŷ, y)`, not
//!   `r2_score(y, ŷ)`); the textbook R² is [`textbook_r2`].
//! * `standard_deviation`: the population standard deviation of the metric over the five 80 %
//!   subsamples ([`crate::quality::state`]), from [`MIN_SAMPLES_FOR_STD`] pairs up; `NaN` below.

use super::state::{
    BinaryState, MulticlassState, Part, ProblemType, QualityState, RegressionState,
};
use crate::double::Double;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use std::collections::BTreeMap;

/// Model Monitor gives standard deviations only from this many samples up.
pub const MIN_SAMPLES_FOR_STD: u64 = 200;
/// Most thresholds kept in each curve (evenly spaced over the sorted thresholds).
pub const MAX_CURVE_POINTS: usize = 1000;

/// One metric: value and standard deviation (`NaN` when not given).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MetricValue {
    /// The value on the whole window.
    pub value: Double,
    /// Over the subsamples.
    pub standard_deviation: Double,
}

/// A curve as two parallel arrays.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Curve {
    /// x values (false positive rates, or recalls).
    pub x: Vec<f64>,
    /// y values (true positive rates, or precisions).
    pub y: Vec<f64>,
}

/// The model-quality `statistics.json` document.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityStatistics {
    /// Always `0.0`.
    pub version: f64,
    /// Joined pairs evaluated.
    pub item_count: u64,
    /// When it was computed (RFC 3339), when known.
    pub evaluation_time: Option<String>,
    /// The problem type.
    pub problem_type: ProblemType,
    /// Actual → predicted → count (classification).
    pub confusion_matrix: Option<BTreeMap<String, BTreeMap<String, u64>>>,
    /// The scalar metrics, in Model Monitor's order.
    pub metrics: Vec<(String, MetricValue)>,
    /// Binary: false positive rates / true positive rates.
    pub roc: Option<Curve>,
    /// Binary: recalls / precisions.
    pub pr: Option<Curve>,
}

impl QualityStatistics {
    /// The value of a metric.
    pub fn get(&self, name: &str) -> Option<MetricValue> {
        self.metrics
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, m)| *m)
    }

    /// The document in Model Monitor's Jackson layout.
    pub fn to_json(&self) -> String {
        crate::jackson::to_string_pretty(self)
    }
}

struct Dataset<'a> {
    item_count: u64,
    evaluation_time: Option<&'a str>,
}

impl Serialize for Dataset<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("item_count", &self.item_count)?;
        if let Some(t) = self.evaluation_time {
            m.serialize_entry("evaluation_time", t)?;
        }
        m.end()
    }
}

struct Metrics<'a>(&'a QualityStatistics);

impl Serialize for Metrics<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let q = self.0;
        let mut m = s.serialize_map(None)?;
        if let Some(c) = &q.confusion_matrix {
            m.serialize_entry("confusion_matrix", c)?;
        }
        for (name, v) in &q.metrics {
            // The curves go before `auc`, as the container writes them.
            if name == "auc" {
                write_curves(&mut m, q)?;
            }
            m.serialize_entry(name, v)?;
        }
        if !q.metrics.iter().any(|(n, _)| n == "auc") {
            write_curves(&mut m, q)?;
        }
        m.end()
    }
}

fn write_curves<M: SerializeMap>(m: &mut M, q: &QualityStatistics) -> Result<(), M::Error> {
    struct Pair<'a>(&'static str, &'static str, &'a Curve);
    impl Serialize for Pair<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(Some(2))?;
            m.serialize_entry(self.0, &self.2.x)?;
            m.serialize_entry(self.1, &self.2.y)?;
            m.end()
        }
    }
    if let Some(c) = &q.roc {
        m.serialize_entry(
            "receiver_operating_characteristic_curve",
            &Pair("false_positive_rates", "true_positive_rates", c),
        )?;
    }
    if let Some(c) = &q.pr {
        // Model Monitor writes precisions first.
        let swapped = Curve {
            x: c.y.clone(),
            y: c.x.clone(),
        };
        m.serialize_entry(
            "precision_recall_curve",
            &Pair("precisions", "recalls", &swapped),
        )?;
    }
    Ok(())
}

impl Serialize for QualityStatistics {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("version", &self.version)?;
        m.serialize_entry(
            "dataset",
            &Dataset {
                item_count: self.item_count,
                evaluation_time: self.evaluation_time.as_deref(),
            },
        )?;
        m.serialize_entry(self.problem_type.metrics_key(), &Metrics(self))?;
        m.end()
    }
}

/// Why a `statistics.json` could not be read as model-quality statistics.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("model-quality statistics.json: {0}")]
pub struct ReadError(pub String);

impl QualityStatistics {
    /// Reads a model-quality `statistics.json` as Model Monitor writes it (unknown metrics are
    /// kept, in file order when the parser keeps it, else sorted).
    pub fn from_json(text: &str) -> Result<Self, ReadError> {
        let v: serde_json::Value =
            serde_json::from_str(text).map_err(|e| ReadError(e.to_string()))?;
        let obj = v
            .as_object()
            .ok_or_else(|| ReadError("not an object".into()))?;
        let (problem_type, metrics) = [
            ProblemType::BinaryClassification,
            ProblemType::MulticlassClassification,
            ProblemType::Regression,
        ]
        .into_iter()
        .find_map(|p| obj.get(p.metrics_key()).map(|m| (p, m)))
        .ok_or_else(|| {
            ReadError("no binary_classification_metrics, multiclass_classification_metrics or regression_metrics".into())
        })?;
        let metrics = metrics
            .as_object()
            .ok_or_else(|| ReadError("metrics are not an object".into()))?;
        let num = |v: &serde_json::Value| -> Result<f64, ReadError> {
            serde_json::from_value::<Double>(v.clone())
                .map(|d| d.0)
                .map_err(|e| ReadError(e.to_string()))
        };
        let nums = |v: Option<&serde_json::Value>| -> Result<Vec<f64>, ReadError> {
            v.and_then(|a| a.as_array())
                .map(|a| a.iter().map(num).collect())
                .unwrap_or_else(|| Ok(Vec::new()))
        };
        let mut out = QualityStatistics {
            version: obj.get("version").map(num).transpose()?.unwrap_or(0.0),
            item_count: obj
                .get("dataset")
                .and_then(|d| d.get("item_count"))
                .and_then(|n| n.as_u64())
                .unwrap_or(0),
            evaluation_time: obj
                .get("dataset")
                .and_then(|d| d.get("evaluation_time"))
                .and_then(|t| t.as_str())
                .map(str::to_string),
            problem_type,
            confusion_matrix: None,
            metrics: Vec::new(),
            roc: None,
            pr: None,
        };
        let order = metric_order(problem_type);
        let mut found: Vec<(String, MetricValue)> = Vec::new();
        for (k, v) in metrics {
            match k.as_str() {
                "confusion_matrix" => {
                    out.confusion_matrix = Some(
                        serde_json::from_value(v.clone()).map_err(|e| ReadError(e.to_string()))?,
                    )
                }
                "receiver_operating_characteristic_curve" => {
                    out.roc = Some(Curve {
                        x: nums(v.get("false_positive_rates"))?,
                        y: nums(v.get("true_positive_rates"))?,
                    })
                }
                "precision_recall_curve" => {
                    out.pr = Some(Curve {
                        x: nums(v.get("recalls"))?,
                        y: nums(v.get("precisions"))?,
                    })
                }
                _ => {
                    let value = v.get("value").map(num).transpose()?.unwrap_or(f64::NAN);
                    let sd = v
                        .get("standard_deviation")
                        .map(num)
                        .transpose()?
                        .unwrap_or(f64::NAN);
                    found.push((
                        k.clone(),
                        MetricValue {
                            value: Double(value),
                            standard_deviation: Double(sd),
                        },
                    ));
                }
            }
        }
        // Known metrics in Model Monitor's order, then any others.
        found.sort_by_key(|(k, _)| order.iter().position(|o| o == k).unwrap_or(usize::MAX));
        out.metrics = found;
        Ok(out)
    }
}

/// Model Monitor's metric order for a problem type (`statistics.json`).
pub fn metric_order(p: ProblemType) -> &'static [&'static str] {
    match p {
        ProblemType::BinaryClassification => &[
            "recall",
            "precision",
            "accuracy",
            "recall_best_constant_classifier",
            "precision_best_constant_classifier",
            "accuracy_best_constant_classifier",
            "true_positive_rate",
            "true_negative_rate",
            "false_positive_rate",
            "false_negative_rate",
            "auc",
            "f0_5",
            "f1",
            "f2",
            "f0_5_best_constant_classifier",
            "f1_best_constant_classifier",
            "f2_best_constant_classifier",
        ],
        ProblemType::MulticlassClassification => &[
            "accuracy",
            "weighted_recall",
            "weighted_precision",
            "weighted_f0_5",
            "weighted_f1",
            "weighted_f2",
            "accuracy_best_constant_classifier",
            "weighted_recall_best_constant_classifier",
            "weighted_precision_best_constant_classifier",
            "weighted_f0_5_best_constant_classifier",
            "weighted_f1_best_constant_classifier",
            "weighted_f2_best_constant_classifier",
        ],
        ProblemType::Regression => &["mae", "mse", "rmse", "r2"],
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        0.0
    } else {
        a / b
    }
}

/// `F_β` from precision and recall (0 when both are 0).
pub fn f_beta(p: f64, r: f64, beta: f64) -> f64 {
    let b2 = beta * beta;
    ratio((1.0 + b2) * p * r, b2 * p + r)
}

/// Scalar binary metrics (no AUC) by name, in [`metric_order`].
fn binary_scalars(b: &BinaryState) -> Vec<(&'static str, f64)> {
    let (tp, fp, tn, fn_) = (b.tp as f64, b.fp as f64, b.tn as f64, b.fn_ as f64);
    let n = tp + fp + tn + fn_;
    let positives = tp + fn_;
    let precision = ratio(tp, tp + fp);
    let recall = ratio(tp, positives);
    let fpr = ratio(fp, fp + tn);
    let accuracy = ratio(tp + tn, n);
    let prevalence = ratio(positives, n);
    let bcc_recall = if positives > 0.0 { 1.0 } else { 0.0 };
    let mut v = vec![
        ("recall", recall),
        ("precision", precision),
        ("accuracy", accuracy),
        ("recall_best_constant_classifier", bcc_recall),
        ("precision_best_constant_classifier", prevalence),
        ("accuracy_best_constant_classifier", prevalence),
        ("true_positive_rate", recall),
        ("true_negative_rate", 1.0 - fpr),
        ("false_positive_rate", fpr),
        ("false_negative_rate", 1.0 - recall),
    ];
    if b.positive_scores.count() > 0 && b.negative_scores.count() > 0 {
        v.push(("auc", roc_auc(b).0));
    }
    v.extend([
        ("f0_5", f_beta(precision, recall, 0.5)),
        ("f1", f_beta(precision, recall, 1.0)),
        ("f2", f_beta(precision, recall, 2.0)),
        (
            "f0_5_best_constant_classifier",
            f_beta(prevalence, bcc_recall, 0.5),
        ),
        (
            "f1_best_constant_classifier",
            f_beta(prevalence, bcc_recall, 1.0),
        ),
        (
            "f2_best_constant_classifier",
            f_beta(prevalence, bcc_recall, 2.0),
        ),
    ]);
    v
}

/// One score threshold: weights of positives and negatives with exactly this score.
struct Group {
    score: f64,
    pos: f64,
    neg: f64,
}

/// Score groups from the two sketches, highest score first.
fn groups(b: &BinaryState) -> Vec<Group> {
    let p = b.positive_scores.to_weighted_sample();
    let n = b.negative_scores.to_weighted_sample();
    let mut out: Vec<Group> = Vec::with_capacity(p.values().len() + n.values().len());
    let (pv, pw, nv, nw) = (p.values(), p.weights(), n.values(), n.weights());
    let (mut i, mut j) = (pv.len(), nv.len());
    while i > 0 || j > 0 {
        let take_p = j == 0 || (i > 0 && pv[i - 1] >= nv[j - 1]);
        let take_n = i == 0 || (j > 0 && nv[j - 1] >= pv[i - 1]);
        let score = if take_p { pv[i - 1] } else { nv[j - 1] };
        let mut g = Group {
            score,
            pos: 0.0,
            neg: 0.0,
        };
        if take_p {
            g.pos = pw[i - 1];
            i -= 1;
        }
        if take_n {
            g.neg = nw[j - 1];
            j -= 1;
        }
        out.push(g);
    }
    out
}

/// AUC with the ROC and precision–recall curves (uncut).
fn roc_auc(b: &BinaryState) -> (f64, Curve, Curve) {
    let gs = groups(b);
    let total_p: f64 = gs.iter().map(|g| g.pos).sum();
    let total_n: f64 = gs.iter().map(|g| g.neg).sum();
    let mut roc = Curve {
        x: vec![0.0],
        y: vec![0.0],
    };
    let mut pr = Curve::default();
    let (mut tp, mut fp, mut area) = (0.0f64, 0.0f64, 0.0f64);
    for g in &gs {
        let (tp0, fp0) = (tp, fp);
        tp += g.pos;
        fp += g.neg;
        area += (fp - fp0) * (tp + tp0) / 2.0;
        roc.x.push(ratio(fp, total_n));
        roc.y.push(ratio(tp, total_p));
        if pr.x.is_empty() {
            pr.x.push(0.0);
            pr.y.push(ratio(tp, tp + fp));
        }
        pr.x.push(ratio(tp, total_p));
        pr.y.push(ratio(tp, tp + fp));
    }
    roc.x.push(1.0);
    roc.y.push(1.0);
    let _ = gs.first().map(|g| g.score);
    (ratio(area, total_p * total_n), roc, pr)
}

/// Keeps at most `max` interior points of a curve (its first and last points always stay).
fn cut(c: Curve, max: usize) -> Curve {
    let n = c.x.len();
    if n <= max + 2 {
        return c;
    }
    let mut out = Curve::default();
    for k in 0..=max + 1 {
        let i = k * (n - 1) / (max + 1);
        out.x.push(c.x[i]);
        out.y.push(c.y[i]);
    }
    out
}

fn multiclass_scalars(m: &MulticlassState) -> Vec<(&'static str, f64)> {
    let classes = m.classes();
    let n = m.count() as f64;
    let actual = |c: &str| -> f64 {
        m.matrix
            .get(c)
            .map(|r| r.values().sum::<u64>())
            .unwrap_or(0) as f64
    };
    let predicted = |c: &str| -> f64 {
        m.matrix
            .values()
            .map(|r| r.get(c).copied().unwrap_or(0))
            .sum::<u64>() as f64
    };
    let hit =
        |c: &str| -> f64 { m.matrix.get(c).and_then(|r| r.get(c)).copied().unwrap_or(0) as f64 };
    let mut acc = 0.0;
    let (mut wp, mut wr, mut w05, mut w1, mut w2) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for c in &classes {
        let (a, p, h) = (actual(c), predicted(c), hit(c));
        let w = ratio(a, n);
        let (prec, rec) = (ratio(h, p), ratio(h, a));
        acc += h;
        wp += w * prec;
        wr += w * rec;
        w05 += w * f_beta(prec, rec, 0.5);
        w1 += w * f_beta(prec, rec, 1.0);
        w2 += w * f_beta(prec, rec, 2.0);
    }
    // Best constant classifier: always the least frequent actual class.
    let bcc = classes
        .iter()
        .filter(|c| actual(c) > 0.0)
        .min_by(|a, b| {
            actual(a)
                .partial_cmp(&actual(b))
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| b.cmp(a))
        })
        .map(|c| ratio(actual(c), n))
        .unwrap_or(0.0);
    vec![
        ("accuracy", ratio(acc, n)),
        ("weighted_recall", wr),
        ("weighted_precision", wp),
        ("weighted_f0_5", w05),
        ("weighted_f1", w1),
        ("weighted_f2", w2),
        ("accuracy_best_constant_classifier", bcc),
        ("weighted_recall_best_constant_classifier", bcc),
        ("weighted_precision_best_constant_classifier", bcc * bcc),
        (
            "weighted_f0_5_best_constant_classifier",
            bcc * f_beta(bcc, 1.0, 0.5),
        ),
        (
            "weighted_f1_best_constant_classifier",
            bcc * f_beta(bcc, 1.0, 1.0),
        ),
        (
            "weighted_f2_best_constant_classifier",
            bcc * f_beta(bcc, 1.0, 2.0),
        ),
    ]
}

fn regression_scalars(r: &RegressionState) -> Vec<(&'static str, f64)> {
    let n = r.n as f64;
    let mse = ratio(r.sum_sq_error, n);
    // Model Monitor's r2 divides by the predictions' spread (see `RegressionState`).
    let r2 = if r.prediction_m2 > 0.0 {
        1.0 - r.sum_sq_error / r.prediction_m2
    } else {
        f64::NAN
    };
    vec![
        ("mae", ratio(r.sum_abs_error, n)),
        ("mse", mse),
        ("rmse", mse.sqrt()),
        ("r2", r2),
    ]
}

/// The textbook coefficient of determination `1 − SSE / Σ(y − ȳ)²` (scikit-learn's
/// `r2_score(y, ŷ)`), which driftline's `summary.json` reports beside Model Monitor's `r2`.
pub fn textbook_r2(r: &RegressionState) -> f64 {
    if r.label_m2 > 0.0 {
        1.0 - r.sum_sq_error / r.label_m2
    } else {
        f64::NAN
    }
}

fn scalars(p: &Part) -> Vec<(&'static str, f64)> {
    match p {
        Part::BinaryClassification(b) => binary_scalars(b),
        Part::MulticlassClassification(m) => multiclass_scalars(m),
        Part::Regression(r) => regression_scalars(r),
    }
}

/// Population standard deviation.
fn pop_std(xs: &[f64]) -> f64 {
    let n = xs.len() as f64;
    if xs.is_empty() {
        return f64::NAN;
    }
    let mean = xs.iter().sum::<f64>() / n;
    (xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n).sqrt()
}

impl QualityState {
    /// The standard error of a metric of the whole window, for driftline's verdict (not the
    /// `standard_deviation` Model Monitor reports, which is given only from 200 pairs up).
    /// `p0` is the value the binomial floor is computed at (the constraint's threshold: the
    /// variance under the null hypothesis, which does not vanish when a small window happens to
    /// score 0 or 1).
    ///
    /// Two estimates, the larger wins:
    /// * from the five 80 % subsamples: a subsample's deviation from the whole has variance
    ///   `(1 − f)/f · σ²/n` for sampling fraction `f` = 0.8 — a quarter of the whole estimate's
    ///   `σ²/n` — so `se ≈ 2 · sd(subsamples)`;
    /// * for a classification metric that is a proportion, the binomial `√(v(1 − v)/m)` with `m`
    ///   the count it is a proportion of (recall: actual positives; precision: predicted
    ///   positives; false positive rate: actual negatives; accuracy: all pairs; F-scores and AUC:
    ///   the smaller class) — a floor where five subsamples of a small window agree by chance.
    pub fn noise_se(&self, name: &str, p0: f64) -> f64 {
        let value = p0;
        let reps: Vec<f64> = self
            .replicas
            .iter()
            .filter_map(|r| {
                scalars(r)
                    .into_iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v)
            })
            .collect();
        let rep_se = if reps.len() == self.replicas.len() && reps.len() > 1 {
            2.0 * pop_std(&reps)
        } else {
            f64::NAN
        };
        let binom = |m: u64| -> f64 {
            if m == 0 || !(0.0..=1.0).contains(&value) {
                f64::NAN
            } else {
                (value * (1.0 - value) / m as f64).sqrt()
            }
        };
        let floor = match &self.full {
            Part::BinaryClassification(b) => {
                let pos = b.tp + b.fn_;
                let neg = b.tn + b.fp;
                let m = match name {
                    "recall" | "true_positive_rate" | "false_negative_rate" => pos,
                    "precision" => b.tp + b.fp,
                    "false_positive_rate" | "true_negative_rate" => neg,
                    "accuracy" => b.count(),
                    "f0_5" | "f1" | "f2" | "auc" => pos.min(neg).max(1),
                    _ => 0,
                };
                binom(m)
            }
            Part::MulticlassClassification(m) => binom(m.count()),
            Part::Regression(_) => f64::NAN,
        };
        match (rep_se.is_finite(), floor.is_finite()) {
            (true, true) => rep_se.max(floor),
            (true, false) => rep_se,
            (false, true) => floor,
            (false, false) => f64::NAN,
        }
    }

    /// The `statistics.json` of this state.
    pub fn statistics(&self, evaluation_time: Option<String>) -> QualityStatistics {
        let n = self.count();
        let full = scalars(&self.full);
        let reps: Vec<Vec<(&'static str, f64)>> = self.replicas.iter().map(scalars).collect();
        let metrics = full
            .iter()
            .map(|(name, v)| {
                let sd = if n >= MIN_SAMPLES_FOR_STD {
                    let xs: Vec<f64> = reps
                        .iter()
                        .filter_map(|r| r.iter().find(|(k, _)| k == name).map(|(_, x)| *x))
                        .collect();
                    if xs.len() == reps.len() {
                        pop_std(&xs)
                    } else {
                        f64::NAN
                    }
                } else {
                    f64::NAN
                };
                (
                    name.to_string(),
                    MetricValue {
                        value: Double(*v),
                        standard_deviation: Double(sd),
                    },
                )
            })
            .collect();
        let (confusion_matrix, roc, pr) = match &self.full {
            Part::BinaryClassification(b) => {
                let cm = BTreeMap::from([
                    (
                        "0".to_string(),
                        BTreeMap::from([("0".to_string(), b.tn), ("1".to_string(), b.fp)]),
                    ),
                    (
                        "1".to_string(),
                        BTreeMap::from([("0".to_string(), b.fn_), ("1".to_string(), b.tp)]),
                    ),
                ]);
                if b.positive_scores.count() > 0 && b.negative_scores.count() > 0 {
                    let (_, roc, pr) = roc_auc(b);
                    (
                        Some(cm),
                        Some(cut(roc, MAX_CURVE_POINTS)),
                        Some(cut(pr, MAX_CURVE_POINTS)),
                    )
                } else {
                    (Some(cm), None, None)
                }
            }
            Part::MulticlassClassification(m) => {
                // Every class in every row, zeros included, as the container writes it.
                let classes = m.classes();
                let cm = classes
                    .iter()
                    .filter(|a| m.matrix.contains_key(**a))
                    .map(|a| {
                        let row = &m.matrix[*a];
                        (
                            a.to_string(),
                            classes
                                .iter()
                                .map(|p| (p.to_string(), row.get(*p).copied().unwrap_or(0)))
                                .collect(),
                        )
                    })
                    .collect();
                (Some(cm), None, None)
            }
            Part::Regression(_) => (None, None, None),
        };
        QualityStatistics {
            version: 0.0,
            item_count: n,
            evaluation_time,
            problem_type: self.problem_type,
            confusion_matrix,
            metrics,
            roc,
            pr,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quality::state::Observation;

    /// The binary example of the Model Monitor documentation ("Model quality metrics"):
    /// confusion `{"0": {"0": 1, "1": 2}, "1": {"0": 0, "1": 1}}` and the figures it prints.
    #[test]
    fn binary_reproduces_the_documented_example() {
        let b = BinaryState {
            tn: 1,
            fp: 2,
            fn_: 0,
            tp: 1,
            ..Default::default()
        };
        let got: BTreeMap<&str, f64> = binary_scalars(&b).into_iter().collect();
        let want = [
            ("recall", "1.0"),
            ("precision", "0.3333333333333333"),
            ("accuracy", "0.5"),
            ("recall_best_constant_classifier", "1.0"),
            ("precision_best_constant_classifier", "0.25"),
            ("accuracy_best_constant_classifier", "0.25"),
            ("true_positive_rate", "1.0"),
            ("true_negative_rate", "0.33333333333333337"),
            ("false_positive_rate", "0.6666666666666666"),
            ("false_negative_rate", "0.0"),
            ("f0_5", "0.3846153846153846"),
            ("f1", "0.5"),
            ("f2", "0.7142857142857143"),
            ("f0_5_best_constant_classifier", "0.29411764705882354"),
            ("f1_best_constant_classifier", "0.4"),
            ("f2_best_constant_classifier", "0.625"),
        ];
        for (k, v) in want {
            assert_eq!(crate::javafmt::java_double(got[k]), v, "{k}: {}", got[k]);
        }
    }

    /// The multiclass example of the same page: confusion `{"0": {"0": 1180, "1": 510}, "1":
    /// {"0": 268, "1": 138}}`.
    #[test]
    fn multiclass_reproduces_the_documented_example() {
        let m = MulticlassState {
            matrix: BTreeMap::from([
                (
                    "0".to_string(),
                    BTreeMap::from([("0".to_string(), 1180), ("1".to_string(), 510)]),
                ),
                (
                    "1".to_string(),
                    BTreeMap::from([("0".to_string(), 268), ("1".to_string(), 138)]),
                ),
            ]),
        };
        let got: BTreeMap<&str, f64> = multiclass_scalars(&m).into_iter().collect();
        let want = [
            ("accuracy", 0.6288167938931297),
            ("weighted_recall", 0.6288167938931297),
            ("weighted_precision", 0.6983172269629505),
            ("weighted_f0_5", 0.6803947317178771),
            ("weighted_f1", 0.6571162346664904),
            ("weighted_f2", 0.6384024354394601),
            ("accuracy_best_constant_classifier", 0.19370229007633588),
            (
                "weighted_recall_best_constant_classifier",
                0.19370229007633588,
            ),
            (
                "weighted_precision_best_constant_classifier",
                0.03752057718081697,
            ),
            (
                "weighted_f0_5_best_constant_classifier",
                0.04473443104152011,
            ),
            ("weighted_f1_best_constant_classifier", 0.06286421244683643),
            ("weighted_f2_best_constant_classifier", 0.10570313141262414),
        ];
        for (k, v) in want {
            assert!((got[k] - v).abs() <= 1e-15, "{k}: {} vs {v}", got[k]);
        }
    }

    #[test]
    fn auc_counts_ties_as_half_and_curves_have_their_ends() {
        let mut s = QualityState::new(ProblemType::BinaryClassification);
        // positives 0.9, 0.5; negatives 0.5, 0.1: pairs (0.9>0.5), (0.9>0.1), (0.5=0.5), (0.5>0.1)
        for (i, (y, sc)) in [(true, 0.9), (true, 0.5), (false, 0.5), (false, 0.1)]
            .into_iter()
            .enumerate()
        {
            s.observe(
                &i.to_string(),
                Observation::Binary {
                    actual: y,
                    predicted: sc >= 0.5,
                    score: Some(sc),
                },
            )
            .unwrap();
        }
        let st = s.statistics(None);
        assert_eq!(st.get("auc").unwrap().value.0, 3.5 / 4.0);
        let roc = st.roc.clone().unwrap();
        assert_eq!(roc.x, [0.0, 0.0, 0.5, 1.0, 1.0]);
        assert_eq!(roc.y, [0.0, 0.5, 1.0, 1.0, 1.0]);
        let pr = st.pr.clone().unwrap();
        assert_eq!(pr.x, [0.0, 0.5, 1.0, 1.0]);
        assert_eq!(pr.y, [1.0, 1.0, 2.0 / 3.0, 0.5]);
        assert!(st.get("auc").unwrap().standard_deviation.0.is_nan());
    }

    #[test]
    fn layout_matches_the_real_regression_file() {
        let real = include_str!("../../tests/data/model_quality/regression_statistics.json");
        let st = QualityStatistics::from_json(real).unwrap();
        assert_eq!(st.problem_type, ProblemType::Regression);
        assert_eq!(st.item_count, 100);
        assert_eq!(st.to_json(), real);
        let card =
            include_str!("../../tests/data/model_quality/model_card_regression_statistics.json");
        let st = QualityStatistics::from_json(card).unwrap();
        assert_eq!(
            st.evaluation_time.as_deref(),
            Some("2023-03-30T21:08:34.729Z")
        );
        assert_eq!(st.to_json(), card);
    }

    /// The real regression `statistics.json` of the SDK's pipeline fixture, recomputed from
    /// the baseline CSV beside it (`Label` is the truth, `Prediction` the prediction).
    #[test]
    fn the_real_regression_statistics_are_reproduced_from_their_csv() {
        let csv = include_str!("../../tests/data/model_quality/baseline_dataset.csv");
        let mut s = QualityState::new(ProblemType::Regression);
        for (i, line) in csv.lines().skip(1).enumerate() {
            let f: Vec<f64> = line.split(',').map(|x| x.parse().unwrap()).collect();
            s.observe(
                &i.to_string(),
                Observation::Regression {
                    actual: f[7],
                    predicted: f[8],
                },
            )
            .unwrap();
        }
        let st = s.statistics(None);
        let real = QualityStatistics::from_json(include_str!(
            "../../tests/data/model_quality/regression_statistics.json"
        ))
        .unwrap();
        assert_eq!(st.item_count, real.item_count);
        for name in ["mae", "mse", "rmse", "r2"] {
            let (a, b) = (
                st.get(name).unwrap().value.0,
                real.get(name).unwrap().value.0,
            );
            assert!(
                (a - b).abs() <= 4.0 * f64::EPSILON * b.abs(),
                "{name}: {a} vs {b}"
            );
            assert!(
                st.get(name).unwrap().standard_deviation.0.is_nan(),
                "100 < 200 rows"
            );
        }
        let Part::Regression(r) = &s.full else {
            panic!()
        };
        // The textbook R² of the same data (numpy, 1 - SSE/SST) is far from Model Monitor's.
        assert!((textbook_r2(r) - -0.3351313969508194).abs() < 1e-12);
    }

    #[test]
    fn curves_are_cut_keeping_their_ends() {
        let c = Curve {
            x: (0..5000).map(|i| i as f64).collect(),
            y: (0..5000).map(|i| i as f64).collect(),
        };
        let k = cut(c, 10);
        assert_eq!(k.x.len(), 12);
        assert_eq!((k.x[0], *k.x.last().unwrap()), (0.0, 4999.0));
    }
}
