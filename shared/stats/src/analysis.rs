//! One window's analysis: a merged profile (plus its bad-input accounting) against a baseline,
//! producing the three files Model Monitor users know (`statistics.json`,
//! `constraint_violations.json`) and driftline's `summary.json`.
//!
//! This is the one place where the Model Monitor-compatible checks ([`crate::evaluate`]) and
//! driftline's own statistical decision ([`crate::drift`]) meet; the CLI and analyze-capture
//! both call [`analyze`], so a window gets the same verdict whichever ran it.
//!
//! ```
//! use driftline_stats::analysis::{analyze, AnalysisOptions, Baseline};
//! use driftline_stats::profile::{Cell, DatasetProfile};
//! use driftline_stats::summary::{Faults, Status};
//!
//! let mut base = DatasetProfile::new();
//! let col = base.column_index("x");
//! for i in 0..1000 { base.update(col, Cell::Float(i as f64 / 1000.0)); }
//! base.add_records(1000);
//! let baseline = Baseline::from_statistics(base.to_statistics());
//!
//! let mut cur = DatasetProfile::new();
//! let col = cur.column_index("x");
//! for i in 0..500 { cur.update(col, Cell::Float(0.5 + i as f64 / 1000.0)); }
//! cur.add_records(500);
//! let a = analyze(&cur, &Faults::default(), 0, Some(&baseline), &AnalysisOptions::default());
//! assert_eq!(a.summary.status, Status::Drift);
//! assert!(a.summary.features[0].drifted);
//! ```

use crate::drift::policy::{self, FeatureDrift, NumericInput, PolicyConfig};
use crate::evaluate::{evaluate_with_type_counts, Evaluation, TypeCounts};
use crate::formats::constraints::{Constraints, FormatError};
use crate::formats::statistics::{FeatureStatistics, InferredType, Statistics};
use crate::formats::violations::{CheckType, ConstraintViolations, Violation};
use crate::kll::KllSketch;
use crate::profile::DatasetProfile;
use crate::sample::WeightedSample;
use crate::summary::{
    Faults, FeatureSummary, Status, Summary, ViolationSummary, Window, SUMMARY_SCHEMA_VERSION,
};
use crate::values::{evaluate_values, ValueConstraints};
use std::collections::BTreeMap;

/// A completeness drop counts as drift only when it is at least this large (absolute)…
pub const MIN_COMPLETENESS_DROP: f64 = 0.02;
/// …and significant at this level (one-sided two-proportion z-test; baseline treated as exact
/// when its counts are unknown). Model Monitor's `completeness_check` violation is separate and
/// follows the constraint as written.
pub const MISSINGNESS_ALPHA: f64 = 1e-3;

/// Name used in `constraint_violations.json` for the record-level data-quality violation.
pub const MALFORMED_RECORDS_FEATURE: &str = "_malformed_records";

/// A baseline: SageMaker's (or driftline's) `statistics.json` and `constraints.json`.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    /// The baseline statistics.
    pub statistics: Statistics,
    /// The constraints in force.
    pub constraints: Constraints,
}

/// Why a baseline could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// `statistics.json` is not valid.
    #[error("statistics.json: {0}")]
    Statistics(String),
    /// `constraints.json` is not valid.
    #[error("constraints.json: {0}")]
    Constraints(#[from] FormatError),
}

impl Baseline {
    /// A baseline from statistics alone; constraints are suggested with the container's defaults.
    pub fn from_statistics(statistics: Statistics) -> Self {
        let constraints = crate::suggest::suggest_constraints(&statistics);
        Baseline {
            statistics,
            constraints,
        }
    }

    /// Parses the two files as SageMaker writes them (`constraints` absent: suggested).
    pub fn from_json(statistics: &str, constraints: Option<&str>) -> Result<Self, BaselineError> {
        let statistics: Statistics = serde_json::from_str(statistics)
            .map_err(|e| BaselineError::Statistics(e.to_string()))?;
        match constraints {
            Some(c) => Ok(Baseline {
                statistics,
                constraints: Constraints::from_json(c)?,
            }),
            None => Ok(Self::from_statistics(statistics)),
        }
    }
}

