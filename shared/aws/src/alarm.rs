//! Defensive parsing of CloudWatch alarm events.
//!
//! Two shapes reach driftline's functions:
//! - the payload of a CloudWatch alarm's **Lambda action** (`source`, `alarmArn`, `accountId`,
//!   `time`, `region`, `alarmData{alarmName, state, previousState, configuration}`), the shape
//!   `aws_lambda_events::event::cloudwatch_alarms::CloudWatchAlarm` models;
//! - the EventBridge **"CloudWatch Alarm State Change"** event (`detail-type`, `resources`,
//!   `detail{alarmName, state, previousState, configuration}`).
//!
//! The typed structs of `aws_lambda_events` reject real events: a daily period (86 400 s) does
//! not fit their `u16`, metric-math entries have an `expression` and no `metricStat`, and
//! composite alarms without an actions suppressor lack required fields. So this module reads
//! the event as a [`serde_json::Value`] and extracts what it needs, field by field; only the
//! alarm name and the new state are required.

use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Why an event is not a usable alarm event (a permanent input error).
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum AlarmParseError {
    /// The payload is not a JSON object.
    #[error("alarm event is not a JSON object")]
    NotAnObject,
    /// Neither `alarmData` (Lambda alarm action) nor `detail` (EventBridge) is present.
    #[error("neither `alarmData` nor `detail` found: not a CloudWatch alarm event")]
    NotAnAlarmEvent,
    /// A required field is missing or has the wrong type.
    #[error("alarm event field `{0}` is missing or not a string")]
    MissingField(&'static str),
}

/// An alarm state value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum StateValue {
    /// `OK`.
    Ok,
    /// `ALARM`.
    Alarm,
    /// `INSUFFICIENT_DATA`.
    InsufficientData,
    /// Anything else CloudWatch may add later (kept verbatim).
    Other(String),
}

impl StateValue {
    /// Parses CloudWatch's spelling (`OK`, `ALARM`, `INSUFFICIENT_DATA`).
    pub fn parse(s: &str) -> Self {
        match s.trim().to_ascii_uppercase().as_str() {
            "OK" => StateValue::Ok,
            "ALARM" => StateValue::Alarm,
            "INSUFFICIENT_DATA" => StateValue::InsufficientData,
            _ => StateValue::Other(s.to_string()),
        }
    }

    /// CloudWatch's spelling.
    pub fn as_str(&self) -> &str {
        match self {
            StateValue::Ok => "OK",
            StateValue::Alarm => "ALARM",
            StateValue::InsufficientData => "INSUFFICIENT_DATA",
            StateValue::Other(s) => s,
        }
    }
}

/// One alarm that made a composite alarm change state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TriggeringAlarm {
    /// Alarm ARN.
    pub arn: String,
    /// Its state value, when given.
    pub state: Option<String>,
}

/// What the `reasonData` JSON string carried (all optional).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReasonData {
    /// Threshold the metric was compared with.
    pub threshold: Option<f64>,
    /// Most recent datapoints.
    pub recent_datapoints: Vec<f64>,
    /// Statistic (e.g. `Maximum`).
    pub statistic: Option<String>,
    /// Unit of the datapoints (e.g. `Microseconds`), when the alarm has one.
    pub unit: Option<String>,
    /// Period in seconds (may be 86 400 or more).
    pub period: Option<u64>,
    /// Start of the evaluated range.
    pub start_date: Option<String>,
    /// Timestamp of the most recent evaluated datapoint (the period that breached).
    pub latest_evaluated: Option<String>,
    /// Composite alarms: the alarms that triggered it.
    pub triggering_alarms: Vec<TriggeringAlarm>,
}

/// One alarm state (new or previous).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlarmState {
    /// State value.
    pub value: StateValue,
    /// CloudWatch's human-readable reason.
    pub reason: String,
    /// Parsed `reasonData`, when present and parsable.
    pub reason_data: ReasonData,
    /// State-change time as sent (CloudWatch writes e.g. `2023-08-04T12:36:15.490+0000`).
    pub timestamp: Option<String>,
}

/// One metric (or metric-math expression) the alarm watches.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MetricRef {
    /// Query id (`m1`, `e1`, …).
    pub id: Option<String>,
    /// Namespace of a plain metric.
    pub namespace: Option<String>,
    /// Metric name of a plain metric.
    pub name: Option<String>,
    /// Dimensions of a plain metric.
    pub dimensions: BTreeMap<String, String>,
    /// Period in seconds.
    pub period: Option<u64>,
    /// Statistic.
    pub stat: Option<String>,
    /// Metric-math expression, for expression entries.
    pub expression: Option<String>,
    /// Label of an expression.
    pub label: Option<String>,
    /// True for the entry whose value the alarm compares.
    pub return_data: bool,
}

