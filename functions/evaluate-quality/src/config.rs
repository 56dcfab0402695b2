//! evaluate-quality's configuration, read once at start-up through the shared configuration
//! library; the README's "Configuration" table lists every variable.

use driftline_aws::config::{
    self as cfg, check_prefixes_disjoint, vars, Common, ConfigError, EnvSource,
};
use driftline_stats::quality::state::ProblemType;

/// Longest `GROUND_TRUTH_LOOKBACK_HOURS` accepted (90 days).
pub const MAX_LOOKBACK_HOURS: u32 = 24 * 90;

/// Validated configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Bucket and prefix of everything driftline writes.
    pub common: Common,
    /// Where ground-truth files arrive (the trigger prefix).
    pub ground_truth_prefix: String,
    /// The problem type, when set (else the model-quality baseline's).
    pub problem_type: Option<ProblemType>,
    /// Probability from which a predicted label is 1.
    pub probability_threshold: f64,
    /// Hours before the label file's hour searched for predictions.
    pub lookback_hours: u32,
    /// Variants whose predictions are searched.
    pub variants: Vec<String>,
    /// Below this many labelled pairs: no verdict.
    pub min_labels: u64,
    /// `MonitoringSchedule` dimension of the SageMaker-named metrics.
    pub monitoring_schedule: String,
    /// Namespace of driftline's own metrics.
    pub metrics_namespace: String,
    /// Also emit the metrics in SageMaker's model-metrics namespace.
    pub emit_sagemaker_metrics: bool,
    /// Longer ground-truth lines are faults.
    pub max_line_bytes: usize,
    /// Windows looked at for the quality-confirmed metric (`CONFIRM_N`).
    pub confirm_n: usize,
}

impl Config {
    /// Reads and validates every variable; refuses a ground-truth prefix that overlaps the
    /// driftline prefix (the function would read its own output).
    pub fn from_env(env: &impl EnvSource) -> Result<Self, ConfigError> {
        let common = Common::from_env(env)?;
        let ground_truth_prefix = cfg::prefix_or(
            env,
            vars::GROUND_TRUTH_PREFIX,
            vars::DEFAULT_GROUND_TRUTH_PREFIX,
        )?;
        check_prefixes_disjoint(
            vars::DRIFTLINE_PREFIX,
            &common.prefix,
            vars::GROUND_TRUTH_PREFIX,
            &ground_truth_prefix,
        )?;
        let problem_type = match cfg::optional(env, vars::PROBLEM_TYPE) {
            None => None,
            Some(v) => Some(ProblemType::parse(&v).ok_or_else(|| {
                ConfigError::invalid(
                    vars::PROBLEM_TYPE,
                    &v,
                    "expected BinaryClassification, MulticlassClassification or Regression",
                )
            })?),
        };
        let probability_threshold = cfg::parse_or(env, vars::PROBABILITY_THRESHOLD, 0.5f64)?;
        if !(0.0..=1.0).contains(&probability_threshold) {
            return Err(ConfigError::invalid(
                vars::PROBABILITY_THRESHOLD,
                &probability_threshold.to_string(),
                "must be between 0 and 1",
            ));
        }
        let variants: Vec<String> = cfg::string_or(env, vars::VARIANTS, vars::DEFAULT_VARIANTS)
            .split(',')
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect();
        if variants.is_empty() || variants.iter().any(|v| v.contains('/')) {
            return Err(ConfigError::invalid(
                vars::VARIANTS,
                &variants.join(","),
                "a comma-separated list of variant names (no '/')",
            ));
        }
        Ok(Config {
            common,
            ground_truth_prefix,
            problem_type,
            probability_threshold,
            lookback_hours: cfg::int_in_range(
                env,
                vars::GROUND_TRUTH_LOOKBACK_HOURS,
                vars::DEFAULT_GROUND_TRUTH_LOOKBACK_HOURS,
                0,
                MAX_LOOKBACK_HOURS,
            )?,
            variants,
            min_labels: cfg::int_in_range(
                env,
                vars::MIN_LABELS,
                vars::DEFAULT_MIN_LABELS,
                1,
                u64::MAX / 2,
            )?,
            monitoring_schedule: cfg::string_or(
                env,
                vars::MONITORING_SCHEDULE,
                vars::DEFAULT_MONITORING_SCHEDULE,
            ),
            metrics_namespace: cfg::string_or(
                env,
                vars::METRICS_NAMESPACE,
                vars::DEFAULT_METRICS_NAMESPACE,
            ),
            emit_sagemaker_metrics: cfg::bool_or(
                env,
                vars::EMIT_SAGEMAKER_METRICS,
                vars::DEFAULT_EMIT_SAGEMAKER_METRICS,
            )?,
            max_line_bytes: cfg::int_in_range(
                env,
                vars::MAX_LINE_BYTES,
                vars::DEFAULT_MAX_LINE_BYTES,
                64,
                256 * 1024 * 1024,
            )? as usize,
            confirm_n: cfg::int_in_range(
                env,
                vars::CONFIRM_N,
                vars::DEFAULT_CONFIRM_N as usize,
                1,
                168,
            )?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftline_aws::config::MapEnv;

    #[test]
    fn defaults_and_refusals() {
        let c = Config::from_env(&MapEnv::from([("DRIFTLINE_BUCKET", "bkt")])).unwrap();
        assert_eq!(c.ground_truth_prefix, "groundtruth");
        assert_eq!(c.variants, ["AllTraffic"]);
        assert_eq!((c.lookback_hours, c.min_labels), (168, 50));
        assert_eq!(c.problem_type, None);
        for (var, bad) in [
            ("GROUND_TRUTH_PREFIX", "driftline/gt"),
            ("PROBLEM_TYPE", "ranking"),
            ("PROBABILITY_THRESHOLD", "1.5"),
            ("VARIANTS", " , "),
            ("MIN_LABELS", "0"),
            ("GROUND_TRUTH_LOOKBACK_HOURS", "100000"),
        ] {
            let mut env = MapEnv::from([("DRIFTLINE_BUCKET", "bkt")]);
            env.set(var, bad);
            let e = Config::from_env(&env).unwrap_err().to_string();
            assert!(e.contains(var), "{var}: {e}");
        }
        let env = MapEnv::from([
            ("DRIFTLINE_BUCKET", "bkt"),
            ("PROBLEM_TYPE", "regression"),
            ("VARIANTS", "A, B"),
        ]);
        let c = Config::from_env(&env).unwrap();
        assert_eq!(c.problem_type, Some(ProblemType::Regression));
        assert_eq!(c.variants, ["A", "B"]);
    }
}