/// How to analyse.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisOptions {
    /// Fewer records than this: status `insufficient_data`, no drift verdict.
    pub min_records: u64,
    /// The statistical decision policy.
    pub policy: PolicyConfig,
    /// Endpoint, for the summary.
    pub endpoint: Option<String>,
    /// Variant, for the summary.
    pub variant: Option<String>,
    /// Window, for the summary.
    pub window: Option<Window>,
    /// Source objects/files, for the summary.
    pub sources: Vec<String>,
    /// The baseline's value constraints ([`crate::values::FILE_NAME`]); `None`: suggested
    /// from the baseline statistics with the default tolerance.
    pub values: Option<std::sync::Arc<ValueConstraints>>,
    /// For a rolling view: the moments of its hourly windows, oldest first (the current hour
    /// last), for the sequential test ([`crate::drift::sequential`]). Empty: no sequential
    /// test (hour and day windows).
    pub sequence: Vec<WindowMoments>,
}

/// The moments of one window's numeric features: `(count, mean, population std)` by name.
pub type WindowMoments = BTreeMap<String, (u64, f64, f64)>;

/// The [`WindowMoments`] of a profile (its features with numeric values).
pub fn window_moments(profile: &DatasetProfile) -> WindowMoments {
    profile
        .features()
        .iter()
        .filter_map(|f| {
            let n = f.numeric()?;
            (n.n > 0).then(|| (f.name().to_string(), (n.n, n.mean(), n.std_dev())))
        })
        .collect()
}

/// Runs the sequential test of every numeric feature of `drifts` over `sequence` (see
/// [`AnalysisOptions::sequence`]): sets `cusum` and, when the chart signals and the view's mean
/// moved by at least `min_sustained_shift` baseline stds, `drifted` and a reason (added also
/// when the view's own tests flagged the feature).
fn sequential(
    drifts: &mut [(String, FeatureDrift)],
    base: &Statistics,
    sequence: &[WindowMoments],
    cfg: &PolicyConfig,
) {
    use crate::drift::sequential::{daily_limit, Cusum};
    let numeric = drifts
        .iter()
        .filter(|(_, d)| d.kind == crate::drift::FeatureKind::Numeric)
        .count();
    if sequence.len() < 2 || numeric == 0 {
        return;
    }
    let h = daily_limit(
        cfg.sequential_k,
        cfg.sequential_window,
        cfg.sequential_daily_false_alarms / numeric as f64,
    );
    for (name, d) in drifts.iter_mut() {
        if d.kind != crate::drift::FeatureKind::Numeric {
            continue;
        }
        let Some(bn) = base
            .features
            .iter()
            .find(|f| &f.name == name)
            .and_then(|f| f.numerical_statistics.as_ref())
        else {
            continue;
        };
        let (bmean, bstd, bcount) = (bn.mean.0, bn.std_dev.0, bn.common.num_present);
        let mut chart = Cusum::new(cfg.sequential_k, h);
        let mut used = 0;
        for w in sequence {
            let Some(&(n, mean, std)) = w.get(name) else {
                continue;
            };
            let m = policy::Moments {
                baseline_mean: bmean,
                current_mean: mean,
                current_std: std,
            };
            let skew = d.baseline_skewness.unwrap_or(0.0).abs();
            if skew > cfg.max_location_skew * (n as f64).sqrt() {
                continue;
            }
            if let Some((_, _, z)) = crate::drift::location_test(&m, n, bstd, bcount) {
                chart.update(z);
                used += 1;
            }
        }
        if used < 2 {
            continue;
        }
        d.cusum = Some(crate::drift::Statistic {
            value: chart.statistic(),
            p_value: None,
            threshold: Some(h),
            error_bound: None,
        });
        let moved = d.location.map_or(0.0, |l| l.value.abs());
        if chart.signal() && moved >= cfg.min_sustained_shift {
            d.drifted = true;
            d.reasons.push(format!(
                "sustained shift: CUSUM {} {:.2} over {used} hourly windows > limit {h:.2} (k {}, \
                 at most {} false alarms a day over {numeric} numeric features); mean moved {moved:.3} std",
                if chart.upper >= chart.lower { "up" } else { "down" },
                chart.statistic(),
                cfg.sequential_k,
                cfg.sequential_daily_false_alarms,
            ));
        }
    }
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        AnalysisOptions {
            min_records: 100,
            policy: PolicyConfig::default(),
            endpoint: None,
            variant: None,
            window: None,
            sources: Vec::new(),
            values: None,
            sequence: Vec::new(),
        }
    }
}

