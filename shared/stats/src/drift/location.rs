//! Location and scale tests from summary statistics: what a profile keeps exactly (count, mean,
//! standard deviation) is enough, so these tests carry no sketch error at all.
//!
//! * [`welch_from_stats`]: Welch's unequal-variance t-test on two means, p-values as
//!   `scipy.stats.ttest_ind_from_stats(..., equal_var=False)`.
//! * [`variance_ratio`]: a kurtosis-adjusted F test of equal variances (Shoemaker 2003), robust
//!   to non-normal shapes (the plain F test is not: heavy tails make it reject far too often).
//!
//! ```
//! use driftline_stats::drift::location::welch_from_stats;
//! // window: 200 records, mean 0.3 (baseline units); baseline: 100,000 rows, mean 0, std 1
//! let t = welch_from_stats(0.3, 1.0, 200, 0.0, 1.0, 100_000).unwrap();
//! assert!(t.p_value < 1e-4 && t.statistic > 4.0);
//! ```

use super::DriftError;
use statrs::function::beta::beta_reg;
use statrs::function::erf::erfc;

/// Result of a test with a real-valued statistic.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TestResult {
    /// The test statistic (t for Welch, z for the variance ratio).
    pub statistic: f64,
    /// Degrees of freedom where the reference distribution has them (Welch), else infinity.
    pub df: f64,
    /// Two-sided p-value.
    pub p_value: f64,
}

/// Two-sided p-value of Student's t with `df` degrees of freedom, without cancellation in the
/// tail: `I_{df/(df+t²)}(df/2, 1/2)`.
fn t_two_sided(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() {
        return f64::NAN;
    }
    if t.is_infinite() {
        return 0.0;
    }
    if df.is_infinite() {
        return normal_two_sided(t);
    }
    let x = df / (df + t * t);
    beta_reg(df / 2.0, 0.5, x.clamp(0.0, 1.0)).clamp(0.0, 1.0)
}

/// Two-sided p-value of a standard normal statistic, `erfc(|z| / √2)`.
pub fn normal_two_sided(z: f64) -> f64 {
    if z.is_nan() {
        return f64::NAN;
    }
    erfc(z.abs() / std::f64::consts::SQRT_2).clamp(0.0, 1.0)
}

fn check(n: u64, sd: f64, what: &'static str) -> Result<(), DriftError> {
    if n < 2 {
        return Err(DriftError::InvalidInput(format!(
            "{what}: at least 2 values are needed, got {n}"
        )));
    }
    if !(sd >= 0.0 && sd.is_finite()) {
        return Err(DriftError::InvalidInput(format!(
            "{what}: the standard deviation must be finite and non-negative, got {sd}"
        )));
    }
    Ok(())
}

/// Welch's t-test for equal means from summary statistics. `sd1`, `sd2` are **sample**
/// standard deviations (ddof = 1), as scipy takes them; see [`sample_std`] to convert Model
/// Monitor's population `std_dev`.
///
/// Both standard deviations 0: the statistic is 0 (equal means, p = 1) or ±infinity (p = 0).
pub fn welch_from_stats(
    mean1: f64,
    sd1: f64,
    n1: u64,
    mean2: f64,
    sd2: f64,
    n2: u64,
) -> Result<TestResult, DriftError> {
    check(n1, sd1, "first sample")?;
    check(n2, sd2, "second sample")?;
    if !(mean1.is_finite() && mean2.is_finite()) {
        return Err(DriftError::InvalidInput(format!(
            "means must be finite, got {mean1} and {mean2}"
        )));
    }
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let v1 = sd1 * sd1 / n1f;
    let v2 = sd2 * sd2 / n2f;
    let se2 = v1 + v2;
    let diff = mean1 - mean2;
    if se2 == 0.0 {
        let t = if diff == 0.0 {
            0.0
        } else {
            diff.signum() * f64::INFINITY
        };
        let p = if diff == 0.0 { 1.0 } else { 0.0 };
        return Ok(TestResult {
            statistic: t,
            df: f64::NAN,
            p_value: p,
        });
    }
    // Welch-Satterthwaite, written as scipy's _unequal_var_ttest_denom does.
    let df = se2 * se2 / (v1 * v1 / (n1f - 1.0) + v2 * v2 / (n2f - 1.0));
    let t = diff / se2.sqrt();
    Ok(TestResult {
        statistic: t,
        df,
        p_value: t_two_sided(t, df),
    })
}

