//! `bench-quality-estimate [WINDOWS]`: the confidence-based estimate's error where the truth is
//! known ([`driftline_bench::estimate`]): per scenario and window size, the mean absolute error
//! of the estimated accuracy and F1 over WINDOWS windows (default 50), with the realized
//! figures' mean. One JSON line per row, for `scripts/bench-quality.sh`.

use driftline_bench::estimate::{calibrate, mean_errors, window, Scenario};

fn main() {
    let windows: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50);
    let cal = calibrate(20_000, 1);
    for s in Scenario::ALL {
        for n in [1_000usize, 10_000] {
            let (acc, f1) = mean_errors(s, &cal, n, windows, 1_000);
            let w = window(s, &cal, n, 999);
            println!(
                "{}",
                serde_json::json!({"scenario": s.describe(), "concept_drift": s.is_concept_drift(),
                    "window": n, "windows": windows, "accuracy_error": acc, "f1_error": f1,
                    "realized_accuracy": w.realized_accuracy, "estimated_accuracy": w.estimated_accuracy,
                    "realized_f1": w.realized_f1, "estimated_f1": w.estimated_f1})
            );
        }
    }
}
