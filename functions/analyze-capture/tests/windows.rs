//! Windows longer than an hour (`WINDOWS=hour,day,last-24h`), with the in-memory ports: a
//! day merged from 24 hourly profiles equals analysing the day's files at once; a late file
//! updates its day; the rolling view covers the 24 hours ending with the file's hour.

mod common;

use analyze_capture::config::Config;
use analyze_capture::handler::Handler;
use common::{baseline_files, s3_event};
use driftline_aws::config::MapEnv;
use driftline_aws::emf::MemorySink;
use driftline_aws::ports::memory::MemoryStore;
use driftline_capture::{profile_reader, CaptureOptions};
use driftline_stats::formats::statistics::Statistics;
use driftline_stats::summary::{Status, Summary};
use lambda_runtime::{Context, LambdaEvent};
use serde_json::json;

const BUCKET: &str = "driftline-test";
const DAY: &str = "2026/11/25";

fn handler(
    store: &MemoryStore,
    sink: &MemorySink,
    windows: &str,
) -> Handler<MemoryStore, MemorySink> {
    let env = MapEnv::from([("DRIFTLINE_BUCKET", BUCKET), ("WINDOWS", windows)]);
    Handler::new(store.clone(), sink.clone(), Config::from_env(&env).unwrap())
}

/// A capture file of `n` records of hour `hour`. Every value is a multiple of 1/4 below 2^10,
/// so sums of a day are exact in binary floating point whatever the order they are added
/// in: an exact comparison of sums and means then tests that no record is lost or doubled,
/// not rounding. `_c0` (the output) is a 0/1 label; `_c1` a value that depends on the hour
/// (the day's distribution is a mixture of the hours').
fn capture(seed: u64, hour: u32, n: usize) -> String {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut out = String::new();
    for i in 0..n {
        let label = next() % 2;
        let a = (next() % 400) as f64 * 0.25 + f64::from(hour);
        let b = (next() % 64) as f64 * 0.25 - 8.0;
        let c = next() % 5;
        let rec = json!({
            "captureData": {
                "endpointInput": {"observedContentType": "text/csv", "mode": "INPUT",
                                  "data": format!("{a},{b},{c}"), "encoding": "CSV"},
                "endpointOutput": {"observedContentType": "text/csv", "mode": "OUTPUT",
                                   "data": label.to_string(), "encoding": "CSV"}
            },
            "eventMetadata": {"eventId": format!("{seed}-{i}"), "inferenceId": format!("{i}"),
                              "inferenceTime": format!("2026-11-25T{hour:02}:{:02}:{:02}Z", (i / 60) % 60, i % 60)},
            "eventVersion": "0"
        });
        out.push_str(&rec.to_string());
        out.push('\n');
    }
    out
}

fn read<T: serde::de::DeserializeOwned>(store: &MemoryStore, key: &str) -> T {
    let body = store
        .object(BUCKET, key)
        .unwrap_or_else(|| panic!("{key} not written"));
    serde_json::from_slice(&body).unwrap_or_else(|e| panic!("{key}: {e}"))
}

async fn deliver(h: &Handler<MemoryStore, MemorySink>, key: &str) {
    let resp = h
        .handle(LambdaEvent::new(
            s3_event(BUCKET, &[key]),
            Context::default(),
        ))
        .await
        .unwrap();
    assert_eq!(resp.objects[0].outcome, "analyzed", "{resp:?}");
}

/// The exact `q`-quantile of `values` (sorted), as the smallest value whose rank reaches q·n.
fn exact_rank(sorted: &[f64], v: f64) -> f64 {
    sorted.partition_point(|x| *x <= v) as f64 / sorted.len() as f64
}

fn assert_same_figures(merged: &Statistics, once: &Statistics, raw: &[(String, Vec<f64>)]) {
    assert_eq!(merged.item_count(), once.item_count());
    assert_eq!(merged.features.len(), once.features.len());
    for f in &once.features {
        let m = merged
            .feature(&f.name)
            .unwrap_or_else(|| panic!("{} missing", f.name));
        assert_eq!(m.inferred_type, f.inferred_type, "{}", f.name);
        let (Some(mn), Some(on)) = (&m.numerical_statistics, &f.numerical_statistics) else {
            assert_eq!(m.string_statistics, f.string_statistics, "{}", f.name);
            continue;
        };
        // Exact: counts, sum, mean, min, max (the data makes sums exact, see `capture`).
        assert_eq!(mn.common, on.common, "{}", f.name);
        assert_eq!(
            (mn.sum.0, mn.mean.0, mn.min.0, mn.max.0),
            (on.sum.0, on.mean.0, on.min.0, on.max.0),
            "{}",
            f.name
        );
        // Merged second moments differ from a single pass only by rounding.
        assert!(
            (mn.std_dev.0 - on.std_dev.0).abs() <= 1e-9 * on.std_dev.0.abs().max(1.0),
            "{}: {} vs {}",
            f.name,
            mn.std_dev.0,
            on.std_dev.0
        );
        // Quantiles: within the merged sketch's rank-error bound of the exact quantiles of
        // the raw values (an independent computation: sorting what was generated).
        let sketch = merged
            .feature(&f.name)
            .and_then(|ft| ft.kll_sketch())
            .expect("numeric features carry a sketch")
            .to_sketch();
        let eps = sketch.normalized_rank_error();
        let values = &raw
            .iter()
            .find(|(n, _)| *n == f.name)
            .unwrap_or_else(|| panic!("raw values of {}", f.name))
            .1;
        let n = values.len() as f64;
        for q in [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99] {
            let v = sketch.quantile(q).unwrap();
            let r = exact_rank(values, v);
            // The returned value's exact rank brackets q within ε (plus one item's mass,
            // ties included: the data has many equal values).
            let below = values.partition_point(|x| *x < v) as f64 / n;
            assert!(
                below - eps - 1.0 / n <= q && q <= r + eps + 1.0 / n,
                "{} q={q}: value {v} has exact ranks [{below}, {r}], ε={eps}",
                f.name
            );
        }
    }
}

