//! CloudWatch Embedded Metric Format (EMF): metrics as one JSON document per line on stdout,
//! which CloudWatch Logs turns into metrics (no CloudWatch client, no API call).
//!
//! A document (per the EMF specification) looks like
//!
//! ```json
//! {"_aws":{"Timestamp":1764064800000,"CloudWatchMetrics":[{"Namespace":"Driftline",
//!   "Dimensions":[["Endpoint","Variant"]],"Metrics":[{"Name":"Records","Unit":"Count"}]}]},
//!  "Endpoint":"ep","Variant":"AllTraffic","Records":1200}
//! ```
//!
//! Dimension values and metric values are top-level members ("target members") named by the
//! directive. A directive may list at most 100 metrics, so a larger [`MetricSet`] is written as
//! several documents, each repeating the dimensions. [`parse_line`] reads a document back into
//! [`MetricDatum`]s, the way CloudWatch extracts them; the local end-to-end loop uses it to play
//! CloudWatch.

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

/// At most this many metrics per directive (EMF specification).
pub const MAX_METRICS_PER_DIRECTIVE: usize = 100;
/// At most this many dimensions per dimension set (EMF specification).
pub const MAX_DIMENSIONS: usize = 30;
/// Longest metric name, namespace or dimension name (CloudWatch limits).
pub const MAX_NAME_LEN: usize = 255;
/// Longest dimension value (CloudWatch limit).
pub const MAX_DIMENSION_VALUE_LEN: usize = 1024;

/// Errors building, writing or parsing EMF documents.
#[derive(Debug, thiserror::Error)]
pub enum EmfError {
    /// The metric set breaks an EMF / CloudWatch rule.
    #[error("invalid metric set: {0}")]
    Invalid(String),
    /// Writing a document failed.
    #[error("writing EMF document: {0}")]
    Io(#[from] std::io::Error),
    /// A line is not a valid EMF document.
    #[error("not an EMF document: {0}")]
    Parse(String),
}

/// CloudWatch metric units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[allow(missing_docs)]
pub enum Unit {
    Seconds,
    Microseconds,
    Milliseconds,
    Bytes,
    Kilobytes,
    Megabytes,
    Gigabytes,
    Terabytes,
    Bits,
    Kilobits,
    Megabits,
    Gigabits,
    Terabits,
    Percent,
    Count,
    BytesPerSecond,
    KilobytesPerSecond,
    MegabytesPerSecond,
    GigabytesPerSecond,
    TerabytesPerSecond,
    BitsPerSecond,
    KilobitsPerSecond,
    MegabitsPerSecond,
    GigabitsPerSecond,
    TerabitsPerSecond,
    CountPerSecond,
    #[default]
    None,
}

impl Unit {
    const ALL: [(Unit, &'static str); 27] = [
        (Unit::Seconds, "Seconds"),
        (Unit::Microseconds, "Microseconds"),
        (Unit::Milliseconds, "Milliseconds"),
        (Unit::Bytes, "Bytes"),
        (Unit::Kilobytes, "Kilobytes"),
        (Unit::Megabytes, "Megabytes"),
        (Unit::Gigabytes, "Gigabytes"),
        (Unit::Terabytes, "Terabytes"),
        (Unit::Bits, "Bits"),
        (Unit::Kilobits, "Kilobits"),
        (Unit::Megabits, "Megabits"),
        (Unit::Gigabits, "Gigabits"),
        (Unit::Terabits, "Terabits"),
        (Unit::Percent, "Percent"),
        (Unit::Count, "Count"),
        (Unit::BytesPerSecond, "Bytes/Second"),
        (Unit::KilobytesPerSecond, "Kilobytes/Second"),
        (Unit::MegabytesPerSecond, "Megabytes/Second"),
        (Unit::GigabytesPerSecond, "Gigabytes/Second"),
        (Unit::TerabytesPerSecond, "Terabytes/Second"),
        (Unit::BitsPerSecond, "Bits/Second"),
        (Unit::KilobitsPerSecond, "Kilobits/Second"),
        (Unit::MegabitsPerSecond, "Megabits/Second"),
        (Unit::GigabitsPerSecond, "Gigabits/Second"),
        (Unit::TerabitsPerSecond, "Terabits/Second"),
        (Unit::CountPerSecond, "Count/Second"),
        (Unit::None, "None"),
    ];

    /// The name CloudWatch uses (`Count`, `Bytes/Second`, …).
    pub fn as_str(self) -> &'static str {
        Unit::ALL
            .iter()
            .find(|(u, _)| *u == self)
            .map_or("None", |(_, s)| s)
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Unit {
    type Err = EmfError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Unit::ALL
            .iter()
            .find(|(_, name)| *name == s)
            .map(|(u, _)| *u)
            .ok_or_else(|| EmfError::Parse(format!("unknown unit {s:?}")))
    }
}

/// One metric value in a [`MetricSet`].
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// Metric name.
    pub name: String,
    /// Unit.
    pub unit: Unit,
    /// Value (non-finite values are skipped when rendering: JSON cannot carry them).
    pub value: f64,
}

/// Metrics sharing a namespace, a set of dimensions and a timestamp.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricSet {
    namespace: String,
    dimensions: Vec<(String, String)>,
    metrics: Vec<Metric>,
    timestamp: DateTime<Utc>,
}

