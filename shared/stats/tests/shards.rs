//! Property: profiling a data set in shards (random cuts), writing each shard profile to its
//! file format and back, and merging them in order gives the profile of the whole data set:
//! exact counts, types, min, max and string statistics; sums, means and standard deviations up
//! to rounding; every rank of every merged KLL sketch within the sketch's own stated bound of
//! the exact rank (computed here by sorting the data).

use driftline_stats::profile::{Cell, DatasetProfile};
use driftline_stats::shard::{ShardProfile, ShardSource};
use proptest::prelude::*;
use serde_json::Value;

/// One row: an integer, a float (sometimes missing), a category, a sparse column and a column
/// that mixes numbers and text (its inferred type depends on the counts of both).
fn row() -> impl Strategy<Value = [String; 5]> {
    (
        -1000i64..1000,
        prop::option::weighted(0.9, -1e6f64..1e6),
        0usize..12,
        prop::option::weighted(0.05, 0u32..5),
        prop::option::of(prop_oneof![
            Just("x".to_string()),
            (0u8..9).prop_map(|d| d.to_string())
        ]),
    )
        .prop_map(|(i, f, c, m, x)| {
            [
                i.to_string(),
                f.map(|v| format!("{v:.3}")).unwrap_or_default(),
                format!("cat-{c}"),
                m.map(|v| v.to_string()).unwrap_or_default(),
                x.unwrap_or_default(),
            ]
        })
}

const NAMES: [&str; 5] = ["i", "f", "c", "m", "x"];

fn profile(rows: &[[String; 5]]) -> DatasetProfile {
    let mut p = DatasetProfile::new();
    let cols: Vec<usize> = NAMES.iter().map(|n| p.column_index(n)).collect();
    for r in rows {
        for (c, v) in cols.iter().zip(r) {
            let cell = if v.is_empty() {
                Cell::Missing
            } else {
                Cell::Raw(v)
            };
            p.update(*c, cell);
        }
        p.add_records(1);
    }
    p
}

fn close(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * y.abs().max(1.0),
        _ => a == b,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn shards_merge_to_the_whole(
        rows in prop::collection::vec(row(), 1..6000),
        cuts in prop::collection::vec(0.0f64..1.0, 0..12),
    ) {
        let n = rows.len();
        let mut at: Vec<usize> = cuts.iter().map(|c| (c * n as f64) as usize).collect();
        at.push(0);
        at.push(n);
        at.sort_unstable();
        let mut parts = Vec::new();
        for (k, w) in at.windows(2).enumerate() {
            let shard = ShardProfile::new(profile(&rows[w[0]..w[1]]), ShardSource::file(format!("part-{k}")));
            parts.push(ShardProfile::from_json(&shard.to_json().unwrap()).unwrap());
        }
        let merged = ShardProfile::merge_all(parts).unwrap().profile;
        let whole = profile(&rows);
        prop_assert_eq!(merged.item_count(), whole.item_count());
        prop_assert_eq!(merged.columns(), whole.columns());

        let (ms, ws) = (merged.to_statistics(), whole.to_statistics());
        let (mv, wv) = (serde_json::to_value(&ms).unwrap(), serde_json::to_value(&ws).unwrap());
        for (m, w) in mv["features"].as_array().unwrap().iter().zip(wv["features"].as_array().unwrap()) {
            let name = w["name"].as_str().unwrap();
            prop_assert_eq!(&m["inferred_type"], &w["inferred_type"], "{}", name);
            match (m.get("numerical_statistics"), w.get("numerical_statistics")) {
                (Some(a), Some(b)) => {
                    prop_assert_eq!(&a["common"], &b["common"], "{}", name);
                    prop_assert_eq!(&a["min"], &b["min"], "{}", name);
                    prop_assert_eq!(&a["max"], &b["max"], "{}", name);
                    for key in ["sum", "mean", "std_dev"] {
                        prop_assert!(close(&a[key], &b[key]), "{} {}: {} vs {}", name, key, a[key], b[key]);
                    }
                }
                (None, None) => prop_assert_eq!(m, w, "{}", name),
                _ => prop_assert!(false, "{}: one side numeric", name),
            }
        }

        // Ranks of the merged sketches against the exact ranks.
        for (c, name) in NAMES.iter().enumerate() {
            let Some(kll) = merged.feature(name).and_then(|f| f.kll()) else { continue };
            let mut values: Vec<f64> = rows.iter().filter_map(|r| r[c].parse::<f64>().ok()).collect();
            values.sort_by(f64::total_cmp);
            prop_assert_eq!(kll.count(), values.len() as u64);
            let bound = kll.rank_error_bound();
            prop_assert!(kll.normalized_rank_error() <= 1.0 / 2050.0 + 1.0 / 1312.0 + 1e-12);
            for probe in values.iter().step_by(values.len().div_ceil(50).max(1)) {
                let exact = values.partition_point(|v| v <= probe) as f64;
                let got = kll.rank_inclusive(*probe) as f64;
                prop_assert!((got - exact).abs() <= bound, "{} rank of {}: {} vs exact {} (bound {})", name, probe, got, exact, bound);
            }
        }
    }
}
