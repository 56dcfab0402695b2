//! The baseline workflow played over the in-memory store, the way the state machine plays it
//! (start, list the training prefix, batches, splits of large objects, the merge tree), against
//! independent figures: SageMaker Model Monitor's statistics of the same data
//! (`cli/tests/data`, see its SOURCES.md) and exact values computed from the CSV.

use driftline_aws::config::Common;
use driftline_aws::ports::memory::{Fault, MemoryStore, StoreOp};
use driftline_aws::ports::{ObjectStore, PortError};
use driftline_dataset::testing::{columns, compare, fixture_parquet, tiling};
use profile_shard::config::Config;
use profile_shard::handler::{Handler, HandlerError};
use serde_json::{json, Value};
use std::path::PathBuf;

const BUCKET: &str = "driftline-bucket";
const TRAIN: &str = "training-bucket";

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../cli/tests/data")
        .join(name)
}

fn read_json(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(data(name)).unwrap()).unwrap()
}

fn config(max_shard_bytes: u64, merge_fan_in: usize) -> Config {
    Config {
        common: Common {
            bucket: BUCKET.into(),
            prefix: "driftline".into(),
        },
        max_shard_bytes,
        merge_fan_in,
    }
}

/// What a run did, for the assertions.
#[derive(Debug, Default)]
struct Played {
    profile_calls: usize,
    split_calls: usize,
    merge_batch_calls: usize,
    done: Value,
}

/// Plays the state machine: Start; a Distributed Map over the listing in batches of
/// `batch` items; each batch's Splits profiled one by one; Merge until Done, each level merged
/// in batches of MERGE_FAN_IN.
async fn play(
    h: &Handler<MemoryStore>,
    store: &MemoryStore,
    input: Value,
    batch: usize,
    fan_in: usize,
) -> Result<Played, HandlerError> {
    let mut played = Played::default();
    let ctx = h
        .handle(json!({"Action": "start", "Run": "run-1", "Input": input}))
        .await?;
    let batch_input = json!({"Action": "profile", "Context": ctx});
    let listed = store
        .list(TRAIN, ctx["TrainingPrefix"].as_str().unwrap())
        .await
        .unwrap();
    for chunk in listed.chunks(batch) {
        let items: Vec<Value> = chunk
            .iter()
            .map(|o| json!({"Key": o.key, "Size": o.size, "StorageClass": "STANDARD"}))
            .collect();
        played.profile_calls += 1;
        let out = h
            .handle(json!({"Items": items, "BatchInput": batch_input}))
            .await?;
        for split in out["Splits"].as_array().unwrap() {
            played.split_calls += 1;
            h.handle(split.clone()).await?;
        }
    }
    let mut merge = json!({"Action": "merge", "Context": ctx});
    loop {
        let out = h.handle(merge.clone()).await?;
        if out["Done"] == json!(true) {
            played.done = out;
            return Ok(played);
        }
        let partials = store
            .list(BUCKET, out["PartialsPrefix"].as_str().unwrap())
            .await
            .unwrap();
        for chunk in partials.chunks(fan_in) {
            let items: Vec<Value> = chunk.iter().map(|o| json!({"Key": o.key})).collect();
            played.merge_batch_calls += 1;
            h.handle(json!({"Items": items, "BatchInput": out["BatchInput"]}))
                .await?;
        }
        merge = json!({"Action": "merge", "Context": out["Next"]});
    }
}

/// The churn CSV as `n` objects, each with the header row (as a feature pipeline writes
/// part files), plus the Spark side files that must be skipped.
fn churn_objects(store: &MemoryStore, n: usize, seed: u64) -> String {
    let text = std::fs::read_to_string(data("churn/training-dataset-with-header.csv")).unwrap();
    let (header, body) = text.split_once('\n').unwrap();
    let lines: Vec<&str> = body.lines().collect();
    let cuts = tiling(lines.len() as u64, n, seed);
    for (i, [a, b]) in cuts.iter().enumerate() {
        let part: String = lines[*a as usize..*b as usize]
            .iter()
            .map(|l| format!("{l}\n"))
            .collect();
        store.insert(
            TRAIN,
            &format!("train/part-{i:05}.csv"),
            format!("{header}\n{part}"),
        );
    }
    store.insert(TRAIN, "train/_SUCCESS", "");
    store.insert(TRAIN, "train/.part-00000.csv.crc", "xx");
    text
}

