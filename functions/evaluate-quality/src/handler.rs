//! The evaluate-quality handler, generic over the object store and the metric sink.
//!
//! Gather (labels, predictions) → join ([`driftline_capture::quality::Join`]) → per window:
//! conditional state update → analysis → reports → metrics. Error policy as analyze-capture's:
//! bad input (unparsable labels, a deleted object, no problem type) is recorded and the
//! invocation succeeds; transient AWS errors fail it so Lambda retries.

use crate::config::Config;
use bytes::Bytes;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use driftline_aws::emf::{MetricSet, MetricSink, Unit};
use driftline_aws::keys::{decode_event_key, GroundTruthKey, Keys, ReportFile, WindowHour};
use driftline_aws::ports::{ObjectStore, PortError};
use driftline_aws::s3_event::{objects_from_event, ObjectRef};
use driftline_aws::state::{update_json, StateError};
use driftline_capture::ground_truth::read_ground_truth_refs;
use driftline_capture::predictions::read_prediction_refs;
use driftline_capture::quality::{hour_of, Join, JoinResult};
use driftline_capture::CaptureOptions;
use driftline_stats::quality::analysis::{
    analyze_quality, QualityAnalysis, QualityBaseline, QualityOptions, QualityStatus,
};
use driftline_stats::quality::estimate::EstimatedQuality;
use driftline_stats::quality::state::{ProblemType, QualityState};
use driftline_stats::summary::{Faults, Summary, Window};
use lambda_runtime::LambdaEvent;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::BufReader;
use tokio_util::io::SyncIoBridge;
use tracing::{info, warn};

/// Namespace of the SageMaker-compatible model-quality metrics (real-time endpoints).
pub const SAGEMAKER_MODEL_NAMESPACE: &str = "aws/sagemaker/Endpoints/model-metrics";

/// Version of the stored window state.
pub const STATE_FORMAT_VERSION: u32 = 1;

/// Prediction files read at once.
const READ_CONCURRENCY: usize = 8;

/// Why an invocation fails (so that Lambda retries).
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// Not an S3 / EventBridge object event.
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

fn transient(e: impl std::fmt::Display) -> HandlerError {
    HandlerError::Transient(e.to_string())
}

/// A model-quality window's stored state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualityWindowState {
    /// [`STATE_FORMAT_VERSION`].
    pub format_version: u32,
    /// Label files merged (their `s3://` URIs), in merge order: a retry finds its file here.
    pub merged: Vec<String>,
    /// The merged model-quality state (`None` before the first merge).
    pub state: Option<QualityState>,
    /// Labels of the merged files without a prediction (attributed to no window; summed here
    /// for the files that touched this window).
    pub unmatched_labels: u64,
    /// Predictions captured in the window, as last counted.
    pub predictions: Option<u64>,
}

impl QualityWindowState {
    fn empty() -> Self {
        QualityWindowState {
            format_version: STATE_FORMAT_VERSION,
            merged: Vec::new(),
            state: None,
            unmatched_labels: 0,
            predictions: None,
        }
    }
}

/// What one ground-truth object gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelOutcome {
    /// `s3://` URI of the ground-truth object.
    pub source: String,
    /// `analyzed`, `ignored` or `fault`.
    pub outcome: String,
    /// Why, for ignored / fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Labels read.
    pub labels: u64,
    /// Labels joined with a prediction.
    pub matched: u64,
    /// Labels without a prediction in the hours searched.
    pub unmatched: u64,
    /// Hours searched (newest first), as `yyyy/mm/dd/hh`.
    pub hours_searched: u32,
    /// Windows updated: `variant/yyyy/mm/dd/hh` → status.
    pub windows: BTreeMap<String, String>,
    /// Faults with examples.
    pub faults: Faults,
}

