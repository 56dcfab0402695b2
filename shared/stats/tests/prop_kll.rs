//! KLL rank error stays within `normalized_rank_error()` (a deterministic bound), for single
//! sketches and merged ones, against exact ranks.

use driftline_stats::kll::KllSketch;
use proptest::prelude::*;

fn exact_ranks(sorted: &[f64], x: f64) -> (u64, u64) {
    let lt = sorted.partition_point(|&v| v < x) as u64;
    let le = sorted.partition_point(|&v| v <= x) as u64;
    (lt, le)
}

fn check(sketch: &KllSketch, values: &[f64]) -> Result<(), TestCaseError> {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let n = values.len() as f64;
    prop_assert_eq!(sketch.count(), values.len() as u64);
    let bound = sketch.normalized_rank_error();
    let mut queries: Vec<f64> = (0..=40)
        .map(|i| sorted[((sorted.len() - 1) * i) / 40])
        .collect();
    queries.extend([sorted[0] - 1.0, sorted[sorted.len() - 1] + 1.0]);
    queries.extend(sorted.iter().step_by(997).map(|v| v + 0.5));
    for &x in &queries {
        let (lt, le) = exact_ranks(&sorted, x);
        let e1 = (sketch.rank_exclusive(x) as f64 - lt as f64).abs() / n;
        let e2 = (sketch.rank_inclusive(x) as f64 - le as f64).abs() / n;
        prop_assert!(e1 <= bound + 1e-15, "exclusive at {x}: {e1} > {bound}");
        prop_assert!(e2 <= bound + 1e-15, "inclusive at {x}: {e2} > {bound}");
    }
    let ws = sketch.to_weighted_sample();
    prop_assert_eq!(ws.total_weight(), n);
    Ok(())
}

fn values(n: usize, seed: u64, distinct: u64) -> Vec<f64> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if distinct > 0 {
                (x % distinct) as f64
            } else {
                (x >> 11) as f64 / (1u64 << 53) as f64 * 1000.0 - 500.0
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn rank_error_within_bound(n in 1usize..50_000, seed in any::<u64>(), distinct in prop_oneof![Just(0u64), 1u64..50, Just(100_000)], sorted_input in any::<bool>()) {
        let mut vs = values(n, seed, distinct);
        if sorted_input {
            vs.sort_by(|a, b| a.total_cmp(b));
        }
        let mut s = KllSketch::new();
        for &v in &vs {
            s.update(v);
        }
        if n <= 2050 {
            prop_assert_eq!(s.normalized_rank_error(), 0.0);
        }
        check(&s, &vs)?;
        // Rebuilt from the serialised levels: same ranks, structural bound.
        let rebuilt = KllSketch::from_levels(s.levels().to_vec());
        prop_assert!(rebuilt.normalized_rank_error() >= s.normalized_rank_error());
        check(&rebuilt, &vs)?;
    }

    #[test]
    fn merged_rank_error_within_bound(parts in proptest::collection::vec(1usize..12_000, 1..6), seed in any::<u64>()) {
        let mut all = Vec::new();
        let mut merged = KllSketch::new();
        for (i, &n) in parts.iter().enumerate() {
            let vs = values(n, seed.wrapping_add(i as u64 * 7919), 0);
            let mut s = KllSketch::new();
            for &v in &vs {
                s.update(v);
            }
            merged.merge(&s);
            all.extend(vs);
        }
        check(&merged, &all)?;
    }

    #[test]
    fn small_params_stress_bound(n in 1usize..5_000, seed in any::<u64>()) {
        // k = 8 compacts constantly and builds many levels: a harder test of the bound.
        let vs = values(n, seed, 0);
        let mut s = KllSketch::with_params(8, 0.64);
        for &v in &vs {
            s.update(v);
        }
        check(&s, &vs)?;
    }
}
