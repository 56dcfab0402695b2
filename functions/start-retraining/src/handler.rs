//! The start-retraining handler, generic over the ports.

use crate::config::Config;
use crate::decision::{
    client_request_token, cut_chars, display_name, in_flight, join_features, within_cooldown,
    Decision, WindowEvidence, DESCRIPTION_MAX, PARAM_VALUE_MAX,
};
use bytes::Bytes;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use driftline_aws::ports::{
    ExecutionInfo, Message, Notifier, ObjectStore, PipelineRunner, PortError, StartRequest,
};
use lambda_runtime::{Diagnostic, LambdaEvent};
use notify_alarm::alarm::{AlarmEvent, StateValue};
use notify_alarm::reports::{list_summaries, prefix_root, read_summary, s3_uri};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

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
    /// Executions that made it skip (in flight / cooldown), when any.
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

/// Handles one alarm state-change event. `now` is the decision time (cooldown reference).
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

    // 1. Evidence: the last n window summaries.
    let until = state_time.unwrap_or(now) + Duration::minutes(5);
    let keys = list_summaries(
        &deps.store,
        &cfg.bucket,
        &cfg.prefix,
        &endpoint,
        variant.as_deref(),
        until,
        cfg.confirm_n,
    )
    .await
    .map_err(|e| HandlerError::Evidence(e.to_string()))?;
    let recent = &keys[keys.len().saturating_sub(cfg.confirm_n)..];
    let mut evidence = Vec::with_capacity(recent.len());
    for k in recent {
        let start = k
            .window_start()
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true));
        match read_summary(&deps.store, &cfg.bucket, &k.key).await {
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
    let confirmed = evidence.iter().filter(|e| e.counts).count();
    let availability = if evidence.len() < cfg.confirm_n {
        format!(
            " (only {} of {} windows available)",
            evidence.len(),
            cfg.confirm_n
        )
    } else {
        String::new()
    };

    // The request that would be sent.
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
        .map(|e| s3_uri(&cfg.bucket, &sibling(&e.key, "report.html")))
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
        cut_chars(&trigger_time, PARAM_VALUE_MAX),
    );
    let stamp = state_time
        .unwrap_or(now)
        .format("%Y%m%dT%H%M%SZ")
        .to_string();
    let request = StartRequest {
        pipeline: cfg.pipeline_name.clone(),
        client_request_token: token.clone(),
        display_name: display_name(&format!("driftline-{endpoint}-{stamp}")),
        description: cut_chars(
            &format!(
                "driftline: drift confirmed on endpoint {endpoint} in {confirmed} of the last {} windows (k={}, MIN_RECORDS={}); alarm {} entered ALARM at {trigger_time}; report {report_uri}",
                evidence.len(),
                cfg.confirm_k,
                cfg.min_records,
                alarm.alarm_name
            ),
            DESCRIPTION_MAX,
        ),
        parameters,
    };

    // 2. Decide.
    let mut blocking: Option<ExecutionInfo> = None;
    let mut execution_arn: Option<String> = None;
    let (decision, reason) = if confirmed < cfg.confirm_k {
        (
            Decision::SkippedNotConfirmed,
            format!(
                "drift with at least {} records in {confirmed} of the last {} windows, {} required{availability}",
                cfg.min_records, evidence.len(), cfg.confirm_k
            ),
        )
    } else {
        let executions = match deps.pipelines.list_executions(&cfg.pipeline_name).await {
            Ok(list) => Ok(list),
            Err(e) if e.is_transient() => return Err(pipeline_error(cfg, e)),
            Err(e) => Err(e),
        };
        let cooldown = Duration::minutes(cfg.cooldown_minutes);
        if let Err(e) = &executions {
            // Without the list neither storm check can be made: never start blind.
            (
                Decision::StartFailed,
                format!("ListPipelineExecutions refused, not starting: {e}"),
            )
        } else if let Some(e) = executions.as_deref().ok().and_then(in_flight) {
            blocking = Some(e.clone());
            (
                Decision::SkippedInFlight,
                format!("execution {} is {}", e.arn, e.status),
            )
        } else if let Some(e) = executions
            .as_deref()
            .ok()
            .and_then(|list| within_cooldown(list, now, cooldown))
        {
            blocking = Some(e.clone());
            (
                Decision::SkippedCooldown,
                format!(
                    "execution {} started at {} (within COOLDOWN_MINUTES={})",
                    e.arn,
                    e.start_time.as_deref().unwrap_or("?"),
                    cfg.cooldown_minutes
                ),
            )
        } else if cfg.dry_run {
            (
                Decision::DryRun,
                format!("drift confirmed in {confirmed} of {} windows{availability}; DRY_RUN is set, nothing started", evidence.len()),
            )
        } else {
            match deps.pipelines.start(request.clone()).await {
                Ok(arn) => {
                    execution_arn = Some(arn);
                    (
                        Decision::Started,
                        format!(
                            "drift confirmed in {confirmed} of {} windows{availability}",
                            evidence.len()
                        ),
                    )
                }
                Err(e) if e.is_transient() => return Err(pipeline_error(cfg, e)),
                Err(e) => (
                    Decision::StartFailed,
                    format!("StartPipelineExecution refused: {e}"),
                ),
            }
        }
    };

    // 3. Audit record (every decision).
    let audit_key = format!(
        "{}remediation/{endpoint}/{stamp}-{}.json",
        prefix_root(&cfg.prefix),
        decision.slug()
    );
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
        blocking_execution: blocking.as_ref().map(|e| AuditExecution {
            arn: &e.arn,
            status: &e.status,
            start_time: e.start_time.as_deref(),
        }),
        client_request_token: &token,
        start_request: matches!(
            decision,
            Decision::Started | Decision::DryRun | Decision::StartFailed
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
    let body = serde_json::to_vec_pretty(&record).unwrap_or_default();
    deps.store
        .put(
            &cfg.bucket,
            &audit_key,
            Bytes::from(body),
            "application/json",
        )
        .await
        .map_err(|source| HandlerError::Audit {
            bucket: cfg.bucket.clone(),
            key: audit_key.clone(),
            source,
        })?;
    tracing::info!(decision = decision.slug(), reason = %reason, endpoint = %endpoint, audit_key = %audit_key, "decided");

    // 4. A short note when a run started.
    if let (Decision::Started, Some(n), Some(arn)) = (decision, &deps.notifier, &execution_arn) {
        let msg = Message {
            subject: notify_alarm::text::sanitize_subject(&format!(
                "driftline: retraining started for {endpoint}"
            )),
            body: format!(
                "driftline started SageMaker pipeline {} for endpoint {endpoint}.\n\nWhy: {reason}.\nDrifted features: {}\nReport: {report_uri}\nExecution: {arn}\nAudit record: {}\n",
                cfg.pipeline_name,
                request.parameters[&cfg.param_drifted_features],
                s3_uri(&cfg.bucket, &audit_key),
            ),
            attributes: BTreeMap::from([
                ("endpoint".to_string(), endpoint.clone()),
                ("severity".to_string(), "info".to_string()),
                ("state".to_string(), "ALARM".to_string()),
                ("alarm".to_string(), alarm.alarm_name.clone()),
                ("decision".to_string(), decision.slug().to_string()),
            ]),
        };
        if let Err(e) = n.publish(msg).await {
            // The run has started and is audited; a lost note must not cause a retry.
            tracing::warn!(error = %e, "could not publish the retraining note");
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

fn sibling(key: &str, file: &str) -> String {
    match key.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/{file}"),
        None => file.to_string(),
    }
}

#[cfg(test)]
#[path = "handler_tests.rs"]
mod tests;
