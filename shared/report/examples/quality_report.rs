//! `cargo run -p driftline-report --example quality_report -- OUT_DIR`: a model-quality report
//! for the browser check (scripts/ci/70-browser.sh): a binary window whose accuracy fell below
//! its baseline's constraint, with scores (ROC curve), a confusion matrix and the estimate made
//! before the labels. Writes `OUT_DIR/quality-report.html` and `OUT_DIR/quality-expected.json`
//! (the elements the check must find drawn).

use driftline_report::render_quality_html;
use driftline_stats::quality::analysis::{analyze_quality, QualityBaseline, QualityOptions};
use driftline_stats::quality::constraints::QualityConstraints;
use driftline_stats::quality::estimate::{Estimated, EstimatedQuality, ASSUMPTION};
use driftline_stats::quality::state::{Observation, ProblemType, QualityState};
use std::path::PathBuf;

/// `n` pairs; every `wrong_every`-th prediction is wrong; scores spread with the truth.
fn window(n: u32, wrong_every: u32) -> QualityState {
    let mut s = QualityState::new(ProblemType::BinaryClassification);
    for i in 0..n {
        let actual = i % 2 == 0;
        let predicted = if i % wrong_every == 0 {
            !actual
        } else {
            actual
        };
        // Deterministic scores on both sides of 0.5, by the prediction.
        let jitter = f64::from(i % 97) / 97.0 * 0.45;
        let score = if predicted {
            0.55 + jitter
        } else {
            0.45 - jitter
        };
        s.observe(
            &format!("id-{i}"),
            Observation::Binary {
                actual,
                predicted,
                score: Some(score),
            },
        )
        .map_err(|e| std::io::Error::other(e.to_string()))
        .expect("binary observations fit a binary state");
    }
    s
}

fn main() -> std::io::Result<()> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    std::fs::create_dir_all(&out)?;
    let base = window(2_000, 10).statistics(None);
    let baseline = QualityBaseline {
        constraints: QualityConstraints::suggest(&base),
        statistics: Some(base),
        calibration: None,
    };
    let mut a = analyze_quality(&window(600, 3), Some(&baseline), &QualityOptions::default());
    a.summary.predictions = Some(640);
    a.summary.predictions_without_label = Some(40);
    a.summary.estimated = Some(EstimatedQuality {
        metrics: Estimated {
            predictions: 640,
            accuracy: 0.88,
            precision: 0.87,
            recall: 0.9,
            f1: 0.885,
        },
        assumption: ASSUMPTION.to_string(),
    });
    std::fs::write(
        out.join("quality-report.html"),
        render_quality_html(&a.summary, &a.statistics),
    )?;
    let expected = serde_json::json!({
        "features": [],
        "elements": [
            {"selector": "#metrics table", "text": "accuracy"},
            {"selector": "#estimate table", "text": "estimated"},
            {"selector": "#confusion table"},
            {"selector": "#roc svg", "img": true, "drawn": "path"},
        ]
    });
    std::fs::write(
        out.join("quality-expected.json"),
        serde_json::to_string_pretty(&expected)?,
    )?;
    println!("{}", out.join("quality-report.html").display());
    Ok(())
}
