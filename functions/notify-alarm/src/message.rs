//! Plain-text messages a person can act on.

use driftline_aws::alarm::{describe_period, parse_time, AlarmEvent, AlarmKind, StateValue};
use driftline_aws::keys::ReportFile;
use driftline_aws::ports::Message;
use driftline_aws::reports::{s3_uri, SummaryKey, REPORT_FILES};
use driftline_aws::text::{body_budget, sanitize_subject, truncate_body};
use driftline_stats::quality::analysis::{QualityStatus, QualitySummary};
use driftline_stats::quality::estimate::EstimatedQuality;
use driftline_stats::summary::{FeatureSummary, Status, Summary};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Features listed in full; the rest are named on one line.
pub const MAX_DETAILED_FEATURES: usize = 25;

/// Characters left alone in URL components (RFC 3986 unreserved).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// What is known about the endpoint's latest report.
#[derive(Debug, Clone)]
pub enum ReportLookup {
    /// Found and parsed.
    Found {
        /// Bucket it lives in.
        bucket: String,
        /// Its key.
        key: SummaryKey,
        /// The parsed summary.
        summary: Box<Summary>,
    },
    /// A model-quality window's summary (evaluate-quality), found and parsed.
    Quality {
        /// Bucket it lives in.
        bucket: String,
        /// Its key.
        key: SummaryKey,
        /// The parsed summary.
        summary: Box<QualitySummary>,
    },
    /// Looked for but not usable; the reason says why (not found, unreadable, …).
    Missing(String),
    /// Not looked for (infrastructure alarm, or no endpoint known).
    NotApplicable(String),
}

/// Facts the message needs besides the alarm.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Endpoint (from the alarm or `ENDPOINT_NAME`).
    pub endpoint: Option<String>,
    /// Variant (from the alarm).
    pub variant: Option<String>,
    /// Region for console links (event, else `AWS_REGION`).
    pub region: Option<String>,
}

/// Severity attribute: `critical` (drift or violations confirmed by the report, or a
/// SageMaker error alarm), `high` (any other ALARM), `low` (INSUFFICIENT_DATA), `info` (OK).
pub fn severity(alarm: &AlarmEvent, report: &ReportLookup) -> &'static str {
    match alarm.state.value {
        StateValue::Alarm => {
            let confirmed = matches!(report, ReportLookup::Found { summary, .. }
                if summary.drift_detected || summary.violation_count > 0)
                || matches!(report, ReportLookup::Quality { summary, .. } if summary.degraded);
            let errors = alarm
                .metrics
                .iter()
                .filter_map(|m| m.name.as_deref())
                .any(|n| n.contains("5XX"));
            // driftline's own failures may mean unhandled data: someone must look.
            if confirmed || (alarm.is_infrastructure() && errors) || alarm.is_driftline_health() {
                "critical"
            } else {
                "high"
            }
        }
        StateValue::InsufficientData => "low",
        StateValue::Ok | StateValue::Other(_) => "info",
    }
}

