//! Counts the S3 requests analyze-capture makes per capture file, on the in-memory store:
//! `F` files of one hour delivered one after another (one invocation each), the handler kept
//! between them as a Lambda container keeps it.
//!
//! ```sh
//! cargo run --release -p analyze-capture --example s3_requests -- 1 10 60 > counts.json
//! ```
//! Prints one JSON object per F: requests of the last file and of all files, by operation.
//! Uses only the handler's public API, so `scripts/bench-s3-requests.sh` can run the same file
//! against an earlier commit beside this one. `WINDOWS` in the environment (e.g.
//! `hour,day,last-24h`) is passed to the handler's configuration (builds that predate the
//! setting ignore it).

use analyze_capture::config::Config;
use analyze_capture::handler::Handler;
use driftline_aws::config::MapEnv;
use driftline_aws::emf::MemorySink;
use driftline_aws::ports::memory::MemoryStore;
use driftline_stats::jackson::to_string_pretty;
use driftline_stats::profile::{Cell, DatasetProfile};
use driftline_stats::suggest::suggest_constraints;
use lambda_runtime::{Context, LambdaEvent};
use serde_json::json;
use std::collections::BTreeMap;

const BUCKET: &str = "bench-requests";

fn value(seed: u64, i: usize, col: usize) -> f64 {
    let x = (seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(((i * 31 + col) as u64).wrapping_mul(1_442_695_040_888_963_407)))
        >> 11;
    (x % 10_000) as f64 / 100.0
}

fn capture(seed: u64, n: usize) -> String {
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
            "eventMetadata": {"eventId": format!("{seed}-{i}"), "inferenceTime": "2026-11-25T10:00:00Z"},
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
    let c = suggest_constraints(&s);
    (to_string_pretty(&s), to_string_pretty(&c))
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![1, 10, 60]
    } else {
        sizes
    };
    for files in sizes {
        let store = MemoryStore::new();
        let (s, c) = baseline();
        store.insert(BUCKET, "driftline/baselines/ep/statistics.json", s);
        store.insert(BUCKET, "driftline/baselines/ep/constraints.json", c);
        let windows = std::env::var("WINDOWS").unwrap_or_else(|_| "hour".into());
        let config = Config::from_env(&MapEnv::from([
            ("DRIFTLINE_BUCKET", BUCKET),
            ("WINDOWS", windows.as_str()),
        ]))
        .unwrap();
        let h = Handler::new(store.clone(), MemorySink::new(), config);
        let mut last = BTreeMap::new();
        for f in 0..files {
            let key = format!("datacapture/ep/AllTraffic/2026/11/25/10/f{f:04}.jsonl");
            store.insert(BUCKET, &key, capture(f as u64 + 1, 200));
            let before = store.calls().len();
            let event = json!({"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                "s3": {"bucket": {"name": BUCKET}, "object": {"key": key, "size": 1}}}]});
            h.handle(LambdaEvent::new(event, Context::default()))
                .await
                .expect("invocation succeeds");
            last.clear();
            for c in &store.calls()[before..] {
                *last.entry(format!("{:?}", c.op)).or_insert(0u64) += 1;
            }
        }
        let mut all = BTreeMap::new();
        for c in store.calls() {
            *all.entry(format!("{:?}", c.op)).or_insert(0u64) += 1;
        }
        let total: u64 = all.values().sum();
        let last_total: u64 = last.values().sum();
        println!(
            "{}",
            json!({"files": files, "last_file": last, "last_file_total": last_total,
                   "all_files": all, "all_files_total": total})
        );
    }
}