impl MetricSet {
    /// An empty set in `namespace`, stamped with `timestamp`.
    pub fn new(namespace: impl Into<String>, timestamp: DateTime<Utc>) -> Self {
        MetricSet {
            namespace: namespace.into(),
            dimensions: Vec::new(),
            metrics: Vec::new(),
            timestamp,
        }
    }

    /// Adds a dimension (builder style). Order is kept.
    pub fn dimension(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.dimensions.push((name.into(), value.into()));
        self
    }

    /// Adds a metric (builder style).
    pub fn with(mut self, name: impl Into<String>, unit: Unit, value: f64) -> Self {
        self.add(name, unit, value);
        self
    }

    /// Adds a metric.
    pub fn add(&mut self, name: impl Into<String>, unit: Unit, value: f64) {
        self.metrics.push(Metric {
            name: name.into(),
            unit,
            value,
        });
    }

    /// Namespace.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// Dimensions, in order.
    pub fn dimensions(&self) -> &[(String, String)] {
        &self.dimensions
    }

    /// Metrics, in order.
    pub fn metrics(&self) -> &[Metric] {
        &self.metrics
    }

    /// Timestamp.
    pub fn timestamp(&self) -> DateTime<Utc> {
        self.timestamp
    }

    fn validate(&self) -> Result<(), EmfError> {
        let bad = |m: String| Err(EmfError::Invalid(m));
        if self.namespace.is_empty()
            || self.namespace.len() > MAX_NAME_LEN
            || self.namespace.starts_with(':')
        {
            return bad(format!(
                "namespace {:?} must be 1-{MAX_NAME_LEN} characters, not starting with ':'",
                self.namespace
            ));
        }
        if self.dimensions.len() > MAX_DIMENSIONS {
            return bad(format!(
                "{} dimensions, at most {MAX_DIMENSIONS} allowed",
                self.dimensions.len()
            ));
        }
        let mut members: BTreeMap<&str, &str> = BTreeMap::new();
        for (name, value) in &self.dimensions {
            let name_ok = !name.trim().is_empty()
                && name.len() <= MAX_NAME_LEN
                && name.is_ascii()
                && !name.starts_with(':')
                && !name.bytes().any(|b| b.is_ascii_control());
            if !name_ok {
                return bad(format!(
                    "dimension name {name:?} must be 1-{MAX_NAME_LEN} printable ASCII characters, not starting with ':'"
                ));
            }
            let value_ok = !value.trim().is_empty()
                && value.len() <= MAX_DIMENSION_VALUE_LEN
                && value.is_ascii()
                && !value.bytes().any(|b| b.is_ascii_control());
            if !value_ok {
                return bad(format!(
                    "value {value:?} of dimension {name:?} must be 1-{MAX_DIMENSION_VALUE_LEN} printable ASCII characters"
                ));
            }
            if members.insert(name, "dimension").is_some() {
                return bad(format!("dimension {name:?} given twice"));
            }
        }
        for m in self.metrics.iter().filter(|m| valid_metric_name(&m.name)) {
            if let Some(kind) = members.insert(&m.name, "metric") {
                return bad(format!(
                    "metric {:?} clashes with a {kind} of the same name",
                    m.name
                ));
            }
        }
        Ok(())
    }

