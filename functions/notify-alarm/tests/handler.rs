//! notify-alarm's handler with the in-memory ports (no AWS, no emulator).

use driftline_aws::ports::memory::{Fault, MemoryNotifier, MemoryStore, StoreOp};
use driftline_aws::ports::Message;
use driftline_aws::ports::PortError;
use driftline_aws::text::{SNS_MAX_BYTES, SUBJECT_MAX_CHARS};
use driftline_stats::formats::statistics::InferredType;
use driftline_stats::quality::estimate::{Estimated, EstimatedQuality};
use driftline_stats::summary::{
    DriftFigure, FeatureSummary, Status, Summary, ViolationSummary, Window, SUMMARY_SCHEMA_VERSION,
};
use lambda_runtime::Context as LambdaContext;
use lambda_runtime::LambdaEvent;
use notify_alarm::config::Config;
use notify_alarm::handler::{handle, Deps, HandlerError, Response};
use serde_json::Value;
use std::collections::BTreeMap;

const BUCKET: &str = "bkt";
const DIR: &str = "driftline/reports/churn-endpoint/AllTraffic/2026/11/25/09";

fn config() -> Config {
    Config::from_env(&driftline_aws::config::MapEnv::from([
        ("DRIFTLINE_BUCKET", BUCKET),
        ("TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:driftline"),
        ("AWS_REGION", "eu-west-1"),
    ]))
    .expect("valid test configuration")
}

type TestDeps = Deps<MemoryStore, MemoryNotifier>;

fn deps() -> TestDeps {
    Deps {
        store: MemoryStore::new(),
        notifier: MemoryNotifier::new(),
        config: config(),
    }
}

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/../../shared/aws/tests/fixtures/alarms/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn feature(name: &str, drifted: bool, linf: f64, threshold: f64) -> FeatureSummary {
    let mut drift = BTreeMap::new();
    drift.insert(
        "linf_robust".to_string(),
        DriftFigure {
            value: linf,
            p_value: None,
            threshold: Some(threshold),
            error_bound: None,
        },
    );
    FeatureSummary {
        name: name.into(),
        inferred_type: InferredType::Fractional,
        baseline_type: Some(InferredType::Fractional),
        completeness: 1.0,
        baseline_completeness: Some(1.0),
        drifted,
        reasons: vec![],
        drift,
        mean: Some(10.0),
        baseline_mean: Some(5.0),
        values: None,
    }
}

fn summary(features: Vec<FeatureSummary>) -> Summary {
    let drifted = features.iter().filter(|f| f.drifted).count() as u64;
    Summary {
        schema_version: SUMMARY_SCHEMA_VERSION,
        endpoint: Some("churn-endpoint".into()),
        variant: Some("AllTraffic".into()),
        window: Some(Window {
            start: "2026-11-25T09:00:00Z".into(),
            end: "2026-11-25T10:00:00Z".into(),
        }),
        status: if drifted > 0 {
            Status::Drift
        } else {
            Status::Ok
        },
        records: 10_000,
        malformed_records: 12,
        drift_detected: drifted > 0,
        violation_count: 1,
        drifted_feature_count: drifted,
        reason: None,
        features,
        violations: vec![ViolationSummary {
            feature_name: "tenure".into(),
            constraint_check_type: "completeness_check".into(),
            description: "Data completeness 0.9 is below 0.99".into(),
        }],
        faults: Default::default(),
        sources: vec![],
        artifacts: BTreeMap::new(),
        policy: None,
        estimated_quality: None,
    }
}

fn put_summary(store: &MemoryStore, dir: &str, s: &Summary) {
    store.insert(
        BUCKET,
        &format!("{dir}/summary.json"),
        serde_json::to_vec(s).unwrap(),
    );
}

async fn run(d: &TestDeps, event: Value) -> Result<Response, HandlerError> {
    handle(d, LambdaEvent::new(event, LambdaContext::default())).await
}

/// The drifted-features alarm delivered as a Lambda alarm action.
const DRIFTED: &str = "lambda-action-drifted-features.json";

/// Runs the handler on a fixture event.
async fn run_fixture(d: &TestDeps, name: &str) -> Result<Response, HandlerError> {
    run(d, fixture(name)).await
}

