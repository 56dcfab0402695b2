//! The analyze-capture handler, generic over the object store and the metric sink.
//!
//! Error policy (../shared/DESIGN.md §6): bad input and permanently unreadable objects are
//! recorded (in the partial profile and the window's report) and the invocation succeeds;
//! transient AWS errors fail the invocation so Lambda retries and, after the retries, the
//! on-failure destination receives the event.

use crate::config::Config;
use crate::event::{objects_from_event, ObjectRef};
use bytes::Bytes;
use chrono::{Duration, SecondsFormat};
use driftline_aws::emf::{MetricSet, MetricSink, Unit};
use driftline_aws::keys::{decode_event_key, CaptureKey, Keys, ReportFile, WindowHour};
use driftline_aws::ports::{ObjectStore, PortError};
use driftline_capture::window::{
    apply_naming, ColumnNaming, ExamplePolicy, PartialProfile, Window,
};
use driftline_capture::{profile_reader, CaptureError, CaptureOptions};
use driftline_report::{render_html, ReportInput};
use driftline_stats::analysis::{Analysis, AnalysisOptions, Baseline};
use driftline_stats::summary::{Status, Summary, Window as SummaryWindow};
use lambda_runtime::LambdaEvent;
use serde::Serialize;
use serde_json::Value;
use std::io::BufReader;
use tokio_util::io::SyncIoBridge;
use tracing::{info, warn};

/// Namespace of the SageMaker-compatible metrics.
pub const SAGEMAKER_NAMESPACE: &str = "aws/sagemaker/Endpoints/data-metrics";

/// How many times the window is re-merged when partial profiles keep arriving meanwhile.
const MAX_MERGE_ROUNDS: usize = 4;

/// Why an invocation fails (so that Lambda retries).
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// The event is neither an S3 notification nor an EventBridge S3 event.
    #[error("{0}")]
    BadEvent(String),
    /// A transient AWS error: retrying may succeed.
    #[error("transient error (Lambda will retry): {0}")]
    Transient(String),
}

impl From<HandlerError> for lambda_runtime::Diagnostic {
    fn from(e: HandlerError) -> Self {
        let error_type = match e {
            HandlerError::BadEvent(_) => "BadEvent",
            HandlerError::Transient(_) => "Transient",
        };
        lambda_runtime::Diagnostic {
            error_type: error_type.to_string(),
            error_message: e.to_string(),
        }
    }
}

/// What happened to one announced object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectOutcome {
    /// Bucket.
    pub bucket: String,
    /// Decoded key (or the raw key when it could not be decoded).
    pub key: String,
    /// `analyzed`, `ignored` or `fault`.
    pub outcome: &'static str,
    /// Why (for ignored / fault) or the window's status.
    pub detail: String,
    /// Records of this object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub records: Option<u64>,
    /// Records of the whole window after the merge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_records: Option<u64>,
    /// The window's drift verdict.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drift_detected: Option<bool>,
    /// `s3://` URI of the window's summary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary_uri: Option<String>,
}

/// The invocation's response.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Response {
    /// One entry per announced object.
    pub objects: Vec<ObjectOutcome>,
}

/// The handler: ports and configuration, built once per process.
pub struct Handler<S, M> {
    store: S,
    metrics: M,
    config: Config,
    keys: Keys,
}