/// The result of [`analyze`].
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Current `statistics.json`.
    pub statistics: Statistics,
    /// `constraint_violations.json`.
    pub violations: ConstraintViolations,
    /// `summary.json`.
    pub summary: Summary,
}

impl Analysis {
    /// `statistics.json` text (Jackson layout).
    pub fn statistics_json(&self) -> String {
        crate::jackson::to_string_pretty(&self.statistics)
    }

    /// `constraint_violations.json` text (Jackson layout).
    pub fn violations_json(&self) -> String {
        crate::jackson::to_string_pretty(&self.violations)
    }

    /// `summary.json` text (plain pretty JSON with a final newline).
    pub fn summary_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(&self.summary)
            .unwrap_or_else(|e| format!("{{\"error\": \"summary not serialisable: {e}\"}}"));
        s.push('\n');
        s
    }
}

/// Analyses one window: `profile` (already merged) with its `faults`, against `baseline`.
///
/// `malformed_records` is the number of input records (lines) that could not be used at all;
/// `faults` carries their kinds and examples (and may count value-level faults too).
pub fn analyze(
    profile: &DatasetProfile,
    faults: &Faults,
    malformed_records: u64,
    baseline: Option<&Baseline>,
    opts: &AnalysisOptions,
) -> Analysis {
    let statistics = profile.to_statistics();
    let records = profile.item_count();
    let malformed = malformed_records;
    let sufficient = records >= opts.min_records && records > 0;

    let evaluation: Option<Evaluation> = baseline.map(|b| {
        evaluate_with_type_counts(
            &b.statistics,
            &b.constraints,
            &statistics,
            &TypeCounts::of_dataset(profile),
        )
    });

    let mut violations = evaluation
        .as_ref()
        .map(|e| e.violations.clone())
        .unwrap_or_default();
    if malformed > 0 {
        violations
            .violations
            .push(malformed_violation(records, malformed, faults));
    }
    // driftline's value checks (range, non-negative, domain) against the baseline.
    let value_findings = match baseline {
        Some(b) => {
            let suggested;
            let values = match &opts.values {
                Some(v) => v.as_ref(),
                None => {
                    suggested = ValueConstraints::suggest(&b.statistics);
                    &suggested
                }
            };
            let (v, f) = evaluate_values(values, &b.constraints, profile);
            violations.violations.extend(v);
            f
        }
        None => BTreeMap::new(),
    };

    // driftline's statistical drift per feature (numeric and categorical, where both sides
    // have data of a comparable kind).
    let mut drifts: Vec<(String, FeatureDrift)> = Vec::new();
    if let Some(b) = baseline {
        for cur in &statistics.features {
            let Some(base) = b.statistics.features.iter().find(|f| f.name == cur.name) else {
                continue;
            };
            let Some(input) = feature_input(base, cur, profile) else {
                continue;
            };
            let result = match &input {
                FeatureInput::Numeric {
                    baseline,
                    current,
                    n_baseline,
                    n_current,
                    err_baseline,
                    err_current,
                    baseline_std,
                    moments,
                } => policy::evaluate_numeric(
                    &cur.name,
                    &NumericInput {
                        baseline,
                        current,
                        n_base: *n_baseline,
                        n_cur: *n_current,
                        sketch_err_base: *err_baseline,
                        sketch_err_cur: *err_current,
                        baseline_std: *baseline_std,
                        moments: *moments,
                    },
                    &opts.policy,
                ),
                FeatureInput::Categorical { baseline, current } => {
                    policy::evaluate_categorical(&cur.name, baseline, current, &opts.policy)
                }
            };
            // A statistic that cannot be computed (e.g. an empty side) is no evidence of drift.
            if let Ok(d) = result {
                drifts.push((cur.name.clone(), d));
            }
        }
        let mut only: Vec<FeatureDrift> = drifts.iter().map(|(_, d)| d.clone()).collect();
        policy::decide(&mut only, &opts.policy);
        for ((_, d), decided) in drifts.iter_mut().zip(only) {
            *d = decided;
        }
        sequential(&mut drifts, &b.statistics, &opts.sequence, &opts.policy);
    }
    let drift_by_name: BTreeMap<&str, &FeatureDrift> =
        drifts.iter().map(|(n, d)| (n.as_str(), d)).collect();

    let base_by_name: BTreeMap<&str, &FeatureStatistics> = baseline
        .map(|b| {
            b.statistics
                .features
                .iter()
                .map(|f| (f.name.as_str(), f))
                .collect()
        })
        .unwrap_or_default();

    let mut features = Vec::new();
    for cur in &statistics.features {
        let base = base_by_name.get(cur.name.as_str()).copied();
        let fe = evaluation.as_ref().and_then(|e| e.feature(&cur.name));
        let mut drift = fe.map(|f| f.drift_figures()).unwrap_or_default();
        let mut reasons = Vec::new();
        let mut drifted = false;
        if let Some(d) = drift_by_name.get(cur.name.as_str()) {
            drift.extend(d.figures());
            if d.drifted {
                drifted = true;
                reasons.extend(d.reasons.iter().cloned());
            }
        }
        // Missingness, schema changes and unseen categories are drift signals too.
        if let Some(fe) = fe {
            if let Some(c) = fe.completeness {
                let base_stats = base.map(|b| (completeness_of(b, 0), present_plus_missing(b)));
                let (bc, n_base) = match base_stats {
                    Some((bc, n)) if n > 0 => (Some(bc), n),
                    _ => (fe.baseline_completeness, 0),
                };
                if let Some(bc) = bc {
                    if let Some(p) = completeness_drop_p_value(bc, n_base, c, records) {
                        if bc - c >= MIN_COMPLETENESS_DROP && p <= MISSINGNESS_ALPHA {
                            drifted = true;
                            reasons.push(format!(
                                "completeness {} below baseline {} (p={p:.1e})",
                                fmt4(c),
                                fmt4(bc)
                            ));
                        }
                    }
                }
            }
            if let Some(t) = fe.current_type {
                if t != fe.baseline_type
                    && t != InferredType::Unknown
                    && !(t.is_numeric() && fe.baseline_type.is_numeric())
                {
                    drifted = true;
                    reasons.push(format!(
                        "type changed from {} to {}",
                        fe.baseline_type.as_str(),
                        t.as_str()
                    ));
                }
            }
        }
        features.push(FeatureSummary {
            name: cur.name.clone(),
            inferred_type: cur.inferred_type,
            baseline_type: base.map(|b| b.inferred_type),
            completeness: completeness_of(cur, records),
            baseline_completeness: base.map(|b| {
                let n = baseline
                    .and_then(|b| b.statistics.dataset.as_ref())
                    .map(|d| d.item_count)
                    .unwrap_or(0);
                completeness_of(b, n)
            }),
            drifted: drifted && sufficient,
            reasons: if sufficient { reasons } else { Vec::new() },
            drift,
            mean: mean_of(cur),
            baseline_mean: base.and_then(mean_of),
            values: value_findings.get(&cur.name).cloned(),
        });
    }
    // Baseline columns absent from this window: a schema change.
    if let Some(e) = &evaluation {
        for fe in e.features.iter().filter(|f| f.current_type.is_none()) {
            features.push(FeatureSummary {
                name: fe.name.clone(),
                inferred_type: InferredType::Unknown,
                baseline_type: Some(fe.baseline_type),
                completeness: 0.0,
                baseline_completeness: fe.baseline_completeness,
                drifted: sufficient,
                reasons: if sufficient {
                    vec!["column missing from the current data".into()]
                } else {
                    Vec::new()
                },
                drift: BTreeMap::new(),
                mean: None,
                baseline_mean: base_by_name.get(fe.name.as_str()).and_then(|b| mean_of(b)),
                values: None,
            });
        }
    }
    // Drifted first is the report's business; here column order is kept.
    let drifted_feature_count = features.iter().filter(|f| f.drifted).count() as u64;
    let drift_detected = sufficient && baseline.is_some() && drifted_feature_count > 0;
    let (status, reason) = if records == 0 && malformed > 0 {
        (
            Status::Error,
            Some(format!("no usable records: {malformed} malformed")),
        )
    } else if baseline.is_none() {
        (
            Status::NoBaseline,
            Some("no baseline for this endpoint: profile recorded, nothing evaluated".into()),
        )
    } else if !sufficient {
        (
            Status::InsufficientData,
            Some(format!(
                "insufficient data: {records} < {} records",
                opts.min_records
            )),
        )
    } else if drift_detected {
        (Status::Drift, None)
    } else {
        (Status::Ok, None)
    };

    let summary = Summary {
        schema_version: SUMMARY_SCHEMA_VERSION,
        endpoint: opts.endpoint.clone(),
        variant: opts.variant.clone(),
        window: opts.window.clone(),
        status,
        records,
        malformed_records: malformed,
        drift_detected,
        violation_count: violations.violations.len() as u64,
        drifted_feature_count: if sufficient { drifted_feature_count } else { 0 },
        reason,
        features,
        violations: violations
            .violations
            .iter()
            .map(|v| ViolationSummary {
                feature_name: v.feature_name.clone(),
                constraint_check_type: v.constraint_check_type.as_str().to_string(),
                description: v.description.clone(),
            })
            .collect(),
        faults: faults.clone(),
        sources: opts.sources.clone(),
        artifacts: BTreeMap::new(),
        policy: Some(opts.policy.describe()),
        estimated_quality: None,
    };
    Analysis {
        statistics,
        violations,
        summary,
    }
}

