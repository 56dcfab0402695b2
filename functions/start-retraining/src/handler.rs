//! The start-retraining handler, generic over the ports.

use crate::config::Config;
use crate::decision::{
    client_request_token, cut_chars, decide, display_name, join_features, Decision, Facts, Plan,
    WindowEvidence, DESCRIPTION_MAX, PARAM_VALUE_MAX,
};
use bytes::Bytes;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use driftline_aws::alarm::{AlarmEvent, StateValue};
use driftline_aws::keys::ReportFile;
use driftline_aws::ports::{
    Message, Notifier, ObjectStore, PipelineRunner, PortError, StartRequest, WriteCondition,
};
use driftline_aws::reports::{list_span_summaries, read_summaries, s3_uri, SummaryKind};
use driftline_aws::text::sanitize_subject;
use lambda_runtime::{Diagnostic, LambdaEvent};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// What the handler works with (built once in `main`).
pub struct Deps<S, P, N> {
    /// Object store with the reports and the audit records.
    pub store: S,
    /// SageMaker pipelines.
    pub pipelines: P,
    /// SNS notifier, when `TOPIC_ARN` is set.
    pub notifier: Option<N>,
    /// Configuration.
    pub config: Config,
}

/// The invocation's result (also the Lambda response).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Response {
    /// A [`Decision`] slug, or `ignored` (not ALARM) / `rejected` (malformed event).
    pub decision: String,
    /// Why.
    pub reason: String,
    /// Idempotency token used (or that would be used).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_request_token: Option<String>,
    /// ARN of the started execution.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_arn: Option<String>,
    /// Key of the audit record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_key: Option<String>,
}

/// Errors that fail the invocation so that Lambda retries (transient only).
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// Reading evidence failed transiently.
    #[error("reading evidence: {0}")]
    Evidence(String),
    /// Listing or starting executions failed transiently.
    #[error("SageMaker pipeline {pipeline}: {source}")]
    Pipeline {
        /// Pipeline name.
        pipeline: String,
        /// Cause.
        source: PortError,
    },
    /// Writing the audit record failed.
    #[error("writing audit record s3://{bucket}/{key}: {source}")]
    Audit {
        /// Bucket.
        bucket: String,
        /// Key.
        key: String,
        /// Cause.
        source: PortError,
    },
}

impl From<HandlerError> for Diagnostic {
    fn from(e: HandlerError) -> Self {
        let error_type = match &e {
            HandlerError::Evidence(_) => "EvidenceUnavailable",
            HandlerError::Pipeline { .. } => "PipelineUnavailable",
            HandlerError::Audit { .. } => "AuditWriteFailed",
        };
        Diagnostic {
            error_type: error_type.to_string(),
            error_message: e.to_string(),
        }
    }
}

/// The audit record written for every decision.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRecord<'a> {
    /// Record format version.
    pub schema_version: u32,
    /// Decision slug.
    pub decision: Decision,
    /// Why.
    pub reason: String,
    /// When the decision was taken.
    pub decided_at: String,
    /// Endpoint.
    pub endpoint: &'a str,
    /// Variant, when the alarm names one.
    pub variant: Option<&'a str>,
    /// The alarm that triggered the decision.
    pub alarm: AuditAlarm<'a>,
    /// Windows that were confirming (counted) out of those read.
    pub confirmed_windows: usize,
    /// The window summaries read, oldest first.
    pub evidence: &'a [WindowEvidence],
    /// The execution that made it skip (in flight / cooldown) or that this trigger already
    /// started, when any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocking_execution: Option<AuditExecution<'a>>,
    /// Idempotency token.
    pub client_request_token: &'a str,
    /// Start request (sent or, for a dry run, that would be sent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_request: Option<AuditStart<'a>>,
    /// ARN of the started execution.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_arn: Option<&'a str>,
    /// Configuration in force.
    pub config: &'a Config,
}

/// Alarm facts in an audit record.
#[derive(Debug, Clone, Serialize)]
pub struct AuditAlarm<'a> {
    /// Alarm name.
    pub name: &'a str,
    /// Alarm ARN.
    pub arn: Option<&'a str>,
    /// New state.
    pub state: &'a str,
    /// State-change time as sent.
    pub state_timestamp: Option<&'a str>,
    /// CloudWatch's reason.
    pub reason: &'a str,
}

