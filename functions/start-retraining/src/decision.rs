//! Pure parts of the decision: evidence, idempotency token, SageMaker-safe names and values.

use chrono::{DateTime, Duration, Utc};
use driftline_aws::ports::ExecutionInfo;
use driftline_stats::summary::{Status, Summary};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// SageMaker `ClientRequestToken` length limits (StartPipelineExecution API reference).
pub const TOKEN_MIN: usize = 32;
/// See [`TOKEN_MIN`].
pub const TOKEN_MAX: usize = 128;
/// `PipelineExecutionDisplayName`: 1–82 characters, `^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,81}`.
pub const DISPLAY_NAME_MAX: usize = 82;
/// `PipelineExecutionDescription`: at most 3072 characters.
pub const DESCRIPTION_MAX: usize = 3072;
/// Pipeline parameter values: at most 1024 characters.
pub const PARAM_VALUE_MAX: usize = 1024;

/// What was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    /// A pipeline execution was started.
    Started,
    /// Everything checked out; `DRY_RUN` kept it from starting.
    DryRun,
    /// Fewer than k of the last n windows show drift with enough records.
    SkippedNotConfirmed,
    /// An execution is `Executing` or `Stopping`.
    SkippedInFlight,
    /// An execution started within `COOLDOWN_MINUTES`.
    SkippedCooldown,
    /// SageMaker refused the start (permanent error).
    StartFailed,
}

impl Decision {
    /// The slug used in audit keys and responses.
    pub fn slug(self) -> &'static str {
        match self {
            Decision::Started => "started",
            Decision::DryRun => "dry-run",
            Decision::SkippedNotConfirmed => "skipped-not-confirmed",
            Decision::SkippedInFlight => "skipped-in-flight",
            Decision::SkippedCooldown => "skipped-cooldown",
            Decision::StartFailed => "start-failed",
        }
    }
}

/// One window summary as used (or not) as evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WindowEvidence {
    /// `summary.json` key.
    pub key: String,
    /// Variant.
    pub variant: String,
    /// Window start (from the key).
    pub window_start: Option<String>,
    /// Status from the summary, when readable.
    pub status: Option<Status>,
    /// Records profiled.
    pub records: Option<u64>,
    /// The window's verdict.
    pub drift_detected: Option<bool>,
    /// Drifted feature names.
    pub drifted_features: Vec<String>,
    /// True when this window counts toward k.
    pub counts: bool,
    /// Why it does not count, when it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl WindowEvidence {
    /// Judges one readable summary.
    pub fn from_summary(
        key: &str,
        variant: &str,
        window_start: Option<String>,
        s: &Summary,
        min_records: u64,
    ) -> Self {
        let note = if !s.drift_detected {
            Some(format!("no drift (status {:?})", s.status))
        } else if s.records < min_records {
            Some(format!(
                "drift but only {} records (< MIN_RECORDS {min_records})",
                s.records
            ))
        } else {
            None
        };
        WindowEvidence {
            key: key.to_string(),
            variant: variant.to_string(),
            window_start,
            status: Some(s.status),
            records: Some(s.records),
            drift_detected: Some(s.drift_detected),
            drifted_features: s
                .features
                .iter()
                .filter(|f| f.drifted)
                .map(|f| f.name.clone())
                .collect(),
            counts: note.is_none(),
            note,
        }
    }

    /// A summary that could not be read or parsed (never counts).
    pub fn unreadable(key: &str, variant: &str, window_start: Option<String>, why: String) -> Self {
        WindowEvidence {
            key: key.to_string(),
            variant: variant.to_string(),
            window_start,
            status: None,
            records: None,
            drift_detected: None,
            drifted_features: vec![],
            counts: false,
            note: Some(why),
        }
    }
}

/// The deterministic idempotency token: SHA-256 (hex, 64 characters, within SageMaker's
/// 32–128) of the alarm's identity (ARN, else name) and its state-change time. A retried
/// delivery of the same event gives the same token; the next state change a different one.
pub fn client_request_token(alarm_identity: &str, state_change_time: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"driftline/start-retraining/v1\n");
    h.update(alarm_identity.as_bytes());
    h.update(b"\n");
    h.update(state_change_time.as_bytes());
    let token = hex::encode(h.finalize());
    debug_assert!((TOKEN_MIN..=TOKEN_MAX).contains(&token.len()));
    token
}

