//! Configuration from environment variables, validated at start-up.
//!
//! Every error names the variable and, when it was set, the bad value. Readers take an
//! [`EnvSource`] so that tests pass a map instead of mutating the process environment.
//!
//! ```
//! use driftline_aws::config::{self, vars, MapEnv};
//! let env = MapEnv::from([("MIN_RECORDS", "abc")]);
//! let err = config::parse_or::<u64>(&env, vars::MIN_RECORDS, 100).unwrap_err();
//! assert_eq!(err.to_string(), "MIN_RECORDS=\"abc\" is invalid: invalid digit found in string");
//! ```

use std::collections::BTreeMap;
use std::fmt::Display;
use std::str::FromStr;

/// Names and defaults of the variables in the runtime contract.
pub mod vars {
    /// Bucket for baselines, profiles, reports, remediation records (required).
    pub const DRIFTLINE_BUCKET: &str = "DRIFTLINE_BUCKET";
    /// Key prefix of everything driftline writes.
    pub const DRIFTLINE_PREFIX: &str = "DRIFTLINE_PREFIX";
    /// Default of [`DRIFTLINE_PREFIX`].
    pub const DEFAULT_DRIFTLINE_PREFIX: &str = "driftline";
    /// Where Data Capture writes.
    pub const CAPTURE_PREFIX: &str = "CAPTURE_PREFIX";
    /// Default of [`CAPTURE_PREFIX`].
    pub const DEFAULT_CAPTURE_PREFIX: &str = "datacapture";
    /// Below this a window is "insufficient data".
    pub const MIN_RECORDS: &str = "MIN_RECORDS";
    /// Default of [`MIN_RECORDS`].
    pub const DEFAULT_MIN_RECORDS: u64 = 100;
    /// Overrides of the drift decision policy: a comma list of `key=value`
    /// (`driftline_stats::drift::PolicyConfig::with_overrides`); empty: the defaults.
    pub const DRIFT_POLICY: &str = "DRIFT_POLICY";
    /// `MonitoringSchedule` dimension of the SageMaker-named metrics.
    pub const MONITORING_SCHEDULE: &str = "MONITORING_SCHEDULE";
    /// Default of [`MONITORING_SCHEDULE`].
    pub const DEFAULT_MONITORING_SCHEDULE: &str = "driftline";
    /// Namespace of driftline's own metrics.
    pub const METRICS_NAMESPACE: &str = "METRICS_NAMESPACE";
    /// Default of [`METRICS_NAMESPACE`].
    pub const DEFAULT_METRICS_NAMESPACE: &str = "Driftline";
    /// Also emit `feature_*` metrics in SageMaker's namespace.
    pub const EMIT_SAGEMAKER_METRICS: &str = "EMIT_SAGEMAKER_METRICS";
    /// Default of [`EMIT_SAGEMAKER_METRICS`].
    pub const DEFAULT_EMIT_SAGEMAKER_METRICS: bool = true;
    /// Longer capture lines are recorded as faults.
    pub const MAX_LINE_BYTES: &str = "MAX_LINE_BYTES";
    /// Default of [`MAX_LINE_BYTES`].
    pub const DEFAULT_MAX_LINE_BYTES: u64 = 1_048_576;
    /// Records beyond this in one object are counted, not profiled.
    pub const MAX_RECORDS: &str = "MAX_RECORDS";
    /// Default of [`MAX_RECORDS`].
    pub const DEFAULT_MAX_RECORDS: u64 = 5_000_000;
    /// `START` or `END`.
    pub const OUTPUT_COLUMNS_POSITION: &str = "OUTPUT_COLUMNS_POSITION";
    /// Default of [`OUTPUT_COLUMNS_POSITION`].
    pub const DEFAULT_OUTPUT_COLUMNS_POSITION: &str = "START";
    /// Which sides of a capture record analyze-capture analyses: a comma list of
    /// `endpointInput`, `endpointOutput` (Model Monitor's `captureIndexNames`).
    pub const CAPTURE_INDEX_NAMES: &str = "CAPTURE_INDEX_NAMES";
    /// Default of [`CAPTURE_INDEX_NAMES`]: both sides.
    pub const DEFAULT_CAPTURE_INDEX_NAMES: &str = "endpointInput,endpointOutput";
    /// The windows analyze-capture reports: a comma list of `hour`, `day`, `last-24h`
    /// (hourly windows are always kept: the others are merged from them).
    pub const WINDOWS: &str = "WINDOWS";
    /// Default of [`WINDOWS`].
    pub const DEFAULT_WINDOWS: &str = "hour";
    /// The window the data alarms watch (`hour`, `day`, `last-24h`; template parameter
    /// `AlarmWindow`): notify-alarm reports that window's evidence for an alarm without a
    /// `Window` dimension (the composite incident alarm), start-retraining counts those
    /// windows' summaries.
    pub const ALARM_WINDOW: &str = "ALARM_WINDOW";
    /// SNS topic for e-mails.
    pub const TOPIC_ARN: &str = "TOPIC_ARN";
    /// Also notify on INSUFFICIENT_DATA.
    pub const NOTIFY_ON_INSUFFICIENT_DATA: &str = "NOTIFY_ON_INSUFFICIENT_DATA";
    /// Default of [`NOTIFY_ON_INSUFFICIENT_DATA`].
    pub const DEFAULT_NOTIFY_ON_INSUFFICIENT_DATA: bool = false;
    /// Fallback endpoint name.
    pub const ENDPOINT_NAME: &str = "ENDPOINT_NAME";
    /// Variant of the monitored endpoint (notify-alarm's fallback for composite alarms, which
    /// carry no dimensions).
    pub const VARIANT_NAME: &str = "VARIANT_NAME";
    /// `incident` (one e-mail per incident: a composite alarm e-mails, start-retraining's note
    /// is the confirmation's one e-mail) or `each` (every alarm e-mails on its own).
    pub const ALARM_GROUPING: &str = "ALARM_GROUPING";
    /// Default of [`ALARM_GROUPING`].
    pub const DEFAULT_ALARM_GROUPING: &str = "incident";
    /// SageMaker pipeline to start (required by start-retraining).
    pub const PIPELINE_NAME: &str = "PIPELINE_NAME";
    /// Drift in at least k …
    pub const CONFIRM_K: &str = "CONFIRM_K";
    /// Default of [`CONFIRM_K`].
    pub const DEFAULT_CONFIRM_K: u32 = 2;
    /// … of the last n window summaries.
    pub const CONFIRM_N: &str = "CONFIRM_N";
    /// Default of [`CONFIRM_N`].
    pub const DEFAULT_CONFIRM_N: u32 = 3;
    /// No new execution within this long after the last one started.
    pub const COOLDOWN_MINUTES: &str = "COOLDOWN_MINUTES";
    /// Default of [`COOLDOWN_MINUTES`].
    pub const DEFAULT_COOLDOWN_MINUTES: u64 = 360;
    /// Decide and record, never start.
    pub const DRY_RUN: &str = "DRY_RUN";
    /// Default of [`DRY_RUN`].
    pub const DEFAULT_DRY_RUN: bool = false;
    /// Pipeline parameter carrying the report URI.
    pub const PARAM_REPORT_URI: &str = "PARAM_REPORT_URI";
    /// Default of [`PARAM_REPORT_URI`].
    pub const DEFAULT_PARAM_REPORT_URI: &str = "DriftReportUri";
    /// Pipeline parameter carrying the drifted features.
    pub const PARAM_DRIFTED_FEATURES: &str = "PARAM_DRIFTED_FEATURES";
    /// Default of [`PARAM_DRIFTED_FEATURES`].
    pub const DEFAULT_PARAM_DRIFTED_FEATURES: &str = "DriftedFeatures";
    /// Pipeline parameter carrying the trigger time.
    pub const PARAM_TRIGGER_TIME: &str = "PARAM_TRIGGER_TIME";
    /// Default of [`PARAM_TRIGGER_TIME`].
    pub const DEFAULT_PARAM_TRIGGER_TIME: &str = "DriftTriggerTime";
    /// Record each capture file's predictions for the model-quality join.
    pub const RECORD_PREDICTIONS: &str = "RECORD_PREDICTIONS";
    /// Where the predicted label is in the endpoint's output (CSV index or JSON path).
    pub const INFERENCE_ATTRIBUTE: &str = "INFERENCE_ATTRIBUTE";
    /// Where the probability of class 1 is in the endpoint's output.
    pub const PROBABILITY_ATTRIBUTE: &str = "PROBABILITY_ATTRIBUTE";
    /// Probability from which the predicted label is 1.
    pub const PROBABILITY_THRESHOLD: &str = "PROBABILITY_THRESHOLD";
    /// Where ground-truth files arrive (`{prefix}/{endpoint}/yyyy/mm/dd/hh/*.jsonl`).
    pub const GROUND_TRUTH_PREFIX: &str = "GROUND_TRUTH_PREFIX";
    /// Default of [`GROUND_TRUTH_PREFIX`].
    pub const DEFAULT_GROUND_TRUTH_PREFIX: &str = "groundtruth";
    /// `BinaryClassification`, `MulticlassClassification` or `Regression`.
    pub const PROBLEM_TYPE: &str = "PROBLEM_TYPE";
    /// How many hours before a label file's hour its predictions are searched.
    pub const GROUND_TRUTH_LOOKBACK_HOURS: &str = "GROUND_TRUTH_LOOKBACK_HOURS";
    /// Default of [`GROUND_TRUTH_LOOKBACK_HOURS`] (one week).
    pub const DEFAULT_GROUND_TRUTH_LOOKBACK_HOURS: u32 = 168;
    /// Production variants whose predictions are searched.
    pub const VARIANTS: &str = "VARIANTS";
    /// Default of [`VARIANTS`].
    pub const DEFAULT_VARIANTS: &str = "AllTraffic";
    /// Below this many labelled pairs a model-quality window gets no verdict.
    pub const MIN_LABELS: &str = "MIN_LABELS";
    /// Default of [`MIN_LABELS`].
    pub const DEFAULT_MIN_LABELS: u64 = 50;
    /// Local emulator endpoint (S3 then uses path-style addressing).
    pub const AWS_ENDPOINT_URL: &str = "AWS_ENDPOINT_URL";
}

