//! The same capture files give the same window whichever ran them: `driftline analyze` on
//! local files, or analyze-capture's handler (one invocation per file, in the same order) on
//! the in-memory ports. Both use `driftline_capture::window`, so `statistics.json` and
//! `constraint_violations.json` must be byte-identical and `summary.json` equal except for
//! where the files came from.

use analyze_capture::config::Config;
use analyze_capture::handler::Handler;
use driftline_aws::config::MapEnv;
use driftline_aws::emf::MemorySink;
use driftline_aws::ports::memory::MemoryStore;
use lambda_runtime::{Context, LambdaEvent};
use serde_json::{json, Value};
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_driftline");
const BUCKET: &str = "same-test";
const DIR: &str = "datacapture/churn/AllTraffic/2026/11/25/10";

/// A small deterministic generator (xorshift64*).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn row(r: &mut Rng, shift: f64) -> (String, String) {
    let age = (30.0 + 20.0 * r.next() + shift * 10.0).round();
    let balance = 1000.0 * r.next() + shift * 300.0;
    let state = ["CA", "NY", "TX", "WA"][(r.next() * 4.0) as usize % 4];
    let label = if r.next() < 0.3 { 1 } else { 0 };
    (label.to_string(), format!("{age},{balance:.3},{state}"))
}

fn capture(seed: u64, n: usize, shift: f64, bad_every: usize) -> String {
    let mut r = Rng(seed);
    let mut out = String::new();
    for i in 0..n {
        if bad_every > 0 && i % bad_every == 7 {
            out.push_str(if (i / 50) % 2 == 0 { "{not json\n" } else {
                r#"{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"1,2","encoding":"CSV"},"endpointOutput":{"observedContentType":"text/csv","mode":"OUTPUT","data":"0","encoding":"CSV"}},"eventMetadata":{"eventId":"short","inferenceTime":"2026-11-25T10:00:00Z"},"eventVersion":"0"}
"#
            });
            continue;
        }
        let (label, input) = row(&mut r, shift);
        let rec = json!({
            "captureData": {
                "endpointInput": {"observedContentType": "text/csv", "mode": "INPUT", "data": input, "encoding": "CSV"},
                "endpointOutput": {"observedContentType": "text/csv", "mode": "OUTPUT", "data": label, "encoding": "CSV"}
            },
            "eventMetadata": {"eventId": format!("{seed}-{i}"), "inferenceTime": format!("2026-11-25T10:{:02}:{:02}Z", (i / 60) % 60, i % 60)},
            "eventVersion": "0"
        });
        out.push_str(&rec.to_string());
        out.push('\n');
    }
    out
}

fn gzip(text: &str) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(text.as_bytes()).unwrap();
    gz.finish().unwrap()
}

/// summary.json without what names the sources (paths here, `s3://` URIs there).
fn comparable(summary: &str) -> Value {
    let mut v: Value = serde_json::from_str(summary).unwrap();
    let o = v.as_object_mut().unwrap();
    for k in ["sources", "endpoint", "variant", "window", "artifacts"] {
        o.remove(k);
    }
    if let Some(ex) = o
        .get_mut("faults")
        .and_then(|f| f.get_mut("examples"))
        .and_then(Value::as_array_mut)
    {
        for e in ex {
            e.as_object_mut().unwrap().remove("source");
        }
    }
    v
}

#[tokio::test]
async fn cli_and_handler_write_the_same_window() {
    let tmp = tempfile::tempdir().unwrap();
    // A named baseline (header row, label first as the captured output is).
    let mut train = String::from("Churn,Age,Balance,State\n");
    let mut r = Rng(99);
    for _ in 0..5000 {
        let (label, input) = row(&mut r, 0.0);
        train.push_str(&format!("{label},{input}\n"));
    }
    let train_path = tmp.path().join("train.csv");
    fs::write(&train_path, train).unwrap();
    let base = tmp.path().join("baseline");
    let out = Command::new(BIN)
        .args(["baseline", "--header"])
        .arg(&train_path)
        .arg("-o")
        .arg(&base)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Three files of one hour: healthy, shifted with bad lines, gzip.
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("10-00-001-a.jsonl", capture(1, 700, 0.0, 0).into_bytes()),
        ("10-20-002-b.jsonl", capture(2, 900, 0.8, 50).into_bytes()),
        ("10-40-003-c.jsonl", gzip(&capture(3, 400, 0.4, 0))),
    ];
    let store = MemoryStore::new();
    store.insert(
        BUCKET,
        "driftline/baselines/churn/statistics.json",
        fs::read(base.join("statistics.json")).unwrap(),
    );
    store.insert(
        BUCKET,
        "driftline/baselines/churn/constraints.json",
        fs::read(base.join("constraints.json")).unwrap(),
    );
    let mut paths = Vec::new();
    for (name, body) in &files {
        let p = tmp.path().join(name);
        fs::write(&p, body).unwrap();
        paths.push(p);
        store.insert(BUCKET, &format!("{DIR}/{name}"), body.clone());
    }

    // The CLI, all files at once.
    let cli_out = tmp.path().join("cli-out");
    let out = Command::new(BIN)
        .arg("analyze")
        .arg("--baseline")
        .arg(&base)
        .arg("-o")
        .arg(&cli_out)
        .arg("--quiet")
        .args(&paths)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "drift expected: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The handler, one event per file in the same order.
    let h = Handler::new(
        store.clone(),
        MemorySink::new(),
        Config::from_env(&MapEnv::from([("DRIFTLINE_BUCKET", BUCKET)])).unwrap(),
    );
    for (name, _) in &files {
        let event = json!({"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
            "s3": {"bucket": {"name": BUCKET}, "object": {"key": format!("{DIR}/{name}"), "size": 1}}}]});
        h.handle(LambdaEvent::new(event, Context::default()))
            .await
            .unwrap();
    }
    let report = |f: &str| {
        let key = format!("driftline/reports/churn/AllTraffic/2026/11/25/10/{f}");
        String::from_utf8(store.object(BUCKET, &key).unwrap().to_vec()).unwrap()
    };
    let cli = |f: &str| fs::read_to_string(Path::new(&cli_out).join(f)).unwrap();

    // Where a value was seen names the file as each one read it (a path, an s3:// URI); the
    // rest must be the same byte for byte.
    let s3_dir = format!("s3://{BUCKET}/{DIR}/");
    let local_dir = format!("{}/", tmp.path().display());
    let cli = |f: &str| cli(f).replace(&local_dir, "SOURCE/");
    let report = |f: &str| report(f).replace(&s3_dir, "SOURCE/");
    for f in ["statistics.json", "constraint_violations.json"] {
        assert!(
            cli(f) == report(f),
            "{f} differs:\n--- cli ---\n{}\n--- handler ---\n{}",
            cli(f),
            report(f)
        );
    }
    let (a, b) = (
        comparable(&cli("summary.json")),
        comparable(&report("summary.json")),
    );
    assert_eq!(a, b);
    // The window is what it should be: named columns, drift found, faults counted.
    assert_eq!(a["records"], 1982, "{a:#}");
    assert_eq!(a["malformed_records"], 18);
    assert_eq!(a["faults"]["counts"]["column_count"], 9);
    assert_eq!(a["faults"]["counts"]["malformed_json"], 9);
    assert_eq!(a["drift_detected"], true);
    let names: Vec<&str> = a["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Churn", "Age", "Balance", "State"]);
}
