//! End-to-end tests of the `driftline` binary. Expected values come from independent sources:
//! SageMaker Model Monitor's own `statistics.json` files (copies in `tests/data`, see
//! `tests/data/SOURCES.md`), the CSV route for the JSON Lines / Parquet routes, and data
//! generated here with known drift.

mod common;
use common::{data, json, p, run};

use std::fs;
use std::path::Path;
use std::process::Output;

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn first_diff(got: &str, want: &str) -> String {
    let pos = got
        .bytes()
        .zip(want.bytes())
        .position(|(a, b)| a != b)
        .unwrap_or(got.len().min(want.len()));
    let lo = pos.saturating_sub(150);
    format!(
        "first difference at byte {pos} (lengths {} vs {}):\n--- got ---\n{}\n--- want ---\n{}",
        got.len(),
        want.len(),
        &got[lo..(pos + 150).min(got.len())],
        &want[lo..(pos + 150).min(want.len())]
    )
}

fn baseline_of(input: &Path, extra: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["baseline", p(input), "-o", p(dir.path())];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert_eq!(code(&o), 0, "baseline failed: {}", stderr(&o));
    dir
}

#[test]
fn help_mentions_every_subcommand_and_exit_codes() {
    let o = run(&["--help"]);
    assert_eq!(code(&o), 0);
    let text = String::from_utf8_lossy(&o.stdout);
    for word in ["baseline", "analyze", "report", "Exit codes", "Examples"] {
        assert!(text.contains(word), "--help lacks {word}:\n{text}");
    }
    let o = run(&["analyze", "--help"]);
    let text = String::from_utf8_lossy(&o.stdout);
    for word in [
        "--baseline",
        "--html",
        "--min-records",
        "0  no drift",
        "2  error",
    ] {
        assert!(text.contains(word), "analyze --help lacks {word}:\n{text}");
    }
    let o = run(&["baseline", "--help"]);
    let text = String::from_utf8_lossy(&o.stdout);
    for word in ["--header", "--format", "Parquet", "_c0"] {
        assert!(text.contains(word), "baseline --help lacks {word}:\n{text}");
    }
}

#[test]
fn bad_arguments_exit_2() {
    assert_eq!(code(&run(&["analyze"])), 2);
    assert_eq!(code(&run(&["frobnicate"])), 2);
}

#[test]
fn sdk_pipeline_baseline_is_byte_identical() {
    let out = baseline_of(&data("baseline_dataset.csv"), &[]);
    let got = fs::read_to_string(out.path().join("statistics.json")).unwrap();
    let want = fs::read_to_string(data("statistics.json")).unwrap();
    assert!(got == want, "{}", first_diff(&got, &want));
    let c = json(&out.path().join("constraints.json"));
    assert_eq!(c["features"].as_array().unwrap().len(), 6);
}

#[test]
fn churn_with_header_matches_real_service_output() {
    let out = baseline_of(
        &data("churn/training-dataset-with-header.csv"),
        &["--header"],
    );
    let mut got = json(&out.path().join("statistics.json"));
    let features = got["features"].as_array_mut().unwrap();
    assert_eq!(features.len(), 70);
    assert_eq!(features[1]["name"], "Account Length");
    features.truncate(29);
    // The real file holds the first 29 features of the service's output.
    let want = json(&data("churn/statistics.partial-first-29-features.json"));
    assert_eq!(got, want);
}