/// The record-level data-quality violation: worded like the container's data-type checks
/// (`Value: <fraction of usable records> does not meet the constraint requirement! …`).
fn malformed_violation(records: u64, malformed: u64, faults: &Faults) -> Violation {
    let total = records + malformed;
    let usable = if total == 0 {
        0.0
    } else {
        records as f64 / total as f64
    };
    let kinds: Vec<String> = faults
        .counts
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    Violation {
        feature_name: MALFORMED_RECORDS_FEATURE.to_string(),
        constraint_check_type: CheckType::DataTypeCheck,
        description: format!(
            "Value: {} does not meet the constraint requirement! {malformed} of {total} records could not be used ({})",
            crate::javafmt::java_double(usable),
            kinds.join(", ")
        ),
    }
}

/// What the policy needs of one feature.
enum FeatureInput {
    Numeric {
        baseline: WeightedSample,
        current: WeightedSample,
        n_baseline: u64,
        n_current: u64,
        err_baseline: f64,
        err_current: f64,
        baseline_std: f64,
        moments: Option<policy::Moments>,
    },
    Categorical {
        baseline: BTreeMap<String, u64>,
        current: BTreeMap<String, u64>,
    },
}

/// Builds the policy input for one feature, or `None` when the two sides are not comparable.
fn feature_input(
    base: &FeatureStatistics,
    cur: &FeatureStatistics,
    profile: &DatasetProfile,
) -> Option<FeatureInput> {
    if base.inferred_type.is_numeric() && cur.inferred_type.is_numeric() {
        let bn = base.numerical_statistics.as_ref()?;
        let bdist = bn.distribution.as_ref()?;
        let levels: Vec<Vec<f64>> = bdist
            .kll
            .sketch
            .data
            .iter()
            .map(|l| l.iter().map(|d| d.0).collect())
            .collect();
        let bsketch = KllSketch::from_levels(levels);
        let csketch = profile.feature(&cur.name)?.kll()?;
        if bsketch.is_empty() || csketch.is_empty() {
            return None;
        }
        let moments = cur
            .numerical_statistics
            .as_ref()
            .map(|cn| policy::Moments {
                baseline_mean: bn.mean.0,
                current_mean: cn.mean.0,
                current_std: cn.std_dev.0,
            })
            .filter(|m| {
                m.baseline_mean.is_finite()
                    && m.current_mean.is_finite()
                    && m.current_std.is_finite()
            });
        return Some(FeatureInput::Numeric {
            baseline: bsketch.to_weighted_sample(),
            current: csketch.to_weighted_sample(),
            n_baseline: bn.common.num_present,
            n_current: csketch.count(),
            err_baseline: bsketch.normalized_rank_error(),
            err_current: csketch.normalized_rank_error(),
            baseline_std: bn.std_dev.0,
            moments,
        });
    }
    if base.inferred_type == InferredType::String && cur.inferred_type == InferredType::String {
        let bs = base.string_statistics.as_ref()?;
        let baseline: BTreeMap<String, u64> = bs
            .distribution
            .as_ref()?
            .categorical
            .buckets
            .iter()
            .map(|b| (b.value.clone(), b.count))
            .collect();
        let strings = profile.feature(&cur.name)?.strings()?;
        let current: BTreeMap<String, u64> = strings
            .frequencies()
            .into_iter()
            .map(|(v, c)| (v.to_string(), c))
            .collect();
        if baseline.is_empty() || current.is_empty() {
            return None;
        }
        return Some(FeatureInput::Categorical { baseline, current });
    }
    None
}

