//! driftline's default drift decision policy: the `drifted` verdict per feature and
//! `drift_detected` per window (see `docs/drift-policy.md` for the reasoning and the measured
//! rates).
//!
//! A feature has drifted when **both** hold:
//!
//! 1. **Significance**, controlled across features: the feature's test p-value (two-sample KS
//!    for numeric features, chi-squared homogeneity for categorical ones), adjusted with
//!    Benjamini-Hochberg over all features of the window, is `<= alpha` (default 0.01).
//!    For sketched inputs the KS p-value is computed for `D - error_bound` (the sketches'
//!    combined rank error), so sketch approximation can only make the test more conservative.
//! 2. **Effect size**: the difference is large enough to matter, so that large windows do not
//!    alarm on negligible differences. Numeric: Wasserstein-1 / baseline std `>= 0.1`, or
//!    PSI `>= 0.2`, or `D - error_bound >= 0.1`. Categorical: PSI `>= 0.1`, or more than 1 % of
//!    the window in categories the baseline never saw.
//!
//! `drift_detected` is true when any feature has drifted. The minimum window size is the
//! caller's business (`MIN_RECORDS`: below it there is no verdict at all).
//!
//! Use: [`evaluate_numeric`] / [`evaluate_categorical`] per feature, then [`decide`] once for
//! the window; [`FeatureDrift::figures`] gives the `summary.json` `drift` map.

use super::categorical::{align, chi2_from_aligned, psi_from_aligned, CategoryCounts};
use super::distance::{
    bin_fractions, jensen_shannon, psi_from_fractions, quantile_edges, wasserstein,
    wasserstein_normalized, DEFAULT_PSI_BINS, DEFAULT_PSI_EPSILON,
};
use super::fdr::benjamini_hochberg;
use super::ks::{ks_p_value, ks_statistic, Alternative};
use super::DriftError;
use crate::sample::WeightedSample;
use crate::summary::DriftFigure;
use std::collections::BTreeMap;

/// Settings of the decision policy. `Default` is driftline's documented default.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PolicyConfig {
    /// False-discovery rate for Benjamini-Hochberg across the window's features.
    pub alpha: f64,
    /// Numeric effect: minimum Wasserstein-1 distance in baseline standard deviations.
    pub min_wasserstein: f64,
    /// Numeric effect: minimum PSI on baseline-quantile bins.
    pub min_psi: f64,
    /// Numeric effect: minimum KS distance after subtracting the sketch error bound.
    pub min_ks: f64,
    /// Categorical effect: minimum PSI over categories.
    pub min_categorical_psi: f64,
    /// Categorical effect: fraction of the window in unseen categories above which the
    /// feature counts as changed.
    pub max_unseen_fraction: f64,
    /// Number of baseline-quantile bins for PSI and binned JS.
    pub psi_bins: usize,
    /// PSI smoothing (see [`crate::drift::distance`]).
    pub psi_epsilon: f64,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig {
            alpha: 0.01,
            min_wasserstein: 0.1,
            min_psi: 0.2,
            min_ks: 0.1,
            min_categorical_psi: 0.1,
            max_unseen_fraction: 0.01,
            psi_bins: DEFAULT_PSI_BINS,
            psi_epsilon: DEFAULT_PSI_EPSILON,
        }
    }
}

impl PolicyConfig {
    /// One-line description for `summary.json`'s `policy` field.
    pub fn describe(&self) -> String {
        format!(
            "driftline default: BH-adjusted p <= {} (KS on D minus sketch error / chi-squared) \
             and effect (numeric: wasserstein/std >= {} or psi >= {} or ks >= {}; categorical: \
             psi >= {} or unseen > {})",
            self.alpha,
            self.min_wasserstein,
            self.min_psi,
            self.min_ks,
            self.min_categorical_psi,
            self.max_unseen_fraction
        )
    }
}

/// Kind of feature a [`FeatureDrift`] describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeatureKind {
    /// Numeric (KS, PSI, JS, Wasserstein).
    Numeric,
    /// Categorical (chi-squared, PSI, JS).
    Categorical,
}

/// One statistic of one feature.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Statistic {
    /// The statistic's value.
    pub value: f64,
    /// p-value, for tests.
    pub p_value: Option<f64>,
    /// The effect-size threshold the value is compared with, if any.
    pub threshold: Option<f64>,
    /// Bound on the sketch approximation error of `value`, if any.
    pub error_bound: Option<f64>,
}

