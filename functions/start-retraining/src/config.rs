//! start-retraining's configuration, read once at start-up through the shared configuration
//! library ([`driftline_aws::config`]); the README's "Configuration" table lists every variable.

use driftline_aws::config::{self as cfg, vars, Common, ConfigError, EnvSource};
use driftline_aws::keys::Span;

/// start-retraining's settings (also written into every audit record).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Config {
    /// `DRIFTLINE_BUCKET` and `DRIFTLINE_PREFIX`.
    #[serde(flatten)]
    pub common: Common,
    /// `MIN_RECORDS` (default 100, at least 1): windows with fewer records are not evidence.
    pub min_records: u64,
    /// `PIPELINE_NAME` (required).
    pub pipeline_name: String,
    /// `CONFIRM_K` (default 2).
    pub confirm_k: usize,
    /// `CONFIRM_N` (default 3).
    pub confirm_n: usize,
    /// `ALARM_WINDOW` (default `hour`): whose summaries are counted (the confirmation alarm
    /// watches the same windows' metrics).
    pub confirm_window: Span,
    /// `COOLDOWN_MINUTES` (default 360).
    pub cooldown_minutes: i64,
    /// `DRY_RUN` (default false).
    pub dry_run: bool,
    /// `PARAM_REPORT_URI` (default `DriftReportUri`).
    pub param_report_uri: String,
    /// `PARAM_DRIFTED_FEATURES` (default `DriftedFeatures`).
    pub param_drifted_features: String,
    /// `PARAM_TRIGGER_TIME` (default `DriftTriggerTime`).
    pub param_trigger_time: String,
    /// `TOPIC_ARN` (optional): a short note is published when a run starts or is refused.
    pub topic_arn: Option<String>,
    /// `ENDPOINT_NAME`: fallback when the alarm has no endpoint dimension.
    pub endpoint_name: Option<String>,
    /// `ALARM_GROUPING=incident` (the default): the confirmation's one e-mail is this
    /// function's note, sent for every decision but a retry's `already-started` (notify-alarm
    /// is not a target of the confirmation rules). `each`: notes only when a run started or
    /// was refused (notify-alarm e-mails the confirmation itself).
    pub incident_notes: bool,
}

/// Largest `CONFIRM_N` accepted (one week of hourly windows).
pub const MAX_CONFIRM_N: usize = 168;

/// Longest `COOLDOWN_MINUTES` accepted (one year).
pub const MAX_COOLDOWN_MINUTES: i64 = 525_600;

impl Config {
    /// Reads and validates every variable; the error names the variable and the bad value.
    pub fn from_env(env: &impl EnvSource) -> Result<Self, ConfigError> {
        let confirm_n = cfg::int_in_range(
            env,
            vars::CONFIRM_N,
            vars::DEFAULT_CONFIRM_N as usize,
            1,
            MAX_CONFIRM_N,
        )?;
        let confirm_k = cfg::int_in_range(
            env,
            vars::CONFIRM_K,
            vars::DEFAULT_CONFIRM_K as usize,
            1,
            MAX_CONFIRM_N,
        )?;
        if confirm_k > confirm_n {
            return Err(ConfigError::Conflict {
                var: vars::CONFIRM_K.into(),
                value: confirm_k.to_string(),
                other_var: vars::CONFIRM_N.into(),
                other_value: confirm_n.to_string(),
                reason: "k windows cannot be more than the n windows looked at".into(),
            });
        }
        Ok(Config {
            common: Common::from_env(env)?,
            min_records: cfg::min_records(env)?,
            pipeline_name: cfg::required(env, vars::PIPELINE_NAME)?,
            confirm_k,
            confirm_n,
            confirm_window: cfg::span_or(env, vars::ALARM_WINDOW, Span::Hour)?,
            cooldown_minutes: cfg::int_in_range(
                env,
                vars::COOLDOWN_MINUTES,
                vars::DEFAULT_COOLDOWN_MINUTES as i64,
                0,
                MAX_COOLDOWN_MINUTES,
            )?,
            dry_run: cfg::bool_or(env, vars::DRY_RUN, vars::DEFAULT_DRY_RUN)?,
            param_report_uri: cfg::parameter_name(
                env,
                vars::PARAM_REPORT_URI,
                vars::DEFAULT_PARAM_REPORT_URI,
            )?,
            param_drifted_features: cfg::parameter_name(
                env,
                vars::PARAM_DRIFTED_FEATURES,
                vars::DEFAULT_PARAM_DRIFTED_FEATURES,
            )?,
            param_trigger_time: cfg::parameter_name(
                env,
                vars::PARAM_TRIGGER_TIME,
                vars::DEFAULT_PARAM_TRIGGER_TIME,
            )?,
            topic_arn: cfg::topic_arn(env, vars::TOPIC_ARN)?,
            endpoint_name: cfg::optional(env, vars::ENDPOINT_NAME),
            incident_notes: cfg::one_of(
                env,
                vars::ALARM_GROUPING,
                vars::DEFAULT_ALARM_GROUPING,
                &["incident", "each"],
            )? == "incident",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftline_aws::config::MapEnv;

    fn cfg(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let mut env = MapEnv::from([("DRIFTLINE_BUCKET", "bkt"), ("PIPELINE_NAME", "p")]);
        for (k, v) in pairs {
            env.set(k, v);
        }
        Config::from_env(&env)
    }

    #[test]
    fn defaults_follow_the_contract() {
        let c = cfg(&[]).unwrap();
        assert_eq!((c.confirm_k, c.confirm_n, c.cooldown_minutes), (2, 3, 360));
        assert_eq!(c.min_records, 100);
        assert_eq!(c.common.prefix, "driftline");
        assert!(!c.dry_run);
        assert_eq!(c.param_report_uri, "DriftReportUri");
        assert_eq!(c.param_drifted_features, "DriftedFeatures");
        assert_eq!(c.param_trigger_time, "DriftTriggerTime");
        assert!(c.incident_notes);
        assert!(!cfg(&[("ALARM_GROUPING", "each")]).unwrap().incident_notes);
        let e = cfg(&[("ALARM_GROUPING", "some")]).unwrap_err().to_string();
        assert!(e.contains("ALARM_GROUPING"), "{e}");
        // The audit record keeps its flat shape.
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(v["bucket"], "bkt");
        assert_eq!(v["prefix"], "driftline");
    }

    #[test]
    fn bad_values_are_named() {
        for (pairs, var) in [
            (vec![("CONFIRM_K", "4")], "CONFIRM_K"),
            (vec![("CONFIRM_N", "0")], "CONFIRM_N"),
            (vec![("COOLDOWN_MINUTES", "-1")], "COOLDOWN_MINUTES"),
            (vec![("DRY_RUN", "perhaps")], "DRY_RUN"),
            (vec![("PARAM_REPORT_URI", "has space")], "PARAM_REPORT_URI"),
            (vec![("PIPELINE_NAME", "")], "PIPELINE_NAME"),
            (vec![("MIN_RECORDS", "0")], "MIN_RECORDS"),
            (vec![("DRIFTLINE_BUCKET", "B")], "DRIFTLINE_BUCKET"),
            (vec![("DRIFTLINE_PREFIX", "a//b")], "DRIFTLINE_PREFIX"),
            (vec![("TOPIC_ARN", "nope")], "TOPIC_ARN"),
        ] {
            let e = cfg(&pairs).unwrap_err();
            assert!(e.to_string().contains(var), "{e}");
        }
    }
}