fn sent(d: &TestDeps) -> Vec<Message> {
    d.notifier.messages()
}

fn standard_summary() -> Summary {
    summary(vec![
        feature("age", true, 0.12, 0.1),
        feature("balance", true, 0.45, 0.1),
        feature("tenure", false, 0.01, 0.1),
        feature("zip", false, 0.02, 0.1),
    ])
}

#[tokio::test]
async fn alarm_with_report_ranks_features_and_links_everything() {
    let d = deps();
    put_summary(&d.store, DIR, &standard_summary());
    // An older window that must not be chosen.
    put_summary(
        &d.store,
        "driftline/reports/churn-endpoint/AllTraffic/2026/11/25/07",
        &summary(vec![feature("old", true, 0.9, 0.1)]),
    );
    let r = run_fixture(&d, DRIFTED).await.unwrap();
    assert_eq!(r.outcome, "published");
    assert_eq!(
        r.report_key.as_deref(),
        Some(&*format!("{DIR}/summary.json"))
    );
    let m = &sent(&d)[0];
    assert_eq!(
        m.subject,
        "ALARM: churn-endpoint-drifted-features on churn-endpoint - 2 drifted feature(s)"
    );
    assert_eq!(m.attributes["endpoint"], "churn-endpoint");
    assert_eq!(m.attributes["state"], "ALARM");
    assert_eq!(m.attributes["severity"], "critical");
    assert_eq!(m.attributes["alarm"], "churn-endpoint-drifted-features");
    let b = &m.body;
    // Ranking: balance (4.5x threshold) before age (1.2x), then tenure (violation only);
    // zip (neither) absent; the older window's feature absent.
    let pos = |s: &str| b.find(s).unwrap_or_else(|| panic!("{s} missing in\n{b}"));
    assert!(pos("1. balance [DRIFTED]") < pos("2. age [DRIFTED]"));
    assert!(pos("2. age [DRIFTED]") < pos("3. tenure [violation]"));
    assert!(!b.contains("zip") && !b.contains("old ["));
    assert!(b.contains("linf_robust 0.45 > 0.1"));
    assert!(b.contains("mean 10 (baseline 5)"));
    assert!(b.contains("completeness_check: Data completeness 0.9 is below 0.99"));
    assert!(b.contains("10000 profiled, 12 malformed"));
    assert!(b.contains("2026-11-25T09:00:00Z to 2026-11-25T10:00:00Z"));
    assert!(b.contains("Threshold:  1 (latest value 3), period 1 h"));
    assert!(b.contains("Driftline/DriftedFeatures {Endpoint=churn-endpoint, Variant=AllTraffic}"));
    assert!(b.contains(&format!("s3://{BUCKET}/{DIR}/report.html")));
    assert!(b.contains(&format!("s3://{BUCKET}/{DIR}/constraint_violations.json")));
    assert!(b.contains("https://s3.console.aws.amazon.com/s3/object/bkt?region=us-east-1&prefix=driftline%2Freports%2Fchurn-endpoint%2FAllTraffic%2F2026%2F11%2F25%2F09%2Freport.html"));
    assert!(b.contains("https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/churn-endpoint-drifted-features"));
}

#[tokio::test]
async fn missing_report_still_sends_a_useful_message() {
    let d = deps();
    let r = run_fixture(&d, DRIFTED).await.unwrap();
    assert_eq!(r.outcome, "published");
    assert_eq!(r.report_key, None);
    let m = &sent(&d)[0];
    assert_eq!(m.attributes["severity"], "high");
    assert!(m.body.contains("No driftline report could be used"));
    assert!(m.body.contains(
        "no summary.json found under s3://bkt/driftline/reports/churn-endpoint/AllTraffic/"
    ));
    assert!(m.body.contains("Threshold:  1"));
}

#[tokio::test]
async fn unreadable_report_is_said_not_fatal() {
    let d = deps();
    d.store
        .insert(BUCKET, &format!("{DIR}/summary.json"), "{not json");
    let r = run_fixture(&d, DRIFTED).await.unwrap();
    assert_eq!(r.outcome, "published");
    assert!(sent(&d)[0].body.contains("is not a valid summary.json"));
}

