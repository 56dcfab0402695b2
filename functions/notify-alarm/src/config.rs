//! notify-alarm's configuration (read once at start-up; see docs/ARCHITECTURE.md).

/// A missing or invalid environment variable.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// A required variable is unset or empty.
    #[error("environment variable {0} is required")]
    Missing(&'static str),
    /// A variable has a value that cannot be used.
    #[error("environment variable {name}={value:?} is invalid: {why}")]
    Invalid {
        /// Variable name.
        name: &'static str,
        /// Its value.
        value: String,
        /// What is wrong.
        why: String,
    },
}

/// Reads an optional, non-empty, trimmed variable through `get`.
pub fn optional(get: &impl Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    get(name)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Reads a required variable.
pub fn required(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<String, ConfigError> {
    optional(get, name).ok_or(ConfigError::Missing(name))
}

/// Reads a boolean (`true/false/1/0/yes/no`, any case) with a default.
pub fn boolean(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: bool,
) -> Result<bool, ConfigError> {
    match optional(get, name) {
        None => Ok(default),
        Some(v) => match v.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Ok(true),
            "false" | "0" | "no" | "off" => Ok(false),
            _ => Err(ConfigError::Invalid {
                name,
                value: v,
                why: "expected true or false".into(),
            }),
        },
    }
}

/// notify-alarm's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `DRIFTLINE_BUCKET`.
    pub bucket: String,
    /// `DRIFTLINE_PREFIX` (default `driftline`).
    pub prefix: String,
    /// `TOPIC_ARN` (required).
    pub topic_arn: String,
    /// `NOTIFY_ON_INSUFFICIENT_DATA` (default false).
    pub notify_on_insufficient_data: bool,
    /// `ENDPOINT_NAME`: fallback when the alarm has no endpoint dimension.
    pub endpoint_name: Option<String>,
    /// `AWS_REGION` (for console links when the event has no region).
    pub region: Option<String>,
}

impl Config {
    /// Reads the configuration through `get` (e.g. `|k| std::env::var(k).ok()`).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let topic_arn = required(&get, "TOPIC_ARN")?;
        if !topic_arn.starts_with("arn:") {
            return Err(ConfigError::Invalid {
                name: "TOPIC_ARN",
                value: topic_arn,
                why: "expected an SNS topic ARN (arn:aws:sns:…)".into(),
            });
        }
        Ok(Config {
            bucket: required(&get, "DRIFTLINE_BUCKET")?,
            prefix: optional(&get, "DRIFTLINE_PREFIX").unwrap_or_else(|| "driftline".into()),
            topic_arn,
            notify_on_insufficient_data: boolean(&get, "NOTIFY_ON_INSUFFICIENT_DATA", false)?,
            endpoint_name: optional(&get, "ENDPOINT_NAME"),
            region: optional(&get, "AWS_REGION").or_else(|| optional(&get, "AWS_DEFAULT_REGION")),
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

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn defaults_and_errors() {
        let c = Config::from_lookup(lookup(&[
            ("DRIFTLINE_BUCKET", "b"),
            ("TOPIC_ARN", "arn:aws:sns:us-east-1:1:t"),
        ]))
        .unwrap();
        assert_eq!(c.prefix, "driftline");
        assert!(!c.notify_on_insufficient_data);
        assert_eq!(
            Config::from_lookup(lookup(&[("DRIFTLINE_BUCKET", "b")])),
            Err(ConfigError::Missing("TOPIC_ARN"))
        );
        let e = Config::from_lookup(lookup(&[
            ("DRIFTLINE_BUCKET", "b"),
            ("TOPIC_ARN", "arn:aws:sns:us-east-1:1:t"),
            ("NOTIFY_ON_INSUFFICIENT_DATA", "maybe"),
        ]))
        .unwrap_err();
        assert!(e.to_string().contains("NOTIFY_ON_INSUFFICIENT_DATA"));
    }
}
