//! Performance before the labels arrive: confidence-based estimation (the idea of NannyML's
//! CBPE) for binary classifiers.
//!
//! 1. On the labelled baseline, the scores are calibrated by isotonic regression (pool adjacent
//!    violators): [`Calibration`] maps a score to `P(y = 1 | score)`.
//! 2. For each prediction of a window, the calibrated probability `p` is the expected value of
//!    its label. Summed per predicted class, they give the expected confusion matrix:
//!    `E[TP] = Σ_{ŷ=1} p`, `E[FP] = Σ_{ŷ=1} (1 − p)`, `E[FN] = Σ_{ŷ=0} p`, `E[TN] = Σ_{ŷ=0} (1 − p)`
//!    — plain sums, so [`EstimateState`] merges like every other window state.
//! 3. Accuracy, precision, recall and F1 are computed from the expected counts (ratios of
//!    expectations, an approximation that is close for windows of more than a few dozen
//!    predictions).
//!
//! **Assumption** (stated wherever the estimate is shown): the calibration still holds, i.e.
//! `P(y | score)` has not changed since the baseline. Covariate shift (the inputs move, the
//! model's scores with them) is tracked; concept drift (the same inputs now mean another label)
//! is invisible to it by construction — only the realized metrics, once labels arrive, see it.

use serde::{Deserialize, Serialize};

/// Most knots kept in a calibration (adjacent blocks are merged beyond).
pub const MAX_KNOTS: usize = 512;

/// An isotonic calibration: non-decreasing `P(y = 1 | score)` at increasing scores, linearly
/// interpolated between knots and held constant outside them (scikit-learn's
/// `IsotonicRegression(out_of_bounds="clip")`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Scores, strictly increasing.
    pub scores: Vec<f64>,
    /// Calibrated probabilities, non-decreasing.
    pub probabilities: Vec<f64>,
    /// Pairs it was fitted on.
    pub fitted_on: u64,
}

impl Calibration {
    /// Fits by pool adjacent violators on `(score, label)` pairs (non-finite scores dropped).
    /// `None` without pairs.
    pub fn fit(pairs: &[(f64, bool)]) -> Option<Self> {
        let mut v: Vec<(f64, f64)> = pairs
            .iter()
            .filter(|(s, _)| s.is_finite())
            .map(|(s, y)| (*s, f64::from(u8::from(*y))))
            .collect();
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        // Blocks of equal scores first: (score, sum of labels, weight).
        let mut blocks: Vec<(f64, f64, f64)> = Vec::new();
        for (s, y) in &v {
            match blocks.last_mut() {
                Some(b) if b.0 == *s => {
                    b.1 += y;
                    b.2 += 1.0;
                }
                _ => blocks.push((*s, *y, 1.0)),
            }
        }
        Self::fit_blocks(blocks)
    }

    /// Fits on blocks of equal score `(score, positives, pairs)` in increasing score order
    /// (what [`Calibration::fit`] reduces its pairs to, and what a mergeable
    /// [`ScoreBlocks`](super::partial::ScoreBlocks) keeps). `None` without pairs.
    pub fn fit_blocks<I: IntoIterator<Item = (f64, f64, f64)>>(blocks: I) -> Option<Self> {
        let blocks: Vec<(f64, f64, f64)> = blocks.into_iter().filter(|b| b.2 > 0.0).collect();
        if blocks.is_empty() {
            return None;
        }
        let fitted_on = blocks.iter().map(|b| b.2).sum::<f64>() as u64;
        // PAV: a stack of pooled blocks (mean = sum / weight), each spanning score range.
        struct Pool {
            lo: f64,
            hi: f64,
            sum: f64,
            w: f64,
        }
        let mut stack: Vec<Pool> = Vec::new();
        for (s, sum, w) in blocks {
            stack.push(Pool {
                lo: s,
                hi: s,
                sum,
                w,
            });
            while stack.len() >= 2 {
                let n = stack.len();
                if stack[n - 2].sum / stack[n - 2].w <= stack[n - 1].sum / stack[n - 1].w {
                    break;
                }
                let top = stack.pop()?;
                let below = stack.last_mut()?;
                below.hi = top.hi;
                below.sum += top.sum;
                below.w += top.w;
            }
        }
        // Knots at both ends of each pool (as scikit-learn keeps them), then thinned.
        let mut scores = Vec::new();
        let mut probabilities = Vec::new();
        for p in &stack {
            let m = p.sum / p.w;
            for s in [p.lo, p.hi] {
                if scores.last() != Some(&s) {
                    scores.push(s);
                    probabilities.push(m);
                }
            }
        }
        if scores.len() > MAX_KNOTS {
            let n = scores.len();
            let keep: Vec<usize> = (0..MAX_KNOTS)
                .map(|k| k * (n - 1) / (MAX_KNOTS - 1))
                .collect();
            scores = keep.iter().map(|&i| scores[i]).collect();
            probabilities = keep.iter().map(|&i| probabilities[i]).collect();
        }
        Some(Calibration {
            scores,
            probabilities,
            fitted_on,
        })
    }

    /// True when the knots make a calibration: as many probabilities as scores, at least one,
    /// finite, scores strictly increasing, probabilities in [0, 1] and non-decreasing (a
    /// `calibration.json` read from S3 is checked before use).
    pub fn is_usable(&self) -> bool {
        !self.scores.is_empty()
            && self.scores.len() == self.probabilities.len()
            && self.scores.iter().all(|s| s.is_finite())
            && self.probabilities.iter().all(|p| (0.0..=1.0).contains(p))
            && self.scores.windows(2).all(|w| w[0] < w[1])
            && self.probabilities.windows(2).all(|w| w[0] <= w[1])
    }