/// An execution in an audit record.
#[derive(Debug, Clone, Serialize)]
pub struct AuditExecution<'a> {
    /// Execution ARN.
    pub arn: &'a str,
    /// Status.
    pub status: &'a str,
    /// Start time.
    pub start_time: Option<&'a str>,
}

/// The start request in an audit record.
#[derive(Debug, Clone, Serialize)]
pub struct AuditStart<'a> {
    /// Pipeline.
    pub pipeline: &'a str,
    /// Display name.
    pub display_name: &'a str,
    /// Description.
    pub description: &'a str,
    /// Parameters.
    pub parameters: &'a BTreeMap<String, String>,
}

/// Handles one alarm state-change event: gather (event, evidence, executions) → [`decide`] →
/// carry the [`Plan`] out (start, audit record, note). `now` is the decision time (cooldown
/// reference).
pub async fn handle<S: ObjectStore, P: PipelineRunner, N: Notifier>(
    deps: &Deps<S, P, N>,
    event: LambdaEvent<Value>,
    now: DateTime<Utc>,
) -> Result<Response, HandlerError> {
    let cfg = &deps.config;
    let alarm = match AlarmEvent::parse(&event.payload) {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error = %e, request_id = %event.context.request_id, "rejected malformed event");
            return Ok(plain("rejected", e.to_string()));
        }
    };
    if alarm.state.value != StateValue::Alarm {
        tracing::info!(alarm = %alarm.alarm_name, state = alarm.state.value.as_str(), "ignored: not an ALARM transition");
        return Ok(plain(
            "ignored",
            format!("state {} is not ALARM", alarm.state.value.as_str()),
        ));
    }
    let Some(endpoint) = alarm.endpoint().or_else(|| cfg.endpoint_name.clone()) else {
        tracing::error!(alarm = %alarm.alarm_name, "rejected: no Endpoint dimension and no ENDPOINT_NAME");
        return Ok(plain(
            "rejected",
            "the alarm names no endpoint and ENDPOINT_NAME is not set".into(),
        ));
    };
    let variant = alarm.variant();
    let state_time = alarm.state_time();
    let trigger_time = state_time
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true))
        .or_else(|| alarm.state.timestamp.clone())
        .or_else(|| alarm.time.clone())
        .unwrap_or_else(|| "unknown-time".into());
    let identity = alarm.alarm_arn.as_deref().unwrap_or(&alarm.alarm_name);
    let token = client_request_token(identity, &trigger_time);
    let decided_at = state_time.unwrap_or(now);

    // 1. Gather the evidence: the last n window summaries (model-quality ones for a
    // model-quality alarm), read concurrently.
    let quality = alarm.is_model_quality();
    let evidence = if quality {
        gather_quality_evidence(deps, &endpoint, variant.as_deref(), decided_at).await?
    } else {
        gather_evidence(deps, &endpoint, variant.as_deref(), decided_at).await?
    };
    let request = start_request(
        cfg,
        &alarm,
        &endpoint,
        &evidence,
        &trigger_time,
        &token,
        decided_at,
        quality,
    );
    let mut facts = Facts {
        evidence: &evidence,
        confirm_k: cfg.confirm_k,
        confirm_n: cfg.confirm_n,
        min_records: cfg.min_records,
        executions: None,
        display_name: &request.display_name,
        now,
        cooldown_minutes: cfg.cooldown_minutes,
        dry_run: cfg.dry_run,
    };
    // The executions only when the evidence confirms (no SageMaker call otherwise).
    let listed = if facts.needs_executions() {
        match deps.pipelines.list_executions(&cfg.pipeline_name).await {
            Ok(list) => Some(Ok(list)),
            Err(e) if e.is_transient() => return Err(pipeline_error(cfg, e)),
            Err(e) => Some(Err(e.to_string())),
        }
    } else {
        None
    };
    facts.executions = listed.as_ref().map(|r| match r {
        Ok(list) => Ok(list.as_slice()),
        Err(e) => Err(e.clone()),
    });

    // 2. Decide.
    let plan = decide(&facts);

    // 3. Carry it out.
    let (decision, reason, execution, execution_arn) = match plan {
        Plan::Start { reason } => match deps.pipelines.start(request.clone()).await {
            Ok(arn) => (Decision::Started, reason, None, Some(arn)),
            Err(e) if e.is_transient() => return Err(pipeline_error(cfg, e)),
            Err(e) => (
                Decision::StartFailed,
                format!("StartPipelineExecution refused: {e}"),
                None,
                None,
            ),
        },
        Plan::Record {
            decision,
            reason,
            execution,
        } => {
            let arn = (decision == Decision::AlreadyStarted)
                .then(|| execution.as_ref().map(|e| e.arn.clone()))
                .flatten();
            (decision, reason, execution, arn)
        }
    };
    let confirmed = facts.confirmed();

    // 4. Audit record (every decision).
    let audit_key = cfg
        .common
        .keys()
        .remediation(&endpoint, decided_at, decision.slug());
    let record = AuditRecord {
        schema_version: 1,
        decision,
        reason: reason.clone(),
        decided_at: now.to_rfc3339_opts(SecondsFormat::Millis, true),
        endpoint: &endpoint,
        variant: variant.as_deref(),
        alarm: AuditAlarm {
            name: &alarm.alarm_name,
            arn: alarm.alarm_arn.as_deref(),
            state: alarm.state.value.as_str(),
            state_timestamp: alarm.state.timestamp.as_deref(),
            reason: &alarm.state.reason,
        },
        confirmed_windows: confirmed,
        evidence: &evidence,
        blocking_execution: execution.as_ref().map(|e| AuditExecution {
            arn: &e.arn,
            status: &e.status,
            start_time: e.start_time.as_deref(),
        }),
        client_request_token: &token,
        start_request: matches!(
            decision,
            Decision::Started | Decision::DryRun | Decision::StartFailed | Decision::AlreadyStarted
        )
        .then_some(AuditStart {
            pipeline: &request.pipeline,
            display_name: &request.display_name,
            description: &request.description,
            parameters: &request.parameters,
        }),
        execution_arn: execution_arn.as_deref(),
        config: cfg,
    };
    let body = serde_json::to_vec_pretty(&record).map_err(|e| HandlerError::Audit {
        bucket: cfg.common.bucket.clone(),
        key: audit_key.clone(),
        source: PortError::Permanent(format!("serialising the audit record: {e}")),
    })?;
    // The key is the event's (state time + decision): a record already there means this is a
    // redelivery of an event already decided the same way, which keeps its first record and
    // sends no second note.
    let redelivered = match deps
        .store
        .put_if(
            &cfg.common.bucket,
            &audit_key,
            Bytes::from(body),
            "application/json",
            &WriteCondition::IfAbsent,
        )
        .await
    {
        Ok(_) => false,
        Err(PortError::Conflict(_)) => true,
        Err(source) => {
            return Err(HandlerError::Audit {
                bucket: cfg.common.bucket.clone(),
                key: audit_key.clone(),
                source,
            })
        }
    };
    if redelivered {
        tracing::info!(audit_key = %audit_key, "redelivered event: decided before, no second note");
    }
    tracing::info!(decision = decision.slug(), reason = %reason, endpoint = %endpoint, audit_key = %audit_key, "decided");

    // 5. A short note when a run started, and when SageMaker refused it (someone must act).
    if let Some(n) = deps.notifier.as_ref().filter(|_| !redelivered) {
        if let Some(msg) = note(
            cfg,
            &endpoint,
            decision,
            &reason,
            &request,
            execution_arn.as_deref(),
            &audit_key,
            &alarm.alarm_name,
            &evidence,
            quality,
        ) {
            if let Err(e) = n.publish(msg).await {
                // The decision is taken and audited; a lost note must not cause a retry.
                tracing::warn!(error = %e, "could not publish the retraining note");
            }
        }
    }
    Ok(Response {
        decision: decision.slug().to_string(),
        reason,
        client_request_token: Some(token),
        execution_arn,
        audit_key: Some(audit_key),
    })
}

