//! Tiny in-memory ports for unit tests.
#![allow(dead_code)]

use bytes::Bytes;
use driftline_aws::ports::{
    ExecutionInfo, Message, Notifier, ObjectInfo, ObjectStore, ObjectStream, PipelineRunner,
    PortError, PortResult, StartRequest,
};
use std::collections::BTreeMap;
use std::sync::Mutex;

/// Objects in a map; `fail_get` / `fail_list` make matching calls fail.
#[derive(Default)]
pub struct FakeStore {
    pub objects: Mutex<BTreeMap<(String, String), Bytes>>,
    pub fail_get: Mutex<Option<(String, PortError)>>,
    pub fail_list: Mutex<Option<PortError>>,
    pub fail_put: Mutex<Option<PortError>>,
    pub lists: Mutex<Vec<String>>,
}

impl FakeStore {
    pub fn insert(&self, bucket: &str, key: &str, body: impl Into<Bytes>) {
        self.objects
            .lock()
            .unwrap()
            .insert((bucket.to_string(), key.to_string()), body.into());
    }
    pub fn get(&self, bucket: &str, key: &str) -> Option<Bytes> {
        self.objects
            .lock()
            .unwrap()
            .get(&(bucket.to_string(), key.to_string()))
            .cloned()
    }
    pub fn keys_under(&self, bucket: &str, prefix: &str) -> Vec<String> {
        self.objects
            .lock()
            .unwrap()
            .keys()
            .filter(|(b, k)| b == bucket && k.starts_with(prefix))
            .map(|(_, k)| k.clone())
            .collect()
    }
}

impl ObjectStore for FakeStore {
    async fn get_stream(&self, bucket: &str, key: &str) -> PortResult<ObjectStream> {
        let b = self.get_bytes(bucket, key).await?;
        Ok(Box::pin(std::io::Cursor::new(b.to_vec())))
    }
    async fn get_bytes(&self, bucket: &str, key: &str) -> PortResult<Bytes> {
        if let Some((k, e)) = self.fail_get.lock().unwrap().as_ref() {
            if key.contains(k.as_str()) {
                return Err(e.clone());
            }
        }
        self.get(bucket, key)
            .ok_or_else(|| PortError::NotFound(format!("s3://{bucket}/{key}")))
    }
    async fn put(&self, bucket: &str, key: &str, body: Bytes, _ct: &str) -> PortResult<()> {
        if let Some(e) = self.fail_put.lock().unwrap().as_ref() {
            return Err(e.clone());
        }
        self.insert(bucket, key, body);
        Ok(())
    }
    async fn list(&self, bucket: &str, prefix: &str) -> PortResult<Vec<ObjectInfo>> {
        self.lists.lock().unwrap().push(prefix.to_string());
        if let Some(e) = self.fail_list.lock().unwrap().as_ref() {
            return Err(e.clone());
        }
        Ok(self
            .keys_under(bucket, prefix)
            .into_iter()
            .map(|key| ObjectInfo {
                key,
                size: 1,
                last_modified: None,
            })
            .collect())
    }
}

/// Records published messages.
#[derive(Default)]
pub struct FakeNotifier {
    pub sent: Mutex<Vec<Message>>,
    pub fail: Mutex<Option<PortError>>,
}

impl Notifier for FakeNotifier {
    async fn publish(&self, message: Message) -> PortResult<String> {
        if let Some(e) = self.fail.lock().unwrap().as_ref() {
            return Err(e.clone());
        }
        let mut s = self.sent.lock().unwrap();
        s.push(message);
        Ok(format!("msg-{}", s.len()))
    }
}

/// Pipelines with a list of executions; `start` deduplicates by client request token like
/// SageMaker does.
#[derive(Default)]
pub struct FakePipelines {
    pub executions: Mutex<Vec<ExecutionInfo>>,
    pub requests: Mutex<Vec<StartRequest>>,
    pub tokens: Mutex<BTreeMap<String, String>>,
    pub fail_list: Mutex<Option<PortError>>,
    pub fail_start: Mutex<Option<PortError>>,
}

impl PipelineRunner for FakePipelines {
    async fn list_executions(&self, _pipeline: &str) -> PortResult<Vec<ExecutionInfo>> {
        if let Some(e) = self.fail_list.lock().unwrap().as_ref() {
            return Err(e.clone());
        }
        Ok(self.executions.lock().unwrap().clone())
    }
    async fn start(&self, request: StartRequest) -> PortResult<String> {
        if let Some(e) = self.fail_start.lock().unwrap().as_ref() {
            return Err(e.clone());
        }
        self.requests.lock().unwrap().push(request.clone());
        let mut tokens = self.tokens.lock().unwrap();
        if let Some(arn) = tokens.get(&request.client_request_token) {
            return Ok(arn.clone());
        }
        let arn = format!(
            "arn:aws:sagemaker:us-east-1:123456789012:pipeline/{}/execution/{}",
            request.pipeline,
            tokens.len() + 1
        );
        tokens.insert(request.client_request_token.clone(), arn.clone());
        Ok(arn)
    }
}
