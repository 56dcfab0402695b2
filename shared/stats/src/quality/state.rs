//! Mergeable model-quality state: what a window needs to compute Model Monitor's model-quality
//! metrics without keeping the joined rows.
//!
//! * Binary: the confusion counts at the probability threshold, and the scores of the positive
//!   and of the negative examples in two KLL sketches (exact while a class has at most 2,050
//!   scores; beyond, the AUC is within `ε+ + ε−` of the exact value, the sketches' normalised
//!   rank errors — see [`BinaryState::auc_error_bound`]).
//! * Multiclass: the confusion matrix (actual → predicted → count), at most
//!   [`MAX_CLASSES`] classes.
//! * Regression: counts and sums of the errors (`Σ|e|`, `Σe²`) and the label's mean and sum of
//!   squared deviations (Chan's parallel update, so merges are exact up to rounding).
//!
//! Model Monitor gives each metric a standard deviation from five random 80 % subsamples. To
//! keep that mergeable, the five subsamples here are fixed by the join key: a record belongs to
//! subsample `r` when a hash of its key and `r` falls in 80 % of the range. Each subsample keeps
//! its own state ([`QualityState::replicas`]), so merging windows merges the subsamples too, and
//! a record is in the same subsamples whichever file or invocation saw it.

use crate::kll::KllSketch;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Number of subsamples behind each metric's standard deviation (Model Monitor: 5).
pub const REPLICAS: usize = 5;
/// Fraction of the records in each subsample (Model Monitor: 80 %), in tenths.
pub const REPLICA_TENTHS: u64 = 8;
/// KLL `k` of the subsamples' score sketches. The subsamples only give the AUC's standard
/// deviation, so they need less accuracy than the full state's sketches ([`KllSketch`]'s
/// default, 2048): at 512 a subsample holds about a quarter of the scores (memory and stored
/// size of a window shrink about 3x) and is still exact up to about 520 scores per class.
pub const REPLICA_SCORE_K: usize = 512;
/// Most classes a multiclass window keeps; labels beyond are counted as faults by the caller.
pub const MAX_CLASSES: usize = 256;

/// The three problem types of Model Monitor's model-quality monitoring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProblemType {
    /// `BinaryClassification`: labels 0/1, optional score.
    BinaryClassification,
    /// `MulticlassClassification`: labels are class names.
    MulticlassClassification,
    /// `Regression`: labels are numbers.
    Regression,
}

impl ProblemType {
    /// Model Monitor's spelling (`BinaryClassification`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemType::BinaryClassification => "BinaryClassification",
            ProblemType::MulticlassClassification => "MulticlassClassification",
            ProblemType::Regression => "Regression",
        }
    }

    /// Reads Model Monitor's spelling or the CLI's (`binary`, `multiclass`, `regression`), any
    /// case.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "binaryclassification" | "binary" | "binary_classification" => {
                Some(ProblemType::BinaryClassification)
            }
            "multiclassclassification" | "multiclass" | "multiclass_classification" => {
                Some(ProblemType::MulticlassClassification)
            }
            "regression" => Some(ProblemType::Regression),
            _ => None,
        }
    }

    /// The key of the metrics object in `statistics.json` (`binary_classification_metrics`, …).
    pub fn metrics_key(self) -> &'static str {
        match self {
            ProblemType::BinaryClassification => "binary_classification_metrics",
            ProblemType::MulticlassClassification => "multiclass_classification_metrics",
            ProblemType::Regression => "regression_metrics",
        }
    }

    /// The key of the constraints object in `constraints.json`.
    pub fn constraints_key(self) -> &'static str {
        match self {
            ProblemType::BinaryClassification => "binary_classification_constraints",
            ProblemType::MulticlassClassification => "multiclass_classification_constraints",
            ProblemType::Regression => "regression_constraints",
        }
    }
}