/// Builds the one SNS message for an alarm event.
pub fn build(alarm: &AlarmEvent, ctx: &Context, report: &ReportLookup) -> Message {
    let endpoint = ctx.endpoint.as_deref().unwrap_or("(unknown endpoint)");
    let state = alarm.state.value.as_str();
    let subject = match alarm.state.value {
        StateValue::Ok => format!("RESOLVED: {} on {endpoint}", alarm.alarm_name),
        StateValue::Alarm if alarm.is_silence() => {
            let since = alarm
                .state
                .reason_data
                .start_date
                .as_deref()
                .map(readable_time)
                .map(|t| format!(" since {t}"))
                .unwrap_or_default();
            format!(
                "ALARM: no capture data for {endpoint}{}{since}",
                variant_suffix(ctx)
            )
        }
        StateValue::Alarm if alarm.is_unreadable() => {
            let n = alarm
                .state
                .reason_data
                .recent_datapoints
                .last()
                .map(|v| format!("{} ", fmt_num(*v)))
                .unwrap_or_default();
            format!(
                "ALARM: {n}capture object(s) of {endpoint}{} could not be read",
                variant_suffix(ctx)
            )
        }
        StateValue::Alarm if alarm.is_driftline_health() => {
            let latest = alarm
                .state
                .reason_data
                .recent_datapoints
                .last()
                .copied()
                .map(fmt_num);
            // The queue's name is in the body (subjects are cut at 100 characters).
            match (alarm.dimension(&["QueueName"]), latest) {
                (Some(_), Some(n)) => {
                    format!(
                        "ALARM: driftline - {n} failed event(s) parked in the dead-letter queue"
                    )
                }
                (Some(_), None) => {
                    "ALARM: driftline - failed events parked in the dead-letter queue".to_string()
                }
                (None, Some(n)) => format!(
                    "ALARM: driftline failing - {n} function error(s) ({})",
                    alarm.alarm_name
                ),
                (None, None) => format!("ALARM: driftline failing ({})", alarm.alarm_name),
            }
        }
        StateValue::Alarm if matches!(alarm.kind, AlarmKind::Composite { .. }) => {
            // One e-mail for the incident: what the window showed, not which alarm said it.
            let mut parts = Vec::new();
            let mut window = String::new();
            if let ReportLookup::Found { summary, .. } = report {
                if summary.drifted_feature_count > 0 {
                    parts.push(format!(
                        "{} drifted feature(s)",
                        summary.drifted_feature_count
                    ));
                }
                if summary.violation_count > 0 {
                    parts.push(format!("{} violation(s)", summary.violation_count));
                }
                if let Some(label) = summary.window.as_ref().and_then(window_label) {
                    window = format!(" {label}");
                }
            }
            let what = if parts.is_empty() {
                String::new()
            } else {
                format!(" - {}", parts.join(", "))
            };
            // Subjects are cut at 100 characters: the window's hour only (the body has it all).
            format!(
                "ALARM incident: {endpoint}{}{window}{what}",
                variant_suffix(ctx)
            )
        }
        StateValue::Alarm => {
            let what = match report {
                ReportLookup::Found { summary, .. } if alarm.is_quality_estimate() => {
                    if let Some(e) = &summary.estimated_quality {
                        let subject = format!(
                            "ALARM (estimate, no labels yet): {endpoint}{} estimated accuracy {}",
                            variant_suffix(ctx),
                            fmt_num(e.metrics.accuracy)
                        );
                        return finish(alarm, ctx, report, endpoint, subject);
                    }
                    String::new()
                }
                ReportLookup::Found { summary, .. } if summary.drifted_feature_count > 0 => {
                    format!(" - {} drifted feature(s)", summary.drifted_feature_count)
                }
                ReportLookup::Found { summary, .. } if summary.violation_count > 0 => {
                    // A value outside the training range says itself best: "x = -5 in 1 of
                    // 500 records".
                    let value = summary.violations.iter().find(|v| {
                        matches!(
                            v.constraint_check_type.as_str(),
                            "non_negative_check" | "value_range_check" | "value_domain_check"
                        )
                    });
                    match value.and_then(|v| v.description.split_once(':')) {
                        Some((headline, _)) => format!(
                            " - {headline}{}",
                            if summary.violation_count > 1 {
                                format!(" (+{} more violation(s))", summary.violation_count - 1)
                            } else {
                                String::new()
                            }
                        ),
                        None => format!(" - {} violation(s)", summary.violation_count),
                    }
                }
                ReportLookup::Quality { summary, .. } => {
                    // The template's alarm names are long; a person wants the figure.
                    let subject = format!(
                        "ALARM: model quality of {endpoint}{}{}",
                        variant_suffix(ctx),
                        quality_headline(summary)
                    );
                    return finish(alarm, ctx, report, endpoint, subject);
                }
                _ => String::new(),
            };
            format!("ALARM: {} on {endpoint}{what}", alarm.alarm_name)
        }
        _ => format!("{state}: {} on {endpoint}", alarm.alarm_name),
    };
    finish(alarm, ctx, report, endpoint, subject)
}

/// `/variant` after the endpoint in a subject, when the alarm names one.
fn variant_suffix(ctx: &Context) -> String {
    ctx.variant
        .as_deref()
        .map(|v| format!("/{v}"))
        .unwrap_or_default()
}

fn finish(
    alarm: &AlarmEvent,
    ctx: &Context,
    report: &ReportLookup,
    endpoint: &str,
    subject: String,
) -> Message {
    let state = alarm.state.value.as_str();
    let subject = sanitize_subject(&subject);

    let mut attributes = BTreeMap::new();
    attributes.insert("endpoint".to_string(), endpoint.to_string());
    attributes.insert("severity".to_string(), severity(alarm, report).to_string());
    attributes.insert("state".to_string(), state.to_string());
    attributes.insert("alarm".to_string(), alarm.alarm_name.clone());

    let body = match alarm.state.value {
        StateValue::Ok => resolved_body(alarm, ctx, endpoint),
        _ => alarm_body(alarm, ctx, endpoint, report),
    };
    let report_uri = match report {
        ReportLookup::Found { bucket, key, .. } | ReportLookup::Quality { bucket, key, .. } => {
            Some(s3_uri(bucket, &key.sibling(ReportFile::Html)))
        }
        _ => None,
    };
    let budget = body_budget(&attributes).saturating_sub(subject.len());
    let body = truncate_body(body, budget, report_uri.as_deref());
    Message {
        subject,
        body,
        attributes,
    }
}