/// The last `CONFIRM_N` window summaries up to the trigger, judged as evidence.
async fn gather_evidence<S: ObjectStore, P: PipelineRunner, N: Notifier>(
    deps: &Deps<S, P, N>,
    endpoint: &str,
    variant: Option<&str>,
    at: DateTime<Utc>,
) -> Result<Vec<WindowEvidence>, HandlerError> {
    let cfg = &deps.config;
    let until = at.checked_add_signed(Duration::minutes(5)).unwrap_or(at);
    let keys = list_span_summaries(
        SummaryKind::Data,
        cfg.confirm_window,
        &deps.store,
        &cfg.common.bucket,
        &cfg.common.keys(),
        endpoint,
        variant,
        until,
        cfg.confirm_n,
    )
    .await
    .map_err(|e| HandlerError::Evidence(e.to_string()))?;
    let recent = &keys[keys.len().saturating_sub(cfg.confirm_n)..];
    let names: Vec<String> = recent.iter().map(|k| k.key.clone()).collect();
    let read = read_summaries(&deps.store, &cfg.common.bucket, &names).await;
    let mut evidence = Vec::with_capacity(recent.len());
    for (k, r) in recent.iter().zip(read) {
        let start = k
            .window_start()
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true));
        match r {
            Ok(s) => evidence.push(WindowEvidence::from_summary(
                &k.key,
                &k.variant,
                start,
                &s,
                cfg.min_records,
            )),
            Err(e) if e.is_transient() => return Err(HandlerError::Evidence(e.to_string())),
            Err(e) => evidence.push(WindowEvidence::unreadable(
                &k.key,
                &k.variant,
                start,
                e.to_string(),
            )),
        }
    }
    Ok(evidence)
}

