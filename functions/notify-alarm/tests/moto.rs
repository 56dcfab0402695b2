//! notify-alarm through the real S3 and SNS adapters against moto: the published message is
//! read back from an SQS queue subscribed to the topic.

use driftline_aws::clients::{s3_client, sns_client};
use driftline_aws::s3::S3Store;
use driftline_aws::sns::SnsNotifier;
use driftline_aws::testing::MotoServer;
use lambda_runtime::{Context, LambdaEvent};
use notify_alarm::config::Config;
use notify_alarm::handler::{handle, Deps};
use serde_json::{json, Value};

const BUCKET: &str = "driftline-it";
const SUMMARY_KEY: &str = "driftline/reports/churn-endpoint/AllTraffic/2026/11/25/09/summary.json";

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/../../shared/aws/tests/fixtures/alarms/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn summary() -> Value {
    let feature = |name: &str, drifted: bool, linf: f64| {
        json!({
            "name": name, "inferred_type": "Fractional", "completeness": 1.0,
            "drifted": drifted, "mean": 3.5, "baseline_mean": 2.0,
            "drift": {"linf_robust": {"value": linf, "threshold": 0.1}}
        })
    };
    json!({
        "schema_version": 1, "endpoint": "churn-endpoint", "variant": "AllTraffic",
        "window": {"start": "2026-11-25T09:00:00Z", "end": "2026-11-25T10:00:00Z"},
        "status": "drift", "records": 4321, "malformed_records": 7, "drift_detected": true,
        "violation_count": 0, "drifted_feature_count": 2,
        "features": [feature("age", true, 0.2), feature("balance", true, 0.6), feature("zip", false, 0.0)],
        "some_future_field": {"readers": "tolerate it"}
    })
}

#[tokio::test]
async fn alarm_message_arrives_in_a_subscribed_queue() {
    let moto = MotoServer::start().expect("moto_server (run scripts/setup.sh)");
    let sdk = moto.sdk_config().await;
    let s3 = s3_client(&sdk);
    let sns = sns_client(&sdk);
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    s3.create_bucket().bucket(BUCKET).send().await.unwrap();
    s3.put_object()
        .bucket(BUCKET)
        .key(SUMMARY_KEY)
        .body(serde_json::to_vec(&summary()).unwrap().into())
        .send()
        .await
        .unwrap();
    let topic = sns.create_topic().name("driftline").send().await.unwrap();
    let topic_arn = topic.topic_arn().unwrap().to_string();
    let queue = sqs.create_queue().queue_name("mail").send().await.unwrap();
    let queue_url = queue.queue_url().unwrap().to_string();
    let attrs = sqs
        .get_queue_attributes()
        .queue_url(&queue_url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap();
    let queue_arn =
        attrs.attributes().unwrap()[&aws_sdk_sqs::types::QueueAttributeName::QueueArn].clone();
    sns.subscribe()
        .topic_arn(&topic_arn)
        .protocol("sqs")
        .endpoint(&queue_arn)
        .send()
        .await
        .unwrap();

    let deps = Deps {
        store: S3Store::new(s3.clone()),
        notifier: SnsNotifier::new(sns.clone(), topic_arn.clone()),
        config: Config::from_env(&driftline_aws::config::MapEnv::from([
            ("DRIFTLINE_BUCKET", BUCKET),
            ("TOPIC_ARN", topic_arn.as_str()),
        ]))
        .unwrap(),
    };
    let r = handle(
        &deps,
        LambdaEvent::new(
            fixture("lambda-action-drifted-features.json"),
            Context::default(),
        ),
    )
    .await
    .unwrap();
    assert_eq!(r.outcome, "published");
    assert_eq!(r.report_key.as_deref(), Some(SUMMARY_KEY));

    let got = sqs
        .receive_message()
        .queue_url(&queue_url)
        .max_number_of_messages(10)
        .wait_time_seconds(2)
        .send()
        .await
        .unwrap();
    let msgs = got.messages();
    assert_eq!(msgs.len(), 1, "exactly one message per alarm");
    let envelope: Value = serde_json::from_str(msgs[0].body().unwrap()).unwrap();
    assert_eq!(
        envelope["Subject"],
        "ALARM: churn-endpoint-drifted-features on churn-endpoint - 2 drifted feature(s)"
    );
    let body = envelope["Message"].as_str().unwrap();
    assert!(body.contains("4321 profiled, 7 malformed"), "{body}");
    let balance = body
        .find("1. balance [DRIFTED]")
        .expect("balance ranked first");
    assert!(balance < body.find("2. age [DRIFTED]").unwrap());
    assert!(body.contains(&format!(
        "s3://{BUCKET}/driftline/reports/churn-endpoint/AllTraffic/2026/11/25/09/report.html"
    )));
    let attrs = &envelope["MessageAttributes"];
    assert_eq!(attrs["endpoint"]["Value"], "churn-endpoint");
    assert_eq!(attrs["endpoint"]["Type"], "String");
    assert_eq!(attrs["severity"]["Value"], "critical");
    assert_eq!(attrs["state"]["Value"], "ALARM");
    assert_eq!(attrs["alarm"]["Value"], "churn-endpoint-drifted-features");
}
