#!/usr/bin/env bash
# notify-alarm and start-retraining through the real Lambda runtime API: `cargo lambda watch`
# (runtime API emulator) runs the binaries, `cargo lambda invoke` sends real alarm payloads,
# and the functions talk to a moto_server started here. Asserts on the responses and on what
# arrived in the SQS queue subscribed to the topic, in the bucket and in SageMaker.
# Everything started here binds to 127.0.0.1 and is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
TAG=lambda-runtime
# shellcheck source=../lib/harness.sh
source "$ROOT/scripts/lib/harness.sh"
FIX="$ROOT/shared/aws/tests/fixtures/alarms"

log "building notify-alarm and start-retraining"
# The same package selection as the `cargo run --bin NAME` that `cargo lambda watch` runs
# (workspace-wide feature unification), so that watch finds the binaries built.
cargo build --locked --bin notify-alarm --bin start-retraining

start_moto
BUCKET=driftline-lambda-it
PIPELINE=churn-retrain

# Resources and three window summaries (07: no drift, 08 and 09: drift) for churn-endpoint.
"$VENV/bin/python" - "$BUCKET" "$PIPELINE" "$WORK" <<'PY'
import json, sys, boto3
bucket, pipeline, work = sys.argv[1:4]
s3 = boto3.client("s3"); sns = boto3.client("sns"); sqs = boto3.client("sqs"); sm = boto3.client("sagemaker")
s3.create_bucket(Bucket=bucket)
d = "driftline/reports/churn-endpoint/AllTraffic/2026/11/25"
def feature(name, drifted, linf):
    return {"name": name, "inferred_type": "Fractional", "completeness": 1.0, "drifted": drifted,
            "mean": 3.5, "baseline_mean": 2.0, "drift": {"linf_robust": {"value": linf, "threshold": 0.1}}}
for hour, drift, feats in [("07", False, []), ("08", True, ["age"]), ("09", True, ["balance", "age"])]:
    summary = {"schema_version": 1, "endpoint": "churn-endpoint", "variant": "AllTraffic",
               "window": {"start": f"2026-11-25T{hour}:00:00Z", "end": f"2026-11-25T{int(hour)+1:02d}:00:00Z"},
               "status": "drift" if drift else "ok", "records": 2500, "malformed_records": 3,
               "drift_detected": drift, "violation_count": 0, "drifted_feature_count": len(feats),
               "features": [feature(f, True, 0.3 if f == "balance" else 0.15) for f in feats] + [feature("zip", False, 0.01)]}
    s3.put_object(Bucket=bucket, Key=f"{d}/{hour}/summary.json", Body=json.dumps(summary).encode())
topic = sns.create_topic(Name="driftline")["TopicArn"]
q = sqs.create_queue(QueueName="mail")["QueueUrl"]
qarn = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn)
definition = {"Version": "2020-12-01", "Parameters": [
    {"Name": n, "Type": "String", "DefaultValue": ""} for n in ("DriftReportUri", "DriftedFeatures", "DriftTriggerTime")],
    "Steps": []}
sm.create_pipeline(PipelineName=pipeline, PipelineDefinition=json.dumps(definition),
                   RoleArn="arn:aws:iam::123456789012:role/driftline-retrain",
                   ClientRequestToken="create-churn-retrain-pipeline-000000000000")
open(f"{work}/topic", "w").write(topic); open(f"{work}/queue", "w").write(q)
PY
TOPIC_ARN=$(cat "$WORK/topic")
QUEUE_URL=$(cat "$WORK/queue")

ENVS="DRIFTLINE_BUCKET=$BUCKET,TOPIC_ARN=$TOPIC_ARN,PIPELINE_NAME=$PIPELINE,AWS_ENDPOINT_URL=$MOTO"
ENVS="$ENVS,AWS_ACCESS_KEY_ID=test,AWS_SECRET_ACCESS_KEY=test,AWS_REGION=us-east-1,RUST_LOG=info"
start_watch "$ENVS"

check() { # python-expression-over-r description  (r = the response JSON in $RESP)
    "$VENV/bin/python" -c "import json,sys; r=json.loads(sys.argv[1]); assert $1, r" "$RESP" \
        || fail "$2"
}

# 1. notify-alarm: a CloudWatch alarm Lambda-action payload.
RESP=$(invoke notify-alarm "$FIX/lambda-action-drifted-features.json")
log "notify-alarm -> $RESP"
check 'r["outcome"] == "published"' "notify-alarm did not publish"
check 'r["report_key"].endswith("AllTraffic/2026/11/25/09/summary.json")' "notify-alarm used the wrong report"

