//! Constraint evaluation: baseline `statistics.json` + `constraints.json` + current
//! `statistics.json` → `constraint_violations.json`, with the six check types of the Model
//! Monitor container, plus the per-feature figures (distances, thresholds) behind them.
//!
//! Rules and their sources (the container itself is closed; the SageMaker guide pages
//! "Schema for Constraints" and "Schema for Violations" describe it, Deequ implements it):
//!
//! * **Configuration** — [`Constraints::effective_config`]: documented defaults, then
//!   `monitoring_config`, then per-feature `monitoring_config_overrides`. `evaluate_constraints`
//!   Disabled (globally or for a feature) produces no violation for it (figures are still
//!   computed); `perform_comparison` Disabled skips the drift computation.
//! * **missing_column_check** — a feature of the constraints that the current statistics lack
//!   (guide: "the number of columns in the current dataset is less than in the baseline"); one
//!   violation per missing column.
//! * **extra_column_check** — a current feature the constraints do not know; one per column.
//! * **data_type_check** — the fraction of the current non-null values whose type is the
//!   baseline's `inferred_type` (Deequ's `DataType` ratio with unknowns ignored) is below
//!   `datatype_check_threshold`. `statistics.json` holds one type per column, so without
//!   per-value counts ([`TypeCounts`], see [`evaluate_with_type_counts`]) the fraction is 1 when
//!   the current inferred type equals the baseline's and 0 otherwise (a column Deequ infers as
//!   Integral contains no Fractional value, and vice versa). Skipped for an Unknown baseline type
//!   and for a current column without values (completeness covers it).
//!   Wording (seen in real output): `Data type match requirement is not met. Expected data
//!   type: Integral, Expected match: 100.0%. Observed: Only 99.71751412429379% of data is
//!   Integral.`
//! * **completeness_check** — current `num_present / (num_present + num_missing)` below the
//!   feature's `completeness` constraint (guide: the completeness "specified per feature" is the
//!   threshold; Deequ's `hasCompleteness(_ >= c)`).
//! * **baseline_drift_check** — numeric features: Deequ's `numericalDistance` between the
//!   baseline and current KLL sketches ([`crate::mm_distance`]), Simple or Robust by
//!   `comparison_method`, violation when `distance > comparison_threshold` (guide: "distance …
//!   greater than … comparison_threshold"). String features: `categorical_drift_method`
//!   LInfinity (same Simple/Robust selection, against `categorical_comparison_threshold`) or
//!   ChiSquared (Deequ's p-value; drift when the p-value is *below* the threshold, as for any
//!   significance test — the guide does not say more). Description
//!   `Baseline drift distance: X exceeds threshold: Y`, parsable by
//!   `distance: (.+) exceeds threshold: (.+)`; for ChiSquared
//!   `Baseline drift chi-squared p-value: X is below threshold: Y`.
//! * **categorical_values_check** — String features with `string_constraints.domains`: the
//!   fraction of current non-null values inside the domain (from the categorical buckets; values
//!   not listed in the buckets count as outside) below `domain_content_threshold` (guide: "more
//!   unknown values … than in the baseline … determined by domain_content_threshold").
//!
//! `num_constraints.is_non_negative` has no check type of its own in the documented schema and
//! is not evaluated. Numbers in descriptions are printed as Java's `Double.toString` would.

use crate::formats::constraints::{
    CategoricalDriftMethod, ComparisonMethod, Constraints, EffectiveConfig, FeatureConstraints,
};
use crate::formats::statistics::{FeatureStatistics, InferredType, Statistics};
use crate::formats::violations::{CheckType, ConstraintViolations, Violation};
use crate::javafmt::java_double;
use crate::mm_distance::{
    categorical_linf, category_counts, chi_squared, numerical_distance, sample_from_sketch,
    ChiSquareResult, DistanceError, MmDistance,
};
use crate::suggest::completeness;
use crate::summary::{DriftFigure, ViolationSummary};
use std::collections::{BTreeMap, HashSet};

