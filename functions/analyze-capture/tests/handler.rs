//! Handler tests with the in-memory ports (no AWS, no emulator).

mod common;

use analyze_capture::config::Config;
use analyze_capture::handler::Handler;
use common::{baseline_files, capture_file, features_only_baseline, s3_event};
use driftline_aws::config::MapEnv;
use driftline_aws::emf::MemorySink;
use driftline_aws::ports::memory::{Fault, MemoryStore, StoreOp};
use driftline_aws::ports::PortError;
use driftline_stats::summary::{Status, Summary};
use lambda_runtime::{Context, LambdaEvent};
use std::sync::Arc;

const BUCKET: &str = "driftline-test";
const HOUR: &str = "2026/11/25/10";

fn config() -> Config {
    Config::from_env(&MapEnv::from([("DRIFTLINE_BUCKET", BUCKET)])).unwrap()
}

fn handler(store: &MemoryStore, sink: &MemorySink) -> Handler<MemoryStore, MemorySink> {
    Handler::new(store.clone(), sink.clone(), config())
}

/// A fresh store holding the baseline, and a fresh metric sink.
fn ports_with_baseline() -> (MemoryStore, MemorySink) {
    let store = MemoryStore::new();
    with_baseline(&store);
    (store, MemorySink::new())
}

fn with_baseline(store: &MemoryStore) {
    let (s, c) = baseline_files(1, 20_000);
    store.insert(BUCKET, "driftline/baselines/ep/statistics.json", s);
    store.insert(BUCKET, "driftline/baselines/ep/constraints.json", c);
}

fn capture_key(file: &str) -> String {
    format!("datacapture/ep/AllTraffic/{HOUR}/{file}")
}

/// Stores a capture file of this hour and returns its key.
fn put_capture(store: &MemoryStore, file: &str, body: String) -> String {
    let key = capture_key(file);
    store.insert(BUCKET, &key, body);
    key
}

fn summary(store: &MemoryStore) -> Summary {
    let body = store
        .object(
            BUCKET,
            &format!("driftline/reports/ep/AllTraffic/{HOUR}/summary.json"),
        )
        .expect("summary.json written");
    serde_json::from_slice(&body).unwrap()
}

async fn invoke(
    h: &Handler<MemoryStore, MemorySink>,
    keys: &[&str],
) -> Result<analyze_capture::handler::Response, analyze_capture::handler::HandlerError> {
    h.handle(LambdaEvent::new(s3_event(BUCKET, keys), Context::default()))
        .await
}

#[tokio::test]
async fn healthy_then_drifted_window_with_reports_and_metrics() {
    let (store, sink) = ports_with_baseline();
    let key = put_capture(&store, "a.jsonl", capture_file(2, 2_000, 0.0, 10));
    let h = handler(&store, &sink);
    let resp = invoke(&h, &[&key]).await.unwrap();
    assert_eq!(resp.objects[0].outcome, "analyzed", "{resp:?}");
    let s = summary(&store);
    assert_eq!(s.status, Status::Ok, "{:#?}", s.features);
    assert_eq!(s.records, 2_000);
    for f in [
        "statistics.json",
        "constraint_violations.json",
        "report.html",
    ] {
        assert!(
            store
                .object(
                    BUCKET,
                    &format!("driftline/reports/ep/AllTraffic/{HOUR}/{f}")
                )
                .is_some(),
            "{f} missing"
        );
    }
    assert!(store
        .object(
            BUCKET,
            &format!("driftline/profiles/ep/AllTraffic/{HOUR}/a.json")
        )
        .is_some());
    let dims = [("Endpoint", "ep"), ("Variant", "AllTraffic")];
    assert_eq!(sink.values("Driftline", "DriftDetected", &dims), vec![0.0]);
    assert_eq!(sink.values("Driftline", "Records", &dims), vec![2_000.0]);
    // One per capture file: what the silent-endpoint alarm counts.
    assert_eq!(sink.values("Driftline", "CaptureFiles", &dims), vec![1.0]);

    // A second file of the same hour, with a 1-std shift in `_c1`, joins the window.
    let key2 = put_capture(&store, "b.jsonl", capture_file(3, 6_000, 1.0, 10));
    invoke(&h, &[&key2]).await.unwrap();
    let s = summary(&store);
    assert_eq!(s.records, 8_000);
    assert_eq!(s.sources.len(), 2);
    assert_eq!(s.status, Status::Drift);
    let c1 = s.features.iter().find(|f| f.name == "_c1").unwrap();
    assert!(c1.drifted, "{c1:#?}");
    assert!(sink
        .values("Driftline", "DriftDetected", &dims)
        .ends_with(&[1.0]));
    let sm = sink.values(
        "aws/sagemaker/Endpoints/data-metrics",
        "feature_baseline_drift__c1",
        &[("Endpoint", "ep"), ("MonitoringSchedule", "driftline")],
    );
    assert!(sm.last().copied().unwrap_or(0.0) > 0.1, "{sm:?}");
}