fn resolved_body(alarm: &AlarmEvent, ctx: &Context, endpoint: &str) -> String {
    let mut b = String::new();
    let since = alarm.state.timestamp.as_deref().unwrap_or("now");
    let _ = writeln!(
        b,
        "Resolved: alarm {} on endpoint {endpoint} is back to OK (since {since}).",
        alarm.alarm_name
    );
    if let Some(prev) = &alarm.previous_state {
        let _ = writeln!(b, "It was {}.", prev.value.as_str());
    }
    if !alarm.state.reason.is_empty() {
        let _ = writeln!(b, "\nCloudWatch says: {}", alarm.state.reason);
    }
    if let Some(url) = alarm_console_url(alarm, ctx) {
        let _ = writeln!(b, "\nAlarm in the CloudWatch console: {url}");
    }
    b
}

fn alarm_body(alarm: &AlarmEvent, ctx: &Context, endpoint: &str, report: &ReportLookup) -> String {
    let mut b = String::new();
    let headline = if alarm.is_driftline_health() {
        "driftline health alarm"
    } else if alarm.is_infrastructure() {
        "SageMaker endpoint health alarm"
    } else {
        "Model monitoring alarm"
    };
    let _ = writeln!(
        b,
        "{headline}: {} is {} for endpoint {endpoint}{}.",
        alarm.alarm_name,
        alarm.state.value.as_str(),
        ctx.variant
            .as_deref()
            .map(|v| format!(" (variant {v})"))
            .unwrap_or_default()
    );
    let _ = writeln!(b, "\nWHAT CROSSED WHICH THRESHOLD");
    write_alarm_facts(&mut b, alarm);
    if matches!(alarm.kind, AlarmKind::Composite { .. }) {
        write_incident_alarms(&mut b, alarm, report);
    }
    if alarm.is_silence() {
        write_silence(&mut b, alarm, endpoint, ctx);
    }
    if alarm.is_unreadable() {
        write_unreadable(&mut b, report);
    }

    match report {
        ReportLookup::Found {
            bucket,
            key,
            summary,
        } => {
            if let (true, Some(e)) = (alarm.is_quality_estimate(), &summary.estimated_quality) {
                write_estimate(&mut b, e);
            }
            write_summary(&mut b, summary);
            write_features(&mut b, summary);
            let _ = writeln!(b, "\nFULL REPORT");
            for f in REPORT_FILES {
                let _ = writeln!(
                    b,
                    "  {:<27} {}",
                    f.file_name(),
                    s3_uri(bucket, &key.sibling(f))
                );
            }
            if let Some(region) = ctx.region.as_deref() {
                let _ = writeln!(
                    b,
                    "  Open report.html in the S3 console:\n    {}",
                    s3_console_url(bucket, &key.sibling(ReportFile::Html), region)
                );
            }
        }
        ReportLookup::Quality {
            bucket,
            key,
            summary,
        } => {
            write_quality(&mut b, summary);
            let _ = writeln!(b, "\nFULL REPORT");
            for f in REPORT_FILES {
                let _ = writeln!(
                    b,
                    "  {:<27} {}",
                    f.file_name(),
                    s3_uri(bucket, &key.sibling(f))
                );
            }
        }
        ReportLookup::Missing(why) => {
            let _ = writeln!(
                b,
                "\nREPORT\n  No driftline report could be used for this alarm: {why}.\n  The facts above come from the alarm alone."
            );
        }
        ReportLookup::NotApplicable(why) => {
            let _ = writeln!(b, "\nREPORT\n  {why}");
        }
    }
    let _ = writeln!(b, "\nLINKS");
    if let Some(url) = alarm_console_url(alarm, ctx) {
        let _ = writeln!(b, "  Alarm in the CloudWatch console: {url}");
    }
    if let (Some(region), Some(ep)) = (ctx.region.as_deref(), ctx.endpoint.as_deref()) {
        let _ = writeln!(
            b,
            "  Endpoint in the SageMaker console: https://{region}.console.aws.amazon.com/sagemaker/home?region={region}#/endpoints/{}",
            utf8_percent_encode(ep, COMPONENT)
        );
    }
    b
}

/// Metrics a person reads first, in order (the headline is the first degraded one).
const HEADLINE_METRICS: [&str; 10] = [
    "accuracy",
    "f1",
    "auc",
    "weighted_f1",
    "precision",
    "recall",
    "rmse",
    "mae",
    "r2",
    "mse",
];