# 2. notify-alarm: the EventBridge metric-math daily shape.
RESP=$(invoke notify-alarm "$FIX/eventbridge-metric-math-daily.json")
log "notify-alarm (metric math, daily) -> $RESP"
check 'r["outcome"] == "published"' "metric-math alarm not published"

"$VENV/bin/python" - "$QUEUE_URL" <<'PY' || fail "messages in the queue are not as expected"
import json, sys, boto3
sqs = boto3.client("sqs")
msgs = []
for _ in range(5):
    got = sqs.receive_message(QueueUrl=sys.argv[1], MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    msgs += got
    if len(msgs) >= 2:
        break
assert len(msgs) == 2, f"expected 2 messages, got {len(msgs)}"
envs = sorted((json.loads(m["Body"]) for m in msgs), key=lambda e: e["Subject"])
first = envs[0]
assert first["Subject"] == "ALARM: churn-endpoint-drift-daily on churn-endpoint - 2 drifted feature(s)", first["Subject"]
second = envs[1]
assert second["Subject"] == "ALARM: churn-endpoint-drifted-features on churn-endpoint - 2 drifted feature(s)", second["Subject"]
body = second["Message"]
assert body.index("1. balance [DRIFTED]") < body.index("2. age [DRIFTED]"), body
assert "2500 profiled, 3 malformed" in body, body
assert "s3://driftline-lambda-it/driftline/reports/churn-endpoint/AllTraffic/2026/11/25/09/report.html" in body
attrs = second["MessageAttributes"]
assert attrs["endpoint"]["Value"] == "churn-endpoint" and attrs["state"]["Value"] == "ALARM", attrs
assert attrs["severity"]["Value"] == "critical" and attrs["alarm"]["Value"] == "churn-endpoint-drifted-features", attrs
print("queue: 2 messages as expected", file=sys.stderr)
PY

# 2b. The same alarm event delivered again (at-least-once delivery): no second e-mail.
RESP=$(invoke notify-alarm "$FIX/lambda-action-drifted-features.json")
log "notify-alarm (redelivered) -> $RESP"
check 'r["outcome"] == "skipped" and "already sent" in r["reason"]' "a redelivered alarm event was sent again"

# 3. start-retraining: the EventBridge "drift confirmed" state change.
RESP=$(invoke start-retraining "$FIX/eventbridge-drift-confirmed.json")
log "start-retraining -> $RESP"
check 'r["decision"] == "started"' "start-retraining did not start the pipeline"
check 'len(r["client_request_token"]) == 64' "token is not 64 hex characters"

# 4. The same event again (a redelivery): matched to the execution it started, nothing new.
RESP=$(invoke start-retraining "$FIX/eventbridge-drift-confirmed.json")
log "start-retraining (retry) -> $RESP"
check 'r["decision"] == "already-started"' "a repeated event was not matched to its execution"

"$VENV/bin/python" - "$BUCKET" "$PIPELINE" "$QUEUE_URL" <<'PY' || fail "SageMaker / S3 / SNS state is not as expected"
import json, sys, boto3
bucket, pipeline, q = sys.argv[1:4]
sm = boto3.client("sagemaker"); s3 = boto3.client("s3"); sqs = boto3.client("sqs")
ex = sm.list_pipeline_executions(PipelineName=pipeline)["PipelineExecutionSummaries"]
assert len(ex) == 1, ex
params = {p["Name"]: p["Value"] for p in sm.list_pipeline_parameters_for_execution(
    PipelineExecutionArn=ex[0]["PipelineExecutionArn"])["PipelineParameters"]}
assert params["DriftedFeatures"] == "balance,age", params
assert params["DriftTriggerTime"] == "2026-11-25T10:06:02.335Z", params
assert params["DriftReportUri"].endswith("/2026/11/25/09/report.html"), params
keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="driftline/remediation/churn-endpoint/")["Contents"])
assert keys == ["driftline/remediation/churn-endpoint/20261125T100602Z-already-started.json",
                "driftline/remediation/churn-endpoint/20261125T100602Z-started.json"], keys
started = json.loads(s3.get_object(Bucket=bucket, Key=keys[1])["Body"].read())
assert started["execution_arn"] == ex[0]["PipelineExecutionArn"], started
note = sqs.receive_message(QueueUrl=q, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
assert len(note) == 1 and json.loads(note[0]["Body"])["Subject"] == "driftline: drift confirmed on churn-endpoint - retraining started", note
print("pipeline: 1 execution, 2 audit records, 1 note", file=sys.stderr)
PY

echo "lambda-runtime: 4 passed, 0 failed"
