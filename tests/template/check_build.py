"""Checks the output of `sam build`: one arm64 Linux `bootstrap` per function.

Usage: check_build.py BUILD_DIR   (exit status 1 with a message on the first problem)
"""

import struct
import sys
from pathlib import Path

FUNCTIONS = (
    "AnalyzeCaptureFunction", "NotifyAlarmFunction", "StartRetrainingFunction", "EvaluateQualityFunction",
    "ProfileShardFunction", "MergeProfilesFunction",
)
EM_AARCH64 = 0xB7


def check(build_dir: Path) -> list[str]:
    """Problems with the built artifacts (empty = fine)."""
    problems = []
    if not (build_dir / "template.yaml").is_file():
        problems.append(f"{build_dir}/template.yaml missing")
    for fid in FUNCTIONS:
        boot = build_dir / fid / "bootstrap"
        if not boot.is_file():
            problems.append(f"{boot} missing")
            continue
        head = boot.read_bytes()[:20]
        if head[:4] != b"\x7fELF":
            problems.append(f"{boot} is not an ELF executable")
            continue
        (machine,) = struct.unpack("<H", head[18:20])
        if machine != EM_AARCH64:
            problems.append(f"{boot} is for machine {machine:#x}, not aarch64")
        if not boot.stat().st_mode & 0o111:
            problems.append(f"{boot} is not executable")
    return problems


if __name__ == "__main__":
    found = check(Path(sys.argv[1]))
    for p in found:
        print(f"check_build: {p}", file=sys.stderr)
    if not found:
        print(f"check_build: {len(FUNCTIONS)} arm64 bootstrap binaries in {sys.argv[1]}")
    sys.exit(1 if found else 0)