/// `: accuracy 0.6675 vs baseline 0.9` for the subject.
fn quality_headline(s: &QualitySummary) -> String {
    let degraded = |n: &str| s.degraded_metrics.iter().any(|d| d == n);
    let name = HEADLINE_METRICS
        .iter()
        .copied()
        .find(|n| degraded(n))
        .or_else(|| s.degraded_metrics.first().map(String::as_str));
    let worst = name.and_then(|n| s.metrics.iter().find(|m| m.name == n));
    match (s.status, worst) {
        (QualityStatus::Degraded, Some(m)) => format!(
            ": {} {}{}",
            m.name,
            fmt_num(m.value),
            m.baseline
                .map(|b| format!(" vs baseline {}", fmt_num(b)))
                .unwrap_or_default()
        ),
        (QualityStatus::Degraded, None) => " - model quality degraded".into(),
        _ if s.violation_count > 0 => {
            format!(" - {} model-quality violation(s)", s.violation_count)
        }
        _ => String::new(),
    }
}

/// `2026-11-25T09:00:00.000+0000` → `2026-11-25 09:00 UTC` (CloudWatch's spellings are kept
/// when they do not read as UTC).
fn readable_time(t: &str) -> String {
    let utc = t.ends_with("+0000") || t.ends_with('Z') || t.ends_with("+00:00");
    match (t.get(0..10), t.get(11..16), utc) {
        (Some(d), Some(hm), true) if t.as_bytes().get(10) == Some(&b'T') => {
            format!("{d} {hm} UTC")
        }
        _ => t.to_string(),
    }
}

/// The alarms of an incident (a composite alarm's rule): each with what is known of it — it
/// triggered this e-mail, or the figure it watches in the window the e-mail reports (the
/// alarms of one window are evaluated within a minute of each other, so one that has not
/// turned yet is shown with the value it is about to see).
fn write_incident_alarms(b: &mut String, alarm: &AlarmEvent, report: &ReportLookup) {
    let names = alarm.rule_alarms();
    if names.is_empty() {
        return;
    }
    let summary = match report {
        ReportLookup::Found { summary, .. } => Some(summary.as_ref()),
        _ => None,
    };
    let _ = writeln!(b, "\nALARMS IN THIS INCIDENT");
    for name in &names {
        let figure = summary.and_then(|s| {
            if name.ends_with("-violations") {
                Some(format!("{} violation(s) in the window", s.violation_count))
            } else if name.ends_with("-drifted-features") {
                Some(format!(
                    "{} drifted feature(s) in the window",
                    s.drifted_feature_count
                ))
            } else {
                None
            }
        });
        let state = if alarm.triggered_by(name) {
            "ALARM"
        } else {
            "state not in this event"
        };
        let _ = writeln!(
            b,
            "  {name}: {state}{}",
            figure.map(|f| format!(" ({f})")).unwrap_or_default()
        );
    }
    let _ = writeln!(
        b,
        "  One e-mail per incident: these alarms have no actions of their own \
         (template parameter AlarmGrouping=incident); a retraining decision follows as its own note."
    );
}

/// What to do when driftline itself fails (its functions' errors, its dead-letter queue).
pub fn health_checklist(alarm: &AlarmEvent) -> String {
    let queue = alarm.dimension(&["QueueName"]);
    let mut s = String::from(
        "This alarm is about driftline itself, not the model: an invocation failed after its \
         retries, so a capture file, label file or alarm may not have been handled.\n",
    );
    s.push_str("  What to check:\n");
    s.push_str(
        "  - the functions' logs (CloudWatch Logs groups /aws/lambda/<stack>-…): the error and \
         the object or event it was about;\n",
    );
    match queue {
        Some(q) => s.push_str(&format!(
            "  - the dead-letter queue {q}: `aws sqs receive-message --queue-url $(aws sqs get-queue-url --queue-name {q} --query QueueUrl --output text) --max-number-of-messages 10` shows the failed events; once the cause is fixed, deliver them again (re-upload the object, or `aws lambda invoke` with the event) and delete them;\n"
        )),
        None => s.push_str(
            "  - the dead-letter queue (stack output DeadLetterQueueUrl): the failed events wait there 14 days;\n",
        ),
    }
    s.push_str(
        "  - until then the windows those events belong to may read \"insufficient data\" or miss records.",
    );
    s
}

/// The unreadable-objects alarm: which objects (from the window's faults) and what to check.
fn write_unreadable(b: &mut String, report: &ReportLookup) {
    let _ = writeln!(
        b,
        "\nCAPTURE OBJECTS NOT READ\n  driftline could not read these capture objects, so their records are in no window:"
    );
    let examples: Vec<_> = match report {
        ReportLookup::Found { summary, .. } => summary
            .faults
            .examples
            .iter()
            .filter(|e| e.kind == "object_unreadable" || e.kind == "object_not_found")
            .collect(),
        _ => Vec::new(),
    };
    if examples.is_empty() {
        let _ = writeln!(
            b,
            "    (not in the latest window's report: see the faults of the window the object belongs to)"
        );
    }
    for e in examples {
        let _ = writeln!(b, "    {} ({}): {}", e.source, e.kind, e.reason);
    }
    let _ = writeln!(
        b,
        "  Check: analyze-capture's role may read the capture prefix (s3:GetObject) and use the \
         bucket's KMS key (kms:Decrypt); the object is not archived (Glacier) and was not deleted \
         by a lifecycle rule. Once fixed, copy the object onto itself (or upload it again) to \
         deliver it once more."
    );
}

