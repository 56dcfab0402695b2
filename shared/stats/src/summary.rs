//! `summary.json`: driftline's machine-readable verdict for one window (or one CLI run).
//!
//! Shared contract between analyze-capture / the CLI (writers) and notify-alarm,
//! start-retraining and the HTML report (readers). Readers must tolerate unknown fields;
//! writers only add fields (bump [`SUMMARY_SCHEMA_VERSION`] on a breaking change).

use crate::formats::statistics::InferredType;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the summary schema written by this build.
pub const SUMMARY_SCHEMA_VERSION: u32 = 1;

/// The window's overall status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Evaluated; no drift by the decision policy.
    Ok,
    /// Evaluated; drift detected in at least one feature.
    Drift,
    /// Fewer records than the configured minimum: no drift verdict.
    InsufficientData,
    /// No baseline for the endpoint: profile recorded, nothing evaluated.
    NoBaseline,
    /// The input could not be read at all (fault recorded in `faults`).
    Error,
}

/// Top-level summary document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// [`SUMMARY_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// SageMaker endpoint name (absent for CLI runs on local files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Production variant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// The window analysed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    /// Overall status.
    pub status: Status,
    /// Records profiled (valid rows).
    pub records: u64,
    /// Records that could not be used (all kinds together).
    pub malformed_records: u64,
    /// True when the decision policy found drift in any feature (false for insufficient data).
    pub drift_detected: bool,
    /// Number of entries in `constraint_violations.json`.
    pub violation_count: u64,
    /// Number of features with `drifted == true`.
    pub drifted_feature_count: u64,
    /// Human-readable reason for the status (e.g. "insufficient data: 12 < 100 records").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Per-feature results, in column order.
    pub features: Vec<FeatureSummary>,
    /// Violations (same content as `constraint_violations.json`, for readers of one file).
    #[serde(default)]
    pub violations: Vec<ViolationSummary>,
    /// Bad-input accounting.
    #[serde(default)]
    pub faults: Faults,
    /// Source objects / files that make up this window.
    #[serde(default)]
    pub sources: Vec<String>,
    /// Where the other report files of this window are (S3 URIs or paths).
    #[serde(default)]
    pub artifacts: BTreeMap<String, String>,
    /// Description of the decision policy that produced `drifted` / `drift_detected`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// The model quality estimated from the window's predictions before their labels arrive
    /// (binary classifiers with a calibration; see [`crate::quality::estimate`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_quality: Option<crate::quality::estimate::EstimatedQuality>,
}

/// Time window (RFC 3339 strings, start inclusive, end exclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// Start, e.g. `2026-11-25T10:00:00Z`.
    pub start: String,
    /// End, e.g. `2026-11-25T11:00:00Z`.
    pub end: String,
}

/// One feature's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureSummary {
    /// Column name.
    pub name: String,
    /// Type inferred in this window.
    pub inferred_type: InferredType,
    /// Type in the baseline, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_type: Option<InferredType>,
    /// Fraction of records with a value (0..=1).
    pub completeness: f64,
    /// Baseline completeness, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_completeness: Option<f64>,
    /// The decision policy's verdict for this feature.
    pub drifted: bool,
    /// Short reasons for the verdict (e.g. "ks p=1e-9 and wasserstein 0.31 > 0.1").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    /// Statistic name (`linf`, `linf_robust`, `ks`, `psi`, `js`, `wasserstein`, `chi2`) → figure.
    pub drift: BTreeMap<String, DriftFigure>,
    /// Current mean (numeric features).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    /// Baseline mean (numeric features).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_mean: Option<f64>,
    /// What the value checks found (range, non-negative, domain), when the feature was checked
    /// ([`crate::values`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<crate::values::ValueFindings>,
}

/// One drift statistic.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DriftFigure {
    /// The statistic's value.
    pub value: f64,
    /// p-value, for statistics that have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_value: Option<f64>,
    /// Threshold the value was compared with, where one applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    /// Error bound from sketch approximation, where one applies (same unit as `value`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_bound: Option<f64>,
}

/// One violation (mirrors `constraint_violations.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViolationSummary {
    /// Feature name.
    pub feature_name: String,
    /// Check type, e.g. `baseline_drift_check`.
    pub constraint_check_type: String,
    /// Description as in the violations file.
    pub description: String,
}

/// Bad-input accounting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Faults {
    /// Kind (e.g. `malformed_json`, `bad_base64`, `column_count`) → count.
    #[serde(default)]
    pub counts: BTreeMap<String, u64>,
    /// A few examples.
    #[serde(default)]
    pub examples: Vec<FaultExample>,
}

/// One example of bad input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultExample {
    /// File or object the line came from.
    pub source: String,
    /// 1-based line number.
    pub line: u64,
    /// Fault kind.
    pub kind: String,
    /// What was wrong.
    pub reason: String,
}
