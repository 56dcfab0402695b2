//! Read–modify–write of a small JSON state object that concurrent invocations update: a
//! conditional write (`If-Match` the tag read, or `If-None-Match: *` when new) and, when another
//! writer came first, read again and apply again.
//!
//! ```
//! use driftline_aws::ports::memory::MemoryStore;
//! use driftline_aws::state::update_json;
//! # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
//! let store = MemoryStore::new();
//! let (n, _tag) = update_json(&store, "b", "count.json", || 0u64, |n| { *n += 1; true }).await.unwrap();
//! assert_eq!(n, 1);
//! let (n, _) = update_json(&store, "b", "count.json", || 0u64, |n| { *n += 1; true }).await.unwrap();
//! assert_eq!(n, 2);
//! # });
//! ```

use crate::ports::{ObjectStore, PortError, WriteCondition};
use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Attempts before giving up (a transient error: Lambda retries the invocation).
pub const MAX_ATTEMPTS: u32 = 24;

/// Why a state could not be updated.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The store failed (see [`PortError::is_transient`]).
    #[error("state s3://{bucket}/{key}: {source}")]
    Port {
        /// Bucket.
        bucket: String,
        /// Key.
        key: String,
        /// Cause.
        source: PortError,
    },
    /// Every attempt lost a race.
    #[error(
        "state s3://{bucket}/{key}: {MAX_ATTEMPTS} conditional writes lost to concurrent writers"
    )]
    Contention {
        /// Bucket.
        bucket: String,
        /// Key.
        key: String,
    },
}

/// Reads the state at `key` (or `empty()` when there is none, or when it does not parse — it is
/// then replaced), lets `apply` change it, and writes it back conditionally; repeats from the
/// read when another writer came first. `apply` returns false when it changed nothing (no
/// write). Returns the state and its entity tag (empty when nothing was ever written).
pub async fn update_json<S, T>(
    store: &S,
    bucket: &str,
    key: &str,
    empty: impl Fn() -> T,
    mut apply: impl FnMut(&mut T) -> bool,
) -> Result<(T, String), StateError>
where
    S: ObjectStore,
    T: Serialize + DeserializeOwned,
{
    let err = |source: PortError| StateError::Port {
        bucket: bucket.to_string(),
        key: key.to_string(),
        source,
    };
    for attempt in 0..MAX_ATTEMPTS {
        let (mut state, condition) = match store.get_tagged(bucket, key).await {
            Ok(t) => (
                serde_json::from_slice(&t.body).unwrap_or_else(|e| {
                    tracing::warn!(key, error = %e, "state unreadable; starting it again");
                    empty()
                }),
                WriteCondition::IfMatch(t.etag),
            ),
            Err(PortError::NotFound(_)) => (empty(), WriteCondition::IfAbsent),
            Err(e) => return Err(err(e)),
        };
        if !apply(&mut state) {
            let tag = match condition {
                WriteCondition::IfMatch(t) => t,
                WriteCondition::IfAbsent => String::new(),
            };
            return Ok((state, tag));
        }
        let body = serde_json::to_vec(&state)
            .map_err(|e| err(PortError::Permanent(format!("serialising: {e}"))))?;
        match store
            .put_if(
                bucket,
                key,
                Bytes::from(body),
                "application/json",
                &condition,
            )
            .await
        {
            Ok(tag) => return Ok((state, tag)),
            Err(PortError::Conflict(_)) | Err(PortError::NotFound(_)) => {
                let ms = 5 * u64::from(attempt.min(8) + 1) + u64::from(key.len() as u32 % 7);
                tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            }
            Err(e) => return Err(err(e)),
        }
    }
    Err(StateError::Contention {
        bucket: bucket.to_string(),
        key: key.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::memory::{Fault, MemoryStore, StoreOp};
    use std::sync::Arc;

    #[tokio::test]
    async fn concurrent_updates_are_all_kept() {
        let store = Arc::new(MemoryStore::new());
        let mut tasks = Vec::new();
        for i in 0..16u64 {
            let s = Arc::clone(&store);
            tasks.push(tokio::spawn(async move {
                update_json(&*s, "b", "k", Vec::<u64>::new, |v| {
                    v.push(i);
                    true
                })
                .await
                .unwrap();
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let v: Vec<u64> = serde_json::from_slice(&store.object("b", "k").unwrap()).unwrap();
        let mut v = v;
        v.sort();
        assert_eq!(v, (0..16).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn no_change_no_write_and_errors_surface() {
        let store = MemoryStore::new();
        let (v, tag) = update_json(&store, "b", "k", || 5u64, |_| false)
            .await
            .unwrap();
        assert_eq!((v, tag.as_str()), (5, ""));
        assert_eq!(store.call_count(StoreOp::Put), 0);
        store.inject(Fault::new(StoreOp::Get, PortError::Transient("503".into())));
        let e = update_json(&store, "b", "k", || 5u64, |_| true)
            .await
            .unwrap_err();
        assert!(matches!(e, StateError::Port { ref source, .. } if source.is_transient()));
        store.inject(Fault::new(StoreOp::Put, PortError::Conflict("412".into())).times(usize::MAX));
        let e = update_json(&store, "b", "k", || 5u64, |_| true)
            .await
            .unwrap_err();
        assert!(matches!(e, StateError::Contention { .. }));
    }
}