/// The silent-endpoint alarm: what it means and what to check.
fn write_silence(b: &mut String, alarm: &AlarmEvent, endpoint: &str, ctx: &Context) {
    // The silent span: from the start of the evaluated range to the state change, in whole
    // periods.
    let rd = &alarm.state.reason_data;
    let span = match (
        rd.start_date.as_deref().and_then(parse_time),
        alarm.state_time(),
        rd.period.filter(|p| *p > 0),
    ) {
        (Some(start), Some(now), Some(p)) if now > start => {
            let secs = u64::try_from((now - start).num_seconds()).unwrap_or(0);
            Some(describe_period((secs / p).max(1) * p))
        }
        _ => None,
    };
    let hours = span.unwrap_or_else(|| "the alarm's evaluation periods".into());
    let _ = writeln!(
        b,
        "\nNO CAPTURE DATA\n  driftline analysed no capture file of {endpoint}{} in the last {hours}{}.",
        variant_suffix(ctx),
        alarm
            .state
            .reason_data
            .start_date
            .as_deref()
            .map(|t| format!(" (since {})", readable_time(t)))
            .unwrap_or_default()
    );
    let _ = writeln!(
        b,
        "  A monitor that receives nothing cannot see drift. Check, in order:\n    \
         1. the endpoint is InService and receives traffic (its Invocations metric);\n    \
         2. its DataCaptureConfig is enabled, with InitialSamplingPercentage above 0;\n    \
         3. capture files land under the capture prefix for this endpoint and variant, and the\n       \
         S3 notification or EventBridge rule reaches analyze-capture (failed invocations are in\n       \
         the stack's DeadLetterQueue)."
    );
}

/// The model quality estimated from the scores, marked as such, with its assumption.
fn write_estimate(b: &mut String, e: &EstimatedQuality) {
    let _ = writeln!(
        b,
        "\nMODEL QUALITY, ESTIMATED (from {} calibrated scores; no labels yet)",
        e.metrics.predictions
    );
    for (name, v) in [
        ("accuracy", e.metrics.accuracy),
        ("precision", e.metrics.precision),
        ("recall", e.metrics.recall),
        ("f1", e.metrics.f1),
    ] {
        let _ = writeln!(b, "  Estimated {name:<10} {}", fmt_num(v));
    }
    let _ = writeln!(b, "  This is an estimate: {}.", e.assumption);
}

/// The model-quality window: verdict, labels, the degraded and violated metrics with their
/// baselines and constraints, the confusion matrix.
fn write_quality(b: &mut String, s: &QualitySummary) {
    let _ = writeln!(b, "\nMODEL QUALITY (window by inference time)");
    if let Some(w) = &s.window {
        let _ = writeln!(b, "  Window:     {} to {}", w.start, w.end);
    }
    let status = match s.status {
        QualityStatus::Ok => "ok (within the baseline's constraints, or within noise)",
        QualityStatus::Degraded => "DEGRADED (worse than the constraints beyond noise)",
        QualityStatus::InsufficientData => "insufficient labels (no verdict)",
        QualityStatus::NoBaseline => "no model-quality baseline (figures only)",
    };
    let _ = writeln!(b, "  Status:     {status}");
    let _ = writeln!(b, "  Problem:    {}", s.problem_type.as_str());
    let mut labels = format!("  Labels:     {} labelled predictions", s.matched);
    if let Some(p) = s.predictions {
        let _ = write!(labels, " of {p} captured");
    }
    if let Some(w) = s.predictions_without_label {
        let _ = write!(labels, ", {w} still without a label");
    }
    let _ = writeln!(b, "{labels}");
    if s.unmatched_labels > 0 {
        let _ = writeln!(
            b,
            "              {} label(s) of these files found no prediction",
            s.unmatched_labels
        );
    }
    if let Some(r) = s.reason.as_deref() {
        let _ = writeln!(b, "  Why:        {r}");
    }
    let shown: Vec<_> = s
        .metrics
        .iter()
        .filter(|m| m.degraded || m.violated)
        .collect();
    if !shown.is_empty() {
        let _ = writeln!(
            b,
            "\n  Metric                     window      baseline    constraint"
        );
        let mut ordered = shown;
        ordered.sort_by_key(|m| {
            (
                !m.degraded,
                s.degraded_metrics.iter().position(|d| d == &m.name),
            )
        });
        for m in ordered {
            let sd = m
                .standard_deviation
                .map(|v| format!(" ± {}", fmt_num(v)))
                .unwrap_or_default();
            let _ = writeln!(
                b,
                "  {:<26} {:<11} {:<11} {} {}{}",
                m.name,
                format!("{}{sd}", fmt_num(m.value)),
                m.baseline.map(fmt_num).unwrap_or_else(|| "-".into()),
                m.comparison_operator.as_deref().unwrap_or(""),
                m.threshold.map(fmt_num).unwrap_or_default(),
                if m.degraded {
                    "  DEGRADED"
                } else {
                    "  (violated within noise)"
                }
            );
        }
    }
    if let Some(cm) = &s.confusion_matrix {
        if cm.len() <= 10 {
            let cols: Vec<&String> = cm
                .values()
                .next()
                .map(|r| r.keys().collect())
                .unwrap_or_default();
            let _ = writeln!(b, "\n  Confusion matrix (rows actual, columns predicted):");
            let _ = writeln!(
                b,
                "    {:>10} {}",
                "",
                cols.iter().map(|c| format!("{c:>10}")).collect::<String>()
            );
            for (a, row) in cm {
                let _ = writeln!(
                    b,
                    "    {a:>10} {}",
                    cols.iter()
                        .map(|c| format!("{:>10}", row.get(*c).copied().unwrap_or(0)))
                        .collect::<String>()
                );
            }
        }
    }
    if let Some(r2) = s.r2_textbook {
        let _ = writeln!(b, "  Textbook R² of the window: {}", fmt_num(r2));
    }
    if let Some(e) = &s.estimated {
        let realized = s.metrics.iter().find(|m| m.name == "accuracy");
        let _ = writeln!(
            b,
            "  Before the labels, accuracy was estimated at {} from the scores{}.",
            fmt_num(e.metrics.accuracy),
            realized
                .map(|m| format!(" (realized: {})", fmt_num(m.value)))
                .unwrap_or_default()
        );
    }
}

