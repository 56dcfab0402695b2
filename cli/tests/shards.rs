//! A training set profiled in shards and merged (`driftline profile`, `driftline baseline
//! --from-profiles`) against independent figures: SageMaker Model Monitor's own statistics of
//! the same data (`tests/data`, see its SOURCES.md) and exact counts computed here from the CSV.
//!
//! What must hold (the bound `driftline_stats::shard` states): counts, completeness, min, max,
//! inferred types and string distributions exactly; sum, mean and standard deviation up to
//! rounding (relative 1e-12 at this size); every KLL bucket count within twice the merged sketch's rank
//! error bound of the exact count.

mod common;
use common::{data, json, p, run};
use driftline_dataset::testing::{columns, compare, tiling};

use std::fs;
use std::path::{Path, PathBuf};

fn ok(args: &[&str]) {
    let o = run(args);
    assert!(
        o.status.success(),
        "driftline {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn fails(args: &[&str]) -> String {
    let o = run(args);
    assert_eq!(o.status.code(), Some(2), "driftline {args:?} should fail");
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Profiles `file` in the given byte ranges; returns the shard profile files in order.
fn profile_ranges(file: &Path, ranges: &[[u64; 2]], extra: &[&str], dir: &Path) -> Vec<PathBuf> {
    ranges
        .iter()
        .enumerate()
        .map(|(i, [a, b])| {
            let out = dir.join(format!("part-{i:03}.json"));
            let range = format!("{a}..{b}");
            let mut args = vec!["profile", p(file), "--byte-range", &range, "-o", p(&out)];
            args.extend_from_slice(extra);
            ok(&args);
            out
        })
        .collect()
}

fn baseline_from(parts: &[PathBuf], dir: &Path) -> serde_json::Value {
    let out = dir.join("baseline");
    let mut args = vec!["baseline", "-o", p(&out), "--from-profiles"];
    args.extend(parts.iter().map(|x| p(x)));
    ok(&args);
    json(&out.join("statistics.json"))
}

#[test]
fn churn_in_byte_ranges_matches_the_real_service() {
    let file = data("churn/training-dataset-with-header.csv");
    let text = fs::read_to_string(&file).unwrap();
    let size = text.len() as u64;
    let want = json(&data("churn/statistics.partial-first-29-features.json"));
    let exact = columns(&text, true);
    for (n, seed) in [(1, 1), (2, 7), (7, 99), (23, 2026)] {
        let dir = tempfile::tempdir().unwrap();
        let ranges = tiling(size, n, seed);
        let parts = profile_ranges(&file, &ranges, &["--header"], dir.path());
        let got = baseline_from(&parts, dir.path());
        assert_eq!(got["features"].as_array().unwrap().len(), 70, "{n} shards");
        let diffs = compare(&got, &want, &exact);
        assert!(
            diffs.is_empty(),
            "{n} shards {ranges:?}:\n{}",
            diffs.join("\n")
        );
    }
}

#[test]
fn a_merge_tree_gives_the_flat_merge() {
    let file = data("churn/training-dataset-with-header.csv");
    let text = fs::read_to_string(&file).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ranges = tiling(text.len() as u64, 12, 5);
    let parts = profile_ranges(&file, &ranges, &["--header"], dir.path());
    // Level 1: batches of 4 consecutive shards; level 2: the baseline from the 3 batches.
    let level1: Vec<PathBuf> = parts
        .chunks(4)
        .enumerate()
        .map(|(i, batch)| {
            let out = dir.path().join(format!("level1-{i}.json"));
            let mut args = vec!["profile", "-o", p(&out), "--from-profiles"];
            args.extend(batch.iter().map(|x| p(x)));
            ok(&args);
            out
        })
        .collect();
    let merged = json(&level1[1]);
    assert_eq!(merged["sources"].as_array().unwrap().len(), 4);
    let tree = baseline_from(&level1, &dir.path().join("tree"));
    let want = json(&data("churn/statistics.partial-first-29-features.json"));
    let diffs = compare(&tree, &want, &columns(&text, true));
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
    // The same shards merged flat: exact figures equal the tree's.
    let flat = baseline_from(&parts, &dir.path().join("flat"));
    for (a, b) in tree["features"]
        .as_array()
        .unwrap()
        .iter()
        .zip(flat["features"].as_array().unwrap())
    {
        assert_eq!(a["inferred_type"], b["inferred_type"]);
        if let (Some(x), Some(y)) = (a.get("numerical_statistics"), b.get("numerical_statistics")) {
            assert_eq!(
                (&x["common"], &x["min"], &x["max"]),
                (&y["common"], &y["min"], &y["max"])
            );
        }
    }
}

#[test]
fn json_lines_in_byte_ranges_match_the_real_service() {
    let csv = fs::read_to_string(data("baseline_dataset.csv")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("train.jsonl");
    let text: String = csv.lines().map(|l| format!("[{l}]\n")).collect();
    fs::write(&jsonl, &text).unwrap();
    let parts = profile_ranges(&jsonl, &tiling(text.len() as u64, 6, 3), &[], dir.path());
    let got = baseline_from(&parts, dir.path());
    let diffs = compare(&got, &json(&data("statistics.json")), &columns(&csv, false));
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

/// The SDK fixture as Parquet in row groups of 25 rows, profiled group by group.
#[test]
fn parquet_row_groups_match_the_real_service() {
    let csv = fs::read_to_string(data("baseline_dataset.csv")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("train.parquet");
    let groups = common::write_fixture_parquet(&csv, &path, 25);
    assert!(groups >= 3, "{groups} row groups");

    let rest: Vec<String> = (2..groups).map(|g| g.to_string()).collect();
    let mut parts = Vec::new();
    for (i, g) in ["0", "1", &rest.join(",")].iter().enumerate() {
        let out = dir.path().join(format!("rg-{i}.json"));
        ok(&["profile", p(&path), "--row-groups", g, "-o", p(&out)]);
        parts.push(out);
    }
    let got = baseline_from(&parts, dir.path());
    let diffs = compare(&got, &json(&data("statistics.json")), &columns(&csv, false));
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));

    let err = fails(&[
        "profile",
        p(&path),
        "--row-groups",
        "99",
        "-o",
        p(&dir.path().join("x.json")),
    ]);
    assert!(err.contains("no row group 99"), "{err}");
    let err = fails(&[
        "profile",
        p(&path),
        "--byte-range",
        "0..10",
        "-o",
        p(&dir.path().join("x.json")),
    ]);
    assert!(err.contains("--row-groups"), "{err}");
}

#[test]
fn bad_shards_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("t.csv");
    fs::write(&csv, "1,2\n3,4\n").unwrap();
    let out = |n: &str| dir.path().join(n);

    // A gzip file cannot be split by byte range.
    let gz = dir.path().join("t.csv.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut enc, b"1,2\n").unwrap();
    fs::write(&gz, enc.finish().unwrap()).unwrap();
    let err = fails(&[
        "profile",
        p(&gz),
        "--byte-range",
        "0..2",
        "-o",
        p(&out("g.json")),
    ]);
    assert!(err.contains("gzip"), "{err}");

    // Row groups of a CSV, a reversed range.
    let err = fails(&[
        "profile",
        p(&csv),
        "--row-groups",
        "0",
        "-o",
        p(&out("r.json")),
    ]);
    assert!(err.contains("Parquet"), "{err}");
    let err = fails(&[
        "profile",
        p(&csv),
        "--byte-range",
        "5..2",
        "-o",
        p(&out("r.json")),
    ]);
    assert!(err.contains("before"), "{err}");

    // The same shard twice would count its records twice.
    ok(&[
        "profile",
        p(&csv),
        "--byte-range",
        "0..4",
        "-o",
        p(&out("a.json")),
    ]);
    let a = out("a.json");
    let err = fails(&[
        "baseline",
        "-o",
        p(&out("b")),
        "--from-profiles",
        p(&a),
        p(&a),
    ]);
    assert!(err.contains("count twice"), "{err}");

    // Not a shard profile.
    fs::write(out("stats.json"), "{\"version\": 0.0}").unwrap();
    let err = fails(&[
        "baseline",
        "-o",
        p(&out("b")),
        "--from-profiles",
        p(&out("stats.json")),
    ]);
    assert!(err.contains("stats.json"), "{err}");
    assert!(err.contains("not a driftline shard profile"), "{err}");

    // An empty range profiles nothing; a baseline of nothing is refused.
    ok(&[
        "profile",
        p(&csv),
        "--byte-range",
        "8..8",
        "-o",
        p(&out("e.json")),
    ]);
    let err = fails(&[
        "baseline",
        "-o",
        p(&out("b")),
        "--from-profiles",
        p(&out("e.json")),
    ]);
    assert!(err.contains("no records"), "{err}");
}

/// `dir/name` read as JSON.
fn quality_file(dir: &Path, name: &str) -> serde_json::Value {
    json(&dir.join(name))
}

/// The SDK example's labelled dataset (100 rows of features, a label and a probability), each
/// row repeated with another row id: 3,000 distinct rows.
fn labelled_csv(dir: &Path) -> PathBuf {
    let text = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/stats/tests/data/model_quality/baseline_dataset.csv"),
    )
    .unwrap();
    let mut lines = text.lines();
    let mut out = format!("id,{}\n", lines.next().unwrap());
    let rows: Vec<&str> = lines.collect();
    for copy in 0..30 {
        for (i, r) in rows.iter().enumerate() {
            out.push_str(&format!("{},{r}\n", copy * 1000 + i));
        }
    }
    let path = dir.join("validation.csv");
    fs::write(&path, out).unwrap();
    path
}

#[test]
fn labelled_shards_give_the_one_pass_model_quality_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let file = labelled_csv(dir.path());
    let labels = [
        "--header",
        "--problem-type",
        "binary",
        "--ground-truth-attribute",
        "Label",
        "--probability-attribute",
        "Prediction",
    ];
    let whole = dir.path().join("whole");
    let mut args = vec!["quality", "baseline", p(&file), "-o", p(&whole)];
    args.extend_from_slice(&labels);
    ok(&args);

    let size = fs::metadata(&file).unwrap().len();
    let ranges = tiling(size, 9, 5);
    let mut parts = Vec::new();
    for (i, [a, b]) in ranges.iter().enumerate() {
        let out = dir.path().join(format!("q-{i}.json"));
        let range = format!("{a}..{b}");
        let mut args = vec![
            "quality",
            "profile",
            p(&file),
            "--byte-range",
            &range,
            "-o",
            p(&out),
        ];
        args.extend_from_slice(&labels);
        ok(&args);
        parts.push(out);
    }
    // A level of a merge tree with the ordinary merge, then the rest.
    let level = dir.path().join("level-1.json");
    let mut args = vec!["profile", "-o", p(&level), "--from-profiles"];
    args.extend(parts[..4].iter().map(|x| p(x)));
    ok(&args);
    let merged = dir.path().join("merged");
    let mut args = vec![
        "quality",
        "baseline",
        "-o",
        p(&merged),
        "--from-profiles",
        p(&level),
    ];
    args.extend(parts[4..].iter().map(|x| p(x)));
    ok(&args);

    let (w, m) = (
        quality_file(&whole, "statistics.json"),
        quality_file(&merged, "statistics.json"),
    );
    assert_eq!(w["dataset"]["item_count"], 3000);
    assert_eq!(m["dataset"]["item_count"], 3000);
    let (wm, mm) = (
        &w["binary_classification_metrics"],
        &m["binary_classification_metrics"],
    );
    assert_eq!(wm["confusion_matrix"], mm["confusion_matrix"]);
    for (name, v) in wm.as_object().unwrap() {
        let Some(x) = v["value"].as_f64() else {
            continue;
        };
        let y = mm[name]["value"].as_f64().unwrap();
        // Counts-based metrics exactly; AUC from the score sketches (3,000 scores fit in
        // k = 2048 sketches per class only partly) within 0.01.
        let tol = if name == "auc" { 0.01 } else { 0.0 };
        assert!((x - y).abs() <= tol, "{name}: {x} vs {y}");
        if name != "auc" {
            assert_eq!(
                v["standard_deviation"], mm[name]["standard_deviation"],
                "{name}"
            );
        }
    }
    assert_eq!(
        fs::read_to_string(whole.join("calibration.json")).unwrap(),
        fs::read_to_string(merged.join("calibration.json")).unwrap()
    );
    assert_eq!(
        fs::read_to_string(whole.join("constraints.json")).unwrap(),
        fs::read_to_string(merged.join("constraints.json")).unwrap()
    );

    // The two kinds of shard profile are not mixed up.
    let err = fails(&[
        "baseline",
        "-o",
        p(&dir.path().join("x")),
        "--from-profiles",
        p(&level),
    ]);
    assert!(err.contains("quality baseline --from-profiles"), "{err}");
    let plain = dir.path().join("plain.json");
    ok(&["profile", p(&file), "--header", "-o", p(&plain)]);
    let err = fails(&[
        "quality",
        "baseline",
        "-o",
        p(&dir.path().join("y")),
        "--from-profiles",
        p(&plain),
    ]);
    assert!(err.contains("no labels"), "{err}");
    let err = fails(&[
        "profile",
        "-o",
        p(&dir.path().join("z.json")),
        "--from-profiles",
        p(&plain),
        p(&parts[0]),
    ]);
    assert!(err.contains("labelled"), "{err}");
}
