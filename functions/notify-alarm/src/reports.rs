//! Finding and reading window reports:
//! `{prefix}/reports/{endpoint}/{variant}/yyyy/mm/dd/hh/{summary.json,report.html,…}`.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use driftline_aws::ports::{ObjectStore, PortError};
use driftline_stats::summary::Summary;

/// File name of the machine-readable verdict of a window.
pub const SUMMARY_FILE: &str = "summary.json";
/// The other files of a window's report, in the order a person wants them.
pub const REPORT_FILES: [&str; 4] = [
    "report.html",
    "summary.json",
    "constraint_violations.json",
    "statistics.json",
];

/// One `summary.json` key, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryKey {
    /// Full object key.
    pub key: String,
    /// Production variant.
    pub variant: String,
    /// Window hour as in the key, `yyyy/mm/dd/hh` (sorts chronologically).
    pub hour: String,
}

impl SummaryKey {
    /// Start of the window (the hour in the key), when it is a valid date.
    pub fn window_start(&self) -> Option<DateTime<Utc>> {
        let parts: Vec<&str> = self.hour.split('/').collect();
        let [y, m, d, h] = parts.as_slice() else {
            return None;
        };
        let date = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?;
        let t = date.and_hms_opt(h.parse().ok()?, 0, 0)?;
        Some(Utc.from_utc_datetime(&t))
    }

    /// Key of a sibling file of the same window (e.g. `report.html`).
    pub fn sibling(&self, file: &str) -> String {
        match self.key.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/{file}"),
            None => file.to_string(),
        }
    }
}

/// `{prefix}/` with the prefix trimmed of slashes (empty prefix → empty string).
pub fn prefix_root(prefix: &str) -> String {
    let p = prefix.trim_matches('/');
    if p.is_empty() {
        String::new()
    } else {
        format!("{p}/")
    }
}

/// `{prefix}/reports/{endpoint}/` (and `{variant}/` when given), always ending with `/` so that
/// `churn` never matches `churn-v2`.
pub fn reports_prefix(prefix: &str, endpoint: &str, variant: Option<&str>) -> String {
    let mut s = format!("{}reports/{endpoint}/", prefix_root(prefix));
    if let Some(v) = variant {
        s.push_str(v);
        s.push('/');
    }
    s
}

/// Decodes `{reports_prefix(endpoint)}{variant}/yyyy/mm/dd/hh/summary.json`.
pub fn parse_summary_key(endpoint_prefix: &str, key: &str) -> Option<SummaryKey> {
    let rest = key.strip_prefix(endpoint_prefix)?;
    let parts: Vec<&str> = rest.split('/').collect();
    let [variant, y, m, d, h, file] = parts.as_slice() else {
        return None;
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if *file != SUMMARY_FILE
        || variant.is_empty()
        || !digits(y, 4)
        || !digits(m, 2)
        || !digits(d, 2)
        || !digits(h, 2)
    {
        return None;
    }
    Some(SummaryKey {
        key: key.to_string(),
        variant: variant.to_string(),
        hour: format!("{y}/{m}/{d}/{h}"),
    })
}

/// Lists the summaries of an endpoint (one variant, or all) whose window starts at or before
/// `until`, oldest first (by window hour, then variant).
///
/// With a known variant it first lists only the day of `until` and the day before, and falls
/// back to the whole endpoint prefix when that yields fewer than `want` summaries; without a
/// variant it lists the whole endpoint prefix.
pub async fn list_summaries<S: ObjectStore>(
    store: &S,
    bucket: &str,
    prefix: &str,
    endpoint: &str,
    variant: Option<&str>,
    until: DateTime<Utc>,
    want: usize,
) -> Result<Vec<SummaryKey>, PortError> {
    let endpoint_prefix = reports_prefix(prefix, endpoint, None);
    let collect = |keys: Vec<String>| -> Vec<SummaryKey> {
        let mut out: Vec<SummaryKey> = keys
            .iter()
            .filter_map(|k| parse_summary_key(&endpoint_prefix, k))
            .filter(|s| variant.is_none_or(|v| s.variant == v))
            .filter(|s| s.window_start().is_some_and(|t| t <= until))
            .collect();
        out.sort_by(|a, b| (&a.hour, &a.variant).cmp(&(&b.hour, &b.variant)));
        out.dedup_by(|a, b| a.key == b.key);
        out
    };
    if let Some(v) = variant {
        let mut keys = Vec::new();
        for day in [until - Duration::days(1), until] {
            let p = format!(
                "{}{:04}/{:02}/{:02}/",
                reports_prefix(prefix, endpoint, Some(v)),
                day.year(),
                day.month(),
                day.day()
            );
            keys.extend(store.list(bucket, &p).await?.into_iter().map(|o| o.key));
        }
        let found = collect(keys);
        if found.len() >= want {
            return Ok(found);
        }
    }
    let keys = store
        .list(bucket, &endpoint_prefix)
        .await?
        .into_iter()
        .map(|o| o.key)
        .collect();
    Ok(collect(keys))
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

/// `s3://bucket/key`.
pub fn s3_uri(bucket: &str, key: &str) -> String {
    format!("s3://{bucket}/{key}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_decode_and_reject_lookalikes() {
        let ep = reports_prefix("driftline", "churn", None);
        assert_eq!(ep, "driftline/reports/churn/");
        let k = parse_summary_key(
            &ep,
            "driftline/reports/churn/AllTraffic/2026/11/25/09/summary.json",
        )
        .unwrap();
        assert_eq!(k.variant, "AllTraffic");
        assert_eq!(k.hour, "2026/11/25/09");
        assert_eq!(
            k.window_start().unwrap().to_rfc3339(),
            "2026-11-25T09:00:00+00:00"
        );
        assert_eq!(
            k.sibling("report.html"),
            "driftline/reports/churn/AllTraffic/2026/11/25/09/report.html"
        );
        for bad in [
            "driftline/reports/churn-v2/AllTraffic/2026/11/25/09/summary.json",
            "driftline/reports/churn/AllTraffic/2026/11/25/09/report.html",
            "driftline/reports/churn/AllTraffic/2026/11/25/summary.json",
            "driftline/reports/churn/AllTraffic/2026/11/2x/09/summary.json",
        ] {
            assert_eq!(parse_summary_key(&ep, bad), None, "{bad}");
        }
        assert_eq!(reports_prefix("", "e", Some("v")), "reports/e/v/");
        assert_eq!(reports_prefix("/a/b/", "e", None), "a/b/reports/e/");
    }
}