impl From<Statistic> for DriftFigure {
    fn from(s: Statistic) -> Self {
        DriftFigure {
            value: s.value,
            p_value: s.p_value,
            threshold: s.threshold,
            error_bound: s.error_bound,
        }
    }
}

/// All drift statistics of one feature and, after [`decide`], its verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureDrift {
    /// Feature name.
    pub name: String,
    /// Numeric or categorical.
    pub kind: FeatureKind,
    /// Two-sample KS (numeric): value D (from the sketches), p-value for `D - error_bound`.
    pub ks: Option<Statistic>,
    /// PSI on baseline-quantile bins (numeric) or over categories (categorical).
    pub psi: Option<Statistic>,
    /// Jensen-Shannon distance, base 2 (on the PSI bins for numeric features).
    pub js: Option<Statistic>,
    /// Wasserstein-1 in baseline standard deviations (numeric).
    pub wasserstein: Option<Statistic>,
    /// Chi-squared homogeneity (categorical).
    pub chi2: Option<Statistic>,
    /// Categories of the window the baseline never saw (categorical).
    pub unseen_categories: Vec<String>,
    /// Fraction of the window in unseen categories (categorical; 0 for numeric).
    pub unseen_fraction: f64,
    /// The p-value of the feature's significance test (KS or chi-squared).
    pub p_value: f64,
    /// Benjamini-Hochberg adjusted p-value (set by [`decide`]).
    pub q_value: Option<f64>,
    /// Whether the effect-size rule holds.
    pub effect: bool,
    /// The verdict (set by [`decide`]).
    pub drifted: bool,
    /// Short human-readable reasons for the verdict (set by [`decide`]).
    pub reasons: Vec<String>,
}

impl FeatureDrift {
    /// The `summary.json` `drift` map: `ks`, `psi`, `js`, `wasserstein`, `chi2` as they apply.
    pub fn figures(&self) -> BTreeMap<String, DriftFigure> {
        let mut m = BTreeMap::new();
        for (k, s) in [
            ("ks", self.ks),
            ("psi", self.psi),
            ("js", self.js),
            ("wasserstein", self.wasserstein),
            ("chi2", self.chi2),
        ] {
            if let Some(s) = s {
                m.insert(k.to_string(), s.into());
            }
        }
        m
    }
}

/// Inputs of a numeric feature: the two (sketched or exact) samples, the true counts, the
/// sketches' normalised rank errors (0 for exact samples) and the baseline's population std.
#[derive(Debug, Clone, Copy)]
pub struct NumericInput<'a> {
    /// Baseline sample (e.g. `KllSketch::to_weighted_sample()`).
    pub baseline: &'a WeightedSample,
    /// Current window's sample.
    pub current: &'a WeightedSample,
    /// True number of baseline values.
    pub n_base: u64,
    /// True number of window values.
    pub n_cur: u64,
    /// Baseline sketch's normalised rank error (`KllSketch::normalized_rank_error()`).
    pub sketch_err_base: f64,
    /// Window sketch's normalised rank error.
    pub sketch_err_cur: f64,
    /// Baseline population standard deviation (Model Monitor's `std_dev`).
    pub baseline_std: f64,
}

