//! evaluate-quality's handler with the in-memory ports (no AWS, no emulator).

use driftline_aws::config::MapEnv;
use driftline_aws::emf::MemorySink;
use driftline_aws::ports::memory::{Fault, MemoryStore, StoreOp};
use driftline_aws::ports::PortError;
use driftline_stats::quality::analysis::QualitySummary;
use driftline_stats::quality::constraints::QualityConstraints;
use driftline_stats::quality::state::{Observation, ProblemType, QualityState};
use evaluate_quality::config::Config;
use evaluate_quality::handler::{Handler, HandlerError, Response};
use lambda_runtime::{Context, LambdaEvent};
use serde_json::json;
use std::sync::Arc;

const BUCKET: &str = "eq-test";
const H9: i64 = 1_795_597_200_000; // 2026-11-25T09:00:00Z

fn config(extra: &[(&str, &str)]) -> Config {
    let mut env = MapEnv::from([
        ("DRIFTLINE_BUCKET", BUCKET),
        ("GROUND_TRUTH_LOOKBACK_HOURS", "72"),
    ]);
    for (k, v) in extra {
        env.set(k, v);
    }
    Config::from_env(&env).unwrap()
}

fn handler(
    store: &MemoryStore,
    sink: &MemorySink,
    extra: &[(&str, &str)],
) -> Handler<MemoryStore, MemorySink> {
    Handler::new(store.clone(), sink.clone(), config(extra))
}

/// Predictions of one capture file in `hour` (index from 09:00): ids `{prefix}{i}`, predicted
/// label `i % 2`, score.
fn put_predictions(store: &MemoryStore, hour: i64, file: &str, prefix: &str, n: usize) {
    let mut body = String::new();
    for i in 0..n {
        let t = H9 + hour * 3_600_000 + i as i64 * 1000;
        let label = i % 2;
        let score = if label == 1 { 0.7 } else { 0.3 };
        body.push_str(
            &json!({"k": format!("{prefix}{i}"), "t": t, "l": label.to_string(), "s": score})
                .to_string(),
        );
        body.push('\n');
    }
    let h = 9 + hour;
    store.insert(
        BUCKET,
        &format!("driftline/predictions/ep/AllTraffic/2026/11/25/{h:02}/{file}.jsonl"),
        body,
    );
}

/// Ground truth for `ids`: label = predicted label unless `flip(i)`.
fn put_labels(store: &MemoryStore, key: &str, ids: &[(String, &str)]) {
    let mut body = String::new();
    for (id, label) in ids {
        body.push_str(
            &json!({"groundTruthData": {"data": label, "encoding": "CSV"},
            "eventMetadata": {"eventId": id}, "eventVersion": "0"})
            .to_string(),
        );
        body.push('\n');
    }
    store.insert(BUCKET, key, body);
}

fn labels(prefix: &str, n: usize, wrong_every: usize) -> Vec<(String, &'static str)> {
    (0..n)
        .map(|i| {
            let right = if i % 2 == 1 { "1" } else { "0" };
            let wrong = if i % 2 == 1 { "0" } else { "1" };
            let l = if wrong_every > 0 && i % wrong_every == 0 {
                wrong
            } else {
                right
            };
            (format!("{prefix}{i}"), l)
        })
        .collect()
}

async fn invoke(h: &Handler<MemoryStore, MemorySink>, key: &str) -> Result<Response, HandlerError> {
    let ev = json!({"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
        "s3": {"bucket": {"name": BUCKET}, "object": {"key": key.replace(' ', "+"), "size": 1}}}]});
    h.handle(LambdaEvent::new(ev, Context::default())).await
}

fn summary(store: &MemoryStore, hour: u32) -> QualitySummary {
    let key = format!("driftline/quality/ep/AllTraffic/2026/11/25/{hour:02}/summary.json");
    serde_json::from_slice(
        &store
            .object(BUCKET, &key)
            .unwrap_or_else(|| panic!("no {key}")),
    )
    .unwrap()
}

fn metric(s: &QualitySummary, name: &str) -> f64 {
    s.metrics.iter().find(|m| m.name == name).unwrap().value
}

