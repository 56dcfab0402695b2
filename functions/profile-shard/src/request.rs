//! The workflow's requests, as Step Functions sends them, and the answers.
//!
//! Every request names its `Action`. Batches come from a Distributed Map's `ItemBatcher`:
//! `{"Items": [...], "BatchInput": {"Action": …, the run's context}}`; an item is an entry of
//! `s3:listObjectsV2` (`Key`, `Size`, and fields ignored here) or a piece of an object
//! (`Range` or `RowGroups`) that an earlier `profile` answer returned.

use driftline_dataset::labelled::LabelSpec;
use driftline_dataset::Format;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A request that cannot be served as sent (a workflow or input error, not a data error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad request: {0}")]
pub struct RequestError(pub String);

/// The run's context: what the execution's input said, validated by `start`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RunContext {
    /// The endpoint whose baseline is built (`{DRIFTLINE_PREFIX}/baselines/{endpoint}/`).
    pub endpoint: String,
    /// Bucket of the training set.
    pub training_bucket: String,
    /// Prefix listed for the training set's objects.
    pub training_prefix: String,
    /// CSV objects start with a header row.
    #[serde(default)]
    pub header: bool,
    /// Format of every object; `None`: from each key's extension.
    #[serde(default)]
    pub format: Option<Format>,
    /// The run's name (the execution's name): its shard profiles live under it.
    pub run: String,
    /// The merge-tree level a merge request reads (0: the shard profiles).
    #[serde(default)]
    pub level: u32,
    /// A labelled dataset: the run builds the model-quality baseline
    /// (`baselines/{endpoint}/model-quality/`) from these columns instead of the data-quality
    /// one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<LabelSpec>,
}

/// One object, or one piece of an object, to profile or merge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Item {
    /// The object's key.
    pub key: String,
    /// Its size in bytes (from the listing).
    #[serde(default)]
    pub size: u64,
    /// Only the lines starting in `[start, end)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<[u64; 2]>,
    /// Only these Parquet row groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_groups: Option<Vec<usize>>,
}

/// A batch: items and the context they share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Batch {
    /// The items.
    pub items: Vec<Item>,
    /// The shared input, with the action.
    pub batch_input: BatchInput,
}

/// A batch's shared input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BatchInput {
    /// `profile` or `merge-batch`.
    pub action: String,
    /// The run.
    pub context: RunContext,
}

/// The execution's input, as the user starts it (`{"Action": "start", "Run": …, "Input":
/// {this}}` from the state machine).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct StartInput {
    /// See [`RunContext::endpoint`].
    pub endpoint: String,
    /// See [`RunContext::training_bucket`].
    pub training_bucket: String,
    /// See [`RunContext::training_prefix`]; may be left out when `TriggerKey` is given.
    #[serde(default)]
    pub training_prefix: Option<String>,
    /// The key of the marker object whose creation started the run (the template's
    /// `BaselineTriggerRule`: a `_SUCCESS` written after a training set): the run profiles the
    /// folder holding it. Inside `TrainingPrefix` when both are given.
    #[serde(default)]
    pub trigger_key: Option<String>,
    /// See [`RunContext::header`].
    #[serde(default)]
    pub header: bool,
    /// See [`RunContext::format`].
    #[serde(default)]
    pub format: Option<Format>,
    /// See [`RunContext::labels`].
    #[serde(default)]
    pub labels: Option<LabelSpec>,
    /// The execution's name (`$$.Execution.Name`, set by the state machine).
    #[serde(skip)]
    pub run: String,
}

/// A parsed request.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Validate the execution's input.
    Start(StartInput),
    /// Profile a batch of objects.
    Profile(Vec<Item>, RunContext),
    /// Merge the run's level `context.level`, or plan the next level.
    Merge(RunContext),
    /// Merge a batch of one level into the next.
    MergeBatch(Vec<Item>, RunContext),
}

