//! `constraints.json` as SageMaker Model Monitor writes and reads it (data-quality baseline).
//!
//! Schema: "Schema for Constraints (constraints.json file)" in the SageMaker developer guide
//! (`model-monitor-byoc-constraints`). Field order of the types below is the order the real
//! container writes (checked against the SDK fixture
//! `tests/data/pipeline/quality_check_step/data_quality/good_cases/constraints.json`), so the
//! Jackson-style writer reproduces the real layout.
//!
//! Reading is tolerant of what older containers and SDKs wrote:
//! * `string_constraints.monitoring_config_overrides` (2019 SDK fixture) and a feature-level
//!   override object spelled `monitoring_config_overrides` or `monitoringConfigOverrides`
//!   (the documented schema);
//! * the obsolete `distribution_constraints` keys `enable_comparisons` and `min_domain_mass`
//!   (kept when present so a file round-trips, never written by [`crate::suggest`]);
//! * the misspelling `comparion_method` (it is in the documented schema of older guide
//!   versions and in real files), read as `comparison_method`; writing always uses the
//!   correct spelling;
//! * `comparison_method` values `linf_simple` / `linf_robust` (the guide's prose names) as well
//!   as `Simple` / `Robust`.
//!
//! Unknown keys are ignored.

use crate::double::Double;
use crate::formats::statistics::InferredType;
use serde::{Deserialize, Serialize};

/// The whole `constraints.json` document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Constraints {
    /// Always `0.0` in files the service writes.
    #[serde(default)]
    pub version: Double,
    /// One entry per baseline column, in column order.
    #[serde(default)]
    pub features: Vec<FeatureConstraints>,
    /// Global monitoring options (absent in hand-written files: the documented defaults apply).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitoring_config: Option<MonitoringConfig>,
}

/// Constraints of one feature (column).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureConstraints {
    /// Column name.
    pub name: String,
    /// The type the baseline inferred; `data_type_check` compares the current data with it.
    pub inferred_type: InferredType,
    /// Fraction of non-null values required (`completeness_check`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completeness: Option<Double>,
    /// Numeric constraints (Integral / Fractional columns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_constraints: Option<NumConstraints>,
    /// String constraints (String columns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string_constraints: Option<StringConstraints>,
    /// Per-feature overrides of [`MonitoringConfig`] (documented as `monitoringConfigOverrides`).
    #[serde(
        default,
        alias = "monitoringConfigOverrides",
        skip_serializing_if = "Option::is_none"
    )]
    pub monitoring_config_overrides: Option<MonitoringConfigOverrides>,
}

/// `num_constraints`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct NumConstraints {
    /// True when every baseline value was `>= 0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_non_negative: Option<bool>,
}

/// `string_constraints`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct StringConstraints {
    /// Observed values of a low-cardinality column (`categorical_values_check`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domains: Option<Vec<String>>,
    /// Per-feature overrides as the 2019 SDK fixture places them (inside `string_constraints`).
    #[serde(
        default,
        alias = "monitoringConfigOverrides",
        skip_serializing_if = "Option::is_none"
    )]
    pub monitoring_config_overrides: Option<MonitoringConfigOverrides>,
}

/// `Enabled` / `Disabled` switches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Toggle {
    /// On (the documented default of every switch).
    #[default]
    Enabled,
    /// Off.
    Disabled,
}

impl Toggle {
    /// True for [`Toggle::Enabled`].
    pub fn is_enabled(self) -> bool {
        self == Toggle::Enabled
    }
}

/// `comparison_method`: which L∞ distance is compared with `comparison_threshold`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum ComparisonMethod {
    /// `linf_simple`: the maximum absolute difference between the two CDFs.
    #[serde(alias = "linf_simple")]
    Simple,
    /// `linf_robust`: `max(0, linf_simple − c(α)·sqrt((n+m)/(n·m)))`, c(α) = 1.8 (the default).
    #[default]
    #[serde(alias = "linf_robust")]
    Robust,
}

/// `categorical_drift_method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum CategoricalDriftMethod {
    /// L∞ between the category frequencies (the documented default).
    #[default]
    LInfinity,
    /// Deequ's chi-squared goodness-of-fit test (drift when its p-value is below the threshold).
    ChiSquared,
}

/// `monitoring_config`: global options of the monitoring job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonitoringConfig {
    /// Evaluate constraints at all.
    #[serde(default)]
    pub evaluate_constraints: Toggle,
    /// Emit CloudWatch metrics.
    #[serde(default)]
    pub emit_metrics: Toggle,
    /// Minimum fraction of values of the baseline type (suggested 1.0; documented default 0.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datatype_check_threshold: Option<Double>,
    /// Minimum fraction of String values inside the baseline domain (suggested 1.0; default 0.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_content_threshold: Option<Double>,
    /// Drift comparison options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution_constraints: Option<DistributionConstraints>,
}

