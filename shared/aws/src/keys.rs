//! S3 keys: decoding keys from S3 event notifications, parsing Data Capture keys, and building
//! the keys driftline writes (see the runtime contract in `docs/ARCHITECTURE.md`).
//!
//! With `P` the driftline prefix:
//! - `P/baselines/{endpoint}/statistics.json` and `constraints.json`
//! - `P/profiles/{endpoint}/{variant}/yyyy/mm/dd/hh/{capture-file-stem}.json`
//! - `P/windows/{endpoint}/{variant}/yyyy/mm/dd/hh/window.json` (the merged state of the hour)
//! - `P/reports/{endpoint}/{variant}/yyyy/mm/dd/hh/{statistics.json,constraint_violations.json,summary.json,report.html}`
//! - longer windows ([`Span`]): `…/yyyy/mm/dd/day/` (the UTC day) and `…/yyyy/mm/dd/hh/last-24h/`
//!   (the 24 hours ending with hour `hh`) in place of `…/yyyy/mm/dd/hh/` under `windows/` and
//!   `reports/`
//! - `P/remediation/{endpoint}/{timestamp}-{decision}.json`
//! - `P/baseline-runs/{endpoint}/{run}/level-{n}/*.json` (the baseline workflow's shard
//!   profiles, built by profile-shard)

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Timelike, Utc};
use percent_encoding::percent_decode_str;
use std::fmt;

/// A key from an S3 event that cannot be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The percent-decoded bytes are not UTF-8.
    #[error("S3 event key {key:?} does not decode to UTF-8: {reason}")]
    InvalidUtf8 {
        /// The key as it came in the event.
        key: String,
        /// What the decoder said.
        reason: String,
    },
}

/// Decodes an object key as S3 event notifications carry it: `+` is a space, then
/// percent-decoding (`%2B` is a literal `+`). Invalid UTF-8 after decoding is an error.
///
/// A `%` not followed by two hex digits is kept literally, as S3 never produces one.
pub fn decode_event_key(raw: &str) -> Result<String, KeyError> {
    let spaced = raw.replace('+', " ");
    percent_decode_str(&spaced)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|e| KeyError::InvalidUtf8 {
            key: raw.to_owned(),
            reason: e.to_string(),
        })
}

/// Joins a prefix (with or without a trailing `/`, possibly empty) and a relative key.
pub fn join(prefix: &str, rest: &str) -> String {
    let prefix = prefix.trim_matches('/');
    if prefix.is_empty() {
        rest.to_owned()
    } else {
        format!("{prefix}/{rest}")
    }
}

/// One UTC hour: the window that capture files, profiles and reports are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WindowHour {
    /// Year (four digits in keys).
    pub year: u16,
    /// Month, 1–12.
    pub month: u8,
    /// Day of month, 1–31 (valid for the month).
    pub day: u8,
    /// Hour, 0–23.
    pub hour: u8,
}

impl WindowHour {
    /// A checked hour; `None` if the date or hour does not exist.
    pub fn new(year: u16, month: u8, day: u8, hour: u8) -> Option<Self> {
        NaiveDate::from_ymd_opt(i32::from(year), u32::from(month), u32::from(day))?;
        (hour < 24 && (1000..=9999).contains(&year)).then_some(WindowHour {
            year,
            month,
            day,
            hour,
        })
    }

    /// The hour containing `t`.
    pub fn containing(t: DateTime<Utc>) -> Self {
        WindowHour {
            year: u16::try_from(t.year()).unwrap_or(0),
            month: t.month() as u8,
            day: t.day() as u8,
            hour: t.hour() as u8,
        }
    }

    /// Start of the hour.
    pub fn start(&self) -> Option<DateTime<Utc>> {
        Utc.with_ymd_and_hms(
            i32::from(self.year),
            u32::from(self.month),
            u32::from(self.day),
            u32::from(self.hour),
            0,
            0,
        )
        .single()
    }

    /// The `yyyy/mm/dd/hh` path segment.
    pub fn path(&self) -> String {
        format!(
            "{:04}/{:02}/{:02}/{:02}",
            self.year, self.month, self.day, self.hour
        )
    }