fn completeness_of(f: &FeatureStatistics, item_count: u64) -> f64 {
    match f.common() {
        Some(c) if c.num_present + c.num_missing > 0 => {
            c.num_present as f64 / (c.num_present + c.num_missing) as f64
        }
        Some(_) => 0.0,
        None => {
            if item_count == 0 {
                0.0
            } else {
                1.0
            }
        }
    }
}

fn present_plus_missing(f: &FeatureStatistics) -> u64 {
    f.common()
        .map(|c| c.num_present + c.num_missing)
        .unwrap_or(0)
}

/// One-sided p-value that the current completeness `c` (of `n_cur` records) is below the
/// baseline's `bc` (of `n_base` records; 0 = treat `bc` as exact), by the two-proportion z-test
/// with pooled variance. `None` when there is nothing to test (no current records).
pub fn completeness_drop_p_value(bc: f64, n_base: u64, c: f64, n_cur: u64) -> Option<f64> {
    use statrs::distribution::{ContinuousCDF, Normal};
    if n_cur == 0 || !(0.0..=1.0).contains(&bc) || !(0.0..=1.0).contains(&c) {
        return None;
    }
    let n1 = n_cur as f64;
    let var = if n_base == 0 {
        bc * (1.0 - bc) / n1
    } else {
        let n0 = n_base as f64;
        let pooled = (bc * n0 + c * n1) / (n0 + n1);
        pooled * (1.0 - pooled) * (1.0 / n0 + 1.0 / n1)
    };
    if var <= 0.0 {
        // No variability at all: any drop is certain, no drop is no evidence.
        return Some(if c < bc { 0.0 } else { 1.0 });
    }
    let z = (bc - c) / var.sqrt();
    let normal = Normal::new(0.0, 1.0).ok()?;
    Some(normal.sf(z))
}

fn mean_of(f: &FeatureStatistics) -> Option<f64> {
    f.numerical_statistics
        .as_ref()
        .map(|n| n.mean.0)
        .filter(|m| m.is_finite())
}

fn fmt4(x: f64) -> String {
    format!("{x:.4}")
}

/// Exact weighted sample of a sketch, for callers that want to inspect distributions.
pub fn sketch_sample(levels: &[Vec<f64>]) -> WeightedSample {
    KllSketch::from_levels(levels.to_vec()).to_weighted_sample()
}