/// A binary baseline with accuracy 0.9 and its suggested constraints.
fn put_baseline(store: &MemoryStore) {
    let mut st = QualityState::new(ProblemType::BinaryClassification);
    for i in 0..1000 {
        let actual = i % 2 == 0;
        let predicted = if i % 10 == 0 { !actual } else { actual };
        st.observe(
            &i.to_string(),
            Observation::Binary {
                actual,
                predicted,
                score: Some(if predicted { 0.7 } else { 0.3 }),
            },
        )
        .unwrap();
    }
    let stats = st.statistics(None);
    store.insert(
        BUCKET,
        "driftline/baselines/ep/model-quality/statistics.json",
        stats.to_json(),
    );
    store.insert(
        BUCKET,
        "driftline/baselines/ep/model-quality/constraints.json",
        QualityConstraints::suggest(&stats).to_json(),
    );
}

#[tokio::test]
async fn late_labels_update_the_windows_of_their_predictions() {
    let store = MemoryStore::new();
    let sink = MemorySink::new();
    put_baseline(&store);
    put_predictions(&store, 0, "a", "x", 300); // 09:00
    put_predictions(&store, 1, "b", "y", 300); // 10:00
                                               // Labels collected two days later; in the 09:00 window every 10th is wrong (accuracy 0.9,
                                               // as the baseline), in the 10:00 window every 3rd (accuracy 0.67: degraded).
    let mut ids = labels("x", 300, 10);
    ids.extend(labels("y", 300, 3));
    ids.push(("never-predicted".into(), "1"));
    let key = "groundtruth/ep/2026/11/27/09/labels.jsonl";
    put_labels(&store, key, &ids);
    let h = handler(&store, &sink, &[]);
    let r = invoke(&h, key).await.unwrap();
    let o = &r.objects[0];
    assert_eq!(
        (o.outcome.as_str(), o.labels, o.matched, o.unmatched),
        ("analyzed", 601, 600, 1),
        "{o:?}"
    );
    assert_eq!(o.windows.len(), 2);
    let s9 = summary(&store, 9);
    assert_eq!(s9.matched, 300);
    assert!((metric(&s9, "accuracy") - 0.9).abs() < 1e-12);
    assert_eq!(
        s9.status,
        driftline_stats::quality::analysis::QualityStatus::Ok,
        "{s9:?}"
    );
    assert_eq!(s9.predictions, Some(300));
    assert_eq!(s9.predictions_without_label, Some(0));
    let s10 = summary(&store, 10);
    assert_eq!(
        s10.status,
        driftline_stats::quality::analysis::QualityStatus::Degraded
    );
    assert!(s10.degraded_metrics.contains(&"accuracy".to_string()));
    assert!(s10.violation_count > 0);
    // The Model Monitor files are there too, and the metrics under SageMaker's names.
    for f in [
        "statistics.json",
        "constraint_violations.json",
        "report.html",
    ] {
        assert!(
            store
                .object(
                    BUCKET,
                    &format!("driftline/quality/ep/AllTraffic/2026/11/25/10/{f}")
                )
                .is_some(),
            "{f}"
        );
    }
    let acc = sink.values(
        "aws/sagemaker/Endpoints/model-metrics",
        "accuracy",
        &[("Endpoint", "ep"), ("MonitoringSchedule", "driftline")],
    );
    assert_eq!(acc.len(), 2);
    let degraded = sink.values(
        "Driftline",
        "QualityDegraded",
        &[("Endpoint", "ep"), ("Variant", "AllTraffic")],
    );
    assert_eq!(degraded.iter().sum::<f64>(), 1.0);
    assert_eq!(
        sink.values("Driftline", "UnmatchedLabels", &[("Endpoint", "ep")]),
        [1.0]
    );
    // The label outcome record.
    assert!(store
        .object(
            BUCKET,
            "driftline/quality-labels/ep/2026/11/27/09/labels.json"
        )
        .is_some());
}