/// The sample standard deviation (ddof = 1) from a population one (ddof = 0, Model Monitor's
/// `std_dev`) over `n` values.
pub fn sample_std(population_std: f64, n: u64) -> f64 {
    if n < 2 {
        return f64::NAN;
    }
    population_std * (n as f64 / (n as f64 - 1.0)).sqrt()
}

/// A kurtosis-adjusted F test of equal variances (Shoemaker 2003): `F = s1² / s2²` (sample
/// variances, ddof = 1) against an F distribution whose degrees of freedom match the variance
/// of each `s²`: `d_i = 2 n_i / (κ − (n_i − 3)/(n_i − 1))`, with `kurtosis` κ the fourth
/// standardised moment (3 for a normal distribution, where `d_i = n_i − 1`: the classical F
/// test; pass a pooled estimate such as [`pooled_kurtosis`]). Two-sided p-value
/// `2 min(P(F' <= F), P(F' >= F))`.
///
/// `(κ − (n − 3)/(n − 1)) / n` is the exact variance of `s² / σ²` for any distribution with
/// kurtosis κ, so the test holds its level for any shape with a finite fourth moment far
/// better than the F test (heavy tails make that reject far too often) and than a normal
/// approximation of `ln(s1² / s2²)` (which over-rejects low variances of light-tailed data);
/// driftline's simulation bench measures it at small n (`docs/drift-policy.md`). The statistic
/// reported is `F`; a zero variance on one side only gives F = 0 or +infinity (p = 0); on both
/// sides F = 1 (p = 1).
pub fn variance_ratio(
    var1: f64,
    n1: u64,
    var2: f64,
    n2: u64,
    kurtosis: f64,
) -> Result<TestResult, DriftError> {
    check(n1, var1, "first sample")?;
    check(n2, var2, "second sample")?;
    if !(kurtosis.is_finite() && kurtosis >= 1.0) {
        return Err(DriftError::InvalidInput(format!(
            "kurtosis must be finite and at least 1, got {kurtosis}"
        )));
    }
    let dof = |n: u64| {
        let n = n as f64;
        // never more than a two-point distribution's (kurtosis 1) would give, so that an
        // underestimated kurtosis cannot make the degrees of freedom unbounded
        2.0 * n / (kurtosis - (n - 3.0) / (n - 1.0)).max(2.0 / (n - 1.0))
    };
    let (d1, d2) = (dof(n1), dof(n2));
    let (f, p) = match (var1 == 0.0, var2 == 0.0) {
        (true, true) => (1.0, 1.0),
        (true, false) => (0.0, 0.0),
        (false, true) => (f64::INFINITY, 0.0),
        (false, false) => {
            let f = var1 / var2;
            // P(F' <= f) = I_{d1 f / (d1 f + d2)}(d1/2, d2/2); the upper tail by the symmetric
            // form, so neither side loses its small values to 1 - x
            let lower = beta_reg(d1 / 2.0, d2 / 2.0, (d1 * f / (d1 * f + d2)).clamp(0.0, 1.0));
            let upper = beta_reg(d2 / 2.0, d1 / 2.0, (d2 / (d2 + d1 * f)).clamp(0.0, 1.0));
            (f, (2.0 * lower.min(upper)).clamp(0.0, 1.0))
        }
    };
    Ok(TestResult {
        statistic: f,
        df: d1,
        p_value: p,
    })
}

/// Central moments of a weighted sample scaled to `n` values: `(mean, Σ w (x − mean)², Σ w (x −
/// mean)⁴)` with the weights rescaled so that they sum to `n`.
pub fn central_moments(values: &[f64], weights: &[f64], n: f64) -> (f64, f64, f64) {
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return (f64::NAN, 0.0, 0.0);
    }
    let mean = values.iter().zip(weights).map(|(v, w)| v * w).sum::<f64>() / total;
    let scale = n / total;
    let (mut m2, mut m4) = (0.0, 0.0);
    for (v, w) in values.iter().zip(weights) {
        let d2 = (v - mean) * (v - mean);
        m2 += w * scale * d2;
        m4 += w * scale * d2 * d2;
    }
    (mean, m2, m4)
}

