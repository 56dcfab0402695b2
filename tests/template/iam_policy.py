"""The least-privilege checker for template.yaml.

`check(template, parameters)` returns a list of violations (empty = fine) for one set of
parameter values:

* every function runs under an `AWS::IAM::Role` of this template, referenced with
  `!GetAtt Role.Arn` (no SAM-generated role, no `Policies` on the function, no managed policies,
  no stand-alone `AWS::IAM::Policy`), assumable by `lambda.amazonaws.com` only;
* no wildcard in an action, no `NotAction` / `NotResource`;
* `Resource: "*"` only for actions AWS cannot scope to a resource (`STAR_ONLY`, with the reason);
* no other wildcard resource except object keys under a named prefix (`arn:...:s3:::B/P/*`);
* `s3:ListBucket` only with an `s3:prefix` condition;
* for each function, the exact set of (action, resource, condition) grants in `expected_grants`:
  an action it does not use, or a broader resource, is a violation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from cfn import Evaluator

#: Actions that have no resource-level permissions, so `Resource: "*"` is the only possible
#: value (Service Authorization Reference, AWS X-Ray: "Resource types: -" for both). Lambda's
#: active tracing needs exactly these two on the execution role.
STAR_ONLY = {
    "xray:PutTraceSegments": "X-Ray has no resource-level permissions for this action",
    "xray:PutTelemetryRecords": "X-Ray has no resource-level permissions for this action",
    # The state machine's X-Ray tracing and its log delivery to CloudWatch Logs ("Logging using
    # CloudWatch Logs" in the Step Functions guide: these actions take no resource).
    "xray:GetSamplingRules": "X-Ray has no resource-level permissions for this action",
    "xray:GetSamplingTargets": "X-Ray has no resource-level permissions for this action",
    "logs:CreateLogDelivery": "CloudWatch Logs vended log delivery has no resource-level permissions",
    "logs:GetLogDelivery": "CloudWatch Logs vended log delivery has no resource-level permissions",
    "logs:UpdateLogDelivery": "CloudWatch Logs vended log delivery has no resource-level permissions",
    "logs:DeleteLogDelivery": "CloudWatch Logs vended log delivery has no resource-level permissions",
    "logs:ListLogDeliveries": "CloudWatch Logs vended log delivery has no resource-level permissions",
    "logs:PutResourcePolicy": "resource policies of CloudWatch Logs are account-wide",
    "logs:DescribeResourcePolicies": "resource policies of CloudWatch Logs are account-wide",
    "logs:DescribeLogGroups": "listing log groups takes no resource",
}

#: State machines: their role is checked like a function's, with the Step Functions principal.
STATE_MACHINE_TYPES = ("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine")

FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")


@dataclass(frozen=True, order=True)
class Grant:
    """One allowed (action, resource) pair with its condition block (JSON, sorted; "" = none)."""

    action: str
    resource: str
    condition: str = ""

    def __str__(self) -> str:
        cond = f" if {self.condition}" if self.condition else ""
        return f"{self.action} on {self.resource}{cond}"


def _condition_key(condition: Any) -> str:
    if not condition:
        return ""

    def norm(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: norm(v) for k, v in sorted(node.items())}
        if isinstance(node, list):
            return sorted(norm(v) for v in node)
        return node

    return json.dumps(norm(condition), sort_keys=True)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def expected_grants(ev: Evaluator) -> dict[str, set[Grant]]:
    """What each function uses (see the crates under functions/ and docs/ARCHITECTURE.md)."""
    bucket = ev.bucket_name()
    p = ev.params["DriftlinePrefix"]
    capture = ev.params["CapturePrefix"]
    ground_truth = ev.params["GroundTruthPrefix"]
    s3 = f"arn:aws:s3:::{bucket}"
    pipeline = f"arn:aws:sagemaker:{ev.pseudo['AWS::Region']}:{ev.pseudo['AWS::AccountId']}:pipeline/{ev.params['PipelineName']}"
    key = ev.params.get("BucketKmsKeyArn", "")
    dlq = "GETATT:DeadLetterQueue.Arn"
    topic = "REF:AlertTopic"

    def common(log_group: str, dead_letter: bool = True) -> set[Grant]:
        grants = {
            Grant("logs:CreateLogStream", f"GETATT:{log_group}.Arn"),
            Grant("logs:PutLogEvents", f"GETATT:{log_group}.Arn"),
            Grant("xray:PutTraceSegments", "*"),
            Grant("xray:PutTelemetryRecords", "*"),
        }
        if dead_letter:
            grants.add(Grant("sqs:SendMessage", dlq))
        return grants

    def list_under(*prefixes: str) -> Grant:
        return Grant("s3:ListBucket", s3, _condition_key({"StringLike": {"s3:prefix": list(prefixes)}}))

    analyze = common("AnalyzeCaptureLogGroup") | {
        Grant("s3:GetObject", f"{s3}/{capture}/*"),
        Grant("s3:GetObject", f"{s3}/{p}/*"),
        # Only what it produces: not baselines/, remediation/ or notifications/.
        Grant("s3:PutObject", f"{s3}/{p}/profiles/*"),
        Grant("s3:PutObject", f"{s3}/{p}/windows/*"),
        Grant("s3:PutObject", f"{s3}/{p}/reports/*"),
        Grant("s3:PutObject", f"{s3}/{p}/predictions/*"),
        list_under(f"{p}/*"),
    }
    notify = common("NotifyAlarmLogGroup") | {
        Grant("s3:GetObject", f"{s3}/{p}/reports/*"),
        Grant("s3:GetObject", f"{s3}/{p}/quality/*"),
        list_under(f"{p}/reports/*", f"{p}/quality/*"),
        Grant("sns:Publish", topic),
        Grant("s3:GetObject", f"{s3}/{p}/notifications/*"),
        Grant("s3:PutObject", f"{s3}/{p}/notifications/*"),
    }
    retrain = common("StartRetrainingLogGroup") | {
        Grant("s3:GetObject", f"{s3}/{p}/reports/*"),
        Grant("s3:GetObject", f"{s3}/{p}/quality/*"),
        Grant("s3:PutObject", f"{s3}/{p}/remediation/*"),
        list_under(f"{p}/reports/*", f"{p}/quality/*"),
        Grant("sagemaker:StartPipelineExecution", pipeline),
        Grant("sagemaker:ListPipelineExecutions", pipeline),
        Grant("sns:Publish", topic),
    }
    evaluate = common("EvaluateQualityLogGroup") | {
        Grant("s3:GetObject", f"{s3}/{ground_truth}/*"),
        Grant("s3:GetObject", f"{s3}/{p}/predictions/*"),
        Grant("s3:GetObject", f"{s3}/{p}/baselines/*"),
        Grant("s3:GetObject", f"{s3}/{p}/quality/*"),
        Grant("s3:PutObject", f"{s3}/{p}/quality/*"),
        Grant("s3:GetObject", f"{s3}/{p}/quality-labels/*"),
        Grant("s3:PutObject", f"{s3}/{p}/quality-labels/*"),
        list_under(f"{p}/predictions/*"),
    }
    # The baseline workflow's tasks (invoked synchronously by Step Functions: no dead-letter
    # queue). Shard profiles live under baseline-runs/; only the merge writes baselines/.
    training_bucket = ev.params.get("TrainingBucket") or bucket
    training = f"arn:aws:s3:::{training_bucket}"
    training_prefix = ev.params["TrainingPrefix"]
    profile = common("ProfileShardLogGroup", dead_letter=False) | {
        Grant("s3:GetObject", f"{training}/{training_prefix}/*"),
        Grant("s3:PutObject", f"{s3}/{p}/baseline-runs/*"),
    }
    merge = common("MergeProfilesLogGroup", dead_letter=False) | {
        Grant("s3:GetObject", f"{s3}/{p}/baseline-runs/*"),
        Grant("s3:PutObject", f"{s3}/{p}/baseline-runs/*"),
        Grant("s3:PutObject", f"{s3}/{p}/baselines/*"),
        list_under(f"{p}/baseline-runs/*"),
    }
    if key:
        profile |= {Grant("kms:Decrypt", key), Grant("kms:GenerateDataKey", key)}
        merge |= {Grant("kms:Decrypt", key), Grant("kms:GenerateDataKey", key)}
        analyze |= {Grant("kms:Decrypt", key), Grant("kms:GenerateDataKey", key)}
        evaluate |= {Grant("kms:Decrypt", key), Grant("kms:GenerateDataKey", key)}
        notify |= {Grant("kms:Decrypt", key), Grant("kms:GenerateDataKey", key)}
        retrain |= {Grant("kms:Decrypt", key), Grant("kms:GenerateDataKey", key)}
    return {
        "AnalyzeCaptureFunction": analyze,
        "NotifyAlarmFunction": notify,
        "StartRetrainingFunction": retrain,
        "EvaluateQualityFunction": evaluate,
        "ProfileShardFunction": profile,
        "MergeProfilesFunction": merge,
    }


def expected_state_machine_grants(ev: Evaluator) -> dict[str, set[Grant]]:
    """What each state machine uses: its tasks, the listings of its Distributed Maps, its own
    child workflows, the failure e-mail, log delivery and tracing."""
    bucket = ev.bucket_name()
    p = ev.params["DriftlinePrefix"]
    training_bucket = ev.params.get("TrainingBucket") or bucket
    training_prefix = ev.params["TrainingPrefix"]
    region, account = ev.pseudo["AWS::Region"], ev.pseudo["AWS::AccountId"]
    name = f"{ev.pseudo['AWS::StackName']}-baseline"

    def listing(b: str, *prefixes: str) -> Grant:
        return Grant("s3:ListBucket", f"arn:aws:s3:::{b}", _condition_key({"StringLike": {"s3:prefix": list(prefixes)}}))

    grants = {
        Grant("lambda:InvokeFunction", "GETATT:ProfileShardFunction.Arn"),
        Grant("lambda:InvokeFunction", "GETATT:MergeProfilesFunction.Arn"),
        listing(training_bucket, f"{training_prefix}/*", training_prefix),
        listing(bucket, f"{p}/baseline-runs/*"),
        Grant("states:StartExecution", f"arn:aws:states:{region}:{account}:stateMachine:{name}"),
        Grant("states:DescribeExecution", f"arn:aws:states:{region}:{account}:execution:{name}/*"),
        Grant("states:StopExecution", f"arn:aws:states:{region}:{account}:execution:{name}/*"),
        Grant("sns:Publish", "REF:AlertTopic"),
    }
    grants |= {Grant(a, "*") for a in STAR_ONLY}
    return {"BaselineStateMachine": grants}


def role_grants(
    ev: Evaluator, role_id: str, problems: list[str], principal: str = "lambda.amazonaws.com"
) -> set[Grant]:
    """All Allow grants of a role's inline policies; rule breaks are appended to `problems`."""
    props = ev.resolve(ev.template["Resources"][role_id].get("Properties", {}))
    where = f"role {role_id}"
    if props.get("ManagedPolicyArns"):
        problems.append(f"{where}: managed policies {props['ManagedPolicyArns']} (use scoped inline statements)")
    trust = props.get("AssumeRolePolicyDocument", {}).get("Statement", [])
    principals = [s.get("Principal") for s in _as_list(trust)]
    if principals != [{"Service": principal}]:
        problems.append(f"{where}: trust policy principals {principals}, want {principal} only")
    grants: set[Grant] = set()
    for policy in props.get("Policies", []):
        for st in _as_list(policy.get("PolicyDocument", {}).get("Statement", [])):
            sid = st.get("Sid", "?")
            if "NotAction" in st or "NotResource" in st:
                problems.append(f"{where} {sid}: NotAction/NotResource")
            if st.get("Effect") != "Allow":
                continue
            actions = _as_list(st.get("Action", []))
            resources = _as_list(st.get("Resource", []))
            cond = _condition_key(st.get("Condition"))
            for action in actions:
                if "*" in action or "?" in action:
                    problems.append(f"{where} {sid}: wildcard action {action}")
                for resource in resources:
                    grants.add(Grant(action, resource, cond))
    for g in grants:
        if g.resource == "*":
            if g.action not in STAR_ONLY:
                problems.append(f"{where}: {g.action} on '*' although the action can be scoped")
        elif "*" in g.resource or "?" in g.resource:
            s3_keys = (
                g.resource.startswith("arn:aws:s3:::")
                and g.resource.endswith("/*")
                and g.resource.count("/") >= 2
            )
            # A state machine's own child executions (Distributed Map): execution:NAME/*.
            children = g.resource.startswith("arn:aws:states:") and ":execution:" in g.resource and g.resource.endswith("/*")
            ok = (s3_keys or children) and "*" not in g.resource[:-1]
            if not ok:
                problems.append(f"{where}: wildcard resource {g.resource} for {g.action}")
        if g.action == "s3:ListBucket":
            cond = json.loads(g.condition) if g.condition else {}
            values = cond.get("StringLike", {}).get("s3:prefix") or cond.get("StringEquals", {}).get("s3:prefix")
            if not values or any(v.startswith("*") or v == "" for v in values):
                problems.append(f"{where}: s3:ListBucket without an s3:prefix condition naming a prefix")
    return grants