    /// Parses the four segments `yyyy`, `mm`, `dd`, `hh` (fixed width digits).
    pub fn parse_segments(yyyy: &str, mm: &str, dd: &str, hh: &str) -> Option<Self> {
        fn num<T: std::str::FromStr>(s: &str, width: usize) -> Option<T> {
            (s.len() == width && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()
        }
        WindowHour::new(num(yyyy, 4)?, num(mm, 2)?, num(dd, 2)?, num(hh, 2)?)
    }
}

impl fmt::Display for WindowHour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}",
            self.year, self.month, self.day, self.hour
        )
    }
}

/// How long a window is. Hourly windows are the unit everything is merged from; a day and the
/// rolling last 24 hours are merges of hourly profiles (for daily schedules and endpoints too
/// quiet to reach the minimum sample in an hour).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize)]
pub enum Span {
    /// One UTC hour.
    #[default]
    #[serde(rename = "hour")]
    Hour,
    /// One UTC day (00:00 to 24:00).
    #[serde(rename = "day")]
    Day,
    /// The 24 hours ending with the labelling hour (a rolling view, one per hour).
    #[serde(rename = "last-24h")]
    Last24Hours,
}

impl Span {
    /// Every span.
    pub const ALL: [Span; 3] = [Span::Hour, Span::Day, Span::Last24Hours];

    /// The name in settings and in the `Window` metric dimension: `hour`, `day`, `last-24h`.
    pub fn name(self) -> &'static str {
        match self {
            Span::Hour => "hour",
            Span::Day => "day",
            Span::Last24Hours => "last-24h",
        }
    }

    /// Parses [`Span::name`] (ASCII case-insensitive).
    pub fn parse(s: &str) -> Option<Span> {
        Span::ALL
            .into_iter()
            .find(|sp| sp.name().eq_ignore_ascii_case(s.trim()))
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One window of any [`Span`], labelled by an hour: the hour itself, hour 0 of the day, or the
/// last hour of the rolling 24.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WindowId {
    /// How long.
    pub span: Span,
    /// The labelling hour (see the type's documentation).
    pub hour: WindowHour,
}

impl WindowId {
    /// The window of `span` that a file of hour `h` belongs to (for [`Span::Last24Hours`]: the
    /// one ending with `h`).
    pub fn of(span: Span, h: WindowHour) -> Self {
        let hour = match span {
            Span::Day => WindowHour { hour: 0, ..h },
            Span::Hour | Span::Last24Hours => h,
        };
        WindowId { span, hour }
    }

    /// The hourly window `h`.
    pub fn hour(h: WindowHour) -> Self {
        WindowId::of(Span::Hour, h)
    }

    /// The path segment(s): `yyyy/mm/dd/hh`, `yyyy/mm/dd/day` or `yyyy/mm/dd/hh/last-24h`.
    pub fn path(&self) -> String {
        let h = &self.hour;
        match self.span {
            Span::Hour => h.path(),
            Span::Day => format!("{:04}/{:02}/{:02}/day", h.year, h.month, h.day),
            Span::Last24Hours => format!("{}/last-24h", h.path()),
        }
    }

    /// Start and end (exclusive) of the window.
    pub fn bounds(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let s = self.hour.start()?;
        Some(match self.span {
            Span::Hour => (s, s + chrono::Duration::hours(1)),
            Span::Day => (s, s + chrono::Duration::days(1)),
            Span::Last24Hours => (
                s - chrono::Duration::hours(23),
                s + chrono::Duration::hours(1),
            ),
        })
    }

    /// The hours the window covers, oldest first.
    pub fn hours(&self) -> Vec<WindowHour> {
        let Some((start, _)) = self.bounds() else {
            return Vec::new();
        };
        let n = if self.span == Span::Hour { 1 } else { 24 };
        (0..n)
            .map(|i| WindowHour::containing(start + chrono::Duration::hours(i)))
            .collect()
    }

    /// The window of the same span `k` windows earlier (rolling views step by an hour).
    pub fn earlier(&self, k: u32) -> Option<WindowId> {
        let s = self.hour.start()?;
        let step = match self.span {
            Span::Day => chrono::Duration::days(i64::from(k)),
            Span::Hour | Span::Last24Hours => chrono::Duration::hours(i64::from(k)),
        };
        Some(WindowId {
            span: self.span,
            hour: WindowHour::containing(s.checked_sub_signed(step)?),
        })
    }
}

impl fmt::Display for WindowId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let h = &self.hour;
        match self.span {
            Span::Hour => write!(f, "{h}"),
            Span::Day => write!(f, "{:04}-{:02}-{:02}", h.year, h.month, h.day),
            Span::Last24Hours => write!(f, "24h to {h}"),
        }
    }
}

