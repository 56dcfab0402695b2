//! The arithmetic behind the charts: re-binning a KLL sketch over the baseline's bucket edges
//! and choosing the categorical bars. Pure functions, no HTML.
//!
//! Bucket semantics follow the baseline's KLL buckets (and `numpy.histogram`): every bucket is
//! half-open `[lower, upper)` except the last, which is closed `[lower, upper]`. Values below the
//! first edge go to an explicit *underflow* bucket, values above the last edge to *overflow*.

use driftline_stats::formats::statistics::{CategoricalBucket, KllBucket, KllSketchData};
use driftline_stats::sample::WeightedSample;
use std::collections::BTreeMap;

/// The weighted sample a KLL sketch stands for: every item at level `h` weighs `2^h`.
///
/// NaN items are dropped (as [`WeightedSample::from_pairs`] does); levels beyond 62 are clamped
/// so that the weight stays finite.
pub fn sketch_sample(sketch: &KllSketchData) -> WeightedSample {
    WeightedSample::from_pairs(sketch.data.iter().enumerate().flat_map(|(level, items)| {
        let weight = 2f64.powi(level.min(62) as i32);
        items.iter().map(move |v| (v.0, weight))
    }))
}

/// Bucket edges of a list of KLL buckets: the lower bounds, then the last upper bound.
///
/// `None` when there are no buckets, an edge is not finite, or the edges decrease (a damaged
/// file): the caller then falls back to another source of edges.
pub fn edges_of(buckets: &[KllBucket]) -> Option<Vec<f64>> {
    let last = buckets.last()?;
    let mut edges: Vec<f64> = buckets.iter().map(|b| b.lower_bound.0).collect();
    edges.push(last.upper_bound.0);
    let finite = edges.iter().all(|e| e.is_finite());
    let sorted = edges.windows(2).all(|w| w[0] <= w[1]);
    (finite && sorted).then_some(edges)
}

/// A weighted sample counted over fixed bucket edges.
#[derive(Debug, Clone, PartialEq)]
pub struct Rebinned {
    /// Weight below the first edge.
    pub under: f64,
    /// Weight per bucket (`edges.len() - 1` entries).
    pub counts: Vec<f64>,
    /// Weight above the last edge.
    pub over: f64,
}

impl Rebinned {
    /// Total weight, under- and overflow included.
    pub fn total(&self) -> f64 {
        self.under + self.over + self.counts.iter().sum::<f64>()
    }
}

/// Counts `sample` over `edges` (at least two, non-decreasing): `[e0, e1)`, …, `[e(n-1), en]`,
/// with under- and overflow outside `[e0, en]`. `None` when `edges` has fewer than two entries.
pub fn rebin(sample: &WeightedSample, edges: &[f64]) -> Option<Rebinned> {
    if edges.len() < 2 {
        return None;
    }
    let n = edges.len() - 1;
    let (first, last) = (edges[0], edges[n]);
    let mut out = Rebinned {
        under: 0.0,
        counts: vec![0.0; n],
        over: 0.0,
    };
    for (&v, &w) in sample.values().iter().zip(sample.weights()) {
        if v < first {
            out.under += w;
        } else if v > last {
            out.over += w;
        } else {
            // Largest i with edges[i] <= v; v == last belongs to the last (closed) bucket.
            let i = edges
                .partition_point(|&e| e <= v)
                .saturating_sub(1)
                .min(n - 1);
            out.counts[i] += w;
        }
    }
    Some(out)
}

/// What a categorical bar stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CategoryKind {
    /// One value, shown by name.
    Value(String),
    /// All remaining values that the baseline knows.
    Other {
        /// How many distinct values are folded into this bar.
        values: usize,
    },
    /// Values of the current window that the baseline never saw.
    Unseen {
        /// How many distinct unseen values there are.
        values: usize,
    },
}

/// One categorical bar: counts in the baseline and in the current window.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryRow {
    /// What the bar stands for.
    pub kind: CategoryKind,
    /// Count in the baseline (`None` without a baseline).
    pub baseline: Option<f64>,
    /// Count in the current window (`None` when the window has no such feature).
    pub current: Option<f64>,
}

/// The bars of a categorical chart and what is needed to describe them.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryBars {
    /// Top values, then "other" (if any value was folded), then "unseen" (whenever there is a
    /// baseline and a current window).
    pub rows: Vec<CategoryRow>,
    /// Sum of the baseline's bucket counts.
    pub baseline_total: Option<f64>,
    /// Sum of the current window's bucket counts.
    pub current_total: Option<f64>,
    /// The most frequent unseen values with their counts (at most 5), for the text.
    pub unseen_examples: Vec<(String, u64)>,
}

