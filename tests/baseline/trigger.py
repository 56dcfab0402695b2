"""What template.yaml's BaselineTriggerRule sends to the baseline workflow for an S3 event.

    python3 tests/baseline/trigger.py BUCKET KEY TRAINING_PREFIX ENDPOINT HEADER

Resolves the rule from the template for those parameters (tests/template/cfn.py), checks that its
event pattern matches an EventBridge "Object Created" event of s3://BUCKET/KEY (exits 3 when it
does not), and prints the execution input its InputTransformer renders, as EventBridge does
(an unquoted <placeholder> becomes the JSON value).
"""
import fnmatch
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "template"))
from cfn import Evaluator, load_template  # noqa: E402


def matches(pattern: dict, event: dict) -> bool:
    """EventBridge matching for the pattern forms the rule uses: value lists and wildcards."""
    for field, want in pattern.items():
        got = event.get(field)
        if isinstance(want, dict):
            if not isinstance(got, dict) or not matches(want, got):
                return False
            continue
        ok = False
        for w in want:
            if isinstance(w, dict) and "wildcard" in w:
                ok |= isinstance(got, str) and fnmatch.fnmatchcase(got, w["wildcard"])
            else:
                ok |= got == w
        if not ok:
            return False
    return True


def main() -> int:
    bucket, key, prefix, endpoint, header = sys.argv[1:6]
    params = {"EndpointName": endpoint, "PipelineName": "retrain", "TrainingBucket": bucket,
              "TrainingPrefix": prefix, "BaselineTriggerEndpoint": endpoint,
              "BaselineTriggerHeader": header}
    ev = Evaluator(load_template(), params)
    assert ev.active("BaselineTriggerRule"), "the rule is not deployed for these parameters"
    rule = ev.resolve(ev.template["Resources"]["BaselineTriggerRule"]["Properties"])
    event = {"source": "aws.s3", "detail-type": "Object Created",
             "detail": {"bucket": {"name": bucket}, "object": {"key": key, "size": 0}}}
    if not matches(rule["EventPattern"], event):
        print(f"no match: s3://{bucket}/{key}", file=sys.stderr)
        return 3
    (target,) = rule["Targets"]
    assert target["Arn"] == "REF:BaselineStateMachine", target
    t = target["InputTransformer"]
    text = t["InputTemplate"]
    for name, path in t["InputPathsMap"].items():
        value = event
        for part in path.removeprefix("$.").split("."):
            value = value[part]
        text = text.replace(f"<{name}>", json.dumps(value))
    print(json.dumps(json.loads(text)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
