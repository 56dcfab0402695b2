//! The analyze-capture handler, generic over the object store and the metric sink.
//!
//! Error policy: bad input and permanently unreadable objects are
//! recorded (in the partial profile and the window's report) and the invocation succeeds;
//! transient AWS errors fail the invocation so Lambda retries and, after the retries, the
//! on-failure destination receives the event.

use crate::config::Config;
use bytes::Bytes;
use chrono::SecondsFormat;
use driftline_aws::emf::{MetricSet, MetricSink, Unit};
use driftline_aws::keys::{
    decode_event_key, CaptureKey, Keys, ReportFile, Span, WindowHour, WindowId,
};
use driftline_aws::ports::{ObjectStore, PortError, WriteCondition};
use driftline_aws::reports::{read_summaries, ReadSummaryError};
use driftline_aws::s3_event::{objects_from_event, ObjectRef};
use driftline_capture::predictions::{
    profile_with_predictions, RecordedPredictions, DEFAULT_MAX_PREDICTION_BYTES,
};
use driftline_capture::quality::estimate_stored;
use driftline_capture::window::{
    apply_naming, ColumnNaming, ExamplePolicy, PartialProfile, Window, WindowState,
};
use driftline_capture::{profile_reader, CaptureError, CaptureOptions};
use driftline_report::{render_html, ReportInput};
use driftline_stats::analysis::{
    window_moments, Analysis, AnalysisOptions, Baseline, WindowMoments,
};
use driftline_stats::quality::estimate::Calibration;
use driftline_stats::summary::{Status, Summary, Window as SummaryWindow};
use driftline_stats::values::{ValueConstraints, ValueFindings};
use lambda_runtime::LambdaEvent;
use serde::Serialize;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::BufReader;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;
use tokio_util::io::SyncIoBridge;
use tracing::{info, warn};

/// Namespace of the SageMaker-compatible metrics.
pub const SAGEMAKER_NAMESPACE: &str = "aws/sagemaker/Endpoints/data-metrics";

/// Attempts at merging into the window state before the invocation fails (and Lambda
/// retries): each lost race (a concurrent file updated the state first) costs one.
const MAX_STATE_ATTEMPTS: u32 = 24;

/// Rounds of report writing: after writing, the state's entity tag is compared with the one
/// the reports were rendered from; a newer state (a concurrent file) is rendered again.
const MAX_REPORT_ROUNDS: usize = 6;

/// How long a summary of an earlier hour, read for the report's trend lines, is reused by
/// this process (trend lines of earlier hours may lag by this much; the verdict never does).
const HISTORY_TTL: std::time::Duration = std::time::Duration::from_secs(300);

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

/// A baseline as last read, with the entity tags to revalidate it by.
#[derive(Clone)]
struct CachedBaseline {
    statistics_etag: String,
    /// `None`: there was no constraints.json (constraints were suggested).
    constraints_etag: Option<String>,
    baseline: Option<Arc<Baseline>>,
    note: Option<String>,
}

/// The handler: ports and configuration, built once per process, with per-process caches of
/// the baselines (revalidated by entity tag on every object) and of earlier summaries.
pub struct Handler<S, M> {
    store: S,
    metrics: M,
    config: Config,
    keys: Keys,
    baselines: Mutex<HashMap<String, CachedBaseline>>,
    /// Earlier hours' summaries by key (`None`: there was none), with when they were read.
    history_cache: Mutex<HashMap<String, (Instant, Option<Summary>)>>,
    /// Model-quality calibrations by endpoint, as last read.
    calibrations: Mutex<HashMap<String, CachedSide<Calibration>>>,
    /// Value constraints by endpoint, as last read.
    value_constraints: Mutex<HashMap<String, CachedSide<ValueConstraints>>>,
    /// Earlier hours' merged windows by state key (`None`: no state), with when they were
    /// read: the rolling last-24-hours view merges them (see [`HISTORY_TTL`]).
    hour_windows: Mutex<HashMap<String, Timed<Arc<Window>>>>,
    /// The wall clock (which rolling view is the current one a late file must update).
    clock: Clock,
}

/// A source of the current time.
pub type Clock = Arc<dyn Fn() -> chrono::DateTime<chrono::Utc> + Send + Sync>;

/// A small file beside a baseline (`calibration.json`, `driftline-constraints.json`) as last
/// read: revalidated by entity tag on every file; a missing one is asked for again after
/// [`HISTORY_TTL`].
enum CachedSide<T> {
    Found {
        etag: String,
        value: Result<Arc<T>, String>,
    },
    Missing(Instant),
}

