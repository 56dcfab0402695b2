//! In-memory fakes of the ports for handler unit tests: no SDK, no network.
//!
//! Each fake is cheap to clone (the clones share state), so a test keeps one handle for
//! inspection and gives another to the code under test. All of them support failure injection:
//! a [`Fault`] makes the next `times` matching calls fail with a chosen [`PortError`].
//!
//! ```
//! use driftline_aws::ports::{ObjectStore, PortError};
//! use driftline_aws::ports::memory::{Fault, MemoryStore, StoreOp};
//!
//! # tokio_test_block(async {
//! let store = MemoryStore::new();
//! store.insert("bucket", "a/b.jsonl", "line\n");
//! store.inject(Fault::new(StoreOp::Get, PortError::Transient("throttled".into())).key("a/b.jsonl"));
//! assert!(store.get_bytes("bucket", "a/b.jsonl").await.unwrap_err().is_transient());
//! assert_eq!(&store.get_bytes("bucket", "a/b.jsonl").await.unwrap()[..], b"line\n");
//! # });
//! # fn tokio_test_block(f: impl std::future::Future<Output = ()>) {
//! #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
//! # }
//! ```

use super::{
    ExecutionInfo, Message, Notifier, ObjectInfo, ObjectStore, ObjectStream, PipelineRunner,
    PortError, PortResult, StartRequest, Tagged, WriteCondition,
};
use bytes::Bytes;
use std::collections::BTreeMap;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use tokio::io::{AsyncBufRead, AsyncRead, ReadBuf};

/// Locks a mutex, recovering the data if a panicking test thread poisoned it.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Which object-store operation a [`Fault`] applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreOp {
    /// `get_stream`, `get_bytes`, `get_tagged` and `get_if_changed`.
    Get,
    /// `put` and `put_if`.
    Put,
    /// `etag` (S3 `HeadObject`).
    Head,
    /// `list` (the fault's key, when set, is compared with the listed prefix).
    List,
    /// Every operation.
    Any,
}

/// An injected failure: the next `times` calls matching the operation (and key, when set) fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    op: StoreOp,
    key: Option<String>,
    times: usize,
    error: PortError,
}

impl Fault {
    /// A fault for the next call of `op` (any key), failing with `error`.
    pub fn new(op: StoreOp, error: PortError) -> Self {
        Fault {
            op,
            key: None,
            times: 1,
            error,
        }
    }

    /// Only calls on this exact key (or, for [`StoreOp::List`], this exact prefix) match.
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// The fault fires for this many matching calls (default 1).
    pub fn times(mut self, times: usize) -> Self {
        self.times = times;
        self
    }

    fn matches(&self, op: StoreOp, key: &str) -> bool {
        (self.op == StoreOp::Any || self.op == op)
            && self.key.as_deref().is_none_or(|k| k == key)
            && self.times > 0
    }
}

/// Takes the first matching fault from `faults`, decrementing its count.
fn take_fault(faults: &mut Vec<Fault>, op: StoreOp, key: &str) -> Option<PortError> {
    let idx = faults.iter().position(|f| f.matches(op, key))?;
    let fault = &mut faults[idx];
    fault.times -= 1;
    let error = fault.error.clone();
    if fault.times == 0 {
        faults.remove(idx);
    }
    Some(error)
}

/// The entity tag of a body: a content hash, as S3's ETag of a single-part upload is (the
/// same bytes give the same tag).
pub fn etag_of(body: &[u8]) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut h);
    format!("\"{:016x}{:08x}\"", h.finish(), body.len())
}

/// One object held by [`MemoryStore`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObject {
    /// The body.
    pub body: Bytes,
    /// Content type given at `put` (empty for [`MemoryStore::insert`]).
    pub content_type: String,
}

/// A recorded call on [`MemoryStore`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreCall {
    /// The operation (`Get`, `Put` or `List`).
    pub op: StoreOp,
    /// Bucket.
    pub bucket: String,
    /// Key (or prefix for `List`).
    pub key: String,
}

