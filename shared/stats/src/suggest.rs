//! Baseline constraint suggestion: `statistics.json` → `constraints.json`, as the Model Monitor
//! container suggests it.
//!
//! Verified against the real pair in the SageMaker Python SDK fixtures
//! (`tests/data/pipeline/quality_check_step/data_quality/statistics.json` →
//! `good_cases/constraints.json`, see `tests/mm_suggest.rs`: the suggestion written with
//! [`Constraints::to_json`] equals the real file byte for byte). Rules:
//!
//! * every feature of the statistics, in order, with its `inferred_type`;
//! * `completeness = num_present / (num_present + num_missing)` (0.0 for a column without any
//!   row), as Deequ's `Completeness` (non-null fraction) and the suggested `completeness : 1.0`
//!   of the fixture;
//! * Integral / Fractional: `num_constraints.is_non_negative = (min >= 0)` (Deequ's
//!   `NonNegativeNumbersRule` suggests `isNonNegative` when the minimum is ≥ 0; the container
//!   writes the flag, `true` in the fixture). Without a minimum (no value) nothing is written;
//! * String: `string_constraints.domains` when Deequ's `CategoricalRangeRule` applies — the
//!   column has a full histogram (Deequ computes one only when the number of distinct values is
//!   at most `lowCardinalityHistogramThreshold` = 120; here: `distinct_count <= 120` and the
//!   categorical buckets cover every present value) and at most 10 % of the distinct values
//!   occur exactly once (`uniqueValueRatio <= 0.1`). The domain lists the values by descending
//!   count (Deequ's default category sorter), ties by value so the output is deterministic;
//! * `monitoring_config`: `evaluate_constraints` and `emit_metrics` Enabled,
//!   `datatype_check_threshold` and `domain_content_threshold` 1.0, `distribution_constraints`
//!   `{perform_comparison: Enabled, comparison_threshold: 0.1, comparison_method: Robust}` —
//!   exactly the block of the real file. The real container does not write
//!   `categorical_comparison_threshold` / `categorical_drift_method`; their documented defaults
//!   (`comparison_threshold` = 0.1 and `LInfinity`) apply, see
//!   [`Constraints::effective_config`]. [`SuggestOptions::categorical`] writes them
//!   explicitly.

use crate::double::Double;
use crate::formats::constraints::{
    CategoricalDriftMethod, ComparisonMethod, Constraints, DistributionConstraints,
    FeatureConstraints, MonitoringConfig, NumConstraints, StringConstraints, Toggle,
};
use crate::formats::statistics::{FeatureStatistics, InferredType, Statistics};
use std::collections::BTreeMap;

/// Deequ's `lowCardinalityHistogramThreshold`: histograms (and so domains) only up to this many
/// distinct values.
pub const LOW_CARDINALITY_HISTOGRAM_THRESHOLD: u64 = 120;
/// Deequ's `CategoricalRangeRule` limit on the fraction of distinct values seen only once.
pub const MAX_UNIQUE_VALUE_RATIO: f64 = 0.1;

/// Options of [`suggest_constraints_with`].
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SuggestOptions {
    /// Also write `categorical_comparison_threshold` and `categorical_drift_method` (the real
    /// container leaves them out).
    pub categorical: Option<(f64, CategoricalDriftMethod)>,
}

/// Constraints suggested for a baseline, with the real container's defaults.
pub fn suggest_constraints(stats: &Statistics) -> Constraints {
    suggest_constraints_with(stats, &SuggestOptions::default())
}

/// [`suggest_constraints`] with options.
pub fn suggest_constraints_with(stats: &Statistics, options: &SuggestOptions) -> Constraints {
    Constraints {
        version: Double(0.0),
        features: stats.features.iter().map(suggest_feature).collect(),
        monitoring_config: Some(MonitoringConfig {
            evaluate_constraints: Toggle::Enabled,
            emit_metrics: Toggle::Enabled,
            datatype_check_threshold: Some(Double(1.0)),
            domain_content_threshold: Some(Double(1.0)),
            distribution_constraints: Some(DistributionConstraints {
                perform_comparison: Some(Toggle::Enabled),
                comparison_threshold: Some(Double(0.1)),
                comparison_method: Some(ComparisonMethod::Robust),
                categorical_comparison_threshold: options.categorical.map(|c| Double(c.0)),
                categorical_drift_method: options.categorical.map(|c| c.1),
                enable_comparisons: None,
                min_domain_mass: None,
            }),
        }),
    }
}