    /// `P(y = 1 | score)`.
    pub fn probability(&self, score: f64) -> f64 {
        let (xs, ys) = (&self.scores, &self.probabilities);
        if xs.is_empty() || score.is_nan() {
            return f64::NAN;
        }
        if score <= xs[0] {
            return ys[0];
        }
        let last = xs.len() - 1;
        if score >= xs[last] {
            return ys[last];
        }
        let i = xs.partition_point(|x| *x <= score);
        let (x0, x1, y0, y1) = (xs[i - 1], xs[i], ys[i - 1], ys[i]);
        y0 + (y1 - y0) * (score - x0) / (x1 - x0)
    }
}

/// The expected confusion counts of a window (mergeable sums).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct EstimateState {
    /// Predictions counted.
    pub n: u64,
    /// `Σ_{ŷ=1} p`.
    pub expected_tp: f64,
    /// `Σ_{ŷ=1} (1 − p)`.
    pub expected_fp: f64,
    /// `Σ_{ŷ=0} p`.
    pub expected_fn: f64,
    /// `Σ_{ŷ=0} (1 − p)`.
    pub expected_tn: f64,
}

/// What every estimate rests on, shown wherever one is (summary, e-mail, report).
pub const ASSUMPTION: &str = "estimated from the scores alone (no labels yet): assumes the scores \
are as calibrated as on the labelled baseline, i.e. P(label | score) has not changed; covariate \
shift is tracked, concept drift is not, and the realized metrics replace the estimate once \
labels arrive";

/// The estimate as a window's summary carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstimatedQuality {
    /// The metrics.
    #[serde(flatten)]
    pub metrics: Estimated,
    /// [`ASSUMPTION`].
    pub assumption: String,
}

impl EstimatedQuality {
    /// The summary's form of `state` (`None` without predictions).
    pub fn of(state: &EstimateState) -> Option<Self> {
        state.metrics().map(|metrics| EstimatedQuality {
            metrics,
            assumption: ASSUMPTION.to_string(),
        })
    }
}

/// Estimated metrics of a window.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimated {
    /// Predictions the estimate rests on.
    pub predictions: u64,
    /// Expected accuracy.
    pub accuracy: f64,
    /// Expected precision.
    pub precision: f64,
    /// Expected recall.
    pub recall: f64,
    /// F1 of the expected precision and recall.
    pub f1: f64,
}

impl EstimateState {
    /// Adds one prediction: its predicted label and its score.
    pub fn observe(&mut self, cal: &Calibration, predicted: bool, score: f64) {
        let p = cal.probability(score);
        if !p.is_finite() {
            return;
        }
        self.n += 1;
        if predicted {
            self.expected_tp += p;
            self.expected_fp += 1.0 - p;
        } else {
            self.expected_fn += p;
            self.expected_tn += 1.0 - p;
        }
    }

    /// Merges another window's sums.
    pub fn merge(&mut self, o: &EstimateState) {
        self.n += o.n;
        self.expected_tp += o.expected_tp;
        self.expected_fp += o.expected_fp;
        self.expected_fn += o.expected_fn;
        self.expected_tn += o.expected_tn;
    }

    /// The estimated metrics (`None` without predictions).
    pub fn metrics(&self) -> Option<Estimated> {
        if self.n == 0 {
            return None;
        }
        let r = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
        let (tp, fp, fn_, tn) = (
            self.expected_tp,
            self.expected_fp,
            self.expected_fn,
            self.expected_tn,
        );
        let precision = r(tp, tp + fp);
        let recall = r(tp, tp + fn_);
        Some(Estimated {
            predictions: self.n,
            accuracy: r(tp + tn, tp + fp + fn_ + tn),
            precision,
            recall,
            f1: super::metrics::f_beta(precision, recall, 1.0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pav_pools_violators_and_interpolates() {
        // Labels by score: 0.1→0, 0.2→1, 0.3→0, 0.4→1, 0.5→1: (0.2, 0.3) violate and pool to 0.5.
        let pairs = [
            (0.1, false),
            (0.2, true),
            (0.3, false),
            (0.4, true),
            (0.5, true),
        ];
        let c = Calibration::fit(&pairs).unwrap();
        assert_eq!(c.scores, [0.1, 0.2, 0.3, 0.4, 0.5]);
        assert_eq!(c.probabilities, [0.0, 0.5, 0.5, 1.0, 1.0]);
        assert_eq!(c.probability(0.0), 0.0);
        assert!((c.probability(0.35) - 0.75).abs() < 1e-12);
        assert_eq!(c.probability(9.0), 1.0);
        assert!(Calibration::fit(&[]).is_none());
        assert!(c.is_usable());
        let mut bad = c.clone();
        bad.probabilities[0] = 0.9;
        assert!(!bad.is_usable(), "decreasing");
        bad.probabilities.pop();
        assert!(!bad.is_usable(), "lengths differ");
    }

    #[test]
    fn expected_counts_are_sums_and_merge() {
        let c = Calibration {
            scores: vec![0.0, 1.0],
            probabilities: vec![0.0, 1.0],
            fitted_on: 2,
        };
        let mut a = EstimateState::default();
        let mut b = EstimateState::default();
        a.observe(&c, true, 0.9);
        a.observe(&c, false, 0.2);
        b.observe(&c, true, 0.6);
        a.merge(&b);
        let m = a.metrics().unwrap();
        assert_eq!(m.predictions, 3);
        assert!((a.expected_tp - 1.5).abs() < 1e-12);
        assert!((m.precision - 0.75).abs() < 1e-12);
        assert!((m.recall - 1.5 / 1.7).abs() < 1e-12);
        assert!((m.accuracy - (1.5 + 0.8) / 3.0).abs() < 1e-12);
    }
}
