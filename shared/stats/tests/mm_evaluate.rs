//! Constraint evaluation: hand-built current statistics that must / must not violate each of the
//! six checks. Expected figures are derived by hand in the comments.

use driftline_stats::double::Double;
use driftline_stats::evaluate::{evaluate, evaluate_with_type_counts, DriftMethod, TypeCounts};
use driftline_stats::formats::constraints::{
    CategoricalDriftMethod, ComparisonMethod, Constraints, DistributionConstraints,
    MonitoringConfigOverrides, StringConstraints, Toggle,
};
use driftline_stats::formats::statistics::{
    Categorical, CategoricalBucket, Common, FeatureStatistics, InferredType, KllDistribution,
    KllParameters, KllSketchData, NumericDistribution, NumericalStatistics, Statistics,
    StringDistribution, StringStatistics,
};
use driftline_stats::formats::violations::CheckType;
use driftline_stats::suggest::suggest_constraints;
use regex::Regex;
use std::collections::BTreeMap;

const DRIFT_RE: &str = r"distance: (.+) exceeds threshold: (.+)";

fn data(name: &str) -> String {
    let path = format!("{}/tests/data/mm/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A numeric feature whose sketch holds exactly `values` at level 0.
fn numeric(name: &str, t: InferredType, values: &[f64], missing: u64) -> FeatureStatistics {
    let sum: f64 = values.iter().sum();
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    FeatureStatistics {
        name: name.into(),
        inferred_type: t,
        numerical_statistics: Some(NumericalStatistics {
            common: Common {
                num_present: values.len() as u64,
                num_missing: missing,
            },
            mean: Double(sum / values.len() as f64),
            sum: Double(sum),
            std_dev: Double(0.0),
            min: Double(min),
            max: Double(max),
            distribution: Some(NumericDistribution {
                kll: KllDistribution {
                    buckets: vec![],
                    sketch: KllSketchData {
                        parameters: KllParameters {
                            c: Double(0.64),
                            k: Double(2048.0),
                        },
                        data: vec![values.iter().map(|&v| Double(v)).collect()],
                    },
                },
            }),
        }),
        string_statistics: None,
    }
}

fn string(name: &str, buckets: &[(&str, u64)], missing: u64) -> FeatureStatistics {
    FeatureStatistics {
        name: name.into(),
        inferred_type: InferredType::String,
        numerical_statistics: None,
        string_statistics: Some(StringStatistics {
            common: Common {
                num_present: buckets.iter().map(|b| b.1).sum(),
                num_missing: missing,
            },
            distinct_count: Double(buckets.len() as f64),
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

fn stats(features: Vec<FeatureStatistics>) -> Statistics {
    Statistics {
        version: Double(0.0),
        dataset: None,
        features,
    }
}

fn range(a: i32, b: i32) -> Vec<f64> {
    (a..=b).map(f64::from).collect()
}

/// Baseline: `x` Integral 1..=100, `color` red 50 / blue 30 / green 20.
fn baseline() -> (Statistics, Constraints) {
    let b = stats(vec![
        numeric("x", InferredType::Integral, &range(1, 100), 0),
        string("color", &[("red", 50), ("blue", 30), ("green", 20)], 0),
    ]);
    let c = suggest_constraints(&b);
    (b, c)
}

fn checks(e: &driftline_stats::evaluate::Evaluation) -> Vec<(String, CheckType)> {
    e.violations
        .violations
        .iter()
        .map(|v| (v.feature_name.clone(), v.constraint_check_type))
        .collect()
}

#[test]
fn real_baseline_against_itself_has_no_violation() {
    let s: Statistics = serde_json::from_str(&data("pipeline_statistics.json")).unwrap();
    let c: Constraints = serde_json::from_str(&data("pipeline_constraints.json")).unwrap();
    let e = evaluate(&s, &c, &s);
    assert!(e.violations.is_empty(), "{:?}", e.violations);
    assert_eq!(e.features.len(), 6);
    for f in &e.features {
        let d = f.drift.as_ref().unwrap();
        assert_eq!(d.linf, 0.0);
        assert_eq!(d.n, 100.0);
        assert_eq!(d.threshold, 0.1);
        assert_eq!(d.method, DriftMethod::NumericLInfinity);
    }
}

#[test]
fn bad_case_constraints_flag_a_data_type_violation() {
    // The SDK's bad case says `_c3` (0-based 4th feature) is String; the data is Fractional, so
    // 0 % of the values are String < 100 %.
    let s: Statistics = serde_json::from_str(&data("pipeline_statistics.json")).unwrap();
    let c: Constraints = serde_json::from_str(&data("pipeline_constraints_bad.json")).unwrap();
    let e = evaluate(&s, &c, &s);
    let v: Vec<_> = e.violations.of_type(CheckType::DataTypeCheck).collect();
    assert_eq!(v.len(), 1);
    assert_eq!(
        v[0].description,
        "Data type match requirement is not met. Expected data type: String, Expected match: 100.0%. Observed: Only 0.0% of data is String."
    );
}

#[test]
fn identical_current_has_no_violation() {
    let (b, c) = baseline();
    let e = evaluate(&b, &c, &b);
    assert!(e.violations.is_empty(), "{:?}", e.violations);
}

#[test]
fn missing_and_extra_columns() {
    let (b, c) = baseline();
    // Current lacks `color` and has `y`: 2 current columns, 2 baseline columns.
    let cur = stats(vec![
        numeric("x", InferredType::Integral, &range(1, 100), 0),
        numeric("y", InferredType::Integral, &range(1, 10), 0),
    ]);
    let e = evaluate(&b, &c, &cur);
    assert_eq!(
        checks(&e),
        vec![
            ("color".to_string(), CheckType::MissingColumnCheck),
            ("y".to_string(), CheckType::ExtraColumnCheck)
        ]
    );
    assert_eq!(
        e.violations.violations[0].description,
        "There are missing columns in current dataset. Number of columns in current dataset: 2, Number of columns in baseline constraints: 2"
    );
    assert_eq!(e.extra_columns, vec!["y".to_string()]);
}

#[test]
fn data_type_check_from_inferred_types_and_from_counts() {
    let (b, c) = baseline();
    // x now Fractional: by column type 0 % Integral → violation.
    let mut vals = range(1, 99);
    vals.push(100.5);
    let cur = stats(vec![
        numeric("x", InferredType::Fractional, &vals, 0),
        string("color", &[("red", 50), ("blue", 30), ("green", 20)], 0),
    ]);
    let e = evaluate(&b, &c, &cur);
    let v: Vec<_> = e.violations.of_type(CheckType::DataTypeCheck).collect();
    assert_eq!(v.len(), 1);
    assert!(v[0]
        .description
        .ends_with("Observed: Only 0.0% of data is Integral."));
    // With per-value counts: 99 Integral + 1 Fractional → 99 % Integral < 100 % → violation.
    let tc: BTreeMap<String, TypeCounts> = [(
        "x".to_string(),
        TypeCounts {
            integral: 99,
            fractional: 1,
            string: 0,
        },
    )]
    .into();
    let e = evaluate_with_type_counts(&b, &c, &cur, &tc);
    let v: Vec<_> = e.violations.of_type(CheckType::DataTypeCheck).collect();
    assert_eq!(v.len(), 1);
    assert_eq!(
        v[0].description,
        "Data type match requirement is not met. Expected data type: Integral, Expected match: 100.0%. Observed: Only 99.0% of data is Integral."
    );
    assert_eq!(e.features[0].data_type_match, Some(0.99));
    // Threshold 0.9 in monitoring_config → 0.99 passes.
    let mut c9 = c.clone();
    c9.monitoring_config
        .as_mut()
        .unwrap()
        .datatype_check_threshold = Some(Double(0.9));
    let e = evaluate_with_type_counts(&b, &c9, &cur, &tc);
    assert_eq!(e.violations.of_type(CheckType::DataTypeCheck).count(), 0);
}

#[test]
fn completeness_check() {
    let (b, c) = baseline();
    // x: 90 present, 10 missing → 0.9 < 1.0 → violation; color unchanged.
    let cur = stats(vec![
        numeric("x", InferredType::Integral, &range(1, 90), 10),
        string("color", &[("red", 50), ("blue", 30), ("green", 20)], 0),
    ]);
    let e = evaluate(&b, &c, &cur);
    let v: Vec<_> = e.violations.of_type(CheckType::CompletenessCheck).collect();
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].feature_name, "x");
    assert_eq!(
        v[0].description,
        "Data completeness requirement is not met. Expected: 100.0%, Observed: Only 90.0% of data is available."
    );
    // A constraint of 0.8 accepts 0.9.
    let mut c8 = c.clone();
    c8.features[0].completeness = Some(Double(0.8));
    let e = evaluate(&b, &c8, &cur);
    assert_eq!(
        e.violations.of_type(CheckType::CompletenessCheck).count(),
        0
    );
}

#[test]
fn numeric_drift_simple_and_robust() {
    let (b, c) = baseline();
    let color = string("color", &[("red", 50), ("blue", 30), ("green", 20)], 0);
    // Shift by 30: L∞ = 0.3; Robust = 0.3 − 1.8·sqrt(2/100) = 0.04544 ≤ 0.1 → no violation.
    let cur30 = stats(vec![
        numeric("x", InferredType::Integral, &range(31, 130), 0),
        color.clone(),
    ]);
    let e = evaluate(&b, &c, &cur30);
    assert!(e.violations.is_empty(), "{:?}", e.violations);
    let d = e.features[0].drift.as_ref().unwrap();
    assert!((d.linf - 0.3).abs() < 1e-15);
    assert!((d.linf_robust - 0.045441559).abs() < 1e-9);
    assert_eq!(d.value, d.linf_robust);
    assert!(!d.drifted);
    // Simple: 0.3 > 0.1 → violation, description parsable by the documented regex.
    let mut cs = c.clone();
    cs.monitoring_config
        .as_mut()
        .unwrap()
        .distribution_constraints
        .as_mut()
        .unwrap()
        .comparison_method = Some(ComparisonMethod::Simple);
    let e = evaluate(&b, &cs, &cur30);
    assert_eq!(
        checks(&e),
        vec![("x".to_string(), CheckType::BaselineDriftCheck)]
    );
    let desc = &e.violations.violations[0].description;
    // The largest double gap is at x = 31: 31/100 − 1/100 = 0.31 − 0.01, which is
    // 0.30000000000000004 in doubles (Deequ does the same arithmetic: rank / n − rank / m).
    assert_eq!(
        desc,
        "Baseline drift distance: 0.30000000000000004 exceeds threshold: 0.1"
    );
    let caps = Regex::new(DRIFT_RE).unwrap().captures(desc).unwrap();
    assert!((caps[1].parse::<f64>().unwrap() - 0.3).abs() < 1e-15);
    assert_eq!(caps[2].parse::<f64>().unwrap(), 0.1);
    // Shift by 60: L∞ = 0.6, Robust 0.6 − 0.254558 = 0.345442 > 0.1 → violation (Robust).
    let cur60 = stats(vec![
        numeric("x", InferredType::Integral, &range(61, 160), 0),
        color,
    ]);
    let e = evaluate(&b, &c, &cur60);
    assert_eq!(
        checks(&e),
        vec![("x".to_string(), CheckType::BaselineDriftCheck)]
    );
    let caps = Regex::new(DRIFT_RE)
        .unwrap()
        .captures(&e.violations.violations[0].description)
        .unwrap();
    let dist: f64 = caps[1].parse().unwrap();
    assert!((dist - 0.345441559).abs() < 1e-9);
}

#[test]
fn overrides_disable_evaluation_and_comparison() {
    let (b, c) = baseline();
    let cur60 = stats(vec![
        numeric("x", InferredType::Integral, &range(61, 160), 10),
        string("color", &[("red", 50), ("blue", 30), ("green", 20)], 0),
    ]);
    // Feature-level evaluate_constraints Disabled: no violation for x, but the figures remain.
    let mut c1 = c.clone();
    c1.features[0].monitoring_config_overrides = Some(MonitoringConfigOverrides {
        evaluate_constraints: Some(Toggle::Disabled),
        ..Default::default()
    });
    let e = evaluate(&b, &c1, &cur60);
    assert!(e.violations.is_empty(), "{:?}", e.violations);
    assert!(e.features[0].drift.as_ref().unwrap().drifted);
    // perform_comparison Disabled: completeness still flagged, drift not computed.
    let mut c2 = c.clone();
    c2.features[0].monitoring_config_overrides = Some(MonitoringConfigOverrides {
        distribution_constraints: Some(DistributionConstraints {
            perform_comparison: Some(Toggle::Disabled),
            ..Default::default()
        }),
        ..Default::default()
    });
    let e = evaluate(&b, &c2, &cur60);
    assert_eq!(
        checks(&e),
        vec![("x".to_string(), CheckType::CompletenessCheck)]
    );
    assert!(e.features[0].drift.is_none());
    // Global evaluate_constraints Disabled: nothing at all.
    let mut c3 = c.clone();
    c3.monitoring_config.as_mut().unwrap().evaluate_constraints = Toggle::Disabled;
    let e = evaluate(&b, &c3, &cur60);
    assert!(e.violations.is_empty());
    // Override inside string_constraints (2019 placement) with a higher threshold: the shift
    // by 60 gives 0.3454 < 0.5 → no drift violation for x.
    let mut c4 = c.clone();
    c4.features[0].string_constraints = Some(StringConstraints {
        domains: None,
        monitoring_config_overrides: Some(MonitoringConfigOverrides {
            distribution_constraints: Some(DistributionConstraints {
                comparison_threshold: Some(Double(0.5)),
                ..Default::default()
            }),
            ..Default::default()
        }),
    });
    let e = evaluate(&b, &c4, &cur60);
    assert_eq!(
        e.violations.of_type(CheckType::BaselineDriftCheck).count(),
        0
    );
    assert_eq!(e.features[0].drift.as_ref().unwrap().threshold, 0.5);
}

#[test]
fn categorical_values_and_categorical_drift() {
    let (b, c) = baseline();
    assert_eq!(
        c.features[1].string_constraints.as_ref().unwrap().domains,
        Some(vec!["red".into(), "blue".into(), "green".into()])
    );
    // Current: red 40, blue 30, purple 30 → 70 % inside the domain < 100 % → violation.
    // Categorical L∞ = 0.3 (purple), Robust 0.0454 ≤ 0.1 → no drift violation by default.
    let cur = stats(vec![
        numeric("x", InferredType::Integral, &range(1, 100), 0),
        string("color", &[("red", 40), ("blue", 30), ("purple", 30)], 0),
    ]);
    let e = evaluate(&b, &c, &cur);
    assert_eq!(
        checks(&e),
        vec![("color".to_string(), CheckType::CategoricalValuesCheck)]
    );
    assert!(e.violations.violations[0]
        .description
        .contains("Observed: Only 70.0% of data is within the domain."));
    assert_eq!(e.features[1].domain_match, Some(0.7));
    let d = e.features[1].drift.as_ref().unwrap();
    assert_eq!(d.method, DriftMethod::CategoricalLInfinity);
    assert!((d.linf - 0.3).abs() < 1e-15);
    // domain_content_threshold 0.7 accepts exactly 70 %.
    let mut c7 = c.clone();
    c7.monitoring_config
        .as_mut()
        .unwrap()
        .domain_content_threshold = Some(Double(0.7));
    assert!(evaluate(&b, &c7, &cur).violations.is_empty());
    // ChiSquared: χ² = 18.571 (see mm_distance.rs), df 2, p = 9.27e-5 < 0.1 → drift violation.
    let mut cx = c7.clone();
    cx.monitoring_config
        .as_mut()
        .unwrap()
        .distribution_constraints
        .as_mut()
        .unwrap()
        .categorical_drift_method = Some(CategoricalDriftMethod::ChiSquared);
    let e = evaluate(&b, &cx, &cur);
    assert_eq!(
        checks(&e),
        vec![("color".to_string(), CheckType::BaselineDriftCheck)]
    );
    let d = e.features[1].drift.as_ref().unwrap();
    assert_eq!(d.method, DriftMethod::CategoricalChiSquared);
    assert!((d.value - (-(25.0 / 35.0 + 81.0 / 21.0 + 14.0) / 2.0f64).exp()).abs() < 1e-12);
    assert!(e.violations.violations[0]
        .description
        .starts_with("Baseline drift chi-squared p-value: 9.27"));
    // categorical_comparison_threshold 0.2 with Simple L∞ 0.3 → violation via L∞.
    let mut cl = c7.clone();
    {
        let dc = cl
            .monitoring_config
            .as_mut()
            .unwrap()
            .distribution_constraints
            .as_mut()
            .unwrap();
        dc.comparison_method = Some(ComparisonMethod::Simple);
        dc.categorical_comparison_threshold = Some(Double(0.2));
    }
    let e = evaluate(&b, &cl, &cur);
    assert_eq!(
        e.violations.violations[0].description,
        "Baseline drift distance: 0.3 exceeds threshold: 0.2"
    );
}

#[test]
fn empty_current_column_gives_completeness_only() {
    let (b, c) = baseline();
    // x has no value at all (Unknown, 100 missing): completeness 0 < 1; no type check, no drift.
    let mut x = numeric("x", InferredType::Unknown, &[], 100);
    x.numerical_statistics.as_mut().unwrap().distribution = None;
    let cur = stats(vec![
        x,
        string("color", &[("red", 50), ("blue", 30), ("green", 20)], 0),
    ]);
    let e = evaluate(&b, &c, &cur);
    assert_eq!(
        checks(&e),
        vec![("x".to_string(), CheckType::CompletenessCheck)]
    );
    assert!(e.violations.violations[0]
        .description
        .contains("Observed: Only 0.0% of data is available."));
}

#[test]
fn violations_serialise_in_the_real_layout() {
    let (b, c) = baseline();
    let cur = stats(vec![numeric(
        "x",
        InferredType::Integral,
        &range(61, 160),
        0,
    )]);
    let e = evaluate(&b, &c, &cur);
    let json = serde_json::to_string(&e.violations).unwrap();
    assert!(json.starts_with(r#"{"violations":[{"feature_name":"x","constraint_check_type":"baseline_drift_check","description":"Baseline drift distance: "#));
}

#[test]
fn summary_figures_carry_the_compared_threshold() {
    let (b, c) = baseline();
    let cur = stats(vec![
        numeric("x", InferredType::Integral, &range(61, 160), 0),
        string("color", &[("red", 50), ("blue", 30), ("green", 20)], 0),
    ]);
    let e = evaluate(&b, &c, &cur);
    let figs = e.feature("x").unwrap().drift_figures();
    // L∞ of the shift by 60 is 0.6 (largest gap 0.61 − 0.01 or 0.6 − 0, within 1e-15).
    assert!((figs["linf"].value - 0.6).abs() < 1e-15);
    assert_eq!(figs["linf"].threshold, None);
    assert_eq!(figs["linf_robust"].threshold, Some(0.1));
    let v = e.violation_summaries();
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].constraint_check_type, "baseline_drift_check");
    assert!(e.feature("nope").is_none());
}

/// Profile a headerless CSV (columns `_c0`, `_c1`, …), every field as `Cell::Raw`.
fn profile_csv(text: &str) -> driftline_stats::profile::DatasetProfile {
    use driftline_stats::profile::{Cell, DatasetProfile};
    let mut p = DatasetProfile::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        for (i, field) in line.split(',').enumerate() {
            let col = p.column_index(&format!("_c{i}"));
            p.update(
                col,
                if field.is_empty() {
                    Cell::Missing
                } else {
                    Cell::Raw(field)
                },
            );
        }
        p.add_records(1);
    }
    p
}

#[test]
fn csv_to_profile_to_suggestion_reproduces_the_real_constraints_bytes() {
    // The SDK pipeline fixture: baseline_dataset.csv → (container) statistics.json →
    // good_cases/constraints.json. Our profile of the CSV, suggested, must give the same bytes.
    let csv = std::fs::read_to_string(format!(
        "{}/tests/data/sdk-pipeline-dq/baseline_dataset.csv",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let stats = profile_csv(&csv).to_statistics();
    assert_eq!(
        suggest_constraints(&stats).to_json().unwrap(),
        data("pipeline_constraints.json")
    );
}

#[test]
fn type_counts_from_a_profile_drive_the_data_type_check() {
    // Baseline `_c0` Fractional (3.0, 1.5, …). Current: 8 fractional values and 2 integral
    // ones ("3", "4"): 80 % Fractional < 100 % → violation "Only 80.0% of data is Fractional";
    // the column-level fallback would have said 100 % (the column is still Fractional).
    let base = profile_csv("3.0\n1.5\n2.5\n0.5\n");
    let cur = profile_csv("3.0\n1.5\n2.5\n0.5\n3\n4\n1.0\n2.0\n6.5\n7.5\n");
    let (bs, cs) = (base.to_statistics(), cur.to_statistics());
    let c = suggest_constraints(&bs);
    assert!(evaluate(&bs, &c, &cs)
        .violations
        .of_type(CheckType::DataTypeCheck)
        .next()
        .is_none());
    let tc = TypeCounts::of_dataset(&cur);
    assert_eq!(
        tc["_c0"],
        TypeCounts {
            integral: 2,
            fractional: 8,
            string: 0
        }
    );
    let e = evaluate_with_type_counts(&bs, &c, &cs, &tc);
    let v: Vec<_> = e.violations.of_type(CheckType::DataTypeCheck).collect();
    assert_eq!(v.len(), 1);
    assert!(v[0]
        .description
        .ends_with("Observed: Only 80.0% of data is Fractional."));
}
