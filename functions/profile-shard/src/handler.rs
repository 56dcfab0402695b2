//! The workflow's tasks, generic over the object store (S3 in Lambda, in memory in tests).
//!
//! Errors carry a Step Functions error name ([`HandlerError::error_type`]) the state machine's
//! `Retry` and `Catch` match: `Driftline.Transient` is retried, `Driftline.BadRequest` and
//! `Driftline.BadData` fail the run at once (with the object and line in the message) and are
//! e-mailed by the workflow's failure state.

use crate::config::Config;
use crate::request::{Item, Request, RequestError, RunContext, StartInput};
use anyhow::Context as _;
use bytes::Bytes;
use driftline_aws::keys::join;
use driftline_aws::ports::{ObjectStore, PortError};
use driftline_dataset::labelled::LabelledSink;
use driftline_dataset::parquet_io::{self, SparseFile};
use driftline_dataset::sink::RowSink;
use driftline_dataset::{lines, Format};
use driftline_stats::profile::{Cell, DatasetProfile};
use driftline_stats::shard::{ShardProfile, ShardSource};
use driftline_stats::suggest;
use serde_json::{json, Value};
use tokio_util::io::SyncIoBridge;

/// Why a task failed.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// The request or the execution's input is wrong.
    #[error(transparent)]
    BadRequest(#[from] RequestError),
    /// An object could not be read or written; retrying may help.
    #[error("{0}")]
    Transient(String),
    /// An object is missing, unreadable (access denied) or not what it claims to be (a CSV
    /// line that does not parse, a Parquet file without its footer): retrying will not help.
    #[error("{0}")]
    BadData(String),
}

impl HandlerError {
    /// The Step Functions error name (`errorType` of the Lambda error).
    pub fn error_type(&self) -> &'static str {
        match self {
            HandlerError::BadRequest(_) => "Driftline.BadRequest",
            HandlerError::Transient(_) => "Driftline.Transient",
            HandlerError::BadData(_) => "Driftline.BadData",
        }
    }
}

impl From<PortError> for HandlerError {
    fn from(e: PortError) -> Self {
        match e {
            PortError::Transient(_) | PortError::Conflict(_) => {
                HandlerError::Transient(e.to_string())
            }
            PortError::NotFound(_) | PortError::Permanent(_) => {
                HandlerError::BadData(e.to_string())
            }
        }
    }
}

impl From<HandlerError> for lambda_runtime::Diagnostic {
    fn from(e: HandlerError) -> Self {
        lambda_runtime::Diagnostic {
            error_type: e.error_type().to_string(),
            error_message: e.to_string(),
        }
    }
}

/// A data error (the message keeps anyhow's context chain).
fn bad_data(e: anyhow::Error) -> HandlerError {
    HandlerError::BadData(format!("{e:#}"))
}

/// The handler: a store and the configuration.
pub struct Handler<S> {
    store: S,
    config: Config,
}

