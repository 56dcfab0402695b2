//! Model Monitor's drift distances, computed as Deequ computes them.
//!
//! Source: awslabs/deequ `src/main/scala/com/amazon/deequ/analyzers/Distance.scala`
//! (`numericalDistance`, `categoricalDistance`, `categoricalLInfinityDistance`,
//! `categoricalChiSquareTest`, `regroupCategories`, `selectMetrics`) and
//! `QuantileNonSample.scala` (`getRankMap`, `getRank`). Model Monitor's data-quality container is
//! built on Deequ; the SageMaker guide documents the same two L∞ variants (`comparison_method`
//! Simple / Robust) and the categorical methods LInfinity / ChiSquared.
//!
//! * Numeric L∞ (`numericalDistance`): both CDFs are evaluated at every item of either sketch
//!   (the union of the rank maps' keys), `cdf(x) = inclusive rank(x) / total weight`, and the
//!   largest absolute difference is `linf_simple`. A sketch item at level h weighs 2^h.
//!   Deequ before PR #765 (issue #392) built its rank map with a `ListMap` keyed by item, which
//!   kept only one weight per repeated value; we follow the corrected definition (every copy
//!   counts), which is what [`WeightedSample`] does.
//! * Robust (`selectMetrics`): `linf_robust = max(0, linf_simple − c(α)·sqrt((n+m)/(n·m)))` with
//!   c(α) = 1.8 by default (Knuth's value for α ≈ 0.003) or `sqrt(−ln(α/2)/2)` for a given α.
//!   Note that Deequ's flag `correctForLowNumberOfSamples = true` returns the *simple* value.
//! * Categorical L∞ (`categoricalLInfinityDistance`): despite the variable names it compares the
//!   category *frequencies*, not cumulative sums: `max_k |c1(k)/n − c2(k)/m|` over the union of
//!   categories, then the same Simple / Robust selection.
//! * Chi-squared (`categoricalChiSquareTest`): observed = current counts restricted to baseline
//!   categories; expected = baseline counts scaled to the observed total; small expected
//!   categories are merged (`regroupCategories`: for two categories every expected count must be
//!   ≥ 10 (Cochran); for more, at most `floor(0.2·k)` categories may be below 5 (Yates)); the
//!   smallest category is folded into the next smallest until the rule holds; then Spark's
//!   `Statistics.chiSqTest(observed, expected)` goodness-of-fit test: statistic
//!   `Σ (o − e)²/e`, `k − 1` degrees of freedom, p-value `1 − F(statistic)`. Fewer than two
//!   categories left (counted on the observed side, as Deequ does) gives NaN.
//!   Deequ iterates Scala hash maps, so which of two equally small categories is merged first is
//!   unspecified there; we take the lexicographically smallest name.

use crate::formats::constraints::ComparisonMethod;
use crate::formats::statistics::{KllSketchData, StringStatistics};
use crate::sample::WeightedSample;
use statrs::distribution::{ChiSquared, ContinuousCDF};
use std::collections::BTreeMap;
use thiserror::Error;

/// Deequ's default c(α) (`defaultCAlpha`).
pub const DEFAULT_C_ALPHA: f64 = 1.8;
/// Deequ's `defaultAbsThresholdYates`.
pub const ABS_THRESHOLD_YATES: f64 = 5.0;
/// Deequ's `defaultPercThresholdYates`.
pub const PERC_THRESHOLD_YATES: f64 = 0.2;
/// Deequ's `defaultAbsThresholdCochran`.
pub const ABS_THRESHOLD_COCHRAN: f64 = 10.0;

/// Why a distance could not be computed.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum DistanceError {
    /// One side has no data (Deequ would fail on `max` of an empty rank map).
    #[error("cannot compute a distance: the {0} sample is empty")]
    EmptySample(&'static str),
    /// Spark's chi-squared test rejects an expected count of 0 with a positive observed count.
    #[error("chi-squared: category {category:?} has expected count 0 but observed {observed}")]
    ZeroExpected {
        /// The category.
        category: String,
        /// Its observed count.
        observed: f64,
    },
}

/// Which distance was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DistanceKind {
    /// L∞ between the CDFs of two numeric sketches.
    NumericLInfinity,
    /// L∞ between two categorical frequency tables.
    CategoricalLInfinity,
}

/// An L∞ distance, both variants, and the sample sizes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MmDistance {
    /// The distance selected by `method` (`linf_simple` or `linf_robust`).
    pub distance: f64,
    /// Numeric or categorical.
    pub kind: DistanceKind,
    /// The selected variant.
    pub method: ComparisonMethod,
    /// Maximum absolute difference.
    pub linf_simple: f64,
    /// `max(0, linf_simple − c(α)·sqrt((n+m)/(n·m)))`.
    pub linf_robust: f64,
    /// Total weight of the first (baseline) sample.
    pub n: f64,
    /// Total weight of the second (current) sample.
    pub m: f64,
}