#[derive(Debug)]
struct StoreState {
    objects: BTreeMap<(String, String), StoredObject>,
    faults: Vec<Fault>,
    calls: Vec<StoreCall>,
    /// Objects removed right after the next successful `list` that returned them.
    delete_after_list: Vec<(String, String)>,
    /// Streams fail with an I/O error after this many bytes, per (bucket, key).
    stream_faults: BTreeMap<(String, String), (usize, Option<io::ErrorKind>)>,
    chunk_size: usize,
}

/// Default chunk size of [`MemoryStore`] streams.
pub const DEFAULT_CHUNK_SIZE: usize = 8 * 1024;

impl Default for StoreState {
    fn default() -> Self {
        StoreState {
            objects: BTreeMap::new(),
            faults: Vec::new(),
            calls: Vec::new(),
            delete_after_list: Vec::new(),
            stream_faults: BTreeMap::new(),
            chunk_size: DEFAULT_CHUNK_SIZE,
        }
    }
}

/// In-memory [`ObjectStore`].
///
/// Streams are served in chunks of [`MemoryStore::set_chunk_size`] bytes (default 8 KiB) so that
/// readers meet chunk boundaries inside lines as they do with S3.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    state: Arc<Mutex<StoreState>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    /// Puts an object directly (not recorded as a call, no fault applies).
    pub fn insert(&self, bucket: &str, key: &str, body: impl Into<Bytes>) {
        lock(&self.state).objects.insert(
            (bucket.to_owned(), key.to_owned()),
            StoredObject {
                body: body.into(),
                content_type: String::new(),
            },
        );
    }

    /// Removes an object; true when it existed.
    pub fn remove(&self, bucket: &str, key: &str) -> bool {
        lock(&self.state)
            .objects
            .remove(&(bucket.to_owned(), key.to_owned()))
            .is_some()
    }

    /// The object's body, if present.
    pub fn object(&self, bucket: &str, key: &str) -> Option<Bytes> {
        lock(&self.state)
            .objects
            .get(&(bucket.to_owned(), key.to_owned()))
            .map(|o| o.body.clone())
    }

    /// The object with its content type, if present.
    pub fn stored(&self, bucket: &str, key: &str) -> Option<StoredObject> {
        lock(&self.state)
            .objects
            .get(&(bucket.to_owned(), key.to_owned()))
            .cloned()
    }

    /// Every key of a bucket, in order.
    pub fn keys(&self, bucket: &str) -> Vec<String> {
        lock(&self.state)
            .objects
            .keys()
            .filter(|(b, _)| b == bucket)
            .map(|(_, k)| k.clone())
            .collect()
    }

    /// Every call made through the [`ObjectStore`] trait so far, in order.
    pub fn calls(&self) -> Vec<StoreCall> {
        lock(&self.state).calls.clone()
    }

    /// Number of calls of one operation so far.
    pub fn call_count(&self, op: StoreOp) -> usize {
        lock(&self.state)
            .calls
            .iter()
            .filter(|c| op == StoreOp::Any || c.op == op)
            .count()
    }

    /// Adds a fault (see [`Fault`]).
    pub fn inject(&self, fault: Fault) {
        lock(&self.state).faults.push(fault);
    }

    /// Deletes `key` right after the next `list` that returns it: the caller saw the object
    /// listed but will find it gone (a concurrent delete between list and read).
    pub fn delete_after_next_list(&self, bucket: &str, key: &str) {
        lock(&self.state)
            .delete_after_list
            .push((bucket.to_owned(), key.to_owned()));
    }

    /// Streams of this object fail with an I/O error of `kind` after `after_bytes` bytes (a
    /// connection reset mid-body). Applies to every later `get_stream` of the key.
    pub fn fail_stream_after(
        &self,
        bucket: &str,
        key: &str,
        after_bytes: usize,
        kind: io::ErrorKind,
    ) {
        lock(&self.state).stream_faults.insert(
            (bucket.to_owned(), key.to_owned()),
            (after_bytes, Some(kind)),
        );
    }

    /// Streams of this object end cleanly after `after_bytes` bytes, as a connection closed
    /// early without an error would (the body is shorter than the object). Applies to every
    /// later read of the key until [`MemoryStore::heal_stream`].
    pub fn truncate_stream_after(&self, bucket: &str, key: &str, after_bytes: usize) {
        lock(&self.state)
            .stream_faults
            .insert((bucket.to_owned(), key.to_owned()), (after_bytes, None));
    }

    /// Removes a stream fault of the key (the network is back).
    pub fn heal_stream(&self, bucket: &str, key: &str) {
        lock(&self.state)
            .stream_faults
            .remove(&(bucket.to_owned(), key.to_owned()));
    }

    /// Sets the chunk size of streams (at least 1).
    pub fn set_chunk_size(&self, chunk_size: usize) {
        lock(&self.state).chunk_size = chunk_size.max(1);
    }

    fn begin(
        &self,
        op: StoreOp,
        bucket: &str,
        key: &str,
    ) -> PortResult<MutexGuard<'_, StoreState>> {
        let mut state = lock(&self.state);
        state.calls.push(StoreCall {
            op,
            bucket: bucket.to_owned(),
            key: key.to_owned(),
        });
        match take_fault(&mut state.faults, op, key) {
            Some(err) => Err(err),
            None => Ok(state),
        }
    }

    fn get_object(&self, bucket: &str, key: &str) -> PortResult<ObjectRead> {
        let state = self.begin(StoreOp::Get, bucket, key)?;
        let id = (bucket.to_owned(), key.to_owned());
        let obj = state
            .objects
            .get(&id)
            .ok_or_else(|| PortError::NotFound(format!("s3://{bucket}/{key}")))?;
        Ok((
            obj.body.clone(),
            state.chunk_size,
            state.stream_faults.get(&id).copied(),
        ))
    }
}

