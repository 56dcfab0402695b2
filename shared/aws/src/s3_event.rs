//! The two event shapes that announce a new capture object:
//!
//! * an S3 event notification (`Records[].s3.bucket.name` / `Records[].s3.object.key`), used
//!   when the stack owns the bucket;
//! * an EventBridge "Object Created" event from `aws.s3` (`detail.bucket.name` /
//!   `detail.object.key`), used for an existing SageMaker capture bucket.
//!
//! Keys in S3 notifications are URL-encoded (`+` for a space, then percent-encoding); the
//! decoding is [`crate::keys::decode_event_key`]'s job, applied here to both shapes.

use serde_json::Value;

/// One object announced by an event, key still as the event spelled it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRef {
    /// Bucket name.
    pub bucket: String,
    /// Key as found in the event (URL-encoded).
    pub raw_key: String,
    /// Event name / detail-type, for logs.
    pub event_name: String,
    /// The object's size in bytes, when the event says it (both shapes normally do).
    pub size: Option<u64>,
}

/// Why an event could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EventError {
    /// Neither an S3 notification nor an EventBridge S3 event.
    #[error("unrecognised event: {0}")]
    Unrecognised(String),
}

/// Extracts the announced objects from either event shape. Records that are not object
/// creations (e.g. `ObjectRemoved:*`, test events) are skipped, not errors.
pub fn objects_from_event(event: &Value) -> Result<Vec<ObjectRef>, EventError> {
    if let Some(records) = event.get("Records").and_then(Value::as_array) {
        let mut out = Vec::with_capacity(records.len());
        for r in records {
            let name = r.get("eventName").and_then(Value::as_str).unwrap_or("");
            if !name.is_empty() && !name.starts_with("ObjectCreated") {
                continue;
            }
            let bucket = r.pointer("/s3/bucket/name").and_then(Value::as_str);
            let key = r.pointer("/s3/object/key").and_then(Value::as_str);
            if let (Some(bucket), Some(key)) = (bucket, key) {
                out.push(ObjectRef {
                    bucket: bucket.to_string(),
                    raw_key: key.to_string(),
                    event_name: name.to_string(),
                    size: r.pointer("/s3/object/size").and_then(Value::as_u64),
                });
            }
        }
        return Ok(out);
    }
    if event.get("Event").and_then(Value::as_str) == Some("s3:TestEvent") {
        return Ok(Vec::new());
    }
    if event.get("source").and_then(Value::as_str) == Some("aws.s3") {
        let detail_type = event
            .get("detail-type")
            .and_then(Value::as_str)
            .unwrap_or("");
        if detail_type != "Object Created" {
            return Ok(Vec::new());
        }
        let bucket = event.pointer("/detail/bucket/name").and_then(Value::as_str);
        let key = event.pointer("/detail/object/key").and_then(Value::as_str);
        return match (bucket, key) {
            (Some(b), Some(k)) => Ok(vec![ObjectRef {
                bucket: b.to_string(),
                raw_key: k.to_string(),
                event_name: detail_type.to_string(),
                size: event.pointer("/detail/object/size").and_then(Value::as_u64),
            }]),
            _ => Err(EventError::Unrecognised(
                "EventBridge S3 event without detail.bucket.name / detail.object.key".into(),
            )),
        };
    }
    let mut keys: Vec<&str> = event
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    keys.truncate(8);
    Err(EventError::Unrecognised(format!(
        "expected an S3 notification (Records[]) or an EventBridge aws.s3 event; top-level keys: {keys:?}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_s3_notification_fixture() {
        let v: Value =
            serde_json::from_str(include_str!("../tests/fixtures/s3/example-s3-event.json"))
                .unwrap();
        let objs = objects_from_event(&v).unwrap();
        assert_eq!(objs.len(), 1);
        assert_eq!(objs[0].bucket, "sourcebucket");
        assert_eq!(objs[0].raw_key, "Happy%20Face.jpg");
        assert_eq!(objs[0].size, Some(1024));
    }

    #[test]
    fn reads_eventbridge_object_created() {
        let v = json!({"version":"0","detail-type":"Object Created","source":"aws.s3",
            "detail":{"bucket":{"name":"b"},"object":{"key":"datacapture/ep/AllTraffic/2026/11/25/10/a+b.jsonl","size":3}}});
        let objs = objects_from_event(&v).unwrap();
        assert_eq!(objs[0].bucket, "b");
        assert!(objs[0].raw_key.ends_with("a+b.jsonl"));
        assert_eq!(objs[0].size, Some(3));
    }

    #[test]
    fn skips_removals_and_test_events_rejects_garbage() {
        let v = json!({"Records":[{"eventName":"ObjectRemoved:Delete","s3":{"bucket":{"name":"b"},"object":{"key":"k"}}}]});
        assert!(objects_from_event(&v).unwrap().is_empty());
        let t = json!({"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"b"});
        assert!(objects_from_event(&t).unwrap().is_empty());
        assert!(objects_from_event(&json!({"hello": 1})).is_err());
        assert!(objects_from_event(&json!([1, 2])).is_err());
    }
}
