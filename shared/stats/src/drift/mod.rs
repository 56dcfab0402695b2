//! Drift statistics and driftline's default drift decision policy.
//!
//! Every statistic here is validated against scipy 1.16.3 / numpy 2.3.5
//! (`scripts/scipy_reference.py` → `tests/data/scipy_reference.json` → `tests/scipy_parity.rs`).
//!
//! * [`ks`]: two-sample Kolmogorov-Smirnov, p-values as `scipy.stats.ks_2samp(method='auto')`.
//! * [`kolmogorov`]: `kstwo.sf` and `smirnov`, the distributions behind the asymptotic path.
//! * [`distance`]: PSI on baseline-quantile bins (explicit smoothing), Jensen-Shannon distance
//!   (base 2), Wasserstein-1 (raw and normalised by the baseline std).
//! * [`categorical`]: chi-squared homogeneity (Yates at 1 dof), categorical PSI and JS with
//!   unseen categories handled explicitly.
//! * [`location`]: Welch's t-test on the exact means (`scipy.stats.ttest_ind_from_stats`) and
//!   a kurtosis-adjusted F test of equal variances.
//! * [`anderson`]: two-sample Anderson-Darling (midrank; `scipy.stats.anderson_ksamp`'s
//!   statistic), asymptotic p-value, sketch-aware.
//! * [`combine`]: one p-value per feature, the weighted harmonic mean of its tests'.
//! * [`sequential`]: CUSUM over consecutive windows' location scores, with its false-alarm
//!   probability over a horizon computed (Brook & Evans' Markov chain) and controlled.
//! * [`fdr`]: Benjamini-Hochberg adjustment across features.
//! * [`policy`]: driftline's default verdict (`drifted` per feature, `drift_detected` per window).
//!
//! Inputs are [`crate::sample::WeightedSample`]s (exact samples or KLL sketches) and, for
//! categorical features, category counts.
//!
//! Empty input is an error value ([`DriftError::EmptySample`]), never a panic and never a
//! silent NaN.

pub mod anderson;
pub mod categorical;
pub mod combine;
pub mod distance;
pub mod fdr;
pub mod kolmogorov;
pub mod ks;
pub mod location;
pub mod policy;
pub mod sequential;
mod special;

pub use categorical::{
    categorical_js, categorical_psi, chi2_homogeneity, CategoryCounts, Chi2Result,
};
pub use distance::{
    jensen_shannon, psi, wasserstein, wasserstein_normalized, PsiResult, DEFAULT_PSI_BINS,
    DEFAULT_PSI_EPSILON,
};
pub use fdr::benjamini_hochberg;
pub use ks::{ks_2samp, ks_2samp_approx, ks_p_value, Alternative, KsMethod, KsResult};
pub use policy::{
    decide, evaluate_categorical, evaluate_numeric, location_test, FeatureDrift, FeatureKind,
    Moments, NumericInput, PolicyConfig, Statistic, WindowVerdict,
};

/// Why a drift statistic could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DriftError {
    /// One of the inputs has no values (or zero total weight/count).
    #[error("empty input: the {0} has no values")]
    EmptySample(&'static str),
    /// The input is unusable for another stated reason.
    #[error("invalid input: {0}")]
    InvalidInput(String),
}
