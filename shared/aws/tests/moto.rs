//! Integration tests of the SDK adapters against moto in server mode (one moto per test, on a
//! free 127.0.0.1 port, stopped when the test ends). Needs the virtualenv that
//! `scripts/setup.sh` creates (`$DRIFTLINE_VENV` or the workspace's `.venv`).

use bytes::Bytes;
use driftline_aws::clients::{s3_client, sagemaker_client, sns_client};
use driftline_aws::ports::{
    Message, Notifier, ObjectStore, PipelineRunner, PortError, StartRequest, WriteCondition,
};
use driftline_aws::s3::S3Store;
use driftline_aws::sagemaker::SageMakerPipelines;
use driftline_aws::sns::SnsNotifier;
use driftline_aws::testing::MotoServer;
use std::collections::BTreeMap;
use tokio::io::AsyncBufReadExt;

fn moto() -> MotoServer {
    MotoServer::start().expect("moto_server (run scripts/setup.sh)")
}

async fn store_with_bucket(moto: &MotoServer, bucket: &str) -> S3Store {
    let client = s3_client(&moto.sdk_config().await);
    client
        .create_bucket()
        .bucket(bucket)
        .send()
        .await
        .expect("create bucket");
    S3Store::new(client)
}

#[tokio::test]
async fn s3_ranged_reads() {
    let moto = moto();
    let store = store_with_bucket(&moto, "train").await;
    let body: String = (0..5000).map(|i| format!("{i:07}\n")).collect();
    store
        .put("train", "t.csv", Bytes::from(body.clone()), "text/csv")
        .await
        .unwrap();
    let got = store.get_range("train", "t.csv", 8, 24).await.unwrap();
    assert_eq!(&got[..], &body.as_bytes()[8..24]);
    // The end is clamped to the object; an empty range reads nothing.
    let n = body.len() as u64;
    let tail = store
        .get_range("train", "t.csv", n - 8, n + 100)
        .await
        .unwrap();
    assert_eq!(&tail[..], b"0004999\n");
    assert!(store
        .get_range("train", "t.csv", 5, 5)
        .await
        .unwrap()
        .is_empty());
    let mut from = store
        .get_stream_from("train", "t.csv", 39_992)
        .await
        .unwrap();
    let mut rest = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut from, &mut rest)
        .await
        .unwrap();
    assert_eq!(rest, &body[39_992..]);
    let e = store
        .get_range("train", "missing.csv", 0, 4)
        .await
        .unwrap_err();
    assert!(matches!(e, PortError::NotFound(_)), "{e:?}");
}

#[tokio::test]
async fn s3_put_get_and_stream() {
    let moto = moto();
    let store = store_with_bucket(&moto, "cap").await;
    // ~2.4 MB of numbered lines: the stream must hand them back in order, unchanged.
    let lines: Vec<String> = (0..60_000)
        .map(|i| format!("{{\"n\":{i:09},\"pad\":\"{}\"}}", "x".repeat(12)))
        .collect();
    let body = lines.join("\n") + "\n";
    store
        .put(
            "cap",
            "data/big.jsonl",
            Bytes::from(body.clone()),
            "application/jsonlines",
        )
        .await
        .unwrap();

    let mut reader = store.get_stream("cap", "data/big.jsonl").await.unwrap();
    let mut got = 0usize;
    let mut line = String::new();
    let mut max_chunk = 0usize;
    loop {
        let chunk = reader.fill_buf().await.unwrap().len();
        max_chunk = max_chunk.max(chunk);
        line.clear();
        if reader.read_line(&mut line).await.unwrap() == 0 {
            break;
        }
        assert_eq!(line.trim_end(), lines[got], "line {got}");
        got += 1;
    }
    assert_eq!(got, lines.len());
    // The body came in pieces, never as one buffer of the whole object.
    assert!(
        max_chunk < body.len(),
        "largest chunk {max_chunk} of {}",
        body.len()
    );

    let whole = store.get_bytes("cap", "data/big.jsonl").await.unwrap();
    assert_eq!(whole.len(), body.len());
    let head = store
        .client()
        .head_object()
        .bucket("cap")
        .key("data/big.jsonl")
        .send()
        .await
        .unwrap();
    assert_eq!(head.content_type(), Some("application/jsonlines"));
}

