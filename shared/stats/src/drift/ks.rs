//! Two-sample Kolmogorov-Smirnov test, with p-values computed exactly as
//! `scipy.stats.ks_2samp(data1, data2, alternative, method='auto')` does in scipy 1.16.3.
//!
//! * D is the largest difference between the two empirical CDFs, evaluated at every observed
//!   value (ties handled as scipy's `searchsorted(side='right')` does).
//! * `max(n, m) <= 10000`: exact p-value. Two-sided: `n == m` by the closed form
//!   (`_compute_prob_outside_square`), otherwise Hodges' inside method in Viehmann's numerically
//!   stable form (`_compute_outer_prob_inside_method`). One-sided: `n == m` by a product,
//!   otherwise the path-counting method (`_count_paths_outside_method`). In exact mode D is
//!   rounded to the lattice `h / lcm(n, m)` as scipy does. If the exact computation overflows or
//!   leaves [0, 1], scipy falls back to the asymptotic method, and so do we.
//! * Otherwise: two-sided `kstwo.sf(D, round(n m / (n + m)))`; one-sided Hodges' approximation
//!   (his Eqn 5.3).
//!
//! For KLL sketches, the CDFs come from the sketches' weighted items while `n` and `m` are the
//! true counts; D then carries the sum of the two sketches' normalised rank errors as
//! [`KsResult::error_bound`] (|D_sketch - D_exact| <= error_bound).

use super::kolmogorov::kstwo_sf;
use super::special::binom;
use super::DriftError;
use crate::sample::WeightedSample;

/// Largest sample size for which `method='auto'` computes exact p-values (scipy's `MAX_AUTO_N`).
pub const MAX_AUTO_N: u64 = 10_000;

/// The alternative hypothesis, as scipy names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Alternative {
    /// The two distributions differ (default).
    #[default]
    TwoSided,
    /// The CDF of the first sample is below the second's somewhere (statistic D-).
    Less,
    /// The CDF of the first sample is above the second's somewhere (statistic D+).
    Greater,
}

/// How the p-value was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KsMethod {
    /// The exact null distribution of D for sample sizes n and m.
    Exact,
    /// `kstwo.sf` (two-sided) or Hodges' formula (one-sided).
    Asymptotic,
}

/// Result of a two-sample KS test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KsResult {
    /// The statistic D (D+, D- or the larger of both, per the alternative). In exact mode it is
    /// rounded to the lattice `h / lcm(n, m)`, as scipy returns it.
    pub statistic: f64,
    /// p-value.
    pub p_value: f64,
    /// Value at which the largest CDF difference occurs.
    pub location: f64,
    /// +1 when the first sample's CDF is above the second's at `location`, -1 otherwise.
    pub sign: i8,
    /// How `p_value` was computed.
    pub method: KsMethod,
    /// Bound on |D - D_exact| from sketch approximation (0 for exact samples).
    pub error_bound: f64,
    /// Size of the first sample.
    pub n1: u64,
    /// Size of the second sample.
    pub n2: u64,
}

/// The raw CDF comparison of two weighted samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KsStatistic {
    /// max(F1 - F2), at least 0 (D+).
    pub d_plus: f64,
    /// max(F2 - F1), clipped to [0, 1] (D-).
    pub d_minus: f64,
    /// Where D+ is attained.
    pub loc_plus: f64,
    /// Where D- is attained.
    pub loc_minus: f64,
}

