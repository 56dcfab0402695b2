//! Finding and reading window summaries (`P/reports/{endpoint}/{variant}/yyyy/mm/dd/hh/summary.json`,
//! keys from [`Keys`]): the evidence notify-alarm puts in its e-mail, start-retraining checks
//! before it starts a pipeline, and analyze-capture draws as trend lines.

use crate::keys::{Keys, ReportFile, Span, WindowHour, WindowId};
use crate::ports::{ObjectStore, PortError};
use chrono::{DateTime, Duration, Utc};
use driftline_stats::summary::Summary;

/// How many summaries are read at once.
pub const READ_CONCURRENCY: usize = 8;

/// The files of a window's report, in the order a person wants them.
pub const REPORT_FILES: [ReportFile; 4] = [
    ReportFile::Html,
    ReportFile::Summary,
    ReportFile::ConstraintViolations,
    ReportFile::Statistics,
];

/// One `summary.json` key, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryKey {
    /// Full object key.
    pub key: String,
    /// Production variant.
    pub variant: String,
    /// The window's labelling hour (see [`WindowId`]).
    pub window: WindowHour,
    /// How long the window is.
    pub span: Span,
}

impl SummaryKey {
    /// Start of the labelling hour (for a day its midnight, for a rolling view its last hour).
    pub fn window_start(&self) -> Option<DateTime<Utc>> {
        self.window.start()
    }

    /// The window.
    pub fn id(&self) -> WindowId {
        WindowId {
            span: self.span,
            hour: self.window,
        }
    }

    /// Key of another file of the same window's report (e.g. `report.html`).
    pub fn sibling(&self, file: ReportFile) -> String {
        match self.key.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/{}", file.file_name()),
            None => file.file_name().to_string(),
        }
    }
}

/// `s3://bucket/key`.
pub fn s3_uri(bucket: &str, key: &str) -> String {
    format!("s3://{bucket}/{key}")
}

/// Which summaries: data quality (`P/reports/…`, analyze-capture) or model quality
/// (`P/quality/…`, evaluate-quality).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SummaryKind {
    /// Data-quality windows.
    #[default]
    Data,
    /// Model-quality windows.
    Quality,
}

/// The folder listed for an endpoint (one variant, or all), always ending with `/` so that
/// `churn` never matches `churn-v2`.
pub fn summaries_prefix(keys: &Keys, endpoint: &str, variant: Option<&str>) -> String {
    summaries_prefix_of(SummaryKind::Data, keys, endpoint, variant)
}

/// [`summaries_prefix`] of either kind.
pub fn summaries_prefix_of(
    kind: SummaryKind,
    keys: &Keys,
    endpoint: &str,
    variant: Option<&str>,
) -> String {
    let mut s = match kind {
        SummaryKind::Data => keys.reports_endpoint_prefix(endpoint),
        SummaryKind::Quality => keys.quality_endpoint_prefix(endpoint),
    };
    if let Some(v) = variant {
        s.push_str(v);
        s.push('/');
    }
    s
}

/// Decodes a summary key of `endpoint` ([`Keys::parse_report`]); `None` for anything else.
pub fn parse_summary_key(keys: &Keys, endpoint: &str, key: &str) -> Option<SummaryKey> {
    parse_summary_key_of(SummaryKind::Data, keys, endpoint, key)
}

/// [`parse_summary_key`] of either kind.
pub fn parse_summary_key_of(
    kind: SummaryKind,
    keys: &Keys,
    endpoint: &str,
    key: &str,
) -> Option<SummaryKey> {
    let r = match kind {
        SummaryKind::Data => keys.parse_report(key)?,
        SummaryKind::Quality => keys.parse_quality_report(key)?,
    };
    (r.file == ReportFile::Summary && r.endpoint == endpoint).then(|| SummaryKey {
        key: key.to_string(),
        variant: r.variant,
        window: r.window,
        span: r.span,
    })
}

