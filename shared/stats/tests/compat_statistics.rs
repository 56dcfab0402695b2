//! Byte-compatibility with SageMaker Model Monitor's `statistics.json` (real service output and
//! the SDK's pipeline fixture). Inputs and expected files are copies of the reference files
//! (see `tests/data/SOURCES.md`).

use driftline_stats::formats::statistics::{FeatureStatistics, Statistics};
use driftline_stats::jackson;
use driftline_stats::profile::{Cell, DatasetProfile};
use std::path::PathBuf;

fn data(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path)
}

fn read(path: &str) -> String {
    std::fs::read_to_string(data(path)).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

/// Profile a CSV, every field as `Cell::Raw` (empty fields as `Cell::Missing`).
fn profile_csv(path: &str, has_header: bool) -> DatasetProfile {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(has_header)
        .from_path(data(path))
        .unwrap();
    let mut p = DatasetProfile::new();
    let mut cols: Vec<usize> = Vec::new();
    if has_header {
        for h in rdr.headers().unwrap().iter() {
            cols.push(p.column_index(h));
        }
    }
    for rec in rdr.records() {
        let rec = rec.unwrap();
        while cols.len() < rec.len() {
            let i = cols.len();
            cols.push(p.column_index(&format!("_c{i}")));
        }
        for (i, field) in rec.iter().enumerate() {
            let cell = if field.is_empty() {
                Cell::Missing
            } else {
                Cell::Raw(field)
            };
            p.update(cols[i], cell);
        }
        p.add_records(1);
    }
    p
}

fn bits(d: &driftline_stats::double::Double) -> u64 {
    d.0.to_bits()
}

/// Field-by-field comparison with readable diffs (doubles compared bit for bit).
fn compare_features(got: &[FeatureStatistics], want: &[FeatureStatistics]) -> Vec<String> {
    let mut diffs = Vec::new();
    if got.len() != want.len() {
        diffs.push(format!(
            "feature count: got {} want {}",
            got.len(),
            want.len()
        ));
    }
    for (g, w) in got.iter().zip(want) {
        let name = &w.name;
        if g.name != w.name {
            diffs.push(format!("name: got {} want {}", g.name, w.name));
        }
        if g.inferred_type != w.inferred_type {
            diffs.push(format!(
                "{name}: inferred_type got {:?} want {:?}",
                g.inferred_type, w.inferred_type
            ));
        }
        match (&g.numerical_statistics, &w.numerical_statistics) {
            (Some(g), Some(w)) => {
                if g.common != w.common {
                    diffs.push(format!(
                        "{name}: common got {:?} want {:?}",
                        g.common, w.common
                    ));
                }
                for (field, a, b) in [
                    ("mean", &g.mean, &w.mean),
                    ("sum", &g.sum, &w.sum),
                    ("std_dev", &g.std_dev, &w.std_dev),
                    ("min", &g.min, &w.min),
                    ("max", &g.max, &w.max),
                ] {
                    if bits(a) != bits(b) {
                        diffs.push(format!("{name}: {field} got {:?} want {:?}", a.0, b.0));
                    }
                }
                match (&g.distribution, &w.distribution) {
                    (Some(gd), Some(wd)) => {
                        let (gk, wk) = (&gd.kll, &wd.kll);
                        for (i, (a, b)) in gk.buckets.iter().zip(&wk.buckets).enumerate() {
                            if bits(&a.lower_bound) != bits(&b.lower_bound)
                                || bits(&a.upper_bound) != bits(&b.upper_bound)
                                || bits(&a.count) != bits(&b.count)
                            {
                                diffs.push(format!("{name}: bucket {i} got {a:?} want {b:?}"));
                            }
                        }
                        if gk.buckets.len() != wk.buckets.len() {
                            diffs.push(format!("{name}: bucket count differs"));
                        }
                        if gk.sketch.parameters != wk.sketch.parameters {
                            diffs.push(format!("{name}: sketch parameters differ"));
                        }
                        let gl: Vec<usize> = gk.sketch.data.iter().map(Vec::len).collect();
                        let wl: Vec<usize> = wk.sketch.data.iter().map(Vec::len).collect();
                        if gl != wl {
                            diffs
                                .push(format!("{name}: sketch level sizes got {gl:?} want {wl:?}"));
                        } else {
                            for (h, (a, b)) in
                                gk.sketch.data.iter().zip(&wk.sketch.data).enumerate()
                            {
                                if let Some(j) =
                                    a.iter().zip(b).position(|(x, y)| bits(x) != bits(y))
                                {
                                    diffs.push(format!(
                                        "{name}: sketch level {h} item {j} got {:?} want {:?}",
                                        a[j].0, b[j].0
                                    ));
                                }
                            }
                        }
                    }
                    (a, b) => {
                        if a.is_some() != b.is_some() {
                            diffs.push(format!("{name}: distribution presence differs"));
                        }
                    }
                }
            }
            (None, None) => {}
            _ => diffs.push(format!("{name}: numerical_statistics presence differs")),
        }
        if g.string_statistics != w.string_statistics {
            diffs.push(format!("{name}: string_statistics differ"));
        }
    }
    diffs
}

fn first_text_diff(got: &str, want: &str) -> String {
    let pos = got
        .bytes()
        .zip(want.bytes())
        .position(|(a, b)| a != b)
        .unwrap_or(got.len().min(want.len()));
    let lo = pos.saturating_sub(200);
    format!(
        "first difference at byte {pos} (lengths {} vs {})\n--- got ---\n{}\n--- want ---\n{}",
        got.len(),
        want.len(),
        &got[lo..(pos + 200).min(got.len())],
        &want[lo..(pos + 200).min(want.len())]
    )
}

#[test]
fn churn_baseline_matches_real_service() {
    let profile = profile_csv("churn/training-dataset-with-header.csv", true);
    let mut stats = profile.to_statistics();
    assert_eq!(stats.features.len(), 70);
    stats.features.truncate(29);

    let want_text = read("churn/statistics.partial-first-29-features.json");
    let want: Statistics = serde_json::from_str(&want_text).unwrap();
    assert_eq!(stats.dataset, want.dataset);
    let diffs = compare_features(&stats.features, &want.features);
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );

    let got_text = jackson::to_string_pretty(&stats);
    assert!(
        got_text == want_text,
        "{}",
        first_text_diff(&got_text, &want_text)
    );
}