#[tokio::test]
async fn ignores_other_objects_and_handles_several_records() {
    let (store, sink) = ports_with_baseline();
    let a = put_capture(&store, "x.jsonl", capture_file(4, 300, 0.0, 10));
    let resp = invoke(
        &handler(&store, &sink),
        &[
            "datacapture/ep/AllTraffic/2026/11/25/10/readme.txt",
            "driftline/reports/ep/AllTraffic/2026/11/25/10/summary.json",
            "other/ep/AllTraffic/2026/11/25/10/x.jsonl",
            &a,
        ],
    )
    .await
    .unwrap();
    let outcomes: Vec<&str> = resp.objects.iter().map(|o| o.outcome).collect();
    assert_eq!(outcomes, ["ignored", "ignored", "ignored", "analyzed"]);
}

#[tokio::test]
async fn keys_with_spaces_and_unicode() {
    let (store, sink) = ports_with_baseline();
    let decoded = put_capture(&store, "file name ü+1.jsonl", capture_file(5, 300, 0.0, 10));
    // As S3 notifications spell it: spaces as '+', a literal '+' as %2B, UTF-8 percent-encoded.
    let encoded = capture_key("file+name+%C3%BC%2B1.jsonl");
    let resp = invoke(&handler(&store, &sink), &[&encoded]).await.unwrap();
    assert_eq!(resp.objects[0].outcome, "analyzed", "{resp:?}");
    assert_eq!(resp.objects[0].key, decoded);
    assert!(store
        .object(
            BUCKET,
            &format!("driftline/profiles/ep/AllTraffic/{HOUR}/file name ü+1.json")
        )
        .is_some());
}

#[tokio::test]
async fn missing_baseline_and_deleted_object_are_recorded_not_failed() {
    let store = MemoryStore::new();
    let sink = MemorySink::new();
    let key = capture_key("gone.jsonl");
    // No baseline, and the object does not exist (deleted between the event and the read).
    let resp = invoke(&handler(&store, &sink), &[&key]).await.unwrap();
    assert_eq!(resp.objects[0].outcome, "fault");
    assert!(
        resp.objects[0].detail.contains("object_not_found"),
        "{resp:?}"
    );
    let s = summary(&store);
    assert_eq!(s.faults.counts.get("object_not_found"), Some(&1));
    assert_ne!(s.status, Status::Ok);
}

#[tokio::test]
async fn malformed_lines_are_counted_and_violated() {
    let (store, sink) = ports_with_baseline();
    let mut body = capture_file(6, 500, 0.0, 10);
    body.push_str("{not json\n");
    body.push_str("\u{0}\u{1}binary\n");
    let key = capture_key("bad.jsonl");
    store.insert(BUCKET, &key, body);
    invoke(&handler(&store, &sink), &[&key]).await.unwrap();
    let s = summary(&store);
    assert_eq!(s.records, 500);
    assert_eq!(s.malformed_records, 2, "{:?}", s.faults);
    assert!(s
        .violations
        .iter()
        .any(|v| v.feature_name == "_malformed_records"));
}

#[tokio::test]
async fn insufficient_data_below_min_records() {
    let (store, sink) = ports_with_baseline();
    let key = put_capture(&store, "small.jsonl", capture_file(7, 40, 3.0, 10));
    invoke(&handler(&store, &sink), &[&key]).await.unwrap();
    let s = summary(&store);
    assert_eq!(s.status, Status::InsufficientData);
    assert!(!s.drift_detected);
    let dims = [("Endpoint", "ep"), ("Variant", "AllTraffic")];
    assert_eq!(
        sink.values("Driftline", "InsufficientData", &dims),
        vec![1.0]
    );
}