def function_roles(ev: Evaluator, problems: list[str], types: tuple[str, ...] = FUNCTION_TYPES) -> dict[str, str]:
    """Maps each active function (or state machine, with `types`) to the logical id of its role."""
    resources = ev.template["Resources"]
    out: dict[str, str] = {}
    for fid, res in resources.items():
        if res.get("Type") not in types or not ev.active(fid):
            continue
        props = res.get("Properties", {})
        for key in ("Policies", "PermissionsBoundary"):
            if key in props:
                problems.append(f"function {fid}: {key} (SAM would generate a role; use an explicit one)")
        role = props.get("Role")
        if not (isinstance(role, dict) and "Fn::GetAtt" in role):
            problems.append(f"function {fid}: Role must be !GetAtt <role in this template>.Arn, got {role!r}")
            continue
        target = role["Fn::GetAtt"]
        parts = target if isinstance(target, list) else target.split(".", 1)
        if resources.get(parts[0], {}).get("Type") != "AWS::IAM::Role" or parts[1] != "Arn":
            problems.append(f"function {fid}: Role {parts} is not an AWS::IAM::Role of this template")
            continue
        out[fid] = parts[0]
    return out


def check(template: dict[str, Any], parameters: dict[str, str]) -> list[str]:
    """Every least-privilege violation of `template` for these parameter values."""
    ev = Evaluator(template, parameters)
    problems: list[str] = []
    for rid, res in template["Resources"].items():
        if res.get("Type") in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::User", "AWS::IAM::Group"):
            problems.append(f"{rid}: {res['Type']} (permissions must live in the functions' roles)")
    roles = function_roles(ev, problems)
    expected = expected_grants(ev)
    if set(roles) != set(expected):
        problems.append(f"functions {sorted(roles)} != expected {sorted(expected)}")
    seen_roles: dict[str, str] = {}
    for fid, role_id in sorted(roles.items()):
        if role_id in seen_roles:
            problems.append(f"{fid} shares role {role_id} with {seen_roles[role_id]}")
        seen_roles[role_id] = fid
        actual = role_grants(ev, role_id, problems)
        want = expected.get(fid, set())
        for g in sorted(actual - want):
            problems.append(f"{fid}: grant not used/too broad: {g}")
        for g in sorted(want - actual):
            problems.append(f"{fid}: missing grant: {g}")
    machines = function_roles(ev, problems, STATE_MACHINE_TYPES)
    expected_machines = expected_state_machine_grants(ev)
    if set(machines) != set(expected_machines):
        problems.append(f"state machines {sorted(machines)} != expected {sorted(expected_machines)}")
    for sid, role_id in sorted(machines.items()):
        if role_id in seen_roles:
            problems.append(f"{sid} shares role {role_id} with {seen_roles[role_id]}")
        seen_roles[role_id] = sid
        actual = role_grants(ev, role_id, problems, "states.amazonaws.com")
        want = expected_machines.get(sid, set())
        for g in sorted(actual - want):
            problems.append(f"{sid}: grant not used/too broad: {g}")
        for g in sorted(want - actual):
            problems.append(f"{sid}: missing grant: {g}")
    problems += rule_role_problems(ev, seen_roles)
    return problems