/// Splits `key` after `prefix/`; an empty prefix matches every key.
fn strip_dir_prefix<'a>(key: &'a str, prefix: &str) -> Option<&'a str> {
    let prefix = prefix.trim_matches('/');
    if prefix.is_empty() {
        return Some(key);
    }
    key.strip_prefix(prefix)?.strip_prefix('/')
}

/// A Data Capture object key: `{capture_prefix}/{endpoint}/{variant}/yyyy/mm/dd/hh/{file}.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CaptureKey {
    /// Endpoint name.
    pub endpoint: String,
    /// Production variant name.
    pub variant: String,
    /// Year.
    pub year: u16,
    /// Month, 1–12.
    pub month: u8,
    /// Day, 1–31.
    pub day: u8,
    /// Hour, 0–23.
    pub hour: u8,
    /// File name without `.jsonl`.
    pub stem: String,
}

impl CaptureKey {
    /// Parses a (decoded) capture key; `None` when it is outside `capture_prefix`, has another
    /// shape, an impossible date, or does not end in `.jsonl`.
    pub fn parse(key: &str, capture_prefix: &str) -> Option<CaptureKey> {
        let rest = strip_dir_prefix(key, capture_prefix)?;
        let parts: Vec<&str> = rest.split('/').collect();
        let [endpoint, variant, yyyy, mm, dd, hh, file] = parts.as_slice() else {
            return None;
        };
        let stem = file.strip_suffix(".jsonl")?;
        if endpoint.is_empty() || variant.is_empty() || stem.is_empty() {
            return None;
        }
        let h = WindowHour::parse_segments(yyyy, mm, dd, hh)?;
        Some(CaptureKey {
            endpoint: (*endpoint).to_owned(),
            variant: (*variant).to_owned(),
            year: h.year,
            month: h.month,
            day: h.day,
            hour: h.hour,
            stem: stem.to_owned(),
        })
    }

    /// The hour this file belongs to.
    pub fn window(&self) -> WindowHour {
        WindowHour {
            year: self.year,
            month: self.month,
            day: self.day,
            hour: self.hour,
        }
    }
}

/// A ground-truth object key, as Model Monitor lays out ground truth:
/// `{ground_truth_prefix}/{endpoint}/yyyy/mm/dd/hh/{file}.jsonl` (the hour is when the labels
/// were collected, not when the predictions were made).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GroundTruthKey {
    /// Endpoint name.
    pub endpoint: String,
    /// The hour of the key.
    pub window: WindowHour,
    /// File name without `.jsonl`.
    pub stem: String,
}

impl GroundTruthKey {
    /// Parses a (decoded) ground-truth key; `None` for any other shape.
    pub fn parse(key: &str, ground_truth_prefix: &str) -> Option<GroundTruthKey> {
        let rest = strip_dir_prefix(key, ground_truth_prefix)?;
        let parts: Vec<&str> = rest.split('/').collect();
        let [endpoint, yyyy, mm, dd, hh, file] = parts.as_slice() else {
            return None;
        };
        let stem = file.strip_suffix(".jsonl")?;
        if endpoint.is_empty() || stem.is_empty() {
            return None;
        }
        Some(GroundTruthKey {
            endpoint: (*endpoint).to_owned(),
            window: WindowHour::parse_segments(yyyy, mm, dd, hh)?,
            stem: stem.to_owned(),
        })
    }
}

/// The files of one window report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportFile {
    /// `statistics.json`
    Statistics,
    /// `constraint_violations.json`
    ConstraintViolations,
    /// `summary.json`
    Summary,
    /// `report.html`
    Html,
}

impl ReportFile {
    /// Every report file.
    pub const ALL: [ReportFile; 4] = [
        ReportFile::Statistics,
        ReportFile::ConstraintViolations,
        ReportFile::Summary,
        ReportFile::Html,
    ];

    /// The file name.
    pub fn file_name(self) -> &'static str {
        match self {
            ReportFile::Statistics => "statistics.json",
            ReportFile::ConstraintViolations => "constraint_violations.json",
            ReportFile::Summary => "summary.json",
            ReportFile::Html => "report.html",
        }
    }

    /// The content type to store it with.
    pub fn content_type(self) -> &'static str {
        match self {
            ReportFile::Html => "text/html; charset=utf-8",
            _ => "application/json",
        }
    }

    fn from_file_name(name: &str) -> Option<Self> {
        ReportFile::ALL.into_iter().find(|f| f.file_name() == name)
    }
}

