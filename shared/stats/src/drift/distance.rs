//! Distances between a baseline and a current numeric distribution: PSI on baseline-quantile
//! bins, Jensen-Shannon distance on the same bins, and Wasserstein-1 (raw and normalised by the
//! baseline standard deviation).
//!
//! # PSI (population stability index)
//! * Bins: the baseline's weighted quantiles at levels `i / bins` (`i = 1 .. bins-1`, deciles by
//!   default) with numpy's `inverted_cdf` definition (the smallest value whose cumulative weight
//!   fraction reaches the level), duplicates removed. Bins are right-closed:
//!   `(-inf, e1], (e1, e2], ..., (ek, +inf)`, so a discrete feature with few values gets fewer
//!   bins and values outside the baseline's range land in the outer bins.
//! * Smoothing: each bin's proportion becomes `(p + eps) / (1 + K eps)` (K bins, `eps = 1e-4` by
//!   default, [`DEFAULT_PSI_EPSILON`]), for the baseline and the current proportions alike. An
//!   empty bin then contributes a finite amount, and smoothed proportions still sum to 1.
//! * `PSI = sum_i (q_i - p_i) ln(q_i / p_i)` (natural log; the usual reading: < 0.1 stable,
//!   0.1-0.25 moderate shift, > 0.25 major shift).
//!
//! # Jensen-Shannon
//! `scipy.spatial.distance.jensenshannon(p, q, base=2)`: the square root of the JS divergence in
//! bits, in [0, 1]. For numeric features it is computed on the PSI bins, unsmoothed.
//!
//! # Wasserstein-1
//! `scipy.stats.wasserstein_distance(u, v, u_weights, v_weights)`: the area between the two
//! CDFs. driftline reports it divided by the baseline's standard deviation (unit-free: "the
//! distributions are 0.2 standard deviations apart"). A zero baseline std gives 0 when the
//! distance is 0 and +infinity otherwise.

use super::DriftError;
use crate::sample::WeightedSample;

/// Default number of PSI bins (deciles of the baseline).
pub const DEFAULT_PSI_BINS: usize = 10;
/// Default additive smoothing of PSI bin proportions.
pub const DEFAULT_PSI_EPSILON: f64 = 1e-4;

/// PSI of a current sample against a baseline, with the bins used.
#[derive(Debug, Clone, PartialEq)]
pub struct PsiResult {
    /// The PSI value (natural log).
    pub value: f64,
    /// Inner bin edges (the baseline's distinct quantiles); K = `edges.len() + 1` bins.
    pub edges: Vec<f64>,
    /// Baseline proportion per bin, before smoothing.
    pub baseline_fractions: Vec<f64>,
    /// Current proportion per bin, before smoothing.
    pub current_fractions: Vec<f64>,
    /// The smoothing constant used.
    pub epsilon: f64,
}

fn check_nonempty(s: &WeightedSample, which: &'static str) -> Result<(), DriftError> {
    if s.is_empty() || s.total_weight() <= 0.0 {
        Err(DriftError::EmptySample(which))
    } else {
        Ok(())
    }
}

/// The baseline's weighted `inverted_cdf` quantiles at `i / bins`, `i = 1 .. bins-1`, distinct.
pub fn quantile_edges(baseline: &WeightedSample, bins: usize) -> Result<Vec<f64>, DriftError> {
    check_nonempty(baseline, "baseline")?;
    if bins < 2 {
        return Err(DriftError::InvalidInput(format!(
            "PSI needs at least 2 bins, got {bins}"
        )));
    }
    let total = baseline.total_weight();
    let mut acc = 0.0;
    let cdf: Vec<f64> = baseline
        .weights()
        .iter()
        .map(|w| {
            acc += w;
            acc / total
        })
        .collect();
    let values = baseline.values();
    let mut edges: Vec<f64> = Vec::with_capacity(bins - 1);
    for i in 1..bins {
        let q = i as f64 / bins as f64;
        let idx = cdf.partition_point(|&c| c < q).min(values.len() - 1);
        let v = values[idx];
        if edges.last() != Some(&v) {
            edges.push(v);
        }
    }
    Ok(edges)
}

/// Proportion of the sample's weight in each right-closed bin defined by `edges`.
pub fn bin_fractions(sample: &WeightedSample, edges: &[f64]) -> Vec<f64> {
    let mut w = vec![0.0; edges.len() + 1];
    for (v, wt) in sample.values().iter().zip(sample.weights()) {
        let idx = edges.partition_point(|&e| e < *v);
        w[idx] += wt;
    }
    let total = sample.total_weight();
    if total > 0.0 {
        for x in w.iter_mut() {
            *x /= total;
        }
    }
    w
}

/// PSI from two proportion vectors of equal length (smoothed as the module describes).
pub fn psi_from_fractions(p: &[f64], q: &[f64], epsilon: f64) -> Result<f64, DriftError> {
    if p.len() != q.len() || p.is_empty() {
        return Err(DriftError::InvalidInput(format!(
            "PSI needs two proportion vectors of the same non-zero length, got {} and {}",
            p.len(),
            q.len()
        )));
    }
    if !(epsilon > 0.0 && epsilon.is_finite()) {
        return Err(DriftError::InvalidInput(format!(
            "PSI smoothing must be positive, got {epsilon}"
        )));
    }
    let k = p.len() as f64;
    let norm = 1.0 + k * epsilon;
    Ok(p.iter()
        .zip(q)
        .map(|(&pi, &qi)| {
            let ps = (pi + epsilon) / norm;
            let qs = (qi + epsilon) / norm;
            (qs - ps) * (qs / ps).ln()
        })
        .sum())
}

