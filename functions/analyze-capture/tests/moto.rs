//! Integration tests: the handler with the real S3 adapter (aws-sdk-s3) against moto in server
//! mode (started on 127.0.0.1 by `driftline_aws::testing::MotoServer`, stopped on drop).

mod common;

use analyze_capture::config::Config;
use analyze_capture::handler::{Handler, Response};
use aws_sdk_s3::primitives::ByteStream;
use common::{baseline_files, capture_file, s3_event};
use driftline_aws::clients::s3_client;
use driftline_aws::config::MapEnv;
use driftline_aws::emf::MemorySink;
use driftline_aws::s3::S3Store;
use driftline_aws::testing::MotoServer;
use driftline_stats::formats::statistics::Statistics;
use driftline_stats::jackson::to_string_pretty;
use driftline_stats::profile::{Cell, DatasetProfile};
use driftline_stats::suggest::suggest_constraints;
use driftline_stats::summary::Summary;
use lambda_runtime::{Context, LambdaEvent};
use std::sync::Arc;

const BUCKET: &str = "capture-and-reports";

struct Env {
    _moto: MotoServer,
    client: aws_sdk_s3::Client,
}

async fn env() -> Env {
    let moto = MotoServer::start().expect("moto_server (run scripts/setup.sh)");
    let cfg = moto.sdk_config().await;
    let client = s3_client(&cfg);
    client.create_bucket().bucket(BUCKET).send().await.unwrap();
    Env {
        _moto: moto,
        client,
    }
}

fn handler(env: &Env, extra: &[(&str, &str)]) -> Handler<S3Store, MemorySink> {
    let mut vars = MapEnv::from([("DRIFTLINE_BUCKET", BUCKET)]);
    for (k, v) in extra {
        vars.set(k, v);
    }
    let config = Config::from_env(&vars).unwrap();
    Handler::new(S3Store::new(env.client.clone()), MemorySink::new(), config)
}

async fn put(env: &Env, key: &str, body: impl Into<Vec<u8>>) {
    env.client
        .put_object()
        .bucket(BUCKET)
        .key(key)
        .body(ByteStream::from(body.into()))
        .send()
        .await
        .unwrap();
}

async fn get(env: &Env, key: &str) -> Vec<u8> {
    let out = env
        .client
        .get_object()
        .bucket(BUCKET)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GetObject {key}: {e:?}"));
    out.body.collect().await.unwrap().into_bytes().to_vec()
}

/// Stores an endpoint's baseline `statistics.json` and `constraints.json`.
async fn put_baseline(env: &Env, endpoint: &str, (statistics, constraints): (String, String)) {
    let dir = format!("driftline/baselines/{endpoint}");
    put(env, &format!("{dir}/statistics.json"), statistics).await;
    put(env, &format!("{dir}/constraints.json"), constraints).await;
}

/// Sends an S3 event naming `keys` (as S3 spells them) to the handler.
async fn invoke(h: &Handler<S3Store, MemorySink>, keys: &[&str]) -> Response {
    h.handle(LambdaEvent::new(s3_event(BUCKET, keys), Context::default()))
        .await
        .unwrap()
}

/// The `summary.json` of a report directory (`dir` ends with `/`).
async fn summary_in(env: &Env, dir: &str) -> Summary {
    serde_json::from_slice(&get(env, &format!("{dir}summary.json")).await).unwrap()
}

/// The churn baseline (70 named columns, label first) from the real training CSV.
fn churn_baseline() -> (String, String) {
    churn_baseline_of(0)
}

/// The churn baseline without its first `skip` columns (`1`: the training features alone).
fn churn_baseline_of(skip: usize) -> (String, String) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/stats/tests/data/churn/training-dataset-with-header.csv"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').skip(skip).collect();
    let mut p = DatasetProfile::new();
    let cols: Vec<usize> = header.iter().map(|h| p.column_index(h)).collect();
    let mut n = 0;
    for line in lines.filter(|l| !l.is_empty()) {
        for (c, v) in cols.iter().zip(line.split(',').skip(skip)) {
            p.update(
                *c,
                if v.is_empty() {
                    Cell::Missing
                } else {
                    Cell::Raw(v)
                },
            );
        }
        n += 1;
    }
    p.add_records(n);
    let stats = p.to_statistics();
    (
        to_string_pretty(&stats),
        to_string_pretty(&suggest_constraints(&stats)),
    )
}