#[tokio::test]
async fn s3_conditional_writes_and_reads() {
    let moto = moto();
    let store = store_with_bucket(&moto, "cond-writes").await;
    let first = store
        .put_if(
            "cond-writes",
            "w/state.json",
            Bytes::from("one"),
            "application/json",
            &WriteCondition::IfAbsent,
        )
        .await
        .unwrap();
    assert!(!first.is_empty());
    let taken = store
        .put_if(
            "cond-writes",
            "w/state.json",
            Bytes::from("x"),
            "",
            &WriteCondition::IfAbsent,
        )
        .await;
    assert!(matches!(taken, Err(PortError::Conflict(_))), "{taken:?}");
    let second = store
        .put_if(
            "cond-writes",
            "w/state.json",
            Bytes::from("two"),
            "",
            &WriteCondition::IfMatch(first.clone()),
        )
        .await
        .unwrap();
    assert_ne!(first, second);
    let stale = store
        .put_if(
            "cond-writes",
            "w/state.json",
            Bytes::from("3"),
            "",
            &WriteCondition::IfMatch(first.clone()),
        )
        .await;
    assert!(matches!(stale, Err(PortError::Conflict(_))), "{stale:?}");
    assert_eq!(
        store.etag("cond-writes", "w/state.json").await.unwrap(),
        second
    );
    let t = store
        .get_tagged("cond-writes", "w/state.json")
        .await
        .unwrap();
    assert_eq!(
        (&t.body[..], t.etag.as_str()),
        (&b"two"[..], second.as_str())
    );
    assert_eq!(
        store
            .get_if_changed("cond-writes", "w/state.json", &second)
            .await
            .unwrap(),
        None
    );
    let changed = store
        .get_if_changed("cond-writes", "w/state.json", &first)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&changed.body[..], b"two");
    assert!(matches!(
        store.etag("cond-writes", "w/none").await,
        Err(PortError::NotFound(_))
    ));
}

#[tokio::test]
async fn s3_list_reads_every_page() {
    let moto = moto();
    let store = store_with_bucket(&moto, "pages").await.with_page_size(7);
    let mut want = Vec::new();
    for i in 0..23 {
        let key = format!("p/hour/{i:03}.json");
        store
            .put(
                "pages",
                &key,
                Bytes::from(vec![b'x'; i]),
                "application/json",
            )
            .await
            .unwrap();
        want.push((key, i as u64));
    }
    store
        .put(
            "pages",
            "q/outside.json",
            Bytes::from_static(b"{}"),
            "application/json",
        )
        .await
        .unwrap();
    store
        .put(
            "pages",
            "p/hourly.json",
            Bytes::from_static(b"{}"),
            "application/json",
        )
        .await
        .unwrap();
    // The prefix spans several pages at this page size.
    let first_page = store
        .client()
        .list_objects_v2()
        .bucket("pages")
        .prefix("p/hour/")
        .max_keys(7)
        .send()
        .await
        .unwrap();
    assert_eq!(first_page.contents().len(), 7);
    assert_eq!(first_page.is_truncated(), Some(true));
    let listed = store.list("pages", "p/hour/").await.unwrap();
    let got: Vec<(String, u64)> = listed.iter().map(|o| (o.key.clone(), o.size)).collect();
    assert_eq!(got, want);
    assert!(listed
        .iter()
        .all(|o| o.last_modified.as_deref().is_some_and(|t| t.ends_with('Z'))));
    assert!(store.list("pages", "nothing/").await.unwrap().is_empty());
}

#[tokio::test]
async fn s3_keys_with_spaces_and_unicode() {
    let moto = moto();
    let store = store_with_bucket(&moto, "keys").await;
    let keys = [
        "datacapture/ep/AllTraffic/2026/11/25/10/file with spaces.jsonl",
        "datacapture/ep/AllTraffic/2026/11/25/10/café ☕ + plus.jsonl",
        "datacapture/ep/AllTraffic/2026/11/25/10/百分比%20.jsonl",
    ];
    for (i, k) in keys.iter().enumerate() {
        store
            .put(
                "keys",
                k,
                Bytes::from(format!("{i}\n")),
                "application/jsonlines",
            )
            .await
            .unwrap();
    }
    let listed: Vec<String> = store
        .list("keys", "datacapture/ep/")
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.key)
        .collect();
    let mut sorted: Vec<String> = keys.iter().map(|k| (*k).to_owned()).collect();
    sorted.sort();
    assert_eq!(listed, sorted);
    for (i, k) in keys.iter().enumerate() {
        let got = store.get_bytes("keys", k).await.unwrap();
        assert_eq!(&got[..], format!("{i}\n").as_bytes(), "{k}");
    }
    // How the key would arrive in an S3 event, decoded back.
    let decoded = driftline_aws::keys::decode_event_key(
        "datacapture/ep/AllTraffic/2026/11/25/10/caf%C3%A9+%E2%98%95+%2B+plus.jsonl",
    )
    .unwrap();
    assert_eq!(decoded, keys[1]);
    assert!(store.get_bytes("keys", &decoded).await.is_ok());
}