impl MetricRef {
    /// A short description: `Namespace/Name {Dim=v, …}` or the expression.
    pub fn describe(&self) -> String {
        if let Some(expr) = &self.expression {
            return match &self.label {
                Some(l) if !l.is_empty() => format!("{l} = {expr}"),
                _ => format!("expression {expr}"),
            };
        }
        let mut s = match (&self.namespace, &self.name) {
            (Some(ns), Some(n)) => format!("{ns}/{n}"),
            (None, Some(n)) => n.clone(),
            _ => "(unnamed metric)".to_string(),
        };
        if !self.dimensions.is_empty() {
            let dims: Vec<String> = self
                .dimensions
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            s.push_str(&format!(" {{{}}}", dims.join(", ")));
        }
        if let Some(stat) = &self.stat {
            s.push_str(&format!(", {stat}"));
        }
        if let Some(p) = self.period {
            s.push_str(&format!(" over {}", describe_period(p)));
        }
        s
    }
}

/// `300 s`, `1 h`, `1 d`.
pub fn describe_period(seconds: u64) -> String {
    if seconds >= 86_400 && seconds % 86_400 == 0 {
        format!("{} d", seconds / 86_400)
    } else if seconds >= 3_600 && seconds % 3_600 == 0 {
        format!("{} h", seconds / 3_600)
    } else if seconds >= 60 && seconds % 60 == 0 {
        format!("{} min", seconds / 60)
    } else {
        format!("{seconds} s")
    }
}

/// What kind of alarm sent the event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum AlarmKind {
    /// A single-metric alarm.
    Metric,
    /// A metric-math alarm (at least one expression entry).
    MetricMath,
    /// A composite alarm with its rule.
    Composite {
        /// The alarm rule, e.g. `ALARM(a) OR ALARM(b)`.
        rule: String,
    },
    /// No configuration we recognise.
    Unknown,
}

/// Which payload shape the event came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum EventShape {
    /// CloudWatch alarm Lambda action.
    LambdaAction,
    /// EventBridge "CloudWatch Alarm State Change".
    EventBridge,
}

/// A CloudWatch alarm event, normalised from either shape.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlarmEvent {
    /// Payload shape.
    pub shape: EventShape,
    /// Alarm name.
    pub alarm_name: String,
    /// Alarm ARN, when given.
    pub alarm_arn: Option<String>,
    /// Account id.
    pub account: Option<String>,
    /// Region.
    pub region: Option<String>,
    /// Event time (top level).
    pub time: Option<String>,
    /// Alarm description.
    pub description: Option<String>,
    /// New state.
    pub state: AlarmState,
    /// Previous state.
    pub previous_state: Option<AlarmState>,
    /// Alarm kind.
    pub kind: AlarmKind,
    /// Metrics and expressions of the configuration, in event order.
    pub metrics: Vec<MetricRef>,
}

impl AlarmEvent {
    /// Parses either event shape. Only `alarmName` and the new state's `value` are required.
    pub fn parse(event: &Value) -> Result<Self, AlarmParseError> {
        let top = event.as_object().ok_or(AlarmParseError::NotAnObject)?;
        let (shape, data) = if let Some(detail) = top.get("detail").filter(|d| d.is_object()) {
            (EventShape::EventBridge, detail)
        } else if let Some(data) = top.get("alarmData").filter(|d| d.is_object()) {
            let shape = if top.contains_key("detail-type") {
                EventShape::EventBridge
            } else {
                EventShape::LambdaAction
            };
            (shape, data)
        } else {
            return Err(AlarmParseError::NotAnAlarmEvent);
        };
        let alarm_name = str_field(data, "alarmName")
            .filter(|s| !s.trim().is_empty())
            .ok_or(AlarmParseError::MissingField("alarmName"))?;
        let state = data
            .get("state")
            .and_then(parse_state)
            .ok_or(AlarmParseError::MissingField("state.value"))?;
        let previous_state = data.get("previousState").and_then(parse_state);
        let alarm_arn = str_field(event, "alarmArn").or_else(|| {
            top.get("resources")
                .and_then(Value::as_array)
                .and_then(|r| {
                    r.iter()
                        .filter_map(Value::as_str)
                        .find(|s| s.contains(":alarm:"))
                })
                .map(str::to_string)
        });
        let account = str_field(event, "accountId").or_else(|| str_field(event, "account"));
        let config = data.get("configuration");
        let description = config.and_then(|c| str_field(c, "description"));
        let metrics: Vec<MetricRef> = config
            .and_then(|c| c.get("metrics"))
            .and_then(Value::as_array)
            .map(|ms| ms.iter().map(parse_metric).collect())
            .unwrap_or_default();
        let kind = if let Some(rule) = config.and_then(|c| str_field(c, "alarmRule")) {
            AlarmKind::Composite { rule }
        } else if metrics.iter().any(|m| m.expression.is_some()) {
            AlarmKind::MetricMath
        } else if !metrics.is_empty() {
            AlarmKind::Metric
        } else {
            AlarmKind::Unknown
        };
        Ok(AlarmEvent {
            shape,
            alarm_name,
            alarm_arn,
            account,
            // Goes into console URLs: a value that is not a region name is dropped.
            region: str_field(event, "region").filter(|r| crate::config::is_region(r)),
            time: str_field(event, "time"),
            description,
            state,
            previous_state,
            kind,
            metrics,
        })
    }