fn write_alarm_facts(b: &mut String, alarm: &AlarmEvent) {
    let since = alarm.state.timestamp.as_deref().unwrap_or("(time unknown)");
    let was = alarm
        .previous_state
        .as_ref()
        .map(|p| format!(", was {}", p.value.as_str()))
        .unwrap_or_default();
    let _ = writeln!(b, "  Alarm:      {} (since {since}{was})", alarm.alarm_name);
    if let Some(d) = alarm.description.as_deref().filter(|d| !d.is_empty()) {
        let _ = writeln!(b, "  About:      {d}");
    }
    match &alarm.kind {
        AlarmKind::Composite { rule } => {
            let _ = writeln!(b, "  Rule:       {rule}");
            for t in &alarm.state.reason_data.triggering_alarms {
                let name = t.arn.rsplit(":alarm:").next().unwrap_or(&t.arn);
                let _ = writeln!(
                    b,
                    "  Triggered by: {name} ({})",
                    t.state.as_deref().unwrap_or("state unknown")
                );
            }
        }
        _ => {
            if let Some(p) = alarm.primary_metric() {
                let _ = writeln!(b, "  Metric:     {}", p.describe());
            }
            if matches!(alarm.kind, AlarmKind::MetricMath) {
                for m in alarm.metrics.iter().filter(|m| !m.return_data) {
                    let _ = writeln!(
                        b,
                        "    {} = {}",
                        m.id.as_deref().unwrap_or("?"),
                        m.describe()
                    );
                }
            }
        }
    }
    let rd = &alarm.state.reason_data;
    if let Some(t) = rd.threshold {
        let unit = rd
            .unit
            .as_deref()
            .filter(|u| !u.is_empty() && *u != "None")
            .map(|u| format!(" {u}"))
            .unwrap_or_default();
        let last = rd
            .recent_datapoints
            .last()
            .map(|v| format!(" (latest value {}{unit})", fmt_num(*v)))
            .unwrap_or_default();
        let period = rd
            .period
            .map(|p| format!(", period {}", describe_period(p)))
            .unwrap_or_default();
        let _ = writeln!(b, "  Threshold:  {}{unit}{last}{period}", fmt_num(t));
    }
    if !alarm.state.reason.is_empty() {
        let _ = writeln!(b, "  Reason:     {}", alarm.state.reason);
    }
}

/// A window as a subject names it: `20:00 UTC` (an hour), `2026-11-25` (a UTC day),
/// `24h to 21:00 UTC` (the rolling last 24 hours, by its end). `None` when unparsable.
pub fn window_label(w: &driftline_stats::summary::Window) -> Option<String> {
    let start = chrono::DateTime::parse_from_rfc3339(&w.start).ok()?;
    let end = chrono::DateTime::parse_from_rfc3339(&w.end).ok()?;
    let hours = (end - start).num_hours();
    Some(if hours <= 1 {
        start.format("%H:%M UTC").to_string()
    } else if start.format("%H:%M").to_string() == "00:00" && hours == 24 {
        start.format("%Y-%m-%d").to_string()
    } else {
        format!("{hours}h to {}", end.format("%H:%M UTC"))
    })
}

