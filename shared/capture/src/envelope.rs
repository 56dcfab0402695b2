//! Borrowed serde views of the capture envelope (no allocation unless a string has escapes).

use serde::de::IgnoredAny;
use serde::Deserialize;
use std::borrow::Cow;

/// One Data Capture / ground-truth / batch-transform line.
#[derive(Deserialize)]
pub(crate) struct Envelope<'a> {
    #[serde(rename = "captureData", borrow, default)]
    pub capture_data: Option<CaptureDataRaw<'a>>,
    #[serde(rename = "eventMetadata", borrow, default)]
    pub event_metadata: Option<MetaRaw<'a>>,
    #[serde(rename = "groundTruthData", borrow, default)]
    pub ground_truth: Option<PayloadRaw<'a>>,
    #[serde(rename = "SageMakerOutput", default)]
    pub sm_output: Option<IgnoredAny>,
    #[serde(rename = "SageMakerInferenceId", borrow, default)]
    pub sm_inference_id: Option<Cow<'a, str>>,
    #[serde(rename = "SageMakerInferenceTime", borrow, default)]
    pub sm_inference_time: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
pub(crate) struct CaptureDataRaw<'a> {
    #[serde(rename = "endpointInput", borrow, default)]
    pub endpoint_input: Option<PayloadRaw<'a>>,
    #[serde(rename = "endpointOutput", borrow, default)]
    pub endpoint_output: Option<PayloadRaw<'a>>,
    #[serde(rename = "batchTransformOutput", borrow, default)]
    pub batch_transform_output: Option<PayloadRaw<'a>>,
}

#[derive(Deserialize)]
pub(crate) struct PayloadRaw<'a> {
    #[serde(rename = "observedContentType", borrow, default)]
    pub observed_content_type: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub data: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub encoding: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
pub(crate) struct MetaRaw<'a> {
    #[serde(rename = "eventId", borrow, default)]
    pub event_id: Option<Cow<'a, str>>,
    #[serde(rename = "inferenceId", borrow, default)]
    pub inference_id: Option<Cow<'a, str>>,
    #[serde(rename = "inferenceTime", borrow, default)]
    pub inference_time: Option<Cow<'a, str>>,
    #[serde(rename = "invocationSource", borrow, default)]
    pub invocation_source: Option<Cow<'a, str>>,
}