/// `(num_present, num_missing)` of a feature, whichever section carries them.
pub fn presence(f: &FeatureStatistics) -> Option<(u64, u64)> {
    if let Some(n) = &f.numerical_statistics {
        return Some((n.common.num_present, n.common.num_missing));
    }
    f.string_statistics
        .as_ref()
        .map(|s| (s.common.num_present, s.common.num_missing))
}

/// Non-null fraction of a feature (`None` without counts or rows).
pub fn completeness(f: &FeatureStatistics) -> Option<f64> {
    let (present, missing) = presence(f)?;
    let total = present + missing;
    (total > 0).then(|| present as f64 / total as f64)
}

fn suggest_feature(f: &FeatureStatistics) -> FeatureConstraints {
    let num_constraints = if f.inferred_type.is_numeric() {
        f.numerical_statistics
            .as_ref()
            .filter(|n| n.common.num_present > 0 && !n.min.0.is_nan())
            .map(|n| NumConstraints {
                is_non_negative: Some(n.min.0 >= 0.0),
            })
    } else {
        None
    };
    let string_constraints = if f.inferred_type == InferredType::String {
        domain(f).map(|d| StringConstraints {
            domains: Some(d),
            monitoring_config_overrides: None,
        })
    } else {
        None
    };
    FeatureConstraints {
        name: f.name.clone(),
        inferred_type: f.inferred_type,
        completeness: Some(Double(completeness(f).unwrap_or(0.0))),
        num_constraints,
        string_constraints,
        monitoring_config_overrides: None,
    }
}

/// The domain Deequ's `CategoricalRangeRule` would suggest, or `None` when it does not apply.
pub fn domain(f: &FeatureStatistics) -> Option<Vec<String>> {
    let s = f.string_statistics.as_ref()?;
    let buckets = &s.distribution.as_ref()?.categorical.buckets;
    if buckets.is_empty() || s.distinct_count.0 > LOW_CARDINALITY_HISTOGRAM_THRESHOLD as f64 {
        return None;
    }
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    for b in buckets {
        *counts.entry(b.value.as_str()).or_insert(0) += b.count;
    }
    // A full histogram only: the buckets must account for every present value.
    let covered: u64 = counts.values().sum();
    if covered != s.common.num_present {
        return None;
    }
    let singles = counts.values().filter(|&&c| c == 1).count();
    if singles as f64 / counts.len() as f64 > MAX_UNIQUE_VALUE_RATIO {
        return None;
    }
    let mut entries: Vec<(&str, u64)> = counts.into_iter().collect();
    entries.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    Some(entries.into_iter().map(|(v, _)| v.to_string()).collect())
}

/// The files of a baseline directory made from a training-set profile, as `(file name, text)`:
/// `statistics.json` and the suggested `constraints.json` in Model Monitor's formats, and
/// driftline's value constraints ([`crate::values::FILE_NAME`]: training ranges and domains,
/// in their own file because Model Monitor reads `constraints.json` as it is). Whoever builds a
/// baseline (`driftline baseline`, the profile-shard merge) writes these same three files.
pub fn baseline_documents(profile: &crate::profile::DatasetProfile) -> [(&'static str, String); 3] {
    let statistics = profile.to_statistics();
    let constraints = suggest_constraints(&statistics);
    [
        (
            "statistics.json",
            crate::jackson::to_string_pretty(&statistics),
        ),
        (
            "constraints.json",
            crate::jackson::to_string_pretty(&constraints),
        ),
        (
            crate::values::FILE_NAME,
            crate::values::ValueConstraints::suggest(&statistics).to_json(),
        ),
    ]
}
