//! Baseline suggestion against the real pair of the SageMaker Python SDK fixtures, and the
//! completeness / non-negativity / domain rules on hand-built statistics.

use driftline_stats::double::Double;
use driftline_stats::formats::constraints::{CategoricalDriftMethod, Constraints};
use driftline_stats::formats::statistics::{
    Categorical, CategoricalBucket, Common, FeatureStatistics, InferredType, NumericalStatistics,
    Statistics, StringDistribution, StringStatistics,
};
use driftline_stats::suggest::{suggest_constraints, suggest_constraints_with, SuggestOptions};
use serde_json::Value;

fn data(name: &str) -> String {
    let path = format!("{}/tests/data/mm/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn key_sequence(text: &str) -> Vec<String> {
    let re = regex::Regex::new(r#""([A-Za-z_]+)"\s*:"#).unwrap();
    re.captures_iter(text).map(|c| c[1].to_string()).collect()
}

#[test]
fn suggestion_equals_the_real_constraints_file() {
    let stats: Statistics = serde_json::from_str(&data("pipeline_statistics.json")).unwrap();
    let real_text = data("pipeline_constraints.json");
    let real: Constraints = serde_json::from_str(&real_text).unwrap();
    let ours = suggest_constraints(&stats);
    assert_eq!(ours, real);
    let ours_json = serde_json::to_string(&ours).unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&ours_json).unwrap(),
        serde_json::from_str::<Value>(&real_text).unwrap()
    );
    assert_eq!(key_sequence(&ours_json), key_sequence(&real_text));
    // Byte for byte through the Jackson-style writer (the real file has no final newline).
    assert_eq!(ours.to_json().unwrap(), real_text);
}

fn numeric(name: &str, present: u64, missing: u64, min: f64) -> FeatureStatistics {
    FeatureStatistics {
        name: name.into(),
        inferred_type: InferredType::Integral,
        numerical_statistics: Some(NumericalStatistics {
            common: Common {
                num_present: present,
                num_missing: missing,
            },
            mean: Double(0.0),
            sum: Double(0.0),
            std_dev: Double(0.0),
            min: Double(min),
            max: Double(10.0),
            distribution: None,
        }),
        string_statistics: None,
    }
}

fn string(name: &str, distinct: f64, buckets: &[(&str, u64)], missing: u64) -> FeatureStatistics {
    let present = buckets.iter().map(|b| b.1).sum();
    FeatureStatistics {
        name: name.into(),
        inferred_type: InferredType::String,
        numerical_statistics: None,
        string_statistics: Some(StringStatistics {
            common: Common {
                num_present: present,
                num_missing: missing,
            },
            distinct_count: Double(distinct),
            distribution: Some(StringDistribution {
                categorical: Categorical {
                    buckets: buckets
                        .iter()
                        .map(|(v, c)| CategoricalBucket {
                            value: v.to_string(),
                            count: *c,
                        })
                        .collect(),
                },
            }),
        }),
    }
}

