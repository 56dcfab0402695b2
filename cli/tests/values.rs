//! The textbook data-quality example end to end through the CLI: a house-price model trained on
//! `square_footage` between 100 and 10,000; one request arrives with `square_footage = -5`.
//! Expected: a violation naming the feature, the count, the value and where it was seen.

use serde_json::{json, Value};
use std::fs;
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_driftline");

fn json_file(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

fn capture_line(i: usize, sqft: i64, beds: i64) -> String {
    json!({"captureData": {
        "endpointInput": {"observedContentType": "text/csv", "mode": "INPUT",
            "data": format!("{sqft},{beds}"), "encoding": "CSV"},
        "endpointOutput": {"observedContentType": "text/csv", "mode": "OUTPUT",
            "data": format!("{}", 50_000 + sqft * 120), "encoding": "CSV"}},
        "eventMetadata": {"eventId": format!("req-{i}"), "inferenceTime": "2026-11-25T10:00:00Z"},
        "eventVersion": "0"})
    .to_string()
}

#[test]
fn a_negative_square_footage_is_reported_with_its_record() {
    let dir = tempfile::tempdir().unwrap();
    // Training data: price first (the captured output comes first), then the two inputs.
    let mut train = String::from("price,square_footage,bedrooms\n");
    for i in 0..2000i64 {
        let sqft = 100 + i * 9900 / 1999; // 100 ..= 10000
        train.push_str(&format!("{},{sqft},{}\n", 50_000 + sqft * 120, 1 + i % 5));
    }
    let train_path = dir.path().join("train.csv");
    fs::write(&train_path, train).unwrap();
    let base = dir.path().join("baseline");
    let o = Command::new(BIN)
        .args(["baseline", "--header"])
        .arg(&train_path)
        .arg("-o")
        .arg(&base)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Model Monitor's constraints.json keeps its own schema; the ranges are in driftline's file.
    let constraints = fs::read_to_string(base.join("constraints.json")).unwrap();
    assert!(!constraints.contains("range"), "{constraints}");
    let values = json_file(&base.join("driftline-constraints.json"));
    assert_eq!(values["features"]["square_footage"]["min"], 100.0);
    assert_eq!(values["features"]["square_footage"]["max"], 10000.0);

    // 500 requests, the 18th with -5.
    let mut cap = String::new();
    for i in 0..500 {
        let sqft = if i == 17 {
            -5
        } else {
            100 + i as i64 * 9900 / 499
        };
        cap.push_str(&capture_line(i, sqft, 1 + i as i64 % 5));
        cap.push('\n');
    }
    let cap_path = dir.path().join("capture.jsonl");
    fs::write(&cap_path, cap).unwrap();
    let out = dir.path().join("out");
    let o = Command::new(BIN)
        .args(["analyze", "--quiet", "--baseline"])
        .arg(&base)
        .arg("-o")
        .arg(&out)
        .arg(&cap_path)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "violations exit 1: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = json_file(&out.join("constraint_violations.json"));
    let ours: Vec<&Value> = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["feature_name"] == "square_footage")
        .filter(|x| x["constraint_check_type"] != "baseline_drift_check")
        .collect();
    assert_eq!(ours.len(), 1, "{v:#}");
    assert_eq!(ours[0]["constraint_check_type"], "non_negative_check");
    let d = ours[0]["description"].as_str().unwrap();
    assert!(
        d.starts_with("square_footage = -5 in 1 of 500 records: negative"),
        "{d}"
    );
    assert!(d.contains("training range 100 to 10000"), "{d}");
    assert!(
        d.ends_with(&format!("{} line 18 (eventId req-17)", cap_path.display())),
        "{d}"
    );
    // The summary carries the figures for the e-mail and the report.
    let s = json_file(&out.join("summary.json"));
    let f = s["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "square_footage")
        .unwrap();
    assert_eq!(f["values"]["negative"], 1);
    assert_eq!(f["values"]["lowest"]["value"], -5.0);
    assert_eq!(f["values"]["lowest"]["at"]["line"], 18);
    assert!(s["violation_count"].as_u64().unwrap() >= 1);
    // bedrooms and price stayed inside their ranges: no value violation for them.
    assert!(!v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["feature_name"] != "square_footage"
            && x["constraint_check_type"]
                .as_str()
                .unwrap()
                .starts_with("value_")));

    // Tuning by editing driftline's file: switch the feature off.
    let mut edited = values.clone();
    edited["features"]["square_footage"]["enabled"] = json!(false);
    // is_non_negative comes from constraints.json: turning the range off keeps that check.
    fs::write(
        base.join("driftline-constraints.json"),
        serde_json::to_string_pretty(&edited).unwrap(),
    )
    .unwrap();
    let out2 = dir.path().join("out2");
    let o = Command::new(BIN)
        .args(["analyze", "--quiet", "--baseline"])
        .arg(&base)
        .arg("-o")
        .arg(&out2)
        .arg(&cap_path)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let v2 = json_file(&out2.join("constraint_violations.json"));
    assert!(v2["violations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["constraint_check_type"] == "non_negative_check"));
    // A broken file is an error that names it, not a silent default.
    fs::write(
        base.join("driftline-constraints.json"),
        "{\"version\": 1, \"range_tolerance\": -2}",
    )
    .unwrap();
    let o = Command::new(BIN)
        .args(["analyze", "--quiet", "--baseline"])
        .arg(&base)
        .arg("-o")
        .arg(dir.path().join("out3"))
        .arg(&cap_path)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("driftline-constraints.json"));
}

/// The usual baseline, the training features alone (no price column), against captures that
/// carry the endpoint's output: with both sides analysed every record is a column-count fault
/// whose reason names the fix; with `--capture-index endpointInput` nothing is malformed and
/// the −5 is still found.
#[test]
fn input_only_analysis_against_a_features_only_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let mut train = String::from("square_footage,bedrooms\n");
    for i in 0..2000i64 {
        train.push_str(&format!("{},{}\n", 100 + i * 9900 / 1999, 1 + i % 5));
    }
    let train_path = dir.path().join("train.csv");
    fs::write(&train_path, train).unwrap();
    let base = dir.path().join("baseline");
    let o = Command::new(BIN)
        .args(["baseline", "--header"])
        .arg(&train_path)
        .arg("-o")
        .arg(&base)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut cap = String::new();
    for i in 0..500 {
        let sqft = if i == 3 { -5 } else { 100 + i as i64 * 19 };
        cap.push_str(&capture_line(i, sqft, 1 + i as i64 % 5));
        cap.push('\n');
    }
    let cap_path = dir.path().join("capture.jsonl");
    fs::write(&cap_path, cap).unwrap();
    let run = |out: &str, extra: &[&str]| {
        let out = dir.path().join(out);
        let o = Command::new(BIN)
            .args(["analyze", "--quiet", "--baseline"])
            .arg(&base)
            .args(extra)
            .arg("-o")
            .arg(&out)
            .arg(&cap_path)
            .output()
            .unwrap();
        assert_ne!(
            o.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        (
            json_file(&out.join("summary.json")),
            json_file(&out.join("constraint_violations.json")),
        )
    };

    let (s, _) = run("both", &[]);
    assert_eq!(s["malformed_records"], 500, "{s:#}");
    let text = s.to_string();
    assert!(text.contains("--capture-index endpointInput"), "{s:#}");

    let (s, v) = run("input", &["--capture-index", "endpointInput"]);
    assert_eq!(s["malformed_records"], 0, "{s:#}");
    assert_eq!(s["records"], 500, "{s:#}");
    assert!(v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["feature_name"] == "square_footage"
            && x["constraint_check_type"] == "non_negative_check"));

    // A bad value is refused with the accepted names.
    let o = Command::new(BIN)
        .args([
            "analyze",
            "--quiet",
            "--capture-index",
            "inputs",
            "--baseline",
        ])
        .arg(&base)
        .arg("-o")
        .arg(dir.path().join("x"))
        .arg(&cap_path)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("endpointInput"));
}