    /// The metric entry whose value the alarm compares (`returnData: true`), else the first.
    pub fn primary_metric(&self) -> Option<&MetricRef> {
        self.metrics
            .iter()
            .find(|m| m.return_data)
            .or_else(|| self.metrics.first())
    }

    /// The first value of any of `names` among the metrics' dimensions (primary metric first).
    pub fn dimension(&self, names: &[&str]) -> Option<String> {
        let primary = self.primary_metric().into_iter();
        primary
            .chain(self.metrics.iter())
            .find_map(|m| names.iter().find_map(|n| m.dimensions.get(*n)))
            .filter(|v| !v.is_empty())
            .cloned()
    }

    /// The endpoint the alarm is about: dimension `Endpoint` or `EndpointName`.
    pub fn endpoint(&self) -> Option<String> {
        self.dimension(&["Endpoint", "EndpointName"])
    }

    /// The production variant: dimension `Variant` or `VariantName`.
    pub fn variant(&self) -> Option<String> {
        self.dimension(&["Variant", "VariantName"])
    }

    /// Namespaces of the plain metrics.
    pub fn namespaces(&self) -> Vec<&str> {
        self.metrics
            .iter()
            .filter_map(|m| m.namespace.as_deref())
            .collect()
    }

    /// True for SageMaker infrastructure alarms (`AWS/SageMaker` invocation metrics,
    /// `/aws/sagemaker/Endpoints` CPU / memory / disk / GPU utilisation).
    pub fn is_infrastructure(&self) -> bool {
        let ns = self.namespaces();
        !ns.is_empty()
            && ns.iter().all(|n| {
                n.eq_ignore_ascii_case("AWS/SageMaker")
                    || n.eq_ignore_ascii_case("/aws/sagemaker/Endpoints")
            })
    }

    /// True for the unreadable-objects alarm: driftline's `UnreadableObjects` metric (capture
    /// objects analyze-capture could not read), or the template's `…-unreadable` alarm.
    pub fn is_unreadable(&self) -> bool {
        self.metrics
            .iter()
            .any(|m| m.name.as_deref() == Some("UnreadableObjects"))
            || self.alarm_name.ends_with("-unreadable")
    }

    /// True for an alarm on driftline itself: its functions' `AWS/Lambda` metrics (errors,
    /// throttles) or its dead-letter queue's `AWS/SQS` depth — failures that would otherwise be
    /// parked without a word.
    pub fn is_driftline_health(&self) -> bool {
        let ns = self.namespaces();
        !ns.is_empty()
            && ns
                .iter()
                .all(|n| n.eq_ignore_ascii_case("AWS/Lambda") || n.eq_ignore_ascii_case("AWS/SQS"))
    }

    /// True for a model-quality alarm: a metric of SageMaker's model-metrics namespace or one
    /// of driftline's `Quality*` metrics, or an alarm named `…quality-…` (the template's
    /// quality alarms; an EventBridge event of a composite alarm names no metric).
    /// An alarm on an estimate ([`AlarmEvent::is_quality_estimate`]) is not one: its report
    /// is the data-quality window's.
    pub fn is_model_quality(&self) -> bool {
        if self.is_quality_estimate() {
            return false;
        }
        self.metrics.iter().any(|m| {
            m.namespace.as_deref() == Some("aws/sagemaker/Endpoints/model-metrics")
                || m.name.as_deref().is_some_and(|n| n.starts_with("Quality"))
        }) || self.alarm_name.contains("quality-")
    }