/// The last `CONFIRM_N` model-quality window summaries up to the trigger.
async fn gather_quality_evidence<S: ObjectStore, P: PipelineRunner, N: Notifier>(
    deps: &Deps<S, P, N>,
    endpoint: &str,
    variant: Option<&str>,
    at: DateTime<Utc>,
) -> Result<Vec<WindowEvidence>, HandlerError> {
    use driftline_aws::reports::{list_summaries_of, read_json};
    use driftline_stats::quality::analysis::QualitySummary;
    let cfg = &deps.config;
    let until = at.checked_add_signed(Duration::minutes(5)).unwrap_or(at);
    let keys = list_summaries_of(
        SummaryKind::Quality,
        &deps.store,
        &cfg.common.bucket,
        &cfg.common.keys(),
        endpoint,
        variant,
        until,
        cfg.confirm_n,
    )
    .await
    .map_err(|e| HandlerError::Evidence(e.to_string()))?;
    let recent = &keys[keys.len().saturating_sub(cfg.confirm_n)..];
    let mut evidence = Vec::with_capacity(recent.len());
    for chunk in recent.chunks(8) {
        let reads = futures::future::join_all(
            chunk
                .iter()
                .map(|k| read_json::<_, QualitySummary>(&deps.store, &cfg.common.bucket, &k.key)),
        )
        .await;
        for (k, r) in chunk.iter().zip(reads) {
            let start = k
                .window_start()
                .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true));
            match r {
                Ok(s) => evidence.push(WindowEvidence::from_quality_summary(
                    &k.key, &k.variant, start, &s,
                )),
                Err(e) if e.is_transient() => return Err(HandlerError::Evidence(e.to_string())),
                Err(e) => evidence.push(WindowEvidence::unreadable(
                    &k.key,
                    &k.variant,
                    start,
                    e.to_string(),
                )),
            }
        }
    }
    Ok(evidence)
}