/// The raw numeric values of the CSV inputs and the label, by column name, sorted.
fn raw_values(files: &[String]) -> Vec<(String, Vec<f64>)> {
    let mut cols: Vec<Vec<f64>> = vec![Vec::new(); 4];
    for body in files {
        for line in body.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let cap = &v["captureData"];
            let out: f64 = cap["endpointOutput"]["data"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap();
            cols[0].push(out);
            for (i, x) in cap["endpointInput"]["data"]
                .as_str()
                .unwrap()
                .split(',')
                .enumerate()
            {
                cols[i + 1].push(x.parse().unwrap());
            }
        }
    }
    cols.into_iter()
        .enumerate()
        .map(|(i, mut v)| {
            v.sort_by(f64::total_cmp);
            (format!("_c{i}"), v)
        })
        .collect()
}

#[tokio::test]
async fn a_day_of_quiet_hours_gets_a_verdict_equal_to_analysing_the_day_at_once() {
    let store = MemoryStore::new();
    let (s, c) = baseline_files(1, 20_000);
    store.insert(BUCKET, "driftline/baselines/ep/statistics.json", s);
    store.insert(BUCKET, "driftline/baselines/ep/constraints.json", c);
    let sink = MemorySink::new();
    let h = handler(&store, &sink, "hour,day,last-24h");

    // A low-traffic endpoint: 30–53 records an hour, below MIN_RECORDS (100) in every hour.
    let mut bodies = Vec::new();
    for hour in 0..24u32 {
        let body = capture(100 + u64::from(hour), hour, 30 + hour as usize);
        let key = format!("datacapture/ep/AllTraffic/{DAY}/{hour:02}/f{hour:02}.jsonl");
        store.insert(BUCKET, &key, body.clone());
        deliver(&h, &key).await;
        bodies.push(body);
    }
    // A late file of 03:00 arrives after the day is over: it updates the hour and the day.
    let late = capture(999, 3, 40);
    let late_key = format!("datacapture/ep/AllTraffic/{DAY}/03/late.jsonl");
    store.insert(BUCKET, &late_key, late.clone());
    deliver(&h, &late_key).await;
    bodies.push(late);
    // A redelivered file (S3 events are at-least-once) changes nothing.
    deliver(&h, &format!("datacapture/ep/AllTraffic/{DAY}/05/f05.jsonl")).await;
    let total: u64 = bodies.iter().map(|b| b.lines().count() as u64).sum();

    let hourly: Summary = read(
        &store,
        &format!("driftline/reports/ep/AllTraffic/{DAY}/05/summary.json"),
    );
    assert_eq!(hourly.status, Status::InsufficientData);
    let day: Summary = read(
        &store,
        &format!("driftline/reports/ep/AllTraffic/{DAY}/day/summary.json"),
    );
    assert_eq!(day.records, total);
    assert_ne!(day.status, Status::InsufficientData, "{day:#?}");
    assert_eq!(day.sources.len(), 25);
    let w = day.window.as_ref().expect("window bounds");
    assert_eq!(
        (w.start.as_str(), w.end.as_str()),
        ("2026-11-25T00:00:00Z", "2026-11-26T00:00:00Z")
    );
    for f in [
        "statistics.json",
        "constraint_violations.json",
        "report.html",
    ] {
        assert!(
            store
                .object(
                    BUCKET,
                    &format!("driftline/reports/ep/AllTraffic/{DAY}/day/{f}")
                )
                .is_some(),
            "{f}"
        );
    }

    // The same files analysed at once (one reader pass over their concatenation).
    let once = profile_reader(
        bodies.concat().as_bytes(),
        "all",
        &CaptureOptions::default(),
    )
    .unwrap()
    .profile
    .to_statistics();
    let merged: Statistics = read(
        &store,
        &format!("driftline/reports/ep/AllTraffic/{DAY}/day/statistics.json"),
    );
    assert_same_figures(&merged, &once, &raw_values(&bodies));

    // The rolling view ending 23:00 covers the same 24 hours; the late file reached it (it
    // is the newest view containing 03:00 that has data).
    let rolling: Summary = read(
        &store,
        &format!("driftline/reports/ep/AllTraffic/{DAY}/23/last-24h/summary.json"),
    );
    assert_eq!(rolling.records, total);
    let rolling_stats: Statistics = read(
        &store,
        &format!("driftline/reports/ep/AllTraffic/{DAY}/23/last-24h/statistics.json"),
    );
    assert_same_figures(&rolling_stats, &once, &raw_values(&bodies));
    let rolling_03: Summary = read(
        &store,
        &format!("driftline/reports/ep/AllTraffic/{DAY}/03/last-24h/summary.json"),
    );
    // Hours 00–03 of the day (earlier hours have no data), with the late file.
    let first_four: u64 = (0..4u64).map(|h| 30 + h).sum::<u64>() + 40;
    assert_eq!(rolling_03.records, first_four);
    let w = rolling_03.window.as_ref().expect("window bounds");
    assert_eq!(
        (w.start.as_str(), w.end.as_str()),
        ("2026-11-24T04:00:00Z", "2026-11-25T04:00:00Z")
    );

    // Metrics: the day's with a Window dimension at midnight; hourly ones unchanged.
    let day_dims = [
        ("Endpoint", "ep"),
        ("Variant", "AllTraffic"),
        ("Window", "day"),
    ];
    let day_records = sink.values("Driftline", "Records", &day_dims);
    assert_eq!(day_records.len(), 26, "one per delivery");
    assert_eq!(day_records.last().copied(), Some(total as f64));
    let rolling_dims = [
        ("Endpoint", "ep"),
        ("Variant", "AllTraffic"),
        ("Window", "last-24h"),
    ];
    // One per delivery, plus the 23:00 view rendered again for the two files of earlier hours
    // delivered after it (the late one and the redelivery).
    assert_eq!(sink.values("Driftline", "Records", &rolling_dims).len(), 28);
    let hour_dims = [("Endpoint", "ep"), ("Variant", "AllTraffic")];
    let hourly = sink.values("Driftline", "InsufficientData", &hour_dims);
    assert!(hourly.iter().all(|v| *v == 1.0), "{hourly:?}");
    assert_eq!(
        sink.values("Driftline", "InsufficientData", &day_dims)
            .last(),
        Some(&0.0)
    );
}

