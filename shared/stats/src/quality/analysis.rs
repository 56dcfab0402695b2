//! One model-quality window's analysis: its state against the model-quality baseline →
//! `statistics.json`, `constraint_violations.json` and driftline's `summary.json` (the figures
//! notify-alarm puts in the e-mail and start-retraining checks).

use super::constraints::{degradation, evaluate, QualityConstraints, QualityViolations};
use super::estimate::{Calibration, EstimatedQuality};
use super::metrics::QualityStatistics;
use super::state::{Part, ProblemType, QualityState};
use crate::summary::Window;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the model-quality `summary.json` written by this build.
pub const QUALITY_SUMMARY_VERSION: u32 = 1;

/// The model-quality baseline: Model Monitor's two files and driftline's calibration.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityBaseline {
    /// `statistics.json` of the labelled baseline, when known.
    pub statistics: Option<QualityStatistics>,
    /// `constraints.json`.
    pub constraints: QualityConstraints,
    /// Score calibration for estimates before the labels arrive (binary, driftline's
    /// `calibration.json`).
    pub calibration: Option<Calibration>,
}

impl QualityBaseline {
    /// Reads the files (constraints suggested from the statistics when absent).
    pub fn from_json(
        statistics: Option<&str>,
        constraints: Option<&str>,
        calibration: Option<&str>,
    ) -> Result<Self, String> {
        let statistics = statistics
            .map(QualityStatistics::from_json)
            .transpose()
            .map_err(|e| e.to_string())?;
        let constraints = match (constraints, &statistics) {
            (Some(c), _) => QualityConstraints::from_json(c).map_err(|e| e.to_string())?,
            (None, Some(s)) => QualityConstraints::suggest(s),
            (None, None) => return Err("neither statistics.json nor constraints.json".into()),
        };
        let calibration = calibration
            .map(serde_json::from_str::<Calibration>)
            .transpose()
            .map_err(|e| format!("calibration.json: {e}"))?;
        Ok(QualityBaseline {
            statistics,
            constraints,
            calibration,
        })
    }

    /// The problem type the constraints are for.
    pub fn problem_type(&self) -> ProblemType {
        self.constraints.problem_type
    }
}

/// Status of a model-quality window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QualityStatus {
    /// Enough labels, no metric significantly worse than its threshold.
    Ok,
    /// A metric is worse than its threshold by more than the window's noise.
    Degraded,
    /// Fewer labelled pairs than the minimum: no verdict.
    InsufficientData,
    /// No model-quality baseline: figures only.
    NoBaseline,
}

/// One metric in the summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualityMetricSummary {
    /// Metric name.
    pub name: String,
    /// Window value.
    pub value: f64,
    /// Over the subsamples (`null` below 200 pairs).
    pub standard_deviation: Option<f64>,
    /// Baseline value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<f64>,
    /// Constraint threshold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    /// Constraint operator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison_operator: Option<String>,
    /// Model Monitor's rule: `value OPERATOR threshold`.
    pub violated: bool,
    /// driftline's verdict: violated by more than the noise ([`degradation`] with
    /// [`QualityState::noise_se`]).
    pub degraded: bool,
}

/// driftline's model-quality `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualitySummary {
    /// [`QUALITY_SUMMARY_VERSION`].
    pub schema_version: u32,
    /// Always `model_quality` (data-quality summaries have no `kind`).
    pub kind: String,
    /// Endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Variant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// The window (by inference time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    /// The verdict.
    pub status: QualityStatus,
    /// The problem type.
    pub problem_type: ProblemType,
    /// Labelled pairs in the window.
    pub matched: u64,
    /// Predictions captured in the window, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predictions: Option<u64>,
    /// Predictions of the window still without a label, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predictions_without_label: Option<u64>,
    /// Labels (of the files merged) without a prediction.
    #[serde(default)]
    pub unmatched_labels: u64,
    /// True when a metric is degraded.
    pub degraded: bool,
    /// Degraded metrics, worst first.
    pub degraded_metrics: Vec<String>,
    /// Model Monitor violations.
    pub violation_count: u64,
    /// Every metric with its baseline and constraint.
    pub metrics: Vec<QualityMetricSummary>,
    /// Actual → predicted → count (classification).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confusion_matrix: Option<BTreeMap<String, BTreeMap<String, u64>>>,
    /// Regression: the textbook R² beside Model Monitor's `r2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r2_textbook: Option<f64>,
    /// Estimated performance from the scores (before the labels), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated: Option<EstimatedQuality>,
    /// The label files merged, in merge order.
    #[serde(default)]
    pub label_sources: Vec<String>,
    /// Join faults (unmatched, duplicate, unusable labels; bad ground-truth lines) with examples.
    #[serde(default)]
    pub faults: crate::summary::Faults,
    /// Why the status is what it is, when not plain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `s3://` URIs of the files of this window.
    #[serde(default)]
    pub artifacts: BTreeMap<String, String>,
}