fn write_summary(b: &mut String, s: &Summary) {
    let _ = writeln!(b, "\nLATEST WINDOW");
    if let Some(w) = &s.window {
        let _ = writeln!(b, "  Window:     {} to {}", w.start, w.end);
    }
    let status = match s.status {
        Status::Ok => "ok (no drift)",
        Status::Drift => "DRIFT",
        Status::InsufficientData => "insufficient data (no verdict)",
        Status::NoBaseline => "no baseline (nothing evaluated)",
        Status::Error => "error (input unreadable)",
    };
    let _ = writeln!(b, "  Status:     {status}");
    if let Some(r) = s.reason.as_deref() {
        let _ = writeln!(b, "  Why:        {r}");
    }
    let _ = writeln!(
        b,
        "  Records:    {} profiled, {} malformed",
        s.records, s.malformed_records
    );
    if !s.faults.counts.is_empty() {
        let kinds: Vec<String> = s
            .faults
            .counts
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        let _ = writeln!(b, "  Bad input:  {}", kinds.join(", "));
    }
    let _ = writeln!(
        b,
        "  Verdict:    {} of {} features drifted, {} constraint violation(s)",
        s.drifted_feature_count,
        s.features.len(),
        s.violation_count
    );
    if let Some(p) = s.policy.as_deref() {
        let _ = writeln!(b, "  Policy:     {p}");
    }
}

/// How severe a feature's result is, for ranking (higher first).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
struct Severity {
    drifted: bool,
    /// Largest value / threshold over the drift figures (0 when none has a threshold).
    exceedance: f64,
    violations: usize,
}

fn feature_severity(f: &FeatureSummary, violations: usize) -> Severity {
    let exceedance = f
        .drift
        .values()
        .filter_map(|d| match d.threshold {
            Some(t) if t > 0.0 && d.value.is_finite() => Some(d.value / t),
            _ => None,
        })
        .fold(0.0_f64, f64::max);
    Severity {
        drifted: f.drifted,
        exceedance,
        violations,
    }
}

/// Drifted or violated features, most severe first: drifted before violated-only, then by
/// how far the worst statistic exceeds its threshold, then by violation count, then name.
pub fn ranked_features(s: &Summary) -> Vec<&FeatureSummary> {
    let count = |name: &str| {
        s.violations
            .iter()
            .filter(|v| v.feature_name == name)
            .count()
    };
    let mut fs: Vec<(&FeatureSummary, Severity)> = s
        .features
        .iter()
        .map(|f| (f, feature_severity(f, count(&f.name))))
        .filter(|(_, sev)| sev.drifted || sev.violations > 0)
        .collect();
    fs.sort_by(|(fa, a), (fb, b)| {
        b.drifted
            .cmp(&a.drifted)
            .then(b.exceedance.total_cmp(&a.exceedance))
            .then(b.violations.cmp(&a.violations))
            .then(fa.name.cmp(&fb.name))
    });
    fs.into_iter().map(|(f, _)| f).collect()
}