/// PSI of `current` against `baseline` on `bins` baseline-quantile bins, smoothing `epsilon`.
pub fn psi(
    baseline: &WeightedSample,
    current: &WeightedSample,
    bins: usize,
    epsilon: f64,
) -> Result<PsiResult, DriftError> {
    check_nonempty(current, "current sample")?;
    let edges = quantile_edges(baseline, bins)?;
    let p = bin_fractions(baseline, &edges);
    let q = bin_fractions(current, &edges);
    let value = psi_from_fractions(&p, &q, epsilon)?;
    Ok(PsiResult {
        value,
        edges,
        baseline_fractions: p,
        current_fractions: q,
        epsilon,
    })
}

/// `scipy.spatial.distance.jensenshannon(p, q, base=2)` for non-negative weights (counts or
/// proportions; each vector is normalised to sum 1). Errors if a vector sums to 0.
pub fn jensen_shannon(p: &[f64], q: &[f64]) -> Result<f64, DriftError> {
    if p.len() != q.len() {
        return Err(DriftError::InvalidInput(format!(
            "Jensen-Shannon needs vectors of the same length, got {} and {}",
            p.len(),
            q.len()
        )));
    }
    if p.iter()
        .chain(q)
        .any(|x| x.is_nan() || *x < 0.0 || x.is_infinite())
    {
        return Err(DriftError::InvalidInput(
            "Jensen-Shannon needs finite non-negative weights".into(),
        ));
    }
    let sp: f64 = p.iter().sum();
    let sq: f64 = q.iter().sum();
    if sp <= 0.0 {
        return Err(DriftError::EmptySample("baseline"));
    }
    if sq <= 0.0 {
        return Err(DriftError::EmptySample("current sample"));
    }
    let rel_entr = |x: f64, y: f64| -> f64 {
        if x > 0.0 && y > 0.0 {
            x * (x / y).ln()
        } else if x == 0.0 && y >= 0.0 {
            0.0
        } else {
            f64::INFINITY
        }
    };
    let mut left = 0.0;
    let mut right = 0.0;
    for (&a, &b) in p.iter().zip(q) {
        let (a, b) = (a / sp, b / sq);
        let m = (a + b) / 2.0;
        left += rel_entr(a, m);
        right += rel_entr(b, m);
    }
    let js = (left + right) / std::f64::consts::LN_2;
    Ok((js / 2.0).max(0.0).sqrt())
}

/// `scipy.stats.wasserstein_distance(u, v, u_weights, v_weights)` between two weighted samples.
pub fn wasserstein(u: &WeightedSample, v: &WeightedSample) -> Result<f64, DriftError> {
    check_nonempty(u, "baseline")?;
    check_nonempty(v, "current sample")?;
    // merge the distinct values of both samples
    let (uv, vv) = (u.values(), v.values());
    let mut all: Vec<f64> = Vec::with_capacity(uv.len() + vv.len());
    let (mut i, mut j) = (0, 0);
    while i < uv.len() || j < vv.len() {
        let next = match (uv.get(i), vv.get(j)) {
            (Some(&a), Some(&b)) if a <= b => {
                i += 1;
                if a == b {
                    j += 1;
                }
                a
            }
            (Some(_), Some(&b)) => {
                j += 1;
                b
            }
            (Some(&a), None) => {
                i += 1;
                a
            }
            (None, Some(&b)) => {
                j += 1;
                b
            }
            (None, None) => break,
        };
        all.push(next);
    }
    let (tu, tv) = (u.total_weight(), v.total_weight());
    let (mut cu, mut cv) = (0.0, 0.0);
    let (mut iu, mut iv) = (0, 0);
    let mut sum = 0.0;
    for w in all.windows(2) {
        let x = w[0];
        while iu < uv.len() && uv[iu] <= x {
            cu += u.weights()[iu];
            iu += 1;
        }
        while iv < vv.len() && vv[iv] <= x {
            cv += v.weights()[iv];
            iv += 1;
        }
        sum += ((cu / tu) - (cv / tv)).abs() * (w[1] - w[0]);
    }
    Ok(sum)
}

/// Wasserstein-1 divided by the baseline standard deviation (see the module doc for std = 0).
pub fn wasserstein_normalized(raw: f64, baseline_std: f64) -> f64 {
    if baseline_std > 0.0 && baseline_std.is_finite() {
        raw / baseline_std
    } else if raw == 0.0 {
        0.0
    } else {
        f64::INFINITY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psi_of_identical_is_zero_and_edges_are_deciles() {
        let vals: Vec<f64> = (1..=100).map(f64::from).collect();
        let s = WeightedSample::from_values(&vals);
        let r = psi(&s, &s, 10, DEFAULT_PSI_EPSILON).unwrap();
        assert_eq!(r.value, 0.0);
        assert_eq!(
            r.edges,
            vec![10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0]
        );
    }

    #[test]
    fn js_bounds() {
        assert_eq!(jensen_shannon(&[1.0, 0.0], &[0.0, 1.0]).unwrap(), 1.0);
        assert_eq!(jensen_shannon(&[1.0, 1.0], &[2.0, 2.0]).unwrap(), 0.0);
        assert!(jensen_shannon(&[0.0, 0.0], &[1.0, 1.0]).is_err());
    }

    #[test]
    fn wasserstein_shift() {
        let a = WeightedSample::from_values(&[0.0, 1.0, 2.0]);
        let b = WeightedSample::from_values(&[0.5, 1.5, 2.5]);
        assert!((wasserstein(&a, &b).unwrap() - 0.5).abs() < 1e-15);
        assert_eq!(wasserstein_normalized(0.0, 0.0), 0.0);
        assert_eq!(wasserstein_normalized(1.0, 0.0), f64::INFINITY);
    }
}
