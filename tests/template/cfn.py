"""Loading template.yaml and evaluating its intrinsic functions for one set of parameters.

The template is parsed with cfn-lint's YAML loader (it understands the short forms `!Sub`,
`!Ref`, `!If`, ...). `Evaluator` resolves a node for concrete parameter values the way
CloudFormation would: conditions, `Fn::If` (dropping `AWS::NoValue`), `Fn::Sub`, `Fn::Select`,
`Fn::Split`, `Fn::Join`, `Ref` of parameters and pseudo parameters. Attributes and references of
resources stay symbolic (`GETATT:Logical.Attr`, `REF:Logical`), which is what a policy test needs
to tell "the one log group" from "any log group".
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

from cfnlint.decode import decode

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "template.yaml"

ACCOUNT = "123456789012"
REGION = "us-east-1"
STACK_NAME = "driftline-test"
STACK_ID = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{STACK_NAME}/51af3dc0-da77-11e4-872e-1234567db123"


class NoValue:
    """Marker for `AWS::NoValue`: the enclosing list item or key disappears."""


NO_VALUE = NoValue()


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    """Parses a template into plain dicts/lists/strings (short-form tags become `Fn::*` keys)."""
    template, matches = decode(str(path))
    if matches or template is None:
        raise ValueError(f"cannot parse {path}: {[str(m) for m in matches]}")
    # dict_node / str_node are subclasses of dict / str: a JSON round trip gives plain copies
    # that tests may mutate freely.
    return json.loads(json.dumps(template))


def copy_template(template: dict[str, Any]) -> dict[str, Any]:
    """A deep copy (for tests that break a template on purpose)."""
    return copy.deepcopy(template)


class Evaluator:
    """Resolves intrinsic functions of `template` for the given parameter values."""

    def __init__(self, template: dict[str, Any], parameters: dict[str, str] | None = None):
        self.template = template
        self.params: dict[str, str] = {}
        for name, spec in template.get("Parameters", {}).items():
            if "Default" in spec:
                self.params[name] = str(spec["Default"])
        for name, value in (parameters or {}).items():
            if name not in template.get("Parameters", {}):
                raise KeyError(f"unknown parameter {name}")
            self.params[name] = str(value)
        self.pseudo = {
            "AWS::AccountId": ACCOUNT,
            "AWS::Region": REGION,
            "AWS::Partition": "aws",
            "AWS::StackName": STACK_NAME,
            "AWS::StackId": STACK_ID,
            "AWS::URLSuffix": "amazonaws.com",
        }
        self._conditions: dict[str, bool] = {}

    # -- conditions -------------------------------------------------------------------------
    def condition(self, name: str) -> bool:
        """The value of a named condition."""
        if name not in self._conditions:
            spec = self.template.get("Conditions", {})[name]
            self._conditions[name] = bool(self._cond(spec))
        return self._conditions[name]

    def _cond(self, node: Any) -> Any:
        if isinstance(node, dict) and len(node) == 1:
            key, value = next(iter(node.items()))
            if key == "Condition":
                return self.condition(value)
            if key == "Fn::Equals":
                return self.resolve(value[0]) == self.resolve(value[1])
            if key == "Fn::Not":
                return not self._cond(value[0])
            if key == "Fn::And":
                return all(self._cond(v) for v in value)
            if key == "Fn::Or":
                return any(self._cond(v) for v in value)
        return self.resolve(node)

    def active(self, logical_id: str) -> bool:
        """True when the resource exists for these parameters (its Condition holds)."""
        resource = self.template["Resources"][logical_id]
        cond = resource.get("Condition")
        return cond is None or self.condition(cond)

    # -- values -----------------------------------------------------------------------------
    def ref(self, name: str) -> Any:
        """`Ref` of a parameter, pseudo parameter or resource."""
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.params:
            return self.params[name]
        if name in self.template.get("Resources", {}):
            return f"REF:{name}"
        raise KeyError(f"Ref to unknown name {name}")

    def _sub(self, text: str, variables: dict[str, Any]) -> str:
        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return str(self.resolve(variables[name]))
            if "." in name and name.split(".", 1)[0] in self.template.get("Resources", {}):
                return "GETATT:" + name
            return str(self.ref(name))

        return re.sub(r"\$\{([^}]+)\}", replace, text)

    def resolve(self, node: Any) -> Any:
        """Resolves every intrinsic function inside `node`."""
        if isinstance(node, list):
            out = [self.resolve(v) for v in node]
            return [v for v in out if v is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            key, value = next(iter(node.items()))
            if key == "Ref":
                return self.ref(value)
            if key == "Fn::GetAtt":
                parts = value if isinstance(value, list) else value.split(".", 1)
                return f"GETATT:{parts[0]}.{parts[1]}"
            if key == "Fn::Sub":
                if isinstance(value, str):
                    return self._sub(value, {})
                return self._sub(value[0], value[1])
            if key == "Fn::If":
                cond, then, other = value
                return self.resolve(then if self.condition(cond) else other)
            if key == "Fn::Select":
                return self.resolve(value[1])[int(self.resolve(value[0]))]
            if key == "Fn::Split":
                return str(self.resolve(value[1])).split(value[0])
            if key == "Fn::Join":
                return value[0].join(str(v) for v in self.resolve(value[1]))
            if key == "Condition":
                return self.condition(value)
        out = {k: self.resolve(v) for k, v in node.items()}
        return {k: v for k, v in out.items() if v is not NO_VALUE}

    def bucket_name(self) -> str:
        """The bucket the functions use (DRIFTLINE_BUCKET of the Globals)."""
        env = self.template["Globals"]["Function"]["Environment"]["Variables"]
        return self.resolve(env["DRIFTLINE_BUCKET"])
