//! Profile statistics against numpy: `tests/data/numpy_profile_reference.json` is produced by
//! `scripts/numpy_profile_reference.py` (numpy version recorded in the file; CI stage 16
//! regenerates it and checks it is unchanged).
//!
//! Tolerances (numpy uses pairwise summation and a two-pass std; we sum in row order and use
//! Welford's update, as Model Monitor does):
//! * count, min, max: exact;
//! * sum: `|Δ| <= n ε Σ|x|` against the exactly rounded `math.fsum` (error bound of recursive
//!   summation); mean: the same bound divided by n;
//! * std: `|Δ| <= 1e-12 * std + 4 n ε (|mean| + std)` (Welford's error grows with n and with the
//!   mean's magnitude relative to the spread);
//! * quantiles: exact (`np.quantile(..., method="inverted_cdf")`) while the sketch has not
//!   compacted (n <= 2050); after that the rank of our quantile is within the sketch's stated
//!   rank error of `q`.

use driftline_stats::profile::{Cell, DatasetProfile};
use serde::Deserialize;

#[derive(Deserialize)]
struct Doc {
    numpy: String,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    values: Vec<f64>,
    n: u64,
    sum: f64,
    mean: f64,
    std: f64,
    min: f64,
    max: f64,
    qs: Vec<f64>,
    quantiles: Vec<f64>,
}

#[test]
fn profile_statistics_match_numpy() {
    let doc: Doc = serde_json::from_str(include_str!("data/numpy_profile_reference.json")).unwrap();
    assert!(doc.numpy.starts_with('2'), "numpy {}", doc.numpy);
    assert!(doc.cases.len() >= 8);
    for c in &doc.cases {
        let mut p = DatasetProfile::new();
        let col = p.column_index("x");
        for &v in &c.values {
            p.update(col, Cell::Float(v));
            p.add_records(1);
        }
        let f = p.feature("x").unwrap();
        let num = f.numeric().unwrap();
        let name = &c.name;
        assert_eq!(num.n, c.n, "{name}");
        assert_eq!(num.min, c.min, "{name}");
        assert_eq!(num.max, c.max, "{name}");
        let n = c.n as f64;
        let abs_sum: f64 = c.values.iter().map(|v| v.abs()).sum();
        let sum_tol = n * f64::EPSILON * abs_sum;
        assert!(
            (num.sum - c.sum).abs() <= sum_tol,
            "{name}: sum {} vs {}",
            num.sum,
            c.sum
        );
        assert!(
            (num.mean() - c.mean).abs() <= sum_tol / n + f64::EPSILON * c.mean.abs(),
            "{name}: mean {} vs {}",
            num.mean(),
            c.mean
        );
        let std_tol = 1e-12 * c.std + 4.0 * n * f64::EPSILON * (c.mean.abs() + c.std);
        assert!(
            (num.std_dev() - c.std).abs() <= std_tol,
            "{name}: std {} vs {} (tol {std_tol})",
            num.std_dev(),
            c.std
        );
        let kll = &num.kll;
        let mut sorted = c.values.clone();
        sorted.sort_by(|a, b| a.total_cmp(b));
        for (&q, &want) in c.qs.iter().zip(&c.quantiles) {
            let got = kll.quantile(q).unwrap();
            if c.n <= 2050 {
                assert_eq!(got, want, "{name}: quantile({q})");
            } else {
                // ECDF position of our answer vs q, within the sketch's rank error.
                let lo = sorted.partition_point(|&v| v < got) as f64 / n;
                let hi = sorted.partition_point(|&v| v <= got) as f64 / n;
                let eps = kll.normalized_rank_error() + 1.0 / n;
                assert!(
                    lo - eps <= q && q <= hi + eps,
                    "{name}: quantile({q}) = {got} has ECDF [{lo}, {hi}], error bound {eps}"
                );
            }
        }
    }
}
