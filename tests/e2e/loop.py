#!/usr/bin/env python3
"""driftline's whole loop on one machine: the story `scripts/demo.sh` tells, and the end-to-end
test `scripts/ci/80-e2e.sh` runs (with --check).

What stands in for AWS:
  * S3, SNS, SQS and SageMaker Pipelines: moto_server on 127.0.0.1 (boto3 here sets it up and
    reads it back; the three functions use the Rust SDK against the same server);
  * Lambda: `cargo lambda watch` (the Lambda runtime API emulator) runs the release binaries,
    `cargo lambda invoke` delivers each event;
  * the e-mail inbox: an SQS queue subscribed to the SNS topic;
  * CloudWatch: this script. It reads the Embedded Metric Format lines analyze-capture printed,
    keeps one datapoint per metric and hourly period (statistic Maximum), evaluates the three
    alarms of template.yaml (thresholds, periods, k of n from the template's parameter
    defaults, conditions resolved) and, on every state change, delivers what CloudWatch would:
    the Lambda action payload of alarms that have actions (with AlarmGrouping=incident, the
    default, the composite data-incident alarm, evaluated from its children after them), and
    the EventBridge "CloudWatch Alarm State Change" event of the drift-confirmed alarm to the
    targets of the template's rule (start-retraining; notify-alarm too with AlarmGrouping=each).

The story: a baseline from the bundled training data, then hour by hour the endpoint's Data
Capture files (CSV encoding, the predicted label first, then the 69 inputs), first healthy
hours, then hours with drift in `Day Mins`, `CustServ Calls` and `State_CA`.

Everything started here runs in its own process group and is stopped on exit (also on
failure); the process ids are also written to `$WORK/pids` for the calling shell's trap.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import yaml

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "e2e" / "data"

ENDPOINT = "churn-endpoint"
VARIANT = "AllTraffic"
BUCKET = "driftline-demo"
PIPELINE = "churn-retrain"
TOPIC = "driftline-alerts"
INBOX = "driftline-inbox"
STACK = "driftline"  # the stack name the template's alarm names are built from
ACCOUNT = "123456789012"
REGION = "us-east-1"

HEALTHY_HOURS = 3
DRIFT_HOURS = 3
FILES_PER_HOUR = 3
RECORDS_PER_FILE = (110, 140)  # Data Capture writes a file every few minutes
DRIFTED = ["Day Mins", "CustServ Calls", "State_CA"]
CONCEPT_DRIFT_HOURS = (1, 2)  # of the healthy hours: labels flip more often (inputs unchanged)
EXTRA_ERROR = 0.25  # how much more often, in those hours


# ----------------------------------------------------------------------------------------------
# Output


class Story:
    """Prints what a user would see; collects failed checks in --check mode."""

    def __init__(self, check: bool):
        self.check = check
        self.failures: list[str] = []
        self.tty = sys.stdout.isatty()

    def _c(self, code: str, s: str) -> str:
        return f"\033[{code}m{s}\033[0m" if self.tty else s

    def chapter(self, title: str) -> None:
        print("\n" + self._c("1;34", f"== {title}"), flush=True)

    def say(self, text: str = "") -> None:
        print(text, flush=True)

    def step(self, text: str) -> None:
        print(self._c("2", "   " + text), flush=True)

    def expect(self, ok: bool, what: str) -> None:
        if ok:
            if self.check:
                print(self._c("32", f"   ok: {what}"), flush=True)
        else:
            self.failures.append(what)
            print(self._c("1;31", f"   FAILED: {what}"), flush=True)


def die(msg: str) -> None:
    print(f"\nloop: {msg}", file=sys.stderr, flush=True)
    raise SystemExit(1)


# ----------------------------------------------------------------------------------------------
# Processes


@dataclass
class Procs:
    work: Path
    running: list[subprocess.Popen] = field(default_factory=list)

    def start(self, name: str, argv: list[str], env: dict | None = None, cwd: Path | None = None):
        log = open(self.work / f"{name}.log", "wb")
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd,
                             start_new_session=True)
        self.running.append(p)
        with open(self.work / "pids", "a") as f:
            f.write(f"{p.pid}\n")
        return p

    def stop_all(self) -> None:
        for p in reversed(self.running):
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for p in reversed(self.running):
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait(timeout=5)
        self.running.clear()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(pred, seconds: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.2)
    tail = ""
    if log and log.exists():
        tail = "\n--- " + str(log) + " (tail)\n" + "\n".join(log.read_text(errors="replace").splitlines()[-30:])
    die(f"{what} did not come up within {seconds:.0f} s{tail}")


def http_ok(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=1).read()
        return True
    except OSError:
        return False


def port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), 1).close()
        return True
    except OSError:
        return False


# ----------------------------------------------------------------------------------------------
# The template: thresholds, k of n and alarm definitions, read from template.yaml's defaults


class _CfnLoader(yaml.SafeLoader):
    """Reads CloudFormation short-form tags (!Ref, !Sub, …) as {"Ref": …} / {"Fn::Sub": …}."""


def _cfn_tag(loader, tag_suffix, node):
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CfnLoader.add_multi_constructor("!", _cfn_tag)


@dataclass
class AlarmDef:
    logical_id: str
    name: str
    description: str
    namespace: str
    metric: str
    statistic: str
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    threshold: float
    comparison: str
    lambda_actions: bool  # AlarmActions/OKActions invoke notify-alarm


@dataclass
class CompositeDef:
    logical_id: str
    name: str
    description: str
    rule: str
    children: list[str]  # alarm names, OR-ed
    lambda_actions: bool


class Template:
    def __init__(self, path: Path):
        doc = yaml.load(path.read_text(), Loader=_CfnLoader)
        self.params = {k: v.get("Default") for k, v in doc.get("Parameters", {}).items()}
        self.params.update({"EndpointName": ENDPOINT, "VariantName": VARIANT,
                            "AWS::StackName": STACK, "AWS::Region": REGION,
                            "AWS::AccountId": ACCOUNT})
        self.resources = doc["Resources"]
        self.conditions = doc.get("Conditions", {})

    def condition(self, name: str) -> bool:
        return self._cond(self.conditions[name])

    def _cond(self, node) -> bool:
        if isinstance(node, dict) and len(node) == 1:
            (k, v), = node.items()
            if k == "Condition":
                return self.condition(v)
            if k == "Fn::Equals":
                return str(self.resolve(v[0])) == str(self.resolve(v[1]))
            if k == "Fn::Not":
                return not self._cond(v[0])
            if k == "Fn::And":
                return all(self._cond(x) for x in v)
            if k == "Fn::Or":
                return any(self._cond(x) for x in v)
        return bool(self.resolve(node))

    def resolve(self, v):
        """Ref (parameters; an alarm resource gives its name, as CloudFormation does), Fn::Sub,
        Fn::If on the template's conditions (AWS::NoValue -> None)."""
        if isinstance(v, dict) and "Ref" in v:
            if v["Ref"] == "AWS::NoValue":
                return None
            if v["Ref"] in self.resources:
                return self.resolve(self.resources[v["Ref"]]["Properties"]["AlarmName"])
            return self.params[v["Ref"]]
        if isinstance(v, dict) and "Fn::If" in v:
            cond, yes, no = v["Fn::If"]
            return self.resolve(yes if self.condition(cond) else no)
        if isinstance(v, dict) and "Fn::Sub" in v:
            s = v["Fn::Sub"]
            for k, val in self.params.items():
                s = s.replace("${" + k + "}", str(val))
            for k, res in self.resources.items():
                if "${" + k + "}" in s:
                    s = s.replace("${" + k + "}", self.resolve({"Ref": k}))
            return s
        return v

    def active(self, logical_id: str) -> bool:
        cond = self.resources[logical_id].get("Condition")
        return cond is None or self.condition(cond)

    def composite(self, logical_id: str) -> "CompositeDef | None":
        """A composite alarm of the template (None when its condition is off)."""
        if not self.active(logical_id):
            return None
        p = self.resources[logical_id]["Properties"]
        rule = self.resolve(p["AlarmRule"])
        children = re.findall(r'ALARM\("([^"]+)"\)', rule)
        assert rule == " OR ".join(f'ALARM("{c}")' for c in children), rule  # what we evaluate
        return CompositeDef(logical_id, self.resolve(p["AlarmName"]),
                            self.resolve(p.get("AlarmDescription", "")), rule, children,
                            bool(self.resolve(p.get("AlarmActions"))))

    def rule_targets(self, logical_id: str) -> list[str]:
        """The target ids of an EventBridge rule (after its Fn::If)."""
        targets = self.resolve(self.resources[logical_id]["Properties"]["Targets"])
        return [t["Id"] for t in targets]

    def param(self, name: str) -> str:
        return str(self.params[name])

    def alarm(self, logical_id: str) -> AlarmDef:
        p = self.resources[logical_id]["Properties"]
        r = self.resolve
        evals = int(r(p["EvaluationPeriods"]))
        return AlarmDef(
            logical_id=logical_id,
            name=r(p["AlarmName"]),
            description=r(p.get("AlarmDescription", "")),
            namespace=r(p["Namespace"]),
            metric=r(p["MetricName"]),
            statistic=r(p["Statistic"]),
            period=int(r(p["Period"])),
            evaluation_periods=evals,
            datapoints_to_alarm=int(r(p.get("DatapointsToAlarm", evals))),
            threshold=float(r(p["Threshold"])),
            comparison=p["ComparisonOperator"],
            lambda_actions=bool(r(p.get("AlarmActions"))),
        )