impl MemoryStore {
    fn tagged(&self, op: StoreOp, bucket: &str, key: &str) -> PortResult<Tagged> {
        let state = self.begin(op, bucket, key)?;
        let obj = state
            .objects
            .get(&(bucket.to_owned(), key.to_owned()))
            .ok_or_else(|| PortError::NotFound(format!("s3://{bucket}/{key}")))?;
        Ok(Tagged {
            etag: etag_of(&obj.body),
            body: obj.body.clone(),
        })
    }
}

impl ObjectStore for MemoryStore {
    async fn get_tagged(&self, bucket: &str, key: &str) -> PortResult<Tagged> {
        self.tagged(StoreOp::Get, bucket, key)
    }

    async fn get_if_changed(
        &self,
        bucket: &str,
        key: &str,
        etag: &str,
    ) -> PortResult<Option<Tagged>> {
        let t = self.tagged(StoreOp::Get, bucket, key)?;
        Ok((t.etag != etag).then_some(t))
    }

    async fn etag(&self, bucket: &str, key: &str) -> PortResult<String> {
        self.tagged(StoreOp::Head, bucket, key).map(|t| t.etag)
    }

    async fn put_if(
        &self,
        bucket: &str,
        key: &str,
        body: Bytes,
        content_type: &str,
        condition: &WriteCondition,
    ) -> PortResult<String> {
        // One lock for the check and the write: atomic, as S3's conditional writes are.
        let mut state = self.begin(StoreOp::Put, bucket, key)?;
        let id = (bucket.to_owned(), key.to_owned());
        let current = state.objects.get(&id).map(|o| etag_of(&o.body));
        match (condition, current) {
            (WriteCondition::IfAbsent, Some(_)) => {
                return Err(PortError::Conflict(format!(
                    "s3://{bucket}/{key} exists (If-None-Match: *)"
                )))
            }
            (WriteCondition::IfMatch(_), None) => {
                return Err(PortError::NotFound(format!("s3://{bucket}/{key}")))
            }
            (WriteCondition::IfMatch(want), Some(have)) if *want != have => {
                return Err(PortError::Conflict(format!(
                    "s3://{bucket}/{key} changed (If-Match {want}, now {have})"
                )))
            }
            _ => {}
        }
        let etag = etag_of(&body);
        state.objects.insert(
            id,
            StoredObject {
                body,
                content_type: content_type.to_owned(),
            },
        );
        Ok(etag)
    }