    /// Renders the set as EMF documents (one JSON text per element, no line breaks), at most
    /// [`MAX_METRICS_PER_DIRECTIVE`] metrics each. Metrics with a non-finite value are left out
    /// (logged); a set with no (finite) metric renders as no document.
    pub fn render(&self) -> Result<Vec<String>, EmfError> {
        self.validate()?;
        let finite: Vec<&Metric> = self
            .metrics
            .iter()
            .filter(|m| {
                // A name CloudWatch would refuse (e.g. built from a 300-character feature name
                // in a request) would make it drop the whole document: that metric alone is
                // left out.
                if !valid_metric_name(&m.name) {
                    tracing::warn!(metric = %truncate_for_log(&m.name), "skipping metric with an invalid name");
                    return false;
                }
                let ok = m.value.is_finite();
                if !ok {
                    tracing::warn!(metric = %m.name, value = %m.value, "skipping non-finite metric value");
                }
                ok
            })
            .collect();
        let dim_names: Vec<&str> = self.dimensions.iter().map(|(n, _)| n.as_str()).collect();
        let ts = self.timestamp.timestamp_millis();
        finite
            .chunks(MAX_METRICS_PER_DIRECTIVE)
            .map(|chunk| {
                let defs: Vec<Value> = chunk
                    .iter()
                    .map(|m| json!({"Name": m.name, "Unit": m.unit.as_str()}))
                    .collect();
                let mut root = Map::new();
                root.insert(
                    "_aws".to_owned(),
                    json!({
                        "Timestamp": ts,
                        "CloudWatchMetrics": [{
                            "Namespace": self.namespace,
                            "Dimensions": [dim_names],
                            "Metrics": defs,
                        }],
                    }),
                );
                for (n, v) in &self.dimensions {
                    root.insert(n.clone(), Value::String(v.clone()));
                }
                for m in chunk {
                    root.insert(m.name.clone(), json!(m.value));
                }
                serde_json::to_string(&Value::Object(root))
                    .map_err(|e| EmfError::Invalid(format!("serialising: {e}")))
            })
            .collect()
    }

    /// Writes the rendered documents to `w`, one per line.
    pub fn write_to(&self, w: &mut impl Write) -> Result<(), EmfError> {
        for doc in self.render()? {
            w.write_all(doc.as_bytes())?;
            w.write_all(b"\n")?;
        }
        Ok(())
    }
}

/// Where metric sets go.
pub trait MetricSink: Send + Sync {
    /// Emits one metric set.
    fn emit(&self, set: &MetricSet) -> Result<(), EmfError>;
}

/// Writes EMF lines to stdout (what Lambda ships to CloudWatch Logs). Holds the stdout lock
/// for a whole set so that lines of concurrent sets never interleave.
#[derive(Debug, Clone, Copy, Default)]
pub struct StdoutSink;

impl MetricSink for StdoutSink {
    fn emit(&self, set: &MetricSet) -> Result<(), EmfError> {
        let docs = set.render()?;
        let mut out = std::io::stdout().lock();
        for doc in docs {
            writeln!(out, "{doc}")?;
        }
        out.flush()?;
        Ok(())
    }
}

/// Keeps emitted lines in memory (for tests and the local loop).
#[derive(Debug, Clone, Default)]
pub struct MemorySink {
    lines: Arc<Mutex<Vec<String>>>,
}

impl MemorySink {
    /// An empty sink.
    pub fn new() -> Self {
        Self::default()
    }

    fn guard(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        self.lines.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every line emitted so far.
    pub fn lines(&self) -> Vec<String> {
        self.guard().clone()
    }

    /// Every datum emitted so far, parsed back with [`parse_line`].
    pub fn datums(&self) -> Result<Vec<MetricDatum>, EmfError> {
        let mut out = Vec::new();
        for line in self.guard().iter() {
            out.extend(parse_line(line)?.metrics);
        }
        Ok(out)
    }

    /// The values of a metric with exactly these dimensions, in emission order.
    pub fn values(&self, namespace: &str, name: &str, dimensions: &[(&str, &str)]) -> Vec<f64> {
        let want: BTreeMap<String, String> = dimensions
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        self.datums()
            .unwrap_or_default()
            .into_iter()
            .filter(|d| d.namespace == namespace && d.name == name && d.dimensions == want)
            .flat_map(|d| d.values)
            .collect()
    }

    /// Forgets every line.
    pub fn clear(&self) {
        self.guard().clear();
    }
}

impl MetricSink for MemorySink {
    fn emit(&self, set: &MetricSet) -> Result<(), EmfError> {
        let docs = set.render()?;
        self.guard().extend(docs);
        Ok(())
    }
}

/// Writes EMF lines into any writer (a file, a buffer).
#[derive(Debug, Default)]
pub struct WriterSink<W: Write + Send> {
    inner: Mutex<W>,
}

impl<W: Write + Send> WriterSink<W> {
    /// Wraps a writer.
    pub fn new(w: W) -> Self {
        WriterSink {
            inner: Mutex::new(w),
        }
    }

