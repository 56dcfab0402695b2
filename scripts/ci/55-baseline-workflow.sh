#!/usr/bin/env bash
# The baseline workflow end to end on this machine: template.yaml's BaselineStateMachine played
# from its own definition by tests/baseline/play.py (moto cannot run a Distributed Map against
# the Lambda runtime API), its tasks served by `cargo lambda watch` (profile-shard, the real
# runtime API), S3 and SNS on a moto_server started here.
#
# 1. A training set of 12 CSV part files, Spark's side files and one object over MAX_SHARD_BYTES
#    (split into byte ranges at line boundaries), batches of 2 and a merge fan-in of 3 (a merge
#    tree): the baseline in baselines/{endpoint}/ must equal `driftline baseline`
#    on the whole data in one pass (counts, min, max exactly; sums, means, deviations to 1e-12).
# 2. A training set with a broken line: the run fails, the child's error names the object and
#    the line, and the failure e-mail reaches a queue subscribed to the topic.
# 3. A labelled validation set (Labels in the input) in 4 objects: the model-quality baseline in
#    baselines/{endpoint}/model-quality/ must equal `driftline quality baseline` in one pass.
# 4. The template's BaselineTriggerRule (tests/baseline/trigger.py renders its pattern and
#    input transformer) on run 1's _SUCCESS marker: the same baseline as run 1.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
TAG=baseline-workflow
# shellcheck source=../lib/harness.sh
source "$ROOT/scripts/lib/harness.sh"

log "building profile-shard and the CLI"
cargo build --locked --bin profile-shard --bin driftline

start_moto
BUCKET=driftline-baseline-it
TRAIN=training-baseline-it
"$VENV/bin/python" - "$BUCKET" "$TRAIN" "$WORK" "$ROOT" <<'PY'
import json, sys, boto3
bucket, train, work, root = sys.argv[1:5]
s3 = boto3.client("s3")
for b in (bucket, train):
    s3.create_bucket(Bucket=b)