/// Lists the summaries of an endpoint (one variant, or all) whose window starts at or before
/// `until`, oldest first (by window, then variant).
///
/// With a known variant it first lists only the day of `until` and the day before, and falls
/// back to the whole endpoint prefix when that yields fewer than `want` summaries; without a
/// variant it lists the whole endpoint prefix.
pub async fn list_summaries<S: ObjectStore>(
    store: &S,
    bucket: &str,
    keys: &Keys,
    endpoint: &str,
    variant: Option<&str>,
    until: DateTime<Utc>,
    want: usize,
) -> Result<Vec<SummaryKey>, PortError> {
    list_summaries_of(
        SummaryKind::Data,
        store,
        bucket,
        keys,
        endpoint,
        variant,
        until,
        want,
    )
    .await
}

/// [`list_summaries`] of either kind (hourly windows).
#[allow(clippy::too_many_arguments)]
pub async fn list_summaries_of<S: ObjectStore>(
    kind: SummaryKind,
    store: &S,
    bucket: &str,
    keys: &Keys,
    endpoint: &str,
    variant: Option<&str>,
    until: DateTime<Utc>,
    want: usize,
) -> Result<Vec<SummaryKey>, PortError> {
    list_span_summaries(
        kind,
        Span::Hour,
        store,
        bucket,
        keys,
        endpoint,
        variant,
        until,
        want,
    )
    .await
}

/// [`list_summaries_of`] for windows of `span` (whose labelling hour starts at or before
/// `until`; a day is listed when its midnight is).
#[allow(clippy::too_many_arguments)]
pub async fn list_span_summaries<S: ObjectStore>(
    kind: SummaryKind,
    span: Span,
    store: &S,
    bucket: &str,
    keys: &Keys,
    endpoint: &str,
    variant: Option<&str>,
    until: DateTime<Utc>,
    want: usize,
) -> Result<Vec<SummaryKey>, PortError> {
    let collect = |listed: Vec<String>| -> Vec<SummaryKey> {
        let mut out: Vec<SummaryKey> = listed
            .iter()
            .filter_map(|k| parse_summary_key_of(kind, keys, endpoint, k))
            .filter(|s| s.span == span)
            .filter(|s| variant.is_none_or(|v| s.variant == v))
            .filter(|s| s.window_start().is_some_and(|t| t <= until))
            .collect();
        out.sort_by(|a, b| (a.window, &a.variant).cmp(&(b.window, &b.variant)));
        out.dedup_by(|a, b| a.key == b.key);
        out
    };
    if let Some(v) = variant {
        let mut listed = Vec::new();
        let days = [until.checked_sub_signed(Duration::days(1)), Some(until)];
        for day in days.into_iter().flatten() {
            let p = format!(
                "{}{}/",
                summaries_prefix_of(kind, keys, endpoint, Some(v)),
                day.format("%Y/%m/%d")
            );
            listed.extend(store.list(bucket, &p).await?.into_iter().map(|o| o.key));
        }
        let found = collect(listed);
        if found.len() >= want {
            return Ok(found);
        }
    }
    let listed = store
        .list(bucket, &summaries_prefix_of(kind, keys, endpoint, None))
        .await?
        .into_iter()
        .map(|o| o.key)
        .collect();
    Ok(collect(listed))
}

/// Why a summary could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ReadSummaryError {
    /// The store failed (see [`PortError::is_transient`]).
    #[error("reading s3://{bucket}/{key}: {source}")]
    Port {
        /// Bucket.
        bucket: String,
        /// Key.
        key: String,
        /// Cause.
        source: PortError,
    },
    /// The object is not a valid `summary.json`.
    #[error("s3://{bucket}/{key} is not a valid summary.json: {reason}")]
    Invalid {
        /// Bucket.
        bucket: String,
        /// Key.
        key: String,
        /// Parser message.
        reason: String,
    },
}

impl ReadSummaryError {
    /// True when a retry of the invocation may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, ReadSummaryError::Port { source, .. } if source.is_transient())
    }
}

/// Reads and parses one `summary.json`.
pub async fn read_summary<S: ObjectStore>(
    store: &S,
    bucket: &str,
    key: &str,
) -> Result<Summary, ReadSummaryError> {
    read_json(store, bucket, key).await
}