/// The SDK fixture CSV as JSON Lines: each row a JSON array of the CSV's number literals
/// (positional columns `_c0`…, typed cells).
#[test]
fn jsonl_baseline_equals_csv_route() {
    let csv = fs::read_to_string(data("baseline_dataset.csv")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("train.jsonl");
    let lines: Vec<String> = csv.lines().map(|l| format!("[{l}]")).collect();
    fs::write(&jsonl, lines.join("\n") + "\n").unwrap();
    let out = baseline_of(&jsonl, &[]);
    let got = fs::read_to_string(out.path().join("statistics.json")).unwrap();
    let want = fs::read_to_string(data("statistics.json")).unwrap();
    assert!(got == want, "{}", first_diff(&got, &want));

    // Objects: dotted names in document order, gzip accepted.
    let gz = dir.path().join("objects.jsonl.gz");
    let mut text = String::new();
    for l in csv.lines() {
        let v: Vec<&str> = l.split(',').collect();
        text.push_str(&format!(
            "{{\"label\": {}, \"x\": {{\"a\": {}, \"b\": [{}, {}]}}}}\n",
            v[0], v[1], v[2], v[3]
        ));
    }
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut enc, text.as_bytes()).unwrap();
    fs::write(&gz, enc.finish().unwrap()).unwrap();
    let out = baseline_of(&gz, &[]);
    let got = json(&out.path().join("statistics.json"));
    let want = json(&data("statistics.json"));
    let names: Vec<&str> = got["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["label", "x.a", "x.b.0", "x.b.1"]);
    for i in 0..4 {
        assert_eq!(
            got["features"][i]["numerical_statistics"],
            want["features"][i]["numerical_statistics"]
        );
    }
}

/// Writes the SDK fixture as Parquet (DOUBLE columns `_c0`…`_c5`, two row groups) with the
/// `parquet` crate's writer; its statistics must equal the real ones.
#[test]
fn parquet_baseline_equals_csv_route() {
    let csv = fs::read_to_string(data("baseline_dataset.csv")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("train.parquet");
    common::write_fixture_parquet(&csv, &path, 60);

    let out = baseline_of(&path, &[]);
    let got = fs::read_to_string(out.path().join("statistics.json")).unwrap();
    let want = fs::read_to_string(data("statistics.json")).unwrap();
    assert!(got == want, "{}", first_diff(&got, &want));
}

#[test]
fn unknown_extension_and_bad_csv_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("train.data");
    fs::write(&f, "1,2\n").unwrap();
    let o = run(&["baseline", p(&f), "-o", p(dir.path())]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("train.data"), "{}", stderr(&o));
    assert!(stderr(&o).contains("--format"), "{}", stderr(&o));

    let bad = dir.path().join("bad.jsonl");
    fs::write(&bad, "{\"a\": 1}\n{\"a\": 2\n").unwrap();
    let o = run(&["baseline", p(&bad), "-o", p(dir.path())]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("bad.jsonl: line 2"), "{}", stderr(&o));
}

/// A deterministic generator (xorshift64* + Box-Muller), independent of the crates under test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.next().max(1e-300), self.next());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
    fn category(&mut self) -> &'static str {
        ["red", "green", "blue"][(self.next() * 3.0) as usize]
    }
}

/// Baseline CSV: score (output), x ~ N(0, 1), colour in {red, green, blue}.
fn write_training(path: &Path, n: usize, seed: u64) {
    let mut r = Rng(seed);
    let mut text = String::new();
    for _ in 0..n {
        let (s, x, c) = (r.next(), r.normal(), r.category());
        text.push_str(&format!("{s:.4},{x:.4},{c}\n"));
    }
    fs::write(path, text).unwrap();
}

/// Capture lines (CSV encoding); `shift` moves x's mean.
fn write_capture(path: &Path, n: usize, seed: u64, shift: f64) {
    let mut r = Rng(seed);
    let mut text = String::new();
    for i in 0..n {
        let (s, x, c) = (r.next(), r.normal() + shift, r.category());
        text.push_str(&format!(
            "{{\"captureData\":{{\"endpointInput\":{{\"observedContentType\":\"text/csv\",\"mode\":\"INPUT\",\"data\":\"{x:.4},{c}\",\"encoding\":\"CSV\"}},\"endpointOutput\":{{\"observedContentType\":\"text/csv; charset=utf-8\",\"mode\":\"OUTPUT\",\"data\":\"{s:.4}\",\"encoding\":\"CSV\"}}}},\"eventMetadata\":{{\"eventId\":\"e{i}\",\"inferenceTime\":\"2026-11-25T10:00:{:02}Z\"}},\"eventVersion\":\"0\"}}\n",
            i % 60
        ));
    }
    fs::write(path, text).unwrap();
}

