//! [`PipelineRunner`] on SageMaker Pipelines (`aws-sdk-sagemaker`).

use crate::ports::{ExecutionInfo, PipelineRunner, PortError, PortResult, StartRequest};
use crate::sdk_error::map_sdk_error;
use aws_sdk_sagemaker::primitives::DateTimeFormat;
use aws_sdk_sagemaker::types::{Parameter, SortOrder, SortPipelineExecutionsBy};
use aws_sdk_sagemaker::Client;

/// How many recent executions [`SageMakerPipelines::list_executions`] returns at most (one
/// page; SageMaker's maximum page size).
pub const LIST_LIMIT: i32 = 100;

/// Starts and lists pipeline executions.
#[derive(Debug, Clone)]
pub struct SageMakerPipelines {
    client: Client,
}

impl SageMakerPipelines {
    /// Wraps a client.
    pub fn new(client: Client) -> Self {
        SageMakerPipelines { client }
    }

    /// The underlying client.
    pub fn client(&self) -> &Client {
        &self.client
    }
}

impl PipelineRunner for SageMakerPipelines {
    /// The most recent executions (up to [`LIST_LIMIT`]), newest first.
    async fn list_executions(&self, pipeline: &str) -> PortResult<Vec<ExecutionInfo>> {
        let out = self
            .client
            .list_pipeline_executions()
            .pipeline_name(pipeline)
            .sort_by(SortPipelineExecutionsBy::CreationTime)
            .sort_order(SortOrder::Descending)
            .max_results(LIST_LIMIT)
            .send()
            .await
            .map_err(|e| map_sdk_error(&format!("ListPipelineExecutions {pipeline}"), e))?;
        let mut list: Vec<(Option<i128>, ExecutionInfo)> = out
            .pipeline_execution_summaries()
            .iter()
            .filter_map(|s| {
                let info = ExecutionInfo {
                    arn: s.pipeline_execution_arn()?.to_owned(),
                    status: s
                        .pipeline_execution_status()
                        .map(|st| st.as_str().to_owned())
                        .unwrap_or_default(),
                    start_time: s
                        .start_time()
                        .and_then(|t| t.fmt(DateTimeFormat::DateTime).ok()),
                    display_name: s.pipeline_execution_display_name().map(str::to_owned),
                };
                Some((s.start_time().map(|t| t.as_nanos()), info))
            })
            .collect();
        // Asked for newest first; make sure of it (a missing start time goes last). The sort is
        // stable, so ties keep the service's order.
        list.sort_by_key(|(t, _)| std::cmp::Reverse(*t));
        Ok(list.into_iter().map(|(_, info)| info).collect())
    }

    async fn start(&self, request: StartRequest) -> PortResult<String> {
        let params: Vec<Parameter> = request
            .parameters
            .iter()
            .map(|(name, value)| Parameter::builder().name(name).value(value).build())
            .collect();
        let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        let out = self
            .client
            .start_pipeline_execution()
            .pipeline_name(&request.pipeline)
            .client_request_token(&request.client_request_token)
            .set_pipeline_execution_display_name(non_empty(&request.display_name))
            .set_pipeline_execution_description(non_empty(&request.description))
            .set_pipeline_parameters((!params.is_empty()).then_some(params))
            .send()
            .await
            .map_err(|e| {
                map_sdk_error(&format!("StartPipelineExecution {}", request.pipeline), e)
            })?;
        out.pipeline_execution_arn()
            .map(str::to_owned)
            .ok_or_else(|| {
                PortError::Permanent(format!(
                    "StartPipelineExecution {}: response without an execution ARN",
                    request.pipeline
                ))
            })
    }
}
