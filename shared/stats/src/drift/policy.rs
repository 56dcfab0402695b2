//! driftline's default drift decision policy: the `drifted` verdict per feature and
//! `drift_detected` per window (see `docs/drift-policy.md` for the reasoning and the measured
//! rates).
//!
//! A feature has drifted when **both** hold:
//!
//! 1. **Significance**, controlled across features: the feature's p-value, adjusted with
//!    Benjamini-Hochberg over all features of the window, is `<= alpha` (default 0.01).
//!    Numeric features: the weighted harmonic mean ([`crate::drift::combine`]) of four tests —
//!    location (the larger of Welch's and the known-std z-test's p-values on the exact
//!    moments), Anderson-Darling, KS (both on CDF gaps shrunk by the sketches' rank error, so
//!    sketch approximation can only make them more conservative) and scale (a
//!    kurtosis-adjusted F test of the variance ratio, left out for heavy tails). Categorical features:
//!    chi-squared homogeneity.
//! 2. **Effect size**: the difference is large enough to matter, so that large windows do not
//!    alarm on negligible differences. Numeric: Wasserstein-1 / baseline std `>= 0.1`, or
//!    PSI `>= 0.2`, or `D - error_bound >= 0.1`, or a variance ratio `>= 1.2` (either way).
//!    Categorical: PSI `>= 0.1`, or more than 1 % of the window in categories the baseline
//!    never saw.
//!
//! In a rolling view, [`crate::analysis::analyze`] adds the sequential test
//! ([`crate::drift::sequential`]) over the view's hourly windows.
//!
//! `drift_detected` is true when any feature has drifted. The minimum window size is the
//! caller's business (`MIN_RECORDS`: below it there is no verdict at all).
//!
//! Use: [`evaluate_numeric`] / [`evaluate_categorical`] per feature, then [`decide`] once for
//! the window; [`FeatureDrift::figures`] gives the `summary.json` `drift` map.

use super::anderson::anderson_darling_2samp;
use super::categorical::{align, chi2_from_aligned, psi_from_aligned, CategoryCounts};
use super::combine::harmonic_mean_p;
use super::distance::{
    bin_fractions, jensen_shannon, psi_from_fractions, quantile_edges, wasserstein,
    wasserstein_normalized, DEFAULT_PSI_BINS, DEFAULT_PSI_EPSILON,
};
use super::fdr::benjamini_hochberg;
use super::ks::{ks_p_value, ks_statistic, Alternative};
use super::location::{pooled_kurtosis, sample_std, variance_ratio, welch_from_stats};
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
    /// Numeric effect: variance ratio (window / baseline, or its inverse) at or above which
    /// the spread counts as changed.
    pub min_variance_ratio: f64,
    /// Weight of the location test (Welch's t on the exact means) in the feature's combined
    /// p-value; 0 leaves the test out. The four numeric weights need not sum to 1.
    pub weight_location: f64,
    /// Weight of the two-sample Anderson-Darling test.
    pub weight_anderson: f64,
    /// Weight of the two-sample Kolmogorov-Smirnov test.
    pub weight_ks: f64,
    /// Weight of the scale test (the kurtosis-adjusted F test of the variance ratio).
    pub weight_scale: f64,
    /// Pooled kurtosis above which the scale test is left out (heavy tails: its p-value would
    /// not be trustworthy).
    pub max_scale_kurtosis: f64,
    /// The location test is left out when the baseline's skewness exceeds this times √n (the
    /// window's mean would be too skewed for its normal tail: rare 0/1 features, heavy tails at
    /// small n).
    pub max_location_skew: f64,
    /// Sequential test (rolling views): the CUSUM's reference value `k` in z units (half the
    /// per-window shift it is tuned for; 0.5 suits shifts of about 0.1 std at 200 records).
    pub sequential_k: f64,
    /// Sequential test: windows in the rolling view (24 hourly windows).
    pub sequential_window: usize,
    /// Sequential test: false alarms per day allowed over all numeric features (union bound;
    /// the limit `h` follows from it, [`crate::drift::sequential::daily_limit`]).
    pub sequential_daily_false_alarms: f64,
    /// Sequential test: the view's mean must differ from the baseline's by at least this many
    /// baseline standard deviations for a CUSUM signal to count as drift.
    pub min_sustained_shift: f64,
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
            min_variance_ratio: 1.2,
            weight_location: 0.5,
            weight_anderson: 1.0 / 6.0,
            weight_ks: 1.0 / 6.0,
            weight_scale: 1.0 / 6.0,
            max_scale_kurtosis: 6.0,
            max_location_skew: 0.25,
            sequential_k: 0.5,
            sequential_window: 24,
            sequential_daily_false_alarms: 0.05,
            min_sustained_shift: 0.05,
            psi_bins: DEFAULT_PSI_BINS,
            psi_epsilon: DEFAULT_PSI_EPSILON,
        }
    }
}