/// Per-value type counts of a current column (non-null values only), when the caller has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TypeCounts {
    /// Values matching Deequ's Integral regex.
    pub integral: u64,
    /// Values matching Deequ's Fractional regex.
    pub fractional: u64,
    /// Other non-empty values.
    pub string: u64,
}

impl TypeCounts {
    /// The per-value counts a profile kept for a column.
    pub fn of_profile(p: &crate::profile::FeatureProfile) -> Self {
        let (integral, fractional, string) = p.type_counts();
        TypeCounts {
            integral,
            fractional,
            string,
        }
    }

    /// Type counts of every column of a dataset profile, by name (input of
    /// [`evaluate_with_type_counts`]).
    pub fn of_dataset(p: &crate::profile::DatasetProfile) -> BTreeMap<String, TypeCounts> {
        p.features()
            .iter()
            .map(|f| (f.name().to_string(), TypeCounts::of_profile(f)))
            .collect()
    }

    /// Fraction of the non-null values that are of type `t` (`None` without values).
    pub fn fraction(&self, t: InferredType) -> Option<f64> {
        let total = self.integral + self.fractional + self.string;
        if total == 0 {
            return None;
        }
        let hit = match t {
            InferredType::Integral => self.integral,
            InferredType::Fractional => self.fractional,
            InferredType::String => self.string,
            InferredType::Unknown => 0,
        };
        Some(hit as f64 / total as f64)
    }
}

/// How drift was measured for a feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriftMethod {
    /// L∞ between the KLL sketch CDFs.
    NumericLInfinity,
    /// L∞ between category frequencies.
    CategoricalLInfinity,
    /// Deequ's chi-squared goodness-of-fit p-value.
    CategoricalChiSquared,
}

impl DriftMethod {
    /// Short name (`linf`, `linf_categorical`, `chi_squared`).
    pub fn as_str(self) -> &'static str {
        match self {
            DriftMethod::NumericLInfinity => "linf",
            DriftMethod::CategoricalLInfinity => "linf_categorical",
            DriftMethod::CategoricalChiSquared => "chi_squared",
        }
    }
}

/// The drift figures of one feature.
#[derive(Debug, Clone, PartialEq)]
pub struct DriftEvaluation {
    /// Which distance.
    pub method: DriftMethod,
    /// Simple or Robust (the selection for the L∞ methods).
    pub comparison_method: ComparisonMethod,
    /// L∞, simple (NaN for ChiSquared).
    pub linf: f64,
    /// L∞, robust (NaN for ChiSquared).
    pub linf_robust: f64,
    /// The value compared with `threshold` (the selected L∞, or the chi-squared p-value).
    pub value: f64,
    /// The threshold in force.
    pub threshold: f64,
    /// Baseline sample size (total weight).
    pub n: f64,
    /// Current sample size (total weight).
    pub m: f64,
    /// Chi-squared details, for that method.
    pub chi_squared: Option<ChiSquareResult>,
    /// True when the value is beyond the threshold (above for L∞, below for the p-value).
    pub drifted: bool,
}

/// Everything evaluated for one baseline feature.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureEvaluation {
    /// Column name.
    pub name: String,
    /// Type in the constraints.
    pub baseline_type: InferredType,
    /// Type in the current statistics (`None`: column missing).
    pub current_type: Option<InferredType>,
    /// Current non-null fraction.
    pub completeness: Option<f64>,
    /// Required completeness (the constraint).
    pub baseline_completeness: Option<f64>,
    /// Fraction of current values of the baseline type.
    pub data_type_match: Option<f64>,
    /// Fraction of current values inside the domain (String features with a domain).
    pub domain_match: Option<f64>,
    /// Drift figures (`None` when not compared).
    pub drift: Option<DriftEvaluation>,
    /// Why drift could not be computed, when it was due but failed (e.g. an empty side).
    pub drift_error: Option<String>,
    /// The configuration in force for the feature.
    pub config: EffectiveConfig,
}

