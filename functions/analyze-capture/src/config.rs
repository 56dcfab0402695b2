//! analyze-capture's configuration, read once at start-up from the environment
//! (the README lists every variable and its default).

use driftline_aws::config::{
    self as cfg, check_prefixes_disjoint, vars, Common, ConfigError, EnvSource,
};
use driftline_aws::keys::Span;
use driftline_capture::predictions::{Attribute, PredictionSpec};
use driftline_capture::{CaptureIndex, CaptureOptions, ColumnsPosition};

/// Validated configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Bucket and prefix of everything driftline writes.
    pub common: Common,
    /// Prefix under which Data Capture writes (the trigger prefix).
    pub capture_prefix: String,
    /// Below this many records a window is "insufficient data".
    pub min_records: u64,
    /// The drift decision policy (`DRIFT_POLICY` overrides of the defaults).
    pub policy: driftline_stats::drift::PolicyConfig,
    /// `MonitoringSchedule` dimension of the SageMaker-named metrics.
    pub monitoring_schedule: String,
    /// Namespace of driftline's own metrics.
    pub metrics_namespace: String,
    /// Also emit `feature_*` metrics in SageMaker's namespace.
    pub emit_sagemaker_metrics: bool,
    /// Capture reader limits and column placement.
    pub capture: CaptureOptions,
    /// How many earlier windows the report's trend lines look back.
    pub history_windows: u32,
    /// Where the prediction is in the output, when predictions are recorded for the
    /// model-quality join (`RECORD_PREDICTIONS`, default true).
    pub predictions: Option<PredictionSpec>,
    /// The windows reported besides the hour (`WINDOWS`): [`Span::Day`],
    /// [`Span::Last24Hours`], in that order, each at most once.
    pub longer_windows: Vec<Span>,
}

