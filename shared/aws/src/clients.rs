//! Shared SDK configuration: one `SdkConfig` per process, clients built from it.
//!
//! `aws-config` reads the region, credentials and endpoint from the usual places; in
//! particular `AWS_ENDPOINT_URL` (every service) and `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL_SNS`,
//! … (one service) point the clients at a local emulator. S3 then uses path-style addressing
//! (`http://host/bucket/key`), since virtual-host style (`bucket.host`) does not resolve locally.

use crate::config::{ConfigError, EnvSource, ProcessEnv};
use aws_config::timeout::TimeoutConfig;
use aws_config::BehaviorVersion;
use std::time::Duration;

pub use aws_config::SdkConfig;

/// Default limit of one attempt of an SDK call (connect, send, first byte of the answer), and
/// of a silence in the middle of an S3 body ([`crate::s3::S3Store`]): a stalled connection
/// then fails fast enough for the SDK's retries (3 attempts) and Lambda's to happen inside the
/// function's timeout, instead of holding the invocation until it (issue 16).
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// Limit on opening a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// The SDK timeouts: `DRIFTLINE_ATTEMPT_TIMEOUT_MS` (100–300,000; default
/// [`DEFAULT_ATTEMPT_TIMEOUT`]) bounds each attempt and the wait for its first byte; connecting
/// is bounded by [`CONNECT_TIMEOUT`] (or the attempt timeout when shorter).
pub fn timeout_config(env: &impl EnvSource) -> Result<TimeoutConfig, ConfigError> {
    let default_ms = DEFAULT_ATTEMPT_TIMEOUT.as_millis() as u64;
    let ms = crate::config::int_in_range(
        env,
        "DRIFTLINE_ATTEMPT_TIMEOUT_MS",
        default_ms,
        100,
        300_000,
    )?;
    let attempt = Duration::from_millis(ms);
    Ok(TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT.min(attempt))
        .read_timeout(attempt)
        .operation_attempt_timeout(attempt)
        .build())
}

/// Loads the SDK configuration from the environment (region, credentials, endpoint URLs) with
/// driftline's timeouts ([`timeout_config`]); a bad timeout setting stops start-up.
pub async fn sdk_config() -> Result<SdkConfig, ConfigError> {
    let timeouts = timeout_config(&ProcessEnv)?;
    Ok(aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(timeouts)
        .load()
        .await)
}

/// True when S3 requests go to a configured endpoint rather than AWS's own: the config carries
/// an endpoint URL, or `AWS_ENDPOINT_URL_S3` is set in `env`.
pub fn s3_endpoint_configured(cfg: &SdkConfig, env: &impl EnvSource) -> bool {
    let ignored =
        crate::config::bool_or(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", false).unwrap_or(false);
    cfg.endpoint_url().is_some()
        || (!ignored && crate::config::optional(env, "AWS_ENDPOINT_URL_S3").is_some())
}

/// An S3 client; path-style addressing whenever an endpoint URL is configured.
#[cfg(feature = "s3")]
pub fn s3_client(cfg: &SdkConfig) -> aws_sdk_s3::Client {
    let path_style = s3_endpoint_configured(cfg, &crate::config::ProcessEnv);
    let conf = aws_sdk_s3::config::Builder::from(cfg)
        .force_path_style(path_style)
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

/// An SNS client.
#[cfg(feature = "sns")]
pub fn sns_client(cfg: &SdkConfig) -> aws_sdk_sns::Client {
    aws_sdk_sns::Client::new(cfg)
}

/// A SageMaker client.
#[cfg(feature = "sagemaker")]
pub fn sagemaker_client(cfg: &SdkConfig) -> aws_sdk_sagemaker::Client {
    aws_sdk_sagemaker::Client::new(cfg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::MapEnv;

    #[test]
    fn timeouts_default_and_are_bounded() {
        let t = timeout_config(&MapEnv::default()).unwrap();
        assert_eq!(t.operation_attempt_timeout(), Some(DEFAULT_ATTEMPT_TIMEOUT));
        assert_eq!(t.read_timeout(), Some(DEFAULT_ATTEMPT_TIMEOUT));
        assert_eq!(t.connect_timeout(), Some(CONNECT_TIMEOUT));
        let short = MapEnv::from([("DRIFTLINE_ATTEMPT_TIMEOUT_MS", "1500")]);
        let t = timeout_config(&short).unwrap();
        assert_eq!(
            t.operation_attempt_timeout(),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(t.connect_timeout(), Some(Duration::from_millis(1500)));
        for bad in ["0", "10", "x", "400000"] {
            let env = MapEnv::from([("DRIFTLINE_ATTEMPT_TIMEOUT_MS", bad)]);
            assert!(timeout_config(&env).is_err(), "{bad}");
        }
    }

    #[test]
    fn path_style_follows_endpoint_settings() {
        let plain = SdkConfig::builder().build();
        let local = SdkConfig::builder()
            .endpoint_url("http://127.0.0.1:5000")
            .build();
        assert!(!s3_endpoint_configured(&plain, &MapEnv::default()));
        assert!(s3_endpoint_configured(&local, &MapEnv::default()));
        let s3_only = MapEnv::from([("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9000")]);
        assert!(s3_endpoint_configured(&plain, &s3_only));
        let ignored = MapEnv::from([
            ("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9000"),
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
        ]);
        assert!(!s3_endpoint_configured(&plain, &ignored));
    }
}
