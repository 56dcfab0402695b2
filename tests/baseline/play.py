"""Plays template.yaml's baseline state machine (BaselineStateMachine) locally, from its own
definition: the states, paths, batching, retries and catches are read from the template and
interpreted here; the tasks run for real (profile-shard through `cargo lambda watch`'s runtime
API, S3 listing and SNS publishing through boto3 against moto).

moto's Step Functions cannot execute a Distributed Map against the Lambda runtime API, so this
player stands in for the service. It covers the ASL the definition uses (Pass with Parameters and
the intrinsics States.StringToJson / States.Format, Task lambda:invoke / sns:publish, Map in
DISTRIBUTED mode with ItemReader s3:listObjectsV2 and ItemBatcher, Map INLINE, Choice, Succeed,
Fail, Retry, Catch, InputPath / ResultSelector / ResultPath / OutputPath) and refuses anything
else. It does not cover: IAM (checked by tests/template), real concurrency (items run one at a
time), child-execution limits, or the 256 KiB payload limit (checked by a size assertion).

Usage (from scripts/ci/55-baseline-workflow.sh): python play.py LAMBDA_PORT INPUT_JSON
  env DRIFTLINE_BUCKET, TOPIC_ARN, BATCH_SIZE, MERGE_FAN_IN, MAX_CONCURRENCY, TOLERATED
Prints the execution's output (or {"Failed": …}) as JSON.
"""

from __future__ import annotations

import copy
import json
import os
import re
import sys
import urllib.request
from pathlib import Path

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "template"))
from cfn import load_template  # noqa: E402

MAX_PAYLOAD = 256 * 1024


class StatesError(Exception):
    def __init__(self, error: str, cause: str):
        super().__init__(f"{error}: {cause}")
        self.error, self.cause = error, cause


def path_get(doc, path: str, ctx: dict):
    """JSONPath subset: $, $.a.b, $.a[0], $$.Execution.Name."""
    if path.startswith("$$"):
        doc, path = ctx, "$" + path[2:]
    if path == "$":
        return doc
    if not path.startswith("$."):
        raise StatesError("States.Runtime", f"unsupported path {path}")
    cur = doc
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path[2:]):
        if part.startswith("["):
            i = int(part[1:-1])
            if not isinstance(cur, list) or i >= len(cur):
                raise KeyError(path)
            cur = cur[i]
        else:
            if not isinstance(cur, dict) or part not in cur:
                raise KeyError(path)
            cur = cur[part]
    return cur


def path_set(doc, path: str | None, value):
    if path is None:
        return doc
    if path == "$":
        return value
    out = copy.deepcopy(doc) if isinstance(doc, dict) else {}
    cur = out
    parts = path[2:].split(".")
    for p in parts[:-1]:
        cur = cur.setdefault(p, {})
    cur[parts[-1]] = value
    return out


def split_args(s: str) -> list[str]:
    args, depth, quote, cur = [], 0, False, ""
    for ch in s:
        if ch == "'" and not cur.endswith("\\"):
            quote = not quote
        if ch == "," and not quote and depth == 0:
            args.append(cur.strip())
            cur = ""
            continue
        depth += (ch == "(") - (ch == ")") if not quote else 0
        cur += ch
    if cur.strip():
        args.append(cur.strip())
    return args


def intrinsic(expr: str, doc, ctx):
    m = re.fullmatch(r"(States\.\w+)\((.*)\)", expr.strip(), re.S)
    if not m:
        try:
            return path_get(doc, expr, ctx)
        except KeyError:
            raise StatesError("States.Runtime", f"the path {expr} is not in the input") from None
    fn, args = m.group(1), [value_of(a, doc, ctx) for a in split_args(m.group(2))]
    if fn == "States.StringToJson":
        return json.loads(args[0])
    if fn == "States.Format":
        parts = args[0].split("{}")
        if len(parts) - 1 != len(args) - 1:
            raise StatesError("States.Runtime", f"{expr}: placeholders and arguments differ")
        out = parts[0]
        for a, rest in zip(args[1:], parts[1:]):
            out += (a if isinstance(a, str) else json.dumps(a)) + rest
        return out
    raise StatesError("States.Runtime", f"unsupported intrinsic {fn}")


def value_of(arg: str, doc, ctx):
    if arg.startswith("'"):
        return arg[1:-1].replace("\\'", "'")
    return intrinsic(arg, doc, ctx)