/// The request this trigger sends (or, for a dry run, would send).
#[allow(clippy::too_many_arguments)]
fn start_request(
    cfg: &Config,
    alarm: &AlarmEvent,
    endpoint: &str,
    evidence: &[WindowEvidence],
    trigger_time: &str,
    token: &str,
    at: DateTime<Utc>,
    quality: bool,
) -> StartRequest {
    let confirming: Vec<&WindowEvidence> = evidence.iter().rev().filter(|e| e.counts).collect();
    let mut features: Vec<String> = Vec::new();
    for e in &confirming {
        for f in &e.drifted_features {
            if !features.contains(f) {
                features.push(f.clone());
            }
        }
    }
    let report_uri = confirming
        .first()
        .map(|e| s3_uri(&cfg.common.bucket, &sibling(&e.key, ReportFile::Html)))
        .unwrap_or_default();
    let mut parameters = BTreeMap::new();
    parameters.insert(
        cfg.param_report_uri.clone(),
        cut_chars(&report_uri, PARAM_VALUE_MAX),
    );
    parameters.insert(
        cfg.param_drifted_features.clone(),
        join_features(&features, PARAM_VALUE_MAX),
    );
    parameters.insert(
        cfg.param_trigger_time.clone(),
        cut_chars(trigger_time, PARAM_VALUE_MAX),
    );
    let stamp = at.format("%Y%m%dT%H%M%SZ").to_string();
    StartRequest {
        pipeline: cfg.pipeline_name.clone(),
        client_request_token: token.to_string(),
        display_name: display_name(&format!("driftline-{endpoint}-{stamp}")),
        description: cut_chars(
            &format!(
                "driftline: {} confirmed on endpoint {endpoint} in {} of the last {} windows (k={}, MIN_RECORDS={}); alarm {} entered ALARM at {trigger_time}; report {report_uri}",
                if quality { "model-quality degradation" } else { "drift" },
                confirming.len(),
                evidence.len(),
                cfg.confirm_k,
                cfg.min_records,
                alarm.alarm_name
            ),
            DESCRIPTION_MAX,
        ),
        parameters,
    }
}

/// The note for people: a run started, or SageMaker refused it. Other decisions send nothing
/// (notify-alarm already sent the alarm's e-mail).
#[allow(clippy::too_many_arguments)]
fn note(
    cfg: &Config,
    endpoint: &str,
    decision: Decision,
    reason: &str,
    request: &StartRequest,
    execution_arn: Option<&str>,
    audit_key: &str,
    alarm_name: &str,
    evidence: &[WindowEvidence],
    quality: bool,
) -> Option<Message> {
    let audit_uri = s3_uri(&cfg.common.bucket, audit_key);
    let features = request
        .parameters
        .get(&cfg.param_drifted_features)
        .map(String::as_str)
        .unwrap_or("");
    let report = request
        .parameters
        .get(&cfg.param_report_uri)
        .map(String::as_str)
        .unwrap_or("");
    if cfg.incident_notes {
        return incident_note(
            cfg,
            endpoint,
            decision,
            reason,
            features,
            report,
            execution_arn,
            &audit_uri,
            alarm_name,
            evidence,
            quality,
        );
    }
    let (subject, body, severity) = match (decision, execution_arn) {
        (Decision::Started, Some(arn)) => (
            format!("driftline: retraining started for {endpoint}"),
            format!(
                "driftline started SageMaker pipeline {} for endpoint {endpoint}.\n\nWhy: {reason}.\nDrifted features: {features}\nReport: {report}\nExecution: {arn}\nAudit record: {audit_uri}\n",
                cfg.pipeline_name,
            ),
            "info",
        ),
        (Decision::StartFailed, _) => (
            format!("driftline: retraining NOT started for {endpoint}"),
            format!(
                "driftline could not start SageMaker pipeline {} for endpoint {endpoint}: drift is confirmed, but {reason}.\n\n{}\nDrifted features: {features}\nReport: {report}\nAudit record: {audit_uri}\n",
                cfg.pipeline_name,
                refused_advice(cfg),
            ),
            "critical",
        ),
        _ => return None,
    };
    Some(note_message(
        &subject, body, severity, endpoint, alarm_name, decision,
    ))
}