/// Reads and parses one JSON document (e.g. a model-quality `summary.json`).
pub async fn read_json<S: ObjectStore, T: serde::de::DeserializeOwned>(
    store: &S,
    bucket: &str,
    key: &str,
) -> Result<T, ReadSummaryError> {
    let bytes = store
        .get_bytes(bucket, key)
        .await
        .map_err(|source| ReadSummaryError::Port {
            bucket: bucket.to_string(),
            key: key.to_string(),
            source,
        })?;
    serde_json::from_slice(&bytes).map_err(|e| ReadSummaryError::Invalid {
        bucket: bucket.to_string(),
        key: key.to_string(),
        reason: e.to_string(),
    })
}

/// Reads several summaries, [`READ_CONCURRENCY`] at a time; the results are in the order of
/// `keys`.
pub async fn read_summaries<S: ObjectStore>(
    store: &S,
    bucket: &str,
    keys: &[String],
) -> Vec<Result<Summary, ReadSummaryError>> {
    // Chunks of `join_all` rather than a buffered stream: a stream adapter over borrowing
    // closures makes the caller's future lose `Send` (a higher-ranked lifetime limitation).
    let mut out = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(READ_CONCURRENCY) {
        let mut batch = Vec::with_capacity(chunk.len());
        for k in chunk {
            batch.push(read_summary(store, bucket, k));
        }
        out.extend(futures::future::join_all(batch).await);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::memory::MemoryStore;

    #[test]
    fn keys_decode_and_reject_lookalikes() {
        let keys = Keys::new("driftline");
        assert_eq!(
            summaries_prefix(&keys, "churn", None),
            "driftline/reports/churn/"
        );
        let k = parse_summary_key(
            &keys,
            "churn",
            "driftline/reports/churn/AllTraffic/2026/11/25/09/summary.json",
        )
        .unwrap();
        assert_eq!(k.variant, "AllTraffic");
        assert_eq!(k.window.path(), "2026/11/25/09");
        assert_eq!(
            k.window_start().unwrap().to_rfc3339(),
            "2026-11-25T09:00:00+00:00"
        );
        assert_eq!(
            k.sibling(ReportFile::Html),
            "driftline/reports/churn/AllTraffic/2026/11/25/09/report.html"
        );
        for bad in [
            "driftline/reports/churn-v2/AllTraffic/2026/11/25/09/summary.json",
            "driftline/reports/churn/AllTraffic/2026/11/25/09/report.html",
            "driftline/reports/churn/AllTraffic/2026/11/25/summary.json",
            "driftline/reports/churn/AllTraffic/2026/11/2x/09/summary.json",
        ] {
            assert_eq!(parse_summary_key(&keys, "churn", bad), None, "{bad}");
        }
        assert_eq!(
            summaries_prefix(&Keys::new(""), "e", Some("v")),
            "reports/e/v/"
        );
        assert_eq!(
            summaries_prefix(&Keys::new("/a/b/"), "e", None),
            "a/b/reports/e/"
        );
    }

    #[tokio::test]
    async fn lists_oldest_first_and_reads_in_order() {
        let store = MemoryStore::new();
        let keys = Keys::new("p");
        for (h, drift) in [(9, true), (7, false), (8, true), (11, false)] {
            let w = WindowHour::new(2026, 11, 25, h).unwrap();
            let body = serde_json::json!({"schema_version": 1, "status": "ok",
                "records": h, "malformed_records": 0, "drift_detected": drift,
                "violation_count": 0, "drifted_feature_count": 0, "features": []});
            store.insert(
                "b",
                &keys.report("ep", "v", w, ReportFile::Summary),
                body.to_string(),
            );
        }
        let until = WindowHour::new(2026, 11, 25, 10).unwrap().start().unwrap();
        let listed = list_summaries(&store, "b", &keys, "ep", Some("v"), until, 2)
            .await
            .unwrap();
        let hours: Vec<u8> = listed.iter().map(|k| k.window.hour).collect();
        assert_eq!(hours, [7, 8, 9], "hour 11 is after `until`");
        let read = read_summaries(
            &store,
            "b",
            &listed.iter().map(|k| k.key.clone()).collect::<Vec<_>>(),
        )
        .await;
        let records: Vec<u64> = read.into_iter().map(|r| r.unwrap().records).collect();
        assert_eq!(records, [7, 8, 9]);
    }
}
