//! evaluate-quality with the real S3 adapter against moto: the SDK's real capture records (their
//! predictions recorded by the same function analyze-capture uses) joined with the real ground
//! truth whose eventIds match them.

use aws_sdk_s3::primitives::ByteStream;
use driftline_aws::clients::s3_client;
use driftline_aws::config::MapEnv;
use driftline_aws::emf::MemorySink;
use driftline_aws::s3::S3Store;
use driftline_aws::testing::MotoServer;
use driftline_capture::predictions::{profile_with_predictions, Attribute, PredictionSpec};
use driftline_capture::CaptureOptions;
use driftline_stats::quality::analysis::QualitySummary;
use evaluate_quality::config::Config;
use evaluate_quality::handler::Handler;
use lambda_runtime::{Context, LambdaEvent};
use serde_json::Value;
use std::collections::HashMap;

const BUCKET: &str = "labels-and-reports";

fn data(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../../shared/stats/tests/data/model_quality/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[tokio::test]
async fn real_capture_and_ground_truth_through_s3() {
    let moto = MotoServer::start().expect("moto_server (run scripts/setup.sh)");
    let client = s3_client(&moto.sdk_config().await);
    client.create_bucket().bucket(BUCKET).send().await.unwrap();
    let put = |key: String, body: Vec<u8>| {
        let client = client.clone();
        async move {
            client
                .put_object()
                .bucket(BUCKET)
                .key(key)
                .body(ByteStream::from(body))
                .send()
                .await
                .unwrap();
        }
    };
    // The capture file's predictions, recorded as analyze-capture records them.
    let capture = data("capture.jsonl");
    let spec = PredictionSpec {
        inference: None,
        probability: Attribute::parse("0"),
        threshold: 0.5,
    };
    let (_, preds) = profile_with_predictions(
        capture.as_bytes(),
        "capture.jsonl",
        &CaptureOptions::default(),
        &spec,
        1 << 20,
    )
    .unwrap();
    // The fixture's inferenceTime is a template ("{%s}"): the file's hour is the window.
    put(
        "driftline/predictions/mq-endpoint/AllTraffic/2026/11/25/09/capture.jsonl".into(),
        preds.bytes,
    )
    .await;
    let gt_key = "groundtruth/mq-endpoint/2026/11/26/08/actuals.jsonl";
    put(gt_key.into(), data("actuals.jsonl").into_bytes()).await;

    let env = MapEnv::from([
        ("DRIFTLINE_BUCKET", BUCKET),
        ("PROBLEM_TYPE", "BinaryClassification"),
        ("MIN_LABELS", "10"),
    ]);
    let h = Handler::new(
        S3Store::new(client.clone()),
        MemorySink::new(),
        Config::from_env(&env).unwrap(),
    );
    let ev = serde_json::json!({"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
        "s3": {"bucket": {"name": BUCKET}, "object": {"key": gt_key, "size": 1}}}]});
    let r = h
        .handle(LambdaEvent::new(ev.clone(), Context::default()))
        .await
        .unwrap();
    let o = &r.objects[0];
    assert_eq!(o.outcome, "analyzed", "{o:?}");
    // Independent count from the two files.
    let scores: HashMap<String, f64> = capture
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["eventMetadata"]["eventId"].as_str().unwrap().to_string(),
                v["captureData"]["endpointOutput"]["data"]
                    .as_str()
                    .unwrap()
                    .parse()
                    .unwrap(),
            )
        })
        .collect();
    let mut right = 0;
    let mut n = 0;
    for l in data("actuals.jsonl").lines() {
        let v: Value = serde_json::from_str(l).unwrap();
        let y = v["groundTruthData"]["data"].as_str().unwrap() == "1";
        right += u32::from((scores[v["eventMetadata"]["eventId"].as_str().unwrap()] >= 0.5) == y);
        n += 1;
    }
    assert_eq!((o.labels, o.matched, o.unmatched), (n, n, 0));
    let get = |key: &str| {
        let client = client.clone();
        let key = key.to_string();
        async move {
            let out = client
                .get_object()
                .bucket(BUCKET)
                .key(key)
                .send()
                .await
                .unwrap();
            out.body.collect().await.unwrap().into_bytes()
        }
    };
    let dir = "driftline/quality/mq-endpoint/AllTraffic/2026/11/25/09";
    let s: QualitySummary =
        serde_json::from_slice(&get(&format!("{dir}/summary.json")).await).unwrap();
    assert_eq!(s.matched, n);
    let acc = s
        .metrics
        .iter()
        .find(|m| m.name == "accuracy")
        .unwrap()
        .value;
    assert!((acc - f64::from(right) / n as f64).abs() < 1e-15);
    let st: Value = serde_json::from_slice(&get(&format!("{dir}/statistics.json")).await).unwrap();
    assert_eq!(st["dataset"]["item_count"], n);
    // The redelivered event changes nothing.
    h.handle(LambdaEvent::new(ev, Context::default()))
        .await
        .unwrap();
    let again: QualitySummary =
        serde_json::from_slice(&get(&format!("{dir}/summary.json")).await).unwrap();
    assert_eq!(again.matched, n);
}
