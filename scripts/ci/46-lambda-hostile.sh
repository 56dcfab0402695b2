#!/usr/bin/env bash
# Hostile capture files through the Lambda path (issue 16): the corpus of tests/hostile/
# corpus.py (truncated, a 50 MB line, NUL bytes, 200k-deep nesting, 10,000 columns, 1e400 /
# NaN / -0, BOM, CRLF, mixed encodings, bad base64, invalid UTF-8, gzip that is not gzip or is
# cut short, an empty object, a million `{}` lines) is uploaded to moto and each file delivered
# to analyze-capture through the real Lambda runtime API (`cargo lambda watch`). Asserts: every
# invocation succeeds (no panic), each file's partial profile counts exactly its good records
# and at least its bad lines with the expected fault kinds, the hour's report is written and
# counts every good record, and the function's peak memory stays bounded (VmHWM).
# Figures: bench/out/hostile.json (docs/RELIABILITY.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
TAG=lambda-hostile
# shellcheck source=../lib/harness.sh
source "$ROOT/scripts/lib/harness.sh"
MAX_RSS_MB="${DRIFTLINE_HOSTILE_MAX_RSS_MB:-512}"

log "building analyze-capture"
cargo build --locked -p analyze-capture --bins

"$VENV/bin/python" tests/hostile/corpus.py "$WORK/corpus" >&2
start_moto
BUCKET=driftline-hostile-it
"$VENV/bin/python" - "$BUCKET" "$WORK" <<'PY'
import json, sys, boto3
from pathlib import Path
bucket, work = sys.argv[1:3]
s3 = boto3.client("s3")
s3.create_bucket(Bucket=bucket)
expected = json.loads(Path(f"{work}/corpus/expected.json").read_text())
for name, exp in expected.items():
    key = f"datacapture/hostile-ep/AllTraffic/2022/04/18/00/{name}.jsonl"
    s3.put_object(Bucket=bucket, Key=key, Body=Path(f"{work}/corpus/{name}.jsonl").read_bytes())
    json.dump({"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
               "eventName": "ObjectCreated:Put",
               "s3": {"bucket": {"name": bucket}, "object": {"key": key, "size": exp["size"]}}}]},
              open(f"{work}/event-{name}.json", "w"))
PY

start_watch "DRIFTLINE_BUCKET=$BUCKET,MIN_RECORDS=1,AWS_ENDPOINT_URL=$MOTO,AWS_ACCESS_KEY_ID=test,AWS_SECRET_ACCESS_KEY=test,AWS_REGION=us-east-1,RUST_LOG=warn"

: >"$WORK/responses.txt"
for ev in "$WORK"/event-*.json; do
    name=$(basename "$ev" .json); name=${name#event-}
    t0=$(date +%s%N)
    resp=$(invoke analyze-capture "$ev")
    t1=$(date +%s%N)
    printf '%s' "$resp" >"$WORK/response-$name.json"
    printf '%s %d\n' "$name" $(( (t1 - t0) / 1000000 )) >>"$WORK/responses.txt"
done
# The function's process (cargo lambda watch runs it as a child): its peak resident memory.
PID=$(pgrep -f "debug/analyze-capture" | head -1 || true)
HWM_KB=$(awk '/VmHWM/ {print $2}' "/proc/$PID/status" 2>/dev/null || echo 0)
log "analyze-capture pid ${PID:-?}: VmHWM ${HWM_KB} kB"

mkdir -p bench/out
"$VENV/bin/python" - "$BUCKET" "$WORK" "$HWM_KB" "$MAX_RSS_MB" <<'PY' || fail "hostile corpus"
import json, sys, boto3
from pathlib import Path
bucket, work, hwm_kb, max_mb = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
s3 = boto3.client("s3")
expected = json.loads(Path(f"{work}/corpus/expected.json").read_text())
ms = dict((n, int(t)) for n, t in (l.split() for l in open(f"{work}/responses.txt")))
responses = {n: {"ms": t, "response": json.loads(Path(f"{work}/response-{n}.json").read_text())}
             for n, t in ms.items()}
problems, rows = [], []
for name, exp in expected.items():
    r = responses[name]
    obj = r["response"]["objects"][0]
    if obj["outcome"] not in ("analyzed", "fault"):
        problems.append(f"{name}: outcome {obj}")
    p = json.loads(s3.get_object(Bucket=bucket,
                                 Key=f"driftline/profiles/hostile-ep/AllTraffic/2022/04/18/00/{name}.json")["Body"].read())
    faults = p["faults"]["counts"]
    if "good" in exp and p["records"] != exp["good"]:
        problems.append(f"{name}: {p['records']} records profiled, want {exp['good']}")
    if p["malformed_records"] < exp.get("min_bad", 0):
        problems.append(f"{name}: {p['malformed_records']} malformed, want at least {exp['min_bad']}")
    if "lines" in exp and p["records"] + p["malformed_records"] != exp["lines"]:
        problems.append(f"{name}: {p['records']} + {p['malformed_records']} lines accounted, want {exp['lines']}")
    for k in exp.get("faults", []):
        if not faults.get(k):
            problems.append(f"{name}: no {k} fault in {faults}")
    if exp.get("faults_any") and not any(faults.get(k) for k in exp["faults_any"]):
        problems.append(f"{name}: none of {exp['faults_any']} in {faults}")
    rows.append({"file": name, "bytes": exp["size"], "ms": r["ms"], "records": p["records"],
                 "malformed": p["malformed_records"], "faults": faults})
summary = json.loads(s3.get_object(Bucket=bucket,
                                   Key="driftline/reports/hostile-ep/AllTraffic/2022/04/18/00/summary.json")["Body"].read())
profiled = sum(r["records"] for r in rows)
if summary["records"] != profiled or len(summary["sources"]) != len(expected):
    problems.append(f"report: {summary['records']} records from {len(summary['sources'])} files, want {profiled} from {len(expected)}")
for f in ("statistics.json", "constraint_violations.json", "report.html"):
    s3.head_object(Bucket=bucket, Key=f"driftline/reports/hostile-ep/AllTraffic/2022/04/18/00/{f}")
hwm_mb = hwm_kb / 1024
if not 0 < hwm_mb <= max_mb:
    problems.append(f"peak memory {hwm_mb:.0f} MB (limit {max_mb} MB)")
json.dump({"files": rows, "peak_rss_mb": round(hwm_mb, 1), "report_records": summary["records"]},
          open("bench/out/hostile.json", "w"), indent=1)
for r in rows:
    print(f"  {r['file']:<24} {r['bytes']:>10} B {r['ms']:>6} ms  records {r['records']:>5}  malformed {r['malformed']:>7}  {sorted(r['faults'])}")
print(f"  peak RSS {hwm_mb:.0f} MB; report: {summary['records']} records from {len(summary['sources'])} files")
if problems:
    print("\n".join(problems), file=sys.stderr)
    sys.exit(1)
PY
log "passed: the hostile files through the runtime API, every good record counted, faults recorded, report written"
