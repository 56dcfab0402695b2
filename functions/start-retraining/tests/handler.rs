//! start-retraining's handler with the in-memory ports (no AWS, no emulator).

use chrono::{DateTime, Utc};
use driftline_aws::ports::memory::{
    Fault, MemoryNotifier, MemoryPipelines, MemoryStore, PipelineOp, StoreOp,
};
use driftline_aws::ports::ExecutionInfo;
use driftline_aws::ports::{Message, PipelineRunner, PortError, StartRequest};
use driftline_stats::formats::statistics::InferredType;
use driftline_stats::summary::{FeatureSummary, Status, Summary, SUMMARY_SCHEMA_VERSION};
use lambda_runtime::Context as LambdaContext;
use lambda_runtime::LambdaEvent;
use serde_json::Value;
use sha2::{Digest, Sha256};
use start_retraining::config::Config;
use start_retraining::handler::{handle, Deps, HandlerError, Response};
use std::collections::BTreeMap;

const BUCKET: &str = "bkt";
const EP_DIR: &str = "driftline/reports/churn-endpoint/AllTraffic/2026/11/25";

type TestDeps = Deps<MemoryStore, MemoryPipelines, MemoryNotifier>;

/// Fault count for a port that keeps failing.
const ALWAYS: usize = usize::MAX;

fn config() -> Config {
    Config::from_env(&driftline_aws::config::MapEnv::from([
        ("DRIFTLINE_BUCKET", BUCKET),
        ("PIPELINE_NAME", "churn-retrain"),
        ("TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:driftline"),
    ]))
    .expect("valid test configuration")
}

fn deps() -> TestDeps {
    Deps {
        store: MemoryStore::new(),
        pipelines: MemoryPipelines::new().with_pipeline("churn-retrain"),
        notifier: Some(MemoryNotifier::new()),
        config: config(),
    }
}