# ----------------------------------------------------------------------------------------------
# The simulated endpoint: Data Capture records in the real format (CSV encoding)


def load_inputs() -> tuple[list[str], list[list[str]]]:
    header = next(csv.reader(open(DATA / "training-dataset-with-header.csv", newline="")))
    rows = list(csv.reader(open(DATA / "test-dataset-input-cols.csv", newline="")))
    # The first line is a header pandas mangled ("186,0.1,137.8,...,0.55"): skip it.
    rows = rows[1:]
    assert all(len(r) == len(header) - 1 for r in rows), "69 inputs per row expected"
    return header[1:], rows


def churn_score(x: dict[str, float]) -> float:
    """The endpoint's model, a fixed logistic formula (no claim to be a good churn model)."""
    z = (-2.6 + 0.018 * (x["Day Mins"] - 180) + 0.55 * (x["CustServ Calls"] - 1.5)
         + 1.8 * x["Int'l Plan_yes"] - 0.9 * x["VMail Plan_yes"])
    return 1 / (1 + math.exp(-z))


class Endpoint:
    """Requests drawn from the bundled rows; drift changes three inputs."""

    def __init__(self, seed: int, churn_rate: float):
        self.names, self.rows = load_inputs()
        self.col = {n: i for i, n in enumerate(self.names)}
        self.rng = random.Random(seed)
        # The endpoint answers the predicted label (0/1), the column the training data's `Churn`
        # holds; its threshold gives the training data's churn rate on the healthy requests.
        scores = sorted(churn_score(self.values(r)) for r in self.rows)
        self.cutoff = scores[min(len(scores) - 1, int(len(scores) * (1 - churn_rate)))]

    def values(self, row: list[str]) -> dict[str, float]:
        return {n: float(row[i]) for n, i in self.col.items()}

    def request(self, drift: bool) -> list[str]:
        row = list(self.rng.choice(self.rows))
        if drift:
            # A new, heavier-using customer segment from California calls support more.
            i = self.col["Day Mins"]
            row[i] = f"{float(row[i]) + self.rng.gauss(70, 15):.1f}"
            i = self.col["CustServ Calls"]
            row[i] = str(int(row[i]) + self.rng.choice([1, 2, 3]))
            if self.rng.random() < 0.35:
                for n, j in self.col.items():
                    if n.startswith("State_"):
                        row[j] = "1" if n == "State_CA" else "0"
        return row

    def capture_line(self, when: dt.datetime, drift: bool) -> str:
        row = self.request(drift)
        label = "1" if churn_score(self.values(row)) >= self.cutoff else "0"
        record = {
            "captureData": {
                "endpointInput": {"observedContentType": "text/csv", "mode": "INPUT",
                                  "data": ",".join(row), "encoding": "CSV"},
                "endpointOutput": {"observedContentType": "text/csv; charset=utf-8",
                                   "mode": "OUTPUT", "data": label, "encoding": "CSV"},
            },
            "eventMetadata": {"eventId": str(uuid.UUID(int=self.rng.getrandbits(128))),
                              "inferenceTime": when.strftime("%Y-%m-%dT%H:%M:%SZ")},
            "eventVersion": "0",
        }
        return json.dumps(record, separators=(",", ":"))