def parameters(tmpl, doc, ctx):
    if isinstance(tmpl, dict):
        out = {}
        for k, v in tmpl.items():
            if k.endswith(".$"):
                out[k[:-2]] = intrinsic(v, doc, ctx)
            else:
                out[k] = parameters(v, doc, ctx)
        return out
    if isinstance(tmpl, list):
        return [parameters(v, doc, ctx) for v in tmpl]
    return tmpl


class Player:
    def __init__(self, definition: dict, lambda_port: int, execution: str):
        self.definition = definition
        self.port = lambda_port
        self.s3 = boto3.client("s3")
        self.sns = boto3.client("sns")
        self.ctx = {"Execution": {"Name": execution, "Id": f"arn:aws:states:us-east-1:123456789012:execution:baseline:{execution}"}}
        self.invocations: dict[str, int] = {}
        self.published: list[dict] = []
        self.child_failures: list[dict] = []

    # --- tasks -----------------------------------------------------------------------------
    def invoke(self, function: str, payload):
        body = json.dumps(payload).encode()
        assert len(body) <= MAX_PAYLOAD, f"payload of {len(body)} bytes exceeds Step Functions' 256 KiB"
        self.invocations[payload.get("Action") or payload.get("BatchInput", {}).get("Action")] = (
            self.invocations.get(payload.get("Action") or payload.get("BatchInput", {}).get("Action"), 0) + 1
        )
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/2015-03-31/functions/{function}/invocations",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=600) as r:
                out = json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            out = json.loads(e.read() or b"{}")
        if isinstance(out, dict) and "errorType" in out:
            raise StatesError(out["errorType"], json.dumps(out))
        assert len(json.dumps(out)) <= MAX_PAYLOAD, "task output exceeds 256 KiB"
        return {"Payload": out, "StatusCode": 200}

    def task(self, state, params):
        res = state["Resource"]
        if res == "arn:aws:states:::lambda:invoke":
            return self.invoke(params["FunctionName"], params["Payload"])
        if res == "arn:aws:states:::sns:publish":
            self.published.append(params)
            return self.sns.publish(TopicArn=params["TopicArn"], Subject=params["Subject"], Message=params["Message"])
        raise StatesError("States.Runtime", f"unsupported resource {res}")

    # --- states ----------------------------------------------------------------------------
    def run(self, machine: dict, doc):
        name = machine["StartAt"]
        while True:
            state = machine["States"][name]
            try:
                doc, nxt = self.step(state, doc)
            except StatesError as e:
                for c in state.get("Catch", []):
                    if "States.ALL" in c["ErrorEquals"] or e.error in c["ErrorEquals"]:
                        doc = path_set(doc, c.get("ResultPath", "$"), {"Error": e.error, "Cause": e.cause})
                        nxt = c["Next"]
                        break
                else:
                    raise
            if nxt is None:
                return doc
            name = nxt

    def step(self, state, doc):
        t = state["Type"]
        if t == "Succeed":
            return (path_get(doc, state["OutputPath"], self.ctx) if "OutputPath" in state else doc), None
        if t == "Fail":
            raise StatesError(state.get("Error", "States.Fail"), state.get("Cause", ""))
        if t == "Choice":
            for rule in state["Choices"]:
                if self.choice(rule, doc):
                    return doc, rule["Next"]
            return doc, state["Default"]
        inp = path_get(doc, state["InputPath"], self.ctx) if "InputPath" in state else doc
        eff = parameters(state["Parameters"], inp, self.ctx) if "Parameters" in state else inp
        if t == "Pass":
            result = eff
        elif t == "Task":
            result = self.with_retry(state, lambda: self.task(state, eff))
        elif t == "Map":
            result = self.map(state, inp)
        else:
            raise StatesError("States.Runtime", f"unsupported state type {t}")
        if "ResultSelector" in state:
            result = parameters(state["ResultSelector"], result, self.ctx)
        out = path_set(doc, state.get("ResultPath", "$"), result) if state.get("ResultPath", "$") is not None else doc
        if "OutputPath" in state:
            out = path_get(out, state["OutputPath"], self.ctx)
        return out, None if state.get("End") else state.get("Next")

    def with_retry(self, state, fn):
        attempts: dict[int, int] = {}
        while True:
            try:
                return fn()
            except StatesError as e:
                for i, r in enumerate(state.get("Retry", [])):
                    if "States.ALL" in r["ErrorEquals"] or e.error in r["ErrorEquals"]:
                        attempts[i] = attempts.get(i, 0) + 1
                        if attempts[i] <= r.get("MaxAttempts", 3):
                            break
                        raise
                else:
                    raise

    def choice(self, rule, doc) -> bool:
        try:
            v = path_get(doc, rule["Variable"], self.ctx)
            present = True
        except KeyError:
            v, present = None, False
        if "IsPresent" in rule:
            return present == rule["IsPresent"]
        if "BooleanEquals" in rule:
            return present and v == rule["BooleanEquals"]
        raise StatesError("States.Runtime", f"unsupported choice rule {rule}")

    def number(self, state, key, inp, default=None):
        if key in state:
            return state[key]
        if key + "Path" in state:
            return path_get(inp, state[key + "Path"], self.ctx)
        return default

    def map(self, state, inp):
        proc = state["ItemProcessor"]
        mode = proc.get("ProcessorConfig", {}).get("Mode", "INLINE")
        if mode == "INLINE":
            items = path_get(inp, state.get("ItemsPath", "$"), self.ctx)
            return [self.run(proc, item) for item in items]
        reader = state["ItemReader"]
        if reader["Resource"] != "arn:aws:states:::s3:listObjectsV2":
            raise StatesError("States.Runtime", f"unsupported ItemReader {reader['Resource']}")
        p = parameters(reader["Parameters"], inp, self.ctx)
        items = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=p["Bucket"], Prefix=p.get("Prefix", "")):
            for o in page.get("Contents", []):
                items.append({"Etag": o["ETag"], "Key": o["Key"], "LastModified": o["LastModified"].timestamp(),
                              "Size": o["Size"], "StorageClass": o.get("StorageClass", "STANDARD")})
        batcher = state.get("ItemBatcher")
        if batcher:
            size = self.number(batcher, "MaxItemsPerBatch", inp, len(items) or 1)
            batch_input = parameters(batcher.get("BatchInput", {}), inp, self.ctx)
            units = [{"Items": items[i:i + size], "BatchInput": batch_input} for i in range(0, len(items), size)]
        else:
            units = items
        tolerated = self.number(state, "ToleratedFailurePercentage", inp, 0)
        results, failures = [], []
        for u in units:
            try:
                results.append(self.run(proc, u))
            except StatesError as e:
                failures.append(e)
        self.child_failures += [{"Error": e.error, "Cause": e.cause} for e in failures]
        if failures and (not units or 100.0 * len(failures) / len(units) > tolerated):
            # As the service reports it: the child's own error stays in the child execution.
            raise StatesError("States.ExceedToleratedFailureThreshold",
                              f"The specified tolerated failure threshold was exceeded ({len(failures)} of {len(units)} items failed)")
        return results