/// The confirmation's one e-mail when alarms are grouped by incident: what was confirmed,
/// what was decided, and the windows it rests on — by reference (their reports and the
/// incident e-mail already sent for them), not repeated. Nothing for a retry's
/// `already-started` (the first delivery sent it).
#[allow(clippy::too_many_arguments)]
fn incident_note(
    cfg: &Config,
    endpoint: &str,
    decision: Decision,
    reason: &str,
    features: &str,
    report: &str,
    execution_arn: Option<&str>,
    audit_uri: &str,
    alarm_name: &str,
    evidence: &[WindowEvidence],
    quality: bool,
) -> Option<Message> {
    let what = if quality {
        "model-quality degradation"
    } else {
        "drift"
    };
    let (outcome, severity) = match decision {
        Decision::AlreadyStarted => return None,
        Decision::Started => ("retraining started".to_string(), "info"),
        Decision::DryRun => ("retraining not started (dry run)".to_string(), "info"),
        Decision::SkippedCooldown => (
            "retraining held (a run started within the cooldown)".to_string(),
            "info",
        ),
        Decision::SkippedInFlight => ("retraining already running".to_string(), "info"),
        Decision::SkippedNotConfirmed => ("nothing started".to_string(), "high"),
        Decision::StartFailed => ("retraining NOT started".to_string(), "critical"),
    };
    let confirmed = decision != Decision::SkippedNotConfirmed;
    let subject = if confirmed {
        format!("driftline: {what} confirmed on {endpoint} - {outcome}")
    } else {
        format!("driftline: {what} alarm on {endpoint} not confirmed by the reports - {outcome}")
    };
    let mut b = String::new();
    let _ = writeln!(
        b,
        "{} on endpoint {endpoint}: {outcome}.\n\nWhy: {reason}.",
        if confirmed {
            format!("The {what} is confirmed ({alarm_name})")
        } else {
            format!("{alarm_name} is in ALARM")
        }
    );
    match (decision, execution_arn) {
        (Decision::Started, Some(arn)) => {
            let _ = writeln!(b, "Pipeline: {}\nExecution: {arn}", cfg.pipeline_name);
        }
        (Decision::StartFailed, _) => {
            let _ = writeln!(b, "{}", refused_advice(cfg));
        }
        _ => {}
    }
    if !features.is_empty() {
        let _ = writeln!(b, "Drifted features: {features}");
    }
    let _ = writeln!(
        b,
        "\nTHE WINDOWS IT RESTS ON (each was e-mailed as an incident when it happened; the evidence is in their reports)"
    );
    for w in evidence.iter().filter(|w| w.counts) {
        let _ = writeln!(
            b,
            "  {}  {}",
            w.window_start.as_deref().unwrap_or("?"),
            s3_uri(&cfg.common.bucket, &sibling(&w.key, ReportFile::Html))
        );
    }
    if !report.is_empty() {
        let _ = writeln!(b, "Latest report: {report}");
    }
    let _ = writeln!(b, "Audit record: {audit_uri}");
    Some(note_message(
        &subject, b, severity, endpoint, alarm_name, decision,
    ))
}

/// What a person checks when SageMaker refused the start.
fn refused_advice(cfg: &Config) -> String {
    format!(
        "Nothing was started; retraining needs a person now. Check the function's IAM role (sagemaker:StartPipelineExecution, sagemaker:ListPipelineExecutions on pipeline {}) and the pipeline's parameters ({}, {}, {}).",
        cfg.pipeline_name, cfg.param_report_uri, cfg.param_drifted_features, cfg.param_trigger_time
    )
}

/// A note with the attributes subscription filters use (endpoint, severity, state, alarm,
/// decision).
fn note_message(
    subject: &str,
    body: String,
    severity: &str,
    endpoint: &str,
    alarm_name: &str,
    decision: Decision,
) -> Message {
    Message {
        subject: sanitize_subject(subject),
        body,
        attributes: BTreeMap::from([
            ("endpoint".to_string(), endpoint.to_string()),
            ("severity".to_string(), severity.to_string()),
            ("state".to_string(), "ALARM".to_string()),
            ("alarm".to_string(), alarm_name.to_string()),
            ("decision".to_string(), decision.slug().to_string()),
        ]),
    }
}

fn plain(decision: &str, reason: String) -> Response {
    Response {
        decision: decision.to_string(),
        reason,
        client_request_token: None,
        execution_arn: None,
        audit_key: None,
    }
}

fn pipeline_error(cfg: &Config, source: PortError) -> HandlerError {
    HandlerError::Pipeline {
        pipeline: cfg.pipeline_name.clone(),
        source,
    }
}

fn sibling(key: &str, file: ReportFile) -> String {
    match key.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/{}", file.file_name()),
        None => file.file_name().to_string(),
    }
}
