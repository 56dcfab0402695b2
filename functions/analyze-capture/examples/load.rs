//! Load test of analyze-capture (issue 16): capture files of several endpoints spread over many
//! hours, delivered by concurrent "containers" — each its own [`Handler`] with the real S3
//! adapter (aws-sdk-s3) against a moto_server started here — with some deliveries repeated, as
//! S3's at-least-once notifications do. Then every window is checked: its summary counts every
//! record of its files exactly once, lists each file once, and all four report files exist.
//!
//! ```sh
//! cargo run -p analyze-capture --example load -- --files 2000 --hours 48 --endpoints 3 \
//!     --concurrency 8 --duplicates 10 > bench/out/load.json
//! ```
//! Prints one JSON object (figures and checks); exits 1 when a record is lost or doubled or a
//! report is missing. `scripts/load-test.sh` runs it; CI runs a bounded version.

use analyze_capture::config::Config;
use analyze_capture::handler::Handler;
use aws_sdk_s3::primitives::ByteStream;
use driftline_aws::clients::s3_client;
use driftline_aws::config::MapEnv;
use driftline_aws::emf::MemorySink;
use driftline_aws::s3::S3Store;
use driftline_aws::testing::MotoServer;
use driftline_stats::jackson::to_string_pretty;
use driftline_stats::profile::{Cell, DatasetProfile};
use driftline_stats::suggest::suggest_constraints;
use driftline_stats::summary::Summary;
use lambda_runtime::{Context, LambdaEvent};
use serde_json::json;
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Instant;

const BUCKET: &str = "driftline-load";

struct Args {
    files: usize,
    hours: usize,
    endpoints: usize,
    concurrency: usize,
    duplicates: usize,
    windows: String,
}