#[tokio::test]
async fn hourly_only_by_default_writes_no_longer_windows() {
    let store = MemoryStore::new();
    let sink = MemorySink::new();
    let h = handler(&store, &sink, "hour");
    let key = format!("datacapture/ep/AllTraffic/{DAY}/07/a.jsonl");
    store.insert(BUCKET, &key, capture(5, 7, 20));
    deliver(&h, &key).await;
    let written: Vec<String> = store
        .keys(BUCKET)
        .into_iter()
        .filter(|k| k.contains("/day/") || k.contains("/last-24h/"))
        .collect();
    assert!(written.is_empty(), "{written:?}");
}

/// A file that lands after its hour (Data Capture writes files minutes late; a backlog hours
/// late) updates the rolling view the alarm watches now, not only the view of its own hour.
#[tokio::test]
async fn a_late_file_updates_the_current_rolling_view() {
    let store = MemoryStore::new();
    let sink = MemorySink::new();
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-25T23:20:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let h = handler(&store, &sink, "hour,last-24h").with_clock(std::sync::Arc::new(move || now));
    for hour in [20u32, 21, 23] {
        let key = format!("datacapture/ep/AllTraffic/{DAY}/{hour:02}/f.jsonl");
        store.insert(BUCKET, &key, capture(u64::from(hour), hour, 50));
        deliver(&h, &key).await;
    }
    let view = |hour: &str| -> Summary {
        read(
            &store,
            &format!("driftline/reports/ep/AllTraffic/{DAY}/{hour}/last-24h/summary.json"),
        )
    };
    assert_eq!(view("23").records, 150);
    // 21:00's file arrives at 23:20: the 23:00 view (the newest with data) counts it.
    let late = format!("datacapture/ep/AllTraffic/{DAY}/21/late.jsonl");
    store.insert(BUCKET, &late, capture(77, 21, 30));
    deliver(&h, &late).await;
    assert_eq!(view("23").records, 180);
    assert_eq!(
        view("21").records,
        130,
        "its own hour's view: 20:00 and 21:00"
    );
    let rolling_dims = [
        ("Endpoint", "ep"),
        ("Variant", "AllTraffic"),
        ("Window", "last-24h"),
    ];
    assert!(sink
        .values("Driftline", "Records", &rolling_dims)
        .contains(&180.0));
    // A fresh process (nothing cached) sees the same.
    let fresh =
        handler(&store, &sink, "hour,last-24h").with_clock(std::sync::Arc::new(move || now));
    let again = format!("datacapture/ep/AllTraffic/{DAY}/23/g.jsonl");
    store.insert(BUCKET, &again, capture(78, 23, 10));
    deliver(&fresh, &again).await;
    assert_eq!(view("23").records, 190);
}