impl PolicyConfig {
    /// The settings `with_overrides` accepts, in `describe` order.
    pub const KEYS: [&'static str; 17] = [
        "alpha",
        "weight_location",
        "weight_anderson",
        "weight_ks",
        "weight_scale",
        "max_scale_kurtosis",
        "max_location_skew",
        "min_wasserstein",
        "min_psi",
        "min_ks",
        "min_variance_ratio",
        "min_categorical_psi",
        "max_unseen_fraction",
        "sequential_k",
        "sequential_window",
        "sequential_daily_false_alarms",
        "min_sustained_shift",
    ];

    /// This configuration with `key=value` overrides from a comma list (the `DRIFT_POLICY`
    /// setting), e.g. `alpha=0.005,weight_scale=0`. Keys are [`PolicyConfig::KEYS`]; values
    /// must be finite and non-negative, `alpha` and `sequential_daily_false_alarms` in (0, 1),
    /// `sequential_window` a positive integer, and at least one numeric test weight positive.
    ///
    /// ```
    /// use driftline_stats::drift::PolicyConfig;
    /// let cfg = PolicyConfig::default().with_overrides("alpha=0.005, weight_scale=0").unwrap();
    /// assert_eq!((cfg.alpha, cfg.weight_scale), (0.005, 0.0));
    /// assert!(PolicyConfig::default().with_overrides("alpha=2").is_err());
    /// ```
    pub fn with_overrides(mut self, spec: &str) -> Result<PolicyConfig, String> {
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((k, v)) = part.split_once('=') else {
                return Err(format!("{part:?} is not key=value"));
            };
            let (k, v) = (k.trim(), v.trim());
            let x: f64 = v
                .parse()
                .map_err(|_| format!("{k}: {v:?} is not a number"))?;
            if !(x.is_finite() && x >= 0.0) {
                return Err(format!("{k}: {v} must be finite and non-negative"));
            }
            let unit = |x: f64| {
                if x > 0.0 && x < 1.0 {
                    Ok(x)
                } else {
                    Err(format!("{k}: {x} must lie strictly between 0 and 1"))
                }
            };
            match k {
                "alpha" => self.alpha = unit(x)?,
                "weight_location" => self.weight_location = x,
                "weight_anderson" => self.weight_anderson = x,
                "weight_ks" => self.weight_ks = x,
                "weight_scale" => self.weight_scale = x,
                "max_scale_kurtosis" => self.max_scale_kurtosis = x,
                "max_location_skew" => self.max_location_skew = x,
                "min_wasserstein" => self.min_wasserstein = x,
                "min_psi" => self.min_psi = x,
                "min_ks" => self.min_ks = x,
                "min_variance_ratio" => self.min_variance_ratio = x,
                "min_categorical_psi" => self.min_categorical_psi = x,
                "max_unseen_fraction" => self.max_unseen_fraction = x,
                "sequential_k" => self.sequential_k = x,
                "sequential_window" => {
                    if x.fract() != 0.0 || !(1.0..=10_000.0).contains(&x) {
                        return Err(format!("{k}: {v} must be a whole number of windows"));
                    }
                    self.sequential_window = x as usize;
                }
                "sequential_daily_false_alarms" => self.sequential_daily_false_alarms = unit(x)?,
                "min_sustained_shift" => self.min_sustained_shift = x,
                other => {
                    return Err(format!(
                        "unknown setting {other:?}; known: {}",
                        Self::KEYS.join(", ")
                    ))
                }
            }
        }
        let weights = [
            self.weight_location,
            self.weight_anderson,
            self.weight_ks,
            self.weight_scale,
        ];
        if weights.iter().all(|w| *w == 0.0) {
            return Err("at least one of the weight_* settings must be positive".into());
        }
        Ok(self)
    }

    /// One-line description for `summary.json`'s `policy` field.
    pub fn describe(&self) -> String {
        format!(
            "driftline default: BH-adjusted p <= {} (numeric: harmonic mean of location {:.3}, \
             anderson_darling {:.3}, ks {:.3}, scale {:.3}, sketch error deflated; categorical: \
             chi-squared) and effect (numeric: wasserstein/std >= {} or psi >= {} or ks >= {} or \
             variance ratio >= {}; categorical: psi >= {} or unseen > {})",
            self.alpha,
            self.weight_location,
            self.weight_anderson,
            self.weight_ks,
            self.weight_scale,
            self.min_wasserstein,
            self.min_psi,
            self.min_ks,
            self.min_variance_ratio,
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
    /// Location (numeric): value = (window mean − baseline mean) / baseline std, p-value of
    /// Welch's t-test on the exact means and standard deviations.
    pub location: Option<Statistic>,
    /// Scale (numeric): value = window variance / baseline variance, p-value of the
    /// kurtosis-adjusted F test.
    pub scale: Option<Statistic>,
    /// Two-sample Anderson-Darling (numeric): value = standardised statistic T (scipy's), p-value
    /// asymptotic, CDF gaps shrunk by the sketch error.
    pub anderson_darling: Option<Statistic>,
    /// The location score (see [`location_test`]; about standard normal under no drift, never
    /// wider; positive when the window mean is above the baseline's): the per-window input of
    /// the sequential test ([`crate::drift::sequential`]).
    pub location_z: Option<f64>,
    /// Skewness of the baseline (numeric, from its sketch): gates the location test (see
    /// [`PolicyConfig::max_location_skew`]).
    pub baseline_skewness: Option<f64>,
    /// Sequential test over the rolling view's windows (numeric; set by
    /// [`crate::analysis::analyze`] when it is given the view's hourly windows): value =
    /// `max(S⁺, S⁻)` at the last window, threshold = the limit `h`.
    pub cusum: Option<Statistic>,
    /// The test that carries the most evidence (smallest `p / weight`): `location`,
    /// `anderson_darling`, `ks`, `scale` or `chi2`.
    pub fired: &'static str,
    /// Categories of the window the baseline never saw (categorical).
    pub unseen_categories: Vec<String>,
    /// Fraction of the window in unseen categories (categorical; 0 for numeric).
    pub unseen_fraction: f64,
    /// The feature's p-value: numeric, the weighted harmonic mean of its tests' p-values
    /// ([`crate::drift::combine`]); categorical, chi-squared's.
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
            ("location", self.location),
            ("scale", self.scale),
            ("anderson_darling", self.anderson_darling),
            ("cusum", self.cusum),
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
    /// Exact means and standard deviations of both sides for the location and scale tests
    /// (`None`: those tests are left out and the others' weights carry the p-value).
    pub moments: Option<Moments>,
}

/// Exact summary statistics of both sides (Model Monitor's `mean` and population `std_dev`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moments {
    /// Baseline mean.
    pub baseline_mean: f64,
    /// Window mean.
    pub current_mean: f64,
    /// Window population standard deviation.
    pub current_std: f64,
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
        moments,
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

    // Location and scale from the exact moments (no sketch error).
    let mut location = None;
    let mut location_z = None;
    let mut scale = None;
    let mut var_ratio = None;
    if let Some(m) = moments {
        let sd_c = sample_std(m.current_std, n_cur);
        let sd_b = sample_std(baseline_std, n_base);
        // The mean of n values is normal enough for the location test's tail only when the
        // feature's skewness is small against √n: a rare 0/1 feature (a one-hot column with 2 %
        // ones has skewness 6.9) would otherwise raise false alarms at a few hundred records,
        // where the binomial tail is far heavier than the normal one.
        let skew = skewness(baseline.values(), baseline.weights());
        let normal_enough = skew.abs() <= cfg.max_location_skew * (n_cur as f64).sqrt();
        if let Some((d, p_loc, z)) =
            location_test(&m, n_cur, baseline_std, n_base).filter(|_| normal_enough)
        {
            location = Some(Statistic {
                value: d,
                p_value: Some(p_loc),
                threshold: None,
                error_bound: None,
            });
            location_z = Some(z);
        }
        let kurt = pooled_kurtosis(&[
            (baseline.values(), baseline.weights(), n_base as f64),
            (current.values(), current.weights(), n_cur as f64),
        ])
        .unwrap_or(3.0);
        // Heavy tails: the variance test's null distribution rests on the kurtosis, which a
        // sample (let alone a sketch) underestimates badly for heavy tails (a lognormal(0, 1)
        // has 114; 10,000 values typically show 30-60), so the test is left out there and
        // the distribution tests carry scale changes.
        let usable = kurt <= cfg.max_scale_kurtosis;
        if let Some(v) = usable
            .then(|| variance_ratio(sd_c * sd_c, n_cur, sd_b * sd_b, n_base, kurt.max(1.0)).ok())
            .flatten()
        {
            let ratio = if sd_b > 0.0 {
                (sd_c * sd_c) / (sd_b * sd_b)
            } else if sd_c == 0.0 {
                1.0
            } else {
                f64::INFINITY
            };
            var_ratio = Some(ratio);
            scale = Some(Statistic {
                value: ratio,
                p_value: Some(v.p_value),
                threshold: Some(cfg.min_variance_ratio),
                error_bound: None,
            });
        }
    }
    // Discrete features (heavy ties) leave Anderson-Darling out: its p-value rests on cell
    // counts that are small for rare values (a one-hot column), as chi-squared's would.
    let anderson = anderson_darling_2samp(baseline, current, n_base, n_cur, err)
        .ok()
        .filter(|r| !r.discrete)
        .map(|r| Statistic {
            value: r.statistic,
            p_value: Some(r.p_value),
            threshold: None,
            error_bound: (err > 0.0).then_some(err),
        });

    let mut tests: Vec<(&'static str, f64, f64)> = vec![("ks", p, cfg.weight_ks)];
    for (name, st, wgt) in [
        ("location", location, cfg.weight_location),
        ("anderson_darling", anderson, cfg.weight_anderson),
        ("scale", scale, cfg.weight_scale),
    ] {
        if let Some(pv) = st.and_then(|s| s.p_value) {
            if !pv.is_nan() {
                tests.push((name, pv, wgt));
            }
        }
    }
    let (combined, fired) = combine_tests(&tests);

    let spread = var_ratio.is_some_and(|r| {
        cfg.min_variance_ratio > 0.0
            && (r >= cfg.min_variance_ratio || r * cfg.min_variance_ratio <= 1.0)
    });
    let effect = w >= cfg.min_wasserstein || psi >= cfg.min_psi || d_adj >= cfg.min_ks || spread;
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
        location,
        scale,
        anderson_darling: anderson,
        location_z,
        baseline_skewness: moments.map(|_| skewness(baseline.values(), baseline.weights())),
        cusum: None,
        fired,
        unseen_categories: Vec::new(),
        unseen_fraction: 0.0,
        p_value: combined,
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
        location: None,
        scale: None,
        anderson_darling: None,
        location_z: None,
        baseline_skewness: None,
        cusum: None,
        fired: "chi2",
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
        f.reasons.push(significance_reason(f, q, significant, cfg));
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

/// Skewness `m3 / m2^1.5` of a weighted sample (0 when it has no spread).
fn skewness(values: &[f64], weights: &[f64]) -> f64 {
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return 0.0;
    }
    let mean = values.iter().zip(weights).map(|(v, w)| v * w).sum::<f64>() / total;
    let (mut m2, mut m3) = (0.0, 0.0);
    for (v, w) in values.iter().zip(weights) {
        let d = v - mean;
        m2 += w * d * d;
        m3 += w * d * d * d;
    }
    let (m2, m3) = (m2 / total, m3 / total);
    if m2 > 0.0 {
        m3 / m2.powf(1.5)
    } else {
        0.0
    }
}

/// The combined p-value of `(name, p, weight)` tests and the name of the one with the most
/// evidence (smallest `p / weight`). Tests with weight 0 count only when all weights are 0
/// (then KS alone decides, as before the other tests existed).
fn combine_tests(tests: &[(&'static str, f64, f64)]) -> (f64, &'static str) {
    let pairs: Vec<(f64, f64)> = tests
        .iter()
        .map(|&(_, p, w)| (p.clamp(0.0, 1.0), w))
        .collect();
    let fired = tests
        .iter()
        .filter(|t| t.2 > 0.0)
        .min_by(|a, b| (a.1 / a.2).total_cmp(&(b.1 / b.2)))
        .map(|t| t.0)
        .unwrap_or("ks");
    match harmonic_mean_p(&pairs) {
        Ok(p) => (p, fired),
        // every weight 0: the KS p-value (always the first test)
        Err(_) => (tests.first().map(|t| t.1).unwrap_or(1.0), "ks"),
    }
}

/// The location test of one window: `(standardised mean difference, p-value, score)` from the
/// exact moments alone (`baseline_std` is the population std, as Model Monitor's `std_dev`).
/// The p-value is the larger of Welch's t-test's and the z-test's with the baseline's std; the
/// score is the one of their two normal scores nearer 0 (the z-test's is
/// `(x̄ − μ) / (σ_b √(1/n + 1/n_b))`). `None` when fewer than 2 values are on a side or a moment is not
/// finite. The score is what [`crate::drift::sequential`] accumulates across windows.
pub fn location_test(
    m: &Moments,
    n_cur: u64,
    baseline_std: f64,
    n_base: u64,
) -> Option<(f64, f64, f64)> {
    let sd_c = sample_std(m.current_std, n_cur);
    let sd_b = sample_std(baseline_std, n_base);
    let t = welch_from_stats(m.current_mean, sd_c, n_cur, m.baseline_mean, sd_b, n_base).ok()?;
    let d = if baseline_std > 0.0 {
        (m.current_mean - m.baseline_mean) / baseline_std
    } else if m.current_mean == m.baseline_mean {
        0.0
    } else {
        f64::INFINITY
    };
    // The sequential score standardises by the baseline's exact std, not the window's: the
    // score's variance is then exactly 1 under no drift, and it does not inherit the skew the
    // window's own std gives a t statistic on skewed data (large means come with large
    // stds), which a CUSUM would accumulate over the day.
    let se = (baseline_std * baseline_std * (1.0 / n_cur as f64 + 1.0 / n_base as f64)).sqrt();
    let z_known = if se > 0.0 {
        (m.current_mean - m.baseline_mean) / se
    } else {
        signed_z(t.statistic, t.p_value)
    };
    // The p-value is the larger of Welch's and the known-std z-test's. On skewed data each
    // over-rejects in one tail: Welch's t in the tail where the window's std comes out small
    // (few large values: low mean and low std together), the z-test in the tail the mean is
    // skewed towards; the larger p-value is valid in both (P(max <= a) <= either's), and on
    // symmetric data the two agree, so little power is lost.
    let p_z = if se > 0.0 {
        super::location::normal_two_sided(z_known)
    } else {
        t.p_value
    };
    // The score takes the same care: of the two normal scores (the known-std z and Welch's t
    // as a normal score) the one nearer 0, so that neither tail of a skewed feature inflates
    // the CUSUM.
    let z_welch = signed_z(t.statistic, t.p_value);
    let z = if z_welch.abs() < z_known.abs() {
        z_welch
    } else {
        z_known
    };
    Some((d, t.p_value.max(p_z), z))
}

/// Signed normal score of a two-sided p-value: `Φ⁻¹(1 − p / 2)` with the statistic's sign.
fn signed_z(statistic: f64, p_two_sided: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    if statistic == 0.0 || p_two_sided.is_nan() {
        return 0.0;
    }
    let half = (p_two_sided / 2.0).clamp(1e-300, 0.5);
    let z = -Normal::standard().inverse_cdf(half);
    z.copysign(statistic)
}

fn significance_reason(f: &FeatureDrift, q: f64, significant: bool, cfg: &PolicyConfig) -> String {
    let verdict = format!(
        "BH-adjusted {:.3e} {} alpha {}",
        q,
        if significant { "<=" } else { ">" },
        cfg.alpha
    );
    if f.kind == FeatureKind::Categorical {
        return format!("chi2 p={:.3e}, {verdict}", f.p_value);
    }
    let tests: Vec<String> = [
        ("location", f.location),
        ("anderson_darling", f.anderson_darling),
        ("ks", f.ks),
        ("scale", f.scale),
    ]
    .into_iter()
    .filter_map(|(n, s)| s.and_then(|s| s.p_value).map(|p| format!("{n} {p:.1e}")))
    .collect();
    let fired_p = match f.fired {
        "location" => f.location,
        "anderson_darling" => f.anderson_darling,
        "scale" => f.scale,
        _ => f.ks,
    }
    .and_then(|s| s.p_value)
    .unwrap_or(f.p_value);
    format!(
        "{} test fired (p={fired_p:.3e}); feature p={:.3e} (harmonic mean of {}), {verdict}",
        f.fired,
        f.p_value,
        tests.join(", ")
    )
}

fn effect_reason(f: &FeatureDrift, cfg: &PolicyConfig) -> String {
    let v = |s: Option<Statistic>| s.map(|s| s.value).unwrap_or(f64::NAN);
    match f.kind {
        FeatureKind::Numeric => format!(
            "effect {}: wasserstein/std {:.4} (min {}), psi {:.4} (min {}), ks {:.4} (min {}), \
             variance ratio {:.4} (min {})",
            if f.effect { "large" } else { "small" },
            v(f.wasserstein),
            cfg.min_wasserstein,
            v(f.psi),
            cfg.min_psi,
            v(f.ks),
            cfg.min_ks,
            v(f.scale),
            cfg.min_variance_ratio
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
            moments: None,
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
            vec!["anderson_darling", "js", "ks", "psi", "wasserstein"]
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
            moments: None,
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
