#!/usr/bin/env python3
"""Baseline of bench/lambda/driver.py's RSS measurement: the naive load-whole path.

GETs the capture object whole with boto3 (``Body.read()``), splits it into lines, parses each line
with ``json.loads`` and each CSV payload into floats, keeping only per-column counts and sums.
Prints its own peak RSS (``VmHWM``) and the RSS after imports, in KiB, as JSON.
Usage: naive_load_whole.py ENDPOINT_URL BUCKET KEY
"""
import json
import sys

import boto3


def hwm() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


def main() -> None:
    url, bucket, key = sys.argv[1:4]
    s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                      aws_access_key_id="test", aws_secret_access_key="test")
    after_imports = hwm()
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    counts: list[int] = []
    sums: list[float] = []
    records = 0
    for line in body.splitlines():
        rec = json.loads(line)
        cd = rec["captureData"]
        fields = cd["endpointOutput"]["data"].split(",") + cd["endpointInput"]["data"].split(",")
        while len(counts) < len(fields):
            counts.append(0)
            sums.append(0.0)
        for i, v in enumerate(fields):
            try:
                sums[i] += float(v)
                counts[i] += 1
            except ValueError:
                pass
        records += 1
    print(json.dumps({"records": records, "object_bytes": len(body),
                      "rss_after_imports_kib": after_imports, "peak_rss_kib": hwm()}))


if __name__ == "__main__":
    main()