/// Binary classification: confusion counts and per-class score sketches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct BinaryState {
    /// Actual 1, predicted 1.
    pub tp: u64,
    /// Actual 0, predicted 1.
    pub fp: u64,
    /// Actual 0, predicted 0.
    pub tn: u64,
    /// Actual 1, predicted 0.
    #[serde(rename = "fn")]
    pub fn_: u64,
    /// Scores of the actual positives.
    pub positive_scores: KllSketch,
    /// Scores of the actual negatives.
    pub negative_scores: KllSketch,
}

impl BinaryState {
    /// An empty state whose score sketches have KLL parameter `k`.
    pub fn with_score_k(k: usize) -> Self {
        BinaryState {
            positive_scores: KllSketch::with_params(k, crate::kll::DEFAULT_C),
            negative_scores: KllSketch::with_params(k, crate::kll::DEFAULT_C),
            ..Default::default()
        }
    }

    fn observe(&mut self, actual: bool, predicted: bool, score: Option<f64>) {
        match (actual, predicted) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (false, false) => self.tn += 1,
            (true, false) => self.fn_ += 1,
        }
        if let Some(s) = score.filter(|s| s.is_finite()) {
            if actual {
                self.positive_scores.update(s);
            } else {
                self.negative_scores.update(s);
            }
        }
    }

    fn merge(&mut self, o: &BinaryState) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.tn += o.tn;
        self.fn_ += o.fn_;
        self.positive_scores.merge(&o.positive_scores);
        self.negative_scores.merge(&o.negative_scores);
    }

    /// Records counted.
    pub fn count(&self) -> u64 {
        self.tp + self.fp + self.tn + self.fn_
    }

    /// Upper bound of `|AUC − exact AUC|` from the sketches: the sum of the two sketches'
    /// normalised rank errors (0 while both are exact). Follows from `AUC = ∫ F− dF+` with both
    /// CDFs within their rank error of the exact ones.
    pub fn auc_error_bound(&self) -> f64 {
        self.positive_scores.normalized_rank_error() + self.negative_scores.normalized_rank_error()
    }
}

/// Multiclass classification: the confusion matrix, actual → predicted → count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct MulticlassState {
    /// Actual class → predicted class → count.
    pub matrix: BTreeMap<String, BTreeMap<String, u64>>,
}

impl MulticlassState {
    /// Every class seen (actual or predicted), sorted.
    pub fn classes(&self) -> Vec<&str> {
        let mut c: Vec<&str> = self.matrix.keys().map(String::as_str).collect();
        for row in self.matrix.values() {
            c.extend(row.keys().map(String::as_str));
        }
        c.sort_unstable();
        c.dedup();
        c
    }

    fn knows(&self, class: &str) -> bool {
        self.matrix.contains_key(class) || self.matrix.values().any(|r| r.contains_key(class))
    }

    fn observe(&mut self, actual: &str, predicted: &str) {
        *self
            .matrix
            .entry(actual.to_string())
            .or_default()
            .entry(predicted.to_string())
            .or_insert(0) += 1;
    }

    fn merge(&mut self, o: &MulticlassState) {
        for (a, row) in &o.matrix {
            let mine = self.matrix.entry(a.clone()).or_default();
            for (p, n) in row {
                *mine.entry(p.clone()).or_insert(0) += n;
            }
        }
    }

    /// Records counted.
    pub fn count(&self) -> u64 {
        self.matrix.values().flat_map(|r| r.values()).sum()
    }
}

