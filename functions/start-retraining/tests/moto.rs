//! start-retraining through the real S3 and SageMaker adapters against moto: a pipeline is
//! created, started by the handler and its execution listed. (moto ignores
//! ClientRequestToken, so idempotency is tested at the port level in the unit tests.)

use driftline_aws::clients::{s3_client, sagemaker_client};
use driftline_aws::ports::PipelineRunner;
use driftline_aws::s3::S3Store;
use driftline_aws::sagemaker::SageMakerPipelines;
use driftline_aws::sns::SnsNotifier;
use driftline_aws::testing::MotoServer;
use lambda_runtime::{Context, LambdaEvent};
use serde_json::{json, Value};
use start_retraining::config::Config;
use start_retraining::handler::{handle, Deps};

const BUCKET: &str = "driftline-it";
const PIPELINE: &str = "churn-retrain";
const DIR: &str = "driftline/reports/churn-endpoint/AllTraffic/2026/11/25";

fn event() -> Value {
    let path = format!(
        "{}/../../shared/aws/tests/fixtures/alarms/eventbridge-drift-confirmed.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn summary(drift: bool, features: &[&str]) -> Vec<u8> {
    let fs: Vec<Value> = features
        .iter()
        .map(|n| json!({"name": n, "inferred_type": "Integral", "completeness": 1.0, "drifted": true, "drift": {}}))
        .collect();
    serde_json::to_vec(&json!({
        "schema_version": 1, "status": if drift { "drift" } else { "ok" }, "records": 2000,
        "malformed_records": 0, "drift_detected": drift, "violation_count": 0,
        "drifted_feature_count": fs.len(), "features": fs
    }))
    .unwrap()
}

#[tokio::test]
async fn starts_the_pipeline_then_cools_down() {
    let moto = MotoServer::start().expect("moto_server (run scripts/setup.sh)");
    let sdk = moto.sdk_config().await;
    let s3 = s3_client(&sdk);
    let sm = sagemaker_client(&sdk);
    s3.create_bucket().bucket(BUCKET).send().await.unwrap();
    for (hour, drift, fs) in [
        ("07", false, vec![]),
        ("08", true, vec!["age"]),
        ("09", true, vec!["balance", "age"]),
    ] {
        s3.put_object()
            .bucket(BUCKET)
            .key(format!("{DIR}/{hour}/summary.json"))
            .body(summary(drift, &fs).into())
            .send()
            .await
            .unwrap();
    }
    let definition = json!({
        "Version": "2020-12-01",
        "Parameters": [
            {"Name": "DriftReportUri", "Type": "String", "DefaultValue": ""},
            {"Name": "DriftedFeatures", "Type": "String", "DefaultValue": ""},
            {"Name": "DriftTriggerTime", "Type": "String", "DefaultValue": ""}
        ],
        "Steps": []
    });
    sm.create_pipeline()
        .pipeline_name(PIPELINE)
        .pipeline_definition(definition.to_string())
        .role_arn("arn:aws:iam::123456789012:role/driftline-retrain")
        .client_request_token("create-churn-retrain-pipeline-000000000000")
        .send()
        .await
        .unwrap();

    let deps: Deps<S3Store, SageMakerPipelines, SnsNotifier> = Deps {
        store: S3Store::new(s3.clone()),
        pipelines: SageMakerPipelines::new(sm.clone()),
        notifier: None,
        config: Config::from_env(&driftline_aws::config::MapEnv::from([
            ("DRIFTLINE_BUCKET", BUCKET),
            ("PIPELINE_NAME", PIPELINE),
        ]))
        .unwrap(),
    };
    let now = chrono::Utc::now();
    let r = handle(&deps, LambdaEvent::new(event(), Context::default()), now)
        .await
        .unwrap();
    assert_eq!(r.decision, "started", "{}", r.reason);
    let arn = r.execution_arn.clone().unwrap();

    let listed = deps.pipelines.list_executions(PIPELINE).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].arn, arn);
    assert_eq!(
        listed[0].display_name.as_deref(),
        Some("driftline-churn-endpoint-20261125T100602Z")
    );
    let params = sm
        .list_pipeline_parameters_for_execution()
        .pipeline_execution_arn(&arn)
        .send()
        .await
        .unwrap();
    let get = |n: &str| {
        params
            .pipeline_parameters()
            .iter()
            .find(|p| p.name() == Some(n))
            .and_then(|p| p.value())
            .map(str::to_string)
    };
    assert_eq!(get("DriftedFeatures").as_deref(), Some("balance,age"));
    assert_eq!(
        get("DriftReportUri"),
        Some(format!("s3://{BUCKET}/{DIR}/09/report.html"))
    );
    assert_eq!(
        get("DriftTriggerTime").as_deref(),
        Some("2026-11-25T10:06:02.335Z")
    );
    let audit = s3
        .get_object()
        .bucket(BUCKET)
        .key(r.audit_key.clone().unwrap())
        .send()
        .await
        .unwrap();
    let audit: Value =
        serde_json::from_slice(&audit.body.collect().await.unwrap().into_bytes()).unwrap();
    assert_eq!(audit["decision"], "started");
    assert_eq!(audit["execution_arn"], arn);

    // The same event again (a redelivery): matched to the execution it started.
    let again = handle(&deps, LambdaEvent::new(event(), Context::default()), now)
        .await
        .unwrap();
    assert_eq!(again.decision, "already-started", "{}", again.reason);
    assert_eq!(again.execution_arn.as_deref(), Some(arn.as_str()));
    // The alarm's next state change (moto's execution started just now): the cooldown holds.
    let mut next = event();
    next["detail"]["state"]["timestamp"] = "2026-11-25T11:06:02.335+0000".into();
    let later = handle(&deps, LambdaEvent::new(next, Context::default()), now)
        .await
        .unwrap();
    assert_eq!(later.decision, "skipped-cooldown", "{}", later.reason);
    assert_eq!(
        deps.pipelines
            .list_executions(PIPELINE)
            .await
            .unwrap()
            .len(),
        1
    );
}