/// Compute every numeric statistic of one feature (verdict pending [`decide`]).
pub fn evaluate_numeric(
    name: &str,
    input: &NumericInput<'_>,
    cfg: &PolicyConfig,
) -> Result<FeatureDrift, DriftError> {
    let NumericInput {
        baseline,
        current,
        n_base,
        n_cur,
        sketch_err_base,
        sketch_err_cur,
        baseline_std,
    } = *input;
    if !(sketch_err_base >= 0.0 && sketch_err_cur >= 0.0) {
        return Err(DriftError::InvalidInput(format!(
            "{name}: sketch errors must be non-negative, got {sketch_err_base} and {sketch_err_cur}"
        )));
    }
    let s = ks_statistic(baseline, current)?;
    if n_base == 0 {
        return Err(DriftError::EmptySample("baseline"));
    }
    if n_cur == 0 {
        return Err(DriftError::EmptySample("current sample"));
    }
    let d = s.d_plus.max(s.d_minus);
    let err = sketch_err_base + sketch_err_cur;
    let d_adj = (d - err).max(0.0);
    let (_, p, _) = ks_p_value(d_adj, n_base, n_cur, Alternative::TwoSided);

    let edges = quantile_edges(baseline, cfg.psi_bins)?;
    let pb = bin_fractions(baseline, &edges);
    let qb = bin_fractions(current, &edges);
    let psi = psi_from_fractions(&pb, &qb, cfg.psi_epsilon)?;
    let js = jensen_shannon(&pb, &qb)?;

    let w_raw = wasserstein(baseline, current)?;
    let w = wasserstein_normalized(w_raw, baseline_std);
    // |F_sketch - F| <= err everywhere, so |W1 error| <= err * (range of the values) / std
    let lo = baseline.values()[0].min(current.values()[0]);
    let hi = baseline.values()[baseline.values().len() - 1]
        .max(current.values()[current.values().len() - 1]);
    let w_err = if err > 0.0 {
        Some(wasserstein_normalized(err * (hi - lo), baseline_std))
    } else {
        None
    };

    let effect = w >= cfg.min_wasserstein || psi >= cfg.min_psi || d_adj >= cfg.min_ks;
    Ok(FeatureDrift {
        name: name.to_string(),
        kind: FeatureKind::Numeric,
        ks: Some(Statistic {
            value: d,
            p_value: Some(p),
            threshold: Some(cfg.min_ks),
            error_bound: (err > 0.0).then_some(err),
        }),
        psi: Some(Statistic {
            value: psi,
            p_value: None,
            threshold: Some(cfg.min_psi),
            error_bound: None,
        }),
        js: Some(Statistic {
            value: js,
            p_value: None,
            threshold: None,
            error_bound: None,
        }),
        wasserstein: Some(Statistic {
            value: w,
            p_value: None,
            threshold: Some(cfg.min_wasserstein),
            error_bound: w_err,
        }),
        chi2: None,
        unseen_categories: Vec::new(),
        unseen_fraction: 0.0,
        p_value: p,
        q_value: None,
        effect,
        drifted: false,
        reasons: Vec::new(),
    })
}

/// Compute every categorical statistic of one feature from category counts (exact counts, or
/// a frequent-items summary whose counts are exact for the categories it keeps).
pub fn evaluate_categorical(
    name: &str,
    baseline: &CategoryCounts,
    current: &CategoryCounts,
    cfg: &PolicyConfig,
) -> Result<FeatureDrift, DriftError> {
    let a = align(baseline, current)?;
    let chi = chi2_from_aligned(&a);
    let psi = psi_from_aligned(&a, cfg.psi_epsilon)?;
    let js = jensen_shannon(&a.baseline, &a.current)?;
    let unseen_fraction = a.unseen_fraction();
    let effect = psi >= cfg.min_categorical_psi || unseen_fraction > cfg.max_unseen_fraction;
    Ok(FeatureDrift {
        name: name.to_string(),
        kind: FeatureKind::Categorical,
        ks: None,
        psi: Some(Statistic {
            value: psi,
            p_value: None,
            threshold: Some(cfg.min_categorical_psi),
            error_bound: None,
        }),
        js: Some(Statistic {
            value: js,
            p_value: None,
            threshold: None,
            error_bound: None,
        }),
        wasserstein: None,
        chi2: Some(Statistic {
            value: chi.statistic,
            p_value: Some(chi.p_value),
            threshold: None,
            error_bound: None,
        }),
        unseen_categories: a.unseen,
        unseen_fraction,
        p_value: chi.p_value,
        q_value: None,
        effect,
        drifted: false,
        reasons: Vec::new(),
    })
}

/// The window's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowVerdict {
    /// True when at least one feature drifted.
    pub drift_detected: bool,
    /// Number of drifted features.
    pub drifted_features: usize,
}

/// Apply Benjamini-Hochberg across `features` and the effect-size rule; sets `q_value`,
/// `drifted` and `reasons` of every feature. A NaN p-value counts as 1 (no evidence).
pub fn decide(features: &mut [FeatureDrift], cfg: &PolicyConfig) -> WindowVerdict {
    let ps: Vec<f64> = features
        .iter()
        .map(|f| {
            if f.p_value.is_nan() {
                1.0
            } else {
                f.p_value.clamp(0.0, 1.0)
            }
        })
        .collect();
    let qs = benjamini_hochberg(&ps).unwrap_or(ps);
    let mut drifted = 0;
    for (f, q) in features.iter_mut().zip(qs) {
        f.q_value = Some(q);
        let significant = q <= cfg.alpha;
        f.drifted = significant && f.effect;
        f.reasons.clear();
        let test = if f.kind == FeatureKind::Numeric {
            "ks"
        } else {
            "chi2"
        };
        f.reasons.push(format!(
            "{test} p={:.3e}, BH-adjusted {:.3e} {} alpha {}",
            f.p_value,
            q,
            if significant { "<=" } else { ">" },
            cfg.alpha
        ));
        f.reasons.push(effect_reason(f, cfg));
        if f.drifted {
            drifted += 1;
        }
    }
    WindowVerdict {
        drift_detected: drifted > 0,
        drifted_features: drifted,
    }
}