/// A missing or bad configuration value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A required variable is unset or empty.
    #[error("{var} is required but not set")]
    Missing {
        /// Variable name.
        var: String,
    },
    /// A variable is set to a value that does not validate.
    #[error("{var}={value:?} is invalid: {reason}")]
    Invalid {
        /// Variable name.
        var: String,
        /// The value as set.
        value: String,
        /// Why it is refused.
        reason: String,
    },
    /// Two variables conflict.
    #[error("{var}={value:?} conflicts with {other_var}={other_value:?}: {reason}")]
    Conflict {
        /// First variable.
        var: String,
        /// Its value.
        value: String,
        /// Second variable.
        other_var: String,
        /// Its value.
        other_value: String,
        /// Why they conflict.
        reason: String,
    },
}

impl ConfigError {
    /// An [`ConfigError::Invalid`] for `var`.
    pub fn invalid(var: &str, value: &str, reason: impl Display) -> Self {
        ConfigError::Invalid {
            var: var.to_owned(),
            value: value.to_owned(),
            reason: reason.to_string(),
        }
    }
}

/// Where variables come from.
pub trait EnvSource {
    /// The variable's value, if set (and valid Unicode).
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl EnvSource for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

/// A fixed set of variables (for tests).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MapEnv(pub BTreeMap<String, String>);

impl MapEnv {
    /// Sets a variable.
    pub fn set(&mut self, name: &str, value: &str) -> &mut Self {
        self.0.insert(name.to_owned(), value.to_owned());
        self
    }
}

impl<const N: usize> From<[(&str, &str); N]> for MapEnv {
    fn from(pairs: [(&str, &str); N]) -> Self {
        MapEnv(
            pairs
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        )
    }
}

impl EnvSource for MapEnv {
    fn var(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }
}

impl<T: EnvSource + ?Sized> EnvSource for &T {
    fn var(&self, name: &str) -> Option<String> {
        (**self).var(name)
    }
}

/// The variable's trimmed value; `None` when unset or blank.
pub fn optional(env: &impl EnvSource, var: &str) -> Option<String> {
    env.var(var)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The variable's trimmed value; [`ConfigError::Missing`] when unset or blank.
pub fn required(env: &impl EnvSource, var: &str) -> Result<String, ConfigError> {
    optional(env, var).ok_or_else(|| ConfigError::Missing {
        var: var.to_owned(),
    })
}

/// Reads a window span (`hour`, `day`, `last-24h`), `default` when unset.
pub fn span_or(
    env: &impl EnvSource,
    var: &str,
    default: crate::keys::Span,
) -> Result<crate::keys::Span, ConfigError> {
    match optional(env, var) {
        None => Ok(default),
        Some(v) => crate::keys::Span::parse(&v)
            .ok_or_else(|| ConfigError::invalid(var, &v, "expected hour, day or last-24h")),
    }
}

/// The variable's trimmed value, or `default` when unset or blank.
pub fn string_or(env: &impl EnvSource, var: &str, default: &str) -> String {
    optional(env, var).unwrap_or_else(|| default.to_owned())
}

/// Parses the variable with [`FromStr`], or `default` when unset or blank.
pub fn parse_or<T>(env: &impl EnvSource, var: &str, default: T) -> Result<T, ConfigError>
where
    T: FromStr,
    T::Err: Display,
{
    match optional(env, var) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|e| ConfigError::invalid(var, &v, e)),
    }
}