impl<T> Clone for CachedSide<T> {
    fn clone(&self) -> Self {
        match self {
            CachedSide::Found { etag, value } => CachedSide::Found {
                etag: etag.clone(),
                value: value.clone(),
            },
            CachedSide::Missing(at) => CachedSide::Missing(*at),
        }
    }
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
            baselines: Mutex::new(HashMap::new()),
            history_cache: Mutex::new(HashMap::new()),
            calibrations: Mutex::new(HashMap::new()),
            value_constraints: Mutex::new(HashMap::new()),
            hour_windows: Mutex::new(HashMap::new()),
            clock: Arc::new(chrono::Utc::now),
        }
    }

    /// The same handler reading the time from `clock` (tests of late files).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
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

        let (baseline, mut baseline_note) = self.load_baseline(&capture.endpoint).await?;
        let values = match &baseline {
            Some(_) => {
                let (values, note) = self.load_values(&capture.endpoint).await?;
                if let Some(n) = note {
                    baseline_note = Some(match baseline_note {
                        Some(b) => format!("{b}; {n}"),
                        None => n,
                    });
                }
                values
            }
            None => None,
        };
        let mut opts = self.config.capture.clone();
        apply_naming(
            &mut opts,
            ColumnNaming::Auto,
            baseline.as_ref().map(|b| &b.statistics),
        );

        let (mut partial, predictions) = self
            .profile_object(&obj.bucket, &key, &source, &opts, obj.size)
            .await?;
        let predictions = predictions.filter(|p| p.recorded > 0);
        let scored = self
            .config
            .predictions
            .as_ref()
            .filter(|spec| spec.probability.is_some());
        if let (Some(p), Some(spec)) = (&predictions, scored) {
            // Model quality before the labels: the expected confusion counts of the scores.
            if let Some(cal) = self.load_calibration(&capture.endpoint).await? {
                let e = estimate_stored(&p.bytes, &cal, spec.threshold);
                partial.estimate = (e.n > 0).then_some(e);
            }
        }
        if let Some(p) = predictions {
            self.put(
                &self.keys.predictions(&capture),
                Bytes::from(p.bytes),
                "application/jsonlines",
            )
            .await?;
        }
        let object_records = partial.records;
        let object_fault = partial.object_fault.clone();
        let body = serde_json::to_vec(&partial)
            .map_err(|e| HandlerError::Transient(format!("serialising the profile: {e}")))?;
        let profile_key = self.keys.profile(&capture);
        self.put(&profile_key, Bytes::from(body), "application/json")
            .await?;

        // The endpoint is not silent: one per capture file, timestamped now (the silent-endpoint
        // alarm treats a period without any as breaching).
        let arrived = MetricSet::new(self.config.metrics_namespace.clone(), chrono::Utc::now())
            .dimension("Endpoint", capture.endpoint.clone())
            .dimension("Variant", capture.variant.clone())
            .with("CaptureFiles", Unit::Count, 1.0)
            // A capture object that could not be read (access denied, a KMS key that refuses,
            // an archived or deleted object) is counted where an alarm sees it, not only in
            // the window's faults.
            .with(
                "UnreadableObjects",
                Unit::Count,
                f64::from(u8::from(object_fault.is_some())),
            );
        if let Err(e) = self.metrics.emit(&arrived) {
            warn!(error = %e, "could not emit metrics");
        }
        let ctx = AnalysisContext {
            baseline: baseline.as_deref(),
            values: values.as_ref(),
            baseline_note: baseline_note.as_deref(),
        };
        let hour = WindowId::hour(capture.window());
        let (analysis, hour_state) = self
            .analyze_window(&capture, hour, &profile_key, &partial, &ctx, None)
            .await?;
        // The hour as just merged is what the rolling views of later hours must see.
        self.remember_hour(&capture, capture.window(), &hour_state.0.window);
        // Longer windows (WINDOWS): the day this file belongs to, the 24 hours ending with its
        // hour. Both are merges of hourly profiles, so a late file updates them too.
        for span in &self.config.longer_windows {
            if *span == Span::Last24Hours {
                self.update_current_rolling(&capture, &profile_key, &partial, &ctx)
                    .await?;
            }
            let id = WindowId::of(*span, capture.window());
            let (longer, _) = self
                .analyze_window(
                    &capture,
                    id,
                    &profile_key,
                    &partial,
                    &ctx,
                    Some(hour_state.clone()),
                )
                .await?;
            info!(
                source = %source,
                window = %id,
                window_records = longer.summary.records,
                status = ?longer.summary.status,
                drift_detected = longer.summary.drift_detected,
                "longer window analysed"
            );
        }
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

    /// The endpoint's model-quality calibration (`baselines/{endpoint}/model-quality/
    /// calibration.json`, written by `driftline quality baseline` for binary classifiers with
    /// scores). Missing or invalid: `None` (no estimate; an invalid one is logged). Transient
    /// errors fail the invocation.
    async fn load_calibration(
        &self,
        endpoint: &str,
    ) -> Result<Option<Arc<Calibration>>, HandlerError> {
        let key = self.keys.quality_baseline(endpoint, "calibration.json");
        let parse = |body: &[u8]| match serde_json::from_slice::<Calibration>(body) {
            Ok(c) if c.is_usable() => Ok(c),
            Ok(_) => Err("no usable knots".to_string()),
            Err(e) => Err(e.to_string()),
        };
        Ok(
            match self
                .load_side(&self.calibrations, endpoint, &key, parse)
                .await?
            {
                Some(Ok(c)) => Some(c),
                Some(Err(why)) => {
                    warn!(key = %key, error = %why, "calibration invalid; no estimate");
                    None
                }
                None => None,
            },
        )
    }

    /// The endpoint's value constraints (`baselines/{endpoint}/driftline-constraints.json`).
    /// Missing: `Ok(None)` (suggested from the baseline statistics). Invalid or unreadable:
    /// a note for the report, and the suggested ones are used.
    async fn load_values(
        &self,
        endpoint: &str,
    ) -> Result<(Option<Arc<ValueConstraints>>, Option<String>), HandlerError> {
        let key = self
            .keys
            .baseline_file(endpoint, driftline_stats::values::FILE_NAME);
        let parse = |body: &[u8]| {
            ValueConstraints::from_json(&String::from_utf8_lossy(body)).map_err(|e| e.to_string())
        };
        Ok(
            match self
                .load_side(&self.value_constraints, endpoint, &key, parse)
                .await?
            {
                Some(Ok(v)) => (Some(v), None),
                Some(Err(why)) => {
                    warn!(key = %key, error = %why, "value constraints invalid");
                    (
                        None,
                        Some(format!(
                            "s3://{}/{key} is invalid ({why}); ranges suggested from the baseline statistics",
                            self.config.common.bucket
                        )),
                    )
                }
                None => (None, None),
            },
        )
    }

    /// A small optional file beside a baseline, from this process's cache when S3 says it has
    /// not changed (`If-None-Match`); a missing one is asked for again after [`HISTORY_TTL`].
    /// `None`: missing; `Some(Err)`: unreadable or invalid (the reason).
    async fn load_side<T>(
        &self,
        cache: &Mutex<HashMap<String, CachedSide<T>>>,
        endpoint: &str,
        key: &str,
        parse: impl Fn(&[u8]) -> Result<T, String>,
    ) -> Result<Option<Result<Arc<T>, String>>, HandlerError> {
        let bucket = &self.config.common.bucket;
        let cached = lock(cache).get(endpoint).cloned();
        let read = match &cached {
            Some(CachedSide::Missing(at)) if at.elapsed() < HISTORY_TTL => return Ok(None),
            Some(CachedSide::Found { etag, value }) => {
                match self.store.get_if_changed(bucket, key, etag).await {
                    Ok(None) => return Ok(Some(value.clone())),
                    Ok(Some(t)) => Ok(t),
                    Err(e) => Err(e),
                }
            }
            _ => self.store.get_tagged(bucket, key).await,
        };
        let tagged = match read {
            Ok(t) => t,
            Err(PortError::NotFound(_)) => {
                lock(cache).insert(endpoint.to_string(), CachedSide::Missing(Instant::now()));
                return Ok(None);
            }
            Err(PortError::Transient(e)) => return Err(HandlerError::Transient(e)),
            Err(e) => return Ok(Some(Err(format!("unreadable: {}", e.message())))),
        };
        let value = parse(&tagged.body).map(Arc::new);
        lock(cache).insert(
            endpoint.to_string(),
            CachedSide::Found {
                etag: tagged.etag,
                value: value.clone(),
            },
        );
        Ok(Some(value))
    }

    /// Loads the endpoint's baseline, from this process's cache when S3 says it has not
    /// changed (a conditional GET per file: `If-None-Match` with the entity tag last read).
    /// Missing: `None`. Unreadable or invalid: `None` with a note for the report. Transient
    /// errors fail the invocation.
    async fn load_baseline(
        &self,
        endpoint: &str,
    ) -> Result<(Option<Arc<Baseline>>, Option<String>), HandlerError> {
        let bucket = &self.config.common.bucket;
        let stats_key = self.keys.baseline_statistics(endpoint);
        let constraints_key = self.keys.baseline_constraints(endpoint);
        let cached = lock(&self.baselines).get(endpoint).cloned();
        // 1. statistics.json: unchanged → the cached baseline stands if constraints did not change.
        let stats = match &cached {
            Some(c) => self
                .store
                .get_if_changed(bucket, &stats_key, &c.statistics_etag)
                .await
                .map(|t| t.map(Some).unwrap_or(None)),
            None => self.store.get_tagged(bucket, &stats_key).await.map(Some),
        };
        let stats = match stats {
            Ok(s) => s,
            Err(PortError::NotFound(_)) => {
                lock(&self.baselines).remove(endpoint);
                return Ok((None, None));
            }
            Err(PortError::Transient(e)) => return Err(HandlerError::Transient(e)),
            Err(e) => {
                warn!(key = %stats_key, error = %e, "baseline unreadable");
                lock(&self.baselines).remove(endpoint);
                return Ok((
                    None,
                    Some(format!(
                        "baseline s3://{bucket}/{stats_key} unreadable: {}",
                        e.message()
                    )),
                ));
            }
        };
        // 2. constraints.json, likewise.
        let constraints = match cached.as_ref().and_then(|c| c.constraints_etag.as_deref()) {
            Some(etag) => self
                .store
                .get_if_changed(bucket, &constraints_key, etag)
                .await
                .map(|t| t.map(Some).unwrap_or(None)),
            None => self
                .store
                .get_tagged(bucket, &constraints_key)
                .await
                .map(Some),
        };
        let (constraints, constraints_changed) = match constraints {
            Ok(Some(t)) => (Some(t), true),
            Ok(None) => (None, false),
            Err(PortError::NotFound(_)) => (
                None,
                cached
                    .as_ref()
                    .is_some_and(|c| c.constraints_etag.is_some()),
            ),
            Err(PortError::Transient(e)) => return Err(HandlerError::Transient(e)),
            Err(e) => {
                warn!(key = %constraints_key, error = %e, "constraints unreadable; suggesting");
                (None, true)
            }
        };
        if let (Some(c), None, false) = (&cached, &stats, constraints_changed) {
            return Ok((c.baseline.clone(), c.note.clone()));
        }
        // Something changed (or nothing was cached): read what is needed and parse.
        let stats = match stats {
            Some(t) => t,
            None => match self.store.get_tagged(bucket, &stats_key).await {
                Ok(t) => t,
                Err(PortError::Transient(e)) => return Err(HandlerError::Transient(e)),
                Err(e) => return Ok((None, Some(format!("baseline unreadable: {}", e.message())))),
            },
        };
        let constraints = match (constraints, constraints_changed, &cached) {
            (Some(t), _, _) => Some(t),
            // Unchanged since the cache, but the statistics changed: read it again.
            (None, false, Some(c)) if c.constraints_etag.is_some() => {
                match self.store.get_tagged(bucket, &constraints_key).await {
                    Ok(t) => Some(t),
                    Err(PortError::Transient(e)) => return Err(HandlerError::Transient(e)),
                    Err(_) => None,
                }
            }
            _ => None,
        };
        let stats_text = String::from_utf8_lossy(&stats.body);
        let constraints_text = constraints
            .as_ref()
            .map(|c| String::from_utf8_lossy(&c.body).into_owned());
        let (baseline, note) = match Baseline::from_json(&stats_text, constraints_text.as_deref()) {
            Ok(b) => (Some(Arc::new(b)), None),
            Err(e) => {
                warn!(endpoint, error = %e, "baseline invalid");
                (
                    None,
                    Some(format!("baseline of endpoint {endpoint} is invalid: {e}")),
                )
            }
        };
        lock(&self.baselines).insert(
            endpoint.to_string(),
            CachedBaseline {
                statistics_etag: stats.etag,
                constraints_etag: constraints.map(|c| c.etag),
                baseline: baseline.clone(),
                note: note.clone(),
            },
        );
        Ok((baseline, note))
    }

    /// Streams one capture object through the reader (in a blocking thread; the body is read
    /// as the parser asks for it, never held whole).
    ///
    /// A body that ends before the object does (a connection closed early without an error)
    /// is a transient failure, not a truncated file: the bytes read are compared with the size
    /// the event announced (or, for a gzip stream cut short in an event without a size, the
    /// listed size), and fewer fail the invocation so that Lambda reads the object again. Only
    /// an object that is itself cut short is recorded as a `truncated_gzip` fault.
    async fn profile_object(
        &self,
        bucket: &str,
        key: &str,
        source: &str,
        opts: &CaptureOptions,
        announced_size: Option<u64>,
    ) -> Result<(PartialProfile, Option<RecordedPredictions>), HandlerError> {
        let stream = match self.store.get_stream(bucket, key).await {
            Ok(s) => s,
            Err(PortError::Transient(e)) => return Err(HandlerError::Transient(e)),
            Err(PortError::NotFound(e)) => {
                warn!(source, error = %e, "capture object gone before it could be read");
                return Ok((
                    PartialProfile::unreadable(source, "object_not_found", &e),
                    None,
                ));
            }
            Err(PortError::Permanent(e)) | Err(PortError::Conflict(e)) => {
                warn!(source, error = %e, "capture object unreadable");
                return Ok((
                    PartialProfile::unreadable(source, "object_unreadable", &e),
                    None,
                ));
            }
        };
        let read_bytes = Arc::new(AtomicU64::new(0));
        let bridge = CountingReader {
            inner: SyncIoBridge::new(stream),
            count: Arc::clone(&read_bytes),
        };
        let opts = opts.clone();
        let name = source.to_string();
        let spec = self.config.predictions.clone();
        let result = tokio::task::spawn_blocking(move || {
            let reader = BufReader::with_capacity(256 * 1024, bridge);
            match &spec {
                Some(spec) => profile_with_predictions(
                    reader,
                    &name,
                    &opts,
                    spec,
                    DEFAULT_MAX_PREDICTION_BYTES,
                )
                .map(|(cp, p)| (cp, Some(p))),
                None => profile_reader(reader, &name, &opts).map(|cp| (cp, None)),
            }
        })
        .await
        .map_err(|e| HandlerError::Transient(format!("profiling task failed: {e}")))?;
        let (cp, predictions) = match result {
            Ok(r) => r,
            Err(CaptureError::Read { error, line, .. }) => {
                return Err(HandlerError::Transient(format!(
                    "reading {source} failed after line {line}: {error}"
                )))
            }
            Err(e) => return Err(HandlerError::Transient(format!("reading {source}: {e}"))),
        };
        let read = read_bytes.load(Ordering::Relaxed);
        let gzip_cut = cp.faults.count(driftline_capture::FaultKind::TruncatedGzip) > 0;
        let expected = match announced_size {
            Some(size) => Some(size),
            None if gzip_cut => self.listed_size(bucket, key).await?,
            None => None,
        };
        if let Some(size) = expected.filter(|size| read < *size) {
            warn!(source, read, size, "body ended before the object did");
            return Err(HandlerError::Transient(format!(
                "reading {source}: the body ended after {read} of {size} bytes"
            )));
        }
        Ok((PartialProfile::from_capture(source, cp), predictions))
    }

    /// The object's size as listed (`None` when it is not listed).
    async fn listed_size(&self, bucket: &str, key: &str) -> Result<Option<u64>, HandlerError> {
        match self.store.list(bucket, key).await {
            Ok(objs) => Ok(objs.into_iter().find(|o| o.key == key).map(|o| o.size)),
            Err(PortError::NotFound(_)) => Ok(None),
            Err(e) => Err(HandlerError::Transient(format!("listing {key}: {e}"))),
        }
    }

    /// Merges this file's partial into the window state, analyses the window, writes the
    /// report files and emits the metrics. Returns the analysis and the state it came from
    /// (with its entity tag).
    ///
    /// Correct under concurrent files of the same hour without re-reading every partial:
    /// 1. the state is updated with a conditional write (`If-Match` its entity tag, or
    ///    `If-None-Match: *` when new); a lost race reads the state again and merges again;
    /// 2. before writing, the window's partials are listed (one LIST) and every partial not in
    ///    the state yet is merged too, so a writer that died between its partial and the state
    ///    is healed by the next file;
    /// 3. after writing the reports, the state's entity tag is checked: if another file
    ///    updated the state meanwhile, the reports are rendered again from the newer state. So
    ///    the last report written covers every file: every report write is followed by its
    ///    writer's check, and a state written after that check has a writer that renders after it.
    ///
    /// A day is the same over the day's partials (its own state). A rolling last-24-hours
    /// view has no state of its own: `hour_state` (the file's hour, just merged) is merged with
    /// the 23 earlier hours' states, and the hour's state is the one whose tag is checked.
    async fn analyze_window(
        &self,
        capture: &CaptureKey,
        id: WindowId,
        own_key: &str,
        own: &PartialProfile,
        ctx: &AnalysisContext<'_>,
        hour_state: Option<(WindowState, String)>,
    ) -> Result<(Analysis, (WindowState, String)), HandlerError> {
        let (ep, var) = (&capture.endpoint, &capture.variant);
        let rolling = id.span == Span::Last24Hours;
        let (mut state, mut etag) = match hour_state {
            Some(s) if rolling => s,
            _ => self.merge_into_state(capture, id, own_key, own).await?,
        };
        let tracked = if rolling {
            WindowId::hour(capture.window())
        } else {
            id
        };
        let state_key = self.keys.window_state_of(ep, var, tracked);
        let bucket = &self.config.common.bucket;
        let mut rounds = 0;
        loop {
            rounds += 1;
            let (merged, sequence) = if rolling {
                let (w, seq) = self.rolling_window(capture, &state.window).await?;
                (Cow::Owned(w), seq)
            } else {
                (Cow::Borrowed(&state.window), Vec::new())
            };
            let analysis = self
                .analyze_and_write(capture, id, &merged, ctx, sequence)
                .await?;
            let now = match self.store.etag(bucket, &state_key).await {
                Ok(e) => e,
                Err(PortError::Transient(e)) => return Err(HandlerError::Transient(e)),
                // Gone or unreadable: nothing newer to render.
                Err(_) => etag.clone(),
            };
            if now == etag || rounds >= MAX_REPORT_ROUNDS {
                self.emit_metrics(capture, id, &analysis);
                return Ok((analysis, (state, etag)));
            }
            info!(state = %state_key, "window changed meanwhile; rendering the newer state");
            match self.read_state(&state_key).await? {
                Some((s, e)) => {
                    state = s;
                    etag = e;
                }
                None => {
                    self.emit_metrics(capture, id, &analysis);
                    return Ok((analysis, (state, etag)));
                }
            }
        }
    }

    /// Caches hour `h`'s merged window for the rolling views.
    fn remember_hour(&self, capture: &CaptureKey, h: WindowHour, window: &Window) {
        let key = self
            .keys
            .window_state_of(&capture.endpoint, &capture.variant, WindowId::hour(h));
        lock(&self.hour_windows).insert(key, (Instant::now(), Some(Arc::new(window.clone()))));
    }

    /// A late file (its hour is before the current one) also belongs to the rolling views of
    /// the hours after it: the newest of them that has data (at most 23 hours later, not after
    /// now) is rendered again, so the view an alarm watches now counts the late records.
    /// Views between the two keep what they showed (they are history). Costs one GET per
    /// hour probed, newest first (an hour found empty is not asked again for [`HISTORY_TTL`]);
    /// nothing for a file of the current hour.
    async fn update_current_rolling(
        &self,
        capture: &CaptureKey,
        own_key: &str,
        own: &PartialProfile,
        ctx: &AnalysisContext<'_>,
    ) -> Result<(), HandlerError> {
        let (Some(file_start), now) = (capture.window().start(), (self.clock)()) else {
            return Ok(());
        };
        let behind = (now - file_start).num_hours().min(23);
        for k in (1..=behind).rev() {
            let later = WindowHour::containing(file_start + chrono::Duration::hours(k));
            let state_key = self.keys.window_state_of(
                &capture.endpoint,
                &capture.variant,
                WindowId::hour(later),
            );
            // An hour known to have no data (within the cache's time) costs nothing.
            let known_empty = lock(&self.hour_windows)
                .get(&state_key)
                .is_some_and(|(at, w)| w.is_none() && at.elapsed() < HISTORY_TTL);
            if known_empty {
                continue;
            }
            let Some(state) = self.read_state(&state_key).await? else {
                lock(&self.hour_windows).insert(state_key, (Instant::now(), None));
                continue;
            };
            let later_capture = CaptureKey {
                year: later.year,
                month: later.month,
                day: later.day,
                hour: later.hour,
                ..capture.clone()
            };
            self.remember_hour(capture, later, &state.0.window);
            let id = WindowId::of(Span::Last24Hours, later);
            let (analysis, _) = self
                .analyze_window(&later_capture, id, own_key, own, ctx, Some(state))
                .await?;
            info!(window = %id, records = analysis.summary.records, "current rolling view updated by a late file");
            return Ok(());
        }
        Ok(())
    }

    /// The rolling last 24 hours ending with the file's hour: the 23 earlier hours' merged
    /// states (read concurrently, reused by this process for [`HISTORY_TTL`], so a late file
    /// of an earlier hour reaches the view within that time) followed by `current`.
    /// The rolling view's merged window and the moments of its hourly windows, oldest first
    /// (the current hour last), for the sequential test.
    async fn rolling_window(
        &self,
        capture: &CaptureKey,
        current: &Window,
    ) -> Result<(Window, Vec<WindowMoments>), HandlerError> {
        let (ep, var) = (&capture.endpoint, &capture.variant);
        let id = WindowId::of(Span::Last24Hours, capture.window());
        let mut hours = id.hours();
        hours.pop();
        let keys: Vec<String> = hours
            .into_iter()
            .map(|h| self.keys.window_state_of(ep, var, WindowId::hour(h)))
            .collect();
        let fresh = |at: &Instant| at.elapsed() < HISTORY_TTL;
        let wanted: Vec<String> = {
            let cache = lock(&self.hour_windows);
            keys.iter()
                .filter(|k| !cache.get(*k).is_some_and(|(at, _)| fresh(at)))
                .cloned()
                .collect()
        };
        let mut read = Vec::with_capacity(wanted.len());
        for chunk in wanted.chunks(8) {
            let batch: Vec<_> = chunk.iter().map(|k| self.read_state(k)).collect();
            read.extend(futures::future::join_all(batch).await);
        }
        {
            let mut cache = lock(&self.hour_windows);
            cache.retain(|_, (at, _)| fresh(at));
            for (k, r) in wanted.iter().zip(read) {
                let w = r?.map(|(s, _)| Arc::new(s.window));
                cache.insert(k.clone(), (Instant::now(), w));
            }
        }
        let earlier: Vec<Arc<Window>> = {
            let cache = lock(&self.hour_windows);
            keys.iter()
                .filter_map(|k| cache.get(k).and_then(|(_, w)| w.clone()))
                .collect()
        };
        let mut out = Window::with_policy(ExamplePolicy::of(&self.config.capture));
        let mut sequence = Vec::with_capacity(earlier.len() + 1);
        for w in &earlier {
            out.merge(w);
            sequence.push(window_moments(&w.profile));
        }
        out.merge(current);
        sequence.push(window_moments(&current.profile));
        Ok((out, sequence))
    }

    /// Reads the window state: `None` when it does not exist; a state that cannot be parsed is
    /// rebuilt from the partials (its tag is kept so the rebuild replaces it).
    async fn read_state(
        &self,
        state_key: &str,
    ) -> Result<Option<(WindowState, String)>, HandlerError> {
        let policy = ExamplePolicy::of(&self.config.capture);
        match self
            .store
            .get_tagged(&self.config.common.bucket, state_key)
            .await
        {
            Ok(t) => match WindowState::from_json(&t.body, policy) {
                Ok(s) => Ok(Some((s, t.etag))),
                Err(e) => {
                    warn!(state = %state_key, error = %e, "window state unreadable; rebuilding it from the partials");
                    Ok(Some((WindowState::new(policy), t.etag)))
                }
            },
            Err(PortError::NotFound(_)) => Ok(None),
            Err(PortError::Transient(e)) => Err(HandlerError::Transient(e)),
            Err(e) => Err(HandlerError::Transient(format!(
                "reading {state_key}: {}",
                e.message()
            ))),
        }
    }

    /// Merges `own` (stored under `own_key`) and any other partial of the window (an hour or
    /// a day) that the state lacks into the state, with a conditional write; returns the state and its entity tag.
    async fn merge_into_state(
        &self,
        capture: &CaptureKey,
        id: WindowId,
        own_key: &str,
        own: &PartialProfile,
    ) -> Result<(WindowState, String), HandlerError> {
        let bucket = &self.config.common.bucket;
        let state_key = self
            .keys
            .window_state_of(&capture.endpoint, &capture.variant, id);
        let Some(prefix) = self
            .keys
            .profiles_prefix_of(&capture.endpoint, &capture.variant, id)
        else {
            return Err(HandlerError::Transient(format!(
                "window {id} has no partials of its own"
            )));
        };
        let policy = ExamplePolicy::of(&self.config.capture);
        for attempt in 0..MAX_STATE_ATTEMPTS {
            let (mut state, condition) = match self.read_state(&state_key).await? {
                Some((s, e)) => (s, WriteCondition::IfMatch(e)),
                None => (WindowState::new(policy), WriteCondition::IfAbsent),
            };
            let mut listed = self.list_keys(&prefix).await?;
            if !listed.iter().any(|k| k == own_key) {
                listed.push(own_key.to_string());
            }
            let missing: Vec<String> = state.missing(&listed).into_iter().cloned().collect();
            if missing.is_empty() {
                if let WriteCondition::IfMatch(e) = condition {
                    return Ok((state, e));
                }
            }
            for key in &missing {
                if key == own_key {
                    state.add(key, own);
                    continue;
                }
                match self.store.get_bytes(bucket, key).await {
                    Ok(body) => match serde_json::from_slice::<PartialProfile>(&body) {
                        Ok(p) => {
                            state.add(key, &p);
                        }
                        Err(e) => {
                            state.add_unreadable(key, &e.to_string());
                        }
                    },
                    // Listed, then gone: nothing to merge (not marked, in case it returns).
                    Err(PortError::NotFound(_)) => {}
                    Err(PortError::Transient(e)) => return Err(HandlerError::Transient(e)),
                    Err(e) => {
                        state.add_unreadable(key, e.message());
                    }
                }
            }
            let body = serde_json::to_vec(&state).map_err(|e| {
                HandlerError::Transient(format!("serialising the window state: {e}"))
            })?;
            match self
                .store
                .put_if(
                    bucket,
                    &state_key,
                    Bytes::from(body),
                    "application/json",
                    &condition,
                )
                .await
            {
                Ok(etag) => return Ok((state, etag)),
                Err(PortError::Conflict(_)) | Err(PortError::NotFound(_)) => {
                    // Another file of the hour came first: back off a little and merge again.
                    let jitter = u64::from(own_key.len() as u32 % 7 + attempt.min(8)) * 5;
                    tokio::time::sleep(std::time::Duration::from_millis(jitter)).await;
                }
                Err(PortError::Transient(e)) => return Err(HandlerError::Transient(e)),
                Err(e) => {
                    return Err(HandlerError::Transient(format!(
                        "writing {state_key}: {}",
                        e.message()
                    )))
                }
            }
        }
        Err(HandlerError::Transient(format!(
            "window state {state_key}: {MAX_STATE_ATTEMPTS} conditional writes lost to concurrent files"
        )))
    }

    async fn analyze_and_write(
        &self,
        capture: &CaptureKey,
        id: WindowId,
        merged: &Window,
        ctx: &AnalysisContext<'_>,
        sequence: Vec<WindowMoments>,
    ) -> Result<Analysis, HandlerError> {
        let (baseline, baseline_note) = (ctx.baseline, ctx.baseline_note);
        let bucket = &self.config.common.bucket;
        let (start, end) = window_bounds(id);
        let opts = AnalysisOptions {
            min_records: self.config.min_records,
            policy: self.config.policy,
            values: ctx.values.cloned(),
            endpoint: Some(capture.endpoint.clone()),
            variant: Some(capture.variant.clone()),
            window: Some(SummaryWindow { start, end }),
            sequence,
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
                .report_of(&capture.endpoint, &capture.variant, id, f)
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
        let history = self.history(capture, id).await;
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

    /// Summaries of up to `history_windows` earlier windows of the same span (best effort,
    /// oldest first), read concurrently and reused by this process for [`HISTORY_TTL`].
    async fn history(&self, capture: &CaptureKey, id: WindowId) -> Vec<Summary> {
        let keys: Vec<String> = (1..=self.config.history_windows)
            .rev()
            .filter_map(|k| id.earlier(k))
            .map(|w| {
                self.keys
                    .report_of(&capture.endpoint, &capture.variant, w, ReportFile::Summary)
            })
            .collect();
        let fresh = |at: &Instant| at.elapsed() < HISTORY_TTL;
        let wanted: Vec<String> = {
            let cache = lock(&self.history_cache);
            keys.iter()
                .filter(|k| !cache.get(*k).is_some_and(|(at, _)| fresh(at)))
                .cloned()
                .collect()
        };
        let read = read_summaries(&self.store, &self.config.common.bucket, &wanted).await;
        let mut cache = lock(&self.history_cache);
        cache.retain(|_, (at, _)| fresh(at));
        for (k, r) in wanted.iter().zip(read) {
            match r {
                Ok(s) => {
                    cache.insert(k.clone(), (Instant::now(), Some(s)));
                }
                // No report for that hour (yet): remembered too, for the same time.
                Err(ReadSummaryError::Port {
                    source: PortError::NotFound(_),
                    ..
                }) => {
                    cache.insert(k.clone(), (Instant::now(), None));
                }
                Err(_) => {}
            }
        }
        keys.iter()
            .filter_map(|k| cache.get(k).and_then(|(_, s)| s.clone()))
            .collect()
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

    /// Emits the window's metrics (EMF). Timestamped at the window's labelling hour (a day's
    /// midnight) so that an alarm of the window's length sees one period per window.
    ///
    /// Hourly windows keep the dimensions `Endpoint`, `Variant` (existing alarms keep working);
    /// a day and the rolling view add `Window` = `day` / `last-24h` and emit only the
    /// window-level metrics (per-feature and SageMaker-named metrics stay hourly).
    fn emit_metrics(&self, capture: &CaptureKey, id: WindowId, analysis: &Analysis) {
        let ts = id.hour.start().unwrap_or_else(chrono::Utc::now);
        let s = &analysis.summary;
        let insufficient = s.status == Status::InsufficientData;
        let own = MetricSet::new(self.config.metrics_namespace.clone(), ts)
            .dimension("Endpoint", capture.endpoint.clone())
            .dimension("Variant", capture.variant.clone());
        let own = match id.span {
            Span::Hour => own,
            span => own.dimension("Window", span.name()),
        };
        let own = own
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
        // Values outside the training range or domain (driftline's value checks).
        let out_of_range: u64 = s
            .features
            .iter()
            .filter_map(|f| f.values.as_ref())
            .map(ValueFindings::total)
            .sum();
        let own = own.with("OutOfRangeValues", Unit::Count, out_of_range as f64);
        let own = match &s.estimated_quality {
            // Estimates have their own names: an alarm on them is an alarm on an estimate.
            Some(e) => own
                .with("EstimatedAccuracy", Unit::None, e.metrics.accuracy)
                .with("EstimatedPrecision", Unit::None, e.metrics.precision)
                .with("EstimatedRecall", Unit::None, e.metrics.recall)
                .with("EstimatedF1", Unit::None, e.metrics.f1)
                .with(
                    "EstimatedPredictions",
                    Unit::Count,
                    e.metrics.predictions as f64,
                ),
            None => own,
        };
        if let Err(e) = self.metrics.emit(&own) {
            warn!(error = %e, "could not emit metrics");
        }
        if id.span != Span::Hour {
            return;
        }
        // Per feature, only where values broke a constraint (the features are the baseline's
        // or the operator's value-constraints file's: a bounded set of dimension values).
        for f in &s.features {
            let Some(n) = f
                .values
                .as_ref()
                .map(ValueFindings::total)
                .filter(|n| *n > 0)
            else {
                continue;
            };
            let per = MetricSet::new(self.config.metrics_namespace.clone(), ts)
                .dimension("Endpoint", capture.endpoint.clone())
                .dimension("Variant", capture.variant.clone())
                .dimension("Feature", f.name.clone())
                .with("OutOfRangeValues", Unit::Count, n as f64);
            if let Err(e) = self.metrics.emit(&per) {
                warn!(error = %e, "could not emit metrics");
            }
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
        // Per-feature metrics only for the baseline's features: a request's JSON keys are not
        // trusted to name custom metrics (each new name is a billed metric).
        for f in s.features.iter().filter(|f| f.baseline_type.is_some()) {
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

/// Locks a cache, recovering the data after a panic elsewhere (a cache is never left half
/// written: entries are inserted whole).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Counts the bytes read through it (the capture body, to tell a cut connection from a cut
/// object).
struct CountingReader<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: std::io::Read> std::io::Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// A cached read: when, and what was found (`None`: nothing there).
type Timed<T> = (Instant, Option<T>);

/// What every window of one file is analysed against.
struct AnalysisContext<'a> {
    baseline: Option<&'a Baseline>,
    values: Option<&'a Arc<ValueConstraints>>,
    baseline_note: Option<&'a str>,
}

fn window_bounds(id: WindowId) -> (String, String) {
    match id.bounds() {
        Some((s, e)) => (
            s.to_rfc3339_opts(SecondsFormat::Secs, true),
            e.to_rfc3339_opts(SecondsFormat::Secs, true),
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
