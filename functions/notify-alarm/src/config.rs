//! notify-alarm's configuration, read once at start-up through the shared configuration
//! library ([`driftline_aws::config`]); the README's "Configuration" table lists every variable.

use driftline_aws::config::{self as cfg, vars, Common, ConfigError, EnvSource};
use driftline_aws::keys::Span;

/// notify-alarm's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `DRIFTLINE_BUCKET` and `DRIFTLINE_PREFIX`.
    pub common: Common,
    /// `TOPIC_ARN` (required).
    pub topic_arn: String,
    /// `NOTIFY_ON_INSUFFICIENT_DATA` (default false).
    pub notify_on_insufficient_data: bool,
    /// `ENDPOINT_NAME`: fallback when the alarm has no endpoint dimension.
    pub endpoint_name: Option<String>,
    /// `VARIANT_NAME`: fallback when the alarm has no variant dimension (a composite alarm).
    pub variant_name: Option<String>,
    /// `AWS_REGION` (for console links when the event has no valid region).
    pub region: Option<String>,
    /// `ALARM_WINDOW` (default `hour`): the window whose report an alarm without a `Window`
    /// dimension (the composite incident alarm) is about.
    pub alarm_window: Span,
}

impl Config {
    /// Reads and validates every variable; the error names the variable and the bad value.
    pub fn from_env(env: &impl EnvSource) -> Result<Self, ConfigError> {
        Ok(Config {
            common: Common::from_env(env)?,
            topic_arn: cfg::topic_arn_required(env, vars::TOPIC_ARN)?,
            notify_on_insufficient_data: cfg::bool_or(
                env,
                vars::NOTIFY_ON_INSUFFICIENT_DATA,
                vars::DEFAULT_NOTIFY_ON_INSUFFICIENT_DATA,
            )?,
            endpoint_name: cfg::optional(env, vars::ENDPOINT_NAME),
            variant_name: cfg::optional(env, vars::VARIANT_NAME),
            region: cfg::region(env)?,
            alarm_window: cfg::span_or(env, vars::ALARM_WINDOW, Span::Hour)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftline_aws::config::MapEnv;

    #[test]
    fn defaults_and_errors() {
        let c = Config::from_env(&MapEnv::from([
            ("DRIFTLINE_BUCKET", "bkt"),
            ("TOPIC_ARN", "arn:aws:sns:us-east-1:1:t"),
        ]))
        .unwrap();
        assert_eq!(c.common.prefix, "driftline");
        assert!(!c.notify_on_insufficient_data);
        assert_eq!(
            Config::from_env(&MapEnv::from([("DRIFTLINE_BUCKET", "bkt")])),
            Err(ConfigError::Missing {
                var: "TOPIC_ARN".into()
            })
        );
        for (var, bad) in [
            ("NOTIFY_ON_INSUFFICIENT_DATA", "maybe"),
            ("TOPIC_ARN", "not-an-arn"),
            ("DRIFTLINE_BUCKET", "Bad_Bucket"),
            ("DRIFTLINE_PREFIX", "a//b"),
            ("AWS_REGION", "evil.example/"),
        ] {
            let mut env = MapEnv::from([
                ("DRIFTLINE_BUCKET", "bkt"),
                ("TOPIC_ARN", "arn:aws:sns:us-east-1:1:t"),
            ]);
            env.set(var, bad);
            let e = Config::from_env(&env).unwrap_err();
            assert!(e.to_string().contains(var), "{e}");
        }
    }
}