/// How to analyse a model-quality window.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityOptions {
    /// Fewer labelled pairs: status `insufficient_data`.
    pub min_labels: u64,
    /// Standard errors a metric must be beyond its threshold to be `degraded`.
    pub z: f64,
    /// And at least this much (absolute).
    pub min_effect: f64,
    /// For the summary.
    pub endpoint: Option<String>,
    /// For the summary.
    pub variant: Option<String>,
    /// For the summary.
    pub window: Option<Window>,
    /// For `statistics.json`'s `dataset.evaluation_time`.
    pub evaluation_time: Option<String>,
}

impl Default for QualityOptions {
    fn default() -> Self {
        QualityOptions {
            min_labels: 50,
            // 3.5 standard errors (one-sided 2·10⁻⁴ per metric under normality): a window's dozen
            // correlated metrics, small windows' heavier tails included, stay under 1 % false
            // "degraded" verdicts (measured in the tests below).
            z: 3.5,
            min_effect: 0.01,
            endpoint: None,
            variant: None,
            window: None,
            evaluation_time: None,
        }
    }
}

/// The three files of a model-quality window.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityAnalysis {
    /// `statistics.json`.
    pub statistics: QualityStatistics,
    /// `constraint_violations.json`.
    pub violations: QualityViolations,
    /// `summary.json`.
    pub summary: QualitySummary,
}

impl QualityAnalysis {
    /// `summary.json` text.
    pub fn summary_json(&self) -> String {
        serde_json::to_string_pretty(&self.summary).unwrap_or_default()
    }
}

