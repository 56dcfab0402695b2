#!/usr/bin/env bash
# AWS faults injected below the SDK (issue 16): analyze-capture runs under `cargo lambda watch`
# with its S3 endpoint pointed at tests/faults/proxy.py, a fault-injecting proxy in front of
# moto. For each fault class and operation: is it retried by the SDK, does it fail the
# invocation (so Lambda retries and, after its retries, the on-failure queue gets the event), or
# is it recorded as permanent — and does the retried invocation give the same outputs as a run
# without faults? Fails on any outcome other than the expected one. Figures:
# bench/out/faults.json (docs/RELIABILITY.md's table: scripts/reliability_report.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
TAG=aws-faults
# shellcheck source=../lib/harness.sh
source "$ROOT/scripts/lib/harness.sh"

log "building analyze-capture"
cargo build --locked -p analyze-capture --bins
start_moto
PROXY_PORT=$(free_port)
setsid "$VENV/bin/python" tests/faults/proxy.py "$PROXY_PORT" "$MOTO" >"$WORK/proxy.log" 2>&1 &
PIDS+=($!)
PROXY="http://127.0.0.1:$PROXY_PORT"
wait_port "$PROXY_PORT" 30 || { cat "$WORK/proxy.log" >&2; fail "proxy did not start"; }
log "fault proxy on $PROXY -> $MOTO"
BUCKET=driftline-faults-it
"$VENV/bin/python" -c "import boto3; boto3.client('s3').create_bucket(Bucket='$BUCKET')"
# Attempts (and silences inside a body) time out after 2 s here, 10 s by default.
start_watch "DRIFTLINE_BUCKET=$BUCKET,MIN_RECORDS=1,DRIFTLINE_ATTEMPT_TIMEOUT_MS=2000,AWS_ENDPOINT_URL=$PROXY,AWS_ACCESS_KEY_ID=test,AWS_SECRET_ACCESS_KEY=test,AWS_REGION=us-east-1,RUST_LOG=warn"

mkdir -p bench/out
"$VENV/bin/python" - "$BUCKET" "$PROXY" "$WORK" "$LAMBDA_PORT" "$ROOT" <<'PY' || fail "AWS fault outcomes"
import json, subprocess, sys, time, urllib.request, boto3
bucket, proxy, work, lambda_port, root = sys.argv[1:6]
s3 = boto3.client("s3")   # straight to moto (AWS_ENDPOINT_URL of this shell)
body = open(f"{root}/functions/analyze-capture/tests/data/churn-capture.first-lines.jsonl", "rb").read()

def faults(rules):
    req = urllib.request.Request(f"{proxy}/__faults", data=json.dumps(rules).encode(), method="POST")
    return json.loads(urllib.request.urlopen(req).read())

def invoke(key):
    ev = {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                       "s3": {"bucket": {"name": bucket}, "object": {"key": key, "size": len(body)}}}]}
    path = f"{work}/ev.json"
    json.dump(ev, open(path, "w"))
    p = subprocess.run(["cargo", "lambda", "invoke", "analyze-capture", "--invoke-address", "127.0.0.1",
                        "--invoke-port", lambda_port, "--data-file", path, "--output-format", "json"],
                       capture_output=True, text=True)
    return p.returncode == 0, (p.stdout if p.returncode == 0 else p.stdout + p.stderr)

def outputs(hour):
    d = f"driftline/reports/churn-ep/AllTraffic/2022/04/18/{hour}/"
    try:
        s = json.loads(s3.get_object(Bucket=bucket, Key=d + "summary.json")["Body"].read())
    except s3.exceptions.NoSuchKey:
        return None
    stats = json.loads(s3.get_object(Bucket=bucket, Key=d + "statistics.json")["Body"].read())
    return {"records": s["records"], "status": s["status"], "faults": s["faults"]["counts"],
            "reason": s.get("reason") or "",
            "sources": len(s["sources"]), "statistics": stats}