fn baseline(store: &MemoryStore, endpoint: &str, file: &str) -> Value {
    let key = format!("driftline/baselines/{endpoint}/{file}");
    serde_json::from_slice(
        &store
            .object(BUCKET, &key)
            .unwrap_or_else(|| panic!("{key} missing")),
    )
    .unwrap()
}

#[tokio::test]
async fn churn_in_part_files_and_split_objects_matches_the_real_service() {
    let want = read_json("churn/statistics.partial-first-29-features.json");
    // 9 part files in batches of 2; objects over 16 KiB split into ranges; fan-in 3 makes a
    // merge tree of three levels.
    let store = MemoryStore::new();
    let text = churn_objects(&store, 9, 11);
    let h = Handler::new(store.clone(), config(16 * 1024, 3));
    let input = json!({"Endpoint": "churn", "TrainingBucket": TRAIN, "TrainingPrefix": "train/",
                       "Header": true});
    let played = play(&h, &store, input, 2, 3).await.unwrap();
    assert!(played.split_calls > 0, "no object was split: {played:?}");
    assert!(played.merge_batch_calls > 0, "no merge tree: {played:?}");
    assert_eq!(played.done["Records"], want["dataset"]["item_count"]);
    let got = baseline(&store, "churn", "statistics.json");
    assert_eq!(got["features"].as_array().unwrap().len(), 70);
    let diffs = compare(&got, &want, &columns(&text, true));
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
    // The suggested constraints and driftline's value constraints sit beside it.
    let c = baseline(&store, "churn", "constraints.json");
    assert_eq!(c["features"].as_array().unwrap().len(), 70);
    baseline(&store, "churn", "driftline-constraints.json");
}

#[tokio::test]
async fn parquet_row_groups_are_fetched_alone_and_match_the_real_service() {
    let csv = std::fs::read_to_string(data("baseline_dataset.csv")).unwrap();
    let mut bytes = Vec::new();
    let rows = csv.lines().count();
    let groups = fixture_parquet(&csv, &mut bytes, rows.div_ceil(6));
    assert_eq!(groups, 6);
    let bytes = bytes::Bytes::from(bytes);
    let spans = driftline_dataset::parquet_io::row_group_spans(bytes.clone(), "t").unwrap();
    let store = MemoryStore::new();
    store.insert(TRAIN, "features/data.parquet", bytes);
    // Shards of 2 row groups each.
    let two = spans[1].end - spans[0].start;
    let h = Handler::new(store.clone(), config(two, 64));
    let input = json!({"Endpoint": "ep", "TrainingBucket": TRAIN, "TrainingPrefix": "features"});
    let played = play(&h, &store, input, 10, 64).await.unwrap();
    assert!(played.split_calls >= 3, "{played:?}");
    assert_eq!(played.done["Sources"], json!(played.split_calls));
    let got = baseline(&store, "ep", "statistics.json");
    let diffs = compare(&got, &read_json("statistics.json"), &columns(&csv, false));
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

#[tokio::test]
async fn a_retried_task_overwrites_its_own_output() {
    let store = MemoryStore::new();
    churn_objects(&store, 3, 5);
    let h = Handler::new(store.clone(), config(1 << 30, 64));
    let ctx = json!({"Action": "profile", "Context": {"Endpoint": "churn",
                     "TrainingBucket": TRAIN, "TrainingPrefix": "train/", "Header": true,
                     "Run": "r"}});
    let items = json!([{"Key": "train/part-00000.csv", "Size": 1}]);
    let batch = json!({"Items": items, "BatchInput": ctx});
    // The first attempt fails writing (Lambda / Step Functions retry it), the retry succeeds.
    store.inject(Fault::new(
        StoreOp::Put,
        PortError::Transient("503 SlowDown".into()),
    ));
    let e = h.handle(batch.clone()).await.unwrap_err();
    assert_eq!(e.error_type(), "Driftline.Transient");
    let a = h.handle(batch.clone()).await.unwrap();
    let b = h.handle(batch).await.unwrap();
    assert_eq!(a["ShardProfile"], b["ShardProfile"]);
    let level0: Vec<String> = store
        .keys(BUCKET)
        .into_iter()
        .filter(|k| k.contains("/level-0/"))
        .collect();
    assert_eq!(level0.len(), 1, "{level0:?}");
}

#[tokio::test]
async fn bad_inputs_and_bad_data_fail_the_run_with_the_reason() {
    let store = MemoryStore::new();
    let h = Handler::new(store.clone(), config(1 << 30, 64));
    let start = |v: Value| json!({"Action": "start", "Run": "r", "Input": v});
    let base = json!({"Endpoint": "ep", "TrainingBucket": TRAIN, "TrainingPrefix": "t/"});
    let mut bad = base.clone();
    bad["Endpoint"] = json!("not/an endpoint");
    let e = h.handle(start(bad)).await.unwrap_err();
    assert_eq!(e.error_type(), "Driftline.BadRequest");
    let mut own = base.clone();
    own["TrainingBucket"] = json!(BUCKET);
    own["TrainingPrefix"] = json!("driftline/baselines");
    let e = h.handle(start(own)).await.unwrap_err();
    assert!(
        e.to_string().contains("overlaps the driftline prefix"),
        "{e}"
    );
    let mut extra = base.clone();
    extra["Hedaer"] = json!(true);
    let e = h.handle(start(extra)).await.unwrap_err();
    assert!(e.to_string().contains("unknown field"), "{e}");

    // An empty prefix: the merge says so.
    let mut run = base.clone();
    run["Run"] = json!("r");
    let e = h
        .handle(json!({"Action": "merge", "Context": run}))
        .await
        .unwrap_err();
    assert_eq!(e.error_type(), "Driftline.BadData");
    assert!(e.to_string().contains("held no training data"), "{e}");

    // A broken line names the object and the line; a missing object is not retried.
    store.insert(TRAIN, "t/a.jsonl", "{\"x\": 1}\n{\"x\": \n");
    let ctx = json!({"Action": "profile", "Context": run});
    let e = h
        .handle(json!({"Items": [{"Key": "t/a.jsonl", "Size": 17}], "BatchInput": ctx}))
        .await
        .unwrap_err();
    assert_eq!(e.error_type(), "Driftline.BadData");
    assert!(
        e.to_string()
            .contains("s3://training-bucket/t/a.jsonl: line 2"),
        "{e}"
    );
    let e = h
        .handle(json!({"Items": [{"Key": "t/gone.csv", "Size": 17}], "BatchInput": ctx}))
        .await
        .unwrap_err();
    assert_eq!(e.error_type(), "Driftline.BadData");
    // A file that is not Parquet.
    store.insert(TRAIN, "t/x.parquet", "hello, not parquet");
    let e = h
        .handle(json!({"Items": [{"Key": "t/x.parquet", "Size": 18, "RowGroups": [0]}], "BatchInput": ctx}))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("not a Parquet file"), "{e}");
}

