//! The notify-alarm handler, generic over the ports.

use crate::config::Config;
use crate::message::{self, Context, ReportLookup};
use chrono::{DateTime, Duration, Utc};
use driftline_aws::alarm::{AlarmEvent, AlarmKind, StateValue};
use driftline_aws::keys::Span;
use driftline_aws::ports::{Notifier, ObjectStore, PortError};
use driftline_aws::reports::{
    list_span_summaries, list_summaries_of, read_json, read_summary, summaries_prefix,
    summaries_prefix_of, SummaryKey, SummaryKind,
};
use driftline_aws::text::{
    escape_untrusted, UNTRUSTED_NAME_MAX_CHARS as NAME, UNTRUSTED_TEXT_MAX_CHARS as TEXT,
};
use driftline_stats::quality::analysis::QualitySummary;
use lambda_runtime::{Diagnostic, LambdaEvent};
use serde::Serialize;
use serde_json::Value;

/// What the handler works with (built once in `main`).
pub struct Deps<S, N> {
    /// Object store holding the reports.
    pub store: S,
    /// Where messages go.
    pub notifier: N,
    /// Configuration.
    pub config: Config,
}

/// The invocation's result (also the Lambda response).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Response {
    /// `published`, `skipped` or `rejected` (malformed event: logged, not retried).
    pub outcome: &'static str,
    /// Why it was skipped or rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// SNS message id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// Subject sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// `summary.json` key the message was built from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_key: Option<String>,
}

/// Errors that fail the invocation so that Lambda retries (transient only).
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// Listing or reading the reports failed transiently.
    #[error("reading reports of endpoint {endpoint}: {source}")]
    Reports {
        /// Endpoint.
        endpoint: String,
        /// Cause.
        source: PortError,
    },
    /// Publishing failed.
    #[error("publishing to SNS: {0}")]
    Publish(PortError),
}

impl From<HandlerError> for Diagnostic {
    fn from(e: HandlerError) -> Self {
        let error_type = match &e {
            HandlerError::Reports { .. } => "ReportsUnavailable",
            HandlerError::Publish(_) => "PublishFailed",
        };
        Diagnostic {
            error_type: error_type.to_string(),
            error_message: e.to_string(),
        }
    }
}

/// Handles one alarm event.
pub async fn handle<S: ObjectStore, N: Notifier>(
    deps: &Deps<S, N>,
    event: LambdaEvent<Value>,
) -> Result<Response, HandlerError> {
    let alarm = match AlarmEvent::parse(&event.payload) {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error = %e, request_id = %event.context.request_id, "rejected malformed alarm event");
            return Ok(skip("rejected", e.to_string()));
        }
    };
    let cfg = &deps.config;
    tracing::info!(alarm = %alarm.alarm_name, state = alarm.state.value.as_str(), "alarm event");
    if alarm.state.value == StateValue::InsufficientData && !cfg.notify_on_insufficient_data {
        return Ok(skip(
            "skipped",
            "INSUFFICIENT_DATA (NOTIFY_ON_INSUFFICIENT_DATA is false)".into(),
        ));
    }
    let endpoint = alarm.endpoint().or_else(|| cfg.endpoint_name.clone());
    let ctx = Context {
        endpoint: endpoint.clone(),
        variant: alarm.variant().or_else(|| cfg.variant_name.clone()),
        region: alarm.region.clone().or_else(|| cfg.region.clone()),
    };
    let report = if alarm.state.value != StateValue::Alarm {
        ReportLookup::NotApplicable(String::new())
    } else if alarm.is_driftline_health() {
        ReportLookup::NotApplicable(message::health_checklist(&alarm))
    } else if alarm.is_infrastructure() {
        ReportLookup::NotApplicable(
            "This is an endpoint health alarm; driftline's data reports do not cover it.".into(),
        )
    } else if let Some(ep) = endpoint.as_deref() {
        if alarm.is_model_quality() {
            find_quality_report(deps, &alarm, ep, ctx.variant.as_deref()).await?
        } else {
            find_report(deps, &alarm, ep, ctx.variant.as_deref()).await?
        }
    } else {
        ReportLookup::Missing(
            "the alarm names no endpoint (no Endpoint dimension) and ENDPOINT_NAME is not set"
                .into(),
        )
    };
    let report_key = match &report {
        ReportLookup::Found { key, .. } | ReportLookup::Quality { key, .. } => {
            Some(key.key.clone())
        }
        ReportLookup::Missing(why) => {
            tracing::warn!(reason = %why, "no usable report");
            None
        }
        ReportLookup::NotApplicable(_) => None,
    };
    // At-least-once delivery (CloudWatch retries, Lambda's async retries, EventBridge): a state
    // change whose e-mail was sent has a marker; its redelivery sends nothing. Checked before
    // and written after publishing, so a failed publish is retried, never lost (two deliveries
    // racing can still both send).
    let marker = alarm.state.timestamp.as_deref().map(|t| {
        cfg.common
            .keys()
            .notification(&alarm.alarm_name, alarm.state.value.as_str(), t)
    });
    if let Some(m) = &marker {
        match deps.store.etag(&cfg.common.bucket, m).await {
            Ok(_) => {
                tracing::info!(marker = %m, "already sent for this state change");
                return Ok(skip(
                    "skipped",
                    format!("already sent for this state change ({m})"),
                ));
            }
            Err(PortError::Transient(e)) => {
                return Err(HandlerError::Reports {
                    endpoint: endpoint.clone().unwrap_or_default(),
                    source: PortError::Transient(e),
                })
            }
            Err(_) => {}
        }
    }
    let msg = message::build(&alarm, &ctx, &report);
    let subject = msg.subject.clone();
    let id = deps
        .notifier
        .publish(msg)
        .await
        .map_err(HandlerError::Publish)?;
    tracing::info!(message_id = %id, subject = %subject, "published");
    if let Some(m) = &marker {
        let body = serde_json::json!({"message_id": id, "subject": subject}).to_string();
        if let Err(e) = deps
            .store
            .put(
                &cfg.common.bucket,
                m,
                bytes::Bytes::from(body),
                "application/json",
            )
            .await
        {
            // Sent; a lost marker only means a redelivery would send it again.
            tracing::warn!(marker = %m, error = %e, "could not record the sent e-mail");
        }
    }
    Ok(Response {
        outcome: "published",
        reason: None,
        message_id: Some(id),
        subject: Some(subject),
        report_key,
    })
}