/// c(α) as Deequ's `selectMetrics` derives it: 1.8 without α, else `sqrt(−ln(α/2)·1/2)`.
pub fn c_alpha(alpha: Option<f64>) -> f64 {
    match alpha {
        Some(a) => (-(a / 2.0).ln() * 0.5).sqrt(),
        None => DEFAULT_C_ALPHA,
    }
}

/// Deequ's `selectMetrics`, returning both variants.
fn select(linf_simple: f64, n: f64, m: f64, alpha: Option<f64>) -> (f64, f64) {
    let robust = (linf_simple - c_alpha(alpha) * ((n + m) / (n * m)).sqrt()).max(0.0);
    (linf_simple, robust)
}

/// The sketch of `statistics.json` (`sketch.data`, level 0 first) as a weighted sample: an item
/// at level h weighs 2^h. NaN items are dropped.
pub fn sample_from_sketch(sketch: &KllSketchData) -> WeightedSample {
    WeightedSample::from_pairs(sketch.data.iter().enumerate().flat_map(|(h, level)| {
        let w = 2f64.powi(i32::try_from(h).unwrap_or(i32::MAX));
        level.iter().map(move |x| (x.0, w))
    }))
}

/// The rank sample of Deequ's `getRankMap` as it was before PR #765 (issue #392), which older
/// Deequ builds — and so possibly Model Monitor's container — use: the sketch items, sorted
/// stably, were put in a `ListMap` keyed by item, so each distinct value keeps only the weight
/// of its *last* occurrence (the one at the highest level holding it) and repeated values are
/// under-counted. Feed two of these to [`numerical_distance`] to reproduce that behaviour; the
/// total weight (Deequ's `n`) is then the sum of those single weights.
pub fn legacy_deequ_rank_sample(sketch: &KllSketchData) -> WeightedSample {
    let mut items: Vec<(f64, f64)> = Vec::new();
    for (h, level) in sketch.data.iter().enumerate() {
        let w = 2f64.powi(i32::try_from(h).unwrap_or(i32::MAX));
        items.extend(level.iter().filter(|x| !x.0.is_nan()).map(|x| (x.0, w)));
    }
    // Stable sort by value, then keep the last weight of each run of equal values.
    items.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut dedup: Vec<(f64, f64)> = Vec::with_capacity(items.len());
    for (v, w) in items {
        match dedup.last_mut() {
            Some(last) if last.0 == v => last.1 = w,
            _ => dedup.push((v, w)),
        }
    }
    WeightedSample::from_pairs(dedup)
}

/// Deequ's `numericalDistance(baseline, current)`: L∞ between the two CDFs at the union of the
/// samples' values, and its Robust correction with c(α) = 1.8.
pub fn numerical_distance(
    baseline: &WeightedSample,
    current: &WeightedSample,
    method: ComparisonMethod,
) -> Result<MmDistance, DistanceError> {
    numerical_distance_alpha(baseline, current, method, None)
}

/// [`numerical_distance`] with Deequ's optional `alpha` (c(α) = `sqrt(−ln(α/2)/2)`).
pub fn numerical_distance_alpha(
    baseline: &WeightedSample,
    current: &WeightedSample,
    method: ComparisonMethod,
    alpha: Option<f64>,
) -> Result<MmDistance, DistanceError> {
    if baseline.is_empty() {
        return Err(DistanceError::EmptySample("baseline"));
    }
    if current.is_empty() {
        return Err(DistanceError::EmptySample("current"));
    }
    let n = baseline.total_weight();
    let m = current.total_weight();
    // Merge-walk the two sorted value lists: at each key of the union, both inclusive ranks.
    let (av, aw) = (baseline.values(), baseline.weights());
    let (bv, bw) = (current.values(), current.weights());
    let (mut i, mut j) = (0usize, 0usize);
    let (mut ra, mut rb) = (0.0f64, 0.0f64);
    let mut linf = 0.0f64;
    while i < av.len() || j < bv.len() {
        let key = match (av.get(i), bv.get(j)) {
            (Some(&x), Some(&y)) => x.min(y),
            (Some(&x), None) => x,
            (None, Some(&y)) => y,
            (None, None) => break,
        };
        if av.get(i) == Some(&key) {
            ra += aw[i];
            i += 1;
        }
        if bv.get(j) == Some(&key) {
            rb += bw[j];
            j += 1;
        }
        linf = linf.max((ra / n - rb / m).abs());
    }
    let (simple, robust) = select(linf, n, m, alpha);
    Ok(MmDistance {
        distance: pick(method, simple, robust),
        kind: DistanceKind::NumericLInfinity,
        method,
        linf_simple: simple,
        linf_robust: robust,
        n,
        m,
    })
}