#[test]
fn sdk_pipeline_fixture_matches() {
    let profile = profile_csv("sdk-pipeline-dq/baseline_dataset.csv", false);
    let stats = profile.to_statistics();
    let want_text = read("sdk-pipeline-dq/statistics.json");
    let want: Statistics = serde_json::from_str(&want_text).unwrap();
    let diffs = compare_features(&stats.features, &want.features);
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
    let got_text = jackson::to_string_pretty(&stats);
    assert!(
        got_text == want_text,
        "{}",
        first_text_diff(&got_text, &want_text)
    );
}

#[test]
fn every_reference_statistics_file_parses_and_jackson_ones_round_trip() {
    for (path, jackson_style) in [
        ("churn/statistics.partial-first-29-features.json", true),
        ("sdk-pipeline-dq/statistics.json", true),
        ("sdk-pipeline-mq/statistics.json", false),
        ("sdk-monitor/statistics.json", false),
    ] {
        let text = read(path);
        let parsed: Statistics =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(parsed.version.0, 0.0, "{path}");
        if jackson_style {
            let again = jackson::to_string_pretty(&parsed);
            assert!(again == text, "{path}: {}", first_text_diff(&again, &text));
        }
    }
    // The 2019 file: one String feature with categorical buckets.
    let old: Statistics = serde_json::from_str(&read("sdk-monitor/statistics.json")).unwrap();
    let s = old.features[0].string_statistics.as_ref().unwrap();
    assert_eq!(s.distinct_count.0, 1.0);
    assert_eq!(
        s.distribution.as_ref().unwrap().categorical.buckets[0].count,
        418
    );
}

#[test]
fn string_column_layout_matches_2019_file() {
    // Same content as the SDK's 2019 statistics.json, written in Jackson layout: the fields and
    // their order must be the ones of that file.
    let mut p = DatasetProfile::new();
    let c = p.column_index("message");
    for _ in 0..418 {
        p.update(c, Cell::Raw("preproc-not-YET-supported-for-csv-json"));
        p.add_records(1);
    }
    let got: serde_json::Value =
        serde_json::from_str(&jackson::to_string_pretty(&p.to_statistics())).unwrap();
    let want: serde_json::Value =
        serde_json::from_str(&read("sdk-monitor/statistics.json")).unwrap();
    assert_eq!(got, want);
}
