//! The confidence-based estimate tracks the realized metrics under covariate shift and visibly
//! fails under concept drift (the limit the summaries, e-mail and report state).

use driftline_bench::estimate::{calibrate, mean_errors, window, Scenario};

#[test]
fn estimate_tracks_covariate_shift() {
    let cal = calibrate(20_000, 1);
    for s in [
        Scenario::Unchanged,
        Scenario::ScoresUp,
        Scenario::ScoresDown,
    ] {
        let (acc, f1) = mean_errors(s, &cal, 5_000, 20, 100);
        assert!(acc < 0.015, "{s:?}: accuracy off by {acc} on average");
        assert!(f1 < 0.025, "{s:?}: F1 off by {f1} on average");
    }
    // The shifts are real: the realized F1 moves by far more than the estimate's error, and
    // the estimate moves with it.
    let base = window(Scenario::Unchanged, &cal, 20_000, 7);
    for s in [Scenario::ScoresUp, Scenario::ScoresDown] {
        let w = window(s, &cal, 20_000, 7);
        assert!(
            (w.realized_f1 - base.realized_f1).abs() > 0.1,
            "{s:?}: {w:?}"
        );
        assert!(
            (w.estimated_f1 - base.estimated_f1).abs() > 0.1,
            "{s:?}: {w:?}"
        );
    }
}

#[test]
fn estimate_misses_concept_drift() {
    let cal = calibrate(20_000, 1);
    for s in [Scenario::LabelsFlipped, Scenario::RelationWeakened] {
        let w = window(s, &cal, 20_000, 9);
        let healthy = window(Scenario::Unchanged, &cal, 20_000, 9);
        // The estimate sees the same scores as on a healthy day...
        assert!(
            (w.estimated_accuracy - healthy.estimated_accuracy).abs() < 0.01,
            "{s:?}: {w:?}"
        );
        // ...while the realized accuracy has dropped well below it.
        assert!(
            w.estimated_accuracy - w.realized_accuracy > 0.05,
            "{s:?}: {w:?}"
        );
    }
}