/// Chooses the categorical bars: the `top` values with the largest share in either the baseline
/// or the current window (only values the baseline knows, when there is a baseline), "other" for
/// the rest of the baseline's values, and "unseen" for current values absent from the baseline.
/// Bars are ordered by baseline count (then current count, then value), descending.
pub fn category_bars(
    baseline: Option<&[CategoricalBucket]>,
    current: Option<&[CategoricalBucket]>,
    top: usize,
) -> CategoryBars {
    fn counts(buckets: &[CategoricalBucket]) -> BTreeMap<&str, u64> {
        let mut m = BTreeMap::new();
        for b in buckets {
            *m.entry(b.value.as_str()).or_insert(0u64) += b.count;
        }
        m
    }
    let base = baseline.map(counts);
    let cur = current.map(counts);
    let base_total = base.as_ref().map(|m| m.values().sum::<u64>() as f64);
    let cur_total = cur.as_ref().map(|m| m.values().sum::<u64>() as f64);
    let share = |n: u64, total: Option<f64>| match total {
        Some(t) if t > 0.0 => n as f64 / t,
        _ => 0.0,
    };

    // Candidates: the baseline's values when there is a baseline, else the current ones.
    let mut known: Vec<(&str, u64, u64)> = match (&base, &cur) {
        (Some(b), c) => b
            .iter()
            .map(|(v, &n)| {
                (
                    *v,
                    n,
                    c.as_ref().and_then(|c| c.get(v)).copied().unwrap_or(0),
                )
            })
            .collect(),
        (None, Some(c)) => c.iter().map(|(v, &n)| (*v, 0, n)).collect(),
        (None, None) => Vec::new(),
    };
    // Largest share in either series first; ties by value for a stable order.
    known.sort_by(|a, b| {
        let sa = share(a.1, base_total).max(share(a.2, cur_total));
        let sb = share(b.1, base_total).max(share(b.2, cur_total));
        sb.total_cmp(&sa).then_with(|| a.0.cmp(b.0))
    });
    let rest = known.split_off(known.len().min(top));
    known.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then_with(|| a.0.cmp(b.0)));

    let has_base = base.is_some();
    let has_cur = cur.is_some();
    let opt = |present: bool, n: u64| present.then_some(n as f64);
    let mut rows: Vec<CategoryRow> = known
        .iter()
        .map(|(v, b, c)| CategoryRow {
            kind: CategoryKind::Value((*v).to_string()),
            baseline: opt(has_base, *b),
            current: opt(has_cur, *c),
        })
        .collect();
    if !rest.is_empty() {
        rows.push(CategoryRow {
            kind: CategoryKind::Other { values: rest.len() },
            baseline: opt(has_base, rest.iter().map(|r| r.1).sum()),
            current: opt(has_cur, rest.iter().map(|r| r.2).sum()),
        });
    }
    let mut unseen_examples = Vec::new();
    if let (Some(b), Some(c)) = (&base, &cur) {
        let mut unseen: Vec<(&str, u64)> = c
            .iter()
            .filter(|(v, _)| !b.contains_key(*v))
            .map(|(v, &n)| (*v, n))
            .collect();
        unseen.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        rows.push(CategoryRow {
            kind: CategoryKind::Unseen {
                values: unseen.len(),
            },
            baseline: Some(0.0),
            current: Some(unseen.iter().map(|u| u.1).sum::<u64>() as f64),
        });
        unseen_examples = unseen
            .iter()
            .take(5)
            .map(|(v, n)| ((*v).to_string(), *n))
            .collect();
    }
    CategoryBars {
        rows,
        baseline_total: base_total,
        current_total: cur_total,
        unseen_examples,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftline_stats::double::Double;
    use driftline_stats::formats::statistics::KllParameters;

    fn sketch(levels: &[&[f64]]) -> KllSketchData {
        KllSketchData {
            parameters: KllParameters {
                c: Double(0.64),
                k: Double(2048.0),
            },
            data: levels
                .iter()
                .map(|l| l.iter().map(|&v| Double(v)).collect())
                .collect(),
        }
    }

    /// Hand computation (edges 0,1,2,3):
    /// level 0 (weight 1): 0.5 → [0,1); 2.5 → [2,3]; -1 → under.
    /// level 1 (weight 2): 1.0 → [1,2) (left edge inclusive); 3.0 → [2,3] (last bucket closed);
    ///                     4.0 → over.
    /// level 2 (weight 4): 1.5 → [1,2).
    /// So under 1, buckets [1, 2+4, 1+2] = [1, 6, 3], over 2; total 3·1 + 3·2 + 1·4 = 13.
    #[test]
    fn rebins_weighted_sketch_by_hand() {
        let s = sketch_sample(&sketch(&[&[0.5, 2.5, -1.0], &[1.0, 3.0, 4.0], &[1.5]]));
        assert_eq!(s.total_weight(), 13.0);
        let r = rebin(&s, &[0.0, 1.0, 2.0, 3.0]).unwrap();
        assert_eq!(r.under, 1.0);
        assert_eq!(r.counts, vec![1.0, 6.0, 3.0]);
        assert_eq!(r.over, 2.0);
        assert_eq!(r.total(), 13.0);
    }

    #[test]
    fn nan_items_are_dropped_and_few_edges_refused() {
        let s = sketch_sample(&sketch(&[&[f64::NAN, 1.0]]));
        assert_eq!(s.total_weight(), 1.0);
        assert!(rebin(&s, &[1.0]).is_none());
        assert!(rebin(&s, &[]).is_none());
    }

    #[test]
    fn zero_width_range_puts_the_constant_in_the_last_bucket() {
        let s = WeightedSample::from_values(&[5.0, 5.0, 4.0, 6.0]);
        let r = rebin(&s, &[5.0, 5.0, 5.0]).unwrap();
        assert_eq!(
            (r.under, r.counts.clone(), r.over),
            (1.0, vec![0.0, 2.0], 1.0)
        );
    }

    #[test]
    fn edges_reject_damaged_buckets() {
        let b = |lo: f64, hi: f64| KllBucket {
            lower_bound: Double(lo),
            upper_bound: Double(hi),
            count: Double(1.0),
        };
        assert_eq!(
            edges_of(&[b(0.0, 1.0), b(1.0, 2.0)]),
            Some(vec![0.0, 1.0, 2.0])
        );
        assert_eq!(edges_of(&[]), None);
        assert_eq!(edges_of(&[b(0.0, f64::NAN)]), None);
        assert_eq!(edges_of(&[b(2.0, 3.0), b(1.0, 2.0)]), None);
    }

    fn cats(pairs: &[(&str, u64)]) -> Vec<CategoricalBucket> {
        pairs
            .iter()
            .map(|(v, n)| CategoricalBucket {
                value: v.to_string(),
                count: *n,
            })
            .collect()
    }

    #[test]
    fn categories_top_other_unseen() {
        let base = cats(&[("a", 50), ("b", 30), ("c", 15), ("d", 5)]);
        let cur = cats(&[("a", 10), ("d", 40), ("x", 30), ("y", 20)]);
        let bars = category_bars(Some(&base), Some(&cur), 2);
        // Shares: a max(.5,.1)=.5, b .3, c .15, d max(.05,.4)=.4 → top 2: a, d; other: b, c.
        let kinds: Vec<_> = bars.rows.iter().map(|r| r.kind.clone()).collect();
        assert_eq!(
            kinds,
            vec![
                CategoryKind::Value("a".into()),
                CategoryKind::Value("d".into()),
                CategoryKind::Other { values: 2 },
                CategoryKind::Unseen { values: 2 },
            ]
        );
        let counts: Vec<_> = bars.rows.iter().map(|r| (r.baseline, r.current)).collect();
        assert_eq!(
            counts,
            vec![
                (Some(50.0), Some(10.0)),
                (Some(5.0), Some(40.0)),
                (Some(45.0), Some(0.0)),
                (Some(0.0), Some(50.0)),
            ]
        );
        assert_eq!(
            bars.unseen_examples,
            vec![("x".to_string(), 30), ("y".to_string(), 20)]
        );
        assert_eq!(
            (bars.baseline_total, bars.current_total),
            (Some(100.0), Some(100.0))
        );
    }

    #[test]
    fn categories_without_baseline() {
        let cur = cats(&[("a", 1), ("b", 3)]);
        let bars = category_bars(None, Some(&cur), 10);
        assert_eq!(bars.rows.len(), 2);
        assert_eq!(bars.rows[0].kind, CategoryKind::Value("b".into()));
        assert_eq!(bars.rows[0].baseline, None);
        assert!(bars.unseen_examples.is_empty());
    }
}
