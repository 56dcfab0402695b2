"""Validates the baseline state machine's ASL with cfn-lint's Step Functions schema (rule E3601).

cfn-lint checks the definition of `AWS::StepFunctions::StateMachine` against the Amazon States
Language schema, but not the inline `Definition` of a SAM `AWS::Serverless::StateMachine`
(whose DefinitionSubstitutions make it a joined string after the transform). This script
substitutes placeholder ARNs and numbers, writes a one-resource template with the definition as
an object and runs cfn-lint on it, so a misspelt state type or a field the language does not
have fails the test command.

Usage: check_asl.py CFN_LINT [TEMPLATE]   (exit status: cfn-lint's)
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cfn import TEMPLATE, load_template  # noqa: E402

PLACEHOLDERS = {
    "ProfileShardArn": "arn:aws:lambda:us-east-1:123456789012:function:profile-shard",
    "MergeProfilesArn": "arn:aws:lambda:us-east-1:123456789012:function:merge-profiles",
    "TopicArn": "arn:aws:sns:us-east-1:123456789012:alerts",
    "DriftlineBucket": "driftline-bucket",
}


def extracted(template: Path) -> dict:
    """A template holding the state machine as AWS::StepFunctions::StateMachine."""
    props = load_template(template)["Resources"]["BaselineStateMachine"]["Properties"]
    text = json.dumps(props["Definition"])
    for k in props["DefinitionSubstitutions"]:
        text = text.replace("${" + k + "}", PLACEHOLDERS.get(k, "8"))
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "BaselineStateMachine": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {"RoleArn": "arn:aws:iam::123456789012:role/baseline", "Definition": json.loads(text)},
            }
        },
    }


def main() -> int:
    cfn_lint = sys.argv[1]
    template = Path(sys.argv[2]) if len(sys.argv) > 2 else TEMPLATE
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "asl.json"
        out.write_text(json.dumps(extracted(template), indent=1))
        rc = subprocess.run([cfn_lint, str(out)]).returncode
    print(f"check_asl: {'ok' if rc == 0 else 'FAILED'} (cfn-lint E3601 on the baseline state machine)")
    return rc


if __name__ == "__main__":
    sys.exit(main())