fn write_features(b: &mut String, s: &Summary) {
    let ranked = ranked_features(s);
    // Violations of columns that are not features (e.g. missing/extra columns).
    let names: std::collections::BTreeSet<&str> =
        s.features.iter().map(|f| f.name.as_str()).collect();
    let orphan: Vec<_> = s
        .violations
        .iter()
        .filter(|v| !names.contains(v.feature_name.as_str()))
        .collect();
    if ranked.is_empty() && orphan.is_empty() {
        let _ = writeln!(
            b,
            "\nNo feature drifted or violated a constraint in this window."
        );
        return;
    }
    let _ = writeln!(b, "\nDRIFTED OR VIOLATED FEATURES, MOST SEVERE FIRST");
    for (i, f) in ranked.iter().take(MAX_DETAILED_FEATURES).enumerate() {
        let tag = if f.drifted { "DRIFTED" } else { "violation" };
        let _ = writeln!(
            b,
            "\n  {}. {} [{tag}] ({:?})",
            i + 1,
            f.name,
            f.inferred_type
        );
        let mut facts = Vec::new();
        if let Some(m) = f.mean {
            let base = f
                .baseline_mean
                .map(|x| format!(" (baseline {})", fmt_num(x)))
                .unwrap_or_default();
            facts.push(format!("mean {}{base}", fmt_num(m)));
        }
        let base = f
            .baseline_completeness
            .map(|x| format!(" (baseline {})", fmt_num(x)))
            .unwrap_or_default();
        facts.push(format!("completeness {}{base}", fmt_num(f.completeness)));
        if let Some(bt) = &f.baseline_type {
            if *bt != f.inferred_type {
                facts.push(format!("type {:?} (baseline {bt:?})", f.inferred_type));
            }
        }
        let _ = writeln!(b, "     {}", facts.join("; "));
        let mut figures: Vec<String> = Vec::new();
        for (name, d) in &f.drift {
            let mut s = format!("{name} {}", fmt_num(d.value));
            if let Some(t) = d.threshold {
                let cmp = if d.value > t { ">" } else { "<=" };
                s.push_str(&format!(" {cmp} {}", fmt_num(t)));
            }
            if let Some(p) = d.p_value {
                s.push_str(&format!(" (p={})", fmt_num(p)));
            }
            if let Some(e) = d.error_bound {
                s.push_str(&format!(" +/-{}", fmt_num(e)));
            }
            figures.push(s);
        }
        if !figures.is_empty() {
            let _ = writeln!(b, "     {}", figures.join("; "));
        }
        for r in &f.reasons {
            let _ = writeln!(b, "     why: {r}");
        }
        for v in s.violations.iter().filter(|v| v.feature_name == f.name) {
            let _ = writeln!(b, "     {}: {}", v.constraint_check_type, v.description);
        }
    }
    if ranked.len() > MAX_DETAILED_FEATURES {
        let rest: Vec<&str> = ranked[MAX_DETAILED_FEATURES..]
            .iter()
            .map(|f| f.name.as_str())
            .collect();
        let _ = writeln!(
            b,
            "\n  ... and {} more (see the report): {}",
            rest.len(),
            rest.join(", ")
        );
    }
    if !orphan.is_empty() {
        let _ = writeln!(b, "\n  Other violations:");
        for v in orphan {
            let _ = writeln!(
                b,
                "     {} {}: {}",
                v.feature_name, v.constraint_check_type, v.description
            );
        }
    }
}

/// Compact human number: up to 4 significant digits, scientific outside [1e-3, 1e6).
pub fn fmt_num(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    if x == 0.0 {
        return "0".to_string();
    }
    let a = x.abs();
    if !(1e-3..1e6).contains(&a) {
        return format!("{x:.3e}");
    }
    let decimals = (3 - a.log10().floor() as i32).clamp(0, 6) as usize;
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// The S3 console page of an object.
pub fn s3_console_url(bucket: &str, key: &str, region: &str) -> String {
    format!(
        "https://s3.console.aws.amazon.com/s3/object/{}?region={}&prefix={}",
        utf8_percent_encode(bucket, COMPONENT),
        utf8_percent_encode(region, COMPONENT),
        utf8_percent_encode(key, COMPONENT)
    )
}

/// The CloudWatch console page of the alarm, when the region is known.
pub fn alarm_console_url(alarm: &AlarmEvent, ctx: &Context) -> Option<String> {
    let region = alarm.region.as_deref().or(ctx.region.as_deref())?;
    Some(format!(
        "https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#alarmsV2:alarm/{}",
        utf8_percent_encode(&alarm.alarm_name, COMPONENT)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(fmt_num(0.31234), "0.3123");
        assert_eq!(fmt_num(41.25), "41.25");
        assert_eq!(fmt_num(2.0), "2");
        assert_eq!(fmt_num(1234.5678), "1235");
        assert_eq!(fmt_num(1.2e-9), "1.200e-9");
        assert_eq!(fmt_num(0.0), "0");
    }

    #[test]
    fn windows_are_named_by_their_length() {
        let w = |start: &str, end: &str| driftline_stats::summary::Window {
            start: start.into(),
            end: end.into(),
        };
        let label = |start, end| window_label(&w(start, end));
        assert_eq!(
            label("2026-11-25T20:00:00Z", "2026-11-25T21:00:00Z").as_deref(),
            Some("20:00 UTC")
        );
        assert_eq!(
            label("2026-11-25T00:00:00Z", "2026-11-26T00:00:00Z").as_deref(),
            Some("2026-11-25")
        );
        assert_eq!(
            label("2026-11-24T22:00:00Z", "2026-11-25T22:00:00Z").as_deref(),
            Some("24h to 22:00 UTC")
        );
        assert_eq!(label("", "2026-11-25T22:00:00Z"), None);
    }

    #[test]
    fn console_urls_encode_names() {
        assert_eq!(
            s3_console_url("b", "p/reports/e/v/2026/11/25/09/report.html", "us-east-1"),
            "https://s3.console.aws.amazon.com/s3/object/b?region=us-east-1&prefix=p%2Freports%2Fe%2Fv%2F2026%2F11%2F25%2F09%2Freport.html"
        );
    }
}