def definition(substitutions: dict[str, str]) -> dict:
    t = load_template()
    props = t["Resources"]["BaselineStateMachine"]["Properties"]
    text = json.dumps(props["Definition"])
    for k in props["DefinitionSubstitutions"]:
        if k not in substitutions:
            raise SystemExit(f"no value for the substitution {k}")
        text = text.replace("${" + k + "}", substitutions[k])
    left = re.findall(r"\$\{\w+\}", text)
    if left:
        raise SystemExit(f"unsubstituted {left}")
    return json.loads(text)


def main():
    port, input_json, execution = int(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
    env = os.environ
    d = definition({
        "ProfileShardArn": "profile-shard",
        "MergeProfilesArn": "profile-shard",
        "TopicArn": env["TOPIC_ARN"],
        "DriftlineBucket": env["DRIFTLINE_BUCKET"],
        "MaxConcurrency": env.get("MAX_CONCURRENCY", "40"),
        "ToleratedFailurePercentage": env.get("TOLERATED", "0"),
        "BatchSize": env.get("BATCH_SIZE", "8"),
        "MergeFanIn": env.get("MERGE_FAN_IN", "64"),
    })
    player = Player(d, port, execution)
    try:
        out = player.run(d, input_json)
        print(json.dumps({"Output": out, "Invocations": player.invocations}))
    except StatesError as e:
        print(json.dumps({"Failed": {"Error": e.error, "Cause": e.cause}, "Published": player.published,
                          "ChildFailures": player.child_failures, "Invocations": player.invocations}))


if __name__ == "__main__":
    main()