/// D+ and D- of two weighted samples (CDFs = cumulative weight / total weight), evaluated at
/// every value of `a` then every value of `b`, first maximum wins (scipy's `argmax` on the
/// concatenated data). Errors on an empty sample.
pub fn ks_statistic(a: &WeightedSample, b: &WeightedSample) -> Result<KsStatistic, DriftError> {
    if a.is_empty() || a.total_weight() <= 0.0 {
        return Err(DriftError::EmptySample("first sample"));
    }
    if b.is_empty() || b.total_weight() <= 0.0 {
        return Err(DriftError::EmptySample("second sample"));
    }
    let (av, aw, bv, bw) = (a.values(), a.weights(), b.values(), b.weights());
    let (ta, tb) = (a.total_weight(), b.total_weight());
    // Walk the union of distinct values once. scipy takes the first extreme in the order
    // "all of data1's values, then all of data2's", so track the extremes separately for values
    // present in `a` and values present only... in `b`, and prefer `a`'s on ties.
    let (mut i, mut j) = (0usize, 0usize);
    let (mut ca, mut cb) = (0.0f64, 0.0f64);
    let mut best_a = (f64::NEG_INFINITY, f64::NAN, f64::INFINITY, f64::NAN);
    let mut best_b = (f64::NEG_INFINITY, f64::NAN, f64::INFINITY, f64::NAN);
    while i < av.len() || j < bv.len() {
        let x = match (av.get(i), bv.get(j)) {
            (Some(&x), Some(&y)) => x.min(y),
            (Some(&x), None) => x,
            (None, Some(&y)) => y,
            (None, None) => break,
        };
        let in_a = av.get(i) == Some(&x);
        let in_b = bv.get(j) == Some(&x);
        if in_a {
            ca += aw[i];
            i += 1;
        }
        if in_b {
            cb += bw[j];
            j += 1;
        }
        let d = ca / ta - cb / tb;
        for (present, best) in [(in_a, &mut best_a), (in_b, &mut best_b)] {
            if present {
                if d > best.0 {
                    best.0 = d;
                    best.1 = x;
                }
                if d < best.2 {
                    best.2 = d;
                    best.3 = x;
                }
            }
        }
    }
    let (max_diff, loc_max) = if best_b.0 > best_a.0 {
        (best_b.0, best_b.1)
    } else {
        (best_a.0, best_a.1)
    };
    let (min_diff, loc_min) = if best_b.2 < best_a.2 {
        (best_b.2, best_b.3)
    } else {
        (best_a.2, best_a.3)
    };
    Ok(KsStatistic {
        d_plus: max_diff,
        d_minus: (-min_diff).clamp(0.0, 1.0),
        loc_plus: loc_max,
        loc_minus: loc_min,
    })
}

/// `scipy.stats.ks_2samp(a, b, alternative, method='auto')` on two exact samples (unit weights:
/// the sample sizes are the total weights, which must be whole numbers).
pub fn ks_2samp(
    a: &WeightedSample,
    b: &WeightedSample,
    alternative: Alternative,
) -> Result<KsResult, DriftError> {
    let n1 = whole_count(a.total_weight(), "first sample")?;
    let n2 = whole_count(b.total_weight(), "second sample")?;
    ks_2samp_approx(a, b, n1, n2, 0.0, 0.0, alternative)
}

fn whole_count(w: f64, which: &'static str) -> Result<u64, DriftError> {
    if w <= 0.0 {
        return Err(DriftError::EmptySample(which));
    }
    if w.fract() != 0.0 || w > 9.0e15 {
        return Err(DriftError::InvalidInput(format!(
            "{which}: total weight {w} is not a whole count; pass counts explicitly"
        )));
    }
    Ok(w as u64)
}

/// KS test from two (possibly sketched) weighted samples whose true sizes are `n1` and `n2`;
/// `err1` and `err2` are the sketches' normalised rank errors (0 for exact samples).
/// The p-value is the one scipy computes for the observed D with sizes `n1`, `n2`;
/// `error_bound = err1 + err2` says how far the sketched D may be from the exact one.
pub fn ks_2samp_approx(
    a: &WeightedSample,
    b: &WeightedSample,
    n1: u64,
    n2: u64,
    err1: f64,
    err2: f64,
    alternative: Alternative,
) -> Result<KsResult, DriftError> {
    if n1 == 0 {
        return Err(DriftError::EmptySample("first sample"));
    }
    if n2 == 0 {
        return Err(DriftError::EmptySample("second sample"));
    }
    if !(err1 >= 0.0 && err2 >= 0.0 && err1.is_finite() && err2.is_finite()) {
        return Err(DriftError::InvalidInput(format!(
            "sketch error bounds must be finite and non-negative, got {err1} and {err2}"
        )));
    }
    let s = ks_statistic(a, b)?;
    let (d, location, sign) = match alternative {
        Alternative::Less => (s.d_minus, s.loc_minus, -1),
        Alternative::TwoSided if s.d_minus > s.d_plus => (s.d_minus, s.loc_minus, -1),
        _ => (s.d_plus, s.loc_plus, 1),
    };
    let (statistic, p_value, method) = ks_p_value(d, n1, n2, alternative);
    Ok(KsResult {
        statistic,
        p_value,
        location,
        sign,
        method,
        error_bound: err1 + err2,
        n1,
        n2,
    })
}

