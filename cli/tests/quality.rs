//! `driftline quality baseline|analyze` end to end. Expected values come from the real SDK files
//! (reproduced byte for byte) or are counted independently here from the input files.

mod common;
use common::{json, p, run};
use serde_json::Value;
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

fn mq(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/stats/tests/data/model_quality")
        .join(name)
}

fn metric(summary: &Value, name: &str) -> f64 {
    summary["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == name)
        .unwrap_or_else(|| panic!("no {name}"))["value"]
        .as_f64()
        .unwrap()
}

#[test]
fn regression_baseline_reproduces_the_real_files() {
    let out = tempfile::tempdir().unwrap();
    let o = run(&[
        "quality",
        "baseline",
        p(&mq("baseline_dataset.csv")),
        "--header",
        "-o",
        p(out.path()),
        "--problem-type",
        "regression",
        "--ground-truth-attribute",
        "Label",
        "--inference-attribute",
        "Prediction",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for (mine, real) in [
        ("statistics.json", "regression_statistics.json"),
        ("constraints.json", "regression_constraints.json"),
    ] {
        assert_eq!(
            fs::read_to_string(out.path().join(mine)).unwrap(),
            fs::read_to_string(mq(real)).unwrap(),
            "{mine}"
        );
    }
}

/// The SDK's real capture records and the ground truth whose eventIds match them: the join
/// and the binary metrics, counted here from the two files.
#[test]
fn real_capture_and_ground_truth_join() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base");
    let o = run(&[
        "quality",
        "baseline",
        p(&mq("baseline_dataset.csv")),
        "--header",
        "-o",
        p(&base),
        "--problem-type",
        "binary",
        "--ground-truth-attribute",
        "Label",
        "--probability-attribute",
        "Prediction",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(base.join("calibration.json").exists());
    let out = dir.path().join("out");
    let o = run(&[
        "quality",
        "analyze",
        "--baseline",
        p(&base),
        "--probability-attribute",
        "0",
        "--capture",
        p(&mq("capture.jsonl")),
        "--ground-truth",
        p(&mq("actuals.jsonl")),
        "-o",
        p(&out),
        "--html",
        "--min-labels",
        "10",
    ]);
    let code = o.status.code().unwrap();
    assert!(
        code == 0 || code == 1,
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Independent count: eventId -> score, eventId -> label.
    let scores: HashMap<String, f64> = fs::read_to_string(mq("capture.jsonl"))
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["eventMetadata"]["eventId"].as_str().unwrap().to_string(),
                v["captureData"]["endpointOutput"]["data"]
                    .as_str()
                    .unwrap()
                    .parse()
                    .unwrap(),
            )
        })
        .collect();
    let (mut tp, mut fp, mut tn, mut fn_) = (0u64, 0u64, 0u64, 0u64);
    let mut n = 0;
    for l in fs::read_to_string(mq("actuals.jsonl")).unwrap().lines() {
        let v: Value = serde_json::from_str(l).unwrap();
        let id = v["eventMetadata"]["eventId"].as_str().unwrap();
        let y = v["groundTruthData"]["data"].as_str().unwrap() == "1";
        let yhat = scores[id] >= 0.5;
        n += 1;
        match (y, yhat) {
            (true, true) => tp += 1,
            (false, true) => fp += 1,
            (false, false) => tn += 1,
            (true, false) => fn_ += 1,
        }
    }
    let s = json(&out.join("summary.json"));
    assert_eq!(s["matched"], n, "{s:#}");
    assert_eq!(s["unmatched_labels"], 0);
    assert_eq!(s["predictions_without_label"], 0);
    assert_eq!(s["confusion_matrix"]["1"]["1"], tp);
    assert_eq!(s["confusion_matrix"]["0"]["1"], fp);
    assert_eq!(s["confusion_matrix"]["0"]["0"], tn);
    assert_eq!(s["confusion_matrix"]["1"]["0"], fn_);
    let acc = (tp + tn) as f64 / n as f64;
    assert!((metric(&s, "accuracy") - acc).abs() < 1e-15);
    // Exit code 1 exactly when violations were written.
    let v = json(&out.join("constraint_violations.json"));
    let violated = !v["violations"].as_array().unwrap().is_empty();
    assert_eq!(code == 1, violated || s["degraded"] == true);
    let st = json(&out.join("statistics.json"));
    assert_eq!(st["dataset"]["item_count"], n);
    assert!(
        st["binary_classification_metrics"]["receiver_operating_characteristic_curve"].is_object()
    );
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Confusion matrix") && html.contains("ROC curve"));

    // The estimate from the scores alone: every captured prediction, its calibrated score
    // (the baseline's knots, interpolated and clipped here) the expected value of its label.
    let cal = json(&base.join("calibration.json"));
    let knots: Vec<(f64, f64)> = cal["scores"]
        .as_array()
        .unwrap()
        .iter()
        .zip(cal["probabilities"].as_array().unwrap())
        .map(|(x, y)| (x.as_f64().unwrap(), y.as_f64().unwrap()))
        .collect();
    let calibrated = |s: f64| -> f64 {
        if s <= knots[0].0 {
            return knots[0].1;
        }
        for w in knots.windows(2) {
            if s <= w[1].0 {
                return w[0].1 + (w[1].1 - w[0].1) * (s - w[0].0) / (w[1].0 - w[0].0);
            }
        }
        knots[knots.len() - 1].1
    };
    let expected_correct: f64 = scores
        .values()
        .map(|s| {
            let p = calibrated(*s);
            if *s >= 0.5 {
                p
            } else {
                1.0 - p
            }
        })
        .sum();
    let e = &s["estimated"];
    assert_eq!(e["predictions"], scores.len(), "{s:#}");
    let est = e["accuracy"].as_f64().unwrap();
    assert!((est - expected_correct / scores.len() as f64).abs() < 1e-12);
    assert!(e["assumption"].as_str().unwrap().contains("concept drift"));
    assert!(html.contains("Estimated before the labels"));
}

fn capture_line(id: &str, label: &str, time: &str) -> String {
    serde_json::json!({"captureData": {
        "endpointInput": {"observedContentType": "text/csv", "mode": "INPUT", "data": "1,2", "encoding": "CSV"},
        "endpointOutput": {"observedContentType": "text/csv", "mode": "OUTPUT", "data": label, "encoding": "CSV"}},
        "eventMetadata": {"eventId": format!("e-{id}"), "inferenceId": id, "inferenceTime": time},
        "eventVersion": "0"})
    .to_string()
}

fn gt_line(id: &str, label: &str) -> String {
    serde_json::json!({"groundTruthData": {"data": label, "encoding": "CSV"},
        "eventMetadata": {"eventId": id}, "eventVersion": "0"})
    .to_string()
}

/// Labels before, after and without their prediction; a duplicate; a label that is not a class
/// of the problem; bad lines: counted, never a crash, and the join by inferenceId.
#[test]
fn awkward_labels_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let cap = dir.path().join("cap.jsonl");
    let mut c = String::new();
    for i in 0..60 {
        c.push_str(&capture_line(
            &format!("i{i}"),
            if i % 3 == 0 { "1" } else { "0" },
            "2026-11-25T10:00:00Z",
        ));
        c.push('\n');
    }
    c.push_str("not json\n");
    fs::write(&cap, c).unwrap();
    let gt = dir.path().join("gt.jsonl");
    let mut g = String::new();
    for i in 0..60 {
        // every 10th label never had a prediction id of this form
        let id = if i % 10 == 9 {
            format!("missing{i}")
        } else {
            format!("i{i}")
        };
        g.push_str(&gt_line(&id, if i % 2 == 0 { "1" } else { "0" }));
        g.push('\n');
    }
    g.push_str(&gt_line("i0", "0"));
    g.push('\n');
    g.push_str(&gt_line("i1", "maybe"));
    g.push('\n');
    g.push_str("{\"groundTruthData\":\n");
    fs::write(&gt, g).unwrap();
    let out = dir.path().join("out");
    let o = run(&[
        "quality",
        "analyze",
        "--problem-type",
        "binary",
        "--inference-attribute",
        "0",
        "--capture",
        p(&cap),
        "--ground-truth",
        p(&gt),
        "-o",
        p(&out),
        "--min-labels",
        "10",
    ]);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let s = json(&out.join("summary.json"));
    assert_eq!(s["status"], "no_baseline");
    assert_eq!(s["matched"], 54, "{s:#}");
    assert_eq!(s["unmatched_labels"], 6);
    assert_eq!(s["predictions"], 60);
    assert_eq!(s["predictions_without_label"], 6);
    let counts = &s["faults"]["counts"];
    assert_eq!(counts["duplicate_label"], 2, "{counts}");
    assert_eq!(counts["unmatched_label"], 6);
    assert_eq!(counts["malformed_json"], 1);
}

#[test]
fn bad_arguments_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&[
        "quality",
        "analyze",
        "--capture",
        "x.jsonl",
        "--ground-truth",
        "y.jsonl",
        "-o",
        p(dir.path()),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--problem-type"));
    let o = run(&[
        "quality",
        "baseline",
        p(&mq("baseline_dataset.csv")),
        "--header",
        "-o",
        p(dir.path()),
        "--problem-type",
        "binary",
        "--ground-truth-attribute",
        "Nope",
        "--inference-attribute",
        "Label",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("Nope"));
}