# (name, fault kind, times, method, path part, query part, expected outcome)
P = "driftline/"
SCENARIOS = [
    ("throttling on GetObject of the capture file", "throttle", 1, "GET", "datacapture/", "", "retried by the SDK"),
    ("throttling on GetObject, persistent", "throttle", 50, "GET", "datacapture/", "", "invocation fails; Lambda's retry succeeds"),
    ("5xx on PutObject of the partial profile", "server", 1, "PUT", P + "profiles/", "", "retried by the SDK"),
    ("5xx on PutObject of summary.json, persistent", "server", 50, "PUT", "summary.json", "", "invocation fails; Lambda's retry succeeds"),
    ("connection reset on ListObjectsV2 of the hour", "reset", 1, "GET", "/" + bucket, "list-type=2", "retried by the SDK"),
    ("connection reset on ListObjectsV2, persistent", "reset", 50, "GET", "/" + bucket, "list-type=2", "invocation fails; Lambda's retry succeeds"),
    ("5xx on HeadObject of the window state", "server", 50, "HEAD", P + "windows/", "", "invocation fails; Lambda's retry succeeds"),
    ("precondition failed on the window-state write (a concurrent writer)", "precondition", 2, "PUT", P + "windows/", "", "merged again (conflict retry)"),
    ("stalled answer on GetObject of the capture file", "stall", 1, "GET", "datacapture/", "", "retried by the SDK"),
    ("stalled answer on GetObject, persistent", "stall", 50, "GET", "datacapture/", "", "invocation fails; Lambda's retry succeeds"),
    ("stall in the middle of the capture file's body", "stall_body", 1, "GET", "datacapture/", "", "invocation fails; Lambda's retry succeeds"),
    ("access denied on GetObject of the capture file", "access_denied", 50, "GET", "datacapture/", "", "recorded as permanent (object_unreadable)"),
    ("capture object missing (404)", "not_found", 50, "GET", "datacapture/", "", "recorded as permanent (object_not_found)"),
    ("access denied on GetObject of the baseline", "access_denied", 50, "GET", P + "baselines/", "", "recorded as permanent (baseline unreadable: the report says so)"),
]

faults([])
s3.put_object(Bucket=bucket, Key="datacapture/churn-ep/AllTraffic/2022/04/18/00/clean.jsonl", Body=body)
ok, out = invoke("datacapture/churn-ep/AllTraffic/2022/04/18/00/clean.jsonl")
assert ok, out
reference = outputs("00")
rows, problems = [], []
for i, (name, kind, times, method, path, query, expected) in enumerate(SCENARIOS, start=1):
    hour = f"{i:02d}"
    key = f"datacapture/churn-ep/AllTraffic/2022/04/18/{hour}/clean.jsonl"
    s3.put_object(Bucket=bucket, Key=key, Body=body)
    faults([{"method": method, "path_contains": path, "query_contains": query, "kind": kind, "times": times}])
    t0 = time.monotonic()
    first_ok, first_out = invoke(key)
    first_s = time.monotonic() - t0
    state = json.loads(urllib.request.urlopen(f"{proxy}/__faults").read())
    injected = state[0]["injected"] if state else 0
    faults([])
    retried = None
    if not first_ok:
        retried, retry_out = invoke(key)
    # A stall must be cut short by driftline's timeouts, not end because the proxy gave up
    # (it answers, or closes a stalled body, after 20 s).
    if kind.startswith("stall") and first_s >= 20:
        problems.append(f"{name}: the first invocation took {first_s:.1f} s: the stall was not timed out")
    out = outputs(hour)
    same = out is not None and out["statistics"] == reference["statistics"] and out["records"] == reference["records"]
    if first_ok and injected <= 3 and "SDK" in expected:
        outcome = "retried by the SDK"
    elif not first_ok and retried:
        outcome = "invocation fails; Lambda's retry succeeds"
    elif first_ok and kind == "precondition":
        outcome = "merged again (conflict retry)"
    elif first_ok and out is not None and out["faults"]:
        outcome = f"recorded as permanent ({', '.join(sorted(out['faults']))})"
    elif first_ok and out is not None and "unreadable" in out["reason"]:
        outcome = "recorded as permanent (baseline unreadable: the report says so)"
    else:
        outcome = f"unexpected (first ok: {first_ok}, retry ok: {retried})"
    permanent = expected.startswith("recorded")
    good = outcome == expected
    if not permanent and not same:
        good = False
        outcome += "; outputs differ from the run without faults"
    if not good:
        problems.append(f"{name}: {outcome}, want {expected}\n{first_out[-600:]}")
    rows.append({"fault": name, "kind": kind, "times": times, "injected": injected,
                 "first_invocation": "succeeded" if first_ok else "failed", "lambda_retry": retried,
                 "first_invocation_s": round(first_s, 1),
                 "outcome": outcome, "same_outputs": same if not permanent else None,
                 "records": out["records"] if out else None})
    print(f"  {name:<70} injected {injected:>2}  {first_s:5.1f} s  {outcome}")
json.dump({"function": "analyze-capture", "rows": rows}, open(f"{root}/bench/out/faults.json", "w"), indent=1)
if problems:
    print("\n".join(problems), file=sys.stderr)
    sys.exit(1)
PY
log "passed: every fault class retried, failed over to Lambda's retry with the same outputs, or recorded"