fn pick(method: ComparisonMethod, simple: f64, robust: f64) -> f64 {
    match method {
        ComparisonMethod::Simple => simple,
        ComparisonMethod::Robust => robust,
    }
}

/// Category → count, from `statistics.json` categorical buckets (absent distribution: empty).
pub fn category_counts(stats: &StringStatistics) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    if let Some(d) = &stats.distribution {
        for b in &d.categorical.buckets {
            *out.entry(b.value.clone()).or_insert(0) += b.count;
        }
    }
    out
}

/// Deequ's `categoricalLInfinityDistance(baseline, current)`: `max_k |c1(k)/n − c2(k)/m|` over the
/// union of categories, with the Simple / Robust selection.
pub fn categorical_linf(
    baseline: &BTreeMap<String, u64>,
    current: &BTreeMap<String, u64>,
    method: ComparisonMethod,
) -> Result<MmDistance, DistanceError> {
    let n: f64 = baseline.values().map(|&c| c as f64).sum();
    let m: f64 = current.values().map(|&c| c as f64).sum();
    if n <= 0.0 {
        return Err(DistanceError::EmptySample("baseline"));
    }
    if m <= 0.0 {
        return Err(DistanceError::EmptySample("current"));
    }
    let mut linf = 0.0f64;
    for key in baseline.keys().chain(current.keys()) {
        let p1 = baseline.get(key).copied().unwrap_or(0) as f64 / n;
        let p2 = current.get(key).copied().unwrap_or(0) as f64 / m;
        linf = linf.max((p1 - p2).abs());
    }
    let (simple, robust) = select(linf, n, m, None);
    Ok(MmDistance {
        distance: pick(method, simple, robust),
        kind: DistanceKind::CategoricalLInfinity,
        method,
        linf_simple: simple,
        linf_robust: robust,
        n,
        m,
    })
}

/// Result of Deequ's chi-squared method.
#[derive(Debug, Clone, PartialEq)]
pub struct ChiSquareResult {
    /// Pearson's statistic (NaN when fewer than two categories remain).
    pub statistic: f64,
    /// `1 − F_{k−1}(statistic)` (NaN when fewer than two categories remain). This is what
    /// Deequ's `categoricalDistance` returns by default.
    pub p_value: f64,
    /// Degrees of freedom (`categories − 1`, 0 when not computed).
    pub degrees_of_freedom: usize,
    /// Categories after regrouping, with (observed, expected) counts.
    pub categories: Vec<(String, f64, f64)>,
    /// Observed total over baseline categories (Deequ's `sampleSum`).
    pub observed_total: f64,
}

/// Deequ's `categoricalChiSquareTest(sample = current, expected = baseline)` with its default
/// Yates / Cochran thresholds (see the module documentation).
pub fn chi_squared(
    baseline: &BTreeMap<String, u64>,
    current: &BTreeMap<String, u64>,
) -> Result<ChiSquareResult, DistanceError> {
    let sample_sum: f64 = current
        .iter()
        .filter(|(k, _)| baseline.contains_key(*k))
        .map(|(_, &c)| c as f64)
        .sum();
    let expected_sum: f64 = baseline.values().map(|&c| c as f64).sum();
    if expected_sum <= 0.0 {
        return Err(DistanceError::EmptySample("baseline"));
    }
    let mut expected: BTreeMap<String, f64> = baseline
        .iter()
        .map(|(k, &c)| (k.clone(), c as f64 / expected_sum * sample_sum))
        .collect();
    let mut sample: BTreeMap<String, f64> = current
        .iter()
        .map(|(k, &c)| (k.clone(), c as f64))
        .collect();
    regroup(&mut sample, &mut expected);
    if sample.len() < 2 {
        return Ok(ChiSquareResult {
            statistic: f64::NAN,
            p_value: f64::NAN,
            degrees_of_freedom: 0,
            categories: Vec::new(),
            observed_total: sample_sum,
        });
    }
    // Spark mllib ChiSqTest.chiSquared(observed, expected): rescale expected when the sums
    // differ by more than 1e-7, skip 0/0 cells, reject e = 0 with o > 0.
    let cats: Vec<(String, f64, f64)> = expected
        .iter()
        .map(|(k, &e)| (k.clone(), sample.get(k).copied().unwrap_or(0.0), e))
        .collect();
    let obs_sum: f64 = cats.iter().map(|c| c.1).sum();
    let exp_sum: f64 = cats.iter().map(|c| c.2).sum();
    let scale = if (obs_sum - exp_sum).abs() < 1e-7 {
        1.0
    } else {
        obs_sum / exp_sum
    };
    let mut statistic = 0.0;
    for (k, o, e) in &cats {
        if *e == 0.0 {
            if *o == 0.0 {
                continue;
            }
            return Err(DistanceError::ZeroExpected {
                category: k.clone(),
                observed: *o,
            });
        }
        let dev = o - e * scale;
        statistic += dev * dev / (e * scale);
    }
    let df = cats.len() - 1;
    let p_value = match ChiSquared::new(df as f64) {
        Ok(dist) => 1.0 - dist.cdf(statistic),
        Err(_) => f64::NAN,
    };
    Ok(ChiSquareResult {
        statistic,
        p_value,
        degrees_of_freedom: df,
        categories: cats,
        observed_total: sample_sum,
    })
}