impl<S: ObjectStore, M: MetricSink> Handler<S, M> {
    /// Builds the handler.
    pub fn new(store: S, metrics: M, config: Config) -> Self {
        let keys = config.common.keys();
        Handler {
            store,
            metrics,
            config,
            keys,
        }
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Lambda entry point.
    pub async fn handle(&self, event: LambdaEvent<Value>) -> Result<Response, HandlerError> {
        let objects = objects_from_event(&event.payload).map_err(|e| {
            warn!(error = %e, "unrecognised event");
            HandlerError::BadEvent(e.to_string())
        })?;
        let mut out = Vec::with_capacity(objects.len());
        for obj in &objects {
            out.push(self.process(obj).await?);
        }
        Ok(Response { objects: out })
    }

    /// Processes one announced object.
    pub async fn process(&self, obj: &ObjectRef) -> Result<ObjectOutcome, HandlerError> {
        let ignored = |key: &str, why: String| {
            info!(bucket = %obj.bucket, key = %key, reason = %why, "ignored");
            ObjectOutcome {
                bucket: obj.bucket.clone(),
                key: key.to_string(),
                outcome: "ignored",
                detail: why,
                records: None,
                window_records: None,
                drift_detected: None,
                summary_uri: None,
            }
        };
        let key = match decode_event_key(&obj.raw_key) {
            Ok(k) => k,
            Err(e) => return Ok(ignored(&obj.raw_key, format!("undecodable key: {e}"))),
        };
        if !key.ends_with(".jsonl") {
            return Ok(ignored(&key, "not a .jsonl capture file".into()));
        }
        let Some(capture) = CaptureKey::parse(&key, &self.config.capture_prefix) else {
            return Ok(ignored(
                &key,
                format!(
                    "outside {}/{{endpoint}}/{{variant}}/yyyy/mm/dd/hh/",
                    self.config.capture_prefix
                ),
            ));
        };
        let source = format!("s3://{}/{}", obj.bucket, key);

        let (baseline, baseline_note) = self.load_baseline(&capture.endpoint).await?;
        let mut opts = self.config.capture.clone();
        apply_naming(
            &mut opts,
            ColumnNaming::Auto,
            baseline.as_ref().map(|b| &b.statistics),
        );

        let partial = self
            .profile_object(&obj.bucket, &key, &source, &opts)
            .await?;
        let object_records = partial.records;
        let object_fault = partial.object_fault.clone();
        let body = serde_json::to_vec(&partial)
            .map_err(|e| HandlerError::Transient(format!("serialising the profile: {e}")))?;
        let profile_key = self.keys.profile(&capture);
        self.put(&profile_key, Bytes::from(body), "application/json")
            .await?;

        let analysis = self
            .analyze_window(&capture, baseline.as_ref(), baseline_note.as_deref())
            .await?;
        let summary_uri = format!(
            "s3://{}/{}",
            self.config.common.bucket,
            self.keys.report(
                &capture.endpoint,
                &capture.variant,
                capture.window(),
                ReportFile::Summary
            )
        );
        info!(
            source = %source,
            records = object_records,
            window_records = analysis.summary.records,
            status = ?analysis.summary.status,
            drift_detected = analysis.summary.drift_detected,
            violations = analysis.summary.violation_count,
            "window analysed"
        );
        Ok(ObjectOutcome {
            bucket: obj.bucket.clone(),
            key,
            outcome: if object_fault.is_some() {
                "fault"
            } else {
                "analyzed"
            },
            detail: object_fault.unwrap_or_else(|| status_name(analysis.summary.status).into()),
            records: Some(object_records),
            window_records: Some(analysis.summary.records),
            drift_detected: Some(analysis.summary.drift_detected),
            summary_uri: Some(summary_uri),
        })
    }

    /// Loads the endpoint's baseline. Missing: `None`. Unreadable: `None` with a note for the
    /// report. Transient errors fail the invocation.
    async fn load_baseline(
        &self,
        endpoint: &str,
    ) -> Result<(Option<Baseline>, Option<String>), HandlerError> {
        let bucket = &self.config.common.bucket;
        let stats_key = self.keys.baseline_statistics(endpoint);
        let stats = match self.store.get_bytes(bucket, &stats_key).await {
            Ok(b) => b,
            Err(PortError::NotFound(_)) => return Ok((None, None)),
            Err(PortError::Transient(e)) => return Err(HandlerError::Transient(e)),
            Err(PortError::Permanent(e)) => {
                warn!(key = %stats_key, error = %e, "baseline unreadable");
                return Ok((
                    None,
                    Some(format!(
                        "baseline s3://{bucket}/{stats_key} unreadable: {e}"
                    )),
                ));
            }
        };
        let constraints_key = self.keys.baseline_constraints(endpoint);
        let constraints = match self.store.get_bytes(bucket, &constraints_key).await {
            Ok(b) => Some(b),
            Err(PortError::NotFound(_)) => None,
            Err(PortError::Transient(e)) => return Err(HandlerError::Transient(e)),
            Err(PortError::Permanent(e)) => {
                warn!(key = %constraints_key, error = %e, "constraints unreadable; suggesting");
                None
            }
        };
        let stats_text = String::from_utf8_lossy(&stats);
        let constraints_text = constraints
            .as_ref()
            .map(|c| String::from_utf8_lossy(c).into_owned());
        match Baseline::from_json(&stats_text, constraints_text.as_deref()) {
            Ok(b) => Ok((Some(b), None)),
            Err(e) => {
                warn!(endpoint, error = %e, "baseline invalid");
                Ok((
                    None,
                    Some(format!("baseline of endpoint {endpoint} is invalid: {e}")),
                ))
            }
        }
    }

    /// Streams one capture object through the reader (in a blocking thread; the body is read
    /// as the parser asks for it, never held whole).
    async fn profile_object(
        &self,
        bucket: &str,
        key: &str,
        source: &str,
        opts: &CaptureOptions,
    ) -> Result<PartialProfile, HandlerError> {
        let stream = match self.store.get_stream(bucket, key).await {
            Ok(s) => s,
            Err(PortError::Transient(e)) => return Err(HandlerError::Transient(e)),
            Err(PortError::NotFound(e)) => {
                warn!(source, error = %e, "capture object gone before it could be read");
                return Ok(PartialProfile::unreadable(source, "object_not_found", &e));
            }
            Err(PortError::Permanent(e)) => {
                warn!(source, error = %e, "capture object unreadable");
                return Ok(PartialProfile::unreadable(source, "object_unreadable", &e));
            }
        };
        let bridge = SyncIoBridge::new(stream);
        let opts = opts.clone();
        let name = source.to_string();
        let result = tokio::task::spawn_blocking(move || {
            let reader = BufReader::with_capacity(256 * 1024, bridge);
            profile_reader(reader, &name, &opts)
        })
        .await
        .map_err(|e| HandlerError::Transient(format!("profiling task failed: {e}")))?;
        let cp = match result {
            Ok(cp) => cp,
            Err(CaptureError::Read { error, line, .. }) => {
                return Err(HandlerError::Transient(format!(
                    "reading {source} failed after line {line}: {error}"
                )))
            }
            Err(e) => return Err(HandlerError::Transient(format!("reading {source}: {e}"))),
        };
        Ok(PartialProfile::from_capture(source, cp))
    }

    /// Merges the window's partial profiles, analyses, writes the report files and emits the
    /// metrics. Re-lists after writing and redoes the merge if new partial profiles appeared
    /// meanwhile (a concurrent invocation), so the last report written covers every file.
    async fn analyze_window(
        &self,
        capture: &CaptureKey,
        baseline: Option<&Baseline>,
        baseline_note: Option<&str>,
    ) -> Result<Analysis, HandlerError> {
        let bucket = &self.config.common.bucket;
        let window = capture.window();
        let prefix = self
            .keys
            .profiles_window_prefix(&capture.endpoint, &capture.variant, window);
        let mut listed = self.list_keys(&prefix).await?;
        let mut rounds = 0;
        loop {
            rounds += 1;
            let mut merged = Window::with_policy(ExamplePolicy::of(&self.config.capture));
            for key in &listed {
                match self.store.get_bytes(bucket, key).await {
                    Ok(body) => match serde_json::from_slice::<PartialProfile>(&body) {
                        Ok(p) => merged.add(&p),
                        Err(e) => merged.add_unreadable(key, &e.to_string()),
                    },
                    Err(PortError::NotFound(_)) => {}
                    Err(PortError::Transient(e)) => return Err(HandlerError::Transient(e)),
                    Err(PortError::Permanent(e)) => merged.add_unreadable(key, &e),
                }
            }
            let analysis = self
                .analyze_and_write(capture, window, &merged, baseline, baseline_note)
                .await?;
            let again = self.list_keys(&prefix).await?;
            if again == listed || rounds >= MAX_MERGE_ROUNDS {
                self.emit_metrics(capture, window, &analysis);
                return Ok(analysis);
            }
            info!(
                before = listed.len(),
                after = again.len(),
                "window changed meanwhile; merging again"
            );
            listed = again;
        }
    }

    async fn analyze_and_write(
        &self,
        capture: &CaptureKey,
        window: WindowHour,
        merged: &Window,
        baseline: Option<&Baseline>,
        baseline_note: Option<&str>,
    ) -> Result<Analysis, HandlerError> {
        let bucket = &self.config.common.bucket;
        let (start, end) = window_bounds(window);
        let opts = AnalysisOptions {
            min_records: self.config.min_records,
            endpoint: Some(capture.endpoint.clone()),
            variant: Some(capture.variant.clone()),
            window: Some(SummaryWindow { start, end }),
            ..AnalysisOptions::default()
        };
        let mut analysis = merged.analyze(baseline, &opts);
        if let Some(note) = baseline_note {
            analysis.summary.reason = Some(match analysis.summary.reason.take() {
                Some(r) => format!("{r}; {note}"),
                None => note.to_string(),
            });
        }
        let file_key = |f: ReportFile| {
            self.keys
                .report(&capture.endpoint, &capture.variant, window, f)
        };
        for f in [
            ReportFile::Statistics,
            ReportFile::ConstraintViolations,
            ReportFile::Html,
            ReportFile::Summary,
        ] {
            let name = match f {
                ReportFile::Statistics => "statistics",
                ReportFile::ConstraintViolations => "constraint_violations",
                ReportFile::Html => "report",
                ReportFile::Summary => "summary",
            };
            analysis
                .summary
                .artifacts
                .insert(name.to_string(), format!("s3://{bucket}/{}", file_key(f)));
        }
        let history = self.history(capture, window).await;
        let html = render_html(&ReportInput {
            summary: &analysis.summary,
            current: &analysis.statistics,
            baseline: baseline.map(|b| &b.statistics),
            history: &history,
        });
        // summary.json goes last: a reader that finds it finds the other files too.
        let files = [
            (ReportFile::Statistics, analysis.statistics_json()),
            (ReportFile::ConstraintViolations, analysis.violations_json()),
            (ReportFile::Html, html),
            (ReportFile::Summary, analysis.summary_json()),
        ];
        for (f, body) in files {
            self.put(&file_key(f), Bytes::from(body), f.content_type())
                .await?;
        }
        Ok(analysis)
    }

    /// Summaries of up to `history_windows` earlier hours (best effort, oldest first).
    async fn history(&self, capture: &CaptureKey, window: WindowHour) -> Vec<Summary> {
        let Some(start) = window.start() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for h in (1..=self.config.history_windows).rev() {
            let w = WindowHour::containing(start - Duration::hours(i64::from(h)));
            let key = self
                .keys
                .report(&capture.endpoint, &capture.variant, w, ReportFile::Summary);
            if let Ok(body) = self.store.get_bytes(&self.config.common.bucket, &key).await {
                if let Ok(s) = serde_json::from_slice::<Summary>(&body) {
                    out.push(s);
                }
            }
        }
        out
    }

    async fn list_keys(&self, prefix: &str) -> Result<Vec<String>, HandlerError> {
        match self.store.list(&self.config.common.bucket, prefix).await {
            Ok(objs) => {
                let mut keys: Vec<String> = objs
                    .into_iter()
                    .map(|o| o.key)
                    .filter(|k| k.ends_with(".json"))
                    .collect();
                keys.sort();
                Ok(keys)
            }
            Err(PortError::NotFound(_)) => Ok(Vec::new()),
            Err(e) => Err(HandlerError::Transient(format!("listing {prefix}: {e}"))),
        }
    }

    async fn put(&self, key: &str, body: Bytes, content_type: &str) -> Result<(), HandlerError> {
        self.store
            .put(&self.config.common.bucket, key, body, content_type)
            .await
            .map_err(|e| HandlerError::Transient(format!("writing {key}: {e}")))
    }

    /// Emits the window's metrics (EMF). Timestamped at the window's start so that hourly
    /// alarms see one period per window.
    fn emit_metrics(&self, capture: &CaptureKey, window: WindowHour, analysis: &Analysis) {
        let ts = window.start().unwrap_or_else(chrono::Utc::now);
        let s = &analysis.summary;
        let insufficient = s.status == Status::InsufficientData;
        let own = MetricSet::new(self.config.metrics_namespace.clone(), ts)
            .dimension("Endpoint", capture.endpoint.clone())
            .dimension("Variant", capture.variant.clone())
            .with("Records", Unit::Count, s.records as f64)
            .with("MalformedRecords", Unit::Count, s.malformed_records as f64)
            .with("Violations", Unit::Count, s.violation_count as f64)
            .with(
                "DriftedFeatures",
                Unit::Count,
                s.drifted_feature_count as f64,
            )
            .with(
                "DriftDetected",
                Unit::Count,
                f64::from(u8::from(s.drift_detected)),
            )
            .with(
                "InsufficientData",
                Unit::Count,
                f64::from(u8::from(insufficient)),
            );
        if let Err(e) = self.metrics.emit(&own) {
            warn!(error = %e, "could not emit metrics");
        }
        if !self.config.emit_sagemaker_metrics {
            return;
        }
        let mut sm = MetricSet::new(SAGEMAKER_NAMESPACE, ts)
            .dimension("Endpoint", capture.endpoint.clone())
            .dimension(
                "MonitoringSchedule",
                self.config.monitoring_schedule.clone(),
            );
        for f in &s.features {
            sm.add(
                format!("feature_non_null_{}", f.name),
                Unit::None,
                f.completeness,
            );
            // The distance compared with the baseline's threshold (Simple or Robust L∞).
            let compared = ["linf_robust", "linf"]
                .iter()
                .filter_map(|k| f.drift.get(*k))
                .find(|d| d.threshold.is_some());
            if let Some(d) = compared {
                sm.add(
                    format!("feature_baseline_drift_{}", f.name),
                    Unit::None,
                    d.value,
                );
            }
            if let Some(m) = f.mean {
                sm.add(format!("feature_data_{}", f.name), Unit::None, m);
            }
        }
        if let Err(e) = self.metrics.emit(&sm) {
            warn!(error = %e, "could not emit SageMaker metrics");
        }
    }
}

fn window_bounds(w: WindowHour) -> (String, String) {
    match w.start() {
        Some(s) => (
            s.to_rfc3339_opts(SecondsFormat::Secs, true),
            (s + Duration::hours(1)).to_rfc3339_opts(SecondsFormat::Secs, true),
        ),
        None => (String::new(), String::new()),
    }
}

fn status_name(s: Status) -> &'static str {
    match s {
        Status::Ok => "ok",
        Status::Drift => "drift",
        Status::InsufficientData => "insufficient_data",
        Status::NoBaseline => "no_baseline",
        Status::Error => "error",
    }
}