    /// True for the silent-endpoint alarm: driftline's `CaptureFiles` metric (one per analysed
    /// capture file) missing or below its threshold, or the template's `…-silent` alarm.
    pub fn is_silence(&self) -> bool {
        self.metrics
            .iter()
            .any(|m| m.name.as_deref() == Some("CaptureFiles"))
            || self.alarm_name.ends_with("-silent")
    }

    /// True for an alarm on the model quality estimated before the labels: one of driftline's
    /// `Estimated*` metrics (analyze-capture's, from calibrated scores), or the template's
    /// `…-quality-estimate` alarm.
    pub fn is_quality_estimate(&self) -> bool {
        self.metrics.iter().any(|m| {
            m.name
                .as_deref()
                .is_some_and(|n| n.starts_with("Estimated"))
        }) || self.alarm_name.ends_with("-quality-estimate")
    }

    /// The alarms a composite alarm's rule names, in rule order, each once (names; an ARN
    /// becomes the name after `:alarm:`). Empty for a metric alarm.
    pub fn rule_alarms(&self) -> Vec<String> {
        match &self.kind {
            AlarmKind::Composite { rule } => rule_alarm_names(rule),
            _ => Vec::new(),
        }
    }

    /// True when the alarm named `name` is among the composite's triggering alarms.
    pub fn triggered_by(&self, name: &str) -> bool {
        self.state
            .reason_data
            .triggering_alarms
            .iter()
            .any(|t| alarm_name_of(&t.arn) == name)
    }

    /// The threshold crossed, from `reasonData`.
    pub fn threshold(&self) -> Option<f64> {
        self.state.reason_data.threshold
    }

    /// The state-change time parsed to UTC, when CloudWatch's spelling can be read.
    pub fn state_time(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.state
            .timestamp
            .as_deref()
            .and_then(parse_time)
            .or_else(|| self.time.as_deref().and_then(parse_time))
    }
}

/// The alarm name of an alarm ARN (the part after `:alarm:`), or the text itself.
pub fn alarm_name_of(arn_or_name: &str) -> &str {
    arn_or_name
        .split_once(":alarm:")
        .map_or(arn_or_name, |(_, name)| name)
}

/// The alarms named in a composite alarm rule: the arguments of `ALARM(…)`, `OK(…)` and
/// `INSUFFICIENT_DATA(…)`, quoted or not, in rule order, each once.
///
/// ```
/// use driftline_aws::alarm::rule_alarm_names;
/// let rule = r#"ALARM("s-ep-v-violations") OR (ALARM(arn:aws:cloudwatch:us-east-1:1:alarm:s-ep-v-drifted-features) AND NOT OK("s-ep-v-violations"))"#;
/// assert_eq!(rule_alarm_names(rule), ["s-ep-v-violations", "s-ep-v-drifted-features"]);
/// ```
pub fn rule_alarm_names(rule: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = rule;
    while let Some(open) = rest.find('(') {
        let head = rest[..open].trim_end();
        let func = head
            .rsplit(|c: char| !(c.is_ascii_alphabetic() || c == '_'))
            .next()
            .unwrap_or("");
        rest = &rest[open + 1..];
        if !matches!(func, "ALARM" | "OK" | "INSUFFICIENT_DATA") {
            continue;
        }
        let arg = rest.trim_start();
        let (name, after) = if let Some(q) = arg.strip_prefix('"') {
            match q.find('"') {
                Some(end) => (&q[..end], &q[end + 1..]),
                None => break,
            }
        } else {
            match arg.find(')') {
                Some(end) => (arg[..end].trim(), &arg[end..]),
                None => break,
            }
        };
        let name = alarm_name_of(name).to_string();
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
        rest = after;
    }
    out
}

/// Parses CloudWatch's timestamp spellings: RFC 3339 (`…Z`, `…+00:00`) and
/// `2023-08-04T12:36:15.490+0000`. Stray spaces (seen in published examples) are removed.
pub fn parse_time(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let cleaned: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(&cleaned) {
        return Some(t.with_timezone(&chrono::Utc));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M:%S%z"] {
        if let Ok(t) = chrono::DateTime::parse_from_str(&cleaned, fmt) {
            return Some(t.with_timezone(&chrono::Utc));
        }
    }
    None
}