#[tokio::test]
async fn transient_errors_fail_the_invocation() {
    let (store, sink) = ports_with_baseline();
    let key = put_capture(&store, "t.jsonl", capture_file(8, 300, 0.0, 10));
    store.inject(
        Fault::new(StoreOp::Get, PortError::Transient("SlowDown".into()))
            .key(key.clone())
            .times(1),
    );
    let err = invoke(&handler(&store, &sink), &[&key]).await.unwrap_err();
    assert!(err.to_string().contains("SlowDown"), "{err}");
    // The retry succeeds.
    invoke(&handler(&store, &sink), &[&key]).await.unwrap();
    assert_eq!(summary(&store).records, 300);
}

#[tokio::test]
async fn retries_are_idempotent() {
    let (store, sink) = ports_with_baseline();
    let key = put_capture(&store, "i.jsonl", capture_file(9, 1_000, 0.5, 10));
    let h = handler(&store, &sink);
    invoke(&h, &[&key]).await.unwrap();
    let dir = format!("driftline/reports/ep/AllTraffic/{HOUR}/");
    let snapshot = |store: &MemoryStore| {
        store
            .keys(BUCKET)
            .into_iter()
            .filter(|k| k.starts_with("driftline/"))
            .map(|k| (k.clone(), store.object(BUCKET, &k).unwrap()))
            .collect::<Vec<_>>()
    };
    let first = snapshot(&store);
    assert!(first.iter().any(|(k, _)| k.starts_with(&dir)));
    invoke(&h, &[&key]).await.unwrap();
    assert_eq!(first, snapshot(&store));
}

