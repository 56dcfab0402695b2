"""template.yaml grants each function exactly what it uses, for every way users deploy it."""

import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cfn import Evaluator, load_template  # noqa: E402
from iam_policy import STAR_ONLY, check, expected_grants  # noqa: E402

BASE = {"EndpointName": "churn-endpoint", "PipelineName": "churn-retrain"}

#: The deployments users have: a bucket the stack creates (generated or given name), an existing
#: SageMaker capture bucket (nested prefixes, a customer managed key), infra alarms off.
SCENARIOS = {
    "created bucket, generated name": {**BASE},
    "created bucket, given name": {**BASE, "BucketName": "acme-ml-monitoring"},
    "existing bucket with CMK": {
        **BASE,
        "CreateBucket": "false",
        "BucketName": "sagemaker-us-east-1-123456789012",
        "CapturePrefix": "churn/datacapture",
        "DriftlinePrefix": "churn/driftline",
        "BucketKmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-1111-2222-3333-444455556666",
        "TrainingBucket": "acme-feature-store",
        "TrainingPrefix": "churn/training",
    },
    "no infra alarms, no reservations": {**BASE, "EnableInfraAlarms": "false", "ReserveConcurrency": "false"},
    "baseline runs started by a training set's marker": {**BASE, "BaselineTriggerEndpoint": "churn-endpoint"},
}


class IamPolicyTest(unittest.TestCase):
    def setUp(self):
        self.template = load_template()

    def test_each_function_has_exactly_its_grants(self):
        for name, params in SCENARIOS.items():
            with self.subTest(scenario=name):
                self.assertEqual(check(self.template, params), [])

    def test_generated_bucket_name_is_a_valid_s3_name(self):
        ev = Evaluator(self.template, SCENARIOS["created bucket, generated name"])
        name = ev.bucket_name()
        self.assertEqual(name, "driftline-123456789012-1234567db123")
        self.assertRegex(name, r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")

    def test_expected_grants_use_the_parameters(self):
        # Independent spelling of two ARNs the expectations must contain (guards the table itself).
        ev = Evaluator(self.template, SCENARIOS["existing bucket with CMK"])
        grants = expected_grants(ev)
        resources = {g.resource for g in grants["AnalyzeCaptureFunction"] if g.action == "s3:GetObject"}
        self.assertEqual(
            resources,
            {
                "arn:aws:s3:::sagemaker-us-east-1-123456789012/churn/datacapture/*",
                "arn:aws:s3:::sagemaker-us-east-1-123456789012/churn/driftline/*",
            },
        )
        pipeline = {g.resource for g in grants["StartRetrainingFunction"] if g.action.startswith("sagemaker:")}
        self.assertEqual(pipeline, {"arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-retrain"})

    def test_sam_transform_adds_no_iam(self):
        # SAM adds roles/policies to functions without an explicit Role (and for destinations
        # and event sources on generated roles): after the transform the only IAM resources must
        # be the roles checked above (SAM keeps conditional ones, such as the trigger's).
        import os

        from samtranslator.translator.transform import transform

        class NoManagedPolicies:
            def load(self):
                raise AssertionError("the template must not need managed policy lookups")

        t = load_template()
        for res in t["Resources"].values():
            if res["Type"] == "AWS::Serverless::Function":
                res["Properties"]["CodeUri"] = "s3://artifacts/function.zip"  # what `sam package` does
        os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
        for name, params in SCENARIOS.items():
            with self.subTest(scenario=name):
                out = transform(t, params, NoManagedPolicies())
                iam = {rid: r["Type"] for rid, r in out["Resources"].items() if r["Type"].startswith("AWS::IAM::")}
                self.assertEqual(
                    iam,
                    {
                        rid: "AWS::IAM::Role"
                        for rid in (
                            "AnalyzeCaptureRole",
                            "NotifyAlarmRole",
                            "StartRetrainingRole",
                            "EvaluateQualityRole",
                            "ProfileShardRole",
                            "MergeProfilesRole",
                            "BaselineStateMachineRole",
                            "BaselineTriggerRole",
                        )
                    },
                )

    def test_star_allow_list_is_tracing_and_log_delivery_only(self):
        self.assertEqual(
            {a.split(":")[0] for a in STAR_ONLY},
            {"xray", "logs"},
        )
        self.assertTrue(all(a.startswith(("xray:", "logs:")) and "*" not in a for a in STAR_ONLY))
        # Log-stream writes are scoped to a log group: never in the '*' list.
        self.assertNotIn("logs:PutLogEvents", STAR_ONLY)
        self.assertNotIn("logs:CreateLogStream", STAR_ONLY)


if __name__ == "__main__":
    unittest.main()
