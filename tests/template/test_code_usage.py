"""The template's service permissions follow the code: the AWS SDK operations the adapters in
shared/aws call, and the SDK features each function crate enables."""

import re
import sys
import tomllib
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cfn import REPO, Evaluator, load_template  # noqa: E402
from iam_policy import expected_grants, function_roles, role_grants  # noqa: E402

#: SDK operation (snake_case fluent method) -> IAM action it needs (Service Authorization
#: Reference: ListObjectsV2 is authorised by s3:ListBucket).
SDK_OPERATIONS = {
    "get_object": "s3:GetObject",
    "head_object": "s3:GetObject",
    "put_object": "s3:PutObject",
    "list_objects_v2": "s3:ListBucket",
    "publish": "sns:Publish",
    "start_pipeline_execution": "sagemaker:StartPipelineExecution",
    "list_pipeline_executions": "sagemaker:ListPipelineExecutions",
}
#: driftline-aws feature -> IAM service prefix it gives a function.
FEATURE_SERVICE = {"s3": "s3", "sns": "sns", "sagemaker": "sagemaker"}
#: services of the AWS APIs the functions call themselves (logs, X-Ray and the destination queue
#: are used by the Lambda service on the function's behalf).
APP_SERVICES = set(FEATURE_SERVICE.values())
#: the moto harness creates buckets, topics and pipelines for tests only.
NOT_DEPLOYED = {"testing.rs"}
CRATES = {
    "AnalyzeCaptureFunction": "analyze-capture",
    "NotifyAlarmFunction": "notify-alarm",
    "StartRetrainingFunction": "start-retraining",
}
CALL = re.compile(r"\.client\s*\.\s*([a-z0-9_]+)\(\)")


def sdk_calls():
    """{operation: [files]} of SDK calls in deployed adapter and function code."""
    files = [p for p in (REPO / "shared" / "aws" / "src").rglob("*.rs") if p.name not in NOT_DEPLOYED]
    for crate in CRATES.values():
        files += list((REPO / "functions" / crate / "src").rglob("*.rs"))
    calls = {}
    for path in files:
        text = path.read_text()
        # drop inline unit-test modules (they may use clients of their own)
        text = text.split("#[cfg(test)]", 1)[0]
        for op in CALL.findall(text):
            calls.setdefault(op, []).append(str(path.relative_to(REPO)))
    return calls


def service_actions(grants):
    return {g.action for g in grants if g.action.split(":")[0] in APP_SERVICES}


class CodeUsageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = load_template()
        cls.ev = Evaluator(cls.t, {"EndpointName": "churn-endpoint", "PipelineName": "churn-retrain"})

    def test_every_sdk_call_has_a_known_iam_action(self):
        unknown = {op: f for op, f in sdk_calls().items() if op not in SDK_OPERATIONS}
        self.assertEqual(unknown, {}, "add these operations and their IAM actions to SDK_OPERATIONS")

    def test_granted_service_actions_are_exactly_the_called_operations(self):
        calls = sdk_calls()
        if not calls:
            self.skipTest("no AWS adapter code yet")
        called = {SDK_OPERATIONS[op] for op in calls if op in SDK_OPERATIONS}
        granted = set()
        for grants in expected_grants(self.ev).values():
            granted |= service_actions(grants)
        self.assertEqual(granted, called)

    def test_each_wired_function_is_granted_the_services_of_its_features(self):
        problems = []
        roles = function_roles(self.ev, problems)
        self.assertEqual(problems, [])
        checked = 0
        for fid, crate in CRATES.items():
            manifest = tomllib.loads((REPO / "functions" / crate / "Cargo.toml").read_text())
            dep = manifest.get("dependencies", {}).get("driftline-aws", {})
            features = set(dep.get("features", [])) & set(FEATURE_SERVICE) if isinstance(dep, dict) else set()
            if not features:
                continue  # not wired to AWS yet (stub): nothing to compare
            granted = {a.split(":")[0] for a in service_actions(role_grants(self.ev, roles[fid], problems))}
            with self.subTest(function=crate):
                self.assertEqual(granted, {FEATURE_SERVICE[f] for f in features})
            checked += 1
        self.assertEqual(problems, [])
        if checked == 0:
            self.skipTest("no function enables driftline-aws SDK features yet")


if __name__ == "__main__":
    unittest.main()