/// Escapes what in a summary came from untrusted input (feature names are request keys,
/// descriptions quote values and names, fault examples quote lines and object keys) before it
/// goes into an e-mail: see [`escape_untrusted`].
fn neutralize(s: &mut driftline_stats::summary::Summary) {
    for f in &mut s.features {
        f.name = escape_untrusted(&f.name, NAME);
        for r in &mut f.reasons {
            *r = escape_untrusted(r, TEXT);
        }
    }
    for v in &mut s.violations {
        v.feature_name = escape_untrusted(&v.feature_name, NAME);
        v.description = escape_untrusted(&v.description, TEXT);
    }
    for e in &mut s.faults.examples {
        e.source = escape_untrusted(&e.source, TEXT);
        e.reason = escape_untrusted(&e.reason, TEXT);
    }
    if let Some(r) = &mut s.reason {
        *r = escape_untrusted(r, TEXT);
    }
}

fn skip(outcome: &'static str, reason: String) -> Response {
    Response {
        outcome,
        reason: Some(reason),
        message_id: None,
        subject: None,
        report_key: None,
    }
}

/// The model-quality window the alarm is about. Quality metrics are emitted when labels are
/// joined, not at the window they describe, so: the newest degraded window among the last 24,
/// else the newest window.
async fn find_quality_report<S: ObjectStore, N: Notifier>(
    deps: &Deps<S, N>,
    alarm: &AlarmEvent,
    endpoint: &str,
    variant: Option<&str>,
) -> Result<ReportLookup, HandlerError> {
    let cfg = &deps.config;
    let at = alarm.state_time().unwrap_or_else(Utc::now);
    let until = at.checked_add_signed(Duration::minutes(5)).unwrap_or(at);
    let keys = match list_summaries_of(
        SummaryKind::Quality,
        &deps.store,
        &cfg.common.bucket,
        &cfg.common.keys(),
        endpoint,
        variant,
        until,
        1,
    )
    .await
    {
        Ok(k) => k,
        Err(e) if e.is_transient() => {
            return Err(HandlerError::Reports {
                endpoint: endpoint.to_string(),
                source: e,
            })
        }
        Err(e) => {
            return Ok(ReportLookup::Missing(format!(
                "listing model-quality reports failed: {e}"
            )))
        }
    };
    if keys.is_empty() {
        return Ok(ReportLookup::Missing(format!(
            "no model-quality summary.json found under s3://{}/{}",
            cfg.common.bucket,
            summaries_prefix_of(SummaryKind::Quality, &cfg.common.keys(), endpoint, variant)
        )));
    }
    let recent = &keys[keys.len().saturating_sub(24)..];
    let mut newest: Option<(SummaryKey, QualitySummary)> = None;
    for key in recent.iter().rev() {
        match read_json::<_, QualitySummary>(&deps.store, &cfg.common.bucket, &key.key).await {
            Ok(summary) => {
                let degraded = summary.degraded;
                if newest.is_none() || degraded {
                    newest = Some((key.clone(), summary));
                }
                if degraded {
                    break;
                }
            }
            Err(e) if e.is_transient() => {
                return Err(HandlerError::Reports {
                    endpoint: endpoint.to_string(),
                    source: PortError::Transient(e.to_string()),
                })
            }
            Err(e) => {
                if newest.is_none() && key == recent.last().unwrap_or(key) {
                    tracing::warn!(error = %e, "newest model-quality summary unreadable");
                }
            }
        }
    }
    Ok(match newest {
        Some((key, summary)) => ReportLookup::Quality {
            bucket: cfg.common.bucket.clone(),
            key,
            summary: Box::new(summary),
        },
        None => ReportLookup::Missing("no readable model-quality summary.json".into()),
    })
}

