//! [`ObjectStore`] on Amazon S3 (`aws-sdk-s3`).

use crate::ports::{
    ObjectInfo, ObjectStore, ObjectStream, PortError, PortResult, Tagged, WriteCondition,
};
use crate::sdk_error::map_sdk_error;
use aws_sdk_s3::primitives::{ByteStream, DateTimeFormat};
use aws_sdk_s3::Client;
use aws_smithy_runtime_api::client::result::SdkError;
use bytes::Bytes;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncBufRead, AsyncRead, ReadBuf};

/// A whole body (of `len` bytes when the answer says), failing when it stays silent for `idle`.
async fn read_all(body: ByteStream, len: Option<i64>, idle: Duration) -> io::Result<Bytes> {
    use tokio::io::AsyncReadExt;
    let mut r = IdleTimeout::new(body.into_async_read(), idle);
    // Sized once from Content-Length: a large object (a whole Parquet file) is not regrown.
    let cap = len.and_then(|n| usize::try_from(n).ok()).unwrap_or(0);
    let mut out = Vec::with_capacity(cap.min(1 << 30));
    r.read_to_end(&mut out).await?;
    Ok(Bytes::from(out))
}

/// An [`AsyncBufRead`] that fails with [`io::ErrorKind::TimedOut`] when no byte arrives for
/// `idle` (a stalled connection in the middle of a body, which no SDK timeout covers). The
/// readers classify that error as transient, so the invocation fails and is retried.
pub struct IdleTimeout<R> {
    inner: R,
    idle: Duration,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<R> IdleTimeout<R> {
    /// `inner`, failing after `idle` without data.
    pub fn new(inner: R, idle: Duration) -> Self {
        IdleTimeout {
            inner,
            idle,
            sleep: None,
        }
    }
}

impl<R: AsyncBufRead + Unpin> AsyncBufRead for IdleTimeout<R> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_fill_buf(cx) {
            Poll::Ready(r) => {
                this.sleep = None;
                Poll::Ready(r)
            }
            Poll::Pending => {
                let idle = this.idle;
                let sleep = this
                    .sleep
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(idle)));
                if sleep.as_mut().poll(cx).is_ready() {
                    this.sleep = None;
                    Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!(
                            "no data for {} ms in the middle of the body",
                            idle.as_millis()
                        ),
                    )))
                } else {
                    Poll::Pending
                }
            }
        }
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        Pin::new(&mut self.get_mut().inner).consume(amt);
    }
}

impl<R: AsyncBufRead + Unpin> AsyncRead for IdleTimeout<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let n = match self.as_mut().poll_fill_buf(cx) {
            Poll::Ready(Ok(buf)) => {
                let n = buf.len().min(out.remaining());
                out.put_slice(&buf[..n]);
                n
            }
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending => return Poll::Pending,
        };
        self.consume(n);
        Poll::Ready(Ok(()))
    }
}

/// S3 object store.
#[derive(Debug, Clone)]
pub struct S3Store {
    client: Client,
    page_size: Option<i32>,
    /// Longest silence tolerated in the middle of a body.
    body_idle: Duration,
}

impl S3Store {
    /// Wraps a client (build it with [`crate::clients::s3_client`] for path-style handling).
    /// A body that stays silent for the client's attempt timeout (else
    /// [`crate::clients::DEFAULT_ATTEMPT_TIMEOUT`]) fails with a transient error: the SDK's own
    /// timeouts end at the first byte of the answer.
    pub fn new(client: Client) -> Self {
        let body_idle = client
            .config()
            .timeout_config()
            .and_then(|t| t.operation_attempt_timeout())
            .unwrap_or(crate::clients::DEFAULT_ATTEMPT_TIMEOUT);
        S3Store {
            client,
            page_size: None,
            body_idle,
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
        Ok(Box::pin(IdleTimeout::new(
            out.body.into_async_read(),
            self.body_idle,
        )))
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
        Ok(Box::pin(IdleTimeout::new(
            out.body.into_async_read(),
            self.body_idle,
        )))
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
        let body = read_all(out.body, out.content_length, self.body_idle)
            .await
            .map_err(|e| PortError::Transient(format!("reading {what}: {e}")))?;
        Ok(body)
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
        let body = read_all(out.body, out.content_length, self.body_idle)
            .await
            .map_err(|e| {
                PortError::Transient(format!("reading body of s3://{bucket}/{key}: {e}"))
            })?;
        Ok(body)
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
        let body = read_all(out.body, out.content_length, self.body_idle)
            .await
            .map_err(|e| {
                PortError::Transient(format!("reading body of s3://{bucket}/{key}: {e}"))
            })?;
        Ok(Tagged { body, etag })
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
        let body = read_all(out.body, out.content_length, self.body_idle)
            .await
            .map_err(|e| {
                PortError::Transient(format!("reading body of s3://{bucket}/{key}: {e}"))
            })?;
        Ok(Some(Tagged { body, etag }))
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

#[cfg(test)]
mod idle_tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    /// Gives `data` and then nothing, ever (a connection that stalls mid-body).
    struct Stalls(Option<&'static [u8]>);
    impl AsyncBufRead for Stalls {
        fn poll_fill_buf(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
            match self.get_mut().0 {
                Some(d) => Poll::Ready(Ok(d)),
                None => Poll::Pending,
            }
        }
        fn consume(self: Pin<&mut Self>, _: usize) {
            self.get_mut().0 = None;
        }
    }
    impl AsyncRead for Stalls {
        fn poll_read(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            _: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            Poll::Pending
        }
    }

    #[tokio::test]
    async fn a_body_that_stalls_fails_as_timed_out_after_its_data() {
        let mut r = IdleTimeout::new(Stalls(Some(b"first bytes")), Duration::from_millis(50));
        let mut buf = [0u8; 64];
        let n = r.read(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"first bytes");
        let e = r.read(&mut buf).await.unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
        assert!(e.to_string().contains("50 ms"), "{e}");
    }

    #[tokio::test]
    async fn a_body_that_flows_is_read_whole() {
        let data: &'static [u8] = b"a,1\nb,2\n";
        let mut r = IdleTimeout::new(data, Duration::from_millis(50));
        let mut out = String::new();
        r.read_to_string(&mut out).await.unwrap();
        assert_eq!(out, "a,1\nb,2\n");
    }
}