/// An integer in `min..=max`, or `default` when unset or blank.
pub fn int_in_range<T>(
    env: &impl EnvSource,
    var: &str,
    default: T,
    min: T,
    max: T,
) -> Result<T, ConfigError>
where
    T: FromStr + PartialOrd + Display + Copy,
    T::Err: Display,
{
    let value = parse_or(env, var, default)?;
    if value < min || value > max {
        return Err(ConfigError::invalid(
            var,
            &value.to_string(),
            format!("must be between {min} and {max}"),
        ));
    }
    Ok(value)
}

/// A boolean: `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off` (any case), or `default`.
pub fn bool_or(env: &impl EnvSource, var: &str, default: bool) -> Result<bool, ConfigError> {
    match optional(env, var) {
        None => Ok(default),
        Some(v) => match v.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Ok(true),
            "false" | "0" | "no" | "off" => Ok(false),
            _ => Err(ConfigError::invalid(
                var,
                &v,
                "expected true or false (also 1/0, yes/no, on/off)",
            )),
        },
    }
}

/// One of `allowed` (compared case-insensitively, returned as spelled in `allowed`), or
/// `default`.
pub fn one_of(
    env: &impl EnvSource,
    var: &str,
    default: &'static str,
    allowed: &[&'static str],
) -> Result<&'static str, ConfigError> {
    match optional(env, var) {
        None => Ok(default),
        Some(v) => allowed
            .iter()
            .find(|a| a.eq_ignore_ascii_case(&v))
            .copied()
            .ok_or_else(|| ConfigError::invalid(var, &v, format!("expected one of {allowed:?}"))),
    }
}