#[test]
fn completeness_non_negativity_and_domains() {
    let unique: Vec<(String, u64)> = (0..20).map(|i| (format!("id{i}"), 1)).collect();
    let unique_ref: Vec<(&str, u64)> = unique.iter().map(|(s, c)| (s.as_str(), *c)).collect();
    // 11 values, one of them seen once: 1/11 = 0.0909 <= 0.1, so a domain.
    let mut eleven: Vec<(String, u64)> = (0..10).map(|i| (format!("v{i:02}"), 5)).collect();
    eleven.push(("rare".into(), 1));
    let eleven_ref: Vec<(&str, u64)> = eleven.iter().map(|(s, c)| (s.as_str(), *c)).collect();
    // 10 values, one seen once: 1/10 = 0.1 <= 0.1 still a domain; 2 of 10 = 0.2: none.
    let mut two_rare: Vec<(String, u64)> = (0..8).map(|i| (format!("w{i}"), 4)).collect();
    two_rare.push(("r1".into(), 1));
    two_rare.push(("r2".into(), 1));
    let two_rare_ref: Vec<(&str, u64)> = two_rare.iter().map(|(s, c)| (s.as_str(), *c)).collect();
    let stats = Statistics {
        version: Double(0.0),
        dataset: None,
        features: vec![
            // 75 present of 100 rows: completeness 0.75; min -1 → is_non_negative false.
            numeric("neg", 75, 25, -1.0),
            // min exactly 0 → non-negative.
            numeric("zero", 10, 0, 0.0),
            // counts 30, 50, 20 (+ 0 missing) → domain by descending count: b, a, c.
            string("color", 3.0, &[("a", 30), ("b", 50), ("c", 20)], 0),
            // ties broken by value: x and y both 10 → x, y.
            string("tie", 2.0, &[("y", 10), ("x", 10)], 5),
            // every value unique → no domain.
            string("id", 20.0, &unique_ref, 0),
            string("eleven", 11.0, &eleven_ref, 0),
            string("two_rare", 10.0, &two_rare_ref, 0),
            // more than 120 distinct → no domain even if the buckets look categorical.
            string("wide", 500.0, &[("p", 50), ("q", 50)], 0),
            // buckets cover only part of the values (truncated frequent items) → no domain.
            FeatureStatistics {
                string_statistics: Some(StringStatistics {
                    common: Common {
                        num_present: 1000,
                        num_missing: 0,
                    },
                    ..string("partial", 3.0, &[("p", 50), ("q", 50)], 0)
                        .string_statistics
                        .unwrap()
                }),
                ..string("partial", 3.0, &[("p", 50), ("q", 50)], 0)
            },
        ],
    };
    let c = suggest_constraints(&stats);
    let f = |n: &str| c.feature(n).unwrap();
    assert_eq!(f("neg").completeness.map(f64::from), Some(0.75));
    assert_eq!(
        f("neg").num_constraints.unwrap().is_non_negative,
        Some(false)
    );
    assert_eq!(
        f("zero").num_constraints.unwrap().is_non_negative,
        Some(true)
    );
    let dom = |n: &str| {
        f(n).string_constraints
            .as_ref()
            .and_then(|s| s.domains.clone())
    };
    assert_eq!(dom("color"), Some(vec!["b".into(), "a".into(), "c".into()]));
    // 20 present of 25 rows.
    assert_eq!(f("tie").completeness.map(f64::from), Some(0.8));
    assert_eq!(dom("tie"), Some(vec!["x".into(), "y".into()]));
    assert_eq!(dom("id"), None);
    assert_eq!(dom("eleven").map(|d| d.len()), Some(11));
    assert_eq!(
        dom("eleven").unwrap().last().map(String::as_str),
        Some("rare")
    );
    assert_eq!(dom("two_rare"), None);
    assert_eq!(dom("wide"), None);
    assert_eq!(dom("partial"), None);
    assert!(f("color").num_constraints.is_none());

    // Defaults leave the categorical keys out (as the real file); options write them.
    let dc = c
        .monitoring_config
        .as_ref()
        .unwrap()
        .distribution_constraints
        .clone()
        .unwrap();
    assert!(dc.categorical_drift_method.is_none());
    let c2 = suggest_constraints_with(
        &stats,
        &SuggestOptions {
            categorical: Some((0.1, CategoricalDriftMethod::ChiSquared)),
        },
    );
    let e = c2.global_config();
    assert_eq!(
        e.categorical_drift_method,
        CategoricalDriftMethod::ChiSquared
    );
    assert_eq!(e.categorical_comparison_threshold, 0.1);
}

#[test]
fn sdk2019_statistics_suggest_the_2019_domain() {
    // The 2019 fixture pair: one String feature with a single value seen 418 times; the old
    // constraints file lists that value as the domain and completeness 1.0.
    let stats: Statistics = serde_json::from_str(&data("sdk2019_statistics.json")).unwrap();
    let old: Constraints = serde_json::from_str(&data("sdk2019_constraints.json")).unwrap();
    let ours = suggest_constraints(&stats);
    assert_eq!(ours.features[0].name, old.features[0].name);
    assert_eq!(ours.features[0].completeness, old.features[0].completeness);
    assert_eq!(
        ours.features[0]
            .string_constraints
            .as_ref()
            .unwrap()
            .domains,
        old.features[0].string_constraints.as_ref().unwrap().domains
    );
}