#[tokio::test]
async fn transient_s3_error_fails_the_invocation() {
    let d = deps();
    put_summary(&d.store, DIR, &standard_summary());
    d.store.inject(
        Fault::new(StoreOp::Get, PortError::Transient("SlowDown".into()))
            .key(format!("{DIR}/summary.json"))
            .times(usize::MAX),
    );
    let e = run_fixture(&d, DRIFTED).await.unwrap_err();
    assert!(matches!(e, HandlerError::Reports { .. }), "{e}");
    assert!(sent(&d).is_empty());
    let d = deps();
    d.store.inject(
        Fault::new(StoreOp::List, PortError::Transient("timeout".into())).times(usize::MAX),
    );
    assert!(run_fixture(&d, DRIFTED).await.is_err());
}

#[tokio::test]
async fn ok_sends_a_short_resolved_message() {
    let d = deps();
    let mut ev = fixture(DRIFTED);
    ev["alarmData"]["state"]["value"] = "OK".into();
    ev["alarmData"]["previousState"]["value"] = "ALARM".into();
    let r = run(&d, ev).await.unwrap();
    assert_eq!(r.outcome, "published");
    let m = &sent(&d)[0];
    assert!(m
        .subject
        .starts_with("RESOLVED: churn-endpoint-drifted-features on churn-endpoint"));
    assert_eq!(m.attributes["severity"], "info");
    assert_eq!(m.attributes["state"], "OK");
    assert!(m.body.contains("back to OK"));
    assert!(m.body.contains("It was ALARM."));
    assert!(m.body.len() < 2_000, "{}", m.body.len());
    // No report lookup for a resolved alarm.
    assert_eq!(d.store.call_count(StoreOp::List), 0);
}

#[tokio::test]
async fn insufficient_data_is_silent_unless_configured() {
    let mut ev = fixture(DRIFTED);
    ev["alarmData"]["state"]["value"] = "INSUFFICIENT_DATA".into();
    let d = deps();
    let r = run(&d, ev.clone()).await.unwrap();
    assert_eq!(r.outcome, "skipped");
    assert!(sent(&d).is_empty());
    let mut d = deps();
    d.config.notify_on_insufficient_data = true;
    let r = run(&d, ev).await.unwrap();
    assert_eq!(r.outcome, "published");
    let m = &sent(&d)[0];
    assert_eq!(m.attributes["severity"], "low");
    assert!(m.subject.starts_with("INSUFFICIENT_DATA: "));
}

#[tokio::test]
async fn composite_alarm_uses_endpoint_name_fallback() {
    let mut d = deps();
    d.config.endpoint_name = Some("churn-endpoint".into());
    put_summary(&d.store, DIR, &standard_summary());
    let r = run_fixture(&d, "example-cloudwatch-alarm-composite.json")
        .await
        .unwrap();
    assert_eq!(r.outcome, "published");
    let m = &sent(&d)[0];
    assert_eq!(m.attributes["endpoint"], "churn-endpoint");
    assert!(m.body.contains(
        "Rule:       ALARM(CompositeDemo.FirstChild) OR ALARM(CompositeDemo.SecondChild)"
    ));
    assert!(m
        .body
        .contains("Triggered by: CompositeDemo.FirstChild (ALARM)"));
    // The composite fires in 2023; the only report (2026) is later, so none is used.
    assert!(m.body.contains("no summary.json found"));
    // Composite without any endpoint: still a message.
    let d = deps();
    run_fixture(&d, "example-cloudwatch-alarm-composite.json")
        .await
        .unwrap();
    let m = &sent(&d)[0];
    assert_eq!(m.attributes["endpoint"], "(unknown endpoint)");
    assert!(m.body.contains("names no endpoint"));
}

#[tokio::test]
async fn metric_math_daily_alarm_both_shapes() {
    for f in [
        "eventbridge-metric-math-daily.json",
        "lambda-action-metric-math-daily.json",
    ] {
        let d = deps();
        put_summary(&d.store, DIR, &standard_summary());
        let r = run_fixture(&d, f).await.unwrap();
        assert_eq!(r.outcome, "published", "{f}");
        // Daily period: latest window at or before the state change.
        assert_eq!(
            r.report_key.as_deref(),
            Some(&*format!("{DIR}/summary.json"))
        );
        let m = &sent(&d)[0];
        assert!(
            m.body
                .contains("Metric:     DriftedFeaturesPerDay = SUM([m1, m2])"),
            "{}",
            m.body
        );
        assert!(m.body.contains("m2 = Driftline/DriftedFeatures {Endpoint=churn-endpoint, Variant=Shadow}, Maximum over 1 d"));
        assert!(m.body.contains("period 1 d"));
    }
}