    async fn get_stream(&self, bucket: &str, key: &str) -> PortResult<ObjectStream> {
        let (body, chunk, fault) = self.get_object(bucket, key)?;
        Ok(Box::pin(ChunkedReader {
            body,
            pos: 0,
            chunk,
            fault,
        }))
    }

    async fn get_stream_from(
        &self,
        bucket: &str,
        key: &str,
        start: u64,
    ) -> PortResult<ObjectStream> {
        let (body, chunk, fault) = self.get_object(bucket, key)?;
        let from = usize::try_from(start).unwrap_or(usize::MAX).min(body.len());
        let fault = fault.map(|(after, kind)| (after.saturating_sub(from), kind));
        Ok(Box::pin(ChunkedReader {
            body: body.slice(from..),
            pos: 0,
            chunk,
            fault,
        }))
    }

    async fn get_range(&self, bucket: &str, key: &str, start: u64, end: u64) -> PortResult<Bytes> {
        let body = self.get_bytes(bucket, key).await?;
        let len = body.len();
        let a = usize::try_from(start).unwrap_or(usize::MAX).min(len);
        let b = usize::try_from(end).unwrap_or(usize::MAX).min(len).max(a);
        Ok(body.slice(a..b))
    }

    async fn get_bytes(&self, bucket: &str, key: &str) -> PortResult<Bytes> {
        let (body, _, fault) = self.get_object(bucket, key)?;
        match fault {
            Some((_, Some(kind))) => Err(PortError::Transient(format!(
                "reading s3://{bucket}/{key}: {}",
                io::Error::from(kind)
            ))),
            Some((after, None)) => Ok(body.slice(..after.min(body.len()))),
            None => Ok(body),
        }
    }

    async fn put(
        &self,
        bucket: &str,
        key: &str,
        body: Bytes,
        content_type: &str,
    ) -> PortResult<()> {
        let mut state = self.begin(StoreOp::Put, bucket, key)?;
        state.objects.insert(
            (bucket.to_owned(), key.to_owned()),
            StoredObject {
                body,
                content_type: content_type.to_owned(),
            },
        );
        Ok(())
    }

    async fn list(&self, bucket: &str, prefix: &str) -> PortResult<Vec<ObjectInfo>> {
        let mut state = self.begin(StoreOp::List, bucket, prefix)?;
        let listed: Vec<ObjectInfo> = state
            .objects
            .iter()
            .filter(|((b, k), _)| b == bucket && k.starts_with(prefix))
            .map(|((_, k), o)| ObjectInfo {
                key: k.clone(),
                size: o.body.len() as u64,
                last_modified: None,
            })
            .collect();
        let pending = std::mem::take(&mut state.delete_after_list);
        for (b, k) in pending {
            if b == bucket && listed.iter().any(|o| o.key == k) {
                state.objects.remove(&(b, k));
            } else {
                state.delete_after_list.push((b, k));
            }
        }
        Ok(listed)
    }
}

/// An object's body with the stream settings that apply to it.
type ObjectRead = (Bytes, usize, Option<(usize, Option<io::ErrorKind>)>);

/// Serves a body in fixed-size chunks, optionally failing after some bytes.
struct ChunkedReader {
    body: Bytes,
    pos: usize,
    chunk: usize,
    fault: Option<(usize, Option<io::ErrorKind>)>,
}

impl ChunkedReader {
    fn limit(&self) -> usize {
        match self.fault {
            Some((after, _)) => after.min(self.body.len()),
            None => self.body.len(),
        }
    }
}

impl AsyncBufRead for ChunkedReader {
    fn poll_fill_buf(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.get_mut();
        let limit = this.limit();
        if this.pos >= limit {
            if let Some((_, Some(kind))) = this.fault {
                return Poll::Ready(Err(io::Error::new(kind, "injected stream failure")));
            }
            return Poll::Ready(Ok(&[]));
        }
        let end = (this.pos + this.chunk).min(limit);
        Poll::Ready(Ok(&this.body[this.pos..end]))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        let this = self.get_mut();
        this.pos = (this.pos + amt).min(this.body.len());
    }
}