/// Layard's pooled kurtosis of several samples, each centred on its own mean: `N Σ Σ (x −
/// x̄_i)⁴ / (Σ Σ (x − x̄_i)²)²`. Each sample is `(values, weights, n)`: a weighted sample (a
/// sketch's items) standing for `n` values. `None` when every value equals its sample's mean.
pub fn pooled_kurtosis(samples: &[(&[f64], &[f64], f64)]) -> Option<f64> {
    let (mut n, mut s2, mut s4) = (0.0, 0.0, 0.0);
    for (v, w, ni) in samples {
        let (_, m2, m4) = central_moments(v, w, *ni);
        n += ni;
        s2 += m2;
        s4 += m4;
    }
    (s2 > 0.0).then(|| n * s4 / (s2 * s2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welch_degenerate_and_bad_input() {
        let t = welch_from_stats(1.0, 0.0, 10, 1.0, 0.0, 10).unwrap();
        assert_eq!((t.statistic, t.p_value), (0.0, 1.0));
        let t = welch_from_stats(2.0, 0.0, 10, 1.0, 0.0, 10).unwrap();
        assert_eq!((t.statistic, t.p_value), (f64::INFINITY, 0.0));
        assert!(welch_from_stats(1.0, 1.0, 1, 1.0, 1.0, 10).is_err());
        assert!(welch_from_stats(f64::NAN, 1.0, 5, 1.0, 1.0, 10).is_err());
        assert!(welch_from_stats(1.0, -1.0, 5, 1.0, 1.0, 10).is_err());
    }

    #[test]
    fn welch_tail_does_not_cancel() {
        // t = 12 with 199 df: p is about 1e-25, far below 1 - (1 - p)
        let t = welch_from_stats(12.0 / 200f64.sqrt(), 1.0, 200, 0.0, 1e-9, 1_000_000).unwrap();
        assert!(t.p_value > 0.0 && t.p_value < 1e-20, "{}", t.p_value);
    }

    #[test]
    fn variance_ratio_with_normal_kurtosis_is_the_f_test() {
        // kurtosis 3: d = n - 1, the classical F test; F(10, 10) at 2.978 is the 5 % upper point
        let r = variance_ratio(2.978, 11, 1.0, 11, 3.0).unwrap();
        assert!((r.df - 10.0).abs() < 1e-12);
        assert!((r.p_value - 0.10).abs() < 1e-3, "{}", r.p_value);
        let r = variance_ratio(1.0 / 2.978, 11, 1.0, 11, 3.0).unwrap();
        assert!((r.p_value - 0.10).abs() < 1e-3, "{}", r.p_value);
        assert_eq!(variance_ratio(0.0, 5, 0.0, 5, 3.0).unwrap().p_value, 1.0);
        assert_eq!(variance_ratio(0.0, 5, 1.0, 5, 3.0).unwrap().p_value, 0.0);
        assert!(variance_ratio(1.0, 5, 1.0, 5, f64::NAN).is_err());
    }

    #[test]
    fn pooled_kurtosis_of_a_normal_like_sample_is_near_three() {
        // quantiles of a normal distribution at (i + 0.5) / n
        use statrs::distribution::{ContinuousCDF, Normal};
        let nd = Normal::standard();
        let v: Vec<f64> = (0..20_000)
            .map(|i| nd.inverse_cdf((i as f64 + 0.5) / 20_000.0))
            .collect();
        let w = vec![1.0; v.len()];
        let k = pooled_kurtosis(&[(&v, &w, 20_000.0)]).unwrap();
        assert!((k - 3.0).abs() < 0.05, "{k}");
        assert_eq!(pooled_kurtosis(&[(&[1.0], &[1.0], 1.0)]), None);
    }
}
