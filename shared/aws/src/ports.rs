//! Port traits: one small trait per outside service.
//!
//! Errors distinguish what a caller must do: [`PortError::NotFound`] and
//! [`PortError::Permanent`] are recorded and the invocation succeeds; [`PortError::Transient`]
//! fails the invocation so that Lambda retries; [`PortError::Conflict`] means a conditional
//! write lost a race (read again, merge, write again).

use bytes::Bytes;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use tokio::io::AsyncBufRead;

/// What went wrong talking to an outside service.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum PortError {
    /// The object / resource does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// Retrying will not help (access denied, invalid request, …).
    #[error("permanent error: {0}")]
    Permanent(String),
    /// Throttling, timeouts, 5xx, network: retrying may help.
    #[error("transient error: {0}")]
    Transient(String),
    /// A conditional write's precondition failed (S3 `412 PreconditionFailed` or
    /// `409 ConditionalRequestConflict`): another writer changed the object first.
    #[error("conflict: {0}")]
    Conflict(String),
}

impl PortError {
    /// True when a retry may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, PortError::Transient(_))
    }
}

impl PortError {
    /// Maps an I/O error met while reading an object stream (connection reset, timeout, …):
    /// transient, since re-reading the object may succeed. `context` names what was read.
    pub fn from_stream_io(context: &str, err: &std::io::Error) -> Self {
        PortError::Transient(format!("reading {context}: {err}"))
    }

    /// The message, without the kind.
    pub fn message(&self) -> &str {
        match self {
            PortError::NotFound(m)
            | PortError::Permanent(m)
            | PortError::Transient(m)
            | PortError::Conflict(m) => m,
        }
    }
}

/// Result alias for port calls.
pub type PortResult<T> = Result<T, PortError>;

/// A streaming object body.
pub type ObjectStream = Pin<Box<dyn AsyncBufRead + Send>>;

/// One listed object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    /// Full key.
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// Last modification, RFC 3339, when known.
    pub last_modified: Option<String>,
}

/// An object read whole, with its entity tag (S3's `ETag`, opaque: compare, never parse).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tagged {
    /// The body.
    pub body: Bytes,
    /// The entity tag.
    pub etag: String,
}

/// The precondition of a conditional write (S3 conditional writes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteCondition {
    /// Only if no object exists under the key (`If-None-Match: *`).
    IfAbsent,
    /// Only if the object's entity tag is still this one (`If-Match`).
    IfMatch(String),
}

/// Object storage (S3).
pub trait ObjectStore: Send + Sync {
    /// Streams an object's body (never loads it whole).
    fn get_stream(
        &self,
        bucket: &str,
        key: &str,
    ) -> impl Future<Output = PortResult<ObjectStream>> + Send;
    /// Streams an object's body from byte offset `start` to its end (a ranged GET,
    /// `Range: bytes=start-`); the reader may stop early.
    fn get_stream_from(
        &self,
        bucket: &str,
        key: &str,
        start: u64,
    ) -> impl Future<Output = PortResult<ObjectStream>> + Send;
    /// Reads bytes `[start, end)` of an object (a ranged GET; `end` is clamped to the size).
    fn get_range(
        &self,
        bucket: &str,
        key: &str,
        start: u64,
        end: u64,
    ) -> impl Future<Output = PortResult<Bytes>> + Send;
    /// Reads a (small) object whole.
    fn get_bytes(&self, bucket: &str, key: &str) -> impl Future<Output = PortResult<Bytes>> + Send;
    /// Writes an object (overwrites).
    fn put(
        &self,
        bucket: &str,
        key: &str,
        body: Bytes,
        content_type: &str,
    ) -> impl Future<Output = PortResult<()>> + Send;
    /// Lists every object under a prefix (all pages), in key order.
    fn list(
        &self,
        bucket: &str,
        prefix: &str,
    ) -> impl Future<Output = PortResult<Vec<ObjectInfo>>> + Send;
    /// Reads a (small) object whole with its entity tag.
    fn get_tagged(
        &self,
        bucket: &str,
        key: &str,
    ) -> impl Future<Output = PortResult<Tagged>> + Send;
    /// Reads a (small) object whole unless its entity tag is still `etag`
    /// (`If-None-Match`): `Ok(None)` when unchanged, so nothing is transferred.
    fn get_if_changed(
        &self,
        bucket: &str,
        key: &str,
        etag: &str,
    ) -> impl Future<Output = PortResult<Option<Tagged>>> + Send;
    /// The object's entity tag (`HeadObject`); [`PortError::NotFound`] when it is missing.
    fn etag(&self, bucket: &str, key: &str) -> impl Future<Output = PortResult<String>> + Send;
    /// Writes an object only if `condition` holds, returning its new entity tag;
    /// [`PortError::Conflict`] when it does not (another writer came first).
    fn put_if(
        &self,
        bucket: &str,
        key: &str,
        body: Bytes,
        content_type: &str,
        condition: &WriteCondition,
    ) -> impl Future<Output = PortResult<String>> + Send;
}

/// A message for people (SNS → e-mail).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    /// At most 100 characters, no line breaks.
    pub subject: String,
    /// Plain text body, at most 256 KiB.
    pub body: String,
    /// String message attributes (for subscription filter policies).
    pub attributes: BTreeMap<String, String>,
}

/// Publishes messages (SNS topic configured in the adapter).
pub trait Notifier: Send + Sync {
    /// Publishes one message; returns the message id.
    fn publish(&self, message: Message) -> impl Future<Output = PortResult<String>> + Send;
}

/// One pipeline execution as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionInfo {
    /// Execution ARN.
    pub arn: String,
    /// `Executing`, `Stopping`, `Stopped`, `Failed`, `Succeeded`.
    pub status: String,
    /// Start time, RFC 3339.
    pub start_time: Option<String>,
    /// Display name, when set.
    pub display_name: Option<String>,
}

/// A request to start a pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StartRequest {
    /// Pipeline name.
    pub pipeline: String,
    /// Idempotency token (SageMaker's `ClientRequestToken`, 32–128 chars).
    pub client_request_token: String,
    /// Display name of the execution.
    pub display_name: String,
    /// Description of the execution.
    pub description: String,
    /// Pipeline parameters (name → value).
    pub parameters: BTreeMap<String, String>,
}

/// Starts and lists SageMaker pipeline executions.
pub trait PipelineRunner: Send + Sync {
    /// Recent executions of a pipeline, newest first.
    fn list_executions(
        &self,
        pipeline: &str,
    ) -> impl Future<Output = PortResult<Vec<ExecutionInfo>>> + Send;
    /// Starts an execution; returns its ARN.
    fn start(&self, request: StartRequest) -> impl Future<Output = PortResult<String>> + Send;
}

pub mod memory;