/// Deequ's `regroupCategories` (tail recursion written as a loop).
fn regroup(sample: &mut BTreeMap<String, f64>, expected: &mut BTreeMap<String, f64>) {
    loop {
        let k = expected.len();
        if k < 2 {
            return;
        }
        let (abs_threshold, max_below) = if k > 2 {
            // `(percThresholdYates * size).toInt` truncates toward zero.
            (
                ABS_THRESHOLD_YATES,
                (PERC_THRESHOLD_YATES * k as f64) as usize,
            )
        } else {
            (ABS_THRESHOLD_COCHRAN, 0)
        };
        let below = expected.values().filter(|&&e| e < abs_threshold).count();
        if below <= max_below {
            return;
        }
        let Some((min_key, min_val)) = min_entry(expected) else {
            return;
        };
        let sample_min = sample.get(&min_key).copied().unwrap_or(0.0);
        expected.remove(&min_key);
        sample.remove(&min_key);
        let Some((second_key, second_val)) = min_entry(expected) else {
            return;
        };
        let sample_second = sample.get(&second_key).copied().unwrap_or(0.0);
        expected.insert(second_key.clone(), second_val + min_val);
        sample.insert(second_key, sample_min + sample_second);
    }
}

/// The entry with the smallest value; ties go to the smallest key (first in key order).
fn min_entry(map: &BTreeMap<String, f64>) -> Option<(String, f64)> {
    map.iter()
        .min_by(|a, b| a.1.total_cmp(b.1))
        .map(|(k, v)| (k.clone(), *v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::double::Double;
    use crate::formats::statistics::KllParameters;

    #[test]
    fn sketch_levels_weigh_two_to_the_level() {
        let sketch = KllSketchData {
            parameters: KllParameters {
                c: Double(0.64),
                k: Double(2048.0),
            },
            data: vec![vec![Double(1.0), Double(3.0)], vec![Double(2.0)]],
        };
        let s = sample_from_sketch(&sketch);
        assert_eq!(s.values(), &[1.0, 2.0, 3.0]);
        assert_eq!(s.weights(), &[1.0, 2.0, 1.0]);
    }

    #[test]
    fn legacy_rank_map_keeps_one_weight_per_value() {
        // Figures from Deequ PR #765's table ("before the fix"): input 1, 1, 2 gives
        // rankMap(1) = 1; input 3,3,3,7,7,9 gives a total weight of 3.
        let sk = |levels: Vec<Vec<f64>>| KllSketchData {
            parameters: KllParameters {
                c: Double(0.64),
                k: Double(4.0),
            },
            data: levels
                .into_iter()
                .map(|l| l.into_iter().map(Double).collect())
                .collect(),
        };
        let s = legacy_deequ_rank_sample(&sk(vec![vec![1.0, 1.0, 2.0]]));
        assert_eq!(s.weights(), &[1.0, 1.0]);
        let s = legacy_deequ_rank_sample(&sk(vec![vec![3.0, 3.0, 3.0, 7.0, 7.0, 9.0]]));
        assert_eq!(s.total_weight(), 3.0);
        // The last occurrence wins: 5 at level 0 and level 2 → weight 4.
        let s = legacy_deequ_rank_sample(&sk(vec![vec![5.0, 1.0], vec![], vec![5.0]]));
        assert_eq!(s.values(), &[1.0, 5.0]);
        assert_eq!(s.weights(), &[1.0, 4.0]);
    }

    #[test]
    fn identical_samples_have_zero_distance() {
        let a = WeightedSample::from_values(&[1.0, 2.0, 2.0, 5.0]);
        let d = numerical_distance(&a, &a, ComparisonMethod::Simple).unwrap();
        assert_eq!(d.distance, 0.0);
        assert_eq!(d.linf_robust, 0.0);
        assert!(
            numerical_distance(&a, &WeightedSample::default(), ComparisonMethod::Robust).is_err()
        );
    }

    #[test]
    fn c_alpha_matches_knuth_value_near_alpha_0_003() {
        // sqrt(-ln(0.0015)/2) = 1.8040...: Deequ's 1.8 corresponds to alpha ≈ 0.003.
        assert!((c_alpha(Some(0.003)) - 1.8040).abs() < 1e-3);
        assert_eq!(c_alpha(None), 1.8);
    }
}