/// The invocation's response.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Response {
    /// One entry per announced object.
    pub objects: Vec<LabelOutcome>,
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

    /// Lambda entry point.
    pub async fn handle(&self, event: LambdaEvent<Value>) -> Result<Response, HandlerError> {
        let objects = objects_from_event(&event.payload).map_err(|e| {
            warn!(error = %e, "unrecognised event");
            HandlerError::BadEvent(e.to_string())
        })?;
        let mut out = Vec::with_capacity(objects.len());
        for o in &objects {
            out.push(self.process(o).await?);
        }
        Ok(Response { objects: out })
    }

    fn outcome(source: &str, outcome: &str, detail: String) -> LabelOutcome {
        LabelOutcome {
            source: source.to_string(),
            outcome: outcome.to_string(),
            detail: Some(detail),
            labels: 0,
            matched: 0,
            unmatched: 0,
            hours_searched: 0,
            windows: BTreeMap::new(),
            faults: Faults::default(),
        }
    }

    /// Processes one ground-truth object.
    pub async fn process(&self, obj: &ObjectRef) -> Result<LabelOutcome, HandlerError> {
        let key = match decode_event_key(&obj.raw_key) {
            Ok(k) => k,
            Err(e) => {
                return Ok(Self::outcome(
                    &obj.raw_key,
                    "ignored",
                    format!("undecodable key: {e}"),
                ))
            }
        };
        let source = format!("s3://{}/{}", obj.bucket, key);
        let Some(gt) = GroundTruthKey::parse(&key, &self.config.ground_truth_prefix) else {
            info!(key = %key, "ignored");
            return Ok(Self::outcome(
                &source,
                "ignored",
                format!(
                    "outside {}/{{endpoint}}/yyyy/mm/dd/hh/*.jsonl",
                    self.config.ground_truth_prefix
                ),
            ));
        };
        let baseline = self.load_baseline(&gt.endpoint).await?;
        let (baseline, baseline_note) = match baseline {
            Ok(b) => (b, None),
            Err(note) => (None, Some(note)),
        };
        let problem = self
            .config
            .problem_type
            .or_else(|| baseline.as_ref().map(QualityBaseline::problem_type));
        let Some(problem) = problem else {
            let o = Self::outcome(
                &source,
                "fault",
                baseline_note.unwrap_or_else(|| {
                    "no problem type: set PROBLEM_TYPE or upload a model-quality baseline".into()
                }),
            );
            self.write_outcome(&gt, &o).await?;
            return Ok(o);
        };

        // 1. The labels.
        let join = match self
            .read_labels(&obj.bucket, &key, obj.size, &source, problem)
            .await?
        {
            Ok(j) => j,
            Err(why) => {
                let o = Self::outcome(&source, "fault", why);
                self.write_outcome(&gt, &o).await?;
                return Ok(o);
            }
        };
        let labels_read = join.labels;

        // 2. The predictions, newest hour first, until every label found its prediction.
        let (result, hours_searched, predictions_seen) = self.search(join, &gt).await?;

        // 3. Per window: merge, analyse, write, emit.
        let mut windows = BTreeMap::new();
        let outcome_faults = result.faults.clone();
        for ((variant, hour_ms), delta) in &result.windows {
            let Some(start) = DateTime::<Utc>::from_timestamp_millis(*hour_ms) else {
                continue;
            };
            let window = WindowHour::containing(start);
            let status = self
                .update_window(
                    &gt.endpoint,
                    variant,
                    window,
                    &source,
                    delta,
                    predictions_seen.get(&(variant.clone(), *hour_ms)).copied(),
                    result.unmatched,
                    baseline.as_ref(),
                    baseline_note.as_deref(),
                )
                .await?;
            windows.insert(format!("{variant}/{}", window.path()), status);
        }
        // How many of the last CONFIRM_N model-quality windows are degraded (the
        // quality-confirmed alarm's metric; start-retraining re-checks the same summaries).
        let mut variants: Vec<&String> = result.windows.keys().map(|(v, _)| v).collect();
        variants.dedup();
        for variant in variants {
            let degraded = self.recent_degraded(&gt.endpoint, variant).await?;
            let m = MetricSet::new(self.config.metrics_namespace.clone(), Utc::now())
                .dimension("Endpoint", gt.endpoint.clone())
                .dimension("Variant", variant.clone())
                .with("QualityDegradedWindows", Unit::Count, degraded as f64);
            if let Err(e) = self.metrics.emit(&m) {
                warn!(error = %e, "could not emit metrics");
            }
        }
        let o = LabelOutcome {
            source: source.clone(),
            outcome: "analyzed".into(),
            detail: baseline_note,
            labels: labels_read,
            matched: result.matched,
            unmatched: result.unmatched,
            hours_searched,
            windows,
            faults: outcome_faults,
        };
        self.write_outcome(&gt, &o).await?;
        let own = MetricSet::new(self.config.metrics_namespace.clone(), Utc::now())
            .dimension("Endpoint", gt.endpoint.clone())
            .with("GroundTruthLabels", Unit::Count, o.labels as f64)
            .with("MatchedLabels", Unit::Count, o.matched as f64)
            .with("UnmatchedLabels", Unit::Count, o.unmatched as f64);
        if let Err(e) = self.metrics.emit(&own) {
            warn!(error = %e, "could not emit metrics");
        }
        info!(source = %source, labels = o.labels, matched = o.matched, unmatched = o.unmatched, windows = o.windows.len(), "ground truth joined");
        Ok(o)
    }

    /// Degraded windows among the last `CONFIRM_N` model-quality windows of a variant.
    async fn recent_degraded(&self, endpoint: &str, variant: &str) -> Result<usize, HandlerError> {
        use driftline_aws::reports::{list_summaries_of, read_json, SummaryKind};
        use driftline_stats::quality::analysis::QualitySummary;
        let bucket = &self.config.common.bucket;
        let until = Utc::now() + Duration::days(1);
        let keys = list_summaries_of(
            SummaryKind::Quality,
            &self.store,
            bucket,
            &self.keys,
            endpoint,
            Some(variant),
            until,
            self.config.confirm_n,
        )
        .await
        .map_err(transient)?;
        let recent = &keys[keys.len().saturating_sub(self.config.confirm_n)..];
        let mut n = 0;
        for k in recent {
            match read_json::<_, QualitySummary>(&self.store, bucket, &k.key).await {
                Ok(s) if s.status == QualityStatus::Degraded => n += 1,
                Ok(_) => {}
                Err(e) if e.is_transient() => return Err(transient(e)),
                Err(_) => {}
            }
        }
        Ok(n)
    }

    async fn write_outcome(
        &self,
        gt: &GroundTruthKey,
        o: &LabelOutcome,
    ) -> Result<(), HandlerError> {
        let body = serde_json::to_vec_pretty(o).map_err(transient)?;
        self.store
            .put(
                &self.config.common.bucket,
                &self.keys.label_outcome(gt),
                Bytes::from(body),
                "application/json",
            )
            .await
            .map_err(transient)
    }

    /// The model-quality baseline: `Ok(None)` when there is none, `Ok(Err(note))` when it
    /// cannot be used, `Err` on transient errors.
    async fn load_baseline(
        &self,
        endpoint: &str,
    ) -> Result<Result<Option<QualityBaseline>, String>, HandlerError> {
        let bucket = &self.config.common.bucket;
        let mut texts: [Option<String>; 3] = [None, None, None];
        for (i, f) in ["statistics.json", "constraints.json", "calibration.json"]
            .iter()
            .enumerate()
        {
            let key = self.keys.quality_baseline(endpoint, f);
            match self.store.get_bytes(bucket, &key).await {
                Ok(b) => texts[i] = Some(String::from_utf8_lossy(&b).into_owned()),
                Err(PortError::NotFound(_)) => {}
                Err(PortError::Transient(e)) => return Err(HandlerError::Transient(e)),
                Err(e) => {
                    return Ok(Err(format!(
                        "s3://{bucket}/{key} unreadable: {}",
                        e.message()
                    )))
                }
            }
        }
        if texts[0].is_none() && texts[1].is_none() {
            return Ok(Ok(None));
        }
        Ok(QualityBaseline::from_json(
            texts[0].as_deref(),
            texts[1].as_deref(),
            texts[2].as_deref(),
        )
        .map(Some)
        .map_err(|e| format!("model-quality baseline of {endpoint} is invalid: {e}")))
    }

    /// Streams the label object into a join (in a blocking thread). `Ok(Err(why))` for an
    /// object that is gone or unreadable (recorded, not retried).
    async fn read_labels(
        &self,
        bucket: &str,
        key: &str,
        size: Option<u64>,
        source: &str,
        problem: ProblemType,
    ) -> Result<Result<Join, String>, HandlerError> {
        let stream = match self.store.get_stream(bucket, key).await {
            Ok(s) => s,
            Err(PortError::Transient(e)) => return Err(HandlerError::Transient(e)),
            Err(e) => {
                return Ok(Err(format!(
                    "ground-truth object unreadable: {}",
                    e.message()
                )))
            }
        };
        let bridge = SyncIoBridge::new(stream);
        let opts = CaptureOptions {
            max_line_bytes: self.config.max_line_bytes,
            ..CaptureOptions::default()
        };
        let threshold = self.config.probability_threshold;
        let name = source.to_string();
        let res = tokio::task::spawn_blocking(move || {
            let mut reader = BufReader::with_capacity(256 * 1024, bridge);
            let mut join = Join::new(problem, threshold, &name);
            // Sized from the event: growing a full table would briefly hold it twice.
            join.reserve(size.map_or(0, driftline_capture::quality::labels_in));
            let read =
                read_ground_truth_refs(&mut reader, &name, &opts, |r| join.add_label_ref(r))?;
            driftline_capture::window::merge_faults(
                &mut join.faults,
                &read.faults.to_faults(),
                0,
                Default::default(),
            );
            Ok::<Join, driftline_capture::CaptureError>(join)
        })
        .await
        .map_err(transient)?;
        match res {
            Ok(j) => Ok(Ok(j)),
            Err(e) => Err(HandlerError::Transient(format!("reading {source}: {e}"))),
        }
    }

    /// Offers the recorded predictions of the lookback hours to the join; returns the result,
    /// the hours searched and, per (variant, hour) fully read, the predictions counted there.
    async fn search(
        &self,
        mut join: Join,
        gt: &GroundTruthKey,
    ) -> Result<(JoinResult, u32, BTreeMap<(String, i64), u64>), HandlerError> {
        let bucket = &self.config.common.bucket;
        let mut seen: BTreeMap<(String, i64), u64> = BTreeMap::new();
        let Some(label_hour) = gt.window.start() else {
            return Ok((join.finish(), 0, seen));
        };
        let mut hours = 0;
        for back in 0..=self.config.lookback_hours {
            if join.pending() == 0 {
                break;
            }
            let Some(t) = label_hour.checked_sub_signed(Duration::hours(i64::from(back))) else {
                break;
            };
            hours += 1;
            let window = WindowHour::containing(t);
            let hour_ms = t.timestamp_millis();
            for variant in &self.config.variants {
                let prefix = self
                    .keys
                    .predictions_window_prefix(&gt.endpoint, variant, window);
                let listed = match self.store.list(bucket, &prefix).await {
                    Ok(l) => l,
                    Err(PortError::NotFound(_)) => continue,
                    Err(e) => return Err(transient(format!("listing {prefix}: {e}"))),
                };
                for chunk in listed.chunks(READ_CONCURRENCY) {
                    let reads = futures::future::join_all(
                        chunk.iter().map(|o| self.store.get_bytes(bucket, &o.key)),
                    )
                    .await;
                    for (o, r) in chunk.iter().zip(reads) {
                        let body = match r {
                            Ok(b) => b,
                            Err(PortError::NotFound(_)) => continue,
                            Err(PortError::Transient(e)) => return Err(HandlerError::Transient(e)),
                            Err(e) => {
                                warn!(key = %o.key, error = %e, "predictions unreadable");
                                continue;
                            }
                        };
                        let mut per_hour: BTreeMap<i64, u64> = BTreeMap::new();
                        let _ = read_prediction_refs(&body[..], |p| {
                            let h = p.time_ms.map(hour_of).unwrap_or(hour_ms);
                            *per_hour.entry(h).or_insert(0) += 1;
                            join.offer_parts(
                                variant,
                                &p.key,
                                p.time_ms,
                                p.label.as_deref(),
                                p.score,
                                hour_ms,
                            );
                        });
                        for (h, n) in per_hour {
                            *seen.entry((variant.clone(), h)).or_insert(0) += n;
                        }
                    }
                }
            }
        }
        Ok((join.finish(), hours, seen))
    }

    /// Merges `delta` (the pairs of `source` in this window) into the window's state, then
    /// writes the window's reports and emits its metrics. Returns the window's status.
    #[allow(clippy::too_many_arguments)]
    async fn update_window(
        &self,
        endpoint: &str,
        variant: &str,
        window: WindowHour,
        source: &str,
        delta: &QualityState,
        predictions: Option<u64>,
        unmatched: u64,
        baseline: Option<&QualityBaseline>,
        baseline_note: Option<&str>,
    ) -> Result<String, HandlerError> {
        let bucket = &self.config.common.bucket;
        let state_key = self.keys.quality_state(endpoint, variant, window);
        let (state, _tag) = update_json(
            &self.store,
            bucket,
            &state_key,
            QualityWindowState::empty,
            |s: &mut QualityWindowState| {
                if let Some(p) = predictions {
                    s.predictions = Some(s.predictions.unwrap_or(0).max(p));
                }
                if s.merged.iter().any(|m| m == source) {
                    return predictions.is_some();
                }
                let merged = match &mut s.state {
                    Some(st) => st.merge(delta).is_ok(),
                    None => {
                        s.state = Some(delta.clone());
                        true
                    }
                };
                if merged {
                    s.merged.push(source.to_string());
                    s.unmatched_labels += unmatched;
                }
                merged
            },
        )
        .await
        .map_err(|e| match e {
            StateError::Port { source, .. } if !source.is_transient() => {
                HandlerError::Transient(format!("window state: {source}"))
            }
            other => transient(other),
        })?;
        let Some(qs) = &state.state else {
            return Ok("unchanged".into());
        };
        let analysis = self
            .write_reports(
                endpoint,
                variant,
                window,
                &state,
                qs,
                baseline,
                baseline_note,
            )
            .await?;
        self.emit(endpoint, variant, window, &analysis);
        Ok(status_name(analysis.summary.status).to_string())
    }

    #[allow(clippy::too_many_arguments)]
    async fn write_reports(
        &self,
        endpoint: &str,
        variant: &str,
        window: WindowHour,
        stored: &QualityWindowState,
        state: &QualityState,
        baseline: Option<&QualityBaseline>,
        baseline_note: Option<&str>,
    ) -> Result<QualityAnalysis, HandlerError> {
        let bucket = &self.config.common.bucket;
        let (start, end) = match window.start() {
            Some(s) => (
                s.to_rfc3339_opts(SecondsFormat::Secs, true),
                (s + Duration::hours(1)).to_rfc3339_opts(SecondsFormat::Secs, true),
            ),
            None => (String::new(), String::new()),
        };
        let opts = QualityOptions {
            min_labels: self.config.min_labels,
            endpoint: Some(endpoint.to_string()),
            variant: Some(variant.to_string()),
            window: Some(Window { start, end }),
            ..QualityOptions::default()
        };
        let mut a = analyze_quality(state, baseline, &opts);
        if state.problem_type == ProblemType::BinaryClassification {
            a.summary.estimated = self.estimate_of(endpoint, variant, window).await;
        }
        a.summary.predictions = stored.predictions;
        a.summary.predictions_without_label = stored
            .predictions
            .map(|p| p.saturating_sub(a.summary.matched));
        a.summary.unmatched_labels = stored.unmatched_labels;
        a.summary.label_sources = stored.merged.clone();
        if let Some(n) = baseline_note {
            a.summary.reason = Some(match a.summary.reason.take() {
                Some(r) => format!("{r}; {n}"),
                None => n.to_string(),
            });
        }
        let key = |f: ReportFile| self.keys.quality_report(endpoint, variant, window, f);
        for (name, f) in [
            ("statistics", ReportFile::Statistics),
            ("constraint_violations", ReportFile::ConstraintViolations),
            ("report", ReportFile::Html),
            ("summary", ReportFile::Summary),
        ] {
            a.summary
                .artifacts
                .insert(name.to_string(), format!("s3://{bucket}/{}", key(f)));
        }
        let html = driftline_report::render_quality_html(&a.summary, &a.statistics);
        // summary.json last: a reader that finds it finds the others.
        for (f, body) in [
            (ReportFile::Statistics, a.statistics.to_json()),
            (ReportFile::ConstraintViolations, a.violations.to_json()),
            (ReportFile::Html, html),
            (ReportFile::Summary, a.summary_json()),
        ] {
            self.store
                .put(bucket, &key(f), Bytes::from(body), f.content_type())
                .await
                .map_err(|e| transient(format!("writing {}: {e}", key(f))))?;
        }
        Ok(a)
    }

    /// The estimate analyze-capture made for this window from its scores before the labels
    /// (its data-quality `summary.json`), shown beside the realized figures. Best effort: an
    /// unreadable or missing summary means no estimate line.
    async fn estimate_of(
        &self,
        endpoint: &str,
        variant: &str,
        window: WindowHour,
    ) -> Option<EstimatedQuality> {
        let key = self
            .keys
            .report(endpoint, variant, window, ReportFile::Summary);
        match self.store.get_bytes(&self.config.common.bucket, &key).await {
            Ok(body) => serde_json::from_slice::<Summary>(&body)
                .ok()
                .and_then(|s| s.estimated_quality),
            Err(PortError::NotFound(_)) => None,
            Err(e) => {
                warn!(key = %key, error = %e, "window summary unreadable; no estimate line");
                None
            }
        }
    }

    /// The window's metrics, timestamped **now**, when its labels arrived: CloudWatch alarms
    /// only evaluate recent periods, so a datapoint placed at a window days old (where late
    /// labels belong) would never alarm. The window they describe is in its `summary.json`
    /// (Model Monitor's hourly job, too, emits when it runs, not at the window's start).
    fn emit(&self, endpoint: &str, variant: &str, _window: WindowHour, a: &QualityAnalysis) {
        let ts = Utc::now();
        let s = &a.summary;
        let own = MetricSet::new(self.config.metrics_namespace.clone(), ts)
            .dimension("Endpoint", endpoint.to_string())
            .dimension("Variant", variant.to_string())
            .with("QualityLabels", Unit::Count, s.matched as f64)
            .with("QualityViolations", Unit::Count, s.violation_count as f64)
            .with(
                "QualityDegraded",
                Unit::Count,
                f64::from(u8::from(s.status == QualityStatus::Degraded)),
            );
        if let Err(e) = self.metrics.emit(&own) {
            warn!(error = %e, "could not emit metrics");
        }
        if !self.config.emit_sagemaker_metrics {
            return;
        }
        let mut sm = MetricSet::new(SAGEMAKER_MODEL_NAMESPACE, ts)
            .dimension("Endpoint", endpoint.to_string())
            .dimension(
                "MonitoringSchedule",
                self.config.monitoring_schedule.clone(),
            );
        for m in &s.metrics {
            if m.value.is_finite() {
                sm.add(m.name.clone(), Unit::None, m.value);
            }
        }
        if let Err(e) = self.metrics.emit(&sm) {
            warn!(error = %e, "could not emit SageMaker metrics");
        }
    }
}

fn status_name(s: QualityStatus) -> &'static str {
    match s {
        QualityStatus::Ok => "ok",
        QualityStatus::Degraded => "degraded",
        QualityStatus::InsufficientData => "insufficient_data",
        QualityStatus::NoBaseline => "no_baseline",
    }
}
