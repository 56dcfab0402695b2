"""The baseline state machine's definition is valid Amazon States Language (cfn-lint E3601 via
check_asl.py), and the check can fail."""

import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cfn import TEMPLATE  # noqa: E402

CHECK = Path(__file__).resolve().parent / "check_asl.py"
CFN_LINT = Path(sys.executable).parent / "cfn-lint"


def run(template: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CHECK), str(CFN_LINT), str(template)], capture_output=True, text=True)


@unittest.skipUnless(CFN_LINT.exists(), "cfn-lint is installed by scripts/setup.sh")
class AslTest(unittest.TestCase):
    def test_the_definition_is_valid(self):
        r = run(TEMPLATE)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_a_misspelt_state_type_and_an_unknown_field_fail(self):
        text = TEMPLATE.read_text()
        for old, new, want in (
            ("                  Type: Choice\n", "                  Type: Chocie\n", "Chocie"),
            ("            ResultPath: \"$.Merge\"\n", "            ResultPath: \"$.Merge\"\n            Bogus: 1\n", "Bogus"),
        ):
            self.assertIn(old, text)
            with tempfile.TemporaryDirectory() as d:
                broken = Path(d) / "template.yaml"
                broken.write_text(text.replace(old, new, 1))
                r = run(broken)
                self.assertNotEqual(r.returncode, 0, f"{want}: accepted")
                self.assertIn(want, r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main()