/// scipy's p-value for statistic `d` and sample sizes `n1`, `n2` (`method='auto'`).
/// Returns `(d, p, method)` where `d` is rounded to the lattice `h / lcm` in exact mode.
pub fn ks_p_value(d: f64, n1: u64, n2: u64, alternative: Alternative) -> (f64, f64, KsMethod) {
    if n1 == 0 || n2 == 0 || d.is_nan() {
        return (d, f64::NAN, KsMethod::Asymptotic);
    }
    let mut d = d;
    if n1.max(n2) <= MAX_AUTO_N {
        let g = gcd(n1, n2);
        let (ok, dd, prob) = attempt_exact(n1, n2, g, d, alternative);
        d = dd;
        if ok {
            return (d, prob.clamp(0.0, 1.0), KsMethod::Exact);
        }
    }
    let (m, n) = if n1 >= n2 {
        (n1 as f64, n2 as f64)
    } else {
        (n2 as f64, n1 as f64)
    };
    let en = m * n / (m + n);
    let prob = match alternative {
        Alternative::TwoSided => kstwo_sf(en.round_ties_even() as u64, d),
        _ => {
            let z = en.sqrt() * d;
            let expt = -2.0 * z * z - 2.0 * z * (m + 2.0 * n) / (m * n * (m + n)).sqrt() / 3.0;
            expt.exp()
        }
    };
    (d, clip(prob), KsMethod::Asymptotic)
}

