//! `analyze-capture`: wires configuration and clients once, then serves S3 events.
// Outside tests nothing may panic on a None or an Err (issue 16): errors are values.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

use analyze_capture::{config::Config, handler::Handler};
use driftline_aws::clients;
use driftline_aws::config::ProcessEnv;
use driftline_aws::emf::StdoutSink;
use driftline_aws::s3::S3Store;
use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    driftline_aws::logging::init();

    let config = match Config::from_env(&ProcessEnv) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "invalid configuration");
            return Err(e.into());
        }
    };
    let sdk = clients::sdk_config()
        .await
        .inspect_err(|e| tracing::error!(error = %e, "invalid configuration"))?;
    let store = S3Store::new(clients::s3_client(&sdk));
    let handler = Handler::new(store, StdoutSink, config);
    let handler = &handler;
    run(service_fn(move |event: LambdaEvent<Value>| async move {
        handler.handle(event).await
    }))
    .await
}