/// The SDK example's labelled dataset, each row repeated with another id (3,000 rows), as
/// `n` objects with a header row each; returns the whole CSV.
fn labelled_objects(store: &MemoryStore, n: usize) -> String {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/stats/tests/data/model_quality/baseline_dataset.csv"),
    )
    .unwrap();
    let mut lines = text.lines();
    let header = format!("id,{}", lines.next().unwrap());
    let rows: Vec<&str> = lines.collect();
    let all: Vec<String> = (0..30)
        .flat_map(|c| {
            rows.iter()
                .enumerate()
                .map(move |(i, r)| format!("{},{r}\n", c * 1000 + i))
        })
        .collect();
    for (i, [a, b]) in tiling(all.len() as u64, n, 3).iter().enumerate() {
        let part: String = all[*a as usize..*b as usize].concat();
        store.insert(
            TRAIN,
            &format!("val/part-{i:05}.csv"),
            format!("{header}\n{part}"),
        );
    }
    format!("{header}\n{}", all.concat())
}

#[tokio::test]
async fn a_labelled_run_writes_the_model_quality_baseline_of_one_pass() {
    use driftline_dataset::labelled::{LabelSpec, LabelledSink};
    use driftline_stats::quality::state::ProblemType;
    let store = MemoryStore::new();
    let text = labelled_objects(&store, 5);
    let h = Handler::new(store.clone(), config(8 * 1024, 3));
    let labels = json!({"ProblemType": "BinaryClassification", "GroundTruthAttribute": "Label",
                        "ProbabilityAttribute": "Prediction"});
    let input = json!({"Endpoint": "churn", "TrainingBucket": TRAIN, "TrainingPrefix": "val/",
                       "Header": true, "Labels": labels});
    let played = play(&h, &store, input, 2, 3).await.unwrap();
    assert!(
        played.split_calls > 0 && played.merge_batch_calls > 0,
        "{played:?}"
    );
    assert_eq!(played.done["Kind"], "model-quality");
    assert_eq!(played.done["Records"], 3000);
    // Only the model-quality baseline: the data-quality one is left alone.
    assert!(store
        .object(BUCKET, "driftline/baselines/churn/statistics.json")
        .is_none());
    let got = baseline(&store, "churn", "model-quality/statistics.json");
    baseline(&store, "churn", "model-quality/constraints.json");
    let cal = baseline(&store, "churn", "model-quality/calibration.json");

    // One pass over the concatenated CSV.
    let spec =
        LabelSpec::new(ProblemType::BinaryClassification, "Label").with_probability("Prediction");
    let mut sink = LabelledSink::new(&spec).unwrap();
    driftline_dataset::read_csv(text.as_bytes(), true, None, "all.csv", &mut sink).unwrap();
    let (_, whole) = sink.finish();
    let want: Value = serde_json::from_str(&whole.statistics().to_json()).unwrap();
    let (g, w) = (
        &got["binary_classification_metrics"],
        &want["binary_classification_metrics"],
    );
    assert_eq!(g["confusion_matrix"], w["confusion_matrix"]);
    for (name, v) in w.as_object().unwrap() {
        let Some(x) = v["value"].as_f64() else {
            continue;
        };
        let y = g[name]["value"].as_f64().unwrap();
        let tol = if name == "auc" { 0.01 } else { 0.0 };
        assert!((x - y).abs() <= tol, "{name}: {y} vs {x}");
    }
    let want_cal: Value = serde_json::from_str(&driftline_stats::jackson::to_string_pretty(
        &whole.scores.fit().unwrap(),
    ))
    .unwrap();
    assert_eq!(cal, want_cal);
}