def s3_event(bucket: str, key: str, size: int, when: dt.datetime) -> dict:
    """An S3 event notification as S3 sends it to Lambda (shape of aws_lambda_events'
    example-s3-event.json fixture; the key is URL-encoded as S3 does)."""
    return {"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": REGION,
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z",
        "eventName": "ObjectCreated:Put",
        "userIdentity": {"principalId": "AWS:AROAEXAMPLE:SageMaker"},
        "requestParameters": {"sourceIPAddress": "10.0.0.1"},
        "responseElements": {"x-amz-request-id": uuid.uuid4().hex[:16].upper(),
                             "x-amz-id-2": uuid.uuid4().hex},
        "s3": {"s3SchemaVersion": "1.0", "configurationId": "driftline-capture",
               "bucket": {"name": bucket, "ownerIdentity": {"principalId": "EXAMPLE"},
                          "arn": f"arn:aws:s3:::{bucket}"},
               "object": {"key": urllib.parse.quote_plus(key, safe="/"), "size": size,
                          "eTag": uuid.uuid4().hex, "sequencer": f"{int(time.time() * 1e6):016X}"}},
    }]}


# ----------------------------------------------------------------------------------------------
# CloudWatch, played here


def cw_time(t: dt.datetime) -> str:
    """CloudWatch's alarm timestamps: 2026-11-25T10:06:02.335+0000."""
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def read_emf(log: Path) -> list[dict]:
    """Every Embedded Metric Format document in the watch log (one JSON object per line)."""
    docs = []
    for line in log.read_text(errors="replace").splitlines():
        start = line.find("{")
        if start < 0 or '"_aws"' not in line:
            continue
        try:
            doc = json.loads(line[start:])
        except json.JSONDecodeError:
            continue
        if isinstance(doc, dict) and "CloudWatchMetrics" in doc.get("_aws", {}):
            docs.append(doc)
    return docs


def datapoints(docs: list[dict], alarm: AlarmDef, dims: dict[str, str]) -> dict[dt.datetime, float]:
    """The alarm's metric per period (statistic Maximum, as the template's alarms use)."""
    assert alarm.statistic == "Maximum", alarm
    out: dict[dt.datetime, float] = {}
    for doc in docs:
        for directive in doc["_aws"]["CloudWatchMetrics"]:
            if directive.get("Namespace") != alarm.namespace:
                continue
            if not any(m.get("Name") == alarm.metric for m in directive.get("Metrics", [])):
                continue
            for dimset in directive.get("Dimensions", []):
                if sorted(dimset) == sorted(dims) and all(doc.get(k) == v for k, v in dims.items()):
                    ts = dt.datetime.fromtimestamp(doc["_aws"]["Timestamp"] / 1000, dt.timezone.utc)
                    period = ts.replace(minute=0, second=0, microsecond=0)
                    out[period] = max(out.get(period, -math.inf), float(doc[alarm.metric]))
    return out


@dataclass
class AlarmState:
    value: str = "OK"
    reason: str = "the stack has been watching healthy traffic (the demo starts its alarms in OK)"
    reason_data: str | None = None
    timestamp: str = ""


def breaching(value: float, alarm: AlarmDef) -> bool:
    assert alarm.comparison == "GreaterThanOrEqualToThreshold", alarm.comparison
    return value >= alarm.threshold


def evaluate(alarm: AlarmDef, points: dict[dt.datetime, float], last_period: dt.datetime,
             now: dt.datetime) -> AlarmState:
    """CloudWatch's M-of-N evaluation over the last EvaluationPeriods periods; missing data is
    notBreaching (TreatMissingData in the template)."""
    periods = [last_period - dt.timedelta(seconds=alarm.period * i)
               for i in range(alarm.evaluation_periods)]
    present = [(p, points[p]) for p in periods if p in points]
    hits = [(p, v) for p, v in present if breaching(v, alarm)]
    state = "ALARM" if len(hits) >= alarm.datapoints_to_alarm else "OK"
    shown = hits if state == "ALARM" else present
    fmt = lambda p, v: f"{v:.1f} ({p.strftime('%d/%m/%y %H:%M:%S')})"  # noqa: E731
    verb = "were" if len(shown) != 1 else "was"
    neg = "" if state == "ALARM" else "not "
    reason = (f"Threshold Crossed: {len(shown)} out of the last {alarm.evaluation_periods} "
              f"datapoints [{', '.join(fmt(p, v) for p, v in shown)}] {verb} {neg}greater than or "
              f"equal to the threshold ({alarm.threshold:.1f}) (minimum {alarm.datapoints_to_alarm} "
              f"datapoint{'s' if alarm.datapoints_to_alarm != 1 else ''} for "
              f"{'OK -> ALARM' if state == 'ALARM' else 'ALARM -> OK'} transition).")
    reason_data = json.dumps({
        "version": "1.0", "queryDate": cw_time(now),
        "startDate": cw_time(periods[-1]), "statistic": alarm.statistic, "period": alarm.period,
        "recentDatapoints": [points[p] for p in reversed(periods) if p in points],
        "threshold": alarm.threshold,
        "evaluatedDatapoints": [{"timestamp": cw_time(p), "sampleCount": 1.0, "value": v}
                                for p, v in present],
    }, separators=(",", ":"))
    return AlarmState(state, reason, reason_data, cw_time(now))


def alarm_arn(alarm: AlarmDef) -> str:
    return f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{alarm.name}"


def alarm_configuration(alarm: AlarmDef, dims: dict[str, str]) -> dict:
    return {"description": alarm.description, "metrics": [{
        "id": "m1",
        "metricStat": {"metric": {"namespace": alarm.namespace, "name": alarm.metric,
                                  "dimensions": dims},
                       "period": alarm.period, "stat": alarm.statistic},
        "returnData": True}]}


def state_json(s: AlarmState) -> dict:
    out = {"value": s.value, "reason": s.reason, "timestamp": s.timestamp}
    if s.reason_data:
        out["reasonData"] = s.reason_data
    return out


def lambda_action_payload(alarm: AlarmDef, dims, new: AlarmState, old: AlarmState, now) -> dict:
    """What CloudWatch sends to a Lambda alarm action (aws_lambda_events'
    example-cloudwatch-alarm-metric.json shape)."""
    return {"source": "aws.cloudwatch", "alarmArn": alarm_arn(alarm), "accountId": ACCOUNT,
            "time": cw_time(now), "region": REGION,
            "alarmData": {"alarmName": alarm.name, "state": state_json(new),
                          "previousState": state_json(old),
                          "configuration": alarm_configuration(alarm, dims)}}


