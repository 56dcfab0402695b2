//! Shared helpers of analyze-capture's tests: deterministic capture files in the real Data
//! Capture format and baselines built with driftline's own profile code.
#![allow(dead_code)]

use driftline_stats::jackson::to_string_pretty;
use driftline_stats::profile::{Cell, DatasetProfile};
use driftline_stats::suggest::suggest_constraints;
use serde_json::{json, Value};

/// SplitMix64 + Box-Muller.
pub struct Rng(pub u64);
impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn normal(&mut self) -> f64 {
        let u1 = self.uniform().max(1e-300);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

/// One row: prediction (output) then three inputs; `shift` moves input 1 by that many stds.
pub fn row(r: &mut Rng, shift: f64) -> [String; 4] {
    let a = 50.0 + 10.0 * (r.normal() + shift);
    let b = (r.uniform() * 5.0).floor();
    let c = r.normal();
    let p = 1.0 / (1.0 + (-(a - 50.0) / 10.0).exp());
    [
        format!("{p:.6}"),
        format!("{a:.3}"),
        format!("{b}"),
        format!("{c:.4}"),
    ]
}

/// A capture file (JSON Lines, CSV encoding) of `n` records for hour `hour` of 2026-11-25.
pub fn capture_file(seed: u64, n: usize, shift: f64, hour: u32) -> String {
    let mut r = Rng(seed);
    let mut out = String::new();
    for i in 0..n {
        let [p, a, b, c] = row(&mut r, shift);
        let rec = json!({
            "captureData": {
                "endpointInput": {"observedContentType": "text/csv", "mode": "INPUT",
                                  "data": format!("{a},{b},{c}"), "encoding": "CSV"},
                "endpointOutput": {"observedContentType": "text/csv; charset=utf-8", "mode": "OUTPUT",
                                   "data": p, "encoding": "CSV"}
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

/// Baseline statistics.json and constraints.json (Jackson layout) of `n` healthy rows.
pub fn baseline_files(seed: u64, n: usize) -> (String, String) {
    let mut r = Rng(seed);
    let mut p = DatasetProfile::new();
    let cols: Vec<usize> = (0..4).map(|i| p.column_index(&format!("_c{i}"))).collect();
    for _ in 0..n {
        let vals = row(&mut r, 0.0);
        for (c, v) in cols.iter().zip(vals.iter()) {
            p.update(*c, Cell::Raw(v));
        }
    }
    p.add_records(n as u64);
    let stats = p.to_statistics();
    let constraints = suggest_constraints(&stats);
    (to_string_pretty(&stats), to_string_pretty(&constraints))
}

/// A baseline of the three input features alone, named `area`, `rooms`, `noise` (the usual
/// training set: no prediction column).
pub fn features_only_baseline(seed: u64, n: usize) -> (String, String) {
    let mut r = Rng(seed);
    let mut p = DatasetProfile::new();
    let cols: Vec<usize> = ["area", "rooms", "noise"]
        .iter()
        .map(|c| p.column_index(c))
        .collect();
    for _ in 0..n {
        let vals = row(&mut r, 0.0);
        for (c, v) in cols.iter().zip(vals[1..].iter()) {
            p.update(*c, Cell::Raw(v));
        }
    }
    p.add_records(n as u64);
    let stats = p.to_statistics();
    let constraints = suggest_constraints(&stats);
    (to_string_pretty(&stats), to_string_pretty(&constraints))
}

/// An S3 event notification for the given (already URL-encoded) keys.
pub fn s3_event(bucket: &str, keys: &[&str]) -> Value {
    let records: Vec<Value> = keys
        .iter()
        .map(|k| {
            json!({
                "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
                "eventTime": "2026-11-25T10:30:00.000Z", "eventName": "ObjectCreated:Put",
                "s3": {"s3SchemaVersion": "1.0", "bucket": {"name": bucket, "arn": format!("arn:aws:s3:::{bucket}")},
                       "object": {"key": k, "size": 1, "sequencer": "0A1B2C3D4E5F678901"}}
            })
        })
        .collect();
    json!({ "Records": records })
}