/// Result of [`evaluate`].
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// The violations, as written to `constraint_violations.json`.
    pub violations: ConstraintViolations,
    /// Per baseline feature, in constraints order.
    pub features: Vec<FeatureEvaluation>,
    /// Current features the constraints do not know.
    pub extra_columns: Vec<String>,
}

impl FeatureEvaluation {
    /// The drift figures for `summary.json`: `linf` and `linf_robust` (the one compared carries
    /// the threshold) for the L∞ methods, `chi2_mm` (statistic, Deequ p-value, threshold on the
    /// p-value) for ChiSquared. Empty when drift was not compared.
    pub fn drift_figures(&self) -> BTreeMap<String, DriftFigure> {
        let mut out = BTreeMap::new();
        let Some(d) = &self.drift else {
            return out;
        };
        let fig = |value: f64, threshold: Option<f64>| DriftFigure {
            value,
            p_value: None,
            threshold,
            error_bound: None,
        };
        match d.method {
            DriftMethod::CategoricalChiSquared => {
                let statistic = d.chi_squared.as_ref().map_or(f64::NAN, |c| c.statistic);
                out.insert(
                    "chi2_mm".into(),
                    DriftFigure {
                        p_value: Some(d.value),
                        ..fig(statistic, Some(d.threshold))
                    },
                );
            }
            _ => {
                let simple = d.comparison_method == ComparisonMethod::Simple;
                out.insert("linf".into(), fig(d.linf, simple.then_some(d.threshold)));
                out.insert(
                    "linf_robust".into(),
                    fig(d.linf_robust, (!simple).then_some(d.threshold)),
                );
            }
        }
        out
    }
}

impl Evaluation {
    /// The violations as `summary.json` carries them.
    pub fn violation_summaries(&self) -> Vec<ViolationSummary> {
        self.violations
            .violations
            .iter()
            .map(|v| ViolationSummary {
                feature_name: v.feature_name.clone(),
                constraint_check_type: v.constraint_check_type.as_str().to_string(),
                description: v.description.clone(),
            })
            .collect()
    }

    /// The evaluation of the baseline feature called `name`.
    pub fn feature(&self, name: &str) -> Option<&FeatureEvaluation> {
        self.features.iter().find(|f| f.name == name)
    }
}

/// Evaluate `current` against `constraints` (and `baseline`'s distributions for drift).
pub fn evaluate(
    baseline: &Statistics,
    constraints: &Constraints,
    current: &Statistics,
) -> Evaluation {
    evaluate_with_type_counts(baseline, constraints, current, &BTreeMap::new())
}

