//! The decision, without effects: evidence, the k-of-n → already started → in flight →
//! cooldown → dry run ladder ([`decide`] returns a [`Plan`]), the idempotency token, and
//! SageMaker-safe names and values. The handler gathers the facts, calls [`decide`], and
//! carries the plan out.

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
    /// SageMaker refused the start or the execution list (permanent error).
    StartFailed,
    /// This very trigger started an execution earlier (a redelivered or retried event whose
    /// first invocation started the pipeline): nothing new is started, the execution is
    /// recorded again.
    AlreadyStarted,
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
            Decision::AlreadyStarted => "already-started",
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

    /// Judges one model-quality summary: it counts when evaluate-quality found the window
    /// degraded (which already needs `MIN_LABELS` labelled pairs); the degraded metrics stand
    /// where drifted features stand for data drift.
    pub fn from_quality_summary(
        key: &str,
        variant: &str,
        window_start: Option<String>,
        s: &driftline_stats::quality::analysis::QualitySummary,
    ) -> Self {
        use driftline_stats::quality::analysis::QualityStatus;
        let note = match s.status {
            QualityStatus::Degraded => None,
            QualityStatus::Ok => Some("model quality within its constraints".to_string()),
            QualityStatus::InsufficientData => {
                Some(format!("only {} labelled pairs (no verdict)", s.matched))
            }
            QualityStatus::NoBaseline => Some("no model-quality baseline".to_string()),
        };
        WindowEvidence {
            key: key.to_string(),
            variant: variant.to_string(),
            window_start,
            status: None,
            records: Some(s.matched),
            drift_detected: Some(s.degraded),
            drifted_features: s.degraded_metrics.clone(),
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

/// The facts a decision is made from.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    /// The window summaries read, oldest first.
    pub evidence: &'a [WindowEvidence],
    /// Windows required (`CONFIRM_K`).
    pub confirm_k: usize,
    /// Windows looked at (`CONFIRM_N`).
    pub confirm_n: usize,
    /// `MIN_RECORDS`.
    pub min_records: u64,
    /// The pipeline's executions (`None`: not listed, because the evidence did not confirm;
    /// `Err`: SageMaker refused the list, with its message).
    pub executions: Option<Result<&'a [ExecutionInfo], String>>,
    /// The display name this trigger's execution gets ([`display_name`]).
    pub display_name: &'a str,
    /// Decision time.
    pub now: DateTime<Utc>,
    /// `COOLDOWN_MINUTES`.
    pub cooldown_minutes: i64,
    /// `DRY_RUN`.
    pub dry_run: bool,
}

impl Facts<'_> {
    /// Windows that count toward k.
    pub fn confirmed(&self) -> usize {
        self.evidence.iter().filter(|e| e.counts).count()
    }

    /// True when k of the last n windows confirm: the executions must then be listed.
    pub fn needs_executions(&self) -> bool {
        self.confirmed() >= self.confirm_k
    }
}

/// What to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// Start the pipeline.
    Start {
        /// Why.
        reason: String,
    },
    /// Decide, record, but start nothing: [`Decision::DryRun`], or a skip
    /// ([`Decision::SkippedNotConfirmed`], [`Decision::SkippedInFlight`],
    /// [`Decision::SkippedCooldown`]), or [`Decision::StartFailed`] when the storm checks could
    /// not be made, or [`Decision::AlreadyStarted`].
    Record {
        /// The decision.
        decision: Decision,
        /// Why.
        reason: String,
        /// The execution that made it skip or that this trigger already started.
        execution: Option<ExecutionInfo>,
    },
}

impl Plan {
    fn record(decision: Decision, reason: String, execution: Option<&ExecutionInfo>) -> Self {
        Plan::Record {
            decision,
            reason,
            execution: execution.cloned(),
        }
    }
}