/// An S3 key prefix, normalised without leading or trailing `/`, or `default`. Refuses empty
/// path segments (`a//b`) and `.`/`..` segments.
pub fn prefix_or(env: &impl EnvSource, var: &str, default: &str) -> Result<String, ConfigError> {
    let raw = string_or(env, var, default);
    let norm = raw.trim_matches('/');
    if norm.split('/').any(|s| s == "." || s == "..") {
        return Err(ConfigError::invalid(
            var,
            &raw,
            "`.` and `..` segments are not allowed",
        ));
    }
    if !norm.is_empty() && norm.split('/').any(str::is_empty) {
        return Err(ConfigError::invalid(var, &raw, "empty path segment (`//`)"));
    }
    Ok(norm.to_owned())
}

/// An S3 bucket name (3–63 characters of lowercase letters, digits, `.` and `-`, starting and
/// ending with a letter or digit).
pub fn bucket(env: &impl EnvSource, var: &str) -> Result<String, ConfigError> {
    let b = required(env, var)?;
    let ok_chars = b
        .bytes()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'.' || c == b'-');
    let ends_ok = |c: Option<u8>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !(3..=63).contains(&b.len())
        || !ok_chars
        || !ends_ok(b.bytes().next())
        || !ends_ok(b.bytes().last())
    {
        return Err(ConfigError::invalid(
            var,
            &b,
            "not a valid S3 bucket name (3-63 lowercase letters, digits, '.', '-')",
        ));
    }
    Ok(b)
}