/// `distribution_constraints`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct DistributionConstraints {
    /// Compare distributions at all (default Enabled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perform_comparison: Option<Toggle>,
    /// Drift threshold (default 0.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison_threshold: Option<Double>,
    /// Simple or Robust L∞ (read also from the misspelt `comparion_method`).
    #[serde(
        default,
        alias = "comparion_method",
        skip_serializing_if = "Option::is_none"
    )]
    pub comparison_method: Option<ComparisonMethod>,
    /// Threshold for categorical features (default: `comparison_threshold`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categorical_comparison_threshold: Option<Double>,
    /// Method for categorical features (default LInfinity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categorical_drift_method: Option<CategoricalDriftMethod>,
    /// Obsolete (2019 SDK fixture); kept for round-trips, ignored by evaluation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_comparisons: Option<bool>,
    /// Obsolete (2019 SDK fixture); kept for round-trips, ignored by evaluation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_domain_mass: Option<Double>,
}

/// Per-feature overrides: every field optional, a present one replaces the global value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct MonitoringConfigOverrides {
    /// Evaluate this feature's constraints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluate_constraints: Option<Toggle>,
    /// Emit this feature's metrics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emit_metrics: Option<Toggle>,
    /// Data-type threshold for this feature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datatype_check_threshold: Option<Double>,
    /// Domain-content threshold for this feature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_content_threshold: Option<Double>,
    /// Drift options for this feature (field by field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution_constraints: Option<DistributionConstraints>,
}

/// Documented default of `datatype_check_threshold` and `domain_content_threshold` when a file
/// leaves them out (the suggestion itself writes 1.0).
pub const DEFAULT_CONTENT_THRESHOLD: f64 = 0.1;
/// Documented default of `comparison_threshold`.
pub const DEFAULT_COMPARISON_THRESHOLD: f64 = 0.1;

/// The monitoring options in force for one feature, with every default and override applied.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EffectiveConfig {
    /// Evaluate this feature's constraints.
    pub evaluate_constraints: bool,
    /// Emit this feature's metrics.
    pub emit_metrics: bool,
    /// Minimum fraction of values of the baseline type.
    pub datatype_check_threshold: f64,
    /// Minimum fraction of values inside the domain.
    pub domain_content_threshold: f64,
    /// Compare distributions.
    pub perform_comparison: bool,
    /// Threshold of numeric drift.
    pub comparison_threshold: f64,
    /// Simple or Robust.
    pub comparison_method: ComparisonMethod,
    /// Threshold of categorical drift.
    pub categorical_comparison_threshold: f64,
    /// LInfinity or ChiSquared.
    pub categorical_drift_method: CategoricalDriftMethod,
}

impl DistributionConstraints {
    /// `self` with every field that `over` sets replaced.
    fn overlaid(&self, over: &DistributionConstraints) -> DistributionConstraints {
        DistributionConstraints {
            perform_comparison: over.perform_comparison.or(self.perform_comparison),
            comparison_threshold: over.comparison_threshold.or(self.comparison_threshold),
            comparison_method: over.comparison_method.or(self.comparison_method),
            categorical_comparison_threshold: over
                .categorical_comparison_threshold
                .or(self.categorical_comparison_threshold),
            categorical_drift_method: over
                .categorical_drift_method
                .or(self.categorical_drift_method),
            enable_comparisons: over.enable_comparisons.or(self.enable_comparisons),
            min_domain_mass: over.min_domain_mass.or(self.min_domain_mass),
        }
    }
}

/// Why a `constraints.json` / `constraint_violations.json` text could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// The text is not valid JSON of the expected schema.
    #[error("cannot read {file}: {source}")]
    Parse {
        /// Which file kind.
        file: &'static str,
        /// The JSON error (with line and column).
        source: serde_json::Error,
    },
    /// Serialisation failed.
    #[error("cannot write {file}: {source}")]
    Write {
        /// Which file kind.
        file: &'static str,
        /// The writer's error.
        source: crate::jackson::JacksonError,
    },
}

impl Constraints {
    /// Parse a `constraints.json` text (tolerant of older spellings, see the module docs).
    pub fn from_json(text: &str) -> Result<Self, FormatError> {
        serde_json::from_str(text).map_err(|source| FormatError::Parse {
            file: "constraints.json",
            source,
        })
    }

    /// The document in the container's Jackson layout (`"key" : value`, 2-space indent, doubles
    /// as Java prints them, no final newline).
    pub fn to_json(&self) -> Result<String, FormatError> {
        crate::jackson::try_to_string_pretty(self).map_err(|source| FormatError::Write {
            file: "constraints.json",
            source,
        })
    }

    /// The constraints of the feature called `name`.
    pub fn feature(&self, name: &str) -> Option<&FeatureConstraints> {
        self.features.iter().find(|f| f.name == name)
    }