#[tokio::test]
async fn concurrent_files_of_one_hour_all_end_up_in_the_window() {
    let (store, sink) = ports_with_baseline();
    let mut keys = Vec::new();
    for i in 0..20 {
        let k = capture_key(&format!("f{i:02}.jsonl"));
        store.insert(BUCKET, &k, capture_file(100 + i, 150 + i as usize, 0.0, 10));
        keys.push(k);
    }
    let total: u64 = (0..20).map(|i| 150 + i).sum();
    let h = Arc::new(handler(&store, &sink));
    // 4 concurrent "invocations", 5 files each.
    let mut tasks = Vec::new();
    for chunk in keys.chunks(5) {
        let h = Arc::clone(&h);
        let chunk: Vec<String> = chunk.to_vec();
        tasks.push(tokio::spawn(async move {
            for k in chunk {
                invoke(&h, &[&k]).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let s = summary(&store);
    assert_eq!(s.records, total);
    assert_eq!(s.sources.len(), 20);
}

#[tokio::test]
async fn eventbridge_events_and_garbage() {
    let (store, sink) = ports_with_baseline();
    let key = put_capture(&store, "eb.jsonl", capture_file(10, 300, 0.0, 10));
    let ev = serde_json::json!({"version":"0","id":"1","detail-type":"Object Created","source":"aws.s3",
        "account":"1","time":"2026-11-25T10:00:00Z","region":"us-east-1","resources":[],
        "detail":{"version":"0","bucket":{"name":BUCKET},"object":{"key":key,"size":1}}});
    let h = handler(&store, &sink);
    let resp = h
        .handle(LambdaEvent::new(ev, Context::default()))
        .await
        .unwrap();
    assert_eq!(resp.objects[0].outcome, "analyzed");
    let bad = h
        .handle(LambdaEvent::new(
            serde_json::json!({"x": 1}),
            Context::default(),
        ))
        .await;
    assert!(bad.is_err());
}

fn state_key() -> String {
    format!("driftline/windows/ep/AllTraffic/{HOUR}/window.json")
}

/// Each file merges into the window state: reading the hour's partials does not grow with
/// the number of files already in the window.
#[tokio::test]
async fn each_file_reads_a_constant_number_of_objects() {
    let (store, sink) = ports_with_baseline();
    let h = handler(&store, &sink);
    let mut per_file = Vec::new();
    for i in 0..12 {
        let key = put_capture(
            &store,
            &format!("n{i:02}.jsonl"),
            capture_file(40 + i, 120, 0.0, 10),
        );
        let before = store.calls().len();
        invoke(&h, &[&key]).await.unwrap();
        let calls = &store.calls()[before..];
        let partial_reads = calls
            .iter()
            .filter(|c| c.op == StoreOp::Get && c.key.contains("/profiles/"))
            .count();
        assert_eq!(partial_reads, 0, "file {i} re-read partials: {calls:#?}");
        per_file.push(calls.len());
    }
    // From the second file on (history summaries are cached), every file costs the same.
    assert!(
        per_file[2..].windows(2).all(|w| w[0] == w[1]),
        "{per_file:?}"
    );
    // capture GET, 2 baseline GETs (conditional), partial + predictions PUT, state GET, LIST,
    // state PUT, 4 report PUTs, state HEAD.
    assert!(per_file[11] <= 13, "{per_file:?}");
    assert_eq!(summary(&store).records, 12 * 120);
}

/// A writer that stored its partial but died before updating the state: the next file of the
/// hour merges the orphaned partial too.
#[tokio::test]
async fn an_orphaned_partial_is_merged_by_the_next_file() {
    let (store, sink) = ports_with_baseline();
    let h = handler(&store, &sink);
    let a = put_capture(&store, "a.jsonl", capture_file(1, 300, 0.0, 10));
    invoke(&h, &[&a]).await.unwrap();
    // Simulate the crash: b's partial is written (by a handler on a copy), the state is not.
    let b = put_capture(&store, "b.jsonl", capture_file(2, 200, 0.0, 10));
    let state_before = store.object(BUCKET, &state_key()).unwrap();
    invoke(&h, &[&b]).await.unwrap();
    store.insert(BUCKET, &state_key(), state_before);
    let c = put_capture(&store, "c.jsonl", capture_file(3, 100, 0.0, 10));
    invoke(&h, &[&c]).await.unwrap();
    let s = summary(&store);
    assert_eq!(s.records, 600, "{:?}", s.sources);
    assert_eq!(s.sources.len(), 3);
}

/// A state that does not parse is rebuilt from the partials.
#[tokio::test]
async fn an_unreadable_state_is_rebuilt() {
    let (store, sink) = ports_with_baseline();
    let h = handler(&store, &sink);
    let a = put_capture(&store, "a.jsonl", capture_file(1, 300, 0.0, 10));
    invoke(&h, &[&a]).await.unwrap();
    store.insert(BUCKET, &state_key(), "{not json");
    let b = put_capture(&store, "b.jsonl", capture_file(2, 200, 0.0, 10));
    invoke(&h, &[&b]).await.unwrap();
    assert_eq!(summary(&store).records, 500);
}

/// The baseline is cached per process but follows S3: a deleted or replaced baseline is seen
/// by the next file.
#[tokio::test]
async fn the_baseline_cache_follows_s3() {
    let (store, sink) = ports_with_baseline();
    let h = handler(&store, &sink);
    let a = put_capture(&store, "a.jsonl", capture_file(1, 300, 0.0, 10));
    invoke(&h, &[&a]).await.unwrap();
    assert_eq!(summary(&store).status, Status::Ok);
    assert!(store.remove(BUCKET, "driftline/baselines/ep/statistics.json"));
    let b = put_capture(&store, "b.jsonl", capture_file(2, 300, 0.0, 10));
    invoke(&h, &[&b]).await.unwrap();
    assert_eq!(summary(&store).status, Status::NoBaseline);
    with_baseline(&store);
    // A constraints file that is not valid JSON is now in force: the report says so.
    store.insert(BUCKET, "driftline/baselines/ep/constraints.json", "{oops");
    let c = put_capture(&store, "c.jsonl", capture_file(3, 300, 0.0, 10));
    invoke(&h, &[&c]).await.unwrap();
    let s = summary(&store);
    assert_eq!(s.status, Status::NoBaseline, "{s:?}");
    assert!(s.reason.unwrap_or_default().contains("invalid"));
    with_baseline(&store);
    let d = put_capture(&store, "d.jsonl", capture_file(4, 300, 0.0, 10));
    invoke(&h, &[&d]).await.unwrap();
    assert_eq!(summary(&store).status, Status::Ok);
}

/// Conditional writes that keep losing (a hot window) end in a transient error, so Lambda
/// retries; a lost race or two is absorbed.
#[tokio::test]
async fn lost_races_are_retried_then_fail_transiently() {
    let (store, sink) = ports_with_baseline();
    let h = handler(&store, &sink);
    let a = put_capture(&store, "a.jsonl", capture_file(1, 300, 0.0, 10));
    store.inject(
        Fault::new(StoreOp::Put, PortError::Conflict("412".into()))
            .key(state_key())
            .times(2),
    );
    invoke(&h, &[&a]).await.unwrap();
    assert_eq!(summary(&store).records, 300);
    store.inject(
        Fault::new(StoreOp::Put, PortError::Conflict("412".into()))
            .key(state_key())
            .times(usize::MAX),
    );
    let b = put_capture(&store, "b.jsonl", capture_file(2, 300, 0.0, 10));
    let err = invoke(&h, &[&b]).await.unwrap_err();
    assert!(err.to_string().contains("conditional writes lost"), "{err}");
}

/// Each capture file's predictions are stored for the model-quality join: key, time, label.
#[tokio::test]
async fn predictions_are_recorded_per_file() {
    let (store, sink) = ports_with_baseline();
    let h = handler(&store, &sink);
    let a = put_capture(&store, "p.jsonl", capture_file(5, 250, 0.0, 10));
    invoke(&h, &[&a]).await.unwrap();
    let body = store
        .object(
            BUCKET,
            &format!("driftline/predictions/ep/AllTraffic/{HOUR}/p.jsonl"),
        )
        .expect("predictions written");
    let mut got = Vec::new();
    let bad = driftline_capture::predictions::read_predictions(&body[..], |p| got.push(p)).unwrap();
    assert_eq!((got.len(), bad), (250, 0));
    // The generator's first output column is the prediction; the key is the inferenceId.
    let first = capture_file(5, 1, 0.0, 10);
    let v: serde_json::Value = serde_json::from_str(first.lines().next().unwrap()).unwrap();
    assert_eq!(
        got[0].key,
        v["eventMetadata"]["inferenceId"].as_str().unwrap()
    );
    assert_eq!(
        got[0].label.as_deref(),
        v["captureData"]["endpointOutput"]["data"].as_str()
    );
    assert!(got[0].time_ms.is_some());
}

/// With scores recorded and a calibration in the model-quality baseline, each window carries
/// the model quality estimated from its scores (summed over its files) and emits it under
/// its own metric names.
#[tokio::test]
async fn windows_estimate_model_quality_from_calibrated_scores() {
    let (store, sink) = ports_with_baseline();
    let config = Config::from_env(&MapEnv::from([
        ("DRIFTLINE_BUCKET", BUCKET),
        ("PROBABILITY_ATTRIBUTE", "0"),
    ]))
    .unwrap();
    // Calibrated scores are their own probabilities except at the ends.
    store.insert(
        BUCKET,
        "driftline/baselines/ep/model-quality/calibration.json",
        r#"{"scores":[0.1,0.9],"probabilities":[0.0,1.0],"fitted_on":100}"#,
    );
    let h = Handler::new(store.clone(), sink.clone(), config);
    let a = put_capture(&store, "a.jsonl", capture_file(5, 250, 0.0, 10));
    let b = put_capture(&store, "b.jsonl", capture_file(6, 150, 0.0, 10));
    invoke(&h, &[&a]).await.unwrap();
    invoke(&h, &[&b]).await.unwrap();

    // Independently: each stored prediction's expected correctness under the calibration.
    let (mut correct, mut n) = (0.0, 0u64);
    for f in ["a", "b"] {
        let body = store
            .object(
                BUCKET,
                &format!("driftline/predictions/ep/AllTraffic/{HOUR}/{f}.jsonl"),
            )
            .unwrap();
        for line in String::from_utf8(body.to_vec()).unwrap().lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let s = v["s"].as_f64().expect("a score");
            let p = ((s - 0.1) / 0.8).clamp(0.0, 1.0);
            correct += if s >= 0.5 { p } else { 1.0 - p };
            n += 1;
        }
    }
    let e = summary(&store).estimated_quality.expect("an estimate");
    assert_eq!((e.metrics.predictions, n), (400, 400));
    assert!((e.metrics.accuracy - correct / n as f64).abs() < 1e-12);
    assert!(e.assumption.contains("calibrated"));
    let dims = [("Endpoint", "ep"), ("Variant", "AllTraffic")];
    let emitted = sink.values("Driftline", "EstimatedAccuracy", &dims);
    assert_eq!(emitted.len(), 2);
    assert!((emitted[1] - e.metrics.accuracy).abs() < 1e-12);

    // An invalid calibration is no estimate, not a failure.
    store.insert(
        BUCKET,
        "driftline/baselines/ep/model-quality/calibration.json",
        r#"{"scores":[0.9,0.1],"probabilities":[0.0,1.0],"fitted_on":1}"#,
    );
    let c = put_capture(&store, "c.jsonl", capture_file(7, 100, 0.0, 10));
    let r = invoke(&h, &[&c]).await.unwrap();
    assert_eq!(r.objects[0].outcome, "analyzed");
    assert_eq!(
        summary(&store)
            .estimated_quality
            .unwrap()
            .metrics
            .predictions,
        400,
        "c.jsonl added no estimate"
    );
}

/// A value outside the training range reaches the violations with the record it came from, the
/// summary and the metrics (total and per feature); an invalid value-constraints file is noted
/// in the report and the ranges are suggested from the baseline instead.
#[tokio::test]
async fn out_of_range_values_are_reported_with_their_record() {
    let (store, sink) = ports_with_baseline();
    let h = handler(&store, &sink);
    let mut lines: Vec<serde_json::Value> = capture_file(8, 300, 0.0, 10)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    lines[17]["captureData"]["endpointInput"]["data"] = "-900,2,0.1".into();
    let event_id = lines[17]["eventMetadata"]["eventId"]
        .as_str()
        .unwrap()
        .to_string();
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let key = put_capture(&store, "oor.jsonl", body);
    invoke(&h, &[&key]).await.unwrap();

    let v: serde_json::Value = serde_json::from_slice(
        &store
            .object(
                BUCKET,
                &format!("driftline/reports/ep/AllTraffic/{HOUR}/constraint_violations.json"),
            )
            .unwrap(),
    )
    .unwrap();
    let hit = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["feature_name"] == "_c1" && x["constraint_check_type"] == "non_negative_check")
        .unwrap_or_else(|| panic!("{v:#}"));
    let d = hit["description"].as_str().unwrap();
    assert!(d.starts_with("_c1 = -900 in 1 of 300 records"), "{d}");
    assert!(
        d.ends_with(&format!("s3://{BUCKET}/{key} line 18 (eventId {event_id})")),
        "{d}"
    );
    let s = summary(&store);
    let c1 = s.features.iter().find(|f| f.name == "_c1").unwrap();
    assert_eq!(c1.values.as_ref().unwrap().negative, 1);
    let dims = [("Endpoint", "ep"), ("Variant", "AllTraffic")];
    assert_eq!(
        sink.values("Driftline", "OutOfRangeValues", &dims),
        vec![1.0]
    );
    let per = [
        ("Endpoint", "ep"),
        ("Variant", "AllTraffic"),
        ("Feature", "_c1"),
    ];
    assert_eq!(
        sink.values("Driftline", "OutOfRangeValues", &per),
        vec![1.0]
    );

    // Tuned by the operator: an invalid file is said in the report, not silently ignored.
    store.insert(
        BUCKET,
        "driftline/baselines/ep/driftline-constraints.json",
        r#"{"version": 1, "range_tolerance": "wide"}"#,
    );
    let h2 = handler(&store, &sink);
    let key2 = put_capture(&store, "oor2.jsonl", capture_file(9, 120, 0.0, 10));
    invoke(&h2, &[&key2]).await.unwrap();
    let s = summary(&store);
    assert!(
        s.reason
            .as_deref()
            .is_some_and(|r| r.contains("driftline-constraints.json is invalid")),
        "{:?}",
        s.reason
    );
}

/// A baseline of the training features alone against captures that carry the output: with
/// both sides analysed (the default) every record is malformed and the reason names the fix;
/// with `CAPTURE_INDEX_NAMES=endpointInput` nothing is, the features keep the baseline's names
/// and the predictions are still recorded from the output.
#[tokio::test]
async fn input_only_analysis_against_a_features_only_baseline() {
    let run = |env: Vec<(&'static str, &'static str)>| async move {
        let store = MemoryStore::new();
        let (s, c) = features_only_baseline(1, 20_000);
        store.insert(BUCKET, "driftline/baselines/ep/statistics.json", s);
        store.insert(BUCKET, "driftline/baselines/ep/constraints.json", c);
        let mut vars = MapEnv::from([("DRIFTLINE_BUCKET", BUCKET)]);
        for (k, v) in env {
            vars.set(k, v);
        }
        let config = Config::from_env(&vars).unwrap();
        let h = Handler::new(store.clone(), MemorySink::new(), config);
        let key = put_capture(&store, "in.jsonl", capture_file(7, 300, 0.0, 10));
        invoke(&h, &[&key]).await.unwrap();
        store
    };

    let store = run(vec![]).await;
    let s = summary(&store);
    assert_eq!((s.records, s.malformed_records), (0, 300));
    let reason = &s.faults.examples[0].reason;
    assert!(
        reason.contains("CAPTURE_INDEX_NAMES=endpointInput"),
        "{reason}"
    );

    let store = run(vec![("CAPTURE_INDEX_NAMES", "endpointInput")]).await;
    let s = summary(&store);
    assert_eq!((s.records, s.malformed_records), (300, 0), "{:?}", s.faults);
    assert_eq!(s.status, Status::Ok);
    let names: Vec<&str> = s.features.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["area", "rooms", "noise"]);
    let body = store
        .object(
            BUCKET,
            &format!("driftline/predictions/ep/AllTraffic/{HOUR}/in.jsonl"),
        )
        .expect("predictions written");
    let mut got = Vec::new();
    driftline_capture::predictions::read_predictions(&body[..], |p| got.push(p)).unwrap();
    assert_eq!(got.len(), 300);
    let first = capture_file(7, 1, 0.0, 10);
    let v: serde_json::Value = serde_json::from_str(first.lines().next().unwrap()).unwrap();
    assert_eq!(
        got[0].label.as_deref(),
        v["captureData"]["endpointOutput"]["data"].as_str()
    );
}

/// A capture object that cannot be read (a permanent GetObject error: access denied, a KMS key
/// that refuses, an archived object) does not vanish: the invocation succeeds, the window's
/// faults name it, and `UnreadableObjects` = 1 is emitted where an alarm sees it (0 for a
/// file that was read).
#[tokio::test]
async fn an_unreadable_object_is_counted_in_a_metric() {
    let (store, sink) = ports_with_baseline();
    let h = handler(&store, &sink);
    let good = put_capture(&store, "good.jsonl", capture_file(3, 150, 0.0, 10));
    let denied = put_capture(&store, "denied.jsonl", capture_file(4, 150, 0.0, 10));
    store.inject(
        Fault::new(
            StoreOp::Get,
            PortError::Permanent("AccessDenied: kms:Decrypt".into()),
        )
        .key(denied.clone()),
    );
    invoke(&h, &[&good]).await.unwrap();
    let resp = invoke(&h, &[&denied]).await.unwrap();
    assert_eq!(resp.objects[0].outcome, "fault", "{resp:?}");
    let dims = [("Endpoint", "ep"), ("Variant", "AllTraffic")];
    assert_eq!(
        sink.values("Driftline", "UnreadableObjects", &dims),
        vec![0.0, 1.0]
    );
    let s = summary(&store);
    assert_eq!(s.faults.counts.get("object_unreadable"), Some(&1));
    assert!(s
        .faults
        .examples
        .iter()
        .any(|e| e.kind == "object_unreadable" && e.reason.contains("AccessDenied")));
    assert_eq!(s.records, 150);
}

/// Request keys are not trusted to name metrics: a JSON capture with an extra key (here 300
/// characters long, which CloudWatch would refuse as a metric name) gives SageMaker-style
/// per-feature metrics for the baseline's features only, and they are all still emitted.
#[tokio::test]
async fn per_feature_metrics_only_for_baseline_features() {
    use driftline_stats::jackson::to_string_pretty;
    use driftline_stats::profile::{Cell, DatasetProfile};
    use driftline_stats::suggest::suggest_constraints;
    let store = MemoryStore::new();
    let sink = MemorySink::new();
    let mut p = DatasetProfile::new();
    let (a, b) = (p.column_index("a"), p.column_index("b"));
    for i in 0..500 {
        p.update(a, Cell::Float(f64::from(i % 50)));
        p.update(b, Cell::Float(f64::from(i % 7)));
    }
    p.add_records(500);
    let stats = p.to_statistics();
    store.insert(
        BUCKET,
        "driftline/baselines/ep/statistics.json",
        to_string_pretty(&stats),
    );
    store.insert(
        BUCKET,
        "driftline/baselines/ep/constraints.json",
        to_string_pretty(&suggest_constraints(&stats)),
    );
    let evil = "k".repeat(300);
    let mut body = String::new();
    for i in 0..200 {
        let payload = format!("{{\"a\": {}, \"b\": {}, \"{evil}\": 1}}", i % 50, i % 7);
        body.push_str(
            &serde_json::json!({"captureData": {"endpointInput": {"observedContentType": "application/json",
                "mode": "INPUT", "data": payload, "encoding": "JSON"}},
                "eventMetadata": {"eventId": format!("e{i}"), "inferenceTime": "2026-11-25T10:00:00Z"},
                "eventVersion": "0"})
            .to_string(),
        );
        body.push('\n');
    }
    let key = put_capture(&store, "json.jsonl", body);
    invoke(&handler(&store, &sink), &[&key]).await.unwrap();
    let names: Vec<String> = sink
        .datums()
        .unwrap()
        .into_iter()
        .filter(|d| d.namespace == "aws/sagemaker/Endpoints/data-metrics")
        .map(|d| d.name)
        .collect();
    assert!(names.contains(&"feature_data_a".to_string()), "{names:?}");
    assert!(
        names.contains(&"feature_non_null_b".to_string()),
        "{names:?}"
    );
    assert!(!names.iter().any(|n| n.contains("kkkk")), "{names:?}");
}

/// An S3 notification announcing `key` with its real size (as S3 sends it).
fn sized_event(key: &str, size: Option<usize>) -> serde_json::Value {
    let mut ev = s3_event(BUCKET, &[key]);
    ev["Records"][0]["s3"]["object"]["size"] = match size {
        Some(n) => n.into(),
        None => serde_json::Value::Null,
    };
    if size.is_none() {
        ev["Records"][0]["s3"]["object"]
            .as_object_mut()
            .unwrap()
            .remove("size");
    }
    ev
}

fn gzip(text: &str) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(text.as_bytes()).unwrap();
    gz.finish().unwrap()
}

/// A body cut short by the network (the connection closes early, no error) is retried, not
/// recorded as a truncated file: the bytes read are fewer than the object's size. After the
/// retry every record is counted and no fault remains. (Before: a `truncated_gzip` fault and
/// the invocation succeeded, the rest of the file lost.)
#[tokio::test]
async fn a_body_cut_by_the_network_is_retried_not_recorded() {
    let (store, sink) = ports_with_baseline();
    let h = handler(&store, &sink);
    let body = gzip(&capture_file(61, 3_000, 0.0, 10));
    let key = put_capture(&store, "cut.jsonl", String::new());
    store.insert(BUCKET, &key, body.clone());
    store.truncate_stream_after(BUCKET, &key, body.len() / 2);
    for size in [Some(body.len()), None] {
        let err = h
            .handle(LambdaEvent::new(
                sized_event(&key, size),
                Context::default(),
            ))
            .await
            .expect_err("a cut body fails the invocation");
        assert!(
            err.to_string()
                .contains(&format!("of {} bytes", body.len())),
            "{err}"
        );
    }
    assert!(store
        .object(
            BUCKET,
            "driftline/profiles/ep/AllTraffic/2026/11/25/10/cut.json"
        )
        .is_none());
    // The network is back: Lambda's retry reads the whole object.
    store.heal_stream(BUCKET, &key);
    let resp = h
        .handle(LambdaEvent::new(
            sized_event(&key, Some(body.len())),
            Context::default(),
        ))
        .await
        .unwrap();
    assert_eq!(resp.objects[0].outcome, "analyzed", "{resp:?}");
    let s = summary(&store);
    assert_eq!(s.records, 3_000);
    assert!(
        !s.faults.counts.contains_key("truncated_gzip"),
        "{:?}",
        s.faults
    );

    // A plain (uncompressed) body cut short is retried too.
    let plain = capture_file(62, 500, 0.0, 10);
    let key2 = put_capture(&store, "cut-plain.jsonl", plain.clone());
    store.truncate_stream_after(BUCKET, &key2, plain.len() - 100);
    assert!(h
        .handle(LambdaEvent::new(
            sized_event(&key2, Some(plain.len())),
            Context::default()
        ))
        .await
        .is_err());
}

/// An object that is itself a cut-short gzip file is a fault of the file: recorded, counted,
/// and the invocation succeeds (a retry would read the same bytes).
#[tokio::test]
async fn a_truncated_gzip_object_is_recorded() {
    let (store, sink) = ports_with_baseline();
    let h = handler(&store, &sink);
    let full = gzip(&capture_file(63, 2_000, 0.0, 10));
    let cut = full[..full.len() / 2].to_vec();
    let key = put_capture(&store, "short.jsonl", String::new());
    store.insert(BUCKET, &key, cut.clone());
    for size in [Some(cut.len()), None] {
        let resp = h
            .handle(LambdaEvent::new(
                sized_event(&key, size),
                Context::default(),
            ))
            .await
            .unwrap();
        assert_eq!(resp.objects[0].outcome, "analyzed", "{resp:?}");
    }
    let s = summary(&store);
    assert_eq!(
        s.faults.counts.get("truncated_gzip"),
        Some(&1),
        "{:?}",
        s.faults
    );
    assert!(s.records > 0 && s.records < 2_000, "{}", s.records);
}