/// Which windows an alarm watches: its metric's `Window` dimension (`day`, `last-24h`); a
/// composite alarm has no metric and watches `ALARM_WINDOW`'s; any other alarm hourly ones.
pub fn alarm_span(alarm: &AlarmEvent, configured: Span) -> Span {
    match alarm.dimension(&["Window"]) {
        Some(w) => Span::parse(&w).unwrap_or(Span::Hour),
        None if matches!(alarm.kind, AlarmKind::Composite { .. }) => configured,
        None => Span::Hour,
    }
}

/// The report the alarm is about: the window of the breaching datapoint when the alarm's
/// period is at most the window's labelling step (an hour; a day for daily windows) and that
/// window has a report, else the latest window that started at or before the alarm's state
/// change. Daily and rolling windows ([`alarm_span`]) are looked for among their own reports.
async fn find_report<S: ObjectStore, N: Notifier>(
    deps: &Deps<S, N>,
    alarm: &AlarmEvent,
    endpoint: &str,
    variant: Option<&str>,
) -> Result<ReportLookup, HandlerError> {
    let cfg = &deps.config;
    let span = alarm_span(alarm, cfg.alarm_window);
    let at = alarm.state_time().unwrap_or_else(Utc::now);
    let until: DateTime<Utc> = at.checked_add_signed(Duration::minutes(5)).unwrap_or(at);
    let transient = |source: PortError| HandlerError::Reports {
        endpoint: endpoint.to_string(),
        source,
    };
    let step = if span == Span::Day {
        Duration::days(1)
    } else {
        Duration::hours(1)
    };
    let keys = match list_span_summaries(
        SummaryKind::Data,
        span,
        &deps.store,
        &cfg.common.bucket,
        &cfg.common.keys(),
        endpoint,
        variant,
        until,
        1,
    )
    .await
    {
        Ok(k) => k,
        Err(e) if e.is_transient() => return Err(transient(e)),
        Err(e) => {
            return Ok(ReportLookup::Missing(format!(
                "listing reports failed: {e}"
            )))
        }
    };
    let rd = &alarm.state.reason_data;
    let breached_hour = rd
        .latest_evaluated
        .as_deref()
        .and_then(driftline_aws::alarm::parse_time)
        .filter(|_| {
            rd.period
                .is_some_and(|p| i64::try_from(p).is_ok_and(|p| p <= step.num_seconds()))
        });
    let chosen: Option<&SummaryKey> = breached_hour
        .and_then(|h| {
            keys.iter()
                .rev()
                .find(|k| k.window_start().is_some_and(|s| s <= h && h < s + step))
        })
        .or_else(|| keys.last());
    let Some(key) = chosen else {
        return Ok(ReportLookup::Missing(format!(
            "no summary.json found under s3://{}/{}",
            cfg.common.bucket,
            summaries_prefix(&cfg.common.keys(), endpoint, variant)
        )));
    };
    match read_summary(&deps.store, &cfg.common.bucket, &key.key).await {
        Ok(mut summary) => {
            neutralize(&mut summary);
            Ok(ReportLookup::Found {
                bucket: cfg.common.bucket.clone(),
                key: key.clone(),
                summary: Box::new(summary),
            })
        }
        Err(e) if e.is_transient() => Err(HandlerError::Reports {
            endpoint: endpoint.to_string(),
            source: PortError::Transient(e.to_string()),
        }),
        Err(e) => Ok(ReportLookup::Missing(e.to_string())),
    }
}
