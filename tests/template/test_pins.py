"""The Python tools the scripts install are pinned: a fresh machine gets the versions CI ran
(an unpinned cfn-lint or checkov can start failing the template checks overnight)."""

import re
import unittest
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


class PinsTest(unittest.TestCase):
    def test_every_requirement_is_pinned(self):
        files = sorted((REPO / "scripts").glob("requirements*.txt"))
        self.assertGreaterEqual(len(files), 2)
        for f in files:
            for n, line in enumerate(f.read_text().splitlines(), 1):
                line = line.split("#", 1)[0].strip()
                if not line:
                    continue
                with self.subTest(file=f.name, line=n):
                    self.assertRegex(line, r"^[A-Za-z0-9_.\-]+(\[[A-Za-z0-9_,\-]+\])?==[0-9][0-9A-Za-z.\-]*$")


if __name__ == "__main__":
    unittest.main()