#[tokio::test]
async fn redelivery_changes_nothing_and_a_second_file_adds_up() {
    let store = MemoryStore::new();
    let sink = MemorySink::new();
    put_baseline(&store);
    put_predictions(&store, 0, "a", "x", 200);
    let ids = labels("x", 200, 0);
    put_labels(
        &store,
        "groundtruth/ep/2026/11/25/12/one.jsonl",
        &ids[..120],
    );
    put_labels(
        &store,
        "groundtruth/ep/2026/11/25/13/two.jsonl",
        &ids[120..],
    );
    let h = handler(&store, &sink, &[]);
    invoke(&h, "groundtruth/ep/2026/11/25/12/one.jsonl")
        .await
        .unwrap();
    let first = store.object(
        BUCKET,
        "driftline/quality/ep/AllTraffic/2026/11/25/09/summary.json",
    );
    invoke(&h, "groundtruth/ep/2026/11/25/12/one.jsonl")
        .await
        .unwrap();
    assert_eq!(
        summary(&store, 9).matched,
        120,
        "a redelivered file is merged once"
    );
    assert_eq!(
        first,
        store.object(
            BUCKET,
            "driftline/quality/ep/AllTraffic/2026/11/25/09/summary.json"
        )
    );
    invoke(&h, "groundtruth/ep/2026/11/25/13/two.jsonl")
        .await
        .unwrap();
    let s = summary(&store, 9);
    assert_eq!(s.matched, 200);
    assert_eq!(s.label_sources.len(), 2);
}

