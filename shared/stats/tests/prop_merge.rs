//! Merging the profiles of any split of the rows equals the profile of all rows, for every
//! exact statistic. Parts go through their JSON form first (as partial profiles do via S3).
//!
//! Tolerances: counts, types, min, max, KLL item count and string frequencies are exact. `sum`
//! differs only by the order of floating-point additions: `|Δ| <= 2 n ε Σ|x|`. `mean` and
//! `std_dev` (Welford vs the parallel formula) within `1e-9 * (1 + |mean| + std)`.

use driftline_stats::formats::statistics::{InferredType, Statistics};
use driftline_stats::profile::{Cell, DatasetProfile};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum V {
    Missing,
    Raw(String),
    Int(i64),
    Float(f64),
    Str(String),
    Bool(bool),
}

const COLS: [&str; 5] = ["int", "num", "cat", "mixed", "json"];

fn cell_strategy(col: usize) -> BoxedStrategy<V> {
    let missing = Just(V::Missing);
    match col {
        0 => prop_oneof![1 => missing, 6 => (-1000i64..1000).prop_map(|i| V::Raw(i.to_string()))]
            .boxed(),
        1 => prop_oneof![
            1 => missing,
            3 => (-1000i64..1000).prop_map(|i| V::Raw(i.to_string())),
            3 => (-1e4f64..1e4).prop_map(|f| V::Raw(format!("{f:.3}"))),
        ]
        .boxed(),
        2 => prop_oneof![1 => missing, 6 => "[a-e]{1,2}".prop_map(V::Raw)].boxed(),
        3 => prop_oneof![
            1 => missing,
            5 => (0i64..20).prop_map(|i| V::Raw(i.to_string())),
            1 => "[xy]".prop_map(V::Raw),
        ]
        .boxed(),
        _ => prop_oneof![
            1 => missing,
            3 => (-50i64..50).prop_map(V::Int),
            3 => (-50f64..50.0).prop_map(V::Float),
            1 => any::<bool>().prop_map(V::Bool),
            1 => "[pq]".prop_map(V::Str),
        ]
        .boxed(),
    }
}

fn rows() -> impl Strategy<Value = Vec<Vec<V>>> {
    let row = (0..COLS.len()).map(cell_strategy).collect::<Vec<_>>();
    proptest::collection::vec(row, 0..400)
}

fn cell(v: &V) -> Cell<'_> {
    match v {
        V::Missing => Cell::Missing,
        V::Raw(s) => Cell::Raw(s),
        V::Int(i) => Cell::Int(*i),
        V::Float(f) => Cell::Float(*f),
        V::Str(s) => Cell::Str(s),
        V::Bool(b) => Cell::Bool(*b),
    }
}

/// Profile rows; columns are created lazily at their first non-missing value, as a reader
/// of sparse JSON records would.
fn profile(rows: &[Vec<V>]) -> DatasetProfile {
    let mut p = DatasetProfile::new();
    for row in rows {
        for (c, v) in row.iter().enumerate() {
            if !matches!(v, V::Missing) {
                let i = p.column_index(COLS[c]);
                p.update(i, cell(v));
            }
        }
        p.add_records(1);
    }
    p
}

fn abs_sum(rows: &[Vec<V>], col: usize) -> f64 {
    rows.iter()
        .map(|r| match &r[col] {
            V::Raw(s) => s.parse::<f64>().map(f64::abs).unwrap_or(0.0),
            V::Int(i) => (*i as f64).abs(),
            V::Float(f) => f.abs(),
            _ => 0.0,
        })
        .sum()
}

