//! start-retraining's configuration (read once at start-up; see docs/ARCHITECTURE.md).

pub use notify_alarm::config::ConfigError;
use notify_alarm::config::{boolean, optional, required};

/// start-retraining's settings.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Config {
    /// `DRIFTLINE_BUCKET`.
    pub bucket: String,
    /// `DRIFTLINE_PREFIX` (default `driftline`).
    pub prefix: String,
    /// `MIN_RECORDS` (default 100): windows with fewer records are not evidence.
    pub min_records: u64,
    /// `PIPELINE_NAME` (required).
    pub pipeline_name: String,
    /// `CONFIRM_K` (default 2).
    pub confirm_k: usize,
    /// `CONFIRM_N` (default 3).
    pub confirm_n: usize,
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
    /// `TOPIC_ARN` (optional): a short note is published when a run starts.
    pub topic_arn: Option<String>,
    /// `ENDPOINT_NAME`: fallback when the alarm has no endpoint dimension.
    pub endpoint_name: Option<String>,
}

/// Largest `CONFIRM_N` accepted (one week of hourly windows).
pub const MAX_CONFIRM_N: usize = 168;

fn integer<T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy>(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: T,
    min: T,
    max: T,
) -> Result<T, ConfigError> {
    let Some(v) = optional(get, name) else {
        return Ok(default);
    };
    match v.parse::<T>() {
        Ok(x) if x >= min && x <= max => Ok(x),
        _ => Err(ConfigError::Invalid {
            name,
            value: v,
            why: format!("expected an integer in {min}..={max}"),
        }),
    }
}

/// SageMaker pipeline parameter names: 1–256 characters of `[A-Za-z0-9_-]`.
fn param_name(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: &str,
) -> Result<String, ConfigError> {
    let v = optional(get, name).unwrap_or_else(|| default.to_string());
    if v.is_empty()
        || v.len() > 256
        || !v
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(ConfigError::Invalid {
            name,
            value: v,
            why: "a pipeline parameter name is 1-256 characters of A-Z a-z 0-9 - _".into(),
        });
    }
    Ok(v)
}

impl Config {
    /// Reads the configuration through `get` (e.g. `|k| std::env::var(k).ok()`).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let confirm_n = integer(&get, "CONFIRM_N", 3usize, 1, MAX_CONFIRM_N)?;
        let confirm_k = integer(&get, "CONFIRM_K", 2usize, 1, MAX_CONFIRM_N)?;
        if confirm_k > confirm_n {
            return Err(ConfigError::Invalid {
                name: "CONFIRM_K",
                value: confirm_k.to_string(),
                why: format!("must not exceed CONFIRM_N ({confirm_n})"),
            });
        }
        Ok(Config {
            bucket: required(&get, "DRIFTLINE_BUCKET")?,
            prefix: optional(&get, "DRIFTLINE_PREFIX").unwrap_or_else(|| "driftline".into()),
            min_records: integer(&get, "MIN_RECORDS", 100u64, 0, u64::MAX)?,
            pipeline_name: required(&get, "PIPELINE_NAME")?,
            confirm_k,
            confirm_n,
            cooldown_minutes: integer(&get, "COOLDOWN_MINUTES", 360i64, 0, 525_600)?,
            dry_run: boolean(&get, "DRY_RUN", false)?,
            param_report_uri: param_name(&get, "PARAM_REPORT_URI", "DriftReportUri")?,
            param_drifted_features: param_name(&get, "PARAM_DRIFTED_FEATURES", "DriftedFeatures")?,
            param_trigger_time: param_name(&get, "PARAM_TRIGGER_TIME", "DriftTriggerTime")?,
            topic_arn: optional(&get, "TOPIC_ARN"),
            endpoint_name: optional(&get, "ENDPOINT_NAME"),
        })
    }

    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cfg(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let mut m: HashMap<String, String> = [("DRIFTLINE_BUCKET", "b"), ("PIPELINE_NAME", "p")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        for (k, v) in pairs {
            m.insert(k.to_string(), v.to_string());
        }
        Config::from_lookup(move |k| m.get(k).cloned())
    }

    #[test]
    fn defaults_follow_the_contract() {
        let c = cfg(&[]).unwrap();
        assert_eq!((c.confirm_k, c.confirm_n, c.cooldown_minutes), (2, 3, 360));
        assert_eq!(c.min_records, 100);
        assert!(!c.dry_run);
        assert_eq!(c.param_report_uri, "DriftReportUri");
        assert_eq!(c.param_drifted_features, "DriftedFeatures");
        assert_eq!(c.param_trigger_time, "DriftTriggerTime");
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
        ] {
            let e = cfg(&pairs).unwrap_err();
            assert!(e.to_string().contains(var), "{e}");
        }
    }
}