/// Analyses a window's state against the baseline.
pub fn analyze_quality(
    state: &QualityState,
    baseline: Option<&QualityBaseline>,
    opts: &QualityOptions,
) -> QualityAnalysis {
    let statistics = state.statistics(opts.evaluation_time.clone());
    let matched = state.count();
    let violations = baseline
        .map(|b| evaluate(&statistics, &b.constraints))
        .unwrap_or_default();
    let sufficient = matched >= opts.min_labels.max(1);
    let mut metrics = Vec::new();
    let mut degraded: Vec<(String, f64)> = Vec::new();
    for (name, mv) in &statistics.metrics {
        let c = baseline.and_then(|b| b.constraints.constraints.iter().find(|c| &c.metric == name));
        let violated = violations.violations.iter().any(|v| &v.metric_name == name);
        let gap = c.filter(|_| sufficient).and_then(|c| {
            // The binomial floor under the null hypothesis: at the threshold's value.
            let se = state.noise_se(name, c.threshold);
            degradation(mv.value.0, se, c, opts.z, opts.min_effect)
        });
        if let Some(g) = gap {
            degraded.push((name.clone(), g));
        }
        metrics.push(QualityMetricSummary {
            name: name.clone(),
            value: mv.value.0,
            standard_deviation: Some(mv.standard_deviation.0).filter(|s| s.is_finite()),
            baseline: baseline
                .and_then(|b| b.statistics.as_ref())
                .and_then(|s| s.get(name))
                .map(|m| m.value.0),
            threshold: c.map(|c| c.threshold),
            comparison_operator: c.map(|c| c.comparison.as_str().to_string()),
            violated,
            degraded: gap.is_some(),
        });
    }
    degraded.sort_by(|a, b| b.1.total_cmp(&a.1));
    let (status, reason) = match (baseline, sufficient) {
        (None, _) => (
            QualityStatus::NoBaseline,
            Some("no model-quality baseline (baselines/{endpoint}/model-quality/)".to_string()),
        ),
        (Some(_), false) => (
            QualityStatus::InsufficientData,
            Some(format!(
                "{matched} labelled pairs, fewer than MIN_LABELS={}",
                opts.min_labels
            )),
        ),
        (Some(_), true) if !degraded.is_empty() => (QualityStatus::Degraded, None),
        (Some(_), true) => (QualityStatus::Ok, None),
    };
    let r2_textbook = match &state.full {
        Part::Regression(r) => Some(super::metrics::textbook_r2(r)).filter(|v| v.is_finite()),
        _ => None,
    };
    let summary = QualitySummary {
        schema_version: QUALITY_SUMMARY_VERSION,
        kind: "model_quality".into(),
        endpoint: opts.endpoint.clone(),
        variant: opts.variant.clone(),
        window: opts.window.clone(),
        status,
        problem_type: state.problem_type,
        matched,
        predictions: None,
        predictions_without_label: None,
        unmatched_labels: 0,
        degraded: status == QualityStatus::Degraded,
        degraded_metrics: degraded.into_iter().map(|(n, _)| n).collect(),
        violation_count: violations.violations.len() as u64,
        metrics,
        confusion_matrix: statistics.confusion_matrix.clone(),
        r2_textbook,
        estimated: None,
        label_sources: Vec::new(),
        faults: Default::default(),
        reason,
        artifacts: BTreeMap::new(),
    };
    QualityAnalysis {
        statistics,
        violations,
        summary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quality::state::Observation;

    fn window(n: usize, accuracy: f64) -> QualityState {
        let mut s = QualityState::new(ProblemType::BinaryClassification);
        for i in 0..n {
            let actual = i % 2 == 0;
            let right = (i as f64 * 0.618_033_988_7).fract() < accuracy;
            let predicted = if right { actual } else { !actual };
            let score = if predicted { 0.8 } else { 0.2 } + (i % 10) as f64 / 100.0;
            s.observe(
                &format!("k{i}"),
                Observation::Binary {
                    actual,
                    predicted,
                    score: Some(score),
                },
            )
            .unwrap();
        }
        s
    }

    /// Healthy windows (the baseline's error rates, small and large) are rarely called
    /// degraded; a 25-point accuracy drop always is.
    #[test]
    fn false_degraded_rate_is_low_and_real_drops_are_caught() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut u = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        // Churn-like: 15 % positives, recall 0.5, 5 % false positives.
        let mut gen = |n: usize, extra_error: f64, s: &mut QualityState, tag: &str| {
            for i in 0..n {
                let actual = u() < 0.15;
                let mut predicted = if actual { u() < 0.5 } else { u() < 0.05 };
                if u() < extra_error {
                    predicted = !predicted;
                }
                s.observe(
                    &format!("{tag}{i}"),
                    Observation::Binary {
                        actual,
                        predicted,
                        score: None,
                    },
                )
                .unwrap();
            }
        };
        let mut base = QualityState::new(ProblemType::BinaryClassification);
        gen(20_000, 0.0, &mut base, "b");
        let stats = base.statistics(None);
        let baseline = QualityBaseline {
            constraints: QualityConstraints::suggest(&stats),
            statistics: Some(stats),
            calibration: None,
        };
        let opts = QualityOptions::default();
        let mut flagged = 0;
        let windows = 400;
        for w in 0..windows {
            let n = [60, 100, 250, 1000][w % 4];
            let mut s = QualityState::new(ProblemType::BinaryClassification);
            gen(n, 0.0, &mut s, &format!("w{w}-"));
            let a = analyze_quality(&s, Some(&baseline), &opts);
            flagged += usize::from(a.summary.degraded);
        }
        assert!(
            flagged * 100 <= windows,
            "{flagged} of {windows} healthy windows degraded"
        );
        for w in 0..50 {
            let mut s = QualityState::new(ProblemType::BinaryClassification);
            gen(350, 0.25, &mut s, &format!("d{w}-"));
            assert!(
                analyze_quality(&s, Some(&baseline), &opts).summary.degraded,
                "window {w}"
            );
        }
    }

    #[test]
    fn degraded_needs_enough_labels_and_a_real_drop() {
        let base_stats = window(2000, 0.9).statistics(None);
        let baseline = QualityBaseline {
            constraints: QualityConstraints::suggest(&base_stats),
            statistics: Some(base_stats),
            calibration: None,
        };
        let opts = QualityOptions::default();
        let same = analyze_quality(&window(2000, 0.9), Some(&baseline), &opts);
        assert_eq!(same.summary.status, QualityStatus::Ok, "{:?}", same.summary);
        let worse = analyze_quality(&window(2000, 0.7), Some(&baseline), &opts);
        assert_eq!(worse.summary.status, QualityStatus::Degraded);
        assert!(worse
            .summary
            .degraded_metrics
            .contains(&"accuracy".to_string()));
        assert!(worse.summary.violation_count > 0);
        let acc = worse
            .summary
            .metrics
            .iter()
            .find(|m| m.name == "accuracy")
            .unwrap();
        assert!(acc.violated && acc.degraded && acc.baseline.is_some());
        let few = analyze_quality(&window(20, 0.5), Some(&baseline), &opts);
        assert_eq!(few.summary.status, QualityStatus::InsufficientData);
        assert!(few.summary.degraded_metrics.is_empty());
        let none = analyze_quality(&window(100, 0.9), None, &opts);
        assert_eq!(none.summary.status, QualityStatus::NoBaseline);
        let text = worse.summary_json();
        let back: QualitySummary = serde_json::from_str(&text).unwrap();
        assert_eq!(back, worse.summary);
    }
}