/// True when one key prefix contains the other as whole path segments (`a` and `a/b` overlap;
/// `driftline` and `driftline-capture` do not). The empty prefix (bucket root) overlaps
/// everything. Leading and trailing `/` are ignored.
pub fn prefixes_overlap(a: &str, b: &str) -> bool {
    let a = a.trim_matches('/');
    let b = b.trim_matches('/');
    let contains = |outer: &str, inner: &str| {
        outer.is_empty() || inner == outer || inner.starts_with(&format!("{outer}/"))
    };
    contains(a, b) || contains(b, a)
}

/// Refuses an output prefix that overlaps the capture prefix (driftline would process its
/// own output as capture files, or the other way round).
pub fn check_prefixes_disjoint(
    output_var: &str,
    output: &str,
    capture_var: &str,
    capture: &str,
) -> Result<(), ConfigError> {
    if prefixes_overlap(output, capture) {
        return Err(ConfigError::Conflict {
            var: output_var.to_owned(),
            value: output.to_owned(),
            other_var: capture_var.to_owned(),
            other_value: capture.to_owned(),
            reason: "the prefixes overlap; driftline must not write where capture files are read"
                .to_owned(),
        });
    }
    Ok(())
}

/// What every function needs: the bucket and driftline's prefix.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Common {
    /// `DRIFTLINE_BUCKET`.
    pub bucket: String,
    /// `DRIFTLINE_PREFIX`, normalised (no leading/trailing `/`).
    pub prefix: String,
}

impl Common {
    /// Reads `DRIFTLINE_BUCKET` (required) and `DRIFTLINE_PREFIX` (default `driftline`).
    pub fn from_env(env: &impl EnvSource) -> Result<Self, ConfigError> {
        Ok(Common {
            bucket: bucket(env, vars::DRIFTLINE_BUCKET)?,
            prefix: prefix_or(env, vars::DRIFTLINE_PREFIX, vars::DEFAULT_DRIFTLINE_PREFIX)?,
        })
    }

    /// Key builders under the prefix.
    pub fn keys(&self) -> crate::keys::Keys {
        crate::keys::Keys::new(&self.prefix)
    }
}

/// `MIN_RECORDS`: at least 1 (a window of 0 records is never evidence), default 100. Every
/// function that reads it reads it here, so they cannot disagree.
pub fn min_records(env: &impl EnvSource) -> Result<u64, ConfigError> {
    int_in_range(
        env,
        vars::MIN_RECORDS,
        vars::DEFAULT_MIN_RECORDS,
        1,
        u64::MAX / 2,
    )
}

