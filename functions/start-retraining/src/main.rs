//! Lambda entry point of start-retraining: JSON logs, configuration and clients once, then
//! the runtime loop.
// Outside tests nothing may panic on a None or an Err (issue 16): errors are values.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

use driftline_aws::clients::{s3_client, sagemaker_client, sdk_config, sns_client};
use driftline_aws::s3::S3Store;
use driftline_aws::sagemaker::SageMakerPipelines;
use driftline_aws::sns::SnsNotifier;
use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use serde_json::Value;
use start_retraining::config::Config;
use start_retraining::handler::{handle, Deps};

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
        pipelines: SageMakerPipelines::new(sagemaker_client(&sdk)),
        notifier: config
            .topic_arn
            .clone()
            .map(|arn| SnsNotifier::new(sns_client(&sdk), arn)),
        config,
    };
    let deps = &deps;
    run(service_fn(move |event: LambdaEvent<Value>| async move {
        handle(deps, event, chrono::Utc::now()).await
    }))
    .await
}