#[tokio::test]
async fn concurrent_label_files_for_one_window_are_all_merged() {
    let store = MemoryStore::new();
    let sink = MemorySink::new();
    put_predictions(&store, 0, "a", "x", 400);
    let ids = labels("x", 400, 0);
    let mut keys = Vec::new();
    for (i, chunk) in ids.chunks(50).enumerate() {
        let k = format!("groundtruth/ep/2026/11/25/12/part-{i}.jsonl");
        put_labels(&store, &k, chunk);
        keys.push(k);
    }
    let h = Arc::new(handler(
        &store,
        &sink,
        &[("PROBLEM_TYPE", "BinaryClassification")],
    ));
    let mut tasks = Vec::new();
    for k in keys {
        let h = Arc::clone(&h);
        tasks.push(tokio::spawn(async move { invoke(&h, &k).await.unwrap() }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let s = summary(&store, 9);
    assert_eq!(s.matched, 400);
    assert_eq!(s.label_sources.len(), 8);
    assert_eq!(
        s.status,
        driftline_stats::quality::analysis::QualityStatus::NoBaseline
    );
}

#[tokio::test]
async fn predictions_beyond_the_lookback_are_not_found() {
    let store = MemoryStore::new();
    let sink = MemorySink::new();
    put_predictions(&store, 0, "a", "x", 10);
    put_labels(
        &store,
        "groundtruth/ep/2026/11/25/12/gt.jsonl",
        &labels("x", 10, 0),
    );
    let h = handler(
        &store,
        &sink,
        &[
            ("PROBLEM_TYPE", "binary"),
            ("GROUND_TRUTH_LOOKBACK_HOURS", "2"),
        ],
    );
    let o = invoke(&h, "groundtruth/ep/2026/11/25/12/gt.jsonl")
        .await
        .unwrap()
        .objects
        .remove(0);
    assert_eq!((o.matched, o.unmatched, o.hours_searched), (0, 10, 3));
    let h = handler(
        &store,
        &sink,
        &[
            ("PROBLEM_TYPE", "binary"),
            ("GROUND_TRUTH_LOOKBACK_HOURS", "3"),
        ],
    );
    let o = invoke(&h, "groundtruth/ep/2026/11/25/12/gt.jsonl")
        .await
        .unwrap()
        .objects
        .remove(0);
    assert_eq!((o.matched, o.unmatched), (10, 0));
}

#[tokio::test]
async fn bad_input_is_recorded_and_transient_errors_retry() {
    let store = MemoryStore::new();
    let sink = MemorySink::new();
    put_predictions(&store, 0, "a", "x", 10);
    let key = "groundtruth/ep/2026/11/25/12/bad.jsonl";
    store.insert(
        BUCKET,
        key,
        format!(
            "not json\n{}\n{}\n",
            json!({"groundTruthData": {"data": "maybe", "encoding": "CSV"}, "eventMetadata": {"eventId": "x1"}, "eventVersion": "0"}),
            json!({"groundTruthData": {"data": "1", "encoding": "CSV"}, "eventMetadata": {}, "eventVersion": "0"})
        ),
    );
    // No problem type anywhere: a recorded fault, not a failure.
    let h = handler(&store, &sink, &[]);
    let o = invoke(&h, key).await.unwrap().objects.remove(0);
    assert_eq!(o.outcome, "fault");
    assert!(o.detail.unwrap().contains("PROBLEM_TYPE"));
    let h = handler(&store, &sink, &[("PROBLEM_TYPE", "binary")]);
    let o = invoke(&h, key).await.unwrap().objects.remove(0);
    // The keyless record is refused by the ground-truth reader (missing_data), the bad label
    // by the join (bad_pair).
    assert_eq!(o.labels, 1);
    assert_eq!(o.faults.counts["malformed_json"], 1);
    assert_eq!(o.faults.counts["bad_pair"], 1);
    assert_eq!(o.faults.counts["missing_data"], 1);
    // Deleted before it was read: recorded.
    let o = invoke(&h, "groundtruth/ep/2026/11/25/12/gone.jsonl")
        .await
        .unwrap()
        .objects
        .remove(0);
    assert_eq!(o.outcome, "fault");
    // Other keys are ignored.
    let o = invoke(&h, "groundtruth/ep/labels.jsonl")
        .await
        .unwrap()
        .objects
        .remove(0);
    assert_eq!(o.outcome, "ignored");
    // A throttled listing fails the invocation (Lambda retries).
    put_labels(
        &store,
        "groundtruth/ep/2026/11/25/12/ok.jsonl",
        &labels("x", 10, 0),
    );
    store.inject(Fault::new(
        StoreOp::List,
        PortError::Transient("SlowDown".into()),
    ));
    assert!(matches!(
        invoke(&h, "groundtruth/ep/2026/11/25/12/ok.jsonl").await,
        Err(HandlerError::Transient(_))
    ));
    assert_eq!(
        invoke(&h, "groundtruth/ep/2026/11/25/12/ok.jsonl")
            .await
            .unwrap()
            .objects[0]
            .matched,
        10
    );
}

/// The estimate analyze-capture made from the scores before the labels stands beside the
/// realized figures in the quality window once its labels arrive.
#[tokio::test]
async fn the_estimate_before_the_labels_is_shown_beside_the_realized_figures() {
    let store = MemoryStore::new();
    let sink = MemorySink::new();
    put_baseline(&store);
    put_predictions(&store, 0, "a", "x", 300);
    let estimated = json!({"predictions": 300, "accuracy": 0.93, "precision": 0.9,
        "recall": 0.95, "f1": 0.924, "assumption": "assumes calibrated scores"});
    store.insert(
        BUCKET,
        "driftline/reports/ep/AllTraffic/2026/11/25/09/summary.json",
        json!({"schema_version": 1, "status": "ok", "records": 300, "malformed_records": 0,
            "drift_detected": false, "violation_count": 0, "drifted_feature_count": 0,
            "features": [], "estimated_quality": estimated})
        .to_string(),
    );
    let key = "groundtruth/ep/2026/11/27/09/labels.jsonl";
    put_labels(&store, key, &labels("x", 300, 4));
    let h = handler(&store, &sink, &[]);
    invoke(&h, key).await.unwrap();
    let s = summary(&store, 9);
    let e = s.estimated.as_ref().expect("the estimate line");
    assert_eq!(e.metrics.predictions, 300);
    assert_eq!(e.metrics.accuracy, 0.93);
    assert!((metric(&s, "accuracy") - 0.75).abs() < 1e-12);
    let html = String::from_utf8(
        store
            .object(
                BUCKET,
                "driftline/quality/ep/AllTraffic/2026/11/25/09/report.html",
            )
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    assert!(html.contains("Estimated before the labels"), "{html}");
}