#[tokio::test]
async fn real_churn_capture_records_with_a_named_baseline() {
    let env = env().await;
    put_baseline(&env, "churn-ep", churn_baseline()).await;
    let key = "datacapture/churn-ep/AllTraffic/2022/04/18/00/21-48-903-028573f5.jsonl";
    put(
        &env,
        key,
        include_str!("data/churn-capture.first-lines.jsonl"),
    )
    .await;

    let h = handler(&env, &[("MIN_RECORDS", "1")]);
    let resp = invoke(&h, &[key]).await;
    assert_eq!(resp.objects[0].outcome, "analyzed", "{resp:?}");

    let dir = "driftline/reports/churn-ep/AllTraffic/2022/04/18/00/";
    let summary = summary_in(&env, dir).await;
    assert_eq!(summary.records, 3);
    assert_eq!(summary.malformed_records, 0, "{:?}", summary.faults);
    let stats: Statistics =
        serde_json::from_slice(&get(&env, &format!("{dir}statistics.json")).await).unwrap();
    assert_eq!(stats.features.len(), 70);
    // Output first, named after the baseline's first column; the three captured scores.
    assert_eq!(stats.features[0].name, "Churn");
    let churn = stats.features[0].numerical_statistics.as_ref().unwrap();
    let expected = 0.036397725343704224 + 0.3791300654411316 + 0.017852725461125374;
    assert!((churn.sum.0 - expected).abs() < 1e-15, "{}", churn.sum.0);
    assert_eq!(stats.features[1].name, "Account Length");
    let al = stats.features[1].numerical_statistics.as_ref().unwrap();
    assert_eq!((al.min.0, al.max.0), (85.0, 132.0));
    let html = String::from_utf8(get(&env, &format!("{dir}report.html")).await).unwrap();
    assert!(html.contains("Account Length"));
    let violations =
        String::from_utf8(get(&env, &format!("{dir}constraint_violations.json")).await).unwrap();
    assert!(
        violations.starts_with("{\n  \"violations\" : ["),
        "{violations}"
    );
}

/// The usual baseline, the training features alone (Churn dropped), against the real capture
/// records that carry the score: `CAPTURE_INDEX_NAMES=endpointInput` analyses the 69 features
/// with nothing malformed, and the scores are still stored for the model-quality join.
#[tokio::test]
async fn features_only_baseline_with_input_only_analysis() {
    let env = env().await;
    put_baseline(&env, "churn-ep", churn_baseline_of(1)).await;
    let key = "datacapture/churn-ep/AllTraffic/2022/04/18/00/21-48-903-028573f5.jsonl";
    put(
        &env,
        key,
        include_str!("data/churn-capture.first-lines.jsonl"),
    )
    .await;
    let h = handler(
        &env,
        &[
            ("MIN_RECORDS", "1"),
            ("CAPTURE_INDEX_NAMES", "endpointInput"),
        ],
    );
    let resp = invoke(&h, &[key]).await;
    assert_eq!(resp.objects[0].outcome, "analyzed", "{resp:?}");
    let dir = "driftline/reports/churn-ep/AllTraffic/2022/04/18/00/";
    let summary = summary_in(&env, dir).await;
    assert_eq!(
        (summary.records, summary.malformed_records),
        (3, 0),
        "{:?}",
        summary.faults
    );
    let stats: Statistics =
        serde_json::from_slice(&get(&env, &format!("{dir}statistics.json")).await).unwrap();
    assert_eq!(stats.features.len(), 69);
    assert_eq!(stats.features[0].name, "Account Length");
    let preds = get(
        &env,
        "driftline/predictions/churn-ep/AllTraffic/2022/04/18/00/21-48-903-028573f5.jsonl",
    )
    .await;
    let mut got = Vec::new();
    driftline_capture::predictions::read_predictions(&preds[..], |p| got.push(p)).unwrap();
    let labels: Vec<&str> = got.iter().filter_map(|p| p.label.as_deref()).collect();
    assert_eq!(
        labels,
        [
            "0.036397725343704224",
            "0.3791300654411316",
            "0.017852725461125374"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_files_four_concurrent_invocations_nothing_lost() {
    let env = env().await;
    put_baseline(&env, "ep", baseline_files(1, 20_000)).await;
    let mut keys = Vec::new();
    let mut total = 0u64;
    for i in 0..20u64 {
        let n = 200 + 7 * i as usize;
        total += n as u64;
        let k = format!("datacapture/ep/AllTraffic/2026/11/25/10/part {i:02}.jsonl");
        put(&env, &k, capture_file(50 + i, n, 0.0, 10)).await;
        keys.push(k);
    }
    let h = Arc::new(handler(&env, &[]));
    let mut tasks = Vec::new();
    for chunk in keys.chunks(5) {
        let h = Arc::clone(&h);
        let chunk = chunk.to_vec();
        tasks.push(tokio::spawn(async move {
            for k in chunk {
                let encoded = k.replace(' ', "+");
                invoke(&h, &[&encoded]).await;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let summary = summary_in(&env, "driftline/reports/ep/AllTraffic/2026/11/25/10/").await;
    assert_eq!(summary.records, total);
    assert_eq!(summary.sources.len(), 20);
}

#[tokio::test]
async fn deleted_object_and_missing_baseline_are_recorded() {
    let env = env().await;
    let h = handler(&env, &[]);
    let key = "datacapture/ep/AllTraffic/2026/11/25/11/never-written.jsonl";
    let resp = invoke(&h, &[key]).await;
    assert_eq!(resp.objects[0].outcome, "fault");
    let summary = summary_in(&env, "driftline/reports/ep/AllTraffic/2026/11/25/11/").await;
    assert_eq!(summary.faults.counts.get("object_not_found"), Some(&1));
}
