//! [`WeightedSample`]: a sorted, weighted sample — the common currency between sketches and the
//! drift statistics. A KLL sketch turns into one (each item weighs 2^level); an exact sample is
//! one with unit weights. Equal values are merged, so `values` is strictly increasing.

/// Sorted distinct values with their weights.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WeightedSample {
    values: Vec<f64>,
    weights: Vec<f64>,
    total: f64,
}

impl WeightedSample {
    /// An exact sample: every value weighs 1. NaN values are dropped.
    pub fn from_values(values: &[f64]) -> Self {
        Self::from_pairs(values.iter().map(|&v| (v, 1.0)))
    }

    /// From `(value, weight)` pairs in any order; NaN values and non-positive weights are dropped.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (f64, f64)>) -> Self {
        let mut pairs: Vec<(f64, f64)> = pairs
            .into_iter()
            .filter(|(v, w)| !v.is_nan() && *w > 0.0)
            .collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut values = Vec::with_capacity(pairs.len());
        let mut weights: Vec<f64> = Vec::with_capacity(pairs.len());
        for (v, w) in pairs {
            match values.last() {
                Some(&last) if last == v => {
                    if let Some(lw) = weights.last_mut() {
                        *lw += w;
                    }
                }
                _ => {
                    values.push(v);
                    weights.push(w);
                }
            }
        }
        let total = weights.iter().sum();
        WeightedSample {
            values,
            weights,
            total,
        }
    }

    /// Distinct values, strictly increasing.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Weight of each distinct value.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// Sum of the weights (the number of items represented).
    pub fn total_weight(&self) -> f64 {
        self.total
    }

    /// True when there is no value.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Empirical CDF: fraction of the weight at values `<= x` (0 for an empty sample).
    pub fn cdf(&self, x: f64) -> f64 {
        if self.total <= 0.0 {
            return 0.0;
        }
        let idx = self.values.partition_point(|&v| v <= x);
        self.weights[..idx].iter().sum::<f64>() / self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_ties_and_computes_cdf() {
        let s = WeightedSample::from_pairs([(2.0, 1.0), (1.0, 2.0), (2.0, 1.0), (f64::NAN, 5.0)]);
        assert_eq!(s.values(), &[1.0, 2.0]);
        assert_eq!(s.weights(), &[2.0, 2.0]);
        assert_eq!(s.total_weight(), 4.0);
        assert_eq!(s.cdf(0.5), 0.0);
        assert_eq!(s.cdf(1.0), 0.5);
        assert_eq!(s.cdf(3.0), 1.0);
    }
}
