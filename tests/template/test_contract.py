"""template.yaml matches the runtime contract (the README's environment-variable table and the
metrics / S3 keys in docs/ARCHITECTURE.md)
and the wiring rules of issue 6 (triggers, destinations, alarm permissions, checkov skips)."""

import json
import re
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cfn import ACCOUNT, REGION, REPO, STACK_NAME, Evaluator, load_template  # noqa: E402

FUNCTIONS = {
    "analyze-capture": "AnalyzeCaptureFunction",
    "notify-alarm": "NotifyAlarmFunction",
    "start-retraining": "StartRetrainingFunction",
    "evaluate-quality": "EvaluateQualityFunction",
}
PARAMS = {"EndpointName": "churn-endpoint", "PipelineName": "churn-retrain"}
#: Set by the template but not part of the runtime contract (none today).
NOT_CONTRACT: set = set()
#: Contract variables that must never be set in AWS.
LOCAL_ONLY = {"AWS_ENDPOINT_URL"}
DRIFTLINE_METRICS = {"Records", "MalformedRecords", "Violations", "DriftedFeatures", "DriftDetected", "InsufficientData",
                     "QualityLabels", "QualityViolations", "QualityDegraded", "QualityDegradedWindows",
                     "EstimatedAccuracy", "CaptureFiles", "UnreadableObjects"}


#: Where the environment-variable table lives (docs/ARCHITECTURE.md points to the README).
CONTRACT_SOURCES = (("README.md", "## Configuration"), ("docs/ARCHITECTURE.md", "## Runtime contract"))


def contract():
    """{variable: (functions, functions requiring it, default text or None)} from the table of
    environment variables (README "Configuration", formerly docs/ARCHITECTURE.md)."""
    rows = {}
    for name, heading in CONTRACT_SOURCES:
        text = (REPO / name).read_text()
        if heading not in text:
            continue
        section = text.split(heading, 1)[1].split("\n## ", 1)[0]
        rows.update(_table(section))
        if rows:
            break
    return rows


def _table(section):
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[0].startswith("`"):
            continue
        names = re.findall(r"`([A-Z0-9_]+)`", cells[0])
        funcs = set(FUNCTIONS) if cells[1] == "all" else {f for f in FUNCTIONS if f in cells[1]}
        required = {f for f in FUNCTIONS if re.search(re.escape(f) + r" \(required\)", cells[1])}
        if cells[2] == "(required)":
            required = set(funcs)
        defaults = re.findall(r"`([^`]*)`", cells[2])
        for i, name in enumerate(names):
            default = defaults[i] if i < len(defaults) else None
            rows[name] = (funcs, required, default)
    return rows


class ContractTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = load_template()
        cls.contract = contract()

    def env(self, ev, fid):
        glob = self.t["Globals"]["Function"]["Environment"]["Variables"]
        own = self.t["Resources"][fid]["Properties"].get("Environment", {}).get("Variables", {})
        return ev.resolve({**glob, **own})

    def test_contract_table_parsed(self):
        # guards the parser: a reformatted table must not silently empty the test
        self.assertGreaterEqual(len(self.contract), 20)
        self.assertEqual(self.contract["CONFIRM_N"][2], "3")
        self.assertEqual(self.contract["TOPIC_ARN"][1], {"notify-alarm"})

    def test_env_vars_are_contract_vars_of_that_function(self):
        ev = Evaluator(self.t, PARAMS)
        for fname, fid in FUNCTIONS.items():
            env = self.env(ev, fid)
            for var in set(env) - NOT_CONTRACT:
                with self.subTest(function=fname, var=var):
                    self.assertIn(var, self.contract)
                    self.assertIn(fname, self.contract[var][0])
                    self.assertNotIn(var, LOCAL_ONLY)
            for var, (funcs, required, _default) in self.contract.items():
                if fname in required:
                    with self.subTest(function=fname, required=var):
                        self.assertIn(var, env)

    def test_parameter_defaults_equal_contract_defaults(self):
        ev = Evaluator(self.t, PARAMS)
        checked = 0
        for fname, fid in FUNCTIONS.items():
            for var, value in self.env(ev, fid).items():
                default = self.contract.get(var, (None, None, None))[2]
                if default is not None:
                    with self.subTest(function=fname, var=var):
                        self.assertEqual(str(value), default)
                    checked += 1
        self.assertGreaterEqual(checked, 15)

    def test_env_follows_parameters(self):
        params = {**PARAMS, "CapturePrefix": "a/capture", "DriftlinePrefix": "b/out", "CreateBucket": "false",
                  "BucketName": "sagemaker-bucket", "ConfirmK": "3", "ConfirmN": "5", "DryRun": "true"}
        ev = Evaluator(self.t, params)
        env = self.env(ev, "AnalyzeCaptureFunction")
        self.assertEqual((env["DRIFTLINE_BUCKET"], env["CAPTURE_PREFIX"], env["DRIFTLINE_PREFIX"]),
                         ("sagemaker-bucket", "a/capture", "b/out"))
        env = self.env(ev, "StartRetrainingFunction")
        self.assertEqual((env["CONFIRM_K"], env["CONFIRM_N"], env["DRY_RUN"], env["PIPELINE_NAME"]),
                         ("3", "5", "true", "churn-retrain"))
        self.assertEqual(env["TOPIC_ARN"], "REF:AlertTopic")

    def all_alarms(self, ev):
        return {rid: ev.resolve(r["Properties"]) for rid, r in self.t["Resources"].items()
                if r["Type"] == "AWS::CloudWatch::Alarm" and ev.active(rid)}

    HEALTH = ("DeadLetterAlarm", "FunctionErrorsAlarm")

    def alarms(self, ev):
        """The model-monitoring and endpoint alarms (not those on driftline itself)."""
        return {rid: a for rid, a in self.all_alarms(ev).items() if rid not in self.HEALTH}

    def test_failures_are_announced(self):
        ev = Evaluator(self.t, PARAMS)
        health = {rid: a for rid, a in self.all_alarms(ev).items() if rid in self.HEALTH}
        self.assertEqual(set(health), set(self.HEALTH))
        dlq = health["DeadLetterAlarm"]
        self.assertEqual((dlq["Namespace"], dlq["MetricName"]), ("AWS/SQS", "ApproximateNumberOfMessagesVisible"))
        self.assertEqual(dlq["Dimensions"], [{"Name": "QueueName", "Value": "GETATT:DeadLetterQueue.QueueName"}])
        self.assertEqual((dlq["Threshold"], dlq["ComparisonOperator"]), (1, "GreaterThanOrEqualToThreshold"))
        errors = health["FunctionErrorsAlarm"]
        stats = [m["MetricStat"] for m in errors["Metrics"] if "MetricStat" in m]
        watched = {(st["Metric"]["MetricName"], st["Metric"]["Dimensions"][0]["Value"]) for st in stats}
        self.assertEqual(watched, {(m, f"REF:{fid}") for m in ("Errors", "Throttles") for fid in FUNCTIONS.values()})
        (expr,) = [m for m in errors["Metrics"] if m.get("ReturnData")]
        ids = [m["Id"] for m in errors["Metrics"] if "MetricStat" in m]
        self.assertEqual(expr["Expression"], f"SUM([{', '.join(ids)}])")
        for a in health.values():
            self.assertEqual(a["AlarmActions"], ["GETATT:NotifyAlarmFunction.Arn"])
            self.assertEqual(a["TreatMissingData"], "notBreaching")

    def test_driftline_alarms_use_contract_metrics(self):
        ev = Evaluator(self.t, PARAMS)
        names = {}
        for rid, a in self.alarms(ev).items():
            if a["Namespace"] != "Driftline":
                continue
            self.assertIn(a["MetricName"], DRIFTLINE_METRICS)
            self.assertEqual(a["Dimensions"], [{"Name": "Endpoint", "Value": "churn-endpoint"},
                                               {"Name": "Variant", "Value": "AllTraffic"}])
            self.assertEqual(a["Period"], 3600)
            # Missing data is no news, except for the alarm on missing data itself.
            want = ("breaching",) if a["MetricName"] == "CaptureFiles" else ("notBreaching", "missing")
            self.assertIn(a["TreatMissingData"], want)
            names[(a["MetricName"], a.get("DatapointsToAlarm"))] = a
        self.assertEqual(set(names), {("Violations", None), ("DriftedFeatures", None), ("DriftDetected", "2"),
                                      ("QualityDegraded", None), ("QualityDegradedWindows", None),
                                      ("CaptureFiles", "2"), ("UnreadableObjects", None)})
        names = {m: a for (m, _k), a in names.items()}
        self.assertEqual(names["QualityDegradedWindows"]["Threshold"], "2")
        confirmed = names["DriftDetected"]
        self.assertEqual((confirmed["EvaluationPeriods"], confirmed["DatapointsToAlarm"]), ("3", "2"))
        self.assertEqual((confirmed["Threshold"], confirmed["ComparisonOperator"]), (1, "GreaterThanOrEqualToThreshold"))
        # AlarmGrouping=incident (the default): the composite e-mails, the two have no actions.
        for metric in ("Violations", "DriftedFeatures"):
            self.assertNotIn("AlarmActions", names[metric])
            self.assertNotIn("OKActions", names[metric])
        each = Evaluator(self.t, {**PARAMS, "AlarmGrouping": "each"})
        for a in self.alarms(each).values():
            if a.get("MetricName") in ("Violations", "DriftedFeatures"):
                self.assertEqual(a["AlarmActions"], ["GETATT:NotifyAlarmFunction.Arn"])
                self.assertEqual(a["OKActions"], ["GETATT:NotifyAlarmFunction.Arn"])

    def composites(self, ev):
        return {rid: ev.resolve(r["Properties"]) for rid, r in self.t["Resources"].items()
                if r["Type"] == "AWS::CloudWatch::CompositeAlarm" and ev.active(rid)}

    def test_one_incident_one_e_mail(self):
        ev = Evaluator(self.t, PARAMS)
        (c,) = self.composites(ev).values()
        # Ref of an AWS::CloudWatch::Alarm is its name.
        by_metric = {a["MetricName"]: f"REF:{rid}" for rid, a in self.alarms(ev).items()
                     if a["Namespace"] == "Driftline"}
        self.assertEqual(c["AlarmRule"], f'ALARM("{by_metric["Violations"]}") OR '
                                         f'ALARM("{by_metric["DriftedFeatures"]}")')
        self.assertEqual(c["AlarmActions"], ["GETATT:NotifyAlarmFunction.Arn"])
        self.assertEqual(c["OKActions"], ["GETATT:NotifyAlarmFunction.Arn"])
        self.assertTrue(c["AlarmName"].endswith("-data-incident"))
        self.assertEqual(self.env(ev, "StartRetrainingFunction")["ALARM_GROUPING"], "incident")
        self.assertEqual(self.env(ev, "NotifyAlarmFunction")["VARIANT_NAME"], "AllTraffic")
        # The confirmations reach start-retraining only: its note is their one e-mail.
        for rule_id in ("DriftConfirmedRule", "QualityConfirmedRule"):
            rule = ev.resolve(self.t["Resources"][rule_id]["Properties"])
            self.assertEqual([t["Id"] for t in rule["Targets"]], ["start-retraining"])
        each = Evaluator(self.t, {**PARAMS, "AlarmGrouping": "each"})
        self.assertEqual(self.composites(each), {})
        for rule_id in ("DriftConfirmedRule", "QualityConfirmedRule"):
            rule = each.resolve(self.t["Resources"][rule_id]["Properties"])
            self.assertEqual([t["Id"] for t in rule["Targets"]], ["start-retraining", "notify-alarm"])
        self.assertEqual(self.env(each, "StartRetrainingFunction")["ALARM_GROUPING"], "each")

    def rule_failures(self, params):
        """The template's Rules evaluated for `params` (Equals, Contains, Not, Ref: what it
        uses): the descriptions of the assertions that fail."""
        values = {k: str(v.get("Default", "")) for k, v in self.t["Parameters"].items()}
        values.update({k: str(v) for k, v in params.items()})

        def ev(node):
            if isinstance(node, dict) and len(node) == 1:
                (fn, arg), = node.items()
                if fn == "Ref":
                    return values[arg]
                if fn == "Fn::Equals":
                    return ev(arg[0]) == ev(arg[1])
                if fn == "Fn::Contains":
                    return ev(arg[1]) in [ev(x) for x in arg[0]]
                if fn == "Fn::Not":
                    return not ev(arg[0])
                raise AssertionError(f"rule function {fn} not evaluated by this test")
            return node

        failed = []
        for rule in self.t.get("Rules", {}).values():
            if "RuleCondition" in rule and not ev(rule["RuleCondition"]):
                continue
            failed += [a["AssertDescription"] for a in rule["Assertions"] if not ev(a["Assert"])]
        return failed

    def test_longer_windows(self):
        ev = Evaluator(self.t, {**PARAMS, "Windows": "hour,day", "AlarmWindow": "day"})
        self.assertEqual(self.env(ev, "AnalyzeCaptureFunction")["WINDOWS"], "hour,day")
        self.assertEqual(self.env(ev, "NotifyAlarmFunction")["ALARM_WINDOW"], "day")
        self.assertEqual(self.env(ev, "StartRetrainingFunction")["ALARM_WINDOW"], "day")
        watched = {a["MetricName"]: a for a in self.alarms(ev).values()
                   if a["MetricName"] in ("Violations", "DriftedFeatures", "DriftDetected")}
        self.assertEqual(len(watched), 3)
        for a in watched.values():
            # The day's metrics: the Window dimension analyze-capture adds, one period a day.
            self.assertEqual(a["Dimensions"][-1], {"Name": "Window", "Value": "day"})
            self.assertEqual(a["Period"], 86400)
            self.assertLessEqual(a["Period"] * int(a["EvaluationPeriods"]), 7 * 86400)
        rolling = Evaluator(self.t, {**PARAMS, "Windows": "hour,last-24h", "AlarmWindow": "last-24h"})
        for a in self.alarms(rolling).values():
            if a["MetricName"] in ("Violations", "DriftedFeatures", "DriftDetected"):
                self.assertEqual(a["Dimensions"][-1], {"Name": "Window", "Value": "last-24h"})
                self.assertEqual(a["Period"], 3600)
        # Hourly alarms (the default) keep their two dimensions (tested above) and the Rules
        # refuse an alarm window that is not reported, or more than 7 days.
        self.assertEqual(self.rule_failures(PARAMS), [])
        self.assertEqual(self.rule_failures({"Windows": "hour,day", "AlarmWindow": "day"}), [])
        self.assertEqual(self.rule_failures({"AlarmWindow": "day"}),
                         ["AlarmWindow=day needs Windows to include day."])
        self.assertEqual(len(self.rule_failures({"Windows": "hour,day", "AlarmWindow": "day", "ConfirmN": "8"})), 1)
        self.assertEqual(self.rule_failures({"Windows": "hour,day", "AlarmWindow": "last-24h"}),
                         ["AlarmWindow=last-24h needs Windows to include last-24h."])

    def test_silent_endpoint_alarm(self):
        ev = Evaluator(self.t, {**PARAMS, "SilentHours": "3"})
        a = [a for a in self.alarms(ev).values() if a["MetricName"] == "CaptureFiles"][0]
        self.assertEqual((a["Statistic"], a["Threshold"], a["ComparisonOperator"]), ("Sum", 1, "LessThanThreshold"))
        self.assertEqual((a["EvaluationPeriods"], a["DatapointsToAlarm"]), ("3", "3"))
        self.assertEqual(a["TreatMissingData"], "breaching")
        self.assertTrue(a["AlarmName"].endswith("-silent"))
        off = Evaluator(self.t, {**PARAMS, "SilentHours": "0"})
        self.assertNotIn("CaptureFiles", {a["MetricName"] for a in self.alarms(off).values()})

    def test_estimate_alarm_only_when_a_threshold_is_given(self):
        off = {a["MetricName"] for a in self.alarms(Evaluator(self.t, PARAMS)).values()}
        self.assertNotIn("EstimatedAccuracy", off)
        ev = Evaluator(self.t, {**PARAMS, "EstimatedAccuracyThreshold": "0.8"})
        est = [a for a in self.alarms(ev).values() if a["MetricName"] == "EstimatedAccuracy"]
        self.assertEqual(len(est), 1)
        a = est[0]
        self.assertEqual((a["Threshold"], a["ComparisonOperator"], a["Statistic"]),
                         ("0.8", "LessThanThreshold", "Minimum"))
        self.assertEqual(a["AlarmActions"], ["GETATT:NotifyAlarmFunction.Arn"])
        # Estimates inform; they never start retraining (they cannot see concept drift).
        for rule in ("DriftConfirmedRule", "QualityConfirmedRule"):
            pattern = json.dumps(ev.resolve(self.t["Resources"][rule]["Properties"]))
            self.assertNotIn("quality-estimate", pattern)

    def test_namespace_parameter_reaches_alarms_and_function(self):
        ev = Evaluator(self.t, {**PARAMS, "MetricsNamespace": "Acme/Models"})
        spaces = {a["MetricName"]: a["Namespace"] for a in self.alarms(ev).values()}
        self.assertEqual(spaces["DriftDetected"], "Acme/Models")
        self.assertEqual(spaces["QualityDegraded"], "Acme/Models")
        self.assertEqual(self.env(ev, "EvaluateQualityFunction")["METRICS_NAMESPACE"], "Acme/Models")
        self.assertEqual(self.env(ev, "AnalyzeCaptureFunction")["METRICS_NAMESPACE"], "Acme/Models")

    def test_infra_alarms(self):
        ev = Evaluator(self.t, PARAMS)
        infra = {a["MetricName"]: a for a in self.alarms(ev).values() if a["Namespace"] != "Driftline"}
        self.assertEqual({m: a["Namespace"] for m, a in infra.items()}, {
            "ModelLatency": "AWS/SageMaker", "Invocation5XXErrors": "AWS/SageMaker",
            "CPUUtilization": "/aws/sagemaker/Endpoints", "MemoryUtilization": "/aws/sagemaker/Endpoints"})
        for a in infra.values():
            self.assertEqual(a["Dimensions"], [{"Name": "EndpointName", "Value": "churn-endpoint"},
                                               {"Name": "VariantName", "Value": "AllTraffic"}])
            self.assertEqual(a["AlarmActions"], ["GETATT:NotifyAlarmFunction.Arn"])
        off = Evaluator(self.t, {**PARAMS, "EnableInfraAlarms": "false"})
        self.assertEqual({a["Namespace"] for a in self.alarms(off).values()}, {"Driftline"})

    def test_every_lambda_alarm_action_has_a_permission_scoped_to_that_alarm(self):
        for extra in ({"EnableInfraAlarms": "true"}, {"EnableInfraAlarms": "false"},
                      {"EstimatedAccuracyThreshold": "0.8"}, {"SilentHours": "0"},
                      {"AlarmGrouping": "each"}):
            ev = Evaluator(self.t, {**PARAMS, **extra})
            perms = [ev.resolve(r["Properties"]) for rid, r in self.t["Resources"].items()
                     if r["Type"] == "AWS::Lambda::Permission" and ev.active(rid)
                     and r["Properties"]["Principal"] == "lambda.alarms.cloudwatch.amazonaws.com"]
            want = set()
            for a in list(self.all_alarms(ev).values()) + list(self.composites(ev).values()):
                for target in a.get("AlarmActions", []) + a.get("OKActions", []):
                    want.add((target, f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{a['AlarmName']}"))
            got = {(p["FunctionName"], p["SourceArn"]) for p in perms}
            self.assertEqual(got, want)
            self.assertTrue(all(p["SourceAccount"] == ACCOUNT for p in perms))
            self.assertTrue(all(a["AlarmName"].startswith(STACK_NAME + "-") for a in self.all_alarms(ev).values()))

    def test_drift_confirmed_rule_routes_to_both_functions(self):
        # AlarmGrouping=each; with incident (the default) see test_one_incident_one_e_mail.
        ev = Evaluator(self.t, {**PARAMS, "AlarmGrouping": "each"})
        rule = ev.resolve(self.t["Resources"]["DriftConfirmedRule"]["Properties"])
        self.assertEqual(rule["EventPattern"]["detail-type"], ["CloudWatch Alarm State Change"])
        self.assertEqual(rule["EventPattern"]["resources"], ["GETATT:DriftConfirmedAlarm.Arn"])
        self.assertEqual(rule["EventPattern"]["detail"]["state"]["value"], ["ALARM"])
        self.assertEqual({t["Arn"] for t in rule["Targets"]},
                         {"GETATT:StartRetrainingFunction.Arn", "GETATT:NotifyAlarmFunction.Arn"})
        perms = {(p["FunctionName"], p["SourceArn"]) for p in
                 (ev.resolve(r["Properties"]) for rid, r in self.t["Resources"].items()
                  if r["Type"] == "AWS::Lambda::Permission" and ev.active(rid))
                 if p["Principal"] == "events.amazonaws.com"}
        self.assertIn(("GETATT:StartRetrainingFunction.Arn", "GETATT:DriftConfirmedRule.Arn"), perms)
        self.assertIn(("GETATT:NotifyAlarmFunction.Arn", "GETATT:DriftConfirmedRule.Arn"), perms)

    def noncurrent_days(self, ev, key):
        """Days a superseded version of `key` is kept: the shortest of the applicable
        NoncurrentVersionExpiration rules (S3 applies the shortest where rules overlap); None
        when no rule expires it."""
        rules = ev.resolve(self.t["Resources"]["DataBucket"]["Properties"]["LifecycleConfiguration"])["Rules"]
        days = [int(r["NoncurrentVersionExpiration"]["NoncurrentDays"]) for r in rules
                if "NoncurrentVersionExpiration" in r and r["Status"] == "Enabled"
                and key.startswith(r.get("Prefix", r.get("Filter", {}).get("Prefix", "")))]
        return min(days) if days else None

    def test_protected_versions_outlive_churning_ones(self):
        ev = Evaluator(self.t, PARAMS)
        for key in ("driftline/baselines/churn-endpoint/statistics.json",
                    "driftline/baselines/churn-endpoint/model-quality/constraints.json",
                    "driftline/remediation/churn-endpoint/20261125T100602Z-started.json"):
            self.assertEqual(self.noncurrent_days(ev, key), 365, key)
        self.assertEqual(self.noncurrent_days(Evaluator(self.t, {**PARAMS, "ProtectedVersionDays": "30"}),
                                              "driftline/remediation/x/y.json"), 30)
        # Every prefix driftline writes (ARCHITECTURE.md's S3 keys) has a rule: the rewritten
        # ones 7 days, the protected ones longer.
        arch = (REPO / "docs/ARCHITECTURE.md").read_text()
        segments = set(re.findall(r"`P/([a-z-]+)/", arch))
        self.assertGreaterEqual(segments, {"baselines", "profiles", "windows", "reports", "remediation"})
        for seg in segments:
            days = self.noncurrent_days(ev, f"driftline/{seg}/x/y.json")
            want = 365 if seg in ("baselines", "remediation") else 7
            self.assertEqual(days, want, seg)
        for key in ("datacapture/churn-endpoint/AllTraffic/2026/11/25/10/f.jsonl",
                    "groundtruth/churn-endpoint/2026/11/25/10/l.jsonl"):
            self.assertEqual(self.noncurrent_days(ev, key), 7, key)

    def test_capture_trigger_per_case(self):
        created = Evaluator(self.t, PARAMS)
        self.assertTrue(created.active("DataBucket"))
        self.assertFalse(created.active("CaptureCreatedRule"))
        cfg = created.resolve(self.t["Resources"]["DataBucket"]["Properties"]["NotificationConfiguration"])
        lam, gt = cfg["LambdaConfigurations"]
        self.assertEqual(gt["Function"], "GETATT:EvaluateQualityFunction.Arn")
        self.assertEqual(gt["Filter"]["S3Key"]["Rules"], [{"Name": "prefix", "Value": "groundtruth/"},
                                                        {"Name": "suffix", "Value": ".jsonl"}])
        self.assertEqual(lam["Function"], "GETATT:AnalyzeCaptureFunction.Arn")
        self.assertEqual(lam["Filter"]["S3Key"]["Rules"], [{"Name": "prefix", "Value": "datacapture/"},
                                                         {"Name": "suffix", "Value": ".jsonl"}])
        existing = Evaluator(self.t, {**PARAMS, "CreateBucket": "false", "BucketName": "sm-bucket"})
        self.assertFalse(existing.active("DataBucket"))
        self.assertFalse(existing.active("AnalyzeCaptureS3Permission"))
        rule = existing.resolve(self.t["Resources"]["CaptureCreatedRule"]["Properties"])
        self.assertEqual(rule["EventPattern"]["detail-type"], ["Object Created"])
        self.assertEqual(rule["EventPattern"]["detail"]["bucket"]["name"], ["sm-bucket"])
        self.assertEqual(rule["EventPattern"]["detail"]["object"]["key"], [{"wildcard": "datacapture/*.jsonl"}])
        self.assertTrue(existing.active("AnalyzeCaptureEventsPermission"))

    def test_driftline_never_writes_what_triggers_it(self):
        # Everything driftline writes is under DriftlinePrefix (ARCHITECTURE.md's S3 keys all
        # start with P/); the only .jsonl it writes are the stored predictions; the triggers
        # (capture and ground truth, both *.jsonl) watch prefixes disjoint from P/, by default
        # and by the template's rules.
        text = (REPO / "docs" / "ARCHITECTURE.md").read_text()
        keys = re.findall(r"`P/[^`]+`", text)
        self.assertTrue(keys)
        self.assertEqual([k for k in keys if ".jsonl" in k and not k.startswith("`P/predictions/")], [])
        ev = Evaluator(self.t, PARAMS)
        out = ev.params["DriftlinePrefix"] + "/"
        for watched in ("CapturePrefix", "GroundTruthPrefix"):
            w = ev.params[watched] + "/"
            self.assertFalse(w.startswith(out) or out.startswith(w), watched)
        rules = json.dumps(self.t["Rules"]["PrefixesDiffer"])
        self.assertIn("CapturePrefix", rules)
        self.assertIn("GroundTruthPrefix", rules)

    def test_async_invocations_have_failure_destination_and_bounded_retries(self):
        for fid in FUNCTIONS.values():
            cfg = self.t["Resources"][fid]["Properties"]["EventInvokeConfig"]
            self.assertLessEqual(cfg["MaximumRetryAttempts"], 2)
            self.assertLessEqual(cfg["MaximumEventAgeInSeconds"], 21600)
            self.assertEqual(cfg["DestinationConfig"]["OnFailure"]["Type"], "SQS")
            self.assertEqual(cfg["DestinationConfig"]["OnFailure"]["Destination"], {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]})
        for rid, r in self.t["Resources"].items():
            if r["Type"] != "AWS::Events::Rule":
                continue
            for grouping in ("incident", "each"):
                ev = Evaluator(self.t, {**PARAMS, "AlarmGrouping": grouping})
                if not ev.active(rid):
                    continue
                for target in ev.resolve(r["Properties"])["Targets"]:
                    with self.subTest(rule=rid, target=target["Id"], grouping=grouping):
                        self.assertIn("DeadLetterConfig", target)
                        self.assertLessEqual(target["RetryPolicy"]["MaximumRetryAttempts"], 185)

    def test_functions_runtime_build_and_logs(self):
        glob = self.t["Globals"]["Function"]
        self.assertEqual((glob["Runtime"], glob["Architectures"], glob["Handler"], glob["Tracing"]),
                         ("provided.al2023", ["arm64"], "bootstrap", "Active"))
        for fname, fid in FUNCTIONS.items():
            res = self.t["Resources"][fid]
            self.assertEqual(res["Metadata"]["BuildMethod"], "rust-cargolambda")
            self.assertEqual(res["Metadata"]["BuildProperties"]["Binary"], fname)
            self.assertEqual(res["Properties"]["CodeUri"], f"functions/{fname}")
            self.assertTrue((REPO / "functions" / fname / "Cargo.toml").exists())
            group = res["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
            self.assertIn("RetentionInDays", self.t["Resources"][group]["Properties"])

    def test_every_checkov_skip_is_justified(self):
        skips = 0
        for rid, r in self.t["Resources"].items():
            for skip in r.get("Metadata", {}).get("checkov", {}).get("skip", []):
                with self.subTest(resource=rid, check=skip.get("id")):
                    self.assertRegex(skip.get("id", ""), r"^CKV2?_AWS_\d+$")
                    self.assertGreaterEqual(len(skip.get("comment", "")), 60)
                skips += 1
        self.assertGreater(skips, 0)


if __name__ == "__main__":
    unittest.main()