def composite_payload(c: CompositeDef, new: AlarmState, old: AlarmState, now) -> dict:
    """A composite alarm's Lambda action (aws_lambda_events' example-cloudwatch-alarm-composite
    shape): the rule in the configuration, the children in ALARM in reasonData."""
    return {"source": "aws.cloudwatch", "alarmArn": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{c.name}",
            "accountId": ACCOUNT, "time": cw_time(now), "region": REGION,
            "alarmData": {"alarmName": c.name, "state": state_json(new),
                          "previousState": state_json(old),
                          "configuration": {"alarmRule": c.rule, "description": c.description}}}


def eventbridge_payload(alarm: AlarmDef, dims, new: AlarmState, old: AlarmState, now) -> dict:
    """The EventBridge "CloudWatch Alarm State Change" event."""
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch", "account": ACCOUNT,
            "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "region": REGION,
            "resources": [alarm_arn(alarm)],
            "detail": {"alarmName": alarm.name, "state": state_json(new),
                       "previousState": state_json(old),
                       "configuration": alarm_configuration(alarm, dims)}}


# ----------------------------------------------------------------------------------------------
# The loop


class Loop:
    def __init__(self, args):
        self.args = args
        self.story = Story(args.check)
        self.work = Path(args.work)
        self.procs = Procs(self.work)
        self.template = Template(ROOT / "template.yaml")
        t = self.template
        self.prefix = t.param("DriftlinePrefix")
        self.capture_prefix = t.param("CapturePrefix")
        self.alarms = [t.alarm("ViolationsAlarm"), t.alarm("DriftedFeaturesAlarm"),
                       t.alarm("DriftConfirmedAlarm")]
        self.quality_alarms = [t.alarm("QualityDegradedAlarm"), t.alarm("QualityConfirmedAlarm")]
        self.states = {a.name: AlarmState() for a in self.alarms + self.quality_alarms}
        # AlarmGrouping=incident (the default): one composite over the data alarms.
        self.incident = t.composite("DataIncidentAlarm")
        if self.incident:
            self.states[self.incident.name] = AlarmState()
        self.confirm_targets = {"DriftConfirmedAlarm": t.rule_targets("DriftConfirmedRule"),
                                "QualityConfirmedAlarm": t.rule_targets("QualityConfirmedRule")}
        self.gt_prefix = t.param("GroundTruthPrefix")
        self.inbox: list[tuple[str, dict]] = []  # (when, SNS envelope)
        self.target = Path(args.target_dir) / ("release" if args.release else "debug")

    # -- infrastructure -----------------------------------------------------------------------

    def start_moto(self) -> None:
        port = free_port()
        self.moto = f"http://127.0.0.1:{port}"
        self.procs.start("moto", [str(Path(self.args.venv) / "bin" / "moto_server"),
                                  "-H", "127.0.0.1", "-p", str(port)])
        wait_until(lambda: http_ok(f"{self.moto}/moto-api/"), 60, "moto_server",
                   self.work / "moto.log")
        os.environ.update({"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                           "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION,
                           "AWS_ENDPOINT_URL": self.moto})
        self.s3 = boto3.client("s3")
        self.sns = boto3.client("sns")
        self.sqs = boto3.client("sqs")
        self.sm = boto3.client("sagemaker")

    def create_resources(self) -> None:
        self.s3.create_bucket(Bucket=BUCKET)
        self.topic = self.sns.create_topic(Name=TOPIC)["TopicArn"]
        self.queue = self.sqs.create_queue(QueueName=INBOX)["QueueUrl"]
        qarn = self.sqs.get_queue_attributes(QueueUrl=self.queue, AttributeNames=["QueueArn"])
        self.sns.subscribe(TopicArn=self.topic, Protocol="sqs",
                           Endpoint=qarn["Attributes"]["QueueArn"])
        t = self.template
        params = [t.param(p) for p in ("PipelineReportUriParameter",
                                       "PipelineDriftedFeaturesParameter",
                                       "PipelineTriggerTimeParameter")] \
            if "PipelineReportUriParameter" in t.params else \
            ["DriftReportUri", "DriftedFeatures", "DriftTriggerTime"]
        self.pipeline_params = params
        definition = {"Version": "2020-12-01",
                      "Parameters": [{"Name": n, "Type": "String", "DefaultValue": ""}
                                     for n in params],
                      "Steps": []}
        self.sm.create_pipeline(PipelineName=PIPELINE, PipelineDefinition=json.dumps(definition),
                                RoleArn=f"arn:aws:iam::{ACCOUNT}:role/churn-retrain",
                                ClientRequestToken=str(uuid.uuid4()))

    def start_watch(self) -> None:
        self.lambda_port = free_port()
        t = self.template
        env = {
            "DRIFTLINE_BUCKET": BUCKET, "DRIFTLINE_PREFIX": self.prefix,
            "CAPTURE_PREFIX": self.capture_prefix, "MIN_RECORDS": t.param("MinRecords"),
            "TOPIC_ARN": self.topic, "PIPELINE_NAME": PIPELINE, "ENDPOINT_NAME": ENDPOINT,
            "VARIANT_NAME": VARIANT, "ALARM_GROUPING": t.param("AlarmGrouping"),
            "CONFIRM_K": t.param("ConfirmK"), "CONFIRM_N": t.param("ConfirmN"),
            "COOLDOWN_MINUTES": t.param("CooldownMinutes"), "DRY_RUN": "false",
            "GROUND_TRUTH_PREFIX": self.gt_prefix, "MIN_LABELS": t.param("MinLabels"),
            "AWS_ENDPOINT_URL": self.moto, "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": REGION, "RUST_LOG": "info",
        }
        self.function_env = env
        argv = [str(Path(self.args.venv) / "bin" / "cargo-lambda"), "lambda", "watch",
                "--invoke-address", "127.0.0.1", "--invoke-port", str(self.lambda_port),
                "--ignore-changes", "--env-vars", ",".join(f"{k}={v}" for k, v in env.items())]
        if self.args.release:
            argv.append("--release")
        penv = dict(os.environ, CARGO_TARGET_DIR=self.args.target_dir,
                    PATH=f"{Path(self.args.venv) / 'bin'}:{os.environ['PATH']}")
        self.procs.start("watch", argv, env=penv, cwd=ROOT)
        wait_until(lambda: port_open(self.lambda_port), 120, "cargo lambda watch",
                   self.work / "watch.log")

    def invoke(self, function: str, payload: dict, name: str) -> dict:
        path = self.work / "events" / f"{name}.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(payload, indent=2))
        argv = [str(Path(self.args.venv) / "bin" / "cargo-lambda"), "lambda", "invoke", function,
                "--invoke-address", "127.0.0.1", "--invoke-port", str(self.lambda_port),
                "--data-file", str(path), "--output-format", "json"]
        r = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, timeout=600)
        if r.returncode != 0:
            tail = "\n".join((self.work / "watch.log").read_text(errors="replace").splitlines()[-40:])
            die(f"cargo lambda invoke {function} failed ({r.returncode}):\n{r.stderr}\n"
                f"--- watch.log (tail)\n{tail}")
        return json.loads(r.stdout)

    # -- the story ----------------------------------------------------------------------------

    def build_baseline(self) -> None:
        out = self.work / "baseline"
        cli = self.target / "driftline"
        train = DATA / "training-dataset-with-header.csv"
        r = subprocess.run([str(cli), "baseline", "--header", str(train), "-o", str(out)],
                           capture_output=True, text=True)
        if r.returncode != 0:
            die(f"driftline baseline failed:\n{r.stdout}\n{r.stderr}")
        stats = json.loads((out / "statistics.json").read_text())
        constraints = json.loads((out / "constraints.json").read_text())
        base = f"{self.prefix}/baselines/{ENDPOINT}/"
        for name in ("statistics.json", "constraints.json"):
            self.s3.put_object(Bucket=BUCKET, Key=base + name, Body=(out / name).read_bytes(),
                               ContentType="application/json")
        self.churn_rate = next(f["numerical_statistics"]["mean"] for f in stats["features"]
                               if f["name"] == "Churn")
        s = self.story
        s.say(f"   $ driftline baseline --header {train.relative_to(ROOT)} -o baseline/")
        s.say(f"   {stats['dataset']['item_count']} training rows, {len(stats['features'])} columns "
              f"(label Churn first: {self.churn_rate:.1%} churners), "
              f"{len(constraints['features'])} feature constraints")
        s.say(f"   uploaded to s3://{BUCKET}/{base}{{statistics,constraints}}.json")
        s.expect(stats["dataset"]["item_count"] == 2333, "the baseline covers the 2333 training rows")

    def drain_inbox(self, when: str) -> list[dict]:
        got = []
        while True:
            msgs = self.sqs.receive_message(QueueUrl=self.queue, MaxNumberOfMessages=10,
                                            WaitTimeSeconds=0).get("Messages", [])
            if not msgs:
                break
            for m in msgs:
                env = json.loads(m["Body"])
                got.append(env)
                self.inbox.append((when, env))
                self.sqs.delete_message(QueueUrl=self.queue, ReceiptHandle=m["ReceiptHandle"])
        return got

    def write_hour(self, endpoint: Endpoint, hour: dt.datetime, drift: bool) -> dict:
        """Data Capture's files of one hour, each announced to analyze-capture."""
        last = {}
        for i in range(FILES_PER_HOUR):
            written = hour + dt.timedelta(minutes=5 + 20 * i, seconds=endpoint.rng.randrange(60))
            n = endpoint.rng.randrange(*RECORDS_PER_FILE)
            lines = [endpoint.capture_line(written - dt.timedelta(seconds=(n - j) * 5), drift)
                     for j in range(n)]
            body = ("\n".join(lines) + "\n").encode()
            name = (f"{written.strftime('%M-%S')}-{written.microsecond // 1000:03d}-"
                    f"{uuid.UUID(int=endpoint.rng.getrandbits(128))}.jsonl")
            key = (f"{self.capture_prefix}/{ENDPOINT}/{VARIANT}/"
                   f"{hour.strftime('%Y/%m/%d/%H')}/{name}")
            self.s3.put_object(Bucket=BUCKET, Key=key, Body=body)
            event = s3_event(BUCKET, key, len(body), written)
            resp = self.invoke("analyze-capture", event, f"{hour:%H}-capture-{i}")
            obj = resp["objects"][0]
            self.story.step(f"{key}  {obj['records']} records -> {obj['outcome']} "
                            f"(window so far: {obj['window_records']} records, {obj['detail']})")
            last = obj
        return last

    def verdict(self, hour: dt.datetime) -> dict:
        key = (f"{self.prefix}/reports/{ENDPOINT}/{VARIANT}/{hour.strftime('%Y/%m/%d/%H')}/"
               "summary.json")
        return json.loads(self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())

    def play_cloudwatch(self, hour: dt.datetime, alarms=None, now=None) -> list[str]:
        """Evaluates the alarms after the hour's data arrived; delivers the actions of every
        state change. Returns the names of the alarms that entered ALARM."""
        docs = read_emf(self.work / "watch.log")
        dims = {"Endpoint": ENDPOINT, "Variant": VARIANT}
        now = now or hour + dt.timedelta(hours=1, minutes=5, seconds=2, milliseconds=335)
        fired = []
        for alarm in alarms or self.alarms:
            points = datapoints(docs, alarm, dims)
            last = hour if alarms is None else now.replace(minute=0, second=0, microsecond=0)
            new = evaluate(alarm, points, last, now)
            old = self.states[alarm.name]
            shown = ", ".join(f"{p:%H}h={v:g}" for p, v in sorted(points.items())
                              if p > hour - dt.timedelta(seconds=alarm.period * alarm.evaluation_periods))
            if new.value == old.value:
                self.story.step(f"alarm {alarm.name}: {new.value} ({alarm.metric} {shown})")
                continue
            self.story.say(f"   alarm {alarm.name}: {old.value} -> {new.value} "
                           f"({alarm.metric} {shown})")
            self.states[alarm.name] = new
            if new.value == "ALARM":
                fired.append(alarm.name)
            if alarm.lambda_actions:
                r = self.invoke("notify-alarm", lambda_action_payload(alarm, dims, new, old, now),
                                f"{hour:%H}-{alarm.logical_id}-action")
                self.story.step(f"  CloudWatch -> notify-alarm: {r.get('outcome')}")
            elif new.value == "ALARM" and alarm.logical_id in self.confirm_targets:
                # The EventBridge rule of a confirmation alarm matches ALARM only.
                event = eventbridge_payload(alarm, dims, new, old, now)
                if "notify-alarm" in self.confirm_targets.get(alarm.logical_id, []):
                    r = self.invoke("notify-alarm", event, f"{hour:%H}-{alarm.logical_id}-notify")
                    self.story.step(f"  EventBridge -> notify-alarm: {r.get('outcome')}")
                self.retrain(event, hour)
        if self.incident and alarms is None:
            fired += self.play_composite(self.incident, hour, now)
        return fired

    def play_composite(self, c: CompositeDef, hour: dt.datetime, now: dt.datetime) -> list[str]:
        """The composite after its children: ALARM while any child is (its rule is an OR);
        on a change, its Lambda action with the children in ALARM as triggeringAlarms."""
        in_alarm = [n for n in c.children if self.states[n].value == "ALARM"]
        value = "ALARM" if in_alarm else "OK"
        old = self.states[c.name]
        if value == old.value:
            self.story.step(f"alarm {c.name}: {value} (no action: its state did not change)")
            return []
        at = now + dt.timedelta(seconds=1)
        arn = lambda n: f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{n}"  # noqa: E731
        shown = in_alarm or c.children
        reason = (f"{arn(shown[0])} transitioned to {value} at "
                  f"{now.strftime('%A %d %B, %Y %H:%M:%S')} UTC")
        reason_data = json.dumps({"triggeringAlarms": [
            {"arn": arn(n), "state": {"value": self.states[n].value,
                                      "timestamp": self.states[n].timestamp or cw_time(now)}}
            for n in shown]}, separators=(",", ":"))
        new = AlarmState(value, reason, reason_data, cw_time(at))
        self.story.say(f"   alarm {c.name}: {old.value} -> {value} (children in ALARM: "
                       f"{', '.join(in_alarm) or 'none'})")
        self.states[c.name] = new
        if c.lambda_actions:
            r = self.invoke("notify-alarm", composite_payload(c, new, old, at),
                            f"{hour:%H}-{c.logical_id}-action")
            self.story.step(f"  CloudWatch -> notify-alarm: {r.get('outcome')}")
        return [c.name] if value == "ALARM" else []

    # -- model drift: ground truth arrives later ----------------------------------------------

    def build_quality_baseline(self, endpoint: "Endpoint") -> None:
        """A labelled baseline: the endpoint's model on the training rows, against their
        `Churn` labels, through `driftline quality baseline`."""
        rows = list(csv.reader(open(DATA / "training-dataset-with-header.csv", newline="")))
        path = self.work / "mq-validation.csv"
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["Churn", "Prediction"])
            for r in rows[1:]:
                pred = "1" if churn_score(endpoint.values(r[1:])) >= endpoint.cutoff else "0"
                w.writerow([r[0], pred])
        out = self.work / "mq-baseline"
        r = subprocess.run([str(self.target / "driftline"), "quality", "baseline", str(path), "--header",
                            "-o", str(out), "--problem-type", "binary",
                            "--ground-truth-attribute", "Churn", "--inference-attribute", "Prediction"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            die(f"driftline quality baseline failed:\n{r.stdout}\n{r.stderr}")
        base = f"{self.prefix}/baselines/{ENDPOINT}/model-quality/"
        for name in ("statistics.json", "constraints.json"):
            self.s3.put_object(Bucket=BUCKET, Key=base + name, Body=(out / name).read_bytes())
        stats = json.loads((out / "statistics.json").read_text())["binary_classification_metrics"]
        self.baseline_accuracy = stats["accuracy"]["value"]
        s = self.story
        s.say("   $ driftline quality baseline mq-validation.csv --header --problem-type binary "
              "--ground-truth-attribute Churn --inference-attribute Prediction -o mq-baseline/")
        s.say(f"   the endpoint's model on the {len(rows) - 1} training rows: accuracy "
              f"{self.baseline_accuracy:.3f}, f1 {stats['f1']['value']:.3f}; "
              f"uploaded to s3://{BUCKET}/{base}")

    def deliver_labels(self, hours: list[dt.datetime], arrival: dt.datetime) -> list[dict]:
        """The ground truth of the given hours, collected at `arrival`: each captured prediction
        (recorded by analyze-capture under predictions/) gets its true label; in the concept-drift
        hours the label differs from the prediction more often, while the inputs are unchanged."""
        rng = random.Random(self.args.seed + 7)
        base_error = 1.0 - self.baseline_accuracy
        outcomes = []
        for i, hour in enumerate(hours):
            prefix = f"{self.prefix}/predictions/{ENDPOINT}/{VARIANT}/{hour:%Y/%m/%d/%H}/"
            preds = []
            for o in self.s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", []):
                body = self.s3.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read().decode()
                preds += [json.loads(l) for l in body.splitlines() if l.strip()]
            error = base_error + (EXTRA_ERROR if i in CONCEPT_DRIFT_HOURS else 0.0)
            lines = []
            for p in preds:
                label = p["l"] if rng.random() >= error else ("0" if p["l"] == "1" else "1")
                lines.append(json.dumps({"groundTruthData": {"data": label, "encoding": "CSV"},
                                         "eventMetadata": {"eventId": p["k"]}, "eventVersion": "0"}))
            key = f"{self.gt_prefix}/{ENDPOINT}/{arrival:%Y/%m/%d/%H}/labels-for-{hour:%H}h.jsonl"
            body = ("\n".join(lines) + "\n").encode()
            self.s3.put_object(Bucket=BUCKET, Key=key, Body=body)
            since = time.time()
            r = self.invoke("evaluate-quality", s3_event(BUCKET, key, len(body), arrival),
                            f"gt-{hour:%H}")
            o = r["objects"][0]
            q = json.loads(self.s3.get_object(
                Bucket=BUCKET,
                Key=f"{self.prefix}/quality/{ENDPOINT}/{VARIANT}/{hour:%Y/%m/%d/%H}/summary.json")["Body"].read())
            acc = next(m["value"] for m in q["metrics"] if m["name"] == "accuracy")
            self.story.say(f"   labels of the {hour:%H}:00 window ({len(lines)}) -> evaluate-quality: "
                           f"{o['matched']} joined, {o['unmatched']} without prediction; "
                           f"accuracy {acc:.3f} (baseline {self.baseline_accuracy:.3f}) -> "
                           f"{q['status'].upper()}" + (f", degraded: {', '.join(q['degraded_metrics'][:4])}"
                                                       if q["degraded"] else ""))
            # evaluate-quality stamps its metrics with the wall clock (late labels must alarm
            # now), so CloudWatch is played just after the invocation, in the hour it emitted in
            # (a fixed offset from `arrival` crossed the hour when the labels came at xx:53 or
            # later and found no datapoint).
            emitted = self.wait_emf("QualityDegraded", since)
            hour_end = emitted.replace(minute=59, second=59, microsecond=999000)
            fired = self.play_cloudwatch(hour, self.quality_alarms,
                                         min(emitted + dt.timedelta(seconds=1), hour_end))
            for m in self.drain_inbox(f"labels {hour:%H}:00"):
                self.story.step(f"  inbox: {m['Subject']}")
            outcomes.append({"hour": hour, "outcome": o, "summary": q, "fired": fired})
        return outcomes

    def wait_emf(self, metric: str, since: float, timeout: float = 20.0) -> dt.datetime:
        """When the invocation that started at `since` emitted `metric`: its EMF document's
        timestamp, once `cargo lambda watch` has written it to the log (which can lag behind
        the invocation's response on a loaded machine)."""
        deadline = time.monotonic() + timeout
        while True:
            stamps = [doc["_aws"]["Timestamp"] for doc in read_emf(self.work / "watch.log")
                      if metric in doc and doc["_aws"].get("Timestamp", 0) >= since * 1000 - 1000]
            if stamps:
                return dt.datetime.fromtimestamp(max(stamps) / 1000, dt.timezone.utc)
            if time.monotonic() > deadline:
                die(f"no EMF document with {metric} in watch.log {timeout:.0f} s after the invocation")
            time.sleep(0.1)

    def retrain(self, event: dict, hour: dt.datetime) -> None:
        r1 = self.invoke("start-retraining", event, f"{hour:%H}-start-retraining")
        self.story.say(f"   EventBridge -> start-retraining: {r1['decision']} ({r1['reason']})")
        # EventBridge delivers at least once and retries on errors and timeouts: the same
        # event again must not start a second run.
        r2 = self.invoke("start-retraining", event, f"{hour:%H}-start-retraining-retry")
        self.story.say(f"   EventBridge retry, same event -> start-retraining: {r2['decision']} "
                       f"({r2['reason']})")

    def run(self) -> None:
        s = self.story
        t0 = time.monotonic()
        s.chapter("1. Stand-ins for AWS")
        self.start_moto()
        self.create_resources()
        s.say(f"   moto (S3, SNS, SQS, SageMaker) on {self.moto}")
        s.say(f"   bucket s3://{BUCKET}, topic {self.topic}")
        s.say(f"   inbox: SQS queue {INBOX} subscribed to the topic (stands in for the e-mail)")
        s.say(f"   SageMaker pipeline {PIPELINE} (parameters {', '.join(self.pipeline_params)})")
        self.start_watch()
        s.say(f"   cargo lambda watch (Lambda runtime API) on 127.0.0.1:{self.lambda_port}, "
              f"functions built in {self.target}")
        alarm_text = "; ".join(
            f"{a.name}: {a.metric} >= {a.threshold:g} in {a.datapoints_to_alarm} of "
            f"{a.evaluation_periods} x {a.period // 60} min" for a in self.alarms)
        s.say(f"   CloudWatch alarms (from template.yaml): {alarm_text}")

        s.chapter("2. Baseline from the training data")
        self.build_baseline()
        endpoint = Endpoint(seed=self.args.seed, churn_rate=self.churn_rate)

        now = dt.datetime.now(dt.timezone.utc).replace(minute=0, second=0, microsecond=0)
        start = now - dt.timedelta(hours=HEALTHY_HOURS + DRIFT_HOURS + 1)
        verdicts = []
        for h in range(HEALTHY_HOURS + DRIFT_HOURS):
            hour = start + dt.timedelta(hours=h)
            drift = h >= HEALTHY_HOURS
            s.chapter(f"3.{h + 1} Hour {hour:%Y-%m-%d %H}:00 UTC, "
                      + ("drift injected (Day Mins, CustServ Calls, State_CA)" if drift
                         else "healthy traffic"))
            self.write_hour(endpoint, hour, drift)
            v = self.verdict(hour)
            names = [f["name"] for f in v["features"] if f.get("drifted")]
            s.say(f"   verdict: {v['status'].upper()}, {v['records']} records, "
                  f"{v['violation_count']} violations, drifted: {', '.join(names) or 'none'}")
            fired = self.play_cloudwatch(hour)
            mail = self.drain_inbox(f"{hour:%H}:00")
            for m in mail:
                s.step(f"  inbox: {m['Subject']}")
            verdicts.append((hour, drift, v, names, fired, mail))

        s.chapter("4. Model drift: the ground truth arrives (days later in production)")
        self.build_quality_baseline(endpoint)
        s.say(f"   In hours {', '.join(verdicts[i][0].strftime('%H:00') for i in CONCEPT_DRIFT_HOURS)} "
              f"the world changed under the model: the inputs look as healthy as before (their data "
              f"windows were OK), but the true churn differs from the prediction "
              f"{EXTRA_ERROR:.0%} more often.")
        arrival = dt.datetime.now(dt.timezone.utc)
        self.quality = self.deliver_labels([v[0] for v in verdicts[:HEALTHY_HOURS]], arrival)

        s.chapter("5. The inbox (SQS queue subscribed to the topic)")
        time.sleep(0.5)
        self.drain_inbox("end")
        for when, env in self.inbox:
            s.say(f"--- received after the {when} window")
            s.say(f"Subject: {env['Subject']}")
            s.say(env["Message"].rstrip())
            s.say("")

        s.chapter("6. The retraining decisions")
        audits = self.s3.list_objects_v2(Bucket=BUCKET, Prefix=f"{self.prefix}/remediation/")
        records = []
        for o in audits.get("Contents", []):
            rec = json.loads(self.s3.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read())
            records.append(rec)
            s.say(f"   s3://{BUCKET}/{o['Key']}")
            s.say(f"     decision: {rec['decision']} - {rec['reason']}")
            ev = ", ".join(f"{e.get('window_start', '?')[11:16]} "
                           f"{'drift' if e.get('counts') else 'no drift'}"
                           for e in rec.get("evidence", []))
            s.say(f"     evidence: {ev}")
        executions = self.sm.list_pipeline_executions(PipelineName=PIPELINE)[
            "PipelineExecutionSummaries"]
        s.say(f"   SageMaker: {len(executions)} execution(s) of pipeline {PIPELINE}")
        params = {}
        for e in executions:
            params = {p["Name"]: p["Value"] for p in self.sm.list_pipeline_parameters_for_execution(
                PipelineExecutionArn=e["PipelineExecutionArn"])["PipelineParameters"]}
            s.say(f"     {e['PipelineExecutionArn']} {e['PipelineExecutionStatus']} "
                  f"({e.get('PipelineExecutionDisplayName', '')})")
            for k, v in sorted(params.items()):
                s.say(f"       {k} = {v}")

        s.chapter(f"Done in {time.monotonic() - t0:.0f} s")
        self.assertions(verdicts, records, executions, params)

    # -- what the end-to-end test asserts ------------------------------------------------------

    def assertions(self, verdicts, records, executions, params) -> None:
        s = self.story
        if not s.check:
            return
        s.chapter("Checks")
        for hour, drift, v, names, fired, mail in verdicts:
            label = f"{hour:%H}:00"
            if not drift:
                s.expect(v["status"] == "ok" and not v["drift_detected"],
                         f"healthy window {label} is ok (got {v['status']}, drifted {names})")
                s.expect(not fired, f"no alarm entered ALARM after healthy window {label} ({fired})")
                s.expect(not mail, f"no e-mail after healthy window {label} "
                                   f"({[m['Subject'] for m in mail]})")
            else:
                s.expect(v["drift_detected"], f"drift detected in window {label}")
                missing = [f for f in DRIFTED if f not in names]
                s.expect(not missing, f"window {label} names the drifted features "
                                      f"(missing {missing}, got {names})")
            s.expect(v["records"] >= int(self.template.param("MinRecords")),
                     f"window {label} has enough records ({v['records']})")
        first_drift = verdicts[HEALTHY_HOURS][0]
        report_uri = (f"s3://{BUCKET}/{self.prefix}/reports/{ENDPOINT}/{VARIANT}/"
                      f"{first_drift.strftime('%Y/%m/%d/%H')}/report.html")
        # One incident, one e-mail (AlarmGrouping=incident): the first drifted hour's composite
        # alarm e-mails once, naming its alarms; the confirmation's one e-mail is the retraining
        # note, which refers to the windows instead of repeating them.
        incident = [env for _, env in self.inbox if env["Subject"].startswith("ALARM incident:")]
        s.expect(len(incident) == 1, f"one incident e-mail ({len(incident)})")
        for env in incident:
            body = env["Message"]
            s.expect(ENDPOINT in env["Subject"] and ENDPOINT in body, "the e-mail names the endpoint")
            missing = [f for f in DRIFTED if f not in body]
            s.expect(not missing, f"the e-mail names the drifted features (missing {missing})")
            s.expect(report_uri in body, f"the e-mail links the report {report_uri}")
            children = self.incident.children if self.incident else []
            s.expect(bool(children) and all(c in body for c in children),
                     f"the e-mail names every alarm of the incident ({children})")
        single = [env["Subject"] for _, env in self.inbox
                  if "drifted-features" in env["Subject"] or "-violations" in env["Subject"]
                  or "drift-confirmed" in env["Subject"]]
        s.expect(not single, f"no e-mail of a single data alarm ({single})")
        started = [env for _, env in self.inbox if "retraining started" in env["Subject"]]
        s.expect(len(started) == 1, f"one 'retraining started' note ({len(started)})")
        for env in started:
            s.expect("drift confirmed" in env["Subject"], f"the note says drift is confirmed ({env['Subject']})")
            s.expect(report_uri in env["Message"], "the note refers to the first drifted window's report")
        drift_period = [m["Subject"] for _, drift, _, _, _, mail in verdicts if drift for m in mail]
        s.expect(len(drift_period) == 2,
                 f"two e-mails for the drift incident: the incident and the retraining note ({drift_period})")
        s.expect(len(executions) == 1,
                 f"exactly one pipeline execution despite the repeated alarm ({len(executions)})")
        decisions = sorted(r["decision"] for r in records if "drift-confirmed" in r["alarm"]["name"])
        s.expect(decisions == ["already-started", "started"],
                 f"audit records: started, then already-started for the retry ({decisions})")
        feats = params.get(self.pipeline_params[1], "").split(",")
        missing = [f for f in DRIFTED if f not in feats]
        s.expect(not missing, f"the execution carries the drifted features (missing {missing})")
        s.expect(params.get(self.pipeline_params[0], "").startswith(f"s3://{BUCKET}/"),
                 "the execution carries the report URI")
        # Model drift.
        for i, q in enumerate(self.quality):
            label = f"{q['hour']:%H}:00"
            o, summ = q["outcome"], q["summary"]
            s.expect(o["matched"] > 0 and o["unmatched"] == 0,
                     f"every label of {label} joined its prediction ({o['matched']}, {o['unmatched']} unmatched)")
            if i in CONCEPT_DRIFT_HOURS:
                s.expect(summ["status"] == "degraded", f"model quality of {label} degraded ({summ['status']})")
            else:
                s.expect(summ["status"] == "ok", f"model quality of {label} as the baseline ({summ['status']})")
        quality_mails = [env for _, env in self.inbox if env["Subject"].startswith("ALARM: model quality of")]
        s.expect(len(quality_mails) >= 1, f"a model-quality e-mail ({len(quality_mails)})")
        for env in quality_mails[:1]:
            s.expect("labelled predictions" in env["Message"] and "Confusion matrix" in env["Message"],
                     "the model-quality e-mail shows the labels and the confusion matrix")
        qconf = [r for r in records if "quality-confirmed" in r.get("alarm", {}).get("name", "")]
        s.expect(len(qconf) == 1 and qconf[0]["decision"] == "skipped-cooldown",
                 "confirmed model-quality degradation reached start-retraining, which held it by the "
                 f"cooldown of the drift retraining ({[r['decision'] for r in qconf]})")
        if s.failures:
            die(f"end-to-end: {len(s.failures)} check(s) failed:\n  - " + "\n  - ".join(s.failures))
        print("\nend-to-end: all checks passed", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="assert on the outcome (the e2e test)")
    ap.add_argument("--venv", default=os.environ.get("DRIFTLINE_VENV", str(ROOT / ".venv")))
    ap.add_argument("--target-dir", default=os.environ.get("CARGO_TARGET_DIR",
                                                           str(ROOT / "target")))
    ap.add_argument("--debug", dest="release", action="store_false",
                    help="use the debug build instead of the release build")
    ap.add_argument("--work", required=True, help="scratch folder (logs, events, baseline)")
    ap.add_argument("--seed", type=int, default=20261125)
    args = ap.parse_args()
    loop = Loop(args)
    # SIGTERM/SIGINT unwind through the finally below, so nothing is left running.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: sys.exit(1))
    try:
        loop.run()
    finally:
        loop.procs.stop_all()


if __name__ == "__main__":
    main()