/// [`evaluate`] with per-value type counts of current columns (by name) for `data_type_check`.
pub fn evaluate_with_type_counts(
    baseline: &Statistics,
    constraints: &Constraints,
    current: &Statistics,
    type_counts: &BTreeMap<String, TypeCounts>,
) -> Evaluation {
    let global = constraints.global_config();
    let base_by_name: BTreeMap<&str, &FeatureStatistics> = baseline
        .features
        .iter()
        .map(|f| (f.name.as_str(), f))
        .collect();
    let cur_by_name: BTreeMap<&str, &FeatureStatistics> = current
        .features
        .iter()
        .map(|f| (f.name.as_str(), f))
        .collect();
    let n_current = current.features.len();
    let n_baseline = constraints.features.len();
    let mut violations = Vec::new();
    let mut features = Vec::new();

    for fc in &constraints.features {
        let config = constraints.effective_config(fc);
        let report = global.evaluate_constraints && config.evaluate_constraints;
        let mut push = |check: CheckType, description: String| {
            if report {
                violations.push(Violation {
                    feature_name: fc.name.clone(),
                    constraint_check_type: check,
                    description,
                });
            }
        };
        let Some(cur) = cur_by_name.get(fc.name.as_str()).copied() else {
            push(
                CheckType::MissingColumnCheck,
                format!(
                    "There are missing columns in current dataset. Number of columns in current dataset: {n_current}, Number of columns in baseline constraints: {n_baseline}"
                ),
            );
            features.push(FeatureEvaluation {
                name: fc.name.clone(),
                baseline_type: fc.inferred_type,
                current_type: None,
                completeness: None,
                baseline_completeness: fc.completeness.map(f64::from),
                data_type_match: None,
                domain_match: None,
                drift: None,
                drift_error: None,
                config,
            });
            continue;
        };
        let mut fe = FeatureEvaluation {
            name: fc.name.clone(),
            baseline_type: fc.inferred_type,
            current_type: Some(cur.inferred_type),
            completeness: completeness(cur),
            baseline_completeness: fc.completeness.map(f64::from),
            data_type_match: None,
            domain_match: None,
            drift: None,
            drift_error: None,
            config,
        };

        // data_type_check
        if fc.inferred_type != InferredType::Unknown && present(cur) > 0 {
            let ratio = match type_counts.get(&fc.name) {
                Some(tc) => tc.fraction(fc.inferred_type),
                None => Some(if cur.inferred_type == fc.inferred_type {
                    1.0
                } else {
                    0.0
                }),
            };
            if let Some(r) = ratio {
                fe.data_type_match = Some(r);
                if r < config.datatype_check_threshold {
                    let t = fc.inferred_type.as_str();
                    push(
                        CheckType::DataTypeCheck,
                        format!(
                            "Data type match requirement is not met. Expected data type: {t}, Expected match: {}%. Observed: Only {}% of data is {t}.",
                            java_double(config.datatype_check_threshold * 100.0),
                            java_double(r * 100.0)
                        ),
                    );
                }
            }
        }

        // completeness_check
        if let (Some(required), Some(observed)) = (fe.baseline_completeness, fe.completeness) {
            if observed < required {
                push(
                    CheckType::CompletenessCheck,
                    format!(
                        "Data completeness requirement is not met. Expected: {}%, Observed: Only {}% of data is available.",
                        java_double(required * 100.0),
                        java_double(observed * 100.0)
                    ),
                );
            }
        }

        // baseline_drift_check
        if config.perform_comparison {
            if let Some(base) = base_by_name.get(fc.name.as_str()).copied() {
                match drift(fc, base, cur, &config) {
                    Ok(Some(d)) => {
                        if d.drifted {
                            let description = match d.method {
                                DriftMethod::CategoricalChiSquared => format!(
                                    "Baseline drift chi-squared p-value: {} is below threshold: {}",
                                    java_double(d.value),
                                    java_double(d.threshold)
                                ),
                                _ => format!(
                                    "Baseline drift distance: {} exceeds threshold: {}",
                                    java_double(d.value),
                                    java_double(d.threshold)
                                ),
                            };
                            push(CheckType::BaselineDriftCheck, description);
                        }
                        fe.drift = Some(d);
                    }
                    Ok(None) => {}
                    Err(e) => fe.drift_error = Some(e.to_string()),
                }
            }
        }

        // categorical_values_check
        if let Some(domain) = fc
            .string_constraints
            .as_ref()
            .and_then(|s| s.domains.as_ref())
            .filter(|d| !d.is_empty())
        {
            if let Some(s) = cur
                .string_statistics
                .as_ref()
                .filter(|s| s.common.num_present > 0)
            {
                let domain: HashSet<&str> = domain.iter().map(String::as_str).collect();
                let inside: u64 = category_counts(s)
                    .iter()
                    .filter(|(k, _)| domain.contains(k.as_str()))
                    .map(|(_, &c)| c)
                    .sum();
                let frac = (inside as f64 / s.common.num_present as f64).min(1.0);
                fe.domain_match = Some(frac);
                if frac < config.domain_content_threshold {
                    push(
                        CheckType::CategoricalValuesCheck,
                        format!(
                            "Data content requirement is not met. Expected: {}% of data within the baseline domain, Observed: Only {}% of data is within the domain.",
                            java_double(config.domain_content_threshold * 100.0),
                            java_double(frac * 100.0)
                        ),
                    );
                }
            }
        }
        features.push(fe);
    }

    // extra_column_check
    let known: HashSet<&str> = constraints
        .features
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    let mut extra_columns = Vec::new();
    for f in &current.features {
        if !known.contains(f.name.as_str()) {
            extra_columns.push(f.name.clone());
            if global.evaluate_constraints {
                violations.push(Violation {
                    feature_name: f.name.clone(),
                    constraint_check_type: CheckType::ExtraColumnCheck,
                    description: format!(
                        "There are extra columns in current dataset. Number of columns in current dataset: {n_current}, Number of columns in baseline constraints: {n_baseline}"
                    ),
                });
            }
        }
    }

    Evaluation {
        violations: ConstraintViolations { violations },
        features,
        extra_columns,
    }
}