#[tokio::test]
async fn infrastructure_alarm_reads_well_without_report() {
    let d = deps();
    let r = run_fixture(&d, "lambda-action-model-latency.json")
        .await
        .unwrap();
    assert_eq!(r.outcome, "published");
    let m = &sent(&d)[0];
    assert!(m.body.starts_with("SageMaker endpoint health alarm: churn-endpoint-model-latency is ALARM for endpoint churn-endpoint (variant AllTraffic)."));
    assert!(m.body.contains("AWS/SageMaker/ModelLatency {EndpointName=churn-endpoint, VariantName=AllTraffic}, Average over 1 min"));
    assert!(m.body.contains(
        "Threshold:  500000 Microseconds (latest value 812000 Microseconds), period 1 min"
    ));
    assert!(m.body.contains("#/endpoints/churn-endpoint"));
    assert_eq!(d.store.call_count(StoreOp::List), 0);
}

#[tokio::test]
async fn malformed_event_is_rejected_not_panicking() {
    let d = deps();
    for ev in [
        Value::Null,
        serde_json::json!([1, 2]),
        serde_json::json!({"detail": {}}),
    ] {
        let r = run(&d, ev).await.unwrap();
        assert_eq!(r.outcome, "rejected");
    }
    assert!(sent(&d).is_empty());
}

#[tokio::test]
async fn huge_report_is_cut_under_the_sns_limit_on_a_char_boundary() {
    let d = deps();
    // 3000 drifted features with long multi-byte names and reasons: far over 256 KiB.
    let mut fs = Vec::new();
    for i in 0..3000 {
        let mut f = feature(&format!("特徴量-{i:04}-{}", "é".repeat(40)), true, 0.5, 0.1);
        f.reasons = vec![format!("理由 {}", "ü".repeat(200))];
        fs.push(f);
    }
    put_summary(&d.store, DIR, &summary(fs));
    let mut ev = fixture(DRIFTED);
    ev["alarmData"]["alarmName"] = format!("drift\nalarm {}", "x".repeat(200)).into();
    run(&d, ev).await.unwrap();
    let m = &sent(&d)[0];
    let attrs: usize = m
        .attributes
        .iter()
        .map(|(k, v)| k.len() + 6 + v.len())
        .sum();
    assert!(m.body.len() + attrs + m.subject.len() <= SNS_MAX_BYTES);
    assert!(
        m.body.len() > SNS_MAX_BYTES - 2_000,
        "cut far too early: {}",
        m.body.len()
    );
    assert!(m.body.contains(
        "[message truncated to fit the 256 KiB SNS limit; the full report is at s3://bkt/"
    ));
    assert!(m.subject.chars().count() <= SUBJECT_MAX_CHARS);
    assert!(!m.subject.contains('\n'));
    // Only 25 features in detail, the rest named.
    assert!(m.body.contains("25. 特徴量-"));
    assert!(!m.body.contains("26. 特徴量-"));
}