#[tokio::test]
async fn s3_errors_map_to_port_errors() {
    let moto = moto();
    let store = store_with_bucket(&moto, "errs").await;
    match store.get_bytes("errs", "missing.json").await {
        Err(PortError::NotFound(m)) => assert!(m.contains("s3://errs/missing.json"), "{m}"),
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert!(matches!(
        store.get_stream("errs", "missing.jsonl").await,
        Err(PortError::NotFound(_))
    ));
    // A bucket that does not exist is a deployment error, not a deleted object.
    assert!(matches!(
        store.get_bytes("no-such-bucket", "k").await,
        Err(PortError::Permanent(_))
    ));
    assert!(matches!(
        store.put("no-such-bucket", "k", Bytes::new(), "").await,
        Err(PortError::Permanent(_))
    ));

    // Nobody listening: a dispatch failure, which a retry may fix.
    let cfg = moto.sdk_config().await;
    drop(moto);
    let gone = S3Store::new(s3_client(&cfg));
    match gone.get_bytes("errs", "k").await {
        Err(PortError::Transient(_)) => {}
        other => panic!("expected Transient, got {other:?}"),
    }
}

#[tokio::test]
async fn s3_localhost_endpoint_uses_path_style() {
    let moto = moto();
    let cfg = moto
        .sdk_config()
        .await
        .into_builder()
        .endpoint_url(format!("http://localhost:{}", moto.port()))
        .build();
    let store = store_with_bucket_cfg(&cfg, "local").await;
    store
        .put("local", "k", Bytes::from_static(b"v"), "text/plain")
        .await
        .expect("put through http://localhost (virtual-host style would fail DNS)");
    assert_eq!(&store.get_bytes("local", "k").await.unwrap()[..], b"v");
}

async fn store_with_bucket_cfg(cfg: &driftline_aws::clients::SdkConfig, bucket: &str) -> S3Store {
    let client = s3_client(cfg);
    client.create_bucket().bucket(bucket).send().await.unwrap();
    S3Store::new(client)
}

#[tokio::test]
async fn sns_publish_reaches_a_subscribed_queue() {
    let moto = moto();
    let cfg = moto.sdk_config().await;
    let sns = sns_client(&cfg);
    let sqs = aws_sdk_sqs::Client::new(&cfg);
    let topic = sns
        .create_topic()
        .name("alerts")
        .send()
        .await
        .unwrap()
        .topic_arn()
        .unwrap()
        .to_owned();
    let queue_url = sqs
        .create_queue()
        .queue_name("inbox")
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_owned();
    let queue_arn = sqs
        .get_queue_attributes()
        .queue_url(&queue_url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap()
        .attributes()
        .and_then(|a| {
            a.get(&aws_sdk_sqs::types::QueueAttributeName::QueueArn)
                .cloned()
        })
        .unwrap();
    sns.subscribe()
        .topic_arn(&topic)
        .protocol("sqs")
        .endpoint(&queue_arn)
        .send()
        .await
        .unwrap();

    let notifier = SnsNotifier::new(sns, &topic);
    let mut attributes = BTreeMap::new();
    attributes.insert("endpoint".to_owned(), "my-ep".to_owned());
    attributes.insert("state".to_owned(), "ALARM".to_owned());
    let id = notifier
        .publish(Message {
            subject: "Drift detected on my-ep".into(),
            body: "Feature f1 drifted.\nSee the report.".into(),
            attributes,
        })
        .await
        .unwrap();
    assert!(!id.is_empty());

    let received = sqs
        .receive_message()
        .queue_url(&queue_url)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    let messages = received.messages();
    assert_eq!(messages.len(), 1);
    let envelope: serde_json::Value =
        serde_json::from_str(messages[0].body().unwrap()).expect("SNS envelope is JSON");
    assert_eq!(envelope["Type"], "Notification");
    assert_eq!(envelope["MessageId"], id.as_str());
    assert_eq!(envelope["TopicArn"], topic.as_str());
    assert_eq!(envelope["Subject"], "Drift detected on my-ep");
    assert_eq!(envelope["Message"], "Feature f1 drifted.\nSee the report.");
    assert_eq!(envelope["MessageAttributes"]["endpoint"]["Type"], "String");
    assert_eq!(envelope["MessageAttributes"]["endpoint"]["Value"], "my-ep");
    assert_eq!(envelope["MessageAttributes"]["state"]["Value"], "ALARM");

    // A topic that does not exist: NotFound.
    let missing = SnsNotifier::new(
        sns_client(&cfg),
        "arn:aws:sns:us-east-1:123456789012:no-such-topic",
    );
    match missing
        .publish(Message {
            body: "x".into(),
            ..Default::default()
        })
        .await
    {
        Err(PortError::NotFound(_)) => {}
        other => panic!("expected NotFound, got {other:?}"),
    }
}

const PIPELINE_DEFINITION: &str = r#"{
  "Version": "2020-12-01",
  "Metadata": {},
  "Parameters": [
    {"Name": "DriftReportUri", "Type": "String", "DefaultValue": ""},
    {"Name": "DriftedFeatures", "Type": "String", "DefaultValue": ""}
  ],
  "PipelineExperimentConfig": {},
  "Steps": []
}"#;

#[tokio::test]
async fn sagemaker_start_and_list_executions() {
    let moto = moto();
    let cfg = moto.sdk_config().await;
    let client = sagemaker_client(&cfg);
    client
        .create_pipeline()
        .pipeline_name("retrain")
        .pipeline_definition(PIPELINE_DEFINITION)
        .role_arn("arn:aws:iam::123456789012:role/sagemaker")
        .client_request_token("create-retrain-0000000000000000000000")
        .send()
        .await
        .expect("create_pipeline");
    let runner = SageMakerPipelines::new(client.clone());
    assert!(runner.list_executions("retrain").await.unwrap().is_empty());

    let mut parameters = BTreeMap::new();
    parameters.insert(
        "DriftReportUri".to_owned(),
        "s3://b/driftline/reports/ep/v/2026/11/25/10/".to_owned(),
    );
    parameters.insert("DriftedFeatures".to_owned(), "f1,f2".to_owned());
    let first = runner
        .start(StartRequest {
            pipeline: "retrain".into(),
            client_request_token: "a".repeat(40),
            display_name: "driftline-first".into(),
            description: "drift confirmed on ep".into(),
            parameters: parameters.clone(),
        })
        .await
        .unwrap();
    // Start times have one-second resolution in moto: keep the two apart.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let second = runner
        .start(StartRequest {
            pipeline: "retrain".into(),
            client_request_token: "b".repeat(40),
            display_name: "driftline-second".into(),
            description: String::new(),
            parameters: BTreeMap::new(),
        })
        .await
        .unwrap();
    assert_ne!(first, second);

    let listed = runner.list_executions("retrain").await.unwrap();
    let arns: Vec<&str> = listed.iter().map(|e| e.arn.as_str()).collect();
    assert_eq!(arns, vec![second.as_str(), first.as_str()], "newest first");
    assert_eq!(listed[1].display_name.as_deref(), Some("driftline-first"));
    assert!(listed
        .iter()
        .all(|e| !e.status.is_empty() && e.start_time.is_some()));

    let params = client
        .list_pipeline_parameters_for_execution()
        .pipeline_execution_arn(&first)
        .send()
        .await
        .unwrap();
    let got: BTreeMap<String, String> = params
        .pipeline_parameters()
        .iter()
        .map(|p| {
            (
                p.name().unwrap_or_default().to_owned(),
                p.value().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(got, parameters);
    let described = client
        .describe_pipeline_execution()
        .pipeline_execution_arn(&first)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.pipeline_execution_description(),
        Some("drift confirmed on ep")
    );

    // Unknown pipeline: not a transient error.
    let err = runner
        .start(StartRequest {
            pipeline: "no-such-pipeline".into(),
            client_request_token: "c".repeat(40),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(!err.is_transient(), "{err:?}");
}

#[test]
fn moto_reset_clears_state_and_drop_stops_it() {
    let moto = moto();
    let port = moto.port();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = store_with_bucket(&moto, "before-reset").await;
        store
            .put("before-reset", "k", Bytes::from_static(b"v"), "")
            .await
            .unwrap();
        moto.reset().unwrap();
        assert!(matches!(
            store.get_bytes("before-reset", "k").await,
            Err(PortError::Permanent(_))
        ));
    });
    assert!(moto.data_json().unwrap().contains("s3"));
    drop(moto);
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "moto still listening on {port} after drop"
    );
}