fn present(f: &FeatureStatistics) -> u64 {
    crate::suggest::presence(f).map(|p| p.0).unwrap_or(0)
}

/// Drift of one feature; `Ok(None)` when the two sides are not comparable (no sketch or
/// buckets, or a type change between numeric and String).
fn drift(
    fc: &FeatureConstraints,
    base: &FeatureStatistics,
    cur: &FeatureStatistics,
    config: &EffectiveConfig,
) -> Result<Option<DriftEvaluation>, DistanceError> {
    if fc.inferred_type.is_numeric() {
        let sketch = |f: &FeatureStatistics| {
            f.numerical_statistics
                .as_ref()
                .and_then(|n| n.distribution.as_ref())
                .map(|d| sample_from_sketch(&d.kll.sketch))
        };
        let (Some(b), Some(c)) = (sketch(base), sketch(cur)) else {
            return Ok(None);
        };
        let d = numerical_distance(&b, &c, config.comparison_method)?;
        return Ok(Some(linf_eval(
            DriftMethod::NumericLInfinity,
            d,
            config.comparison_threshold,
        )));
    }
    if fc.inferred_type != InferredType::String {
        return Ok(None);
    }
    let (Some(bs), Some(cs)) = (
        base.string_statistics.as_ref(),
        cur.string_statistics.as_ref(),
    ) else {
        return Ok(None);
    };
    let (bc, cc) = (category_counts(bs), category_counts(cs));
    if bc.is_empty() || cc.is_empty() {
        return Ok(None);
    }
    let threshold = config.categorical_comparison_threshold;
    match config.categorical_drift_method {
        CategoricalDriftMethod::LInfinity => {
            let d = categorical_linf(&bc, &cc, config.comparison_method)?;
            Ok(Some(linf_eval(
                DriftMethod::CategoricalLInfinity,
                d,
                threshold,
            )))
        }
        CategoricalDriftMethod::ChiSquared => {
            let r = chi_squared(&bc, &cc)?;
            let n: f64 = bc.values().map(|&c| c as f64).sum();
            let m: f64 = cc.values().map(|&c| c as f64).sum();
            Ok(Some(DriftEvaluation {
                method: DriftMethod::CategoricalChiSquared,
                comparison_method: config.comparison_method,
                linf: f64::NAN,
                linf_robust: f64::NAN,
                value: r.p_value,
                threshold,
                n,
                m,
                drifted: r.p_value < threshold,
                chi_squared: Some(r),
            }))
        }
    }
}

fn linf_eval(method: DriftMethod, d: MmDistance, threshold: f64) -> DriftEvaluation {
    DriftEvaluation {
        method,
        comparison_method: d.method,
        linf: d.linf_simple,
        linf_robust: d.linf_robust,
        value: d.distance,
        threshold,
        n: d.n,
        m: d.m,
        chi_squared: None,
        drifted: d.distance > threshold,
    }
}
