//! [`ObjectStore`] on Amazon S3 (`aws-sdk-s3`).

use crate::ports::{
    ObjectInfo, ObjectStore, ObjectStream, PortError, PortResult, Tagged, WriteCondition,
};
use crate::sdk_error::map_sdk_error;
use aws_sdk_s3::primitives::{ByteStream, DateTimeFormat};
use aws_sdk_s3::Client;
use aws_smithy_runtime_api::client::result::SdkError;
use bytes::Bytes;

/// S3 object store.
#[derive(Debug, Clone)]
pub struct S3Store {
    client: Client,
    page_size: Option<i32>,
}

impl S3Store {
    /// Wraps a client (build it with [`crate::clients::s3_client`] for path-style handling).
    pub fn new(client: Client) -> Self {
        S3Store {
            client,
            page_size: None,
        }
    }

    /// Asks ListObjectsV2 for at most `n` keys per page (S3's default and maximum is 1000);
    /// `list` still returns every page. Mainly for tests of pagination.
    pub fn with_page_size(mut self, n: i32) -> Self {
        self.page_size = Some(n.clamp(1, 1000));
        self
    }

    /// The underlying client.
    pub fn client(&self) -> &Client {
        &self.client
    }
}

impl ObjectStore for S3Store {
    async fn get_stream(&self, bucket: &str, key: &str) -> PortResult<ObjectStream> {
        let out = self
            .client
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| map_sdk_error(&format!("GetObject s3://{bucket}/{key}"), e))?;
        // Body chunks arrive as the reader asks for them: the object is never held whole.
        Ok(Box::pin(out.body.into_async_read()))
    }

    async fn get_stream_from(
        &self,
        bucket: &str,
        key: &str,
        start: u64,
    ) -> PortResult<ObjectStream> {
        let out = self
            .client
            .get_object()
            .bucket(bucket)
            .key(key)
            .range(format!("bytes={start}-"))
            .send()
            .await
            .map_err(|e| {
                map_sdk_error(&format!("GetObject s3://{bucket}/{key} from {start}"), e)
            })?;
        Ok(Box::pin(out.body.into_async_read()))
    }

    async fn get_range(&self, bucket: &str, key: &str, start: u64, end: u64) -> PortResult<Bytes> {
        if end <= start {
            return Ok(Bytes::new());
        }
        let what = format!("GetObject s3://{bucket}/{key} bytes {start}..{end}");
        let out = self
            .client
            .get_object()
            .bucket(bucket)
            .key(key)
            .range(format!("bytes={start}-{}", end - 1))
            .send()
            .await
            .map_err(|e| map_sdk_error(&what, e))?;
        let body = out
            .body
            .collect()
            .await
            .map_err(|e| PortError::Transient(format!("reading {what}: {e}")))?;
        Ok(body.into_bytes())
    }

    async fn get_bytes(&self, bucket: &str, key: &str) -> PortResult<Bytes> {
        let out = self
            .client
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| map_sdk_error(&format!("GetObject s3://{bucket}/{key}"), e))?;
        let body = out.body.collect().await.map_err(|e| {
            PortError::Transient(format!("reading body of s3://{bucket}/{key}: {e}"))
        })?;
        Ok(body.into_bytes())
    }

    async fn put(
        &self,
        bucket: &str,
        key: &str,
        body: Bytes,
        content_type: &str,
    ) -> PortResult<()> {
        let mut req = self
            .client
            .put_object()
            .bucket(bucket)
            .key(key)
            .body(ByteStream::from(body));
        if !content_type.is_empty() {
            req = req.content_type(content_type);
        }
        req.send()
            .await
            .map_err(|e| map_sdk_error(&format!("PutObject s3://{bucket}/{key}"), e))?;
        Ok(())
    }

    async fn list(&self, bucket: &str, prefix: &str) -> PortResult<Vec<ObjectInfo>> {
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(bucket)
            .prefix(prefix)
            .set_max_keys(self.page_size)
            .into_paginator()
            .send();
        let mut objects = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page
                .map_err(|e| map_sdk_error(&format!("ListObjectsV2 s3://{bucket}/{prefix}"), e))?;
            for o in page.contents() {
                let Some(key) = o.key() else { continue };
                objects.push(ObjectInfo {
                    key: key.to_owned(),
                    size: o.size().and_then(|s| u64::try_from(s).ok()).unwrap_or(0),
                    last_modified: o
                        .last_modified()
                        .and_then(|t| t.fmt(DateTimeFormat::DateTime).ok()),
                });
            }
        }
        objects.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(objects)
    }

    async fn get_tagged(&self, bucket: &str, key: &str) -> PortResult<Tagged> {
        let out = self
            .client
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| map_sdk_error(&format!("GetObject s3://{bucket}/{key}"), e))?;
        let etag = out.e_tag().unwrap_or_default().to_owned();
        let body = out.body.collect().await.map_err(|e| {
            PortError::Transient(format!("reading body of s3://{bucket}/{key}: {e}"))
        })?;
        Ok(Tagged {
            body: body.into_bytes(),
            etag,
        })
    }

    async fn get_if_changed(
        &self,
        bucket: &str,
        key: &str,
        etag: &str,
    ) -> PortResult<Option<Tagged>> {
        let res = self
            .client
            .get_object()
            .bucket(bucket)
            .key(key)
            .if_none_match(etag)
            .send()
            .await;
        let out = match res {
            Ok(out) => out,
            // 304 Not Modified arrives as an error response without a body.
            Err(SdkError::ServiceError(ctx)) if ctx.raw().status().as_u16() == 304 => {
                return Ok(None)
            }
            Err(e) => return Err(map_sdk_error(&format!("GetObject s3://{bucket}/{key}"), e)),
        };
        let etag = out.e_tag().unwrap_or_default().to_owned();
        let body = out.body.collect().await.map_err(|e| {
            PortError::Transient(format!("reading body of s3://{bucket}/{key}: {e}"))
        })?;
        Ok(Some(Tagged {
            body: body.into_bytes(),
            etag,
        }))
    }

    async fn etag(&self, bucket: &str, key: &str) -> PortResult<String> {
        let out = self
            .client
            .head_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| map_sdk_error(&format!("HeadObject s3://{bucket}/{key}"), e))?;
        Ok(out.e_tag().unwrap_or_default().to_owned())
    }

    async fn put_if(
        &self,
        bucket: &str,
        key: &str,
        body: Bytes,
        content_type: &str,
        condition: &WriteCondition,
    ) -> PortResult<String> {
        let mut req = self
            .client
            .put_object()
            .bucket(bucket)
            .key(key)
            .body(ByteStream::from(body));
        if !content_type.is_empty() {
            req = req.content_type(content_type);
        }
        req = match condition {
            WriteCondition::IfAbsent => req.if_none_match("*"),
            WriteCondition::IfMatch(etag) => req.if_match(etag),
        };
        let out = req
            .send()
            .await
            .map_err(|e| map_sdk_error(&format!("PutObject s3://{bucket}/{key}"), e))?;
        Ok(out.e_tag().unwrap_or_default().to_owned())
    }
}