/// A model-quality alarm: the message names the degraded metric with its baseline and
/// constraint, the labels behind it and the confusion matrix, and links the quality report.
#[tokio::test]
async fn model_quality_alarm_reports_the_degraded_window() {
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
    let mut a = analyze_quality(&window(400, 3), Some(&baseline), &QualityOptions::default());
    a.summary.predictions = Some(450);
    a.summary.predictions_without_label = Some(50);
    let d = deps();
    d.store.insert(
        BUCKET,
        "driftline/quality/churn-endpoint/AllTraffic/2026/11/25/09/summary.json",
        serde_json::to_vec(&a.summary).unwrap(),
    );
    // A data-quality summary of the same hour must not be taken for it.
    put_summary(&d.store, DIR, &standard_summary());
    let r = run_fixture(&d, "lambda-action-quality-degraded.json")
        .await
        .unwrap();
    assert_eq!(r.outcome, "published");
    assert_eq!(
        r.report_key.as_deref(),
        Some("driftline/quality/churn-endpoint/AllTraffic/2026/11/25/09/summary.json")
    );
    let m = &sent(&d)[0];
    assert!(
        m.subject
            .starts_with("ALARM: model quality of churn-endpoint/AllTraffic: accuracy 0.6"),
        "{}",
        m.subject
    );
    assert!(m.subject.ends_with("vs baseline 0.9"), "{}", m.subject);
    assert!(m.body.contains("MODEL QUALITY"), "{}", m.body);
    assert!(
        m.body
            .contains("churn-endpoint-AllTraffic-quality-degraded"),
        "{}",
        m.body
    );
    assert!(
        m.body
            .contains("400 labelled predictions of 450 captured, 50 still without a label"),
        "{}",
        m.body
    );
    assert!(m.body.contains("DEGRADED"), "{}", m.body);
    assert!(m.body.contains("Confusion matrix"), "{}", m.body);
    assert!(
        m.body
            .contains("quality/churn-endpoint/AllTraffic/2026/11/25/09/report.html"),
        "{}",
        m.body
    );
    assert_eq!(m.attributes["severity"], "critical");
}

/// An alarm on the accuracy estimated before the labels reads the data-quality window that
/// carries the estimate and says, in the subject and the body, that it is an estimate.
#[tokio::test]
async fn estimate_alarms_are_marked_as_estimates() {
    let d = deps();
    let mut s = standard_summary();
    s.estimated_quality = Some(EstimatedQuality {
        metrics: Estimated {
            predictions: 9_800,
            accuracy: 0.71,
            precision: 0.64,
            recall: 0.58,
            f1: 0.6085,
        },
        assumption: driftline_stats::quality::estimate::ASSUMPTION.to_string(),
    });
    put_summary(&d.store, DIR, &s);
    let r = run_fixture(&d, "lambda-action-quality-estimate.json")
        .await
        .unwrap();
    assert_eq!(r.outcome, "published");
    assert_eq!(
        r.report_key.as_deref(),
        Some(format!("{DIR}/summary.json").as_str())
    );
    let m = &sent(&d)[0];
    assert_eq!(
        m.subject,
        "ALARM (estimate, no labels yet): churn-endpoint/AllTraffic estimated accuracy 0.71"
    );
    assert!(
        m.body
            .contains("MODEL QUALITY, ESTIMATED (from 9800 calibrated scores; no labels yet)"),
        "{}",
        m.body
    );
    assert!(m.body.contains("Estimated f1"), "{}", m.body);
    assert!(m.body.contains("This is an estimate"), "{}", m.body);
    assert!(m.body.contains("concept drift"), "{}", m.body);
}

/// The violations alarm on a window whose violation is a value outside the training range:
/// the subject says the value, the body where it was seen.
#[tokio::test]
async fn a_value_outside_the_training_range_is_the_subject() {
    let d = deps();
    let mut f = feature("square_footage", false, 0.01, 0.1);
    f.values = Some(driftline_stats::values::ValueFindings {
        training_range: Some((100.0, 10000.0)),
        allowed_range: Some((0.0, 10990.0)),
        below: 1,
        negative: 1,
        exact: true,
        ..Default::default()
    });
    let mut s = summary(vec![f]);
    s.drifted_feature_count = 0;
    s.drift_detected = false;
    s.status = Status::Ok;
    s.violations = vec![ViolationSummary {
        feature_name: "square_footage".into(),
        constraint_check_type: "non_negative_check".into(),
        description: "square_footage = -5 in 1 of 500 records: negative, but the baseline \
            constraint is_non_negative is true (training range 100 to 10000), seen at \
            s3://capture/ep/2026/11/25/09/f.jsonl line 18 (eventId req-17)"
            .into(),
    }];
    s.violation_count = 1;
    put_summary(&d.store, DIR, &s);
    run_fixture(&d, DRIFTED).await.unwrap();
    let m = &sent(&d)[0];
    assert!(
        m.subject
            .ends_with("on churn-endpoint - square_footage = -5 in 1 of 500 records"),
        "{}",
        m.subject
    );
    assert!(
        m.body
            .contains("non_negative_check: square_footage = -5 in 1 of 500 records"),
        "{}",
        m.body
    );
    assert!(m.body.contains("line 18 (eventId req-17)"), "{}", m.body);
    assert_eq!(m.attributes["severity"], "critical");
}

