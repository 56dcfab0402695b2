//! One p-value per feature from several tests of the same data: the weighted harmonic mean
//! p-value (Good 1958; Wilson 2019, PNAS 116:1195).
//!
//! `p_H = Σ w_i / Σ (w_i / p_i)`. Why this combination and not another:
//!
//! * The tests of one feature (location, scale, Anderson-Darling, KS) look at the same records,
//!   so they are strongly and unknowably dependent. The harmonic mean's validity does not
//!   depend on that dependence: its tail is that of its smallest terms, and for the small levels
//!   a window is tested at (about 0.01 / 20 features) `p_H <= α` is asymptotically exact under
//!   any dependence (Wilson 2019; the same tail argument as the Cauchy combination of Liu & Xie
//!   2020). driftline's simulation bench measures the family-wise false alarms it gives
//!   (`docs/drift-policy.md`).
//! * It costs little power: when one test carries the evidence alone, `p_H ≈ p_min / w_min`
//!   (the price of Bonferroni on that test's weight); when several agree, as the location
//!   test, Anderson-Darling and KS do on a mean shift, `p_H` approaches the smallest p-value.
//!   Bonferroni-Holm would always pay the full factor (the number of tests).
//! * Unlike the Cauchy combination it is not dragged down by a p-value near 1 (KS after the
//!   sketch-error deflation is often exactly 1): a large p-value adds almost nothing.
//!
//! It is never smaller than the smallest p-value and never larger than the weighted Bonferroni
//! bound `min_i p_i Σw / w_i`.
//!
//! ```
//! use driftline_stats::drift::combine::harmonic_mean_p;
//! let p = harmonic_mean_p(&[(1e-6, 0.5), (0.3, 0.25), (0.9, 0.25)]).unwrap();
//! assert!(p > 1e-6 && p < 2.1e-6);
//! ```

use super::DriftError;

/// Weighted harmonic mean of `(p_value, weight)` pairs. Weights must be non-negative with a
/// positive sum; pairs with weight 0 are ignored; a p-value of 0 with a positive weight gives 0.
/// Errors on a p-value outside [0, 1] (NaN included) or bad weights.
pub fn harmonic_mean_p(tests: &[(f64, f64)]) -> Result<f64, DriftError> {
    let mut wsum = 0.0;
    let mut inv = 0.0;
    for &(p, w) in tests {
        if !(0.0..=1.0).contains(&p) {
            return Err(DriftError::InvalidInput(format!(
                "p-values must lie in [0, 1], got {p}"
            )));
        }
        if !(w >= 0.0 && w.is_finite()) {
            return Err(DriftError::InvalidInput(format!(
                "weights must be finite and non-negative, got {w}"
            )));
        }
        if w == 0.0 {
            continue;
        }
        if p == 0.0 {
            return Ok(0.0);
        }
        wsum += w;
        inv += w / p;
    }
    if wsum <= 0.0 {
        return Err(DriftError::InvalidInput(
            "at least one test needs a positive weight".into(),
        ));
    }
    Ok((wsum / inv).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_and_edge_cases() {
        let ps = [(0.01, 1.0), (0.5, 1.0), (0.9, 1.0), (1.0, 1.0)];
        let p = harmonic_mean_p(&ps).unwrap();
        assert!((0.01..=0.04).contains(&p), "{p}");
        assert_eq!(harmonic_mean_p(&[(0.2, 1.0), (0.2, 3.0)]).unwrap(), 0.2);
        assert_eq!(harmonic_mean_p(&[(0.0, 1.0), (0.2, 1.0)]).unwrap(), 0.0);
        assert_eq!(harmonic_mean_p(&[(0.0, 0.0), (0.2, 1.0)]).unwrap(), 0.2);
        assert!(harmonic_mean_p(&[(f64::NAN, 1.0)]).is_err());
        assert!(harmonic_mean_p(&[(0.5, -1.0)]).is_err());
        assert!(harmonic_mean_p(&[(0.5, 0.0)]).is_err());
        assert!(harmonic_mean_p(&[]).is_err());
    }
}
