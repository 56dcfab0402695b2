//! Model Monitor `constraints.json` / `constraint_violations.json`: reading real files (current
//! container and 2019 SDK), tolerant spellings, structural round-trips.

use driftline_stats::formats::constraints::{
    CategoricalDriftMethod, ComparisonMethod, Constraints, Toggle,
};
use driftline_stats::formats::statistics::InferredType;
use driftline_stats::formats::violations::{CheckType, ConstraintViolations};
use serde_json::Value;

fn data(name: &str) -> String {
    let path = format!("{}/tests/data/mm/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The object keys of a JSON text in document order (`"key" :` or `"key":`).
fn key_sequence(text: &str) -> Vec<String> {
    let re = regex::Regex::new(r#""([A-Za-z_]+)"\s*:"#).unwrap();
    re.captures_iter(text).map(|c| c[1].to_string()).collect()
}

#[test]
fn real_constraints_round_trip_structurally() {
    let text = data("pipeline_constraints.json");
    let c = Constraints::from_json(&text).unwrap();
    assert_eq!(c.features.len(), 6);
    // Byte-for-byte round trip through the Jackson-style writer.
    assert_eq!(c.to_json().unwrap(), text);
    assert_eq!(c.features[0].name, "_c0");
    assert_eq!(c.features[0].inferred_type, InferredType::Fractional);
    assert_eq!(c.features[0].completeness.map(f64::from), Some(1.0));
    assert_eq!(
        c.features[0]
            .num_constraints
            .and_then(|n| n.is_non_negative),
        Some(true)
    );
    let mc = c.monitoring_config.as_ref().unwrap();
    assert_eq!(mc.evaluate_constraints, Toggle::Enabled);
    let dc = mc.distribution_constraints.as_ref().unwrap();
    assert_eq!(dc.comparison_method, Some(ComparisonMethod::Robust));
    assert_eq!(dc.comparison_threshold.map(f64::from), Some(0.1));
    // Same JSON value after a write (key order is checked byte-wise in mm_suggest.rs).
    let back: Value = serde_json::to_value(&c).unwrap();
    let orig: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(back, orig);
    // Key order as the real file: serde_json writes struct fields in declaration order.
    assert_eq!(
        key_sequence(&serde_json::to_string(&c).unwrap()),
        key_sequence(&text)
    );
}

#[test]
fn bad_case_differs_only_in_one_type() {
    let good: Constraints = serde_json::from_str(&data("pipeline_constraints.json")).unwrap();
    let bad: Constraints = serde_json::from_str(&data("pipeline_constraints_bad.json")).unwrap();
    let diffs: Vec<_> = good
        .features
        .iter()
        .zip(&bad.features)
        .filter(|(g, b)| g != b)
        .collect();
    assert_eq!(diffs.len(), 1);
    assert_eq!(diffs[0].1.inferred_type, InferredType::String);
}

#[test]
fn sdk2019_constraints_are_read_tolerantly() {
    let text = data("sdk2019_constraints.json");
    let c: Constraints = serde_json::from_str(&text).unwrap();
    assert_eq!(c.features.len(), 2);
    let f0 = &c.features[0];
    let sc = f0.string_constraints.as_ref().unwrap();
    assert_eq!(
        sc.domains.as_deref(),
        Some(&["preproc-not-YET-supported-for-csv-json".to_string()][..])
    );
    let ov = sc.monitoring_config_overrides.as_ref().unwrap();
    assert_eq!(ov.evaluate_constraints, Some(Toggle::Enabled));
    assert!(c.features[1]
        .string_constraints
        .as_ref()
        .unwrap()
        .monitoring_config_overrides
        .is_none());
    let dc = c
        .monitoring_config
        .as_ref()
        .unwrap()
        .distribution_constraints
        .as_ref()
        .unwrap();
    assert_eq!(dc.enable_comparisons, Some(true));
    assert_eq!(dc.min_domain_mass.map(f64::from), Some(1.0));
    assert_eq!(dc.comparison_threshold.map(f64::from), Some(1.0));
    // Documented defaults fill what the old file lacks.
    let e = c.effective_config(f0);
    assert_eq!(e.datatype_check_threshold, 0.1);
    assert_eq!(e.comparison_method, ComparisonMethod::Robust);
    assert_eq!(e.categorical_comparison_threshold, 1.0);
    assert_eq!(
        e.categorical_drift_method,
        CategoricalDriftMethod::LInfinity
    );
    // Structural round trip: the same JSON value back (obsolete keys kept).
    let back: Value = serde_json::to_value(&c).unwrap();
    let orig: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(back, orig);
}

#[test]
fn misspelt_comparion_method_in_a_whole_file() {
    let text = data("pipeline_constraints.json").replace("comparison_method", "comparion_method");
    assert!(text.contains("\"comparion_method\" : \"Robust\""));
    let mut text = text.replace("\"Robust\"", "\"Simple\"");
    text.push(' ');
    let c: Constraints = serde_json::from_str(&text).unwrap();
    assert_eq!(
        c.global_config().comparison_method,
        ComparisonMethod::Simple
    );
    let out = serde_json::to_string(&c).unwrap();
    assert!(out.contains("\"comparison_method\":\"Simple\""));
    assert!(!out.contains("comparion_method"));
}

#[test]
fn feature_level_camel_case_overrides_are_read() {
    let json = r#"{"version":0.0,"features":[{"name":"f","inferred_type":"Integral","completeness":1.0,
        "monitoringConfigOverrides":{"evaluate_constraints":"Disabled",
          "distribution_constraints":{"perform_comparison":"Disabled"}}}]}"#;
    let c: Constraints = serde_json::from_str(json).unwrap();
    let e = c.effective_config(&c.features[0]);
    assert!(!e.evaluate_constraints);
    assert!(!e.perform_comparison);
    assert!(c.monitoring_config.is_none());
}

#[test]
fn sdk_violations_are_read_and_round_trip() {
    let text = data("sdk_constraint_violations.json");
    let v = ConstraintViolations::from_json(&text).unwrap();
    assert_eq!(v.violations.len(), 7);
    // Container output in Jackson layout; the SDK copy adds a final newline the container omits.
    assert_eq!(v.to_json().unwrap(), text.trim_end());
    assert_eq!(v.violations[0].feature_name, "store_and_fwd_flag");
    assert_eq!(
        v.violations[0].constraint_check_type,
        CheckType::CategoricalValuesCheck
    );
    assert_eq!(v.of_type(CheckType::DataTypeCheck).count(), 5);
    assert_eq!(v.of_type(CheckType::CompletenessCheck).count(), 1);
    assert_eq!(
        v.violations[3].description,
        "Value: 0.0 does not meet the constraint requirement! "
    );
    let back: Value = serde_json::to_value(&v).unwrap();
    let orig: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(back, orig);
    assert_eq!(
        key_sequence(&serde_json::to_string(&v).unwrap()),
        key_sequence(&text)
    );
}

#[test]
fn unknown_check_type_is_an_error_not_a_panic() {
    let r = ConstraintViolations::from_json(
        r#"{"violations":[{"feature_name":"a","constraint_check_type":"bogus","description":""}]}"#,
    );
    let msg = r.unwrap_err().to_string();
    assert!(
        msg.starts_with("cannot read constraint_violations.json"),
        "{msg}"
    );
}
