#!/usr/bin/env bash
# The model-quality path through the real Lambda runtime API: analyze-capture receives the SDK's
# real capture file and records its predictions, evaluate-quality receives the real ground
# truth whose eventIds match them, both binaries served by `cargo lambda watch` against a
# moto_server started here. Asserts on the responses, the model-quality reports in the bucket
# and the EMF lines in SageMaker's model-metrics namespace. Everything started is stopped.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
TAG=lambda-quality
# shellcheck source=../lib/harness.sh
source "$ROOT/scripts/lib/harness.sh"

log "building analyze-capture and evaluate-quality"
cargo build --locked --bin analyze-capture --bin evaluate-quality

start_moto
BUCKET=driftline-quality-it
CAPTURE_KEY="datacapture/mq-ep/AllTraffic/2026/11/25/09/capture.jsonl"
GT_KEY="groundtruth/mq-ep/2026/11/26/09/actuals.jsonl"
"$VENV/bin/python" - "$BUCKET" "$CAPTURE_KEY" "$GT_KEY" "$WORK" "$ROOT" <<'PY'
import json, sys, boto3
bucket, cap, gt, work, root = sys.argv[1:6]
data = f"{root}/shared/stats/tests/data/model_quality"
s3 = boto3.client("s3")
s3.create_bucket(Bucket=bucket)
s3.put_object(Bucket=bucket, Key=cap, Body=open(f"{data}/capture.jsonl", "rb").read())
s3.put_object(Bucket=bucket, Key=gt, Body=open(f"{data}/actuals.jsonl", "rb").read())
for name, key in (("capture", cap), ("gt", gt)):
    json.dump({"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
                            "eventName": "ObjectCreated:Put",
                            "s3": {"bucket": {"name": bucket}, "object": {"key": key, "size": 1}}}]},
              open(f"{work}/{name}.json", "w"))
PY

ENVS="DRIFTLINE_BUCKET=$BUCKET,PROBABILITY_ATTRIBUTE=0,PROBLEM_TYPE=BinaryClassification,MIN_LABELS=10"
ENVS="$ENVS,AWS_ENDPOINT_URL=$MOTO,AWS_ACCESS_KEY_ID=test,AWS_SECRET_ACCESS_KEY=test,AWS_REGION=us-east-1,RUST_LOG=info"
start_watch "$ENVS"

RESP=$(invoke analyze-capture "$WORK/capture.json")
log "analyze-capture -> $RESP"
RESP=$(invoke evaluate-quality "$WORK/gt.json")
log "evaluate-quality -> $RESP"
"$VENV/bin/python" - "$RESP" "$BUCKET" "$WORK/watch.log" "$ROOT" <<'PY' || fail "evaluate-quality response / reports / metrics"
import json, sys, boto3
resp, bucket, watch_log, root = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
data = f"{root}/shared/stats/tests/data/model_quality"
# Independent count: eventId -> score >= 0.5, against the labels.
pred = {}
for l in open(f"{data}/capture.jsonl"):
    v = json.loads(l)
    pred[v["eventMetadata"]["eventId"]] = float(v["captureData"]["endpointOutput"]["data"]) >= 0.5
n = right = 0
for l in open(f"{data}/actuals.jsonl"):
    v = json.loads(l)
    n += 1
    right += pred[v["eventMetadata"]["eventId"]] == (v["groundTruthData"]["data"] == "1")
o = resp["objects"][0]
assert (o["outcome"], o["labels"], o["matched"], o["unmatched"]) == ("analyzed", n, n, 0), o
s3 = boto3.client("s3")
keys = [x["Key"] for x in s3.list_objects_v2(Bucket=bucket, Prefix="driftline/predictions/")["Contents"]]
assert keys == ["driftline/predictions/mq-ep/AllTraffic/2026/11/25/09/capture.jsonl"], keys
d = "driftline/quality/mq-ep/AllTraffic/2026/11/25/09/"
summary = json.loads(s3.get_object(Bucket=bucket, Key=d + "summary.json")["Body"].read())
acc = next(m["value"] for m in summary["metrics"] if m["name"] == "accuracy")
assert summary["matched"] == n and abs(acc - right / n) < 1e-12, (summary["matched"], acc, right / n)
stats = s3.get_object(Bucket=bucket, Key=d + "statistics.json")["Body"].read().decode()
assert stats.startswith('{\n  "version" : 0.0,\n  "dataset" : {\n    "item_count" : %d' % n), stats[:80]
for f in ("constraint_violations.json", "report.html"):
    s3.head_object(Bucket=bucket, Key=d + f)
emf = [json.loads(l[l.index("{"):]) for l in open(watch_log, encoding="utf-8", errors="replace")
       if '"_aws"' in l and '"CloudWatchMetrics"' in l]
mm = [doc for doc in emf if any(m["Namespace"] == "aws/sagemaker/Endpoints/model-metrics"
                                for m in doc["_aws"]["CloudWatchMetrics"])]
assert mm and abs(mm[-1]["accuracy"] - right / n) < 1e-12, mm
print(f"ok: {n} labels joined through the runtime API, accuracy {acc:.4f}, model-metrics emitted")
PY
log "passed: predictions recorded by analyze-capture, joined by evaluate-quality, reports and metrics"