/// A display name SageMaker accepts: characters outside `[A-Za-z0-9]` become `-`, it starts
/// and ends with a letter or digit, at most 82 characters; `driftline` when nothing is left.
pub fn display_name(raw: &str) -> String {
    let mapped: String = raw
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let trimmed = mapped.trim_matches('-');
    let mut s: String = trimmed.chars().take(DISPLAY_NAME_MAX).collect();
    while s.ends_with('-') {
        s.pop();
    }
    if s.is_empty() {
        "driftline".to_string()
    } else {
        s
    }
}

/// Cuts to at most `max` characters (on a character boundary).
pub fn cut_chars(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// Joins feature names with commas, dropping whole names that would exceed `max` characters.
pub fn join_features(names: &[String], max: usize) -> String {
    let mut out = String::new();
    for n in names {
        let extra = if out.is_empty() { 0 } else { 1 } + n.chars().count();
        if out.chars().count() + extra > max {
            break;
        }
        if !out.is_empty() {
            out.push(',');
        }
        out.push_str(n);
    }
    out
}

/// The first execution that is `Executing` or `Stopping`.
pub fn in_flight(executions: &[ExecutionInfo]) -> Option<&ExecutionInfo> {
    executions
        .iter()
        .find(|e| matches!(e.status.as_str(), "Executing" | "Stopping"))
}

/// The first execution that started within `cooldown` before `now`.
pub fn within_cooldown(
    executions: &[ExecutionInfo],
    now: DateTime<Utc>,
    cooldown: Duration,
) -> Option<&ExecutionInfo> {
    executions.iter().find(|e| {
        e.start_time
            .as_deref()
            .and_then(notify_alarm::alarm::parse_time)
            .is_some_and(|t| t > now - cooldown)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_stable_distinct_and_in_limits() {
        let a = client_request_token("arn:alarm:x", "2026-11-25T10:06:02.335Z");
        assert_eq!(
            a,
            client_request_token("arn:alarm:x", "2026-11-25T10:06:02.335Z")
        );
        assert_ne!(
            a,
            client_request_token("arn:alarm:x", "2026-11-25T11:06:02.335Z")
        );
        assert_ne!(
            a,
            client_request_token("arn:alarm:y", "2026-11-25T10:06:02.335Z")
        );
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        // Independent check of the construction with the same input.
        let mut h = Sha256::new();
        h.update(b"driftline/start-retraining/v1\narn:alarm:x\n2026-11-25T10:06:02.335Z");
        assert_eq!(a, hex::encode(h.finalize()));
    }

    #[test]
    fn display_names_match_sagemakers_pattern() {
        let re = |s: &str| {
            let b = s.as_bytes();
            !b.is_empty()
                && b.len() <= DISPLAY_NAME_MAX
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        };
        for raw in [
            "driftline-churn_endpoint-20261125T1006",
            "--a.b/c--",
            "ü",
            &"x-".repeat(100),
        ] {
            let d = display_name(raw);
            assert!(re(&d), "{raw:?} -> {d:?}");
        }
        assert_eq!(display_name("a_b.c"), "a-b-c");
        assert_eq!(display_name("ü"), "driftline");
    }

    #[test]
    fn features_are_cut_on_names() {
        let names: Vec<String> = (0..500).map(|i| format!("feature_{i}")).collect();
        let j = join_features(&names, PARAM_VALUE_MAX);
        assert!(j.len() <= PARAM_VALUE_MAX);
        assert!(j.split(',').all(|n| n.starts_with("feature_")));
        assert_eq!(join_features(&["a".into(), "b".into()], 1024), "a,b");
    }

    #[test]
    fn in_flight_and_cooldown() {
        let now = notify_alarm::alarm::parse_time("2026-11-25T12:00:00Z").unwrap();
        let ex = |status: &str, start: &str| ExecutionInfo {
            arn: format!("arn:{status}:{start}"),
            status: status.into(),
            start_time: Some(start.into()),
            display_name: None,
        };
        let list = vec![
            ex("Succeeded", "2026-11-25T07:00:00Z"),
            ex("Failed", "2026-11-25T03:00:00Z"),
        ];
        assert!(in_flight(&list).is_none());
        assert!(within_cooldown(&list, now, Duration::minutes(360)).is_some());
        assert!(within_cooldown(&list, now, Duration::minutes(299)).is_none());
        assert!(in_flight(&[ex("Stopping", "2026-11-01T00:00:00Z")]).is_some());
    }
}