impl AsyncRead for ChunkedReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let n = match self.as_mut().poll_fill_buf(cx) {
            Poll::Ready(Ok(chunk)) => {
                let n = chunk.len().min(buf.remaining());
                buf.put_slice(&chunk[..n]);
                n
            }
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending => return Poll::Pending,
        };
        self.consume(n);
        Poll::Ready(Ok(()))
    }
}

#[derive(Debug, Default)]
struct NotifierState {
    messages: Vec<Message>,
    attempts: usize,
    faults: Vec<(usize, PortError)>,
}

/// In-memory [`Notifier`]: records published messages.
#[derive(Debug, Clone, Default)]
pub struct MemoryNotifier {
    state: Arc<Mutex<NotifierState>>,
}

impl MemoryNotifier {
    /// A notifier with nothing published.
    pub fn new() -> Self {
        Self::default()
    }

    /// Messages published successfully, in order.
    pub fn messages(&self) -> Vec<Message> {
        lock(&self.state).messages.clone()
    }

    /// Number of `publish` calls, failed ones included.
    pub fn attempts(&self) -> usize {
        lock(&self.state).attempts
    }

    /// The next `times` publishes fail with `error`.
    pub fn fail_next(&self, times: usize, error: PortError) {
        if times > 0 {
            lock(&self.state).faults.push((times, error));
        }
    }
}

impl Notifier for MemoryNotifier {
    async fn publish(&self, message: Message) -> PortResult<String> {
        let mut state = lock(&self.state);
        state.attempts += 1;
        if let Some((times, error)) = state.faults.first_mut() {
            *times -= 1;
            let error = error.clone();
            if *times == 0 {
                state.faults.remove(0);
            }
            return Err(error);
        }
        state.messages.push(message);
        Ok(format!("memory-message-{}", state.messages.len()))
    }
}

/// Which pipeline operation a fault of [`MemoryPipelines`] applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PipelineOp {
    /// `list_executions`.
    List,
    /// `start`.
    Start,
}

#[derive(Debug, Default)]
struct PipelineState {
    /// pipeline → executions, oldest first.
    pipelines: BTreeMap<String, Vec<ExecutionInfo>>,
    /// ARN → client request token of started executions.
    tokens: BTreeMap<String, String>,
    requests: Vec<StartRequest>,
    faults: Vec<(PipelineOp, usize, PortError)>,
    now: Option<chrono::DateTime<chrono::Utc>>,
    initial_status: Option<String>,
    counter: usize,
}

/// In-memory [`PipelineRunner`].
///
/// Like SageMaker (and unlike moto) it deduplicates `start` calls with the same
/// `ClientRequestToken` on the same pipeline: the second returns the first execution's ARN.
/// Starting an unknown pipeline fails with [`PortError::NotFound`].
#[derive(Debug, Clone, Default)]
pub struct MemoryPipelines {
    state: Arc<Mutex<PipelineState>>,
}

impl MemoryPipelines {
    /// No pipelines.
    pub fn new() -> Self {
        Self::default()
    }

    /// Creates a pipeline with no executions (no-op if it exists).
    pub fn with_pipeline(self, name: &str) -> Self {
        lock(&self.state)
            .pipelines
            .entry(name.to_owned())
            .or_default();
        self
    }

    /// Adds an existing execution (e.g. one started an hour ago). Executions are listed in the
    /// order added, newest (last added) first, whatever their start times.
    pub fn add_execution(&self, pipeline: &str, execution: ExecutionInfo) {
        lock(&self.state)
            .pipelines
            .entry(pipeline.to_owned())
            .or_default()
            .push(execution);
    }

    /// Changes the status of an execution; false if the ARN is unknown.
    pub fn set_status(&self, arn: &str, status: &str) -> bool {
        let mut state = lock(&self.state);
        for execs in state.pipelines.values_mut() {
            if let Some(e) = execs.iter_mut().find(|e| e.arn == arn) {
                e.status = status.to_owned();
                return true;
            }
        }
        false
    }