/// The decision ladder, in order: fewer than k of the last n windows confirm → skip; the
/// executions could not be listed → refuse (never start blind); an execution with this
/// trigger's display name exists → already started; an execution is `Executing`/`Stopping`
/// → skip; one started within the cooldown → skip; `DRY_RUN` → record only; else start.
pub fn decide(f: &Facts<'_>) -> Plan {
    let confirmed = f.confirmed();
    let n = f.evidence.len();
    let availability = if n < f.confirm_n {
        format!(" (only {n} of {} windows available)", f.confirm_n)
    } else {
        String::new()
    };
    if confirmed < f.confirm_k {
        return Plan::record(
            Decision::SkippedNotConfirmed,
            format!(
                "drift with at least {} records in {confirmed} of the last {n} windows, {} required{availability}",
                f.min_records, f.confirm_k
            ),
            None,
        );
    }
    let executions = match &f.executions {
        Some(Ok(list)) => *list,
        Some(Err(e)) => {
            return Plan::record(
                Decision::StartFailed,
                format!("ListPipelineExecutions refused, not starting: {e}"),
                None,
            )
        }
        None => {
            return Plan::record(
                Decision::StartFailed,
                "the pipeline's executions were not listed, not starting".into(),
                None,
            )
        }
    };
    if let Some(e) = executions
        .iter()
        .find(|e| e.display_name.as_deref() == Some(f.display_name))
    {
        return Plan::record(
            Decision::AlreadyStarted,
            format!(
                "this alarm state change already started execution {} ({}); nothing new started",
                e.arn, e.status
            ),
            Some(e),
        );
    }
    if let Some(e) = in_flight(executions) {
        return Plan::record(
            Decision::SkippedInFlight,
            format!("execution {} is {}", e.arn, e.status),
            Some(e),
        );
    }
    let cooldown = Duration::try_minutes(f.cooldown_minutes).unwrap_or(Duration::MAX);
    if let Some(e) = within_cooldown(executions, f.now, cooldown) {
        return Plan::record(
            Decision::SkippedCooldown,
            format!(
                "execution {} started at {} (within COOLDOWN_MINUTES={})",
                e.arn,
                e.start_time.as_deref().unwrap_or("?"),
                f.cooldown_minutes
            ),
            Some(e),
        );
    }
    if f.dry_run {
        return Plan::record(
            Decision::DryRun,
            format!("drift confirmed in {confirmed} of {n} windows{availability}; DRY_RUN is set, nothing started"),
            None,
        );
    }
    Plan::Start {
        reason: format!("drift confirmed in {confirmed} of {n} windows{availability}"),
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
    // A cooldown reaching before the first representable time covers every execution.
    let since = now.checked_sub_signed(cooldown);
    executions.iter().find(|e| {
        e.start_time
            .as_deref()
            .and_then(driftline_aws::alarm::parse_time)
            .is_some_and(|t| since.is_none_or(|s| t > s))
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
        let now = driftline_aws::alarm::parse_time("2026-11-25T12:00:00Z").unwrap();
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
        assert!(within_cooldown(&list, now, Duration::MAX).is_some());
    }

    fn evidence(counts: &[bool]) -> Vec<WindowEvidence> {
        counts
            .iter()
            .enumerate()
            .map(|(i, c)| WindowEvidence {
                key: format!("k{i}"),
                variant: "v".into(),
                window_start: None,
                status: None,
                records: Some(500),
                drift_detected: Some(*c),
                drifted_features: vec![],
                counts: *c,
                note: None,
            })
            .collect()
    }

    #[test]
    fn the_ladder_in_order() {
        let now = driftline_aws::alarm::parse_time("2026-11-25T12:00:00Z").unwrap();
        let ev = evidence(&[false, true, true]);
        let mine = ExecutionInfo {
            arn: "arn:mine".into(),
            status: "Executing".into(),
            start_time: Some("2026-11-25T11:59:00Z".into()),
            display_name: Some("driftline-ep-x".into()),
        };
        let other = |status: &str, start: &str| ExecutionInfo {
            arn: "arn:other".into(),
            status: status.into(),
            start_time: Some(start.into()),
            display_name: Some("someone-else".into()),
        };
        fn with<'a>(
            ev: &'a [WindowEvidence],
            now: DateTime<Utc>,
            executions: Option<Result<&'a [ExecutionInfo], String>>,
        ) -> Facts<'a> {
            Facts {
                evidence: ev,
                confirm_k: 2,
                confirm_n: 3,
                min_records: 100,
                executions,
                display_name: "driftline-ep-x",
                now,
                cooldown_minutes: 60,
                dry_run: false,
            }
        }
        let facts = |executions| with(&ev, now, executions);
        let decision = |p: Plan| match p {
            Plan::Start { .. } => Decision::Started,
            Plan::Record { decision, .. } => decision,
        };
        let weak = evidence(&[true, false, false]);
        let f = Facts {
            evidence: &weak,
            ..facts(None)
        };
        assert!(!f.needs_executions());
        assert_eq!(decision(decide(&f)), Decision::SkippedNotConfirmed);
        assert_eq!(decision(decide(&facts(None))), Decision::StartFailed);
        assert_eq!(
            decision(decide(&facts(Some(Err("denied".into()))))),
            Decision::StartFailed
        );
        let both = [other("Executing", "2026-11-25T11:00:00Z"), mine.clone()];
        assert_eq!(
            decision(decide(&facts(Some(Ok(&both))))),
            Decision::AlreadyStarted
        );
        let busy = [other("Executing", "2026-11-25T01:00:00Z")];
        assert_eq!(
            decision(decide(&facts(Some(Ok(&busy))))),
            Decision::SkippedInFlight
        );
        let recent = [other("Succeeded", "2026-11-25T11:30:00Z")];
        assert_eq!(
            decision(decide(&facts(Some(Ok(&recent))))),
            Decision::SkippedCooldown
        );
        let old = [other("Succeeded", "2026-11-25T10:30:00Z")];
        assert_eq!(decision(decide(&facts(Some(Ok(&old))))), Decision::Started);
        let dry = Facts {
            dry_run: true,
            ..facts(Some(Ok(&old)))
        };
        assert_eq!(decision(decide(&dry)), Decision::DryRun);
    }
}
