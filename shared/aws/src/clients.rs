//! Shared SDK configuration: one `SdkConfig` per process, clients built from it.
//!
//! `aws-config` reads the region, credentials and endpoint from the usual places; in
//! particular `AWS_ENDPOINT_URL` (every service) and `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL_SNS`,
//! … (one service) point the clients at a local emulator. S3 then uses path-style addressing
//! (`http://host/bucket/key`), since virtual-host style (`bucket.host`) does not resolve locally.

use crate::config::EnvSource;
use aws_config::BehaviorVersion;

pub use aws_config::SdkConfig;

/// Loads the SDK configuration from the environment (region, credentials, endpoint URLs).
pub async fn sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest()).load().await
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