    /// Returns the writer.
    pub fn into_inner(self) -> W {
        self.inner.into_inner().unwrap_or_else(|p| p.into_inner())
    }
}

impl<W: Write + Send> MetricSink for WriterSink<W> {
    fn emit(&self, set: &MetricSet) -> Result<(), EmfError> {
        let mut w = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        set.write_to(&mut *w)?;
        w.flush()?;
        Ok(())
    }
}

/// One metric extracted from a document: a (namespace, dimensions, name) identity and its
/// value(s).
#[derive(Debug, Clone, PartialEq)]
pub struct MetricDatum {
    /// Namespace.
    pub namespace: String,
    /// Dimension name → value (one dimension set of the directive).
    pub dimensions: BTreeMap<String, String>,
    /// Metric name.
    pub name: String,
    /// Unit (`None` when absent).
    pub unit: Unit,
    /// Values (a target member may be a number or an array of numbers).
    pub values: Vec<f64>,
}

/// A parsed EMF document.
#[derive(Debug, Clone, PartialEq)]
pub struct EmfDocument {
    /// `_aws.Timestamp`, milliseconds since the epoch.
    pub timestamp_ms: i64,
    /// One datum per (directive, dimension set, metric).
    pub metrics: Vec<MetricDatum>,
}

/// Parses one line as CloudWatch would: the root must be a JSON object with an `_aws` member
/// holding `Timestamp` and `CloudWatchMetrics`; every dimension and metric a directive names
/// must be a top-level member (string for dimensions, number or array of numbers for metrics).
pub fn parse_line(line: &str) -> Result<EmfDocument, EmfError> {
    let perr = |m: &str| EmfError::Parse(m.to_owned());
    let root: Value =
        serde_json::from_str(line.trim()).map_err(|e| EmfError::Parse(e.to_string()))?;
    let root = root
        .as_object()
        .ok_or_else(|| perr("root is not a JSON object"))?;
    let aws = root
        .get("_aws")
        .and_then(Value::as_object)
        .ok_or_else(|| perr("no _aws object"))?;
    let timestamp_ms = aws
        .get("Timestamp")
        .and_then(Value::as_i64)
        .ok_or_else(|| perr("_aws.Timestamp is missing or not an integer"))?;
    let directives = aws
        .get("CloudWatchMetrics")
        .and_then(Value::as_array)
        .ok_or_else(|| perr("_aws.CloudWatchMetrics is missing or not an array"))?;
    let mut metrics = Vec::new();
    for d in directives {
        let namespace = d
            .get("Namespace")
            .and_then(Value::as_str)
            .ok_or_else(|| perr("directive without a string Namespace"))?;
        let dim_sets = d
            .get("Dimensions")
            .and_then(Value::as_array)
            .ok_or_else(|| perr("directive without a Dimensions array"))?;
        let defs = d
            .get("Metrics")
            .and_then(Value::as_array)
            .ok_or_else(|| perr("directive without a Metrics array"))?;
        if defs.len() > MAX_METRICS_PER_DIRECTIVE {
            return Err(EmfError::Parse(format!(
                "{} metrics in one directive, at most {MAX_METRICS_PER_DIRECTIVE}",
                defs.len()
            )));
        }
        let mut resolved_sets = Vec::with_capacity(dim_sets.len());
        for set in dim_sets {
            let names = set
                .as_array()
                .ok_or_else(|| perr("a dimension set is not an array"))?;
            if names.len() > MAX_DIMENSIONS {
                return Err(perr("a dimension set has more than 30 dimensions"));
            }
            let mut dims = BTreeMap::new();
            for n in names {
                let n = n
                    .as_str()
                    .ok_or_else(|| perr("a dimension name is not a string"))?;
                let v = root.get(n).and_then(Value::as_str).ok_or_else(|| {
                    EmfError::Parse(format!("dimension {n:?} has no string target member"))
                })?;
                dims.insert(n.to_owned(), v.to_owned());
            }
            resolved_sets.push(dims);
        }
        for def in defs {
            let name = def
                .get("Name")
                .and_then(Value::as_str)
                .ok_or_else(|| perr("metric definition without a string Name"))?;
            let unit = match def.get("Unit") {
                None => Unit::None,
                Some(u) => u
                    .as_str()
                    .ok_or_else(|| perr("Unit is not a string"))?
                    .parse()?,
            };
            let values = match root.get(name) {
                Some(Value::Number(n)) => vec![n
                    .as_f64()
                    .ok_or_else(|| perr("metric value out of range"))?],
                Some(Value::Array(a)) => a
                    .iter()
                    .map(|v| {
                        v.as_f64().ok_or_else(|| {
                            EmfError::Parse(format!("metric {name:?} has a non-numeric value"))
                        })
                    })
                    .collect::<Result<_, _>>()?,
                _ => {
                    return Err(EmfError::Parse(format!(
                        "metric {name:?} has no numeric target member"
                    )))
                }
            };
            for dims in &resolved_sets {
                metrics.push(MetricDatum {
                    namespace: namespace.to_owned(),
                    dimensions: dims.clone(),
                    name: name.to_owned(),
                    unit,
                    values: values.clone(),
                });
            }
        }
    }
    Ok(EmfDocument {
        timestamp_ms,
        metrics,
    })
}

/// A metric name CloudWatch accepts: 1 to [`MAX_NAME_LEN`] characters, not `_aws`.
fn valid_metric_name(name: &str) -> bool {
    !name.is_empty() && name.chars().count() <= MAX_NAME_LEN && name != "_aws"
}

/// The first 80 characters of a name, for a log line.
fn truncate_for_log(name: &str) -> String {
    name.chars().take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn ts() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 12, 1, 10, 0, 0).unwrap()
    }

    #[test]
    fn renders_the_documented_structure() {
        let set = MetricSet::new("Driftline", ts())
            .dimension("Endpoint", "ep")
            .dimension("Variant", "AllTraffic")
            .with("Records", Unit::Count, 1200.0)
            .with("DriftDetected", Unit::None, 1.0);
        let docs = set.render().unwrap();
        assert_eq!(docs.len(), 1);
        assert!(!docs[0].contains('\n'));
        let v: Value = serde_json::from_str(&docs[0]).unwrap();
        // Expected document written out by hand from the EMF specification's example layout.
        let expected = json!({
            "_aws": {
                "Timestamp": 1764583200000_i64,
                "CloudWatchMetrics": [{
                    "Namespace": "Driftline",
                    "Dimensions": [["Endpoint", "Variant"]],
                    "Metrics": [
                        {"Name": "Records", "Unit": "Count"},
                        {"Name": "DriftDetected", "Unit": "None"}
                    ]
                }]
            },
            "Endpoint": "ep",
            "Variant": "AllTraffic",
            "Records": 1200.0,
            "DriftDetected": 1.0
        });
        assert_eq!(v, expected);
    }

    #[test]
    fn splits_at_100_metrics_and_round_trips() {
        let mut set = MetricSet::new("aws/sagemaker/Endpoints/data-metrics", ts())
            .dimension("Endpoint", "ep")
            .dimension("MonitoringSchedule", "driftline");
        for i in 0..250 {
            set.add(format!("feature_data_f{i}"), Unit::None, f64::from(i) / 4.0);
        }
        let mut buf = Vec::new();
        set.write_to(&mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        let mut seen = Vec::new();
        for (line, want) in lines.iter().zip([100, 100, 50]) {
            let doc = parse_line(line).unwrap();
            assert_eq!(doc.timestamp_ms, 1764583200000);
            assert_eq!(doc.metrics.len(), want);
            for m in doc.metrics {
                assert_eq!(m.namespace, "aws/sagemaker/Endpoints/data-metrics");
                assert_eq!(m.dimensions.get("Endpoint").map(String::as_str), Some("ep"));
                assert_eq!(m.dimensions.len(), 2);
                seen.push((m.name, m.values));
            }
        }
        assert_eq!(seen.len(), 250);
        assert_eq!(seen[137], ("feature_data_f137".to_owned(), vec![34.25]));
    }

    #[test]
    fn skips_non_finite_values_and_empty_sets() {
        let set = MetricSet::new("N", ts())
            .with("a", Unit::Count, f64::NAN)
            .with("b", Unit::Count, 2.0);
        let docs = set.render().unwrap();
        let doc = parse_line(&docs[0]).unwrap();
        assert_eq!(doc.metrics.len(), 1);
        assert_eq!(doc.metrics[0].name, "b");
        assert!(MetricSet::new("N", ts()).render().unwrap().is_empty());
    }

    /// One metric whose name CloudWatch would refuse is left out; the others of the set are
    /// still emitted (before, the whole set was refused).
    #[test]
    fn an_invalid_metric_name_drops_only_that_metric() {
        let long = format!("feature_data_{}", "x".repeat(300));
        let set = MetricSet::new("N", ts())
            .with("a", Unit::Count, 1.0)
            .with(long, Unit::Count, 2.0)
            .with("_aws", Unit::Count, 3.0)
            .with("", Unit::Count, 4.0)
            .with("b", Unit::Count, 5.0);
        let docs = set.render().unwrap();
        let doc = parse_line(&docs[0]).unwrap();
        let names: Vec<&str> = doc.metrics.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
    }

    #[test]
    fn rejects_invalid_sets() {
        let clash = MetricSet::new("N", ts()).dimension("Endpoint", "ep").with(
            "Endpoint",
            Unit::Count,
            1.0,
        );
        assert!(matches!(clash.render(), Err(EmfError::Invalid(_))));
        let dup = MetricSet::new("N", ts())
            .with("a", Unit::Count, 1.0)
            .with("a", Unit::Count, 2.0);
        assert!(dup.render().is_err());
        assert!(MetricSet::new("", ts()).render().is_err());
        let empty_value = MetricSet::new("N", ts()).dimension("Endpoint", " ");
        assert!(empty_value.render().is_err());
        let mut many = MetricSet::new("N", ts());
        for i in 0..31 {
            many = many.dimension(format!("d{i}"), "v");
        }
        assert!(many.render().is_err());
    }

    #[test]
    fn parses_multiple_dimension_sets_and_value_arrays() {
        let line = r#"{"_aws":{"Timestamp":5,"CloudWatchMetrics":[{"Namespace":"N",
            "Dimensions":[["A"],["A","B"]],"Metrics":[{"Name":"m","Unit":"Milliseconds"},{"Name":"k"}]}]},
            "A":"x","B":"y","m":[1,2.5],"k":3}"#
            .replace('\n', "");
        let doc = parse_line(&line).unwrap();
        assert_eq!(doc.metrics.len(), 4);
        assert_eq!(doc.metrics[0].values, vec![1.0, 2.5]);
        assert_eq!(doc.metrics[0].unit, Unit::Milliseconds);
        assert_eq!(doc.metrics[1].dimensions.len(), 2);
        assert_eq!(doc.metrics[2].unit, Unit::None);
        assert_eq!(doc.metrics[3].values, vec![3.0]);
    }

    #[test]
    fn parse_rejects_broken_documents() {
        for bad in [
            "not json",
            "[]",
            r#"{"a":1}"#,
            r#"{"_aws":{"CloudWatchMetrics":[]}}"#,
            r#"{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["A"]],"Metrics":[{"Name":"m"}]}]},"m":1}"#,
            r#"{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[]],"Metrics":[{"Name":"m"}]}]},"m":"1"}"#,
            r#"{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[]],"Metrics":[{"Name":"m","Unit":"Parsecs"}]}]},"m":1}"#,
        ] {
            assert!(parse_line(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn memory_sink_answers_value_queries() {
        let sink = MemorySink::new();
        let set = |v: f64| {
            MetricSet::new("Driftline", ts())
                .dimension("Endpoint", "ep")
                .dimension("Variant", "v")
                .with("Violations", Unit::Count, v)
        };
        sink.emit(&set(2.0)).unwrap();
        sink.emit(&set(0.0)).unwrap();
        assert_eq!(
            sink.values(
                "Driftline",
                "Violations",
                &[("Endpoint", "ep"), ("Variant", "v")]
            ),
            vec![2.0, 0.0]
        );
        assert!(sink
            .values("Driftline", "Violations", &[("Endpoint", "ep")])
            .is_empty());
        let w = WriterSink::new(Vec::new());
        w.emit(&set(1.0)).unwrap();
        let written = String::from_utf8(w.into_inner()).unwrap();
        assert_eq!(written, format!("{}\n", set(1.0).render().unwrap()[0]));
    }

    #[test]
    fn units_round_trip() {
        for (u, s) in Unit::ALL {
            assert_eq!(u.as_str(), s);
            assert_eq!(s.parse::<Unit>().unwrap(), u);
        }
    }
}