#[test]
fn analyze_exit_codes_clean_drift_and_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let train = dir.path().join("train.csv");
    write_training(&train, 4000, 1);
    let base = baseline_of(&train, &[]);
    let clean = dir.path().join("clean.jsonl");
    write_capture(&clean, 2000, 2, 0.0);
    let drifted = dir.path().join("drifted.jsonl");
    write_capture(&drifted, 2000, 3, 1.0);
    let out = dir.path().join("out");

    let o = run(&[
        "analyze",
        "--baseline",
        p(base.path()),
        "-o",
        p(&out),
        p(&clean),
    ]);
    assert_eq!(code(&o), 0, "clean data: {}", stderr(&o));
    let s = json(&out.join("summary.json"));
    assert_eq!(s["records"], 2000);
    assert_eq!(s["drift_detected"], false);
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(table.contains("_c1") && table.contains("OK"), "{table}");

    let o = run(&[
        "analyze",
        "--baseline",
        p(base.path()),
        "-o",
        p(&out),
        "--html",
        p(&drifted),
    ]);
    assert_eq!(code(&o), 1, "drifted data: {}", stderr(&o));
    let s = json(&out.join("summary.json"));
    assert_eq!(s["drift_detected"], true);
    let x = s["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "_c1")
        .unwrap();
    assert_eq!(x["drifted"], true);
    assert!(x["drift"]["ks"]["value"].as_f64().unwrap() > 0.2);
    let v = json(&out.join("constraint_violations.json"));
    assert!(v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["feature_name"] == "_c1"));
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("_c1"));
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(table.contains("YES") && table.contains("DRIFT"), "{table}");

    // The why lines name the test that fired; --drift-policy changes the decision and a bad
    // setting is an error naming it.
    let why = x["reasons"][0].as_str().unwrap();
    assert!(
        why.contains("test fired") && why.contains("BH-adjusted"),
        "{why}"
    );
    let strict = dir.path().join("strict");
    let o = run(&[
        "analyze",
        "--baseline",
        p(base.path()),
        "-o",
        p(&strict),
        "--drift-policy",
        "min_wasserstein=100,min_psi=100,min_ks=100,min_variance_ratio=100",
        p(&drifted),
    ]);
    let s2 = json(&strict.join("summary.json"));
    let x2 = s2["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "_c1")
        .unwrap();
    assert_eq!(x2["drifted"], false, "{}", stderr(&o));
    let o = run(&[
        "analyze",
        "--baseline",
        p(base.path()),
        "-o",
        p(&strict),
        "--drift-policy",
        "alpha=7",
        p(&drifted),
    ]);
    assert_ne!(code(&o), 0);
    assert!(
        stderr(&o).contains("--drift-policy") && stderr(&o).contains("alpha"),
        "{}",
        stderr(&o)
    );

    // Re-rendering the report from the written files.
    let html2 = dir.path().join("again.html");
    let o = run(&[
        "report",
        "--baseline",
        p(base.path()),
        "--analysis",
        p(&out),
        "-o",
        p(&html2),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(fs::read_to_string(&html2).unwrap(), html);

    // Split into parts: the same verdicts as the whole file.
    let text = fs::read_to_string(&drifted).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let (a, b) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
    fs::write(&a, lines[..700].join("\n") + "\n").unwrap();
    fs::write(&b, lines[700..].join("\n") + "\n").unwrap();
    let out2 = dir.path().join("out2");
    let o = run(&[
        "analyze",
        "--baseline",
        p(base.path()),
        "-o",
        p(&out2),
        p(&a),
        p(&b),
    ]);
    assert_eq!(code(&o), 1);
    let s2 = json(&out2.join("summary.json"));
    assert_eq!(s2["records"], 2000);
    let verdicts = |s: &serde_json::Value| -> Vec<(String, bool)> {
        s["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["name"].as_str().unwrap().to_string(),
                    f["drifted"].as_bool().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(verdicts(&s), verdicts(&s2));

    // A missing capture file: exit 2, the file named.
    let missing = dir.path().join("no-such-capture.jsonl");
    let o = run(&[
        "analyze",
        "--baseline",
        p(base.path()),
        "-o",
        p(&out),
        p(&missing),
    ]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("no-such-capture.jsonl"),
        "{}",
        stderr(&o)
    );
    // A missing baseline: exit 2, the file named.
    let o = run(&[
        "analyze",
        "--baseline",
        p(&dir.path().join("nobase")),
        "-o",
        p(&out),
        p(&clean),
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("statistics.json"), "{}", stderr(&o));
}

#[test]
fn analyze_counts_malformed_lines_as_a_violation() {
    let dir = tempfile::tempdir().unwrap();
    let train = dir.path().join("train.csv");
    write_training(&train, 2000, 5);
    let base = baseline_of(&train, &[]);
    let cap = dir.path().join("cap.jsonl");
    write_capture(&cap, 500, 6, 0.0);
    let mut text = fs::read_to_string(&cap).unwrap();
    text.push_str("{not json\n");
    fs::write(&cap, text).unwrap();
    let out = dir.path().join("out");
    let o = run(&[
        "analyze",
        "--baseline",
        p(base.path()),
        "-o",
        p(&out),
        p(&cap),
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let s = json(&out.join("summary.json"));
    assert_eq!(s["records"], 500);
    assert_eq!(s["malformed_records"], 1);
    let ex = &s["faults"]["examples"][0];
    assert_eq!(ex["line"], 501);
    assert!(ex["source"].as_str().unwrap().ends_with("cap.jsonl"));
}

/// The churn capture sample from the Model Monitor notebook (CSV, 69 inputs + 1 output) against
/// the churn training set baselined with `--header`: capture columns take the baseline's names.
#[test]
fn analyze_real_churn_capture_sample() {
    let base = baseline_of(
        &data("churn/training-dataset-with-header.csv"),
        &["--header"],
    );
    let cap = data("capture/churn-csv.jsonl");
    let out = tempfile::tempdir().unwrap();
    let o = run(&[
        "analyze",
        "--baseline",
        p(base.path()),
        "-o",
        p(out.path()),
        "--min-records",
        "1",
        p(&cap),
    ]);
    assert!([0, 1].contains(&code(&o)), "{}", stderr(&o));
    let s = json(&out.path().join("summary.json"));
    assert_eq!(s["records"], 3);
    assert_eq!(s["malformed_records"], 0);
    let st = json(&out.path().join("statistics.json"));
    assert_eq!(st["features"].as_array().unwrap().len(), 70);
    assert_eq!(st["features"][0]["name"], "Churn");
    assert_eq!(st["features"][1]["name"], "Account Length");
    // Independently: the captured Account Length values (first input column) and scores.
    let (mut acc, mut score) = (Vec::new(), Vec::new());
    for line in fs::read_to_string(&cap).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let cd = &v["captureData"];
        let inp = cd["endpointInput"]["data"].as_str().unwrap();
        acc.push(inp.split(',').next().unwrap().parse::<f64>().unwrap());
        score.push(
            cd["endpointOutput"]["data"]
                .as_str()
                .unwrap()
                .parse::<f64>()
                .unwrap(),
        );
    }
    let num = |i: usize, k: &str| {
        st["features"][i]["numerical_statistics"][k]
            .as_f64()
            .unwrap()
    };
    assert_eq!(
        num(1, "min"),
        acc.iter().cloned().fold(f64::INFINITY, f64::min)
    );
    assert_eq!(
        num(1, "max"),
        acc.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
    );
    assert_eq!(num(1, "sum"), acc.iter().sum::<f64>());
    assert_eq!(num(0, "sum"), score.iter().sum::<f64>());
}

/// The JSON and JSON Lines endpoint samples and the batch-transform sample of the fairness
/// notebooks, against a baseline built (JSON Lines route) from the batch-transform sample's own
/// records: every capture column is a baseline feature, nothing is malformed.
#[test]
fn analyze_real_json_capture_samples() {
    let dir = tempfile::tempdir().unwrap();
    let bt = data("capture/batch-transform.jsonl");
    let mut train = String::new();
    for line in fs::read_to_string(&bt).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        train.push_str(&format!(
            "{{\"predicted_label\": {}, \"score\": {}, \"features\": {}}}\n",
            v["SageMakerOutput"]["predicted_label"], v["SageMakerOutput"]["score"], v["features"]
        ));
    }
    let train_path = dir.path().join("train.jsonl");
    fs::write(&train_path, train).unwrap();
    let base = baseline_of(&train_path, &[]);
    let base_names: Vec<String> = json(&base.path().join("statistics.json"))["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(base_names.len(), 16);

    for (sample, lines) in [
        ("capture/json-endpoint.jsonl", 2),
        ("capture/jsonlines-endpoint.jsonl", 2),
        ("capture/batch-transform.jsonl", 5),
    ] {
        let out = dir.path().join("out");
        let o = run(&[
            "analyze",
            "--baseline",
            p(base.path()),
            "-o",
            p(&out),
            "--min-records",
            "1",
            p(&data(sample)),
        ]);
        assert!([0, 1].contains(&code(&o)), "{sample}: {}", stderr(&o));
        let s = json(&out.join("summary.json"));
        assert_eq!(s["malformed_records"], 0, "{sample}");
        assert!(s["records"].as_u64().unwrap() >= lines, "{sample}");
        let st = json(&out.join("statistics.json"));
        for f in st["features"].as_array().unwrap() {
            let name = f["name"].as_str().unwrap();
            assert!(base_names.iter().any(|b| b == name), "{sample}: {name}");
        }
        assert_eq!(st["features"].as_array().unwrap().len(), 16, "{sample}");
    }
}

/// A file split across threads gives the same records, verdicts, fault counts and (file-relative)
/// fault line numbers as one thread.
#[test]
fn threads_split_gives_same_results() {
    let dir = tempfile::tempdir().unwrap();
    let train = dir.path().join("train.csv");
    write_training(&train, 3000, 11);
    let base = baseline_of(&train, &[]);
    let cap = dir.path().join("cap.jsonl");
    write_capture(&cap, 3000, 12, 0.6);
    let text = fs::read_to_string(&cap).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(2500, "{broken");
    lines.insert(10, "{\"captureData\": 1}");
    fs::write(&cap, lines.join("\n") + "\n").unwrap();
    let summary = |threads: &str, out: &str| {
        let out = dir.path().join(out);
        let o = run(&[
            "analyze",
            "--baseline",
            p(base.path()),
            "-o",
            p(&out),
            "--threads",
            threads,
            "--split-bytes",
            "1",
            p(&cap),
        ]);
        assert_eq!(code(&o), 1, "{}", stderr(&o));
        json(&out.join("summary.json"))
    };
    let one = summary("1", "one");
    let four = summary("4", "four");
    assert_eq!(one["records"], 3000);
    assert_eq!(four["records"], 3000);
    assert_eq!(one["malformed_records"], 2);
    assert_eq!(four["malformed_records"], 2);
    assert_eq!(one["faults"], four["faults"]);
    let lines_of = |s: &serde_json::Value| -> Vec<u64> {
        s["faults"]["examples"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["line"].as_u64().unwrap())
            .collect()
    };
    let mut got = lines_of(&four);
    got.sort_unstable();
    assert_eq!(got, [11, 2502]);
    for (a, b) in one["features"]
        .as_array()
        .unwrap()
        .iter()
        .zip(four["features"].as_array().unwrap())
    {
        assert_eq!(a["name"], b["name"]);
        assert_eq!(a["drifted"], b["drifted"], "{}", a["name"]);
        assert_eq!(a["completeness"], b["completeness"]);
    }
    assert_eq!(one["drift_detected"], four["drift_detected"]);
    assert_eq!(one["sources"], four["sources"]);
}