fn compare(whole: &Statistics, merged: &Statistics, rows: &[Vec<V>]) -> Result<(), TestCaseError> {
    prop_assert_eq!(&whole.dataset, &merged.dataset);
    prop_assert_eq!(whole.features.len(), merged.features.len());
    let n = rows.len() as f64;
    for (w, m) in whole.features.iter().zip(&merged.features) {
        prop_assert_eq!(&w.name, &m.name);
        prop_assert_eq!(w.inferred_type, m.inferred_type, "{}", w.name);
        let col = COLS.iter().position(|c| *c == w.name).unwrap();
        match (&w.numerical_statistics, &m.numerical_statistics) {
            (Some(a), Some(b)) => {
                prop_assert_eq!(a.common, b.common);
                prop_assert_eq!(a.min.0, b.min.0);
                prop_assert_eq!(a.max.0, b.max.0);
                let tol = 2.0 * n * f64::EPSILON * abs_sum(rows, col);
                prop_assert!(
                    (a.sum.0 - b.sum.0).abs() <= tol,
                    "sum {} vs {}",
                    a.sum.0,
                    b.sum.0
                );
                let scale = 1.0 + a.mean.0.abs() + a.std_dev.0;
                prop_assert!((a.mean.0 - b.mean.0).abs() <= 1e-9 * scale);
                prop_assert!(
                    (a.std_dev.0 - b.std_dev.0).abs() <= 1e-9 * scale,
                    "std {} vs {}",
                    a.std_dev.0,
                    b.std_dev.0
                );
                let count = |s: &driftline_stats::formats::statistics::NumericalStatistics| {
                    let d = &s.distribution.as_ref().unwrap().kll.sketch.data;
                    d.iter()
                        .enumerate()
                        .map(|(h, l)| (l.len() as u64) << h)
                        .sum::<u64>()
                };
                prop_assert_eq!(count(a), count(b));
            }
            (None, None) => {}
            _ => prop_assert!(false, "numerical presence differs for {}", w.name),
        }
        match (&w.string_statistics, &m.string_statistics) {
            (Some(a), Some(b)) => {
                prop_assert_eq!(a.common, b.common);
                // Pure string columns: frequencies and distinct counts are exact. (A numeric
                // column that turns String later keeps numeric text normalised only for the
                // values seen before the switch; see FeatureProfile docs.)
                if w.name == "cat" {
                    prop_assert_eq!(a, b);
                }
            }
            (None, None) => {}
            _ => prop_assert!(false, "string presence differs for {}", w.name),
        }
        if w.inferred_type == InferredType::Unknown {
            prop_assert!(w.numerical_statistics.is_none());
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn merge_of_split_equals_whole(rows in rows(), cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..5)) {
        let whole = profile(&rows).to_statistics();
        let mut points: Vec<usize> = cuts.iter().map(|i| i.index(rows.len() + 1)).collect();
        points.push(0);
        points.push(rows.len());
        points.sort_unstable();
        let mut merged = DatasetProfile::new();
        for w in points.windows(2) {
            let part = profile(&rows[w[0]..w[1]]);
            let json = serde_json::to_string(&part).unwrap();
            let back: DatasetProfile = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(&back, &part);
            merged.merge(&back);
        }
        compare(&whole, &merged.to_statistics(), &rows)?;
    }
}

#[test]
fn large_split_with_compaction_keeps_exact_counts() {
    // 30,000 rows: the KLL compacts; counts, min, max stay exact across the merge.
    let rows: Vec<Vec<V>> = (0..30_000i64)
        .map(|i| {
            vec![
                V::Raw(((i * 7919) % 1001).to_string()),
                V::Raw(format!("{}.5", i % 97)),
                V::Raw(format!("c{}", i % 13)),
                V::Raw((i % 20).to_string()),
                V::Int(i),
            ]
        })
        .collect();
    let whole = profile(&rows).to_statistics();
    let mut merged = profile(&rows[..12_345]);
    merged.merge(&profile(&rows[12_345..]));
    let merged = merged.to_statistics();
    let cat_w = whole.features[2].string_statistics.as_ref().unwrap();
    let cat_m = merged.features[2].string_statistics.as_ref().unwrap();
    assert_eq!(cat_w, cat_m);
    assert_eq!(cat_w.distinct_count.0, 13.0);
    for c in [0, 1, 3, 4] {
        let a = whole.features[c].numerical_statistics.as_ref().unwrap();
        let b = merged.features[c].numerical_statistics.as_ref().unwrap();
        assert_eq!(a.common, b.common);
        assert_eq!((a.min, a.max), (b.min, b.max));
    }
}