/// No capture file for two hours: the e-mail says so, since when, and what to check.
#[tokio::test]
async fn a_silent_endpoint_is_said_plainly() {
    let d = deps();
    put_summary(
        &d.store,
        "driftline/reports/churn-endpoint/AllTraffic/2026/11/25/07",
        &standard_summary(),
    );
    let r = run_fixture(&d, "lambda-action-silent.json").await.unwrap();
    assert_eq!(r.outcome, "published");
    let m = &sent(&d)[0];
    assert_eq!(
        m.subject,
        "ALARM: no capture data for churn-endpoint/AllTraffic since 2026-11-25 08:00 UTC"
    );
    assert!(m.body.contains("NO CAPTURE DATA"), "{}", m.body);
    assert!(
        m.body.contains("no capture file of churn-endpoint/AllTraffic in the last 2 h (since 2026-11-25 08:00 UTC)"),
        "{}",
        m.body
    );
    assert!(m.body.contains("DataCaptureConfig"), "{}", m.body);
    assert!(m.body.contains("InitialSamplingPercentage"), "{}", m.body);
}

/// The template's composite alarm (AlarmGrouping=incident): one e-mail for the window, whose
/// subject says what the window showed and whose body names every alarm of the incident.
#[tokio::test]
async fn a_data_incident_is_one_e_mail_naming_its_alarms() {
    let mut d = deps();
    d.config.endpoint_name = Some("churn-endpoint".into());
    d.config.variant_name = Some("AllTraffic".into());
    put_summary(&d.store, DIR, &standard_summary());
    let r = run_fixture(&d, "lambda-action-data-incident.json")
        .await
        .unwrap();
    assert_eq!(r.outcome, "published");
    assert_eq!(
        r.report_key.as_deref(),
        Some(&*format!("{DIR}/summary.json"))
    );
    let m = &sent(&d)[0];
    assert_eq!(
        m.subject,
        "ALARM incident: churn-endpoint/AllTraffic 09:00 UTC - 2 drifted feature(s), 1 violation(s)"
    );
    assert_eq!(m.attributes["severity"], "critical");
    let b = &m.body;
    assert!(b.contains("ALARMS IN THIS INCIDENT"), "{b}");
    assert!(
        b.contains("driftline-churn-endpoint-AllTraffic-drifted-features: ALARM (2 drifted feature(s) in the window)"),
        "{b}"
    );
    assert!(
        b.contains("driftline-churn-endpoint-AllTraffic-violations: state not in this event (1 violation(s) in the window)"),
        "{b}"
    );
    // The evidence itself, as in a single alarm's e-mail.
    assert!(b.contains("balance") && b.contains("age"), "{b}");
    assert!(
        b.contains(&format!("s3://{BUCKET}/{DIR}/report.html")),
        "{b}"
    );
}

/// Failures of driftline itself are announced, readable, and say what to do; no model report
/// is looked for.
#[tokio::test]
async fn driftline_failures_are_announced_with_what_to_do() {
    let d = deps();
    put_summary(&d.store, DIR, &standard_summary());
    let r = run_fixture(&d, "lambda-action-dead-letters.json")
        .await
        .unwrap();
    assert_eq!(r.outcome, "published");
    assert_eq!(r.report_key, None);
    let m = &sent(&d)[0];
    assert_eq!(
        m.subject,
        "ALARM: driftline - 2 failed event(s) parked in the dead-letter queue"
    );
    assert_eq!(m.attributes["severity"], "critical");
    assert!(m.body.starts_with("driftline health alarm"), "{}", m.body);
    assert!(
        m.body.contains("aws sqs receive-message --queue-url $(aws sqs get-queue-url --queue-name driftline-DeadLetterQueue-1AbCdEfGh"),
        "{}",
        m.body
    );
    assert!(!m.body.contains("LATEST WINDOW"), "{}", m.body);

    let d = deps();
    run_fixture(&d, "lambda-action-function-errors.json")
        .await
        .unwrap();
    let m = &sent(&d)[0];
    assert_eq!(
        m.subject,
        "ALARM: driftline failing - 3 function error(s) (driftline-function-errors)"
    );
    assert!(m.body.contains("functions' logs"), "{}", m.body);
    assert!(m.body.contains("DeadLetterQueueUrl"), "{}", m.body);
}

