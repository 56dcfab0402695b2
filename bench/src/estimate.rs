//! Where the confidence-based estimate holds and where it fails, on data whose truth is known:
//! a binary classifier whose scores are calibrated on a labelled baseline
//! (`P(y = 1 | s) = 0.05 + 0.9 s^1.5`, scores Beta(2, 2)), then windows of production traffic
//! under covariate shift (the scores move, `P(y | s)` stays) and under concept drift (`P(y | s)`
//! changes). Each window's estimated accuracy and F1 (from the scores alone) are compared with
//! the realized ones (from the labels the generator also drew).
//!
//! ```
//! use driftline_bench::estimate::{calibrate, window, Scenario};
//! let cal = calibrate(20_000, 1);
//! let w = window(Scenario::ScoresUp, &cal, 5_000, 2);
//! assert!((w.estimated_accuracy - w.realized_accuracy).abs() < 0.03);
//! ```

use driftline_capture::quality::estimate_prediction;
use driftline_stats::quality::estimate::{Calibration, EstimateState};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Beta, Distribution};

/// The probability threshold of the classifier.
pub const THRESHOLD: f64 = 0.5;

/// Production traffic relative to the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// Same as the baseline.
    Unchanged,
    /// Covariate shift: scores Beta(5, 2) (more positives predicted), `P(y | s)` unchanged.
    ScoresUp,
    /// Covariate shift: scores Beta(2, 5), `P(y | s)` unchanged.
    ScoresDown,
    /// Concept drift: scores as on the baseline, 30 % of the labels flipped.
    LabelsFlipped,
    /// Concept drift: scores as on the baseline, the relation halved towards a coin toss
    /// (`P(y | s) = 0.25 + f(s) / 2`).
    RelationWeakened,
}

impl Scenario {
    /// Every scenario, in report order.
    pub const ALL: [Scenario; 5] = [
        Scenario::Unchanged,
        Scenario::ScoresUp,
        Scenario::ScoresDown,
        Scenario::LabelsFlipped,
        Scenario::RelationWeakened,
    ];

    /// A name for tables.
    pub fn describe(self) -> &'static str {
        match self {
            Scenario::Unchanged => "no shift",
            Scenario::ScoresUp => "covariate shift: scores Beta(5,2)",
            Scenario::ScoresDown => "covariate shift: scores Beta(2,5)",
            Scenario::LabelsFlipped => "concept drift: 30 % of labels flipped",
            Scenario::RelationWeakened => "concept drift: the score-label relation halved",
        }
    }

    /// True for the scenarios the estimate cannot see.
    pub fn is_concept_drift(self) -> bool {
        matches!(self, Scenario::LabelsFlipped | Scenario::RelationWeakened)
    }
}

/// The baseline's `P(y = 1 | s)`.
fn truth(s: f64) -> f64 {
    0.05 + 0.9 * s.powf(1.5)
}

/// Draws `(score, label)` pairs of a scenario.
fn draw(scenario: Scenario, n: usize, rng: &mut StdRng) -> Vec<(f64, bool)> {
    let (a, b) = match scenario {
        Scenario::ScoresUp => (5.0, 2.0),
        Scenario::ScoresDown => (2.0, 5.0),
        _ => (2.0, 2.0),
    };
    let scores = Beta::new(a, b).expect("valid Beta parameters");
    (0..n)
        .map(|_| {
            let s: f64 = scores.sample(rng);
            let p = match scenario {
                Scenario::RelationWeakened => 0.25 + truth(s) / 2.0,
                _ => truth(s),
            };
            let mut y = rng.random::<f64>() < p;
            if scenario == Scenario::LabelsFlipped && rng.random::<f64>() < 0.3 {
                y = !y;
            }
            (s, y)
        })
        .collect()
}

/// The calibration fitted on `n` labelled baseline pairs.
pub fn calibrate(n: usize, seed: u64) -> Calibration {
    let mut rng = StdRng::seed_from_u64(seed);
    Calibration::fit(&draw(Scenario::Unchanged, n, &mut rng)).expect("baseline pairs")
}

/// One window's estimated and realized figures.
#[derive(Debug, Clone, Copy)]
pub struct WindowFigures {
    /// Accuracy estimated from the scores.
    pub estimated_accuracy: f64,
    /// Accuracy of the labels.
    pub realized_accuracy: f64,
    /// F1 estimated from the scores.
    pub estimated_f1: f64,
    /// F1 of the labels.
    pub realized_f1: f64,
}

/// A window of `n` predictions of `scenario`, estimated with `cal`.
pub fn window(scenario: Scenario, cal: &Calibration, n: usize, seed: u64) -> WindowFigures {
    let mut rng = StdRng::seed_from_u64(seed);
    let pairs = draw(scenario, n, &mut rng);
    let mut est = EstimateState::default();
    let (mut tp, mut fp, mut fn_, mut tn) = (0u64, 0u64, 0u64, 0u64);
    for (s, y) in &pairs {
        estimate_prediction(&mut est, cal, None, Some(*s), THRESHOLD);
        match (*y, *s >= THRESHOLD) {
            (true, true) => tp += 1,
            (false, true) => fp += 1,
            (true, false) => fn_ += 1,
            (false, false) => tn += 1,
        }
    }
    let m = est.metrics().expect("a non-empty window");
    let f = |x: u64| x as f64;
    WindowFigures {
        estimated_accuracy: m.accuracy,
        realized_accuracy: f(tp + tn) / f(tp + fp + fn_ + tn),
        estimated_f1: m.f1,
        realized_f1: 2.0 * f(tp) / (2.0 * f(tp) + f(fp) + f(fn_)),
    }
}

/// Mean absolute estimation error of accuracy and F1 over `windows` windows of `n`.
pub fn mean_errors(
    scenario: Scenario,
    cal: &Calibration,
    n: usize,
    windows: u64,
    seed: u64,
) -> (f64, f64) {
    let (mut acc, mut f1) = (0.0, 0.0);
    for w in 0..windows {
        let fig = window(scenario, cal, n, seed.wrapping_add(w));
        acc += (fig.estimated_accuracy - fig.realized_accuracy).abs();
        f1 += (fig.estimated_f1 - fig.realized_f1).abs();
    }
    (acc / windows as f64, f1 / windows as f64)
}