    /// Start time given to executions started from now on (default: the wall clock).
    pub fn set_now(&self, now: chrono::DateTime<chrono::Utc>) {
        lock(&self.state).now = Some(now);
    }

    /// Status given to executions started from now on (default `Executing`).
    pub fn set_initial_status(&self, status: &str) {
        lock(&self.state).initial_status = Some(status.to_owned());
    }

    /// Every `start` request received (failed and deduplicated ones included), in order.
    pub fn requests(&self) -> Vec<StartRequest> {
        lock(&self.state).requests.clone()
    }

    /// The executions of a pipeline, newest first.
    pub fn executions(&self, pipeline: &str) -> Vec<ExecutionInfo> {
        lock(&self.state)
            .pipelines
            .get(pipeline)
            .map(|v| v.iter().rev().cloned().collect())
            .unwrap_or_default()
    }

    /// The next `times` calls of `op` fail with `error`.
    pub fn fail_next(&self, op: PipelineOp, times: usize, error: PortError) {
        if times > 0 {
            lock(&self.state).faults.push((op, times, error));
        }
    }

    fn take_fault(state: &mut PipelineState, op: PipelineOp) -> Option<PortError> {
        let idx = state.faults.iter().position(|(o, _, _)| *o == op)?;
        let entry = &mut state.faults[idx];
        entry.1 -= 1;
        let error = entry.2.clone();
        if entry.1 == 0 {
            state.faults.remove(idx);
        }
        Some(error)
    }
}

impl PipelineRunner for MemoryPipelines {
    async fn list_executions(&self, pipeline: &str) -> PortResult<Vec<ExecutionInfo>> {
        let mut state = lock(&self.state);
        if let Some(err) = Self::take_fault(&mut state, PipelineOp::List) {
            return Err(err);
        }
        state
            .pipelines
            .get(pipeline)
            .map(|v| v.iter().rev().cloned().collect())
            .ok_or_else(|| PortError::NotFound(format!("pipeline {pipeline}")))
    }