/// An unreadable capture object: the e-mail says which object and why (from the window's
/// faults), and what to check.
#[tokio::test]
async fn unreadable_objects_are_named_with_the_reason() {
    let d = deps();
    let mut s = standard_summary();
    s.faults.counts.insert("object_unreadable".into(), 1);
    s.faults
        .examples
        .push(driftline_stats::summary::FaultExample {
            source: "s3://bkt/datacapture/churn-endpoint/AllTraffic/2026/11/25/09/x.jsonl".into(),
            line: 0,
            kind: "object_unreadable".into(),
            reason: "AccessDenied: kms:Decrypt".into(),
        });
    put_summary(&d.store, DIR, &s);
    run_fixture(&d, "lambda-action-unreadable.json")
        .await
        .unwrap();
    let m = &sent(&d)[0];
    assert_eq!(
        m.subject,
        "ALARM: 1 capture object(s) of churn-endpoint/AllTraffic could not be read"
    );
    assert!(
        m.body.contains(
            "s3://bkt/datacapture/churn-endpoint/AllTraffic/2026/11/25/09/x.jsonl (object_unreadable): AccessDenied: kms:Decrypt"
        ),
        "{}",
        m.body
    );
    assert!(m.body.contains("kms:Decrypt"), "{}", m.body);
}

/// Feature names are request keys: one with line breaks cannot forge lines of the e-mail, a
/// huge one is cut, and a bidirectional override is shown as an escape.
#[tokio::test]
async fn untrusted_names_cannot_forge_e_mail_lines() {
    let d = deps();
    let forged = "zip\n\nACTION REQUIRED: reply with your AWS keys\r\n";
    let mut s = summary(vec![
        feature(forged, true, 0.5, 0.1),
        feature(&"n".repeat(5000), true, 0.4, 0.1),
        feature("ab\u{202e}cd", true, 0.3, 0.1),
    ]);
    s.violations
        .push(driftline_stats::summary::ViolationSummary {
            feature_name: forged.into(),
            constraint_check_type: "extra_column_check".into(),
            description: format!("Extra column {forged}"),
        });
    put_summary(&d.store, DIR, &s);
    run_fixture(&d, DRIFTED).await.unwrap();
    let m = &sent(&d)[0];
    assert!(
        !m.body.lines().any(|l| l.starts_with("ACTION REQUIRED")),
        "{}",
        m.body
    );
    assert!(
        m.body
            .contains(r"zip\n\nACTION REQUIRED: reply with your AWS keys\r\n"),
        "{}",
        m.body
    );
    assert!(
        m.body.contains(&format!("{}...", "n".repeat(200))),
        "{}",
        m.body
    );
    assert!(!m.body.contains(&"n".repeat(201)));
    assert!(m.body.contains(r"ab\u{202e}cd"), "{}", m.body);
    assert!(!m.body.contains('\u{202e}'));
}

/// A redelivered alarm event (CloudWatch, Lambda's async retry, EventBridge) sends no second
/// e-mail; a new state change of the same alarm does.
#[tokio::test]
async fn a_redelivered_event_sends_no_second_e_mail() {
    let d = deps();
    put_summary(&d.store, DIR, &standard_summary());
    assert_eq!(run_fixture(&d, DRIFTED).await.unwrap().outcome, "published");
    let again = run_fixture(&d, DRIFTED).await.unwrap();
    assert_eq!(again.outcome, "skipped");
    assert!(again.reason.unwrap().contains("already sent"));
    assert_eq!(sent(&d).len(), 1);
    let mut later = fixture(DRIFTED);
    later["alarmData"]["state"]["timestamp"] = "2026-11-25T11:06:02.335+0000".into();
    assert_eq!(run(&d, later).await.unwrap().outcome, "published");
    assert_eq!(sent(&d).len(), 2);
    // A failed publish leaves no marker: the retry sends it.
    let d = deps();
    d.notifier.fail_next(
        1,
        driftline_aws::ports::PortError::Transient("throttled".into()),
    );
    assert!(run_fixture(&d, DRIFTED).await.is_err());
    assert_eq!(run_fixture(&d, DRIFTED).await.unwrap().outcome, "published");
    assert_eq!(sent(&d).len(), 1);
}