/// A parsed report key: `P/reports/{endpoint}/{variant}/yyyy/mm/dd/hh/{file}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReportKey {
    /// Endpoint name.
    pub endpoint: String,
    /// Variant name.
    pub variant: String,
    /// The labelling hour of the window ([`WindowId`]).
    pub window: WindowHour,
    /// How long the window is.
    pub span: Span,
    /// Which file.
    pub file: ReportFile,
}

/// Builds the keys driftline writes under its prefix `P` (`DRIFTLINE_PREFIX`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    prefix: String,
}

impl Keys {
    /// Keys under `prefix` (leading and trailing `/` are ignored; empty means the bucket root).
    pub fn new(prefix: &str) -> Self {
        Keys {
            prefix: prefix.trim_matches('/').to_owned(),
        }
    }

    /// The normalised prefix (no leading or trailing `/`).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// `P/baselines/{endpoint}/statistics.json`
    pub fn baseline_statistics(&self, endpoint: &str) -> String {
        join(
            &self.prefix,
            &format!("baselines/{endpoint}/statistics.json"),
        )
    }

    /// `P/baselines/{endpoint}/constraints.json`
    pub fn baseline_constraints(&self, endpoint: &str) -> String {
        join(
            &self.prefix,
            &format!("baselines/{endpoint}/constraints.json"),
        )
    }

    /// `P/baselines/{endpoint}/{file}` — another file of the baseline (e.g.
    /// `driftline-constraints.json`).
    pub fn baseline_file(&self, endpoint: &str, file: &str) -> String {
        join(&self.prefix, &format!("baselines/{endpoint}/{file}"))
    }

    /// `P/profiles/{endpoint}/{variant}/yyyy/mm/dd/hh/{stem}.json` for a capture file.
    pub fn profile(&self, capture: &CaptureKey) -> String {
        format!(
            "{}{}.json",
            self.profiles_window_prefix(&capture.endpoint, &capture.variant, capture.window()),
            capture.stem
        )
    }

    /// `P/profiles/{endpoint}/{variant}/yyyy/mm/dd/hh/` — list this to find a window's profiles.
    pub fn profiles_window_prefix(
        &self,
        endpoint: &str,
        variant: &str,
        window: WindowHour,
    ) -> String {
        join(
            &self.prefix,
            &format!("profiles/{endpoint}/{variant}/{}/", window.path()),
        )
    }

    /// The profiles a window is merged from: the hour's folder, or the day's (every hour of
    /// it). `None` for a rolling view, which is merged from hourly states instead.
    pub fn profiles_prefix_of(&self, endpoint: &str, variant: &str, w: WindowId) -> Option<String> {
        let h = w.hour;
        match w.span {
            Span::Hour => Some(self.profiles_window_prefix(endpoint, variant, h)),
            Span::Day => Some(join(
                &self.prefix,
                &format!(
                    "profiles/{endpoint}/{variant}/{:04}/{:02}/{:02}/",
                    h.year, h.month, h.day
                ),
            )),
            Span::Last24Hours => None,
        }
    }

    /// `P/windows/{endpoint}/{variant}/yyyy/mm/dd/hh/window.json` — the window's merged state
    /// (the merge of the hour's partial profiles, updated with conditional writes).
    pub fn window_state(&self, endpoint: &str, variant: &str, window: WindowHour) -> String {
        self.window_state_of(endpoint, variant, WindowId::hour(window))
    }

    /// The merged state of a window of any span (`…/{WindowId::path}/window.json`).
    pub fn window_state_of(&self, endpoint: &str, variant: &str, w: WindowId) -> String {
        join(
            &self.prefix,
            &format!("windows/{endpoint}/{variant}/{}/window.json", w.path()),
        )
    }

    /// `P/reports/{endpoint}/{variant}/yyyy/mm/dd/hh/` — the folder of one window's report.
    pub fn report_prefix(&self, endpoint: &str, variant: &str, window: WindowHour) -> String {
        self.report_prefix_of(endpoint, variant, WindowId::hour(window))
    }

    /// The report folder of a window of any span (`P/reports/{endpoint}/{variant}/{WindowId::path}/`).
    pub fn report_prefix_of(&self, endpoint: &str, variant: &str, w: WindowId) -> String {
        join(
            &self.prefix,
            &format!("reports/{endpoint}/{variant}/{}/", w.path()),
        )
    }

