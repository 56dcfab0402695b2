#!/usr/bin/env bash
# analyze-capture through the real Lambda runtime API: `cargo lambda watch` runs the binary,
# `cargo lambda invoke` sends real S3 event payloads, and the function reads and writes a
# moto_server started here. Asserts on the responses, the reports in the bucket and the EMF
# metric lines the function printed. Everything started here is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
TAG=lambda-analyze
# shellcheck source=../lib/harness.sh
source "$ROOT/scripts/lib/harness.sh"

log "building analyze-capture"
cargo build --locked -p analyze-capture --bins

start_moto
BUCKET=driftline-analyze-it
KEY="datacapture/churn-ep/AllTraffic/2022/04/18/00/21-48-903 capture ü.jsonl"
"$VENV/bin/python" - "$BUCKET" "$KEY" "$WORK" "$ROOT" <<'PY'
import json, sys, urllib.parse, boto3
bucket, key, work, root = sys.argv[1:5]
s3 = boto3.client("s3")
s3.create_bucket(Bucket=bucket)
body = open(f"{root}/functions/analyze-capture/tests/data/churn-capture.first-lines.jsonl", "rb").read()
s3.put_object(Bucket=bucket, Key=key, Body=body)
def event(keys):
    # The S3 notification shape, keys URL-encoded as S3 sends them ('+' for spaces).
    return {"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
        "eventTime": "2022-04-18T00:21:50.000Z", "eventName": "ObjectCreated:Put",
        "s3": {"s3SchemaVersion": "1.0", "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
               "object": {"key": urllib.parse.quote_plus(k, safe="/"), "size": len(body)}}} for k in keys]}
json.dump(event([key, "datacapture/churn-ep/AllTraffic/2022/04/18/00/notes.txt",
                 "datacapture/churn-ep/AllTraffic/2022/04/18/00/deleted.jsonl"]),
          open(f"{work}/event.json", "w"))
json.dump({"hello": "world"}, open(f"{work}/garbage.json", "w"))
# A second file, five hours later the same day: the day and the rolling view merge both.
key2 = key.replace("/00/", "/05/")
s3.put_object(Bucket=bucket, Key=key2, Body=body)
json.dump(event([key2]), open(f"{work}/event2.json", "w"))
PY

# Longer windows on (a comma list: through an env file, --env-vars splits on commas).
printf 'WINDOWS=hour,day,last-24h\n' >"$WORK/analyze.env"
start_watch "DRIFTLINE_BUCKET=$BUCKET,MIN_RECORDS=1,AWS_ENDPOINT_URL=$MOTO,AWS_ACCESS_KEY_ID=test,AWS_SECRET_ACCESS_KEY=test,AWS_REGION=us-east-1,RUST_LOG=info" \
    --env-file "$WORK/analyze.env"

RESP=$(invoke analyze-capture "$WORK/event.json")
log "response: $RESP"
"$VENV/bin/python" - "$RESP" "$BUCKET" "$KEY" "$WORK/watch.log" <<'PY' || fail "analyze-capture response / reports / metrics"
import json, sys, boto3
resp, bucket, key, watch_log = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
outcomes = [o["outcome"] for o in resp["objects"]]
assert outcomes == ["analyzed", "ignored", "fault"], outcomes
assert resp["objects"][0]["key"] == key, resp["objects"][0]
s3 = boto3.client("s3")
d = "driftline/reports/churn-ep/AllTraffic/2022/04/18/00/"
summary = json.loads(s3.get_object(Bucket=bucket, Key=d + "summary.json")["Body"].read())
assert summary["records"] == 3, summary["records"]
assert summary["status"] == "no_baseline", summary["status"]
assert summary["faults"]["counts"].get("object_not_found") == 1, summary["faults"]
stats = s3.get_object(Bucket=bucket, Key=d + "statistics.json")["Body"].read().decode()
assert stats.startswith('{\n  "version" : 0.0,'), stats[:60]
assert len(json.loads(stats)["features"]) == 70
for f in ("constraint_violations.json", "report.html"):
    s3.head_object(Bucket=bucket, Key=d + f)
emf = [json.loads(l[l.index("{"):]) for l in open(watch_log, encoding="utf-8", errors="replace")
       if '"_aws"' in l and '"CloudWatchMetrics"' in l]
ns = {m["Namespace"] for doc in emf for m in doc["_aws"]["CloudWatchMetrics"]}
# No baseline here: driftline's metrics, and no SageMaker per-feature metrics (those are only
# for baseline features; a request's keys do not name metrics).
assert "Driftline" in ns and "aws/sagemaker/Endpoints/data-metrics" not in ns, ns
records = [doc["Records"] for doc in emf if "Records" in doc]
assert records and records[-1] == 3, records
print("ok: outcomes", outcomes, "| records", summary["records"], "| EMF namespaces", sorted(ns))
PY

RESP2=$(invoke analyze-capture "$WORK/event2.json")
"$VENV/bin/python" - "$RESP2" "$BUCKET" "$WORK/watch.log" <<'PY' || fail "analyze-capture longer windows"
import json, sys, boto3
resp, bucket, watch_log = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
assert [o["outcome"] for o in resp["objects"]] == ["analyzed"], resp
s3 = boto3.client("s3")
base = "driftline/reports/churn-ep/AllTraffic/2022/04/18/"
read = lambda k: json.loads(s3.get_object(Bucket=bucket, Key=base + k)["Body"].read())
hour5, day, rolling = read("05/summary.json"), read("day/summary.json"), read("05/last-24h/summary.json")
assert hour5["records"] == 3, hour5["records"]
# The day: both files (3 + 3 records; the deleted object's fault too), its own bounds.
assert day["records"] == 6, day["records"]
assert day["window"] == {"start": "2022-04-18T00:00:00Z", "end": "2022-04-19T00:00:00Z"}, day["window"]
assert day["faults"]["counts"].get("object_not_found") == 1, day["faults"]
assert rolling["records"] == 6 and rolling["window"]["start"] == "2022-04-17T06:00:00Z", rolling
s3.head_object(Bucket=bucket, Key="driftline/windows/churn-ep/AllTraffic/2022/04/18/day/window.json")
emf = [json.loads(l[l.index("{"):]) for l in open(watch_log, encoding="utf-8", errors="replace")
       if '"_aws"' in l and '"CloudWatchMetrics"' in l]
day_docs = [d for d in emf if d.get("Window") == "day"]
assert day_docs and day_docs[-1]["Records"] == 6, day_docs[-1:]
dims = day_docs[-1]["_aws"]["CloudWatchMetrics"][0]["Dimensions"]
assert dims == [["Endpoint", "Variant", "Window"]], dims
assert any(d.get("Window") == "last-24h" and d["Records"] == 6 for d in emf)
print("ok: day", day["records"], "records, rolling", rolling["records"], "| Window dimension on EMF")
PY

if cargo lambda invoke analyze-capture --invoke-address 127.0.0.1 --invoke-port "$LAMBDA_PORT" \
    --data-file "$WORK/garbage.json" --output-format json >"$WORK/garbage.out" 2>&1; then
    cat "$WORK/garbage.out" >&2
    fail "an unrecognised event must fail the invocation"
fi
grep -q "unrecognised event" "$WORK/garbage.out" || { cat "$WORK/garbage.out" >&2; fail "error message"; }
log "passed: S3 event through the runtime API, reports in moto, EMF on stdout, day and rolling windows, bad event rejected"