/// SageMaker endpoint names: 1–63 characters, letters, digits and inner hyphens.
fn valid_endpoint(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// Hadoop / Spark side files (`_SUCCESS`, `.part-0.crc`, `_committed_…`) and folder markers:
/// listed with the data, never data.
fn is_side_file(key: &str) -> bool {
    let name = key.rsplit('/').next().unwrap_or(key);
    key.ends_with('/') || name.starts_with('_') || name.starts_with('.') || name.ends_with(".crc")
}

/// A prefix as a folder: with its final `/` (the empty prefix stays empty).
fn as_folder(prefix: &str) -> String {
    if prefix.is_empty() || prefix.ends_with('/') {
        prefix.to_string()
    } else {
        format!("{prefix}/")
    }
}

/// A stable name for a shard profile from what it covers: a retried task overwrites its own
/// output instead of adding a second copy.
fn content_name(parts: &[String]) -> String {
    let mut buf = Vec::new();
    for p in parts {
        buf.extend_from_slice(p.as_bytes());
        buf.push(0);
    }
    format!("{:016x}", twox_hash::XxHash3_64::oneshot(&buf))
}

/// Data-set order: by object, then by position in it.
fn source_order(s: &ShardSource) -> (String, u64, usize) {
    (
        s.uri.clone(),
        s.byte_range.map_or(0, |r| r[0]),
        s.row_groups
            .as_ref()
            .and_then(|g| g.first().copied())
            .unwrap_or(0),
    )
}

impl<S: ObjectStore> Handler<S> {
    /// A handler over `store`.
    pub fn new(store: S, config: Config) -> Self {
        Handler { store, config }
    }

    /// Serves one request.
    pub async fn handle(&self, event: Value) -> Result<Value, HandlerError> {
        match Request::parse(&event)? {
            Request::Start(input) => self.start(input),
            Request::Profile(items, ctx) => self.profile(items, &ctx).await,
            Request::Merge(ctx) => self.merge(&ctx).await,
            Request::MergeBatch(items, ctx) => self.merge_batch(items, &ctx).await,
        }
    }

    /// `P/baseline-runs/{endpoint}/{run}/level-{n}/`
    fn level_prefix(&self, ctx: &RunContext, level: u32) -> String {
        join(
            &self.config.common.prefix,
            &format!("baseline-runs/{}/{}/level-{level}/", ctx.endpoint, ctx.run),
        )
    }

    fn start(&self, input: StartInput) -> Result<Value, HandlerError> {
        let bad = |m: String| Err(HandlerError::BadRequest(RequestError(m)));
        if !valid_endpoint(&input.endpoint) {
            return bad(format!(
                "Endpoint {:?} is not a SageMaker endpoint name (1-63 letters, digits, inner hyphens)",
                input.endpoint
            ));
        }
        if input.training_bucket.is_empty() {
            return bad("TrainingBucket is empty".into());
        }
        if input.run.is_empty() || input.run.contains('/') {
            return bad(format!("Run {:?} must be a name without '/'", input.run));
        }
        let prefix = match (&input.training_prefix, &input.trigger_key) {
            (given, Some(key)) => {
                let Some((folder, marker)) = key.trim_start_matches('/').rsplit_once('/') else {
                    return bad(format!(
                        "TriggerKey {key:?} names no folder: the marker must sit beside the training set"
                    ));
                };
                if !is_side_file(marker) {
                    return bad(format!(
                        "TriggerKey {key:?} is not a marker (a name starting with _ or .): a data object does not start a run"
                    ));
                }
                let folder = format!("{folder}/");
                if let Some(p) = given {
                    let p = as_folder(p.trim_start_matches('/'));
                    if !folder.starts_with(&p) {
                        return bad(format!(
                            "TriggerKey {key:?} is outside TrainingPrefix {p:?}"
                        ));
                    }
                }
                folder
            }
            (Some(p), None) => p.trim_start_matches('/').to_string(),
            (None, None) => return bad("give TrainingPrefix (or TriggerKey)".into()),
        };
        let ours = format!("{}/", self.config.common.prefix);
        let theirs = as_folder(&prefix);
        if input.training_bucket == self.config.common.bucket
            && (theirs.starts_with(&ours) || ours.starts_with(&theirs))
        {
            return bad(format!(
                "TrainingPrefix {prefix:?} overlaps the driftline prefix {:?} of the same bucket: \
                 the run would profile its own output",
                self.config.common.prefix
            ));
        }
        let ctx = RunContext {
            endpoint: input.endpoint,
            training_bucket: input.training_bucket,
            training_prefix: prefix,
            header: input.header,
            format: input.format,
            run: input.run,
            level: 0,
            labels: input.labels,
        };
        if let Some(spec) = &ctx.labels {
            spec.validate()
                .map_err(|e| HandlerError::BadRequest(RequestError(format!("Labels: {e}"))))?;
        }
        tracing::info!(endpoint = %ctx.endpoint, run = %ctx.run, "baseline run started");
        serde_json::to_value(&ctx)
            .map_err(|e| HandlerError::BadRequest(RequestError(e.to_string())))
    }

    /// Profiles the batch's whole objects and pieces into one shard profile; returns the
    /// pieces of objects larger than `MAX_SHARD_BYTES` as batches of their own (`Splits`).
    async fn profile(&self, items: Vec<Item>, ctx: &RunContext) -> Result<Value, HandlerError> {
        let max = self.config.max_shard_bytes;
        let mut parts: Vec<ShardProfile> = Vec::new();
        let mut splits: Vec<Value> = Vec::new();
        let mut skipped: Vec<String> = Vec::new();
        for item in items {
            if is_side_file(&item.key) {
                skipped.push(item.key);
                continue;
            }
            let Some(format) = ctx.format.or_else(|| Format::from_name(&item.key)) else {
                tracing::warn!(key = %item.key, "skipped: the extension names no training-data format (set Format in the input)");
                skipped.push(item.key);
                continue;
            };
            let whole = item.range.is_none() && item.row_groups.is_none();
            if whole && item.size > max {
                if let Some(pieces) = self.plan(&item, format, ctx).await? {
                    for p in pieces {
                        splits.push(json!({
                            "Items": [p],
                            "BatchInput": batch_input("profile", ctx),
                        }));
                    }
                    continue;
                }
            }
            parts.push(self.profile_item(&item, format, ctx).await?);
        }
        let mut written = None;
        let mut records = 0;
        if !parts.is_empty() {
            parts.sort_by_key(|p| p.sources.first().map(source_order));
            let merged = ShardProfile::merge_all(parts).map_err(|e| bad_data(e.into()))?;
            records = merged.profile.item_count();
            let labels: Vec<String> = merged.sources.iter().map(ShardSource::id).collect();
            let key = format!(
                "{}{}.json",
                self.level_prefix(ctx, 0),
                content_name(&labels)
            );
            self.put_shard(&key, &merged).await?;
            written = Some(key);
        }
        tracing::info!(
            records,
            splits = splits.len(),
            skipped = skipped.len(),
            "batch profiled"
        );
        Ok(json!({
            "ShardProfile": written,
            "Records": records,
            "Splits": splits,
            "Skipped": skipped,
        }))
    }

    /// The pieces of a large object, or `None` when it cannot be split (gzip).
    async fn plan(
        &self,
        item: &Item,
        format: Format,
        ctx: &RunContext,
    ) -> Result<Option<Vec<Item>>, HandlerError> {
        let max = self.config.max_shard_bytes;
        let bucket = &ctx.training_bucket;
        let name = format!("s3://{bucket}/{}", item.key);
        match format {
            Format::Parquet => {
                let file = self.parquet_footer(bucket, &item.key, item.size).await?;
                let spans = parquet_io::row_group_spans(file, &name).map_err(bad_data)?;
                let groups = parquet_io::plan_row_groups(&spans, max);
                if groups.len() <= 1 {
                    return Ok(None);
                }
                Ok(Some(
                    groups
                        .into_iter()
                        .map(|g| Item {
                            key: item.key.clone(),
                            size: item.size,
                            range: None,
                            row_groups: Some(g),
                        })
                        .collect(),
                ))
            }
            Format::Csv | Format::Jsonl => {
                let head = self.store.get_range(bucket, &item.key, 0, 2).await?;
                if head.len() == 2 && head[0] == 0x1f && head[1] == 0x8b {
                    tracing::warn!(key = %item.key, size = item.size, "a gzip object cannot be split: profiled whole");
                    return Ok(None);
                }
                let mut pieces = Vec::new();
                let mut start = 0u64;
                while start < item.size {
                    let end = start.saturating_add(max).min(item.size);
                    pieces.push(Item {
                        key: item.key.clone(),
                        size: item.size,
                        range: Some([start, end]),
                        row_groups: None,
                    });
                    start = end;
                }
                Ok(Some(pieces))
            }
        }
    }

    /// A Parquet object's footer (one ranged GET, two when the metadata is large).
    async fn parquet_footer(
        &self,
        bucket: &str,
        key: &str,
        size: u64,
    ) -> Result<SparseFile, HandlerError> {
        let name = format!("s3://{bucket}/{key}");
        let guess = size.min(64 * 1024);
        let mut tail = self
            .store
            .get_range(bucket, key, size - guess, size)
            .await?;
        let need = parquet_io::footer_len(&tail, &name).map_err(bad_data)?;
        if need > size {
            return Err(HandlerError::BadData(format!(
                "{name}: its footer claims {need} bytes, the object has {size}"
            )));
        }
        if need > guess {
            tail = self.store.get_range(bucket, key, size - need, size).await?;
        }
        let mut file = SparseFile::new(size);
        file.insert(size - tail.len() as u64, tail);
        Ok(file)
    }

    /// Profiles one object or piece.
    async fn profile_item(
        &self,
        item: &Item,
        format: Format,
        ctx: &RunContext,
    ) -> Result<ShardProfile, HandlerError> {
        let bucket = ctx.training_bucket.clone();
        let name = format!("s3://{bucket}/{}", item.key);
        let mut source = ShardSource::file(name.clone());
        source.byte_range = item.range;
        source.row_groups = item.row_groups.clone();
        let mut sink = Collector::new(ctx)?;
        let sink = match (format, item.range, &item.row_groups) {
            (Format::Parquet, Some(_), _) => {
                return Err(HandlerError::BadRequest(RequestError(format!(
                    "{name}: a Parquet object is split by RowGroups, not by Range"
                ))))
            }
            (Format::Csv | Format::Jsonl, _, Some(_)) => {
                return Err(HandlerError::BadRequest(RequestError(format!(
                    "{name}: RowGroups apply to Parquet objects only"
                ))))
            }
            (Format::Parquet, None, None) => {
                let body = self.store.get_bytes(&bucket, &item.key).await?;
                blocking(move || {
                    driftline_dataset::read_parquet_row_groups(body, &name, None, &mut sink)?;
                    Ok(sink)
                })
                .await?
            }
            (Format::Parquet, None, Some(groups)) => {
                let mut file = self.parquet_footer(&bucket, &item.key, item.size).await?;
                let spans = parquet_io::row_group_spans(file.clone(), &name).map_err(bad_data)?;
                for [a, b] in parquet_io::ranges_of(&spans, groups)
                    .map_err(|e| bad_data(e.context(name.clone())))?
                {
                    let bytes: Bytes = self.store.get_range(&bucket, &item.key, a, b).await?;
                    file.insert(a, bytes);
                }
                let groups = groups.clone();
                blocking(move || {
                    driftline_dataset::read_parquet_row_groups(
                        file,
                        &name,
                        Some(&groups),
                        &mut sink,
                    )?;
                    Ok(sink)
                })
                .await?
            }
            (_, None, None) => {
                let stream = self.store.get_stream(&bucket, &item.key).await?;
                let reader = SyncIoBridge::new(stream);
                let header = ctx.header;
                blocking(move || {
                    let reader = driftline_dataset::maybe_gzip(std::io::BufReader::new(reader))
                        .with_context(|| format!("cannot read {name}"))?;
                    match format {
                        Format::Csv => {
                            driftline_dataset::read_csv(reader, header, None, &name, &mut sink)?
                        }
                        _ => driftline_dataset::read_jsonl(reader, &name, &mut sink)?,
                    }
                    Ok(sink)
                })
                .await?
            }
            (_, Some([start, end]), None) => {
                let names = if ctx.header && format == Format::Csv && start > 0 {
                    let stream = self.store.get_stream(&bucket, &item.key).await?;
                    let reader = SyncIoBridge::new(stream);
                    let n = name.clone();
                    Some(blocking(move || driftline_dataset::csv_header_names(reader, &n)).await?)
                } else {
                    None
                };
                let stream = self
                    .store
                    .get_stream_from(&bucket, &item.key, start.saturating_sub(1))
                    .await?;
                let reader = SyncIoBridge::new(stream);
                let header = ctx.header;
                blocking(move || {
                    let label = format!("{name} (bytes {start}..{end})");
                    lines::read_range(
                        reader,
                        format,
                        header,
                        names,
                        [start, end],
                        &label,
                        &mut sink,
                    )?;
                    Ok(sink)
                })
                .await?
            }
        };
        Ok(sink.into_shard(source))
    }

    async fn put_shard(&self, key: &str, shard: &ShardProfile) -> Result<(), HandlerError> {
        let text = shard.to_json().map_err(|e| bad_data(e.into()))?;
        self.store
            .put(
                &self.config.common.bucket,
                key,
                Bytes::from(text),
                "application/json",
            )
            .await?;
        Ok(())
    }

    async fn read_shards(&self, keys: &[String]) -> Result<Vec<ShardProfile>, HandlerError> {
        let bucket = &self.config.common.bucket;
        let mut parts = Vec::with_capacity(keys.len());
        for key in keys {
            let body = self.store.get_bytes(bucket, key).await?;
            let text = std::str::from_utf8(&body)
                .map_err(|e| HandlerError::BadData(format!("s3://{bucket}/{key}: {e}")))?;
            let shard = ShardProfile::from_json(text)
                .map_err(|e| HandlerError::BadData(format!("s3://{bucket}/{key}: {e}")))?;
            parts.push(shard);
        }
        parts.sort_by_key(|p| p.sources.first().map(source_order));
        Ok(parts)
    }

    /// Merges level `ctx.level` into the baseline when it has at most `MERGE_FAN_IN` shard
    /// profiles; else answers `Done: false` with the prefix to merge in batches.
    async fn merge(&self, ctx: &RunContext) -> Result<Value, HandlerError> {
        let bucket = &self.config.common.bucket;
        let prefix = self.level_prefix(ctx, ctx.level);
        let listed = self.store.list(bucket, &prefix).await?;
        let keys: Vec<String> = listed
            .into_iter()
            .map(|o| o.key)
            .filter(|k| k.ends_with(".json"))
            .collect();
        if keys.is_empty() {
            return Err(HandlerError::BadData(format!(
                "no shard profiles under s3://{bucket}/{prefix}: s3://{}/{} held no training data \
                 (every object was skipped or the prefix is empty)",
                ctx.training_bucket, ctx.training_prefix
            )));
        }
        if keys.len() > self.config.merge_fan_in {
            let mut next = ctx.clone();
            next.level = ctx.level + 1;
            return Ok(json!({
                "Done": false,
                "Partials": keys.len(),
                "PartialsPrefix": prefix,
                "Next": next,
                "BatchInput": batch_input("merge-batch", &next),
            }));
        }
        let parts = self.read_shards(&keys).await?;
        let merged = ShardProfile::merge_all(parts).map_err(|e| bad_data(e.into()))?;
        let records = merged.profile.item_count();
        if records == 0 {
            return Err(HandlerError::BadData(format!(
                "s3://{}/{}: the training set has no records",
                ctx.training_bucket, ctx.training_prefix
            )));
        }
        let keys_out = self.config.common.keys();
        let (kind, docs, features) = match &merged.quality {
            Some(q) => {
                let docs: Vec<(String, String)> = q
                    .documents()
                    .into_iter()
                    .map(|(f, t)| (keys_out.quality_baseline(&ctx.endpoint, f), t))
                    .collect();
                ("model-quality", docs, 0)
            }
            None => {
                let profile: &DatasetProfile = &merged.profile;
                let docs: Vec<(String, String)> = suggest::baseline_documents(profile)
                    .into_iter()
                    .map(|(f, t)| (keys_out.baseline_file(&ctx.endpoint, f), t))
                    .collect();
                ("data-quality", docs, profile.features().len())
            }
        };
        let mut written = Vec::new();
        for (key, text) in docs {
            self.store
                .put(bucket, &key, Bytes::from(text), "application/json")
                .await?;
            written.push(format!("s3://{bucket}/{key}"));
        }
        // The merged profile stays with the run: a later run can merge new shards into it.
        let merged_key = join(
            &self.config.common.prefix,
            &format!("baseline-runs/{}/{}/merged.json", ctx.endpoint, ctx.run),
        );
        self.put_shard(&merged_key, &merged).await?;
        tracing::info!(
            records,
            sources = merged.sources.len(),
            levels = ctx.level + 1,
            "baseline written"
        );
        Ok(json!({
            "Done": true,
            "Endpoint": ctx.endpoint,
            "Records": records,
            "Kind": kind,
            "Features": features,
            "Sources": merged.sources.len(),
            "MergeLevels": ctx.level + 1,
            "Baseline": written,
        }))
    }

    /// Merges one batch of level `ctx.level - 1` into a shard profile of level `ctx.level`.
    async fn merge_batch(&self, items: Vec<Item>, ctx: &RunContext) -> Result<Value, HandlerError> {
        if ctx.level == 0 {
            return Err(HandlerError::BadRequest(RequestError(
                "merge-batch writes level 1 or above (Level 0 given)".into(),
            )));
        }
        let mut keys: Vec<String> = items.into_iter().map(|i| i.key).collect();
        let below = self.level_prefix(ctx, ctx.level - 1);
        if let Some(k) = keys.iter().find(|k| !k.starts_with(&below)) {
            return Err(HandlerError::BadRequest(RequestError(format!(
                "{k} is not a shard profile of level {} of this run",
                ctx.level - 1
            ))));
        }
        keys.sort();
        let parts = self.read_shards(&keys).await?;
        let merged = ShardProfile::merge_all(parts).map_err(|e| bad_data(e.into()))?;
        let key = format!(
            "{}{}.json",
            self.level_prefix(ctx, ctx.level),
            content_name(&keys)
        );
        self.put_shard(&key, &merged).await?;
        Ok(json!({"ShardProfile": key, "Records": merged.profile.item_count()}))
    }
}

/// A batch's shared input for `action`.
fn batch_input(action: &str, ctx: &RunContext) -> Value {
    json!({"Action": action, "Context": ctx})
}

/// What a profile task collects: the data-quality profile of training data, or the
/// model-quality partial of a labelled dataset (a run with `Labels`).
enum Collector {
    Data(DatasetProfile),
    Labelled(Box<LabelledSink>),
}

impl Collector {
    fn new(ctx: &RunContext) -> Result<Self, HandlerError> {
        Ok(match &ctx.labels {
            None => Collector::Data(DatasetProfile::new()),
            Some(spec) => {
                Collector::Labelled(Box::new(LabelledSink::new(spec).map_err(|e| {
                    HandlerError::BadRequest(RequestError(format!("Labels: {e:#}")))
                })?))
            }
        })
    }

    fn into_shard(self, source: ShardSource) -> ShardProfile {
        match self {
            Collector::Data(p) => ShardProfile::new(p, source),
            Collector::Labelled(sink) => {
                let (records, partial) = sink.finish();
                let mut p = DatasetProfile::new();
                p.add_records(records);
                ShardProfile::labelled(p, partial, source)
            }
        }
    }
}

impl RowSink for Collector {
    fn column(&mut self, name: &str) -> usize {
        match self {
            Collector::Data(p) => p.column(name),
            Collector::Labelled(s) => s.column(name),
        }
    }

    fn cell(&mut self, col: usize, cell: Cell<'_>) {
        match self {
            Collector::Data(p) => p.cell(col, cell),
            Collector::Labelled(s) => s.cell(col, cell),
        }
    }

    fn end_row(&mut self) -> anyhow::Result<()> {
        match self {
            Collector::Data(p) => p.end_row(),
            Collector::Labelled(s) => s.end_row(),
        }
    }
}

/// Runs CPU-bound profiling (and the blocking reads of its stream) off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> Result<T, HandlerError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(classify(e)),
        Err(e) => Err(HandlerError::Transient(format!(
            "profiling task failed: {e}"
        ))),
    }
}

/// A read error from the network in the middle of a body is transient; anything else the
/// readers report is about the data.
fn classify(e: anyhow::Error) -> HandlerError {
    let network = e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(|io| {
            matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::TimedOut
                    | std::io::ErrorKind::UnexpectedEof
                    | std::io::ErrorKind::BrokenPipe
                    | std::io::ErrorKind::Other
            )
        })
    });
    if network {
        HandlerError::Transient(format!("{e:#}"))
    } else {
        bad_data(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_names_and_side_files() {
        assert!(valid_endpoint("churn-xgb-1"));
        assert!(!valid_endpoint("-a"));
        assert!(!valid_endpoint("a/b"));
        assert!(!valid_endpoint(&"a".repeat(64)));
        assert!(is_side_file("train/_SUCCESS"));
        assert!(is_side_file("train/.part-0.csv.crc"));
        assert!(is_side_file("train/"));
        assert!(!is_side_file("train/part-0.csv"));
    }

    #[test]
    fn names_are_stable_and_distinct() {
        let a = content_name(&["x".into(), "y".into()]);
        assert_eq!(a, content_name(&["x".into(), "y".into()]));
        assert_ne!(a, content_name(&["xy".into()]));
    }
}