    /// `P/reports/{endpoint}/{variant}/yyyy/mm/dd/hh/{file}`.
    pub fn report(
        &self,
        endpoint: &str,
        variant: &str,
        window: WindowHour,
        file: ReportFile,
    ) -> String {
        self.report_of(endpoint, variant, WindowId::hour(window), file)
    }

    /// A report file of a window of any span.
    pub fn report_of(
        &self,
        endpoint: &str,
        variant: &str,
        w: WindowId,
        file: ReportFile,
    ) -> String {
        format!(
            "{}{}",
            self.report_prefix_of(endpoint, variant, w),
            file.file_name()
        )
    }

    /// `P/reports/{endpoint}/` — every report of an endpoint, all variants.
    pub fn reports_endpoint_prefix(&self, endpoint: &str) -> String {
        join(&self.prefix, &format!("reports/{endpoint}/"))
    }

    /// Parses a report key written by [`Keys::report_of`] (any span); `None` for anything else.
    pub fn parse_report(&self, key: &str) -> Option<ReportKey> {
        let rest = strip_dir_prefix(key, &self.prefix)?.strip_prefix("reports/")?;
        let parts: Vec<&str> = rest.split('/').collect();
        let (endpoint, variant, window, span, file) = match parts.as_slice() {
            [endpoint, variant, yyyy, mm, dd, "day", file] => (
                endpoint,
                variant,
                WindowHour::parse_segments(yyyy, mm, dd, "00")?,
                Span::Day,
                file,
            ),
            [endpoint, variant, yyyy, mm, dd, hh, "last-24h", file] => (
                endpoint,
                variant,
                WindowHour::parse_segments(yyyy, mm, dd, hh)?,
                Span::Last24Hours,
                file,
            ),
            [endpoint, variant, yyyy, mm, dd, hh, file] => (
                endpoint,
                variant,
                WindowHour::parse_segments(yyyy, mm, dd, hh)?,
                Span::Hour,
                file,
            ),
            _ => return None,
        };
        if endpoint.is_empty() || variant.is_empty() {
            return None;
        }
        Some(ReportKey {
            endpoint: (*endpoint).to_owned(),
            variant: (*variant).to_owned(),
            window,
            span,
            file: ReportFile::from_file_name(file)?,
        })
    }