    async fn start(&self, request: StartRequest) -> PortResult<String> {
        let mut state = lock(&self.state);
        state.requests.push(request.clone());
        if let Some(err) = Self::take_fault(&mut state, PipelineOp::Start) {
            return Err(err);
        }
        if !(32..=128).contains(&request.client_request_token.len()) {
            return Err(PortError::Permanent(format!(
                "ClientRequestToken must be 32 to 128 characters, got {}",
                request.client_request_token.len()
            )));
        }
        let Some(execs) = state.pipelines.get(&request.pipeline) else {
            return Err(PortError::NotFound(format!(
                "pipeline {}",
                request.pipeline
            )));
        };
        let prefix = format!(
            "arn:aws:sagemaker:us-east-1:000000000000:pipeline/{}/execution/",
            request.pipeline
        );
        let existing = execs.iter().find(|e| {
            e.arn.starts_with(&prefix)
                && state.tokens.get(&e.arn) == Some(&request.client_request_token)
        });
        if let Some(e) = existing {
            return Ok(e.arn.clone());
        }
        state.counter += 1;
        let arn = format!("{prefix}memory{:06}", state.counter);
        let start = state.now.unwrap_or_else(chrono::Utc::now);
        let info = ExecutionInfo {
            arn: arn.clone(),
            status: state
                .initial_status
                .clone()
                .unwrap_or_else(|| "Executing".to_owned()),
            start_time: Some(start.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
            display_name: (!request.display_name.is_empty()).then(|| request.display_name.clone()),
        };
        state
            .tokens
            .insert(arn.clone(), request.client_request_token.clone());
        if let Some(execs) = state.pipelines.get_mut(&request.pipeline) {
            execs.push(info);
        }
        Ok(arn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncBufReadExt;

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
    }

    #[test]
    fn store_round_trip_and_list_by_prefix() {
        rt().block_on(async {
            let s = MemoryStore::new();
            s.put("b", "p/1", Bytes::from_static(b"one"), "text/plain")
                .await
                .unwrap();
            s.put("b", "p/2", Bytes::from_static(b"two!"), "text/plain")
                .await
                .unwrap();
            s.put("b", "q/3", Bytes::from_static(b"x"), "text/plain")
                .await
                .unwrap();
            s.put("other", "p/4", Bytes::from_static(b"x"), "text/plain")
                .await
                .unwrap();
            let listed = s.list("b", "p/").await.unwrap();
            let keys: Vec<_> = listed.iter().map(|o| (o.key.as_str(), o.size)).collect();
            assert_eq!(keys, vec![("p/1", 3), ("p/2", 4)]);
            assert_eq!(s.stored("b", "p/1").unwrap().content_type, "text/plain");
            assert_eq!(
                s.get_bytes("b", "nope").await,
                Err(PortError::NotFound("s3://b/nope".into()))
            );
        });
    }

    #[test]
    fn default_store_streams_whole_bodies() {
        rt().block_on(async {
            let s = MemoryStore::default();
            let body = "x".repeat(DEFAULT_CHUNK_SIZE * 2 + 5);
            s.insert("b", "k", body.clone());
            let mut r = s.get_stream("b", "k").await.unwrap();
            let mut out = String::new();
            tokio::io::AsyncReadExt::read_to_string(&mut r, &mut out)
                .await
                .unwrap();
            assert_eq!(out, body);
        });
    }

    #[test]
    fn stream_is_chunked_and_lines_cross_chunks() {
        rt().block_on(async {
            let s = MemoryStore::new();
            s.set_chunk_size(3);
            s.insert("b", "k", "alpha\nbeta\ngamma");
            let mut r = s.get_stream("b", "k").await.unwrap();
            let first = r.fill_buf().await.unwrap().len();
            assert_eq!(first, 3);
            let mut lines = Vec::new();
            let mut line = String::new();
            while r.read_line(&mut line).await.unwrap() > 0 {
                lines.push(std::mem::take(&mut line));
            }
            assert_eq!(lines, vec!["alpha\n", "beta\n", "gamma"]);
        });
    }

    #[test]
    fn stream_fault_fails_mid_body() {
        rt().block_on(async {
            let s = MemoryStore::new();
            s.insert("b", "k", "0123456789");
            s.fail_stream_after("b", "k", 4, io::ErrorKind::ConnectionReset);
            let mut r = s.get_stream("b", "k").await.unwrap();
            let mut out = Vec::new();
            let err = tokio::io::AsyncReadExt::read_to_end(&mut r, &mut out)
                .await
                .unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::ConnectionReset);
            assert_eq!(out, b"0123");
        });
    }

    #[test]
    fn faults_fire_the_given_number_of_times_on_matching_keys() {
        rt().block_on(async {
            let s = MemoryStore::new();
            s.insert("b", "k", "v");
            s.insert("b", "other", "v");
            s.inject(
                Fault::new(StoreOp::Get, PortError::Transient("slow down".into()))
                    .key("k")
                    .times(2),
            );
            assert!(s.get_bytes("b", "other").await.is_ok());
            assert!(s.get_bytes("b", "k").await.unwrap_err().is_transient());
            assert!(s.get_stream("b", "k").await.is_err());
            assert!(s.get_bytes("b", "k").await.is_ok());
            s.inject(Fault::new(
                StoreOp::Any,
                PortError::Permanent("denied".into()),
            ));
            assert_eq!(
                s.put("b", "z", Bytes::new(), "").await,
                Err(PortError::Permanent("denied".into()))
            );
            assert_eq!(s.call_count(StoreOp::Get), 4);
            assert_eq!(s.call_count(StoreOp::Any), 5);
        });
    }

    #[test]
    fn conditional_writes_and_reads_follow_s3() {
        rt().block_on(async {
            let s = MemoryStore::new();
            let e1 = s
                .put_if("b", "k", Bytes::from("one"), "", &WriteCondition::IfAbsent)
                .await
                .unwrap();
            assert_eq!(e1, etag_of(b"one"));
            let again = s
                .put_if("b", "k", Bytes::from("x"), "", &WriteCondition::IfAbsent)
                .await;
            assert!(matches!(again, Err(PortError::Conflict(_))), "{again:?}");
            let e2 = s
                .put_if(
                    "b",
                    "k",
                    Bytes::from("two"),
                    "",
                    &WriteCondition::IfMatch(e1.clone()),
                )
                .await
                .unwrap();
            let stale = s
                .put_if(
                    "b",
                    "k",
                    Bytes::from("3"),
                    "",
                    &WriteCondition::IfMatch(e1.clone()),
                )
                .await;
            assert!(matches!(stale, Err(PortError::Conflict(_))), "{stale:?}");
            assert_eq!(&s.object("b", "k").unwrap()[..], b"two");
            assert_eq!(s.etag("b", "k").await.unwrap(), e2);
            assert_eq!(s.get_tagged("b", "k").await.unwrap().etag, e2);
            assert_eq!(s.get_if_changed("b", "k", &e2).await.unwrap(), None);
            let changed = s.get_if_changed("b", "k", &e1).await.unwrap().unwrap();
            assert_eq!(&changed.body[..], b"two");
            let gone = s
                .put_if("b", "nope", Bytes::new(), "", &WriteCondition::IfMatch(e2))
                .await;
            assert!(matches!(gone, Err(PortError::NotFound(_))));
            assert!(matches!(
                s.etag("b", "nope").await,
                Err(PortError::NotFound(_))
            ));
            assert_eq!(s.call_count(StoreOp::Head), 2);
        });
    }

    #[test]
    fn delete_after_next_list_simulates_a_race() {
        rt().block_on(async {
            let s = MemoryStore::new();
            s.insert("b", "p/a", "1");
            s.insert("b", "p/b", "2");
            s.delete_after_next_list("b", "p/a");
            let listed = s.list("b", "p/").await.unwrap();
            assert_eq!(listed.len(), 2);
            assert!(matches!(
                s.get_bytes("b", "p/a").await,
                Err(PortError::NotFound(_))
            ));
            assert_eq!(s.keys("b"), vec!["p/b".to_owned()]);
        });
    }

    #[test]
    fn notifier_records_and_fails_on_demand() {
        rt().block_on(async {
            let n = MemoryNotifier::new();
            n.fail_next(1, PortError::Transient("throttled".into()));
            let m = Message {
                subject: "s".into(),
                body: "b".into(),
                attributes: BTreeMap::new(),
            };
            assert!(n.publish(m.clone()).await.is_err());
            assert_eq!(n.publish(m.clone()).await.unwrap(), "memory-message-1");
            assert_eq!(n.messages(), vec![m]);
            assert_eq!(n.attempts(), 2);
        });
    }

    #[test]
    fn pipelines_dedupe_tokens_and_list_newest_first() {
        rt().block_on(async {
            let p = MemoryPipelines::new().with_pipeline("retrain");
            let token = "t".repeat(32);
            let req = |token: &str| StartRequest {
                pipeline: "retrain".into(),
                client_request_token: token.into(),
                display_name: "drift".into(),
                ..Default::default()
            };
            let a = p.start(req(&token)).await.unwrap();
            let again = p.start(req(&token)).await.unwrap();
            assert_eq!(a, again);
            let b = p.start(req(&"u".repeat(32))).await.unwrap();
            assert_ne!(a, b);
            let listed = p.list_executions("retrain").await.unwrap();
            let arns: Vec<_> = listed.iter().map(|e| e.arn.clone()).collect();
            assert_eq!(arns, vec![b.clone(), a.clone()]);
            assert_eq!(listed[0].status, "Executing");
            assert_eq!(p.requests().len(), 3);
            assert!(p.set_status(&a, "Succeeded"));
            assert_eq!(p.executions("retrain")[1].status, "Succeeded");

            assert!(matches!(
                p.start(req("short")).await,
                Err(PortError::Permanent(_))
            ));
            let mut unknown = req(&token);
            unknown.pipeline = "nope".into();
            assert!(matches!(
                p.start(unknown).await,
                Err(PortError::NotFound(_))
            ));
            p.fail_next(PipelineOp::List, 1, PortError::Transient("x".into()));
            assert!(p.list_executions("retrain").await.is_err());
            assert!(p.list_executions("retrain").await.is_ok());
        });
    }
}