fn event() -> Value {
    let path = format!(
        "{}/../../shared/aws/tests/fixtures/alarms/eventbridge-drift-confirmed.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn now() -> DateTime<Utc> {
    driftline_aws::alarm::parse_time("2026-11-25T10:07:00Z").unwrap()
}

fn summary(drift: bool, records: u64, drifted: &[&str]) -> Summary {
    Summary {
        schema_version: SUMMARY_SCHEMA_VERSION,
        endpoint: Some("churn-endpoint".into()),
        variant: Some("AllTraffic".into()),
        window: None,
        status: if drift { Status::Drift } else { Status::Ok },
        records,
        malformed_records: 0,
        drift_detected: drift,
        violation_count: 0,
        drifted_feature_count: drifted.len() as u64,
        reason: None,
        features: drifted
            .iter()
            .map(|n| FeatureSummary {
                name: n.to_string(),
                inferred_type: InferredType::Fractional,
                baseline_type: None,
                completeness: 1.0,
                baseline_completeness: None,
                drifted: true,
                reasons: vec![],
                drift: BTreeMap::new(),
                mean: None,
                baseline_mean: None,
                values: None,
            })
            .collect(),
        violations: vec![],
        faults: Default::default(),
        sources: vec![],
        artifacts: BTreeMap::new(),
        policy: None,
        estimated_quality: None,
    }
}

fn put(d: &TestDeps, hour: &str, s: &Summary) {
    d.store.insert(
        BUCKET,
        &format!("{EP_DIR}/{hour}/summary.json"),
        serde_json::to_vec(s).unwrap(),
    );
}

async fn run(d: &TestDeps, ev: Value) -> Result<Response, HandlerError> {
    handle(d, LambdaEvent::new(ev, LambdaContext::default()), now()).await
}

fn audit(d: &TestDeps, r: &Response) -> Value {
    let key = r.audit_key.as_deref().expect("audit key");
    serde_json::from_slice(&d.store.object(BUCKET, key).expect("audit record")).unwrap()
}

fn requests(d: &TestDeps) -> Vec<StartRequest> {
    d.pipelines.requests()
}

fn notes(d: &TestDeps) -> Vec<Message> {
    d.notifier.as_ref().unwrap().messages()
}

/// Audit records written so far.
fn remediation_keys(d: &TestDeps) -> Vec<String> {
    d.store
        .keys(BUCKET)
        .into_iter()
        .filter(|k| k.starts_with("driftline/remediation/"))
        .collect()
}

fn exec(status: &str, start: &str) -> ExecutionInfo {
    ExecutionInfo {
        arn: format!("arn:aws:sagemaker:us-east-1:1:pipeline/churn-retrain/execution/{status}"),
        status: status.into(),
        start_time: Some(start.into()),
        display_name: None,
    }
}

fn two_of_three(d: &TestDeps) {
    put(d, "07", &summary(false, 5000, &[]));
    put(d, "08", &summary(true, 5000, &["age", "zip"]));
    put(d, "09", &summary(true, 5000, &["balance", "age"]));
}

/// Fresh ports holding the [`two_of_three`] windows: drift is confirmed.
fn confirmed_deps() -> TestDeps {
    let d = deps();
    two_of_three(&d);
    d
}

#[tokio::test]
async fn confirmed_k_of_n_starts_with_evidence() {
    let d = deps();
    // An older drifted window outside the last 3 must not count.
    put(&d, "06", &summary(true, 5000, &["old"]));
    two_of_three(&d);
    let r = run(&d, event()).await.unwrap();
    assert_eq!(r.decision, "started", "{}", r.reason);
    let reqs = requests(&d);
    assert_eq!(reqs.len(), 1);
    let q = &reqs[0];
    assert_eq!(q.pipeline, "churn-retrain");
    assert_eq!(
        q.parameters["DriftReportUri"],
        format!("s3://{BUCKET}/{EP_DIR}/09/report.html")
    );
    assert_eq!(q.parameters["DriftedFeatures"], "balance,age,zip");
    assert_eq!(q.parameters["DriftTriggerTime"], "2026-11-25T10:06:02.335Z");
    assert_eq!(q.display_name, "driftline-churn-endpoint-20261125T100602Z");
    assert!(q.description.contains("2 of the last 3 windows"));
    // Token: SHA-256 of the alarm ARN and the state-change time, computed independently.
    let mut h = Sha256::new();
    h.update(b"driftline/start-retraining/v1\narn:aws:cloudwatch:us-east-1:123456789012:alarm:churn-endpoint-drift-confirmed\n2026-11-25T10:06:02.335Z");
    assert_eq!(q.client_request_token, hex::encode(h.finalize()));
    // Audit record.
    assert_eq!(
        r.audit_key.as_deref(),
        Some("driftline/remediation/churn-endpoint/20261125T100602Z-started.json")
    );
    let a = audit(&d, &r);
    assert_eq!(a["decision"], "started");
    assert_eq!(a["confirmed_windows"], 2);
    assert_eq!(a["evidence"].as_array().unwrap().len(), 3);
    assert_eq!(a["evidence"][0]["counts"], false);
    assert_eq!(a["execution_arn"], r.execution_arn.clone().unwrap());
    assert_eq!(a["client_request_token"], q.client_request_token);
    assert_eq!(a["config"]["confirm_k"], 2);
    assert_eq!(
        a["start_request"]["parameters"]["DriftedFeatures"],
        "balance,age,zip"
    );
    // Note.
    let n = notes(&d);
    assert_eq!(n.len(), 1);
    // ALARM_GROUPING=incident (the default): the confirmation's one e-mail, which refers to
    // the windows' reports instead of repeating their evidence.
    assert_eq!(
        n[0].subject,
        "driftline: drift confirmed on churn-endpoint - retraining started"
    );
    assert!(n[0].body.contains(r.execution_arn.as_deref().unwrap()));
    let windows: Vec<&str> = n[0]
        .body
        .lines()
        .filter(|l| l.starts_with("  2026-") && l.contains("/report.html"))
        .collect();
    assert_eq!(windows.len(), 2, "the two counting windows: {}", n[0].body);
    assert!(
        windows[0].contains("2026/11/25/08/report.html"),
        "{}",
        n[0].body
    );
    assert!(
        windows[1].contains("2026/11/25/09/report.html"),
        "{}",
        n[0].body
    );

    // ALARM_GROUPING=each: notify-alarm e-mails the confirmation; the note is the short one.
    let mut d = deps();
    d.config.incident_notes = false;
    two_of_three(&d);
    run(&d, event()).await.unwrap();
    let n = notes(&d);
    assert_eq!(
        n[0].subject,
        "driftline: retraining started for churn-endpoint"
    );
}

#[tokio::test]
async fn not_confirmed_skips_and_records() {
    let d = deps();
    put(&d, "07", &summary(false, 5000, &[]));
    put(&d, "08", &summary(false, 5000, &[]));
    put(&d, "09", &summary(true, 5000, &["age"]));
    let r = run(&d, event()).await.unwrap();
    assert_eq!(r.decision, "skipped-not-confirmed");
    assert!(
        r.reason.contains("in 1 of the last 3 windows, 2 required"),
        "{}",
        r.reason
    );
    assert!(requests(&d).is_empty());
    // Grouped by incident, the alarm's only e-mail says it was not confirmed.
    let n = notes(&d);
    assert_eq!(n.len(), 1);
    assert_eq!(
        n[0].subject,
        "driftline: drift alarm on churn-endpoint not confirmed by the reports - nothing started"
    );
    assert_eq!(n[0].attributes["severity"], "high");
    // EventBridge redelivers: the same event decided the same way keeps its first audit
    // record and sends no second e-mail.
    let first = audit(&d, &r);
    let again = run(&d, event()).await.unwrap();
    assert_eq!(again.decision, "skipped-not-confirmed");
    assert_eq!(again.audit_key, r.audit_key);
    assert_eq!(notes(&d).len(), 1, "no second note for a redelivered event");
    assert_eq!(audit(&d, &r), first);
    let a = audit(&d, &r);
    assert_eq!(a["decision"], "skipped-not-confirmed");
    assert!(a.get("start_request").is_none());
    assert!(r
        .audit_key
        .unwrap()
        .ends_with("20261125T100602Z-skipped-not-confirmed.json"));
}

#[tokio::test]
async fn fewer_than_n_summaries() {
    // Two windows, both drifted: k=2 is met, the reason says only 2 of 3 exist.
    let d = deps();
    put(&d, "08", &summary(true, 5000, &["a"]));
    put(&d, "09", &summary(true, 5000, &["b"]));
    let r = run(&d, event()).await.unwrap();
    assert_eq!(r.decision, "started");
    assert!(
        r.reason.contains("only 2 of 3 windows available"),
        "{}",
        r.reason
    );
    // One window: never enough.
    let d = deps();
    put(&d, "09", &summary(true, 5000, &["b"]));
    let r = run(&d, event()).await.unwrap();
    assert_eq!(r.decision, "skipped-not-confirmed");
    // None at all.
    let d = deps();
    let r = run(&d, event()).await.unwrap();
    assert_eq!(r.decision, "skipped-not-confirmed");
    assert_eq!(audit(&d, &r)["evidence"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn windows_below_min_records_are_no_evidence() {
    let d = deps();
    put(&d, "07", &summary(false, 5000, &[]));
    put(&d, "08", &summary(true, 5000, &["age"]));
    put(&d, "09", &summary(true, 99, &["age"]));
    let r = run(&d, event()).await.unwrap();
    assert_eq!(r.decision, "skipped-not-confirmed");
    let a = audit(&d, &r);
    assert!(a["evidence"][2]["note"]
        .as_str()
        .unwrap()
        .contains("only 99 records"));
    // Exactly MIN_RECORDS counts.
    let d = deps();
    put(&d, "08", &summary(true, 5000, &["age"]));
    put(&d, "09", &summary(true, 100, &["age"]));
    assert_eq!(run(&d, event()).await.unwrap().decision, "started");
}

#[tokio::test]
async fn unreadable_summary_does_not_count() {
    let d = deps();
    put(&d, "08", &summary(true, 5000, &["age"]));
    d.store
        .insert(BUCKET, &format!("{EP_DIR}/09/summary.json"), "{oops");
    let r = run(&d, event()).await.unwrap();
    assert_eq!(r.decision, "skipped-not-confirmed");
    assert!(audit(&d, &r)["evidence"][1]["note"]
        .as_str()
        .unwrap()
        .contains("not a valid summary.json"));
}

#[tokio::test]
async fn cooldown_skips() {
    let d = confirmed_deps();
    d.pipelines.add_execution(
        "churn-retrain",
        exec("Succeeded", "2026-11-25T05:00:00.000Z"),
    );
    let r = run(&d, event()).await.unwrap();
    assert_eq!(r.decision, "skipped-cooldown", "{}", r.reason);
    assert!(requests(&d).is_empty());
    assert!(audit(&d, &r)["blocking_execution"]["arn"].is_string());
    // Outside the cooldown (started 7 h before now): starts.
    let d = confirmed_deps();
    d.pipelines
        .add_execution("churn-retrain", exec("Succeeded", "2026-11-25T03:06:00Z"));
    assert_eq!(run(&d, event()).await.unwrap().decision, "started");
}

#[tokio::test]
async fn in_flight_skips() {
    for status in ["Executing", "Stopping"] {
        let d = confirmed_deps();
        d.pipelines
            .add_execution("churn-retrain", exec(status, "2026-11-20T00:00:00Z"));
        let r = run(&d, event()).await.unwrap();
        assert_eq!(r.decision, "skipped-in-flight");
        assert!(r.reason.contains(status));
        assert!(requests(&d).is_empty());
    }
}

#[tokio::test]
async fn token_is_stable_across_retries_and_differs_across_events() {
    let d = confirmed_deps();
    let first = run(&d, event()).await.unwrap();
    // A retried delivery of the same event (fresh state: the same decision path).
    let d2 = confirmed_deps();
    let retry = run(&d2, event()).await.unwrap();
    assert_eq!(first.client_request_token, retry.client_request_token);
    assert_eq!(
        requests(&d)[0].client_request_token,
        requests(&d2)[0].client_request_token
    );
    // The same transition delivered as a Lambda alarm action gives the same token too.
    let mut la = event();
    let detail = la["detail"].take();
    la = serde_json::json!({
        "source": "aws.cloudwatch",
        "alarmArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:churn-endpoint-drift-confirmed",
        "region": "us-east-1",
        "time": "2026-11-25T10:06:02.335+0000",
        "alarmData": detail,
    });
    let d3 = confirmed_deps();
    assert_eq!(
        run(&d3, la).await.unwrap().client_request_token,
        first.client_request_token
    );
    // A later state change is a different event.
    let mut later = event();
    later["detail"]["state"]["timestamp"] = "2026-11-25T16:06:02.335+0000".into();
    let d4 = confirmed_deps();
    let other = run(&d4, later).await.unwrap();
    assert_ne!(other.client_request_token, first.client_request_token);
    // SageMaker-side idempotency (port level): the same token yields the same execution.
    let p = MemoryPipelines::new().with_pipeline("churn-retrain");
    let q = requests(&d)[0].clone();
    assert_eq!(p.start(q.clone()).await.unwrap(), p.start(q).await.unwrap());
}

#[tokio::test]
async fn dry_run_decides_and_records_without_starting() {
    let mut d = deps();
    d.config.dry_run = true;
    two_of_three(&d);
    let r = run(&d, event()).await.unwrap();
    assert_eq!(r.decision, "dry-run");
    assert!(requests(&d).is_empty());
    let n = notes(&d);
    assert_eq!(
        n.iter().map(|m| m.subject.as_str()).collect::<Vec<_>>(),
        ["driftline: drift confirmed on churn-endpoint - retraining not started (dry run)"]
    );
    // ALARM_GROUPING=each: no note for a run that was not started.
    let mut each = deps();
    each.config.dry_run = true;
    each.config.incident_notes = false;
    two_of_three(&each);
    run(&each, event()).await.unwrap();
    assert!(notes(&each).is_empty());
    let a = audit(&d, &r);
    assert_eq!(a["decision"], "dry-run");
    assert_eq!(
        a["start_request"]["display_name"],
        "driftline-churn-endpoint-20261125T100602Z"
    );
    assert!(a.get("execution_arn").is_none());
    assert_eq!(a["config"]["dry_run"], true);
}

#[tokio::test]
async fn malformed_and_non_alarm_events_do_nothing() {
    let d = confirmed_deps();
    for ev in [
        Value::Null,
        serde_json::json!({"detail": {"alarmName": "x"}}),
        serde_json::json!("ALARM"),
    ] {
        let r = run(&d, ev).await.unwrap();
        assert_eq!(r.decision, "rejected");
    }
    let mut ok = event();
    ok["detail"]["state"]["value"] = "OK".into();
    assert_eq!(run(&d, ok).await.unwrap().decision, "ignored");
    let mut none = event();
    none["detail"]["configuration"]["metrics"] = serde_json::json!([]);
    assert_eq!(run(&d, none).await.unwrap().decision, "rejected");
    assert!(requests(&d).is_empty());
    assert!(remediation_keys(&d).is_empty());
}

#[tokio::test]
async fn transient_errors_fail_the_invocation() {
    let d = confirmed_deps();
    d.store.inject(
        Fault::new(StoreOp::Get, PortError::Transient("SlowDown".into()))
            .key(format!("{EP_DIR}/09/summary.json"))
            .times(ALWAYS),
    );
    assert!(matches!(
        run(&d, event()).await,
        Err(HandlerError::Evidence(_))
    ));
    let d = confirmed_deps();
    d.store
        .inject(Fault::new(StoreOp::List, PortError::Transient("timeout".into())).times(ALWAYS));
    assert!(run(&d, event()).await.is_err());
    let d = confirmed_deps();
    d.pipelines.fail_next(
        PipelineOp::List,
        ALWAYS,
        PortError::Transient("throttled".into()),
    );
    assert!(matches!(
        run(&d, event()).await,
        Err(HandlerError::Pipeline { .. })
    ));
    let d = confirmed_deps();
    d.pipelines.fail_next(
        PipelineOp::Start,
        ALWAYS,
        PortError::Transient("throttled".into()),
    );
    assert!(run(&d, event()).await.is_err());
    assert!(remediation_keys(&d).is_empty());
    let d = confirmed_deps();
    d.store
        .inject(Fault::new(StoreOp::Put, PortError::Transient("503".into())).times(ALWAYS));
    assert!(matches!(
        run(&d, event()).await,
        Err(HandlerError::Audit { .. })
    ));
}

#[tokio::test]
async fn permanent_start_failure_is_recorded() {
    let d = confirmed_deps();
    d.pipelines.fail_next(
        PipelineOp::Start,
        ALWAYS,
        PortError::Permanent("ResourceNotFound: pipeline churn-retrain".into()),
    );
    let r = run(&d, event()).await.unwrap();
    assert_eq!(r.decision, "start-failed");
    assert!(audit(&d, &r)["reason"]
        .as_str()
        .unwrap()
        .contains("ResourceNotFound"));
    // A refused start is announced: retraining needs a person now.
    let n = notes(&d);
    assert_eq!(n.len(), 1);
    assert!(n[0].subject.contains("NOT started"), "{}", n[0].subject);
    assert!(n[0].body.contains("ResourceNotFound"), "{}", n[0].body);
    assert_eq!(n[0].attributes["severity"], "critical");
    assert_eq!(n[0].attributes["decision"], "start-failed");
}

#[tokio::test]
async fn sns_failure_after_start_does_not_fail() {
    let d = confirmed_deps();
    d.notifier
        .as_ref()
        .unwrap()
        .fail_next(ALWAYS, PortError::Transient("503".into()));
    assert_eq!(run(&d, event()).await.unwrap().decision, "started");
}

#[tokio::test]
async fn permanent_list_failure_never_starts_blind() {
    let d = confirmed_deps();
    d.pipelines.fail_next(
        PipelineOp::List,
        ALWAYS,
        PortError::NotFound("pipeline churn-retrain".into()),
    );
    let r = run(&d, event()).await.unwrap();
    assert_eq!(r.decision, "start-failed");
    assert!(
        r.reason.contains("ListPipelineExecutions refused"),
        "{}",
        r.reason
    );
    assert!(requests(&d).is_empty());
    assert_eq!(audit(&d, &r)["decision"], "start-failed");
    assert_eq!(notes(&d).len(), 1, "a refused list is announced too");
}

/// With driftline-aws's in-memory SageMaker (started executions are listed as `Executing`,
/// starts are deduplicated by token): a retried delivery after a successful start finds the
/// execution it started (by its display name) and records it as already started, and even a
/// second start with the same token yields the same execution.
#[tokio::test]
async fn retry_after_start_with_memory_pipelines() {
    let pipelines = MemoryPipelines::new().with_pipeline("churn-retrain");
    let store = MemoryStore::new();
    for (hour, s) in [
        ("07", summary(false, 5000, &[])),
        ("08", summary(true, 5000, &["age"])),
        ("09", summary(true, 5000, &["age"])),
    ] {
        store.insert(
            BUCKET,
            &format!("{EP_DIR}/{hour}/summary.json"),
            serde_json::to_vec(&s).unwrap(),
        );
    }
    let d = Deps {
        store: store.clone(),
        pipelines: pipelines.clone(),
        notifier: Some(MemoryNotifier::new()),
        config: config(),
    };
    let ctx = || LambdaContext::default();
    let first = handle(&d, LambdaEvent::new(event(), ctx()), now())
        .await
        .unwrap();
    assert_eq!(first.decision, "started");
    let retry = handle(&d, LambdaEvent::new(event(), ctx()), now())
        .await
        .unwrap();
    assert_eq!(retry.decision, "already-started", "{}", retry.reason);
    assert_eq!(retry.execution_arn, first.execution_arn);
    assert_eq!(retry.client_request_token, first.client_request_token);
    assert_eq!(pipelines.executions("churn-retrain").len(), 1);
    // Port level: the same request again (e.g. a crash between start and audit) is deduplicated.
    let again = pipelines.requests()[0].clone();
    assert_eq!(
        pipelines.start(again).await.unwrap(),
        first.execution_arn.clone().unwrap()
    );
    assert_eq!(pipelines.executions("churn-retrain").len(), 1);
    // Once it failed, the cooldown (measured from its start) still holds.
    pipelines.set_status(first.execution_arn.as_deref().unwrap(), "Failed");
    // A later state change of the alarm (another trigger) is held by the cooldown.
    let mut next = event();
    next["detail"]["state"]["timestamp"] = "2026-11-25T11:06:02.335+0000".into();
    let later = handle(&d, LambdaEvent::new(next, ctx()), chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(later.decision, "skipped-cooldown", "{}", later.reason);
    assert_eq!(
        store
            .keys(BUCKET)
            .iter()
            .filter(|k| k.contains("/remediation/"))
            .count(),
        3
    );
}

/// The start succeeded but its audit record could not be written (the invocation fails and
/// Lambda retries): the retry records the execution instead of losing it.
#[tokio::test]
async fn lost_audit_of_a_start_is_recovered_on_retry() {
    let d = confirmed_deps();
    d.pipelines.set_initial_status("Executing");
    d.store.inject(
        Fault::new(StoreOp::Put, PortError::Transient("503 SlowDown".into()))
            .key("driftline/remediation/churn-endpoint/20261125T100602Z-started.json"),
    );
    let err = run(&d, event()).await.unwrap_err();
    assert!(matches!(err, HandlerError::Audit { .. }), "{err}");
    assert_eq!(d.pipelines.executions("churn-retrain").len(), 1);
    let retry = run(&d, event()).await.unwrap();
    assert_eq!(retry.decision, "already-started", "{}", retry.reason);
    let a = audit(&d, &retry);
    assert_eq!(a["decision"], "already-started");
    assert_eq!(
        a["execution_arn"],
        d.pipelines.executions("churn-retrain")[0].arn.as_str()
    );
    assert_eq!(d.pipelines.executions("churn-retrain").len(), 1);
}

/// Model-quality degradation confirmed in k of n windows starts the pipeline with the same
/// safeguards; the evidence is the model-quality summaries (data-drift ones do not count).
#[tokio::test]
async fn quality_confirmed_starts_on_model_quality_evidence() {
    use driftline_stats::quality::analysis::{analyze_quality, QualityBaseline, QualityOptions};
    use driftline_stats::quality::constraints::QualityConstraints;
    use driftline_stats::quality::state::{Observation, ProblemType, QualityState};
    let window = |n: usize, wrong_every: usize| {
        let mut s = QualityState::new(ProblemType::BinaryClassification);
        for i in 0..n {
            let actual = i % 2 == 0;
            let predicted = if i % wrong_every == 0 {
                !actual
            } else {
                actual
            };
            s.observe(
                &i.to_string(),
                Observation::Binary {
                    actual,
                    predicted,
                    score: None,
                },
            )
            .unwrap();
        }
        s
    };
    let base = window(1000, 10).statistics(None);
    let baseline = QualityBaseline {
        constraints: QualityConstraints::suggest(&base),
        statistics: Some(base),
        calibration: None,
    };
    let d = deps();
    // Data drift in no window: it must not matter for a model-quality alarm.
    for h in ["07", "08", "09"] {
        put(&d, h, &summary(false, 5000, &[]));
    }
    let q = "driftline/quality/churn-endpoint/AllTraffic/2026/11/25";
    for (h, wrong_every) in [("07", 10), ("08", 3), ("09", 3)] {
        let a = analyze_quality(
            &window(400, wrong_every),
            Some(&baseline),
            &QualityOptions::default(),
        );
        d.store.insert(
            BUCKET,
            &format!("{q}/{h}/summary.json"),
            serde_json::to_vec(&a.summary).unwrap(),
        );
    }
    let path = format!(
        "{}/../../shared/aws/tests/fixtures/alarms/eventbridge-quality-confirmed.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let ev: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let r = run(&d, ev).await.unwrap();
    assert_eq!(r.decision, "started", "{}", r.reason);
    let req = &requests(&d)[0];
    assert!(req.parameters["DriftReportUri"]
        .ends_with("/quality/churn-endpoint/AllTraffic/2026/11/25/09/report.html"));
    assert!(
        req.parameters["DriftedFeatures"].contains("accuracy"),
        "{:?}",
        req.parameters
    );
    assert!(
        req.description.contains("model-quality degradation"),
        "{}",
        req.description
    );
    let a = audit(&d, &r);
    assert_eq!(a["confirmed_windows"], 2);
}

/// `ALARM_WINDOW=day`: the confirmation counts daily windows (the drifted hours of today do
/// not make a confirmation on their own), and the pipeline gets the day's report.
#[tokio::test]
async fn daily_windows_are_counted_when_the_alarm_watches_days() {
    let mut d = deps();
    d.config.confirm_window = driftline_aws::keys::Span::Day;
    // Hourly windows that would confirm if hours were counted.
    two_of_three(&d);
    let day =
        |date: &str| format!("driftline/reports/churn-endpoint/AllTraffic/{date}/day/summary.json");
    let put_day = |date: &str, s: &Summary| {
        d.store
            .insert(BUCKET, &day(date), serde_json::to_vec(s).unwrap())
    };
    put_day("2026/11/23", &summary(false, 90_000, &[]));
    put_day("2026/11/24", &summary(false, 90_000, &[]));
    put_day("2026/11/25", &summary(true, 40_000, &["tenure"]));
    let r = run(&d, event()).await.unwrap();
    assert_eq!(r.decision, "skipped-not-confirmed", "{}", r.reason);
    assert!(requests(&d).is_empty());
    // Two of the last three days drifted: confirmed, with the latest drifted day's report.
    put_day("2026/11/24", &summary(true, 90_000, &["tenure", "age"]));
    let mut ev = event();
    ev["time"] = "2026-11-25T10:08:00Z".into();
    ev["detail"]["state"]["timestamp"] = "2026-11-25T10:08:00.000+0000".into();
    let r = run(&d, ev).await.unwrap();
    assert_eq!(r.decision, "started", "{}", r.reason);
    let q = &requests(&d)[0];
    assert_eq!(
        q.parameters["DriftReportUri"],
        format!(
            "s3://{BUCKET}/driftline/reports/churn-endpoint/AllTraffic/2026/11/25/day/report.html"
        )
    );
    assert_eq!(q.parameters["DriftedFeatures"], "tenure,age");
}