    /// `P/notifications/{alarm}/{state timestamp}-{STATE}.json`: the marker notify-alarm writes
    /// after sending the e-mail of one alarm state change (so a redelivered event sends none).
    /// Characters other than letters, digits, `.`, `_` and `-` become `_`.
    pub fn notification(&self, alarm: &str, state: &str, timestamp: &str) -> String {
        let clean = |s: &str| -> String {
            s.chars()
                .take(200)
                .map(|c| {
                    if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                        c
                    } else {
                        '_'
                    }
                })
                .collect()
        };
        join(
            &self.prefix,
            &format!(
                "notifications/{}/{}-{}.json",
                clean(alarm),
                clean(timestamp),
                clean(state)
            ),
        )
    }

    /// `P/predictions/{endpoint}/{variant}/yyyy/mm/dd/hh/{stem}.jsonl`: the predictions of one
    /// capture file (join key, inference time, label, score).
    pub fn predictions(&self, capture: &CaptureKey) -> String {
        format!(
            "{}{}.jsonl",
            self.predictions_window_prefix(&capture.endpoint, &capture.variant, capture.window()),
            capture.stem
        )
    }

    /// `P/predictions/{endpoint}/{variant}/yyyy/mm/dd/hh/` — the predictions files of an hour.
    pub fn predictions_window_prefix(
        &self,
        endpoint: &str,
        variant: &str,
        window: WindowHour,
    ) -> String {
        join(
            &self.prefix,
            &format!("predictions/{endpoint}/{variant}/{}/", window.path()),
        )
    }

    /// `P/baselines/{endpoint}/model-quality/{file}` (`statistics.json`, `constraints.json`,
    /// `calibration.json`).
    pub fn quality_baseline(&self, endpoint: &str, file: &str) -> String {
        join(
            &self.prefix,
            &format!("baselines/{endpoint}/model-quality/{file}"),
        )
    }

    /// `P/quality/{endpoint}/{variant}/yyyy/mm/dd/hh/` — one model-quality window.
    pub fn quality_prefix(&self, endpoint: &str, variant: &str, window: WindowHour) -> String {
        join(
            &self.prefix,
            &format!("quality/{endpoint}/{variant}/{}/", window.path()),
        )
    }

    /// `P/quality/{endpoint}/{variant}/yyyy/mm/dd/hh/state.json` — the window's merged
    /// model-quality state (conditional writes).
    pub fn quality_state(&self, endpoint: &str, variant: &str, window: WindowHour) -> String {
        format!(
            "{}state.json",
            self.quality_prefix(endpoint, variant, window)
        )
    }

    /// `P/quality/{endpoint}/{variant}/yyyy/mm/dd/hh/{file}` — a model-quality report file.
    pub fn quality_report(
        &self,
        endpoint: &str,
        variant: &str,
        window: WindowHour,
        file: ReportFile,
    ) -> String {
        format!(
            "{}{}",
            self.quality_prefix(endpoint, variant, window),
            file.file_name()
        )
    }

    /// `P/quality/{endpoint}/` — every model-quality report of an endpoint.
    pub fn quality_endpoint_prefix(&self, endpoint: &str) -> String {
        join(&self.prefix, &format!("quality/{endpoint}/"))
    }

    /// Parses a model-quality report key written by [`Keys::quality_report`].
    pub fn parse_quality_report(&self, key: &str) -> Option<ReportKey> {
        let rest = strip_dir_prefix(key, &self.prefix)?.strip_prefix("quality/")?;
        let parts: Vec<&str> = rest.split('/').collect();
        let [endpoint, variant, yyyy, mm, dd, hh, file] = parts.as_slice() else {
            return None;
        };
        if endpoint.is_empty() || variant.is_empty() {
            return None;
        }
        Some(ReportKey {
            endpoint: (*endpoint).to_owned(),
            variant: (*variant).to_owned(),
            window: WindowHour::parse_segments(yyyy, mm, dd, hh)?,
            span: Span::Hour,
            file: ReportFile::from_file_name(file)?,
        })
    }

    /// `P/quality-labels/{endpoint}/yyyy/mm/dd/hh/{stem}.json` — what the join of one
    /// ground-truth file found (matched, unmatched, windows updated).
    pub fn label_outcome(&self, gt: &GroundTruthKey) -> String {
        join(
            &self.prefix,
            &format!(
                "quality-labels/{}/{}/{}.json",
                gt.endpoint,
                gt.window.path(),
                gt.stem
            ),
        )
    }

    /// `P/remediation/{endpoint}/` — list this to find past decisions.
    pub fn remediation_prefix(&self, endpoint: &str) -> String {
        join(&self.prefix, &format!("remediation/{endpoint}/"))
    }

    /// `P/remediation/{endpoint}/{timestamp}-{decision}.json`, the timestamp as
    /// `yyyymmddThhmmssZ` (UTC, sorts by time).
    pub fn remediation(&self, endpoint: &str, at: DateTime<Utc>, decision: &str) -> String {
        format!(
            "{}{}-{decision}.json",
            self.remediation_prefix(endpoint),
            at.format("%Y%m%dT%H%M%SZ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_keys_decode_plus_then_percent() {
        // Examples of S3 event key encoding: space → '+', '+' → "%2B", non-ASCII → UTF-8 bytes.
        assert_eq!(decode_event_key("a+b%2Bc").unwrap(), "a b+c");
        assert_eq!(
            decode_event_key("datacapture/ep/AllTraffic/2026/11/25/10/caf%C3%A9+%E2%98%95.jsonl")
                .unwrap(),
            "datacapture/ep/AllTraffic/2026/11/25/10/café ☕.jsonl"
        );
        assert_eq!(
            decode_event_key("plain/key.jsonl").unwrap(),
            "plain/key.jsonl"
        );
        assert_eq!(decode_event_key("100%").unwrap(), "100%");
        assert_eq!(decode_event_key("%25").unwrap(), "%");
        let err = decode_event_key("bad%FF%FE").unwrap_err();
        assert!(err.to_string().contains("bad%FF%FE"), "{err}");
    }

    #[test]
    fn capture_keys_parse() {
        let k = CaptureKey::parse(
            "datacapture/my-ep/AllTraffic/2026/11/25/09/41-12-345-abcd.jsonl",
            "datacapture",
        )
        .unwrap();
        assert_eq!(
            k,
            CaptureKey {
                endpoint: "my-ep".into(),
                variant: "AllTraffic".into(),
                year: 2026,
                month: 11,
                day: 25,
                hour: 9,
                stem: "41-12-345-abcd".into(),
            }
        );
        // The prefix may carry a trailing slash, several segments, or be empty.
        assert!(CaptureKey::parse("a/b/ep/v/2026/01/02/03/f.jsonl", "a/b/").is_some());
        assert!(CaptureKey::parse("ep/v/2026/01/02/03/f.jsonl", "").is_some());
        // Prefix must match whole segments.
        assert!(
            CaptureKey::parse("datacapture2/ep/v/2026/01/02/03/f.jsonl", "datacapture").is_none()
        );
    }

    #[test]
    fn capture_keys_reject_other_shapes() {
        let p = "datacapture";
        for key in [
            "datacapture/ep/v/2026/01/02/03/f.json",
            "datacapture/ep/v/2026/01/02/03/.jsonl",
            "datacapture/ep/v/2026/01/02/f.jsonl",
            "datacapture/ep/v/2026/01/02/03/x/f.jsonl",
            "datacapture/ep/v/2026/13/02/03/f.jsonl",
            "datacapture/ep/v/2026/02/30/03/f.jsonl",
            "datacapture/ep/v/2026/01/02/24/f.jsonl",
            "datacapture/ep/v/26/01/02/03/f.jsonl",
            "datacapture/ep/v/2026/1/02/03/f.jsonl",
            "datacapture//v/2026/01/02/03/f.jsonl",
            "driftline/profiles/ep/v/2026/01/02/03/f.jsonl",
        ] {
            assert_eq!(CaptureKey::parse(key, p), None, "{key}");
        }
        // Leap day exists in 2028.
        assert!(CaptureKey::parse("datacapture/ep/v/2028/02/29/00/f.jsonl", p).is_some());
    }

    #[test]
    fn driftline_keys_follow_the_contract() {
        let keys = Keys::new("driftline/");
        let c = CaptureKey::parse(
            "datacapture/ep/AllTraffic/2026/11/25/09/f 1.jsonl",
            "datacapture",
        )
        .unwrap();
        assert_eq!(
            keys.baseline_statistics("ep"),
            "driftline/baselines/ep/statistics.json"
        );
        assert_eq!(
            keys.baseline_constraints("ep"),
            "driftline/baselines/ep/constraints.json"
        );
        assert_eq!(
            keys.profile(&c),
            "driftline/profiles/ep/AllTraffic/2026/11/25/09/f 1.json"
        );
        assert_eq!(
            keys.profiles_window_prefix("ep", "AllTraffic", c.window()),
            "driftline/profiles/ep/AllTraffic/2026/11/25/09/"
        );
        assert_eq!(
            keys.window_state("ep", "AllTraffic", c.window()),
            "driftline/windows/ep/AllTraffic/2026/11/25/09/window.json"
        );
        let summary = keys.report("ep", "AllTraffic", c.window(), ReportFile::Summary);
        assert_eq!(
            summary,
            "driftline/reports/ep/AllTraffic/2026/11/25/09/summary.json"
        );
        assert_eq!(
            keys.report(
                "ep",
                "AllTraffic",
                c.window(),
                ReportFile::ConstraintViolations
            ),
            "driftline/reports/ep/AllTraffic/2026/11/25/09/constraint_violations.json"
        );
        assert_eq!(
            keys.parse_report(&summary),
            Some(ReportKey {
                endpoint: "ep".into(),
                variant: "AllTraffic".into(),
                window: c.window(),
                span: Span::Hour,
                file: ReportFile::Summary,
            })
        );
        assert_eq!(
            keys.parse_report("driftline/reports/ep/v/2026/11/25/09/other.json"),
            None
        );
        assert_eq!(
            keys.predictions(&c),
            "driftline/predictions/ep/AllTraffic/2026/11/25/09/f 1.jsonl"
        );
        assert_eq!(
            keys.quality_report("ep", "AllTraffic", c.window(), ReportFile::Summary),
            "driftline/quality/ep/AllTraffic/2026/11/25/09/summary.json"
        );
        assert_eq!(
            keys.parse_quality_report("driftline/quality/ep/AllTraffic/2026/11/25/09/summary.json")
                .map(|r| r.file),
            Some(ReportFile::Summary)
        );
        assert_eq!(
            keys.quality_baseline("ep", "constraints.json"),
            "driftline/baselines/ep/model-quality/constraints.json"
        );
        let gt =
            GroundTruthKey::parse("groundtruth/ep/2026/11/27/13/labels-1.jsonl", "groundtruth")
                .unwrap();
        assert_eq!(gt.window.path(), "2026/11/27/13");
        assert_eq!(
            keys.label_outcome(&gt),
            "driftline/quality-labels/ep/2026/11/27/13/labels-1.json"
        );
        assert!(
            GroundTruthKey::parse("groundtruth/ep/v/2026/11/27/13/x.jsonl", "groundtruth")
                .is_none()
        );
        let at = Utc.with_ymd_and_hms(2026, 11, 25, 9, 5, 7).unwrap();
        assert_eq!(
            keys.remediation("ep", at, "started"),
            "driftline/remediation/ep/20261125T090507Z-started.json"
        );
        assert_eq!(
            Keys::new("").baseline_statistics("ep"),
            "baselines/ep/statistics.json"
        );
    }

    #[test]
    fn longer_windows_have_their_own_folders() {
        let keys = Keys::new("driftline");
        let h = WindowHour::new(2026, 3, 1, 5).unwrap();
        let day = WindowId::of(Span::Day, h);
        assert_eq!(day.hour, WindowHour::new(2026, 3, 1, 0).unwrap());
        assert_eq!(
            keys.window_state_of("ep", "v", day),
            "driftline/windows/ep/v/2026/03/01/day/window.json"
        );
        assert_eq!(
            keys.profiles_prefix_of("ep", "v", day).as_deref(),
            Some("driftline/profiles/ep/v/2026/03/01/")
        );
        let rolling = WindowId::of(Span::Last24Hours, h);
        assert_eq!(keys.profiles_prefix_of("ep", "v", rolling), None);
        let day_summary = keys.report_of("ep", "v", day, ReportFile::Summary);
        assert_eq!(
            day_summary,
            "driftline/reports/ep/v/2026/03/01/day/summary.json"
        );
        let rolling_html = keys.report_of("ep", "v", rolling, ReportFile::Html);
        assert_eq!(
            rolling_html,
            "driftline/reports/ep/v/2026/03/01/05/last-24h/report.html"
        );
        let parsed = keys.parse_report(&day_summary).unwrap();
        assert_eq!((parsed.span, parsed.window), (Span::Day, day.hour));
        let parsed = keys.parse_report(&rolling_html).unwrap();
        assert_eq!((parsed.span, parsed.window), (Span::Last24Hours, h));
        assert_eq!(
            keys.parse_report("driftline/reports/ep/v/2026/03/01/05/last-12h/summary.json"),
            None
        );
        // Bounds and covered hours: the rolling view crosses midnight (and a month).
        let (s, e) = rolling.bounds().unwrap();
        assert_eq!(s, Utc.with_ymd_and_hms(2026, 2, 28, 6, 0, 0).unwrap());
        assert_eq!(e, Utc.with_ymd_and_hms(2026, 3, 1, 6, 0, 0).unwrap());
        let hours = rolling.hours();
        assert_eq!(hours.len(), 24);
        assert_eq!(hours[0], WindowHour::new(2026, 2, 28, 6).unwrap());
        assert_eq!(hours[23], h);
        assert_eq!(day.hours().len(), 24);
        assert_eq!(WindowId::hour(h).hours(), vec![h]);
        assert_eq!(
            day.earlier(1).unwrap().hour,
            WindowHour::new(2026, 2, 28, 0).unwrap()
        );
        assert_eq!(
            rolling.earlier(6).unwrap().hour,
            WindowHour::new(2026, 2, 28, 23).unwrap()
        );
        assert_eq!(Span::parse("Last-24h"), Some(Span::Last24Hours));
        assert_eq!(Span::parse("week"), None);
        assert_eq!(day.to_string(), "2026-03-01");
    }

    #[test]
    fn window_hour_round_trips_time() {
        let t = Utc.with_ymd_and_hms(2026, 3, 4, 5, 59, 59).unwrap();
        let h = WindowHour::containing(t);
        assert_eq!(h.path(), "2026/03/04/05");
        assert_eq!(h.to_string(), "2026-03-04T05");
        assert_eq!(
            h.start(),
            Utc.with_ymd_and_hms(2026, 3, 4, 5, 0, 0).single()
        );
        assert!(WindowHour::new(2026, 2, 29, 0).is_none());
    }
}