text = open(f"{root}/cli/tests/data/churn/training-dataset-with-header.csv").read()
header, body = text.split("\n", 1)
rows = [l for l in body.splitlines() if l]
# Eight copies of the churn rows: 12 part files from four, one 1.5 MB object from the rest.
small, big = rows * 4, rows * 4
per = -(-len(small) // 12)
for i in range(12):
    part = small[i * per:(i + 1) * per]
    s3.put_object(Bucket=train, Key=f"churn/v1/part-{i:05}.csv", Body=(header + "\n" + "\n".join(part) + "\n").encode())
s3.put_object(Bucket=train, Key="churn/v1/part-99999.csv", Body=(header + "\n" + "\n".join(big) + "\n").encode())
s3.put_object(Bucket=train, Key="churn/v1/_SUCCESS", Body=b"")
s3.put_object(Bucket=train, Key="churn/v1/.part-00000.csv.crc", Body=b"crc")
open(f"{work}/all.csv", "w").write(header + "\n" + "\n".join(small + big) + "\n")
# A broken training set for the failure path.
s3.put_object(Bucket=train, Key="broken/a.jsonl", Body=b'{"x": 1}\n{"x": 2}\n{"x": \n')
sns, sqs = boto3.client("sns"), boto3.client("sqs")
topic = sns.create_topic(Name="driftline-alerts")["TopicArn"]
q = sqs.create_queue(QueueName="alerts")["QueueUrl"]
qarn = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn)
json.dump({"topic": topic, "queue": q}, open(f"{work}/sns.json", "w"))
PY
TOPIC_ARN=$("$VENV/bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["topic"])' "$WORK/sns.json")

ENVS="DRIFTLINE_BUCKET=$BUCKET,MAX_SHARD_BYTES=1048576,MERGE_FAN_IN=3"
ENVS="$ENVS,AWS_ENDPOINT_URL=$MOTO,AWS_ACCESS_KEY_ID=test,AWS_SECRET_ACCESS_KEY=test,AWS_REGION=us-east-1,RUST_LOG=info"
start_watch "$ENVS"

export DRIFTLINE_BUCKET=$BUCKET TOPIC_ARN BATCH_SIZE=2 MERGE_FAN_IN=3
log "run 1: churn in 13 objects (one split into ranges), batches of 2, fan-in 3"
OUT=$("$VENV/bin/python" tests/baseline/play.py "$LAMBDA_PORT" \
    "{\"Endpoint\": \"churn\", \"TrainingBucket\": \"$TRAIN\", \"TrainingPrefix\": \"churn/v1/\", \"Header\": true}" run-1) \
    || fail "the player failed"
log "run 1 -> $OUT"
"$CARGO_TARGET_DIR/debug/driftline" baseline --header "$WORK/all.csv" -o "$WORK/one-pass" 2>/dev/null \
    || fail "driftline baseline on the whole data"
"$VENV/bin/python" - "$OUT" "$BUCKET" "$WORK/one-pass" <<'PY' || fail "the workflow's baseline differs from the one-pass baseline"
import json, sys, boto3
out, bucket, ref = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
assert "Output" in out, out
o = out["Output"]
assert o["Done"] is True and o["MergeLevels"] >= 2, o
# 12 part files + 2 ranges of the large one; the side files skipped.
assert o["Sources"] == 14, o
inv = out["Invocations"]
assert inv.get("merge-batch", 0) >= 2 and inv.get("profile", 0) >= 9, inv
s3 = boto3.client("s3")
def get(key):
    return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
got = get("driftline/baselines/churn/statistics.json")
want = json.load(open(f"{ref}/statistics.json"))
assert got["dataset"] == want["dataset"], (got["dataset"], want["dataset"])
assert [f["name"] for f in got["features"]] == [f["name"] for f in want["features"]]
n = 0
for g, w in zip(got["features"], want["features"]):
    assert g["inferred_type"] == w["inferred_type"], g["name"]
    gn, wn = g.get("numerical_statistics"), w.get("numerical_statistics")
    if gn is None:
        assert g["string_statistics"]["common"] == w["string_statistics"]["common"], g["name"]
        continue
    assert gn["common"] == wn["common"] and gn["min"] == wn["min"] and gn["max"] == wn["max"], g["name"]
    for k in ("sum", "mean", "std_dev"):
        assert abs(gn[k] - wn[k]) <= 1e-12 * max(1.0, abs(wn[k])), (g["name"], k, gn[k], wn[k])
    n += 1
for f in ("constraints.json", "driftline-constraints.json"):
    get(f"driftline/baselines/churn/{f}")
print(f"ok: {o['Records']} records from {o['Sources']} sources in {o['MergeLevels']} merge levels; {n} numeric features equal the one-pass baseline")
PY

log "run 2: a broken line fails the run and e-mails why"
OUT=$("$VENV/bin/python" tests/baseline/play.py "$LAMBDA_PORT" \
    "{\"Endpoint\": \"broken\", \"TrainingBucket\": \"$TRAIN\", \"TrainingPrefix\": \"broken/\"}" run-2) \
    || fail "the player failed"
log "run 2 -> $OUT"
"$VENV/bin/python" - "$OUT" "$WORK/sns.json" "$BUCKET" <<'PY' || fail "the failed run was not reported"
import json, sys, boto3
out, sns, bucket = json.loads(sys.argv[1]), json.load(open(sys.argv[2])), sys.argv[3]
assert out["Failed"]["Error"] == "Driftline.BaselineFailed", out
sqs = boto3.client("sqs")
msgs = sqs.receive_message(QueueUrl=sns["queue"], MaxNumberOfMessages=10, WaitTimeSeconds=2).get("Messages", [])
assert len(msgs) == 1, msgs
note = json.loads(msgs[0]["Body"])
assert note["Subject"] == "driftline: a baseline run failed", note
text = note["Message"]
assert "run-2" in text and "States.ExceedToleratedFailureThreshold" in text, text
# The child execution's error names the object and the line (Step Functions keeps it in the
# child's history, which the e-mail's execution link leads to).
child = out["ChildFailures"]
assert len(child) == 1 and child[0]["Error"] == "Driftline.BadData", child
assert "s3://training-baseline-it/broken/a.jsonl: line 3" in child[0]["Cause"], child
# Nothing was written where analyze-capture reads baselines.
listed = boto3.client("s3").list_objects_v2(Bucket=bucket, Prefix="driftline/baselines/broken/")
assert listed.get("KeyCount", 0) == 0, listed
print("ok: the run failed with the object and line named, one e-mail, no baseline written")
PY
log "run 3: a labelled validation set in 4 objects -> the model-quality baseline"
"$VENV/bin/python" - "$TRAIN" "$WORK" <<'PY' || fail "cannot upload the labelled set"
import boto3, sys
train, work = sys.argv[1], sys.argv[2]
lines = open("shared/stats/tests/data/model_quality/baseline_dataset.csv").read().splitlines()
header, rows = "id," + lines[0], lines[1:]
allrows = [f"{c * 1000 + i},{r}" for c in range(30) for i, r in enumerate(rows)]
s3 = boto3.client("s3")
for k in range(4):
    part = allrows[k * 750:(k + 1) * 750]
    s3.put_object(Bucket=train, Key=f"validation/part-{k}.csv", Body=(header + "\n" + "\n".join(part) + "\n").encode())
open(f"{work}/validation.csv", "w").write(header + "\n" + "\n".join(allrows) + "\n")
PY
LABELS='{"ProblemType": "BinaryClassification", "GroundTruthAttribute": "Label", "ProbabilityAttribute": "Prediction"}'
OUT=$("$VENV/bin/python" tests/baseline/play.py "$LAMBDA_PORT" \
    "{\"Endpoint\": \"churn\", \"TrainingBucket\": \"$TRAIN\", \"TrainingPrefix\": \"validation/\", \"Header\": true, \"Labels\": $LABELS}" run-3) \
    || fail "the player failed"
log "run 3 -> $OUT"
"$CARGO_TARGET_DIR/debug/driftline" quality baseline "$WORK/validation.csv" --header -o "$WORK/mq-one-pass" \
    --problem-type binary --ground-truth-attribute Label --probability-attribute Prediction 2>/dev/null \
    || fail "driftline quality baseline on the whole set"
"$VENV/bin/python" - "$OUT" "$BUCKET" "$WORK/mq-one-pass" <<'PY' || fail "the workflow's model-quality baseline differs from the one-pass one"
import json, sys, boto3
out, bucket, ref = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
o = out["Output"]
assert o["Done"] is True and o["Kind"] == "model-quality" and o["Records"] == 3000, o
s3 = boto3.client("s3")
def get(key):
    return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
got = get("driftline/baselines/churn/model-quality/statistics.json")["binary_classification_metrics"]
want = json.load(open(f"{ref}/statistics.json"))["binary_classification_metrics"]
assert got["confusion_matrix"] == want["confusion_matrix"]
for name, w in want.items():
    if not isinstance(w, dict) or "value" not in w:
        continue
    tol = 0.01 if name == "auc" else 0.0
    assert abs(got[name]["value"] - w["value"]) <= tol, (name, got[name], w)
assert get("driftline/baselines/churn/model-quality/calibration.json") == json.load(open(f"{ref}/calibration.json"))
assert get("driftline/baselines/churn/model-quality/constraints.json") == json.load(open(f"{ref}/constraints.json"))
print(f"ok: {o['Records']} labelled rows from {o['Sources']} objects; metrics, constraints and calibration equal the one-pass model-quality baseline")
PY

log "run 4: the _SUCCESS marker of churn/v1/ starts a run through the template's BaselineTriggerRule"
"$VENV/bin/python" tests/baseline/trigger.py "$TRAIN" churn/v1/part-00000.csv churn churn-trigger true 2>/dev/null \
    && fail "the trigger rule matched a data object"
INPUT=$("$VENV/bin/python" tests/baseline/trigger.py "$TRAIN" churn/v1/_SUCCESS churn churn-trigger true) \
    || fail "the trigger rule did not match the marker"
log "rule input: $INPUT"
OUT=$("$VENV/bin/python" tests/baseline/play.py "$LAMBDA_PORT" "$INPUT" run-4) || fail "the player failed"
"$VENV/bin/python" - "$OUT" "$BUCKET" <<'PY' || fail "the triggered run differs from run 1"
import json, sys, boto3
out, bucket = json.loads(sys.argv[1]), sys.argv[2]
o = out["Output"]
assert o["Done"] is True and o["Sources"] == 14 and o["Endpoint"] == "churn-trigger", o
s3 = boto3.client("s3")
def get(key):
    return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
assert get("driftline/baselines/churn-trigger/statistics.json") == get("driftline/baselines/churn/statistics.json")
print(f"ok: the marker's folder churn/v1/ baselined ({o['Records']} records, {o['Sources']} sources), equal to run 1")
PY

log "passed: the baseline workflow's definition played against profile-shard and moto"