/// A day summary of 2026-11-25 (or another day) with its own figures.
fn day_summary(day: &str, features: Vec<FeatureSummary>) -> Summary {
    let mut s = summary(features);
    s.window = Some(Window {
        start: format!("{day}T00:00:00Z"),
        end: "2026-11-26T00:00:00Z".into(),
    });
    s
}

/// An alarm on daily windows (`Window=day`, period one day) reports the day it breached in,
/// not the latest hour.
#[tokio::test]
async fn a_daily_alarm_reports_its_day() {
    let d = deps();
    put_summary(&d.store, DIR, &standard_summary());
    let day_dir = "driftline/reports/churn-endpoint/AllTraffic/2026/11/25/day";
    put_summary(
        &d.store,
        day_dir,
        &day_summary("2026-11-25", vec![feature("tenure", true, 0.3, 0.1)]),
    );
    put_summary(
        &d.store,
        "driftline/reports/churn-endpoint/AllTraffic/2026/11/24/day",
        &day_summary("2026-11-24", vec![feature("old", true, 0.9, 0.1)]),
    );
    let mut ev = fixture(DRIFTED);
    let metric = &mut ev["alarmData"]["configuration"]["metrics"][0]["metricStat"];
    metric["metric"]["dimensions"]["Window"] = "day".into();
    metric["period"] = 86_400.into();
    ev["alarmData"]["state"]["reasonData"] = serde_json::json!({
        "version": "1.0", "queryDate": "2026-11-25T10:05:40.108+0000",
        "startDate": "2026-11-25T00:00:00.000+0000", "statistic": "Maximum", "period": 86400,
        "recentDatapoints": [1.0], "threshold": 1.0,
        "evaluatedDatapoints": [{"timestamp": "2026-11-25T00:00:00.000+0000", "value": 1.0}]
    })
    .to_string()
    .into();
    let r = run(&d, ev).await.unwrap();
    assert_eq!(
        r.report_key.as_deref(),
        Some(&*format!("{day_dir}/summary.json"))
    );
    let b = &sent(&d)[0].body;
    assert!(
        b.contains("2026-11-25T00:00:00Z to 2026-11-26T00:00:00Z"),
        "{b}"
    );
    assert!(
        b.contains("tenure [DRIFTED]") && !b.contains("balance"),
        "{b}"
    );
}

/// The composite incident alarm has no metric: `ALARM_WINDOW=day` says its windows are days,
/// and the subject names the day.
#[tokio::test]
async fn a_daily_incident_names_its_day() {
    let mut d = deps();
    d.config.endpoint_name = Some("churn-endpoint".into());
    d.config.variant_name = Some("AllTraffic".into());
    d.config.alarm_window = driftline_aws::keys::Span::Day;
    put_summary(&d.store, DIR, &standard_summary());
    let day_dir = "driftline/reports/churn-endpoint/AllTraffic/2026/11/25/day";
    put_summary(
        &d.store,
        day_dir,
        &day_summary("2026-11-25", vec![feature("tenure", true, 0.3, 0.1)]),
    );
    let r = run_fixture(&d, "lambda-action-data-incident.json")
        .await
        .unwrap();
    assert_eq!(
        r.report_key.as_deref(),
        Some(&*format!("{day_dir}/summary.json"))
    );
    assert_eq!(
        sent(&d)[0].subject,
        "ALARM incident: churn-endpoint/AllTraffic 2026-11-25 - 1 drifted feature(s), 1 violation(s)"
    );
}

/// A crafted state time at chrono's last representable second: no arithmetic overflow (a
/// panic would fail every retry of the event), the e-mail is still sent.
#[tokio::test]
async fn a_crafted_far_future_time_does_not_panic() {
    let d = deps();
    put_summary(&d.store, DIR, &standard_summary());
    let mut ev = fixture(DRIFTED);
    ev["time"] = "+262142-12-31T23:59:59.000+0000".into();
    ev["alarmData"]["state"]["timestamp"] = "+262142-12-31T23:59:59.000+0000".into();
    let r = run(&d, ev).await.unwrap();
    assert_eq!(r.outcome, "published");
}