fn clip(p: f64) -> f64 {
    if p.is_nan() {
        p
    } else {
        p.clamp(0.0, 1.0)
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// scipy `_attempt_exact_2kssamp`: (success, lattice d, probability).
fn attempt_exact(n1: u64, n2: u64, g: u64, d: f64, alternative: Alternative) -> (bool, f64, f64) {
    let lcm = (n1 / g) * n2;
    let h = (d * lcm as f64).round_ties_even() as u64;
    let d = h as f64 / lcm as f64;
    if h == 0 {
        return (true, d, 1.0);
    }
    let prob = match alternative {
        Alternative::TwoSided => {
            if n1 == n2 {
                Some(prob_outside_square(n1 as i64, h as i64))
            } else {
                Some(outer_prob_inside_method(
                    n1 as i64, n2 as i64, g as i64, h as i64,
                ))
            }
        }
        _ => {
            if n1 == n2 {
                let nf = n1 as f64;
                Some(
                    (0..h)
                        .map(|j| (nf - j as f64) / (nf + j as f64 + 1.0))
                        .product::<f64>(),
                )
            } else {
                match count_paths_outside(n1 as i64, n2 as i64, g as i64, h as i64) {
                    Some(num_paths) => {
                        let bin = binom((n1 + n2) as f64, n1 as f64);
                        if num_paths > bin || bin.is_infinite() {
                            None
                        } else {
                            Some(num_paths / bin)
                        }
                    }
                    None => None,
                }
            }
        }
    };
    match prob {
        None => (false, d, f64::NAN),
        Some(p) if !(0.0..=1.0).contains(&p) => (false, d, p),
        Some(p) => (true, d, p),
    }
}

/// scipy `_compute_prob_outside_square(n, h)`: Pr(D_{n,n} >= h/n), two-sided.
fn prob_outside_square(n: i64, h: i64) -> f64 {
    let mut p = 0.0;
    let mut k = (n as f64 / h as f64).floor() as i64;
    while k >= 0 {
        let mut p1 = 1.0;
        for j in 0..h {
            p1 = (n - k * h - j) as f64 * p1 / (n + k * h + j + 1) as f64;
        }
        p = p1 * (1.0 - p);
        k -= 1;
    }
    2.0 * p
}

/// scipy `_compute_outer_prob_inside_method(m, n, g, h)` (Hodges' inside method, Viehmann's
/// recursion for 1 - p).
fn outer_prob_inside_method(m: i64, n: i64, g: i64, h: i64) -> f64 {
    let (m, n) = if m < n { (n, m) } else { (m, n) };
    let mg = m / g;
    let ng = n / g;
    let mut minj: i64 = 0;
    let mut maxj: i64 = ((h as f64 / mg as f64).ceil() as i64).min(n + 1);
    let mut curlen = maxj - minj;
    let len_a = (2 * maxj + 2).min(n + 1) as usize;
    let mut a = vec![1.0f64; len_a];
    for x in a.iter_mut().take(maxj.max(0) as usize) {
        *x = 0.0;
    }
    for i in 1..=m {
        let (lastminj, lastlen) = (minj, curlen);
        minj = ((((ng * i - h) as f64) / mg as f64).floor() as i64 + 1).max(0);
        minj = minj.min(n);
        maxj = ((((ng * i + h) as f64) / mg as f64).ceil() as i64).min(n + 1);
        if maxj <= minj {
            return 1.0;
        }
        let fi = i as f64;
        let mut val = if minj == 0 { 0.0 } else { 1.0 };
        for jj in 0..(maxj - minj) {
            let j = jj + minj;
            let src = (jj + minj - lastminj) as usize;
            let prev = a.get(src).copied().unwrap_or(1.0);
            val = (prev * fi + val * j as f64) / (fi + j as f64);
            if let Some(slot) = a.get_mut(jj as usize) {
                *slot = val;
            }
        }
        curlen = maxj - minj;
        if lastlen > curlen {
            let lo = (maxj - minj) as usize;
            let hi = ((maxj - minj + (lastlen - curlen)) as usize).min(a.len());
            for x in a.iter_mut().take(hi).skip(lo) {
                *x = 1.0;
            }
        }
    }
    a.get((maxj - minj - 1) as usize)
        .copied()
        .unwrap_or(f64::NAN)
}

/// scipy `_count_paths_outside_method(m, n, g, h)`; `None` when the count overflows (scipy
/// raises a floating-point error there and falls back to the asymptotic method).
fn count_paths_outside(m: i64, n: i64, g: i64, h: i64) -> Option<f64> {
    let (m, n) = if m < n { (n, m) } else { (m, n) };
    let mg = m / g;
    let ng = n / g;
    // Python floor division on possibly negative numerators
    let lxj = n + (mg - h).div_euclid(mg);
    if lxj <= 0 {
        let b = binom((m + n) as f64, n as f64);
        return b.is_finite().then_some(b);
    }
    let xj: Vec<i64> = (0..lxj)
        .map(|j| (h + mg * j + ng - 1).div_euclid(ng))
        .collect();
    let lxj = lxj as usize;
    let mut b = vec![0.0f64; lxj];
    b[0] = 1.0;
    for j in 1..lxj {
        let mut bj = binom((xj[j] + j as i64) as f64, j as f64);
        if !bj.is_finite() {
            return None;
        }
        for i in 0..j {
            let bin = binom((xj[j] - xj[i] + (j - i) as i64) as f64, (j - i) as f64);
            let prod = bin * b[i];
            bj -= prod;
            if !bin.is_finite() || !prod.is_finite() || !bj.is_finite() {
                return None;
            }
        }
        b[j] = bj;
    }
    let mut num_paths = 0.0;
    for j in 0..lxj {
        let bin = binom(((m - xj[j]) + (n - j as i64)) as f64, (n - j as i64) as f64);
        let term = b[j] * bin;
        num_paths += term;
        if !bin.is_finite() || !term.is_finite() || !num_paths.is_finite() {
            return None;
        }
    }
    Some(num_paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_is_an_error() {
        let e = WeightedSample::from_values(&[]);
        let a = WeightedSample::from_values(&[1.0]);
        assert!(matches!(
            ks_2samp(&e, &a, Alternative::TwoSided),
            Err(DriftError::EmptySample(_))
        ));
        assert!(matches!(
            ks_2samp(&a, &e, Alternative::TwoSided),
            Err(DriftError::EmptySample(_))
        ));
    }

    #[test]
    fn identical_samples() {
        let a = WeightedSample::from_values(&[1.0, 2.0, 3.0]);
        let r = ks_2samp(&a, &a, Alternative::TwoSided).unwrap();
        assert_eq!(r.statistic, 0.0);
        assert_eq!(r.p_value, 1.0);
    }

    #[test]
    fn disjoint_small_samples_exact() {
        // n = m = 3, D = 1: p = 2 / C(6, 3) = 0.1
        let a = WeightedSample::from_values(&[1.0, 2.0, 3.0]);
        let b = WeightedSample::from_values(&[4.0, 5.0, 6.0]);
        let r = ks_2samp(&a, &b, Alternative::TwoSided).unwrap();
        assert_eq!(r.statistic, 1.0);
        assert!((r.p_value - 0.1).abs() < 1e-15);
        assert_eq!(r.method, KsMethod::Exact);
    }

    #[test]
    fn sketched_d_stays_within_the_error_bound() {
        use crate::kll::KllSketch;
        // deterministic pseudo-random data (an LCG), two different distributions
        let mut state: u64 = 42;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let a: Vec<f64> = (0..60_000).map(|_| next()).collect();
        let b: Vec<f64> = (0..25_000).map(|_| next().powf(1.1)).collect();
        let (mut sa, mut sb) = (KllSketch::new(), KllSketch::new());
        a.iter().for_each(|&x| sa.update(x));
        b.iter().for_each(|&x| sb.update(x));
        let exact = ks_2samp(
            &WeightedSample::from_values(&a),
            &WeightedSample::from_values(&b),
            Alternative::TwoSided,
        )
        .unwrap();
        let approx = ks_2samp_approx(
            &sa.to_weighted_sample(),
            &sb.to_weighted_sample(),
            60_000,
            25_000,
            sa.normalized_rank_error(),
            sb.normalized_rank_error(),
            Alternative::TwoSided,
        )
        .unwrap();
        assert!(approx.error_bound > 0.0);
        assert!(
            (approx.statistic - exact.statistic).abs() <= approx.error_bound,
            "sketch D {} vs exact D {} (bound {})",
            approx.statistic,
            exact.statistic,
            approx.error_bound
        );
        assert_eq!(approx.method, KsMethod::Asymptotic);
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(24))]
        /// Sketched D is within `error_bound` of the exact D (and equal when the sketches hold
        /// every value, i.e. below 2050 items).
        #[test]
        fn sketch_error_bound_holds(
            a in proptest::collection::vec(-1000i32..1000, 1..6000),
            b in proptest::collection::vec(-1000i32..1200, 1..6000),
        ) {
            use crate::kll::KllSketch;
            let a: Vec<f64> = a.into_iter().map(|x| f64::from(x) / 7.0).collect();
            let b: Vec<f64> = b.into_iter().map(|x| f64::from(x) / 7.0).collect();
            let (mut sa, mut sb) = (KllSketch::new(), KllSketch::new());
            a.iter().for_each(|&x| sa.update(x));
            b.iter().for_each(|&x| sb.update(x));
            let exact = ks_statistic(&WeightedSample::from_values(&a), &WeightedSample::from_values(&b)).unwrap();
            let approx = ks_statistic(&sa.to_weighted_sample(), &sb.to_weighted_sample()).unwrap();
            let bound = sa.normalized_rank_error() + sb.normalized_rank_error();
            let (de, da) = (exact.d_plus.max(exact.d_minus), approx.d_plus.max(approx.d_minus));
            proptest::prop_assert!((de - da).abs() <= bound + 1e-12, "exact {} sketch {} bound {}", de, da, bound);
        }
    }
}