    /// The global options with the documented defaults filled in.
    pub fn global_config(&self) -> EffectiveConfig {
        resolve(self.monitoring_config.as_ref(), None, None)
    }

    /// The options in force for `feature`: documented defaults, then `monitoring_config`, then
    /// the overrides inside `string_constraints`, then the feature-level overrides.
    pub fn effective_config(&self, feature: &FeatureConstraints) -> EffectiveConfig {
        resolve(
            self.monitoring_config.as_ref(),
            feature
                .string_constraints
                .as_ref()
                .and_then(|s| s.monitoring_config_overrides.as_ref()),
            feature.monitoring_config_overrides.as_ref(),
        )
    }
}

fn resolve(
    global: Option<&MonitoringConfig>,
    inner: Option<&MonitoringConfigOverrides>,
    outer: Option<&MonitoringConfigOverrides>,
) -> EffectiveConfig {
    let mut evaluate = global.map(|g| g.evaluate_constraints).unwrap_or_default();
    let mut emit = global.map(|g| g.emit_metrics).unwrap_or_default();
    let mut datatype = global.and_then(|g| g.datatype_check_threshold);
    let mut domain = global.and_then(|g| g.domain_content_threshold);
    let mut dist = global
        .and_then(|g| g.distribution_constraints.clone())
        .unwrap_or_default();
    for o in [inner, outer].into_iter().flatten() {
        evaluate = o.evaluate_constraints.unwrap_or(evaluate);
        emit = o.emit_metrics.unwrap_or(emit);
        datatype = o.datatype_check_threshold.or(datatype);
        domain = o.domain_content_threshold.or(domain);
        if let Some(d) = &o.distribution_constraints {
            dist = dist.overlaid(d);
        }
    }
    let comparison_threshold = dist
        .comparison_threshold
        .map(f64::from)
        .unwrap_or(DEFAULT_COMPARISON_THRESHOLD);
    EffectiveConfig {
        evaluate_constraints: evaluate.is_enabled(),
        emit_metrics: emit.is_enabled(),
        datatype_check_threshold: datatype.map(f64::from).unwrap_or(DEFAULT_CONTENT_THRESHOLD),
        domain_content_threshold: domain.map(f64::from).unwrap_or(DEFAULT_CONTENT_THRESHOLD),
        perform_comparison: dist.perform_comparison.unwrap_or_default().is_enabled(),
        comparison_threshold,
        comparison_method: dist.comparison_method.unwrap_or_default(),
        categorical_comparison_threshold: dist
            .categorical_comparison_threshold
            .map(f64::from)
            .unwrap_or(comparison_threshold),
        categorical_drift_method: dist.categorical_drift_method.unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspelt_comparison_method_is_read_and_written_correctly() {
        let c: DistributionConstraints =
            serde_json::from_str(r#"{"comparion_method": "Simple"}"#).unwrap();
        assert_eq!(c.comparison_method, Some(ComparisonMethod::Simple));
        let out = serde_json::to_string(&c).unwrap();
        assert_eq!(out, r#"{"comparison_method":"Simple"}"#);
        let c: DistributionConstraints =
            serde_json::from_str(r#"{"comparison_method": "linf_robust"}"#).unwrap();
        assert_eq!(c.comparison_method, Some(ComparisonMethod::Robust));
    }

    #[test]
    fn overrides_replace_only_what_they_set() {
        let json = r#"{
          "version": 0.0,
          "features": [{"name": "a", "inferred_type": "String",
             "string_constraints": {"domains": ["x"],
                "monitoring_config_overrides": {"evaluate_constraints": "Disabled"}},
             "monitoringConfigOverrides": {"distribution_constraints": {"comparison_threshold": 0.3}}}],
          "monitoring_config": {"evaluate_constraints": "Enabled", "emit_metrics": "Enabled",
             "datatype_check_threshold": 0.5,
             "distribution_constraints": {"perform_comparison": "Enabled", "comparison_threshold": 0.2,
                "categorical_drift_method": "ChiSquared"}}
        }"#;
        let c: Constraints = serde_json::from_str(json).unwrap();
        let g = c.global_config();
        assert_eq!(g.comparison_threshold, 0.2);
        // categorical threshold defaults to comparison_threshold (documented).
        assert_eq!(g.categorical_comparison_threshold, 0.2);
        assert_eq!(g.domain_content_threshold, DEFAULT_CONTENT_THRESHOLD);
        let e = c.effective_config(&c.features[0]);
        assert!(!e.evaluate_constraints);
        assert!(e.emit_metrics);
        assert_eq!(e.datatype_check_threshold, 0.5);
        assert_eq!(e.comparison_threshold, 0.3);
        assert_eq!(e.categorical_comparison_threshold, 0.3);
        assert_eq!(
            e.categorical_drift_method,
            CategoricalDriftMethod::ChiSquared
        );
        assert_eq!(e.comparison_method, ComparisonMethod::Robust);
    }
}