fn args() -> Args {
    let mut a = Args {
        files: 2000,
        hours: 48,
        endpoints: 3,
        concurrency: 8,
        duplicates: 10,
        windows: "hour".into(),
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    for pair in argv.chunks(2) {
        let (k, v) = (
            pair[0].as_str(),
            pair.get(1).map(String::as_str).unwrap_or(""),
        );
        let n = || {
            v.parse::<usize>()
                .unwrap_or_else(|_| panic!("{k} wants a number, got {v:?}"))
        };
        match k {
            "--files" => a.files = n(),
            "--hours" => a.hours = n().max(1),
            "--endpoints" => a.endpoints = n().max(1),
            "--concurrency" => a.concurrency = n().max(1),
            "--duplicates" => a.duplicates = n(),
            "--windows" => a.windows = v.to_string(),
            _ => panic!("unknown argument {k}"),
        }
    }
    a
}

fn value(seed: u64, i: usize, col: usize) -> f64 {
    let x = (seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(((i * 31 + col) as u64).wrapping_mul(1_442_695_040_888_963_407)))
        >> 11;
    (x % 10_000) as f64 / 100.0
}

fn capture(seed: u64, n: usize, time: &str) -> String {
    let mut out = String::new();
    for i in 0..n {
        let input = format!(
            "{},{},{}",
            value(seed, i, 1),
            value(seed, i, 2),
            value(seed, i, 3)
        );
        let rec = json!({"captureData": {
            "endpointInput": {"observedContentType": "text/csv", "mode": "INPUT", "data": input, "encoding": "CSV"},
            "endpointOutput": {"observedContentType": "text/csv", "mode": "OUTPUT", "data": format!("{}", value(seed, i, 0)), "encoding": "CSV"}},
            "eventMetadata": {"eventId": format!("{seed}-{i}"), "inferenceTime": time},
            "eventVersion": "0"});
        out.push_str(&rec.to_string());
        out.push('\n');
    }
    out
}

fn baseline() -> (String, String) {
    let mut p = DatasetProfile::new();
    let cols: Vec<usize> = (0..4).map(|i| p.column_index(&format!("_c{i}"))).collect();
    for i in 0..5000 {
        for (k, c) in cols.iter().enumerate() {
            p.update(*c, Cell::Float(value(7, i, k)));
        }
    }
    p.add_records(5000);
    let s = p.to_statistics();
    (
        to_string_pretty(&s),
        to_string_pretty(&suggest_constraints(&s)),
    )
}

/// One capture file of the load.
struct File {
    key: String,
    endpoint: String,
    /// `yyyy/mm/dd/hh`.
    hour: String,
    records: u64,
}

fn files(a: &Args) -> Vec<File> {
    let start = chrono::DateTime::parse_from_rfc3339("2026-11-20T00:00:00Z")
        .expect("a valid start time")
        .with_timezone(&chrono::Utc);
    (0..a.files)
        .map(|i| {
            let t = start + chrono::Duration::hours((i * a.hours / a.files.max(1)) as i64);
            let hour = t.format("%Y/%m/%d/%H").to_string();
            let endpoint = format!("load-ep-{}", i % a.endpoints);
            File {
                key: format!("datacapture/{endpoint}/AllTraffic/{hour}/f{i:05}.jsonl"),
                endpoint,
                hour,
                records: 20 + (i as u64 * 37) % 60,
            }
        })
        .collect()
}

async fn put(client: &aws_sdk_s3::Client, key: &str, body: String) {
    client
        .put_object()
        .bucket(BUCKET)
        .key(key)
        .body(ByteStream::from(body.into_bytes()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutObject {key}: {e:?}"));
}

async fn summary(client: &aws_sdk_s3::Client, key: &str) -> Option<Summary> {
    let out = client
        .get_object()
        .bucket(BUCKET)
        .key(key)
        .send()
        .await
        .ok()?;
    let body = out.body.collect().await.ok()?.into_bytes();
    serde_json::from_slice(&body).ok()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() {
    let a = args();
    let moto = MotoServer::start().expect("moto_server (run scripts/setup.sh)");
    let sdk = moto.sdk_config().await;
    let client = s3_client(&sdk);
    client
        .create_bucket()
        .bucket(BUCKET)
        .send()
        .await
        .expect("CreateBucket");
    let (s, c) = baseline();
    for e in 0..a.endpoints {
        put(
            &client,
            &format!("driftline/baselines/load-ep-{e}/statistics.json"),
            s.clone(),
        )
        .await;
        put(
            &client,
            &format!("driftline/baselines/load-ep-{e}/constraints.json"),
            c.clone(),
        )
        .await;
    }
    let all = files(&a);
    // Upload, 8 at a time.
    for chunk in all.chunks(8) {
        let puts = chunk.iter().enumerate().map(|(j, f)| {
            let time = format!("{}:10:00Z", f.hour.replacen('/', "-", 2).replace('/', "T"));
            put(
                &client,
                &f.key,
                capture(j as u64 + f.records, f.records as usize, &time),
            )
        });
        futures::future::join_all(puts).await;
    }
    // Deliveries: every file once, plus a repeat of every `100 / duplicates`-th file a few
    // positions later (often while the first delivery is still in flight).
    let mut queue: VecDeque<String> = all.iter().map(|f| f.key.clone()).collect();
    let mut repeats = 0usize;
    if let Some(every) = 100usize.checked_div(a.duplicates).map(|e| e.max(1)) {
        for (i, f) in all.iter().enumerate().filter(|(i, _)| i % every == 0) {
            let at = (i + 1 + i % a.concurrency).min(queue.len());
            queue.insert(at + repeats, f.key.clone());
            repeats += 1;
        }
    }
    let deliveries = queue.len();
    let queue = Arc::new(Mutex::new(queue));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..a.concurrency {
        let config = Config::from_env(&MapEnv::from([
            ("DRIFTLINE_BUCKET", BUCKET),
            ("WINDOWS", a.windows.as_str()),
        ]))
        .expect("configuration");
        let h = Handler::new(S3Store::new(client.clone()), MemorySink::new(), config);
        let queue = Arc::clone(&queue);
        tasks.push(tokio::spawn(async move {
            let mut failed = 0usize;
            loop {
                let next = queue.lock().map(|mut q| q.pop_front()).unwrap_or(None);
                let Some(key) = next else { break };
                let ev = json!({"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                    "s3": {"bucket": {"name": BUCKET}, "object": {"key": key}}}]});
                // A failed invocation is retried, as Lambda retries an asynchronous event.
                let mut tries = 0;
                while h.handle(LambdaEvent::new(ev.clone(), Context::default())).await.is_err() {
                    tries += 1;
                    if tries == 3 {
                        failed += 1;
                        break;
                    }
                }
            }
            failed
        }));
    }
    let mut failed = 0;
    for t in tasks {
        failed += t.await.expect("delivery task");
    }
    let seconds = started.elapsed().as_secs_f64();

    // Every window: its files' records exactly once, each file once, every report file.
    let mut windows: BTreeMap<(String, String), (u64, usize)> = BTreeMap::new();
    for f in &all {
        let w = windows
            .entry((f.endpoint.clone(), f.hour.clone()))
            .or_default();
        w.0 += f.records;
        w.1 += 1;
    }
    let (mut lost, mut doubled, mut missing_reports, mut wrong_sources) =
        (0u64, 0u64, 0usize, 0usize);
    let expected: u64 = all.iter().map(|f| f.records).sum();
    let mut counted = 0u64;
    for ((ep, hour), (records, files)) in &windows {
        let dir = format!("driftline/reports/{ep}/AllTraffic/{hour}/");
        let Some(s) = summary(&client, &format!("{dir}summary.json")).await else {
            missing_reports += 1;
            lost += records;
            continue;
        };
        counted += s.records;
        lost += records.saturating_sub(s.records);
        doubled += s.records.saturating_sub(*records);
        if s.sources.len() != *files {
            wrong_sources += 1;
        }
        for f in [
            "statistics.json",
            "constraint_violations.json",
            "report.html",
        ] {
            if client
                .head_object()
                .bucket(BUCKET)
                .key(format!("{dir}{f}"))
                .send()
                .await
                .is_err()
            {
                missing_reports += 1;
            }
        }
    }
    // With WINDOWS including `day`: every day of every endpoint, likewise.
    let mut days_checked = 0usize;
    if a.windows.split(',').any(|w| w.trim() == "day") {
        let mut days: BTreeMap<(String, String), u64> = BTreeMap::new();
        for f in &all {
            *days
                .entry((f.endpoint.clone(), f.hour[..10].to_string()))
                .or_default() += f.records;
        }
        for ((ep, day), records) in &days {
            let key = format!("driftline/reports/{ep}/AllTraffic/{day}/day/summary.json");
            match summary(&client, &key).await {
                Some(s) => {
                    lost += records.saturating_sub(s.records);
                    doubled += s.records.saturating_sub(*records);
                }
                None => {
                    missing_reports += 1;
                    lost += records;
                }
            }
            days_checked += 1;
        }
    }
    let ok = lost == 0 && doubled == 0 && missing_reports == 0 && wrong_sources == 0 && failed == 0;
    println!(
        "{}",
        json!({
            "files": a.files, "hours": a.hours, "endpoints": a.endpoints, "concurrency": a.concurrency,
            "deliveries": deliveries, "repeated_deliveries": repeats, "windows": windows.len(),
            "windows_setting": a.windows, "days_checked": days_checked, "seconds": (seconds * 10.0).round() / 10.0,
            "files_per_second": ((deliveries as f64 / seconds) * 10.0).round() / 10.0,
            "records": expected, "records_counted": counted, "records_lost": lost,
            "records_doubled": doubled, "windows_missing_reports": missing_reports,
            "windows_wrong_sources": wrong_sources, "failed_deliveries": failed, "ok": ok
        })
    );
    if !ok {
        std::process::exit(1);
    }
}