/// Regression: error sums and the moments of the labels and of the predictions.
///
/// Both moments are kept because Model Monitor's `r2` is `1 − SSE / Σ(ŷ − mean ŷ)²` (the
/// prediction's spread, as if label and prediction were swapped: the real SDK fixture
/// `model_quality/statistics.json` is reproduced from its baseline CSV only that way), while
/// the textbook R² (scikit-learn's `r2_score(y, ŷ)`) divides by the labels' spread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct RegressionState {
    /// Pairs counted.
    pub n: u64,
    /// `Σ |y − ŷ|`.
    pub sum_abs_error: f64,
    /// `Σ (y − ŷ)²`.
    pub sum_sq_error: f64,
    /// Mean of the labels.
    pub label_mean: f64,
    /// `Σ (y − ȳ)²` of the labels (Welford / Chan).
    pub label_m2: f64,
    /// Mean of the predictions.
    #[serde(default)]
    pub prediction_mean: f64,
    /// `Σ (ŷ − mean ŷ)²` of the predictions.
    #[serde(default)]
    pub prediction_m2: f64,
}

impl RegressionState {
    fn observe(&mut self, y: f64, yhat: f64) {
        let e = y - yhat;
        self.n += 1;
        self.sum_abs_error += e.abs();
        self.sum_sq_error += e * e;
        let d = y - self.label_mean;
        self.label_mean += d / self.n as f64;
        self.label_m2 += d * (y - self.label_mean);
        let d = yhat - self.prediction_mean;
        self.prediction_mean += d / self.n as f64;
        self.prediction_m2 += d * (yhat - self.prediction_mean);
    }

    fn merge(&mut self, o: &RegressionState) {
        if o.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = o.clone();
            return;
        }
        let (na, nb) = (self.n as f64, o.n as f64);
        let n = na + nb;
        let d = o.label_mean - self.label_mean;
        self.label_mean += d * nb / n;
        self.label_m2 += o.label_m2 + d * d * na * nb / n;
        let d = o.prediction_mean - self.prediction_mean;
        self.prediction_mean += d * nb / n;
        self.prediction_m2 += o.prediction_m2 + d * d * na * nb / n;
        self.n += o.n;
        self.sum_abs_error += o.sum_abs_error;
        self.sum_sq_error += o.sum_sq_error;
    }
}

/// The state of one problem type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "problem_type", content = "state")]
#[allow(clippy::large_enum_variant)] // one per window, never in bulk
pub enum Part {
    /// Binary classification.
    BinaryClassification(BinaryState),
    /// Multiclass classification.
    MulticlassClassification(MulticlassState),
    /// Regression.
    Regression(RegressionState),
}

impl Part {
    fn new(problem: ProblemType) -> Self {
        match problem {
            ProblemType::BinaryClassification => Part::BinaryClassification(Default::default()),
            ProblemType::MulticlassClassification => {
                Part::MulticlassClassification(Default::default())
            }
            ProblemType::Regression => Part::Regression(Default::default()),
        }
    }

    /// An empty subsample part (smaller score sketches, [`REPLICA_SCORE_K`]).
    fn new_replica(problem: ProblemType) -> Self {
        match problem {
            ProblemType::BinaryClassification => {
                Part::BinaryClassification(BinaryState::with_score_k(REPLICA_SCORE_K))
            }
            other => Part::new(other),
        }
    }

    fn merge(&mut self, o: &Part) -> Result<(), QualityError> {
        match (self, o) {
            (Part::BinaryClassification(a), Part::BinaryClassification(b)) => a.merge(b),
            (Part::MulticlassClassification(a), Part::MulticlassClassification(b)) => a.merge(b),
            (Part::Regression(a), Part::Regression(b)) => a.merge(b),
            _ => return Err(QualityError::ProblemTypeMismatch),
        }
        Ok(())
    }

    /// Records counted.
    pub fn count(&self) -> u64 {
        match self {
            Part::BinaryClassification(b) => b.count(),
            Part::MulticlassClassification(m) => m.count(),
            Part::Regression(r) => r.n,
        }
    }
}

/// Why an observation or a merge was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QualityError {
    /// Two states of different problem types.
    #[error("cannot merge model-quality states of different problem types")]
    ProblemTypeMismatch,
    /// The observation does not fit the problem type (e.g. a class name for regression).
    #[error("{0}")]
    BadObservation(String),
    /// A multiclass window would exceed [`MAX_CLASSES`].
    #[error("more than {MAX_CLASSES} classes")]
    TooManyClasses,
}