#[tokio::test]
async fn bad_labels_are_refused_at_the_start() {
    let store = MemoryStore::new();
    let h = Handler::new(store.clone(), config(1 << 20, 10));
    for (labels, why) in [
        (
            json!({"ProblemType": "Regression", "GroundTruthAttribute": "y"}),
            "inference attribute",
        ),
        (
            json!({"ProblemType": "Sorting", "GroundTruthAttribute": "y"}),
            "unknown variant",
        ),
        (
            json!({"ProblemType": "Regression", "GroundTruthAttribute": "y", "Colour": 1}),
            "unknown field",
        ),
    ] {
        let input = json!({"Endpoint": "churn", "TrainingBucket": TRAIN, "TrainingPrefix": "val/",
                           "Labels": labels});
        let e = h
            .handle(json!({"Action": "start", "Run": "r", "Input": input}))
            .await
            .unwrap_err();
        assert_eq!(e.error_type(), "Driftline.BadRequest");
        assert!(e.to_string().contains(why), "{e}");
    }
}

#[tokio::test]
async fn a_marker_object_starts_a_run_over_its_folder() {
    let store = MemoryStore::new();
    let h = Handler::new(store.clone(), config(1 << 20, 10));
    let start = |input: Value| {
        let h = &h;
        async move {
            h.handle(json!({"Action": "start", "Run": "r", "Input": input}))
                .await
        }
    };
    // What the template's BaselineTriggerRule sends for training/v8/_SUCCESS.
    let ctx = start(json!({"Endpoint": "churn", "TrainingBucket": TRAIN,
                           "TriggerKey": "training/v8/_SUCCESS", "Header": true}))
    .await
    .unwrap();
    assert_eq!(ctx["TrainingPrefix"], "training/v8/");
    let ctx = start(
        json!({"Endpoint": "churn", "TrainingBucket": TRAIN, "TrainingPrefix": "training",
                           "TriggerKey": "training/a/b/_SUCCESS"}),
    )
    .await
    .unwrap();
    assert_eq!(ctx["TrainingPrefix"], "training/a/b/");
    for (input, why) in [
        (
            json!({"Endpoint": "churn", "TrainingBucket": TRAIN, "TriggerKey": "training/v8/part-0.csv"}),
            "not a marker",
        ),
        (
            json!({"Endpoint": "churn", "TrainingBucket": TRAIN, "TriggerKey": "_SUCCESS"}),
            "names no folder",
        ),
        (
            json!({"Endpoint": "churn", "TrainingBucket": TRAIN, "TrainingPrefix": "training",
                "TriggerKey": "trainingx/v1/_SUCCESS"}),
            "outside TrainingPrefix",
        ),
        (
            json!({"Endpoint": "churn", "TrainingBucket": TRAIN}),
            "give TrainingPrefix",
        ),
    ] {
        let e = start(input).await.unwrap_err();
        assert_eq!(e.error_type(), "Driftline.BadRequest");
        assert!(e.to_string().contains(why), "{e}");
    }
}