/// An SNS topic ARN (`arn:{partition}:sns:{region}:{account}:{name}`), or `None` when unset.
pub fn topic_arn(env: &impl EnvSource, var: &str) -> Result<Option<String>, ConfigError> {
    let Some(v) = optional(env, var) else {
        return Ok(None);
    };
    let parts: Vec<&str> = v.splitn(6, ':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && !parts[1].is_empty()
        && parts[2] == "sns"
        && parts[5]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        && !parts[5].is_empty();
    if !ok {
        return Err(ConfigError::invalid(
            var,
            &v,
            "expected an SNS topic ARN (arn:aws:sns:region:account:name)",
        ));
    }
    Ok(Some(v))
}

/// A required SNS topic ARN ([`topic_arn`]).
pub fn topic_arn_required(env: &impl EnvSource, var: &str) -> Result<String, ConfigError> {
    topic_arn(env, var)?.ok_or_else(|| ConfigError::Missing {
        var: var.to_owned(),
    })
}

/// An AWS region name (`us-east-1`, `eu-west-3`, `us-gov-west-1`, `cn-north-1`): lowercase
/// letters, digits and `-`, at most 32 characters. Anything else is refused so that a region
/// can go into a console URL as it is.
pub fn is_region(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && s.contains('-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// `AWS_REGION` (else `AWS_DEFAULT_REGION`), when set to a valid region name ([`is_region`]).
pub fn region(env: &impl EnvSource) -> Result<Option<String>, ConfigError> {
    for var in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
        if let Some(r) = optional(env, var) {
            if !is_region(&r) {
                return Err(ConfigError::invalid(var, &r, "not an AWS region name"));
            }
            return Ok(Some(r));
        }
    }
    Ok(None)
}

/// A SageMaker pipeline parameter name (1–256 characters of `A-Z a-z 0-9 - _`), or `default`.
pub fn parameter_name(
    env: &impl EnvSource,
    var: &str,
    default: &str,
) -> Result<String, ConfigError> {
    let v = string_or(env, var, default);
    if v.is_empty()
        || v.len() > 256
        || !v
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(ConfigError::invalid(
            var,
            &v,
            "a pipeline parameter name is 1-256 characters of A-Z a-z 0-9 - _",
        ));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_rules_for_every_function() {
        assert_eq!(min_records(&MapEnv::default()), Ok(100));
        let err = min_records(&MapEnv::from([("MIN_RECORDS", "0")])).unwrap_err();
        assert!(err.to_string().contains("between 1 and"), "{err}");
        let ok = MapEnv::from([("TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:drift-line")]);
        assert!(topic_arn(&ok, "TOPIC_ARN").unwrap().is_some());
        for bad in [
            "x",
            "arn:aws:sqs:us-east-1:1:q",
            "arn:aws:sns:us-east-1:1:",
            "arn:aws:sns:r:1:a b",
        ] {
            let env = MapEnv::from([("TOPIC_ARN", bad)]);
            assert!(topic_arn(&env, "TOPIC_ARN").is_err(), "{bad}");
        }
        assert_eq!(topic_arn(&MapEnv::default(), "TOPIC_ARN"), Ok(None));
        assert!(topic_arn_required(&MapEnv::default(), "TOPIC_ARN").is_err());
        for r in ["us-east-1", "eu-west-3", "us-gov-west-1", "cn-north-1"] {
            assert!(is_region(r), "{r}");
        }
        for r in ["", "US-EAST-1", "evil.com/", "us-east-1\n", "-a", "abc"] {
            assert!(!is_region(r), "{r}");
        }
        let env = MapEnv::from([("AWS_REGION", "x/../y")]);
        assert!(region(&env).is_err());
        let env = MapEnv::from([("AWS_DEFAULT_REGION", "eu-west-1")]);
        assert_eq!(region(&env), Ok(Some("eu-west-1".into())));
        assert!(parameter_name(&MapEnv::from([("P", "has space")]), "P", "d").is_err());
        assert_eq!(
            parameter_name(&MapEnv::default(), "P", "DriftReportUri"),
            Ok("DriftReportUri".into())
        );
    }

    #[test]
    fn missing_and_blank_required_values_name_the_variable() {
        let env = MapEnv::from([("DRIFTLINE_BUCKET", "  ")]);
        let err = required(&env, "DRIFTLINE_BUCKET").unwrap_err();
        assert_eq!(err.to_string(), "DRIFTLINE_BUCKET is required but not set");
        let err = required(&MapEnv::default(), "PIPELINE_NAME").unwrap_err();
        assert_eq!(
            err,
            ConfigError::Missing {
                var: "PIPELINE_NAME".into()
            }
        );
    }

    #[test]
    fn numbers_parse_with_defaults_and_ranges() {
        let mut env = MapEnv::default();
        assert_eq!(parse_or::<u64>(&env, vars::MIN_RECORDS, 100), Ok(100));
        env.set(vars::MIN_RECORDS, " 250 ");
        assert_eq!(parse_or::<u64>(&env, vars::MIN_RECORDS, 100), Ok(250));
        env.set(vars::MIN_RECORDS, "-1");
        let err = parse_or::<u64>(&env, vars::MIN_RECORDS, 100).unwrap_err();
        assert!(
            err.to_string().starts_with("MIN_RECORDS=\"-1\" is invalid"),
            "{err}"
        );
        env.set(vars::CONFIRM_K, "0");
        let err = int_in_range::<u32>(&env, vars::CONFIRM_K, 2, 1, 24).unwrap_err();
        assert_eq!(
            err.to_string(),
            "CONFIRM_K=\"0\" is invalid: must be between 1 and 24"
        );
        env.set(vars::CONFIRM_K, "3");
        assert_eq!(int_in_range::<u32>(&env, vars::CONFIRM_K, 2, 1, 24), Ok(3));
    }

    #[test]
    fn booleans_and_enumerations() {
        let mut env = MapEnv::default();
        assert_eq!(bool_or(&env, vars::DRY_RUN, false), Ok(false));
        for (v, want) in [("TRUE", true), ("1", true), ("no", false), ("Off", false)] {
            env.set(vars::DRY_RUN, v);
            assert_eq!(bool_or(&env, vars::DRY_RUN, false), Ok(want), "{v}");
        }
        env.set(vars::DRY_RUN, "maybe");
        let err = bool_or(&env, vars::DRY_RUN, false).unwrap_err();
        assert!(err.to_string().contains("DRY_RUN=\"maybe\""), "{err}");

        env.set(vars::OUTPUT_COLUMNS_POSITION, "end");
        assert_eq!(
            one_of(
                &env,
                vars::OUTPUT_COLUMNS_POSITION,
                "START",
                &["START", "END"]
            ),
            Ok("END")
        );
        env.set(vars::OUTPUT_COLUMNS_POSITION, "MIDDLE");
        let err = one_of(
            &env,
            vars::OUTPUT_COLUMNS_POSITION,
            "START",
            &["START", "END"],
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "OUTPUT_COLUMNS_POSITION=\"MIDDLE\" is invalid: expected one of [\"START\", \"END\"]"
        );
    }

    #[test]
    fn prefixes_normalise_and_overlap_by_segments() {
        let env = MapEnv::from([("P", "/drift/line/")]);
        assert_eq!(prefix_or(&env, "P", "x").unwrap(), "drift/line");
        assert!(prefix_or(&MapEnv::from([("P", "a//b")]), "P", "x").is_err());
        assert!(prefix_or(&MapEnv::from([("P", "a/../b")]), "P", "x").is_err());

        assert!(prefixes_overlap("driftline", "driftline"));
        assert!(prefixes_overlap("driftline/", "/driftline"));
        assert!(prefixes_overlap("data", "data/capture"));
        assert!(prefixes_overlap("data/capture", "data"));
        assert!(prefixes_overlap("", "datacapture"));
        assert!(!prefixes_overlap("driftline", "driftline-capture"));
        assert!(!prefixes_overlap("driftline", "datacapture"));
        assert!(!prefixes_overlap("a/b", "a/c"));

        let err = check_prefixes_disjoint("DRIFTLINE_PREFIX", "data", "CAPTURE_PREFIX", "data/cap")
            .unwrap_err();
        assert!(
            err.to_string().contains("DRIFTLINE_PREFIX=\"data\""),
            "{err}"
        );
        assert!(
            err.to_string().contains("CAPTURE_PREFIX=\"data/cap\""),
            "{err}"
        );
    }

    #[test]
    fn common_reads_bucket_and_prefix() {
        let env = MapEnv::from([("DRIFTLINE_BUCKET", "my-bucket")]);
        assert_eq!(
            Common::from_env(&env),
            Ok(Common {
                bucket: "my-bucket".into(),
                prefix: "driftline".into()
            })
        );
        let env = MapEnv::from([("DRIFTLINE_BUCKET", "My_Bucket")]);
        let err = Common::from_env(&env).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("DRIFTLINE_BUCKET=\"My_Bucket\" is invalid"),
            "{err}"
        );
        assert!(Common::from_env(&MapEnv::default()).is_err());
    }
}