/// One joined pair, as the problem type needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Observation<'a> {
    /// Actual and predicted label (0/1) and the score, when the output has one.
    Binary {
        /// Ground truth.
        actual: bool,
        /// Predicted label.
        predicted: bool,
        /// Predicted probability of class 1.
        score: Option<f64>,
    },
    /// Actual and predicted class.
    Multiclass {
        /// Ground truth.
        actual: &'a str,
        /// Predicted class.
        predicted: &'a str,
    },
    /// Actual and predicted value.
    Regression {
        /// Ground truth.
        actual: f64,
        /// Prediction.
        predicted: f64,
    },
}

/// A window's (or a baseline's) model-quality state: the whole and the five subsamples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualityState {
    /// The problem type.
    pub problem_type: ProblemType,
    /// Every pair.
    pub full: Part,
    /// The subsamples behind the standard deviations.
    pub replicas: Vec<Part>,
}

/// 64-bit FNV-1a of a join key: which subsamples a record belongs to.
pub fn key_hash(key: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// True when the record with this key hash belongs to subsample `r` (80 % of keys do).
pub fn in_replica(hash: u64, r: usize) -> bool {
    // SplitMix64 finaliser of the hash and the subsample number: independent per subsample.
    let mut z = hash ^ (0x9E37_79B9_7F4A_7C15u64.wrapping_mul(r as u64 + 1));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    z % 10 < REPLICA_TENTHS
}

impl QualityState {
    /// An empty state.
    pub fn new(problem_type: ProblemType) -> Self {
        QualityState {
            problem_type,
            full: Part::new(problem_type),
            replicas: (0..REPLICAS)
                .map(|_| Part::new_replica(problem_type))
                .collect(),
        }
    }

    /// Pairs counted.
    pub fn count(&self) -> u64 {
        self.full.count()
    }

    /// Adds one joined pair; `key` (the join key) decides its subsamples.
    pub fn observe(&mut self, key: &str, obs: Observation<'_>) -> Result<(), QualityError> {
        self.observe_hashed(key_hash(key), obs)
    }

    /// [`QualityState::observe`] with the key already hashed (any well-mixed 64-bit hash of
    /// the join key; the subsample choice mixes it again).
    pub fn observe_hashed(&mut self, hash: u64, obs: Observation<'_>) -> Result<(), QualityError> {
        if let (Part::MulticlassClassification(m), Observation::Multiclass { actual, predicted }) =
            (&self.full, obs)
        {
            let new = usize::from(!m.knows(actual))
                + usize::from(predicted != actual && !m.knows(predicted));
            if new > 0 && m.classes().len() + new > MAX_CLASSES {
                return Err(QualityError::TooManyClasses);
            }
        }
        observe_part(&mut self.full, obs)?;
        for (r, part) in self.replicas.iter_mut().enumerate() {
            if in_replica(hash, r) {
                observe_part(part, obs)?;
            }
        }
        Ok(())
    }

    /// Merges another state of the same problem type.
    pub fn merge(&mut self, o: &QualityState) -> Result<(), QualityError> {
        if self.problem_type != o.problem_type {
            return Err(QualityError::ProblemTypeMismatch);
        }
        self.full.merge(&o.full)?;
        for (a, b) in self.replicas.iter_mut().zip(&o.replicas) {
            a.merge(b)?;
        }
        Ok(())
    }
}

fn observe_part(part: &mut Part, obs: Observation<'_>) -> Result<(), QualityError> {
    match (part, obs) {
        (
            Part::BinaryClassification(b),
            Observation::Binary {
                actual,
                predicted,
                score,
            },
        ) => b.observe(actual, predicted, score),
        (Part::MulticlassClassification(m), Observation::Multiclass { actual, predicted }) => {
            m.observe(actual, predicted)
        }
        (Part::Regression(r), Observation::Regression { actual, predicted }) => {
            if !actual.is_finite() || !predicted.is_finite() {
                return Err(QualityError::BadObservation(format!(
                    "regression values must be finite (label {actual}, prediction {predicted})"
                )));
            }
            r.observe(actual, predicted)
        }
        (_, o) => {
            return Err(QualityError::BadObservation(format!(
                "observation {o:?} does not fit the problem type"
            )))
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replicas_hold_about_80_percent_each_and_differ() {
        let n = 20_000;
        let mut counts = [0u64; REPLICAS];
        let mut same_as_first = 0;
        for i in 0..n {
            let h = key_hash(&format!("event-{i}"));
            for (r, c) in counts.iter_mut().enumerate() {
                *c += u64::from(in_replica(h, r));
            }
            same_as_first += u64::from(in_replica(h, 0) == in_replica(h, 1));
        }
        for c in counts {
            let f = c as f64 / n as f64;
            assert!((f - 0.8).abs() < 0.01, "{f}");
        }
        // Independent subsamples agree on 0.8² + 0.2² = 68 % of keys.
        let agree = same_as_first as f64 / n as f64;
        assert!((agree - 0.68).abs() < 0.02, "{agree}");
    }

    #[test]
    fn merge_equals_one_pass() {
        let mut one = QualityState::new(ProblemType::Regression);
        let mut a = QualityState::new(ProblemType::Regression);
        let mut b = QualityState::new(ProblemType::Regression);
        for i in 0..1000 {
            let y = (i as f64 * 0.37).sin() * 10.0 + 100.0;
            let obs = Observation::Regression {
                actual: y,
                predicted: y + (i % 7) as f64 - 3.0,
            };
            let k = format!("k{i}");
            one.observe(&k, obs).unwrap();
            if i % 3 == 0 { &mut a } else { &mut b }
                .observe(&k, obs)
                .unwrap();
        }
        a.merge(&b).unwrap();
        let (Part::Regression(x), Part::Regression(y)) = (&one.full, &a.full) else {
            panic!()
        };
        assert_eq!(x.n, y.n);
        assert!((x.label_mean - y.label_mean).abs() < 1e-9);
        assert!((x.label_m2 - y.label_m2).abs() / x.label_m2 < 1e-12);
        assert!((x.sum_sq_error - y.sum_sq_error).abs() < 1e-9);
        for (p, q) in one.replicas.iter().zip(&a.replicas) {
            assert_eq!(p.count(), q.count());
        }
        assert_eq!(
            a.merge(&QualityState::new(ProblemType::BinaryClassification)),
            Err(QualityError::ProblemTypeMismatch)
        );
    }

    #[test]
    fn bad_observations_and_class_limit() {
        let mut s = QualityState::new(ProblemType::Regression);
        assert!(s
            .observe(
                "k",
                Observation::Binary {
                    actual: true,
                    predicted: true,
                    score: None
                }
            )
            .is_err());
        assert!(s
            .observe(
                "k",
                Observation::Regression {
                    actual: f64::NAN,
                    predicted: 1.0
                }
            )
            .is_err());
        let mut m = QualityState::new(ProblemType::MulticlassClassification);
        for i in 0..MAX_CLASSES {
            let c = i.to_string();
            m.observe(
                &c,
                Observation::Multiclass {
                    actual: &c,
                    predicted: &c,
                },
            )
            .unwrap();
        }
        assert_eq!(
            m.observe(
                "x",
                Observation::Multiclass {
                    actual: "new",
                    predicted: "0"
                }
            ),
            Err(QualityError::TooManyClasses)
        );
        assert!(m
            .observe(
                "y",
                Observation::Multiclass {
                    actual: "1",
                    predicted: "0"
                }
            )
            .is_ok());
        assert!(ProblemType::parse("Binary") == Some(ProblemType::BinaryClassification));
    }
}