impl Request {
    /// Reads a request, with a clear error for anything else.
    pub fn parse(v: &Value) -> Result<Request, RequestError> {
        let bad = |e: serde_json::Error| RequestError(e.to_string());
        let action = v
            .get("Action")
            .or_else(|| v.get("BatchInput").and_then(|b| b.get("Action")))
            .and_then(Value::as_str)
            .ok_or_else(|| {
                RequestError("no Action (expected start, profile, merge or merge-batch)".into())
            })?;
        match action {
            "start" => {
                let input = v.get("Input").ok_or_else(|| {
                    RequestError("start: no Input (the execution's input)".into())
                })?;
                let run = v
                    .get("Run")
                    .and_then(Value::as_str)
                    .ok_or_else(|| RequestError("start: no Run (the execution's name)".into()))?;
                let mut s = StartInput::deserialize(input)
                    .map_err(|e| RequestError(format!("the execution's input: {e}")))?;
                s.run = run.to_string();
                Ok(Request::Start(s))
            }
            "merge" => {
                let ctx = v
                    .get("Context")
                    .ok_or_else(|| RequestError("merge: no Context".into()))?;
                Ok(Request::Merge(RunContext::deserialize(ctx).map_err(bad)?))
            }
            "profile" | "merge-batch" => {
                let b = Batch::deserialize(v).map_err(bad)?;
                if b.items.is_empty() {
                    return Err(RequestError(format!("{action}: the batch has no Items")));
                }
                Ok(if action == "profile" {
                    Request::Profile(b.items, b.batch_input.context)
                } else {
                    Request::MergeBatch(b.items, b.batch_input.context)
                })
            }
            other => Err(RequestError(format!(
                "unknown Action {other:?} (expected start, profile, merge or merge-batch)"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ctx() -> Value {
        json!({"Endpoint": "churn", "TrainingBucket": "t", "TrainingPrefix": "train/",
               "Header": true, "Run": "r1", "Level": 0})
    }

    #[test]
    fn a_distributed_map_batch_is_read() {
        let v = json!({"Items": [{"Etag": "\"x\"", "Key": "train/a.csv", "LastModified": 1.7e9,
                                  "Size": 10, "StorageClass": "STANDARD"}],
                       "BatchInput": {"Action": "profile", "Context": ctx()}});
        let Request::Profile(items, c) = Request::parse(&v).unwrap() else {
            panic!("not a profile request")
        };
        assert_eq!(items[0].key, "train/a.csv");
        assert_eq!(items[0].size, 10);
        assert!(c.header);
        assert_eq!(c.format, None);
    }

    #[test]
    fn bad_requests_say_why() {
        let e = Request::parse(&json!({"Items": []})).unwrap_err();
        assert!(e.0.contains("no Action"), "{e}");
        let e = Request::parse(&json!({"Action": "explode"})).unwrap_err();
        assert!(e.0.contains("unknown Action"), "{e}");
        let e = Request::parse(&json!({"Action": "start", "Run": "r", "Input": {"Endpoint": "x"}}))
            .unwrap_err();
        assert!(e.0.contains("missing field"), "{e}");
        let e = Request::parse(
            &json!({"Items": [], "BatchInput": {"Action": "merge-batch", "Context": ctx()}}),
        )
        .unwrap_err();
        assert!(e.0.contains("no Items"), "{e}");
        let e = Request::parse(
            &json!({"Action": "start", "Run": "r", "Input": {"Endpoint": "x",
            "TrainingBucket": "b", "TrainingPrefix": "p", "Format": "xls"}}),
        )
        .unwrap_err();
        assert!(e.0.contains("unknown variant"), "{e}");
        let e = Request::parse(&json!({"Action": "merge"})).unwrap_err();
        assert!(e.0.contains("no Context"), "{e}");
        let e = Request::parse(&json!({"Action": "start", "Input": {}})).unwrap_err();
        assert!(e.0.contains("no Run"), "{e}");
    }
}
