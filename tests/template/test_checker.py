"""The IAM checker fails on deliberately broadened copies of template.yaml (it can fail)."""

import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cfn import copy_template, load_template  # noqa: E402
from iam_policy import check  # noqa: E402

PARAMS = {"EndpointName": "churn-endpoint", "PipelineName": "churn-retrain"}


def statements(template, role):
    return template["Resources"][role]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]


def by_sid(template, role, sid):
    return next(s for s in statements(template, role) if isinstance(s, dict) and s.get("Sid") == sid)


class CheckerFailsOnBroadenedTemplates(unittest.TestCase):
    def setUp(self):
        self.original = load_template()
        self.t = copy_template(self.original)

    def assertViolation(self, fragment):
        problems = check(self.t, PARAMS)
        self.assertTrue(problems, "checker accepted a broadened template")
        self.assertTrue(any(fragment in p for p in problems), f"no violation mentions {fragment!r}: {problems}")
        # the unmodified template still passes, so the violation comes from the change
        self.assertEqual(check(self.original, PARAMS), [])

    def test_extra_unused_action(self):
        by_sid(self.t, "StartRetrainingRole", "Pipeline")["Action"].append("sagemaker:DescribePipeline")
        self.assertViolation("grant not used/too broad: sagemaker:DescribePipeline")

    def test_service_wildcard_action(self):
        by_sid(self.t, "NotifyAlarmRole", "Publish")["Action"] = "sns:*"
        self.assertViolation("wildcard action sns:*")

    def test_star_resource_for_scopable_action(self):
        by_sid(self.t, "NotifyAlarmRole", "Publish")["Resource"] = "*"
        self.assertViolation("sns:Publish on '*' although the action can be scoped")

    def test_whole_bucket_instead_of_prefix(self):
        st = by_sid(self.t, "NotifyAlarmRole", "ReadReports")
        st["Resource"][0]["Fn::Sub"][0] = "arn:${AWS::Partition}:s3:::${Bucket}/*"
        self.assertViolation("grant not used/too broad: s3:GetObject on arn:aws:s3:::driftline-")

    def test_write_where_only_read_is_needed(self):
        by_sid(self.t, "NotifyAlarmRole", "ReadReports")["Action"] = ["s3:GetObject", "s3:PutObject"]
        self.assertViolation("s3:PutObject")

    def test_state_machine_invoking_any_function(self):
        by_sid(self.t, "BaselineStateMachineRole", "InvokeTasks")["Resource"] = "*"
        self.assertViolation("lambda:InvokeFunction on '*' although the action can be scoped")

    def test_state_machine_children_of_any_machine(self):
        st = by_sid(self.t, "BaselineStateMachineRole", "ChildExecutions")
        st["Resource"] = {"Fn::Sub": "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:*"}
        self.assertViolation("wildcard resource arn:aws:states:")

    def trigger_violation(self, fragment):
        params = {**PARAMS, "BaselineTriggerEndpoint": "churn-endpoint"}
        problems = check(self.t, params)
        self.assertTrue(any(fragment in p for p in problems), f"no violation mentions {fragment!r}: {problems}")
        self.assertEqual(check(self.original, params), [])

    def test_trigger_starting_any_state_machine(self):
        by_sid(self.t, "BaselineTriggerRole", "StartBaselineRun")["Resource"] = "*"
        self.trigger_violation("states:StartExecution on '*' although the action can be scoped")

    def test_trigger_role_trusted_for_any_rule(self):
        role = self.t["Resources"]["BaselineTriggerRole"]["Properties"]
        del role["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]
        self.trigger_violation("want only rule")

    def test_trigger_role_that_also_invokes_lambda(self):
        statements(self.t, "BaselineTriggerRole").append(
            {"Sid": "Extra", "Effect": "Allow", "Action": "lambda:InvokeFunction",
             "Resource": {"Fn::GetAtt": ["ProfileShardFunction", "Arn"]}})
        self.trigger_violation("grant not used/too broad: lambda:InvokeFunction")

    def test_state_machine_trusting_lambda(self):
        role = self.t["Resources"]["BaselineStateMachineRole"]["Properties"]
        role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] = {"Service": "lambda.amazonaws.com"}
        self.assertViolation("want states.amazonaws.com only")

    def test_profile_shard_writing_baselines(self):
        st = by_sid(self.t, "ProfileShardRole", "WriteShardProfiles")
        st["Resource"]["Fn::Sub"][0] = "arn:${AWS::Partition}:s3:::${Bucket}/${DriftlinePrefix}/*"
        self.assertViolation("ProfileShardFunction: grant not used/too broad: s3:PutObject")

    def test_list_bucket_without_prefix_condition(self):
        del by_sid(self.t, "AnalyzeCaptureRole", "ListDriftline")["Condition"]
        self.assertViolation("s3:ListBucket without an s3:prefix condition")

    def test_any_pipeline(self):
        st = by_sid(self.t, "StartRetrainingRole", "Pipeline")
        st["Resource"] = {"Fn::Sub": "arn:${AWS::Partition}:sagemaker:${AWS::Region}:${AWS::AccountId}:pipeline/*"}
        self.assertViolation("wildcard resource arn:aws:sagemaker:us-east-1:123456789012:pipeline/*")

    def test_missing_grant_is_reported(self):
        stmts = statements(self.t, "AnalyzeCaptureRole")
        stmts.remove(by_sid(self.t, "AnalyzeCaptureRole", "ReadCaptures"))
        self.assertViolation("missing grant: s3:GetObject on arn:aws:s3:::")

    def test_managed_policy(self):
        self.t["Resources"]["AnalyzeCaptureRole"]["Properties"]["ManagedPolicyArns"] = [
            "arn:aws:iam::aws:policy/AmazonS3FullAccess"
        ]
        self.assertViolation("managed policies")

    def test_sam_generated_role(self):
        props = self.t["Resources"]["NotifyAlarmFunction"]["Properties"]
        del props["Role"]
        props["Policies"] = [{"S3ReadPolicy": {"BucketName": "x"}}]
        self.assertViolation("function NotifyAlarmFunction: Policies")

    def test_standalone_policy_resource(self):
        self.t["Resources"]["Extra"] = {
            "Type": "AWS::IAM::Policy",
            "Properties": {"PolicyName": "x", "Roles": [{"Ref": "NotifyAlarmRole"}], "PolicyDocument": {}},
        }
        self.assertViolation("Extra: AWS::IAM::Policy")

    def test_not_action(self):
        st = by_sid(self.t, "NotifyAlarmRole", "Publish")
        st["NotAction"] = st.pop("Action")
        self.assertViolation("NotAction/NotResource")

    def test_trust_policy_broadened(self):
        trust = self.t["Resources"]["StartRetrainingRole"]["Properties"]["AssumeRolePolicyDocument"]
        trust["Statement"][0]["Principal"] = {"AWS": "*"}
        self.assertViolation("trust policy principals")


if __name__ == "__main__":
    unittest.main()