def rule_role_problems(ev: Evaluator, seen_roles: dict[str, str]) -> list[str]:
    """Every EventBridge rule that starts a state machine does so with a role of its own that
    may start exactly its targets (states:StartExecution on each), trusted by EventBridge
    only for that rule."""
    problems: list[str] = []
    for rid, res in ev.template["Resources"].items():
        if res.get("Type") != "AWS::Events::Rule" or not ev.active(rid):
            continue
        props = ev.resolve(res.get("Properties", {}))
        want: dict[str, set[Grant]] = {}
        for t in props.get("Targets", []):
            role = t.get("RoleArn")
            if role is None:
                continue
            if not (isinstance(role, str) and role.startswith("GETATT:") and role.endswith(".Arn")):
                problems.append(f"rule {rid}: target RoleArn {role!r} is not a role of this template")
                continue
            role_id = role[len("GETATT:"):-len(".Arn")]
            want.setdefault(role_id, set()).add(Grant("states:StartExecution", t["Arn"]))
        for role_id, grants in sorted(want.items()):
            if role_id in seen_roles:
                problems.append(f"rule {rid} shares role {role_id} with {seen_roles[role_id]}")
            seen_roles[role_id] = rid
            actual = role_grants(ev, role_id, problems, "events.amazonaws.com")
            for g in sorted(actual - grants):
                problems.append(f"rule {rid}: grant not used/too broad: {g}")
            for g in sorted(grants - actual):
                problems.append(f"rule {rid}: missing grant: {g}")
            trust = ev.resolve(ev.template["Resources"][role_id]["Properties"]["AssumeRolePolicyDocument"])
            name = props.get("Name")
            arns = [
                st.get("Condition", {}).get("ArnEquals", {}).get("aws:SourceArn")
                for st in _as_list(trust.get("Statement", []))
            ]
            region, account = ev.pseudo["AWS::Region"], ev.pseudo["AWS::AccountId"]
            if arns != [f"arn:aws:events:{region}:{account}:rule/{name}"]:
                problems.append(f"role {role_id}: trusted for {arns}, want only rule {name}")
    return problems