/// Reads `WINDOWS`: a comma list of `hour`, `day`, `last-24h`; returns the spans other than
/// the hour (which is always kept), in a fixed order.
pub fn longer_windows(env: &impl EnvSource) -> Result<Vec<Span>, ConfigError> {
    let raw = cfg::string_or(env, vars::WINDOWS, vars::DEFAULT_WINDOWS);
    let mut out = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match Span::parse(part) {
            Some(Span::Hour) => {}
            Some(s) => out.push(s),
            None => {
                return Err(ConfigError::invalid(
                    vars::WINDOWS,
                    &raw,
                    format!("{part:?} is not a window: expected hour, day or last-24h"),
                ))
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Reads an attribute variable (`INFERENCE_ATTRIBUTE`, `PROBABILITY_ATTRIBUTE`).
pub fn attribute(env: &impl EnvSource, var: &str) -> Result<Option<Attribute>, ConfigError> {
    match cfg::optional(env, var) {
        None => Ok(None),
        Some(v) => Attribute::parse(&v)
            .map(Some)
            .ok_or_else(|| ConfigError::invalid(var, &v, "expected a column index or a JSON path")),
    }
}

/// The prediction spec from `INFERENCE_ATTRIBUTE`, `PROBABILITY_ATTRIBUTE`,
/// `PROBABILITY_THRESHOLD` (no attribute: the first output column is the prediction).
pub fn prediction_spec(env: &impl EnvSource) -> Result<PredictionSpec, ConfigError> {
    let inference = attribute(env, vars::INFERENCE_ATTRIBUTE)?;
    let probability = attribute(env, vars::PROBABILITY_ATTRIBUTE)?;
    let threshold = cfg::parse_or(env, vars::PROBABILITY_THRESHOLD, 0.5f64)?;
    if !(0.0..=1.0).contains(&threshold) {
        return Err(ConfigError::invalid(
            vars::PROBABILITY_THRESHOLD,
            &threshold.to_string(),
            "must be between 0 and 1",
        ));
    }
    if inference.is_none() && probability.is_none() {
        return Ok(PredictionSpec {
            threshold,
            ..PredictionSpec::default()
        });
    }
    Ok(PredictionSpec {
        inference,
        probability,
        threshold,
    })
}

impl Config {
    /// Reads and validates every variable; the error names the variable and the bad value.
    /// Refuses a driftline prefix that overlaps the capture prefix (a recursion hazard).
    pub fn from_env(env: &impl EnvSource) -> Result<Self, ConfigError> {
        let common = Common::from_env(env)?;
        let capture_prefix =
            cfg::prefix_or(env, vars::CAPTURE_PREFIX, vars::DEFAULT_CAPTURE_PREFIX)?;
        check_prefixes_disjoint(
            vars::DRIFTLINE_PREFIX,
            &common.prefix,
            vars::CAPTURE_PREFIX,
            &capture_prefix,
        )?;
        let min_records = cfg::min_records(env)?;
        let policy_spec = cfg::string_or(env, vars::DRIFT_POLICY, "");
        let policy = driftline_stats::drift::PolicyConfig::default()
            .with_overrides(&policy_spec)
            .map_err(|e| ConfigError::invalid(vars::DRIFT_POLICY, &policy_spec, e))?;
        let max_line_bytes = cfg::int_in_range(
            env,
            vars::MAX_LINE_BYTES,
            vars::DEFAULT_MAX_LINE_BYTES,
            64,
            256 * 1024 * 1024,
        )?;
        let max_records = cfg::int_in_range(
            env,
            vars::MAX_RECORDS,
            vars::DEFAULT_MAX_RECORDS,
            1,
            u64::MAX / 2,
        )?;
        let position = cfg::one_of(
            env,
            vars::OUTPUT_COLUMNS_POSITION,
            vars::DEFAULT_OUTPUT_COLUMNS_POSITION,
            &["START", "END"],
        )?;
        let output_columns_position = if position == "END" {
            ColumnsPosition::End
        } else {
            ColumnsPosition::Start
        };
        let capture_index = cfg::parse_or(env, vars::CAPTURE_INDEX_NAMES, CaptureIndex::BOTH)?;
        let monitoring_schedule = cfg::string_or(
            env,
            vars::MONITORING_SCHEDULE,
            vars::DEFAULT_MONITORING_SCHEDULE,
        );
        let metrics_namespace = cfg::string_or(
            env,
            vars::METRICS_NAMESPACE,
            vars::DEFAULT_METRICS_NAMESPACE,
        );
        let emit_sagemaker_metrics = cfg::bool_or(
            env,
            vars::EMIT_SAGEMAKER_METRICS,
            vars::DEFAULT_EMIT_SAGEMAKER_METRICS,
        )?;
        Ok(Config {
            common,
            capture_prefix,
            min_records,
            policy,
            monitoring_schedule,
            metrics_namespace,
            emit_sagemaker_metrics,
            capture: CaptureOptions {
                max_line_bytes: max_line_bytes as usize,
                max_records,
                output_columns_position,
                capture_index,
                ..CaptureOptions::default()
            },
            history_windows: 24,
            longer_windows: longer_windows(env)?,
            predictions: if cfg::bool_or(env, vars::RECORD_PREDICTIONS, true)? {
                Some(prediction_spec(env)?)
            } else {
                None
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftline_aws::config::MapEnv;

    #[test]
    fn defaults_and_validation() {
        let env = MapEnv::from([("DRIFTLINE_BUCKET", "my-bucket")]);
        let c = Config::from_env(&env).unwrap();
        assert_eq!(c.capture_prefix, "datacapture");
        assert_eq!(c.common.prefix, "driftline");
        assert_eq!(c.min_records, 100);
        assert_eq!(c.capture.max_line_bytes, 1_048_576);
        assert_eq!(c.capture.output_columns_position, ColumnsPosition::Start);

        let err = Config::from_env(&MapEnv::default()).unwrap_err();
        assert!(err.to_string().contains("DRIFTLINE_BUCKET"), "{err}");

        assert_eq!(c.policy, driftline_stats::drift::PolicyConfig::default());
        let tuned = MapEnv::from([
            ("DRIFTLINE_BUCKET", "b-1"),
            ("DRIFT_POLICY", "alpha=0.005, weight_scale=0"),
        ]);
        let p = Config::from_env(&tuned).unwrap().policy;
        assert_eq!((p.alpha, p.weight_scale), (0.005, 0.0));
        for bad in [
            "alpha=1.5",
            "weight=1",
            "alpha",
            "weight_location=0,weight_anderson=0,weight_ks=0,weight_scale=0",
        ] {
            let env = MapEnv::from([("DRIFTLINE_BUCKET", "b-1"), ("DRIFT_POLICY", bad)]);
            let err = Config::from_env(&env).unwrap_err().to_string();
            assert!(err.contains("DRIFT_POLICY"), "{bad}: {err}");
        }

        let bad = MapEnv::from([("DRIFTLINE_BUCKET", "b-1"), ("MIN_RECORDS", "many")]);
        let err = Config::from_env(&bad).unwrap_err().to_string();
        assert!(err.contains("MIN_RECORDS") && err.contains("many"), "{err}");

        let pos = MapEnv::from([
            ("DRIFTLINE_BUCKET", "b-1"),
            ("OUTPUT_COLUMNS_POSITION", "end"),
        ]);
        assert_eq!(
            Config::from_env(&pos)
                .unwrap()
                .capture
                .output_columns_position,
            ColumnsPosition::End
        );
    }

    #[test]
    fn capture_index_names() {
        let c = Config::from_env(&MapEnv::from([("DRIFTLINE_BUCKET", "b-1")])).unwrap();
        assert_eq!(c.capture.capture_index, CaptureIndex::BOTH);
        let env = MapEnv::from([
            ("DRIFTLINE_BUCKET", "b-1"),
            ("CAPTURE_INDEX_NAMES", "endpointInput"),
        ]);
        assert_eq!(
            Config::from_env(&env).unwrap().capture.capture_index,
            CaptureIndex::INPUT
        );
        let bad = MapEnv::from([
            ("DRIFTLINE_BUCKET", "b-1"),
            ("CAPTURE_INDEX_NAMES", "endpointInput,features"),
        ]);
        let err = Config::from_env(&bad).unwrap_err().to_string();
        assert!(
            err.contains("CAPTURE_INDEX_NAMES") && err.contains("features"),
            "{err}"
        );
    }

    #[test]
    fn windows_setting() {
        let c = Config::from_env(&MapEnv::from([("DRIFTLINE_BUCKET", "b-1")])).unwrap();
        assert!(c.longer_windows.is_empty(), "hourly only by default");
        let env = MapEnv::from([
            ("DRIFTLINE_BUCKET", "b-1"),
            ("WINDOWS", "last-24h, hour,day,day"),
        ]);
        assert_eq!(
            Config::from_env(&env).unwrap().longer_windows,
            [Span::Day, Span::Last24Hours]
        );
        let bad = MapEnv::from([("DRIFTLINE_BUCKET", "b-1"), ("WINDOWS", "hour,week")]);
        let err = Config::from_env(&bad).unwrap_err().to_string();
        assert!(err.contains("WINDOWS") && err.contains("week"), "{err}");
    }

    #[test]
    fn refuses_overlapping_prefixes() {
        for (out, cap) in [
            ("data", "data/capture"),
            ("x/y", "x/y"),
            ("", "datacapture"),
        ] {
            let env = MapEnv::from([
                ("DRIFTLINE_BUCKET", "b-1"),
                ("DRIFTLINE_PREFIX", out),
                ("CAPTURE_PREFIX", cap),
            ]);
            let res = Config::from_env(&env);
            // An empty DRIFTLINE_PREFIX falls back to the default, which does not overlap.
            if out.is_empty() {
                assert!(res.is_ok());
            } else {
                let err = res.unwrap_err().to_string();
                assert!(err.contains("DRIFTLINE_PREFIX"), "{err}");
            }
        }
    }
}