fn effect_reason(f: &FeatureDrift, cfg: &PolicyConfig) -> String {
    let v = |s: Option<Statistic>| s.map(|s| s.value).unwrap_or(f64::NAN);
    match f.kind {
        FeatureKind::Numeric => format!(
            "effect {}: wasserstein/std {:.4} (min {}), psi {:.4} (min {}), ks {:.4} (min {})",
            if f.effect { "large" } else { "small" },
            v(f.wasserstein),
            cfg.min_wasserstein,
            v(f.psi),
            cfg.min_psi,
            v(f.ks),
            cfg.min_ks
        ),
        FeatureKind::Categorical => format!(
            "effect {}: psi {:.4} (min {}), unseen {:.4} (max {}){}",
            if f.effect { "large" } else { "small" },
            v(f.psi),
            cfg.min_categorical_psi,
            f.unseen_fraction,
            cfg.max_unseen_fraction,
            if f.unseen_categories.is_empty() {
                String::new()
            } else {
                format!(", unseen categories: {}", f.unseen_categories.join(", "))
            }
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(f: impl Fn(f64) -> f64, n: usize) -> WeightedSample {
        // deterministic quantiles of a distribution: (i + 0.5) / n
        let v: Vec<f64> = (0..n).map(|i| f((i as f64 + 0.5) / n as f64)).collect();
        WeightedSample::from_values(&v)
    }

    fn uniform_numeric(shift: f64) -> FeatureDrift {
        let b = sample(|u| u, 4000);
        let c = sample(|u| u + shift, 1000);
        let input = NumericInput {
            baseline: &b,
            current: &c,
            n_base: 4000,
            n_cur: 1000,
            sketch_err_base: 0.0,
            sketch_err_cur: 0.0,
            baseline_std: (1.0f64 / 12.0).sqrt(),
        };
        evaluate_numeric("u", &input, &PolicyConfig::default()).unwrap()
    }

    #[test]
    fn large_shift_drifts_small_does_not() {
        let cfg = PolicyConfig::default();
        let mut fs = vec![uniform_numeric(0.1), uniform_numeric(0.0)];
        let v = decide(&mut fs, &cfg);
        assert!(v.drift_detected);
        assert_eq!(v.drifted_features, 1);
        assert!(fs[0].drifted && !fs[1].drifted);
        assert_eq!(
            fs[0].figures().keys().collect::<Vec<_>>(),
            vec!["js", "ks", "psi", "wasserstein"]
        );
    }

    #[test]
    fn significant_but_negligible_is_not_drift() {
        // a 0.02-std shift with 1e6 exact values on each side: significant, negligible effect
        let b = sample(|u| u, 100_000);
        let c = sample(|u| u + 0.02 * (1.0f64 / 12.0).sqrt(), 100_000);
        let input = NumericInput {
            baseline: &b,
            current: &c,
            n_base: 1_000_000,
            n_cur: 1_000_000,
            sketch_err_base: 0.0,
            sketch_err_cur: 0.0,
            baseline_std: (1.0f64 / 12.0).sqrt(),
        };
        let mut fs = vec![evaluate_numeric("u", &input, &PolicyConfig::default()).unwrap()];
        decide(&mut fs, &PolicyConfig::default());
        assert!(fs[0].p_value < 1e-6, "{}", fs[0].p_value);
        assert!(!fs[0].drifted);
    }

    #[test]
    fn unseen_categories_are_a_signal() {
        let cfg = PolicyConfig::default();
        let b: CategoryCounts = [("a".to_string(), 5000u64), ("b".to_string(), 5000)]
            .into_iter()
            .collect();
        let c: CategoryCounts = [
            ("a".to_string(), 480u64),
            ("b".to_string(), 480),
            ("new".to_string(), 40),
        ]
        .into_iter()
        .collect();
        let mut fs = vec![evaluate_categorical("cat", &b, &c, &cfg).unwrap()];
        let v = decide(&mut fs, &cfg);
        assert!(v.drift_detected);
        assert_eq!(fs[0].unseen_categories, vec!["new"]);
        assert!(fs[0].figures().contains_key("chi2"));
    }
}