fn str_field(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn num_field(v: &Value, key: &str) -> Option<f64> {
    match v.get(key)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn u64_field(v: &Value, key: &str) -> Option<u64> {
    num_field(v, key)
        .filter(|x| x.is_finite() && *x >= 0.0)
        .map(|x| x as u64)
}

fn parse_state(v: &Value) -> Option<AlarmState> {
    let value = StateValue::parse(v.get("value")?.as_str()?);
    let reason_data = match v.get("reasonData") {
        // CloudWatch sends reasonData as a JSON document inside a string.
        Some(Value::String(s)) => serde_json::from_str::<Value>(s)
            .map(|d| parse_reason_data(&d))
            .unwrap_or_default(),
        Some(d @ Value::Object(_)) => parse_reason_data(d),
        _ => ReasonData::default(),
    };
    Some(AlarmState {
        value,
        reason: str_field(v, "reason").unwrap_or_default(),
        reason_data,
        timestamp: str_field(v, "timestamp"),
    })
}

fn parse_reason_data(d: &Value) -> ReasonData {
    let floats = |key: &str| -> Vec<f64> {
        d.get(key)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default()
    };
    let triggering_alarms = d
        .get("triggeringAlarms")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|t| {
                    Some(TriggeringAlarm {
                        arn: str_field(t, "arn")?,
                        state: t.get("state").and_then(|s| str_field(s, "value")),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    ReasonData {
        threshold: num_field(d, "threshold"),
        recent_datapoints: floats("recentDatapoints"),
        statistic: str_field(d, "statistic"),
        unit: str_field(d, "unit"),
        period: u64_field(d, "period"),
        start_date: str_field(d, "startDate"),
        latest_evaluated: d
            .get("evaluatedDatapoints")
            .and_then(Value::as_array)
            .and_then(|a| {
                a.iter()
                    .filter_map(|p| str_field(p, "timestamp"))
                    .max_by_key(|t| parse_time(t))
            }),
        triggering_alarms,
    }
}

fn parse_metric(m: &Value) -> MetricRef {
    let stat = m.get("metricStat");
    let metric = stat.and_then(|s| s.get("metric"));
    let dimensions = metric
        .and_then(|mm| mm.get("dimensions"))
        .map(parse_dimensions)
        .unwrap_or_default();
    MetricRef {
        id: str_field(m, "id"),
        namespace: metric.and_then(|mm| str_field(mm, "namespace")),
        name: metric.and_then(|mm| str_field(mm, "name").or_else(|| str_field(mm, "metricName"))),
        dimensions,
        period: stat
            .and_then(|s| u64_field(s, "period"))
            .or_else(|| u64_field(m, "period")),
        stat: stat.and_then(|s| str_field(s, "stat")),
        expression: str_field(m, "expression"),
        label: str_field(m, "label"),
        return_data: m
            .get("returnData")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    }
}

/// Dimensions as an object (`{"Endpoint": "x"}`) or as a list of `{name, value}`.
fn parse_dimensions(d: &Value) -> BTreeMap<String, String> {
    match d {
        Value::Object(o) => o
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
            .collect(),
        Value::Array(a) => a
            .iter()
            .filter_map(|x| {
                let name = str_field(x, "name").or_else(|| str_field(x, "Name"))?;
                let value = str_field(x, "value").or_else(|| str_field(x, "Value"))?;
                Some((name, value))
            })
            .collect(),
        _ => BTreeMap::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Value {
        let path = format!(
            "{}/tests/fixtures/alarms/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn lambda_action_single_metric() {
        let e = AlarmEvent::parse(&fixture("example-cloudwatch-alarm-metric.json")).unwrap();
        assert_eq!(e.shape, EventShape::LambdaAction);
        assert_eq!(e.alarm_name, "lambda-demo-metric-alarm");
        assert_eq!(e.state.value, StateValue::Alarm);
        assert_eq!(e.kind, AlarmKind::Metric);
        let prev = e.previous_state.as_ref().unwrap();
        assert_eq!(prev.value, StateValue::InsufficientData);
        assert_eq!(prev.reason_data.threshold, Some(5.0));
        assert_eq!(e.dimension(&["InstanceId"]).as_deref(), Some("i-12345678"));
        // The published example has stray spaces inside its timestamps.
        let t = e.state_time().unwrap();
        assert_eq!(t.to_rfc3339(), "2023-08-04T12:36:15.490+00:00");
    }

    #[test]
    fn lambda_action_composite() {
        let e = AlarmEvent::parse(&fixture("example-cloudwatch-alarm-composite.json")).unwrap();
        assert_eq!(
            e.kind,
            AlarmKind::Composite {
                rule: "ALARM(CompositeDemo.FirstChild) OR ALARM(CompositeDemo.SecondChild)".into()
            }
        );
        assert_eq!(e.state.reason_data.triggering_alarms.len(), 1);
        assert!(e.state.reason_data.triggering_alarms[0]
            .arn
            .ends_with(":alarm:CompositeDemo.FirstChild"));
        assert!(e.endpoint().is_none());
    }

    #[test]
    fn eventbridge_composite_with_alarm_data_at_top_level() {
        let e = AlarmEvent::parse(&fixture(
            "example-cloudwatch-alarm-composite-with-suppressor-alarm.json",
        ))
        .unwrap();
        assert_eq!(e.shape, EventShape::EventBridge);
        assert_eq!(
            e.alarm_arn.as_deref(),
            Some("arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServiceAggregatedAlarm")
        );
        assert!(matches!(e.kind, AlarmKind::Composite { .. }));
    }

    #[test]
    fn eventbridge_metric_math_daily_period() {
        let e = AlarmEvent::parse(&fixture("eventbridge-metric-math-daily.json")).unwrap();
        assert_eq!(e.shape, EventShape::EventBridge);
        assert_eq!(e.kind, AlarmKind::MetricMath);
        assert_eq!(e.endpoint().as_deref(), Some("churn-endpoint"));
        assert_eq!(e.variant().as_deref(), Some("AllTraffic"));
        let p = e.primary_metric().unwrap();
        assert_eq!(p.id.as_deref(), Some("e1"));
        assert!(p.expression.is_some());
        assert!(e.metrics.iter().any(|m| m.period == Some(86_400)));
        assert_eq!(e.state.reason_data.period, Some(86_400));
        assert_eq!(e.threshold(), Some(2.0));
    }

    #[test]
    fn typed_crate_structs_reject_what_we_accept() {
        // Documents why this module parses by hand: the crate's u16 period overflows on a
        // daily metric-math alarm.
        use aws_lambda_events::event::cloudwatch_alarms::CloudWatchMetricAlarm;
        let v = fixture("lambda-action-metric-math-daily.json");
        assert!(serde_json::from_value::<CloudWatchMetricAlarm>(v.clone()).is_err());
        let e = AlarmEvent::parse(&v).unwrap();
        assert_eq!(e.kind, AlarmKind::MetricMath);
        assert_eq!(e.endpoint().as_deref(), Some("churn-endpoint"));
    }

    #[test]
    fn malformed_events_are_errors() {
        assert_eq!(
            AlarmEvent::parse(&Value::Null),
            Err(AlarmParseError::NotAnObject)
        );
        assert_eq!(
            AlarmEvent::parse(&serde_json::json!({"hello": "world"})),
            Err(AlarmParseError::NotAnAlarmEvent)
        );
        assert_eq!(
            AlarmEvent::parse(&serde_json::json!({"alarmData": {"alarmName": "x"}})),
            Err(AlarmParseError::MissingField("state.value"))
        );
        assert_eq!(
            AlarmEvent::parse(&serde_json::json!({"detail": {"state": {"value": "ALARM"}}})),
            Err(AlarmParseError::MissingField("alarmName"))
        );
    }

    #[test]
    fn list_dimensions_and_unparsable_reason_data() {
        let v = serde_json::json!({
            "alarmData": {
                "alarmName": "a",
                "state": {"value": "ALARM", "reason": "r", "reasonData": "{not json"},
                "configuration": {"metrics": [{"id": "m1", "metricStat": {"metric": {
                    "name": "Invocation5XXErrors", "namespace": "AWS/SageMaker",
                    "dimensions": [{"name": "EndpointName", "value": "ep"},
                                   {"name": "VariantName", "value": "v1"}]},
                    "period": 60, "stat": "Sum"}}]}
            }
        });
        let e = AlarmEvent::parse(&v).unwrap();
        assert_eq!(e.endpoint().as_deref(), Some("ep"));
        assert_eq!(e.variant().as_deref(), Some("v1"));
        assert!(e.is_infrastructure());
        assert_eq!(e.state.reason_data, ReasonData::default());
    }

    #[test]
    fn periods_read_well() {
        assert_eq!(describe_period(86_400), "1 d");
        assert_eq!(describe_period(3_600), "1 h");
        assert_eq!(describe_period(300), "5 min");
        assert_eq!(describe_period(10), "10 s");
    }
}
