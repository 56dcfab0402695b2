//! Lambda entry point of notify-alarm: JSON logs, configuration and clients once, then the
//! runtime loop.
// Outside tests nothing may panic on a None or an Err (issue 16): errors are values.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

use driftline_aws::clients::{s3_client, sdk_config, sns_client};
use driftline_aws::s3::S3Store;
use driftline_aws::sns::SnsNotifier;
use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use notify_alarm::config::Config;
use notify_alarm::handler::{handle, Deps};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    driftline_aws::logging::init();
    let config = Config::from_env(&driftline_aws::config::ProcessEnv)
        .inspect_err(|e| tracing::error!(error = %e, "bad configuration"))?;
    let sdk = sdk_config()
        .await
        .inspect_err(|e| tracing::error!(error = %e, "invalid configuration"))?;
    let deps = Deps {
        store: S3Store::new(s3_client(&sdk)),
        notifier: SnsNotifier::new(sns_client(&sdk), config.topic_arn.clone()),
        config,
    };
    let deps = &deps;
    run(service_fn(move |event: LambdaEvent<Value>| async move {
        handle(deps, event).await
    }))
    .await
}
